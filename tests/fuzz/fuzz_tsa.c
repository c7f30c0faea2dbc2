/* fuzz_tsa.c - pv_tsa_verify on arbitrary TimeStampResp bytes against a
 * fixed trusted root holding two generated TSAs (one root -> leaf, one
 * root -> intermediate -> leaf, P-256 leaf); the stamped data is a fixed
 * "signature". Seeds: tokens of both TSAs, with and without embedded
 * certificates, SHA-256 and SHA-512 imprints, and refused statuses. */
#include <stdint.h>

#include "fuzz_common.h"
#include "vsigstore.h"

#define TARGET "fuzz_tsa"

static const uint8_t SIG[] = "bundle signature bytes";
#define SIG_LEN (sizeof(SIG) - 1)

static pyverify_trust_root *root;

static void
stamp_seed(struct vtsa *t, const char *name,
           const struct vtsa_stamp_opts *o)
{
	uint8_t *der = NULL;
	size_t len = 0;

	FZ_REQUIRE(vtsa_stamp(t, SIG, SIG_LEN, o, &der, &len) == 0);
	fz_seed(TARGET, name, -1, der, len);
	free(der);
}

static void
make_fixture(void)
{
	struct vs *vs = vs_new();
	struct vtsa_opts o2 = { .intermediate = 1, .leaf_p256 = 1,
	                        .uri = "https://tsa2.test/api/v1/timestamp",
	                        .name = "Second TSA" };
	struct vtsa *t1 = vtsa_new(NULL), *t2 = vtsa_new(&o2);
	struct vtsa_stamp_opts embed = { .embed_certs = 1 };
	struct vtsa_stamp_opts sha512 = { .sha512_imprint = 1,
	                                  .embed_certs = 1 };
	struct vtsa_stamp_opts frac = { .gen_time_ms =
	                                    VTSA_EPOCH * 1000 + 123 };
	struct vtsa_stamp_opts refused = { .status = 2 };
	struct vtsa_stamp_opts mods = { .status = 1, .embed_certs = 1 };
	json_t *r, *tsas;
	char *s;

	FZ_REQUIRE(vs != NULL && t1 != NULL && t2 != NULL);
	r = vs_trust_root(vs);
	FZ_REQUIRE(r != NULL);
	tsas = json_pack("[oo]", vtsa_trust_root_entry(t1, 0, 0),
	                 vtsa_trust_root_entry(t2, 0, 0));
	FZ_REQUIRE(tsas != NULL);
	FZ_REQUIRE(json_object_set_new(r, "timestampAuthorities", tsas) == 0);
	s = vs_dump(r);
	FZ_REQUIRE(s != NULL);
	fz_save_str(TARGET, "root.json", s);
	free(s);
	json_decref(r);
	stamp_seed(t1, "t1", NULL);
	stamp_seed(t1, "t1-embed", &embed);
	stamp_seed(t1, "t1-sha512", &sha512);
	stamp_seed(t1, "t1-frac", &frac);
	stamp_seed(t1, "t1-refused", &refused);
	stamp_seed(t2, "t2", NULL);
	stamp_seed(t2, "t2-embed", &embed);
	stamp_seed(t2, "t2-mods", &mods);
	vtsa_free(t1);
	vtsa_free(t2);
	vs_free(vs);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct pv_bytes text = { NULL, 0 };
	pyverify_error err = { 0 };

	(void)argc;
	(void)argv;
	if (fz_load(TARGET, "root.json", &text) != 0) {
		make_fixture();
		FZ_REQUIRE(fz_load(TARGET, "root.json", &text) == 0);
	}
	FZ_REQUIRE(pyverify_trust_root_load_memory(&root, text.data, text.len,
	                                           "fuzz tsa root",
	                                           &err) == 0);
	pv_bytes_clear(&text);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pyverify_error err = { 0 };
	int64_t gen = 0;
	int rc = pv_tsa_verify(root, data, size, SIG, SIG_LEN, &gen, &err);

	fz_report(rc, &err);
	if (rc != 0)
		FZ_REQUIRE(err.step == PYVERIFY_STEP_TIMESTAMP);
	else
		FZ_REQUIRE(gen > 0);
	return 0;
}
