/* SPDX-License-Identifier: GPL-2.0-only */
/* Growable arrays and a set of paths, for the trust store and the daemon. */
#ifndef MEDGUARD_ARRAY_HELPERS_H
#define MEDGUARD_ARRAY_HELPERS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Room for element COUNT in ARRAY of *CAPACITY elements of ELEMENT_SIZE
 * bytes, doubling from INITIAL. Returns the array to use from now on (and
 * updates *CAPACITY), or NULL when out of memory: then ARRAY and *CAPACITY
 * are untouched and still valid.
 */
void *mg_array_reserve(void *array, size_t *capacity, size_t count, size_t element_size, size_t initial);

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
