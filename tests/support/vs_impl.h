/*
 * vs_impl.h - what the files of the virtual Sigstore share among themselves
 * (the instance, the logs' names, the helpers of vs_util.c and the pieces
 * one log file lends another). Tests include vsigstore.h, never this.
 */
#ifndef VS_IMPL_H
#define VS_IMPL_H

#include "vsigstore.h"

#include <sodium.h>

#define VS_YEAR ((int64_t)365 * 24 * 3600)
#define VS_REKOR_ORIGIN "rekor.test - 1234567890"
#define VS_REKOR_NAME "rekor.test"
#define VS_REKOR2_ORIGIN "rekor-v2.test"
/* Subtrees of the virtual log that do not contain our entry and have more
 * leaves than this get a pseudo-random node hash instead of being computed
 * leaf by leaf, so tests may use realistic tree sizes (tens of millions). A
 * verifier cannot tell the difference. */
#define VS_REAL_SUBTREE_MAX 4096
/* RFC 6962 audit paths of a 64-bit tree have at most 64 elements. */
#define VS_MAX_PROOF 64

struct vs {
	EVP_PKEY *root_key, *inter_key, *ct_key, *ct_unknown_key, *rekor_key;
	X509 *root, *inter;
	uint8_t r2_pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t r2_sk[crypto_sign_SECRETKEYBYTES];
	uint8_t rekor_log_id[32], ct_log_id[32], ct_unknown_log_id[32];
	uint8_t r2_log_id[32];
};

/* A growable string; any failure sticks in `bad`. */
struct sb {
	char *p;
	size_t n, cap;
	int bad;
};

/* vs_util.c */
char *vsi_b64(const void *in, size_t len);
void vsi_digest_bits(uint8_t *out, int bits, const void *data, size_t len);
int vsi_ec_sign(EVP_PKEY *k, const void *msg, size_t len,
                unsigned char **sig, size_t *siglen);
int vsi_ec_sign_md(EVP_PKEY *k, const EVP_MD *md, const void *msg,
                   size_t len, unsigned char **sig, size_t *siglen);
void vsi_hex(char *out, const uint8_t *in, size_t len);
json_t *vsi_jb64(const void *d, size_t len);
json_t *vsi_jcert(X509 *x);
json_t *vsi_ji64(int64_t v);
int vsi_jset(json_t *o, const char *k, json_t *v);
json_t *vsi_ju64(uint64_t v);
const char *vsi_key_details_of(EVP_PKEY *key);
int vsi_key_hash_bits(EVP_PKEY *key);
/* SHA-256 of the DER SubjectPublicKeyInfo (the log ID of SPEC 2.1). */
int vsi_key_id(EVP_PKEY *k, uint8_t out[32]);
const EVP_MD *vsi_md_of_bits(int bits);
int vsi_rfc3339(char out[32], int64_t t);
void vsi_sb_i64(struct sb *b, int64_t v);
void vsi_sb_str(struct sb *b, const char *s);
char *vsi_sb_take(struct sb *b);
void vsi_sb_u64(struct sb *b, uint64_t v);
int vsi_spki(EVP_PKEY *k, unsigned char **out, size_t *outlen);

/* vs_ctlog.c */
int vsi_add_sct(X509 *x, X509 *issuer, EVP_PKEY *ct,
                const uint8_t log_id[32], uint64_t ts_ms, int corrupt);

/* vs_rekor1.c */
char *vsi_dsse_body(const uint8_t env_hash[32], const uint8_t pay_hash[32],
                    const uint8_t *sig, size_t siglen, const char *pem64);
char *vsi_note_text(const char *origin, uint64_t size, const uint8_t root[32]);
char *vsi_rekord_body(const uint8_t *digest, int bits, const uint8_t *sig,
                      size_t siglen, const char *pem64);
char *vsi_signed_note(const char *text, const char *name,
                      const uint8_t id[4], const uint8_t *sig, size_t siglen);
/* SPEC 3.9: the JCS payload a SET signs (issue 11: the fake Rekor). */
char *vsi_set_payload(const char *body64, int64_t itime,
                      const uint8_t log_id[32], uint64_t log_index);
json_t *vsi_tlog_entry(struct vs *vs, const char *body, const char *kind,
                       const struct vs_sign_opts *o, uint64_t size,
                       uint64_t index, int64_t itime);

/* vs_rekor2.c */
char *vsi_rekord2_body(const uint8_t *digest, int bits, const uint8_t *sig,
                       size_t siglen, const uint8_t *raw, size_t rawlen,
                       int is_cert, const char *details);
char *vsi_v2_note(struct vs *vs, const struct vs_sign_opts *o,
                  uint64_t size, const uint8_t root[32]);

#endif
