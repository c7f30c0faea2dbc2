/* vs_tsa.c - the RFC 3161 timestamp authority of the virtual Sigstore (see
 * vs_tsa.h, included by vsigstore.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "vs_tsa.h"

struct vtsa {
	EVP_PKEY *root_key, *int_key, *leaf_key;
	X509 *root, *inter, *leaf;
	char *uri;
	char name[64];
	int64_t not_before, not_after;
};

static const EVP_MD *
md_for(EVP_PKEY *k)
{
	return EVP_PKEY_get_bits(k) > 256 ? EVP_sha384() : EVP_sha256();
}

static int
add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, v3, nid, value);
	int ok = e != NULL && X509_add_ext(x, e, -1) == 1;

	X509_EXTENSION_free(e);
	return ok ? 0 : -1;
}

static const char *
leaf_eku_value(int mode)
{
	switch (mode) {
	case VTSA_EKU_NONCRITICAL: return "timeStamping";
	case VTSA_EKU_NONE: return NULL;
	case VTSA_EKU_EXTRA: return "critical,timeStamping,codeSigning";
	default: return "critical,timeStamping";
	}
}

/* A certificate for `key` signed by `ikey` (self-signed when issuer is
 * NULL). `eku` NULL means no EKU extension. */
static X509 *
mint(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey, int ca,
     const char *ku, const char *eku, int64_t nb, int64_t na)
{
	X509 *x = X509_new();
	X509_NAME *nm = X509_NAME_new();
	X509V3_CTX v3;
	uint64_t serial = 0;
	int ok = 0;

	if (x == NULL || nm == NULL ||
	    RAND_bytes((unsigned char *)&serial, sizeof(serial)) != 1)
		goto done;
	serial = (serial >> 2) + 1; /* positive, fits int64 */
	if (!X509_set_version(x, X509_VERSION_3) ||
	    !ASN1_INTEGER_set_int64(X509_get_serialNumber(x),
	                            (int64_t)serial) ||
	    !X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_ASC,
	                                (const unsigned char *)"vtsa.test",
	                                -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
	                                (const unsigned char *)cn, -1, -1,
	                                0) ||
	    !X509_set_subject_name(x, nm) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer)
	                                    : nm) ||
	    !ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb) ||
	    !ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na) ||
	    !X509_set_pubkey(x, key))
		goto done;
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	if (add_ext(x, &v3, NID_basic_constraints,
	            ca ? "critical,CA:TRUE" : "critical,CA:FALSE") ||
	    add_ext(x, &v3, NID_key_usage, ku) ||
	    add_ext(x, &v3, NID_subject_key_identifier, "hash") ||
	    (issuer && add_ext(x, &v3, NID_authority_key_identifier,
	                       "keyid:always")) ||
	    (eku && add_ext(x, &v3, NID_ext_key_usage, eku)))
		goto done;
	ok = X509_sign(x, issuer ? ikey : key, md_for(issuer ? ikey : key)) > 0;
done:
	X509_NAME_free(nm);
	if (!ok) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

void
vtsa_free(struct vtsa *t)
{
	if (t == NULL)
		return;
	EVP_PKEY_free(t->root_key);
	EVP_PKEY_free(t->int_key);
	EVP_PKEY_free(t->leaf_key);
	X509_free(t->root);
	X509_free(t->inter);
	X509_free(t->leaf);
	free(t->uri);
	free(t);
}

struct vtsa *
vtsa_new(const struct vtsa_opts *opts)
{
	static const struct vtsa_opts defaults;
	const struct vtsa_opts *o = opts ? opts : &defaults;
	struct vtsa *t = calloc(1, sizeof(*t));
	X509 *issuer;
	EVP_PKEY *ikey;
	char cn[96];

	if (t == NULL)
		return NULL;
	snprintf(t->name, sizeof(t->name), "%s",
	         o->name ? o->name : "Test TSA");
	t->uri = strdup(o->uri ? o->uri : "https://tsa.test/api/v1/timestamp");
	t->not_before = o->not_before ? o->not_before
	                              : VTSA_EPOCH - 365 * 86400;
	t->not_after = o->not_after ? o->not_after
	                            : VTSA_EPOCH + 10 * 365 * 86400;
	if (t->uri == NULL)
		goto fail;
	if (o->same_ca != NULL) {
		t->root = o->same_ca->root;
		t->root_key = o->same_ca->root_key;
		X509_up_ref(t->root);
		EVP_PKEY_up_ref(t->root_key);
		if (o->same_ca->inter != NULL) {
			t->inter = o->same_ca->inter;
			t->int_key = o->same_ca->int_key;
			X509_up_ref(t->inter);
			EVP_PKEY_up_ref(t->int_key);
		}
	} else {
		snprintf(cn, sizeof(cn), "%s Root", t->name);
		if ((t->root_key = EVP_EC_gen("P-384")) == NULL ||
		    (t->root = mint(t->root_key, cn, NULL, NULL, 1,
		                    "critical,keyCertSign,cRLSign", NULL,
		                    t->not_before, t->not_after)) == NULL)
			goto fail;
		if (o->intermediate) {
			static const char *const ekus[] = {
				NULL, "timeStamping", "codeSigning"
			};
			int k = o->intermediate_eku;
			snprintf(cn, sizeof(cn), "%s Intermediate", t->name);
			if ((t->int_key = EVP_EC_gen("P-384")) == NULL ||
			    (t->inter = mint(t->int_key, cn, t->root,
			                     t->root_key, 1,
			                     "critical,keyCertSign,cRLSign",
			                     k >= 0 && k <= 2 ? ekus[k] : NULL,
			                     t->not_before,
			                     t->not_after)) == NULL)
				goto fail;
		}
	}
	issuer = t->inter ? t->inter : t->root;
	ikey = t->inter ? t->int_key : t->root_key;
	snprintf(cn, sizeof(cn), "%s Timestamping", t->name);
	if ((t->leaf_key = EVP_EC_gen(o->leaf_p256 ? "P-256" : "P-384")) ==
	            NULL ||
	    (t->leaf = mint(t->leaf_key, cn, issuer, ikey, o->leaf_is_ca,
	                    o->leaf_is_ca ? "critical,digitalSignature,"
	                                    "keyCertSign"
	                                  : "critical,digitalSignature",
	                    leaf_eku_value(o->leaf_eku), t->not_before,
	                    t->not_after)) == NULL)
		goto fail;
	return t;
fail:
	vtsa_free(t);
	return NULL;
}

X509 *vtsa_root(const struct vtsa *t) { return t->root; }
X509 *vtsa_intermediate(const struct vtsa *t) { return t->inter; }
X509 *vtsa_leaf(const struct vtsa *t) { return t->leaf; }
EVP_PKEY *vtsa_leaf_key(const struct vtsa *t) { return t->leaf_key; }
const char *vtsa_uri(const struct vtsa *t) { return t->uri; }
int64_t vtsa_not_before(const struct vtsa *t) { return t->not_before; }
int64_t vtsa_not_after(const struct vtsa *t) { return t->not_after; }

static int
time_cb(TS_RESP_CTX *ctx, void *data, long *sec, long *usec)
{
	int64_t ms = *(const int64_t *)data;

	(void)ctx;
	*sec = (long)(ms / 1000);
	*usec = (long)(ms % 1000) * 1000;
	return 1;
}

/* The certificates a token embeds after the signer. */
static STACK_OF(X509) *
extra_certs(const struct vtsa *t)
{
	STACK_OF(X509) *sk = sk_X509_new_null();

	if (sk == NULL ||
	    (t->inter && !X509_add_cert(sk, t->inter, X509_ADD_FLAG_UP_REF)) ||
	    !X509_add_cert(sk, t->root, X509_ADD_FLAG_UP_REF)) {
		sk_X509_pop_free(sk, X509_free);
		return NULL;
	}
	return sk;
}

/* The regular path: an OpenSSL TS_RESP_CTX answering a TimeStampReq. */
static TS_RESP *
stamp_ctx(struct vtsa *t, const EVP_MD *imd, const uint8_t *hash,
          unsigned hlen, int64_t *gen_ms, int embed)
{
	TS_RESP_CTX *ctx = TS_RESP_CTX_new();
	TS_REQ *req = TS_REQ_new();
	TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_OBJECT *policy = OBJ_txt2obj(VTSA_POLICY, 1);
	STACK_OF(X509) *certs = extra_certs(t);
	unsigned char *reqder = NULL;
	BIO *bio = NULL;
	TS_RESP *resp = NULL;
	int n;

	if (ctx == NULL || req == NULL || mi == NULL || alg == NULL ||
	    policy == NULL || certs == NULL ||
	    !X509_ALGOR_set0(alg, OBJ_nid2obj(EVP_MD_get_type(imd)),
	                     V_ASN1_NULL, NULL) ||
	    !TS_MSG_IMPRINT_set_algo(mi, alg) ||
	    !TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)hash, (int)hlen) ||
	    !TS_REQ_set_version(req, 1) || !TS_REQ_set_msg_imprint(req, mi) ||
	    !TS_REQ_set_cert_req(req, embed) ||
	    (n = i2d_TS_REQ(req, &reqder)) <= 0 ||
	    (bio = BIO_new_mem_buf(reqder, n)) == NULL)
		goto done;
	if (!TS_RESP_CTX_set_signer_cert(ctx, t->leaf) ||
	    !TS_RESP_CTX_set_signer_key(ctx, t->leaf_key) ||
	    !TS_RESP_CTX_set_signer_digest(ctx, md_for(t->leaf_key)) ||
	    !TS_RESP_CTX_set_certs(ctx, certs) ||
	    !TS_RESP_CTX_set_ess_cert_id_digest(ctx, EVP_sha256()) ||
	    !TS_RESP_CTX_set_def_policy(ctx, policy) ||
	    !TS_RESP_CTX_add_md(ctx, imd) ||
	    !TS_RESP_CTX_set_clock_precision_digits(ctx, 3))
		goto done;
	TS_RESP_CTX_set_time_cb(ctx, time_cb, gen_ms);
	resp = TS_RESP_create_response(ctx, bio);
done:
	BIO_free(bio);
	OPENSSL_free(reqder);
	sk_X509_pop_free(certs, X509_free);
	ASN1_OBJECT_free(policy);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(mi);
	TS_REQ_free(req);
	TS_RESP_CTX_free(ctx);
	return resp;
}

/* The same token built by hand, for leaves TS_RESP_CTX refuses to use
 * (bad EKU): SignedData over a TSTInfo with contentType and ESS
 * signingCertificateV2 signed attributes, as OpenSSL's TSA writes it. */
static TS_RESP *
stamp_manual(struct vtsa *t, const EVP_MD *imd, const uint8_t *hash,
             unsigned hlen, int64_t gen_ms, int embed)
{
	TS_TST_INFO *tst = TS_TST_INFO_new();
	TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_OBJECT *policy = OBJ_txt2obj(VTSA_POLICY, 1);
	ASN1_INTEGER *serial = ASN1_INTEGER_new();
	ASN1_GENERALIZEDTIME *gt = NULL;
	PKCS7 *p7 = PKCS7_new(), *inner = NULL;
	PKCS7_SIGNER_INFO *si;
	ESS_SIGNING_CERT_V2 *sc = NULL;
	ASN1_STRING *seq = NULL;
	ASN1_OCTET_STRING *os = NULL;
	STACK_OF(X509) *certs = NULL;
	unsigned char *scder = NULL;
	TS_STATUS_INFO *status = TS_STATUS_INFO_new();
	TS_RESP *resp = NULL, *out = NULL;
	BIO *bio = NULL;
	int n, i;

	if (tst == NULL || mi == NULL || alg == NULL || policy == NULL ||
	    serial == NULL || p7 == NULL || status == NULL ||
	    !X509_ALGOR_set0(alg, OBJ_nid2obj(EVP_MD_get_type(imd)),
	                     V_ASN1_NULL, NULL) ||
	    !TS_MSG_IMPRINT_set_algo(mi, alg) ||
	    !TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)hash, (int)hlen) ||
	    !ASN1_INTEGER_set(serial, 1) ||
	    (gt = ASN1_GENERALIZEDTIME_set(NULL, (time_t)(gen_ms / 1000))) ==
	            NULL ||
	    !TS_TST_INFO_set_version(tst, 1) ||
	    !TS_TST_INFO_set_policy_id(tst, policy) ||
	    !TS_TST_INFO_set_msg_imprint(tst, mi) ||
	    !TS_TST_INFO_set_serial(tst, serial) ||
	    !TS_TST_INFO_set_time(tst, gt))
		goto done;
	if (!PKCS7_set_type(p7, NID_pkcs7_signed) ||
	    !ASN1_INTEGER_set(p7->d.sign->version, 3))
		goto done;
	if (embed) {
		if (!PKCS7_add_certificate(p7, t->leaf) ||
		    (certs = extra_certs(t)) == NULL)
			goto done;
		for (i = 0; i < sk_X509_num(certs); i++)
			if (!PKCS7_add_certificate(p7, sk_X509_value(certs, i)))
				goto done;
	}
	if ((si = PKCS7_add_signature(p7, t->leaf, t->leaf_key,
	                              md_for(t->leaf_key))) == NULL ||
	    !PKCS7_add_signed_attribute(si, NID_pkcs9_contentType,
	                                V_ASN1_OBJECT,
	                                OBJ_nid2obj(NID_id_smime_ct_TSTInfo)))
		goto done;
	if ((sc = OSSL_ESS_signing_cert_v2_new_init(EVP_sha256(), t->leaf,
	                                            NULL, 0)) == NULL ||
	    (n = i2d_ESS_SIGNING_CERT_V2(sc, &scder)) <= 0 ||
	    (seq = ASN1_STRING_new()) == NULL ||
	    !ASN1_STRING_set(seq, scder, n) ||
	    !PKCS7_add_signed_attribute(
	            si, NID_id_smime_aa_signingCertificateV2, V_ASN1_SEQUENCE,
	            seq))
		goto done;
	seq = NULL; /* owned by the attribute */
	/* eContent: an OCTET STRING under the TSTInfo content type. */
	if ((inner = PKCS7_new()) == NULL ||
	    (inner->d.other = ASN1_TYPE_new()) == NULL ||
	    (os = ASN1_OCTET_STRING_new()) == NULL)
		goto done;
	inner->type = OBJ_nid2obj(NID_id_smime_ct_TSTInfo);
	ASN1_TYPE_set(inner->d.other, V_ASN1_OCTET_STRING, os);
	os = NULL;
	if (!PKCS7_set_content(p7, inner))
		goto done;
	inner = NULL;
	if ((bio = PKCS7_dataInit(p7, NULL)) == NULL ||
	    !i2d_TS_TST_INFO_bio(bio, tst) || !PKCS7_dataFinal(p7, bio))
		goto done;
	if ((resp = TS_RESP_new()) == NULL ||
	    !TS_STATUS_INFO_set_status(status, 0) ||
	    !TS_RESP_set_status_info(resp, status))
		goto done;
	TS_RESP_set_tst_info(resp, p7, tst); /* takes both */
	p7 = NULL;
	tst = NULL;
	out = resp;
	resp = NULL;
done:
	BIO_free_all(bio);
	TS_RESP_free(resp);
	TS_STATUS_INFO_free(status);
	OPENSSL_free(scder);
	ASN1_STRING_free(seq);
	ASN1_OCTET_STRING_free(os);
	PKCS7_free(inner);
	ESS_SIGNING_CERT_V2_free(sc);
	sk_X509_pop_free(certs, X509_free);
	PKCS7_free(p7);
	ASN1_GENERALIZEDTIME_free(gt);
	ASN1_INTEGER_free(serial);
	ASN1_OBJECT_free(policy);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(mi);
	TS_TST_INFO_free(tst);
	return out;
}

/* A response with a non-granted status and no token. */
static TS_RESP *
stamp_refused(int code)
{
	TS_RESP *resp = TS_RESP_new();
	TS_STATUS_INFO *si = TS_STATUS_INFO_new();
	int ok = resp != NULL && si != NULL &&
	         TS_STATUS_INFO_set_status(si, code) &&
	         TS_RESP_set_status_info(resp, si);

	TS_STATUS_INFO_free(si);
	if (!ok) {
		TS_RESP_free(resp);
		return NULL;
	}
	return resp;
}

int
vtsa_stamp(struct vtsa *t, const void *msg, size_t len,
           const struct vtsa_stamp_opts *opts, uint8_t **der,
           size_t *der_len)
{
	static const struct vtsa_stamp_opts defaults;
	const struct vtsa_stamp_opts *o = opts ? opts : &defaults;
	const EVP_MD *imd = o->sha1_imprint     ? EVP_sha1()
	                    : o->sha512_imprint ? EVP_sha512()
	                                        : EVP_sha256();
	int64_t gen_ms = o->gen_time_ms ? o->gen_time_ms : VTSA_EPOCH * 1000;
	uint8_t hash[EVP_MAX_MD_SIZE];
	unsigned hlen = 0;
	unsigned char *p = NULL;
	TS_RESP *resp = NULL;
	int n, rc = -1;

	*der = NULL;
	*der_len = 0;
	if (EVP_Digest(msg, len, hash, &hlen, imd, NULL) != 1)
		goto done;
	if (o->status >= 2)
		resp = stamp_refused(o->status);
	else if (X509_check_purpose(t->leaf, X509_PURPOSE_TIMESTAMP_SIGN, 0) ==
	         1)
		resp = stamp_ctx(t, imd, hash, hlen, &gen_ms, o->embed_certs);
	else
		resp = stamp_manual(t, imd, hash, hlen, gen_ms, o->embed_certs);
	if (resp == NULL)
		goto done;
	if (o->status < 2 &&
	    (TS_RESP_get_token(resp) == NULL ||
	     ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(
	             TS_RESP_get_status_info(resp))) != 0))
		goto done; /* the TSA refused our own request */
	if (o->status == 1 &&
	    !TS_STATUS_INFO_set_status(TS_RESP_get_status_info(resp), 1))
		goto done;
	if ((n = i2d_TS_RESP(resp, &p)) <= 0)
		goto done;
	if ((*der = malloc((size_t)n)) == NULL)
		goto done;
	memcpy(*der, p, (size_t)n);
	*der_len = (size_t)n;
	rc = 0;
done:
	OPENSSL_free(p);
	TS_RESP_free(resp);
	ERR_clear_error();
	return rc;
}

/* Issue 11 (the fake TSA): answers a client's DER TimeStampReq as a TSA
 * does, with OpenSSL's TS_RESP_CTX (nonce, imprint and certReq echoed). */
int
vtsa_respond(struct vtsa *t, const uint8_t *req_der, size_t req_len,
             int64_t gen_time_ms, uint8_t **der, size_t *der_len)
{
	TS_RESP_CTX *ctx = TS_RESP_CTX_new();
	ASN1_OBJECT *policy = OBJ_txt2obj(VTSA_POLICY, 1);
	STACK_OF(X509) *certs = extra_certs(t);
	BIO *bio = BIO_new_mem_buf(req_der, (int)req_len);
	int64_t gen_ms = gen_time_ms ? gen_time_ms : VTSA_EPOCH * 1000;
	TS_RESP *resp = NULL;
	unsigned char *p = NULL;
	int n, rc = -1;

	*der = NULL;
	*der_len = 0;
	if (ctx == NULL || policy == NULL || certs == NULL || bio == NULL ||
	    !TS_RESP_CTX_set_signer_cert(ctx, t->leaf) ||
	    !TS_RESP_CTX_set_signer_key(ctx, t->leaf_key) ||
	    !TS_RESP_CTX_set_signer_digest(ctx, md_for(t->leaf_key)) ||
	    !TS_RESP_CTX_set_certs(ctx, certs) ||
	    !TS_RESP_CTX_set_ess_cert_id_digest(ctx, EVP_sha256()) ||
	    !TS_RESP_CTX_set_def_policy(ctx, policy) ||
	    !TS_RESP_CTX_add_md(ctx, EVP_sha256()) ||
	    !TS_RESP_CTX_add_md(ctx, EVP_sha384()) ||
	    !TS_RESP_CTX_add_md(ctx, EVP_sha512()) ||
	    /* Whole seconds: DER drops a fraction's trailing zeros
	     * (".87Z"), and sigstore-js reads a fraction only with exactly
	     * three digits; the fake's answers must be readable by the
	     * other client of tests/interop. */
	    !TS_RESP_CTX_set_clock_precision_digits(ctx, 0))
		goto done;
	TS_RESP_CTX_set_time_cb(ctx, time_cb, &gen_ms);
	if ((resp = TS_RESP_create_response(ctx, bio)) == NULL ||
	    (n = i2d_TS_RESP(resp, &p)) <= 0 ||
	    (*der = malloc((size_t)n)) == NULL)
		goto done;
	memcpy(*der, p, (size_t)n);
	*der_len = (size_t)n;
	rc = 0;
done:
	OPENSSL_free(p);
	TS_RESP_free(resp);
	BIO_free(bio);
	sk_X509_pop_free(certs, X509_free);
	ASN1_OBJECT_free(policy);
	TS_RESP_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

static int
push_cert(json_t *arr, X509 *x)
{
	unsigned char *der = NULL;
	unsigned char *b64;
	int n = i2d_X509(x, &der), rc = -1;

	if (n <= 0)
		return -1;
	b64 = malloc(4 * (((size_t)n + 2) / 3) + 1);
	if (b64 != NULL) {
		EVP_EncodeBlock(b64, der, n);
		rc = json_array_append_new(arr, json_pack("{s:s}", "rawBytes",
		                                          (char *)b64));
	}
	free(b64);
	OPENSSL_free(der);
	return rc;
}

static void
rfc3339(char out[32], int64_t s)
{
	time_t tt = (time_t)s;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

json_t *
vtsa_trust_root_entry(const struct vtsa *t, int64_t start, int64_t end)
{
	json_t *certs = json_array(), *valid, *entry = NULL;
	char s[32], e[32];

	if (certs == NULL || push_cert(certs, t->leaf) ||
	    (t->inter && push_cert(certs, t->inter)) ||
	    push_cert(certs, t->root)) {
		json_decref(certs);
		return NULL;
	}
	rfc3339(s, start ? start : t->not_before);
	valid = json_pack("{s:s}", "start", s);
	if (valid != NULL && end) {
		rfc3339(e, end);
		json_object_set_new(valid, "end", json_string(e));
	}
	if (valid != NULL)
		entry = json_pack("{s:{s:s,s:s},s:s,s:{s:o},s:o}", "subject",
		                  "organization", "vtsa.test", "commonName",
		                  t->name, "uri", t->uri, "certChain",
		                  "certificates", certs, "validFor", valid);
	else
		json_decref(certs);
	return entry; /* json_pack "o" stole certs and valid, even on error */
}
