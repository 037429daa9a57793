/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A compiled policy: what the policy compiler produces and the loader turns
 * into BPF maps. Paths are still paths here; the loader resolves them to
 * (device, inode) when it writes the next generation.
 */
#ifndef MEDGUARD_POLICY_H
#define MEDGUARD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "medguard.h"

struct mg_policy_key {
	char *name;
	char *path; /* PEM or DER public key, as evmctl uses */
	__u32 key_id; /* 1-based; 0 means none in mg_program.required_key_id */
};

struct mg_policy_program {
	char *name;
	__u32 program_id; /* 1-based, as in MG_SUBJECT_PROGRAM rules */
	__u32 flags;      /* MG_PROGRAM_* */
	__u32 required_key_id;
	bool has_digest; /* the exe must also have this SHA-256 */
	bool if_installed; /* EXES holds those of its files that existed: maybe none */
	unsigned char digest[32];
	char **exes;
	size_t nexes;
};

struct mg_policy_tree {
	char *name;
	__u32 tree_id; /* 0-based index into the generation's trees */
	char **roots;
	size_t nroots;
	char **canaries; /* literal paths or shell globs, expanded at load */
	size_t ncanaries;
	struct mg_tree kernel; /* rules in kernel form */
	/* For `policy show` and events: the source line of each rule. */
	char *rule_text[MG_MAX_RULES_PER_TREE];
	/*
	 * Unit and cgroup rules: the cgroup directory whose inode number is the
	 * rule's subject_value (NULL for other rules). A unit's cgroup is made
	 * anew when the unit restarts, so the loader may resolve it again.
	 */
	char *rule_cgroup_path[MG_MAX_RULES_PER_TREE];
};

/* `behaviour NAME on TREE { ... }`: weights and thresholds in kernel form. */
struct mg_policy_behaviour {
	char *name;
	__u32 tree_id;
	__u32 slot; /* which of the tree's behaviours (< MG_MAX_BEHAVIOURS_PER_TREE) */
	struct mg_behaviour kernel;
};

struct mg_policy {
	__u32 mode; /* MG_MODE_* */
	char **sources; /* the policy file and every file it includes */
	size_t nsources;
	struct mg_policy_key *keys;
	size_t nkeys;
	char **allowlists; /* SHA-256 allowlist files */
	size_t nallowlists;
	bool trust_packages; /* trust files of installed Debian packages */
	char **trust_scan; /* directories whose executables are verified at load */
	size_t ntrust_scan;
	struct mg_policy_program *programs;
	size_t nprograms;
	struct mg_policy_tree *trees;
	size_t ntrees;
	struct mg_policy_behaviour *behaviours;
	size_t nbehaviours;
	/*
	 * Paths the policy names that did not exist where it was compiled
	 * (a warning in `policy check`): the loader must refuse the policy.
	 */
	char **missing_paths;
	size_t nmissing_paths;
};

/*
 * Reads, checks and compiles FILE (and what it includes). Diagnostics go to
 * DIAG as `file:line:col: error|warning: message`. Returns NULL when there was
 * at least one error; *nerrors and *nwarnings count them (either may be NULL).
 */
struct mg_policy *mg_policy_compile(const char *file, FILE *diag, int *nerrors, int *nwarnings);

/*
 * The same for a policy held in memory: LEN bytes of DATA, named NAME in
 * diagnostics. Includes are relative to the directory of NAME.
 */
struct mg_policy *mg_policy_compile_buffer(const char *name, const char *data, size_t len,
					   FILE *diag, int *nerrors, int *nwarnings);

/* The compiled rules in plain words, for `medguard policy show`. */
void mg_policy_describe(const struct mg_policy *policy, FILE *out);

void mg_policy_free(struct mg_policy *policy);

/* The language's words for an operation bit, a signal and an action ("?" for none). */
const char *mg_op_name(__u32 op);
const char *mg_signal_name(__u32 signal);
const char *mg_action_name(__u32 action);

#endif /* MEDGUARD_POLICY_H */
