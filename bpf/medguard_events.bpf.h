/* SPDX-License-Identifier: GPL-2.0-only */
/* Events: what the kernel decided, on the ring buffer to the daemon. */
#ifndef MEDGUARD_EVENTS_BPF_H
#define MEDGUARD_EVENTS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "medguard.h"
#include "medguard_common.bpf.h"

/* Fills the components of DENTRY's path, leaf first, up to STOP_INO or the fs root. */
static __always_inline void event_path(struct mg_event *event, struct dentry *dentry, __u64 stop_ino)
{
	struct dentry *parent;
	struct inode *inode;
	int depth;

	event->npath = 0;
	for (depth = 0; depth < MG_EVENT_PATH_DEPTH; depth++) {
		inode = BPF_CORE_READ(dentry, d_inode);
		if (inode && BPF_CORE_READ(inode, i_ino) == stop_ino)
			return;
		parent = BPF_CORE_READ(dentry, d_parent);
		if (!parent || parent == dentry)
			return;
		bpf_probe_read_kernel_str(event->path[depth], MG_NAME_LEN, BPF_CORE_READ(dentry, d_name.name));
		event->npath = depth + 1;
		dentry = parent;
	}
}

static __always_inline void emit_scored(__u32 kind, __u32 op, __u32 verdict, __u32 tree_id, __u32 rule_index,
					const struct mg_task_label *label, struct dentry *dentry, __u64 root_ino,
					__u32 lineage, __u64 score, __u32 behaviour_slot)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mg_event *event;
	struct inode *inode;

	event = bpf_ringbuf_reserve(&mg_events, sizeof(*event), 0);
	if (!event) {
		count(MG_COUNTER_EVENTS_LOST);
		return;
	}
	event->time_ns = bpf_ktime_get_ns();
	event->kind = kind;
	event->pid = bpf_get_current_pid_tgid() >> 32;
	event->ppid = task->real_parent->tgid;
	event->uid = bpf_get_current_uid_gid() & 0xffffffff;
	event->op = op;
	event->verdict = verdict;
	event->tree_id = tree_id;
	event->rule_index = rule_index;
	event->label_flags = label ? label->flags : 0;
	event->program_id = label ? label->program_id : 0;
	event->trust_source = label ? label->trust_source : 0;
	event->lineage = lineage;
	event->behaviour_slot = behaviour_slot;
	event->pad = 0;
	event->score = score > 0xffffffffull ? 0xffffffffu : (__u32)score;
	inode = BPF_CORE_READ(dentry, d_inode);
	event->obj_dev = inode ? inode_dev(inode) : 0;
	event->obj_ino = inode ? BPF_CORE_READ(inode, i_ino) : 0;
	event->root_ino = root_ino;
	bpf_get_current_comm(event->comm, sizeof(event->comm));
	event_path(event, dentry, root_ino);
	bpf_ringbuf_submit(event, 0);
}

static __always_inline void emit(__u32 kind, __u32 op, __u32 verdict, __u32 tree_id, __u32 rule_index,
				 const struct mg_task_label *label, struct dentry *dentry, __u64 root_ino)
{
	emit_scored(kind, op, verdict, tree_id, rule_index, label, dentry, root_ino,
		    label ? label->lineage : 0, 0, 0);
}

/* An untrusted tracer was refused: OTHER_TGID is the other end of the trace. */
static __always_inline void ptrace_refused(const struct mg_task_label *label, __u32 other_tgid)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mg_event *event;

	count(MG_COUNTER_DENIED);
	event = bpf_ringbuf_reserve(&mg_events, sizeof(*event), 0);
	if (!event) {
		count(MG_COUNTER_EVENTS_LOST);
		return;
	}
	__builtin_memset(event, 0, sizeof(*event));
	event->time_ns = bpf_ktime_get_ns();
	event->kind = MG_EVENT_PTRACE;
	event->pid = bpf_get_current_pid_tgid() >> 32;
	event->ppid = task->real_parent->tgid;
	event->uid = bpf_get_current_uid_gid() & 0xffffffff;
	event->verdict = MG_EVENT_DENIED;
	event->rule_index = MG_RULE_DEFAULT;
	event->label_flags = label ? label->flags : 0;
	event->program_id = label ? label->program_id : 0;
	event->trust_source = label ? label->trust_source : 0;
	event->lineage = label ? label->lineage : 0;
	event->obj_ino = other_tgid;
	bpf_get_current_comm(event->comm, sizeof(event->comm));
	bpf_ringbuf_submit(event, 0);
}

#endif /* MEDGUARD_EVENTS_BPF_H */
