// SPDX-License-Identifier: GPL-2.0-only
/*
 * `medguard stop [--key PRIVATE_KEY]`: the one way to remove the protection.
 * Under a policy that names keys the request is signed with one of them,
 * over the running daemon's challenge (signed_request.c); under one
 * without, it is SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const char stop_usage[] =
	"usage: medguard stop [--key PRIVATE_KEY] [--timeout SECONDS]\n"
	"Stops the running daemon and removes the protection. A policy that names keys\n"
	"is stopped only by a request signed with the private key of one of them.\n";

int mg_cmd_stop(int argc, char **argv)
{
	struct request request;
	int status = parse_request(argc, argv, "stop", stop_usage, &request);

	if (status != -1)
		return status;
	if (request.challenge[0]) {
		if (!request.key_path)
			return usage_error(stop_usage, "stop: the running policy names keys; give --key with the private "
						       "key of one of them");
		if (send_request("stop", &request))
			return 1;
	} else if (kill(request.pid, SIGTERM)) {
		fprintf(stderr, "medguard: cannot stop pid %d: %s; run medguard stop as root\n", request.pid,
			strerror(errno));
		return 1;
	}
	if (await_answer("stop", &request, false))
		return 1;
	printf("medguard stopped; the records are no longer protected\n");
	return 0;
}
