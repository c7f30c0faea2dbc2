/* rekor1_entry.c - a Rekor v1 entry ({uuid: {body, integratedTime, logID,
 * logIndex, verification}}) to a bundle TransparencyLogEntry (SPEC 5.8).
 * Every member is type-checked and bounded: the answer comes from the
 * network. Whether the SET, proof and checkpoint verify is the signer's
 * check of the whole bundle; here the entry must at least be about what
 * was sent, so a log that answers with another entry is named. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sign/rekor1_entry.h"
#include "util/json.h"

/* An ECDSA or Ed25519 SET is under 200 bytes. */
#define MAX_SET_BYTES 4096

struct rd {
	const struct pv_svc *s;
	pyverify_error *err;
};

static int
bad(const struct rd *r, const char *path, const char *name, const char *want)
{
	return pv_svc_fail(r->s, r->err, PYVERIFY_EPARSE,
	                   "answer's %s%s is missing or not %s", path, name,
	                   want);
}

static int
get_int(const struct rd *r, const json_t *obj, const char *path,
        const char *name, json_int_t min, int64_t *out)
{
	json_t *v = json_object_get(obj, name);

	if (!json_is_integer(v) || json_integer_value(v) < min)
		return bad(r, path, name, min > 0 ? "a positive integer"
		                                  : "a non-negative integer");
	*out = (int64_t)json_integer_value(v);
	return 0;
}

static int
get_str(const struct rd *r, const json_t *obj, const char *path,
        const char *name, size_t max, const char **out, size_t *len)
{
	json_t *v = json_object_get(obj, name);

	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > max)
		return bad(r, path, name, "a string of a sensible length");
	*out = json_string_value(v);
	if (len != NULL)
		*len = json_string_length(v);
	return 0;
}

static int
get_obj(const struct rd *r, const json_t *obj, const char *path,
        const char *name, json_t **out)
{
	*out = json_object_get(obj, name);
	return json_is_object(*out) ? 0 : bad(r, path, name, "an object");
}

static int
hex32(const struct rd *r, const json_t *v, const char *path,
      const char *name, uint8_t out[32])
{
	if (!json_is_string(v) || pv_hex_decode(out, 32, json_string_value(v),
	                                        json_string_length(v)) != 0)
		return bad(r, path, name, "64 hex digits");
	return 0;
}

/* The body must be the entry we proposed: same kind, and for hashedrekord
 * the same digest and signature, for dsse the same envelope. */
static int
check_about(const struct rd *r, const json_t *body,
            const struct pv_rekor_input *in, const char **kind,
            const char **version)
{
	const char *want = in->envelope_json != NULL ? "dsse" : "hashedrekord";
	const char *got_hex = NULL;
	struct pv_bytes sig = { 0 };
	char hex[2 * 64 + 1];
	uint8_t h[32];
	json_t *spec, *v;
	int same;

	PV_TRY(get_str(r, body, "body.", "kind", PV_MAX_SHORT_STRING, kind,
	               NULL));
	PV_TRY(get_str(r, body, "body.", "apiVersion", PV_MAX_SHORT_STRING,
	               version, NULL));
	if (strcmp(*kind, want) != 0 || strcmp(*version, "0.0.1") != 0)
		return pv_svc_fail(r->s, r->err, PYVERIFY_EREJECT,
		                   "logged a %s %s entry, but a %s 0.0.1 entry "
		                   "was proposed",
		                   *kind, *version, want);
	spec = json_object_get(body, "spec");
	if (in->envelope_json != NULL) {
		v = json_object_get(json_object_get(spec, "envelopeHash"),
		                    "value");
		if (pv_sha256(h, in->envelope_json,
		              strlen(in->envelope_json)) != 0)
			return pv_fail(r->err, PYVERIFY_EINTERNAL, r->s->step,
			               "SHA-256 failed");
		pv_hex_encode(hex, h, 32);
		got_hex = json_string_value(v);
		same = got_hex != NULL && strcasecmp(got_hex, hex) == 0;
	} else {
		v = json_object_get(json_object_get(json_object_get(spec, "data"),
		                                    "hash"),
		                    "value");
		pv_hex_encode(hex, in->digest, in->digest_len);
		got_hex = json_string_value(v);
		v = json_object_get(json_object_get(spec, "signature"),
		                    "content");
		same = got_hex != NULL && strcasecmp(got_hex, hex) == 0 &&
		       json_is_string(v) &&
		       pv_b64_decode(&sig, json_string_value(v),
		                     json_string_length(v)) == 0 &&
		       sig.len == in->sig_len &&
		       memcmp(sig.data, in->sig, sig.len) == 0;
		pv_bytes_clear(&sig);
	}
	if (!same)
		return pv_svc_fail(r->s, r->err, PYVERIFY_EREJECT,
		                   "answered with an entry for another body "
		                   "(its %s is not the one sent)",
		                   in->envelope_json != NULL
		                           ? "envelope hash"
		                           : "digest or signature");
	return 0;
}

/* body: decoded, parsed, checked against what was sent. */
static int
read_body(const struct rd *r, const json_t *e, const struct pv_rekor_input *in,
          const char **body_b64, char kind[PV_MAX_SHORT_STRING + 1],
          char version[PV_MAX_SHORT_STRING + 1])
{
	struct pv_json_bounds bounds = PV_JSON_BOUNDS(PV_MAX_BODY_BYTES);
	struct pv_bytes raw = { 0 };
	const char *k, *v;
	json_t *body = NULL;
	size_t len;
	int rc;

	PV_TRY(get_str(r, e, "", "body", PV_MAX_BODY_BYTES / 3 * 4 + 4,
	               body_b64, &len));
	if (pv_b64_decode(&raw, *body_b64, len) != 0)
		return bad(r, "", "body", "base64");
	if (pv_json_intake(&body, raw.data, raw.len, &bounds, NULL) !=
	    PV_JSON_ACCEPTED) {
		pv_bytes_clear(&raw);
		return bad(r, "", "body", "a base64 JSON object");
	}
	rc = check_about(r, body, in, &k, &v);
	if (rc == 0) {
		snprintf(kind, PV_MAX_SHORT_STRING + 1, "%s", k);
		snprintf(version, PV_MAX_SHORT_STRING + 1, "%s", v);
	}
	json_decref(body);
	pv_bytes_clear(&raw);
	return rc;
}

static int
read_hashes(const struct rd *r, const json_t *proof, json_t **out)
{
	json_t *arr = json_object_get(proof, "hashes"), *v;
	uint8_t h[32];
	size_t i;
	char *s;
	int rc;

	/* An entry alone in its tree has no sibling hashes; Rekor may then
	 * omit the list. */
	if (arr == NULL) {
		*out = json_array();
		return *out != NULL ? 0 : pv_fail(r->err, PYVERIFY_ENOMEM,
		                                   r->s->step, "out of memory");
	}
	if (!json_is_array(arr) || json_array_size(arr) > PV_MAX_PROOF_HASHES)
		return bad(r, "verification.inclusionProof.", "hashes",
		           "a list of at most 64 hashes");
	*out = json_array();
	if (*out == NULL)
		return pv_fail(r->err, PYVERIFY_ENOMEM, r->s->step,
		               "out of memory");
	json_array_foreach(arr, i, v) {
		rc = hex32(r, v, "verification.inclusionProof.", "hashes[]", h);
		if (rc != 0)
			goto fail;
		s = pv_b64_encode(h, 32);
		rc = json_array_append_new(*out, json_string(s));
		free(s);
		if (rc != 0) {
			rc = pv_fail(r->err, PYVERIFY_ENOMEM, r->s->step,
			             "out of memory");
			goto fail;
		}
	}
	return 0;
fail:
	json_decref(*out);
	*out = NULL;
	return rc;
}

static json_t *
int64_str(int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return json_string(buf);
}

/* The entry object itself. */
static int
convert(const struct rd *r, const json_t *e, const struct pv_rekor_input *in,
        json_t **tle)
{
	char kind[PV_MAX_SHORT_STRING + 1], version[PV_MAX_SHORT_STRING + 1];
	const char *body_b64, *set_b64, *cp;
	int64_t index, itime, p_index, p_size;
	struct pv_bytes set = { 0 };
	uint8_t log_id[32], root[32];
	json_t *ver, *proof, *hashes = NULL, *t;
	char *id_b64, *root_b64;
	size_t cp_len;
	int ok;

	PV_TRY(read_body(r, e, in, &body_b64, kind, version));
	PV_TRY(get_int(r, e, "", "integratedTime", 1, &itime));
	PV_TRY(get_int(r, e, "", "logIndex", 0, &index));
	PV_TRY(hex32(r, json_object_get(e, "logID"), "", "logID", log_id));
	PV_TRY(get_obj(r, e, "", "verification", &ver));
	PV_TRY(get_str(r, ver, "verification.", "signedEntryTimestamp",
	               MAX_SET_BYTES, &set_b64, NULL));
	if (pv_b64_decode(&set, set_b64, strlen(set_b64)) != 0)
		return bad(r, "verification.", "signedEntryTimestamp",
		           "base64");
	pv_bytes_clear(&set);
	PV_TRY(get_obj(r, ver, "verification.", "inclusionProof", &proof));
	PV_TRY(get_int(r, proof, "verification.inclusionProof.", "logIndex",
	               0, &p_index));
	PV_TRY(get_int(r, proof, "verification.inclusionProof.", "treeSize",
	               1, &p_size));
	if (p_index >= p_size)
		return pv_svc_fail(r->s, r->err, PYVERIFY_EPARSE,
		                   "answer's inclusion proof is for leaf %" PRId64
		                   " of a tree of %" PRId64 " leaves",
		                   p_index, p_size);
	PV_TRY(hex32(r, json_object_get(proof, "rootHash"),
	             "verification.inclusionProof.", "rootHash", root));
	PV_TRY(get_str(r, proof, "verification.inclusionProof.", "checkpoint",
	               PV_MAX_CHECKPOINT_BYTES, &cp, &cp_len));
	PV_TRY(read_hashes(r, proof, &hashes));

	id_b64 = pv_b64_encode(log_id, 32);
	root_b64 = pv_b64_encode(root, 32);
	*tle = t = json_object();
	ok = t != NULL && id_b64 != NULL && root_b64 != NULL &&
	     json_object_set_new(t, "logIndex", int64_str(index)) == 0 &&
	     json_object_set_new(t, "logId",
	                         json_pack("{s:s}", "keyId", id_b64)) == 0 &&
	     json_object_set_new(t, "kindVersion",
	                         json_pack("{s:s,s:s}", "kind", kind,
	                                   "version", version)) == 0 &&
	     json_object_set_new(t, "integratedTime", int64_str(itime)) == 0 &&
	     json_object_set_new(t, "inclusionPromise",
	                         json_pack("{s:s}", "signedEntryTimestamp",
	                                   set_b64)) == 0 &&
	     json_object_set_new(t, "inclusionProof",
	                         json_pack("{s:o,s:s,s:o,s:O,s:{s:s%}}",
	                                   "logIndex", int64_str(p_index),
	                                   "rootHash", root_b64, "treeSize",
	                                   int64_str(p_size), "hashes", hashes,
	                                   "checkpoint", "envelope", cp,
	                                   cp_len)) == 0 &&
	     json_object_set_new(t, "canonicalizedBody",
	                         json_string(body_b64)) == 0;
	free(id_b64);
	free(root_b64);
	json_decref(hashes);
	if (!ok) {
		json_decref(t);
		*tle = NULL;
		return pv_fail(r->err, PYVERIFY_ENOMEM, r->s->step,
		               "out of memory");
	}
	return 0;
}

int
pv_rekor1_entry_to_tle(const struct pv_svc *s, const json_t *ans,
                       const char *uuid, const struct pv_rekor_input *in,
                       json_t **tle, pyverify_error *err)
{
	struct rd r = { s, err };
	const char *key;
	uint8_t id[40];
	json_t *e;
	size_t klen;

	if (json_object_size(ans) != 1)
		return pv_svc_fail(s, err, PYVERIFY_EPARSE,
		                   "answer holds %zu entries, expected one",
		                   json_object_size(ans));
	key = json_object_iter_key(json_object_iter((json_t *)ans));
	e = json_object_iter_value(json_object_iter((json_t *)ans));
	klen = strlen(key);
	if ((klen != 64 && klen != 80) ||
	    pv_hex_decode(id, klen / 2, key, klen) != 0)
		return pv_svc_fail(s, err, PYVERIFY_EPARSE,
		                   "answer's entry key is not a Rekor UUID");
	/* A UUID may carry the 16-digit tree ID in front of the leaf hash
	 * or not; the leaf hash is what names the entry. */
	if (uuid != NULL && strcasecmp(key + klen - 64,
	                               uuid + strlen(uuid) - 64) != 0)
		return pv_svc_fail(s, err, PYVERIFY_EREJECT,
		                   "answered with entry %.80s instead of the "
		                   "requested %s",
		                   key, uuid);
	if (!json_is_object(e))
		return bad(&r, "", "entry", "an object");
	return convert(&r, e, in, tle);
}
