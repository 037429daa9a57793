/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A trust source: one way of knowing that a file may run as trusted (an IMA
 * signature by a policy key, an allowlist, an installed package) or of
 * naming files to verify (the directories a policy scans). Each is one
 * source_*.c behind struct mg_trust_source_ops; trust.c and the daemon's feed
 * only ever loop over mg_trust_backends.
 *
 * Judging one file takes three steps, so that the file is read once for all
 * sources: each source looks at it and says which digest it needs, every
 * digest asked for is taken in one pass, and then the sources verify, the
 * strongest first, until one vouches.
 */
#ifndef MEDGUARD_TRUST_SOURCE_H
#define MEDGUARD_TRUST_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <openssl/evp.h>

#include "trust.h"

/* What a source is loaded from: the policy's sources, and where dpkg keeps its database. */
struct mg_trust_load {
	const struct mg_trust_sources *sources;
	const char *dpkg_admindir;
};

/* The file being judged, as every source sees it. */
struct mg_trust_file {
	int fd;
	const struct stat *st;
	const char *const *names; /* as asked for, canonical, and its pre-usrmerge name */
	size_t nnames;
};

/*
 * What one source keeps of one file from looking at it to judging it: the
 * digest it asked for and, in KEPT, whatever else it read. KEPT holds any
 * source's own struct, as sockaddr_storage holds any address, so that
 * judging a file allocates nothing; each source asserts that its own fits
 * (the signature source's, a whole security.ima value, is the largest).
 */
struct mg_trust_look {
	const EVP_MD *md;            /* NULL: the source has no say about this file */
	const unsigned char *digest; /* of md, once taken */
	union {
		max_align_t align;
		unsigned char bytes[MG_TRUST_LOOK_KEPT_BYTES];
	} kept;
};

struct mg_trust_source_ops {
	const char *name; /* as reports and tests name the source */
	/*
	 * Its verdicts reach the kernel only through the daemon: the libraries
	 * running programs mapped before the daemon started are verified for it.
	 */
	bool feeds_mapped_libraries;
	/*
	 * Loads what FROM names for this source into *STATE (NULL when it names
	 * nothing). Returns 0, or -1 after one line on DIAG (may be NULL) for each
	 * thing it cannot use. The ops below are called only with a loaded
	 * state, except explain, which says what a source not loaded means.
	 */
	int (*load)(const struct mg_trust_load *from, void **state, FILE *diag);
	void (*close)(void *state);
	/*
	 * Sources that vouch: fills LOOK with the digest it needs to judge FILE
	 * (md NULL: it cannot vouch for it) and what it read to get there.
	 */
	void (*look)(const void *state, const struct mg_trust_file *file, struct mg_trust_look *look);
	/*
	 * Called with LOOK->digest taken: whether it vouches for FILE. When it
	 * does, it fills TRUST and says in WHY what vouched.
	 */
	bool (*verify)(const struct mg_trust_ctx *ctx, const void *state, const struct mg_trust_file *file,
		       struct mg_trust_look *look, struct mg_trust *trust, char *why, size_t why_size);
	/* Why it did not vouch, as one clause of the line that says why nothing did. */
	void (*explain)(const void *state, const struct mg_trust_look *look, char *clause, size_t size);
	/*
	 * Sources that name files: hands FEED each of them, so that their
	 * verdicts are in the kernel before the first exec.
	 */
	void (*for_each)(const struct mg_trust_ctx *ctx, const void *state, const struct mg_trust_feed *feed);
	/*
	 * The file this source was loaded from, when it changes under the daemon
	 * (dpkg's status); NULL for one that only a reload changes.
	 */
	const char *(*database)(const void *state);
};

extern const struct mg_trust_source_ops mg_trust_signature_source;
extern const struct mg_trust_source_ops mg_trust_allowlist_source;
extern const struct mg_trust_source_ops mg_trust_packages_source;
extern const struct mg_trust_source_ops mg_trust_scan_source;

/* Every source, strongest first: the first that vouches for a file is the one the kernel is told. */
extern const struct mg_trust_source_ops *const mg_trust_backends[];
extern const size_t mg_trust_nbackends;

/* What SOURCE loaded into CTX, NULL when the policy named nothing for it. */
const void *mg_trust_ctx_state(const struct mg_trust_ctx *ctx, const struct mg_trust_source_ops *source);
/* The caller's digest cache, or NULL. */
struct mg_digest_cache *mg_trust_ctx_cache(const struct mg_trust_ctx *ctx);
/* Whether SHA256 is the content of a launcher the policy declares. */
bool mg_trust_is_launcher(const struct mg_trust_ctx *ctx, const unsigned char *sha256);

/* One line on DIAG, when there is one. */
void mg_trust_diag(FILE *diag, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* MEDGUARD_TRUST_SOURCE_H */
