/* fuzz_bundle.c - pyverify_bundle_load_memory on arbitrary bytes. Seeds:
 * bundles of every form the virtual Sigstore mints (run.sh adds the
 * conformance and CPython bundles). */
#include <stdint.h>

#include "fuzz_common.h"
#include "vsigstore.h"

#define TARGET "fuzz_bundle"

static void
seed_json(const char *name, json_t *j)
{
	char *s;

	FZ_REQUIRE(j != NULL);
	s = vs_dump(j);
	FZ_REQUIRE(s != NULL);
	fz_seed(TARGET, name, -1, s, strlen(s));
	free(s);
	json_decref(j);
}

static void
make_seeds(void)
{
	struct vs *vs = vs_new();
	struct vs_leaf *leaf;
	struct vs_sign_opts v1 = { .bundle_minor = 1 };
	struct vs_sign_opts v2 = { .bundle_minor = 2 };
	struct vs_sign_opts rk2 = { .rekor_v2 = 1 };
	struct vs_subject subj = { "hello", "hello\n", 6 };
	char *stmt;
	EVP_PKEY *k;

	FZ_REQUIRE(vs != NULL);
	leaf = vs_leaf_new(vs, NULL);
	FZ_REQUIRE(leaf != NULL);
	stmt = vs_intoto_statement(&subj, 1, NULL);
	FZ_REQUIRE(stmt != NULL);
	k = EVP_EC_gen("P-256");
	FZ_REQUIRE(k != NULL);
	seed_json("v3", vs_sign(vs, leaf, NULL));
	seed_json("v1", vs_sign(vs, leaf, &v1));
	seed_json("v2", vs_sign(vs, leaf, &v2));
	seed_json("rekor2", vs_sign(vs, leaf, &rk2));
	seed_json("dsse", vs_sign_dsse(vs, leaf, NULL, stmt));
	seed_json("key", vs_sign_with_key(vs, k, NULL));
	seed_json("key-dsse", vs_sign_dsse_with_key(vs, k, NULL, stmt));
	fz_save_str(TARGET, "done", "1");
	EVP_PKEY_free(k);
	free(stmt);
	vs_leaf_free(leaf);
	vs_free(vs);
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
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pyverify_bundle *b = NULL;
	pyverify_error err = { 0 };
	int rc = pyverify_bundle_load_memory(&b, data, size, &err);

	if (rc == PYVERIFY_OK) {
		FZ_REQUIRE(b != NULL);
		FZ_REQUIRE(pyverify_bundle_media_type(b) != NULL);
	} else {
		/* Failure leaves *out untouched and names a step. */
		FZ_REQUIRE(b == NULL);
		FZ_REQUIRE(err.code == rc);
	}
	pyverify_bundle_free(b);
	return 0;
}
