/* SPDX-License-Identifier: GPL-2.0-only */
/* Behaviour: each lineage's score on each tree, its decay, and the actions it triggers. */
#ifndef MEDGUARD_BEHAVIOUR_BPF_H
#define MEDGUARD_BEHAVIOUR_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "medguard.h"
#include "medguard_common.bpf.h"
#include "medguard_entropy.bpf.h"
#include "medguard_events.bpf.h"

#define SIGKILL 9

/* Operations a lineage stopped by the behaviour engine may no longer do. */
#define MG_WRITE_OPS (MG_OP_WRITE | MG_OP_CREATE | MG_OP_DELETE | MG_OP_RENAME | MG_OP_LINK | MG_OP_SETATTR)
/* ... and, stopped by deny-reads, may no longer read (exfiltration). */
#define MG_READ_OPS MG_OP_READ

/* Whether a lineage stopped with lineage FLAGS is refused operation OP. */
static __always_inline bool stopped_for(__u32 flags, __u32 op)
{
	return ((flags & MG_LINEAGE_DENY_WRITES) && (op & MG_WRITE_OPS)) ||
	       ((flags & MG_LINEAGE_DENY_READS) && (op & MG_READ_OPS));
}

/* No signal: the operation is not scored. */
#define MG_SIGNAL_NONE MG_NSIGNALS

/* A canary is an instant maximum: every threshold is crossed at once. */
#define MG_CANARY_SCORE 0xffffffffull

/*
 * Scores are kept in 1/1024 points: a lineage that reads a record every
 * few hundred milliseconds gains one point a record and loses a fraction
 * of one between them, which whole points would round away to nothing.
 */
#define SCORE_SHIFT 10
#define POINTS(fixed) ((fixed) >> SCORE_SHIFT)

static __always_inline __u32 lineage_of(const struct mg_task_label *label)
{
	if (label && label->lineage)
		return label->lineage;
	return bpf_get_current_pid_tgid() >> 32;
}

static __always_inline __u32 lineage_flags(__u32 lineage)
{
	__u32 *flags = bpf_map_lookup_elem(&mg_lineages, &lineage);

	return flags ? *flags : 0;
}

static __always_inline void set_lineage_flags(__u32 lineage, __u32 add)
{
	__u32 flags = lineage_flags(lineage) | add;

	bpf_map_update_elem(&mg_lineages, &lineage, &flags, BPF_ANY);
}

/* What a lineage has done to a file: it created it, it wrote to it. */
#define TOUCHED_WRITTEN (1u << 0)
#define TOUCHED_CREATED (1u << 1)
#define TOUCHED_READ (1u << 2)

static __always_inline bool touched_key_of(__u32 lineage, struct dentry *dentry, struct touched_key *key)
{
	struct inode *inode = BPF_CORE_READ(dentry, d_inode);

	if (!inode)
		return false;
	key->lineage = lineage;
	key->pad = 0;
	key->dev = inode_dev(inode);
	key->ino = BPF_CORE_READ(inode, i_ino);
	return true;
}

/* Records that LINEAGE did WHAT to the file at DENTRY; returns what it had done before. */
static __always_inline __u32 touch(__u32 lineage, struct dentry *dentry, __u32 what)
{
	struct touched_key key;
	__u32 *before, after;

	if (!touched_key_of(lineage, dentry, &key))
		return 0;
	before = bpf_map_lookup_elem(&mg_touched, &key);
	after = (before ? *before : 0) | what;
	if (!before || *before != after)
		bpf_map_update_elem(&mg_touched, &key, &after, BPF_ANY);
	return before ? *before : 0;
}

/*
 * What an operation says about a lineage. Whatever it does to files it
 * created itself (temporary files, journals, a new file renamed into
 * place) says nothing; a first write, an overwrite, a rename or an unlink
 * of someone else's file does.
 */
static __always_inline __u32 refine_signal(__u32 lineage, struct dentry *dentry, __u32 signal)
{
	__u32 before;

	switch (signal) {
	case MG_SIGNAL_CREATE:
		touch(lineage, dentry, TOUCHED_CREATED);
		return signal;
	case MG_SIGNAL_FIRST_WRITE:
		before = touch(lineage, dentry, TOUCHED_WRITTEN);
		return (before & (TOUCHED_WRITTEN | TOUCHED_CREATED)) ? MG_SIGNAL_NONE : signal;
	case MG_SIGNAL_READ:
		/* Distinct records read: reading one file again says nothing new. */
		before = touch(lineage, dentry, TOUCHED_READ);
		return before ? MG_SIGNAL_NONE : signal;
	case MG_SIGNAL_OVERWRITE:
	case MG_SIGNAL_UNLINK:
	case MG_SIGNAL_RENAME_EXT:
	case MG_SIGNAL_RENAME_OUT:
		before = touch(lineage, dentry, TOUCHED_WRITTEN);
		return (before & TOUCHED_CREATED) ? MG_SIGNAL_NONE : signal;
	}
	return signal;
}

/* Signals that change or remove what was there: the ones the rate counts. */
static __always_inline bool destructive(__u32 signal)
{
	return signal == MG_SIGNAL_FIRST_WRITE || signal == MG_SIGNAL_OVERWRITE || signal == MG_SIGNAL_REPLACE ||
	       signal == MG_SIGNAL_RENAME_EXT || signal == MG_SIGNAL_RENAME_OUT || signal == MG_SIGNAL_UNLINK;
}

/*
 * SIGNAL, already checked below MG_NSIGNALS, masked in a way the compiler
 * keeps, so that the verifier sees the index bounded within the value.
 */
static __always_inline __u32 signal_index(__u32 signal)
{
	asm volatile("%0 &= 15" : "+r"(signal));
	return signal;
}

/*
 * Whether SIGNAL can move BEHAVIOUR's score: a behaviour that scores only
 * reads keeps no state for writes, and the other way round.
 */
static __always_inline bool cares(const struct mg_behaviour *behaviour, __u32 signal)
{
	if (signal >= MG_NSIGNALS)
		return false;
	if (signal == MG_SIGNAL_CANARY || behaviour->weights[signal_index(signal)])
		return true;
	if ((signal == MG_SIGNAL_CREATE || signal == MG_SIGNAL_UNLINK) && behaviour->weights[MG_SIGNAL_REPLACE])
		return true;
	if ((signal == MG_SIGNAL_FIRST_WRITE || signal == MG_SIGNAL_OVERWRITE) && behaviour->weights[MG_SIGNAL_ENTROPY])
		return true;
	return destructive(signal) && behaviour->weights[MG_SIGNAL_RATE];
}

struct scoring {
	__u32 generation;
	__u32 tree_id;
	__u32 lineage;
	__u32 op;
	__u32 signal;
	__u32 mode;
	__u64 root_ino;
	struct dentry *dentry;
	struct file *file; /* the file being opened, or NULL */
	const struct mg_task_label *label;
	int verdict; /* out: -EPERM once some behaviour refused the operation */
};

/* A new lineage's score, before its first signal: all zero. */
static const struct mg_score no_score;

/* FILE's next write is measured, when the module's sampler runs (bpf/medguard_entropy.bpf.h). */
static __always_inline void sample_next_write(struct file *file)
{
	__u64 file_key = (__u64)file, inode = (__u64)BPF_CORE_READ(file, f_inode);

	bpf_map_update_elem(&mg_sampled_files, &file_key, &inode, BPF_ANY);
}

/*
 * A trusted program the behaviour names as exempt (a package manager, a
 * backup agent), and what it runs while trusted, is not scored.
 */
static __always_inline bool exempt(const struct mg_behaviour *behaviour, const struct mg_task_label *label)
{
	int i;

	if (!label || !(label->flags & MG_LABEL_TRUSTED) || (!label->program_id && !label->ancestor_program))
		return false;
	for (i = 0; i < MG_MAX_EXEMPT_PROGRAMS; i++) {
		if (i >= behaviour->nexempt)
			break;
		/* program ids are 1-based: an id of 0 (no program) matches no exemption */
		if (behaviour->exempt_programs[i] == label->program_id ||
		    behaviour->exempt_programs[i] == label->ancestor_program)
			return true;
	}
	return false;
}

/*
 * Adds the weight of the signal to the lineage's score for behaviour SLOT
 * of the tree, after letting the score decay over the window, and takes
 * every action whose threshold the score has reached. Denial comes first:
 * the operation that reaches deny-writes, kill or freeze (a write) or
 * deny-reads (a read) is itself refused (scoring->verdict). A bpf_loop
 * callback (score_all), so that the verifier checks it once and its stack
 * is not added to a caller of its own.
 */
static long score(__u32 slot, void *context)
{
	struct scoring *scoring = context;
	struct mg_score_key key = {
		.lineage = scoring->lineage,
		.tree_id = scoring->tree_id,
		.generation = scoring->generation,
		.slot = slot & (MG_MAX_BEHAVIOURS_PER_TREE - 1),
	};
	struct mg_score *current;
	struct mg_behaviour *behaviour;
	__u32 index = (scoring->generation * MG_MAX_TREES + (scoring->tree_id & (MG_MAX_TREES - 1))) *
			      MG_MAX_BEHAVIOURS_PER_TREE +
		      (slot & (MG_MAX_BEHAVIOURS_PER_TREE - 1));
	__u32 signal = scoring->signal, action, stop = 0;
	__u64 now = bpf_ktime_get_ns(), elapsed, weight;
	bool enforce = scoring->mode == MG_MODE_ENFORCE;

	behaviour = bpf_map_lookup_elem(&mg_behaviours, &index);
	if (!behaviour || !behaviour->window_ns || !cares(behaviour, signal) || exempt(behaviour, scoring->label))
		return 0;
	/*
	 * Reading a canary is what a backup that does not know the decoys does:
	 * it alarms the behaviours that watch reads (exfiltration), not the
	 * ones that watch damage.
	 */
	if (signal == MG_SIGNAL_CANARY && !(scoring->op & MG_WRITE_OPS) && !behaviour->weights[MG_SIGNAL_READ])
		return 0;
	current = bpf_map_lookup_elem(&mg_scores, &key);
	if (!current) {
		bpf_map_update_elem(&mg_scores, &key, &no_score, BPF_NOEXIST);
		current = bpf_map_lookup_elem(&mg_scores, &key);
		if (!current)
			return 0;
		current->updated_ns = now;
		current->second_start_ns = now;
	}

	elapsed = now - current->updated_ns;
	if (elapsed >= behaviour->window_ns) {
		current->score = 0;
		current->created = 0;
	} else {
		/* linear decay in 1/1024 steps of the window, which cannot overflow for any score or window */
		current->score -= current->score * (elapsed * 1024 / behaviour->window_ns) / 1024;
	}
	current->updated_ns = now;

	if (scoring->file && behaviour->weights[MG_SIGNAL_ENTROPY] &&
	    (signal == MG_SIGNAL_FIRST_WRITE || signal == MG_SIGNAL_OVERWRITE))
		sample_next_write(scoring->file);
	if (signal == MG_SIGNAL_UNLINK && current->created)
		signal = MG_SIGNAL_REPLACE;
	if (destructive(signal)) {
		if (now - current->second_start_ns >= 1000000000ull) {
			current->second_start_ns = now;
			current->second_files = 0;
		}
		current->second_files++;
		if (current->second_files > MG_RATE_ALLOWANCE)
			current->score += (__u64)behaviour->weights[MG_SIGNAL_RATE] << SCORE_SHIFT;
	}
	if (signal == MG_SIGNAL_CREATE)
		current->created++;
	if (signal == MG_SIGNAL_CANARY)
		weight = MG_CANARY_SCORE;
	else if (signal < MG_NSIGNALS)
		weight = behaviour->weights[signal_index(signal)];
	else
		weight = 0;
	current->score += weight << SCORE_SHIFT;
	if (current->score > MG_CANARY_SCORE << SCORE_SHIFT)
		current->score = MG_CANARY_SCORE << SCORE_SHIFT;

	for (action = 0; action < MG_NACTIONS; action++) {
		__u32 threshold = behaviour->thresholds[action];

		if (!threshold || POINTS(current->score) < threshold || (current->actions_taken & (1u << action)))
			continue;
		current->actions_taken |= 1u << action;
		emit_scored(MG_EVENT_BEHAVIOUR, signal, action, scoring->tree_id,
			    enforce ? MG_EVENT_DENIED : MG_EVENT_AUDITED, scoring->label, scoring->dentry,
			    scoring->root_ino, scoring->lineage, POINTS(current->score), key.slot);
		if (!enforce || action == MG_ACTION_ALERT)
			continue;
		if (action == MG_ACTION_DENY_READS)
			stop |= MG_LINEAGE_DENY_READS;
		else if (action == MG_ACTION_KILL)
			stop |= MG_LINEAGE_DENY_WRITES | MG_LINEAGE_KILLED;
		else
			stop |= MG_LINEAGE_DENY_WRITES;
	}
	if (stop) {
		set_lineage_flags(scoring->lineage, stop);
		if (stopped_for(stop, scoring->op))
			scoring->verdict = -EPERM;
		if (stop & MG_LINEAGE_KILLED)
			bpf_send_signal(SIGKILL);
	}
	return 0;
}

/* Scores the operation under every behaviour that watches the tree. Returns 0 or -EPERM. */
static __always_inline int score_all(struct scoring *scoring)
{
	scoring->verdict = 0;
	bpf_loop(MG_MAX_BEHAVIOURS_PER_TREE, score, scoring, 0);
	return scoring->verdict;
}

#endif /* MEDGUARD_BEHAVIOUR_BPF_H */
