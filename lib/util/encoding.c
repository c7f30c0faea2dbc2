/* encoding.c - strict decoders for the text forms bundles use. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil); avoids timegm() and the TZ environment. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int
digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int
pv_parse_rfc3339_ms(int64_t *out, const char *s, int round_up)
{
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30,
	                                  31, 31, 30, 31, 30, 31 };
	unsigned y, mo, d, h, mi, sec, ms = 0, oh, om;
	size_t n = strlen(s), p = 19, nfrac = 0;
	int sub_ms = 0;
	int64_t t;

	if (n < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) ||
	    digits(s + 17, 2, &sec))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59 || sec > 59)
		return -1;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	if (s[p] == '.') {
		p++;
		while (p < n && s[p] >= '0' && s[p] <= '9') {
			if (nfrac < 3)
				ms = ms * 10 + (unsigned)(s[p] - '0');
			else if (s[p] != '0')
				sub_ms = 1;
			nfrac++;
			p++;
		}
		if (nfrac == 0 || nfrac > 9)
			return -1;
		while (nfrac < 3) {
			ms *= 10;
			nfrac++;
		}
	}
	t = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) *
	        1000 + ms;
	if (p == n - 1 && (s[p] == 'Z' || s[p] == 'z')) {
		/* UTC */
	} else if (p + 6 == n && (s[p] == '+' || s[p] == '-') &&
	           s[p + 3] == ':' && !digits(s + p + 1, 2, &oh) &&
	           !digits(s + p + 4, 2, &om) && oh <= 23 && om <= 59) {
		int64_t off = ((int64_t)oh * 3600 + om * 60) * 1000;
		t += s[p] == '+' ? -off : off;
	} else {
		return -1;
	}
	if (sub_ms && round_up)
		t += 1;
	*out = t;
	return 0;
}

void
pv_format_rfc3339(char *out, int64_t unix_seconds)
{
	time_t t = (time_t)unix_seconds;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		memcpy(out, "(invalid time)", 15);
	}
}

int
pv_sha256(uint8_t out[32], const void *data, size_t len)
{
	return SHA256(data, len, out) == NULL ? -1 : 0;
}
