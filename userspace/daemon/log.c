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

void say_progress(struct daemon *daemon, const char *fmt, ...)
{
	char what[512];
	va_list args;

	va_start(args, fmt);
	vsnprintf(what, sizeof(what), fmt, args);
	va_end(args);
	fprintf(stderr, "medguard: %s: %s\n", daemon->started ? "reload" : "starting", what);
	fflush(stderr);
	/* Once started, the status line says what is enforced; a reload says so itself. */
	if (!daemon->started)
		service_phase(what);
}
