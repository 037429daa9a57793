// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ring buffer is read where its map and its record live: the rest of
 * medguard sees whole events, never libbpf or a short record.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "events.h"
#include "loader_internal.h"

struct mg_events {
	struct ring_buffer *ring;
	mg_event_fn *on_event;
	void *ctx;
};

static int deliver(void *ctx, void *data, size_t size)
{
	struct mg_events *events = ctx;

	if (size >= sizeof(struct mg_event))
		events->on_event(data, events->ctx);
	return 0;
}

struct mg_events *mg_events_open(const struct mg_loader *loader, mg_event_fn *on_event, void *ctx, FILE *log)
{
	struct mg_events *events = calloc(1, sizeof(*events));

	if (events) {
		events->on_event = on_event;
		events->ctx = ctx;
		events->ring = ring_buffer__new(bpf_map__fd(loader->skel->maps.mg_events), deliver, events, NULL);
	}
	if (!events || !events->ring) {
		fprintf(log, "medguard: cannot read the event ring buffer: %s\n", strerror(errno));
		free(events);
		return NULL;
	}
	return events;
}

int mg_events_fd(const struct mg_events *events)
{
	return ring_buffer__epoll_fd(events->ring);
}

int mg_events_read(struct mg_events *events)
{
	int consumed = ring_buffer__consume(events->ring);

	return consumed < 0 ? consumed : 0;
}

void mg_events_close(struct mg_events *events)
{
	if (!events)
		return;
	ring_buffer__free(events->ring);
	free(events);
}

/* Appends TEXT to the string OUT of SIZE bytes; what does not fit is cut. */
static void append(char *out, size_t size, const char *text)
{
	size_t len = strlen(out), n = strlen(text);

	if (len + 1 >= size)
		return;
	if (n > size - len - 1)
		n = size - len - 1;
	memcpy(out + len, text, n);
	out[len + n] = '\0';
}

void mg_event_path(const struct mg_event *event, const char *root_path, char *out, size_t size)
{
	char component[MG_NAME_LEN + 1];
	__u32 npath = event->npath < MG_EVENT_PATH_DEPTH ? event->npath : MG_EVENT_PATH_DEPTH;
	__u32 i;

	out[0] = '\0';
	if (root_path)
		append(out, size, strcmp(root_path, "/") ? root_path : "");
	else if (npath == MG_EVENT_PATH_DEPTH)
		append(out, size, "...");
	/* The kernel writes the components from the object up to the root. */
	for (i = npath; i > 0; i--) {
		memcpy(component, event->path[i - 1], MG_NAME_LEN);
		component[MG_NAME_LEN] = '\0';
		append(out, size, "/");
		append(out, size, component);
	}
	if (!out[0])
		append(out, size, root_path ? root_path : "/");
}
