/*
 * tlog.c - is this log entry about this signature (SPEC 3.8)? The log's
 * promise to include it (SPEC 3.9) is checked in tlog_set.c.
 *
 * The body checks exist for one reason (CVE-2022-36056): a valid entry for
 * some other artifact, signature or key must not vouch for this bundle. Each
 * supported kind is read with a fixed schema: members we do not know are
 * rejected rather than ignored, base64 fields are decoded strictly and the
 * decoded bytes are compared with the bundle's; nothing is re-encoded except
 * where Rekor v2 defines the body as the canonical JSON of known values.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "verify/steps.h"
#include "util/jcs.h"
#include "util/json.h"

#define STEP PYVERIFY_STEP_TLOG_BODY

/* A PEM certificate of PV_MAX_CERT_BYTES of DER: base64 (4/3), a newline
 * every 64 characters and two armour lines; twice the DER bound covers it. */
#define TLOG_MAX_PEM_BYTES ((size_t)2 * PV_MAX_CERT_BYTES)

enum pem_kind { PEM_CERTIFICATE = 1, PEM_PUBLIC_KEY = 2 };

/* ---- small JSON readers (every failure names the member) ---------------- */

/* The body through the one JSON intake (util/json.h). */
static enum pv_json_refusal
load_body(const struct pv_tlog_entry *e, json_t **out, json_error_t *jerr)
{
	const struct pv_json_bounds b = PV_JSON_BOUNDS(PV_MAX_BODY_BYTES);

	return pv_json_intake(out, e->body.data, e->body.len, &b, jerr);
}

static int
str_eq(const json_t *s, const char *want)
{
	size_t n = strlen(want);

	return json_is_string(s) && json_string_length(s) == n &&
	       memcmp(json_string_value(s), want, n) == 0;
}

/* The body schemas are fixed (SPEC 3.8.2-3.8.5): a member we do not know is
 * part of what the log recorded that we would otherwise ignore. */
static int
only_members(const json_t *obj, const char *path, const char *const *allowed,
             pyverify_error *err)
{
	const char *key = pv_json_unknown_member(obj, allowed);

	if (key == NULL)
		return 0;
	return pv_fail(err, PYVERIFY_EPARSE, STEP, "log entry body has an "
	               "unexpected member \"%.64s\" in %s", key, path);
}

static const char *
type_name(json_type t)
{
	switch (t) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	default: return "of the expected type";
	}
}

/* obj.name of the given type; absent is an error unless optional (then *out
 * is NULL). */
static int
member(const json_t *obj, const char *path, const char *name, json_type type,
       int optional, const json_t **out, pyverify_error *err)
{
	const json_t *v = json_object_get(obj, name);

	*out = NULL;
	if (v == NULL) {
		if (optional)
			return 0;
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "log entry body lacks %s.%s", path, name);
	}
	if (json_typeof(v) != type)
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "log entry body member %s.%s is not %s", path,
		               name, type_name(type));
	*out = v;
	return 0;
}

static int
b64_string(struct pv_bytes *out, const json_t *s, const char *what,
           pyverify_error *err)
{
	if (pv_b64_decode(out, json_string_value(s), json_string_length(s)) != 0)
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "log entry %s is not valid base64", what);
	return 0;
}

/* SPEC 3.8.5: intoto 0.0.2 stores the DSSE base64 text base64-encoded
 * again; decode twice to reach the raw bytes. */
static int
b64_b64_string(struct pv_bytes *out, const json_t *s, const char *what,
               pyverify_error *err)
{
	struct pv_bytes once = { NULL, 0 };
	int rc;

	PV_TRY(b64_string(&once, s, what, err));
	rc = pv_b64_decode(out, (const char *)once.data, once.len);
	pv_bytes_clear(&once);
	if (rc != 0)
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "log entry %s is not base64 of base64", what);
	return 0;
}

/* ---- comparisons with the bundle ---- */

/* {"algorithm":"<d->name>","value":"<hex>"} whose value must be `want`
 * (d->len bytes). SPEC 3.8.2: the algorithm must be the one the bundle
 * signs; another one records another digest, not a malformed body. */
static int
match_hex_digest(const json_t *h, const char *path,
                 const struct pv_digest_info *d, const uint8_t *want,
                 const char *what, pyverify_error *err)
{
	static const char *const m[] = { "algorithm", "value", NULL };
	const json_t *alg, *val;
	const struct pv_digest_info *logged;
	uint8_t got[EVP_MAX_MD_SIZE];
	char ghex[2 * EVP_MAX_MD_SIZE + 1], whex[2 * EVP_MAX_MD_SIZE + 1];

	PV_TRY(only_members(h, path, m, err));
	PV_TRY(member(h, path, "algorithm", JSON_STRING, 0, &alg, err));
	PV_TRY(member(h, path, "value", JSON_STRING, 0, &val, err));
	logged = pv_digest_by_name(json_string_value(alg),
	                           json_string_length(alg));
	if (logged == NULL)
		return pv_fail(err, PYVERIFY_EREJECT, STEP,
		               "log entry %s.algorithm \"%.32s\" is not "
		               "supported (expected sha256, sha384 or sha512)",
		               path, json_string_value(alg));
	if (logged != d)
		return pv_fail(err, PYVERIFY_EREJECT, STEP,
		               "log entry records the %s digest of the %s, but "
		               "the bundle signs its %s digest", logged->name,
		               what, d->name);
	if (pv_hex_decode(got, d->len, json_string_value(val),
	                  json_string_length(val)) != 0)
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "log entry %s.value is not a %zu-digit hex %s "
		               "digest", path, 2 * d->len, d->title);
	if (memcmp(got, want, d->len) != 0) {
		pv_hex_encode(ghex, got, d->len);
		pv_hex_encode(whex, want, d->len);
		return pv_fail(err, PYVERIFY_EREJECT, STEP,
		               "log entry is about another %s: %s.value is %s, "
		               "expected %s", what, path, ghex, whex);
	}
	return 0;
}

static int
match_sha256_hex(const json_t *h, const char *path, const uint8_t want[32],
                 const char *what, pyverify_error *err)
{
	return match_hex_digest(h, path, pv_digest_by_alg(PV_HASH_SHA2_256),
	                        want, what, err);
}

/* The digest of the artifact the message signature signs. */
static const struct pv_digest_info *
content_digest(const struct pv_signed_content *c, const uint8_t **want)
{
	if (c->digest_alg == 0 || c->artifact_digest == NULL) {
		*want = c->artifact_sha256;
		return *want != NULL ? pv_digest_by_alg(PV_HASH_SHA2_256)
		                     : NULL;
	}
	*want = c->artifact_digest;
	return pv_digest_by_alg(c->digest_alg);
}

/* A hash the bundle cannot reproduce: only its shape is checked. */
static int
hash_shape(const json_t *h, const char *path, pyverify_error *err)
{
	static const char *const m[] = { "algorithm", "value", NULL };
	const json_t *v;

	PV_TRY(only_members(h, path, m, err));
	PV_TRY(member(h, path, "algorithm", JSON_STRING, 0, &v, err));
	return member(h, path, "value", JSON_STRING, 0, &v, err);
}

static int
match_signature(const struct pv_bytes *sig, const struct pv_signed_content *c,
                const char *what, pyverify_error *err)
{
	/* Byte comparison: a second valid ECDSA signature over the same
	 * content is a different signing event (dsse-mismatch-sig_fail). */
	if (sig->len != c->signature_len ||
	    memcmp(sig->data, c->signature, sig->len) != 0)
		return pv_fail(err, PYVERIFY_EREJECT, STEP,
		               "log entry %s differs from the bundle's signature "
		               "(the entry records another signing event)", what);
	return 0;
}

/* SPEC 0.4: exactly one PEM block (no text around it, no headers). */
static int
pem_decode(const struct pv_bytes *pem, enum pem_kind *kind,
           struct pv_bytes *der, const char *what, pyverify_error *err)
{
	static const char begin[] = "-----BEGIN ";
	BIO *bio = NULL;
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long dlen = 0;
	int rc;

	if (pem->len == 0 || pem->len > TLOG_MAX_PEM_BYTES)
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "log entry %s has an invalid PEM length (%zu "
		               "bytes)", what, pem->len);
	if (pem->len < sizeof(begin) - 1 ||
	    memcmp(pem->data, begin, sizeof(begin) - 1) != 0)
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "log entry %s is not a PEM block", what);
	bio = BIO_new_mem_buf(pem->data, (int)pem->len);
	if (bio == NULL)
		return pv_fail(err, PYVERIFY_ENOMEM, STEP, "out of memory");
	if (!PEM_read_bio_ex(bio, &name, &header, &data, &dlen,
	                     PEM_FLAG_ONLY_B64) ||
	    dlen <= 0) {
		ERR_clear_error();
		rc = pv_fail(err, PYVERIFY_EPARSE, STEP,
		             "log entry %s is not a valid PEM block", what);
		goto done;
	}
	if (BIO_ctrl_pending(bio) != 0 || (header != NULL && header[0])) {
		rc = pv_fail(err, PYVERIFY_EPARSE, STEP,
		             "log entry %s carries more than one PEM block", what);
		goto done;
	}
	if (strcmp(name, "CERTIFICATE") == 0) {
		*kind = PEM_CERTIFICATE;
	} else if (strcmp(name, "PUBLIC KEY") == 0) {
		*kind = PEM_PUBLIC_KEY;
	} else {
		rc = pv_fail(err, PYVERIFY_EPARSE, STEP,
		             "log entry %s is a PEM \"%.32s\" block, expected "
		             "CERTIFICATE or PUBLIC KEY", what, name);
		goto done;
	}
	rc = pv_bytes_dup(der, data, (size_t)dlen) == 0
	         ? 0
	         : pv_fail(err, PYVERIFY_ENOMEM, STEP, "out of memory");
done:
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	BIO_free(bio);
	return rc;
}

/* SPEC 3.8.1: certificate bundles compare with the leaf, key bundles with
 * the trusted key; a certificate entry never vouches for a key bundle nor
 * the reverse. `pem` is the decoded PEM text. */
static int
match_verifier(const struct pv_bytes *pem, const struct pv_signed_content *c,
               const char *what, pyverify_error *err)
{
	struct pv_bytes der = { NULL, 0 };
	enum pem_kind kind = PEM_CERTIFICATE;
	int rc;

	PV_TRY(pem_decode(pem, &kind, &der, what, err));
	if (kind == PEM_CERTIFICATE && c->cert_der == NULL)
		rc = pv_fail(err, PYVERIFY_EREJECT, STEP,
		             "log entry %s is a certificate, but the bundle is "
		             "signed with a public key", what);
	else if (kind == PEM_CERTIFICATE &&
	         (der.len != c->cert_len ||
	          memcmp(der.data, c->cert_der, der.len) != 0))
		rc = pv_fail(err, PYVERIFY_EREJECT, STEP,
		             "log entry %s is not the bundle's signing "
		             "certificate", what);
	else if (kind == PEM_PUBLIC_KEY && c->cert_der != NULL)
		rc = pv_fail(err, PYVERIFY_EREJECT, STEP,
		             "log entry %s is a public key, but the bundle is "
		             "signed with a certificate", what);
	else if (kind == PEM_PUBLIC_KEY &&
	         (der.len != c->key->spki.len ||
	          memcmp(der.data, c->key->spki.data, der.len) != 0))
		rc = pv_fail(err, PYVERIFY_EREJECT, STEP,
		             "log entry %s is not the bundle's public key", what);
	else
		rc = 0;
	pv_bytes_clear(&der);
	return rc;
}

typedef int (*match_fn)(const struct pv_bytes *,
                        const struct pv_signed_content *, const char *,
                        pyverify_error *);

/* A base64 member decoded, then compared by match (match_verifier: PEM
 * text with the bundle's certificate or key; match_signature). */
static int
match_b64(const json_t *s, const struct pv_signed_content *c,
          const char *what, match_fn match, pyverify_error *err)
{
	struct pv_bytes raw = { NULL, 0 };
	int rc;

	PV_TRY(b64_string(&raw, s, what, err));
	rc = match(&raw, c, what, err);
	pv_bytes_clear(&raw);
	return rc;
}

/* A bundle's envelope carries exactly one signature; an entry with another
 * count records a different envelope. *out: that signature, an object
 * with only the members m (path names it). */
static int
one_signature(const json_t *sigs, const char *path, const char *const *m,
              const json_t **out, pyverify_error *err)
{
	const json_t *s0;

	if (json_array_size(sigs) != 1)
		return pv_fail(err, PYVERIFY_EREJECT, STEP,
		               "log entry lists %zu signatures, expected the "
		               "envelope's one", json_array_size(sigs));
	s0 = json_array_get(sigs, 0);
	if (!json_is_object(s0))
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "log entry body member %s is not an object",
		               path);
	PV_TRY(only_members(s0, path, m, err));
	*out = s0;
	return 0;
}

static int
need_content(const struct pv_signed_content *c, enum pv_content want,
             const char *kind, pyverify_error *err)
{
	if (c->content == want)
		return 0;
	return pv_fail(err, PYVERIFY_EREJECT, STEP,
	               "a %s log entry records %s, but the bundle holds %s",
	               kind,
	               want == PV_CONTENT_DSSE ? "a DSSE envelope"
	                                       : "a message signature",
	               c->content == PV_CONTENT_DSSE ? "a DSSE envelope"
	                                             : "a message signature");
}

/* ---- the kinds ---- */

/* SPEC 3.8.2: hashedrekord 0.0.1 (Rekor v1). */
static int
check_hashedrekord_v001(const json_t *spec, const struct pv_signed_content *c,
                        pyverify_error *err)
{
	static const char *const spec_m[] = { "data", "signature", NULL };
	static const char *const data_m[] = { "hash", NULL };
	static const char *const sig_m[] = { "content", "publicKey", NULL };
	static const char *const pk_m[] = { "content", NULL };
	const json_t *data, *hash, *sig, *content, *pk, *pkc;
	const struct pv_digest_info *d;
	const uint8_t *want;

	PV_TRY(need_content(c, PV_CONTENT_MESSAGE, "hashedrekord", err));
	d = content_digest(c, &want);
	PV_TRY(only_members(spec, "spec", spec_m, err));
	PV_TRY(member(spec, "spec", "data", JSON_OBJECT, 0, &data, err));
	PV_TRY(only_members(data, "spec.data", data_m, err));
	PV_TRY(member(data, "spec.data", "hash", JSON_OBJECT, 0, &hash, err));
	PV_TRY(member(spec, "spec", "signature", JSON_OBJECT, 0, &sig, err));
	PV_TRY(only_members(sig, "spec.signature", sig_m, err));
	PV_TRY(member(sig, "spec.signature", "content", JSON_STRING, 0,
	              &content, err));
	PV_TRY(member(sig, "spec.signature", "publicKey", JSON_OBJECT, 0, &pk,
	              err));
	PV_TRY(only_members(pk, "spec.signature.publicKey", pk_m, err));
	PV_TRY(member(pk, "spec.signature.publicKey", "content", JSON_STRING,
	              0, &pkc, err));

	/* "value hex-decodes to D (the artifact digest)" */
	PV_TRY(match_hex_digest(hash, "spec.data.hash", d, want, "artifact",
	                        err));
	/* "signature.content b64-decodes to the bundle signature bytes" */
	PV_TRY(match_b64(content, c, "spec.signature.content", match_signature,
	                 err));
	/* "CERTIFICATE => DER must equal the leaf DER; PUBLIC KEY => SPKI must
	 * equal the trusted key" */
	return match_b64(pkc, c, "spec.signature.publicKey.content",
	                 match_verifier, err);
}

/* SPEC 3.8.4: dsse 0.0.1 (Rekor v1). */
static int
check_dsse_v001(const json_t *spec, const struct pv_signed_content *c,
                pyverify_error *err)
{
	static const char *const spec_m[] = { "envelopeHash", "payloadHash",
		                              "signatures", NULL };
	static const char *const sig_m[] = { "signature", "verifier", NULL };
	const json_t *env_hash, *pay_hash, *sigs, *s0, *sig, *verifier;
	uint8_t h[32];

	PV_TRY(need_content(c, PV_CONTENT_DSSE, "dsse", err));
	PV_TRY(only_members(spec, "spec", spec_m, err));
	PV_TRY(member(spec, "spec", "payloadHash", JSON_OBJECT, 0, &pay_hash,
	              err));
	PV_TRY(member(spec, "spec", "signatures", JSON_ARRAY, 0, &sigs, err));
	/* envelopeHash hashes the envelope JSON exactly as it was submitted;
	 * the bundle keeps the envelope's fields, not that text, so it cannot
	 * be recomputed (SPEC 3.8.4). Its shape is still checked. */
	PV_TRY(member(spec, "spec", "envelopeHash", JSON_OBJECT, 1, &env_hash,
	              err));
	if (env_hash != NULL)
		PV_TRY(hash_shape(env_hash, "spec.envelopeHash", err));

	if (pv_sha256(h, c->payload, c->payload_len) != 0)
		return pv_fail(err, PYVERIFY_EINTERNAL, STEP,
		               "cannot hash the DSSE payload");
	PV_TRY(match_sha256_hex(pay_hash, "spec.payloadHash", h,
	                        "DSSE payload", err));
	PV_TRY(one_signature(sigs, "spec.signatures[0]", sig_m, &s0, err));
	PV_TRY(member(s0, "spec.signatures[0]", "signature", JSON_STRING, 0,
	              &sig, err));
	PV_TRY(member(s0, "spec.signatures[0]", "verifier", JSON_STRING, 0,
	              &verifier, err));
	PV_TRY(match_b64(sig, c, "spec.signatures[0].signature",
	                 match_signature, err));
	return match_b64(verifier, c, "spec.signatures[0].verifier",
	                 match_verifier, err);
}

/* SPEC 3.8.5: intoto 0.0.2 (Rekor v1, legacy; double base64). */
static int
check_intoto_v002(const json_t *spec, const struct pv_signed_content *c,
                  pyverify_error *err)
{
	static const char *const spec_m[] = { "content", NULL };
	static const char *const content_m[] = { "envelope", "hash",
		                                  "payloadHash", NULL };
	static const char *const env_m[] = { "payload", "payloadType",
		                             "signatures", NULL };
	static const char *const sig_m[] = { "keyid", "publicKey", "sig",
		                             NULL };
	const json_t *content, *env, *hash, *pay_hash, *payload, *ptype, *sigs;
	const json_t *s0, *sig, *pk, *keyid;
	struct pv_bytes b = { NULL, 0 };
	uint8_t h[32];
	int rc;

	PV_TRY(need_content(c, PV_CONTENT_DSSE, "intoto", err));
	PV_TRY(only_members(spec, "spec", spec_m, err));
	PV_TRY(member(spec, "spec", "content", JSON_OBJECT, 0, &content, err));
	PV_TRY(only_members(content, "spec.content", content_m, err));
	PV_TRY(member(content, "spec.content", "envelope", JSON_OBJECT, 0,
	              &env, err));
	PV_TRY(member(content, "spec.content", "payloadHash", JSON_OBJECT, 0,
	              &pay_hash, err));
	/* content.hash covers the envelope text as submitted: not
	 * reproducible from the bundle (SPEC 3.8.5), shape only. */
	PV_TRY(member(content, "spec.content", "hash", JSON_OBJECT, 1, &hash,
	              err));
	if (hash != NULL)
		PV_TRY(hash_shape(hash, "spec.content.hash", err));
	PV_TRY(only_members(env, "spec.content.envelope", env_m, err));
	PV_TRY(member(env, "spec.content.envelope", "payloadType",
	              JSON_STRING, 0, &ptype, err));
	PV_TRY(member(env, "spec.content.envelope", "payload", JSON_STRING, 1,
	              &payload, err));
	PV_TRY(member(env, "spec.content.envelope", "signatures", JSON_ARRAY,
	              0, &sigs, err));

	if (!str_eq(ptype, c->payload_type))
		return pv_fail(err, PYVERIFY_EREJECT, STEP,
		               "log entry payloadType \"%.64s\" differs from the "
		               "envelope's \"%.64s\"", json_string_value(ptype),
		               c->payload_type);
	if (pv_sha256(h, c->payload, c->payload_len) != 0)
		return pv_fail(err, PYVERIFY_EINTERNAL, STEP,
		               "cannot hash the DSSE payload");
	PV_TRY(match_sha256_hex(pay_hash, "spec.content.payloadHash", h,
	                        "DSSE payload", err));
	if (payload != NULL) {
		PV_TRY(b64_b64_string(&b, payload,
		                      "spec.content.envelope.payload", err));
		rc = b.len == c->payload_len &&
		     (b.len == 0 || memcmp(b.data, c->payload, b.len) == 0);
		pv_bytes_clear(&b);
		if (!rc)
			return pv_fail(err, PYVERIFY_EREJECT, STEP,
			               "log entry payload differs from the "
			               "envelope's payload");
	}
	PV_TRY(one_signature(sigs, "spec.content.envelope.signatures[0]",
	                     sig_m, &s0, err));
	PV_TRY(member(s0, "spec.content.envelope.signatures[0]", "sig",
	              JSON_STRING, 0, &sig, err));
	PV_TRY(member(s0, "spec.content.envelope.signatures[0]", "publicKey",
	              JSON_STRING, 0, &pk, err));
	/* keyid is a free-form hint from the signer, not checked. */
	PV_TRY(member(s0, "spec.content.envelope.signatures[0]", "keyid",
	              JSON_STRING, 1, &keyid, err));

	PV_TRY(b64_b64_string(&b, sig, "spec.content.envelope.signatures[0].sig",
	                      err));
	rc = match_signature(&b, c, "spec.content.envelope.signatures[0].sig",
	                     err);
	pv_bytes_clear(&b);
	if (rc != 0)
		return rc;
	return match_b64(pk, c, "spec.content.envelope.signatures[0]."
	                 "publicKey", match_verifier, err);
}

/* The HashAlgorithm enum name of a prehash (SPEC 3.8.3). */
static const char *
hash_alg_name(const EVP_MD *md)
{
	switch (EVP_MD_get_type(md)) {
	case NID_sha256: return "SHA2_256";
	case NID_sha384: return "SHA2_384";
	case NID_sha512: return "SHA2_512";
	default: return NULL;
	}
}

/* When the rebuilt body and the logged one differ, say which part. */
static int
explain_v002_mismatch(const json_t *body, const json_t *want,
                      pyverify_error *err)
{
	const json_t *a, *b, *sa, *sb;

	a = json_object_get(json_object_get(body, "spec"), "hashedRekordV002");
	b = json_object_get(json_object_get(want, "spec"), "hashedRekordV002");
	sa = json_object_get(a, "signature");
	sb = json_object_get(b, "signature");
	if (!json_equal(json_object_get(a, "data"), json_object_get(b, "data")))
		return pv_fail(err, PYVERIFY_EREJECT, STEP,
		               "log entry is about another artifact: "
		               "spec.hashedRekordV002.data differs from the "
		               "digest the bundle signs");
	if (!json_equal(json_object_get(sa, "content"),
	                json_object_get(sb, "content")))
		return pv_fail(err, PYVERIFY_EREJECT, STEP,
		               "log entry signature differs from the bundle's "
		               "signature (the entry records another signing "
		               "event)");
	if (!json_equal(json_object_get(sa, "verifier"),
	                json_object_get(sb, "verifier")))
		return pv_fail(err, PYVERIFY_EREJECT, STEP,
		               "log entry verifier (key details, certificate or "
		               "key) differs from the bundle's");
	return pv_fail(err, PYVERIFY_EREJECT, STEP,
	               "log entry body is not the canonical (RFC 8785) "
	               "hashedrekord 0.0.2 body of this bundle");
}

/*
 * SPEC 3.8.3: hashedrekord 0.0.2 (Rekor v2). The body is the JCS form of a
 * protobuf-JSON Entry, so it is rebuilt from the bundle and must equal the
 * logged bytes exactly: stricter than either reference client (Go only
 * recomputes, Python only compares structure), and the leaf hash then
 * covers bytes we derived ourselves.
 */
static int
check_hashedrekord_v002(const json_t *body, const struct pv_tlog_entry *e,
                        const struct pv_signed_content *c,
                        pyverify_error *err)
{
	const EVP_MD *md = pv_pubkey_md(c->key);
	const char *details = pv_key_details_name(c->key->details);
	const char *alg = md != NULL ? hash_alg_name(md) : NULL;
	struct pv_bytes pae = { NULL, 0 };
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	char *dig_b64 = NULL, *sig_b64 = NULL, *raw_b64 = NULL, *text = NULL;
	json_t *want = NULL;
	size_t tlen = 0;
	int rc;

	/* "pure Ed25519 has no prehash and is not allowed" */
	if (c->key->details == PV_KEY_PKIX_ED25519 ||
	    c->key->details == PV_KEY_PKIX_ED25519_PH || alg == NULL ||
	    details == NULL)
		return pv_fail(err, PYVERIFY_EREJECT, STEP,
		               "hashedrekord 0.0.2 entries for %s keys are not "
		               "supported", details ? details : "unrecognised");
	if (c->content == PV_CONTENT_MESSAGE) {
		/* The digest the signature signs (SPEC 3.8.3: the key
		 * algorithm's prehash; the bundle's messageDigest names it). */
		const uint8_t *signed_digest;
		const struct pv_digest_info *d = content_digest(c,
		                                                &signed_digest);
		memcpy(digest, signed_digest, d->len);
		dlen = (unsigned int)d->len;
		alg = d->enum_name;
	} else {
		/* "digest = Hash(PAE(payloadType, payload)) with the key
		 * algorithm's prehash" */
		if (pv_dsse_pae(&pae, c->payload_type, c->payload,
		                c->payload_len) != 0)
			return pv_fail(err, PYVERIFY_ENOMEM, STEP,
			               "out of memory");
		rc = EVP_Digest(pae.data, pae.len, digest, &dlen, md, NULL);
		pv_bytes_clear(&pae);
		if (rc != 1)
			return pv_fail(err, PYVERIFY_EINTERNAL, STEP,
			               "cannot hash the DSSE PAE");
	}
	dig_b64 = pv_b64_encode(digest, dlen);
	sig_b64 = pv_b64_encode(c->signature, c->signature_len);
	raw_b64 = c->cert_der != NULL
	              ? pv_b64_encode(c->cert_der, c->cert_len)
	              : pv_b64_encode(c->key->spki.data, c->key->spki.len);
	if (dig_b64 == NULL || sig_b64 == NULL || raw_b64 == NULL) {
		rc = pv_fail(err, PYVERIFY_ENOMEM, STEP, "out of memory");
		goto done;
	}
	want = json_pack("{s:s, s:s, s:{s:{s:{s:s, s:s}, s:{s:s, s:{s:s, "
	                 "s:{s:s}}}}}}",
	                 "apiVersion", "0.0.2", "kind", "hashedrekord",
	                 "spec", "hashedRekordV002",
	                 "data", "algorithm", alg, "digest", dig_b64,
	                 "signature", "content", sig_b64,
	                 "verifier", "keyDetails", details,
	                 c->cert_der != NULL ? "x509Certificate" : "publicKey",
	                 "rawBytes", raw_b64);
	text = want != NULL ? pv_jcs_dumps(want, &tlen) : NULL;
	if (text == NULL) {
		rc = pv_fail(err, PYVERIFY_ENOMEM, STEP, "out of memory");
		goto done;
	}
	if (tlen != e->body.len || memcmp(text, e->body.data, tlen) != 0)
		rc = explain_v002_mismatch(body, want, err);
	else
		rc = 0;
done:
	free(text);
	json_decref(want);
	free(dig_b64);
	free(sig_b64);
	free(raw_b64);
	return rc;
}

/* ---- entry points ---- */

int
pv_tlog_body_digest_alg(const struct pv_tlog_entry *e)
{
	const struct pv_digest_info *d = NULL;
	json_t *body, *alg;
	int v2;

	if (e == NULL || strcmp(e->kind, "hashedrekord") != 0 ||
	    e->body.len == 0 || e->body.len > PV_MAX_BODY_BYTES)
		return 0;
	v2 = strcmp(e->version, "0.0.2") == 0;
	if (!v2 && strcmp(e->version, "0.0.1") != 0)
		return 0;
	if (load_body(e, &body, NULL) != PV_JSON_ACCEPTED)
		return 0;
	/* 0.0.1: spec.data.hash.algorithm "sha384"; 0.0.2:
	 * spec.hashedRekordV002.data.algorithm "SHA2_384". */
	if (v2) {
		alg = json_object_get(json_object_get(json_object_get(
		          json_object_get(body, "spec"), "hashedRekordV002"),
		          "data"), "algorithm");
		if (json_is_string(alg)) {
			if (str_eq(alg, "SHA2_256"))
				d = pv_digest_by_alg(PV_HASH_SHA2_256);
			else if (str_eq(alg, "SHA2_384"))
				d = pv_digest_by_alg(PV_HASH_SHA2_384);
			else if (str_eq(alg, "SHA2_512"))
				d = pv_digest_by_alg(PV_HASH_SHA2_512);
		}
	} else {
		alg = json_object_get(json_object_get(json_object_get(
		          json_object_get(body, "spec"), "data"), "hash"),
		          "algorithm");
		if (json_is_string(alg))
			d = pv_digest_by_name(json_string_value(alg),
			                      json_string_length(alg));
	}
	json_decref(body);
	return d != NULL ? d->alg : 0;
}

static int
kind_is(const struct pv_tlog_entry *e, const char *kind, const char *version)
{
	return strcmp(e->kind, kind) == 0 && strcmp(e->version, version) == 0;
}

static int
inputs_ok(const struct pv_tlog_entry *e, const struct pv_signed_content *c)
{
	if (e == NULL || c == NULL || c->key == NULL || c->signature == NULL ||
	    c->signature_len == 0)
		return 0;
	if (c->content == PV_CONTENT_MESSAGE) {
		const uint8_t *want;
		return content_digest(c, &want) != NULL;
	}
	if (c->content == PV_CONTENT_DSSE)
		return c->payload_type != NULL &&
		       (c->payload != NULL || c->payload_len == 0);
	return 0;
}

int
pv_tlog_check_body(const struct pv_tlog_entry *e,
                   const struct pv_signed_content *c, uint8_t leaf_hash[32],
                   pyverify_error *err)
{
	static const char *const top_m[] = { "apiVersion", "kind", "spec",
		                             NULL };
	json_t *body = NULL;
	const json_t *kind, *ver, *spec;
	enum pv_json_refusal refused;
	json_error_t jerr;
	int rc;

	if (!inputs_ok(e, c) || leaf_hash == NULL)
		return pv_fail(err, PYVERIFY_EINTERNAL, STEP,
		               "log entry check called without the signed "
		               "content");
	if (e->body.len == 0 || e->body.len > PV_MAX_BODY_BYTES)
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "log entry body has an invalid length (%zu bytes)",
		               e->body.len);
	/* SPEC 3.8.1: the body is a JSON object {apiVersion, kind, spec}. */
	refused = load_body(e, &body, &jerr);
	if (refused == PV_JSON_TOO_DEEP) { /* the length was checked above */
		rc = pv_fail(err, PYVERIFY_EPARSE, STEP,
		             "log entry body nests JSON deeper than %d levels",
		             PV_MAX_JSON_DEPTH);
		goto done;
	}
	if (refused != PV_JSON_ACCEPTED) {
		rc = pv_fail(err, PYVERIFY_EPARSE, STEP,
		             "log entry body is not a JSON object: %s",
		             refused == PV_JSON_INVALID ? jerr.text
		                                        : "wrong type");
		goto done;
	}
	if ((rc = only_members(body, "the body", top_m, err)) != 0 ||
	    (rc = member(body, "body", "kind", JSON_STRING, 0, &kind, err)) ||
	    (rc = member(body, "body", "apiVersion", JSON_STRING, 0, &ver,
	                 err)) ||
	    (rc = member(body, "body", "spec", JSON_OBJECT, 0, &spec, err)))
		goto done;
	/* SPEC 1.5: "kindVersion - must equal the kind and apiVersion found
	 * inside canonicalizedBody". */
	if (!str_eq(kind, e->kind) || !str_eq(ver, e->version)) {
		rc = pv_fail(err, PYVERIFY_EREJECT, STEP,
		             "log entry body is kind %.64s version %.64s, but "
		             "its kindVersion says %.64s %.64s",
		             json_string_value(kind), json_string_value(ver),
		             e->kind, e->version);
		goto done;
	}
	if (kind_is(e, "hashedrekord", "0.0.1"))
		rc = check_hashedrekord_v001(spec, c, err);
	else if (kind_is(e, "hashedrekord", "0.0.2"))
		rc = check_hashedrekord_v002(body, e, c, err);
	else if (kind_is(e, "dsse", "0.0.1"))
		rc = check_dsse_v001(spec, c, err);
	else if (kind_is(e, "intoto", "0.0.2"))
		rc = check_intoto_v002(spec, c, err);
	else if (kind_is(e, "dsse", "0.0.2"))
		/* SPEC 3.8.6: optional; both reference clients removed it. */
		rc = pv_fail(err, PYVERIFY_EREJECT, STEP,
		             "unsupported log entry kind dsse version 0.0.2 "
		             "(early Rekor v2; DSSE is now logged as "
		             "hashedrekord 0.0.2)");
	else
		rc = pv_fail(err, PYVERIFY_EREJECT, STEP,
		             "unsupported log entry kind %.64s version %.64s",
		             e->kind, e->version);
	if (rc == 0 &&
	    pv_merkle_leaf_hash(leaf_hash, e->body.data, e->body.len) != 0)
		rc = pv_fail(err, PYVERIFY_EINTERNAL, STEP,
		             "cannot compute the log leaf hash");
done:
	json_decref(body);
	return rc;
}
