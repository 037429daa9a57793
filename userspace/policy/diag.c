// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>

#include "medguard_limits.h"
#include "diag.h"

void mg_diag_init(struct mg_diag *diag, FILE *out)
{
	diag->out = out;
	diag->nerrors = 0;
	diag->nwarnings = 0;
	diag->full = false;
}

static void print_loc(FILE *out, const struct mg_loc *loc)
{
	if (loc->line)
		fprintf(out, "%s:%u:%u: ", loc->file, loc->line, loc->col);
	else
		fprintf(out, "%s: ", loc->file);
}

static void report(struct mg_diag *diag, bool is_error, const struct mg_loc *loc,
		   const char *fmt, va_list args)
{
	if (diag->full)
		return;
	if (diag->nerrors + diag->nwarnings >= MG_POLICY_MAX_DIAGNOSTICS) {
		/*
		 * Counted as an error: a policy whose diagnostics were cut short
		 * was not fully checked, so it must not be used.
		 */
		diag->full = true;
		diag->nerrors++;
		if (diag->out) {
			print_loc(diag->out, loc);
			fprintf(diag->out,
				"error: too many diagnostics (limit %d); fix the ones above and check again\n",
				MG_POLICY_MAX_DIAGNOSTICS);
		}
		return;
	}
	if (is_error)
		diag->nerrors++;
	else
		diag->nwarnings++;
	if (!diag->out)
		return;
	print_loc(diag->out, loc);
	fputs(is_error ? "error: " : "warning: ", diag->out);
	vfprintf(diag->out, fmt, args);
	fputc('\n', diag->out);
}

void mg_diag_error(struct mg_diag *diag, const struct mg_loc *loc, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	report(diag, true, loc, fmt, args);
	va_end(args);
}

void mg_diag_warning(struct mg_diag *diag, const struct mg_loc *loc, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	report(diag, false, loc, fmt, args);
	va_end(args);
}

char *mg_quote(char *buf, size_t size, const char *text, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t out = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		size_t need = (c >= 0x20 && c < 0x7f && c != '\\') ? 1 : 4;

		/* Keep room for "..." and the terminating NUL. */
		if (out + need + 4 > size)
			break;
		if (need == 1) {
			buf[out++] = (char)c;
		} else if (c == '\\') {
			buf[out++] = '\\';
			buf[out++] = '\\';
		} else {
			buf[out++] = '\\';
			buf[out++] = 'x';
			buf[out++] = hex[c >> 4];
			buf[out++] = hex[c & 0xf];
		}
	}
	if (i < len) {
		buf[out++] = '.';
		buf[out++] = '.';
		buf[out++] = '.';
	}
	buf[out] = '\0';
	return buf;
}
