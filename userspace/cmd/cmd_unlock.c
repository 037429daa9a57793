// SPDX-License-Identifier: GPL-2.0-only
/*
 * `medguard unlock --key PRIVATE_KEY`: the signed request (signed_request.c)
 * that lets root change the policy's files until the next reload.
 */
#include <stdio.h>

#include "cmd.h"

static const char unlock_usage[] =
	"usage: medguard unlock --key PRIVATE_KEY [--timeout SECONDS]\n"
	"Under a policy that names keys, lets root change the policy's files, keys and\n"
	"allowlists until the next reload ('medguard policy reload'), at most 10 minutes.\n"
	"The request is signed with the private key of one of the policy's keys.\n";

int mg_cmd_unlock(int argc, char **argv)
{
	struct request request;
	int status = parse_request(argc, argv, "unlock", unlock_usage, &request);

	if (status != -1)
		return status;
	if (!request.challenge[0]) {
		printf("the running policy names no key: its files are not locked\n");
		return 0;
	}
	if (!request.key_path)
		return usage_error(unlock_usage, "unlock: give --key with the private key of one of the policy's keys");
	if (send_request("unlock", &request) || await_answer("unlock", &request, true))
		return 1;
	printf("unlocked: change the policy's files, then 'medguard policy reload' (locks them again; "
	       "at most %d minutes)\n", MG_UNLOCK_SECONDS / 60);
	return 0;
}
