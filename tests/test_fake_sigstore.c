/*
 * test_fake_sigstore.c - the loopback fakes of tests/support/fake_sigstore.h
 * answer well-formed requests as the real services do, and what they issue
 * verifies with the library: a Fulcio certificate and a Rekor v1 entry (or
 * a Rekor v2 entry and a TSA timestamp) assembled by hand into a bundle
 * pass pyverify_verify against fss_trust_root_json(). Requests are made
 * here with libcurl, independent of the signer. Their misbehaviour is
 * checked where it shows in the answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "fake_sigstore.h"
#include "vrun.h"

TestSuite(fake_sigstore, .timeout = 60);

#define ARTIFACT "fake sigstore artifact\n"

/* ---- a small HTTP client ------------------------------------------------ */

struct answer {
	long status;
	char *body;
	size_t len;
	char location[512];
};

static size_t collect(char *p, size_t sz, size_t n, void *ctx)
{
	struct answer *a = ctx;
	char *b = realloc(a->body, a->len + sz * n + 1);

	if (b == NULL)
		return 0;
	memcpy(b + a->len, p, sz * n);
	a->len += sz * n;
	b[a->len] = '\0';
	a->body = b;
	return sz * n;
}

static size_t header(char *p, size_t sz, size_t n, void *ctx)
{
	struct answer *a = ctx;
	size_t len = sz * n;

	if (len > 10 && strncasecmp(p, "Location: ", 10) == 0) {
		size_t l = len - 10;

		while (l > 0 && (p[10 + l - 1] == '\r' || p[10 + l - 1] == '\n'))
			l--;
		if (l < sizeof(a->location)) {
			memcpy(a->location, p + 10, l);
			a->location[l] = '\0';
		}
	}
	return len;
}

/* One exchange; returns the curl code. timeout_ms 0: 10 s. */
static CURLcode http(const char *method, const char *url, const char *hdr1,
                     const char *hdr2, const void *body, size_t len,
                     long timeout_ms, struct answer *a)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	CURLcode rc;

	memset(a, 0, sizeof(*a));
	cr_assert_not_null(c);
	if (hdr1)
		h = curl_slist_append(h, hdr1);
	if (hdr2)
		h = curl_slist_append(h, hdr2);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms ? timeout_ms : 10000L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)1 << 20);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return rc;
}

static json_t *answer_json(const struct answer *a)
{
	json_t *j = json_loadb(a->body ? a->body : "", a->len, 0, NULL);

	cr_assert_not_null(j, "not JSON: %.200s", a->body ? a->body : "");
	return j;
}

/* The token request's form (redirect_uri http://127.0.0.1:1/cb). */
static char *token_form(const char *code, const char *verifier)
{
	size_t n = strlen(code) + strlen(verifier) + 200;
	char *o = malloc(n);

	cr_assert_not_null(o);
	snprintf(o, n,
	         "grant_type=authorization_code&code=%s&redirect_uri="
	         "http%%3A%%2F%%2F127.0.0.1%%3A1%%2Fcb&code_verifier=%s"
	         "&client_id=sigstore",
	         code, verifier);
	return o;
}

/* ---- encodings ----------------------------------------------------------- */

static char *b64(const void *d, size_t n)
{
	char *o = malloc(4 * ((n + 2) / 3) + 1);

	cr_assert_not_null(o);
	EVP_EncodeBlock((unsigned char *)o, d, (int)n);
	return o;
}

static json_t *jb64(const void *d, size_t n)
{
	char *s = b64(d, n);
	json_t *j = json_string(s);

	free(s);
	return j;
}

static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = strlen(h) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned v;

		cr_assert_eq(sscanf(h + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static json_t *hex_to_jb64(const char *h)
{
	uint8_t buf[64];

	cr_assert(strlen(h) <= 128);
	return jb64(buf, unhex(h, buf));
}

static char *pem_text(X509 *x, EVP_PKEY *k)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p = NULL, *out;
	long n;

	cr_assert(x ? PEM_write_bio_X509(bio, x) : PEM_write_bio_PUBKEY(bio, k));
	n = BIO_get_mem_data(bio, &p);
	out = strndup(p, (size_t)n);
	BIO_free(bio);
	return out;
}

/* ---- the fixtures of one signing ---------------------------------------- */

struct signing {
	struct fss *s;
	EVP_PKEY *key;      /* ephemeral P-256 */
	X509 *leaf;         /* from the fake Fulcio */
	uint8_t digest[32]; /* of ARTIFACT */
	uint8_t *sig;       /* ECDSA over the digest, DER */
	size_t siglen;
};

static char *csr_request(EVP_PKEY *key, const char *token, int break_sig)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = X509_NAME_new();
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem = NULL, *pem64, *out;
	long n;
	json_t *j;

	cr_assert(req && name && bio);
	X509_NAME_add_entry_by_txt(name, "emailAddress", MBSTRING_UTF8,
	                           (const unsigned char *)"dev@example.org", -1,
	                           -1, 0);
	cr_assert(X509_REQ_set_subject_name(req, name) == 1);
	cr_assert(X509_REQ_set_pubkey(req, key) == 1);
	cr_assert(X509_REQ_sign(req, key, EVP_sha256()) > 0);
	if (break_sig) {
		/* Sign with another key: the proof of possession fails. */
		EVP_PKEY *other = EVP_EC_gen("P-256");

		cr_assert(X509_REQ_sign(req, other, EVP_sha256()) > 0);
		cr_assert(X509_REQ_set_pubkey(req, key) == 1);
		EVP_PKEY_free(other);
	}
	cr_assert(PEM_write_bio_X509_REQ(bio, req) == 1);
	n = BIO_get_mem_data(bio, &pem);
	pem64 = b64(pem, (size_t)n);
	j = json_pack("{s:{s:s}, s:s}", "credentials", "oidcIdentityToken",
	              token, "certificateSigningRequest", pem64);
	out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	free(pem64);
	BIO_free(bio);
	X509_NAME_free(name);
	X509_REQ_free(req);
	return out;
}

/* POSTs a CSR for key; returns the answer. */
static void fulcio_post(struct fss *s, EVP_PKEY *key, const char *token,
                        int bearer, int break_sig, struct answer *a)
{
	char url[256], auth[4096];
	char *body = csr_request(key, token, break_sig);

	snprintf(url, sizeof(url), "%s/api/v2/signingCert", fss_fulcio_url(s));
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	cr_assert_eq(http("POST", url, "Content-Type: application/json",
	                  bearer ? auth : NULL, body, strlen(body), 0, a),
	             CURLE_OK);
	free(body);
}

static X509 *pem_cert(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);

	BIO_free(bio);
	cr_assert_not_null(x, "not a PEM certificate");
	return x;
}

static void signing_init_fault(struct signing *g, enum fss_fault f);

static void signing_init(struct signing *g)
{
	signing_init_fault(g, FSS_NONE);
}

/* Starts the fakes with Fulcio fault f, gets a certificate and signs. */
static void signing_init_fault(struct signing *g, enum fss_fault f)
{
	struct answer a;
	char *tok;
	json_t *j, *certs;
	EVP_PKEY_CTX *ctx;

	memset(g, 0, sizeof(*g));
	g->s = fss_start();
	fss_fault(g->s, f);
	g->key = EVP_EC_gen("P-256");
	tok = fss_token(g->s, NULL);
	fulcio_post(g->s, g->key, tok, 1, 0, &a);
	free(tok);
	cr_assert_eq(a.status, 200, "fulcio: %ld %s", a.status, a.body);
	j = answer_json(&a);
	certs = json_object_get(json_object_get(json_object_get(
	                            j, "signedCertificateEmbeddedSct"), "chain"),
	                        "certificates");
	cr_assert_eq(json_array_size(certs), 3);
	g->leaf = pem_cert(json_string_value(json_array_get(certs, 0)));
	json_decref(j);
	free(a.body);
	vs_sha256(g->digest, ARTIFACT, strlen(ARTIFACT));
	ctx = EVP_PKEY_CTX_new(g->key, NULL);
	cr_assert(EVP_PKEY_sign_init(ctx) == 1);
	cr_assert(EVP_PKEY_sign(ctx, NULL, &g->siglen, g->digest, 32) == 1);
	g->sig = malloc(g->siglen);
	cr_assert(EVP_PKEY_sign(ctx, g->sig, &g->siglen, g->digest, 32) == 1);
	EVP_PKEY_CTX_free(ctx);
}

static void signing_free(struct signing *g)
{
	free(g->sig);
	X509_free(g->leaf);
	EVP_PKEY_free(g->key);
	fss_stop(g->s);
}

static char *hashedrekord(const struct signing *g)
{
	char hex[65], *sig64, *pem = pem_text(g->leaf, NULL), *pem64, *out;
	json_t *j;

	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", g->digest[i]);
	sig64 = b64(g->sig, g->siglen);
	pem64 = b64(pem, strlen(pem));
	j = json_pack("{s:s, s:s, s:{s:{s:{s:s, s:s}}, s:{s:s, s:{s:s}}}}",
	              "apiVersion", "0.0.1", "kind", "hashedrekord", "spec",
	              "data", "hash", "algorithm", "sha256", "value", hex,
	              "signature", "content", sig64, "publicKey", "content",
	              pem64);
	out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	free(sig64);
	free(pem64);
	free(pem);
	return out;
}

static void rekor1_post(struct signing *g, struct answer *a)
{
	char url[256], *body = hashedrekord(g);

	snprintf(url, sizeof(url), "%s/api/v1/log/entries",
	         fss_rekor1_url(g->s));
	cr_assert_eq(http("POST", url, "Content-Type: application/json", NULL,
	                  body, strlen(body), 0, a),
	             CURLE_OK);
	free(body);
}

static json_t *dec(const json_t *n)
{
	char t[32];

	cr_assert(json_is_integer(n));
	snprintf(t, sizeof(t), "%lld", (long long)json_integer_value(n));
	return json_string(t);
}

/* The Rekor v1 LogEntry {uuid: entry} as a bundle's TransparencyLogEntry. */
static json_t *tle_of_v1(json_t *answer, const char *kind)
{
	const char *uuid;
	json_t *e = NULL, *v, *proof, *hashes = json_array(), *h;
	size_t i;

	cr_assert_eq(json_object_size(answer), 1);
	json_object_foreach(answer, uuid, h)
		e = h;
	(void)uuid;
	v = json_object_get(e, "verification");
	proof = json_object_get(v, "inclusionProof");
	json_array_foreach(json_object_get(proof, "hashes"), i, h)
		json_array_append_new(hashes, hex_to_jb64(json_string_value(h)));
	return json_pack(
	    "{s:o, s:{s:o}, s:{s:s, s:s}, s:o, s:{s:O}, s:{s:o, s:o, s:o, "
	    "s:o, s:{s:O}}, s:O}",
	    "logIndex", dec(json_object_get(e, "logIndex")), "logId", "keyId",
	    hex_to_jb64(json_string_value(json_object_get(e, "logID"))),
	    "kindVersion", "kind", kind, "version", "0.0.1", "integratedTime",
	    dec(json_object_get(e, "integratedTime")), "inclusionPromise",
	    "signedEntryTimestamp", json_object_get(v, "signedEntryTimestamp"),
	    "inclusionProof", "logIndex", dec(json_object_get(proof, "logIndex")),
	    "rootHash",
	    hex_to_jb64(json_string_value(json_object_get(proof, "rootHash"))),
	    "treeSize", dec(json_object_get(proof, "treeSize")), "hashes",
	    hashes, "checkpoint", "envelope", json_object_get(proof, "checkpoint"),
	    "canonicalizedBody", json_object_get(e, "body"));
}

/* A v0.3 message-signature bundle; tsr (DER TimeStampResp) optional. */
static json_t *bundle(const struct signing *g, json_t *tle,
                      const uint8_t *tsr, size_t tsr_len)
{
	unsigned char *der = NULL;
	int n = i2d_X509(g->leaf, &der);
	json_t *b, *vm;

	cr_assert(n > 0);
	vm = json_pack("{s:{s:o}, s:[o]}", "certificate", "rawBytes",
	               jb64(der, (size_t)n), "tlogEntries", tle);
	OPENSSL_free(der);
	if (tsr != NULL)
		json_object_set_new(vm, "timestampVerificationData",
		                    json_pack("{s:[{s:o}]}", "rfc3161Timestamps",
		                              "signedTimestamp", jb64(tsr, tsr_len)));
	b = json_pack("{s:s, s:o, s:{s:{s:s, s:o}, s:o}}", "mediaType",
	              "application/vnd.dev.sigstore.bundle.v0.3+json",
	              "verificationMaterial", vm, "messageSignature",
	              "messageDigest", "algorithm", "SHA2_256", "digest",
	              jb64(g->digest, 32), "signature", jb64(g->sig, g->siglen));
	cr_assert_not_null(b);
	return b;
}

/* Verifies bundle b of ARTIFACT against the fakes' trusted root. */
static int verify(struct signing *g, json_t *b, pyverify_error *err)
{
	char *root_text = fss_trust_root_json(g->s);
	json_t *root = json_loads(root_text, 0, NULL);
	struct vr_opts o = {.artifact = ARTIFACT,
	                    .len = strlen(ARTIFACT),
	                    .identity = "dev@example.org",
	                    .issuer = fss_oidc_issuer(g->s),
	                    .now = (int64_t)time(NULL) + 2};
	pyverify_result res;
	int rc;

	free(root_text);
	cr_assert_not_null(root);
	rc = vr_run(root, b, &o, &res, err);
	json_decref(root);
	return rc;
}

/* A TimeStampReq over SHA-256(data) with nonce; DER, malloc'd. */
static uint8_t *ts_request(const void *data, size_t len, long nonce,
                           size_t *out_len)
{
	TS_REQ *req = TS_REQ_new();
	TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_INTEGER *n = ASN1_INTEGER_new();
	uint8_t h[32], *out;
	unsigned char *der = NULL;
	int dl;

	vs_sha256(h, data, len);
	cr_assert(X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL,
	                          NULL));
	cr_assert(TS_MSG_IMPRINT_set_algo(mi, alg));
	cr_assert(TS_MSG_IMPRINT_set_msg(mi, h, 32));
	cr_assert(ASN1_INTEGER_set(n, nonce));
	cr_assert(TS_REQ_set_version(req, 1) && TS_REQ_set_msg_imprint(req, mi) &&
	          TS_REQ_set_nonce(req, n) && TS_REQ_set_cert_req(req, 1));
	dl = i2d_TS_REQ(req, &der);
	cr_assert(dl > 0);
	out = malloc((size_t)dl);
	memcpy(out, der, (size_t)dl);
	*out_len = (size_t)dl;
	OPENSSL_free(der);
	ASN1_INTEGER_free(n);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(mi);
	TS_REQ_free(req);
	return out;
}

static TS_RESP *tsa_post(struct fss *s, const void *data, size_t len,
                         long nonce, struct answer *a)
{
	size_t rl;
	uint8_t *req = ts_request(data, len, nonce, &rl);
	const unsigned char *p;
	TS_RESP *resp;

	cr_assert_eq(http("POST", fss_tsa_url(s),
	                  "Content-Type: application/timestamp-query", NULL, req,
	                  rl, 0, a),
	             CURLE_OK);
	free(req);
	if (a->status != 200)
		return NULL;
	p = (const unsigned char *)a->body;
	resp = d2i_TS_RESP(NULL, &p, (long)a->len);
	cr_assert_not_null(resp);
	return resp;
}

static long resp_nonce(TS_RESP *r)
{
	TS_TST_INFO *ti = TS_RESP_get_tst_info(r);

	cr_assert_not_null(ti);
	return ASN1_INTEGER_get(TS_TST_INFO_get_nonce(ti));
}

/* ---- Fulcio --------------------------------------------------------------- */

Test(fake_sigstore, fulcio_certifies_the_csr_key_and_token_identity)
{
	struct signing g;
	EVP_PKEY *pub;
	GENERAL_NAMES *san;
	const GENERAL_NAME *gn;

	signing_init(&g);
	pub = X509_get0_pubkey(g.leaf);
	cr_assert_eq(EVP_PKEY_eq(pub, g.key), 1, "not our key");
	san = X509_get_ext_d2i(g.leaf, NID_subject_alt_name, NULL, NULL);
	cr_assert_eq(sk_GENERAL_NAME_num(san), 1);
	gn = sk_GENERAL_NAME_value(san, 0);
	cr_assert_eq(gn->type, GEN_EMAIL);
	cr_assert_str_eq((const char *)ASN1_STRING_get0_data(gn->d.rfc822Name),
	                 "dev@example.org");
	GENERAL_NAMES_free(san);
	cr_assert_eq(X509_verify(g.leaf, X509_get0_pubkey(
	                                     vs_intermediate(fss_vs(g.s)))),
	             1, "not issued by the vs intermediate");
	cr_assert_eq(fss_count(g.s, FSS_PATH_FULCIO), 1);
	signing_free(&g);
}

Test(fake_sigstore, fulcio_refuses_bad_tokens_and_csrs)
{
	struct fss *s = fss_start();
	EVP_PKEY *key = EVP_EC_gen("P-256");
	struct fss_token_opts expired = {.exp = (int64_t)time(NULL) - 10,
	                                 .iat = (int64_t)time(NULL) - 700};
	struct fss_token_opts aud = {.aud = "other"};
	struct answer a;
	char *tok;

	tok = fss_token(s, &expired);
	fulcio_post(s, key, tok, 1, 0, &a);
	cr_assert_eq(a.status, 401);
	cr_assert(strstr(a.body, "expired") != NULL, "%s", a.body);
	free(a.body);
	free(tok);
	tok = fss_token(s, &aud);
	fulcio_post(s, key, tok, 0, 0, &a); /* credentials form */
	cr_assert_eq(a.status, 401);
	cr_assert(strstr(a.body, "audience") != NULL, "%s", a.body);
	free(a.body);
	free(tok);
	tok = fss_token(s, NULL);
	fulcio_post(s, key, tok, 1, 1, &a);
	cr_assert_eq(a.status, 400);
	cr_assert(strstr(a.body, "proof of possession") != NULL, "%s", a.body);
	free(a.body);
	fss_fault(s, FSS_FULCIO_400);
	fulcio_post(s, key, tok, 1, 0, &a);
	cr_assert_eq(a.status, 400);
	cr_assert(strstr(a.body, "\"message\"") != NULL, "%s", a.body);
	free(a.body);
	fss_fault(s, FSS_NONE);
	fss_fault(s, FSS_FULCIO_500);
	fulcio_post(s, key, tok, 1, 0, &a);
	cr_assert_eq(a.status, 500);
	free(a.body);
	fss_fault(s, FSS_NONE);
	fss_fault(s, FSS_FULCIO_OTHER_KEY);
	fulcio_post(s, key, tok, 1, 0, &a);
	cr_assert_eq(a.status, 200);
	cr_assert_neq(EVP_PKEY_eq(X509_get0_pubkey(fss_last_cert(s)), key), 1);
	free(a.body);
	free(tok);
	EVP_PKEY_free(key);
	fss_stop(s);
}

Test(fake_sigstore, fulcio_faults_make_bundles_pyverify_refuses)
{
	static const enum fss_fault faults[] = {
	    FSS_FULCIO_UNTRUSTED_CHAIN, FSS_FULCIO_BAD_SCT, FSS_FULCIO_NO_SCT,
	    FSS_FULCIO_OTHER_IDENTITY, FSS_FULCIO_OTHER_ISSUER};

	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		struct signing g;
		struct answer a;
		json_t *j, *b;
		pyverify_error err = {0};
		int rc;

		signing_init_fault(&g, faults[i]);
		rekor1_post(&g, &a);
		cr_assert_eq(a.status, 201, "fault %zu: %s", i, a.body);
		j = answer_json(&a);
		free(a.body);
		b = bundle(&g, tle_of_v1(j, "hashedrekord"), NULL, 0);
		rc = verify(&g, b, &err);
		cr_assert(rc == PYVERIFY_EREJECT || rc == PYVERIFY_EPARSE,
		          "fault %zu: status %d (%s)", i, rc, err.msg);
		cr_log_info("fulcio fault %zu refused at [%s]: %s", i,
		            pyverify_step_code(err.step), err.msg);
		json_decref(b);
		json_decref(j);
		signing_free(&g);
	}
}

/* ---- Rekor v1 --------------------------------------------------------------- */

Test(fake_sigstore, rekor1_entry_makes_a_bundle_pyverify_accepts)
{
	struct signing g;
	struct answer a;
	json_t *j, *b;
	pyverify_error err;
	int rc;

	signing_init(&g);
	rekor1_post(&g, &a);
	cr_assert_eq(a.status, 201, "rekor: %ld %s", a.status, a.body);
	j = answer_json(&a);
	free(a.body);
	b = bundle(&g, tle_of_v1(j, "hashedrekord"), NULL, 0);
	rc = verify(&g, b, &err);
	cr_assert_eq(rc, 0, "verify: %s", err.msg);
	json_decref(b);
	json_decref(j);
	signing_free(&g);
}

Test(fake_sigstore, rekor1_second_upload_is_409_and_get_finds_it)
{
	struct signing g;
	struct answer a, a2, a3;
	json_t *j1, *j3;
	const char *uuid;
	json_t *v;

	signing_init(&g);
	rekor1_post(&g, &a);
	cr_assert_eq(a.status, 201);
	rekor1_post(&g, &a2);
	cr_assert_eq(a2.status, 409);
	cr_assert(a2.location[0] != '\0', "no Location");
	cr_assert_eq(http("GET", a2.location, NULL, NULL, NULL, 0, 0, &a3),
	             CURLE_OK);
	cr_assert_eq(a3.status, 200, "%s", a2.location);
	j1 = answer_json(&a);
	j3 = answer_json(&a3);
	json_object_foreach(j1, uuid, v)
		cr_assert_not_null(json_object_get(j3, uuid));
	cr_assert_eq(fss_count(g.s, FSS_PATH_REKOR1), 3);
	json_decref(j1);
	json_decref(j3);
	free(a.body);
	free(a2.body);
	free(a3.body);
	signing_free(&g);
}

Test(fake_sigstore, rekor1_faults_make_bundles_pyverify_refuses)
{
	static const enum fss_fault faults[] = {
	    FSS_REKOR_OTHER_BODY, FSS_REKOR_BAD_SET, FSS_REKOR_BAD_PROOF,
	    FSS_REKOR_BAD_CHECKPOINT};

	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		struct signing g;
		struct answer a;
		json_t *j, *b;
		pyverify_error err = {0};
		int rc;

		signing_init(&g);
		fss_fault(g.s, faults[i]);
		rekor1_post(&g, &a);
		cr_assert_eq(a.status, 201, "fault %zu: %s", i, a.body);
		j = answer_json(&a);
		free(a.body);
		b = bundle(&g, tle_of_v1(j, "hashedrekord"), NULL, 0);
		rc = verify(&g, b, &err);
		cr_assert(rc == PYVERIFY_EREJECT || rc == PYVERIFY_EPARSE,
		          "fault %zu: status %d (%s)", i, rc, err.msg);
		cr_log_info("rekor fault %zu refused at [%s]: %s", i,
		            pyverify_step_code(err.step), err.msg);
		json_decref(b);
		json_decref(j);
		signing_free(&g);
	}
}

/* ---- Rekor v2 and the TSA ------------------------------------------------- */

static json_t *rekor2_post(struct signing *g, struct answer *a)
{
	char url[256], *body;
	unsigned char *der = NULL;
	int n = i2d_X509(g->leaf, &der);
	json_t *req = json_pack(
	    "{s:{s:o, s:{s:o, s:{s:{s:o}, s:s}}}}", "hashedRekordRequestV002",
	    "digest", jb64(g->digest, 32), "signature", "content",
	    jb64(g->sig, g->siglen), "verifier", "x509Certificate", "rawBytes",
	    jb64(der, (size_t)n), "keyDetails", "PKIX_ECDSA_P256_SHA_256");

	OPENSSL_free(der);
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	snprintf(url, sizeof(url), "%s/api/v2/log/entries",
	         fss_rekor2_url(g->s));
	cr_assert_eq(http("POST", url, "Content-Type: application/json", NULL,
	                  body, strlen(body), 0, a),
	             CURLE_OK);
	free(body);
	return a->status == 201 ? answer_json(a) : NULL;
}

Test(fake_sigstore, rekor2_entry_and_tsa_timestamp_make_a_bundle_pyverify_accepts)
{
	struct signing g;
	struct answer a, t;
	json_t *tle, *b;
	TS_RESP *resp;
	unsigned char *der = NULL;
	int n;
	pyverify_error err = {0};

	signing_init(&g);
	tle = rekor2_post(&g, &a);
	cr_assert_not_null(tle, "rekor2: %ld %s", a.status, a.body);
	free(a.body);
	resp = tsa_post(g.s, g.sig, g.siglen, 777, &t);
	cr_assert_not_null(resp, "tsa: %ld", t.status);
	cr_assert_eq(resp_nonce(resp), 777);
	n = i2d_TS_RESP(resp, &der);
	b = bundle(&g, tle, der, (size_t)n);
	cr_assert_eq(verify(&g, b, &err), 0, "verify: [%s] %s",
	             pyverify_step_code(err.step), err.msg);
	OPENSSL_free(der);
	TS_RESP_free(resp);
	free(t.body);
	json_decref(b);
	signing_free(&g);
}

Test(fake_sigstore, rekor2_faults_make_bundles_pyverify_refuses)
{
	static const enum fss_fault faults[] = {
	    FSS_REKOR_OTHER_BODY, FSS_REKOR_BAD_PROOF, FSS_REKOR_BAD_CHECKPOINT};

	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		struct signing g;
		struct answer a, t;
		json_t *tle, *b;
		TS_RESP *resp;
		unsigned char *der = NULL;
		int n, rc;
		pyverify_error err = {0};

		signing_init(&g);
		fss_fault(g.s, faults[i]);
		tle = rekor2_post(&g, &a);
		cr_assert_not_null(tle);
		free(a.body);
		resp = tsa_post(g.s, g.sig, g.siglen, 1, &t);
		cr_assert_not_null(resp);
		n = i2d_TS_RESP(resp, &der);
		b = bundle(&g, tle, der, (size_t)n);
		rc = verify(&g, b, &err);
		cr_assert(rc == PYVERIFY_EREJECT || rc == PYVERIFY_EPARSE,
		          "fault %zu: status %d (%s)", i, rc, err.msg);
		OPENSSL_free(der);
		TS_RESP_free(resp);
		free(t.body);
		json_decref(b);
		signing_free(&g);
	}
}

Test(fake_sigstore, tsa_echoes_nonce_and_imprint_and_misbehaves)
{
	struct fss *s = fss_start();
	struct answer a;
	TS_RESP *r;
	uint8_t h[32];
	const ASN1_OCTET_STRING *imp;

	r = tsa_post(s, "sig", 3, 12345, &a);
	cr_assert_not_null(r);
	cr_assert_eq(ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(
	                 TS_RESP_get_status_info(r))), 0);
	cr_assert_eq(resp_nonce(r), 12345);
	vs_sha256(h, "sig", 3);
	imp = TS_MSG_IMPRINT_get_msg(
	    TS_TST_INFO_get_msg_imprint(TS_RESP_get_tst_info(r)));
	cr_assert_eq(memcmp(ASN1_STRING_get0_data(imp), h, 32), 0);
	TS_RESP_free(r);
	free(a.body);

	fss_fault(s, FSS_TSA_WRONG_NONCE);
	r = tsa_post(s, "sig", 3, 12345, &a);
	cr_assert_neq(resp_nonce(r), 12345);
	TS_RESP_free(r);
	free(a.body);
	fss_fault(s, FSS_NONE);

	fss_fault(s, FSS_TSA_WRONG_IMPRINT);
	r = tsa_post(s, "sig", 3, 1, &a);
	imp = TS_MSG_IMPRINT_get_msg(
	    TS_TST_INFO_get_msg_imprint(TS_RESP_get_tst_info(r)));
	cr_assert_neq(memcmp(ASN1_STRING_get0_data(imp), h, 32), 0);
	TS_RESP_free(r);
	free(a.body);
	fss_fault(s, FSS_NONE);

	fss_fault(s, FSS_TSA_REJECTED);
	r = tsa_post(s, "sig", 3, 1, &a);
	cr_assert_eq(ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(
	                 TS_RESP_get_status_info(r))), 2);
	TS_RESP_free(r);
	free(a.body);
	fss_fault(s, FSS_NONE);

	fss_fault(s, FSS_TSA_500);
	cr_assert_null(tsa_post(s, "sig", 3, 1, &a));
	cr_assert_eq(a.status, 500);
	free(a.body);
	fss_stop(s);
}

/* ---- OIDC and GitHub Actions ------------------------------------------- */

Test(fake_sigstore, oidc_pkce_flow_issues_a_token)
{
	struct fss *s = fss_start();
	struct answer a, t;
	char url[256], *auth, *code, *form;
	const char *redirect = "http://127.0.0.1:1/cb";
	const char *verifier = "verifier-0123456789-0123456789-0123456789-x";
	json_t *j, *claims;
	const char *tok, *dot;

	snprintf(url, sizeof(url), "%s/.well-known/openid-configuration",
	         fss_oidc_issuer(s));
	cr_assert_eq(http("GET", url, NULL, NULL, NULL, 0, 0, &a), CURLE_OK);
	j = answer_json(&a);
	cr_assert_str_eq(json_string_value(json_object_get(j, "issuer")),
	                 fss_oidc_issuer(s));
	json_decref(j);
	free(a.body);

	auth = fss_authorize_url(s, redirect, "st@te", verifier);
	cr_assert_eq(http("GET", auth, NULL, NULL, NULL, 0, 0, &a), CURLE_OK);
	cr_assert_eq(a.status, 302);
	cr_assert(strncmp(a.location, redirect, strlen(redirect)) == 0, "%s",
	          a.location);
	cr_assert(strstr(a.location, "state=st%40te") != NULL, "%s",
	          a.location);
	code = strstr(a.location, "code=") + 5;
	code = strndup(code, strcspn(code, "&"));
	free(a.body);
	free(auth);

	/* A wrong verifier spends the code. */
	form = token_form(code, "wrong");
	snprintf(url, sizeof(url), "%s/token", fss_oidc_issuer(s));
	cr_assert_eq(http("POST", url, NULL, NULL, form, strlen(form), 0, &t),
	             CURLE_OK);
	cr_assert_eq(t.status, 400);
	free(t.body);
	free(form);
	free(code);

	auth = fss_authorize_url(s, redirect, "s2", verifier);
	cr_assert_eq(http("GET", auth, NULL, NULL, NULL, 0, 0, &a), CURLE_OK);
	code = strstr(a.location, "code=") + 5;
	code = strndup(code, strcspn(code, "&"));
	form = token_form(code, verifier);
	cr_assert_eq(http("POST", url, "Authorization: Basic c2lnc3RvcmU6",
	                  NULL, form, strlen(form), 0, &t),
	             CURLE_OK);
	cr_assert_eq(t.status, 200, "%s", t.body);
	j = answer_json(&t);
	tok = json_string_value(json_object_get(j, "id_token"));
	cr_assert_not_null(tok);
	dot = strchr(tok, '.');
	cr_assert_not_null(dot);
	{
		char *part = strndup(dot + 1, strcspn(dot + 1, "."));
		size_t n = strlen(part), m;
		uint8_t *raw;

		for (size_t i = 0; i < n; i++)
			part[i] = part[i] == '-' ? '+' : part[i] == '_' ? '/' : part[i];
		part = realloc(part, n + 4);
		while (n % 4)
			part[n++] = '=';
		part[n] = '\0';
		raw = malloc(n);
		m = (size_t)EVP_DecodeBlock(raw, (unsigned char *)part, (int)n);
		while (m > 0 && raw[m - 1] == 0)
			m--;
		claims = json_loadb((char *)raw, m, 0, NULL);
		cr_assert_not_null(claims, "claims: %.*s", (int)m, raw);
		cr_assert_str_eq(json_string_value(json_object_get(claims, "iss")),
		                 fss_oidc_issuer(s));
		cr_assert_str_eq(json_string_value(json_object_get(claims, "email")),
		                 "dev@example.org");
		cr_assert_str_eq(json_string_value(json_object_get(claims, "aud")),
		                 "sigstore");
		json_decref(claims);
		free(raw);
		free(part);
	}
	json_decref(j);
	free(t.body);
	free(a.body);
	free(form);
	free(code);
	free(auth);
	fss_stop(s);
}

Test(fake_sigstore, gha_endpoint_needs_the_bearer)
{
	struct fss *s = fss_start();
	struct answer a;
	char url[256], auth[128];
	json_t *j;

	snprintf(url, sizeof(url), "%s&audience=sigstore", fss_gha_url(s));
	snprintf(auth, sizeof(auth), "Authorization: bearer %s",
	         fss_gha_bearer(s));
	cr_assert_eq(http("GET", url, auth, NULL, NULL, 0, 0, &a), CURLE_OK);
	cr_assert_eq(a.status, 200, "%s", a.body);
	j = answer_json(&a);
	cr_assert(json_is_string(json_object_get(j, "value")));
	json_decref(j);
	free(a.body);
	cr_assert_eq(http("GET", url, "Authorization: bearer nope", NULL, NULL,
	                  0, 0, &a),
	             CURLE_OK);
	cr_assert_eq(a.status, 401);
	free(a.body);
	cr_assert_eq(fss_count(s, FSS_PATH_GHA), 2);
	fss_stop(s);
}

Test(fake_sigstore, gha_token_certifies_as_uri_identity)
{
	struct fss *s = fss_start();
	struct answer a;
	char url[256], auth[128];
	json_t *j;
	EVP_PKEY *key = EVP_EC_gen("P-256");
	GENERAL_NAMES *san;
	const GENERAL_NAME *gn;

	snprintf(url, sizeof(url), "%s&audience=sigstore", fss_gha_url(s));
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
	         fss_gha_bearer(s));
	cr_assert_eq(http("GET", url, auth, NULL, NULL, 0, 0, &a), CURLE_OK);
	j = answer_json(&a);
	free(a.body);
	fulcio_post(s, key, json_string_value(json_object_get(j, "value")), 1,
	            0, &a);
	cr_assert_eq(a.status, 200, "%s", a.body);
	san = X509_get_ext_d2i(fss_last_cert(s), NID_subject_alt_name, NULL,
	                       NULL);
	gn = sk_GENERAL_NAME_value(san, 0);
	cr_assert_eq(gn->type, GEN_URI);
	cr_assert_str_eq((const char *)ASN1_STRING_get0_data(
	                     gn->d.uniformResourceIdentifier),
	                 FSS_GHA_IDENTITY);
	GENERAL_NAMES_free(san);
	json_decref(j);
	free(a.body);
	EVP_PKEY_free(key);
	fss_stop(s);
}

/* ---- slow and endless answers, config ------------------------------------ */

Test(fake_sigstore, slow_and_endless_answers)
{
	struct fss *s = fss_start();
	struct answer a;
	char url[256];

	snprintf(url, sizeof(url), "%s/.well-known/openid-configuration",
	         fss_oidc_issuer(s));
	fss_set_trickle_ms(s, 200);
	fss_fault_on(s, FSS_SLOW, "/oidc");
	cr_assert_eq(http("GET", url, NULL, NULL, NULL, 0, 500, &a),
	             CURLE_OPERATION_TIMEDOUT);
	free(a.body);
	fss_fault(s, FSS_NONE);
	fss_fault(s, FSS_ENDLESS);
	cr_assert_neq(http("GET", url, NULL, NULL, NULL, 0, 1500, &a), CURLE_OK);
	cr_assert(a.len >= (1u << 20) - 65536, "stopped after %zu", a.len);
	free(a.body);
	fss_stop(s);
}

Test(fake_sigstore, signing_config_and_trust_root_are_well_formed)
{
	struct fss *s = fss_start();
	char *c = fss_signing_config(s, 2, 1), *r = fss_trust_root_json(s);
	json_t *cj = json_loads(c, 0, NULL), *rj = json_loads(r, 0, NULL);
	pyverify_trust_root *root = NULL;
	pyverify_error err;

	cr_assert_not_null(cj);
	cr_assert_str_eq(json_string_value(json_object_get(
	                     json_array_get(json_object_get(cj, "rekorTlogUrls"),
	                                    0),
	                     "url")),
	                 fss_rekor2_url(s));
	cr_assert_eq(json_array_size(json_object_get(cj, "tsaUrls")), 1);
	cr_assert_eq(json_array_size(json_object_get(rj, "timestampAuthorities")),
	             1);
	cr_assert_eq(pyverify_trust_root_load_memory(&root, r, strlen(r),
	                                             "fss root", &err),
	             0, "%s", err.msg);
	pyverify_trust_root_free(root);
	json_decref(cj);
	json_decref(rj);
	free(c);
	free(r);
	fss_stop(s);
}
