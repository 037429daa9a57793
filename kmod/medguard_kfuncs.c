// SPDX-License-Identifier: GPL-2.0-only
/*
 * medguard_kfuncs: kfuncs the medguard BPF programs call when this module is
 * loaded. The set is registered once, for BPF_PROG_TYPE_TRACING, which also
 * serves lsm/ and lsm.s/ programs; a second registration of the same set
 * would fail and take the first with it.
 */
#include <linux/bitops.h>
#include <linux/module.h>
#include <linux/types.h>

#include "compat.h"
#include "medguard_kfuncs.h"

#define LOG2_FRACTION_BITS 16

/* log2(value) in 1/2^16 units, for value >= 1: integer part from the top bit,
 * the fraction by repeated squaring, one bit per step. */
static u64 fixed_log2(u32 value)
{
	int whole = fls(value) - 1;
	u64 result = (u64)whole << LOG2_FRACTION_BITS;
	/* value / 2^whole in [1, 2), with 31 fraction bits */
	u64 mantissa = ((u64)value << 31) >> whole;
	u64 bit;

	for (bit = 1ULL << (LOG2_FRACTION_BITS - 1); bit; bit >>= 1) {
		mantissa = (mantissa * mantissa) >> 31;
		if (mantissa >= (1ULL << 32)) {
			mantissa >>= 1;
			result |= bit;
		}
	}
	return result;
}

__bpf_kfunc_start_defs();

__bpf_kfunc u32 medguard_kfunc_abi_version(void)
{
	return MEDGUARD_KFUNC_ABI_VERSION;
}

__bpf_kfunc u32 medguard_kfunc_entropy(const u8 *data, u32 data__sz)
{
	u32 counts[256] = {};
	u32 len = min_t(u32, data__sz, MEDGUARD_ENTROPY_SAMPLE_MAX);
	u64 sum_c_log_c = 0, n_log_n;
	u32 i;

	if (!data || !len)
		return 0;
	for (i = 0; i < len; i++)
		counts[data[i]]++;
	for (i = 0; i < 256; i++)
		if (counts[i] > 1)
			sum_c_log_c += counts[i] * fixed_log2(counts[i]);
	n_log_n = len * fixed_log2(len);
	/* H = log2(n) - sum(c log2 c) / n, in millibits per byte */
	return (u32)div_u64((n_log_n - sum_c_log_c) * 1000, len << LOG2_FRACTION_BITS);
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(medguard_kfunc_ids)
BTF_ID_FLAGS(func, medguard_kfunc_abi_version)
BTF_ID_FLAGS(func, medguard_kfunc_entropy)
BTF_KFUNCS_END(medguard_kfunc_ids)

static const struct btf_kfunc_id_set medguard_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &medguard_kfunc_ids,
};

static int __init medguard_kfuncs_init(void)
{
	int err = register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING, &medguard_kfunc_set);

	if (err)
		pr_err("medguard_kfuncs: cannot register kfuncs: %d\n", err);
	return err;
}

static void __exit medguard_kfuncs_exit(void)
{
	/* kfunc sets are dropped with the module's BTF; nothing to undo */
}

module_init(medguard_kfuncs_init);
module_exit(medguard_kfuncs_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("medguard: kfuncs for file trust and write entropy");
