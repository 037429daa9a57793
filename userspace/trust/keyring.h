/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The public keys whose IMA signatures medguard trusts, and the private keys
 * `medguard sign` uses.
 *
 * A signature names its key by a 32-bit keyid, computed as evmctl does: the
 * last 4 bytes of the SHA-1 of the public key's BIT STRING in its
 * SubjectPublicKeyInfo (the PKCS#1 RSAPublicKey, or the EC point). The kernel
 * looks certificates up by the last 4 bytes of their subject key identifier
 * instead, which `openssl req` computes the same way, but other tools may
 * not: a certificate's key answers to both.
 *
 * A certificate is only a container for its key here: the policy naming the
 * file is what makes the key trusted, so issuer and dates are not checked.
 */
#ifndef MEDGUARD_KEYRING_H
#define MEDGUARD_KEYRING_H

#include <stddef.h>
#include <linux/types.h>
#include <openssl/evp.h>

#include "medguard_limits.h"

#define MG_KEY_MIN_RSA_BITS 2048

struct mg_key {
	char *name;        /* the policy's name for it, or its path */
	char *path;
	__u32 key_id;      /* the policy's 1-based id; 0 outside a policy */
	__u32 ima_keyid;   /* as in signature headers, host byte order */
	__u32 skid_keyid;  /* a certificate's subject key identifier; else ima_keyid */
	EVP_PKEY *pkey;
};

struct mg_keyring;

struct mg_keyring *mg_keyring_new(void);
void mg_keyring_free(struct mg_keyring *keyring);

/*
 * Loads the public key in PATH (PEM or DER SubjectPublicKeyInfo, PKCS#1 RSA
 * PEM, or an X.509 certificate in PEM or DER). NAME may be NULL. Returns 0, or
 * -1 with one line in ERR ("cannot read key PATH: what; what to do").
 */
int mg_keyring_add_file(struct mg_keyring *keyring, const char *path, const char *name,
			__u32 key_id, char *err, size_t err_size);

size_t mg_keyring_count(const struct mg_keyring *keyring);
const struct mg_key *mg_keyring_key(const struct mg_keyring *keyring, size_t index);

/* The next key after PREV (NULL: the first) that answers to IMA_KEYID. */
const struct mg_key *mg_keyring_next_match(const struct mg_keyring *keyring, __u32 ima_keyid,
					   const struct mg_key *prev);

/* evmctl's keyid of PKEY's public key; returns 0, or -1 if PKEY has none. */
int mg_key_ima_keyid(EVP_PKEY *pkey, __u32 *ima_keyid);

/*
 * Loads a private key (PEM or DER, unencrypted) for signing. *KEYID is what
 * evmctl would put into signatures made with it: the subject key identifier
 * of a certificate in the same PEM file, else the computed keyid.
 */
EVP_PKEY *mg_key_load_private(const char *path, __u32 *keyid, char *err, size_t err_size);

#endif /* MEDGUARD_KEYRING_H */
