/*
 * sign/oidc_flow.c - the interactive sign-in (SPEC 5.3): OAuth 2.0
 * authorization code flow with PKCE (RFC 7636, S256) against the OIDC
 * issuer, the browser redirected to a one-shot listener on 127.0.0.1, or
 * the code pasted by the user (out of band); then the token request.
 * The listener itself is oidc_listener.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/wait.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sodium.h>

#include "sign/oidc.h"
#include "util/json.h"

#define OOB_REDIRECT "urn:ietf:wg:oauth:2.0:oob"
#define DEFAULT_WAIT_MS 300000L

struct pkce {
	char verifier[64];   /* 32 random bytes, base64url: 43 characters */
	char challenge[64];  /* base64url(SHA-256(verifier)) */
	char state[32];
	char nonce[32];
};

static int
random_b64url(char *out, size_t outlen, size_t nbytes)
{
	unsigned char raw[32];

	if (nbytes > sizeof(raw) || RAND_bytes(raw, (int)nbytes) != 1)
		return -1;
	sodium_bin2base64(out, outlen, raw, nbytes,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

static int
pkce_make(struct pkce *p, pyverify_error *err)
{
	unsigned char digest[32];

	if (random_b64url(p->verifier, sizeof(p->verifier), 32) != 0 ||
	    random_b64url(p->state, sizeof(p->state), 16) != 0 ||
	    random_b64url(p->nonce, sizeof(p->nonce), 16) != 0 ||
	    pv_sha256(digest, p->verifier, strlen(p->verifier)) != 0)
		return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_OIDC,
		               "no random bytes for the PKCE verifier");
	sodium_bin2base64(p->challenge, sizeof(p->challenge), digest,
	                  sizeof(digest),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

/* ---- discovery ---------------------------------------------------------- */

static int
endpoint(char **out, json_t *doc, const char *name, const char *shown,
         const struct pv_sign_net *n, pyverify_error *err)
{
	json_t *v = json_object_get(doc, name);
	char why[512];

	if (!json_is_string(v) || json_string_length(v) > PV_MAX_VALUE_STRING)
		return pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_OIDC,
		               "OIDC discovery %s: no usable \"%s\"", shown,
		               name);
	if (pv_net_url_allowed(json_string_value(v), n->opts.allow_http, why,
	                       sizeof(why)) != 0)
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_OIDC,
		               "OIDC discovery %s: %s: %s", shown, name, why);
	*out = strdup(json_string_value(v));
	if (*out == NULL)
		return pv_fail(err, PYVERIFY_ENOMEM, PYVERIFY_STEP_OIDC,
		               "out of memory");
	return 0;
}

static int
discover(const struct pv_sign_net *n, const char *issuer, char **auth_ep,
         char **token_ep, pyverify_error *err)
{
	char url[PV_MAX_VALUE_STRING + 64], shown[512], why[1024], msg[512];
	pv_net_response r = { 0 };
	json_t *doc = NULL;
	struct pv_json_bounds b = PV_JSON_BOUNDS(PV_MAX_OIDC_ANSWER_BYTES);
	int rc;

	if (pv_net_join(url, sizeof(url), issuer,
	                ".well-known/openid-configuration") != 0)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_OIDC,
		               "the OIDC issuer URL is too long");
	pv_net_url_for_msg(shown, sizeof(shown), url);
	rc = pv_sign_http(n, "GET", url, NULL, NULL, 0,
	                  PV_MAX_OIDC_ANSWER_BYTES, 0, &r, why, sizeof(why));
	if (rc != 0)
		return pv_fail(err, rc == PV_NET_EURL ? PYVERIFY_EUSAGE
		                                      : PYVERIFY_EIO,
		               PYVERIFY_STEP_OIDC, "OIDC discovery: %s", why);
	if (r.status != 200) {
		pv_oidc_http_error(msg, sizeof(msg), &r);
		pv_net_response_free(&r);
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_OIDC,
		               "OIDC discovery GET %s: %s", shown, msg);
	}
	if (pv_json_intake(&doc, r.body, r.len, &b, NULL) !=
	    PV_JSON_ACCEPTED) {
		pv_net_response_free(&r);
		return pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_OIDC,
		               "OIDC discovery GET %s: the answer is not a "
		               "JSON object", shown);
	}
	pv_net_response_free(&r);
	rc = endpoint(auth_ep, doc, "authorization_endpoint", shown, n, err);
	if (rc == 0) {
		rc = endpoint(token_ep, doc, "token_endpoint", shown, n, err);
		if (rc != 0) {
			free(*auth_ep);
			*auth_ep = NULL;
		}
	}
	json_decref(doc);
	return rc;
}

/* ---- the authorization URL ---------------------------------------------- */

static char *
auth_url(const char *auth_ep, const char *client_id, const char *redirect,
         const struct pkce *p)
{
	const char *params[] = {
		"response_type", "code",
		"client_id", client_id,
		"redirect_uri", redirect,
		"scope", "openid email",
		"state", p->state,
		"nonce", p->nonce,
		"code_challenge", p->challenge,
		"code_challenge_method", "S256",
		NULL,
	};

	return pv_net_url_with_query(auth_ep, params);
}

/* ---- showing the URL ---------------------------------------------------- */

/* xdg-open in a grandchild, no shell: the browser may outlive us, and
 * xdg-open with a terminal browser may not return until it is closed. */
static void
open_browser(const char *url)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (fork() == 0) {
			int fd = open("/dev/null", O_RDWR);
			if (fd >= 0) {
				dup2(fd, 0);
				dup2(fd, 1);
				dup2(fd, 2);
			}
			execlp("xdg-open", "xdg-open", url, (char *)NULL);
		}
		_exit(0);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
}

static int
show(const pyverify_oidc_options *o, const char *url, int try_browser)
{
	const char *d = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");

	if (o->show_url != NULL)
		return o->show_url(o->ctx, url);
	if (try_browser && !o->no_browser &&
	    ((d != NULL && d[0] != '\0') || (w != NULL && w[0] != '\0'))) {
		fprintf(stderr, "Opening your browser to sign in; if it does "
		                "not open, visit:\n\n    %s\n\n", url);
		open_browser(url);
	} else {
		fprintf(stderr, "To sign in, visit:\n\n    %s\n\n", url);
	}
	return 0;
}

/* ---- the out-of-band code ----------------------------------------------- */

static int
read_code(const pyverify_oidc_options *o, char **code, pyverify_error *err)
{
	char buf[PV_MAX_OIDC_CODE_BYTES];
	char *tok = NULL;
	size_t len, i;

	buf[0] = '\0';
	if (o->read_code != NULL) {
		if (o->read_code(o->ctx, buf, sizeof(buf)) != 0) {
			OPENSSL_cleanse(buf, sizeof(buf));
			return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_OIDC,
			               "no verification code was entered");
		}
		buf[sizeof(buf) - 1] = '\0';
	} else {
		FILE *in = o->code_in != NULL ? (FILE *)o->code_in : stdin;
		fprintf(stderr, "Enter the verification code: ");
		fflush(stderr);
		if (fgets(buf, sizeof(buf), in) == NULL)
			buf[0] = '\0';
	}
	len = strlen(buf);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
	                   buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		buf[--len] = '\0';
	for (i = 0; i < len; i++)
		if ((unsigned char)buf[i] <= 0x20 ||
		    (unsigned char)buf[i] >= 0x7f)
			break;
	if (len == 0 || i != len) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_OIDC,
		               len == 0 ? "no verification code was entered"
		                        : "the verification code holds "
		                          "spaces or control characters");
	}
	tok = strdup(buf);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (tok == NULL)
		return pv_fail(err, PYVERIFY_ENOMEM, PYVERIFY_STEP_OIDC,
		               "out of memory");
	*code = tok;
	return 0;
}

/* ---- the token request --------------------------------------------------- */

/* "name=value", after a '&' unless first, with value percent-encoded;
 * -1 when it does not fit. */
static int
form_add(char *out, size_t cap, size_t *len, const char *name,
         const char *value)
{
	int n = snprintf(out + *len, cap - *len, "%s%s=", *len ? "&" : "",
	                 name);

	if (n < 0 || (size_t)n >= cap - *len)
		return -1;
	if (pv_net_escape_segment(out + *len + n, cap - *len - (size_t)n,
	                          value) != 0)
		return -1;
	*len += strlen(out + *len);
	return 0;
}

static int
exchange(const struct pv_sign_net *n, const char *token_ep,
         const char *client_id, const char *code, const char *redirect,
         const struct pkce *p, char **token, pyverify_error *err)
{
	char form[PV_MAX_OIDC_CODE_BYTES * 3 + PV_MAX_VALUE_STRING * 3 + 512];
	char basic_raw[256], auth[512], shown[512], why[1024], msg[512];
	const char *headers[4];
	pv_net_response r = { 0 };
	json_t *doc = NULL, *t;
	struct pv_json_bounds b = PV_JSON_BOUNDS(PV_MAX_OIDC_ANSWER_BYTES);
	const char *which;
	size_t flen = 0;
	int rc;

	pv_net_url_for_msg(shown, sizeof(shown), token_ep);
	if (form_add(form, sizeof(form), &flen, "grant_type",
	             "authorization_code") != 0 ||
	    form_add(form, sizeof(form), &flen, "code", code) != 0 ||
	    form_add(form, sizeof(form), &flen, "redirect_uri", redirect) !=
	        0 ||
	    form_add(form, sizeof(form), &flen, "code_verifier",
	             p->verifier) != 0 ||
	    form_add(form, sizeof(form), &flen, "client_id", client_id) != 0) {
		OPENSSL_cleanse(form, sizeof(form));
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_OIDC,
		               "the token request does not fit");
	}
	/* A public client: HTTP basic with the client id and an empty
	 * secret, as Sigstore's clients send it. */
	if (snprintf(basic_raw, sizeof(basic_raw), "%s:", client_id) >=
	    (int)sizeof(basic_raw)) {
		OPENSSL_cleanse(form, sizeof(form));
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_OIDC,
		               "the OIDC client id is too long");
	}
	memcpy(auth, "Authorization: Basic ", 21);
	sodium_bin2base64(auth + 21, sizeof(auth) - 21,
	                  (const unsigned char *)basic_raw, strlen(basic_raw),
	                  sodium_base64_VARIANT_ORIGINAL);
	headers[0] = "Content-Type: application/x-www-form-urlencoded";
	headers[1] = "Accept: application/json";
	headers[2] = auth;
	headers[3] = NULL;
	/* Never retried: an authorization code is good for one use. */
	rc = pv_sign_http(n, "POST", token_ep, headers, form, flen,
	                  PV_MAX_OIDC_ANSWER_BYTES, 0, &r, why, sizeof(why));
	OPENSSL_cleanse(form, sizeof(form));
	if (rc != 0)
		return pv_fail(err, rc == PV_NET_ENOMEM ? PYVERIFY_ENOMEM
		                                        : PYVERIFY_EIO,
		               PYVERIFY_STEP_OIDC, "OIDC token request: %s",
		               why);
	if (r.status != 200) {
		pv_oidc_http_error(msg, sizeof(msg), &r);
		pv_oidc_response_wipe(&r);
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_OIDC,
		               "OIDC token request POST %s: %s", shown, msg);
	}
	if (pv_json_intake(&doc, r.body, r.len, &b, NULL) !=
	    PV_JSON_ACCEPTED) {
		pv_oidc_response_wipe(&r);
		return pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_OIDC,
		               "OIDC token request POST %s: the answer is not "
		               "a JSON object", shown);
	}
	pv_oidc_response_wipe(&r);
	/* id_token first: it is the OIDC identity token, issued for our
	 * client (aud "sigstore") with the user's claims. Sigstore's Dex also
	 * sends a JWT access_token with the same claims, which is what
	 * sigstore-python takes; it serves as the fallback for providers
	 * that send no id_token. */
	which = "id_token";
	t = json_object_get(doc, which);
	if (!json_is_string(t)) {
		which = "access_token";
		t = json_object_get(doc, which);
	}
	if (!json_is_string(t)) {
		json_decref(doc);
		return pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_OIDC,
		               "OIDC token request POST %s: the answer has "
		               "neither \"id_token\" nor \"access_token\"",
		               shown);
	}
	rc = pv_oidc_take_token(token, json_string_value(t),
	                        json_string_length(t), which, err);
	/* Both tokens live in jansson's own copies: wiped. */
	if (json_is_string(t = json_object_get(doc, "id_token")))
		OPENSSL_cleanse((char *)json_string_value(t),
		                json_string_length(t));
	if (json_is_string(t = json_object_get(doc, "access_token")))
		OPENSSL_cleanse((char *)json_string_value(t),
		                json_string_length(t));
	if (json_is_string(t = json_object_get(doc, "refresh_token")))
		OPENSSL_cleanse((char *)json_string_value(t),
		                json_string_length(t));
	json_decref(doc);
	return rc;
}

/* ---- the whole flow ------------------------------------------------------ */

int
pv_oidc_interactive(char **token, pyverify_oidc_source *src,
                    const pyverify_oidc_options *o,
                    const struct pv_sign_net *n, pyverify_error *err)
{
	const char *issuer = o->issuer ? o->issuer : PYVERIFY_OIDC_ISSUER;
	const char *client_id = o->client_id ? o->client_id
	                                     : PYVERIFY_OIDC_CLIENT_ID;
	char *auth_ep = NULL, *token_ep = NULL, *url = NULL, *code = NULL;
	char redirect[64];
	struct pkce p;
	unsigned port = 0;
	int lfd = -1, rc;

	rc = pkce_make(&p, err);
	if (rc == 0)
		rc = discover(n, issuer, &auth_ep, &token_ep, err);
	if (rc != 0)
		goto done;
	if (o->out_of_band) {
		snprintf(redirect, sizeof(redirect), "%s", OOB_REDIRECT);
	} else {
		rc = pv_oidc_listener_open(&lfd, &port, err);
		if (rc != 0)
			goto done;
		snprintf(redirect, sizeof(redirect),
		         "http://localhost:%u/auth/callback", port);
	}
	url = auth_url(auth_ep, client_id, redirect, &p);
	if (url == NULL) {
		rc = pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_OIDC,
		             "the OIDC issuer's authorization_endpoint is "
		             "not a usable URL");
		goto done;
	}
	if (show(o, url, !o->out_of_band) != 0) {
		rc = pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_OIDC,
		             "the sign-in was cancelled");
		goto done;
	}
	if (o->out_of_band)
		rc = read_code(o, &code, err);
	else
		rc = pv_oidc_await_code(lfd, o->timeout_ms > 0
		                                 ? o->timeout_ms
		                                 : DEFAULT_WAIT_MS,
		                        p.state, &code, err);
	if (lfd >= 0) {
		close(lfd);
		lfd = -1;
	}
	if (rc == 0)
		rc = exchange(n, token_ep, client_id, code, redirect, &p,
		              token, err);
	if (rc == 0)
		*src = o->out_of_band ? PYVERIFY_OIDC_SOURCE_OUT_OF_BAND
		                      : PYVERIFY_OIDC_SOURCE_BROWSER;
done:
	if (lfd >= 0)
		close(lfd);
	if (code != NULL) {
		OPENSSL_cleanse(code, strlen(code));
		free(code);
	}
	OPENSSL_cleanse(&p, sizeof(p));
	free(url);
	free(auth_ep);
	free(token_ep);
	return rc;
}
