// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/fs.h>

#include "cache.h"
#include "lib/lib.h"

#define CACHE_HEADER "medguard-digests 1"
#define CACHE_LINE_MAX (MG_DIGEST_MAX_BYTES * 2 + 256)

struct slot {
	struct mg_file_identity identity;
	int nid; /* 0: empty */
	unsigned int len;
	unsigned char digest[MG_DIGEST_MAX_BYTES];
};

struct mg_digest_cache {
	struct slot *slots;
	size_t capacity; /* a power of two, at least twice the count */
	size_t count;
	size_t hits, misses;
};

struct mg_digest_cache *mg_digest_cache_new(void)
{
	return calloc(1, sizeof(struct mg_digest_cache));
}

void mg_digest_cache_free(struct mg_digest_cache *cache)
{
	if (!cache)
		return;
	free(cache->slots);
	free(cache);
}

size_t mg_digest_cache_count(const struct mg_digest_cache *cache)
{
	return cache->count;
}

size_t mg_digest_cache_hits(const struct mg_digest_cache *cache)
{
	return cache->hits;
}

size_t mg_digest_cache_misses(const struct mg_digest_cache *cache)
{
	return cache->misses;
}

void mg_file_identity_of(int fd, const struct stat *st, struct mg_file_identity *identity)
{
	unsigned int generation = 0;

	memset(identity, 0, sizeof(*identity));
	if (ioctl(fd, FS_IOC_GETVERSION, &generation))
		generation = 0;
	identity->dev = st->st_dev;
	identity->ino = st->st_ino;
	identity->generation = generation;
	identity->ctime_sec = st->st_ctim.tv_sec;
	identity->ctime_nsec = (__u64)st->st_ctim.tv_nsec;
	identity->size = (__u64)st->st_size;
}

static bool same_identity(const struct mg_file_identity *a, const struct mg_file_identity *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->generation == b->generation &&
	       a->ctime_sec == b->ctime_sec && a->ctime_nsec == b->ctime_nsec && a->size == b->size;
}

/* FNV-1a over the identity and the algorithm. */
static size_t slot_hash(const struct mg_file_identity *identity, int nid)
{
	const __u64 words[] = { identity->dev, identity->ino, identity->generation, (__u64)identity->ctime_sec,
				identity->ctime_nsec, identity->size, (__u64)nid };
	__u64 hash = 1469598103934665603ull;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		for (int byte = 0; byte < 8; byte++)
			hash = (hash ^ ((words[i] >> (byte * 8)) & 0xff)) * 1099511628211ull;
	return (size_t)hash;
}

/* The slot of (IDENTITY, NID), or the empty slot where it would go. */
static struct slot *find_slot(const struct mg_digest_cache *cache, const struct mg_file_identity *identity,
			      int nid)
{
	size_t mask = cache->capacity - 1, i = slot_hash(identity, nid) & mask;

	while (cache->slots[i].nid && (cache->slots[i].nid != nid || !same_identity(&cache->slots[i].identity, identity)))
		i = (i + 1) & mask;
	return &cache->slots[i];
}

static int grow(struct mg_digest_cache *cache)
{
	size_t capacity = cache->capacity ? cache->capacity * 2 : 1024;
	struct slot *old = cache->slots;
	size_t old_capacity = cache->capacity;

	cache->slots = calloc(capacity, sizeof(*cache->slots));
	if (!cache->slots) {
		cache->slots = old;
		return -ENOMEM;
	}
	cache->capacity = capacity;
	for (size_t i = 0; i < old_capacity; i++)
		if (old[i].nid)
			*find_slot(cache, &old[i].identity, old[i].nid) = old[i];
	free(old);
	return 0;
}

unsigned int mg_digest_cache_get(const struct mg_digest_cache *cache, const struct mg_file_identity *identity,
				 int nid, unsigned char digest[MG_DIGEST_MAX_BYTES])
{
	struct mg_digest_cache *counted = (struct mg_digest_cache *)cache;
	const struct slot *slot;

	if (!cache->capacity || !nid) {
		counted->misses++;
		return 0;
	}
	slot = find_slot(cache, identity, nid);
	if (!slot->nid) {
		counted->misses++;
		return 0;
	}
	counted->hits++;
	memcpy(digest, slot->digest, slot->len);
	return slot->len;
}

int mg_digest_cache_put(struct mg_digest_cache *cache, const struct mg_file_identity *identity, int nid,
			const unsigned char *digest, unsigned int len)
{
	struct slot *slot;
	int err;

	if (!nid || !len || len > MG_DIGEST_MAX_BYTES)
		return -EINVAL;
	if ((cache->count + 1) * 2 > cache->capacity) {
		if (cache->count >= MG_DIGEST_CACHE_MAX_ENTRIES)
			return -ENOSPC;
		err = grow(cache);
		if (err)
			return err;
	}
	slot = find_slot(cache, identity, nid);
	if (!slot->nid)
		cache->count++;
	slot->identity = *identity;
	slot->nid = nid;
	slot->len = len;
	memcpy(slot->digest, digest, len);
	return 0;
}

/* One entry line; false when it does not parse. */
static bool parse_line(const char *line, struct mg_file_identity *identity, int *nid, unsigned char *digest,
		       unsigned int *len)
{
	char hex[MG_DIGEST_MAX_BYTES * 2 + 2];
	unsigned long long dev, ino, generation, ctime_nsec, size;
	long long ctime_sec;
	int consumed = 0, high, low;
	size_t n;

	if (sscanf(line, "%llu %llu %llu %lld %llu %llu %d %129s%n", &dev, &ino, &generation, &ctime_sec,
		   &ctime_nsec, &size, nid, hex, &consumed) != 8)
		return false;
	*identity = (struct mg_file_identity){ .dev = dev, .ino = ino, .generation = generation,
					       .ctime_sec = ctime_sec, .ctime_nsec = ctime_nsec, .size = size };
	if (line[consumed] != '\n' && line[consumed] != '\0')
		return false;
	n = strlen(hex);
	if (!n || n % 2 || n > MG_DIGEST_MAX_BYTES * 2 || *nid <= 0)
		return false;
	for (size_t i = 0; i < n / 2; i++) {
		high = mg_hex_value(hex[2 * i]);
		low = mg_hex_value(hex[2 * i + 1]);
		if (high < 0 || low < 0)
			return false;
		digest[i] = (unsigned char)(high << 4 | low);
	}
	*len = (unsigned int)(n / 2);
	return true;
}

long mg_digest_cache_load(struct mg_digest_cache *cache, const char *path)
{
	char line[CACHE_LINE_MAX];
	unsigned char digest[MG_DIGEST_MAX_BYTES];
	struct mg_file_identity identity;
	struct stat st;
	unsigned int len;
	long loaded = 0;
	FILE *file;
	int fd, nid;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Whoever may write the cache could vouch for a file: root alone, then. */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022)) {
		close(fd);
		return -EPERM;
	}
	file = fdopen(fd, "r");
	if (!file) {
		close(fd);
		return -errno;
	}
	if (!fgets(line, sizeof(line), file) || strncmp(line, CACHE_HEADER "\n", sizeof(CACHE_HEADER))) {
		fclose(file);
		return 0;
	}
	while (fgets(line, sizeof(line), file)) {
		if (!strchr(line, '\n') && !feof(file)) {
			/* an overlong line: skip the rest of it */
			int c;

			while ((c = fgetc(file)) != EOF && c != '\n')
				;
			continue;
		}
		if (!parse_line(line, &identity, &nid, digest, &len))
			continue;
		if (mg_digest_cache_put(cache, &identity, nid, digest, len))
			break;
		loaded++;
	}
	fclose(file);
	return loaded;
}

int mg_digest_cache_save(const struct mg_digest_cache *cache, const char *path)
{
	char tmp[PATH_MAX];
	FILE *file;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	file = mg_replacement_open(tmp, 0600);
	if (!file)
		return -errno;
	fprintf(file, "%s\n", CACHE_HEADER);
	for (size_t i = 0; i < cache->capacity; i++) {
		const struct slot *slot = &cache->slots[i];

		if (!slot->nid)
			continue;
		fprintf(file, "%llu %llu %llu %lld %llu %llu %d ", (unsigned long long)slot->identity.dev,
			(unsigned long long)slot->identity.ino, (unsigned long long)slot->identity.generation,
			(long long)slot->identity.ctime_sec, (unsigned long long)slot->identity.ctime_nsec,
			(unsigned long long)slot->identity.size, slot->nid);
		for (unsigned int b = 0; b < slot->len; b++)
			fprintf(file, "%02x", slot->digest[b]);
		fputc('\n', file);
	}
	return mg_replacement_commit(file, tmp, path);
}
