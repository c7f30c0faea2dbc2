/* bundle.c - the only bundle parser: Sigstore bundle JSON (protobuf JSON of
 * dev.sigstore.bundle.v1.Bundle) -> struct pyverify_bundle. Checks shape,
 * encodings, bounds and the per-version rules; verifies nothing. */
#include <stdlib.h>
#include <string.h>

#include "format/format.h"
#include "util/json.h"

#define STEP PYVERIFY_STEP_BUNDLE_FORMAT

/* Unknown members are rejected everywhere in a bundle, as Go's protojson
 * does (SPEC 0.1, our reading of SPEC 7.1 item 1): a member we do not know
 * is a member we would silently not verify. These are the full proto field
 * sets of each message. */
static const char *const m_bundle[] = { "mediaType", "verificationMaterial",
	                                "messageSignature", "dsseEnvelope",
	                                NULL };
static const char *const m_material[] = { "publicKey", "x509CertificateChain",
	                                  "certificate", "tlogEntries",
	                                  "timestampVerificationData", NULL };
static const char *const m_pubkey[] = { "hint", NULL };
static const char *const m_chain[] = { "certificates", NULL };
static const char *const m_cert[] = { "rawBytes", NULL };
static const char *const m_entry[] = { "logIndex", "logId", "kindVersion",
	                               "integratedTime", "inclusionPromise",
	                               "inclusionProof", "canonicalizedBody",
	                               NULL };
static const char *const m_logid[] = { "keyId", NULL };
static const char *const m_kindver[] = { "kind", "version", NULL };
static const char *const m_promise[] = { "signedEntryTimestamp", NULL };
static const char *const m_proof[] = { "logIndex", "rootHash", "treeSize",
	                               "hashes", "checkpoint", NULL };
static const char *const m_checkpoint[] = { "envelope", NULL };
static const char *const m_tsdata[] = { "rfc3161Timestamps", NULL };
static const char *const m_ts[] = { "signedTimestamp", NULL };
static const char *const m_msgsig[] = { "messageDigest", "signature", NULL };
static const char *const m_hash[] = { "algorithm", "digest", NULL };
static const char *const m_env[] = { "payload", "payloadType", "signatures",
	                             NULL };
static const char *const m_sig[] = { "sig", "keyid", NULL };

/* SPEC 1.1: exactly these four strings; everything else is rejected
 * (bundle-unknown-version_fail). */
static const struct {
	const char *name;
	int minor;
} media_types[] = {
	{ "application/vnd.dev.sigstore.bundle+json;version=0.1", 1 },
	{ "application/vnd.dev.sigstore.bundle+json;version=0.2", 2 },
	{ "application/vnd.dev.sigstore.bundle+json;version=0.3", 3 },
	{ "application/vnd.dev.sigstore.bundle.v0.3+json", 3 },
};

static int
parse_media_type(const struct pv_json_ctx *cx, const json_t *root,
                 pyverify_bundle *b)
{
	const char *s;
	size_t len, i;

	PV_TRY(pv_json_string(cx, root, "", "mediaType", 1, PV_MAX_SHORT_STRING,
	                      &s, &len));
	for (i = 0; i < sizeof(media_types) / sizeof(media_types[0]); i++) {
		if (strcmp(s, media_types[i].name) == 0) {
			b->minor = media_types[i].minor;
			b->media_type = pv_strndup(s, len);
			return b->media_type == NULL ? pv_json_oom(cx) : 0;
		}
	}
	return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
	               "unsupported bundle media type \"%.100s\" (expected "
	               "application/vnd.dev.sigstore.bundle.v0.3+json or "
	               "...bundle+json;version=0.1/0.2/0.3)", s);
}

/* X509Certificate { rawBytes }: DER, parsed later by the chain module. */
static int
parse_cert(const struct pv_json_ctx *cx, const json_t *obj, const char *path,
           struct pv_bytes *out)
{
	PV_TRY(pv_json_only(cx, obj, path, m_cert));
	return pv_json_bytes(cx, obj, path, "rawBytes", 1, PV_MAX_CERT_BYTES,
	                     out);
}

static int
parse_chain(const struct pv_json_ctx *cx, const json_t *chain,
            const char *path, pyverify_bundle *b)
{
	char cpath[PV_JSON_PATH_MAX], epath[PV_JSON_PATH_MAX];
	json_t *certs, *c;
	size_t i, n;

	PV_TRY(pv_json_only(cx, chain, path, m_chain));
	PV_TRY(pv_json_array(cx, chain, path, "certificates",
	                     PV_MAX_CHAIN_CERTS, &certs, &n));
	pv_json_path(cpath, path, "certificates");
	/* SPEC 1.3: an empty chain names no signer
	 * (bundle-empty-certificate-chain_fail). */
	if (n == 0)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s is empty, expected 1 to %d certificates", cpath,
		               PV_MAX_CHAIN_CERTS);
	b->certs = calloc(n, sizeof(*b->certs));
	if (b->certs == NULL)
		return pv_json_oom(cx);
	b->n_certs = n;
	json_array_foreach(certs, i, c) {
		pv_json_path_index(epath, path, "certificates", i);
		if (!json_is_object(c))
			return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
			               "%s is not an object", epath);
		PV_TRY(parse_cert(cx, c, epath, &b->certs[i]));
	}
	return 0;
}

/* SPEC 1.3: exactly one of publicKey, x509CertificateChain, certificate. */
static int
parse_signer(const struct pv_json_ctx *cx, const json_t *vm, pyverify_bundle *b)
{
	static const char path[] = "verificationMaterial";
	char vpath[PV_JSON_PATH_MAX];
	json_t *pk = NULL, *chain = NULL, *cert = NULL;
	const char *hint;
	size_t len;

	PV_TRY(pv_json_object(cx, vm, path, "publicKey", 0, &pk));
	PV_TRY(pv_json_object(cx, vm, path, "x509CertificateChain", 0, &chain));
	PV_TRY(pv_json_object(cx, vm, path, "certificate", 0, &cert));
	if ((pk != NULL) + (chain != NULL) + (cert != NULL) != 1)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "verificationMaterial has %d of publicKey, "
		               "x509CertificateChain and certificate, expected "
		               "exactly one",
		               (pk != NULL) + (chain != NULL) + (cert != NULL));
	if (pk != NULL) {
		pv_json_path(vpath, path, "publicKey");
		PV_TRY(pv_json_only(cx, pk, vpath, m_pubkey));
		/* An unauthenticated lookup hint; "" (or absent) is allowed. */
		PV_TRY(pv_json_string(cx, pk, vpath, "hint", 0,
		                      PV_MAX_SHORT_STRING, &hint, &len));
		b->material = PV_MATERIAL_PUBLIC_KEY;
		b->key_hint = pv_strndup(hint != NULL ? hint : "", len);
		return b->key_hint == NULL ? pv_json_oom(cx) : 0;
	}
	if (chain != NULL) {
		b->material = PV_MATERIAL_CHAIN;
		pv_json_path(vpath, path, "x509CertificateChain");
		return parse_chain(cx, chain, vpath, b);
	}
	b->material = PV_MATERIAL_CERTIFICATE;
	b->certs = calloc(1, sizeof(*b->certs));
	if (b->certs == NULL)
		return pv_json_oom(cx);
	b->n_certs = 1;
	pv_json_path(vpath, path, "certificate");
	return parse_cert(cx, cert, vpath, &b->certs[0]);
}

static int
parse_proof(const struct pv_json_ctx *cx, const json_t *p, const char *path,
            struct pv_inclusion_proof *out)
{
	char vpath[PV_JSON_PATH_MAX];
	json_t *hashes, *h, *cp;
	const char *text;
	size_t i, n, len;

	PV_TRY(pv_json_only(cx, p, path, m_proof));
	PV_TRY(pv_json_int64(cx, p, path, "logIndex", &out->log_index, NULL));
	PV_TRY(pv_json_int64(cx, p, path, "treeSize", &out->tree_size, NULL));
	/* SPEC 3.10: a leaf index is inside a non-empty tree. */
	if (out->tree_size < 1 || out->log_index >= out->tree_size)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s has logIndex %lld and treeSize %lld, expected "
		               "0 <= logIndex < treeSize", path,
		               (long long)out->log_index,
		               (long long)out->tree_size);
	PV_TRY(pv_json_fixed(cx, p, path, "rootHash", out->root_hash, 32));
	/* SPEC 0.1: an empty list (tree of one leaf) may be absent. */
	PV_TRY(pv_json_array(cx, p, path, "hashes", PV_MAX_PROOF_HASHES,
	                     &hashes, &n));
	if (n > 0) {
		out->hashes = calloc(n, sizeof(*out->hashes));
		if (out->hashes == NULL)
			return pv_json_oom(cx);
		out->n_hashes = n;
	}
	json_array_foreach(hashes, i, h) {
		pv_json_path_index(vpath, path, "hashes", i);
		PV_TRY(pv_json_fixed_value(cx, h, vpath, out->hashes[i], 32));
	}
	/* SPEC 1.7 row "inclusionProof.checkpoint" and 3.15: a proof without
	 * a checkpoint proves nothing against a signed tree head, in every
	 * bundle version. */
	PV_TRY(pv_json_object(cx, p, path, "checkpoint", 1, &cp));
	pv_json_path(vpath, path, "checkpoint");
	PV_TRY(pv_json_only(cx, cp, vpath, m_checkpoint));
	PV_TRY(pv_json_string(cx, cp, vpath, "envelope", 1,
	                      PV_MAX_CHECKPOINT_BYTES, &text, &len));
	out->checkpoint = pv_strndup(text, len);
	if (out->checkpoint == NULL)
		return pv_json_oom(cx);
	out->checkpoint_len = len;
	return 0;
}

static int
parse_kind_version(const struct pv_json_ctx *cx, const json_t *e,
                   const char *path, struct pv_tlog_entry *out)
{
	char vpath[PV_JSON_PATH_MAX];
	json_t *kv;
	const char *s;
	size_t len;

	PV_TRY(pv_json_object(cx, e, path, "kindVersion", 1, &kv));
	pv_json_path(vpath, path, "kindVersion");
	PV_TRY(pv_json_only(cx, kv, vpath, m_kindver));
	PV_TRY(pv_json_string(cx, kv, vpath, "kind", 1, PV_MAX_SHORT_STRING, &s,
	                      &len));
	memcpy(out->kind, s, len + 1);
	PV_TRY(pv_json_string(cx, kv, vpath, "version", 1, PV_MAX_SHORT_STRING,
	                      &s, &len));
	memcpy(out->version, s, len + 1);
	return 0;
}

static int
parse_entry(const struct pv_json_ctx *cx, const json_t *e, const char *path,
            struct pv_tlog_entry *out)
{
	char vpath[PV_JSON_PATH_MAX];
	json_t *obj;

	if (!json_is_object(e))
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s is not an object", path);
	PV_TRY(pv_json_only(cx, e, path, m_entry));
	/* SPEC 1.5: negative log indexes are rejected
	 * (bundle-negative-log-index_fail); absent is 0 (SPEC 0.1). */
	PV_TRY(pv_json_int64(cx, e, path, "logIndex", &out->log_index, NULL));

	PV_TRY(pv_json_object(cx, e, path, "logId", 1, &obj));
	pv_json_path(vpath, path, "logId");
	PV_TRY(pv_json_only(cx, obj, vpath, m_logid));
	/* SPEC 1.5: Rekor v1 H(SPKI), Rekor v2 the C2SP key ID; both 32. */
	PV_TRY(pv_json_fixed(cx, obj, vpath, "keyId", out->log_id, 32));

	PV_TRY(parse_kind_version(cx, e, path, out));
	/* Absent for Rekor v2 entries (SPEC 0.1: 0 = no integrated time). */
	PV_TRY(pv_json_int64(cx, e, path, "integratedTime",
	                     &out->integrated_time, NULL));

	PV_TRY(pv_json_object(cx, e, path, "inclusionPromise", 0, &obj));
	if (obj != NULL) {
		pv_json_path(vpath, path, "inclusionPromise");
		PV_TRY(pv_json_only(cx, obj, vpath, m_promise));
		PV_TRY(pv_json_bytes(cx, obj, vpath, "signedEntryTimestamp", 1,
		                     (size_t)-1, &out->set));
	}
	PV_TRY(pv_json_object(cx, e, path, "inclusionProof", 0, &obj));
	if (obj != NULL) {
		out->has_proof = 1;
		pv_json_path(vpath, path, "inclusionProof");
		PV_TRY(parse_proof(cx, obj, vpath, &out->proof));
	}
	/* SPEC 3.15: the body is what the log hashed; without it nothing ties
	 * the entry to this signature. */
	return pv_json_bytes(cx, e, path, "canonicalizedBody", 1,
	                     PV_MAX_BODY_BYTES, &out->body);
}

static int
parse_entries(const struct pv_json_ctx *cx, const json_t *vm,
              pyverify_bundle *b)
{
	static const char path[] = "verificationMaterial";
	char epath[PV_JSON_PATH_MAX];
	json_t *arr, *e;
	size_t i, j, n;

	PV_TRY(pv_json_array(cx, vm, path, "tlogEntries", PV_MAX_TLOG_ENTRIES,
	                     &arr, &n));
	if (n == 0)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "verificationMaterial.tlogEntries is empty: "
		               "pyverify verifies offline and needs at least one "
		               "transparency log entry");
	b->entries = calloc(n, sizeof(*b->entries));
	if (b->entries == NULL)
		return pv_json_oom(cx);
	b->n_entries = n;
	json_array_foreach(arr, i, e) {
		pv_json_path_index(epath, path, "tlogEntries", i);
		PV_TRY(parse_entry(cx, e, epath, &b->entries[i]));
		/* SPEC 1.7 (Go): the same entry twice must not count twice
		 * towards a threshold. */
		for (j = 0; j < i; j++)
			if (b->entries[j].log_index == b->entries[i].log_index &&
			    memcmp(b->entries[j].log_id, b->entries[i].log_id,
			           32) == 0)
				return pv_fail(cx->err, PYVERIFY_EPARSE,
				               cx->step,
				               "%s duplicates tlogEntries[%zu] "
				               "(same logId and logIndex %lld)",
				               epath, j,
				               (long long)b->entries[i].log_index);
	}
	return 0;
}

static int
parse_timestamps(const struct pv_json_ctx *cx, const json_t *vm,
                 pyverify_bundle *b)
{
	char tpath[PV_JSON_PATH_MAX], epath[PV_JSON_PATH_MAX];
	json_t *td, *arr, *t;
	size_t i, j, n;

	PV_TRY(pv_json_object(cx, vm, "verificationMaterial",
	                      "timestampVerificationData", 0, &td));
	if (td == NULL)
		return 0;
	pv_json_path(tpath, "verificationMaterial",
	             "timestampVerificationData");
	PV_TRY(pv_json_only(cx, td, tpath, m_tsdata));
	PV_TRY(pv_json_array(cx, td, tpath, "rfc3161Timestamps",
	                     PV_MAX_TIMESTAMPS, &arr, &n));
	if (n == 0)
		return 0;
	b->timestamps = calloc(n, sizeof(*b->timestamps));
	if (b->timestamps == NULL)
		return pv_json_oom(cx);
	b->n_timestamps = n;
	json_array_foreach(arr, i, t) {
		pv_json_path_index(epath, tpath, "rfc3161Timestamps", i);
		if (!json_is_object(t))
			return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
			               "%s is not an object", epath);
		PV_TRY(pv_json_only(cx, t, epath, m_ts));
		PV_TRY(pv_json_bytes(cx, t, epath, "signedTimestamp", 1,
		                     (size_t)-1, &b->timestamps[i]));
		/* SPEC 1.6 / 3.15: one timestamp must not count twice. */
		for (j = 0; j < i; j++)
			if (b->timestamps[j].len == b->timestamps[i].len &&
			    memcmp(b->timestamps[j].data, b->timestamps[i].data,
			           b->timestamps[i].len) == 0)
				return pv_fail(cx->err, PYVERIFY_EPARSE,
				               cx->step,
				               "%s duplicates rfc3161Timestamps"
				               "[%zu]", epath, j);
	}
	return 0;
}

static int
parse_material(const struct pv_json_ctx *cx, const json_t *root,
               pyverify_bundle *b)
{
	json_t *vm;

	/* SPEC 1.2: verificationMaterial is required. */
	PV_TRY(pv_json_object(cx, root, "", "verificationMaterial", 1, &vm));
	PV_TRY(pv_json_only(cx, vm, "verificationMaterial", m_material));
	PV_TRY(parse_signer(cx, vm, b));
	PV_TRY(parse_entries(cx, vm, b));
	return parse_timestamps(cx, vm, b);
}

static int
parse_message_signature(const struct pv_json_ctx *cx, const json_t *ms,
                        pyverify_bundle *b)
{
	static const char path[] = "messageSignature";
	static const struct {
		const char *name;
		int alg;
		size_t len;
	} algs[] = {
		{ "SHA2_256", PV_HASH_SHA2_256, 32 },
		{ "SHA2_384", PV_HASH_SHA2_384, 48 },
		{ "SHA2_512", PV_HASH_SHA2_512, 64 },
	};
	char vpath[PV_JSON_PATH_MAX];
	json_t *md;
	const char *alg;
	size_t i, len;

	b->content = PV_CONTENT_MESSAGE;
	PV_TRY(pv_json_only(cx, ms, path, m_msgsig));
	PV_TRY(pv_json_bytes(cx, ms, path, "signature", 1, (size_t)-1,
	                     &b->signature));
	/* SPEC 1.4.1: an unauthenticated hint, optional; if present it must
	 * be well formed so that the artifact step can compare it. */
	PV_TRY(pv_json_object(cx, ms, path, "messageDigest", 0, &md));
	if (md == NULL)
		return 0;
	pv_json_path(vpath, path, "messageDigest");
	PV_TRY(pv_json_only(cx, md, vpath, m_hash));
	/* Enums by name only (the protobuf JSON output form). */
	PV_TRY(pv_json_string(cx, md, vpath, "algorithm", 1,
	                      PV_MAX_SHORT_STRING, &alg, &len));
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(alg, algs[i].name) == 0)
			break;
	if (i == sizeof(algs) / sizeof(algs[0]))
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s.algorithm is \"%.64s\", expected SHA2_256, "
		               "SHA2_384 or SHA2_512", vpath, alg);
	b->digest_alg = algs[i].alg;
	b->message_digest.data = malloc(algs[i].len);
	if (b->message_digest.data == NULL)
		return pv_json_oom(cx);
	b->message_digest.len = algs[i].len;
	PV_TRY(pv_json_fixed(cx, md, vpath, "digest", b->message_digest.data,
	                     algs[i].len));
	b->has_message_digest = 1;
	return 0;
}

/* SPEC 1.4.2: the DSSE envelope with exactly one signature. */
static int
parse_dsse(const struct pv_json_ctx *cx, const json_t *env, pyverify_bundle *b)
{
	static const char path[] = "dsseEnvelope";
	char vpath[PV_JSON_PATH_MAX];
	json_t *sigs, *sig;
	const char *s;
	size_t n, len;

	b->content = PV_CONTENT_DSSE;
	PV_TRY(pv_json_only(cx, env, path, m_env));
	PV_TRY(pv_json_bytes(cx, env, path, "payload", 1, (size_t)-1,
	                     &b->payload));
	PV_TRY(pv_json_string(cx, env, path, "payloadType", 1,
	                      PV_MAX_SHORT_STRING, &s, &len));
	b->payload_type = pv_strndup(s, len);
	if (b->payload_type == NULL)
		return pv_json_oom(cx);
	/* Both reference clients reject 0 or >= 2 signatures. */
	PV_TRY(pv_json_array(cx, env, path, "signatures", (size_t)-1, &sigs, &n));
	if (n != 1)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "dsseEnvelope.signatures has %zu elements, expected "
		               "exactly 1", n);
	sig = json_array_get(sigs, 0);
	pv_json_path_index(vpath, path, "signatures", 0);
	if (!json_is_object(sig))
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s is not an object", vpath);
	PV_TRY(pv_json_only(cx, sig, vpath, m_sig));
	PV_TRY(pv_json_bytes(cx, sig, vpath, "sig", 1, (size_t)-1,
	                     &b->signature));
	/* keyid: an unauthenticated hint, usually absent or "". */
	PV_TRY(pv_json_string(cx, sig, vpath, "keyid", 0, PV_MAX_SHORT_STRING,
	                      &s, &len));
	if (s != NULL) {
		b->dsse_keyid = pv_strndup(s, len);
		if (b->dsse_keyid == NULL)
			return pv_json_oom(cx);
	}
	return 0;
}

static int
parse_content(const struct pv_json_ctx *cx, const json_t *root,
              pyverify_bundle *b)
{
	json_t *ms, *env;

	PV_TRY(pv_json_object(cx, root, "", "messageSignature", 0, &ms));
	PV_TRY(pv_json_object(cx, root, "", "dsseEnvelope", 0, &env));
	/* SPEC 1.2: exactly one content member. */
	if ((ms == NULL) == (env == NULL))
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "bundle has %s of messageSignature and dsseEnvelope, "
		               "expected exactly one", ms == NULL ? "neither" : "both");
	return ms != NULL ? parse_message_signature(cx, ms, b)
	                  : parse_dsse(cx, env, b);
}

/* SPEC 1.7: the requirements that depend on the bundle version. */
static int
check_version_rules(const struct pv_json_ctx *cx, const pyverify_bundle *b)
{
	size_t i;

	if (b->minor >= 3 && b->material == PV_MATERIAL_CHAIN)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "verificationMaterial.x509CertificateChain is not "
		               "allowed in a v0.3 bundle, expected certificate");
	/* SPEC 1.7: the single `certificate` form belongs to v0.3; v0.1 and
	 * v0.2 carry the leaf in x509CertificateChain. Go accepts the mix,
	 * Python does not: the stricter reading. */
	if (b->minor < 3 && b->material == PV_MATERIAL_CERTIFICATE)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "verificationMaterial.certificate is not allowed "
		               "in a v0.%d bundle, expected x509CertificateChain",
		               b->minor);
	for (i = 0; i < b->n_entries; i++) {
		if (b->minor == 1 && b->entries[i].set.len == 0)
			return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
			               "verificationMaterial.tlogEntries[%zu] has "
			               "no inclusionPromise, which a v0.1 bundle "
			               "requires", i);
		if (b->minor >= 2 && !b->entries[i].has_proof)
			return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
			               "verificationMaterial.tlogEntries[%zu] has "
			               "no inclusionProof, which a v0.%d bundle "
			               "requires", i, b->minor);
	}
	return 0;
}

static void
entry_clear(struct pv_tlog_entry *e)
{
	pv_bytes_clear(&e->set);
	free(e->proof.hashes);
	free(e->proof.checkpoint);
	pv_bytes_clear(&e->body);
}

void
pyverify_bundle_free(pyverify_bundle *b)
{
	size_t i;

	if (b == NULL)
		return;
	free(b->media_type);
	for (i = 0; i < b->n_certs; i++)
		pv_bytes_clear(&b->certs[i]);
	free(b->certs);
	free(b->key_hint);
	pv_bytes_clear(&b->message_digest);
	pv_bytes_clear(&b->signature);
	pv_bytes_clear(&b->payload);
	free(b->payload_type);
	free(b->dsse_keyid);
	for (i = 0; i < b->n_entries; i++)
		entry_clear(&b->entries[i]);
	free(b->entries);
	for (i = 0; i < b->n_timestamps; i++)
		pv_bytes_clear(&b->timestamps[i]);
	free(b->timestamps);
	free(b);
}

int
pyverify_bundle_load_memory(pyverify_bundle **out, const void *buf, size_t len,
                            pyverify_error *err)
{
	const struct pv_json_ctx cx = { STEP, err, 0 };
	pyverify_bundle *b = NULL;
	json_t *root = NULL;
	int rc;

	if ((rc = pv_json_parse_input(&cx, out, buf, len, PV_MAX_BUNDLE_BYTES,
	                              "bundle", &root)) != 0)
		return rc;
	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		rc = pv_json_oom(&cx);
		goto done;
	}
	if ((rc = pv_json_only(&cx, root, "", m_bundle)) != 0 ||
	    (rc = parse_media_type(&cx, root, b)) != 0 ||
	    (rc = parse_material(&cx, root, b)) != 0 ||
	    (rc = parse_content(&cx, root, b)) != 0 ||
	    (rc = check_version_rules(&cx, b)) != 0)
		goto done;
	*out = b;
	b = NULL; /* the caller owns it now */
done:
	pyverify_bundle_free(b);
	json_decref(root);
	return rc;
}

static int
load_memory(void *out, const void *buf, size_t len, const char *path,
            pyverify_error *err)
{
	(void)path; /* a bundle does not keep where it came from */
	return pyverify_bundle_load_memory(out, buf, len, err);
}

int
pyverify_bundle_load_file(pyverify_bundle **out, const char *path,
                          pyverify_error *err)
{
	const struct pv_json_ctx cx = { STEP, err, 0 };

	return pv_json_load_file(&cx, path, PV_MAX_BUNDLE_BYTES, "bundle",
	                         load_memory, out);
}

const char *
pyverify_bundle_media_type(const pyverify_bundle *b)
{
	return b != NULL && b->media_type != NULL ? b->media_type : "";
}
