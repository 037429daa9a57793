/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The enforcement core's lifecycle: opened and loaded, attached and pinned,
 * then closed or left pinned for the next start.
 */
#ifndef MEDGUARD_LOADER_H
#define MEDGUARD_LOADER_H

#include <stdbool.h>
#include <stdio.h>

/* Where `medguard run` pins its BPF objects. */
#define MG_PIN_DIR "/sys/fs/bpf/medguard"

struct mg_loader;

struct mg_loader_options {
	bool pin;  /* pin maps and links under MG_PIN_DIR */
	FILE *log; /* one line per degraded feature, for the operator */
	/*
	 * NULL-terminated: files and directories of the daemon's own (its
	 * executable, the trust cache) that only it may change while guarded,
	 * with the policy's files, keys, allowlists and the pins.
	 */
	const char *const *anchors;
};

/*
 * Opens and loads the BPF programs, attached to nothing yet: the maps can
 * be filled first. NULL on failure, said in one line on LOG.
 */
struct mg_loader *mg_loader_open(const struct mg_loader_options *options);

/* Attaches the programs (and pins them with the maps); 0, or -1 said in one line on LOG. */
int mg_loader_attach(struct mg_loader *loader, FILE *log);

/* Detaches everything and removes the pins. */
void mg_loader_close(struct mg_loader *loader);

/*
 * Frees LOADER but leaves what it pinned on the hooks: the policy stays in
 * force with no daemon, and the next start takes the pins over. Without
 * pins, the same as mg_loader_close().
 */
void mg_loader_leave(struct mg_loader *loader);

#endif /* MEDGUARD_LOADER_H */
