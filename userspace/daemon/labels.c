// SPDX-License-Identifier: GPL-2.0-only
/*
 * Labels for the processes that ran before the daemon. Once the programs
 * are attached the kernel labels every exec and fork, and a task without a
 * label starts nothing trusted; what already runs has no label. So the
 * daemon labels every process before it attaches the programs, and once
 * more after, for what started in between. Each process is judged as its
 * exec would have been: trusted only if its executable is verified, it is
 * not an interpreter, it maps nothing unverified executable, and its
 * parent was trusted (the kernel itself, PPID 0, is the root; a usermode
 * helper, whose parent is a kernel thread, is not trusted; under systemd a
 * child of PID 1 is trusted only in the cgroup of a trusted unit). A label
 * is never raised: a trusted process that ran another program before the
 * hooks saw it loses its trust.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define PF_KTHREAD 0x00200000u

struct process {
	pid_t pid;
	pid_t ppid;
	bool kernel_thread;
	enum { UNSEEN, JUDGING, JUDGED } state;
	bool trusted;
	bool gateway; /* a gateway of the policy: what it forked is untrusted */
};

struct processes {
	struct process *items;
	size_t n, cap;
};

static int by_pid(const void *a, const void *b)
{
	const struct process *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* PPID and flags from /proc/PID/stat, whose second field (comm) may hold anything. */
static bool read_stat(pid_t pid, struct process *process)
{
	char path[64], text[1024], *end;
	unsigned int flags;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	len = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (len <= 0)
		return false;
	text[len] = '\0';
	end = strrchr(text, ')');
	if (!end || sscanf(end + 1, " %*c %d %*d %*d %*d %*d %u", &process->ppid, &flags) != 2)
		return false;
	process->pid = pid;
	process->kernel_thread = flags & PF_KTHREAD;
	process->state = UNSEEN;
	return true;
}

static int list_processes(struct processes *list)
{
	struct dirent *entry;
	DIR *proc = opendir("/proc");
	pid_t pid;

	if (!proc)
		return -errno;
	while ((entry = readdir(proc))) {
		pid = (pid_t)strtol(entry->d_name, NULL, 10);
		if (pid <= 0)
			continue;
		if (!MG_ARRAY_RESERVE(list->items, list->n, list->cap)) {
			closedir(proc);
			return -ENOMEM;
		}
		if (read_stat(pid, &list->items[list->n]))
			list->n++;
	}
	closedir(proc);
	qsort(list->items, list->n, sizeof(*list->items), by_pid);
	return 0;
}

static struct process *find_process(struct processes *list, pid_t pid)
{
	struct process key = { .pid = pid };

	return bsearch(&key, list->items, list->n, sizeof(*list->items), by_pid);
}

/* Whether every file PID maps executable is verified (verifying those nobody has yet). */
static bool maps_only_verified(struct daemon *daemon, pid_t pid)
{
	char path[64], line[PATH_MAX + 128], *file;
	bool verified = true;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "re");
	if (!maps)
		return false;
	while (verified && fgets(line, sizeof(line), maps)) {
		file = strchr(line, '/');
		if (!file || !strstr(line, " r-xp "))
			continue;
		file[strcspn(file, "\n")] = '\0';
		if (strstr(file, " (deleted)"))
			verified = false;
		else if (!mg_path_set_contains(daemon->vouched, file))
			verified = trust_path(daemon, file);
	}
	fclose(maps);
	return verified;
}

/* The label PID's exec would have given it, had its parent been trusted. */
static bool judge_executable(struct daemon *daemon, pid_t pid, struct mg_task_label *label)
{
	char link[64], exe[PATH_MAX];
	struct mg_trust_key key = { 0 };
	struct mg_program program;
	struct mg_trust trust;
	struct stat st;
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	len = readlink(link, exe, sizeof(exe) - 1);
	if (len <= 0 || stat(link, &st))
		return false;
	exe[len] = '\0';
	if (!mg_path_set_contains(daemon->vouched, exe))
		trust_path(daemon, exe);
	key.dev = mg_superblock_dev(AT_FDCWD, link, 0, &st);
	key.ino = st.st_ino;
	label->exe_dev = key.dev;
	label->exe_ino = key.ino;
	if (mg_loader_trust_of(daemon->loader, &key, st.st_ctim.tv_sec, (__u32)st.st_ctim.tv_nsec, &trust))
		return true;
	label->flags = MG_LABEL_TRUSTED;
	label->trust_source = trust.source;
	label->key_id = trust.key_id;
	if (mg_loader_program_of(daemon->loader, key.dev, key.ino, &program) &&
	    (trust.source != MG_TRUST_SIGNATURE || mg_loader_program_of(daemon->loader, 0, trust.key_id, &program)))
		return true;
	if (program.flags & MG_PROGRAM_INTERPRETER)
		label->flags &= ~MG_LABEL_TRUSTED;
	else if (!program.required_key_id || program.required_key_id == trust.key_id) {
		label->program_id = program.program_id;
		if (program.flags & MG_PROGRAM_GATEWAY)
			label->flags |= MG_LABEL_GATEWAY;
	}
	return true;
}

/* Whether PID runs another file than the one its trusted LABEL was given for. */
static bool ran_another_program(pid_t pid, const struct mg_task_label *label)
{
	char link[64];
	struct stat st;

	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	if (stat(link, &st))
		return false;
	return st.st_ino != label->exe_ino || mg_superblock_dev(AT_FDCWD, link, 0, &st) != label->exe_dev;
}

/* Labels PROCESS (and its ancestors first); returns whether it is trusted. */
static bool label_process(struct daemon *daemon, struct processes *list, struct process *process,
			  unsigned long *labelled)
{
	struct mg_task_label label = { 0 };
	struct process *parent;
	bool parent_trusted;

	if (process->state == JUDGED)
		return process->trusted;
	if (process->state == JUDGING)
		return false;
	process->state = JUDGING;
	if (mg_loader_label_of(daemon->loader, process->pid, &label) == 0) {
		if ((label.flags & MG_LABEL_TRUSTED) && ran_another_program(process->pid, &label)) {
			label.flags = (label.flags & ~MG_LABEL_TRUSTED) | MG_LABEL_TAINTED;
			label.program_id = 0;
			mg_loader_label_process(daemon->loader, process->pid, &label, true);
		}
		goto judged;
	}
	parent = process->ppid ? find_process(list, process->ppid) : NULL;
	if (!process->ppid)
		parent_trusted = true;
	else if (!parent || parent->kernel_thread)
		parent_trusted = false;
	else
		parent_trusted = label_process(daemon, list, parent, labelled) && !parent->gateway;
	/*
	 * A child of PID 1 is a service's only if its cgroup says so: an
	 * orphan a shell left behind was reparented there, and stays in the
	 * shell's session scope.
	 */
	if (parent_trusted && process->ppid == 1)
		parent_trusted = runs_for_trusted_unit(daemon, process->pid);
	memset(&label, 0, sizeof(label));
	label.lineage = (__u32)process->pid;
	if (!judge_executable(daemon, process->pid, &label))
		goto judged;
	if ((label.flags & MG_LABEL_TRUSTED) && !maps_only_verified(daemon, process->pid))
		label.flags = (label.flags & ~MG_LABEL_TRUSTED) | MG_LABEL_TAINTED;
	if ((label.flags & MG_LABEL_TRUSTED) && !parent_trusted)
		label.flags = (label.flags & ~MG_LABEL_TRUSTED) | MG_LABEL_UNTRUSTED_START;
	if (!(label.flags & MG_LABEL_TRUSTED))
		label.program_id = 0;
	label.ancestor_program = label.program_id;
	if (mg_loader_label_process(daemon->loader, process->pid, &label, false) == 0)
		(*labelled)++;
	else
		mg_loader_label_of(daemon->loader, process->pid, &label);
judged:
	process->state = JUDGED;
	process->trusted = label.flags & MG_LABEL_TRUSTED;
	process->gateway = label.flags & MG_LABEL_GATEWAY;
	return process->trusted;
}

/* One pass over /proc; returns how many processes it labelled, or -errno. */
static long label_pass(struct daemon *daemon, unsigned long *trusted)
{
	struct processes list = { 0 };
	unsigned long labelled = 0;
	size_t i;
	int err;

	err = list_processes(&list);
	for (i = 0; !err && i < list.n; i++)
		if (!list.items[i].kernel_thread && label_process(daemon, &list, &list.items[i], &labelled))
			(*trusted)++;
	free(list.items);
	return err ? err : (long)labelled;
}

int label_running_processes(struct daemon *daemon)
{
	unsigned long trusted = 0;
	long labelled;

	labelled = label_pass(daemon, &trusted);
	if (labelled < 0)
		return (int)labelled;
	mg_loader_labels_complete(daemon->loader);
	say_progress(daemon, "labelled %ld running processes (%lu trusted)", labelled, trusted);
	return 0;
}
