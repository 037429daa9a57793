// SPDX-License-Identifier: GPL-2.0-only
/* `medguard run --policy FILE [--output FILE] [--syslog] [--audit|--enforce]`: the daemon. */
#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "daemon/daemon.h"
#include "medguard.h"

static const char run_usage[] = "usage: medguard run --policy FILE [--output FILE] [--syslog] [--audit|--enforce]\n";

static void usage_run(void)
{
	fputs(run_usage, stderr);
}

int mg_cmd_run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "policy", required_argument, NULL, 'p' }, { "output", required_argument, NULL, 'o' },
		{ "syslog", no_argument, NULL, 's' },       { "audit", no_argument, NULL, 'a' },
		{ "enforce", no_argument, NULL, 'e' },      { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mg_daemon_options daemon = { .mode_override = -1 };
	int option;

	optind = 0;
	while ((option = mg_next_option(argc, argv, ":p:o:saeh", options, run_usage, "run", "unknown option")) != -1) {
		switch (option) {
		case 'p': daemon.policy_file = optarg; break;
		case 'o': daemon.output = optarg; break;
		case 's': daemon.syslog = true; break;
		case 'a': daemon.mode_override = MG_MODE_AUDIT; break;
		case 'e': daemon.mode_override = MG_MODE_ENFORCE; break;
		case 'h': usage_run(); return 2;
		default: return 2;
		}
	}
	if (!daemon.policy_file) {
		usage_run();
		return 2;
	}
	return mg_daemon_run(&daemon);
}
