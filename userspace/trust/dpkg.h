/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Files of installed Debian packages, from dpkg's own database: the status
 * file says which packages are installed, info/PACKAGE[:ARCH].md5sums what
 * each installed and with which MD5, and diversions where a file went
 * instead. dpkg records nothing stronger than MD5; a match is only taken as
 * "this is the packaged file", and medguard keeps its own SHA-256 from there
 * (`medguard trust import-dpkg`).
 */
#ifndef MEDGUARD_DPKG_TRUST_H
#define MEDGUARD_DPKG_TRUST_H

#include <stdbool.h>
#include <stddef.h>

#include "trust.h"

enum mg_dpkg_verdict {
	MG_DPKG_NOT_PACKAGED = 0, /* no installed package has a file there */
	MG_DPKG_MATCH,            /* the content is what the package installed */
	MG_DPKG_MISMATCH,         /* a package has a file there, with other content */
};

bool mg_dpkg_owns(const struct mg_dpkg *dpkg, const char *const paths[], size_t npaths);

/*
 * Is MD5 the content an installed package put at one of PATHS (the names of
 * one file)? *PACKAGE (may be NULL) names the package for MATCH and MISMATCH.
 */
enum mg_dpkg_verdict mg_dpkg_check(const struct mg_dpkg *dpkg, const char *const paths[], size_t npaths,
				   const unsigned char md5[MG_MD5_BYTES], const char **package);

#endif /* MEDGUARD_DPKG_TRUST_H */
