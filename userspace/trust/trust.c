// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <openssl/err.h>

#include "allowlist.h"
#include "dpkg.h"
#include "lib/lib.h"
#include "trust.h"

#define HASH_CHUNK_BYTES (256 * 1024)

struct mg_trust_ctx {
	struct mg_keyring *keyring;
	struct mg_allowlist *allowlist;
	struct mg_dpkg *dpkg; /* NULL without trust_packages */
	struct mg_digest_cache *cache; /* the caller's, or NULL */
	unsigned char launcher_sha256[MG_MAX_LAUNCHERS][32];
	size_t nlaunchers;
};

size_t mg_trust_ctx_launchers(const struct mg_trust_ctx *ctx, const unsigned char (**sha256)[32])
{
	*sha256 = (const unsigned char (*)[32])ctx->launcher_sha256;
	return ctx->nlaunchers;
}

void mg_trust_ctx_use_cache(struct mg_trust_ctx *ctx, struct mg_digest_cache *cache)
{
	ctx->cache = cache;
}

const struct mg_dpkg *mg_trust_ctx_packages(const struct mg_trust_ctx *ctx)
{
	return ctx->dpkg;
}

/* The digests of FD, from the cache when it has every one, else hashed (and remembered). */
static int digests_of(const struct mg_trust_ctx *ctx, int fd, const struct stat *st, const EVP_MD *const mds[],
		      size_t nmds, unsigned char digests[][EVP_MAX_MD_SIZE])
{
	struct mg_file_identity identity;
	size_t i;
	int ret;

	if (ctx->cache) {
		mg_file_identity_of(fd, st, &identity);
		for (i = 0; i < nmds; i++)
			if (mg_digest_cache_get(ctx->cache, &identity, EVP_MD_get_type(mds[i]), digests[i]) !=
			    (unsigned int)EVP_MD_get_size(mds[i]))
				break;
		if (i == nmds)
			return 0;
	}
	ret = mg_trust_hash_fd(fd, st, mds, nmds, digests);
	if (ret || !ctx->cache)
		return ret;
	for (i = 0; i < nmds; i++)
		mg_digest_cache_put(ctx->cache, &identity, EVP_MD_get_type(mds[i]), digests[i],
				    (unsigned int)EVP_MD_get_size(mds[i]));
	return 0;
}

const struct mg_allowlist *mg_trust_ctx_allowlist(const struct mg_trust_ctx *ctx)
{
	return ctx->allowlist;
}

const struct mg_keyring *mg_trust_ctx_keyring(const struct mg_trust_ctx *ctx)
{
	return ctx->keyring;
}

__attribute__((format(printf, 2, 3)))
static void diag_line(FILE *diag, const char *fmt, ...)
{
	va_list ap;

	if (!diag)
		return;
	va_start(ap, fmt);
	vfprintf(diag, fmt, ap);
	va_end(ap);
	fputc('\n', diag);
}

void mg_trust_ctx_free(struct mg_trust_ctx *ctx)
{
	if (!ctx)
		return;
	mg_keyring_free(ctx->keyring);
	mg_allowlist_free(ctx->allowlist);
	mg_dpkg_free(ctx->dpkg);
	free(ctx);
}

/* Adds the SHA-256 of the launcher at PATH to CTX; 0, or -1 after saying why. */
static int launcher_digest(struct mg_trust_ctx *ctx, const char *path, FILE *diag)
{
	const EVP_MD *sha256[] = { EVP_sha256() };
	unsigned char digest[1][EVP_MAX_MD_SIZE];
	struct stat st;
	int fd, ret;

	if (ctx->nlaunchers == MG_MAX_LAUNCHERS) {
		diag_line(diag, "medguard: more than %d launcher files; name fewer launchers", MG_MAX_LAUNCHERS);
		return -1;
	}
	fd = mg_trust_open(path, &st);
	if (fd < 0) {
		diag_line(diag, "medguard: cannot read launcher %s: %s; install it or remove its declaration", path,
			  fd == -EINVAL ? "not a regular file" : strerror(-fd));
		return -1;
	}
	ret = mg_trust_hash_fd(fd, &st, sha256, 1, digest);
	close(fd);
	if (ret) {
		diag_line(diag, "medguard: cannot read launcher %s: %s", path, strerror(-ret));
		return -1;
	}
	memcpy(ctx->launcher_sha256[ctx->nlaunchers++], digest[0], 32);
	return 0;
}

/* Whether SHA256 is the content of a launcher CTX knows. */
static bool is_launcher_content(const struct mg_trust_ctx *ctx, const unsigned char *sha256)
{
	for (size_t i = 0; i < ctx->nlaunchers; i++)
		if (!memcmp(ctx->launcher_sha256[i], sha256, 32))
			return true;
	return false;
}

struct mg_trust_ctx *mg_trust_ctx_new_at(const struct mg_trust_sources *sources, const char *dpkg_admindir,
					 FILE *diag)
{
	struct mg_trust_ctx *ctx = calloc(1, sizeof(*ctx));
	char err[1024];
	bool failed = false;

	if (!ctx || !(ctx->keyring = mg_keyring_new()) || !(ctx->allowlist = mg_allowlist_new())) {
		diag_line(diag, "medguard: cannot load trust sources: out of memory");
		failed = true;
		goto cleanup;
	}
	for (size_t i = 0; i < sources->nkeys; i++) {
		const struct mg_trust_source_key *key = &sources->keys[i];

		if (mg_keyring_add_file(ctx->keyring, key->path, key->name, key->key_id, err, sizeof(err))) {
			diag_line(diag, "medguard: %s", err);
			failed = true;
		}
	}
	for (size_t i = 0; i < sources->nallowlists; i++) {
		if (mg_allowlist_load(ctx->allowlist, sources->allowlists[i], err, sizeof(err))) {
			diag_line(diag, "%s", err);
			failed = true;
		}
	}
	for (size_t i = 0; i < sources->nlaunchers && !failed; i++) {
		if (launcher_digest(ctx, sources->launchers[i], diag))
			failed = true;
	}
	if (sources->trust_packages) {
		ctx->dpkg = mg_dpkg_load(dpkg_admindir, err, sizeof(err));
		if (!ctx->dpkg) {
			diag_line(diag, "medguard: %s", err);
			failed = true;
		} else if (mg_dpkg_problems(ctx->dpkg)) {
			diag_line(diag, "medguard: warning: %zu problems in dpkg's database leave files untrusted; the first: %s",
				  mg_dpkg_problems(ctx->dpkg), mg_dpkg_first_problem(ctx->dpkg));
		}
	}
cleanup:
	if (failed) {
		mg_trust_ctx_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

struct mg_trust_ctx *mg_trust_ctx_new(const struct mg_trust_sources *sources, FILE *diag)
{
	return mg_trust_ctx_new_at(sources, MG_DPKG_ADMINDIR, diag);
}

int mg_trust_open(const char *path, struct stat *st)
{
	struct stat named;
	int fd = -1;
	int ret;

	/* Opening a device or FIFO could block or have side effects: look first. */
	if (stat(path, &named)) {
		ret = -errno;
		goto cleanup;
	}
	if (!S_ISREG(named.st_mode)) {
		ret = -EINVAL;
		goto cleanup;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, st)) {
		ret = -errno;
		goto cleanup;
	}
	if (!S_ISREG(st->st_mode)) {
		ret = -EINVAL;
		goto cleanup;
	}
	if (st->st_dev != named.st_dev || st->st_ino != named.st_ino) {
		ret = -ESTALE;
		goto cleanup;
	}
	ret = fd;
	fd = -1;
cleanup:
	if (fd >= 0)
		close(fd);
	return ret;
}

static bool same_version(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mode == b->st_mode &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

int mg_trust_hash_fd(int fd, const struct stat *opened, const EVP_MD *const mds[], size_t nmds,
		     unsigned char digests[][EVP_MAX_MD_SIZE])
{
	EVP_MD_CTX *contexts[MG_TRUST_MAX_DIGESTS] = { NULL };
	unsigned char *chunk = NULL;
	struct stat after;
	off_t offset = 0;
	int ret = -ENOMEM;

	if (nmds > MG_TRUST_MAX_DIGESTS)
		return -EINVAL;
	chunk = malloc(HASH_CHUNK_BYTES);
	if (!chunk)
		goto cleanup;
	for (size_t i = 0; i < nmds; i++) {
		contexts[i] = EVP_MD_CTX_new();
		if (!contexts[i] || !EVP_DigestInit_ex(contexts[i], mds[i], NULL))
			goto cleanup;
	}
	for (;;) {
		ssize_t n = pread(fd, chunk, HASH_CHUNK_BYTES, offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto cleanup;
		}
		if (n == 0)
			break;
		for (size_t i = 0; i < nmds; i++)
			if (!EVP_DigestUpdate(contexts[i], chunk, n))
				goto cleanup;
		offset += n;
	}
	for (size_t i = 0; i < nmds; i++)
		if (!EVP_DigestFinal_ex(contexts[i], digests[i], NULL))
			goto cleanup;
	if (fstat(fd, &after)) {
		ret = -errno;
		goto cleanup;
	}
	ret = same_version(opened, &after) && offset == opened->st_size ? 0 : -ESTALE;
cleanup:
	for (size_t i = 0; i < nmds; i++)
		EVP_MD_CTX_free(contexts[i]);
	free(chunk);
	ERR_clear_error();
	return ret;
}

int mg_trust_fd_path(int fd, char *path, size_t size)
{
	char link[64];
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, path, size);
	if (len < 0)
		return -errno;
	if ((size_t)len >= size)
		return -ENAMETOOLONG;
	path[len] = '\0';
	/* An unlinked file reads "/x (deleted)": no name to trust it by. */
	if (path[0] != '/' || access(path, F_OK) != 0)
		return -ENOENT;
	return 0;
}

static enum mg_imasig_status read_signature(int fd, unsigned char xattr[MG_IMASIG_MAX_XATTR_BYTES + 1],
					    struct mg_imasig *sig)
{
	ssize_t size = fgetxattr(fd, MG_IMA_XATTR_NAME, xattr, MG_IMASIG_MAX_XATTR_BYTES + 1);

	if (size < 0)
		return errno == ERANGE ? MG_IMASIG_OVERSIZED : MG_IMASIG_ABSENT;
	return mg_imasig_parse(xattr, size, sig);
}

int mg_trust_check_signature(const struct mg_keyring *keyring, const char *path,
			     struct mg_signature_check *check)
{
	unsigned char xattr[MG_IMASIG_MAX_XATTR_BYTES + 1];
	unsigned char digest[1][EVP_MAX_MD_SIZE];
	const EVP_MD *md[1];
	struct mg_imasig sig;
	struct stat st;
	int fd, ret = 0;

	memset(check, 0, sizeof(*check));
	fd = mg_trust_open(path, &st);
	if (fd < 0)
		return fd;
	check->status = read_signature(fd, xattr, &sig);
	if (check->status != MG_IMASIG_VALID)
		goto cleanup;
	check->keyid = sig.keyid;
	if (!mg_keyring_next_match(keyring, sig.keyid, NULL)) {
		check->status = MG_IMASIG_UNKNOWN_KEY;
		goto cleanup;
	}
	md[0] = mg_ima_hash_md(sig.hash_algo);
	ret = mg_trust_hash_fd(fd, &st, md, 1, digest);
	if (ret)
		goto cleanup;
	check->status = mg_imasig_verify(keyring, &sig, digest[0], EVP_MD_get_size(md[0]), &check->signer);
cleanup:
	close(fd);
	return ret;
}

/*
 * On a merged-/usr system dpkg's records still say /bin/x for what is
 * /usr/bin/x; the kernel knows only the inode. Also try the pre-merge name.
 */
static bool usrmerge_alias(const char *canonical, char *alias, size_t size)
{
	static const char *const merged[] = { "bin", "sbin", "lib", "lib32", "lib64", "libx32" };

	if (strncmp(canonical, "/usr/", 5) != 0)
		return false;
	for (size_t i = 0; i < sizeof(merged) / sizeof(merged[0]); i++) {
		size_t len = strlen(merged[i]);
		char link_path[16], target[32];
		const char *relative;
		ssize_t target_len;

		if (strncmp(canonical + 5, merged[i], len) != 0 || canonical[5 + len] != '/')
			continue;
		snprintf(link_path, sizeof(link_path), "/%s", merged[i]);
		target_len = readlink(link_path, target, sizeof(target) - 1);
		if (target_len < 0)
			return false;
		target[target_len] = '\0';
		relative = target[0] == '/' ? target + 1 : target;
		if (strncmp(relative, "usr/", 4) != 0 || strcmp(relative + 4, merged[i]) != 0)
			return false;
		return snprintf(alias, size, "%s", canonical + 4) < (int)size;
	}
	return false;
}

/* The text of a status up to its advice, for a compact explanation. */
static int status_summary(enum mg_imasig_status status)
{
	const char *text = mg_imasig_strerror(status);

	return (int)strcspn(text, ";");
}

__attribute__((format(printf, 3, 4)))
static void explain(char *why, size_t why_size, const char *fmt, ...)
{
	va_list ap;

	if (!why || !why_size)
		return;
	va_start(ap, fmt);
	vsnprintf(why, why_size, fmt, ap);
	va_end(ap);
}

/* Why nothing vouched for a file, source by source; SHA256 is NULL without allowlists. */
static void describe_untrusted(const struct mg_trust_ctx *ctx, enum mg_imasig_status sig_status,
			       const unsigned char *sha256, enum mg_dpkg_verdict package_verdict,
			       const char *package, char *why, size_t why_size)
{
	char allowlist_part[128] = "no allowlists", package_part[256];

	if (sha256) {
		int used = snprintf(allowlist_part, sizeof(allowlist_part), "SHA-256 ");

		for (size_t i = 0; i < MG_SHA256_BYTES; i++)
			used += snprintf(allowlist_part + used, sizeof(allowlist_part) - used, "%02x", sha256[i]);
		snprintf(allowlist_part + used, sizeof(allowlist_part) - used, " is in no allowlist");
	}
	if (!ctx->dpkg)
		snprintf(package_part, sizeof(package_part), "package trust is off");
	else if (package_verdict == MG_DPKG_MISMATCH)
		snprintf(package_part, sizeof(package_part), "content differs from what package %s installed",
			 package);
	else
		snprintf(package_part, sizeof(package_part), "no installed package has it");
	explain(why, why_size, "not trusted: %.*s; %s; %s", status_summary(sig_status),
		mg_imasig_strerror(sig_status), allowlist_part, package_part);
}

int mg_trust_explain(const struct mg_trust_ctx *ctx, const char *path,
		     struct mg_trust_key *key, struct mg_trust *trust, char *why, size_t why_size)
{
	unsigned char xattr[MG_IMASIG_MAX_XATTR_BYTES + 1];
	unsigned char digests[MG_TRUST_MAX_DIGESTS][EVP_MAX_MD_SIZE];
	const EVP_MD *mds[MG_TRUST_MAX_DIGESTS];
	char canonical[PATH_MAX], alias[PATH_MAX];
	const char *names[3];
	const char *package = NULL;
	const struct mg_key *signer = NULL;
	enum mg_imasig_status sig_status;
	enum mg_dpkg_verdict package_verdict = MG_DPKG_NOT_PACKAGED;
	struct mg_imasig sig;
	struct stat st;
	size_t nmds = 0, nnames = 0;
	int sig_slot = -1, sha256_slot = -1, md5_slot = -1;
	int fd, ret;

	fd = mg_trust_open(path, &st);
	if (fd < 0) {
		explain(why, why_size, "cannot examine %s: %s", path,
			fd == -EINVAL ? "not a regular file" : strerror(-fd));
		return fd;
	}
	memset(key, 0, sizeof(*key));
	memset(trust, 0, sizeof(*trust));
	key->dev = mg_superblock_dev(fd, "", AT_EMPTY_PATH, &st);
	key->ino = st.st_ino;
	trust->ctime_sec = st.st_ctim.tv_sec;
	trust->ctime_nsec = st.st_ctim.tv_nsec;
	trust->source = MG_TRUST_NONE;

	if (path[0] == '/')
		names[nnames++] = path;
	if (mg_trust_fd_path(fd, canonical, sizeof(canonical)) == 0) {
		names[nnames++] = canonical;
		if (usrmerge_alias(canonical, alias, sizeof(alias)))
			names[nnames++] = alias;
	}

	sig_status = read_signature(fd, xattr, &sig);
	if (sig_status == MG_IMASIG_VALID && !mg_keyring_next_match(ctx->keyring, sig.keyid, NULL))
		sig_status = MG_IMASIG_UNKNOWN_KEY;
	if (sig_status == MG_IMASIG_VALID) {
		sig_slot = nmds;
		mds[nmds++] = mg_ima_hash_md(sig.hash_algo);
	}
	if (mg_allowlist_count(ctx->allowlist)) {
		if (sig_slot >= 0 && sig.hash_algo == MG_IMA_HASH_SHA256) {
			sha256_slot = sig_slot;
		} else {
			sha256_slot = nmds;
			mds[nmds++] = EVP_sha256();
		}
	}
	if (ctx->dpkg && mg_dpkg_owns(ctx->dpkg, names, nnames)) {
		md5_slot = nmds;
		mds[nmds++] = EVP_md5();
	}

	if (nmds) {
		ret = digests_of(ctx, fd, &st, mds, nmds, digests);
		if (ret == -ESTALE) {
			explain(why, why_size, "it changed while it was verified; evaluate it again once nothing writes it");
			ret = MG_TRUST_NONE;
			goto cleanup;
		}
		if (ret) {
			explain(why, why_size, "cannot read %s: %s", path, strerror(-ret));
			goto cleanup;
		}
	}
	if (sig_slot >= 0) {
		sig_status = mg_imasig_verify(ctx->keyring, &sig, digests[sig_slot],
					      EVP_MD_get_size(mds[sig_slot]), &signer);
		if (sig_status == MG_IMASIG_VALID) {
			trust->source = MG_TRUST_SIGNATURE;
			trust->key_id = signer->key_id;
			if (sig.hash_algo == MG_IMA_HASH_SHA256 && is_launcher_content(ctx, digests[sig_slot]))
				trust->flags |= MG_TRUST_LAUNCHER;
			explain(why, why_size, "signed by key %s (keyid %08x)", signer->name, sig.keyid);
			ret = MG_TRUST_SIGNATURE;
			goto cleanup;
		}
	}
	if (sha256_slot >= 0 && mg_allowlist_match(ctx->allowlist, digests[sha256_slot], names, nnames)) {
		trust->source = MG_TRUST_ALLOWLIST;
		explain(why, why_size, "its SHA-256 is in an allowlist");
		ret = MG_TRUST_ALLOWLIST;
		goto cleanup;
	}
	if (md5_slot >= 0) {
		package_verdict = mg_dpkg_check(ctx->dpkg, names, nnames, digests[md5_slot], &package);
		if (package_verdict == MG_DPKG_MATCH) {
			trust->source = MG_TRUST_PACKAGE;
			explain(why, why_size, "installed by package %s", package);
			ret = MG_TRUST_PACKAGE;
			goto cleanup;
		}
	}

	describe_untrusted(ctx, sig_status, sha256_slot >= 0 ? digests[sha256_slot] : NULL, package_verdict,
			   package, why, why_size);
	ret = MG_TRUST_NONE;
cleanup:
	close(fd);
	return ret;
}

int mg_trust_evaluate(const struct mg_trust_ctx *ctx, const char *path,
		      struct mg_trust_key *key, struct mg_trust *trust)
{
	return mg_trust_explain(ctx, path, key, trust, NULL, 0);
}

struct scan {
	mg_trust_scan_fn fn;
	void *arg;
	FILE *diag;
	unsigned int max_depth;
	char path[PATH_MAX];
};

static int scan_directory(struct scan *scan, int dir_fd, size_t path_len, unsigned int depth)
{
	struct dirent *entry;
	DIR *dir;
	int ret = 0;

	dir = fdopendir(dir_fd);
	if (!dir) {
		diag_line(scan->diag, "medguard: trust scan: cannot read %s: %s; its executables are not trusted",
			  scan->path, strerror(errno));
		close(dir_fd);
		return 0;
	}
	while (!ret && (errno = 0, entry = readdir(dir))) {
		struct stat st;
		int written, child_fd;

		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		written = snprintf(scan->path + path_len, sizeof(scan->path) - path_len, "%s%s",
				   scan->path[path_len - 1] == '/' ? "" : "/", entry->d_name);
		if (written < 0 || (size_t)written >= sizeof(scan->path) - path_len) {
			scan->path[path_len] = '\0';
			diag_line(scan->diag, "medguard: trust scan: a name in %s is too long; it is not trusted",
				  scan->path);
			continue;
		}
		if (fstatat(dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			diag_line(scan->diag, "medguard: trust scan: cannot examine %s: %s; it is not trusted",
				  scan->path, strerror(errno));
		} else if (S_ISREG(st.st_mode) && (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
			ret = scan->fn(scan->path, &st, scan->arg);
		} else if (S_ISDIR(st.st_mode) && depth >= scan->max_depth) {
			diag_line(scan->diag, "medguard: trust scan: %s is more than %u directories deep; its executables are not trusted",
				  scan->path, scan->max_depth);
		} else if (S_ISDIR(st.st_mode)) {
			struct stat opened;

			child_fd = openat(dirfd(dir), entry->d_name,
					  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (child_fd < 0 || fstat(child_fd, &opened) ||
			    opened.st_dev != st.st_dev || opened.st_ino != st.st_ino) {
				diag_line(scan->diag, "medguard: trust scan: cannot enter %s: %s; its executables are not trusted",
					  scan->path, child_fd < 0 ? strerror(errno) : "it was replaced");
				if (child_fd >= 0)
					close(child_fd);
			} else {
				ret = scan_directory(scan, child_fd, path_len + written, depth + 1);
			}
		}
		scan->path[path_len] = '\0';
	}
	if (!ret && errno)
		diag_line(scan->diag, "medguard: trust scan: cannot list %s: %s; some executables are not trusted",
			  scan->path, strerror(errno));
	closedir(dir);
	return ret;
}

int mg_trust_scan(const char *dir, unsigned int max_depth, mg_trust_scan_fn fn, void *arg, FILE *diag)
{
	struct scan *scan = NULL;
	int dir_fd = -1;
	int ret;

	scan = calloc(1, sizeof(*scan));
	if (!scan) {
		ret = -ENOMEM;
		goto cleanup;
	}
	/* The scan root itself may be a symlink, as /bin is to usr/bin; below it, none is followed. */
	if (!realpath(dir, scan->path)) {
		ret = -errno;
		goto cleanup;
	}
	dir_fd = open(scan->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0) {
		ret = -errno;
		goto cleanup;
	}
	scan->fn = fn;
	scan->arg = arg;
	scan->diag = diag;
	scan->max_depth = max_depth;
	ret = scan_directory(scan, dir_fd, strlen(scan->path), 0);
	dir_fd = -1;
cleanup:
	if (dir_fd >= 0)
		close(dir_fd);
	free(scan);
	return ret;
}
