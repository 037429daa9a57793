// SPDX-License-Identifier: GPL-2.0-only
/* `medguard trust hash|import-dpkg|check`: the trust store from the command line. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cmd.h"
#include "trust/trust.h"

static const char trust_usage[] =
	"usage: medguard trust hash FILE...\n"
	"       medguard trust import-dpkg [--output ALLOWLIST] [--admindir DIR]\n"
	"       medguard trust check FILE... [--key PUBLIC_KEY]... [--allowlist FILE]... [--packages] [--admindir DIR]\n"
	"hash prints allowlist lines; import-dpkg writes an allowlist of the executables of installed\n"
	"packages whose content dpkg vouches for; check says what, if anything, makes each FILE trusted.\n";

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

	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int option;

	optind = 0;
	while ((option = mg_next_option(argc, argv, ":h", options, trust_usage, "trust hash", "unknown option")) != -1) {
		if (option != 'h')
			return EXIT_USAGE;
		fputs(trust_usage, stdout);
		return 0;
	}
	if (optind >= argc)
		return usage_error(trust_usage, "trust hash: no FILE given; name the files to list");
	for (int i = optind; i < argc; i++) {
		struct stat st;
		int fd, error;

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
	const char *output = NULL, *admindir = MG_DPKG_ADMINDIR;
	struct import_counts counts = { 0 };
	char err[1024], temp_path[PATH_MAX] = "";
	struct mg_dpkg *dpkg = NULL;
	FILE *out = stdout;
	static const struct option options[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "admindir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int option, ret = EXIT_USAGE, temp_fd;

	optind = 0;
	while ((option = mg_next_option(argc, argv, ":h", options, trust_usage, "trust import-dpkg",
					"unexpected argument")) != -1) {
		switch (option) {
		case 'h': fputs(trust_usage, stdout); ret = 0; goto cleanup;
		case 'o': output = optarg; break;
		case 'd': admindir = optarg; break;
		default: goto cleanup;
		}
	}
	if (optind < argc) {
		ret = usage_error(trust_usage, "trust import-dpkg: unexpected argument %s", argv[optind]);
		goto cleanup;
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
	struct mg_trust_source_key *source_keys = NULL;
	const char *admindir = MG_DPKG_ADMINDIR;
	struct mg_trust_sources sources = { 0 };
	struct mg_trust_ctx *ctx = NULL;
	static const struct option options[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "allowlist", required_argument, NULL, 'a' },
		{ "admindir", required_argument, NULL, 'd' },
		{ "packages", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int option, ret = EXIT_USAGE;

	optind = 0;
	while ((option = mg_next_option(argc, argv, ":h", options, trust_usage, "trust check", "unknown option")) != -1) {
		switch (option) {
		case 'h': fputs(trust_usage, stdout); ret = 0; goto cleanup;
		case 'k':
			if (string_list_add(&keys, optarg))
				goto cleanup;
			break;
		case 'a':
			if (string_list_add(&allowlists, optarg))
				goto cleanup;
			break;
		case 'd': admindir = optarg; break;
		case 'p': sources.trust_packages = true; break;
		default: goto cleanup;
		}
	}
	for (int i = optind; i < argc; i++)
		if (string_list_add(&files, argv[i]))
			goto cleanup;
	if (!files.count) {
		ret = usage_error(trust_usage, "trust check: no FILE given; name the files to check");
		goto cleanup;
	}
	source_keys = calloc(keys.count ? keys.count : 1, sizeof(*source_keys));
	if (!source_keys)
		goto cleanup;
	for (size_t i = 0; i < keys.count; i++)
		source_keys[i] = (struct mg_trust_source_key){ .name = keys.items[i], .path = keys.items[i],
								.key_id = i + 1 };
	sources.keys = source_keys;
	sources.nkeys = keys.count;
	sources.allowlists = allowlists.items;
	sources.nallowlists = allowlists.count;
	ret = 1;
	ctx = mg_trust_ctx_new_at(&sources, admindir, stderr);
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
	free(source_keys);
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
