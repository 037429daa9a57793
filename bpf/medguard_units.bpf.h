/* SPDX-License-Identifier: GPL-2.0-only */
/* Service units: what the service manager starts is trusted only if its unit's files are verified. */
#ifndef MEDGUARD_UNITS_BPF_H
#define MEDGUARD_UNITS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "medguard.h"
#include "medguard_common.bpf.h"
#include "medguard_events.bpf.h"
#include "medguard_labels.bpf.h"
#include "medguard_state.bpf.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/*
 * Set by the daemon when systemd is PID 1. From then on a process PID 1
 * forks passes trust on at its exec only if the unit it was forked for
 * (the cgroup systemd put it in, which is named after the unit) was
 * loaded from verified files.
 */
__u32 service_units;

/*
 * Every trust and every revocation of a unit takes the next epoch: the
 * kernel's as PID 1 reads the unit's files, the daemon's as a scan of what
 * systemd has loaded begins. A unit is trusted from its latest trust on
 * unless a later revocation came; so a scan's answer, older than what PID
 * 1 read meanwhile, never overrides it. Entries at or below the floor no
 * longer count (a reload, whose trust sources may differ).
 */
__u32 units_epoch;
__u32 units_floor;

/* The unit file PID 1 read last: the drop-ins it reads next are that unit's. */
struct mg_unit_key last_unit;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MG_MAX_UNITS);
	__type(key, struct mg_unit_key);
	__type(value, __u32); /* the epoch it was trusted at */
} mg_units SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MG_MAX_UNITS);
	__type(key, struct mg_unit_key);
	__type(value, __u32); /* the epoch it was revoked at; the daemon prunes those its scans outdated */
} mg_units_revoked SEC(".maps");

static __always_inline __u32 next_units_epoch(void)
{
	__sync_fetch_and_add(&units_epoch, 1);
	return units_epoch;
}

/*
 * Names being taken apart, in per-CPU scratch: one slot for PID 1's unit
 * files, one for an exec's unit and one for a cgroup being written.
 */
enum { SCRATCH_UNIT_FILE, SCRATCH_EXEC, SCRATCH_CGROUP, SCRATCH_SLOTS };

struct unit_name {
	char name[MG_UNIT_NAME_LEN + 16] __attribute__((aligned(8))); /* a suffix copied from any offset stays inside */
	char suffix[16] __attribute__((aligned(8)));
	struct mg_unit_key key;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SCRATCH_SLOTS);
	__type(key, __u32);
	__type(value, struct unit_name);
} mg_unit_scratch SEC(".maps");

static __always_inline struct unit_name *unit_scratch(__u32 slot)
{
	return bpf_map_lookup_elem(&mg_unit_scratch, &slot);
}

/* Where the first '@' and the last '.' of a name are (bpf_loop: one callback to verify, not 128 states). */
struct name_marks {
	struct unit_name *unit;
	int at;
	int dot;
};

static long mark_name_char(__u64 index, void *ctx)
{
	struct name_marks *marks = ctx;
	char c;

	if (index >= MG_UNIT_NAME_LEN)
		return 1;
	c = marks->unit->name[index & (MG_UNIT_NAME_LEN - 1)];
	if (!c)
		return 1;
	if (c == '@' && marks->at < 0)
		marks->at = (int)index;
	if (c == '.')
		marks->dot = (int)index;
	return 0;
}

/* Reads NAME into UNIT; the length with its NUL, or 0 (none) or MG_UNIT_NAME_LEN (too long). */
static __always_inline long read_unit_name(struct unit_name *unit, const void *name, struct name_marks *marks)
{
	long len;

	__builtin_memset(unit, 0, sizeof(*unit));
	marks->unit = unit;
	marks->at = -1;
	marks->dot = -1;
	len = bpf_probe_read_kernel_str(unit->name, MG_UNIT_NAME_LEN, name);
	if (len <= 1)
		return 0;
	if (len >= MG_UNIT_NAME_LEN)
		return MG_UNIT_NAME_LEN;
	bpf_loop(MG_UNIT_NAME_LEN, mark_name_char, marks, 0);
	return len;
}

enum unit_file_kind {
	NOT_A_UNIT_FILE,
	UNIT_FILE_TOO_LONG,     /* could be anything, and cannot be keyed */
	UNIT_RUNS_PROCESSES,    /* .service, .socket, .mount, .swap */
	UNIT_RUNS_NOTHING,      /* .target, .timer, .path, .slice, .scope, .automount, .device */
	UNIT_DROP_IN,           /* a .conf: PID 1 reads those for the unit it loads */
};

static __always_inline enum unit_file_kind unit_file_kind(struct unit_name *file, const void *name)
{
	struct name_marks marks;
	long len = read_unit_name(file, name, &marks);

	if (!len)
		return NOT_A_UNIT_FILE;
	if (len >= MG_UNIT_NAME_LEN)
		return UNIT_FILE_TOO_LONG;
	if (marks.dot < 0)
		return NOT_A_UNIT_FILE;
	__builtin_memcpy(file->suffix, &file->name[marks.dot & (MG_UNIT_NAME_LEN - 1)], sizeof(file->suffix));
	if (!bpf_strncmp(file->suffix, sizeof(file->suffix), ".service") ||
	    !bpf_strncmp(file->suffix, sizeof(file->suffix), ".socket") ||
	    !bpf_strncmp(file->suffix, sizeof(file->suffix), ".mount") ||
	    !bpf_strncmp(file->suffix, sizeof(file->suffix), ".swap"))
		return UNIT_RUNS_PROCESSES;
	if (!bpf_strncmp(file->suffix, sizeof(file->suffix), ".conf"))
		return UNIT_DROP_IN;
	if (!bpf_strncmp(file->suffix, sizeof(file->suffix), ".target") ||
	    !bpf_strncmp(file->suffix, sizeof(file->suffix), ".timer") ||
	    !bpf_strncmp(file->suffix, sizeof(file->suffix), ".path") ||
	    !bpf_strncmp(file->suffix, sizeof(file->suffix), ".slice") ||
	    !bpf_strncmp(file->suffix, sizeof(file->suffix), ".scope") ||
	    !bpf_strncmp(file->suffix, sizeof(file->suffix), ".automount") ||
	    !bpf_strncmp(file->suffix, sizeof(file->suffix), ".device"))
		return UNIT_RUNS_NOTHING;
	return NOT_A_UNIT_FILE;
}

/*
 * The unit PID 1 is loading is not trusted, and an event names the file
 * that decided it (the daemon then asks systemd again: the file may be
 * verified by now). With no room to note it, no unit is trusted until
 * the daemon's next scan.
 */
static __always_inline void revoke_last_unit(struct file *file)
{
	__u32 epoch;

	if (!last_unit.name[0])
		return;
	epoch = next_units_epoch();
	bpf_map_delete_elem(&mg_units, &last_unit);
	if (bpf_map_update_elem(&mg_units_revoked, &last_unit, &epoch, BPF_ANY))
		units_floor = epoch;
	emit(MG_EVENT_UNIT, MG_OP_READ, MG_EVENT_DENIED, 0, MG_RULE_DEFAULT, current_label(), file->f_path.dentry, 0);
}

/* Whether the directory of DENTRY is a drop-in directory (its name ends in ".d"), or may be one. */
static __always_inline bool in_drop_in_dir(struct unit_name *scratch, struct dentry *dentry)
{
	long len;

	__builtin_memset(scratch->suffix, 0, sizeof(scratch->suffix));
	len = bpf_probe_read_kernel_str(scratch->name, MG_UNIT_NAME_LEN, BPF_CORE_READ(dentry, d_parent, d_name.name));
	if (len >= MG_UNIT_NAME_LEN)
		return true;
	if (len < 4)
		return false;
	__builtin_memcpy(scratch->suffix, &scratch->name[(len - 3) & (MG_UNIT_NAME_LEN - 1)], 2);
	return !bpf_strncmp(scratch->suffix, sizeof(scratch->suffix), ".d");
}

/*
 * PID 1 reads a unit's files whenever it loads the unit (at its first use
 * and at every daemon-reload): the unit file first, then each drop-in,
 * whatever name or alias they are under. A unit is trusted from a verified
 * unit file on, and loses it at the first drop-in that is not verified;
 * an unverified unit file of its name (one earlier in the search path, a
 * transient unit's) takes it too. Aliases need no names: the drop-ins
 * follow the unit file they belong to.
 */
static __always_inline void note_unit_file(struct file *file)
{
	struct unit_name *names;
	bool verified;
	__u32 epoch;

	if (!service_units || (bpf_get_current_pid_tgid() >> 32) != 1 || (file->f_mode & (FMODE_WRITE | FMODE_NOACCOUNT)) ||
	    (BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFREG)
		return;
	names = unit_scratch(SCRATCH_UNIT_FILE);
	if (!names)
		return;
	switch (unit_file_kind(names, BPF_CORE_READ(file, f_path.dentry, d_name.name))) {
	case UNIT_RUNS_PROCESSES:
		verified = valid_trust(file->f_inode) != NULL;
		__builtin_memcpy(last_unit.name, names->name, sizeof(last_unit.name));
		if (!verified) {
			revoke_last_unit(file);
			break;
		}
		epoch = next_units_epoch();
		if (bpf_map_update_elem(&mg_units, &last_unit, &epoch, BPF_ANY))
			revoke_last_unit(file);
		break;
	case UNIT_DROP_IN:
		if (!valid_trust(file->f_inode) && in_drop_in_dir(names, file->f_path.dentry))
			revoke_last_unit(file);
		break;
	case UNIT_FILE_TOO_LONG:
		if (!valid_trust(file->f_inode))
			revoke_last_unit(file);
		last_unit.name[0] = 0;
		break;
	case UNIT_RUNS_NOTHING:
		last_unit.name[0] = 0;
		break;
	default:
		break;
	}
}

/* Whether the kernfs NAME ends in ".slice". */
static __always_inline bool name_is_slice(struct unit_name *scratch, const void *name)
{
	long len;

	__builtin_memset(scratch->suffix, 0, sizeof(scratch->suffix));
	len = bpf_probe_read_kernel_str(scratch->name, MG_UNIT_NAME_LEN, name);
	if (len < 8 || len >= MG_UNIT_NAME_LEN)
		return false;
	__builtin_memcpy(scratch->suffix, &scratch->name[(len - 7) & (MG_UNIT_NAME_LEN - 1)], 7);
	return !bpf_strncmp(scratch->suffix, sizeof(scratch->suffix), ".slice");
}

/*
 * Whether CGROUP is where systemd's system manager puts a unit: every
 * cgroup above it, below the root, is a slice. A cgroup of the same name
 * in a service's own subtree (a user's service manager, a container) or
 * anywhere else is not that unit.
 */
static __always_inline bool under_slices_only(struct cgroup *cgroup, struct unit_name *scratch)
{
	struct cgroup *parent;

	for (int depth = 0; depth < MG_MAX_CGROUP_DEPTH; depth++) {
		parent = BPF_CORE_READ(cgroup, self.parent, cgroup);
		if (!parent)
			return false;
		if (!BPF_CORE_READ(parent, self.parent))
			return true;
		if (!name_is_slice(scratch, BPF_CORE_READ(parent, kn, name)))
			return false;
		cgroup = parent;
	}
	return false;
}

/* Clears a name from FROM on: what an instance's key keeps of the instance's name. */
struct name_tail {
	struct mg_unit_key *key;
	int from;
};

static long clear_name_char(__u64 index, void *ctx)
{
	struct name_tail *tail = ctx;

	if (index >= MG_UNIT_NAME_LEN)
		return 1;
	if ((int)index >= tail->from)
		tail->key->name[index & (MG_UNIT_NAME_LEN - 1)] = 0;
	return 0;
}

/*
 * The unit file name of the unit whose cgroup TASK is in, in UNIT->key:
 * the cgroup's own name, an instance's (name@instance.service) made its
 * template's (name@.service). False when it cannot be keyed.
 */
static __always_inline bool unit_of(struct task_struct *task, struct unit_name *unit)
{
	struct cgroup *cgroup = BPF_CORE_READ(task, cgroups, dfl_cgrp);
	struct name_marks marks;
	struct name_tail tail;
	int from, to;
	long len;

	if (!under_slices_only(cgroup, unit))
		return false;
	len = read_unit_name(unit, BPF_CORE_READ(cgroup, kn, name), &marks);
	if (!len || len >= MG_UNIT_NAME_LEN)
		return false;
	__builtin_memcpy(unit->key.name, unit->name, sizeof(unit->key.name));
	if (marks.at < 0)
		return true;
	if (marks.dot < marks.at || len - marks.dot > 16)
		return false;
	/* The suffix moves up to just after the '@', and what followed it is cleared. */
	for (int i = 0; i < 16; i++) {
		from = (marks.dot + i) & (MG_UNIT_NAME_LEN - 1);
		to = (marks.at + 1 + i) & (MG_UNIT_NAME_LEN - 1);
		unit->key.name[to] = unit->name[from];
		if (!unit->name[from])
			break;
	}
	tail.key = &unit->key;
	tail.from = marks.at + (int)len - marks.dot;
	bpf_loop(MG_UNIT_NAME_LEN, clear_name_char, &tail, 0);
	return true;
}

/*
 * Whether the exec of TASK, labelled LABEL, may be trusted as far as units
 * go: a process the service manager forked runs for the unit whose cgroup
 * systemd put it in before the exec, and that unit must be trusted. A
 * user's service manager (user@.service) runs units from a home directory:
 * what it starts is never trusted.
 */
static __always_inline bool unit_passes_trust(struct task_struct *task, const struct mg_task_label *label)
{
	__u32 *trusted_at, *revoked_at;
	struct unit_name *unit;

	if (!label || !(label->flags & MG_LABEL_SERVICE_START))
		return true;
	unit = unit_scratch(SCRATCH_EXEC);
	if (!unit || !unit_of(task, unit) || !bpf_strncmp(unit->key.name, sizeof(unit->key.name), "user@.service"))
		return false;
	trusted_at = bpf_map_lookup_elem(&mg_units, &unit->key);
	if (!trusted_at || *trusted_at <= units_floor)
		return false;
	revoked_at = bpf_map_lookup_elem(&mg_units_revoked, &unit->key);
	return !revoked_at || *revoked_at < *trusted_at;
}

/*
 * A move into a unit's cgroup behind systemd's back: a process PID 1
 * forked for a transient unit, moved before its exec into the cgroup of a
 * trusted unit, would start with that unit's trust. The cgroup.procs or
 * cgroup.threads of a cgroup where a unit that runs processes would be are
 * written only by PID 1 and by the processes it forked, before their exec
 * (systemd's own code, which moves itself into its unit's cgroup).
 */
static __always_inline bool moves_into_a_unit(struct file *file)
{
	struct dentry *dentry = file->f_path.dentry;
	const struct mg_task_label *label;
	struct kernfs_node *directory;
	struct unit_name *names;
	char name[16] = {};

	if (!service_units || !(file->f_mode & FMODE_WRITE) || (bpf_get_current_pid_tgid() >> 32) == 1 ||
	    BPF_CORE_READ(file, f_inode, i_sb, s_magic) != CGROUP2_SUPER_MAGIC || task_exempt())
		return false;
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(dentry, d_name.name));
	if (bpf_strncmp(name, sizeof(name), "cgroup.procs") && bpf_strncmp(name, sizeof(name), "cgroup.threads"))
		return false;
	label = current_label();
	if (label && (label->flags & MG_LABEL_SERVICE_START))
		return false;
	names = unit_scratch(SCRATCH_CGROUP);
	if (!names)
		return true;
	switch (unit_file_kind(names, BPF_CORE_READ(dentry, d_parent, d_name.name))) {
	case UNIT_RUNS_PROCESSES:
	case UNIT_FILE_TOO_LONG:
		break;
	default:
		return false;
	}
	/* A cgroup's directory is a kernfs node whose priv is the cgroup. */
	directory = BPF_CORE_READ(dentry, d_parent, d_inode, i_private);
	return under_slices_only(BPF_CORE_READ(directory, priv), names);
}

/* No cgroup takes another name while units are judged: a cgroup's name is its unit's. */
static __always_inline bool renames_a_cgroup(struct dentry *dentry)
{
	return service_units && (bpf_get_current_pid_tgid() >> 32) != 1 &&
	       BPF_CORE_READ(dentry, d_sb, s_magic) == CGROUP2_SUPER_MAGIC && !task_exempt();
}

#endif /* MEDGUARD_UNITS_BPF_H */
