/* SPDX-License-Identifier: GPL-2.0-only */
/* What differs between the kernels medguard runs on, and pointers the verifier must see as numbers. */
#ifndef MEDGUARD_COMPAT_BPF_H
#define MEDGUARD_COMPAT_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

/* The change time of an inode moved twice between 6.1 and 6.12. */
struct inode___v61 {
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));

struct inode___v66 {
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

static __always_inline void inode_ctime(const struct inode *inode, __s64 *sec, __u32 *nsec)
{
	if (bpf_core_field_exists(struct inode, i_ctime_sec)) {
		*sec = BPF_CORE_READ(inode, i_ctime_sec);
		*nsec = BPF_CORE_READ(inode, i_ctime_nsec);
	} else if (bpf_core_field_exists(struct inode___v66, __i_ctime)) {
		const struct inode___v66 *v66 = (const void *)inode;

		*sec = BPF_CORE_READ(v66, __i_ctime.tv_sec);
		*nsec = BPF_CORE_READ(v66, __i_ctime.tv_nsec);
	} else {
		const struct inode___v61 *v61 = (const void *)inode;

		*sec = BPF_CORE_READ(v61, i_ctime.tv_sec);
		*nsec = BPF_CORE_READ(v61, i_ctime.tv_nsec);
	}
}

/*
 * The verifier treats pointers it trusts (hook arguments, fields read from
 * them) as never NULL and drops comparisons with NULL as dead code. A pointer
 * that can be NULL is read as a number before it is tested; so is one
 * handed to a global function, which takes numbers.
 */
static __always_inline unsigned long maybe_null(const void *pointer)
{
	unsigned long value = 0;

	bpf_probe_read_kernel(&value, sizeof(value), &pointer);
	return value;
}

#endif /* MEDGUARD_COMPAT_BPF_H */
