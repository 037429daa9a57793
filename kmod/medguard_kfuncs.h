/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kfuncs of the medguard_kfuncs module, shared by the module and the BPF
 * programs that call them. BPF code sees them as __ksym externs in the
 * separate object bpf/medguard_kfuncs.bpf.c, loaded only when the module
 * is present, so that the enforcement core never depends on the module.
 */
#ifndef MEDGUARD_KFUNCS_H
#define MEDGUARD_KFUNCS_H

/* Bumped whenever a kfunc's signature or meaning changes. */
#define MEDGUARD_KFUNC_ABI_VERSION 1

/* Bytes of a write sampled by the entropy estimate. */
#define MEDGUARD_ENTROPY_SAMPLE_MAX 4096

#if defined(__KERNEL__)
#include <linux/types.h>
#define MEDGUARD_KSYM
#elif defined(__bpf__)
#define MEDGUARD_KSYM __ksym
#endif

/* Userspace needs the constants above, not the kfuncs. */
#ifdef MEDGUARD_KSYM

/* The module's ABI version: a cheap call that proves the module is there. */
extern __u32 medguard_kfunc_abi_version(void) MEDGUARD_KSYM;

/*
 * Shannon entropy of DATA in millibits per byte (0 .. 8000). Text stays
 * below ~5000, compressed or encrypted data above ~7500. LEN is capped at
 * MEDGUARD_ENTROPY_SAMPLE_MAX; an empty buffer measures 0.
 */
extern __u32 medguard_kfunc_entropy(const __u8 *data, __u32 data__sz) MEDGUARD_KSYM;

#endif /* MEDGUARD_KSYM */

#endif /* MEDGUARD_KFUNCS_H */
