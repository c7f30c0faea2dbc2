/* sign_svc_fx.c - the fixture of the service-client tests
 * (test_sign_services*.c): the fakes, the trusted root they match, a
 * token, an ephemeral key and a signature over a fixed artifact. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "sign_svc_fx.h"

const char ssfx_artifact[] = "python-3.14.0.tar.xz, more or less\n";

int64_t
ssfx_now_ms(void)
{
	return (int64_t)time(NULL) * 1000;
}

void
ssfx_init(struct ssfx *f)
{
	pyverify_error err = { 0 };
	char *root;
	EVP_PKEY_CTX *c;

	memset(f, 0, sizeof(*f));
	f->s = fss_start();
	cr_assert_not_null(f->s);
	root = fss_trust_root_json(f->s);
	cr_assert_not_null(root);
	cr_assert_eq(pyverify_trust_root_load_memory(&f->root, root,
	                                             strlen(root), "fss",
	                                             &err),
	             0, "%s", err.msg);
	free(root);
	f->net.opts.connect_timeout_ms = 2000;
	f->net.opts.total_timeout_ms = 8000;
	f->net.opts.retries = 2;
	f->net.opts.retry_base_ms = 10;
	f->net.opts.low_speed_bytes = 512;
	f->net.opts.low_speed_seconds = 2;
	f->key = EVP_EC_gen("P-256");
	cr_assert_not_null(f->key);
	f->jwt = fss_token(f->s, NULL);
	cr_assert_not_null(f->jwt);
	cr_assert_eq(pv_id_token_parse(&f->tok, f->jwt, time(NULL), &err), 0,
	             "%s", err.msg);
	cr_assert_eq(pv_sha256(f->digest, ssfx_artifact, strlen(ssfx_artifact)),
	             0);
	/* The signature over the artifact digest as a prehash (SPEC 5.6). */
	f->sig_len = sizeof(f->sig);
	c = EVP_PKEY_CTX_new(f->key, NULL);
	cr_assert(c != NULL && EVP_PKEY_sign_init(c) == 1 &&
	          EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) == 1 &&
	          EVP_PKEY_sign(c, f->sig, &f->sig_len, f->digest, 32) == 1);
	EVP_PKEY_CTX_free(c);
}

void
ssfx_fini(struct ssfx *f)
{
	pv_id_token_clear(&f->tok);
	free(f->jwt);
	EVP_PKEY_free(f->key);
	pyverify_trust_root_free(f->root);
	fss_stop(f->s);
}

/* A failure at `step` whose message holds both needles. */
void
ssfx_refused(int rc, const pyverify_error *err, pyverify_step step,
               const char *a, const char *b)
{
	cr_assert_neq(rc, 0, "expected a refusal");
	cr_assert_eq(err->step, step, "step %s, expected %s: %s",
	             pyverify_step_code(err->step), pyverify_step_code(step),
	             err->msg);
	cr_assert(strstr(err->msg, a) != NULL, "no \"%s\" in: %s", a, err->msg);
	if (b != NULL)
		cr_assert(strstr(err->msg, b) != NULL, "no \"%s\" in: %s", b,
		          err->msg);
}

void
ssfx_get_cert(struct ssfx *f, struct pv_fulcio_cert *c)
{
	pyverify_error err = { 0 };

	cr_assert_eq(pv_fulcio_get_cert(&f->net, fss_fulcio_url(f->s), &f->tok,
	                                f->key, c, &err),
	             0, "%s", err.msg);
}

int
ssfx_check_cert(struct ssfx *f, pyverify_error *err)
{
	struct pv_fulcio_cert c = { 0 };
	int rc;

	ssfx_get_cert(f, &c);
	rc = pv_fulcio_check_cert(f->root, &c, f->key, &f->tok, ssfx_now_ms(),
	                          err);
	pv_fulcio_cert_clear(&c);
	return rc;
}

/* The bundle the signer would assemble verifies with the library. */
void
ssfx_verifies(struct ssfx *f, const struct pv_fulcio_cert *c, json_t *tle,
                const uint8_t *ts, size_t ts_len)
{
	const uint8_t *const stamps[1] = { ts };
	const size_t lens[1] = { ts_len };
	struct pv_bundle_parts p = { 0 };
	pyverify_error err = { 0 };
	pyverify_artifact a;
	pyverify_bundle *b = NULL;
	pyverify_policy *pol = NULL;
	pyverify_result res;
	json_t *arr = json_array();
	char *text;

	cr_assert_eq(json_array_append(arr, tle), 0);
	p.cert_der = c->leaf_der;
	p.cert_len = c->leaf_der_len;
	p.tlog_entries = arr;
	p.timestamps = stamps;
	p.timestamp_lens = lens;
	p.ntimestamps = ts != NULL ? 1 : 0;
	p.digest = f->digest;
	p.sig = f->sig;
	p.sig_len = f->sig_len;
	text = pv_bundle_assemble(&p);
	cr_assert_not_null(text);
	cr_assert_eq(pyverify_bundle_load_memory(&b, text, strlen(text), &err),
	             0, "%s", err.msg);
	cr_assert_eq(pyverify_artifact_from_memory(&a, ssfx_artifact,
	                                           strlen(ssfx_artifact), &err),
	             0);
	cr_assert_eq(pyverify_policy_new(&pol, &err), 0);
	cr_assert_eq(pyverify_policy_add_identity(pol, f->tok.identity,
	                                          PYVERIFY_MATCH_EXACT,
	                                          f->tok.iss,
	                                          PYVERIFY_MATCH_EXACT, &err),
	             0);
	cr_assert_eq(pyverify_verify(f->root, b, &a, pol, &res, &err), 0,
	             "%s: %s", pyverify_step_code(err.step), err.msg);
	pyverify_policy_free(pol);
	pyverify_bundle_free(b);
	free(text);
	json_decref(arr);
}

void
ssfx_rekor_input(struct ssfx *f, const struct pv_fulcio_cert *c,
            struct pv_rekor_input *in)
{
	memset(in, 0, sizeof(*in));
	in->digest = f->digest;
	in->digest_len = 32;
	in->sig = f->sig;
	in->sig_len = f->sig_len;
	in->cert_der = c->leaf_der;
	in->cert_len = c->leaf_der_len;
}

