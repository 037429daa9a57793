/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Service units (bpf/medguard_units.bpf.h): once judged, a process systemd
 * forks is trusted at its exec only if its unit is. The kernel follows
 * every unit PID 1 loads from then on; the daemon tells it about the units
 * loaded before.
 */
#ifndef MEDGUARD_UNITS_H
#define MEDGUARD_UNITS_H

#include <stdbool.h>

#include "loader.h"
#include "medguard.h"

/* From now on what PID 1 starts is judged by its unit. */
void mg_loader_units_judge(struct mg_loader *loader);

/*
 * A scan of the units systemd has loaded begins: what it trusts carries
 * the epoch returned, and a revocation the kernel notes from then on
 * outweighs it.
 */
__u32 mg_loader_units_scan_begin(struct mg_loader *loader);

/* Trusts the unit loaded from the unit file named NAME; 0 or -errno. */
int mg_loader_units_trust(struct mg_loader *loader, const char *name, __u32 epoch);

/* The scan begun at EPOCH is over: the revocations it outdated are forgotten. */
void mg_loader_units_scan_end(struct mg_loader *loader, __u32 epoch);

/* No unit trusted until now counts any more (a reload: the trust sources changed). */
void mg_loader_units_forget(struct mg_loader *loader);

/* The key the kernel knows the unit named UNIT by (its template's for an instance); false if none. */
bool mg_unit_key_of(const char *unit, struct mg_unit_key *key);

/* Whether the kernel trusts unit UNIT (a cgroup's name) now. */
bool mg_loader_unit_trusted(const struct mg_loader *loader, const char *unit);

#endif /* MEDGUARD_UNITS_H */
