/*
 * test_keys_verify.c - the two signature checks of lib/crypto/keys.c tell "the
 * signature does not verify" (0) from "the check could not run" (-1), so
 * an OpenSSL failure is reported as an internal error, never as a forged
 * signature (issue 8, library item).
 */
#include <string.h>

#include <criterion/criterion.h>
#include <openssl/evp.h>

#include "verify/steps.h"

static const uint8_t msg[] = "hello\n";

static void
sign(EVP_PKEY *k, const uint8_t *m, size_t len, uint8_t *sig, size_t *siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	cr_assert_not_null(ctx);
	cr_assert_eq(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k), 1);
	cr_assert_eq(EVP_DigestSign(ctx, sig, siglen, m, len), 1);
	EVP_MD_CTX_free(ctx);
}

Test(keys_verify, valid_invalid_and_malformed_signatures)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	struct pv_pubkey key = { 0 };
	uint8_t sig[128], digest[32];
	size_t siglen = sizeof(sig);
	unsigned char *der = NULL;
	int n;

	cr_assert_not_null(k);
	n = i2d_PUBKEY(k, &der);
	cr_assert_gt(n, 0);
	cr_assert_eq(pv_pubkey_from_der(&key, PV_KEY_PKIX_ECDSA_P256_SHA_256,
	                                der, (size_t)n, PYVERIFY_STEP_KEY,
	                                NULL), 0);
	OPENSSL_free(der);
	sign(k, msg, sizeof(msg) - 1, sig, &siglen);
	cr_assert_eq(pv_sha256(digest, msg, sizeof(msg) - 1), 0);

	cr_assert_eq(pv_pubkey_verify_message(&key, msg, sizeof(msg) - 1, sig,
	                                      siglen), 1);
	cr_assert_eq(pv_pubkey_verify_prehash(&key, EVP_sha256(), digest, 32,
	                                      sig, siglen), 1);
	/* Another message: invalid. */
	cr_assert_eq(pv_pubkey_verify_message(&key, msg, sizeof(msg) - 2, sig,
	                                      siglen), 0);
	/* Not DER at all: OpenSSL says -1, but it is the signer's fault, so
	 * it is "does not verify", not an internal error. */
	memset(sig, 0x41, sizeof(sig));
	cr_assert_eq(pv_pubkey_verify_message(&key, msg, sizeof(msg) - 1, sig,
	                                      64), 0);
	cr_assert_eq(pv_pubkey_verify_prehash(&key, EVP_sha256(), digest, 32,
	                                      sig, 64), 0);
	pv_pubkey_clear(&key);
	EVP_PKEY_free(k);
}

/* A key OpenSSL cannot verify with (X25519 is key agreement only) in place
 * of the P-256 key its details name: the check cannot run. Before, both
 * helpers answered 0, which the callers report as a bad signature. */
Test(keys_verify, a_check_that_cannot_run_is_an_internal_error)
{
	struct pv_pubkey key = { 0 };
	uint8_t digest[32] = { 0 }, sig[72] = { 0x30, 0x06, 0x02, 0x01, 0x01,
		                                0x02, 0x01, 0x01 };

	key.pkey = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	cr_assert_not_null(key.pkey);
	key.details = PV_KEY_PKIX_ECDSA_P256_SHA_256;
	cr_assert_eq(pv_pubkey_verify_message(&key, msg, sizeof(msg) - 1, sig,
	                                      8), -1);
	cr_assert_eq(pv_pubkey_verify_prehash(&key, EVP_sha256(), digest, 32,
	                                      sig, 8), -1);
	/* An RSA-declared key whose object is EC: padding cannot be set. */
	EVP_PKEY_free(key.pkey);
	key.pkey = EVP_EC_gen("P-256");
	cr_assert_not_null(key.pkey);
	key.details = PV_KEY_PKIX_RSA_PKCS1V15_2048_SHA256;
	cr_assert_eq(pv_pubkey_verify_prehash(&key, EVP_sha256(), digest, 32,
	                                      sig, 8), -1);
	EVP_PKEY_free(key.pkey);
}
