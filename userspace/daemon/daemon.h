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

/* Where `medguard run` records its pid and its status. */
#define MG_PID_FILE "/run/medguard/medguard.pid"
#define MG_STATUS_FILE "/run/medguard/status"

struct mg_daemon_options {
	const char *policy_file;
	const char *output; /* events are appended here; NULL: standard output */
	bool syslog;        /* events also go to syslog */
	int mode_override;  /* MG_MODE_*, or -1: as the policy says */
};

/* Runs until SIGTERM or SIGINT; returns the exit status. */
int mg_daemon_run(const struct mg_daemon_options *options);

#endif /* MEDGUARD_DAEMON_H */
