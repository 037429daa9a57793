/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The header of an IMA digital signature, version 2, as the kernel and
 * evmctl write it into security.ima:
 *
 *	u8   type       0x03 (EVM_IMA_XATTR_DIGSIG)
 *	u8   version    2
 *	u8   hash_algo  id from the kernel's include/uapi/linux/hash_info.h
 *	be32 keyid      last 4 bytes of the signer's key id
 *	be16 sig_size   bytes of signature that follow, exactly
 *
 * Parsed here once for the module (kmod/file_trust.c) and the userspace
 * verifier (userspace/trust/imasig.c), so that both refuse the same bytes
 * for the same reason. Fixed-width types of <linux/types.h>, which both
 * sides have.
 */
#ifndef MEDGUARD_IMASIG_HEADER_H
#define MEDGUARD_IMASIG_HEADER_H

#ifndef __KERNEL__
#include <stddef.h>
#endif
#include <linux/types.h>

#include "medguard_kfuncs.h"

/* enum evm_ima_xattr_type of security/integrity/integrity.h, which is not exported */
#define MEDGUARD_IMA_XATTR_DIGEST 0x01
#define MEDGUARD_IMA_XATTR_DIGSIG 0x03
#define MEDGUARD_IMA_XATTR_DIGEST_NG 0x04
#define MEDGUARD_IMA_DIGSIG_VERSION 2
#define MEDGUARD_IMA_DIGSIG_HEADER_BYTES 9

struct medguard_imasig {
	__u8 hash_algo;
	__u32 keyid;     /* host byte order */
	const __u8 *sig; /* into the parsed value, right after the header */
	__u16 sig_size;
};

/*
 * Parses the security.ima value XATTR of SIZE bytes into *SIG. Hash
 * algorithm ids from KNOWN_ALGOS up are no kernel's (HASH_ALGO__LAST);
 * ACCEPTED_ALGOS has bit 1 << id set for each id the caller verifies.
 * Anything else is a status of its own; *SIG is filled only when valid.
 */
static inline enum medguard_sig_status medguard_imasig_parse(const unsigned char *xattr, size_t size,
							     unsigned int known_algos, __u32 accepted_algos,
							     struct medguard_imasig *sig)
{
	unsigned int hash_algo, sig_size;

	if (size < 1)
		return MEDGUARD_SIG_TRUNCATED;
	if (xattr[0] == MEDGUARD_IMA_XATTR_DIGEST || xattr[0] == MEDGUARD_IMA_XATTR_DIGEST_NG)
		return MEDGUARD_SIG_NOT_SIGNATURE;
	if (xattr[0] != MEDGUARD_IMA_XATTR_DIGSIG)
		return MEDGUARD_SIG_BAD_TYPE;
	if (size > MEDGUARD_IMA_XATTR_MAX_BYTES)
		return MEDGUARD_SIG_OVERSIZED;
	if (size < MEDGUARD_IMA_DIGSIG_HEADER_BYTES)
		return MEDGUARD_SIG_TRUNCATED;
	if (xattr[1] != MEDGUARD_IMA_DIGSIG_VERSION)
		return MEDGUARD_SIG_BAD_VERSION;
	hash_algo = xattr[2];
	if (hash_algo >= known_algos)
		return MEDGUARD_SIG_UNKNOWN_ALGO;
	if (hash_algo >= 32 || !(accepted_algos & (1u << hash_algo)))
		return MEDGUARD_SIG_REFUSED_ALGO;
	if (size == MEDGUARD_IMA_DIGSIG_HEADER_BYTES)
		return MEDGUARD_SIG_EMPTY;
	sig_size = (unsigned int)xattr[7] << 8 | xattr[8];
	if (sig_size != size - MEDGUARD_IMA_DIGSIG_HEADER_BYTES)
		return MEDGUARD_SIG_SIZE_MISMATCH;
	sig->hash_algo = hash_algo;
	sig->keyid = (__u32)xattr[3] << 24 | (__u32)xattr[4] << 16 | (__u32)xattr[5] << 8 | xattr[6];
	sig->sig = xattr + MEDGUARD_IMA_DIGSIG_HEADER_BYTES;
	sig->sig_size = sig_size;
	return MEDGUARD_SIG_VALID;
}

#endif /* MEDGUARD_IMASIG_HEADER_H */
