/* SPDX-License-Identifier: GPL-2.0-only */
/* The core's globals and own maps: the live generation, what an exec is building, who opened what, who is exempt. */
#ifndef MEDGUARD_STATE_BPF_H
#define MEDGUARD_STATE_BPF_H

/* Set by the loader before load. */
const volatile __u32 daemon_tgid;

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

/* Kernel threads and the daemon itself are outside the policy. */
static __always_inline bool task_exempt(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (task->flags & PF_KTHREAD)
		return true;
	return daemon_tgid && (bpf_get_current_pid_tgid() >> 32) == daemon_tgid;
}

#endif /* MEDGUARD_STATE_BPF_H */
