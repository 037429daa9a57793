// SPDX-License-Identifier: GPL-2.0-only
/* What the commands share for their arguments and their errors. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cmd.h"
#include "trust/trust.h"

int string_list_add(struct string_list *list, const char *item)
{
	const char **items = realloc(list->items, (list->count + 1) * sizeof(*items));

	if (!items) {
		fputs("medguard: out of memory\n", stderr);
		return -1;
	}
	items[list->count++] = item;
	list->items = items;
	return 0;
}

/*
 * Matches argv[*i] against "--NAME VALUE" or "--NAME=VALUE". Returns 1 with
 * *VALUE set, 0 if it is another argument, -1 if the value is missing.
 */
int option_value(int argc, char **argv, int *i, const char *name, const char **value)
{
	size_t len = strlen(name);

	if (strncmp(argv[*i], name, len) != 0)
		return 0;
	if (argv[*i][len] == '=') {
		*value = argv[*i] + len + 1;
		return 1;
	}
	if (argv[*i][len] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "medguard: %s needs a value\n", name);
		return -1;
	}
	*value = argv[++*i];
	return 1;
}

bool is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

__attribute__((format(printf, 2, 3)))
int usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fputs("medguard: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs(usage, stderr);
	return EXIT_USAGE;
}

const char *open_error(int error)
{
	return error == -EINVAL ? "not a regular file" :
	       error == -ESTALE ? "it was replaced while it was opened; try again" : strerror(-error);
}
