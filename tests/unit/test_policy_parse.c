// SPDX-License-Identifier: GPL-2.0-only
/* The policy parser: the AST it builds, includes, recovery, and every syntax error. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>

#include "medguard.h"
#include "ast.h"
#include "parse.h"
#include "policy_test.h"
#include "unit.h"

struct parsed {
	struct mg_ast ast;
	struct mg_diag diag;
	char *text;
};

static void parse_text(struct parsed *out, const char *text)
{
	size_t size = 0;
	FILE *stream;

	memset(out, 0, sizeof(*out));
	stream = open_memstream(&out->text, &size);
	mg_diag_init(&out->diag, stream);
	mg_parse_buffer(&out->ast, "mem.policy", text, strlen(text), &out->diag);
	fclose(stream);
}

static void parsed_free(struct parsed *parsed)
{
	mg_ast_free(&parsed->ast);
	free(parsed->text);
}

static void test_ast_of_every_statement(void)
{
	struct parsed p;

	parse_text(&p, "mode enforce;\n"
		       "key it \"/k.pem\";\n"
		       "allowlist \"/a\", \"/b\";\n"
		       "trust packages;\n"
		       "trust scan \"/usr/bin\";\n"
		       "records emr \"/srv/emr\", \"/srv/pacs\";\n"
		       "canary emr \"/srv/emr/.c*\";\n"
		       "program emrd exe \"/opt/emrd\" signed-by it digest \"sha256:00\";\n"
		       "interpreter py exe \"/usr/bin/python3\";\n"
		       "on emr { allow emrd read, write; audit deny signed delete rename; default allow; }\n"
		       "behaviour rw on emr { window 1500ms; score rename-ext 4; at 40 kill; }\n"
		       "launcher admin exe \"/usr/local/sbin/medguard-exec\" signed-by it;\n"
		       "gateway logins exe \"/usr/sbin/sshd\", \"/usr/sbin/cron\" if-installed;\n");
	ASSERT_EQ(p.diag.nerrors, 0, "no errors");
	ASSERT_EQ(p.ast.nmodes, 1, "mode");
	ASSERT_EQ(p.ast.modes[0].mode, MG_MODE_ENFORCE, "enforce");
	ASSERT_STREQ(p.ast.keys[0].name, "it", "key name");
	ASSERT_STREQ(p.ast.keys[0].file.path, "/k.pem", "key file");
	ASSERT_EQ(p.ast.keys[0].file.loc.col, 8, "key file column");
	ASSERT_EQ(p.ast.allowlists.n, 2, "two allowlists");
	ASSERT_EQ(p.ast.ntrust_packages, 1, "trust packages");
	ASSERT_STREQ(p.ast.trust_scan.items[0].path, "/usr/bin", "scan");
	ASSERT_EQ(p.ast.records[0].roots.n, 2, "two roots");
	ASSERT_STREQ(p.ast.canaries[0].records, "emr", "canary records");
	ASSERT_STREQ(p.ast.programs[0].signed_by, "it", "signed-by");
	ASSERT_STREQ(p.ast.programs[0].digest, "sha256:00", "digest text, checked later");
	ASSERT_FALSE(p.ast.programs[0].interpreter, "program");
	ASSERT_TRUE(p.ast.programs[1].interpreter, "interpreter");
	ASSERT_TRUE(p.ast.programs[2].launcher, "launcher");
	ASSERT_FALSE(p.ast.programs[2].interpreter, "a launcher is no interpreter");
	ASSERT_STREQ(p.ast.programs[2].signed_by, "it", "launcher signed-by");
	ASSERT_TRUE(p.ast.programs[3].gateway, "gateway");
	ASSERT_FALSE(p.ast.programs[3].launcher || p.ast.programs[3].interpreter, "a gateway is only that");
	ASSERT_TRUE(p.ast.programs[3].if_installed, "if-installed");
	ASSERT_FALSE(p.ast.programs[2].if_installed, "files must exist unless said otherwise");
	ASSERT_EQ(p.ast.programs[3].exes.n, 2, "two gateway files");
	ASSERT_EQ(p.ast.ons[0].nrules, 2, "two rules");
	ASSERT_EQ(p.ast.ons[0].rules[0].ops, MG_OP_READ | MG_OP_WRITE, "ops with a comma");
	ASSERT_EQ(p.ast.ons[0].rules[0].subject.kind, MG_SUBJECT_PROGRAM, "a bare name is a program");
	ASSERT_STREQ(p.ast.ons[0].rules[0].text, "mem.policy:10: allow emrd read, write", "rule text");
	ASSERT_EQ(p.ast.ons[0].rules[1].flags, MG_RULE_AUDIT_ONLY, "audit");
	ASSERT_EQ(p.ast.ons[0].rules[1].verdict, MG_VERDICT_DENY, "deny");
	ASSERT_EQ(p.ast.ons[0].rules[1].ops, MG_OP_DELETE | MG_OP_RENAME, "ops without a comma");
	ASSERT_TRUE(p.ast.ons[0].has_default, "default");
	ASSERT_EQ(p.ast.ons[0].default_verdict, MG_VERDICT_ALLOW, "default allow");
	ASSERT_EQ(p.ast.behaviours[0].window_ns, 1500000000ull, "window in ns");
	ASSERT_EQ(p.ast.behaviours[0].scores[0].signal, MG_SIGNAL_RENAME_EXT, "signal");
	ASSERT_EQ(p.ast.behaviours[0].scores[0].weight, 4, "weight");
	ASSERT_EQ(p.ast.behaviours[0].thresholds[0].action, MG_ACTION_KILL, "action");
	ASSERT_EQ(p.ast.behaviours[0].thresholds[0].score, 40, "threshold");
	parsed_free(&p);
}

static void test_subjects(void)
{
	struct parsed p;
	const struct mg_ast_rule *r;

	parse_text(&p, "on t {\n"
		       " allow anyone read; allow signed read; allow unsigned read;\n"
		       " allow program emrd read; allow user postgres read; allow user 26 read;\n"
		       " allow group \"domain users\" read; allow unit \"x.service\" read;\n"
		       " allow cgroup \"/sys/fs/cgroup/a\" read; allow user audit read;\n"
		       "}\n");
	r = p.ast.ons[0].rules;
	ASSERT_EQ(p.diag.nerrors, 0, "no errors");
	ASSERT_EQ(p.ast.ons[0].nrules, 10, "ten rules");
	ASSERT_EQ(r[0].subject.kind, MG_SUBJECT_ANY, "anyone");
	ASSERT_EQ(r[1].subject.kind, MG_SUBJECT_SIGNED, "signed");
	ASSERT_EQ(r[2].subject.kind, MG_SUBJECT_UNSIGNED, "unsigned");
	ASSERT_EQ(r[3].subject.kind, MG_SUBJECT_PROGRAM, "program");
	ASSERT_STREQ(r[3].subject.name, "emrd", "program name");
	ASSERT_EQ(r[4].subject.kind, MG_SUBJECT_UID, "user by name");
	ASSERT_STREQ(r[4].subject.name, "postgres", "user name");
	ASSERT_TRUE(r[5].subject.name == NULL, "user by number has no name");
	ASSERT_EQ(r[5].subject.number, 26, "uid");
	ASSERT_EQ(r[6].subject.kind, MG_SUBJECT_GID, "group");
	ASSERT_STREQ(r[6].subject.name, "domain users", "group name in quotes");
	ASSERT_EQ(r[7].subject.kind, MG_SUBJECT_CGROUP, "unit");
	ASSERT_STREQ(r[7].subject.name, "x.service", "unit name");
	ASSERT_EQ(r[8].subject.kind, MG_SUBJECT_CGROUP, "cgroup");
	ASSERT_STREQ(r[8].subject.name, "/sys/fs/cgroup/a", "cgroup path");
	ASSERT_STREQ(r[9].subject.name, "audit", "a keyword may name a user");
	ASSERT_EQ(r[1].subject.loc.col, 27, "subject column");
	parsed_free(&p);
}

static void test_durations(void)
{
	static const struct {
		const char *text;
		unsigned long long ns;
	} cases[] = {
		{ "behaviour b on t { window 250ms; }", 250000000ull },
		{ "behaviour b on t { window 10s; }", 10000000000ull },
		{ "behaviour b on t { window 2m; }", 120000000000ull },
		{ "behaviour b on t { window 1h; }", 3600000000000ull },
		{ "behaviour b on t { window 99999999999999999999h; }", UINT64_MAX },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parsed p;

		parse_text(&p, cases[i].text);
		ASSERT_EQ(p.diag.nerrors, 0, cases[i].text);
		ASSERT_TRUE(p.ast.behaviours[0].window_ns == cases[i].ns, cases[i].text);
		parsed_free(&p);
	}
}

static void test_keywords(void)
{
	ASSERT_TRUE(mg_policy_is_keyword("records"), "statement");
	ASSERT_TRUE(mg_policy_is_keyword("unsigned"), "subject");
	ASSERT_TRUE(mg_policy_is_keyword("setattr"), "operation");
	ASSERT_TRUE(mg_policy_is_keyword("rename-ext"), "signal");
	ASSERT_TRUE(mg_policy_is_keyword("deny-writes"), "action");
	ASSERT_TRUE(mg_policy_is_keyword("signed-by"), "option");
	ASSERT_FALSE(mg_policy_is_keyword("emrd"), "a name");
	ASSERT_STREQ(mg_op_name(MG_OP_SETATTR), "setattr", "op name");
	ASSERT_STREQ(mg_op_name(3), "?", "not one op");
	ASSERT_STREQ(mg_signal_name(MG_SIGNAL_FIRST_WRITE), "first-write", "signal name");
	ASSERT_STREQ(mg_signal_name(MG_NSIGNALS), "?", "no such signal");
	ASSERT_STREQ(mg_action_name(MG_ACTION_FREEZE), "freeze", "action name");
	ASSERT_STREQ(mg_action_name(MG_NACTIONS), "?", "no such action");
}

static void test_recovery_reports_several_errors(void)
{
	struct parsed p;

	parse_text(&p, "mode sideways;\n"
		       "records emr \"/srv/emr\"\n"
		       "on emr {\n"
		       "  allow emrd read write\n"
		       "  allow backup read;\n"
		       "  allow { nested } read;\n"
		       "  deny unsigned all;\n"
		       "}\n"
		       "} trust packages;\n");
	ASSERT_HAS(p.text, "mem.policy:1:6: error: expected 'enforce' or 'audit' after 'mode', found 'sideways'",
		   "first error");
	ASSERT_HAS(p.text, "mem.policy:3:1: error: expected ';' to end the records statement, found 'on'",
		   "missing ';' before a statement");
	ASSERT_HAS(p.text, "mem.policy:5:3: error: expected ';' to end the rule, found 'allow'",
		   "missing ';' before a rule");
	ASSERT_HAS(p.text, "mem.policy:6:9: error: expected who the rule is about", "brace as subject");
	ASSERT_HAS(p.text, "mem.policy:9:1: error: expected a statement", "stray brace");
	ASSERT_EQ(p.diag.nerrors, 5, "five errors");
	ASSERT_EQ(p.ast.nrecords, 1, "records kept");
	ASSERT_EQ(p.ast.ons[0].nrules, 3, "three good rules kept");
	ASSERT_EQ(p.ast.ntrust_packages, 1, "statement after the stray brace");
	parsed_free(&p);
}

static void test_include(void)
{
	struct compiled c;

	make_dir("inc");
	make_dir("inc/sub");
	write_policy("inc/keys.policy", "mode audit;\ninclude \"sub/leaf.policy\";\n");
	write_policy("inc/sub/leaf.policy", "trust packages;\n");
	write_policy("inc/main.policy", "include \"keys.policy\";\ninclude \"keys.policy\";\n"
					"include \"@DIR@/inc/sub/leaf.policy\";\nrecords r \"/\";\n");
	c = compile_file(write_policy("inc/run.policy", "include \"main.policy\";\n"));
	ASSERT_EQ(c.nerrors, 0, "includes are relative to the including file, and read once");
	ASSERT_TRUE(c.policy && c.policy->trust_packages, "included statement");
	ASSERT_TRUE(c.policy && c.policy->mode == MG_MODE_AUDIT, "mode from the include");
	compiled_free(&c);
}

static void test_include_errors(void)
{
	struct compiled c;
	char *deep;

	write_policy("a.policy", "include \"b.policy\";\n");
	write_policy("b.policy", "\ninclude \"a.policy\";\n");
	c = compile_file(write_policy("a.policy", "include \"b.policy\";\n"));
	ASSERT_DIAG(c, "@DIR@/b.policy:2:9: error: include cycle: \"@DIR@/a.policy\" is already being read; remove this include",
		    "cycle");
	compiled_free(&c);

	c = compile_text("include \"nowhere.policy\";\n");
	ASSERT_DIAG(c, "test.policy:1:9: error: cannot open included file \"@DIR@/nowhere.policy\": No such file or directory",
		    "missing include");
	compiled_free(&c);

	c = compile_text("include \"/tmp\";\n");
	ASSERT_DIAG(c, "test.policy:1:9: error: \"/tmp\" is not a regular file; a policy is a text file",
		    "directory");
	compiled_free(&c);

	c = compile_text("include \"/proc/self/mem\";\n");
	ASSERT_DIAG(c, "test.policy:1:9: error: cannot read \"/proc/self/mem\": Input/output error",
		    "read error");
	compiled_free(&c);

	c = compile_text("include \"\";\n");
	ASSERT_DIAG(c, "test.policy:1:9: error: empty file name in include", "empty name");
	compiled_free(&c);

	/* d0 includes d1 ... includes d9: nine levels below the first file. */
	for (int i = 0; i <= 9; i++) {
		char name[32], text[64];

		snprintf(name, sizeof(name), "d%d.policy", i);
		snprintf(text, sizeof(text), "include \"d%d.policy\";\n", i + 1);
		write_policy(name, i == 9 ? "trust packages;\n" : text);
	}
	if (asprintf(&deep, "%s/d0.policy", policy_test_dir) < 0)
		return;
	c = compile_file(deep);
	ASSERT_DIAG(c, "d8.policy:1:9: error: includes nested deeper than 8 (MG_POLICY_MAX_INCLUDE_DEPTH); include fewer levels",
		    "depth");
	ASSERT_EQ(c.nerrors, 1, "one error");
	compiled_free(&c);
	free(deep);

	c = compile_file("/nonexistent/medguard.policy");
	ASSERT_HAS(c.diag, "/nonexistent/medguard.policy: error: cannot open policy file \"/nonexistent/medguard.policy\": No such file or directory",
		   "missing policy file");
	ASSERT_TRUE(c.policy == NULL, "no policy");
	compiled_free(&c);
}

static void test_size_limit(void)
{
	size_t len = MG_POLICY_MAX_FILE_BYTES + 1;
	char *big = malloc(len);
	struct compiled c;
	int nerrors = 0;

	memset(big, '#', len);
	c = compile_file(write_bytes("big.policy", big, len));
	ASSERT_DIAG(c, "big.policy: error: policy too large: more than 1048576 bytes with everything it includes (MG_POLICY_MAX_FILE_BYTES)",
		    "one big file");
	compiled_free(&c);

	write_bytes("half.policy", big, len / 2 + 1);
	write_bytes("other-half.policy", big, len / 2 + 1);
	c = compile_text("include \"half.policy\";\ninclude \"other-half.policy\";\n");
	ASSERT_DIAG(c, "test.policy:2:9: error: policy too large", "the includes count too");
	compiled_free(&c);

	ASSERT_TRUE(mg_policy_compile_buffer("mem", big, len, NULL, &nerrors, NULL) == NULL,
		    "a buffer too");
	ASSERT_EQ(nerrors, 1, "one error");
	free(big);
}

static void test_nesting_limit(void)
{
	char text[256] = "on t {";
	struct parsed p;

	for (int i = 0; i < MG_POLICY_MAX_NESTING; i++)
		strcat(text, "{");
	parse_text(&p, text);
	ASSERT_HAS(p.text, "mem.policy:1:38: error: braces nested deeper than 32 (MG_POLICY_MAX_NESTING); blocks do not nest, close each with '}'",
		   "nesting");
	parsed_free(&p);
}

static void test_unclosed_block(void)
{
	struct parsed p;

	parse_text(&p, "on emr {\n allow a read;\n");
	ASSERT_HAS(p.text, "mem.policy:3:1: error: missing '}' to close 'on emr' opened at line 1",
		   "unclosed on");
	parsed_free(&p);
	parse_text(&p, "behaviour b on emr {\n window 1s;");
	ASSERT_HAS(p.text, "mem.policy:2:12: error: missing '}' to close 'behaviour b' opened at line 1",
		   "unclosed behaviour");
	parsed_free(&p);
}

/* Each broken policy and the error it must give. */
static const struct {
	const char *text;
	const char *error;
} syntax_errors[] = {
	{ "= ;", "1:1: error: unexpected character '='" },
	{ "frobnicate;", "1:1: error: expected a statement: include, mode, key, allowlist, trust, records, canary, program, interpreter, launcher, gateway, on or behaviour, found 'frobnicate'" },
	{ "program p signed-by k if-installed;", "1:23: error: expected ';' to end the program statement, found 'if-installed'" },
	{ "include emr;", "1:9: error: expected the file to include, in double quotes, found 'emr'" },
	{ "mode enforce", "1:13: error: expected ';' to end the mode statement, found end of file" },
	{ "mode 1;", "1:6: error: expected 'enforce' or 'audit' after 'mode', found '1'" },
	{ "key \"x\";", "1:5: error: expected a key name after 'key', found \"x\"" },
	{ "key k k;", "1:7: error: expected the public key file of key 'k', in double quotes, found 'k'" },
	{ "allowlist x;", "1:11: error: expected an allowlist file in double quotes, found 'x'" },
	{ "trust everyone;", "1:7: error: expected 'packages' or 'scan' after 'trust', found 'everyone'" },
	{ "trust scan \"/a\",;", "1:17: error: expected a directory to scan in double quotes, found ';'" },
	{ "records ;", "1:9: error: expected a name for the records after 'records', found ';'" },
	{ "records r;", "1:10: error: expected a directory or file of records in double quotes, found ';'" },
	{ "canary \"/x\";", "1:8: error: expected the records the canary guards, after 'canary', found \"/x\"" },
	{ "canary r 1;", "1:10: error: expected a canary file or pattern in double quotes, found '1'" },
	{ "program \"p\";", "1:9: error: expected a name after 'program', found \"p\"" },
	{ "interpreter 1;", "1:13: error: expected a name after 'interpreter', found '1'" },
	{ "launcher 1;", "1:10: error: expected a name after 'launcher', found '1'" },
	{ "launcher l \"/x\";", "1:12: error: expected 'exe' and the program's files after 'l', found \"/x\"" },
	{ "program p \"/x\";", "1:11: error: expected 'exe' and the program's files after 'p', or 'signed-by' and a key, found \"/x\"" },
	{ "program p exe p;", "1:15: error: expected an executable path in double quotes, found 'p'" },
	{ "program p exe \"/x\" signed;", "1:20: error: expected 'signed-by', 'digest', 'if-installed' or ';' after the exe list, found 'signed'" },
	{ "program p exe \"/x\" signed-by;", "1:29: error: expected a key name after 'signed-by', found ';'" },
	{ "program p exe \"/x\" digest abc;", "1:27: error: expected the digest in double quotes, as \"sha256:<64 hex digits>\", found 'abc'" },
	{ "program p exe \"/x\" signed-by a signed-by b;", "1:32: error: program 'p' already names its key at line 1" },
	{ "program p exe \"/x\" digest \"a\" digest \"b\";", "1:31: error: program 'p' already has a digest at line 1" },
	{ "on { }", "1:4: error: expected the name of the records after 'on', found '{'" },
	{ "on t allow", "1:6: error: expected '{' to open the rules for 't', found 'allow'" },
	{ "on t { permit a read; }", "1:8: error: expected a rule: allow, deny, audit deny or default, found 'permit'" },
	{ "on t { audit a read; }", "1:14: error: expected 'deny' after 'audit', found 'a'" },
	{ "on t { audit allow a read; }", "1:8: error: 'audit' marks a deny rule that only logs; an allow rule never denies, so drop 'audit'" },
	{ "on t { allow read; }", "1:14: error: expected who the rule is about: a program name, signed, unsigned, anyone, user, group, unit or cgroup, found 'read'" },
	{ "on t { allow \"x\" read; }", "1:14: error: expected who the rule is about" },
	{ "on t { allow program; }", "1:21: error: expected a program name after 'program', found ';'" },
	{ "on t { allow user; }", "1:18: error: expected a user name or number, found ';'" },
	{ "on t { allow group {; }", "1:20: error: expected a group name or number, found '{'" },
	{ "on t { allow user 4294967296 read; }", "1:19: error: user id 4294967296 is too large; the largest is 4294967295" },
	{ "on t { allow user \"\" read; }", "1:19: error: empty name in rule" },
	{ "on t { allow unit x; }", "1:19: error: expected a systemd unit in double quotes, such as \"bacula-fd.service\", found 'x'" },
	{ "on t { allow unit \"a/b.service\" read; }", "1:19: error: a unit is a name such as \"bacula-fd.service\", without '/'; for a cgroup path write 'cgroup \"...\"'" },
	{ "on t { allow cgroup x; }", "1:21: error: expected a cgroup directory in double quotes, such as \"/sys/fs/cgroup/system.slice/bacula-fd.service\", found 'x'" },
	{ "on t { allow cgroup \"x\" read; }", "1:21: error: cgroup must be an absolute path under /sys/fs/cgroup" },
	{ "on t { allow a; }", "1:15: error: expected an operation: read, write, create, delete, rename, link, setattr, exec or all, found ';'" },
	{ "on t { allow a read,; }", "1:21: error: expected an operation" },
	{ "on t { allow a read chmod; }", "1:21: error: unknown operation 'chmod'; operations are read, write, create, delete, rename, link, setattr, exec and all" },
	{ "on t { default; }", "1:15: error: expected 'allow' or 'deny' after 'default', found ';'" },
	{ "on t { default deny; default allow; }", "1:22: error: second 'default' in 'on t'; the first is at line 1" },
	{ "on t { default deny; allow a read; }", "1:22: error: rule after 'default' never applies; move 'default' to the end of the block" },
	{ "behaviour on t { }", "1:14: error: expected 'on' and the records that behaviour 'on' watches, found 't'" },
	{ "behaviour b t { }", "1:13: error: expected 'on' and the records that behaviour 'b' watches, found 't'" },
	{ "behaviour b on { }", "1:16: error: expected the name of the records after 'on', found '{'" },
	{ "behaviour b on t ;", "1:18: error: expected '{' to open behaviour 'b', found ';'" },
	{ "behaviour b on t { size 1; }", "1:20: error: expected 'window', 'score', 'at' or 'exempt' in a behaviour, found 'size'" },
	{ "behaviour b on t { exempt; }", "1:26: error: expected the name of a program after 'exempt', found ';'" },
	{ "behaviour b on t { exempt a b; }", "1:29: error: expected ';' to end the exempt programs, found 'b'" },
	{ "behaviour b on t { window; }", "1:26: error: expected a duration such as 10s after 'window', found ';'" },
	{ "behaviour b on t { window 10; }", "1:27: error: window 10 needs a unit: ms, s, m or h (as in 10s)" },
	{ "behaviour b on t { window 10d; }", "1:27: error: unknown unit in duration 10d; use ms, s, m or h" },
	{ "behaviour b on t { window 1s; window 2s; }", "1:31: error: second window in behaviour 'b'; the first is at line 1" },
	{ "behaviour b on t { score 4; }", "1:26: error: expected a signal after 'score', found '4'" },
	{ "behaviour b on t { score bytes 4; }", "1:26: error: unknown signal 'bytes'; signals are first-write, overwrite, replace, rename-ext, rename-out, unlink, create, enumerate, rate, canary and entropy" },
	{ "behaviour b on t { score unlink x; }", "1:33: error: expected weight (a whole number), found 'x'" },
	{ "behaviour b on t { score unlink 4294967296; }", "1:33: error: weight 4294967296 is too large; the largest is 4294967295" },
	{ "behaviour b on t { at kill; }", "1:23: error: expected score threshold (a whole number), found 'kill'" },
	{ "behaviour b on t { at 4; }", "1:24: error: expected an action after the threshold: alert, deny-writes, deny-reads, kill or freeze, found ';'" },
	{ "behaviour b on t { at 4 reboot; }", "1:25: error: unknown action 'reboot'; actions are alert, deny-writes, deny-reads, kill and freeze" },
};

static void test_syntax_errors(void)
{
	for (size_t i = 0; i < sizeof(syntax_errors) / sizeof(syntax_errors[0]); i++) {
		struct parsed p;
		char expected[512];

		snprintf(expected, sizeof(expected), "mem.policy:%s", syntax_errors[i].error);
		parse_text(&p, syntax_errors[i].text);
		ASSERT_HAS(p.text, expected, syntax_errors[i].text);
		ASSERT_TRUE(p.diag.nerrors >= 1, syntax_errors[i].text);
		parsed_free(&p);
	}
}

static void test_warning_operation_twice(void)
{
	struct parsed p;

	parse_text(&p, "on t { allow a read write read; allow b all all; }");
	ASSERT_HAS(p.text, "mem.policy:1:27: warning: operation 'read' is named twice", "twice");
	ASSERT_EQ(p.diag.nwarnings, 1, "'all' twice is not worth a warning");
	ASSERT_EQ(p.diag.nerrors, 0, "no errors");
	parsed_free(&p);
}

static void test_rule_text_is_bounded(void)
{
	char text[1200] = "on t { allow a";
	struct parsed p;

	for (int i = 0; i < 100; i++)
		strcat(text, " read,");
	strcat(text, " read; }");
	parse_text(&p, text);
	ASSERT_EQ(p.diag.nerrors, 0, "parses");
	ASSERT_TRUE(strlen(p.ast.ons[0].rules[0].text) < MG_POLICY_RULE_TEXT_MAX + 20, "bounded text");
	parsed_free(&p);
}

static void test_semantic_errors_wait_for_syntax(void)
{
	struct compiled c = compile_text("mode enforce;\nrecords r \"relative\";\nmode;\n");

	ASSERT_HAS(c.diag, "test.policy:3:5: error: expected 'enforce' or 'audit'", "syntax error");
	ASSERT_FALSE(strstr(c.diag, "absolute"), "no checking after a syntax error");
	ASSERT_TRUE(c.policy == NULL, "no policy");
	compiled_free(&c);
}

static void test_fifo_is_refused(void)
{
	char path[256];
	struct compiled c;

	snprintf(path, sizeof(path), "%s/fifo.policy", policy_test_dir);
	mkfifo(path, 0600);
	c = compile_file(path);
	ASSERT_HAS(c.diag, "fifo.policy\" is not a regular file", "a FIFO does not hang");
	compiled_free(&c);
}

int main(void)
{
	policy_test_setup();
	RUN(test_ast_of_every_statement);
	RUN(test_subjects);
	RUN(test_durations);
	RUN(test_keywords);
	RUN(test_recovery_reports_several_errors);
	RUN(test_include);
	RUN(test_include_errors);
	RUN(test_size_limit);
	RUN(test_nesting_limit);
	RUN(test_unclosed_block);
	RUN(test_syntax_errors);
	RUN(test_warning_operation_twice);
	RUN(test_rule_text_is_bounded);
	RUN(test_semantic_errors_wait_for_syntax);
	RUN(test_fifo_is_refused);
	policy_test_teardown();
	return unit_done();
}
