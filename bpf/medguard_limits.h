/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Every size limit of medguard, kernel and userspace, in one place. The
 * module's ABI header (kmod/medguard_kfuncs.h) ships alone in the DKMS
 * package and keeps its MEDGUARD_* names for the limits it shares;
 * userspace/kernel/layout.c asserts that each equals its MG_* here.
 */
#ifndef MEDGUARD_LIMITS_H
#define MEDGUARD_LIMITS_H

/* Policy shape */
#define MG_MAX_TREES 64            /* records blocks in one policy */
#define MG_MAX_RULES_PER_TREE 32   /* rules in one `on TREE { }` block */
#define MG_MAX_PROGRAMS 256        /* program declarations */
#define MG_MAX_OBJECTS 4096        /* records roots and canary files, resolved to inodes */
#define MG_MAX_PROGRAM_EXES 1024   /* exe files named by programs */
#define MG_MAX_KEYS 32             /* trust keys */
#define MG_MAX_LAUNCHERS 8         /* launcher files, known to the kernel by their SHA-256 */
#define MG_MAX_OWN_MAPS 32         /* maps of the main BPF object, whose fds are the daemon's alone */
#define MG_GENERATIONS 2           /* live and next policy */

/* Keys and signatures */
#define MG_KEY_MAX_FILE_BYTES (64u * 1024) /* a key or certificate file, far above any public key */
#define MG_KEY_MAX_SPKI_BYTES 2048   /* DER public key handed to the module: RSA-4096 takes ~550 */
#define MG_IMASIG_MAX_SIG_BYTES 1024 /* an RSA-8192 signature */

/* Self-protection */
#define MG_UNLOCK_SECONDS 600    /* a signed unlock lets root change medguard's own files this long, if no reload ends it sooner */
#define MG_CHALLENGE_SECONDS 300 /* the stop and unlock challenge rotates this often (a request is signed over it) */

/* Service units */
#define MG_UNIT_NAME_LEN 128     /* a unit file's name with its NUL (a power of two); longer ones are never trusted */
#define MG_MAX_UNITS 8192        /* unit files whose units are trusted, and as many revoked */
#define MG_SYSTEMCTL_MAX_OUTPUT_BYTES (16u << 20) /* what `systemctl show` may say about the loaded units */
#define MG_SYSTEMCTL_MAX_MS 30000 /* how long the daemon waits for it: its event loop waits too */

#define MG_MAX_CGROUP_DEPTH 32   /* cgroups above the daemon's looked at for cgroup.kill and cgroup.freeze */

/* Trust store */
#define MG_MAX_TRUST_ENTRIES 262144
#define MG_TRUST_SCAN_MAX_DEPTH 16   /* directories below a `trust scan` root; deeper ones are skipped, and said so */
#define MG_TRUST_MAX_DIGESTS 3       /* digests of one file made in one read (SHA-256, -384, -512) */
#define MG_TRUST_LOOK_KEPT_BYTES 1152 /* what one source keeps of a file between looking and judging: a whole security.ima value */
#define MG_DIGEST_CACHE_MAX_ENTRIES (1u << 21) /* files whose digest is kept across restarts */
#define MG_DIGEST_MAX_BYTES 64       /* the longest digest the cache keeps (SHA-512) */
#define MG_ALLOWLIST_MAX_FILE_BYTES (64u << 20) /* an allowlist file read whole */
#define MG_ALLOWLIST_MAX_LINE_BYTES 4096
#define MG_HASH_CHUNK_BYTES (256 * 1024) /* bytes userspace reads at a time while hashing a file */
#define MG_MAX_HASH_THREADS 4           /* threads that hash package files at a cold start */

/* The module (kmod/medguard_kfuncs.h names them MEDGUARD_*) */
#define MG_KMOD_CACHE_MAX_ENTRIES 4096 /* verdicts it keeps by inode; the oldest go first */
#define MG_KMOD_HASH_CHUNK_BYTES (128 * 1024) /* read at a time while hashing: the task can be killed between */

/* Behaviour */
#define MG_MAX_LINEAGES 16384       /* lineages scored at once (LRU) */
#define MG_MAX_TOUCHED 65536        /* (lineage, file) pairs remembered for first-write (LRU) */
#define MG_RATE_ALLOWANCE 20        /* files a second a lineage may touch before `rate` scores */
#define MG_MAX_EXEMPT_PROGRAMS 8    /* programs one behaviour does not score (package managers) */
#define MG_MAX_BEHAVIOURS_PER_TREE 4 /* behaviour blocks watching one records tree (a power of two) */
#define MG_MAX_SAMPLED_FILES 4096   /* open files whose next write is sampled for entropy (LRU) */
#define MG_ENTROPY_MIN_WRITE 512    /* bytes: a shorter write says little about its entropy */
#define MG_ENTROPY_HIGH 7500        /* millibits a byte: compressed or encrypted data */
#define MG_ENTROPY_SAMPLE_MAX 4096  /* bytes of a write the module measures */
#define MG_ENTROPY_MAX_ALPHABET 70  /* text over up to this many symbols (base64 and a newline: 65) is judged by them too */

/* Rules */
#define MG_MAX_GROUPS 32            /* supplementary groups a `group` rule looks at */

/* Kernel walks */
/*
 * d_parent steps looking for a protected ancestor (bpf_loop). A file deeper
 * than this on a filesystem that holds records is refused to everyone:
 * the walk never fails open.
 */
#define MG_WALK_DEPTH 4096
#define MG_MAX_OPEN_FILES 65536    /* open files of protected trees, remembered with their opener (LRU) */

/* Events */
#define MG_COMM_LEN 16
#define MG_NAME_LEN 64             /* one path component in an event, truncated */
#define MG_EVENT_PATH_DEPTH 12     /* components of an event path below its records root */
#define MG_RINGBUF_BYTES (1u << 22)

/* Policy language */
#define MG_POLICY_MAX_FILE_BYTES (1u << 20)
#define MG_POLICY_MAX_TOKEN_LEN 4096
#define MG_POLICY_MAX_NAME_LEN 63
#define MG_POLICY_MAX_INCLUDE_DEPTH 8
#define MG_POLICY_MAX_NESTING 32
#define MG_POLICY_MAX_DIAGNOSTICS 100
#define MG_POLICY_MAX_KEY_BYTES (64 * 1024) /* a key file the policy names, far above any public key or certificate */
#define MG_POLICY_MAX_WINDOW_NS (24ull * 3600 * 1000000000) /* the longest behaviour window */
#define MG_POLICY_RULE_TEXT_MAX 256 /* rule text kept for `policy show` and events; a longer rule is cut */
#define MG_QUOTE_MAX 256            /* a quoted excerpt of user text in a diagnostic */

/* System files */
#define MG_MOUNTINFO_LINE_BYTES 4096 /* a line of /proc/self/mountinfo, and so any path field in it */

#endif /* MEDGUARD_LIMITS_H */
