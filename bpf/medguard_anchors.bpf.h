/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * medguard's own files (the anchors) and the paths the policy names: while
 * the daemon is guarded and locked, nothing but the daemon changes what
 * they are. The verdict (medguard_check) and the mount hooks of the guard
 * (medguard_guard.bpf.h) refuse through these.
 */
#ifndef MEDGUARD_ANCHORS_BPF_H
#define MEDGUARD_ANCHORS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "medguard.h"
#include "medguard_common.bpf.h"
#include "medguard_events.bpf.h"
#include "medguard_labels.bpf.h"
#include "medguard_state.bpf.h"

/* The guard of medguard's own files and of the paths the policy names is up. */
static __always_inline bool paths_locked(void)
{
	return daemon_guarded && !anchors_unlocked;
}

static __always_inline __u64 own_ino(struct dentry *dentry)
{
	struct inode *inode = BPF_CORE_READ(dentry, d_inode);

	return inode ? BPF_CORE_READ(inode, i_ino) : 0;
}

static __always_inline int refuse_self_protection(__u32 op, struct dentry *dentry, __u64 root_ino)
{
	count(MG_COUNTER_DENIED);
	emit(MG_EVENT_ACCESS, op, MG_EVENT_DENIED, MG_TREE_MEDGUARD, MG_RULE_SELF_PROTECTION, current_label(),
	     dentry, root_ino);
	return -EPERM;
}

/*
 * A records root, or a directory above one or above medguard's own files,
 * renamed or removed itself: the policy's paths would name something else.
 */
static __always_inline bool moves_a_named_path(__u32 op, const struct mg_object *object, struct dentry *dentry,
					       __u64 root_ino)
{
	return (op & (MG_OP_RENAME | MG_OP_DELETE)) && (object->flags & (MG_OBJECT_ANCESTOR | MG_OBJECT_ROOT)) &&
	       root_ino == own_ino(dentry) && paths_locked();
}

#endif /* MEDGUARD_ANCHORS_BPF_H */
