// SPDX-License-Identifier: GPL-2.0-only
/*
 * The medguard enforcement core: BPF-LSM programs that label every task at
 * exec by the trust of what it runs, and decide every operation on a
 * protected tree by the rules of the live policy generation.
 */
#include "medguard.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before load. */
const volatile __u32 daemon_tgid;

/* The live policy generation: switched by one store from userspace. */
__u32 active_generation;

/*
 * Set by the daemon once every process that existed before it started has
 * a label. Until then a task without one starts what it runs as a root of
 * trust would; from then on only the kernel's own tasks and PID 1 do.
 */
__u32 labels_complete;

/* The label an exec is building, from bprm_creds_for_exec to commit. */
struct exec_pending {
	struct mg_task_label label;
	__u32 depth;          /* files of the exec seen so far: the named file, then interpreters */
	bool trust_miss;
	bool starter_trusted; /* the task that runs the exec was trusted at that moment */
	bool from_launcher;   /* the task that runs the exec is a launcher */
	bool launcher;        /* the named file is a verified launcher */
};

/* Who opened an open file of a protected tree, and with what trust. */
struct opener {
	__u32 tgid;
	__u32 label_flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MG_MAX_OPEN_FILES);
	__type(key, __u64); /* struct file * */
	__type(value, struct opener);
} mg_open_files SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct exec_pending);
} mg_exec_pending SEC(".maps");

/* The change time of an inode moved twice between 6.1 and 6.12. */
struct inode___v61 {
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));

struct inode___v66 {
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

static __always_inline void inode_ctime(const struct inode *inode, __s64 *sec, __u32 *nsec)
{
	if (bpf_core_field_exists(struct inode, i_ctime_sec)) {
		*sec = BPF_CORE_READ(inode, i_ctime_sec);
		*nsec = BPF_CORE_READ(inode, i_ctime_nsec);
	} else if (bpf_core_field_exists(struct inode___v66, __i_ctime)) {
		const struct inode___v66 *v66 = (const void *)inode;

		*sec = BPF_CORE_READ(v66, __i_ctime.tv_sec);
		*nsec = BPF_CORE_READ(v66, __i_ctime.tv_nsec);
	} else {
		const struct inode___v61 *v61 = (const void *)inode;

		*sec = BPF_CORE_READ(v61, i_ctime.tv_sec);
		*nsec = BPF_CORE_READ(v61, i_ctime.tv_nsec);
	}
}

/*
 * The verifier treats pointers it trusts (hook arguments, fields read from
 * them) as never NULL and drops comparisons with NULL as dead code. A pointer
 * that can be NULL is read as a number before it is tested; so is one
 * handed to a global function, which takes numbers.
 */
static __always_inline unsigned long maybe_null(const void *pointer)
{
	unsigned long value = 0;

	bpf_probe_read_kernel(&value, sizeof(value), &pointer);
	return value;
}

/* The live generation and its settings. */
static __always_inline const struct mg_generation *live_generation(__u32 *generation)
{
	*generation = active_generation & (MG_GENERATIONS - 1);
	return bpf_map_lookup_elem(&mg_generations, generation);
}

/* Kernel threads and the daemon itself are outside the policy. */
static __always_inline bool task_exempt(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (task->flags & PF_KTHREAD)
		return true;
	return daemon_tgid && (bpf_get_current_pid_tgid() >> 32) == daemon_tgid;
}

/* What a walk up from a dentry found. */
enum walk_result {
	WALK_UNPROTECTED = 0,
	WALK_PROTECTED,
	WALK_TOO_DEEP, /* no protected ancestor within MG_WALK_DEPTH steps, and no fs root either */
};

struct walk {
	__u64 dentry; /* the dentry of this step, read with probes */
	struct mg_object_key key;
	struct mg_object found;
	__u64 root_ino;
	int result;
};

static long walk_step(__u64 index, void *data)
{
	struct walk *walk = data;
	struct dentry *dentry = (struct dentry *)walk->dentry, *parent;
	struct mg_object *object;
	struct inode *inode;

	inode = BPF_CORE_READ(dentry, d_inode);
	if (inode) {
		walk->key.ino = BPF_CORE_READ(inode, i_ino);
		object = bpf_map_lookup_elem(&mg_objects, &walk->key);
		if (object) {
			walk->found = *object;
			walk->root_ino = walk->key.ino;
			walk->result = WALK_PROTECTED;
			return 1;
		}
	}
	parent = BPF_CORE_READ(dentry, d_parent);
	if (!parent || parent == dentry) {
		walk->result = WALK_UNPROTECTED;
		return 1;
	}
	walk->dentry = (__u64)parent;
	return 0;
}

/*
 * The current task's label. A thread of a process that ran before medguard
 * has none of its own: the daemon labels processes, which is their leader.
 */
static __always_inline struct mg_task_label *current_label(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mg_task_label *label = bpf_task_storage_get(&mg_labels, task, 0, 0);

	if (label)
		return label;
	return bpf_task_storage_get(&mg_labels, task->group_leader, 0, 0);
}

/*
 * The protected object at DENTRY or its nearest ancestor, by (dev, ino).
 * Identity by inode holds across bind mounts, mount namespaces, symlinks
 * and /proc/self/fd. A walk that neither finds one nor reaches the root of
 * the filesystem within MG_WALK_DEPTH steps says so: the caller refuses.
 */
static __always_inline int find_protected(struct dentry *dentry, __u32 generation, struct mg_object *found,
					  __u64 *root_ino)
{
	struct walk walk = { .key.generation = generation, .result = WALK_TOO_DEEP };
	struct inode *inode;

	inode = BPF_CORE_READ(dentry, d_inode);
	if (!inode)
		inode = BPF_CORE_READ(dentry, d_parent, d_inode);
	if (!inode)
		return WALK_UNPROTECTED;
	walk.key.dev = inode_dev(inode);
	walk.key.ino = 0;
	if (!bpf_map_lookup_elem(&mg_objects, &walk.key))
		return WALK_UNPROTECTED;
	walk.dentry = (__u64)dentry;
	bpf_loop(MG_WALK_DEPTH, walk_step, &walk, 0);
	if (walk.result == WALK_PROTECTED) {
		*found = walk.found;
		*root_ino = walk.root_ino;
	}
	return walk.result;
}

/* File access is decided by the filesystem ids, as the kernel's own permission checks do. */
static __always_inline __u32 current_fsuid(void)
{
	return BPF_CORE_READ(bpf_get_current_task_btf(), cred, fsuid.val);
}

/* The filesystem gid or any supplementary group (the first MG_MAX_GROUPS of them). */
static __always_inline bool in_group(__u64 gid)
{
	const struct cred *cred = BPF_CORE_READ(bpf_get_current_task_btf(), cred);
	struct group_info *groups = BPF_CORE_READ(cred, group_info);
	int ngroups = BPF_CORE_READ(groups, ngroups), i;
	kgid_t member;

	if (BPF_CORE_READ(cred, fsgid.val) == gid)
		return true;
	for (i = 0; i < MG_MAX_GROUPS && i < ngroups; i++) {
		if (bpf_probe_read_kernel(&member, sizeof(member), &groups->gid[i]))
			return false;
		if (member.val == gid)
			return true;
	}
	return false;
}

/* The rule search of one operation, run by bpf_loop so that the verifier sees one rule, not 32. */
struct rule_search {
	__u32 tree_index;
	__u32 op;
	__u32 label_flags; /* 0 for a task without a label */
	__u32 program_id;
	__u32 verdict;
	__u32 flags;
	__u32 rule_index;
};

static __always_inline bool subject_matches(const struct mg_rule *rule, const struct rule_search *search)
{
	switch (rule->subject_kind) {
	case MG_SUBJECT_ANY:
		return true;
	case MG_SUBJECT_PROGRAM:
		return search->program_id && search->program_id == rule->subject_value;
	case MG_SUBJECT_SIGNED:
		return search->label_flags & MG_LABEL_TRUSTED;
	case MG_SUBJECT_UNSIGNED:
		return !(search->label_flags & MG_LABEL_TRUSTED);
	case MG_SUBJECT_UID:
		return current_fsuid() == rule->subject_value;
	case MG_SUBJECT_GID:
		return in_group(rule->subject_value);
	case MG_SUBJECT_CGROUP:
		return bpf_get_current_cgroup_id() == rule->subject_value;
	}
	return false;
}

/* One rule: the first whose subject matches and whose ops hold the operation decides. */
static long search_rule(__u64 index, void *data)
{
	struct rule_search *search = data;
	const struct mg_rule *rule;
	struct mg_tree *tree;

	tree = bpf_map_lookup_elem(&mg_trees, &search->tree_index);
	if (!tree || index >= tree->nrules)
		return 1;
	rule = &tree->rules[index & (MG_MAX_RULES_PER_TREE - 1)];
	if (!(rule->ops & search->op) || !subject_matches(rule, search))
		return 0;
	search->verdict = rule->verdict;
	search->flags = rule->flags;
	search->rule_index = index;
	return 1;
}

/* Fills the components of DENTRY's path, leaf first, up to STOP_INO or the fs root. */
static __always_inline void event_path(struct mg_event *event, struct dentry *dentry, __u64 stop_ino)
{
	struct dentry *parent;
	struct inode *inode;
	int depth;

	event->npath = 0;
	for (depth = 0; depth < MG_EVENT_PATH_DEPTH; depth++) {
		inode = BPF_CORE_READ(dentry, d_inode);
		if (inode && BPF_CORE_READ(inode, i_ino) == stop_ino)
			return;
		parent = BPF_CORE_READ(dentry, d_parent);
		if (!parent || parent == dentry)
			return;
		bpf_probe_read_kernel_str(event->path[depth], MG_NAME_LEN, BPF_CORE_READ(dentry, d_name.name));
		event->npath = depth + 1;
		dentry = parent;
	}
}

static __always_inline void emit_scored(__u32 kind, __u32 op, __u32 verdict, __u32 tree_id, __u32 rule_index,
					const struct mg_task_label *label, struct dentry *dentry, __u64 root_ino,
					__u32 lineage, __u64 score)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mg_event *event;
	struct inode *inode;

	event = bpf_ringbuf_reserve(&mg_events, sizeof(*event), 0);
	if (!event) {
		count(MG_COUNTER_EVENTS_LOST);
		return;
	}
	event->time_ns = bpf_ktime_get_ns();
	event->kind = kind;
	event->pid = bpf_get_current_pid_tgid() >> 32;
	event->ppid = task->real_parent->tgid;
	event->uid = bpf_get_current_uid_gid() & 0xffffffff;
	event->op = op;
	event->verdict = verdict;
	event->tree_id = tree_id;
	event->rule_index = rule_index;
	event->label_flags = label ? label->flags : 0;
	event->program_id = label ? label->program_id : 0;
	event->trust_source = label ? label->trust_source : 0;
	event->lineage = lineage;
	event->score = score > 0xffffffffull ? 0xffffffffu : (__u32)score;
	inode = BPF_CORE_READ(dentry, d_inode);
	event->obj_dev = inode ? inode_dev(inode) : 0;
	event->obj_ino = inode ? BPF_CORE_READ(inode, i_ino) : 0;
	event->root_ino = root_ino;
	bpf_get_current_comm(event->comm, sizeof(event->comm));
	event_path(event, dentry, root_ino);
	bpf_ringbuf_submit(event, 0);
}

static __always_inline void emit(__u32 kind, __u32 op, __u32 verdict, __u32 tree_id, __u32 rule_index,
				 const struct mg_task_label *label, struct dentry *dentry, __u64 root_ino)
{
	emit_scored(kind, op, verdict, tree_id, rule_index, label, dentry, root_ino,
		    label ? label->lineage : 0, 0);
}

/* An untrusted tracer was refused: OTHER_TGID is the other end of the trace. */
static __always_inline void ptrace_refused(const struct mg_task_label *label, __u32 other_tgid)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mg_event *event;

	count(MG_COUNTER_DENIED);
	event = bpf_ringbuf_reserve(&mg_events, sizeof(*event), 0);
	if (!event) {
		count(MG_COUNTER_EVENTS_LOST);
		return;
	}
	__builtin_memset(event, 0, sizeof(*event));
	event->time_ns = bpf_ktime_get_ns();
	event->kind = MG_EVENT_PTRACE;
	event->pid = bpf_get_current_pid_tgid() >> 32;
	event->ppid = task->real_parent->tgid;
	event->uid = bpf_get_current_uid_gid() & 0xffffffff;
	event->verdict = MG_EVENT_DENIED;
	event->rule_index = MG_RULE_DEFAULT;
	event->label_flags = label ? label->flags : 0;
	event->program_id = label ? label->program_id : 0;
	event->trust_source = label ? label->trust_source : 0;
	event->lineage = label ? label->lineage : 0;
	event->obj_ino = other_tgid;
	bpf_get_current_comm(event->comm, sizeof(event->comm));
	bpf_ringbuf_submit(event, 0);
}

/* Operations a lineage stopped by the behaviour engine may no longer do. */
#define MG_WRITE_OPS (MG_OP_WRITE | MG_OP_CREATE | MG_OP_DELETE | MG_OP_RENAME | MG_OP_LINK | MG_OP_SETATTR)

/* No signal: the operation is not scored. */
#define MG_SIGNAL_NONE MG_NSIGNALS

/* A canary is an instant maximum: every threshold is crossed at once. */
#define MG_CANARY_SCORE 0xffffffffull

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
};

/* FILE's next write is measured, when the module's sampler runs (bpf/medguard_entropy.bpf.h). */
static __always_inline void sample_next_write(struct file *file)
{
	__u64 file_key = (__u64)file, inode = (__u64)BPF_CORE_READ(file, f_inode);

	bpf_map_update_elem(&mg_sampled_files, &file_key, &inode, BPF_ANY);
}

/* A trusted program the behaviour names as exempt (a package manager) is not scored. */
static __always_inline bool exempt(const struct mg_behaviour *behaviour, const struct mg_task_label *label)
{
	int i;

	if (!label || !label->program_id || !(label->flags & MG_LABEL_TRUSTED))
		return false;
	for (i = 0; i < MG_MAX_EXEMPT_PROGRAMS; i++) {
		if (i >= behaviour->nexempt)
			break;
		if (behaviour->exempt_programs[i] == label->program_id)
			return true;
	}
	return false;
}

/*
 * Adds the weight of the signal to the lineage's score on the tree, after
 * letting the score decay over the window, and takes every action whose
 * threshold the score has reached. Denial comes first: the operation that
 * reaches deny-writes, kill or freeze is itself refused. Returns 0 or -EPERM.
 */
static __noinline int score(const struct scoring *scoring)
{
	struct mg_score_key key = {
		.lineage = scoring->lineage,
		.tree_id = scoring->tree_id,
		.generation = scoring->generation,
	};
	struct mg_score fresh = {}, *current;
	struct mg_behaviour *behaviour;
	__u32 index = scoring->generation * MG_MAX_TREES + (scoring->tree_id & (MG_MAX_TREES - 1));
	__u32 signal = scoring->signal, action, stop = 0;
	__u64 now = bpf_ktime_get_ns(), elapsed, weight;
	bool enforce = scoring->mode == MG_MODE_ENFORCE;
	int ret = 0;

	behaviour = bpf_map_lookup_elem(&mg_behaviours, &index);
	if (!behaviour || !behaviour->window_ns || exempt(behaviour, scoring->label))
		return 0;
	current = bpf_map_lookup_elem(&mg_scores, &key);
	if (!current) {
		fresh.updated_ns = now;
		fresh.second_start_ns = now;
		bpf_map_update_elem(&mg_scores, &key, &fresh, BPF_NOEXIST);
		current = bpf_map_lookup_elem(&mg_scores, &key);
		if (!current)
			return 0;
	}

	elapsed = now - current->updated_ns;
	if (elapsed >= behaviour->window_ns) {
		current->score = 0;
		current->created = 0;
	} else {
		/* linear decay in 1/1024 steps, which cannot overflow for any score or window */
		current->score = current->score * (1024 - elapsed * 1024 / behaviour->window_ns) / 1024;
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
			current->score += behaviour->weights[MG_SIGNAL_RATE];
	}
	if (signal == MG_SIGNAL_CREATE)
		current->created++;
	if (signal == MG_SIGNAL_CANARY)
		weight = MG_CANARY_SCORE;
	else if (signal < MG_NSIGNALS)
		weight = behaviour->weights[signal_index(signal)];
	else
		weight = 0;
	current->score += weight;
	if (current->score > MG_CANARY_SCORE)
		current->score = MG_CANARY_SCORE;

	for (action = 0; action < MG_NACTIONS; action++) {
		__u32 threshold = behaviour->thresholds[action];

		if (!threshold || current->score < threshold || (current->actions_taken & (1u << action)))
			continue;
		current->actions_taken |= 1u << action;
		emit_scored(MG_EVENT_BEHAVIOUR, signal, action, scoring->tree_id,
			    enforce ? MG_EVENT_DENIED : MG_EVENT_AUDITED, scoring->label, scoring->dentry,
			    scoring->root_ino, scoring->lineage, current->score);
		if (enforce && action != MG_ACTION_ALERT)
			stop |= action == MG_ACTION_KILL ? MG_LINEAGE_DENY_WRITES | MG_LINEAGE_KILLED
							 : MG_LINEAGE_DENY_WRITES;
	}
	if (stop) {
		set_lineage_flags(scoring->lineage, stop);
		if (scoring->op & MG_WRITE_OPS)
			ret = -EPERM;
		if (stop & MG_LINEAGE_KILLED)
			bpf_send_signal(SIGKILL);
	}
	return ret;
}

/* What medguard_check found: allowed outside every tree, allowed in one, or -EPERM. */
#define CHECK_OUTSIDE 0
#define CHECK_IN_TREE 1

/*
 * The verdict for OP on whatever protects DENTRY: CHECK_OUTSIDE,
 * CHECK_IN_TREE or -EPERM. Everything the verdict needs is a map lookup
 * away; nothing waits for userspace. An allowed operation is then scored as
 * SIGNAL by the tree's behaviour rule. FILE is the file being opened, if
 * that is the operation. A global function, so that the verifier checks it
 * once rather than at every hook; its pointers are plain numbers, read
 * with probes.
 */
__noinline int medguard_check(__u64 dentry_address, __u64 file_address, __u32 op, __u32 signal)
{
	struct dentry *dentry = (struct dentry *)dentry_address;
	struct file *file = (struct file *)file_address;
	const struct mg_generation *live;
	struct mg_task_label *label;
	struct mg_object object;
	struct mg_tree *tree;
	struct rule_search search;
	struct scoring scoring;
	__u32 generation, index, lineage;
	__u64 root_ino;
	int found;

	if (!dentry || task_exempt())
		return 0;
	live = live_generation(&generation);
	if (!live)
		return 0;
	found = find_protected(dentry, generation, &object, &root_ino);
	if (found == WALK_UNPROTECTED)
		return 0;
	label = current_label();
	if (found == WALK_TOO_DEEP) {
		if (live->mode == MG_MODE_ENFORCE) {
			count(MG_COUNTER_DENIED);
			emit(MG_EVENT_ACCESS, op, MG_EVENT_DENIED, MG_TREE_UNKNOWN, MG_RULE_TOO_DEEP, label, dentry, 0);
			return -EPERM;
		}
		count(MG_COUNTER_AUDITED);
		emit(MG_EVENT_ACCESS, op, MG_EVENT_AUDITED, MG_TREE_UNKNOWN, MG_RULE_TOO_DEEP, label, dentry, 0);
		return 0;
	}
	index = generation * MG_MAX_TREES + (object.tree_id & (MG_MAX_TREES - 1));
	tree = bpf_map_lookup_elem(&mg_trees, &index);
	if (!tree)
		return CHECK_IN_TREE;

	lineage = lineage_of(label);
	scoring.generation = generation;
	scoring.tree_id = object.tree_id;
	scoring.lineage = lineage;
	scoring.op = op;
	scoring.signal = (object.flags & MG_OBJECT_CANARY) ? MG_SIGNAL_CANARY : signal;
	scoring.mode = live->mode;
	scoring.root_ino = root_ino;
	scoring.dentry = dentry;
	scoring.file = file;
	scoring.label = label;

	/* Refused, and still scored: a lineage that keeps trying goes on to kill. */
	if ((op & MG_WRITE_OPS) && (lineage_flags(lineage) & MG_LINEAGE_DENY_WRITES) &&
	    live->mode == MG_MODE_ENFORCE) {
		count(MG_COUNTER_DENIED);
		emit(MG_EVENT_ACCESS, op, MG_EVENT_DENIED, object.tree_id, MG_RULE_BEHAVIOUR, label, dentry, root_ino);
		if (scoring.signal != MG_SIGNAL_NONE)
			score(&scoring);
		return -EPERM;
	}

	search.tree_index = index;
	search.op = op;
	search.label_flags = label ? label->flags : 0;
	search.program_id = label ? label->program_id : 0;
	search.verdict = tree->default_verdict;
	search.flags = 0;
	search.rule_index = MG_RULE_DEFAULT;
	bpf_loop(MG_MAX_RULES_PER_TREE, search_rule, &search, 0);
	if (search.verdict == MG_VERDICT_DENY) {
		if (live->mode == MG_MODE_ENFORCE && !(search.flags & MG_RULE_AUDIT_ONLY)) {
			count(MG_COUNTER_DENIED);
			emit(MG_EVENT_ACCESS, op, MG_EVENT_DENIED, object.tree_id, search.rule_index, label, dentry,
			     root_ino);
			return -EPERM;
		}
		count(MG_COUNTER_AUDITED);
		emit(MG_EVENT_ACCESS, op, MG_EVENT_AUDITED, object.tree_id, search.rule_index, label, dentry, root_ino);
	}

	if (scoring.signal != MG_SIGNAL_CANARY && scoring.signal != MG_SIGNAL_NONE)
		scoring.signal = refine_signal(lineage, dentry, scoring.signal);
	if (scoring.signal == MG_SIGNAL_NONE)
		return CHECK_IN_TREE;
	if (score(&scoring))
		return -EPERM;
	return CHECK_IN_TREE;
}

static __always_inline int check_dentry(struct dentry *dentry, __u32 op, __u32 signal)
{
	if (medguard_check(maybe_null(dentry), 0, op, signal) < 0)
		return -EPERM;
	return 0;
}

/* The tree protecting DENTRY in the live generation, MG_TREE_UNKNOWN past the walk, or -1. */
static __always_inline long tree_of(struct dentry *dentry)
{
	struct mg_object object;
	__u32 generation;
	__u64 root_ino;

	if (!live_generation(&generation))
		return -1;
	switch (find_protected(dentry, generation, &object, &root_ino)) {
	case WALK_PROTECTED:
		return object.tree_id;
	case WALK_TOO_DEEP:
		return MG_TREE_UNKNOWN;
	}
	return -1;
}

/* A hash of the extension of DENTRY's name (what follows its last dot); 0 without one. */
static __always_inline __u32 extension_hash(struct dentry *dentry)
{
	char name[32];
	__u32 hash = 0;
	int i;

	if (bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(dentry, d_name.name)) <= 0)
		return 0;
	for (i = 0; i < (int)sizeof(name); i++) {
		if (!name[i])
			break;
		if (name[i] == '.')
			hash = 2166136261u;
		else if (hash)
			hash = (hash ^ (__u8)name[i]) * 16777619u;
	}
	return hash;
}

/* A file that may change no longer carries the trust it was verified with. */
static __always_inline void drop_trust(const struct inode *inode)
{
	struct mg_trust_key key;

	if (!inode)
		return;
	key.dev = inode_dev(inode);
	key.ino = BPF_CORE_READ(inode, i_ino);
	bpf_map_delete_elem(&mg_trust, &key);
}

/* The trust entry of INODE if it is still valid for the inode's change time. */
static __always_inline struct mg_trust *valid_trust(const struct inode *inode)
{
	struct mg_trust_key key;
	struct mg_trust *trust;
	__s64 sec;
	__u32 nsec;

	if (!inode)
		return NULL;
	key.dev = inode_dev(inode);
	key.ino = BPF_CORE_READ(inode, i_ino);
	trust = bpf_map_lookup_elem(&mg_trust, &key);
	if (!trust)
		return NULL;
	inode_ctime(inode, &sec, &nsec);
	if (trust->ctime_sec != sec || trust->ctime_nsec != nsec)
		return NULL;
	return trust;
}

/*
 * Trust only goes down: a trusted task that runs untrusted code loses it,
 * and with it the identity of a named program.
 */
static __always_inline void taint(struct mg_task_label *label, struct dentry *dentry)
{
	if (!(label->flags & MG_LABEL_TRUSTED))
		return;
	label->flags &= ~MG_LABEL_TRUSTED;
	label->flags |= MG_LABEL_TAINTED;
	label->program_id = 0;
	emit(MG_EVENT_TAINT, MG_OP_EXEC, MG_EVENT_ALLOWED, 0, MG_RULE_DEFAULT, label, dentry, 0);
}

static __always_inline bool label_trusted(const struct mg_task_label *label)
{
	return label && (label->flags & MG_LABEL_TRUSTED);
}

/*
 * Whether what TASK starts may be trusted. A labelled task passes on its
 * own trust. Without a label: the kernel's own tasks (usermode helpers, a
 * parent that is a kernel thread) and PID 1 are roots, and so is every
 * task until the daemon has labelled those that existed before it started.
 */
static __always_inline bool starter_trusted(struct task_struct *task, const struct mg_task_label *label)
{
	if (label)
		return label->flags & MG_LABEL_TRUSTED;
	if (task_exempt() || !labels_complete || task->tgid == 1)
		return true;
	return BPF_CORE_READ(task, real_parent, flags) & PF_KTHREAD;
}

/* ---- labels: fork and exec ---------------------------------------------- */

SEC("lsm/task_alloc")
int BPF_PROG(mg_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	struct mg_task_label *parent, *child;

	if (ret)
		return ret;
	parent = current_label();
	if (!parent)
		return 0;
	/* A lineage the behaviour engine killed spawns no new workers. */
	if (lineage_flags(parent->lineage) & MG_LINEAGE_KILLED)
		return -EPERM;
	child = bpf_task_storage_get(&mg_labels, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (child)
		*child = *parent;
	return 0;
}

SEC("lsm/bprm_creds_for_exec")
int BPF_PROG(mg_bprm_creds_for_exec, struct linux_binprm *bprm, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct exec_pending *pending;
	struct mg_task_label *label;

	if (ret)
		return ret;
	pending = bpf_task_storage_get(&mg_exec_pending, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!pending)
		return 0;
	label = current_label();
	__builtin_memset(pending, 0, sizeof(*pending));
	pending->label.flags = MG_LABEL_TRUSTED;
	pending->starter_trusted = starter_trusted(task, label);
	pending->label.lineage = label ? label->lineage : 0;
	pending->from_launcher = label_trusted(label) && (label->flags & MG_LABEL_LAUNCHER);
	/* A tracer can change what the new program does. */
	if (task->ptrace)
		pending->label.flags |= MG_LABEL_TRACED;
	return 0;
}

/*
 * Called once for the file named by execve and once more for each
 * interpreter (#! scripts, binfmt_misc). Every file in the chain must be
 * verified. An interpreter of the policy run directly (bash FILE, bash -c,
 * python3 -c, a script on stdin) runs code nobody verified and is
 * untrusted; started through the #! line of a verified script it runs
 * that script, and the script is a signed program like a binary.
 */
SEC("lsm/bprm_check_security")
int BPF_PROG(mg_bprm_check_security, struct linux_binprm *bprm, int ret)
{
	struct exec_pending *pending;
	struct mg_program_key program_key = {};
	struct mg_program *program;
	struct mg_trust *trust;
	struct inode *inode;
	__u32 generation, depth;

	if (ret)
		return ret;
	pending = bpf_task_storage_get(&mg_exec_pending, bpf_get_current_task_btf(), 0, 0);
	if (!pending)
		return 0;
	depth = pending->depth++;
	inode = bprm->file->f_inode;
	trust = valid_trust(inode);
	if (!trust) {
		pending->label.flags &= ~MG_LABEL_TRUSTED;
		pending->trust_miss = true;
	} else if (!depth) {
		pending->label.trust_source = trust->source;
		pending->label.key_id = trust->key_id;
	}
	if (!depth) {
		pending->label.exe_dev = inode_dev(inode);
		pending->label.exe_ino = inode->i_ino;
	}

	if (!live_generation(&generation))
		return 0;
	program_key.dev = inode_dev(inode);
	program_key.ino = inode->i_ino;
	program_key.generation = generation;
	program = bpf_map_lookup_elem(&mg_programs, &program_key);
	if (!program)
		return 0;
	if ((program->flags & MG_PROGRAM_INTERPRETER) && !depth)
		pending->label.flags &= ~MG_LABEL_TRUSTED;
	/* A program is who the policy says only while its file is the one verified. */
	if (!trust || (program->required_key_id && trust->key_id != program->required_key_id))
		return 0;
	/* A script is its own program, not its interpreter's. */
	if (depth)
		return 0;
	if (program->flags & MG_PROGRAM_LAUNCHER)
		pending->launcher = true;
	pending->label.program_id = program->program_id;
	return 0;
}

SEC("lsm/bprm_committed_creds")
int BPF_PROG(mg_bprm_committed_creds, struct linux_binprm *bprm)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mg_task_label *label, *fresh;
	struct exec_pending *pending;
	bool starter_ok;

	pending = bpf_task_storage_get(&mg_exec_pending, task, 0, 0);
	if (!pending)
		return 0;
	label = bpf_task_storage_get(&mg_labels, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!label)
		goto done;
	fresh = &pending->label;
	/* exec changes what a task runs, not the lineage it belongs to */
	if (!fresh->lineage)
		fresh->lineage = task->tgid;
	/*
	 * Trust follows provenance: what an untrusted task starts is
	 * untrusted, whatever it runs. A launcher starts afresh, and passes
	 * trust on only to a program signed with a policy key.
	 */
	if (pending->launcher) {
		starter_ok = true;
		fresh->flags |= MG_LABEL_LAUNCHER;
		fresh->lineage = task->tgid;
	} else if (pending->from_launcher) {
		starter_ok = fresh->trust_source == MG_TRUST_SIGNATURE;
	} else {
		starter_ok = pending->starter_trusted;
	}
	if (!starter_ok && (fresh->flags & MG_LABEL_TRUSTED))
		fresh->flags |= MG_LABEL_UNTRUSTED_START;
	if (!starter_ok || (fresh->flags & MG_LABEL_TRACED))
		fresh->flags &= ~MG_LABEL_TRUSTED;
	if (!(fresh->flags & MG_LABEL_TRUSTED))
		fresh->flags &= ~MG_LABEL_LAUNCHER;
	if (pending->from_launcher && (fresh->flags & MG_LABEL_TRUSTED))
		fresh->flags |= MG_LABEL_LAUNCHED;
	if (!(fresh->flags & MG_LABEL_TRUSTED))
		fresh->program_id = 0;
	*label = *fresh;
	if (pending->from_launcher)
		emit(MG_EVENT_LAUNCH, MG_OP_EXEC,
		     (label->flags & MG_LABEL_TRUSTED) ? MG_EVENT_ALLOWED : MG_EVENT_DENIED, 0, MG_RULE_DEFAULT,
		     label, bprm->file->f_path.dentry, 0);
done:
	if (pending->trust_miss)
		emit(MG_EVENT_TRUST_MISS, MG_OP_EXEC, MG_EVENT_ALLOWED, 0, MG_RULE_DEFAULT, label,
		     bprm->file->f_path.dentry, 0);
	bpf_task_storage_delete(&mg_exec_pending, task);
	return 0;
}

/*
 * Whether the current task opened FILE itself, with the trust it has now.
 * A descriptor it inherited (across fork or an exec that lowered its
 * trust), received (SCM_RIGHTS) or took (pidfd_getfd) was not judged for it.
 */
static __always_inline bool opened_here(struct file *file, const struct mg_task_label *label)
{
	__u64 key = (__u64)file;
	struct opener *opener = bpf_map_lookup_elem(&mg_open_files, &key);

	return opener && opener->tgid == bpf_get_current_pid_tgid() >> 32 &&
	       opener->label_flags == (label ? label->flags : 0);
}

static __always_inline void remember_opener(struct file *file)
{
	struct mg_task_label *label = current_label();
	struct opener opener = {
		.tgid = bpf_get_current_pid_tgid() >> 32,
		.label_flags = label ? label->flags : 0,
	};
	__u64 key = (__u64)file;

	bpf_map_update_elem(&mg_open_files, &key, &opener, BPF_ANY);
}

/*
 * An untrusted task that reads or writes through a descriptor it did not
 * open is judged as if it opened the file now; a trusted one, or a task
 * using what it opened itself, was judged at the open.
 */
static __always_inline int check_foreign_descriptor(struct file *file, __u32 op)
{
	struct mg_task_label *label = current_label();

	if (label_trusted(label) || opened_here(file, label))
		return 0;
	/* A stacked filesystem's own access to the file under the user's (as in mg_file_open). */
	if (BPF_CORE_READ(file, f_path.dentry, d_inode) != BPF_CORE_READ(file, f_inode))
		return 0;
	return check_dentry(file->f_path.dentry, op, MG_SIGNAL_NONE);
}

SEC("lsm/mmap_file")
int BPF_PROG(mg_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	struct mg_task_label *label;

	if (ret)
		return ret;
	/* Anonymous mappings have no file; the verifier takes hook arguments as non-NULL. */
	if (!maybe_null(file))
		return 0;
	if (!(prot & PROT_EXEC))
		return check_foreign_descriptor(file, MG_OP_READ);
	ret = check_dentry(file->f_path.dentry, MG_OP_EXEC, MG_SIGNAL_NONE);
	if (ret)
		return ret;
	label = current_label();
	if (label && !valid_trust(file->f_inode))
		taint(label, file->f_path.dentry);
	return 0;
}

/* ---- tracing: an untrusted task may not steer a trusted one -------------- */

/*
 * Attaching, /proc/PID/mem, process_vm_writev and pidfd_getfd ask for
 * PTRACE_MODE_ATTACH; reading /proc/PID/stat (ps, top) does not.
 */
SEC("lsm/ptrace_access_check")
int BPF_PROG(mg_ptrace_access_check, struct task_struct *child, unsigned int mode, int ret)
{
	struct mg_task_label *tracer, *target;

	if (ret)
		return ret;
	if (!(mode & PTRACE_MODE_ATTACH) || task_exempt())
		return 0;
	target = bpf_task_storage_get(&mg_labels, child, 0, 0);
	if (!label_trusted(target))
		return 0;
	tracer = current_label();
	if (label_trusted(tracer))
		return 0;
	ptrace_refused(tracer, child->tgid);
	return -EPERM;
}

SEC("lsm/ptrace_traceme")
int BPF_PROG(mg_ptrace_traceme, struct task_struct *parent, int ret)
{
	struct mg_task_label *tracer, *target;

	if (ret)
		return ret;
	target = current_label();
	if (!label_trusted(target))
		return 0;
	tracer = bpf_task_storage_get(&mg_labels, parent, 0, 0);
	if (label_trusted(tracer))
		return 0;
	ptrace_refused(target, parent->tgid);
	return -EPERM;
}

/* ---- operations on protected trees --------------------------------------- */

SEC("lsm/file_open")
int BPF_PROG(mg_file_open, struct file *file, int ret)
{
	__u32 op = 0, signal = MG_SIGNAL_NONE;

	if (ret)
		return ret;
	/*
	 * A stacked filesystem (overlayfs) opens the real file under the user's
	 * path with its own credentials; the user's open of that path was
	 * checked already, as the user.
	 */
	if (BPF_CORE_READ(file, f_path.dentry, d_inode) != BPF_CORE_READ(file, f_inode))
		return 0;
	if (file->f_mode & FMODE_WRITE)
		drop_trust(file->f_inode);
	if (file->f_mode & FMODE_EXEC)
		op = MG_OP_EXEC;
	else {
		if (file->f_mode & FMODE_READ)
			op |= MG_OP_READ;
		if ((file->f_mode & FMODE_WRITE) || (file->f_flags & O_TRUNC))
			op |= MG_OP_WRITE;
	}
	if (!op)
		return 0;
	/* fopen(path, "w") of a new file sets O_TRUNC too; it overwrites nothing. */
	if (file->f_mode & FMODE_CREATED)
		signal = MG_SIGNAL_CREATE;
	else if (file->f_flags & O_TRUNC)
		signal = MG_SIGNAL_OVERWRITE;
	else if (op & MG_OP_WRITE)
		signal = MG_SIGNAL_FIRST_WRITE;
	else if ((BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) == S_IFDIR)
		signal = MG_SIGNAL_ENUMERATE;
	ret = medguard_check(maybe_null(file->f_path.dentry), maybe_null(file), op, signal);
	if (ret < 0)
		return -EPERM;
	if (ret == CHECK_IN_TREE && op != MG_OP_EXEC)
		remember_opener(file);
	return 0;
}

/*
 * Every read(2) and write(2) through an open file. An untrusted task using
 * a descriptor it did not open is judged as at an open; a lineage stopped
 * by deny-writes must not go on writing through files it opened before;
 * and the entropy sampler's finding about this very write is scored here,
 * before the write happens. A trusted task pays two or three lookups.
 */
SEC("lsm/file_permission")
int BPF_PROG(mg_file_permission, struct file *file, int mask, int ret)
{
	__u32 thread = (__u32)bpf_get_current_pid_tgid();
	struct mg_task_label *label;
	__u64 *sampled;

	if (ret)
		return ret;
	if (!(mask & (MAY_READ | MAY_WRITE)))
		return 0;
	ret = check_foreign_descriptor(file, (mask & MAY_WRITE) ? MG_OP_WRITE : MG_OP_READ);
	if (ret || !(mask & MAY_WRITE))
		return ret;
	sampled = bpf_map_lookup_elem(&mg_entropy_pending, &thread);
	if (sampled) {
		bool this_write = *sampled == (__u64)file;

		bpf_map_delete_elem(&mg_entropy_pending, &thread);
		if (this_write)
			return check_dentry(file->f_path.dentry, MG_OP_WRITE, MG_SIGNAL_ENTROPY);
	}
	label = current_label();
	if (!(lineage_flags(lineage_of(label)) & MG_LINEAGE_DENY_WRITES))
		return 0;
	return check_dentry(file->f_path.dentry, MG_OP_WRITE, MG_SIGNAL_NONE);
}

SEC("lsm/path_truncate")
int BPF_PROG(mg_path_truncate, const struct path *path, int ret)
{
	if (ret)
		return ret;
	drop_trust(BPF_CORE_READ(path, dentry, d_inode));
	return check_dentry(path->dentry, MG_OP_WRITE, MG_SIGNAL_OVERWRITE);
}

/* ftruncate() has a hook of its own since 6.2; the loader drops this on 6.1. */
SEC("lsm/file_truncate")
int BPF_PROG(mg_file_truncate, struct file *file, int ret)
{
	if (ret)
		return ret;
	drop_trust(file->f_inode);
	return check_dentry(file->f_path.dentry, MG_OP_WRITE, MG_SIGNAL_OVERWRITE);
}

/* The new file is scored when it is opened, where it has an inode to remember it by. */
SEC("lsm/inode_create")
int BPF_PROG(mg_inode_create, struct inode *dir, struct dentry *dentry, umode_t mode, int ret)
{
	if (ret)
		return ret;
	return check_dentry(dentry, MG_OP_CREATE, MG_SIGNAL_NONE);
}

SEC("lsm/inode_mkdir")
int BPF_PROG(mg_inode_mkdir, struct inode *dir, struct dentry *dentry, umode_t mode, int ret)
{
	if (ret)
		return ret;
	return check_dentry(dentry, MG_OP_CREATE, MG_SIGNAL_CREATE);
}

SEC("lsm/inode_mknod")
int BPF_PROG(mg_inode_mknod, struct inode *dir, struct dentry *dentry, umode_t mode, dev_t dev, int ret)
{
	if (ret)
		return ret;
	return check_dentry(dentry, MG_OP_CREATE, MG_SIGNAL_CREATE);
}

SEC("lsm/inode_symlink")
int BPF_PROG(mg_inode_symlink, struct inode *dir, struct dentry *dentry, const char *old_name, int ret)
{
	if (ret)
		return ret;
	return check_dentry(dentry, MG_OP_CREATE, MG_SIGNAL_CREATE);
}

SEC("lsm/inode_unlink")
int BPF_PROG(mg_inode_unlink, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return check_dentry(dentry, MG_OP_DELETE, MG_SIGNAL_UNLINK);
}

SEC("lsm/inode_rmdir")
int BPF_PROG(mg_inode_rmdir, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return check_dentry(dentry, MG_OP_DELETE, MG_SIGNAL_UNLINK);
}

/* Out of, within and into a tree are all renames of that tree. */
SEC("lsm/inode_rename")
int BPF_PROG(mg_inode_rename, struct inode *old_dir, struct dentry *old_dentry, struct inode *new_dir,
	     struct dentry *new_dentry, int ret)
{
	__u32 signal = MG_SIGNAL_NONE;

	if (ret)
		return ret;
	drop_trust(BPF_CORE_READ(new_dentry, d_inode));
	if (tree_of(old_dentry) != tree_of(new_dentry))
		signal = MG_SIGNAL_RENAME_OUT;
	else if (extension_hash(old_dentry) != extension_hash(new_dentry))
		signal = MG_SIGNAL_RENAME_EXT;
	ret = check_dentry(old_dentry, MG_OP_RENAME, signal);
	if (ret)
		return ret;
	/*
	 * Renaming over a file unlinks the original: encrypting into a new file
	 * and renaming it over the original is a replace, like unlinking it.
	 */
	signal = BPF_CORE_READ(new_dentry, d_inode) ? MG_SIGNAL_UNLINK : MG_SIGNAL_NONE;
	return check_dentry(new_dentry, MG_OP_RENAME, signal);
}

/*
 * A hard link of a protected file would give it a name outside every
 * d_parent walk: linking is an operation of the source's tree.
 */
SEC("lsm/inode_link")
int BPF_PROG(mg_inode_link, struct dentry *old_dentry, struct inode *dir, struct dentry *new_dentry, int ret)
{
	if (ret)
		return ret;
	ret = check_dentry(old_dentry, MG_OP_LINK, MG_SIGNAL_NONE);
	if (ret)
		return ret;
	return check_dentry(new_dentry, MG_OP_CREATE, MG_SIGNAL_CREATE);
}

/* A size change through setattr is truncation, which is writing. */
static __always_inline int check_setattr(struct dentry *dentry, struct iattr *attr)
{
	if (attr->ia_valid & ATTR_SIZE)
		return check_dentry(dentry, MG_OP_WRITE, MG_SIGNAL_NONE);
	return check_dentry(dentry, MG_OP_SETATTR, MG_SIGNAL_NONE);
}

SEC("lsm/inode_setattr")
int BPF_PROG(mg_inode_setattr, struct mnt_idmap *idmap, struct dentry *dentry, struct iattr *attr, int ret)
{
	if (ret)
		return ret;
	return check_setattr(dentry, attr);
}

/* inode_setattr before 6.3 had no idmap argument; the loader picks one of the two. */
SEC("lsm/inode_setattr")
int BPF_PROG(mg_inode_setattr_v61, struct dentry *dentry, struct iattr *attr, int ret)
{
	if (ret)
		return ret;
	return check_setattr(dentry, attr);
}

SEC("lsm/inode_setxattr")
int BPF_PROG(mg_inode_setxattr, void *idmap, struct dentry *dentry, const char *name, const void *value,
	     size_t size, int flags, int ret)
{
	if (ret)
		return ret;
	drop_trust(BPF_CORE_READ(dentry, d_inode));
	return check_dentry(dentry, MG_OP_SETATTR, MG_SIGNAL_NONE);
}

SEC("lsm/inode_removexattr")
int BPF_PROG(mg_inode_removexattr, void *idmap, struct dentry *dentry, const char *name, int ret)
{
	if (ret)
		return ret;
	drop_trust(BPF_CORE_READ(dentry, d_inode));
	return check_dentry(dentry, MG_OP_SETATTR, MG_SIGNAL_NONE);
}
