/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Diagnostics of the policy compiler: `file:line:col: error|warning: message`,
 * counted, and capped at MG_POLICY_MAX_DIAGNOSTICS so that no input can make
 * the compiler talk (or work) without end.
 */
#ifndef MEDGUARD_POLICY_DIAG_H
#define MEDGUARD_POLICY_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "medguard_limits.h"

/* A place in a policy file; line 0 means the file as a whole. */
struct mg_loc {
	const char *file;
	unsigned int line;
	unsigned int col; /* 1-based, in bytes */
};

struct mg_diag {
	FILE *out; /* NULL: count, print nothing */
	int nerrors;
	int nwarnings;
	bool full; /* the cap was reached: callers stop early */
};

void mg_diag_init(struct mg_diag *diag, FILE *out);

void mg_diag_error(struct mg_diag *diag, const struct mg_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void mg_diag_warning(struct mg_diag *diag, const struct mg_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * TEXT (LEN bytes) made safe to print inside quotes: non-printable bytes as
 * \xNN, cut with "..." when longer than the buffer. Returns BUF.
 */
char *mg_quote(char *buf, size_t size, const char *text, size_t len);

#endif /* MEDGUARD_POLICY_DIAG_H */
