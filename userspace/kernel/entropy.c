// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "entropy.h"
#include "medguard_entropy.skel.h"
#include "runtime_maps.h"

/* Whether the running kernel has a function NAME to attach to. */
static bool kernel_has_function(const char *name)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	bool found;

	if (!vmlinux)
		return false;
	found = btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC) > 0;
	btf__free(vmlinux);
	return found;
}

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
	/* writev is sampled where the kernel keeps vfs_writev a function of its own. */
	if (!kernel_has_function("vfs_writev")) {
		bpf_program__set_autoload(skel->progs.mg_sample_writev, false);
		fprintf(log, "medguard: this kernel has no vfs_writev to sample; writev() writes are not measured for entropy\n");
	}
	err = medguard_entropy__load(skel);
	if (err) {
		fprintf(log, "medguard: the kernel refused the entropy sampler (%s); load the medguard_kfuncs.ko built with this medguard, and see the verifier log above\n",
			strerror(-err));
		goto fail;
	}
	err = medguard_entropy__attach(skel);
	if (err) {
		fprintf(log, "medguard: cannot attach the entropy sampler to vfs_write and vfs_writev: %s\n", strerror(-err));
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
