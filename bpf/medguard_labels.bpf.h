/* SPDX-License-Identifier: GPL-2.0-only */
/* Subjects: task labels, file trust, provenance and the openers of protected files. */
#ifndef MEDGUARD_LABELS_BPF_H
#define MEDGUARD_LABELS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "medguard.h"
#include "medguard_common.bpf.h"
#include "medguard_compat.bpf.h"
#include "medguard_events.bpf.h"
#include "medguard_state.bpf.h"
#include "medguard_trust.bpf.h"

/*
 * The current task's label. A thread of a process that ran before medguard
 * has none of its own: the daemon labels processes, which is their leader.
 */
static __always_inline struct mg_task_label *current_label(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mg_task_label *label = bpf_task_storage_get(&mg_labels, task, 0, 0);

	if (label)
		return label;
	return bpf_task_storage_get(&mg_labels, task->group_leader, 0, 0);
}

/* A file that may change no longer carries the trust it was verified with. */
static __always_inline void drop_trust(const struct inode *inode)
{
	struct mg_trust_key key;

	if (!inode)
		return;
	key.dev = inode_dev(inode);
	key.ino = BPF_CORE_READ(inode, i_ino);
	bpf_map_delete_elem(&mg_trust, &key);
}

/*
 * The trust entry of INODE if it still holds: the inode's change time is
 * the one verified, and nobody has the file open for writing (a descriptor
 * opened before the file was verified, or a shared writable mapping, which
 * keeps its file open, could change it under a verdict no hook revisits).
 * An entry of a file with writers is dropped for good: what they wrote
 * would not show in the change time if the clock were set back.
 */
static __always_inline struct mg_trust *valid_trust(const struct inode *inode)
{
	struct mg_trust_key key;
	struct mg_trust *trust;
	__s64 sec;
	__u32 nsec;

	if (!inode)
		return NULL;
	key.dev = inode_dev(inode);
	key.ino = BPF_CORE_READ(inode, i_ino);
	trust = bpf_map_lookup_elem(&mg_trust, &key);
	if (!trust)
		return NULL;
	if (BPF_CORE_READ(inode, i_writecount.counter) > 0) {
		bpf_map_delete_elem(&mg_trust, &key);
		return NULL;
	}
	inode_ctime(inode, &sec, &nsec);
	if (trust->ctime_sec != sec || trust->ctime_nsec != nsec)
		return NULL;
	return trust;
}

/*
 * Trust only goes down: a trusted task that runs untrusted code loses it,
 * and with it the identity of a named program.
 */
static __always_inline void taint(struct mg_task_label *label, struct dentry *dentry)
{
	if (!(label->flags & MG_LABEL_TRUSTED))
		return;
	label->flags &= ~MG_LABEL_TRUSTED;
	label->flags |= MG_LABEL_TAINTED;
	label->program_id = 0;
	label->ancestor_program = 0;
	emit(MG_EVENT_TAINT, MG_OP_EXEC, MG_EVENT_ALLOWED, 0, MG_RULE_DEFAULT, label, dentry, 0);
}

static __always_inline bool label_trusted(const struct mg_task_label *label)
{
	return label && (label->flags & MG_LABEL_TRUSTED);
}

/*
 * A trusted task reading the file it was started from (a shell reading its
 * script as it runs) reads verified code only while that file keeps its
 * trust: once anything wrote it, the task runs code nobody verified.
 */
static __always_inline void check_reads_own_program(struct file *file, struct mg_task_label *label)
{
	struct inode *inode = file->f_inode;

	if (!label_trusted(label) || label->exe_ino != BPF_CORE_READ(inode, i_ino) ||
	    label->exe_dev != inode_dev(inode))
		return;
	if (!valid_trust(inode))
		taint(label, file->f_path.dentry);
}

/*
 * Whether what TASK starts may be trusted. A labelled task passes on its
 * own trust. Without a label: the kernel's own threads and PID 1 are
 * roots, and so is every task until the daemon has labelled those that
 * existed before it started. A kernel usermode helper (a core_pattern
 * pipe, modprobe, the uevent helper) is not: whoever can write the sysctl
 * that names it chooses what it runs, and with which arguments.
 */
static __always_inline bool starter_trusted(struct task_struct *task, const struct mg_task_label *label)
{
	if (label)
		return label->flags & MG_LABEL_TRUSTED;
	return task_exempt() || !labels_complete || task->tgid == 1;
}

/*
 * Whether the current task opened FILE itself, with the trust it has now.
 * A descriptor it inherited (across fork or an exec that lowered its
 * trust), received (SCM_RIGHTS) or took (pidfd_getfd) was not judged for it.
 */
static __always_inline bool opened_here(struct file *file, const struct mg_task_label *label)
{
	__u64 key = (__u64)file;
	struct opener *opener = bpf_map_lookup_elem(&mg_open_files, &key);

	return opener && opener->tgid == bpf_get_current_pid_tgid() >> 32 &&
	       opener->label_flags == (label ? label->flags : 0);
}

static __always_inline void remember_opener(struct file *file)
{
	struct mg_task_label *label = current_label();
	struct opener opener = {
		.tgid = bpf_get_current_pid_tgid() >> 32,
		.label_flags = label ? label->flags : 0,
	};
	__u64 key = (__u64)file;

	bpf_map_update_elem(&mg_open_files, &key, &opener, BPF_ANY);
}

#endif /* MEDGUARD_LABELS_BPF_H */
