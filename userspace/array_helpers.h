/* SPDX-License-Identifier: GPL-2.0-only */
/* Growable arrays and a set of paths, for the trust store and the daemon. */
#ifndef MEDGUARD_ARRAY_HELPERS_H
#define MEDGUARD_ARRAY_HELPERS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Makes room for one more element in a growable array, doubling it (new
 * elements are zeroed). False when out of memory: the array is unchanged.
 */
bool mg_array_grow(void **items, size_t *cap, size_t elem_size);

/* Room for element N of ITEMS, which holds CAP: true, or false when out of memory. */
#define MG_ARRAY_RESERVE(items, n, cap) \
	((n) < (cap) || mg_array_grow((void **)&(items), &(cap), sizeof(*(items))))

/* Distinct paths in the order they were added, found by hash. */
struct mg_path_set;

struct mg_path_set *mg_path_set_new(void);
void mg_path_set_free(struct mg_path_set *set);
/* 1 when PATH was added, 0 when it was there already, -1 when out of memory. */
int mg_path_set_add(struct mg_path_set *set, const char *path);
bool mg_path_set_contains(const struct mg_path_set *set, const char *path);
size_t mg_path_set_count(const struct mg_path_set *set);
const char *mg_path_set_at(const struct mg_path_set *set, size_t index);

#endif
