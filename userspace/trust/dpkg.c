// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/lib.h"
#include "dpkg.h"
#include "medguard_limits.h"

struct diversion {
	char *from;
	char *to;
	char *by; /* the diverting package, or ":" for the administrator */
};

struct mg_dpkg {
	char **packages; /* names the files point to */
	size_t npackages;
	struct mg_dpkg_file *files;
	size_t nfiles;
	size_t files_capacity;
	struct diversion *diversions;
	size_t ndiversions;
	size_t problems;
	char first_problem[512];
};

__attribute__((format(printf, 2, 3)))
static void note_problem(struct mg_dpkg *dpkg, const char *fmt, ...)
{
	va_list ap;

	if (dpkg->problems++)
		return;
	va_start(ap, fmt);
	vsnprintf(dpkg->first_problem, sizeof(dpkg->first_problem), fmt, ap);
	va_end(ap);
}

void mg_dpkg_free(struct mg_dpkg *dpkg)
{
	if (!dpkg)
		return;
	for (size_t i = 0; i < dpkg->nfiles; i++)
		free((char *)dpkg->files[i].path);
	free(dpkg->files);
	for (size_t i = 0; i < dpkg->npackages; i++)
		free(dpkg->packages[i]);
	free(dpkg->packages);
	for (size_t i = 0; i < dpkg->ndiversions; i++) {
		free(dpkg->diversions[i].from);
		free(dpkg->diversions[i].to);
		free(dpkg->diversions[i].by);
	}
	free(dpkg->diversions);
	free(dpkg);
}

size_t mg_dpkg_package_count(const struct mg_dpkg *dpkg)
{
	return dpkg->npackages;
}

size_t mg_dpkg_file_count(const struct mg_dpkg *dpkg)
{
	return dpkg->nfiles;
}

const struct mg_dpkg_file *mg_dpkg_file_at(const struct mg_dpkg *dpkg, size_t index)
{
	return index < dpkg->nfiles ? &dpkg->files[index] : NULL;
}

size_t mg_dpkg_problems(const struct mg_dpkg *dpkg)
{
	return dpkg->problems;
}

const char *mg_dpkg_first_problem(const struct mg_dpkg *dpkg)
{
	return dpkg->problems ? dpkg->first_problem : NULL;
}

static void chomp(char *line, ssize_t *len)
{
	while (*len > 0 && (line[*len - 1] == '\n' || line[*len - 1] == '\r'))
		line[--*len] = '\0';
}

/* Takes the three FIELDS (from, to, by) over, leaving NULLs; -1 when out of memory. */
static int add_diversion(struct mg_dpkg *dpkg, char *fields[3])
{
	struct diversion *diversions = realloc(dpkg->diversions, (dpkg->ndiversions + 1) * sizeof(*diversions));

	if (!diversions)
		return -1;
	dpkg->diversions = diversions;
	diversions[dpkg->ndiversions++] = (struct diversion){ fields[0], fields[1], fields[2] };
	memset(fields, 0, 3 * sizeof(fields[0]));
	return 0;
}

/* The diversions file holds three lines per diversion: from, to, by. */
static int read_diversions(struct mg_dpkg *dpkg, const char *admindir, char *err, size_t err_size)
{
	char path[PATH_MAX], *line = NULL, *fields[3] = { NULL, NULL, NULL };
	size_t capacity = 0, nfields = 0;
	FILE *file = NULL;
	ssize_t len;
	int ret = -1;

	if (snprintf(path, sizeof(path), "%s/diversions", admindir) >= (int)sizeof(path))
		errno = ENAMETOOLONG;
	else
		file = fopen(path, "re");
	if (!file) {
		ret = errno == ENOENT ? 0 : -1;
		if (ret)
			snprintf(err, err_size, "cannot read dpkg database %s: %s; check the dpkg directory",
				 path, strerror(errno));
		goto cleanup;
	}
	while ((len = getline(&line, &capacity, file)) >= 0) {
		chomp(line, &len);
		fields[nfields] = strdup(line);
		if (!fields[nfields] || (nfields == 2 && add_diversion(dpkg, fields))) {
			snprintf(err, err_size, "cannot read dpkg database %s: out of memory", path);
			goto cleanup;
		}
		nfields = (nfields + 1) % 3;
	}
	if (nfields)
		note_problem(dpkg, "%s ends in an incomplete diversion; check it with 'dpkg-divert --list'", path);
	ret = 0;
cleanup:
	for (size_t i = 0; i < 3; i++)
		free(fields[i]);
	free(line);
	if (file)
		fclose(file);
	return ret;
}

/* Where PACKAGE's file PATH really is, after diversions by other packages. */
static const char *diverted_path(const struct mg_dpkg *dpkg, const char *path, const char *package)
{
	size_t name_len = strcspn(package, ":");

	for (size_t i = 0; i < dpkg->ndiversions; i++) {
		const struct diversion *diversion = &dpkg->diversions[i];

		if (strcmp(diversion->from, path) != 0)
			continue;
		if (strlen(diversion->by) == name_len && strncmp(diversion->by, package, name_len) == 0)
			return path;
		return diversion->to;
	}
	return path;
}

/* "<32 hex>  <path relative to the root>"; returns the path, or NULL if malformed. */
static const char *parse_md5sums_line(const char *line, unsigned char md5[MG_MD5_BYTES])
{
	size_t pos;

	for (pos = 0; pos < 2 * MG_MD5_BYTES; pos += 2) {
		int high = mg_hex_value(line[pos]);
		int low = high < 0 ? -1 : mg_hex_value(line[pos + 1]);

		if (low < 0)
			return NULL;
		md5[pos / 2] = high << 4 | low;
	}
	if (line[pos] != ' ')
		return NULL;
	while (line[pos] == ' ')
		pos++;
	if (line[pos] == '.' && line[pos + 1] == '/')
		pos += 2;
	while (line[pos] == '/')
		pos++;
	return line[pos] ? line + pos : NULL;
}

static int add_file(struct mg_dpkg *dpkg, const char *path, const char *package,
		    const unsigned char md5[MG_MD5_BYTES])
{
	struct mg_dpkg_file *file;

	if (!MG_ARRAY_RESERVE(dpkg->files, dpkg->nfiles, dpkg->files_capacity))
		return -1;
	file = &dpkg->files[dpkg->nfiles];
	file->path = strdup(path);
	if (!file->path)
		return -1;
	file->package = package;
	memcpy(file->md5, md5, MG_MD5_BYTES);
	dpkg->nfiles++;
	return 0;
}

static const char *intern_package(struct mg_dpkg *dpkg, const char *name)
{
	char **packages = realloc(dpkg->packages, (dpkg->npackages + 1) * sizeof(*packages));

	if (!packages)
		return NULL;
	dpkg->packages = packages;
	packages[dpkg->npackages] = strdup(name);
	return packages[dpkg->npackages] ? packages[dpkg->npackages++] : NULL;
}

/*
 * Multi-Arch: same packages keep info/NAME:ARCH.md5sums, the others
 * info/NAME.md5sums. A package without one (a metapackage) has no files.
 */
static int read_md5sums(struct mg_dpkg *dpkg, const char *admindir, const char *name,
			const char *arch, char *err, size_t err_size)
{
	char path[PATH_MAX], label[PATH_MAX], absolute[PATH_MAX], *line = NULL;
	const char *package;
	size_t capacity = 0, lineno = 0;
	FILE *file = NULL;
	ssize_t len;
	int ret = -1;

	if (arch && snprintf(label, sizeof(label), "%s:%s", name, arch) < (int)sizeof(label) &&
	    snprintf(path, sizeof(path), "%s/info/%s.md5sums", admindir, label) < (int)sizeof(path))
		file = fopen(path, "re");
	if (!file && snprintf(label, sizeof(label), "%s", name) < (int)sizeof(label) &&
	    snprintf(path, sizeof(path), "%s/info/%s.md5sums", admindir, label) < (int)sizeof(path))
		file = fopen(path, "re");
	if (!file) {
		if (errno != ENOENT)
			note_problem(dpkg, "cannot read %s: %s; files of %s are not trusted as packaged",
				     path, strerror(errno), name);
		ret = 0;
		goto cleanup;
	}
	package = intern_package(dpkg, label);
	if (!package) {
		snprintf(err, err_size, "cannot read dpkg database %s: out of memory", path);
		goto cleanup;
	}
	while ((len = getline(&line, &capacity, file)) >= 0) {
		unsigned char md5[MG_MD5_BYTES];
		const char *relative;

		lineno++;
		chomp(line, &len);
		relative = parse_md5sums_line(line, md5);
		if (!relative || (size_t)len != strlen(line) ||
		    snprintf(absolute, sizeof(absolute), "/%s", relative) >= (int)sizeof(absolute)) {
			note_problem(dpkg, "%s:%zu: not '<md5>  <path>'; reinstall the package with 'apt-get install --reinstall %s'",
				     path, lineno, name);
			continue;
		}
		if (dpkg->nfiles >= MG_MAX_TRUST_ENTRIES * 4u) {
			note_problem(dpkg, "more than %u packaged files; the rest of %s is not trusted as packaged",
				     MG_MAX_TRUST_ENTRIES * 4u, name);
			break;
		}
		if (add_file(dpkg, diverted_path(dpkg, absolute, package), package, md5)) {
			snprintf(err, err_size, "cannot read dpkg database %s: out of memory", path);
			goto cleanup;
		}
	}
	if (ferror(file))
		note_problem(dpkg, "cannot read %s: %s; files of %s are not trusted as packaged",
			     path, strerror(errno), name);
	ret = 0;
cleanup:
	free(line);
	if (file)
		fclose(file);
	return ret;
}

/* "Status: want eflag status": only a cleanly installed package counts. */
static bool status_is_installed(const char *value)
{
	char want[32], eflag[32], status[32];

	return sscanf(value, "%31s %31s %31s", want, eflag, status) == 3 &&
	       strcmp(eflag, "ok") == 0 && strcmp(status, "installed") == 0;
}

static const char *field_value(const char *line, const char *field)
{
	size_t len = strlen(field);

	if (strncasecmp(line, field, len) != 0 || line[len] != ':')
		return NULL;
	line += len + 1;
	while (*line == ' ' || *line == '\t')
		line++;
	return line;
}

static int read_status(struct mg_dpkg *dpkg, const char *admindir, char *err, size_t err_size)
{
	char path[PATH_MAX], *line = NULL, *package = NULL, *arch = NULL;
	bool installed = false, at_end = false;
	size_t capacity = 0;
	FILE *file = NULL;
	int ret = -1;

	if (snprintf(path, sizeof(path), "%s/status", admindir) >= (int)sizeof(path))
		errno = ENAMETOOLONG;
	else
		file = fopen(path, "re");
	if (!file) {
		snprintf(err, err_size,
			 "cannot read dpkg database %s: %s; on hosts without dpkg, turn off package trust in the policy",
			 path, strerror(errno));
		goto cleanup;
	}
	while (!at_end) {
		ssize_t len = getline(&line, &capacity, file);
		const char *value;

		at_end = len < 0;
		if (!at_end)
			chomp(line, &len);
		if (at_end || len == 0) {
			if (package && installed && read_md5sums(dpkg, admindir, package, arch, err, err_size))
				goto cleanup;
			free(package);
			free(arch);
			package = arch = NULL;
			installed = false;
			continue;
		}
		if ((value = field_value(line, "Package"))) {
			free(package);
			package = strdup(value);
		} else if ((value = field_value(line, "Architecture"))) {
			free(arch);
			arch = strdup(value);
		} else if ((value = field_value(line, "Status"))) {
			installed = status_is_installed(value);
		}
	}
	if (ferror(file)) {
		snprintf(err, err_size, "cannot read dpkg database %s: %s; check the dpkg directory",
			 path, strerror(errno));
		goto cleanup;
	}
	ret = 0;
cleanup:
	free(package);
	free(arch);
	free(line);
	if (file)
		fclose(file);
	return ret;
}

static int compare_files(const void *a, const void *b)
{
	const struct mg_dpkg_file *x = a, *y = b;

	return strcmp(x->path, y->path);
}

struct mg_dpkg *mg_dpkg_load(const char *admindir, char *err, size_t err_size)
{
	struct mg_dpkg *dpkg = calloc(1, sizeof(*dpkg));

	if (!dpkg) {
		snprintf(err, err_size, "cannot read dpkg database %s: out of memory", admindir);
		return NULL;
	}
	if (read_diversions(dpkg, admindir, err, err_size) || read_status(dpkg, admindir, err, err_size)) {
		mg_dpkg_free(dpkg);
		return NULL;
	}
	if (dpkg->nfiles > 1)
		qsort(dpkg->files, dpkg->nfiles, sizeof(*dpkg->files), compare_files);
	return dpkg;
}

/* The first file at PATH, or the count as index when there is none. */
static size_t lower_bound(const struct mg_dpkg *dpkg, const char *path)
{
	size_t low = 0, high = dpkg->nfiles;

	while (low < high) {
		size_t mid = low + (high - low) / 2;

		if (strcmp(dpkg->files[mid].path, path) < 0)
			low = mid + 1;
		else
			high = mid;
	}
	return low;
}

bool mg_dpkg_owns(const struct mg_dpkg *dpkg, const char *const paths[], size_t npaths)
{
	for (size_t p = 0; p < npaths; p++) {
		size_t i;

		if (!paths[p])
			continue;
		i = lower_bound(dpkg, paths[p]);
		if (i < dpkg->nfiles && strcmp(dpkg->files[i].path, paths[p]) == 0)
			return true;
	}
	return false;
}

enum mg_dpkg_verdict mg_dpkg_check(const struct mg_dpkg *dpkg, const char *const paths[], size_t npaths,
				   const unsigned char md5[MG_MD5_BYTES], const char **package)
{
	enum mg_dpkg_verdict verdict = MG_DPKG_NOT_PACKAGED;

	for (size_t p = 0; p < npaths; p++) {
		if (!paths[p])
			continue;
		for (size_t i = lower_bound(dpkg, paths[p]);
		     i < dpkg->nfiles && strcmp(dpkg->files[i].path, paths[p]) == 0; i++) {
			if (memcmp(dpkg->files[i].md5, md5, MG_MD5_BYTES) == 0) {
				if (package)
					*package = dpkg->files[i].package;
				return MG_DPKG_MATCH;
			}
			if (verdict == MG_DPKG_NOT_PACKAGED && package)
				*package = dpkg->files[i].package;
			verdict = MG_DPKG_MISMATCH;
		}
	}
	return verdict;
}
