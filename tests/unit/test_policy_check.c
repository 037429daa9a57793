// SPDX-License-Identifier: GPL-2.0-only
/* The policy checker: every semantic error and warning, keys, limits and unreachable rules. */
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "policy_test.h"
#include "unit.h"

/* Compiles TEXT and checks that its diagnostics contain NEEDLE; both @DIR@-expanded. */
static void expect(const char *text, const char *needle)
{
	struct compiled c = compile_text(text);

	ASSERT_DIAG(c, needle, needle);
	if (strstr(needle, "error: "))
		ASSERT_TRUE(c.policy == NULL, "an error leaves no policy");
	compiled_free(&c);
}

/* Compiles TEXT (@DIR@-expanded) and returns it for the test to inspect. */
static void expect_clean(const char *text, const char *name)
{
	struct compiled c = compile_text(text);

	if (!ASSERT_EQ(c.nerrors + c.nwarnings, 0, name))
		printf("# %s", c.diag);
	ASSERT_TRUE(c.policy != NULL, name);
	compiled_free(&c);
}

/* A header that makes the rest of a test policy clean: mode, a trust source, one records. */
#define HEADER "mode enforce;\ntrust packages;\nrecords emr \"@DIR@\";\n"

static void test_clean_policy(void)
{
	expect_clean(HEADER "program sh exe \"/bin/sh\";\non emr { allow sh read; default deny; }\n",
		     "a complete policy has nothing to say");
}

static void test_mode(void)
{
	expect("mode enforce;\nmode audit;\n",
	       "test.policy:2:6: error: second 'mode' statement; the first is at @DIR@/test.policy:1");
	expect("trust packages;\nrecords emr \"@DIR@\";\non emr { default allow; }\n",
	       "@DIR@/test.policy: warning: no 'mode' statement: medguard runs in audit mode and denies nothing; add 'mode enforce;' to enforce the rules");
}

static void test_paths(void)
{
	char text[512], name[301];

	expect(HEADER "records r \"relative\";\n",
	       "test.policy:4:11: error: records root \"relative\" must be an absolute path, starting with '/'");
	expect(HEADER "records r \"/srv/../etc\";\n",
	       "test.policy:4:11: error: records root \"/srv/../etc\" must not contain '..'; write the path it leads to");
	expect(HEADER "records r \"/srv/..\";\n", "must not contain '..'");
	write_bytes("..a", "", 0);
	expect_clean(HEADER "allowlist \"@DIR@/..a\";\n" "trust scan \"@DIR@/\";\non emr { default allow; }\n",
		     "'..' inside a name is fine");
	memset(name, 'a', 300);
	name[300] = '\0';
	snprintf(text, sizeof(text), HEADER "records r \"/tmp/%s\";\n", name);
	expect(text, "test.policy:4:11: error: cannot look at records root \"/tmp/aaa");
	expect(text, "\": File name too long");
	expect(HEADER "records r \"@DIR@/none\";\n",
	       "test.policy:4:11: warning: records root \"@DIR@/none\" does not exist on this machine; medguard will refuse to load the policy until it does");
	expect(HEADER "trust scan \"/etc/passwd\";\n",
	       "test.policy:4:12: error: directory to scan \"/etc/passwd\" is not a directory");
	expect(HEADER "allowlist \"/tmp\";\n", "test.policy:4:11: error: allowlist \"/tmp\" is not a regular file");
	expect(HEADER "allowlist \"@DIR@/none\";\n", "warning: allowlist \"@DIR@/none\" does not exist");
	expect(HEADER "trust packages;\n",
	       "test.policy:4:7: warning: 'trust packages' is already stated at @DIR@/test.policy:2");
}

static void test_names(void)
{
	char text[256], name[70];

	memset(name, 'n', 64);
	name[64] = '\0';
	snprintf(text, sizeof(text), HEADER "records %s \"/\";\n", name);
	expect(text, "test.policy:4:9: error: records name 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn' is longer than 63 bytes (MG_POLICY_MAX_NAME_LEN)");
	name[63] = '\0';
	snprintf(text, sizeof(text), HEADER "on emr { default allow; }\nrecords %s \"/\";\non %s { default allow; }\n",
		 name, name);
	expect_clean(text, "63 bytes is fine");
	expect(HEADER "program read exe \"/bin/sh\";\n",
	       "test.policy:4:9: error: 'read' is a keyword of the policy language and cannot name a program; choose another name");
	expect(HEADER "interpreter kill exe \"/bin/sh\";\n", "error: 'kill' is a keyword of the policy language and cannot name a interpreter");
	expect(HEADER "key unsigned \"/k\";\n", "error: 'unsigned' is a keyword of the policy language and cannot name a key");
	expect(HEADER "behaviour window on emr { window 1s; score unlink 1; at 1 alert; }\n",
	       "error: 'window' is a keyword of the policy language and cannot name a behaviour");
	expect("records all \"/\";\n", "error: 'all' is a keyword of the policy language and cannot name a records");
}

/* Writes the key and certificate files the key tests use. */
static void write_keys(void)
{
	EVP_PKEY *pkey = EVP_EC_gen("P-256");
	X509 *cert = X509_new();
	X509_NAME *name;
	char path[256];
	FILE *file;

	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	X509_set_pubkey(cert, pkey);
	name = X509_get_subject_name(cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"medguard test", -1, -1, 0);
	X509_set_issuer_name(cert, name);
	X509_sign(cert, pkey, EVP_sha256());

	snprintf(path, sizeof(path), "%s/pub.pem", policy_test_dir);
	file = fopen(path, "w");
	PEM_write_PUBKEY(file, pkey);
	fclose(file);
	snprintf(path, sizeof(path), "%s/pub.der", policy_test_dir);
	file = fopen(path, "w");
	i2d_PUBKEY_fp(file, pkey);
	fclose(file);
	snprintf(path, sizeof(path), "%s/cert.pem", policy_test_dir);
	file = fopen(path, "w");
	PEM_write_X509(file, cert);
	fclose(file);
	snprintf(path, sizeof(path), "%s/cert.der", policy_test_dir);
	file = fopen(path, "w");
	i2d_X509_fp(file, cert);
	fclose(file);
	snprintf(path, sizeof(path), "%s/private.pem", policy_test_dir);
	file = fopen(path, "w");
	PEM_write_PrivateKey(file, pkey, NULL, NULL, 0, NULL, NULL);
	fclose(file);
	X509_free(cert);
	EVP_PKEY_free(pkey);
}

static void test_keys(void)
{
	char *big = calloc(1, 70000);
	char text[512], name[301];
	struct compiled c;

	write_keys();
	c = compile_text(HEADER "on emr { default allow; }\nkey a \"@DIR@/pub.pem\";\nkey b \"@DIR@/pub.der\";\n"
				"key c \"@DIR@/cert.pem\";\nkey d \"@DIR@/cert.der\";\n");
	ASSERT_EQ(c.nerrors + c.nwarnings, 0, "PEM and DER keys and certificates");
	ASSERT_EQ(c.policy ? c.policy->nkeys : 0, 4, "four keys");
	compiled_free(&c);

	expect(HEADER "key k \"@DIR@/private.pem\";\n",
	       "test.policy:4:7: error: key file \"@DIR@/private.pem\" holds no public key or X.509 certificate (PEM or DER); export it with 'openssl pkey -pubout'");
	expect(HEADER "key k \"/etc/passwd\";\n", "error: key file \"/etc/passwd\" holds no public key");
	expect(HEADER "key k \"relative.pem\";\n",
	       "test.policy:4:7: error: key file \"relative.pem\" must be an absolute path, starting with '/'");
	expect(HEADER "key k \"@DIR@/none.pem\";\n",
	       "test.policy:4:7: warning: key file \"@DIR@/none.pem\" does not exist on this machine; medguard will refuse to load the policy until it does");
	expect(HEADER "key k \"/tmp\";\n", "test.policy:4:7: error: key file \"/tmp\" is not a regular file");
	expect(HEADER "key k \"/proc/self/mem\";\n",
	       "test.policy:4:7: error: cannot read key file \"/proc/self/mem\": Input/output error");
	memset(name, 'a', 300);
	name[300] = '\0';
	snprintf(text, sizeof(text), HEADER "key k \"/tmp/%s\";\n", name);
	expect(text, "test.policy:4:7: error: cannot open key file \"/tmp/aaa");
	memset(big, 'A', 70000);
	write_bytes("big.pem", big, 70000);
	expect(HEADER "key k \"@DIR@/big.pem\";\n",
	       "test.policy:4:7: error: key file \"@DIR@/big.pem\" is larger than 65536 bytes; name the public key or certificate, not a bundle");
	expect(HEADER "key k \"@DIR@/pub.pem\";\nkey k \"@DIR@/pub.der\";\n",
	       "test.policy:5:5: error: key 'k' is already declared at @DIR@/test.policy:4");
	free(big);
}

/* HEAD, COUNT copies of LINE (where each %d is the copy's number), then TAIL. */
static char *repeat(const char *head, const char *line, int count, const char *tail)
{
	size_t size = strlen(head) + (strlen(line) + 16) * (size_t)count + strlen(tail) + 1;
	char *text = malloc(size);
	size_t len = (size_t)snprintf(text, size, "%s", head);

	for (int i = 0; i < count; i++)
		len += (size_t)snprintf(text + len, size - len, line, i, i, i);
	snprintf(text + len, size - len, "%s", tail);
	return text;
}

static void test_limits(void)
{
	char *text;

	text = repeat(HEADER, "key k%d \"@DIR@/pub.pem\";\n", 33, "");
	expect(text, "test.policy:36:5: error: more than 32 keys (MG_MAX_KEYS)");
	free(text);
	text = repeat("mode enforce;\n", "records r%d \"/r%d\";\non r%d { default allow; }\n", 65, "");
	expect(text, "test.policy:130:9: error: more than 64 records statements (MG_MAX_TREES)");
	free(text);
	text = repeat(HEADER, "program p%d exe \"/bin/p%d\";\n", 257, "");
	expect(text, "test.policy:260:9: error: more than 256 programs and interpreters (MG_MAX_PROGRAMS)");
	free(text);
	text = repeat(HEADER "program p exe \"/x\"", ",\n\"/bin/x%d\"", 1024, ";\n");
	expect(text, "test.policy:1028:1: error: more than 1024 program files (MG_MAX_PROGRAM_EXES)");
	free(text);
	text = repeat(HEADER "records r \"/\"", ",\n\"/r%d\"", 4095, ";\n");
	expect(text, "test.policy:4099:1: error: more than 4096 records roots and canaries (MG_MAX_OBJECTS)");
	free(text);
	text = repeat(HEADER "records r \"/\"", ",\n\"/r%d\"", 4093, ";\ncanary r \"/x\", \"/y\";\n");
	expect(text, "test.policy:4098:16: error: more than 4096 records roots and canaries (MG_MAX_OBJECTS)");
	free(text);
	text = repeat(HEADER "program p exe \"/bin/sh\";\non emr {\n", "allow p read;\n", 33, "}\n");
	expect(text, "test.policy:38:1: error: more than 32 rules in 'on emr' (MG_MAX_RULES_PER_TREE); merge rules that share a subject");
	free(text);
}

static void test_records_and_canaries(void)
{
	make_dir("emr");
	expect(HEADER "records emr \"/x\";\n", "test.policy:4:9: error: records 'emr' are already declared at @DIR@/test.policy:3");
	expect(HEADER "records pacs \"@DIR@/\";\n",
	       "test.policy:4:14: error: \"@DIR@/\" is already a root of records 'emr' at @DIR@/test.policy:3");
	expect(HEADER "records pacs \"/a\", \"/a//\";\n", "error: \"/a//\" is already a root of records 'pacs'");
	expect(HEADER "canary pacs \"/x\";\n",
	       "test.policy:4:8: error: unknown records 'pacs'; declare them with 'records pacs \"/path\";'");
	expect(HEADER "canary emr \"@DIR@/*/x\";\n",
	       "test.policy:4:12: error: canary \"@DIR@/*/x\" may use *, ? and [ only in its last component");
	expect(HEADER "canary emr \"/tmp/.canary\";\n",
	       "test.policy:4:12: warning: canary \"/tmp/.canary\" lies outside every root of records 'emr'; it is watched all the same");
	expect(HEADER "canary emr \"@DIR@/none/.c*\";\n",
	       "test.policy:4:12: warning: canary directory \"@DIR@/none\" does not exist on this machine");
	expect(HEADER "canary emr \"relative\";\n", "error: canary \"relative\" must be an absolute path");
	expect_clean(HEADER "on emr { default deny; }\ncanary emr \"@DIR@/emr/.~lock-*\", \"@DIR@/[ab]\";\n",
		     "patterns in the last component");
	expect("mode enforce;\nrecords emr \"@DIR@\";\n",
	       "test.policy:2:9: warning: records 'emr' have no 'on emr { ... }' rules: every access to them is allowed");
	expect("mode enforce;\n", "@DIR@/test.policy: warning: the policy protects nothing; add a 'records' statement naming the medical records");
	expect("mode enforce;\nrecords emr \"@DIR@\";\non emr { deny unsigned all; }\n",
	       "@DIR@/test.policy: warning: no trust source (key, allowlist, trust packages or trust scan): no program can be signed");
}

static void test_programs(void)
{
	expect(HEADER "program p exe \"/bin/sh\" signed-by release;\n",
	       "test.policy:4:35: error: unknown key 'release'; declare it with 'key release \"/path/to/key.pem\";'");
	expect(HEADER "program p exe \"/bin/sh\" digest \"sha256:abc\";\n",
	       "test.policy:4:32: error: digest of program 'p' must be \"sha256:\" and 64 hex digits, as printed by 'sha256sum'");
	expect(HEADER "program p exe \"/bin/sh\" digest \"sha1:0123456789012345678901234567890123456789012345678901234567890123\";\n",
	       "must be \"sha256:\" and 64 hex digits");
	expect(HEADER "program p exe \"/bin/sh\" digest \"sha256:g123456789012345678901234567890123456789012345678901234567890123\";\n",
	       "must be \"sha256:\" and 64 hex digits");
	expect(HEADER "program p exe \"/bin/sh\";\nprogram q exe \"/bin/true\", \"/bin/sh\";\n",
	       "test.policy:5:28: error: \"/bin/sh\" already belongs to program 'p' at @DIR@/test.policy:4");
	expect(HEADER "program p exe \"/bin/sh\", \"/bin/sh\";\n", "error: \"/bin/sh\" already belongs to program 'p'");
	expect(HEADER "program p exe \"/bin/sh\";\ninterpreter p exe \"/bin/true\";\n",
	       "test.policy:5:13: error: program 'p' is already declared at @DIR@/test.policy:4");
	expect(HEADER "program p exe \"/tmp\";\n", "test.policy:4:15: error: program file \"/tmp\" is not a regular file");
	expect(HEADER "program p exe \"/opt/none/bin/p\";\n",
	       "test.policy:4:15: warning: program file \"/opt/none/bin/p\" does not exist on this machine");
}

static void test_subjects(void)
{
	expect(HEADER "on emr { allow emrd read; }\n",
	       "test.policy:4:16: error: unknown program 'emrd'; declare it with 'program emrd exe \"/path\";'");
	expect(HEADER "on emr { allow user no-such-user-here read; }\n",
	       "test.policy:4:21: error: unknown user 'no-such-user-here' on this machine; create it first, or write its number");
	expect(HEADER "on emr { allow group no-such-group-here read; }\n",
	       "test.policy:4:22: error: unknown group 'no-such-group-here' on this machine; create it first, or write its number");
	expect(HEADER "on emr { allow unit \"bacula-fd\" read; }\n",
	       "test.policy:4:21: error: \"bacula-fd\" is not a systemd unit of the system slice, such as \"bacula-fd.service\"; for another cgroup write 'cgroup \"/sys/fs/cgroup/...\"'");
	expect(HEADER "on emr { allow unit \".service\" read; }\n", "is not a systemd unit");
	expect(HEADER "on emr { allow cgroup \"/sys/fs/cgroupx/a\" read; }\n",
	       "test.policy:4:23: error: cgroup \"/sys/fs/cgroupx/a\" must be under /sys/fs/cgroup/");
	expect(HEADER "on emr { allow cgroup \"/sys/fs/cgroup/../../etc\" read; }\n",
	       "error: cgroup \"/sys/fs/cgroup/../../etc\" must not contain '..'");
	expect(HEADER "on emr { allow unit \"mgt-none.service\" read; }\n",
	       "test.policy:4:21: warning: cgroup of the unit \"/sys/fs/cgroup/system.slice/mgt-none.service\" does not exist on this machine");
	expect(HEADER "on emr { allow cgroup \"/sys/fs/cgroup/mgt-none\" read; }\n",
	       "warning: cgroup \"/sys/fs/cgroup/mgt-none\" does not exist on this machine");
	expect(HEADER "on pacs { default deny; }\n", "test.policy:4:4: error: unknown records 'pacs'");
	expect(HEADER "on emr { default deny; }\non emr { default allow; }\n",
	       "test.policy:5:4: error: records 'emr' already have their rules at @DIR@/test.policy:4; keep one 'on emr' block");
}

static void test_cgroup_file_is_refused(void)
{
	static const char *const files[] = { "/sys/fs/cgroup/cgroup.procs", "/sys/fs/cgroup/unified/cgroup.procs" };

	for (size_t i = 0; i < 2; i++) {
		char text[256];

		if (access(files[i], F_OK) != 0)
			continue;
		snprintf(text, sizeof(text), HEADER "on emr { allow cgroup \"%s\" read; }\n", files[i]);
		expect(text, "is not a directory");
		return;
	}
	printf("# no cgroup file on this machine to test with\n");
}

static void test_unreachable_rules(void)
{
	expect(HEADER "program p exe \"/bin/sh\";\non emr {\n allow p read write;\n deny p write;\n}\n",
	       "test.policy:7:2: error: this rule never applies: an earlier rule decides first (@DIR@/test.policy:6: allow p read write); move this rule above it or remove it");
	expect(HEADER "program p exe \"/bin/sh\";\non emr {\n allow p read write;\n allow p read;\n}\n",
	       "test.policy:7:2: warning: this rule never applies: earlier rules already give the same answer (@DIR@/test.policy:6: allow p read write); remove it");
	expect(HEADER "program p exe \"/bin/sh\";\non emr {\n deny anyone delete;\n allow p delete;\n}\n",
	       "test.policy:7:2: error: this rule never applies: an earlier rule decides first (@DIR@/test.policy:6: deny anyone delete)");
	expect(HEADER "program p exe \"/bin/sh\";\non emr {\n allow signed read;\n allow unsigned read;\n deny p read;\n}\n",
	       "test.policy:8:2: error: this rule never applies: an earlier rule decides first (@DIR@/test.policy:7: allow unsigned read)");
	expect(HEADER "on emr {\n allow user root read;\n deny user 0 read;\n}\n",
	       "test.policy:6:2: error: this rule never applies: an earlier rule decides first (@DIR@/test.policy:5: allow user root read)");
	expect(HEADER "on emr {\n deny signed write;\n audit deny signed write;\n}\n",
	       "test.policy:6:2: error: this rule never applies: an earlier rule decides first (@DIR@/test.policy:5: deny signed write)");
	expect(HEADER "on emr {\n allow anyone all;\n default deny;\n}\n",
	       "test.policy:6:2: warning: 'default' never applies: the rules above decide every operation for everyone");
	expect_clean(HEADER "program p exe \"/bin/sh\";\non emr {\n allow p read;\n deny p read write;\n default allow;\n}\n",
		     "a rule that still decides some operation is fine");
	expect_clean(HEADER "on emr {\n deny signed write;\n allow unsigned write;\n}\n",
		     "signed does not cover unsigned");
	expect_clean(HEADER "on emr {\n deny signed write;\n allow anyone write;\n}\n",
		     "signed does not cover anyone");
	expect(HEADER "on emr {\n deny signed write;\n allow unsigned write;\n deny anyone write;\n}\n",
	       "test.policy:7:2: error: this rule never applies: an earlier rule decides first (@DIR@/test.policy:6: allow unsigned write)");
	expect_clean(HEADER "on emr {\n allow user root read;\n deny group root read;\n}\n",
		     "a user and a group are different subjects");
}

static void test_behaviours(void)
{
	expect(HEADER "behaviour b on pacs { window 1s; score unlink 1; at 1 alert; }\n",
	       "test.policy:4:16: error: unknown records 'pacs'");
	expect(HEADER "behaviour b on emr { score unlink 1; at 1 alert; }\n",
	       "test.policy:4:11: error: behaviour 'b' has no window; add one such as 'window 10s;'");
	expect(HEADER "behaviour b on emr { window 25h; score unlink 1; at 1 alert; }\n",
	       "test.policy:4:22: error: window of behaviour 'b' must be between 1ms and 24h");
	expect(HEADER "behaviour b on emr { window 0s; score unlink 1; at 1 alert; }\n", "must be between 1ms and 24h");
	expect(HEADER "behaviour b on emr { window 1s; at 1 alert; }\n",
	       "test.policy:4:11: error: behaviour 'b' scores no signal; add lines such as 'score rename-ext 4;'");
	expect(HEADER "behaviour b on emr { window 1s; score unlink 1; }\n",
	       "test.policy:4:11: error: behaviour 'b' has no action; add one such as 'at 40 deny-writes;'");
	expect(HEADER "behaviour b on emr { window 1s; score unlink 1; score unlink 2; at 1 alert; }\n",
	       "test.policy:4:49: error: signal 'unlink' is already scored at line 4");
	expect(HEADER "behaviour b on emr { window 1s; score unlink 1; at 1 alert; at 2 alert; }\n",
	       "test.policy:4:61: error: action 'alert' already has a threshold at line 4");
	expect(HEADER "behaviour b on emr { window 1s; score unlink 1; at 0 kill; }\n",
	       "test.policy:4:49: error: threshold of 'kill' must be at least 1; leave the line out to turn the action off");
	expect(HEADER "behaviour b on emr {\n window 1s; score unlink 1;\n at 60 deny-writes;\n at 40 kill;\n}\n",
	       "test.policy:7:2: error: 'at 40 kill' comes before 'at 60 deny-writes' (line 6); a stronger action needs a score at least as high");
	expect(HEADER "behaviour b on emr { window 1s; score unlink 1; at 1 alert; }\n"
		      "behaviour b on emr { window 1s; score unlink 1; at 1 alert; }\n",
	       "test.policy:5:11: error: behaviour 'b' is already declared at @DIR@/test.policy:4");
	expect_clean(HEADER "on emr { default allow; }\n"
			    "behaviour b on emr { window 1s; score unlink 1; at 1 alert; }\n"
			    "behaviour c on emr { window 10m; score read 1; at 5 alert; at 9 deny-reads; }\n",
		     "two behaviours may watch one tree");
	expect(HEADER "behaviour b1 on emr { window 1s; score unlink 1; at 1 alert; }\n"
		      "behaviour b2 on emr { window 1s; score unlink 1; at 1 alert; }\n"
		      "behaviour b3 on emr { window 1s; score unlink 1; at 1 alert; }\n"
		      "behaviour b4 on emr { window 1s; score unlink 1; at 1 alert; }\n"
		      "behaviour b5 on emr { window 1s; score unlink 1; at 1 alert; }\n",
	       "test.policy:8:17: error: records 'emr' are already watched by 4 behaviours; merge two of them");
	expect(HEADER "behaviour b on emr { window 1s; score read 1; at 9 alert; at 5 deny-reads; }\n",
	       "'at 5 deny-reads' comes before 'at 9 alert'");
	expect_clean(HEADER "on emr { default allow; }\n"
			    "behaviour b on emr { window 1s; score read 1; score unlink 1; at 9 deny-writes; at 5 deny-reads; }\n",
		     "deny-reads and deny-writes are not ordered against each other");
	expect_clean(HEADER "on emr { default allow; }\nbehaviour b on emr { window 1s; score unlink 1; at 5 alert; at 5 deny-writes; at 9 freeze; }\n",
		     "equal thresholds are fine");
}

#define BEHAVIOUR_WITH(exempt) \
	HEADER "on emr { default allow; }\nprogram dpkg exe \"/bin/sh\";\ninterpreter shell exe \"/bin/true\";\n" \
	       "behaviour b on emr { window 1s; score unlink 1; at 1 alert; " exempt " }\n"

static void test_exempt_programs(void)
{
	expect_clean(BEHAVIOUR_WITH("exempt dpkg;"), "a program may be exempt");
	write_keys();
	expect_clean(HEADER "on emr { default allow; }\nkey backup \"@DIR@/pub.pem\";\nprogram backup signed-by backup;\n"
			    "behaviour b on emr { window 1s; score read 1; at 1 alert; exempt backup; }\n",
		     "a program named by its key may be exempt");
	expect(HEADER "on emr { default allow; }\nkey backup \"@DIR@/pub.pem\";\nprogram a signed-by backup;\n"
		      "program b signed-by backup;\n",
	       "error: key 'backup' already names program 'a' at line 6; one program per key");
	expect(BEHAVIOUR_WITH("exempt apt;"),
	       "test.policy:7:68: error: unknown program 'apt'; declare it with 'program apt exe \"/path\";'");
	expect(BEHAVIOUR_WITH("exempt shell;"),
	       "test.policy:7:68: error: 'shell' is an interpreter: it runs whatever script it is given, so it cannot be exempt");
	expect(BEHAVIOUR_WITH("exempt dpkg; exempt dpkg;"),
	       "test.policy:7:81: error: program 'dpkg' is already exempt at line 7");
	expect(BEHAVIOUR_WITH("exempt dpkg, dpkg, dpkg, dpkg, dpkg, dpkg, dpkg, dpkg, dpkg;"),
	       "test.policy:7:116: error: behaviour 'b' exempts more than 8 programs; exempt only package managers");
}

static void test_checker_diagnostics_are_capped(void)
{
	char *text = repeat(HEADER, "on nope%d { default deny; }\n", 150, "");
	struct compiled c = compile_text(text);

	ASSERT_EQ(c.nerrors, 101, "100 errors and the cap");
	ASSERT_HAS(c.diag, "error: too many diagnostics (limit 100)", "cap");
	compiled_free(&c);
	free(text);
}

int main(void)
{
	policy_test_setup();
	RUN(test_clean_policy);
	RUN(test_mode);
	RUN(test_paths);
	RUN(test_names);
	RUN(test_keys);
	RUN(test_limits);
	RUN(test_records_and_canaries);
	RUN(test_programs);
	RUN(test_subjects);
	RUN(test_cgroup_file_is_refused);
	RUN(test_unreachable_rules);
	RUN(test_behaviours);
	RUN(test_exempt_programs);
	RUN(test_checker_diagnostics_are_capped);
	policy_test_teardown();
	return unit_done();
}
