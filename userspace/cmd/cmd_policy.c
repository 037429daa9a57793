// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cmd.h"
#include "policy/policy.h"

#define USAGE "usage: medguard policy check FILE | show FILE | reload"

static int policy_check(const char *file)
{
	int nerrors = 0, nwarnings = 0;
	struct mg_policy *policy = mg_policy_compile(file, stderr, &nerrors, &nwarnings);

	if (!policy) {
		fprintf(stderr, "%s: %d error%s, %d warning%s; the policy cannot be used\n", file,
			nerrors, nerrors == 1 ? "" : "s", nwarnings, nwarnings == 1 ? "" : "s");
		return 1;
	}
	printf("%s: the policy is valid, %d warning%s\n", file, nwarnings, nwarnings == 1 ? "" : "s");
	mg_policy_free(policy);
	return 0;
}

static int policy_show(const char *file)
{
	int nerrors = 0;
	struct mg_policy *policy = mg_policy_compile(file, stderr, &nerrors, NULL);

	if (!policy) {
		fprintf(stderr, "%s: %d error%s; run 'medguard policy check %s' and fix them\n", file,
			nerrors, nerrors == 1 ? "" : "s", file);
		return 1;
	}
	mg_policy_describe(policy, stdout);
	mg_policy_free(policy);
	return 0;
}

/* The pid in PID_FILE, or 0 when it holds none. */
static pid_t read_pid(FILE *file)
{
	char line[32];
	char *end;
	long pid;

	if (!fgets(line, sizeof(line), file))
		return 0;
	errno = 0;
	pid = strtol(line, &end, 10);
	if (errno || end == line || (*end != '\n' && *end != '\0') || pid <= 1 || pid > INT_MAX)
		return 0;
	return (pid_t)pid;
}

/* A stale pid file may name a pid reused by another process, which SIGHUP would kill. */
static bool is_medguard(pid_t pid, char *comm, size_t size)
{
	char path[64];
	FILE *file;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	file = fopen(path, "re");
	if (!file) {
		snprintf(comm, size, "?");
		return false;
	}
	ok = fgets(comm, (int)size, file) != NULL;
	fclose(file);
	if (!ok)
		return false;
	comm[strcspn(comm, "\n")] = '\0';
	return strcmp(comm, "medguard") == 0;
}

int mg_policy_reload(const char *pid_file, FILE *out, FILE *err)
{
	char comm[32];
	FILE *file;
	pid_t pid;

	file = fopen(pid_file, "re");
	if (!file && errno != ENOENT) {
		fprintf(err, "medguard: cannot read %s: %s; run 'medguard policy reload' as root\n", pid_file,
			strerror(errno));
		return 1;
	}
	pid = file ? read_pid(file) : 0;
	if (file)
		fclose(file);
	if (!pid) {
		fprintf(err, "medguard is not running: no pid in %s; start it with 'medguard run --policy FILE'\n",
			pid_file);
		return 1;
	}
	if (!is_medguard(pid, comm, sizeof(comm))) {
		fprintf(err, "medguard is not running: pid %d in %s is %s; start it with 'medguard run --policy FILE'\n",
			(int)pid, pid_file, strcmp(comm, "?") ? comm : "gone");
		return 1;
	}
	if (kill(pid, SIGHUP) < 0) {
		if (errno == EPERM)
			fprintf(err, "medguard: cannot signal medguard (pid %d): permission denied; run 'medguard policy reload' as root\n",
				(int)pid);
		else
			fprintf(err, "medguard: cannot signal medguard (pid %d): %s\n", (int)pid, strerror(errno));
		return 1;
	}
	fprintf(out, "sent SIGHUP to medguard (pid %d): it reloads its policy and logs the result\n",
		(int)pid);
	return 0;
}

int mg_cmd_policy(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (sub && strcmp(sub, "check") == 0 && argc == 3)
		return policy_check(argv[2]);
	if (sub && strcmp(sub, "show") == 0 && argc == 3)
		return policy_show(argv[2]);
	if (sub && strcmp(sub, "reload") == 0 && argc == 2)
		return mg_policy_reload(MG_PID_FILE, stdout, stderr);
	fprintf(stderr, USAGE "\n");
	return 2;
}
