/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * userspace/kernel/: what talks to the kernel. The core is loaded, attached
 * and pinned (loader); a checked policy becomes map generations
 * (policy_maps); the trust store's verdicts and the tasks' labels go into
 * the core's other maps (runtime_maps), the trusted service units too
 * (units); the programs learn what guards the
 * daemon and its own files (guard); the module's kfuncs are probed and fed
 * keys (kfuncs), the entropy sampler is attached (entropy), and the ring
 * buffer's events are read (events). The only header the daemon and the
 * commands include from here.
 */
#ifndef MEDGUARD_KERNEL_H
#define MEDGUARD_KERNEL_H

#include "entropy.h"
#include "events.h"
#include "guard.h"
#include "kfuncs.h"
#include "loader.h"
#include "policy_maps.h"
#include "runtime_maps.h"
#include "units.h"

#endif /* MEDGUARD_KERNEL_H */
