/*
 * vs_util.c - small helpers of the virtual Sigstore: digests, base64, keys,
 * ECDSA, a growable string, JSON members.
 *
 * Part of the virtual Sigstore (tests/support/vsigstore.h). Independent of
 * lib/ on purpose: the fixture must not share a bug with the code it tests.
 * Every function returns NULL / -1 on failure and frees what it took.
 */
#include "vs_impl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>

/* ---- small helpers ------------------------------------------------------ */

void vs_sha256(uint8_t out[32], const void *data, size_t len)
{
	unsigned int n = 32;
	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1)
		memset(out, 0, 32);
}

/* Standard padded base64, malloc'd. */
char *vsi_b64(const void *in, size_t len)
{
	size_t outlen = 4 * ((len + 2) / 3) + 1;
	char *out;
	if (len > (size_t)INT32_MAX / 2)
		return NULL;
	out = malloc(outlen);
	if (out == NULL)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}

void vsi_hex(char *out, const uint8_t *in, size_t len)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	out[2 * len] = '\0';
}

/* DER SubjectPublicKeyInfo, OPENSSL_malloc'd. */
int vsi_spki(EVP_PKEY *k, unsigned char **out, size_t *outlen)
{
	unsigned char *p = NULL;
	int n = i2d_PUBKEY(k, &p);
	if (n <= 0)
		return -1;
	*out = p;
	*outlen = (size_t)n;
	return 0;
}

int vsi_key_id(EVP_PKEY *k, uint8_t out[32])
{
	unsigned char *d = NULL;
	size_t n = 0;
	if (vsi_spki(k, &d, &n) != 0)
		return -1;
	vs_sha256(out, d, n);
	OPENSSL_free(d);
	return 0;
}

/* ECDSA with `md` over msg; DER signature, OPENSSL_malloc'd. */
int vsi_ec_sign_md(EVP_PKEY *k, const EVP_MD *md, const void *msg,
                   size_t len, unsigned char **sig, size_t *siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *s = NULL;
	size_t n = 0;
	int rc = -1;
	if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, md, NULL, k) != 1)
		goto done;
	if (EVP_DigestSign(ctx, NULL, &n, msg, len) != 1)
		goto done;
	s = OPENSSL_malloc(n);
	if (s == NULL || EVP_DigestSign(ctx, s, &n, msg, len) != 1)
		goto done;
	*sig = s;
	*siglen = n;
	s = NULL;
	rc = 0;
done:
	OPENSSL_free(s);
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* ECDSA with SHA-256 (the logs, the CT log, P-256 signers). */
int vsi_ec_sign(EVP_PKEY *k, const void *msg, size_t len,
                unsigned char **sig, size_t *siglen)
{
	return vsi_ec_sign_md(k, EVP_sha256(), msg, len, sig, siglen);
}

/* The curve's group name, "" when not an EC key. */
static const char *curve_of(EVP_PKEY *key, char *buf, size_t len)
{
	size_t n = 0;
	if (key == NULL || !EVP_PKEY_is_a(key, "EC") ||
	    EVP_PKEY_get_group_name(key, buf, len, &n) != 1)
		return "";
	return buf;
}

/* The hash that pairs with a signer's curve (SPEC 2.3), as 256/384/512;
 * 0 for a key the fixture does not sign with. */
int vsi_key_hash_bits(EVP_PKEY *key)
{
	char g[32];
	const char *c = curve_of(key, g, sizeof(g));
	if (strcmp(c, "prime256v1") == 0)
		return 256;
	if (strcmp(c, "secp384r1") == 0)
		return 384;
	if (strcmp(c, "secp521r1") == 0)
		return 512;
	return 0;
}

const EVP_MD *vsi_md_of_bits(int bits)
{
	return bits == 384 ? EVP_sha384() : bits == 512 ? EVP_sha512()
	                                                : EVP_sha256();
}

const char *vsi_key_details_of(EVP_PKEY *key)
{
	switch (vsi_key_hash_bits(key)) {
	case 384: return "PKIX_ECDSA_P384_SHA_384";
	case 512: return "PKIX_ECDSA_P521_SHA_512";
	default: return "PKIX_ECDSA_P256_SHA_256";
	}
}

void vsi_digest_bits(uint8_t *out, int bits, const void *data, size_t len)
{
	unsigned int n = 0;
	if (EVP_Digest(data, len, out, &n, vsi_md_of_bits(bits), NULL) != 1)
		abort();
}

int vsi_rfc3339(char out[32], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL)
		return -1;
	return strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 ? -1 : 0;
}

static void sb_put(struct sb *b, const void *d, size_t len)
{
	if (b->bad)
		return;
	if (b->n + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *np;
		while (cap < b->n + len + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (np == NULL) {
			b->bad = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, d, len);
	b->n += len;
	b->p[b->n] = '\0';
}

void vsi_sb_str(struct sb *b, const char *s)
{
	if (s == NULL) {
		b->bad = 1;
		return;
	}
	sb_put(b, s, strlen(s));
}

void vsi_sb_u64(struct sb *b, uint64_t v)
{
	char t[24];
	int n = snprintf(t, sizeof(t), "%" PRIu64, v);
	sb_put(b, t, (size_t)n);
}

void vsi_sb_i64(struct sb *b, int64_t v)
{
	char t[24];
	int n = snprintf(t, sizeof(t), "%" PRId64, v);
	sb_put(b, t, (size_t)n);
}

/* Takes the string out of the builder (NULL if anything failed). */
char *vsi_sb_take(struct sb *b)
{
	char *p = b->p;
	if (b->bad || p == NULL) {
		free(p);
		p = NULL;
	}
	b->p = NULL;
	b->n = b->cap = 0;
	return p;
}

/* Sets o[k] = v, consuming v; fails if v is NULL. */
int vsi_jset(json_t *o, const char *k, json_t *v)
{
	if (o == NULL || v == NULL) {
		json_decref(v);
		return -1;
	}
	return json_object_set_new(o, k, v);
}

/* A JSON string holding the b64 of data (NULL on failure). */
json_t *vsi_jb64(const void *d, size_t len)
{
	char *s = vsi_b64(d, len);
	json_t *j = s ? json_string(s) : NULL;
	free(s);
	return j;
}

json_t *vsi_ju64(uint64_t v)
{
	char t[24];
	snprintf(t, sizeof(t), "%" PRIu64, v);
	return json_string(t);
}

json_t *vsi_ji64(int64_t v)
{
	char t[24];
	snprintf(t, sizeof(t), "%" PRId64, v);
	return json_string(t);
}

json_t *vsi_jcert(X509 *x)
{
	unsigned char *d = NULL;
	int n = i2d_X509(x, &d);
	json_t *o, *j;
	if (n <= 0)
		return NULL;
	j = vsi_jb64(d, (size_t)n);
	OPENSSL_free(d);
	o = json_object();
	if (vsi_jset(o, "rawBytes", j) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}
char *vs_dump(const json_t *j)
{
	return json_dumps(j, JSON_COMPACT);
}
