// SPDX-License-Identifier: GPL-2.0-only
/*
 * Trust feeding: what the policy's trust sources vouch for is verified and
 * put into the kernel's trust map before the daemon says it enforces, and
 * again when a watched file changes or a policy is reloaded.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "internal.h"

/* Verifies PATH and, when something vouches for it, tells the kernel. True when trusted. */
bool trust_path(struct daemon *daemon, const char *path)
{
	struct mg_trust_key key;
	struct mg_trust trust;

	if (mg_trust_evaluate(daemon->trust, path, &key, &trust) <= 0)
		return false;
	if (mg_loader_trust_file(daemon->loader, &key, &trust))
		return false;
	mg_path_set_add(daemon->vouched, path);
	daemon->trusted_files++;
	return true;
}

/*
 * After a reload, every file vouched for under the old policy is judged by
 * the new one: a file signed by a key the new policy dropped loses its trust.
 */
void reverify_vouched(struct daemon *daemon)
{
	struct mg_trust_key key;
	struct mg_trust trust;
	size_t i;
	int verdict;

	for (i = 0; i < mg_path_set_count(daemon->vouched); i++) {
		verdict = mg_trust_evaluate(daemon->trust, mg_path_set_at(daemon->vouched, i), &key, &trust);
		if (verdict > 0)
			mg_loader_trust_file(daemon->loader, &key, &trust);
		else if (verdict == 0)
			mg_loader_untrust_file(daemon->loader, &key);
	}
}

/*
 * The shared libraries and loaders running programs map executable right
 * now: without them every dynamically linked trusted program would taint
 * itself at its first mmap. Each is verified like any other file.
 */
static void trust_mapped_libraries(struct daemon *daemon)
{
	char maps_path[300], line[PATH_MAX + 128], *path;
	struct dirent *entry;
	FILE *maps;
	DIR *proc;

	proc = opendir("/proc");
	if (!proc)
		return;
	while ((entry = readdir(proc))) {
		if (entry->d_name[0] < '0' || entry->d_name[0] > '9')
			continue;
		snprintf(maps_path, sizeof(maps_path), "/proc/%s/maps", entry->d_name);
		maps = fopen(maps_path, "re");
		if (!maps)
			continue;
		while (fgets(line, sizeof(line), maps)) {
			path = strchr(line, '/');
			if (!path || !strstr(line, " r-xp "))
				continue;
			path[strcspn(path, "\n")] = '\0';
			if (!mg_path_set_contains(daemon->vouched, path))
				trust_path(daemon, path);
		}
		fclose(maps);
	}
	closedir(proc);
}

/*
 * Trusts PATH and watches its directory, so that later changes are seen. A
 * path vouched for already was just judged again (reverify_vouched).
 */
static void trust_and_watch(struct daemon *daemon, const char *path)
{
	char dir[PATH_MAX];

	if (!mg_path_set_contains(daemon->vouched, path))
		trust_path(daemon, path);
	snprintf(dir, sizeof(dir), "%s", path);
	mg_trust_watch_add_dir(daemon->watch, dirname(dir));
}

static int trust_scanned(const char *path, const struct stat *st, void *arg)
{
	(void)st;
	trust_and_watch(arg, path);
	return 0;
}

/* How often a long verification says how far it is. */
#define PROGRESS_SECONDS 10

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

/* Whether the kernel trusts the file at PATH as it is now. */
static bool trusted_in_kernel(struct daemon *daemon, const char *path, const struct stat *st)
{
	struct mg_trust_key key = { .dev = mg_superblock_dev(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, st),
				    .ino = st->st_ino };
	struct mg_trust trust;

	return mg_loader_trust_of(daemon->loader, &key, st->st_ctim.tv_sec, (__u32)st->st_ctim.tv_nsec, &trust) == 0;
}

/* Threads that hash package files at a cold start. */
#define MAX_HASH_THREADS 4

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
static void prehash_packages(struct daemon *daemon, const struct mg_dpkg *dpkg)
{
	struct prehash work = { .dpkg = dpkg, .cache = daemon->digests, .n = mg_dpkg_file_count(dpkg) };
	pthread_t threads[MAX_HASH_THREADS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = cpus > MAX_HASH_THREADS ? MAX_HASH_THREADS : cpus > 0 ? (size_t)cpus : 1, started = 0;
	unsigned int waited = 0;

	/* A warm start finds its digests in the cache: a second pass would only open every file twice. */
	if (!work.cache || mg_digest_cache_count(work.cache))
		return;
	work.sha256 = mg_allowlist_count(mg_trust_ctx_allowlist(daemon->trust)) > 0;
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
			progress(daemon, "hashing package files: %zu of %zu, %zu threads",
				 atomic_load(&work.next) < work.n ? atomic_load(&work.next) : work.n, work.n, started);
	}
	while (started)
		pthread_join(threads[--started], NULL);
	pthread_mutex_destroy(&work.lock);
}

void trust_packages(struct daemon *daemon)
{
	const struct mg_dpkg *dpkg = mg_trust_ctx_packages(daemon->trust);
	const char *previous = "";
	size_t i, n, checked = 0;
	struct timespec now, said;
	struct stat st;

	if (!dpkg)
		return;
	prehash_packages(daemon, dpkg);
	clock_gettime(CLOCK_MONOTONIC, &said);
	n = mg_dpkg_file_count(dpkg);
	for (i = 0; i < n; i++) {
		const char *path = mg_dpkg_file_at(dpkg, i)->path;

		if (!strcmp(path, previous))
			continue;
		previous = path;
		if (lstat(path, &st) || !packaged_code(path, &st) || trusted_in_kernel(daemon, path, &st))
			continue;
		trust_path(daemon, path);
		checked++;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - said.tv_sec >= PROGRESS_SECONDS) {
			said = now;
			progress(daemon, "verified %zu packaged executables and libraries (%zu of %zu package files)",
				 checked, i, n);
		}
	}
	if (checked)
		progress(daemon, "verified %zu packaged executables and libraries (%zu digests from the cache)",
			 checked, daemon->digests ? mg_digest_cache_hits(daemon->digests) : 0);
}

void save_digests(struct daemon *daemon)
{
	char dir[PATH_MAX];
	int err;

	if (!daemon->digests || !mg_digest_cache_count(daemon->digests))
		return;
	snprintf(dir, sizeof(dir), "%s", MG_DIGEST_CACHE_FILE);
	mkdir(dirname(dir), 0700);
	err = mg_digest_cache_save(daemon->digests, MG_DIGEST_CACHE_FILE);
	if (err)
		fprintf(stderr, "medguard: cannot write the digest cache %s: %s; the next start hashes again\n",
			MG_DIGEST_CACHE_FILE, strerror(-err));
}

/* Verifies what the policy names and tells the kernel which files are trusted. */
void fill_trust(struct daemon *daemon)
{
	const struct mg_policy *policy = daemon->policy;
	const struct mg_allowlist *allowlist;
	size_t i, j;

	for (i = 0; i < policy->nprograms; i++)
		for (j = 0; j < policy->programs[i].nexes; j++)
			trust_and_watch(daemon, policy->programs[i].exes[j]);
	/* Once is enough: a reload re-verifies what was trusted then (reverify_vouched). */
	if (!daemon->libraries_scanned &&
	    (policy->trust_packages || mg_allowlist_count(mg_trust_ctx_allowlist(daemon->trust)))) {
		trust_mapped_libraries(daemon);
		daemon->libraries_scanned = true;
	}
	allowlist = mg_trust_ctx_allowlist(daemon->trust);
	for (i = 0; i < mg_allowlist_count(allowlist); i++)
		if (mg_allowlist_path_at(allowlist, i))
			trust_and_watch(daemon, mg_allowlist_path_at(allowlist, i));
	for (i = 0; i < policy->ntrust_scan; i++) {
		mg_trust_watch_add_dir(daemon->watch, policy->trust_scan[i]);
		mg_trust_scan(policy->trust_scan[i], MG_TRUST_SCAN_MAX_DEPTH, trust_scanned, daemon, stderr);
	}
	if (policy->trust_packages) {
		/* dpkg rewrites its status file at every step of an install, upgrade or removal. */
		mg_trust_watch_add_dir(daemon->watch, MG_DPKG_ADMINDIR);
		trust_packages(daemon);
	}
	save_digests(daemon);
}

/* A watched file changed: signed, replaced or moved in. */
void trust_changed(const char *path, void *arg)
{
	struct daemon *daemon = arg;

	if (!strcmp(path, MG_DPKG_ADMINDIR "/status")) {
		daemon->packages_changed = true;
		clock_gettime(CLOCK_MONOTONIC, &daemon->packages_changed_at);
		return;
	}

	if (trust_path(daemon, path))
		say(daemon, "trusted", path);
}
