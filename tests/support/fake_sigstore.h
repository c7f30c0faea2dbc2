/*
 * fake_sigstore.h - loopback fakes of the Sigstore services a signer talks
 * to, for the signing tests: an OIDC provider (discovery, authorization
 * code with PKCE, token endpoint), the GitHub Actions ID-token endpoint,
 * Fulcio v2, Rekor v1, Rekor v2 and an RFC 3161 timestamp authority. All
 * of them are paths of one libmicrohttpd server on 127.0.0.1 (its own
 * thread), backed by one virtual Sigstore (vsigstore.h) and one vtsa, so
 * what they issue verifies against fss_trust_root_json(). Each service can
 * misbehave on purpose (fss_fault).
 *
 * Times are the real clock: certificates, tokens, log entries and
 * timestamps are issued "now" (the vs CA and TSA are valid until 2033).
 *
 * Files: fss_server.c (the HTTP server, routing, request log,
 * misbehaviour), fss_token.c (JWTs), fss_oidc.c (OIDC, GitHub Actions),
 * fss_fulcio.c, fss_log.c (the in-memory RFC 6962 log), fss_rekor1.c,
 * fss_rekor2.c, fss_tsa.c, fss_config.c (trusted root, signing config),
 * fss_util.c (JSON answers, form parameters, base64, signature checks).
 * fss_impl.h is shared among them. Test-only: never linked into the
 * library. Functions fail the running Criterion test on setup errors.
 */
#ifndef FAKE_SIGSTORE_H
#define FAKE_SIGSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "vsigstore.h"

struct fss;

struct fss *fss_start(void);
void fss_stop(struct fss *s); /* accepts NULL */

/* "http://127.0.0.1:PORT" (no trailing slash). */
const char *fss_base_url(const struct fss *s);
/* Base URLs, as a signing config lists them. */
const char *fss_fulcio_url(const struct fss *s);  /* <base>/fulcio */
const char *fss_rekor1_url(const struct fss *s);  /* <base>/rekor1 */
const char *fss_rekor2_url(const struct fss *s);  /* <base>/rekor2 */
/* The full timestamp endpoint: <base>/tsa/api/v1/timestamp */
const char *fss_tsa_url(const struct fss *s);
/* The OIDC issuer <base>/oidc: <issuer>/.well-known/openid-configuration,
 * <issuer>/auth (authorization), <issuer>/token. Tokens the fakes issue
 * carry this as iss unless told otherwise. */
const char *fss_oidc_issuer(const struct fss *s);
/* ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN: <base>/gha/token?api-version=2.0
 * (the client appends "&audience=sigstore") and its bearer secret. */
const char *fss_gha_url(const struct fss *s);
const char *fss_gha_bearer(const struct fss *s);

/* Paths (below the base URL) as fss_count() sees them. */
#define FSS_PATH_FULCIO "/fulcio/api/v2/signingCert"
#define FSS_PATH_REKOR1 "/rekor1/api/v1/log/entries"  /* + "/<uuid>" GETs */
#define FSS_PATH_REKOR2 "/rekor2/api/v2/log/entries"
#define FSS_PATH_TSA "/tsa/api/v1/timestamp"
#define FSS_PATH_OIDC_DISCOVERY "/oidc/.well-known/openid-configuration"
#define FSS_PATH_OIDC_AUTH "/oidc/auth"
#define FSS_PATH_OIDC_TOKEN "/oidc/token"
#define FSS_PATH_GHA "/gha/token"

/* The virtual Sigstore and TSA behind the fakes (borrowed). */
struct vs *fss_vs(struct fss *s);
struct vtsa *fss_vtsa(struct fss *s);

/* The trusted root: the vs root (Fulcio CA, CT log, Rekor v1 and v2 keys)
 * plus the TSA. Compact JSON, malloc'd. */
char *fss_trust_root_json(struct fss *s);
/* A signing_config.v0.2.json naming these services (validFor from a year
 * ago, open-ended; operator "fss.test"): Fulcio, OIDC, one Rekor of
 * rekor_version (1 or 2; selector ANY) and, with with_tsa, the TSA
 * (selector ANY; tsaUrls empty otherwise). Compact JSON, malloc'd. */
char *fss_signing_config(struct fss *s, int rekor_version, int with_tsa);

/* ---- identity tokens ------------------------------------------------------ */

struct fss_token_opts {
	const char *iss;      /* NULL: fss_oidc_issuer(s) */
	const char *sub;      /* NULL: "dev@example.org" */
	const char *aud;      /* NULL: "sigstore" */
	const char *email;    /* NULL: "dev@example.org"; "": no email claim */
	int email_unverified; /* email_verified false */
	int64_t iat;          /* 0: now */
	int64_t nbf;          /* 0: now; -1: no nbf claim */
	int64_t exp;          /* 0: now + 600 */
	/* federated_claims.connector_id (Dex); NULL: none. Fulcio then puts
	 * it, not iss, into the issuer extension. */
	const char *connector_id;
	/* Extra claims, a JSON object text merged in ("{...}"); NULL: none. */
	const char *extra_json;
};

/* A JWT-shaped token "b64url(header).b64url(claims).b64url(sig)" (the
 * signature is a dummy: signers do not verify it, the fake Fulcio does not
 * either). opts may be NULL. malloc'd. */
char *fss_token(struct fss *s, const struct fss_token_opts *opts);

/* What the token endpoints hand out (both as access_token and id_token)
 * after a completed PKCE flow; NULL restores the defaults above. Copied. */
void fss_set_oidc_token(struct fss *s, const struct fss_token_opts *opts);
/* What the GitHub Actions endpoint hands out; NULL restores the default:
 * iss "https://token.actions.githubusercontent.com", no email, sub
 * FSS_GHA_SUB and job_workflow_ref "python/cpython/.github/workflows/
 * release.yml@refs/heads/main", so that, as real Fulcio does, the fake
 * Fulcio binds FSS_GHA_IDENTITY (https://github.com/ + the ref). */
#define FSS_GHA_ISSUER "https://token.actions.githubusercontent.com"
#define FSS_GHA_IDENTITY \
	"https://github.com/python/cpython/.github/workflows/release.yml" \
	"@refs/heads/main"
/* The token's sub, as GitHub writes it: not what Fulcio binds. */
#define FSS_GHA_SUB "repo:python/cpython:ref:refs/heads/main"
void fss_set_gha_token(struct fss *s, const struct fss_token_opts *opts);

/*
 * The OIDC fake:
 *  GET <issuer>/.well-known/openid-configuration: issuer,
 *    authorization_endpoint, token_endpoint, response_types_supported,
 *    code_challenge_methods_supported ["S256"].
 *  GET <issuer>/auth?response_type=code&client_id=..&redirect_uri=..
 *    &scope=openid+email&state=..&nonce=..&code_challenge=..
 *    &code_challenge_method=S256: 302 to redirect_uri?code=..&state=..
 *    (400 when a parameter is missing or the method is not S256). The
 *    test plays the browser: it GETs the Location it finds.
 *  POST <issuer>/token (application/x-www-form-urlencoded:
 *    grant_type=authorization_code, code, redirect_uri, code_verifier,
 *    client_id; or HTTP basic "sigstore:"): checks the code (one use),
 *    the redirect_uri and BASE64URL(SHA256(code_verifier)) against the
 *    challenge; {"access_token","id_token","token_type":"Bearer",
 *    "expires_in"}; else 400 {"error":"invalid_grant", ...}.
 *  GET <base>/gha/token?...&audience=sigstore with "Authorization: Bearer
 *    <fss_gha_bearer>": {"count":1,"value":<jwt>} (aud = the audience);
 *    401 for another bearer.
 * fss_authorize_url builds the authorization URL a client would open
 * (with the given redirect_uri, state and S256 challenge of verifier):
 * malloc'd. fss_browse follows it like a browser: GETs it and then GETs
 * the redirect (e.g. the client's loopback listener); 0 when the final
 * GET answered 2xx. */
char *fss_authorize_url(struct fss *s, const char *redirect_uri,
                        const char *state, const char *code_verifier);
int fss_browse(const char *url);
/* The user of an out-of-band sign-in: GETs the authorization URL and
 * returns the code the provider shows (its redirect to
 * urn:ietf:wg:oauth:2.0:oob, decoded; malloc'd), NULL when it shows
 * none. */
char *fss_oob_code(const char *url);

/* ---- misbehaviour ---------------------------------------------------------- */

enum fss_fault {
	FSS_NONE = 0,               /* clears every fault */
	FSS_FULCIO_500,             /* 500 {"code":13,"message":...} */
	FSS_FULCIO_400,             /* 400 {"code":3,"message":
	                               "fss: the certificate request was
	                               refused"} */
	FSS_FULCIO_UNTRUSTED_CHAIN, /* leaf + chain of another CA */
	FSS_FULCIO_BAD_SCT,         /* embedded SCT with a bad signature */
	FSS_FULCIO_NO_SCT,          /* no SCT extension */
	FSS_FULCIO_OTHER_KEY,       /* certificate for another public key */
	FSS_FULCIO_OTHER_IDENTITY,  /* SAN "mallory@example.org" */
	FSS_FULCIO_OTHER_ISSUER,    /* issuer extension "https://evil.test" */
	FSS_REKOR_OTHER_BODY,       /* v1 and v2: the entry logs another
	                               digest (consistent SET/proof/checkpoint) */
	FSS_REKOR_BAD_SET,          /* v1: SET signature corrupted */
	FSS_REKOR_BAD_PROOF,        /* v1 and v2: a proof hash flipped */
	FSS_REKOR_BAD_CHECKPOINT,   /* v1 and v2: checkpoint signature
	                               corrupted */
	FSS_REKOR_500,              /* v1 and v2: 500 {"code":500,"message"} */
	FSS_REKOR_409,              /* v1: every POST answers 409 + Location
	                               (as if the entry existed); the GET
	                               then logs it */
	FSS_TSA_WRONG_NONCE,
	FSS_TSA_WRONG_IMPRINT,      /* imprint of other bytes */
	FSS_TSA_UNTRUSTED,          /* signed by a TSA not in the root */
	FSS_TSA_REJECTED,           /* PKIStatus rejection, no token */
	FSS_TSA_500,
	FSS_OIDC_500,               /* discovery, auth, token and GHA: 500 */
	FSS_SLOW,                   /* answers trickle (fss_set_trickle_ms) */
	FSS_ENDLESS                 /* answers never end (no length) */
};
/* Faults add up until FSS_NONE; a fault about one service leaves the
 * others alone. FSS_SLOW, FSS_ENDLESS and the *_500 faults apply to every
 * service, or with fss_fault_on only to the paths starting with prefix
 * (e.g. "/rekor1"; NULL: all). */
void fss_fault(struct fss *s, enum fss_fault f);
void fss_fault_on(struct fss *s, enum fss_fault f, const char *prefix);
/* Trickle of FSS_SLOW: one byte every ms milliseconds (default 300). */
void fss_set_trickle_ms(struct fss *s, unsigned ms);

/* ---- what was called ---------------------------------------------------- */

/* Requests whose path (query excluded) starts with prefix: "/fulcio",
 * FSS_PATH_REKOR1, "/" for all. */
size_t fss_count(struct fss *s, const char *prefix);
/* Every request, one "METHOD /path" per line (malloc'd). */
char *fss_log(struct fss *s);
void fss_clear_log(struct fss *s);

/* The last certificate the fake Fulcio issued (borrowed; NULL before). */
X509 *fss_last_cert(struct fss *s);

#endif
