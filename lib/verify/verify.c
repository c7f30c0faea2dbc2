/*
 * verify.c - the orchestrator: walks the verification steps in the
 * documented order and reports the first one that fails. It parses nothing
 * itself; every check lives in its step module.
 *
 * Order (README "What is verified"):
 *   0. policy vs. material (certificate or managed key), time sources:
 *      RFC 3161 timestamps are verified first because they are signing times;
 *   1. certificate chain to Fulcio at every signing time, leaf profile;
 *   2. embedded SCT;
 *   3. every transparency log entry: known log, body, SET, inclusion proof,
 *      checkpoint, integrated time;
 *   4. the artifact signature (message or DSSE, plus in-toto subject);
 *   5. identity and issuer policy.
 * The chain is checked at the log's claimed integrated time in step 1 and
 * step 3 then authenticates that time (SET); every step must pass, so the
 * order only decides which failure is reported first.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "verify/steps.h"

#define MAX_TIMES (PV_MAX_TLOG_ENTRIES + PV_MAX_TIMESTAMPS)

struct times {
	int64_t ms[MAX_TIMES];
	const char *what[MAX_TIMES];
	const void *source[MAX_TIMES]; /* the log or authority vouching */
	size_t n;
};

static void
times_add(struct times *t, int64_t ms, const char *what, const void *source)
{
	if (t->n < MAX_TIMES) {
		t->ms[t->n] = ms;
		t->what[t->n] = what;
		t->source[t->n] = source;
		t->n++;
	}
}

/* SPEC 3.2.1: a threshold counts independent witnesses, so each log and
 * each timestamp authority counts once however many times it signed. */
static size_t
times_sources(const struct times *t)
{
	size_t i, j, n = 0;

	for (i = 0; i < t->n; i++) {
		for (j = 0; j < i; j++)
			if (t->source[j] == t->source[i])
				break;
		n += j == i;
	}
	return n;
}

/* SPEC 3.12: Rekor v2 entries are hashedrekord/dsse 0.0.2 (intoto 0.0.2
 * is a Rekor v1 kind). */
static int
entry_is_rekor_v2(const struct pv_tlog_entry *e)
{
	return strcmp(e->version, "0.0.2") == 0 &&
	       (strcmp(e->kind, "hashedrekord") == 0 ||
	        strcmp(e->kind, "dsse") == 0);
}

static int
any_rekor_v2(const pyverify_bundle *b)
{
	size_t i;

	for (i = 0; i < b->n_entries; i++)
		if (entry_is_rekor_v2(&b->entries[i]))
			return 1;
	return 0;
}

static int
check_material(const pyverify_bundle *b, const pyverify_policy *p,
               pyverify_error *err)
{
	if (b->material == PV_MATERIAL_PUBLIC_KEY) {
		/* SPEC 3.14: an identity policy can never be satisfied by a
		 * key bundle (managed-key-no-key_fail). */
		if (!p->has_key)
			return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_KEY,
			               "the bundle is signed with a managed key, "
			               "not a Fulcio certificate: verify it with "
			               "--key KEY.pem");
		return 0;
	}
	if (p->has_key)
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_KEY,
		               "a key was given, but the bundle is signed with a "
		               "Fulcio certificate: verify it with "
		               "--certificate-identity and "
		               "--certificate-oidc-issuer");
	if (p->n_rules == 0)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_POLICY,
		               "no expected identity and issuer were given");
	return 0;
}

/* Step 0: RFC 3161 timestamps. Every timestamp the bundle carries must
 * verify (stricter than the reference clients, which drop bad ones). */
static int
verify_timestamps(const pyverify_trust_root *root, const pyverify_bundle *b,
                  struct times *verified, pyverify_error *err)
{
	size_t i;

	if (b->n_timestamps > 0 && root->n_tsas == 0)
		/* SPEC 7.20: Python fails here; failing is safer. */
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_TIMESTAMP,
		               "the bundle carries %zu RFC 3161 timestamp(s) but "
		               "the trusted root (%s) has no timestamp authority",
		               b->n_timestamps, root->source);
	for (i = 0; i < b->n_timestamps; i++) {
		int64_t t = 0;
		size_t tsa = 0;
		int rc = pv_tsa_verify_from(root, b->timestamps[i].data,
		                            b->timestamps[i].len,
		                            b->signature.data, b->signature.len,
		                            &t, &tsa, err);
		if (rc != 0)
			return rc;
		times_add(verified, t, "RFC 3161 timestamp", &root->tsas[tsa]);
	}
	return 0;
}

/* Collects the integrated times the log entries claim. Only those with an
 * inclusion promise count as verified times (SPEC 3.2.1: an inclusion proof
 * alone never authenticates a time), and step 3 verifies the promise; every
 * claimed time must still lie inside the leaf validity (SPEC 3.2.3). */
static int
collect_log_times(const pyverify_trust_root *root, const pyverify_bundle *b,
                  struct times *verified, struct times *claimed,
                  pyverify_error *err)
{
	size_t i;

	for (i = 0; i < b->n_entries; i++) {
		const struct pv_tlog_entry *e = &b->entries[i];
		if (entry_is_rekor_v2(e) &&
		    (e->integrated_time != 0 || e->set.len != 0))
			return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_TLOG,
			               "log entry %zu is a Rekor v2 entry (%s "
			               "%s) but claims an integrated time or "
			               "inclusion promise, which Rekor v2 never "
			               "issues", i, e->kind, e->version);
		if (e->integrated_time <= 0)
			continue;
		if (e->integrated_time > INT64_MAX / 1000)
			return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_TLOG,
			               "log entry %zu has an impossible integrated "
			               "time", i);
		/* An unknown log is rejected at step 3; until then it is
		 * one (NULL) source like any other. */
		if (e->set.len > 0)
			times_add(verified, e->integrated_time * 1000,
			          "log integrated time",
			          pv_trust_root_find_tlog(root, e->log_id));
		else
			times_add(claimed, e->integrated_time * 1000,
			          "log integrated time (unsigned)", NULL);
	}
	return 0;
}

/* Step 1: the Fulcio chain at every verified time, and the leaf valid at
 * every time anything claims. */
static int
verify_certificate(const pyverify_trust_root *root, X509 *leaf,
                   const struct times *verified, const struct times *claimed,
                   X509 **issuer, pyverify_error *err)
{
	size_t i;

	for (i = 0; i < verified->n; i++) {
		X509 *iss = NULL;
		PV_TRY(pv_cert_check_time(leaf, verified->ms[i],
		                          verified->what[i], err));
		PV_TRY(pv_chain_verify(root, leaf, verified->ms[i], &iss, err));
		if (*issuer == NULL)
			*issuer = iss;
		else
			X509_free(iss);
	}
	for (i = 0; i < claimed->n; i++)
		PV_TRY(pv_cert_check_time(leaf, claimed->ms[i], claimed->what[i],
		                          err));
	return pv_leaf_check_profile(leaf, err);
}

static int
verify_proof(const struct pv_tlog_entry *e, size_t i, const struct pv_tlog *log,
             const uint8_t leaf_hash[32], pyverify_error *err)
{
	const struct pv_inclusion_proof *p = &e->proof;
	struct pv_checkpoint cp;
	int v2 = entry_is_rekor_v2(e);
	char want[65], got[65];

	/* SPEC 3.10: Rekor v1 proofs are shard-local (inclusionProof.logIndex);
	 * Rekor v2 uses the top-level index, which the proof repeats: a
	 * disagreement is rejected rather than ignored. */
	if (v2 && p->log_index != e->log_index)
		return pv_fail(err, PYVERIFY_EREJECT,
		               PYVERIFY_STEP_INCLUSION_PROOF,
		               "log entry %zu: inclusion proof is for index %lld "
		               "but the entry is at index %lld", i,
		               (long long)p->log_index, (long long)e->log_index);
	PV_TRY(pv_merkle_verify_inclusion(leaf_hash, (uint64_t)p->log_index,
	                                  (uint64_t)p->tree_size, p->hashes,
	                                  p->n_hashes, p->root_hash, err));
	PV_TRY(pv_checkpoint_verify(&cp, p->checkpoint, p->checkpoint_len, log,
	                            v2, err));
	/* The signed checkpoint must commit to exactly the tree the proof
	 * was computed against (checkpoint-wrong-roothash_fail). */
	if (cp.size != (uint64_t)p->tree_size ||
	    memcmp(cp.root_hash, p->root_hash, 32) != 0) {
		pv_hex_encode(want, p->root_hash, 32);
		pv_hex_encode(got, cp.root_hash, 32);
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_CHECKPOINT,
		               "log entry %zu: the signed checkpoint is for tree "
		               "size %llu root %.16s..., but the inclusion proof "
		               "is for tree size %lld root %.16s...", i,
		               (unsigned long long)cp.size, got,
		               (long long)p->tree_size, want);
	}
	return 0;
}

/* SPEC 7.14: a Rekor v2 entry has no integrated time, so the log key's
 * validFor window is checked against the signing times the timestamp
 * authorities vouch for (stricter than the reference clients, which do
 * not check it at all). The same holds for a Rekor v1 entry without an
 * inclusion promise: its integratedTime is an unsigned claim (SPEC 3.2.1),
 * so a log key outside its window at the verified times must not count
 * just because the claim was written inside it. */
static int
check_log_window_at_signing_times(const pyverify_trust_root *root,
                                  const struct pv_tlog *log, size_t i,
                                  const struct times *verified,
                                  pyverify_error *err)
{
	char when[32], start[32], end[32];
	size_t k;

	for (k = 0; k < verified->n; k++) {
		if (pv_time_range_contains(&log->valid, verified->ms[k]))
			continue;
		pv_format_rfc3339_ms(when, verified->ms[k]);
		pv_format_window(&log->valid, start, end);
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_TLOG,
		               "log entry %zu is from log %s, whose key the "
		               "trusted root %s lists as valid from %s to %s, "
		               "but the bundle was signed at %s (%s); the "
		               "trusted root may be out of date", i,
		               log->base_url, root->source, start, end, when,
		               verified->what[k]);
	}
	return 0;
}

/* An integrated time is never later than the verifier's clock (no
 * tolerance: the stricter reading) and lies inside the log key's validFor
 * window. */
static int
check_integrated_time(const pyverify_trust_root *root,
                      const struct pv_tlog *log,
                      const struct pv_tlog_entry *e, size_t i, int64_t now,
                      pyverify_error *err)
{
	char when[32], nowtxt[32], start[32], end[32];

	pv_format_rfc3339(when, e->integrated_time);
	if (e->integrated_time > now) {
		pv_format_rfc3339(nowtxt, now);
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_TLOG,
		               "log entry %zu has an integrated time in the "
		               "future (%s, now %s)", i, when, nowtxt);
	}
	if (pv_time_range_contains(&log->valid, e->integrated_time * 1000))
		return 0;
	pv_format_window(&log->valid, start, end);
	return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_TLOG,
	               "log entry %zu was integrated at %s, outside the "
	               "validity of log %s (%s to %s) in the trusted root %s; "
	               "the trusted root may be out of date", i, when,
	               log->base_url, start, end, root->source);
}

/* Step 3: each transparency log entry. */
static int
verify_entries(const pyverify_trust_root *root, const pyverify_bundle *b,
               const struct pv_signed_content *content,
               const struct times *verified, int64_t now,
               pyverify_error *err)
{
	size_t i;

	for (i = 0; i < b->n_entries; i++) {
		const struct pv_tlog_entry *e = &b->entries[i];
		const struct pv_tlog *log;
		uint8_t leaf_hash[32];
		char id[65];

		pv_hex_encode(id, e->log_id, 32);
		log = pv_trust_root_find_tlog(root, e->log_id);
		if (log == NULL)
			return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_TLOG,
			               "log entry %zu is from a transparency log "
			               "the trusted root does not know (log id "
			               "%s): the trusted root loaded from %s may "
			               "be out of date, or the bundle comes from "
			               "another Sigstore instance", i, id,
			               root->source);
		if (entry_is_rekor_v2(e) && !e->has_proof)
			return pv_fail(err, PYVERIFY_EREJECT,
			               PYVERIFY_STEP_INCLUSION_PROOF,
			               "log entry %zu is a Rekor v2 entry without "
			               "an inclusion proof; pyverify never asks "
			               "the log online", i);
		if (e->set.len == 0)
			PV_TRY(check_log_window_at_signing_times(root, log, i,
			                                         verified, err));
		PV_TRY(pv_tlog_check_body(e, content, leaf_hash, err));
		if (e->set.len > 0)
			PV_TRY(pv_tlog_verify_set(e, log, err));
		if (e->integrated_time > 0)
			PV_TRY(check_integrated_time(root, log, e, i, now, err));
		if (e->has_proof)
			PV_TRY(verify_proof(e, i, log, leaf_hash, err));
	}
	return 0;
}

/* Which digest of the artifact a message signature signs, and that
 * digest (SPEC 3.7.1); fails at the artifact step when the caller gave
 * another one. */
static int
message_digest(const pyverify_bundle *b, const pyverify_artifact *a,
               const struct pv_pubkey *key,
               const struct pv_digest_info **d_out, const uint8_t **digest,
               pyverify_error *err)
{
	const struct pv_digest_info *d;
	char have[64];

	d = pv_digest_by_alg(pv_message_digest_alg(b, key));
	if (d == NULL)
		d = pv_digest_by_alg(PV_HASH_SHA2_256);
	*digest = pv_artifact_digest(a, d->alg);
	if (*digest == NULL) {
		pv_artifact_known_names(have, sizeof(have), a);
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_ARTIFACT,
		               "the bundle signs the artifact's %s digest, but "
		               "its %s digest was given: give the artifact "
		               "file, or its digest as %s:HEX", d->title,
		               have, d->name);
	}
	*d_out = d;
	return 0;
}

/* The answer of a pv_pubkey_verify_* (1 valid, 0 invalid, -1 did not run)
 * as a result: what names the signature in a rejection, why (may be "")
 * follows it. */
static int
signature_verdict(int ok, const char *what, const char *signer,
                  const char *why, pyverify_error *err)
{
	if (ok < 0)
		return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_SIGNATURE,
		               "the signature check could not run (OpenSSL "
		               "failed): no verdict on the bundle");
	if (!ok)
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_SIGNATURE,
		               "%s does not verify with %s%s", what, signer,
		               why);
	return 0;
}

/* Step 4: the signature over the artifact (or over the DSSE PAE). */
static int
verify_signature(const pyverify_bundle *b, const pyverify_artifact *a,
                 const struct pv_pubkey *key, int is_cert,
                 pyverify_error *err)
{
	const char *signer = is_cert ? "the signing certificate's key"
	                             : "the given key";
	const struct pv_digest_info *d = NULL;
	const uint8_t *digest = NULL;
	int ok;

	if (b->content == PV_CONTENT_MESSAGE) {
		PV_TRY(message_digest(b, a, key, &d, &digest, err));
		if (b->has_message_digest) {
			char want[2 * EVP_MAX_MD_SIZE + 1];
			char got[2 * EVP_MAX_MD_SIZE + 1];
			/* SPEC 1.4.1: the digest is only a hint, but one
			 * that disagrees means the bundle is for another
			 * artifact (message-digest-mismatch_fail). The
			 * bundle parser sized it for its algorithm, which
			 * is d. */
			if (b->message_digest.len != d->len ||
			    memcmp(b->message_digest.data, digest, d->len) !=
			        0) {
				pv_hex_encode(want, b->message_digest.data,
				              b->message_digest.len);
				pv_hex_encode(got, digest, d->len);
				return pv_fail(err, PYVERIFY_EREJECT,
				               PYVERIFY_STEP_ARTIFACT,
				               "the bundle was made for artifact "
				               "%s:%s, not for this artifact "
				               "(%s:%s)", d->name, want,
				               d->name, got);
			}
		}
		if (key->details == PV_KEY_PKIX_ED25519)
			return pv_fail(err, PYVERIFY_EREJECT,
			               PYVERIFY_STEP_SIGNATURE,
			               "pure Ed25519 signatures cannot be "
			               "verified from a digest; pyverify does "
			               "not support Ed25519 message signatures");
		/* SPEC 3.7.1: the signature is over the digest as a
		 * prehash, which is what makes digest-only input work. */
		ok = pv_pubkey_verify_prehash(key, pv_digest_md(d), digest,
		                              d->len, b->signature.data,
		                              b->signature.len);
		return signature_verdict(ok, "the artifact signature", signer,
		                         ": the artifact or the signature was "
		                         "altered", err);
	} else {
		struct pv_bytes pae = { 0 };
		if (pv_dsse_pae(&pae, b->payload_type, b->payload.data,
		                b->payload.len) != 0)
			return pv_fail(err, PYVERIFY_ENOMEM,
			               PYVERIFY_STEP_SIGNATURE, "out of memory");
		/* SPEC 3.7.2: the signature covers PAE, not the payload. */
		ok = pv_pubkey_verify_message(key, pae.data, pae.len,
		                              b->signature.data,
		                              b->signature.len);
		pv_bytes_clear(&pae);
		PV_TRY(signature_verdict(ok, "the DSSE envelope signature",
		                         signer, "", err));
		return pv_dsse_match_subject_digests(b->payload_type,
		                                     b->payload.data,
		                                     b->payload.len, a, err);
	}
}

static void
fill_result(pyverify_result *res, const pyverify_bundle *b,
            const struct times *verified)
{
	size_t i;
	int64_t first = INT64_MAX;

	for (i = 0; i < verified->n; i++)
		if (verified->ms[i] < first)
			first = verified->ms[i];
	res->signing_time = first == INT64_MAX ? 0 : first / 1000;
	res->verified_times = (unsigned)verified->n;
	res->bundle_minor_version = b->minor;
	res->log_index = b->n_entries ? b->entries[0].log_index : -1;
	res->integrated_time = b->n_entries ? b->entries[0].integrated_time : 0;
	if (b->n_entries)
		pv_hex_encode(res->log_id_hex, b->entries[0].log_id, 32);
}

int
pyverify_verify(const pyverify_trust_root *root, const pyverify_bundle *b,
                const pyverify_artifact *artifact,
                const pyverify_policy *policy, pyverify_result *out,
                pyverify_error *err)
{
	pyverify_result *res = NULL;
	struct times *verified = NULL, *claimed = NULL;
	struct pv_pubkey leaf_key = { 0 };
	struct pv_cert_identity id = { 0 };
	struct pv_signed_content content;
	const struct pv_pubkey *key;
	X509 *leaf = NULL, *issuer = NULL;
	int is_cert, rc;
	int64_t now;

	pv_error_clear(err);
	if (root == NULL || b == NULL || artifact == NULL || policy == NULL ||
	    out == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "pyverify_verify needs a trusted root, a bundle, "
		               "an artifact, a policy and a result");
	now = policy->has_now ? policy->now : (int64_t)time(NULL);
	res = calloc(1, sizeof(*res));
	verified = calloc(1, sizeof(*verified));
	claimed = calloc(1, sizeof(*claimed));
	if (res == NULL || verified == NULL || claimed == NULL) {
		rc = pv_fail(err, PYVERIFY_ENOMEM, PYVERIFY_STEP_NONE,
		             "out of memory");
		goto done;
	}
	res->policy_index = -1;
	rc = check_material(b, policy, err);
	if (rc != 0)
		goto done;
	is_cert = b->material != PV_MATERIAL_PUBLIC_KEY;
	if (is_cert) {
		leaf = pv_x509_from_der(b->certs[0].data, b->certs[0].len);
		if (leaf == NULL) {
			rc = pv_fail(err, PYVERIFY_EPARSE,
			             PYVERIFY_STEP_BUNDLE_FORMAT,
			             "the signing certificate is not one valid "
			             "DER X.509 certificate");
			goto done;
		}
		/* The leaf alone (the usual case) was just parsed; the chain
		 * check matters only when the bundle carries more. */
		if ((b->n_certs > 1 &&
		     (rc = pv_bundle_chain_check_from(b->certs, b->n_certs, 1,
		                                      err))) ||
		    (rc = pv_pubkey_from_x509(&leaf_key, leaf,
		                              PYVERIFY_STEP_CERTIFICATE_CHAIN,
		                              err)))
			goto done;
		key = &leaf_key;
	} else {
		key = &policy->key;
	}

	/* Signing times. */
	if ((rc = verify_timestamps(root, b, verified, err)) ||
	    (rc = collect_log_times(root, b, verified, claimed, err)))
		goto done;
	if (times_sources(verified) < policy->min_times) {
		rc = pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_TIMESTAMP,
		             "the bundle has verifiable signing times from %zu "
		             "independent source(s) (transparency logs with an "
		             "inclusion promise, timestamp authorities), %u "
		             "required%s", times_sources(verified),
		             policy->min_times,
		             verified->n != 0 ? ""
		             : any_rekor_v2(b)
		                 ? ": a Rekor v2 entry needs an RFC 3161 "
		                   "timestamp"
		                 : ": no log entry has an inclusion promise and "
		                   "there is no RFC 3161 timestamp");
		goto done;
	}

	/* Issue 3: a Rekor v2 entry brings no time of its own, so it needs a
	 * verified RFC 3161 timestamp even when another entry of the bundle
	 * has a promised log time (verify_timestamps has verified every
	 * timestamp the bundle carries, so carrying one means one verified). */
	if (any_rekor_v2(b) && b->n_timestamps == 0) {
		rc = pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_TIMESTAMP,
		             "the bundle has a Rekor v2 log entry but no RFC "
		             "3161 timestamp: a Rekor v2 entry needs one as its "
		             "signing time");
		goto done;
	}

	/* Steps 1 and 2: certificate chain and SCT. */
	if (is_cert) {
		if ((rc = verify_certificate(root, leaf, verified, claimed,
		                             &issuer, err)) ||
		    (rc = pv_bundle_chain_agrees(root, b->certs, b->n_certs,
		                                 leaf, issuer, err)) ||
		    (rc = pv_sct_verify(root, leaf, issuer, err)))
			goto done;
	}

	/* Step 3: transparency log entries. The digest the message
	 * signature signs is settled first, so that an artifact given by
	 * another algorithm's digest is named as such rather than as a log
	 * entry about another artifact. */
	memset(&content, 0, sizeof(content));
	if (b->content == PV_CONTENT_MESSAGE) {
		const struct pv_digest_info *d;
		if ((rc = message_digest(b, artifact, key, &d,
		                         &content.artifact_digest, err)))
			goto done;
		content.digest_alg = d->alg;
	}
	content.content = b->content;
	content.artifact_sha256 = pv_artifact_digest(artifact,
	                                             PV_HASH_SHA2_256);
	content.signature = b->signature.data;
	content.signature_len = b->signature.len;
	content.payload = b->payload.data;
	content.payload_len = b->payload.len;
	content.payload_type = b->payload_type;
	content.cert_der = is_cert ? b->certs[0].data : NULL;
	content.cert_len = is_cert ? b->certs[0].len : 0;
	content.key = key;
	if ((rc = verify_entries(root, b, &content, verified, now, err)))
		goto done;

	/* Step 4: the signature. */
	if ((rc = verify_signature(b, artifact, key, is_cert, err)))
		goto done;

	/* Step 5: who signed. */
	if (is_cert) {
		if ((rc = pv_cert_identity_read(&id, leaf, err)) ||
		    (rc = pv_identity_match(&id, policy, res, err)))
			goto done;
	}

	fill_result(res, b, verified);
	*out = *res;
	rc = PYVERIFY_OK; /* the only place that says yes */
done:
	pv_cert_identity_clear(&id);
	pv_pubkey_clear(&leaf_key);
	X509_free(issuer);
	X509_free(leaf);
	free(res);
	free(verified);
	free(claimed);
	return rc;
}
