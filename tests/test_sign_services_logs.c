/* test_sign_services_logs.c - the Rekor v1, Rekor v2 and RFC 3161
 * timestamp clients of signing against the loopback fakes: each happy
 * path ends in a bundle the verifier accepts, and each refusal names the
 * step and the service. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "sign_svc_fx.h"

TestSuite(sign_services_logs, .timeout = 120);

/* ---- Rekor v1 ------------------------------------------------------------ */

static void
assert_v1_tle_types(const json_t *t)
{
	const json_t *proof = json_object_get(t, "inclusionProof");

	cr_assert(json_is_string(json_object_get(t, "logIndex")));
	cr_assert(json_is_string(json_object_get(t, "integratedTime")));
	cr_assert(json_is_string(json_object_get(json_object_get(t, "logId"),
	                                         "keyId")));
	cr_assert_str_eq(json_string_value(json_object_get(
	                         json_object_get(t, "kindVersion"), "kind")),
	                 "hashedrekord");
	cr_assert_str_eq(json_string_value(json_object_get(
	                         json_object_get(t, "kindVersion"), "version")),
	                 "0.0.1");
	cr_assert(json_is_string(json_object_get(
	        json_object_get(t, "inclusionPromise"), "signedEntryTimestamp")));
	cr_assert(json_is_string(json_object_get(proof, "logIndex")));
	cr_assert(json_is_string(json_object_get(proof, "treeSize")));
	cr_assert(json_is_string(json_object_get(proof, "rootHash")));
	cr_assert(json_is_array(json_object_get(proof, "hashes")));
	cr_assert(json_is_string(json_object_get(
	        json_object_get(proof, "checkpoint"), "envelope")));
	cr_assert(json_is_string(json_object_get(t, "canonicalizedBody")));
}

Test(sign_services_logs, rekor1_entry_becomes_a_verifiable_tle)
{
	struct pv_fulcio_cert c = { 0 };
	struct pv_rekor_input in;
	pyverify_error err = { 0 };
	json_t *tle = NULL;
	struct ssfx f;

	ssfx_init(&f);
	ssfx_get_cert(&f, &c);
	ssfx_rekor_input(&f, &c, &in);
	cr_assert_eq(pv_rekor1_upload(&f.net, fss_rekor1_url(f.s), &in, &tle,
	                              &err),
	             0, "%s", err.msg);
	assert_v1_tle_types(tle);
	ssfx_verifies(&f, &c, tle, NULL, 0);
	json_decref(tle);
	pv_fulcio_cert_clear(&c);
	ssfx_fini(&f);
}

Test(sign_services_logs, rekor1_conflict_fetches_the_existing_entry)
{
	struct pv_fulcio_cert c = { 0 };
	struct pv_rekor_input in;
	pyverify_error err = { 0 };
	json_t *tle = NULL;
	struct ssfx f;

	ssfx_init(&f);
	ssfx_get_cert(&f, &c);
	ssfx_rekor_input(&f, &c, &in);
	fss_fault(f.s, FSS_REKOR_409);
	cr_assert_eq(pv_rekor1_upload(&f.net, fss_rekor1_url(f.s), &in, &tle,
	                              &err),
	             0, "%s", err.msg);
	/* The POST and the GET of the entry it named. */
	cr_assert_eq(fss_count(f.s, FSS_PATH_REKOR1), 2);
	assert_v1_tle_types(tle);
	ssfx_verifies(&f, &c, tle, NULL, 0);
	json_decref(tle);
	pv_fulcio_cert_clear(&c);
	ssfx_fini(&f);
}

typedef int (*rekor_upload)(const struct pv_sign_net *, const char *,
                            const struct pv_rekor_input *, json_t **,
                            pyverify_error *);

/* A Rekor that misbehaves: refused at step rekor, naming the service and
 * the reason; no entry handed back. */
static void
rekor_refused(rekor_upload upload, const char *(*url)(const struct fss *),
              enum fss_fault fault, const char *service, const char *needle)
{
	struct pv_fulcio_cert c = { 0 };
	struct pv_rekor_input in;
	pyverify_error err = { 0 };
	json_t *tle = NULL;
	struct ssfx f;

	ssfx_init(&f);
	ssfx_get_cert(&f, &c);
	ssfx_rekor_input(&f, &c, &in);
	fss_fault(f.s, fault);
	ssfx_refused(upload(&f.net, url(f.s), &in, &tle, &err), &err,
	             PYVERIFY_STEP_REKOR, service, needle);
	cr_assert_null(tle);
	pv_fulcio_cert_clear(&c);
	ssfx_fini(&f);
}

Test(sign_services_logs, rekor1_500_is_refused_naming_rekor)
{
	rekor_refused(pv_rekor1_upload, fss_rekor1_url, FSS_REKOR_500,
	              "Rekor at http://127.0.0.1", "HTTP 500");
}

Test(sign_services_logs, rekor1_entry_for_another_body_is_refused)
{
	rekor_refused(pv_rekor1_upload, fss_rekor1_url, FSS_REKOR_OTHER_BODY,
	              "Rekor at ", "another body");
}

/* ---- Rekor v2 and the timestamp authority -------------------------------- */

static void
timestamp(struct ssfx *f, uint8_t **der, size_t *len)
{
	pyverify_error err = { 0 };

	cr_assert_eq(pv_tsa_timestamp(&f->net, fss_tsa_url(f->s), f->sig,
	                              f->sig_len, f->root, der, len, &err),
	             0, "%s", err.msg);
}

Test(sign_services_logs, rekor2_entry_with_a_timestamp_verifies)
{
	struct pv_fulcio_cert c = { 0 };
	struct pv_rekor_input in;
	pyverify_error err = { 0 };
	json_t *tle = NULL;
	uint8_t *ts = NULL;
	size_t ts_len = 0;
	struct ssfx f;

	ssfx_init(&f);
	ssfx_get_cert(&f, &c);
	ssfx_rekor_input(&f, &c, &in);
	timestamp(&f, &ts, &ts_len);
	cr_assert_eq(pv_rekor2_upload(&f.net, fss_rekor2_url(f.s), &in, &tle,
	                              &err),
	             0, "%s", err.msg);
	cr_assert_str_eq(json_string_value(json_object_get(
	                         json_object_get(tle, "kindVersion"), "version")),
	                 "0.0.2");
	ssfx_verifies(&f, &c, tle, ts, ts_len);
	json_decref(tle);
	free(ts);
	pv_fulcio_cert_clear(&c);
	ssfx_fini(&f);
}

Test(sign_services_logs, rekor2_500_is_refused_naming_rekor)
{
	rekor_refused(pv_rekor2_upload, fss_rekor2_url, FSS_REKOR_500,
	              "Rekor at http://127.0.0.1", "HTTP 500");
}

Test(sign_services_logs, tsa_response_verifies_against_the_root)
{
	pyverify_error err = { 0 };
	uint8_t *ts = NULL;
	size_t ts_len = 0;
	int64_t gen;
	struct ssfx f;

	ssfx_init(&f);
	timestamp(&f, &ts, &ts_len);
	cr_assert_eq(pv_tsa_verify(f.root, ts, ts_len, f.sig, f.sig_len, &gen,
	                           &err),
	             0, "%s", err.msg);
	cr_assert_lt(llabs(gen - ssfx_now_ms()), 120000);
	free(ts);
	ssfx_fini(&f);
}

static void
tsa_refusal(enum fss_fault fault, const char *needle)
{
	pyverify_error err = { 0 };
	uint8_t *ts = NULL;
	size_t ts_len = 0;
	struct ssfx f;

	ssfx_init(&f);
	if (fault == FSS_SLOW || fault == FSS_ENDLESS) {
		f.net.opts.retries = -1;
		fss_fault_on(f.s, fault, "/tsa");
	} else {
		fss_fault(f.s, fault);
	}
	ssfx_refused(pv_tsa_timestamp(&f.net, fss_tsa_url(f.s), f.sig,
	                                f.sig_len, f.root, &ts, &ts_len, &err),
	               &err, PYVERIFY_STEP_TSA, "timestamp authority", needle);
	cr_assert_null(ts);
	ssfx_fini(&f);
}

Test(sign_services_logs, tsa_wrong_nonce_is_refused)
{
	tsa_refusal(FSS_TSA_WRONG_NONCE, "nonce");
}

Test(sign_services_logs, tsa_wrong_imprint_is_refused)
{
	tsa_refusal(FSS_TSA_WRONG_IMPRINT, "imprint");
}

Test(sign_services_logs, tsa_untrusted_signer_is_refused)
{
	tsa_refusal(FSS_TSA_UNTRUSTED, "does not verify against the trusted "
	                               "root");
}

Test(sign_services_logs, tsa_rejection_is_refused)
{
	tsa_refusal(FSS_TSA_REJECTED, "did not grant");
}

Test(sign_services_logs, tsa_500_is_refused)
{
	tsa_refusal(FSS_TSA_500, "HTTP 500");
}

Test(sign_services_logs, tsa_slow_answer_is_cut_off)
{
	time_t t0 = time(NULL);

	tsa_refusal(FSS_SLOW, "too slow");
	cr_assert_lt(time(NULL) - t0, 12);
}

Test(sign_services_logs, tsa_endless_answer_is_bounded)
{
	time_t t0 = time(NULL);

	tsa_refusal(FSS_ENDLESS, "larger than");
	cr_assert_lt(time(NULL) - t0, 12);
}

Test(sign_services_logs, rekor2_entry_for_another_body_is_refused)
{
	rekor_refused(pv_rekor2_upload, fss_rekor2_url, FSS_REKOR_OTHER_BODY,
	              "Rekor at ", "another body");
}

/* A managed key is logged by its SubjectPublicKeyInfo. */
Test(sign_services_logs, rekor2_logs_a_managed_key)
{
	struct pv_rekor_input in = { 0 };
	pyverify_error err = { 0 };
	struct pv_bytes body = { 0 };
	json_t *tle = NULL, *b, *verifier;
	const char *text;
	struct ssfx f;

	ssfx_init(&f);
	in.digest = f.digest;
	in.digest_len = 32;
	in.sig = f.sig;
	in.sig_len = f.sig_len;
	in.pub = f.key;
	cr_assert_eq(pv_rekor2_upload(&f.net, fss_rekor2_url(f.s), &in, &tle,
	                              &err),
	             0, "%s", err.msg);
	text = json_string_value(json_object_get(tle, "canonicalizedBody"));
	cr_assert_not_null(text);
	cr_assert_eq(pv_b64_decode(&body, text, strlen(text)), 0);
	b = json_loadb((const char *)body.data, body.len, 0, NULL);
	cr_assert_not_null(b);
	verifier = json_object_get(json_object_get(json_object_get(
	        json_object_get(json_object_get(b, "spec"), "hashedRekordV002"),
	        "signature"), "verifier"), "publicKey");
	/* The key logged is the signer's own, as DER SubjectPublicKeyInfo. */
	{
		const char *raw64 = json_string_value(
		        json_object_get(verifier, "rawBytes"));
		struct pv_bytes raw = { 0 };
		unsigned char *want = NULL;
		int wlen = i2d_PUBKEY(f.key, &want);

		cr_assert_not_null(raw64);
		cr_assert_gt(wlen, 0);
		cr_assert_eq(pv_b64_decode(&raw, raw64, strlen(raw64)), 0);
		cr_assert_eq(raw.len, (size_t)wlen);
		cr_assert_eq(memcmp(raw.data, want, raw.len), 0);
		OPENSSL_free(want);
		pv_bytes_clear(&raw);
	}
	json_decref(b);
	pv_bytes_clear(&body);
	json_decref(tle);
	ssfx_fini(&f);
}

/* An in-toto statement as a DSSE envelope, logged as dsse 0.0.1. */
Test(sign_services_logs, rekor1_dsse_entry_becomes_a_verifiable_tle)
{
	static const char type[] = "application/vnd.in-toto+json";
	struct vs_subject subj = { "python-3.14.0.tar.xz", ssfx_artifact,
	                           strlen(ssfx_artifact), 0 };
	struct pv_fulcio_cert c = { 0 };
	struct pv_bundle_parts p = { 0 };
	struct pv_rekor_input in;
	struct pv_bytes pae = { 0 };
	pyverify_error err = { 0 };
	pyverify_artifact a;
	pyverify_bundle *bun = NULL;
	pyverify_policy *pol = NULL;
	pyverify_result res;
	json_t *tle = NULL, *env, *arr;
	char *stmt, *env_text, *p64, *s64, *text;
	uint8_t h[32];
	EVP_PKEY_CTX *ctx;
	struct ssfx f;

	ssfx_init(&f);
	ssfx_get_cert(&f, &c);
	stmt = vs_intoto_statement(&subj, 1, NULL);
	cr_assert_not_null(stmt);
	cr_assert_eq(pv_dsse_pae(&pae, type, (const uint8_t *)stmt,
	                         strlen(stmt)), 0);
	cr_assert_eq(pv_sha256(h, pae.data, pae.len), 0);
	f.sig_len = sizeof(f.sig);
	ctx = EVP_PKEY_CTX_new(f.key, NULL);
	cr_assert(ctx != NULL && EVP_PKEY_sign_init(ctx) == 1 &&
	          EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1 &&
	          EVP_PKEY_sign(ctx, f.sig, &f.sig_len, h, 32) == 1);
	EVP_PKEY_CTX_free(ctx);
	p64 = pv_b64_encode((const uint8_t *)stmt, strlen(stmt));
	s64 = pv_b64_encode(f.sig, f.sig_len);
	env = json_pack("{s:s,s:s,s:[{s:s}]}", "payload", p64, "payloadType",
	                type, "signatures", "sig", s64);
	env_text = json_dumps(env, JSON_COMPACT);
	ssfx_rekor_input(&f, &c, &in);
	in.digest = h;
	in.envelope_json = env_text;
	cr_assert_eq(pv_rekor1_upload(&f.net, fss_rekor1_url(f.s), &in, &tle,
	                              &err),
	             0, "%s", err.msg);
	cr_assert_str_eq(json_string_value(json_object_get(
	                         json_object_get(tle, "kindVersion"), "kind")),
	                 "dsse");

	arr = json_array();
	cr_assert_eq(json_array_append(arr, tle), 0);
	p.cert_der = c.leaf_der;
	p.cert_len = c.leaf_der_len;
	p.tlog_entries = arr;
	p.sig = f.sig;
	p.sig_len = f.sig_len;
	p.payload_type = type;
	p.payload = (const uint8_t *)stmt;
	p.payload_len = strlen(stmt);
	text = pv_bundle_assemble(&p);
	cr_assert_not_null(text);
	cr_assert_eq(pyverify_bundle_load_memory(&bun, text, strlen(text),
	                                         &err),
	             0, "%s", err.msg);
	cr_assert_eq(pyverify_artifact_from_memory(&a, ssfx_artifact,
	                                           strlen(ssfx_artifact), &err),
	             0);
	cr_assert_eq(pyverify_policy_new(&pol, &err), 0);
	cr_assert_eq(pyverify_policy_add_identity(pol, f.tok.identity,
	                                          PYVERIFY_MATCH_EXACT,
	                                          f.tok.iss,
	                                          PYVERIFY_MATCH_EXACT, &err),
	             0);
	cr_assert_eq(pyverify_verify(f.root, bun, &a, pol, &res, &err), 0,
	             "%s: %s", pyverify_step_code(err.step), err.msg);
	pyverify_policy_free(pol);
	pyverify_bundle_free(bun);
	free(text);
	json_decref(arr);
	json_decref(tle);
	json_decref(env);
	free(env_text);
	free(p64);
	free(s64);
	free(stmt);
	pv_bytes_clear(&pae);
	pv_fulcio_cert_clear(&c);
	ssfx_fini(&f);
}
