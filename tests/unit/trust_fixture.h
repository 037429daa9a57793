/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the trust store's unit tests: a scratch directory, test keys
 * made with the openssl tool, files, and capture of a command's output.
 * Tests run as root: security.* xattrs need it.
 */
#ifndef MEDGUARD_TRUST_FIXTURE_H
#define MEDGUARD_TRUST_FIXTURE_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char fixture_dir[64];
static char fixture_stdout_path[128], fixture_stderr_path[128];
static int fixture_saved_stdout = -1, fixture_saved_stderr = -1;
static char *captured_out, *captured_err;

/* FIXTURE_DIR/NAME, in one of 8 rotating buffers: the last 8 results stay valid. */
static inline const char *fixture_path(const char *name)
{
	static char paths[8][512];
	static unsigned int next;
	char *path = paths[next++ % 8];

	snprintf(path, sizeof(paths[0]), "%s/%s", fixture_dir, name);
	return path;
}

__attribute__((format(printf, 1, 2)))
static inline int run_shell(const char *fmt, ...)
{
	char command[4096];
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(command, sizeof(command), fmt, ap);
	va_end(ap);
	fflush(stdout);
	status = system(command);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static inline bool have_evmctl(void)
{
	return run_shell("command -v evmctl >/dev/null 2>&1") == 0;
}

static inline void write_file(const char *path, const void *data, size_t size)
{
	FILE *file = fopen(path, "wb");

	if (!file) {
		printf("# cannot write %s\n", path);
		return;
	}
	fwrite(data, 1, size, file);
	fclose(file);
}

static inline void write_text(const char *path, const char *text)
{
	write_file(path, text, strlen(text));
}

/* The whole file as a string (NUL-terminated); free it. */
static inline char *read_text(const char *path)
{
	FILE *file = fopen(path, "rb");
	char *text = NULL;
	size_t size = 0;
	long length;

	if (!file)
		return strdup("");
	fseek(file, 0, SEEK_END);
	length = ftell(file);
	fseek(file, 0, SEEK_SET);
	text = calloc(1, length + 1);
	if (text)
		size = fread(text, 1, length, file);
	(void)size;
	fclose(file);
	return text;
}

static inline void capture_start(void)
{
	int out, err;

	fflush(stdout);
	fflush(stderr);
	fixture_saved_stdout = dup(1);
	fixture_saved_stderr = dup(2);
	out = open(fixture_stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	err = open(fixture_stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(out, 1);
	dup2(err, 2);
	close(out);
	close(err);
}

/* Ends a capture; captured_out and captured_err hold what was printed. */
static inline void capture_stop(void)
{
	fflush(stdout);
	fflush(stderr);
	dup2(fixture_saved_stdout, 1);
	dup2(fixture_saved_stderr, 2);
	close(fixture_saved_stdout);
	close(fixture_saved_stderr);
	free(captured_out);
	free(captured_err);
	captured_out = read_text(fixture_stdout_path);
	captured_err = read_text(fixture_stderr_path);
}

/* Runs a medguard command's function on a NULL-terminated argument list, capturing its output. */
#define RUN_CMD(fn, ...)                                                           \
	({                                                                         \
		char *___argv[] = { __VA_ARGS__, NULL };                           \
		int ___status;                                                     \
		capture_start();                                                   \
		___status = fn((int)(sizeof(___argv) / sizeof(___argv[0])) - 1, ___argv); \
		capture_stop();                                                    \
		___status;                                                         \
	})

static inline void fixture_setup(void)
{
	snprintf(fixture_dir, sizeof(fixture_dir), "/tmp/medguard-unit-XXXXXX");
	if (!mkdtemp(fixture_dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(fixture_stdout_path, sizeof(fixture_stdout_path), "%s/.stdout", fixture_dir);
	snprintf(fixture_stderr_path, sizeof(fixture_stderr_path), "%s/.stderr", fixture_dir);
}

static inline void fixture_teardown(void)
{
	run_shell("rm -rf '%s'", fixture_dir);
	free(captured_out);
	free(captured_err);
	captured_out = captured_err = NULL;
}

/*
 * NAME.pem (private), NAME.pub (PEM public), NAME.pub.der, NAME.crt (PEM
 * certificate) and NAME.crt.der for an openssl genpkey ALGORITHM_OPTIONS.
 */
static inline int make_key(const char *name, const char *algorithm_options)
{
	return run_shell("cd '%s' && openssl genpkey %s -out %s.pem 2>/dev/null &&"
			 " openssl pkey -in %s.pem -pubout -out %s.pub 2>/dev/null &&"
			 " openssl pkey -in %s.pem -pubout -outform DER -out %s.pub.der 2>/dev/null &&"
			 " openssl req -new -x509 -key %s.pem -subj /CN=%s -days 30 -out %s.crt 2>/dev/null &&"
			 " openssl x509 -in %s.crt -outform DER -out %s.crt.der 2>/dev/null",
			 fixture_dir, algorithm_options, name, name, name, name, name, name, name, name,
			 name, name);
}

static inline int make_rsa_key(const char *name)
{
	return make_key(name, "-algorithm RSA -pkeyopt rsa_keygen_bits:2048");
}

static inline int make_ec_key(const char *name)
{
	return make_key(name, "-algorithm EC -pkeyopt ec_paramgen_curve:P-256");
}

/* A deterministic generator, so that a failing mutation can be found again. */
static inline uint32_t fixture_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (uint32_t)(*state >> 11);
}

#endif /* MEDGUARD_TRUST_FIXTURE_H */
