/* fulcio.c - the signing certificate (SPEC 5.5): a PKCS#10 request as the
 * proof of possession, Fulcio's answer read defensively, and the checks
 * made before the certificate is used (fulcio_check.c). */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "sign/service_call.h"

/* A chain of a few PEM certificates is ~10 KB; 1 MiB is far above any
 * honest answer and bounds a hostile one. */
#define FULCIO_MAX_ANSWER (1u << 20)
/* One PEM certificate: base64 of at most PV_MAX_CERT_BYTES plus lines. */
#define FULCIO_MAX_PEM                                                         \
	(PV_MAX_CERT_BYTES / 3 * 4 + PV_MAX_CERT_BYTES / 48 + 256)

void
pv_fulcio_cert_clear(struct pv_fulcio_cert *c)
{
	if (c == NULL)
		return;
	X509_free(c->leaf);
	free(c->leaf_der);
	sk_X509_pop_free(c->chain, X509_free);
	memset(c, 0, sizeof(*c));
}

/* Fulcio reads only the public key of the request; its self-signature is
 * the proof that we hold the private key. The basicConstraints request
 * mirrors sigstore-python (Fulcio issues CA:FALSE anyway). */
static X509_REQ *
csr_new(EVP_PKEY *key)
{
	STACK_OF(X509_EXTENSION) *exts = NULL;
	X509_EXTENSION *bc = NULL;
	X509_REQ *req = X509_REQ_new();
	const EVP_MD *md;
	int ok = 0;

	if (req == NULL)
		return NULL;
	/* Ed25519 signs the message itself: no digest may be named. */
	md = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ? NULL
	                                                   : EVP_sha256();
	exts = sk_X509_EXTENSION_new_null();
	bc = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints,
	                         "critical,CA:FALSE");
	if (exts != NULL && bc != NULL &&
	    sk_X509_EXTENSION_push(exts, bc) > 0) {
		bc = NULL;
		ok = X509_REQ_set_version(req, 0) == 1 &&
		     X509_REQ_set_pubkey(req, key) == 1 &&
		     X509_REQ_add_extensions(req, exts) == 1 &&
		     X509_REQ_sign(req, key, md) > 0;
	}
	X509_EXTENSION_free(bc);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	if (!ok) {
		X509_REQ_free(req);
		return NULL;
	}
	return req;
}

/* {"certificateSigningRequest": b64(PEM text)}: the proto field is bytes,
 * hence base64 of the PEM text, not of the DER. */
static char *
request_body(EVP_PKEY *key)
{
	X509_REQ *req = csr_new(key);
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem, *b64 = NULL, *body = NULL;
	json_t *obj = NULL;
	long n;

	if (req != NULL && bio != NULL && PEM_write_bio_X509_REQ(bio, req) == 1 &&
	    (n = BIO_get_mem_data(bio, &pem)) > 0)
		b64 = pv_b64_encode((const uint8_t *)pem, (size_t)n);
	if (b64 != NULL)
		obj = json_pack("{s:s}", "certificateSigningRequest", b64);
	if (obj != NULL)
		body = pv_svc_dump(obj);
	json_decref(obj);
	free(b64);
	BIO_free(bio);
	X509_REQ_free(req);
	ERR_clear_error();
	return body;
}

/* Exactly one PEM certificate, nothing but whitespace around it. */
static X509 *
cert_from_pem(const char *pem, size_t len)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	X509 *x = NULL;
	char *rest;
	long left, i;

	if (bio == NULL)
		return NULL;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	left = BIO_get_mem_data(bio, &rest);
	for (i = 0; x != NULL && i < left; i++)
		if (strchr(" \t\r\n", rest[i]) == NULL) {
			X509_free(x);
			x = NULL;
		}
	BIO_free(bio);
	ERR_clear_error();
	return x;
}

static int
leaf_der(struct pv_fulcio_cert *out)
{
	unsigned char *p;
	int n = i2d_X509(out->leaf, NULL);

	if (n <= 0 || (size_t)n > PV_MAX_CERT_BYTES)
		return -1;
	out->leaf_der = malloc((size_t)n);
	if (out->leaf_der == NULL)
		return -1;
	p = out->leaf_der;
	if (i2d_X509(out->leaf, &p) != n)
		return -1;
	out->leaf_der_len = (size_t)n;
	return 0;
}

/* signedCertificateEmbeddedSct.chain.certificates: leaf first, then its
 * issuers. */
static int
read_answer(const struct pv_svc *s, const json_t *root,
            struct pv_fulcio_cert *out, pyverify_error *err)
{
	json_t *emb, *chain, *certs, *v;
	size_t i, n;

	/* The public instance returns embedded SCTs; a detached SCT would
	 * need the CT log's AddChainResponse checked and carried separately,
	 * which no bundle version has a place for. */
	if (json_object_get(root, "signedCertificateDetachedSct") != NULL)
		return pv_svc_fail(s, err, PYVERIFY_EREJECT,
		                   "answered with a detached SCT "
		                   "(signedCertificateDetachedSct); pyverify "
		                   "needs a certificate with an embedded SCT");
	emb = json_object_get(root, "signedCertificateEmbeddedSct");
	chain = json_object_get(emb, "chain");
	certs = json_object_get(chain, "certificates");
	if (!json_is_object(emb) || !json_is_object(chain) ||
	    !json_is_array(certs))
		return pv_svc_fail(s, err, PYVERIFY_EPARSE,
		                   "answer has no "
		                   "signedCertificateEmbeddedSct.chain."
		                   "certificates list");
	n = json_array_size(certs);
	if (n < 2 || n > PV_MAX_CHAIN_CERTS)
		return pv_svc_fail(s, err, PYVERIFY_EPARSE,
		                   "answer holds %zu certificates, expected 2 to "
		                   "%d (the leaf and its issuers)",
		                   n, PV_MAX_CHAIN_CERTS);
	out->chain = sk_X509_new_null();
	if (out->chain == NULL)
		return pv_fail(err, PYVERIFY_ENOMEM, s->step, "out of memory");
	for (i = 0; i < n; i++) {
		X509 *x;

		v = json_array_get(certs, i);
		if (!json_is_string(v) || json_string_length(v) > FULCIO_MAX_PEM ||
		    (x = cert_from_pem(json_string_value(v),
		                       json_string_length(v))) == NULL)
			return pv_svc_fail(s, err, PYVERIFY_EPARSE,
			                   "certificates[%zu] is not one PEM "
			                   "certificate", i);
		if (i == 0)
			out->leaf = x;
		else if (sk_X509_push(out->chain, x) <= 0) {
			X509_free(x);
			return pv_fail(err, PYVERIFY_ENOMEM, s->step,
			               "out of memory");
		}
	}
	if (leaf_der(out) != 0)
		return pv_svc_fail(s, err, PYVERIFY_EPARSE,
		                   "the leaf certificate cannot be encoded "
		                   "within %u bytes", PV_MAX_CERT_BYTES);
	return 0;
}

int
pv_fulcio_get_cert(const struct pv_sign_net *n, const char *base_url,
                   const struct pv_id_token *tok, EVP_PKEY *key,
                   struct pv_fulcio_cert *out, pyverify_error *err)
{
	const char *headers[4] = { "Content-Type: application/json",
	                           "Accept: application/json", NULL, NULL };
	static const char bearer[] = "Authorization: Bearer ";
	struct pv_fulcio_cert got = { 0 };
	pv_net_response resp = { 0 };
	struct pv_svc s;
	json_t *root = NULL;
	char *body = NULL, *auth = NULL;
	size_t alen = 0;
	int rc;

	PV_TRY(pv_svc_init(&s, "Fulcio", PYVERIFY_STEP_FULCIO, base_url,
	                   "api/v2/signingCert", err));
	if (tok == NULL || tok->raw == NULL || key == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, s.step,
		               "Fulcio needs an identity token and a key");
	body = request_body(key);
	alen = sizeof(bearer) + strlen(tok->raw);
	auth = malloc(alen);
	if (body == NULL || auth == NULL) {
		rc = pv_fail(err, PYVERIFY_ENOMEM, s.step,
		             "cannot make the certificate request");
		goto done;
	}
	snprintf(auth, alen, "%s%s", bearer, tok->raw);
	headers[2] = auth;
	/* signingCert is safe to repeat: each call only issues a new
	 * certificate for the same key. */
	rc = pv_svc_call(&s, n, "POST", headers, body, strlen(body),
	                 FULCIO_MAX_ANSWER, 1, &resp, err);
	if (rc != 0)
		goto done;
	if (resp.status != 200 && resp.status != 201) {
		rc = pv_svc_refused(&s, &resp, err);
		goto done;
	}
	rc = pv_svc_json(&s, &resp, FULCIO_MAX_ANSWER, &root, err);
	if (rc == 0)
		rc = read_answer(&s, root, &got, err);
	if (rc == 0) {
		*out = got;
		memset(&got, 0, sizeof(got));
	}
done:
	/* The header holds the token: it must not linger in freed memory. */
	if (auth != NULL)
		OPENSSL_cleanse(auth, alen);
	free(auth);
	free(body);
	json_decref(root);
	pv_net_response_free(&resp);
	pv_fulcio_cert_clear(&got);
	return rc;
}
