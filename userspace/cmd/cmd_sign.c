// SPDX-License-Identifier: GPL-2.0-only
/* `medguard sign FILE... --key PRIVATE_KEY`: IMA signatures, as evmctl writes them. */
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

static const char sign_usage[] =
	"usage: medguard sign FILE... --key PRIVATE_KEY [--hash sha256|sha384|sha512]\n"
	"Signs each FILE's content into its security.ima, as 'evmctl ima_sign' does.\n";
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
	const char *key_path = NULL, *hash_name = "sha256";
	static const struct option options[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "hash", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	EVP_PKEY *private_key = NULL;
	char err[512];
	__u32 keyid = 0;
	int hash_algo, option, ret = EXIT_USAGE;

	optind = 0;
	while ((option = mg_next_option(argc, argv, ":h", options, sign_usage, "sign", "unknown option")) != -1) {
		switch (option) {
		case 'h': fputs(sign_usage, stdout); ret = 0; goto cleanup;
		case 'k': key_path = optarg; break;
		case 'H': hash_name = optarg; break;
		default: goto cleanup;
		}
	}
	for (int i = optind; i < argc; i++)
		if (string_list_add(&files, argv[i]))
			goto cleanup;
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

