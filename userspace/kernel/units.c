// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemon's side of bpf/medguard_units.bpf.h: the switch, the scan's
 * epochs and the trusted units' map.
 */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "units.h"
#include "loader_internal.h"

void mg_loader_units_judge(struct mg_loader *loader)
{
	__atomic_store_n(&loader->skel->bss->service_units, 1, __ATOMIC_SEQ_CST);
}

__u32 mg_loader_units_scan_begin(struct mg_loader *loader)
{
	return __atomic_add_fetch(&loader->skel->bss->units_epoch, 1, __ATOMIC_SEQ_CST);
}

int mg_loader_units_trust(struct mg_loader *loader, const char *name, __u32 epoch)
{
	struct mg_unit_key key = { 0 };

	if (strlen(name) >= sizeof(key.name))
		return -ENAMETOOLONG;
	memcpy(key.name, name, strlen(name));
	if (bpf_map_update_elem(bpf_map__fd(loader->skel->maps.mg_units), &key, &epoch, BPF_ANY))
		return -errno;
	return 0;
}

void mg_loader_units_scan_end(struct mg_loader *loader, __u32 epoch)
{
	int fd = bpf_map__fd(loader->skel->maps.mg_units_revoked);
	struct mg_unit_key key, next;
	__u32 revoked_at;
	bool more;

	more = !bpf_map_get_next_key(fd, NULL, &next);
	while (more) {
		key = next;
		more = !bpf_map_get_next_key(fd, &key, &next);
		if (!bpf_map_lookup_elem(fd, &key, &revoked_at) && revoked_at < epoch)
			bpf_map_delete_elem(fd, &key);
	}
}

void mg_loader_units_forget(struct mg_loader *loader)
{
	__u32 epoch = __atomic_add_fetch(&loader->skel->bss->units_epoch, 1, __ATOMIC_SEQ_CST);

	__atomic_store_n(&loader->skel->bss->units_floor, epoch, __ATOMIC_SEQ_CST);
}

bool mg_unit_key_of(const char *unit, struct mg_unit_key *key)
{
	const char *at = strchr(unit, '@'), *dot = strrchr(unit, '.');
	size_t len = strlen(unit);

	memset(key, 0, sizeof(*key));
	if (!len || len >= sizeof(key->name))
		return false;
	if (!at) {
		memcpy(key->name, unit, len);
		return true;
	}
	/* As the kernel's unit_of(): a type of at most 15 bytes with its dot. */
	if (!dot || dot < at || strlen(dot) >= 16)
		return false;
	memcpy(key->name, unit, (size_t)(at - unit) + 1);
	memcpy(key->name + (at - unit) + 1, dot, strlen(dot));
	return true;
}

bool mg_loader_unit_trusted(const struct mg_loader *loader, const char *unit)
{
	__u32 trusted_at, revoked_at;
	struct mg_unit_key key;

	if (!mg_unit_key_of(unit, &key) || !strcmp(key.name, "user@.service") ||
	    bpf_map_lookup_elem(bpf_map__fd(loader->skel->maps.mg_units), &key, &trusted_at) ||
	    trusted_at <= __atomic_load_n(&loader->skel->bss->units_floor, __ATOMIC_SEQ_CST))
		return false;
	return bpf_map_lookup_elem(bpf_map__fd(loader->skel->maps.mg_units_revoked), &key, &revoked_at) ||
	       revoked_at < trusted_at;
}
