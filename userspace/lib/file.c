// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib.h"

int mg_read_fd(int fd, size_t max, char **data, size_t *len)
{
	size_t used = 0, capacity = 0;
	char *buf = NULL;

	*data = NULL;
	*len = 0;
	for (;;) {
		ssize_t n;

		if (used == capacity) {
			char *bigger;

			if (capacity > max)
				break;
			capacity = capacity ? capacity * 2 : 4096;
			if (capacity > max)
				capacity = max + 1;
			bigger = realloc(buf, capacity);
			if (!bigger) {
				free(buf);
				return -ENOMEM;
			}
			buf = bigger;
		}
		n = read(fd, buf + used, capacity - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			free(buf);
			return err;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	*data = buf;
	*len = used;
	return 0;
}

int mg_read_file(const char *path, size_t max, char **data, size_t *len)
{
	int fd, err;

	*data = NULL;
	*len = 0;
	/* O_NONBLOCK: a FIFO named by mistake must not hang medguard. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	err = mg_read_fd(fd, max, data, len);
	close(fd);
	return err;
}

FILE *mg_replacement_open(const char *tmp, mode_t mode)
{
	FILE *file;
	int fd, err;

	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return NULL;
	file = fdopen(fd, "w");
	if (!file) {
		err = errno;
		close(fd);
		unlink(tmp);
		errno = err;
	}
	return file;
}

int mg_replacement_commit(FILE *file, const char *tmp, const char *path)
{
	int err = 0;

	if (fflush(file) || fsync(fileno(file)))
		err = -errno;
	if (fclose(file) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}
