// SPDX-License-Identifier: GPL-2.0-only
/*
 * The programs that call the medguard_kfuncs module. A separate object from
 * the enforcement core so that the core loads whether the module is there or
 * not; the loader loads this one only when the module is.
 */
#include "medguard.bpf.h"
#include "medguard_kfuncs.h"

char LICENSE[] SEC("license") = "GPL";

/* The process whose next open runs the self-test; set by the loader. */
const volatile __u32 probe_tgid;

__u32 probe_abi_version;
__u32 probe_entropy_uniform;
__u32 probe_entropy_constant;
__u32 probe_runs;

/* Every byte value once: exactly 8 bits of entropy per byte. */
__u8 uniform_sample[256];
/* One byte value throughout: no entropy at all. */
__u8 constant_sample[256];

/*
 * Proves the kfuncs answer from an LSM program, with values the loader can
 * check; the probe never denies anything.
 */
SEC("lsm/file_open")
int BPF_PROG(mg_kfunc_probe, struct file *file, int ret)
{
	if (ret)
		return ret;
	if ((bpf_get_current_pid_tgid() >> 32) != probe_tgid)
		return 0;
	probe_abi_version = medguard_kfunc_abi_version();
	probe_entropy_uniform = medguard_kfunc_entropy(uniform_sample, sizeof(uniform_sample));
	probe_entropy_constant = medguard_kfunc_entropy(constant_sample, sizeof(constant_sample));
	probe_runs++;
	return 0;
}
