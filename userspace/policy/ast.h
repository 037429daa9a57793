/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The policy as written: one list per kind of statement, each in source
 * order (includes are spliced in where they stand), so that ids follow
 * declaration order. The parser fills it, the checker validates it and
 * resolves names to ids and values (the fields marked "checker"), the
 * compiler turns it into a struct mg_policy.
 */
#ifndef MEDGUARD_POLICY_AST_H
#define MEDGUARD_POLICY_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "lib/lib.h"
#include "diag.h"

struct mg_ast_path {
	char *path;
	struct mg_loc loc;
};

struct mg_ast_paths {
	struct mg_ast_path *items;
	size_t n, cap;
};

/* `mode enforce;` */
struct mg_ast_mode {
	__u32 mode; /* MG_MODE_* */
	struct mg_loc loc;
};

/* `key NAME "file";` */
struct mg_ast_key {
	char *name;
	struct mg_loc loc;
	struct mg_ast_path file;
};

/* `records NAME "root", ...;` */
struct mg_ast_records {
	char *name;
	struct mg_loc loc;
	struct mg_ast_paths roots;
};

/* `canary RECORDS "pattern", ...;` */
struct mg_ast_canary {
	char *records;
	struct mg_loc loc;
	struct mg_ast_paths patterns;
	__u32 tree_id; /* checker */
};

/* `program NAME exe "path", ... [signed-by KEY] [digest "sha256:..."] [if-installed];` */
struct mg_ast_program {
	char *name;
	struct mg_loc loc;
	bool interpreter;
	bool launcher;
	bool gateway;
	bool if_installed; /* exes that do not exist are left out, not refused */
	struct mg_ast_paths exes;
	char *signed_by; /* NULL: any trust source */
	struct mg_loc signed_by_loc;
	char *digest; /* NULL: none */
	struct mg_loc digest_loc;
	__u32 key_id;                /* checker */
	unsigned char digest_bytes[32]; /* checker */
};

struct mg_ast_subject {
	__u32 kind;   /* enum mg_subject_kind */
	char *name;   /* program, user or group name, unit; NULL when numeric */
	__u64 number; /* user or group given as a number */
	struct mg_loc loc;
	__u64 value;       /* checker: program id, uid, gid or cgroup id */
	char *cgroup_path; /* checker: unit and cgroup subjects */
	bool resolved;     /* checker: value is meaningful */
};

/* `allow|deny SUBJECT OPS;` and `audit deny ...;` */
struct mg_ast_rule {
	struct mg_loc loc;
	__u32 verdict; /* MG_VERDICT_* */
	__u32 flags;   /* MG_RULE_* */
	__u32 ops;     /* MG_OP_* */
	struct mg_ast_subject subject;
	char *text; /* "file:line: the rule as written" */
};

/* `on RECORDS { rules [default] }` */
struct mg_ast_on {
	char *records;
	struct mg_loc loc;
	struct mg_ast_rule *rules;
	size_t nrules, cap;
	bool has_default;
	__u32 default_verdict;
	struct mg_loc default_loc;
	__u32 tree_id; /* checker */
};

struct mg_ast_score {
	__u32 signal; /* enum mg_signal */
	__u32 weight;
	struct mg_loc loc;
};

/* `exempt PROGRAM;` in a behaviour */
struct mg_ast_exempt {
	char *program;
	struct mg_loc loc;
	__u32 program_id; /* checker */
};

struct mg_ast_threshold {
	__u32 action; /* enum mg_action */
	__u32 score;
	struct mg_loc loc;
};

/* `behaviour NAME on RECORDS { window; score; at }` */
struct mg_ast_behaviour {
	char *name;
	struct mg_loc loc;
	char *records;
	struct mg_loc records_loc;
	bool has_window;
	__u64 window_ns;
	struct mg_loc window_loc;
	struct mg_ast_score *scores;
	size_t nscores, scores_cap;
	struct mg_ast_threshold *thresholds;
	size_t nthresholds, thresholds_cap;
	struct mg_ast_exempt *exempt;
	size_t nexempt, exempt_cap;
	__u32 tree_id; /* checker */
	__u32 slot;    /* checker: which of the tree's behaviours */
};

struct mg_ast {
	char **files; /* every file read, owned here: every mg_loc points into it */
	size_t nfiles, files_cap;
	struct mg_ast_mode *modes;
	size_t nmodes, modes_cap;
	struct mg_ast_key *keys;
	size_t nkeys, keys_cap;
	struct mg_ast_paths allowlists;
	struct mg_loc *trust_packages; /* each `trust packages;` */
	size_t ntrust_packages, trust_packages_cap;
	struct mg_ast_paths trust_scan;
	struct mg_ast_records *records;
	size_t nrecords, records_cap;
	struct mg_ast_canary *canaries;
	size_t ncanaries, canaries_cap;
	struct mg_ast_program *programs;
	size_t nprograms, programs_cap;
	struct mg_ast_on *ons;
	size_t nons, ons_cap;
	struct mg_ast_behaviour *behaviours;
	size_t nbehaviours, behaviours_cap;
	struct mg_ast_paths missing; /* checker: paths absent on this machine */
};

/* Appends a copy of PATH; false when out of memory. */
bool mg_ast_paths_add(struct mg_ast_paths *paths, const char *path, const struct mg_loc *loc);

void mg_ast_free(struct mg_ast *ast);

#endif /* MEDGUARD_POLICY_AST_H */
