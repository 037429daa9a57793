// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fsid.h"
#include "medguard_limits.h"

static __u64 kernel_encoding(unsigned int major, unsigned int minor)
{
	return (__u64)major << 20 | minor;
}

/* The major:minor mountinfo gives the mount MOUNT_ID: the superblock's s_dev. */
static int mount_dev(__u64 mount_id, __u64 *dev)
{
	unsigned long long id;
	unsigned int major, minor;
	char line[4096];
	FILE *mountinfo = fopen("/proc/self/mountinfo", "re");
	int err = -ENOENT;

	if (!mountinfo)
		return -errno;
	while (fgets(line, sizeof(line), mountinfo)) {
		if (sscanf(line, "%llu %*u %u:%u", &id, &major, &minor) == 3 && id == mount_id) {
			*dev = kernel_encoding(major, minor);
			err = 0;
			break;
		}
	}
	fclose(mountinfo);
	return err;
}

__u64 mg_kernel_dev(dev_t dev)
{
	return kernel_encoding(major(dev), minor(dev));
}

__u64 mg_superblock_dev(int dirfd, const char *path, int flags, const struct stat *st)
{
	struct statx stx;
	__u64 dev;

	if (statx(dirfd, path, flags, STATX_MNT_ID, &stx))
		return mg_kernel_dev(st->st_dev);
	if ((stx.stx_mask & STATX_MNT_ID) && mount_dev(stx.stx_mnt_id, &dev) == 0)
		return dev;
	return kernel_encoding(stx.stx_dev_major, stx.stx_dev_minor);
}

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape_mountinfo(char *field)
{
	char *out = field;

	for (; *field; field++) {
		if (field[0] == '\\' && field[1] >= '0' && field[1] <= '3' && field[2] >= '0' && field[2] <= '7' &&
		    field[3] >= '0' && field[3] <= '7') {
			*out++ = (char)((field[1] - '0') << 6 | (field[2] - '0') << 3 | (field[3] - '0'));
			field += 3;
		} else {
			*out++ = *field;
		}
	}
	*out = '\0';
}

int mg_mounted_path(__u64 dev, const char *fs_path, char *out, size_t size)
{
	char line[MG_MOUNTINFO_LINE_BYTES], root[MG_MOUNTINFO_LINE_BYTES], point[MG_MOUNTINFO_LINE_BYTES];
	unsigned int major, minor;
	FILE *mountinfo = fopen("/proc/self/mountinfo", "re");
	int err = -ENOENT;

	if (!mountinfo)
		return -errno;
	while (fgets(line, sizeof(line), mountinfo)) {
		const char *rest;
		size_t root_len;

		if (sscanf(line, "%*u %*u %u:%u %4095s %4095s", &major, &minor, root, point) != 4 ||
		    kernel_encoding(major, minor) != dev)
			continue;
		unescape_mountinfo(root);
		unescape_mountinfo(point);
		root_len = strcmp(root, "/") ? strlen(root) : 0;
		if (strncmp(fs_path, root, root_len) || (fs_path[root_len] && fs_path[root_len] != '/'))
			continue;
		rest = strcmp(fs_path + root_len, "/") ? fs_path + root_len : "";
		if ((size_t)snprintf(out, size, "%s%s", strcmp(point, "/") || !*rest ? point : "", rest) < size)
			err = 0;
		else
			err = -ENAMETOOLONG;
		break;
	}
	fclose(mountinfo);
	return err;
}
