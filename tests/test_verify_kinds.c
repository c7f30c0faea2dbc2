/*
 * test_verify_kinds.c - pyverify_verify end to end on the bundle kinds of
 * issue #3, all minted in code (tests/support/vsigstore.h, vs_tsa.c): DSSE
 * envelopes with in-toto statements (SPEC 1.4.2, 3.7.2, 3.7.3, 3.8.4),
 * Rekor v2 entries (SPEC 3.8.3, 3.11, 3.12), managed keys (SPEC 3.14) and
 * trust-root validity windows (SPEC 2.2, 3.13). Each accepted form has a
 * test, and each defect asserts the exact step that must reject it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <openssl/evp.h>

#include "pyverify.h"
#include "vsigstore.h"
#include "vrun.h"

#define ID "dev@example.org"
#define ISS "https://issuer.example"
#define NOW (VS_EPOCH + 3600)
#define ENTRY "verificationMaterial.tlogEntries.0"
#define INTOTO "application/vnd.in-toto+json"
/* Inside the leaf's life [VS_EPOCH, VS_EPOCH + 600]. */
#define TS_TIME (VS_EPOCH + 30)

static const char artifact[] = "hello\n";

/* ---- harness: tests/support/vrun.c ---- */
/* Decodes standard base64; returns the byte count. */
static size_t
b64_decode(uint8_t *out, size_t cap, const char *s)
{
	EVP_ENCODE_CTX *c = EVP_ENCODE_CTX_new();
	int n = 0, m = 0;

	cr_assert_not_null(c);
	cr_assert_leq(strlen(s) / 4 * 3, cap);
	EVP_DecodeInit(c);
	cr_assert_geq(EVP_DecodeUpdate(c, out, &n, (const unsigned char *)s,
	                               (int)strlen(s)), 0);
	cr_assert_eq(EVP_DecodeFinal(c, out + n, &m), 1);
	EVP_ENCODE_CTX_free(c);
	return (size_t)(n + m);
}

/* The bundle's signature bytes (message or DSSE). */
static size_t
bundle_signature(json_t *bundle, uint8_t *out, size_t cap)
{
	json_t *s = json_object_get(bundle, "dsseEnvelope")
	                ? vr_at(bundle, "dsseEnvelope.signatures.0.sig")
	                : vr_at(bundle, "messageSignature.signature");
	return b64_decode(out, cap, json_string_value(s));
}

/* Stamps msg (NULL: the bundle's own signature) at gen_s with t and puts
 * the TimeStampResp in the bundle. */
static void
add_stamp(json_t *bundle, struct vtsa *t, int64_t gen_s, const void *msg,
          size_t len)
{
	struct vtsa_stamp_opts so = { 0 };
	uint8_t sig[512], *der = NULL;
	size_t der_len = 0;
	char *b64;

	if (msg == NULL) {
		len = bundle_signature(bundle, sig, sizeof(sig));
		msg = sig;
	}
	so.gen_time_ms = gen_s * 1000;
	so.embed_certs = 1;
	cr_assert_eq(vtsa_stamp(t, msg, len, &so, &der, &der_len), 0);
	b64 = malloc(der_len * 2 + 8);
	cr_assert_not_null(b64);
	EVP_EncodeBlock((unsigned char *)b64, der, (int)der_len);
	json_object_set_new(vr_at(bundle, "verificationMaterial"),
	                    "timestampVerificationData",
	                    json_pack("{s:[{s:s}]}", "rfc3161Timestamps",
	                              "signedTimestamp", b64));
	free(b64);
	free(der);
}

/* Puts t into the root as its only timestamp authority, validFor
 * [chain notBefore, end] (end 0 = open). */
static void
trust_tsa(json_t *root, const struct vtsa *t, int64_t end)
{
	json_t *e = vtsa_trust_root_entry(t, 0, end);

	cr_assert_not_null(e);
	json_object_set_new(root, "timestampAuthorities", json_pack("[o]", e));
}

/* One virtual Sigstore with a leaf, its root and a test TSA. */
struct fx {
	struct vs *vs;
	struct vs_leaf *leaf;
	struct vtsa *tsa;
	json_t *root;
	json_t *bundle; /* set by the test */
};

static void
fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->vs = vs_new();
	cr_assert_not_null(f->vs);
	f->leaf = vs_leaf_new(f->vs, NULL);
	cr_assert_not_null(f->leaf);
	f->root = vs_trust_root(f->vs);
	cr_assert_not_null(f->root);
	f->tsa = vtsa_new(NULL);
	cr_assert_not_null(f->tsa);
}

static void
fx_free(struct fx *f)
{
	json_decref(f->bundle);
	json_decref(f->root);
	vtsa_free(f->tsa);
	vs_leaf_free(f->leaf);
	vs_free(f->vs);
}

/* An in-toto statement over artifact[0..n) named a0, a1, ... */
static char *
statement(const char *const *arts, size_t n, const char *type)
{
	struct vs_subject subj[4] = { { 0 } };
	char names[4][8];
	size_t i;
	char *s;

	cr_assert_leq(n, 4);
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "a%zu", i);
		subj[i].name = names[i];
		subj[i].data = arts[i];
		subj[i].len = strlen(arts[i]);
	}
	s = vs_intoto_statement(subj, n, type);
	cr_assert_not_null(s);
	return s;
}

/* A DSSE bundle whose statement has the subjects "other", artifact and
 * "third" (artifact in the middle: not found by looking at [0] only). */
static json_t *
dsse_bundle(struct fx *f, const struct vs_sign_opts *so)
{
	static const char *const arts[] = { "other\n", artifact, "third\n" };
	char *st = statement(arts, 3, NULL);
	json_t *b = vs_sign_dsse(f->vs, f->leaf, so, st);

	cr_assert_not_null(b);
	free(st);
	return b;
}

/* Replaces a base64 member's decoded bytes with `bytes`. */
static void
set_b64(json_t *obj, const char *path, const void *bytes, size_t len)
{
	char *b64 = malloc(len * 2 + 8);

	cr_assert_not_null(b64);
	EVP_EncodeBlock((unsigned char *)b64, bytes, (int)len);
	json_string_set(vr_at(obj, path), b64);
	free(b64);
}

/* ---- DSSE with in-toto statements ---------------------------------------- */

Test(verify_kinds, dsse_accepts_an_artifact_that_is_one_of_several_subjects)
{
	struct fx f;
	struct vr_opts ro = { 0 };
	pyverify_result res;

	fx_init(&f);
	f.bundle = dsse_bundle(&f, NULL);
	cr_assert_str_eq(json_string_value(vr_at(f.bundle, ENTRY ".kindVersion.kind")),
	                 "dsse");
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	cr_assert_str_eq(res.identity, ID);
	cr_assert_eq(res.signing_time, VS_EPOCH + 60);
	ro.digest_only = 1;
	vr_expect_ok(f.root, f.bundle, &ro, &res);
	/* The last subject matches as well. */
	ro.artifact = "third\n";
	ro.len = 6;
	vr_expect_ok(f.root, f.bundle, &ro, &res);
	fx_free(&f);
}

Test(verify_kinds, dsse_rejects_an_artifact_that_is_not_a_subject)
{
	struct fx f;
	struct vr_opts ro = { 0 };

	fx_init(&f);
	f.bundle = dsse_bundle(&f, NULL);
	ro.artifact = "hello\r\n";
	ro.len = 7;
	vr_expect_step(f.root, f.bundle, &ro, PYVERIFY_STEP_ARTIFACT);
	ro.digest_only = 1;
	vr_expect_step(f.root, f.bundle, &ro, PYVERIFY_STEP_ARTIFACT);
	fx_free(&f);
}

Test(verify_kinds, dsse_rejects_an_envelope_signed_by_another_key)
{
	struct fx f;
	struct vs_sign_opts so = { 0 };
	EVP_PKEY *other = EVP_EC_gen("P-256");

	/* The log recorded exactly this envelope signature and this leaf, so
	 * the dsse 0.0.1 body matches the bundle (step 3 passes): only the
	 * signature check of step 4 can tell that the leaf key did not make
	 * it. */
	cr_assert_not_null(other);
	fx_init(&f);
	so.signing_key = other;
	f.bundle = dsse_bundle(&f, &so);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_SIGNATURE);
	EVP_PKEY_free(other);
	fx_free(&f);
}

Test(verify_kinds, dsse_rejects_a_payload_altered_after_logging)
{
	static const char *const arts[] = { artifact, "evil\n" };
	struct fx f;
	char *st;

	fx_init(&f);
	f.bundle = dsse_bundle(&f, NULL);
	/* Still names the artifact: only the log's payloadHash (step 3,
	 * before the signature) notices the swap. */
	st = statement(arts, 2, NULL);
	set_b64(f.bundle, "dsseEnvelope.payload", st, strlen(st));
	free(st);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_TLOG_BODY);
	fx_free(&f);
}

Test(verify_kinds, dsse_rejects_a_payload_type_that_is_not_in_toto)
{
	struct fx f;
	struct vs_sign_opts so = { 0 };

	/* Signed and logged consistently (dsse 0.0.1 does not record the
	 * type, and PAE covers it), so the log and the signature agree; the
	 * subject match (SPEC 3.7.3 rule 1) refuses a non in-toto payload. */
	fx_init(&f);
	so.payload_type = "application/json";
	f.bundle = dsse_bundle(&f, &so);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_ARTIFACT);
	fx_free(&f);
}

Test(verify_kinds, dsse_rejects_an_altered_payload_type)
{
	struct fx f;

	/* The type is part of PAE: changing it after signing breaks the
	 * signature, which step 4 reports (the v1 body holds no type). */
	fx_init(&f);
	f.bundle = dsse_bundle(&f, NULL);
	json_string_set(vr_at(f.bundle, "dsseEnvelope.payloadType"),
	                "application/vnd.in-toto+jsoN");
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_SIGNATURE);
	fx_free(&f);
}

Test(verify_kinds, dsse_rejects_a_statement_of_an_unknown_type)
{
	static const char *const arts[] = { artifact };
	struct fx f;
	char *st;

	fx_init(&f);
	st = statement(arts, 1, "https://in-toto.io/Statement/v9");
	f.bundle = vs_sign_dsse(f.vs, f.leaf, NULL, st);
	free(st);
	cr_assert_not_null(f.bundle);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_ARTIFACT);
	fx_free(&f);
}

Test(verify_kinds, dsse_rejects_two_signatures_in_the_envelope)
{
	struct fx f;
	json_t *sigs;

	fx_init(&f);
	f.bundle = dsse_bundle(&f, NULL);
	sigs = vr_at(f.bundle, "dsseEnvelope.signatures");
	json_array_append_new(sigs, json_deep_copy(json_array_get(sigs, 0)));
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_BUNDLE_FORMAT);
	json_array_clear(sigs);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_BUNDLE_FORMAT);
	fx_free(&f);
}

Test(verify_kinds, dsse_rejects_a_log_entry_for_another_signature_or_cert)
{
	uint8_t other_sig[70];
	struct fx f;
	struct vs_leaf *other;
	struct vs_sign_opts so = { 0 };

	memcpy(other_sig, "\x30\x44\x02\x20", 4);
	memset(other_sig + 4, 0x11, 32);
	memcpy(other_sig + 36, "\x02\x20", 2);
	memset(other_sig + 38, 0x22, 32);
	fx_init(&f);
	so.log_signature = other_sig;
	so.log_signature_len = sizeof(other_sig);
	f.bundle = dsse_bundle(&f, &so);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_TLOG_BODY);
	json_decref(f.bundle);
	other = vs_leaf_new(f.vs, NULL);
	cr_assert_not_null(other);
	memset(&so, 0, sizeof(so));
	so.log_cert = other->cert;
	f.bundle = dsse_bundle(&f, &so);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_TLOG_BODY);
	vs_leaf_free(other);
	fx_free(&f);
}

/* ---- Rekor v2 ------------------------------------------------------------- */

/* A hashedrekord 0.0.2 bundle in the Ed25519 log, with an RFC 3161
 * timestamp over its signature from the root's only TSA. */
static json_t *
v2_bundle(struct fx *f, const struct vs_sign_opts *base, int dsse)
{
	struct vs_sign_opts so = { 0 };
	json_t *b;

	if (base)
		so = *base;
	so.rekor_v2 = 1;
	if (dsse) {
		b = dsse_bundle(f, &so);
	} else {
		b = vs_sign(f->vs, f->leaf, &so);
		cr_assert_not_null(b);
	}
	add_stamp(b, f->tsa, TS_TIME, NULL, 0);
	trust_tsa(f->root, f->tsa, 0);
	return b;
}

Test(verify_kinds, rekor2_accepts_hashedrekord_002_with_a_timestamp)
{
	struct fx f;
	pyverify_result res;
	uint8_t idin[sizeof("rekor-v2.test") + 1 + 32], id[32];
	char idhex[65];
	size_t i, n = strlen(vs_rekor2_origin(NULL));

	fx_init(&f);
	f.bundle = v2_bundle(&f, NULL, 0);
	cr_assert_str_eq(json_string_value(vr_at(f.bundle,
	                                      ENTRY ".kindVersion.version")),
	                 "0.0.2");
	cr_assert_null(json_object_get(vr_at(f.bundle, ENTRY), "integratedTime"));
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	/* The timestamp is the only signing time; there is no log time. */
	cr_assert_eq(res.signing_time, TS_TIME);
	cr_assert_eq(res.verified_times, 1);
	cr_assert_eq(res.integrated_time, 0);
	cr_assert_eq(res.log_index, 3);
	/* The Ed25519 log: ID = H(origin || 0x0A || 0x01 || key). */
	cr_assert_eq(n + 2 + 32, sizeof(idin));
	memcpy(idin, vs_rekor2_origin(f.vs), n);
	idin[n] = 0x0a;
	idin[n + 1] = 0x01;
	memcpy(idin + n + 2, vs_rekor2_public(f.vs), 32);
	vs_sha256(id, idin, sizeof(idin));
	for (i = 0; i < 32; i++)
		snprintf(idhex + 2 * i, 3, "%02x", id[i]);
	cr_assert_str_eq(res.log_id_hex, idhex);
	fx_free(&f);
}

Test(verify_kinds, rekor2_log_key_must_be_valid_at_the_timestamp)
{
	struct fx f;
	pyverify_result res;
	char buf[32];
	json_t *vf;

	fx_init(&f);
	f.bundle = v2_bundle(&f, NULL, 0);
	vf = vr_at(f.root, "tlogs.1.publicKey.validFor");
	/* Window ending exactly at the timestamp: inclusive, accepted. */
	json_object_set_new(vf, "end", json_string(vr_rfc3339(TS_TIME, buf)));
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	/* Ending one second earlier: the log key did not sign then. */
	json_object_set_new(vf, "end", json_string(vr_rfc3339(TS_TIME - 1, buf)));
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_TLOG);
	fx_free(&f);
}

Test(verify_kinds, rekor2_rejects_an_entry_without_a_timestamp)
{
	struct fx f;

	fx_init(&f);
	f.bundle = v2_bundle(&f, NULL, 0);
	json_object_del(vr_at(f.bundle, "verificationMaterial"),
	                "timestampVerificationData");
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_TIMESTAMP);
	fx_free(&f);
}

Test(verify_kinds, rekor2_ignores_cosignatures_before_and_after_the_log_line)
{
	struct vs_sign_opts so[3] = { { 0 } };
	size_t i;

	so[0].v2_cosign_before = 1;
	so[1].v2_cosign_after = 1;
	so[2].v2_cosign_before = so[2].v2_cosign_after = 1;
	for (i = 0; i < 3; i++) {
		struct fx f;
		pyverify_result res;
		const char *cp;
		fx_init(&f);
		f.bundle = v2_bundle(&f, &so[i], 0);
		cp = json_string_value(vr_at(f.bundle, ENTRY
		                          ".inclusionProof.checkpoint.envelope"));
		cr_assert(strstr(cp, "\xe2\x80\x94 witness.test ") != NULL);
		vr_expect_ok(f.root, f.bundle, NULL, &res);
		fx_free(&f);
	}
}

Test(verify_kinds, rekor2_rejects_a_checkpoint_with_another_origin)
{
	struct fx f;
	struct vs_sign_opts so = { 0 };

	/* Validly signed by the log key under its name: only the origin line
	 * (SPEC 3.11.3: must equal the log's host) is wrong. */
	fx_init(&f);
	so.v2_origin = "rekor-v2.test - 1";
	f.bundle = v2_bundle(&f, &so, 0);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CHECKPOINT);
	fx_free(&f);
}

Test(verify_kinds, rekor2_rejects_a_checkpoint_signed_only_by_unknown_keys)
{
	struct fx f;
	struct vs_sign_opts so = { 0 };

	/* A witness line and a valid Ed25519 line under the log's own name
	 * but another key ID: nothing from the log (SPEC 3.11.2). */
	fx_init(&f);
	so.v2_no_log_signature = 1;
	so.v2_cosign_after = 1;
	f.bundle = v2_bundle(&f, &so, 0);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CHECKPOINT);
	fx_free(&f);
}

Test(verify_kinds, rekor2_rejects_an_integrated_time_or_inclusion_promise)
{
	int i;

	for (i = 0; i < 2; i++) {
		struct fx f;
		fx_init(&f);
		f.bundle = v2_bundle(&f, NULL, 0);
		if (i == 0)
			json_object_set_new(vr_at(f.bundle, ENTRY),
			                    "integratedTime",
			                    json_string("1700000060"));
		else
			json_object_set_new(
			    vr_at(f.bundle, ENTRY), "inclusionPromise",
			    json_pack("{s:s}", "signedEntryTimestamp",
			              "MEUCIQDv6zVQpnxJKrrJIGnBWhc3P7mhMgbX"
			              "Tlj7+IAs+RD9wQIgMWHn2RaDLHPIaTqk8T6S"
			              "EHVNBMnLmIbIRRAm/ydjLJk="));
		vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_TLOG);
		fx_free(&f);
	}
}

Test(verify_kinds, rekor2_rejects_an_entry_without_an_inclusion_proof)
{
	int minor;

	/* v0.2 and v0.3 bundles require the proof (SPEC 1.7), so loading
	 * fails before the orchestrator's own Rekor v2 rule (SPEC 3.12,
	 * step inclusion-proof) is reached; v0.1 would need an inclusion
	 * promise, which Rekor v2 never issues, and fails at load too. */
	for (minor = 2; minor <= 3; minor++) {
		struct fx f;
		struct vs_sign_opts so = { 0 };
		so.bundle_minor = minor;
		fx_init(&f);
		f.bundle = v2_bundle(&f, &so, 0);
		json_object_del(vr_at(f.bundle, ENTRY), "inclusionProof");
		vr_expect_step(f.root, f.bundle, NULL,
		            PYVERIFY_STEP_BUNDLE_FORMAT);
		fx_free(&f);
	}
}

Test(verify_kinds, rekor2_accepts_a_v02_bundle_and_rejects_a_v01_one)
{
	struct vs_sign_opts so = { 0 };
	struct fx f;
	pyverify_result res;

	so.bundle_minor = 2;
	fx_init(&f);
	f.bundle = v2_bundle(&f, &so, 0);
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	cr_assert_eq(res.bundle_minor_version, 2);
	fx_free(&f);
	/* SPEC 1.7: v0.1 requires the inclusion promise. */
	so.bundle_minor = 1;
	fx_init(&f);
	f.bundle = v2_bundle(&f, &so, 0);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_BUNDLE_FORMAT);
	fx_free(&f);
}

Test(verify_kinds, rekor2_rejects_a_proof_index_other_than_the_entry_index)
{
	struct fx f;

	fx_init(&f);
	f.bundle = v2_bundle(&f, NULL, 0); /* entry 3 of 7 */
	json_object_set_new(vr_at(f.bundle, ENTRY ".inclusionProof"), "logIndex",
	                    json_string("2"));
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_INCLUSION_PROOF);
	fx_free(&f);
}

Test(verify_kinds, rekor2_rejects_a_body_for_another_signature_or_digest)
{
	uint8_t other_sig[70], other_digest[32];
	struct vs_sign_opts so[2] = { { 0 } };
	size_t i;

	memcpy(other_sig, "\x30\x44\x02\x20", 4);
	memset(other_sig + 4, 0x11, 32);
	memcpy(other_sig + 36, "\x02\x20", 2);
	memset(other_sig + 38, 0x22, 32);
	memset(other_digest, 0x5a, sizeof(other_digest));
	so[0].log_signature = other_sig;
	so[0].log_signature_len = sizeof(other_sig);
	so[1].log_digest = other_digest;
	for (i = 0; i < 2; i++) {
		struct fx f;
		fx_init(&f);
		f.bundle = v2_bundle(&f, &so[i], 0);
		vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_TLOG_BODY);
		fx_free(&f);
	}
}

Test(verify_kinds, rekor2_accepts_dsse_and_rejects_a_mismatched_envelope)
{
	static const char *const arts[] = { artifact, "evil\n" };
	struct fx f;
	pyverify_result res;
	char *st;

	fx_init(&f);
	f.bundle = v2_bundle(&f, NULL, 1);
	cr_assert_str_eq(json_string_value(vr_at(f.bundle, ENTRY ".kindVersion.kind")),
	                 "hashedrekord");
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	cr_assert_eq(res.signing_time, TS_TIME);
	/* Another envelope: the logged digest is SHA-256 of the old PAE. */
	st = statement(arts, 2, NULL);
	set_b64(f.bundle, "dsseEnvelope.payload", st, strlen(st));
	free(st);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_TLOG_BODY);
	fx_free(&f);
}

Test(verify_kinds, rekor2_rejects_a_dsse_entry_for_another_signature)
{
	struct fx f;
	uint8_t sig[512];
	size_t siglen;
	json_t *b2;

	/* rekor2-dsse-mismatch-sig_fail: a second valid signature over the
	 * same PAE by the same key is another signing event. */
	fx_init(&f);
	f.bundle = v2_bundle(&f, NULL, 1);
	b2 = dsse_bundle(&f, NULL); /* same statement, fresh ECDSA nonce */
	siglen = bundle_signature(b2, sig, sizeof(sig));
	set_b64(f.bundle, "dsseEnvelope.signatures.0.sig", sig, siglen);
	add_stamp(f.bundle, f.tsa, TS_TIME, NULL, 0);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_TLOG_BODY);
	json_decref(b2);
	fx_free(&f);
}

/* ---- managed keys ---------------------------------------------------------- */

struct kfx {
	struct fx f;
	EVP_PKEY *key;
	char *pem;
};

static void
kfx_init(struct kfx *k)
{
	fx_init(&k->f);
	k->key = EVP_EC_gen("P-256");
	cr_assert_not_null(k->key);
	k->pem = vs_public_key_pem(k->key);
	cr_assert_not_null(k->pem);
}

static void
kfx_free(struct kfx *k)
{
	free(k->pem);
	EVP_PKEY_free(k->key);
	fx_free(&k->f);
}

Test(verify_kinds, managed_key_bundle_verifies_with_its_key)
{
	struct kfx k;
	struct vr_opts ro = { 0 };
	pyverify_result res;

	kfx_init(&k);
	k.f.bundle = vs_sign_with_key(k.f.vs, k.key, NULL);
	cr_assert_not_null(k.f.bundle);
	cr_assert_not_null(json_object_get(vr_at(k.f.bundle,
	                                      "verificationMaterial.publicKey"),
	                                   "hint"));
	ro.key_pem = k.pem;
	vr_expect_ok(k.f.root, k.f.bundle, &ro, &res);
	cr_assert_eq(res.signing_time, VS_EPOCH + 60);
	cr_assert_eq(res.policy_index, -1);
	ro.digest_only = 1;
	vr_expect_ok(k.f.root, k.f.bundle, &ro, &res);
	kfx_free(&k);
}

Test(verify_kinds, managed_key_bundle_rejects_another_key)
{
	struct kfx k;
	struct vr_opts ro = { 0 };
	EVP_PKEY *other = EVP_EC_gen("P-256");
	char *pem;

	/* The log body names the signing key (PEM PUBLIC KEY); step 3
	 * compares it with the key of the policy before step 4 verifies the
	 * signature, so the wrong key is caught as a body mismatch. */
	kfx_init(&k);
	cr_assert_not_null(other);
	pem = vs_public_key_pem(other);
	k.f.bundle = vs_sign_with_key(k.f.vs, k.key, NULL);
	cr_assert_not_null(k.f.bundle);
	ro.key_pem = pem;
	vr_expect_step(k.f.root, k.f.bundle, &ro, PYVERIFY_STEP_TLOG_BODY);
	free(pem);
	EVP_PKEY_free(other);
	kfx_free(&k);
}

Test(verify_kinds, managed_key_bundle_rejects_a_signature_by_another_key)
{
	struct kfx k;
	struct vr_opts ro = { 0 };
	struct vs_sign_opts so = { 0 };
	EVP_PKEY *other = EVP_EC_gen("P-256");

	/* The log names the right key but the signature is someone else's. */
	kfx_init(&k);
	so.signing_key = other;
	k.f.bundle = vs_sign_with_key(k.f.vs, k.key, &so);
	cr_assert_not_null(k.f.bundle);
	ro.key_pem = k.pem;
	vr_expect_step(k.f.root, k.f.bundle, &ro, PYVERIFY_STEP_SIGNATURE);
	EVP_PKEY_free(other);
	kfx_free(&k);
}

Test(verify_kinds, managed_key_bundle_rejects_an_identity_policy)
{
	struct kfx k;

	kfx_init(&k);
	k.f.bundle = vs_sign_with_key(k.f.vs, k.key, NULL);
	cr_assert_not_null(k.f.bundle);
	vr_expect_step(k.f.root, k.f.bundle, NULL, PYVERIFY_STEP_KEY);
	kfx_free(&k);
}

Test(verify_kinds, managed_key_bundle_rejects_a_log_entry_naming_a_cert)
{
	struct kfx k;
	struct vr_opts ro = { 0 };
	struct vs_sign_opts so = { 0 };

	/* SPEC 3.8.1: a certificate entry never vouches for a key bundle. */
	kfx_init(&k);
	so.log_cert = k.f.leaf->cert;
	k.f.bundle = vs_sign_with_key(k.f.vs, k.key, &so);
	cr_assert_not_null(k.f.bundle);
	ro.key_pem = k.pem;
	vr_expect_step(k.f.root, k.f.bundle, &ro, PYVERIFY_STEP_TLOG_BODY);
	kfx_free(&k);
}

Test(verify_kinds, managed_key_rekor2_bundle_verifies)
{
	struct kfx k;
	struct vr_opts ro = { 0 };
	struct vs_sign_opts so = { 0 };
	pyverify_result res;

	kfx_init(&k);
	so.rekor_v2 = 1;
	k.f.bundle = vs_sign_with_key(k.f.vs, k.key, &so);
	cr_assert_not_null(k.f.bundle);
	add_stamp(k.f.bundle, k.f.tsa, TS_TIME, NULL, 0);
	trust_tsa(k.f.root, k.f.tsa, 0);
	ro.key_pem = k.pem;
	vr_expect_ok(k.f.root, k.f.bundle, &ro, &res);
	cr_assert_eq(res.signing_time, TS_TIME);
	kfx_free(&k);
}

Test(verify_kinds, managed_key_dsse_bundles_verify_on_both_logs)
{
	static const char *const arts[] = { artifact };
	struct kfx k;
	struct vr_opts ro = { 0 };
	struct vs_sign_opts so = { 0 };
	pyverify_result res;
	char *st;
	int v2;

	kfx_init(&k);
	st = statement(arts, 1, NULL);
	ro.key_pem = k.pem;
	for (v2 = 0; v2 < 2; v2++) {
		so.rekor_v2 = v2;
		k.f.bundle = vs_sign_dsse_with_key(k.f.vs, k.key, &so, st);
		cr_assert_not_null(k.f.bundle);
		if (v2) {
			add_stamp(k.f.bundle, k.f.tsa, TS_TIME, NULL, 0);
			trust_tsa(k.f.root, k.f.tsa, 0);
		}
		vr_expect_ok(k.f.root, k.f.bundle, &ro, &res);
		json_decref(k.f.bundle);
		k.f.bundle = NULL;
	}
	free(st);
	kfx_free(&k);
}

/* ---- timestamps and validity windows ---------------------------------- */

Test(verify_kinds, tsa_window_end_is_inclusive)
{
	struct fx f;
	pyverify_result res;

	fx_init(&f);
	f.bundle = v2_bundle(&f, NULL, 0);
	trust_tsa(f.root, f.tsa, TS_TIME);        /* end == genTime */
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	cr_assert_eq(res.signing_time, TS_TIME);
	trust_tsa(f.root, f.tsa, TS_TIME - 1);    /* one second before */
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_TIMESTAMP);
	fx_free(&f);
}

Test(verify_kinds, tlog_window_end_is_inclusive)
{
	struct fx f;
	pyverify_result res;
	char buf[32];
	json_t *vf;

	fx_init(&f);
	f.bundle = vs_sign(f.vs, f.leaf, NULL); /* integrated at EPOCH+60 */
	cr_assert_not_null(f.bundle);
	vf = vr_at(f.root, "tlogs.0.publicKey.validFor");
	json_object_set_new(vf, "end", json_string(vr_rfc3339(VS_EPOCH + 60, buf)));
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	cr_assert_eq(res.integrated_time, VS_EPOCH + 60);
	json_object_set_new(vf, "end", json_string(vr_rfc3339(VS_EPOCH + 59, buf)));
	/* test_verify.c: the SET step owns the log key's window. */
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_SET);
	fx_free(&f);
}

Test(verify_kinds, ca_window_end_is_inclusive_at_the_signing_time)
{
	struct fx f;
	pyverify_result res;
	char buf[32];
	json_t *vf;

	fx_init(&f);
	f.bundle = vs_sign(f.vs, f.leaf, NULL);
	cr_assert_not_null(f.bundle);
	vf = vr_at(f.root, "certificateAuthorities.0.validFor");
	json_object_set_new(vf, "end", json_string(vr_rfc3339(VS_EPOCH + 60, buf)));
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	/* With a timestamp too, the CA must cover every verified time. */
	add_stamp(f.bundle, f.tsa, VS_EPOCH + 61, NULL, 0);
	trust_tsa(f.root, f.tsa, 0);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	add_stamp(f.bundle, f.tsa, VS_EPOCH + 60, NULL, 0);
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	cr_assert_eq(res.verified_times, 2);
	fx_free(&f);
}

Test(verify_kinds, rejects_a_timestamp_from_a_tsa_not_in_the_root)
{
	struct fx f;
	struct vtsa *other;

	fx_init(&f);
	other = vtsa_new(NULL);
	cr_assert_not_null(other);
	f.bundle = v2_bundle(&f, NULL, 0);
	trust_tsa(f.root, other, 0); /* the root knows another authority */
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_TIMESTAMP);
	vtsa_free(other);
	fx_free(&f);
}

Test(verify_kinds, rejects_a_timestamp_over_another_signature)
{
	struct fx f;
	static const uint8_t junk[] = "not the bundle signature";

	fx_init(&f);
	f.bundle = v2_bundle(&f, NULL, 0);
	add_stamp(f.bundle, f.tsa, TS_TIME, junk, sizeof(junk) - 1);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_TIMESTAMP);
	fx_free(&f);
}

Test(verify_kinds, rekor2_rejects_a_timestamp_outside_the_leaf_validity)
{
	struct fx f;

	fx_init(&f);
	f.bundle = v2_bundle(&f, NULL, 0);
	add_stamp(f.bundle, f.tsa, VS_EPOCH + 601, NULL, 0);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	add_stamp(f.bundle, f.tsa, VS_EPOCH + 600, NULL, 0);
	{
		pyverify_result res;
		vr_expect_ok(f.root, f.bundle, NULL, &res);
	}
	fx_free(&f);
}

/* Issue 8 defect 7: a trusted root that gives no validFor for its logs, CT
 * logs, CAs and timestamp authorities trusts them without a time bound
 * (protobuf: valid_for is optional; sigstore-go and sigstore-js read it as
 * unbounded). Every window-checking step runs: SET and log key (Rekor v1),
 * log key at the timestamp (Rekor v2), SCT, CA, TSA. */
static void
drop_windows(json_t *root)
{
	static const char *const sections[] = { "tlogs", "ctlogs" };
	json_t *arr, *e;
	size_t s, i;

	for (s = 0; s < 2; s++) {
		arr = vr_at(root, sections[s]);
		json_array_foreach(arr, i, e)
			json_object_del(json_object_get(e, "publicKey"),
			                "validFor");
	}
	json_array_foreach(vr_at(root, "certificateAuthorities"), i, e)
		json_object_del(e, "validFor");
	json_array_foreach(vr_at(root, "timestampAuthorities"), i, e)
		json_object_del(e, "validFor");
}

Test(verify_kinds, a_root_without_validity_windows_verifies_every_kind)
{
	struct fx f;
	pyverify_result res;

	fx_init(&f);
	/* Rekor v1 with an inclusion promise and an RFC 3161 timestamp. */
	f.bundle = vs_sign(f.vs, f.leaf, NULL);
	cr_assert_not_null(f.bundle);
	add_stamp(f.bundle, f.tsa, TS_TIME, NULL, 0);
	trust_tsa(f.root, f.tsa, 0);
	drop_windows(f.root);
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	cr_assert_eq(res.verified_times, 2);
	json_decref(f.bundle);
	/* Rekor v2: the log key window is checked at the timestamp. */
	f.bundle = v2_bundle(&f, NULL, 0);
	drop_windows(f.root);
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	cr_assert_eq(res.signing_time, TS_TIME);
	/* An open window does not open anything else: a leaf expired at the
	 * timestamp still fails. */
	add_stamp(f.bundle, f.tsa, VS_EPOCH + 601, NULL, 0);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	fx_free(&f);
}
