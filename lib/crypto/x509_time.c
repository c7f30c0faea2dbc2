/* x509_time.c - certificate times: ASN.1 time to Unix seconds and the one
 * OpenSSL verify callback that makes notAfter inclusive (SPEC 0.6, 3.13). */
#include <string.h>
#include <time.h>

#include <openssl/err.h>

#include "crypto/crypto.h"

int
pv_asn1_time_to_unix(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
		ERR_clear_error();
		return -1;
	}
	*out = pv_days_from_civil((int64_t)tm.tm_year + 1900,
	                          (unsigned)tm.tm_mon + 1,
	                          (unsigned)tm.tm_mday) * 86400 +
	       (int64_t)tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	return 0;
}

/* OpenSSL counts notAfter == verification time as expired; accept exactly
 * that case and nothing else. */
static int
inclusive_not_after(int ok, X509_STORE_CTX *ctx)
{
	X509 *c;
	int64_t na;

	if (ok ||
	    X509_STORE_CTX_get_error(ctx) != X509_V_ERR_CERT_HAS_EXPIRED)
		return ok;
	c = X509_STORE_CTX_get_current_cert(ctx);
	if (c == NULL ||
	    pv_asn1_time_to_unix(X509_get0_notAfter(c), &na) != 0 ||
	    na != (int64_t)X509_VERIFY_PARAM_get_time(
	              X509_STORE_CTX_get0_param(ctx)))
		return ok;
	X509_STORE_CTX_set_error(ctx, X509_V_OK);
	return 1;
}

void
pv_x509_store_at(X509_STORE *store, int64_t t_ms)
{
	X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store),
	                           (time_t)pv_ms_to_seconds(t_ms));
	/* OpenSSL sees whole seconds (the floor of t): when t has a
	 * fraction, notAfter == floor(t) means t is after notAfter, and the
	 * certificate stays expired. */
	if (t_ms % 1000 == 0)
		X509_STORE_set_verify_cb(store, inclusive_not_after);
}
