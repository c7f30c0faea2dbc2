/*
 * sign/token.c - what the signer reads from an OIDC identity token before
 * using it (SPEC 5.3): who it names, for whom it was issued and until
 * when. The signature is Fulcio's to check; a token that would be refused
 * anyway is refused here first, with a message that says why, before
 * anything is sent.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sign/sign.h"
#include "util/json.h"

/* Real identity tokens are 1-2 KB; GitHub's carry many claims (~3 KB):
 * bounded by PV_MAX_ID_TOKEN_BYTES like every other way a token comes in. */
#define TOKEN_MAX_BYTES PV_MAX_ID_TOKEN_BYTES
/* Python's leeway on nbf and exp. */
#define TOKEN_LEEWAY_S 5
#define TOKEN_AUDIENCE "sigstore"
/* Audiences in one token's aud array. */
#define TOKEN_MAX_AUDIENCES 64

void
pv_id_token_clear(struct pv_id_token *t)
{
	if (t == NULL)
		return;
	if (t->raw != NULL) {
		OPENSSL_cleanse(t->raw, strlen(t->raw));
		free(t->raw);
	}
	free(t->iss);
	free(t->sub);
	free(t->email);
	free(t->identity);
	free(t->federated_issuer);
	free(t->job_workflow_ref);
	memset(t, 0, sizeof(*t));
}

static int
oidc_fail(pyverify_error *err, pyverify_status code, const char *what)
{
	return pv_fail(err, code, PYVERIFY_STEP_OIDC, "identity token: %s",
	               what);
}

/* base64url without padding (RFC 7515 section 2), strictly: the standard
 * alphabet's '+', '/' and any '=' are refused, then the text is mapped to
 * the standard alphabet and decoded by the strict decoder of util/. */
static int
b64url_decode(struct pv_bytes *out, const char *s, size_t len)
{
	size_t padded = len + (4 - len % 4) % 4;
	char *tmp;
	int rc;

	if (len % 4 == 1)
		return -1;
	tmp = malloc(padded + 1);
	if (tmp == NULL)
		return -1;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '+' || c == '/' || c == '=') {
			free(tmp);
			return -1;
		}
		tmp[i] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	for (size_t i = len; i < padded; i++)
		tmp[i] = '=';
	tmp[padded] = '\0';
	rc = pv_b64_decode(out, tmp, padded);
	OPENSSL_cleanse(tmp, padded);
	free(tmp);
	return rc;
}

/* A NumericDate claim: a JSON number of seconds (fractions allowed by
 * RFC 7519, rounded down). *present 0 when absent. */
static int
numeric_date(const json_t *claims, const char *name, int64_t *out,
             int *present, pyverify_error *err)
{
	const json_t *v = json_object_get(claims, name);
	char msg[96];

	*out = 0;
	*present = 0;
	if (v == NULL)
		return 0;
	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v);
	} else if (json_is_real(v)) {
		double d = json_real_value(v);
		/* Beyond year 5000 or before 1970: not a real token. */
		if (!isfinite(d) || d < 0 || d > 1e11)
			goto bad;
		*out = (int64_t)d; /* d >= 0: truncation is floor */
	} else {
		goto bad;
	}
	if (*out < 0 || *out > 100000000000LL)
		goto bad;
	*present = 1;
	return 0;
bad:
	snprintf(msg, sizeof(msg), "claim \"%s\" is not a time", name);
	return oidc_fail(err, PYVERIFY_EPARSE, msg);
}

/* A string claim: *out malloc'd, NULL when absent and not required. */
static int
string_claim(const json_t *obj, const char *name, int required, char **out,
             pyverify_error *err)
{
	const json_t *v = json_object_get(obj, name);
	char msg[96];

	*out = NULL;
	if (v == NULL && !required)
		return 0;
	if (v == NULL || !json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > PV_MAX_VALUE_STRING) {
		snprintf(msg, sizeof(msg), "claim \"%s\" is %s", name,
		         v == NULL ? "missing" : "not a non-empty string");
		return oidc_fail(err, PYVERIFY_EPARSE, msg);
	}
	*out = pv_strndup(json_string_value(v), json_string_length(v));
	if (*out == NULL)
		return oidc_fail(err, PYVERIFY_ENOMEM, "out of memory");
	return 0;
}

static int
check_audience(const json_t *claims, pyverify_error *err)
{
	const json_t *aud = json_object_get(claims, "aud");

	if (aud == NULL)
		return oidc_fail(err, PYVERIFY_EPARSE, "claim \"aud\" is missing");
	if (json_is_string(aud)) {
		if (strcmp(json_string_value(aud), TOKEN_AUDIENCE) == 0)
			return 0;
	} else if (json_is_array(aud)) {
		size_t i;
		json_t *a;
		if (json_array_size(aud) > TOKEN_MAX_AUDIENCES)
			return oidc_fail(err, PYVERIFY_EPARSE,
			                 "claim \"aud\" lists more than 64 "
			                 "audiences");
		json_array_foreach(aud, i, a) {
			if (!json_is_string(a))
				return oidc_fail(err, PYVERIFY_EPARSE,
				                 "claim \"aud\" holds a non-string");
			if (strcmp(json_string_value(a), TOKEN_AUDIENCE) == 0)
				return 0;
		}
	} else {
		return oidc_fail(err, PYVERIFY_EPARSE,
		                 "claim \"aud\" is neither a string nor a list");
	}
	return oidc_fail(err, PYVERIFY_EREJECT,
	                 "it was not issued for Sigstore (audience \"sigstore\" "
	                 "missing from \"aud\"); request a token with "
	                 "audience sigstore");
}

static int
check_times(const struct pv_id_token *t, int64_t now, pyverify_error *err)
{
	char a[32], b[32];

	if (now - TOKEN_LEEWAY_S >= t->exp) {
		pv_format_rfc3339(a, t->exp);
		pv_format_rfc3339(b, now);
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_OIDC,
		               "identity token: expired at %s (now %s); obtain "
		               "a new token",
		               a, b);
	}
	if (t->nbf != 0 && now + TOKEN_LEEWAY_S < t->nbf) {
		pv_format_rfc3339(a, t->nbf);
		pv_format_rfc3339(b, now);
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_OIDC,
		               "identity token: not valid before %s (now %s); "
		               "is the clock right?",
		               a, b);
	}
	return 0;
}

static int
read_claims(struct pv_id_token *t, const json_t *claims, int64_t now,
            pyverify_error *err)
{
	int present;
	const json_t *ev, *fed, *wf;

	PV_TRY(check_audience(claims, err));
	PV_TRY(string_claim(claims, "iss", 1, &t->iss, err));
	PV_TRY(string_claim(claims, "sub", 1, &t->sub, err));
	PV_TRY(numeric_date(claims, "iat", &t->iat, &present, err));
	if (!present)
		return oidc_fail(err, PYVERIFY_EPARSE, "claim \"iat\" is missing");
	PV_TRY(numeric_date(claims, "exp", &t->exp, &present, err));
	if (!present)
		return oidc_fail(err, PYVERIFY_EPARSE, "claim \"exp\" is missing");
	PV_TRY(numeric_date(claims, "nbf", &t->nbf, &present, err));
	PV_TRY(check_times(t, now, err));

	PV_TRY(string_claim(claims, "email", 0, &t->email, err));
	ev = json_object_get(claims, "email_verified");
	if (ev != NULL && !json_is_boolean(ev))
		return oidc_fail(err, PYVERIFY_EPARSE,
		                 "claim \"email_verified\" is not a boolean");
	t->email_verified = ev != NULL && json_is_true(ev);
	/* Fulcio binds the email when there is one, and refuses it unless
	 * the issuer verified it: refused here with the reason. */
	if (t->email != NULL && !t->email_verified)
		return oidc_fail(err, PYVERIFY_EREJECT,
		                 "the issuer has not verified its email address "
		                 "(email_verified is not true)");
	t->identity = pv_strndup(t->email != NULL ? t->email : t->sub,
	                         strlen(t->email != NULL ? t->email : t->sub));
	if (t->identity == NULL)
		return oidc_fail(err, PYVERIFY_ENOMEM, "out of memory");

	fed = json_object_get(claims, "federated_claims");
	if (fed != NULL) {
		if (!json_is_object(fed))
			return oidc_fail(err, PYVERIFY_EPARSE,
			                 "claim \"federated_claims\" is not an "
			                 "object");
		PV_TRY(string_claim(fed, "connector_id", 0,
		                    &t->federated_issuer, err));
	}
	/* GitHub Actions: Fulcio's SAN is derived from it (fulcio_check.c).
	 * Read leniently: other issuers' tokens may carry anything here. */
	wf = json_object_get(claims, "job_workflow_ref");
	if (json_is_string(wf) &&
	    (t->job_workflow_ref = pv_strndup(json_string_value(wf),
	                                      json_string_length(wf))) == NULL)
		return oidc_fail(err, PYVERIFY_ENOMEM, "out of memory");
	return 0;
}

static int
parse_payload(struct pv_id_token *t, const char *seg, size_t seglen,
              int64_t now, pyverify_error *err)
{
	struct pv_bytes payload = { NULL, 0 };
	struct pv_json_bounds b = PV_JSON_BOUNDS(TOKEN_MAX_BYTES);
	json_t *claims = NULL;
	int rc;

	if (b64url_decode(&payload, seg, seglen) != 0)
		return oidc_fail(err, PYVERIFY_EPARSE,
		                 "the payload is not base64url");
	if (pv_json_intake(&claims, payload.data, payload.len, &b, NULL) !=
	    PV_JSON_ACCEPTED) {
		OPENSSL_cleanse(payload.data, payload.len);
		pv_bytes_clear(&payload);
		return oidc_fail(err, PYVERIFY_EPARSE,
		                 "the payload is not a JSON object");
	}
	rc = read_claims(t, claims, now, err);
	json_decref(claims);
	OPENSSL_cleanse(payload.data, payload.len);
	pv_bytes_clear(&payload);
	return rc;
}

int
pv_id_token_parse(struct pv_id_token *out, const char *jwt, int64_t now,
                  pyverify_error *err)
{
	struct pv_id_token t;
	const char *dot1, *dot2;
	size_t len;
	int rc;

	if (jwt == NULL)
		return oidc_fail(err, PYVERIFY_EUSAGE, "none given");
	len = strnlen(jwt, TOKEN_MAX_BYTES + 1);
	if (len == 0)
		return oidc_fail(err, PYVERIFY_EPARSE, "it is empty");
	if (len > TOKEN_MAX_BYTES)
		return oidc_fail(err, PYVERIFY_EPARSE,
		                 "longer than 64 KiB, not an identity token");
	/* A JWS in compact form: header.payload.signature, each non-empty
	 * and base64url (the signature checked only for its form). */
	dot1 = memchr(jwt, '.', len);
	dot2 = dot1 != NULL ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - jwt))
	                    : NULL;
	if (dot1 == NULL || dot2 == NULL ||
	    memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - jwt)) != NULL ||
	    dot1 == jwt || dot2 == dot1 + 1 || dot2 + 1 == jwt + len)
		return oidc_fail(err, PYVERIFY_EPARSE,
		                 "not a JWT (three non-empty parts separated by "
		                 "'.')");
	for (size_t i = 0; i < len; i++) {
		char c = jwt[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return oidc_fail(err, PYVERIFY_EPARSE,
			                 "not a JWT (a character outside "
			                 "base64url)");
	}
	memset(&t, 0, sizeof(t));
	rc = parse_payload(&t, dot1 + 1, (size_t)(dot2 - dot1 - 1), now, err);
	if (rc == 0) {
		t.raw = pv_strndup(jwt, len);
		if (t.raw == NULL)
			rc = oidc_fail(err, PYVERIFY_ENOMEM, "out of memory");
	}
	if (rc != 0) {
		pv_id_token_clear(&t);
		return rc;
	}
	*out = t;
	return 0;
}

/* Fulcio's GitHub Actions principal puts the workflow, not the token's
 * sub ("repo:org/repo:ref:..."), into the SAN. */
#define GITHUB_ACTIONS_ISSUER "https://token.actions.githubusercontent.com"
#define GITHUB_SAN_PREFIX "https://github.com/"

char *
pv_id_token_cert_san(const struct pv_id_token *t)
{
	const char *ref = t->job_workflow_ref;
	char *san;
	size_t n;

	if (t->email != NULL || t->iss == NULL || ref == NULL ||
	    strcmp(t->iss, GITHUB_ACTIONS_ISSUER) != 0)
		return NULL;
	n = sizeof(GITHUB_SAN_PREFIX) + strlen(ref);
	san = malloc(n);
	if (san != NULL)
		snprintf(san, n, "%s%s", GITHUB_SAN_PREFIX, ref);
	return san;
}
