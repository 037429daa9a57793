// SPDX-License-Identifier: GPL-2.0-only
/*
 * The packages source: the file is what an installed Debian package put
 * there, by the MD5 dpkg recorded. It names every packaged executable and
 * library to the daemon, which is where a cold start spends its time.
 */
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "dpkg.h"
#include "source.h"

/* How often a long verification says how far it is. */
#define PROGRESS_SECONDS 10
/* Threads that hash package files at a cold start. */

struct packages {
	struct mg_dpkg *dpkg;
	char admindir[PATH_MAX];
	char status[PATH_MAX]; /* dpkg rewrites it at every step of an install, upgrade or removal */
};

struct package_look {
	enum mg_dpkg_verdict verdict;
	const char *package;
};

_Static_assert(sizeof(struct package_look) <= sizeof(((struct mg_trust_look *)0)->kept),
	       "a package look fits what a look keeps");

static int packages_load(const struct mg_trust_load *from, void **state, FILE *diag)
{
	struct packages *packages;
	char err[1024];

	if (!from->sources->trust_packages)
		return 0;
	packages = calloc(1, sizeof(*packages));
	if (!packages) {
		mg_trust_diag(diag, "medguard: cannot load trust sources: out of memory");
		return -1;
	}
	snprintf(packages->admindir, sizeof(packages->admindir), "%s", from->dpkg_admindir);
	snprintf(packages->status, sizeof(packages->status), "%s/status", from->dpkg_admindir);
	packages->dpkg = mg_dpkg_load(from->dpkg_admindir, err, sizeof(err));
	if (!packages->dpkg) {
		mg_trust_diag(diag, "medguard: %s", err);
		free(packages);
		return -1;
	}
	if (mg_dpkg_problems(packages->dpkg))
		mg_trust_diag(diag, "medguard: warning: %zu problems in dpkg's database leave files untrusted; the first: %s",
			      mg_dpkg_problems(packages->dpkg), mg_dpkg_first_problem(packages->dpkg));
	*state = packages;
	return 0;
}

static void packages_close(void *state)
{
	struct packages *packages = state;

	mg_dpkg_free(packages->dpkg);
	free(packages);
}

static void packages_look(const void *state, const struct mg_trust_file *file, struct mg_trust_look *look)
{
	const struct packages *packages = state;
	struct package_look *kept = (struct package_look *)look->kept.bytes;

	kept->verdict = MG_DPKG_NOT_PACKAGED;
	kept->package = NULL;
	if (mg_dpkg_owns(packages->dpkg, file->names, file->nnames))
		look->md = EVP_md5();
}

static bool packages_verify(const struct mg_trust_ctx *ctx, const void *state, const struct mg_trust_file *file,
			    struct mg_trust_look *look, struct mg_trust *trust, char *why, size_t why_size)
{
	const struct packages *packages = state;
	struct package_look *kept = (struct package_look *)look->kept.bytes;

	(void)ctx;
	kept->verdict = mg_dpkg_check(packages->dpkg, file->names, file->nnames, look->digest, &kept->package);
	if (kept->verdict != MG_DPKG_MATCH)
		return false;
	trust->source = MG_TRUST_PACKAGE;
	snprintf(why, why_size, "installed by package %s", kept->package);
	return true;
}

static void packages_explain(const void *state, const struct mg_trust_look *look, char *clause, size_t size)
{
	const struct package_look *kept = (const struct package_look *)look->kept.bytes;

	if (!state)
		snprintf(clause, size, "package trust is off");
	else if (look->md && kept->verdict == MG_DPKG_MISMATCH)
		snprintf(clause, size, "content differs from what package %s installed", kept->package);
	else
		snprintf(clause, size, "no installed package has it");
}

/* Code a package ships: a file with an execute bit, or a shared object (NAME.so, NAME.so.N). */
static bool packaged_code(const char *path, const struct stat *st)
{
	const char *name = strrchr(path, '/'), *so;

	if (!S_ISREG(st->st_mode))
		return false;
	if (st->st_mode & 0111)
		return true;
	so = strstr(name ? name : path, ".so");
	return so && (so[3] == '\0' || so[3] == '.');
}

__attribute__((format(printf, 2, 3)))
static void report_progress(const struct mg_trust_feed *feed, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	feed->progress(line, feed->arg);
}

struct prehash {
	const struct mg_dpkg *dpkg;
	struct mg_digest_cache *cache;
	pthread_mutex_t lock; /* the cache */
	atomic_size_t next;
	atomic_size_t finished; /* workers done */
	size_t n;
	bool sha256; /* allowlists compare SHA-256 digests */
};

/* One package file's digests into the cache, unless they are there. */
static void prehash_file(struct prehash *work, const char *path)
{
	const EVP_MD *mds[2] = { EVP_md5(), EVP_sha256() };
	unsigned char digests[2][EVP_MAX_MD_SIZE], cached[MG_DIGEST_MAX_BYTES];
	struct mg_file_identity identity;
	size_t nmds = work->sha256 ? 2 : 1, i;
	struct stat st;
	bool have;
	int fd;

	if (lstat(path, &st) || !packaged_code(path, &st))
		return;
	fd = mg_trust_open(path, &st);
	if (fd < 0)
		return;
	mg_file_identity_of(fd, &st, &identity);
	pthread_mutex_lock(&work->lock);
	have = mg_digest_cache_get(work->cache, &identity, EVP_MD_get_type(mds[nmds - 1]), cached) != 0;
	pthread_mutex_unlock(&work->lock);
	if (!have && mg_trust_hash_fd(fd, &st, mds, nmds, digests) == 0) {
		pthread_mutex_lock(&work->lock);
		for (i = 0; i < nmds; i++)
			mg_digest_cache_put(work->cache, &identity, EVP_MD_get_type(mds[i]), digests[i],
					    (unsigned int)EVP_MD_get_size(mds[i]));
		pthread_mutex_unlock(&work->lock);
	}
	close(fd);
}

static void *prehash_worker(void *arg)
{
	struct prehash *work = arg;
	size_t i;

	while ((i = atomic_fetch_add(&work->next, 1)) < work->n) {
		const char *path = mg_dpkg_file_at(work->dpkg, i)->path;

		if (i && !strcmp(path, mg_dpkg_file_at(work->dpkg, i - 1)->path))
			continue;
		prehash_file(work, path);
	}
	atomic_fetch_add(&work->finished, 1);
	return NULL;
}

/*
 * Hashing is what a cold start costs (gigabytes of packaged code): the
 * package files are hashed by a thread a CPU into the digest cache first,
 * and then verified one by one from it. Nothing is trusted here. The
 * calling thread says how far the hashing has got.
 */
static void prehash_packages(const struct mg_trust_ctx *ctx, const struct mg_dpkg *dpkg,
			     const struct mg_trust_feed *feed)
{
	struct prehash work = { .dpkg = dpkg, .cache = mg_trust_ctx_cache(ctx), .n = mg_dpkg_file_count(dpkg) };
	pthread_t threads[MG_MAX_HASH_THREADS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = cpus > MG_MAX_HASH_THREADS ? MG_MAX_HASH_THREADS : cpus > 0 ? (size_t)cpus : 1, started = 0;
	unsigned int waited = 0;

	/* A warm start finds its digests in the cache: a second pass would only open every file twice. */
	if (!work.cache || mg_digest_cache_count(work.cache))
		return;
	/* The allowlist source judges the same files by their SHA-256. */
	work.sha256 = mg_trust_ctx_state(ctx, &mg_trust_allowlist_source) != NULL;
	atomic_init(&work.next, 0);
	atomic_init(&work.finished, 0);
	pthread_mutex_init(&work.lock, NULL);
	while (started < nthreads && !pthread_create(&threads[started], NULL, prehash_worker, &work))
		started++;
	if (!started)
		prehash_worker(&work);
	while (atomic_load(&work.finished) < started) {
		usleep(100000);
		if (++waited % (PROGRESS_SECONDS * 10) == 0)
			report_progress(feed, "hashing package files: %zu of %zu, %zu threads",
				 atomic_load(&work.next) < work.n ? atomic_load(&work.next) : work.n, work.n, started);
	}
	while (started)
		pthread_join(threads[--started], NULL);
	pthread_mutex_destroy(&work.lock);
}

/* Every packaged executable and library the kernel does not trust yet. */
static void packages_for_each(const struct mg_trust_ctx *ctx, const void *state, const struct mg_trust_feed *feed)
{
	const struct packages *packages = state;
	struct mg_digest_cache *cache = mg_trust_ctx_cache(ctx);
	const char *previous = "";
	size_t i, n, checked = 0;
	struct timespec now, said;
	struct stat st;

	feed->watch(packages->admindir, feed->arg);
	prehash_packages(ctx, packages->dpkg, feed);
	clock_gettime(CLOCK_MONOTONIC, &said);
	n = mg_dpkg_file_count(packages->dpkg);
	for (i = 0; i < n; i++) {
		const char *path = mg_dpkg_file_at(packages->dpkg, i)->path;

		if (!strcmp(path, previous))
			continue;
		previous = path;
		if (lstat(path, &st) || !packaged_code(path, &st) || !feed->installed(path, &st, feed->arg))
			continue;
		checked++;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - said.tv_sec >= PROGRESS_SECONDS) {
			said = now;
			report_progress(feed, "verified %zu packaged executables and libraries (%zu of %zu package files)",
				 checked, i, n);
		}
	}
	if (checked)
		report_progress(feed, "verified %zu packaged executables and libraries (%zu digests from the cache)",
			 checked, cache ? mg_digest_cache_hits(cache) : 0);
}

static const char *packages_database(const void *state)
{
	const struct packages *packages = state;

	return packages->status;
}

const struct mg_trust_source_ops mg_trust_packages_source = {
	.name = "packages",
	.feeds_mapped_libraries = true,
	.load = packages_load,
	.close = packages_close,
	.look = packages_look,
	.verify = packages_verify,
	.explain = packages_explain,
	.for_each = packages_for_each,
	.database = packages_database,
};
