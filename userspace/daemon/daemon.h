/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * userspace/daemon/: `medguard run`. Glue between the policy compiler, the
 * trust store and the kernel: compiles the policy, feeds the trust map,
 * applies the policy, streams events, answers lineages that crossed a
 * threshold and keeps the status file.
 */
#ifndef MEDGUARD_DAEMON_H
#define MEDGUARD_DAEMON_H

#include <stdbool.h>

#include "medguard_limits.h"

/* Where `medguard run` records its pid and its status. */
#define MG_RUN_DIR "/run/medguard"
#define MG_PID_FILE MG_RUN_DIR "/medguard.pid"
#define MG_STATUS_FILE MG_RUN_DIR "/status"
/* `medguard stop` and `medguard unlock` leave their signed request here, then send SIGUSR1. */
#define MG_STOP_REQUEST_FILE MG_RUN_DIR "/stop-request"

/*
 * `medguard run`'s exit status when the service manager stopped it (SIGTERM
 * from PID 1) and its programs stay pinned, enforcing, for the next start:
 * EX_TEMPFAIL. The unit counts it a clean stop that Restart= restarts; a
 * stop that removed the protection exits 0.
 */
#define MG_EXIT_LEFT_PINNED 75

#define MG_STOP_CHALLENGE_BYTES 32
#define MG_STOP_DIGEST_BYTES 32 /* SHA-256 */

/*
 * What a request signs: the SHA-256 of "medguard VERB CHALLENGE\n", VERB
 * "stop" (remove the protection) or "unlock" (let root change medguard's
 * own files until the next reload), CHALLENGE the hex string of the status
 * file's stop-challenge line.
 */
int mg_request_digest(const char *verb, const char *challenge, unsigned char digest[MG_STOP_DIGEST_BYTES]);

struct mg_daemon_options {
	const char *policy_file;
	const char *output; /* events are appended here; NULL: standard output */
	bool syslog;        /* events also go to syslog */
	int mode_override;  /* MG_MODE_*, or -1: as the policy says */
};

/*
 * Runs until a signed stop request (a policy with keys) or SIGTERM or
 * SIGINT (a policy without); returns the exit status.
 */
int mg_daemon_run(const struct mg_daemon_options *options);

#endif /* MEDGUARD_DAEMON_H */
