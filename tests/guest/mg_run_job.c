// SPDX-License-Identifier: GPL-2.0-only
/*
 * mg_run_job COMMAND [ARG...]: runs COMMAND in its own place. The guest
 * tests sign it with a policy key, so that one launch of this signed job
 * runs a packaged or allowlisted tool as a trusted lineage (lib.sh's
 * `trusted`). It is exactly the generic runner a production key must never
 * sign (docs/policy-language.md): whoever may launch it may run anything.
 */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mg_run_job COMMAND [ARG...]\n");
		return 2;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
