/* SPDX-License-Identifier: GPL-2.0-only */
/* What the kernel folder's files share: the loader's state, and what one file asks of another. */
#ifndef MEDGUARD_KERNEL_LOADER_INTERNAL_H
#define MEDGUARD_KERNEL_LOADER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "loader.h"
#include "medguard.h"
#include "medguard.skel.h"

struct mg_policy;

struct root_path {
	__u64 dev;
	__u64 ino;
	__u32 flags; /* MG_OBJECT_* */
	char *path;
};

struct mg_loader {
	struct medguard *skel;
	struct bpf_link **links;
	size_t nlinks;
	bool pin;
	bool pinned;
	const char *const *anchors; /* the daemon's own files, beyond what the policy names */
	struct root_path *roots; /* every protected object of the live generation, for event paths */
	size_t nroots;
};

/*
 * guard.c: the self-protection the loader asks for. Exempts this process
 * from the policy it loads and tells the programs which maps are medguard's
 * own; 0, or -errno said in one line on LOG.
 */
int guard_mark_daemon(struct mg_loader *loader, FILE *log);
/* The pins are medguard's own from the moment they exist: anchored in the live generation at once. */
int guard_anchor_pins(struct mg_loader *loader, FILE *log);

/* policy_maps.c: PATH, and the directories above it, anchored in the live generation. */
int anchor_in_live_generation(struct mg_loader *loader, const char *path, FILE *log);
/*
 * policy_maps.c: 0 when every file POLICY names is the one the live
 * generation protects, else -EPERM after one line on DIAG.
 */
int live_paths_moved(const struct mg_loader *loader, const struct mg_policy *policy, FILE *diag);
/* Forgets the paths of the live generation, when the loader goes. */
void forget_live_roots(struct mg_loader *loader);

#endif /* MEDGUARD_KERNEL_LOADER_INTERNAL_H */
