/* test_tuf_cjson.c - OLPC canonical JSON as TUF signs it (lib/tuf/cjson.c),
 * against known encodings and a real signed root. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "testdata.h"
#include "tuf/tuf.h"

static void
assert_cjson_value(json_t *v, const char *want, size_t wantlen)
{
	char *out = NULL;
	size_t len = 0;

	cr_assert_not_null(v);
	cr_assert_eq(pv_tuf_cjson(v, &out, &len), 0);
	json_decref(v);
	cr_assert_eq(len, wantlen, "length %zu, want %zu: %s", len, wantlen,
	             out);
	cr_assert_eq(memcmp(out, want, len), 0, "got %s, want %s", out, want);
	cr_assert_eq(out[len], '\0');
	free(out);
}

static void
assert_cjson(const char *in, const char *want)
{
	json_error_t jerr;
	json_t *v = json_loads(in, JSON_DECODE_ANY, &jerr);

	cr_assert_not_null(v, "test input does not parse: %s", jerr.text);
	assert_cjson_value(v, want, strlen(want));
}

Test(tuf_cjson, sorts_keys_and_drops_whitespace)
{
	assert_cjson("{ \"b\" : 1, \"a\" : [ 1, 2 ], \"c\" : { } }",
	             "{\"a\":[1,2],\"b\":1,\"c\":{}}");
}

Test(tuf_cjson, sorts_keys_by_bytes_upper_case_first_prefix_first)
{
	assert_cjson("{\"aa\":0,\"a\":0,\"B\":0,\"_type\":0,\"Z\":0}",
	             "{\"B\":0,\"Z\":0,\"_type\":0,\"a\":0,\"aa\":0}");
}

Test(tuf_cjson, sorts_utf8_keys_by_bytes_not_utf16_units)
{
	/* U+1F600 (F0 9F 98 80) sorts after U+FB33 (EF AC B3) by bytes;
	 * RFC 8785's UTF-16 order would put it first. */
	assert_cjson("{\"\\ud83d\\ude00\":1,\"\\ufb33\":2,\"\\u00e9\":3}",
	             "{\"\xc3\xa9\":3,\"\xef\xac\xb3\":2,\"\xf0\x9f\x98\x80\":1}");
}

Test(tuf_cjson, nests_objects_and_arrays)
{
	assert_cjson("{\"z\":[{\"y\":true,\"x\":false},null,[[]]],\"a\":{\"b\":{\"d\":1,\"c\":2}}}",
	             "{\"a\":{\"b\":{\"c\":2,\"d\":1}},\"z\":[{\"x\":false,\"y\":true},null,[[]]]}");
}

Test(tuf_cjson, escapes_only_quote_and_backslash)
{
	assert_cjson("[\"a\\\"b\\\\c\", \"\\/\"]", "[\"a\\\"b\\\\c\",\"/\"]");
}

Test(tuf_cjson, keeps_control_characters_and_utf8_raw)
{
	assert_cjson("[\"line\\nnext\\ttab\\u0001\", \"caf\\u00e9\"]",
	             "[\"line\nnext\ttab\x01\",\"caf\xc3\xa9\"]");
}

Test(tuf_cjson, escapes_keys_like_values)
{
	assert_cjson("{\"k\\\"\\n\":\"v\"}", "{\"k\\\"\n\":\"v\"}");
}

Test(tuf_cjson, writes_integers_negative_and_large)
{
	assert_cjson("[0, -1, 42, 9223372036854775807, -9223372036854775808]",
	             "[0,-1,42,9223372036854775807,-9223372036854775808]");
}

Test(tuf_cjson, writes_scalars_at_top_level)
{
	assert_cjson("\"x\"", "\"x\"");
	assert_cjson("7", "7");
	assert_cjson("null", "null");
}

Test(tuf_cjson, keeps_nul_bytes_inside_strings)
{
	assert_cjson_value(json_stringn("a\0b", 3), "\"a\0b\"", 5);
}

Test(tuf_cjson, refuses_real_numbers_anywhere)
{
	const char *const reals[] = { "1.5", "[1, 2.0]", "{\"a\":{\"b\":1e3}}",
	                              "{\"a\":[0, -0.0]}" };

	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
		json_t *v = json_loads(reals[i], JSON_DECODE_ANY, NULL);
		char *out = NULL;
		size_t len = 99;

		cr_assert_not_null(v);
		cr_assert_eq(pv_tuf_cjson(v, &out, &len), -1, "%s accepted",
		             reals[i]);
		cr_assert_null(out);
		cr_assert_eq(len, 99);
		json_decref(v);
	}
}

/* The ECDSA P-256 signature (hex DER) by pem over msg: 1 valid. */
static int
ecdsa_p256_valid(const char *pem, const char *sighex, const char *msg,
                 size_t len)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *pk = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t slen = strlen(sighex) / 2;
	unsigned char *sig = malloc(slen + 1);
	int ok = 0;

	BIO_free(bio);
	cr_assert_not_null(pk);
	cr_assert_not_null(md);
	for (size_t i = 0; i < slen; i++) {
		unsigned x;

		cr_assert_eq(sscanf(sighex + 2 * i, "%2x", &x), 1);
		sig[i] = (unsigned char)x;
	}
	if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pk) == 1)
		ok = EVP_DigestVerify(md, sig, slen, (const unsigned char *)msg,
		                      len) == 1;
	free(sig);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pk);
	return ok;
}

Test(tuf_cjson, staging_root_signatures_verify_over_the_canonical_form)
{
	const char *path = td_path("sigstore/staging.root.json");
	json_t *doc, *signed_, *keys, *sigs, *s;
	char *canon = NULL;
	size_t len = 0, i, valid = 0, tried = 0;

	if (td_dir() == NULL || !td_exists(path))
		cr_skip_test("../shared/testdata/sigstore/staging.root.json absent");
	doc = json_load_file(path, 0, NULL);
	cr_assert_not_null(doc);
	signed_ = json_object_get(doc, "signed");
	keys = json_object_get(signed_, "keys");
	sigs = json_object_get(doc, "signatures");
	cr_assert_eq(pv_tuf_cjson(signed_, &canon, &len), 0);
	json_array_foreach(sigs, i, s) {
		const char *kid = json_string_value(json_object_get(s, "keyid"));
		const char *sig = json_string_value(json_object_get(s, "sig"));
		json_t *key = json_object_get(keys, kid);

		if (key == NULL || sig == NULL || sig[0] == '\0')
			continue;
		tried++;
		valid += (size_t)ecdsa_p256_valid(
		    json_string_value(json_object_get(
		        json_object_get(key, "keyval"), "public")),
		    sig, canon, len);
		/* One byte changed must break it: the check is real. */
		canon[1] ^= 1;
		cr_assert_eq(ecdsa_p256_valid(
		    json_string_value(json_object_get(
		        json_object_get(key, "keyval"), "public")),
		    sig, canon, len), 0);
		canon[1] ^= 1;
	}
	cr_assert_geq(tried, 2);
	cr_assert_eq(valid, tried, "%zu of %zu signatures verify", valid, tried);
	free(canon);
	json_decref(doc);
}
