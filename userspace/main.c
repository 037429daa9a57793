// SPDX-License-Identifier: GPL-2.0-only
/* medguard: keeps unsigned programs and ransomware away from medical records. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "commands.h"
#include "kfuncs.h"

static int libbpf_quiet(enum libbpf_print_level level, const char *format, va_list args)
{
	/* The verifier log is the one libbpf message an operator needs on failure. */
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, format, args);
}

/* Where trust at exec comes from: the module's exec-trust programs, or the daemon alone. */
static void print_exec_trust(const struct mg_kfuncs_report *report)
{
	if (report->exec_trust_status) {
		printf("exec-trust userspace: the kernel refused the exec-trust programs (%s); load the medguard_kfuncs.ko built with this medguard\n",
		       strerror(-report->exec_trust_status));
		return;
	}
	if (report->nkeys < 0) {
		printf("exec-trust userspace: cannot read %s (%s); mount securityfs and run as root\n", MEDGUARD_KEYS_FILE,
		       strerror(-report->nkeys));
		return;
	}
	printf("exec-trust kernel\nexec-trust-keys %d\nexec-trust-cache %llu entries, %llu hits, %llu misses\n",
	       report->nkeys, (unsigned long long)report->cache.entries, (unsigned long long)report->cache.hits,
	       (unsigned long long)report->cache.misses);
}

static int cmd_probe(int argc, char **argv)
{
	struct mg_kfuncs_report report;
	int err;

	(void)argc;
	(void)argv;
	err = mg_kfuncs_probe(&report);
	if (err == -ENOENT) {
		printf("kfuncs absent: module medguard_kfuncs is not loaded; insmod it for in-kernel helpers\n");
		printf("exec-trust userspace: the daemon verifies signatures; insmod medguard_kfuncs.ko to verify them at exec\n");
		return 1;
	}
	if (err) {
		printf("kfuncs unusable: %s\n", strerror(-err));
		return 1;
	}
	printf("kfuncs abi %u (medguard expects %u)\nentropy-uniform %u\nentropy-constant %u\n",
	       report.abi_version, MEDGUARD_KFUNC_ABI_VERSION, report.entropy_uniform, report.entropy_constant);
	print_exec_trust(&report);
	return report.usable ? 0 : 1;
}

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "run", mg_cmd_run, "run --policy FILE [--output FILE] [--syslog] [--audit|--enforce]" },
	{ "status", mg_cmd_status, "status" },
	{ "policy", mg_cmd_policy, "policy check|show FILE, policy reload" },
	{ "sign", mg_cmd_sign, "sign FILE... --key PRIVATE_KEY" },
	{ "verify", mg_cmd_verify, "verify FILE... --key PUBLIC_KEY" },
	{ "trust", mg_cmd_trust, "trust import-dpkg|hash ..." },
	{ "probe", cmd_probe, "probe (are the module's kfuncs there and answering?)" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  medguard %s\n", commands[i].help);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	libbpf_set_print(libbpf_quiet);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "medguard: unknown command '%s'; see 'medguard --help'\n", argv[1]);
	return 2;
}
