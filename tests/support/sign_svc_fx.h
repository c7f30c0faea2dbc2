/*
 * sign_svc_fx.h - the fixture of the service-client tests
 * (test_sign_services.c, test_sign_services_logs.c): the loopback fakes
 * (fake_sigstore.h), the trusted root they match, an identity token, an
 * ephemeral P-256 key and its signature over ssfx_artifact, and a net
 * configuration with short timeouts so every test is bounded in time.
 * Functions fail the running Criterion test on setup errors.
 */
#ifndef SIGN_SVC_FX_H
#define SIGN_SVC_FX_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "fake_sigstore.h"
#include "sign/sign.h"
#include "verify/steps.h"

extern const char ssfx_artifact[];

struct ssfx {
	struct fss *s;
	pyverify_trust_root *root;
	struct pv_sign_net net;  /* 2 retries, 8 s per attempt, 512 B/s */
	EVP_PKEY *key;
	char *jwt;
	struct pv_id_token tok;  /* the fakes' default: dev@example.org */
	uint8_t digest[32];      /* SHA-256 of ssfx_artifact */
	uint8_t sig[256];        /* ECDSA over digest */
	size_t sig_len;
};

int64_t ssfx_now_ms(void);
void ssfx_init(struct ssfx *f);
void ssfx_fini(struct ssfx *f);
/* A failure at `step` whose message holds a and b (b may be NULL). */
void ssfx_refused(int rc, const pyverify_error *err, pyverify_step step,
                  const char *a, const char *b);
/* A certificate from the fake Fulcio (must succeed). */
void ssfx_get_cert(struct ssfx *f, struct pv_fulcio_cert *c);
/* ssfx_get_cert, then pv_fulcio_check_cert's verdict. */
int ssfx_check_cert(struct ssfx *f, pyverify_error *err);
/* The bundle of c, tle and the timestamp (ts NULL: none) over the
 * artifact's message signature verifies for the token's identity. */
void ssfx_verifies(struct ssfx *f, const struct pv_fulcio_cert *c,
                   json_t *tle, const uint8_t *ts, size_t ts_len);
/* What to log: the artifact digest and signature with c's leaf. */
void ssfx_rekor_input(struct ssfx *f, const struct pv_fulcio_cert *c,
                      struct pv_rekor_input *in);

#endif
