/* SPDX-License-Identifier: GPL-2.0-only */
/* `medguard policy`: check, show and reload; see commands.h for mg_cmd_policy. */
#ifndef MEDGUARD_POLICY_CLI_H
#define MEDGUARD_POLICY_CLI_H

#include <stdio.h>

/*
 * Asks the medguard daemon whose pid is in PID_FILE to reload its policy
 * (SIGHUP). Errors go to ERR as one line. Returns the exit status.
 */
int mg_policy_reload(const char *pid_file, FILE *err);

#endif /* MEDGUARD_POLICY_CLI_H */
