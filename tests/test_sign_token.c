/* test_sign_token.c - the identity token's claims as the signer reads them
 * before sending the token anywhere (SPEC 5.3). */
#define _GNU_SOURCE /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "sign/sign.h"

TestSuite(sign_token, .timeout = 30);

#define NOW 1735689600LL /* 2025-01-01T00:00:00Z */

/* base64url without padding of s. */
static char *
b64url(const char *s)
{
	char *b = pv_b64_encode((const uint8_t *)s, strlen(s));
	cr_assert_not_null(b);
	size_t o = 0;
	for (size_t i = 0; b[i] != '\0'; i++) {
		if (b[i] == '=')
			break;
		b[o++] = b[i] == '+' ? '-' : b[i] == '/' ? '_' : b[i];
	}
	b[o] = '\0';
	return b;
}

static char *
jwt(const char *claims)
{
	char *h = b64url("{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
	char *p = b64url(claims);
	char *out = NULL;
	cr_assert(asprintf(&out, "%s.%s.c2lnbmF0dXJl", h, p) > 0);
	free(h);
	free(p);
	return out;
}

static int
parse_claims(struct pv_id_token *t, const char *claims, pyverify_error *e)
{
	char *tok = jwt(claims);
	memset(t, 0, sizeof(*t));
	pv_error_clear(e);
	int rc = pv_id_token_parse(t, tok, NOW, e);
	free(tok);
	return rc;
}

static void
refused(const char *claims, int code, const char *needle)
{
	struct pv_id_token t;
	pyverify_error e;
	int rc = parse_claims(&t, claims, &e);
	cr_assert_eq(rc, code, "rc %d for %s (%s)", rc, claims, e.msg);
	cr_assert_eq(e.step, PYVERIFY_STEP_OIDC);
	cr_assert(strstr(e.msg, needle) != NULL, "\"%s\" lacks \"%s\"", e.msg,
	          needle);
}

Test(sign_token, email_token_names_the_email)
{
	struct pv_id_token t;
	pyverify_error e;
	cr_assert_eq(parse_claims(&t,
	                          "{\"iss\":\"https://oauth2.sigstore.dev/auth\","
	                          "\"sub\":\"CgY0MjQyNDISBmdpdGh1Yg\","
	                          "\"aud\":\"sigstore\",\"iat\":1735689500,"
	                          "\"nbf\":1735689500,\"exp\":1735689800,"
	                          "\"email\":\"rm@python.org\","
	                          "\"email_verified\":true,"
	                          "\"federated_claims\":{\"connector_id\":"
	                          "\"https://github.com/login/oauth\","
	                          "\"user_id\":\"42\"}}",
	                          &e),
	             0, "%s", e.msg);
	cr_assert_str_eq(t.identity, "rm@python.org");
	cr_assert_str_eq(t.email, "rm@python.org");
	cr_assert_str_eq(t.iss, "https://oauth2.sigstore.dev/auth");
	cr_assert_str_eq(t.federated_issuer, "https://github.com/login/oauth");
	cr_assert_eq(t.exp, 1735689800);
	cr_assert_eq(t.nbf, 1735689500);
	cr_assert(strchr(t.raw, '.') != NULL);
	pv_id_token_clear(&t);
	cr_assert_null(t.raw);
}

Test(sign_token, ci_token_names_the_subject)
{
	struct pv_id_token t;
	pyverify_error e;
	cr_assert_eq(parse_claims(&t,
	                          "{\"iss\":\"https://token.actions."
	                          "githubusercontent.com\",\"sub\":\"repo:python/"
	                          "cpython:ref:refs/heads/main\",\"aud\":"
	                          "[\"other\",\"sigstore\"],\"iat\":1735689500.5,"
	                          "\"exp\":1735689800,\"job_workflow_ref\":\"x\"}",
	                          &e),
	             0, "%s", e.msg);
	cr_assert_str_eq(t.identity, "repo:python/cpython:ref:refs/heads/main");
	cr_assert_null(t.email);
	cr_assert_null(t.federated_issuer);
	cr_assert_eq(t.iat, 1735689500);
	cr_assert_eq(t.nbf, 0);
	pv_id_token_clear(&t);
}

Test(sign_token, expired_token_is_refused)
{
	refused("{\"iss\":\"https://i\",\"sub\":\"s\",\"aud\":\"sigstore\","
	        "\"iat\":1735600000,\"exp\":1735689000}",
	        PYVERIFY_EREJECT, "expired at 2024-12-31T23:50:00Z");
}

Test(sign_token, expiry_has_five_seconds_of_leeway)
{
	struct pv_id_token t;
	pyverify_error e;
	cr_assert_eq(parse_claims(&t,
	                          "{\"iss\":\"https://i\",\"sub\":\"s\",\"aud\":"
	                          "\"sigstore\",\"iat\":1735689000,\"exp\":"
	                          "1735689602}",
	                          &e),
	             0, "%s", e.msg);
	pv_id_token_clear(&t);
	refused("{\"iss\":\"https://i\",\"sub\":\"s\",\"aud\":\"sigstore\","
	        "\"iat\":1735689000,\"exp\":1735689595}",
	        PYVERIFY_EREJECT, "expired");
}

Test(sign_token, not_yet_valid_token_is_refused)
{
	refused("{\"iss\":\"https://i\",\"sub\":\"s\",\"aud\":\"sigstore\","
	        "\"iat\":1735689600,\"nbf\":1735689700,\"exp\":1735690000}",
	        PYVERIFY_EREJECT, "not valid before");
}

Test(sign_token, wrong_audience_is_refused)
{
	refused("{\"iss\":\"https://i\",\"sub\":\"s\",\"aud\":\"other\","
	        "\"iat\":1735689500,\"exp\":1735689800}",
	        PYVERIFY_EREJECT, "audience");
	refused("{\"iss\":\"https://i\",\"sub\":\"s\",\"aud\":[\"a\",\"b\"],"
	        "\"iat\":1735689500,\"exp\":1735689800}",
	        PYVERIFY_EREJECT, "audience");
	refused("{\"iss\":\"https://i\",\"sub\":\"s\",\"aud\":7,"
	        "\"iat\":1735689500,\"exp\":1735689800}",
	        PYVERIFY_EPARSE, "aud");
}

Test(sign_token, missing_claims_are_refused)
{
	refused("{\"sub\":\"s\",\"aud\":\"sigstore\",\"iat\":1735689500,"
	        "\"exp\":1735689800}",
	        PYVERIFY_EPARSE, "\"iss\" is missing");
	refused("{\"iss\":\"https://i\",\"aud\":\"sigstore\",\"iat\":1735689500,"
	        "\"exp\":1735689800}",
	        PYVERIFY_EPARSE, "\"sub\" is missing");
	refused("{\"iss\":\"https://i\",\"sub\":\"s\",\"aud\":\"sigstore\","
	        "\"exp\":1735689800}",
	        PYVERIFY_EPARSE, "\"iat\" is missing");
	refused("{\"iss\":\"https://i\",\"sub\":\"s\",\"aud\":\"sigstore\","
	        "\"iat\":1735689500}",
	        PYVERIFY_EPARSE, "\"exp\" is missing");
	refused("{\"iss\":\"https://i\",\"sub\":\"s\",\"iat\":1735689500,"
	        "\"exp\":1735689800}",
	        PYVERIFY_EPARSE, "\"aud\" is missing");
	refused("{\"iss\":\"https://i\",\"sub\":\"s\",\"aud\":\"sigstore\","
	        "\"iat\":1735689500,\"exp\":\"soon\"}",
	        PYVERIFY_EPARSE, "\"exp\" is not a time");
	refused("{\"iss\":5,\"sub\":\"s\",\"aud\":\"sigstore\","
	        "\"iat\":1735689500,\"exp\":1735689800}",
	        PYVERIFY_EPARSE, "\"iss\" is not");
}

Test(sign_token, unverified_email_is_refused)
{
	refused("{\"iss\":\"https://i\",\"sub\":\"s\",\"aud\":\"sigstore\","
	        "\"iat\":1735689500,\"exp\":1735689800,\"email\":\"a@b.c\","
	        "\"email_verified\":false}",
	        PYVERIFY_EREJECT, "email_verified");
	refused("{\"iss\":\"https://i\",\"sub\":\"s\",\"aud\":\"sigstore\","
	        "\"iat\":1735689500,\"exp\":1735689800,\"email\":\"a@b.c\"}",
	        PYVERIFY_EREJECT, "email_verified");
	refused("{\"iss\":\"https://i\",\"sub\":\"s\",\"aud\":\"sigstore\","
	        "\"iat\":1735689500,\"exp\":1735689800,\"email\":\"a@b.c\","
	        "\"email_verified\":\"true\"}",
	        PYVERIFY_EPARSE, "email_verified");
}

static void
garbage(const char *tok, const char *needle)
{
	struct pv_id_token t;
	pyverify_error e;
	memset(&t, 0, sizeof(t));
	int rc = pv_id_token_parse(&t, tok, NOW, &e);
	cr_assert_eq(rc, PYVERIFY_EPARSE, "accepted %s", tok);
	cr_assert_eq(e.step, PYVERIFY_STEP_OIDC);
	cr_assert(strstr(e.msg, needle) != NULL, "\"%s\" lacks \"%s\"", e.msg,
	          needle);
	/* The token itself never appears in a message. */
	if (strlen(tok) > 8)
		cr_assert(strstr(e.msg, tok) == NULL);
}

Test(sign_token, garbage_is_refused)
{
	garbage("", "empty");
	garbage("not-a-jwt", "not a JWT");
	garbage("a.b", "not a JWT");
	garbage("a.b.c.d", "not a JWT");
	garbage("..", "not a JWT");
	garbage("eyJhbGciOiJIUzI1NiJ9..sig", "not a JWT");
	garbage("eyJhbGciOiJIUzI1NiJ9.e30=.sig", "base64url");
	garbage("eyJhbGciOiJIUzI1NiJ9.e30+.sig", "base64url");
	garbage("eyJhbGciOiJIUzI1NiJ9.a.sig", "base64url");
	garbage("eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.sig", "JSON object");
	garbage("eyJhbGciOiJIUzI1NiJ9.WzFd.sig", "JSON object"); /* [1] */
	garbage("eyJhbGciOiJIUzI1NiJ9.e30 .sig", "base64url");
	char *huge = malloc(70000);
	cr_assert_not_null(huge);
	memset(huge, 'a', 69999);
	huge[69999] = '\0';
	huge[10] = '.';
	huge[20] = '.';
	garbage(huge, "64 KiB");
	free(huge);
}

Test(sign_token, null_is_a_usage_error)
{
	struct pv_id_token t;
	pyverify_error e;
	cr_assert_eq(pv_id_token_parse(&t, NULL, NOW, &e), PYVERIFY_EUSAGE);
}
