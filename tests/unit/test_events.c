// SPDX-License-Identifier: GPL-2.0-only
/* Events as the operator reads them: JSON lines and syslog text. */
#include <stdlib.h>

#include "daemon/event_format.h"
#include "kernel/kernel.h"
#include "unit.h"

static void put_component(struct mg_event *event, unsigned int index, const char *name)
{
	strncpy(event->path[index], name, MG_NAME_LEN);
	event->npath = index + 1;
}

static struct mg_event denied_write(void)
{
	struct mg_event event = {
		.time_ns = 1500000000ull,
		.kind = MG_EVENT_ACCESS,
		.pid = 42,
		.ppid = 1,
		.uid = 0,
		.op = MG_OP_READ | MG_OP_WRITE,
		.verdict = MG_EVENT_DENIED,
		.tree_id = 0,
		.rule_index = 1,
		.root_ino = 7,
	};

	memcpy(event.comm, "evil\"tool", 10);
	put_component(&event, 0, "chart.pdf");
	put_component(&event, 1, "2026");
	return event;
}

static struct mg_policy *one_tree_policy(void)
{
	struct mg_policy *policy = calloc(1, sizeof(*policy));

	policy->ntrees = 1;
	policy->trees = calloc(1, sizeof(*policy->trees));
	policy->trees[0].name = "emr";
	policy->trees[0].kernel.nrules = 2;
	policy->trees[0].kernel.default_verdict = MG_VERDICT_DENY;
	policy->trees[0].rule_text[1] = "deny unsigned all";
	return policy;
}

static void free_policy(struct mg_policy *policy)
{
	free(policy->trees);
	free(policy);
}

static void test_event_json_fields(void)
{
	struct mg_policy *policy = one_tree_policy();
	struct mg_event event = denied_write();
	struct mg_event_names names = { .policy = policy, .root_path = "/srv/emr", .exe = "/tmp/evil" };
	char line[4096];

	mg_event_to_json(&event, &names, line, sizeof(line));
	ASSERT_HAS(line, "\"event\":\"access\"", "kind");
	ASSERT_HAS(line, "\"verdict\":\"denied\"", "verdict");
	ASSERT_HAS(line, "\"op\":\"write\"", "read+write open reported as write");
	ASSERT_HAS(line, "\"path\":\"/srv/emr/2026/chart.pdf\"", "path is root plus components, leaf last");
	ASSERT_HAS(line, "\"records\":\"emr\"", "records name");
	ASSERT_HAS(line, "\"rule\":\"deny unsigned all\"", "rule text");
	ASSERT_HAS(line, "\"comm\":\"evil\\\"tool\"", "quotes escaped");
	ASSERT_HAS(line, "\"exe\":\"/tmp/evil\"", "exe");
	ASSERT_HAS(line, "\"label\":\"untrusted\"", "label");
	ASSERT_TRUE(line[strlen(line) - 1] == '\n', "one line");
	ASSERT_TRUE(strchr(line, '\n') == line + strlen(line) - 1, "exactly one newline");
	free_policy(policy);
}

static void test_event_default_rule(void)
{
	struct mg_policy *policy = one_tree_policy();
	struct mg_event event = denied_write();
	struct mg_event_names names = { .policy = policy };
	char line[4096];

	event.rule_index = MG_RULE_DEFAULT;
	mg_event_to_json(&event, &names, line, sizeof(line));
	ASSERT_HAS(line, "\"rule\":\"default deny\"", "tree default named");
	free_policy(policy);
}

static void test_event_control_bytes_escaped(void)
{
	struct mg_event event = denied_write();
	struct mg_event_names names = { 0 };
	char line[4096];

	put_component(&event, 0, "a\nb\x01");
	event.npath = 1;
	mg_event_to_json(&event, &names, line, sizeof(line));
	ASSERT_HAS(line, "a\\u000ab\\u0001", "newline and control bytes escaped");
	ASSERT_TRUE(strchr(line, '\n') == line + strlen(line) - 1, "a newline in a name does not split the line");
}

static void test_event_path_without_root(void)
{
	struct mg_event event = denied_write();
	char path[256];

	mg_event_path(&event, NULL, path, sizeof(path));
	ASSERT_STREQ(path, "/2026/chart.pdf", "components alone");
	event.npath = 0;
	mg_event_path(&event, "/srv/emr", path, sizeof(path));
	ASSERT_STREQ(path, "/srv/emr", "the root itself");
}

static void test_event_truncates_safely(void)
{
	struct mg_event event = denied_write();
	struct mg_event_names names = { .root_path = "/srv/emr" };
	char line[32];
	size_t len;

	len = mg_event_to_json(&event, &names, line, sizeof(line));
	ASSERT_TRUE(len < sizeof(line), "length within the buffer");
	ASSERT_EQ(strlen(line), len, "NUL-terminated at its length");
}

static void test_event_text(void)
{
	struct mg_policy *policy = one_tree_policy();
	struct mg_event event = denied_write();
	struct mg_event_names names = { .policy = policy, .root_path = "/srv/emr", .exe = "/tmp/evil" };
	char line[1024];

	mg_event_to_text(&event, &names, line, sizeof(line));
	ASSERT_HAS(line, "access denied write /srv/emr/2026/chart.pdf by pid 42 (/tmp/evil, untrusted", "syslog text");
	ASSERT_HAS(line, "rule \"deny unsigned all\"", "syslog rule");
	free_policy(policy);
}

static void test_event_provenance(void)
{
	struct mg_event event = denied_write();
	struct mg_event_names names = { .root_path = "/srv/emr", .exe = "/usr/bin/cat" };
	char line[1024];

	event.label_flags = MG_LABEL_UNTRUSTED_START | MG_LABEL_TRACED;
	event.trust_source = MG_TRUST_PACKAGE;
	mg_event_to_json(&event, &names, line, sizeof(line));
	ASSERT_HAS(line, "\"label\":\"untrusted\",\"trust\":\"package\",\"started_by\":\"untrusted\",\"traced\":true",
		   "a verified file started by an untrusted task says why it is untrusted");

	event.kind = MG_EVENT_LAUNCH;
	event.verdict = MG_EVENT_DENIED;
	event.label_flags = MG_LABEL_UNTRUSTED_START;
	mg_event_to_json(&event, &names, line, sizeof(line));
	ASSERT_HAS(line, "\"event\":\"launch\",\"verdict\":\"denied\"", "a refused launch");
	event.verdict = MG_EVENT_ALLOWED;
	event.label_flags = MG_LABEL_TRUSTED | MG_LABEL_LAUNCHED;
	mg_event_to_json(&event, &names, line, sizeof(line));
	ASSERT_HAS(line, "\"verdict\":\"allowed\"", "a launch");
	ASSERT_HAS(line, "\"launched\":true", "the lineage is marked launched");

	event.kind = MG_EVENT_PTRACE;
	event.obj_ino = 4242;
	mg_event_to_json(&event, &names, line, sizeof(line));
	ASSERT_HAS(line, "\"event\":\"ptrace\"", "a refused trace");
	ASSERT_HAS(line, "\"other_pid\":4242", "the other end of the trace");

	event.kind = MG_EVENT_ACCESS;
	event.rule_index = MG_RULE_TOO_DEEP;
	event.tree_id = MG_TREE_UNKNOWN;
	mg_event_to_json(&event, &names, line, sizeof(line));
	ASSERT_HAS(line, "\"rule\":\"fail closed: the file lies deeper", "a walk that ran out says so");

	event.rule_index = MG_RULE_DISCONNECTED;
	mg_event_to_json(&event, &names, line, sizeof(line));
	ASSERT_HAS(line, "\"rule\":\"fail closed: the file was reached by no path", "a disconnected dentry says so");
}

int main(void)
{
	RUN(test_event_json_fields);
	RUN(test_event_default_rule);
	RUN(test_event_control_bytes_escaped);
	RUN(test_event_path_without_root);
	RUN(test_event_truncates_safely);
	RUN(test_event_text);
	RUN(test_event_provenance);
	return unit_done();
}
