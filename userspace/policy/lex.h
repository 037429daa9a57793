/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The policy lexer: bytes to tokens. Keywords are not told apart from names
 * here; the parser reads a WORD in its context. The lexer reports its own
 * errors and hands the parser an INVALID token, which the parser skips
 * without a second message.
 */
#ifndef MEDGUARD_POLICY_LEX_H
#define MEDGUARD_POLICY_LEX_H

#include <linux/types.h>

#include "medguard_limits.h"
#include "diag.h"

enum mg_token_kind {
	MG_TOKEN_EOF,
	MG_TOKEN_WORD,      /* keyword or name: [A-Za-z_][A-Za-z0-9_.-]* */
	MG_TOKEN_STRING,    /* "...": text is the content, escapes resolved */
	MG_TOKEN_NUMBER,    /* decimal digits */
	MG_TOKEN_DURATION,  /* decimal digits and a unit: 10s, 500ms */
	MG_TOKEN_SEMICOLON,
	MG_TOKEN_COMMA,
	MG_TOKEN_LBRACE,
	MG_TOKEN_RBRACE,
	MG_TOKEN_INVALID,   /* already reported */
};

struct mg_token {
	enum mg_token_kind kind;
	struct mg_loc loc;
	__u64 number;   /* NUMBER, DURATION: value of the digits, UINT64_MAX if larger */
	size_t ndigits; /* DURATION: where the unit starts in text */
	size_t len;
	char text[MG_POLICY_MAX_TOKEN_LEN + 1];
};

struct mg_lexer {
	const char *file;
	const char *src;
	size_t len;
	size_t pos;
	unsigned int line;
	unsigned int col;
	struct mg_diag *diag;
};

void mg_lexer_init(struct mg_lexer *lexer, const char *file, const char *src, size_t len,
		   struct mg_diag *diag);

/* Reads the next token into TOKEN; at the end, EOF again and again. */
void mg_lex_next(struct mg_lexer *lexer, struct mg_token *token);

/* The token as a message names it: 'word', "string", ';' or end of file. */
char *mg_token_describe(const struct mg_token *token, char *buf, size_t size);

#endif /* MEDGUARD_POLICY_LEX_H */
