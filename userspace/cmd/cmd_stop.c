// SPDX-License-Identifier: GPL-2.0-only
/*
 * `medguard stop [--key PRIVATE_KEY]`: the one way to remove the protection.
 * Under a policy that names keys the request is signed with one of them,
 * over the running daemon's challenge (daemon/stop.c); under one without,
 * it is SIGTERM.
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

/* The pid and the challenge (empty: the policy names no key) of the running daemon; -1 when none runs. */
static int read_status(int *pid, char challenge[2 * MG_STOP_CHALLENGE_BYTES + 1])
{
	char line[512], format[32];
	FILE *file = fopen(MG_STATUS_FILE, "re");

	*pid = 0;
	challenge[0] = '\0';
	if (!file)
		return -1;
	snprintf(format, sizeof(format), "stop-challenge %%%ds", 2 * MG_STOP_CHALLENGE_BYTES);
	while (fgets(line, sizeof(line), file)) {
		if (sscanf(line, "pid %d", pid) == 1)
			continue;
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

/* Waits for PID to end, or for the daemon to refuse the request. 0 stopped, 1 refused, -1 no answer. */
static int wait_for_stop(int pid, long timeout_s)
{
	struct timespec tenth = { .tv_nsec = 100 * 1000 * 1000 };

	for (long waited = 0; waited < timeout_s * 10; waited++) {
		if (process_ended(pid))
			return 0;
		if (access(MG_STOP_REQUEST_FILE ".refused", F_OK) == 0)
			return 1;
		nanosleep(&tenth, NULL);
	}
	return -1;
}

static int write_request(const char *key_path, const char *challenge)
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
	if (mg_stop_digest(challenge, digest)) {
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
		fprintf(stderr, "medguard: cannot write %s: %s; run medguard stop as root\n", MG_STOP_REQUEST_FILE,
			strerror(errno));
		goto cleanup;
	}
	ret = 0;
cleanup:
	EVP_PKEY_free(private_key);
	return ret;
}

int mg_cmd_stop(int argc, char **argv)
{
	static const struct option options[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char challenge[2 * MG_STOP_CHALLENGE_BYTES + 1], *end;
	const char *key_path = NULL;
	long timeout_s = 120;
	int option, pid, answer;

	optind = 0;
	while ((option = mg_next_option(argc, argv, ":h", options, stop_usage, "stop", "unknown option")) != -1) {
		switch (option) {
		case 'h': fputs(stop_usage, stdout); return 0;
		case 'k': key_path = optarg; break;
		case 't':
			timeout_s = strtol(optarg, &end, 10);
			if (*end || timeout_s <= 0 || timeout_s > 86400)
				return usage_error(stop_usage, "stop: --timeout %s is not a number of seconds (1 to 86400)",
						   optarg);
			break;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return usage_error(stop_usage, "stop: unexpected argument %s", argv[optind]);
	if (read_status(&pid, challenge) || process_ended(pid)) {
		fprintf(stderr, "medguard: medguard is not running (no live pid in %s)\n", MG_STATUS_FILE);
		return 3;
	}
	if (challenge[0]) {
		if (!key_path)
			return usage_error(stop_usage, "stop: the running policy names keys; give --key with the private "
						       "key of one of them");
		if (write_request(key_path, challenge))
			return 1;
		if (kill(pid, SIGUSR1)) {
			fprintf(stderr, "medguard: cannot signal pid %d: %s\n", pid, strerror(errno));
			return 1;
		}
	} else if (kill(pid, SIGTERM)) {
		fprintf(stderr, "medguard: cannot stop pid %d: %s; run medguard stop as root\n", pid, strerror(errno));
		return 1;
	}
	answer = wait_for_stop(pid, timeout_s);
	if (answer == 0) {
		printf("medguard stopped; the records are no longer protected\n");
		return 0;
	}
	if (answer == 1)
		fprintf(stderr, "medguard: the daemon refused the stop: %s is not the private key of a key its policy "
				"names\n", key_path);
	else
		fprintf(stderr, "medguard: pid %d did not stop within %ld s; see its log\n", pid, timeout_s);
	return 1;
}
