/* test_sign_e2e.c - the public signing API against the loopback Sigstore
 * fakes: keyless and managed-key signing with Rekor v1 and v2, DSSE, and
 * one refusal per misbehaving service, each naming the service and
 * handing out no bundle. Every bundle made is verified again here, apart
 * from the signer's own check, under the identity it should carry. */
#define _GNU_SOURCE /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "fake_sigstore.h"
#include "pyverify.h"
#include "sign/signer_impl.h"

static struct fss *fs;
static pyverify_trust_root *root;
static char *config_v1, *config_v1_tsa, *config_v2;

static void
setup(void)
{
	pyverify_error e;

	fs = fss_start();
	char *tr = fss_trust_root_json(fs);
	cr_assert_not_null(tr);
	cr_assert_eq(pyverify_trust_root_load_memory(&root, tr, strlen(tr),
	                                             "fss", &e),
	             0, "%s", e.msg);
	free(tr);
	config_v1 = fss_signing_config(fs, 1, 0);
	config_v1_tsa = fss_signing_config(fs, 1, 1);
	config_v2 = fss_signing_config(fs, 2, 1);
}

static void
teardown(void)
{
	free(config_v1);
	free(config_v1_tsa);
	free(config_v2);
	pyverify_trust_root_free(root);
	fss_stop(fs);
	fs = NULL;
	root = NULL;
}

TestSuite(sign_e2e, .init = setup, .fini = teardown, .timeout = 120);

static const char artifact_text[] = "Python-3.14.0.tar.xz, or so\n";

static pyverify_artifact
artifact(void)
{
	pyverify_artifact a;
	pyverify_error e;
	cr_assert_eq(pyverify_artifact_from_memory(&a, artifact_text,
	                                           strlen(artifact_text), &e),
	             0);
	return a;
}

static pyverify_sign_options
options(const char *config)
{
	pyverify_sign_options o;
	memset(&o, 0, sizeof(o));
	o.trust_root = root;
	o.signing_config = config;
	o.signing_config_len = strlen(config);
	return o;
}

static pyverify_signer *
keyless_signer(pyverify_sign_options *o, char **tok_out)
{
	pyverify_signer *s = NULL;
	pyverify_error e;
	char *tok = fss_token(fs, NULL);
	o->identity_token = tok;
	cr_assert_eq(pyverify_signer_new(&s, o, &e), 0, "%s: %s",
	             pyverify_step_code(e.step), e.msg);
	*tok_out = tok;
	return s;
}

/* Verifies a bundle from scratch: the identity policy (or key), the
 * artifact; returns the result. */
static pyverify_result
verify(const char *json, const pyverify_artifact *a, const char *key_pem)
{
	pyverify_bundle *b = NULL;
	pyverify_policy *p = NULL;
	pyverify_result r;
	pyverify_error e;

	cr_assert_eq(pyverify_bundle_load_memory(&b, json, strlen(json), &e), 0,
	             "%s", e.msg);
	cr_assert_str_eq(pyverify_bundle_media_type(b),
	                 "application/vnd.dev.sigstore.bundle.v0.3+json");
	cr_assert_eq(pyverify_policy_new(&p, &e), 0);
	if (key_pem != NULL)
		cr_assert_eq(pyverify_policy_set_key_pem(p, key_pem,
		                                         strlen(key_pem), &e),
		             0, "%s", e.msg);
	else
		cr_assert_eq(pyverify_policy_add_identity(
		                 p, "dev@example.org", PYVERIFY_MATCH_EXACT,
		                 fss_oidc_issuer(fs), PYVERIFY_MATCH_EXACT, &e),
		             0);
	cr_assert_eq(pyverify_verify(root, b, a, p, &r, &e), 0, "%s: %s",
	             pyverify_step_code(e.step), e.msg);
	pyverify_policy_free(p);
	pyverify_bundle_free(b);
	return r;
}

static char *
sign_ok(pyverify_signer *s)
{
	pyverify_artifact a = artifact();
	pyverify_error e;
	char *json = NULL;
	cr_assert_eq(pyverify_sign_artifact(s, &a, &json, &e), 0, "%s: %s",
	             pyverify_step_code(e.step), e.msg);
	cr_assert_not_null(json);
	return json;
}

Test(sign_e2e, keyless_rekor_v1)
{
	pyverify_sign_options o = options(config_v1);
	char *tok;
	pyverify_signer *s = keyless_signer(&o, &tok);
	cr_assert_str_eq(pyverify_signer_identity(s), "dev@example.org");
	cr_assert_str_eq(pyverify_signer_issuer(s), fss_oidc_issuer(fs));
	char *json = sign_ok(s);
	pyverify_artifact a = artifact();
	pyverify_result r = verify(json, &a, NULL);
	cr_assert_eq(r.bundle_minor_version, 3);
	cr_assert_gt(r.integrated_time, 0);
	cr_assert(strstr(json, "\"certificate\":{\"rawBytes\"") != NULL);
	cr_assert(strstr(json, "\"algorithm\":\"SHA2_256\"") != NULL);
	cr_assert(strstr(json, "rfc3161Timestamps") == NULL);
	cr_assert_eq(fss_count(fs, FSS_PATH_TSA), 0);
	cr_assert_eq(fss_count(fs, FSS_PATH_FULCIO), 1);

	/* One signer, many artifacts: one certificate. */
	char *json2 = sign_ok(s);
	cr_assert_eq(fss_count(fs, FSS_PATH_FULCIO), 1);
	free(json2);
	free(json);
	pyverify_signer_free(s);
	free(tok);
}

Test(sign_e2e, keyless_rekor_v1_with_timestamp)
{
	pyverify_sign_options o = options(config_v1_tsa);
	o.timestamp = 1;
	char *tok;
	pyverify_signer *s = keyless_signer(&o, &tok);
	char *json = sign_ok(s);
	pyverify_artifact a = artifact();
	pyverify_result r = verify(json, &a, NULL);
	cr_assert_geq(r.verified_times, 2);
	cr_assert(strstr(json, "rfc3161Timestamps") != NULL);
	cr_assert_eq(fss_count(fs, FSS_PATH_TSA), 1);
	free(json);
	pyverify_signer_free(s);
	free(tok);
}

Test(sign_e2e, keyless_rekor_v2_with_tsa)
{
	pyverify_sign_options o = options(config_v2);
	char *tok;
	pyverify_signer *s = keyless_signer(&o, &tok);
	char *json = sign_ok(s);
	pyverify_artifact a = artifact();
	pyverify_result r = verify(json, &a, NULL);
	cr_assert_eq(r.integrated_time, 0);
	cr_assert_geq(r.verified_times, 1);
	cr_assert(strstr(json, "rfc3161Timestamps") != NULL);
	cr_assert(strstr(json, "\"0.0.2\"") != NULL);
	cr_assert_eq(fss_count(fs, FSS_PATH_REKOR2), 1);
	cr_assert_eq(fss_count(fs, FSS_PATH_REKOR1), 0);
	cr_assert_eq(fss_count(fs, FSS_PATH_TSA), 1);
	free(json);
	pyverify_signer_free(s);
	free(tok);
}

Test(sign_e2e, overrides_name_the_services_without_a_config)
{
	pyverify_sign_options o;
	memset(&o, 0, sizeof(o));
	o.trust_root = root;
	o.fulcio_url = fss_fulcio_url(fs);
	o.rekor_url = fss_rekor2_url(fs);
	o.rekor_version = 2;
	o.tsa_url = fss_tsa_url(fs);
	char *tok;
	pyverify_signer *s = keyless_signer(&o, &tok);
	char *json = sign_ok(s);
	cr_assert_eq(fss_count(fs, FSS_PATH_REKOR2), 1);
	free(json);
	pyverify_signer_free(s);
	free(tok);
}

Test(sign_e2e, rekor_v2_without_a_tsa_is_refused)
{
	pyverify_sign_options o;
	pyverify_signer *s = NULL;
	pyverify_error e;
	memset(&o, 0, sizeof(o));
	o.trust_root = root;
	o.fulcio_url = fss_fulcio_url(fs);
	o.rekor_url = fss_rekor2_url(fs);
	o.rekor_version = 2;
	char *tok = fss_token(fs, NULL);
	o.identity_token = tok;
	cr_assert_eq(pyverify_signer_new(&s, &o, &e), PYVERIFY_EUSAGE);
	cr_assert(strstr(e.msg, "timestamp") != NULL, "%s", e.msg);
	cr_assert_null(s);
	cr_assert_eq(fss_count(fs, "/"), 0);
	free(tok);
}

/* A managed key (P-256 unless told): PEM private and public key. */
static void
managed_key_of(EVP_PKEY *k, char **priv, char **pub);

static void
managed_key(char **priv, char **pub)
{
	managed_key_of(EVP_EC_gen("P-256"), priv, pub);
}

static void
managed_key_of(EVP_PKEY *k, char **priv, char **pub)
{
	BIO *b1 = BIO_new(BIO_s_mem()), *b2 = BIO_new(BIO_s_mem());
	char *p;
	long n;
	cr_assert(k != NULL && b1 != NULL && b2 != NULL);
	cr_assert_eq(PEM_write_bio_PrivateKey(b1, k, NULL, NULL, 0, NULL, NULL),
	             1);
	cr_assert_eq(PEM_write_bio_PUBKEY(b2, k), 1);
	n = BIO_get_mem_data(b1, &p);
	*priv = strndup(p, (size_t)n);
	n = BIO_get_mem_data(b2, &p);
	*pub = strndup(p, (size_t)n);
	BIO_free(b1);
	BIO_free(b2);
	EVP_PKEY_free(k);
}

static void
managed(const char *config)
{
	char *priv, *pub;
	managed_key(&priv, &pub);
	pyverify_sign_options o = options(config);
	o.key_pem = priv;
	o.key_pem_len = strlen(priv);
	pyverify_signer *s = NULL;
	pyverify_error e;
	cr_assert_eq(pyverify_signer_new(&s, &o, &e), 0, "%s", e.msg);
	cr_assert_str_eq(pyverify_signer_identity(s), "");
	char *json = sign_ok(s);
	pyverify_artifact a = artifact();
	verify(json, &a, pub);
	cr_assert(strstr(json, "\"publicKey\"") != NULL);
	cr_assert(strstr(json, "\"certificate\"") == NULL);
	cr_assert_eq(fss_count(fs, "/fulcio"), 0);
	cr_assert_eq(fss_count(fs, "/oidc"), 0);
	free(json);
	pyverify_signer_free(s);
	free(priv);
	free(pub);
}

Test(sign_e2e, managed_key_rekor_v1)
{
	managed(config_v1);
	cr_assert_eq(fss_count(fs, FSS_PATH_REKOR1), 1);
}

Test(sign_e2e, managed_key_rekor_v2)
{
	managed(config_v2);
	cr_assert_eq(fss_count(fs, FSS_PATH_REKOR2), 1);
}

static char *
statement(void)
{
	pyverify_artifact a = artifact();
	char hex[65], *out = NULL;
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", a.sha256[i]);
	cr_assert(asprintf(&out,
	                   "{\"_type\":\"https://in-toto.io/Statement/v1\","
	                   "\"subject\":[{\"name\":\"Python-3.14.0.tar.xz\","
	                   "\"digest\":{\"sha256\":\"%s\"}}],"
	                   "\"predicateType\":\"https://example.org/p/v1\","
	                   "\"predicate\":{\"ok\":true}}",
	                   hex) > 0);
	return out;
}

static void
dsse(const char *config, int timestamp)
{
	pyverify_sign_options o = options(config);
	o.timestamp = timestamp;
	char *tok;
	pyverify_signer *s = keyless_signer(&o, &tok);
	char *st = statement();
	char *json = NULL;
	pyverify_error e;
	cr_assert_eq(pyverify_sign_dsse(s, "application/vnd.in-toto+json", st,
	                                strlen(st), &json, &e),
	             0, "%s: %s", pyverify_step_code(e.step), e.msg);
	pyverify_artifact a = artifact();
	verify(json, &a, NULL);
	cr_assert(strstr(json, "\"dsseEnvelope\"") != NULL);
	free(json);
	free(st);
	pyverify_signer_free(s);
	free(tok);
}

Test(sign_e2e, dsse_rekor_v1)
{
	dsse(config_v1, 0);
	cr_assert_eq(fss_count(fs, FSS_PATH_REKOR1), 1);
}

Test(sign_e2e, dsse_rekor_v2)
{
	dsse(config_v2, 0);
	cr_assert_eq(fss_count(fs, FSS_PATH_REKOR2), 1);
}

Test(sign_e2e, dsse_needs_an_in_toto_statement)
{
	pyverify_sign_options o = options(config_v1);
	char *tok, *json = NULL;
	pyverify_signer *s = keyless_signer(&o, &tok);
	pyverify_error e;
	cr_assert_eq(pyverify_sign_dsse(s, "text/plain", "hi", 2, &json, &e),
	             PYVERIFY_EUSAGE);
	cr_assert_eq(pyverify_sign_dsse(s, "application/vnd.in-toto+json",
	                                "{\"subject\":[]}", 14, &json, &e),
	             PYVERIFY_EUSAGE);
	cr_assert_null(json);
	cr_assert_eq(fss_count(fs, FSS_PATH_REKOR1), 0);
	pyverify_signer_free(s);
	free(tok);
}

static void
token_refused(const struct fss_token_opts *to, const char *needle)
{
	pyverify_sign_options o = options(config_v1);
	pyverify_signer *s = NULL;
	pyverify_error e;
	char *tok = fss_token(fs, to);
	o.identity_token = tok;
	int rc = pyverify_signer_new(&s, &o, &e);
	cr_assert_neq(rc, 0);
	cr_assert_null(s);
	cr_assert_eq(e.step, PYVERIFY_STEP_OIDC, "%s: %s",
	             pyverify_step_code(e.step), e.msg);
	cr_assert(strstr(e.msg, needle) != NULL, "%s", e.msg);
	cr_assert_eq(fss_count(fs, "/fulcio"), 0);
	free(tok);
}

Test(sign_e2e, expired_token_never_reaches_fulcio)
{
	struct fss_token_opts to = { 0 };
	int64_t now = (int64_t)time(NULL);
	to.iat = now - 1200;
	to.nbf = now - 1200;
	to.exp = now - 600;
	token_refused(&to, "expired");
}

Test(sign_e2e, wrong_audience_never_reaches_fulcio)
{
	struct fss_token_opts to = { 0 };
	to.aud = "not-sigstore";
	token_refused(&to, "audience");
}

static void
fulcio_refused(enum fss_fault f, const char *needle)
{
	pyverify_sign_options o = options(config_v1);
	pyverify_signer *s = NULL;
	pyverify_error e;
	char *tok = fss_token(fs, NULL);
	o.identity_token = tok;
	fss_fault(fs, f);
	int rc = pyverify_signer_new(&s, &o, &e);
	fss_fault(fs, FSS_NONE);
	cr_assert_neq(rc, 0, "fault %d accepted", (int)f);
	cr_assert_null(s);
	cr_log_info("fault %d: %s: %s", (int)f, pyverify_step_code(e.step),
	            e.msg);
	cr_assert_eq(e.step, PYVERIFY_STEP_FULCIO, "fault %d: %s: %s", (int)f,
	             pyverify_step_code(e.step), e.msg);
	if (needle != NULL)
		cr_assert(strstr(e.msg, needle) != NULL, "%s", e.msg);
	free(tok);
}

Test(sign_e2e, fulcio_misbehaving_is_refused)
{
	fulcio_refused(FSS_FULCIO_400, "HTTP 400");
	fulcio_refused(FSS_FULCIO_UNTRUSTED_CHAIN, NULL);
	fulcio_refused(FSS_FULCIO_BAD_SCT, NULL);
	fulcio_refused(FSS_FULCIO_NO_SCT, NULL);
	fulcio_refused(FSS_FULCIO_OTHER_KEY, NULL);
	fulcio_refused(FSS_FULCIO_OTHER_IDENTITY, NULL);
	fulcio_refused(FSS_FULCIO_OTHER_ISSUER, NULL);
}

/* A signer made while the services behave, then one fault during
 * signing: the step must be the service's and no bundle handed out. */
static void
sign_refused(const char *config, enum fss_fault f, pyverify_step want)
{
	pyverify_sign_options o = options(config);
	char *tok, *json = NULL;
	pyverify_signer *s = keyless_signer(&o, &tok);
	pyverify_artifact a = artifact();
	pyverify_error e;
	fss_fault(fs, f);
	int rc = pyverify_sign_artifact(s, &a, &json, &e);
	fss_fault(fs, FSS_NONE);
	cr_assert_neq(rc, 0, "fault %d accepted", (int)f);
	cr_assert_null(json);
	cr_log_info("fault %d: %s: %s", (int)f, pyverify_step_code(e.step),
	            e.msg);
	cr_assert_eq(e.step, want, "fault %d: %s: %s", (int)f,
	             pyverify_step_code(e.step), e.msg);
	pyverify_signer_free(s);
	free(tok);
}

Test(sign_e2e, rekor_v1_misbehaving_is_refused)
{
	sign_refused(config_v1, FSS_REKOR_OTHER_BODY, PYVERIFY_STEP_REKOR);
	sign_refused(config_v1, FSS_REKOR_BAD_SET, PYVERIFY_STEP_REKOR);
	sign_refused(config_v1, FSS_REKOR_BAD_PROOF, PYVERIFY_STEP_REKOR);
	sign_refused(config_v1, FSS_REKOR_BAD_CHECKPOINT, PYVERIFY_STEP_REKOR);
}

Test(sign_e2e, rekor_v2_misbehaving_is_refused)
{
	sign_refused(config_v2, FSS_REKOR_OTHER_BODY, PYVERIFY_STEP_REKOR);
	sign_refused(config_v2, FSS_REKOR_BAD_PROOF, PYVERIFY_STEP_REKOR);
	sign_refused(config_v2, FSS_REKOR_BAD_CHECKPOINT, PYVERIFY_STEP_REKOR);
}

Test(sign_e2e, tsa_misbehaving_is_refused)
{
	sign_refused(config_v2, FSS_TSA_WRONG_NONCE, PYVERIFY_STEP_TSA);
	sign_refused(config_v2, FSS_TSA_WRONG_IMPRINT, PYVERIFY_STEP_TSA);
	sign_refused(config_v2, FSS_TSA_UNTRUSTED, PYVERIFY_STEP_TSA);
}

Test(sign_e2e, rekor_v1_409_fetches_the_existing_entry)
{
	pyverify_sign_options o = options(config_v1);
	char *tok;
	pyverify_signer *s = keyless_signer(&o, &tok);
	fss_fault(fs, FSS_REKOR_409);
	char *json = sign_ok(s);
	fss_fault(fs, FSS_NONE);
	pyverify_artifact a = artifact();
	verify(json, &a, NULL);
	free(json);
	pyverify_signer_free(s);
	free(tok);
}

/* ---- a transport of the program's own ------------------------------------ */

struct counting {
	int calls;
};

struct sink {
	unsigned char *p;
	size_t n, max;
	int too_big;
};

static size_t
on_data(char *d, size_t sz, size_t nm, void *u)
{
	struct sink *k = u;
	size_t n = sz * nm;
	if (k->n + n > k->max) {
		k->too_big = 1;
		return 0;
	}
	unsigned char *q = realloc(k->p, k->n + n + 1);
	if (q == NULL)
		return 0;
	memcpy(q + k->n, d, n);
	k->p = q;
	k->n += n;
	return n;
}

static int
curl_transport(void *ctx, const char *method, const char *url,
               const char *const *headers, const void *body, size_t len,
               size_t max_bytes, long *status, char content_type[128],
               unsigned char **out, size_t *out_len, char *why, size_t whylen)
{
	struct counting *c = ctx;
	struct sink k = { NULL, 0, max_bytes, 0 };
	struct curl_slist *h = NULL;
	char *ct = NULL;
	CURL *cu = curl_easy_init();
	CURLcode rc;

	c->calls++;
	if (cu == NULL)
		return -1;
	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++)
		h = curl_slist_append(h, headers[i]);
	curl_easy_setopt(cu, CURLOPT_URL, url);
	curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(cu, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(cu, CURLOPT_TIMEOUT, 30L);
	if (len != 0 || strcmp(method, "POST") == 0) {
		curl_easy_setopt(cu, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE_LARGE,
		                 (curl_off_t)len);
	}
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(cu, CURLOPT_WRITEDATA, &k);
	rc = curl_easy_perform(cu);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, status);
		curl_easy_getinfo(cu, CURLINFO_CONTENT_TYPE, &ct);
		snprintf(content_type, 128, "%s", ct != NULL ? ct : "");
		*out = k.p;
		*out_len = k.n;
	} else {
		snprintf(why, whylen, "%s", k.too_big ? "too big"
		                                      : curl_easy_strerror(rc));
		free(k.p);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(cu);
	return rc == CURLE_OK ? 0 : -1;
}

Test(sign_e2e, a_replaced_transport_carries_every_request)
{
	struct counting c = { 0 };
	pyverify_transport t = { curl_transport, &c };
	pyverify_sign_options o = options(config_v2);
	o.transport = &t;
	char *tok;
	pyverify_signer *s = keyless_signer(&o, &tok);
	char *json = sign_ok(s);
	pyverify_artifact a = artifact();
	verify(json, &a, NULL);
	cr_assert_geq(c.calls, 3); /* Fulcio, TSA, Rekor */
	cr_assert_eq((size_t)c.calls, fss_count(fs, "/"));
	free(json);
	pyverify_signer_free(s);
	free(tok);
}

Test(sign_e2e, options_are_checked)
{
	pyverify_sign_options o = options(config_v1);
	pyverify_signer *s = NULL;
	pyverify_error e;
	cr_assert_eq(pyverify_signer_new(&s, &o, &e), PYVERIFY_EUSAGE);
	o.identity_token = "a.b.c";
	o.key_pem = "x";
	o.key_pem_len = 1;
	cr_assert_eq(pyverify_signer_new(&s, &o, &e), PYVERIFY_EUSAGE);
	cr_assert(strstr(e.msg, "exactly one") != NULL, "%s", e.msg);
	o.identity_token = NULL;
	cr_assert_eq(pyverify_signer_new(&s, &o, &e), PYVERIFY_EUSAGE);
	cr_assert(strstr(e.msg, "PEM") != NULL, "%s", e.msg);
	o.trust_root = NULL;
	cr_assert_eq(pyverify_signer_new(&s, &o, &e), PYVERIFY_EUSAGE);
	cr_assert_null(s);
	cr_assert_eq(fss_count(fs, "/"), 0);
}

static pyverify_signer *
managed_signer(EVP_PKEY *k, const char *config, char **priv, char **pub)
{
	managed_key_of(k, priv, pub);
	pyverify_sign_options o = options(config);
	o.key_pem = *priv;
	o.key_pem_len = strlen(*priv);
	pyverify_signer *s = NULL;
	pyverify_error e;
	cr_assert_eq(pyverify_signer_new(&s, &o, &e), 0, "%s", e.msg);
	return s;
}

Test(sign_e2e, managed_p384_key_rekor_v1)
{
	char *priv, *pub;
	pyverify_signer *s =
	    managed_signer(EVP_EC_gen("P-384"), config_v1, &priv, &pub);
	char *json = sign_ok(s);
	pyverify_artifact a = artifact();
	verify(json, &a, pub);
	free(json);
	pyverify_signer_free(s);
	free(priv);
	free(pub);
}

Test(sign_e2e, managed_ed25519_key_signs_dsse_not_messages)
{
	char *priv, *pub, *json = NULL;
	pyverify_signer *s = managed_signer(
	    EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"), config_v1, &priv, &pub);
	pyverify_artifact a = artifact();
	pyverify_error e;
	cr_assert_eq(pyverify_sign_artifact(s, &a, &json, &e), PYVERIFY_EUSAGE);
	cr_assert(strstr(e.msg, "Ed25519") != NULL, "%s", e.msg);
	cr_assert_eq(fss_count(fs, "/"), 0);
	char *st = statement();
	cr_assert_eq(pyverify_sign_dsse(s, "application/vnd.in-toto+json", st,
	                                strlen(st), &json, &e),
	             0, "%s: %s", pyverify_step_code(e.step), e.msg);
	verify(json, &a, pub);
	free(json);
	free(st);
	pyverify_signer_free(s);
	free(priv);
	free(pub);
}

Test(sign_e2e, managed_key_not_p256_is_refused_for_rekor_v2)
{
	char *priv, *pub;
	managed_key_of(EVP_EC_gen("P-384"), &priv, &pub);
	pyverify_sign_options o = options(config_v2);
	o.key_pem = priv;
	o.key_pem_len = strlen(priv);
	pyverify_signer *s = NULL;
	pyverify_error e;
	cr_assert_eq(pyverify_signer_new(&s, &o, &e), PYVERIFY_EUSAGE);
	cr_assert(strstr(e.msg, "P-256") != NULL, "%s", e.msg);
	free(priv);
	free(pub);
}

Test(sign_e2e, an_expired_certificate_is_not_used)
{
	pyverify_sign_options o = options(config_v1);
	char *tok, *json = NULL;
	/* Made at the real time (the fake Fulcio stamps notBefore when it
	 * answers: a clock fixed before the request could be a second
	 * behind it), then an hour later: Fulcio's ten minutes are over. */
	pyverify_signer *s = keyless_signer(&o, &tok);
	s->now = (int64_t)time(NULL) + 3600;
	pyverify_artifact a = artifact();
	pyverify_error e;
	cr_assert_eq(pyverify_sign_artifact(s, &a, &json, &e), PYVERIFY_EUSAGE);
	cr_assert_eq(e.step, PYVERIFY_STEP_FULCIO);
	cr_assert(strstr(e.msg, "expired") != NULL, "%s", e.msg);
	cr_assert_null(json);
	cr_assert_eq(fss_count(fs, "/rekor"), 0);
	pyverify_signer_free(s);
	free(tok);
}
