/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Every size limit of medguard, kernel and userspace, in one place. */
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

/* Trust store */
#define MG_MAX_TRUST_ENTRIES 262144

/* Behaviour */
#define MG_MAX_LINEAGES 16384       /* lineages scored at once (LRU) */
#define MG_MAX_TOUCHED 65536        /* (lineage, file) pairs remembered for first-write (LRU) */
#define MG_RATE_ALLOWANCE 20        /* files a second a lineage may touch before `rate` scores */
#define MG_MAX_EXEMPT_PROGRAMS 8    /* programs one behaviour does not score (package managers) */
#define MG_MAX_BEHAVIOURS_PER_TREE 4 /* behaviour blocks watching one records tree (a power of two) */
#define MG_MAX_SAMPLED_FILES 4096   /* open files whose next write is sampled for entropy (LRU) */
#define MG_ENTROPY_MIN_WRITE 512    /* bytes: a shorter write says little about its entropy */
#define MG_ENTROPY_HIGH 7500        /* millibits a byte: compressed or encrypted data */

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

#endif /* MEDGUARD_LIMITS_H */
