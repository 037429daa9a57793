// SPDX-License-Identifier: GPL-2.0-only
/* Public keys as evmctl uses them: PEM or DER, a bare key or an X.509 certificate. */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "lib.h"

bool mg_is_pem(const unsigned char *data, size_t size)
{
	return memmem(data, size, "-----BEGIN ", 11) != NULL;
}

/* A passphrase prompt would hang a daemon; encrypted keys simply fail to decode. */
static int refuse_passphrase(char *pass, size_t pass_size, size_t *pass_len,
			     const OSSL_PARAM params[], void *arg)
{
	(void)pass;
	(void)pass_size;
	(void)pass_len;
	(void)params;
	(void)arg;
	return 0;
}

EVP_PKEY *mg_decode_key(const unsigned char *data, size_t size, int selection)
{
	const char *input_type = mg_is_pem(data, size) ? "PEM" : "DER";
	OSSL_DECODER_CTX *decoder = NULL;
	EVP_PKEY *pkey = NULL;
	size_t left = size;

	decoder = OSSL_DECODER_CTX_new_for_pkey(&pkey, input_type, NULL, NULL, selection, NULL, NULL);
	if (!decoder)
		goto cleanup;
	OSSL_DECODER_CTX_set_passphrase_cb(decoder, refuse_passphrase, NULL);
	if (!OSSL_DECODER_from_data(decoder, &data, &left))
		goto cleanup;
	/* Trailing bytes after DER mean it was something else that happened to parse. */
	if (strcmp(input_type, "DER") == 0 && left != 0) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
cleanup:
	OSSL_DECODER_CTX_free(decoder);
	ERR_clear_error();
	return pkey;
}

X509 *mg_decode_certificate(const unsigned char *data, size_t size)
{
	X509 *cert = NULL;

	if (mg_is_pem(data, size)) {
		BIO *bio = BIO_new_mem_buf(data, (int)size);

		if (bio)
			cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else {
		const unsigned char *p = data;

		cert = d2i_X509(NULL, &p, (long)size);
		if (cert && p != data + size) {
			X509_free(cert);
			cert = NULL;
		}
	}
	ERR_clear_error();
	return cert;
}

EVP_PKEY *mg_decode_public_key(const unsigned char *data, size_t size, X509 **cert)
{
	X509 *found = mg_decode_certificate(data, size);
	EVP_PKEY *pkey;

	if (found)
		pkey = X509_get_pubkey(found);
	else
		pkey = mg_decode_key(data, size, OSSL_KEYMGMT_SELECT_PUBLIC_KEY);
	ERR_clear_error();
	if (cert)
		*cert = found;
	else
		X509_free(found);
	return pkey;
}
