/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Self-protection: the daemon, its maps and programs, the mounts the
 * policy's paths are seen through, and the memory of the kernel and of
 * trusted processes. No off-switch but a signed stop. Its programs are
 * here together; medguard.bpf.c includes this once, where they stand in
 * the object.
 */
#ifndef MEDGUARD_GUARD_BPF_H
#define MEDGUARD_GUARD_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "medguard.h"
#include "medguard_common.bpf.h"
#include "medguard_anchors.bpf.h"
#include "medguard_events.bpf.h"
#include "medguard_labels.bpf.h"
#include "medguard_state.bpf.h"
#include "medguard_walk.bpf.h"

#define SIGHUP 1
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGTERM 15
#define SIGCONT 18
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGSYS 31
#define RLIMIT_CORE 4
#define MS_REMOUNT 32
#define MS_UNBINDABLE (1 << 17)
#define MS_PRIVATE (1 << 18)
#define MS_SLAVE (1 << 19)
#define MS_SHARED (1 << 20)
#define S_IFCHR 0020000
#define PROC_SUPER_MAGIC 0x9fa0
#define CGROUP2_SUPER_MAGIC 0x63677270
/* A kernel dev_t (major << 20 | minor), as in i_rdev and s_dev. */
#define MKDEV(major, minor) (((major) << 20) | (minor))

/* ---- memory: what trusted processes read ---------------------------------- */

/*
 * The signals whose default action dumps core (sig_kernel_coredump): sent
 * by an untrusted task to a trusted one, they would write what it read
 * from the records to a file of the sender's choosing (core_pattern).
 */
#define CORE_DUMPING_SIGNALS                                                                                   \
	((1u << SIGQUIT) | (1u << SIGILL) | (1u << SIGTRAP) | (1u << SIGABRT) | (1u << SIGBUS) | (1u << SIGFPE) | \
	 (1u << SIGSEGV) | (1u << SIGXCPU) | (1u << SIGXFSZ) | (1u << SIGSYS))

static __always_inline bool dumps_core(int sig)
{
	return sig > 0 && sig < 32 && ((1u << sig) & CORE_DUMPING_SIGNALS);
}

/* Memory of the kernel or of a trusted process (DENTRY, when a file leads to it): refused, and an event. */
static __always_inline int refuse_memory(struct dentry *dentry)
{
	count(MG_COUNTER_DENIED);
	emit(MG_EVENT_ACCESS, MG_OP_READ, MG_EVENT_DENIED, MG_TREE_MEDGUARD, MG_RULE_MEMORY, current_label(), dentry,
	     0);
	return -EPERM;
}

static __always_inline bool task_trusted(struct task_struct *task)
{
	return label_trusted(bpf_task_storage_get(&mg_labels, task, 0, 0));
}

static __always_inline bool untrusted_reaches_trusted(struct task_struct *target)
{
	return !task_exempt() && !label_trusted(current_label()) && task_trusted(target);
}

/* Whether FILE is /proc/WANT: an entry of procfs's root, whatever mount shows it. */
static __always_inline bool is_proc_root_entry(struct file *file, const char *want)
{
	struct dentry *dentry = file->f_path.dentry;
	char name[16] = {};

	if (BPF_CORE_READ(file, f_inode, i_sb, s_magic) != PROC_SUPER_MAGIC)
		return false;
	if (BPF_CORE_READ(dentry, d_parent) != BPF_CORE_READ(dentry, d_sb, s_root))
		return false;
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(dentry, d_name.name));
	return !bpf_strncmp(name, sizeof(name), want);
}

/*
 * Memory that holds what trusted processes read: the kernel's (/proc/kcore,
 * /dev/mem, /dev/kmem) and the I/O ports that reach it (/dev/port), by
 * device number or procfs name, whatever node or mount names them.
 */
static __always_inline bool is_kernel_memory(struct file *file)
{
	struct inode *inode = file->f_inode;
	__u32 type = BPF_CORE_READ(inode, i_mode) & S_IFMT;
	__u32 rdev = BPF_CORE_READ(inode, i_rdev);

	if (type == S_IFCHR)
		return rdev == MKDEV(1, 1) || rdev == MKDEV(1, 2) || rdev == MKDEV(1, 4);
	return is_proc_root_entry(file, "kcore");
}

/*
 * /proc/sys/kernel/core_pattern: where every core dump goes. Pointed at a
 * file, it turns a trusted process's crash into a copy of what it read.
 */
static __always_inline bool is_core_pattern(struct file *file)
{
	struct dentry *dentry = file->f_path.dentry;
	char name[16] = {}, parent[8] = {};

	if (BPF_CORE_READ(file, f_inode, i_sb, s_magic) != PROC_SUPER_MAGIC)
		return false;
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(dentry, d_name.name));
	bpf_probe_read_kernel_str(parent, sizeof(parent), BPF_CORE_READ(dentry, d_parent, d_name.name));
	return !bpf_strncmp(name, sizeof(name), "core_pattern") && !bpf_strncmp(parent, sizeof(parent), "kernel");
}

/* The memory of the kernel and of trusted processes, while the daemon is guarded: refused to the untrusted. */
static __always_inline bool reaches_memory(struct file *file)
{
	if (!daemon_guarded || task_exempt())
		return false;
	if (is_kernel_memory(file))
		return true;
	return (file->f_mode & FMODE_WRITE) && !label_trusted(current_label()) && is_core_pattern(file);
}

/* ---- the daemon and its maps: no off-switch but a signed stop ----------- */

/*
 * The daemon's task (its group leader), noted at its first bpf() call after
 * it was marked, and forgotten when it exits. A cgroup's files name no task:
 * the guard follows the daemon to whatever cgroup it is in now.
 */
__u64 daemon_task;

/* Whether cgroup TARGET is the daemon's, or one above it. */
static __always_inline bool holds_the_daemon(struct cgroup *target)
{
	struct task_struct *daemon = (struct task_struct *)daemon_task;
	struct cgroup *cgroup = BPF_CORE_READ(daemon, cgroups, dfl_cgrp);

	for (int depth = 0; depth < MG_MAX_CGROUP_DEPTH && cgroup; depth++) {
		if (cgroup == target)
			return true;
		cgroup = BPF_CORE_READ(cgroup, self.parent, cgroup);
	}
	return false;
}

/*
 * Writes that end or stop the guarded daemon with no signal task_kill sees:
 * cgroup.kill or cgroup.freeze of a cgroup that holds it (moving it into a
 * cgroup of one's own first changes nothing), and /proc/sysrq-trigger, whose
 * commands kill or freeze every task.
 */
static __always_inline bool ends_the_daemon(struct file *file)
{
	struct dentry *dentry = file->f_path.dentry;
	struct kernfs_node *directory;
	char name[16] = {};

	if (!(file->f_mode & FMODE_WRITE) || !daemon_guarded || !daemon_task || task_exempt())
		return false;
	if (is_proc_root_entry(file, "sysrq-trigger"))
		return true;
	if (BPF_CORE_READ(file, f_inode, i_sb, s_magic) != CGROUP2_SUPER_MAGIC)
		return false;
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(dentry, d_name.name));
	if (bpf_strncmp(name, sizeof(name), "cgroup.kill") && bpf_strncmp(name, sizeof(name), "cgroup.freeze"))
		return false;
	/* A cgroup's directory is a kernfs node whose priv is the cgroup. */
	directory = BPF_CORE_READ(dentry, d_parent, d_inode, i_private);
	return holds_the_daemon(BPF_CORE_READ(directory, priv));
}

/*
 * The system's PID 1 stops the daemon's unit with SIGTERM, then SIGCONT.
 * The daemon decides (userspace/daemon/daemon.c): at shutdown, or after a
 * signed unlock, it leaves with its programs pinned and the records
 * protected; a guarded daemon ignores it otherwise (systemctl kill, a unit
 * that conflicts with it).
 */
static __always_inline bool init_stops_unit(int sig)
{
	return (sig == SIGTERM || sig == SIGCONT) && bpf_get_current_task_btf()->tgid == 1;
}

SEC("lsm/task_kill")
int BPF_PROG(mg_task_kill, struct task_struct *target, struct kernel_siginfo *info, int sig,
	     const struct cred *cred, int ret)
{
	if (ret)
		return ret;
	if (!sig || sig == SIGHUP || sig == SIGUSR1 || task_exempt())
		return 0;
	if (task_is_guarded_daemon(target))
		return init_stops_unit(sig) ? 0 : -EPERM;
	if (dumps_core(sig) && untrusted_reaches_trusted(target))
		return refuse_memory(NULL);
	return 0;
}

/*
 * A signal through SIGIO (F_SETOWN, F_SETSIG on a file another task owns)
 * does not pass task_kill. Whoever set it up is not known here: a
 * core-dumping signal, which I/O never needs, reaches no trusted task.
 */
SEC("lsm/file_send_sigiotask")
int BPF_PROG(mg_file_send_sigiotask, struct task_struct *target, struct fown_struct *fown, int sig, int ret)
{
	if (ret)
		return ret;
	if (task_is_guarded_daemon(target))
		return -EPERM;
	if (dumps_core(sig) && task_trusted(target))
		return -EPERM;
	return 0;
}

/* Nor may others starve it: limits, priority, scheduling class and I/O priority are its own. */
static __always_inline int keep_daemon_running(struct task_struct *target)
{
	return task_is_guarded_daemon(target) && !task_exempt() ? -EPERM : 0;
}

SEC("lsm/task_setrlimit")
int BPF_PROG(mg_task_setrlimit, struct task_struct *target, unsigned int resource, struct rlimit *limit, int ret)
{
	if (ret)
		return ret;
	/* prlimit --core on a trusted process, to make its memory a file. */
	if (resource == RLIMIT_CORE && limit->rlim_cur && target != bpf_get_current_task_btf() &&
	    untrusted_reaches_trusted(target))
		return refuse_memory(NULL);
	return keep_daemon_running(target);
}

/*
 * A clock set back would let a change keep a verified file's change time,
 * which binds its trust: while the daemon is guarded only trusted programs
 * (the time service) set the clock.
 */
SEC("lsm/settime")
int BPF_PROG(mg_settime, const struct timespec64 *ts, const struct timezone *tz, int ret)
{
	if (ret)
		return ret;
	if (!daemon_guarded || task_exempt() || label_trusted(current_label()))
		return 0;
	return refuse_self_protection(MG_OP_SETATTR, NULL, 0);
}

SEC("lsm/task_setnice")
int BPF_PROG(mg_task_setnice, struct task_struct *target, int nice, int ret)
{
	return ret ? ret : keep_daemon_running(target);
}

SEC("lsm/task_setscheduler")
int BPF_PROG(mg_task_setscheduler, struct task_struct *target, int ret)
{
	return ret ? ret : keep_daemon_running(target);
}

SEC("lsm/task_setioprio")
int BPF_PROG(mg_task_setioprio, struct task_struct *target, int ioprio, int ret)
{
	return ret ? ret : keep_daemon_running(target);
}

/*
 * No fd to one of medguard's maps for anyone but the daemon: not for
 * writing (bpftool map update), and not read-only either, since a program
 * loaded with a read-only fd may still write the map. The counters alone
 * may be read (medguard status).
 */
SEC("lsm/bpf_map")
int BPF_PROG(mg_bpf_map, struct bpf_map *map, fmode_t fmode, int ret)
{
	__u32 id;

	if (ret)
		return ret;
	if (task_exempt())
		return 0;
	id = map->id;
	if (id == readable_map_id && !(fmode & FMODE_WRITE))
		return 0;
	for (int i = 0; i < MG_MAX_OWN_MAPS; i++)
		if (own_map_ids[i] == id)
			return -EPERM;
	return 0;
}

/*
 * Programs that run in other tasks' context or change the kernel's answers
 * (kprobes, tracepoints, fentry and fmod_ret, LSM, extensions that replace
 * a function of a loaded program, struct_ops) could blind or overrule
 * medguard: while the daemon is guarded and locked only it loads them.
 * Networking and cgroup programs (systemd's IPAddressDeny=, DeviceAllow=)
 * load as before.
 */
static __always_inline bool reaches_into_the_kernel(__u32 prog_type)
{
	switch (prog_type) {
	case BPF_PROG_TYPE_KPROBE:
	case BPF_PROG_TYPE_TRACEPOINT:
	case BPF_PROG_TYPE_PERF_EVENT:
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
	case BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE:
	case BPF_PROG_TYPE_TRACING:
	case BPF_PROG_TYPE_STRUCT_OPS:
	case BPF_PROG_TYPE_EXT:
	case BPF_PROG_TYPE_LSM:
	case BPF_PROG_TYPE_SYSCALL:
		return true;
	}
	return false;
}

/*
 * A link fd (from a pin or an id) could detach medguard's programs: nothing
 * but the daemon detaches links while medguard runs; others close them.
 */
SEC("lsm/bpf")
int BPF_PROG(mg_bpf, int cmd, union bpf_attr *attr, unsigned int size, int ret)
{
	struct task_struct *leader = bpf_get_current_task_btf()->group_leader;

	if (ret)
		return ret;
	if (!daemon_task && bpf_task_storage_get(&mg_daemon, leader, 0, 0))
		daemon_task = (__u64)leader;
	if (cmd != BPF_LINK_DETACH && cmd != BPF_PROG_LOAD)
		return 0;
	if (task_exempt())
		return 0;
	if (cmd == BPF_LINK_DETACH)
		return -EPERM;
	if (paths_locked() && reaches_into_the_kernel(BPF_CORE_READ(attr, prog_type)))
		return refuse_self_protection(MG_OP_BPF_LOAD, NULL, 0);
	return 0;
}

/*
 * The daemon's guard ends with the daemon: its pinned programs go on
 * protecting the records, and the next start may replace them. At
 * shutdown it outlives the daemon: no start follows.
 */
SEC("tracepoint/sched/sched_process_exit")
int mg_daemon_exit(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (task->pid != task->tgid || !bpf_task_storage_get(&mg_daemon, task, 0, 0))
		return 0;
	daemon_task = 0;
	if (!guard_outlives_daemon) {
		daemon_guarded = 0;
		anchors_unlocked = 0;
	}
	return 0;
}

/* ---- the view of the records: no mount changes what the policy's paths name -- */

/* The id of MNT, as statx(STATX_MNT_ID) says it: struct mount's, around the vfsmount. */
static __always_inline __u32 mount_id(struct vfsmount *mnt)
{
	struct mount *mount = (void *)mnt - bpf_core_field_offset(struct mount, mnt);

	return BPF_CORE_READ(mount, mnt_id);
}

/*
 * Mounting on DENTRY, reached through MNT, hides what the policy names as
 * the daemon sees it: DENTRY is one of the objects, lies in a records tree
 * or in a directory of medguard's own, or is a directory above them; and
 * MNT is the mount the daemon found it through (a bind mount elsewhere, or
 * a service's own mount namespace, is another view).
 */
static __always_inline bool covers_named_path(struct dentry *dentry, struct vfsmount *mnt, __u64 *root_ino)
{
	struct mg_object object = {};
	__u32 generation;

	if (!paths_locked() || task_exempt() || !live_generation(&generation))
		return false;
	if (find_protected(dentry, NULL, generation, &object, root_ino) != WALK_PROTECTED || object.mnt_id != mount_id(mnt))
		return false;
	return !(object.flags & MG_OBJECT_ANCESTOR) || *root_ino == own_ino(dentry);
}

/* MNT is a mount the daemon found what the policy names through: unmounting or moving it changes the view. */
static __always_inline bool holds_named_path(struct vfsmount *mnt, struct dentry **root)
{
	struct mg_object_key key = {};
	struct mg_object *object;
	struct inode *inode;

	if (!paths_locked() || task_exempt() || !live_generation(&key.generation))
		return false;
	*root = BPF_CORE_READ(mnt, mnt_root);
	inode = BPF_CORE_READ(*root, d_inode);
	if (!inode)
		return false;
	key.dev = inode_dev(inode);
	key.ino = BPF_CORE_READ(inode, i_ino);
	object = bpf_map_lookup_elem(&mg_objects, &key);
	return object && object->mnt_id == mount_id(mnt);
}

SEC("lsm/sb_mount")
int BPF_PROG(mg_sb_mount, const char *dev_name, const struct path *path, const char *type, unsigned long flags,
	     void *data, int ret)
{
	struct dentry *dentry;
	__u64 root_ino = 0;

	if (ret)
		return ret;
	/* A remount or a change of propagation leaves in place what the path names. */
	if (flags & (MS_REMOUNT | MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE))
		return 0;
	dentry = BPF_CORE_READ(path, dentry);
	if (!covers_named_path(dentry, BPF_CORE_READ(path, mnt), &root_ino))
		return 0;
	return refuse_self_protection(MG_OP_MOUNT, dentry, root_ino);
}

/* The new mount API: a mount attached, or moved, onto a named path; or such a mount moved away. */
SEC("lsm/move_mount")
int BPF_PROG(mg_move_mount, const struct path *from_path, const struct path *to_path, int ret)
{
	struct dentry *dentry = NULL;
	__u64 root_ino = 0;

	if (ret)
		return ret;
	if (holds_named_path(BPF_CORE_READ(from_path, mnt), &dentry))
		return refuse_self_protection(MG_OP_UNMOUNT, dentry, own_ino(dentry));
	dentry = BPF_CORE_READ(to_path, dentry);
	if (!covers_named_path(dentry, BPF_CORE_READ(to_path, mnt), &root_ino))
		return 0;
	return refuse_self_protection(MG_OP_MOUNT, dentry, root_ino);
}

SEC("lsm/sb_umount")
int BPF_PROG(mg_sb_umount, struct vfsmount *mnt, int flags, int ret)
{
	struct dentry *root = NULL;

	if (ret)
		return ret;
	if (!holds_named_path(mnt, &root))
		return 0;
	return refuse_self_protection(MG_OP_UNMOUNT, root, own_ino(root));
}

#endif /* MEDGUARD_GUARD_BPF_H */
