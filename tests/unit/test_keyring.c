// SPDX-License-Identifier: GPL-2.0-only
/* Public and private key loading, keyids as evmctl and the kernel compute them, and every key error. */
#include "unit.h"
#include "trust_fixture.h"

#include "keyring.h"

static char err[1024];

/* The last 4 bytes of a certificate's subject key identifier, as the openssl tool prints it. */
static __u32 openssl_skid(const char *cert)
{
	char command[512], line[256] = "";
	unsigned int bytes[4] = { 0 };
	FILE *pipe;
	size_t len;

	snprintf(command, sizeof(command),
		 "openssl x509 -in '%s' -noout -ext subjectKeyIdentifier | tail -n 1 | tr -d ' \\n'", cert);
	pipe = popen(command, "r");
	if (!pipe)
		return 0;
	if (!fgets(line, sizeof(line), pipe))
		line[0] = '\0';
	pclose(pipe);
	len = strlen(line);
	if (len < 11 || sscanf(line + len - 11, "%2x:%2x:%2x:%2x", &bytes[0], &bytes[1], &bytes[2], &bytes[3]) != 4)
		return 0;
	return bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3];
}

static const struct mg_key *add_key(struct mg_keyring *keyring, const char *name)
{
	if (mg_keyring_add_file(keyring, fixture_path(name), name, 7, err, sizeof(err))) {
		printf("# %s\n", err);
		return NULL;
	}
	return mg_keyring_key(keyring, mg_keyring_count(keyring) - 1);
}

static void check_formats(const char *name)
{
	static const char *const suffixes[] = { ".pub", ".pub.der", ".crt", ".crt.der" };
	struct mg_keyring *keyring = mg_keyring_new();
	__u32 expected = openssl_skid(fixture_path(strcmp(name, "rsa") ? "ec.crt" : "rsa.crt"));
	char file[64];

	ASSERT_TRUE(expected != 0, "openssl printed the subject key identifier");
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		const struct mg_key *key;

		snprintf(file, sizeof(file), "%s%s", name, suffixes[i]);
		key = add_key(keyring, file);
		if (!ASSERT_TRUE(key != NULL, file))
			continue;
		/* openssl req's identifier is the SHA-1 of the public key, evmctl's keyid source too */
		ASSERT_EQ(key->ima_keyid, expected, file);
		ASSERT_EQ(key->skid_keyid, expected, "same as the certificate's");
		ASSERT_EQ(key->key_id, 7, "key_id carried");
		ASSERT_STREQ(key->name, file, "name carried");
		ASSERT_STREQ(key->path, fixture_path(file), "path carried");
	}
	mg_keyring_free(keyring);
}

static void test_rsa_formats(void)
{
	struct mg_keyring *keyring = mg_keyring_new();
	const struct mg_key *pkcs1, *spki;

	check_formats("rsa");
	run_shell("openssl pkey -in '%s' -pubout -traditional 2>/dev/null | openssl rsa -pubin -RSAPublicKey_out -out '%s' 2>/dev/null",
		  fixture_path("rsa.pem"), fixture_path("rsa.pkcs1"));
	pkcs1 = add_key(keyring, "rsa.pkcs1");
	spki = add_key(keyring, "rsa.pub");
	ASSERT_TRUE(pkcs1 && spki && pkcs1->ima_keyid == spki->ima_keyid, "PKCS#1 PEM: same keyid");
	mg_keyring_free(keyring);
}

static void test_ec_formats(void)
{
	check_formats("ec");
}

static void test_p384_accepted(void)
{
	struct mg_keyring *keyring = mg_keyring_new();

	ASSERT_EQ(make_key("p384", "-algorithm EC -pkeyopt ec_paramgen_curve:P-384"), 0, "made");
	ASSERT_TRUE(add_key(keyring, "p384.pub") != NULL, "P-384 loads");
	mg_keyring_free(keyring);
}

static void test_certificate_with_own_identifier(void)
{
	struct mg_keyring *keyring = mg_keyring_new();
	const struct mg_key *key, *plain;

	ASSERT_EQ(run_shell("openssl req -new -x509 -key '%s' -subj /CN=skid -days 3 -addext subjectKeyIdentifier=01:02:03:04:AA:BB:CC:DD -out '%s' 2>/dev/null",
			    fixture_path("ec.pem"), fixture_path("skid.crt")), 0, "certificate made");
	key = add_key(keyring, "skid.crt");
	plain = add_key(keyring, "ec.pub");
	if (!ASSERT_TRUE(key && plain, "loaded"))
		goto cleanup;
	ASSERT_EQ(key->skid_keyid, 0xaabbccdd, "keyid from the identifier, as the kernel looks it up");
	ASSERT_EQ(key->ima_keyid, plain->ima_keyid, "keyid from the key, as evmctl computes it");
	ASSERT_TRUE(mg_keyring_next_match(keyring, 0xaabbccdd, NULL) == key, "found by identifier");
	ASSERT_TRUE(mg_keyring_next_match(keyring, plain->ima_keyid, NULL) == key, "found by computed keyid");
	ASSERT_TRUE(mg_keyring_next_match(keyring, plain->ima_keyid, key) == plain, "then the next key");
	ASSERT_TRUE(mg_keyring_next_match(keyring, plain->ima_keyid, plain) == NULL, "then none");
	ASSERT_TRUE(mg_keyring_next_match(keyring, 0x11111111, NULL) == NULL, "unknown keyid");
cleanup:
	mg_keyring_free(keyring);
}

static void test_name_defaults_to_path(void)
{
	struct mg_keyring *keyring = mg_keyring_new();
	const struct mg_key *key;

	ASSERT_EQ(mg_keyring_add_file(keyring, fixture_path("rsa.pub"), NULL, 0, err, sizeof(err)), 0, "loaded");
	key = mg_keyring_key(keyring, 0);
	ASSERT_STREQ(key ? key->name : NULL, fixture_path("rsa.pub"), "name is the path");
	ASSERT_TRUE(mg_keyring_key(keyring, 1) == NULL, "no second key");
	mg_keyring_free(keyring);
}

static void expect_public_error(const char *file, const char *expected_format)
{
	struct mg_keyring *keyring = mg_keyring_new();
	char expected[1024];
	const char *path = fixture_path(file);

	snprintf(expected, sizeof(expected), expected_format, path, path);
	ASSERT_EQ(mg_keyring_add_file(keyring, path, NULL, 1, err, sizeof(err)), -1, file);
	ASSERT_STREQ(err, expected, file);
	ASSERT_EQ(mg_keyring_count(keyring), 0, "nothing added");
	mg_keyring_free(keyring);
}

static void test_public_key_errors(void)
{
	static char big[70000];
	unsigned char der[600];
	size_t size;
	FILE *file;

	expect_public_error("missing.pem", "cannot read key %s: No such file or directory; check the path");
	write_text(fixture_path("empty.pem"), "");
	expect_public_error("empty.pem", "cannot read key %s: the file is empty; export it with 'openssl pkey -pubout'");
	memset(big, 'A', sizeof(big));
	write_file(fixture_path("big.pem"), big, sizeof(big));
	expect_public_error("big.pem",
			    "cannot read key %s: larger than 64 KiB, so not a key; export it with 'openssl pkey -pubout'");
	write_text(fixture_path("garbage.pem"), "this is no key\n");
	expect_public_error("garbage.pem",
			    "cannot read key %s: not a PEM or DER public key; export it with 'openssl pkey -pubout'");
	mkdir(fixture_path("keydir"), 0700);
	expect_public_error("keydir", "cannot read key %s: Is a directory; check the path");
	expect_public_error("rsa.pem",
			    "cannot read key %s: it is a private key, which belongs on the signing host only; give its public key instead ('openssl pkey -in %s -pubout')");
	run_shell("openssl pkey -in '%s' -outform DER -out '%s'", fixture_path("ec.pem"), fixture_path("ec.priv.der"));
	expect_public_error("ec.priv.der",
			    "cannot read key %s: it is a private key, which belongs on the signing host only; give its public key instead ('openssl pkey -in %s -pubout')");

	/* DER with a byte after it, and a cut certificate */
	file = fopen(fixture_path("rsa.pub.der"), "rb");
	size = file ? fread(der, 1, sizeof(der) - 1, file) : 0;
	if (file)
		fclose(file);
	der[size] = 0;
	write_file(fixture_path("trailing.der"), der, size + 1);
	expect_public_error("trailing.der",
			    "cannot read key %s: not a PEM or DER public key; export it with 'openssl pkey -pubout'");
	write_file(fixture_path("cut.der"), der, size / 2);
	expect_public_error("cut.der",
			    "cannot read key %s: not a PEM or DER public key; export it with 'openssl pkey -pubout'");

	ASSERT_EQ(make_key("weak", "-algorithm RSA -pkeyopt rsa_keygen_bits:1024"), 0, "weak key made");
	expect_public_error("weak.pub",
			    "cannot use key %s: an RSA key of 1024 bits is too weak; use RSA with 2048 bits or more, or ECDSA P-256");
	expect_public_error("weak.crt.der",
			    "cannot use key %s: an RSA key of 1024 bits is too weak; use RSA with 2048 bits or more, or ECDSA P-256");
	ASSERT_EQ(make_key("ed", "-algorithm ED25519"), 0, "ed25519 key made");
	expect_public_error("ed.pub",
			    "cannot use key %s: ED25519 keys cannot make IMA signatures; use RSA (2048 bits or more) or ECDSA P-256");
	ASSERT_EQ(make_key("k1", "-algorithm EC -pkeyopt ec_paramgen_curve:secp256k1"), 0, "secp256k1 key made");
	expect_public_error("k1.pub",
			    "cannot use key %s: the kernel does not verify ECDSA on curve secp256k1; use P-256 or P-384");
}

static void test_too_many_keys(void)
{
	struct mg_keyring *keyring = mg_keyring_new();
	char expected[512];

	for (int i = 0; i < MG_MAX_KEYS; i++)
		ASSERT_EQ(mg_keyring_add_file(keyring, fixture_path("ec.pub"), NULL, i + 1, err, sizeof(err)), 0,
			  "within the limit");
	ASSERT_EQ(mg_keyring_add_file(keyring, fixture_path("ec.pub"), NULL, 99, err, sizeof(err)), -1, "one too many");
	snprintf(expected, sizeof(expected),
		 "cannot add key %s: medguard holds at most 32 keys; remove keys nobody signs with", fixture_path("ec.pub"));
	ASSERT_STREQ(err, expected, "limit message");
	ASSERT_EQ(mg_keyring_count(keyring), MG_MAX_KEYS, "count");
	mg_keyring_free(keyring);
}

static void test_private_keys(void)
{
	struct mg_keyring *keyring = mg_keyring_new();
	const struct mg_key *rsa = add_key(keyring, "rsa.pub"), *ec = add_key(keyring, "ec.pub");
	EVP_PKEY *pkey;
	__u32 keyid = 0;

	pkey = mg_key_load_private(fixture_path("rsa.pem"), &keyid, err, sizeof(err));
	ASSERT_TRUE(pkey != NULL, "RSA PEM loads");
	ASSERT_TRUE(rsa && keyid == rsa->ima_keyid, "RSA keyid as the public key's");
	EVP_PKEY_free(pkey);
	pkey = mg_key_load_private(fixture_path("ec.priv.der"), &keyid, err, sizeof(err));
	ASSERT_TRUE(pkey != NULL, "EC DER loads");
	ASSERT_TRUE(ec && keyid == ec->ima_keyid, "EC keyid as the public key's");
	EVP_PKEY_free(pkey);

	/* evmctl reads the keyid of a certificate kept in the same PEM file, if it is this key's */
	run_shell("cat '%s' '%s' > '%s'", fixture_path("ec.pem"), fixture_path("skid.crt"), fixture_path("ec+skid.pem"));
	pkey = mg_key_load_private(fixture_path("ec+skid.pem"), &keyid, err, sizeof(err));
	ASSERT_TRUE(pkey != NULL, "key with certificate loads");
	ASSERT_EQ(keyid, 0xaabbccdd, "keyid from the certificate");
	EVP_PKEY_free(pkey);
	run_shell("cat '%s' '%s' > '%s'", fixture_path("ec.pem"), fixture_path("rsa.crt"), fixture_path("ec+rsa.pem"));
	pkey = mg_key_load_private(fixture_path("ec+rsa.pem"), &keyid, err, sizeof(err));
	ASSERT_TRUE(pkey != NULL, "key with another key's certificate loads");
	ASSERT_TRUE(ec && keyid == ec->ima_keyid, "keyid from the key, not the foreign certificate");
	EVP_PKEY_free(pkey);
	mg_keyring_free(keyring);
}

static void expect_private_error(const char *file, const char *expected_format)
{
	const char *path = fixture_path(file);
	char expected[1024];
	__u32 keyid;

	snprintf(expected, sizeof(expected), expected_format, path, path);
	ASSERT_TRUE(mg_key_load_private(path, &keyid, err, sizeof(err)) == NULL, file);
	ASSERT_STREQ(err, expected, file);
}

static void test_private_key_errors(void)
{
	expect_private_error("missing.pem", "cannot read private key %s: No such file or directory; check the path");
	expect_private_error("empty.pem",
			     "cannot read private key %s: the file is empty; create one with 'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256'");
	expect_private_error("garbage.pem",
			     "cannot read private key %s: not a PEM or DER private key; create one with 'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256'");
	expect_private_error("rsa.pub",
			     "cannot read private key %s: it holds a public key or certificate; signing needs the private key");
	expect_private_error("rsa.crt.der",
			     "cannot read private key %s: it holds a public key or certificate; signing needs the private key");
	run_shell("openssl pkey -in '%s' -aes256 -passout pass:secret -out '%s'", fixture_path("ec.pem"),
		  fixture_path("encrypted.pem"));
	expect_private_error("encrypted.pem",
			     "cannot read private key %s: it is encrypted and medguard takes no passphrase; sign with a decrypted copy ('openssl pkey -in %s -out COPY') and remove the copy afterwards");
	expect_private_error("weak.pem",
			     "cannot use private key %s: an RSA key of 1024 bits is too weak; use RSA with 2048 bits or more, or ECDSA P-256");
	expect_private_error("ed.pem",
			     "cannot use private key %s: ED25519 keys cannot make IMA signatures; use RSA (2048 bits or more) or ECDSA P-256");
}

/* Cut and scrambled key files load or are refused with one line, never a crash. */
static void test_mutated_key_files(void)
{
	static const char *const originals[] = { "rsa.pub", "rsa.pub.der", "ec.crt", "ec.crt.der" };
	uint64_t state = 0x243f6a8885a308d3ull;
	unsigned int refused = 0, tried = 0;

	for (size_t k = 0; k < sizeof(originals) / sizeof(originals[0]); k++) {
		FILE *file = fopen(fixture_path(originals[k]), "rb");
		unsigned char data[4096], mutated[4096];
		size_t size = file ? fread(data, 1, sizeof(data), file) : 0;

		if (file)
			fclose(file);
		if (!ASSERT_TRUE(size > 0, originals[k]))
			continue;
		for (int round = 0; round < 75; round++) {
			struct mg_keyring *keyring = mg_keyring_new();
			size_t len = round % 3 == 0 ? fixture_random(&state) % size : size;

			memcpy(mutated, data, size);
			if (round % 3)
				for (int i = 0; i < 1 + round % 5; i++)
					mutated[fixture_random(&state) % size] ^= 1 + fixture_random(&state) % 255;
			write_file(fixture_path("mutated"), mutated, len);
			if (mg_keyring_add_file(keyring, fixture_path("mutated"), NULL, 1, err, sizeof(err))) {
				refused++;
				ASSERT_HAS(err, fixture_path("mutated"), "names the file");
				ASSERT_TRUE(strchr(err, '\n') == NULL, "one line");
			}
			tried++;
			mg_keyring_free(keyring);
		}
	}
	printf("# %u mutated key files tried, %u refused\n", tried, refused);
	ASSERT_TRUE(refused > tried / 2, "most refused");
}

int main(void)
{
	fixture_setup();
	if (make_rsa_key("rsa") || make_ec_key("ec")) {
		printf("Bail out! cannot make test keys with openssl\n");
		return 1;
	}
	RUN(test_rsa_formats);
	RUN(test_ec_formats);
	RUN(test_p384_accepted);
	RUN(test_certificate_with_own_identifier);
	RUN(test_name_defaults_to_path);
	RUN(test_public_key_errors);
	RUN(test_too_many_keys);
	RUN(test_private_keys);
	RUN(test_private_key_errors);
	RUN(test_mutated_key_files);
	fixture_teardown();
	return unit_done();
}
