// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemon writes the kernel's events for an operator: names from the
 * policy in force for its trees, rules, programs and behaviours, one JSON
 * object a line, or one syslog line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "event_format.h"
#include "kernel/kernel.h"

struct buffer {
	char *data;
	size_t size;
	size_t len;
};

static void put(struct buffer *buffer, const char *format, ...)
{
	va_list args;
	int written;

	if (buffer->len + 1 >= buffer->size)
		return;
	va_start(args, format);
	written = vsnprintf(buffer->data + buffer->len, buffer->size - buffer->len, format, args);
	va_end(args);
	if (written < 0)
		return;
	buffer->len += (size_t)written;
	if (buffer->len >= buffer->size)
		buffer->len = buffer->size - 1;
}

void mg_json_escape(const char *text, char *out, size_t size)
{
	struct buffer buffer = { .data = out, .size = size };
	const unsigned char *c;

	out[0] = '\0';
	for (c = (const unsigned char *)text; *c; c++) {
		if (*c == '"' || *c == '\\')
			put(&buffer, "\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			put(&buffer, "\\u%04x", *c);
		else
			put(&buffer, "%c", *c);
	}
}

/* A JSON string: names from the kernel may hold any byte but NUL. */
static void put_json_string(struct buffer *buffer, const char *text)
{
	char escaped[MG_EVENT_PATH_DEPTH * (MG_NAME_LEN + 1) * 6 + 4096];

	mg_json_escape(text, escaped, sizeof(escaped));
	put(buffer, "\"%s\"", escaped);
}

/* An open for read and write is reported as the write it allows. */
static const char *event_op_name(__u32 op)
{
	if (op == MG_OP_MOUNT)
		return "mount";
	if (op == MG_OP_UNMOUNT)
		return "unmount";
	if (op == MG_OP_BPF_LOAD)
		return "bpf-load";
	if (op & MG_OP_WRITE)
		return mg_op_name(MG_OP_WRITE);
	return mg_op_name(op & -op);
}

static const char *trust_source_name(__u32 source)
{
	switch (source) {
	case MG_TRUST_SIGNATURE:
		return "signature";
	case MG_TRUST_ALLOWLIST:
		return "allowlist";
	case MG_TRUST_PACKAGE:
		return "package";
	}
	return "none";
}

static const char *kind_name(__u32 kind)
{
	switch (kind) {
	case MG_EVENT_ACCESS:
		return "access";
	case MG_EVENT_TAINT:
		return "taint";
	case MG_EVENT_TRUST_MISS:
		return "trust-miss";
	case MG_EVENT_BEHAVIOUR:
		return "behaviour";
	case MG_EVENT_LAUNCH:
		return "launch";
	case MG_EVENT_PTRACE:
		return "ptrace";
	case MG_EVENT_UNIT:
		return "unit-untrusted";
	}
	return "unknown";
}

static const char *verdict_name(__u32 verdict)
{
	switch (verdict) {
	case MG_EVENT_DENIED:
		return "denied";
	case MG_EVENT_AUDITED:
		return "audit";
	}
	return "allowed";
}

static const char *label_name(__u32 flags)
{
	if (flags & MG_LABEL_TRUSTED)
		return "trusted";
	if (flags & MG_LABEL_TAINTED)
		return "tainted";
	return "untrusted";
}

static const struct mg_policy_tree *event_tree(const struct mg_event *event, const struct mg_policy *policy)
{
	if (!policy || event->kind != MG_EVENT_ACCESS || event->tree_id >= policy->ntrees)
		return NULL;
	return &policy->trees[event->tree_id];
}

static const char *program_name(const struct mg_event *event, const struct mg_policy *policy)
{
	if (!policy || !event->program_id || event->program_id > policy->nprograms)
		return NULL;
	return policy->programs[event->program_id - 1].name;
}

static const char *rule_text(const struct mg_event *event, const struct mg_policy_tree *tree)
{
	if (event->kind == MG_EVENT_ACCESS && event->rule_index == MG_RULE_TOO_DEEP)
		return "fail closed: the file lies deeper than the walk to its records root reaches";
	if (event->kind == MG_EVENT_ACCESS && event->rule_index == MG_RULE_DISCONNECTED)
		return "fail closed: the file was reached by no path (a handle on a cold cache, or a stacked filesystem)";
	if (event->kind == MG_EVENT_ACCESS && event->rule_index == MG_RULE_MEMORY)
		return "self-protection: kernel memory and trusted processes' memory are not for the untrusted";
	if (event->kind == MG_EVENT_ACCESS && event->rule_index == MG_RULE_SELF_PROTECTION)
		return "self-protection: medguard's own files change only by the daemon, or after 'medguard unlock'";
	if (!tree)
		return NULL;
	if (event->rule_index == MG_RULE_DEFAULT)
		return tree->kernel.default_verdict == MG_VERDICT_DENY ? "default deny" : "default allow";
	if (event->rule_index == MG_RULE_BEHAVIOUR)
		return "behaviour: the lineage was stopped";
	if (event->rule_index < MG_MAX_RULES_PER_TREE && tree->rule_text[event->rule_index])
		return tree->rule_text[event->rule_index];
	return NULL;
}

static void wall_time(const struct mg_event *event, __s64 offset_ns, char *out, size_t size)
{
	__s64 ns = (__s64)event->time_ns + offset_ns;
	time_t seconds = ns / 1000000000;
	struct tm tm;

	char seconds_text[24];

	gmtime_r(&seconds, &tm);
	strftime(seconds_text, sizeof(seconds_text), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, size, "%s.%03dZ", seconds_text, (int)((ns / 1000000) % 1000));
}

static void comm_of(const struct mg_event *event, char *out)
{
	memcpy(out, event->comm, MG_COMM_LEN);
	out[MG_COMM_LEN] = '\0';
}

/* The behaviour of the policy that EVENT (a behaviour event) is about, or NULL. */
static const char *behaviour_name(const struct mg_event *event, const struct mg_policy *policy)
{
	if (!policy)
		return NULL;
	for (size_t i = 0; i < policy->nbehaviours; i++)
		if (policy->behaviours[i].tree_id == event->tree_id &&
		    policy->behaviours[i].slot == event->behaviour_slot)
			return policy->behaviours[i].name;
	return NULL;
}

/* {"event":"behaviour",...}: which lineage crossed which threshold on which tree. */
static size_t behaviour_to_json(const struct mg_event *event, const struct mg_event_names *names,
				struct buffer *buffer, const char *when, const char *path, const char *comm)
{
	const struct mg_policy *policy = names->policy;

	put(buffer, "{\"time\":\"%s\",\"event\":\"behaviour\",\"action\":\"%s\",\"enforced\":%s,"
		    "\"signal\":\"%s\",\"score\":%u,\"lineage\":%u,\"path\":",
	    when, mg_action_name(event->verdict), event->rule_index == MG_EVENT_DENIED ? "true" : "false",
	    mg_signal_name(event->op), event->score, event->lineage);
	put_json_string(buffer, path);
	if (policy && event->tree_id < policy->ntrees) {
		put(buffer, ",\"records\":");
		put_json_string(buffer, policy->trees[event->tree_id].name);
	}
	if (behaviour_name(event, policy)) {
		put(buffer, ",\"behaviour\":");
		put_json_string(buffer, behaviour_name(event, policy));
	}
	put(buffer, ",\"pid\":%u,\"ppid\":%u,\"uid\":%u,\"comm\":", event->pid, event->ppid, event->uid);
	put_json_string(buffer, comm);
	put(buffer, ",\"exe\":");
	put_json_string(buffer, names->exe ? names->exe : "");
	put(buffer, "}\n");
	return buffer->len;
}

size_t mg_event_to_json(const struct mg_event *event, const struct mg_event_names *names, char *out,
			size_t size)
{
	const struct mg_policy_tree *tree = event_tree(event, names->policy);
	const char *program = program_name(event, names->policy), *rule = rule_text(event, tree);
	struct buffer buffer = { .data = out, .size = size };
	char path[MG_EVENT_PATH_DEPTH * (MG_NAME_LEN + 1) + 4096], when[32], comm[MG_COMM_LEN + 1];

	wall_time(event, names->realtime_offset_ns, when, sizeof(when));
	mg_event_path(event, names->root_path, path, sizeof(path));
	comm_of(event, comm);
	if (event->kind == MG_EVENT_BEHAVIOUR)
		return behaviour_to_json(event, names, &buffer, when, path, comm);
	put(&buffer, "{\"time\":\"%s\",\"event\":\"%s\",\"verdict\":\"%s\",\"op\":\"%s\",\"path\":", when,
	    kind_name(event->kind), verdict_name(event->verdict), event_op_name(event->op));
	put_json_string(&buffer, path);
	if (tree) {
		put(&buffer, ",\"records\":");
		put_json_string(&buffer, tree->name);
	}
	if (rule) {
		put(&buffer, ",\"rule\":");
		put_json_string(&buffer, rule);
	}
	put(&buffer, ",\"pid\":%u,\"ppid\":%u,\"uid\":%u,\"comm\":", event->pid, event->ppid, event->uid);
	put_json_string(&buffer, comm);
	put(&buffer, ",\"exe\":");
	put_json_string(&buffer, names->exe ? names->exe : "");
	put(&buffer, ",\"label\":\"%s\",\"trust\":\"%s\"", label_name(event->label_flags),
	    trust_source_name(event->trust_source));
	if (event->label_flags & MG_LABEL_UNTRUSTED_START)
		put(&buffer, ",\"started_by\":\"untrusted\"");
	if (event->label_flags & MG_LABEL_TRACED)
		put(&buffer, ",\"traced\":true");
	if (event->label_flags & MG_LABEL_LAUNCHED)
		put(&buffer, ",\"launched\":true");
	if (event->kind == MG_EVENT_PTRACE)
		put(&buffer, ",\"other_pid\":%llu", (unsigned long long)event->obj_ino);
	if (program) {
		put(&buffer, ",\"program\":");
		put_json_string(&buffer, program);
	}
	put(&buffer, "}\n");
	return buffer.len;
}

size_t mg_event_to_text(const struct mg_event *event, const struct mg_event_names *names, char *out,
			size_t size)
{
	const struct mg_policy_tree *tree = event_tree(event, names->policy);
	const char *rule = rule_text(event, tree);
	struct buffer buffer = { .data = out, .size = size };
	char path[MG_EVENT_PATH_DEPTH * (MG_NAME_LEN + 1) + 4096], comm[MG_COMM_LEN + 1];

	mg_event_path(event, names->root_path, path, sizeof(path));
	comm_of(event, comm);
	if (event->kind == MG_EVENT_BEHAVIOUR) {
		const char *behaviour = behaviour_name(event, names->policy);

		put(&buffer, "behaviour %s%s%s%s: lineage %u reached score %u (%s at %s) by pid %u (%s, uid %u)",
		    behaviour ? behaviour : "", behaviour ? " " : "", mg_action_name(event->verdict),
		    event->rule_index == MG_EVENT_DENIED ? "" : " (audit)", event->lineage, event->score,
		    mg_signal_name(event->op), path, event->pid, names->exe ? names->exe : comm, event->uid);
		return buffer.len;
	}
	put(&buffer, "%s %s %s %s by pid %u (%s, %s, uid %u)", kind_name(event->kind), verdict_name(event->verdict),
	    event_op_name(event->op), path, event->pid, names->exe ? names->exe : comm, label_name(event->label_flags),
	    event->uid);
	if (tree)
		put(&buffer, " records %s", tree->name);
	if (rule)
		put(&buffer, " rule \"%s\"", rule);
	return buffer.len;
}
