// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "trust.h"

/* xattr changes (signing) are IN_ATTRIB; new content is a close after write or a move in. */
#define WATCHED_EVENTS (IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_TO)

struct watched_dir {
	int wd;
	char *path;
};

struct mg_trust_watch {
	int fd;
	struct watched_dir *dirs;
	size_t ndirs;
};

struct mg_trust_watch *mg_trust_watch_new(void)
{
	struct mg_trust_watch *watch = calloc(1, sizeof(*watch));

	if (!watch)
		return NULL;
	watch->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (watch->fd < 0) {
		free(watch);
		return NULL;
	}
	return watch;
}

void mg_trust_watch_free(struct mg_trust_watch *watch)
{
	size_t i;

	if (!watch)
		return;
	close(watch->fd);
	for (i = 0; i < watch->ndirs; i++)
		free(watch->dirs[i].path);
	free(watch->dirs);
	free(watch);
}

static const char *dir_of(const struct mg_trust_watch *watch, int wd)
{
	size_t i;

	for (i = 0; i < watch->ndirs; i++)
		if (watch->dirs[i].wd == wd)
			return watch->dirs[i].path;
	return NULL;
}

int mg_trust_watch_add_dir(struct mg_trust_watch *watch, const char *dir)
{
	struct watched_dir *grown;
	int wd = inotify_add_watch(watch->fd, dir, WATCHED_EVENTS | IN_ONLYDIR);

	if (wd < 0)
		return -errno;
	if (dir_of(watch, wd))
		return 0;
	grown = realloc(watch->dirs, (watch->ndirs + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	watch->dirs = grown;
	watch->dirs[watch->ndirs].wd = wd;
	watch->dirs[watch->ndirs].path = strdup(dir);
	if (!watch->dirs[watch->ndirs].path)
		return -ENOMEM;
	watch->ndirs++;
	return 0;
}

int mg_trust_watch_fd(const struct mg_trust_watch *watch)
{
	return watch->fd;
}

void mg_trust_watch_drain(struct mg_trust_watch *watch, void (*changed)(const char *path, void *arg), void *arg)
{
	char buffer[16 * (sizeof(struct inotify_event) + NAME_MAX + 1)]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	char path[PATH_MAX];
	const struct inotify_event *event;
	const char *dir;
	ssize_t len;
	char *cursor;

	while ((len = read(watch->fd, buffer, sizeof(buffer))) > 0) {
		for (cursor = buffer; cursor < buffer + len; cursor += sizeof(*event) + event->len) {
			event = (const struct inotify_event *)cursor;
			dir = dir_of(watch, event->wd);
			if (!dir || !event->len || (event->mask & IN_ISDIR))
				continue;
			if (snprintf(path, sizeof(path), "%s/%s", dir, event->name) < (int)sizeof(path))
				changed(path, arg);
		}
	}
}
