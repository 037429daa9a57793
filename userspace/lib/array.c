// SPDX-License-Identifier: GPL-2.0-only
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/lib.h"

bool mg_array_grow(void **items, size_t *cap, size_t elem_size)
{
	size_t new_cap = *cap ? *cap * 2 : 8;
	void *grown = reallocarray(*items, new_cap, elem_size);

	if (!grown)
		return false;
	memset((char *)grown + *cap * elem_size, 0, (new_cap - *cap) * elem_size);
	*items = grown;
	*cap = new_cap;
	return true;
}

/*
 * Open addressing over indexes into PATHS; a slot holds index + 1, 0 is
 * empty. The table is kept at most half full, so probes stay short.
 */
struct mg_path_set {
	char **paths;
	size_t npaths;
	size_t paths_capacity;
	size_t *slots;
	size_t nslots; /* a power of two */
};

#define PATH_SET_INITIAL_SLOTS 64

/* FNV-1a */
static size_t hash_path(const char *path)
{
	uint64_t hash = 0xcbf29ce484222325ULL;

	for (; *path; path++)
		hash = (hash ^ (unsigned char)*path) * 0x100000001b3ULL;
	return (size_t)hash;
}

/* The slot holding PATH, or the empty slot where it would go. */
static size_t *find_slot(size_t *slots, size_t nslots, char *const *paths, const char *path)
{
	size_t i = hash_path(path) & (nslots - 1);

	while (slots[i] && strcmp(paths[slots[i] - 1], path))
		i = (i + 1) & (nslots - 1);
	return &slots[i];
}

static int grow_slots(struct mg_path_set *set)
{
	size_t nslots = set->nslots ? set->nslots * 2 : PATH_SET_INITIAL_SLOTS;
	size_t *slots = calloc(nslots, sizeof(*slots));
	size_t i;

	if (!slots)
		return -1;
	for (i = 0; i < set->npaths; i++)
		*find_slot(slots, nslots, set->paths, set->paths[i]) = i + 1;
	free(set->slots);
	set->slots = slots;
	set->nslots = nslots;
	return 0;
}

struct mg_path_set *mg_path_set_new(void)
{
	struct mg_path_set *set = calloc(1, sizeof(*set));

	if (set && grow_slots(set)) {
		free(set);
		return NULL;
	}
	return set;
}

void mg_path_set_free(struct mg_path_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->npaths; i++)
		free(set->paths[i]);
	free(set->paths);
	free(set->slots);
	free(set);
}

int mg_path_set_add(struct mg_path_set *set, const char *path)
{
	size_t *slot;
	char *copy;

	if (mg_path_set_contains(set, path))
		return 0;
	if ((set->npaths + 1) * 2 > set->nslots && grow_slots(set))
		return -1;
	if (!MG_ARRAY_RESERVE(set->paths, set->npaths, set->paths_capacity))
		return -1;
	copy = strdup(path);
	if (!copy)
		return -1;
	slot = find_slot(set->slots, set->nslots, set->paths, path);
	set->paths[set->npaths++] = copy;
	*slot = set->npaths;
	return 1;
}

bool mg_path_set_contains(const struct mg_path_set *set, const char *path)
{
	return *find_slot(set->slots, set->nslots, set->paths, path) != 0;
}

size_t mg_path_set_count(const struct mg_path_set *set)
{
	return set->npaths;
}

const char *mg_path_set_at(const struct mg_path_set *set, size_t index)
{
	return index < set->npaths ? set->paths[index] : NULL;
}
