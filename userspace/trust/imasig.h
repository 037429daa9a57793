/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IMA digital signatures, version 2, as the kernel and evmctl write them into
 * security.ima:
 *
 *	u8   type       0x03 (EVM_IMA_XATTR_DIGSIG)
 *	u8   version    2
 *	u8   hash_algo  id from the kernel's include/uapi/linux/hash_info.h
 *	be32 keyid      last 4 bytes of the signer's key id (see keyring.h)
 *	be16 sig_size   bytes of signature that follow, exactly
 *	u8   sig[]      RSA PKCS#1 v1.5 or DER ECDSA over the file's digest
 *
 * Parsing is strict: anything the kernel would refuse, and anything a
 * careful signer would not write, is an error of its own kind and is never
 * verified.
 */
#ifndef MEDGUARD_IMASIG_H
#define MEDGUARD_IMASIG_H

#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>
#include <openssl/evp.h>

#include "keyring.h"
#include "medguard_limits.h"

#define MG_IMA_XATTR_NAME "security.ima"

/* enum evm_ima_xattr_type in the kernel's security/integrity/integrity.h */
#define MG_IMA_XATTR_DIGEST 0x01
#define MG_IMA_XATTR_DIGSIG 0x03
#define MG_IMA_XATTR_DIGEST_NG 0x04
#define MG_IMA_DIGSIG_VERSION 2

#define MG_IMASIG_HEADER_BYTES 9
#define MG_IMASIG_MAX_XATTR_BYTES (MG_IMASIG_HEADER_BYTES + MG_IMASIG_MAX_SIG_BYTES)
#define MG_IMA_MAX_DIGEST_BYTES 64

/*
 * The hash algorithm ids medguard accepts. The kernel knows more, up to
 * MG_IMA_HASH_KERNEL_LAST; those are refused, the weak ones above all.
 */
enum mg_ima_hash {
	MG_IMA_HASH_SHA256 = 4,
	MG_IMA_HASH_SHA384 = 5,
	MG_IMA_HASH_SHA512 = 6,
	MG_IMA_HASH_KERNEL_LAST = 23, /* HASH_ALGO__LAST with SHA-3, Linux 6.x */
};

/* What a look at one security.ima value found; each failure its own kind. */
enum mg_imasig_status {
	MG_IMASIG_VALID = 0,
	MG_IMASIG_ABSENT,        /* the file has no security.ima */
	MG_IMASIG_TRUNCATED,     /* shorter than a signature header */
	MG_IMASIG_OVERSIZED,     /* longer than any signature medguard accepts */
	MG_IMASIG_NOT_SIGNATURE, /* security.ima holds a plain file hash */
	MG_IMASIG_BAD_TYPE,      /* first byte is no IMA signature type */
	MG_IMASIG_BAD_VERSION,   /* not a version 2 signature */
	MG_IMASIG_UNKNOWN_ALGO,  /* hash algorithm id no kernel knows */
	MG_IMASIG_REFUSED_ALGO,  /* a known hash algorithm medguard does not accept */
	MG_IMASIG_EMPTY,         /* a header with no signature bytes */
	MG_IMASIG_SIZE_MISMATCH, /* sig_size disagrees with the bytes that follow */
	MG_IMASIG_UNKNOWN_KEY,   /* no key in the keyring has the signature's keyid */
	MG_IMASIG_BAD_SIGNATURE, /* a key with that keyid does not verify it */
	MG_IMASIG_NSTATUS,
};

/* A parsed signature; sig points into the buffer that was parsed. */
struct mg_imasig {
	__u8 hash_algo;
	__u32 keyid; /* host byte order */
	const unsigned char *sig;
	size_t sig_size;
};

/* One line for a person: what is wrong and what to do about it. */
const char *mg_imasig_strerror(enum mg_imasig_status status);

/* The digest of an accepted algorithm; NULL for any other id. */
const EVP_MD *mg_ima_hash_md(unsigned int hash_algo);
/* The kernel's name for any id it knows ("sha1"), "unknown" beyond. */
const char *mg_ima_hash_name(unsigned int hash_algo);
/* The id of an accepted algorithm by name, or -1. */
int mg_ima_hash_by_name(const char *name);

/* By the module's own parser (kmod/medguard_imasig_header.h): the same status for the same bytes. */
enum mg_imasig_status mg_imasig_parse(const void *xattr, size_t size, struct mg_imasig *sig);

/* Writes the xattr value for SIG into OUT; returns its length, or -EINVAL / -ENOSPC. */
ssize_t mg_imasig_build(const struct mg_imasig *sig, void *out, size_t out_size);

/*
 * Signs DIGEST (made with HASH_ALGO) with PRIVATE_KEY and writes the
 * security.ima value into XATTR. Returns its length, or -1 with one line in ERR.
 */
ssize_t mg_imasig_sign(EVP_PKEY *private_key, __u32 keyid, unsigned int hash_algo,
		       const unsigned char *digest, size_t digest_size,
		       unsigned char *xattr, size_t xattr_size, char *err, size_t err_size);

/*
 * Verifies SIG over DIGEST, which the caller made with sig->hash_algo, with
 * every key of KEYRING whose keyid matches. *SIGNER (may be NULL) is the key
 * that verified it.
 */
enum mg_imasig_status mg_imasig_verify(const struct mg_keyring *keyring, const struct mg_imasig *sig,
				       const unsigned char *digest, size_t digest_size,
				       const struct mg_key **signer);

#endif /* MEDGUARD_IMASIG_H */
