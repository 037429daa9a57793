/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The policy checker: what the grammar cannot say. Names and references,
 * duplicates, limits, rules that can never apply, behaviour thresholds, and
 * what this machine can tell (paths, keys, users, groups, cgroups). It
 * resolves names to ids and values in the AST for the compiler.
 */
#ifndef MEDGUARD_POLICY_CHECK_H
#define MEDGUARD_POLICY_CHECK_H

#include "ast.h"
#include "diag.h"
#include "medguard_limits.h"

void mg_policy_check(struct mg_ast *ast, struct mg_diag *diag);

#endif /* MEDGUARD_POLICY_CHECK_H */
