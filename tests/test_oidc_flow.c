/* test_oidc_flow.c - identity-token discovery (issue 11, "first found
 * wins") against the fake OIDC provider and GitHub Actions endpoint: the
 * explicit token and token file, $SIGSTORE_ID_TOKEN, the ambient GitHub
 * Actions token, the PKCE sign-in with the test playing the browser, the
 * out-of-band code, and their refusals. */
#define _GNU_SOURCE /* asprintf */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <criterion/criterion.h>
#include <curl/curl.h>

#include "fake_sigstore.h"
#include "pyverify.h"

TestSuite(oidc_flow, .timeout = 60);

static struct fss *S;

/* Nothing of the test runner's own environment may leak in. */
static void
clean_env(void)
{
	unsetenv("SIGSTORE_ID_TOKEN");
	unsetenv("ACTIONS_ID_TOKEN_REQUEST_URL");
	unsetenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
	unsetenv("DISPLAY");
	unsetenv("WAYLAND_DISPLAY");
}

static void
start(void)
{
	clean_env();
	S = fss_start();
}

static void
stop(void)
{
	fss_stop(S);
	S = NULL;
}

static pyverify_oidc_options
interactive_opts(void)
{
	pyverify_oidc_options o;

	memset(&o, 0, sizeof(o));
	o.no_environment = 1;
	o.issuer = fss_oidc_issuer(S);
	o.timeout_ms = 20000;
	return o;
}

static void
expect_identity(const char *token, const char *identity, const char *issuer)
{
	pyverify_oidc_claims c;
	pyverify_error e;

	cr_assert_eq(pyverify_oidc_token_claims(&c, token, 0, &e), 0, "%s",
	             e.msg);
	cr_assert_str_eq(c.identity, identity);
	cr_assert_str_eq(c.issuer, issuer);
}

/* The unescaped value of query parameter name in url (malloc'd). */
static char *
param(const char *url, const char *name)
{
	char *key = NULL, *p, *end, *out;
	int n = 0;

	cr_assert(asprintf(&key, "%s=", name) > 0);
	p = strstr(url, key);
	while (p != NULL && p[-1] != '?' && p[-1] != '&')
		p = strstr(p + 1, key);
	cr_assert_not_null(p, "no %s in %s", name, url);
	p += strlen(key);
	end = strchr(p, '&');
	/* Query strings are form-encoded: '+' is a space. */
	p = strndup(p, end ? (size_t)(end - p) : strlen(p));
	cr_assert_not_null(p);
	for (char *q = p; *q != '\0'; q++)
		if (*q == '+')
			*q = ' ';
	out = curl_easy_unescape(NULL, p, 0, &n);
	cr_assert_not_null(out);
	free(key);
	free(p);
	p = strdup(out);
	curl_free(out);
	return p;
}

/* ---- the browser the tests play ----------------------------------------- */

struct browser {
	pthread_t thread;
	int started;
	char *url;     /* what the browser opens */
	int result;    /* fss_browse's */
	char *seen;    /* the authorization URL pyverify showed */
	enum { B_FOLLOW, B_WRONG_STATE, B_OTHER_VERIFIER, B_NOTHING } mode;
};

static void *
browse_thread(void *arg)
{
	struct browser *b = arg;

	b->result = fss_browse(b->url);
	return NULL;
}

/* show_url: must return at once; the browsing happens in a thread while
 * pyverify's listener waits. */
static int
show_url(void *ctx, const char *url)
{
	struct browser *b = ctx;
	char *redirect, *state;

	b->seen = strdup(url);
	cr_assert_not_null(b->seen);
	switch (b->mode) {
	case B_FOLLOW:
		b->url = strdup(url);
		break;
	case B_WRONG_STATE:
		/* A page elsewhere sends the browser to our listener with
		 * its own code and state. */
		redirect = param(url, "redirect_uri");
		cr_assert(asprintf(&b->url, "%s?code=stolen&state=forged",
		                   redirect) > 0);
		free(redirect);
		break;
	case B_OTHER_VERIFIER:
		/* The code is issued for another PKCE challenge: the token
		 * endpoint must refuse pyverify's verifier. */
		redirect = param(url, "redirect_uri");
		state = param(url, "state");
		b->url = fss_authorize_url(S, redirect, state,
		                           "another-verifier-of-43-characters-xxxxx");
		free(redirect);
		free(state);
		break;
	case B_NOTHING:
		return 0;
	}
	cr_assert_eq(pthread_create(&b->thread, NULL, browse_thread, b), 0);
	b->started = 1;
	return 0;
}

static void
browser_done(struct browser *b)
{
	if (b->started)
		pthread_join(b->thread, NULL);
	free(b->url);
	free(b->seen);
}

/* ---- explicit, file, environment ---------------------------------------- */

Test(oidc_flow, explicit_token_wins, .init = start, .fini = stop)
{
	char *want = fss_token(S, NULL), *tok = NULL;
	pyverify_oidc_options o;
	pyverify_oidc_source src = PYVERIFY_OIDC_SOURCE_NONE;
	pyverify_error e;

	setenv("SIGSTORE_ID_TOKEN", "env.would.lose", 1);
	memset(&o, 0, sizeof(o));
	o.token = want;
	o.no_interactive = 1;
	cr_assert_eq(pyverify_oidc_token_get(&tok, &src, &o, &e), 0, "%s",
	             e.msg);
	cr_assert_str_eq(tok, want);
	cr_assert_eq(src, PYVERIFY_OIDC_SOURCE_OPTION);
	cr_assert_str_eq(pyverify_oidc_source_name(src), "option");
	expect_identity(tok, "dev@example.org", fss_oidc_issuer(S));
	cr_assert_eq(fss_count(S, "/"), 0, "an explicit token needs no network");
	pyverify_oidc_token_free(tok);
	free(want);
}

Test(oidc_flow, token_file, .init = start, .fini = stop)
{
	char dir[] = "/tmp/pv-oidc-XXXXXX", *path = NULL, *arg = NULL;
	char *want = fss_token(S, NULL), *tok = NULL;
	pyverify_oidc_options o;
	pyverify_oidc_source src;
	pyverify_error e;
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	cr_assert(asprintf(&path, "%s/token", dir) > 0);
	cr_assert(asprintf(&arg, "@%s", path) > 0);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "%s\n", want); /* a trailing newline, as editors leave */
	fclose(f);
	memset(&o, 0, sizeof(o));
	o.token = arg;
	cr_assert_eq(pyverify_oidc_token_get(&tok, &src, &o, &e), 0, "%s",
	             e.msg);
	cr_assert_str_eq(tok, want);
	cr_assert_eq(src, PYVERIFY_OIDC_SOURCE_FILE);
	pyverify_oidc_token_free(tok);

	/* Not a JWT: refused without quoting the (secret) content. */
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "hunter2 is my password\n");
	fclose(f);
	tok = NULL;
	cr_assert_eq(pyverify_oidc_token_get(&tok, &src, &o, &e),
	             PYVERIFY_EPARSE);
	cr_assert_eq(e.step, PYVERIFY_STEP_OIDC);
	cr_assert_not_null(strstr(e.msg, "not a JWT"), "%s", e.msg);
	cr_assert_null(strstr(e.msg, "hunter2"), "%s", e.msg);
	cr_assert_null(tok);

	/* A directory (or FIFO) is no token file. */
	unlink(path);
	cr_assert_eq(mkdir(path, 0700), 0);
	cr_assert_eq(pyverify_oidc_token_get(&tok, &src, &o, &e),
	             PYVERIFY_EIO);
	cr_assert_not_null(strstr(e.msg, "regular file"), "%s", e.msg);
	rmdir(path);
	unlink(path);
	rmdir(dir);
	free(path);
	free(arg);
	free(want);
}

Test(oidc_flow, sigstore_id_token_env, .init = start, .fini = stop)
{
	char *want = fss_token(S, NULL), *tok = NULL;
	pyverify_oidc_options o;
	pyverify_oidc_source src;
	pyverify_error e;

	setenv("SIGSTORE_ID_TOKEN", want, 1);
	/* It wins over an ambient GitHub Actions token. */
	setenv("ACTIONS_ID_TOKEN_REQUEST_URL", fss_gha_url(S), 1);
	setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", fss_gha_bearer(S), 1);
	memset(&o, 0, sizeof(o));
	o.no_interactive = 1;
	cr_assert_eq(pyverify_oidc_token_get(&tok, &src, &o, &e), 0, "%s",
	             e.msg);
	cr_assert_str_eq(tok, want);
	cr_assert_eq(src, PYVERIFY_OIDC_SOURCE_ENV);
	cr_assert_eq(fss_count(S, FSS_PATH_GHA), 0);
	pyverify_oidc_token_free(tok);

	/* no_environment ignores both. */
	o.no_environment = 1;
	tok = NULL;
	cr_assert_eq(pyverify_oidc_token_get(&tok, &src, &o, &e),
	             PYVERIFY_EUSAGE);
	cr_assert_eq(e.step, PYVERIFY_STEP_OIDC);
	cr_assert_null(tok);
	free(want);
}

/* ---- GitHub Actions ------------------------------------------------------ */

Test(oidc_flow, github_actions_ambient, .init = start, .fini = stop)
{
	char *tok = NULL;
	pyverify_oidc_options o;
	pyverify_oidc_source src;
	pyverify_error e;
	pyverify_oidc_claims c;

	setenv("ACTIONS_ID_TOKEN_REQUEST_URL", fss_gha_url(S), 1);
	setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", fss_gha_bearer(S), 1);
	memset(&o, 0, sizeof(o));
	o.no_interactive = 1;
	cr_assert_eq(pyverify_oidc_token_get(&tok, &src, &o, &e), 0, "%s",
	             e.msg);
	cr_assert_eq(src, PYVERIFY_OIDC_SOURCE_GITHUB);
	cr_assert_eq(fss_count(S, FSS_PATH_GHA), 1);
	/* The fake puts the requested audience into aud: the claims check
	 * passes only if pyverify asked for "sigstore". */
	cr_assert_eq(pyverify_oidc_token_claims(&c, tok, 0, &e), 0, "%s",
	             e.msg);
	cr_assert_str_eq(c.identity, FSS_GHA_IDENTITY);
	cr_assert_str_eq(c.issuer, FSS_GHA_ISSUER);
	pyverify_oidc_token_free(tok);
}

Test(oidc_flow, github_actions_wrong_bearer, .init = start, .fini = stop)
{
	char *tok = NULL;
	pyverify_oidc_options o;
	pyverify_error e;

	setenv("ACTIONS_ID_TOKEN_REQUEST_URL", fss_gha_url(S), 1);
	setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "not-the-runner-secret", 1);
	memset(&o, 0, sizeof(o));
	o.no_interactive = 1;
	cr_assert_eq(pyverify_oidc_token_get(&tok, NULL, &o, &e),
	             PYVERIFY_EREJECT);
	cr_assert_eq(e.step, PYVERIFY_STEP_OIDC);
	cr_assert_not_null(strstr(e.msg, "GitHub Actions"), "%s", e.msg);
	cr_assert_not_null(strstr(e.msg, "HTTP 401"), "%s", e.msg);
	/* The bearer secret is never echoed. */
	cr_assert_null(strstr(e.msg, "not-the-runner-secret"), "%s", e.msg);
	cr_assert_null(tok);
}

/* ---- the interactive sign-in --------------------------------------------- */

Test(oidc_flow, pkce_browser_flow, .init = start, .fini = stop)
{
	struct browser b = { .mode = B_FOLLOW };
	pyverify_oidc_options o = interactive_opts();
	pyverify_oidc_source src;
	pyverify_error e;
	char *tok = NULL;

	o.show_url = show_url;
	o.ctx = &b;
	cr_assert_eq(pyverify_oidc_token_get(&tok, &src, &o, &e), 0, "%s",
	             e.msg);
	browser_done(&b);
	cr_assert_eq(src, PYVERIFY_OIDC_SOURCE_BROWSER);
	expect_identity(tok, "dev@example.org", fss_oidc_issuer(S));
	cr_assert_eq(b.result, 0, "the listener's page answered");
	pyverify_oidc_token_free(tok);
	cr_assert_eq(fss_count(S, FSS_PATH_OIDC_DISCOVERY), 1);
	cr_assert_eq(fss_count(S, FSS_PATH_OIDC_TOKEN), 1);
}

Test(oidc_flow, pkce_parameters, .init = start, .fini = stop)
{
	struct browser b = { .mode = B_FOLLOW };
	pyverify_oidc_options o = interactive_opts();
	pyverify_error e;
	char *tok = NULL, *v;

	o.show_url = show_url;
	o.ctx = &b;
	o.client_id = "sigstore";
	cr_assert_eq(pyverify_oidc_token_get(&tok, NULL, &o, &e), 0, "%s",
	             e.msg);
	v = param(b.seen, "code_challenge_method");
	cr_assert_str_eq(v, "S256");
	free(v);
	v = param(b.seen, "scope");
	cr_assert_str_eq(v, "openid email");
	free(v);
	v = param(b.seen, "redirect_uri");
	cr_assert_eq(strncmp(v, "http://localhost:", 17), 0, "%s", v);
	cr_assert_not_null(strstr(v, "/auth/callback"), "%s", v);
	free(v);
	v = param(b.seen, "code_challenge");
	cr_assert_eq(strlen(v), 43, "base64url of a SHA-256: %s", v);
	free(v);
	v = param(b.seen, "state");
	cr_assert_geq(strlen(v), 16);
	free(v);
	browser_done(&b);
	pyverify_oidc_token_free(tok);
}

Test(oidc_flow, state_mismatch_refused, .init = start, .fini = stop)
{
	struct browser b = { .mode = B_WRONG_STATE };
	pyverify_oidc_options o = interactive_opts();
	pyverify_error e;
	char *tok = NULL;

	o.show_url = show_url;
	o.ctx = &b;
	cr_assert_eq(pyverify_oidc_token_get(&tok, NULL, &o, &e),
	             PYVERIFY_EREJECT);
	browser_done(&b);
	cr_assert_eq(e.step, PYVERIFY_STEP_OIDC);
	cr_assert_not_null(strstr(e.msg, "state"), "%s", e.msg);
	cr_assert_null(tok);
	cr_assert_eq(fss_count(S, FSS_PATH_OIDC_TOKEN), 0,
	             "a forged code is never exchanged");
}

Test(oidc_flow, token_endpoint_error_shown, .init = start, .fini = stop)
{
	struct browser b = { .mode = B_OTHER_VERIFIER };
	pyverify_oidc_options o = interactive_opts();
	pyverify_error e;
	char *tok = NULL;

	o.show_url = show_url;
	o.ctx = &b;
	cr_assert_eq(pyverify_oidc_token_get(&tok, NULL, &o, &e),
	             PYVERIFY_EREJECT);
	browser_done(&b);
	cr_assert_eq(e.step, PYVERIFY_STEP_OIDC);
	cr_assert_not_null(strstr(e.msg, "OIDC token request"), "%s", e.msg);
	cr_assert_not_null(strstr(e.msg, "HTTP 400"), "%s", e.msg);
	cr_assert_not_null(strstr(e.msg, "invalid_grant"), "%s", e.msg);
	cr_assert_not_null(strstr(e.msg, "code_verifier mismatch"), "%s",
	                   e.msg);
	cr_assert_null(tok);
}

Test(oidc_flow, provider_down, .init = start, .fini = stop)
{
	pyverify_oidc_options o = interactive_opts();
	struct browser b = { .mode = B_NOTHING };
	pyverify_error e;
	char *tok = NULL;

	fss_fault(S, FSS_OIDC_500);
	o.show_url = show_url;
	o.ctx = &b;
	cr_assert_neq(pyverify_oidc_token_get(&tok, NULL, &o, &e), 0);
	browser_done(&b);
	cr_assert_eq(e.step, PYVERIFY_STEP_OIDC);
	cr_assert_not_null(strstr(e.msg, "OIDC discovery"), "%s", e.msg);
	cr_assert_null(b.seen, "no sign-in page without a provider");
	cr_assert_null(tok);
}

Test(oidc_flow, browser_never_returns, .init = start, .fini = stop)
{
	struct browser b = { .mode = B_NOTHING };
	pyverify_oidc_options o = interactive_opts();
	pyverify_error e;
	char *tok = NULL;

	o.show_url = show_url;
	o.ctx = &b;
	o.timeout_ms = 500;
	cr_assert_eq(pyverify_oidc_token_get(&tok, NULL, &o, &e),
	             PYVERIFY_EIO);
	browser_done(&b);
	cr_assert_not_null(strstr(e.msg, "no sign-in arrived"), "%s", e.msg);
	cr_assert_null(tok);
}

/* ---- out of band ------------------------------------------------------------ */

struct oob {
	char *url;
	int fed;
};

static int
oob_show(void *ctx, const char *url)
{
	struct oob *x = ctx;

	x->url = strdup(url);
	return 0;
}

static int
oob_read(void *ctx, char *code, size_t codelen)
{
	struct oob *x = ctx;
	char *c = fss_oob_code(x->url);

	cr_assert_not_null(c, "the provider showed no code");
	/* Pasted with a newline and surrounding blanks. */
	snprintf(code, codelen, "%s \n", c);
	free(c);
	x->fed = 1;
	return 0;
}

Test(oidc_flow, out_of_band_callback, .init = start, .fini = stop)
{
	struct oob x = { 0 };
	pyverify_oidc_options o = interactive_opts();
	pyverify_oidc_source src;
	pyverify_error e;
	char *tok = NULL, *v;

	o.out_of_band = 1;
	o.show_url = oob_show;
	o.read_code = oob_read;
	o.ctx = &x;
	cr_assert_eq(pyverify_oidc_token_get(&tok, &src, &o, &e), 0, "%s",
	             e.msg);
	cr_assert_eq(src, PYVERIFY_OIDC_SOURCE_OUT_OF_BAND);
	cr_assert(x.fed);
	v = param(x.url, "redirect_uri");
	cr_assert_str_eq(v, "urn:ietf:wg:oauth:2.0:oob");
	free(v);
	expect_identity(tok, "dev@example.org", fss_oidc_issuer(S));
	pyverify_oidc_token_free(tok);
	free(x.url);
}

static int
oob_show_and_write(void *ctx, const char *url)
{
	FILE *f = ctx;
	char *c = fss_oob_code(url);

	cr_assert_not_null(c, "the provider showed no code");
	fprintf(f, "%s\n", c);
	rewind(f);
	free(c);
	return 0;
}

Test(oidc_flow, out_of_band_file, .init = start, .fini = stop)
{
	pyverify_oidc_options o = interactive_opts();
	pyverify_error e;
	char *tok = NULL;
	FILE *f = tmpfile();

	cr_assert_not_null(f);
	o.out_of_band = 1;
	o.show_url = oob_show_and_write;
	o.ctx = f;
	o.code_in = f;
	cr_assert_eq(pyverify_oidc_token_get(&tok, NULL, &o, &e), 0, "%s",
	             e.msg);
	expect_identity(tok, "dev@example.org", fss_oidc_issuer(S));
	pyverify_oidc_token_free(tok);

	/* Nothing pasted: a usage error, and no token request. */
	fclose(f);
	f = tmpfile();
	cr_assert_not_null(f);
	fss_clear_log(S);
	o.show_url = oob_show;
	{
		struct oob x = { 0 };
		o.ctx = &x;
		o.code_in = f;
		cr_assert_eq(pyverify_oidc_token_get(&tok, NULL, &o, &e),
		             PYVERIFY_EUSAGE);
		free(x.url);
	}
	cr_assert_not_null(strstr(e.msg, "no verification code"), "%s", e.msg);
	cr_assert_eq(fss_count(S, FSS_PATH_OIDC_TOKEN), 0);
	fclose(f);
}
