// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fsid.h"

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
