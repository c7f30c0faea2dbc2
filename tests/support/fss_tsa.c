/* fss_tsa.c - the fake RFC 3161 timestamp authority (POST
 * application/timestamp-query): parses the TimeStampReq and answers a
 * TimeStampResp signed by the vtsa of the trusted root, genTime now. The
 * wrong-nonce and wrong-imprint faults alter the request before it is
 * answered, so the token is otherwise genuine. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>

#include <openssl/err.h>
#include <openssl/ts.h>

#include "fss_impl.h"

/* The request re-encoded with the faults applied; NULL if not a TS_REQ. */
static uint8_t *altered(struct fss *s, const struct fss_req *q, size_t *len)
{
	const unsigned char *p = q->body;
	TS_REQ *req = d2i_TS_REQ(NULL, &p, (long)q->len);
	unsigned char *der = NULL;
	uint8_t *out = NULL;
	int n;

	if (req == NULL)
		return NULL;
	if (fssi_has(s, FSS_TSA_WRONG_NONCE, q->path)) {
		const ASN1_INTEGER *nonce = TS_REQ_get_nonce(req);
		ASN1_INTEGER *other = ASN1_INTEGER_new();

		ASN1_INTEGER_set(other, nonce && ASN1_INTEGER_get(nonce) == 42
		                            ? 43 : 42);
		TS_REQ_set_nonce(req, other);
		ASN1_INTEGER_free(other);
	}
	if (fssi_has(s, FSS_TSA_WRONG_IMPRINT, q->path)) {
		TS_MSG_IMPRINT *mi = TS_REQ_get_msg_imprint(req);
		ASN1_OCTET_STRING *os = TS_MSG_IMPRINT_get_msg(mi);

		int mlen = os ? ASN1_STRING_length(os) : 0;
		uint8_t buf[EVP_MAX_MD_SIZE];

		if (mlen > 0 && mlen <= (int)sizeof(buf)) {
			memcpy(buf, ASN1_STRING_get0_data(os), (size_t)mlen);
			buf[0] ^= 0xff;
			ASN1_OCTET_STRING_set(os, buf, mlen);
		}
	}
	n = i2d_TS_REQ(req, &der);
	if (n > 0 && (out = malloc((size_t)n)) != NULL) {
		memcpy(out, der, (size_t)n);
		*len = (size_t)n;
	}
	OPENSSL_free(der);
	TS_REQ_free(req);
	ERR_clear_error();
	return out;
}

void fssi_tsa(struct fss *s, const struct fss_req *q, struct fss_resp *r)
{
	struct timeval tv;
	uint8_t *req, *der = NULL;
	size_t len = 0, der_len = 0;
	int rc;

	if (q->content_type == NULL ||
	    strncmp(q->content_type, "application/timestamp-query", 27) != 0) {
		fssi_error(r, 400, 400, "fss: Content-Type must be "
		                        "application/timestamp-query");
		return;
	}
	req = altered(s, q, &len);
	if (req == NULL) {
		fssi_error(r, 400, 400, "fss: the body is not a TimeStampReq");
		return;
	}
	gettimeofday(&tv, NULL);
	if (fssi_has(s, FSS_TSA_REJECTED, q->path)) {
		struct vtsa_stamp_opts o = {.status = 2};

		rc = vtsa_stamp(s->tsa, "x", 1, &o, &der, &der_len);
	} else {
		rc = vtsa_respond(fssi_has(s, FSS_TSA_UNTRUSTED, q->path)
		                      ? s->other_tsa
		                      : s->tsa,
		                  req, len,
		                  (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000,
		                  &der, &der_len);
	}
	free(req);
	if (rc != 0) {
		fssi_error(r, 500, 500, "fss: cannot make the timestamp");
		return;
	}
	r->status = 200;
	r->body = der;
	r->len = der_len;
	snprintf(r->ctype, sizeof(r->ctype), "application/timestamp-reply");
}
