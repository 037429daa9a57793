// SPDX-License-Identifier: GPL-2.0-only
/*
 * The policy compiler: parse, check, then turn the checked AST into the
 * struct mg_policy that the loader writes into BPF maps. Nothing is compiled
 * from a policy with an error.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"
#include "ast.h"
#include "check.h"
#include "parse.h"

static bool copy_string(char **out, const char *text)
{
	*out = strdup(text);
	return *out != NULL;
}

/* PATHS, or with ONLY_EXISTING those of them that exist here. */
static bool copy_paths(char ***out, size_t *n, const struct mg_ast_paths *paths, bool only_existing)
{
	*n = 0;
	if (paths->n == 0)
		return true;
	*out = calloc(paths->n, sizeof(**out));
	if (!*out)
		return false;
	for (size_t i = 0; i < paths->n; i++) {
		if (only_existing && access(paths->items[i].path, F_OK))
			continue;
		if (!copy_string(&(*out)[*n], paths->items[i].path))
			return false;
		(*n)++;
	}
	return true;
}

static bool copy_sources(struct mg_policy *policy, const struct mg_ast *ast)
{
	policy->nsources = 0;
	if (ast->nfiles == 0)
		return true;
	policy->sources = calloc(ast->nfiles, sizeof(*policy->sources));
	if (!policy->sources)
		return false;
	for (; policy->nsources < ast->nfiles; policy->nsources++)
		if (!copy_string(&policy->sources[policy->nsources], ast->files[policy->nsources]))
			return false;
	return true;
}

static bool compile_keys(struct mg_policy *policy, const struct mg_ast *ast)
{
	if (ast->nkeys == 0)
		return true;
	policy->keys = calloc(ast->nkeys, sizeof(*policy->keys));
	if (!policy->keys)
		return false;
	for (size_t i = 0; i < ast->nkeys; i++) {
		struct mg_policy_key *key = &policy->keys[i];

		policy->nkeys = i + 1;
		key->key_id = (__u32)i + 1;
		if (!copy_string(&key->name, ast->keys[i].name) ||
		    !copy_string(&key->path, ast->keys[i].file.path))
			return false;
	}
	return true;
}

static bool compile_programs(struct mg_policy *policy, const struct mg_ast *ast)
{
	if (ast->nprograms == 0)
		return true;
	policy->programs = calloc(ast->nprograms, sizeof(*policy->programs));
	if (!policy->programs)
		return false;
	for (size_t i = 0; i < ast->nprograms; i++) {
		const struct mg_ast_program *source = &ast->programs[i];
		struct mg_policy_program *program = &policy->programs[i];

		policy->nprograms = i + 1;
		program->program_id = (__u32)i + 1;
		program->flags = (source->interpreter ? MG_PROGRAM_INTERPRETER : 0) |
				 (source->launcher ? MG_PROGRAM_LAUNCHER : 0) | (source->gateway ? MG_PROGRAM_GATEWAY : 0);
		program->if_installed = source->if_installed;
		program->required_key_id = source->key_id;
		program->has_digest = source->digest != NULL;
		memcpy(program->digest, source->digest_bytes, sizeof(program->digest));
		if (!copy_string(&program->name, source->name) ||
		    !copy_paths(&program->exes, &program->nexes, &source->exes, source->if_installed))
			return false;
	}
	return true;
}

static bool compile_canaries(struct mg_policy_tree *tree, const struct mg_ast *ast)
{
	size_t n = 0;

	for (size_t i = 0; i < ast->ncanaries; i++)
		if (ast->canaries[i].tree_id == tree->tree_id)
			n += ast->canaries[i].patterns.n;
	if (n == 0)
		return true;
	tree->canaries = calloc(n, sizeof(*tree->canaries));
	if (!tree->canaries)
		return false;
	for (size_t i = 0; i < ast->ncanaries; i++) {
		const struct mg_ast_canary *canary = &ast->canaries[i];

		if (canary->tree_id != tree->tree_id)
			continue;
		for (size_t p = 0; p < canary->patterns.n; p++, tree->ncanaries++)
			if (!copy_string(&tree->canaries[tree->ncanaries], canary->patterns.items[p].path))
				return false;
	}
	return true;
}

/* Records without an `on` block have no rules and allow everything, as the checker warned. */
static bool compile_rules(struct mg_policy_tree *tree, const struct mg_ast *ast)
{
	const struct mg_ast_on *on = NULL;

	tree->kernel.default_verdict = MG_VERDICT_ALLOW;
	for (size_t i = 0; i < ast->nons && !on; i++)
		if (ast->ons[i].tree_id == tree->tree_id &&
		    strcmp(ast->ons[i].records, tree->name) == 0)
			on = &ast->ons[i];
	if (!on)
		return true;
	/* Without a `default` line, what no rule decides is denied. */
	tree->kernel.default_verdict = on->has_default ? on->default_verdict : MG_VERDICT_DENY;
	for (; tree->kernel.nrules < on->nrules; tree->kernel.nrules++) {
		const struct mg_ast_rule *source = &on->rules[tree->kernel.nrules];
		struct mg_rule *rule = &tree->kernel.rules[tree->kernel.nrules];

		rule->subject_kind = source->subject.kind;
		rule->subject_value = source->subject.value;
		rule->ops = source->ops;
		rule->verdict = source->verdict;
		rule->flags = source->flags;
		if (!copy_string(&tree->rule_text[tree->kernel.nrules], source->text))
			return false;
		if (source->subject.cgroup_path &&
		    !copy_string(&tree->rule_cgroup_path[tree->kernel.nrules], source->subject.cgroup_path))
			return false;
	}
	return true;
}

static bool compile_trees(struct mg_policy *policy, const struct mg_ast *ast)
{
	if (ast->nrecords == 0)
		return true;
	policy->trees = calloc(ast->nrecords, sizeof(*policy->trees));
	if (!policy->trees)
		return false;
	for (size_t i = 0; i < ast->nrecords; i++) {
		const struct mg_ast_records *records = &ast->records[i];
		struct mg_policy_tree *tree = &policy->trees[i];

		policy->ntrees = i + 1;
		tree->tree_id = (__u32)i;
		if (!copy_string(&tree->name, records->name) ||
		    !copy_paths(&tree->roots, &tree->nroots, &records->roots, false) ||
		    !compile_canaries(tree, ast) || !compile_rules(tree, ast))
			return false;
	}
	return true;
}

static bool compile_behaviours(struct mg_policy *policy, const struct mg_ast *ast)
{
	if (ast->nbehaviours == 0)
		return true;
	policy->behaviours = calloc(ast->nbehaviours, sizeof(*policy->behaviours));
	if (!policy->behaviours)
		return false;
	for (size_t i = 0; i < ast->nbehaviours; i++) {
		const struct mg_ast_behaviour *source = &ast->behaviours[i];
		struct mg_policy_behaviour *behaviour = &policy->behaviours[i];

		policy->nbehaviours = i + 1;
		behaviour->tree_id = source->tree_id;
		behaviour->slot = source->slot;
		behaviour->kernel.window_ns = source->window_ns;
		for (size_t s = 0; s < source->nscores; s++)
			behaviour->kernel.weights[source->scores[s].signal] = source->scores[s].weight;
		for (size_t t = 0; t < source->nthresholds; t++)
			behaviour->kernel.thresholds[source->thresholds[t].action] =
				source->thresholds[t].score;
		for (size_t e = 0; e < source->nexempt && e < MG_MAX_EXEMPT_PROGRAMS; e++)
			behaviour->kernel.exempt_programs[behaviour->kernel.nexempt++] = source->exempt[e].program_id;
		if (!copy_string(&behaviour->name, source->name))
			return false;
	}
	return true;
}

static struct mg_policy *compile_ast(const struct mg_ast *ast, struct mg_diag *diag)
{
	struct mg_policy *policy = calloc(1, sizeof(*policy));

	if (!policy)
		goto out_of_memory;
	policy->mode = ast->nmodes ? ast->modes[0].mode : MG_MODE_AUDIT;
	policy->trust_packages = ast->ntrust_packages > 0;
	if (!copy_sources(policy, ast) || !compile_keys(policy, ast) ||
	    !copy_paths(&policy->allowlists, &policy->nallowlists, &ast->allowlists, false) ||
	    !copy_paths(&policy->trust_scan, &policy->ntrust_scan, &ast->trust_scan, false) ||
	    !compile_programs(policy, ast) || !compile_trees(policy, ast) ||
	    !compile_behaviours(policy, ast) ||
	    !copy_paths(&policy->missing_paths, &policy->nmissing_paths, &ast->missing, false))
		goto out_of_memory;
	return policy;
out_of_memory:
	mg_diag_error(diag, &(struct mg_loc){ ast->files[0], 0, 0 }, "out of memory");
	mg_policy_free(policy);
	return NULL;
}

/* Checks and compiles what was parsed into AST, then frees AST. */
static struct mg_policy *finish(struct mg_ast *ast, struct mg_diag *diag, int *nerrors,
				int *nwarnings)
{
	struct mg_policy *policy = NULL;

	/* A statement with a syntax error is missing: checking the rest would blame the wrong line. */
	if (diag->nerrors == 0)
		mg_policy_check(ast, diag);
	if (diag->nerrors == 0)
		policy = compile_ast(ast, diag);
	mg_ast_free(ast);
	if (nerrors)
		*nerrors = diag->nerrors;
	if (nwarnings)
		*nwarnings = diag->nwarnings;
	return policy;
}

struct mg_policy *mg_policy_compile(const char *file, FILE *out, int *nerrors, int *nwarnings)
{
	struct mg_ast ast = { 0 };
	struct mg_diag diag;

	mg_diag_init(&diag, out);
	mg_parse_file(&ast, file, &diag);
	return finish(&ast, &diag, nerrors, nwarnings);
}

struct mg_policy *mg_policy_compile_buffer(const char *name, const char *data, size_t len,
					   FILE *out, int *nerrors, int *nwarnings)
{
	struct mg_ast ast = { 0 };
	struct mg_diag diag;

	mg_diag_init(&diag, out);
	mg_parse_buffer(&ast, name, data, len, &diag);
	return finish(&ast, &diag, nerrors, nwarnings);
}

static void free_strings(char **strings, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(strings[i]);
	free(strings);
}

void mg_policy_free(struct mg_policy *policy)
{
	if (!policy)
		return;
	for (size_t i = 0; i < policy->nkeys; i++) {
		free(policy->keys[i].name);
		free(policy->keys[i].path);
	}
	free(policy->keys);
	free_strings(policy->allowlists, policy->nallowlists);
	free_strings(policy->trust_scan, policy->ntrust_scan);
	for (size_t i = 0; i < policy->nprograms; i++) {
		free(policy->programs[i].name);
		free_strings(policy->programs[i].exes, policy->programs[i].nexes);
	}
	free(policy->programs);
	for (size_t i = 0; i < policy->ntrees; i++) {
		struct mg_policy_tree *tree = &policy->trees[i];

		free(tree->name);
		free_strings(tree->roots, tree->nroots);
		free_strings(tree->canaries, tree->ncanaries);
		for (size_t r = 0; r < MG_MAX_RULES_PER_TREE; r++) {
			free(tree->rule_text[r]);
			free(tree->rule_cgroup_path[r]);
		}
	}
	free(policy->trees);
	for (size_t i = 0; i < policy->nbehaviours; i++)
		free(policy->behaviours[i].name);
	free(policy->behaviours);
	free_strings(policy->missing_paths, policy->nmissing_paths);
	free_strings(policy->sources, policy->nsources);
	free(policy);
}
