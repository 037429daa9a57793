// SPDX-License-Identifier: GPL-2.0-only
/* The answer to a lineage whose behaviour score crossed kill or freeze. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Writes TEXT into the cgroup v2 control file PATH. */
static int write_control(const char *path, const char *text)
{
	FILE *file = fopen(path, "we");
	int err = 0;

	if (!file)
		return -errno;
	if (fputs(text, file) < 0)
		err = -EIO;
	if (fclose(file) && !err)
		err = -errno;
	return err;
}

/*
 * The kernel already refuses the lineage's writes and, for kill, has killed
 * the task that crossed the line and refuses it new children. Here the rest
 * of the lineage is killed, or moved into a frozen cgroup of its own for an
 * operator to inspect.
 */
void stop_lineage(struct daemon *daemon, __u32 lineage, __u32 action)
{
	char quarantine[128], procs[160], detail[256];
	struct dirent *entry;
	unsigned int stopped = 0;
	struct mg_task_label label;
	DIR *proc;
	pid_t pid;

	if (action != MG_ACTION_KILL && action != MG_ACTION_FREEZE)
		return;
	snprintf(quarantine, sizeof(quarantine), "/sys/fs/cgroup/medguard-quarantine-%u", lineage);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", quarantine);
	if (action == MG_ACTION_FREEZE && mkdir(quarantine, 0755) && errno != EEXIST) {
		snprintf(detail, sizeof(detail), "cannot create %s: %s; lineage %u keeps running with its writes denied",
			 quarantine, strerror(errno), lineage);
		say(daemon, "freeze-failed", detail);
		return;
	}
	proc = opendir("/proc");
	if (!proc)
		return;
	while ((entry = readdir(proc))) {
		pid = (pid_t)strtol(entry->d_name, NULL, 10);
		if (pid <= 1 || pid == getpid() || mg_loader_label_of(daemon->loader, pid, &label) ||
		    label.lineage != lineage)
			continue;
		if (action == MG_ACTION_KILL)
			stopped += kill(pid, SIGKILL) == 0;
		else {
			snprintf(detail, sizeof(detail), "%d", pid);
			stopped += write_control(procs, detail) == 0;
		}
	}
	closedir(proc);
	if (action == MG_ACTION_FREEZE) {
		snprintf(detail, sizeof(detail), "%s/cgroup.freeze", quarantine);
		write_control(detail, "1");
	}
	snprintf(detail, sizeof(detail), "lineage %u: %u process%s %s", lineage, stopped, stopped == 1 ? "" : "es",
		 action == MG_ACTION_KILL ? "killed" : "frozen in the quarantine cgroup");
	say(daemon, action == MG_ACTION_KILL ? "lineage-killed" : "lineage-frozen", detail);
}
