// SPDX-License-Identifier: GPL-2.0-only
/* medguard: keeps unsigned programs and ransomware away from medical records. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "cmd.h"

/* The Makefile passes it from the VERSION file, the one place it is written. */
#ifndef MEDGUARD_VERSION
#error "MEDGUARD_VERSION is not defined: build medguard with its Makefile, which reads it from VERSION"
#endif

static int libbpf_quiet(enum libbpf_print_level level, const char *format, va_list args)
{
	/* The verifier log is the one libbpf message an operator needs on failure. */
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, format, args);
}

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "run", mg_cmd_run, "run --policy FILE [--output FILE] [--syslog] [--audit|--enforce]" },
	{ "status", mg_cmd_status, "status" },
	{ "stop", mg_cmd_stop, "stop [--key PRIVATE_KEY] (the signed stop a policy with keys requires)" },
	{ "unlock", mg_cmd_unlock, "unlock --key PRIVATE_KEY (change the policy's files until the next reload)" },
	{ "policy", mg_cmd_policy, "policy check|show FILE, policy reload" },
	{ "sign", mg_cmd_sign, "sign FILE... --key PRIVATE_KEY" },
	{ "verify", mg_cmd_verify, "verify FILE... --key PUBLIC_KEY" },
	{ "trust", mg_cmd_trust, "trust import-dpkg|hash|check ..." },
	{ "probe", mg_cmd_probe, "probe (are the module's kfuncs there and answering?)" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  medguard %s\n", commands[i].help);
	fprintf(out, "  medguard --version\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("medguard %s\n", MEDGUARD_VERSION);
		return 0;
	}
	libbpf_set_print(libbpf_quiet);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "medguard: unknown command '%s'; see 'medguard --help'\n", argv[1]);
	return 2;
}
