/* fuzz_trust_root.c - pyverify_trust_root_load_memory on arbitrary bytes.
 * Seeds: the virtual Sigstore's root with a TSA (run.sh adds the production
 * and conformance roots). */
#include <stdint.h>

#include "fuzz_common.h"
#include "vsigstore.h"

#define TARGET "fuzz_trust_root"

static void
make_seeds(void)
{
	struct vs *vs = vs_new();
	struct vtsa_opts to = { .intermediate = 1 };
	struct vtsa *tsa = vtsa_new(&to);
	json_t *root, *entry;
	char *s;

	FZ_REQUIRE(vs != NULL && tsa != NULL);
	root = vs_trust_root(vs);
	FZ_REQUIRE(root != NULL);
	s = vs_dump(root);
	FZ_REQUIRE(s != NULL);
	fz_seed(TARGET, "vs", -1, s, strlen(s));
	free(s);
	entry = vtsa_trust_root_entry(tsa, 0, 0);
	FZ_REQUIRE(entry != NULL);
	FZ_REQUIRE(json_object_set_new(root, "timestampAuthorities",
	                               json_pack("[o]", entry)) == 0);
	s = vs_dump(root);
	FZ_REQUIRE(s != NULL);
	fz_seed(TARGET, "vs-tsa", -1, s, strlen(s));
	free(s);
	json_decref(root);
	fz_save_str(TARGET, "done", "1");
	vtsa_free(tsa);
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
	pyverify_trust_root *r = NULL;
	pyverify_error err = { 0 };
	int rc = pyverify_trust_root_load_memory(&r, data, size, "fuzz", &err);

	if (rc == PYVERIFY_OK) {
		FZ_REQUIRE(r != NULL);
		FZ_REQUIRE(pyverify_trust_root_source(r) != NULL);
	} else {
		FZ_REQUIRE(r == NULL);
		FZ_REQUIRE(err.code == rc);
	}
	pyverify_trust_root_free(r);
	return 0;
}
