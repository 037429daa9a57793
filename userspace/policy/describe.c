// SPDX-License-Identifier: GPL-2.0-only
/*
 * `medguard policy show`: the compiled policy in plain words, each rule with
 * the source line it came from, so that an auditor can read what the kernel
 * will enforce rather than what the author meant.
 */
#include <grp.h>
#include <pwd.h>

#include "policy.h"
#include "parse.h"

static void print_list(FILE *out, char *const *items, size_t n, const char *separator)
{
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? separator : "", items[i]);
}

static const char *program_name(const struct mg_policy *policy, __u64 id)
{
	for (size_t i = 0; i < policy->nprograms; i++)
		if (policy->programs[i].program_id == id)
			return policy->programs[i].name;
	return "?";
}

static void describe_mode(const struct mg_policy *policy, FILE *out)
{
	if (policy->mode == MG_MODE_ENFORCE)
		fprintf(out, "mode: enforce: what the rules deny is denied\n");
	else
		fprintf(out, "mode: audit: nothing is denied; what the rules would deny is logged\n");
}

static void describe_trust(const struct mg_policy *policy, FILE *out)
{
	fprintf(out, "\ntrusted programs come from:\n");
	if (!policy->nkeys && !policy->nallowlists && !policy->trust_packages && !policy->ntrust_scan)
		fprintf(out, "  nothing: no program is signed\n");
	for (size_t i = 0; i < policy->nkeys; i++)
		fprintf(out, "  signatures by key %u, %s: %s\n", policy->keys[i].key_id,
			policy->keys[i].name, policy->keys[i].path);
	for (size_t i = 0; i < policy->nallowlists; i++)
		fprintf(out, "  the SHA-256 allowlist %s\n", policy->allowlists[i]);
	if (policy->trust_packages)
		fprintf(out, "  the files of installed Debian packages\n");
	if (policy->ntrust_scan) {
		fprintf(out, "  the executables found in ");
		print_list(out, policy->trust_scan, policy->ntrust_scan, ", ");
		fprintf(out, ", verified when the policy is loaded\n");
	}
}

static void describe_programs(const struct mg_policy *policy, FILE *out)
{
	if (!policy->nprograms)
		return;
	fprintf(out, "\nprograms:\n");
	for (size_t i = 0; i < policy->nprograms; i++) {
		const struct mg_policy_program *program = &policy->programs[i];

		fprintf(out, "  %u. %s%s: ", program->program_id, program->name,
			program->flags & MG_PROGRAM_INTERPRETER
				? " (an interpreter: run directly, it and whatever it starts count as unsigned)"
			: program->flags & MG_PROGRAM_LAUNCHER
				? " (a launcher: starts a program signed with a policy key as a new signed lineage)"
			: program->flags & MG_PROGRAM_GATEWAY
				? " (a gateway: starts what others ask for; whatever it forks counts as unsigned)"
				: "");
		if (program->nexes || !program->if_installed)
			print_list(out, program->exes, program->nexes, ", ");
		else
			fprintf(out, "none of its files is installed");
		if (program->required_key_id && program->required_key_id <= policy->nkeys)
			fprintf(out, "; must be signed by key %s",
				policy->keys[program->required_key_id - 1].name);
		else
			fprintf(out, "; trusted by any trust source");
		if (program->has_digest) {
			fprintf(out, "; must have SHA-256 ");
			for (size_t b = 0; b < sizeof(program->digest); b++)
				fprintf(out, "%02x", program->digest[b]);
		}
		fprintf(out, "\n");
	}
}

static void describe_subject(const struct mg_policy *policy, const struct mg_policy_tree *tree,
			     size_t index, FILE *out)
{
	const struct mg_rule *rule = &tree->kernel.rules[index];
	struct passwd *pw;
	struct group *gr;

	switch (rule->subject_kind) {
	case MG_SUBJECT_ANY:
		fprintf(out, "anyone");
		break;
	case MG_SUBJECT_PROGRAM:
		fprintf(out, "program %s", program_name(policy, rule->subject_value));
		break;
	case MG_SUBJECT_SIGNED:
		fprintf(out, "signed programs");
		break;
	case MG_SUBJECT_UNSIGNED:
		fprintf(out, "unsigned programs");
		break;
	case MG_SUBJECT_UID:
		pw = getpwuid((uid_t)rule->subject_value);
		if (pw)
			fprintf(out, "user %s (uid %llu)", pw->pw_name,
				(unsigned long long)rule->subject_value);
		else
			fprintf(out, "uid %llu", (unsigned long long)rule->subject_value);
		break;
	case MG_SUBJECT_GID:
		gr = getgrgid((gid_t)rule->subject_value);
		if (gr)
			fprintf(out, "group %s (gid %llu)", gr->gr_name,
				(unsigned long long)rule->subject_value);
		else
			fprintf(out, "gid %llu", (unsigned long long)rule->subject_value);
		break;
	case MG_SUBJECT_CGROUP:
		fprintf(out, "the processes of cgroup %s (id %llu)",
			tree->rule_cgroup_path[index] ? tree->rule_cgroup_path[index] : "?",
			(unsigned long long)rule->subject_value);
		break;
	default:
		fprintf(out, "subject %u", rule->subject_kind);
		break;
	}
}

/* "read, write and create", in the order of enum mg_op. */
static void describe_ops(__u32 ops, FILE *out)
{
	unsigned int total = (unsigned int)__builtin_popcount(ops & MG_OP_ALL), shown = 0;

	if ((ops & MG_OP_ALL) == MG_OP_ALL) {
		fprintf(out, "do anything");
		return;
	}
	for (__u32 op = 1; op & MG_OP_ALL; op <<= 1) {
		const char *word = mg_op_name(op);

		if (!(ops & op))
			continue;
		if (op == MG_OP_SETATTR)
			word = "change attributes";
		else if (op == MG_OP_EXEC)
			word = "execute";
		shown++;
		fprintf(out, "%s%s", shown == 1 ? "" : shown == total ? " and " : ", ", word);
	}
}

static void describe_tree(const struct mg_policy *policy, const struct mg_policy_tree *tree,
			  FILE *out)
{
	fprintf(out, "\nrecords %s (", tree->name);
	print_list(out, tree->roots, tree->nroots, ", ");
	fprintf(out, "):\n");
	if (tree->ncanaries) {
		fprintf(out, "  canaries, any touch is an alarm: ");
		print_list(out, tree->canaries, tree->ncanaries, ", ");
		fprintf(out, "\n");
	}
	for (size_t i = 0; i < tree->kernel.nrules; i++) {
		const struct mg_rule *rule = &tree->kernel.rules[i];

		fprintf(out, "  %zu. ", i + 1);
		describe_subject(policy, tree, i, out);
		if (rule->verdict == MG_VERDICT_ALLOW)
			fprintf(out, " may ");
		else if (rule->flags & MG_RULE_AUDIT_ONLY)
			fprintf(out, " are logged, not stopped, when they ");
		else
			fprintf(out, " may not ");
		describe_ops(rule->ops, out);
		fprintf(out, ".\n");
		if (tree->rule_text[i])
			fprintf(out, "     from %s\n", tree->rule_text[i]);
	}
	fprintf(out, "  %s: %s.\n", tree->kernel.nrules ? "anything else" : "everything",
		tree->kernel.default_verdict == MG_VERDICT_DENY ? "denied" : "allowed");
}

/* The window in the largest unit that expresses it exactly. */
static void describe_window(__u64 ns, FILE *out)
{
	static const struct {
		const char *unit;
		__u64 ns;
	} units[] = { { "h", 3600000000000ull }, { "m", 60000000000ull }, { "s", 1000000000ull }, { "ms", 1000000ull } };

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (ns && ns % units[i].ns == 0) {
			fprintf(out, "%llu%s", (unsigned long long)(ns / units[i].ns), units[i].unit);
			return;
		}
	}
	fprintf(out, "%lluns", (unsigned long long)ns);
}

static void describe_behaviour(const struct mg_policy *policy,
			       const struct mg_policy_behaviour *behaviour, FILE *out)
{
	static const char *const action_words[MG_NACTIONS] = {
		[MG_ACTION_ALERT] = "alert",
		[MG_ACTION_DENY_WRITES] = "deny its writes to protected records",
		[MG_ACTION_KILL] = "kill it",
		[MG_ACTION_FREEZE] = "freeze it",
		[MG_ACTION_DENY_READS] = "deny its reads of protected records",
	};
	const struct mg_behaviour *kernel = &behaviour->kernel;
	const char *tree = behaviour->tree_id < policy->ntrees ? policy->trees[behaviour->tree_id].name : "?";
	bool first = true;

	fprintf(out, "\nbehaviour %s on records %s:\n  within any ", behaviour->name, tree);
	describe_window(kernel->window_ns, out);
	fprintf(out, " window, a process scores");
	for (__u32 signal = 0; signal < MG_NSIGNALS; signal++) {
		if (!kernel->weights[signal])
			continue;
		fprintf(out, "%s %u per %s", first ? "" : ",", kernel->weights[signal],
			mg_signal_name(signal));
		first = false;
	}
	if (first)
		fprintf(out, " nothing");
	fprintf(out, ".\n");
	for (__u32 action = 0; action < MG_NACTIONS; action++)
		if (kernel->thresholds[action])
			fprintf(out, "  at a score of %u: %s\n", kernel->thresholds[action],
				action_words[action]);
	for (__u32 i = 0; i < kernel->nexempt; i++)
		fprintf(out, "%s%s", i ? ", " : "  not scored while trusted: ",
			program_name(policy, kernel->exempt_programs[i]));
	if (kernel->nexempt)
		fprintf(out, " (and what they start)");
	if (kernel->nexempt)
		fprintf(out, "\n");
}

void mg_policy_describe(const struct mg_policy *policy, FILE *out)
{
	describe_mode(policy, out);
	describe_trust(policy, out);
	describe_programs(policy, out);
	for (size_t i = 0; i < policy->ntrees; i++)
		describe_tree(policy, &policy->trees[i], out);
	for (size_t i = 0; i < policy->nbehaviours; i++)
		describe_behaviour(policy, &policy->behaviours[i], out);
	if (policy->nmissing_paths) {
		fprintf(out, "\nmissing on this machine; medguard will not load the policy until they exist:\n");
		for (size_t i = 0; i < policy->nmissing_paths; i++)
			fprintf(out, "  %s\n", policy->missing_paths[i]);
	}
}
