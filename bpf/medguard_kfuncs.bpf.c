// SPDX-License-Identifier: GPL-2.0-only
/*
 * The programs that call the medguard_kfuncs module. A separate object from
 * the enforcement core so that the core loads whether the module is there or
 * not; the loader loads this one only when the module is.
 *
 * Exec trust: at exec the module judges the file by its IMA signature, and a
 * trusted file goes into the core's trust map, which the loader hands this
 * object (bpf_map__reuse_fd) so that both see the same entries. Of the
 * core's maps only that one is shared (bpf/medguard_trust.bpf.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "medguard.h"
#include "medguard_kfuncs.h"
#include "medguard_trust.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define FMODE_WRITE 0x2

/* The process whose next open runs the self-test; set by the loader. */
const volatile __u32 probe_tgid;

__u32 probe_abi_version;
__u32 probe_entropy_uniform;
__u32 probe_entropy_constant;
__u32 probe_runs;

/* Every byte value once: exactly 8 bits of entropy per byte. */
__u8 uniform_sample[256];
/* One byte value throughout: no entropy at all. */
__u8 constant_sample[256];

/*
 * Proves the kfuncs answer from an LSM program, with values the loader can
 * check; the probe never denies anything.
 */
SEC("lsm/file_open")
int BPF_PROG(mg_kfunc_probe, struct file *file, int ret)
{
	if (ret)
		return ret;
	if ((bpf_get_current_pid_tgid() >> 32) != probe_tgid)
		return 0;
	probe_abi_version = medguard_kfunc_abi_version();
	probe_entropy_uniform = medguard_kfunc_entropy(uniform_sample, sizeof(uniform_sample));
	probe_entropy_constant = medguard_kfunc_entropy(constant_sample, sizeof(constant_sample));
	probe_runs++;
	return 0;
}

/* ---- exec trust ------------------------------------------------------------ */

/* The SHA-256 of each launcher file of the policy, written by the daemon at each (re)load. */
__u64 launcher_sha256[MG_MAX_LAUNCHERS][4];
__u32 nlaunchers;

/* A file whose verified content is a launcher's is a launcher, whatever inode holds it. */
static __always_inline bool is_launcher_content(const __u8 *sha256)
{
	__u64 words[4];

	__builtin_memcpy(words, sha256, sizeof(words));
	for (int i = 0; i < MG_MAX_LAUNCHERS; i++) {
		if (i >= nlaunchers)
			break;
		if (launcher_sha256[i][0] == words[0] && launcher_sha256[i][1] == words[1] &&
		    launcher_sha256[i][2] == words[2] && launcher_sha256[i][3] == words[3])
			return true;
	}
	return false;
}

/*
 * Trusts FILE in the core's map when the module finds a valid signature by
 * a loaded key. Never denies and never removes an entry: other trust
 * sources (allowlist, packages) write the same map, and the core drops
 * entries of files that change.
 */
static __always_inline void trust_exec_file(struct file *file)
{
	struct medguard_file_trust result = {};
	struct mg_trust_key key = {};
	struct mg_trust trust = {};
	struct mg_trust *known;

	if (medguard_kfunc_file_trust(file, &result, sizeof(result)))
		return;
	if (result.verdict != MEDGUARD_FILE_TRUSTED)
		return;
	key.dev = result.dev;
	key.ino = result.ino;
	trust.ctime_sec = result.ctime_sec;
	trust.ctime_nsec = result.ctime_nsec;
	trust.source = MG_TRUST_SIGNATURE;
	trust.key_id = result.key_id;
	if (is_launcher_content(result.sha256))
		trust.flags |= MG_TRUST_LAUNCHER;
	known = bpf_map_lookup_elem(&mg_trust, &key);
	if (known && known->ctime_sec == trust.ctime_sec && known->ctime_nsec == trust.ctime_nsec &&
	    known->source == trust.source && known->key_id == trust.key_id && known->flags == trust.flags)
		return;
	bpf_map_update_elem(&mg_trust, &key, &trust, BPF_ANY);
}

/*
 * The file named by execve. The core decides in bprm_check_security, which
 * comes after this hook: even the first exec of a signed file is trusted.
 */
SEC("lsm.s/bprm_creds_for_exec")
int BPF_PROG(mg_exec_trust_file, struct linux_binprm *bprm, int ret)
{
	if (ret)
		return ret;
	trust_exec_file(bprm->file);
	return 0;
}

/*
 * Each interpreter of the chain (#! scripts, binfmt_misc); for the file
 * named by execve this is a cache hit. A trampoline runs the programs
 * attached last first, so with this object attached after the core an
 * interpreter is trusted at its first use too; otherwise from its next.
 */
SEC("lsm.s/bprm_check_security")
int BPF_PROG(mg_exec_trust_interpreter, struct linux_binprm *bprm, int ret)
{
	if (ret)
		return ret;
	trust_exec_file(bprm->file);
	return 0;
}

/*
 * ---- forgetting verdicts of files that may change ----------------------------
 *
 * Content changes only through a file opened for writing or a truncate.
 * Changes of security.ima need no hook: the module compares it with the
 * value a cached verdict was made from.
 */

static __always_inline void forget_inode(struct inode *inode)
{
	if (inode)
		medguard_kfunc_cache_forget(BPF_CORE_READ(inode, i_sb, s_dev), BPF_CORE_READ(inode, i_ino));
}

SEC("lsm/file_open")
int BPF_PROG(mg_exec_trust_forget_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	if (file->f_mode & FMODE_WRITE)
		forget_inode(file->f_inode);
	return 0;
}

SEC("lsm/path_truncate")
int BPF_PROG(mg_exec_trust_forget_truncate, const struct path *path, int ret)
{
	if (ret)
		return ret;
	forget_inode(path->dentry->d_inode);
	return 0;
}

/* ftruncate() has a hook of its own since 6.2; the loader drops this on 6.1. */
SEC("lsm/file_truncate")
int BPF_PROG(mg_exec_trust_forget_ftruncate, struct file *file, int ret)
{
	if (ret)
		return ret;
	forget_inode(file->f_inode);
	return 0;
}
