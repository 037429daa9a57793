/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Watches the directories trusted executables live in, so that a file
 * signed, replaced or moved in while the daemon runs is verified at once,
 * not at the next reload: the kernel never waits, so trust must be there
 * before the first exec.
 */
#ifndef MEDGUARD_TRUST_WATCH_H
#define MEDGUARD_TRUST_WATCH_H

struct mg_trust_watch;

struct mg_trust_watch *mg_trust_watch_new(void);
void mg_trust_watch_free(struct mg_trust_watch *watch);

/* Watches DIR (not below it); a directory already watched is not added twice. 0 or -errno. */
int mg_trust_watch_add_dir(struct mg_trust_watch *watch, const char *dir);

/* Readable when something changed. */
int mg_trust_watch_fd(const struct mg_trust_watch *watch);

/* Calls CHANGED for each file whose content, attributes or name changed since the last call. */
void mg_trust_watch_drain(struct mg_trust_watch *watch, void (*changed)(const char *path, void *arg), void *arg);

#endif /* MEDGUARD_TRUST_WATCH_H */
