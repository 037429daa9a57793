/* SPDX-License-Identifier: GPL-2.0-only */
/* Rules: which rule of a tree decides, for the current task's label, ids and cgroup. */
#ifndef MEDGUARD_RULES_BPF_H
#define MEDGUARD_RULES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "medguard.h"
#include "medguard_common.bpf.h"

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

#endif /* MEDGUARD_RULES_BPF_H */
