// SPDX-License-Identifier: GPL-2.0-only
#include <stdlib.h>
#include <string.h>

#include "ast.h"

bool mg_ast_paths_add(struct mg_ast_paths *paths, const char *path, const struct mg_loc *loc)
{
	char *copy;

	if (!MG_ARRAY_RESERVE(paths->items, paths->n, paths->cap))
		return false;
	copy = strdup(path);
	if (!copy)
		return false;
	paths->items[paths->n].path = copy;
	paths->items[paths->n].loc = *loc;
	paths->n++;
	return true;
}

static void free_paths(struct mg_ast_paths *paths)
{
	for (size_t i = 0; i < paths->n; i++)
		free(paths->items[i].path);
	free(paths->items);
}

static void free_rule(struct mg_ast_rule *rule)
{
	free(rule->subject.name);
	free(rule->subject.cgroup_path);
	free(rule->text);
}

void mg_ast_free(struct mg_ast *ast)
{
	size_t i, j;

	for (i = 0; i < ast->nfiles; i++)
		free(ast->files[i]);
	free(ast->files);
	free(ast->modes);
	for (i = 0; i < ast->nkeys; i++) {
		free(ast->keys[i].name);
		free(ast->keys[i].file.path);
	}
	free(ast->keys);
	free_paths(&ast->allowlists);
	free(ast->trust_packages);
	free_paths(&ast->trust_scan);
	for (i = 0; i < ast->nrecords; i++) {
		free(ast->records[i].name);
		free_paths(&ast->records[i].roots);
	}
	free(ast->records);
	for (i = 0; i < ast->ncanaries; i++) {
		free(ast->canaries[i].records);
		free_paths(&ast->canaries[i].patterns);
	}
	free(ast->canaries);
	for (i = 0; i < ast->nprograms; i++) {
		free(ast->programs[i].name);
		free_paths(&ast->programs[i].exes);
		free(ast->programs[i].signed_by);
		free(ast->programs[i].digest);
	}
	free(ast->programs);
	for (i = 0; i < ast->nons; i++) {
		free(ast->ons[i].records);
		for (j = 0; j < ast->ons[i].nrules; j++)
			free_rule(&ast->ons[i].rules[j]);
		free(ast->ons[i].rules);
	}
	free(ast->ons);
	for (i = 0; i < ast->nbehaviours; i++) {
		free(ast->behaviours[i].name);
		free(ast->behaviours[i].records);
		free(ast->behaviours[i].scores);
		free(ast->behaviours[i].thresholds);
		for (j = 0; j < ast->behaviours[i].nexempt; j++)
			free(ast->behaviours[i].exempt[j].program);
		free(ast->behaviours[i].exempt);
	}
	free(ast->behaviours);
	free_paths(&ast->missing);
	memset(ast, 0, sizeof(*ast));
}
