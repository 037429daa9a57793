/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The medguard_kfuncs module from userspace: is it there and answering,
 * its signing keys, and the exec-trust programs that let it vouch for
 * signed files in the core's trust map.
 */
#ifndef MEDGUARD_KFUNCS_PROBE_H
#define MEDGUARD_KFUNCS_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "medguard_kfuncs.h"
#include "policy/policy.h"
#include "trust/trust.h"

struct mg_kfuncs_cache_stats {
	__u64 entries;
	__u64 hits;   /* judged by a lookup */
	__u64 misses; /* judged by reading the file */
};

struct mg_kfuncs_report {
	bool usable; /* the module answered with the ABI this medguard speaks */
	__u32 abi_version;
	__u32 entropy_uniform;  /* of 256 distinct bytes: 8000 */
	__u32 entropy_constant; /* of 256 equal bytes: 0 */
	/* 0: the kernel takes the exec-trust programs; else -errno, the exec-trust path is userspace */
	int exec_trust_status;
	int nkeys; /* keys loaded into the module, or -errno */
	struct mg_kfuncs_cache_stats cache; /* when nkeys >= 0 */
};

bool mg_kfuncs_module_loaded(void);

/* 0 with REPORT filled, -ENOENT without the module, else -errno. */
int mg_kfuncs_probe(struct mg_kfuncs_report *report);

/*
 * Replaces the module's keys with the public keys of KEYRING, each under
 * its policy key id (mg_key.key_id, which must not be 0), all at once; the
 * module drops every verdict it cached. Returns 0, or -errno with one line
 * in ERR; the keys loaded before stay loaded then.
 */
int mg_kfuncs_load_keys(const struct mg_keyring *keyring, char *err, size_t err_size);

/* The same with the keys POLICY names. */
int mg_kfuncs_load_policy_keys(const struct mg_policy *policy, char *err, size_t err_size);

/* The loaded keys (0 .. MEDGUARD_MAX_KEYS), or -errno. */
int mg_kfuncs_loaded_keys(void);

/* 0 with STATS filled, or -errno. */
int mg_kfuncs_cache_stats(struct mg_kfuncs_cache_stats *stats);

struct mg_exec_trust;

/*
 * Loads and attaches the exec-trust programs, which write into the map
 * TRUST_MAP_FD: the core's mg_trust map (struct mg_trust_key ->
 * struct mg_trust). From then on every exec of a file signed by a loaded
 * key puts it there with source MG_TRUST_SIGNATURE before the core looks.
 * NULL on failure, said in one line on LOG.
 */
struct mg_exec_trust *mg_kfuncs_attach_exec_trust(int trust_map_fd, FILE *log);

/* Tells the exec-trust programs the SHA-256 of each launcher file (at most MG_MAX_LAUNCHERS). */
void mg_kfuncs_set_launchers(struct mg_exec_trust *exec_trust, const unsigned char (*sha256)[32], size_t n);

/* Detaches the programs; the entries they made stay in the map. NULL is fine. */
void mg_kfuncs_detach_exec_trust(struct mg_exec_trust *exec_trust);

#endif /* MEDGUARD_KFUNCS_PROBE_H */
