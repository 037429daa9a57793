// SPDX-License-Identifier: GPL-2.0-only
/* IMA digsig v2: the format, signing and verifying, and interoperation with evmctl. */
#include <errno.h>
#include <sys/xattr.h>

#include "unit.h"
#include "trust_fixture.h"

#include "cmd.h"
#include "imasig.h"
#include "keyring.h"
#include "medguard_imasig_header.h"
#include "trust.h"

static struct mg_keyring *keyring; /* rsa.pub and ec.pub */
static EVP_PKEY *rsa_private, *ec_private;
static __u32 rsa_keyid, ec_keyid;
static unsigned char digest[32]; /* SHA-256 of "medical records\n" */

static void sha256_of(const char *text, unsigned char out[32])
{
	EVP_Digest(text, strlen(text), out, NULL, EVP_sha256(), NULL);
}

/* A correct signature blob for the fixed digest. */
static ssize_t sign_blob(EVP_PKEY *pkey, __u32 keyid, unsigned char *xattr, size_t size)
{
	char err[512];

	return mg_imasig_sign(pkey, keyid, MG_IMA_HASH_SHA256, digest, sizeof(digest), xattr, size,
			      err, sizeof(err));
}

static enum mg_imasig_status parse_and_verify(const unsigned char *xattr, size_t size)
{
	struct mg_imasig sig;
	enum mg_imasig_status status = mg_imasig_parse(xattr, size, &sig);

	if (status != MG_IMASIG_VALID)
		return status;
	return mg_imasig_verify(keyring, &sig, digest, sizeof(digest), NULL);
}

static void test_parse_roundtrip(void)
{
	unsigned char signature[300], xattr[MG_IMASIG_MAX_XATTR_BYTES];
	struct mg_imasig in = { .hash_algo = MG_IMA_HASH_SHA512, .keyid = 0xdeadbeef,
				.sig = signature, .sig_size = sizeof(signature) };
	struct mg_imasig out;
	ssize_t size;

	for (size_t i = 0; i < sizeof(signature); i++)
		signature[i] = i * 7;
	size = mg_imasig_build(&in, xattr, sizeof(xattr));
	ASSERT_EQ(size, MG_IMASIG_HEADER_BYTES + sizeof(signature), "built size");
	ASSERT_EQ(xattr[0], 0x03, "type digsig");
	ASSERT_EQ(xattr[1], 2, "version 2");
	ASSERT_EQ(xattr[2], 6, "sha512 id");
	ASSERT_EQ(xattr[3], 0xde, "keyid big endian");
	ASSERT_EQ(xattr[6], 0xef, "keyid last byte");
	ASSERT_EQ(xattr[7], 0x01, "sig_size high byte");
	ASSERT_EQ(xattr[8], 0x2c, "sig_size low byte");
	ASSERT_EQ(mg_imasig_parse(xattr, size, &out), MG_IMASIG_VALID, "parses");
	ASSERT_EQ(out.hash_algo, MG_IMA_HASH_SHA512, "algo back");
	ASSERT_EQ(out.keyid, 0xdeadbeef, "keyid back");
	ASSERT_EQ(out.sig_size, sizeof(signature), "sig_size back");
	ASSERT_TRUE(out.sig == xattr + MG_IMASIG_HEADER_BYTES, "sig points into the xattr");
}

static void test_build_refuses(void)
{
	unsigned char signature[MG_IMASIG_MAX_SIG_BYTES + 1] = { 0 }, xattr[64];
	struct mg_imasig sig = { .hash_algo = MG_IMA_HASH_SHA256, .sig = signature, .sig_size = 0 };

	ASSERT_EQ(mg_imasig_build(&sig, xattr, sizeof(xattr)), -EINVAL, "empty signature");
	sig.sig_size = MG_IMASIG_MAX_SIG_BYTES + 1;
	ASSERT_EQ(mg_imasig_build(&sig, xattr, sizeof(xattr)), -EINVAL, "oversized signature");
	sig.sig_size = 16;
	sig.hash_algo = 2;
	ASSERT_EQ(mg_imasig_build(&sig, xattr, sizeof(xattr)), -EINVAL, "sha1 refused");
	sig.hash_algo = MG_IMA_HASH_SHA256;
	sig.sig_size = 60;
	ASSERT_EQ(mg_imasig_build(&sig, xattr, sizeof(xattr)), -ENOSPC, "no room");
}

static void test_parse_each_error(void)
{
	unsigned char good[MG_IMASIG_MAX_XATTR_BYTES + 8];
	unsigned char blob[MG_IMASIG_MAX_XATTR_BYTES + 8];
	struct mg_imasig sig;
	ssize_t size = sign_blob(rsa_private, rsa_keyid, good, sizeof(good));

	ASSERT_TRUE(size > MG_IMASIG_HEADER_BYTES, "signed");
	ASSERT_EQ(mg_imasig_parse(good, size, &sig), MG_IMASIG_VALID, "good blob");
	ASSERT_EQ(mg_imasig_parse(good, 0, &sig), MG_IMASIG_TRUNCATED, "empty");
	ASSERT_EQ(mg_imasig_parse(good, 5, &sig), MG_IMASIG_TRUNCATED, "shorter than header");

	memcpy(blob, good, size);
	blob[0] = 0x04;
	ASSERT_EQ(mg_imasig_parse(blob, size, &sig), MG_IMASIG_NOT_SIGNATURE, "ima-ng hash");
	blob[0] = 0x01;
	ASSERT_EQ(mg_imasig_parse(blob, 21, &sig), MG_IMASIG_NOT_SIGNATURE, "old ima hash");
	blob[0] = 0x02;
	ASSERT_EQ(mg_imasig_parse(blob, size, &sig), MG_IMASIG_BAD_TYPE, "evm hmac type");
	blob[0] = 0xff;
	ASSERT_EQ(mg_imasig_parse(blob, size, &sig), MG_IMASIG_BAD_TYPE, "garbage type");

	memset(blob, 0xaa, sizeof(blob));
	memcpy(blob, good, MG_IMASIG_HEADER_BYTES);
	ASSERT_EQ(mg_imasig_parse(blob, MG_IMASIG_MAX_XATTR_BYTES + 1, &sig), MG_IMASIG_OVERSIZED, "oversized");

	memcpy(blob, good, size);
	blob[1] = 1;
	ASSERT_EQ(mg_imasig_parse(blob, size, &sig), MG_IMASIG_BAD_VERSION, "version 1");
	blob[1] = 3;
	ASSERT_EQ(mg_imasig_parse(blob, size, &sig), MG_IMASIG_BAD_VERSION, "version 3");

	memcpy(blob, good, size);
	blob[2] = 2;
	ASSERT_EQ(mg_imasig_parse(blob, size, &sig), MG_IMASIG_REFUSED_ALGO, "sha1");
	blob[2] = 1;
	ASSERT_EQ(mg_imasig_parse(blob, size, &sig), MG_IMASIG_REFUSED_ALGO, "md5");
	blob[2] = MG_IMA_HASH_KERNEL_LAST;
	ASSERT_EQ(mg_imasig_parse(blob, size, &sig), MG_IMASIG_UNKNOWN_ALGO, "beyond the kernel's ids");
	blob[2] = 0xff;
	ASSERT_EQ(mg_imasig_parse(blob, size, &sig), MG_IMASIG_UNKNOWN_ALGO, "algo 255");

	memcpy(blob, good, size);
	ASSERT_EQ(mg_imasig_parse(blob, MG_IMASIG_HEADER_BYTES, &sig), MG_IMASIG_EMPTY, "header only");
	ASSERT_EQ(mg_imasig_parse(blob, size - 1, &sig), MG_IMASIG_SIZE_MISMATCH, "one byte short");
	blob[size] = 0;
	ASSERT_EQ(mg_imasig_parse(blob, size + 1, &sig), MG_IMASIG_SIZE_MISMATCH, "one byte over");
	blob[7] ^= 0x80;
	ASSERT_EQ(mg_imasig_parse(blob, size, &sig), MG_IMASIG_SIZE_MISMATCH, "sig_size high bit");
}

/* A header naming SHA-256, keyid 0x12345678 and 3 signature bytes, then those bytes. */
static const unsigned char shared_header[] = { 0x03, 2, 4, 0x12, 0x34, 0x56, 0x78, 0x00, 0x03, 'a', 'b', 'c' };
#define KERNEL_HASH_ALGO_LAST 23
#define ONLY_SHA256 (1u << 4)

/* The shared parser over exactly SIZE bytes on the heap, so that ASan sees any read past them. */
static enum medguard_sig_status parse_exactly(const unsigned char *bytes, size_t size, __u32 accepted,
					      struct medguard_imasig *sig)
{
	unsigned char *copy = malloc(size ? size : 1);
	enum medguard_sig_status status;

	memcpy(copy, bytes, size);
	status = medguard_imasig_parse(copy, size, KERNEL_HASH_ALGO_LAST, accepted, sig);
	if (status == MEDGUARD_SIG_VALID)
		sig->sig = bytes + (sig->sig - copy);
	free(copy);
	return status;
}

/* The parser the module calls, with the module's view of the algorithms. */
static void test_shared_parser(void)
{
	struct medguard_imasig sig = {};
	unsigned char blob[sizeof(shared_header)];

	ASSERT_EQ(parse_exactly(shared_header, sizeof(shared_header), ONLY_SHA256, &sig), MEDGUARD_SIG_VALID,
		  "a well-formed header");
	ASSERT_EQ(sig.hash_algo, 4, "hash algorithm");
	ASSERT_EQ(sig.keyid, 0x12345678u, "keyid, big-endian");
	ASSERT_EQ(sig.sig_size, 3, "signature size, big-endian");
	ASSERT_TRUE(sig.sig == shared_header + MEDGUARD_IMA_DIGSIG_HEADER_BYTES, "signature right after the header");

	for (size_t size = 0; size < MEDGUARD_IMA_DIGSIG_HEADER_BYTES; size++) {
		memset(&sig, 0, sizeof(sig));
		ASSERT_EQ(parse_exactly(shared_header, size, ONLY_SHA256, &sig), MEDGUARD_SIG_TRUNCATED,
			  "a truncated header");
		ASSERT_EQ(sig.sig_size, 0, "nothing filled in from a truncated header");
	}

	memcpy(blob, shared_header, sizeof(blob));
	blob[1] = 1;
	ASSERT_EQ(parse_exactly(blob, sizeof(blob), ONLY_SHA256, &sig), MEDGUARD_SIG_BAD_VERSION, "version 1");
	blob[1] = 3;
	ASSERT_EQ(parse_exactly(blob, sizeof(blob), ONLY_SHA256, &sig), MEDGUARD_SIG_BAD_VERSION, "version 3");
	blob[2] = 0xff;
	ASSERT_EQ(parse_exactly(blob, sizeof(blob), ONLY_SHA256, &sig), MEDGUARD_SIG_BAD_VERSION,
		  "the version is judged before the algorithm");

	memcpy(blob, shared_header, sizeof(blob));
	blob[2] = MG_IMA_HASH_SHA512;
	ASSERT_EQ(parse_exactly(blob, sizeof(blob), ONLY_SHA256, &sig), MEDGUARD_SIG_REFUSED_ALGO,
		  "an algorithm the caller does not verify with");
	blob[2] = KERNEL_HASH_ALGO_LAST;
	ASSERT_EQ(parse_exactly(blob, sizeof(blob), ~0u, &sig), MEDGUARD_SIG_UNKNOWN_ALGO,
		  "beyond the kernel's ids, whatever the caller accepts");
	blob[2] = 40;
	ASSERT_EQ(medguard_imasig_parse(blob, sizeof(blob), 64, ~0u, &sig), MEDGUARD_SIG_REFUSED_ALGO,
		  "an id past the accepted bits is refused, not shifted");
}

static void test_messages(void)
{
	ASSERT_STREQ(mg_imasig_strerror(MG_IMASIG_VALID), "valid signature", "valid");
	ASSERT_STREQ(mg_imasig_strerror(MG_IMASIG_ABSENT), "no signature; sign it with 'medguard sign'", "absent");
	ASSERT_STREQ(mg_imasig_strerror(MG_IMASIG_TRUNCATED),
		     "invalid signature: shorter than an IMA signature header; sign the file again", "truncated");
	ASSERT_STREQ(mg_imasig_strerror(MG_IMASIG_OVERSIZED),
		     "invalid signature: longer than any signature medguard accepts; sign the file again", "oversized");
	ASSERT_STREQ(mg_imasig_strerror(MG_IMASIG_NOT_SIGNATURE),
		     "no signature: security.ima holds a file hash, not a signature; sign it with 'medguard sign'",
		     "not a signature");
	ASSERT_STREQ(mg_imasig_strerror(MG_IMASIG_BAD_TYPE),
		     "invalid signature: security.ima holds no IMA signature type; sign the file again", "bad type");
	ASSERT_STREQ(mg_imasig_strerror(MG_IMASIG_BAD_VERSION),
		     "invalid signature: not a version 2 IMA signature; sign the file again with 'medguard sign'",
		     "bad version");
	ASSERT_STREQ(mg_imasig_strerror(MG_IMASIG_UNKNOWN_ALGO),
		     "invalid signature: unknown hash algorithm; sign the file again with 'medguard sign'",
		     "unknown algo");
	ASSERT_STREQ(mg_imasig_strerror(MG_IMASIG_REFUSED_ALGO),
		     "invalid signature: its hash algorithm is not accepted; sign the file again with '--hash sha256'",
		     "refused algo");
	ASSERT_STREQ(mg_imasig_strerror(MG_IMASIG_EMPTY),
		     "invalid signature: a header without signature bytes; sign the file again", "empty");
	ASSERT_STREQ(mg_imasig_strerror(MG_IMASIG_SIZE_MISMATCH),
		     "invalid signature: its size field disagrees with its length; sign the file again",
		     "size mismatch");
	ASSERT_STREQ(mg_imasig_strerror(MG_IMASIG_UNKNOWN_KEY),
		     "signed by an unknown key; add the signer's public key", "unknown key");
	ASSERT_STREQ(mg_imasig_strerror(MG_IMASIG_BAD_SIGNATURE),
		     "invalid signature: the file or its signature changed after signing; sign it again if its content is trusted",
		     "bad signature");
	ASSERT_STREQ(mg_imasig_strerror(MG_IMASIG_NSTATUS), "invalid signature", "out of range");
	for (int status = MG_IMASIG_ABSENT; status < MG_IMASIG_NSTATUS; status++) {
		ASSERT_HAS(mg_imasig_strerror(status), "; ", "every failure says what to do");
		for (int other = 0; other < status; other++)
			ASSERT_TRUE(strcmp(mg_imasig_strerror(status), mg_imasig_strerror(other)) != 0,
				    "each status its own message");
	}
}

static void test_hash_algorithms(void)
{
	ASSERT_EQ(mg_ima_hash_by_name("sha256"), 4, "sha256 id");
	ASSERT_EQ(mg_ima_hash_by_name("sha384"), 5, "sha384 id");
	ASSERT_EQ(mg_ima_hash_by_name("sha512"), 6, "sha512 id");
	ASSERT_EQ(mg_ima_hash_by_name("sha1"), -1, "sha1 refused");
	ASSERT_EQ(mg_ima_hash_by_name("md5"), -1, "md5 refused");
	ASSERT_EQ(mg_ima_hash_by_name("SHA256"), -1, "names are exact");
	ASSERT_STREQ(mg_ima_hash_name(2), "sha1", "kernel name of 2");
	ASSERT_STREQ(mg_ima_hash_name(22), "sha3-512", "last kernel id");
	ASSERT_STREQ(mg_ima_hash_name(23), "unknown", "beyond");
	ASSERT_TRUE(mg_ima_hash_md(MG_IMA_HASH_SHA256) == EVP_sha256(), "sha256 md");
	ASSERT_TRUE(mg_ima_hash_md(2) == NULL, "no md for sha1");
}

static void test_sign_and_verify(void)
{
	unsigned char xattr[MG_IMASIG_MAX_XATTR_BYTES], other_digest[32];
	const struct mg_key *signer = NULL;
	struct mg_imasig sig;
	ssize_t size;

	sha256_of("other records\n", other_digest);

	size = sign_blob(rsa_private, rsa_keyid, xattr, sizeof(xattr));
	ASSERT_EQ(size, MG_IMASIG_HEADER_BYTES + 256, "RSA-2048 signature size");
	ASSERT_EQ(mg_imasig_parse(xattr, size, &sig), MG_IMASIG_VALID, "RSA parses");
	ASSERT_EQ(mg_imasig_verify(keyring, &sig, digest, sizeof(digest), &signer), MG_IMASIG_VALID, "RSA verifies");
	ASSERT_STREQ(signer ? signer->name : NULL, "rsa", "RSA signer");
	ASSERT_EQ(mg_imasig_verify(keyring, &sig, other_digest, sizeof(other_digest), NULL),
		  MG_IMASIG_BAD_SIGNATURE, "RSA other digest");
	ASSERT_EQ(mg_imasig_verify(keyring, &sig, digest, 20, NULL), MG_IMASIG_BAD_SIGNATURE, "short digest");

	size = sign_blob(ec_private, ec_keyid, xattr, sizeof(xattr));
	ASSERT_TRUE(size > MG_IMASIG_HEADER_BYTES + 60 && size <= MG_IMASIG_HEADER_BYTES + 72, "ECDSA size");
	ASSERT_EQ(mg_imasig_parse(xattr, size, &sig), MG_IMASIG_VALID, "EC parses");
	ASSERT_EQ(mg_imasig_verify(keyring, &sig, digest, sizeof(digest), &signer), MG_IMASIG_VALID, "EC verifies");
	ASSERT_STREQ(signer ? signer->name : NULL, "ec", "EC signer");
	ASSERT_EQ(mg_imasig_verify(keyring, &sig, other_digest, sizeof(other_digest), NULL),
		  MG_IMASIG_BAD_SIGNATURE, "EC other digest");

	/* an ECDSA signature that claims to come from the RSA key */
	size = sign_blob(ec_private, rsa_keyid, xattr, sizeof(xattr));
	ASSERT_EQ(mg_imasig_parse(xattr, size, &sig), MG_IMASIG_VALID, "claimed keyid parses");
	ASSERT_EQ(mg_imasig_verify(keyring, &sig, digest, sizeof(digest), NULL), MG_IMASIG_BAD_SIGNATURE,
		  "wrong key for the keyid");

	size = sign_blob(ec_private, 0x12345678, xattr, sizeof(xattr));
	ASSERT_EQ(mg_imasig_parse(xattr, size, &sig), MG_IMASIG_VALID, "unknown keyid parses");
	ASSERT_EQ(mg_imasig_verify(keyring, &sig, digest, sizeof(digest), NULL), MG_IMASIG_UNKNOWN_KEY,
		  "unknown keyid");
}

static void test_sign_refuses(void)
{
	unsigned char xattr[MG_IMASIG_MAX_XATTR_BYTES];
	char err[512];

	ASSERT_EQ(mg_imasig_sign(rsa_private, rsa_keyid, 2, digest, 20, xattr, sizeof(xattr), err, sizeof(err)),
		  -1, "sha1");
	ASSERT_STREQ(err, "cannot sign with hash algorithm sha1; use sha256, sha384 or sha512", "sha1 message");
	ASSERT_EQ(mg_imasig_sign(rsa_private, rsa_keyid, MG_IMA_HASH_SHA384, digest, sizeof(digest), xattr,
				 sizeof(xattr), err, sizeof(err)), -1, "digest size");
	ASSERT_STREQ(err, "cannot sign: a sha384 digest has 48 bytes, not 32", "digest size message");
	ASSERT_EQ(mg_imasig_sign(rsa_private, rsa_keyid, MG_IMA_HASH_SHA256, digest, sizeof(digest), xattr, 100,
				 err, sizeof(err)), -1, "no room");
	ASSERT_STREQ(err, "cannot sign: no room for a 256-byte signature", "no room message");
}

/* Every mutation of a good signature is refused, and none crashes. */
static void test_mutated_signatures_refused(void)
{
	EVP_PKEY *signers[2] = { rsa_private, ec_private };
	__u32 keyids[2] = { rsa_keyid, ec_keyid };
	unsigned char good[MG_IMASIG_MAX_XATTR_BYTES], blob[MG_IMASIG_MAX_XATTR_BYTES + 64];
	uint64_t state = 0x9e3779b97f4a7c15ull;
	unsigned int tried = 0, accepted = 0;

	for (int k = 0; k < 2; k++) {
		ssize_t size = sign_blob(signers[k], keyids[k], good, sizeof(good));

		ASSERT_EQ(parse_and_verify(good, size), MG_IMASIG_VALID, "the original verifies");
		for (ssize_t bit = 0; bit < size * 8; bit++) {
			memcpy(blob, good, size);
			blob[bit / 8] ^= 1u << (bit % 8);
			accepted += parse_and_verify(blob, size) == MG_IMASIG_VALID;
			tried++;
		}
		for (ssize_t len = 0; len < size; len++) {
			accepted += parse_and_verify(good, len) == MG_IMASIG_VALID;
			tried++;
		}
		for (int round = 0; round < 1000; round++) {
			int nbytes = 1 + fixture_random(&state) % 8;

			memcpy(blob, good, size);
			for (int i = 0; i < nbytes; i++)
				blob[fixture_random(&state) % size] ^= 1 + fixture_random(&state) % 255;
			if (memcmp(blob, good, size) == 0)
				continue; /* two changes of one byte cancelled out */
			accepted += parse_and_verify(blob, size) == MG_IMASIG_VALID;
			tried++;
		}
		/* extended, with sig_size kept consistent so that the crypto layer sees it */
		for (int extra = 1; extra <= 64; extra++) {
			size_t longer = size + extra;

			memcpy(blob, good, size);
			for (int i = 0; i < extra; i++)
				blob[size + i] = fixture_random(&state);
			blob[7] = (longer - MG_IMASIG_HEADER_BYTES) >> 8;
			blob[8] = longer - MG_IMASIG_HEADER_BYTES;
			accepted += parse_and_verify(blob, longer) == MG_IMASIG_VALID;
			tried++;
		}
	}
	for (int round = 0; round < 2000; round++) {
		size_t size = fixture_random(&state) % sizeof(blob);

		for (size_t i = 0; i < size; i++)
			blob[i] = fixture_random(&state);
		if (round % 2 && size >= MG_IMASIG_HEADER_BYTES) {
			blob[0] = 0x03;
			blob[1] = 0x02;
			blob[2] = MG_IMA_HASH_SHA256;
			memcpy(blob + 3, (unsigned char[]){ ec_keyid >> 24, ec_keyid >> 16, ec_keyid >> 8, ec_keyid }, 4);
			blob[7] = (size - MG_IMASIG_HEADER_BYTES) >> 8;
			blob[8] = size - MG_IMASIG_HEADER_BYTES;
		}
		accepted += parse_and_verify(blob, size) == MG_IMASIG_VALID;
		tried++;
	}
	printf("# %u mutated signatures tried\n", tried);
	ASSERT_TRUE(tried >= 1000, "at least 1000 mutations");
	ASSERT_EQ(accepted, 0, "none accepted");
}

/* The xattr evmctl or medguard wrote on PATH. */
static ssize_t read_ima(const char *path, unsigned char *xattr, size_t size)
{
	return getxattr(path, MG_IMA_XATTR_NAME, xattr, size);
}

static void interop_ours_to_evmctl(const char *name)
{
	char key_path[256], cert_path[256], file_path[256];
	unsigned char xattr[MG_IMASIG_MAX_XATTR_BYTES];
	struct mg_imasig sig;
	ssize_t size;

	snprintf(key_path, sizeof(key_path), "%s/%s.pem", fixture_dir, name);
	snprintf(cert_path, sizeof(cert_path), "%s/%s.crt.der", fixture_dir, name);
	snprintf(file_path, sizeof(file_path), "%s/ours-%s", fixture_dir, name);
	write_text(file_path, "#!/bin/sh\necho medguard interop\n");
	ASSERT_EQ(RUN_CMD(mg_cmd_sign, "sign", file_path, "--key", key_path), 0, "medguard sign");
	size = read_ima(file_path, xattr, sizeof(xattr));
	ASSERT_EQ(mg_imasig_parse(xattr, size, &sig), MG_IMASIG_VALID, "our xattr parses");
	ASSERT_EQ(run_shell("evmctl ima_verify --key '%s' '%s' >/dev/null 2>&1", cert_path, file_path), 0,
		  "evmctl verifies our signature");
	write_text(file_path, "#!/bin/sh\necho tampered\n");
	ASSERT_EQ(setxattr(file_path, MG_IMA_XATTR_NAME, xattr, size, 0), 0, "signature kept");
	ASSERT_TRUE(run_shell("evmctl ima_verify --key '%s' '%s' >/dev/null 2>&1", cert_path, file_path) != 0,
		    "evmctl refuses it on changed content");
}

static void interop_evmctl_to_ours(const char *name, const char *hash)
{
	char key_path[256], file_path[256];
	struct mg_signature_check check;
	unsigned char xattr[MG_IMASIG_MAX_XATTR_BYTES];
	struct mg_imasig sig;
	ssize_t size;

	snprintf(key_path, sizeof(key_path), "%s/%s.pem", fixture_dir, name);
	snprintf(file_path, sizeof(file_path), "%s/evmctl-%s-%s", fixture_dir, name, hash);
	write_text(file_path, "#!/bin/sh\necho signed by evmctl\n");
	ASSERT_EQ(run_shell("evmctl ima_sign --key '%s' --hashalgo %s '%s' >/dev/null 2>&1", key_path, hash,
			    file_path), 0, "evmctl ima_sign");
	size = read_ima(file_path, xattr, sizeof(xattr));
	ASSERT_EQ(mg_imasig_parse(xattr, size, &sig), MG_IMASIG_VALID, "evmctl's xattr parses");
	ASSERT_EQ(sig.hash_algo, mg_ima_hash_by_name(hash), "hash algo id as evmctl writes it");
	ASSERT_EQ(sig.keyid, strcmp(name, "rsa") == 0 ? rsa_keyid : ec_keyid, "evmctl's keyid is ours");
	ASSERT_EQ(mg_trust_check_signature(keyring, file_path, &check), 0, "checked");
	ASSERT_EQ(check.status, MG_IMASIG_VALID, "we verify evmctl's signature");
	ASSERT_STREQ(check.signer ? check.signer->name : NULL, name, "by the right key");
	write_text(file_path, "#!/bin/sh\necho tampered\n");
	ASSERT_EQ(setxattr(file_path, MG_IMA_XATTR_NAME, xattr, size, 0), 0, "signature kept");
	ASSERT_EQ(mg_trust_check_signature(keyring, file_path, &check), 0, "checked again");
	ASSERT_EQ(check.status, MG_IMASIG_BAD_SIGNATURE, "we refuse it on changed content");
}

static bool skip_without_evmctl(const char *name)
{
	if (have_evmctl())
		return false;
	unit_number++;
	printf("ok %d - %s # SKIP evmctl missing\n", unit_number, name);
	return true;
}

static void test_evmctl_verifies_our_rsa(void) { interop_ours_to_evmctl("rsa"); }
static void test_evmctl_verifies_our_ecdsa(void) { interop_ours_to_evmctl("ec"); }
static void test_we_verify_evmctl_rsa(void) { interop_evmctl_to_ours("rsa", "sha256"); }
static void test_we_verify_evmctl_ecdsa(void) { interop_evmctl_to_ours("ec", "sha256"); }
static void test_we_verify_evmctl_sha512(void) { interop_evmctl_to_ours("rsa", "sha512"); }

#define RUN_EVMCTL(fn)                   \
	do {                             \
		if (!skip_without_evmctl(#fn)) \
			RUN(fn);         \
	} while (0)

int main(void)
{
	char err[512];

	fixture_setup();
	if (make_rsa_key("rsa") || make_ec_key("ec")) {
		printf("Bail out! cannot make test keys with openssl\n");
		return 1;
	}
	keyring = mg_keyring_new();
	if (mg_keyring_add_file(keyring, fixture_path("rsa.pub"), "rsa", 1, err, sizeof(err)) ||
	    mg_keyring_add_file(keyring, fixture_path("ec.pub"), "ec", 2, err, sizeof(err))) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	rsa_private = mg_key_load_private(fixture_path("rsa.pem"), &rsa_keyid, err, sizeof(err));
	ec_private = mg_key_load_private(fixture_path("ec.pem"), &ec_keyid, err, sizeof(err));
	if (!rsa_private || !ec_private) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	sha256_of("medical records\n", digest);

	RUN(test_parse_roundtrip);
	RUN(test_build_refuses);
	RUN(test_parse_each_error);
	RUN(test_shared_parser);
	RUN(test_messages);
	RUN(test_hash_algorithms);
	RUN(test_sign_and_verify);
	RUN(test_sign_refuses);
	RUN(test_mutated_signatures_refused);
	RUN_EVMCTL(test_evmctl_verifies_our_rsa);
	RUN_EVMCTL(test_evmctl_verifies_our_ecdsa);
	RUN_EVMCTL(test_we_verify_evmctl_rsa);
	RUN_EVMCTL(test_we_verify_evmctl_ecdsa);
	RUN_EVMCTL(test_we_verify_evmctl_sha512);

	EVP_PKEY_free(rsa_private);
	EVP_PKEY_free(ec_private);
	mg_keyring_free(keyring);
	fixture_teardown();
	return unit_done();
}
