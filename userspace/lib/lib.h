/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small helpers every other folder of userspace/ may use, and that use
 * nothing of medguard's: growable arrays and a set of paths, reading a whole
 * file, hex digits, decoding public keys, a file's device as the kernel sees it.
 */
#ifndef MEDGUARD_LIB_H
#define MEDGUARD_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "fsid.h"

struct timespec;

/* Milliseconds since THEN, a time of CLOCK_MONOTONIC. */
long long mg_ms_since(const struct timespec *then);

/* The value of hex digit C, or -1. */
int mg_hex_value(char c);

/*
 * Reads FD to its end, or until it has read more than MAX bytes (then *LEN
 * is MAX + 1: the caller says the file is too large). Returns 0 with *DATA
 * malloc'ed, or -errno (-ENOMEM: out of memory).
 */
int mg_read_fd(int fd, size_t max, char **data, size_t *len);
/* The same for the file at PATH, opened without blocking; -errno when it cannot be opened. */
int mg_read_file(const char *path, size_t max, char **data, size_t *len);

/*
 * Opens TMP as a new file with MODE, to be renamed over another: a file or a
 * link planted at TMP is removed, never written through. NULL with errno set.
 */
FILE *mg_replacement_open(const char *tmp, mode_t mode);
/* Flushes FILE to disk, closes it and renames TMP over PATH: 0, or -errno with TMP removed. */
int mg_replacement_commit(FILE *file, const char *tmp, const char *path);

/* Whether DATA looks like PEM ("-----BEGIN "), else it is taken for DER. */
bool mg_is_pem(const unsigned char *data, size_t size);
/*
 * Decodes a key (PEM or DER; SELECTION is OSSL_KEYMGMT_SELECT_*). An encrypted
 * key fails rather than asking for a passphrase; DER with trailing bytes fails.
 */
EVP_PKEY *mg_decode_key(const unsigned char *data, size_t size, int selection);
/* An X.509 certificate, PEM or DER, or NULL. */
X509 *mg_decode_certificate(const unsigned char *data, size_t size);
/*
 * A public key as evmctl uses them: a certificate's key or a bare public key.
 * With CERT, the certificate it came from (or NULL) is given to the caller.
 */
EVP_PKEY *mg_decode_public_key(const unsigned char *data, size_t size, X509 **cert);

/*
 * Makes room for one more element in a growable array, doubling it (new
 * elements are zeroed). False when out of memory: the array is unchanged.
 */
bool mg_array_grow(void **items, size_t *cap, size_t elem_size);

/* Room for element N of ITEMS, which holds CAP: true, or false when out of memory. */
#define MG_ARRAY_RESERVE(items, n, cap) \
	((n) < (cap) || mg_array_grow((void **)&(items), &(cap), sizeof(*(items))))

/* Distinct paths in the order they were added, found by hash. */
struct mg_path_set;

struct mg_path_set *mg_path_set_new(void);
void mg_path_set_free(struct mg_path_set *set);
/* 1 when PATH was added, 0 when it was there already, -1 when out of memory. */
int mg_path_set_add(struct mg_path_set *set, const char *path);
bool mg_path_set_contains(const struct mg_path_set *set, const char *path);
size_t mg_path_set_count(const struct mg_path_set *set);
const char *mg_path_set_at(const struct mg_path_set *set, size_t index);

#endif
