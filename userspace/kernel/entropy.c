// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "entropy.h"
#include "medguard_entropy.skel.h"

struct medguard_entropy *mg_entropy_attach(const struct mg_loader *loader, FILE *log)
{
	struct medguard_entropy *skel;
	int err;

	skel = medguard_entropy__open();
	if (!skel) {
		fprintf(log, "medguard: cannot open the entropy sampler: %s\n", strerror(errno));
		return NULL;
	}
	err = bpf_map__reuse_fd(skel->maps.mg_sampled_files, mg_loader_sampled_files_fd(loader));
	if (!err)
		err = bpf_map__reuse_fd(skel->maps.mg_entropy_pending, mg_loader_entropy_pending_fd(loader));
	if (err) {
		fprintf(log, "medguard: cannot share the core's maps with the entropy sampler: %s\n", strerror(-err));
		goto fail;
	}
	err = medguard_entropy__load(skel);
	if (err) {
		fprintf(log, "medguard: the kernel refused the entropy sampler (%s); load the medguard_kfuncs.ko built with this medguard, and see the verifier log above\n",
			strerror(-err));
		goto fail;
	}
	err = medguard_entropy__attach(skel);
	if (err) {
		fprintf(log, "medguard: cannot attach the entropy sampler to vfs_write: %s\n", strerror(-err));
		goto fail;
	}
	return skel;
fail:
	medguard_entropy__destroy(skel);
	return NULL;
}

void mg_entropy_detach(struct medguard_entropy *sampler)
{
	medguard_entropy__destroy(sampler);
}
