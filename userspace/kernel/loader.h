/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Loads the enforcement core into the kernel and turns compiled policies into
 * BPF map generations, one atomic switch per policy.
 */
#ifndef MEDGUARD_LOADER_H
#define MEDGUARD_LOADER_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "medguard.h"
#include "policy/policy.h"

/* Where `medguard run` pins its BPF objects. */
#define MG_PIN_DIR "/sys/fs/bpf/medguard"

struct mg_loader;

struct mg_loader_options {
	bool pin;  /* pin maps and links under MG_PIN_DIR */
	FILE *log; /* one line per degraded feature, for the operator */
	/*
	 * NULL-terminated: files and directories of the daemon's own (its
	 * executable, the trust cache) that only it may change while guarded,
	 * with the policy's files, keys, allowlists and the pins.
	 */
	const char *const *anchors;
};

/*
 * Opens and loads the BPF programs, attached to nothing yet: the maps can
 * be filled first. NULL on failure, said in one line on LOG.
 */
struct mg_loader *mg_loader_open(const struct mg_loader_options *options);

/* Attaches the programs (and pins them with the maps); 0, or -1 said in one line on LOG. */
int mg_loader_attach(struct mg_loader *loader, FILE *log);

/*
 * Resolves POLICY's paths and writes it into the next generation, then makes
 * that generation live with one store. On any failure the live generation is
 * untouched and the reason is one line on DIAG; returns 0 or -errno.
 */
int mg_loader_apply(struct mg_loader *loader, const struct mg_policy *policy, FILE *diag);

/* Trusts the file KEY in the kernel, as verified by mg_trust_evaluate(). */
int mg_loader_trust_file(struct mg_loader *loader, const struct mg_trust_key *key, const struct mg_trust *trust);

/* Withdraws the kernel's trust in the file KEY. */
void mg_loader_untrust_file(struct mg_loader *loader, const struct mg_trust_key *key);

/* The kernel label of process PID; 0 or -errno (-ENOENT: no label). */
int mg_loader_label_of(const struct mg_loader *loader, pid_t pid, struct mg_task_label *label);

/*
 * Gives process PID its first label (-EEXIST when the kernel labelled it
 * already), or with REPLACE a lower one in place of the label it has.
 */
int mg_loader_label_process(struct mg_loader *loader, pid_t pid, const struct mg_task_label *label, bool replace);

/*
 * From now on a task without a label starts nothing trusted, but for the
 * kernel's own tasks and PID 1: every process that ran before is labelled.
 */
void mg_loader_labels_complete(struct mg_loader *loader);
/* Whether no other task may signal or trace the daemon (its policy names keys: a signed stop ends it). */
void mg_loader_guard_daemon(struct mg_loader *loader, bool guarded);
/* The guard stays up when the daemon exits (it leaves at shutdown): nothing may replace the pins. */
void mg_loader_keep_guard_after_exit(struct mg_loader *loader);
/* Whether root may change medguard's own files while the daemon is guarded (after a signed unlock). */
void mg_loader_unlock_anchors(struct mg_loader *loader, bool unlocked);
/*
 * The files now at the paths POLICY (the one in force) names, anchored in
 * the live generation: what root put there while unlocked is locked with
 * the rest, even when no reload took it in.
 */
/*
 * While guarded and locked: 0 when every file POLICY names (its sources,
 * keys, allowlists, records roots) is the one in force, else -EPERM after
 * one line on DIAG saying to unlock first.
 */
int mg_loader_check_locked_paths(const struct mg_loader *loader, const struct mg_policy *policy, FILE *diag);
int mg_loader_anchor_paths(struct mg_loader *loader, const struct mg_policy *policy, FILE *log);

/* The kernel's trust entry of file KEY, valid for its change time; 0 or -ENOENT. */
int mg_loader_trust_of(const struct mg_loader *loader, const struct mg_trust_key *key, __s64 ctime_sec,
		       __u32 ctime_nsec, struct mg_trust *trust);

/* The policy program of file (DEV, INO) in the live generation; 0 or -ENOENT. */
int mg_loader_program_of(const struct mg_loader *loader, __u64 dev, __u64 ino, struct mg_program *program);

int mg_loader_events_fd(const struct mg_loader *loader);
/* The kernel trust map, for the module's exec-trust programs to fill. */
int mg_loader_trust_fd(const struct mg_loader *loader);
/* The maps the entropy sampler shares with the core (bpf/medguard_entropy.bpf.h). */
int mg_loader_sampled_files_fd(const struct mg_loader *loader);
int mg_loader_entropy_pending_fd(const struct mg_loader *loader);
struct bpf_map *mg_loader_events_map(const struct mg_loader *loader);
__u32 mg_loader_generation(const struct mg_loader *loader);
__u64 mg_loader_counter(const struct mg_loader *loader, unsigned int counter);

/* Path of the records root (dev, ino) in the live policy, or NULL. */
const char *mg_loader_root_path(const struct mg_loader *loader, __u64 dev, __u64 ino);

/* Detaches everything and removes the pins. */
void mg_loader_close(struct mg_loader *loader);

/*
 * Frees LOADER but leaves what it pinned on the hooks: the policy stays in
 * force with no daemon, and the next start takes the pins over. Without
 * pins, the same as mg_loader_close().
 */
void mg_loader_leave(struct mg_loader *loader);

#endif /* MEDGUARD_LOADER_H */
