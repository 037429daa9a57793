// SPDX-License-Identifier: GPL-2.0-only
/*
 * The entropy sampler: needs the medguard_kfuncs module, so it is an object
 * of its own, loaded only when the module is (bpf/medguard_entropy.bpf.h
 * says how it works with the core). One write per marked open file is
 * sampled, its first MEDGUARD_ENTROPY_SAMPLE_MAX bytes: in-place encryption
 * shows in the first block it writes, and other writes cost one failed
 * lookup.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "medguard.h"
#include "medguard_entropy.bpf.h"
#include "medguard_kfuncs.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[MEDGUARD_ENTROPY_SAMPLE_MAX]);
} mg_entropy_scratch SEC(".maps");

/* One write of COUNT bytes from BUF to FILE, sampled if FILE is marked. */
static __always_inline int sample_write(struct file *file, const char *buf, __u64 count)
{
	__u64 file_key = (__u64)file, *inode;
	__u32 thread, size, zero = 0;
	__u8 *sample;

	inode = bpf_map_lookup_elem(&mg_sampled_files, &file_key);
	if (!inode)
		return 0;
	if (*inode != (__u64)file->f_inode) {
		bpf_map_delete_elem(&mg_sampled_files, &file_key);
		return 0;
	}
	if (count < MG_ENTROPY_MIN_WRITE)
		return 0;
	bpf_map_delete_elem(&mg_sampled_files, &file_key);
	sample = bpf_map_lookup_elem(&mg_entropy_scratch, &zero);
	if (!sample)
		return 0;
	size = count < MEDGUARD_ENTROPY_SAMPLE_MAX ? count : MEDGUARD_ENTROPY_SAMPLE_MAX;
	/* A buffer the task just filled is resident; one that is not goes unsampled. */
	if (bpf_probe_read_user(sample, size, buf))
		return 0;
	if (medguard_kfunc_entropy(sample, size) < MG_ENTROPY_HIGH)
		return 0;
	thread = (__u32)bpf_get_current_pid_tgid();
	bpf_map_update_elem(&mg_entropy_pending, &thread, &file_key, BPF_ANY);
	return 0;
}

SEC("fentry/vfs_write")
int BPF_PROG(mg_sample_write, struct file *file, const char *buf, size_t count, loff_t *pos)
{
	return sample_write(file, buf, count);
}

/* writev and pwritev: the first buffer of the vector is what is sampled. */
SEC("fentry/vfs_writev")
int BPF_PROG(mg_sample_writev, struct file *file, const struct iovec *vec, unsigned long vlen, loff_t *pos)
{
	struct iovec first;

	if (!vlen || bpf_probe_read_user(&first, sizeof(first), vec))
		return 0;
	return sample_write(file, first.iov_base, first.iov_len);
}
