// SPDX-License-Identifier: GPL-2.0-only
/*
 * The structs that cross the kernel/user boundary, pinned down: a field
 * added on one side without the other fails the build here, not in a guest.
 */
#include <assert.h>
#include <stddef.h>
#include <linux/types.h>

#include "medguard.h"
#include "medguard_imasig_header.h"
#include "medguard_kfuncs.h"

static_assert(sizeof(struct mg_rule) == 24, "struct mg_rule layout");
static_assert(sizeof(struct mg_tree) == 8 + 24 * MG_MAX_RULES_PER_TREE, "struct mg_tree layout");
static_assert(sizeof(struct mg_object_key) == 24, "struct mg_object_key layout");
static_assert(sizeof(struct mg_object) == 16, "struct mg_object layout");
static_assert(sizeof(struct mg_program_key) == sizeof(struct mg_object_key),
	      "programs and objects share the generation-keyed layout the loader clears");
static_assert(offsetof(struct mg_program_key, generation) == offsetof(struct mg_object_key, generation),
	      "programs and objects share the generation-keyed layout the loader clears");
static_assert(sizeof(struct mg_program) == 16, "struct mg_program layout");
static_assert(sizeof(struct mg_trust_key) == 16, "struct mg_trust_key layout");
static_assert(sizeof(struct mg_unit_key) == MG_UNIT_NAME_LEN, "struct mg_unit_key layout");
static_assert((MG_UNIT_NAME_LEN & (MG_UNIT_NAME_LEN - 1)) == 0, "unit names are masked to MG_UNIT_NAME_LEN");
static_assert(sizeof(struct mg_trust) == 24, "struct mg_trust layout");
static_assert(sizeof(struct mg_generation) == 8, "struct mg_generation layout");
static_assert(sizeof(struct mg_task_label) == 40, "struct mg_task_label layout");
static_assert(sizeof(struct mg_score_key) == 16, "struct mg_score_key layout");
static_assert(sizeof(struct mg_score) == 40, "struct mg_score layout");
static_assert(sizeof(struct mg_behaviour) == 8 + 4 * MG_NSIGNALS + 4 * MG_NACTIONS + 4 + 4 * MG_MAX_EXEMPT_PROGRAMS,
	      "struct mg_behaviour layout");
static_assert(sizeof(struct mg_behaviour) % 8 == 0, "struct mg_behaviour has no tail padding");
static_assert(sizeof(struct mg_event) % 8 == 0, "struct mg_event is 8-byte aligned for the ring buffer");
static_assert(offsetof(struct mg_event, comm) == 96, "struct mg_event layout");
static_assert(sizeof(struct mg_event) == 96 + MG_COMM_LEN + MG_EVENT_PATH_DEPTH * MG_NAME_LEN,
	      "struct mg_event layout");

/* The module's ABI header ships alone (DKMS): its limits keep their names, tied here to medguard_limits.h. */
static_assert(MEDGUARD_MAX_KEYS == MG_MAX_KEYS, "the module holds every key a policy names");
static_assert(MEDGUARD_KEY_MAX_SPKI_BYTES == MG_KEY_MAX_SPKI_BYTES, "the same longest public key");
static_assert(MEDGUARD_IMA_XATTR_MAX_BYTES == MEDGUARD_IMA_DIGSIG_HEADER_BYTES + MG_IMASIG_MAX_SIG_BYTES,
	      "the same longest signature");
static_assert(MEDGUARD_ENTROPY_MAX_ALPHABET == MG_ENTROPY_MAX_ALPHABET, "the same alphabets");
static_assert(MEDGUARD_ENTROPY_SAMPLE_MAX == MG_ENTROPY_SAMPLE_MAX, "the same entropy sample");
static_assert(MEDGUARD_CACHE_MAX_ENTRIES == MG_KMOD_CACHE_MAX_ENTRIES, "the same verdict cache");
static_assert(MEDGUARD_HASH_CHUNK_BYTES == MG_KMOD_HASH_CHUNK_BYTES, "the same hashing chunk");
