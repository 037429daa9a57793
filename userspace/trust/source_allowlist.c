// SPDX-License-Identifier: GPL-2.0-only
/* The allowlist source: the SHA-256 of the file's content is in one of the policy's allowlists. */
#include "allowlist.h"
#include "source.h"

static int allowlist_load(const struct mg_trust_load *from, void **state, FILE *diag)
{
	struct mg_allowlist *allowlist;
	char err[1024];
	int ret = 0;

	if (!from->sources->nallowlists)
		return 0;
	allowlist = mg_allowlist_new();
	if (!allowlist) {
		mg_trust_diag(diag, "medguard: cannot load trust sources: out of memory");
		return -1;
	}
	for (size_t i = 0; i < from->sources->nallowlists; i++) {
		if (mg_allowlist_load(allowlist, from->sources->allowlists[i], err, sizeof(err))) {
			mg_trust_diag(diag, "%s", err);
			ret = -1;
		}
	}
	/* Allowlists without entries vouch for nothing: the source is then as if none were named. */
	if (mg_allowlist_count(allowlist))
		*state = allowlist;
	else
		mg_allowlist_free(allowlist);
	return ret;
}

static void allowlist_close(void *state)
{
	mg_allowlist_free(state);
}

static void allowlist_look(const void *state, const struct mg_trust_file *file, struct mg_trust_look *look)
{
	(void)state;
	(void)file;
	look->md = EVP_sha256();
}

static bool allowlist_verify(const struct mg_trust_ctx *ctx, const void *state, const struct mg_trust_file *file,
			     struct mg_trust_look *look, struct mg_trust *trust, char *why, size_t why_size)
{
	(void)ctx;
	if (!mg_allowlist_match(state, look->digest, file->names, file->nnames))
		return false;
	trust->source = MG_TRUST_ALLOWLIST;
	snprintf(why, why_size, "its SHA-256 is in an allowlist");
	return true;
}

static void allowlist_explain(const void *state, const struct mg_trust_look *look, char *clause, size_t size)
{
	int used;

	(void)state;
	if (!look->md) {
		snprintf(clause, size, "no allowlists");
		return;
	}
	used = snprintf(clause, size, "SHA-256 ");
	for (size_t i = 0; i < MG_SHA256_BYTES; i++)
		used += snprintf(clause + used, size - used, "%02x", look->digest[i]);
	snprintf(clause + used, size - used, " is in no allowlist");
}

/* Entries bound to a path name their file: it is verified, and its directory watched, at once. */
static void allowlist_for_each(const struct mg_trust_ctx *ctx, const void *state, const struct mg_trust_feed *feed)
{
	(void)ctx;
	for (size_t i = 0; i < mg_allowlist_count(state); i++)
		if (mg_allowlist_path_at(state, i))
			feed->named(mg_allowlist_path_at(state, i), feed->arg);
}

const struct mg_trust_source_ops mg_trust_allowlist_source = {
	.name = "allowlist",
	.feeds_mapped_libraries = true,
	.load = allowlist_load,
	.close = allowlist_close,
	.look = allowlist_look,
	.verify = allowlist_verify,
	.explain = allowlist_explain,
	.for_each = allowlist_for_each,
};
