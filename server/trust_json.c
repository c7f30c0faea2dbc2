/* trust_json.c - the /v1/trust document: what trust material a snapshot
 * holds, where it came from, when it was loaded, and the validity window of
 * every log, CA and timestamp authority (through the library's read-only
 * views of the root and the policy). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/util.h"
#include "pyverifyd.h"

static json_t *
jtime_ms(int64_t ms)
{
	char t[32];

	pv_format_rfc3339(t, ms / 1000);
	return json_string(t);
}

static json_t *
jwindow(const pyverify_trust_entry *e, int64_t now_ms)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "start", e->has_start ? jtime_ms(e->start_ms)
	                                             : json_null());
	json_object_set_new(o, "end", e->has_end ? jtime_ms(e->end_ms)
	                                         : json_null());
	/* "current": signatures made now would be accepted by this entry. */
	json_object_set_new(
		o, "current",
		json_boolean(pyverify_trust_entry_valid_at(e, now_ms)));
	return o;
}

/* A subject, or null when the library could not print it. */
static json_t *
jsubject(const char *s)
{
	json_t *j = s[0] != '\0' ? json_string(s) : NULL;

	return j != NULL ? j : json_null();
}

/* One entry of the root as its JSON object; NULL when it cannot be read. */
static json_t *
jentry(const pyverify_trust_root *r, pyverify_trust_kind kind, size_t i,
       int64_t now_ms)
{
	pyverify_trust_entry *e = malloc(sizeof(*e));
	json_t *j = NULL;

	if (e == NULL)
		return NULL;
	if (pyverify_trust_root_entry(e, r, kind, i, NULL) != 0) {
		free(e);
		return NULL;
	}
	if (kind == PYVERIFY_TRUST_TLOG || kind == PYVERIFY_TRUST_CTLOG)
		j = json_pack("{s:s?,s:s,s:s?,s:o*}", "base_url", e->url,
		              "log_id", e->log_id_hex, "key_type", e->key_type,
		              "valid", jwindow(e, now_ms));
	else
		j = json_pack("{s:s?,s:o,s:o,s:i,s:o*}", "uri", e->url,
		              "subject", jsubject(e->subject), "anchor",
		              jsubject(e->anchor), "certificates",
		              (int)e->n_certificates, "valid",
		              jwindow(e, now_ms));
	free(e);
	return j;
}

/* Every entry of one kind, in file order. */
static json_t *
jentries(const pyverify_trust_root *r, pyverify_trust_kind kind,
         int64_t now_ms)
{
	json_t *a = json_array();
	size_t i, n = pyverify_trust_root_count(r, kind);

	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, jentry(r, kind, i, now_ms));
	return a;
}

static json_t *
jseries(const pyverify_release_policy *p)
{
	json_t *a = json_array();
	pyverify_release_series s;
	const char *identity, *issuer;
	char name[32];
	size_t i, k, n = pyverify_release_policy_series_count(p);

	for (i = 0; a != NULL && i < n; i++) {
		json_t *ids;
		if (pyverify_release_policy_series(&s, p, i) != 0)
			continue;
		ids = json_array();
		for (k = 0; ids != NULL && k < s.n_identities; k++)
			if (pyverify_release_policy_signer(&identity, &issuer, p,
			                                   i, k) == 0)
				json_array_append_new(
					ids, json_pack("{s:s,s:s}", "identity",
					               identity, "issuer", issuer));
		snprintf(name, sizeof(name), "%u.%u", s.major, s.minor);
		json_array_append_new(
			a, json_pack("{s:s,s:o*,s:s,s:b}", "series", name,
			             "identities", ids, "first_sigstore",
			             s.first_sigstore, "pgp", s.pgp));
	}
	return a;
}

char *
pvd_trust_json(const struct pvd_snapshot *s, const char *root_path,
               const char *policy_path)
{
	int64_t now_ms = pvd_unix_now() * 1000;
	char loaded[32];
	json_t *o, *root = json_null(), *pol = json_null();
	char *text;

	pv_format_rfc3339(loaded, s->loaded_at);
	if (s->root != NULL) {
		const pyverify_trust_root *r = s->root;
		root = json_pack("{s:s,s:s,s:s?,s:o*,s:o*,s:o*,s:o*}", "path",
		                 root_path, "sha256", s->root_sha256, "media_type",
		                 pyverify_trust_root_media_type(r), "tlogs",
		                 jentries(r, PYVERIFY_TRUST_TLOG, now_ms), "ctlogs",
		                 jentries(r, PYVERIFY_TRUST_CTLOG, now_ms),
		                 "certificate_authorities",
		                 jentries(r, PYVERIFY_TRUST_CA, now_ms),
		                 "timestamp_authorities",
		                 jentries(r, PYVERIFY_TRUST_TSA, now_ms));
	}
	if (s->policy != NULL)
		pol = json_pack("{s:s,s:s,s:o*}", "path", policy_path, "sha256",
		                s->policy_sha256, "series", jseries(s->policy));
	o = json_pack("{s:b,s:I,s:s,s:s?,s:o*,s:o*,s:{s:b,s:b}}", "ready",
	              s->root != NULL && s->policy != NULL, "generation",
	              (json_int_t)s->generation, "loaded_at", loaded,
	              "not_ready", s->not_ready[0] ? s->not_ready : NULL,
	              "trusted_root", root, "policy", pol, "access",
	              "tokens_required", s->tokens_enabled, "admin_enabled",
	              s->admin_enabled);
	if (o == NULL)
		return NULL;
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}
