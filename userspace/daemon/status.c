// SPDX-License-Identifier: GPL-2.0-only
/* The status file `medguard status` reads: what the running daemon enforces and how. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/*
 * The daemon is exempt from the policy: what it writes goes through no link
 * someone planted, and only into a run directory that is a real directory.
 */
static bool run_dir_ready(void)
{
	struct stat st;

	mkdir(MG_RUN_DIR, 0755);
	return lstat(MG_RUN_DIR, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0;
}

pid_t running_daemon(void)
{
	char path[64], comm[32] = "", state = 'X';
	FILE *file = fopen(MG_PID_FILE, "re");
	int pid = 0;
	bool alive;

	if (!file)
		return 0;
	if (fscanf(file, "%d", &pid) != 1 || pid <= 1 || pid == getpid())
		pid = 0;
	fclose(file);
	if (!pid)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	file = fopen(path, "re");
	if (!file)
		return 0;
	alive = fscanf(file, "%*d (%31[^)]) %c", comm, &state) == 2 && strcmp(comm, "medguard") == 0 &&
		state != 'Z' && state != 'X';
	fclose(file);
	return alive ? pid : 0;
}

void write_pid_file(void)
{
	FILE *file;

	if (!run_dir_ready())
		return;
	file = mg_replacement_open(MG_PID_FILE ".tmp", 0644);
	if (!file)
		return;
	fprintf(file, "%d\n", getpid());
	mg_replacement_commit(file, MG_PID_FILE ".tmp", MG_PID_FILE);
}

void write_status(struct daemon *daemon)
{
	FILE *file;

	if (!run_dir_ready())
		return;
	file = mg_replacement_open(MG_STATUS_FILE ".tmp", 0644);
	if (!file)
		return;
	fprintf(file, "pid %d\npolicy %s\ngeneration %u\nmode %s\ntrusted-files %lu\n", getpid(),
		daemon->policy_file, mg_loader_generation(daemon->loader),
		daemon->policy->mode == MG_MODE_ENFORCE ? "enforce" : "audit", daemon->trusted_files);
	fprintf(file, "reloads %u%s\n", daemon->reloads,
		!daemon->reloads ? "" : daemon->last_reload_refused ? " last-refused" : " last-applied");
	if (daemon->stop_challenge[0])
		fprintf(file, "stop-challenge %s\nown-files %s\n", daemon->stop_challenge,
			daemon->unlocked ? "unlocked until the next reload" : "locked");
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
	mg_replacement_commit(file, MG_STATUS_FILE ".tmp", MG_STATUS_FILE);
}
