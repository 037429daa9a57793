/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The digest cache: what hashing a file found, kept on disk so that a
 * restart does not hash every packaged file again. An entry is keyed by
 * everything that changes when the file does (device, inode, inode
 * generation, change time, size), so a changed or replaced file never
 * matches one. It holds digests, never verdicts: the trust sources judge
 * the digests afresh each time, with the policy of the moment.
 *
 * The file is text, one entry a line:
 *
 *	medguard-digests 1
 *	DEV INO GENERATION CTIME_SEC CTIME_NSEC SIZE ALGORITHM HEX
 *
 * A line that does not parse is left out; a file that is not root's alone
 * (owner, mode) is not read at all.
 */
#ifndef MEDGUARD_TRUST_CACHE_H
#define MEDGUARD_TRUST_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <linux/types.h>

#include "trust.h"


/* What identifies one version of one file. */
struct mg_file_identity {
	__u64 dev;
	__u64 ino;
	__u64 generation; /* FS_IOC_GETVERSION where the filesystem has it, else 0 */
	__s64 ctime_sec;
	__u64 ctime_nsec;
	__u64 size;
};

/* The identity of the open file FD, of which ST is the fstat. */
void mg_file_identity_of(int fd, const struct stat *st, struct mg_file_identity *identity);

/* The digest of algorithm NID (an OpenSSL NID) for IDENTITY: its length, or 0. */
unsigned int mg_digest_cache_get(const struct mg_digest_cache *cache, const struct mg_file_identity *identity,
				 int nid, unsigned char digest[MG_DIGEST_MAX_BYTES]);
/* Remembers a digest; 0, or -ENOSPC past MG_DIGEST_CACHE_MAX_ENTRIES, -ENOMEM, -EINVAL. */
int mg_digest_cache_put(struct mg_digest_cache *cache, const struct mg_file_identity *identity, int nid,
			const unsigned char *digest, unsigned int len);

/* Lookups answered and not answered since the cache was made. */
size_t mg_digest_cache_hits(const struct mg_digest_cache *cache);
size_t mg_digest_cache_misses(const struct mg_digest_cache *cache);

#endif /* MEDGUARD_TRUST_CACHE_H */
