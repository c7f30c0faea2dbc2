/* merkle.c - RFC 6962 / RFC 9162 Merkle inclusion proofs (SPEC 3.10). */
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "verify/steps.h"

/* Hex digits of each root shown in a mismatch message: enough to tell two
 * roots apart by eye, short enough for one line. */
#define ROOT_HEX_SHOWN 16

/* SPEC 3.10: leaf(x) = H(0x00 || x). */
int
pv_merkle_leaf_hash(uint8_t out[32], const uint8_t *data, size_t len)
{
	static const uint8_t prefix = 0x00;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;
	int rc = 0;

	if (ctx == NULL || EVP_DigestInit_ex2(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, &prefix, 1) != 1 ||
	    (len > 0 && EVP_DigestUpdate(ctx, data, len) != 1) ||
	    EVP_DigestFinal_ex(ctx, out, &n) != 1 || n != 32) {
		memset(out, 0, 32);
		ERR_clear_error();
		rc = -1;
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* node(l, r) = H(0x01 || l || r), reusing one digest context for the whole
 * proof so a verification costs one allocation, not one per level. ctx is
 * already initialised with SHA-256: a NULL type re-initialises it with the
 * same digest and skips the provider lookup (about 3x faster). */
static int
node_hash(EVP_MD_CTX *ctx, const uint8_t l[32], const uint8_t r[32],
          uint8_t out[32])
{
	uint8_t buf[65];
	unsigned int n = 0;

	buf[0] = 0x01;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	if (EVP_DigestInit_ex2(ctx, NULL, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, buf, sizeof(buf)) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, &n) != 1 || n != 32)
		return -1;
	return 0;
}

static unsigned
bit_length(uint64_t v)
{
	unsigned n = 0;

	while (v != 0) {
		n++;
		v >>= 1;
	}
	return n;
}

static unsigned
popcount(uint64_t v)
{
	unsigned n = 0;

	while (v != 0) {
		n += (unsigned)(v & 1);
		v >>= 1;
	}
	return n;
}

int
pv_merkle_verify_inclusion(const uint8_t leaf_hash[32], uint64_t index,
                           uint64_t size, const uint8_t (*proof)[32],
                           size_t n_proof, const uint8_t root[32],
                           pyverify_error *err)
{
	EVP_MD_CTX *ctx = NULL;
	uint8_t h[32];
	unsigned inner, border, i;
	char got[2 * 32 + 1], want[2 * 32 + 1];
	int rc;

	if (leaf_hash == NULL || root == NULL || (n_proof > 0 && proof == NULL))
		return pv_fail(err, PYVERIFY_EINTERNAL,
		               PYVERIFY_STEP_INCLUSION_PROOF,
		               "inclusion proof check called without data");
	/* SPEC 3.10: require 0 <= index < size. */
	if (size == 0)
		return pv_fail(err, PYVERIFY_EREJECT,
		               PYVERIFY_STEP_INCLUSION_PROOF,
		               "inclusion proof is for an empty tree (size 0)");
	if (index >= size)
		return pv_fail(err, PYVERIFY_EREJECT,
		               PYVERIFY_STEP_INCLUSION_PROOF,
		               "inclusion proof log index %llu is not below "
		               "the tree size %llu",
		               (unsigned long long)index,
		               (unsigned long long)size);
	/* SPEC 3.10: inner = bit_length(index XOR (size - 1)),
	 * border = popcount(index >> inner), len(proof) == inner + border.
	 * inner <= 64 and border <= 64 - inner, so the sum fits and never
	 * exceeds PV_MAX_PROOF_HASHES. */
	inner = bit_length(index ^ (size - 1));
	border = inner >= 64 ? 0 : popcount(index >> inner);
	if (n_proof != (size_t)inner + border)
		return pv_fail(err, PYVERIFY_EREJECT,
		               PYVERIFY_STEP_INCLUSION_PROOF,
		               "inclusion proof has %zu hashes, expected %u "
		               "for index %llu in a tree of size %llu",
		               n_proof, inner + border,
		               (unsigned long long)index,
		               (unsigned long long)size);

	memcpy(h, leaf_hash, 32);
	if (n_proof > 0) {
		ctx = EVP_MD_CTX_new();
		if (ctx == NULL ||
		    EVP_DigestInit_ex2(ctx, EVP_sha256(), NULL) != 1) {
			ERR_clear_error();
			rc = pv_fail(err, PYVERIFY_ENOMEM,
			             PYVERIFY_STEP_INCLUSION_PROOF,
			             "out of memory");
			goto done;
		}
	}
	for (i = 0; i < inner + border; i++) {
		/* Inner part: the bit of index says which side the sibling
		 * is on. Border part: only left siblings on the right edge. */
		int left = i < inner && ((index >> i) & 1) == 0;
		int r = left ? node_hash(ctx, h, proof[i], h)
		             : node_hash(ctx, proof[i], h, h);
		if (r != 0) {
			ERR_clear_error();
			rc = pv_fail(err, PYVERIFY_EINTERNAL,
			             PYVERIFY_STEP_INCLUSION_PROOF,
			             "SHA-256 failed while hashing the proof");
			goto done;
		}
	}
	if (memcmp(h, root, 32) != 0) {
		pv_hex_encode(got, h, 32);
		pv_hex_encode(want, root, 32);
		rc = pv_fail(err, PYVERIFY_EREJECT,
		             PYVERIFY_STEP_INCLUSION_PROOF,
		             "inclusion proof leads to root %.*s..., expected "
		             "root %.*s...",
		             ROOT_HEX_SHOWN, got, ROOT_HEX_SHOWN, want);
		goto done;
	}
	rc = 0;
done:
	EVP_MD_CTX_free(ctx);
	return rc;
}
