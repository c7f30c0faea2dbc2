/* rekor2.c - logging a signature in a Rekor v2 log (SPEC 5.9): a
 * hashedRekordRequestV002; the 201 answer is already the bundle's
 * TransparencyLogEntry. Its shape is checked here; its proof and
 * checkpoint are verified with the whole bundle by the signer. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "sign/service_call.h"
#include "util/json.h"

/* A hashedrekord 0.0.2 entry is a few KB (the leaf certificate); 1 MiB
 * bounds a hostile answer. */
#define REKOR2_MAX_ANSWER (1u << 20)
/* Rekor v2 answers only once the entry is in a published checkpoint; it
 * batches, so allow what sigstore-go's writer allows. The silent wait
 * counts against the transport's slow-answer rule too (no bytes for
 * low_speed_seconds aborts, and the POST would then be sent again). */
#define REKOR2_MIN_TIMEOUT_MS 30000L
#define REKOR2_MIN_WAIT_S 30L

/* verifier.keyDetails of the signing key (SPEC 3.8.3, 5.9). */
static const char *
key_details(EVP_PKEY *k)
{
	char group[64];
	size_t n = 0;

	if (EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519)
		return "PKIX_ED25519";
	if (EVP_PKEY_get_base_id(k) != EVP_PKEY_EC ||
	    EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
	                                   group, sizeof(group), &n) != 1)
		return NULL;
	if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0)
		return "PKIX_ECDSA_P256_SHA_256";
	if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0)
		return "PKIX_ECDSA_P384_SHA_384";
	if (strcmp(group, "secp521r1") == 0 || strcmp(group, "P-521") == 0)
		return "PKIX_ECDSA_P521_SHA_512";
	return NULL;
}

/* DER SubjectPublicKeyInfo of a managed key, malloc'd. */
static uint8_t *
spki_der(EVP_PKEY *k, size_t *len)
{
	unsigned char *der = NULL, *p;
	int n = i2d_PUBKEY(k, NULL);

	if (n <= 0 || (der = malloc((size_t)n)) == NULL)
		return NULL;
	p = der;
	if (i2d_PUBKEY(k, &p) != n) {
		free(der);
		return NULL;
	}
	*len = (size_t)n;
	return der;
}

static json_t *
request(const struct pv_rekor_input *in, const char *details)
{
	char *digest = pv_b64_encode(in->digest, in->digest_len);
	char *sig = pv_b64_encode(in->sig, in->sig_len);
	char *raw = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	json_t *req = NULL;

	if (in->cert_der != NULL)
		raw = pv_b64_encode(in->cert_der, in->cert_len);
	else if ((der = spki_der(in->pub, &der_len)) != NULL)
		raw = pv_b64_encode(der, der_len);
	if (digest != NULL && sig != NULL && raw != NULL)
		req = json_pack("{s:{s:s,s:{s:s,s:{s:{s:s},s:s}}}}",
		                "hashedRekordRequestV002", "digest", digest,
		                "signature", "content", sig, "verifier",
		                in->cert_der != NULL ? "x509Certificate"
		                                     : "publicKey",
		                "rawBytes", raw, "keyDetails", details);
	free(digest);
	free(sig);
	free(raw);
	free(der);
	return req;
}

/* The members a verifier needs, each of the right type; the rest is the
 * signer's verification of the bundle. */
static int
check_tle(const struct pv_svc *s, const json_t *t, pyverify_error *err)
{
	json_t *kv = json_object_get(t, "kindVersion");
	json_t *proof = json_object_get(t, "inclusionProof");
	json_t *cp = json_object_get(proof, "checkpoint");
	const char *kind = json_string_value(json_object_get(kv, "kind"));
	const char *ver = json_string_value(json_object_get(kv, "version"));
	json_t *idx = json_object_get(t, "logIndex");

	if ((!json_is_string(idx) && !json_is_integer(idx)) ||
	    !json_is_string(json_object_get(json_object_get(t, "logId"),
	                                    "keyId")) ||
	    !json_is_object(proof) ||
	    !json_is_string(json_object_get(proof, "rootHash")) ||
	    !json_is_string(json_object_get(cp, "envelope")) ||
	    !json_is_string(json_object_get(t, "canonicalizedBody")))
		return pv_svc_fail(s, err, PYVERIFY_EPARSE,
		                   "answer is not a transparency log entry "
		                   "(logIndex, logId.keyId, kindVersion, "
		                   "inclusionProof with rootHash and checkpoint, "
		                   "canonicalizedBody)");
	if (kind == NULL || ver == NULL || strcmp(kind, "hashedrekord") != 0 ||
	    strcmp(ver, "0.0.2") != 0)
		return pv_svc_fail(s, err, PYVERIFY_EREJECT,
		                   "logged a %.64s %.64s entry, but a hashedrekord "
		                   "0.0.2 entry was requested",
		                   kind != NULL ? kind : "(no kind)",
		                   ver != NULL ? ver : "(no version)");
	return 0;
}

/* bytes member `name` of obj equals want (base64 compared decoded). */
static int
same_bytes(const json_t *obj, const char *name, const uint8_t *want,
           size_t len)
{
	json_t *v = json_object_get(obj, name);
	struct pv_bytes got = { 0 };
	int same;

	same = json_is_string(v) &&
	       pv_b64_decode(&got, json_string_value(v),
	                     json_string_length(v)) == 0 &&
	       got.len == len && memcmp(got.data, want, len) == 0;
	pv_bytes_clear(&got);
	return same;
}

/* The logged body is about what was sent: the digest and the signature
 * (SPEC 3.8.3), so a log answering with another entry is named here. */
static int
check_body(const struct pv_svc *s, const json_t *t,
           const struct pv_rekor_input *in, pyverify_error *err)
{
	struct pv_json_bounds b = PV_JSON_BOUNDS(PV_MAX_BODY_BYTES);
	json_t *v = json_object_get(t, "canonicalizedBody"), *body = NULL;
	struct pv_bytes raw = { 0 };
	json_t *spec;
	int same = 0;

	if (json_string_length(v) <= PV_MAX_BODY_BYTES / 3 * 4 + 4 &&
	    pv_b64_decode(&raw, json_string_value(v), json_string_length(v)) ==
	            0 &&
	    pv_json_intake(&body, raw.data, raw.len, &b, NULL) ==
	            PV_JSON_ACCEPTED) {
		spec = json_object_get(json_object_get(body, "spec"),
		                       "hashedRekordV002");
		same = same_bytes(json_object_get(spec, "data"), "digest",
		                  in->digest, in->digest_len) &&
		       same_bytes(json_object_get(spec, "signature"), "content",
		                  in->sig, in->sig_len);
	}
	json_decref(body);
	pv_bytes_clear(&raw);
	if (!same)
		return pv_svc_fail(s, err, PYVERIFY_EREJECT,
		                   "answered with an entry for another body "
		                   "(its digest or signature is not the one "
		                   "sent)");
	return 0;
}

int
pv_rekor2_upload(const struct pv_sign_net *n, const char *base_url,
                 const struct pv_rekor_input *in, json_t **tle,
                 pyverify_error *err)
{
	static const char *const headers[] = { "Content-Type: application/json",
	                                       "Accept: application/json",
	                                       NULL };
	struct pv_sign_net slow;
	pv_net_response resp = { 0 };
	const char *details;
	json_t *req = NULL, *ans = NULL;
	char *body = NULL;
	struct pv_svc s;
	int rc;

	PV_TRY(pv_svc_init(&s, "Rekor", PYVERIFY_STEP_REKOR, base_url,
	                   "api/v2/log/entries", err));
	if (in == NULL || in->digest == NULL || in->digest_len == 0 ||
	    in->sig == NULL || in->sig_len == 0 ||
	    (in->cert_der == NULL) == (in->pub == NULL))
		return pv_fail(err, PYVERIFY_EUSAGE, s.step,
		               "nothing to log: a digest, a signature and "
		               "exactly one of a certificate and a key are "
		               "needed");
	if (in->cert_der != NULL) {
		X509 *x = pv_x509_from_der(in->cert_der, in->cert_len);

		details = x != NULL ? key_details(X509_get0_pubkey(x)) : NULL;
		X509_free(x);
	} else {
		details = key_details(in->pub);
	}
	if (details == NULL)
		return pv_svc_fail(&s, err, PYVERIFY_EUSAGE,
		                   "the signing key is not one Rekor v2 logs "
		                   "(ECDSA P-256, P-384, P-521 or Ed25519)");
	req = request(in, details);
	if (req != NULL)
		body = pv_svc_dump(req);
	if (body == NULL) {
		rc = pv_svc_fail(&s, err, PYVERIFY_ENOMEM,
		                 "cannot make the log entry request");
		goto done;
	}
	slow = *n;
	if (slow.opts.total_timeout_ms != 0 &&
	    slow.opts.total_timeout_ms < REKOR2_MIN_TIMEOUT_MS)
		slow.opts.total_timeout_ms = REKOR2_MIN_TIMEOUT_MS;
	if (slow.opts.low_speed_seconds < REKOR2_MIN_WAIT_S)
		slow.opts.low_speed_seconds = REKOR2_MIN_WAIT_S;
	/* A repeated request at worst logs the signature twice: harmless,
	 * and the bundle carries whichever entry answered. */
	rc = pv_svc_call(&s, &slow, "POST", headers, body, strlen(body),
	                 REKOR2_MAX_ANSWER, 1, &resp, err);
	if (rc != 0)
		goto done;
	if (resp.status != 201 && resp.status != 200) {
		rc = pv_svc_refused(&s, &resp, err);
		goto done;
	}
	rc = pv_svc_json(&s, &resp, REKOR2_MAX_ANSWER, &ans, err);
	if (rc == 0)
		rc = check_tle(&s, ans, err);
	if (rc == 0)
		rc = check_body(&s, ans, in, err);
	if (rc == 0) {
		*tle = ans;
		ans = NULL;
	}
done:
	json_decref(ans);
	json_decref(req);
	free(body);
	pv_net_response_free(&resp);
	return rc;
}
