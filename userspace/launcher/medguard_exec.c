// SPDX-License-Identifier: GPL-2.0-only
/*
 * medguard-exec [--] PROGRAM [ARG...]: the launcher. medguard-exec --version
 * says which medguard it comes with.
 *
 * Trust follows provenance: whatever an administrator's shell or a cron
 * job's `sh -c` starts is untrusted. A policy that names this program in a
 * `launcher` statement lets it start PROGRAM as a new trusted lineage, on
 * one condition the kernel checks itself: PROGRAM is signed with one of the
 * policy's keys (an IMA signature; package or allowlist trust is not
 * enough, so `medguard-exec cat RECORD` stays refused). Every launch is an
 * event of the kernel's, allowed or denied.
 *
 * Only root launches. Nothing of the caller's environment but a few plain
 * variables reaches PROGRAM, and no descriptor beyond the standard three:
 * LD_PRELOAD, BASH_ENV, PYTHONPATH or an open record must not steer or
 * feed a trusted program.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <sys/syscall.h>

/* The Makefile passes it from the VERSION file, the one place it is written. */
#ifndef MEDGUARD_VERSION
#error "MEDGUARD_VERSION is not defined: build medguard-exec with medguard's Makefile, which reads it from VERSION"
#endif

#define SAFE_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The caller's variables that say nothing about what a program runs. */
static const char *const kept_variables[] = { "HOME", "LANG", "LC_ALL", "LOGNAME", "TERM", "TZ", "USER" };

#define NKEPT (sizeof(kept_variables) / sizeof(kept_variables[0]))

int main(int argc, char **argv)
{
	char *environment[NKEPT + 2], path_variable[] = "PATH=" SAFE_PATH;
	size_t i, n = 0;
	int first = 1;

	/* Starts nothing: PROGRAM never begins with a dash. */
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("medguard-exec %s\n", MEDGUARD_VERSION);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--"))
		first = 2;
	if (first >= argc || argv[first][0] == '-') {
		fprintf(stderr, "usage: medguard-exec [--] PROGRAM [ARG...]\n");
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "medguard-exec: only root may start a trusted lineage; run it as root\n");
		return 126;
	}
	environment[n++] = path_variable;
	for (i = 0; i < NKEPT; i++) {
		const char *value = getenv(kept_variables[i]);
		size_t size;

		if (!value)
			continue;
		size = strlen(kept_variables[i]) + strlen(value) + 2;
		environment[n] = malloc(size);
		if (!environment[n])
			continue;
		snprintf(environment[n++], size, "%s=%s", kept_variables[i], value);
	}
	environment[n] = NULL;
	syscall(SYS_close_range, 3U, ~0U, 0U);
	if (setenv("PATH", SAFE_PATH, 1) == 0)
		execvpe(argv[first], argv + first, environment);
	fprintf(stderr, "medguard-exec: cannot run %s: %s\n", argv[first], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
