// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test only (tests/guest/mg_kfunc_test.c): calls each kfunc of the
 * medguard_kfuncs module on whatever the test hands it, good or bad, and
 * keeps what the kfunc answered. Nothing here denies anything.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "medguard_kfuncs.h"
#include "medguard_kfuncs_test.h"

char LICENSE[] SEC("license") = "GPL";

/* The test process: its ioctl(MG_TEST_IOCTL) calls and its children's execs. */
const volatile __u32 test_tgid;

/* What an ioctl asks for (enum mg_test_call in its argument) and what came of it. */
struct medguard_file_trust trust_result;
int trust_ret;
__u8 entropy_sample[MEDGUARD_ENTROPY_SAMPLE_MAX];
__u32 entropy_sample_size;
__u32 entropy_result;
__u64 forget_dev;
__u64 forget_ino;
__u32 ioctl_calls;

/* What the kfunc said of a child's exec when handed the binprm's NULL executable. */
int null_file_ret;
__u32 exec_calls;

SEC("lsm.s/file_ioctl")
int BPF_PROG(mg_test_file_ioctl, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	/* as large as the kfunc asks to be told, but not as large as its struct */
	__u8 too_small[sizeof(struct medguard_file_trust) - 8] = {};
	__u32 size;

	if (ret || cmd != MG_TEST_IOCTL || (bpf_get_current_pid_tgid() >> 32) != test_tgid)
		return ret;
	switch (arg) {
	case MG_TEST_CALL_TRUST:
		trust_ret = medguard_kfunc_file_trust(file, &trust_result, sizeof(trust_result));
		break;
	case MG_TEST_CALL_TRUST_SHORT_RESULT:
		trust_ret = medguard_kfunc_file_trust(file, (void *)too_small, sizeof(too_small));
		break;
	case MG_TEST_CALL_ENTROPY:
		size = entropy_sample_size;
		if (size > sizeof(entropy_sample))
			size = sizeof(entropy_sample);
		entropy_result = medguard_kfunc_entropy(entropy_sample, size);
		break;
	case MG_TEST_CALL_FORGET:
		medguard_kfunc_cache_forget(forget_dev, forget_ino);
		break;
	default:
		return 0;
	}
	ioctl_calls++;
	return 0;
}

/* bprm->executable is NULL unless binfmt_misc asked for it: a NULL struct file * from the kernel. */
SEC("lsm.s/bprm_creds_for_exec")
int BPF_PROG(mg_test_exec, struct linux_binprm *bprm, int ret)
{
	struct medguard_file_trust result = {};
	struct task_struct *task = bpf_get_current_task_btf();

	if (ret || BPF_CORE_READ(task, real_parent, tgid) != test_tgid)
		return ret;
	null_file_ret = medguard_kfunc_file_trust(bprm->executable, &result, sizeof(result));
	exec_calls++;
	return 0;
}
