/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The map of trusted files, defined once for the two objects that use it:
 * the enforcement core (bpf/medguard.bpf.c) owns it, and the loader hands
 * the same map to the exec-trust programs (bpf/medguard_kfuncs.bpf.c) with
 * bpf_map__reuse_fd, which requires the same type, key, value and size.
 */
#ifndef MEDGUARD_TRUST_BPF_H
#define MEDGUARD_TRUST_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "medguard.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MG_MAX_TRUST_ENTRIES);
	__type(key, struct mg_trust_key);
	__type(value, struct mg_trust);
} mg_trust SEC(".maps");

#endif /* MEDGUARD_TRUST_BPF_H */
