/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What differs between the 6.1 and 6.12 kernels for a kfunc module. 6.1 has
 * neither the kfunc annotations nor BTF_KFUNCS_START; its BTF_SET8_START set
 * means the same thing to register_btf_kfunc_id_set().
 */
#ifndef MEDGUARD_KMOD_COMPAT_H
#define MEDGUARD_KMOD_COMPAT_H

#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/version.h>

/* get_unaligned_be32() and friends moved out of asm/ in 6.12. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#ifndef __bpf_kfunc
#define __bpf_kfunc __used noinline
#endif

#ifndef __bpf_kfunc_start_defs
#define __bpf_kfunc_start_defs()                                              \
	__diag_push();                                                        \
	__diag_ignore_all("-Wmissing-prototypes",                             \
			  "kfuncs are called from BPF, declared in BTF")
#define __bpf_kfunc_end_defs() __diag_pop()
#endif

#ifndef BTF_KFUNCS_START
#define BTF_KFUNCS_START(name) BTF_SET8_START(name)
#define BTF_KFUNCS_END(name) BTF_SET8_END(name)
#endif

#endif /* MEDGUARD_KMOD_COMPAT_H */
