// SPDX-License-Identifier: GPL-2.0-only
/*
 * mg_kfunc_test STEP...: drives the medguard_kfuncs module for
 * tests/guest/test_kmod.sh. It attaches the exec-trust programs (with a
 * trust map of its own) and a test program, then does each STEP in order
 * and prints one line for it:
 *
 *   keys:KEY,KEY...    loads the public keys KEY with policy ids 1, 2, ...
 *   raw-key:FILE       stages FILE's bytes as one key and commits: what the module says
 *   key-prefixes:FILE  the same for every proper prefix of FILE, one at a time
 *   judge:PATH         medguard_kfunc_file_trust() on PATH opened read-only
 *   short:PATH         the same with a result buffer smaller than the struct
 *   write-only:PATH    the same on PATH opened write-only
 *   busy:PATH          the same while another descriptor has PATH open for writing
 *   pipe: socket:      the same on a pipe, a socket
 *   null-file:         the same on a NULL file, from a child's exec
 *   exec:PATH          fork and execve PATH; then what the trust map says of it
 *   map:PATH           what the trust map says of PATH
 *   append:PATH        appends a byte to PATH
 *   unsign:PATH        removes PATH's security.ima
 *   entropy:PATH       medguard_kfunc_entropy() of the first 4096 bytes of PATH
 *   forget:DEV:INO     medguard_kfunc_cache_forget(DEV, INO)
 *   fuzz:PATH:N:SEED   N mutations of PATH's security.ima, each judged
 *
 * Judgements and execs end in ms=, the time they took. Exit 0 when every
 * step could be done (whatever the kfuncs answered), 1 when not.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fsid.h"
#include "kfuncs.h"
#include "medguard_kfuncs_test.h"
#include "medguard_kfuncs_test.skel.h"
#include "trust.h"

#define TRUST_MAP_ENTRIES 1024
#define MAX_BLOB (MEDGUARD_IMA_XATTR_MAX_BYTES + 1024)
#define MAX_KEY_FILE 4096

struct driver {
	struct medguard_kfuncs_test *test;
	struct mg_exec_trust *exec_trust;
	int trust_map_fd;
	/* Newer verifiers refuse to hand the kfunc a pointer that may be NULL at all. */
	bool null_file_refused_by_verifier;
};

static const char *const status_names[MEDGUARD_SIG_NSTATUS] = {
	"valid", "absent", "truncated", "oversized", "not-signature", "bad-type", "bad-version",
	"unknown-algo", "refused-algo", "empty", "size-mismatch", "unknown-key", "bad-signature",
};

static const char *verdict_name(__u32 verdict)
{
	switch (verdict) {
	case MEDGUARD_FILE_TRUSTED:
		return "trusted";
	case MEDGUARD_FILE_UNSIGNED:
		return "unsigned";
	case MEDGUARD_FILE_UNTRUSTED:
		return "untrusted";
	default:
		return "none";
	}
}

static const char *status_name(__u32 status)
{
	return status < MEDGUARD_SIG_NSTATUS ? status_names[status] : "none";
}

static long long now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec * 1000LL + now.tv_nsec / 1000000;
}

static __u64 cache_misses(void)
{
	struct mg_kfuncs_cache_stats stats = { 0 };

	mg_kfuncs_cache_stats(&stats);
	return stats.misses;
}

/* Has the test program call kfunc CALL on FD's file; 0, or -1 when the ioctl never reached it. */
static int call_on_fd(struct driver *driver, int fd, enum mg_test_call call)
{
	__u32 before = driver->test->bss->ioctl_calls;

	ioctl(fd, MG_TEST_IOCTL, (unsigned long)call);
	return driver->test->bss->ioctl_calls == before + 1 ? 0 : -1;
}

static void print_judgement(struct driver *driver, const char *step, const char *path, __u64 misses_before,
			    long long started)
{
	const struct medguard_file_trust *result = &driver->test->bss->trust_result;
	int ret = driver->test->bss->trust_ret;

	if (ret) {
		printf("%s %s ret=%d\n", step, path, ret);
		return;
	}
	printf("%s %s ret=0 verdict=%s status=%s key_id=%u sig_keyid=%08x cached=%s misses=+%llu ms=%lld\n", step,
	       path, verdict_name(result->verdict), status_name(result->status), result->key_id, result->sig_keyid,
	       (result->flags & MEDGUARD_FILE_CACHED) ? "yes" : "no",
	       (unsigned long long)(cache_misses() - misses_before), now_ms() - started);
}

/* judge:, short:, write-only:, busy: */
static int judge_path(struct driver *driver, const char *step, const char *path)
{
	enum mg_test_call call = strcmp(step, "short") ? MG_TEST_CALL_TRUST : MG_TEST_CALL_TRUST_SHORT_RESULT;
	int flags = strcmp(step, "write-only") ? O_RDONLY : O_WRONLY;
	__u64 misses = cache_misses();
	int fd = -1, writer = -1, ret = -1;
	long long started;

	if (!strcmp(step, "busy")) {
		writer = open(path, O_WRONLY | O_APPEND);
		if (writer < 0)
			goto cleanup;
	}
	fd = open(path, flags | O_NONBLOCK);
	started = now_ms();
	if (fd < 0 || call_on_fd(driver, fd, call))
		goto cleanup;
	print_judgement(driver, step, path, misses, started);
	ret = 0;
cleanup:
	if (ret)
		printf("%s %s failed: %s\n", step, path, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (writer >= 0)
		close(writer);
	return ret;
}

/* pipe: and socket: */
static int judge_special(struct driver *driver, const char *step)
{
	int fds[2], ret;

	if (!strcmp(step, "pipe") ? pipe(fds) : socketpair(AF_UNIX, SOCK_STREAM, 0, fds)) {
		printf("%s: failed: %s\n", step, strerror(errno));
		return -1;
	}
	ret = call_on_fd(driver, fds[0], MG_TEST_CALL_TRUST);
	if (!ret)
		print_judgement(driver, step, "-", 0, now_ms());
	else
		printf("%s: failed: the test program did not run\n", step);
	close(fds[0]);
	close(fds[1]);
	return ret;
}

static int run_child(const char *path)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int null_file(struct driver *driver)
{
	__u32 before = driver->test->bss->exec_calls;

	if (driver->null_file_refused_by_verifier) {
		printf("null-file refused-by-verifier\n");
		return 0;
	}
	run_child("/bin/true");
	if (driver->test->bss->exec_calls != before + 1) {
		printf("null-file failed: the exec program did not run\n");
		return -1;
	}
	printf("null-file ret=%d\n", driver->test->bss->null_file_ret);
	return 0;
}

/* What the trust map says of PATH after STEP, which began at STARTED with MISSES cache misses. */
static int print_map_entry(struct driver *driver, const char *step, const char *path, int exit_status,
			   __u64 misses, long long started)
{
	struct mg_trust_key key = { 0 };
	struct mg_trust trust;
	struct stat st;

	if (stat(path, &st)) {
		printf("%s %s failed: %s\n", step, path, strerror(errno));
		return -1;
	}
	printf("%s %s exit=%d", step, path, exit_status);
	key.dev = mg_superblock_dev(AT_FDCWD, path, 0, &st);
	key.ino = st.st_ino;
	if (bpf_map_lookup_elem(driver->trust_map_fd, &key, &trust))
		printf(" map=none");
	else
		printf(" map=%s key_id=%u ctime=%s", trust.source == MG_TRUST_SIGNATURE ? "signature" : "other",
		       trust.key_id,
		       trust.ctime_sec == st.st_ctim.tv_sec && trust.ctime_nsec == (__u32)st.st_ctim.tv_nsec ? "match"
													 : "differs");
	printf(" misses=+%llu ms=%lld\n", (unsigned long long)(cache_misses() - misses), now_ms() - started);
	return 0;
}

static int exec_path(struct driver *driver, const char *path)
{
	__u64 misses = cache_misses();
	long long started = now_ms();
	int status = run_child(path);

	if (status < 0) {
		printf("exec %s failed: %s\n", path, strerror(errno));
		return -1;
	}
	return print_map_entry(driver, "exec", path, status, misses, started);
}

static int append_byte(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND);
	int ret = fd >= 0 && write(fd, "\n", 1) == 1 ? 0 : -1;

	if (fd >= 0)
		close(fd);
	printf("append %s %s\n", path, ret ? strerror(errno) : "done");
	return ret;
}

static int unsign(const char *path)
{
	int ret = removexattr(path, MG_IMA_XATTR_NAME);

	printf("unsign %s %s\n", path, ret ? strerror(errno) : "done");
	return ret;
}

static int entropy_of(struct driver *driver, const char *path)
{
	int fd = open(path, O_RDONLY);
	ssize_t got = fd < 0 ? -1 : read(fd, driver->test->bss->entropy_sample, sizeof(driver->test->bss->entropy_sample));
	int ret = -1;

	if (got < 0) {
		printf("entropy %s failed: %s\n", path, strerror(errno));
		goto cleanup;
	}
	driver->test->bss->entropy_sample_size = (__u32)got;
	if (call_on_fd(driver, fd, MG_TEST_CALL_ENTROPY)) {
		printf("entropy %s failed: the test program did not run\n", path);
		goto cleanup;
	}
	printf("entropy %s bytes=%zd millibits=%u\n", path, got, driver->test->bss->entropy_result);
	ret = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	return ret;
}

static int forget(struct driver *driver, const char *spec)
{
	unsigned long long dev, ino;
	int fd, ret = -1;

	if (sscanf(spec, "%lli:%lli", &dev, &ino) != 2) {
		printf("forget %s failed: not DEV:INO\n", spec);
		return -1;
	}
	driver->test->bss->forget_dev = dev;
	driver->test->bss->forget_ino = ino;
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && !call_on_fd(driver, fd, MG_TEST_CALL_FORGET))
		ret = 0;
	if (fd >= 0)
		close(fd);
	printf("forget %s %s\n", spec, ret ? "failed" : "done");
	return ret;
}

/* ---- keys ------------------------------------------------------------------- */

static int load_keys(const char *list)
{
	struct mg_keyring *keyring = mg_keyring_new();
	char *paths = strdup(list), *path, *next = NULL;
	char err[512] = "out of memory";
	__u32 key_id = 0;
	int ret = -1;

	if (!keyring || !paths)
		goto cleanup;
	for (path = strtok_r(paths, ",", &next); path; path = strtok_r(NULL, ",", &next))
		if (mg_keyring_add_file(keyring, path, NULL, ++key_id, err, sizeof(err)))
			goto cleanup;
	ret = mg_kfuncs_load_keys(keyring, err, sizeof(err));
cleanup:
	if (ret)
		printf("keys: %s\n", err);
	else
		printf("keys: %u loaded\n", key_id);
	free(paths);
	mg_keyring_free(keyring);
	return ret;
}

/* Stages SIZE bytes of SPKI as key 1 and commits; 0 or the errno of the write the module refused. */
static int stage_raw_key(const unsigned char *spki, size_t size)
{
	struct medguard_key_record commit = { .magic = MEDGUARD_KEY_RECORD_MAGIC, .op = MEDGUARD_KEY_COMMIT };
	unsigned char buf[sizeof(struct medguard_key_record) + MAX_KEY_FILE];
	struct medguard_key_record *record = (struct medguard_key_record *)buf;
	size_t record_size = sizeof(*record) + size;
	int fd, err = 0;

	fd = open(MEDGUARD_KEYS_FILE, O_WRONLY);
	if (fd < 0)
		return errno;
	memset(record, 0, sizeof(*record));
	record->magic = MEDGUARD_KEY_RECORD_MAGIC;
	record->op = MEDGUARD_KEY_STAGE;
	record->key_id = 1;
	record->spki_size = (__u32)size;
	memcpy(record->spki, spki, size);
	if (write(fd, record, record_size) != (ssize_t)record_size)
		err = errno;
	else if (write(fd, &commit, sizeof(commit)) != (ssize_t)sizeof(commit))
		err = errno;
	close(fd);
	return err;
}

static ssize_t read_key_file(const char *path, unsigned char *data)
{
	int fd = open(path, O_RDONLY);
	ssize_t got = fd < 0 ? -1 : read(fd, data, MAX_KEY_FILE);

	if (fd >= 0)
		close(fd);
	if (got < 0)
		printf("%s failed: %s\n", path, strerror(errno));
	return got;
}

static int raw_key(const char *path)
{
	unsigned char data[MAX_KEY_FILE];
	ssize_t size = read_key_file(path, data);
	int err;

	if (size < 0)
		return -1;
	err = stage_raw_key(data, (size_t)size);
	printf("raw-key %s %s\n", path, err ? strerrorname_np(err) : "loaded");
	return 0;
}

/* Every proper prefix of a good key must be refused, as anything but a crash. */
static int key_prefixes(const char *path)
{
	unsigned char data[MAX_KEY_FILE];
	ssize_t size = read_key_file(path, data);
	unsigned long refused = 0, loaded = 0;

	if (size < 0)
		return -1;
	for (ssize_t n = 1; n < size; n++) {
		if (stage_raw_key(data, (size_t)n))
			refused++;
		else
			loaded++;
	}
	printf("key-prefixes %s refused=%lu loaded=%lu\n", path, refused, loaded);
	return 0;
}

/* ---- fuzzing security.ima ------------------------------------------------- */

static __u64 rng_state;

static __u32 rng(void)
{
	/* xorshift64*: reproducible from the seed the output names */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (__u32)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

static void set_sig_size(unsigned char *blob, size_t size)
{
	size_t sig_size = size > 9 ? size - 9 : 0;

	if (size >= 9) {
		blob[7] = (unsigned char)(sig_size >> 8);
		blob[8] = (unsigned char)sig_size;
	}
}

/* One mutation of ORIGINAL (more than a 9-byte header) into BLOB; returns its size. */
static size_t mutate(const unsigned char *original, size_t size, unsigned char *blob)
{
	size_t at, n, i;

	memcpy(blob, original, size);
	switch (rng() % 10) {
	case 0: /* one bit anywhere */
		blob[rng() % size] ^= (unsigned char)(1u << (rng() % 8));
		return size;
	case 1: /* one byte anywhere */
		blob[rng() % size] = (unsigned char)rng();
		return size;
	case 2: /* bits of the signature only: the header stays valid, the checks reach the crypto */
		for (n = 1 + rng() % 3; n; n--)
			blob[9 + rng() % (size - 9)] ^= (unsigned char)(1u << (rng() % 8));
		return size;
	case 3: /* cut short, the size field sometimes following */
		n = rng() % size;
		if (rng() % 2)
			set_sig_size(blob, n);
		return n;
	case 4: /* grown, the size field sometimes following */
		n = size + 1 + rng() % 32;
		for (i = size; i < n; i++)
			blob[i] = (unsigned char)rng();
		if (rng() % 2)
			set_sig_size(blob, n);
		return n;
	case 5: /* a header field at random */
		blob[1 + rng() % 8] = (unsigned char)rng();
		return size;
	case 6: /* a signature of random bytes */
		for (i = 9; i < size; i++)
			blob[i] = (unsigned char)rng();
		return size;
	case 7: /* a byte inserted into the signature, size field following */
		at = 9 + rng() % (size - 9);
		memmove(blob + at + 1, blob + at, size - at);
		blob[at] = rng() % 2 ? 0 : (unsigned char)rng();
		set_sig_size(blob, size + 1);
		return size + 1;
	case 8: /* a byte taken out of the signature, size field following */
		at = 9 + rng() % (size - 9);
		memmove(blob + at, blob + at + 1, size - at - 1);
		set_sig_size(blob, size - 1);
		return size - 1;
	default: /* longer than any signature */
		n = MEDGUARD_IMA_XATTR_MAX_BYTES + 1 + rng() % 512;
		for (i = size; i < n; i++)
			blob[i] = (unsigned char)rng();
		set_sig_size(blob, n);
		return n;
	}
}

static void print_hex(const char *what, const unsigned char *blob, size_t size)
{
	printf("# %s: ", what);
	for (size_t i = 0; i < size; i++)
		printf("%02x", blob[i]);
	printf("\n");
}

static int fuzz(struct driver *driver, const char *spec)
{
	unsigned char original[MAX_BLOB], blob[MAX_BLOB];
	unsigned long evaluated = 0, refused = 0, trusted = 0, errors = 0, n, i;
	unsigned long statuses[MEDGUARD_SIG_NSTATUS] = { 0 };
	const struct medguard_file_trust *result = &driver->test->bss->trust_result;
	unsigned long long seed;
	ssize_t original_size;
	char path[4096];
	size_t size;
	int fd = -1, ret = -1;

	if (sscanf(spec, "%4095[^:]:%lu:%llu", path, &n, &seed) != 3) {
		printf("fuzz %s failed: not PATH:N:SEED\n", spec);
		return -1;
	}
	rng_state = seed ? seed : 1;
	original_size = getxattr(path, MG_IMA_XATTR_NAME, original, sizeof(original));
	if (original_size <= 9) {
		printf("fuzz %s failed: no signature to mutate\n", path);
		return -1;
	}
	fd = open(path, O_RDONLY);
	if (fd < 0)
		goto cleanup;
	for (i = 0; i < n; i++) {
		do
			size = mutate(original, (size_t)original_size, blob);
		while (size == (size_t)original_size && !memcmp(blob, original, size));
		/* the kernel's IMA refuses some values outright (an empty one, an unknown type) */
		if (setxattr(path, MG_IMA_XATTR_NAME, blob, size, 0)) {
			refused++;
			continue;
		}
		if (call_on_fd(driver, fd, MG_TEST_CALL_TRUST))
			goto cleanup;
		evaluated++;
		if (driver->test->bss->trust_ret) {
			errors++;
			print_hex("error", blob, size);
			continue;
		}
		if (result->status < MEDGUARD_SIG_NSTATUS)
			statuses[result->status]++;
		if (result->verdict == MEDGUARD_FILE_TRUSTED) {
			trusted++;
			print_hex("trusted", blob, size);
		}
	}
	ret = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	if (setxattr(path, MG_IMA_XATTR_NAME, original, (size_t)original_size, 0))
		ret = -1;
	if (ret) {
		printf("fuzz %s failed: %s\n", path, strerror(errno));
		return ret;
	}
	printf("fuzz %s seed=%llu evaluated=%lu refused_by_kernel=%lu trusted=%lu errors=%lu\n", path, seed,
	       evaluated, refused, trusted, errors);
	printf("# statuses of %s:", path);
	for (i = 0; i < MEDGUARD_SIG_NSTATUS; i++)
		if (statuses[i])
			printf(" %s=%lu", status_names[i], statuses[i]);
	printf("\n");
	return 0;
}

/* ---- the driver ---------------------------------------------------------- */

static int step(struct driver *driver, const char *spec)
{
	const char *colon = strchr(spec, ':'), *arg;
	char name[32];

	if (!colon || (size_t)(colon - spec) >= sizeof(name)) {
		printf("%s failed: not STEP:ARGUMENT\n", spec);
		return -1;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(colon - spec), spec);
	arg = colon + 1;
	if (!strcmp(name, "keys"))
		return load_keys(arg);
	if (!strcmp(name, "raw-key"))
		return raw_key(arg);
	if (!strcmp(name, "key-prefixes"))
		return key_prefixes(arg);
	if (!strcmp(name, "judge") || !strcmp(name, "short") || !strcmp(name, "write-only") || !strcmp(name, "busy"))
		return judge_path(driver, name, arg);
	if (!strcmp(name, "pipe") || !strcmp(name, "socket"))
		return judge_special(driver, name);
	if (!strcmp(name, "null-file"))
		return null_file(driver);
	if (!strcmp(name, "exec"))
		return exec_path(driver, arg);
	if (!strcmp(name, "map"))
		return print_map_entry(driver, "map", arg, 0, cache_misses(), now_ms());
	if (!strcmp(name, "append"))
		return append_byte(arg);
	if (!strcmp(name, "unsign"))
		return unsign(arg);
	if (!strcmp(name, "entropy"))
		return entropy_of(driver, arg);
	if (!strcmp(name, "forget"))
		return forget(driver, arg);
	if (!strcmp(name, "fuzz"))
		return fuzz(driver, arg);
	printf("%s failed: unknown step\n", spec);
	return -1;
}

static int quiet(enum libbpf_print_level level, const char *format, va_list args)
{
	(void)level;
	(void)format;
	(void)args;
	return 0;
}

static int open_test_programs(struct driver *driver, bool with_null_file)
{
	driver->test = medguard_kfuncs_test__open();
	if (!driver->test)
		return -errno;
	driver->test->rodata->test_tgid = getpid();
	bpf_program__set_autoload(driver->test->progs.mg_test_exec, with_null_file);
	return medguard_kfuncs_test__load(driver->test);
}

/* With the NULL-file program where the verifier takes it, else without. */
static int load_test_programs(struct driver *driver)
{
	libbpf_print_fn_t print = libbpf_set_print(quiet);
	int err = open_test_programs(driver, true);

	libbpf_set_print(print);
	if (err) {
		medguard_kfuncs_test__destroy(driver->test);
		driver->null_file_refused_by_verifier = true;
		err = open_test_programs(driver, false);
	}
	if (!err)
		err = medguard_kfuncs_test__attach(driver->test);
	if (err)
		fprintf(stderr, "mg_kfunc_test: the kernel refused the test programs: %s\n", strerror(-err));
	return err;
}

int main(int argc, char **argv)
{
	struct driver driver = { .trust_map_fd = -1 };
	int i, failed = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: mg_kfunc_test STEP...\n");
		return 2;
	}
	driver.trust_map_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "test_trust", sizeof(struct mg_trust_key),
					     sizeof(struct mg_trust), TRUST_MAP_ENTRIES, NULL);
	if (driver.trust_map_fd < 0) {
		fprintf(stderr, "mg_kfunc_test: cannot create a trust map: %s\n", strerror(errno));
		goto cleanup;
	}
	driver.exec_trust = mg_kfuncs_attach_exec_trust(driver.trust_map_fd, stderr);
	if (!driver.exec_trust || load_test_programs(&driver))
		goto cleanup;
	failed = 0;
	for (i = 1; i < argc; i++) {
		failed |= step(&driver, argv[i]) != 0;
		fflush(stdout);
	}
cleanup:
	medguard_kfuncs_test__destroy(driver.test);
	mg_kfuncs_detach_exec_trust(driver.exec_trust);
	if (driver.trust_map_fd >= 0)
		close(driver.trust_map_fd);
	return failed;
}
