// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "cache.h"
#include "lib/lib.h"
#include "source.h"


/* Every source, strongest first: the first that vouches for a file is the one the kernel is told. */
const struct mg_trust_source_ops *const mg_trust_backends[] = {
	&mg_trust_signature_source,
	&mg_trust_allowlist_source,
	&mg_trust_packages_source,
	&mg_trust_scan_source,
};
#define NBACKENDS (sizeof(mg_trust_backends) / sizeof(mg_trust_backends[0]))
const size_t mg_trust_nbackends = NBACKENDS;

struct mg_trust_ctx {
	void *state[NBACKENDS]; /* each source's, in the order of mg_trust_backends */
	struct mg_digest_cache *cache; /* the caller's, or NULL */
	unsigned char launcher_sha256[MG_MAX_LAUNCHERS][32];
	size_t nlaunchers;
};

const void *mg_trust_ctx_state(const struct mg_trust_ctx *ctx, const struct mg_trust_source_ops *source)
{
	for (size_t i = 0; i < NBACKENDS; i++)
		if (mg_trust_backends[i] == source)
			return ctx->state[i];
	return NULL;
}

struct mg_digest_cache *mg_trust_ctx_cache(const struct mg_trust_ctx *ctx)
{
	return ctx->cache;
}

size_t mg_trust_ctx_launchers(const struct mg_trust_ctx *ctx, const unsigned char (**sha256)[32])
{
	*sha256 = (const unsigned char (*)[32])ctx->launcher_sha256;
	return ctx->nlaunchers;
}

void mg_trust_ctx_use_cache(struct mg_trust_ctx *ctx, struct mg_digest_cache *cache)
{
	ctx->cache = cache;
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

void mg_trust_diag(FILE *diag, const char *fmt, ...)
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
	for (size_t i = 0; i < NBACKENDS; i++)
		if (ctx->state[i])
			mg_trust_backends[i]->close(ctx->state[i]);
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
		mg_trust_diag(diag, "medguard: more than %d launcher files; name fewer launchers", MG_MAX_LAUNCHERS);
		return -1;
	}
	fd = mg_trust_open(path, &st);
	if (fd < 0) {
		mg_trust_diag(diag, "medguard: cannot read launcher %s: %s; install it or remove its declaration", path,
			      fd == -EINVAL ? "not a regular file" : strerror(-fd));
		return -1;
	}
	ret = mg_trust_hash_fd(fd, &st, sha256, 1, digest);
	close(fd);
	if (ret) {
		mg_trust_diag(diag, "medguard: cannot read launcher %s: %s", path, strerror(-ret));
		return -1;
	}
	memcpy(ctx->launcher_sha256[ctx->nlaunchers++], digest[0], 32);
	return 0;
}

bool mg_trust_is_launcher(const struct mg_trust_ctx *ctx, const unsigned char *sha256)
{
	for (size_t i = 0; i < ctx->nlaunchers; i++)
		if (!memcmp(ctx->launcher_sha256[i], sha256, 32))
			return true;
	return false;
}

struct mg_trust_ctx *mg_trust_ctx_new_at(const struct mg_trust_sources *sources, const char *dpkg_admindir,
					 FILE *diag)
{
	const struct mg_trust_load from = { .sources = sources, .dpkg_admindir = dpkg_admindir };
	struct mg_trust_ctx *ctx = calloc(1, sizeof(*ctx));
	bool failed = false;

	if (!ctx) {
		mg_trust_diag(diag, "medguard: cannot load trust sources: out of memory");
		failed = true;
		goto cleanup;
	}
	/* Every source, even after one failed: each thing the policy cannot use is said at once. */
	for (size_t i = 0; i < NBACKENDS; i++)
		if (mg_trust_backends[i]->load(&from, &ctx->state[i], diag))
			failed = true;
	for (size_t i = 0; i < sources->nlaunchers && !failed; i++) {
		if (launcher_digest(ctx, sources->launchers[i], diag))
			failed = true;
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
	chunk = malloc(MG_HASH_CHUNK_BYTES);
	if (!chunk)
		goto cleanup;
	for (size_t i = 0; i < nmds; i++) {
		contexts[i] = EVP_MD_CTX_new();
		if (!contexts[i] || !EVP_DigestInit_ex(contexts[i], mds[i], NULL))
			goto cleanup;
	}
	for (;;) {
		ssize_t n = pread(fd, chunk, MG_HASH_CHUNK_BYTES, offset);

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

/*
 * The digest each look asks for, taken in one pass: a digest two sources
 * ask for (a SHA-256 signature and the allowlists) is taken once.
 */
static int take_digests(const struct mg_trust_ctx *ctx, const struct mg_trust_file *file,
			struct mg_trust_look looks[NBACKENDS], unsigned char digests[][EVP_MAX_MD_SIZE])
{
	const EVP_MD *mds[MG_TRUST_MAX_DIGESTS];
	size_t nmds = 0, slot[NBACKENDS];

	for (size_t i = 0; i < NBACKENDS; i++) {
		if (!looks[i].md)
			continue;
		for (slot[i] = 0; slot[i] < nmds; slot[i]++)
			if (EVP_MD_get_type(mds[slot[i]]) == EVP_MD_get_type(looks[i].md))
				break;
		if (slot[i] == nmds) {
			if (nmds == MG_TRUST_MAX_DIGESTS)
				return -EINVAL;
			mds[nmds++] = looks[i].md;
		}
	}
	for (size_t i = 0; i < NBACKENDS; i++)
		if (looks[i].md)
			looks[i].digest = digests[slot[i]];
	return nmds ? digests_of(ctx, file->fd, file->st, mds, nmds, digests) : 0;
}

/* Why nothing vouched for a file: what each source found, strongest first. */
static void describe_untrusted(const struct mg_trust_ctx *ctx, const struct mg_trust_look looks[NBACKENDS],
			       char *why, size_t why_size)
{
	char clauses[512] = "", clause[256];
	size_t used = 0;

	for (size_t i = 0; i < NBACKENDS; i++) {
		if (!mg_trust_backends[i]->explain)
			continue;
		mg_trust_backends[i]->explain(ctx->state[i], &looks[i], clause, sizeof(clause));
		used += snprintf(clauses + used, sizeof(clauses) - used, "%s%s", used ? "; " : "", clause);
		if (used >= sizeof(clauses))
			break;
	}
	explain(why, why_size, "not trusted: %s", clauses);
}

int mg_trust_explain(const struct mg_trust_ctx *ctx, const char *path,
		     struct mg_trust_key *key, struct mg_trust *trust, char *why, size_t why_size)
{
	unsigned char digests[MG_TRUST_MAX_DIGESTS][EVP_MAX_MD_SIZE];
	struct mg_trust_look looks[NBACKENDS];
	char canonical[PATH_MAX], alias[PATH_MAX];
	const char *names[3];
	struct mg_trust_file file = { .names = names };
	struct stat st;
	int fd, ret;

	fd = mg_trust_open(path, &st);
	if (fd < 0) {
		explain(why, why_size, "cannot examine %s: %s", path,
			fd == -EINVAL ? "not a regular file" : strerror(-fd));
		return fd;
	}
	file.fd = fd;
	file.st = &st;
	memset(key, 0, sizeof(*key));
	memset(trust, 0, sizeof(*trust));
	key->dev = mg_superblock_dev(fd, "", AT_EMPTY_PATH, &st);
	key->ino = st.st_ino;
	trust->ctime_sec = st.st_ctim.tv_sec;
	trust->ctime_nsec = st.st_ctim.tv_nsec;
	trust->source = MG_TRUST_NONE;

	if (path[0] == '/')
		names[file.nnames++] = path;
	if (mg_trust_fd_path(fd, canonical, sizeof(canonical)) == 0) {
		names[file.nnames++] = canonical;
		if (usrmerge_alias(canonical, alias, sizeof(alias)))
			names[file.nnames++] = alias;
	}

	for (size_t i = 0; i < NBACKENDS; i++) {
		looks[i].md = NULL;
		looks[i].digest = NULL;
		if (ctx->state[i] && mg_trust_backends[i]->look)
			mg_trust_backends[i]->look(ctx->state[i], &file, &looks[i]);
	}
	ret = take_digests(ctx, &file, looks, digests);
	if (ret == -ESTALE) {
		explain(why, why_size, "it changed while it was verified; evaluate it again once nothing writes it");
		ret = MG_TRUST_NONE;
		goto cleanup;
	}
	if (ret) {
		explain(why, why_size, "cannot read %s: %s", path, strerror(-ret));
		goto cleanup;
	}
	for (size_t i = 0; i < NBACKENDS; i++) {
		if (looks[i].md && mg_trust_backends[i]->verify(ctx, ctx->state[i], &file, &looks[i], trust, why,
								 why ? why_size : 0)) {
			ret = trust->source;
			goto cleanup;
		}
	}
	describe_untrusted(ctx, looks, why, why_size);
	ret = MG_TRUST_NONE;
cleanup:
	close(fd);
	return ret;
}

bool mg_trust_covers_mapped_libraries(const struct mg_trust_ctx *ctx)
{
	for (size_t i = 0; i < NBACKENDS; i++)
		if (ctx->state[i] && mg_trust_backends[i]->feeds_mapped_libraries)
			return true;
	return false;
}

void mg_trust_feed_all(const struct mg_trust_ctx *ctx, const struct mg_trust_feed *feed)
{
	for (size_t i = 0; i < NBACKENDS; i++)
		if (ctx->state[i] && mg_trust_backends[i]->for_each)
			mg_trust_backends[i]->for_each(ctx, ctx->state[i], feed);
}

bool mg_trust_is_database(const struct mg_trust_ctx *ctx, const char *path)
{
	for (size_t i = 0; i < NBACKENDS; i++)
		if (ctx->state[i] && mg_trust_backends[i]->database &&
		    !strcmp(mg_trust_backends[i]->database(ctx->state[i]), path))
			return true;
	return false;
}

void mg_trust_feed_databases(const struct mg_trust_ctx *ctx, const struct mg_trust_feed *feed)
{
	for (size_t i = 0; i < NBACKENDS; i++)
		if (ctx->state[i] && mg_trust_backends[i]->database)
			mg_trust_backends[i]->for_each(ctx, ctx->state[i], feed);
}

int mg_trust_evaluate(const struct mg_trust_ctx *ctx, const char *path,
		      struct mg_trust_key *key, struct mg_trust *trust)
{
	return mg_trust_explain(ctx, path, key, trust, NULL, 0);
}
