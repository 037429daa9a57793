// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "medguard.h"
#include "lex.h"
#include "parse.h"
#include "policy.h"
#include "words.h"
#include "lib/lib.h"

struct file_id {
	dev_t dev;
	ino_t ino;
};

/* What every file of one policy shares while it is parsed. */
struct parse_context {
	struct mg_ast *ast;
	struct mg_diag *diag;
	struct file_id reading[MG_POLICY_MAX_INCLUDE_DEPTH + 1]; /* the include chain */
	size_t depth;
	struct file_id *done; /* files read to the end: included once only */
	size_t ndone, done_cap;
	size_t total_bytes; /* MG_POLICY_MAX_FILE_BYTES bounds the whole policy */
	bool out_of_memory;
};

/* The state of one file being parsed. */
struct parser {
	struct parse_context *ctx;
	struct mg_lexer lexer;
	struct mg_token tok;
	bool in_block;
	bool stop; /* give up on this file: out of memory, nesting or diagnostics cap */
	bool recording; /* consumed tokens go to rule_text */
	size_t rule_len;
	char rule_text[MG_POLICY_RULE_TEXT_MAX];
};

static const char *const statement_keywords[] = {
	"include", "mode", "key", "allowlist", "trust", "records", "canary",
	"program", "interpreter", "launcher", "gateway", "on", "behaviour",
};

static const char *const rule_keywords[] = { "allow", "deny", "audit", "default" };

static const char *const behaviour_keywords[] = { "window", "score", "at", "exempt" };

static const char *const subject_keywords[] = {
	"anyone", "signed", "unsigned", "program", "user", "group", "unit", "cgroup",
};

static const char *const other_keywords[] = {
	"enforce", "packages", "scan", "exe", "signed-by", "digest",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static bool in_list(const char *word, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(word, list[i]) == 0)
			return true;
	return false;
}

bool mg_policy_is_keyword(const char *word)
{
	__u32 op;

	return in_list(word, statement_keywords, ARRAY_SIZE(statement_keywords)) ||
	       in_list(word, rule_keywords, ARRAY_SIZE(rule_keywords)) ||
	       in_list(word, behaviour_keywords, ARRAY_SIZE(behaviour_keywords)) ||
	       in_list(word, subject_keywords, ARRAY_SIZE(subject_keywords)) ||
	       in_list(word, other_keywords, ARRAY_SIZE(other_keywords)) || mg_op_by_name(word, &op) ||
	       mg_signal_by_name(word) >= 0 || mg_action_by_name(word) >= 0;
}

/* ---- tokens ------------------------------------------------------------ */

static void record(struct parser *p, const char *text, size_t len)
{
	size_t room = sizeof(p->rule_text) - 1 - p->rule_len;

	if (len > room)
		len = room;
	memcpy(p->rule_text + p->rule_len, text, len);
	p->rule_len += len;
	p->rule_text[p->rule_len] = '\0';
}

static void record_token(struct parser *p)
{
	if (p->rule_len && p->tok.kind != MG_TOKEN_COMMA)
		record(p, " ", 1);
	if (p->tok.kind != MG_TOKEN_STRING) {
		record(p, p->tok.text, p->tok.len);
		return;
	}
	record(p, "\"", 1);
	for (size_t i = 0; i < p->tok.len; i++) {
		if (p->tok.text[i] == '"' || p->tok.text[i] == '\\')
			record(p, "\\", 1);
		record(p, &p->tok.text[i], 1);
	}
	record(p, "\"", 1);
}

static void next(struct parser *p)
{
	if (p->recording)
		record_token(p);
	mg_lex_next(&p->lexer, &p->tok);
}

static bool is_word(const struct parser *p, const char *word)
{
	return p->tok.kind == MG_TOKEN_WORD && strcmp(p->tok.text, word) == 0;
}

static bool accept_word(struct parser *p, const char *word)
{
	if (!is_word(p, word))
		return false;
	next(p);
	return true;
}

static bool accept(struct parser *p, enum mg_token_kind kind)
{
	if (p->tok.kind != kind)
		return false;
	next(p);
	return true;
}

/* Reports what was expected and names the token found instead. */
__attribute__((format(printf, 2, 3))) static void syntax_error(struct parser *p, const char *fmt, ...)
{
	char expected[256];
	char found[MG_QUOTE_MAX + 8];
	va_list args;

	/* The lexer has already said what is wrong with an invalid token. */
	if (p->tok.kind == MG_TOKEN_INVALID)
		return;
	va_start(args, fmt);
	vsnprintf(expected, sizeof(expected), fmt, args);
	va_end(args);
	mg_diag_error(p->ctx->diag, &p->tok.loc, "%s, found %s", expected,
		      mg_token_describe(&p->tok, found, sizeof(found)));
}

static void out_of_memory(struct parser *p)
{
	if (!p->ctx->out_of_memory)
		mg_diag_error(p->ctx->diag, &p->tok.loc, "out of memory");
	p->ctx->out_of_memory = true;
	p->stop = true;
}

static bool starts_statement(const struct parser *p)
{
	return p->tok.kind == MG_TOKEN_WORD &&
	       in_list(p->tok.text, statement_keywords, ARRAY_SIZE(statement_keywords));
}

static bool starts_block_item(const struct parser *p)
{
	return p->tok.kind == MG_TOKEN_WORD &&
	       (in_list(p->tok.text, rule_keywords, ARRAY_SIZE(rule_keywords)) ||
		in_list(p->tok.text, behaviour_keywords, ARRAY_SIZE(behaviour_keywords)));
}

/*
 * The `;` that ends WHAT. When it is missing but the next statement (or
 * rule) plainly starts, say so and go on from there: one forgotten `;`
 * should cost one message, not the statement after it.
 */
static bool expect_end(struct parser *p, const char *what)
{
	if (accept(p, MG_TOKEN_SEMICOLON))
		return true;
	syntax_error(p, "expected ';' to end %s", what);
	if (p->in_block)
		return starts_block_item(p) || p->tok.kind == MG_TOKEN_RBRACE;
	return starts_statement(p);
}

/*
 * Error recovery: skip to the end of the broken statement, that is past the
 * next `;`, or to the `}` that closes the current block, stepping over any
 * block in between. Stray braces nest at most MG_POLICY_MAX_NESTING deep.
 */
static void synchronize(struct parser *p)
{
	unsigned int depth = p->in_block ? 1 : 0;
	unsigned int base = depth;

	while (!p->stop && p->tok.kind != MG_TOKEN_EOF) {
		switch (p->tok.kind) {
		case MG_TOKEN_SEMICOLON:
			next(p);
			if (depth == base)
				return;
			break;
		case MG_TOKEN_LBRACE:
			if (++depth > MG_POLICY_MAX_NESTING) {
				mg_diag_error(p->ctx->diag, &p->tok.loc,
					      "braces nested deeper than %d (MG_POLICY_MAX_NESTING); blocks do not nest, close each with '}'",
					      MG_POLICY_MAX_NESTING);
				p->stop = true;
				return;
			}
			next(p);
			break;
		case MG_TOKEN_RBRACE:
			if (depth == base && p->in_block)
				return;
			next(p);
			if (depth == base)
				return;
			/* At the top level a block ends a statement; inside one, a rule ends at ';'. */
			if (--depth == base && !p->in_block)
				return;
			break;
		default:
			next(p);
			break;
		}
	}
}

/* NAME = WORD ; WHAT says what the name is for, in the message. */
static char *take_name(struct parser *p, const char *what, struct mg_loc *loc)
{
	char *name;

	if (p->tok.kind != MG_TOKEN_WORD) {
		syntax_error(p, "expected %s", what);
		return NULL;
	}
	name = strdup(p->tok.text);
	if (!name) {
		out_of_memory(p);
		return NULL;
	}
	*loc = p->tok.loc;
	next(p);
	return name;
}

/* An unsigned 32-bit NUMBER; WHAT says what it counts, in the message. */
static bool take_u32(struct parser *p, const char *what, __u32 *value)
{
	if (p->tok.kind != MG_TOKEN_NUMBER) {
		syntax_error(p, "expected %s (a whole number)", what);
		return false;
	}
	if (p->tok.number > UINT32_MAX) {
		mg_diag_error(p->ctx->diag, &p->tok.loc, "%s %s is too large; the largest is %u",
			      what, p->tok.text, UINT32_MAX);
		return false;
	}
	*value = (__u32)p->tok.number;
	next(p);
	return true;
}

/* string_list = STRING { "," STRING } ; */
static bool parse_string_list(struct parser *p, struct mg_ast_paths *list, const char *what)
{
	do {
		if (p->tok.kind != MG_TOKEN_STRING) {
			syntax_error(p, "expected %s in double quotes", what);
			return false;
		}
		if (!mg_ast_paths_add(list, p->tok.text, &p->tok.loc)) {
			out_of_memory(p);
			return false;
		}
		next(p);
	} while (accept(p, MG_TOKEN_COMMA));
	return true;
}

/* ---- files ------------------------------------------------------------- */

static void parse_source(struct parse_context *ctx, const char *file, const char *src, size_t len);

static char *register_file(struct parse_context *ctx, const char *path)
{
	struct mg_ast *ast = ctx->ast;
	char *copy;

	if (!MG_ARRAY_RESERVE(ast->files, ast->nfiles, ast->files_cap))
		return NULL;
	copy = strdup(path);
	if (copy)
		ast->files[ast->nfiles++] = copy;
	return copy;
}

static bool same_file(const struct file_id *a, const struct stat *st)
{
	return a->dev == st->st_dev && a->ino == st->st_ino;
}

static bool policy_too_large(struct parse_context *ctx, const struct mg_loc *where, size_t more)
{
	if (more <= MG_POLICY_MAX_FILE_BYTES - ctx->total_bytes)
		return false;
	mg_diag_error(ctx->diag, where,
		      "policy too large: more than %u bytes with everything it includes (MG_POLICY_MAX_FILE_BYTES)",
		      MG_POLICY_MAX_FILE_BYTES);
	return true;
}

/* Reads all of FD, at most the bytes left in the policy's budget. */
static char *read_all(struct parse_context *ctx, int fd, const struct mg_loc *where,
		      const char *shown, size_t *len)
{
	size_t budget = MG_POLICY_MAX_FILE_BYTES - ctx->total_bytes;
	char *buf = NULL;
	size_t size = 0;
	int err;

	err = mg_read_fd(fd, budget, &buf, &size);
	if (err == -ENOMEM) {
		mg_diag_error(ctx->diag, where, "out of memory");
		ctx->out_of_memory = true;
		return NULL;
	}
	if (err) {
		mg_diag_error(ctx->diag, where, "cannot read \"%s\": %s", shown, strerror(-err));
		return NULL;
	}
	if (size > budget) {
		policy_too_large(ctx, where, size);
		free(buf);
		return NULL;
	}
	/* An empty file is an empty policy, not a failure. */
	if (!buf && !(buf = malloc(1))) {
		mg_diag_error(ctx->diag, where, "out of memory");
		ctx->out_of_memory = true;
		return NULL;
	}
	*len = size;
	return buf;
}

/*
 * Reads and parses PATH. FROM is the include statement that names it, NULL
 * for the policy file itself.
 */
static void parse_path(struct parse_context *ctx, const char *path, const struct mg_loc *from)
{
	struct mg_loc where = from ? *from : (struct mg_loc){ path, 0, 0 };
	char shown[MG_QUOTE_MAX];
	char *src = NULL;
	const char *file;
	struct stat st;
	size_t len = 0;
	int fd;

	mg_quote(shown, sizeof(shown), path, strlen(path));
	/* O_NONBLOCK: a FIFO or device named by mistake must not hang the compiler. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		mg_diag_error(ctx->diag, &where, "cannot open %s \"%s\": %s",
			      from ? "included file" : "policy file", shown, strerror(errno));
		goto cleanup;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		mg_diag_error(ctx->diag, &where, "\"%s\" is not a regular file; a policy is a text file",
			      shown);
		goto cleanup;
	}
	for (size_t i = 0; i < ctx->depth; i++) {
		if (same_file(&ctx->reading[i], &st)) {
			mg_diag_error(ctx->diag, &where,
				      "include cycle: \"%s\" is already being read; remove this include",
				      shown);
			goto cleanup;
		}
	}
	for (size_t i = 0; i < ctx->ndone; i++)
		if (same_file(&ctx->done[i], &st))
			goto cleanup;
	if (ctx->depth > MG_POLICY_MAX_INCLUDE_DEPTH) {
		mg_diag_error(ctx->diag, &where,
			      "includes nested deeper than %d (MG_POLICY_MAX_INCLUDE_DEPTH); include fewer levels",
			      MG_POLICY_MAX_INCLUDE_DEPTH);
		goto cleanup;
	}
	src = read_all(ctx, fd, &where, shown, &len);
	if (!src)
		goto cleanup;
	file = register_file(ctx, path);
	if (file) {
		ctx->total_bytes += len;
		ctx->reading[ctx->depth++] = (struct file_id){ st.st_dev, st.st_ino };
		parse_source(ctx, file, src, len);
		ctx->depth--;
	}
	if (!file || !MG_ARRAY_RESERVE(ctx->done, ctx->ndone, ctx->done_cap)) {
		mg_diag_error(ctx->diag, &where, "out of memory");
		ctx->out_of_memory = true;
		goto cleanup;
	}
	ctx->done[ctx->ndone++] = (struct file_id){ st.st_dev, st.st_ino };
cleanup:
	free(src);
	if (fd >= 0)
		close(fd);
}

/* An include names a file relative to the directory of the file that includes it. */
static char *include_path(const char *including_file, const char *name)
{
	const char *slash = strrchr(including_file, '/');
	char *path;

	if (name[0] == '/' || !slash)
		return strdup(name);
	if (asprintf(&path, "%.*s/%s", (int)(slash - including_file), including_file, name) < 0)
		return NULL;
	return path;
}

/* ---- statements -------------------------------------------------------- */

/* include = "include" STRING ";" ; */
static bool parse_include(struct parser *p)
{
	struct mg_loc loc = p->tok.loc;
	char *path;
	bool ended;

	if (p->tok.kind != MG_TOKEN_STRING) {
		syntax_error(p, "expected the file to include, in double quotes");
		return false;
	}
	if (p->tok.len == 0) {
		mg_diag_error(p->ctx->diag, &loc, "empty file name in include");
		return false;
	}
	path = include_path(p->lexer.file, p->tok.text);
	if (!path) {
		out_of_memory(p);
		return false;
	}
	next(p);
	ended = expect_end(p, "the include");
	if (ended)
		parse_path(p->ctx, path, &loc);
	free(path);
	return ended;
}

/* mode = "mode" ( "enforce" | "audit" ) ";" ; */
static bool parse_mode(struct parser *p)
{
	struct mg_ast *ast = p->ctx->ast;
	struct mg_loc loc = p->tok.loc;
	__u32 mode;

	if (accept_word(p, "enforce")) {
		mode = MG_MODE_ENFORCE;
	} else if (accept_word(p, "audit")) {
		mode = MG_MODE_AUDIT;
	} else {
		syntax_error(p, "expected 'enforce' or 'audit' after 'mode'");
		return false;
	}
	if (!MG_ARRAY_RESERVE(ast->modes, ast->nmodes, ast->modes_cap)) {
		out_of_memory(p);
		return false;
	}
	ast->modes[ast->nmodes++] = (struct mg_ast_mode){ mode, loc };
	return expect_end(p, "the mode statement");
}

/* key = "key" NAME STRING ";" ; */
static bool parse_key(struct parser *p)
{
	struct mg_ast *ast = p->ctx->ast;
	struct mg_ast_key *key;

	if (!MG_ARRAY_RESERVE(ast->keys, ast->nkeys, ast->keys_cap)) {
		out_of_memory(p);
		return false;
	}
	key = &ast->keys[ast->nkeys];
	key->name = take_name(p, "a key name after 'key'", &key->loc);
	if (!key->name)
		return false;
	ast->nkeys++;
	if (p->tok.kind != MG_TOKEN_STRING) {
		syntax_error(p, "expected the public key file of key '%s', in double quotes", key->name);
		return false;
	}
	key->file.path = strdup(p->tok.text);
	if (!key->file.path) {
		out_of_memory(p);
		return false;
	}
	key->file.loc = p->tok.loc;
	next(p);
	return expect_end(p, "the key statement");
}

/* allowlist = "allowlist" string_list ";" ; */
static bool parse_allowlist(struct parser *p)
{
	return parse_string_list(p, &p->ctx->ast->allowlists, "an allowlist file") &&
	       expect_end(p, "the allowlist statement");
}

/* trust = "trust" ( "packages" | "scan" string_list ) ";" ; */
static bool parse_trust(struct parser *p)
{
	struct mg_ast *ast = p->ctx->ast;
	struct mg_loc loc = p->tok.loc;

	if (accept_word(p, "packages")) {
		if (!MG_ARRAY_RESERVE(ast->trust_packages, ast->ntrust_packages,
				      ast->trust_packages_cap)) {
			out_of_memory(p);
			return false;
		}
		ast->trust_packages[ast->ntrust_packages++] = loc;
		return expect_end(p, "the trust statement");
	}
	if (accept_word(p, "scan"))
		return parse_string_list(p, &ast->trust_scan, "a directory to scan") &&
		       expect_end(p, "the trust statement");
	syntax_error(p, "expected 'packages' or 'scan' after 'trust'");
	return false;
}

/* records = "records" NAME string_list ";" ; */
static bool parse_records(struct parser *p)
{
	struct mg_ast *ast = p->ctx->ast;
	struct mg_ast_records *records;

	if (!MG_ARRAY_RESERVE(ast->records, ast->nrecords, ast->records_cap)) {
		out_of_memory(p);
		return false;
	}
	records = &ast->records[ast->nrecords];
	records->name = take_name(p, "a name for the records after 'records'", &records->loc);
	if (!records->name)
		return false;
	ast->nrecords++;
	return parse_string_list(p, &records->roots, "a directory or file of records") &&
	       expect_end(p, "the records statement");
}

/* canary = "canary" NAME string_list ";" ; */
static bool parse_canary(struct parser *p)
{
	struct mg_ast *ast = p->ctx->ast;
	struct mg_ast_canary *canary;

	if (!MG_ARRAY_RESERVE(ast->canaries, ast->ncanaries, ast->canaries_cap)) {
		out_of_memory(p);
		return false;
	}
	canary = &ast->canaries[ast->ncanaries];
	canary->records = take_name(p, "the records the canary guards, after 'canary'", &canary->loc);
	if (!canary->records)
		return false;
	ast->ncanaries++;
	return parse_string_list(p, &canary->patterns, "a canary file or pattern") &&
	       expect_end(p, "the canary statement");
}

/* program_option = "signed-by" NAME | "digest" STRING ; */
static bool parse_program_option(struct parser *p, struct mg_ast_program *program)
{
	struct mg_loc loc = p->tok.loc;

	if (accept_word(p, "signed-by")) {
		if (program->signed_by) {
			mg_diag_error(p->ctx->diag, &loc, "program '%s' already names its key at line %u",
				      program->name, program->signed_by_loc.line);
			return false;
		}
		program->signed_by = take_name(p, "a key name after 'signed-by'", &program->signed_by_loc);
		return program->signed_by != NULL;
	}
	if (accept_word(p, "if-installed")) {
		if (!program->exes.n) {
			mg_diag_error(p->ctx->diag, &loc, "'if-installed' names no files: program '%s' is named by its key",
				      program->name);
			return false;
		}
		program->if_installed = true;
		return true;
	}
	if (accept_word(p, "digest")) {
		if (program->digest) {
			mg_diag_error(p->ctx->diag, &loc, "program '%s' already has a digest at line %u",
				      program->name, program->digest_loc.line);
			return false;
		}
		if (p->tok.kind != MG_TOKEN_STRING) {
			syntax_error(p, "expected the digest in double quotes, as \"sha256:<64 hex digits>\"");
			return false;
		}
		program->digest = strdup(p->tok.text);
		if (!program->digest) {
			out_of_memory(p);
			return false;
		}
		program->digest_loc = p->tok.loc;
		next(p);
		return true;
	}
	syntax_error(p, "expected 'signed-by', 'digest', 'if-installed' or ';' after the exe list");
	return false;
}

/*
 * program = ( "program" | "interpreter" | "launcher" | "gateway" ) NAME
 *           ( "exe" string_list { program_option } | "signed-by" NAME ) ";" ;
 * program_option = "signed-by" NAME | "digest" STRING | "if-installed" ;
 */
static bool parse_program(struct parser *p, const char *keyword)
{
	char name_expected[64], statement[64];
	bool interpreter = !strcmp(keyword, "interpreter");

	struct mg_ast *ast = p->ctx->ast;
	struct mg_ast_program *program;

	if (!MG_ARRAY_RESERVE(ast->programs, ast->nprograms, ast->programs_cap)) {
		out_of_memory(p);
		return false;
	}
	program = &ast->programs[ast->nprograms];
	program->interpreter = interpreter;
	program->launcher = !strcmp(keyword, "launcher");
	program->gateway = !strcmp(keyword, "gateway");
	snprintf(name_expected, sizeof(name_expected), "a name after '%s'", keyword);
	snprintf(statement, sizeof(statement), "the %s statement", keyword);
	program->name = take_name(p, name_expected, &program->loc);
	if (!program->name)
		return false;
	ast->nprograms++;
	/* A program named by its key alone: whatever that key signed. */
	if (!strcmp(keyword, "program") && p->tok.kind == MG_TOKEN_WORD && !strcmp(p->tok.text, "signed-by")) {
		if (!parse_program_option(p, program))
			return false;
		return expect_end(p, statement);
	}
	if (!accept_word(p, "exe")) {
		syntax_error(p, "expected 'exe' and the program's files after '%s'%s", program->name,
			     strcmp(keyword, "program") ? "" : ", or 'signed-by' and a key");
		return false;
	}
	if (!parse_string_list(p, &program->exes, "an executable path"))
		return false;
	while (p->tok.kind != MG_TOKEN_SEMICOLON && !starts_statement(p))
		if (!parse_program_option(p, program))
			return false;
	return expect_end(p, statement);
}

static bool parse_plain_program(struct parser *p)
{
	return parse_program(p, "program");
}

static bool parse_interpreter(struct parser *p)
{
	return parse_program(p, "interpreter");
}

static bool parse_gateway(struct parser *p)
{
	return parse_program(p, "gateway");
}

static bool parse_launcher(struct parser *p)
{
	return parse_program(p, "launcher");
}

/*
 * subject = "anyone" | "signed" | "unsigned" | "program" NAME | NAME
 *         | ( "user" | "group" ) ( NAME | NUMBER | STRING )
 *         | ( "unit" | "cgroup" ) STRING ;
 */
static bool parse_subject(struct parser *p, struct mg_ast_subject *subject)
{
	static const char who[] =
		"expected who the rule is about: a program name, signed, unsigned, anyone, user, group, unit or cgroup";
	const char *word = p->tok.text;

	subject->loc = p->tok.loc;
	if (p->tok.kind != MG_TOKEN_WORD) {
		syntax_error(p, "%s", who);
		return false;
	}
	if (accept_word(p, "anyone")) {
		subject->kind = MG_SUBJECT_ANY;
		return true;
	}
	if (accept_word(p, "signed")) {
		subject->kind = MG_SUBJECT_SIGNED;
		return true;
	}
	if (accept_word(p, "unsigned")) {
		subject->kind = MG_SUBJECT_UNSIGNED;
		return true;
	}
	if (accept_word(p, "program")) {
		subject->kind = MG_SUBJECT_PROGRAM;
		subject->name = take_name(p, "a program name after 'program'", &subject->loc);
		return subject->name != NULL;
	}
	if (is_word(p, "user") || is_word(p, "group")) {
		subject->kind = strcmp(word, "user") == 0 ? MG_SUBJECT_UID : MG_SUBJECT_GID;
		next(p);
		subject->loc = p->tok.loc;
		if (p->tok.kind == MG_TOKEN_NUMBER) {
			__u32 id;

			if (!take_u32(p, subject->kind == MG_SUBJECT_UID ? "user id" : "group id", &id))
				return false;
			subject->number = id;
			return true;
		}
		if (p->tok.kind != MG_TOKEN_WORD && p->tok.kind != MG_TOKEN_STRING) {
			syntax_error(p, "expected a %s name or number",
				     subject->kind == MG_SUBJECT_UID ? "user" : "group");
			return false;
		}
	} else if (is_word(p, "unit") || is_word(p, "cgroup")) {
		bool unit = strcmp(word, "unit") == 0;

		subject->kind = MG_SUBJECT_CGROUP;
		next(p);
		subject->loc = p->tok.loc;
		if (p->tok.kind != MG_TOKEN_STRING) {
			syntax_error(p, unit ? "expected a systemd unit in double quotes, such as \"bacula-fd.service\""
					     : "expected a cgroup directory in double quotes, such as \"/sys/fs/cgroup/system.slice/bacula-fd.service\"");
			return false;
		}
		/* A unit is kept as its name, a cgroup as its path: the checker tells them apart by the '/'. */
		if (!unit && p->tok.text[0] != '/') {
			mg_diag_error(p->ctx->diag, &p->tok.loc,
				      "cgroup must be an absolute path under /sys/fs/cgroup");
			return false;
		}
		if (unit && strchr(p->tok.text, '/')) {
			mg_diag_error(p->ctx->diag, &p->tok.loc,
				      "a unit is a name such as \"bacula-fd.service\", without '/'; for a cgroup path write 'cgroup \"...\"'");
			return false;
		}
	} else if (mg_policy_is_keyword(word)) {
		syntax_error(p, "%s", who);
		return false;
	} else {
		subject->kind = MG_SUBJECT_PROGRAM;
	}
	if (p->tok.len == 0) {
		mg_diag_error(p->ctx->diag, &p->tok.loc, "empty name in rule");
		return false;
	}
	subject->name = strdup(p->tok.text);
	if (!subject->name) {
		out_of_memory(p);
		return false;
	}
	next(p);
	return true;
}

/* operations = operation { [ "," ] operation } ; operation = "read" | ... | "all" ; */
static bool parse_operations(struct parser *p, __u32 *ops)
{
	char shown[MG_QUOTE_MAX];
	bool need_op = true;

	*ops = 0;
	for (;;) {
		__u32 op;

		if (p->tok.kind != MG_TOKEN_WORD || (!need_op && starts_block_item(p))) {
			if (!need_op && p->tok.kind != MG_TOKEN_COMMA)
				return true;
			syntax_error(p, "expected an operation: read, write, create, delete, rename, link, setattr, exec or all");
			return false;
		}
		if (!mg_op_by_name(p->tok.text, &op)) {
			mg_diag_error(p->ctx->diag, &p->tok.loc,
				      "unknown operation '%s'; operations are read, write, create, delete, rename, link, setattr, exec and all",
				      mg_quote(shown, sizeof(shown), p->tok.text, p->tok.len));
			return false;
		}
		if ((*ops & op) && op != MG_OP_ALL)
			mg_diag_warning(p->ctx->diag, &p->tok.loc, "operation '%s' is named twice",
					mg_op_name(op));
		*ops |= op;
		next(p);
		need_op = accept(p, MG_TOKEN_COMMA);
	}
}

static bool add_rule(struct parser *p, struct mg_ast_on *on, struct mg_ast_rule *rule)
{
	if (asprintf(&rule->text, "%s:%u: %s", rule->loc.file, rule->loc.line, p->rule_text) < 0) {
		rule->text = NULL;
		out_of_memory(p);
		return false;
	}
	if (!MG_ARRAY_RESERVE(on->rules, on->nrules, on->cap)) {
		out_of_memory(p);
		return false;
	}
	on->rules[on->nrules++] = *rule;
	memset(rule, 0, sizeof(*rule));
	return true;
}

/* default = "default" ( "allow" | "deny" ) ";" ; */
static bool parse_default(struct parser *p, struct mg_ast_on *on, const struct mg_loc *loc)
{
	__u32 verdict;

	if (accept_word(p, "allow")) {
		verdict = MG_VERDICT_ALLOW;
	} else if (accept_word(p, "deny")) {
		verdict = MG_VERDICT_DENY;
	} else {
		syntax_error(p, "expected 'allow' or 'deny' after 'default'");
		return false;
	}
	if (on->has_default) {
		mg_diag_error(p->ctx->diag, loc, "second 'default' in 'on %s'; the first is at line %u",
			      on->records, on->default_loc.line);
	} else {
		on->has_default = true;
		on->default_verdict = verdict;
		on->default_loc = *loc;
	}
	return expect_end(p, "the default rule");
}

/*
 * rule = "allow" subject operations ";"
 *      | [ "audit" ] "deny" subject operations ";"
 *      | default ;
 */
static bool parse_rule(struct parser *p, struct mg_ast_on *on)
{
	struct mg_ast_rule rule = { .loc = p->tok.loc };
	bool ok = false;

	if (accept_word(p, "default"))
		return parse_default(p, on, &rule.loc);
	p->recording = true;
	p->rule_len = 0;
	p->rule_text[0] = '\0';
	if (accept_word(p, "audit")) {
		rule.flags |= MG_RULE_AUDIT_ONLY;
		if (is_word(p, "allow")) {
			mg_diag_error(p->ctx->diag, &rule.loc,
				      "'audit' marks a deny rule that only logs; an allow rule never denies, so drop 'audit'");
			goto cleanup;
		}
	}
	if (accept_word(p, "allow")) {
		rule.verdict = MG_VERDICT_ALLOW;
	} else if (accept_word(p, "deny")) {
		rule.verdict = MG_VERDICT_DENY;
	} else {
		syntax_error(p, rule.flags ? "expected 'deny' after 'audit'"
					   : "expected a rule: allow, deny, audit deny or default");
		goto cleanup;
	}
	if (!parse_subject(p, &rule.subject) || !parse_operations(p, &rule.ops))
		goto cleanup;
	p->recording = false;
	if (on->has_default)
		mg_diag_error(p->ctx->diag, &rule.loc,
			      "rule after 'default' never applies; move 'default' to the end of the block");
	else if (!add_rule(p, on, &rule))
		goto cleanup;
	ok = expect_end(p, "the rule");
cleanup:
	p->recording = false;
	free(rule.subject.name);
	free(rule.text);
	return ok;
}

/* A block's items until its `}`; ITEM parses one. */
static void parse_block(struct parser *p, const struct mg_loc *opened, const char *what,
			bool (*item)(struct parser *p, void *block), void *block)
{
	p->in_block = true;
	while (!p->stop && !p->ctx->diag->full && p->tok.kind != MG_TOKEN_RBRACE &&
	       p->tok.kind != MG_TOKEN_EOF)
		if (!item(p, block))
			synchronize(p);
	p->in_block = false;
	if (!accept(p, MG_TOKEN_RBRACE) && !p->stop && !p->ctx->diag->full)
		mg_diag_error(p->ctx->diag, &p->tok.loc,
			      "missing '}' to close '%s' opened at line %u", what, opened->line);
}

static bool parse_rule_item(struct parser *p, void *on)
{
	return parse_rule(p, on);
}

/* on = "on" NAME "{" { rule } "}" ; */
static bool parse_on(struct parser *p)
{
	struct mg_ast *ast = p->ctx->ast;
	struct mg_ast_on *on;
	struct mg_loc opened;
	char what[MG_QUOTE_MAX + 8];

	if (!MG_ARRAY_RESERVE(ast->ons, ast->nons, ast->ons_cap)) {
		out_of_memory(p);
		return false;
	}
	on = &ast->ons[ast->nons];
	on->records = take_name(p, "the name of the records after 'on'", &on->loc);
	if (!on->records)
		return false;
	ast->nons++;
	opened = p->tok.loc;
	if (!accept(p, MG_TOKEN_LBRACE)) {
		syntax_error(p, "expected '{' to open the rules for '%s'", on->records);
		return false;
	}
	snprintf(what, sizeof(what), "on %s", on->records);
	parse_block(p, &opened, what, parse_rule_item, on);
	return true;
}

/* duration = DURATION ; unit = "ms" | "s" | "m" | "h" */
static bool parse_duration(struct parser *p, __u64 *ns)
{
	static const struct {
		const char *unit;
		__u64 ns;
	} units[] = {
		{ "ms", 1000000ull }, { "s", 1000000000ull }, { "m", 60000000000ull }, { "h", 3600000000000ull },
	};
	const char *unit = p->tok.text + p->tok.ndigits;

	if (p->tok.kind == MG_TOKEN_NUMBER) {
		mg_diag_error(p->ctx->diag, &p->tok.loc,
			      "window %s needs a unit: ms, s, m or h (as in 10s)", p->tok.text);
		return false;
	}
	if (p->tok.kind != MG_TOKEN_DURATION) {
		syntax_error(p, "expected a duration such as 10s after 'window'");
		return false;
	}
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(unit, units[i].unit) != 0)
			continue;
		*ns = p->tok.number > UINT64_MAX / units[i].ns ? UINT64_MAX
								: p->tok.number * units[i].ns;
		next(p);
		return true;
	}
	mg_diag_error(p->ctx->diag, &p->tok.loc, "unknown unit in duration %s; use ms, s, m or h",
		      p->tok.text);
	return false;
}

/*
 * behaviour_item = "window" duration ";"
 *                | "score" signal NUMBER ";"
 *                | "at" NUMBER action ";"
 *                | "exempt" NAME { "," NAME } ";" ;
 */
static bool parse_behaviour_item(struct parser *p, void *block)
{
	struct mg_ast_behaviour *behaviour = block;
	struct mg_loc loc = p->tok.loc;
	char shown[MG_QUOTE_MAX];

	if (accept_word(p, "window")) {
		__u64 ns;

		if (!parse_duration(p, &ns))
			return false;
		if (behaviour->has_window) {
			mg_diag_error(p->ctx->diag, &loc, "second window in behaviour '%s'; the first is at line %u",
				      behaviour->name, behaviour->window_loc.line);
			return false;
		}
		behaviour->has_window = true;
		behaviour->window_ns = ns;
		behaviour->window_loc = loc;
		return expect_end(p, "the window");
	}
	if (accept_word(p, "score")) {
		struct mg_ast_score score = { .loc = loc };
		int signal;

		if (p->tok.kind != MG_TOKEN_WORD) {
			syntax_error(p, "expected a signal after 'score'");
			return false;
		}
		signal = mg_signal_by_name(p->tok.text);
		if (signal < 0) {
			mg_diag_error(p->ctx->diag, &p->tok.loc,
				      "unknown signal '%s'; signals are first-write, overwrite, replace, rename-ext, rename-out, unlink, create, enumerate, rate, canary and entropy",
				      mg_quote(shown, sizeof(shown), p->tok.text, p->tok.len));
			return false;
		}
		score.signal = (__u32)signal;
		next(p);
		if (!take_u32(p, "weight", &score.weight))
			return false;
		if (!MG_ARRAY_RESERVE(behaviour->scores, behaviour->nscores, behaviour->scores_cap)) {
			out_of_memory(p);
			return false;
		}
		behaviour->scores[behaviour->nscores++] = score;
		return expect_end(p, "the score");
	}
	if (accept_word(p, "at")) {
		struct mg_ast_threshold threshold = { .loc = loc };
		int action;

		if (!take_u32(p, "score threshold", &threshold.score))
			return false;
		if (p->tok.kind != MG_TOKEN_WORD) {
			syntax_error(p, "expected an action after the threshold: alert, deny-writes, deny-reads, kill or freeze");
			return false;
		}
		action = mg_action_by_name(p->tok.text);
		if (action < 0) {
			mg_diag_error(p->ctx->diag, &p->tok.loc,
				      "unknown action '%s'; actions are alert, deny-writes, deny-reads, kill and freeze",
				      mg_quote(shown, sizeof(shown), p->tok.text, p->tok.len));
			return false;
		}
		threshold.action = (__u32)action;
		next(p);
		if (!MG_ARRAY_RESERVE(behaviour->thresholds, behaviour->nthresholds,
				      behaviour->thresholds_cap)) {
			out_of_memory(p);
			return false;
		}
		behaviour->thresholds[behaviour->nthresholds++] = threshold;
		return expect_end(p, "the action");
	}
	if (accept_word(p, "exempt")) {
		do {
			struct mg_ast_exempt exempt = { 0 };

			exempt.program = take_name(p, "the name of a program after 'exempt'", &exempt.loc);
			if (!exempt.program)
				return false;
			if (!MG_ARRAY_RESERVE(behaviour->exempt, behaviour->nexempt, behaviour->exempt_cap)) {
				free(exempt.program);
				out_of_memory(p);
				return false;
			}
			behaviour->exempt[behaviour->nexempt++] = exempt;
		} while (accept(p, MG_TOKEN_COMMA));
		return expect_end(p, "the exempt programs");
	}
	syntax_error(p, "expected 'window', 'score', 'at' or 'exempt' in a behaviour");
	return false;
}

/* behaviour = "behaviour" NAME "on" NAME "{" { behaviour_item } "}" ; */
static bool parse_behaviour(struct parser *p)
{
	struct mg_ast *ast = p->ctx->ast;
	struct mg_ast_behaviour *behaviour;
	struct mg_loc opened;
	char what[MG_QUOTE_MAX + 16];

	if (!MG_ARRAY_RESERVE(ast->behaviours, ast->nbehaviours, ast->behaviours_cap)) {
		out_of_memory(p);
		return false;
	}
	behaviour = &ast->behaviours[ast->nbehaviours];
	behaviour->name = take_name(p, "a name after 'behaviour'", &behaviour->loc);
	if (!behaviour->name)
		return false;
	ast->nbehaviours++;
	if (!accept_word(p, "on")) {
		syntax_error(p, "expected 'on' and the records that behaviour '%s' watches",
			     behaviour->name);
		return false;
	}
	behaviour->records = take_name(p, "the name of the records after 'on'", &behaviour->records_loc);
	if (!behaviour->records)
		return false;
	opened = p->tok.loc;
	if (!accept(p, MG_TOKEN_LBRACE)) {
		syntax_error(p, "expected '{' to open behaviour '%s'", behaviour->name);
		return false;
	}
	snprintf(what, sizeof(what), "behaviour %s", behaviour->name);
	parse_block(p, &opened, what, parse_behaviour_item, behaviour);
	return true;
}

/*
 * statement = include | mode | key | allowlist | trust | records | canary
 *           | program | on | behaviour ;
 */
static void parse_statement(struct parser *p)
{
	static const struct {
		const char *keyword;
		bool (*parse)(struct parser *p);
	} statements[] = {
		{ "include", parse_include },	  { "mode", parse_mode },
		{ "key", parse_key },		  { "allowlist", parse_allowlist },
		{ "trust", parse_trust },	  { "records", parse_records },
		{ "canary", parse_canary },	  { "program", parse_plain_program },
		{ "interpreter", parse_interpreter }, { "launcher", parse_launcher },
		{ "gateway", parse_gateway },
		{ "on", parse_on },		  { "behaviour", parse_behaviour },
	};

	for (size_t i = 0; p->tok.kind == MG_TOKEN_WORD && i < ARRAY_SIZE(statements); i++) {
		if (!accept_word(p, statements[i].keyword))
			continue;
		if (!statements[i].parse(p))
			synchronize(p);
		return;
	}
	syntax_error(p, "expected a statement: include, mode, key, allowlist, trust, records, canary, program, interpreter, launcher, gateway, on or behaviour");
	synchronize(p);
}

/* policy = { statement } EOF ; */
static void parse_source(struct parse_context *ctx, const char *file, const char *src, size_t len)
{
	struct parser *p = calloc(1, sizeof(*p));

	if (!p) {
		mg_diag_error(ctx->diag, &(struct mg_loc){ file, 0, 0 }, "out of memory");
		ctx->out_of_memory = true;
		return;
	}
	p->ctx = ctx;
	mg_lexer_init(&p->lexer, file, src, len, ctx->diag);
	mg_lex_next(&p->lexer, &p->tok);
	while (p->tok.kind != MG_TOKEN_EOF && !p->stop && !ctx->diag->full && !ctx->out_of_memory)
		parse_statement(p);
	free(p);
}

void mg_parse_file(struct mg_ast *ast, const char *file, struct mg_diag *diag)
{
	struct parse_context ctx = { .ast = ast, .diag = diag };

	parse_path(&ctx, file, NULL);
	free(ctx.done);
}

void mg_parse_buffer(struct mg_ast *ast, const char *name, const char *data, size_t len,
		     struct mg_diag *diag)
{
	struct parse_context ctx = { .ast = ast, .diag = diag };
	struct mg_loc where = { name, 0, 0 };
	const char *file;

	if (policy_too_large(&ctx, &where, len))
		return;
	file = register_file(&ctx, name);
	if (!file) {
		mg_diag_error(diag, &where, "out of memory");
		return;
	}
	ctx.total_bytes = len;
	/* The buffer has no inode: an include cycle back to it ends at the depth limit. */
	ctx.depth = 1;
	ctx.reading[0] = (struct file_id){ 0, 0 };
	parse_source(&ctx, file, data, len);
	free(ctx.done);
}
