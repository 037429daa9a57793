/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The entropy signal, split over two objects because only one of them needs
 * the module: the core (bpf/medguard.bpf.c) names the open files whose next
 * write is sampled, the sampler (bpf/medguard_entropy.bpf.c) measures that
 * write with the module's kfunc at vfs_write, and the core scores it in
 * file_permission, which the same write reaches next, before any byte is
 * written. The core owns the maps; the loader hands them to the sampler
 * with bpf_map__reuse_fd.
 */
#ifndef MEDGUARD_ENTROPY_BPF_H
#define MEDGUARD_ENTROPY_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "medguard.h"

/*
 * struct file * -> its inode: a write-open of a file the lineage did not
 * create, on records whose behaviour weighs entropy. The inode tells a
 * file that was freed and whose memory was reused apart.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MG_MAX_SAMPLED_FILES);
	__type(key, __u64);
	__type(value, __u64);
} mg_sampled_files SEC(".maps");

/* thread id -> the struct file * its write in progress wrote high-entropy data to */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MG_MAX_SAMPLED_FILES);
	__type(key, __u32);
	__type(value, __u64);
} mg_entropy_pending SEC(".maps");

#endif /* MEDGUARD_ENTROPY_BPF_H */
