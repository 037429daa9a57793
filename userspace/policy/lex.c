// SPDX-License-Identifier: GPL-2.0-only
#include <stdint.h>
#include <string.h>

#include "lex.h"

void mg_lexer_init(struct mg_lexer *lexer, const char *file, const char *src, size_t len,
		   struct mg_diag *diag)
{
	lexer->file = file;
	lexer->src = src;
	lexer->len = len;
	lexer->pos = 0;
	lexer->line = 1;
	lexer->col = 1;
	lexer->diag = diag;
}

static int peek(const struct mg_lexer *lexer)
{
	return lexer->pos < lexer->len ? (unsigned char)lexer->src[lexer->pos] : -1;
}

static void advance(struct mg_lexer *lexer)
{
	if (lexer->src[lexer->pos] == '\n') {
		lexer->line++;
		lexer->col = 1;
	} else {
		lexer->col++;
	}
	lexer->pos++;
}

static struct mg_loc here(const struct mg_lexer *lexer)
{
	return (struct mg_loc){ lexer->file, lexer->line, lexer->col };
}

static bool is_word_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_word_char(int c)
{
	return is_word_start(c) || is_digit(c) || c == '-' || c == '.';
}

/* Bytes no token can start with; a run of them is one error. */
static bool is_stray(int c)
{
	return c >= 0 && !is_word_char(c) && c != '"' && c != '#' && c != ';' && c != ',' &&
	       c != '{' && c != '}' && c != ' ' && c != '\t' && c != '\n' && c != '\r';
}

static void skip_blanks_and_comments(struct mg_lexer *lexer)
{
	for (;;) {
		int c = peek(lexer);

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			advance(lexer);
		} else if (c == '#') {
			while (peek(lexer) >= 0 && peek(lexer) != '\n')
				advance(lexer);
		} else {
			return;
		}
	}
}

static void lex_stray(struct mg_lexer *lexer, struct mg_token *token)
{
	int c = peek(lexer);

	if (c == 0)
		mg_diag_error(lexer->diag, &token->loc, "NUL byte in policy file; is it a text file?");
	else if (c >= 0x80)
		mg_diag_error(lexer->diag, &token->loc,
			      "unexpected byte 0x%02x; non-ASCII text may appear only in strings and comments",
			      (unsigned int)c);
	else if (c < 0x20 || c == 0x7f)
		mg_diag_error(lexer->diag, &token->loc, "unexpected control character 0x%02x",
			      (unsigned int)c);
	else
		mg_diag_error(lexer->diag, &token->loc,
			      "unexpected character '%c'; names are letters, digits, '-', '_' and '.', paths go in double quotes",
			      c);
	advance(lexer);
	while (is_stray(peek(lexer)))
		advance(lexer);
	token->kind = MG_TOKEN_INVALID;
}

/* The word or number runs on; keep the first MG_POLICY_MAX_TOKEN_LEN bytes. */
static bool take_word_chars(struct mg_lexer *lexer, struct mg_token *token)
{
	bool too_long = false;

	while (is_word_char(peek(lexer))) {
		if (token->len < MG_POLICY_MAX_TOKEN_LEN)
			token->text[token->len++] = (char)peek(lexer);
		else
			too_long = true;
		advance(lexer);
	}
	token->text[token->len] = '\0';
	if (too_long)
		mg_diag_error(lexer->diag, &token->loc, "word longer than %d bytes",
			      MG_POLICY_MAX_TOKEN_LEN);
	return !too_long;
}

static void lex_word(struct mg_lexer *lexer, struct mg_token *token)
{
	token->kind = take_word_chars(lexer, token) ? MG_TOKEN_WORD : MG_TOKEN_INVALID;
}

/* NUMBER = digit { digit } ; DURATION = NUMBER unit, unit = letter { letter } */
static void lex_number(struct mg_lexer *lexer, struct mg_token *token)
{
	char shown[MG_QUOTE_MAX];
	size_t i;

	if (!take_word_chars(lexer, token)) {
		token->kind = MG_TOKEN_INVALID;
		return;
	}
	token->number = 0;
	for (i = 0; i < token->len && is_digit(token->text[i]); i++) {
		unsigned int digit = (unsigned int)(token->text[i] - '0');

		if (token->number > (UINT64_MAX - digit) / 10)
			token->number = UINT64_MAX;
		else
			token->number = token->number * 10 + digit;
	}
	token->ndigits = i;
	if (i == token->len) {
		token->kind = MG_TOKEN_NUMBER;
		return;
	}
	for (; i < token->len; i++) {
		char c = token->text[i];

		if (!(c >= 'a' && c <= 'z')) {
			mg_diag_error(lexer->diag, &token->loc,
				      "malformed number '%s'; write whole numbers such as 40, or durations such as 10s",
				      mg_quote(shown, sizeof(shown), token->text, token->len));
			token->kind = MG_TOKEN_INVALID;
			return;
		}
	}
	token->kind = MG_TOKEN_DURATION;
}

/* STRING = '"' { any byte but '"', '\', newline, control | '\"' | '\\' } '"' */
static void lex_string(struct mg_lexer *lexer, struct mg_token *token)
{
	bool valid = true;
	bool too_long = false;

	advance(lexer);
	for (;;) {
		struct mg_loc at = here(lexer);
		int c = peek(lexer);

		if (c < 0 || c == '\n') {
			mg_diag_error(lexer->diag, &token->loc,
				      "unterminated string: add the closing '\"' on the same line");
			token->kind = MG_TOKEN_INVALID;
			return;
		}
		advance(lexer);
		if (c == '"')
			break;
		if (c == '\\') {
			int escaped = peek(lexer);

			if (escaped == '"' || escaped == '\\') {
				advance(lexer);
				c = escaped;
			} else {
				if (valid)
					mg_diag_error(lexer->diag, &at,
						      "unknown escape in string; only \\\" and \\\\ are allowed");
				valid = false;
				continue;
			}
		} else if (c < 0x20 || c == 0x7f) {
			if (valid)
				mg_diag_error(lexer->diag, &at,
					      "control character 0x%02x in string; strings are one line of printable text",
					      (unsigned int)c);
			valid = false;
			continue;
		}
		if (token->len < MG_POLICY_MAX_TOKEN_LEN)
			token->text[token->len++] = (char)c;
		else
			too_long = true;
	}
	token->text[token->len] = '\0';
	if (too_long && valid)
		mg_diag_error(lexer->diag, &token->loc, "string longer than %d bytes",
			      MG_POLICY_MAX_TOKEN_LEN);
	token->kind = valid && !too_long ? MG_TOKEN_STRING : MG_TOKEN_INVALID;
}

static void lex_punctuation(struct mg_lexer *lexer, struct mg_token *token, enum mg_token_kind kind)
{
	token->text[0] = (char)peek(lexer);
	token->text[1] = '\0';
	token->len = 1;
	token->kind = kind;
	advance(lexer);
}

void mg_lex_next(struct mg_lexer *lexer, struct mg_token *token)
{
	int c;

	skip_blanks_and_comments(lexer);
	token->loc = here(lexer);
	token->len = 0;
	token->text[0] = '\0';
	token->number = 0;
	token->ndigits = 0;
	c = peek(lexer);
	if (c < 0)
		token->kind = MG_TOKEN_EOF;
	else if (is_word_start(c))
		lex_word(lexer, token);
	else if (is_digit(c))
		lex_number(lexer, token);
	else if (c == '"')
		lex_string(lexer, token);
	else if (c == ';')
		lex_punctuation(lexer, token, MG_TOKEN_SEMICOLON);
	else if (c == ',')
		lex_punctuation(lexer, token, MG_TOKEN_COMMA);
	else if (c == '{')
		lex_punctuation(lexer, token, MG_TOKEN_LBRACE);
	else if (c == '}')
		lex_punctuation(lexer, token, MG_TOKEN_RBRACE);
	else
		lex_stray(lexer, token);
}

char *mg_token_describe(const struct mg_token *token, char *buf, size_t size)
{
	char shown[MG_QUOTE_MAX];

	switch (token->kind) {
	case MG_TOKEN_EOF:
		snprintf(buf, size, "end of file");
		break;
	case MG_TOKEN_STRING:
		snprintf(buf, size, "\"%s\"", mg_quote(shown, sizeof(shown), token->text, token->len));
		break;
	case MG_TOKEN_INVALID:
		snprintf(buf, size, "invalid text");
		break;
	default:
		snprintf(buf, size, "'%s'", mg_quote(shown, sizeof(shown), token->text, token->len));
		break;
	}
	return buf;
}
