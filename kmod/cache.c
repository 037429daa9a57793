// SPDX-License-Identifier: GPL-2.0-only
/*
 * Verdicts by inode, so that the next exec of a judged file costs a lookup
 * instead of a hash of its content. An entry holds only while the inode's
 * change time, i_version and security.ima value are what they were when it
 * was judged. A change time may not move within one clock tick, so the
 * exec-trust BPF programs also forget an inode the moment it is opened for
 * writing or truncated (medguard_kfunc_cache_forget()).
 */
#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"

#define CACHE_HASH_BITS 10

struct cache_entry {
	struct hlist_node node; /* in verdicts: read under RCU, changed under cache_lock */
	struct list_head age;   /* in oldest_first, under cache_lock */
	struct rcu_head rcu;
	bool stale;             /* forgotten: the file may have changed */
	struct timespec64 ctime;
	u64 iversion;
	struct medguard_file_trust verdict; /* dev and ino are the key */
	u32 xattr_size;
	u8 xattr[];
};

static DEFINE_HASHTABLE(verdicts, CACHE_HASH_BITS);
static LIST_HEAD(oldest_first);
static DEFINE_MUTEX(cache_lock);
static unsigned int nentries;
/* Counts flushes; written under cache_lock. */
static atomic64_t epoch = ATOMIC64_INIT(0);
static atomic64_t hits = ATOMIC64_INIT(0);
static atomic64_t misses = ATOMIC64_INIT(0);

static u64 inode_key(u64 dev, u64 ino)
{
	return ino ^ (dev << 32);
}

static bool same_inode(const struct cache_entry *entry, u64 dev, u64 ino)
{
	return entry->verdict.dev == dev && entry->verdict.ino == ino;
}

static void drop_entry(struct cache_entry *entry)
{
	hash_del_rcu(&entry->node);
	list_del(&entry->age);
	nentries--;
	kfree_rcu(entry, rcu);
}

u64 mg_cache_epoch(void)
{
	return atomic64_read(&epoch);
}

bool mg_cache_lookup(const struct mg_file_state *state, struct medguard_file_trust *verdict)
{
	struct cache_entry *entry;
	bool found = false;

	rcu_read_lock();
	hash_for_each_possible_rcu(verdicts, entry, node, inode_key(state->dev, state->ino)) {
		if (!same_inode(entry, state->dev, state->ino) || READ_ONCE(entry->stale) ||
		    !timespec64_equal(&entry->ctime, &state->ctime) ||
		    entry->iversion != state->iversion || entry->xattr_size != state->xattr_size ||
		    memcmp(entry->xattr, state->xattr, state->xattr_size))
			continue;
		*verdict = entry->verdict;
		found = true;
		break;
	}
	rcu_read_unlock();
	atomic64_inc(found ? &hits : &misses);
	return found;
}

void mg_cache_insert(const struct mg_file_state *state, const struct medguard_file_trust *verdict,
		     u64 since_epoch)
{
	u64 key = inode_key(state->dev, state->ino);
	struct cache_entry *entry, *old;
	struct hlist_node *next;

	/* without memory the verdict still stands; the next exec judges again */
	entry = kmalloc(struct_size(entry, xattr, state->xattr_size), GFP_KERNEL);
	if (!entry)
		return;
	entry->stale = false;
	entry->ctime = state->ctime;
	entry->iversion = state->iversion;
	entry->verdict = *verdict;
	entry->xattr_size = state->xattr_size;
	memcpy(entry->xattr, state->xattr, state->xattr_size);

	mutex_lock(&cache_lock);
	/* keys changed while this verdict was made: it may be one the new keys would not give */
	if (atomic64_read(&epoch) != since_epoch) {
		mutex_unlock(&cache_lock);
		kfree(entry);
		return;
	}
	hash_for_each_possible_safe(verdicts, old, next, node, key)
		if (same_inode(old, state->dev, state->ino))
			drop_entry(old);
	if (nentries >= MEDGUARD_CACHE_MAX_ENTRIES)
		drop_entry(list_first_entry(&oldest_first, struct cache_entry, age));
	hash_add_rcu(verdicts, &entry->node, key);
	list_add_tail(&entry->age, &oldest_first);
	nentries++;
	mutex_unlock(&cache_lock);
}

void mg_cache_forget(u64 dev, u64 ino)
{
	struct cache_entry *entry;

	rcu_read_lock();
	hash_for_each_possible_rcu(verdicts, entry, node, inode_key(dev, ino))
		if (same_inode(entry, dev, ino))
			WRITE_ONCE(entry->stale, true);
	rcu_read_unlock();
}

void mg_cache_flush(void)
{
	struct cache_entry *entry, *next;

	mutex_lock(&cache_lock);
	atomic64_inc(&epoch);
	list_for_each_entry_safe(entry, next, &oldest_first, age)
		drop_entry(entry);
	mutex_unlock(&cache_lock);
}

/* ---- securityfs: medguard/cache ------------------------------------------- */

static int cache_open(struct inode *inode, struct file *file)
{
	return capable(CAP_SYS_ADMIN) ? 0 : -EPERM;
}

static ssize_t cache_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	char text[96];
	unsigned int entries;
	int len;

	mutex_lock(&cache_lock);
	entries = nentries;
	mutex_unlock(&cache_lock);
	len = scnprintf(text, sizeof(text), "entries %u\nhits %lld\nmisses %lld\n", entries,
			(long long)atomic64_read(&hits), (long long)atomic64_read(&misses));
	return simple_read_from_buffer(buf, count, ppos, text, len);
}

static ssize_t cache_write(struct file *file, const char __user *buf, size_t count, loff_t *ppos)
{
	mg_cache_flush();
	return count;
}

const struct file_operations mg_cache_fops = {
	.owner = THIS_MODULE,
	.open = cache_open,
	.read = cache_read,
	.write = cache_write,
	.llseek = generic_file_llseek,
};
