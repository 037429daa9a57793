/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SHA-256 allowlists: text files of lines as sha256sum writes them.
 *
 *	# comment
 *	<64 hex digits>  /usr/bin/tool    this content, at this path only
 *	<64 hex digits>                   this content, wherever it is
 *
 * Errors read `FILE:LINE:COL: error: what; what to do`.
 */
#ifndef MEDGUARD_ALLOWLIST_H
#define MEDGUARD_ALLOWLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "trust.h"


struct mg_allowlist;

struct mg_allowlist *mg_allowlist_new(void);
void mg_allowlist_free(struct mg_allowlist *allowlist);

/* Adds every entry of the file, or none: returns 0, or -1 with one line in ERR. */
int mg_allowlist_load(struct mg_allowlist *allowlist, const char *path, char *err, size_t err_size);

/* The same for text already in memory; NAME stands for the file in errors. */
int mg_allowlist_parse(struct mg_allowlist *allowlist, const char *name, const char *text,
		       size_t size, char *err, size_t err_size);

size_t mg_allowlist_count(const struct mg_allowlist *allowlist);

/* The path of entry INDEX (< count), or NULL for content allowed anywhere. */
const char *mg_allowlist_path_at(const struct mg_allowlist *allowlist, size_t index);

/* Is content with this digest allowed at any of PATHS (the names of one file)? */
bool mg_allowlist_match(const struct mg_allowlist *allowlist, const unsigned char sha256[MG_SHA256_BYTES],
			const char *const paths[], size_t npaths);

#endif /* MEDGUARD_ALLOWLIST_H */
