/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the policy language tests: a scratch directory made
 * with mkdtemp, policy files written into it, and compilation with the
 * diagnostics captured as text. In policy text, @DIR@ stands for the
 * scratch directory.
 */
#ifndef MEDGUARD_POLICY_TEST_H
#define MEDGUARD_POLICY_TEST_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"

static char policy_test_dir[64];

struct compiled {
	struct mg_policy *policy;
	int nerrors;
	int nwarnings;
	char *diag; /* every diagnostic, one per line */
};

static inline void policy_test_setup(void)
{
	snprintf(policy_test_dir, sizeof(policy_test_dir), "/tmp/medguard-policy-test-XXXXXX");
	if (!mkdtemp(policy_test_dir)) {
		perror("mkdtemp");
		exit(1);
	}
}

static inline int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void policy_test_teardown(void)
{
	nftw(policy_test_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* TEXT with every @DIR@ replaced by the scratch directory; the caller frees it. */
static inline char *expand(const char *text)
{
	size_t dir_len = strlen(policy_test_dir);
	size_t len = 0;
	char *out = malloc(strlen(text) * (dir_len + 1) + 1);

	while (*text) {
		if (strncmp(text, "@DIR@", 5) == 0) {
			memcpy(out + len, policy_test_dir, dir_len);
			len += dir_len;
			text += 5;
		} else {
			out[len++] = *text++;
		}
	}
	out[len] = '\0';
	return out;
}

/* Writes LEN bytes to NAME in the scratch directory; returns the path (static). */
static inline const char *write_bytes(const char *name, const char *data, size_t len)
{
	static char path[256];
	FILE *file;

	snprintf(path, sizeof(path), "%s/%s", policy_test_dir, name);
	file = fopen(path, "w");
	if (!file || fwrite(data, 1, len, file) != len || fclose(file) != 0) {
		perror(path);
		exit(1);
	}
	return path;
}

/* Writes TEXT, @DIR@ expanded, to NAME in the scratch directory. */
static inline const char *write_policy(const char *name, const char *text)
{
	char *expanded = expand(text);
	const char *path = write_bytes(name, expanded, strlen(expanded));

	free(expanded);
	return path;
}

/* Makes directory NAME in the scratch directory. */
static inline void make_dir(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", policy_test_dir, name);
	mkdir(path, 0755);
}

static inline struct compiled compile_file(const char *path)
{
	struct compiled result = { 0 };
	size_t size = 0;
	FILE *diag = open_memstream(&result.diag, &size);

	result.policy = mg_policy_compile(path, diag, &result.nerrors, &result.nwarnings);
	fclose(diag);
	return result;
}

/* Compiles TEXT, @DIR@ expanded, from the file test.policy in the scratch directory. */
static inline struct compiled compile_text(const char *text)
{
	char path[256];

	snprintf(path, sizeof(path), "%s", write_policy("test.policy", text));
	return compile_file(path);
}

static inline void compiled_free(struct compiled *result)
{
	mg_policy_free(result->policy);
	free(result->diag);
	memset(result, 0, sizeof(*result));
}

/* The policy's diagnostics contain NEEDLE, @DIR@ expanded. */
#define ASSERT_DIAG(result, needle, name)                     \
	({                                                    \
		char *___expanded = expand(needle);                  \
		int ___ok = ASSERT_HAS((result).diag, ___expanded, name); \
		free(___expanded);                                 \
		___ok;                                        \
	})

#endif /* MEDGUARD_POLICY_TEST_H */
