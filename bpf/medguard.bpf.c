// SPDX-License-Identifier: GPL-2.0-only
/*
 * The medguard enforcement core: BPF-LSM programs that label every task at
 * exec and fork by the trust of what it runs and of who started it, and
 * decide every operation on a protected tree by the rules of the live
 * policy generation. One program, its concerns in headers: compat, state,
 * events, labels, walk, rules, behaviour, anchors, and self-protection
 * (guard) with its own programs; here the verdict and the hooks of labels,
 * tracing and the records.
 */
#include "medguard_common.bpf.h"
#include "medguard_compat.bpf.h"
#include "medguard_state.bpf.h"
#include "medguard_events.bpf.h"
#include "medguard_labels.bpf.h"
#include "medguard_walk.bpf.h"
#include "medguard_rules.bpf.h"
#include "medguard_behaviour.bpf.h"
#include "medguard_anchors.bpf.h"
#include "medguard_units.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* What medguard_check found: allowed outside every tree, allowed in one, or -EPERM. */
#define CHECK_OUTSIDE 0
#define CHECK_IN_TREE 1

/* medguard's own files: anyone reads them; while the daemon is guarded and locked, only it changes them. */
static __always_inline int check_anchor(__u32 op, struct dentry *dentry, __u64 root_ino)
{
	if (!(op & ~(MG_OP_READ | MG_OP_EXEC)) || !paths_locked())
		return CHECK_OUTSIDE;
	return refuse_self_protection(op, dentry, root_ino);
}

/* What no walk could place: refused in enforce mode to everyone but the kernel and the daemon. */
static __always_inline int fail_closed(const struct mg_generation *live, __u32 op, __u32 rule_index,
				       struct mg_task_label *label, struct dentry *dentry)
{
	if (live->mode == MG_MODE_ENFORCE) {
		count(MG_COUNTER_DENIED);
		emit(MG_EVENT_ACCESS, op, MG_EVENT_DENIED, MG_TREE_UNKNOWN, rule_index, label, dentry, 0);
		return -EPERM;
	}
	count(MG_COUNTER_AUDITED);
	emit(MG_EVENT_ACCESS, op, MG_EVENT_AUDITED, MG_TREE_UNKNOWN, rule_index, label, dentry, 0);
	return 0;
}

/*
 * The verdict for OP on whatever protects DENTRY: CHECK_OUTSIDE,
 * CHECK_IN_TREE or -EPERM. Everything the verdict needs is a map lookup
 * away; nothing waits for userspace. An allowed operation is then scored as
 * SIGNAL by the tree's behaviour rule. FILE is the file being opened or
 * used, if that is the operation; without a DENTRY (a real file with none)
 * its inode is judged as disconnected. A global function, so that the
 * verifier checks it once rather than at every hook; its pointers are
 * plain numbers, read with probes.
 */
__noinline int medguard_check(__u64 dentry_address, __u64 file_address, __u32 op, __u32 signal)
{
	struct dentry *dentry = (struct dentry *)dentry_address;
	struct file *file = (struct file *)file_address;
	const struct mg_generation *live;
	struct mg_task_label *label;
	struct mg_object object = {};
	struct inode *inode = NULL;
	struct mg_tree *tree;
	struct rule_search search;
	struct scoring scoring;
	__u32 generation, index, lineage;
	__u64 root_ino = 0;
	int found;

	if (!dentry && file)
		inode = BPF_CORE_READ(file, f_inode);
	if ((!dentry && !inode) || task_exempt())
		return 0;
	live = live_generation(&generation);
	if (!live)
		return 0;
	found = find_protected(dentry, inode, generation, &object, &root_ino);
	if (found == WALK_UNPROTECTED)
		return 0;
	if (found == WALK_DISCONNECTED)
		return fail_closed(live, op, MG_RULE_DISCONNECTED, current_label(), dentry);
	if (found == WALK_PROTECTED && moves_a_named_path(op, &object, dentry, root_ino))
		return refuse_self_protection(op, dentry, root_ino);
	if (found == WALK_PROTECTED && (object.flags & MG_OBJECT_ANCESTOR))
		return CHECK_OUTSIDE;
	if (found == WALK_PROTECTED && (object.flags & MG_OBJECT_ANCHOR))
		return check_anchor(op, dentry, root_ino);
	label = current_label();
	if (found == WALK_TOO_DEEP)
		return fail_closed(live, op, MG_RULE_TOO_DEEP, label, dentry);
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
	if (stopped_for(lineage_flags(lineage), op) && live->mode == MG_MODE_ENFORCE) {
		count(MG_COUNTER_DENIED);
		emit(MG_EVENT_ACCESS, op, MG_EVENT_DENIED, object.tree_id, MG_RULE_BEHAVIOUR, label, dentry, root_ino);
		if (scoring.signal != MG_SIGNAL_NONE)
			score_all(&scoring);
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
	if (score_all(&scoring))
		return -EPERM;
	return CHECK_IN_TREE;
}

static __always_inline int check_dentry(struct dentry *dentry, __u32 op, __u32 signal)
{
	if (medguard_check(maybe_null(dentry), 0, op, signal) < 0)
		return -EPERM;
	return 0;
}

/*
 * The dentry FILE is judged by: its own, or, for a stacked filesystem's
 * real file, an alias of the real inode. On 6.1 overlayfs opens the real
 * file under the overlay's path (f_path is the overlay's dentry, f_inode
 * the real inode): what the file is, and where its records lie, is the
 * real inode's. NULL when the real inode has no dentry: judged as
 * disconnected.
 */
static __always_inline struct dentry *judged_dentry(struct file *file)
{
	struct dentry *dentry = file->f_path.dentry;
	struct inode *inode = file->f_inode;
	struct hlist_node *alias;

	if (BPF_CORE_READ(dentry, d_inode) == inode)
		return dentry;
	alias = BPF_CORE_READ(inode, i_dentry.first);
	if (!alias)
		return NULL;
	return (struct dentry *)((void *)alias - bpf_core_field_offset(struct dentry, d_u.d_alias));
}

/* OP through FILE, judged on the real file beneath any stacking. */
static __always_inline int check_file(struct file *file, __u32 op, __u32 signal)
{
	if (medguard_check(maybe_null(judged_dentry(file)), maybe_null(file), op, signal) < 0)
		return -EPERM;
	return 0;
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
	if (!child)
		return 0;
	*child = *parent;
	/*
	 * What a gateway forks (a login's session, a cron job, an SFTP
	 * server) runs on someone else's word: untrusted, and a lineage of
	 * its own from its first exec. The gateway's own threads stay what
	 * it is.
	 */
	if ((parent->flags & MG_LABEL_GATEWAY) && !(clone_flags & CLONE_THREAD)) {
		child->flags &= ~(MG_LABEL_TRUSTED | MG_LABEL_GATEWAY | MG_LABEL_LAUNCHER);
		child->flags |= MG_LABEL_UNTRUSTED_START;
		child->program_id = 0;
		child->ancestor_program = 0;
		child->lineage = 0;
	}
	/*
	 * What init starts (a service, a cron daemon, a login) is a lineage
	 * of its own, from its first exec: one service's score is not
	 * another's, and a stopped one does not stop init's forks. Under
	 * systemd its exec is judged by its unit too.
	 */
	if ((bpf_get_current_pid_tgid() >> 32) == 1) {
		child->lineage = 0;
		if (service_units)
			child->flags |= MG_LABEL_SERVICE_START;
	}
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
	pending->starter_trusted = starter_trusted(task, label) && unit_passes_trust(task, label);
	pending->label.lineage = label ? label->lineage : 0;
	pending->label.ancestor_program = label_trusted(label) ? label->ancestor_program : 0;
	pending->from_launcher = label_trusted(label) && (label->flags & MG_LABEL_LAUNCHER);
	/* A tracer can change what the new program does. */
	if (task->ptrace)
		pending->label.flags |= MG_LABEL_TRACED;
	return 0;
}

/*
 * The exec of a launcher, known by its content (MG_TRUST_LAUNCHER: a copy
 * is the launcher too) or by the policy's path. A launcher started by a
 * launcher is refused: the job would pass a launch's fresh trust on to
 * whatever program its arguments name. It starts fresh lineages only for
 * root of the initial user namespace; for anyone else it is an ordinary
 * program, whatever the uid it has in a namespace of its own.
 */
static __always_inline int launcher_exec(struct linux_binprm *bprm, struct exec_pending *pending)
{
	if (pending->from_launcher) {
		emit(MG_EVENT_LAUNCH, MG_OP_EXEC, MG_EVENT_DENIED, 0, MG_RULE_DEFAULT, current_label(),
		     bprm->file->f_path.dentry, 0);
		return -EPERM;
	}
	if (BPF_CORE_READ(bprm, cred, euid.val) == 0 && BPF_CORE_READ(bprm, cred, uid.val) == 0)
		pending->launcher = true;
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
	if (!depth && trust && (trust->flags & MG_TRUST_LAUNCHER)) {
		ret = launcher_exec(bprm, pending);
		if (ret)
			return ret;
	}
	if (!program && trust && trust->source == MG_TRUST_SIGNATURE && !depth) {
		/* `program NAME signed-by KEY;`: whatever that key signed. */
		program_key.dev = 0;
		program_key.ino = trust->key_id;
		program = bpf_map_lookup_elem(&mg_programs, &program_key);
	}
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
	if (program->flags & MG_PROGRAM_LAUNCHER) {
		ret = launcher_exec(bprm, pending);
		if (ret)
			return ret;
	}
	pending->label.program_id = program->program_id;
	if (program->flags & MG_PROGRAM_GATEWAY)
		pending->label.flags |= MG_LABEL_GATEWAY;
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
	if (!(fresh->flags & MG_LABEL_TRUSTED)) {
		fresh->program_id = 0;
		fresh->ancestor_program = 0;
	} else if (fresh->program_id) {
		fresh->ancestor_program = fresh->program_id;
	}
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
 * An untrusted task that reads or writes through a descriptor it did not
 * open is judged as if it opened the file now; a trusted one, or a task
 * using what it opened itself, was judged at the open.
 */
static __always_inline int check_foreign_descriptor(struct file *file, __u32 op, struct mg_task_label *label)
{
	if (label_trusted(label) || opened_here(file, label))
		return 0;
	return check_file(file, op, MG_SIGNAL_NONE);
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
		return check_foreign_descriptor(file, MG_OP_READ, current_label());
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
	if (task_is_guarded_daemon(child))
		return -EPERM;
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

/*
 * Self-protection: its programs stand here in the object, whose order is
 * the order the loader attaches them in.
 */
#include "medguard_guard.bpf.h"

/* ---- operations on protected trees --------------------------------------- */

SEC("lsm/file_open")
int BPF_PROG(mg_file_open, struct file *file, int ret)
{
	__u32 op = 0, signal = MG_SIGNAL_NONE;

	if (ret)
		return ret;
	if (reaches_memory(file))
		return refuse_memory(file->f_path.dentry);
	if (ends_the_daemon(file) || moves_into_a_unit(file))
		return refuse_self_protection(MG_OP_WRITE, file->f_path.dentry, 0);
	note_unit_file(file);
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
	/* Opened for neither (access mode 3): for ioctls, which see the file as a read does. */
	if (!op)
		op = MG_OP_READ;
	/* fopen(path, "w") of a new file sets O_TRUNC too; it overwrites nothing. */
	if (file->f_mode & FMODE_CREATED)
		signal = MG_SIGNAL_CREATE;
	else if (file->f_flags & O_TRUNC)
		signal = MG_SIGNAL_OVERWRITE;
	else if (op & MG_OP_WRITE)
		signal = MG_SIGNAL_FIRST_WRITE;
	else if ((BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) == S_IFDIR)
		signal = MG_SIGNAL_ENUMERATE;
	else if (op == MG_OP_READ)
		signal = MG_SIGNAL_READ;
	ret = medguard_check(maybe_null(judged_dentry(file)), maybe_null(file), op, signal);
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
 * before the write happens. A trusted task pays a few map lookups: its
 * label, its lineage, the entropy sample and, for a write, the trust
 * entry the write ends.
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
	label = current_label();
	/* Trust is for content: any write ends it, through whatever descriptor. */
	if (mask & MAY_WRITE)
		drop_trust(file->f_inode);
	else
		check_reads_own_program(file, label);
	ret = check_foreign_descriptor(file, (mask & MAY_WRITE) ? MG_OP_WRITE : MG_OP_READ, label);
	if (ret)
		return ret;
	if (!(mask & MAY_WRITE)) {
		/* A lineage stopped by deny-reads does not go on reading what it opened before. */
		if (!(lineage_flags(lineage_of(label)) & MG_LINEAGE_DENY_READS))
			return 0;
		return check_file(file, MG_OP_READ, MG_SIGNAL_NONE);
	}
	sampled = bpf_map_lookup_elem(&mg_entropy_pending, &thread);
	if (sampled) {
		bool this_write = *sampled == (__u64)file;

		bpf_map_delete_elem(&mg_entropy_pending, &thread);
		if (this_write)
			return check_file(file, MG_OP_WRITE, MG_SIGNAL_ENTROPY);
	}
	if (!(lineage_flags(lineage_of(label)) & MG_LINEAGE_DENY_WRITES))
		return 0;
	return check_file(file, MG_OP_WRITE, MG_SIGNAL_NONE);
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
	struct inode *inode;

	if (ret)
		return ret;
	ret = check_dentry(dentry, MG_OP_DELETE, MG_SIGNAL_UNLINK);
	if (ret)
		return ret;
	/* Its last name gone, the inode number may soon be another file's. */
	inode = BPF_CORE_READ(dentry, d_inode);
	if (inode && BPF_CORE_READ(inode, i_nlink) <= 1)
		drop_trust(inode);
	return 0;
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
	if (renames_a_cgroup(old_dentry))
		return refuse_self_protection(MG_OP_RENAME, old_dentry, 0);
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
 * A hard link of a protected file out of its tree would give it a name
 * outside every d_parent walk: linking out is an operation of the source's
 * tree. A second name inside the same tree (dpkg's backup link during an
 * upgrade) keeps the file protected: it is creating a name there.
 */
SEC("lsm/inode_link")
int BPF_PROG(mg_inode_link, struct dentry *old_dentry, struct inode *dir, struct dentry *new_dentry, int ret)
{
	if (ret)
		return ret;
	ret = check_dentry(old_dentry, tree_of(old_dentry) == tree_of(new_dentry) ? MG_OP_CREATE : MG_OP_LINK,
			   MG_SIGNAL_NONE);
	if (ret)
		return ret;
	return check_dentry(new_dentry, MG_OP_CREATE, MG_SIGNAL_CREATE);
}

/*
 * A size change through setattr is truncation, which is writing. Any other
 * change of a verified file's attributes ends its trust too: its change
 * time, which the verdict was bound to, moves.
 */
static __always_inline int check_setattr(struct dentry *dentry, struct iattr *attr)
{
	drop_trust(BPF_CORE_READ(dentry, d_inode));
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

/*
 * The ioctls that change a record, or what may be written into a tree,
 * without a write: the inode flags (FS_IOC_SETFLAGS: immutable,
 * append-only) and their xfs form (FS_IOC_FSSETXATTR), which would stop
 * every trusted writer; an encryption policy on a directory
 * (FS_IOC_SET_ENCRYPTION_POLICY), under which what trusted services write
 * is encrypted with a key its setter holds; fs-verity (FS_IOC_ENABLE_VERITY),
 * which makes a file read-only for good. They are the tree's setattr,
 * through whatever descriptor, of whatever mode.
 */
#define FS_IOC_SETFLAGS 0x40086602u
#define FS_IOC32_SETFLAGS 0x40046602u
#define FS_IOC_FSSETXATTR 0x401c5820u
#define FS_IOC_SET_ENCRYPTION_POLICY 0x800c6613u
#define FS_IOC_ENABLE_VERITY 0x40806685u

static __always_inline int check_ioctl(struct file *file, unsigned int cmd)
{
	if (cmd != FS_IOC_SETFLAGS && cmd != FS_IOC32_SETFLAGS && cmd != FS_IOC_FSSETXATTR &&
	    cmd != FS_IOC_SET_ENCRYPTION_POLICY && cmd != FS_IOC_ENABLE_VERITY)
		return 0;
	return check_file(file, MG_OP_SETATTR, MG_SIGNAL_NONE);
}

SEC("lsm/file_ioctl")
int BPF_PROG(mg_file_ioctl, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	return check_ioctl(file, cmd);
}

/* The 32-bit compat ioctl path has a hook of its own since 6.8; the loader drops this before. */
SEC("lsm/file_ioctl_compat")
int BPF_PROG(mg_file_ioctl_compat, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	return check_ioctl(file, cmd);
}
