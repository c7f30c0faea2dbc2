/* test_sign_services.c - the Fulcio client of signing against the
 * loopback fakes: the certificate it obtains passes the checks made
 * before use, and each refusal names the step and Fulcio. Rekor and the
 * timestamp authority: test_sign_services_logs.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "sign_svc_fx.h"

TestSuite(sign_services, .timeout = 120);

/* ---- Fulcio ------------------------------------------------------------ */

Test(sign_services, fulcio_certificate_passes_the_checks)
{
	struct pv_fulcio_cert c = { 0 };
	pyverify_error err = { 0 };
	struct ssfx f;

	ssfx_init(&f);
	ssfx_get_cert(&f, &c);
	cr_assert_not_null(c.leaf);
	cr_assert_gt(c.leaf_der_len, 0);
	cr_assert_geq(sk_X509_num(c.chain), 1);
	cr_assert_eq(pv_fulcio_check_cert(f.root, &c, f.key, &f.tok,
	                                  ssfx_now_ms(),
	                                  &err),
	             0, "%s", err.msg);
	cr_assert_eq(fss_count(f.s, FSS_PATH_FULCIO), 1);
	pv_fulcio_cert_clear(&c);
	ssfx_fini(&f);
}

Test(sign_services, fulcio_4xx_shows_the_service_message)
{
	struct pv_fulcio_cert c = { 0 };
	pyverify_error err = { 0 };
	struct ssfx f;
	int rc;

	ssfx_init(&f);
	fss_fault(f.s, FSS_FULCIO_400);
	rc = pv_fulcio_get_cert(&f.net, fss_fulcio_url(f.s), &f.tok, f.key, &c,
	                        &err);
	ssfx_refused(rc, &err, PYVERIFY_STEP_FULCIO,
	             "Fulcio at http://127.0.0.1",
	               "HTTP 400: fss: the certificate request was refused");
	cr_assert_null(c.leaf);
	/* A 4xx is an answer, not a hiccup: asked once. */
	cr_assert_eq(fss_count(f.s, FSS_PATH_FULCIO), 1);
	ssfx_fini(&f);
}

Test(sign_services, fulcio_5xx_is_retried_then_refused)
{
	struct pv_fulcio_cert c = { 0 };
	pyverify_error err = { 0 };
	struct ssfx f;
	int rc;

	ssfx_init(&f);
	fss_fault(f.s, FSS_FULCIO_500);
	rc = pv_fulcio_get_cert(&f.net, fss_fulcio_url(f.s), &f.tok, f.key, &c,
	                        &err);
	ssfx_refused(rc, &err, PYVERIFY_STEP_FULCIO, "Fulcio at ",
	               "HTTP 500");
	cr_assert_eq(fss_count(f.s, FSS_PATH_FULCIO), 3);
	ssfx_fini(&f);
}

/* Fulcio answers with a certificate pyverify must not use: refused at
 * the check, with the reason (and also, when given, in the message). */
static void
check_refused(enum fss_fault fault, const char *needle, const char *also)
{
	pyverify_error err = { 0 };
	struct ssfx f;

	ssfx_init(&f);
	fss_fault(f.s, fault);
	ssfx_refused(ssfx_check_cert(&f, &err), &err, PYVERIFY_STEP_FULCIO,
	               "Fulcio", needle);
	if (also != NULL)
		cr_assert(strstr(err.msg, also) != NULL, "%s", err.msg);
	ssfx_fini(&f);
}

Test(sign_services, fulcio_chain_outside_the_trusted_root_is_refused)
{
	check_refused(FSS_FULCIO_UNTRUSTED_CHAIN,
	              "does not chain to the trusted root", NULL);
}

Test(sign_services, fulcio_bad_sct_is_refused)
{
	check_refused(FSS_FULCIO_BAD_SCT, "invalid signature", NULL);
}

Test(sign_services, fulcio_missing_sct_is_refused)
{
	check_refused(FSS_FULCIO_NO_SCT, "has no embedded SCT", NULL);
}

Test(sign_services, fulcio_certificate_for_another_key_is_refused)
{
	check_refused(FSS_FULCIO_OTHER_KEY, "another public key", NULL);
}

Test(sign_services, fulcio_certificate_for_another_identity_is_refused)
{
	/* Both names: the certificate's and the token's. */
	check_refused(FSS_FULCIO_OTHER_IDENTITY, "mallory@example.org",
	              "dev@example.org");
}

Test(sign_services, fulcio_certificate_for_another_issuer_is_refused)
{
	check_refused(FSS_FULCIO_OTHER_ISSUER, "https://evil.test", NULL);
}

Test(sign_services, fulcio_slow_answer_is_cut_off_in_time)
{
	struct pv_fulcio_cert c = { 0 };
	pyverify_error err = { 0 };
	time_t t0;
	struct ssfx f;
	int rc;

	ssfx_init(&f);
	f.net.opts.retries = -1;
	fss_fault_on(f.s, FSS_SLOW, "/fulcio");
	t0 = time(NULL);
	rc = pv_fulcio_get_cert(&f.net, fss_fulcio_url(f.s), &f.tok, f.key, &c,
	                        &err);
	ssfx_refused(rc, &err, PYVERIFY_STEP_FULCIO, "Fulcio", "too slow");
	cr_assert_lt(time(NULL) - t0, 12, "took %lld s",
	             (long long)(time(NULL) - t0));
	ssfx_fini(&f);
}

Test(sign_services, fulcio_endless_answer_is_bounded)
{
	struct pv_fulcio_cert c = { 0 };
	pyverify_error err = { 0 };
	time_t t0;
	struct ssfx f;
	int rc;

	ssfx_init(&f);
	f.net.opts.retries = -1;
	fss_fault_on(f.s, FSS_ENDLESS, "/fulcio");
	t0 = time(NULL);
	rc = pv_fulcio_get_cert(&f.net, fss_fulcio_url(f.s), &f.tok, f.key, &c,
	                        &err);
	ssfx_refused(rc, &err, PYVERIFY_STEP_FULCIO, "Fulcio", "larger than");
	cr_assert_lt(time(NULL) - t0, 12);
	ssfx_fini(&f);
}


static int
check_github_leaf(const char *workflow_ref, pyverify_error *err)
{
	struct fss_token_opts to = { 0 };
	struct vs_leaf_opts lo = { 0 };
	struct pv_fulcio_cert c = { 0 };
	struct pv_id_token tok = { 0 };
	struct vs_leaf *leaf;
	char extra[256], *jwt;
	struct ssfx f;
	int rc;

	ssfx_init(&f);
	snprintf(extra, sizeof(extra), "{\"job_workflow_ref\": \"%s\"}",
	         workflow_ref);
	to.iss = FSS_GHA_ISSUER;
	to.sub = "repo:python/cpython:ref:refs/heads/main";
	to.email = "";
	to.extra_json = extra;
	jwt = fss_token(f.s, &to);
	cr_assert_eq(pv_id_token_parse(&tok, jwt, time(NULL), err), 0, "%s",
	             err->msg);
	lo.identity = "https://github.com/python/cpython/.github/workflows/"
	              "release.yml@refs/heads/main";
	lo.san_type = VS_SAN_URI;
	lo.issuer = FSS_GHA_ISSUER;
	lo.not_before = time(NULL) - 60;
	leaf = vs_leaf_new(fss_vs(f.s), &lo);
	cr_assert_not_null(leaf);
	c.leaf = leaf->cert;
	rc = pv_fulcio_check_cert(f.root, &c, leaf->key, &tok, ssfx_now_ms(),
	                          err);
	vs_leaf_free(leaf);
	pv_id_token_clear(&tok);
	free(jwt);
	ssfx_fini(&f);
	return rc;
}

Test(sign_services, fulcio_github_actions_workflow_identity_is_accepted)
{
	pyverify_error err = { 0 };

	cr_assert_eq(check_github_leaf("python/cpython/.github/workflows/"
	                               "release.yml@refs/heads/main",
	                               &err),
	             0, "%s", err.msg);
}

Test(sign_services, fulcio_github_actions_other_workflow_is_refused)
{
	pyverify_error err = { 0 };

	ssfx_refused(check_github_leaf("mallory/cpython/.github/workflows/"
	                                 "release.yml@refs/heads/main",
	                                 &err),
	               &err, PYVERIFY_STEP_FULCIO, "Fulcio",
	               "https://github.com/mallory/cpython");
}

