/* test_dsse.c - DSSE PAE and in-toto subject matching (lib/verify/dsse.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "verify/steps.h"

#define INTOTO "application/vnd.in-toto+json"
/* SHA-256 of a.txt in the conformance suite (SPEC Appendix A). */
#define A_TXT "a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf"
#define B_TXT "1111111111111111111111111111111111111111111111111111111111111111"

static void
digest(uint8_t out[32], const char *hex)
{
	cr_assert_eq(pv_hex_decode(out, 32, hex, strlen(hex)), 0);
}

static int
match(const char *type, const char *payload, const char *hex,
      pyverify_error *e)
{
	uint8_t d[32];

	digest(d, hex);
	return pv_dsse_match_subject(type, (const uint8_t *)payload,
	                             strlen(payload), d, e);
}

static void
expect(int rc, const pyverify_error *e, int code, const char *needle)
{
	cr_assert_eq(rc, code, "rc %d: %s", rc, e->msg);
	cr_assert_eq(e->step, PYVERIFY_STEP_ARTIFACT);
	cr_log_info("%s", e->msg);
	if (needle)
		cr_assert(strstr(e->msg, needle) != NULL,
		          "message \"%s\" lacks \"%s\"", e->msg, needle);
}

static const char STATEMENT[] =
        "{\"_type\":\"https://in-toto.io/Statement/v1\","
        "\"subject\":[{\"name\":\"b.txt\",\"digest\":{\"sha256\":\"" B_TXT
        "\"}},{\"name\":\"a.txt\",\"digest\":{\"sha512\":\"00\","
        "\"sha256\":\"" A_TXT "\"}}],"
        "\"predicateType\":\"https://slsa.dev/provenance/v1\","
        "\"predicate\":{}}";

Test(dsse, pae_matches_the_dsse_specification_example)
{
	static const char want[] =
	        "DSSEv1 29 http://example.com/HelloWorld 11 hello world";
	struct pv_bytes out = { 0 };

	cr_assert_eq(pv_dsse_pae(&out, "http://example.com/HelloWorld",
	                         (const uint8_t *)"hello world", 11), 0);
	cr_assert_eq(out.len, strlen(want));
	cr_assert(memcmp(out.data, want, out.len) == 0);
	pv_bytes_clear(&out);
}

Test(dsse, matches_a_subject_among_several)
{
	pyverify_error e = { 0 };

	cr_assert_eq(match(INTOTO, STATEMENT, A_TXT, &e), 0, "%s", e.msg);
	cr_assert_eq(match(INTOTO, STATEMENT, B_TXT, &e), 0, "%s", e.msg);
}

Test(dsse, matches_uppercase_hex_digest_and_statement_v01)
{
	pyverify_error e = { 0 };
	const char *p =
	        "{\"_type\":\"https://in-toto.io/Statement/v0.1\","
	        "\"subject\":[{\"name\":\"a\",\"digest\":{\"sha256\":"
	        "\"A0CFC71271D6E278E57CD332FF957C3F7043FDDA354C4CBB190A30D56E"
	        "FA01BF\"}}]}";

	cr_assert_eq(match(INTOTO, p, A_TXT, &e), 0, "%s", e.msg);
}

Test(dsse, rejects_artifact_that_is_not_a_subject)
{
	pyverify_error e = { 0 };

	expect(match(INTOTO, STATEMENT,
	             "22222222222222222222222222222222"
	             "22222222222222222222222222222222", &e),
	       &e, PYVERIFY_EREJECT,
	       "artifact sha256:2222222222222222222222222222222222222222222222"
	       "222222222222222222 is not a subject of the in-toto statement "
	       "(subjects: b.txt, a.txt)");
}

Test(dsse, rejects_wrong_statement_type)
{
	pyverify_error e = { 0 };

	expect(match(INTOTO,
	             "{\"_type\":\"https://in-toto.io/Statement/v2\","
	             "\"subject\":[{\"digest\":{\"sha256\":\"" A_TXT "\"}}]}",
	             A_TXT, &e),
	       &e, PYVERIFY_EREJECT, "_type");
	expect(match(INTOTO, "{\"subject\":[{\"digest\":{\"sha256\":\"" A_TXT
	                     "\"}}]}", A_TXT, &e),
	       &e, PYVERIFY_EREJECT, "(missing)");
}

Test(dsse, rejects_empty_or_missing_subject_list)
{
	pyverify_error e = { 0 };

	expect(match(INTOTO, "{\"_type\":\"https://in-toto.io/Statement/v1\","
	                     "\"subject\":[]}", A_TXT, &e),
	       &e, PYVERIFY_EREJECT, "has 0 subjects");
	expect(match(INTOTO, "{\"_type\":\"https://in-toto.io/Statement/v1\","
	                     "\"subject\":{}}", A_TXT, &e),
	       &e, PYVERIFY_EREJECT, "no subject array");
}

Test(dsse, rejects_digest_that_is_not_hex)
{
	pyverify_error e = { 0 };

	expect(match(INTOTO, "{\"_type\":\"https://in-toto.io/Statement/v1\","
	                     "\"subject\":[{\"digest\":{\"sha256\":\"zz"
	                     "\"}}]}", A_TXT, &e),
	       &e, PYVERIFY_EPARSE, "not 64 hexadecimal digits");
	/* A malformed subject is not hidden behind an earlier match. */
	expect(match(INTOTO, "{\"_type\":\"https://in-toto.io/Statement/v1\","
	                     "\"subject\":[{\"digest\":{\"sha256\":\"" A_TXT
	                     "\"}},{\"digest\":{\"sha256\":\"" A_TXT "00\"}}]}",
	             A_TXT, &e),
	       &e, PYVERIFY_EPARSE, "subject 1");
	expect(match(INTOTO, "{\"_type\":\"https://in-toto.io/Statement/v1\","
	                     "\"subject\":[{\"digest\":{\"sha256\":7}}]}",
	             A_TXT, &e),
	       &e, PYVERIFY_EPARSE, NULL);
}

Test(dsse, rejects_subject_without_digest_object)
{
	pyverify_error e = { 0 };

	expect(match(INTOTO, "{\"_type\":\"https://in-toto.io/Statement/v1\","
	                     "\"subject\":[{\"name\":\"x\"}]}", A_TXT, &e),
	       &e, PYVERIFY_EPARSE, "no digest object");
	expect(match(INTOTO, "{\"_type\":\"https://in-toto.io/Statement/v1\","
	                     "\"subject\":[\"x\"]}", A_TXT, &e),
	       &e, PYVERIFY_EPARSE, "not an object");
}

Test(dsse, rejects_other_payload_type)
{
	pyverify_error e = { 0 };

	expect(match("application/json", STATEMENT, A_TXT, &e), &e,
	       PYVERIFY_EREJECT, "payloadType is \"application/json\"");
}

Test(dsse, rejects_malformed_or_duplicate_key_json)
{
	pyverify_error e = { 0 };

	expect(match(INTOTO, "{\"_type\":", A_TXT, &e), &e, PYVERIFY_EPARSE,
	       "not valid JSON");
	expect(match(INTOTO, "{\"_type\":\"https://in-toto.io/Statement/v1\","
	                     "\"_type\":\"https://in-toto.io/Statement/v1\","
	                     "\"subject\":[{\"digest\":{\"sha256\":\"" A_TXT
	                     "\"}}]}", A_TXT, &e),
	       &e, PYVERIFY_EPARSE, "not valid JSON");
	expect(match(INTOTO, "[]", A_TXT, &e), &e, PYVERIFY_EPARSE,
	       "not a JSON object");
}

Test(dsse, rejects_too_many_digests_and_too_deep_json)
{
	pyverify_error e = { 0 };
	char buf[4096];
	size_t n = 0;
	int i;

	n += (size_t)snprintf(buf + n, sizeof(buf) - n,
	                      "{\"_type\":\"https://in-toto.io/Statement/v1\","
	                      "\"subject\":[{\"digest\":{");
	for (i = 0; i <= PV_MAX_SUBJECT_DIGESTS; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
		                      "\"d%d\":\"0\",", i);
	snprintf(buf + n, sizeof(buf) - n, "\"sha256\":\"" A_TXT "\"}}]}");
	expect(match(INTOTO, buf, A_TXT, &e), &e, PYVERIFY_EREJECT,
	       "digests");

	n = (size_t)snprintf(buf, sizeof(buf),
	                     "{\"_type\":\"https://in-toto.io/Statement/v1\","
	                     "\"subject\":[{\"digest\":{\"sha256\":\"" A_TXT
	                     "\"}}],\"predicate\":");
	for (i = 0; i < PV_MAX_JSON_DEPTH; i++)
		buf[n++] = '[';
	for (i = 0; i < PV_MAX_JSON_DEPTH; i++)
		buf[n++] = ']';
	buf[n++] = '}';
	buf[n] = '\0';
	expect(match(INTOTO, buf, A_TXT, &e), &e, PYVERIFY_EPARSE,
	       "deeper than");
}

Test(dsse, rejects_payload_with_nul_byte)
{
	pyverify_error e = { 0 };
	static const char p[] = "{\"_type\":\"https://in-toto.io/Statement/v1\""
	                        ",\"subject\":[]}\0";
	uint8_t d[32];

	digest(d, A_TXT);
	expect(pv_dsse_match_subject(INTOTO, (const uint8_t *)p, sizeof(p), d,
	                             &e),
	       &e, PYVERIFY_EPARSE, NULL);
}

/* ---- conformance (../shared) ------------------------------------------- */

Test(dsse, conformance_intoto_statement_has_a_txt_as_subject)
{
	const char *td = getenv("PYVERIFY_TESTDATA");
	char path[1024];
	json_error_t je;
	json_t *b, *env;
	struct pv_bytes payload = { 0 };
	const char *p64;
	pyverify_error e = { 0 };
	uint8_t d[32];

	snprintf(path, sizeof(path), "%s/conformance/cases/happy-path-intoto-"
	         "in-dsse-v3/bundle.sigstore.json",
	         td ? td : "../shared/testdata");
	b = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (b == NULL)
		cr_skip_test("conformance case happy-path-intoto-in-dsse-v3 "
		             "not found");
	env = json_object_get(b, "dsseEnvelope");
	p64 = json_string_value(json_object_get(env, "payload"));
	cr_assert_not_null(p64);
	cr_assert_eq(pv_b64_decode(&payload, p64, strlen(p64)), 0);
	digest(d, A_TXT);
	cr_assert_eq(pv_dsse_match_subject(json_string_value(json_object_get(
	                                           env, "payloadType")),
	                                   payload.data, payload.len, d, &e),
	             0, "%s", e.msg);
	d[0] ^= 1;
	expect(pv_dsse_match_subject(json_string_value(json_object_get(
	                                     env, "payloadType")),
	                             payload.data, payload.len, d, &e),
	       &e, PYVERIFY_EREJECT, "is not a subject");
	pv_bytes_clear(&payload);
	json_decref(b);
}

/* ---- issue 8 defect 8: sha384 and sha512 subjects ---- */

/* A statement whose subjects carry `digests` (a JSON object text each). */
static char *
statement_with(const char *d0, const char *d1)
{
	char *s = NULL;
	size_t n = strlen(d0) + strlen(d1) + 256;

	s = malloc(n);
	cr_assert_not_null(s);
	snprintf(s, n,
	         "{\"_type\":\"https://in-toto.io/Statement/v1\","
	         "\"subject\":[{\"name\":\"x\",\"digest\":%s},"
	         "{\"name\":\"y\",\"digest\":%s}],"
	         "\"predicateType\":\"p\",\"predicate\":{}}", d0, d1);
	return s;
}

static void
artifact_of(pyverify_artifact *a, const char *bytes)
{
	pyverify_error e = { 0 };

	cr_assert_eq(pyverify_artifact_from_memory(a, bytes, strlen(bytes),
	                                           &e), 0, "%s", e.msg);
	cr_assert_eq(a->digests, PYVERIFY_DIGEST_SHA256 |
	                             PYVERIFY_DIGEST_SHA384 |
	                             PYVERIFY_DIGEST_SHA512);
}

static void
hex_of(char *out, const uint8_t *d, size_t n)
{
	pv_hex_encode(out, d, n);
}

Test(dsse, matches_a_subject_that_carries_only_sha512)
{
	pyverify_artifact a, only256, only512;
	pyverify_error e = { 0 };
	char h512[129], h384[97], d0[200], d1[200], *st;

	artifact_of(&a, "hello\n");
	hex_of(h512, a.sha512, 64);
	hex_of(h384, a.sha384, 48);
	snprintf(d0, sizeof(d0), "{\"sha384\":\"%s\"}", h384);
	snprintf(d1, sizeof(d1), "{\"sha512\":\"%s\"}", h512);
	st = statement_with("{\"sha512\":\"" B_TXT B_TXT "\"}", d1);
	cr_assert_eq(pv_dsse_subject_digests(INTOTO, (const uint8_t *)st,
	                                     strlen(st)),
	             PYVERIFY_DIGEST_SHA512);
	cr_assert_eq(pv_dsse_match_subject_digests(INTOTO,
	                                           (const uint8_t *)st,
	                                           strlen(st), &a, &e),
	             0, "%s", e.msg);
	/* Known only by its sha512 (a "sha512:" digest argument). */
	memset(&only512, 0, sizeof(only512));
	memcpy(only512.sha512, a.sha512, 64);
	only512.digests = PYVERIFY_DIGEST_SHA512;
	cr_assert_eq(pv_dsse_match_subject_digests(INTOTO,
	                                           (const uint8_t *)st,
	                                           strlen(st), &only512, &e),
	             0, "%s", e.msg);
	/* Known only by its sha256: the two never meet, and the message
	 * says so instead of "not a subject". */
	memset(&only256, 0, sizeof(only256));
	memcpy(only256.sha256, a.sha256, 32);
	expect(pv_dsse_match_subject_digests(INTOTO, (const uint8_t *)st,
	                                     strlen(st), &only256, &e),
	       &e, PYVERIFY_EREJECT, "carry only sha512 digests");
	cr_assert(strstr(e.msg, "known only by its sha256") != NULL, "%s",
	          e.msg);
	free(st);
	/* sha384 works the same way. */
	st = statement_with(d0, "{\"sha256\":\"" B_TXT "\"}");
	cr_assert_eq(pv_dsse_match_subject_digests(INTOTO,
	                                           (const uint8_t *)st,
	                                           strlen(st), &a, &e),
	             0, "%s", e.msg);
	free(st);
}

Test(dsse, rejects_a_subject_whose_shared_digests_disagree)
{
	pyverify_artifact a;
	pyverify_error e = { 0 };
	char h256[65], d0[300], *st;

	artifact_of(&a, "hello\n");
	hex_of(h256, a.sha256, 32);
	/* sha256 matches, sha512 names another file: not this artifact. */
	snprintf(d0, sizeof(d0), "{\"sha256\":\"%s\",\"sha512\":\"%s%s\"}",
	         h256, B_TXT, B_TXT);
	st = statement_with(d0, "{\"sha256\":\"" B_TXT "\"}");
	expect(pv_dsse_match_subject_digests(INTOTO, (const uint8_t *)st,
	                                     strlen(st), &a, &e),
	       &e, PYVERIFY_EREJECT, "is not a subject");
	free(st);
	/* A compared sha512 must be 128 hex digits. */
	st = statement_with("{\"sha512\":\"abcd\"}", "{\"sha256\":\"" B_TXT
	                                             "\"}");
	expect(pv_dsse_match_subject_digests(INTOTO, (const uint8_t *)st,
	                                     strlen(st), &a, &e),
	       &e, PYVERIFY_EPARSE, "not 128 hexadecimal digits");
	free(st);
	/* No SHA-2 digest anywhere. */
	st = statement_with("{\"md5\":\"00\"}", "{\"sha1\":\"00\"}");
	expect(pv_dsse_match_subject_digests(INTOTO, (const uint8_t *)st,
	                                     strlen(st), &a, &e),
	       &e, PYVERIFY_EREJECT, "no subject");
	free(st);
}
