/* tuf_fx.c - the generated TUF repository: its state (keys, roles,
 * versions, targets, delegations) and the Sigstore-shaped shortcuts; the
 * documents are built in tuf_fx_publish.c (see tuf_fx.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "http_fx.h"
#include "tuf/tuf.h"
#include "tuf_fx_impl.h"

const char *const TFX_TOP[R_TOP] = { "root", "timestamp", "snapshot",
	                                "targets" };

/* ---- state ------------------------------------------------------------ */

struct tfx_role *
tfx_role_of(struct tfx *r, const char *name)
{
	for (size_t i = 0; i < r->nroles; i++) {
		if (strcmp(r->roles[i].name, name) == 0)
			return &r->roles[i];
	}
	cr_assert_fail("tuf_fx: no role %s", name);
	return NULL;
}

struct tfx_key *
tfx_key_new(struct tfx *r, enum tfx_scheme s)
{
	cr_assert_lt(r->nall, TFX_MAX_ALL_KEYS);
	r->all[r->nall] = tfx_key_make(s);
	return r->all[r->nall++];
}

const char *
tfx_key_id(const struct tfx_key *k)
{
	return k->id;
}

struct tfx *
tfx_new(int64_t now)
{
	struct tfx *r = calloc(1, sizeof(*r));

	cr_assert_not_null(r);
	r->now = now;
	r->consistent = 1;
	for (size_t i = 0; i < R_TOP; i++) {
		struct tfx_role *ro = &r->roles[r->nroles++];

		snprintf(ro->name, sizeof(ro->name), "%s", TFX_TOP[i]);
		ro->parent = -1;
		ro->version = 1;
		ro->expires = now + 30 * 86400;
		ro->keys[0] = tfx_key_new(r, TFX_ED25519);
		ro->nkeys = 1;
		ro->threshold = 1;
	}
	return r;
}

void
tfx_free(struct tfx *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nroles; i++) {
		struct tfx_role *ro = &r->roles[i];

		for (size_t j = 0; j < ro->ntargets; j++) {
			free(ro->targets[j].name);
			free(ro->targets[j].data);
		}
		for (size_t j = 0; j < ro->npaths; j++)
			free(ro->paths[j]);
		for (size_t j = 0; j < ro->nprefixes; j++)
			free(ro->prefixes[j]);
		free(ro->bytes);
	}
	for (size_t i = 0; i < r->nall; i++)
		tfx_key_free(r->all[i]);
	for (size_t i = 0; i <= TFX_MAX_ROOTS; i++)
		free(r->roots[i].bytes);
	free(r);
}

void
tfx_set_consistent(struct tfx *r, int on)
{
	r->consistent = on;
}

void
tfx_set_keys(struct tfx *r, const char *role, struct tfx_key *const *keys,
             size_t n, unsigned threshold)
{
	struct tfx_role *ro = tfx_role_of(r, role);

	cr_assert_leq(n, TFX_MAX_KEYS);
	memcpy(ro->keys, keys, n * sizeof(*keys));
	ro->nkeys = n;
	ro->threshold = threshold;
}

struct tfx_key *
tfx_add_key(struct tfx *r, const char *role, enum tfx_scheme s)
{
	struct tfx_role *ro = tfx_role_of(r, role);

	cr_assert_lt(ro->nkeys, TFX_MAX_KEYS);
	ro->keys[ro->nkeys] = tfx_key_new(r, s);
	return ro->keys[ro->nkeys++];
}

struct tfx_key *
tfx_set_new_key(struct tfx *r, const char *role, enum tfx_scheme s)
{
	struct tfx_key *k = tfx_key_new(r, s);

	tfx_set_keys(r, role, &k, 1, 1);
	return k;
}

void
tfx_set_threshold(struct tfx *r, const char *role, unsigned threshold)
{
	tfx_role_of(r, role)->threshold = threshold;
}

struct tfx_key *
tfx_role_key(struct tfx *r, const char *role, size_t i)
{
	struct tfx_role *ro = tfx_role_of(r, role);

	cr_assert_lt(i, ro->nkeys);
	return ro->keys[i];
}

void
tfx_sign_with(struct tfx *r, const char *role, struct tfx_key *const *keys,
              size_t n)
{
	struct tfx_role *ro = tfx_role_of(r, role);

	cr_assert_leq(n, TFX_MAX_KEYS);
	if (n > 0)
		memcpy(ro->signers, keys, n * sizeof(*keys));
	ro->nsigners = n;
}

void
tfx_set_bad_signature(struct tfx *r, const char *role, int on)
{
	tfx_role_of(r, role)->bad_sig = on;
}

void
tfx_set_version(struct tfx *r, const char *role, uint64_t version)
{
	tfx_role_of(r, role)->version = version;
}

uint64_t
tfx_version(struct tfx *r, const char *role)
{
	return tfx_role_of(r, role)->version;
}

void
tfx_bump(struct tfx *r, const char *role)
{
	tfx_role_of(r, role)->version++;
}

void
tfx_bump_release(struct tfx *r)
{
	tfx_bump(r, "targets");
	tfx_bump(r, "snapshot");
	tfx_bump(r, "timestamp");
}

void
tfx_set_expires(struct tfx *r, const char *role, int64_t expires)
{
	tfx_role_of(r, role)->expires = expires;
}

void
tfx_meta_hashes(struct tfx *r, const char *role, int on)
{
	tfx_role_of(r, role)->meta_hashes = on;
}

void
tfx_meta_version_delta(struct tfx *r, const char *role, int64_t delta)
{
	tfx_role_of(r, role)->meta_version_delta = delta;
}

void
tfx_meta_bad_hash(struct tfx *r, const char *role, int on)
{
	struct tfx_role *ro = tfx_role_of(r, role);

	ro->meta_bad_hash = on;
	if (on)
		ro->meta_hashes = 1;
}

void
tfx_meta_length(struct tfx *r, const char *role, uint64_t length)
{
	struct tfx_role *ro = tfx_role_of(r, role);

	ro->meta_length = length;
	ro->meta_hashes = 1;
}

void
tfx_meta_bad_length(struct tfx *r, const char *role, int on)
{
	struct tfx_role *ro = tfx_role_of(r, role);

	ro->meta_bad_length = on;
	if (on)
		ro->meta_hashes = 1;
}

/* ---- targets and delegations ------------------------------------------- */

static struct tfx_target *
target_of(struct tfx_role *ro, const char *name)
{
	for (size_t i = 0; i < ro->ntargets; i++) {
		if (strcmp(ro->targets[i].name, name) == 0)
			return &ro->targets[i];
	}
	return NULL;
}

void
tfx_add_target(struct tfx *r, const char *role, const char *name,
               const void *data, size_t len)
{
	struct tfx_role *ro = tfx_role_of(r, role);
	struct tfx_target *t = target_of(ro, name);

	if (t == NULL) {
		cr_assert_lt(ro->ntargets, TFX_MAX_TARGETS);
		t = &ro->targets[ro->ntargets++];
		t->name = strdup(name);
		cr_assert_not_null(t->name);
	}
	free(t->data);
	t->data = malloc(len + 1);
	cr_assert_not_null(t->data);
	memcpy(t->data, data, len);
	t->len = len;
}

void
tfx_remove_target(struct tfx *r, const char *role, const char *name)
{
	struct tfx_role *ro = tfx_role_of(r, role);
	struct tfx_target *t = target_of(ro, name);
	size_t i;

	cr_assert_not_null(t, "tuf_fx: no target %s in %s", name, role);
	i = (size_t)(t - ro->targets);
	free(t->name);
	free(t->data);
	memmove(t, t + 1, (ro->ntargets - i - 1) * sizeof(*t));
	ro->ntargets--;
}

const char *
tfx_target_path(struct tfx *r, const char *role, const char *name, char *buf,
                size_t buflen)
{
	struct tfx_target *t = target_of(tfx_role_of(r, role), name);
	const char *slash;
	char hex[65];
	int n;

	cr_assert_not_null(t, "tuf_fx: no target %s in %s", name, role);
	if (!r->consistent) {
		n = snprintf(buf, buflen, "/targets/%s", name);
	} else {
		/* The hash goes before the file name, after any directory. */
		tfx_sha256_hex(hex, t->data, t->len);
		slash = strrchr(name, '/');
		if (slash == NULL)
			n = snprintf(buf, buflen, "/targets/%s.%s", hex, name);
		else
			n = snprintf(buf, buflen, "/targets/%.*s/%s.%s",
			             (int)(slash - name), name, hex, slash + 1);
	}
	cr_assert(n > 0 && (size_t)n < buflen);
	return buf;
}

static void
dup_list(char **dst, size_t *n, const char *const *src)
{
	for (*n = 0; src != NULL && src[*n] != NULL; (*n)++) {
		cr_assert_lt(*n, TFX_MAX_PATTERNS);
		dst[*n] = strdup(src[*n]);
		cr_assert_not_null(dst[*n]);
	}
}

void
tfx_delegate(struct tfx *r, const char *parent, const char *name,
             const char *const *paths, const char *const *hash_prefixes,
             int terminating)
{
	int p = (int)(tfx_role_of(r, parent) - r->roles);
	struct tfx_role *ro;

	cr_assert_lt(r->nroles, TFX_MAX_ROLES);
	cr_assert((paths == NULL) != (hash_prefixes == NULL));
	ro = &r->roles[r->nroles++];
	memset(ro, 0, sizeof(*ro));
	snprintf(ro->name, sizeof(ro->name), "%s", name);
	ro->parent = p;
	ro->version = 1;
	ro->expires = r->now + 30 * 86400;
	ro->keys[0] = tfx_key_new(r, TFX_ED25519);
	ro->nkeys = 1;
	ro->threshold = 1;
	ro->terminating = terminating;
	ro->use_prefixes = hash_prefixes != NULL;
	dup_list(ro->paths, &ro->npaths, paths);
	dup_list(ro->prefixes, &ro->nprefixes, hash_prefixes);
}

/* ---- Sigstore-shaped repositories -------------------------------------- */

struct tfx *
tfx_sigstore_repo(struct hfx *s, int64_t now, const void *tr, size_t tr_len,
                  const void *sc, size_t sc_len)
{
	struct tfx *r = tfx_new(now);

	for (size_t i = 0; i < R_TOP; i++)
		tfx_set_new_key(r, TFX_TOP[i], TFX_ECDSA);
	tfx_add_target(r, "targets", "trusted_root.json", tr, tr_len);
	if (sc != NULL)
		tfx_add_target(r, "targets", "signing_config.v0.2.json", sc,
		               sc_len);
	tfx_publish(r, s);
	return r;
}

void
tfx_sigstore_update(struct tfx *r, struct hfx *s, const void *tr,
                    size_t tr_len, const void *sc, size_t sc_len,
                    int rotate_root)
{
	if (rotate_root) {
		tfx_root_rotate(r);
		tfx_set_new_key(r, "root", TFX_ECDSA);
	}
	tfx_add_target(r, "targets", "trusted_root.json", tr, tr_len);
	if (sc != NULL)
		tfx_add_target(r, "targets", "signing_config.v0.2.json", sc,
		               sc_len);
	tfx_bump_release(r);
	tfx_publish(r, s);
}
