/* trust_root.c - trusted_root.json (protobuf JSON of
 * dev.sigstore.trustroot.v1.TrustedRoot) -> struct pyverify_trust_root:
 * Rekor logs, CT logs, Fulcio CAs and timestamp authorities, each with its
 * validity window. */
#include <stdlib.h>
#include <string.h>

#include "format/format.h"
#include "util/json.h"

#define STEP PYVERIFY_STEP_TRUST_ROOT

/* SPEC 2.1: every file in the wild uses the first; the proto asks producers
 * to move to the v0.2 form and allows clients to accept v0.1. */
static const char *const media_types[] = {
	"application/vnd.dev.sigstore.trustedroot+json;version=0.1",
	"application/vnd.dev.sigstore.trustedroot.v0.1+json",
	"application/vnd.dev.sigstore.trustedroot.v0.2+json",
};

static const struct pv_tlog *
find_log(const struct pv_tlog *logs, size_t n, const uint8_t id[32])
{
	size_t i;

	if (id == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (memcmp(logs[i].log_id, id, 32) == 0)
			return &logs[i];
	return NULL;
}

const struct pv_tlog *
pv_trust_root_find_tlog(const pyverify_trust_root *r, const uint8_t id[32])
{
	return r == NULL ? NULL : find_log(r->tlogs, r->n_tlogs, id);
}

const struct pv_tlog *
pv_trust_root_find_ctlog(const pyverify_trust_root *r, const uint8_t id[32])
{
	return r == NULL ? NULL : find_log(r->ctlogs, r->n_ctlogs, id);
}

/* Known members we do not use must still have their proto type (SPEC 7.1:
 * unknown members are tolerated for forward compatibility, wrong types are
 * not). */
static int
optional_type(const struct pv_json_ctx *cx, const json_t *obj,
              const char *path, const char *name, int want_object)
{
	const char *s;
	size_t len;
	json_t *v;

	if (want_object)
		return pv_json_object(cx, obj, path, name, 0, &v);
	return pv_json_string(cx, obj, path, name, 0, PV_MAX_VALUE_STRING, &s,
	                      &len);
}

static int
parse_time(const struct pv_json_ctx *cx, const json_t *vf, const char *path,
           const char *name, int required, int round_up, int64_t *out,
           int *present)
{
	char vpath[PV_JSON_PATH_MAX];
	const char *s;
	size_t len;

	PV_TRY(pv_json_string(cx, vf, path, name, required, PV_MAX_SHORT_STRING,
	                      &s, &len));
	pv_json_path(vpath, path, name);
	/* SPEC 0.1: a Timestamp is a message, so absence (or null) is its
	 * only default spelling; "" is an invalid time, and reading it as
	 * "no end" would leave the window open for ever. */
	if (s != NULL && len == 0)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s is empty, expected an RFC 3339 time", vpath);
	*present = s != NULL;
	if (!*present)
		return 0;
	if (pv_parse_rfc3339_ms(out, s, round_up) != 0)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s is \"%.64s\", expected an RFC 3339 time", vpath,
		               s);
	return 0;
}

/* SPEC 2.2: TimeRange. validFor itself is optional in the protobuf
 * (PublicKey.valid_for, CertificateAuthority.valid_for) and sigstore-go and
 * sigstore-js read an absent window as unbounded; trusted roots of private
 * deployments omit it, so an absent validFor is an open window. A validFor
 * that is present must have a start (Go refuses a root without it:
 * trust-root-tlog-missing-validity-start_fail): an explicit window whose
 * start was lost is a damaged root, not an unbounded one. end is optional
 * and inclusive. Starts round fractions up, ends down, so the closed
 * interval never grows. */
static int
parse_valid_for(const struct pv_json_ctx *cx, const json_t *obj,
                const char *path, struct pv_time_range *out)
{
	char vpath[PV_JSON_PATH_MAX];
	json_t *vf;
	int present;

	PV_TRY(pv_json_object(cx, obj, path, "validFor", 0, &vf));
	if (vf == NULL) {
		out->open_start = 1;
		out->start_ms = INT64_MIN;
		out->has_end = 0;
		return 0;
	}
	pv_json_path(vpath, path, "validFor");
	PV_TRY(parse_time(cx, vf, vpath, "start", 1, 1, &out->start_ms,
	                  &present));
	PV_TRY(parse_time(cx, vf, vpath, "end", 0, 0, &out->end_ms,
	                  &out->has_end));
	if (out->has_end && out->end_ms < out->start_ms)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s ends before it starts", vpath);
	return 0;
}

/* SPEC 2.1: the checkpoint origin and key name of a Rekor v2 log is baseUrl
 * without its scheme ("https://log2025-1.rekor.sigstore.dev" ->
 * "log2025-1.rekor.sigstore.dev"). */
static char *
origin_of(const char *url)
{
	const char *p = strstr(url, "://"), *q;
	size_t len;

	if (p != NULL) {
		for (q = url; q < p; q++) {
			char c = *q;
			int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
			int other = (c >= '0' && c <= '9') || c == '+' ||
			            c == '-' || c == '.';
			if (!alpha && !(q > url && other))
				break;
		}
		if (q == p && p > url)
			url = p + 3;
	}
	len = strlen(url);
	while (len > 0 && url[len - 1] == '/')
		len--;
	return pv_strndup(url, len);
}

static int
parse_log_key(const struct pv_json_ctx *cx, const json_t *t, const char *path,
              struct pv_tlog *out)
{
	char vpath[PV_JSON_PATH_MAX];
	struct pv_bytes raw = { NULL, 0 };
	json_t *pk;
	const char *name;
	size_t len;
	int details, rc;

	PV_TRY(pv_json_object(cx, t, path, "publicKey", 1, &pk));
	pv_json_path(vpath, path, "publicKey");
	PV_TRY(parse_valid_for(cx, pk, vpath, &out->valid));
	PV_TRY(pv_json_string(cx, pk, vpath, "keyDetails", 1,
	                      PV_MAX_SHORT_STRING, &name, &len));
	/* SPEC 2.3: Go fails on a key type it does not support; so do we,
	 * rather than silently dropping a log the operator meant to trust. */
	details = pv_key_details_from_name(name);
	if (details < 0)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s.keyDetails \"%.64s\" is not a supported key "
		               "type", vpath, name);
	PV_TRY(pv_json_bytes(cx, pk, vpath, "rawBytes", 1, PV_MAX_CERT_BYTES,
	                     &raw));
	rc = pv_pubkey_from_der(&out->key, details, raw.data, raw.len, cx->step,
	                        cx->err);
	pv_bytes_clear(&raw);
	if (rc != 0)
		return pv_json_prefix_error(cx, rc, vpath);
	return 0;
}

/* TransparencyLogInstance (tlogs[] and ctlogs[]). */
static int
parse_tlog(const struct pv_json_ctx *cx, const json_t *t, const char *path,
           struct pv_tlog *out)
{
	char vpath[PV_JSON_PATH_MAX];
	json_t *id;
	const char *s;
	size_t len;

	if (!json_is_object(t))
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s is not an object", path);
	PV_TRY(pv_json_string(cx, t, path, "baseUrl", 1, PV_MAX_VALUE_STRING,
	                      &s, &len));
	out->base_url = pv_strndup(s, len);
	out->origin = origin_of(s);
	if (out->base_url == NULL || out->origin == NULL)
		return pv_json_oom(cx);
	if (out->origin[0] == '\0')
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s.baseUrl \"%.100s\" names no host", path, s);
	/* SPEC 2.1: only SHA2_256 Merkle trees are supported. */
	PV_TRY(pv_json_string(cx, t, path, "hashAlgorithm", 0,
	                      PV_MAX_SHORT_STRING, &s, &len));
	if (s == NULL || strcmp(s, "SHA2_256") != 0)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s.hashAlgorithm is \"%.64s\", expected SHA2_256",
		               path, s != NULL ? s : "");
	PV_TRY(parse_log_key(cx, t, path, out));
	PV_TRY(pv_json_object(cx, t, path, "logId", 1, &id));
	pv_json_path(vpath, path, "logId");
	PV_TRY(pv_json_fixed(cx, id, vpath, "keyId", out->log_id, 32));
	PV_TRY(optional_type(cx, t, path, "checkpointKeyId", 1));
	return optional_type(cx, t, path, "operator", 0);
}

/* CertificateAuthority (certificateAuthorities[] and
 * timestampAuthorities[]). */
static int
parse_ca(const struct pv_json_ctx *cx, const json_t *c, const char *path,
         struct pv_ca *out)
{
	char cpath[PV_JSON_PATH_MAX], epath[PV_JSON_PATH_MAX];
	json_t *chain, *certs, *cert;
	const char *s;
	size_t i, n, len, bad;
	int eager = 0;

	if (!json_is_object(c))
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s is not an object", path);
	PV_TRY(pv_json_string(cx, c, path, "uri", 0, PV_MAX_VALUE_STRING, &s,
	                      &len));
	/* Never NULL, so that messages can always quote it. */
	out->uri = pv_strndup(s != NULL ? s : "", len);
	if (out->uri == NULL)
		return pv_json_oom(cx);
	PV_TRY(pv_json_object(cx, c, path, "certChain", 1, &chain));
	pv_json_path(cpath, path, "certChain");
	PV_TRY(pv_json_array(cx, chain, cpath, "certificates",
	                     PV_MAX_CHAIN_CERTS, &certs, &n));
	if (n == 0)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s.certificates is empty, expected 1 to %d "
		               "certificates", cpath, PV_MAX_CHAIN_CERTS);
	out->ders = calloc(n, sizeof(*out->ders));
	if (out->ders == NULL)
		return pv_json_oom(cx);
	out->n_certs = n;
	json_array_foreach(certs, i, cert) {
		pv_json_path_index(epath, cpath, "certificates", i);
		if (!json_is_object(cert))
			return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
			               "%s is not an object", epath);
		PV_TRY(pv_json_bytes(cx, cert, epath, "rawBytes", 1,
		                     PV_MAX_CERT_BYTES, &out->ders[i]));
		/* STYLE 8: exactly one DER certificate, nothing after it.
		 * Strict DER framing here, the full decode at first use;
		 * anything else is decoded now and must pass. */
		if (!pv_der_is_certificate_frame(out->ders[i].data,
		                                 out->ders[i].len))
			eager = 1;
	}
	if (eager && pv_ca_certs(out, &bad) == NULL) {
		if (bad == n)
			return pv_json_oom(cx);
		pv_json_path_index(epath, cpath, "certificates", bad);
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s.rawBytes is not one DER X.509 certificate",
		               epath);
	}
	PV_TRY(parse_valid_for(cx, c, path, &out->valid));
	PV_TRY(optional_type(cx, c, path, "subject", 1));
	return optional_type(cx, c, path, "operator", 0);
}

static int
parse_logs(const struct pv_json_ctx *cx, const json_t *root, const char *name,
           struct pv_tlog **logs, size_t *n_logs)
{
	char epath[PV_JSON_PATH_MAX];
	json_t *arr, *t;
	size_t i, n;

	PV_TRY(pv_json_array(cx, root, "", name, PV_MAX_TRUST_ENTRIES, &arr,
	                     &n));
	if (n == 0)
		return 0;
	*logs = calloc(n, sizeof(**logs));
	if (*logs == NULL)
		return pv_json_oom(cx);
	*n_logs = n;
	json_array_foreach(arr, i, t) {
		pv_json_path_index(epath, "", name, i);
		PV_TRY(parse_tlog(cx, t, epath, &(*logs)[i]));
	}
	return 0;
}

static int
parse_cas(const struct pv_json_ctx *cx, const json_t *root, const char *name,
          struct pv_ca **cas, size_t *n_cas)
{
	char epath[PV_JSON_PATH_MAX];
	json_t *arr, *c;
	size_t i, n;

	PV_TRY(pv_json_array(cx, root, "", name, PV_MAX_TRUST_ENTRIES, &arr,
	                     &n));
	if (n == 0)
		return 0;
	*cas = calloc(n, sizeof(**cas));
	if (*cas == NULL)
		return pv_json_oom(cx);
	*n_cas = n;
	json_array_foreach(arr, i, c) {
		pv_json_path_index(epath, "", name, i);
		PV_TRY(parse_ca(cx, c, epath, &(*cas)[i]));
	}
	return 0;
}

static int
parse_media_type(const struct pv_json_ctx *cx, const json_t *root,
                 pyverify_trust_root *r)
{
	const char *s;
	size_t i, len;

	PV_TRY(pv_json_string(cx, root, "", "mediaType", 1, PV_MAX_SHORT_STRING,
	                      &s, &len));
	for (i = 0; i < sizeof(media_types) / sizeof(media_types[0]); i++) {
		if (strcmp(s, media_types[i]) == 0) {
			r->media_type = pv_strndup(s, len);
			return r->media_type == NULL ? pv_json_oom(cx) : 0;
		}
	}
	return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
	               "unsupported trusted root media type \"%.100s\" "
	               "(expected application/vnd.dev.sigstore.trustedroot"
	               "+json;version=0.1 or ...trustedroot.v0.1+json or "
	               "...trustedroot.v0.2+json)", s);
}

static void
logs_free(struct pv_tlog *logs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(logs[i].base_url);
		free(logs[i].origin);
		pv_pubkey_clear(&logs[i].key);
	}
	free(logs);
}

static void
cas_free(struct pv_ca *cas, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		pv_ca_clear(&cas[i]);
	free(cas);
}

void
pyverify_trust_root_free(pyverify_trust_root *r)
{
	if (r == NULL)
		return;
	free(r->source);
	free(r->media_type);
	logs_free(r->tlogs, r->n_tlogs);
	logs_free(r->ctlogs, r->n_ctlogs);
	cas_free(r->cas, r->n_cas);
	cas_free(r->tsas, r->n_tsas);
	free(r);
}

int
pyverify_trust_root_load_memory(pyverify_trust_root **out, const void *buf,
                                size_t len, const char *source,
                                pyverify_error *err)
{
	const struct pv_json_ctx cx = { STEP, err, 1 };
	pyverify_trust_root *r = NULL;
	json_t *root = NULL;
	int rc;

	if ((rc = pv_json_parse_input(&cx, out, buf, len,
	                              PV_MAX_TRUST_ROOT_BYTES, "trusted root",
	                              &root)) != 0)
		return rc;
	if (source == NULL)
		source = "(memory)";
	r = calloc(1, sizeof(*r));
	if (r == NULL ||
	    (r->source = pv_strndup(source, strlen(source))) == NULL) {
		rc = pv_json_oom(&cx);
		goto done;
	}
	if ((rc = parse_media_type(&cx, root, r)) != 0 ||
	    (rc = parse_logs(&cx, root, "tlogs", &r->tlogs, &r->n_tlogs)) != 0 ||
	    (rc = parse_cas(&cx, root, "certificateAuthorities", &r->cas,
	                    &r->n_cas)) != 0 ||
	    (rc = parse_logs(&cx, root, "ctlogs", &r->ctlogs, &r->n_ctlogs)) !=
	        0 ||
	    (rc = parse_cas(&cx, root, "timestampAuthorities", &r->tsas,
	                    &r->n_tsas)) != 0)
		goto done;
	if (r->n_tlogs == 0 && r->n_cas == 0) {
		rc = pv_fail(err, PYVERIFY_EPARSE, STEP,
		             "trusted root has no tlogs and no "
		             "certificateAuthorities, so it cannot verify "
		             "anything");
		goto done;
	}
	*out = r;
	r = NULL; /* the caller owns it now */
done:
	pyverify_trust_root_free(r);
	json_decref(root);
	return rc;
}

static int
check_cas(const struct pv_ca *cas, size_t n, const char *name,
          pyverify_error *err)
{
	size_t i, bad;

	for (i = 0; i < n; i++) {
		if (pv_ca_certs(&cas[i], &bad) != NULL)
			continue;
		if (bad == cas[i].n_certs)
			return pv_fail(err, PYVERIFY_ENOMEM, STEP, "out of memory");
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "%s[%zu].certChain.certificates[%zu].rawBytes "
		               "is not one DER X.509 certificate", name, i, bad);
	}
	return 0;
}

int
pyverify_trust_root_check(const pyverify_trust_root *root,
                          pyverify_error *err)
{
	size_t i;

	pv_error_clear(err);
	if (root == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, STEP, "no trusted root");
	PV_TRY(check_cas(root->cas, root->n_cas, "certificateAuthorities",
	                 err));
	/* Settled here, once, rather than by every concurrent first
	 * request after a daemon reload (one P-384 check per CA entry). */
	for (i = 0; i < root->n_cas; i++)
		(void)pv_ca_first_is_checked_anchor(&root->cas[i]);
	return check_cas(root->tsas, root->n_tsas, "timestampAuthorities",
	                 err);
}

static int
load_memory(void *out, const void *buf, size_t len, const char *path,
            pyverify_error *err)
{
	return pyverify_trust_root_load_memory(out, buf, len, path, err);
}

int
pyverify_trust_root_load_file(pyverify_trust_root **out, const char *path,
                              pyverify_error *err)
{
	const struct pv_json_ctx cx = { STEP, err, 1 };

	return pv_json_load_file(&cx, path, PV_MAX_TRUST_ROOT_BYTES,
	                         "trusted root", load_memory, out);
}

const char *
pyverify_trust_root_source(const pyverify_trust_root *root)
{
	return root != NULL && root->source != NULL ? root->source : "(none)";
}
