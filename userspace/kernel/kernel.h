/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * userspace/kernel/: what talks to the kernel. A checked policy and the
 * trust store's verdicts become BPF maps (loader), the module's kfuncs are
 * probed and fed keys (kfuncs), the entropy sampler is attached (entropy),
 * and the ring buffer's events are decoded (events). The only header the
 * daemon and the commands include from here.
 */
#ifndef MEDGUARD_KERNEL_H
#define MEDGUARD_KERNEL_H

#include "entropy.h"
#include "events.h"
#include "kfuncs.h"
#include "loader.h"

#endif /* MEDGUARD_KERNEL_H */
