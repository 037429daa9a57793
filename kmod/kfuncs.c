// SPDX-License-Identifier: GPL-2.0-only
/*
 * medguard_kfuncs: kfuncs the medguard BPF programs call when this module is
 * loaded, and the securityfs files that feed them keys. The set is
 * registered once, for BPF_PROG_TYPE_TRACING, which also serves lsm/ and
 * lsm.s/ programs; a second registration of the same set would fail and
 * take the first with it.
 */
#include <linux/bitops.h>
#include <linux/module.h>
#include <linux/security.h>
#include <linux/types.h>

#include "compat.h"
#include "medguard_kfuncs.h"
#include "internal.h"

#define LOG2_FRACTION_BITS 16

/* medguard/ in securityfs and its files; removed in reverse order. */
static struct dentry *securityfs_dir, *securityfs_keys, *securityfs_cache;

/*
 * log2(value) in 1/2^16 units, for value >= 1: integer part from the top bit,
 * the fraction by repeated squaring, one bit per step.
 */
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
	u64 sum_c_log_c = 0, n_log_n, alphabet_bits;
	u32 i, distinct = 0, entropy, in_alphabet;

	if (!data || !len)
		return 0;
	for (i = 0; i < len; i++)
		counts[data[i]]++;
	for (i = 0; i < 256; i++) {
		distinct += counts[i] > 0;
		if (counts[i] > 1)
			sum_c_log_c += counts[i] * fixed_log2(counts[i]);
	}
	n_log_n = len * fixed_log2(len);
	/* H = log2(n) - sum(c log2 c) / n, in millibits per byte */
	entropy = (u32)div_u64((n_log_n - sum_c_log_c) * 1000, len << LOG2_FRACTION_BITS);
	/*
	 * Ciphertext written as base64 or hex is uniform over its alphabet of
	 * 64 or 16 symbols: scaled to 8 bits as if the alphabet were all 256
	 * bytes, it is as random as ciphertext; prose and code, which use
	 * their letters unevenly, stay far below.
	 */
	if (distinct < MEDGUARD_ENTROPY_MIN_ALPHABET || distinct > MEDGUARD_ENTROPY_MAX_ALPHABET ||
	    len < 8 * distinct)
		return entropy;
	alphabet_bits = fixed_log2(distinct);
	in_alphabet = min_t(u32, (u32)div64_u64((u64)entropy * 8 << LOG2_FRACTION_BITS, alphabet_bits), 8000);
	return in_alphabet >= MEDGUARD_ENTROPY_UNIFORM ? max(entropy, in_alphabet) : entropy;
}

__bpf_kfunc int medguard_kfunc_file_trust(struct file *file, struct medguard_file_trust *result,
					  u32 result__sz)
{
	if (!result || result__sz != sizeof(*result))
		return -EINVAL;
	memset(result, 0, sizeof(*result));
	return mg_file_trust(file, result);
}

__bpf_kfunc void medguard_kfunc_cache_forget(u64 dev, u64 ino)
{
	mg_cache_forget(dev, ino);
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(medguard_kfunc_ids)
BTF_ID_FLAGS(func, medguard_kfunc_abi_version)
BTF_ID_FLAGS(func, medguard_kfunc_entropy)
BTF_ID_FLAGS(func, medguard_kfunc_file_trust, KF_SLEEPABLE)
BTF_ID_FLAGS(func, medguard_kfunc_cache_forget)
BTF_KFUNCS_END(medguard_kfunc_ids)

static const struct btf_kfunc_id_set medguard_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &medguard_kfunc_ids,
};

static void remove_securityfs(void)
{
	securityfs_remove(securityfs_cache);
	securityfs_remove(securityfs_keys);
	securityfs_remove(securityfs_dir);
}

static int create_securityfs(void)
{
	securityfs_dir = securityfs_create_dir("medguard", NULL);
	if (IS_ERR(securityfs_dir))
		return PTR_ERR(securityfs_dir);
	securityfs_keys = securityfs_create_file("keys", 0600, securityfs_dir, NULL, &mg_keys_fops);
	if (IS_ERR(securityfs_keys))
		return PTR_ERR(securityfs_keys);
	securityfs_cache = securityfs_create_file("cache", 0600, securityfs_dir, NULL, &mg_cache_fops);
	return PTR_ERR_OR_ZERO(securityfs_cache);
}

static int __init medguard_kfuncs_init(void)
{
	int err;

	err = mg_file_trust_init();
	if (err)
		return err;
	err = create_securityfs();
	if (err) {
		pr_err("medguard_kfuncs: cannot create %s: %d; is another medguard_kfuncs loaded?\n",
		       MEDGUARD_SECURITYFS_DIR, err);
		goto cleanup;
	}
	/* last: no kfunc may run before its state is there */
	err = register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING, &medguard_kfunc_set);
	if (err) {
		pr_err("medguard_kfuncs: cannot register kfuncs: %d; the module needs BTF for this kernel (see kmod/README)\n",
		       err);
		goto cleanup;
	}
	return 0;
cleanup:
	remove_securityfs();
	mg_file_trust_exit();
	return err;
}

/*
 * kfunc sets are dropped with the module's BTF; BPF programs that call the
 * kfuncs hold the module, so none runs any more.
 */
static void __exit medguard_kfuncs_exit(void)
{
	remove_securityfs();
	mg_cache_flush();
	mg_keys_exit();
	mg_file_trust_exit();
}

module_init(medguard_kfuncs_init);
module_exit(medguard_kfuncs_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("medguard: kfuncs for file trust and write entropy");
