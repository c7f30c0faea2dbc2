/* dsse.c - DSSE pre-authentication encoding and in-toto subject matching. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int
pv_dsse_pae(struct pv_bytes *out, const char *type, const uint8_t *body,
            size_t body_len)
{
	/* SPEC 3.7.2: PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP
	 * LEN(body) SP body, LEN in ASCII decimal without leading zeros. */
	char head[64];
	size_t tlen = strlen(type), hlen, total;
	uint8_t *buf;
	int n;

	n = snprintf(head, sizeof(head), "DSSEv1 %zu ", tlen);
	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	hlen = (size_t)n;
	n = snprintf(NULL, 0, " %zu ", body_len);
	if (n < 0 || body_len > SIZE_MAX / 2 || tlen > SIZE_MAX / 4)
		return -1;
	total = hlen + tlen + (size_t)n + body_len;
	buf = malloc(total + 1); /* +1: snprintf writes a NUL */
	if (buf == NULL)
		return -1;
	memcpy(buf, head, hlen);
	memcpy(buf + hlen, type, tlen);
	snprintf((char *)buf + hlen + tlen, (size_t)n + 1, " %zu ", body_len);
	if (body_len)
		memcpy(buf + hlen + tlen + (size_t)n, body, body_len);
	out->data = buf;
	out->len = total;
	return 0;
}

int
pv_dsse_match_subject(const char *payload_type, const uint8_t *payload,
                      size_t len, const uint8_t sha256[32],
                      pyverify_error *err)
{
	(void)payload_type;
	(void)payload;
	(void)len;
	(void)sha256;
	return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_ARTIFACT,
	               "in-toto subject matching is not implemented yet");
}
