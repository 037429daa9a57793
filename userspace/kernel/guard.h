/* SPDX-License-Identifier: GPL-2.0-only */
/* Self-protection in the kernel: what the programs are told about the daemon and its own files. */
#ifndef MEDGUARD_KERNEL_GUARD_H
#define MEDGUARD_KERNEL_GUARD_H

#include <stdbool.h>
#include <stdio.h>

#include "loader.h"

struct mg_policy;

/* Whether no other task may signal or trace the daemon (its policy names keys: a signed stop ends it). */
void mg_loader_guard_daemon(struct mg_loader *loader, bool guarded);
/* The guard stays up when the daemon exits (it leaves at shutdown): nothing may replace the pins. */
void mg_loader_keep_guard_after_exit(struct mg_loader *loader);
/* Whether root may change medguard's own files while the daemon is guarded (after a signed unlock). */
void mg_loader_unlock_anchors(struct mg_loader *loader, bool unlocked);
/*
 * While guarded and locked: 0 when every file POLICY names (its sources,
 * keys, allowlists, records roots) is the one in force, else -EPERM after
 * one line on DIAG saying to unlock first.
 */
int mg_loader_check_locked_paths(const struct mg_loader *loader, const struct mg_policy *policy, FILE *diag);

#endif /* MEDGUARD_KERNEL_GUARD_H */
