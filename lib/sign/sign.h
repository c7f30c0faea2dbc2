/*
 * sign/sign.h - signing internals (SPEC section 5): the signing config and
 * its selection rules, the identity token's claims, the service clients
 * (Fulcio, Rekor v1 and v2, RFC 3161 timestamp authorities), and the
 * bundle they make. The public face is pyverify_signer_* / pyverify_sign_*
 * (signer.c) and pyverify_oidc_* (oidc_*.c).
 *
 * Sits on util/, crypto/, format/, verify/ (to check what it received and
 * what it signed) and net/.
 *
 * Every function that talks to a service fails with the step of that
 * service (PYVERIFY_STEP_OIDC, _FULCIO, _REKOR, _TSA) and a message that
 * names the URL, the HTTP status and the service's own error message when
 * it sent one.
 */
#ifndef PV_SIGN_H
#define PV_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "net/net.h"
#include "util/util.h"

/* ---- sign_net.c: the transport of signing ------------------------------ */

struct pv_sign_net {
	pv_net_opts opts;                     /* libcurl settings */
	const pyverify_transport *transport;  /* replaces libcurl when set */
};
/* One exchange through the transport or pv_net_request. On 0, resp holds
 * the answer whatever its status (free with pv_net_response_free); on
 * failure why says what went wrong, naming the URL. */
PV_MUST_CHECK int pv_sign_http(const struct pv_sign_net *n, const char *method,
                               const char *url, const char *const *headers,
                               const void *body, size_t body_len,
                               size_t max_bytes, int retry_unsafe,
                               pv_net_response *resp, char *why,
                               size_t whylen);
/* "HTTP 400: <message>" from a service's error answer: the JSON "message"
 * (Fulcio, Rekor) or the first line of a text body, neutralised and
 * bounded; writes "HTTP <status>" when there is none. */
void pv_sign_http_error(char *out, size_t outlen, const pv_net_response *r);

/* ---- signing_config.c (SPEC 2.5, 5.2) ----------------------------------- */

enum { PV_SEL_UNDEFINED = 0, PV_SEL_ALL = 1, PV_SEL_ANY = 2, PV_SEL_EXACT = 3 };

struct pv_service {
	char *url;
	uint32_t major;           /* majorApiVersion */
	char *operator_name;      /* "" when absent */
	struct pv_time_range valid;
};
struct pv_service_list {
	struct pv_service *v;
	size_t n;
};
struct pv_signing_config {
	struct pv_service_list ca, oidc, rekor, tsa;
	int rekor_selector, tsa_selector;  /* PV_SEL_*; ALL when absent */
	uint32_t rekor_count, tsa_count;   /* EXACT only */
};
/* Media type application/vnd.dev.sigstore.signingconfig.v0.2+json only;
 * every field checked. 0 or PYVERIFY_EPARSE (message in why). */
PV_MUST_CHECK int pv_signing_config_parse(struct pv_signing_config *out,
                                          const uint8_t *buf, size_t len,
                                          char *why, size_t whylen);
void pv_signing_config_clear(struct pv_signing_config *c);

#define PV_SIGN_MAX_SERVICES 8
/* What signing uses; pointers borrowed from the config. */
struct pv_service_choice {
	const struct pv_service *ca, *oidc;       /* NULL when none is valid */
	const struct pv_service *rekor[PV_SIGN_MAX_SERVICES];
	size_t nrekor;
	const struct pv_service *tsa[PV_SIGN_MAX_SERVICES];
	size_t ntsa;
};
/* SPEC 5.2 at now_ms: supported API versions (Fulcio 1, OIDC 1, TSA 1,
 * Rekor 1 and 2), validFor windows, newest per operator, never mixing
 * Rekor API versions, then the ALL/ANY/EXACT selectors (ANY and EXACT take
 * the first ones, deterministically). Refuses an UNDEFINED selector and
 * EXACT with too few services or count 0. 0 or PYVERIFY_EREJECT. */
PV_MUST_CHECK int pv_signing_config_select(const struct pv_signing_config *c,
                                           int64_t now_ms,
                                           struct pv_service_choice *out,
                                           char *why, size_t whylen);

/* ---- token.c: the identity token's unverified claims (SPEC 5.3) -------- */

struct pv_id_token {
	char *raw;          /* the JWT as given */
	char *iss, *sub;
	char *email;        /* NULL when absent */
	int email_verified;
	/* What Fulcio binds and the proof of possession signs: email when
	 * present (then email_verified must be true), else sub. */
	char *identity;
	/* federated_claims.connector_id (Dex), else NULL. */
	char *federated_issuer;
	/* job_workflow_ref (GitHub Actions) when a string, else NULL. */
	char *job_workflow_ref;
	int64_t iat, nbf, exp;   /* Unix seconds; nbf 0 when absent */
};
/* Decodes the payload (base64url) without verifying the signature
 * (Fulcio does): aud must be or contain "sigstore"; iss, sub, iat, exp
 * present; nbf <= now < exp with 5 s leeway. Step OIDC. */
PV_MUST_CHECK int pv_id_token_parse(struct pv_id_token *out, const char *jwt,
                                    int64_t now, pyverify_error *err);
void pv_id_token_clear(struct pv_id_token *t);
/* The SAN Fulcio writes for a token when it is not the token's own
 * identity: for GitHub Actions, https://github.com/ + job_workflow_ref
 * (malloc'd); NULL for other tokens. */
char *pv_id_token_cert_san(const struct pv_id_token *t);

/* ---- fulcio.c (SPEC 5.5) ------------------------------------------------ */

struct pv_fulcio_cert {
	X509 *leaf;
	uint8_t *leaf_der;
	size_t leaf_der_len;
	STACK_OF(X509) *chain;   /* the rest of the answer, in order */
};
/* POST <base>/api/v2/signingCert with the token as Bearer and a PKCS#10
 * request signed by key (the proof of possession); the embedded-SCT
 * answer form. Step FULCIO. */
PV_MUST_CHECK int pv_fulcio_get_cert(const struct pv_sign_net *n,
                                     const char *base_url,
                                     const struct pv_id_token *tok,
                                     EVP_PKEY *key, struct pv_fulcio_cert *out,
                                     pyverify_error *err);
/* Before use: the chain reaches a Fulcio CA of the trusted root at now_ms,
 * the embedded SCT verifies against its CT logs, the leaf holds key, and
 * its SAN and issuer are the token's identity and issuer
 * (federated_issuer when set). Step FULCIO. */
PV_MUST_CHECK int pv_fulcio_check_cert(const pyverify_trust_root *root,
                                       const struct pv_fulcio_cert *c,
                                       EVP_PKEY *key,
                                       const struct pv_id_token *tok,
                                       int64_t now_ms, pyverify_error *err);
void pv_fulcio_cert_clear(struct pv_fulcio_cert *c);

/* ---- rekor1.c, rekor2.c (SPEC 5.8, 5.9) ------------------------------- */

/* What to log. Exactly one of cert_der and pub. */
struct pv_rekor_input {
	const uint8_t *digest;      /* SHA-256 of the artifact, or of the PAE */
	size_t digest_len;          /* 32 */
	const uint8_t *sig;         /* DER (ECDSA) or raw (Ed25519) */
	size_t sig_len;
	const uint8_t *cert_der;    /* keyless: the leaf */
	size_t cert_len;
	EVP_PKEY *pub;              /* managed key */
	/* DSSE: the envelope as compact JSON text (Rekor v1 "dsse" kind);
	 * NULL for message signatures. Rekor v2 logs DSSE as hashedrekord
	 * 0.0.2 over the PAE digest. */
	const char *envelope_json;
};
/* POST <base>/api/v1/log/entries (hashedrekord 0.0.1 or dsse 0.0.1);
 * 201, or 409 then GET of the existing entry. *tle is the bundle's
 * TransparencyLogEntry in protobuf JSON (SPEC 5.8 table). Step REKOR. */
PV_MUST_CHECK int pv_rekor1_upload(const struct pv_sign_net *n,
                                   const char *base_url,
                                   const struct pv_rekor_input *in,
                                   json_t **tle, pyverify_error *err);
/* POST <base>/api/v2/log/entries (hashedRekordRequestV002); the 201
 * answer is the TransparencyLogEntry. Step REKOR. */
PV_MUST_CHECK int pv_rekor2_upload(const struct pv_sign_net *n,
                                   const char *base_url,
                                   const struct pv_rekor_input *in,
                                   json_t **tle, pyverify_error *err);

/* ---- tsa_client.c (SPEC 5.7) ------------------------------------------- */

/* RFC 3161 request over SHA-256(sig) with a random nonce and certReq;
 * the answer must be granted, carry our nonce and imprint, and verify
 * against the trusted root's timestamp authorities. *der is the
 * TimeStampResp (malloc'd). Step TSA. */
PV_MUST_CHECK int pv_tsa_timestamp(const struct pv_sign_net *n,
                                   const char *url, const uint8_t *sig,
                                   size_t sig_len,
                                   const pyverify_trust_root *root,
                                   uint8_t **der, size_t *der_len,
                                   pyverify_error *err);

/* ---- bundle_out.c (SPEC 5.10) ------------------------------------------ */

struct pv_bundle_parts {
	const uint8_t *cert_der;    /* keyless leaf, or NULL */
	size_t cert_len;
	json_t *tlog_entries;       /* array of TLEs (borrowed) */
	const uint8_t *const *timestamps; /* DER TimeStampResps */
	const size_t *timestamp_lens;
	size_t ntimestamps;
	/* Exactly one content: */
	const uint8_t *digest;      /* message signature: SHA-256 digest */
	const uint8_t *sig;
	size_t sig_len;
	const char *payload_type;   /* DSSE */
	const uint8_t *payload;
	size_t payload_len;
};
/* A v0.3 bundle (application/vnd.dev.sigstore.bundle.v0.3+json) as
 * compact JSON text, malloc'd; NULL on ENOMEM. */
char *pv_bundle_assemble(const struct pv_bundle_parts *p);

#endif /* PV_SIGN_H */
