/*
 * vs_ctlog.c - the CT log of the virtual Sigstore: the SCT embedded in a
 * leaf (SPEC 3.5).
 *
 * Part of the virtual Sigstore (tests/support/vsigstore.h). Independent of
 * lib/ on purpose: the fixture must not share a bug with the code it tests.
 * Every function returns NULL / -1 on failure and frees what it took.
 */
#include "vs_impl.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/ct.h>
#include <openssl/x509v3.h>

/*
 * SPEC 3.5: the precertificate signed data over the leaf's current TBS (the
 * leaf has no SCT extension yet), signed by `ct`, appended as the last
 * extension. The caller signs the certificate again afterwards.
 */
int vsi_add_sct(X509 *x, X509 *issuer, EVP_PKEY *ct,
                const uint8_t log_id[32], uint64_t ts_ms, int corrupt)
{
	unsigned char *tbs = NULL, *ikey = NULL, *sig = NULL, *lid = NULL;
	unsigned char *msg = NULL, *p;
	size_t siglen = 0, msglen;
	int tbslen, ikeylen;
	uint8_t ikh[32];
	SCT *sct = NULL;
	STACK_OF(SCT) *scts = NULL;
	int rc = -1;

	tbslen = i2d_re_X509_tbs(x, &tbs);
	ikeylen = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer), &ikey);
	if (tbslen <= 0 || tbslen >= (1 << 24) || ikeylen <= 0)
		goto done;
	vs_sha256(ikh, ikey, (size_t)ikeylen);
	msglen = 1 + 1 + 8 + 2 + 32 + 3 + (size_t)tbslen + 2;
	msg = malloc(msglen);
	if (msg == NULL)
		goto done;
	p = msg;
	*p++ = 0; /* sct_version v1 */
	*p++ = 0; /* signature_type certificate_timestamp */
	for (int i = 7; i >= 0; i--)
		*p++ = (unsigned char)(ts_ms >> (8 * i));
	*p++ = 0; /* entry_type precert_entry (1) */
	*p++ = 1;
	memcpy(p, ikh, 32);
	p += 32;
	*p++ = (unsigned char)(tbslen >> 16);
	*p++ = (unsigned char)(tbslen >> 8);
	*p++ = (unsigned char)tbslen;
	memcpy(p, tbs, (size_t)tbslen);
	p += tbslen;
	*p++ = 0; /* no SCT extensions */
	*p++ = 0;
	if (vsi_ec_sign(ct, msg, msglen, &sig, &siglen) != 0)
		goto done;
	if (corrupt)
		sig[siglen - 1] ^= 0x01; /* stays valid DER, breaks the value */
	lid = OPENSSL_memdup(log_id, 32);
	sct = SCT_new();
	if (lid == NULL || sct == NULL || SCT_set_version(sct, SCT_VERSION_V1) != 1 ||
	    SCT_set_log_entry_type(sct, CT_LOG_ENTRY_TYPE_PRECERT) != 1 ||
	    SCT_set0_log_id(sct, lid, 32) != 1)
		goto done;
	lid = NULL;
	SCT_set_timestamp(sct, ts_ms);
	if (SCT_set_signature_nid(sct, NID_ecdsa_with_SHA256) != 1)
		goto done;
	SCT_set0_signature(sct, sig, siglen);
	sig = NULL;
	scts = sk_SCT_new_null();
	if (scts == NULL || sk_SCT_push(scts, sct) <= 0)
		goto done;
	sct = NULL;
	if (X509_add1_ext_i2d(x, NID_ct_precert_scts, scts, 0,
	                      X509V3_ADD_APPEND) == 1)
		rc = 0;
done:
	SCT_LIST_free(scts);
	SCT_free(sct);
	OPENSSL_free(lid);
	OPENSSL_free(sig);
	free(msg);
	OPENSSL_free(ikey);
	OPENSSL_free(tbs);
	return rc;
}
