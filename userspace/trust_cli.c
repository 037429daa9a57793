// SPDX-License-Identifier: GPL-2.0-only
/* medguard sign, verify and trust: the trust store from the command line. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "allowlist.h"
#include "commands.h"
#include "dpkg_trust.h"
#include "imasig.h"
#include "keyring.h"
#include "trust.h"

#define EXIT_USAGE 2

static const char sign_usage[] =
	"usage: medguard sign FILE... --key PRIVATE_KEY [--hash sha256|sha384|sha512]\n"
	"Signs each FILE's content into its security.ima, as 'evmctl ima_sign' does.\n";
static const char verify_usage[] =
	"usage: medguard verify FILE... --key PUBLIC_KEY [--key PUBLIC_KEY]...\n"
	"Checks each FILE's security.ima signature; exits 0 only if all are valid.\n";
static const char trust_usage[] =
	"usage: medguard trust hash FILE...\n"
	"       medguard trust import-dpkg [--output ALLOWLIST] [--admindir DIR]\n"
	"       medguard trust check FILE... [--key PUBLIC_KEY]... [--allowlist FILE]... [--packages] [--admindir DIR]\n"
	"hash prints allowlist lines; import-dpkg writes an allowlist of the executables of installed\n"
	"packages whose content dpkg vouches for; check says what, if anything, makes each FILE trusted.\n";

/* A growing list of the strings given for a repeated option, or of operands. */
struct string_list {
	const char **items;
	size_t count;
};

static int string_list_add(struct string_list *list, const char *item)
{
	const char **items = realloc(list->items, (list->count + 1) * sizeof(*items));

	if (!items) {
		fputs("medguard: out of memory\n", stderr);
		return -1;
	}
	items[list->count++] = item;
	list->items = items;
	return 0;
}

/*
 * Matches argv[*i] against "--NAME VALUE" or "--NAME=VALUE". Returns 1 with
 * *VALUE set, 0 if it is another argument, -1 if the value is missing.
 */
static int option_value(int argc, char **argv, int *i, const char *name, const char **value)
{
	size_t len = strlen(name);

	if (strncmp(argv[*i], name, len) != 0)
		return 0;
	if (argv[*i][len] == '=') {
		*value = argv[*i] + len + 1;
		return 1;
	}
	if (argv[*i][len] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "medguard: %s needs a value\n", name);
		return -1;
	}
	*value = argv[++*i];
	return 1;
}

static bool is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

__attribute__((format(printf, 2, 3)))
static int usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fputs("medguard: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs(usage, stderr);
	return EXIT_USAGE;
}

static const char *open_error(int error)
{
	return error == -EINVAL ? "not a regular file" :
	       error == -ESTALE ? "it was replaced while it was opened; try again" : strerror(-error);
}

static const char *setxattr_advice(int error)
{
	switch (error) {
	case ENOTSUP:
		return "keep signed programs on a filesystem with security xattrs (ext4, xfs, btrfs)";
	case EPERM:
	case EACCES:
		return "security xattrs need root: run medguard sign as root";
	case EROFS:
		return "sign the file where it is built, or remount the filesystem read-write";
	default:
		return "check the filesystem";
	}
}

static int sign_file(const char *path, EVP_PKEY *private_key, __u32 keyid, unsigned int hash_algo)
{
	unsigned char xattr[MG_IMASIG_MAX_XATTR_BYTES];
	unsigned char digest[1][EVP_MAX_MD_SIZE];
	const EVP_MD *md[1] = { mg_ima_hash_md(hash_algo) };
	char err[512];
	struct stat st;
	ssize_t size;
	int fd, error, ret = 1;

	fd = mg_trust_open(path, &st);
	if (fd < 0) {
		fprintf(stderr, "medguard: cannot sign %s: %s\n", path, open_error(fd));
		goto cleanup;
	}
	error = mg_trust_hash_fd(fd, &st, md, 1, digest);
	if (error) {
		fprintf(stderr, "medguard: cannot sign %s: %s\n", path,
			error == -ESTALE ? "it changed while it was read; sign it once nothing writes it" :
			strerror(-error));
		goto cleanup;
	}
	size = mg_imasig_sign(private_key, keyid, hash_algo, digest[0], EVP_MD_get_size(md[0]),
			      xattr, sizeof(xattr), err, sizeof(err));
	if (size < 0) {
		fprintf(stderr, "medguard: %s: %s\n", path, err);
		goto cleanup;
	}
	if (fsetxattr(fd, MG_IMA_XATTR_NAME, xattr, size, 0)) {
		error = errno;
		fprintf(stderr, "medguard: cannot write %s of %s: %s; %s\n", MG_IMA_XATTR_NAME, path,
			strerror(error), setxattr_advice(error));
		goto cleanup;
	}
	printf("%s: signed, key %08x (%s)\n", path, keyid, mg_ima_hash_name(hash_algo));
	ret = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	return ret;
}

int mg_cmd_sign(int argc, char **argv)
{
	struct string_list files = { 0 };
	const char *key_path = NULL, *hash_name = "sha256", *value;
	EVP_PKEY *private_key = NULL;
	bool options_done = false;
	char err[512];
	__u32 keyid = 0;
	int hash_algo, matched, ret = EXIT_USAGE;

	for (int i = 1; i < argc; i++) {
		if (!options_done && strcmp(argv[i], "--") == 0) {
			options_done = true;
		} else if (!options_done && is_help(argv[i])) {
			fputs(sign_usage, stdout);
			ret = 0;
			goto cleanup;
		} else if (!options_done && (matched = option_value(argc, argv, &i, "--key", &value))) {
			if (matched < 0)
				goto cleanup;
			key_path = value;
		} else if (!options_done && (matched = option_value(argc, argv, &i, "--hash", &value))) {
			if (matched < 0)
				goto cleanup;
			hash_name = value;
		} else if (!options_done && argv[i][0] == '-' && argv[i][1]) {
			ret = usage_error(sign_usage, "sign: unknown option %s", argv[i]);
			goto cleanup;
		} else if (string_list_add(&files, argv[i])) {
			goto cleanup;
		}
	}
	if (!key_path) {
		ret = usage_error(sign_usage, "sign: no --key given; name the private key to sign with");
		goto cleanup;
	}
	if (!files.count) {
		ret = usage_error(sign_usage, "sign: no FILE given; name the files to sign");
		goto cleanup;
	}
	hash_algo = mg_ima_hash_by_name(hash_name);
	if (hash_algo < 0) {
		ret = usage_error(sign_usage, "sign: hash algorithm %s is not accepted; use sha256, sha384 or sha512",
				  hash_name);
		goto cleanup;
	}
	private_key = mg_key_load_private(key_path, &keyid, err, sizeof(err));
	if (!private_key) {
		fprintf(stderr, "medguard: %s\n", err);
		ret = 1;
		goto cleanup;
	}
	ret = 0;
	for (size_t i = 0; i < files.count; i++)
		if (sign_file(files.items[i], private_key, keyid, hash_algo))
			ret = 1;
cleanup:
	EVP_PKEY_free(private_key);
	free(files.items);
	return ret;
}

static int verify_file(const struct mg_keyring *keyring, const char *path)
{
	struct mg_signature_check check;
	int error = mg_trust_check_signature(keyring, path, &check);

	if (error) {
		fprintf(stderr, "medguard: cannot verify %s: %s\n", path,
			error == -ESTALE ? "it changed while it was read; verify it once nothing writes it" :
			open_error(error));
		return 1;
	}
	switch (check.status) {
	case MG_IMASIG_VALID:
		printf("%s: valid signature, key %08x (%s)\n", path, check.keyid, check.signer->path);
		return 0;
	case MG_IMASIG_UNKNOWN_KEY:
		printf("%s: signed by unknown key %08x; add its public key with --key\n", path, check.keyid);
		return 1;
	default:
		printf("%s: %s\n", path, mg_imasig_strerror(check.status));
		return 1;
	}
}

int mg_cmd_verify(int argc, char **argv)
{
	struct string_list files = { 0 }, keys = { 0 };
	struct mg_keyring *keyring = NULL;
	bool options_done = false;
	const char *value;
	char err[512];
	int matched, ret = EXIT_USAGE;

	for (int i = 1; i < argc; i++) {
		if (!options_done && strcmp(argv[i], "--") == 0) {
			options_done = true;
		} else if (!options_done && is_help(argv[i])) {
			fputs(verify_usage, stdout);
			ret = 0;
			goto cleanup;
		} else if (!options_done && (matched = option_value(argc, argv, &i, "--key", &value))) {
			if (matched < 0 || string_list_add(&keys, value))
				goto cleanup;
		} else if (!options_done && argv[i][0] == '-' && argv[i][1]) {
			ret = usage_error(verify_usage, "verify: unknown option %s", argv[i]);
			goto cleanup;
		} else if (string_list_add(&files, argv[i])) {
			goto cleanup;
		}
	}
	if (!keys.count) {
		ret = usage_error(verify_usage, "verify: no --key given; name the public keys to verify with");
		goto cleanup;
	}
	if (!files.count) {
		ret = usage_error(verify_usage, "verify: no FILE given; name the files to verify");
		goto cleanup;
	}
	keyring = mg_keyring_new();
	if (!keyring)
		goto cleanup;
	ret = 0;
	for (size_t i = 0; i < keys.count; i++) {
		if (mg_keyring_add_file(keyring, keys.items[i], NULL, 0, err, sizeof(err))) {
			fprintf(stderr, "medguard: %s\n", err);
			ret = 1;
		}
	}
	if (ret)
		goto cleanup;
	for (size_t i = 0; i < files.count; i++)
		if (verify_file(keyring, files.items[i]))
			ret = 1;
cleanup:
	mg_keyring_free(keyring);
	free(files.items);
	free(keys.items);
	return ret;
}

/* One allowlist line for the open file FD: "<sha256>  <absolute path>". */
static int allowlist_line(int fd, const char *shown_path, const unsigned char *sha256, FILE *out)
{
	char canonical[PATH_MAX];

	if (mg_trust_fd_path(fd, canonical, sizeof(canonical)) == 0)
		shown_path = canonical;
	if (shown_path[0] != '/' || strchr(shown_path, '\n')) {
		fprintf(stderr, "medguard: cannot list %s: an allowlist needs an absolute path without newlines; rename it\n",
			shown_path);
		return 1;
	}
	for (size_t i = 0; i < MG_SHA256_BYTES; i++)
		fprintf(out, "%02x", sha256[i]);
	fprintf(out, "  %s\n", shown_path);
	return 0;
}

static int trust_hash(int argc, char **argv)
{
	const EVP_MD *md[1] = { EVP_sha256() };
	unsigned char digest[1][EVP_MAX_MD_SIZE];
	int ret = 0;

	if (argc < 2)
		return usage_error(trust_usage, "trust hash: no FILE given; name the files to list");
	for (int i = 1; i < argc; i++) {
		struct stat st;
		int fd, error;

		if (is_help(argv[i])) {
			fputs(trust_usage, stdout);
			return 0;
		}
		fd = mg_trust_open(argv[i], &st);
		if (fd < 0) {
			fprintf(stderr, "medguard: cannot hash %s: %s\n", argv[i], open_error(fd));
			ret = 1;
			continue;
		}
		error = mg_trust_hash_fd(fd, &st, md, 1, digest);
		if (error)
			fprintf(stderr, "medguard: cannot hash %s: %s\n", argv[i],
				error == -ESTALE ? "it changed while it was read; hash it once nothing writes it" :
				strerror(-error));
		if (error || allowlist_line(fd, argv[i], digest[0], stdout))
			ret = 1;
		close(fd);
	}
	return ret;
}

/* Programs and libraries: what the kernel may be asked to run or map executable. */
static bool is_executable_content(int fd, const struct stat *st)
{
	unsigned char magic[4];

	if (st->st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))
		return true;
	return pread(fd, magic, sizeof(magic), 0) == sizeof(magic) && memcmp(magic, "\177ELF", 4) == 0;
}

struct import_counts {
	size_t imported;
	size_t differed;
};

/* The files FIRST..FIRST+N-1 all name one path; import it if any package's MD5 matches. */
static void import_path(const struct mg_dpkg_file *first, size_t n, FILE *out, struct import_counts *counts)
{
	const EVP_MD *mds[2] = { EVP_md5(), EVP_sha256() };
	unsigned char digests[2][EVP_MAX_MD_SIZE];
	struct stat st;
	int fd, error;

	fd = mg_trust_open(first->path, &st);
	if (fd < 0)
		return; /* removed by the administrator, or a directory or symlink */
	if (!is_executable_content(fd, &st))
		goto cleanup;
	error = mg_trust_hash_fd(fd, &st, mds, 2, digests);
	if (error) {
		fprintf(stderr, "medguard: %s: not imported: %s\n", first->path,
			error == -ESTALE ? "it changed while it was read; import again once nothing writes it" :
			strerror(-error));
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++) {
		if (memcmp(first[i].md5, digests[0], MG_MD5_BYTES) == 0) {
			if (allowlist_line(fd, first->path, digests[1], out) == 0)
				counts->imported++;
			goto cleanup;
		}
	}
	counts->differed++;
	fprintf(stderr, "medguard: %s: content differs from what package %s installed; not imported; "
		"if that is unexpected, reinstall it with 'apt-get install --reinstall %s'\n",
		first->path, first->package, first->package);
cleanup:
	close(fd);
}

static int trust_import_dpkg(int argc, char **argv)
{
	const char *output = NULL, *admindir = MG_DPKG_ADMINDIR, *value;
	struct import_counts counts = { 0 };
	char err[1024], temp_path[PATH_MAX] = "";
	struct mg_dpkg *dpkg = NULL;
	FILE *out = stdout;
	int matched, ret = EXIT_USAGE, temp_fd;

	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(trust_usage, stdout);
			ret = 0;
			goto cleanup;
		} else if ((matched = option_value(argc, argv, &i, "--output", &value))) {
			if (matched < 0)
				goto cleanup;
			output = value;
		} else if ((matched = option_value(argc, argv, &i, "--admindir", &value))) {
			if (matched < 0)
				goto cleanup;
			admindir = value;
		} else {
			ret = usage_error(trust_usage, "trust import-dpkg: unexpected argument %s", argv[i]);
			goto cleanup;
		}
	}
	ret = 1;
	dpkg = mg_dpkg_load(admindir, err, sizeof(err));
	if (!dpkg) {
		fprintf(stderr, "medguard: %s\n", err);
		goto cleanup;
	}
	if (mg_dpkg_problems(dpkg))
		fprintf(stderr, "medguard: warning: %zu problems in dpkg's database; the first: %s\n",
			mg_dpkg_problems(dpkg), mg_dpkg_first_problem(dpkg));
	if (output) {
		/* Written beside the target and renamed over it, so a reader never sees half a list. */
		if (snprintf(temp_path, sizeof(temp_path), "%s.XXXXXX", output) >= (int)sizeof(temp_path)) {
			fprintf(stderr, "medguard: cannot write %s: the name is too long\n", output);
			temp_path[0] = '\0';
			goto cleanup;
		}
		temp_fd = mkstemp(temp_path);
		if (temp_fd < 0)
			temp_path[0] = '\0';
		if (temp_fd < 0 || fchmod(temp_fd, 0644) || !(out = fdopen(temp_fd, "w"))) {
			fprintf(stderr, "medguard: cannot write %s: %s; check that its directory exists and is writable\n",
				output, strerror(errno));
			if (temp_fd >= 0)
				close(temp_fd);
			out = NULL;
			goto cleanup;
		}
	}
	fprintf(out, "# medguard allowlist: executables of installed Debian packages whose content\n"
		     "# matched dpkg's records when imported (medguard trust import-dpkg)\n");
	for (size_t i = 0; i < mg_dpkg_file_count(dpkg);) {
		const struct mg_dpkg_file *first = mg_dpkg_file_at(dpkg, i);
		size_t n = 1;

		while (i + n < mg_dpkg_file_count(dpkg) &&
		       strcmp(mg_dpkg_file_at(dpkg, i + n)->path, first->path) == 0)
			n++;
		import_path(first, n, out, &counts);
		i += n;
	}
	if (fflush(out) || ferror(out) || (output && fsync(fileno(out)))) {
		fprintf(stderr, "medguard: cannot write %s: %s\n", output ? output : "the allowlist",
			strerror(errno));
		goto cleanup;
	}
	if (output && rename(temp_path, output)) {
		fprintf(stderr, "medguard: cannot write %s: %s\n", output, strerror(errno));
		goto cleanup;
	}
	temp_path[0] = '\0';
	fprintf(stderr, "medguard: imported %zu files of %zu packages; %zu differed from their package\n",
		counts.imported, mg_dpkg_package_count(dpkg), counts.differed);
	ret = 0;
cleanup:
	if (out && out != stdout)
		fclose(out);
	if (temp_path[0])
		unlink(temp_path);
	mg_dpkg_free(dpkg);
	return ret;
}

static int trust_check(int argc, char **argv)
{
	struct string_list files = { 0 }, keys = { 0 }, allowlists = { 0 };
	struct mg_policy_key *policy_keys = NULL;
	const char *admindir = MG_DPKG_ADMINDIR, *value;
	struct mg_policy policy = { 0 };
	struct mg_trust_ctx *ctx = NULL;
	int matched, ret = EXIT_USAGE;

	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(trust_usage, stdout);
			ret = 0;
			goto cleanup;
		} else if ((matched = option_value(argc, argv, &i, "--key", &value))) {
			if (matched < 0 || string_list_add(&keys, value))
				goto cleanup;
		} else if ((matched = option_value(argc, argv, &i, "--allowlist", &value))) {
			if (matched < 0 || string_list_add(&allowlists, value))
				goto cleanup;
		} else if ((matched = option_value(argc, argv, &i, "--admindir", &value))) {
			if (matched < 0)
				goto cleanup;
			admindir = value;
		} else if (strcmp(argv[i], "--packages") == 0) {
			policy.trust_packages = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			ret = usage_error(trust_usage, "trust check: unknown option %s", argv[i]);
			goto cleanup;
		} else if (string_list_add(&files, argv[i])) {
			goto cleanup;
		}
	}
	if (!files.count) {
		ret = usage_error(trust_usage, "trust check: no FILE given; name the files to check");
		goto cleanup;
	}
	policy_keys = calloc(keys.count ? keys.count : 1, sizeof(*policy_keys));
	if (!policy_keys)
		goto cleanup;
	for (size_t i = 0; i < keys.count; i++)
		policy_keys[i] = (struct mg_policy_key){ .name = (char *)keys.items[i],
							 .path = (char *)keys.items[i], .key_id = i + 1 };
	policy.keys = policy_keys;
	policy.nkeys = keys.count;
	policy.allowlists = (char **)allowlists.items;
	policy.nallowlists = allowlists.count;
	ret = 1;
	ctx = mg_trust_ctx_new_at(&policy, admindir, stderr);
	if (!ctx)
		goto cleanup;
	ret = 0;
	for (size_t i = 0; i < files.count; i++) {
		struct mg_trust_key key;
		struct mg_trust trust;
		char why[1024];
		int source = mg_trust_explain(ctx, files.items[i], &key, &trust, why, sizeof(why));

		if (source < 0)
			fprintf(stderr, "medguard: %s\n", why);
		else if (source == MG_TRUST_NONE)
			printf("%s: %s\n", files.items[i], why);
		else
			printf("%s: trusted: %s\n", files.items[i], why);
		if (source <= MG_TRUST_NONE)
			ret = 1;
	}
cleanup:
	mg_trust_ctx_free(ctx);
	free(policy_keys);
	free(files.items);
	free(keys.items);
	free(allowlists.items);
	return ret;
}

int mg_cmd_trust(int argc, char **argv)
{
	if (argc < 2)
		return usage_error(trust_usage, "trust: no subcommand given; use hash, import-dpkg or check");
	if (is_help(argv[1])) {
		fputs(trust_usage, stdout);
		return 0;
	}
	if (strcmp(argv[1], "hash") == 0)
		return trust_hash(argc - 1, argv + 1);
	if (strcmp(argv[1], "import-dpkg") == 0)
		return trust_import_dpkg(argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return trust_check(argc - 1, argv + 1);
	return usage_error(trust_usage, "trust: unknown subcommand %s; use hash, import-dpkg or check", argv[1]);
}
