// SPDX-License-Identifier: GPL-2.0-only
/*
 * The verdict on one file: the IMA digsig v2 signature in its security.ima,
 * checked with the loaded keys over a digest of its content. The header is
 * parsed by the one parser the userspace verifier uses too
 * (medguard_imasig_header.h), so that both give the same status for the
 * same bytes.
 */
#include <crypto/hash.h>
#include <crypto/hash_info.h>
#include <linux/fs.h>
#include <linux/iversion.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/xattr.h>

#include "compat.h"
#include "internal.h"
#include "medguard_imasig_header.h"

/* The digests signatures may use, by enum hash_algo; NULL for every other id. */
static struct crypto_shash *hash_tfms[HASH_ALGO__LAST];
/* The same ids as bits (1 << id), as the header parser takes them. */
static u32 accepted_hash_algos;

int mg_file_trust_init(void)
{
	static const enum hash_algo accepted[] = { HASH_ALGO_SHA256, HASH_ALGO_SHA384, HASH_ALGO_SHA512 };
	struct crypto_shash *tfm;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(accepted); i++) {
		tfm = crypto_alloc_shash(hash_algo_name[accepted[i]], 0, 0);
		if (IS_ERR(tfm)) {
			pr_err("medguard_kfuncs: the kernel has no %s (%ld); load its crypto module (modprobe crypto-%s) and insmod again\n",
			       hash_algo_name[accepted[i]], PTR_ERR(tfm), hash_algo_name[accepted[i]]);
			mg_file_trust_exit();
			return PTR_ERR(tfm);
		}
		hash_tfms[accepted[i]] = tfm;
		accepted_hash_algos |= 1u << accepted[i];
	}
	return 0;
}

void mg_file_trust_exit(void)
{
	unsigned int i;

	for (i = 0; i < HASH_ALGO__LAST; i++) {
		crypto_free_shash(hash_tfms[i]);
		hash_tfms[i] = NULL;
	}
	accepted_hash_algos = 0;
}

/* DIGEST of the first SIZE bytes of FILE, SIZE being i_size when judging began. */
static int hash_file(struct file *file, loff_t size, unsigned int hash_algo, u8 *digest)
{
	struct crypto_shash *tfm = hash_tfms[hash_algo];
	SHASH_DESC_ON_STACK(desc, tfm);
	loff_t pos = 0;
	ssize_t got;
	void *chunk;
	int err;

	chunk = kvmalloc(MEDGUARD_HASH_CHUNK_BYTES, GFP_KERNEL);
	if (!chunk)
		return -ENOMEM;
	desc->tfm = tfm;
	err = crypto_shash_init(desc);
	while (!err && pos < size) {
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		got = kernel_read(file, chunk, min_t(loff_t, MEDGUARD_HASH_CHUNK_BYTES, size - pos), &pos);
		/* 0: shorter than it said, and the digest will not match */
		if (got <= 0) {
			err = got;
			break;
		}
		err = crypto_shash_update(desc, chunk, got);
		cond_resched();
	}
	if (!err)
		err = crypto_shash_final(desc, digest);
	shash_desc_zero(desc);
	kvfree(chunk);
	return err;
}

/* What the status means for the file. */
static u32 verdict_of(enum medguard_sig_status status)
{
	if (status == MEDGUARD_SIG_VALID)
		return MEDGUARD_FILE_TRUSTED;
	if (status == MEDGUARD_SIG_ABSENT || status == MEDGUARD_SIG_NOT_SIGNATURE)
		return MEDGUARD_FILE_UNSIGNED;
	return MEDGUARD_FILE_UNTRUSTED;
}

/* Judges FILE with its writers kept out; STATE is what the verdict depends on. */
static int judge(struct file *file, struct mg_file_state *state, struct medguard_file_trust *result)
{
	struct inode *inode = file_inode(file);
	struct medguard_imasig sig = {};
	u8 digest[HASH_MAX_DIGESTSIZE];
	int status;
	ssize_t got;
	u8 *xattr;
	u64 epoch;
	int err = 0;

	xattr = kmalloc(MEDGUARD_IMA_XATTR_MAX_BYTES + 1, GFP_KERNEL);
	if (!xattr)
		return -ENOMEM;
	epoch = mg_cache_epoch();
	state->dev = inode->i_sb->s_dev;
	state->ino = inode->i_ino;
	state->ctime = inode_get_ctime(inode);
	state->iversion = IS_I_VERSION(inode) ? inode_query_iversion(inode) : 0;
	state->xattr = xattr;
	result->dev = state->dev;
	result->ino = state->ino;
	result->ctime_sec = state->ctime.tv_sec;
	result->ctime_nsec = state->ctime.tv_nsec;

	/* the raw value, past LSM checks: the verdict must not depend on who asks */
	got = __vfs_getxattr(file->f_path.dentry, inode, XATTR_NAME_IMA, xattr,
			     MEDGUARD_IMA_XATTR_MAX_BYTES + 1);
	if (got == -ENODATA || got == -EOPNOTSUPP) {
		status = MEDGUARD_SIG_ABSENT;
	} else if (got == -ERANGE) {
		/* too long to keep for the cache: judged again each time, which costs no hashing */
		result->status = MEDGUARD_SIG_OVERSIZED;
		result->verdict = verdict_of(MEDGUARD_SIG_OVERSIZED);
		goto cleanup;
	} else if (got < 0) {
		err = got;
		goto cleanup;
	} else {
		state->xattr_size = got;
		status = medguard_imasig_parse(xattr, got, HASH_ALGO__LAST, accepted_hash_algos, &sig);
	}

	if (mg_cache_lookup(state, result)) {
		result->flags |= MEDGUARD_FILE_CACHED;
		goto cleanup;
	}
	if (status == MEDGUARD_SIG_VALID) {
		result->sig_keyid = sig.keyid;
		/* nobody could vouch for it: not worth reading the content */
		if (!mg_keys_answer_to(sig.keyid))
			status = MEDGUARD_SIG_UNKNOWN_KEY;
	}
	if (status == MEDGUARD_SIG_VALID) {
		err = hash_file(file, i_size_read(inode), sig.hash_algo, digest);
		if (err)
			goto cleanup;
		status = mg_keys_verify(sig.keyid, sig.hash_algo, digest, hash_digest_size[sig.hash_algo],
					sig.sig, sig.sig_size, &result->key_id);
		if (status < 0) {
			err = status;
			goto cleanup;
		}
		if (status == MEDGUARD_SIG_VALID && sig.hash_algo == HASH_ALGO_SHA256)
			memcpy(result->sha256, digest, sizeof(result->sha256));
	}
	result->status = status;
	result->verdict = verdict_of(status);
	mg_cache_insert(state, result, epoch);
cleanup:
	kfree(xattr);
	return err;
}

int mg_file_trust(struct file *file, struct medguard_file_trust *result)
{
	struct mg_file_state state = {};
	struct inode *inode;
	int err;

	if (!file)
		return -EINVAL;
	inode = file_inode(file);
	if (!S_ISREG(inode->i_mode))
		return -EINVAL;
	/* kernel_read() warns on a file not open for reading */
	if (!(file->f_mode & FMODE_READ) || !(file->f_mode & FMODE_CAN_READ))
		return -EBADF;
	/*
	 * What was hashed must be what the verdict is about: nobody may open
	 * the file for writing until it is judged. An exec holds this already.
	 */
	err = deny_write_access(file);
	if (err)
		return err;
	err = judge(file, &state, result);
	allow_write_access(file);
	return err;
}
