/*
 * tuf/metadata.c - parses one TUF document and checks the form of its
 * "signed" part (types, bounds, required members) for its role type, and
 * counts the signatures of a role over it. Unknown members are allowed,
 * as the specification lets repositories add them; every member the
 * client relies on is checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "tuf/tuf_impl.h"
#include "util/json.h"

static const char *const type_names[] = { "root", "timestamp", "snapshot",
	                                  "targets" };

const char *
tuf_type_name(int type)
{
	return type >= 0 && type < 4 ? type_names[type] : "?";
}

/* A JSON integer >= min that fits uint64; 0 or -1. */
static int
get_uint(uint64_t *out, const json_t *v, uint64_t min)
{
	json_int_t i;

	if (!json_is_integer(v))
		return -1;
	i = json_integer_value(v);
	if (i < 0 || (uint64_t)i < min)
		return -1;
	*out = (uint64_t)i;
	return 0;
}

static int
bad(char *why, size_t whylen, const char *name, const char *what)
{
	TUF_WHY(why, whylen, "%s metadata is malformed: %s", name, what);
	return PV_TUF_EREJECT;
}

static char **
strings_dup(const json_t *arr, size_t *n, int unique)
{
	size_t cnt = json_array_size(arr);
	char **v = calloc(cnt ? cnt : 1, sizeof(*v));

	*n = 0;
	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < cnt; i++) {
		const char *s = json_string_value(json_array_get(arr, i));

		for (size_t j = 0; unique && s && j < i; j++)
			if (strcmp(v[j], s) == 0)
				s = NULL;
		if (s == NULL || (v[i] = strdup(s)) == NULL) {
			for (size_t j = 0; j < i; j++)
				free(v[j]);
			free(v);
			*n = 0;
			return NULL;
		}
		*n = i + 1;
	}
	return v;
}

static int
is_string_array(const json_t *a)
{
	if (!json_is_array(a))
		return 0;
	for (size_t i = 0; i < json_array_size(a); i++)
		if (!json_is_string(json_array_get(a, i)))
			return 0;
	return 1;
}

/* keyids and threshold of a role object (root's roles or a delegation). */
static int
role_keys_parse(struct tuf_role *r, const json_t *o, const char *name,
                const char *role, char *why, size_t whylen)
{
	char what[160];
	json_t *ids = json_object_get(o, "keyids");

	snprintf(what, sizeof(what), "role %s needs unique \"keyids\" strings "
	         "and a \"threshold\" of at least 1", role);
	if (!json_is_object(o) || !is_string_array(ids) ||
	    json_array_size(ids) > PV_MAX_TUF_KEYS ||
	    get_uint(&r->threshold, json_object_get(o, "threshold"), 1) != 0)
		return bad(why, whylen, name, what);
	r->name = strdup(role);
	r->keyids = strings_dup(ids, &r->nkeyids, 1);
	if (r->name == NULL || r->keyids == NULL) {
		/* strings_dup also fails on a repeated keyid. */
		if (r->name != NULL && r->keyids == NULL)
			return bad(why, whylen, name, what);
		return PV_TUF_ENOMEM;
	}
	return 0;
}

static int
parse_root(struct tuf_md *m, const json_t *s, const char *name, char *why,
           size_t whylen)
{
	json_t *cs = json_object_get(s, "consistent_snapshot");
	json_t *roles = json_object_get(s, "roles");

	if (cs != NULL && !json_is_boolean(cs))
		return bad(why, whylen, name,
		           "\"consistent_snapshot\" is not a boolean");
	m->consistent_snapshot = json_is_true(cs);
	PV_TRY(tuf_keys_parse(&m->keys, json_object_get(s, "keys"), name, why,
	                      whylen));
	if (!json_is_object(roles) || json_object_size(roles) != 4)
		return bad(why, whylen, name, "\"roles\" must hold exactly "
		           "root, timestamp, snapshot and targets");
	for (int t = 0; t < 4; t++) {
		json_t *r = json_object_get(roles, type_names[t]);

		if (r == NULL)
			return bad(why, whylen, name, "\"roles\" must hold "
			           "exactly root, timestamp, snapshot and "
			           "targets");
		PV_TRY(role_keys_parse(&m->roles[t], r, name, type_names[t],
		                       why, whylen));
	}
	return 0;
}

static int
hash_len(const char *alg)
{
	if (strcmp(alg, "sha256") == 0)
		return 32;
	if (strcmp(alg, "sha384") == 0)
		return 48;
	if (strcmp(alg, "sha512") == 0)
		return 64;
	return 0;
}

int
tuf_hashes_parse(pv_tuf_target *t, const json_t *obj, const char *where,
                 char *why, size_t whylen)
{
	const char *alg;
	json_t *v;

	t->nhashes = 0;
	if (!json_is_object(obj) || json_object_size(obj) == 0 ||
	    json_object_size(obj) > PV_TUF_MAX_TARGET_HASHES) {
		TUF_WHY(why, whylen, "%s: \"hashes\" must be an object of 1 "
		        "to %d hashes", where, PV_TUF_MAX_TARGET_HASHES);
		return PV_TUF_EREJECT;
	}
	json_object_foreach((json_t *)obj, alg, v) {
		const char *hex = json_string_value(v);
		int dl = hash_len(alg);

		if (hex == NULL || strlen(alg) >= sizeof(t->hashes[0].alg)) {
			TUF_WHY(why, whylen, "%s: hash \"%s\" is not a short "
			        "algorithm name with a hex string", where, alg);
			return PV_TUF_EREJECT;
		}
		snprintf(t->hashes[t->nhashes].alg, sizeof(t->hashes[0].alg),
		         "%s", alg);
		/* An unknown algorithm is kept with no digest: never checked,
		 * never enough alone. */
		t->hashes[t->nhashes].len = 0;
		if (dl > 0) {
			if (strlen(hex) != (size_t)dl * 2 ||
			    pv_hex_decode(t->hashes[t->nhashes].digest,
			                  (size_t)dl, hex, strlen(hex)) != 0) {
				TUF_WHY(why, whylen, "%s: %s hash is not %d hex "
				        "bytes", where, alg, dl);
				return PV_TUF_EREJECT;
			}
			t->hashes[t->nhashes].len = (size_t)dl;
		}
		t->nhashes++;
	}
	return 0;
}

int
tuf_check_hashes(const pv_tuf_target *t, uint64_t length, const uint8_t *buf,
                 size_t len, const char *what, char *why, size_t whylen)
{
	size_t known = 0;

	if (length != 0 && (uint64_t)len != length) {
		TUF_WHY(why, whylen, "%s is %zu bytes, not the %llu bytes the "
		        "trusted metadata lists", what, len,
		        (unsigned long long)length);
		return PV_TUF_EREJECT;
	}
	for (size_t i = 0; i < t->nhashes; i++) {
		uint8_t d[EVP_MAX_MD_SIZE];
		unsigned dlen = 0;
		const EVP_MD *md = EVP_get_digestbyname(t->hashes[i].alg);

		if (t->hashes[i].len == 0 || md == NULL)
			continue;
		if (EVP_Digest(buf, len, d, &dlen, md, NULL) != 1 ||
		    dlen != t->hashes[i].len ||
		    memcmp(d, t->hashes[i].digest, dlen) != 0) {
			TUF_WHY(why, whylen, "%s does not match its trusted "
			        "%s hash", what, t->hashes[i].alg);
			return PV_TUF_EREJECT;
		}
		known++;
	}
	if (known == 0 && t->nhashes > 0) {
		TUF_WHY(why, whylen, "%s has no hash of a known algorithm",
		        what);
		return PV_TUF_EREJECT;
	}
	return 0;
}

static int
parse_meta(struct tuf_md *m, const json_t *s, const char *name, char *why,
           size_t whylen)
{
	json_t *meta = json_object_get(s, "meta"), *v;
	const char *file;

	if (!json_is_object(meta))
		return bad(why, whylen, name, "\"meta\" is not an object");
	if (m->type == TUF_TIMESTAMP &&
	    (json_object_size(meta) != 1 ||
	     json_object_get(meta, "snapshot.json") == NULL))
		return bad(why, whylen, name,
		           "\"meta\" must list exactly snapshot.json");
	m->meta = calloc(json_object_size(meta) + 1, sizeof(*m->meta));
	if (m->meta == NULL)
		return PV_TUF_ENOMEM;
	json_object_foreach(meta, file, v) {
		struct tuf_meta_file *f = &m->meta[m->nmeta];
		json_t *len = json_object_get(v, "length");
		json_t *h = json_object_get(v, "hashes");
		char where[300];

		snprintf(where, sizeof(where), "%s metadata, meta of %.200s",
		         name, file);
		if (!json_is_object(v) ||
		    get_uint(&f->version, json_object_get(v, "version"), 1) != 0)
			return bad(why, whylen, name, "a \"meta\" entry lacks "
			           "a \"version\" of at least 1");
		if (len != NULL && get_uint(&f->length, len, 1) != 0)
			return bad(why, whylen, name, "a \"meta\" length is not "
			           "a positive integer");
		if (h != NULL)
			PV_TRY(tuf_hashes_parse(&f->hashes, h, where, why,
			                        whylen));
		f->name = strdup(file);
		if (f->name == NULL)
			return PV_TUF_ENOMEM;
		m->nmeta++;
	}
	return 0;
}

int
tuf_target_from_json(pv_tuf_target *out, const char *path, const json_t *v,
                     char *why, size_t whylen)
{
	char where[300];
	json_t *custom = json_object_get(v, "custom");

	memset(out, 0, sizeof(*out));
	snprintf(where, sizeof(where), "target %.250s", path);
	if (!json_is_object(v) ||
	    get_uint(&out->length, json_object_get(v, "length"), 0) != 0) {
		TUF_WHY(why, whylen, "%s lacks a \"length\"", where);
		return PV_TUF_EREJECT;
	}
	if (custom != NULL && !json_is_object(custom)) {
		TUF_WHY(why, whylen, "%s: \"custom\" is not an object", where);
		return PV_TUF_EREJECT;
	}
	PV_TRY(tuf_hashes_parse(out, json_object_get(v, "hashes"), where, why,
	                        whylen));
	out->path = strdup(path);
	if (out->path == NULL)
		return PV_TUF_ENOMEM;
	out->custom = custom ? json_incref(custom) : NULL;
	return 0;
}

static int
is_top_level(const char *r)
{
	for (int t = 0; t < 4; t++)
		if (strcmp(r, type_names[t]) == 0)
			return 1;
	return 0;
}

static int
parse_delegation(struct tuf_role *r, const json_t *o, const char *name,
                 char *why, size_t whylen)
{
	const char *rn = json_string_value(json_object_get(o, "name"));
	json_t *paths = json_object_get(o, "paths");
	json_t *pre = json_object_get(o, "path_hash_prefixes");
	json_t *term = json_object_get(o, "terminating");

	if (rn == NULL || rn[0] == '\0' || is_top_level(rn))
		return bad(why, whylen, name, "a delegated role lacks a "
		           "\"name\" or uses a top-level role's name");
	/* Role names become file names and snapshot keys ("<name>.json"),
	 * which the client builds in fixed buffers: a longer name would be
	 * looked up cut short, and wrongly reported as unlisted. */
	if (strlen(rn) > TUF_MAX_ROLE_NAME)
		return bad(why, whylen, name, "a delegated role name is longer "
		           "than 200 characters");
	PV_TRY(role_keys_parse(r, o, name, rn, why, whylen));
	if (!json_is_boolean(term))
		return bad(why, whylen, name, "a delegated role lacks a "
		           "boolean \"terminating\"");
	r->terminating = json_is_true(term);
	if ((paths == NULL) == (pre == NULL))
		return bad(why, whylen, name, "a delegated role needs either "
		           "\"paths\" or \"path_hash_prefixes\" (not both)");
	if (paths != NULL) {
		if (!is_string_array(paths))
			return bad(why, whylen, name, "\"paths\" is not an "
			           "array of strings");
		r->paths = strings_dup(paths, &r->npaths, 0);
		if (r->paths == NULL)
			return PV_TUF_ENOMEM;
	} else {
		if (!is_string_array(pre))
			return bad(why, whylen, name, "\"path_hash_prefixes\" "
			           "is not an array of strings");
		r->prefixes = strings_dup(pre, &r->nprefixes, 0);
		if (r->prefixes == NULL)
			return PV_TUF_ENOMEM;
	}
	return 0;
}

/* TAP 15: every bin is named <name_prefix>-<hex>, signed by the same
 * keys, and the bins split the SHA-256 space of target paths. */
static int
parse_succinct(struct tuf_md *m, const json_t *o, const char *name,
               char *why, size_t whylen)
{
	const char *prefix = json_string_value(json_object_get(o,
	                                                       "name_prefix"));
	uint64_t bits;

	if (!json_is_object(o) || prefix == NULL || prefix[0] == '\0' ||
	    strlen(prefix) > 200 ||
	    get_uint(&bits, json_object_get(o, "bit_length"), 1) != 0 ||
	    bits > 32)
		return bad(why, whylen, name, "\"succinct_roles\" needs a "
		           "\"name_prefix\" and a \"bit_length\" of 1 to 32");
	PV_TRY(role_keys_parse(&m->succinct, o, name, prefix, why, whylen));
	m->succinct_bits = (unsigned)bits;
	m->has_succinct = 1;
	return 0;
}

static int
parse_targets(struct tuf_md *m, const json_t *s, const char *name, char *why,
              size_t whylen)
{
	json_t *t = json_object_get(s, "targets"), *v;
	json_t *d = json_object_get(s, "delegations"), *roles, *succ;
	const char *path;
	size_t i;

	if (!json_is_object(t))
		return bad(why, whylen, name, "\"targets\" is not an object");
	json_object_foreach(t, path, v) {
		pv_tuf_target tmp;
		int rc = tuf_target_from_json(&tmp, path, v, why, whylen);

		pv_tuf_target_clear(&tmp);
		if (rc != 0)
			return rc;
	}
	m->targets = t;
	if (d == NULL)
		return 0;
	roles = json_object_get(d, "roles");
	succ = json_object_get(d, "succinct_roles");
	if (!json_is_object(d) || (roles == NULL) == (succ == NULL))
		return bad(why, whylen, name, "\"delegations\" needs \"keys\" "
		           "and either \"roles\" or \"succinct_roles\"");
	PV_TRY(tuf_keys_parse(&m->keys, json_object_get(d, "keys"), name, why,
	                      whylen));
	if (succ != NULL)
		return parse_succinct(m, succ, name, why, whylen);
	if (!json_is_array(roles) || json_array_size(roles) > PV_MAX_TUF_KEYS)
		return bad(why, whylen, name, "delegated \"roles\" is not an "
		           "array of at most 1024 roles");
	m->dele = calloc(json_array_size(roles) + 1, sizeof(*m->dele));
	if (m->dele == NULL)
		return PV_TUF_ENOMEM;
	json_array_foreach(roles, i, v) {
		/* Counted first so a half-parsed role is freed with m. */
		m->ndele = i + 1;
		PV_TRY(parse_delegation(&m->dele[i], v, name, why, whylen));
		for (size_t j = 0; j < i; j++)
			if (strcmp(m->dele[j].name, m->dele[i].name) == 0)
				return bad(why, whylen, name, "a delegated "
				           "role name is repeated");
	}
	return 0;
}

static int
spec_version_ok(const char *v)
{
	int parts = 1;

	if (v == NULL || strncmp(v, "1.", 2) != 0)
		return 0;
	for (const char *p = v + 2; *p; p++) {
		if (*p == '.') {
			if (p[-1] == '.' || p[1] == '\0')
				return 0;
			parts++;
		} else if (*p < '0' || *p > '9') {
			return 0;
		}
	}
	return v[2] != '\0' && parts <= 2;
}

static int
parse_signed(struct tuf_md *m, const char *name, char *why, size_t whylen)
{
	json_t *s = json_object_get(m->doc, "signed");
	json_t *sigs = json_object_get(m->doc, "signatures");
	const char *type = json_string_value(json_object_get(s, "_type"));
	const char *exp = json_string_value(json_object_get(s, "expires"));
	int64_t ms;
	char what[96];

	if (!json_is_object(s) || !json_is_array(sigs))
		return bad(why, whylen, name, "it needs a \"signed\" object "
		           "and a \"signatures\" array");
	if (json_array_size(sigs) > PV_MAX_TUF_SIGNATURES)
		return bad(why, whylen, name, "too many signatures");
	for (size_t i = 0; i < json_array_size(sigs); i++) {
		json_t *g = json_array_get(sigs, i);

		const char *kid = json_string_value(json_object_get(g, "keyid"));

		if (kid == NULL || !json_is_string(json_object_get(g, "sig")))
			return bad(why, whylen, name, "a signature lacks "
			           "\"keyid\" or \"sig\" strings");
		/* The specification makes keyids unique in "signatures";
		 * python-tuf and the conformance suite refuse the whole
		 * document rather than guess which signature counts. */
		for (size_t j = 0; j < i; j++)
			if (strcmp(kid, json_string_value(json_object_get(
			        json_array_get(sigs, j), "keyid"))) == 0)
				return bad(why, whylen, name, "a keyid appears "
				           "twice in \"signatures\"");
	}
	if (type == NULL || strcmp(type, tuf_type_name(m->type)) != 0) {
		snprintf(what, sizeof(what), "\"_type\" is \"%.40s\", not "
		         "\"%s\"", type ? type : "(missing)",
		         tuf_type_name(m->type));
		return bad(why, whylen, name, what);
	}
	if (!spec_version_ok(json_string_value(
	        json_object_get(s, "spec_version"))))
		return bad(why, whylen, name, "\"spec_version\" is not a 1.x "
		           "version");
	if (get_uint(&m->version, json_object_get(s, "version"), 1) != 0)
		return bad(why, whylen, name, "\"version\" is not an integer "
		           "of at least 1");
	/* TUF writes expiry as whole seconds in UTC with a Z. */
	if (exp == NULL || strlen(exp) != 20 || exp[19] != 'Z' ||
	    pv_parse_rfc3339_ms(&ms, exp, 0) != 0)
		return bad(why, whylen, name, "\"expires\" is not a time like "
		           "2030-01-01T00:00:00Z");
	m->expires = pv_ms_to_seconds(ms);
	if (pv_tuf_cjson(s, &m->canon, &m->canonlen) != 0)
		return bad(why, whylen, name, "\"signed\" holds a real number "
		           "(TUF's canonical JSON has none)");
	switch (m->type) {
	case TUF_ROOT:
		return parse_root(m, s, name, why, whylen);
	case TUF_TIMESTAMP:
	case TUF_SNAPSHOT:
		return parse_meta(m, s, name, why, whylen);
	default:
		return parse_targets(m, s, name, why, whylen);
	}
}

int
tuf_md_parse(struct tuf_md **out, int type, const char *name,
             const uint8_t *raw, size_t len, char *why, size_t whylen)
{
	pyverify_error err;
	const struct pv_json_ctx cx = { PYVERIFY_STEP_TRUST_ROOT, &err, 0 };
	char what[96];
	struct tuf_md *m;
	int rc;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return PV_TUF_ENOMEM;
	m->type = type;
	/* The download was bounded by its role's limit; the shared intake
	 * words every refusal without quoting the server's bytes. */
	snprintf(what, sizeof(what), "%.60s metadata", name);
	if (pv_json_parse(&cx, raw, len, len, what, &m->doc) != 0) {
		TUF_WHY(why, whylen, "%s", err.msg);
		tuf_md_free(m);
		return PV_TUF_EREJECT;
	}
	rc = parse_signed(m, name, why, whylen);
	if (rc != 0) {
		tuf_md_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

void
tuf_md_free(struct tuf_md *m)
{
	if (m == NULL)
		return;
	json_decref(m->doc);
	free(m->canon);
	tuf_keys_clear(&m->keys);
	for (int t = 0; t < 4; t++)
		tuf_role_clear(&m->roles[t]);
	for (size_t i = 0; i < m->nmeta; i++)
		free(m->meta[i].name);
	free(m->meta);
	for (size_t i = 0; i < m->ndele; i++)
		tuf_role_clear(&m->dele[i]);
	free(m->dele);
	tuf_role_clear(&m->succinct);
	free(m);
}

const struct tuf_meta_file *
tuf_md_meta(const struct tuf_md *m, const char *file)
{
	for (size_t i = 0; i < m->nmeta; i++)
		if (strcmp(m->meta[i].name, file) == 0)
			return &m->meta[i];
	return NULL;
}

int
tuf_md_verify(const struct tuf_md *md, const struct tuf_keys *keys,
              const struct tuf_role *role, const char *name,
              const char *signer, char *why, size_t whylen)
{
	json_t *sigs = json_object_get(md->doc, "signatures");
	char **counted = calloc(role->nkeyids + 1, sizeof(*counted));
	size_t ncounted = 0;

	if (counted == NULL)
		return PV_TUF_ENOMEM;
	for (size_t i = 0; i < json_array_size(sigs); i++) {
		json_t *g = json_array_get(sigs, i);
		const char *kid = json_string_value(json_object_get(g, "keyid"));
		const char *sig = json_string_value(json_object_get(g, "sig"));
		const struct tuf_key *k;
		size_t j;
		int listed = 0;

		for (j = 0; j < role->nkeyids && !listed; j++)
			listed = strcmp(role->keyids[j], kid) == 0;
		for (j = 0; j < ncounted && listed; j++)
			if (strcmp(counted[j], kid) == 0)
				listed = 0;
		/* Only role keys count, each once, and only when valid. */
		if (!listed || (k = tuf_keys_find(keys, kid)) == NULL ||
		    !tuf_key_verify(k, sig, (const uint8_t *)md->canon,
		                    md->canonlen))
			continue;
		counted[ncounted++] = (char *)kid;
	}
	free(counted);
	if ((uint64_t)ncounted >= role->threshold)
		return 0;
	TUF_WHY(why, whylen, "%s: %zu valid signature%s by %s keys of %s, "
	        "%llu required (threshold not met)", name, ncounted,
	        ncounted == 1 ? "" : "s", role->name ? role->name : "?", signer,
	        (unsigned long long)role->threshold);
	return PV_TUF_EREJECT;
}
