/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kfuncs of the medguard_kfuncs module and its securityfs interface,
 * shared by the module, the BPF programs that call the kfuncs and the
 * userspace that loads keys. BPF code sees the kfuncs as __ksym externs in
 * the separate object bpf/medguard_kfuncs.bpf.c, loaded only when the module
 * is present, so that the enforcement core never depends on the module.
 * Fixed-width types only. It ships alone in the DKMS package: its limits
 * keep their MEDGUARD_* names, and userspace/kernel/layout.c asserts that
 * each equals its MG_* in bpf/medguard_limits.h.
 */
#ifndef MEDGUARD_KFUNCS_H
#define MEDGUARD_KFUNCS_H

/* Bumped whenever a kfunc's signature or meaning changes. */
#define MEDGUARD_KFUNC_ABI_VERSION 2

/*
 * Text over an alphabet of this many symbols (hex: 16, base64: 64 and a
 * newline) is also judged by how evenly it uses them.
 */
#define MEDGUARD_ENTROPY_MIN_ALPHABET 16
#define MEDGUARD_ENTROPY_MAX_ALPHABET 70
/*
 * ... when it uses them this evenly (millibits, scaled to 8 bits): base64
 * and hex of random bytes measure 7980 or more; a log full of hex ids 7500.
 */
#define MEDGUARD_ENTROPY_UNIFORM 7850

/* Bytes of a write sampled by the entropy estimate. */
#define MEDGUARD_ENTROPY_SAMPLE_MAX 4096

#if defined(__KERNEL__)
#include <linux/types.h>
#define MEDGUARD_KSYM
#elif defined(__bpf__)
#define MEDGUARD_KSYM __ksym
#else
#include <linux/types.h>
#endif

/*
 * ---- Keys: /sys/kernel/security/medguard/keys -----------------------------
 *
 * Root only (CAP_SYS_ADMIN at open). Each write(2) is one record:
 *
 *   MEDGUARD_KEY_STAGE   the record is followed by spki_size bytes of DER
 *                        SubjectPublicKeyInfo (RSA 2048/3072/4096 bits, or
 *                        ECDSA P-256/P-384). The key is checked and staged on
 *                        this open file; a key the module cannot use fails
 *                        the write (EBADMSG: not DER SPKI; ENOPKG: algorithm
 *                        or curve; EKEYREJECTED: RSA size or EC point;
 *                        ENOSPC: too many; EEXIST: key_id used twice).
 *   MEDGUARD_KEY_COMMIT  the staged keys replace the loaded ones at once and
 *                        every cached verdict is dropped. Refused (ECANCELED)
 *                        when any write on this file failed. A COMMIT
 *                        with nothing staged unloads every key.
 *
 * Closing the file without COMMIT discards what was staged. Reading lists
 * the loaded keys, one line each:
 *   key_id=1 keyid=1a2b3c4d skid=1a2b3c4d algo=ecdsa-p256 bits=256
 */
#define MEDGUARD_SECURITYFS_DIR "/sys/kernel/security/medguard"
#define MEDGUARD_KEYS_FILE MEDGUARD_SECURITYFS_DIR "/keys"
/*
 * /sys/kernel/security/medguard/cache, root only: reading gives
 * "entries N\nhits N\nmisses N\n", writing anything drops every verdict.
 */
#define MEDGUARD_CACHE_FILE MEDGUARD_SECURITYFS_DIR "/cache"
/* Verdicts the cache keeps; the oldest go first. */
#define MEDGUARD_CACHE_MAX_ENTRIES 4096

#define MEDGUARD_KEY_RECORD_MAGIC 0x314b474du /* "MGK1" in memory order */
#define MEDGUARD_MAX_KEYS 32
#define MEDGUARD_KEY_MAX_SPKI_BYTES 2048

enum medguard_key_op {
	MEDGUARD_KEY_STAGE = 1,
	MEDGUARD_KEY_COMMIT = 2,
};

struct medguard_key_record {
	__u32 magic;      /* MEDGUARD_KEY_RECORD_MAGIC */
	__u32 op;         /* enum medguard_key_op */
	__u32 key_id;     /* STAGE: the policy's id for the key, not 0; verdicts name it */
	__u32 skid_keyid; /* STAGE: the last 4 bytes of a certificate's subject key id, or 0 */
	__u32 spki_size;  /* STAGE: bytes of spki[]; COMMIT: 0 */
	__u32 reserved;   /* 0 */
	__u8 spki[];
};

/* ---- Verdicts ------------------------------------------------------------ */

/* The most security.ima bytes a signature may take: header and an RSA-8192 signature. */
#define MEDGUARD_IMA_XATTR_MAX_BYTES (9 + 1024)
/* Bytes read at a time while hashing; the task can be killed between reads. */
#define MEDGUARD_HASH_CHUNK_BYTES (128 * 1024)

enum medguard_file_verdict {
	MEDGUARD_FILE_TRUSTED = 1,   /* a valid signature by a loaded key */
	MEDGUARD_FILE_UNSIGNED = 2,  /* no signature in security.ima */
	MEDGUARD_FILE_UNTRUSTED = 3, /* a signature medguard does not accept */
};

/*
 * Why: the same values as enum mg_imasig_status of the userspace verifier
 * (userspace/imasig.h), so that both say the same about a file.
 */
enum medguard_sig_status {
	MEDGUARD_SIG_VALID = 0,
	MEDGUARD_SIG_ABSENT,
	MEDGUARD_SIG_TRUNCATED,
	MEDGUARD_SIG_OVERSIZED,
	MEDGUARD_SIG_NOT_SIGNATURE,
	MEDGUARD_SIG_BAD_TYPE,
	MEDGUARD_SIG_BAD_VERSION,
	MEDGUARD_SIG_UNKNOWN_ALGO,
	MEDGUARD_SIG_REFUSED_ALGO,
	MEDGUARD_SIG_EMPTY,
	MEDGUARD_SIG_SIZE_MISMATCH,
	MEDGUARD_SIG_UNKNOWN_KEY,
	MEDGUARD_SIG_BAD_SIGNATURE,
	MEDGUARD_SIG_NSTATUS,
};

/* Verdict flags */
#define MEDGUARD_FILE_CACHED (1u << 0) /* answered from the cache, nothing was hashed */

struct medguard_file_trust {
	__u64 dev;        /* inode->i_sb->s_dev: the trust map's key */
	__u64 ino;
	__s64 ctime_sec;  /* the change time the verdict holds for */
	__u32 ctime_nsec;
	__u32 verdict;    /* enum medguard_file_verdict */
	__u32 status;     /* enum medguard_sig_status */
	__u32 key_id;     /* the loaded key that verified it; 0 unless trusted */
	__u32 sig_keyid;  /* the keyid the signature header names, when it has one */
	__u32 flags;      /* MEDGUARD_FILE_* */
	/*
	 * The content's SHA-256 when a valid signature was made over one
	 * (zeros otherwise): what a file is, whatever inode holds it.
	 */
	__u8 sha256[32];
};

/* Userspace needs the constants and structs above, not the kfuncs. */
#ifdef MEDGUARD_KSYM

struct file;

/* The module's ABI version: a cheap call that proves the module is there. */
extern __u32 medguard_kfunc_abi_version(void) MEDGUARD_KSYM;

/*
 * Shannon entropy of DATA in millibits per byte (0 .. 8000). Text stays
 * below ~5000, compressed or encrypted data above ~7500. Text over a small
 * alphabet (MEDGUARD_ENTROPY_MIN_ALPHABET to _MAX_ALPHABET symbols) is
 * also measured against that alphabet, scaled to 8 bits: base64 or hex of
 * ciphertext measures like the ciphertext. LEN is capped at
 * MEDGUARD_ENTROPY_SAMPLE_MAX; an empty buffer measures 0.
 */
extern __u32 medguard_kfunc_entropy(const __u8 *data, __u32 data__sz) MEDGUARD_KSYM;

/*
 * Sleepable programs only. Judges the regular file FILE, which must be open
 * for reading: SHA-256/384/512 of its content (as the signature says),
 * checked against the IMA digsig v2 signature in security.ima with the
 * loaded keys. Fills RESULT (result__sz must be its size) and returns 0, or
 * returns -EINVAL (no file, not a regular file, wrong size), -EBADF (not
 * open for reading), -ETXTBSY (open for writing somewhere), -EINTR (the
 * task was killed while hashing) or another -errno. Nobody can open FILE
 * for writing while it is judged. Verdicts are cached per inode.
 */
extern int medguard_kfunc_file_trust(struct file *file, struct medguard_file_trust *result,
				     __u32 result__sz) MEDGUARD_KSYM;

/*
 * Any program. Drops the cached verdict of inode (DEV, INO): call it before
 * the file can change (open for writing, truncate), because its change time
 * may not move within one clock tick. Unknown inodes are ignored.
 */
extern void medguard_kfunc_cache_forget(__u64 dev, __u64 ino) MEDGUARD_KSYM;

#endif /* MEDGUARD_KSYM */

#endif /* MEDGUARD_KFUNCS_H */
