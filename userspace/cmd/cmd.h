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
#include "kernel/loader.h"

/* The exit status of a command given the wrong arguments. */
#define EXIT_USAGE 2

int mg_cmd_run(int argc, char **argv);
int mg_cmd_status(int argc, char **argv);
int mg_cmd_policy(int argc, char **argv); /* check, show, reload */
int mg_cmd_sign(int argc, char **argv);
int mg_cmd_verify(int argc, char **argv);
int mg_cmd_trust(int argc, char **argv); /* import-dpkg, hash, check */
int mg_cmd_probe(int argc, char **argv);

/*
 * Asks the medguard daemon whose pid is in PID_FILE to reload its policy
 * (SIGHUP). What was done goes to OUT, an error to ERR, one line either way.
 * Returns the exit status.
 */
int mg_policy_reload(const char *pid_file, FILE *out, FILE *err);

/* ---- options.c: shared by the commands ---------------------------------- */

/* A growing list of the strings given for a repeated option, or of operands. */
struct string_list {
	const char **items;
	size_t count;
};

/* Adds ITEM; -1 after saying "out of memory". */
int string_list_add(struct string_list *list, const char *item);
/*
 * Matches argv[*i] against "--NAME VALUE" or "--NAME=VALUE". Returns 1 with
 * *VALUE set, 0 if it is another argument, -1 if the value is missing.
 */
int option_value(int argc, char **argv, int *i, const char *name, const char **value);
/* -h or --help */
bool is_help(const char *arg);
/* `medguard: WHAT` on stderr, then USAGE; returns EXIT_USAGE. */
__attribute__((format(printf, 2, 3)))
int usage_error(const char *usage, const char *fmt, ...);
/* What mg_trust_open()'s -errno ERROR means, for a message. */
const char *open_error(int error);

#endif /* MEDGUARD_CMD_H */
