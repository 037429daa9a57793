// SPDX-License-Identifier: GPL-2.0-only
/* What the daemon says about itself: JSON lines among the events, and syslog. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "internal.h"

/* One line about the daemon itself, in the same stream as the events. */
void say(struct daemon *daemon, const char *what, const char *detail)
{
	char escaped[PATH_MAX * 6];

	mg_json_escape(detail, escaped, sizeof(escaped));
	fprintf(daemon->out, "{\"event\":\"%s\",\"detail\":\"%s\"}\n", what, escaped);
	fflush(daemon->out);
	if (daemon->syslog)
		syslog(LOG_NOTICE, "%s: %s", what, detail);
}

void progress(struct daemon *daemon, const char *fmt, ...)
{
	va_list args;

	fprintf(stderr, "medguard: %s: ", daemon->started ? "reload" : "starting");
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fputc('\n', stderr);
	fflush(stderr);
}
