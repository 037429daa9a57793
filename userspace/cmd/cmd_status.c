// SPDX-License-Identifier: GPL-2.0-only
/* `medguard status`: what the running daemon wrote, and the kernel's counters. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cmd.h"
#include "daemon/daemon.h"
#include "kernel/kernel.h"

/* The sum over CPUs of pinned counter COUNTER, or -1. */
static long long pinned_counter(unsigned int counter)
{
	/* Read-only: a writable fd to medguard's maps is the daemon's alone. */
	LIBBPF_OPTS(bpf_obj_get_opts, read_only, .file_flags = BPF_F_RDONLY);
	int fd = bpf_obj_get_opts(MG_PIN_DIR "/mg_counters", &read_only), ncpus = libbpf_num_possible_cpus(), i;
	long long sum = -1;
	__u64 *values;

	if (fd < 0 || ncpus <= 0)
		goto cleanup;
	values = calloc(ncpus, sizeof(*values));
	if (values && !bpf_map_lookup_elem(fd, &counter, values))
		for (sum = 0, i = 0; i < ncpus; i++)
			sum += values[i];
	free(values);
cleanup:
	if (fd >= 0)
		close(fd);
	return sum;
}

/*
 * No daemon runs; its programs may: a daemon that left at a hand-over, at
 * shutdown, or crashed leaves them pinned and enforcing. Exit status 3.
 */
static int not_running(const char *why)
{
	long long denied = pinned_counter(MG_COUNTER_DENIED);

	if (denied < 0) {
		printf("medguard is not running (%s); start it with 'medguard run --policy FILE'\n", why);
		return 3;
	}
	printf("medguard's daemon is not running (%s), but the programs of the last one stay pinned in %s and "
	       "enforce its policy (%lld denied); a start takes them over ('systemctl start medguard' or "
	       "'medguard run --policy FILE')\n",
	       why, MG_PIN_DIR, denied);
	return 3;
}

int mg_cmd_status(int argc, char **argv)
{
	char line[512];
	FILE *file;
	int pid = 0;

	(void)argc;
	(void)argv;
	file = fopen(MG_STATUS_FILE, "r");
	if (!file) {
		snprintf(line, sizeof(line), "no %s", MG_STATUS_FILE);
		return not_running(line);
	}
	while (fgets(line, sizeof(line), file)) {
		if (sscanf(line, "pid %d", &pid) == 1 && kill(pid, 0) && errno == ESRCH) {
			fclose(file);
			snprintf(line, sizeof(line), "pid %d is gone", pid);
			return not_running(line);
		}
		fputs(line, stdout);
	}
	fclose(file);
	printf("denied %lld\naudited %lld\nevents-lost %lld\n", pinned_counter(MG_COUNTER_DENIED),
	       pinned_counter(MG_COUNTER_AUDITED), pinned_counter(MG_COUNTER_EVENTS_LOST));
	return 0;
}
