// SPDX-License-Identifier: GPL-2.0-only
/* `medguard verify FILE... --key PUBLIC_KEY`: checks security.ima signatures. */
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

static const char verify_usage[] =
	"usage: medguard verify FILE... --key PUBLIC_KEY [--key PUBLIC_KEY]...\n"
	"Checks each FILE's security.ima signature; exits 0 only if all are valid.\n";
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
	static const struct option options[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mg_keyring *keyring = NULL;
	char err[512];
	int option, ret = EXIT_USAGE;

	optind = 0;
	while ((option = mg_next_option(argc, argv, ":h", options, verify_usage, "verify", "unknown option")) != -1) {
		switch (option) {
		case 'h': fputs(verify_usage, stdout); ret = 0; goto cleanup;
		case 'k':
			if (string_list_add(&keys, optarg))
				goto cleanup;
			break;
		default: goto cleanup;
		}
	}
	for (int i = optind; i < argc; i++)
		if (string_list_add(&files, argv[i]))
			goto cleanup;
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
