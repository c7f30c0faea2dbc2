/*
 * test_verify_times.c - pyverify_verify end to end on bundles minted by the
 * virtual Sigstore: the signing times (RFC 3161 timestamps, thresholds, log
 * and key windows), the chains a bundle may carry, and one loaded root
 * shared by many threads.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "verify/steps.h"
#include "pyverify.h"
#include "vsigstore.h"
#include "vrun.h"

#define ID "dev@example.org"
#define ISS "https://issuer.example"
#define NOW (VS_EPOCH + 3600)

static const char artifact[] = "hello\n";

#define ENTRY "verificationMaterial.tlogEntries.0"

/* Appends an RFC 3161 timestamp by `t` over the bundle signature, and `t`
 * to the trusted root's authorities unless it is already there. */
static void
stamp(struct vr_fx *f, struct vtsa *t, int64_t gen_time_s, int tsa_in_root)
{
	struct vtsa_stamp_opts so = { 0 };
	struct pv_bytes sig = { 0 };
	const char *sig_b64;
	uint8_t *der = NULL;
	size_t der_len = 0;
	char *b64;
	json_t *vm, *tvd, *list, *tsas;

	sig_b64 = json_string_value(vr_at(f->bundle,
	                                  "messageSignature.signature"));
	cr_assert_eq(pv_b64_decode(&sig, sig_b64, strlen(sig_b64)), 0);
	so.gen_time_ms = gen_time_s * 1000;
	so.embed_certs = 1;
	cr_assert_eq(vtsa_stamp(t, sig.data, sig.len, &so, &der, &der_len), 0);
	b64 = pv_b64_encode(der, der_len);
	cr_assert_not_null(b64);
	vm = vr_at(f->bundle, "verificationMaterial");
	tvd = json_object_get(vm, "timestampVerificationData");
	if (tvd == NULL) {
		tvd = json_pack("{s:[]}", "rfc3161Timestamps");
		json_object_set_new(vm, "timestampVerificationData", tvd);
	}
	list = json_object_get(tvd, "rfc3161Timestamps");
	json_array_append_new(list, json_pack("{s:s}", "signedTimestamp", b64));
	if (tsa_in_root) {
		size_t k;
		json_t *entry = vtsa_trust_root_entry(t, 0, 0), *e;
		tsas = json_object_get(f->root, "timestampAuthorities");
		if (tsas == NULL) {
			tsas = json_array();
			json_object_set_new(f->root, "timestampAuthorities",
			                    tsas);
		}
		json_array_foreach(tsas, k, e)
			if (json_equal(e, entry))
				break;
		if (k == json_array_size(tsas))
			json_array_append(tsas, entry);
		json_decref(entry);
	}
	free(b64);
	free(der);
	pv_bytes_clear(&sig);
}

/* One new authority, one timestamp; the caller frees the authority. */
static struct vtsa *
add_timestamp(struct vr_fx *f, int64_t gen_time_s, int tsa_in_root)
{
	struct vtsa *t = vtsa_new(NULL);

	cr_assert_not_null(t);
	stamp(f, t, gen_time_s, tsa_in_root);
	return t;
}

static int
verify_with_min_times(struct vr_fx *f, unsigned min, pyverify_error *err)
{
	pyverify_trust_root *root = NULL;
	pyverify_bundle *bundle = NULL;
	pyverify_policy *policy = NULL;
	pyverify_artifact a;
	pyverify_result res;
	char *rt = vs_dump(f->root), *bt = vs_dump(f->bundle);
	int rc;

	cr_assert_eq(pyverify_trust_root_load_memory(&root, rt, strlen(rt),
	                                             NULL,
	                                             err), 0, "%s", err->msg);
	cr_assert_eq(pyverify_bundle_load_memory(&bundle, bt, strlen(bt), err),
	             0, "%s", err->msg);
	cr_assert_eq(pyverify_artifact_from_memory(&a, artifact,
	                                           strlen(artifact), err), 0);
	cr_assert_eq(pyverify_policy_new(&policy, err), 0);
	cr_assert_eq(pyverify_policy_add_identity(policy, ID, 0, ISS, 0, err),
	             0);
	pyverify_policy_set_now(policy, NOW);
	cr_assert_eq(pyverify_policy_set_min_verified_times(policy, min, err),
	             0);
	rc = pyverify_verify(root, bundle, &a, policy, &res, err);
	pyverify_policy_free(policy);
	pyverify_bundle_free(bundle);
	pyverify_trust_root_free(root);
	free(rt);
	free(bt);
	return rc;
}

Test(verify, a_threshold_counts_each_timestamp_authority_once)
{
	struct vr_fx f;
	struct vs_sign_opts so = { 0 };
	struct vtsa *t1, *t2;
	pyverify_error err = { 0 };

	so.no_promise = 1; /* timestamps are the only signing times */
	vr_fx_init(&f, NULL, &so);
	t1 = add_timestamp(&f, VS_EPOCH + 20, 1);
	stamp(&f, t1, VS_EPOCH + 40, 1); /* the same authority again */
	cr_assert_eq(verify_with_min_times(&f, 2, &err), PYVERIFY_EREJECT,
	             "two stamps by one authority counted as two");
	cr_assert_eq(err.step, PYVERIFY_STEP_TIMESTAMP, "%s", err.msg);
	t2 = add_timestamp(&f, VS_EPOCH + 50, 1); /* an independent one */
	cr_assert_eq(verify_with_min_times(&f, 2, &err), 0, "%s", err.msg);
	cr_assert_eq(verify_with_min_times(&f, 3, &err), PYVERIFY_EREJECT);
	vtsa_free(t1);
	vtsa_free(t2);
	vr_fx_free(&f);
}

Test(verify, counts_a_verified_timestamp_as_a_second_signing_time)
{
	struct vr_fx f;
	struct vtsa *t;
	pyverify_result res;

	vr_fx_init(&f, NULL, NULL);
	t = add_timestamp(&f, VS_EPOCH + 30, 1);
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	cr_assert_eq(res.verified_times, 2);
	cr_assert_eq(res.signing_time, VS_EPOCH + 30);
	vtsa_free(t);
	vr_fx_free(&f);
}

Test(verify, rejects_a_timestamp_outside_the_leaf_validity)
{
	struct vr_fx f;
	struct vtsa *t;

	vr_fx_init(&f, NULL, NULL);
	t = add_timestamp(&f, VS_EPOCH + 900, 1);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	vtsa_free(t);
	vr_fx_free(&f);
}

Test(verify, rejects_a_timestamp_when_the_root_has_no_authority)
{
	struct vr_fx f;
	struct vtsa *t;

	vr_fx_init(&f, NULL, NULL);
	t = add_timestamp(&f, VS_EPOCH + 30, 0);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_TIMESTAMP);
	vtsa_free(t);
	vr_fx_free(&f);
}

Test(verify, a_timestamp_alone_is_a_signing_time_when_the_promise_is_absent)
{
	struct vr_fx f;
	struct vs_sign_opts so = { 0 };
	struct vtsa *t;
	pyverify_result res;

	so.no_promise = 1;
	vr_fx_init(&f, NULL, &so);
	t = add_timestamp(&f, VS_EPOCH + 30, 1);
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	cr_assert_eq(res.verified_times, 1);
	vtsa_free(t);
	vr_fx_free(&f);
}

Test(verify, requires_as_many_verified_times_as_the_policy_asks)
{
	struct vr_fx f;
	pyverify_trust_root *root = NULL;
	pyverify_bundle *bundle = NULL;
	pyverify_policy *policy = NULL;
	pyverify_artifact a;
	pyverify_result res;
	pyverify_error err;
	char *rt, *bt;

	vr_fx_init(&f, NULL, NULL);
	rt = vs_dump(f.root);
	bt = vs_dump(f.bundle);
	cr_assert_eq(pyverify_trust_root_load_memory(&root, rt, strlen(rt),
	                                             NULL,
	                                             &err), 0);
	cr_assert_eq(pyverify_bundle_load_memory(&bundle, bt, strlen(bt), &err),
	             0);
	cr_assert_eq(pyverify_artifact_from_memory(&a, artifact,
	                                           strlen(artifact), &err), 0);
	cr_assert_eq(pyverify_policy_new(&policy, &err), 0);
	cr_assert_eq(pyverify_policy_add_identity(policy, ID, 0, ISS, 0, &err),
	             0);
	pyverify_policy_set_now(policy, NOW);
	cr_assert_eq(pyverify_policy_set_min_verified_times(policy, 2, &err),
	             0);
	cr_assert_eq(pyverify_verify(root, bundle, &a, policy, &res, &err),
	             PYVERIFY_EREJECT);
	cr_assert_eq(err.step, PYVERIFY_STEP_TIMESTAMP);
	cr_assert_eq(pyverify_policy_set_min_verified_times(policy, 0, &err),
	             PYVERIFY_EUSAGE);
	pyverify_policy_free(policy);
	pyverify_bundle_free(bundle);
	pyverify_trust_root_free(root);
	free(rt);
	free(bt);
	vr_fx_free(&f);
}

struct shared {
	const pyverify_trust_root *root;
	const pyverify_bundle *good, *bad;
	const pyverify_policy *policy;
	pyverify_artifact artifact;
	int failures;
};

static void *
verify_many(void *arg)
{
	struct shared *sh = arg;
	int i;

	for (i = 0; i < 25; i++) {
		pyverify_result res;
		pyverify_error err;
		/* Interleave an accepted and a rejected bundle so threads
		 * take different paths through the same shared objects. */
		if (pyverify_verify(sh->root, sh->good, &sh->artifact,
		                    sh->policy, &res, &err) != 0 ||
		    strcmp(res.identity, ID) != 0 ||
		    pyverify_verify(sh->root, sh->bad, &sh->artifact,
		                    sh->policy,
		                    &res, &err) != PYVERIFY_EREJECT ||
		    err.step != PYVERIFY_STEP_SET)
			__atomic_add_fetch(&sh->failures, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

Test(verify, one_loaded_root_bundle_and_policy_serve_many_threads)
{
	struct vr_fx f;
	struct shared sh = { 0 };
	pyverify_trust_root *root = NULL;
	pyverify_bundle *good = NULL, *bad = NULL;
	pyverify_policy *policy = NULL;
	pyverify_error err;
	pthread_t th[6];
	char *rt, *gt, *bt;
	size_t i;

	vr_fx_init(&f, NULL, NULL);
	rt = vs_dump(f.root);
	gt = vs_dump(f.bundle);
	vr_flip_b64(f.bundle, ENTRY ".inclusionPromise.signedEntryTimestamp",
	            20);
	bt = vs_dump(f.bundle);
	cr_assert_eq(pyverify_trust_root_load_memory(&root, rt, strlen(rt),
	                                             NULL, &err), 0);
	cr_assert_eq(pyverify_bundle_load_memory(&good, gt, strlen(gt), &err),
	             0);
	cr_assert_eq(pyverify_bundle_load_memory(&bad, bt, strlen(bt), &err),
	             0);
	cr_assert_eq(pyverify_policy_new(&policy, &err), 0);
	cr_assert_eq(pyverify_policy_add_identity(policy, ID, 0, ISS, 0, &err),
	             0);
	pyverify_policy_set_now(policy, NOW);
	cr_assert_eq(pyverify_artifact_from_memory(&sh.artifact, artifact,
	                                           strlen(artifact), &err), 0);
	sh.root = root;
	sh.good = good;
	sh.bad = bad;
	sh.policy = policy;
	for (i = 0; i < 6; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, verify_many, &sh), 0);
	for (i = 0; i < 6; i++)
		pthread_join(th[i], NULL);
	cr_assert_eq(sh.failures, 0, "%d verifications disagreed",
	             sh.failures);
	pyverify_policy_free(policy);
	pyverify_bundle_free(good);
	pyverify_bundle_free(bad);
	pyverify_trust_root_free(root);
	free(rt);
	free(gt);
	free(bt);
	vr_fx_free(&f);
}

/* Appends a certificate to a v0.1/v0.2 bundle's x509CertificateChain. */
static void
append_chain_cert(json_t *bundle, X509 *c)
{
	unsigned char *der = NULL;
	int n = i2d_X509(c, &der);
	char *b64 = malloc((size_t)n * 2 + 8);

	cr_assert_gt(n, 0);
	EVP_EncodeBlock((unsigned char *)b64, der, n);
	json_array_append_new(
	    vr_at(bundle,
	          "verificationMaterial.x509CertificateChain.certificates"),
	    json_pack("{s:s}", "rawBytes", b64));
	OPENSSL_free(der);
	free(b64);
}

Test(verify, a_bundle_chain_may_repeat_the_trusted_intermediate)
{
	struct vr_fx f;
	struct vs_sign_opts so = { 0 };
	pyverify_result res;

	so.bundle_minor = 1;
	vr_fx_init(&f, NULL, &so);
	append_chain_cert(f.bundle, vs_intermediate(f.vs));
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	vr_fx_free(&f);
}

Test(verify, a_bundle_chain_with_a_foreign_intermediate_is_rejected)
{
	struct vr_fx f, other;
	struct vs_sign_opts so = { 0 };

	so.bundle_minor = 2;
	vr_fx_init(&f, NULL, &so);
	vr_fx_init(&other, NULL, NULL);
	/* Another CA's intermediate: never used for the path, but a bundle
	 * that carries it does not agree with the trusted root. */
	append_chain_cert(f.bundle, vs_intermediate(other.vs));
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	vr_fx_free(&other);
	vr_fx_free(&f);
}

Test(verify, a_bundle_chain_out_of_order_is_rejected)
{
	struct vr_fx f;
	struct vs_sign_opts so = { 0 };

	so.bundle_minor = 1;
	vr_fx_init(&f, NULL, &so);
	/* The leaf twice: not the leaf's issuer. */
	append_chain_cert(f.bundle, f.leaf->cert);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	vr_fx_free(&f);
}

/* Without an inclusion promise an entry's integratedTime is only a claim:
 * the log key's validFor must then hold at the signing times that are
 * verified (the timestamps), as for Rekor v2, not at the claim. */
Test(verify, an_unpromised_entry_needs_its_log_key_valid_at_the_timestamp)
{
	struct vr_fx f;
	struct vs_sign_opts so = { 0 };
	struct vtsa *t;
	char buf[32];
	pyverify_result res;
	pyverify_error err = { 0 };

	so.no_promise = 1;
	vr_fx_init(&f, NULL, &so);
	t = add_timestamp(&f, VS_EPOCH + 30, 1);
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	/* The log key starts after the timestamp, before the claimed
	 * integrated time (VS_EPOCH + 60). */
	json_object_set_new(vr_at(f.root, "tlogs.0.publicKey.validFor"),
	                    "start", json_string(vr_rfc3339(VS_EPOCH + 50,
	                                                    buf)));
	cr_assert_neq(vr_run(f.root, f.bundle, NULL, &res, &err), 0);
	cr_assert_eq(err.step, PYVERIFY_STEP_TLOG, "[%s] %s",
	             pyverify_step_code(err.step), err.msg);
	cr_assert(strstr(err.msg, "out of date") != NULL, "%s", err.msg);
	/* The same without any integratedTime at all. */
	json_object_del(vr_at(f.bundle, ENTRY), "integratedTime");
	memset(&err, 0, sizeof(err));
	cr_assert_neq(vr_run(f.root, f.bundle, NULL, &res, &err), 0);
	cr_assert_eq(err.step, PYVERIFY_STEP_TLOG, "[%s] %s",
	             pyverify_step_code(err.step), err.msg);
	vtsa_free(t);
	vr_fx_free(&f);
}

/* The messages a release engineer reads: a Rekor v1 bundle without a
 * signed time is not told about Rekor v2, and a log window names its end. */
Test(verify, a_missing_signed_time_is_explained_for_the_log_kind_at_hand)
{
	struct vr_fx f;
	struct vs_sign_opts so = { 0 };
	pyverify_result res;
	pyverify_error err = { 0 };

	so.no_promise = 1;
	vr_fx_init(&f, NULL, &so);
	cr_assert_eq(vr_run(f.root, f.bundle, NULL, &res, &err),
	             PYVERIFY_EREJECT);
	cr_assert_eq(err.step, PYVERIFY_STEP_TIMESTAMP, "%s", err.msg);
	cr_assert(strstr(err.msg, "Rekor v2") == NULL, "%s", err.msg);
	cr_assert(strstr(err.msg, "inclusion promise") != NULL, "%s",
	          err.msg);
	vr_fx_free(&f);
}

Test(verify, a_log_window_message_names_both_ends)
{
	struct vr_fx f;
	struct vs_sign_opts so = { 0 };
	char buf[32], end[32];
	pyverify_result res;
	pyverify_error err = { 0 };

	/* No promise, so the window check is the orchestrator's own. */
	so.no_promise = 1;
	vr_fx_init(&f, NULL, &so);
	vtsa_free(add_timestamp(&f, VS_EPOCH + 30, 1));
	json_object_set_new(vr_at(f.root, "tlogs.0.publicKey.validFor"), "end",
	                    json_string(vr_rfc3339(VS_EPOCH + 59, end)));
	cr_assert_eq(vr_run(f.root, f.bundle, NULL, &res, &err),
	             PYVERIFY_EREJECT);
	cr_assert_eq(err.step, PYVERIFY_STEP_TLOG, "%s", err.msg);
	cr_assert(strstr(err.msg, vr_rfc3339(VS_EPOCH + 60, buf)) != NULL,
	          "%s", err.msg);
	cr_assert(strstr(err.msg, end) != NULL, "%s", err.msg);
	vr_fx_free(&f);
}

/* Issue 3: a Rekor v2 entry has no integrated time to trust, so a verified
 * RFC 3161 timestamp is required with it, even when another (Rekor v1)
 * entry of the same bundle brings a promised log time. */
Test(verify, a_rekor_v2_entry_requires_a_timestamp_beside_a_promised_v1_entry)
{
	struct vr_fx f;
	struct vs_sign_opts so = { 0 };
	struct pv_bytes sig = { 0 };
	const char *sig_b64;
	json_t *v2, *entries;
	struct vtsa *t;
	pyverify_result res;
	pyverify_error err = { 0 };

	vr_fx_init(&f, NULL, NULL);
	sig_b64 = json_string_value(vr_at(f.bundle,
	                                  "messageSignature.signature"));
	cr_assert_eq(pv_b64_decode(&sig, sig_b64, strlen(sig_b64)), 0);
	/* The same signature, logged in the Rekor v2 log too. */
	so.rekor_v2 = 1;
	so.log_signature = sig.data;
	so.log_signature_len = sig.len;
	v2 = vs_sign(f.vs, f.leaf, &so);
	cr_assert_not_null(v2);
	entries = vr_at(f.bundle, "verificationMaterial.tlogEntries");
	json_array_append(entries, vr_at(v2, ENTRY));
	cr_assert_eq(vr_run(f.root, f.bundle, NULL, &res, &err),
	             PYVERIFY_EREJECT);
	cr_assert_eq(err.step, PYVERIFY_STEP_TIMESTAMP, "[%s] %s",
	             pyverify_step_code(err.step), err.msg);
	cr_assert(strstr(err.msg, "Rekor v2") != NULL, "%s", err.msg);
	/* With a timestamp both entries verify. */
	t = add_timestamp(&f, VS_EPOCH + 30, 1);
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	cr_assert_eq(res.verified_times, 2);
	vtsa_free(t);
	json_decref(v2);
	pv_bytes_clear(&sig);
	vr_fx_free(&f);
}
