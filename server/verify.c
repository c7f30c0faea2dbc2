/* verify.c - one verdict for POST /v1/verify, through the verdict cache.
 *
 * With an artifact name the verdict is the CPython one (release.c): the
 * policy's signer for the release series, or the identity/issuer override.
 * Without a name (or with an uploaded file name that is no CPython release
 * name), identity + issuer are the whole policy
 * (pyverify_release_verify_signer), in the same verdict shape, so the body
 * is always pyverify_release_verdict_json().
 * HTTP status: 200 only for "verified"; every other verdict (failed,
 * legacy-pgp-only, missing, unknown-release) is 422 with the verdict body:
 * a gate that checks the status code alone never passes anything else. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "pyverifyd.h"

static void
hash_field(EVP_MD_CTX *md, const void *p, size_t len, int present)
{
	uint8_t hdr[9];
	uint64_t n = len;
	int i;

	/* Presence flag and length prefix: no two inputs hash alike. */
	hdr[0] = (uint8_t)(present != 0);
	for (i = 0; i < 8; i++)
		hdr[1 + i] = (uint8_t)(n >> (56 - 8 * i));
	EVP_DigestUpdate(md, hdr, sizeof(hdr));
	if (len > 0)
		EVP_DigestUpdate(md, p, len);
}

static void
hash_str(EVP_MD_CTX *md, const char *s)
{
	hash_field(md, s, s != NULL ? strlen(s) : 0, s != NULL);
}

static int
cache_key(uint8_t key[32], const struct pvd_snapshot *s,
          const struct pvd_verify_input *in)
{
	static const char tag[] = "pyverifyd verdict cache v1";
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t gen[8];
	unsigned int n = 0;
	int i, ok;

	if (md == NULL)
		return -1;
	for (i = 0; i < 8; i++)
		gen[i] = (uint8_t)(s->generation >> (56 - 8 * i));
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
	if (ok) {
		hash_field(md, tag, sizeof(tag) - 1, 1);
		/* A reload may change the root or the policy: new generation,
		 * new keys; old entries age out of the LRU. */
		hash_field(md, gen, sizeof(gen), 1);
		hash_field(md, in->bundle, in->bundle_len, 1);
		hash_field(md, in->digest.sha256, 32, 1);
		hash_str(md, in->artifact);
		hash_str(md, in->bundle_name);
		hash_str(md, in->shown_name);
		hash_str(md, in->identity);
		hash_str(md, in->issuer);
		ok = EVP_DigestFinal_ex(md, key, &n) == 1 && n == 32;
	}
	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

int
pvd_verify_run(struct pvd_snapshot *s, const struct pvd_verify_input *in,
               struct pvd_verify_output *out)
{
	pyverify_release_input ri;
	pyverify_release_verdict *v = NULL;
	struct pvd_cached hit;
	pyverify_bundle *bundle = NULL;
	pyverify_error load_err;
	uint8_t key[32];
	double t0 = pvd_now_ms();
	int have_key, rc = -1;

	memset(out, 0, sizeof(*out));
	out->http_code = 500;
	have_key = cache_key(key, s, in) == 0;
	if (have_key && pvd_cache_get(key, &hit)) {
		pvd_metrics_cache(1);
		out->http_code = hit.http_code;
		out->body = hit.body;
		out->verdict = pyverify_release_status_name(hit.verdict);
		out->cache_hit = 1;
		pvd_metrics_verdict(hit.verdict, 1, (pvd_now_ms() - t0) / 1e3);
		return 0;
	}
	pvd_metrics_cache(0);
	v = malloc(sizeof(*v));
	if (v == NULL)
		goto done;
	/* A bundle that does not parse is the bundle's failure (422 with step
	 * bundle-format), not a malformed request. */
	if (pyverify_bundle_load_memory(&bundle, in->bundle, in->bundle_len,
	                                &load_err) != 0)
		bundle = NULL;
	memset(&ri, 0, sizeof(ri));
	ri.digest = &in->digest;
	ri.bundle = bundle;
	ri.bundle_path = in->bundle_name;
	ri.material_error = bundle == NULL ? &load_err : NULL;
	ri.identity = in->identity;
	ri.issuer = in->issuer;
	if (in->artifact != NULL) {
		ri.artifact = in->artifact;
		rc = pyverify_release_verify(v, s->root, s->policy, &ri);
	} else {
		ri.artifact = in->shown_name;
		rc = pyverify_release_verify_signer(v, s->root, &ri);
	}
	if (rc != 0)
		goto done;
	out->body = pyverify_release_verdict_json(v);
	if (out->body == NULL) {
		rc = -1;
		goto done;
	}
	out->http_code = v->status == PYVERIFY_RELEASE_VERIFIED ? 200 : 422;
	out->verdict = pyverify_release_status_name(v->status);
	pvd_metrics_verdict(v->status, 0, (pvd_now_ms() - t0) / 1e3);
	if (have_key)
		pvd_cache_put(key, out->http_code, (int)v->status, out->body);
done:
	pyverify_bundle_free(bundle);
	free(v);
	return rc == 0 ? 0 : -1;
}
