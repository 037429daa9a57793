/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The core's maps outside the policy's generations: the kernel's trust in
 * files, the tasks' labels, the counters, and the maps shared with the
 * module's programs and the entropy sampler.
 */
#ifndef MEDGUARD_RUNTIME_MAPS_H
#define MEDGUARD_RUNTIME_MAPS_H

#include <stdbool.h>
#include <sys/types.h>

#include "loader.h"
#include "medguard.h"

/* Trusts the file KEY in the kernel, as verified by mg_trust_evaluate(). */
int mg_loader_trust_file(struct mg_loader *loader, const struct mg_trust_key *key, const struct mg_trust *trust);

/* Withdraws the kernel's trust in the file KEY. */
void mg_loader_untrust_file(struct mg_loader *loader, const struct mg_trust_key *key);

/* The kernel's trust entry of file KEY, valid for its change time; 0 or -ENOENT. */
int mg_loader_trust_of(const struct mg_loader *loader, const struct mg_trust_key *key, __s64 ctime_sec,
		       __u32 ctime_nsec, struct mg_trust *trust);

/* The kernel trust map, for the module's exec-trust programs to fill. */
int mg_loader_trust_fd(const struct mg_loader *loader);

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

/* The maps the entropy sampler shares with the core (bpf/medguard_entropy.bpf.h). */
int mg_loader_sampled_files_fd(const struct mg_loader *loader);
int mg_loader_entropy_pending_fd(const struct mg_loader *loader);

__u64 mg_loader_counter(const struct mg_loader *loader, unsigned int counter);

#endif /* MEDGUARD_RUNTIME_MAPS_H */
