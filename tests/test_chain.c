/* test_chain.c - Fulcio certificate path, leaf profile, validity times and
 * the bundle-chain check (lib/verify/chain.c). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "vsigstore.h"
#include "verify/steps.h"
#include "testdata.h"

#define MS(s) ((int64_t)(s) * 1000)

static struct cm_pki pki;
static json_t *root_json;
static pyverify_trust_root *root;

/* (Re)loads `root` from root_json, as the trusted-root loader sees it. */
static void
reload(void)
{
	pyverify_trust_root_free(root);
	root = cm_root_load(root_json, "test-root.json");
	cr_assert_not_null(root);
}

/* The standard PKI and a root trusting [intermediate, root]. */
static void
setup(void)
{
	X509 *chain[2];

	cr_assert_eq(cm_pki_init(&pki), 0);
	chain[0] = pki.inter;
	chain[1] = pki.root;
	root_json = cm_root_json();
	cr_assert_not_null(root_json);
	cr_assert_eq(cm_root_add_ca(root_json, chain, 2,
	                            MS(CM_EPOCH - CM_YEAR), CM_NO_END, NULL),
	             0);
	reload();
}

static void
teardown(void)
{
	pyverify_trust_root_free(root);
	root = NULL;
	json_decref(root_json);
	root_json = NULL;
	cm_pki_free(&pki);
}

/* A root of its own with one CA: `chain` (n certificates), valid from
 * `start_ms`, open-ended, at `uri` (NULL = the default). */
static pyverify_trust_root *
root_of(const char *source, X509 *const *chain, size_t n, int64_t start_ms,
        const char *uri)
{
	json_t *j = cm_root_json();
	pyverify_trust_root *r;

	cr_assert_not_null(j);
	cr_assert_eq(cm_root_add_ca(j, chain, n, start_ms, CM_NO_END, uri), 0);
	r = cm_root_load(j, source);
	json_decref(j);
	cr_assert_not_null(r);
	return r;
}

static X509 *
leaf_with(const struct cm_leaf_opts *o)
{
	struct cm_leaf_opts d = { .email = "dev@example.org",
	                          .issuer_v8 = "https://issuer.example" };
	X509 *x = cm_leaf(o != NULL ? o : &d, pki.leaf_key, pki.inter,
	                  pki.int_key);

	cr_assert_not_null(x);
	return x;
}

static int
verify_at(X509 *leaf, int64_t t_ms, pyverify_error *err)
{
	X509 *issuer = NULL;
	int rc = pv_chain_verify(root, leaf, t_ms, &issuer, err);

	if (rc == 0) {
		cr_assert_not_null(issuer);
		X509_free(issuer);
	}
	return rc;
}

TestSuite(chain, .init = setup, .fini = teardown);

Test(chain, leaf_chains_to_the_trusted_ca_at_its_signing_time)
{
	pyverify_error err = { 0 };
	X509 *leaf = leaf_with(NULL), *issuer = NULL;

	cr_assert_eq(pv_chain_verify(root, leaf, MS(CM_EPOCH + 60), &issuer,
	                             &err), 0, "%s", err.msg);
	cr_assert_not_null(issuer);
	cr_assert_eq(X509_cmp(issuer, pki.inter), 0,
	             "issuer_out must be the certificate that signed the leaf");
	X509_free(issuer);
	X509_free(leaf);
}

Test(chain, leaf_validity_is_inclusive_at_both_ends)
{
	pyverify_error err = { 0 };
	X509 *leaf = leaf_with(NULL);

	cr_assert_eq(verify_at(leaf, MS(CM_EPOCH), &err), 0, "%s", err.msg);
	cr_assert_eq(verify_at(leaf, MS(CM_EPOCH + 600), &err), 0, "%s",
	             err.msg);
	cr_assert_eq(pv_cert_check_time(leaf, MS(CM_EPOCH), "t", &err), 0);
	cr_assert_eq(pv_cert_check_time(leaf, MS(CM_EPOCH + 600), "t", &err),
	             0);
	X509_free(leaf);
}

Test(chain, time_after_leaf_expiry_is_rejected)
{
	pyverify_error err = { 0 };
	X509 *leaf = leaf_with(NULL);

	cr_assert_eq(verify_at(leaf, MS(CM_EPOCH + 601), &err),
	             PYVERIFY_EREJECT);
	cr_assert_eq(err.step, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	cr_assert_not_null(strstr(err.msg, "expired"), "%s", err.msg);
	cr_assert_not_null(strstr(err.msg, "signing certificate"), "%s",
	                   err.msg);
	X509_free(leaf);
}

Test(chain, time_before_leaf_validity_is_rejected)
{
	pyverify_error err = { 0 };
	X509 *leaf = leaf_with(NULL);

	cr_assert_eq(verify_at(leaf, MS(CM_EPOCH) - 1000, &err),
	             PYVERIFY_EREJECT);
	cr_assert_eq(err.step, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	cr_assert_not_null(strstr(err.msg, "not yet valid"), "%s", err.msg);
	X509_free(leaf);
}

Test(chain, check_time_names_the_time_and_the_window)
{
	pyverify_error err = { 0 };
	X509 *leaf = leaf_with(NULL);

	cr_assert_eq(pv_cert_check_time(leaf, MS(CM_EPOCH + 600) + 1,
	                                "log integrated time", &err),
	             PYVERIFY_EREJECT);
	cr_assert_eq(err.step, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	cr_assert_not_null(strstr(err.msg, "log integrated time"), "%s",
	                   err.msg);
	/* CM_EPOCH = 2023-11-14T22:13:20Z, lifetime 600 s. */
	cr_assert_not_null(strstr(err.msg, "2023-11-14T22:13:20Z to "
	                                   "2023-11-14T22:23:20Z"),
	                   "%s", err.msg);
	cr_assert_eq(pv_cert_check_time(leaf, MS(CM_EPOCH) - 1, "t", &err),
	             PYVERIFY_EREJECT);
	X509_free(leaf);
}

Test(chain, time_outside_every_ca_window_says_root_may_be_out_of_date)
{
	pyverify_error err = { 0 };
	X509 *leaf = leaf_with(NULL);

	cr_assert_eq(cm_root_set_ca_end(root_json, 0, MS(CM_EPOCH) - 1), 0);
	reload();
	cr_assert_eq(verify_at(leaf, MS(CM_EPOCH + 60), &err),
	             PYVERIFY_EREJECT);
	cr_assert_eq(err.step, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	cr_assert_not_null(strstr(err.msg, "out of date"), "%s", err.msg);
	cr_assert_not_null(strstr(err.msg, "test-root.json"), "%s", err.msg);
	X509_free(leaf);
}

Test(chain, ca_window_end_is_inclusive)
{
	pyverify_error err = { 0 };
	X509 *leaf = leaf_with(NULL);

	cr_assert_eq(cm_root_set_ca_end(root_json, 0, MS(CM_EPOCH + 60)), 0);
	reload();
	cr_assert_eq(verify_at(leaf, MS(CM_EPOCH + 60), &err), 0, "%s",
	             err.msg);
	X509_free(leaf);
}

Test(chain, leaf_from_an_unknown_ca_says_root_may_be_out_of_date)
{
	pyverify_error err = { 0 };
	EVP_PKEY *k = cm_key_p384();
	X509 *other = cm_ca_cert("other-intermediate", k, NULL, NULL,
	                         CM_EPOCH - CM_YEAR, CM_EPOCH + CM_YEAR,
	                         CM_EKU_NONE);
	struct cm_leaf_opts o = { .email = "dev@example.org" };
	X509 *leaf = cm_leaf(&o, pki.leaf_key, other, k);

	cr_assert_not_null(leaf);
	cr_assert_eq(verify_at(leaf, MS(CM_EPOCH + 60), &err),
	             PYVERIFY_EREJECT);
	cr_assert_eq(err.step, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	cr_assert_not_null(strstr(err.msg, "other-intermediate"), "%s",
	                   err.msg);
	cr_assert_not_null(strstr(err.msg, "out of date"), "%s", err.msg);
	X509_free(leaf);
	X509_free(other);
	EVP_PKEY_free(k);
}

Test(chain, leaf_signed_by_an_impostor_with_the_ca_name_is_rejected)
{
	pyverify_error err = { 0 };
	EVP_PKEY *k = cm_key_p384();
	/* Same subject as the trusted intermediate, different key. */
	X509 *fake = cm_ca_cert("test-intermediate", k, pki.root, k,
	                        CM_EPOCH - CM_YEAR, CM_EPOCH + CM_YEAR,
	                        CM_EKU_CODESIGN);
	struct cm_leaf_opts o = { .email = "dev@example.org" };
	X509 *leaf = cm_leaf(&o, pki.leaf_key, fake, k);

	cr_assert_not_null(leaf);
	cr_assert_eq(verify_at(leaf, MS(CM_EPOCH + 60), &err),
	             PYVERIFY_EREJECT);
	cr_assert_eq(err.step, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	cr_assert_null(strstr(err.msg, "out of date"), "%s", err.msg);
	cr_assert_not_null(strstr(err.msg, "https://fulcio.test"), "%s",
	                   err.msg);
	X509_free(leaf);
	X509_free(fake);
	EVP_PKEY_free(k);
}

Test(chain, expired_intermediate_at_signing_time_is_rejected)
{
	pyverify_error err = { 0 };
	X509 *inter = cm_ca_cert("short-intermediate", pki.int_key, pki.root,
	                         pki.root_key, CM_EPOCH - CM_YEAR,
	                         CM_EPOCH + 30, CM_EKU_CODESIGN);
	X509 *chain[2] = { inter, pki.root };
	struct cm_leaf_opts o = { .email = "dev@example.org" };
	X509 *leaf = cm_leaf(&o, pki.leaf_key, inter, pki.int_key);

	cr_assert_not_null(leaf);
	cr_assert_eq(cm_root_add_ca(root_json, chain, 2,
	                            MS(CM_EPOCH - CM_YEAR), CM_NO_END,
	                            "https://short.test"), 0);
	reload();
	cr_assert_eq(verify_at(leaf, MS(CM_EPOCH + 10), &err), 0, "%s",
	             err.msg);
	cr_assert_eq(verify_at(leaf, MS(CM_EPOCH + 60), &err),
	             PYVERIFY_EREJECT);
	cr_assert_eq(err.step, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	cr_assert_not_null(strstr(err.msg, "intermediate certificate"), "%s",
	                   err.msg);
	cr_assert_not_null(strstr(err.msg, "expired"), "%s", err.msg);
	cr_assert_not_null(strstr(err.msg, "https://short.test"), "%s",
	                   err.msg);
	X509_free(leaf);
	X509_free(inter);
}

Test(chain, a_sound_ca_entry_lets_its_intermediate_anchor_the_path)
{
	/* [intermediate, root] is validated once, on first use. */
	cr_assert_eq(pv_ca_first_is_checked_anchor(&root->cas[0]), 1);
}

Test(chain, an_intermediate_the_root_never_signed_is_never_an_anchor)
{
	pyverify_error err = { 0 };
	EVP_PKEY *k = cm_key_p384();
	/* Claims the root as issuer, but signs itself: a trusted root file
	 * that pairs it with the real root must not make it an anchor. */
	X509 *fake = cm_ca_cert("test-intermediate", k, pki.root, k,
	                        CM_EPOCH - CM_YEAR, CM_EPOCH + CM_YEAR,
	                        CM_EKU_CODESIGN);
	X509 *chain[2] = { fake, pki.root };
	struct cm_leaf_opts o = { .email = "dev@example.org" };
	X509 *leaf = cm_leaf(&o, pki.leaf_key, fake, k);
	pyverify_trust_root *r2;

	cr_assert_not_null(leaf);
	r2 = root_of("forged-root.json", chain, 2, MS(CM_EPOCH - CM_YEAR),
	             "https://forged.test");
	cr_assert_eq(pv_ca_first_is_checked_anchor(&r2->cas[0]), 0);
	{
		X509 *issuer = NULL;
		cr_assert_eq(pv_chain_verify(r2, leaf, MS(CM_EPOCH + 60),
		                             &issuer, &err), PYVERIFY_EREJECT);
		cr_assert_null(issuer);
		cr_assert_eq(err.step, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	}
	pyverify_trust_root_free(r2);
	X509_free(leaf);
	X509_free(fake);
	EVP_PKEY_free(k);
}

Test(chain, an_expired_root_above_the_anchor_rejects_at_that_time)
{
	pyverify_error err = { 0 };
	EVP_PKEY *rk = cm_key_p384();
	/* A root that expired 30 s after the epoch above a healthy
	 * intermediate: the shortcut must still see the root's window. */
	X509 *short_root = cm_ca_cert("short-root", rk, NULL, rk,
	                              CM_EPOCH - CM_YEAR, CM_EPOCH + 30,
	                              CM_EKU_NONE);
	X509 *inter = cm_ca_cert("inter-under-short-root", pki.int_key,
	                         short_root, rk, CM_EPOCH - CM_YEAR,
	                         CM_EPOCH + CM_YEAR, CM_EKU_CODESIGN);
	X509 *chain[2] = { inter, short_root };
	struct cm_leaf_opts o = { .email = "dev@example.org" };
	X509 *leaf = cm_leaf(&o, pki.leaf_key, inter, pki.int_key);
	pyverify_trust_root *r2;

	cr_assert_not_null(leaf);
	r2 = root_of("short-root.json", chain, 2, MS(CM_EPOCH - CM_YEAR),
	             "https://short-root.test");
	cr_assert_eq(pv_ca_first_is_checked_anchor(&r2->cas[0]), 1);
	{
		X509 *issuer = NULL;
		cr_assert_eq(pv_chain_verify(r2, leaf, MS(CM_EPOCH + 10),
		                             &issuer, &err), 0, "%s", err.msg);
		X509_free(issuer);
		issuer = NULL;
		cr_assert_eq(pv_chain_verify(r2, leaf, MS(CM_EPOCH + 31),
		                             &issuer, &err), PYVERIFY_EREJECT);
		cr_assert_null(issuer);
		cr_assert_not_null(strstr(err.msg, "CA anchor certificate"),
		                   "%s", err.msg);
		cr_assert_not_null(strstr(err.msg, "expired"), "%s", err.msg);
	}
	pyverify_trust_root_free(r2);
	X509_free(leaf);
	X509_free(inter);
	X509_free(short_root);
	EVP_PKEY_free(rk);
}

Test(chain, first_matching_ca_among_several_wins)
{
	pyverify_error err = { 0 };
	EVP_PKEY *k = cm_key_p384();
	X509 *other = cm_ca_cert("other-root", k, NULL, NULL,
	                         CM_EPOCH - CM_YEAR, CM_EPOCH + CM_YEAR,
	                         CM_EKU_NONE);
	pyverify_trust_root *r2;
	X509 *c1[1] = { other }, *c2[2] = { pki.inter, pki.root };
	X509 *leaf = leaf_with(NULL), *issuer = NULL;

	json_t *j = cm_root_json();

	cr_assert_eq(cm_root_add_ca(j, c1, 1, 0, CM_NO_END, NULL), 0);
	cr_assert_eq(cm_root_add_ca(j, c2, 2, 0, CM_NO_END, NULL), 0);
	r2 = cm_root_load(j, "two.json");
	json_decref(j);
	cr_assert_not_null(r2);
	cr_assert_eq(pv_chain_verify(r2, leaf, MS(CM_EPOCH + 1), &issuer,
	                             &err), 0, "%s", err.msg);
	cr_assert_eq(X509_cmp(issuer, pki.inter), 0);
	X509_free(issuer);
	X509_free(leaf);
	pyverify_trust_root_free(r2);
	X509_free(other);
	EVP_PKEY_free(k);
}

Test(chain, an_intermediate_may_be_the_trust_anchor)
{
	pyverify_error err = { 0 };
	pyverify_trust_root *r2;
	X509 *c[1] = { pki.inter };
	X509 *leaf = leaf_with(NULL), *issuer = NULL;

	r2 = root_of("anchor.json", c, 1, 0, NULL);
	cr_assert_eq(pv_chain_verify(r2, leaf, MS(CM_EPOCH + 1), &issuer,
	                             &err), 0, "%s", err.msg);
	X509_free(issuer);
	X509_free(leaf);
	pyverify_trust_root_free(r2);
}

Test(chain, a_root_without_the_intermediate_cannot_validate_the_leaf)
{
	pyverify_error err = { 0 };
	pyverify_trust_root *r2;
	X509 *c[1] = { pki.root };
	X509 *leaf = leaf_with(NULL), *issuer = NULL;

	/* Bundle certificates are never used, so the intermediate cannot
	 * come from anywhere else. */
	r2 = root_of("rootonly.json", c, 1, 0, NULL);
	cr_assert_eq(pv_chain_verify(r2, leaf, MS(CM_EPOCH + 1), &issuer,
	                             &err), PYVERIFY_EREJECT);
	cr_assert_eq(err.step, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	cr_assert_null(issuer);
	X509_free(leaf);
	pyverify_trust_root_free(r2);
}

Test(chain, intermediate_whose_eku_excludes_code_signing_is_rejected)
{
	pyverify_error err = { 0 };
	X509 *inter = cm_ca_cert("tls-intermediate", pki.int_key, pki.root,
	                         pki.root_key, CM_EPOCH - CM_YEAR,
	                         CM_EPOCH + CM_YEAR, CM_EKU_SERVER);
	X509 *chain[2] = { inter, pki.root };
	pyverify_trust_root *r2;
	struct cm_leaf_opts o = { .email = "dev@example.org" };
	X509 *leaf = cm_leaf(&o, pki.leaf_key, inter, pki.int_key), *iss = NULL;

	cr_assert_not_null(leaf);
	r2 = root_of("tls.json", chain, 2, 0, NULL);
	cr_assert_eq(pv_chain_verify(r2, leaf, MS(CM_EPOCH + 1), &iss, &err),
	             PYVERIFY_EREJECT);
	cr_assert_eq(err.step, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	cr_assert_not_null(strstr(err.msg, "codeSigning"), "%s", err.msg);
	X509_free(leaf);
	X509_free(inter);
	pyverify_trust_root_free(r2);
}

struct thread_arg {
	X509 *leaf; /* shared, read-only */
	int failures;
};

static void *
verify_many(void *p)
{
	struct thread_arg *a = p;
	X509 *leaf = a->leaf, *issuer;
	pyverify_error err;
	int i;

	for (i = 0; i < 50; i++) {
		issuer = NULL;
		if (pv_chain_verify(root, leaf, MS(CM_EPOCH + 1), &issuer,
		                    &err) != 0)
			a->failures++;
		X509_free(issuer);
		if (pv_chain_verify(root, leaf, MS(CM_EPOCH + 700), &issuer,
		                    &err) != PYVERIFY_EREJECT)
			a->failures++;
	}
	return NULL;
}

Test(chain, concurrent_verifications_share_one_root)
{
	pthread_t th[4];
	struct thread_arg args[4];
	X509 *leaf = leaf_with(NULL);
	int i;

	memset(args, 0, sizeof(args));
	for (i = 0; i < 4; i++) {
		args[i].leaf = leaf;
		cr_assert_eq(pthread_create(&th[i], NULL, verify_many,
		                            &args[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(args[i].failures, 0);
	}
	X509_free(leaf);
}

/* ---- leaf profile ------------------------------------------------------ */

Test(chain, fulcio_shaped_leaf_passes_the_profile)
{
	pyverify_error err = { 0 };
	X509 *leaf = leaf_with(NULL);

	cr_assert_eq(pv_leaf_check_profile(leaf, &err), 0, "%s", err.msg);
	X509_free(leaf);
}

static void
profile_rejects(const struct cm_leaf_opts *o, const char *needle)
{
	pyverify_error err = { 0 };
	X509 *leaf = leaf_with(o);

	cr_assert_eq(pv_leaf_check_profile(leaf, &err), PYVERIFY_EREJECT,
	             "%s", err.msg);
	cr_assert_eq(err.step, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	cr_assert_not_null(strstr(err.msg, needle), "%s", err.msg);
	X509_free(leaf);
}

Test(chain, leaf_without_code_signing_eku_fails_the_profile)
{
	struct cm_leaf_opts o = { .email = "a@b.c", .eku = CM_EKU_SERVER };
	struct cm_leaf_opts none = { .email = "a@b.c", .no_eku = 1 };

	profile_rejects(&o, "codeSigning");
	profile_rejects(&none, "codeSigning");
}

Test(chain, leaf_without_digital_signature_fails_the_profile)
{
	struct cm_leaf_opts o = { .email = "a@b.c",
	                          .ku_no_digital_signature = 1 };
	struct cm_leaf_opts none = { .email = "a@b.c", .no_ku = 1 };

	profile_rejects(&o, "digitalSignature");
	profile_rejects(&none, "digitalSignature");
}

Test(chain, ca_leaf_fails_the_profile)
{
	struct cm_leaf_opts o = { .email = "a@b.c", .ca_true = 1 };

	profile_rejects(&o, "CA");
}

Test(chain, version_1_leaf_fails_the_profile)
{
	struct cm_leaf_opts o = { .version1 = 1 };

	profile_rejects(&o, "version 3");
}

/* ---- bundle chain ------------------------------------------------------ */

static void
der_of(X509 *x, struct pv_bytes *out)
{
	unsigned char *d = NULL;
	int n = i2d_X509(x, &d);

	cr_assert_gt(n, 0);
	cr_assert_eq(pv_bytes_dup(out, d, (size_t)n), 0);
	OPENSSL_free(d);
}

Test(chain, bundle_chain_with_leaf_and_intermediate_is_accepted)
{
	pyverify_error err = { 0 };
	struct pv_bytes c[2];
	X509 *leaf = leaf_with(NULL);

	der_of(leaf, &c[0]);
	der_of(pki.inter, &c[1]);
	cr_assert_eq(pv_bundle_chain_check(c, 2, &err), 0, "%s", err.msg);
	cr_assert_eq(pv_bundle_chain_check(c, 1, &err), 0, "%s", err.msg);
	pv_bytes_clear(&c[0]);
	pv_bytes_clear(&c[1]);
	X509_free(leaf);
}

Test(chain, bundle_chain_carrying_a_root_is_rejected)
{
	pyverify_error err = { 0 };
	struct pv_bytes c[3];
	X509 *leaf = leaf_with(NULL);

	/* bundle-with-root-cert_fail: [leaf, root, intermediate]. */
	der_of(leaf, &c[0]);
	der_of(pki.root, &c[1]);
	der_of(pki.inter, &c[2]);
	cr_assert_eq(pv_bundle_chain_check(c, 3, &err), PYVERIFY_EREJECT);
	cr_assert_eq(err.step, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	cr_assert_not_null(strstr(err.msg, "root"), "%s", err.msg);
	pv_bytes_clear(&c[0]);
	pv_bytes_clear(&c[1]);
	pv_bytes_clear(&c[2]);
	X509_free(leaf);
}

Test(chain, bundle_chain_with_unparseable_certificate_is_malformed)
{
	pyverify_error err = { 0 };
	struct pv_bytes c[2];
	uint8_t junk[3] = { 0x30, 0x01, 0x00 };
	X509 *leaf = leaf_with(NULL);

	der_of(leaf, &c[0]);
	c[1].data = junk;
	c[1].len = sizeof(junk);
	cr_assert_eq(pv_bundle_chain_check(c, 2, &err), PYVERIFY_EPARSE);
	cr_assert_eq(err.step, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	cr_assert_eq(pv_bundle_chain_check(&c[1], 1, &err), PYVERIFY_EPARSE);
	cr_assert_eq(err.step, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	cr_assert_eq(pv_bundle_chain_check(c, 0, &err), PYVERIFY_EPARSE);
	/* trailing byte after the leaf */
	c[1].data = malloc(c[0].len + 1);
	cr_assert_not_null(c[1].data);
	memcpy(c[1].data, c[0].data, c[0].len);
	c[1].data[c[0].len] = 0;
	c[1].len = c[0].len + 1;
	cr_assert_eq(pv_bundle_chain_check(&c[1], 1, &err), PYVERIFY_EPARSE);
	pv_bytes_clear(&c[1]);
	pv_bytes_clear(&c[0]);
	X509_free(leaf);
}

/* ---- real data ---------------------------------------------------------- */

Test(chain, conformance_happy_path_leaf_chains_to_production_root)
{
	pyverify_error err = { 0 };
	pyverify_trust_root *prod;
	X509 *leaf, *issuer = NULL;
	int64_t it = 0;
	char cn[128];

	if (td_dir() == NULL)
		cr_skip_test("../shared/testdata not present");
	prod = cm_root_from_json(
	    td_path("sigstore/production.trusted_root.json"));
	cr_assert_not_null(prod);
	leaf = cm_bundle_leaf(
	    td_path("conformance/cases/happy-path-v0.3/bundle.sigstore.json"),
	    &it);
	cr_assert_not_null(leaf);
	cr_assert_eq(it, 1710869186);
	cr_assert_eq(pv_leaf_check_profile(leaf, &err), 0, "%s", err.msg);
	cr_assert_eq(pv_cert_check_time(leaf, MS(it), "log integrated time",
	                                &err), 0, "%s", err.msg);
	cr_assert_eq(pv_chain_verify(prod, leaf, MS(it), &issuer, &err), 0,
	             "%s", err.msg);
	cr_assert_gt(X509_NAME_get_text_by_NID(X509_get_subject_name(issuer),
	                                       NID_commonName, cn,
	                                       sizeof(cn)), 0);
	cr_assert_str_eq(cn, "sigstore-intermediate");
	X509_free(issuer);
	/* Hybrid model: not valid a day later. */
	issuer = NULL;
	cr_assert_eq(pv_chain_verify(prod, leaf, MS(it + 86400), &issuer,
	                             &err), PYVERIFY_EREJECT);
	cr_assert_eq(err.step, PYVERIFY_STEP_CERTIFICATE_CHAIN);
	cr_assert_not_null(strstr(err.msg, "expired"), "%s", err.msg);
	X509_free(leaf);
	pyverify_trust_root_free(prod);
}

Test(chain, cpython_3_11_0_leaf_chains_to_production_root)
{
	pyverify_error err = { 0 };
	pyverify_trust_root *prod;
	X509 *leaf, *issuer = NULL;
	int64_t it = 0;

	if (td_dir() == NULL)
		cr_skip_test("../shared/testdata not present");
	prod = cm_root_from_json(
	    td_path("sigstore/production.trusted_root.json"));
	cr_assert_not_null(prod);
	leaf = cm_bundle_leaf(
	    td_path("cpython/bundles/Python-3.11.0.tgz.sigstore"), &it);
	cr_assert_not_null(leaf);
	cr_assert_eq(pv_leaf_check_profile(leaf, &err), 0, "%s", err.msg);
	cr_assert_eq(pv_chain_verify(prod, leaf, MS(it), &issuer, &err), 0,
	             "%s", err.msg);
	X509_free(issuer);
	X509_free(leaf);
	pyverify_trust_root_free(prod);
}

/* SPEC 0.6 / 3.13: validity is inclusive, but only to the second: an RFC
 * 3161 genTime half a second after an intermediate's notAfter is after it,
 * even though OpenSSL, working in whole seconds, would round it down onto
 * notAfter. */
Test(chain, a_time_within_the_second_after_an_intermediates_expiry_is_rejected)
{
	pyverify_error err = { 0 };
	X509 *inter = cm_ca_cert("short-intermediate", pki.int_key, pki.root,
	                         pki.root_key, CM_EPOCH - CM_YEAR,
	                         CM_EPOCH + 30, CM_EKU_CODESIGN);
	X509 *chain[2] = { inter, pki.root };
	struct cm_leaf_opts o = { .email = "dev@example.org" };
	X509 *leaf = cm_leaf(&o, pki.leaf_key, inter, pki.int_key);
	pyverify_trust_root *r2;

	cr_assert_not_null(leaf);
	r2 = root_of("short-intermediate.json", chain, 2,
	             MS(CM_EPOCH - CM_YEAR), "https://short.test");
	cr_assert_not_null(r2);
	{
		X509 *issuer = NULL;
		cr_assert_eq(pv_chain_verify(r2, leaf, MS(CM_EPOCH + 30),
		                             &issuer, &err), 0, "%s", err.msg);
		X509_free(issuer);
		issuer = NULL;
		cr_assert_eq(pv_chain_verify(r2, leaf, MS(CM_EPOCH + 30) + 500,
		                             &issuer, &err), PYVERIFY_EREJECT);
		cr_assert_null(issuer);
		cr_assert_eq(err.step, PYVERIFY_STEP_CERTIFICATE_CHAIN);
		cr_assert_not_null(strstr(err.msg, "expired"), "%s", err.msg);
	}
	pyverify_trust_root_free(r2);
	X509_free(leaf);
	X509_free(inter);
}

/* The same for a root above the anchoring intermediate, whose window
 * pv_chain_verify checks itself. */
Test(chain, a_time_within_the_second_after_the_roots_expiry_is_rejected)
{
	pyverify_error err = { 0 };
	EVP_PKEY *rk = cm_key_p384();
	X509 *short_root = cm_ca_cert("short-root", rk, NULL, rk,
	                              CM_EPOCH - CM_YEAR, CM_EPOCH + 30,
	                              CM_EKU_NONE);
	X509 *inter = cm_ca_cert("inter-under-short-root", pki.int_key,
	                         short_root, rk, CM_EPOCH - CM_YEAR,
	                         CM_EPOCH + CM_YEAR, CM_EKU_CODESIGN);
	X509 *chain[2] = { inter, short_root };
	struct cm_leaf_opts o = { .email = "dev@example.org" };
	X509 *leaf = cm_leaf(&o, pki.leaf_key, inter, pki.int_key);
	pyverify_trust_root *r2;

	cr_assert_not_null(leaf);
	r2 = root_of("short-root.json", chain, 2, MS(CM_EPOCH - CM_YEAR),
	             "https://short-root.test");
	{
		X509 *issuer = NULL;
		cr_assert_eq(pv_chain_verify(r2, leaf, MS(CM_EPOCH + 30),
		                             &issuer, &err), 0, "%s", err.msg);
		X509_free(issuer);
		issuer = NULL;
		cr_assert_eq(pv_chain_verify(r2, leaf, MS(CM_EPOCH + 30) + 1,
		                             &issuer, &err), PYVERIFY_EREJECT);
		cr_assert_null(issuer);
		cr_assert_eq(err.step, PYVERIFY_STEP_CERTIFICATE_CHAIN);
		cr_assert_not_null(strstr(err.msg, "CA anchor certificate"),
		                   "%s", err.msg);
	}
	pyverify_trust_root_free(r2);
	X509_free(leaf);
	X509_free(inter);
	X509_free(short_root);
	EVP_PKEY_free(rk);
}
