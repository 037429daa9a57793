/* SPDX-License-Identifier: GPL-2.0-only */
/* Objects: the protected tree a dentry lies in, by a bounded walk up its parents. */
#ifndef MEDGUARD_WALK_BPF_H
#define MEDGUARD_WALK_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "medguard.h"
#include "medguard_common.bpf.h"
#include "medguard_state.bpf.h"

/* What a walk up from a dentry found. */
enum walk_result {
	WALK_UNPROTECTED = 0,
	WALK_PROTECTED,
	WALK_TOO_DEEP, /* no protected ancestor within MG_WALK_DEPTH steps, and no fs root either */
	/*
	 * The walk ended at a dentry that is its own parent but not its
	 * filesystem's root: a disconnected dentry (open_by_handle_at on a cold
	 * dentry cache), or no dentry at all for the inode. Where it lies
	 * cannot be known: the caller refuses, as for WALK_TOO_DEEP.
	 */
	WALK_DISCONNECTED,
};

struct walk {
	__u64 dentry; /* the dentry of this step, read with probes */
	struct mg_object_key key;
	struct mg_object found;
	__u64 root_ino;
	int result;
};

static long walk_step(__u64 index, void *data)
{
	struct walk *walk = data;
	struct dentry *dentry = (struct dentry *)walk->dentry, *parent;
	struct mg_object *object;
	struct inode *inode;

	inode = BPF_CORE_READ(dentry, d_inode);
	if (inode) {
		walk->key.ino = BPF_CORE_READ(inode, i_ino);
		object = bpf_map_lookup_elem(&mg_objects, &walk->key);
		if (object) {
			walk->found = *object;
			walk->root_ino = walk->key.ino;
			walk->result = WALK_PROTECTED;
			return 1;
		}
	}
	parent = BPF_CORE_READ(dentry, d_parent);
	if (!parent) {
		walk->result = WALK_UNPROTECTED;
		return 1;
	}
	if (parent == dentry) {
		walk->result = dentry == BPF_CORE_READ(dentry, d_sb, s_root) ? WALK_UNPROTECTED : WALK_DISCONNECTED;
		return 1;
	}
	walk->dentry = (__u64)parent;
	return 0;
}

/*
 * The protected object at DENTRY or its nearest ancestor, by (dev, ino).
 * Identity by inode holds across bind mounts, mount namespaces, symlinks
 * and /proc/self/fd. A walk that neither finds one nor reaches the root of
 * the filesystem within MG_WALK_DEPTH steps says so, and so does one from a
 * disconnected dentry: the caller refuses. Without a DENTRY (a stacked
 * filesystem's real file whose inode has none), INODE alone says whether
 * its filesystem holds anything protected.
 */
static __always_inline int find_protected(struct dentry *dentry, struct inode *inode, __u32 generation,
					  struct mg_object *found, __u64 *root_ino)
{
	struct walk walk = { .key.generation = generation, .result = WALK_TOO_DEEP };

	if (dentry) {
		inode = BPF_CORE_READ(dentry, d_inode);
		if (!inode)
			inode = BPF_CORE_READ(dentry, d_parent, d_inode);
	}
	if (!inode)
		return WALK_UNPROTECTED;
	walk.key.dev = inode_dev(inode);
	walk.key.ino = 0;
	if (!bpf_map_lookup_elem(&mg_objects, &walk.key))
		return WALK_UNPROTECTED;
	if (!dentry)
		return WALK_DISCONNECTED;
	walk.dentry = (__u64)dentry;
	bpf_loop(MG_WALK_DEPTH, walk_step, &walk, 0);
	if (walk.result == WALK_PROTECTED) {
		*found = walk.found;
		*root_ino = walk.root_ino;
	}
	return walk.result;
}

/* The tree protecting DENTRY in the live generation, MG_TREE_UNKNOWN past the walk, or -1. */
static __noinline long tree_of(struct dentry *dentry)
{
	struct mg_object object;
	__u32 generation;
	__u64 root_ino;

	if (!live_generation(&generation))
		return -1;
	switch (find_protected(dentry, NULL, generation, &object, &root_ino)) {
	case WALK_PROTECTED:
		return object.tree_id;
	case WALK_TOO_DEEP:
	case WALK_DISCONNECTED:
		return MG_TREE_UNKNOWN;
	}
	return -1;
}

/* A hash of the extension of DENTRY's name (what follows its last dot); 0 without one. */
static __always_inline __u32 extension_hash(struct dentry *dentry)
{
	char name[32];
	__u32 hash = 0;
	int i;

	if (bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(dentry, d_name.name)) <= 0)
		return 0;
	for (i = 0; i < (int)sizeof(name); i++) {
		if (!name[i])
			break;
		if (name[i] == '.')
			hash = 2166136261u;
		else if (hash)
			hash = (hash ^ (__u8)name[i]) * 16777619u;
	}
	return hash;
}

#endif /* MEDGUARD_WALK_BPF_H */
