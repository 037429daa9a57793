/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * userspace/cmd/: the `medguard` subcommands, one file each; main.c
 * dispatches. Each returns the process exit status. Commands are glue over
 * the daemon, the kernel, trust, policy and lib folders.
 */
#ifndef MEDGUARD_CMD_H
#define MEDGUARD_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "daemon/daemon.h"

/* The exit status of a command given the wrong arguments. */
#define EXIT_USAGE 2

int mg_cmd_run(int argc, char **argv);
int mg_cmd_status(int argc, char **argv);
int mg_cmd_stop(int argc, char **argv);
int mg_cmd_unlock(int argc, char **argv);
int mg_cmd_policy(int argc, char **argv); /* check, show, reload */
int mg_cmd_sign(int argc, char **argv);
int mg_cmd_verify(int argc, char **argv);
int mg_cmd_trust(int argc, char **argv); /* import-dpkg, hash, check */
int mg_cmd_probe(int argc, char **argv);

/*
 * Asks the medguard daemon whose pid is in PID_FILE to reload its policy
 * (SIGHUP), then waits up to TIMEOUT_S seconds (0: not at all) for the
 * outcome its STATUS_FILE counts: a refused reload fails, as systemctl
 * reload must. What was done goes to OUT, an error to ERR, one line either
 * way. Returns the exit status.
 */
int mg_policy_reload(const char *pid_file, const char *status_file, unsigned int timeout_s, FILE *out, FILE *err);

/* A reload compiles, hashes and verifies again: minutes at most, on a loaded machine. */
#define MG_RELOAD_WAIT_SECONDS 900

/* ---- signed_request.c: shared by stop and unlock ------------------------- */

/* A signed request: the command's options, and the daemon it goes to. */
struct request {
	const char *key_path;
	long timeout_s;
	int pid;
	char challenge[2 * MG_STOP_CHALLENGE_BYTES + 1]; /* empty: the policy names no key */
};

/*
 * The options of `medguard VERB`, and the daemon it speaks to: -1 to go on
 * with REQUEST, else the exit status.
 */
int parse_request(int argc, char **argv, const char *verb, const char *usage, struct request *request);
/* Writes the signed request and tells the daemon: 0, or 1 after saying why not. */
int send_request(const char *verb, const struct request *request);
/*
 * Waits for the daemon to do VERB (with UNLOCK, for its files to be
 * unlocked, else for it to end): 0, or 1 after saying why it did not.
 */
int await_answer(const char *verb, const struct request *request, bool unlock);

/* ---- options.c: shared by the commands ---------------------------------- */

/* A growing list of the strings given for a repeated option, or of operands. */
struct string_list {
	const char **items;
	size_t count;
};

/* Adds ITEM; -1 after saying "out of memory". */
int string_list_add(struct string_list *list, const char *item);
/*
 * The next option of a command, by getopt_long(3) (set optind = 0 first):
 * options and operands in any order, "--" ends the options, --NAME=VALUE or
 * --NAME VALUE; SHORTOPTS as getopt's, starting with ':' (":h" for -h). Returns the option's val, -1 after the last
 * option (the operands are then argv[optind..argc-1]), or -2 after saying
 * what was wrong: "medguard: WHAT: UNKNOWN ARG" and USAGE on stderr, or
 * "medguard: --NAME needs a value".
 */
struct option;
int mg_next_option(int argc, char **argv, const char *shortopts, const struct option *options, const char *usage,
		   const char *what, const char *unknown);
/* -h or --help */
bool is_help(const char *arg);
/* `medguard: WHAT` on stderr, then USAGE; returns EXIT_USAGE. */
__attribute__((format(printf, 2, 3)))
int usage_error(const char *usage, const char *fmt, ...);
/* What mg_trust_open()'s -errno ERROR means, for a message. */
const char *open_error(int error);

#endif /* MEDGUARD_CMD_H */
