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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "pyverifyd.h"

/* SHA-256 fetched once per process: an implicit fetch per digest costs
 * more than hashing a few hundred bytes of key. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void
sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

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

static EVP_MD_CTX *
key_begin(const char *tag, size_t tag_len, const struct pvd_snapshot *s)
{
	EVP_MD_CTX *md;
	uint8_t gen[8];
	int i;

	pthread_once(&sha256_once, sha256_fetch);
	if (sha256_md == NULL || (md = EVP_MD_CTX_new()) == NULL)
		return NULL;
	if (EVP_DigestInit_ex(md, sha256_md, NULL) != 1) {
		EVP_MD_CTX_free(md);
		return NULL;
	}
	for (i = 0; i < 8; i++)
		gen[i] = (uint8_t)(s->generation >> (56 - 8 * i));
	hash_field(md, tag, tag_len, 1);
	/* A reload may change the root or the policy: new generation,
	 * new keys; old entries age out of the LRU. */
	hash_field(md, gen, sizeof(gen), 1);
	return md;
}

static int
key_end(EVP_MD_CTX *md, uint8_t key[32])
{
	unsigned int n = 0;
	int ok = EVP_DigestFinal_ex(md, key, &n) == 1 && n == 32;

	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

/* The key of the parsed question: what the verdict is computed from. */
static int
cache_key(uint8_t key[32], const struct pvd_snapshot *s,
          const struct pvd_verify_input *in)
{
	static const char tag[] = "pyverifyd verdict cache v1";
	EVP_MD_CTX *md = key_begin(tag, sizeof(tag) - 1, s);

	if (md == NULL)
		return -1;
	hash_field(md, in->bundle, in->bundle_len, 1);
	hash_field(md, in->digest.sha256, 32, 1);
	hash_str(md, in->artifact);
	hash_str(md, in->bundle_name);
	hash_str(md, in->shown_name);
	hash_str(md, in->identity);
	hash_str(md, in->issuer);
	return key_end(md, key);
}

int
pvd_verify_raw_key(uint8_t key[32], const struct pvd_snapshot *s,
                   const char *endpoint, const char *content_type,
                   const uint8_t *body, size_t len)
{
	/* Another tag than the parsed key's: the two never collide. */
	static const char tag[] = "pyverifyd raw request cache v1";
	EVP_MD_CTX *md = key_begin(tag, sizeof(tag) - 1, s);

	if (md == NULL)
		return -1;
	hash_str(md, endpoint);
	hash_str(md, content_type);
	hash_field(md, body, len, 1);
	return key_end(md, key);
}

/* Fills out from a cache entry: the metrics of a hit. */
static void
answer_hit(struct pvd_verify_output *out, struct pvd_cached *hit, double t0)
{
	pvd_metrics_cache(1);
	out->http_code = hit->http_code;
	out->body = hit->body;
	out->verdict = pyverify_release_status_name(hit->verdict);
	out->cache_hit = 1;
	pvd_metrics_verdict(hit->verdict, 1, (pvd_now_ms() - t0) / 1e3);
}

int
pvd_verify_cached(const uint8_t raw_key[32], struct pvd_verify_output *out)
{
	struct pvd_cached hit;
	double t0 = pvd_now_ms();

	memset(out, 0, sizeof(*out));
	if (!pvd_cache_get(raw_key, &hit))
		return 0;
	answer_hit(out, &hit, t0);
	return 1;
}

int
pvd_verify_run(struct pvd_snapshot *s, const struct pvd_verify_input *in,
               const uint8_t *raw_key, struct pvd_verify_output *out)
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
		/* The same question in other bytes (whitespace, escapes,
		 * the order of the request's own members): next time these
		 * bytes are answered unparsed, until the verdict they share
		 * expires. */
		if (raw_key != NULL)
			pvd_cache_put(raw_key, hit.http_code, hit.verdict,
			              hit.body, hit.expires);
		answer_hit(out, &hit, t0);
		return 0;
	}
	pvd_metrics_cache(0);
	v = malloc(sizeof(*v));
	if (v == NULL)
		goto done;
	/* A bundle that does not parse is the bundle's failure (422 with step
	 * bundle-format), not a malformed request. */
	if (in->parsed == NULL &&
	    pyverify_bundle_load_memory(&bundle, in->bundle, in->bundle_len,
	                                &load_err) != 0)
		bundle = NULL;
	memset(&ri, 0, sizeof(ri));
	ri.digest = &in->digest;
	ri.bundle = in->parsed != NULL ? in->parsed : bundle;
	ri.bundle_path = in->bundle_name;
	ri.material_error = ri.bundle == NULL ? &load_err : NULL;
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
		pvd_cache_put(key, out->http_code, (int)v->status, out->body,
		              0);
	if (raw_key != NULL)
		pvd_cache_put(raw_key, out->http_code, (int)v->status,
		              out->body, 0);
done:
	pyverify_bundle_free(bundle);
	free(v);
	return rc == 0 ? 0 : -1;
}
