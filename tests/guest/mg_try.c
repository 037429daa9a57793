// SPDX-License-Identifier: GPL-2.0-only
/*
 * mg_try OP PATH [ARG]: does one operation the way an attacker's program
 * would (on a file, a descriptor or another process), and says how it went. Exit 0: done; 1: refused with EPERM; 2: any
 * other failure. Built static, so that its own trust is all that counts.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <time.h>

static int open_how(const char *path, int flags)
{
	struct open_how how = { .flags = (unsigned long long)flags };

	return (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
}

/* Reopens PATH through a file handle, which names the inode without a path; MOUNT_DIR is on its mount. */
static int open_by_handle(const char *path, const char *mount_dir, int flags)
{
	struct file_handle *handle = malloc(sizeof(*handle) + MAX_HANDLE_SZ);
	int mount_id, mount_fd, fd = -1;

	if (!handle)
		return -1;
	handle->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, path, handle, &mount_id, 0) == 0) {
		mount_fd = open(mount_dir, O_RDONLY | O_DIRECTORY);
		fd = open_by_handle_at(mount_fd, handle, flags);
		close(mount_fd);
	}
	free(handle);
	return fd;
}

/*
 * Opens PATH through a file handle taken before the dentry cache was
 * dropped: on a disk filesystem the kernel then builds a disconnected
 * dentry, whose parent is itself, for the inode.
 */
static int open_by_cold_handle(const char *path, const char *mount_dir, int flags)
{
	struct file_handle *handle = malloc(sizeof(*handle) + MAX_HANDLE_SZ);
	int mount_id, mount_fd = -1, caches, fd = -1;

	if (!handle)
		return -1;
	handle->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, path, handle, &mount_id, 0) == 0 &&
	    (mount_fd = open(mount_dir, O_RDONLY | O_DIRECTORY)) >= 0) {
		sync();
		caches = open("/proc/sys/vm/drop_caches", O_WRONLY);
		if (caches >= 0) {
			if (write(caches, "2", 1) < 0)
				perror("drop_caches");
			close(caches);
		}
		fd = open_by_handle_at(mount_fd, handle, flags);
	}
	if (mount_fd >= 0)
		close(mount_fd);
	free(handle);
	return fd;
}

/* A name NEW_PATH, outside the tree, for the inode behind a cold handle (linkat AT_EMPTY_PATH). */
static int link_cold_handle(const char *path, const char *new_path)
{
	char mount_dir[4096];
	char *slash;
	int fd, result;

	snprintf(mount_dir, sizeof(mount_dir), "%s", new_path);
	slash = strrchr(mount_dir, '/');
	if (slash)
		slash[slash == mount_dir] = '\0';
	fd = open_by_cold_handle(path, mount_dir, O_RDONLY);
	if (fd < 0)
		return -1;
	result = linkat(fd, "", AT_FDCWD, new_path, AT_EMPTY_PATH);
	close(fd);
	return result;
}

/* Sets the immutable flag through FD: trusted writers are then refused by the filesystem. */
static int set_immutable(int fd)
{
	int flags;

	if (ioctl(fd, FS_IOC_GETFLAGS, &flags))
		return -1;
	flags |= FS_IMMUTABLE_FL;
	return ioctl(fd, FS_IOC_SETFLAGS, &flags);
}

/*
 * Gives PATH back the change time SECONDS.NANOSECONDS: the clock set to it,
 * a chmod within the same clock tick. Tried a few times; -1 with errno
 * when the clock may not be set.
 */
static int forge_ctime(const char *path, const char *when)
{
	struct timespec target = { 0 }, now;
	struct stat st;
	char *dot;
	int i;

	target.tv_sec = strtoll(when, &dot, 10);
	if (*dot == '.')
		target.tv_nsec = strtol(dot + 1, NULL, 10);
	for (i = 0; i < 50; i++) {
		clock_gettime(CLOCK_REALTIME, &now);
		if (clock_settime(CLOCK_REALTIME, &target))
			return -1;
		if (stat(path, &st) || chmod(path, st.st_mode & 07777)) {
			clock_settime(CLOCK_REALTIME, &now);
			return -1;
		}
		clock_settime(CLOCK_REALTIME, &now);
		if (stat(path, &st) == 0 && st.st_ctim.tv_sec == target.tv_sec && st.st_ctim.tv_nsec == target.tv_nsec)
			return 0;
	}
	errno = EAGAIN;
	return -1;
}

/* An encryption policy on the directory FD (a key the caller would hold): refused or not, never applied here. */
static int set_encryption_policy(int fd)
{
	struct fscrypt_policy_v1 policy = { .version = FSCRYPT_POLICY_V1,
					    .contents_encryption_mode = FSCRYPT_MODE_AES_256_XTS,
					    .filenames_encryption_mode = FSCRYPT_MODE_AES_256_CTS };

	return ioctl(fd, FS_IOC_SET_ENCRYPTION_POLICY, &policy);
}

/*
 * Has the kernel send SIGNAL to process PID through SIGIO: F_SETOWN and
 * F_SETSIG on a pipe of our own, then data on it. 0 once it was sent; the
 * caller looks at whether PID got it.
 */
static int sigio_signal(const char *pid, int signal)
{
	int pipe_fds[2], result = -1;

	if (pipe(pipe_fds))
		return -1;
	if (fcntl(pipe_fds[0], F_SETOWN, atoi(pid)) == 0 && fcntl(pipe_fds[0], F_SETSIG, signal) == 0 &&
	    fcntl(pipe_fds[0], F_SETFL, O_ASYNC) == 0 && write(pipe_fds[1], "x", 1) == 1)
		result = 0;
	usleep(200000);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	return result;
}

static int read_all(int fd)
{
	char buffer[4096];
	ssize_t n;

	while ((n = read(fd, buffer, sizeof(buffer))) > 0)
		;
	return n < 0 ? -1 : 0;
}

static int write_some(int fd)
{
	static const char data[] = "medguard test data\n";

	return write(fd, data, sizeof(data) - 1) < 0 ? -1 : 0;
}

/* 4 KB of random bytes, as encryption writes them. */
static int random_bytes(unsigned char *data, size_t size)
{
	int random_fd = open("/dev/urandom", O_RDONLY);
	ssize_t got;

	if (random_fd < 0)
		return -1;
	got = read(random_fd, data, size);
	close(random_fd);
	return got == (ssize_t)size ? 0 : -1;
}

static int write_random(int fd)
{
	unsigned char data[4096];

	if (random_bytes(data, sizeof(data)))
		return -1;
	return write(fd, data, sizeof(data)) == (ssize_t)sizeof(data) ? 0 : -1;
}

/* The same through writev(), which does not go through vfs_write(). */
static int writev_random(int fd)
{
	unsigned char data[4096];
	struct iovec vector = { .iov_base = data, .iov_len = sizeof(data) };

	if (random_bytes(data, sizeof(data)))
		return -1;
	return writev(fd, &vector, 1) == (ssize_t)sizeof(data) ? 0 : -1;
}

/* 4 KB of text, as an application rewriting a record writes it. */
static int write_text(int fd)
{
	char data[4096];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = "Patient chart, cardiology follow-up.\n"[i % 37];
	return write(fd, data, sizeof(data)) == (ssize_t)sizeof(data) ? 0 : -1;
}

static int truncate_open_file(int fd)
{
	return ftruncate(fd, 1);
}

static int done(int fd, int (*then)(int))
{
	int result;

	if (fd < 0)
		return -1;
	result = then ? then(fd) : 0;
	close(fd);
	return result;
}

/*
 * Opens PATH for writing now and writes to it once FLAG exists (at most 30 s
 * later): whatever the lineage did in between applies to a file it already
 * holds open.
 */
/* Opens PATH with FLAGS, waits until the file FLAG exists, then writes or reads: a stop that came in between holds. */
static int use_later(const char *path, const char *flag, int flags)
{
	bool writing = (flags & O_ACCMODE) != O_RDONLY;
	int fd = open(path, flags), i;

	if (fd < 0)
		return -1;
	for (i = 0; i < 6000 && access(flag, F_OK); i++)
		usleep(100000);
	return done(fd, writing ? write_some : read_all);
}

static int mmap_exec(const char *path)
{
	int fd = open(path, O_RDONLY);
	void *mapping;

	if (fd < 0)
		return -1;
	mapping = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	close(fd);
	if (mapping == MAP_FAILED)
		return -1;
	munmap(mapping, 4096);
	return 0;
}

/* Keeps PATH open for SECONDS, so that another process can reach it through /proc/PID/fd. */
static int hold(const char *path, const char *seconds)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	printf("%d %d\n", getpid(), fd);
	fflush(stdout);
	sleep(seconds ? (unsigned int)atoi(seconds) : 5);
	close(fd);
	return 0;
}

/* Runs a copy of PROGRAM from an anonymous memfd, which no trust store knows: `PROGRAM read ARG`. */
static int memfd_exec(const char *program, const char *arg)
{
	char buffer[65536];
	char *const args[] = { "mg_try", "read", (char *)arg, NULL };
	int source = open(program, O_RDONLY), memfd = memfd_create("payload", MFD_CLOEXEC);
	ssize_t n;

	if (source < 0 || memfd < 0)
		return -1;
	while ((n = read(source, buffer, sizeof(buffer))) > 0)
		if (write(memfd, buffer, (size_t)n) != n)
			return -1;
	close(source);
	fexecve(memfd, args, environ);
	return -1;
}

/* Reads through descriptor FD (given as PATH), which this process did not open. */
static int read_fd(const char *fd)
{
	return read_all(atoi(fd));
}

/* Attaches to process PID as a debugger would, and lets it go again. */
static int ptrace_attach(const char *pid)
{
	pid_t target = (pid_t)atoi(pid);

	if (ptrace(PTRACE_ATTACH, target, NULL, NULL))
		return -1;
	waitpid(target, NULL, 0);
	ptrace(PTRACE_DETACH, target, NULL, NULL);
	return 0;
}

/* Opens /proc/PID/mem for writing, as a code injector does. */
static int proc_mem(const char *pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%s/mem", pid);
	return done(open(path, O_RDWR), NULL);
}

/* Reads a word of process PID's memory with process_vm_readv. */
static int vm_read(const char *pid, const char *address)
{
	long word;
	struct iovec local = { &word, sizeof(word) };
	struct iovec remote = { (void *)strtoul(address, NULL, 0), sizeof(word) };

	return process_vm_readv((pid_t)atoi(pid), &local, 1, &remote, 1, 0) < 0 ? -1 : 0;
}

/*
 * Runs COMMAND as a child that asks to be traced by this process, and
 * returns as the child did: 0 when it exited 0.
 */
static int traceme_exec(char **command)
{
	int status;
	pid_t child = fork();

	if (child < 0)
		return -1;
	if (!child) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL)) {
			puts(errno == EPERM ? "EPERM" : "ERROR traceme");
			_exit(errno == EPERM ? 1 : 2);
		}
		execv(command[0], command);
		_exit(2);
	}
	for (;;) {
		if (waitpid(child, &status, 0) < 0)
			return -1;
		if (WIFEXITED(status)) {
			errno = WEXITSTATUS(status) == 1 ? EPERM : EIO;
			return WEXITSTATUS(status) ? -1 : 0;
		}
		if (WIFSIGNALED(status)) {
			errno = EIO;
			return -1;
		}
		ptrace(PTRACE_CONT, child, NULL, NULL);
	}
}

static int run(const char *op, const char *path, const char *arg);

/*
 * Reads PATH in a child of this process, as a login or job scheduler
 * serves a session: itself, or with PROGRAM by running "PROGRAM read
 * PATH". The child's exit status is the result.
 */
static int read_in_child(const char *path, const char *program)
{
	pid_t child = fork();
	int status;

	if (child < 0)
		return -1;
	if (child == 0) {
		if (program)
			execl(program, program, "read", path, (char *)NULL);
		else if (run("read", path, NULL) == 0)
			_exit(0);
		_exit(errno == EPERM ? 1 : 2);
	}
	if (waitpid(child, &status, 0) < 0)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	errno = WIFEXITED(status) && WEXITSTATUS(status) == 1 ? EPERM : EIO;
	return -1;
}

static int run(const char *op, const char *path, const char *arg)
{
	if (!strcmp(op, "read"))
		return done(open(path, O_RDONLY), read_all);
	if (!strcmp(op, "write"))
		return done(open(path, O_WRONLY), write_some);
	if (!strcmp(op, "write-random"))
		return done(open(path, O_WRONLY), write_random);
	if (!strcmp(op, "writev-random"))
		return done(open(path, O_WRONLY), writev_random);
	if (!strcmp(op, "write-text"))
		return done(open(path, O_WRONLY), write_text);
	if (!strcmp(op, "write-later") && arg)
		return use_later(path, arg, O_WRONLY);
	if (!strcmp(op, "append-later") && arg)
		return use_later(path, arg, O_WRONLY | O_APPEND);
	if (!strcmp(op, "read-later") && arg)
		return use_later(path, arg, O_RDONLY);
	if (!strcmp(op, "open-read"))
		return done(open(path, O_RDONLY), NULL);
	if (!strcmp(op, "append"))
		return done(open(path, O_WRONLY | O_APPEND), write_some);
	if (!strcmp(op, "trunc"))
		return done(open(path, O_WRONLY | O_TRUNC), NULL);
	if (!strcmp(op, "create"))
		return done(open(path, O_WRONLY | O_CREAT | O_EXCL, 0644), write_some);
	if (!strcmp(op, "openat2-read"))
		return done(open_how(path, O_RDONLY), read_all);
	if (!strcmp(op, "handle-read"))
		return done(open_by_handle(path, arg ? arg : "/", O_RDONLY), read_all);
	if (!strcmp(op, "cold-handle-read"))
		return done(open_by_cold_handle(path, arg ? arg : "/", O_RDONLY), read_all);
	if (!strcmp(op, "cold-handle-write"))
		return done(open_by_cold_handle(path, arg ? arg : "/", O_WRONLY), write_some);
	if (!strcmp(op, "cold-handle-link") && arg)
		return link_cold_handle(path, arg);
	if (!strcmp(op, "set-immutable"))
		return done(open(path, O_RDONLY | O_NONBLOCK), set_immutable);
	if (!strcmp(op, "ioctl-open"))
		return done(open(path, O_ACCMODE | O_NONBLOCK), set_immutable);
	if (!strcmp(op, "set-encryption-policy"))
		return done(open(path, O_RDONLY | O_DIRECTORY), set_encryption_policy);
	if (!strcmp(op, "sigio-segv"))
		return sigio_signal(path, SIGSEGV);
	if (!strcmp(op, "forge-ctime") && arg)
		return forge_ctime(path, arg);
	if (!strcmp(op, "truncate"))
		return truncate(path, 0);
	if (!strcmp(op, "ftruncate"))
		return done(open(path, O_WRONLY), truncate_open_file);
	if (!strcmp(op, "unlink"))
		return unlink(path);
	if (!strcmp(op, "mkdir"))
		return mkdir(path, 0755);
	if (!strcmp(op, "rmdir"))
		return rmdir(path);
	if (!strcmp(op, "rename") && arg)
		return rename(path, arg);
	if (!strcmp(op, "link") && arg)
		return link(path, arg);
	if (!strcmp(op, "symlink") && arg)
		return symlink(arg, path);
	if (!strcmp(op, "chmod"))
		return chmod(path, 0600);
	if (!strcmp(op, "chown"))
		return chown(path, 0, 0);
	if (!strcmp(op, "utimes"))
		return utimensat(AT_FDCWD, path, NULL, 0);
	if (!strcmp(op, "setxattr"))
		return setxattr(path, "trusted.medguard", "x", 1, 0);
	if (!strcmp(op, "removexattr"))
		return removexattr(path, "trusted.medguard");
	if (!strcmp(op, "mmap-exec"))
		return mmap_exec(path);
	if (!strcmp(op, "hold"))
		return hold(path, arg);
	if (!strcmp(op, "memfd-exec") && arg)
		return memfd_exec(path, arg);
	if (!strcmp(op, "read-fd"))
		return read_fd(path);
	if (!strcmp(op, "ptrace-attach"))
		return ptrace_attach(path);
	if (!strcmp(op, "proc-mem"))
		return proc_mem(path);
	if (!strcmp(op, "vm-read") && arg)
		return vm_read(path, arg);
	if (!strcmp(op, "fork-read"))
		return read_in_child(path, NULL);
	if (!strcmp(op, "fork-exec-read") && arg)
		return read_in_child(path, arg);
	if (!strcmp(op, "exec")) {
		execl(path, path, (char *)NULL);
		return -1;
	}
	fprintf(stderr, "mg_try: unknown operation '%s'\n", op);
	exit(3);
}

int main(int argc, char **argv)
{
	int result;

	if (argc < 3) {
		fprintf(stderr, "usage: mg_try OP PATH [ARG] | mg_try traceme-exec COMMAND...\n");
		return 3;
	}
	if (!strcmp(argv[1], "traceme-exec"))
		result = traceme_exec(argv + 2);
	else
		result = run(argv[1], argv[2], argc > 3 ? argv[3] : NULL);
	if (result == 0) {
		puts("OK");
		return 0;
	}
	if (errno == EPERM) {
		puts("EPERM");
		return 1;
	}
	printf("ERROR %s\n", strerror(errno));
	return 2;
}
