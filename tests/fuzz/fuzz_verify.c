/* fuzz_verify.c - the whole pipeline: bundle JSON text (mutated from valid
 * bundles minted once by the virtual Sigstore) -> pyverify_bundle_load_memory
 * -> pyverify_verify with the fixed trusted root, artifact "hello\n" and
 * the minted identity. Oracle: never crash or leak, and PYVERIFY_OK only
 * for a bundle that carries the original signature and signing
 * certificate (a bundle that still verifies).
 *
 * The minted bundles reach each stage of the verifier: message and DSSE
 * signatures in Rekor v1 and v2, v0.1/v0.2 bundles with an
 * x509CertificateChain (one repeating the trusted intermediate; a seed that
 * also carries the root, refused) for chain.c, and RFC 3161 timestamps for
 * tsa.c from the root's two TSAs - root -> leaf, and root -> intermediate
 * -> P-256 leaf - with and without embedded certificates. */
#include <stdint.h>

#include "fuzz_mint.h"

#define TARGET "fuzz_verify"
#define ID "dev@example.org"
#define ISS "https://issuer.example"
#define N_ORIG 6

static pyverify_trust_root *root;
static pyverify_policy *policy;
static pyverify_artifact artifact;
static pyverify_bundle *orig[N_ORIG];

static void
save_bundle(const char *name, json_t *j)
{
	char *s;

	FZ_REQUIRE(j != NULL);
	s = vs_dump(j);
	FZ_REQUIRE(s != NULL);
	fz_save_str(TARGET, name, s);
	fz_seed(TARGET, name, -1, s, strlen(s));
	free(s);
	json_decref(j);
}

static void
make_fixture(void)
{
	struct vs *vs = vs_new();
	struct vs_leaf *leaf;
	struct vs_subject subj = { "hello", "hello\n", 6 };
	struct vs_sign_opts rk2 = { .rekor_v2 = 1 };
	struct vs_sign_opts v1 = { .bundle_minor = 1 };
	struct vs_sign_opts v2 = { .bundle_minor = 2 };
	struct vtsa_opts o2 = { .intermediate = 1,
	                        .intermediate_eku = VTSA_INT_EKU_TIMESTAMP,
	                        .leaf_p256 = 1,
	                        .uri = "https://tsa2.test/api/v1/timestamp",
	                        .name = "Second TSA" };
	struct vtsa *t[2] = { vtsa_new(NULL), vtsa_new(&o2) };
	json_t *b;
	char *stmt, *s;

	FZ_REQUIRE(vs != NULL && t[0] != NULL && t[1] != NULL);
	leaf = vs_leaf_new(vs, NULL);
	stmt = vs_intoto_statement(&subj, 1, NULL);
	FZ_REQUIRE(leaf != NULL && stmt != NULL);
	save_bundle("bundle0.json", vs_sign(vs, leaf, NULL));
	save_bundle("bundle1.json", vs_sign_dsse(vs, leaf, NULL, stmt));
	b = vs_sign(vs, leaf, &rk2);
	FZ_REQUIRE(b != NULL);
	fz_stamp(b, t[0], 1);
	save_bundle("bundle2.json", b);
	b = vs_sign_dsse(vs, leaf, &rk2, stmt);
	FZ_REQUIRE(b != NULL);
	fz_stamp(b, t[1], 1);
	save_bundle("bundle3.json", b);
	b = vs_sign(vs, leaf, &v1);
	FZ_REQUIRE(b != NULL);
	fz_chain_add(b, vs_intermediate(vs));
	fz_stamp(b, t[1], 0);
	save_bundle("bundle4.json", b);
	b = vs_sign(vs, leaf, &v2);
	FZ_REQUIRE(b != NULL);
	fz_stamp(b, t[0], 0);
	save_bundle("bundle5.json", b);
	/* Refused (roots come only from the trusted root): a seed only. */
	b = vs_sign(vs, leaf, &v1);
	FZ_REQUIRE(b != NULL);
	fz_chain_add(b, vs_intermediate(vs));
	fz_chain_add(b, vs_root_cert(vs));
	fz_stamp(b, t[1], 1);
	s = vs_dump(b);
	FZ_REQUIRE(s != NULL);
	fz_seed(TARGET, "chain-with-root.json", -1, s, strlen(s));
	free(s);
	json_decref(b);
	s = fz_root_with_tsas(vs, t, 2);
	fz_save_str(TARGET, "root.json", s);
	free(s);
	free(stmt);
	vs_leaf_free(leaf);
	vtsa_free(t[0]);
	vtsa_free(t[1]);
	vs_free(vs);
}

static int
verify(const uint8_t *data, size_t size, pyverify_bundle **b,
       pyverify_result *res, pyverify_error *err)
{
	int rc = pyverify_bundle_load_memory(b, data, size, err);

	if (rc == PYVERIFY_OK)
		rc = pyverify_verify(root, *b, &artifact, policy, res, err);
	return rc;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct pv_bytes text = { NULL, 0 };
	pyverify_error err = { 0 };
	pyverify_result res;
	char name[32];
	int i;

	(void)argc;
	(void)argv;
	if (fz_load(TARGET, "root.json", &text) != 0) {
		make_fixture();
		FZ_REQUIRE(fz_load(TARGET, "root.json", &text) == 0);
	}
	FZ_REQUIRE(pyverify_trust_root_load_memory(&root, text.data, text.len,
	                                           "fuzz root", &err) == 0);
	pv_bytes_clear(&text);
	FZ_REQUIRE(pyverify_policy_new(&policy, &err) == 0);
	FZ_REQUIRE(pyverify_policy_add_identity(policy, ID,
	                                        PYVERIFY_MATCH_EXACT, ISS,
	                                        PYVERIFY_MATCH_EXACT,
	                                        &err) == 0);
	pyverify_policy_set_now(policy, VS_EPOCH + 3600);
	FZ_REQUIRE(pyverify_artifact_from_memory(&artifact, "hello\n", 6,
	                                         &err) == 0);
	for (i = 0; i < N_ORIG; i++) {
		snprintf(name, sizeof(name), "bundle%d.json", i);
		FZ_REQUIRE(fz_load(TARGET, name, &text) == 0);
		/* The fixture itself must verify, or the oracle is void. */
		if (verify(text.data, text.len, &orig[i], &res, &err) !=
		    PYVERIFY_OK) {
			fprintf(stderr, "fuzz fixture: %s does not verify: "
			        "step %s: %s\n", name,
			        pyverify_step_code(err.step), err.msg);
			exit(2);
		}
		pv_bytes_clear(&text);
	}
	return 0;
}

static int
same(const struct pv_bytes *a, const struct pv_bytes *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pyverify_bundle *b = NULL;
	pyverify_error err = { 0 };
	pyverify_result res;
	int i, rc, matched = 0;

	rc = verify(data, size, &b, &res, &err);
	fz_report(rc, &err);
	if (rc == PYVERIFY_OK) {
		/* Accepted: it must be one of the minted signatures by the
		 * minted leaf, for the policy's identity. */
		for (i = 0; i < N_ORIG; i++)
			if (same(&b->signature, &orig[i]->signature) &&
			    b->n_certs >= 1 &&
			    same(&b->certs[0], &orig[i]->certs[0]))
				matched = 1;
		if (!matched || strcmp(res.identity, ID) != 0 ||
		    strcmp(res.issuer, ISS) != 0) {
			fprintf(stderr, "accepted a bundle that is not one of "
			                "the minted ones\n");
			abort();
		}
	} else {
		FZ_REQUIRE(err.code == rc && err.msg[0] != '\0');
	}
	pyverify_bundle_free(b);
	return 0;
}
