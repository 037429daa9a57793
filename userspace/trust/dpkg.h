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

#define MG_DPKG_ADMINDIR "/var/lib/dpkg"
#define MG_MD5_BYTES 16

struct mg_dpkg_file {
	const char *path;    /* absolute, where the package put it */
	const char *package; /* name, with :ARCH for Multi-Arch: same packages */
	unsigned char md5[MG_MD5_BYTES];
};

enum mg_dpkg_verdict {
	MG_DPKG_NOT_PACKAGED = 0, /* no installed package has a file there */
	MG_DPKG_MATCH,            /* the content is what the package installed */
	MG_DPKG_MISMATCH,         /* a package has a file there, with other content */
};

struct mg_dpkg;

/*
 * Reads the database under ADMINDIR (dpkg's --admindir, MG_DPKG_ADMINDIR
 * normally). Returns NULL with one line in ERR if the status file cannot be
 * read; broken md5sums lines only leave their files out (see
 * mg_dpkg_problems).
 */
struct mg_dpkg *mg_dpkg_load(const char *admindir, char *err, size_t err_size);
void mg_dpkg_free(struct mg_dpkg *dpkg);

size_t mg_dpkg_package_count(const struct mg_dpkg *dpkg);
size_t mg_dpkg_file_count(const struct mg_dpkg *dpkg);
/* Files sorted by path; the same path may come from more than one package. */
const struct mg_dpkg_file *mg_dpkg_file_at(const struct mg_dpkg *dpkg, size_t index);

/* How many md5sums lines or files were left out, and a line about the first. */
size_t mg_dpkg_problems(const struct mg_dpkg *dpkg);
const char *mg_dpkg_first_problem(const struct mg_dpkg *dpkg);

bool mg_dpkg_owns(const struct mg_dpkg *dpkg, const char *const paths[], size_t npaths);

/*
 * Is MD5 the content an installed package put at one of PATHS (the names of
 * one file)? *PACKAGE (may be NULL) names the package for MATCH and MISMATCH.
 */
enum mg_dpkg_verdict mg_dpkg_check(const struct mg_dpkg *dpkg, const char *const paths[], size_t npaths,
				   const unsigned char md5[MG_MD5_BYTES], const char **package);

#endif /* MEDGUARD_DPKG_TRUST_H */
