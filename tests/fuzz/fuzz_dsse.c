/* fuzz_dsse.c - pv_dsse_match_subject on arbitrary payloads. Byte 0 picks
 * the payloadType (in-toto, or another); the rest is the payload; the
 * artifact is SHA-256("hello\n"). Seeds: in-toto statements v1 and v0.1
 * with one or several subjects. */
#include <stdint.h>

#include "fuzz_common.h"
#include "vsigstore.h"

#define TARGET "fuzz_dsse"

static uint8_t want[32];

static void
statement_seed(const char *name, const struct vs_subject *s, size_t n,
               const char *type)
{
	char *st = vs_intoto_statement(s, n, type);

	FZ_REQUIRE(st != NULL);
	fz_seed(TARGET, name, 0, st, strlen(st));
	free(st);
}

static void
make_seeds(void)
{
	struct vs_subject s[3] = { { "a.tar.gz", "other", 5 },
	                           { "hello", "hello\n", 6 },
	                           { "b", "", 0 } };

	statement_seed("v1", &s[1], 1, NULL);
	statement_seed("v1-three", s, 3, NULL);
	statement_seed("v01", &s[1], 1, "https://in-toto.io/Statement/v0.1");
	statement_seed("miss", s, 1, NULL);
	fz_save_str(TARGET, "done", "1");
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct pv_bytes done = { NULL, 0 };

	(void)argc;
	(void)argv;
	if (fz_load(TARGET, "done", &done) != 0)
		make_seeds();
	pv_bytes_clear(&done);
	FZ_REQUIRE(pv_sha256(want, "hello\n", 6) == 0);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {
		"application/vnd.in-toto+json", "application/json", "",
		"application/vnd.in-toto+json; charset=utf-8",
	};
	pyverify_error err = { 0 };
	uint8_t *payload;
	int rc;

	if (size < 1)
		return 0;
	/* Exactly the payload bytes in their own allocation, so a read past
	 * the end is caught. */
	payload = malloc(size - 1 + (size == 1));
	FZ_REQUIRE(payload != NULL);
	memcpy(payload, data + 1, size - 1);
	rc = pv_dsse_match_subject(types[data[0] % 4], payload, size - 1, want,
	                           &err);
	fz_report(rc, &err);
	if (rc != 0)
		FZ_REQUIRE(err.step == PYVERIFY_STEP_ARTIFACT);
	free(payload);
	return 0;
}
