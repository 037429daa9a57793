/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal test harness for host unit tests, in the manner of the BPF
 * selftests: named assertions inside named subtests. Output is TAP, one
 * `ok`/`not ok` line per subtest, which `make check` adds up with the guest
 * results.
 *
 *	static void test_lexer_numbers(void)
 *	{
 *		ASSERT_EQ(lex_number("42"), 42, "decimal");
 *	}
 *	int main(void)
 *	{
 *		RUN(test_lexer_numbers);
 *		return unit_done();
 *	}
 */
#ifndef MEDGUARD_UNIT_H
#define MEDGUARD_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_subtest_failures;
static int unit_number;
static int unit_failed;

static inline void unit_fail(const char *file, int line, const char *name, const char *detail)
{
	printf("# %s:%d: %s: %s\n", file, line, name, detail);
	unit_subtest_failures++;
}

#define ASSERT_TRUE(cond, name)                                                   \
	({                                                                        \
		int ___ok = !!(cond);                                             \
		if (!___ok)                                                       \
			unit_fail(__FILE__, __LINE__, name, "expected true: " #cond); \
		___ok;                                                            \
	})

#define ASSERT_FALSE(cond, name) ASSERT_TRUE(!(cond), name)

#define ASSERT_EQ(actual, expected, name)                                         \
	({                                                                        \
		long long ___a = (long long)(actual), ___e = (long long)(expected); \
		char ___d[128];                                                   \
		if (___a != ___e) {                                               \
			snprintf(___d, sizeof(___d), "got %lld, expected %lld", ___a, ___e); \
			unit_fail(__FILE__, __LINE__, name, ___d);                \
		}                                                                 \
		___a == ___e;                                                     \
	})

#define ASSERT_STREQ(actual, expected, name)                                      \
	({                                                                        \
		const char *___a = (actual), *___e = (expected);                  \
		int ___ok = ___a && ___e && strcmp(___a, ___e) == 0;              \
		if (!___ok) {                                                     \
			printf("# %s:%d: %s: got \"%s\", expected \"%s\"\n", __FILE__, \
			       __LINE__, name, ___a ? ___a : "(null)", ___e);     \
			unit_subtest_failures++;                                  \
		}                                                                 \
		___ok;                                                            \
	})

/* ACTUAL contains NEEDLE */
#define ASSERT_HAS(actual, needle, name)                                          \
	({                                                                        \
		const char *___a = (actual), *___n = (needle);                    \
		int ___ok = ___a && strstr(___a, ___n) != NULL;                   \
		if (!___ok) {                                                     \
			printf("# %s:%d: %s: \"%s\" does not contain \"%s\"\n",  \
			       __FILE__, __LINE__, name, ___a ? ___a : "(null)", ___n); \
			unit_subtest_failures++;                                  \
		}                                                                 \
		___ok;                                                            \
	})

#define RUN(fn)                                                                   \
	do {                                                                      \
		unit_subtest_failures = 0;                                        \
		fn();                                                             \
		unit_number++;                                                    \
		if (unit_subtest_failures) {                                      \
			unit_failed++;                                            \
			printf("not ok %d - %s\n", unit_number, #fn);             \
		} else {                                                          \
			printf("ok %d - %s\n", unit_number, #fn);                 \
		}                                                                 \
		fflush(stdout);                                                   \
	} while (0)

static inline int unit_done(void)
{
	printf("1..%d\n", unit_number);
	return unit_failed ? 1 : 0;
}

#endif /* MEDGUARD_UNIT_H */
