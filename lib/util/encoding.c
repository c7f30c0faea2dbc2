/* encoding.c - strict decoders for the text forms bundles use (times are
 * in time.c). */
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "util/util.h"

void
pv_bytes_clear(struct pv_bytes *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

int
pv_bytes_dup(struct pv_bytes *out, const void *p, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);

	if (d == NULL)
		return -1;
	if (n)
		memcpy(d, p, n);
	out->data = d;
	out->len = n;
	return 0;
}

char *
pv_strndup(const char *s, size_t len)
{
	char *d;

	if (len == SIZE_MAX || (d = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
pv_b64_decode(struct pv_bytes *out, const char *in, size_t inlen)
{
	size_t i, pad = 0, olen, o = 0;
	uint8_t *buf;
	uint32_t acc = 0;

	/* RFC 4648 section 4 with padding: the length is a multiple of 4 and
	 * at most two '=' end it. */
	if (inlen % 4 != 0)
		return -1;
	if (inlen > 0 && in[inlen - 1] == '=')
		pad++;
	if (inlen > 1 && in[inlen - 2] == '=')
		pad++;
	olen = inlen / 4 * 3 - pad;
	buf = malloc(olen ? olen : 1);
	if (buf == NULL)
		return -1;
	for (i = 0; i < inlen - pad; i++) {
		int v = b64_value((unsigned char)in[i]);
		if (v < 0)
			goto bad;
		acc = (acc << 6) | (uint32_t)v;
		if (i % 4 == 3) {
			buf[o++] = (uint8_t)(acc >> 16);
			buf[o++] = (uint8_t)(acc >> 8);
			buf[o++] = (uint8_t)acc;
			acc = 0;
		}
	}
	/* Non-canonical encodings (non-zero bits under the padding) would let
	 * two strings decode to the same bytes. */
	if (pad == 1) {
		if (acc & 0x3)
			goto bad;
		buf[o++] = (uint8_t)(acc >> 10);
		buf[o++] = (uint8_t)(acc >> 2);
	} else if (pad == 2) {
		if (acc & 0xf)
			goto bad;
		buf[o++] = (uint8_t)(acc >> 4);
	}
	out->data = buf;
	out->len = o;
	return 0;
bad:
	free(buf);
	return -1;
}

char *
pv_b64_encode(const uint8_t *in, size_t len)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;
	char *s;

	if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
		return NULL;
	s = malloc((len + 2) / 3 * 4 + 1);
	if (s == NULL)
		return NULL;
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		             in[i + 2];
		s[o++] = tbl[v >> 18];
		s[o++] = tbl[(v >> 12) & 63];
		s[o++] = tbl[(v >> 6) & 63];
		s[o++] = tbl[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		s[o++] = tbl[v >> 18];
		s[o++] = tbl[(v >> 12) & 63];
		s[o++] = '=';
		s[o++] = '=';
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		s[o++] = tbl[v >> 18];
		s[o++] = tbl[(v >> 12) & 63];
		s[o++] = tbl[(v >> 6) & 63];
		s[o++] = '=';
	}
	s[o] = '\0';
	return s;
}

static int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
pv_hex_decode(uint8_t *out, size_t outlen, const char *in, size_t inlen)
{
	size_t i;

	if (outlen > SIZE_MAX / 2 || inlen != outlen * 2)
		return -1;
	for (i = 0; i < inlen; i++)
		if (hex_value((unsigned char)in[i]) < 0)
			return -1;
	for (i = 0; i < outlen; i++)
		out[i] = (uint8_t)(hex_value((unsigned char)in[2 * i]) << 4 |
		                   hex_value((unsigned char)in[2 * i + 1]));
	return 0;
}

void
pv_hex_encode(char *out, const uint8_t *in, size_t len)
{
	static const char tbl[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = tbl[in[i] >> 4];
		out[2 * i + 1] = tbl[in[i] & 15];
	}
	out[2 * len] = '\0';
}

int
pv_parse_u64(uint64_t *out, const char *s, size_t len)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		unsigned d;
		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int
pv_sha256(uint8_t out[32], const void *data, size_t len)
{
	return SHA256(data, len, out) == NULL ? -1 : 0;
}
