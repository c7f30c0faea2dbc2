/*
 * note_fx.h - the logs and signed notes of the checkpoint tests
 * (test_checkpoint.c, test_checkpoint_malformed.c): a Rekor v1 style ECDSA
 * P-256 log and a Rekor v2 style Ed25519 log in one trusted root loaded by
 * the trusted-root loader, and notes written byte by byte. Criterion
 * assertions inside; names start with nf_ because the support objects are
 * linked into every test binary.
 */
#ifndef NOTE_FX_H
#define NOTE_FX_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "verify/steps.h"

#define DASH "\xe2\x80\x94 "
#define V1_ORIGIN "rekor.test - 1193050959916656506"
#define V2_ORIGIN "log2030-1.rekor.test"
#define ROOT_B64 "rs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI="
#define NOTE_MAX (128u << 10)

extern EVP_PKEY *nf_ec_key;
extern uint8_t nf_ed_pk[32], nf_ed_sk[64];
/* The three test logs live in one trusted root, built as JSON and loaded
 * by the trusted-root loader: [0] v1 (ECDSA, "rekor.test"), [1] v2
 * (Ed25519, V2_ORIGIN), [2] v2 signed with the v1 ECDSA key. */
extern pyverify_trust_root *nf_logs;
extern const struct pv_tlog *nf_v1_log, *nf_v2_log, *nf_v2_ec_log;
extern uint8_t nf_v2_key_id[32];

/* A growing note in a fixed buffer. */
struct note {
	char s[NOTE_MAX];
	size_t len;
};

/* TestSuite .init / .fini: the keys and the trusted root of the logs. */
void nf_setup(void);
void nf_teardown(void);
/* Appends bytes, a string, "— name b64(id || sig)\n". */
void nf_add(struct note *n, const char *s, size_t len);
void nf_adds(struct note *n, const char *s);
void nf_add_line(struct note *n, const char *name, const uint8_t id[4],
                 const uint8_t *sig, size_t siglen);
size_t nf_ec_sign(uint8_t sig[80], const char *msg, size_t len);
/* Log signature lines over the note text text[0..len): ECDSA by the v1
 * key, Ed25519 by the v2 key; a witness cosignature by an unknown key. */
void nf_add_v1_sig(struct note *n, const char *name, const char *text,
                   size_t len);
void nf_add_v2_sig(struct note *n, const char *name, const char *text,
                   size_t len);
void nf_add_witness(struct note *n, const char *name);
void nf_body(struct note *n, const char *origin, const char *size);
/* The usual body (origin, size, root) and where the note text ends. */
size_t nf_text_end(const struct note *n);
/* pv_checkpoint_verify of the note against `log`. */
int nf_verify(const struct note *n, const struct pv_tlog *log, int v2,
              struct pv_checkpoint *out, pyverify_error *err);
/* Failed with `code` at the checkpoint step, with a message. */
void nf_assert_fail(int rc, int code, const pyverify_error *err);
/* A complete, valid note of each kind; its root is ROOT_B64. */
void nf_v1_note(struct note *n);
void nf_v2_note(struct note *n);
void nf_expect_root(const struct pv_checkpoint *cp);
/* Builds text + "\n" + a valid v2 log line over text, then verifies. */
int nf_sign_v2(const char *text, pyverify_error *err);

#endif
