/* test_sct.c - embedded signed certificate timestamps (lib/verify/sct.c). */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <openssl/x509v3.h>

#include "vsigstore.h"
#include "verify/steps.h"
#include "testdata.h"

#define MS(s) ((int64_t)(s) * 1000)

static struct cm_pki pki;
static pyverify_trust_root *root;

/* The standard PKI and a root whose one CT log is pki.ct_key. */
static void
setup(void)
{
	X509 *chain[2];
	json_t *j;

	cr_assert_eq(cm_pki_init(&pki), 0);
	chain[0] = pki.inter;
	chain[1] = pki.root;
	j = cm_root_json();
	cr_assert_not_null(j);
	cr_assert_eq(cm_root_add_ca(j, chain, 2, 0, CM_NO_END, NULL), 0);
	cr_assert_eq(cm_root_add_ctlog(j, pki.ct_key, MS(CM_EPOCH - CM_YEAR),
	                               CM_NO_END, "https://ctfe.test/2023"),
	             0);
	root = cm_root_load(j, "ct-root.json");
	json_decref(j);
	cr_assert_not_null(root);
}

static void
teardown(void)
{
	pyverify_trust_root_free(root);
	root = NULL;
	cm_pki_free(&pki);
}

TestSuite(sct, .init = setup, .fini = teardown);

/* A leaf with the given SCTs (n of them). */
static X509 *
leaf_with_scts(const struct cm_sct *s, size_t n)
{
	struct cm_leaf_opts o = { .uri = "https://example.org/wf.yml",
	                          .issuer_v8 = "https://issuer.example" };
	X509 *x;
	size_t i;

	for (i = 0; i < n; i++)
		o.scts[i] = s[i];
	o.n_scts = n;
	x = cm_leaf(&o, pki.leaf_key, pki.inter, pki.int_key);
	cr_assert_not_null(x);
	return x;
}

static void
expect_reject(X509 *leaf, X509 *issuer, int code, const char *needle)
{
	pyverify_error err = { 0 };

	cr_assert_eq(pv_sct_verify(root, leaf, issuer, &err), code, "%s",
	             err.msg);
	cr_assert_eq(err.step, PYVERIFY_STEP_SCT);
	if (needle != NULL)
		cr_assert_not_null(strstr(err.msg, needle), "%s", err.msg);
}

Test(sct, sct_from_a_trusted_log_verifies)
{
	pyverify_error err = { 0 };
	struct cm_sct s = { .key = pki.ct_key };
	X509 *leaf = leaf_with_scts(&s, 1);

	cr_assert_eq(pv_sct_verify(root, leaf, pki.inter, &err), 0, "%s",
	             err.msg);
	X509_free(leaf);
}

Test(sct, sct_with_extensions_verifies)
{
	pyverify_error err = { 0 };
	/* static-CT logs put a leaf_index extension here */
	static const uint8_t ext[] = { 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
	                               0x00, 0x2a };
	struct cm_sct s = { .key = pki.ct_key, .ext = ext,
	                    .ext_len = sizeof(ext) };
	X509 *leaf = leaf_with_scts(&s, 1);

	cr_assert_eq(pv_sct_verify(root, leaf, pki.inter, &err), 0, "%s",
	             err.msg);
	X509_free(leaf);
}

Test(sct, tampered_sct_is_rejected)
{
	struct cm_sct s = { .key = pki.ct_key, .corrupt = 1 };
	X509 *leaf = leaf_with_scts(&s, 1);

	expect_reject(leaf, pki.inter, PYVERIFY_EREJECT, "invalid signature");
	X509_free(leaf);
}

Test(sct, sct_checked_against_another_issuer_key_is_rejected)
{
	struct cm_sct s = { .key = pki.ct_key };
	X509 *leaf = leaf_with_scts(&s, 1);

	/* The issuer key hash is part of the signed data. */
	expect_reject(leaf, pki.root, PYVERIFY_EREJECT, "invalid signature");
	X509_free(leaf);
}

Test(sct, bad_sct_from_a_known_log_rejects_even_next_to_a_good_one)
{
	struct cm_sct s[2] = { { .key = pki.ct_key },
	                       { .key = pki.ct_key, .corrupt = 1 } };
	X509 *leaf = leaf_with_scts(s, 2);

	expect_reject(leaf, pki.inter, PYVERIFY_EREJECT, "SCT 1");
	X509_free(leaf);
}

Test(sct, sct_from_an_unknown_log_says_root_may_be_out_of_date)
{
	EVP_PKEY *other = cm_key_p256();
	struct cm_sct s = { .key = other };
	X509 *leaf = leaf_with_scts(&s, 1);

	expect_reject(leaf, pki.inter, PYVERIFY_EREJECT, "out of date");
	expect_reject(leaf, pki.inter, PYVERIFY_EREJECT, "ct-root.json");
	X509_free(leaf);
	EVP_PKEY_free(other);
}

Test(sct, unknown_logs_are_skipped_when_a_trusted_one_verifies)
{
	pyverify_error err = { 0 };
	EVP_PKEY *other = cm_key_p256();
	struct cm_sct s[2] = { { .key = other }, { .key = pki.ct_key } };
	X509 *leaf = leaf_with_scts(s, 2);

	cr_assert_eq(pv_sct_verify(root, leaf, pki.inter, &err), 0, "%s",
	             err.msg);
	X509_free(leaf);
	EVP_PKEY_free(other);
}

Test(sct, sct_outside_the_ct_log_key_window_is_rejected)
{
	struct cm_sct s = { .key = pki.ct_key };
	X509 *leaf = leaf_with_scts(&s, 1);

	root->ctlogs[0].valid.start_ms = MS(CM_EPOCH) + 1;
	expect_reject(leaf, pki.inter, PYVERIFY_EREJECT, "outside");
	root->ctlogs[0].valid.start_ms = 0;
	root->ctlogs[0].valid.has_end = 1;
	root->ctlogs[0].valid.end_ms = MS(CM_EPOCH) - 1;
	expect_reject(leaf, pki.inter, PYVERIFY_EREJECT, "ctfe.test/2023");
	X509_free(leaf);
}

Test(sct, ct_log_window_is_inclusive)
{
	pyverify_error err = { 0 };
	struct cm_sct s = { .key = pki.ct_key };
	X509 *leaf = leaf_with_scts(&s, 1);

	root->ctlogs[0].valid.start_ms = MS(CM_EPOCH);
	root->ctlogs[0].valid.has_end = 1;
	root->ctlogs[0].valid.end_ms = MS(CM_EPOCH);
	cr_assert_eq(pv_sct_verify(root, leaf, pki.inter, &err), 0, "%s",
	             err.msg);
	X509_free(leaf);
}

Test(sct, certificate_without_sct_is_rejected)
{
	X509 *leaf = leaf_with_scts(NULL, 0);

	expect_reject(leaf, pki.inter, PYVERIFY_EREJECT, "no embedded SCT");
	X509_free(leaf);
}

Test(sct, sct_with_an_unsupported_hash_is_rejected)
{
	struct cm_sct s = { .key = pki.ct_key, .hash_alg = 5 };
	X509 *leaf = leaf_with_scts(&s, 1);

	expect_reject(leaf, pki.inter, PYVERIFY_EREJECT, "SHA-256");
	X509_free(leaf);
}

Test(sct, only_unsupported_sct_versions_are_rejected)
{
	struct cm_sct s = { .key = pki.ct_key, .version = 1 };
	X509 *leaf = leaf_with_scts(&s, 1);

	/* A v2 SCT is opaque to us; the list is still well formed. */
	expect_reject(leaf, pki.inter, PYVERIFY_EREJECT, "version");
	X509_free(leaf);
}

Test(sct, issuer_that_is_not_a_ca_is_rejected)
{
	struct cm_sct s = { .key = pki.ct_key };
	X509 *leaf = leaf_with_scts(&s, 1);

	expect_reject(leaf, leaf, PYVERIFY_EREJECT, "not a CA");
	X509_free(leaf);
}

static X509 *
leaf_with_raw_list(const uint8_t *list, size_t len)
{
	struct cm_leaf_opts o = { .email = "a@b.c", .raw_sct_list = list,
	                          .raw_sct_list_len = len };
	X509 *x = cm_leaf(&o, pki.leaf_key, pki.inter, pki.int_key);

	cr_assert_not_null(x);
	return x;
}

Test(sct, malformed_sct_lists_are_parse_errors)
{
	static const uint8_t empty[] = { 0x00, 0x00 };
	static const uint8_t short_len[] = { 0x00, 0x05, 0x00, 0x03, 0x00 };
	static const uint8_t trailing[] = { 0x00, 0x00, 0x00 };
	static const uint8_t zero_sct[] = { 0x00, 0x02, 0x00, 0x00 };
	/* v1 SCT truncated inside the log id */
	static const uint8_t trunc[] = { 0x00, 0x04, 0x00, 0x02, 0x00, 0x01 };
	const struct {
		const uint8_t *p;
		size_t n;
	} cases[] = { { empty, sizeof(empty) },
		      { short_len, sizeof(short_len) },
		      { trailing, sizeof(trailing) },
		      { zero_sct, sizeof(zero_sct) },
		      { trunc, sizeof(trunc) } };
	size_t i;
	X509 *leaf;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		leaf = leaf_with_raw_list(cases[i].p, cases[i].n);
		expect_reject(leaf, pki.inter, PYVERIFY_EPARSE, "malformed");
		X509_free(leaf);
	}
}

Test(sct, sct_with_trailing_bytes_inside_is_a_parse_error)
{
	struct cm_sct s = { .key = pki.ct_key };
	X509 *good = leaf_with_scts(&s, 1), *bad;
	ASN1_OCTET_STRING *inner = NULL;
	const ASN1_OCTET_STRING *ext;
	const unsigned char *p;
	uint8_t *list;
	size_t n;

	/* Take the good list and add one byte inside the only SCT. */
	ext = X509_EXTENSION_get_data(X509_get_ext(
	    good, X509_get_ext_by_NID(good, NID_ct_precert_scts, -1)));
	p = ASN1_STRING_get0_data(ext);
	inner = d2i_ASN1_OCTET_STRING(NULL, &p, ASN1_STRING_length(ext));
	cr_assert_not_null(inner);
	n = (size_t)ASN1_STRING_length(inner);
	list = malloc(n + 1);
	cr_assert_not_null(list);
	memcpy(list, ASN1_STRING_get0_data(inner), n);
	list[n] = 0;
	list[1]++; /* list length */
	list[3]++; /* SCT length */
	bad = leaf_with_raw_list(list, n + 1);
	expect_reject(bad, pki.inter, PYVERIFY_EPARSE, "malformed");
	X509_free(bad);
	free(list);
	ASN1_OCTET_STRING_free(inner);
	X509_free(good);
}

/* ---- real data ---------------------------------------------------------- */

/* The CA certificate of root whose subject is the leaf's issuer. */
static X509 *
issuer_in_root(const pyverify_trust_root *r, X509 *leaf)
{
	X509 *const *certs;
	size_t i, j;

	for (i = 0; i < r->n_cas; i++) {
		certs = pv_ca_certs(&r->cas[i], NULL);
		cr_assert_not_null(certs);
		for (j = 0; j < r->cas[i].n_certs; j++)
			if (X509_check_issued(certs[j], leaf) == X509_V_OK)
				return certs[j];
	}
	return NULL;
}

Test(sct, conformance_happy_path_sct_verifies_with_production_ct_log)
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
	    td_path("conformance/cases/happy-path-v0.3/bundle.sigstore.json"),
	    &it);
	cr_assert_not_null(leaf);
	cr_assert_eq(pv_chain_verify(prod, leaf, MS(it), &issuer, &err), 0,
	             "%s", err.msg);
	/* Appendix A: one SCT, ctfe.sigstore.dev/2022, 1710869186470 ms. */
	cr_assert_eq(pv_sct_verify(prod, leaf, issuer, &err), 0, "%s",
	             err.msg);
	X509_free(issuer);
	X509_free(leaf);
	pyverify_trust_root_free(prod);
}

Test(sct, invalid_ct_key_case_fails_the_sct_step)
{
	pyverify_error err = { 0 };
	pyverify_trust_root *r;
	X509 *leaf, *issuer;

	if (td_dir() == NULL)
		cr_skip_test("../shared/testdata not present");
	r = cm_root_from_json(td_path(
	    "conformance/cases/invalid-ct-key_fail/trusted_root.json"));
	cr_assert_not_null(r);
	leaf = cm_bundle_leaf(td_path("conformance/cases/invalid-ct-key_fail/"
	                              "bundle.sigstore.json"), NULL);
	cr_assert_not_null(leaf);
	issuer = issuer_in_root(r, leaf);
	cr_assert_not_null(issuer);
	cr_assert_eq(pv_sct_verify(r, leaf, issuer, &err), PYVERIFY_EREJECT,
	             "%s", err.msg);
	cr_assert_eq(err.step, PYVERIFY_STEP_SCT);
	cr_assert_not_null(strstr(err.msg, "out of date"), "%s", err.msg);
	X509_free(leaf);
	pyverify_trust_root_free(r);
}

Test(sct, conformance_sct_with_extensions_verifies)
{
	pyverify_error err = { 0 };
	pyverify_trust_root *r;
	X509 *leaf, *issuer;

	if (td_dir() == NULL)
		cr_skip_test("../shared/testdata not present");
	r = cm_root_from_json(td_path("conformance/cases/"
	                              "bundle-with-sct-with-extensions/"
	                              "trusted_root.json"));
	cr_assert_not_null(r);
	leaf = cm_bundle_leaf(td_path("conformance/cases/"
	                              "bundle-with-sct-with-extensions/"
	                              "bundle.sigstore.json"), NULL);
	cr_assert_not_null(leaf);
	issuer = issuer_in_root(r, leaf);
	cr_assert_not_null(issuer);
	cr_assert_eq(pv_sct_verify(r, leaf, issuer, &err), 0, "%s", err.msg);
	X509_free(leaf);
	pyverify_trust_root_free(r);
}
