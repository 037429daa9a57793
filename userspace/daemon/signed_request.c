// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemon's end of the signed requests: the documented off-switch, and
 * the documented way to change the policy (the client's end is
 * cmd/signed_request.c).
 * Under a policy that names keys the kernel lets no other task kill, stop
 * or trace the daemon (bpf/medguard.bpf.c, mg_task_kill) or change its own
 * files (check_anchor); it stops when a request signed by one of those
 * keys, over the challenge in its status file, arrives (`medguard stop
 * --key FILE`), and lets root change its files until the next reload after
 * a signed unlock (`medguard unlock --key FILE`). The challenge is new at
 * each start and after each request, and rotates every
 * MG_CHALLENGE_SECONDS: a request is good for one use, and one that was
 * held back (read off /run by someone else) soon for none.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "internal.h"
#include "trust/trust.h"

int mg_request_digest(const char *verb, const char *challenge, unsigned char digest[MG_STOP_DIGEST_BYTES])
{
	char text[2 * MG_STOP_CHALLENGE_BYTES + 32];
	int len = snprintf(text, sizeof(text), "medguard %s %s\n", verb, challenge);

	if (len < 0 || (size_t)len >= sizeof(text))
		return -EINVAL;
	return EVP_Digest(text, (size_t)len, digest, NULL, EVP_sha256(), NULL) ? 0 : -EINVAL;
}

int stop_challenge_new(struct daemon *daemon, bool keep_previous)
{
	unsigned char random[MG_STOP_CHALLENGE_BYTES];

	if (getrandom(random, sizeof(random), 0) != (ssize_t)sizeof(random))
		return -errno;
	if (keep_previous)
		memcpy(daemon->previous_challenge, daemon->stop_challenge, sizeof(daemon->previous_challenge));
	else
		daemon->previous_challenge[0] = '\0';
	for (size_t i = 0; i < sizeof(random); i++)
		snprintf(daemon->stop_challenge + 2 * i, 3, "%02x", random[i]);
	clock_gettime(CLOCK_MONOTONIC, &daemon->challenge_at);
	return 0;
}

/* The request, read without following a link; NULL when there is none or it is too large. */
static char *read_request(size_t *len)
{
	int fd = open(MG_STOP_REQUEST_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	char *data = NULL;

	if (fd < 0)
		return NULL;
	if (mg_read_fd(fd, MG_IMASIG_MAX_XATTR_BYTES, &data, len) == 0 && *len > MG_IMASIG_MAX_XATTR_BYTES) {
		free(data);
		data = NULL;
	}
	close(fd);
	return data;
}

/* The verb of REQUEST if a key of the policy signed it over the challenge; the reason why not in *STATUS. */
static const char *signed_verb(struct daemon *daemon, const char *request, size_t len, const struct mg_key **signer,
			       enum mg_imasig_status *status)
{
	static const char *const verbs[] = { "stop", "unlock" };
	const char *const challenges[] = { daemon->stop_challenge, daemon->previous_challenge };
	unsigned char digest[MG_STOP_DIGEST_BYTES];
	struct mg_imasig sig;

	*status = MG_IMASIG_ABSENT;
	if (!request || !daemon->stop_challenge[0])
		return NULL;
	*status = mg_imasig_parse(request, len, &sig);
	if (*status == MG_IMASIG_VALID && sig.hash_algo != MG_IMA_HASH_SHA256)
		*status = MG_IMASIG_REFUSED_ALGO;
	if (*status != MG_IMASIG_VALID)
		return NULL;
	for (size_t c = 0; c < sizeof(challenges) / sizeof(challenges[0]) && challenges[c][0]; c++) {
		for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
			if (mg_request_digest(verbs[i], challenges[c], digest)) {
				*status = MG_IMASIG_BAD_SIGNATURE;
				return NULL;
			}
			*status = mg_imasig_verify(mg_trust_ctx_keyring(daemon->trust), &sig, digest, sizeof(digest),
						   signer);
			if (*status == MG_IMASIG_VALID && *signer)
				return verbs[i];
		}
	}
	return NULL;
}

enum signed_request signed_request(struct daemon *daemon)
{
	const struct mg_key *signer = NULL;
	enum mg_imasig_status status;
	char detail[256];
	size_t len = 0;
	char *request = read_request(&len);
	const char *verb = signed_verb(daemon, request, len, &signer, &status);

	free(request);
	if (verb && strcmp(verb, "stop") == 0) {
		unlink(MG_STOP_REQUEST_FILE);
		snprintf(detail, sizeof(detail), "a stop signed by key %s: the protection is removed", signer->name);
		say(daemon, "stop-accepted", detail);
		return SIGNED_STOP;
	}
	if (verb) {
		unlink(MG_STOP_REQUEST_FILE);
		snprintf(detail, sizeof(detail), "an unlock signed by key %s: root may change medguard's own files "
			 "until the next reload, at most %d s", signer->name, MG_UNLOCK_SECONDS);
		say(daemon, "unlock-accepted", detail);
		return SIGNED_UNLOCK;
	}
	if (daemon->stop_challenge[0] && stop_challenge_new(daemon, true) == 0)
		write_status(daemon);
	if (rename(MG_STOP_REQUEST_FILE, MG_STOP_REQUEST_FILE ".refused"))
		unlink(MG_STOP_REQUEST_FILE);
	snprintf(detail, sizeof(detail), "a request that is not signed by a key of the policy (%s); medguard goes on",
		 mg_imasig_strerror(status));
	say(daemon, "stop-refused", detail);
	fprintf(stderr, "medguard: refused %s\n", detail);
	return SIGNED_NOTHING;
}
