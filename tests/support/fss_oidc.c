/* fss_oidc.c - the fake OIDC provider (discovery, authorization code with
 * PKCE S256, token endpoint) and the fake GitHub Actions ID-token endpoint;
 * plus the browser the tests play (fss_authorize_url, fss_browse). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <openssl/rand.h>

#include "vs_impl.h"
#include "fss_impl.h"

void fssi_oidc_discovery(struct fss *s, const struct fss_req *q,
                         struct fss_resp *r)
{
	char auth[160], token[160];

	(void)q;
	snprintf(auth, sizeof(auth), "%s/auth", s->issuer);
	snprintf(token, sizeof(token), "%s/token", s->issuer);
	fssi_json(r, 200,
	          json_pack("{s:s, s:s, s:s, s:[s], s:[s], s:[s, s], s:[s]}",
	                    "issuer", s->issuer, "authorization_endpoint", auth,
	                    "token_endpoint", token, "response_types_supported",
	                    "code", "code_challenge_methods_supported", "S256",
	                    "scopes_supported", "openid", "email",
	                    "grant_types_supported", "authorization_code"));
}

static void oauth_error(struct fss_resp *r, unsigned status,
                        const char *error, const char *desc)
{
	fssi_json(r, status, json_pack("{s:s, s:s}", "error", error,
	                               "error_description", desc));
}

static char *b64url_sha256(const char *text)
{
	uint8_t h[32];

	vs_sha256(h, text, strlen(text));
	return fssi_b64url(h, 32);
}

void fssi_oidc_auth(struct fss *s, const struct fss_req *q,
                    struct fss_resp *r)
{
	static const char *const need[] = {"response_type", "client_id",
	                                   "redirect_uri", "state",
	                                   "code_challenge",
	                                   "code_challenge_method"};
	char *v[6] = {0}, *escaped_state = NULL, code[33];
	uint8_t rnd[16];
	struct fss_code *c;
	size_t n;

	for (size_t i = 0; i < 6; i++) {
		v[i] = fssi_param(q->query, need[i]);
		if (v[i] == NULL) {
			oauth_error(r, 400, "invalid_request", need[i]);
			goto done;
		}
	}
	if (strcmp(v[0], "code") != 0 || strcmp(v[5], "S256") != 0) {
		oauth_error(r, 400, "invalid_request",
		            "fss: response_type=code and "
		            "code_challenge_method=S256 required");
		goto done;
	}
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto done;
	vsi_hex(code, rnd, sizeof(rnd));
	if (s->ncodes == s->capcodes) {
		size_t cap = s->capcodes ? s->capcodes * 2 : 4;
		struct fss_code *p = realloc(s->codes, cap * sizeof(*p));

		if (p == NULL)
			goto done;
		s->codes = p;
		s->capcodes = cap;
	}
	c = &s->codes[s->ncodes++];
	c->code = strdup(code);
	c->challenge = v[4];
	c->redirect_uri = strdup(v[2]);
	c->used = 0;
	v[4] = NULL;
	escaped_state = curl_easy_escape(NULL, v[3], 0);
	n = strlen(v[2]) + strlen(code) + (escaped_state ? strlen(escaped_state) : 0) + 32;
	r->location = malloc(n);
	if (r->location == NULL || escaped_state == NULL)
		goto done;
	snprintf(r->location, n, "%s%ccode=%s&state=%s", v[2],
	         strchr(v[2], '?') ? '&' : '?', code, escaped_state);
	r->status = 302;
done:
	curl_free(escaped_state);
	for (size_t i = 0; i < 6; i++)
		free(v[i]);
}

static char *issued(struct fss *s, const struct fss_topts *t,
                    const struct fss_token_opts *fallback)
{
	return fssi_token_make(s, t->set ? &t->o : fallback);
}

void fssi_oidc_token(struct fss *s, const struct fss_req *q,
                     struct fss_resp *r)
{
	char *form = strndup((const char *)q->body, q->len);
	char *grant = fssi_param(form, "grant_type");
	char *code = fssi_param(form, "code");
	char *redirect = fssi_param(form, "redirect_uri");
	char *verifier = fssi_param(form, "code_verifier");
	char *want = NULL, *tok = NULL;
	struct fss_code *c = NULL;

	if (grant == NULL || strcmp(grant, "authorization_code") != 0 ||
	    code == NULL || redirect == NULL || verifier == NULL) {
		oauth_error(r, 400, "invalid_request",
		            "fss: grant_type=authorization_code, code, "
		            "redirect_uri and code_verifier required");
		goto done;
	}
	for (size_t i = 0; i < s->ncodes; i++)
		if (strcmp(s->codes[i].code, code) == 0)
			c = &s->codes[i];
	if (c == NULL || c->used) {
		oauth_error(r, 400, "invalid_grant",
		            "fss: unknown or already used code");
		goto done;
	}
	c->used = 1;
	want = b64url_sha256(verifier);
	if (strcmp(c->redirect_uri, redirect) != 0 || want == NULL ||
	    strcmp(want, c->challenge) != 0) {
		oauth_error(r, 400, "invalid_grant",
		            "fss: redirect_uri or PKCE code_verifier mismatch");
		goto done;
	}
	tok = issued(s, &s->oidc_tok, NULL);
	fssi_json(r, 200, tok ? json_pack("{s:s, s:s, s:s, s:i}",
	                                  "access_token", tok, "id_token", tok,
	                                  "token_type", "Bearer", "expires_in",
	                                  600)
	                      : NULL);
done:
	free(tok);
	free(want);
	free(form);
	free(grant);
	free(code);
	free(redirect);
	free(verifier);
}

void fssi_gha(struct fss *s, const struct fss_req *q, struct fss_resp *r)
{
	const char *a = q->authorization;
	char *aud = fssi_param(q->query, "audience"), *tok;
	struct fss_token_opts d = {
	    .iss = FSS_GHA_ISSUER,
	    .sub = FSS_GHA_SUB,
	    .email = "",
	    .extra_json = "{\"job_workflow_ref\":\"python/cpython/.github/"
	                  "workflows/release.yml@refs/heads/main\","
	                  "\"repository\":\"python/cpython\"}",
	};

	if (a == NULL || strncasecmp(a, "Bearer ", 7) != 0 ||
	    strcmp(a + 7, s->gha_bearer) != 0) {
		free(aud);
		fssi_json(r, 401, json_pack("{s:s}", "message",
		                            "fss: bad or missing bearer token"));
		return;
	}
	d.aud = aud;
	if (s->gha_tok.set) {
		struct fss_token_opts o = s->gha_tok.o;

		if (o.aud == NULL)
			o.aud = aud;
		if (o.iss == NULL)
			o.iss = FSS_GHA_ISSUER;
		tok = fssi_token_make(s, &o);
	} else {
		tok = fssi_token_make(s, &d);
	}
	fssi_json(r, 200, tok ? json_pack("{s:i, s:s}", "count", 1, "value",
	                                  tok)
	                      : NULL);
	free(tok);
	free(aud);
}

/* ---- the browser -------------------------------------------------------- */

char *fss_authorize_url(struct fss *s, const char *redirect_uri,
                        const char *state, const char *code_verifier)
{
	char *challenge = b64url_sha256(code_verifier);
	char *ru = curl_easy_escape(NULL, redirect_uri, 0);
	char *st = curl_easy_escape(NULL, state, 0);
	size_t n;
	char *url = NULL;

	cr_assert(challenge && ru && st, "fake_sigstore: out of memory");
	n = strlen(s->issuer) + strlen(ru) + strlen(st) + strlen(challenge) +
	    200;
	url = malloc(n);
	cr_assert_not_null(url);
	snprintf(url, n,
	         "%s/auth?response_type=code&client_id=sigstore&redirect_uri=%s"
	         "&scope=openid+email&state=%s&nonce=n0&code_challenge=%s"
	         "&code_challenge_method=S256",
	         s->issuer, ru, st, challenge);
	curl_free(ru);
	curl_free(st);
	free(challenge);
	return url;
}

static size_t discard(char *p, size_t sz, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return sz * n;
}

int fss_browse(const char *url)
{
	CURL *c = curl_easy_init();
	long status = 0;
	CURLcode rc;

	if (c == NULL)
		return -1;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	return rc == CURLE_OK && status >= 200 && status < 300 ? 0 : -1;
}

char *fss_oob_code(const char *url)
{
	static const char urn[] = "urn:ietf:wg:oauth:2.0:oob?";
	CURL *c = curl_easy_init();
	char *loc = NULL, *code = NULL;

	if (c == NULL)
		return NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	if (curl_easy_perform(c) == CURLE_OK &&
	    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK &&
	    loc != NULL && strncmp(loc, urn, sizeof(urn) - 1) == 0)
		code = fssi_param(loc + sizeof(urn) - 1, "code");
	curl_easy_cleanup(c);
	return code;
}
