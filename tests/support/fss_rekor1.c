/* fss_rekor1.c - the fake Rekor v1 (POST /api/v1/log/entries with
 * hashedrekord 0.0.1 or dsse 0.0.1 proposals, GET /api/v1/log/entries/
 * <uuid>): checks the proposal's signature as Rekor does, writes the
 * canonical body as Rekor would, appends it to an in-memory RFC 6962 log
 * and answers with a signed entry timestamp and an inclusion proof whose
 * checkpoint the virtual Sigstore's Rekor key signs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "vs_impl.h"
#include "fss_impl.h"

/* Entries of other clients already in the log, so proofs have hashes. */
#define FSS_SEED_ENTRIES 5

void fssi_seed_log(struct fss_mlog *l, const char *name)
{
	char buf[64];
	uint64_t idx;

	while (l->n < FSS_SEED_ENTRIES) {
		int n = snprintf(buf, sizeof(buf), "%s seed %u", name,
		                 (unsigned)l->n);

		if (fssi_mlog_append(l, buf, (size_t)n, &idx) != 0)
			return;
	}
}

static int unhex(const char *h, uint8_t *out, size_t max, size_t *len)
{
	size_t n = strlen(h);

	if (n % 2 != 0 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(h + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	*len = n / 2;
	return 0;
}

/* The PEM of a certificate or key as Rekor re-marshals it; b64 of it. */
static char *canonical_pem64(const char *pem, size_t len)
{
	BIO *in = BIO_new_mem_buf(pem, (int)len), *out = BIO_new(BIO_s_mem());
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	char *p = NULL, *r = NULL;
	long n;
	int ok = 0;

	if (in == NULL || out == NULL)
		goto done;
	if (strstr(pem, "CERTIFICATE") != NULL) {
		x = PEM_read_bio_X509(in, NULL, NULL, NULL);
		ok = x != NULL && PEM_write_bio_X509(out, x) == 1;
	} else {
		k = PEM_read_bio_PUBKEY(in, NULL, NULL, NULL);
		ok = k != NULL && PEM_write_bio_PUBKEY(out, k) == 1;
	}
	if (ok && (n = BIO_get_mem_data(out, &p)) > 0)
		r = vsi_b64(p, (size_t)n);
done:
	X509_free(x);
	EVP_PKEY_free(k);
	BIO_free(in);
	BIO_free(out);
	ERR_clear_error();
	return r;
}

/* hashedrekord 0.0.1 -> canonical body, or NULL with why. */
static char *hashedrekord_body(struct fss *s, const json_t *spec,
                               const char **why)
{
	const json_t *hash = json_object_get(
	    json_object_get(spec, "data"), "hash");
	const char *alg = json_string_value(json_object_get(hash, "algorithm"));
	const char *value = json_string_value(json_object_get(hash, "value"));
	const json_t *sig = json_object_get(spec, "signature");
	const char *sig64 = json_string_value(json_object_get(sig, "content"));
	const char *pem64 = json_string_value(json_object_get(
	    json_object_get(sig, "publicKey"), "content"));
	uint8_t digest[64];
	size_t dlen = 0, siglen = 0, pemlen = 0;
	uint8_t *sigb = NULL, *pem = NULL;
	char *cpem64 = NULL, *body = NULL;
	int bits;

	*why = "fss: hashedrekord: spec.data.hash, spec.signature.content or "
	       "spec.signature.publicKey.content missing";
	if (alg == NULL || value == NULL || sig64 == NULL || pem64 == NULL)
		return NULL;
	bits = strcmp(alg, "sha256") == 0   ? 256
	       : strcmp(alg, "sha384") == 0 ? 384
	       : strcmp(alg, "sha512") == 0 ? 512
	                                    : 0;
	*why = "fss: hashedrekord: bad hash algorithm or value";
	if (bits == 0 || unhex(value, digest, sizeof(digest), &dlen) != 0 ||
	    dlen != (size_t)bits / 8)
		return NULL;
	sigb = fssi_unb64(sig64, &siglen);
	pem = fssi_unb64(pem64, &pemlen);
	*why = "fss: hashedrekord: signature or public key is not base64";
	if (sigb == NULL || pem == NULL)
		goto done;
	pem = realloc(pem, pemlen + 1);
	if (pem == NULL)
		goto done;
	pem[pemlen] = '\0';
	*why = "fss: hashedrekord: the signature does not verify with the "
	       "given key";
	if (fssi_verify_prehashed((char *)pem, pemlen, digest, dlen, sigb,
	                          siglen, NULL) != 0)
		goto done;
	*why = "fss: hashedrekord: the public key is neither a PEM "
	       "certificate nor a PEM public key";
	if ((cpem64 = canonical_pem64((char *)pem, pemlen)) == NULL)
		goto done;
	if (fssi_has(s, FSS_REKOR_OTHER_BODY, FSS_PATH_REKOR1))
		digest[0] ^= 0xff;
	body = vsi_rekord_body(digest, bits, sigb, siglen, cpem64);
done:
	free(sigb);
	free(pem);
	free(cpem64);
	return body;
}

/* dsse 0.0.1: the envelope as submitted, one signature, one verifier. */
static char *dsse_body(struct fss *s, const json_t *spec, const char **why)
{
	const json_t *pc = json_object_get(spec, "proposedContent");
	const char *envtext = json_string_value(json_object_get(pc, "envelope"));
	const json_t *verifiers = json_object_get(pc, "verifiers");
	const char *ver64 = json_string_value(json_array_get(verifiers, 0));
	json_t *env = envtext ? json_loads(envtext, 0, NULL) : NULL;
	const char *payload64 = json_string_value(json_object_get(env, "payload"));
	const char *ptype = json_string_value(json_object_get(env, "payloadType"));
	const json_t *sigs = json_object_get(env, "signatures");
	const char *sig64 = json_string_value(
	    json_object_get(json_array_get(sigs, 0), "sig"));
	uint8_t *payload = NULL, *sigb = NULL, *pem = NULL;
	size_t plen = 0, siglen = 0, pemlen = 0;
	uint8_t env_hash[32], pay_hash[32], pae_hash[32];
	char *pae = NULL, *cpem64 = NULL, *body = NULL;
	size_t paelen;

	*why = "fss: dsse: spec.proposedContent.envelope (payload, "
	       "payloadType, one signature) and one verifier required";
	if (payload64 == NULL || ptype == NULL || sig64 == NULL ||
	    ver64 == NULL || json_array_size(sigs) != 1 ||
	    json_array_size(verifiers) != 1)
		goto done;
	payload = fssi_unb64(payload64, &plen);
	sigb = fssi_unb64(sig64, &siglen);
	pem = fssi_unb64(ver64, &pemlen);
	if (payload == NULL || sigb == NULL || pem == NULL ||
	    (pem = realloc(pem, pemlen + 1)) == NULL)
		goto done;
	pem[pemlen] = '\0';
	/* PAE(type, payload) = "DSSEv1 len(type) type len(payload) payload" */
	paelen = 64 + strlen(ptype) + plen;
	if ((pae = malloc(paelen)) == NULL)
		goto done;
	paelen = (size_t)snprintf(pae, paelen, "DSSEv1 %zu %s %zu ",
	                          strlen(ptype), ptype, plen);
	memcpy(pae + paelen, payload, plen);
	paelen += plen;
	vs_sha256(pae_hash, pae, paelen);
	*why = "fss: dsse: the envelope signature does not verify";
	if (fssi_verify_prehashed((char *)pem, pemlen, pae_hash, 32, sigb,
	                          siglen, NULL) != 0)
		goto done;
	*why = "fss: dsse: the verifier is not a PEM certificate or key";
	if ((cpem64 = canonical_pem64((char *)pem, pemlen)) == NULL)
		goto done;
	vs_sha256(env_hash, envtext, strlen(envtext));
	vs_sha256(pay_hash, payload, plen);
	if (fssi_has(s, FSS_REKOR_OTHER_BODY, FSS_PATH_REKOR1))
		pay_hash[0] ^= 0xff;
	body = vsi_dsse_body(env_hash, pay_hash, sigb, siglen, cpem64);
done:
	json_decref(env);
	free(payload);
	free(sigb);
	free(pem);
	free(pae);
	free(cpem64);
	return body;
}

/* Flips the last byte of a signed note's last signature. */
void fssi_corrupt_note(char **note)
{
	char *text = *note, *line, *sp, *b64;
	uint8_t *raw;
	size_t len = 0;
	struct sb b = {0};

	line = strstr(text, "\n\xe2\x80\x94 ");
	for (char *next = line; next != NULL;
	     next = strstr(next + 1, "\n\xe2\x80\x94 "))
		line = next;
	sp = line ? strrchr(line, ' ') : NULL;
	if (sp == NULL)
		return;
	b64 = strndup(sp + 1, strcspn(sp + 1, "\n"));
	raw = b64 ? fssi_unb64(b64, &len) : NULL;
	free(b64);
	if (raw == NULL || len == 0) {
		free(raw);
		return;
	}
	raw[len - 1] ^= 0x01;
	b64 = vsi_b64(raw, len);
	free(raw);
	*sp = '\0';
	vsi_sb_str(&b, text);
	vsi_sb_str(&b, " ");
	vsi_sb_str(&b, b64);
	vsi_sb_str(&b, "\n");
	free(b64);
	if ((b64 = vsi_sb_take(&b)) != NULL) {
		free(*note);
		*note = b64;
	}
}

/* {uuid: LogEntry} of entry e, proven against the current tree. */
static json_t *log_entry(struct fss *s, const struct fss_entry1 *e)
{
	const char *p = FSS_PATH_REKOR1;
	uint64_t size = s->log1.n;
	uint8_t root[32], proof[VS_MAX_PROOF][32];
	size_t np = fssi_mlog_proof(&s->log1, e->index, size, proof);
	char *body64 = vsi_b64(e->body, strlen(e->body)), *payload = NULL;
	char *note = NULL, hex[65], lid[65];
	unsigned char *set = NULL;
	size_t setlen = 0;
	json_t *hashes = json_array(), *entry = NULL, *out = NULL;

	fssi_mlog_root(&s->log1, size, root);
	vsi_hex(lid, s->vs->rekor_log_id, 32);
	if (body64 == NULL || hashes == NULL)
		goto done;
	if (fssi_has(s, FSS_REKOR_BAD_PROOF, p) && np > 0)
		proof[0][0] ^= 0x01;
	for (size_t i = 0; i < np; i++) {
		vsi_hex(hex, proof[i], 32);
		json_array_append_new(hashes, json_string(hex));
	}
	payload = vsi_set_payload(body64, e->itime,
	                          s->vs->rekor_log_id, e->index);
	if (payload == NULL ||
	    vsi_ec_sign(vs_rekor_key(s->vs), payload, strlen(payload), &set,
	                &setlen) != 0)
		goto done;
	if (fssi_has(s, FSS_REKOR_BAD_SET, p))
		set[setlen - 1] ^= 0x01;
	note = vs_checkpoint_v1(s->vs, VS_REKOR_ORIGIN, size, root,
	                        VS_REKOR_NAME);
	if (note == NULL)
		goto done;
	if (fssi_has(s, FSS_REKOR_BAD_CHECKPOINT, p))
		fssi_corrupt_note(&note);
	vsi_hex(hex, root, 32);
	entry = json_pack(
	    "{s:s, s:I, s:s, s:I, s:{s:{s:s, s:O, s:I, s:s, s:I}, s:o}}",
	    "body", body64, "integratedTime", (json_int_t)e->itime, "logID",
	    lid, "logIndex", (json_int_t)e->index, "verification",
	    "inclusionProof", "checkpoint", note, "hashes", hashes, "logIndex",
	    (json_int_t)e->index, "rootHash", hex, "treeSize",
	    (json_int_t)size, "signedEntryTimestamp", vsi_jb64(set, setlen));
	out = entry ? json_object() : NULL;
	if (out != NULL && json_object_set_new(out, e->uuid, entry) != 0) {
		json_decref(out);
		out = NULL;
	}
	entry = NULL;
done:
	json_decref(entry);
	json_decref(hashes);
	OPENSSL_free(set);
	free(payload);
	free(note);
	free(body64);
	return out;
}

static struct fss_entry1 *find(struct fss *s, const char *uuid)
{
	size_t n = strlen(uuid);

	/* Rekor's entry IDs may carry a 16-hex-digit tree ID before the
	 * leaf hash. */
	if (n == 80)
		uuid += 16;
	for (size_t i = 0; i < s->ne1; i++)
		if (strcmp(s->e1[i].uuid, uuid) == 0)
			return &s->e1[i];
	return NULL;
}

static struct fss_entry1 *append(struct fss *s, char *body)
{
	struct fss_entry1 *e;
	uint8_t leaf[33 + 1];
	uint64_t idx;

	if (s->ne1 == s->cape1) {
		size_t cap = s->cape1 ? s->cape1 * 2 : 8;
		struct fss_entry1 *p = realloc(s->e1, cap * sizeof(*p));

		if (p == NULL)
			return NULL;
		s->e1 = p;
		s->cape1 = cap;
	}
	fssi_seed_log(&s->log1, "rekor1");
	if (fssi_mlog_append(&s->log1, body, strlen(body), &idx) != 0)
		return NULL;
	e = &s->e1[s->ne1++];
	memcpy(leaf, s->log1.leaf[idx], 32);
	vsi_hex(e->uuid, leaf, 32);
	e->body = body;
	e->index = idx;
	e->itime = (int64_t)time(NULL);
	return e;
}

void fssi_rekor1_post(struct fss *s, const struct fss_req *q,
                      struct fss_resp *r)
{
	json_t *req = json_loadb((const char *)q->body, q->len, 0, NULL);
	const char *kind = json_string_value(json_object_get(req, "kind"));
	const char *ver = json_string_value(json_object_get(req, "apiVersion"));
	const json_t *spec = json_object_get(req, "spec");
	const char *why = "fss: kind must be hashedrekord or dsse, "
	                  "apiVersion 0.0.1";
	char *body = NULL, uuid[65], msg[160];
	uint8_t lh[32], *lb;
	struct fss_entry1 *e;
	size_t blen;

	if (kind != NULL && ver != NULL && strcmp(ver, "0.0.1") == 0 &&
	    strcmp(kind, "hashedrekord") == 0)
		body = hashedrekord_body(s, spec, &why);
	else if (kind != NULL && ver != NULL && strcmp(ver, "0.0.1") == 0 &&
	         strcmp(kind, "dsse") == 0)
		body = dsse_body(s, spec, &why);
	json_decref(req);
	if (body == NULL) {
		fssi_error(r, 400, 400, why);
		return;
	}
	blen = strlen(body);
	if ((lb = malloc(blen + 1)) == NULL) {
		free(body);
		fssi_error(r, 500, 500, "fss: out of memory");
		return;
	}
	lb[0] = 0;
	memcpy(lb + 1, body, blen);
	vs_sha256(lh, lb, blen + 1);
	free(lb);
	vsi_hex(uuid, lh, 32);
	e = find(s, uuid);
	if (e != NULL || fssi_has(s, FSS_REKOR_409, q->path)) {
		if (e == NULL && append(s, body) == NULL) {
			free(body);
			fssi_error(r, 500, 500, "fss: out of memory");
			return;
		}
		if (e != NULL)
			free(body);
		snprintf(msg, sizeof(msg), "an equivalent entry already exists "
		         "in the transparency log with UUID %s", uuid);
		fssi_error(r, 409, 409, msg);
		size_t n = strlen(s->base) + sizeof(FSS_PATH_REKOR1) +
		           sizeof(uuid) + 1;

		/* Absolute: the fakes share one server under path prefixes. */
		r->location = malloc(n);
		if (r->location != NULL)
			snprintf(r->location, n, "%s%s/%s", s->base,
			         FSS_PATH_REKOR1, uuid);
		return;
	}
	e = append(s, body);
	if (e == NULL) {
		free(body);
		fssi_error(r, 500, 500, "fss: out of memory");
		return;
	}
	fssi_json(r, 201, log_entry(s, e));
}

void fssi_rekor1_get(struct fss *s, const struct fss_req *q,
                     struct fss_resp *r)
{
	const char *uuid = q->path + strlen(FSS_PATH_REKOR1) + 1;
	struct fss_entry1 *e = find(s, uuid);

	if (e == NULL) {
		fssi_error(r, 404, 404, "fss: no such entry");
		return;
	}
	fssi_json(r, 200, log_entry(s, e));
}
