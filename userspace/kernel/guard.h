/* SPDX-License-Identifier: GPL-2.0-only */
/* Self-protection in the kernel: what the programs are told about the daemon and its own files. */
#ifndef MEDGUARD_KERNEL_GUARD_H
#define MEDGUARD_KERNEL_GUARD_H

#include <stdbool.h>

#include "loader.h"

/* Whether no other task may signal or trace the daemon (its policy names keys: a signed stop ends it). */
void mg_loader_guard_daemon(struct mg_loader *loader, bool guarded);
/* The guard stays up when the daemon exits (it leaves at shutdown): nothing may replace the pins. */
void mg_loader_keep_guard_after_exit(struct mg_loader *loader);
/* Whether root may change medguard's own files while the daemon is guarded (after a signed unlock). */
void mg_loader_unlock_anchors(struct mg_loader *loader, bool unlocked);

#endif /* MEDGUARD_KERNEL_GUARD_H */
