// SPDX-License-Identifier: GPL-2.0-only
/*
 * `medguard stop [--key PRIVATE_KEY]`: the one way to remove the protection.
 * Under a policy that names keys the request is signed with one of them,
 * over the running daemon's challenge (daemon/stop.c); under one without,
 * it is SIGTERM. `medguard unlock --key PRIVATE_KEY`: the same signed
 * request, to change the policy's files until the next reload.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/lib.h"
#include "trust/imasig.h"
#include "trust/keyring.h"

static const char stop_usage[] =
	"usage: medguard stop [--key PRIVATE_KEY] [--timeout SECONDS]\n"
	"Stops the running daemon and removes the protection. A policy that names keys\n"
	"is stopped only by a request signed with the private key of one of them.\n";
static const char unlock_usage[] =
	"usage: medguard unlock --key PRIVATE_KEY [--timeout SECONDS]\n"
	"Under a policy that names keys, lets root change the policy's files, keys and\n"
	"allowlists until the next reload ('medguard policy reload'), at most 10 minutes.\n"
	"The request is signed with the private key of one of the policy's keys.\n";

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

/* What a signed request runs on: the command's options. */
struct request_options {
	const char *key_path;
	long timeout_s;
};

/*
 * The options of `medguard VERB`, and the daemon it speaks to: -1 to go on
 * with *PID and CHALLENGE, else the exit status.
 */
static int parse_request(int argc, char **argv, const char *verb, const char *usage, struct request_options *request,
			 int *pid, char challenge[2 * MG_STOP_CHALLENGE_BYTES + 1])
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
	if (read_status(pid, challenge, &unlocked) || process_ended(*pid)) {
		fprintf(stderr, "medguard: medguard is not running (no live pid in %s)\n", MG_STATUS_FILE);
		return 3;
	}
	return -1;
}

/* Writes the signed request and tells the daemon: 0, or 1 after saying why not. */
static int send_request(const char *verb, const char *key_path, const char *challenge, int pid)
{
	if (write_request(verb, key_path, challenge))
		return 1;
	if (kill(pid, SIGUSR1)) {
		fprintf(stderr, "medguard: cannot signal pid %d: %s\n", pid, strerror(errno));
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

int mg_cmd_stop(int argc, char **argv)
{
	char challenge[2 * MG_STOP_CHALLENGE_BYTES + 1];
	struct request_options request;
	int pid, answer = parse_request(argc, argv, "stop", stop_usage, &request, &pid, challenge);

	if (answer != -1)
		return answer;
	if (challenge[0]) {
		if (!request.key_path)
			return usage_error(stop_usage, "stop: the running policy names keys; give --key with the private "
						       "key of one of them");
		if (send_request("stop", request.key_path, challenge, pid))
			return 1;
	} else if (kill(pid, SIGTERM)) {
		fprintf(stderr, "medguard: cannot stop pid %d: %s; run medguard stop as root\n", pid, strerror(errno));
		return 1;
	}
	answer = wait_for_answer(pid, false, request.timeout_s);
	if (answer != 0)
		return report_no("stop", answer, request.key_path, pid, request.timeout_s);
	printf("medguard stopped; the records are no longer protected\n");
	return 0;
}

int mg_cmd_unlock(int argc, char **argv)
{
	char challenge[2 * MG_STOP_CHALLENGE_BYTES + 1];
	struct request_options request;
	int pid, answer = parse_request(argc, argv, "unlock", unlock_usage, &request, &pid, challenge);

	if (answer != -1)
		return answer;
	if (!challenge[0]) {
		printf("the running policy names no key: its files are not locked\n");
		return 0;
	}
	if (!request.key_path)
		return usage_error(unlock_usage, "unlock: give --key with the private key of one of the policy's keys");
	if (send_request("unlock", request.key_path, challenge, pid))
		return 1;
	answer = wait_for_answer(pid, true, request.timeout_s);
	if (answer != 0)
		return report_no("unlock", answer, request.key_path, pid, request.timeout_s);
	printf("unlocked: change the policy's files, then 'medguard policy reload' (locks them again; "
	       "at most %d minutes)\n", MG_UNLOCK_SECONDS / 60);
	return 0;
}
