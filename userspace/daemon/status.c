// SPDX-License-Identifier: GPL-2.0-only
/* The status file `medguard status` reads: what the running daemon enforces and how. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

void write_status(struct daemon *daemon)
{
	FILE *file;

	mkdir("/run/medguard", 0755);
	file = fopen(MG_STATUS_FILE ".tmp", "w");
	if (!file)
		return;
	fprintf(file, "pid %d\npolicy %s\ngeneration %u\nmode %s\ntrusted-files %lu\n", getpid(),
		daemon->policy_file, mg_loader_generation(daemon->loader),
		daemon->policy->mode == MG_MODE_ENFORCE ? "enforce" : "audit", daemon->trusted_files);
	if (daemon->digests)
		fprintf(file, "digest-cache %zu entries in %s\n", mg_digest_cache_count(daemon->digests),
			MG_DIGEST_CACHE_FILE);
	if (daemon->kfuncs_status == 0 && daemon->kfuncs.usable)
		fprintf(file, "kfuncs module (abi %u, entropy self-test %u/%u millibits, %d keys)\n",
			daemon->kfuncs.abi_version, daemon->kfuncs.entropy_uniform, daemon->kfuncs.entropy_constant,
			mg_kfuncs_loaded_keys());
	else if (daemon->kfuncs_status == -ENOENT)
		fprintf(file, "kfuncs absent (module medguard_kfuncs not loaded)\n");
	else
		fprintf(file, "kfuncs unusable (%s)\n", strerror(-daemon->kfuncs_status));
	fprintf(file, "exec-trust %s\n",
		daemon->exec_trust ? "kernel (signatures verified by the module at exec) and userspace trust store"
				   : "userspace trust store");
	if (daemon->entropy)
		fprintf(file, "entropy sampled in the kernel (first write to each record a lineage did not create)\n");
	else if (daemon->kfuncs_status == 0 && daemon->kfuncs.usable)
		fprintf(file, "entropy not measured: the kernel refused the sampler (see the daemon's log); the other signals still score\n");
	else
		fprintf(file, "entropy not measured (needs the medguard_kfuncs module); the other signals still score\n");
	fclose(file);
	rename(MG_STATUS_FILE ".tmp", MG_STATUS_FILE);
}
