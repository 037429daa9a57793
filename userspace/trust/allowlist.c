// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allowlist.h"
#include "lib/lib.h"
#include "medguard_limits.h"

#define MAKE_LINES "make lines with 'medguard trust hash FILE' or 'sha256sum FILE'"

struct allowlist_entry {
	unsigned char sha256[MG_SHA256_BYTES];
	char *path; /* NULL: the content is allowed anywhere */
};

struct mg_allowlist {
	struct allowlist_entry *entries;
	size_t nentries;
	size_t capacity;
};

struct mg_allowlist *mg_allowlist_new(void)
{
	return calloc(1, sizeof(struct mg_allowlist));
}

static void truncate_entries(struct mg_allowlist *allowlist, size_t nentries)
{
	while (allowlist->nentries > nentries)
		free(allowlist->entries[--allowlist->nentries].path);
}

void mg_allowlist_free(struct mg_allowlist *allowlist)
{
	if (!allowlist)
		return;
	truncate_entries(allowlist, 0);
	free(allowlist->entries);
	free(allowlist);
}

size_t mg_allowlist_count(const struct mg_allowlist *allowlist)
{
	return allowlist->nentries;
}

const char *mg_allowlist_path_at(const struct mg_allowlist *allowlist, size_t index)
{
	return index < allowlist->nentries ? allowlist->entries[index].path : NULL;
}

static int compare_entries(const void *a, const void *b)
{
	const struct allowlist_entry *x = a, *y = b;
	int order = memcmp(x->sha256, y->sha256, MG_SHA256_BYTES);

	if (order)
		return order;
	if (!x->path || !y->path)
		return !!x->path - !!y->path;
	return strcmp(x->path, y->path);
}

__attribute__((format(printf, 6, 7)))
static int line_error(char *err, size_t err_size, const char *name, size_t line, size_t col,
		      const char *fmt, ...)
{
	int used = snprintf(err, err_size, "%s:%zu:%zu: error: ", name, line, col);
	va_list ap;

	if (used >= 0 && (size_t)used < err_size) {
		va_start(ap, fmt);
		vsnprintf(err + used, err_size - used, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int add_entry(struct mg_allowlist *allowlist, const unsigned char *sha256,
		     const char *path, size_t path_size)
{
	struct allowlist_entry *entry;

	if (!MG_ARRAY_RESERVE(allowlist->entries, allowlist->nentries, allowlist->capacity))
		return -1;
	entry = &allowlist->entries[allowlist->nentries];
	memcpy(entry->sha256, sha256, MG_SHA256_BYTES);
	entry->path = NULL;
	if (path) {
		entry->path = strndup(path, path_size);
		if (!entry->path)
			return -1;
	}
	allowlist->nentries++;
	return 0;
}

/* One line without its newline; returns 0 or -1 with ERR set. */
static int parse_line(struct mg_allowlist *allowlist, const char *name, size_t lineno,
		      const char *line, size_t size, char *err, size_t err_size)
{
	unsigned char sha256[MG_SHA256_BYTES];
	const char *cr = memchr(line, '\r', size);
	size_t ndigits = 0, pos = 0;

	if (memchr(line, '\0', size))
		return line_error(err, err_size, name, lineno, (const char *)memchr(line, '\0', size) - line + 1,
				  "a NUL byte; an allowlist is text, one '<sha256>  <path>' a line");
	if (size > MG_ALLOWLIST_MAX_LINE_BYTES)
		return line_error(err, err_size, name, lineno, MG_ALLOWLIST_MAX_LINE_BYTES + 1,
				  "line longer than %d bytes; %s", MG_ALLOWLIST_MAX_LINE_BYTES, MAKE_LINES);
	if (cr)
		return line_error(err, err_size, name, lineno, cr - line + 1,
				  "a carriage return; convert the file with 'dos2unix'");
	while (pos < size && (line[pos] == ' ' || line[pos] == '\t'))
		pos++;
	if (pos == size || line[pos] == '#')
		return 0;
	if (line[pos] == '\\')
		return line_error(err, err_size, name, lineno, pos + 1,
				  "escaped file names are not supported; rename the file to one without backslashes or newlines");

	for (; pos + ndigits < size && mg_hex_value(line[pos + ndigits]) >= 0; ndigits++)
		if (ndigits < 2 * MG_SHA256_BYTES && ndigits % 2)
			sha256[ndigits / 2] = mg_hex_value(line[pos + ndigits - 1]) << 4 |
					      mg_hex_value(line[pos + ndigits]);
	if (ndigits > 2 * MG_SHA256_BYTES)
		return line_error(err, err_size, name, lineno, pos + 1,
				  "%zu hex digits, but a SHA-256 digest has 64; %s", ndigits, MAKE_LINES);
	if (ndigits < 2 * MG_SHA256_BYTES && pos + ndigits < size &&
	    line[pos + ndigits] != ' ' && line[pos + ndigits] != '\t')
		return line_error(err, err_size, name, lineno, pos + ndigits + 1,
				  "'%c' is not a hex digit; %s", line[pos + ndigits], MAKE_LINES);
	if (ndigits < 2 * MG_SHA256_BYTES)
		return line_error(err, err_size, name, lineno, pos + 1,
				  "%zu hex digits, but a SHA-256 digest has 64; %s", ndigits, MAKE_LINES);
	pos += ndigits;

	/* sha256sum separates with two spaces, or " *" in binary mode */
	if (pos < size) {
		size_t separator = pos;

		while (pos < size && (line[pos] == ' ' || line[pos] == '\t'))
			pos++;
		if (pos < size && line[pos] == '*' && pos > separator)
			pos++;
		if (pos == separator)
			return line_error(err, err_size, name, lineno, pos + 1,
					  "expected two spaces and a path after the digest; %s", MAKE_LINES);
	}
	if (pos < size && line[pos] != '/')
		return line_error(err, err_size, name, lineno, pos + 1,
				  "the path must be absolute, as '/usr/bin/tool'; write it from the root directory");
	if (allowlist->nentries >= MG_MAX_TRUST_ENTRIES)
		return line_error(err, err_size, name, lineno, 1,
				  "more than %d entries in all allowlists; trust programs by signature instead",
				  MG_MAX_TRUST_ENTRIES);
	if (add_entry(allowlist, sha256, pos < size ? line + pos : NULL, size - pos))
		return line_error(err, err_size, name, lineno, 1, "out of memory");
	return 0;
}

int mg_allowlist_parse(struct mg_allowlist *allowlist, const char *name, const char *text,
		       size_t size, char *err, size_t err_size)
{
	size_t nentries_before = allowlist->nentries;
	size_t lineno = 0, start = 0;

	while (start < size) {
		const char *newline = memchr(text + start, '\n', size - start);
		size_t end = newline ? (size_t)(newline - text) : size;

		if (parse_line(allowlist, name, ++lineno, text + start, end - start, err, err_size)) {
			truncate_entries(allowlist, nentries_before);
			return -1;
		}
		start = end + 1;
	}
	if (allowlist->nentries > 1)
		qsort(allowlist->entries, allowlist->nentries, sizeof(*allowlist->entries), compare_entries);
	return 0;
}

int mg_allowlist_load(struct mg_allowlist *allowlist, const char *path, char *err, size_t err_size)
{
	char *text = NULL;
	size_t used = 0;
	int ret = -1;
	int error;

	error = mg_read_file(path, MG_ALLOWLIST_MAX_FILE_BYTES, &text, &used);
	if (error) {
		snprintf(err, err_size, "%s: error: cannot read allowlist: %s; check its path", path,
			 strerror(-error));
		goto cleanup;
	}
	if (used > MG_ALLOWLIST_MAX_FILE_BYTES) {
		snprintf(err, err_size, "%s: error: larger than %u MiB; split it into several allowlists",
			 path, MG_ALLOWLIST_MAX_FILE_BYTES >> 20);
		goto cleanup;
	}
	ret = mg_allowlist_parse(allowlist, path, text, used, err, err_size);
cleanup:
	free(text);
	return ret;
}

bool mg_allowlist_match(const struct mg_allowlist *allowlist, const unsigned char sha256[MG_SHA256_BYTES],
			const char *const paths[], size_t npaths)
{
	size_t low = 0, high = allowlist->nentries;

	while (low < high) {
		size_t mid = low + (high - low) / 2;

		if (memcmp(allowlist->entries[mid].sha256, sha256, MG_SHA256_BYTES) < 0)
			low = mid + 1;
		else
			high = mid;
	}
	for (size_t i = low; i < allowlist->nentries; i++) {
		const struct allowlist_entry *entry = &allowlist->entries[i];

		if (memcmp(entry->sha256, sha256, MG_SHA256_BYTES) != 0)
			break;
		if (!entry->path)
			return true;
		for (size_t p = 0; p < npaths; p++)
			if (paths[p] && strcmp(entry->path, paths[p]) == 0)
				return true;
	}
	return false;
}
