/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A file's device as the kernel's hooks see it: inode->i_sb->s_dev. stat()
 * does not always say it: overlayfs over several filesystems and btrfs
 * subvolumes report another st_dev. /proc/self/mountinfo does, per mount.
 */
#ifndef MEDGUARD_FSID_H
#define MEDGUARD_FSID_H

#include <stddef.h>
#include <sys/stat.h>
#include <linux/types.h>

/* st_dev in the kernel's encoding (major << 20 | minor). */
__u64 mg_kernel_dev(dev_t dev);

/*
 * The superblock device of PATH (relative to DIRFD, with statx FLAGS such as
 * AT_EMPTY_PATH), in the kernel's encoding. When statx cannot say, the
 * st_dev of ST, the caller's stat of the same file.
 */
__u64 mg_superblock_dev(int dirfd, const char *path, int flags, const struct stat *st);

/*
 * FS_PATH (a path from the root of the filesystem on DEV, as the kernel's
 * walk gives it) as a path in this mount namespace, through the first mount
 * of DEV whose root holds it. -ENOENT when no mount does.
 */
int mg_mounted_path(__u64 dev, const char *fs_path, char *out, size_t size);

#endif /* MEDGUARD_FSID_H */
