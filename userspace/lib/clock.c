// SPDX-License-Identifier: GPL-2.0-only
#include <time.h>

#include "lib.h"

long long mg_ms_since(const struct timespec *then)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - then->tv_sec) * 1000LL + (now.tv_nsec - then->tv_nsec) / 1000000;
}
