// SPDX-License-Identifier: GPL-2.0-only
/*
 * A checked policy into the core's maps: its paths resolved to (device,
 * inode), its records trees, programs, medguard's own files and the
 * directories above them, and its behaviours written into the next
 * generation, made live with one store. The live generation's paths are
 * kept for event paths and for the check of locked paths at a reload.
 */
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "policy_maps.h"
#include "loader_internal.h"
#include "lib/lib.h"
#include "trust/trust.h"

struct apply_state {
	struct mg_loader *loader;
	__u32 generation;
	FILE *diag;
	struct root_path *roots;
	size_t nroots;
};

/* Removes every key of GENERATION from a map keyed by {dev, ino, generation}. */
static void clear_generation_keys(int map_fd, __u32 generation)
{
	struct mg_object_key key, next, *previous = NULL;

	/* Restart after each delete: deleting the current key ends a hash walk. */
	while (bpf_map_get_next_key(map_fd, previous, &next) == 0) {
		key = next;
		if (key.generation == generation) {
			bpf_map_delete_elem(map_fd, &key);
			previous = NULL;
			continue;
		}
		previous = &key;
	}
}

static int add_object(struct apply_state *state, const char *what, const char *path, __u32 tree_id,
		      __u32 flags)
{
	struct mg_object_key key = { .generation = state->generation };
	struct mg_object object = { .tree_id = tree_id, .flags = flags };
	struct mg_object device = { .tree_id = tree_id, .flags = MG_OBJECT_DEVICE };
	int fd = bpf_map__fd(state->loader->skel->maps.mg_objects);
	struct root_path *grown;
	struct statx stx;
	struct stat st;

	if (stat(path, &st)) {
		fprintf(state->diag, "medguard: %s: cannot use %s: %s; create it or fix the policy\n", what, path,
			strerror(errno));
		return -errno;
	}
	if (statx(AT_FDCWD, path, 0, STATX_MNT_ID, &stx) == 0 && (stx.stx_mask & STATX_MNT_ID))
		object.mnt_id = (__u32)stx.stx_mnt_id;
	key.dev = mg_superblock_dev(AT_FDCWD, path, 0, &st);
	key.ino = 0;
	if (bpf_map_update_elem(fd, &key, &device, BPF_ANY))
		goto full;
	key.ino = st.st_ino;
	if (bpf_map_update_elem(fd, &key, &object, BPF_ANY))
		goto full;
	grown = realloc(state->roots, (state->nroots + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	state->roots = grown;
	state->roots[state->nroots].dev = key.dev;
	state->roots[state->nroots].ino = key.ino;
	state->roots[state->nroots].flags = flags;
	state->roots[state->nroots].path = strdup(path);
	if (!state->roots[state->nroots++].path)
		return -ENOMEM;
	return 0;
full:
	fprintf(state->diag, "medguard: %s: cannot protect %s: %s (at most %d protected objects)\n", what, path,
		strerror(errno), MG_MAX_OBJECTS);
	return -errno;
}

/*
 * What the d_parent walk cannot see from the roots alone: files of the tree
 * with other names elsewhere, and filesystems mounted inside it.
 */
static int add_hidden_paths(struct apply_state *state, const char *what, const char *root, __u32 tree_id)
{
	char *const roots[] = { (char *)root, NULL };
	FTSENT *entry;
	FTS *walk;
	int err = 0;

	walk = fts_open(roots, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	if (!walk)
		return 0;
	while (!err && (entry = fts_read(walk))) {
		if (entry->fts_info == FTS_F && entry->fts_statp->st_nlink > 1)
			err = add_object(state, what, entry->fts_path, tree_id, MG_OBJECT_LINKED);
		else if (entry->fts_info == FTS_D && entry->fts_level > 0 &&
			 entry->fts_statp->st_dev != entry->fts_parent->fts_statp->st_dev)
			err = add_object(state, what, entry->fts_path, tree_id, MG_OBJECT_MOUNT);
	}
	fts_close(walk);
	return err;
}

/*
 * One of medguard's own files or directories, unless it does not exist (yet)
 * or a records tree already holds it: the records rules then decide.
 */
static int add_anchor(struct apply_state *state, const char *path)
{
	struct mg_object_key key = { .generation = state->generation };
	struct mg_object existing;
	struct stat st;

	if (stat(path, &st))
		return 0;
	key.dev = mg_superblock_dev(AT_FDCWD, path, 0, &st);
	key.ino = st.st_ino;
	if (!bpf_map_lookup_elem(bpf_map__fd(state->loader->skel->maps.mg_objects), &key, &existing))
		return 0;
	return add_object(state, "medguard's own files", path, MG_TREE_MEDGUARD, MG_OBJECT_ANCHOR);
}

/* What changes the policy in force when changed: its files, keys and allowlists, the daemon's own. */
static int add_anchors(struct apply_state *state, const struct mg_policy *policy)
{
	const char *const *extra = state->loader->anchors;
	size_t i;
	int err = 0;

	for (i = 0; i < policy->nsources && !err; i++)
		err = add_anchor(state, policy->sources[i]);
	for (i = 0; i < policy->nkeys && !err; i++)
		err = add_anchor(state, policy->keys[i].path);
	for (i = 0; i < policy->nallowlists && !err; i++)
		err = add_anchor(state, policy->allowlists[i]);
	for (; extra && *extra && !err; extra++)
		err = add_anchor(state, *extra);
	if (!err && state->loader->pinned)
		err = add_anchor(state, MG_PIN_DIR);
	return err;
}

/* The length of the prefix of PATH[0..LEN) that names its parent directory; 0 above "/". */
static size_t parent_length(const char *path, size_t len)
{
	if (len <= 1)
		return 0;
	while (len > 0 && path[len - 1] != '/')
		len--;
	return len > 1 ? len - 1 : 1;
}

/* The flags of the object at PATH[0..LEN) in the generation being built; 0 when none. */
static __u32 object_flags_at(struct apply_state *state, const char *path, size_t len)
{
	struct mg_object_key key = { .generation = state->generation };
	struct mg_object existing;
	char *dir = strndup(path, len);
	struct stat st;
	__u32 flags = 0;

	if (dir && stat(dir, &st) == 0) {
		key.dev = mg_superblock_dev(AT_FDCWD, dir, 0, &st);
		key.ino = st.st_ino;
		if (!bpf_map_lookup_elem(bpf_map__fd(state->loader->skel->maps.mg_objects), &key, &existing))
			flags = existing.flags;
	}
	free(dir);
	return flags;
}

/*
 * The directories above NAMED, up to / or to one already added for another
 * path; none when NAMED lies inside another object (a records tree, one of
 * medguard's directories), whose own ancestors are the ones that count.
 */
static int add_ancestors_of(struct apply_state *state, const char *named)
{
	char *real = realpath(named, NULL), *dir;
	size_t len, stop = 0;
	__u32 flags;
	int err = 0;

	if (!real)
		return 0;
	for (len = parent_length(real, strlen(real)); len; len = parent_length(real, len)) {
		flags = object_flags_at(state, real, len);
		if (flags & MG_OBJECT_ANCESTOR) {
			stop = len;
			break;
		}
		if (flags)
			goto out;
	}
	for (len = parent_length(real, strlen(real)); len > stop && !err; len = parent_length(real, len)) {
		dir = strndup(real, len);
		if (!dir) {
			err = -ENOMEM;
			break;
		}
		err = add_object(state, "a directory above what the policy names", dir, MG_TREE_MEDGUARD,
				 MG_OBJECT_ANCESTOR);
		free(dir);
	}
out:
	free(real);
	return err;
}

/*
 * While the daemon is guarded the kernel refuses renaming, removing or
 * mounting on the directories above the records roots and medguard's own
 * files: the paths the policy names keep naming what is protected.
 */
static int add_ancestors(struct apply_state *state)
{
	size_t named = state->nroots;
	int err = 0;

	for (size_t i = 0; i < named && !err; i++)
		if (state->roots[i].flags & (MG_OBJECT_ROOT | MG_OBJECT_ANCHOR))
			err = add_ancestors_of(state, state->roots[i].path);
	return err;
}

static int add_tree(struct apply_state *state, const struct mg_policy_tree *tree)
{
	char what[128];
	__u32 index = state->generation * MG_MAX_TREES + tree->tree_id;
	glob_t matches;
	size_t i, j;
	int err;

	snprintf(what, sizeof(what), "records '%s'", tree->name);
	for (i = 0; i < tree->nroots; i++) {
		err = add_object(state, what, tree->roots[i], tree->tree_id, MG_OBJECT_ROOT);
		if (!err)
			err = add_hidden_paths(state, what, tree->roots[i], tree->tree_id);
		if (err)
			return err;
	}
	snprintf(what, sizeof(what), "canary of '%s'", tree->name);
	for (i = 0; i < tree->ncanaries; i++) {
		if (glob(tree->canaries[i], GLOB_NOSORT, NULL, &matches))
			continue;
		for (j = 0, err = 0; j < matches.gl_pathc && !err; j++)
			err = add_object(state, what, matches.gl_pathv[j], tree->tree_id, MG_OBJECT_CANARY);
		globfree(&matches);
		if (err)
			return err;
	}
	if (bpf_map_update_elem(bpf_map__fd(state->loader->skel->maps.mg_trees), &index, &tree->kernel, BPF_ANY)) {
		fprintf(state->diag, "medguard: cannot write the rules of records '%s': %s\n", tree->name,
			strerror(errno));
		return -errno;
	}
	return 0;
}

/* 0 when PATH's content has SHA-256 DIGEST, -EBADMSG when not, else -errno. */
static int check_digest(const char *path, const unsigned char digest[32])
{
	const EVP_MD *const sha256[] = { EVP_sha256() };
	unsigned char actual[1][EVP_MAX_MD_SIZE];
	struct stat st;
	int fd, err;

	fd = mg_trust_open(path, &st);
	if (fd < 0)
		return fd;
	err = mg_trust_hash_fd(fd, &st, sha256, 1, actual);
	close(fd);
	if (err)
		return err;
	return memcmp(actual[0], digest, 32) ? -EBADMSG : 0;
}

static int add_program(struct apply_state *state, const struct mg_policy_program *program)
{
	struct mg_program_key key = { .generation = state->generation };
	struct mg_program value = {
		.program_id = program->program_id,
		.flags = program->flags,
		.required_key_id = program->required_key_id,
	};
	struct stat st;
	size_t i;
	int err;

	if (!program->nexes && program->if_installed)
		return 0;
	if (!program->nexes) {
		/* Named by its key: the kernel looks it up as (0, key id). */
		key.dev = 0;
		key.ino = program->required_key_id;
		if (bpf_map_update_elem(bpf_map__fd(state->loader->skel->maps.mg_programs), &key, &value, BPF_ANY)) {
			fprintf(state->diag, "medguard: program '%s': cannot register its key: %s\n", program->name,
				strerror(errno));
			return -errno;
		}
		return 0;
	}
	for (i = 0; i < program->nexes; i++) {
		if (stat(program->exes[i], &st)) {
			fprintf(state->diag, "medguard: program '%s': cannot use %s: %s; install it or fix the policy\n",
				program->name, program->exes[i], strerror(errno));
			return -errno;
		}
		if (program->has_digest) {
			err = check_digest(program->exes[i], program->digest);
			if (err) {
				fprintf(state->diag, "medguard: program '%s': %s %s; update the digest in the policy "
						     "or restore the file\n", program->name, program->exes[i],
					err == -EBADMSG ? "does not have the digest the policy names" : strerror(-err));
				return err;
			}
		}
		key.dev = mg_superblock_dev(AT_FDCWD, program->exes[i], 0, &st);
		key.ino = st.st_ino;
		if (bpf_map_update_elem(bpf_map__fd(state->loader->skel->maps.mg_programs), &key, &value, BPF_ANY)) {
			fprintf(state->diag, "medguard: program '%s': cannot register %s: %s (at most %d)\n",
				program->name, program->exes[i], strerror(errno), MG_MAX_PROGRAM_EXES);
			return -errno;
		}
	}
	return 0;
}

/* Behaviour rules of the next generation; trees without one are not scored. */
static int add_behaviours(struct apply_state *state, const struct mg_policy *policy)
{
	int fd = bpf_map__fd(state->loader->skel->maps.mg_behaviours);
	const struct mg_behaviour off = { 0 };
	__u32 slot, index;
	size_t i;

	for (slot = 0; slot < MG_MAX_TREES * MG_MAX_BEHAVIOURS_PER_TREE; slot++) {
		index = state->generation * MG_MAX_TREES * MG_MAX_BEHAVIOURS_PER_TREE + slot;
		if (bpf_map_update_elem(fd, &index, &off, BPF_ANY))
			goto fail;
	}
	for (i = 0; i < policy->nbehaviours; i++) {
		index = (state->generation * MG_MAX_TREES + policy->behaviours[i].tree_id) * MG_MAX_BEHAVIOURS_PER_TREE +
			policy->behaviours[i].slot;
		if (bpf_map_update_elem(fd, &index, &policy->behaviours[i].kernel, BPF_ANY))
			goto fail;
	}
	return 0;
fail:
	fprintf(state->diag, "medguard: cannot write the behaviour rules: %s\n", strerror(errno));
	return -errno;
}

static void free_roots(struct root_path *roots, size_t nroots)
{
	size_t i;

	for (i = 0; i < nroots; i++)
		free(roots[i].path);
	free(roots);
}

/*
 * PATH of the live generation names the same file now (0), another one
 * (-ESTALE: replaced, moved or mounted over) or none the generation has
 * (-ENOENT).
 */
static int same_file_as_live(const struct mg_loader *loader, const char *path)
{
	struct stat st;
	bool named = false;

	for (size_t i = 0; i < loader->nroots; i++) {
		if (strcmp(loader->roots[i].path, path))
			continue;
		named = true;
		if (stat(path, &st) == 0 && loader->roots[i].ino == st.st_ino &&
		    loader->roots[i].dev == mg_superblock_dev(AT_FDCWD, path, 0, &st))
			return 0;
	}
	return named ? -ESTALE : -ENOENT;
}

/*
 * While medguard's own files are locked, their contents cannot change, but
 * the paths to them can: a directory above renamed, or a filesystem
 * mounted over. A reload then takes only the files the policy in force
 * protects, and records roots that still lead where they led; anything
 * else waits for a signed unlock.
 */
int live_paths_moved(const struct mg_loader *loader, const struct mg_policy *policy, FILE *diag)
{
	const char *path = NULL, *why = NULL;
	size_t i, j;

	for (i = 0; i < policy->nsources + policy->nkeys + policy->nallowlists && !why; i++) {
		if (i < policy->nsources)
			path = policy->sources[i];
		else if (i < policy->nsources + policy->nkeys)
			path = policy->keys[i - policy->nsources].path;
		else
			path = policy->allowlists[i - policy->nsources - policy->nkeys];
		if (same_file_as_live(loader, path))
			why = "is not the file the policy in force protects (new, replaced, moved or mounted over)";
	}
	for (i = 0; i < policy->ntrees && !why; i++)
		for (j = 0; j < policy->trees[i].nroots && !why; j++)
			if (same_file_as_live(loader, (path = policy->trees[i].roots[j])) == -ESTALE)
				why = "no longer leads to the records root in force (moved or mounted over)";
	if (!why)
		return 0;
	fprintf(diag, "medguard: %s %s; the policy in force stays, unlock first ('medguard unlock --key FILE')\n",
		path, why);
	return -EPERM;
}

int mg_loader_apply(struct mg_loader *loader, const struct mg_policy *policy, FILE *diag)
{
	struct medguard *skel = loader->skel;
	struct apply_state state = {
		.loader = loader,
		.generation = (__atomic_load_n(&skel->bss->active_generation, __ATOMIC_ACQUIRE) + 1) % MG_GENERATIONS,
		.diag = diag,
	};
	struct mg_generation settings = { .mode = policy->mode, .ntrees = policy->ntrees };
	size_t i;
	int err = 0;

	clear_generation_keys(bpf_map__fd(skel->maps.mg_objects), state.generation);
	clear_generation_keys(bpf_map__fd(skel->maps.mg_programs), state.generation);
	for (i = 0; i < policy->ntrees && !err; i++)
		err = add_tree(&state, &policy->trees[i]);
	for (i = 0; i < policy->nprograms && !err; i++)
		err = add_program(&state, &policy->programs[i]);
	if (!err)
		err = add_anchors(&state, policy);
	if (!err)
		err = add_ancestors(&state);
	if (!err)
		err = add_behaviours(&state, policy);
	if (!err && bpf_map_update_elem(bpf_map__fd(skel->maps.mg_generations), &state.generation, &settings,
					BPF_ANY)) {
		err = -errno;
		fprintf(diag, "medguard: cannot write the policy settings: %s\n", strerror(errno));
	}
	if (err) {
		clear_generation_keys(bpf_map__fd(skel->maps.mg_objects), state.generation);
		clear_generation_keys(bpf_map__fd(skel->maps.mg_programs), state.generation);
		free_roots(state.roots, state.nroots);
		return err;
	}

	__atomic_store_n(&skel->bss->active_generation, state.generation, __ATOMIC_RELEASE);

	free_roots(loader->roots, loader->nroots);
	loader->roots = state.roots;
	loader->nroots = state.nroots;
	return 0;
}

/* A state that adds to the live generation: what appears after it was applied. */
static struct apply_state live_state(struct mg_loader *loader, FILE *log)
{
	struct apply_state state = {
		.loader = loader,
		.generation = __atomic_load_n(&loader->skel->bss->active_generation, __ATOMIC_ACQUIRE),
		.diag = log,
		.roots = loader->roots,
		.nroots = loader->nroots,
	};

	return state;
}

static void keep_live_roots(struct mg_loader *loader, const struct apply_state *state)
{
	loader->roots = state->roots;
	loader->nroots = state->nroots;
}

int mg_loader_anchor_paths(struct mg_loader *loader, const struct mg_policy *policy, FILE *log)
{
	struct apply_state state = live_state(loader, log);
	int err = add_anchors(&state, policy);

	if (!err)
		err = add_ancestors(&state);
	keep_live_roots(loader, &state);
	return err;
}

int anchor_in_live_generation(struct mg_loader *loader, const char *path, FILE *log)
{
	struct apply_state state = live_state(loader, log);
	int err = add_anchor(&state, path);

	if (!err)
		err = add_ancestors_of(&state, path);
	keep_live_roots(loader, &state);
	return err;
}

void forget_live_roots(struct mg_loader *loader)
{
	free_roots(loader->roots, loader->nroots);
	loader->roots = NULL;
	loader->nroots = 0;
}

__u32 mg_loader_generation(const struct mg_loader *loader)
{
	return __atomic_load_n(&loader->skel->bss->active_generation, __ATOMIC_ACQUIRE);
}

int mg_loader_program_of(const struct mg_loader *loader, __u64 dev, __u64 ino, struct mg_program *program)
{
	struct mg_program_key key = { .dev = dev, .ino = ino, .generation = mg_loader_generation(loader) };

	if (bpf_map_lookup_elem(bpf_map__fd(loader->skel->maps.mg_programs), &key, program))
		return -ENOENT;
	return 0;
}

const char *mg_loader_root_path(const struct mg_loader *loader, __u64 dev, __u64 ino)
{
	size_t i;

	for (i = 0; i < loader->nroots; i++)
		if (loader->roots[i].dev == dev && loader->roots[i].ino == ino)
			return loader->roots[i].path;
	return NULL;
}
