// SPDX-License-Identifier: GPL-2.0-only
/* An unsigned library for LD_PRELOAD: loading it is what the test is about. */
#include <stdio.h>

__attribute__((constructor)) static void mg_preload_loaded(void)
{
	fputs("mg_preload: loaded\n", stderr);
}
