/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A file's device as the kernel's hooks see it: inode->i_sb->s_dev. stat()
 * does not always say it: overlayfs over several filesystems and btrfs
 * subvolumes report another st_dev. /proc/self/mountinfo does, per mount.
 */
#ifndef MEDGUARD_FSID_H
#define MEDGUARD_FSID_H

#include <linux/types.h>

/*
 * The superblock device of PATH (relative to DIRFD, with statx FLAGS such as
 * AT_EMPTY_PATH), in the kernel's encoding (major << 20 | minor). Returns 0,
 * or -errno when PATH cannot be examined.
 */
int mg_superblock_dev(int dirfd, const char *path, int flags, __u64 *dev);

#endif /* MEDGUARD_FSID_H */
