/* tsa.c - RFC 3161 timestamps: one TimeStampResp against the timestamp
 * authorities of the trusted root (SPEC 3.2.2). */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "verify/steps.h"

#define STEP PYVERIFY_STEP_TIMESTAMP

/* Why one TSA of the root did not accept the timestamp. Higher is more
 * relevant to the user: it is the reason reported when no TSA accepts. */
enum why {
	WHY_NONE = 0,
	WHY_NO_CHAIN = 1, /* the signer is not from this TSA at all */
	WHY_BAD = 2,      /* from this TSA, but something does not verify */
	WHY_WINDOW = 3,   /* verifies, but outside the TSA's validFor */
	WHY_INTERNAL = 4, /* a library call failed: not a verdict */
	WHY_BAD_ROOT = 5  /* the trusted root's entry does not decode */
};

struct attempt {
	int why;
	char msg[PYVERIFY_ERROR_MSG_SIZE];
};

static void
attempt_set(struct attempt *a, int why, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void
attempt_set(struct attempt *a, int why, const char *fmt, ...)
{
	va_list ap;

	a->why = why;
	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof(a->msg), fmt, ap);
	va_end(ap);
}

static const char *
status_name(long s)
{
	static const char *const names[] = {
		"granted", "grantedWithMods", "rejection", "waiting",
		"revocationWarning", "revocationNotification"
	};

	return s >= 0 && s <= 5 ? names[s] : "unknown";
}

/* RFC 3161 2.4.2: genTime is a UTC GeneralizedTime "YYYYMMDDhhmmss[.f*]Z";
 * converted to RFC 3339 so pv_parse_rfc3339_ms does the calendar (no timegm,
 * no TZ). Fractions below a millisecond round down. */
static int
parse_gen_time(const ASN1_GENERALIZEDTIME *g, int64_t *out)
{
	const char *s;
	char buf[48];
	int n, i, j;

	if (g == NULL || ASN1_STRING_type(g) != V_ASN1_GENERALIZEDTIME)
		return -1;
	s = (const char *)ASN1_STRING_get0_data(g);
	n = ASN1_STRING_length(g);
	if (n < 15 || n > 25) /* 14 digits, '.', at most 9 digits, 'Z' */
		return -1;
	for (i = 0; i < 14; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	j = 14;
	if (s[j] == '.') {
		for (j = 15; j < n && s[j] >= '0' && s[j] <= '9'; j++)
			;
		if (j == 15)
			return -1;
	}
	if (j != n - 1 || s[j] != 'Z')
		return -1;
	snprintf(buf, sizeof(buf), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s%.*sZ", s,
	         s + 4, s + 6, s + 8, s + 10, s + 12, j - 14, s + 14);
	return pv_parse_rfc3339_ms(out, buf, 0);
}

/* SPEC 3.2.2 step 2: SHA-256/384/512 only (SHA-1 rejected), and the imprint
 * is the hash of the bundle signature bytes, not of the artifact. */
static int
check_imprint(TS_TST_INFO *tst, const uint8_t *sig, size_t sig_len,
              pyverify_error *err)
{
	TS_MSG_IMPRINT *mi = TS_TST_INFO_get_msg_imprint(tst);
	X509_ALGOR *alg = mi ? TS_MSG_IMPRINT_get_algo(mi) : NULL;
	ASN1_OCTET_STRING *hm = mi ? TS_MSG_IMPRINT_get_msg(mi) : NULL;
	const ASN1_OBJECT *obj = NULL;
	const void *pval = NULL;
	const EVP_MD *md;
	uint8_t want[EVP_MAX_MD_SIZE];
	unsigned int want_len = 0;
	char want_hex[2 * EVP_MAX_MD_SIZE + 1];
	char got_hex[2 * EVP_MAX_MD_SIZE + 1];
	int ptype = 0;

	if (alg == NULL || hm == NULL)
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "timestamp has no message imprint");
	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	switch (OBJ_obj2nid(obj)) {
	case NID_sha256: md = EVP_sha256(); break;
	case NID_sha384: md = EVP_sha384(); break;
	case NID_sha512: md = EVP_sha512(); break;
	default: {
		char name[80];
		OBJ_obj2txt(name, sizeof(name), obj, 0);
		return pv_fail(err, PYVERIFY_EREJECT, STEP,
		               "timestamp imprint algorithm %s is not accepted "
		               "(expected SHA-256, SHA-384 or SHA-512)", name);
	}
	}
	if (ptype != V_ASN1_UNDEF && ptype != V_ASN1_NULL)
		return pv_fail(err, PYVERIFY_EPARSE, STEP,
		               "timestamp imprint algorithm has parameters");
	if (EVP_Digest(sig, sig_len, want, &want_len, md, NULL) != 1)
		return pv_fail(err, PYVERIFY_EINTERNAL, STEP,
		               "cannot hash the bundle signature");
	if ((unsigned)ASN1_STRING_length(hm) != want_len ||
	    CRYPTO_memcmp(ASN1_STRING_get0_data(hm), want, want_len) != 0) {
		size_t hl = (size_t)ASN1_STRING_length(hm);
		if (hl > EVP_MAX_MD_SIZE)
			hl = EVP_MAX_MD_SIZE;
		pv_hex_encode(want_hex, want, want_len);
		pv_hex_encode(got_hex, ASN1_STRING_get0_data(hm), hl);
		return pv_fail(err, PYVERIFY_EREJECT, STEP,
		               "timestamp is over other data: imprint %s:%s, "
		               "expected the bundle signature hash %s",
		               EVP_MD_get0_name(md), got_hex, want_hex);
	}
	return 0;
}

/* 1 if the EKU extension of `c` lists `nid` (or anyExtendedKeyUsage when
 * `any_ok`); *present says whether the extension exists at all. -1 when the
 * extension is malformed or repeated. */
static int
eku_has(X509 *c, int nid, int any_ok, int *present, int *critical,
        int *count)
{
	EXTENDED_KEY_USAGE *eku;
	int crit = -1, i, found = 0, n;

	eku = X509_get_ext_d2i(c, NID_ext_key_usage, &crit, NULL);
	*present = crit != -1;
	*critical = crit == 1;
	*count = 0;
	if (crit == -1)
		return 0;
	if (eku == NULL)
		return -1; /* repeated (-2) or undecodable */
	n = sk_ASN1_OBJECT_num(eku);
	for (i = 0; i < n; i++) {
		int id = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i));
		if (id == nid || (any_ok && id == NID_anyExtendedKeyUsage))
			found = 1;
	}
	*count = n;
	EXTENDED_KEY_USAGE_free(eku);
	return found;
}

/* SPEC 3.2.2 step 6: signer not a CA, EKU present, critical, timeStamping
 * and nothing else (Go); intermediates with an EKU allow timeStamping. */
static int
check_profile(STACK_OF(X509) *chain, const char *uri, struct attempt *a)
{
	X509 *leaf = sk_X509_value(chain, 0);
	int present, critical, count, has, i;

	if (X509_check_ca(leaf) != 0) {
		attempt_set(a, WHY_BAD, "timestamp signer certificate of TSA "
		            "%s is a CA certificate", uri);
		return -1;
	}
	has = eku_has(leaf, NID_time_stamp, 0, &present, &critical, &count);
	if (has < 0 || !present || !critical || !has || count != 1) {
		attempt_set(a, WHY_BAD, "timestamp signer certificate of TSA "
		            "%s does not have a critical extended key usage of "
		            "timeStamping only (%s)", uri,
		            has < 0 ? "malformed" : !present ? "no EKU" :
		            !critical ? "not critical" : !has ?
		            "no timeStamping" : "other usages too");
		return -1;
	}
	for (i = 1; i < sk_X509_num(chain); i++) {
		has = eku_has(sk_X509_value(chain, i), NID_time_stamp, 1,
		              &present, &critical, &count);
		if (has < 0 || (present && !has)) {
			attempt_set(a, WHY_BAD, "certificate %d of the "
			            "chain of TSA %s restricts its extended "
			            "key usage and does not allow "
			            "timeStamping", i, uri);
			return -1;
		}
	}
	return 0;
}

static int
is_no_chain_error(int e)
{
	return e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
	       e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
	       e == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
	       e == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
	       e == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE;
}

/*
 * The signer OpenSSL will use: looked up by the SignerInfo's issuer and
 * serial in `helpers` first, then among the certificates the token embeds.
 * Builds its path to the TSA anchor at genTime; on success returns the
 * chain (caller frees) and the signer (borrowed).
 */
static STACK_OF(X509) *
signer_chain(PKCS7 *token, X509_STORE *store, STACK_OF(X509) *helpers,
             X509 **signer_out, const char *uri, const char *when,
             struct attempt *a)
{
	STACK_OF(X509) *signers = NULL, *untrusted = NULL, *chain = NULL;
	STACK_OF(X509) *embedded = token->d.sign->cert;
	X509_STORE_CTX *ctx = NULL;
	X509 *signer;
	int e;

	signers = PKCS7_get0_signers(token, helpers, 0);
	if (signers == NULL || sk_X509_num(signers) != 1) {
		attempt_set(a, WHY_NO_CHAIN, "timestamp signer certificate is "
		            "neither embedded nor a certificate of TSA %s",
		            uri);
		goto done;
	}
	signer = sk_X509_value(signers, 0);
	untrusted = X509_chain_up_ref(helpers);
	if (untrusted == NULL ||
	    (embedded != NULL && !X509_add_certs(untrusted, embedded,
	                                         X509_ADD_FLAG_UP_REF)) ||
	    (ctx = X509_STORE_CTX_new()) == NULL ||
	    !X509_STORE_CTX_init(ctx, store, signer, untrusted)) {
		attempt_set(a, WHY_INTERNAL, "cannot set up path validation");
		goto done;
	}
	if (X509_verify_cert(ctx) != 1) {
		char name[256];
		X509 *cur = X509_STORE_CTX_get_current_cert(ctx);

		e = X509_STORE_CTX_get_error(ctx);
		X509_NAME_oneline(X509_get_subject_name(signer), name,
		                  sizeof(name));
		if (is_no_chain_error(e)) {
			attempt_set(a, WHY_NO_CHAIN, "timestamp signer %s does "
			            "not chain to TSA %s", name, uri);
			goto done;
		}
		/* Which certificate of the path is at fault. */
		X509_NAME_oneline(X509_get_subject_name(cur ? cur : signer),
		                  name, sizeof(name));
		attempt_set(a, WHY_BAD, "timestamp signer chain of TSA %s is "
		            "not valid at genTime %s: %s (%s)", uri, when,
		            X509_verify_cert_error_string(e), name);
		goto done;
	}
	chain = X509_STORE_CTX_get1_chain(ctx);
	if (chain == NULL)
		attempt_set(a, WHY_INTERNAL, "cannot read the timestamp chain");
	else
		*signer_out = signer;
done:
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(untrusted, X509_free);
	sk_X509_free(signers);
	return chain;
}

/* SPEC 3.2.2 step 3: when the trusted root pins the TSA leaf (element 0 is
 * not a CA), the signer - and any signer certificate the token embeds -
 * must be that very certificate. */
static int
check_pinned(PKCS7 *token, X509 *signer, const struct pv_ca *ca,
             X509 *const *certs, struct attempt *a)
{
	STACK_OF(X509) *emb;
	int bad;

	if (X509_check_ca(certs[0]) != 0)
		return 0;
	emb = PKCS7_get0_signers(token, NULL, 0);
	bad = X509_cmp(signer, certs[0]) != 0 ||
	      (emb != NULL && sk_X509_num(emb) == 1 &&
	       X509_cmp(sk_X509_value(emb, 0), certs[0]) != 0);
	sk_X509_free(emb);
	if (bad) {
		attempt_set(a, WHY_BAD, "timestamp signer certificate is not "
		            "the TSA certificate the trusted root pins for %s",
		            ca->uri);
		return -1;
	}
	return 0;
}

/* OpenSSL's own RFC 3161 verification: version, CMS signature, ESS
 * signing-certificate attribute, path with the timestamping purpose, and
 * imprint over the data. Consumes nothing of the caller's. */
static int
openssl_verify(TS_RESP *resp, X509_STORE *store, STACK_OF(X509) *helpers,
               const uint8_t *sig, size_t sig_len, const char *uri,
               struct attempt *a)
{
	TS_VERIFY_CTX *vc = TS_VERIFY_CTX_new();
	STACK_OF(X509) *certs = X509_chain_up_ref(helpers);
	BIO *data = BIO_new_mem_buf(sig, (int)sig_len);
	int ok = 0;

	if (vc == NULL || certs == NULL || data == NULL ||
	    !X509_STORE_up_ref(store)) {
		attempt_set(a, WHY_INTERNAL,
		            "cannot set up timestamp verification");
		goto done;
	}
	TS_VERIFY_CTX_set_flags(vc, TS_VFY_VERSION | TS_VFY_SIGNATURE |
	                                TS_VFY_DATA);
	/* The context owns what it is given from here on. */
	TS_VERIFY_CTX_set_data(vc, data);
	data = NULL;
	TS_VERIFY_CTX_set_store(vc, store);
	TS_VERIFY_CTX_set_certs(vc, certs);
	certs = NULL;
	ok = TS_RESP_verify_response(vc, resp) == 1;
	if (!ok) {
		const char *r = ERR_reason_error_string(ERR_peek_last_error());
		attempt_set(a, WHY_BAD, "timestamp signature does not verify "
		            "with TSA %s: %s", uri, r ? r : "unknown reason");
	}
done:
	TS_VERIFY_CTX_free(vc);
	sk_X509_pop_free(certs, X509_free);
	BIO_free(data);
	return ok ? 0 : -1;
}

/* One TSA of the root: 0 if it vouches for the token, else -1 with *a. */
static int
try_tsa(const struct pv_ca *ca, TS_RESP *resp, PKCS7 *token,
        const uint8_t *sig, size_t sig_len, int64_t t_ms, struct attempt *a)
{
	X509_STORE *store = NULL;
	STACK_OF(X509) *helpers = NULL, *chain = NULL;
	X509_VERIFY_PARAM *vp;
	X509 *signer = NULL;
	X509 *const *certs;
	const char *uri = ca->uri ? ca->uri : "(no uri)";
	char when[32], s1[32], s2[32] = "";
	size_t i, bad;
	int rc = -1;

	pv_format_rfc3339_ms(when, t_ms);
	if (ca->n_certs == 0) {
		attempt_set(a, WHY_NO_CHAIN, "TSA %s has no certificates", uri);
		return -1;
	}
	if ((certs = pv_ca_certs(ca, &bad)) == NULL) {
		if (bad == ca->n_certs)
			attempt_set(a, WHY_INTERNAL, "out of memory");
		else
			attempt_set(a, WHY_BAD_ROOT, "certificate %zu of TSA %s in "
			            "the trusted root is not one DER X.509 "
			            "certificate", bad, uri);
		return -1;
	}
	/* SPEC 3.2.2 step 5: anchor = the last certificate of the entry,
	 * validated at genTime; the others are untrusted helpers. */
	if ((store = X509_STORE_new()) == NULL ||
	    !X509_STORE_add_cert(store, certs[ca->n_certs - 1]) ||
	    (helpers = sk_X509_new_null()) == NULL) {
		attempt_set(a, WHY_INTERNAL, "cannot set up path validation");
		goto done;
	}
	for (i = 0; i + 1 < ca->n_certs; i++) {
		if (!sk_X509_push(helpers, certs[i])) {
			attempt_set(a, WHY_INTERNAL,
			            "cannot set up path validation");
			goto done;
		}
		X509_up_ref(certs[i]); /* owned by `helpers` now */
	}
	/* Validity inclusive at both ends, in milliseconds (SPEC 0.6). */
	pv_x509_store_at(store, t_ms);
	vp = X509_STORE_get0_param(store);
	/* SPEC 2.1: the last element may be an intermediate anchor. */
	X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_PARTIAL_CHAIN |
	                                    X509_V_FLAG_X509_STRICT);
	X509_VERIFY_PARAM_set_depth(vp, PV_MAX_CHAIN_CERTS);

	chain = signer_chain(token, store, helpers, &signer, uri, when, a);
	if (chain == NULL || check_pinned(token, signer, ca, certs, a) != 0 ||
	    check_profile(chain, uri, a) != 0 ||
	    openssl_verify(resp, store, helpers, sig, sig_len, uri, a) != 0)
		goto done;
	/* SPEC 3.2.2 step 8 and 2.2: validFor is a closed interval. */
	if (!pv_time_range_contains(&ca->valid, t_ms)) {
		pv_format_window(&ca->valid, s1, s2);
		attempt_set(a, WHY_WINDOW, "timestamp from %s is outside the "
		            "validity window of TSA %s (%s to %s)", when, uri,
		            s1, s2);
		goto done;
	}
	rc = 0;
done:
	sk_X509_pop_free(chain, X509_free);
	sk_X509_pop_free(helpers, X509_free);
	X509_STORE_free(store);
	ERR_clear_error();
	return rc;
}

int
pv_tsa_verify(const pyverify_trust_root *root, const uint8_t *resp,
              size_t resp_len, const uint8_t *signature, size_t sig_len,
              int64_t *gen_time_ms, pyverify_error *err)
{
	return pv_tsa_verify_from(root, resp, resp_len, signature, sig_len,
	                          gen_time_ms, NULL, err);
}

int
pv_tsa_verify_from(const pyverify_trust_root *root, const uint8_t *resp,
                   size_t resp_len, const uint8_t *signature, size_t sig_len,
                   int64_t *gen_time_ms, size_t *tsa_index,
                   pyverify_error *err)
{
	const unsigned char *p = resp;
	TS_RESP *r = NULL;
	TS_TST_INFO *tst;
	PKCS7 *token;
	STACK_OF(PKCS7_SIGNER_INFO) *sis;
	struct attempt best = { WHY_NONE, "timestamp does not verify" }, cur;
	int64_t t_ms = 0;
	long status;
	size_t i;
	int rc;

	if (root == NULL || resp == NULL || signature == NULL ||
	    gen_time_ms == NULL || sig_len == 0 || sig_len > INT_MAX)
		return pv_fail(err, PYVERIFY_EUSAGE, STEP,
		               "missing timestamp, signature or trusted root");
	/* SPEC 3.2.2 step 1: exactly one DER TimeStampResp. */
	if (resp_len == 0 || resp_len > PV_MAX_BUNDLE_BYTES ||
	    (r = d2i_TS_RESP(NULL, &p, (long)resp_len)) == NULL ||
	    p != resp + resp_len) {
		rc = pv_fail(err, PYVERIFY_EPARSE, STEP, "timestamp is not "
		             "exactly one DER RFC 3161 TimeStampResp");
		goto done;
	}
	/* SPEC 7.19: grantedWithMods is rejected too. */
	status = ASN1_INTEGER_get(
	        TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(r)));
	if (status != 0) {
		rc = pv_fail(err, PYVERIFY_EREJECT, STEP,
		             "timestamp response status is %s (%ld), expected "
		             "granted (0)", status_name(status), status);
		goto done;
	}
	token = TS_RESP_get_token(r);
	tst = TS_RESP_get_tst_info(r);
	if (token == NULL || tst == NULL || !PKCS7_type_is_signed(token)) {
		rc = pv_fail(err, PYVERIFY_EPARSE, STEP,
		             "timestamp response carries no signed token");
		goto done;
	}
	if (TS_TST_INFO_get_version(tst) != 1) {
		rc = pv_fail(err, PYVERIFY_EREJECT, STEP, "timestamp TSTInfo "
		             "version is %ld, expected 1",
		             TS_TST_INFO_get_version(tst));
		goto done;
	}
	if ((rc = check_imprint(tst, signature, sig_len, err)) != 0)
		goto done;
	sis = PKCS7_get_signer_info(token);
	if (sis == NULL || sk_PKCS7_SIGNER_INFO_num(sis) != 1) {
		rc = pv_fail(err, PYVERIFY_EREJECT, STEP, "timestamp token has "
		             "%d signers, expected exactly 1",
		             sis ? sk_PKCS7_SIGNER_INFO_num(sis) : 0);
		goto done;
	}
	if (parse_gen_time(TS_TST_INFO_get_time(tst), &t_ms) != 0) {
		rc = pv_fail(err, PYVERIFY_EPARSE, STEP, "timestamp genTime is "
		             "not a UTC GeneralizedTime");
		goto done;
	}
	/* SPEC 7.20: a timestamp nobody can check fails. */
	if (root->n_tsas == 0) {
		rc = pv_fail(err, PYVERIFY_EREJECT, STEP, "the bundle has an "
		             "RFC 3161 timestamp but the trusted root (%s) has "
		             "no timestamp authority",
		             root->source ? root->source : "unnamed");
		goto done;
	}
	for (i = 0; i < root->n_tsas; i++) {
		cur.why = WHY_NONE;
		if (try_tsa(&root->tsas[i], r, token, signature, sig_len, t_ms,
		            &cur) == 0) {
			*gen_time_ms = t_ms;
			if (tsa_index != NULL)
				*tsa_index = i;
			rc = 0;
			goto done;
		}
		if (cur.why > best.why)
			best = cur;
		/* A broken entry is a broken root: no verdict from the
		 * others. */
		if (cur.why == WHY_INTERNAL || cur.why == WHY_BAD_ROOT)
			break;
	}
	if (best.why == WHY_BAD_ROOT)
		rc = pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_TRUST_ROOT,
		             "%s (%s)", best.msg,
		             root->source ? root->source : "unnamed");
	else if (best.why == WHY_INTERNAL)
		rc = pv_fail(err, PYVERIFY_EINTERNAL, STEP, "%s", best.msg);
	else if (best.why == WHY_NO_CHAIN)
		rc = pv_fail(err, PYVERIFY_EREJECT, STEP, "timestamp signer "
		             "does not chain to any timestamp authority of the "
		             "trusted root (%s): the trusted root may be out "
		             "of date (%s)",
		             root->source ? root->source : "unnamed", best.msg);
	else
		rc = pv_fail(err, PYVERIFY_EREJECT, STEP, "%s", best.msg);
done:
	TS_RESP_free(r);
	ERR_clear_error();
	return rc;
}
