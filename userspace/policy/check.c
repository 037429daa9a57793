// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "medguard.h"
#include "check.h"
#include "parse.h"
#include "policy.h"
#include "lib/lib.h"

#define CGROUP_ROOT "/sys/fs/cgroup/"
#define UNIT_CGROUP_DIR CGROUP_ROOT "system.slice/"

struct checker {
	struct mg_ast *ast;
	struct mg_diag *diag;
	/* Declarations past a limit are reported once and then left out. */
	size_t nkeys, nprograms, nrecords;
	/* Past MG_MAX_PROGRAM_EXES or MG_MAX_OBJECTS: paths are not checked one by one. */
	bool too_many_exes, too_many_objects;
};

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

static void out_of_memory(struct checker *c, const struct mg_loc *loc)
{
	mg_diag_error(c->diag, loc, "out of memory");
}

static const char *quote(char *buf, const char *text)
{
	return mg_quote(buf, MG_QUOTE_MAX, text, strlen(text));
}

/*
 * Paths are checked where the policy is checked, often a build machine: a
 * missing one is a warning here, and recorded so the loader can refuse.
 */
static void missing_path(struct checker *c, const struct mg_ast_path *path, const char *what)
{
	char shown[MG_QUOTE_MAX];

	mg_diag_warning(c->diag, &path->loc,
			"%s \"%s\" does not exist on this machine; medguard will refuse to load the policy until it does",
			what, quote(shown, path->path));
	if (!mg_ast_paths_add(&c->ast->missing, path->path, &path->loc))
		out_of_memory(c, &path->loc);
}

/* Absolute, and without `..`: an auditor reads the path that is protected. */
static bool check_absolute(struct checker *c, const struct mg_ast_path *path, const char *what)
{
	const char *p = path->path;
	char shown[MG_QUOTE_MAX];

	if (p[0] != '/') {
		mg_diag_error(c->diag, &path->loc, "%s \"%s\" must be an absolute path, starting with '/'",
			      what, quote(shown, p));
		return false;
	}
	for (; *p; p++) {
		if (p[0] == '/' && p[1] == '.' && p[2] == '.' && (p[3] == '/' || p[3] == '\0')) {
			mg_diag_error(c->diag, &path->loc,
				      "%s \"%s\" must not contain '..'; write the path it leads to",
				      what, quote(shown, path->path));
			return false;
		}
	}
	return true;
}

/* Checks an absolute path; when present, its type with S_IFMT value TYPE (0: any). */
static void check_path(struct checker *c, const struct mg_ast_path *path, const char *what,
		       mode_t type)
{
	char shown[MG_QUOTE_MAX];
	struct stat st;

	if (!check_absolute(c, path, what))
		return;
	if (stat(path->path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			missing_path(c, path, what);
		else
			mg_diag_error(c->diag, &path->loc, "cannot look at %s \"%s\": %s", what,
				      quote(shown, path->path), strerror(errno));
		return;
	}
	if (type && (st.st_mode & S_IFMT) != type)
		mg_diag_error(c->diag, &path->loc, "%s \"%s\" is not a %s", what,
			      quote(shown, path->path), type == S_IFDIR ? "directory" : "regular file");
}

/* A name that declares something: not a keyword, not too long. */
static bool check_name(struct checker *c, const char *name, const struct mg_loc *loc,
		       const char *what)
{
	char shown[MG_QUOTE_MAX];

	if (strlen(name) > MG_POLICY_MAX_NAME_LEN) {
		mg_diag_error(c->diag, loc, "%s name '%s' is longer than %d bytes (MG_POLICY_MAX_NAME_LEN)",
			      what, quote(shown, name), MG_POLICY_MAX_NAME_LEN);
		return false;
	}
	if (mg_policy_is_keyword(name)) {
		mg_diag_error(c->diag, loc, "'%s' is a keyword of the policy language and cannot name a %s; choose another name",
			      name, what);
		return false;
	}
	return true;
}

/* ---- limits ------------------------------------------------------------ */

/* Limits come first: past one, the checks of each item would only add noise and time. */
static size_t limit_count(struct checker *c, size_t n, size_t limit, const struct mg_loc *loc_past,
			  const char *what)
{
	if (n <= limit)
		return n;
	mg_diag_error(c->diag, loc_past, "more than %zu %s", limit, what);
	return limit;
}

/* Where the LIMIT+1th path of a series of lists lies, counting from *SEEN. */
static const struct mg_loc *past_limit(const struct mg_ast_paths *paths, size_t *seen, size_t limit)
{
	if (*seen + paths->n <= limit) {
		*seen += paths->n;
		return NULL;
	}
	return &paths->items[limit - *seen].loc;
}

static void check_limits(struct checker *c)
{
	struct mg_ast *ast = c->ast;
	const struct mg_loc *past = NULL;
	size_t seen = 0;

	c->nkeys = limit_count(c, ast->nkeys, MG_MAX_KEYS,
			       ast->nkeys > MG_MAX_KEYS ? &ast->keys[MG_MAX_KEYS].loc : NULL,
			       "keys (MG_MAX_KEYS)");
	c->nrecords = limit_count(c, ast->nrecords, MG_MAX_TREES,
				  ast->nrecords > MG_MAX_TREES ? &ast->records[MG_MAX_TREES].loc : NULL,
				  "records statements (MG_MAX_TREES)");
	c->nprograms = limit_count(c, ast->nprograms, MG_MAX_PROGRAMS,
				   ast->nprograms > MG_MAX_PROGRAMS ? &ast->programs[MG_MAX_PROGRAMS].loc : NULL,
				   "programs and interpreters (MG_MAX_PROGRAMS)");
	for (size_t i = 0; i < c->nprograms && !past; i++)
		past = past_limit(&ast->programs[i].exes, &seen, MG_MAX_PROGRAM_EXES);
	if (past) {
		mg_diag_error(c->diag, past, "more than %d program files (MG_MAX_PROGRAM_EXES)",
			      MG_MAX_PROGRAM_EXES);
		c->too_many_exes = true;
	}
	past = NULL;
	seen = 0;
	for (size_t i = 0; i < c->nrecords && !past; i++)
		past = past_limit(&ast->records[i].roots, &seen, MG_MAX_OBJECTS);
	for (size_t i = 0; i < ast->ncanaries && !past; i++)
		past = past_limit(&ast->canaries[i].patterns, &seen, MG_MAX_OBJECTS);
	if (past) {
		mg_diag_error(c->diag, past, "more than %d records roots and canaries (MG_MAX_OBJECTS)",
			      MG_MAX_OBJECTS);
		c->too_many_objects = true;
	}
}

/* ---- mode and trust sources -------------------------------------------- */

static void check_mode(struct checker *c)
{
	struct mg_ast *ast = c->ast;
	struct mg_loc whole = { ast->files[0], 0, 0 };

	if (ast->nmodes == 0)
		mg_diag_warning(c->diag, &whole,
				"no 'mode' statement: medguard runs in audit mode and denies nothing; add 'mode enforce;' to enforce the rules");
	for (size_t i = 1; i < ast->nmodes && !c->diag->full; i++)
		mg_diag_error(c->diag, &ast->modes[i].loc, "second 'mode' statement; the first is at %s:%u",
			      ast->modes[0].loc.file, ast->modes[0].loc.line);
}

static void check_key_file(struct checker *c, const struct mg_ast_key *key)
{
	const struct mg_ast_path *file = &key->file;
	char shown[MG_QUOTE_MAX];
	char *data = NULL;
	EVP_PKEY *pkey = NULL;
	size_t len = 0;
	struct stat st;
	int fd, err;

	if (!check_absolute(c, file, "key file"))
		return;
	fd = open(file->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			missing_path(c, file, "key file");
		else
			mg_diag_error(c->diag, &file->loc, "cannot open key file \"%s\": %s",
				      quote(shown, file->path), strerror(errno));
		goto cleanup;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		mg_diag_error(c->diag, &file->loc, "key file \"%s\" is not a regular file",
			      quote(shown, file->path));
		goto cleanup;
	}
	err = mg_read_fd(fd, MG_POLICY_MAX_KEY_BYTES, &data, &len);
	if (err == -ENOMEM) {
		out_of_memory(c, &file->loc);
		goto cleanup;
	}
	if (err) {
		mg_diag_error(c->diag, &file->loc, "cannot read key file \"%s\": %s",
			      quote(shown, file->path), strerror(-err));
		goto cleanup;
	}
	if (len > MG_POLICY_MAX_KEY_BYTES)
		mg_diag_error(c->diag, &file->loc,
			      "key file \"%s\" is larger than %d bytes; name the public key or certificate, not a bundle",
			      quote(shown, file->path), MG_POLICY_MAX_KEY_BYTES);
	else if (!(pkey = mg_decode_public_key((const unsigned char *)data, len, NULL)))
		mg_diag_error(c->diag, &file->loc,
			      "key file \"%s\" holds no public key or X.509 certificate (PEM or DER); export it with 'openssl pkey -pubout'",
			      quote(shown, file->path));
cleanup:
	EVP_PKEY_free(pkey);
	free(data);
	if (fd >= 0)
		close(fd);
}

static void check_keys(struct checker *c)
{
	struct mg_ast *ast = c->ast;

	for (size_t i = 0; i < c->nkeys && !c->diag->full; i++) {
		struct mg_ast_key *key = &ast->keys[i];
		bool duplicate = false;

		if (!check_name(c, key->name, &key->loc, "key"))
			continue;
		for (size_t j = 0; j < i && !duplicate; j++) {
			if (strcmp(ast->keys[j].name, key->name) != 0)
				continue;
			mg_diag_error(c->diag, &key->loc, "key '%s' is already declared at %s:%u",
				      key->name, ast->keys[j].loc.file, ast->keys[j].loc.line);
			duplicate = true;
		}
		if (!duplicate)
			check_key_file(c, key);
	}
}

static void check_trust_sources(struct checker *c)
{
	struct mg_ast *ast = c->ast;

	for (size_t i = 0; i < ast->allowlists.n && !c->diag->full; i++)
		check_path(c, &ast->allowlists.items[i], "allowlist", S_IFREG);
	for (size_t i = 1; i < ast->ntrust_packages && !c->diag->full; i++)
		mg_diag_warning(c->diag, &ast->trust_packages[i],
				"'trust packages' is already stated at %s:%u", ast->trust_packages[0].file,
				ast->trust_packages[0].line);
	for (size_t i = 0; i < ast->trust_scan.n && !c->diag->full; i++)
		check_path(c, &ast->trust_scan.items[i], "directory to scan", S_IFDIR);
}

/* ---- records and canaries ---------------------------------------------- */

static int find_records(const struct checker *c, const char *name)
{
	for (size_t i = 0; i < c->nrecords; i++)
		if (strcmp(c->ast->records[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Whether A and B name the same place, whatever trailing slashes they carry. */
static bool same_path(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (lb > 1 && b[lb - 1] == '/')
		lb--;
	return la == lb && memcmp(a, b, la) == 0;
}

/* Whether PATH is ROOT or lies below it. */
static bool path_under(const char *path, const char *root)
{
	size_t len = strlen(root);

	while (len > 1 && root[len - 1] == '/')
		len--;
	if (strncmp(path, root, len) != 0)
		return false;
	return path[len] == '\0' || path[len] == '/' || len == 1;
}

static void unknown_records(struct checker *c, const char *name, const struct mg_loc *loc)
{
	char shown[MG_QUOTE_MAX];

	mg_diag_error(c->diag, loc, "unknown records '%s'; declare them with 'records %s \"/path\";'",
		      quote(shown, name), quote(shown, name));
}

static void unknown_program(struct checker *c, const char *name, const struct mg_loc *loc)
{
	char shown[MG_QUOTE_MAX];

	mg_diag_error(c->diag, loc, "unknown program '%s'; declare it with 'program %s exe \"/path\";'",
		      quote(shown, name), quote(shown, name));
}

static void check_records(struct checker *c)
{
	struct mg_ast *ast = c->ast;

	for (size_t i = 0; i < c->nrecords && !c->diag->full; i++) {
		struct mg_ast_records *records = &ast->records[i];

		if (check_name(c, records->name, &records->loc, "records") &&
		    find_records(c, records->name) != (int)i) {
			const struct mg_loc *first = &ast->records[find_records(c, records->name)].loc;

			mg_diag_error(c->diag, &records->loc, "records '%s' are already declared at %s:%u",
				      records->name, first->file, first->line);
		}
		for (size_t r = 0; r < records->roots.n && !c->too_many_objects && !c->diag->full; r++) {
			const struct mg_ast_path *root = &records->roots.items[r];
			char shown[MG_QUOTE_MAX];
			bool duplicate = false;

			check_path(c, root, "records root", 0);
			for (size_t j = 0; j <= i && !duplicate; j++) {
				const struct mg_ast_records *other = &ast->records[j];
				size_t end = j == i ? r : other->roots.n;

				for (size_t k = 0; k < end && !duplicate; k++) {
					if (!same_path(other->roots.items[k].path, root->path))
						continue;
					mg_diag_error(c->diag, &root->loc,
						      "\"%s\" is already a root of records '%s' at %s:%u",
						      quote(shown, root->path), other->name,
						      other->roots.items[k].loc.file,
						      other->roots.items[k].loc.line);
					duplicate = true;
				}
			}
		}
	}
}

/* Canaries may be shell patterns, in their last component only: expanding them stays cheap. */
static void check_canary_pattern(struct checker *c, const struct mg_ast_canary *canary,
				 const struct mg_ast_path *pattern)
{
	const struct mg_ast_records *records = &c->ast->records[canary->tree_id];
	const char *last = strrchr(pattern->path, '/');
	const char *glob = strpbrk(pattern->path, "*?[");
	struct mg_ast_path dir = { .loc = pattern->loc };
	char shown[MG_QUOTE_MAX];
	bool under_root = false;

	if (!check_absolute(c, pattern, "canary"))
		return;
	if (glob && glob < last) {
		mg_diag_error(c->diag, &pattern->loc,
			      "canary \"%s\" may use *, ? and [ only in its last component",
			      quote(shown, pattern->path));
		return;
	}
	for (size_t r = 0; r < records->roots.n && !under_root; r++)
		under_root = path_under(pattern->path, records->roots.items[r].path);
	if (!under_root)
		mg_diag_warning(c->diag, &pattern->loc,
				"canary \"%s\" lies outside every root of records '%s'; it is watched all the same",
				quote(shown, pattern->path), records->name);
	dir.path = strndup(pattern->path, last == pattern->path ? 1 : (size_t)(last - pattern->path));
	if (!dir.path) {
		out_of_memory(c, &pattern->loc);
		return;
	}
	check_path(c, &dir, "canary directory", S_IFDIR);
	free(dir.path);
}

static void check_canaries(struct checker *c)
{
	struct mg_ast *ast = c->ast;

	for (size_t i = 0; i < ast->ncanaries && !c->diag->full; i++) {
		struct mg_ast_canary *canary = &ast->canaries[i];
		int tree = find_records(c, canary->records);

		if (tree < 0) {
			unknown_records(c, canary->records, &canary->loc);
			continue;
		}
		canary->tree_id = (__u32)tree;
		for (size_t p = 0; p < canary->patterns.n && !c->too_many_objects && !c->diag->full; p++)
			check_canary_pattern(c, canary, &canary->patterns.items[p]);
	}
}

/* ---- programs ---------------------------------------------------------- */

static int find_program(const struct checker *c, const char *name)
{
	for (size_t i = 0; i < c->nprograms; i++)
		if (strcmp(c->ast->programs[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* digest = "sha256:" 64 hex digits */
static void check_digest(struct checker *c, struct mg_ast_program *program)
{
	static const char prefix[] = "sha256:";
	const char *hex = program->digest + strlen(prefix);
	bool valid = strncmp(program->digest, prefix, strlen(prefix)) == 0 && strlen(hex) == 64;

	for (size_t i = 0; valid && i < 32; i++) {
		int high = mg_hex_value(hex[2 * i]), low = mg_hex_value(hex[2 * i + 1]);

		valid = high >= 0 && low >= 0;
		if (valid)
			program->digest_bytes[i] = (unsigned char)(high << 4 | low);
	}
	if (!valid)
		mg_diag_error(c->diag, &program->digest_loc,
			      "digest of program '%s' must be \"sha256:\" and 64 hex digits, as printed by 'sha256sum'",
			      program->name);
}

static void check_program_key(struct checker *c, struct mg_ast_program *program)
{
	char shown[MG_QUOTE_MAX];

	for (size_t k = 0; k < c->nkeys; k++) {
		if (strcmp(c->ast->keys[k].name, program->signed_by) == 0) {
			program->key_id = (__u32)(k + 1);
			return;
		}
	}
	mg_diag_error(c->diag, &program->signed_by_loc,
		      "unknown key '%s'; declare it with 'key %s \"/path/to/key.pem\";'",
		      quote(shown, program->signed_by), quote(shown, program->signed_by));
}

/* One exe belongs to one program: the kernel maps an inode to one program id. */
static void check_exe_unique(struct checker *c, size_t program_index, size_t exe_index)
{
	const struct mg_ast_path *exe = &c->ast->programs[program_index].exes.items[exe_index];
	char shown[MG_QUOTE_MAX];

	for (size_t i = 0; i <= program_index; i++) {
		const struct mg_ast_program *other = &c->ast->programs[i];
		size_t end = i == program_index ? exe_index : other->exes.n;

		for (size_t e = 0; e < end; e++) {
			if (!same_path(other->exes.items[e].path, exe->path))
				continue;
			mg_diag_error(c->diag, &exe->loc, "\"%s\" already belongs to program '%s' at %s:%u",
				      quote(shown, exe->path), other->name, other->exes.items[e].loc.file,
				      other->exes.items[e].loc.line);
			return;
		}
	}
}

/* A program named by its key alone owns that key: a file it signed is one program. */
static void check_key_program_unique(struct checker *c, size_t index)
{
	struct mg_ast_program *program = &c->ast->programs[index];

	for (size_t j = 0; j < index; j++) {
		const struct mg_ast_program *other = &c->ast->programs[j];

		if (other->exes.n || other->key_id != program->key_id)
			continue;
		mg_diag_error(c->diag, &program->signed_by_loc,
			      "key '%s' already names program '%s' at line %u; one program per key", program->signed_by,
			      other->name, other->loc.line);
		return;
	}
}

static void check_programs(struct checker *c)
{
	struct mg_ast *ast = c->ast;

	for (size_t i = 0; i < c->nprograms && !c->diag->full; i++) {
		struct mg_ast_program *program = &ast->programs[i];
		const char *what = program->interpreter ? "interpreter"
				   : program->launcher  ? "launcher"
				   : program->gateway   ? "gateway"
							: "program";

		if (check_name(c, program->name, &program->loc, what) &&
		    find_program(c, program->name) != (int)i) {
			const struct mg_loc *first = &ast->programs[find_program(c, program->name)].loc;

			mg_diag_error(c->diag, &program->loc, "program '%s' is already declared at %s:%u",
				      program->name, first->file, first->line);
		}
		for (size_t e = 0; e < program->exes.n && !c->too_many_exes && !c->diag->full; e++) {
			if (program->if_installed && access(program->exes.items[e].path, F_OK))
				continue;
			check_path(c, &program->exes.items[e], "program file", S_IFREG);
			check_exe_unique(c, i, e);
		}
		if (program->signed_by)
			check_program_key(c, program);
		if (program->digest)
			check_digest(c, program);
		if (!program->exes.n && program->key_id)
			check_key_program_unique(c, i);
	}
}

/* ---- rules ------------------------------------------------------------- */

/* Systemd keeps a unit's processes in a cgroup of its own, named after it. */
static bool check_unit_name(struct checker *c, struct mg_ast_subject *subject)
{
	static const char *const suffixes[] = { ".service", ".scope", ".socket", ".mount", ".swap" };
	size_t len = strlen(subject->name);
	char shown[MG_QUOTE_MAX];

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t slen = strlen(suffixes[i]);

		if (len > slen && len <= 255 && subject->name[0] != '.' &&
		    strcmp(subject->name + len - slen, suffixes[i]) == 0)
			return true;
	}
	mg_diag_error(c->diag, &subject->loc,
		      "\"%s\" is not a systemd unit of the system slice, such as \"bacula-fd.service\"; for another cgroup write 'cgroup \"/sys/fs/cgroup/...\"'",
		      quote(shown, subject->name));
	return false;
}

/* A cgroup v2 id is the inode number of the cgroup's directory. */
static void resolve_cgroup(struct checker *c, struct mg_ast_subject *subject)
{
	bool unit = subject->name[0] != '/';
	struct mg_ast_path path = { .loc = subject->loc };
	char shown[MG_QUOTE_MAX];
	struct stat st;

	if (unit) {
		if (!check_unit_name(c, subject))
			return;
		if (asprintf(&subject->cgroup_path, UNIT_CGROUP_DIR "%s", subject->name) < 0) {
			subject->cgroup_path = NULL;
			out_of_memory(c, &subject->loc);
			return;
		}
	} else {
		if (strncmp(subject->name, CGROUP_ROOT, strlen(CGROUP_ROOT)) != 0) {
			mg_diag_error(c->diag, &subject->loc, "cgroup \"%s\" must be under " CGROUP_ROOT,
				      quote(shown, subject->name));
			return;
		}
		subject->cgroup_path = strdup(subject->name);
		if (!subject->cgroup_path) {
			out_of_memory(c, &subject->loc);
			return;
		}
	}
	path.path = subject->cgroup_path;
	if (!check_absolute(c, &path, "cgroup"))
		return;
	if (stat(subject->cgroup_path, &st) < 0) {
		missing_path(c, &path, unit ? "cgroup of the unit" : "cgroup");
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		mg_diag_error(c->diag, &subject->loc, "cgroup \"%s\" is not a directory",
			      quote(shown, subject->cgroup_path));
		return;
	}
	subject->value = st.st_ino;
	subject->resolved = true;
}

static void resolve_subject(struct checker *c, struct mg_ast_subject *subject)
{
	char shown[MG_QUOTE_MAX];
	int program;

	switch (subject->kind) {
	case MG_SUBJECT_ANY:
	case MG_SUBJECT_SIGNED:
	case MG_SUBJECT_UNSIGNED:
		subject->resolved = true;
		break;
	case MG_SUBJECT_PROGRAM:
		program = find_program(c, subject->name);
		if (program < 0) {
			unknown_program(c, subject->name, &subject->loc);
			break;
		}
		subject->value = (__u64)program + 1;
		subject->resolved = true;
		break;
	case MG_SUBJECT_UID:
	case MG_SUBJECT_GID:
		if (!subject->name) {
			subject->value = subject->number;
			subject->resolved = true;
			break;
		}
		if (subject->kind == MG_SUBJECT_UID) {
			struct passwd *pw = getpwnam(subject->name);

			subject->resolved = pw != NULL;
			subject->value = pw ? pw->pw_uid : 0;
		} else {
			struct group *gr = getgrnam(subject->name);

			subject->resolved = gr != NULL;
			subject->value = gr ? gr->gr_gid : 0;
		}
		if (!subject->resolved)
			mg_diag_error(c->diag, &subject->loc,
				      "unknown %s '%s' on this machine; create it first, or write its number",
				      subject->kind == MG_SUBJECT_UID ? "user" : "group",
				      quote(shown, subject->name));
		break;
	case MG_SUBJECT_CGROUP:
		resolve_cgroup(c, subject);
		break;
	}
}

static bool same_subject(const struct mg_ast_subject *a, const struct mg_ast_subject *b)
{
	return a->kind == b->kind && a->value == b->value;
}

/*
 * The first of the first BEFORE rules that decides operation OP for every
 * task that SUBJECT matches, among tasks that are signed (SIGNED) or not;
 * -1 if there is none. A rule for anyone, or for the same subject, decides
 * for all such tasks; a signed (unsigned) rule for those that are (not).
 */
static int first_decider(const struct mg_ast_on *on, size_t before,
			 const struct mg_ast_subject *subject, __u32 op, bool is_signed)
{
	for (size_t j = 0; j < before; j++) {
		const struct mg_ast_rule *rule = &on->rules[j];
		__u32 kind = rule->subject.kind;

		if (!(rule->ops & op) || !rule->subject.resolved)
			continue;
		if (kind == MG_SUBJECT_ANY || same_subject(&rule->subject, subject))
			return (int)j;
		if (kind == MG_SUBJECT_SIGNED && is_signed && subject->kind != MG_SUBJECT_UNSIGNED)
			return (int)j;
		if (kind == MG_SUBJECT_UNSIGNED && !is_signed && subject->kind != MG_SUBJECT_SIGNED)
			return (int)j;
	}
	return -1;
}

/*
 * Whether every operation OPS for SUBJECT is decided by one of the first
 * BEFORE rules. *CONFLICT: the index of one deciding rule with another
 * outcome than VERDICT and FLAGS, else of any deciding rule.
 */
static bool decided_before(const struct mg_ast_on *on, size_t before,
			   const struct mg_ast_subject *subject, __u32 ops, __u32 verdict,
			   __u32 flags, int *decider, bool *conflict)
{
	*decider = -1;
	*conflict = false;
	for (__u32 op = 1; op & MG_OP_ALL; op <<= 1) {
		if (!(ops & op))
			continue;
		for (int is_signed = 0; is_signed <= 1; is_signed++) {
			int j;

			if ((subject->kind == MG_SUBJECT_SIGNED && !is_signed) ||
			    (subject->kind == MG_SUBJECT_UNSIGNED && is_signed))
				continue;
			j = first_decider(on, before, subject, op, is_signed);
			if (j < 0)
				return false;
			if (*conflict)
				continue;
			*decider = j;
			*conflict = on->rules[j].verdict != verdict || on->rules[j].flags != flags;
		}
	}
	return *decider >= 0;
}

/* First match: a rule whose every case an earlier rule decides never applies. */
static void check_reachable(struct checker *c, const struct mg_ast_on *on, size_t nrules)
{
	static const struct mg_ast_subject anyone = { .kind = MG_SUBJECT_ANY, .resolved = true };
	bool conflict;
	int decider;

	for (size_t i = 1; i < nrules && !c->diag->full; i++) {
		const struct mg_ast_rule *rule = &on->rules[i];

		if (!rule->subject.resolved ||
		    !decided_before(on, i, &rule->subject, rule->ops, rule->verdict, rule->flags,
				    &decider, &conflict))
			continue;
		if (conflict)
			mg_diag_error(c->diag, &rule->loc,
				      "this rule never applies: an earlier rule decides first (%s); move this rule above it or remove it",
				      on->rules[decider].text);
		else
			mg_diag_warning(c->diag, &rule->loc,
					"this rule never applies: earlier rules already give the same answer (%s); remove it",
					on->rules[decider].text);
	}
	if (on->has_default &&
	    decided_before(on, nrules, &anyone, MG_OP_ALL, on->default_verdict, 0, &decider, &conflict))
		mg_diag_warning(c->diag, &on->default_loc,
				"'default' never applies: the rules above decide every operation for everyone");
}

static void check_on_blocks(struct checker *c)
{
	struct mg_ast *ast = c->ast;
	int first_on[MG_MAX_TREES];

	for (size_t t = 0; t < MG_MAX_TREES; t++)
		first_on[t] = -1;
	for (size_t i = 0; i < ast->nons && !c->diag->full; i++) {
		struct mg_ast_on *on = &ast->ons[i];
		size_t nrules = min_size(on->nrules, MG_MAX_RULES_PER_TREE);
		int tree = find_records(c, on->records);

		if (tree < 0) {
			unknown_records(c, on->records, &on->loc);
		} else if (first_on[tree] >= 0) {
			const struct mg_loc *first = &ast->ons[first_on[tree]].loc;

			mg_diag_error(c->diag, &on->loc,
				      "records '%s' already have their rules at %s:%u; keep one 'on %s' block",
				      on->records, first->file, first->line, on->records);
		} else {
			first_on[tree] = (int)i;
			on->tree_id = (__u32)tree;
		}
		if (on->nrules > MG_MAX_RULES_PER_TREE)
			mg_diag_error(c->diag, &on->rules[MG_MAX_RULES_PER_TREE].loc,
				      "more than %d rules in 'on %s' (MG_MAX_RULES_PER_TREE); merge rules that share a subject",
				      MG_MAX_RULES_PER_TREE, on->records);
		for (size_t r = 0; r < nrules && !c->diag->full; r++)
			resolve_subject(c, &on->rules[r].subject);
		check_reachable(c, on, nrules);
	}
	for (size_t t = 0; t < c->nrecords && !c->diag->full; t++)
		if (first_on[t] < 0 && find_records(c, ast->records[t].name) == (int)t)
			mg_diag_warning(c->diag, &ast->records[t].loc,
					"records '%s' have no 'on %s { ... }' rules: every access to them is allowed",
					ast->records[t].name, ast->records[t].name);
}

/* ---- behaviours -------------------------------------------------------- */

static void check_thresholds(struct checker *c, const struct mg_ast_behaviour *behaviour)
{
	const struct mg_ast_threshold *by_action[MG_NACTIONS] = { NULL };

	if (behaviour->nthresholds == 0)
		mg_diag_error(c->diag, &behaviour->loc,
			      "behaviour '%s' has no action; add one such as 'at 40 deny-writes;'",
			      behaviour->name);
	for (size_t i = 0; i < behaviour->nthresholds && !c->diag->full; i++) {
		const struct mg_ast_threshold *at = &behaviour->thresholds[i];

		if (by_action[at->action]) {
			mg_diag_error(c->diag, &at->loc, "action '%s' already has a threshold at line %u",
				      mg_action_name(at->action), by_action[at->action]->loc.line);
			continue;
		}
		if (at->score == 0) {
			mg_diag_error(c->diag, &at->loc,
				      "threshold of '%s' must be at least 1; leave the line out to turn the action off",
				      mg_action_name(at->action));
			continue;
		}
		by_action[at->action] = at;
	}
	/*
	 * Actions are ordered weakest first (alert, deny-writes, kill, freeze;
	 * alert before deny-reads); a stronger one must not fire before a
	 * weaker one. Denying reads and denying writes answer different
	 * behaviours and are not ordered against each other.
	 */
	for (int stronger = 1; stronger < MG_NACTIONS && !c->diag->full; stronger++) {
		const struct mg_ast_threshold *high = by_action[stronger];

		for (int weaker = 0; high && weaker < stronger; weaker++) {
			const struct mg_ast_threshold *low = by_action[weaker];

			if (stronger == MG_ACTION_DENY_READS && weaker != MG_ACTION_ALERT)
				continue;
			if (!low || low->score <= high->score)
				continue;
			mg_diag_error(c->diag, &high->loc,
				      "'at %u %s' comes before 'at %u %s' (line %u); a stronger action needs a score at least as high",
				      high->score, mg_action_name(high->action), low->score,
				      mg_action_name(low->action), low->loc.line);
			break;
		}
	}
}

/* Each exempt name is a program that is not an interpreter, named once. */
static void check_exempt(struct checker *c, struct mg_ast_behaviour *behaviour)
{
	char shown[MG_QUOTE_MAX];

	if (behaviour->nexempt > MG_MAX_EXEMPT_PROGRAMS)
		mg_diag_error(c->diag, &behaviour->exempt[MG_MAX_EXEMPT_PROGRAMS].loc,
			      "behaviour '%s' exempts more than %d programs; exempt only package managers",
			      behaviour->name, MG_MAX_EXEMPT_PROGRAMS);
	for (size_t i = 0; i < behaviour->nexempt && !c->diag->full; i++) {
		struct mg_ast_exempt *exempt = &behaviour->exempt[i];
		int program = find_program(c, exempt->program);

		if (program < 0) {
			unknown_program(c, exempt->program, &exempt->loc);
			continue;
		}
		if (c->ast->programs[program].interpreter) {
			mg_diag_error(c->diag, &exempt->loc,
				      "'%s' is an interpreter: it runs whatever script it is given, so it cannot be exempt",
				      quote(shown, exempt->program));
			continue;
		}
		exempt->program_id = (__u32)program + 1;
		for (size_t j = 0; j < i; j++) {
			if (behaviour->exempt[j].program_id != exempt->program_id)
				continue;
			mg_diag_error(c->diag, &exempt->loc, "program '%s' is already exempt at line %u",
				      quote(shown, exempt->program), behaviour->exempt[j].loc.line);
			break;
		}
	}
}

static void check_behaviour(struct checker *c, struct mg_ast_behaviour *behaviour)
{
	const struct mg_ast_score *by_signal[MG_NSIGNALS] = { NULL };

	if (!behaviour->has_window)
		mg_diag_error(c->diag, &behaviour->loc,
			      "behaviour '%s' has no window; add one such as 'window 10s;'", behaviour->name);
	else if (behaviour->window_ns < 1000000 || behaviour->window_ns > MG_POLICY_MAX_WINDOW_NS)
		mg_diag_error(c->diag, &behaviour->window_loc,
			      "window of behaviour '%s' must be between 1ms and 24h", behaviour->name);
	if (behaviour->nscores == 0)
		mg_diag_error(c->diag, &behaviour->loc,
			      "behaviour '%s' scores no signal; add lines such as 'score rename-ext 4;'",
			      behaviour->name);
	for (size_t i = 0; i < behaviour->nscores && !c->diag->full; i++) {
		const struct mg_ast_score *score = &behaviour->scores[i];

		if (by_signal[score->signal])
			mg_diag_error(c->diag, &score->loc, "signal '%s' is already scored at line %u",
				      mg_signal_name(score->signal), by_signal[score->signal]->loc.line);
		else
			by_signal[score->signal] = score;
	}
	check_thresholds(c, behaviour);
	check_exempt(c, behaviour);
}

static void check_behaviours(struct checker *c)
{
	struct mg_ast *ast = c->ast;
	size_t watchers[MG_MAX_TREES] = { 0 };
	for (size_t i = 0; i < ast->nbehaviours && !c->diag->full; i++) {
		struct mg_ast_behaviour *behaviour = &ast->behaviours[i];
		int tree = find_records(c, behaviour->records);

		if (check_name(c, behaviour->name, &behaviour->loc, "behaviour")) {
			for (size_t j = 0; j < i; j++) {
				if (strcmp(ast->behaviours[j].name, behaviour->name) != 0)
					continue;
				mg_diag_error(c->diag, &behaviour->loc,
					      "behaviour '%s' is already declared at %s:%u", behaviour->name,
					      ast->behaviours[j].loc.file, ast->behaviours[j].loc.line);
				break;
			}
		}
		if (tree < 0) {
			unknown_records(c, behaviour->records, &behaviour->records_loc);
		} else if (watchers[tree] >= MG_MAX_BEHAVIOURS_PER_TREE) {
			mg_diag_error(c->diag, &behaviour->records_loc,
				      "records '%s' are already watched by %d behaviours; merge two of them",
				      behaviour->records, MG_MAX_BEHAVIOURS_PER_TREE);
		} else {
			behaviour->slot = (__u32)watchers[tree]++;
			behaviour->tree_id = (__u32)tree;
		}
		check_behaviour(c, behaviour);
	}
}

/* ---- the policy as a whole --------------------------------------------- */

static bool needs_trust(const struct mg_ast *ast)
{
	if (ast->nprograms)
		return true;
	for (size_t i = 0; i < ast->nons; i++)
		for (size_t r = 0; r < ast->ons[i].nrules; r++)
			if (ast->ons[i].rules[r].subject.kind == MG_SUBJECT_SIGNED ||
			    ast->ons[i].rules[r].subject.kind == MG_SUBJECT_UNSIGNED)
				return true;
	return false;
}

static void check_whole(struct checker *c)
{
	struct mg_ast *ast = c->ast;
	struct mg_loc whole = { ast->files[0], 0, 0 };

	if (ast->nrecords == 0)
		mg_diag_warning(c->diag, &whole,
				"the policy protects nothing; add a 'records' statement naming the medical records");
	if (!ast->nkeys && !ast->allowlists.n && !ast->ntrust_packages && !ast->trust_scan.n &&
	    needs_trust(ast))
		mg_diag_warning(c->diag, &whole,
				"no trust source (key, allowlist, trust packages or trust scan): no program can be signed");
}

void mg_policy_check(struct mg_ast *ast, struct mg_diag *diag)
{
	struct checker c = { .ast = ast, .diag = diag };

	if (ast->nfiles == 0)
		return;
	check_limits(&c);
	check_mode(&c);
	check_keys(&c);
	check_trust_sources(&c);
	check_records(&c);
	check_canaries(&c);
	check_programs(&c);
	check_on_blocks(&c);
	check_behaviours(&c);
	check_whole(&c);
}
