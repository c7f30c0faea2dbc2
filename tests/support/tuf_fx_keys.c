/* tuf_fx_keys.c - keys of every TUF scheme and signatures over canonical
 * JSON, for the generated test repository (see tuf_fx.h). */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "tuf/tuf.h"
#include "tuf_fx_impl.h"

static char *
hex_of(const uint8_t *p, size_t n)
{
	char *s = malloc(2 * n + 1);

	cr_assert_not_null(s);
	pv_hex_encode(s, p, n);
	return s;
}

void
tfx_sha256_hex(char out[65], const void *data, size_t len)
{
	uint8_t d[32];

	SHA256(data, len, d);
	pv_hex_encode(out, d, sizeof(d));
}

static char *
pem_public(EVP_PKEY *pk)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL, *s;
	long n;

	cr_assert_not_null(b);
	cr_assert_eq(PEM_write_bio_PUBKEY(b, pk), 1);
	n = BIO_get_mem_data(b, &p);
	cr_assert(n > 0);
	s = pv_strndup(p, (size_t)n);
	cr_assert_not_null(s);
	BIO_free(b);
	return s;
}

static const char *const KEYTYPE[] = {
	[TFX_ED25519] = "ed25519", [TFX_ECDSA] = "ecdsa",
	[TFX_ECDSA_KEYTYPE] = "ecdsa-sha2-nistp256", [TFX_RSA_PSS] = "rsa",
	[TFX_UNKNOWN_SCHEME] = "x-unknown-keytype",
};
static const char *const SCHEME[] = {
	[TFX_ED25519] = "ed25519", [TFX_ECDSA] = "ecdsa-sha2-nistp256",
	[TFX_ECDSA_KEYTYPE] = "ecdsa-sha2-nistp256",
	[TFX_RSA_PSS] = "rsassa-pss-sha256",
	[TFX_UNKNOWN_SCHEME] = "x-unknown-scheme",
};

struct tfx_key *
tfx_key_make(enum tfx_scheme s)
{
	struct tfx_key *k = calloc(1, sizeof(*k));
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	char *pub = NULL, *cj = NULL;
	size_t cjlen;

	cr_assert_not_null(k);
	k->scheme = s;
	switch (s) {
	case TFX_ED25519:
		cr_assert_eq(sodium_init() < 0, 0);
		crypto_sign_keypair(pk, k->sk);
		pub = hex_of(pk, sizeof(pk));
		break;
	case TFX_ECDSA:
	case TFX_ECDSA_KEYTYPE:
		k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		cr_assert_not_null(k->pkey);
		pub = pem_public(k->pkey);
		break;
	case TFX_RSA_PSS:
		k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		cr_assert_not_null(k->pkey);
		pub = pem_public(k->pkey);
		break;
	case TFX_UNKNOWN_SCHEME:
		randombytes_buf(pk, sizeof(pk));
		pub = hex_of(pk, sizeof(pk));
		break;
	}
	k->pub = json_pack("{s:s, s:s, s:{s:s}}", "keytype", KEYTYPE[s],
	                   "scheme", SCHEME[s], "keyval", "public", pub);
	cr_assert_not_null(k->pub);
	free(pub);
	/* TUF: "KEYID ... the hexdigest of the SHA-256 hash of the canonical
	 * form of the key." */
	cr_assert_eq(pv_tuf_cjson(k->pub, &cj, &cjlen), 0);
	tfx_sha256_hex(k->id, cj, cjlen);
	free(cj);
	return k;
}

void
tfx_key_free(struct tfx_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	json_decref(k->pub);
	sodium_memzero(k->sk, sizeof(k->sk));
	free(k);
}

static size_t
evp_sign(const struct tfx_key *k, const char *msg, size_t len, uint8_t *sig,
         size_t cap)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	size_t n = cap;

	cr_assert_not_null(md);
	cr_assert_eq(EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL,
	                                k->pkey), 1);
	if (k->scheme == TFX_RSA_PSS) {
		/* securesystemslib signs PSS with MGF1-SHA256 and a salt as
		 * long as the digest. */
		cr_assert_eq(EVP_PKEY_CTX_set_rsa_padding(pctx,
		                 RSA_PKCS1_PSS_PADDING), 1);
		cr_assert_eq(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
		                 RSA_PSS_SALTLEN_DIGEST), 1);
	}
	cr_assert_eq(EVP_DigestSign(md, sig, &n, (const uint8_t *)msg, len),
	             1);
	EVP_MD_CTX_free(md);
	return n;
}

char *
tfx_key_sign(const struct tfx_key *k, const char *msg, size_t len, int bad)
{
	uint8_t sig[512];
	size_t n = 0;

	switch (k->scheme) {
	case TFX_ED25519:
		crypto_sign_detached(sig, NULL, (const uint8_t *)msg, len,
		                     k->sk);
		n = crypto_sign_BYTES;
		break;
	case TFX_ECDSA:
	case TFX_ECDSA_KEYTYPE:
	case TFX_RSA_PSS:
		n = evp_sign(k, msg, len, sig, sizeof(sig));
		break;
	case TFX_UNKNOWN_SCHEME:
		memset(sig, 0, 64);
		n = 64;
		break;
	}
	/* The last byte: for a DER ECDSA signature it is inside s, so the
	 * signature stays well-formed and only fails to verify. */
	if (bad)
		sig[n - 1] ^= 0x01;
	return hex_of(sig, n);
}
