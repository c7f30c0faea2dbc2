/*
 * bench_verify.c - in-process cost of verifying one bundle by digest
 * (parse + verify), against the floor measured in the same run: the
 * signature checks a CPython bundle needs (one ECDSA P-384 for the leaf
 * certificate, four ECDSA P-256: SCT, SET, checkpoint, artifact).
 *
 * usage: bench_verify TRUSTED_ROOT BUNDLE sha256:HEX IDENTITY ISSUER [N
 *        [P384:P256]]
 * The last argument names the floor when the bundle needs other checks: an
 * old v0.1 bundle with a P-384 leaf key and no checkpoint needs 2:2 (leaf
 * certificate and artifact P-384, SCT and SET P-256); the default is 1:4.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>

#include "pyverify.h"

#define LOAD_RUNS 50

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		if (f)
			fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* One signature over a SHA-256 digest with a fresh key of `nid`. */
struct sigcase {
	EVP_PKEY *key;
	unsigned char sig[160];
	size_t siglen;
	unsigned char md[32];
};

static void
sigcase_init(struct sigcase *c, const char *curve)
{
	EVP_PKEY_CTX *kctx;
	EVP_MD_CTX *m = EVP_MD_CTX_new();

	c->key = EVP_EC_gen(curve);
	memset(c->md, 7, sizeof(c->md));
	kctx = EVP_PKEY_CTX_new(c->key, NULL);
	EVP_PKEY_sign_init(kctx);
	EVP_PKEY_CTX_set_signature_md(kctx, EVP_sha256());
	c->siglen = sizeof(c->sig);
	EVP_PKEY_sign(kctx, c->sig, &c->siglen, c->md, sizeof(c->md));
	EVP_PKEY_CTX_free(kctx);
	EVP_MD_CTX_free(m);
}

static int
sigcase_verify(const struct sigcase *c)
{
	EVP_PKEY_CTX *k = EVP_PKEY_CTX_new(c->key, NULL);
	int ok = EVP_PKEY_verify_init(k) == 1 &&
	         EVP_PKEY_CTX_set_signature_md(k, EVP_sha256()) == 1 &&
	         EVP_PKEY_verify(k, c->sig, c->siglen, c->md, sizeof(c->md)) == 1;
	EVP_PKEY_CTX_free(k);
	return ok;
}

/* The bundle's leaf certificate as DER (v0.3 "certificate" or the first
 * of a v0.1/v0.2 chain); 0 bytes when the bundle has none. */
static size_t
leaf_der(const char *text, size_t len, unsigned char *out, size_t cap)
{
	json_t *j = json_loadb(text, len, 0, NULL), *vm, *c;
	const char *b64 = NULL;
	size_t n = 0, blen;
	int got;

	vm = json_object_get(j, "verificationMaterial");
	c = json_object_get(vm, "certificate");
	if (c == NULL)
		c = json_array_get(json_object_get(json_object_get(
		                       vm, "x509CertificateChain"),
		                       "certificates"), 0);
	b64 = json_string_value(json_object_get(c, "rawBytes"));
	if (b64 != NULL && (blen = strlen(b64)) / 4 * 3 <= cap &&
	    (got = EVP_DecodeBlock(out, (const unsigned char *)b64,
	                           (int)blen)) > 0) {
		n = (size_t)got;
		while (blen > 0 && b64[blen - 1] == '=') {
			blen--;
			n--;
		}
	}
	json_decref(j);
	return n;
}

int
main(int argc, char **argv)
{
	pyverify_trust_root *root = NULL;
	pyverify_policy *policy = NULL;
	pyverify_artifact art;
	pyverify_error err;
	struct sigcase p384, p256;
	size_t blen, i, n;
	int n384 = 1, n256 = 4;
	char *bundle_text;
	double t0, t_verify, t_floor, t_load, t_cold, t_d2i, t_one384, t_one256;

	if (argc < 6) {
		fprintf(stderr, "usage: bench_verify ROOT BUNDLE sha256:HEX "
		                "IDENTITY ISSUER [N]\n");
		return 2;
	}
	n = argc > 6 ? (size_t)strtoul(argv[6], NULL, 10) : 300;
	if (argc > 7 && (sscanf(argv[7], "%d:%d", &n384, &n256) != 2 ||
	                 n384 < 0 || n256 < 0 || n384 + n256 == 0)) {
		fprintf(stderr, "bench_verify: floor is P384:P256, e.g. 1:4\n");
		return 2;
	}
	if (n < 2)
		n = 2;
	bundle_text = slurp(argv[2], &blen);
	/* The first load in the process pays OpenSSL's one-time set-up, as
	 * a CLI run does; the ones below show a warm load. */
	t0 = now_s();
	if (pyverify_trust_root_load_file(&root, argv[1], &err) != 0) {
		fprintf(stderr, "bench_verify: %s\n", err.msg);
		return 1;
	}
	t_cold = now_s() - t0;
	if (bundle_text == NULL ||
	    pyverify_artifact_from_digest(&art, argv[3], &err) != 0 ||
	    pyverify_policy_new(&policy, &err) != 0 ||
	    pyverify_policy_add_identity(policy, argv[4], PYVERIFY_MATCH_EXACT,
	                                 argv[5], PYVERIFY_MATCH_EXACT,
	                                 &err) != 0) {
		fprintf(stderr, "bench_verify: setup failed: %s\n", err.msg);
		return 1;
	}
	/* Loading again, with OpenSSL set up: what a daemon reload pays. */
	t_load = 0;
	for (i = 0; i < LOAD_RUNS; i++) {
		pyverify_trust_root *r2 = NULL;

		t0 = now_s();
		if (pyverify_trust_root_load_file(&r2, argv[1], &err) != 0) {
			fprintf(stderr, "bench_verify: %s\n", err.msg);
			return 1;
		}
		t_load += now_s() - t0;
		pyverify_trust_root_free(r2);
	}
	sigcase_init(&p384, "P-384");
	sigcase_init(&p256, "P-256");

	/* Warm up both paths once, then time them interleaved in blocks so
	 * frequency changes hit both alike. */
	t_verify = t_floor = 0;
	for (i = 0; i < n; i++) {
		pyverify_bundle *b = NULL;
		pyverify_result res;
		int k, ok = 1;

		t0 = now_s();
		if (pyverify_bundle_load_memory(&b, bundle_text, blen, &err) != 0 ||
		    pyverify_verify(root, b, &art, policy, &res, &err) != 0) {
			fprintf(stderr, "bench_verify: verification failed: "
			                "[%s] %s\n", pyverify_step_code(err.step),
			        err.msg);
			return 1;
		}
		pyverify_bundle_free(b);
		if (i > 0)
			t_verify += now_s() - t0;

		t0 = now_s();
		for (k = 0; k < n384; k++)
			ok &= sigcase_verify(&p384);
		for (k = 0; k < n256; k++)
			ok &= sigcase_verify(&p256);
		if (!ok) {
			fprintf(stderr, "bench_verify: floor check failed\n");
			return 1;
		}
		if (i > 0)
			t_floor += now_s() - t0;
	}
	n -= 1;
	/* What no verification can skip on top of the floor: OpenSSL's
	 * decode of the leaf certificate, which path validation needs (in
	 * OpenSSL 3.0 it runs the provider decoder for the key). */
	{
		static unsigned char der[16384];
		size_t dlen = leaf_der(bundle_text, blen, der, sizeof(der));

		t_d2i = 0;
		for (i = 0; dlen > 0 && i < n; i++) {
			const unsigned char *p = der;
			X509 *x;

			t0 = now_s();
			x = d2i_X509(NULL, &p, (long)dlen);
			t_d2i += now_s() - t0;
			if (x == NULL) {
				fprintf(stderr, "bench_verify: leaf does not "
				                "decode\n");
				return 1;
			}
			X509_free(x);
		}
	}
	/* Each kind of check alone, for run.sh's floor of a CLI run. */
	t_one384 = t_one256 = 0;
	for (i = 0; i < n; i++) {
		t0 = now_s();
		if (!sigcase_verify(&p384))
			return 1;
		t_one384 += now_s() - t0;
		t0 = now_s();
		if (!sigcase_verify(&p256))
			return 1;
		t_one256 += now_s() - t0;
	}
	printf("verify one bundle by digest (parse + verify): %8.1f us\n",
	       t_verify / (double)n * 1e6);
	printf("floor: %d P-384 + %d P-256 ECDSA verifications: %8.1f us\n",
	       n384, n256, t_floor / (double)n * 1e6);
	printf("ratio verify/floor: %.2fx (%zu runs)\n", t_verify / t_floor, n);
	printf("OpenSSL's d2i_X509 of the leaf certificate alone: %8.1f us "
	       "(%.0f%% of the floor; floor + it: %.2fx)\n",
	       t_d2i / (double)n * 1e6, 100 * t_d2i / t_floor,
	       (t_floor + t_d2i) / t_floor);
	printf("one ECDSA check: P-384 %.1f us, P-256 %.1f us\n",
	       t_one384 / (double)n * 1e6, t_one256 / (double)n * 1e6);
	printf("load the trusted root, first in the process: %8.1f us\n",
	       t_cold * 1e6);
	printf("load the trusted root, again: %8.1f us (mean of %d)\n",
	       t_load / LOAD_RUNS * 1e6, LOAD_RUNS);
	EVP_PKEY_free(p384.key);
	EVP_PKEY_free(p256.key);
	pyverify_policy_free(policy);
	pyverify_trust_root_free(root);
	free(bundle_text);
	return 0;
}
