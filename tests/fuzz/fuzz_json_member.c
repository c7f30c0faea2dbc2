/* fuzz_json_member.c - pyverifyd's bundle finder (server/json_member.c)
 * against jansson, differentially. For any input: when pvd_json_member
 * finds the "bundle" member and both the request with `null` in its place
 * and the minified member parse (as pyverifyd then parses them), the whole
 * input must parse too, to the same object; and minifying any text that
 * parses must leave its value unchanged. Either failing means pyverifyd
 * would answer a request otherwise than a whole parse does: abort.
 * Seeds: requests as pyverifyd gets them, with escapes, whitespace,
 * nesting and duplicates. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pyverifyd.h"

#define FLAGS JSON_REJECT_DUPLICATES

static void
fail(const char *why)
{
	fprintf(stderr, "fuzz_json_member: %s\n", why);
	abort();
}

static json_t *
parse(const uint8_t *p, size_t n, size_t flags)
{
	return json_loadb((const char *)p, n, FLAGS | flags, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy, *min;
	size_t s, e, m, clen;
	json_t *whole, *rest, *member, *direct, *want;

	/* Minifying keeps the value of anything that parses. */
	min = malloc(size + 1);
	if (min == NULL)
		return 0;
	m = pvd_json_minify(data, size, min);
	if (m > size)
		fail("minified text is longer than the input");
	direct = parse(data, size, JSON_DECODE_ANY);
	if (direct != NULL) {
		member = parse(min, m, JSON_DECODE_ANY);
		if (member == NULL || !json_equal(direct, member))
			fail("minifying changed what the text says");
		json_decref(member);
	}
	json_decref(direct);
	free(min);

	if (pvd_json_member(data, size, "bundle", &s, &e) != 0)
		return 0;
	if (!(s < e && e <= size))
		fail("member span out of bounds");
	clen = size - (e - s) + 4;
	copy = malloc(clen);
	min = malloc(e - s);
	if (copy == NULL || min == NULL) {
		free(copy);
		free(min);
		return 0;
	}
	memcpy(copy, data, s);
	memcpy(copy + s, "null", 4);
	memcpy(copy + s + 4, data + e, size - e);
	m = pvd_json_minify(data + s, e - s, min);
	rest = parse(copy, clen, 0);
	member = parse(min, m, JSON_DECODE_ANY);
	if (rest != NULL && member != NULL && json_is_object(rest) &&
	    json_is_null(json_object_get(rest, "bundle"))) {
		whole = parse(data, size, 0);
		if (whole == NULL)
			fail("both parts parse but the whole does not");
		want = json_object_get(whole, "bundle");
		if (want == NULL || !json_equal(want, member))
			fail("the member found is not the whole's bundle");
		if (json_object_set(rest, "bundle", member) != 0 ||
		    !json_equal(rest, whole))
			fail("the other members differ from the whole's");
		json_decref(whole);
	}
	json_decref(rest);
	json_decref(member);
	free(copy);
	free(min);
	return 0;
}
