/*
 * vs_rekor1.c - the Rekor v1 log of the virtual Sigstore: signed-note
 * checkpoints, the Merkle tree and its inclusion proofs, entry bodies, SETs
 * and tlogEntries[] elements.
 *
 * Part of the virtual Sigstore (tests/support/vsigstore.h). Independent of
 * lib/ on purpose: the fixture must not share a bug with the code it tests.
 * Every function returns NULL / -1 on failure and frees what it took.
 */
#include "vs_impl.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* ---- checkpoints -------------------------------------------------------- */

/* "origin\nsize\nb64(root)\n" */
char *vsi_note_text(const char *origin, uint64_t size, const uint8_t root[32])
{
	struct sb b = {0};
	char *r = vsi_b64(root, 32);
	vsi_sb_str(&b, origin);
	vsi_sb_str(&b, "\n");
	vsi_sb_u64(&b, size);
	vsi_sb_str(&b, "\n");
	vsi_sb_str(&b, r);
	vsi_sb_str(&b, "\n");
	free(r);
	return vsi_sb_take(&b);
}

/* note text, blank line, "— name vsi_b64(keyid4 || sig)\n" */
char *vsi_signed_note(const char *text, const char *name,
                      const uint8_t id[4], const uint8_t *sig, size_t siglen)
{
	struct sb b = {0};
	uint8_t *field = malloc(4 + siglen);
	char *f64;
	if (field == NULL)
		return NULL;
	memcpy(field, id, 4);
	memcpy(field + 4, sig, siglen);
	f64 = vsi_b64(field, 4 + siglen);
	free(field);
	vsi_sb_str(&b, text);
	vsi_sb_str(&b, "\n\xe2\x80\x94 ");
	vsi_sb_str(&b, name);
	vsi_sb_str(&b, " ");
	vsi_sb_str(&b, f64);
	vsi_sb_str(&b, "\n");
	free(f64);
	return vsi_sb_take(&b);
}

char *vs_checkpoint_v1(struct vs *vs, const char *origin, uint64_t size,
                       const uint8_t root[32], const char *name)
{
	char *text, *out = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	if (vs == NULL || origin == NULL || root == NULL || name == NULL)
		return NULL;
	text = vsi_note_text(origin, size, root);
	/* SPEC 3.11.2: ECDSA SHA-256 over the note text; key ID = log ID[:4]. */
	if (text != NULL && vsi_ec_sign(vs->rekor_key, text, strlen(text), &sig,
	                            &siglen) == 0)
		out = vsi_signed_note(text, name, vs->rekor_log_id, sig, siglen);
	OPENSSL_free(sig);
	free(text);
	return out;
}

/* ---- the virtual log (SPEC 3.10) ---------------------------------------- */

struct vtree {
	uint64_t index;           /* our entry */
	uint8_t leaf[32];         /* its leaf hash */
};

static void node_hash(uint8_t out[32], const uint8_t l[32], const uint8_t r[32])
{
	uint8_t buf[65];
	buf[0] = 0x01;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	vs_sha256(out, buf, sizeof(buf));
}

static void other_leaf(uint8_t out[32], uint64_t i)
{
	char buf[40];
	int n = snprintf(buf, sizeof(buf), "%cvs-leaf %" PRIu64, 0, i);
	vs_sha256(out, buf, (size_t)n);
}

static uint64_t split(uint64_t n) /* largest power of two < n (n >= 2) */
{
	uint64_t k = 1;
	while ((k << 1) < n)
		k <<= 1;
	return k;
}

/* MTH of leaves [lo, lo+n). */
static void mth(const struct vtree *t, uint64_t lo, uint64_t n, uint8_t out[32])
{
	uint8_t l[32], r[32];
	uint64_t k;
	int ours = t->index >= lo && t->index - lo < n;
	if (n == 1) {
		if (ours)
			memcpy(out, t->leaf, 32);
		else
			other_leaf(out, lo);
		return;
	}
	if (!ours && n > VS_REAL_SUBTREE_MAX) {
		char buf[64];
		int len = snprintf(buf, sizeof(buf), "vs-subtree %" PRIu64 " %" PRIu64,
		                   lo, n);
		vs_sha256(out, buf, (size_t)len);
		return;
	}
	k = split(n);
	mth(t, lo, k, l);
	mth(t, lo + k, n - k, r);
	node_hash(out, l, r);
}

/* RFC 6962 PATH(m, D[lo:lo+n]), leaf to root. */
static void audit_path(const struct vtree *t, uint64_t lo, uint64_t n,
                       uint8_t (*proof)[32], size_t *np)
{
	uint64_t k;
	if (n <= 1)
		return;
	k = split(n);
	if (t->index - lo < k) {
		audit_path(t, lo, k, proof, np);
		mth(t, lo + k, n - k, proof[(*np)++]);
	} else {
		audit_path(t, lo + k, n - k, proof, np);
		mth(t, lo, k, proof[(*np)++]);
	}
}

/* SPEC 3.8.2: the hashedrekord 0.0.1 body in JCS order; pem64 is the b64
 * of a CERTIFICATE or PUBLIC KEY PEM. */
char *vsi_rekord_body(const uint8_t *digest, int bits, const uint8_t *sig,
                      size_t siglen, const char *pem64)
{
	struct sb b = {0};
	char dhex[129];
	char *s64 = vsi_b64(sig, siglen);
	vsi_hex(dhex, digest, (size_t)bits / 8);
	vsi_sb_str(&b, "{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\","
	           "\"spec\":{\"data\":{\"hash\":{\"algorithm\":\"");
	vsi_sb_str(&b, bits == 384 ? "sha384" : bits == 512 ? "sha512" : "sha256");
	vsi_sb_str(&b, "\",\"value\":\"");
	vsi_sb_str(&b, dhex);
	vsi_sb_str(&b, "\"}},\"signature\":{\"content\":\"");
	vsi_sb_str(&b, s64);
	vsi_sb_str(&b, "\",\"publicKey\":{\"content\":\"");
	vsi_sb_str(&b, pem64);
	vsi_sb_str(&b, "\"}}}}");
	free(s64);
	return vsi_sb_take(&b);
}

/* SPEC 3.8.4: the dsse 0.0.1 body in JCS order. */
char *vsi_dsse_body(const uint8_t env_hash[32], const uint8_t pay_hash[32],
                    const uint8_t *sig, size_t siglen, const char *pem64)
{
	struct sb b = {0};
	char ehex[65], phex[65];
	char *s64 = vsi_b64(sig, siglen);
	vsi_hex(ehex, env_hash, 32);
	vsi_hex(phex, pay_hash, 32);
	vsi_sb_str(&b, "{\"apiVersion\":\"0.0.1\",\"kind\":\"dsse\",\"spec\":{"
	           "\"envelopeHash\":{\"algorithm\":\"sha256\",\"value\":\"");
	vsi_sb_str(&b, ehex);
	vsi_sb_str(&b, "\"},\"payloadHash\":{\"algorithm\":\"sha256\",\"value\":\"");
	vsi_sb_str(&b, phex);
	vsi_sb_str(&b, "\"},\"signatures\":[{\"signature\":\"");
	vsi_sb_str(&b, s64);
	vsi_sb_str(&b, "\",\"verifier\":\"");
	vsi_sb_str(&b, pem64);
	vsi_sb_str(&b, "\"}]}}");
	free(s64);
	return vsi_sb_take(&b);
}

/* SPEC 3.9: the SET payload. */
static char *set_payload(const char *body64, int64_t itime,
                         const uint8_t log_id[32], uint64_t log_index)
{
	struct sb b = {0};
	char lhex[65];
	vsi_hex(lhex, log_id, 32);
	vsi_sb_str(&b, "{\"body\":\"");
	vsi_sb_str(&b, body64);
	vsi_sb_str(&b, "\",\"integratedTime\":");
	vsi_sb_i64(&b, itime);
	vsi_sb_str(&b, ",\"logID\":\"");
	vsi_sb_str(&b, lhex);
	vsi_sb_str(&b, "\",\"logIndex\":");
	vsi_sb_u64(&b, log_index);
	vsi_sb_str(&b, "}");
	return vsi_sb_take(&b);
}

/* Issue 11: the same for the fake Rekor's answers. */
char *vsi_set_payload(const char *body64, int64_t itime,
                      const uint8_t log_id[32], uint64_t log_index)
{
	return set_payload(body64, itime, log_id, log_index);
}

/* The inclusionProof object (SPEC 1.5); the checkpoint is the Rekor v1
 * note, or the Rekor v2 one shaped by `o` when v2. */
static json_t *proof_json(struct vs *vs, const struct vtree *t, uint64_t size,
                          int with_checkpoint, int v2,
                          const struct vs_sign_opts *o)
{
	uint8_t root[32], proof[VS_MAX_PROOF][32];
	size_t np = 0;
	json_t *hashes = json_array(), *cp = NULL;
	char *note = NULL;

	mth(t, 0, size, root);
	audit_path(t, 0, size, proof, &np);
	if (hashes == NULL)
		return NULL;
	for (size_t i = 0; i < np; i++) {
		if (json_array_append_new(hashes, vsi_jb64(proof[i], 32)) != 0) {
			json_decref(hashes);
			return NULL;
		}
	}
	if (with_checkpoint) {
		note = v2 ? vsi_v2_note(vs, o, size, root)
		          : vs_checkpoint_v1(vs, VS_REKOR_ORIGIN, size, root,
		                             VS_REKOR_NAME);
		cp = note ? json_pack("{s:s}", "envelope", note) : NULL;
		free(note);
		if (cp == NULL) {
			json_decref(hashes);
			return NULL;
		}
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:o*}", "logIndex",
	                 vsi_ju64(t->index), "rootHash", vsi_jb64(root, 32), "treeSize",
	                 vsi_ju64(size), "hashes", hashes, "checkpoint", cp);
}

/* One tlogEntries[] element (SPEC 1.5) logging `body` (of `kind`) at
 * `index`: Rekor v1 (SET, integrated time, global index = index + 1000)
 * or Rekor v2 (SPEC 3.12: none of those, kind version 0.0.2). */
json_t *vsi_tlog_entry(struct vs *vs, const char *body, const char *kind,
                       const struct vs_sign_opts *o, uint64_t size,
                       uint64_t index, int64_t itime)
{
	size_t blen = strlen(body);
	char *body64 = vsi_b64(body, blen), *payload = NULL;
	unsigned char *set = NULL;
	size_t setlen = 0;
	int v2 = o->rekor_v2;
	/* Rekor v1: the global index differs from the shard index. */
	uint64_t log_index = v2 ? index : index + 1000;
	struct vtree t;
	uint8_t *lb = malloc(blen + 1);
	json_t *promise = NULL, *proof = NULL, *e = NULL;

	if (body64 == NULL || lb == NULL)
		goto done;
	/* SPEC 3.10: leaf hash = H(0x00 || body). */
	lb[0] = 0x00;
	memcpy(lb + 1, body, blen);
	vs_sha256(t.leaf, lb, blen + 1);
	t.index = index;
	if (!o->no_promise && !v2) {
		/* SPEC 3.9: the SET signs the JCS payload with the log key. */
		payload = set_payload(body64, itime, vs->rekor_log_id, log_index);
		if (payload == NULL ||
		    vsi_ec_sign(vs->rekor_key, payload, strlen(payload), &set,
		            &setlen) != 0)
			goto done;
		promise = json_pack("{s:o}", "signedEntryTimestamp",
		                    vsi_jb64(set, setlen));
		if (promise == NULL)
			goto done;
	}
	if (!o->no_proof) {
		proof = proof_json(vs, &t, size, !o->no_checkpoint, v2, o);
		if (proof == NULL)
			goto done;
	}
	if (v2)
		e = json_pack("{s:o, s:{s:o}, s:{s:s, s:s}, s:o*, s:s}",
		              "logIndex", vsi_ju64(log_index), "logId", "keyId",
		              vsi_jb64(vs->r2_log_id, 32), "kindVersion", "kind",
		              kind, "version", "0.0.2", "inclusionProof", proof,
		              "canonicalizedBody", body64);
	else
		e = json_pack("{s:o, s:{s:o}, s:{s:s, s:s}, s:o, s:o*, s:o*, "
		              "s:s}",
		              "logIndex", vsi_ju64(log_index), "logId", "keyId",
		              vsi_jb64(vs->rekor_log_id, 32), "kindVersion", "kind",
		              kind, "version", "0.0.1", "integratedTime",
		              vsi_ji64(itime), "inclusionPromise", promise,
		              "inclusionProof", proof, "canonicalizedBody",
		              body64);
	promise = proof = NULL; /* stolen by json_pack */
done:
	json_decref(promise);
	json_decref(proof);
	free(lb);
	free(payload);
	OPENSSL_free(set);
	free(body64);
	return e;
}
