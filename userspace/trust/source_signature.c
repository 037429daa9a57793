// SPDX-License-Identifier: GPL-2.0-only
/* The signature source: an IMA signature in security.ima by one of the policy's keys. */
#include <errno.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "imasig.h"
#include "keyring.h"
#include "source.h"

struct signature_look {
	enum mg_imasig_status status;
	struct mg_imasig sig; /* points into xattr */
	unsigned char xattr[MG_IMASIG_MAX_XATTR_BYTES + 1];
};

_Static_assert(sizeof(struct signature_look) <= sizeof(((struct mg_trust_look *)0)->kept),
	       "a signature look fits what a look keeps");

static enum mg_imasig_status read_signature(int fd, unsigned char xattr[MG_IMASIG_MAX_XATTR_BYTES + 1],
					    struct mg_imasig *sig)
{
	ssize_t size = fgetxattr(fd, MG_IMA_XATTR_NAME, xattr, MG_IMASIG_MAX_XATTR_BYTES + 1);

	if (size < 0)
		return errno == ERANGE ? MG_IMASIG_OVERSIZED : MG_IMASIG_ABSENT;
	return mg_imasig_parse(xattr, size, sig);
}

/* A keyring even without keys: a signature is then judged by an unknown key, not left unread. */
static int signature_load(const struct mg_trust_load *from, void **state, FILE *diag)
{
	struct mg_keyring *keyring = mg_keyring_new();
	char err[1024];
	int ret = 0;

	if (!keyring) {
		mg_trust_diag(diag, "medguard: cannot load trust sources: out of memory");
		return -1;
	}
	for (size_t i = 0; i < from->sources->nkeys; i++) {
		const struct mg_trust_source_key *key = &from->sources->keys[i];

		if (mg_keyring_add_file(keyring, key->path, key->name, key->key_id, err, sizeof(err))) {
			mg_trust_diag(diag, "medguard: %s", err);
			ret = -1;
		}
	}
	*state = keyring;
	return ret;
}

static void signature_close(void *state)
{
	mg_keyring_free(state);
}

static void signature_look(const void *state, const struct mg_trust_file *file, struct mg_trust_look *look)
{
	struct signature_look *kept = (struct signature_look *)look->kept.bytes;

	kept->status = read_signature(file->fd, kept->xattr, &kept->sig);
	if (kept->status == MG_IMASIG_VALID && !mg_keyring_next_match(state, kept->sig.keyid, NULL))
		kept->status = MG_IMASIG_UNKNOWN_KEY;
	if (kept->status == MG_IMASIG_VALID)
		look->md = mg_ima_hash_md(kept->sig.hash_algo);
}

static bool signature_verify(const struct mg_trust_ctx *ctx, const void *state, const struct mg_trust_file *file,
			     struct mg_trust_look *look, struct mg_trust *trust, char *why, size_t why_size)
{
	struct signature_look *kept = (struct signature_look *)look->kept.bytes;
	const struct mg_key *signer = NULL;

	(void)file;
	kept->status = mg_imasig_verify(state, &kept->sig, look->digest, EVP_MD_get_size(look->md), &signer);
	if (kept->status != MG_IMASIG_VALID)
		return false;
	trust->source = MG_TRUST_SIGNATURE;
	trust->key_id = signer->key_id;
	/* The kernel knows launchers by their SHA-256, so only a SHA-256 signature can say it is one. */
	if (kept->sig.hash_algo == MG_IMA_HASH_SHA256 && mg_trust_is_launcher(ctx, look->digest))
		trust->flags |= MG_TRUST_LAUNCHER;
	snprintf(why, why_size, "signed by key %s (keyid %08x)", signer->name, kept->sig.keyid);
	return true;
}

/* The status up to its advice: the line of all sources stays short. */
static void signature_explain(const void *state, const struct mg_trust_look *look, char *clause, size_t size)
{
	const struct signature_look *kept = (const struct signature_look *)look->kept.bytes;
	const char *text = mg_imasig_strerror(kept->status);

	(void)state;
	snprintf(clause, size, "%.*s", (int)strcspn(text, ";"), text);
}

const struct mg_trust_source_ops mg_trust_signature_source = {
	.name = "signature",
	.load = signature_load,
	.close = signature_close,
	.look = signature_look,
	.verify = signature_verify,
	.explain = signature_explain,
};

const struct mg_keyring *mg_trust_ctx_keyring(const struct mg_trust_ctx *ctx)
{
	return mg_trust_ctx_state(ctx, &mg_trust_signature_source);
}

int mg_trust_check_signature(const struct mg_keyring *keyring, const char *path,
			     struct mg_signature_check *check)
{
	unsigned char xattr[MG_IMASIG_MAX_XATTR_BYTES + 1];
	unsigned char digest[1][EVP_MAX_MD_SIZE];
	const EVP_MD *md[1];
	struct mg_imasig sig;
	struct stat st;
	int fd, ret = 0;

	memset(check, 0, sizeof(*check));
	fd = mg_trust_open(path, &st);
	if (fd < 0)
		return fd;
	check->status = read_signature(fd, xattr, &sig);
	if (check->status != MG_IMASIG_VALID)
		goto cleanup;
	check->keyid = sig.keyid;
	if (!mg_keyring_next_match(keyring, sig.keyid, NULL)) {
		check->status = MG_IMASIG_UNKNOWN_KEY;
		goto cleanup;
	}
	md[0] = mg_ima_hash_md(sig.hash_algo);
	ret = mg_trust_hash_fd(fd, &st, md, 1, digest);
	if (ret)
		goto cleanup;
	check->status = mg_imasig_verify(keyring, &sig, digest[0], EVP_MD_get_size(md[0]), &check->signer);
cleanup:
	close(fd);
	return ret;
}
