// SPDX-License-Identifier: GPL-2.0-only
/*
 * The public keys the module checks IMA signatures with, loaded by the
 * medguard daemon through securityfs (medguard_kfuncs.h says how), and the
 * signature checks themselves.
 *
 * RSA goes through public_key_verify_signature(), as IMA's own appraisal
 * does. ECDSA is computed here with the kernel's ECC library, because
 * Debian's 6.1 kernel is built without CONFIG_CRYPTO_ECDSA; the steps are
 * those of crypto/ecdsa.c. On 6.1 that library is the module ecc.ko, which
 * must be loaded first (modprobe does it).
 */
#include <crypto/ecdh.h>
#include <crypto/hash.h>
#include <crypto/hash_info.h>
#include <crypto/internal/ecc.h>
#include <crypto/public_key.h>
#include <crypto/sha1.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "internal.h"

#define DER_SEQUENCE 0x30
#define DER_INTEGER 0x02
#define DER_BIT_STRING 0x03
#define DER_NULL 0x05
#define DER_OID 0x06
#define EC_POINT_UNCOMPRESSED 0x04

static const u8 oid_rsa_encryption[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };
static const u8 oid_ec_public_key[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
static const u8 oid_prime256v1[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const u8 oid_secp384r1[] = { 0x2b, 0x81, 0x04, 0x00, 0x22 };

enum mg_key_kind {
	MG_KEY_RSA,
	MG_KEY_ECDSA,
};

struct mg_key {
	u32 key_id;
	u32 ima_keyid; /* evmctl's: last 4 bytes of SHA-1 of the public key bits */
	u32 skid_keyid;
	enum mg_key_kind kind;
	unsigned int bits;
	struct public_key rsa; /* RSA: .key holds the PKCS#1 RSAPublicKey */
	const struct ecc_curve *curve; /* ECDSA */
	u64 x[ECC_MAX_DIGITS];
	u64 y[ECC_MAX_DIGITS];
};

struct mg_key_set {
	unsigned int nkeys;
	struct mg_key keys[MEDGUARD_MAX_KEYS];
};

/* Held for reading while a signature is checked, for writing to swap the set. */
static DECLARE_RWSEM(keys_lock);
static struct mg_key_set *loaded_keys;

/* Keys written on one open keys file, waiting for COMMIT. */
struct key_staging {
	struct mg_key_set *set;
	bool refused; /* a write failed: a COMMIT would load less than was meant */
};

/* ---- DER, strictly: definite minimal lengths, nothing left over ------------ */

struct der {
	const u8 *data;
	size_t size;
};

/* Takes the next element off IN, which must carry TAG; its content goes to VALUE. */
static int der_take(struct der *in, u8 tag, struct der *value)
{
	size_t header = 2, len;

	if (in->size < 2 || in->data[0] != tag)
		return -EBADMSG;
	len = in->data[1];
	if (len == 0x81) {
		if (in->size < 3 || in->data[2] < 0x80)
			return -EBADMSG;
		len = in->data[2];
		header = 3;
	} else if (len == 0x82) {
		if (in->size < 4 || in->data[2] == 0)
			return -EBADMSG;
		len = (size_t)in->data[2] << 8 | in->data[3];
		header = 4;
	} else if (len > 0x7f) {
		return -EBADMSG;
	}
	if (len > in->size - header)
		return -EBADMSG;
	value->data = in->data + header;
	value->size = len;
	in->data += header + len;
	in->size -= header + len;
	return 0;
}

/* A positive INTEGER; MAGNITUDE gets its big-endian bytes without the sign byte. */
static int der_take_positive(struct der *in, struct der *magnitude)
{
	int err = der_take(in, DER_INTEGER, magnitude);

	if (err)
		return err;
	if (!magnitude->size || (magnitude->data[0] & 0x80))
		return -EBADMSG;
	if (magnitude->data[0] == 0) {
		/* a sign byte only where the next one has its top bit set; zero is not positive */
		if (magnitude->size == 1 || !(magnitude->data[1] & 0x80))
			return -EBADMSG;
		magnitude->data++;
		magnitude->size--;
	}
	return 0;
}

static bool der_is(const struct der *value, const u8 *bytes, size_t size)
{
	return value->size == size && !memcmp(value->data, bytes, size);
}

/* ---- parsing keys ------------------------------------------------------------ */

/* The kernel's RSA takes 2048, 3072 and 4096-bit moduli (rsa_check_key_length()). */
static int parse_rsa(const struct der *bits, struct mg_key *key)
{
	struct der in = *bits, sequence, modulus, exponent;

	if (der_take(&in, DER_SEQUENCE, &sequence) || in.size ||
	    der_take_positive(&sequence, &modulus) || der_take_positive(&sequence, &exponent) ||
	    sequence.size)
		return -EBADMSG;
	key->bits = (modulus.size - 1) * 8 + fls(modulus.data[0]);
	if (key->bits != 2048 && key->bits != 3072 && key->bits != 4096)
		return -EKEYREJECTED;
	if (!(exponent.data[exponent.size - 1] & 1) || (exponent.size == 1 && exponent.data[0] < 3))
		return -EKEYREJECTED;
	key->rsa.key = kmemdup(bits->data, bits->size, GFP_KERNEL);
	if (!key->rsa.key)
		return -ENOMEM;
	key->rsa.keylen = bits->size;
	key->rsa.algo = OID_rsaEncryption;
	key->rsa.pkey_algo = "rsa";
	key->kind = MG_KEY_RSA;
	return 0;
}

static int parse_ec(const struct der *curve_oid, const struct der *bits, struct mg_key *key)
{
	struct ecc_point point;
	unsigned int nbytes;

	if (der_is(curve_oid, oid_prime256v1, sizeof(oid_prime256v1)))
		key->curve = ecc_get_curve(ECC_CURVE_NIST_P256);
	else if (der_is(curve_oid, oid_secp384r1, sizeof(oid_secp384r1)))
		key->curve = ecc_get_curve(ECC_CURVE_NIST_P384);
	if (!key->curve)
		return -ENOPKG;
	nbytes = key->curve->g.ndigits * sizeof(u64);
	if (bits->size != 1 + 2 * nbytes || bits->data[0] != EC_POINT_UNCOMPRESSED)
		return -EBADMSG;
	vli_from_be64(key->x, bits->data + 1, key->curve->g.ndigits);
	vli_from_be64(key->y, bits->data + 1 + nbytes, key->curve->g.ndigits);
	point = ECC_POINT_INIT(key->x, key->y, key->curve->g.ndigits);
	if (ecc_is_pubkey_valid_full(key->curve, &point))
		return -EKEYREJECTED;
	key->bits = nbytes * 8;
	key->kind = MG_KEY_ECDSA;
	return 0;
}

/* KEY from a DER SubjectPublicKeyInfo; BITS gets the public key bits the keyid is made of. */
static int parse_spki(const u8 *spki, size_t size, struct mg_key *key, struct der *bits)
{
	struct der in = { spki, size }, info, algorithm, oid, parameters;

	if (der_take(&in, DER_SEQUENCE, &info) || in.size ||
	    der_take(&info, DER_SEQUENCE, &algorithm) || der_take(&info, DER_BIT_STRING, bits) ||
	    info.size || der_take(&algorithm, DER_OID, &oid))
		return -EBADMSG;
	/* the first content byte counts unused bits, which a key never has */
	if (!bits->size || bits->data[0] != 0)
		return -EBADMSG;
	bits->data++;
	bits->size--;
	if (der_is(&oid, oid_rsa_encryption, sizeof(oid_rsa_encryption))) {
		if (der_take(&algorithm, DER_NULL, &parameters) || parameters.size || algorithm.size)
			return -EBADMSG;
		return parse_rsa(bits, key);
	}
	if (der_is(&oid, oid_ec_public_key, sizeof(oid_ec_public_key))) {
		if (der_take(&algorithm, DER_OID, &parameters) || algorithm.size)
			return -EBADMSG;
		return parse_ec(&parameters, bits, key);
	}
	return -ENOPKG;
}

/* The keyid evmctl and `medguard sign` put into signature headers. */
static int compute_ima_keyid(const struct der *bits, u32 *keyid)
{
	u8 sha1[SHA1_DIGEST_SIZE];
	struct crypto_shash *tfm;
	int err;

	tfm = crypto_alloc_shash("sha1", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	err = crypto_shash_tfm_digest(tfm, bits->data, bits->size, sha1);
	crypto_free_shash(tfm);
	if (!err)
		*keyid = get_unaligned_be32(sha1 + SHA1_DIGEST_SIZE - 4);
	return err;
}

static void free_key_set(struct mg_key_set *set)
{
	unsigned int i;

	if (!set)
		return;
	for (i = 0; i < set->nkeys; i++)
		kfree(set->keys[i].rsa.key);
	kfree(set);
}

/* ---- checking signatures --------------------------------------------------- */

static int verify_rsa(const struct mg_key *key, unsigned int hash_algo, const u8 *digest,
		      unsigned int digest_size, const u8 *sig, unsigned int sig_size)
{
	struct public_key_signature pks = {
		.s = (u8 *)sig,
		.s_size = sig_size,
		.digest = (u8 *)digest,
		.digest_size = digest_size,
		.pkey_algo = "rsa",
		.hash_algo = hash_algo_name[hash_algo],
		.encoding = "pkcs1",
	};

	if (sig_size != key->bits / 8)
		return -EBADMSG;
	return public_key_verify_signature(&key->rsa, &pks);
}

/* R and S of a DER ECDSA-Sig-Value, as NBYTES big-endian bytes each. */
static int parse_ecdsa_signature(const u8 *sig, unsigned int sig_size, unsigned int nbytes,
				 u8 *r, u8 *s)
{
	struct der in = { sig, sig_size }, sequence, r_value, s_value;

	if (der_take(&in, DER_SEQUENCE, &sequence) || in.size ||
	    der_take_positive(&sequence, &r_value) || der_take_positive(&sequence, &s_value) ||
	    sequence.size || r_value.size > nbytes || s_value.size > nbytes)
		return -EBADMSG;
	memset(r, 0, nbytes);
	memset(s, 0, nbytes);
	memcpy(r + nbytes - r_value.size, r_value.data, r_value.size);
	memcpy(s + nbytes - s_value.size, s_value.data, s_value.size);
	return 0;
}

static int verify_ecdsa(const struct mg_key *key, const u8 *digest, unsigned int digest_size,
			const u8 *sig, unsigned int sig_size)
{
	const struct ecc_curve *curve = key->curve;
	unsigned int ndigits = curve->g.ndigits, nbytes = ndigits * sizeof(u64);
	u8 r_bytes[ECC_MAX_BYTES], s_bytes[ECC_MAX_BYTES], hash_bytes[ECC_MAX_BYTES] = {};
	u64 r[ECC_MAX_DIGITS], s[ECC_MAX_DIGITS], hash[ECC_MAX_DIGITS];
	u64 s_inverse[ECC_MAX_DIGITS], u1[ECC_MAX_DIGITS], u2[ECC_MAX_DIGITS];
	u64 x1[ECC_MAX_DIGITS], y1[ECC_MAX_DIGITS];
	struct ecc_point result = ECC_POINT_INIT(x1, y1, ndigits);
	struct ecc_point public_point = ECC_POINT_INIT((u64 *)key->x, (u64 *)key->y, ndigits);

	if (parse_ecdsa_signature(sig, sig_size, nbytes, r_bytes, s_bytes))
		return -EBADMSG;
	vli_from_be64(r, r_bytes, ndigits);
	vli_from_be64(s, s_bytes, ndigits);
	/* 0 < r < n and 0 < s < n, or the arithmetic below means nothing */
	if (vli_is_zero(r, ndigits) || vli_cmp(r, curve->n, ndigits) >= 0 ||
	    vli_is_zero(s, ndigits) || vli_cmp(s, curve->n, ndigits) >= 0)
		return -EBADMSG;
	/* the leftmost bits of the digest, as many as the order has */
	if (digest_size >= nbytes)
		memcpy(hash_bytes, digest, nbytes);
	else
		memcpy(hash_bytes + nbytes - digest_size, digest, digest_size);
	vli_from_be64(hash, hash_bytes, ndigits);

	vli_mod_inv(s_inverse, s, curve->n, ndigits);
	vli_mod_mult_slow(u1, hash, s_inverse, curve->n, ndigits);
	vli_mod_mult_slow(u2, r, s_inverse, curve->n, ndigits);
	/* u2 is not 0 because r and s are not: the Shamir ladder has a top bit to start from */
	ecc_point_mult_shamir(&result, u1, &curve->g, u2, &public_point, curve);
	if (vli_cmp(result.x, curve->n, ndigits) >= 0)
		vli_sub(result.x, result.x, curve->n, ndigits);
	return vli_cmp(result.x, r, ndigits) ? -EKEYREJECTED : 0;
}

static bool key_answers_to(const struct mg_key *key, u32 keyid)
{
	return key->ima_keyid == keyid || key->skid_keyid == keyid;
}

bool mg_keys_answer_to(u32 keyid)
{
	bool found = false;
	unsigned int i;

	down_read(&keys_lock);
	for (i = 0; loaded_keys && i < loaded_keys->nkeys && !found; i++)
		found = key_answers_to(&loaded_keys->keys[i], keyid);
	up_read(&keys_lock);
	return found;
}

int mg_keys_verify(u32 keyid, unsigned int hash_algo, const u8 *digest, unsigned int digest_size,
		   const u8 *sig, unsigned int sig_size, u32 *key_id)
{
	int status = MEDGUARD_SIG_UNKNOWN_KEY;
	const struct mg_key *key;
	unsigned int i;
	int err;

	down_read(&keys_lock);
	/* keyids are 32 bits and may collide: any key that answers to it may verify */
	for (i = 0; loaded_keys && i < loaded_keys->nkeys; i++) {
		key = &loaded_keys->keys[i];
		if (!key_answers_to(key, keyid))
			continue;
		if (key->kind == MG_KEY_RSA)
			err = verify_rsa(key, hash_algo, digest, digest_size, sig, sig_size);
		else
			err = verify_ecdsa(key, digest, digest_size, sig, sig_size);
		if (!err) {
			*key_id = key->key_id;
			status = MEDGUARD_SIG_VALID;
			break;
		}
		if (err == -ENOMEM) {
			status = err;
			break;
		}
		status = MEDGUARD_SIG_BAD_SIGNATURE;
	}
	up_read(&keys_lock);
	return status;
}

/* ---- securityfs: medguard/keys ------------------------------------------------ */

static int stage_key(struct key_staging *staging, const struct medguard_key_record *record,
		     size_t spki_size)
{
	struct mg_key_set *set = staging->set;
	struct mg_key *key;
	struct der bits;
	unsigned int i;
	int err;

	if (record->spki_size != spki_size || !spki_size || !record->key_id)
		return -EINVAL;
	if (set->nkeys >= MEDGUARD_MAX_KEYS)
		return -ENOSPC;
	for (i = 0; i < set->nkeys; i++)
		if (set->keys[i].key_id == record->key_id)
			return -EEXIST;
	key = &set->keys[set->nkeys];
	memset(key, 0, sizeof(*key));
	err = parse_spki(record->spki, spki_size, key, &bits);
	if (!err)
		err = compute_ima_keyid(&bits, &key->ima_keyid);
	if (err) {
		kfree(key->rsa.key);
		key->rsa.key = NULL;
		return err;
	}
	key->key_id = record->key_id;
	key->skid_keyid = record->skid_keyid ? record->skid_keyid : key->ima_keyid;
	set->nkeys++;
	return 0;
}

static int commit_keys(struct key_staging *staging)
{
	unsigned int nkeys = staging->set->nkeys;
	struct mg_key_set *next, *old;

	if (staging->refused)
		return -ECANCELED;
	next = kzalloc(sizeof(*next), GFP_KERNEL);
	if (!next)
		return -ENOMEM;
	down_write(&keys_lock);
	old = loaded_keys;
	loaded_keys = staging->set;
	up_write(&keys_lock);
	staging->set = next;
	/* verdicts made with the old keys would outlive them */
	mg_cache_flush();
	pr_info("medguard_kfuncs: %u signing keys loaded\n", nkeys);
	free_key_set(old);
	return 0;
}

static int keys_open(struct inode *inode, struct file *file)
{
	struct key_staging *staging;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!(file->f_mode & FMODE_WRITE))
		return 0;
	staging = kzalloc(sizeof(*staging), GFP_KERNEL);
	if (!staging)
		return -ENOMEM;
	staging->set = kzalloc(sizeof(*staging->set), GFP_KERNEL);
	if (!staging->set) {
		kfree(staging);
		return -ENOMEM;
	}
	file->private_data = staging;
	return 0;
}

static ssize_t keys_write(struct file *file, const char __user *buf, size_t count, loff_t *ppos)
{
	struct key_staging *staging = file->private_data;
	struct medguard_key_record *record = NULL;
	int err = -EINVAL;

	if (count < sizeof(*record) || count > sizeof(*record) + MEDGUARD_KEY_MAX_SPKI_BYTES)
		goto cleanup;
	record = memdup_user(buf, count);
	if (IS_ERR(record)) {
		err = PTR_ERR(record);
		record = NULL;
		goto cleanup;
	}
	if (record->magic != MEDGUARD_KEY_RECORD_MAGIC || record->reserved)
		err = -EINVAL;
	else if (record->op == MEDGUARD_KEY_STAGE)
		err = stage_key(staging, record, count - sizeof(*record));
	else if (record->op == MEDGUARD_KEY_COMMIT && count == sizeof(*record) && !record->spki_size)
		err = commit_keys(staging);
cleanup:
	/* whatever this write meant to load is missing: committing the rest would load less */
	if (err)
		staging->refused = true;
	kfree(record);
	return err ? err : count;
}

static const char *key_algo_name(const struct mg_key *key)
{
	if (key->kind == MG_KEY_RSA)
		return "rsa";
	return key->bits == 256 ? "ecdsa-p256" : "ecdsa-p384";
}

static ssize_t keys_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	const size_t size = MEDGUARD_MAX_KEYS * 80;
	const struct mg_key *key;
	size_t len = 0;
	unsigned int i;
	ssize_t ret;
	char *text;

	text = kmalloc(size, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	down_read(&keys_lock);
	for (i = 0; loaded_keys && i < loaded_keys->nkeys; i++) {
		key = &loaded_keys->keys[i];
		len += scnprintf(text + len, size - len, "key_id=%u keyid=%08x skid=%08x algo=%s bits=%u\n",
				 key->key_id, key->ima_keyid, key->skid_keyid, key_algo_name(key), key->bits);
	}
	up_read(&keys_lock);
	ret = simple_read_from_buffer(buf, count, ppos, text, len);
	kfree(text);
	return ret;
}

static int keys_release(struct inode *inode, struct file *file)
{
	struct key_staging *staging = file->private_data;

	if (staging) {
		free_key_set(staging->set);
		kfree(staging);
	}
	return 0;
}

const struct file_operations mg_keys_fops = {
	.owner = THIS_MODULE,
	.open = keys_open,
	.read = keys_read,
	.write = keys_write,
	.release = keys_release,
	.llseek = generic_file_llseek,
};

void mg_keys_exit(void)
{
	free_key_set(loaded_keys);
	loaded_keys = NULL;
}
