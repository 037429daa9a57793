// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "keyring.h"
#include "lib/lib.h"

#define PUBOUT_ADVICE "export it with 'openssl pkey -pubout'"

struct mg_keyring {
	struct mg_key **keys; /* one allocation each, so that callers' pointers stay valid */
	size_t nkeys;
};

struct mg_keyring *mg_keyring_new(void)
{
	return calloc(1, sizeof(struct mg_keyring));
}

static void key_free(struct mg_key *key)
{
	if (!key)
		return;
	EVP_PKEY_free(key->pkey);
	free(key->name);
	free(key->path);
	free(key);
}

void mg_keyring_free(struct mg_keyring *keyring)
{
	if (!keyring)
		return;
	for (size_t i = 0; i < keyring->nkeys; i++)
		key_free(keyring->keys[i]);
	free(keyring->keys);
	free(keyring);
}

size_t mg_keyring_count(const struct mg_keyring *keyring)
{
	return keyring->nkeys;
}

const struct mg_key *mg_keyring_key(const struct mg_keyring *keyring, size_t index)
{
	return index < keyring->nkeys ? keyring->keys[index] : NULL;
}

const struct mg_key *mg_keyring_next_match(const struct mg_keyring *keyring, __u32 ima_keyid,
					   const struct mg_key *prev)
{
	size_t i = 0;

	if (prev) {
		while (i < keyring->nkeys && keyring->keys[i] != prev)
			i++;
		i++;
	}
	for (; i < keyring->nkeys; i++) {
		const struct mg_key *key = keyring->keys[i];

		if (key->ima_keyid == ima_keyid || key->skid_keyid == ima_keyid)
			return key;
	}
	return NULL;
}

static __u32 be32_at(const unsigned char *bytes)
{
	return (__u32)bytes[0] << 24 | (__u32)bytes[1] << 16 | (__u32)bytes[2] << 8 | bytes[3];
}

int mg_key_ima_keyid(EVP_PKEY *pkey, __u32 *ima_keyid)
{
	X509_PUBKEY *spki = NULL;
	const unsigned char *public_key;
	unsigned char sha1[EVP_MAX_MD_SIZE];
	unsigned int sha1_size = 0;
	int public_key_size;
	int ret = -1;

	if (!X509_PUBKEY_set(&spki, pkey) ||
	    !X509_PUBKEY_get0_param(NULL, &public_key, &public_key_size, NULL, spki))
		goto cleanup;
	if (!EVP_Digest(public_key, public_key_size, sha1, &sha1_size, EVP_sha1(), NULL) ||
	    sha1_size < 4)
		goto cleanup;
	*ima_keyid = be32_at(sha1 + sha1_size - 4);
	ret = 0;
cleanup:
	X509_PUBKEY_free(spki);
	ERR_clear_error();
	return ret;
}

/* Reads a whole key file of at most MG_KEY_MAX_FILE_BYTES; WHAT is "key" or "private key". */
static int read_key_file(const char *path, const char *what, const char *advice,
			 unsigned char **data, size_t *size, char *err, size_t err_size)
{
	unsigned char *buf = NULL;
	size_t used = 0;
	int ret = -1;
	int error;

	error = mg_read_file(path, MG_KEY_MAX_FILE_BYTES, (char **)&buf, &used);
	if (error == -ENOMEM) {
		snprintf(err, err_size, "cannot read %s %s: out of memory", what, path);
		goto cleanup;
	}
	if (error) {
		snprintf(err, err_size, "cannot read %s %s: %s; check the path", what, path,
			 strerror(-error));
		goto cleanup;
	}
	if (used == 0) {
		snprintf(err, err_size, "cannot read %s %s: the file is empty; %s", what, path, advice);
		goto cleanup;
	}
	if (used > MG_KEY_MAX_FILE_BYTES) {
		snprintf(err, err_size, "cannot read %s %s: larger than %u KiB, so not a key; %s",
			 what, path, MG_KEY_MAX_FILE_BYTES / 1024, advice);
		goto cleanup;
	}
	*data = buf;
	*size = used;
	buf = NULL;
	ret = 0;
cleanup:
	free(buf);
	return ret;
}

/* The last 4 bytes of CERT's subject key identifier, when it has one. */
static bool certificate_keyid(X509 *cert, __u32 *keyid)
{
	const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(cert);

	if (!skid || ASN1_STRING_length(skid) < 4)
		return false;
	*keyid = be32_at(ASN1_STRING_get0_data(skid) + ASN1_STRING_length(skid) - 4);
	return true;
}

/* Only what the kernel can verify, and not weaker than today's practice. */
static int check_key_usable(EVP_PKEY *pkey, const char *what, const char *path,
			    char *err, size_t err_size)
{
	char group[64] = "";

	if (EVP_PKEY_is_a(pkey, "RSA")) {
		if (EVP_PKEY_get_bits(pkey) < MG_KEY_MIN_RSA_BITS) {
			snprintf(err, err_size,
				 "cannot use %s %s: an RSA key of %d bits is too weak; use RSA with %d bits or more, or ECDSA P-256",
				 what, path, EVP_PKEY_get_bits(pkey), MG_KEY_MIN_RSA_BITS);
			return -1;
		}
		return 0;
	}
	if (EVP_PKEY_is_a(pkey, "EC")) {
		EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL);
		ERR_clear_error();
		if (strcmp(group, "prime256v1") == 0 || strcmp(group, "secp384r1") == 0)
			return 0;
		snprintf(err, err_size,
			 "cannot use %s %s: the kernel does not verify ECDSA on curve %s; use P-256 or P-384",
			 what, path, group[0] ? group : "(unnamed)");
		return -1;
	}
	snprintf(err, err_size,
		 "cannot use %s %s: %s keys cannot make IMA signatures; use RSA (%d bits or more) or ECDSA P-256",
		 what, path, EVP_PKEY_get0_type_name(pkey), MG_KEY_MIN_RSA_BITS);
	return -1;
}

int mg_keyring_add_file(struct mg_keyring *keyring, const char *path, const char *name,
			__u32 key_id, char *err, size_t err_size)
{
	unsigned char *data = NULL;
	struct mg_key *key = NULL;
	struct mg_key **keys;
	X509 *cert = NULL;
	size_t size = 0;
	int ret = -1;

	if (keyring->nkeys >= MG_MAX_KEYS) {
		snprintf(err, err_size, "cannot add key %s: medguard holds at most %d keys; remove keys nobody signs with",
			 path, MG_MAX_KEYS);
		goto cleanup;
	}
	if (read_key_file(path, "key", PUBOUT_ADVICE, &data, &size, err, err_size))
		goto cleanup;
	key = calloc(1, sizeof(*key));
	if (!key) {
		snprintf(err, err_size, "cannot read key %s: out of memory", path);
		goto cleanup;
	}
	key->pkey = mg_decode_public_key(data, size, &cert);
	if (!key->pkey) {
		EVP_PKEY *private_key = mg_decode_key(data, size, OSSL_KEYMGMT_SELECT_PRIVATE_KEY);

		if (private_key || memmem(data, size, "PRIVATE KEY-----", 16))
			snprintf(err, err_size,
				 "cannot read key %s: it is a private key, which belongs on the signing host only; give its public key instead ('openssl pkey -in %s -pubout')",
				 path, path);
		else
			snprintf(err, err_size, "cannot read key %s: not a PEM or DER public key; %s",
				 path, PUBOUT_ADVICE);
		EVP_PKEY_free(private_key);
		goto cleanup;
	}
	if (check_key_usable(key->pkey, "key", path, err, err_size))
		goto cleanup;
	if (mg_key_ima_keyid(key->pkey, &key->ima_keyid)) {
		snprintf(err, err_size, "cannot read key %s: its public key cannot be encoded; %s",
			 path, PUBOUT_ADVICE);
		goto cleanup;
	}
	if (!cert || !certificate_keyid(cert, &key->skid_keyid))
		key->skid_keyid = key->ima_keyid;
	key->key_id = key_id;
	key->path = strdup(path);
	key->name = strdup(name ? name : path);
	keys = realloc(keyring->keys, (keyring->nkeys + 1) * sizeof(*keys));
	if (!key->path || !key->name || !keys) {
		if (keys)
			keyring->keys = keys;
		snprintf(err, err_size, "cannot read key %s: out of memory", path);
		goto cleanup;
	}
	keyring->keys = keys;
	keyring->keys[keyring->nkeys++] = key;
	key = NULL;
	ret = 0;
cleanup:
	key_free(key);
	X509_free(cert);
	free(data);
	return ret;
}

EVP_PKEY *mg_key_load_private(const char *path, __u32 *keyid, char *err, size_t err_size)
{
	static const char advice[] =
		"create one with 'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256'";
	unsigned char *data = NULL;
	EVP_PKEY *pkey = NULL;
	X509 *cert = NULL;
	size_t size = 0;

	if (read_key_file(path, "private key", advice, &data, &size, err, err_size))
		goto cleanup;
	pkey = mg_decode_key(data, size, OSSL_KEYMGMT_SELECT_PRIVATE_KEY);
	if (!pkey) {
		if (memmem(data, size, "ENCRYPTED", 9))
			snprintf(err, err_size,
				 "cannot read private key %s: it is encrypted and medguard takes no passphrase; sign with a decrypted copy ('openssl pkey -in %s -out COPY') and remove the copy afterwards",
				 path, path);
		else if ((pkey = mg_decode_key(data, size, OSSL_KEYMGMT_SELECT_PUBLIC_KEY)) ||
			 (cert = mg_decode_certificate(data, size)))
			snprintf(err, err_size,
				 "cannot read private key %s: it holds a public key or certificate; signing needs the private key",
				 path);
		else
			snprintf(err, err_size, "cannot read private key %s: not a PEM or DER private key; %s",
				 path, advice);
		EVP_PKEY_free(pkey);
		pkey = NULL;
		goto cleanup;
	}
	if (check_key_usable(pkey, "private key", path, err, err_size)) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
		goto cleanup;
	}
	if (mg_key_ima_keyid(pkey, keyid)) {
		snprintf(err, err_size, "cannot read private key %s: its public key cannot be encoded; %s",
			 path, advice);
		EVP_PKEY_free(pkey);
		pkey = NULL;
		goto cleanup;
	}
	/* Like evmctl, take the keyid of this key's certificate kept beside it: the kernel looks it up by that. */
	if (mg_is_pem(data, size)) {
		cert = mg_decode_certificate(data, size);
		if (cert && EVP_PKEY_eq(X509_get0_pubkey(cert), pkey) == 1)
			certificate_keyid(cert, keyid);
	}
cleanup:
	X509_free(cert);
	free(data);
	return pkey;
}
