/*
 * vs_rekor2.c - the Rekor v2 log of the virtual Sigstore: Ed25519 C2SP
 * checkpoints with their foreign lines, and hashedrekord 0.0.2 bodies.
 *
 * Part of the virtual Sigstore (tests/support/vsigstore.h). Independent of
 * lib/ on purpose: the fixture must not share a bug with the code it tests.
 * Every function returns NULL / -1 on failure and frees what it took.
 */
#include "vs_impl.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

char *vs_checkpoint_v2(struct vs *vs, uint64_t size, const uint8_t root[32])
{
	uint8_t sig[crypto_sign_BYTES];
	char *text, *out = NULL;
	if (vs == NULL || root == NULL)
		return NULL;
	text = vsi_note_text(VS_REKOR2_ORIGIN, size, root);
	/* SPEC 3.11.2: pure Ed25519 over the note text. */
	if (text != NULL &&
	    crypto_sign_detached(sig, NULL, (const unsigned char *)text,
	                         strlen(text), vs->r2_sk) == 0)
		out = vsi_signed_note(text, VS_REKOR2_ORIGIN, vs->r2_log_id, sig,
		                  sizeof(sig));
	free(text);
	return out;
}
/* ---- Rekor v2 checkpoints (SPEC 3.11) ----------------------------------- */

#define VS_WITNESS_NAME "witness.test"
#define VS_COSIG_TIME ((uint64_t)VS_EPOCH + 100)

/* Appends "— name vsi_b64(id[:4] || sig)\n". */
static void note_line(struct sb *b, const char *name, const uint8_t id[4],
                      const uint8_t *sig, size_t siglen)
{
	uint8_t field[4 + 8 + crypto_sign_BYTES];
	char *f64;
	if (siglen > sizeof(field) - 4) {
		b->bad = 1;
		return;
	}
	memcpy(field, id, 4);
	memcpy(field + 4, sig, siglen);
	f64 = vsi_b64(field, 4 + siglen);
	vsi_sb_str(b, "\xe2\x80\x94 ");
	vsi_sb_str(b, name);
	vsi_sb_str(b, " ");
	vsi_sb_str(b, f64);
	vsi_sb_str(b, "\n");
	free(f64);
}

/* SPEC 3.11.3: C2SP key ID = H(name || 0x0A || type || key). */
static void c2sp_key_id(uint8_t out[32], const char *name, uint8_t type,
                        const uint8_t pk[32])
{
	size_t n = strlen(name);
	uint8_t *in = malloc(n + 2 + 32);
	if (in == NULL) {
		memset(out, 0, 32);
		return;
	}
	memcpy(in, name, n);
	in[n] = 0x0a;
	in[n + 1] = type;
	memcpy(in + n + 2, pk, 32);
	vs_sha256(out, in, n + 2 + 32);
	free(in);
}

/* Lines a verifier must ignore: a witness cosignature (SPEC 3.11.3, type
 * 0x04, over "cosignature/v1\ntime T\n" || text) and a valid Ed25519
 * signature by a foreign key that uses the log's own name. */
static void foreign_lines(struct sb *b, const char *text)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	uint8_t id[32], field[8 + crypto_sign_BYTES];
	struct sb msg = {0};
	char *m;

	if (crypto_sign_keypair(pk, sk) != 0) {
		b->bad = 1;
		return;
	}
	vsi_sb_str(&msg, "cosignature/v1\ntime ");
	vsi_sb_u64(&msg, VS_COSIG_TIME);
	vsi_sb_str(&msg, "\n");
	vsi_sb_str(&msg, text);
	m = vsi_sb_take(&msg);
	for (int i = 0; i < 8; i++)
		field[i] = (uint8_t)(VS_COSIG_TIME >> (56 - 8 * i));
	c2sp_key_id(id, VS_WITNESS_NAME, 0x04, pk);
	if (m == NULL || crypto_sign_detached(field + 8, NULL,
	                                      (const unsigned char *)m,
	                                      strlen(m), sk) != 0)
		b->bad = 1;
	else
		note_line(b, VS_WITNESS_NAME, id, field, sizeof(field));
	free(m);
	if (crypto_sign_keypair(pk, sk) != 0 ||
	    crypto_sign_detached(field, NULL, (const unsigned char *)text,
	                         strlen(text), sk) != 0) {
		b->bad = 1;
		return;
	}
	c2sp_key_id(id, VS_REKOR2_ORIGIN, 0x01, pk);
	note_line(b, VS_REKOR2_ORIGIN, id, field, crypto_sign_BYTES);
	sodium_memzero(sk, sizeof(sk));
}

/* The Rekor v2 checkpoint of a tree, shaped by the v2_* options. */
char *vsi_v2_note(struct vs *vs, const struct vs_sign_opts *o,
                  uint64_t size, const uint8_t root[32])
{
	uint8_t sig[crypto_sign_BYTES];
	struct sb b = {0};
	char *text = vsi_note_text(o->v2_origin ? o->v2_origin : VS_REKOR2_ORIGIN,
	                       size, root);
	if (text == NULL)
		return NULL;
	vsi_sb_str(&b, text);
	vsi_sb_str(&b, "\n");
	if (o->v2_cosign_before)
		foreign_lines(&b, text);
	if (!o->v2_no_log_signature) {
		/* SPEC 3.11.2: pure Ed25519 over the note text; the key name
		 * is the log's host whatever the origin line says. */
		if (crypto_sign_detached(sig, NULL, (const unsigned char *)text,
		                         strlen(text), vs->r2_sk) != 0)
			b.bad = 1;
		else
			note_line(&b, VS_REKOR2_ORIGIN, vs->r2_log_id, sig,
			          sizeof(sig));
	}
	if (o->v2_cosign_after)
		foreign_lines(&b, text);
	free(text);
	return vsi_sb_take(&b);
}

/* SPEC 3.8.3: the hashedrekord 0.0.2 body, exact JCS bytes ("keyDetails" <
 * "publicKey" < "x509Certificate"). raw = leaf DER or DER SPKI. */
char *vsi_rekord2_body(const uint8_t *digest, int bits, const uint8_t *sig,
                       size_t siglen, const uint8_t *raw, size_t rawlen,
                       int is_cert, const char *details)
{
	struct sb b = {0};
	char *d64 = vsi_b64(digest, (size_t)bits / 8), *s64 = vsi_b64(sig, siglen);
	char *r64 = vsi_b64(raw, rawlen);
	vsi_sb_str(&b, "{\"apiVersion\":\"0.0.2\",\"kind\":\"hashedrekord\","
	           "\"spec\":{\"hashedRekordV002\":{\"data\":{\"algorithm\":"
	           "\"");
	vsi_sb_str(&b, bits == 384 ? "SHA2_384" : bits == 512 ? "SHA2_512"
	                                                 : "SHA2_256");
	vsi_sb_str(&b, "\",\"digest\":\"");
	vsi_sb_str(&b, d64);
	vsi_sb_str(&b, "\"},\"signature\":{\"content\":\"");
	vsi_sb_str(&b, s64);
	vsi_sb_str(&b, "\",\"verifier\":{\"keyDetails\":\"");
	vsi_sb_str(&b, details);
	vsi_sb_str(&b, "\",");
	vsi_sb_str(&b, is_cert ? "\"x509Certificate\"" : "\"publicKey\"");
	vsi_sb_str(&b, ":{\"rawBytes\":\"");
	vsi_sb_str(&b, r64);
	vsi_sb_str(&b, "\"}}}}}}");
	free(d64);
	free(s64);
	free(r64);
	return vsi_sb_take(&b);
}
