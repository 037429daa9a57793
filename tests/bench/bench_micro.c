// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_micro: the micro workloads of `make bench`, and the helpers its
 * harness needs to build trees fast under emulation.
 *
 *	bench_micro OP DIR ITERATIONS     prints "OP NS_PER_OP"
 *	bench_micro mkfiles DIR COUNT [PER_DIR] [BYTES]
 *	bench_micro mkdeep DIR DEPTH      prints the deepest folder
 *
 * OP is one of open, stat, read, write, rename, unlink, exec. Every
 * operation works on files in DIR (created before the clock starts), so
 * that DIR says where in the file system the hooks look. exec runs
 * /usr/bin/true (a packaged, hence trusted, binary) by fork+execve+wait.
 * Times are wall-clock nanoseconds per operation from CLOCK_MONOTONIC;
 * under emulation only their ratios between configurations mean anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define FILE_BYTES 4096
#define EXEC_PATH "/usr/bin/true"

static char buffer[FILE_BYTES];

static void die(const char *what, const char *path)
{
	fprintf(stderr, "bench_micro: %s %s: %s\n", what, path, strerror(errno));
	exit(2);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void write_file(const char *path, size_t bytes)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die("create", path);
	if (bytes && write(fd, buffer, bytes) != (ssize_t)bytes)
		die("write", path);
	if (close(fd))
		die("close", path);
}

static void name_of(char *out, size_t size, const char *dir, const char *stem, long i)
{
	snprintf(out, size, "%s/%s-%ld", dir, stem, i);
}

/* One timed operation; I is the iteration. */
static void one(const char *op, const char *dir, long i)
{
	char path[4096], other[4096];
	struct stat st;
	int fd, status;
	pid_t pid;

	if (!strcmp(op, "open")) {
		name_of(path, sizeof(path), dir, "f", i % 64);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			die("open", path);
		close(fd);
	} else if (!strcmp(op, "stat")) {
		name_of(path, sizeof(path), dir, "f", i % 64);
		if (stat(path, &st))
			die("stat", path);
	} else if (!strcmp(op, "read")) {
		name_of(path, sizeof(path), dir, "f", i % 64);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			die("open", path);
		if (read(fd, buffer, FILE_BYTES) != FILE_BYTES)
			die("read", path);
		close(fd);
	} else if (!strcmp(op, "write")) {
		name_of(path, sizeof(path), dir, "w", i % 64);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			die("open", path);
		if (write(fd, buffer, FILE_BYTES) != FILE_BYTES)
			die("write", path);
		close(fd);
	} else if (!strcmp(op, "rename")) {
		name_of(path, sizeof(path), dir, "r", i);
		name_of(other, sizeof(other), dir, "r", i + 1);
		if (rename(path, other))
			die("rename", path);
	} else if (!strcmp(op, "unlink")) {
		name_of(path, sizeof(path), dir, "u", i);
		if (unlink(path))
			die("unlink", path);
	} else if (!strcmp(op, "exec")) {
		pid = fork();
		if (pid < 0)
			die("fork", EXEC_PATH);
		if (pid == 0) {
			char *argv[] = { (char *)EXEC_PATH, NULL }, *envp[] = { NULL };

			execve(EXEC_PATH, argv, envp);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			die("run", EXEC_PATH);
	}
}

/* What an operation needs before the clock starts. */
static void prepare(const char *op, const char *dir, long iterations)
{
	char path[4096];
	long i;

	if (!strcmp(op, "open") || !strcmp(op, "stat") || !strcmp(op, "read")) {
		for (i = 0; i < 64; i++) {
			name_of(path, sizeof(path), dir, "f", i);
			write_file(path, FILE_BYTES);
		}
	} else if (!strcmp(op, "rename")) {
		name_of(path, sizeof(path), dir, "r", 0);
		write_file(path, 0);
	} else if (!strcmp(op, "unlink")) {
		for (i = 0; i < iterations; i++) {
			name_of(path, sizeof(path), dir, "u", i);
			write_file(path, 0);
		}
	}
}

static int run_op(const char *op, const char *dir, long iterations)
{
	static const char *const ops[] = { "open", "stat", "read", "write", "rename", "unlink", "exec" };
	long long start, elapsed;
	size_t k;
	long i;

	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		if (!strcmp(op, ops[k]))
			break;
	if (k == sizeof(ops) / sizeof(ops[0]) || iterations <= 0) {
		fprintf(stderr, "bench_micro: unknown operation '%s' or bad count\n", op);
		return 2;
	}
	prepare(op, dir, iterations);
	/* One untimed round, so that the first of each op does not count its cold caches. */
	if (strcmp(op, "rename") && strcmp(op, "unlink"))
		one(op, dir, 0);
	start = now_ns();
	for (i = 0; i < iterations; i++)
		one(op, dir, i);
	elapsed = now_ns() - start;
	printf("%s %lld\n", op, elapsed / iterations);
	return 0;
}

/* COUNT files of BYTES bytes under DIR, PER_DIR to a folder. */
static int mkfiles(const char *dir, long count, long per_dir, long bytes)
{
	char path[4096];
	long i;

	if (count < 0 || per_dir <= 0 || bytes < 0 || bytes > FILE_BYTES) {
		fprintf(stderr, "bench_micro: bad mkfiles arguments\n");
		return 2;
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		die("mkdir", dir);
	for (i = 0; i < count; i++) {
		if (i % per_dir == 0) {
			snprintf(path, sizeof(path), "%s/d%ld", dir, i / per_dir);
			if (mkdir(path, 0755) && errno != EEXIST)
				die("mkdir", path);
		}
		snprintf(path, sizeof(path), "%s/d%ld/file-%ld.txt", dir, i / per_dir, i);
		/* Each file different, so that its digest is its own. */
		snprintf(buffer, sizeof(buffer), "record %ld\n", i);
		write_file(path, bytes ? (size_t)bytes : strlen(buffer));
	}
	return 0;
}

static int mkdeep(const char *dir, long depth)
{
	char path[4096];
	size_t len;
	long i;

	snprintf(path, sizeof(path), "%s", dir);
	for (i = 0; i < depth; i++) {
		len = strlen(path);
		if (len + 8 >= sizeof(path))
			return 2;
		snprintf(path + len, sizeof(path) - len, "/l%ld", i);
		if (mkdir(path, 0755) && errno != EEXIST)
			die("mkdir", path);
	}
	printf("%s\n", path);
	return 0;
}

int main(int argc, char **argv)
{
	memset(buffer, 'x', sizeof(buffer));
	if (argc >= 4 && !strcmp(argv[1], "mkfiles"))
		return mkfiles(argv[2], atol(argv[3]), argc > 4 ? atol(argv[4]) : 1000, argc > 5 ? atol(argv[5]) : 0);
	if (argc == 4 && !strcmp(argv[1], "mkdeep"))
		return mkdeep(argv[2], atol(argv[3]));
	if (argc == 4)
		return run_op(argv[1], argv[2], atol(argv[3]));
	fprintf(stderr, "usage: bench_micro OP DIR ITERATIONS | mkfiles DIR COUNT [PER_DIR] [BYTES] | mkdeep DIR DEPTH\n");
	return 2;
}
