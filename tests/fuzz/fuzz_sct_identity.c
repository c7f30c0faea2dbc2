/* fuzz_sct_identity.c - DER certificate bytes -> pv_x509_from_der ->
 * pv_cert_identity_read, pv_leaf_check_profile and pv_sct_verify, against
 * a fixed trusted root whose CT log and Fulcio intermediate (the issuer)
 * were minted once by the virtual Sigstore. Seeds: leaves with each SAN
 * type and issuer extension layout, and SCT variants. */
#include <stdint.h>

#include "fuzz_common.h"
#include "vsigstore.h"

#define TARGET "fuzz_sct_identity"

static pyverify_trust_root *root;
static X509 *issuer;

static void
leaf_seed(struct vs *vs, const char *name, const struct vs_leaf_opts *o)
{
	struct vs_leaf *leaf = vs_leaf_new(vs, o);
	uint8_t *der = NULL;
	int len;

	FZ_REQUIRE(leaf != NULL);
	len = i2d_X509(leaf->cert, &der);
	FZ_REQUIRE(len > 0);
	fz_seed(TARGET, name, -1, der, (size_t)len);
	OPENSSL_free(der);
	vs_leaf_free(leaf);
}

static void
make_fixture(void)
{
	struct vs *vs = vs_new();
	struct vs_leaf_opts uri = { .san_type = VS_SAN_URI,
	                            .identity = "https://github.com/o/r/.github/"
	                                        "workflows/release.yml@refs/"
	                                        "tags/v1",
	                            .issuer_ext = VS_ISSUER_V2_ONLY };
	struct vs_leaf_opts other = { .san_type = VS_SAN_OTHERNAME,
	                              .identity = "dev",
	                              .issuer_ext = VS_ISSUER_V1_ONLY };
	struct vs_leaf_opts none = { .issuer_ext = VS_ISSUER_NONE,
	                             .sct_unknown_log = 1 };
	struct vs_leaf_opts badsct = { .sct_bad_signature = 1 };
	struct vs_leaf_opts nosct = { .no_sct = 1, .no_codesign_eku = 1 };
	struct vs_leaf_opts ku = { .no_digital_signature = 1 };
	uint8_t *der = NULL;
	char *s;
	int len;

	FZ_REQUIRE(vs != NULL);
	s = vs_trust_root_string(vs);
	FZ_REQUIRE(s != NULL);
	fz_save_str(TARGET, "root.json", s);
	free(s);
	len = i2d_X509(vs_intermediate(vs), &der);
	FZ_REQUIRE(len > 0);
	fz_save(TARGET, "issuer.der", der, (size_t)len);
	OPENSSL_free(der);
	leaf_seed(vs, "email", NULL);
	leaf_seed(vs, "uri", &uri);
	leaf_seed(vs, "othername", &other);
	leaf_seed(vs, "no-issuer-unknown-log", &none);
	leaf_seed(vs, "bad-sct", &badsct);
	leaf_seed(vs, "no-sct", &nosct);
	leaf_seed(vs, "ku", &ku);
	vs_free(vs);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct pv_bytes text = { NULL, 0 }, der = { NULL, 0 };
	pyverify_error err = { 0 };

	(void)argc;
	(void)argv;
	if (fz_load(TARGET, "root.json", &text) != 0) {
		make_fixture();
		FZ_REQUIRE(fz_load(TARGET, "root.json", &text) == 0);
	}
	FZ_REQUIRE(fz_load(TARGET, "issuer.der", &der) == 0);
	FZ_REQUIRE(pyverify_trust_root_load_memory(&root, text.data, text.len,
	                                           "fuzz ct root", &err) == 0);
	issuer = pv_x509_from_der(der.data, der.len);
	FZ_REQUIRE(issuer != NULL);
	pv_bytes_clear(&text);
	pv_bytes_clear(&der);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pv_cert_identity id = { 0 };
	pyverify_error err = { 0 };
	X509 *x = pv_x509_from_der(data, size);
	size_t i;
	int rc;

	if (x == NULL)
		return 0;
	rc = pv_cert_identity_read(&id, x, &err);
	fz_report(rc, &err);
	if (rc == 0) {
		FZ_REQUIRE(id.n_sans <= PV_MAX_SANS);
		for (i = 0; i < id.n_sans; i++)
			FZ_REQUIRE(id.sans[i] != NULL);
	} else {
		FZ_REQUIRE(err.step == PYVERIFY_STEP_IDENTITY ||
		           err.step == PYVERIFY_STEP_ISSUER);
	}
	pv_cert_identity_clear(&id);
	rc = pv_leaf_check_profile(x, &err);
	fz_report(rc, &err);
	rc = pv_sct_verify(root, x, issuer, &err);
	fz_report(rc, &err);
	if (rc != 0)
		FZ_REQUIRE(err.step == PYVERIFY_STEP_SCT);
	X509_free(x);
	return 0;
}
