/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Compiled policies as BPF map generations, one atomic switch per policy,
 * and what the live generation says of a file or a records root.
 */
#ifndef MEDGUARD_POLICY_MAPS_H
#define MEDGUARD_POLICY_MAPS_H

#include <stdio.h>

#include "loader.h"
#include "medguard.h"
#include "policy/policy.h"

/*
 * Resolves POLICY's paths and writes it into the next generation, then makes
 * that generation live with one store. On any failure the live generation is
 * untouched and the reason is one line on DIAG; returns 0 or -errno.
 */
int mg_loader_apply(struct mg_loader *loader, const struct mg_policy *policy, FILE *diag);

/*
 * The files now at the paths POLICY (the one in force) names, anchored in
 * the live generation: what root put there while unlocked is locked with
 * the rest, even when no reload took it in.
 */
int mg_loader_anchor_paths(struct mg_loader *loader, const struct mg_policy *policy, FILE *log);

__u32 mg_loader_generation(const struct mg_loader *loader);

/* The policy program of file (DEV, INO) in the live generation; 0 or -ENOENT. */
int mg_loader_program_of(const struct mg_loader *loader, __u64 dev, __u64 ino, struct mg_program *program);

/* Path of the records root (dev, ino) in the live policy, or NULL. */
const char *mg_loader_root_path(const struct mg_loader *loader, __u64 dev, __u64 ino);

#endif /* MEDGUARD_POLICY_MAPS_H */
