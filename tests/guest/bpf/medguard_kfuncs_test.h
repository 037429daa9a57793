/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Test only: how tests/guest/mg_kfunc_test.c asks tests/guest/bpf/medguard_kfuncs_test.bpf.c for a kfunc call. */
#ifndef MEDGUARD_KFUNCS_TEST_H
#define MEDGUARD_KFUNCS_TEST_H

/* An ioctl command no file answers to; the LSM hook sees it before it fails. */
#define MG_TEST_IOCTL 0x4d47a5a5u

enum mg_test_call {
	MG_TEST_CALL_TRUST = 1,              /* medguard_kfunc_file_trust(fd's file) */
	MG_TEST_CALL_TRUST_SHORT_RESULT = 2, /* the same with a result buffer too small */
	MG_TEST_CALL_ENTROPY = 3,            /* medguard_kfunc_entropy(entropy_sample) */
	MG_TEST_CALL_FORGET = 4,             /* medguard_kfunc_cache_forget(forget_dev, forget_ino) */
};

#endif /* MEDGUARD_KFUNCS_TEST_H */
