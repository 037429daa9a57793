// SPDX-License-Identifier: GPL-2.0-only
/* The policy lexer: tokens, positions, numbers, strings, and every lexical error. */
#include <stdint.h>
#include <stdlib.h>

#include "lex.h"
#include "unit.h"

struct lexed {
	struct mg_token tokens[16];
	int ntokens;
	int nerrors;
	char *diag;
};

/* Lexes LEN bytes of SRC up to EOF, at most 16 tokens. */
static struct lexed *lex_bytes(const char *src, size_t len)
{
	struct lexed *out = calloc(1, sizeof(*out));
	struct mg_lexer lexer;
	struct mg_diag diag;
	size_t size = 0;
	FILE *stream = open_memstream(&out->diag, &size);

	mg_diag_init(&diag, stream);
	mg_lexer_init(&lexer, "t.policy", src, len, &diag);
	do {
		mg_lex_next(&lexer, &out->tokens[out->ntokens]);
	} while (out->tokens[out->ntokens++].kind != MG_TOKEN_EOF && out->ntokens < 16);
	fclose(stream);
	out->nerrors = diag.nerrors;
	return out;
}

static struct lexed *lex(const char *src)
{
	return lex_bytes(src, strlen(src));
}

static void lexed_free(struct lexed *lexed)
{
	free(lexed->diag);
	free(lexed);
}

static void test_punctuation_and_words(void)
{
	struct lexed *l = lex("on emr { allow it-release.v2 read, write; }");
	static const enum mg_token_kind kinds[] = {
		MG_TOKEN_WORD,	MG_TOKEN_WORD,	MG_TOKEN_LBRACE,    MG_TOKEN_WORD,
		MG_TOKEN_WORD,	MG_TOKEN_WORD,	MG_TOKEN_COMMA,	    MG_TOKEN_WORD,
		MG_TOKEN_SEMICOLON, MG_TOKEN_RBRACE, MG_TOKEN_EOF,
	};

	ASSERT_EQ(l->ntokens, 11, "token count");
	for (int i = 0; i < 11; i++)
		ASSERT_EQ(l->tokens[i].kind, kinds[i], "token kind");
	ASSERT_STREQ(l->tokens[4].text, "it-release.v2", "a name with '-' and '.'");
	ASSERT_EQ(l->tokens[4].len, 13, "name length");
	ASSERT_EQ(l->nerrors, 0, "no errors");
	lexed_free(l);
}

static void test_positions_and_comments(void)
{
	struct lexed *l = lex("# a comment\n\tmode  enforce; # another\r\n  records");

	ASSERT_EQ(l->tokens[0].loc.line, 2, "line after a comment");
	ASSERT_EQ(l->tokens[0].loc.col, 2, "a tab counts one column");
	ASSERT_EQ(l->tokens[1].loc.col, 8, "column of 'enforce'");
	ASSERT_EQ(l->tokens[2].loc.col, 15, "column of ';'");
	ASSERT_EQ(l->tokens[3].loc.line, 3, "CRLF ends a line");
	ASSERT_EQ(l->tokens[3].loc.col, 3, "column on the third line");
	ASSERT_STREQ(l->tokens[3].loc.file, "t.policy", "file name in the location");
	ASSERT_EQ(l->tokens[4].kind, MG_TOKEN_EOF, "end");
	lexed_free(l);
}

static void test_eof_repeats(void)
{
	struct mg_lexer lexer;
	struct mg_token token;
	struct mg_diag diag;

	mg_diag_init(&diag, NULL);
	mg_lexer_init(&lexer, "t", "", 0, &diag);
	mg_lex_next(&lexer, &token);
	ASSERT_EQ(token.kind, MG_TOKEN_EOF, "empty input");
	mg_lex_next(&lexer, &token);
	ASSERT_EQ(token.kind, MG_TOKEN_EOF, "EOF again");
}

static void test_numbers_and_durations(void)
{
	struct lexed *l = lex("40 10s 500ms 0 99999999999999999999999");

	ASSERT_EQ(l->tokens[0].kind, MG_TOKEN_NUMBER, "number");
	ASSERT_EQ(l->tokens[0].number, 40, "value");
	ASSERT_EQ(l->tokens[1].kind, MG_TOKEN_DURATION, "duration");
	ASSERT_EQ(l->tokens[1].number, 10, "duration value");
	ASSERT_STREQ(l->tokens[1].text + l->tokens[1].ndigits, "s", "duration unit");
	ASSERT_STREQ(l->tokens[2].text + l->tokens[2].ndigits, "ms", "millisecond unit");
	ASSERT_EQ(l->tokens[3].number, 0, "zero");
	ASSERT_EQ(l->tokens[4].kind, MG_TOKEN_NUMBER, "huge number is still a number");
	ASSERT_TRUE(l->tokens[4].number == UINT64_MAX, "huge number saturates");
	ASSERT_EQ(l->nerrors, 0, "no errors");
	lexed_free(l);
}

static void test_strings(void)
{
	struct lexed *l = lex("\"/srv/emr\" \"a \\\"q\\\" \\\\ b\" \"\" \"caf\xc3\xa9\"");

	ASSERT_EQ(l->tokens[0].kind, MG_TOKEN_STRING, "string");
	ASSERT_STREQ(l->tokens[0].text, "/srv/emr", "quotes removed");
	ASSERT_STREQ(l->tokens[1].text, "a \"q\" \\ b", "escapes resolved");
	ASSERT_EQ(l->tokens[2].kind, MG_TOKEN_STRING, "empty string");
	ASSERT_EQ(l->tokens[2].len, 0, "empty string length");
	ASSERT_STREQ(l->tokens[3].text, "caf\xc3\xa9", "UTF-8 inside a string");
	ASSERT_EQ(l->nerrors, 0, "no errors");
	lexed_free(l);
}

static void test_describe_tokens(void)
{
	struct lexed *l = lex("mode \"a\x01\" ; ");
	char buf[128];

	ASSERT_STREQ(mg_token_describe(&l->tokens[0], buf, sizeof(buf)), "'mode'", "word");
	ASSERT_STREQ(mg_token_describe(&l->tokens[1], buf, sizeof(buf)), "invalid text", "invalid");
	ASSERT_STREQ(mg_token_describe(&l->tokens[2], buf, sizeof(buf)), "';'", "punctuation");
	ASSERT_STREQ(mg_token_describe(&l->tokens[3], buf, sizeof(buf)), "end of file", "EOF");
	lexed_free(l);
	l = lex("\"x\"");
	ASSERT_STREQ(mg_token_describe(&l->tokens[0], buf, sizeof(buf)), "\"x\"", "string");
	lexed_free(l);
}

static void test_quote(void)
{
	char buf[MG_QUOTE_MAX];
	char long_text[400];

	ASSERT_STREQ(mg_quote(buf, sizeof(buf), "a\x01\\b\xff", 5), "a\\x01\\\\b\\xff", "escaped");
	memset(long_text, 'x', sizeof(long_text));
	mg_quote(buf, sizeof(buf), long_text, sizeof(long_text));
	ASSERT_TRUE(strlen(buf) < sizeof(buf), "cut to the buffer");
	ASSERT_HAS(buf, "xxx...", "cut with ...");
}

static void test_error_nul_byte(void)
{
	struct lexed *l = lex_bytes("mode\0\0 enforce", 14);

	ASSERT_HAS(l->diag, "t.policy:1:5: error: NUL byte in policy file; is it a text file?", "NUL");
	ASSERT_EQ(l->nerrors, 1, "a run of NULs is one error");
	ASSERT_EQ(l->tokens[1].kind, MG_TOKEN_INVALID, "invalid token");
	ASSERT_STREQ(l->tokens[2].text, "enforce", "lexing goes on");
	lexed_free(l);
}

static void test_error_non_ascii(void)
{
	struct lexed *l = lex("mode \xc3\xa9nforce;");

	ASSERT_HAS(l->diag, "t.policy:1:6: error: unexpected byte 0xc3; non-ASCII text may appear only in strings and comments",
		   "non-ASCII");
	ASSERT_EQ(l->nerrors, 1, "one error for the run");
	lexed_free(l);
}

static void test_error_control(void)
{
	struct lexed *l = lex("mode\x07;");

	ASSERT_HAS(l->diag, "t.policy:1:5: error: unexpected control character 0x07", "control");
	lexed_free(l);
}

static void test_error_stray_character(void)
{
	struct lexed *l = lex("key = \"x\";\n-1");

	ASSERT_HAS(l->diag, "t.policy:1:5: error: unexpected character '='; names are letters, digits, '-', '_' and '.', paths go in double quotes",
		   "stray '='");
	ASSERT_HAS(l->diag, "t.policy:2:1: error: unexpected character '-'", "a leading '-'");
	ASSERT_EQ(l->tokens[l->ntokens - 2].kind, MG_TOKEN_NUMBER, "the digits after '-' lex");
	lexed_free(l);
}

static void test_error_long_word(void)
{
	char *src = malloc(MG_POLICY_MAX_TOKEN_LEN + 10);
	struct lexed *l;

	memset(src, 'a', MG_POLICY_MAX_TOKEN_LEN + 1);
	strcpy(src + MG_POLICY_MAX_TOKEN_LEN + 1, " ok");
	l = lex(src);
	ASSERT_HAS(l->diag, "t.policy:1:1: error: word longer than 4096 bytes", "long word");
	ASSERT_EQ(l->tokens[0].kind, MG_TOKEN_INVALID, "invalid");
	ASSERT_STREQ(l->tokens[1].text, "ok", "next token");
	lexed_free(l);
	memset(src, 'a', MG_POLICY_MAX_TOKEN_LEN);
	src[MG_POLICY_MAX_TOKEN_LEN] = '\0';
	l = lex(src);
	ASSERT_EQ(l->tokens[0].kind, MG_TOKEN_WORD, "exactly the limit is fine");
	ASSERT_EQ(l->tokens[0].len, MG_POLICY_MAX_TOKEN_LEN, "whole word");
	lexed_free(l);
	free(src);
}

static void test_error_malformed_number(void)
{
	struct lexed *l = lex("at 1.5s 4x2 10S");

	ASSERT_HAS(l->diag, "t.policy:1:4: error: malformed number '1.5s'; write whole numbers such as 40, or durations such as 10s",
		   "decimal point");
	ASSERT_HAS(l->diag, "t.policy:1:9: error: malformed number '4x2'", "letters then digits");
	ASSERT_HAS(l->diag, "t.policy:1:13: error: malformed number '10S'", "units are lower case");
	ASSERT_EQ(l->nerrors, 3, "three errors");
	lexed_free(l);
}

static void test_error_unterminated_string(void)
{
	struct lexed *l = lex("records emr \"/srv/emr;\nmode audit;");

	ASSERT_HAS(l->diag, "t.policy:1:13: error: unterminated string: add the closing '\"' on the same line",
		   "unterminated");
	ASSERT_EQ(l->tokens[2].kind, MG_TOKEN_INVALID, "invalid");
	ASSERT_STREQ(l->tokens[3].text, "mode", "next line lexes");
	lexed_free(l);
	l = lex("\"at end");
	ASSERT_HAS(l->diag, "unterminated string", "unterminated at EOF");
	lexed_free(l);
}

static void test_error_bad_escape(void)
{
	struct lexed *l = lex("\"a\\nb\\t\" x");

	ASSERT_HAS(l->diag, "t.policy:1:3: error: unknown escape in string; only \\\" and \\\\ are allowed",
		   "escape");
	ASSERT_EQ(l->nerrors, 1, "one error per string");
	ASSERT_EQ(l->tokens[0].kind, MG_TOKEN_INVALID, "invalid");
	ASSERT_STREQ(l->tokens[1].text, "x", "next token");
	lexed_free(l);
}

static void test_error_control_in_string(void)
{
	struct lexed *l = lex("\"a\tb\"");

	ASSERT_HAS(l->diag, "t.policy:1:3: error: control character 0x09 in string; strings are one line of printable text",
		   "tab in string");
	ASSERT_EQ(l->tokens[0].kind, MG_TOKEN_INVALID, "invalid");
	lexed_free(l);
}

static void test_error_long_string(void)
{
	char *src = malloc(MG_POLICY_MAX_TOKEN_LEN + 10);
	struct lexed *l;

	src[0] = '"';
	memset(src + 1, 'p', MG_POLICY_MAX_TOKEN_LEN + 1);
	strcpy(src + MG_POLICY_MAX_TOKEN_LEN + 2, "\";");
	l = lex(src);
	ASSERT_HAS(l->diag, "t.policy:1:1: error: string longer than 4096 bytes", "long string");
	ASSERT_EQ(l->tokens[0].kind, MG_TOKEN_INVALID, "invalid");
	ASSERT_EQ(l->tokens[1].kind, MG_TOKEN_SEMICOLON, "lexing resumes after the string");
	lexed_free(l);
	free(src);
}

static void test_diagnostics_cap(void)
{
	struct mg_diag diag;
	char *text = NULL;
	size_t size = 0;
	FILE *stream = open_memstream(&text, &size);
	struct mg_loc loc = { "t.policy", 3, 4 };
	int lines = 0;

	mg_diag_init(&diag, stream);
	for (int i = 0; i < MG_POLICY_MAX_DIAGNOSTICS + 20; i++)
		mg_diag_warning(&diag, &loc, "warning %d", i);
	fclose(stream);
	for (const char *p = text; (p = strchr(p, '\n')); p++)
		lines++;
	ASSERT_EQ(lines, MG_POLICY_MAX_DIAGNOSTICS + 1, "100 diagnostics and the cap");
	ASSERT_HAS(text, "t.policy:3:4: error: too many diagnostics (limit 100); fix the ones above and check again",
		   "cap message");
	ASSERT_TRUE(diag.full, "full");
	ASSERT_EQ(diag.nerrors, 1, "the cap is an error");
	ASSERT_EQ(diag.nwarnings, MG_POLICY_MAX_DIAGNOSTICS, "warnings counted");
	free(text);
}

static void test_diagnostic_without_line(void)
{
	struct mg_diag diag;
	char *text = NULL;
	size_t size = 0;
	FILE *stream = open_memstream(&text, &size);

	mg_diag_init(&diag, stream);
	mg_diag_error(&diag, &(struct mg_loc){ "x.policy", 0, 0 }, "whole file");
	fclose(stream);
	ASSERT_STREQ(text, "x.policy: error: whole file\n", "no line and column");
	free(text);
}

int main(void)
{
	RUN(test_punctuation_and_words);
	RUN(test_positions_and_comments);
	RUN(test_eof_repeats);
	RUN(test_numbers_and_durations);
	RUN(test_strings);
	RUN(test_describe_tokens);
	RUN(test_quote);
	RUN(test_error_nul_byte);
	RUN(test_error_non_ascii);
	RUN(test_error_control);
	RUN(test_error_stray_character);
	RUN(test_error_long_word);
	RUN(test_error_malformed_number);
	RUN(test_error_unterminated_string);
	RUN(test_error_bad_escape);
	RUN(test_error_control_in_string);
	RUN(test_error_long_string);
	RUN(test_diagnostics_cap);
	RUN(test_diagnostic_without_line);
	return unit_done();
}
