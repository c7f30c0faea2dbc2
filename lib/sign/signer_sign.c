/*
 * sign/signer_sign.c - one signature: sign, timestamp (SPEC 5.7), log
 * (5.8, 5.9), assemble (5.10), and then verify the new bundle with this
 * library as any verifier would, under the signer's own identity. A
 * bundle leaves only if pyverify accepts it; when it does not, the
 * failure is blamed on the service whose part did not verify.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "sign/signer_impl.h"
#include "util/json.h"
#include "verify/steps.h"

#define INTOTO_TYPE "application/vnd.in-toto+json"

/* What one signing run holds until the bundle is made. */
struct signing {
	uint8_t *sig;
	size_t sig_len;
	uint8_t *ts[PV_SIGN_MAX_SERVICES];
	size_t ts_len[PV_SIGN_MAX_SERVICES];
	size_t nts;
	json_t *tles;
};

static void
signing_clear(struct signing *g)
{
	free(g->sig);
	for (size_t i = 0; i < g->nts; i++)
		free(g->ts[i]);
	json_decref(g->tles);
	memset(g, 0, sizeof(*g));
}

static int
sign_fail(pyverify_error *err)
{
	ERR_clear_error();
	return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_SIGN_VERIFY,
	               "signing failed (OpenSSL)");
}

/* ECDSA over a SHA-256 digest as a prehash (SPEC 5.6): the signature a
 * hashedrekord entry and a digest-only verifier can check. */
static int
sign_prehash(const pyverify_signer *s, const uint8_t digest[32],
             struct signing *g, pyverify_error *err)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(s->key, NULL);
	size_t len = 0;
	int ok = ctx != NULL && EVP_PKEY_sign_init(ctx) == 1 &&
	         EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1 &&
	         EVP_PKEY_sign(ctx, NULL, &len, digest, 32) == 1 &&
	         (g->sig = malloc(len)) != NULL &&
	         EVP_PKEY_sign(ctx, g->sig, &len, digest, 32) == 1;
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		return sign_fail(err);
	g->sig_len = len;
	return 0;
}

/* A signature over the whole message with the key's own hash (none for
 * Ed25519): what DSSE verifiers check over the PAE. */
static int
sign_message(const pyverify_signer *s, const uint8_t *msg, size_t n,
             struct signing *g, pyverify_error *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t len = 0;
	int ok = ctx != NULL &&
	         EVP_DigestSignInit(ctx, NULL, pv_pubkey_md(&s->pub), NULL,
	                            s->key) == 1 &&
	         EVP_DigestSign(ctx, NULL, &len, msg, n) == 1 &&
	         (g->sig = malloc(len)) != NULL &&
	         EVP_DigestSign(ctx, g->sig, &len, msg, n) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return sign_fail(err);
	g->sig_len = len;
	return 0;
}

/* Every chosen authority stamps the signature; one failing fails the
 * run (as Go does): a bundle short of a timestamp asked for is not the
 * bundle the caller wanted. */
static int
timestamp_all(const pyverify_signer *s, struct signing *g, pyverify_error *err)
{
	for (size_t i = 0; i < s->ntsa; i++) {
		PV_TRY(pv_tsa_timestamp(&s->net, s->tsa_urls[i], g->sig,
		                        g->sig_len, s->root, &g->ts[i],
		                        &g->ts_len[i], err));
		g->nts = i + 1;
	}
	return 0;
}

static int
log_entry(const pyverify_signer *s, const struct pv_rekor_input *in,
          struct signing *g, pyverify_error *err)
{
	json_t *tle = NULL;
	int rc = s->rekor_version == 2
	             ? pv_rekor2_upload(&s->net, s->rekor_url, in, &tle, err)
	             : pv_rekor1_upload(&s->net, s->rekor_url, in, &tle, err);
	if (rc != 0)
		return rc;
	g->tles = json_array();
	if (g->tles == NULL || json_array_append_new(g->tles, tle) != 0) {
		if (g->tles == NULL)
			json_decref(tle);
		return pv_fail(err, PYVERIFY_ENOMEM, PYVERIFY_STEP_REKOR,
		               "out of memory");
	}
	return 0;
}

static void
fill_rekor_input(const pyverify_signer *s, const struct signing *g,
                 const uint8_t *digest, struct pv_rekor_input *in)
{
	memset(in, 0, sizeof(*in));
	in->digest = digest;
	in->digest_len = 32;
	in->sig = g->sig;
	in->sig_len = g->sig_len;
	if (s->managed) {
		in->pub = s->key;
	} else {
		in->cert_der = s->cert.leaf_der;
		in->cert_len = s->cert.leaf_der_len;
	}
}

static void
fill_parts(const pyverify_signer *s, const struct signing *g,
           struct pv_bundle_parts *p)
{
	memset(p, 0, sizeof(*p));
	if (!s->managed) {
		p->cert_der = s->cert.leaf_der;
		p->cert_len = s->cert.leaf_der_len;
	}
	p->tlog_entries = g->tles;
	p->timestamps = (const uint8_t *const *)g->ts;
	p->timestamp_lens = g->ts_len;
	p->ntimestamps = g->nts;
	p->sig = g->sig;
	p->sig_len = g->sig_len;
}

/* The service whose part of the bundle a verification step checked, and
 * how a message names that part. */
static pyverify_step
blame(pyverify_step step, const pyverify_signer *s, char *what, size_t n)
{
	switch (step) {
	case PYVERIFY_STEP_TIMESTAMP:
		snprintf(what, n, "the timestamp");
		return PYVERIFY_STEP_TSA;
	case PYVERIFY_STEP_TLOG:
	case PYVERIFY_STEP_TLOG_BODY:
	case PYVERIFY_STEP_SET:
	case PYVERIFY_STEP_INCLUSION_PROOF:
	case PYVERIFY_STEP_CHECKPOINT:
		snprintf(what, n, "the log entry of Rekor at %.300s",
		         s->rekor_url);
		return PYVERIFY_STEP_REKOR;
	case PYVERIFY_STEP_CERTIFICATE_CHAIN:
	case PYVERIFY_STEP_SCT:
		snprintf(what, n, "the Fulcio certificate");
		return PYVERIFY_STEP_FULCIO;
	default:
		snprintf(what, n, "the new bundle");
		return PYVERIFY_STEP_SIGN_VERIFY;
	}
}

/* pyverify_verify on the bundle text, with the signer's identity (or
 * key) as the policy: what a user of the bundle will run. */
static int
verify_new_bundle(const pyverify_signer *s, const char *json,
                  const pyverify_artifact *artifact, pyverify_error *err)
{
	pyverify_bundle *b = NULL;
	pyverify_policy *pol = NULL;
	pyverify_result res;
	pyverify_error e;
	char what[400];
	int rc;

	pv_error_clear(&e);
	rc = pyverify_bundle_load_memory(&b, json, strlen(json), &e);
	if (rc == 0)
		rc = pyverify_policy_new(&pol, &e);
	if (rc == 0)
		rc = s->managed
		         ? pyverify_policy_set_key_pem(pol, s->pub_pem,
		                                       s->pub_pem_len, &e)
		         : pyverify_policy_add_identity(pol, s->identity,
		                                        PYVERIFY_MATCH_EXACT,
		                                        s->issuer,
		                                        PYVERIFY_MATCH_EXACT, &e);
	if (rc == 0) {
		if (s->now != 0)
			pyverify_policy_set_now(pol, s->now);
		rc = pyverify_verify(s->root, b, artifact, pol, &res, &e);
	}
	pyverify_policy_free(pol);
	pyverify_bundle_free(b);
	if (rc == 0)
		return 0;
	pyverify_step step = blame(e.step, s, what, sizeof(what));
	return pv_fail(err, rc, step,
	               "%s does not verify (%s): %s; no bundle was made", what,
	               pyverify_step_code(e.step), e.msg);
}

static int
check_signer(const pyverify_signer *s, char **bundle_json, pyverify_error *err)
{
	pv_error_clear(err);
	if (s == NULL || bundle_json == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "signing needs a signer and an out pointer");
	*bundle_json = NULL;
	/* Fulcio certificates live ten minutes: a signer kept longer would
	 * make bundles whose log time falls after the certificate. */
	if (!s->managed && pv_signer_now(s) > s->cert_not_after) {
		char t[32];
		pv_format_rfc3339(t, s->cert_not_after);
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_FULCIO,
		               "the signing certificate expired at %s: make a "
		               "new signer (and get a new token)",
		               t);
	}
	return 0;
}

/* Assemble, verify, hand out. */
static int
finish(const pyverify_signer *s, const struct pv_bundle_parts *p,
       const pyverify_artifact *artifact, char **bundle_json,
       pyverify_error *err)
{
	char *json = pv_bundle_assemble(p);
	int rc;

	if (json == NULL)
		return pv_fail(err, PYVERIFY_ENOMEM, PYVERIFY_STEP_SIGN_VERIFY,
		               "out of memory");
	rc = verify_new_bundle(s, json, artifact, err);
	if (rc != 0) {
		free(json);
		return rc;
	}
	*bundle_json = json;
	return 0;
}

int
pyverify_sign_artifact(pyverify_signer *s, const pyverify_artifact *artifact,
                       char **bundle_json, pyverify_error *err)
{
	struct signing g;
	struct pv_rekor_input in;
	struct pv_bundle_parts p;
	pyverify_artifact only256;
	int rc;

	PV_TRY(check_signer(s, bundle_json, err));
	if (artifact == NULL || !(pv_artifact_known(artifact) &
	                          PYVERIFY_DIGEST_SHA256))
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "signing needs the artifact's SHA-256 digest");
	/* Pure Ed25519 signs the message itself; a hashedrekord entry and
	 * every verifier of message signatures need a digest signature. */
	if (s->pub.details == PV_KEY_PKIX_ED25519)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "an Ed25519 key cannot make a message signature "
		               "that Sigstore logs and verifiers accept (pure "
		               "Ed25519 has no prehash): use an ECDSA key, or "
		               "sign an attestation (DSSE)");
	/* The bundle signs SHA-256 only: verify with that digest alone. */
	memset(&only256, 0, sizeof(only256));
	memcpy(only256.sha256, artifact->sha256, 32);
	only256.digests = PYVERIFY_DIGEST_SHA256;

	memset(&g, 0, sizeof(g));
	rc = sign_prehash(s, artifact->sha256, &g, err);
	if (rc == 0)
		rc = timestamp_all(s, &g, err);
	if (rc == 0) {
		fill_rekor_input(s, &g, artifact->sha256, &in);
		rc = log_entry(s, &in, &g, err);
	}
	if (rc == 0) {
		fill_parts(s, &g, &p);
		p.digest = artifact->sha256;
		rc = finish(s, &p, &only256, bundle_json, err);
	}
	signing_clear(&g);
	return rc;
}

/* The statement's first subject digest, as the artifact the new DSSE
 * bundle is verified for (its subject matching is part of verification).
 * PYVERIFY_EUSAGE when the payload is not an in-toto statement. */
static int
statement_artifact(const void *payload, size_t len, pyverify_artifact *out,
                   pyverify_error *err)
{
	static const char *const algs[] = { "sha256", "sha384", "sha512" };
	const struct pv_json_bounds b = PV_JSON_BOUNDS(PV_MAX_BUNDLE_BYTES);
	json_t *doc = NULL, *subj, *dig, *v;
	char spec[8 + 128 + 1];
	int rc = -1;

	if (pv_json_intake(&doc, payload, len, &b, NULL) != PV_JSON_ACCEPTED)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "the payload is not an in-toto statement (not "
		               "a JSON object)");
	subj = json_array_get(json_object_get(doc, "subject"), 0);
	dig = json_object_get(subj, "digest");
	for (size_t i = 0; i < 3 && rc != 0; i++) {
		v = json_object_get(dig, algs[i]);
		if (json_is_string(v) && json_string_length(v) <= 128) {
			snprintf(spec, sizeof(spec), "%s:%s", algs[i],
			         json_string_value(v));
			rc = pyverify_artifact_from_digest(out, spec, NULL);
		}
	}
	json_decref(doc);
	if (rc != 0)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "the in-toto statement's first subject has no "
		               "sha256, sha384 or sha512 digest");
	return 0;
}

/* {"payload","payloadType","signatures":[{"sig"}]}: the envelope text a
 * Rekor v1 dsse entry hashes, in the member order of SPEC 5.8. */
static char *
envelope_text(const char *type, const void *payload, size_t len,
              const struct signing *g)
{
	char *p64 = pv_b64_encode(payload, len);
	char *s64 = pv_b64_encode(g->sig, g->sig_len);
	json_t *env = NULL;
	char *out = NULL;

	if (p64 != NULL && s64 != NULL)
		env = json_pack("{s:s,s:s,s:[{s:s}]}", "payload", p64,
		                "payloadType", type, "signatures", "sig", s64);
	if (env != NULL)
		out = json_dumps(env, JSON_COMPACT);
	json_decref(env);
	free(p64);
	free(s64);
	return out;
}

int
pyverify_sign_dsse(pyverify_signer *s, const char *payload_type,
                   const void *payload, size_t payload_len, char **bundle_json,
                   pyverify_error *err)
{
	struct signing g;
	struct pv_rekor_input in;
	struct pv_bundle_parts p;
	struct pv_bytes pae = { NULL, 0 };
	pyverify_artifact subject;
	uint8_t pae_digest[32];
	char *envelope = NULL;
	int rc;

	PV_TRY(check_signer(s, bundle_json, err));
	if (payload_type == NULL || strcmp(payload_type, INTOTO_TYPE) != 0 ||
	    (payload == NULL && payload_len != 0) ||
	    payload_len > PV_MAX_BUNDLE_BYTES / 2)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "a DSSE signature needs an in-toto statement "
		               "(payload type " INTOTO_TYPE ") of at most %u "
		               "bytes",
		               PV_MAX_BUNDLE_BYTES / 2);
	PV_TRY(statement_artifact(payload, payload_len, &subject, err));

	memset(&g, 0, sizeof(g));
	if (pv_dsse_pae(&pae, payload_type, payload, payload_len) != 0 ||
	    pv_sha256(pae_digest, pae.data, pae.len) != 0) {
		pv_bytes_clear(&pae);
		return pv_fail(err, PYVERIFY_ENOMEM, PYVERIFY_STEP_SIGN_VERIFY,
		               "out of memory");
	}
	rc = sign_message(s, pae.data, pae.len, &g, err);
	pv_bytes_clear(&pae);
	if (rc == 0)
		rc = timestamp_all(s, &g, err);
	if (rc == 0) {
		fill_rekor_input(s, &g, pae_digest, &in);
		if (s->rekor_version == 1) {
			envelope = envelope_text(payload_type, payload,
			                         payload_len, &g);
			if (envelope == NULL)
				rc = pv_fail(err, PYVERIFY_ENOMEM,
				             PYVERIFY_STEP_REKOR,
				             "out of memory");
			in.envelope_json = envelope;
		}
	}
	if (rc == 0)
		rc = log_entry(s, &in, &g, err);
	if (rc == 0) {
		fill_parts(s, &g, &p);
		p.payload_type = payload_type;
		p.payload = payload;
		p.payload_len = payload_len;
		rc = finish(s, &p, &subject, bundle_json, err);
	}
	free(envelope);
	signing_clear(&g);
	return rc;
}
