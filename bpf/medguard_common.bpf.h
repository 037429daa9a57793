/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bottom of the core's BPF headers: its maps, the kernel constants it
 * uses that vmlinux.h lacks, count() and inode_dev(). It includes no
 * concern header; each of them includes it.
 */
#ifndef MEDGUARD_COMMON_BPF_H
#define MEDGUARD_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "medguard.h"
#include "medguard_entropy.bpf.h"
#include "medguard_trust.bpf.h"

#define EPERM 1
#define FMODE_READ 0x1
/* The inner file a stacked filesystem (overlayfs) opens for its own: the outer open was judged. */
#define FMODE_NOACCOUNT 0x20000000
#define FMODE_WRITE 0x2
#define FMODE_EXEC 0x20
#define MAY_WRITE 0x2
#define MAY_READ 0x4
#define PTRACE_MODE_ATTACH 0x02
#define O_TRUNC 01000
#define CLONE_THREAD 0x00010000
#define PROT_EXEC 0x4
#define ATTR_SIZE (1u << 3)
#define PF_KTHREAD 0x00200000
#define FMODE_CREATED 0x100000
#define S_IFMT 00170000
#define S_IFDIR 0040000
#define S_IFREG 0100000

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MG_MAX_OBJECTS * MG_GENERATIONS);
	__type(key, struct mg_object_key);
	__type(value, struct mg_object);
} mg_objects SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MG_MAX_TREES * MG_GENERATIONS);
	__type(key, __u32);
	__type(value, struct mg_tree);
} mg_trees SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MG_GENERATIONS);
	__type(key, __u32);
	__type(value, struct mg_generation);
} mg_generations SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MG_MAX_PROGRAM_EXES * MG_GENERATIONS);
	__type(key, struct mg_program_key);
	__type(value, struct mg_program);
} mg_programs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct mg_task_label);
} mg_labels SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	/* index (generation * MG_MAX_TREES + tree) * MG_MAX_BEHAVIOURS_PER_TREE + slot */
	__uint(max_entries, MG_MAX_TREES * MG_GENERATIONS * MG_MAX_BEHAVIOURS_PER_TREE);
	__type(key, __u32);
	__type(value, struct mg_behaviour);
} mg_behaviours SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MG_MAX_LINEAGES * 4);
	__type(key, struct mg_score_key);
	__type(value, struct mg_score);
} mg_scores SEC(".maps");

/* Lineage -> MG_LINEAGE_* flags: what the behaviour engine has done to it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MG_MAX_LINEAGES);
	__type(key, __u32);
	__type(value, __u32);
} mg_lineages SEC(".maps");

/* Files a lineage has already written, so that first-write scores once a file. */
struct touched_key {
	__u32 lineage;
	__u32 pad;
	__u64 dev;
	__u64 ino;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MG_MAX_TOUCHED);
	__type(key, struct touched_key);
	__type(value, __u32);
} mg_touched SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, MG_RINGBUF_BYTES);
} mg_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MG_NCOUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} mg_counters SEC(".maps");

static __always_inline void count(enum mg_counter counter)
{
	__u32 key = counter;
	__u64 *value = bpf_map_lookup_elem(&mg_counters, &key);

	if (value)
		(*value)++;
}

static __always_inline __u64 inode_dev(const struct inode *inode)
{
	return BPF_CORE_READ(inode, i_sb, s_dev);
}

#endif /* MEDGUARD_COMMON_BPF_H */
