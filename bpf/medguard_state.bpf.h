/* SPDX-License-Identifier: GPL-2.0-only */
/* The core's globals and own maps: the live generation, what an exec is building, who opened what, who is exempt. */
#ifndef MEDGUARD_STATE_BPF_H
#define MEDGUARD_STATE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "medguard.h"
#include "medguard_common.bpf.h"

/* The live policy generation: switched by one store from userspace. */
__u32 active_generation;

/*
 * Set by the daemon once every process that existed before it started has
 * a label. Until then a task without one starts what it runs as a root of
 * trust would; from then on only the kernel's own tasks and PID 1 do.
 */
__u32 labels_complete;

/* The label an exec is building, from bprm_creds_for_exec to commit. */
struct exec_pending {
	struct mg_task_label label;
	__u32 depth;          /* files of the exec seen so far: the named file, then interpreters */
	bool trust_miss;
	bool starter_trusted; /* the task that runs the exec was trusted at that moment */
	bool from_launcher;   /* the task that runs the exec is a launcher */
	bool launcher;        /* the named file is a verified launcher */
};

/* Who opened an open file of a protected tree, and with what trust. */
struct opener {
	__u32 tgid;
	__u32 label_flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MG_MAX_OPEN_FILES);
	__type(key, __u64); /* struct file * */
	__type(value, struct opener);
} mg_open_files SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct exec_pending);
} mg_exec_pending SEC(".maps");

/* The live generation and its settings. */
static __always_inline const struct mg_generation *live_generation(__u32 *generation)
{
	*generation = active_generation & (MG_GENERATIONS - 1);
	return bpf_map_lookup_elem(&mg_generations, generation);
}

/*
 * The daemon: its thread group leader, marked by the loader through a pidfd
 * before the programs are attached. The mark lives and dies with that task,
 * so a process that later gets the daemon's PID is not the daemon.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32);
} mg_daemon SEC(".maps");

/*
 * Set by the daemon once it enforces a policy that names keys: from then on
 * only a request signed by one of them stops it, and no other task may
 * signal (but SIGHUP, reload, SIGUSR1, a stop request, and PID 1's SIGTERM,
 * which makes it leave its programs pinned), trace or kill it.
 */
__u32 daemon_guarded;

/* Set by the daemon after a signed unlock: root may change medguard's own files until the next reload. */
__u32 anchors_unlocked;

/*
 * Set by a guarded daemon that leaves as the system shuts down: its guard
 * stays up without it, until the filesystems are unmounted.
 */
__u32 guard_outlives_daemon;

/* The ids of this object's maps, filled by the loader after load: writable fds to them are the daemon's alone. */
__u32 own_map_ids[MG_MAX_OWN_MAPS];

/* The one map of them others may open, read-only: the counters medguard status shows. */
__u32 readable_map_id;

/* Kernel threads and the daemon itself are outside the policy. */
static __always_inline bool task_exempt(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (task->flags & PF_KTHREAD)
		return true;
	return bpf_task_storage_get(&mg_daemon, task->group_leader, 0, 0) != NULL;
}

/* TASK is one of the daemon's threads, and the daemon is guarded. */
static __always_inline bool task_is_guarded_daemon(struct task_struct *task)
{
	return daemon_guarded && bpf_task_storage_get(&mg_daemon, task->group_leader, 0, 0) != NULL;
}

#endif /* MEDGUARD_STATE_BPF_H */
