/* SPDX-License-Identifier: GPL-2.0-only */
/* How the parts of the module that judge files talk to each other. */
#ifndef MEDGUARD_KMOD_INTERNAL_H
#define MEDGUARD_KMOD_INTERNAL_H

#include <linux/fs.h>
#include <linux/time64.h>
#include <linux/types.h>

#include "medguard_kfuncs.h"

/* A file as it was when it was judged: what a cached verdict depends on. */
struct mg_file_state {
	u64 dev;
	u64 ino;
	struct timespec64 ctime;
	u64 iversion; /* 0 where the filesystem keeps none */
	const u8 *xattr; /* security.ima */
	u32 xattr_size;
};

/* ---- file_trust.c: the verdict on one file ---------------------------------- */

int mg_file_trust_init(void);
void mg_file_trust_exit(void);
int mg_file_trust(struct file *file, struct medguard_file_trust *result);

/* ---- keys.c: loaded keys and signature checks ------------------------------ */

extern const struct file_operations mg_keys_fops;

/* Whether any loaded key answers to KEYID: no key, nothing worth hashing. */
bool mg_keys_answer_to(u32 keyid);

/*
 * Checks SIG over DIGEST (made with HASH_ALGO, enum hash_algo) with every
 * loaded key that answers to KEYID. Returns MEDGUARD_SIG_VALID with the
 * key's id in *KEY_ID, MEDGUARD_SIG_UNKNOWN_KEY or MEDGUARD_SIG_BAD_SIGNATURE,
 * or -ENOMEM when it could not tell.
 */
int mg_keys_verify(u32 keyid, unsigned int hash_algo, const u8 *digest, unsigned int digest_size,
		   const u8 *sig, unsigned int sig_size, u32 *key_id);

void mg_keys_exit(void);

/* ---- cache.c: verdicts by inode -------------------------------------------- */

extern const struct file_operations mg_cache_fops;

/* Read before the keys are used; a verdict is cached only if no flush came in between. */
u64 mg_cache_epoch(void);
bool mg_cache_lookup(const struct mg_file_state *state, struct medguard_file_trust *verdict);
void mg_cache_insert(const struct mg_file_state *state, const struct medguard_file_trust *verdict,
		     u64 epoch);
/* Safe in any context: marks, never frees. */
void mg_cache_forget(u64 dev, u64 ino);
void mg_cache_flush(void);

#endif /* MEDGUARD_KMOD_INTERNAL_H */
