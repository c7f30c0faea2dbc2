/*
 * fss_impl.h - what the files of the fake Sigstore services share (see
 * fake_sigstore.h). Tests include fake_sigstore.h, never this.
 */
#ifndef FSS_IMPL_H
#define FSS_IMPL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "fake_sigstore.h"

/* One request as a fake service sees it. */
struct fss_req {
	const char *method;
	const char *path;           /* without the query */
	const char *query;          /* after '?', "" when none */
	const char *authorization;  /* the header, NULL when absent */
	const char *content_type;   /* NULL when absent */
	const uint8_t *body;
	size_t len;
};

/* Its answer: the server frees body and location. */
struct fss_resp {
	unsigned status;
	uint8_t *body;
	size_t len;
	char ctype[128];
	char *location;
};

/* An append-only RFC 6962 Merkle log of leaf hashes. */
struct fss_mlog {
	uint8_t (*leaf)[32];
	uint64_t n, cap;
};

struct fss_entry1 {          /* one Rekor v1 entry */
	char *body;               /* canonical JSON */
	char uuid[65];            /* hex leaf hash */
	uint64_t index;
	int64_t itime;
};

struct fss_code {            /* one authorization code (PKCE) */
	char *code, *challenge, *redirect_uri;
	int used;
};

/* A copy of struct fss_token_opts that owns its strings. */
struct fss_topts {
	struct fss_token_opts o;
	int set;
};

#define FSS_MAX_FAULTS 32

struct fss_fault_on {
	int fault;
	char prefix[64];          /* "" = every path */
};

struct fss {
	void *daemon;             /* struct MHD_Daemon */
	/* Guards everything below: handlers run one at a time. */
	pthread_mutex_t mu;
	char base[64], fulcio[96], rekor1[96], rekor2[96], tsa_url[128];
	char issuer[96], gha[128], gha_bearer[40];
	struct vs *vs;
	struct vs *other_vs;      /* the CA of FSS_FULCIO_UNTRUSTED_CHAIN */
	struct vtsa *tsa;
	struct vtsa *other_tsa;   /* FSS_TSA_UNTRUSTED */
	struct fss_fault_on faults[FSS_MAX_FAULTS];
	size_t nfaults;
	unsigned trickle_ms;
	char **log;
	size_t nlog, caplog;
	struct fss_mlog log1, log2;
	struct fss_entry1 *e1;
	size_t ne1, cape1;
	struct fss_code *codes;
	size_t ncodes, capcodes;
	struct fss_topts oidc_tok, gha_tok;
	X509 *last_cert;
};

/* fss_server.c: does fault f apply to path? Caller holds mu. */
int fssi_has(const struct fss *s, int f, const char *path);
/* A JSON answer (takes j); a Fulcio/Rekor style error. */
void fssi_json(struct fss_resp *r, unsigned status, json_t *j);
void fssi_error(struct fss_resp *r, unsigned status, int code,
                const char *message);
/* The value of name in an x-www-form-urlencoded string (query or form),
 * percent-decoded, malloc'd; NULL when absent. */
char *fssi_param(const char *form, const char *name);
char *fssi_b64url(const void *in, size_t len);
/* Standard or URL-safe base64, padding optional; malloc'd. */
uint8_t *fssi_unb64(const char *in, size_t *outlen);

/* fss_log.c */
int fssi_mlog_append(struct fss_mlog *l, const void *body, size_t len,
                     uint64_t *index);
void fssi_mlog_root(const struct fss_mlog *l, uint64_t size,
                    uint8_t out[32]);
/* PATH(index, D[0:size]), leaf to root; returns the count (<= 64). */
size_t fssi_mlog_proof(const struct fss_mlog *l, uint64_t index,
                       uint64_t size, uint8_t (*out)[32]);
void fssi_mlog_clear(struct fss_mlog *l);

/* fss_rekor1.c: other clients' entries in an empty log; a signed note
 * whose last signature has one bit flipped. */
void fssi_seed_log(struct fss_mlog *l, const char *name);
void fssi_corrupt_note(char **note);

/* fss_token.c: the claims of a token (NULL when not a JWT). */
json_t *fssi_token_claims(const char *jwt);
char *fssi_token_make(struct fss *s, const struct fss_token_opts *o);
void fssi_topts_set(struct fss_topts *dst, const struct fss_token_opts *o);
void fssi_topts_clear(struct fss_topts *t);

/* The services; each fills r. Caller holds mu. */
void fssi_fulcio(struct fss *s, const struct fss_req *q, struct fss_resp *r);
void fssi_rekor1_post(struct fss *s, const struct fss_req *q,
                      struct fss_resp *r);
void fssi_rekor1_get(struct fss *s, const struct fss_req *q,
                     struct fss_resp *r);
void fssi_rekor2_post(struct fss *s, const struct fss_req *q,
                      struct fss_resp *r);
void fssi_tsa(struct fss *s, const struct fss_req *q, struct fss_resp *r);
void fssi_oidc_discovery(struct fss *s, const struct fss_req *q,
                         struct fss_resp *r);
void fssi_oidc_auth(struct fss *s, const struct fss_req *q,
                    struct fss_resp *r);
void fssi_oidc_token(struct fss *s, const struct fss_req *q,
                     struct fss_resp *r);
void fssi_gha(struct fss *s, const struct fss_req *q, struct fss_resp *r);

/* Verifies sig over a prehashed SHA-256 digest with the key of a PEM
 * certificate or public key (ECDSA; other key types are not checked).
 * 0 when it verifies; the parsed key in *key (caller frees) if key. */
int fssi_verify_prehashed(const char *pem, size_t pem_len,
                          const uint8_t *digest, size_t dlen,
                          const uint8_t *sig, size_t siglen, EVP_PKEY **key);

#endif
