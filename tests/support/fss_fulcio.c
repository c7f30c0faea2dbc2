/* fss_fulcio.c - the fake Fulcio (POST /api/v2/signingCert): checks the
 * identity token's expiry and audience and the proof of possession (a
 * PKCS#10 request, or publicKeyRequest with a signature over the
 * identity), and certifies that key with the virtual Sigstore's CA (SAN =
 * the token's email or sub, issuer = federated issuer or iss, embedded SCT
 * from its CT log). Misbehaves per fss_fault. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "fss_impl.h"

/* gRPC codes Fulcio answers in its JSON errors. */
#define GRPC_INVALID_ARGUMENT 3
#define GRPC_UNAUTHENTICATED 16

static int aud_ok(const json_t *aud)
{
	size_t i;
	json_t *v;

	if (json_is_string(aud))
		return strcmp(json_string_value(aud), "sigstore") == 0;
	json_array_foreach(aud, i, v)
		if (json_is_string(v) &&
		    strcmp(json_string_value(v), "sigstore") == 0)
			return 1;
	return 0;
}

/* The token's claims when it is acceptable, else NULL with why. */
static json_t *check_token(const char *jwt, const char **why)
{
	json_t *c = fssi_token_claims(jwt);
	int64_t now = (int64_t)time(NULL);
	json_t *exp, *nbf;

	if (c == NULL) {
		*why = "fss: the identity token is not a JWT";
		return NULL;
	}
	exp = json_object_get(c, "exp");
	nbf = json_object_get(c, "nbf");
	if (!json_is_string(json_object_get(c, "iss")) ||
	    !json_is_string(json_object_get(c, "sub")) ||
	    !json_is_integer(exp))
		*why = "fss: the identity token lacks iss, sub or exp";
	else if (json_integer_value(exp) <= now)
		*why = "fss: the identity token has expired";
	else if (json_is_integer(nbf) && json_integer_value(nbf) > now + 5)
		*why = "fss: the identity token is not yet valid";
	else if (!aud_ok(json_object_get(c, "aud")))
		*why = "fss: the identity token's audience is not sigstore";
	else
		return c;
	json_decref(c);
	return NULL;
}

/* Bearer token of the request, else credentials.oidcIdentityToken. */
static const char *token_of(const struct fss_req *q, const json_t *req)
{
	const char *a = q->authorization;

	if (a != NULL && strncasecmp(a, "Bearer ", 7) == 0)
		return a + 7;
	return json_string_value(json_object_get(
	    json_object_get(req, "credentials"), "oidcIdentityToken"));
}

/* The key of a PEM (or DER) CSR whose self-signature verifies. */
static EVP_PKEY *csr_key(const char *b64, const char **why)
{
	size_t len = 0;
	uint8_t *raw = fssi_unb64(b64, &len);
	const unsigned char *p = raw;
	BIO *bio = raw ? BIO_new_mem_buf(raw, (int)len) : NULL;
	X509_REQ *req = NULL;
	EVP_PKEY *k = NULL;

	*why = "fss: certificateSigningRequest is not a PKCS#10 request";
	if (bio != NULL)
		req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);
	if (req == NULL && raw != NULL)
		req = d2i_X509_REQ(NULL, &p, (long)len);
	if (req != NULL) {
		k = X509_REQ_get_pubkey(req);
		if (k == NULL || X509_REQ_verify(req, k) != 1) {
			*why = "fss: the certificate request's signature "
			       "(proof of possession) does not verify";
			EVP_PKEY_free(k);
			k = NULL;
		}
	}
	X509_REQ_free(req);
	BIO_free(bio);
	free(raw);
	ERR_clear_error();
	return k;
}

/* publicKeyRequest: a PEM key and a signature over the identity. */
static EVP_PKEY *pop_key(const json_t *pkr, const char *identity,
                         const char **why)
{
	const char *pem = json_string_value(json_object_get(
	    json_object_get(pkr, "publicKey"), "content"));
	const char *pop = json_string_value(
	    json_object_get(pkr, "proofOfPossession"));
	size_t siglen = 0;
	uint8_t *sig = pop ? fssi_unb64(pop, &siglen) : NULL;
	BIO *bio = pem ? BIO_new_mem_buf(pem, -1) : NULL;
	EVP_PKEY *k = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	*why = "fss: publicKeyRequest lacks a PEM key or proofOfPossession";
	if (k != NULL && sig != NULL && md != NULL) {
		*why = "fss: the proof of possession does not verify";
		if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k) != 1 ||
		    EVP_DigestVerify(md, sig, siglen,
		                     (const unsigned char *)identity,
		                     strlen(identity)) != 1) {
			EVP_PKEY_free(k);
			k = NULL;
		}
	} else {
		EVP_PKEY_free(k);
		k = NULL;
	}
	EVP_MD_CTX_free(md);
	BIO_free(bio);
	free(sig);
	ERR_clear_error();
	return k;
}

static json_t *pem_of(X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p = NULL;
	long n;
	json_t *j = NULL;

	if (bio != NULL && PEM_write_bio_X509(bio, x) == 1 &&
	    (n = BIO_get_mem_data(bio, &p)) > 0)
		j = json_stringn(p, (size_t)n);
	BIO_free(bio);
	return j;
}

static void issue(struct fss *s, const json_t *claims, EVP_PKEY *key,
                  struct fss_resp *r)
{
	const char *p = FSS_PATH_FULCIO;
	const char *email = json_string_value(json_object_get(claims, "email"));
	const char *fed = json_string_value(json_object_get(
	    json_object_get(claims, "federated_claims"), "connector_id"));
	struct vs *ca = fssi_has(s, FSS_FULCIO_UNTRUSTED_CHAIN, p) ? s->other_vs
	                                                           : s->vs;
	struct vs_leaf_opts o = {0};
	struct vs_leaf *leaf;
	json_t *certs;
	const char *wf = json_string_value(json_object_get(claims,
	                                                   "job_workflow_ref"));
	const char *iss = json_string_value(json_object_get(claims, "iss"));
	char gh[600];

	o.identity = email ? email
	                   : json_string_value(json_object_get(claims, "sub"));
	o.san_type = email ? VS_SAN_EMAIL : VS_SAN_URI;
	/* Fulcio's GitHub Actions principal binds the workflow. */
	if (email == NULL && wf != NULL && iss != NULL &&
	    strcmp(iss, FSS_GHA_ISSUER) == 0) {
		snprintf(gh, sizeof(gh), "https://github.com/%s", wf);
		o.identity = gh;
	}
	o.issuer = fed ? fed
	               : json_string_value(json_object_get(claims, "iss"));
	o.not_before = (int64_t)time(NULL);
	o.lifetime = 600;
	o.public_key = fssi_has(s, FSS_FULCIO_OTHER_KEY, p) ? NULL : key;
	o.sct_bad_signature = fssi_has(s, FSS_FULCIO_BAD_SCT, p);
	o.no_sct = fssi_has(s, FSS_FULCIO_NO_SCT, p);
	if (fssi_has(s, FSS_FULCIO_OTHER_IDENTITY, p)) {
		o.identity = "mallory@example.org";
		o.san_type = VS_SAN_EMAIL;
	}
	if (fssi_has(s, FSS_FULCIO_OTHER_ISSUER, p))
		o.issuer = "https://evil.test";
	leaf = vs_leaf_new(ca, &o);
	if (leaf == NULL) {
		fssi_error(r, 500, 13, "fss: cannot mint the certificate");
		return;
	}
	certs = json_pack("[o, o, o]", pem_of(leaf->cert),
	                  pem_of(vs_intermediate(ca)), pem_of(vs_root_cert(ca)));
	X509_free(s->last_cert);
	s->last_cert = leaf->cert;
	X509_up_ref(s->last_cert);
	vs_leaf_free(leaf);
	fssi_json(r, 200,
	          certs ? json_pack("{s:{s:{s:o}}}", "signedCertificateEmbeddedSct",
	                            "chain", "certificates", certs)
	                : NULL);
}

void fssi_fulcio(struct fss *s, const struct fss_req *q, struct fss_resp *r)
{
	json_t *req = json_loadb((const char *)q->body, q->len, 0, NULL);
	json_t *claims = NULL, *pkr;
	const char *token, *csr, *why = NULL, *identity;
	EVP_PKEY *key = NULL;

	if (fssi_has(s, FSS_FULCIO_400, q->path)) {
		fssi_error(r, 400, GRPC_INVALID_ARGUMENT,
		           "fss: the certificate request was refused");
		goto done;
	}
	if (!json_is_object(req)) {
		fssi_error(r, 400, GRPC_INVALID_ARGUMENT,
		           "fss: the request is not a JSON object");
		goto done;
	}
	token = token_of(q, req);
	if (token == NULL) {
		fssi_error(r, 401, GRPC_UNAUTHENTICATED,
		           "fss: no identity token (Authorization: Bearer)");
		goto done;
	}
	claims = check_token(token, &why);
	if (claims == NULL) {
		fssi_error(r, 401, GRPC_UNAUTHENTICATED, why);
		goto done;
	}
	if (json_is_string(json_object_get(claims, "email")) &&
	    !json_is_true(json_object_get(claims, "email_verified"))) {
		fssi_error(r, 400, GRPC_INVALID_ARGUMENT,
		           "fss: the token's email is not verified");
		goto done;
	}
	identity = json_string_value(json_object_get(claims, "email"));
	if (identity == NULL)
		identity = json_string_value(json_object_get(claims, "sub"));
	csr = json_string_value(json_object_get(req, "certificateSigningRequest"));
	pkr = json_object_get(req, "publicKeyRequest");
	if (csr != NULL)
		key = csr_key(csr, &why);
	else if (json_is_object(pkr))
		key = pop_key(pkr, identity, &why);
	else
		why = "fss: neither certificateSigningRequest nor "
		      "publicKeyRequest";
	if (key == NULL) {
		fssi_error(r, 400, GRPC_INVALID_ARGUMENT, why);
		goto done;
	}
	issue(s, claims, key, r);
done:
	EVP_PKEY_free(key);
	json_decref(claims);
	json_decref(req);
}
