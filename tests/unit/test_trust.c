// SPDX-License-Identifier: GPL-2.0-only
/* The trust evaluator, the trust_scan walk, and the sign, verify and trust commands. */
#include <errno.h>
#include <signal.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "unit.h"
#include "trust_fixture.h"

#include "cmd.h"
#include "fsid.h"
#include "source.h"
#include "trust.h"

static char admindir[256], pkgroot[256], allowlist_path[256];
static struct mg_trust_source_key policy_keys[2];
static const char *allowlists[1];
static struct mg_trust_sources policy;
static struct mg_trust_ctx *ctx;
static __u32 rsa_keyid, ec_keyid;

/* FIXTURE_DIR/NAME made anew; the path stays valid for the next 31 calls. */
static const char *file_with(const char *name, const char *content, mode_t mode)
{
	static char paths[32][512];
	static unsigned int next;
	char *path = paths[next++ % 32];

	snprintf(path, sizeof(paths[0]), "%s/%s", fixture_dir, name);

	unlink(path);
	write_text(path, content);
	chmod(path, mode);
	return path;
}

static void sha256_hex_of(const char *content, char hex[65])
{
	unsigned char digest[32];

	EVP_Digest(content, strlen(content), digest, NULL, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", digest[i]);
}

static int sign_with(const char *path, const char *key_name)
{
	char key[256];

	snprintf(key, sizeof(key), "%s/%s.pem", fixture_dir, key_name);
	return RUN_CMD(mg_cmd_sign, "sign", (char *)path, "--key", key);
}

static __u32 keyid_of(const char *private_key)
{
	char err[512];
	__u32 keyid = 0;
	EVP_PKEY *pkey = mg_key_load_private(fixture_path(private_key), &keyid, err, sizeof(err));

	EVP_PKEY_free(pkey);
	return keyid;
}

static void setup_sources(void)
{
	char hex[65], text[1024], md5_hex[33];
	unsigned char md5[16];
	FILE *out;

	/* an allowlist with one path-bound and one anywhere entry */
	sha256_hex_of("#!/bin/sh\necho allowlisted\n", hex);
	snprintf(allowlist_path, sizeof(allowlist_path), "%s/hospital.allowlist", fixture_dir);
	snprintf(text, sizeof(text), "# hospital tools\n%s  %s/allowlisted\n", hex, fixture_dir);
	sha256_hex_of("#!/bin/sh\necho anywhere\n", hex);
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s\n", hex);
	write_text(allowlist_path, text);

	/* a dpkg database with one installed package */
	snprintf(admindir, sizeof(admindir), "%s/dpkg", fixture_dir);
	snprintf(pkgroot, sizeof(pkgroot), "%s/pkgroot", fixture_dir);
	run_shell("mkdir -p '%s/info' '%s'", admindir, pkgroot);
	write_text(fixture_path("dpkg/status"), "Package: pkg\nStatus: install ok installed\n");
	EVP_Digest("#!/bin/sh\necho packaged\n", 24, md5, NULL, EVP_md5(), NULL);
	for (int i = 0; i < 16; i++)
		sprintf(md5_hex + 2 * i, "%02x", md5[i]);
	out = fopen(fixture_path("dpkg/info/pkg.md5sums"), "w");
	fprintf(out, "%s  %s/packaged\n", md5_hex, pkgroot + 1);
	fprintf(out, "%s  %s/changed\n", md5_hex, pkgroot + 1);
	fclose(out);
	snprintf(text, sizeof(text), "%s/packaged", pkgroot);
	write_text(text, "#!/bin/sh\necho packaged\n");
	snprintf(text, sizeof(text), "%s/changed", pkgroot);
	write_text(text, "#!/bin/sh\necho changed\n");

	policy_keys[0] = (struct mg_trust_source_key){ .name = "vendor", .path = strdup(fixture_path("rsa.pub")), .key_id = 1 };
	policy_keys[1] = (struct mg_trust_source_key){ .name = "hospital", .path = strdup(fixture_path("ec.crt.der")), .key_id = 2 };
	allowlists[0] = allowlist_path;
	policy.keys = policy_keys;
	policy.nkeys = 2;
	policy.allowlists = allowlists;
	policy.nallowlists = 1;
	policy.trust_packages = true;
}

static void test_kernel_dev(void)
{
	ASSERT_EQ(mg_kernel_dev(makedev(8, 1)), (8ull << 20) | 1, "sda1");
	ASSERT_EQ(mg_kernel_dev(makedev(259, 0x12345)), (259ull << 20) | 0x12345, "large minor");
	ASSERT_EQ(mg_kernel_dev(makedev(0, 0)), 0, "zero");
}

static void test_ctx_reports_every_bad_source(void)
{
	struct mg_trust_source_key keys[2] = {
		{ .name = "good", .path = policy_keys[0].path, .key_id = 1 },
		{ .name = "bad", .path = (char *)fixture_path("rsa.pem"), .key_id = 2 },
	};
	const char *lists[2] = { allowlist_path, (char *)fixture_path("missing.allowlist") };
	struct mg_trust_sources bad = { .keys = keys, .nkeys = 2, .allowlists = lists, .nallowlists = 2,
				 .trust_packages = true };
	char expected[2048], *text;
	FILE *diag = fopen(fixture_path("diag"), "w");

	ASSERT_TRUE(mg_trust_ctx_new_at(&bad, "/nonexistent-dpkg", diag) == NULL, "fails");
	fclose(diag);
	text = read_text(fixture_path("diag"));
	snprintf(expected, sizeof(expected),
		 "medguard: cannot read key %s: it is a private key, which belongs on the signing host only; give its public key instead ('openssl pkey -in %s -pubout')\n"
		 "%s: error: cannot read allowlist: No such file or directory; check its path\n"
		 "medguard: cannot read dpkg database /nonexistent-dpkg/status: No such file or directory; on hosts without dpkg, turn off package trust in the policy\n",
		 keys[1].path, keys[1].path, lists[1]);
	ASSERT_STREQ(text, expected, "one line for each");
	free(text);
}

static void test_ctx_warns_of_dpkg_problems(void)
{
	struct mg_trust_sources packages_only = { .trust_packages = true };
	struct mg_trust_ctx *warned;
	char expected[1024], *text;
	FILE *diag;

	run_shell("mkdir -p '%s/broken-dpkg/info'", fixture_dir);
	write_text(fixture_path("broken-dpkg/status"), "Package: bad\nStatus: install ok installed\n");
	write_text(fixture_path("broken-dpkg/info/bad.md5sums"), "garbage\n");
	diag = fopen(fixture_path("diag"), "w");
	warned = mg_trust_ctx_new_at(&packages_only, fixture_path("broken-dpkg"), diag);
	fclose(diag);
	ASSERT_TRUE(warned != NULL, "still made");
	text = read_text(fixture_path("diag"));
	snprintf(expected, sizeof(expected),
		 "medguard: warning: 1 problems in dpkg's database leave files untrusted; the first: "
		 "%s/broken-dpkg/info/bad.md5sums:1: not '<md5>  <path>'; reinstall the package with 'apt-get install --reinstall bad'\n",
		 fixture_dir);
	ASSERT_STREQ(text, expected, "warning line");
	free(text);
	mg_trust_ctx_free(warned);
}

static int evaluate(const char *path, struct mg_trust_key *key, struct mg_trust *trust, char *why)
{
	return mg_trust_explain(ctx, path, key, trust, why, 1024);
}

static void test_signed_files(void)
{
	const char *rsa_file = file_with("signed-rsa", "#!/bin/sh\necho vendor\n", 0755);
	const char *ec_file = file_with("signed-ec", "#!/bin/sh\necho hospital\n", 0755);
	struct mg_trust_key key;
	struct mg_trust trust;
	char why[1024], expected[256];
	struct stat st;

	ASSERT_EQ(sign_with(rsa_file, "rsa"), 0, "RSA signed");
	ASSERT_EQ(sign_with(ec_file, "ec"), 0, "EC signed");

	ASSERT_EQ(evaluate(rsa_file, &key, &trust, why), MG_TRUST_SIGNATURE, "RSA: signature");
	ASSERT_EQ(trust.source, MG_TRUST_SIGNATURE, "source");
	ASSERT_EQ(trust.key_id, 1, "the vendor key's id");
	snprintf(expected, sizeof(expected), "signed by key vendor (keyid %08x)", rsa_keyid);
	ASSERT_STREQ(why, expected, "why");

	memset(&key, 0xff, sizeof(key));
	memset(&trust, 0xff, sizeof(trust));
	ASSERT_EQ(evaluate(ec_file, &key, &trust, why), MG_TRUST_SIGNATURE, "EC: signature");
	ASSERT_EQ(trust.key_id, 2, "the hospital key's id");
	stat(ec_file, &st);
	ASSERT_EQ(key.dev, ((__u64)major(st.st_dev) << 20) | minor(st.st_dev), "kernel dev encoding");
	ASSERT_EQ(key.ino, st.st_ino, "inode");
	ASSERT_EQ(trust.ctime_sec, st.st_ctim.tv_sec, "ctime seconds");
	ASSERT_EQ(trust.ctime_nsec, st.st_ctim.tv_nsec, "ctime nanoseconds");
	ASSERT_EQ(trust.flags, 0, "no flags for a file that is no launcher");
	ASSERT_EQ(mg_trust_evaluate(ctx, ec_file, &key, &trust), MG_TRUST_SIGNATURE, "without explanation");
}

/* A launcher is its content: a signed copy anywhere is marked, a signed other file is not. */
static void test_launcher_by_content(void)
{
	const char *launcher = file_with("launcher", "#!/bin/sh\nexec \"$@\"\n", 0755);
	const char *copy = file_with("launcher-copy", "#!/bin/sh\nexec \"$@\"\n", 0755);
	const char *job = file_with("job", "#!/bin/sh\necho job\n", 0755);
	const char *launchers[] = { launcher };
	const char *missing[] = { fixture_path("no-such-launcher") };
	struct mg_trust_sources sources = policy;
	const unsigned char (*sha256)[32];
	struct mg_trust_ctx *with_launcher, *refused;
	char *text;
	FILE *diag;
	struct mg_trust_key key;
	struct mg_trust trust;

	ASSERT_EQ(sign_with(launcher, "ec") | sign_with(copy, "ec") | sign_with(job, "ec"), 0, "all signed");
	sources.launchers = launchers;
	sources.nlaunchers = 1;
	with_launcher = mg_trust_ctx_new_at(&sources, admindir, stdout);
	ASSERT_TRUE(with_launcher != NULL, "a context with a launcher");
	if (!with_launcher)
		return;
	ASSERT_EQ(mg_trust_ctx_launchers(with_launcher, &sha256), 1, "one launcher digest");
	ASSERT_EQ(mg_trust_evaluate(with_launcher, launcher, &key, &trust), MG_TRUST_SIGNATURE, "the launcher: signed");
	ASSERT_EQ(trust.flags, MG_TRUST_LAUNCHER, "the launcher is a launcher");
	ASSERT_EQ(mg_trust_evaluate(with_launcher, copy, &key, &trust), MG_TRUST_SIGNATURE, "its copy: signed");
	ASSERT_EQ(trust.flags, MG_TRUST_LAUNCHER, "its signed copy is a launcher too");
	ASSERT_EQ(mg_trust_evaluate(with_launcher, job, &key, &trust), MG_TRUST_SIGNATURE, "a job: signed");
	ASSERT_EQ(trust.flags, 0, "a signed job is no launcher");
	mg_trust_ctx_free(with_launcher);

	sources.launchers = missing;
	diag = fopen(fixture_path("launcher-diag"), "w");
	refused = mg_trust_ctx_new_at(&sources, admindir, diag);
	fclose(diag);
	ASSERT_TRUE(refused == NULL, "a launcher that cannot be read is refused");
	mg_trust_ctx_free(refused);
	text = read_text(fixture_path("launcher-diag"));
	ASSERT_TRUE(text && strstr(text, "cannot read launcher") && strstr(text, "install it or remove its declaration"),
		    "one line that says what to do");
	free(text);
}

static void test_allowlisted_files(void)
{
	const char *bound = file_with("allowlisted", "#!/bin/sh\necho allowlisted\n", 0755);
	const char *elsewhere = file_with("allowlisted-copy", "#!/bin/sh\necho allowlisted\n", 0755);
	const char *anywhere = file_with("anywhere", "#!/bin/sh\necho anywhere\n", 0755);
	struct mg_trust_key key;
	struct mg_trust trust;
	char why[1024];

	ASSERT_EQ(evaluate(bound, &key, &trust, why), MG_TRUST_ALLOWLIST, "at its path");
	ASSERT_EQ(trust.key_id, 0, "no key");
	ASSERT_STREQ(why, "its SHA-256 is in an allowlist", "why");
	ASSERT_EQ(evaluate(elsewhere, &key, &trust, why), MG_TRUST_NONE, "a copy at another path");
	ASSERT_EQ(evaluate(anywhere, &key, &trust, why), MG_TRUST_ALLOWLIST, "a digest without path");
	symlink(bound, fixture_path("link-to-allowlisted"));
	ASSERT_EQ(evaluate(fixture_path("link-to-allowlisted"), &key, &trust, why), MG_TRUST_ALLOWLIST,
		  "through a symlink: the file's own path counts");
}

static void test_packaged_files(void)
{
	struct mg_trust_key key;
	struct mg_trust trust;
	char path[512], why[1024];

	snprintf(path, sizeof(path), "%s/packaged", pkgroot);
	ASSERT_EQ(evaluate(path, &key, &trust, why), MG_TRUST_PACKAGE, "packaged");
	ASSERT_STREQ(why, "installed by package pkg", "why");
	snprintf(path, sizeof(path), "%s/changed", pkgroot);
	ASSERT_EQ(evaluate(path, &key, &trust, why), MG_TRUST_NONE, "changed since installed");
	ASSERT_HAS(why, "; content differs from what package pkg installed", "why");
}

static void test_untrusted_files(void)
{
	const char *plain = file_with("plain", "#!/bin/sh\necho plain\n", 0755);
	const char *other = file_with("other-signed", "#!/bin/sh\necho other\n", 0755);
	const char *tampered = file_with("tampered", "#!/bin/sh\necho original\n", 0755);
	const char *hashed = file_with("hash-only", "#!/bin/sh\necho hash\n", 0755);
	unsigned char ima_ng[34] = { 0x04, 0x04 };
	struct mg_trust_key key;
	struct mg_trust trust;
	char why[1024], expected[1024], hex[65];
	FILE *file;

	sha256_hex_of("#!/bin/sh\necho plain\n", hex);
	ASSERT_EQ(evaluate(plain, &key, &trust, why), MG_TRUST_NONE, "plain file");
	snprintf(expected, sizeof(expected),
		 "not trusted: no signature; SHA-256 %s is in no allowlist; no installed package has it", hex);
	ASSERT_STREQ(why, expected, "why");
	ASSERT_EQ(trust.source, MG_TRUST_NONE, "source none");

	ASSERT_EQ(sign_with(other, "other"), 0, "signed by a key outside the policy");
	ASSERT_EQ(evaluate(other, &key, &trust, why), MG_TRUST_NONE, "unknown key");
	ASSERT_HAS(why, "not trusted: signed by an unknown key; SHA-256 ", "why");

	ASSERT_EQ(sign_with(tampered, "ec"), 0, "signed");
	file = fopen(tampered, "a");
	fputs("rm -rf /records\n", file);
	fclose(file);
	ASSERT_EQ(evaluate(tampered, &key, &trust, why), MG_TRUST_NONE, "changed after signing");
	ASSERT_HAS(why, "not trusted: invalid signature: the file or its signature changed after signing; SHA-256", "why");

	setxattr(hashed, "security.ima", ima_ng, sizeof(ima_ng), 0);
	ASSERT_EQ(evaluate(hashed, &key, &trust, why), MG_TRUST_NONE, "a hash is no signature");
	ASSERT_HAS(why, "not trusted: no signature: security.ima holds a file hash, not a signature; SHA-256", "why");
}

static void test_strongest_source_wins(void)
{
	const char *both = file_with("allowlisted", "#!/bin/sh\necho allowlisted\n", 0755);
	const char *other = file_with("anywhere-other", "#!/bin/sh\necho anywhere\n", 0755);
	struct mg_trust_key key;
	struct mg_trust trust;
	char why[1024];

	ASSERT_EQ(sign_with(both, "rsa"), 0, "signed too");
	ASSERT_EQ(evaluate(both, &key, &trust, why), MG_TRUST_SIGNATURE, "signature before allowlist");
	ASSERT_EQ(trust.key_id, 1, "key id");
	ASSERT_EQ(sign_with(other, "other"), 0, "signed by an unknown key");
	ASSERT_EQ(evaluate(other, &key, &trust, why), MG_TRUST_ALLOWLIST, "an unknown signer does not block the allowlist");
	removexattr(both, "security.ima");
}

static void test_not_examinable(void)
{
	struct mg_trust_key key;
	struct mg_trust trust;
	char why[1024], expected[512];

	ASSERT_EQ(evaluate(fixture_dir, &key, &trust, why), -EINVAL, "directory");
	snprintf(expected, sizeof(expected), "cannot examine %s: not a regular file", fixture_dir);
	ASSERT_STREQ(why, expected, "why");
	mkfifo(fixture_path("fifo"), 0755);
	ASSERT_EQ(evaluate(fixture_path("fifo"), &key, &trust, why), -EINVAL, "FIFO, without blocking");
	ASSERT_EQ(evaluate(fixture_path("missing"), &key, &trust, why), -ENOENT, "missing");
	snprintf(expected, sizeof(expected), "cannot examine %s: No such file or directory", fixture_path("missing"));
	ASSERT_STREQ(why, expected, "why");
	ASSERT_EQ(evaluate("/dev/null", &key, &trust, why), -EINVAL, "device");
}

static void test_change_while_hashing(void)
{
	const EVP_MD *mds[1] = { EVP_sha256() };
	unsigned char digests[1][EVP_MAX_MD_SIZE];
	const char *path = file_with("growing", "#!/bin/sh\necho before\n", 0755);
	struct stat st;
	FILE *file;
	int fd = mg_trust_open(path, &st);

	ASSERT_TRUE(fd >= 0, "opened");
	ASSERT_EQ(mg_trust_hash_fd(fd, &st, mds, 1, digests), 0, "unchanged: hashed");
	file = fopen(path, "a");
	fputs("echo after\n", file);
	fclose(file);
	ASSERT_EQ(mg_trust_hash_fd(fd, &st, mds, 1, digests), -ESTALE, "changed since it was opened");
	close(fd);
	ASSERT_EQ(mg_trust_hash_fd(0, &st, mds, MG_TRUST_MAX_DIGESTS + 1, digests), -EINVAL, "too many digests");
}

/* A writer that never stops: the evaluation must notice and refuse, not trust a mix. */
static void test_change_while_evaluating(void)
{
	const char *path = file_with("busy", "#!/bin/sh\necho busy\n", 0755);
	struct mg_trust_key key;
	struct mg_trust trust;
	char why[1024];
	pid_t writer;
	int fd, source;

	fd = open(path, O_WRONLY);
	ASSERT_EQ(ftruncate(fd, 64 * 1024 * 1024), 0, "made large");
	writer = fork();
	if (writer == 0) {
		for (unsigned int i = 0;; i++)
			pwrite(fd, &i, sizeof(i), (i % 4096) * 4096);
	}
	usleep(10000);
	source = evaluate(path, &key, &trust, why);
	kill(writer, SIGKILL);
	waitpid(writer, NULL, 0);
	close(fd);
	ASSERT_EQ(source, MG_TRUST_NONE, "not trusted");
	ASSERT_STREQ(why, "it changed while it was verified; evaluate it again once nothing writes it", "why");
	unlink(path);
}

static void test_large_file(void)
{
	const EVP_MD *mds[2] = { EVP_sha256(), EVP_md5() };
	unsigned char digests[2][EVP_MAX_MD_SIZE];
	char hex[65] = "", expected[65] = "", command[512];
	const char *path = fixture_path("large");
	struct stat st;
	FILE *pipe;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);

	/* 48 MiB and a little, mostly a hole, with data at odd places */
	pwrite(fd, "start", 5, 0);
	pwrite(fd, "middle", 6, 17 * 1024 * 1024 + 3);
	pwrite(fd, "end", 3, 48 * 1024 * 1024 + 11);
	close(fd);
	fd = mg_trust_open(path, &st);
	ASSERT_EQ(mg_trust_hash_fd(fd, &st, mds, 2, digests), 0, "hashed");
	close(fd);
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", digests[0][i]);
	snprintf(command, sizeof(command), "sha256sum '%s'", path);
	pipe = popen(command, "r");
	if (pipe && fgets(expected, sizeof(expected), pipe))
		expected[64] = '\0';
	if (pipe)
		pclose(pipe);
	ASSERT_STREQ(hex, expected, "as sha256sum says");
	unlink(path);
}

struct scan_result {
	char found[16][512];
	int count;
	int stop_at;
};

static int collect(const char *path, const struct stat *st, void *arg)
{
	struct scan_result *result = arg;

	if (!S_ISREG(st->st_mode))
		return -1;
	if (result->count < 16)
		snprintf(result->found[result->count], sizeof(result->found[0]), "%s", path);
	result->count++;
	return result->stop_at && result->count == result->stop_at ? 42 : 0;
}

static bool found(const struct scan_result *result, const char *path)
{
	for (int i = 0; i < result->count && i < 16; i++)
		if (strcmp(result->found[i], path) == 0)
			return true;
	return false;
}

static void test_scan(void)
{
	struct scan_result result = { .count = 0 };
	char tree[256], expected[1024], long_name[251] = "", *text;
	int dir_fd;
	FILE *diag;

	snprintf(tree, sizeof(tree), "%s/tree", fixture_dir);
	run_shell("cd '%s' && mkdir -p tree/sub tree/a/b/c outside && "
		  "printf x > tree/exe && chmod 755 tree/exe && "
		  "printf x > tree/data && chmod 644 tree/data && "
		  "printf x > tree/sub/exe2 && chmod 700 tree/sub/exe2 && "
		  "printf x > tree/a/b/c/too-deep && chmod 755 tree/a/b/c/too-deep && "
		  "printf x > outside/exe3 && chmod 755 outside/exe3 && "
		  "ln -s ../outside/exe3 tree/link-to-file && ln -s ../outside tree/link-to-dir && "
		  "mkfifo -m 755 tree/fifo && ln -s tree tree-link", fixture_dir);

	diag = fopen(fixture_path("diag"), "w");
	ASSERT_EQ(mg_trust_scan(tree, 2, collect, &result, diag), 0, "walked");
	fclose(diag);
	ASSERT_EQ(result.count, 2, "two executables");
	ASSERT_TRUE(found(&result, fixture_path("tree/exe")), "top level");
	ASSERT_TRUE(found(&result, fixture_path("tree/sub/exe2")), "in a subdirectory");
	text = read_text(fixture_path("diag"));
	snprintf(expected, sizeof(expected),
		 "medguard: trust scan: %s/tree/a/b/c is more than 2 directories deep; its executables are not trusted\n",
		 fixture_dir);
	ASSERT_STREQ(text, expected, "the cut-off reported");
	free(text);

	memset(&result, 0, sizeof(result));
	ASSERT_EQ(mg_trust_scan(fixture_path("tree-link"), MG_TRUST_SCAN_MAX_DEPTH, collect, &result, NULL), 0,
		  "a symlinked root is followed");
	ASSERT_EQ(result.count, 3, "deep enough now");
	ASSERT_TRUE(found(&result, fixture_path("tree/a/b/c/too-deep")), "with the canonical path");

	memset(&result, 0, sizeof(result));
	result.stop_at = 1;
	ASSERT_EQ(mg_trust_scan(tree, MG_TRUST_SCAN_MAX_DEPTH, collect, &result, NULL), 42, "stopped by the callback");
	ASSERT_EQ(result.count, 1, "after one");
	ASSERT_EQ(mg_trust_scan(fixture_path("no-tree"), 4, collect, &result, NULL), -ENOENT, "missing root");
	ASSERT_EQ(mg_trust_scan(fixture_path("tree/exe"), 4, collect, &result, NULL), -ENOTDIR, "root not a directory");

	/* names of 250 bytes, 17 deep: more than PATH_MAX */
	mkdir(fixture_path("long"), 0755);
	dir_fd = open(fixture_path("long"), O_RDONLY | O_DIRECTORY);
	memset(long_name, 'n', 250);
	for (int depth = 0; depth < 17; depth++) {
		int child;

		mkdirat(dir_fd, long_name, 0755);
		child = openat(dir_fd, long_name, O_RDONLY | O_DIRECTORY);
		close(dir_fd);
		dir_fd = child;
	}
	close(openat(dir_fd, "x", O_WRONLY | O_CREAT, 0755));
	close(dir_fd);
	diag = fopen(fixture_path("diag"), "w");
	memset(&result, 0, sizeof(result));
	ASSERT_EQ(mg_trust_scan(fixture_path("long"), 32, collect, &result, diag), 0, "walked");
	fclose(diag);
	ASSERT_EQ(result.count, 0, "nothing found");
	text = read_text(fixture_path("diag"));
	ASSERT_HAS(text, "medguard: trust scan: a name in ", "too long reported");
	ASSERT_HAS(text, " is too long; it is not trusted\n", "too long message");
	ASSERT_TRUE(strchr(text, '\n') == text + strlen(text) - 1, "one line");
	free(text);
}

/* The sources, as trust.h's header comment and the architecture document order them. */
static void test_backend_table(void)
{
	static const char *const strongest_first[] = { "signature", "allowlist", "packages", "scan" };
	const char *lists[] = { fixture_path("packaged.allowlist") };
	struct mg_trust_sources all = policy, weaker = policy;
	struct mg_trust_ctx *with_all, *without_allowlist;
	struct mg_trust_key key;
	struct mg_trust trust;
	char path[512], text[256], hex[65], why[1024];

	ASSERT_EQ(mg_trust_nbackends, 4, "four sources");
	for (size_t i = 0; i < mg_trust_nbackends && i < 4; i++) {
		const struct mg_trust_source_ops *source = mg_trust_backends[i];

		ASSERT_STREQ(source->name, strongest_first[i], "in the documented order, strongest first");
		ASSERT_TRUE(source->load && source->close, "loaded and closed");
		ASSERT_TRUE(!source->look == !source->verify && !source->verify == !source->explain,
			    "one that vouches looks, verifies and says why not");
		ASSERT_TRUE(source->verify || source->for_each, "it vouches or names files");
		ASSERT_TRUE(!source->database || source->for_each, "one loaded from a database names its files");
	}

	/* One file that every source that vouches would vouch for: the strongest says so. */
	sha256_hex_of("#!/bin/sh\necho packaged\n", hex);
	snprintf(text, sizeof(text), "%s\n", hex);
	write_text(lists[0], text);
	all.allowlists = lists;
	weaker.nallowlists = 0;
	with_all = mg_trust_ctx_new_at(&all, admindir, stdout);
	without_allowlist = mg_trust_ctx_new_at(&weaker, admindir, stdout);
	ASSERT_TRUE(with_all && without_allowlist, "contexts made");
	if (!with_all || !without_allowlist)
		goto cleanup;
	snprintf(path, sizeof(path), "%s/packaged", pkgroot);
	ASSERT_EQ(sign_with(path, "rsa"), 0, "signed");
	ASSERT_EQ(mg_trust_explain(with_all, path, &key, &trust, why, sizeof(why)), MG_TRUST_SIGNATURE, "signature first");
	ASSERT_HAS(why, "signed by key vendor", "the signature says so");
	removexattr(path, "security.ima");
	ASSERT_EQ(mg_trust_explain(with_all, path, &key, &trust, why, sizeof(why)), MG_TRUST_ALLOWLIST, "then the allowlist");
	ASSERT_STREQ(why, "its SHA-256 is in an allowlist", "the allowlist says so");
	ASSERT_EQ(mg_trust_explain(without_allowlist, path, &key, &trust, why, sizeof(why)), MG_TRUST_PACKAGE,
		  "then the package");
	ASSERT_STREQ(why, "installed by package pkg", "the package says so");
cleanup:
	mg_trust_ctx_free(with_all);
	mg_trust_ctx_free(without_allowlist);
}

struct fed {
	char lines[16][600];
	size_t n;
};

static void fed_line(struct fed *fed, const char *what, const char *path)
{
	if (fed->n < 16)
		snprintf(fed->lines[fed->n++], sizeof(fed->lines[0]), "%s %s", what, path);
}

/* Whether step INDEX of what FED was handed is WHAT of PATH. */
static bool fed_at(const struct fed *fed, size_t index, const char *what, const char *path)
{
	size_t len = strlen(what);

	return index < fed->n && !strncmp(fed->lines[index], what, len) && fed->lines[index][len] == ' ' &&
	       !strcmp(fed->lines[index] + len + 1, path);
}

static bool fed_has(const struct fed *fed, const char *what, const char *path)
{
	for (size_t i = 0; i < fed->n; i++)
		if (fed_at(fed, i, what, path))
			return true;
	return false;
}

static void feed_named(const char *path, void *arg)
{
	fed_line(arg, "named", path);
}

static bool feed_installed(const char *path, const struct stat *st, void *arg)
{
	(void)st;
	fed_line(arg, "installed", path);
	return true;
}

static void feed_watch(const char *dir, void *arg)
{
	fed_line(arg, "watch", dir);
}

static void feed_progress(const char *line, void *arg)
{
	fed_line(arg, "progress", line);
}

/* What the daemon is handed to put into the kernel's map: each source's files, strongest source first. */
static void test_feed(void)
{
	const char *scan_dirs[] = { pkgroot };
	struct mg_trust_sources sources = policy, keys_only = { .keys = policy.keys, .nkeys = policy.nkeys };
	struct fed fed = { .n = 0 };
	struct mg_trust_feed feed = { .named = feed_named, .installed = feed_installed, .watch = feed_watch,
				      .progress = feed_progress, .arg = &fed, .diag = stdout };
	struct mg_trust_ctx *scanning, *signatures;
	char path[512], status[512];

	run_shell("chmod 755 '%s/packaged' '%s/changed'", pkgroot, pkgroot);
	sources.scan_dirs = scan_dirs;
	sources.nscan_dirs = 1;
	scanning = mg_trust_ctx_new_at(&sources, admindir, stdout);
	signatures = mg_trust_ctx_new_at(&keys_only, admindir, stdout);
	ASSERT_TRUE(scanning && signatures, "contexts made");
	if (!scanning || !signatures)
		goto cleanup;
	mg_trust_feed_all(scanning, &feed);
	ASSERT_EQ(fed.n, 8, "eight steps");
	snprintf(path, sizeof(path), "%s/allowlisted", fixture_dir);
	ASSERT_TRUE(fed_at(&fed, 0, "named", path), "the allowlist's file named by path first");
	ASSERT_TRUE(fed_at(&fed, 1, "watch", admindir), "then dpkg's database watched");
	snprintf(path, sizeof(path), "%s/changed", pkgroot);
	ASSERT_TRUE(fed_at(&fed, 2, "installed", path), "and its files in order");
	ASSERT_TRUE(fed_has(&fed, "named", path), "the scan names it too");
	snprintf(path, sizeof(path), "%s/packaged", pkgroot);
	ASSERT_TRUE(fed_has(&fed, "installed", path) && fed_has(&fed, "named", path), "the packaged file twice");
	ASSERT_HAS(fed.lines[4], "progress verified 2 packaged executables and libraries", "how many said");
	ASSERT_TRUE(fed_has(&fed, "watch", pkgroot), "the scanned directory watched");

	snprintf(status, sizeof(status), "%s/status", admindir);
	ASSERT_TRUE(mg_trust_is_database(scanning, status), "dpkg's status is a database");
	ASSERT_FALSE(mg_trust_is_database(scanning, path), "a packaged file is none");
	ASSERT_FALSE(mg_trust_is_database(signatures, status), "without package trust, nothing is");
	fed.n = 0;
	mg_trust_feed_databases(scanning, &feed);
	ASSERT_EQ(fed.n, 4, "after the database changed: only its files");
	ASSERT_TRUE(mg_trust_covers_mapped_libraries(scanning), "allowlists and packages need the mapped libraries");
	ASSERT_FALSE(mg_trust_covers_mapped_libraries(signatures), "signatures alone do not");
	fed.n = 0;
	mg_trust_feed_all(signatures, &feed);
	ASSERT_EQ(fed.n, 0, "signatures name no files");
cleanup:
	mg_trust_ctx_free(scanning);
	mg_trust_ctx_free(signatures);
}

/* dpkg says /bin/cat where merged /usr has /usr/bin/cat: both names must find the package. */
static void test_merged_usr_on_this_host(void)
{
	struct mg_trust_sources packages_only = { .trust_packages = true };
	struct mg_trust_ctx *host = mg_trust_ctx_new(&packages_only, NULL);
	struct mg_trust_key key;
	struct mg_trust trust;
	char why[1024];

	if (!ASSERT_TRUE(host != NULL, "this host's dpkg database loads"))
		return;
	ASSERT_EQ(mg_trust_explain(host, "/usr/bin/cat", &key, &trust, why, sizeof(why)), MG_TRUST_PACKAGE,
		  "/usr/bin/cat");
	ASSERT_STREQ(why, "installed by package coreutils", "by coreutils");
	ASSERT_EQ(mg_trust_explain(host, "/bin/cat", &key, &trust, why, sizeof(why)), MG_TRUST_PACKAGE, "/bin/cat");
	mg_trust_ctx_free(host);
}

static bool host_has_merged_usr(void)
{
	char target[64];
	ssize_t len = readlink("/bin", target, sizeof(target) - 1);

	if (len < 0 || access("/var/lib/dpkg/info/coreutils.md5sums", R_OK))
		return false;
	target[len] = '\0';
	return strcmp(target, "usr/bin") == 0 || strcmp(target, "/usr/bin") == 0;
}

static void test_cli_sign(void)
{
	const char *path = file_with("cli-signed", "#!/bin/sh\necho cli\n", 0755);
	char expected[1024];

	ASSERT_EQ(RUN_CMD(mg_cmd_sign, "sign", (char *)path, "--key", (char *)fixture_path("ec.pem")), 0, "signed");
	snprintf(expected, sizeof(expected), "%s: signed, key %08x (sha256)\n", path, ec_keyid);
	ASSERT_STREQ(captured_out, expected, "sign output");
	ASSERT_STREQ(captured_err, "", "quiet on stderr");

	ASSERT_EQ(RUN_CMD(mg_cmd_sign, "sign", "--hash=sha512", "--key", (char *)fixture_path("rsa.pem"), "--",
			  (char *)path), 0, "sha512, options first");
	snprintf(expected, sizeof(expected), "%s: signed, key %08x (sha512)\n", path, rsa_keyid);
	ASSERT_STREQ(captured_out, expected, "sha512 output");

	ASSERT_EQ(RUN_CMD(mg_cmd_sign, "sign", (char *)path, "--key", (char *)fixture_path("ec.pem"), "--hash", "sha1"),
		  2, "sha1 refused");
	ASSERT_HAS(captured_err, "medguard: sign: hash algorithm sha1 is not accepted; use sha256, sha384 or sha512\n",
		   "sha1 message");
	ASSERT_EQ(RUN_CMD(mg_cmd_sign, "sign", (char *)path), 2, "no key");
	ASSERT_HAS(captured_err, "medguard: sign: no --key given; name the private key to sign with\nusage: ", "no key message");
	ASSERT_EQ(RUN_CMD(mg_cmd_sign, "sign", "--key", (char *)fixture_path("ec.pem")), 2, "no file");
	ASSERT_HAS(captured_err, "medguard: sign: no FILE given; name the files to sign\n", "no file message");
	ASSERT_EQ(RUN_CMD(mg_cmd_sign, "sign", "-x", (char *)path), 2, "unknown option");
	ASSERT_HAS(captured_err, "medguard: sign: unknown option -x\n", "unknown option message");
	ASSERT_EQ(RUN_CMD(mg_cmd_sign, "sign", (char *)path, "--key"), 2, "key without value");
	ASSERT_STREQ(captured_err, "medguard: --key needs a value\n", "missing value message");
	ASSERT_EQ(RUN_CMD(mg_cmd_sign, "sign", "--help"), 0, "help");
	ASSERT_HAS(captured_out, "usage: medguard sign FILE... --key PRIVATE_KEY", "usage on stdout");

	ASSERT_EQ(RUN_CMD(mg_cmd_sign, "sign", (char *)path, "--key", (char *)fixture_path("rsa.pub")), 1, "public key");
	snprintf(expected, sizeof(expected),
		 "medguard: cannot read private key %s: it holds a public key or certificate; signing needs the private key\n",
		 fixture_path("rsa.pub"));
	ASSERT_STREQ(captured_err, expected, "public key message");
	ASSERT_EQ(RUN_CMD(mg_cmd_sign, "sign", fixture_dir, (char *)path, "--key", (char *)fixture_path("ec.pem")), 1,
		  "a directory among files");
	snprintf(expected, sizeof(expected), "medguard: cannot sign %s: not a regular file\n", fixture_dir);
	ASSERT_STREQ(captured_err, expected, "directory message");
	snprintf(expected, sizeof(expected), "%s: signed, key %08x (sha256)\n", path, ec_keyid);
	ASSERT_STREQ(captured_out, expected, "the other file still signed");
}

static void test_cli_verify(void)
{
	const char *good = file_with("v-good", "#!/bin/sh\necho good\n", 0755);
	const char *unsigned_file = file_with("v-unsigned", "#!/bin/sh\necho unsigned\n", 0755);
	const char *tampered = file_with("v-tampered", "#!/bin/sh\necho tampered\n", 0755);
	const char *stranger = file_with("v-stranger", "#!/bin/sh\necho stranger\n", 0755);
	char ec_pub[256], rsa_cert[256], expected[2048];
	__u32 other_keyid = keyid_of("other.pem");
	FILE *file;

	snprintf(ec_pub, sizeof(ec_pub), "%s/ec.pub", fixture_dir);
	snprintf(rsa_cert, sizeof(rsa_cert), "%s/rsa.crt", fixture_dir);
	sign_with(good, "ec");
	sign_with(tampered, "rsa");
	sign_with(stranger, "other");
	file = fopen(tampered, "a");
	fputs("# changed\n", file);
	fclose(file);

	ASSERT_EQ(RUN_CMD(mg_cmd_verify, "verify", (char *)good, "--key", ec_pub), 0, "valid");
	snprintf(expected, sizeof(expected), "%s: valid signature, key %08x (%s)\n", good, ec_keyid, ec_pub);
	ASSERT_STREQ(captured_out, expected, "valid line");

	ASSERT_EQ(RUN_CMD(mg_cmd_verify, "verify", (char *)good, (char *)unsigned_file, (char *)tampered,
			  (char *)stranger, "--key", ec_pub, "--key", rsa_cert), 1, "not all valid");
	snprintf(expected, sizeof(expected),
		 "%s: valid signature, key %08x (%s)\n"
		 "%s: no signature; sign it with 'medguard sign'\n"
		 "%s: invalid signature: the file or its signature changed after signing; sign it again if its content is trusted\n"
		 "%s: signed by unknown key %08x; add its public key with --key\n",
		 good, ec_keyid, ec_pub, unsigned_file, tampered, stranger, other_keyid);
	ASSERT_STREQ(captured_out, expected, "one line each");

	ASSERT_EQ(RUN_CMD(mg_cmd_verify, "verify", (char *)fixture_path("gone"), "--key", ec_pub), 1, "missing file");
	snprintf(expected, sizeof(expected), "medguard: cannot verify %s: No such file or directory\n", fixture_path("gone"));
	ASSERT_STREQ(captured_err, expected, "missing file message");
	ASSERT_EQ(RUN_CMD(mg_cmd_verify, "verify", (char *)good), 2, "no key");
	ASSERT_HAS(captured_err, "medguard: verify: no --key given; name the public keys to verify with\nusage: ", "no key message");
	ASSERT_EQ(RUN_CMD(mg_cmd_verify, "verify", "--key", ec_pub), 2, "no file");
	ASSERT_HAS(captured_err, "medguard: verify: no FILE given; name the files to verify\n", "no file message");
	ASSERT_EQ(RUN_CMD(mg_cmd_verify, "verify", (char *)good, "--key", (char *)fixture_path("ec.pem")), 1, "private key");
	snprintf(expected, sizeof(expected),
		 "medguard: cannot read key %s: it is a private key, which belongs on the signing host only; give its public key instead ('openssl pkey -in %s -pubout')\n",
		 fixture_path("ec.pem"), fixture_path("ec.pem"));
	ASSERT_STREQ(captured_err, expected, "private key message");
	ASSERT_STREQ(captured_out, "", "nothing verified with a bad key");
	ASSERT_EQ(RUN_CMD(mg_cmd_verify, "verify", "--frobnicate"), 2, "unknown option");
	ASSERT_HAS(captured_err, "medguard: verify: unknown option --frobnicate\n", "unknown option message");
}

static void test_cli_trust(void)
{
	const char *path = file_with("hash-me", "#!/bin/sh\necho hash me\n", 0755);
	const char *plain = file_with("check-plain", "#!/bin/sh\necho check\n", 0755);
	char hex[65], expected[2048], pkg_path[512];

	sha256_hex_of("#!/bin/sh\necho hash me\n", hex);
	ASSERT_EQ(RUN_CMD(mg_cmd_trust, "trust", "hash", (char *)path), 0, "hashed");
	snprintf(expected, sizeof(expected), "%s  %s\n", hex, path);
	ASSERT_STREQ(captured_out, expected, "an allowlist line");
	symlink(path, fixture_path("hash-link"));
	ASSERT_EQ(RUN_CMD(mg_cmd_trust, "trust", "hash", (char *)fixture_path("hash-link")), 0, "through a symlink");
	ASSERT_STREQ(captured_out, expected, "the file's own path");
	ASSERT_EQ(RUN_CMD(mg_cmd_trust, "trust", "hash", (char *)fixture_path("gone"), (char *)path), 1, "a missing file");
	snprintf(expected, sizeof(expected), "medguard: cannot hash %s: No such file or directory\n", fixture_path("gone"));
	ASSERT_STREQ(captured_err, expected, "missing file message");
	ASSERT_EQ(RUN_CMD(mg_cmd_trust, "trust", "hash"), 2, "no file");
	path = file_with("new\nline", "x", 0755);
	ASSERT_EQ(RUN_CMD(mg_cmd_trust, "trust", "hash", (char *)path), 1, "a newline in the name");
	snprintf(expected, sizeof(expected),
		 "medguard: cannot list %s: an allowlist needs an absolute path without newlines; rename it\n", path);
	ASSERT_STREQ(captured_err, expected, "newline message");
	ASSERT_STREQ(captured_out, "", "no line");

	snprintf(pkg_path, sizeof(pkg_path), "%s/packaged", pkgroot);
	ASSERT_EQ(RUN_CMD(mg_cmd_trust, "trust", "check", pkg_path, "--packages", "--admindir", admindir,
			  "--allowlist", allowlist_path, "--key", (char *)fixture_path("ec.pub")), 0, "checked");
	snprintf(expected, sizeof(expected), "%s: trusted: installed by package pkg\n", pkg_path);
	ASSERT_STREQ(captured_out, expected, "trusted line");
	ASSERT_EQ(RUN_CMD(mg_cmd_trust, "trust", "check", (char *)plain), 1, "untrusted");
	sha256_hex_of("#!/bin/sh\necho check\n", hex);
	snprintf(expected, sizeof(expected),
		 "%s: not trusted: no signature; no allowlists; package trust is off\n", plain);
	ASSERT_STREQ(captured_out, expected, "untrusted line");
	ASSERT_EQ(RUN_CMD(mg_cmd_trust, "trust", "check", (char *)plain, "--allowlist", (char *)fixture_path("nope")), 1,
		  "bad allowlist");
	snprintf(expected, sizeof(expected), "%s: error: cannot read allowlist: No such file or directory; check its path\n",
		 fixture_path("nope"));
	ASSERT_STREQ(captured_err, expected, "bad allowlist line");

	ASSERT_EQ(RUN_CMD(mg_cmd_trust, "trust"), 2, "no subcommand");
	ASSERT_HAS(captured_err, "medguard: trust: no subcommand given; use hash, import-dpkg or check\n", "message");
	ASSERT_EQ(RUN_CMD(mg_cmd_trust, "trust", "add"), 2, "unknown subcommand");
	ASSERT_HAS(captured_err, "medguard: trust: unknown subcommand add; use hash, import-dpkg or check\n", "message");
	ASSERT_EQ(RUN_CMD(mg_cmd_trust, "trust", "--help"), 0, "help");
	ASSERT_HAS(captured_out, "usage: medguard trust hash FILE...", "usage");
}

int main(void)
{
	fixture_setup();
	if (make_rsa_key("rsa") || make_ec_key("ec") || make_ec_key("other")) {
		printf("Bail out! cannot make test keys with openssl\n");
		return 1;
	}
	rsa_keyid = keyid_of("rsa.pem");
	ec_keyid = keyid_of("ec.pem");
	setup_sources();
	ctx = mg_trust_ctx_new_at(&policy, admindir, stdout);
	if (!ctx) {
		printf("Bail out! cannot make the trust context\n");
		return 1;
	}
	RUN(test_kernel_dev);
	RUN(test_ctx_reports_every_bad_source);
	RUN(test_ctx_warns_of_dpkg_problems);
	RUN(test_signed_files);
	RUN(test_launcher_by_content);
	RUN(test_allowlisted_files);
	RUN(test_packaged_files);
	RUN(test_untrusted_files);
	RUN(test_strongest_source_wins);
	RUN(test_not_examinable);
	RUN(test_change_while_hashing);
	RUN(test_change_while_evaluating);
	RUN(test_large_file);
	RUN(test_scan);
	RUN(test_backend_table);
	RUN(test_feed);
	if (host_has_merged_usr())
		RUN(test_merged_usr_on_this_host);
	else
		printf("ok %d - test_merged_usr_on_this_host # SKIP no merged /usr with dpkg here\n", ++unit_number);
	RUN(test_cli_sign);
	RUN(test_cli_verify);
	RUN(test_cli_trust);
	mg_trust_ctx_free(ctx);
	free((char *)policy_keys[0].path);
	free((char *)policy_keys[1].path);
	fixture_teardown();
	return unit_done();
}
