// SPDX-License-Identifier: GPL-2.0-only
/*
 * Any bytes as a policy file: the compiler must answer with diagnostics or a
 * policy, never crash, leak, hang or grow without bound. What a policy
 * includes is read relative to the working directory.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct mg_policy *policy;

	/* Diagnostics and descriptions are formatted in full, then dropped. */
	if (!sink)
		sink = fopen("/dev/null", "w");
	policy = mg_policy_compile_buffer("fuzz.policy", (const char *)data, size, sink, NULL, NULL);
	if (policy)
		mg_policy_describe(policy, sink);
	mg_policy_free(policy);
	return 0;
}
