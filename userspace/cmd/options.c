// SPDX-License-Identifier: GPL-2.0-only
/* What the commands share for their arguments and their errors. */
#include <errno.h>
#include <getopt.h>
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

int mg_next_option(int argc, char **argv, const char *shortopts, const struct option *options, const char *usage,
		   const char *what, const char *unknown)
{
	int option;

	opterr = 0;
	option = getopt_long(argc, argv, shortopts, options, NULL);
	if (option == ':') {
		for (const struct option *o = options; o->name; o++)
			if (o->val == optopt) {
				fprintf(stderr, "medguard: --%s needs a value\n", o->name);
				return -2;
			}
		fprintf(stderr, "medguard: -%c needs a value\n", optopt);
		return -2;
	}
	if (option == '?') {
		char short_option[3] = { '-', (char)optopt, '\0' };

		usage_error(usage, "%s: %s %s", what, unknown, optopt ? short_option : argv[optind - 1]);
		return -2;
	}
	return option;
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
