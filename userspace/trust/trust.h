/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The trust evaluator: decides whether an executable may run as trusted and
 * says so in the form of the kernel's trust map (struct mg_trust_key ->
 * struct mg_trust). Sources are tried strongest first: an IMA signature by a
 * trusted key, then the SHA-256 allowlists, then installed Debian packages
 * (each a source_*.c behind the table in source.h); the directories a policy
 * scans vouch for nothing themselves, they name files to verify.
 *
 * A verdict holds for one inode at one change time; the kernel drops it when
 * the inode changes. A file that changes while it is read is not trusted.
 */
#ifndef MEDGUARD_TRUST_H
#define MEDGUARD_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <linux/types.h>
#include <openssl/evp.h>

#include "medguard.h"
/*
 * IMA signatures and the keys that verify them (keyring.h, which it
 * includes), for signing, signed stop requests and the module's checks:
 * other folders reach them only through this header. imasig.h stays whole
 * while its header parse moves to a header shared with the kernel side.
 */
#include "imasig.h"


#define MG_SHA256_BYTES 32
#define MG_MD5_BYTES 16

struct mg_trust_ctx;
struct mg_digest_cache;

/* A public key that may sign executables: PEM or DER, as evmctl uses. */
struct mg_trust_source_key {
	const char *name;
	const char *path;
	__u32 key_id; /* 1-based, as the policy numbers its keys */
};

/*
 * What vouches for executables: the trust store's own view of its sources,
 * filled from a policy by the daemon or from options by `medguard trust check`.
 */
struct mg_trust_sources {
	const struct mg_trust_source_key *keys;
	size_t nkeys;
	const char *const *allowlists; /* SHA-256 allowlist files */
	size_t nallowlists;
	bool trust_packages; /* trust files of installed Debian packages */
	/*
	 * The files the policy's `launcher` declarations name: a file with the
	 * same content, wherever it lies, is a launcher (MG_TRUST_LAUNCHER).
	 */
	const char *const *launchers;
	size_t nlaunchers;
	/* Directories whose executables are verified at load, and watched (`trust scan`). */
	const char *const *scan_dirs;
	size_t nscan_dirs;
};

/*
 * Loads SOURCES' keys, allowlists and, with trust_packages, dpkg's
 * database. Each key or allowlist that cannot be used is one line on DIAG
 * (may be NULL); then it returns NULL.
 */
struct mg_trust_ctx *mg_trust_ctx_new(const struct mg_trust_sources *sources, FILE *diag);
/* The same with dpkg's database in DPKG_ADMINDIR instead of MG_DPKG_ADMINDIR. */
struct mg_trust_ctx *mg_trust_ctx_new_at(const struct mg_trust_sources *sources, const char *dpkg_admindir,
					 FILE *diag);
void mg_trust_ctx_free(struct mg_trust_ctx *ctx);

/*
 * Digests are taken from CACHE (the caller's, kept alive while CTX is used)
 * when it has them for the very version of a file, and put there when hashed.
 */
void mg_trust_ctx_use_cache(struct mg_trust_ctx *ctx, struct mg_digest_cache *cache);

/* The keys the sources named. */
const struct mg_keyring *mg_trust_ctx_keyring(const struct mg_trust_ctx *ctx);
/* The SHA-256 of each launcher file the sources named; how many. */
size_t mg_trust_ctx_launchers(const struct mg_trust_ctx *ctx, const unsigned char (**sha256)[32]);

/*
 * How the files the sources name reach whoever tells the kernel (the
 * daemon), so that their verdicts are there before the first exec.
 */
struct mg_trust_feed {
	/* A file named by path: verify it, and watch its directory for changes. */
	void (*named)(const char *path, void *arg);
	/* A file a database lists: verify it unless the kernel trusts it as it is; true when verified. */
	bool (*installed)(const char *path, const struct stat *st, void *arg);
	/* A directory whose changes change what a source vouches for. */
	void (*watch)(const char *dir, void *arg);
	/* One line on how far a long feed has got. */
	void (*progress)(const char *line, void *arg);
	void *arg;
	FILE *diag; /* what a source cannot read while it lists its files */
};

/* Hands FEED every file CTX's sources name, source by source, strongest first. */
void mg_trust_feed_all(const struct mg_trust_ctx *ctx, const struct mg_trust_feed *feed);
/*
 * Whether PATH is a database a source of CTX was loaded from (dpkg's status):
 * when it changes, a new context is loaded and fed with mg_trust_feed_databases.
 */
bool mg_trust_is_database(const struct mg_trust_ctx *ctx, const char *path);
/* Hands FEED the files of the sources loaded from a database, and only those. */
void mg_trust_feed_databases(const struct mg_trust_ctx *ctx, const struct mg_trust_feed *feed);
/*
 * Whether a source of CTX vouches for what only the daemon can tell the
 * kernel: the libraries programs mapped before it started need its verdicts.
 */
bool mg_trust_covers_mapped_libraries(const struct mg_trust_ctx *ctx);

/*
 * Evaluates the regular file at PATH. Fills KEY and TRUST (source, key_id
 * of the policy key that signed it, change time) and returns the source:
 * MG_TRUST_NONE when nothing vouches for it. Returns -errno when PATH cannot
 * be examined (-EINVAL: not a regular file); KEY and TRUST then mean nothing.
 */
int mg_trust_evaluate(const struct mg_trust_ctx *ctx, const char *path,
		      struct mg_trust_key *key, struct mg_trust *trust);
/* The same, and one line in WHY saying what vouched for it or why nothing did. */
int mg_trust_explain(const struct mg_trust_ctx *ctx, const char *path,
		     struct mg_trust_key *key, struct mg_trust *trust, char *why, size_t why_size);

/* What the signature check of one file found, for `medguard verify`. */
struct mg_signature_check {
	enum mg_imasig_status status;
	__u32 keyid;                 /* from the header, when it parsed */
	const struct mg_key *signer; /* the key that verified it */
};

/* Returns 0 with CHECK filled, or -errno (-ESTALE: it changed while read). */
int mg_trust_check_signature(const struct mg_keyring *keyring, const char *path,
			     struct mg_signature_check *check);

/*
 * Opens PATH for reading without following it onto anything but a regular
 * file and without touching its access time. Returns the fd with *ST as it
 * was opened, or -errno (-EINVAL: not a regular file).
 */
int mg_trust_open(const char *path, struct stat *st);

/*
 * Hashes all of FD with each of MDS in one pass. Returns 0, or -ESTALE when
 * the file is no longer as OPENED describes it, or another -errno.
 */
int mg_trust_hash_fd(int fd, const struct stat *opened, const EVP_MD *const mds[], size_t nmds,
		     unsigned char digests[][EVP_MAX_MD_SIZE]);

/* The absolute path FD was opened by, with symlinks resolved; 0 or -errno. */
int mg_trust_fd_path(int fd, char *path, size_t size);

/*
 * Calls FN for each regular file with an execute bit under DIR, at most
 * MAX_DEPTH directories down. Symlinks are never followed, so the walk stays
 * in the tree. Unreadable parts are one line each on DIAG (may be NULL) and
 * skipped. Returns 0, the first non-zero value FN returned (which stops the
 * walk), or -errno when DIR itself cannot be walked.
 */
typedef int (*mg_trust_scan_fn)(const char *path, const struct stat *st, void *arg);
int mg_trust_scan(const char *dir, unsigned int max_depth, mg_trust_scan_fn fn, void *arg, FILE *diag);

/*
 * The digest cache (cache.c): what hashing found, kept across starts in
 * MG_DIGEST_CACHE_FILE. It holds digests, never verdicts.
 */
#define MG_DIGEST_CACHE_FILE "/var/lib/medguard/digests"

struct mg_digest_cache *mg_digest_cache_new(void);
void mg_digest_cache_free(struct mg_digest_cache *cache);
/*
 * Adds the entries of PATH. Returns how many it read, or -errno (-ENOENT:
 * no cache yet; -EPERM: the file is not root's alone, and was not read).
 */
long mg_digest_cache_load(struct mg_digest_cache *cache, const char *path);
/* Writes every entry to PATH atomically (a new file renamed over it); 0 or -errno. */
int mg_digest_cache_save(const struct mg_digest_cache *cache, const char *path);
size_t mg_digest_cache_count(const struct mg_digest_cache *cache);

/*
 * dpkg's database (dpkg.c): the files of installed Debian packages and the
 * MD5 dpkg recorded for each, read from the status file, info/PACKAGE.md5sums
 * and diversions under dpkg's --admindir.
 */
#define MG_DPKG_ADMINDIR "/var/lib/dpkg"

struct mg_dpkg_file {
	const char *path;    /* absolute, where the package put it */
	const char *package; /* name, with :ARCH for Multi-Arch: same packages */
	unsigned char md5[MG_MD5_BYTES];
};

struct mg_dpkg;

/*
 * Reads the database under ADMINDIR (MG_DPKG_ADMINDIR normally). Returns
 * NULL with one line in ERR if the status file cannot be read; broken
 * md5sums lines only leave their files out (see mg_dpkg_problems).
 */
struct mg_dpkg *mg_dpkg_load(const char *admindir, char *err, size_t err_size);
void mg_dpkg_free(struct mg_dpkg *dpkg);

size_t mg_dpkg_package_count(const struct mg_dpkg *dpkg);
size_t mg_dpkg_file_count(const struct mg_dpkg *dpkg);
/* Files sorted by path; the same path may come from more than one package. */
const struct mg_dpkg_file *mg_dpkg_file_at(const struct mg_dpkg *dpkg, size_t index);

/* How many md5sums lines or files were left out, and a line about the first. */
size_t mg_dpkg_problems(const struct mg_dpkg *dpkg);
const char *mg_dpkg_first_problem(const struct mg_dpkg *dpkg);

/*
 * Watching (watch.c): the directories trusted executables live in, so that
 * a file signed, replaced or moved in while the daemon runs is verified at
 * once, not at the next reload: the kernel never waits, so trust must be
 * there before the first exec.
 */
struct mg_trust_watch;

struct mg_trust_watch *mg_trust_watch_new(void);
void mg_trust_watch_free(struct mg_trust_watch *watch);
/* Watches DIR (not below it); a directory already watched is not added twice. 0 or -errno. */
int mg_trust_watch_add_dir(struct mg_trust_watch *watch, const char *dir);
/* Readable when something changed. */
int mg_trust_watch_fd(const struct mg_trust_watch *watch);
/* Calls CHANGED for each file whose content, attributes or name changed since the last call. */
void mg_trust_watch_drain(struct mg_trust_watch *watch, void (*changed)(const char *path, void *arg), void *arg);

#endif /* MEDGUARD_TRUST_H */
