/* tuf_fx_publish.c - the generated TUF repository's documents: built from
 * its state, signed over canonical JSON and put on the loopback server
 * (see tuf_fx.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "http_fx.h"
#include "tuf/tuf.h"
#include "tuf_fx_impl.h"

/* ---- documents --------------------------------------------------------- */

static json_t *
expires_json(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];

	cr_assert_not_null(gmtime_r(&tt, &tm));
	cr_assert(strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0);
	return json_string(buf);
}

static json_t *
signed_base(const char *type, const struct tfx_role *ro)
{
	json_t *s = json_pack("{s:s, s:s, s:I, s:o}", "_type", type,
	                      "spec_version", "1.0", "version",
	                      (json_int_t)ro->version, "expires",
	                      expires_json(ro->expires));

	cr_assert_not_null(s);
	return s;
}

static void
add_signer(struct tfx_key **set, size_t *n, struct tfx_key *k)
{
	for (size_t i = 0; i < *n; i++) {
		if (set[i] == k)
			return;
	}
	cr_assert_lt(*n, 2 * TFX_MAX_KEYS);
	set[(*n)++] = k;
}

/* Signs `signed` and stores the document in *out (malloc'd). */
static void
sign_doc(struct tfx *r, struct tfx_role *ro, json_t *sig_body, uint8_t **out,
         size_t *outlen)
{
	struct tfx_key *set[2 * TFX_MAX_KEYS];
	size_t n = 0, cjlen;
	json_t *sigs = json_array(), *doc;
	char *cj = NULL, *text;

	cr_assert_not_null(sigs);
	if (ro->nsigners > 0) {
		for (size_t i = 0; i < ro->nsigners; i++)
			add_signer(set, &n, ro->signers[i]);
	} else {
		for (size_t i = 0; i < ro->nkeys; i++)
			add_signer(set, &n, ro->keys[i]);
		if (ro == &r->roles[R_ROOT]) {
			for (size_t i = 0; i < r->nprev_root_keys; i++)
				add_signer(set, &n, r->prev_root_keys[i]);
		}
	}
	cr_assert_eq(pv_tuf_cjson(sig_body, &cj, &cjlen), 0);
	for (size_t i = 0; i < n; i++) {
		char *sig = tfx_key_sign(set[i], cj, cjlen, ro->bad_sig);

		cr_assert_eq(json_array_append_new(sigs, json_pack("{s:s, s:s}",
		                 "keyid", set[i]->id, "sig", sig)), 0);
		free(sig);
	}
	free(cj);
	doc = json_pack("{s:o, s:o}", "signatures", sigs, "signed", sig_body);
	cr_assert_not_null(doc);
	/* Pretty-printed, as repositories publish it: the client must keep
	 * the bytes it got, not a re-encoding. */
	text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	cr_assert_not_null(text);
	json_decref(doc);
	free(*out);
	*out = (uint8_t *)text;
	*outlen = strlen(text);
}

static json_t *
keyids_json(const struct tfx_role *ro)
{
	json_t *a = json_array();

	for (size_t i = 0; i < ro->nkeys; i++)
		json_array_append_new(a, json_string(ro->keys[i]->id));
	return a;
}

static void
keys_into(json_t *keys, const struct tfx_role *ro)
{
	for (size_t i = 0; i < ro->nkeys; i++)
		json_object_set(keys, ro->keys[i]->id, ro->keys[i]->pub);
}

static void
build_root(struct tfx *r)
{
	struct tfx_role *ro = &r->roles[R_ROOT];
	json_t *s = signed_base("root", ro), *keys = json_object(),
	       *roles = json_object();

	cr_assert_leq(ro->version, TFX_MAX_ROOTS);
	for (size_t i = 0; i < R_TOP; i++) {
		keys_into(keys, &r->roles[i]);
		json_object_set_new(roles, TFX_TOP[i], json_pack("{s:o, s:I}",
		                    "keyids", keyids_json(&r->roles[i]),
		                    "threshold",
		                    (json_int_t)r->roles[i].threshold));
	}
	json_object_set_new(s, "consistent_snapshot",
	                    json_boolean(r->consistent));
	json_object_set_new(s, "keys", keys);
	json_object_set_new(s, "roles", roles);
	sign_doc(r, ro, s, &ro->bytes, &ro->len);
	free(r->roots[ro->version].bytes);
	r->roots[ro->version].bytes = malloc(ro->len + 1);
	cr_assert_not_null(r->roots[ro->version].bytes);
	memcpy(r->roots[ro->version].bytes, ro->bytes, ro->len + 1);
	r->roots[ro->version].len = ro->len;
}

void
tfx_root_rotate(struct tfx *r)
{
	struct tfx_role *ro = &r->roles[R_ROOT];

	if (r->roots[ro->version].bytes == NULL)
		build_root(r);
	memcpy(r->prev_root_keys, ro->keys, ro->nkeys * sizeof(ro->keys[0]));
	r->nprev_root_keys = ro->nkeys;
	ro->nsigners = 0;
	ro->version++;
}

static json_t *
delegations_json(struct tfx *r, int parent)
{
	json_t *keys = json_object(), *roles = json_array();

	for (size_t i = R_TOP; i < r->nroles; i++) {
		struct tfx_role *d = &r->roles[i];
		json_t *e, *pats;

		if (d->parent != parent)
			continue;
		pats = json_array();
		keys_into(keys, d);
		for (size_t j = 0; j < (d->use_prefixes ? d->nprefixes
		                                         : d->npaths); j++)
			json_array_append_new(pats, json_string(d->use_prefixes
			                      ? d->prefixes[j] : d->paths[j]));
		e = json_pack("{s:s, s:o, s:I, s:b, s:o}", "name", d->name,
		              "keyids", keyids_json(d), "threshold",
		              (json_int_t)d->threshold, "terminating",
		              d->terminating, d->use_prefixes
		              ? "path_hash_prefixes" : "paths", pats);
		cr_assert_not_null(e);
		json_array_append_new(roles, e);
	}
	if (json_array_size(roles) == 0) {
		json_decref(keys);
		json_decref(roles);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "keys", keys, "roles", roles);
}

static void
build_targets(struct tfx *r, int idx)
{
	struct tfx_role *ro = &r->roles[idx];
	json_t *s = signed_base("targets", ro), *tl = json_object(), *dl;
	char hex[65];

	for (size_t i = 0; i < ro->ntargets; i++) {
		tfx_sha256_hex(hex, ro->targets[i].data, ro->targets[i].len);
		json_object_set_new(tl, ro->targets[i].name, json_pack(
		                    "{s:I, s:{s:s}}", "length",
		                    (json_int_t)ro->targets[i].len, "hashes",
		                    "sha256", hex));
	}
	json_object_set_new(s, "targets", tl);
	dl = delegations_json(r, idx);
	if (dl != NULL)
		json_object_set_new(s, "delegations", dl);
	sign_doc(r, ro, s, &ro->bytes, &ro->len);
}

/* meta entry of a built role, as the role above lists it */
static json_t *
meta_entry(const struct tfx_role *ro)
{
	json_t *e = json_pack("{s:I}", "version",
	                      (json_int_t)((int64_t)ro->version +
	                                   ro->meta_version_delta));
	char hex[65];

	if (ro->meta_hashes) {
		tfx_sha256_hex(hex, ro->bytes, ro->len);
		if (ro->meta_bad_hash)
			hex[0] = hex[0] == '0' ? '1' : '0';
		json_object_set_new(e, "length", json_integer((json_int_t)
		                    (ro->meta_length != 0 ? ro->meta_length
		                     : ro->len - (ro->meta_bad_length ? 1 : 0))));
		json_object_set_new(e, "hashes", json_pack("{s:s}", "sha256",
		                    hex));
	}
	return e;
}

static char *
meta_name(const struct tfx_role *ro)
{
	char *n = malloc(strlen(ro->name) + 6);

	cr_assert_not_null(n);
	memcpy(n, ro->name, strlen(ro->name));
	memcpy(n + strlen(ro->name), ".json", 6);
	return n;
}

static void
build_snapshot(struct tfx *r)
{
	struct tfx_role *ro = &r->roles[R_SNAPSHOT];
	json_t *s = signed_base("snapshot", ro), *meta = json_object();

	for (size_t i = R_TARGETS; i < r->nroles; i++) {
		char *n = meta_name(&r->roles[i]);

		json_object_set_new(meta, n, meta_entry(&r->roles[i]));
		free(n);
	}
	json_object_set_new(s, "meta", meta);
	sign_doc(r, ro, s, &ro->bytes, &ro->len);
}

static void
build_timestamp(struct tfx *r)
{
	struct tfx_role *ro = &r->roles[R_TIMESTAMP];
	json_t *s = signed_base("timestamp", ro);

	json_object_set_new(s, "meta", json_pack("{s:o}", "snapshot.json",
	                    meta_entry(&r->roles[R_SNAPSHOT])));
	sign_doc(r, ro, s, &ro->bytes, &ro->len);
}

/* ---- publishing -------------------------------------------------------- */

const char *
tfx_escape(const char *s, char *buf, size_t buflen)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		           (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		           c == '_' || c == '~';

		cr_assert_lt(o + 4, buflen);
		if (keep) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '%';
			buf[o++] = hexd[c >> 4];
			buf[o++] = hexd[c & 15];
		}
	}
	buf[o] = '\0';
	return buf;
}

const char *
tfx_meta_path(struct tfx *r, const char *role, char *buf, size_t buflen)
{
	struct tfx_role *ro = tfx_role_of(r, role);
	char esc[256];
	int n;

	tfx_escape(ro->name, esc, sizeof(esc));
	if (ro == &r->roles[R_ROOT])
		n = snprintf(buf, buflen, "/%" PRIu64 ".root.json",
		             ro->version);
	else if (ro == &r->roles[R_TIMESTAMP] || !r->consistent)
		n = snprintf(buf, buflen, "/%s.json", esc);
	else
		n = snprintf(buf, buflen, "/%" PRIu64 ".%s.json", ro->version,
		             esc);
	cr_assert(n > 0 && (size_t)n < buflen);
	return buf;
}

void
tfx_publish(struct tfx *r, struct hfx *s)
{
	char path[512];

	build_root(r);
	/* Children first: a parent's meta lists their hashes. */
	for (size_t i = r->nroles; i-- > R_TARGETS;)
		build_targets(r, (int)i);
	build_snapshot(r);
	build_timestamp(r);
	for (size_t v = 1; v <= r->roles[R_ROOT].version; v++) {
		if (r->roots[v].bytes == NULL)
			continue;
		snprintf(path, sizeof(path), "/%zu.root.json", v);
		hfx_put(s, path, r->roots[v].bytes, r->roots[v].len);
	}
	for (size_t i = R_TIMESTAMP; i < r->nroles; i++) {
		struct tfx_role *ro = &r->roles[i];

		hfx_put(s, tfx_meta_path(r, ro->name, path, sizeof(path)),
		        ro->bytes, ro->len);
		for (size_t j = 0; j < ro->ntargets; j++)
			hfx_put(s, tfx_target_path(r, ro->name,
			        ro->targets[j].name, path, sizeof(path)),
			        ro->targets[j].data, ro->targets[j].len);
	}
}

const uint8_t *
tfx_bytes(struct tfx *r, const char *role, size_t *len)
{
	struct tfx_role *ro = tfx_role_of(r, role);

	cr_assert_not_null(ro->bytes, "tuf_fx: %s was never published", role);
	*len = ro->len;
	return ro->bytes;
}

const uint8_t *
tfx_root_bytes(struct tfx *r, uint64_t v, size_t *len)
{
	if (v == 0 || v > TFX_MAX_ROOTS || r->roots[v].bytes == NULL)
		return NULL;
	*len = r->roots[v].len;
	return r->roots[v].bytes;
}

