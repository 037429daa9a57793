// SPDX-License-Identifier: GPL-2.0-only
/* The digest cache: a changed file never matches, a saved cache loads back, bad files are refused. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/obj_mac.h>

#include "trust/cache.h"
#include "unit.h"

static char dir[] = "/tmp/medguard-cache-test-XXXXXX";

static const struct mg_file_identity some_file = {
	.dev = 2049, .ino = 1234, .generation = 7, .ctime_sec = 1767225600, .ctime_nsec = 5, .size = 4096,
};

static const unsigned char digest[32] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

static void path_in_dir(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			perror("write");
		fchmod(fd, mode);
		close(fd);
	}
}

static void test_changed_file_never_matches(void)
{
	struct mg_digest_cache *cache = mg_digest_cache_new();
	struct mg_file_identity changed;
	unsigned char out[MG_DIGEST_MAX_BYTES];

	ASSERT_EQ(mg_digest_cache_put(cache, &some_file, NID_sha256, digest, 32), 0, "put");
	ASSERT_EQ(mg_digest_cache_get(cache, &some_file, NID_sha256, out), 32, "the same version matches");
	ASSERT_EQ(memcmp(out, digest, 32), 0, "with its digest");
	ASSERT_EQ(mg_digest_cache_get(cache, &some_file, NID_md5, out), 0, "another algorithm does not");
	changed = some_file;
	changed.ctime_nsec++;
	ASSERT_EQ(mg_digest_cache_get(cache, &changed, NID_sha256, out), 0, "a new change time does not");
	changed = some_file;
	changed.size++;
	ASSERT_EQ(mg_digest_cache_get(cache, &changed, NID_sha256, out), 0, "a new size does not");
	changed = some_file;
	changed.generation++;
	ASSERT_EQ(mg_digest_cache_get(cache, &changed, NID_sha256, out), 0, "a reused inode does not");
	changed = some_file;
	changed.ino++;
	ASSERT_EQ(mg_digest_cache_get(cache, &changed, NID_sha256, out), 0, "another inode does not");
	ASSERT_EQ(mg_digest_cache_put(cache, &some_file, NID_sha256, digest, 65), -EINVAL, "an oversized digest");
	ASSERT_EQ(mg_digest_cache_hits(cache), 1, "one hit counted");
	mg_digest_cache_free(cache);
}

static void test_grows_and_round_trips(void)
{
	struct mg_digest_cache *cache = mg_digest_cache_new(), *loaded = mg_digest_cache_new();
	struct mg_file_identity identity = some_file;
	unsigned char out[MG_DIGEST_MAX_BYTES];
	char path[256];
	int i, found = 0;

	for (i = 0; i < 5000; i++) {
		identity.ino = 1000 + (__u64)i;
		mg_digest_cache_put(cache, &identity, NID_md5, digest, 16);
	}
	ASSERT_EQ(mg_digest_cache_count(cache), 5000, "5000 entries after growing");
	path_in_dir(path, sizeof(path), "digests");
	ASSERT_EQ(mg_digest_cache_save(cache, path), 0, "saved");
	ASSERT_EQ(mg_digest_cache_load(loaded, path), 5000, "loaded back");
	for (i = 0; i < 5000; i++) {
		identity.ino = 1000 + (__u64)i;
		found += mg_digest_cache_get(loaded, &identity, NID_md5, out) == 16;
	}
	ASSERT_EQ(found, 5000, "every entry found after the round trip");
	mg_digest_cache_free(cache);
	mg_digest_cache_free(loaded);
}

static void test_bad_files(void)
{
	struct mg_digest_cache *cache = mg_digest_cache_new();
	unsigned char out[MG_DIGEST_MAX_BYTES];
	char path[256];

	path_in_dir(path, sizeof(path), "missing");
	ASSERT_EQ(mg_digest_cache_load(cache, path), -ENOENT, "no cache yet");
	path_in_dir(path, sizeof(path), "writable");
	write_text(path, "medguard-digests 1\n2049 1234 7 1767225600 5 4096 672 deadbeef\n", 0666);
	ASSERT_EQ(mg_digest_cache_load(cache, path), -EPERM, "a cache others may write is not read");
	path_in_dir(path, sizeof(path), "garbage");
	write_text(path,
		   "medguard-digests 1\n"
		   "2049 1234 7 1767225600 5 4096 672 deadbeef\n"
		   "2049 1234 7 1767225600 5 4096 672 deadbee\n"
		   "2049 1234 7 1767225600 5 4096 672 zz\n"
		   "2049 1234 7 1767225600 5 4096 -1 00\n"
		   "2049 1234 7 1767225600 5 4096 672 00 trailing\n"
		   "not a line at all\n"
		   "\n",
		   0600);
	ASSERT_EQ(mg_digest_cache_load(cache, path), 1, "only the one good line is taken");
	ASSERT_EQ(mg_digest_cache_get(cache, &some_file, 672, out), 4, "and it says what it said");
	path_in_dir(path, sizeof(path), "old-format");
	write_text(path, "medguard-digests 0\n2049 1235 7 1767225600 5 4096 672 deadbeef\n", 0600);
	ASSERT_EQ(mg_digest_cache_load(cache, path), 0, "another format version is not read");
	mg_digest_cache_free(cache);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_changed_file_never_matches);
	RUN(test_grows_and_round_trips);
	RUN(test_bad_files);
	char cleanup[300];

	snprintf(cleanup, sizeof(cleanup), "rm -rf '%s'", dir);
	if (system(cleanup))
		perror("cleanup");
	return unit_done();
}
