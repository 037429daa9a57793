// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/types.h>

#include "cmd.h"
#include "policy/policy.h"

#define USAGE "usage: medguard policy check FILE | show FILE | reload [--no-wait]"

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

/*
 * How many reloads the daemon's status file counts, and whether the last
 * was refused; -1 when it does not say (no file, or a daemon that counts none).
 */
static long reloads_counted(const char *status_file, bool *last_refused)
{
	char line[256], outcome[32];
	FILE *file = fopen(status_file, "re");
	long count = -1;

	if (!file)
		return -1;
	while (fgets(line, sizeof(line), file)) {
		outcome[0] = '\0';
		if (sscanf(line, "reloads %ld %31s", &count, outcome) >= 1) {
			*last_refused = strcmp(outcome, "last-refused") == 0;
			break;
		}
	}
	fclose(file);
	return count;
}

/* The outcome of the reload after BEFORE, as the status file tells it; the exit status. */
static int wait_for_reload(pid_t pid, const char *status_file, long before, unsigned int timeout_s, FILE *out,
			   FILE *err)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	unsigned long waited_ms;
	bool refused = false;
	char comm[32];

	for (waited_ms = 0; waited_ms <= timeout_s * 1000UL; waited_ms += 100) {
		if (reloads_counted(status_file, &refused) > before) {
			if (!refused) {
				fprintf(out, "medguard (pid %d) reloaded its policy\n", (int)pid);
				return 0;
			}
			fprintf(err, "medguard (pid %d) refused the new policy and keeps the one in force; 'medguard "
				     "policy check FILE' and the daemon's log say why\n", (int)pid);
			return 1;
		}
		if (!is_medguard(pid, comm, sizeof(comm))) {
			fprintf(err, "medguard (pid %d) ended during the reload; 'journalctl -u medguard' says why\n",
				(int)pid);
			return 1;
		}
		nanosleep(&tick, NULL);
	}
	fprintf(err, "medguard (pid %d) gave no outcome of the reload in %u s; its log will say it\n", (int)pid,
		timeout_s);
	return 1;
}

int mg_policy_reload(const char *pid_file, const char *status_file, unsigned int timeout_s, FILE *out, FILE *err)
{
	bool refused;
	char comm[32];
	FILE *file;
	long before;
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
	before = reloads_counted(status_file, &refused);
	if (kill(pid, SIGHUP) < 0) {
		if (errno == EPERM)
			fprintf(err, "medguard: cannot signal medguard (pid %d): permission denied; run 'medguard policy reload' as root\n",
				(int)pid);
		else
			fprintf(err, "medguard: cannot signal medguard (pid %d): %s\n", (int)pid, strerror(errno));
		return 1;
	}
	if (before < 0 || !timeout_s) {
		fprintf(out, "sent SIGHUP to medguard (pid %d): it reloads its policy and logs the result\n",
			(int)pid);
		return 0;
	}
	return wait_for_reload(pid, status_file, before, timeout_s, out, err);
}

int mg_cmd_policy(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (sub && strcmp(sub, "check") == 0 && argc == 3)
		return policy_check(argv[2]);
	if (sub && strcmp(sub, "show") == 0 && argc == 3)
		return policy_show(argv[2]);
	if (sub && strcmp(sub, "reload") == 0 && argc == 2)
		return mg_policy_reload(MG_PID_FILE, MG_STATUS_FILE, MG_RELOAD_WAIT_SECONDS, stdout, stderr);
	if (sub && strcmp(sub, "reload") == 0 && argc == 3 && strcmp(argv[2], "--no-wait") == 0)
		return mg_policy_reload(MG_PID_FILE, MG_STATUS_FILE, 0, stdout, stderr);
	fprintf(stderr, USAGE "\n");
	return 2;
}
