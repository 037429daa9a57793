// SPDX-License-Identifier: GPL-2.0-only
/* dpkg's database in a fake admin directory: installed packages, md5sums, diversions, import-dpkg. */
#include <openssl/evp.h>

#include "unit.h"
#include "trust_fixture.h"

#include "allowlist.h"
#include "cmd.h"
#include "dpkg.h"

static char admindir[256], root[256];
static char err[1024];

static void md5_hex(const char *text, char hex[33])
{
	unsigned char md5[16];

	EVP_Digest(text, strlen(text), md5, NULL, EVP_md5(), NULL);
	for (int i = 0; i < 16; i++)
		sprintf(hex + 2 * i, "%02x", md5[i]);
}

static void md5_of(const char *text, unsigned char md5[16])
{
	EVP_Digest(text, strlen(text), md5, NULL, EVP_md5(), NULL);
}

/* ROOT/NAME with CONTENT and MODE; returns its absolute path in a static buffer. */
static const char *installed_file(const char *name, const char *content, mode_t mode)
{
	static char path[8][512];
	static unsigned int next;
	char *p = path[next++ % 8];

	snprintf(p, sizeof(path[0]), "%s/%s", root, name);
	write_text(p, content);
	chmod(p, mode);
	return p;
}

/* An md5sums line for ROOT/NAME recording CONTENT; dpkg writes paths without the leading '/'. */
static void md5sums_line(FILE *out, const char *name, const char *content)
{
	char hex[33];

	md5_hex(content, hex);
	fprintf(out, "%s  %s/%s\n", hex, root + 1, name);
}

static void make_database(void)
{
	char path[512];
	FILE *out;

	snprintf(admindir, sizeof(admindir), "%s/dpkg", fixture_dir);
	snprintf(root, sizeof(root), "%s/root", fixture_dir);
	run_shell("mkdir -p '%s/info' '%s/bin' '%s/lib' '%s/share'", admindir, root, root, root);

	snprintf(path, sizeof(path), "%s/status", admindir);
	write_text(path,
		   "Package: alpha\n"
		   "Status: install ok installed\n"
		   "Architecture: amd64\n"
		   "Description: the alpha tools\n"
		   " with a continuation line\n"
		   " Package: not-a-field\n"
		   "\n"
		   "Package: beta\n"
		   "Status: deinstall ok config-files\n"
		   "Architecture: amd64\n"
		   "\n"
		   "Package: gamma\n"
		   "Status: install reinstreq half-installed\n"
		   "\n"
		   "package: delta\n"
		   "architecture: amd64\n"
		   "multi-arch: same\n"
		   "status:   hold ok installed\n"
		   "\n"
		   "Package: meta\n"
		   "Status: install ok installed\n"
		   "\n"
		   "Package: epsilon\n"
		   "Status: install ok installed\n"
		   "Architecture: all\n"
		   "\n"
		   "Package: zeta\n"
		   "Status: install ok installed\n"
		   "\n"
		   "\n"
		   "Package: broken\n"
		   "Status: install ok installed\n");

	installed_file("bin/alpha-tool", "#!/bin/sh\necho alpha\n", 0755);
	installed_file("share/alpha.txt", "alpha documentation\n", 0644);
	installed_file("bin/alpha-changed", "#!/bin/sh\necho changed by someone\n", 0755);
	installed_file("lib/libalpha.so.1", "\177ELF alpha library\n", 0644);
	snprintf(path, sizeof(path), "%s/info/alpha.md5sums", admindir);
	out = fopen(path, "w");
	md5sums_line(out, "bin/alpha-tool", "#!/bin/sh\necho alpha\n");
	md5sums_line(out, "share/alpha.txt", "alpha documentation\n");
	md5sums_line(out, "bin/alpha-changed", "#!/bin/sh\necho alpha original\n");
	md5sums_line(out, "lib/libalpha.so.1", "\177ELF alpha library\n");
	md5sums_line(out, "bin/alpha-removed", "gone\n");
	fclose(out);

	snprintf(path, sizeof(path), "%s/info/beta.md5sums", admindir);
	out = fopen(path, "w");
	md5sums_line(out, "bin/beta-tool", "beta\n");
	fclose(out);
	installed_file("bin/beta-tool", "beta\n", 0755);

	snprintf(path, sizeof(path), "%s/info/gamma.md5sums", admindir);
	out = fopen(path, "w");
	md5sums_line(out, "bin/gamma-tool", "gamma\n");
	fclose(out);

	/* Multi-Arch: same keeps NAME:ARCH.md5sums; a stale NAME.md5sums must not be read */
	snprintf(path, sizeof(path), "%s/info/delta:amd64.md5sums", admindir);
	out = fopen(path, "w");
	md5sums_line(out, "lib/libdelta.so", "\177ELF delta\n");
	fclose(out);
	snprintf(path, sizeof(path), "%s/info/delta.md5sums", admindir);
	out = fopen(path, "w");
	md5sums_line(out, "lib/libdelta.so", "stale\n");
	fclose(out);
	installed_file("lib/libdelta.so", "\177ELF delta\n", 0644);

	/* zeta diverts epsilon's bin/tool to bin/tool.distrib and ships its own bin/tool */
	snprintf(path, sizeof(path), "%s/info/epsilon.md5sums", admindir);
	out = fopen(path, "w");
	md5sums_line(out, "bin/tool", "#!/bin/sh\necho epsilon\n");
	fclose(out);
	snprintf(path, sizeof(path), "%s/info/zeta.md5sums", admindir);
	out = fopen(path, "w");
	md5sums_line(out, "bin/tool", "#!/bin/sh\necho zeta\n");
	fclose(out);
	snprintf(path, sizeof(path), "%s/diversions", admindir);
	out = fopen(path, "w");
	fprintf(out, "%s/bin/tool\n%s/bin/tool.distrib\nzeta\n", root, root);
	fclose(out);
	installed_file("bin/tool", "#!/bin/sh\necho zeta\n", 0755);
	installed_file("bin/tool.distrib", "#!/bin/sh\necho epsilon\n", 0755);

	snprintf(path, sizeof(path), "%s/info/broken.md5sums", admindir);
	out = fopen(path, "w");
	md5sums_line(out, "bin/broken-ok", "fine\n");
	fprintf(out, "not an md5sums line\n");
	fprintf(out, "0123456789abcdef0123456789abcdeg  bin/bad-hex\n");
	fclose(out);
	installed_file("bin/broken-ok", "fine\n", 0755);
}

static enum mg_dpkg_verdict check(const struct mg_dpkg *dpkg, const char *name, const char *content,
				  const char **package)
{
	char path[512];
	const char *paths[1] = { path };
	unsigned char md5[16];

	snprintf(path, sizeof(path), "%s/%s", root, name);
	md5_of(content, md5);
	*package = NULL;
	return mg_dpkg_check(dpkg, paths, 1, md5, package);
}

static void test_installed_packages(void)
{
	struct mg_dpkg *dpkg = mg_dpkg_load(admindir, err, sizeof(err));
	const char *package;

	if (!ASSERT_TRUE(dpkg != NULL, err))
		return;
	/* alpha, delta:amd64, epsilon, zeta and broken have md5sums; meta has none */
	ASSERT_EQ(mg_dpkg_package_count(dpkg), 5, "packages with files");
	ASSERT_EQ(mg_dpkg_file_count(dpkg), 9, "files");
	for (size_t i = 1; i < mg_dpkg_file_count(dpkg); i++)
		ASSERT_TRUE(strcmp(mg_dpkg_file_at(dpkg, i - 1)->path, mg_dpkg_file_at(dpkg, i)->path) <= 0, "sorted");
	ASSERT_TRUE(mg_dpkg_file_at(dpkg, mg_dpkg_file_count(dpkg)) == NULL, "past the end");

	ASSERT_EQ(check(dpkg, "bin/alpha-tool", "#!/bin/sh\necho alpha\n", &package), MG_DPKG_MATCH, "match");
	ASSERT_STREQ(package, "alpha", "its package");
	ASSERT_EQ(check(dpkg, "bin/alpha-changed", "#!/bin/sh\necho changed by someone\n", &package),
		  MG_DPKG_MISMATCH, "changed content");
	ASSERT_STREQ(package, "alpha", "the package it differs from");
	ASSERT_EQ(check(dpkg, "bin/beta-tool", "beta\n", &package), MG_DPKG_NOT_PACKAGED, "removed package");
	ASSERT_EQ(check(dpkg, "bin/gamma-tool", "gamma\n", &package), MG_DPKG_NOT_PACKAGED, "half-installed package");
	ASSERT_EQ(check(dpkg, "bin/unknown", "x\n", &package), MG_DPKG_NOT_PACKAGED, "no package");
	ASSERT_TRUE(package == NULL, "no package named");
	ASSERT_EQ(check(dpkg, "lib/libdelta.so", "\177ELF delta\n", &package), MG_DPKG_MATCH, "multi-arch");
	ASSERT_STREQ(package, "delta:amd64", "multi-arch name");
	ASSERT_EQ(check(dpkg, "lib/libdelta.so", "stale\n", &package), MG_DPKG_MISMATCH, "stale md5sums not read");
	ASSERT_EQ(check(dpkg, "bin/broken-ok", "fine\n", &package), MG_DPKG_MATCH, "good lines of a broken file");
	mg_dpkg_free(dpkg);
}

static void test_diversions(void)
{
	struct mg_dpkg *dpkg = mg_dpkg_load(admindir, err, sizeof(err));
	const char *package;

	if (!ASSERT_TRUE(dpkg != NULL, err))
		return;
	ASSERT_EQ(check(dpkg, "bin/tool", "#!/bin/sh\necho zeta\n", &package), MG_DPKG_MATCH, "the diverter's file");
	ASSERT_STREQ(package, "zeta", "diverting package");
	ASSERT_EQ(check(dpkg, "bin/tool.distrib", "#!/bin/sh\necho epsilon\n", &package), MG_DPKG_MATCH,
		  "the diverted file at its new place");
	ASSERT_STREQ(package, "epsilon", "diverted package");
	ASSERT_EQ(check(dpkg, "bin/tool", "#!/bin/sh\necho epsilon\n", &package), MG_DPKG_MISMATCH,
		  "the diverted content at the old place");
	mg_dpkg_free(dpkg);
}

static void test_any_of_names(void)
{
	struct mg_dpkg *dpkg = mg_dpkg_load(admindir, err, sizeof(err));
	char path[512];
	const char *names[3] = { "/nowhere", NULL, path };
	unsigned char md5[16];

	if (!ASSERT_TRUE(dpkg != NULL, err))
		return;
	snprintf(path, sizeof(path), "%s/bin/alpha-tool", root);
	md5_of("#!/bin/sh\necho alpha\n", md5);
	ASSERT_TRUE(mg_dpkg_owns(dpkg, names, 3), "owned under one of its names");
	ASSERT_FALSE(mg_dpkg_owns(dpkg, names, 2), "not under the others");
	ASSERT_EQ(mg_dpkg_check(dpkg, names, 3, md5, NULL), MG_DPKG_MATCH, "checked under any name");
	mg_dpkg_free(dpkg);
}

static void test_problems(void)
{
	struct mg_dpkg *dpkg = mg_dpkg_load(admindir, err, sizeof(err));
	char expected[1024];

	if (!ASSERT_TRUE(dpkg != NULL, err))
		return;
	ASSERT_EQ(mg_dpkg_problems(dpkg), 2, "two broken lines");
	snprintf(expected, sizeof(expected),
		 "%s/info/broken.md5sums:2: not '<md5>  <path>'; reinstall the package with 'apt-get install --reinstall broken'",
		 admindir);
	ASSERT_STREQ(mg_dpkg_first_problem(dpkg), expected, "first problem");
	mg_dpkg_free(dpkg);
}

static void test_missing_database(void)
{
	char missing[512], expected[1024];

	snprintf(missing, sizeof(missing), "%s/no-dpkg", fixture_dir);
	ASSERT_TRUE(mg_dpkg_load(missing, err, sizeof(err)) == NULL, "no status file");
	snprintf(expected, sizeof(expected),
		 "cannot read dpkg database %s/status: No such file or directory; on hosts without dpkg, turn off package trust in the policy",
		 missing);
	ASSERT_STREQ(err, expected, "message");
}

static void test_empty_database(void)
{
	char empty[512];
	struct mg_dpkg *dpkg;

	snprintf(empty, sizeof(empty), "%s/empty-dpkg", fixture_dir);
	mkdir(empty, 0755);
	write_text(fixture_path("empty-dpkg/status"), "");
	dpkg = mg_dpkg_load(empty, err, sizeof(err));
	ASSERT_TRUE(dpkg != NULL, "loads");
	if (dpkg) {
		ASSERT_EQ(mg_dpkg_file_count(dpkg), 0, "no files");
		ASSERT_TRUE(mg_dpkg_first_problem(dpkg) == NULL, "no problems");
	}
	mg_dpkg_free(dpkg);
}

static void test_damaged_database(void)
{
	char damaged[512], expected[1024];
	struct mg_dpkg *dpkg;

	snprintf(damaged, sizeof(damaged), "%s/damaged-dpkg", fixture_dir);
	run_shell("mkdir -p '%s/info/cut.md5sums'", damaged);
	write_text(fixture_path("damaged-dpkg/status"), "Package: cut\nStatus: install ok installed\n");
	write_text(fixture_path("damaged-dpkg/diversions"), "/usr/bin/a\n/usr/bin/a.distrib\n");
	dpkg = mg_dpkg_load(damaged, err, sizeof(err));
	if (!ASSERT_TRUE(dpkg != NULL, err))
		return;
	ASSERT_EQ(mg_dpkg_problems(dpkg), 2, "two problems");
	snprintf(expected, sizeof(expected),
		 "%s/diversions ends in an incomplete diversion; check it with 'dpkg-divert --list'", damaged);
	ASSERT_STREQ(mg_dpkg_first_problem(dpkg), expected, "the diversions first");
	mg_dpkg_free(dpkg);

	write_text(fixture_path("damaged-dpkg/diversions"), "");
	dpkg = mg_dpkg_load(damaged, err, sizeof(err));
	if (!ASSERT_TRUE(dpkg != NULL, err))
		return;
	snprintf(expected, sizeof(expected),
		 "cannot read %s/info/cut.md5sums: Is a directory; files of cut are not trusted as packaged", damaged);
	ASSERT_STREQ(mg_dpkg_first_problem(dpkg), expected, "an unreadable md5sums");
	mg_dpkg_free(dpkg);
}

static void test_import_dpkg(void)
{
	struct mg_allowlist *allowlist = mg_allowlist_new();
	char output[512], expected[1024], *text;
	int status;

	snprintf(output, sizeof(output), "%s/packages.allowlist", fixture_dir);
	status = RUN_CMD(mg_cmd_trust, "trust", "import-dpkg", "--admindir", admindir, "--output", output);
	ASSERT_EQ(status, 0, "imported");
	text = read_text(output);
	snprintf(expected, sizeof(expected), "  %s/bin/alpha-tool\n", root);
	ASSERT_HAS(text, expected, "an executable that matches");
	snprintf(expected, sizeof(expected), "  %s/lib/libalpha.so.1\n", root);
	ASSERT_HAS(text, expected, "a library that matches");
	snprintf(expected, sizeof(expected), "  %s/bin/tool.distrib\n", root);
	ASSERT_HAS(text, expected, "the diverted file");
	ASSERT_TRUE(strstr(text, "alpha.txt") == NULL, "no documentation");
	ASSERT_TRUE(strstr(text, "alpha-changed") == NULL, "no changed file");
	ASSERT_TRUE(strstr(text, "beta-tool") == NULL, "nothing of removed packages");
	ASSERT_TRUE(strstr(text, "# medguard allowlist") == text, "a header comment");
	snprintf(expected, sizeof(expected),
		 "medguard: %s/bin/alpha-changed: content differs from what package alpha installed; not imported; "
		 "if that is unexpected, reinstall it with 'apt-get install --reinstall alpha'\n", root);
	ASSERT_HAS(captured_err, expected, "the changed file reported");
	ASSERT_HAS(captured_err, "medguard: warning: 2 problems in dpkg's database; the first: ", "problems reported");
	ASSERT_HAS(captured_err, "medguard: imported 6 files of 5 packages; 1 differed from their package\n", "summary");
	ASSERT_EQ(mg_allowlist_load(allowlist, output, err, sizeof(err)), 0, "the output is a valid allowlist");
	ASSERT_EQ(mg_allowlist_count(allowlist), 6, "with every imported file");
	free(text);
	mg_allowlist_free(allowlist);

	status = RUN_CMD(mg_cmd_trust, "trust", "import-dpkg", "--admindir", admindir);
	ASSERT_EQ(status, 0, "to standard output");
	snprintf(expected, sizeof(expected), "  %s/bin/alpha-tool\n", root);
	ASSERT_HAS(captured_out, expected, "lines on standard output");

	snprintf(output, sizeof(output), "%s/no-such-dir/out", fixture_dir);
	status = RUN_CMD(mg_cmd_trust, "trust", "import-dpkg", "--admindir", admindir, "--output", output);
	ASSERT_EQ(status, 1, "unwritable output");
	snprintf(expected, sizeof(expected),
		 "medguard: cannot write %s: No such file or directory; check that its directory exists and is writable\n", output);
	ASSERT_HAS(captured_err, expected, "message");

	status = RUN_CMD(mg_cmd_trust, "trust", "import-dpkg", "--admindir", "/nonexistent-dpkg");
	ASSERT_EQ(status, 1, "no database");
	ASSERT_STREQ(captured_err,
		     "medguard: cannot read dpkg database /nonexistent-dpkg/status: No such file or directory; on hosts without dpkg, turn off package trust in the policy\n",
		     "message");
	status = RUN_CMD(mg_cmd_trust, "trust", "import-dpkg", "--bogus");
	ASSERT_EQ(status, 2, "usage error");
	ASSERT_HAS(captured_err, "medguard: trust import-dpkg: unexpected argument --bogus\nusage: medguard trust", "usage");
	status = RUN_CMD(mg_cmd_trust, "trust", "import-dpkg", "--output");
	ASSERT_EQ(status, 2, "missing value");
	ASSERT_STREQ(captured_err, "medguard: --output needs a value\n", "missing value message");
}

int main(void)
{
	fixture_setup();
	make_database();
	RUN(test_installed_packages);
	RUN(test_diversions);
	RUN(test_any_of_names);
	RUN(test_problems);
	RUN(test_missing_database);
	RUN(test_empty_database);
	RUN(test_damaged_database);
	RUN(test_import_dpkg);
	fixture_teardown();
	return unit_done();
}
