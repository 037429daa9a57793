// SPDX-License-Identifier: GPL-2.0-only
/* SHA-256 allowlists: the line forms, matching by content and path, and every error. */
#include "unit.h"
#include "trust_fixture.h"

#include "allowlist.h"

#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEX_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static char err[1024];

static void digest_of(const char *hex, unsigned char out[MG_SHA256_BYTES])
{
	for (int i = 0; i < MG_SHA256_BYTES; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

static bool matches(const struct mg_allowlist *allowlist, const char *hex, const char *path)
{
	unsigned char digest[MG_SHA256_BYTES];
	const char *paths[1] = { path };

	digest_of(hex, digest);
	return mg_allowlist_match(allowlist, digest, paths, path ? 1 : 0);
}

static int parse(struct mg_allowlist *allowlist, const char *text)
{
	err[0] = '\0';
	return mg_allowlist_parse(allowlist, "list", text, strlen(text), err, sizeof(err));
}

static void test_line_forms(void)
{
	struct mg_allowlist *allowlist = mg_allowlist_new();
	const char *text =
		"# made by medguard trust hash\n"
		"\n"
		"   \t\n"
		"  # indented comment\n"
		HEX_A "  /usr/bin/tool\n"
		HEX_B "\n"
		"CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC *" "/opt/app/bin/binary mode\n"
		HEX_A "\t/usr/bin/other"; /* no final newline */

	ASSERT_EQ(parse(allowlist, text), 0, "parses");
	ASSERT_STREQ(err, "", "no error");
	ASSERT_EQ(mg_allowlist_count(allowlist), 4, "four entries");
	ASSERT_TRUE(matches(allowlist, HEX_A, "/usr/bin/tool"), "digest at its path");
	ASSERT_TRUE(matches(allowlist, HEX_A, "/usr/bin/other"), "same digest at its second path");
	ASSERT_FALSE(matches(allowlist, HEX_A, "/tmp/tool"), "digest elsewhere");
	ASSERT_FALSE(matches(allowlist, HEX_A, NULL), "digest with no known path");
	ASSERT_TRUE(matches(allowlist, HEX_B, "/anywhere/at/all"), "digest alone: anywhere");
	ASSERT_TRUE(matches(allowlist, HEX_B, NULL), "digest alone: even without a path");
	ASSERT_TRUE(matches(allowlist, HEX_C, "/opt/app/bin/binary mode"), "uppercase hex, binary marker, spaces in path");
	ASSERT_FALSE(matches(allowlist, "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd", "/usr/bin/tool"),
		     "unknown digest");
	mg_allowlist_free(allowlist);
}

static void test_match_any_name(void)
{
	struct mg_allowlist *allowlist = mg_allowlist_new();
	const char *names[3] = { "/bin/tool", NULL, "/usr/bin/tool" };
	unsigned char digest[MG_SHA256_BYTES];

	ASSERT_EQ(parse(allowlist, HEX_A "  /usr/bin/tool\n"), 0, "parses");
	digest_of(HEX_A, digest);
	ASSERT_TRUE(mg_allowlist_match(allowlist, digest, names, 3), "any of a file's names");
	ASSERT_FALSE(mg_allowlist_match(allowlist, digest, names, 2), "not the others");
	mg_allowlist_free(allowlist);
}

static void expect_error(const char *text, const char *expected)
{
	struct mg_allowlist *allowlist = mg_allowlist_new();

	ASSERT_EQ(parse(allowlist, HEX_B "\n"), 0, "a good first file");
	ASSERT_EQ(parse(allowlist, text), -1, expected);
	ASSERT_STREQ(err, expected, "message");
	ASSERT_EQ(mg_allowlist_count(allowlist), 1, "the bad file added nothing");
	ASSERT_TRUE(matches(allowlist, HEX_B, NULL), "the good file still matches");
	mg_allowlist_free(allowlist);
}

static void test_errors(void)
{
	static const char make_lines[] = "make lines with 'medguard trust hash FILE' or 'sha256sum FILE'";
	char expected[512], text[8192];

	snprintf(expected, sizeof(expected), "list:2:1: error: 63 hex digits, but a SHA-256 digest has 64; %s", make_lines);
	expect_error(HEX_A "  /ok\n" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  /short\n", expected);
	snprintf(expected, sizeof(expected), "list:1:3: error: 40 hex digits, but a SHA-256 digest has 64; %s", make_lines);
	expect_error("  da39a3ee5e6b4b0d3255bfef95601890afd80709  /sha1\n", expected);
	snprintf(expected, sizeof(expected), "list:1:1: error: 128 hex digits, but a SHA-256 digest has 64; %s", make_lines);
	expect_error(HEX_A HEX_A "  /sha512\n", expected);
	snprintf(expected, sizeof(expected), "list:1:10: error: 'g' is not a hex digit; %s", make_lines);
	expect_error("aaaaaaaaagaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  /x\n", expected);
	snprintf(expected, sizeof(expected), "list:1:65: error: expected two spaces and a path after the digest; %s", make_lines);
	expect_error(HEX_A "*/usr/bin/x\n", expected);
	expect_error(HEX_A "  usr/bin/x\n",
		     "list:1:67: error: the path must be absolute, as '/usr/bin/tool'; write it from the root directory");
	expect_error("# fine\n" HEX_A "  /usr/bin/x\r\n",
		     "list:2:77: error: a carriage return; convert the file with 'dos2unix'");
	expect_error("\\" HEX_A "  /usr/bin/x\\nname\n",
		     "list:1:1: error: escaped file names are not supported; rename the file to one without backslashes or newlines");
	snprintf(text, sizeof(text), HEX_A "  /%04500d\n", 0);
	snprintf(expected, sizeof(expected), "list:1:4097: error: line longer than 4096 bytes; %s", make_lines);
	expect_error(text, expected);
	{
		struct mg_allowlist *allowlist = mg_allowlist_new();
		const char nul_text[] = HEX_A "  /usr/\0bin\n";

		ASSERT_EQ(mg_allowlist_parse(allowlist, "list", nul_text, sizeof(nul_text) - 1, err, sizeof(err)), -1, "NUL");
		ASSERT_STREQ(err, "list:1:72: error: a NUL byte; an allowlist is text, one '<sha256>  <path>' a line", "NUL message");
		mg_allowlist_free(allowlist);
	}
}

static void test_load_files(void)
{
	struct mg_allowlist *allowlist = mg_allowlist_new();
	char expected[512];

	write_text(fixture_path("one.list"), HEX_A "  /usr/bin/a\n");
	write_text(fixture_path("two.list"), "# second\n" HEX_C "\n");
	write_text(fixture_path("bad.list"), HEX_B "\n" "not a digest\n");
	ASSERT_EQ(mg_allowlist_load(allowlist, fixture_path("one.list"), err, sizeof(err)), 0, "first file");
	ASSERT_EQ(mg_allowlist_load(allowlist, fixture_path("two.list"), err, sizeof(err)), 0, "second file");
	ASSERT_EQ(mg_allowlist_count(allowlist), 2, "both");
	ASSERT_TRUE(matches(allowlist, HEX_A, "/usr/bin/a"), "from the first");
	ASSERT_TRUE(matches(allowlist, HEX_C, "/x"), "from the second");

	ASSERT_EQ(mg_allowlist_load(allowlist, fixture_path("bad.list"), err, sizeof(err)), -1, "bad file");
	snprintf(expected, sizeof(expected),
		 "%s:2:1: error: 'n' is not a hex digit; make lines with 'medguard trust hash FILE' or 'sha256sum FILE'",
		 fixture_path("bad.list"));
	ASSERT_STREQ(err, expected, "names file, line and column");
	ASSERT_FALSE(matches(allowlist, HEX_B, NULL), "nothing of the bad file");

	ASSERT_EQ(mg_allowlist_load(allowlist, fixture_path("missing.list"), err, sizeof(err)), -1, "missing");
	snprintf(expected, sizeof(expected), "%s: error: cannot read allowlist: No such file or directory; check its path",
		 fixture_path("missing.list"));
	ASSERT_STREQ(err, expected, "missing message");
	ASSERT_EQ(mg_allowlist_load(allowlist, fixture_dir, err, sizeof(err)), -1, "directory");
	snprintf(expected, sizeof(expected), "%s: error: cannot read allowlist: Is a directory; check its path", fixture_dir);
	ASSERT_STREQ(err, expected, "directory message");
	mg_allowlist_free(allowlist);
}

static void test_oversized_file(void)
{
	struct mg_allowlist *allowlist = mg_allowlist_new();
	char expected[512];
	int fd = open(fixture_path("huge.list"), O_WRONLY | O_CREAT | O_TRUNC, 0600);

	/* a sparse file: NUL bytes, but the size is checked first */
	ASSERT_EQ(ftruncate(fd, MG_ALLOWLIST_MAX_FILE_BYTES + 1), 0, "sized");
	close(fd);
	ASSERT_EQ(mg_allowlist_load(allowlist, fixture_path("huge.list"), err, sizeof(err)), -1, "refused");
	snprintf(expected, sizeof(expected), "%s: error: larger than 64 MiB; split it into several allowlists",
		 fixture_path("huge.list"));
	ASSERT_STREQ(err, expected, "message");
	unlink(fixture_path("huge.list"));
	mg_allowlist_free(allowlist);
}

static void test_many_entries(void)
{
	struct mg_allowlist *allowlist = mg_allowlist_new();
	size_t size = 0, capacity = 50000 * 100;
	char *text = malloc(capacity);
	bool all_found = true;

	for (int i = 0; i < 50000; i++)
		size += snprintf(text + size, capacity - size, "%064x  /usr/lib/x/%d\n", i * 2654435761u, i);
	ASSERT_EQ(mg_allowlist_parse(allowlist, "big", text, size, err, sizeof(err)), 0, "parses");
	ASSERT_EQ(mg_allowlist_count(allowlist), 50000, "all entries");
	for (int i = 0; i < 50000; i += 997) {
		char hex[65], path[64];

		snprintf(hex, sizeof(hex), "%064x", i * 2654435761u);
		snprintf(path, sizeof(path), "/usr/lib/x/%d", i);
		all_found &= matches(allowlist, hex, path);
	}
	ASSERT_TRUE(all_found, "entries found");
	free(text);
	mg_allowlist_free(allowlist);
}

/* Random bytes and scrambled good lines: an error with a position, or entries, never a crash. */
static void test_garbage(void)
{
	uint64_t state = 0x13198a2e03707344ull;
	unsigned int refused = 0;
	char text[512];

	for (int round = 0; round < 2000; round++) {
		struct mg_allowlist *allowlist = mg_allowlist_new();
		size_t size = fixture_random(&state) % sizeof(text);

		if (round % 2) {
			size = snprintf(text, sizeof(text), HEX_A "  /usr/bin/a\n" HEX_B "\n");
			for (int i = 0; i < 3; i++)
				text[fixture_random(&state) % size] = fixture_random(&state);
		} else {
			for (size_t i = 0; i < size; i++)
				text[i] = fixture_random(&state);
		}
		if (mg_allowlist_parse(allowlist, "garbage", text, size, err, sizeof(err))) {
			refused++;
			ASSERT_TRUE(strncmp(err, "garbage:", 8) == 0, "file:line:col");
			ASSERT_EQ(mg_allowlist_count(allowlist), 0, "nothing added");
		}
		mg_allowlist_free(allowlist);
	}
	printf("# 2000 garbage allowlists, %u refused\n", refused);
	ASSERT_TRUE(refused > 1000, "most refused");
}

int main(void)
{
	fixture_setup();
	RUN(test_line_forms);
	RUN(test_match_any_name);
	RUN(test_errors);
	RUN(test_load_files);
	RUN(test_oversized_file);
	RUN(test_many_entries);
	RUN(test_garbage);
	fixture_teardown();
	return unit_done();
}
