// SPDX-License-Identifier: GPL-2.0-only
/* Growable arrays, the path set the daemon keeps of what it trusted, and mount paths. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "unit.h"

#include "lib.h"

static void test_reserve_grows_by_doubling(void)
{
	size_t capacity = 0, count;
	int *array = NULL;
	bool kept = true;

	for (count = 0; count < 1000; count++) {
		if (!ASSERT_TRUE(MG_ARRAY_RESERVE(array, count, capacity), "room for one more"))
			break;
		array[count] = (int)count;
	}
	ASSERT_EQ(capacity, 1024, "8 doubled seven times");
	for (count = 0; count < 1000; count++)
		kept &= array[count] == (int)count;
	ASSERT_TRUE(kept, "elements survive each move");
	ASSERT_EQ(array[1000] | array[1023], 0, "new elements are zeroed");
	free(array);
}

static void test_path_set(void)
{
	struct mg_path_set *set = mg_path_set_new();
	char path[64];
	bool all_found = true, in_order = true;
	int i;

	ASSERT_EQ(mg_path_set_count(set), 0, "starts empty");
	ASSERT_FALSE(mg_path_set_contains(set, "/usr/bin/cat"), "nothing in it");
	ASSERT_EQ(mg_path_set_add(set, "/usr/bin/cat"), 1, "added");
	ASSERT_EQ(mg_path_set_add(set, "/usr/bin/cat"), 0, "the same path twice is one");
	ASSERT_TRUE(mg_path_set_contains(set, "/usr/bin/cat"), "found");
	ASSERT_FALSE(mg_path_set_contains(set, "/usr/bin/ca"), "a prefix is another path");
	ASSERT_EQ(mg_path_set_add(set, ""), 1, "the empty path is a path");
	for (i = 0; i < 5000; i++) {
		snprintf(path, sizeof(path), "/usr/lib/x86_64-linux-gnu/lib%d.so", i);
		mg_path_set_add(set, path);
	}
	ASSERT_EQ(mg_path_set_count(set), 5002, "grows past its first table");
	for (i = 0; i < 5000; i++) {
		snprintf(path, sizeof(path), "/usr/lib/x86_64-linux-gnu/lib%d.so", i);
		all_found &= mg_path_set_contains(set, path);
		in_order &= !strcmp(mg_path_set_at(set, i + 2), path);
	}
	ASSERT_TRUE(all_found, "every path found after the table grew");
	ASSERT_TRUE(in_order, "paths kept in the order they came");
	ASSERT_STREQ(mg_path_set_at(set, 0), "/usr/bin/cat", "first path first");
	ASSERT_TRUE(mg_path_set_at(set, 5002) == NULL, "no path past the end");
	mg_path_set_free(set);
	mg_path_set_free(NULL);
}

/* A path the kernel gives from a filesystem's root, as a path here: /proc holds "/self". */
static void test_mounted_path(void)
{
	__u64 proc_dev;
	struct stat st;
	char path[64];

	if (!ASSERT_EQ(stat("/proc", &st), 0, "/proc is there"))
		return;
	proc_dev = mg_superblock_dev(AT_FDCWD, "/proc", 0, &st);
	ASSERT_EQ(mg_mounted_path(proc_dev, "/self", path, sizeof(path)), 0, "a file on the proc mount");
	ASSERT_STREQ(path, "/proc/self", "named through the mount point");
	ASSERT_EQ(mg_mounted_path(proc_dev, "/", path, sizeof(path)), 0, "the filesystem's root");
	ASSERT_STREQ(path, "/proc", "is the mount point");
	ASSERT_EQ(mg_mounted_path(proc_dev, "/self", path, 4), -ENAMETOOLONG, "a short buffer is refused");
	ASSERT_EQ(mg_mounted_path(~0ULL, "/self", path, sizeof(path)), -ENOENT, "a device with no mount");
}

int main(void)
{
	RUN(test_reserve_grows_by_doubling);
	RUN(test_path_set);
	RUN(test_mounted_path);
	return unit_done();
}
