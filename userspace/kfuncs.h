/* SPDX-License-Identifier: GPL-2.0-only */
/* Finds out whether the medguard_kfuncs module is there and answers. */
#ifndef MEDGUARD_KFUNCS_PROBE_H
#define MEDGUARD_KFUNCS_PROBE_H

#include <stdbool.h>
#include <linux/types.h>

#include "medguard_kfuncs.h"

struct mg_kfuncs_report {
	bool usable; /* the module answered with the ABI this medguard speaks */
	__u32 abi_version;
	__u32 entropy_uniform;  /* of 256 distinct bytes: 8000 */
	__u32 entropy_constant; /* of 256 equal bytes: 0 */
};

bool mg_kfuncs_module_loaded(void);

/* 0 with REPORT filled, -ENOENT without the module, else -errno. */
int mg_kfuncs_probe(struct mg_kfuncs_report *report);

#endif /* MEDGUARD_KFUNCS_PROBE_H */
