/*
 * test_verify.c - pyverify_verify end to end on bundles minted by the
 * virtual Sigstore (tests/support/vsigstore.c): one accepted bundle per
 * form, and for each defect the exact step that must reject it.
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
#include "vtsa.h"

#define ID "dev@example.org"
#define ISS "https://issuer.example"
#define NOW (VS_EPOCH + 3600)

static const char artifact[] = "hello\n";

struct fx {
	struct vs *vs;
	struct vs_leaf *leaf;
	json_t *root;   /* trusted root JSON, editable */
	json_t *bundle; /* bundle JSON, editable */
};

static void
fx_init(struct fx *f, const struct vs_leaf_opts *lo,
        const struct vs_sign_opts *so)
{
	f->vs = vs_new();
	cr_assert_not_null(f->vs);
	f->leaf = vs_leaf_new(f->vs, lo);
	cr_assert_not_null(f->leaf);
	f->root = vs_trust_root(f->vs);
	cr_assert_not_null(f->root);
	f->bundle = vs_sign(f->vs, f->leaf, so);
	cr_assert_not_null(f->bundle);
}

static void
fx_free(struct fx *f)
{
	json_decref(f->bundle);
	json_decref(f->root);
	vs_leaf_free(f->leaf);
	vs_free(f->vs);
}


#define ENTRY "verificationMaterial.tlogEntries.0"

Test(verify, accepts_a_v03_bundle_and_reports_who_and_when)
{
	struct fx f;
	pyverify_result res;

	fx_init(&f, NULL, NULL);
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	cr_assert_str_eq(res.identity, ID);
	cr_assert_str_eq(res.issuer, ISS);
	cr_assert_eq(res.policy_index, 0);
	cr_assert_eq(res.signing_time, VS_EPOCH + 60);
	cr_assert_eq(res.integrated_time, VS_EPOCH + 60);
	cr_assert_eq(res.verified_times, 1);
	cr_assert_eq(res.bundle_minor_version, 3);
	cr_assert_geq(res.log_index, 0);
	cr_assert_eq(strlen(res.log_id_hex), 64);
	fx_free(&f);
}

Test(verify, accepts_v01_v02_and_the_new_v03_media_type)
{
	int minor;
	pyverify_result res;

	for (minor = 1; minor <= 4; minor++) {
		struct fx f;
		struct vs_sign_opts so = { 0 };
		so.bundle_minor = minor == 4 ? 3 : minor;
		so.alt_media_type = minor == 4;
		fx_init(&f, NULL, &so);
		vr_expect_ok(f.root, f.bundle, NULL, &res);
		cr_assert_eq(res.bundle_minor_version, so.bundle_minor);
		fx_free(&f);
	}
}

Test(verify, accepts_uri_and_othername_identities_and_v1_only_issuer)
{
	static const struct {
		int san, iss;
		const char *id;
	} cases[] = {
		{ VS_SAN_URI, VS_ISSUER_BOTH,
		  "https://github.com/o/r/.github/workflows/rel.yml@refs/tags/v1" },
		{ VS_SAN_OTHERNAME, VS_ISSUER_V2_ONLY, "someuser" },
		{ VS_SAN_EMAIL, VS_ISSUER_V1_ONLY, ID },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx f;
		struct vs_leaf_opts lo = { 0 };
		struct vr_opts ro = { 0 };
		pyverify_result res;
		lo.identity = cases[i].id;
		lo.san_type = cases[i].san;
		lo.issuer_ext = cases[i].iss;
		ro.identity = cases[i].id;
		fx_init(&f, &lo, NULL);
		vr_expect_ok(f.root, f.bundle, &ro, &res);
		cr_assert_str_eq(res.identity, cases[i].id);
		cr_assert_str_eq(res.issuer, ISS);
		fx_free(&f);
	}
}

Test(verify, rejects_another_identity_and_another_issuer)
{
	struct fx f;
	struct vr_opts ro = { 0 };

	fx_init(&f, NULL, NULL);
	ro.identity = "Dev@example.org"; /* case-sensitive */
	vr_expect_step(f.root, f.bundle, &ro, PYVERIFY_STEP_IDENTITY);
	ro.identity = NULL;
	ro.issuer = "https://issuer.example/";
	vr_expect_step(f.root, f.bundle, &ro, PYVERIFY_STEP_ISSUER);
	fx_free(&f);
}

Test(verify, regexp_identities_match_the_whole_value_only)
{
	struct fx f;
	struct vr_opts ro = { 0 };
	pyverify_result res;

	fx_init(&f, NULL, NULL);
	ro.identity_mode = PYVERIFY_MATCH_REGEX;
	ro.identity = "dev@example";      /* a prefix is not a match */
	vr_expect_step(f.root, f.bundle, &ro, PYVERIFY_STEP_IDENTITY);
	ro.identity = "example\\.org";    /* nor a suffix */
	vr_expect_step(f.root, f.bundle, &ro, PYVERIFY_STEP_IDENTITY);
	ro.identity = "[a-z]+@example\\.org";
	vr_expect_ok(f.root, f.bundle, &ro, &res);
	cr_assert_str_eq(res.identity, ID);
	fx_free(&f);
}

Test(verify, rejects_another_artifact_by_file_or_digest)
{
	struct fx f;
	struct vr_opts ro = { 0 };

	fx_init(&f, NULL, NULL);
	ro.artifact = "hello\r\n";
	ro.len = 7;
	vr_expect_step(f.root, f.bundle, &ro, PYVERIFY_STEP_TLOG_BODY);
	fx_free(&f);
}

Test(verify, rejects_a_message_digest_for_another_artifact)
{
	struct fx f;

	fx_init(&f, NULL, NULL);
	vr_flip_b64(f.bundle, "messageSignature.messageDigest.digest", 3);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_ARTIFACT);
	fx_free(&f);
}

Test(verify, rejects_a_signature_by_another_key)
{
	struct fx f;
	struct vs_sign_opts so = { 0 };
	EVP_PKEY *other = EVP_EC_gen("P-256");

	so.signing_key = other;
	fx_init(&f, NULL, &so);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_SIGNATURE);
	fx_free(&f);
	EVP_PKEY_free(other);
}

Test(verify, rejects_certificate_defects_at_the_chain_step)
{
	struct vs_leaf_opts variants[3] = { { 0 } };
	size_t i;

	variants[0].no_codesign_eku = 1;
	variants[1].no_digital_signature = 1;
	variants[2].self_signed = 1;
	for (i = 0; i < 3; i++) {
		struct fx f;
		fx_init(&f, &variants[i], NULL);
		vr_expect_step(f.root, f.bundle, NULL,
		            PYVERIFY_STEP_CERTIFICATE_CHAIN);
		fx_free(&f);
	}
}

Test(verify, rejects_a_log_time_outside_the_leaf_validity)
{
	struct fx f;
	struct vs_sign_opts so = { 0 };

	so.integrated_time = VS_EPOCH + 601; /* leaf lives 600 s */
	fx_init(&f, NULL, &so);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	fx_free(&f);
}

Test(verify, accepts_a_log_time_on_the_last_second_of_the_leaf)
{
	struct fx f;
	struct vs_sign_opts so = { 0 };
	pyverify_result res;

	so.integrated_time = VS_EPOCH + 600;
	fx_init(&f, NULL, &so);
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	fx_free(&f);
}

Test(verify, rejects_an_integrated_time_in_the_future)
{
	struct fx f;
	struct vr_opts ro = { 0 };

	fx_init(&f, NULL, NULL);
	ro.now = VS_EPOCH + 59;
	vr_expect_step(f.root, f.bundle, &ro, PYVERIFY_STEP_TLOG);
	fx_free(&f);
}

Test(verify, rejects_sct_defects)
{
	struct vs_leaf_opts variants[3] = { { 0 } };
	size_t i;

	variants[0].no_sct = 1;
	variants[1].sct_unknown_log = 1;
	variants[2].sct_bad_signature = 1;
	for (i = 0; i < 3; i++) {
		struct fx f;
		fx_init(&f, &variants[i], NULL);
		vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_SCT);
		fx_free(&f);
	}
}

Test(verify, rejects_an_sct_outside_its_ct_log_window)
{
	struct fx f;
	char buf[32];

	fx_init(&f, NULL, NULL);
	json_object_set_new(vr_at(f.root, "ctlogs.0.publicKey.validFor"), "start",
	                    json_string(vr_rfc3339(VS_EPOCH + 1, buf)));
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_SCT);
	fx_free(&f);
}

Test(verify, rejects_a_signing_time_outside_the_ca_window)
{
	struct fx f;
	char buf[32];

	fx_init(&f, NULL, NULL);
	json_object_set_new(vr_at(f.root, "certificateAuthorities.0.validFor"),
	                    "end", json_string(vr_rfc3339(VS_EPOCH + 59, buf)));
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	fx_free(&f);
}

Test(verify, rejects_a_log_the_trusted_root_does_not_know)
{
	struct fx f;
	pyverify_result res;
	pyverify_error err = { 0 };

	fx_init(&f, NULL, NULL);
	json_array_remove(vr_at(f.root, "tlogs"), 0); /* keep only Rekor v2 */
	cr_assert_neq(vr_run(f.root, f.bundle, NULL, &res, &err), 0);
	cr_assert_eq(err.step, PYVERIFY_STEP_TLOG, "[%s] %s",
	             pyverify_step_code(err.step), err.msg);
	cr_assert(strstr(err.msg, "out of date") != NULL, "%s", err.msg);
	cr_assert(strstr(err.msg, "test root") != NULL, "%s", err.msg);
	fx_free(&f);
}

Test(verify, rejects_a_log_key_not_valid_at_the_integrated_time)
{
	struct fx f;
	char buf[32];
	pyverify_result res;
	pyverify_error err = { 0 };

	fx_init(&f, NULL, NULL);
	json_object_set_new(vr_at(f.root, "tlogs.0.publicKey.validFor"), "end",
	                    json_string(vr_rfc3339(VS_EPOCH + 59, buf)));
	cr_assert_neq(vr_run(f.root, f.bundle, NULL, &res, &err), 0);
	/* The SET step owns the log key's window for promised entries. */
	cr_assert_eq(err.step, PYVERIFY_STEP_SET, "[%s] %s",
	             pyverify_step_code(err.step), err.msg);
	fx_free(&f);
}

Test(verify, rejects_log_bodies_about_something_else)
{
	uint8_t other_digest[32];
	uint8_t other_sig[72];
	struct vs_sign_opts so[2] = { { 0 } };
	size_t i;

	memset(other_digest, 0x5a, sizeof(other_digest));
	memcpy(other_sig, "\x30\x44\x02\x20", 4);
	memset(other_sig + 4, 0x11, 32);
	memcpy(other_sig + 36, "\x02\x20", 2);
	memset(other_sig + 38, 0x22, 32);
	so[0].log_digest = other_digest;
	so[1].log_signature = other_sig;
	so[1].log_signature_len = 70;
	for (i = 0; i < 2; i++) {
		struct fx f;
		fx_init(&f, NULL, &so[i]);
		vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_TLOG_BODY);
		fx_free(&f);
	}
}

Test(verify, rejects_a_log_body_naming_another_certificate)
{
	struct fx f;
	struct vs_leaf *other;
	struct vs_sign_opts so = { 0 };

	f.vs = vs_new();
	other = vs_leaf_new(f.vs, NULL);
	f.leaf = vs_leaf_new(f.vs, NULL);
	so.log_cert = other->cert;
	f.root = vs_trust_root(f.vs);
	f.bundle = vs_sign(f.vs, f.leaf, &so);
	cr_assert_not_null(f.bundle);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_TLOG_BODY);
	vs_leaf_free(other);
	fx_free(&f);
}

Test(verify, rejects_an_altered_signed_entry_timestamp)
{
	struct fx f;

	fx_init(&f, NULL, NULL);
	vr_flip_b64(f.bundle, ENTRY ".inclusionPromise.signedEntryTimestamp", 20);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_SET);
	fx_free(&f);
}

Test(verify, rejects_an_altered_log_index_through_the_set)
{
	struct fx f;

	fx_init(&f, NULL, NULL);
	json_object_set_new(vr_at(f.bundle, ENTRY), "logIndex", json_string("7"));
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_SET);
	fx_free(&f);
}

Test(verify, rejects_inclusion_proof_defects)
{
	static const char *paths[] = {
		ENTRY ".inclusionProof.hashes.0",
		ENTRY ".inclusionProof.hashes.1",
		ENTRY ".inclusionProof.rootHash",
	};
	size_t i;

	for (i = 0; i < 3; i++) {
		struct fx f;
		fx_init(&f, NULL, NULL);
		vr_flip_b64(f.bundle, paths[i], 5);
		vr_expect_step(f.root, f.bundle, NULL,
		            PYVERIFY_STEP_INCLUSION_PROOF);
		fx_free(&f);
	}
}

Test(verify, rejects_a_proof_for_another_index)
{
	struct fx f;

	fx_init(&f, NULL, NULL); /* entry 3 of 7 */
	json_object_set_new(vr_at(f.bundle, ENTRY ".inclusionProof"), "logIndex",
	                    json_string("2"));
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_INCLUSION_PROOF);
	fx_free(&f);
}

Test(verify, rejects_a_proof_tree_size_the_checkpoint_does_not_commit_to)
{
	struct fx f;

	/* Leaf 3's audit path is the same in trees of 7 and 8 leaves, so the
	 * proof alone cannot tell; the signed checkpoint's size must. */
	fx_init(&f, NULL, NULL);
	json_object_set_new(vr_at(f.bundle, ENTRY ".inclusionProof"), "treeSize",
	                    json_string("8"));
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CHECKPOINT);
	fx_free(&f);
}

Test(verify, rejects_an_altered_checkpoint_signature)
{
	struct fx f;
	json_t *env;
	char *v;
	size_t n;

	fx_init(&f, NULL, NULL);
	env = vr_at(f.bundle, ENTRY ".inclusionProof.checkpoint.envelope");
	v = strdup(json_string_value(env));
	n = strlen(v);
	/* The last base64 characters before "=\n" or "\n" are signature. */
	v[n - 6] = v[n - 6] == 'A' ? 'B' : 'A';
	json_string_set(env, v);
	free(v);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CHECKPOINT);
	fx_free(&f);
}

Test(verify, rejects_a_valid_checkpoint_for_another_tree)
{
	struct fx f;
	uint8_t root[32];
	char *cp;

	fx_init(&f, NULL, NULL);
	memset(root, 0x42, sizeof(root));
	cp = vs_checkpoint_v1(f.vs, "rekor.test - 1234567890", 7, root,
	                      "rekor.test");
	cr_assert_not_null(cp);
	json_string_set(vr_at(f.bundle, ENTRY ".inclusionProof.checkpoint.envelope"),
	                cp);
	free(cp);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CHECKPOINT);
	fx_free(&f);
}

Test(verify, rejects_a_v03_bundle_without_a_signed_time)
{
	struct fx f;
	struct vs_sign_opts so = { 0 };

	so.no_promise = 1;
	fx_init(&f, NULL, &so);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_TIMESTAMP);
	fx_free(&f);
}

Test(verify, rejects_missing_required_parts_for_the_version)
{
	struct vs_sign_opts so[3] = { { 0 } };
	size_t i;

	so[0].bundle_minor = 1;
	so[0].no_promise = 1;   /* v0.1 needs the promise */
	so[1].bundle_minor = 2;
	so[1].no_proof = 1;     /* v0.2 needs the proof */
	so[2].no_checkpoint = 1; /* a proof needs its checkpoint */
	for (i = 0; i < 3; i++) {
		struct fx f;
		fx_init(&f, NULL, &so[i]);
		vr_expect_step(f.root, f.bundle, NULL,
		            PYVERIFY_STEP_BUNDLE_FORMAT);
		fx_free(&f);
	}
}

Test(verify, a_key_policy_rejects_a_certificate_bundle)
{
	struct fx f;
	struct vr_opts ro = { 0 };

	fx_init(&f, NULL, NULL);
	ro.key_pem = "-----BEGIN PUBLIC KEY-----\n"
	             "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9f"
	             "AFwr\nkBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+"
	             "RYtw==\n-----END PUBLIC KEY-----\n";
	vr_expect_step(f.root, f.bundle, &ro, PYVERIFY_STEP_KEY);
	fx_free(&f);
}

/* Appends an RFC 3161 timestamp by `t` over the bundle signature, and `t`
 * to the trusted root's authorities unless it is already there. */
static void
stamp(struct fx *f, struct vtsa *t, int64_t gen_time_s, int tsa_in_root)
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
add_timestamp(struct fx *f, int64_t gen_time_s, int tsa_in_root)
{
	struct vtsa *t = vtsa_new(NULL);

	cr_assert_not_null(t);
	stamp(f, t, gen_time_s, tsa_in_root);
	return t;
}

static int
verify_with_min_times(struct fx *f, unsigned min, pyverify_error *err)
{
	pyverify_trust_root *root = NULL;
	pyverify_bundle *bundle = NULL;
	pyverify_policy *policy = NULL;
	pyverify_artifact a;
	pyverify_result res;
	char *rt = vs_dump(f->root), *bt = vs_dump(f->bundle);
	int rc;

	cr_assert_eq(pyverify_trust_root_load_memory(&root, rt, strlen(rt), NULL,
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
	struct fx f;
	struct vs_sign_opts so = { 0 };
	struct vtsa *t1, *t2;
	pyverify_error err = { 0 };

	so.no_promise = 1; /* timestamps are the only signing times */
	fx_init(&f, NULL, &so);
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
	fx_free(&f);
}

Test(verify, counts_a_verified_timestamp_as_a_second_signing_time)
{
	struct fx f;
	struct vtsa *t;
	pyverify_result res;

	fx_init(&f, NULL, NULL);
	t = add_timestamp(&f, VS_EPOCH + 30, 1);
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	cr_assert_eq(res.verified_times, 2);
	cr_assert_eq(res.signing_time, VS_EPOCH + 30);
	vtsa_free(t);
	fx_free(&f);
}

Test(verify, rejects_a_timestamp_outside_the_leaf_validity)
{
	struct fx f;
	struct vtsa *t;

	fx_init(&f, NULL, NULL);
	t = add_timestamp(&f, VS_EPOCH + 900, 1);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	vtsa_free(t);
	fx_free(&f);
}

Test(verify, rejects_a_timestamp_when_the_root_has_no_authority)
{
	struct fx f;
	struct vtsa *t;

	fx_init(&f, NULL, NULL);
	t = add_timestamp(&f, VS_EPOCH + 30, 0);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_TIMESTAMP);
	vtsa_free(t);
	fx_free(&f);
}

Test(verify, a_timestamp_alone_is_a_signing_time_when_the_promise_is_absent)
{
	struct fx f;
	struct vs_sign_opts so = { 0 };
	struct vtsa *t;
	pyverify_result res;

	so.no_promise = 1;
	fx_init(&f, NULL, &so);
	t = add_timestamp(&f, VS_EPOCH + 30, 1);
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	cr_assert_eq(res.verified_times, 1);
	vtsa_free(t);
	fx_free(&f);
}

Test(verify, requires_as_many_verified_times_as_the_policy_asks)
{
	struct fx f;
	pyverify_trust_root *root = NULL;
	pyverify_bundle *bundle = NULL;
	pyverify_policy *policy = NULL;
	pyverify_artifact a;
	pyverify_result res;
	pyverify_error err;
	char *rt, *bt;

	fx_init(&f, NULL, NULL);
	rt = vs_dump(f.root);
	bt = vs_dump(f.bundle);
	cr_assert_eq(pyverify_trust_root_load_memory(&root, rt, strlen(rt), NULL,
	                                             &err), 0);
	cr_assert_eq(pyverify_bundle_load_memory(&bundle, bt, strlen(bt), &err),
	             0);
	cr_assert_eq(pyverify_artifact_from_memory(&a, artifact,
	                                           strlen(artifact), &err), 0);
	cr_assert_eq(pyverify_policy_new(&policy, &err), 0);
	cr_assert_eq(pyverify_policy_add_identity(policy, ID, 0, ISS, 0, &err),
	             0);
	pyverify_policy_set_now(policy, NOW);
	cr_assert_eq(pyverify_policy_set_min_verified_times(policy, 2, &err), 0);
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
	fx_free(&f);
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
		    pyverify_verify(sh->root, sh->bad, &sh->artifact, sh->policy,
		                    &res, &err) != PYVERIFY_EREJECT ||
		    err.step != PYVERIFY_STEP_SET)
			__atomic_add_fetch(&sh->failures, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

Test(verify, one_loaded_root_bundle_and_policy_serve_many_threads)
{
	struct fx f;
	struct shared sh = { 0 };
	pyverify_trust_root *root = NULL;
	pyverify_bundle *good = NULL, *bad = NULL;
	pyverify_policy *policy = NULL;
	pyverify_error err;
	pthread_t th[6];
	char *rt, *gt, *bt;
	size_t i;

	fx_init(&f, NULL, NULL);
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
	fx_free(&f);
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
	    vr_at(bundle, "verificationMaterial.x509CertificateChain.certificates"),
	    json_pack("{s:s}", "rawBytes", b64));
	OPENSSL_free(der);
	free(b64);
}

Test(verify, a_bundle_chain_may_repeat_the_trusted_intermediate)
{
	struct fx f;
	struct vs_sign_opts so = { 0 };
	pyverify_result res;

	so.bundle_minor = 1;
	fx_init(&f, NULL, &so);
	append_chain_cert(f.bundle, vs_intermediate(f.vs));
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	fx_free(&f);
}

Test(verify, a_bundle_chain_with_a_foreign_intermediate_is_rejected)
{
	struct fx f, other;
	struct vs_sign_opts so = { 0 };

	so.bundle_minor = 2;
	fx_init(&f, NULL, &so);
	fx_init(&other, NULL, NULL);
	/* Another CA's intermediate: never used for the path, but a bundle
	 * that carries it does not agree with the trusted root. */
	append_chain_cert(f.bundle, vs_intermediate(other.vs));
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	fx_free(&other);
	fx_free(&f);
}

Test(verify, a_bundle_chain_out_of_order_is_rejected)
{
	struct fx f;
	struct vs_sign_opts so = { 0 };

	so.bundle_minor = 1;
	fx_init(&f, NULL, &so);
	/* The leaf twice: not the leaf's issuer. */
	append_chain_cert(f.bundle, f.leaf->cert);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	fx_free(&f);
}

/* Without an inclusion promise an entry's integratedTime is only a claim:
 * the log key's validFor must then hold at the signing times that are
 * verified (the timestamps), as for Rekor v2, not at the claim. */
Test(verify, an_unpromised_entry_needs_its_log_key_valid_at_the_timestamp)
{
	struct fx f;
	struct vs_sign_opts so = { 0 };
	struct vtsa *t;
	char buf[32];
	pyverify_result res;
	pyverify_error err = { 0 };

	so.no_promise = 1;
	fx_init(&f, NULL, &so);
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
	fx_free(&f);
}

/* The messages a release engineer reads: a Rekor v1 bundle without a
 * signed time is not told about Rekor v2, and a log window names its end. */
Test(verify, a_missing_signed_time_is_explained_for_the_log_kind_at_hand)
{
	struct fx f;
	struct vs_sign_opts so = { 0 };
	pyverify_result res;
	pyverify_error err = { 0 };

	so.no_promise = 1;
	fx_init(&f, NULL, &so);
	cr_assert_eq(vr_run(f.root, f.bundle, NULL, &res, &err),
	             PYVERIFY_EREJECT);
	cr_assert_eq(err.step, PYVERIFY_STEP_TIMESTAMP, "%s", err.msg);
	cr_assert(strstr(err.msg, "Rekor v2") == NULL, "%s", err.msg);
	cr_assert(strstr(err.msg, "inclusion promise") != NULL, "%s",
	          err.msg);
	fx_free(&f);
}

Test(verify, a_log_window_message_names_both_ends)
{
	struct fx f;
	struct vs_sign_opts so = { 0 };
	char buf[32], end[32];
	pyverify_result res;
	pyverify_error err = { 0 };

	/* No promise, so the window check is the orchestrator's own. */
	so.no_promise = 1;
	fx_init(&f, NULL, &so);
	vtsa_free(add_timestamp(&f, VS_EPOCH + 30, 1));
	json_object_set_new(vr_at(f.root, "tlogs.0.publicKey.validFor"), "end",
	                    json_string(vr_rfc3339(VS_EPOCH + 59, end)));
	cr_assert_eq(vr_run(f.root, f.bundle, NULL, &res, &err),
	             PYVERIFY_EREJECT);
	cr_assert_eq(err.step, PYVERIFY_STEP_TLOG, "%s", err.msg);
	cr_assert(strstr(err.msg, vr_rfc3339(VS_EPOCH + 60, buf)) != NULL,
	          "%s", err.msg);
	cr_assert(strstr(err.msg, end) != NULL, "%s", err.msg);
	fx_free(&f);
}

/* Issue 3: a Rekor v2 entry has no integrated time to trust, so a verified
 * RFC 3161 timestamp is required with it, even when another (Rekor v1)
 * entry of the same bundle brings a promised log time. */
Test(verify, a_rekor_v2_entry_requires_a_timestamp_beside_a_promised_v1_entry)
{
	struct fx f;
	struct vs_sign_opts so = { 0 };
	struct pv_bytes sig = { 0 };
	const char *sig_b64;
	json_t *v2, *entries;
	struct vtsa *t;
	pyverify_result res;
	pyverify_error err = { 0 };

	fx_init(&f, NULL, NULL);
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
	fx_free(&f);
}
