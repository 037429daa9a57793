// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scan source: the directories a policy's `trust scan` names. It vouches
 * for nothing itself; it names every executable under them, each judged by
 * the sources that do.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "source.h"

/* Its own copy: a context may outlive the sources it was loaded from. */
struct scan_dirs {
	char **dirs;
	size_t n;
};

static void scan_close(void *state)
{
	struct scan_dirs *scan_dirs = state;

	for (size_t i = 0; i < scan_dirs->n; i++)
		free(scan_dirs->dirs[i]);
	free(scan_dirs->dirs);
	free(scan_dirs);
}

static int scan_load(const struct mg_trust_load *from, void **state, FILE *diag)
{
	struct scan_dirs *scan_dirs;
	int ret = -1;

	if (!from->sources->nscan_dirs)
		return 0;
	scan_dirs = calloc(1, sizeof(*scan_dirs));
	if (!scan_dirs || !(scan_dirs->dirs = calloc(from->sources->nscan_dirs, sizeof(*scan_dirs->dirs))))
		goto cleanup;
	for (; scan_dirs->n < from->sources->nscan_dirs; scan_dirs->n++)
		if (!(scan_dirs->dirs[scan_dirs->n] = strdup(from->sources->scan_dirs[scan_dirs->n])))
			goto cleanup;
	*state = scan_dirs;
	scan_dirs = NULL;
	ret = 0;
cleanup:
	if (ret)
		mg_trust_diag(diag, "medguard: cannot load trust sources: out of memory");
	if (scan_dirs)
		scan_close(scan_dirs);
	return ret;
}

static int scanned(const char *path, const struct stat *st, void *arg)
{
	const struct mg_trust_feed *feed = arg;

	(void)st;
	feed->named(path, feed->arg);
	return 0;
}

/* Each directory is watched itself, so that an executable moved in later is seen. */
static void scan_for_each(const struct mg_trust_ctx *ctx, const void *state, const struct mg_trust_feed *feed)
{
	const struct scan_dirs *scan_dirs = state;

	(void)ctx;
	for (size_t i = 0; i < scan_dirs->n; i++) {
		feed->watch(scan_dirs->dirs[i], feed->arg);
		mg_trust_scan(scan_dirs->dirs[i], MG_TRUST_SCAN_MAX_DEPTH, scanned, (void *)feed, feed->diag);
	}
}

const struct mg_trust_source_ops mg_trust_scan_source = {
	.name = "scan",
	.load = scan_load,
	.close = scan_close,
	.for_each = scan_for_each,
};

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
		mg_trust_diag(scan->diag, "medguard: trust scan: cannot read %s: %s; its executables are not trusted",
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
			mg_trust_diag(scan->diag, "medguard: trust scan: a name in %s is too long; it is not trusted",
				      scan->path);
			continue;
		}
		if (fstatat(dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			mg_trust_diag(scan->diag, "medguard: trust scan: cannot examine %s: %s; it is not trusted",
				      scan->path, strerror(errno));
		} else if (S_ISREG(st.st_mode) && (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
			ret = scan->fn(scan->path, &st, scan->arg);
		} else if (S_ISDIR(st.st_mode) && depth >= scan->max_depth) {
			mg_trust_diag(scan->diag, "medguard: trust scan: %s is more than %u directories deep; its executables are not trusted",
				      scan->path, scan->max_depth);
		} else if (S_ISDIR(st.st_mode)) {
			struct stat opened;

			child_fd = openat(dirfd(dir), entry->d_name,
					  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (child_fd < 0 || fstat(child_fd, &opened) ||
			    opened.st_dev != st.st_dev || opened.st_ino != st.st_ino) {
				mg_trust_diag(scan->diag, "medguard: trust scan: cannot enter %s: %s; its executables are not trusted",
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
		mg_trust_diag(scan->diag, "medguard: trust scan: cannot list %s: %s; some executables are not trusted",
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
