/*
 * tlog_fx.h - the fixture of the log entry tests (test_tlog_body.c,
 * test_tlog_set.c). Criterion assertions inside: only Criterion test
 * binaries call it. Every name starts with tf_ because the support objects
 * are linked into every test binary.
 */
#ifndef TLOG_FX_H
#define TLOG_FX_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "verify/steps.h"

extern const char tf_artifact[];     /* "hello\n" */
extern const char tf_in_toto_type[]; /* application/vnd.in-toto+json */
extern const char tf_statement[];    /* a minimal in-toto statement */

/* Minted material; every failure is a test failure. */
EVP_PKEY *tf_gen_key(const char *curve); /* NULL curve = Ed25519 */
/* ECDSA with SHA-256 (or Ed25519) over msg; out is malloc'd. */
void tf_sign(EVP_PKEY *k, const void *msg, size_t len, struct pv_bytes *out);
X509 *tf_self_signed(EVP_PKEY *k, const char *cn);
void tf_der_of_cert(X509 *x, struct pv_bytes *out);
/* PEM text of a certificate (cert != NULL) or of a public key; malloc'd. */
char *tf_pem_of(X509 *cert, EVP_PKEY *key);
char *tf_b64(const void *p, size_t n); /* malloc'd */
char *tf_b64s(const char *s);
void tf_spki_key(struct pv_pubkey *out, EVP_PKEY *k, int details);

/* One signer (P-256 leaf), its message and DSSE signatures, and an entry. */
struct tf_fixture {
	EVP_PKEY *pkey;
	X509 *cert;
	struct pv_bytes cert_der;
	char *cert_pem;
	char *key_pem;
	struct pv_pubkey key;
	uint8_t digest[32];
	struct pv_bytes sig;      /* over the artifact */
	struct pv_bytes dsse_sig; /* over PAE(in_toto_type, statement) */
	struct pv_tlog_entry e;
	struct pv_signed_content c;
	pyverify_error err;
	uint8_t leaf[32];
};


extern struct tf_fixture tf;

/* TestSuite .init / .fini: a fresh signer and a message-signature entry. */
void tf_setup(void);
void tf_teardown(void);
/* Switches the signed content to the DSSE envelope. */
void tf_dsse(void);
/* Switches to a key bundle (no certificate). */
void tf_key_bundle(void);
void tf_set_body_text(const char *kind, const char *version,
                      const char *text);
/* Sets the entry body to the compact JSON of v (consumed). */
void tf_set_body(const char *kind, const char *version, json_t *v);
/* pv_tlog_check_body on the fixture, with the leaf hash pre-set to 0xAA. */
int tf_check(void);
/* Accepted, and the leaf hash is SHA-256(0x00 || body) (RFC 6962). */
void tf_assert_ok(void);
/* Rejected with `code` at the body step, the leaf hash untouched. */
void tf_assert_fails(int code);

/* One rejection of a table: a mutation of the default fixture and exactly
 * what the check must answer, as BearSSL's test/x509/alltests.txt pairs
 * each chain with its expected result. */
struct body_case {
	const char *name;
	void (*mutate)(void);
	int code;
	pyverify_step step;
	const char *msg; /* a fragment of the message; NULL = any */
};

#define BODY_CASE(fn, code, step, msg) { #fn, fn, code, step, msg }
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* tf_assert_fails() and the message fragment, naming the row. */
void tf_assert_case(const struct body_case *c);

/* A hashedrekord 0.0.1 body (hexdigest NULL = the artifact's SHA-256). */
json_t *tf_v001(const char *alg, const char *hexdigest,
                const struct pv_bytes *sig, const char *pem);
/* The entry's body: hashedrekord 0.0.1 of the fixture's signature. */
void tf_v001_default(void);

#endif
