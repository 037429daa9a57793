// SPDX-License-Identifier: GPL-2.0-only
/*
 * The enforcement core's lifecycle: open and load the BPF object with the
 * programs this kernel has hooks for, attach them, pin them with the maps
 * so that enforcement outlives the daemon, and detach or leave them. What
 * the programs must know of the daemon itself comes from guard.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "loader_internal.h"

static bool kernel_has_bpf_lsm(void)
{
	char lsms[512] = "";
	FILE *file = fopen("/sys/kernel/security/lsm", "r");

	if (!file)
		return true; /* securityfs not mounted: let the load itself tell */
	if (!fgets(lsms, sizeof(lsms), file))
		lsms[0] = '\0';
	fclose(file);
	return strstr(lsms, "bpf") != NULL;
}

/* Keeps the programs the running kernel has hooks for, in the shape it has them. */
static int select_programs(struct medguard *skel, FILE *log)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	int setattr_arity;

	if (!vmlinux) {
		fprintf(log, "medguard: the kernel has no BTF (/sys/kernel/btf/vmlinux); boot a kernel built with CONFIG_DEBUG_INFO_BTF=y\n");
		return -ENOENT;
	}
	if (mg_lsm_hook_arity(vmlinux, "file_truncate") < 0)
		bpf_program__set_autoload(skel->progs.mg_file_truncate, false);
	if (mg_lsm_hook_arity(vmlinux, "file_ioctl_compat") < 0)
		bpf_program__set_autoload(skel->progs.mg_file_ioctl_compat, false);
	/* mg_bpf reads its verdict as the fourth argument: only where the hook has three. */
	if (mg_lsm_hook_arity(vmlinux, "bpf") != 3)
		bpf_program__set_autoload(skel->progs.mg_bpf, false);
	setattr_arity = mg_lsm_hook_arity(vmlinux, "inode_setattr");
	if (setattr_arity == 3)
		bpf_program__set_autoload(skel->progs.mg_inode_setattr_v61, false);
	else
		bpf_program__set_autoload(skel->progs.mg_inode_setattr, false);
	btf__free(vmlinux);
	return 0;
}

/* bpffs refuses names with a dot, which internal maps (medguard.bss) have. */
static void pin_path(const struct bpf_map *map, char *path, size_t size)
{
	const char *name = bpf_map__name(map);
	size_t prefix;

	prefix = (size_t)snprintf(path, size, "%s/", MG_PIN_DIR);
	snprintf(path + prefix, size - prefix, "%s", name);
	for (char *c = path + prefix; *c; c++)
		if (*c == '.')
			*c = '_';
}

static void unpin_dir(void)
{
	char path[256];
	struct bpf_map *map;
	struct medguard *probe = medguard__open();
	int i;

	if (probe) {
		bpf_object__for_each_map(map, probe->obj) {
			pin_path(map, path, sizeof(path));
			unlink(path);
		}
		medguard__destroy(probe);
	}
	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "%s/link%d", MG_PIN_DIR, i);
		unlink(path);
	}
	rmdir(MG_PIN_DIR);
}

/*
 * Pins maps and links so that enforcement outlives a crashed daemon. Pins a
 * previous daemon left behind are replaced only after ours are attached, so
 * there is no moment without a program on the hooks.
 */
static int pin_all(struct mg_loader *loader, FILE *log)
{
	char path[256];
	struct bpf_map *map;
	size_t i;
	int err;

	unpin_dir();
	if (mkdir(MG_PIN_DIR, 0700) && errno != EEXIST) {
		fprintf(log, "medguard: cannot create %s: %s; is bpffs mounted on /sys/fs/bpf?\n", MG_PIN_DIR,
			strerror(errno));
		return -errno;
	}
	bpf_object__for_each_map(map, loader->skel->obj) {
		pin_path(map, path, sizeof(path));
		err = bpf_map__pin(map, path);
		if (err) {
			fprintf(log, "medguard: cannot pin %s: %s\n", path, strerror(-err));
			return err;
		}
	}
	for (i = 0; i < loader->nlinks; i++) {
		snprintf(path, sizeof(path), "%s/link%zu", MG_PIN_DIR, i);
		err = bpf_link__pin(loader->links[i], path);
		if (err) {
			fprintf(log, "medguard: cannot pin %s: %s\n", path, strerror(-err));
			return err;
		}
	}
	loader->pinned = true;
	return guard_anchor_pins(loader, log);
}

static int attach_all(struct mg_loader *loader, FILE *log)
{
	struct bpf_program *program, **programs;
	size_t count = 0;
	int err;

	bpf_object__for_each_program(program, loader->skel->obj)
		count++;
	loader->links = calloc(count, sizeof(*loader->links));
	programs = calloc(count, sizeof(*programs));
	if (!loader->links || !programs) {
		free(programs);
		return -ENOMEM;
	}
	count = 0;
	bpf_object__for_each_program(program, loader->skel->obj)
		programs[count++] = program;
	err = mg_attach_programs(programs, count, loader->links, &loader->nlinks, log);
	free(programs);
	return err;
}

struct mg_loader *mg_loader_open(const struct mg_loader_options *options)
{
	FILE *log = options->log ? options->log : stderr;
	struct mg_loader *loader;
	int err;

	loader = calloc(1, sizeof(*loader));
	if (!loader)
		return NULL;
	if (!kernel_has_bpf_lsm()) {
		fprintf(log, "medguard: BPF-LSM is not active; add 'bpf' to lsm= on the kernel command line "
			     "(e.g. lsm=lockdown,capability,landlock,yama,bpf) and reboot\n");
		goto fail;
	}
	loader->skel = medguard__open();
	if (!loader->skel) {
		fprintf(log, "medguard: cannot open the BPF object: %s\n", strerror(errno));
		goto fail;
	}
	if (select_programs(loader->skel, log))
		goto fail;
	err = medguard__load(loader->skel);
	if (err) {
		fprintf(log, "medguard: the kernel refused the BPF programs (%s); run as root on a kernel with "
			     "CONFIG_BPF_LSM=y and BTF, and see the verifier log above\n", strerror(-err));
		goto fail;
	}
	if (guard_mark_daemon(loader, log))
		goto fail;
	loader->pin = options->pin;
	loader->anchors = options->anchors;
	return loader;

fail:
	mg_loader_close(loader);
	return NULL;
}

int mg_loader_attach(struct mg_loader *loader, FILE *log)
{
	if (attach_all(loader, log))
		return -1;
	if (loader->pin && pin_all(loader, log))
		return -1;
	return 0;
}

void mg_loader_close(struct mg_loader *loader)
{
	size_t i;

	if (!loader)
		return;
	/*
	 * Unpin first: then closing our link fds drops the last references,
	 * and the programs are off the hooks when this returns.
	 */
	if (loader->pinned)
		unpin_dir();
	for (i = 0; i < loader->nlinks; i++)
		bpf_link__destroy(loader->links[i]);
	free(loader->links);
	medguard__destroy(loader->skel);
	forget_live_roots(loader);
	free(loader);
}

void mg_loader_leave(struct mg_loader *loader)
{
	size_t i;

	if (!loader)
		return;
	if (loader->pinned) {
		for (i = 0; i < loader->nlinks; i++)
			bpf_link__disconnect(loader->links[i]);
		loader->pinned = false;
	}
	mg_loader_close(loader);
}
