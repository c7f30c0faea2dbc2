/* vcheck.c - independent checks of the virtual Sigstore's output (see
 * vcheck.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "vcheck.h"

/* Decodes standard padded base64 (asserts it is well formed). */
size_t vc_unb64(uint8_t **out, const char *in)
{
	size_t n = strlen(in), pad = 0;
	uint8_t *buf;
	int r;
	cr_assert(n % 4 == 0, "base64 length %zu not a multiple of 4", n);
	buf = malloc(n / 4 * 3 + 1);
	cr_assert_not_null(buf);
	r = EVP_DecodeBlock(buf, (const unsigned char *)in, (int)n);
	cr_assert(r >= 0, "bad base64: %s", in);
	if (n >= 1 && in[n - 1] == '=')
		pad++;
	if (n >= 2 && in[n - 2] == '=')
		pad++;
	*out = buf;
	return (size_t)r - pad;
}

const char *vc_jstr(const json_t *o, const char *path)
{
	/* path: dot-separated object keys */
	char buf[256];
	const json_t *cur = o;
	char *save = NULL, *tok;
	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok != NULL;
	     tok = strtok_r(NULL, ".", &save)) {
		cur = json_object_get(cur, tok);
		cr_assert_not_null(cur, "missing %s (at %s)", path, tok);
	}
	cr_assert(json_is_string(cur), "%s is not a string", path);
	return json_string_value(cur);
}

EVP_PKEY *vc_pubkey_b64(const char *b)
{
	uint8_t *der;
	size_t n = vc_unb64(&der, b);
	const unsigned char *p = der;
	EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)n);
	cr_assert_not_null(k, "rawBytes is not an SPKI");
	cr_assert_eq(p, der + n, "trailing bytes after SPKI");
	free(der);
	return k;
}

X509 *vc_cert_b64(const char *b)
{
	uint8_t *der;
	size_t n = vc_unb64(&der, b);
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)n);
	cr_assert_not_null(x, "rawBytes is not a certificate");
	cr_assert_eq(p, der + n, "trailing bytes after certificate");
	free(der);
	return x;
}

void vc_sha256(uint8_t out[32], const void *d, size_t n)
{
	cr_assert_not_null(SHA256(d, n, out));
}

int vc_ecdsa_verify(EVP_PKEY *k, const void *msg, size_t len,
                    const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;
	cr_assert_not_null(ctx);
	cr_assert_eq(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k), 1);
	ok = EVP_DigestVerify(ctx, sig, siglen, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

uint64_t vc_jdec(const json_t *o, const char *path)
{
	const char *s = vc_jstr(o, path);
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	cr_assert(*s != '\0' && *end == '\0', "%s is not decimal: %s", path, s);
	return (uint64_t)v;
}

const json_t *vc_entry0(const json_t *b)
{
	const json_t *e = json_array_get(
	    json_object_get(json_object_get(b, "verificationMaterial"),
	                    "tlogEntries"),
	    0);
	cr_assert_not_null(e, "no tlogEntries[0]");
	return e;
}
