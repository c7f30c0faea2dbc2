/* trust_json.c - the /v1/trust document: what trust material a snapshot
 * holds, where it came from, when it was loaded, and the validity window of
 * every log, CA and timestamp authority (read from the library's internal
 * model, which the server links statically). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/x509.h>

#include "cpython/cpython.h"
#include "verify/steps.h"
#include "pyverifyd.h"

static json_t *
jtime_ms(int64_t ms)
{
	char t[32];

	pv_format_rfc3339(t, ms / 1000);
	return json_string(t);
}

static json_t *
jwindow(const struct pv_time_range *r, int64_t now_ms)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "start", r->open_start ? json_null()
	                                              : jtime_ms(r->start_ms));
	json_object_set_new(o, "end", r->has_end ? jtime_ms(r->end_ms)
	                                         : json_null());
	/* "current": signatures made now would be accepted by this entry. */
	json_object_set_new(o, "current",
	                    json_boolean(pv_time_range_contains(r, now_ms)));
	return o;
}

static json_t *
jsubject(X509 *cert)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL;
	long n;
	json_t *j = NULL;

	if (b == NULL)
		return json_null();
	if (X509_NAME_print_ex(b, X509_get_subject_name(cert), 0,
	                       XN_FLAG_RFC2253) >= 0) {
		n = BIO_get_mem_data(b, &p);
		if (n > 0)
			j = json_stringn(p, (size_t)n);
	}
	BIO_free(b);
	return j != NULL ? j : json_null();
}

static json_t *
jlogs(const struct pv_tlog *logs, size_t n, int64_t now_ms)
{
	json_t *a = json_array();
	char id[65];
	size_t i;

	for (i = 0; a != NULL && i < n; i++) {
		const char *kd = pv_key_details_name(logs[i].key.details);
		pv_hex_encode(id, logs[i].log_id, 32);
		json_array_append_new(
			a, json_pack("{s:s?,s:s,s:s?,s:o*}", "base_url",
			             logs[i].base_url, "log_id", id, "key_type", kd,
			             "valid", jwindow(&logs[i].valid, now_ms)));
	}
	return a;
}

static json_t *
jcas(const struct pv_ca *cas, size_t n, int64_t now_ms)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(
			a, json_pack("{s:s?,s:o,s:o,s:i,s:o*}", "uri", cas[i].uri,
			             "subject", jsubject(cas[i].certs[0]), "anchor",
			             jsubject(cas[i].certs[cas[i].n_certs - 1]),
			             "certificates", (int)cas[i].n_certs, "valid",
			             jwindow(&cas[i].valid, now_ms)));
	return a;
}

static json_t *
jseries(const struct pv_cpython_policy *p)
{
	json_t *a = json_array();
	char ver[PV_CPYTHON_VERSION_TEXT_MAX], name[32];
	size_t i, k;

	for (i = 0; a != NULL && i < p->n_series; i++) {
		const struct pv_cpython_series *s = &p->series[i];
		json_t *ids = json_array();
		for (k = 0; ids != NULL && k < s->n_identities; k++)
			json_array_append_new(
				ids, json_pack("{s:s,s:s}", "identity",
				               s->identities[k].identity, "issuer",
				               s->identities[k].issuer));
		snprintf(name, sizeof(name), "%u.%u", s->major, s->minor);
		pv_cpython_version_format(ver, &s->first_sigstore);
		json_array_append_new(
			a, json_pack("{s:s,s:o*,s:s,s:b}", "series", name,
			             "identities", ids, "first_sigstore", ver, "pgp",
			             s->pgp));
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
		                 r->media_type, "tlogs",
		                 jlogs(r->tlogs, r->n_tlogs, now_ms), "ctlogs",
		                 jlogs(r->ctlogs, r->n_ctlogs, now_ms),
		                 "certificate_authorities",
		                 jcas(r->cas, r->n_cas, now_ms),
		                 "timestamp_authorities",
		                 jcas(r->tsas, r->n_tsas, now_ms));
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
