/* fuzz_checkpoint.c - pv_checkpoint_verify on arbitrary note text against
 * fixed logs: a Rekor v1 ECDSA P-256 log and Rekor v2 logs with an Ed25519
 * and an ECDSA key (origin "rekor-v2.test"). The first input byte chooses
 * the log and the rekor_v2 mode (every pairing, also the mismatched ones);
 * the rest is the note. */
#include <stdint.h>

#include "fuzz_common.h"
#include "vsigstore.h"

#define TARGET "fuzz_checkpoint"

static struct pv_tlog logs[3]; /* v1 ECDSA, v2 Ed25519, v2 ECDSA */

static void
tlog_init(struct pv_tlog *log, const char *origin, int details,
          const uint8_t *der, size_t len)
{
	pyverify_error err = { 0 };
	size_t n = strlen(origin);

	log->origin = strdup(origin);
	log->base_url = malloc(n + 9);
	FZ_REQUIRE(log->origin != NULL && log->base_url != NULL);
	snprintf(log->base_url, n + 9, "https://%s", origin);
	FZ_REQUIRE(pv_pubkey_from_der(&log->key, details, der, len,
	                              PYVERIFY_STEP_TRUST_ROOT, &err) == 0);
	memcpy(log->log_id, log->key.spki_sha256, 32);
}

static void
make_fixture(void)
{
	struct vs *vs = vs_new();
	uint8_t root[32], *der = NULL;
	int len;
	char *note;

	FZ_REQUIRE(vs != NULL);
	len = i2d_PUBKEY(vs_rekor_key(vs), &der);
	FZ_REQUIRE(len > 0);
	fz_save(TARGET, "ec.der", der, (size_t)len);
	OPENSSL_free(der);
	fz_save(TARGET, "ed.pub", vs_rekor2_public(vs), 32);
	memset(root, 0x5a, sizeof(root));
	note = vs_checkpoint_v1(vs, "rekor.test - 1193050959916656506", 7,
	                        root, "rekor.test");
	FZ_REQUIRE(note != NULL);
	fz_seed(TARGET, "v1", 0, note, strlen(note));
	free(note);
	note = vs_checkpoint_v2(vs, 7, root);
	FZ_REQUIRE(note != NULL);
	fz_seed(TARGET, "v2-ed25519", 1, note, strlen(note));
	free(note);
	note = vs_checkpoint_v1(vs, "rekor-v2.test", 123456789, root,
	                        "rekor-v2.test");
	FZ_REQUIRE(note != NULL);
	fz_seed(TARGET, "v2-ecdsa", 2, note, strlen(note));
	free(note);
	vs_free(vs);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t ed_prefix[12] = { 0x30, 0x2a, 0x30, 0x05,
	                                       0x06, 0x03, 0x2b, 0x65,
	                                       0x70, 0x03, 0x21, 0x00 };
	struct pv_bytes ec = { NULL, 0 }, ed = { NULL, 0 };
	uint8_t spki[44];

	(void)argc;
	(void)argv;
	if (fz_load(TARGET, "ec.der", &ec) != 0 ||
	    fz_load(TARGET, "ed.pub", &ed) != 0) {
		pv_bytes_clear(&ec);
		make_fixture();
		FZ_REQUIRE(fz_load(TARGET, "ec.der", &ec) == 0);
		FZ_REQUIRE(fz_load(TARGET, "ed.pub", &ed) == 0);
	}
	FZ_REQUIRE(ed.len == 32);
	memcpy(spki, ed_prefix, 12);
	memcpy(spki + 12, ed.data, 32);
	tlog_init(&logs[0], "rekor.test", PV_KEY_PKIX_ECDSA_P256_SHA_256,
	          ec.data, ec.len);
	tlog_init(&logs[1], "rekor-v2.test", PV_KEY_PKIX_ED25519, spki,
	          sizeof(spki));
	tlog_init(&logs[2], "rekor-v2.test", PV_KEY_PKIX_ECDSA_P256_SHA_256,
	          ec.data, ec.len);
	pv_bytes_clear(&ec);
	pv_bytes_clear(&ed);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pv_checkpoint cp;
	pyverify_error err = { 0 };
	char *text;
	int sel, rc;

	if (size < 1)
		return 0;
	sel = data[0] % 6;
	/* The note as the bundle parser hands it over: NUL-terminated. */
	text = fz_strndup(data + 1, size - 1);
	memset(&cp, 0, sizeof(cp));
	rc = pv_checkpoint_verify(&cp, text, size - 1, &logs[sel % 3],
	                          sel < 3 ? sel != 0 : sel == 3, &err);
	fz_report(rc, &err);
	if (rc != 0)
		FZ_REQUIRE(err.step == PYVERIFY_STEP_CHECKPOINT);
	else
		FZ_REQUIRE(memchr(cp.origin, 0, sizeof(cp.origin)) != NULL);
	free(text);
	return 0;
}
