// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "kfuncs.h"
#include "medguard_kfuncs.skel.h"

bool mg_kfuncs_module_loaded(void)
{
	return access("/sys/module/medguard_kfuncs", F_OK) == 0;
}

/*
 * Loads the kfunc programs, makes this process open a file once so that the
 * probe program runs, and reads back what the kfuncs answered.
 */
int mg_kfuncs_probe(struct mg_kfuncs_report *report)
{
	struct medguard_kfuncs *skel;
	int err, fd;

	memset(report, 0, sizeof(*report));
	if (!mg_kfuncs_module_loaded())
		return -ENOENT;
	skel = medguard_kfuncs__open();
	if (!skel)
		return -errno;
	skel->rodata->probe_tgid = getpid();
	memset(skel->bss->uniform_sample, 0, sizeof(skel->bss->uniform_sample));
	for (unsigned int i = 0; i < sizeof(skel->bss->uniform_sample); i++)
		skel->bss->uniform_sample[i] = (__u8)i;
	memset(skel->bss->constant_sample, 'A', sizeof(skel->bss->constant_sample));
	err = medguard_kfuncs__load(skel);
	if (err)
		goto cleanup;
	err = medguard_kfuncs__attach(skel);
	if (err)
		goto cleanup;
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		close(fd);
	if (!skel->bss->probe_runs) {
		err = -ENODATA;
		goto cleanup;
	}
	report->abi_version = skel->bss->probe_abi_version;
	report->entropy_uniform = skel->bss->probe_entropy_uniform;
	report->entropy_constant = skel->bss->probe_entropy_constant;
	report->usable = report->abi_version == MEDGUARD_KFUNC_ABI_VERSION;
cleanup:
	medguard_kfuncs__destroy(skel);
	return err;
}
