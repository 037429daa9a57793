// SPDX-License-Identifier: GPL-2.0-only
/* `medguard policy check|show|reload`: exit status and the lines a user sees. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include "cmd.h"
#include "policy_test.h"
#include "unit.h"

struct run {
	int status;
	char *out;
	char *err;
};

static char *slurp(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);
	char *text = calloc(1, (size_t)size + 1);

	if (pread(fd, text, (size_t)size, 0) != size)
		text[0] = '\0';
	return text;
}

/* Runs `medguard policy ARGS...` with stdout and stderr captured. */
static struct run run_policy(int argc, char **argv)
{
	char out_path[128], err_path[128];
	int saved_out = dup(1), saved_err = dup(2);
	int out_fd, err_fd;
	struct run run;

	snprintf(out_path, sizeof(out_path), "%s/stdout", policy_test_dir);
	snprintf(err_path, sizeof(err_path), "%s/stderr", policy_test_dir);
	out_fd = open(out_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	err_fd = open(err_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	fflush(stdout);
	fflush(stderr);
	dup2(out_fd, 1);
	dup2(err_fd, 2);
	run.status = mg_cmd_policy(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	run.out = slurp(out_fd);
	run.err = slurp(err_fd);
	close(out_fd);
	close(err_fd);
	return run;
}

static void run_free(struct run *run)
{
	free(run->out);
	free(run->err);
}

static void test_usage(void)
{
	char *none[] = { "policy" };
	char *unknown[] = { "policy", "compile", "x" };
	char *missing[] = { "policy", "check" };
	char *extra[] = { "policy", "reload", "now" };
	struct run run;

	run = run_policy(1, none);
	ASSERT_EQ(run.status, 2, "no subcommand");
	ASSERT_STREQ(run.err, "usage: medguard policy check FILE | show FILE | reload [--no-wait]\n", "usage");
	run_free(&run);
	run = run_policy(3, unknown);
	ASSERT_EQ(run.status, 2, "unknown subcommand");
	run_free(&run);
	run = run_policy(2, missing);
	ASSERT_EQ(run.status, 2, "check without a file");
	run_free(&run);
	run = run_policy(3, extra);
	ASSERT_EQ(run.status, 2, "reload takes nothing");
	run_free(&run);
}

static void test_check_and_show(void)
{
	char good[256], bad[256];
	char *check_good[] = { "policy", "check", good };
	char *check_bad[] = { "policy", "check", bad };
	char *show_good[] = { "policy", "show", good };
	char *show_bad[] = { "policy", "show", bad };
	struct run run;

	make_dir("emr");
	snprintf(good, sizeof(good), "%s",
		 write_policy("good.policy", "mode enforce;\nrecords emr \"@DIR@/emr\";\non emr { deny anyone delete; }\n"));
	snprintf(bad, sizeof(bad), "%s", write_policy("bad.policy", "mode maybe;\nrecords r \"/x\"\n"));

	run = run_policy(3, check_good);
	ASSERT_EQ(run.status, 0, "valid");
	ASSERT_HAS(run.out, "good.policy: the policy is valid, 0 warnings\n", "ok line");
	ASSERT_STREQ(run.err, "", "nothing on stderr");
	run_free(&run);

	run = run_policy(3, check_bad);
	ASSERT_EQ(run.status, 1, "invalid");
	ASSERT_HAS(run.err, "bad.policy:1:6: error: expected 'enforce' or 'audit' after 'mode', found 'maybe'", "first error");
	ASSERT_HAS(run.err, "bad.policy:3:1: error: expected ';' to end the records statement, found end of file", "second error");
	ASSERT_HAS(run.err, "bad.policy: 2 errors, 0 warnings; the policy cannot be used\n", "summary");
	ASSERT_STREQ(run.out, "", "nothing on stdout");
	run_free(&run);

	run = run_policy(3, show_good);
	ASSERT_EQ(run.status, 0, "show");
	ASSERT_HAS(run.out, "mode: enforce", "described");
	ASSERT_HAS(run.out, "1. anyone may not delete.", "rule in words");
	run_free(&run);

	run = run_policy(3, show_bad);
	ASSERT_EQ(run.status, 1, "show of a broken policy");
	ASSERT_HAS(run.err, "bad.policy: 2 errors; run 'medguard policy check ", "hint");
	ASSERT_STREQ(run.out, "", "nothing described");
	run_free(&run);
}

/* The status file a reload reads; none unless a test writes it. */
static char reload_status_file[256];

/* Reloads with PID_FILE; *ERR gets what went to stderr, *OUT (when given) what went to stdout. */
static int reload_output(const char *pid_file, char **out, char **err)
{
	size_t out_size = 0, err_size = 0;
	char *ignored = NULL;
	FILE *out_stream = open_memstream(out ? out : &ignored, &out_size);
	FILE *err_stream = open_memstream(err, &err_size);
	int status = mg_policy_reload(pid_file, reload_status_file, 5, out_stream, err_stream);

	fclose(out_stream);
	fclose(err_stream);
	free(ignored);
	return status;
}

static int reload(const char *pid_file, char **err)
{
	return reload_output(pid_file, NULL, err);
}

static void test_reload_errors(void)
{
	char path[256], text[64], *err;
	pid_t gone;

	snprintf(path, sizeof(path), "%s/none.pid", policy_test_dir);
	ASSERT_EQ(reload(path, &err), 1, "no pid file");
	ASSERT_DIAG((struct compiled){ .diag = err },
		    "medguard is not running: no pid in @DIR@/none.pid; start it with 'medguard run --policy FILE'\n",
		    "no pid file message");
	free(err);

	snprintf(path, sizeof(path), "%s", write_bytes("garbage.pid", "12ab\n", 5));
	ASSERT_EQ(reload(path, &err), 1, "garbage");
	ASSERT_HAS(err, "medguard is not running: no pid in ", "garbage message");
	free(err);

	gone = fork();
	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0);
	snprintf(text, sizeof(text), "%d\n", (int)gone);
	snprintf(path, sizeof(path), "%s", write_bytes("gone.pid", text, strlen(text)));
	ASSERT_EQ(reload(path, &err), 1, "a pid that is gone");
	snprintf(text, sizeof(text), "medguard is not running: pid %d in ", (int)gone);
	ASSERT_HAS(err, text, "gone message");
	ASSERT_HAS(err, "gone.pid is gone; start it with 'medguard run --policy FILE'\n", "gone");
	free(err);

	snprintf(text, sizeof(text), "%d\n", (int)getpid());
	snprintf(path, sizeof(path), "%s", write_bytes("other.pid", text, strlen(text)));
	ASSERT_EQ(reload(path, &err), 1, "a pid that is not medguard is never signalled");
	ASSERT_HAS(err, "other.pid is test_policy_cli; start it with", "names the other process");
	free(err);

	ASSERT_EQ(reload("/etc/passwd/medguard.pid", &err), 1, "unreadable");
	ASSERT_STREQ(err, "medguard: cannot read /etc/passwd/medguard.pid: Not a directory; run 'medguard policy reload' as root\n",
		     "unreadable message");
	free(err);
}

static void test_reload_default_pid_file(void)
{
	char *argv[] = { "policy", "reload" };
	struct run run;

	if (access(MG_PID_FILE, F_OK) == 0) {
		printf("# %s exists; skipped\n", MG_PID_FILE);
		return;
	}
	run = run_policy(2, argv);
	ASSERT_EQ(run.status, 1, "not running");
	ASSERT_STREQ(run.err,
		     "medguard is not running: no pid in /run/medguard/medguard.pid; start it with 'medguard run --policy FILE'\n",
		     "the message of the brief");
	run_free(&run);
}

static void exit_on_hangup(int sig)
{
	(void)sig;
	_exit(42);
}

/* What a fake daemon's status file says after the reload SIGHUP asked for. */
static const char *reload_outcome;

static void count_reload_on_hangup(int sig)
{
	int fd = open(reload_status_file, O_WRONLY | O_TRUNC);

	(void)sig;
	if (fd >= 0) {
		if (write(fd, reload_outcome, strlen(reload_outcome)) < 0)
			_exit(1);
		close(fd);
	}
}

static bool comm_is_medguard(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *file;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	file = fopen(path, "r");
	if (!file)
		return false;
	if (!fgets(comm, sizeof(comm), file))
		comm[0] = '\0';
	fclose(file);
	return strcmp(comm, "medguard\n") == 0;
}

/* A child named medguard that runs ON_HANGUP at SIGHUP; its pid file's path in PATH. */
static pid_t fake_daemon(void (*on_hangup)(int), char *path, size_t size)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	char text[64];
	int tries = 0;
	pid_t child = fork();

	if (child == 0) {
		signal(SIGHUP, on_hangup);
		prctl(PR_SET_NAME, "medguard");
		for (;;)
			pause();
	}
	while (!comm_is_medguard(child) && tries++ < 500)
		nanosleep(&tick, NULL);
	snprintf(text, sizeof(text), "%d\n", (int)child);
	snprintf(path, size, "%s", write_bytes("medguard.pid", text, strlen(text)));
	return child;
}

/* Reloads a fake daemon whose status file says OUTCOME after SIGHUP; the status of the reload. */
static int reload_fake_daemon(const char *outcome, char **out, char **err)
{
	char path[256];
	int status;
	pid_t child;

	reload_outcome = outcome;
	child = fake_daemon(count_reload_on_hangup, path, sizeof(path));
	status = reload_output(path, out, err);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return status;
}

/* systemctl reload must fail when the daemon keeps its policy: the CLI waits for the outcome. */
static void test_reload_waits_for_the_outcome(void)
{
	char *out, *err;

	snprintf(reload_status_file, sizeof(reload_status_file), "%s",
		 write_bytes("status", "pid 1\nreloads 0\n", 17));
	ASSERT_EQ(reload_fake_daemon("pid 1\nreloads 1 last-applied\n", &out, &err), 0,
		  "an applied reload succeeds");
	ASSERT_HAS(out, "reloaded its policy", "says so");
	ASSERT_STREQ(err, "", "no error");
	free(out);
	free(err);

	ASSERT_EQ(reload_fake_daemon("pid 1\nreloads 2 last-refused\n", &out, &err), 1,
		  "a refused reload fails");
	ASSERT_HAS(err, "refused the new policy and keeps the one in force", "says so, in one line");
	ASSERT_STREQ(out, "", "nothing on stdout");
	free(out);
	free(err);

	ASSERT_EQ(reload_fake_daemon("pid 1\nreloads 2 last-refused\n", &out, &err), 1,
		  "no outcome within the time-out fails");
	ASSERT_HAS(err, "gave no outcome of the reload in 5 s", "says so");
	free(out);
	free(err);
	reload_status_file[0] = '\0';
}

/* A daemon whose status file counts no reloads (or that has none) is only signalled. */
static void test_reload_signals_medguard(void)
{
	char text[64], path[256], *out, *err;
	int status = 0;
	pid_t child = fake_daemon(exit_on_hangup, path, sizeof(path));

	ASSERT_EQ(reload_output(path, &out, &err), 0, "signalled");
	ASSERT_STREQ(err, "", "no error");
	snprintf(text, sizeof(text), "sent SIGHUP to medguard (pid %d): it reloads its policy", (int)child);
	ASSERT_HAS(out, text, "says what it did");
	free(out);
	free(err);
	waitpid(child, &status, 0);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 42, "the daemon got SIGHUP");
}

int main(void)
{
	policy_test_setup();
	RUN(test_usage);
	RUN(test_check_and_show);
	RUN(test_reload_errors);
	RUN(test_reload_default_pid_file);
	RUN(test_reload_signals_medguard);
	RUN(test_reload_waits_for_the_outcome);
	policy_test_teardown();
	return unit_done();
}
