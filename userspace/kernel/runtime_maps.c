// SPDX-License-Identifier: GPL-2.0-only
/*
 * The core's maps the daemon reads and writes while it runs, outside the
 * policy's generations: the trust map, the tasks' labels, the counters,
 * and the maps the module and the sampler share with the core.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "runtime_maps.h"
#include "loader_internal.h"

int mg_loader_trust_file(struct mg_loader *loader, const struct mg_trust_key *key, const struct mg_trust *trust)
{
	if (bpf_map_update_elem(bpf_map__fd(loader->skel->maps.mg_trust), key, trust, BPF_ANY))
		return -errno;
	return 0;
}

void mg_loader_untrust_file(struct mg_loader *loader, const struct mg_trust_key *key)
{
	bpf_map_delete_elem(bpf_map__fd(loader->skel->maps.mg_trust), key);
}

int mg_loader_trust_of(const struct mg_loader *loader, const struct mg_trust_key *key, __s64 ctime_sec,
		       __u32 ctime_nsec, struct mg_trust *trust)
{
	if (bpf_map_lookup_elem(bpf_map__fd(loader->skel->maps.mg_trust), key, trust))
		return -ENOENT;
	if (trust->ctime_sec != ctime_sec || trust->ctime_nsec != ctime_nsec)
		return -ENOENT;
	return 0;
}

int mg_loader_trust_fd(const struct mg_loader *loader)
{
	return bpf_map__fd(loader->skel->maps.mg_trust);
}

int mg_loader_label_of(const struct mg_loader *loader, pid_t pid, struct mg_task_label *label)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), err = 0;

	if (pidfd < 0)
		return -errno;
	if (bpf_map_lookup_elem(bpf_map__fd(loader->skel->maps.mg_labels), &pidfd, label))
		err = -errno;
	close(pidfd);
	return err;
}

int mg_loader_label_process(struct mg_loader *loader, pid_t pid, const struct mg_task_label *label, bool replace)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), err = 0;

	if (pidfd < 0)
		return -errno;
	if (bpf_map_update_elem(bpf_map__fd(loader->skel->maps.mg_labels), &pidfd, label,
				replace ? BPF_EXIST : BPF_NOEXIST))
		err = -errno;
	close(pidfd);
	return err;
}

void mg_loader_labels_complete(struct mg_loader *loader)
{
	loader->skel->bss->labels_complete = 1;
}

int mg_loader_sampled_files_fd(const struct mg_loader *loader)
{
	return bpf_map__fd(loader->skel->maps.mg_sampled_files);
}

int mg_loader_entropy_pending_fd(const struct mg_loader *loader)
{
	return bpf_map__fd(loader->skel->maps.mg_entropy_pending);
}

__u64 mg_loader_counter(const struct mg_loader *loader, unsigned int counter)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 *values, sum = 0;
	int i;

	if (ncpus <= 0)
		return 0;
	values = calloc(ncpus, sizeof(*values));
	if (!values)
		return 0;
	if (!bpf_map_lookup_elem(bpf_map__fd(loader->skel->maps.mg_counters), &counter, values))
		for (i = 0; i < ncpus; i++)
			sum += values[i];
	free(values);
	return sum;
}
