/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The contract between the medguard BPF programs and userspace: map keys,
 * map values and events. Fixed-width types only; every struct has a size
 * assertion in userspace/layout.c so that a change on one side cannot
 * silently disagree with the other.
 */
#ifndef MEDGUARD_H
#define MEDGUARD_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#include "medguard_limits.h"

/* Operations a rule can allow or deny, as a bit mask. */
enum mg_op {
	MG_OP_READ = 1u << 0,
	MG_OP_WRITE = 1u << 1,    /* open for write/append/O_TRUNC, truncate */
	MG_OP_CREATE = 1u << 2,   /* new file, directory, node or symlink */
	MG_OP_DELETE = 1u << 3,   /* unlink, rmdir */
	MG_OP_RENAME = 1u << 4,   /* into, out of or within a tree */
	MG_OP_LINK = 1u << 5,     /* hard link of a file in a tree */
	MG_OP_SETATTR = 1u << 6,  /* chmod, chown, utimes, setxattr, removexattr */
	MG_OP_EXEC = 1u << 7,     /* execve or mmap(PROT_EXEC) of a file in a tree */
	MG_OP_ALL = (1u << 8) - 1,
	/*
	 * Only events name these, never a rule: a mount on, or an unmount of,
	 * what the policy names; loading a program that reaches into the kernel.
	 */
	MG_OP_MOUNT = 1u << 8,
	MG_OP_UNMOUNT = 1u << 9,
	MG_OP_BPF_LOAD = 1u << 10,
};

/* Who a rule speaks of. */
enum mg_subject_kind {
	MG_SUBJECT_ANY = 0,
	MG_SUBJECT_PROGRAM = 1,  /* value: program id from the policy */
	MG_SUBJECT_SIGNED = 2,   /* task label is trusted */
	MG_SUBJECT_UNSIGNED = 3, /* task label is untrusted */
	MG_SUBJECT_UID = 4,      /* value: uid */
	MG_SUBJECT_GID = 5,      /* value: gid */
	MG_SUBJECT_CGROUP = 6,   /* value: cgroup v2 id */
};

enum mg_verdict {
	MG_VERDICT_ALLOW = 0,
	MG_VERDICT_DENY = 1,
};

enum mg_mode {
	MG_MODE_AUDIT = 0,  /* log what would be denied, allow it */
	MG_MODE_ENFORCE = 1,
};

/* Rule flags. */
#define MG_RULE_AUDIT_ONLY (1u << 0) /* this rule never denies, even in enforce mode */

struct mg_rule {
	__u32 subject_kind;
	__u32 ops;
	__u64 subject_value;
	__u32 verdict;
	__u32 flags;
};

/*
 * One protected tree ("records") of one policy generation. Rules are tried in
 * order; the first rule whose subject matches and whose ops contain the
 * operation decides. No match: default_verdict.
 */
struct mg_tree {
	__u32 nrules;
	__u32 default_verdict;
	struct mg_rule rules[MG_MAX_RULES_PER_TREE];
};

/* Flags of a protected object. */
#define MG_OBJECT_ROOT (1u << 0)   /* a records root directory or file */
#define MG_OBJECT_CANARY (1u << 1) /* a canary file: any touch is an alarm */
/*
 * Key {dev, ino = 0}: some object lives on this filesystem. Files elsewhere
 * skip the d_parent walk after one lookup.
 */
#define MG_OBJECT_DEVICE (1u << 2)
/*
 * A file of a tree with more than one name: protected under every name, even
 * one outside the tree that a d_parent walk would not lead back from.
 */
#define MG_OBJECT_LINKED (1u << 3)
/* A filesystem mounted inside a tree: its root is where the walk stops. */
#define MG_OBJECT_MOUNT (1u << 4)
/*
 * One of medguard's own files or directories (the policy and what it names,
 * the trust cache, the daemon's executable, the pins): anyone reads it;
 * while the daemon is guarded only the daemon changes it, or root after a
 * signed unlock.
 */
#define MG_OBJECT_ANCHOR (1u << 5)
/*
 * A directory above a records root or one of medguard's own files: what
 * lies below it is not protected by it, but while the daemon is guarded
 * renaming or removing it, or mounting on it, would change what the
 * policy's paths name.
 */
#define MG_OBJECT_ANCESTOR (1u << 6)

struct mg_object_key {
	__u64 dev; /* kernel dev_t: major << 20 | minor */
	__u64 ino;
	__u32 generation;
	__u32 pad;
};

struct mg_object {
	__u32 tree_id;
	__u32 flags;
	/*
	 * The mount the daemon found it through (statx STATX_MNT_ID): mounts on
	 * it there, and unmounting that mount, change the daemon's view; other
	 * mounts of it (a bind mount, another mount namespace) do not.
	 */
	__u32 mnt_id;
	__u32 pad;
};

/* Program flags. */
#define MG_PROGRAM_INTERPRETER (1u << 0) /* runs code it reads: run directly, the task is untrusted */
/*
 * Starts a new trusted lineage whoever started it, for a program signed
 * with a policy key (an IMA signature): the one explicit, audited way back
 * to trust for an administrator's shell or a cron job, whose own lineage is
 * untrusted. Every launch is an event.
 */
#define MG_PROGRAM_LAUNCHER (1u << 1)
/*
 * Starts what others ask for (a login, a job scheduler): it stays trusted,
 * but every process it forks, and whatever those run, is untrusted.
 */
#define MG_PROGRAM_GATEWAY (1u << 2)

/*
 * A program is named by its executable's (dev, ino), or, with dev 0, by the
 * key that signed it: ino is then the key id (`program NAME signed-by KEY;`).
 */
struct mg_program_key {
	__u64 dev;
	__u64 ino;
	__u32 generation;
	__u32 pad;
};

struct mg_program {
	__u32 program_id;
	__u32 flags;
	__u32 required_key_id; /* 0: any trust source will do */
	__u32 pad;
};

/* Where a file's trust comes from, strongest first. */
enum mg_trust_source {
	MG_TRUST_NONE = 0,
	MG_TRUST_SIGNATURE = 1, /* IMA digsig v2 in security.ima */
	MG_TRUST_ALLOWLIST = 2, /* SHA-256 allowlist */
	MG_TRUST_PACKAGE = 3,   /* installed package with matching digest */
};

struct mg_trust_key {
	__u64 dev;
	__u64 ino;
};

/* A verified file; valid only while the inode's change time is unchanged. */
struct mg_trust {
	__s64 ctime_sec;
	__u32 ctime_nsec;
	__u32 source;
	__u32 key_id;
	__u32 flags; /* MG_TRUST_* */
};

/*
 * The file's content is a launcher's (its SHA-256 is that of a file a
 * `launcher` declaration names), wherever the file lies: a copy is the
 * launcher too, and no launcher is a job another launcher may start.
 */
#define MG_TRUST_LAUNCHER (1u << 0)

/*
 * Per-generation settings. Which generation is live is one u32 global of the
 * enforcement object, written by a single store from userspace.
 */
struct mg_generation {
	__u32 mode;
	__u32 ntrees;
};

/*
 * A service unit, by the name of the unit file systemd loaded it from: an
 * instance (name@instance.service) by its template's (name@.service).
 */
struct mg_unit_key {
	char name[MG_UNIT_NAME_LEN];
} __attribute__((aligned(8)));

/* Task label flags. */
#define MG_LABEL_TRUSTED (1u << 0)
#define MG_LABEL_TAINTED (1u << 1)         /* was trusted, lost it during its life */
#define MG_LABEL_UNTRUSTED_START (1u << 2) /* started by a task that was not trusted */
#define MG_LABEL_TRACED (1u << 3)          /* was being traced when it started */
#define MG_LABEL_LAUNCHED (1u << 4)        /* its lineage was started by a launcher */
#define MG_LABEL_LAUNCHER (1u << 5)        /* a launcher: what it runs next is judged by its signature */
#define MG_LABEL_SERVICE_START (1u << 6)   /* forked by the service manager: its exec is judged by its unit */
#define MG_LABEL_GATEWAY (1u << 7)         /* a gateway of the policy: what it forks is untrusted */

struct mg_task_label {
	__u32 flags;
	__u32 program_id;
	__u32 trust_source;
	__u32 key_id;
	__u64 exe_dev;
	__u64 exe_ino;
	/*
	 * The tgid that started this process tree: behaviour scores are kept
	 * per lineage, so a fan-out of short-lived workers is one offender.
	 */
	__u32 lineage;
	/*
	 * The nearest named program of the policy up the lineage, this task's
	 * own included, while every task between was trusted: a behaviour that
	 * exempts a backup agent exempts the tar it runs.
	 */
	__u32 ancestor_program;
};

/* Behaviour signals: what a process does to a protected tree, scored by policy weights. */
enum mg_signal {
	MG_SIGNAL_FIRST_WRITE = 0, /* first write to a file the lineage did not create */
	MG_SIGNAL_OVERWRITE,       /* open with O_TRUNC, truncate of an existing file */
	MG_SIGNAL_REPLACE,         /* wrote a new file, then unlinked an original */
	MG_SIGNAL_RENAME_EXT,      /* rename that changes the extension */
	MG_SIGNAL_RENAME_OUT,      /* rename out of the tree */
	MG_SIGNAL_UNLINK,
	MG_SIGNAL_CREATE,
	MG_SIGNAL_ENUMERATE,       /* a directory listed */
	MG_SIGNAL_RATE,            /* each file touched beyond the per-second allowance */
	MG_SIGNAL_CANARY,          /* a canary touched: instant maximum */
	MG_SIGNAL_ENTROPY,         /* a high-entropy write (needs the module) */
	MG_SIGNAL_READ,            /* first read of a file the lineage did not create */
	MG_NSIGNALS,
};

/* Behaviour actions, weakest first; each has a score threshold (0 = off). */
enum mg_action {
	MG_ACTION_ALERT = 0,
	MG_ACTION_DENY_WRITES,
	MG_ACTION_KILL,
	MG_ACTION_FREEZE,
	MG_ACTION_DENY_READS, /* the lineage may no longer read protected files */
	MG_NACTIONS,
};

struct mg_behaviour {
	__u64 window_ns;
	__u32 weights[MG_NSIGNALS];
	__u32 thresholds[MG_NACTIONS];
	/* program ids whose operations are not scored while the task is trusted */
	__u32 nexempt;
	__u32 exempt_programs[MG_MAX_EXEMPT_PROGRAMS];
};

/* Per-CPU counters, summed by `medguard status`. */
enum mg_counter {
	MG_COUNTER_EVENTS_LOST = 0, /* ring buffer full: the verdict stood, its event was dropped */
	MG_COUNTER_DENIED,
	MG_COUNTER_AUDITED,
	MG_NCOUNTERS,
};

/* A lineage's score on one tree of one generation. */
struct mg_score_key {
	__u32 lineage;
	__u32 tree_id;
	__u32 generation;
	__u32 slot; /* which of the tree's behaviours */
};

struct mg_score {
	__u64 score;        /* in 1/1024 points; decays linearly to 0 over the window */
	__u64 updated_ns;
	__u64 second_start_ns; /* for the rate signal */
	__u32 second_files;
	__u32 actions_taken;   /* bit per enum mg_action */
	__u32 created;         /* files created within the window, for replace */
	__u32 pad;
};

/* Lineage flags, across trees. */
#define MG_LINEAGE_DENY_WRITES (1u << 0)
#define MG_LINEAGE_KILLED (1u << 1)
#define MG_LINEAGE_DENY_READS (1u << 2)

enum mg_event_kind {
	MG_EVENT_ACCESS = 1,    /* an operation on a protected tree was denied or audited */
	MG_EVENT_TAINT = 2,     /* a trusted task lost its trust */
	MG_EVENT_TRUST_MISS = 3, /* exec of a file with no trust entry */
	MG_EVENT_BEHAVIOUR = 4, /* a lineage's score crossed a threshold: op is the signal, verdict the action */
	MG_EVENT_LAUNCH = 5,    /* a launcher ran a program: allowed (a new trusted lineage) or denied (not signed) */
	MG_EVENT_PTRACE = 6,    /* an untrusted task was refused tracing a trusted one; obj_ino is the target pid */
	MG_EVENT_UNIT = 7,      /* the service manager loaded a unit from a file nobody verified: the unit is untrusted */
};

/* Event verdicts. */
#define MG_EVENT_ALLOWED 0
#define MG_EVENT_DENIED 1
#define MG_EVENT_AUDITED 2 /* would have been denied; audit mode let it pass */

/* Rule index in an event when the tree default decided. */
#define MG_RULE_DEFAULT 0xffffffffu
/* Rule index in an event when the behaviour engine had stopped the lineage's writes. */
#define MG_RULE_BEHAVIOUR 0xfffffffeu
/* Tree id in an event about a file deeper than any walk reaches. */
#define MG_TREE_UNKNOWN 0xffffffffu
/* Rule index in an event when the file lies deeper than any walk reaches: refused, fail closed. */
#define MG_RULE_TOO_DEEP 0xfffffffdu
/* Tree id and rule index in an event about one of medguard's own files (MG_OBJECT_ANCHOR). */
#define MG_TREE_MEDGUARD 0xfffffffeu
#define MG_RULE_SELF_PROTECTION 0xfffffffcu
/*
 * Rule index in an event about a file reached by no path: a disconnected
 * dentry (open_by_handle_at on a cold cache), or a stacked filesystem's
 * real file without one, on a filesystem that holds protected objects.
 * Refused, fail closed.
 */
#define MG_RULE_DISCONNECTED 0xfffffffbu
/* Rule index in an event about memory of the kernel or of trusted processes (/proc/kcore, /dev/mem, a core dump). */
#define MG_RULE_MEMORY 0xfffffffau

/*
 * A behaviour event (MG_EVENT_BEHAVIOUR) says: op = the signal that crossed
 * the threshold, verdict = the enum mg_action taken, rule_index =
 * MG_EVENT_DENIED when enforced or MG_EVENT_AUDITED in audit mode, score =
 * the lineage's score.
 */

struct mg_event {
	__u64 time_ns; /* CLOCK_MONOTONIC */
	__u32 kind;
	__u32 pid;
	__u32 ppid;
	__u32 uid;
	__u32 op;
	__u32 verdict;
	__u32 tree_id;
	__u32 rule_index;
	__u32 label_flags;
	__u32 program_id;
	__u32 trust_source;
	__u32 npath; /* components used in path[], leaf first */
	__u32 lineage;
	__u32 score;
	__u32 behaviour_slot; /* MG_EVENT_BEHAVIOUR: which of the tree's behaviours */
	__u32 pad;
	__u64 obj_dev;
	__u64 obj_ino;
	__u64 root_ino; /* records root where path[] stops; 0: path[] reaches the fs root */
	char comm[MG_COMM_LEN];
	char path[MG_EVENT_PATH_DEPTH][MG_NAME_LEN];
};

#endif /* MEDGUARD_H */
