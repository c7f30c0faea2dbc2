/* sct.c - embedded signed certificate timestamps (SPEC 3.5, RFC 6962 3.2).
 * The TLS-encoded SCT list is read with a bounded cursor; OpenSSL is used
 * only for DER, the re-encoded TBS and the signature check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "verify/steps.h"
#include "util/cursor.h"

/* RFC 6962 3.2: SignatureAndHashAlgorithm values. */
#define TLS_HASH_SHA256 4
#define TLS_SIG_RSA 1
#define TLS_SIG_ECDSA 3
/* TBSCertificate length is a uint24 in the signed data. */
#define MAX_TBS_LEN 0xFFFFFFu

struct sct {
	int version;
	const uint8_t *log_id; /* 32 bytes */
	uint64_t timestamp;    /* ms */
	const uint8_t *ext;
	size_t ext_len;
	int hash_alg;
	int sig_alg;
	const uint8_t *sig;
	size_t sig_len;
};

/* One SCT (v1) occupying exactly `c`; 0 or -1 if malformed. Other
 * versions are returned with only `version` set. */
static int
parse_sct(struct pv_cur *c, struct sct *s)
{
	uint8_t v;

	memset(s, 0, sizeof(*s));
	if (pv_cur_u8(c, &v) != 0)
		return -1;
	s->version = v;
	if (s->version != 0)
		return 0;
	if (pv_cur_take(c, 32, &s->log_id) != 0 ||
	    pv_cur_u64(c, &s->timestamp) != 0 ||
	    pv_cur_vec(c, 2, &s->ext, &s->ext_len) != 0 ||
	    pv_cur_u8(c, &v) != 0)
		return -1;
	s->hash_alg = v;
	if (pv_cur_u8(c, &v) != 0)
		return -1;
	s->sig_alg = v;
	if (pv_cur_vec(c, 2, &s->sig, &s->sig_len) != 0 || c->left != 0)
		return -1;
	return 0;
}

/*
 * The SignedCertificateTimestampList: the extension's OCTET STRING holds a
 * DER OCTET STRING whose content is the TLS list (SPEC 3.5). Fills
 * scts[0..*n) with views into `ext`'s data. 0 or -1.
 */
static int
parse_sct_list(const ASN1_OCTET_STRING *extval, ASN1_OCTET_STRING **inner,
               struct sct *scts, size_t *n)
{
	const unsigned char *p = ASN1_STRING_get0_data(extval);
	long dlen = ASN1_STRING_length(extval);
	struct pv_cur list, one;
	const uint8_t *body, *sct;
	size_t blen, slen;

	*n = 0;
	*inner = d2i_ASN1_OCTET_STRING(NULL, &p, dlen);
	if (*inner == NULL ||
	    p != ASN1_STRING_get0_data(extval) + dlen) /* no trailing bytes */
		return -1;
	pv_cur_init(&list, ASN1_STRING_get0_data(*inner),
	            (size_t)ASN1_STRING_length(*inner));
	if (pv_cur_vec(&list, 2, &body, &blen) != 0 || list.left != 0)
		return -1;
	pv_cur_init(&list, body, blen);
	while (list.left > 0) {
		if (*n >= PV_MAX_SCTS)
			return -1;
		if (pv_cur_vec(&list, 2, &sct, &slen) != 0 || slen == 0)
			return -1;
		pv_cur_init(&one, sct, slen);
		if (parse_sct(&one, &scts[*n]) != 0)
			return -1;
		(*n)++;
	}
	return *n > 0 ? 0 : -1;
}

/* Appends n bytes at p to the buffer at *o. */
static void
put(uint8_t **o, const void *p, size_t n)
{
	memcpy(*o, p, n);
	*o += n;
}

/*
 * precert_tbs without re-encoding: the SCT list extension cut out of the
 * leaf's DER, and the three enclosing lengths (TBSCertificate, [3],
 * Extensions) rewritten. For a certificate in strict DER this gives the
 * very bytes OpenSSL's re-encoding gives, at a fraction of the cost (no
 * copy of the certificate). 0, or -1 when the DER is not in the expected
 * strict form; the caller then re-encodes.
 */
static int
precert_tbs_cut(X509 *leaf, unsigned char **tbs, size_t *len)
{
	/* extnID 1.3.6.1.4.1.11129.2.4.2 (RFC 6962 3.3) */
	static const uint8_t sct_oid[] = { 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04,
	                                   0x01, 0xd6, 0x79, 0x02, 0x04, 0x02 };
	unsigned char *der = NULL;
	struct pv_cur c, in, exts;
	struct pv_der cert, t, el, a3 = { 0 }, seq, ext, cut = { 0 };
	size_t seq_len, a3_len, tbs_len, cut_len, before;
	uint8_t hdr[3][6], *o;
	size_t h[3];
	int n, found = 0, rc = -1;

	*tbs = NULL;
	n = i2d_X509(leaf, &der); /* the TBS from OpenSSL's cached bytes */
	if (n <= 0)
		goto done;
	pv_cur_init(&c, der, (size_t)n);
	if (pv_der_next(&c, &cert) != 0 || cert.tag != 0x30)
		goto done;
	pv_cur_init(&c, cert.val, cert.len);
	if (pv_der_next(&c, &t) != 0 || t.tag != 0x30)
		goto done;
	/* The extensions are the last field of the TBSCertificate. */
	pv_cur_init(&in, t.val, t.len);
	while (in.left > 0) {
		if (pv_der_next(&in, &el) != 0)
			goto done;
		a3 = el;
	}
	if (a3.tag != 0xa3)
		goto done;
	pv_cur_init(&in, a3.val, a3.len);
	if (pv_der_next(&in, &seq) != 0 || seq.tag != 0x30 || in.left != 0)
		goto done;
	pv_cur_init(&exts, seq.val, seq.len);
	while (exts.left > 0) {
		if (pv_der_next(&exts, &ext) != 0 || ext.tag != 0x30)
			goto done;
		if (ext.len >= sizeof(sct_oid) &&
		    memcmp(ext.val, sct_oid, sizeof(sct_oid)) == 0) {
			if (found++)
				goto done;
			cut = ext;
		}
	}
	cut_len = cut.hdr_len + cut.len;
	if (found != 1 || cut_len == seq.len)
		goto done; /* an empty extension list has no DER form */
	seq_len = seq.len - cut_len;
	h[2] = pv_der_put_header(hdr[2], 0x30, seq_len);
	a3_len = h[2] + seq_len;
	h[1] = pv_der_put_header(hdr[1], 0xa3, a3_len);
	before = (size_t)(a3.hdr - t.val);
	tbs_len = before + h[1] + a3_len;
	h[0] = pv_der_put_header(hdr[0], 0x30, tbs_len);
	if (h[0] + tbs_len > MAX_TBS_LEN ||
	    (*tbs = OPENSSL_malloc(h[0] + tbs_len)) == NULL)
		goto done;
	o = *tbs;
	put(&o, hdr[0], h[0]);
	put(&o, t.val, before);
	put(&o, hdr[1], h[1]);
	put(&o, hdr[2], h[2]);
	put(&o, seq.val, (size_t)(cut.hdr - seq.val));
	put(&o, cut.val + cut.len,
	    (size_t)(seq.val + seq.len - (cut.val + cut.len)));
	*len = (size_t)(o - *tbs);
	rc = 0;
done:
	OPENSSL_free(der);
	return rc;
}

/*
 * The leaf's TBSCertificate without the SCT list extension, re-encoded
 * (SPEC 3.5; what OpenSSL's own CT code does). 0, or -1 on failure.
 */
static int
precert_tbs(X509 *leaf, unsigned char **tbs, size_t *len)
{
	X509 *dup;
	X509_EXTENSION *ext;
	int idx, n, rc = -1;

	if (precert_tbs_cut(leaf, tbs, len) == 0)
		return 0;
	dup = X509_dup(leaf);
	if (dup == NULL)
		goto done;
	idx = X509_get_ext_by_NID(dup, NID_ct_precert_scts, -1);
	if (idx < 0)
		goto done;
	ext = X509_delete_ext(dup, idx); /* ours now */
	X509_EXTENSION_free(ext);
	n = i2d_re_X509_tbs(dup, tbs);
	if (n <= 0 || (size_t)n > MAX_TBS_LEN)
		goto done;
	*len = (size_t)n;
	rc = 0;
done:
	if (rc != 0) {
		OPENSSL_free(*tbs);
		*tbs = NULL;
	}
	X509_free(dup);
	return rc;
}

static void
put_be(uint8_t *p, uint64_t v, size_t n)
{
	while (n-- > 0) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

/* RFC 6962 3.2 digitally-signed input for a precert entry (SPEC 3.5). */
static uint8_t *
signed_data(const struct sct *s, const uint8_t key_hash[32],
            const unsigned char *tbs, size_t tbs_len, size_t *out_len)
{
	size_t len = 1 + 1 + 8 + 2 + 32 + 3 + tbs_len + 2 + s->ext_len;
	uint8_t *b = malloc(len), *p = b;

	if (b == NULL)
		return NULL;
	*p++ = 0; /* sct_version v1 */
	*p++ = 0; /* signature_type certificate_timestamp */
	put_be(p, s->timestamp, 8);
	p += 8;
	put_be(p, 1, 2); /* entry_type precert_entry */
	p += 2;
	memcpy(p, key_hash, 32);
	p += 32;
	put_be(p, tbs_len, 3);
	p += 3;
	memcpy(p, tbs, tbs_len);
	p += tbs_len;
	put_be(p, s->ext_len, 2);
	p += 2;
	if (s->ext_len > 0)
		memcpy(p, s->ext, s->ext_len);
	*out_len = len;
	return b;
}

/* Does `cert` carry the CT precertificate-signing EKU? */
static int
is_precert_signer(X509 *cert)
{
	EXTENDED_KEY_USAGE *eku;
	int i, found = 0;

	eku = X509_get_ext_d2i(cert, NID_ext_key_usage, NULL, NULL);
	for (i = 0; eku != NULL && i < sk_ASN1_OBJECT_num(eku); i++)
		if (OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)) ==
		    NID_ct_precert_signer)
			found = 1;
	EXTENDED_KEY_USAGE_free(eku);
	ERR_clear_error();
	return found;
}

static int
key_uses_sha256(const struct pv_pubkey *k)
{
	const EVP_MD *md = pv_pubkey_md(k);

	return md != NULL && EVP_MD_get_type(md) == NID_sha256;
}

/* How the SCTs that did not verify were skipped, for the final message. */
struct skipped {
	size_t unknown_log;
	size_t bad_version;
	const struct sct *outside; /* first SCT outside its log's window */
	const struct pv_tlog *outside_log;
};

static int
no_sct_verified(const pyverify_trust_root *root, const struct skipped *sk,
                size_t n, pyverify_error *err)
{
	const char *src = root->source != NULL ? root->source
	                                       : "(unnamed trusted root)";
	char ts[32], a[32], b[32];

	if (sk->outside != NULL) {
		pv_format_rfc3339(ts, (int64_t)(sk->outside->timestamp / 1000));
		pv_format_window(&sk->outside_log->valid, a, b);
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_SCT,
		               "SCT time %s is outside the validity of CT log "
		               "%s (%s to %s); the trusted root may be out of "
		               "date (%s)",
		               ts, sk->outside_log->base_url != NULL
		                       ? sk->outside_log->base_url : "(no URL)",
		               a, b, src);
	}
	if (sk->bad_version == n)
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_SCT,
		               "no SCT of a supported version (v1) in the "
		               "signing certificate");
	return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_SCT,
	               "none of the %zu SCTs is from a CT log of the trusted "
	               "root; the trusted root may be out of date (%s)",
	               n, src);
}

/* 1 when the SCT verifies, else a negative status with err filled. */
static int
verify_one(const struct sct *s, const struct pv_tlog *log,
           const uint8_t key_hash[32], const unsigned char *tbs,
           size_t tbs_len, size_t index, pyverify_error *err)
{
	const char *url = log->base_url != NULL ? log->base_url : "(no URL)";
	int want_sig, ok;
	uint8_t *data;
	size_t dlen;

	/* SPEC 3.5 step 2: only sha256; the signature algorithm must be the
	 * log key's (ECDSA P-256 or RSA, both over SHA-256). */
	want_sig = TLS_SIG_ECDSA;
	if (log->key.pkey != NULL &&
	    EVP_PKEY_get_base_id(log->key.pkey) == EVP_PKEY_RSA)
		want_sig = TLS_SIG_RSA;
	if (log->key.pkey == NULL || s->hash_alg != TLS_HASH_SHA256 ||
	    s->sig_alg != want_sig || !key_uses_sha256(&log->key))
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_SCT,
		               "SCT %zu from CT log %s uses hash %d / "
		               "signature %d, expected SHA-256 (4) / %d for "
		               "the log key",
		               index, url, s->hash_alg, s->sig_alg, want_sig);
	data = signed_data(s, key_hash, tbs, tbs_len, &dlen);
	if (data == NULL)
		return pv_fail(err, PYVERIFY_ENOMEM, PYVERIFY_STEP_SCT,
		               "out of memory");
	/* SPEC 3.5 step 3. */
	ok = pv_pubkey_verify_message(&log->key, data, dlen, s->sig,
	                              s->sig_len);
	free(data);
	if (ok < 0)
		return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_SCT,
		               "SCT signature check failed unexpectedly");
	if (ok == 0)
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_SCT,
		               "SCT %zu from CT log %s has an invalid "
		               "signature over the signing certificate",
		               index, url);
	return 1;
}

int
pv_sct_verify(const pyverify_trust_root *root, X509 *leaf, X509 *issuer,
              pyverify_error *err)
{
	struct sct scts[PV_MAX_SCTS];
	struct skipped sk;
	ASN1_OCTET_STRING *inner = NULL;
	unsigned char *tbs = NULL, *spki = NULL;
	size_t n = 0, i, tbs_len = 0, verified = 0;
	uint8_t key_hash[32];
	const struct pv_tlog *log;
	int idx, spki_len, rc;

	memset(&sk, 0, sizeof(sk));
	/* SPEC 3.5: the issuer must be a CA (Fulcio uses no pre-issuer). */
	if (issuer == NULL || !(X509_get_extension_flags(issuer) & EXFLAG_CA)) {
		rc = pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_SCT,
		             "the certificate that issued the signing "
		             "certificate is not a CA");
		goto done;
	}
	if (is_precert_signer(issuer)) {
		rc = pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_SCT,
		             "the issuer is a CT precertificate signing "
		             "certificate, which Fulcio does not use");
		goto done;
	}
	if (X509_get_ext_by_NID(leaf, NID_ct_precert_poison, -1) >= 0) {
		rc = pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_SCT,
		             "the signing certificate is a CT precertificate");
		goto done;
	}
	idx = X509_get_ext_by_NID(leaf, NID_ct_precert_scts, -1);
	if (idx < 0) {
		rc = pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_SCT,
		             "the signing certificate has no embedded SCT");
		goto done;
	}
	if (X509_get_ext_by_NID(leaf, NID_ct_precert_scts, idx) >= 0 ||
	    parse_sct_list(X509_EXTENSION_get_data(X509_get_ext(leaf, idx)),
	                   &inner, scts, &n) != 0) {
		rc = pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_SCT,
		             "the signing certificate's SCT list is malformed "
		             "(duplicate, bad encoding, empty or more than %d)",
		             PV_MAX_SCTS);
		goto done;
	}
	spki_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer), &spki);
	if (spki_len <= 0 || pv_sha256(key_hash, spki, (size_t)spki_len) != 0 ||
	    precert_tbs(leaf, &tbs, &tbs_len) != 0) {
		rc = pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_SCT,
		             "cannot encode the certificate for SCT checks");
		goto done;
	}
	for (i = 0; i < n; i++) {
		if (scts[i].version != 0) {
			sk.bad_version++;
			continue;
		}
		/* SPEC 3.5 step 2: unknown logs are skipped, as are SCTs
		 * outside the log key's validFor (Go). */
		log = pv_trust_root_find_ctlog(root, scts[i].log_id);
		if (log == NULL) {
			sk.unknown_log++;
			continue;
		}
		if (scts[i].timestamp > (uint64_t)INT64_MAX ||
		    !pv_time_range_contains(&log->valid,
		                            (int64_t)scts[i].timestamp)) {
			if (sk.outside == NULL) {
				sk.outside = &scts[i];
				sk.outside_log = log;
			}
			continue;
		}
		rc = verify_one(&scts[i], log, key_hash, tbs, tbs_len, i, err);
		/* A known log whose signature fails rejects. */
		if (rc != 1)
			goto done;
		verified++;
	}
	/* SPEC 3.5 step 4: at least one SCT must verify. */
	rc = verified > 0 ? 0 : no_sct_verified(root, &sk, n, err);
done:
	OPENSSL_free(tbs);
	OPENSSL_free(spki);
	ASN1_OCTET_STRING_free(inner);
	ERR_clear_error();
	return rc;
}
