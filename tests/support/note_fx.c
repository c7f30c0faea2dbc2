/* note_fx.c - the logs and signed notes of the checkpoint tests (see
 * note_fx.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "note_fx.h"
#include "vsigstore.h"

EVP_PKEY *nf_ec_key;
uint8_t nf_ed_pk[32], nf_ed_sk[64];
/* The three test logs live in one trusted root, built as JSON and loaded
 * by the trusted-root loader: [0] v1 (ECDSA, "rekor.test"), [1] v2
 * (Ed25519, V2_ORIGIN), [2] v2 signed with the v1 ECDSA key. */
pyverify_trust_root *nf_logs;
const struct pv_tlog *nf_v1_log, *nf_v2_log, *nf_v2_ec_log;
uint8_t nf_v2_key_id[32];

void
nf_setup(void)
{
	static const uint8_t ed_spki_prefix[12] = {
		0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
		0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
	};
	uint8_t spki[44], *der = NULL;
	int len;
	char *hashed;
	size_t n;
	json_t *root = cm_root_json();

	cr_assert(sodium_init() >= 0);
	cr_assert_not_null(root);
	nf_ec_key = EVP_EC_gen("P-256");
	cr_assert_not_null(nf_ec_key);
	len = i2d_PUBKEY(nf_ec_key, &der);
	cr_assert(len > 0);

	cr_assert_eq(crypto_sign_keypair(nf_ed_pk, nf_ed_sk), 0);
	memcpy(spki, ed_spki_prefix, 12);
	memcpy(spki + 12, nf_ed_pk, 32);
	/* SPEC 3.11.3: the v2 key ID, computed here the long way. */
	n = strlen(V2_ORIGIN);
	hashed = malloc(n + 2 + 32);
	cr_assert_not_null(hashed);
	memcpy(hashed, V2_ORIGIN, n);
	hashed[n] = '\n';
	hashed[n + 1] = 0x01;
	memcpy(hashed + n + 2, nf_ed_pk, 32);
	cr_assert_eq(pv_sha256(nf_v2_key_id, hashed, n + 2 + 32), 0);
	free(hashed);

	cr_assert_eq(cm_root_add_tlog(root, "https://rekor.test",
	                              "PKIX_ECDSA_P256_SHA_256", der,
	                              (size_t)len, NULL, CM_OPEN, 0), 0);
	cr_assert_eq(cm_root_add_tlog(root, "https://" V2_ORIGIN,
	                              "PKIX_ED25519", spki, sizeof(spki),
	                              nf_v2_key_id, CM_OPEN, 0), 0);
	cr_assert_eq(cm_root_add_tlog(root, "https://" V2_ORIGIN,
	                              "PKIX_ECDSA_P256_SHA_256", der,
	                              (size_t)len, NULL, CM_OPEN, 0), 0);
	OPENSSL_free(der);
	nf_logs = cm_root_load(root, "checkpoint-logs.json");
	json_decref(root);
	cr_assert_not_null(nf_logs);
	cr_assert_eq(nf_logs->n_tlogs, 3);
	nf_v1_log = &nf_logs->tlogs[0];
	nf_v2_log = &nf_logs->tlogs[1];
	nf_v2_ec_log = &nf_logs->tlogs[2];
}

void
nf_teardown(void)
{
	pyverify_trust_root_free(nf_logs);
	nf_logs = NULL;
	nf_v1_log = nf_v2_log = nf_v2_ec_log = NULL;
	EVP_PKEY_free(nf_ec_key);
	nf_ec_key = NULL;
}



void
nf_add(struct note *n, const char *s, size_t len)
{
	cr_assert(len < sizeof(n->s) - n->len);
	memcpy(n->s + n->len, s, len);
	n->len += len;
	n->s[n->len] = '\0';
}

void
nf_adds(struct note *n, const char *s)
{
	nf_add(n, s, strlen(s));
}

/* Appends "— name b64(id || sig)\n". */
void
nf_add_line(struct note *n, const char *name, const uint8_t id[4],
            const uint8_t *sig, size_t siglen)
{
	uint8_t raw[600];
	char *b64;

	cr_assert(siglen + 4 <= sizeof(raw));
	memcpy(raw, id, 4);
	if (siglen)
		memcpy(raw + 4, sig, siglen);
	b64 = pv_b64_encode(raw, siglen + 4);
	cr_assert_not_null(b64);
	nf_adds(n, DASH);
	nf_adds(n, name);
	nf_adds(n, " ");
	nf_adds(n, b64);
	nf_adds(n, "\n");
	free(b64);
}

size_t
nf_ec_sign(uint8_t sig[80], const char *msg, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t siglen = 80;

	cr_assert_not_null(ctx);
	cr_assert_eq(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL,
	                                nf_ec_key),
	             1);
	cr_assert_eq(EVP_DigestSign(ctx, sig, &siglen, (const uint8_t *)msg,
	                            len), 1);
	EVP_MD_CTX_free(ctx);
	return siglen;
}

/* Log signature lines over the note text text[0..len). */
void
nf_add_v1_sig(struct note *n, const char *name, const char *text,
              size_t len)
{
	uint8_t sig[80];
	size_t siglen = nf_ec_sign(sig, text, len);

	nf_add_line(n, name, nf_v1_log->key.spki_sha256, sig, siglen);
}

void
nf_add_v2_sig(struct note *n, const char *name, const char *text,
              size_t len)
{
	uint8_t sig[64];

	crypto_sign_detached(sig, NULL, (const uint8_t *)text, len, nf_ed_sk);
	nf_add_line(n, name, nf_v2_key_id, sig, sizeof(sig));
}

/* A witness cosignature: unknown key, 8-byte time + 64 bytes. */
void
nf_add_witness(struct note *n, const char *name)
{
	uint8_t id[4], sig[72];

	randombytes_buf(id, sizeof(id));
	randombytes_buf(sig, sizeof(sig));
	nf_add_line(n, name, id, sig, sizeof(sig));
}

/* The usual body: origin, size, root, and the blank line. */
void
nf_body(struct note *n, const char *origin, const char *size)
{
	n->len = 0;
	nf_adds(n, origin);
	nf_adds(n, "\n");
	nf_adds(n, size);
	nf_adds(n, "\n" ROOT_B64 "\n");
}

size_t
nf_text_end(const struct note *n)
{
	return n->len;
}

int
nf_verify(const struct note *n, const struct pv_tlog *log, int v2,
          struct pv_checkpoint *out, pyverify_error *err)
{
	return pv_checkpoint_verify(out, n->s, n->len, log, v2, err);
}

void
nf_assert_fail(int rc, int code, const pyverify_error *err)
{
	cr_assert_eq(rc, code, "rc %d (%s)", rc, err->msg);
	cr_assert_eq(err->code, code);
	cr_assert_eq(err->step, PYVERIFY_STEP_CHECKPOINT);
	cr_assert_neq(err->msg[0], '\0');
}

/* A complete, valid note of each kind. */
void
nf_v1_note(struct note *n)
{
	size_t t;

	nf_body(n, V1_ORIGIN, "75408393");
	t = nf_text_end(n);
	nf_adds(n, "\n");
	nf_add_v1_sig(n, "rekor.test", n->s, t);
}

void
nf_v2_note(struct note *n)
{
	size_t t;

	nf_body(n, V2_ORIGIN, "736");
	t = nf_text_end(n);
	nf_adds(n, "\n");
	nf_add_v2_sig(n, V2_ORIGIN, n->s, t);
}

void
nf_expect_root(const struct pv_checkpoint *cp)
{
	struct pv_bytes r = { 0 };

	cr_assert_eq(pv_b64_decode(&r, ROOT_B64, strlen(ROOT_B64)), 0);
	cr_assert_eq(r.len, 32);
	cr_assert_arr_eq(cp->root_hash, r.data, 32);
	pv_bytes_clear(&r);
}


/* Builds text + "\n" + a valid v2 log line over text, then verifies. */
int
nf_sign_v2(const char *text, pyverify_error *err)
{
	static struct note n;
	struct pv_checkpoint cp;
	size_t t;

	n.len = 0;
	nf_adds(&n, text);
	t = n.len;
	nf_adds(&n, "\n");
	nf_add_v2_sig(&n, V2_ORIGIN, n.s, t);
	return nf_verify(&n, nf_v2_log, 1, &cp, err);
}
