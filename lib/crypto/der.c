/* der.c - strict DER TLV reading for the few structures pyverify cuts or
 * reads without a full OpenSSL decode (keys, the precertificate TBS).
 * Only single-byte tags and minimal definite lengths: anything else is
 * refused, and callers then take OpenSSL's slower generic route. */
#include "crypto/crypto.h"
#include "util/cursor.h"

int
pv_der_next(struct pv_cur *c, struct pv_der *out)
{
	struct pv_cur save = *c;
	const uint8_t *hdr = c->p, *val;
	uint8_t tag, b;
	size_t len = 0, i, nlen;

	if (pv_cur_u8(c, &tag) != 0 || (tag & 0x1f) == 0x1f ||
	    pv_cur_u8(c, &b) != 0)
		goto fail;
	if (b < 0x80) {
		len = b;
	} else {
		nlen = b & 0x7f;
		/* 0x80 is BER's indefinite form; more than 4 length bytes
		 * is beyond anything a certificate or key needs. */
		if (nlen == 0 || nlen > 4)
			goto fail;
		for (i = 0; i < nlen; i++) {
			if (pv_cur_u8(c, &b) != 0 || (i == 0 && b == 0))
				goto fail;
			len = (len << 8) | b;
		}
		if (len < 0x80)
			goto fail; /* not the minimal length form */
	}
	if (pv_cur_take(c, len, &val) != 0)
		goto fail;
	out->tag = tag;
	out->hdr = hdr;
	out->hdr_len = (size_t)(val - hdr);
	out->val = val;
	out->len = len;
	return 0;
fail:
	*c = save;
	return -1;
}

size_t
pv_der_put_header(uint8_t *p, uint8_t tag, size_t len)
{
	size_t n = 0, i, v;

	p[0] = tag;
	if (len < 0x80) {
		p[1] = (uint8_t)len;
		return 2;
	}
	for (v = len; v > 0; v >>= 8)
		n++;
	p[1] = (uint8_t)(0x80 | n);
	for (i = 0; i < n; i++)
		p[2 + i] = (uint8_t)(len >> (8 * (n - 1 - i)));
	return 2 + n;
}

int
pv_der_is_certificate_frame(const uint8_t *der, size_t len)
{
	struct pv_cur all, in;
	struct pv_der cert, e;
	static const uint8_t want[] = { 0x30, 0x30, 0x03 };
	size_t i;

	pv_cur_init(&all, der, len);
	if (pv_der_next(&all, &cert) != 0 || cert.tag != 0x30 ||
	    all.left != 0)
		return 0;
	pv_cur_init(&in, cert.val, cert.len);
	for (i = 0; i < sizeof(want); i++)
		if (pv_der_next(&in, &e) != 0 || e.tag != want[i])
			return 0;
	return in.left == 0;
}
