/*
 * test_conformance_derived.c - upstream conformance cases (SPEC 3.16) that
 * are missing from ../shared/testdata/conformance/cases, rebuilt from the
 * real bundles and trusted roots we do have by exactly the mutation SPEC
 * 3.16 describes. Each case is driven like tests/test_conformance.c drives
 * a directory (the base case's trusted root or the production one, its
 * artifact or ../a.txt, its key.pub or the default identity/issuer), once
 * with the artifact file and once with its sha256: digest.
 *
 * Every *_fail derivation first checks that its unmodified base verifies,
 * so the rejection is caused by the mutation, then asserts the status and
 * the exact step that rejects it; a comment says why that step is the
 * right one when it is not the one the case name suggests.
 *
 * Upstream cases that cannot be rebuilt without a private key (a fresh
 * log entry, SET or timestamp) are listed at the end of this file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include "verify/steps.h"
#include "pyverify.h"
#include "testdata.h"

#define DEFAULT_IDENTITY                                                       \
	"https://github.com/sigstore-conformance/extremely-dangerous-public-"  \
	"oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@"   \
	"refs/heads/main"
#define DEFAULT_ISSUER "https://token.actions.githubusercontent.com"

#define MT_V01 "application/vnd.dev.sigstore.bundle+json;version=0.1"
#define MT_V03_NEW "application/vnd.dev.sigstore.bundle.v0.3+json"

/* The em dash that starts every signed-note signature line (SPEC 3.10). */
#define SIG_DASH "\xe2\x80\x94 "

/* snprintf that fails the test instead of truncating a path. */
#define JOIN(buf, ...)                                                         \
	cr_assert(snprintf(buf, sizeof(buf), __VA_ARGS__) < (int)sizeof(buf),  \
	          "path too long")

#define NEED_TESTDATA()                                                        \
	do {                                                                   \
		if (td_dir() == NULL)                                          \
			cr_skip_test("../shared/testdata is absent: no "       \
			             "conformance bundles to derive from");    \
	} while (0)

/* One derived case: the base directory supplies every default the
 * conformance harness would take from it; bundle and root are the
 * (mutated) documents actually verified. */
struct derived {
	const char *name; /* upstream case name, for messages */
	const char *base; /* case directory under conformance/cases */
	json_t *bundle;   /* bundle to verify (borrowed) */
	json_t *root;     /* trusted root, or NULL: the base's or production */
	int ignore_key;   /* identity flags even though the base has key.pub */
};

/* ---- loading and small JSON helpers ----------------------------------- */

static json_t *
load_json(const char *rel)
{
	json_error_t jerr;
	json_t *j = json_load_file(td_path(rel), 0, &jerr);

	cr_assert_not_null(j, "%s: %s", rel, jerr.text);
	return j;
}

static json_t *
case_json(const char *base, const char *file)
{
	char rel[512];

	JOIN(rel, "conformance/cases/%s/%s", base, file);
	return load_json(rel);
}

/* The JSON value at a dotted path ("a.b.0.c"); asserts it exists. */
static json_t *
at(json_t *j, const char *path)
{
	char buf[256];
	char *p = buf, *dot;

	JOIN(buf, "%s", path);
	while (j != NULL && p != NULL) {
		dot = strchr(p, '.');
		if (dot != NULL)
			*dot = '\0';
		if (p[0] >= '0' && p[0] <= '9')
			j = json_array_get(j, strtoul(p, NULL, 10));
		else
			j = json_object_get(j, p);
		p = dot != NULL ? dot + 1 : NULL;
	}
	cr_assert_not_null(j, "no %s in the JSON", path);
	return j;
}

static void
set_string(json_t *obj, const char *key, const char *value)
{
	cr_assert_eq(json_object_set_new(obj, key, json_string(value)), 0);
}

static json_t *
tlog0(json_t *bundle)
{
	return at(bundle, "verificationMaterial.tlogEntries.0");
}

static json_t *
checkpoint_of(json_t *bundle)
{
	return at(tlog0(bundle), "inclusionProof.checkpoint");
}

static const char *
envelope_of(json_t *bundle)
{
	const char *s = json_string_value(at(checkpoint_of(bundle),
	                                     "envelope"));

	cr_assert_not_null(s, "checkpoint envelope is not a string");
	return s;
}

/* Copy of s with every occurrence of from replaced by to (malloc'd). */
static char *
replace_all(const char *s, const char *from, const char *to)
{
	size_t flen = strlen(from), tlen = strlen(to), n = 0, len;
	const char *p;
	char *out, *o;

	for (p = strstr(s, from); p != NULL; p = strstr(p + flen, from))
		n++;
	len = strlen(s) + n * tlen + 1;
	out = malloc(len);
	cr_assert_not_null(out);
	for (o = out; (p = strstr(s, from)) != NULL; s = p + flen) {
		memcpy(o, s, (size_t)(p - s));
		o += p - s;
		memcpy(o, to, tlen);
		o += tlen;
	}
	memcpy(o, s, strlen(s) + 1);
	return out;
}

/* The i-th line (0-based, with its '\n') of text, malloc'd. */
static char *
line_of(const char *text, int i)
{
	const char *end;
	char *out;

	for (; i > 0 && text != NULL; i--) {
		text = strchr(text, '\n');
		if (text != NULL)
			text++;
	}
	cr_assert(text != NULL && *text != '\0', "line missing");
	end = strchr(text, '\n');
	cr_assert_not_null(end, "line without a newline");
	out = strndup(text, (size_t)(end - text) + 1);
	cr_assert_not_null(out);
	return out;
}

/* Sets the checkpoint envelope to its current text followed by `extra`. */
static void
append_to_checkpoint(json_t *bundle, const char *extra)
{
	const char *env = envelope_of(bundle);
	size_t a = strlen(env), b = strlen(extra);
	char *s = malloc(a + b + 1);

	cr_assert_not_null(s);
	memcpy(s, env, a);
	memcpy(s + a, extra, b + 1);
	set_string(checkpoint_of(bundle), "envelope", s);
	free(s);
}

/* ---- driving the library like tests/test_conformance.c ---------------- */

static int
run_mode(const struct derived *d, int by_digest, pyverify_error *err)
{
	char path[4096], digest[72];
	pyverify_trust_root *root = NULL;
	pyverify_bundle *bundle = NULL;
	pyverify_policy *policy = NULL;
	pyverify_artifact artifact;
	pyverify_result res;
	char *text = NULL, *identity = NULL, *issuer = NULL, *key = NULL;
	size_t key_len = 0;
	int rc, i;

	if (d->root != NULL) {
		text = json_dumps(d->root, JSON_COMPACT);
		cr_assert_not_null(text);
		rc = pyverify_trust_root_load_memory(&root, text, strlen(text),
		                                     d->name, err);
		free(text);
		text = NULL;
	} else {
		JOIN(path, "%s/conformance/cases/%s/trusted_root.json",
		     td_dir(), d->base);
		if (!td_exists(path))
			JOIN(path, "%s", td_path("sigstore/"
			                         "production.trusted_root.json"));
		rc = pyverify_trust_root_load_file(&root, path, err);
	}
	if (rc != 0)
		goto done;

	JOIN(path, "%s/conformance/cases/%s/artifact", td_dir(), d->base);
	if (!td_exists(path))
		JOIN(path, "%s", td_path("conformance/a.txt"));
	rc = pyverify_artifact_from_file(&artifact, path, err);
	cr_assert_eq(rc, 0, "%s: artifact %s unreadable: %s", d->name, path,
	             err->msg);
	if (by_digest) {
		memcpy(digest, "sha256:", 7);
		for (i = 0; i < 32; i++)
			snprintf(digest + 7 + 2 * i, 3, "%02x",
			         artifact.sha256[i]);
		rc = pyverify_artifact_from_digest(&artifact, digest, err);
		cr_assert_eq(rc, 0);
	}

	rc = pyverify_policy_new(&policy, err);
	cr_assert_eq(rc, 0);
	JOIN(path, "%s/conformance/cases/%s/key.pub", td_dir(), d->base);
	if (!d->ignore_key)
		key = td_read(path, &key_len);
	if (key != NULL) {
		rc = pyverify_policy_set_key_pem(policy, key, key_len, err);
		if (rc != 0)
			goto done;
	} else {
		JOIN(path, "%s/conformance/cases/%s/identity", td_dir(),
		     d->base);
		identity = td_read_line(path);
		JOIN(path, "%s/conformance/cases/%s/issuer", td_dir(), d->base);
		issuer = td_read_line(path);
		rc = pyverify_policy_add_identity(
		    policy, identity ? identity : DEFAULT_IDENTITY,
		    PYVERIFY_MATCH_EXACT, issuer ? issuer : DEFAULT_ISSUER,
		    PYVERIFY_MATCH_EXACT, err);
		cr_assert_eq(rc, 0, "%s", err->msg);
	}

	text = json_dumps(d->bundle, JSON_COMPACT);
	cr_assert_not_null(text);
	rc = pyverify_bundle_load_memory(&bundle, text, strlen(text), err);
	if (rc != 0)
		goto done;
	rc = pyverify_verify(root, bundle, &artifact, policy, &res, err);
done:
	pyverify_bundle_free(bundle);
	pyverify_policy_free(policy);
	pyverify_trust_root_free(root);
	free(text);
	free(identity);
	free(issuer);
	free(key);
	return rc;
}

/* Both artifact modes must verify. */
static void
expect_verifies(const struct derived *d)
{
	int mode;

	for (mode = 0; mode < 2; mode++) {
		pyverify_error err = { 0 };
		int rc = run_mode(d, mode, &err);

		printf("%-58s %-6s %s%s%s\n", d->name, mode ? "digest" : "file",
		       rc == 0 ? "verified" : pyverify_step_code(err.step),
		       rc == 0 ? "" : ": ", rc == 0 ? "" : err.msg);
		cr_assert_eq(rc, 0, "%s (%s): rejected at [%s]: %s", d->name,
		             mode ? "digest" : "file",
		             pyverify_step_code(err.step), err.msg);
	}
	fflush(stdout);
}

/* Both artifact modes must be rejected with `code` at `step`. */
static void
expect_rejected(const struct derived *d, pyverify_status code,
                pyverify_step step)
{
	int mode;

	for (mode = 0; mode < 2; mode++) {
		pyverify_error err = { 0 };
		int rc = run_mode(d, mode, &err);

		printf("%-58s %-6s %s%s%s\n", d->name, mode ? "digest" : "file",
		       rc == 0 ? "verified" : pyverify_step_code(err.step),
		       rc == 0 ? "" : ": ", rc == 0 ? "" : err.msg);
		cr_assert_neq(rc, 0, "%s (%s): verified, expected rejection "
		              "at [%s]", d->name, mode ? "digest" : "file",
		              pyverify_step_code(step));
		cr_assert_eq(err.step, step, "%s (%s): rejected at [%s] (%s), "
		             "expected [%s]", d->name,
		             mode ? "digest" : "file",
		             pyverify_step_code(err.step), err.msg,
		             pyverify_step_code(step));
		cr_assert_eq(rc, (int)code, "%s (%s): status %s, expected %s "
		             "(%s)", d->name, mode ? "digest" : "file",
		             pyverify_status_name(rc),
		             pyverify_status_name(code), err.msg);
		cr_assert_neq(err.msg[0], '\0', "rejection without a message");
	}
	fflush(stdout);
}

/* The unmodified base case must verify, so that a rejection of the
 * derivation is caused by the mutation alone. */
static void
expect_base_verifies(const char *base)
{
	json_t *b = case_json(base, "bundle.sigstore.json");
	struct derived d = { base, base, b, NULL, 0 };

	expect_verifies(&d);
	json_decref(b);
}

/* ---- mutations needing decoding ---------------------------------------- */

/* checkpoint-bad-keyhint: on every signature line named `name`, decode the
 * base64 field, change byte 0 of its 4-byte key ID, re-encode (SPEC 3.10:
 * the key ID is the first 4 bytes of the decoded field). */
static void
alter_keyhint(json_t *bundle, const char *name)
{
	const char *env = envelope_of(bundle);
	char *out = strdup(env), *line, *sp, *nl, *enc;
	struct pv_bytes sig = { 0 };
	char prefix[256];
	int altered = 0;

	cr_assert_not_null(out);
	JOIN(prefix, SIG_DASH "%s ", name);
	for (line = out; line != NULL && *line != '\0';
	     line = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (strncmp(line, prefix, strlen(prefix)) != 0 || nl == NULL)
			continue;
		sp = line + strlen(prefix);
		cr_assert_eq(pv_b64_decode(&sig, sp, (size_t)(nl - sp)), 0,
		             "signature field is not base64");
		cr_assert_gt(sig.len, 4);
		sig.data[0] ^= 0x5a;
		enc = pv_b64_encode(sig.data, sig.len);
		cr_assert_not_null(enc);
		/* Same length: the base64 of an equally long byte string. */
		cr_assert_eq(strlen(enc), (size_t)(nl - sp));
		memcpy(sp, enc, strlen(enc));
		free(enc);
		pv_bytes_clear(&sig);
		altered++;
	}
	cr_assert_gt(altered, 0, "no signature line named %s", name);
	set_string(checkpoint_of(bundle), "envelope", out);
	free(out);
}

/* Drops the certificates of the first RFC 3161 timestamp's SignedData.
 * They sit outside the signed attributes (RFC 5652 5.1), so the TSA
 * signature stays intact and only the embedded chain disappears. */
static void
strip_tsa_certs(json_t *bundle)
{
	json_t *ts = at(bundle, "verificationMaterial.timestampVerificationData"
	                        ".rfc3161Timestamps.0");
	const char *b64 = json_string_value(at(ts, "signedTimestamp"));
	struct pv_bytes der = { 0 };
	const unsigned char *p;
	unsigned char *out = NULL;
	TS_RESP *resp;
	PKCS7 *token;
	char *enc;
	int n;

	cr_assert_not_null(b64);
	cr_assert_eq(pv_b64_decode(&der, b64, strlen(b64)), 0);
	p = der.data;
	resp = d2i_TS_RESP(NULL, &p, (long)der.len);
	cr_assert_not_null(resp, "signedTimestamp is not a TimeStampResp");
	token = TS_RESP_get_token(resp);
	cr_assert(token != NULL && PKCS7_type_is_signed(token));
	cr_assert_gt(sk_X509_num(token->d.sign->cert), 0,
	             "the timestamp embeds no certificate to strip");
	sk_X509_pop_free(token->d.sign->cert, X509_free);
	token->d.sign->cert = NULL;
	n = i2d_TS_RESP(resp, &out);
	cr_assert_gt(n, 0);
	enc = pv_b64_encode(out, (size_t)n);
	cr_assert_not_null(enc);
	set_string(ts, "signedTimestamp", enc);
	free(enc);
	OPENSSL_free(out);
	TS_RESP_free(resp);
	pv_bytes_clear(&der);
}

/* ---- bundle format ------------------------------------------------------ */

/* happy-path-v0.1: upstream's bundle is happy-path-v0.2's with the v0.1
 * media type (trust-root-tlog-validity-end-inclusive's README says it
 * copies it); it carries a promise, a proof and a checkpoint. */
Test(conformance_derived, happy_path_v0_1_verifies)
{
	json_t *b, *same;
	struct derived d = { "happy-path-v0.1", "happy-path-v0.2", NULL,
	                     NULL, 0 };

	NEED_TESTDATA();
	b = case_json("happy-path-v0.2", "bundle.sigstore.json");
	set_string(b, "mediaType", MT_V01);
	/* The derivation is byte-for-byte the real v0.1 bundle. */
	same = case_json("trust-root-tlog-validity-end-inclusive",
	                 "bundle.sigstore.json");
	cr_assert(json_equal(b, same), "the v0.1 bundle of "
	          "trust-root-tlog-validity-end-inclusive is not happy-path-"
	          "v0.2 with the v0.1 media type");
	d.bundle = b;
	expect_verifies(&d);
	json_decref(same);
	json_decref(b);
}

/* happy-path-v0.3-new-mediaType: the bundle.v0.3+json spelling. */
Test(conformance_derived, happy_path_v0_3_new_media_type_verifies)
{
	json_t *b;
	struct derived d = { "happy-path-v0.3-new-mediaType",
	                     "happy-path-v0.3", NULL, NULL, 0 };

	NEED_TESTDATA();
	b = case_json("happy-path-v0.3", "bundle.sigstore.json");
	cr_assert_str_neq(json_string_value(at(b, "mediaType")), MT_V03_NEW);
	set_string(b, "mediaType", MT_V03_NEW);
	d.bundle = b;
	expect_verifies(&d);
	json_decref(b);
}

Test(conformance_derived, bundle_unknown_version_fail_is_rejected)
{
	json_t *b;
	struct derived d = { "bundle-unknown-version_fail", "happy-path-v0.3",
	                     NULL, NULL, 0 };

	NEED_TESTDATA();
	expect_base_verifies("happy-path-v0.3");
	b = case_json("happy-path-v0.3", "bundle.sigstore.json");
	set_string(b, "mediaType",
	           "application/vnd.dev.sigstore.bundle+json;version=99.9");
	d.bundle = b;
	expect_rejected(&d, PYVERIFY_EPARSE, PYVERIFY_STEP_BUNDLE_FORMAT);
	json_decref(b);
}

Test(conformance_derived, bundle_invalid_base64_signature_fail_is_rejected)
{
	json_t *b;
	struct derived d = { "bundle-invalid-base64-signature_fail",
	                     "happy-path-v0.3", NULL, NULL, 0 };

	NEED_TESTDATA();
	expect_base_verifies("happy-path-v0.3");
	b = case_json("happy-path-v0.3", "bundle.sigstore.json");
	set_string(at(b, "messageSignature"), "signature",
	           "INVALID!!!BASE64!!!ENCODING====");
	d.bundle = b;
	expect_rejected(&d, PYVERIFY_EPARSE, PYVERIFY_STEP_BUNDLE_FORMAT);
	json_decref(b);
}

/* intoto-missing-inclusion-proof_fail: upstream removes the proof of a v0.2
 * intoto bundle (not in our folder); the rule (SPEC 3.16: proof required
 * from v0.2) is the same for the real v0.2 hashedrekord bundle. */
Test(conformance_derived, v0_2_bundle_without_inclusion_proof_is_rejected)
{
	json_t *b;
	struct derived d = { "intoto-missing-inclusion-proof_fail (v0.2 "
	                     "hashedrekord)", "happy-path-v0.2", NULL, NULL,
	                     0 };

	NEED_TESTDATA();
	expect_base_verifies("happy-path-v0.2");
	b = case_json("happy-path-v0.2", "bundle.sigstore.json");
	cr_assert_eq(json_object_del(tlog0(b), "inclusionProof"), 0);
	d.bundle = b;
	expect_rejected(&d, PYVERIFY_EPARSE, PYVERIFY_STEP_BUNDLE_FORMAT);
	json_decref(b);
}

Test(conformance_derived, rekor2_no_inclusion_proof_fail_is_rejected)
{
	json_t *b;
	struct derived d = { "rekor2-no-inclusion-proof_fail",
	                     "rekor2-happy-path", NULL, NULL, 0 };

	NEED_TESTDATA();
	expect_base_verifies("rekor2-happy-path");
	b = case_json("rekor2-happy-path", "bundle.sigstore.json");
	cr_assert_eq(json_object_del(tlog0(b), "inclusionProof"), 0);
	d.bundle = b;
	expect_rejected(&d, PYVERIFY_EPARSE, PYVERIFY_STEP_BUNDLE_FORMAT);
	json_decref(b);
}

/* ---- artifact signature ------------------------------------------------- */

/* signature-mismatch_fail: one character of messageSignature.signature
 * changed (still valid base64 and DER: a character inside r). The entry
 * body of a hashedrekord records the signature, so the library's body
 * consistency check (SPEC 3.8: entry signature must equal the bundle's)
 * rejects it at tlog-body before the signature itself is checked; both
 * are the defect "the signature is not the one signed and logged". */
Test(conformance_derived, signature_mismatch_fail_is_rejected)
{
	json_t *b, *sig;
	char *v;
	struct derived d = { "signature-mismatch_fail", "happy-path-v0.3",
	                     NULL, NULL, 0 };

	NEED_TESTDATA();
	expect_base_verifies("happy-path-v0.3");
	b = case_json("happy-path-v0.3", "bundle.sigstore.json");
	sig = at(b, "messageSignature.signature");
	v = strdup(json_string_value(sig));
	cr_assert_not_null(v);
	/* Character 20 lies inside the 32-byte r of "MEQCI..." DER. */
	cr_assert_gt(strlen(v), 40);
	v[20] = v[20] == 'A' ? 'B' : 'A';
	json_string_set(sig, v);
	free(v);
	d.bundle = b;
	expect_rejected(&d, PYVERIFY_EREJECT, PYVERIFY_STEP_TLOG_BODY);
	json_decref(b);
}

/* ---- key bundles -------------------------------------------------------- */

/* managed-key-no-key_fail: the key bundle verified with the default
 * identity/issuer flags instead of --key. */
Test(conformance_derived, managed_key_no_key_fail_is_rejected)
{
	json_t *b;
	struct derived d = { "managed-key-no-key_fail",
	                     "managed-key-happy-path", NULL, NULL, 1 };

	NEED_TESTDATA();
	expect_base_verifies("managed-key-happy-path");
	b = case_json("managed-key-happy-path", "bundle.sigstore.json");
	d.bundle = b;
	expect_rejected(&d, PYVERIFY_EREJECT, PYVERIFY_STEP_KEY);
	json_decref(b);
}

/* ---- inclusion proofs --------------------------------------------------- */

/* invalid-inclusion-proof_fail: a v0.2 bundle whose proof is another
 * entry's proof (happy-path-v0.3's, the same log at a later tree) with the
 * checkpoint removed. */
Test(conformance_derived, invalid_inclusion_proof_fail_is_rejected)
{
	json_t *b, *other, *proof;
	struct derived d = { "invalid-inclusion-proof_fail", "happy-path-v0.2",
	                     NULL, NULL, 0 };

	NEED_TESTDATA();
	expect_base_verifies("happy-path-v0.2");
	b = case_json("happy-path-v0.2", "bundle.sigstore.json");
	other = case_json("happy-path-v0.3", "bundle.sigstore.json");
	proof = json_deep_copy(at(tlog0(other), "inclusionProof"));
	cr_assert_eq(json_object_del(proof, "checkpoint"), 0);
	cr_assert_eq(json_object_set_new(tlog0(b), "inclusionProof", proof),
	             0);
	d.bundle = b;
	/* The checkpoint is required from v0.2 on (SPEC 3.16), so the
	 * bundle is malformed before the proof is even computed. */
	expect_rejected(&d, PYVERIFY_EPARSE, PYVERIFY_STEP_BUNDLE_FORMAT);
	json_decref(other);
	json_decref(b);
}

/* The same swap keeping the other proof's own, correctly signed
 * checkpoint: the note verifies and its root equals the proof's root, so
 * only the Merkle computation from this entry's leaf can catch it. */
Test(conformance_derived, swapped_inclusion_proof_with_its_checkpoint_is_rejected)
{
	json_t *b, *other;
	struct derived d = { "invalid-inclusion-proof (checkpoint kept)",
	                     "happy-path-v0.2", NULL, NULL, 0 };

	NEED_TESTDATA();
	b = case_json("happy-path-v0.2", "bundle.sigstore.json");
	other = case_json("happy-path-v0.3", "bundle.sigstore.json");
	cr_assert_eq(json_object_set(tlog0(b), "inclusionProof",
	                             at(tlog0(other), "inclusionProof")), 0);
	d.bundle = b;
	expect_rejected(&d, PYVERIFY_EREJECT, PYVERIFY_STEP_INCLUSION_PROOF);
	json_decref(other);
	json_decref(b);
}

/* ---- checkpoints -------------------------------------------------------- */

/* checkpoint-bad-keyhint_fail on a Rekor v1 checkpoint: the only
 * signature line's key ID no longer names the log. */
Test(conformance_derived, checkpoint_bad_keyhint_fail_is_rejected)
{
	json_t *b;
	struct derived d = { "checkpoint-bad-keyhint_fail", "happy-path-v0.3",
	                     NULL, NULL, 0 };

	NEED_TESTDATA();
	expect_base_verifies("happy-path-v0.3");
	b = case_json("happy-path-v0.3", "bundle.sigstore.json");
	alter_keyhint(b, "rekor.sigstore.dev");
	d.bundle = b;
	expect_rejected(&d, PYVERIFY_EREJECT, PYVERIFY_STEP_CHECKPOINT);
	json_decref(b);
}

/* The same alteration on a Rekor v2 (Ed25519) checkpoint. */
Test(conformance_derived, rekor2_checkpoint_bad_keyhint_is_rejected)
{
	json_t *b;
	struct derived d = { "checkpoint-bad-keyhint (rekor v2)",
	                     "rekor2-happy-path", NULL, NULL, 0 };

	NEED_TESTDATA();
	b = case_json("rekor2-happy-path", "bundle.sigstore.json");
	alter_keyhint(b, "log2025-alpha1.rekor.sigstage.dev");
	d.bundle = b;
	expect_rejected(&d, PYVERIFY_EREJECT, PYVERIFY_STEP_CHECKPOINT);
	json_decref(b);
}

Test(conformance_derived, rekor2_checkpoint_missing_root_hash_fail_is_rejected)
{
	json_t *b;
	char *root_line, *env;
	struct derived d = { "rekor2-checkpoint-missing-root-hash_fail",
	                     "rekor2-happy-path", NULL, NULL, 0 };

	NEED_TESTDATA();
	expect_base_verifies("rekor2-happy-path");
	b = case_json("rekor2-happy-path", "bundle.sigstore.json");
	/* Lines: origin, size, root hash, blank, signatures (SPEC 3.10). */
	root_line = line_of(envelope_of(b), 2);
	cr_assert_str_eq(root_line,
	                 "rs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n");
	env = replace_all(envelope_of(b), root_line, "");
	set_string(checkpoint_of(b), "envelope", env);
	d.bundle = b;
	/* A note without its root-hash line is malformed input (EPARSE),
	 * as the real rekor2-checkpoint-missing-{origin,size}_fail are. */
	expect_rejected(&d, PYVERIFY_EPARSE, PYVERIFY_STEP_CHECKPOINT);
	free(env);
	free(root_line);
	json_decref(b);
}

/* rekor2-checkpoint-no-matching-signature_fail: origin and key name
 * changed from ...sigstage.dev to ...github.dev. */
Test(conformance_derived,
     rekor2_checkpoint_no_matching_signature_fail_is_rejected)
{
	json_t *b;
	char *env;
	struct derived d = { "rekor2-checkpoint-no-matching-signature_fail",
	                     "rekor2-happy-path", NULL, NULL, 0 };

	NEED_TESTDATA();
	expect_base_verifies("rekor2-happy-path");
	b = case_json("rekor2-happy-path", "bundle.sigstore.json");
	env = replace_all(envelope_of(b), "log2025-alpha1.rekor.sigstage.dev",
	                  "log2025-alpha1.rekor.github.dev");
	/* Both the origin line and the signature line's key name. */
	cr_assert_not_null(strstr(env, "log2025-alpha1.rekor.github.dev\n"));
	cr_assert_not_null(strstr(env, SIG_DASH
	                          "log2025-alpha1.rekor.github.dev "));
	set_string(checkpoint_of(b), "envelope", env);
	d.bundle = b;
	expect_rejected(&d, PYVERIFY_EREJECT, PYVERIFY_STEP_CHECKPOINT);
	free(env);
	json_decref(b);
}

/* rekor2-checkpoint-cosigned and -two-sigs-from-origin: upstream's
 * rekor2-checkpoint-two-sigs-cosigned is rekor2-happy-path's checkpoint
 * plus the extra line of each (its README says so): line 5 is the second
 * line under the log's name with another key ID, line 6 the witness
 * cosignature. Each extra line alone must be ignored. */
static void
verify_with_extra_line(const char *name, int line, const char *prefix)
{
	json_t *b, *src;
	char *extra;
	struct derived d = { name, "rekor2-happy-path", NULL, NULL, 0 };

	src = case_json("rekor2-checkpoint-two-sigs-cosigned",
	                "bundle.sigstore.json");
	extra = line_of(envelope_of(src), line);
	cr_assert_eq(strncmp(extra, prefix, strlen(prefix)), 0,
	             "unexpected line %d: %s", line, extra);
	b = case_json("rekor2-happy-path", "bundle.sigstore.json");
	/* The rest of the note is the happy path's, byte for byte. */
	cr_assert_eq(strncmp(envelope_of(src), envelope_of(b),
	                     strlen(envelope_of(b))), 0);
	append_to_checkpoint(b, extra);
	d.bundle = b;
	expect_verifies(&d);
	free(extra);
	json_decref(src);
	json_decref(b);
}

Test(conformance_derived, rekor2_checkpoint_cosigned_verifies)
{
	NEED_TESTDATA();
	verify_with_extra_line("rekor2-checkpoint-cosigned", 6,
	                       SIG_DASH "witness.example ");
}

Test(conformance_derived, rekor2_checkpoint_two_sigs_from_origin_verifies)
{
	NEED_TESTDATA();
	verify_with_extra_line("rekor2-checkpoint-two-sigs-from-origin", 5,
	                       SIG_DASH "log2025-alpha1.rekor.sigstage.dev ");
}

/* ---- DSSE ---------------------------------------------------------------- */

/* Replaces the envelope payload of `base` with the one of `other` (another
 * in-toto statement with the same subject a.txt). */
static void
dsse_with_other_payload(const char *name, const char *base,
                        const char *other, pyverify_step step)
{
	json_t *b, *o;
	struct derived d = { name, base, NULL, NULL, 0 };

	expect_base_verifies(base);
	b = case_json(base, "bundle.sigstore.json");
	o = case_json(other, "bundle.sigstore.json");
	cr_assert_str_neq(json_string_value(at(b, "dsseEnvelope.payload")),
	                  json_string_value(at(o, "dsseEnvelope.payload")));
	cr_assert_eq(json_object_set(at(b, "dsseEnvelope"), "payload",
	                             at(o, "dsseEnvelope.payload")), 0);
	d.bundle = b;
	expect_rejected(&d, PYVERIFY_EREJECT, step);
	json_decref(o);
	json_decref(b);
}

/* rekor2-dsse-mismatch-envelope_fail: envelope for statement B, entry
 * (hashedrekord 0.0.2 over H(PAE)) for statement A. */
Test(conformance_derived, rekor2_dsse_mismatch_envelope_fail_is_rejected)
{
	NEED_TESTDATA();
	dsse_with_other_payload("rekor2-dsse-mismatch-envelope_fail",
	                        "rekor2-dsse-happy-path",
	                        "happy-path-intoto-in-dsse-v3",
	                        PYVERIFY_STEP_TLOG_BODY);
}

/* dsse-mismatch-envelope_fail (Rekor v1 dsse 0.0.1). Upstream's envelope
 * is a second, validly signed one; we have no such envelope for this
 * leaf, so only the payload differs (its signature then does not verify
 * either). The entry's payloadHash check still must catch it. */
Test(conformance_derived, dsse_mismatch_envelope_fail_is_rejected)
{
	NEED_TESTDATA();
	dsse_with_other_payload("dsse-mismatch-envelope_fail (payload only)",
	                        "happy-path-intoto-in-dsse-v3",
	                        "rekor2-dsse-happy-path",
	                        PYVERIFY_STEP_TLOG_BODY);
}

/* ---- whole entries -------------------------------------------------------- */

/* wrong-hashedrekord-entry_fail: the entry of an entirely different
 * signing event (happy-path-v0.2's: same artifact, other certificate,
 * signature and time) in happy-path-v0.3's bundle. Its SET is genuine, so
 * the first check to notice is the chain check at the log's integrated
 * time (SPEC 3.16: every verified time must lie inside the leaf validity):
 * 2023-07-12 is outside this 2024-03-19 leaf. The body check (key and
 * signature differ) would reject it next; no two real events share a
 * leaf window, so that order cannot be changed with our data. */
Test(conformance_derived, wrong_hashedrekord_entry_fail_is_rejected)
{
	json_t *b, *other;
	struct derived d = { "wrong-hashedrekord-entry_fail",
	                     "happy-path-v0.3", NULL, NULL, 0 };

	NEED_TESTDATA();
	expect_base_verifies("happy-path-v0.3");
	b = case_json("happy-path-v0.3", "bundle.sigstore.json");
	other = case_json("happy-path-v0.2", "bundle.sigstore.json");
	cr_assert_eq(json_object_set(at(b, "verificationMaterial"),
	                             "tlogEntries",
	                             at(other, "verificationMaterial."
	                                       "tlogEntries")), 0);
	d.bundle = b;
	expect_rejected(&d, PYVERIFY_EREJECT,
	                PYVERIFY_STEP_CERTIFICATE_CHAIN);
	json_decref(other);
	json_decref(b);
}

/* ---- timestamps ------------------------------------------------------------ */

/* trust-root-tsa-validity-end-inclusive: the TSA's validFor.end equal to
 * the timestamp's genTime verifies (closed interval, SPEC 3.16); one
 * second earlier the timestamp is outside the TSA's window. */
static json_t *
root_with_tsa_end(const char *end)
{
	json_t *r = case_json("rekor2-happy-path", "trusted_root.json");
	json_t *tsas = at(r, "timestampAuthorities");
	size_t i;

	cr_assert_eq(json_array_size(tsas), 1);
	for (i = 0; i < json_array_size(tsas); i++)
		set_string(at(json_array_get(tsas, i), "validFor"), "end", end);
	return r;
}

Test(conformance_derived, trust_root_tsa_validity_end_inclusive_verifies)
{
	json_t *b, *r;
	struct derived d = { "trust-root-tsa-validity-end-inclusive",
	                     "rekor2-happy-path", NULL, NULL, 0 };

	NEED_TESTDATA();
	b = case_json("rekor2-happy-path", "bundle.sigstore.json");
	r = root_with_tsa_end("2025-06-12T12:02:20Z");
	d.bundle = b;
	d.root = r;
	expect_verifies(&d);
	json_decref(r);
	json_decref(b);
}

Test(conformance_derived, tsa_validity_ending_before_gen_time_is_rejected)
{
	json_t *b, *r;
	struct derived d = { "trust-root-tsa-validity-end - 1s",
	                     "rekor2-happy-path", NULL, NULL, 0 };

	NEED_TESTDATA();
	b = case_json("rekor2-happy-path", "bundle.sigstore.json");
	r = root_with_tsa_end("2025-06-12T12:02:19Z");
	d.bundle = b;
	d.root = r;
	expect_rejected(&d, PYVERIFY_EREJECT, PYVERIFY_STEP_TIMESTAMP);
	json_decref(r);
	json_decref(b);
}

/* Control for the next test: stripping the embedded chain of a trusted
 * TSA's response keeps it valid (the chain then comes from the trusted
 * root, like rekor2-timestamp-without-embedded-cert). */
Test(conformance_derived, trusted_timestamp_stripped_of_its_certs_verifies)
{
	json_t *b;
	struct derived d = { "rekor2-timestamp-with-embedded-cert (stripped)",
	                     "rekor2-timestamp-with-embedded-cert", NULL, NULL,
	                     0 };

	NEED_TESTDATA();
	b = case_json("rekor2-timestamp-with-embedded-cert",
	              "bundle.sigstore.json");
	strip_tsa_certs(b);
	d.bundle = b;
	expect_verifies(&d);
	json_decref(b);
}

/* rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail: the FreeTSA
 * response of ...-with-embedded-cert_fail without its certificates. */
Test(conformance_derived,
     rekor2_timestamp_untrusted_tsa_without_embedded_cert_fail_is_rejected)
{
	json_t *b;
	struct derived d = {
		"rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail",
		"rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail", NULL,
		NULL, 0
	};

	NEED_TESTDATA();
	b = case_json(d.base, "bundle.sigstore.json");
	strip_tsa_certs(b);
	d.bundle = b;
	expect_rejected(&d, PYVERIFY_EREJECT, PYVERIFY_STEP_TIMESTAMP);
	json_decref(b);
}

/* ---- intoto 0.0.2 ---------------------------------------------------------- */

/* Partial intoto-with-custom-trust-root: intoto-tsa-timestamp-outside-
 * cert-validity_fail fails only because its RFC 3161 time lies outside the
 * leaf; without that timestamp it is an intoto 0.0.2 entry (double-base64
 * fields) from the mock log on localhost:8000 with a SET inside the leaf
 * validity, under the custom root — the path upstream's happy case
 * exercises. */
Test(conformance_derived, intoto_entry_with_custom_trust_root_verifies)
{
	json_t *b;
	struct derived d = { "intoto-with-custom-trust-root (SET only)",
	                     "intoto-tsa-timestamp-outside-cert-validity_fail",
	                     NULL, NULL, 0 };

	NEED_TESTDATA();
	b = case_json(d.base, "bundle.sigstore.json");
	cr_assert_eq(json_object_del(at(b, "verificationMaterial"),
	                             "timestampVerificationData"), 0);
	d.bundle = b;
	expect_verifies(&d);
	json_decref(b);
}

/*
 * Not derivable from the data we have (each needs a new signature by a key
 * we do not hold):
 *   integrated-time-in-future_fail: a different signing event (other
 *     identity); moving integratedTime breaks the SET.
 *   rekor2-timestamp-outside-tsa-cert-validity_fail: a timestamp issued by
 *     a TSA after its chain expired.
 *   rekor2-timestamp-with-incorrect-time_fail: a fresh, validly signed
 *     timestamp over the old signature.
 *   intoto-with-custom-trust-root with both SET and TSA time: only the
 *     SET-only variant above can be rebuilt.
 */
