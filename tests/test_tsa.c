/* test_tsa.c - RFC 3161 timestamp verification (lib/verify/tsa.c). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "verify/steps.h"
#include "vsigstore.h"

static const uint8_t SIG[] = "bundle signature bytes";
#define SIG_LEN (sizeof(SIG) - 1)
#define EPOCH_MS (VTSA_EPOCH * 1000)

/* ---- trusted roots ----------------------------------------------------- */

/* A trusted root of test TSAs, built as trusted-root JSON and loaded by the
 * trusted-root loader when a test first uses it (again after a change). */
struct troot {
	json_t *j;
	pyverify_trust_root *r;
	const char *source;   /* names the root in messages */
};

static void
root_free(struct troot *r)
{
	pyverify_trust_root_free(r->r);
	json_decref(r->j);
	memset(r, 0, sizeof(*r));
}

static const pyverify_trust_root *
loaded(struct troot *r)
{
	if (r->r == NULL) {
		r->r = cm_root_load(r->j, r->source != NULL ? r->source
		                                            : "test-root.json");
		cr_assert_not_null(r->r, "the trusted root does not load");
	}
	return r->r;
}

/* A root without TSAs. The loader refuses a root that can verify no
 * signature at all, so it has one Fulcio CA (t's root certificate), which
 * pv_tsa_verify never reads. */
static void
root_start(struct troot *r, const struct vtsa *t)
{
	X509 *root = vtsa_root(t);

	if (r->j != NULL)
		return;
	r->j = cm_root_json();
	cr_assert_not_null(r->j);
	cr_assert_eq(cm_root_add_ca(r->j, &root, 1, 0, CM_NO_END, NULL), 0);
}

/* The TSA entry of `t`: [leaf (unless no_leaf), intermediate, root],
 * valid from start_ms, to end_ms when has_end. */
static void
root_add_vtsa(struct troot *r, const struct vtsa *t, int no_leaf,
              int64_t start_ms, int64_t end_ms, int has_end)
{
	X509 *certs[3], *root = vtsa_root(t);
	size_t n = 0;

	root_start(r, t);
	if (!no_leaf)
		certs[n++] = vtsa_leaf(t);
	if (vtsa_intermediate(t) != NULL)
		certs[n++] = vtsa_intermediate(t);
	certs[n++] = root;
	cr_assert_eq(cm_root_add_tsa(r->j, certs, n, start_ms,
	                             has_end ? end_ms : CM_NO_END,
	                             vtsa_uri(t)), 0);
	pyverify_trust_root_free(r->r);
	r->r = NULL;
}

static void
root_default(struct troot *r, const struct vtsa *t)
{
	root_add_vtsa(r, t, 0, vtsa_not_before(t) * 1000, 0, 0);
}

static void
stamp(struct vtsa *t, const void *msg, size_t len,
      const struct vtsa_stamp_opts *o, uint8_t **der, size_t *der_len)
{
	cr_assert_eq(vtsa_stamp(t, msg, len, o, der, der_len), 0,
	             "test TSA failed to issue a timestamp");
}

/* Stamps SIG with `o` and verifies it against `r`. */
static int
stamp_verify(struct vtsa *t, const struct vtsa_stamp_opts *o,
             struct troot *r, int64_t *gen, pyverify_error *e)
{
	uint8_t *der = NULL;
	size_t len = 0;
	int rc;

	stamp(t, SIG, SIG_LEN, o, &der, &len);
	rc = pv_tsa_verify(loaded(r), der, len, SIG, SIG_LEN, gen, e);
	free(der);
	return rc;
}

static void
expect_reject(int rc, const pyverify_error *e, const char *needle)
{
	cr_assert_eq(rc, PYVERIFY_EREJECT, "rc %d: %s", rc, e->msg);
	cr_assert_eq(e->step, PYVERIFY_STEP_TIMESTAMP);
	cr_log_info("%s", e->msg);
	if (needle)
		cr_assert(strstr(e->msg, needle) != NULL,
		          "message \"%s\" lacks \"%s\"", e->msg, needle);
}

/* ---- valid tokens ------------------------------------------------------ */

Test(tsa, verifies_token_with_embedded_certificates)
{
	struct vtsa *t = vtsa_new(NULL);
	struct vtsa_stamp_opts o = { .embed_certs = 1 };
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	cr_assert_not_null(t);
	root_default(&r, t);
	cr_assert_eq(stamp_verify(t, &o, &r, &gen, &e), 0, "%s", e.msg);
	cr_assert_eq(gen, EPOCH_MS);
	root_free(&r);
	vtsa_free(t);
}

Test(tsa, verifies_token_without_embedded_certificates_with_pinned_leaf)
{
	struct vtsa *t = vtsa_new(NULL);
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	root_default(&r, t);
	cr_assert_eq(stamp_verify(t, NULL, &r, &gen, &e), 0, "%s", e.msg);
	cr_assert_eq(gen, EPOCH_MS);
	root_free(&r);
	vtsa_free(t);
}

Test(tsa, verifies_p256_leaf_under_intermediate_with_and_without_certs)
{
	struct vtsa_opts to = { .intermediate = 1, .leaf_p256 = 1,
	                        .intermediate_eku = VTSA_INT_EKU_TIMESTAMP };
	struct vtsa *t = vtsa_new(&to);
	struct vtsa_stamp_opts o = { .embed_certs = 1 };
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	cr_assert_not_null(t);
	root_default(&r, t);
	cr_assert_eq(stamp_verify(t, &o, &r, &gen, &e), 0, "%s", e.msg);
	o.embed_certs = 0;
	cr_assert_eq(stamp_verify(t, &o, &r, &gen, &e), 0, "%s", e.msg);
	root_free(&r);
	vtsa_free(t);
}

Test(tsa, keeps_the_milliseconds_of_a_fractional_gen_time)
{
	struct vtsa *t = vtsa_new(NULL);
	struct vtsa_stamp_opts o = { .gen_time_ms = EPOCH_MS + 123 };
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	root_default(&r, t);
	cr_assert_eq(stamp_verify(t, &o, &r, &gen, &e), 0, "%s", e.msg);
	cr_assert_eq(gen, EPOCH_MS + 123);
	root_free(&r);
	vtsa_free(t);
}

Test(tsa, accepts_sha512_imprint)
{
	struct vtsa *t = vtsa_new(NULL);
	struct vtsa_stamp_opts o = { .sha512_imprint = 1 };
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	root_default(&r, t);
	cr_assert_eq(stamp_verify(t, &o, &r, &gen, &e), 0, "%s", e.msg);
	root_free(&r);
	vtsa_free(t);
}

Test(tsa, verifies_with_root_only_entry_when_token_embeds_signer)
{
	struct vtsa *t = vtsa_new(NULL);
	struct vtsa_stamp_opts o = { .embed_certs = 1 };
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	root_add_vtsa(&r, t, 1, 0, 0, 0);
	cr_assert_eq(stamp_verify(t, &o, &r, &gen, &e), 0, "%s", e.msg);
	/* Without embedded certificates nothing identifies the signer. */
	o.embed_certs = 0;
	expect_reject(stamp_verify(t, &o, &r, &gen, &e), &e,
	              "may be out of date");
	root_free(&r);
	vtsa_free(t);
}

Test(tsa, tries_every_tsa_of_the_root)
{
	struct vtsa *a = vtsa_new(NULL);
	struct vtsa_opts bo = { .uri = "https://other.test" };
	struct vtsa *b = vtsa_new(&bo);
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	root_default(&r, b);
	root_default(&r, a);
	cr_assert_eq(stamp_verify(a, NULL, &r, &gen, &e), 0, "%s", e.msg);
	root_free(&r);
	vtsa_free(a);
	vtsa_free(b);
}

/* ---- validity windows -------------------------------------------------- */

Test(tsa, rejects_gen_time_before_tsa_valid_for_start)
{
	struct vtsa *t = vtsa_new(NULL);
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	root_add_vtsa(&r, t, 0, EPOCH_MS + 1, 0, 0);
	expect_reject(stamp_verify(t, NULL, &r, &gen, &e), &e,
	              "outside the validity window of TSA "
	              "https://tsa.test/api/v1/timestamp");
	cr_assert_eq(gen, 0);
	root_free(&r);
	vtsa_free(t);
}

Test(tsa, rejects_gen_time_after_tsa_valid_for_end)
{
	struct vtsa *t = vtsa_new(NULL);
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	root_add_vtsa(&r, t, 0, 0, EPOCH_MS - 1, 1);
	expect_reject(stamp_verify(t, NULL, &r, &gen, &e), &e,
	              "outside the validity window");
	root_free(&r);
	vtsa_free(t);
}

Test(tsa, accepts_gen_time_equal_to_valid_for_end)
{
	struct vtsa *t = vtsa_new(NULL);
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	root_add_vtsa(&r, t, 0, EPOCH_MS, EPOCH_MS, 1);
	cr_assert_eq(stamp_verify(t, NULL, &r, &gen, &e), 0, "%s", e.msg);
	root_free(&r);
	vtsa_free(t);
}

Test(tsa, window_failure_is_reported_over_unrelated_tsas)
{
	struct vtsa *a = vtsa_new(NULL);
	struct vtsa_opts bo = { .uri = "https://other.test" };
	struct vtsa *b = vtsa_new(&bo);
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	root_default(&r, b);
	root_add_vtsa(&r, a, 0, 0, EPOCH_MS - 1000, 1);
	expect_reject(stamp_verify(a, NULL, &r, &gen, &e), &e,
	              "outside the validity window");
	root_free(&r);
	vtsa_free(a);
	vtsa_free(b);
}

Test(tsa, accepts_chain_expired_now_but_valid_at_gen_time)
{
	struct vtsa_opts to = { .intermediate = 1,
	                        .not_before = VTSA_EPOCH - 300,
	                        .not_after = VTSA_EPOCH + 300 };
	struct vtsa *t = vtsa_new(&to);
	struct vtsa_stamp_opts o = { .embed_certs = 1 };
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	root_default(&r, t);
	cr_assert_eq(stamp_verify(t, &o, &r, &gen, &e), 0, "%s", e.msg);
	root_free(&r);
	vtsa_free(t);
}

Test(tsa, rejects_token_issued_after_tsa_certificate_expired)
{
	struct vtsa_opts to = { .not_before = VTSA_EPOCH - 300,
	                        .not_after = VTSA_EPOCH + 300 };
	struct vtsa *t = vtsa_new(&to);
	struct vtsa_stamp_opts o = { .gen_time_ms = EPOCH_MS + 301000 };
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	root_default(&r, t);
	expect_reject(stamp_verify(t, &o, &r, &gen, &e), &e, "expired");
	root_free(&r);
	vtsa_free(t);
}

Test(tsa, certificate_validity_is_inclusive_at_not_after)
{
	struct vtsa_opts to = { .not_before = VTSA_EPOCH - 300,
	                        .not_after = VTSA_EPOCH + 300 };
	struct vtsa *t = vtsa_new(&to);
	struct vtsa_stamp_opts o = { .gen_time_ms = EPOCH_MS + 300000 };
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	root_default(&r, t);
	cr_assert_eq(stamp_verify(t, &o, &r, &gen, &e), 0, "%s", e.msg);
	o.gen_time_ms = EPOCH_MS - 300000; /* notBefore, inclusive too */
	cr_assert_eq(stamp_verify(t, &o, &r, &gen, &e), 0, "%s", e.msg);
	o.gen_time_ms = EPOCH_MS + 300001; /* a millisecond after notAfter */
	expect_reject(stamp_verify(t, &o, &r, &gen, &e), &e, "expired");
	root_free(&r);
	vtsa_free(t);
}

/* ---- trust ------------------------------------------------------------- */

Test(tsa, rejects_untrusted_tsa_with_and_without_embedded_certificates)
{
	struct vtsa *trusted = vtsa_new(NULL), *rogue = vtsa_new(NULL);
	struct vtsa_stamp_opts o = { .embed_certs = 1 };
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	root_default(&r, trusted);
	expect_reject(stamp_verify(rogue, &o, &r, &gen, &e), &e,
	              "does not chain to any timestamp authority of the "
	              "trusted root (test-root.json): the trusted root may "
	              "be out of date");
	o.embed_certs = 0;
	expect_reject(stamp_verify(rogue, &o, &r, &gen, &e), &e,
	              "may be out of date");
	root_free(&r);
	vtsa_free(trusted);
	vtsa_free(rogue);
}

Test(tsa, rejects_signer_other_than_the_pinned_leaf)
{
	struct vtsa *t = vtsa_new(NULL);
	struct vtsa_opts so = { .same_ca = t };
	struct vtsa *sibling = vtsa_new(&so);
	struct vtsa_stamp_opts o = { .embed_certs = 1 };
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	cr_assert_not_null(sibling);
	root_default(&r, t); /* pins t's leaf */
	expect_reject(stamp_verify(sibling, &o, &r, &gen, &e), &e, "pins");
	root_free(&r);
	vtsa_free(sibling);
	vtsa_free(t);
}

Test(tsa, rejects_when_root_has_no_tsa)
{
	struct vtsa *t = vtsa_new(NULL);
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	r.source = "empty.json";
	root_start(&r, t);
	expect_reject(stamp_verify(t, NULL, &r, &gen, &e), &e,
	              "no timestamp authority");
	root_free(&r);
	vtsa_free(t);
}

/* ---- response content -------------------------------------------------- */

Test(tsa, rejects_imprint_of_other_data)
{
	struct vtsa *t = vtsa_new(NULL);
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	uint8_t *der = NULL;
	size_t len = 0;
	int64_t gen = 0;

	root_default(&r, t);
	stamp(t, "another signature", 17, NULL, &der, &len);
	expect_reject(pv_tsa_verify(loaded(&r), der, len, SIG, SIG_LEN, &gen,
	                            &e), &e,
	              "timestamp is over other data");
	free(der);
	root_free(&r);
	vtsa_free(t);
}

Test(tsa, rejects_status_rejection)
{
	struct vtsa *t = vtsa_new(NULL);
	struct vtsa_stamp_opts o = { .status = 2 };
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	root_default(&r, t);
	expect_reject(stamp_verify(t, &o, &r, &gen, &e), &e,
	              "status is rejection (2)");
	root_free(&r);
	vtsa_free(t);
}

Test(tsa, rejects_granted_with_mods)
{
	struct vtsa *t = vtsa_new(NULL);
	struct vtsa_stamp_opts o = { .status = 1 };
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	root_default(&r, t);
	expect_reject(stamp_verify(t, &o, &r, &gen, &e), &e,
	              "grantedWithMods (1)");
	root_free(&r);
	vtsa_free(t);
}

Test(tsa, rejects_sha1_imprint)
{
	struct vtsa *t = vtsa_new(NULL);
	struct vtsa_stamp_opts o = { .sha1_imprint = 1 };
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	root_default(&r, t);
	expect_reject(stamp_verify(t, &o, &r, &gen, &e), &e, "not accepted");
	root_free(&r);
	vtsa_free(t);
}

Test(tsa, rejects_malformed_truncated_and_trailing_der)
{
	struct vtsa *t = vtsa_new(NULL);
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
	uint8_t *der = NULL, *longer;
	size_t len = 0;
	int64_t gen = 0;

	root_default(&r, t);
	cr_assert_eq(pv_tsa_verify(loaded(&r), junk, sizeof(junk), SIG,
	                           SIG_LEN, &gen,
	                           &e), PYVERIFY_EPARSE);
	cr_assert_eq(e.step, PYVERIFY_STEP_TIMESTAMP);
	stamp(t, SIG, SIG_LEN, NULL, &der, &len);
	cr_assert_eq(pv_tsa_verify(loaded(&r), der, len - 1, SIG, SIG_LEN,
	                           &gen, &e),
	             PYVERIFY_EPARSE);
	cr_assert_eq(e.step, PYVERIFY_STEP_TIMESTAMP);
	longer = malloc(len + 1);
	memcpy(longer, der, len);
	longer[len] = 0;
	cr_assert_eq(pv_tsa_verify(loaded(&r), longer, len + 1, SIG, SIG_LEN,
	                           &gen,
	                           &e), PYVERIFY_EPARSE);
	cr_assert_eq(e.step, PYVERIFY_STEP_TIMESTAMP);
	cr_assert(strstr(e.msg, "exactly one DER") != NULL, "%s", e.msg);
	/* The untouched response still verifies. */
	cr_assert_eq(pv_tsa_verify(loaded(&r), der, len, SIG, SIG_LEN, &gen,
	                           &e), 0,
	             "%s", e.msg);
	free(longer);
	free(der);
	root_free(&r);
	vtsa_free(t);
}

Test(tsa, rejects_token_with_corrupted_cms_signature)
{
	struct vtsa *t = vtsa_new(NULL);
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	uint8_t *der = NULL;
	size_t len = 0;
	int64_t gen = 0;

	root_default(&r, t);
	stamp(t, SIG, SIG_LEN, NULL, &der, &len);
	der[len - 5] ^= 0x01; /* inside the ECDSA s value, the last field */
	expect_reject(pv_tsa_verify(loaded(&r), der, len, SIG, SIG_LEN, &gen,
	                            &e), &e,
	              "timestamp signature does not verify with TSA");
	free(der);
	root_free(&r);
	vtsa_free(t);
}

/* ---- signer profile ---------------------------------------------------- */

static void
expect_profile_reject(const struct vtsa_opts *to, const char *needle)
{
	struct vtsa *t = vtsa_new(to);
	struct vtsa_stamp_opts o = { .embed_certs = 1 };
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	cr_assert_not_null(t);
	root_default(&r, t);
	expect_reject(stamp_verify(t, &o, &r, &gen, &e), &e, needle);
	o.embed_certs = 0;
	expect_reject(stamp_verify(t, &o, &r, &gen, &e), &e, needle);
	root_free(&r);
	vtsa_free(t);
}

Test(tsa, rejects_signer_with_non_critical_eku)
{
	struct vtsa_opts to = { .leaf_eku = VTSA_EKU_NONCRITICAL };
	expect_profile_reject(&to, "not critical");
}

Test(tsa, rejects_signer_without_eku)
{
	struct vtsa_opts to = { .leaf_eku = VTSA_EKU_NONE };
	expect_profile_reject(&to, "no EKU");
}

Test(tsa, rejects_signer_with_eku_beyond_timestamping)
{
	struct vtsa_opts to = { .leaf_eku = VTSA_EKU_EXTRA };
	expect_profile_reject(&to, "other usages too");
}

Test(tsa, rejects_signer_that_is_a_ca)
{
	struct vtsa_opts to = { .leaf_is_ca = 1 };
	struct vtsa *t = vtsa_new(&to);
	struct vtsa_stamp_opts o = { .embed_certs = 1 };
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;

	cr_assert_not_null(t);
	/* Element 0 is then not a pinned leaf: trust the root only. */
	root_add_vtsa(&r, t, 1, 0, 0, 0);
	expect_reject(stamp_verify(t, &o, &r, &gen, &e), &e, "is a CA");
	root_free(&r);
	vtsa_free(t);
}

Test(tsa, rejects_intermediate_whose_eku_excludes_timestamping)
{
	struct vtsa_opts to = { .intermediate = 1,
	                        .intermediate_eku = VTSA_INT_EKU_CODESIGN };
	expect_profile_reject(&to, "does not allow timeStamping");
}

/* ---- thread safety ----------------------------------------------------- */

struct job {
	const pyverify_trust_root *r;
	const uint8_t *der;
	size_t len;
	int failures;
};

static void *
worker(void *arg)
{
	struct job *j = arg;
	pyverify_error e;
	int64_t gen;
	int i;

	for (i = 0; i < 20; i++)
		if (pv_tsa_verify(j->r, j->der, j->len, SIG, SIG_LEN, &gen,
		                  &e) != 0)
			j->failures++;
	return NULL;
}

Test(tsa, verifies_concurrently_with_a_shared_root)
{
	struct vtsa_opts to = { .intermediate = 1 };
	struct vtsa *t = vtsa_new(&to);
	struct troot r = { 0 };
	struct job jobs[4];
	pthread_t th[4];
	uint8_t *der = NULL;
	size_t len = 0;
	int i;

	root_default(&r, t);
	stamp(t, SIG, SIG_LEN, NULL, &der, &len);
	for (i = 0; i < 4; i++) {
		jobs[i] = (struct job){ loaded(&r), der, len, 0 };
		cr_assert_eq(pthread_create(&th[i], NULL, worker, &jobs[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(jobs[i].failures, 0);
	}
	free(der);
	root_free(&r);
	vtsa_free(t);
}

/* ---- vtsa's trusted-root fragment ------------------------------------ */

Test(tsa, vtsa_trust_root_entry_lists_leaf_intermediate_root_and_window)
{
	struct vtsa_opts to = { .intermediate = 1 };
	struct vtsa *t = vtsa_new(&to);
	json_t *j = vtsa_trust_root_entry(t, VTSA_EPOCH, VTSA_EPOCH + 60);
	json_t *certs;

	cr_assert_not_null(j);
	certs = json_object_get(json_object_get(j, "certChain"),
	                        "certificates");
	cr_assert_eq(json_array_size(certs), 3);
	cr_assert_str_eq(json_string_value(json_object_get(j, "uri")),
	                 vtsa_uri(t));
	cr_assert_str_eq(json_string_value(json_object_get(
	                         json_object_get(j, "validFor"), "end")),
	                 "2023-11-14T22:14:20Z");
	json_decref(j);
	vtsa_free(t);
}

/* ---- conformance timestamps (../shared) -------------------------------- */

static const char *
testdata(void)
{
	const char *d = getenv("PYVERIFY_TESTDATA");
	return d ? d : "../shared/testdata";
}

static json_t *
load_json(const char *dir, const char *file)
{
	char path[1024];
	json_error_t je;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    sizeof(path))
		return NULL;
	return json_load_file(path, JSON_REJECT_DUPLICATES, &je);
}

static void
b64(struct pv_bytes *out, json_t *s)
{
	cr_assert(json_is_string(s));
	cr_assert_eq(pv_b64_decode(out, json_string_value(s),
	                           json_string_length(s)), 0);
}

/* Builds the case's TSAs, decodes its signature and first timestamp;
 * skips the test when the case is absent. */
static void
load_case(const char *name, struct troot *r, struct pv_bytes *sig,
          struct pv_bytes *ts)
{
	char dir[1024];
	json_t *root, *bundle;

	snprintf(dir, sizeof(dir), "%s/conformance/cases/%s", testdata(),
	         name);
	bundle = load_json(dir, "bundle.sigstore.json");
	root = load_json(dir, "trusted_root.json");
	if (root == NULL) { /* the case uses the production root */
		snprintf(dir, sizeof(dir), "%s/sigstore", testdata());
		root = load_json(dir, "production.trusted_root.json");
	}
	if (bundle == NULL || root == NULL) {
		json_decref(bundle);
		json_decref(root);
		cr_skip_test("conformance case %s not found under %s", name,
		             testdata());
	}
	/* The whole root, through the loader: pv_tsa_verify reads its
	 * timestampAuthorities. */
	r->j = root;
	r->source = name;
	root = NULL;
	if (json_object_get(bundle, "dsseEnvelope") != NULL)
		b64(sig, json_object_get(json_array_get(json_object_get(
		            json_object_get(bundle,
		                            "dsseEnvelope"), "signatures"),
		            0), "sig"));
	else
		b64(sig, json_object_get(json_object_get(bundle,
		                                         "messageSignature"),
		                         "signature"));
	b64(ts, json_object_get(json_array_get(json_object_get(json_object_get(
	            json_object_get(bundle, "verificationMaterial"),
	            "timestampVerificationData"), "rfc3161Timestamps"), 0),
	        "signedTimestamp"));
	json_decref(bundle);
	json_decref(root);
}

static int
verify_case(const char *name, int64_t *gen, pyverify_error *e)
{
	struct troot r = { 0 };
	struct pv_bytes sig = { 0 }, ts = { 0 };
	int rc;

	load_case(name, &r, &sig, &ts);
	rc = pv_tsa_verify(loaded(&r), ts.data, ts.len, sig.data, sig.len, gen,
	                   e);
	pv_bytes_clear(&sig);
	pv_bytes_clear(&ts);
	root_free(&r);
	return rc;
}

Test(tsa, conformance_rekor2_happy_path_timestamp_verifies)
{
	pyverify_error e = { 0 };
	int64_t gen = 0;

	cr_assert_eq(verify_case("rekor2-happy-path", &gen, &e), 0, "%s",
	             e.msg);
	cr_assert_eq(gen, (int64_t)1749729740 * 1000); /* SPEC Appendix A */
}

Test(tsa, conformance_timestamps_with_embedded_and_without_certs_verify)
{
	pyverify_error e = { 0 };
	int64_t gen = 0;

	cr_assert_eq(verify_case("rekor2-timestamp-with-embedded-cert", &gen,
	                         &e), 0, "%s", e.msg);
	cr_assert_eq(verify_case("rekor2-timestamp-without-embedded-cert",
	                         &gen, &e), 0, "%s", e.msg);
}

Test(tsa, conformance_timestamp_with_expired_chain_verifies_at_gen_time)
{
	pyverify_error e = { 0 };
	int64_t gen = 0;

	cr_assert_eq(verify_case("rekor2-timestamp-with-expired-cert-chain",
	                         &gen, &e), 0, "%s", e.msg);
}

Test(tsa, conformance_tsa_validity_end_is_inclusive)
{
	pyverify_error e = { 0 };
	int64_t gen = 0;

	cr_assert_eq(verify_case("trust-root-tsa-validity-end-inclusive", &gen,
	                         &e), 0, "%s", e.msg);
}

Test(tsa, conformance_untrusted_tsa_fails)
{
	pyverify_error e = { 0 };
	int64_t gen = 0;

	expect_reject(verify_case("rekor2-timestamp-untrusted-tsa-with-"
	                          "embedded-cert_fail", &gen, &e), &e,
	              "may be out of date");
}

Test(tsa, conformance_untrusted_tsa_without_certs_fails)
{
	pyverify_error e = { 0 };
	int64_t gen = 0;

	expect_reject(verify_case("rekor2-timestamp-untrusted-tsa-without-"
	                          "embedded-cert_fail", &gen, &e), &e,
	              "may be out of date");
}

Test(tsa, conformance_timestamp_outside_trust_root_tsa_validity_fails)
{
	pyverify_error e = { 0 };
	int64_t gen = 0;

	expect_reject(verify_case("rekor2-timestamp-outside-trust-root-tsa-"
	                          "validity_fail", &gen, &e), &e,
	              "outside the validity window");
}

Test(tsa, conformance_timestamp_after_tsa_cert_expiry_fails)
{
	pyverify_error e = { 0 };
	int64_t gen = 0;

	expect_reject(verify_case("rekor2-timestamp-outside-tsa-cert-"
	                          "validity_fail", &gen, &e), &e, NULL);
}

Test(tsa, conformance_timestamp_over_other_signature_fails)
{
	pyverify_error e = { 0 };
	int64_t gen = 0;

	expect_reject(verify_case("rekor2-timestamp-payload-mismatch_fail",
	                          &gen, &e), &e, "over other data");
}

/* Every other conformance timestamp is genuine: the cases fail elsewhere
 * (checkpoint, DSSE signature, leaf validity) or not at all. */
Test(tsa, conformance_every_other_case_timestamp_verifies)
{
	static const char *const cases[] = {
		"bundle-with-sct-with-extensions",
		"intoto-tsa-timestamp-outside-cert-validity_fail",
		"managed-key-happy-path",
		"rekor2-checkpoint-multiple-cosigs",
		"rekor2-checkpoint-origin-not-first",
		"rekor2-checkpoint-two-sigs-cosigned",
		"rekor2-dsse-happy-path",
		"rekor2-dsse-invalid-sig_fail",
	};
	pyverify_error e = { 0 };
	int64_t gen = 0;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(verify_case(cases[i], &gen, &e), 0, "%s: %s",
		             cases[i], e.msg);
}

/* Issue 12: TSA certificates are decoded when a timestamp first needs
 * their entry. One framed as DER whose inside is not a certificate makes
 * the timestamp fail as a broken trusted root, even when another TSA of
 * the root would vouch for it: a broken entry is never skipped. */
Test(tsa, a_tsa_entry_that_does_not_decode_fails_and_is_not_skipped)
{
	struct vtsa *t = vtsa_new(NULL);
	struct vtsa_stamp_opts o = { .embed_certs = 1 };
	struct troot r = { 0 };
	pyverify_error e = { 0 };
	int64_t gen = 0;
	json_t *c;

	cr_assert_not_null(t);
	root_default(&r, t);
	root_default(&r, t); /* the same TSA again: entry 1 would vouch */
	c = json_array_get(json_object_get(json_object_get(json_array_get(
	                       json_object_get(r.j, "timestampAuthorities"), 0),
	                       "certChain"), "certificates"), 0);
	cr_assert_not_null(c);
	/* SEQUENCE { SEQUENCE { INTEGER 0 }, SEQUENCE {}, BIT STRING {} } */
	json_object_set_new(c, "rawBytes", json_string("MAowAwIBADAAAwEA"));
	cr_assert_eq(stamp_verify(t, &o, &r, &gen, &e), PYVERIFY_EPARSE,
	             "%s", e.msg);
	cr_assert_eq(e.step, PYVERIFY_STEP_TRUST_ROOT);
	cr_assert_not_null(strstr(e.msg, "certificate 0 of TSA"), "%s", e.msg);
	cr_assert_not_null(strstr(e.msg, "is not one DER X.509 certificate"),
	                   "%s", e.msg);
	/* Without the broken entry the same timestamp verifies. */
	cr_assert_eq(json_array_remove(json_object_get(r.j,
	                                               "timestampAuthorities"),
	                               0), 0);
	pyverify_trust_root_free(r.r);
	r.r = NULL;
	cr_assert_eq(stamp_verify(t, &o, &r, &gen, &e), 0, "%s", e.msg);
	root_free(&r);
	vtsa_free(t);
}
