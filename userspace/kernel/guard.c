// SPDX-License-Identifier: GPL-2.0-only
/*
 * Self-protection, the kernel's side: the programs exempt the daemon's own
 * task, refuse other tasks its maps, its signals and tracing while it is
 * guarded, and its own files while they are locked. The daemon decides
 * when (daemon/guard.c); this file sets what the programs read.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "guard.h"
#include "loader_internal.h"

/* Exempts this process from the policy it loads: the programs know it by its task, not its PID. */
static int mark_daemon(struct medguard *skel, FILE *log)
{
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0), err = 0;
	__u32 mark = 1;

	if (pidfd < 0) {
		err = -errno;
		fprintf(log, "medguard: pidfd_open failed (%s); medguard needs Linux 5.10 or later\n", strerror(-err));
		return err;
	}
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.mg_daemon), &pidfd, &mark, BPF_ANY)) {
		err = -errno;
		fprintf(log, "medguard: cannot mark the daemon in its own programs: %s\n", strerror(errno));
	}
	close(pidfd);
	return err;
}

static_assert(sizeof(((struct medguard *)0)->maps) / sizeof(struct bpf_map *) <= MG_MAX_OWN_MAPS,
	      "every map of the object has a place in own_map_ids");

static void note_own_maps(struct medguard *skel)
{
	struct bpf_map_info info;
	struct bpf_map *map;
	__u32 len, n = 0;

	bpf_object__for_each_map(map, skel->obj) {
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (n >= MG_MAX_OWN_MAPS || bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len))
			continue;
		skel->bss->own_map_ids[n++] = info.id;
		if (map == skel->maps.mg_counters)
			skel->bss->readable_map_id = info.id;
	}
}

int guard_mark_daemon(struct mg_loader *loader, FILE *log)
{
	int err = mark_daemon(loader->skel, log);

	if (!err)
		note_own_maps(loader->skel);
	return err;
}

int guard_anchor_pins(struct mg_loader *loader, FILE *log)
{
	return anchor_in_live_generation(loader, MG_PIN_DIR, log);
}

/* Whether medguard's own files are locked: the daemon is guarded and no signed unlock is in force. */
static bool guard_locks_own_files(const struct mg_loader *loader)
{
	return loader->skel->bss->daemon_guarded && !loader->skel->bss->anchors_unlocked;
}

void mg_loader_guard_daemon(struct mg_loader *loader, bool guarded)
{
	loader->skel->bss->daemon_guarded = guarded;
}

void mg_loader_unlock_anchors(struct mg_loader *loader, bool unlocked)
{
	loader->skel->bss->anchors_unlocked = unlocked;
}

void mg_loader_keep_guard_after_exit(struct mg_loader *loader)
{
	loader->skel->bss->guard_outlives_daemon = 1;
}

int mg_loader_check_locked_paths(const struct mg_loader *loader, const struct mg_policy *policy, FILE *diag)
{
	if (!guard_locks_own_files(loader))
		return 0;
	return live_paths_moved(loader, policy, diag);
}
