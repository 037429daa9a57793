/* SPDX-License-Identifier: GPL-2.0-only */
/* The `medguard` subcommands; each returns the process exit status. */
#ifndef MEDGUARD_COMMANDS_H
#define MEDGUARD_COMMANDS_H

/* Where `medguard run` records its pid and pins its BPF objects. */
#define MG_PID_FILE "/run/medguard/medguard.pid"
#define MG_PIN_DIR "/sys/fs/bpf/medguard"

int mg_cmd_run(int argc, char **argv);
int mg_cmd_status(int argc, char **argv);
int mg_cmd_policy(int argc, char **argv); /* check, show, reload */
int mg_cmd_sign(int argc, char **argv);
int mg_cmd_verify(int argc, char **argv);
int mg_cmd_trust(int argc, char **argv); /* import-dpkg, hash, check */

#endif /* MEDGUARD_COMMANDS_H */
