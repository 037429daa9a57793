// SPDX-License-Identifier: GPL-2.0-only
/*
 * The language's words for operations, behaviour signals and actions: what
 * the parser reads and what `policy show`, the checker and the event
 * formatter print. One table each, indexed by the kernel's numbers.
 */
#include <string.h>

#include "policy.h"
#include "words.h"

static const struct {
	const char *name;
	__u32 op;
} operations[] = {
	{ "read", MG_OP_READ },	    { "write", MG_OP_WRITE },	{ "create", MG_OP_CREATE },
	{ "delete", MG_OP_DELETE }, { "rename", MG_OP_RENAME }, { "link", MG_OP_LINK },
	{ "setattr", MG_OP_SETATTR }, { "exec", MG_OP_EXEC },	{ "all", MG_OP_ALL },
};

static const char *const signal_names[MG_NSIGNALS] = {
	[MG_SIGNAL_FIRST_WRITE] = "first-write", [MG_SIGNAL_OVERWRITE] = "overwrite",
	[MG_SIGNAL_REPLACE] = "replace",	 [MG_SIGNAL_RENAME_EXT] = "rename-ext",
	[MG_SIGNAL_RENAME_OUT] = "rename-out",	 [MG_SIGNAL_UNLINK] = "unlink",
	[MG_SIGNAL_CREATE] = "create",		 [MG_SIGNAL_ENUMERATE] = "enumerate",
	[MG_SIGNAL_RATE] = "rate",		 [MG_SIGNAL_CANARY] = "canary",
	[MG_SIGNAL_ENTROPY] = "entropy",	 [MG_SIGNAL_READ] = "read",
};

static const char *const action_names[MG_NACTIONS] = {
	[MG_ACTION_ALERT] = "alert",
	[MG_ACTION_DENY_WRITES] = "deny-writes",
	[MG_ACTION_KILL] = "kill",
	[MG_ACTION_FREEZE] = "freeze",
	[MG_ACTION_DENY_READS] = "deny-reads",
};

static int name_index(const char *word, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(word, names[i]) == 0)
			return (int)i;
	return -1;
}

bool mg_op_by_name(const char *word, __u32 *op)
{
	for (size_t i = 0; i < sizeof(operations) / sizeof(operations[0]); i++)
		if (strcmp(word, operations[i].name) == 0) {
			*op = operations[i].op;
			return true;
		}
	return false;
}

int mg_signal_by_name(const char *word)
{
	return name_index(word, signal_names, MG_NSIGNALS);
}

int mg_action_by_name(const char *word)
{
	return name_index(word, action_names, MG_NACTIONS);
}

const char *mg_op_name(__u32 op)
{
	for (size_t i = 0; i < sizeof(operations) / sizeof(operations[0]); i++)
		if (operations[i].op == op)
			return operations[i].name;
	return "?";
}

const char *mg_signal_name(__u32 signal)
{
	return signal < MG_NSIGNALS ? signal_names[signal] : "?";
}

const char *mg_action_name(__u32 action)
{
	return action < MG_NACTIONS ? action_names[action] : "?";
}
