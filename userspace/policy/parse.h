/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The policy parser: recursive descent over the grammar of
 * docs/policy-language.md, one function per rule, into a struct mg_ast.
 * Includes are read here, relative to the including file. Errors are
 * reported to the diagnostics and the parser resumes at the next `;` or `}`.
 */
#ifndef MEDGUARD_POLICY_PARSE_H
#define MEDGUARD_POLICY_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "ast.h"
#include "diag.h"
#include "medguard_limits.h"

/* Parses the policy FILE, and what it includes, into AST. */
void mg_parse_file(struct mg_ast *ast, const char *file, struct mg_diag *diag);

/* Same, from LEN bytes of DATA named NAME; includes are relative to NAME's directory. */
void mg_parse_buffer(struct mg_ast *ast, const char *name, const char *data, size_t len,
		     struct mg_diag *diag);

/* Whether WORD is a keyword of the language, and so cannot be a name. */
bool mg_policy_is_keyword(const char *word);

#endif /* MEDGUARD_POLICY_PARSE_H */
