// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>

#include "attach.h"

int mg_lsm_hook_arity(const struct btf *vmlinux, const char *hook)
{
	char name[128];
	const struct btf_type *func, *proto;
	int id;

	snprintf(name, sizeof(name), "bpf_lsm_%s", hook);
	id = btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC);
	if (id < 0)
		return -1;
	func = btf__type_by_id(vmlinux, id);
	proto = btf__type_by_id(vmlinux, func->type);
	return proto ? btf_vlen(proto) : -1;
}

int mg_attach_programs(struct bpf_program *const programs[], size_t nprograms, struct bpf_link **links,
		       size_t *nlinks, FILE *log)
{
	struct bpf_link *link;

	for (size_t i = 0; i < nprograms; i++) {
		if (!bpf_program__autoload(programs[i]))
			continue;
		link = bpf_program__attach(programs[i]);
		if (!link) {
			fprintf(log, "medguard: cannot attach %s: %s\n", bpf_program__name(programs[i]), strerror(errno));
			return -errno;
		}
		links[(*nlinks)++] = link;
	}
	return 0;
}
