// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "entropy.h"
#include "medguard_entropy.skel.h"

struct mg_entropy_sampler {
	struct medguard_entropy *skel;
};

struct mg_entropy_sampler *mg_entropy_attach(const struct mg_loader *loader, FILE *log)
{
	struct mg_entropy_sampler *sampler;
	int err;

	sampler = calloc(1, sizeof(*sampler));
	if (!sampler) {
		fprintf(log, "medguard: cannot attach the entropy sampler: out of memory\n");
		return NULL;
	}
	sampler->skel = medguard_entropy__open();
	if (!sampler->skel) {
		fprintf(log, "medguard: cannot open the entropy sampler: %s\n", strerror(errno));
		goto fail;
	}
	err = bpf_map__reuse_fd(sampler->skel->maps.mg_sampled_files, mg_loader_sampled_files_fd(loader));
	if (!err)
		err = bpf_map__reuse_fd(sampler->skel->maps.mg_entropy_pending, mg_loader_entropy_pending_fd(loader));
	if (err) {
		fprintf(log, "medguard: cannot share the core's maps with the entropy sampler: %s\n", strerror(-err));
		goto fail;
	}
	err = medguard_entropy__load(sampler->skel);
	if (err) {
		fprintf(log, "medguard: the kernel refused the entropy sampler (%s); load the medguard_kfuncs.ko built with this medguard, and see the verifier log above\n",
			strerror(-err));
		goto fail;
	}
	err = medguard_entropy__attach(sampler->skel);
	if (err) {
		fprintf(log, "medguard: cannot attach the entropy sampler to vfs_write: %s\n", strerror(-err));
		goto fail;
	}
	return sampler;
fail:
	mg_entropy_detach(sampler);
	return NULL;
}

void mg_entropy_detach(struct mg_entropy_sampler *sampler)
{
	if (!sampler)
		return;
	medguard_entropy__destroy(sampler->skel);
	free(sampler);
}
