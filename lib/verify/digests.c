/* digests.c - the SHA-2 digests an artifact can be known by, and which one
 * a bundle signs. The algorithm registry pairs P-256 and RSA with SHA-256,
 * P-384 with SHA-384 and P-521 with SHA-512 (SPEC 2.3); a bundle says which
 * it used in messageDigest, its hashedrekord entry and its in-toto
 * subjects. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "verify/steps.h"

static const struct pv_digest_info digests[] = {
	{ PV_HASH_SHA2_256, PYVERIFY_DIGEST_SHA256, "sha256", "SHA2_256",
	  "SHA-256", 32 },
	{ PV_HASH_SHA2_384, PYVERIFY_DIGEST_SHA384, "sha384", "SHA2_384",
	  "SHA-384", 48 },
	{ PV_HASH_SHA2_512, PYVERIFY_DIGEST_SHA512, "sha512", "SHA2_512",
	  "SHA-512", 64 },
};
#define N_DIGESTS (sizeof(digests) / sizeof(digests[0]))

const struct pv_digest_info *
pv_digest_by_alg(int alg)
{
	size_t i;

	for (i = 0; i < N_DIGESTS; i++)
		if (digests[i].alg == alg)
			return &digests[i];
	return NULL;
}

const struct pv_digest_info *
pv_digest_by_bit(unsigned bit)
{
	size_t i;

	for (i = 0; i < N_DIGESTS; i++)
		if (digests[i].bit == bit)
			return &digests[i];
	return NULL;
}

const struct pv_digest_info *
pv_digest_by_name(const char *name, size_t len)
{
	size_t i;

	for (i = 0; name != NULL && i < N_DIGESTS; i++)
		if (strlen(digests[i].name) == len &&
		    memcmp(digests[i].name, name, len) == 0)
			return &digests[i];
	return NULL;
}

const struct pv_digest_info *
pv_digest_by_md(const EVP_MD *md)
{
	if (md == NULL)
		return NULL;
	switch (EVP_MD_get_type(md)) {
	case NID_sha256: return pv_digest_by_alg(PV_HASH_SHA2_256);
	case NID_sha384: return pv_digest_by_alg(PV_HASH_SHA2_384);
	case NID_sha512: return pv_digest_by_alg(PV_HASH_SHA2_512);
	default: return NULL;
	}
}

const EVP_MD *
pv_digest_md(const struct pv_digest_info *d)
{
	switch (d != NULL ? d->alg : 0) {
	case PV_HASH_SHA2_256: return EVP_sha256();
	case PV_HASH_SHA2_384: return EVP_sha384();
	case PV_HASH_SHA2_512: return EVP_sha512();
	default: return NULL;
	}
}

unsigned
pv_artifact_known(const pyverify_artifact *a)
{
	unsigned all = PYVERIFY_DIGEST_SHA256 | PYVERIFY_DIGEST_SHA384 |
	               PYVERIFY_DIGEST_SHA512;

	if (a == NULL)
		return 0;
	return a->digests == 0 ? PYVERIFY_DIGEST_SHA256 : a->digests & all;
}

const uint8_t *
pv_artifact_digest(const pyverify_artifact *a, int alg)
{
	const struct pv_digest_info *d = pv_digest_by_alg(alg);

	if (d == NULL || !(pv_artifact_known(a) & d->bit))
		return NULL;
	switch (alg) {
	case PV_HASH_SHA2_256: return a->sha256;
	case PV_HASH_SHA2_384: return a->sha384;
	default: return a->sha512;
	}
}

void
pv_artifact_known_names(char *out, size_t outlen, const pyverify_artifact *a)
{
	unsigned known = pv_artifact_known(a);
	size_t i, used = 0;
	int n;

	out[0] = '\0';
	for (i = 0; i < N_DIGESTS; i++) {
		if (!(known & digests[i].bit))
			continue;
		n = snprintf(out + used, outlen - used, "%s%s",
		             used ? " and " : "", digests[i].name);
		if (n < 0 || (size_t)n >= outlen - used)
			return;
		used += (size_t)n;
	}
}

/* The hash that pairs with the leaf certificate's key. */
static int
leaf_key_alg(const pyverify_bundle *b)
{
	struct pv_pubkey k = { 0 };
	const struct pv_digest_info *d;
	X509 *leaf;
	int rc;

	if (b->material == PV_MATERIAL_PUBLIC_KEY || b->n_certs == 0)
		return 0;
	leaf = pv_x509_from_der(b->certs[0].data, b->certs[0].len);
	if (leaf == NULL)
		return 0;
	rc = pv_pubkey_from_x509(&k, leaf, PYVERIFY_STEP_NONE, NULL);
	X509_free(leaf);
	if (rc != 0)
		return 0;
	d = pv_digest_by_md(pv_pubkey_md(&k));
	pv_pubkey_clear(&k);
	return d != NULL ? d->alg : 0;
}

int
pv_message_digest_alg(const pyverify_bundle *b, const struct pv_pubkey *key)
{
	const struct pv_digest_info *d;
	size_t i;
	int alg;

	if (b == NULL || b->content != PV_CONTENT_MESSAGE)
		return 0;
	if (b->has_message_digest)
		return b->digest_alg;
	/* Without the hint, what the log recorded is what the signer
	 * submitted; the tlog-body step checks it against the signature. */
	for (i = 0; i < b->n_entries; i++)
		if ((alg = pv_tlog_body_digest_alg(&b->entries[i])) != 0)
			return alg;
	if (key == NULL)
		return leaf_key_alg(b);
	d = pv_digest_by_md(pv_pubkey_md(key));
	return d != NULL ? d->alg : 0;
}

unsigned
pyverify_bundle_digests(const pyverify_bundle *b)
{
	const struct pv_digest_info *d;
	unsigned bits;

	if (b == NULL)
		return 0;
	if (b->content == PV_CONTENT_DSSE) {
		bits = pv_dsse_subject_digests(b->payload_type, b->payload.data,
		                               b->payload.len);
		/* Nothing usable: SHA-256 lets the subject check say why. */
		return bits != 0 ? bits : PYVERIFY_DIGEST_SHA256;
	}
	d = pv_digest_by_alg(pv_message_digest_alg(b, NULL));
	if (d != NULL)
		return d->bit;
	/* A managed-key bundle that names no algorithm anywhere: the key
	 * comes with the policy, so any of the three may be the one. */
	return PYVERIFY_DIGEST_SHA256 | PYVERIFY_DIGEST_SHA384 |
	       PYVERIFY_DIGEST_SHA512;
}
