/* SPDX-License-Identifier: GPL-2.0-only */
/* Events from the kernel, as an operator reads them: JSON lines and syslog. */
#ifndef MEDGUARD_EVENT_FORMAT_H
#define MEDGUARD_EVENT_FORMAT_H

#include <stddef.h>

#include "medguard.h"
#include "policy/policy.h"

struct mg_event_names {
	const struct mg_policy *policy;
	const char *root_path; /* the records root where event->path stops, or NULL */
	const char *exe;       /* the acting process's executable, or NULL */
	__s64 realtime_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

/* TEXT as the inside of a JSON string, truncated to SIZE - 1. */
void mg_json_escape(const char *text, char *out, size_t size);

/* One JSON object on one line, newline included. Returns its length, truncated to SIZE - 1. */
size_t mg_event_to_json(const struct mg_event *event, const struct mg_event_names *names, char *out,
			size_t size);

/* The same event as one syslog line, without the JSON. */
size_t mg_event_to_text(const struct mg_event *event, const struct mg_event_names *names, char *out,
			size_t size);

#endif /* MEDGUARD_EVENT_FORMAT_H */
