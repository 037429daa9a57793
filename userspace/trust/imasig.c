// SPDX-License-Identifier: GPL-2.0-only
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rsa.h>

#include "imasig.h"
#include "medguard_imasig_header.h"

/* hash_algo_name[] of the kernel's crypto/hash_info.c, by id */
static const char *const kernel_hash_names[MG_IMA_HASH_KERNEL_LAST] = {
	"md4", "md5", "sha1", "rmd160", "sha256", "sha384", "sha512", "sha224",
	"rmd128", "rmd256", "rmd320", "wp256", "wp384", "wp512", "tgr128", "tgr160",
	"tgr192", "sm3", "streebog256", "streebog512", "sha3-256", "sha3-384", "sha3-512",
};

static const char *const status_text[MG_IMASIG_NSTATUS] = {
	[MG_IMASIG_VALID] = "valid signature",
	[MG_IMASIG_ABSENT] = "no signature; sign it with 'medguard sign'",
	[MG_IMASIG_TRUNCATED] =
		"invalid signature: shorter than an IMA signature header; sign the file again",
	[MG_IMASIG_OVERSIZED] =
		"invalid signature: longer than any signature medguard accepts; sign the file again",
	[MG_IMASIG_NOT_SIGNATURE] =
		"no signature: security.ima holds a file hash, not a signature; sign it with 'medguard sign'",
	[MG_IMASIG_BAD_TYPE] =
		"invalid signature: security.ima holds no IMA signature type; sign the file again",
	[MG_IMASIG_BAD_VERSION] =
		"invalid signature: not a version 2 IMA signature; sign the file again with 'medguard sign'",
	[MG_IMASIG_UNKNOWN_ALGO] =
		"invalid signature: unknown hash algorithm; sign the file again with 'medguard sign'",
	[MG_IMASIG_REFUSED_ALGO] =
		"invalid signature: its hash algorithm is not accepted; sign the file again with '--hash sha256'",
	[MG_IMASIG_EMPTY] =
		"invalid signature: a header without signature bytes; sign the file again",
	[MG_IMASIG_SIZE_MISMATCH] =
		"invalid signature: its size field disagrees with its length; sign the file again",
	[MG_IMASIG_UNKNOWN_KEY] =
		"signed by an unknown key; add the signer's public key",
	[MG_IMASIG_BAD_SIGNATURE] =
		"invalid signature: the file or its signature changed after signing; sign it again if its content is trusted",
};

const char *mg_imasig_strerror(enum mg_imasig_status status)
{
	if ((unsigned int)status >= MG_IMASIG_NSTATUS)
		return "invalid signature";
	return status_text[status];
}

const EVP_MD *mg_ima_hash_md(unsigned int hash_algo)
{
	switch (hash_algo) {
	case MG_IMA_HASH_SHA256:
		return EVP_sha256();
	case MG_IMA_HASH_SHA384:
		return EVP_sha384();
	case MG_IMA_HASH_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

const char *mg_ima_hash_name(unsigned int hash_algo)
{
	return hash_algo < MG_IMA_HASH_KERNEL_LAST ? kernel_hash_names[hash_algo] : "unknown";
}

int mg_ima_hash_by_name(const char *name)
{
	for (unsigned int id = 0; id < MG_IMA_HASH_KERNEL_LAST; id++)
		if (strcmp(name, kernel_hash_names[id]) == 0 && mg_ima_hash_md(id))
			return (int)id;
	return -1;
}

static enum mg_imasig_status check_hash_algo(unsigned int hash_algo)
{
	if (mg_ima_hash_md(hash_algo))
		return MG_IMASIG_VALID;
	return hash_algo < MG_IMA_HASH_KERNEL_LAST ? MG_IMASIG_REFUSED_ALGO : MG_IMASIG_UNKNOWN_ALGO;
}

/* What mg_imasig_build() writes is what the shared parser reads. */
static_assert(MG_IMA_XATTR_DIGSIG == MEDGUARD_IMA_XATTR_DIGSIG, "the signature type");
static_assert(MG_IMA_XATTR_DIGEST == MEDGUARD_IMA_XATTR_DIGEST, "the plain hash types");
static_assert(MG_IMA_XATTR_DIGEST_NG == MEDGUARD_IMA_XATTR_DIGEST_NG, "the plain hash types");
static_assert(MG_IMA_DIGSIG_VERSION == MEDGUARD_IMA_DIGSIG_VERSION, "the signature version");
static_assert(MG_IMASIG_HEADER_BYTES == MEDGUARD_IMA_DIGSIG_HEADER_BYTES, "the header size");

/* The ids mg_ima_hash_md() accepts, as bits (1 << id), as the header parser takes them. */
static __u32 accepted_hash_algos(void)
{
	__u32 accepted = 0;

	for (unsigned int id = 0; id < MG_IMA_HASH_KERNEL_LAST; id++)
		if (mg_ima_hash_md(id))
			accepted |= 1u << id;
	return accepted;
}

/* The module's parser, so that both refuse the same bytes alike (its status values are ours). */
enum mg_imasig_status mg_imasig_parse(const void *xattr, size_t size, struct mg_imasig *sig)
{
	struct medguard_imasig parsed;
	enum medguard_sig_status status;

	status = medguard_imasig_parse(xattr, size, MG_IMA_HASH_KERNEL_LAST, accepted_hash_algos(), &parsed);
	if (status != MEDGUARD_SIG_VALID)
		return (enum mg_imasig_status)status;
	sig->hash_algo = parsed.hash_algo;
	sig->keyid = parsed.keyid;
	sig->sig = parsed.sig;
	sig->sig_size = parsed.sig_size;
	return MG_IMASIG_VALID;
}

ssize_t mg_imasig_build(const struct mg_imasig *sig, void *out, size_t out_size)
{
	unsigned char *bytes = out;

	if (!mg_ima_hash_md(sig->hash_algo) || sig->sig_size == 0 ||
	    sig->sig_size > MG_IMASIG_MAX_SIG_BYTES)
		return -EINVAL;
	if (out_size < MG_IMASIG_HEADER_BYTES + sig->sig_size)
		return -ENOSPC;
	bytes[0] = MG_IMA_XATTR_DIGSIG;
	bytes[1] = MG_IMA_DIGSIG_VERSION;
	bytes[2] = sig->hash_algo;
	bytes[3] = sig->keyid >> 24;
	bytes[4] = sig->keyid >> 16;
	bytes[5] = sig->keyid >> 8;
	bytes[6] = sig->keyid;
	bytes[7] = sig->sig_size >> 8;
	bytes[8] = sig->sig_size;
	memmove(bytes + MG_IMASIG_HEADER_BYTES, sig->sig, sig->sig_size);
	return (ssize_t)(MG_IMASIG_HEADER_BYTES + sig->sig_size);
}

/* IMA signs the digest itself: PKCS#1 v1.5 DigestInfo for RSA, plain ECDSA for EC. */
static EVP_PKEY_CTX *signature_ctx(EVP_PKEY *pkey, const EVP_MD *md, bool sign)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);

	if (!ctx)
		return NULL;
	if ((sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, md) != 1 ||
	    (EVP_PKEY_is_a(pkey, "RSA") && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1)) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

ssize_t mg_imasig_sign(EVP_PKEY *private_key, __u32 keyid, unsigned int hash_algo,
		       const unsigned char *digest, size_t digest_size,
		       unsigned char *xattr, size_t xattr_size, char *err, size_t err_size)
{
	const EVP_MD *md = mg_ima_hash_md(hash_algo);
	unsigned char signature[MG_IMASIG_MAX_SIG_BYTES];
	struct mg_imasig sig = { .hash_algo = hash_algo, .keyid = keyid, .sig = signature };
	EVP_PKEY_CTX *ctx = NULL;
	size_t needed = 0;
	ssize_t ret = -1;

	if (!md) {
		snprintf(err, err_size, "cannot sign with hash algorithm %s; use sha256, sha384 or sha512",
			 mg_ima_hash_name(hash_algo));
		goto cleanup;
	}
	if (digest_size != (size_t)EVP_MD_get_size(md)) {
		snprintf(err, err_size, "cannot sign: a %s digest has %d bytes, not %zu",
			 mg_ima_hash_name(hash_algo), EVP_MD_get_size(md), digest_size);
		goto cleanup;
	}
	ctx = signature_ctx(private_key, md, true);
	if (!ctx || EVP_PKEY_sign(ctx, NULL, &needed, digest, digest_size) != 1) {
		snprintf(err, err_size, "cannot sign: the %s key cannot sign %s digests; use RSA or ECDSA P-256",
			 EVP_PKEY_get0_type_name(private_key), mg_ima_hash_name(hash_algo));
		goto cleanup;
	}
	if (needed > sizeof(signature)) {
		snprintf(err, err_size, "cannot sign: signatures of this key exceed %zu bytes; use a key of at most 8192 bits",
			 sizeof(signature));
		goto cleanup;
	}
	sig.sig_size = sizeof(signature);
	if (EVP_PKEY_sign(ctx, signature, &sig.sig_size, digest, digest_size) != 1) {
		snprintf(err, err_size, "cannot sign: %s", ERR_reason_error_string(ERR_peek_error()));
		goto cleanup;
	}
	ret = mg_imasig_build(&sig, xattr, xattr_size);
	if (ret < 0)
		snprintf(err, err_size, "cannot sign: no room for a %zu-byte signature", sig.sig_size);
cleanup:
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return ret < 0 ? -1 : ret;
}

enum mg_imasig_status mg_imasig_verify(const struct mg_keyring *keyring, const struct mg_imasig *sig,
				       const unsigned char *digest, size_t digest_size,
				       const struct mg_key **signer)
{
	const EVP_MD *md = mg_ima_hash_md(sig->hash_algo);
	enum mg_imasig_status status = MG_IMASIG_UNKNOWN_KEY;
	const struct mg_key *key = NULL;

	if (!md)
		return check_hash_algo(sig->hash_algo);
	if (sig->sig_size == 0)
		return MG_IMASIG_EMPTY;
	if (sig->sig_size > MG_IMASIG_MAX_SIG_BYTES)
		return MG_IMASIG_OVERSIZED;
	if (digest_size != (size_t)EVP_MD_get_size(md))
		return MG_IMASIG_BAD_SIGNATURE;
	/* keyids are 32 bits and may collide: any key that answers to it may verify */
	while ((key = mg_keyring_next_match(keyring, sig->keyid, key))) {
		EVP_PKEY_CTX *ctx = signature_ctx(key->pkey, md, false);
		bool verified = ctx && EVP_PKEY_verify(ctx, sig->sig, sig->sig_size, digest, digest_size) == 1;

		EVP_PKEY_CTX_free(ctx);
		ERR_clear_error();
		if (verified) {
			if (signer)
				*signer = key;
			return MG_IMASIG_VALID;
		}
		status = MG_IMASIG_BAD_SIGNATURE;
	}
	return status;
}
