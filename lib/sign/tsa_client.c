/* tsa_client.c - an RFC 3161 timestamp over the signature (SPEC 5.7):
 * the request, and the answer checked (granted, our nonce, our imprint,
 * signed by a timestamp authority of the trusted root) before it goes
 * into a bundle. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/ts.h>

#include "sign/service_call.h"
#include "verify/steps.h"

/* A TimeStampResp with the TSA's chain is a few KB. */
#define TSA_MAX_ANSWER (256u << 10)

/* TimeStampReq: version 1, SHA-256 imprint, a 64-bit random nonce (so an
 * old answer cannot be replayed as this one), certReq TRUE. */
static int
make_request(const uint8_t hash[32], ASN1_INTEGER **nonce_out,
             uint8_t **der, size_t *der_len)
{
	TS_REQ *req = TS_REQ_new();
	TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_INTEGER *nonce = NULL;
	unsigned char rnd[8], *p;
	BIGNUM *bn = NULL;
	int ok, n;

	ok = req != NULL && mi != NULL && alg != NULL &&
	     RAND_bytes(rnd, sizeof(rnd)) == 1 &&
	     (bn = BN_bin2bn(rnd, sizeof(rnd), NULL)) != NULL &&
	     (nonce = BN_to_ASN1_INTEGER(bn, NULL)) != NULL &&
	     X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL,
	                     NULL) == 1 &&
	     TS_MSG_IMPRINT_set_algo(mi, alg) == 1 &&
	     TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)hash, 32) == 1 &&
	     TS_REQ_set_version(req, 1) == 1 &&
	     TS_REQ_set_msg_imprint(req, mi) == 1 &&
	     TS_REQ_set_nonce(req, nonce) == 1 &&
	     TS_REQ_set_cert_req(req, 1) == 1;
	*der = NULL;
	if (ok && (n = i2d_TS_REQ(req, NULL)) > 0 &&
	    (*der = malloc((size_t)n)) != NULL) {
		p = *der;
		*der_len = (size_t)i2d_TS_REQ(req, &p);
		ok = *der_len == (size_t)n;
	} else {
		ok = 0;
	}
	BN_free(bn);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(mi);
	TS_REQ_free(req);
	ERR_clear_error();
	if (!ok) {
		free(*der);
		*der = NULL;
		ASN1_INTEGER_free(nonce);
		return -1;
	}
	*nonce_out = nonce;
	return 0;
}

/* Granted, and about our request: the nonce and the imprint we sent. */
static int
check_answer(const struct pv_svc *s, const pv_net_response *r,
             const ASN1_INTEGER *nonce, const uint8_t hash[32],
             pyverify_error *err)
{
	const unsigned char *p = r->body;
	TS_RESP *resp = d2i_TS_RESP(NULL, &p, (long)r->len);
	TS_TST_INFO *info;
	TS_MSG_IMPRINT *mi;
	ASN1_OCTET_STRING *msg;
	const ASN1_INTEGER *got;
	long status;
	int rc = 0;

	if (resp == NULL || p != r->body + r->len) {
		rc = pv_svc_fail(s, err, PYVERIFY_EPARSE,
		                 "answer is not one DER TimeStampResp");
		goto done;
	}
	status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(
	        TS_RESP_get_status_info(resp)));
	info = TS_RESP_get_tst_info(resp);
	/* Only "granted" (0): verification refuses grantedWithMods (1) as
	 * well, and saying so here names the TSA, not the trusted root. */
	if (status != 0 || info == NULL) {
		rc = pv_svc_fail(s, err, PYVERIFY_EREJECT,
		                 "did not grant a timestamp (PKIStatus %ld, "
		                 "expected 0, granted)", status);
		goto done;
	}
	got = TS_TST_INFO_get_nonce(info);
	if (got == NULL || ASN1_INTEGER_cmp(got, nonce) != 0) {
		rc = pv_svc_fail(s, err, PYVERIFY_EREJECT,
		                 "answered with another nonce than the one "
		                 "sent: the timestamp is not for this request");
		goto done;
	}
	mi = TS_TST_INFO_get_msg_imprint(info);
	msg = TS_MSG_IMPRINT_get_msg(mi);
	if (OBJ_obj2nid(TS_MSG_IMPRINT_get_algo(mi)->algorithm) != NID_sha256 ||
	    ASN1_STRING_length(msg) != 32 ||
	    memcmp(ASN1_STRING_get0_data(msg), hash, 32) != 0) {
		rc = pv_svc_fail(s, err, PYVERIFY_EREJECT,
		                 "timestamped another message imprint than "
		                 "the SHA-256 of the signature");
		goto done;
	}
done:
	TS_RESP_free(resp);
	ERR_clear_error();
	return rc;
}

int
pv_tsa_timestamp(const struct pv_sign_net *n, const char *url,
                 const uint8_t *sig, size_t sig_len,
                 const pyverify_trust_root *root, uint8_t **der,
                 size_t *der_len, pyverify_error *err)
{
	static const char *const headers[] = {
		"Content-Type: application/timestamp-query",
		"Accept: application/timestamp-reply", NULL
	};
	pv_net_response resp = { 0 };
	ASN1_INTEGER *nonce = NULL;
	uint8_t hash[32], *req = NULL;
	size_t req_len = 0;
	int64_t gen_ms;
	struct pv_svc s;
	int rc;

	PV_TRY(pv_svc_init(&s, "timestamp authority", PYVERIFY_STEP_TSA, url,
	                   NULL, err));
	if (sig == NULL || sig_len == 0 || root == NULL || der == NULL ||
	    der_len == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, s.step,
		               "a timestamp needs a signature and a trusted "
		               "root");
	if (pv_sha256(hash, sig, sig_len) != 0 ||
	    make_request(hash, &nonce, &req, &req_len) != 0)
		return pv_svc_fail(&s, err, PYVERIFY_EINTERNAL,
		                   "cannot make the RFC 3161 request");
	/* A timestamp request has no side effect: safe to repeat. */
	rc = pv_svc_call(&s, n, "POST", headers, req, req_len, TSA_MAX_ANSWER,
	                 1, &resp, err);
	if (rc != 0)
		goto done;
	if (resp.status != 200 && resp.status != 201) {
		rc = pv_svc_refused(&s, &resp, err);
		goto done;
	}
	rc = check_answer(&s, &resp, nonce, hash, err);
	if (rc != 0)
		goto done;
	rc = pv_tsa_verify(root, resp.body, resp.len, sig, sig_len, &gen_ms,
	                   err);
	if (rc != 0) {
		rc = pv_svc_blame(&s, err, rc, "the timestamp does not verify "
		                               "against the trusted root");
		goto done;
	}
	*der = resp.body;
	*der_len = resp.len;
	resp.body = NULL;
	resp.len = 0;
done:
	ASN1_INTEGER_free(nonce);
	free(req);
	pv_net_response_free(&resp);
	return rc;
}
