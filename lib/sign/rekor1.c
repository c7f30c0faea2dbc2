/* rekor1.c - logging a signature in a Rekor v1 log (SPEC 5.8): the
 * hashedrekord or dsse 0.0.1 proposal, 201 or 409 (the entry exists: fetch
 * it), and the answer's entry as the bundle's TransparencyLogEntry
 * (rekor1_entry.c). */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "crypto/crypto.h"
#include "sign/rekor1_entry.h"

static const char *
hash_name(size_t len)
{
	return len == 32 ? "sha256" : len == 48 ? "sha384"
	                            : len == 64 ? "sha512" : NULL;
}

/* b64 of the PEM text of the leaf certificate or the managed public key:
 * what Rekor's hashedrekord and dsse types expect as the verifier. */
static char *
verifier_b64(const struct pv_rekor_input *in)
{
	BIO *bio = BIO_new(BIO_s_mem());
	X509 *x = NULL;
	char *pem, *out = NULL;
	long n;
	int ok = 0;

	if (bio == NULL)
		return NULL;
	if (in->cert_der != NULL) {
		x = pv_x509_from_der(in->cert_der, in->cert_len);
		ok = x != NULL && PEM_write_bio_X509(bio, x) == 1;
	} else if (in->pub != NULL) {
		ok = PEM_write_bio_PUBKEY(bio, in->pub) == 1;
	}
	if (ok && (n = BIO_get_mem_data(bio, &pem)) > 0)
		out = pv_b64_encode((const uint8_t *)pem, (size_t)n);
	X509_free(x);
	BIO_free(bio);
	ERR_clear_error();
	return out;
}

/* Rekor canonicalises what it stores, so member order is free here. */
static json_t *
proposal(const struct pv_rekor_input *in, const char *verifier)
{
	char hex[2 * 64 + 1];
	char *sig;
	json_t *p;

	if (in->envelope_json != NULL)
		return json_pack("{s:s,s:s,s:{s:{s:s,s:[s]}}}", "apiVersion",
		                 "0.0.1", "kind", "dsse", "spec",
		                 "proposedContent", "envelope",
		                 in->envelope_json, "verifiers", verifier);
	pv_hex_encode(hex, in->digest, in->digest_len);
	sig = pv_b64_encode(in->sig, in->sig_len);
	if (sig == NULL)
		return NULL;
	p = json_pack("{s:s,s:s,s:{s:{s:{s:s,s:s}},s:{s:s,s:{s:s}}}}",
	              "apiVersion", "0.0.1", "kind", "hashedrekord", "spec",
	              "data", "hash", "algorithm", hash_name(in->digest_len),
	              "value", hex, "signature", "content", sig, "publicKey",
	              "content", verifier);
	free(sig);
	return p;
}

static int
check_input(const struct pv_rekor_input *in, pyverify_error *err)
{
	if (in == NULL || in->sig == NULL || in->sig_len == 0 ||
	    (in->cert_der == NULL) == (in->pub == NULL) ||
	    (in->envelope_json == NULL &&
	     (in->digest == NULL || hash_name(in->digest_len) == NULL)))
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_REKOR,
		               "nothing to log: a signature, a digest and "
		               "exactly one of a certificate and a key are "
		               "needed");
	return 0;
}

static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static int
is_word(char c)
{
	return is_hex(c) || (c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z') ||
	       c == '_';
}

/* The UUID a 409 names: Rekor says "An equivalent entry already exists
 * ... with UUID <uuid>" in its message (and in a Location header, which
 * the transport does not hand out). A UUID is 64 hex digits (the leaf
 * hash), optionally after a 16-digit tree ID. */
static int
conflict_uuid(const pv_net_response *r, char out[81])
{
	const char *b = (const char *)r->body, *end, *p, *q;
	size_t len;

	if (b == NULL)
		return -1;
	end = b + r->len;
	for (p = b; p < end; p = q) {
		if (!is_hex(*p)) {
			q = p + 1;
			continue;
		}
		for (q = p; q < end && is_hex(*q); q++)
			;
		len = (size_t)(q - p);
		if ((len == 64 || len == 80) && (p == b || !is_word(p[-1])) &&
		    (q == end || !is_word(*q))) {
			memcpy(out, p, len);
			out[len] = '\0';
			return 0;
		}
	}
	return -1;
}

/* 409: the identical entry is already logged; it is as good as ours. */
static int
fetch_existing(const struct pv_sign_net *n, const char *base,
               const struct pv_svc *post, const pv_net_response *conflict,
               const struct pv_rekor_input *in, json_t **tle,
               pyverify_error *err)
{
	static const char *const headers[] = { "Accept: application/json",
	                                       NULL };
	pv_net_response resp = { 0 };
	char uuid[81], path[128];
	struct pv_svc s;
	json_t *ans = NULL;
	int rc;

	if (conflict_uuid(conflict, uuid) != 0)
		return pv_svc_fail(post, err, PYVERIFY_EPARSE,
		                   "answered HTTP 409 (the entry exists) "
		                   "without naming the entry's UUID");
	snprintf(path, sizeof(path), "api/v1/log/entries/%s", uuid);
	PV_TRY(pv_svc_init(&s, "Rekor", PYVERIFY_STEP_REKOR, base, path, err));
	rc = pv_svc_call(&s, n, "GET", headers, NULL, 0, PV_REKOR1_MAX_ANSWER,
	                 0, &resp, err);
	if (rc != 0)
		return rc;
	if (resp.status != 200)
		rc = pv_svc_refused(&s, &resp, err);
	else
		rc = pv_svc_json(&s, &resp, PV_REKOR1_MAX_ANSWER, &ans, err);
	if (rc == 0)
		rc = pv_rekor1_entry_to_tle(&s, ans, uuid, in, tle, err);
	json_decref(ans);
	pv_net_response_free(&resp);
	return rc;
}

int
pv_rekor1_upload(const struct pv_sign_net *n, const char *base_url,
                 const struct pv_rekor_input *in, json_t **tle,
                 pyverify_error *err)
{
	static const char *const headers[] = { "Content-Type: application/json",
	                                       "Accept: application/json",
	                                       NULL };
	pv_net_response resp = { 0 };
	char *verifier = NULL, *body = NULL;
	json_t *prop = NULL, *ans = NULL;
	struct pv_svc s;
	int rc;

	PV_TRY(check_input(in, err));
	PV_TRY(pv_svc_init(&s, "Rekor", PYVERIFY_STEP_REKOR, base_url,
	                   "api/v1/log/entries", err));
	verifier = verifier_b64(in);
	if (verifier != NULL)
		prop = proposal(in, verifier);
	if (prop != NULL)
		body = pv_svc_dump(prop);
	if (body == NULL) {
		rc = pv_svc_fail(&s, err, PYVERIFY_ENOMEM,
		                 "cannot make the log entry proposal");
		goto done;
	}
	/* A repeated POST is harmless: the second one answers 409, which
	 * fetches the entry the first one made. */
	rc = pv_svc_call(&s, n, "POST", headers, body, strlen(body),
	                 PV_REKOR1_MAX_ANSWER, 1, &resp, err);
	if (rc != 0)
		goto done;
	if (resp.status == 201) {
		rc = pv_svc_json(&s, &resp, PV_REKOR1_MAX_ANSWER, &ans, err);
		if (rc == 0)
			rc = pv_rekor1_entry_to_tle(&s, ans, NULL, in, tle, err);
	} else if (resp.status == 409) {
		rc = fetch_existing(n, base_url, &s, &resp, in, tle, err);
	} else {
		rc = pv_svc_refused(&s, &resp, err);
	}
done:
	json_decref(ans);
	json_decref(prop);
	free(body);
	free(verifier);
	pv_net_response_free(&resp);
	return rc;
}
