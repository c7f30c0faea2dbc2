/* fss_rekor2.c - the fake Rekor v2 (POST /api/v2/log/entries with a
 * hashedRekordRequestV002): checks the signature, writes the hashedrekord
 * 0.0.2 body, appends it to an in-memory RFC 6962 log and answers the
 * TransparencyLogEntry with an inclusion proof and a C2SP checkpoint
 * signed by the virtual Sigstore's Ed25519 Rekor v2 key. */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "vs_impl.h"
#include "fss_impl.h"

/* The key of a DER certificate or SPKI. */
static EVP_PKEY *verifier_key(const uint8_t *der, size_t len, int is_cert)
{
	const unsigned char *p = der;
	X509 *x;
	EVP_PKEY *k;

	if (!is_cert)
		return d2i_PUBKEY(NULL, &p, (long)len);
	x = d2i_X509(NULL, &p, (long)len);
	k = x ? X509_get_pubkey(x) : NULL;
	X509_free(x);
	return k;
}

static int verify(EVP_PKEY *k, const uint8_t *digest, size_t dlen,
                  const uint8_t *sig, size_t siglen)
{
	EVP_PKEY_CTX *ctx;
	int ok;

	if (EVP_PKEY_get_base_id(k) != EVP_PKEY_EC)
		return 0; /* Ed25519 over a digest is not under test here */
	ctx = EVP_PKEY_CTX_new(k, NULL);
	ok = ctx != NULL && EVP_PKEY_verify_init(ctx) == 1 &&
	     EVP_PKEY_verify(ctx, sig, siglen, digest, dlen) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* hashedRekordRequestV002 -> the 0.0.2 body, or NULL with why. */
static char *body_of(struct fss *s, const json_t *req, const char **why)
{
	const json_t *h = json_object_get(req, "hashedRekordRequestV002");
	const char *d64 = json_string_value(json_object_get(h, "digest"));
	const json_t *sig = json_object_get(h, "signature");
	const char *s64 = json_string_value(json_object_get(sig, "content"));
	const json_t *ver = json_object_get(sig, "verifier");
	const char *details = json_string_value(
	    json_object_get(ver, "keyDetails"));
	const json_t *cert = json_object_get(ver, "x509Certificate");
	const char *r64 = json_string_value(json_object_get(
	    cert ? cert : json_object_get(ver, "publicKey"), "rawBytes"));
	uint8_t *digest = NULL, *sigb = NULL, *raw = NULL;
	size_t dlen = 0, siglen = 0, rawlen = 0;
	EVP_PKEY *k = NULL;
	char *body = NULL;

	*why = "fss: hashedRekordRequestV002 needs digest, signature.content, "
	       "signature.verifier (keyDetails, x509Certificate or publicKey)";
	if (d64 == NULL || s64 == NULL || details == NULL || r64 == NULL)
		return NULL;
	digest = fssi_unb64(d64, &dlen);
	sigb = fssi_unb64(s64, &siglen);
	raw = fssi_unb64(r64, &rawlen);
	*why = "fss: hashedRekordRequestV002: bad base64 or digest length";
	if (digest == NULL || sigb == NULL || raw == NULL ||
	    (dlen != 32 && dlen != 48 && dlen != 64))
		goto done;
	*why = "fss: hashedRekordRequestV002: the verifier is not DER";
	if ((k = verifier_key(raw, rawlen, cert != NULL)) == NULL)
		goto done;
	*why = "fss: hashedRekordRequestV002: the signature does not verify";
	if (verify(k, digest, dlen, sigb, siglen) != 0)
		goto done;
	if (fssi_has(s, FSS_REKOR_OTHER_BODY, FSS_PATH_REKOR2))
		digest[0] ^= 0xff;
	body = vsi_rekord2_body(digest, (int)dlen * 8, sigb, siglen, raw,
	                        rawlen, cert != NULL, details);
done:
	EVP_PKEY_free(k);
	free(digest);
	free(sigb);
	free(raw);
	ERR_clear_error();
	return body;
}

static json_t *tle(struct fss *s, const char *body, uint64_t index)
{
	static const struct vs_sign_opts defaults;
	const char *p = FSS_PATH_REKOR2;
	uint64_t size = s->log2.n;
	uint8_t root[32], proof[VS_MAX_PROOF][32];
	size_t np = fssi_mlog_proof(&s->log2, index, size, proof);
	json_t *hashes = json_array();
	char *note;

	fssi_mlog_root(&s->log2, size, root);
	if (fssi_has(s, FSS_REKOR_BAD_PROOF, p) && np > 0)
		proof[0][0] ^= 0x01;
	for (size_t i = 0; hashes != NULL && i < np; i++)
		json_array_append_new(hashes, vsi_jb64(proof[i], 32));
	note = vsi_v2_note(s->vs, &defaults, size, root);
	if (note != NULL && fssi_has(s, FSS_REKOR_BAD_CHECKPOINT, p))
		fssi_corrupt_note(&note);
	if (note == NULL || hashes == NULL) {
		free(note);
		json_decref(hashes);
		return NULL;
	}
	json_t *e = json_pack(
	    "{s:o, s:{s:o}, s:{s:s, s:s}, s:{s:o, s:o, s:o, s:o, s:{s:s}}, "
	    "s:o}",
	    "logIndex", vsi_ju64(index), "logId", "keyId",
	    vsi_jb64(s->vs->r2_log_id, 32), "kindVersion", "kind",
	    "hashedrekord", "version", "0.0.2", "inclusionProof", "logIndex",
	    vsi_ju64(index), "rootHash", vsi_jb64(root, 32), "treeSize",
	    vsi_ju64(size), "hashes", hashes, "checkpoint", "envelope", note,
	    "canonicalizedBody", vsi_jb64(body, strlen(body)));
	free(note);
	return e;
}

void fssi_rekor2_post(struct fss *s, const struct fss_req *q,
                      struct fss_resp *r)
{
	json_t *req = json_loadb((const char *)q->body, q->len, 0, NULL);
	const char *why = "fss: the request is not a JSON object";
	char *body = json_is_object(req) ? body_of(s, req, &why) : NULL;
	uint64_t idx;

	(void)q;
	json_decref(req);
	if (body == NULL) {
		fssi_error(r, 400, 3, why);
		return;
	}
	fssi_seed_log(&s->log2, "rekor2");
	if (fssi_mlog_append(&s->log2, body, strlen(body), &idx) != 0) {
		free(body);
		fssi_error(r, 500, 13, "fss: out of memory");
		return;
	}
	fssi_json(r, 201, tle(s, body, idx));
	free(body);
}
