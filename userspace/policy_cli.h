/* SPDX-License-Identifier: GPL-2.0-only */
/* `medguard policy`: check, show and reload; see commands.h for mg_cmd_policy. */
#ifndef MEDGUARD_POLICY_CLI_H
#define MEDGUARD_POLICY_CLI_H

#include <stdio.h>

/*
 * Asks the medguard daemon whose pid is in PID_FILE to reload its policy
 * (SIGHUP). What was done goes to OUT, an error to ERR, one line either way.
 * Returns the exit status.
 */
int mg_policy_reload(const char *pid_file, FILE *out, FILE *err);

#endif /* MEDGUARD_POLICY_CLI_H */
