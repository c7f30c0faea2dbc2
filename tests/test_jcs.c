/* test_jcs.c - RFC 8785 canonical JSON (lib/util/jcs.c). */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "verify/steps.h"
#include "util/jcs.h"

/* Parses `in`, canonicalises it and compares with `want`. */
static void
assert_jcs(const char *in, const char *want)
{
	json_error_t jerr;
	json_t *v = json_loads(in, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	size_t len = 0;
	char *out;

	cr_assert_not_null(v, "test input does not parse: %s", jerr.text);
	out = pv_jcs_dumps(v, &len);
	json_decref(v);
	cr_assert_not_null(out, "canonicalisation failed for %s", in);
	cr_assert_eq(len, strlen(want), "length %zu, want %zu: %s", len,
	             strlen(want), out);
	cr_assert_str_eq(out, want);
	free(out);
}

static void
assert_refused(json_t *v)
{
	size_t len = 12345;
	char *out = pv_jcs_dumps(v, &len);

	cr_assert_null(out, "expected refusal, got %s", out ? out : "");
	cr_assert_eq(len, 12345, "length written on failure");
	json_decref(v);
}

Test(jcs, sorts_object_members_and_removes_whitespace)
{
	assert_jcs("{ \"b\" : 1, \"a\" : 2, \"c\" : { \"z\": 1, \"y\": [3, 2, 1] } }",
	           "{\"a\":2,\"b\":1,\"c\":{\"y\":[3,2,1],\"z\":1}}");
}

Test(jcs, sorts_keys_by_byte_order_for_ascii)
{
	/* Upper case sorts before lower case, shorter prefix first. */
	assert_jcs("{\"logIndex\":1,\"logID\":\"x\",\"body\":\"b\","
	           "\"integratedTime\":2,\"a\":0,\"B\":0,\"aa\":0}",
	           "{\"B\":0,\"a\":0,\"aa\":0,\"body\":\"b\","
	           "\"integratedTime\":2,\"logID\":\"x\",\"logIndex\":1}");
}

Test(jcs, sorts_keys_by_utf16_code_units_as_in_rfc8785)
{
	/* RFC 8785 section 3.2.3: the emoji (surrogates D83D DE00) sorts
	 * before U+FB33 although its code point is larger. */
	assert_jcs("{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\","
	           "\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\","
	           "\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\","
	           "\"\\u0080\":\"Control\",\"\\u00f6\":\"Latin Small Letter O "
	           "With Diaeresis\"}",
	           "{\"\\r\":\"Carriage Return\",\"1\":\"One\","
	           "\"\xc2\x80\":\"Control\","
	           "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\","
	           "\"\xe2\x82\xac\":\"Euro Sign\","
	           "\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
	           "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");
}

Test(jcs, escapes_quote_backslash_and_control_characters)
{
	assert_jcs("[\"q\\\"b\\\\s\\/\",\"\\b\\t\\n\\f\\r\","
	           "\"\\u0000\\u0001\\u000b\\u001f\",\"\\u007f\"]",
	           "[\"q\\\"b\\\\s/\",\"\\b\\t\\n\\f\\r\","
	           "\"\\u0000\\u0001\\u000b\\u001f\",\"\x7f\"]");
}

Test(jcs, writes_non_ascii_as_utf8_like_the_rfc8785_string_example)
{
	/* RFC 8785 section 3.2.2.2 example. */
	assert_jcs("\"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\"",
	           "\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"");
	/* U+2028 is literal in JCS (ECMAScript JSON.stringify). */
	assert_jcs("\"\\u2028\"", "\"\xe2\x80\xa8\"");
}

Test(jcs, writes_integers_in_shortest_decimal_form)
{
	assert_jcs("[0,-0,1,-1,1710869186,79571823,9007199254740991,"
	           "-9007199254740991]",
	           "[0,0,1,-1,1710869186,79571823,9007199254740991,"
	           "-9007199254740991]");
}

Test(jcs, writes_literals_and_empty_containers)
{
	assert_jcs("{\"t\":true,\"f\":false,\"n\":null,\"o\":{},\"a\":[]}",
	           "{\"a\":[],\"f\":false,\"n\":null,\"o\":{},\"t\":true}");
}

Test(jcs, serialises_nested_objects_in_arrays)
{
	assert_jcs("[{\"b\":[{\"d\":1,\"c\":2}],\"a\":\"x\"}]",
	           "[{\"a\":\"x\",\"b\":[{\"c\":2,\"d\":1}]}]");
}

Test(jcs, keeps_keys_with_embedded_nul)
{
	json_t *o = json_object();
	size_t len = 0;
	char *out;

	cr_assert_eq(json_object_setn_new(o, "a\0b", 3, json_integer(1)), 0);
	cr_assert_eq(json_object_set_new(o, "a", json_integer(2)), 0);
	out = pv_jcs_dumps(o, &len);
	cr_assert_not_null(out);
	cr_assert_eq(len, 20);
	cr_assert_eq(memcmp(out, "{\"a\":2,\"a\\u0000b\":1}", 20), 0);
	free(out);
	json_decref(o);
}

Test(jcs, refuses_reals)
{
	assert_refused(json_real(1.5));
	assert_refused(json_pack("{s:[i,f]}", "a", 1, 2.0));
}

Test(jcs, refuses_integers_beyond_the_ieee_double_exact_range)
{
	assert_refused(json_integer(9007199254740992LL));
	assert_refused(json_integer(-9007199254740992LL));
}

Test(jcs, refuses_invalid_utf8_in_strings_and_keys)
{
	json_t *o = json_object();

	assert_refused(json_stringn_nocheck("\xc0\xaf", 2)); /* overlong */
	assert_refused(json_stringn_nocheck("\xed\xa0\x80", 3)); /* surrogate */
	assert_refused(json_stringn_nocheck("\xe2\x82", 2)); /* truncated */
	cr_assert_eq(json_object_set_new_nocheck(o, "\xff", json_null()), 0);
	assert_refused(o);
}

Test(jcs, refuses_nesting_deeper_than_the_json_depth_bound)
{
	json_t *v = json_integer(1), *ok = NULL;
	char *out;
	int i;

	for (i = 0; i < PV_MAX_JSON_DEPTH; i++) {
		json_t *a = json_array();
		cr_assert_eq(json_array_append_new(a, v), 0);
		v = a;
	}
	ok = v; /* PV_MAX_JSON_DEPTH containers around a leaf: accepted */
	out = pv_jcs_dumps(ok, NULL);
	cr_assert_not_null(out);
	free(out);
	v = json_array();
	cr_assert_eq(json_array_append_new(v, ok), 0);
	assert_refused(v);
}
