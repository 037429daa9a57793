// SPDX-License-Identifier: GPL-2.0-only
/* `medguard probe`: are the module's kfuncs there and answering? */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "kernel/kernel.h"

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

int mg_cmd_probe(int argc, char **argv)
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

