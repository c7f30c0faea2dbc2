/*
 * test_tlog_conformance.c - log entry bodies and SETs of the conformance
 * cases in ../shared/testdata (skipped when absent), read with jansson
 * directly so that lib/verify/tlog.c is tested on its own, against the
 * case's trusted root loaded by the trusted-root loader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "verify/steps.h"
#include "vrun.h"
#include "vsigstore.h"

/* ========================================================================= */
/* Conformance fixtures                                                      */
/* ========================================================================= */

static const char *
testdata(void)
{
	const char *d = getenv("PYVERIFY_TESTDATA");
	struct stat st;

	if (d == NULL || d[0] == '\0')
		d = "../shared/testdata";
	return stat(d, &st) == 0 && S_ISDIR(st.st_mode) ? d : NULL;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

static json_t *
load_json(const char *path)
{
	json_error_t jerr;
	json_t *v = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);

	cr_assert_not_null(v, "%s: %s", path, jerr.text);
	return v;
}

static void
b64_at(struct pv_bytes *out, const json_t *s)
{
	cr_assert(json_is_string(s));
	cr_assert_eq(pv_b64_decode(out, json_string_value(s),
	                           json_string_length(s)), 0);
}

static int64_t
int_at(const json_t *s)
{
	uint64_t v = 0;

	if (s == NULL)
		return 0;
	cr_assert(json_is_string(s));
	cr_assert_eq(pv_parse_u64(&v, json_string_value(s),
	                          json_string_length(s)), 0);
	return (int64_t)v;
}

/* A conformance case read by hand into the module's input structs. */
struct conf {
	struct pv_tlog_entry e;
	struct pv_signed_content c;
	struct pv_bytes sig, payload, cert;
	char *payload_type;
	uint8_t artifact_sha256[32];
	struct pv_pubkey key;
	/* The case's trusted root, loaded by the trusted-root loader, and the
	 * entry's log in it (NULL when the root does not know it). */
	json_t *root_json;
	pyverify_trust_root *root;
	const struct pv_tlog *log;
};

static struct conf C;

static void
conf_teardown(void)
{
	pv_bytes_clear(&C.e.body);
	pv_bytes_clear(&C.e.set);
	pv_bytes_clear(&C.sig);
	pv_bytes_clear(&C.payload);
	pv_bytes_clear(&C.cert);
	free(C.payload_type);
	pv_pubkey_clear(&C.key);
	pyverify_trust_root_free(C.root);
	json_decref(C.root_json);
	memset(&C, 0, sizeof(C));
}

/* Loads C.root_json and finds the entry's log in it. */
static void
conf_reload(void)
{
	pyverify_trust_root_free(C.root);
	C.root = cm_root_load(C.root_json, "trusted_root.json");
	cr_assert_not_null(C.root, "the case's trusted root does not load");
	C.log = pv_trust_root_find_tlog(C.root, C.e.log_id);
}

/* The entry's log in the case's trusted root (or production's). */
static void
conf_log(const char *dir, const char *base)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/trusted_root.json", dir);
	if (stat(path, &st) != 0)
		snprintf(path, sizeof(path),
		         "%s/sigstore/production.trusted_root.json", base);
	C.root_json = load_json(path);
	conf_reload();
}

/* Moves validFor.end of the entry's log (which must have one) by delta_s
 * seconds in the case's trusted root JSON, and reloads it. */
static void
conf_shift_log_end(int64_t delta_s)
{
	json_t *tl, *vf = NULL;
	char buf[32];
	size_t i;

	cr_assert_not_null(C.log);
	json_array_foreach(json_object_get(C.root_json, "tlogs"), i, tl) {
		struct pv_bytes id = { NULL, 0 };
		b64_at(&id, json_object_get(json_object_get(tl, "logId"),
		                            "keyId"));
		if (id.len == 32 && memcmp(id.data, C.e.log_id, 32) == 0)
			vf = json_object_get(json_object_get(tl, "publicKey"),
			                     "validFor");
		pv_bytes_clear(&id);
	}
	cr_assert_not_null(vf);
	cr_assert_eq(json_object_set_new(vf, "end", json_string(vr_rfc3339(
	    C.log->valid.end_ms / 1000 + delta_s, buf))), 0);
	conf_reload();
}

/* Loads conformance case `name`; skips the test when the data is absent. */
static void
conf_load(const char *name)
{
	const char *base = testdata();
	char dir[768], path[1024];
	json_t *b, *vm, *te, *ms, *env, *x;
	struct stat st;
	pyverify_error err = { 0 };
	char *text;
	size_t len = 0;

	memset(&C, 0, sizeof(C));
	if (base == NULL)
		cr_skip_test("conformance test data not found "
		             "(set PYVERIFY_TESTDATA or add ../shared/testdata)");
	snprintf(dir, sizeof(dir), "%s/conformance/cases/%s", base, name);
	snprintf(path, sizeof(path), "%s/bundle.sigstore.json", dir);
	b = load_json(path);
	vm = json_object_get(b, "verificationMaterial");
	te = json_array_get(json_object_get(vm, "tlogEntries"), 0);
	cr_assert_not_null(te, "%s has no tlog entry", name);

	C.e.log_index = int_at(json_object_get(te, "logIndex"));
	C.e.integrated_time = int_at(json_object_get(te, "integratedTime"));
	x = json_object_get(json_object_get(te, "logId"), "keyId");
	{
		struct pv_bytes id = { NULL, 0 };
		b64_at(&id, x);
		cr_assert_eq(id.len, 32);
		memcpy(C.e.log_id, id.data, 32);
		pv_bytes_clear(&id);
	}
	x = json_object_get(te, "kindVersion");
	snprintf(C.e.kind, sizeof(C.e.kind), "%s",
	         json_string_value(json_object_get(x, "kind")));
	snprintf(C.e.version, sizeof(C.e.version), "%s",
	         json_string_value(json_object_get(x, "version")));
	x = json_object_get(json_object_get(te, "inclusionPromise"),
	                    "signedEntryTimestamp");
	if (x != NULL)
		b64_at(&C.e.set, x);
	b64_at(&C.e.body, json_object_get(te, "canonicalizedBody"));

	/* Signing material: leaf certificate or the case's key.pub. */
	x = json_object_get(json_object_get(vm, "certificate"), "rawBytes");
	if (x == NULL)
		x = json_object_get(json_array_get(json_object_get(
		        json_object_get(vm, "x509CertificateChain"),
		        "certificates"), 0), "rawBytes");
	if (x != NULL) {
		X509 *leaf;

		b64_at(&C.cert, x);
		leaf = pv_x509_from_der(C.cert.data, C.cert.len);
		cr_assert_not_null(leaf);
		cr_assert_eq(pv_pubkey_from_x509(&C.key, leaf,
		                                 PYVERIFY_STEP_KEY, &err), 0);
		X509_free(leaf);
		C.c.cert_der = C.cert.data;
		C.c.cert_len = C.cert.len;
	} else {
		snprintf(path, sizeof(path), "%s/key.pub", dir);
		text = slurp(path, &len);
		cr_assert_not_null(text, "%s: no certificate and no key.pub",
		                   name);
		cr_assert_eq(pv_pubkey_from_pem(&C.key, text, len,
		                                PYVERIFY_STEP_KEY, &err), 0);
		free(text);
	}
	C.c.key = &C.key;

	/* Content: message signature over the artifact, or the envelope. */
	ms = json_object_get(b, "messageSignature");
	env = json_object_get(b, "dsseEnvelope");
	if (ms != NULL) {
		C.c.content = PV_CONTENT_MESSAGE;
		b64_at(&C.sig, json_object_get(ms, "signature"));
		snprintf(path, sizeof(path), "%s/artifact", dir);
		if (stat(path, &st) != 0)
			snprintf(path, sizeof(path), "%s/conformance/a.txt",
			         base);
		text = slurp(path, &len);
		cr_assert_not_null(text, "%s", path);
		cr_assert_eq(pv_sha256(C.artifact_sha256, text, len), 0);
		free(text);
		C.c.artifact_sha256 = C.artifact_sha256;
	} else {
		C.c.content = PV_CONTENT_DSSE;
		b64_at(&C.payload, json_object_get(env, "payload"));
		C.payload_type = strdup(json_string_value(
		    json_object_get(env, "payloadType")));
		b64_at(&C.sig, json_object_get(json_array_get(
		    json_object_get(env, "signatures"), 0), "sig"));
		C.c.payload = C.payload.data;
		C.c.payload_len = C.payload.len;
		C.c.payload_type = C.payload_type;
	}
	C.c.signature = C.sig.data;
	C.c.signature_len = C.sig.len;
	conf_log(dir, base);
	json_decref(b);
}

static int
conf_body(pyverify_error *err)
{
	uint8_t leaf[32];

	return pv_tlog_check_body(&C.e, &C.c, leaf, err);
}

static void
expect_body(const char *name, int code)
{
	pyverify_error err = { 0 };

	conf_load(name);
	cr_assert_eq(conf_body(&err), code, "%s: got %d (%s), want %d", name,
	             err.code, err.msg, code);
	if (code != 0)
		cr_assert_eq(err.step, PYVERIFY_STEP_TLOG_BODY);
}

static void
expect_set(int code)
{
	pyverify_error err = { 0 };

	cr_assert_not_null(C.log, "the entry's log is not in the trusted root");
	cr_assert_eq(pv_tlog_verify_set(&C.e, C.log, &err), code,
	             "got %d (%s), want %d", err.code, err.msg, code);
	if (code != 0)
		cr_assert_eq(err.step, PYVERIFY_STEP_SET);
}

TestSuite(tlog_conformance, .fini = conf_teardown);

Test(tlog_conformance, happy_path_v03_body_matches_and_set_verifies)
{
	uint8_t leaf[32], want[32];
	pyverify_error err = { 0 };
	uint8_t *pre;

	expect_body("happy-path-v0.3", 0);
	cr_assert_eq(C.e.log_index, 79571823);
	cr_assert_eq(C.e.integrated_time, 1710869186);
	expect_set(0);
	/* The leaf hash is H(0x00 || canonicalizedBody). */
	cr_assert_eq(pv_tlog_check_body(&C.e, &C.c, leaf, &err), 0);
	pre = malloc(C.e.body.len + 1);
	cr_assert_not_null(pre);
	pre[0] = 0;
	memcpy(pre + 1, C.e.body.data, C.e.body.len);
	cr_assert_eq(pv_sha256(want, pre, C.e.body.len + 1), 0);
	free(pre);
	cr_assert_eq(memcmp(leaf, want, 32), 0);
}

Test(tlog_conformance, happy_path_v03_body_does_not_vouch_for_a_key_bundle)
{
	pyverify_error err = { 0 };

	conf_load("happy-path-v0.3");
	C.c.cert_der = NULL; /* the same key, presented as a managed key */
	C.c.cert_len = 0;
	cr_assert_eq(conf_body(&err), PYVERIFY_EREJECT, "%s", err.msg);
	cr_assert_eq(err.step, PYVERIFY_STEP_TLOG_BODY);
}

Test(tlog_conformance, wrong_hashedrekord_artifact_is_rejected)
{
	expect_body("wrong-hashedrekord-artifact_fail", PYVERIFY_EREJECT);
}

Test(tlog_conformance, wrong_hashedrekord_cert_and_sig_is_rejected)
{
	expect_body("wrong-hashedrekord-cert-and-sig_fail", PYVERIFY_EREJECT);
}

Test(tlog_conformance, incorrect_public_key_is_rejected)
{
	expect_body("incorrect-public-key_fail", PYVERIFY_EREJECT);
}

Test(tlog_conformance, set_invalid_signature_body_matches_but_set_is_rejected)
{
	expect_body("set-invalid-signature_fail", 0);
	expect_set(PYVERIFY_EREJECT);
}

Test(tlog_conformance, dsse_mismatch_sig_is_rejected)
{
	expect_body("dsse-mismatch-sig_fail", PYVERIFY_EREJECT);
}

Test(tlog_conformance, intoto_in_dsse_v3_dsse_v001_matches_and_set_verifies)
{
	expect_body("happy-path-intoto-in-dsse-v3", 0);
	expect_set(0);
}

Test(tlog_conformance, rekor2_happy_path_rebuilt_body_equals_logged_body)
{
	expect_body("rekor2-happy-path", 0);
	cr_assert_eq(C.e.set.len, 0);
}

Test(tlog_conformance, rekor2_dsse_happy_path_rebuilt_body_equals_logged_body)
{
	expect_body("rekor2-dsse-happy-path", 0);
}

Test(tlog_conformance, rekor2_dsse_mismatch_sig_is_rejected)
{
	expect_body("rekor2-dsse-mismatch-sig_fail", PYVERIFY_EREJECT);
}

Test(tlog_conformance, bundle_with_sct_with_extensions_rekor2_body_matches)
{
	expect_body("bundle-with-sct-with-extensions", 0);
}

Test(tlog_conformance, intoto_v002_entry_matches_and_set_verifies)
{
	/* The case fails on certificate validity, not on the entry. */
	expect_body("intoto-expired-certificate_fail", 0);
	expect_set(0);
}

Test(tlog_conformance, intoto_v002_log_entry_mismatch_is_rejected)
{
	/* Its sig is single base64 (and another signature): malformed. */
	expect_body("intoto-log-entry-mismatch_fail", PYVERIFY_EPARSE);
}

Test(tlog_conformance, managed_key_public_key_entry_matches_and_set_verifies)
{
	expect_body("managed-key-happy-path", 0);
	cr_assert_null(C.c.cert_der);
	expect_set(0);
}

Test(tlog_conformance, tlog_validity_end_is_inclusive_for_the_set)
{
	expect_body("trust-root-tlog-validity-end-inclusive", 0);
	cr_assert(C.log->valid.has_end);
	cr_assert_eq(C.log->valid.end_ms, C.e.integrated_time * 1000);
	expect_set(0);
	conf_shift_log_end(-1);
	expect_set(PYVERIFY_EREJECT);
}
