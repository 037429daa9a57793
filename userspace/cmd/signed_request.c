// SPDX-License-Identifier: GPL-2.0-only
/*
 * The client's end of the signed request protocol `medguard stop` and
 * `medguard unlock` share: the running daemon's pid and challenge from its
 * status file, the request signed with a private key over the challenge
 * and left in MG_STOP_REQUEST_FILE, SIGUSR1, and the wait for the answer
 * (the daemon's end is daemon/signed_request.c).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/lib.h"
#include "trust/trust.h"

/*
 * The pid, the challenge (empty: the policy names no key) and whether its
 * own files are unlocked, of the running daemon; -1 when none runs.
 */
static int read_status(int *pid, char challenge[2 * MG_STOP_CHALLENGE_BYTES + 1], bool *unlocked)
{
	char line[512], format[32];
	FILE *file = fopen(MG_STATUS_FILE, "re");

	*pid = 0;
	*unlocked = false;
	challenge[0] = '\0';
	if (!file)
		return -1;
	snprintf(format, sizeof(format), "stop-challenge %%%ds", 2 * MG_STOP_CHALLENGE_BYTES);
	while (fgets(line, sizeof(line), file)) {
		if (sscanf(line, "pid %d", pid) == 1)
			continue;
		if (strncmp(line, "own-files unlocked", 18) == 0)
			*unlocked = true;
		sscanf(line, format, challenge);
	}
	fclose(file);
	return *pid > 0 ? 0 : -1;
}

/* Gone, or a zombie its parent has not reaped yet. */
static bool process_ended(int pid)
{
	char path[64], stat[256], *state;
	FILE *file;
	bool ended = true;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	file = fopen(path, "re");
	if (!file)
		return true;
	if (fgets(stat, sizeof(stat), file) && (state = strrchr(stat, ')')) && state[1] == ' ')
		ended = state[2] == 'Z' || state[2] == 'X';
	fclose(file);
	return ended;
}

/*
 * Waits for PID to end (or, with UNLOCK, to say its files are unlocked), or
 * for the daemon to refuse the request. 0 done, 1 refused, 2 ended, -1 no answer.
 */
static int wait_for_answer(int pid, bool unlock, long timeout_s)
{
	struct timespec tenth = { .tv_nsec = 100 * 1000 * 1000 };
	char challenge[2 * MG_STOP_CHALLENGE_BYTES + 1];
	bool unlocked;
	int now_pid;

	for (long waited = 0; waited < timeout_s * 10; waited++) {
		if (process_ended(pid))
			return unlock ? 2 : 0;
		if (access(MG_STOP_REQUEST_FILE ".refused", F_OK) == 0)
			return 1;
		if (unlock && read_status(&now_pid, challenge, &unlocked) == 0 && now_pid == pid && unlocked)
			return 0;
		nanosleep(&tenth, NULL);
	}
	return -1;
}

static int write_request(const char *verb, const char *key_path, const char *challenge)
{
	unsigned char digest[MG_STOP_DIGEST_BYTES], request[MG_IMASIG_MAX_XATTR_BYTES];
	EVP_PKEY *private_key;
	__u32 keyid = 0;
	char err[512];
	ssize_t size;
	FILE *file;
	int ret = -1;

	private_key = mg_key_load_private(key_path, &keyid, err, sizeof(err));
	if (!private_key) {
		fprintf(stderr, "medguard: %s\n", err);
		return -1;
	}
	if (mg_request_digest(verb, challenge, digest)) {
		fprintf(stderr, "medguard: the daemon's stop challenge is malformed; see %s\n", MG_STATUS_FILE);
		goto cleanup;
	}
	size = mg_imasig_sign(private_key, keyid, MG_IMA_HASH_SHA256, digest, sizeof(digest), request,
			      sizeof(request), err, sizeof(err));
	if (size < 0) {
		fprintf(stderr, "medguard: %s\n", err);
		goto cleanup;
	}
	unlink(MG_STOP_REQUEST_FILE ".refused");
	file = mg_replacement_open(MG_STOP_REQUEST_FILE ".tmp", 0600);
	if (!file || fwrite(request, 1, (size_t)size, file) != (size_t)size ||
	    mg_replacement_commit(file, MG_STOP_REQUEST_FILE ".tmp", MG_STOP_REQUEST_FILE)) {
		fprintf(stderr, "medguard: cannot write %s: %s; run medguard %s as root\n", MG_STOP_REQUEST_FILE,
			strerror(errno), verb);
		goto cleanup;
	}
	ret = 0;
cleanup:
	EVP_PKEY_free(private_key);
	return ret;
}

int parse_request(int argc, char **argv, const char *verb, const char *usage, struct request *request)
{
	static const struct option options[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool unlocked;
	char *end;
	int option;

	request->key_path = NULL;
	request->timeout_s = 120;
	optind = 0;
	while ((option = mg_next_option(argc, argv, ":h", options, usage, verb, "unknown option")) != -1) {
		switch (option) {
		case 'h': fputs(usage, stdout); return 0;
		case 'k': request->key_path = optarg; break;
		case 't':
			errno = 0;
			request->timeout_s = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || request->timeout_s <= 0 || request->timeout_s > 86400)
				return usage_error(usage, "%s: --timeout %s is not a number of seconds (1 to 86400)", verb,
						   optarg);
			break;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return usage_error(usage, "%s: unexpected argument %s", verb, argv[optind]);
	if (read_status(&request->pid, request->challenge, &unlocked) || process_ended(request->pid)) {
		fprintf(stderr, "medguard: medguard is not running (no live pid in %s)\n", MG_STATUS_FILE);
		return 3;
	}
	return -1;
}

int send_request(const char *verb, const struct request *request)
{
	if (write_request(verb, request->key_path, request->challenge))
		return 1;
	if (kill(request->pid, SIGUSR1)) {
		fprintf(stderr, "medguard: cannot signal pid %d: %s\n", request->pid, strerror(errno));
		return 1;
	}
	return 0;
}

/* Says why the daemon did not do VERB (ANSWER of wait_for_answer); the exit status. */
static int report_no(const char *verb, int answer, const char *key_path, int pid, long timeout_s)
{
	if (answer == 1)
		fprintf(stderr, "medguard: the daemon refused the %s: %s is not the private key of a key its policy "
				"names\n", verb, key_path);
	else if (answer == 2)
		fprintf(stderr, "medguard: pid %d ended; see its log\n", pid);
	else
		fprintf(stderr, "medguard: pid %d did not answer within %ld s; see its log\n", pid, timeout_s);
	return 1;
}

int await_answer(const char *verb, const struct request *request, bool unlock)
{
	int answer = wait_for_answer(request->pid, unlock, request->timeout_s);

	if (answer != 0)
		return report_no(verb, answer, request->key_path, request->pid, request->timeout_s);
	return 0;
}
