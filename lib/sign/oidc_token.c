/*
 * sign/oidc_token.c - finding the identity token keyless signing needs
 * (issue 11, "first found wins"): the caller's token or token file,
 * $SIGSTORE_ID_TOKEN, the ambient GitHub Actions token, then the
 * interactive flow of oidc_flow.c. Also the token's claims as the
 * certificate will show them.
 *
 * A token is a bearer credential: it is never logged, never written, and
 * every buffer that held it is wiped before it is freed.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "sign/oidc.h"
#include "util/json.h"

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
is_b64url(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int
pv_oidc_take_token(char **out, const char *s, size_t len, const char *from,
                   pyverify_error *err)
{
	size_t i, dots = 0;
	char *copy;

	while (len > 0 && is_space(s[0])) {
		s++;
		len--;
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;
	if (len == 0)
		return pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_OIDC,
		               "the identity token from %s is empty", from);
	if (len > PV_MAX_ID_TOKEN_BYTES)
		return pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_OIDC,
		               "the identity token from %s is longer than %u "
		               "bytes", from, PV_MAX_ID_TOKEN_BYTES);
	/* The shape only (header.payload.signature); the claims are read
	 * where they matter and the signature is Fulcio's to check. Nothing
	 * of the text is quoted: it is a credential. */
	for (i = 0; i < len; i++) {
		if (s[i] == '.')
			dots++;
		else if (!is_b64url((unsigned char)s[i]))
			break;
	}
	if (i != len || dots != 2 || s[0] == '.' || s[len - 1] == '.')
		return pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_OIDC,
		               "the identity token from %s is not a JWT "
		               "(three base64url parts separated by dots)",
		               from);
	copy = malloc(len + 1);
	if (copy == NULL)
		return pv_fail(err, PYVERIFY_ENOMEM, PYVERIFY_STEP_OIDC,
		               "out of memory");
	memcpy(copy, s, len);
	copy[len] = '\0';
	*out = copy;
	return 0;
}

void
pv_oidc_response_wipe(pv_net_response *r)
{
	if (r->body != NULL)
		OPENSSL_cleanse(r->body, r->len);
	pv_net_response_free(r);
}

/* Copies at most outlen-1 bytes of s, printable ASCII only, to one line. */
static void
clean_copy(char *out, size_t outlen, const char *s)
{
	size_t o = 0;

	for (; *s != '\0' && o + 1 < outlen; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n' || c == '\r')
			break;
		out[o++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	out[o] = '\0';
}

void
pv_oidc_http_error(char *out, size_t outlen, const pv_net_response *r)
{
	json_t *doc = NULL, *e, *d;
	struct pv_json_bounds b = PV_JSON_BOUNDS(64u << 10);
	char code[128], desc[300];

	/* OAuth 2.0 (RFC 6749 5.2) says "error" and "error_description";
	 * GitHub's token service says "message". */
	if (r->body != NULL && r->len != 0 &&
	    pv_json_intake(&doc, r->body, r->len, &b, NULL) ==
	        PV_JSON_ACCEPTED) {
		e = json_object_get(doc, "error");
		d = json_object_get(doc, "error_description");
		if (json_is_string(e) && json_is_string(d)) {
			clean_copy(code, sizeof(code), json_string_value(e));
			clean_copy(desc, sizeof(desc), json_string_value(d));
			snprintf(out, outlen, "HTTP %ld: %s: %s", r->status,
			         code, desc);
			json_decref(doc);
			return;
		}
		json_decref(doc);
	}
	pv_sign_http_error(out, outlen, r);
}

static const char *
env_value(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

static int
token_from_file(char **out, const char *path, pyverify_error *err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char why[PYVERIFY_ERROR_MSG_SIZE], from[PYVERIFY_ERROR_MSG_SIZE];
	int rc;

	rc = pv_file_read(&buf, &len, path, 0, PV_MAX_ID_TOKEN_BYTES,
	                  "identity token file", why, sizeof(why));
	if (rc != 0)
		return pv_fail(err, rc == PYVERIFY_ENOMEM ? PYVERIFY_ENOMEM
		                                          : PYVERIFY_EIO,
		               PYVERIFY_STEP_OIDC, "%s", why);
	snprintf(from, sizeof(from), "file %s", path);
	rc = pv_oidc_take_token(out, (const char *)buf, len, from, err);
	OPENSSL_cleanse(buf, len);
	free(buf);
	return rc;
}

/* GET $ACTIONS_ID_TOKEN_REQUEST_URL with audience=sigstore appended, the
 * request token as bearer; the answer's "value" is the JWT. */
static int
token_from_github(char **out, const char *url, const char *bearer,
                  const struct pv_sign_net *n, pyverify_error *err)
{
	static const char *const audience[] = { "audience", "sigstore", NULL };
	char *full = NULL, *auth = NULL;
	char shown[512], why[PYVERIFY_ERROR_MSG_SIZE], msg[512];
	pv_net_response resp = { 0 };
	json_t *doc = NULL, *v;
	struct pv_json_bounds b = PV_JSON_BOUNDS(PV_MAX_OIDC_ANSWER_BYTES);
	size_t alen;
	int rc;

	pv_net_url_for_msg(shown, sizeof(shown), url);
	/* The URL already carries a query (api-version=...): appended with
	 * the separator it needs. The request checks the URL itself. */
	full = pv_net_url_with_query(url, audience);
	if (full == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_OIDC,
		               "ACTIONS_ID_TOKEN_REQUEST_URL is not a usable "
		               "URL (it has a fragment, or is too long): %s",
		               shown);
	alen = strlen(bearer) + sizeof("Authorization: bearer ");
	auth = malloc(alen);
	if (auth == NULL) {
		free(full);
		return pv_fail(err, PYVERIFY_ENOMEM, PYVERIFY_STEP_OIDC,
		               "out of memory");
	}
	snprintf(auth, alen, "Authorization: bearer %s", bearer);
	const char *headers[] = { auth, "Accept: application/json", NULL };
	rc = pv_sign_http(n, "GET", full, headers, NULL, 0,
	                  PV_MAX_OIDC_ANSWER_BYTES, 0, &resp, why, sizeof(why));
	OPENSSL_cleanse(auth, alen);
	free(auth);
	free(full);
	if (rc != 0)
		return pv_fail(err, rc == PV_NET_ENOMEM ? PYVERIFY_ENOMEM
		                                        : PYVERIFY_EIO,
		               PYVERIFY_STEP_OIDC,
		               "GitHub Actions token request: %s (does the job "
		               "have 'permissions: id-token: write'?)", why);
	if (resp.status != 200) {
		pv_oidc_http_error(msg, sizeof(msg), &resp);
		pv_oidc_response_wipe(&resp);
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_OIDC,
		               "GitHub Actions token request GET %s: %s", shown,
		               msg);
	}
	if (pv_json_intake(&doc, resp.body, resp.len, &b, NULL) !=
	        PV_JSON_ACCEPTED ||
	    !json_is_string(v = json_object_get(doc, "value"))) {
		json_decref(doc);
		pv_oidc_response_wipe(&resp);
		return pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_OIDC,
		               "GitHub Actions token request GET %s: the "
		               "answer is not JSON with a string \"value\"",
		               shown);
	}
	rc = pv_oidc_take_token(out, json_string_value(v),
	                        json_string_length(v), "GitHub Actions", err);
	/* jansson keeps its own copy of the string: wiped too. */
	OPENSSL_cleanse((char *)json_string_value(v), json_string_length(v));
	json_decref(doc);
	pv_oidc_response_wipe(&resp);
	return rc;
}

int
pyverify_oidc_token_get(char **token, pyverify_oidc_source *source,
                        const pyverify_oidc_options *opts,
                        pyverify_error *err)
{
	struct pv_sign_net n;
	pyverify_oidc_source src = PYVERIFY_OIDC_SOURCE_NONE;
	const char *v, *gh_url, *gh_bearer;
	char *tok = NULL;
	int rc;

	pv_error_clear(err);
	if (token == NULL || opts == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_OIDC,
		               "token and options are required");
	memset(&n, 0, sizeof(n));
	n.opts.ca_bundle = opts->ca_bundle;
	n.opts.allow_http = opts->allow_http;
	n.transport = (const pyverify_transport *)opts->transport;

	if (opts->token != NULL && opts->token[0] == '@') {
		src = PYVERIFY_OIDC_SOURCE_FILE;
		rc = token_from_file(&tok, opts->token + 1, err);
	} else if (opts->token != NULL) {
		src = PYVERIFY_OIDC_SOURCE_OPTION;
		rc = pv_oidc_take_token(&tok, opts->token, strlen(opts->token),
		                        "the option", err);
	} else if (!opts->no_environment &&
	           (v = env_value("SIGSTORE_ID_TOKEN")) != NULL) {
		src = PYVERIFY_OIDC_SOURCE_ENV;
		rc = pv_oidc_take_token(&tok, v, strlen(v),
		                        "SIGSTORE_ID_TOKEN", err);
	} else if (!opts->no_environment &&
	           (gh_url = env_value("ACTIONS_ID_TOKEN_REQUEST_URL")) !=
	               NULL &&
	           (gh_bearer = env_value("ACTIONS_ID_TOKEN_REQUEST_TOKEN")) !=
	               NULL) {
		src = PYVERIFY_OIDC_SOURCE_GITHUB;
		rc = token_from_github(&tok, gh_url, gh_bearer, &n, err);
	} else if (opts->no_interactive) {
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_OIDC,
		               "no identity token: none given, "
		               "SIGSTORE_ID_TOKEN unset, not in a GitHub "
		               "Actions job with 'id-token: write', and the "
		               "interactive sign-in is off");
	} else {
		rc = pv_oidc_interactive(&tok, &src, opts, &n, err);
	}
	if (rc != 0)
		return rc;
	*token = tok;
	if (source != NULL)
		*source = src;
	return 0;
}

void
pyverify_oidc_token_free(char *token)
{
	if (token == NULL)
		return;
	OPENSSL_cleanse(token, strlen(token));
	free(token);
}

const char *
pyverify_oidc_source_name(pyverify_oidc_source source)
{
	switch (source) {
	case PYVERIFY_OIDC_SOURCE_OPTION: return "option";
	case PYVERIFY_OIDC_SOURCE_FILE: return "file";
	case PYVERIFY_OIDC_SOURCE_ENV: return "SIGSTORE_ID_TOKEN";
	case PYVERIFY_OIDC_SOURCE_GITHUB: return "github-actions";
	case PYVERIFY_OIDC_SOURCE_BROWSER: return "browser";
	case PYVERIFY_OIDC_SOURCE_OUT_OF_BAND: return "out-of-band";
	default: return "none";
	}
}

int
pyverify_oidc_token_claims(pyverify_oidc_claims *out, const char *token,
                           int64_t now, pyverify_error *err)
{
	struct pv_id_token t;
	const char *iss, *identity;
	char *san;
	int rc;

	pv_error_clear(err);
	if (out == NULL || token == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_OIDC,
		               "claims and token are required");
	memset(&t, 0, sizeof(t));
	rc = pv_id_token_parse(&t, token, now != 0 ? now : (int64_t)time(NULL),
	                       err);
	if (rc != 0)
		return rc;
	/* What Fulcio writes into the certificate's issuer extension: the
	 * upstream provider of a federated (Dex) token. */
	iss = t.federated_issuer != NULL ? t.federated_issuer : t.iss;
	/* And the identity its certificate will bind, which verifiers see:
	 * for GitHub Actions the workflow, not the token's sub. */
	san = pv_id_token_cert_san(&t);
	identity = san != NULL ? san : t.identity;
	if (strlen(identity) > PYVERIFY_VALUE_MAX ||
	    strlen(iss) > PYVERIFY_VALUE_MAX) {
		free(san);
		pv_id_token_clear(&t);
		return pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_OIDC,
		               "the identity token's identity or issuer is "
		               "longer than %d bytes", PYVERIFY_VALUE_MAX);
	}
	memset(out, 0, sizeof(*out));
	memcpy(out->identity, identity, strlen(identity));
	memcpy(out->issuer, iss, strlen(iss));
	out->expires = t.exp;
	free(san);
	pv_id_token_clear(&t);
	return 0;
}
