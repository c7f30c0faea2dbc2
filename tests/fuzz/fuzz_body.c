/* fuzz_body.c - pv_tlog_check_body on arbitrary entry bodies against fixed
 * signed content: the signatures, certificates, keys and DSSE payloads of
 * bundles minted once by the virtual Sigstore (message and DSSE, with a
 * certificate or a managed key, Rekor v1 and v2). Input: byte 0 chooses the
 * signed content, byte 1 the entry's kind/version, the rest is the body. */
#include <stdint.h>

#include "fuzz_common.h"
#include "vsigstore.h"

#define TARGET "fuzz_body"
#define N_BUNDLES 6

static const char *const kinds[][2] = {
	{ "hashedrekord", "0.0.1" }, { "hashedrekord", "0.0.2" },
	{ "dsse", "0.0.1" },         { "intoto", "0.0.2" },
	{ "dsse", "0.0.2" },         { "intoto", "0.0.1" },
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

static pyverify_bundle *bundles[N_BUNDLES];
static struct pv_pubkey keys[N_BUNDLES];
static struct pv_signed_content contents[N_BUNDLES];
static uint8_t artifact_sha256[32];

static void
save_bundle(int i, json_t *j)
{
	char name[32], *s;

	FZ_REQUIRE(j != NULL);
	s = vs_dump(j);
	FZ_REQUIRE(s != NULL);
	snprintf(name, sizeof(name), "b%d.json", i);
	fz_save_str(TARGET, name, s);
	free(s);
	json_decref(j);
}

static void
make_fixture(void)
{
	struct vs *vs = vs_new();
	struct vs_leaf *leaf;
	struct vs_sign_opts rk2 = { .rekor_v2 = 1 };
	struct vs_subject subj = { "hello", "hello\n", 6 };
	char *stmt, *pem;
	EVP_PKEY *k;

	FZ_REQUIRE(vs != NULL);
	leaf = vs_leaf_new(vs, NULL);
	stmt = vs_intoto_statement(&subj, 1, NULL);
	k = EVP_EC_gen("P-256");
	FZ_REQUIRE(leaf != NULL && stmt != NULL && k != NULL);
	pem = vs_public_key_pem(k);
	FZ_REQUIRE(pem != NULL);
	/* Key bundles are 2 and 5 (see key_bundle()). */
	save_bundle(0, vs_sign(vs, leaf, NULL));
	save_bundle(1, vs_sign_dsse(vs, leaf, NULL, stmt));
	save_bundle(2, vs_sign_with_key(vs, k, NULL));
	save_bundle(3, vs_sign(vs, leaf, &rk2));
	save_bundle(4, vs_sign_dsse(vs, leaf, &rk2, stmt));
	save_bundle(5, vs_sign_dsse_with_key(vs, k, &rk2, stmt));
	fz_save_str(TARGET, "key.pem", pem);
	free(pem);
	EVP_PKEY_free(k);
	free(stmt);
	vs_leaf_free(leaf);
	vs_free(vs);
}

static int
kind_index(const struct pv_tlog_entry *e)
{
	size_t i;

	for (i = 0; i < N_KINDS; i++)
		if (strcmp(e->kind, kinds[i][0]) == 0 &&
		    strcmp(e->version, kinds[i][1]) == 0)
			return (int)i;
	return 0;
}

static void
load_bundle(int i, const struct pv_bytes *pem, int seeds)
{
	struct pv_bytes text = { NULL, 0 };
	struct pv_signed_content *c = &contents[i];
	pyverify_bundle *b;
	pyverify_error err = { 0 };
	char name[32];
	size_t j;

	snprintf(name, sizeof(name), "b%d.json", i);
	FZ_REQUIRE(fz_load(TARGET, name, &text) == 0);
	FZ_REQUIRE(pyverify_bundle_load_memory(&bundles[i], text.data,
	                                       text.len, &err) == 0);
	pv_bytes_clear(&text);
	b = bundles[i];
	if (b->material == PV_MATERIAL_PUBLIC_KEY) {
		FZ_REQUIRE(pv_pubkey_from_pem(&keys[i], pem->data, pem->len,
		                              PYVERIFY_STEP_KEY, &err) == 0);
	} else {
		X509 *x = pv_x509_from_der(b->certs[0].data, b->certs[0].len);

		FZ_REQUIRE(x != NULL);
		FZ_REQUIRE(pv_pubkey_from_x509(&keys[i], x, PYVERIFY_STEP_KEY,
		                               &err) == 0);
		X509_free(x);
		c->cert_der = b->certs[0].data;
		c->cert_len = b->certs[0].len;
	}
	c->content = b->content;
	c->artifact_sha256 = artifact_sha256;
	c->signature = b->signature.data;
	c->signature_len = b->signature.len;
	c->payload = b->payload.data;
	c->payload_len = b->payload.len;
	c->payload_type = b->payload_type;
	c->key = &keys[i];
	for (j = 0; seeds && j < b->n_entries; j++) {
		struct pv_tlog_entry *e = &b->entries[j];
		uint8_t *buf = malloc(e->body.len + 2);
		char seed[32];

		FZ_REQUIRE(buf != NULL);
		buf[0] = (uint8_t)i;
		buf[1] = (uint8_t)kind_index(e);
		memcpy(buf + 2, e->body.data, e->body.len);
		snprintf(seed, sizeof(seed), "b%d-%zu", i, j);
		fz_seed(TARGET, seed, -1, buf, e->body.len + 2);
		free(buf);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct pv_bytes pem = { NULL, 0 };
	int i, fresh = 0;

	(void)argc;
	(void)argv;
	if (fz_load(TARGET, "key.pem", &pem) != 0) {
		make_fixture();
		FZ_REQUIRE(fz_load(TARGET, "key.pem", &pem) == 0);
		fresh = 1;
	}
	FZ_REQUIRE(pv_sha256(artifact_sha256, "hello\n", 6) == 0);
	for (i = 0; i < N_BUNDLES; i++)
		load_bundle(i, &pem, fresh);
	pv_bytes_clear(&pem);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pv_tlog_entry e;
	pyverify_error err = { 0 };
	uint8_t leaf[32];
	size_t k;
	int i, rc;

	if (size < 2)
		return 0;
	i = data[0] % N_BUNDLES;
	k = data[1] % N_KINDS;
	memset(&e, 0, sizeof(e));
	e.log_index = 1;
	snprintf(e.kind, sizeof(e.kind), "%s", kinds[k][0]);
	snprintf(e.version, sizeof(e.version), "%s", kinds[k][1]);
	/* Exactly the fuzzed bytes, no terminator: the body is binary. */
	e.body.len = size - 2;
	e.body.data = malloc(e.body.len + (e.body.len == 0));
	FZ_REQUIRE(e.body.data != NULL);
	memcpy(e.body.data, data + 2, e.body.len);
	rc = pv_tlog_check_body(&e, &contents[i], leaf, &err);
	fz_report(rc, &err);
	if (rc != 0)
		FZ_REQUIRE(err.step == PYVERIFY_STEP_TLOG_BODY);
	pv_bytes_clear(&e.body);
	return 0;
}
