/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The core's ring buffer of struct mg_event: read here, handed over as
 * whole events, and the one field that needs decoding, the object's path.
 */
#ifndef MEDGUARD_EVENTS_H
#define MEDGUARD_EVENTS_H

#include <stddef.h>
#include <stdio.h>

#include "loader.h"
#include "medguard.h"

struct mg_events;

/* Called once for each event, in the order the kernel wrote them. */
typedef void mg_event_fn(const struct mg_event *event, void *ctx);

/* Reads LOADER's events into ON_EVENT (with CTX); NULL after one line on LOG. */
struct mg_events *mg_events_open(const struct mg_loader *loader, mg_event_fn *on_event, void *ctx, FILE *log);

/* A descriptor that polls readable when events wait. */
int mg_events_fd(const struct mg_events *events);

/* Hands every waiting event to the callback; 0, or -errno when the ring buffer cannot be read. */
int mg_events_read(struct mg_events *events);

/* NULL is fine. */
void mg_events_close(struct mg_events *events);

/* The object path of EVENT: root path + components, or the components alone. */
void mg_event_path(const struct mg_event *event, const char *root_path, char *out, size_t size);

#endif /* MEDGUARD_EVENTS_H */
