/*
 * test_verify.c - pyverify_verify end to end on bundles minted by the
 * virtual Sigstore (tests/support/vsigstore.h): one accepted bundle per
 * form, and for each defect the exact step that must reject it (signing
 * times, bundle chains and threads are in test_verify_times.c).
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

#define ENTRY "verificationMaterial.tlogEntries.0"

Test(verify, accepts_a_v03_bundle_and_reports_who_and_when)
{
	struct vr_fx f;
	pyverify_result res;

	vr_fx_init(&f, NULL, NULL);
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
	vr_fx_free(&f);
}

Test(verify, accepts_v01_v02_and_the_new_v03_media_type)
{
	int minor;
	pyverify_result res;

	for (minor = 1; minor <= 4; minor++) {
		struct vr_fx f;
		struct vs_sign_opts so = { 0 };
		so.bundle_minor = minor == 4 ? 3 : minor;
		so.alt_media_type = minor == 4;
		vr_fx_init(&f, NULL, &so);
		vr_expect_ok(f.root, f.bundle, NULL, &res);
		cr_assert_eq(res.bundle_minor_version, so.bundle_minor);
		vr_fx_free(&f);
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
		struct vr_fx f;
		struct vs_leaf_opts lo = { 0 };
		struct vr_opts ro = { 0 };
		pyverify_result res;
		lo.identity = cases[i].id;
		lo.san_type = cases[i].san;
		lo.issuer_ext = cases[i].iss;
		ro.identity = cases[i].id;
		vr_fx_init(&f, &lo, NULL);
		vr_expect_ok(f.root, f.bundle, &ro, &res);
		cr_assert_str_eq(res.identity, cases[i].id);
		cr_assert_str_eq(res.issuer, ISS);
		vr_fx_free(&f);
	}
}

Test(verify, rejects_another_identity_and_another_issuer)
{
	struct vr_fx f;
	struct vr_opts ro = { 0 };

	vr_fx_init(&f, NULL, NULL);
	ro.identity = "Dev@example.org"; /* case-sensitive */
	vr_expect_step(f.root, f.bundle, &ro, PYVERIFY_STEP_IDENTITY);
	ro.identity = NULL;
	ro.issuer = "https://issuer.example/";
	vr_expect_step(f.root, f.bundle, &ro, PYVERIFY_STEP_ISSUER);
	vr_fx_free(&f);
}

Test(verify, regexp_identities_match_the_whole_value_only)
{
	struct vr_fx f;
	struct vr_opts ro = { 0 };
	pyverify_result res;

	vr_fx_init(&f, NULL, NULL);
	ro.identity_mode = PYVERIFY_MATCH_REGEX;
	ro.identity = "dev@example";      /* a prefix is not a match */
	vr_expect_step(f.root, f.bundle, &ro, PYVERIFY_STEP_IDENTITY);
	ro.identity = "example\\.org";    /* nor a suffix */
	vr_expect_step(f.root, f.bundle, &ro, PYVERIFY_STEP_IDENTITY);
	ro.identity = "[a-z]+@example\\.org";
	vr_expect_ok(f.root, f.bundle, &ro, &res);
	cr_assert_str_eq(res.identity, ID);
	vr_fx_free(&f);
}

Test(verify, rejects_another_artifact_by_file_or_digest)
{
	struct vr_fx f;
	struct vr_opts ro = { 0 };

	vr_fx_init(&f, NULL, NULL);
	ro.artifact = "hello\r\n";
	ro.len = 7;
	vr_expect_step(f.root, f.bundle, &ro, PYVERIFY_STEP_TLOG_BODY);
	vr_fx_free(&f);
}

Test(verify, rejects_a_message_digest_for_another_artifact)
{
	struct vr_fx f;

	vr_fx_init(&f, NULL, NULL);
	vr_flip_b64(f.bundle, "messageSignature.messageDigest.digest", 3);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_ARTIFACT);
	vr_fx_free(&f);
}

Test(verify, rejects_a_signature_by_another_key)
{
	struct vr_fx f;
	struct vs_sign_opts so = { 0 };
	EVP_PKEY *other = EVP_EC_gen("P-256");

	so.signing_key = other;
	vr_fx_init(&f, NULL, &so);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_SIGNATURE);
	vr_fx_free(&f);
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
		struct vr_fx f;
		vr_fx_init(&f, &variants[i], NULL);
		vr_expect_step(f.root, f.bundle, NULL,
		            PYVERIFY_STEP_CERTIFICATE_CHAIN);
		vr_fx_free(&f);
	}
}

Test(verify, rejects_a_log_time_outside_the_leaf_validity)
{
	struct vr_fx f;
	struct vs_sign_opts so = { 0 };

	so.integrated_time = VS_EPOCH + 601; /* leaf lives 600 s */
	vr_fx_init(&f, NULL, &so);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	vr_fx_free(&f);
}

Test(verify, accepts_a_log_time_on_the_last_second_of_the_leaf)
{
	struct vr_fx f;
	struct vs_sign_opts so = { 0 };
	pyverify_result res;

	so.integrated_time = VS_EPOCH + 600;
	vr_fx_init(&f, NULL, &so);
	vr_expect_ok(f.root, f.bundle, NULL, &res);
	vr_fx_free(&f);
}

Test(verify, rejects_an_integrated_time_in_the_future)
{
	struct vr_fx f;
	struct vr_opts ro = { 0 };

	vr_fx_init(&f, NULL, NULL);
	ro.now = VS_EPOCH + 59;
	vr_expect_step(f.root, f.bundle, &ro, PYVERIFY_STEP_TLOG);
	vr_fx_free(&f);
}

Test(verify, rejects_sct_defects)
{
	struct vs_leaf_opts variants[3] = { { 0 } };
	size_t i;

	variants[0].no_sct = 1;
	variants[1].sct_unknown_log = 1;
	variants[2].sct_bad_signature = 1;
	for (i = 0; i < 3; i++) {
		struct vr_fx f;
		vr_fx_init(&f, &variants[i], NULL);
		vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_SCT);
		vr_fx_free(&f);
	}
}

Test(verify, rejects_an_sct_outside_its_ct_log_window)
{
	struct vr_fx f;
	char buf[32];

	vr_fx_init(&f, NULL, NULL);
	json_object_set_new(vr_at(f.root, "ctlogs.0.publicKey.validFor"),
	                    "start",
	                    json_string(vr_rfc3339(VS_EPOCH + 1, buf)));
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_SCT);
	vr_fx_free(&f);
}

Test(verify, rejects_a_signing_time_outside_the_ca_window)
{
	struct vr_fx f;
	char buf[32];

	vr_fx_init(&f, NULL, NULL);
	json_object_set_new(vr_at(f.root, "certificateAuthorities.0.validFor"),
	                    "end", json_string(vr_rfc3339(VS_EPOCH + 59, buf)));
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	vr_fx_free(&f);
}

Test(verify, rejects_a_log_the_trusted_root_does_not_know)
{
	struct vr_fx f;
	pyverify_result res;
	pyverify_error err = { 0 };

	vr_fx_init(&f, NULL, NULL);
	json_array_remove(vr_at(f.root, "tlogs"), 0); /* keep only Rekor v2 */
	cr_assert_neq(vr_run(f.root, f.bundle, NULL, &res, &err), 0);
	cr_assert_eq(err.step, PYVERIFY_STEP_TLOG, "[%s] %s",
	             pyverify_step_code(err.step), err.msg);
	cr_assert(strstr(err.msg, "out of date") != NULL, "%s", err.msg);
	cr_assert(strstr(err.msg, "test root") != NULL, "%s", err.msg);
	vr_fx_free(&f);
}

Test(verify, rejects_a_log_key_not_valid_at_the_integrated_time)
{
	struct vr_fx f;
	char buf[32];
	pyverify_result res;
	pyverify_error err = { 0 };

	vr_fx_init(&f, NULL, NULL);
	json_object_set_new(vr_at(f.root, "tlogs.0.publicKey.validFor"), "end",
	                    json_string(vr_rfc3339(VS_EPOCH + 59, buf)));
	cr_assert_neq(vr_run(f.root, f.bundle, NULL, &res, &err), 0);
	/* The SET step owns the log key's window for promised entries. */
	cr_assert_eq(err.step, PYVERIFY_STEP_SET, "[%s] %s",
	             pyverify_step_code(err.step), err.msg);
	vr_fx_free(&f);
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
		struct vr_fx f;
		vr_fx_init(&f, NULL, &so[i]);
		vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_TLOG_BODY);
		vr_fx_free(&f);
	}
}

Test(verify, rejects_a_log_body_naming_another_certificate)
{
	struct vr_fx f;
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
	vr_fx_free(&f);
}

Test(verify, rejects_an_altered_signed_entry_timestamp)
{
	struct vr_fx f;

	vr_fx_init(&f, NULL, NULL);
	vr_flip_b64(f.bundle, ENTRY ".inclusionPromise.signedEntryTimestamp",
	            20);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_SET);
	vr_fx_free(&f);
}

Test(verify, rejects_an_altered_log_index_through_the_set)
{
	struct vr_fx f;

	vr_fx_init(&f, NULL, NULL);
	json_object_set_new(vr_at(f.bundle, ENTRY), "logIndex",
	                    json_string("7"));
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_SET);
	vr_fx_free(&f);
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
		struct vr_fx f;
		vr_fx_init(&f, NULL, NULL);
		vr_flip_b64(f.bundle, paths[i], 5);
		vr_expect_step(f.root, f.bundle, NULL,
		            PYVERIFY_STEP_INCLUSION_PROOF);
		vr_fx_free(&f);
	}
}

Test(verify, rejects_a_proof_for_another_index)
{
	struct vr_fx f;

	vr_fx_init(&f, NULL, NULL); /* entry 3 of 7 */
	json_object_set_new(vr_at(f.bundle, ENTRY ".inclusionProof"),
	                    "logIndex",
	                    json_string("2"));
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_INCLUSION_PROOF);
	vr_fx_free(&f);
}

Test(verify, rejects_a_proof_tree_size_the_checkpoint_does_not_commit_to)
{
	struct vr_fx f;

	/* Leaf 3's audit path is the same in trees of 7 and 8 leaves, so the
	 * proof alone cannot tell; the signed checkpoint's size must. */
	vr_fx_init(&f, NULL, NULL);
	json_object_set_new(vr_at(f.bundle, ENTRY ".inclusionProof"),
	                    "treeSize",
	                    json_string("8"));
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CHECKPOINT);
	vr_fx_free(&f);
}

Test(verify, rejects_an_altered_checkpoint_signature)
{
	struct vr_fx f;
	json_t *env;
	char *v;
	size_t n;

	vr_fx_init(&f, NULL, NULL);
	env = vr_at(f.bundle, ENTRY ".inclusionProof.checkpoint.envelope");
	v = strdup(json_string_value(env));
	n = strlen(v);
	/* The last base64 characters before "=\n" or "\n" are signature. */
	v[n - 6] = v[n - 6] == 'A' ? 'B' : 'A';
	json_string_set(env, v);
	free(v);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CHECKPOINT);
	vr_fx_free(&f);
}

Test(verify, rejects_a_valid_checkpoint_for_another_tree)
{
	struct vr_fx f;
	uint8_t root[32];
	char *cp;

	vr_fx_init(&f, NULL, NULL);
	memset(root, 0x42, sizeof(root));
	cp = vs_checkpoint_v1(f.vs, "rekor.test - 1234567890", 7, root,
	                      "rekor.test");
	cr_assert_not_null(cp);
	json_string_set(vr_at(f.bundle,
	                      ENTRY ".inclusionProof.checkpoint.envelope"),
	                cp);
	free(cp);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_CHECKPOINT);
	vr_fx_free(&f);
}

Test(verify, rejects_a_v03_bundle_without_a_signed_time)
{
	struct vr_fx f;
	struct vs_sign_opts so = { 0 };

	so.no_promise = 1;
	vr_fx_init(&f, NULL, &so);
	vr_expect_step(f.root, f.bundle, NULL, PYVERIFY_STEP_TIMESTAMP);
	vr_fx_free(&f);
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
		struct vr_fx f;
		vr_fx_init(&f, NULL, &so[i]);
		vr_expect_step(f.root, f.bundle, NULL,
		            PYVERIFY_STEP_BUNDLE_FORMAT);
		vr_fx_free(&f);
	}
}

Test(verify, a_key_policy_rejects_a_certificate_bundle)
{
	struct vr_fx f;
	struct vr_opts ro = { 0 };

	vr_fx_init(&f, NULL, NULL);
	ro.key_pem = "-----BEGIN PUBLIC KEY-----\n"
	             "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9f"
	             "AFwr\nkBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+"
	             "RYtw==\n-----END PUBLIC KEY-----\n";
	vr_expect_step(f.root, f.bundle, &ro, PYVERIFY_STEP_KEY);
	vr_fx_free(&f);
}
