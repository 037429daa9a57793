// SPDX-License-Identifier: GPL-2.0-only
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <openssl/x509.h>

#include "attach.h"
#include "kfuncs.h"
#include "medguard_kfuncs.skel.h"

/* The module says why a signature fails in the words of the userspace verifier. */
static_assert(MEDGUARD_SIG_VALID == (int)MG_IMASIG_VALID, "status values");
static_assert(MEDGUARD_SIG_ABSENT == (int)MG_IMASIG_ABSENT, "status values");
static_assert(MEDGUARD_SIG_TRUNCATED == (int)MG_IMASIG_TRUNCATED, "status values");
static_assert(MEDGUARD_SIG_OVERSIZED == (int)MG_IMASIG_OVERSIZED, "status values");
static_assert(MEDGUARD_SIG_NOT_SIGNATURE == (int)MG_IMASIG_NOT_SIGNATURE, "status values");
static_assert(MEDGUARD_SIG_BAD_TYPE == (int)MG_IMASIG_BAD_TYPE, "status values");
static_assert(MEDGUARD_SIG_BAD_VERSION == (int)MG_IMASIG_BAD_VERSION, "status values");
static_assert(MEDGUARD_SIG_UNKNOWN_ALGO == (int)MG_IMASIG_UNKNOWN_ALGO, "status values");
static_assert(MEDGUARD_SIG_REFUSED_ALGO == (int)MG_IMASIG_REFUSED_ALGO, "status values");
static_assert(MEDGUARD_SIG_EMPTY == (int)MG_IMASIG_EMPTY, "status values");
static_assert(MEDGUARD_SIG_SIZE_MISMATCH == (int)MG_IMASIG_SIZE_MISMATCH, "status values");
static_assert(MEDGUARD_SIG_UNKNOWN_KEY == (int)MG_IMASIG_UNKNOWN_KEY, "status values");
static_assert(MEDGUARD_SIG_BAD_SIGNATURE == (int)MG_IMASIG_BAD_SIGNATURE, "status values");
static_assert(MEDGUARD_SIG_NSTATUS == (int)MG_IMASIG_NSTATUS, "status values");
static_assert(MEDGUARD_IMA_XATTR_MAX_BYTES == MG_IMASIG_MAX_XATTR_BYTES, "the same longest signature");
static_assert(sizeof(struct medguard_file_trust) == 80, "struct medguard_file_trust layout");
static_assert(sizeof(struct medguard_key_record) == 24, "struct medguard_key_record layout");

struct mg_exec_trust {
	struct medguard_kfuncs *skel;
	struct bpf_link *links[5]; /* three that forget, two that judge */
	size_t nlinks;
};

void mg_kfuncs_set_launchers(struct mg_exec_trust *exec_trust, const unsigned char (*sha256)[32], size_t n)
{
	struct medguard_kfuncs__bss *bss;

	if (!exec_trust)
		return;
	bss = exec_trust->skel->bss;
	if (n > MG_MAX_LAUNCHERS)
		n = MG_MAX_LAUNCHERS;
	/* Fewer first, so that the programs never compare with a digest half written. */
	bss->nlaunchers = 0;
	memcpy(bss->launcher_sha256, sha256, n * 32);
	__atomic_store_n(&bss->nlaunchers, (__u32)n, __ATOMIC_RELEASE);
}

bool mg_kfuncs_module_loaded(void)
{
	return access("/sys/module/medguard_kfuncs", F_OK) == 0;
}

/* Whether the running kernel has the LSM hook HOOK. */
static bool kernel_has_lsm_hook(const char *hook)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	bool found;

	if (!vmlinux)
		return false;
	found = mg_lsm_hook_arity(vmlinux, hook) >= 0;
	btf__free(vmlinux);
	return found;
}

/*
 * Opens the kfunc object with either the probe or the exec-trust programs.
 * A TRUST_MAP_FD below 0 gives it a map of its own, of one entry.
 */
static struct medguard_kfuncs *open_kfuncs(bool exec_trust, int trust_map_fd, int *err)
{
	struct medguard_kfuncs *skel = medguard_kfuncs__open();
	struct bpf_program *program;

	if (!skel) {
		*err = -errno;
		return NULL;
	}
	bpf_object__for_each_program(program, skel->obj)
		bpf_program__set_autoload(program, exec_trust != (program == skel->progs.mg_kfunc_probe));
	/* ftruncate() has a hook of its own since 6.2; before, it needs a file opened for writing */
	if (exec_trust && !kernel_has_lsm_hook("file_truncate"))
		bpf_program__set_autoload(skel->progs.mg_exec_trust_forget_ftruncate, false);
	if (trust_map_fd >= 0)
		*err = bpf_map__reuse_fd(skel->maps.mg_trust, trust_map_fd);
	else
		*err = bpf_map__set_max_entries(skel->maps.mg_trust, 1);
	if (*err) {
		medguard_kfuncs__destroy(skel);
		return NULL;
	}
	return skel;
}

/* Whether the kernel takes the exec-trust programs: loaded, never attached. */
static int exec_trust_loads(void)
{
	struct medguard_kfuncs *skel;
	int err;

	skel = open_kfuncs(true, -1, &err);
	if (!skel)
		return err;
	err = medguard_kfuncs__load(skel);
	medguard_kfuncs__destroy(skel);
	return err;
}

int mg_kfuncs_loaded_keys(void)
{
	char text[MEDGUARD_MAX_KEYS * 96];
	ssize_t got;
	int fd, nkeys = 0;

	fd = open(MEDGUARD_KEYS_FILE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	got = read(fd, text, sizeof(text) - 1);
	if (got < 0)
		nkeys = -errno;
	close(fd);
	for (ssize_t i = 0; i < got; i++)
		nkeys += text[i] == '\n';
	return nkeys;
}

int mg_kfuncs_cache_stats(struct mg_kfuncs_cache_stats *stats)
{
	unsigned long long entries, hits, misses;
	char text[128];
	ssize_t got;
	int fd, err;

	fd = open(MEDGUARD_CACHE_FILE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	got = read(fd, text, sizeof(text) - 1);
	err = got < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	text[got] = '\0';
	if (sscanf(text, "entries %llu hits %llu misses %llu", &entries, &hits, &misses) != 3)
		return -EPROTO;
	stats->entries = entries;
	stats->hits = hits;
	stats->misses = misses;
	return 0;
}

/*
 * Loads the kfunc programs, makes this process open a file once so that the
 * probe program runs, and reads back what the kfuncs answered. Whether the
 * exec-trust programs load is found out on its own: the probe answers
 * either way.
 */
int mg_kfuncs_probe(struct mg_kfuncs_report *report)
{
	struct medguard_kfuncs *skel;
	struct bpf_link *link = NULL;
	int err, fd;

	memset(report, 0, sizeof(*report));
	if (!mg_kfuncs_module_loaded())
		return -ENOENT;
	skel = open_kfuncs(false, -1, &err);
	if (!skel)
		return err;
	skel->rodata->probe_tgid = getpid();
	for (unsigned int i = 0; i < sizeof(skel->bss->uniform_sample); i++)
		skel->bss->uniform_sample[i] = (__u8)i;
	memset(skel->bss->constant_sample, 'A', sizeof(skel->bss->constant_sample));
	err = medguard_kfuncs__load(skel);
	if (err)
		goto cleanup;
	link = bpf_program__attach(skel->progs.mg_kfunc_probe);
	if (!link) {
		err = -errno;
		goto cleanup;
	}
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		close(fd);
	if (!skel->bss->probe_runs) {
		err = -ENODATA;
		goto cleanup;
	}
	report->abi_version = skel->bss->probe_abi_version;
	report->entropy_uniform = skel->bss->probe_entropy_uniform;
	report->entropy_constant = skel->bss->probe_entropy_constant;
	report->usable = report->abi_version == MEDGUARD_KFUNC_ABI_VERSION;
	report->exec_trust_status = exec_trust_loads();
	report->nkeys = mg_kfuncs_loaded_keys();
	if (report->nkeys >= 0)
		mg_kfuncs_cache_stats(&report->cache);
cleanup:
	bpf_link__destroy(link);
	medguard_kfuncs__destroy(skel);
	return err;
}

/* ---- keys ------------------------------------------------------------------- */

static void say_key_error(const struct mg_key *key, int err, char *msg, size_t msg_size)
{
	const char *what = "cannot load key into the kernel";

	switch (err) {
	case EBADMSG:
		snprintf(msg, msg_size, "%s %s (%s): the kernel cannot parse its public key; export it with 'openssl pkey -pubout'",
			 what, key->name, key->path);
		break;
	case ENOPKG:
		snprintf(msg, msg_size, "%s %s (%s): the kernel verifies only RSA and ECDSA P-256/P-384 signatures; sign with such a key",
			 what, key->name, key->path);
		break;
	case EKEYREJECTED:
		snprintf(msg, msg_size, "%s %s (%s): the kernel takes RSA keys of 2048, 3072 or 4096 bits and valid EC points only; use such a key",
			 what, key->name, key->path);
		break;
	case ENOSPC:
		snprintf(msg, msg_size, "%s %s (%s): the kernel holds at most %d keys; remove keys nobody signs with",
			 what, key->name, key->path, MEDGUARD_MAX_KEYS);
		break;
	case EEXIST:
		snprintf(msg, msg_size, "%s %s (%s): another key has the same policy id; give each key its own name",
			 what, key->name, key->path);
		break;
	default:
		snprintf(msg, msg_size, "%s %s (%s): %s", what, key->name, key->path, strerror(err));
		break;
	}
}

static int stage_key(int fd, const struct mg_key *key, char *err, size_t err_size)
{
	struct medguard_key_record *record = NULL;
	unsigned char *cursor;
	int spki_size, ret = -EINVAL;
	size_t size;

	if (!key->key_id) {
		snprintf(err, err_size, "cannot load key %s into the kernel: it has no policy id; load keys from a policy",
			 key->path);
		goto cleanup;
	}
	spki_size = i2d_PUBKEY(key->pkey, NULL);
	if (spki_size <= 0 || spki_size > MEDGUARD_KEY_MAX_SPKI_BYTES) {
		snprintf(err, err_size, "cannot load key %s (%s) into the kernel: its public key does not encode in %d bytes; use RSA up to 4096 bits or ECDSA P-256",
			 key->name, key->path, MEDGUARD_KEY_MAX_SPKI_BYTES);
		goto cleanup;
	}
	size = sizeof(*record) + (size_t)spki_size;
	record = calloc(1, size);
	if (!record) {
		ret = -ENOMEM;
		snprintf(err, err_size, "cannot load key %s into the kernel: out of memory", key->path);
		goto cleanup;
	}
	record->magic = MEDGUARD_KEY_RECORD_MAGIC;
	record->op = MEDGUARD_KEY_STAGE;
	record->key_id = key->key_id;
	record->skid_keyid = key->skid_keyid;
	record->spki_size = (__u32)spki_size;
	cursor = record->spki;
	i2d_PUBKEY(key->pkey, &cursor);
	if (write(fd, record, size) != (ssize_t)size) {
		ret = -errno;
		say_key_error(key, errno, err, err_size);
		goto cleanup;
	}
	ret = 0;
cleanup:
	free(record);
	return ret;
}

int mg_kfuncs_load_keys(const struct mg_keyring *keyring, char *err, size_t err_size)
{
	struct medguard_key_record commit = { .magic = MEDGUARD_KEY_RECORD_MAGIC, .op = MEDGUARD_KEY_COMMIT };
	int fd, ret = 0;

	fd = open(MEDGUARD_KEYS_FILE, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if (errno == ENOENT)
			snprintf(err, err_size, "cannot load keys into the kernel: no %s; load medguard_kfuncs.ko and mount securityfs",
				 MEDGUARD_KEYS_FILE);
		else
			snprintf(err, err_size, "cannot load keys into the kernel: %s: %s; run as root",
				 MEDGUARD_KEYS_FILE, strerror(errno));
		return ret;
	}
	for (size_t i = 0; i < mg_keyring_count(keyring) && !ret; i++)
		ret = stage_key(fd, mg_keyring_key(keyring, i), err, err_size);
	/* closing without a commit discards what was staged: the keys loaded before stay */
	if (!ret && write(fd, &commit, sizeof(commit)) != (ssize_t)sizeof(commit)) {
		ret = -errno;
		snprintf(err, err_size, "cannot load keys into the kernel: %s", strerror(errno));
	}
	close(fd);
	return ret;
}

int mg_kfuncs_load_policy_keys(const struct mg_policy *policy, char *err, size_t err_size)
{
	struct mg_keyring *keyring = mg_keyring_new();
	int ret = 0;

	if (!keyring) {
		snprintf(err, err_size, "cannot load keys into the kernel: out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < policy->nkeys && !ret; i++)
		if (mg_keyring_add_file(keyring, policy->keys[i].path, policy->keys[i].name, policy->keys[i].key_id,
					err, err_size))
			ret = -EINVAL;
	if (!ret)
		ret = mg_kfuncs_load_keys(keyring, err, err_size);
	mg_keyring_free(keyring);
	return ret;
}

/* ---- exec trust ----------------------------------------------------------- */

static int attach_programs(struct mg_exec_trust *exec_trust, struct bpf_program *const programs[],
			   size_t nprograms, FILE *log)
{
	return mg_attach_programs(programs, nprograms, exec_trust->links, &exec_trust->nlinks, log);
}

static int flush_cache(FILE *log)
{
	int fd, err = 0;

	fd = open(MEDGUARD_CACHE_FILE, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "flush\n", 6) != 6) {
		err = -errno;
		fprintf(log, "medguard: cannot flush %s: %s; run as root\n", MEDGUARD_CACHE_FILE, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	return err;
}

/*
 * Files that change are forgotten first; then what was cached while nobody
 * forgot is dropped; then verdicts are made.
 */
static int attach_in_order(struct mg_exec_trust *exec_trust, FILE *log)
{
	struct medguard_kfuncs *skel = exec_trust->skel;
	struct bpf_program *const forget[] = {
		skel->progs.mg_exec_trust_forget_open,
		skel->progs.mg_exec_trust_forget_truncate,
		skel->progs.mg_exec_trust_forget_ftruncate,
	};
	struct bpf_program *const judge[] = {
		skel->progs.mg_exec_trust_file,
		skel->progs.mg_exec_trust_interpreter,
	};
	int err;

	err = attach_programs(exec_trust, forget, sizeof(forget) / sizeof(forget[0]), log);
	if (!err)
		err = flush_cache(log);
	if (!err)
		err = attach_programs(exec_trust, judge, sizeof(judge) / sizeof(judge[0]), log);
	return err;
}

struct mg_exec_trust *mg_kfuncs_attach_exec_trust(int trust_map_fd, FILE *log)
{
	struct mg_exec_trust *exec_trust;
	int err;

	exec_trust = calloc(1, sizeof(*exec_trust));
	if (!exec_trust) {
		fprintf(log, "medguard: cannot attach the exec-trust programs: out of memory\n");
		return NULL;
	}
	exec_trust->skel = open_kfuncs(true, trust_map_fd, &err);
	if (!exec_trust->skel) {
		fprintf(log, "medguard: cannot share the trust map with the exec-trust programs: %s\n", strerror(-err));
		goto fail;
	}
	err = medguard_kfuncs__load(exec_trust->skel);
	if (err) {
		fprintf(log, "medguard: the kernel refused the exec-trust programs (%s); load the medguard_kfuncs.ko built with this medguard, and see the verifier log above\n",
			strerror(-err));
		goto fail;
	}
	if (attach_in_order(exec_trust, log))
		goto fail;
	return exec_trust;
fail:
	mg_kfuncs_detach_exec_trust(exec_trust);
	return NULL;
}

void mg_kfuncs_detach_exec_trust(struct mg_exec_trust *exec_trust)
{
	if (!exec_trust)
		return;
	for (size_t i = 0; i < exec_trust->nlinks; i++)
		bpf_link__destroy(exec_trust->links[i]);
	medguard_kfuncs__destroy(exec_trust->skel);
	free(exec_trust);
}
