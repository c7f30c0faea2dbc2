/*
 * fuzz_mint.h - bundle edits shared by the targets that mint fixtures with
 * RFC 3161 timestamps and certificate chains (fuzz_verify, fuzz_server).
 * The same edits the unit tests make with Criterion asserts, here failing
 * with FZ_REQUIRE: a fixture that cannot be made is not a finding.
 *
 * Test-only: never linked into the library.
 */
#ifndef FUZZ_MINT_H
#define FUZZ_MINT_H

#include "fuzz_common.h"
#include "vsigstore.h"

/* Unit tests stamp inside the leaf's validity, like a TSA answering at
 * signing time. */
#define FZ_TS_TIME (VS_EPOCH + 30)

static inline void
fz_b64_set(json_t *obj, const char *key, const uint8_t *p, size_t n)
{
	char *b64 = pv_b64_encode(p, n);

	FZ_REQUIRE(b64 != NULL);
	FZ_REQUIRE(json_object_set_new(obj, key, json_string(b64)) == 0);
	free(b64);
}

/* Puts an RFC 3161 timestamp by t over the bundle's signature (message or
 * DSSE) into its timestampVerificationData. */
static inline void
fz_stamp(json_t *b, struct vtsa *t, int embed_certs)
{
	struct vtsa_stamp_opts so = { .gen_time_ms = FZ_TS_TIME * 1000,
	                              .embed_certs = embed_certs };
	json_t *d = json_object_get(b, "dsseEnvelope"), *vm, *ts;
	struct pv_bytes sig = { NULL, 0 };
	const char *sig_b64;
	uint8_t *der = NULL;
	size_t der_len = 0;

	sig_b64 = json_string_value(
	    d != NULL ? json_object_get(json_array_get(json_object_get(
	                                    d, "signatures"), 0), "sig")
	              : json_object_get(json_object_get(b, "messageSignature"),
	                                "signature"));
	FZ_REQUIRE(sig_b64 != NULL);
	FZ_REQUIRE(pv_b64_decode(&sig, sig_b64, strlen(sig_b64)) == 0);
	FZ_REQUIRE(vtsa_stamp(t, sig.data, sig.len, &so, &der, &der_len) == 0);
	ts = json_object();
	FZ_REQUIRE(ts != NULL);
	fz_b64_set(ts, "signedTimestamp", der, der_len);
	vm = json_object_get(b, "verificationMaterial");
	FZ_REQUIRE(vm != NULL);
	FZ_REQUIRE(json_object_set_new(vm, "timestampVerificationData",
	                               json_pack("{s:[o]}", "rfc3161Timestamps",
	                                         ts)) == 0);
	free(der);
	pv_bytes_clear(&sig);
}

/* Appends c to a v0.1/v0.2 bundle's x509CertificateChain. */
static inline void
fz_chain_add(json_t *b, X509 *c)
{
	json_t *certs = json_object_get(
	    json_object_get(json_object_get(b, "verificationMaterial"),
	                    "x509CertificateChain"),
	    "certificates");
	json_t *o = json_object();
	unsigned char *der = NULL;
	int n = i2d_X509(c, &der);

	FZ_REQUIRE(certs != NULL && o != NULL && n > 0);
	fz_b64_set(o, "rawBytes", der, (size_t)n);
	FZ_REQUIRE(json_array_append_new(certs, o) == 0);
	OPENSSL_free(der);
}

/* A trusted root of vs with the timestamp authorities t[0..n). */
static inline char *
fz_root_with_tsas(struct vs *vs, struct vtsa *const *t, size_t n)
{
	json_t *r = vs_trust_root(vs), *tsas = json_array();
	size_t i;
	char *s;

	FZ_REQUIRE(r != NULL && tsas != NULL);
	for (i = 0; i < n; i++)
		FZ_REQUIRE(json_array_append_new(
		               tsas, vtsa_trust_root_entry(t[i], 0, 0)) == 0);
	FZ_REQUIRE(json_object_set_new(r, "timestampAuthorities", tsas) == 0);
	s = vs_dump(r);
	FZ_REQUIRE(s != NULL);
	json_decref(r);
	return s;
}

#endif
