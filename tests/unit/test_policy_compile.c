// SPDX-License-Identifier: GPL-2.0-only
/* The policy compiler's output: kernel rules, ids, masks, flags, behaviours, and `policy show`. */
#include <stdlib.h>
#include <sys/stat.h>

#include "policy_test.h"
#include "unit.h"

static const char common_policy[] =
	"key it-release \"@DIR@/keys/it-release.pem\";\n"
	"program emrd exe \"/bin/sh\" signed-by it-release;\n";

static const char full_policy[] =
	"# The policy of a test EMR server.\n"
	"include \"common.policy\";\n"
	"mode enforce;\n"
	"allowlist \"@DIR@/allow.sha256\";\n"
	"trust packages;\n"
	"trust scan \"@DIR@\";\n"
	"records emr \"@DIR@/emr\", \"@DIR@/pacs\";\n"
	"records scans \"@DIR@/scans\";\n"
	"records archive \"@DIR@/archive\";\n"
	"canary emr \"@DIR@/emr/.~lock-medguard-*\";\n"
	"canary scans \"@DIR@/scans/canary.dcm\";\n"
	"program tool exe \"/bin/true\" digest \"sha256:00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF\";\n"
	"interpreter python exe \"/bin/false\", \"@DIR@/python3\";\n"
	"on emr {\n"
	"    allow emrd read write create rename;\n"
	"    allow program tool read;\n"
	"    allow user root read, write;\n"
	"    allow group 34 read;\n"
	"    allow cgroup \"/sys/fs/cgroup/\" setattr;\n"
	"    allow signed read;\n"
	"    audit deny signed write;\n"
	"    deny unsigned all;\n"
	"}\n"
	"on scans { allow anyone read link exec; default allow; }\n"
	"behaviour ransomware on emr {\n"
	"    window 10s;\n"
	"    score rename-ext 4; score unlink 2; score canary 100;\n"
	"    at 20 alert; at 40 deny-writes; at 60 kill;\n"
	"    exempt tool, emrd;\n"
	"}\n"
	"launcher admin exe \"/bin/echo\" signed-by it-release;\n"
	"gateway logins exe \"/nonexistent/sshd\", \"/bin/cat\" if-installed;\n"
	"gateway absent exe \"/nonexistent/atd\" if-installed;\n";

static struct compiled compile_full(void)
{
	make_dir("emr");
	make_dir("pacs");
	make_dir("scans");
	make_dir("archive");
	write_bytes("allow.sha256", "", 0);
	write_bytes("python3", "", 0);
	write_policy("common.policy", common_policy);
	return compile_text(full_policy);
}

static void test_globals(void)
{
	struct compiled c = compile_full();
	const struct mg_policy *p = c.policy;

	ASSERT_EQ(c.nerrors, 0, "no errors");
	if (!ASSERT_TRUE(p != NULL, "compiled")) {
		printf("# %s", c.diag);
		return;
	}
	ASSERT_EQ(p->mode, MG_MODE_ENFORCE, "mode");
	ASSERT_EQ(p->nkeys, 1, "one key");
	ASSERT_STREQ(p->keys[0].name, "it-release", "key name");
	ASSERT_HAS(p->keys[0].path, "/keys/it-release.pem", "key path");
	ASSERT_EQ(p->keys[0].key_id, 1, "keys count from 1");
	ASSERT_EQ(p->nallowlists, 1, "allowlist");
	ASSERT_HAS(p->allowlists[0], "/allow.sha256", "allowlist path");
	ASSERT_TRUE(p->trust_packages, "trust packages");
	ASSERT_EQ(p->ntrust_scan, 1, "scan");
	ASSERT_STREQ(p->trust_scan[0], policy_test_dir, "scan directory");
	ASSERT_TRUE(p->nmissing_paths >= 1, "the key file is missing");
	ASSERT_HAS(p->missing_paths[0], "/keys/it-release.pem", "missing key recorded for the loader");
	ASSERT_FALSE(strstr(c.diag, "records root"), "the roots exist");
	ASSERT_DIAG(c, "common.policy:1:16: warning: key file \"@DIR@/keys/it-release.pem\" does not exist",
		    "key warning located in the include");
	compiled_free(&c);
}

static void test_programs(void)
{
	struct compiled c = compile_full();
	const struct mg_policy *p = c.policy;
	static const unsigned char digest[32] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	};

	if (!ASSERT_TRUE(p != NULL, "compiled"))
		return;
	ASSERT_EQ(p->nprograms, 6, "six programs");
	ASSERT_STREQ(p->programs[0].name, "emrd", "the included program comes first");
	ASSERT_EQ(p->programs[0].program_id, 1, "ids count from 1");
	ASSERT_EQ(p->programs[0].required_key_id, 1, "signed-by it-release");
	ASSERT_EQ(p->programs[0].flags, 0, "not an interpreter");
	ASSERT_FALSE(p->programs[0].has_digest, "no digest");
	ASSERT_STREQ(p->programs[0].exes[0], "/bin/sh", "exe");
	ASSERT_STREQ(p->programs[1].name, "tool", "second");
	ASSERT_EQ(p->programs[1].program_id, 2, "id 2");
	ASSERT_EQ(p->programs[1].required_key_id, 0, "any trust source");
	ASSERT_TRUE(p->programs[1].has_digest, "digest");
	ASSERT_EQ(memcmp(p->programs[1].digest, digest, 32), 0, "digest bytes, either case of hex");
	ASSERT_STREQ(p->programs[2].name, "python", "interpreter");
	ASSERT_EQ(p->programs[2].program_id, 3, "id 3");
	ASSERT_EQ(p->programs[2].flags, MG_PROGRAM_INTERPRETER, "interpreter flag");
	ASSERT_EQ(p->programs[2].nexes, 2, "two exes");
	ASSERT_STREQ(p->programs[3].name, "admin", "launcher");
	ASSERT_EQ(p->programs[3].flags, MG_PROGRAM_LAUNCHER, "launcher flag");
	ASSERT_EQ(p->programs[3].required_key_id, 1, "a launcher may require its own signer");
	ASSERT_STREQ(p->programs[4].name, "logins", "gateway");
	ASSERT_EQ(p->programs[4].flags, MG_PROGRAM_GATEWAY, "gateway flag");
	ASSERT_EQ(p->programs[4].nexes, 1, "the file that is not installed is left out");
	ASSERT_STREQ(p->programs[4].exes[0], "/bin/cat", "the installed one stays");
	ASSERT_EQ(p->programs[5].nexes, 0, "a gateway none of whose files is installed has none");
	ASSERT_TRUE(p->programs[5].if_installed, "and says why");
	for (size_t i = 0; i < p->nmissing_paths; i++)
		ASSERT_TRUE(!strstr(p->missing_paths[i], "/nonexistent/"), "files left out are not missing");
	compiled_free(&c);
}

static void test_trees_and_rules(void)
{
	struct compiled c = compile_full();
	const struct mg_policy *p = c.policy;
	const struct mg_policy_tree *emr, *scans, *archive;
	const struct mg_rule *r;
	struct stat st;
	bool have_cgroup = stat("/sys/fs/cgroup/", &st) == 0;

	if (!ASSERT_TRUE(p != NULL, "compiled"))
		return;
	ASSERT_EQ(p->ntrees, 3, "three trees");
	emr = &p->trees[0];
	scans = &p->trees[1];
	archive = &p->trees[2];
	ASSERT_STREQ(emr->name, "emr", "name");
	ASSERT_EQ(emr->tree_id, 0, "trees count from 0");
	ASSERT_EQ(scans->tree_id, 1, "tree 1");
	ASSERT_EQ(emr->nroots, 2, "two roots");
	ASSERT_HAS(emr->roots[1], "/pacs", "second root");
	ASSERT_EQ(emr->ncanaries, 1, "one canary");
	ASSERT_HAS(emr->canaries[0], "/emr/.~lock-medguard-*", "canary pattern kept for the loader");
	ASSERT_HAS(scans->canaries[0], "/scans/canary.dcm", "canary of the second tree");

	r = emr->kernel.rules;
	ASSERT_EQ(emr->kernel.nrules, 8, "eight rules");
	ASSERT_EQ(r[0].subject_kind, MG_SUBJECT_PROGRAM, "program");
	ASSERT_EQ(r[0].subject_value, 1, "emrd is program 1");
	ASSERT_EQ(r[0].ops, MG_OP_READ | MG_OP_WRITE | MG_OP_CREATE | MG_OP_RENAME, "ops mask");
	ASSERT_EQ(r[0].verdict, MG_VERDICT_ALLOW, "allow");
	ASSERT_EQ(r[0].flags, 0, "no flags");
	ASSERT_EQ(r[1].subject_value, 2, "tool is program 2");
	ASSERT_EQ(r[1].ops, MG_OP_READ, "read");
	ASSERT_EQ(r[2].subject_kind, MG_SUBJECT_UID, "user");
	ASSERT_EQ(r[2].subject_value, 0, "root is uid 0");
	ASSERT_EQ(r[3].subject_kind, MG_SUBJECT_GID, "group");
	ASSERT_EQ(r[3].subject_value, 34, "gid by number");
	ASSERT_EQ(r[4].subject_kind, MG_SUBJECT_CGROUP, "cgroup");
	ASSERT_EQ(r[4].ops, MG_OP_SETATTR, "setattr");
	ASSERT_EQ(r[4].subject_value, have_cgroup ? st.st_ino : 0, "cgroup id is the directory's inode");
	ASSERT_STREQ(emr->rule_cgroup_path[4], "/sys/fs/cgroup/", "cgroup path kept");
	ASSERT_TRUE(emr->rule_cgroup_path[0] == NULL, "no cgroup path for other rules");
	ASSERT_EQ(r[5].subject_kind, MG_SUBJECT_SIGNED, "signed");
	ASSERT_EQ(r[6].subject_kind, MG_SUBJECT_SIGNED, "signed again");
	ASSERT_EQ(r[6].verdict, MG_VERDICT_DENY, "deny");
	ASSERT_EQ(r[6].flags, MG_RULE_AUDIT_ONLY, "audit only");
	ASSERT_EQ(r[6].ops, MG_OP_WRITE, "write");
	ASSERT_EQ(r[7].subject_kind, MG_SUBJECT_UNSIGNED, "unsigned");
	ASSERT_EQ(r[7].ops, MG_OP_ALL, "all");
	ASSERT_EQ(r[7].subject_value, 0, "no value");
	ASSERT_EQ(emr->kernel.default_verdict, MG_VERDICT_DENY, "no default line: deny");
	ASSERT_HAS(emr->rule_text[0], "test.policy:15: allow emrd read write create rename", "rule text");
	ASSERT_HAS(emr->rule_text[2], "test.policy:17: allow user root read, write", "rule text with comma");

	ASSERT_EQ(scans->kernel.nrules, 1, "one rule");
	ASSERT_EQ(scans->kernel.rules[0].subject_kind, MG_SUBJECT_ANY, "anyone");
	ASSERT_EQ(scans->kernel.rules[0].ops, MG_OP_READ | MG_OP_LINK | MG_OP_EXEC, "read link exec");
	ASSERT_EQ(scans->kernel.default_verdict, MG_VERDICT_ALLOW, "default allow");

	ASSERT_EQ(archive->kernel.nrules, 0, "no on block: no rules");
	ASSERT_EQ(archive->kernel.default_verdict, MG_VERDICT_ALLOW, "no on block: allow");
	ASSERT_DIAG(c, "warning: records 'archive' have no 'on archive { ... }' rules", "warned");
	compiled_free(&c);
}

static void test_behaviour(void)
{
	struct compiled c = compile_full();
	const struct mg_policy *p = c.policy;
	const struct mg_behaviour *b;

	if (!ASSERT_TRUE(p != NULL, "compiled"))
		return;
	ASSERT_EQ(p->nbehaviours, 1, "one behaviour");
	ASSERT_STREQ(p->behaviours[0].name, "ransomware", "name");
	ASSERT_EQ(p->behaviours[0].tree_id, 0, "on emr");
	b = &p->behaviours[0].kernel;
	ASSERT_EQ(b->window_ns, 10000000000ull, "10s");
	ASSERT_EQ(b->weights[MG_SIGNAL_RENAME_EXT], 4, "rename-ext");
	ASSERT_EQ(b->weights[MG_SIGNAL_UNLINK], 2, "unlink");
	ASSERT_EQ(b->weights[MG_SIGNAL_CANARY], 100, "canary");
	ASSERT_EQ(b->weights[MG_SIGNAL_FIRST_WRITE], 0, "unscored signals weigh 0");
	ASSERT_EQ(b->weights[MG_SIGNAL_ENTROPY], 0, "entropy");
	ASSERT_EQ(b->thresholds[MG_ACTION_ALERT], 20, "alert");
	ASSERT_EQ(b->thresholds[MG_ACTION_DENY_WRITES], 40, "deny-writes");
	ASSERT_EQ(b->thresholds[MG_ACTION_KILL], 60, "kill");
	ASSERT_EQ(b->thresholds[MG_ACTION_FREEZE], 0, "freeze is off");
	ASSERT_EQ(b->nexempt, 2, "two exempt programs");
	ASSERT_EQ(b->exempt_programs[0], 2, "tool, program id 2");
	ASSERT_EQ(b->exempt_programs[1], 1, "emrd, program id 1");
	compiled_free(&c);
}

static void test_defaults_of_a_minimal_policy(void)
{
	struct compiled c;

	make_dir("emr");
	c = compile_text("records emr \"@DIR@/emr\";\non emr { deny anyone delete; }\n");
	ASSERT_EQ(c.nerrors, 0, "compiles");
	ASSERT_DIAG(c, "warning: no 'mode' statement", "warned about the mode");
	if (ASSERT_TRUE(c.policy != NULL, "compiled")) {
		ASSERT_EQ(c.policy->mode, MG_MODE_AUDIT, "audit by default");
		ASSERT_FALSE(c.policy->trust_packages, "no trust packages");
		ASSERT_EQ(c.policy->nkeys + c.policy->nprograms + c.policy->nbehaviours, 0, "nothing else");
		ASSERT_EQ(c.policy->nmissing_paths, 0, "nothing missing");
		ASSERT_EQ(c.policy->trees[0].kernel.default_verdict, MG_VERDICT_DENY, "implicit deny");
	}
	compiled_free(&c);
}

static void test_compile_buffer(void)
{
	static const char text[] = "include \"common.policy\";\nmode audit;\n";
	char name[128];
	int nerrors = -1, nwarnings = -1;
	struct mg_policy *policy;

	write_policy("common.policy", common_policy);
	snprintf(name, sizeof(name), "%s/in-memory.policy", policy_test_dir);
	policy = mg_policy_compile_buffer(name, text, strlen(text), NULL, &nerrors, &nwarnings);
	ASSERT_EQ(nerrors, 0, "compiles, including relative to the name");
	ASSERT_TRUE(nwarnings > 0, "warnings counted");
	if (ASSERT_TRUE(policy != NULL, "compiled"))
		ASSERT_STREQ(policy->programs[0].name, "emrd", "from the include");
	mg_policy_free(policy);
	policy = mg_policy_compile_buffer("x", "mode", 4, NULL, NULL, NULL);
	ASSERT_TRUE(policy == NULL, "errors: no policy, counts optional");
	mg_policy_free(NULL);
}

static void test_describe(void)
{
	struct compiled c = compile_full();
	char *text = NULL;
	size_t size = 0;
	FILE *out;

	if (!ASSERT_TRUE(c.policy != NULL, "compiled"))
		return;
	out = open_memstream(&text, &size);
	mg_policy_describe(c.policy, out);
	fclose(out);
	ASSERT_HAS(text, "mode: enforce: what the rules deny is denied", "mode");
	ASSERT_HAS(text, "signatures by key 1, it-release: ", "key");
	ASSERT_HAS(text, "the files of installed Debian packages", "packages");
	ASSERT_HAS(text, "1. emrd: /bin/sh; must be signed by key it-release", "program");
	ASSERT_HAS(text, "2. tool: /bin/true; trusted by any trust source; must have SHA-256 00112233445566778899aabbccddeeff",
		   "digest");
	ASSERT_HAS(text, "3. python (an interpreter: run directly, it and whatever it starts count as unsigned)", "interpreter");
	ASSERT_HAS(text, "4. admin (a launcher: starts a program signed with a policy key as a new signed lineage)",
		   "launcher");
	ASSERT_DIAG((struct compiled){ .diag = text }, "records emr (@DIR@/emr, @DIR@/pacs):", "records");
	ASSERT_HAS(text, "canaries, any touch is an alarm: ", "canaries");
	ASSERT_HAS(text, "  1. program emrd may read, write, create and rename.\n     from ", "rule in words");
	ASSERT_HAS(text, "test.policy:15: allow emrd read write create rename\n", "rule source");
	ASSERT_HAS(text, "3. user root (uid 0) may read and write.", "user");
	ASSERT_HAS(text, "4. group backup (gid 34) may read.", "group");
	ASSERT_HAS(text, "5. the processes of cgroup /sys/fs/cgroup/ (id ", "cgroup");
	ASSERT_HAS(text, ") may change attributes.", "setattr in words");
	ASSERT_HAS(text, "7. signed programs are logged, not stopped, when they write.", "audit rule");
	ASSERT_HAS(text, "8. unsigned programs may not do anything.", "deny all");
	ASSERT_HAS(text, "  anything else: denied.", "default");
	ASSERT_HAS(text, "1. anyone may read, link and execute.", "anyone");
	ASSERT_HAS(text, "  anything else: allowed.", "default allow");
	ASSERT_HAS(text, ":\n  everything: allowed.", "a tree without rules");
	ASSERT_HAS(text, "behaviour ransomware on records emr:\n  within any 10s window, a process scores 4 per rename-ext, 2 per unlink, 100 per canary.",
		   "behaviour");
	ASSERT_HAS(text, "  at a score of 40: deny its writes to protected records\n  at a score of 60: kill it\n",
		   "actions");
	ASSERT_HAS(text, "  not scored while trusted: tool, emrd (and what they start)\n", "exempt programs");
	ASSERT_HAS(text, "missing on this machine; medguard will not load the policy until they exist:\n  ",
		   "missing paths");
	free(text);
	compiled_free(&c);
}

static void test_describe_audit_mode(void)
{
	struct compiled c;
	char *text = NULL;
	size_t size = 0;
	FILE *out;

	make_dir("emr");
	c = compile_text("mode audit;\nrecords emr \"@DIR@/emr\";\nbehaviour b on emr { window 1500ms; score rate 1; at 9 freeze; }\n");
	if (!ASSERT_TRUE(c.policy != NULL, "compiled"))
		return;
	out = open_memstream(&text, &size);
	mg_policy_describe(c.policy, out);
	fclose(out);
	ASSERT_HAS(text, "mode: audit: nothing is denied; what the rules would deny is logged", "audit");
	ASSERT_HAS(text, "  nothing: no program is signed", "no trust source");
	ASSERT_HAS(text, "within any 1500ms window", "window in ms");
	ASSERT_HAS(text, "at a score of 9: freeze it", "freeze");
	free(text);
	compiled_free(&c);
}

int main(void)
{
	policy_test_setup();
	RUN(test_globals);
	RUN(test_programs);
	RUN(test_trees_and_rules);
	RUN(test_behaviour);
	RUN(test_defaults_of_a_minimal_policy);
	RUN(test_compile_buffer);
	RUN(test_describe);
	RUN(test_describe_audit_mode);
	policy_test_teardown();
	return unit_done();
}
