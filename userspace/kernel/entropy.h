/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The entropy sampler (bpf/medguard_entropy.bpf.c): with the medguard_kfuncs
 * module, the first write to a record a lineage did not create is measured
 * in the kernel, and a high-entropy one scores the behaviour signal
 * `entropy`. Without the module that signal never fires; the others do.
 */
#ifndef MEDGUARD_ENTROPY_H
#define MEDGUARD_ENTROPY_H

#include <stdio.h>

#include "loader.h"

struct medguard_entropy;

/*
 * Loads the sampler with the core's maps and attaches it. NULL on failure,
 * said in one line on LOG.
 */
struct medguard_entropy *mg_entropy_attach(const struct mg_loader *loader, FILE *log);

/* Detaches the sampler. NULL is fine. */
void mg_entropy_detach(struct medguard_entropy *sampler);

#endif /* MEDGUARD_ENTROPY_H */
