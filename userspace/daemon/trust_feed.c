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
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
static void trust_and_watch(const char *path, void *arg)
{
	struct daemon *daemon = arg;
	char dir[PATH_MAX];

	if (!mg_path_set_contains(daemon->vouched, path))
		trust_path(daemon, path);
	snprintf(dir, sizeof(dir), "%s", path);
	mg_trust_watch_add_dir(daemon->watch, dirname(dir));
}

/* Whether the kernel trusts the file at PATH as it is now. */
static bool trusted_in_kernel(struct daemon *daemon, const char *path, const struct stat *st)
{
	struct mg_trust_key key = { .dev = mg_superblock_dev(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, st),
				    .ino = st->st_ino };
	struct mg_trust trust;

	return mg_loader_trust_of(daemon->loader, &key, st->st_ctim.tv_sec, (__u32)st->st_ctim.tv_nsec, &trust) == 0;
}

bool trust_path_unless_trusted(struct daemon *daemon, const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		return false;
	return trusted_in_kernel(daemon, path, &st) || trust_path(daemon, path);
}

/* A database lists many files the kernel trusts already (after a refresh, most): those are not read again. */
static bool trust_installed(const char *path, const struct stat *st, void *arg)
{
	if (trusted_in_kernel(arg, path, st))
		return false;
	trust_path(arg, path);
	return true;
}

static void watch_dir(const char *dir, void *arg)
{
	struct daemon *daemon = arg;

	mg_trust_watch_add_dir(daemon->watch, dir);
}

static void feed_progress(const char *line, void *arg)
{
	say_progress(arg, "%s", line);
}

static struct mg_trust_feed feed_of(struct daemon *daemon)
{
	return (struct mg_trust_feed){ .named = trust_and_watch, .installed = trust_installed, .watch = watch_dir,
				       .progress = feed_progress, .arg = daemon, .diag = stderr };
}

void trust_packages(struct daemon *daemon)
{
	struct mg_trust_feed feed = feed_of(daemon);

	mg_trust_feed_databases(daemon->trust, &feed);
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
	struct mg_trust_feed feed = feed_of(daemon);
	size_t i, j;

	for (i = 0; i < policy->nprograms; i++)
		for (j = 0; j < policy->programs[i].nexes; j++)
			trust_and_watch(policy->programs[i].exes[j], daemon);
	/* Once is enough: a reload re-verifies what was trusted then (reverify_vouched). */
	if (!daemon->libraries_scanned && mg_trust_covers_mapped_libraries(daemon->trust)) {
		trust_mapped_libraries(daemon);
		daemon->libraries_scanned = true;
	}
	mg_trust_feed_all(daemon->trust, &feed);
	save_digests(daemon);
}

/* A watched file changed: signed, replaced or moved in. */
void trust_changed(const char *path, void *arg)
{
	struct daemon *daemon = arg;

	if (mg_trust_is_database(daemon->trust, path)) {
		daemon->packages_changed = true;
		clock_gettime(CLOCK_MONOTONIC, &daemon->packages_changed_at);
		return;
	}

	if (trust_path(daemon, path))
		say(daemon, "trusted", path);
}
