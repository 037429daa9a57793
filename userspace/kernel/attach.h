/* SPDX-License-Identifier: GPL-2.0-only */
/* What the loader and the module's programs share: the BTF hook probe and the attach loop. */
#ifndef MEDGUARD_KERNEL_ATTACH_H
#define MEDGUARD_KERNEL_ATTACH_H

#include <stddef.h>
#include <stdio.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* Number of parameters of the LSM hook HOOK in VMLINUX, or -1 when the kernel has no such hook. */
int mg_lsm_hook_arity(const struct btf *vmlinux, const char *hook);

/*
 * Attaches each of PROGRAMS that is set to load, appending its link to
 * LINKS (room for NPROGRAMS more) at *NLINKS. On the first failure, one line
 * on LOG and -errno; the links made so far stay in LINKS for the caller to destroy.
 */
int mg_attach_programs(struct bpf_program *const programs[], size_t nprograms, struct bpf_link **links,
		       size_t *nlinks, FILE *log);

#endif /* MEDGUARD_KERNEL_ATTACH_H */
