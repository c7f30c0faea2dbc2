/*
 * test_vsigstore_log.c - the virtual Sigstore's bundles and logs are what
 * real Sigstore produces. Every check here is recomputed independently with
 * OpenSSL, libsodium and jansson, never with the library's verification
 * modules (they are tested with this fixture, so they cannot vouch for it).
 * Bundles, log entry bodies, SETs, inclusion proofs and checkpoints.
 */
#include <criterion/criterion.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ct.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include "pyverify.h"
#include "vcheck.h"
#include "vsigstore.h"

static struct vs *g_vs;

static void setup(void)
{
	g_vs = vs_new();
	cr_assert_not_null(g_vs);
}

static void teardown(void)
{
	vs_free(g_vs);
	g_vs = NULL;
}

TestSuite(vsigstore, .init = setup, .fini = teardown);

/* ---- bundles ------------------------------------------------------------ */

Test(vsigstore, bundle_v03_has_the_expected_members)
{
	struct vs_leaf *l = vs_leaf_new(g_vs, NULL);
	json_t *b = vs_sign(g_vs, l, NULL);
	const json_t *e;
	uint8_t *d, want[32];
	size_t n;
	cr_assert_not_null(b);
	cr_assert_str_eq(vc_jstr(b, "mediaType"),
	                 "application/vnd.dev.sigstore.bundle+json;version=0.3");
	X509 *c = vc_cert_b64(vc_jstr(b,
	                              "verificationMaterial.certificate.rawBytes"));
	cr_assert_eq(X509_cmp(c, l->cert), 0);
	X509_free(c);
	cr_assert_null(json_object_get(json_object_get(b,
	                                               "verificationMaterial"),
	                               "x509CertificateChain"));
	cr_assert_str_eq(vc_jstr(b, "messageSignature.messageDigest.algorithm"),
	                 "SHA2_256");
	n = vc_unb64(&d, vc_jstr(b, "messageSignature.messageDigest.digest"));
	vc_sha256(want, "hello\n", 6);
	cr_assert_eq(n, 32);
	cr_assert_arr_eq(d, want, 32);
	free(d);
	/* SPEC 3.7.1: ECDSA over SHA-256 of the artifact, with the leaf key. */
	n = vc_unb64(&d, vc_jstr(b, "messageSignature.signature"));
	cr_assert(vc_ecdsa_verify(X509_get0_pubkey(l->cert), "hello\n", 6, d,
	                          n));
	free(d);

	e = vc_entry0(b);
	cr_assert_eq(vc_jdec(e, "logIndex"), 1003);
	cr_assert_eq(vc_jdec(e, "integratedTime"), (uint64_t)VS_EPOCH + 60);
	cr_assert_str_eq(vc_jstr(e, "kindVersion.kind"), "hashedrekord");
	cr_assert_str_eq(vc_jstr(e, "kindVersion.version"), "0.0.1");
	cr_assert_eq(vc_jdec(e, "inclusionProof.logIndex"), 3);
	cr_assert_eq(vc_jdec(e, "inclusionProof.treeSize"), 7);
	vc_jstr(e, "inclusionPromise.signedEntryTimestamp");
	vc_jstr(e, "inclusionProof.checkpoint.envelope");
	vc_jstr(e, "inclusionProof.rootHash");
	n = vc_unb64(&d, vc_jstr(e, "logId.keyId"));
	unsigned char *spki = NULL;
	int sn = i2d_PUBKEY(vs_rekor_key(g_vs), &spki);
	vc_sha256(want, spki, (size_t)sn);
	cr_assert_eq(n, 32);
	cr_assert_arr_eq(d, want, 32);
	OPENSSL_free(spki);
	free(d);
	json_decref(b);
	vs_leaf_free(l);
}

Test(vsigstore, bundle_versions_and_knobs_shape_the_json)
{
	struct vs_leaf *l = vs_leaf_new(g_vs, NULL);
	struct vs_sign_opts o = {.bundle_minor = 1};
	json_t *b = vs_sign(g_vs, l, &o), *vm, *e;
	cr_assert_not_null(b);
	cr_assert_str_eq(vc_jstr(b, "mediaType"),
	                 "application/vnd.dev.sigstore.bundle+json;version=0.1");
	vm = json_object_get(b, "verificationMaterial");
	cr_assert_null(json_object_get(vm, "certificate"));
	const json_t *certs = json_object_get(json_object_get(vm, "x509CertificateChain"),
	                                      "certificates");
	cr_assert_eq(json_array_size(certs), 1);
	X509 *c = vc_cert_b64(vc_jstr(json_array_get(certs, 0), "rawBytes"));
	cr_assert_eq(X509_cmp(c, l->cert), 0);
	X509_free(c);
	json_decref(b);

	o = (struct vs_sign_opts){.bundle_minor = 2};
	b = vs_sign(g_vs, l, &o);
	cr_assert_str_eq(vc_jstr(b, "mediaType"),
	                 "application/vnd.dev.sigstore.bundle+json;version=0.2");
	json_decref(b);

	o = (struct vs_sign_opts){.alt_media_type = 1};
	b = vs_sign(g_vs, l, &o);
	cr_assert_str_eq(vc_jstr(b, "mediaType"),
	                 "application/vnd.dev.sigstore.bundle.v0.3+json");
	json_decref(b);

	o = (struct vs_sign_opts){.no_promise = 1, .no_message_digest = 1,
	                          .no_checkpoint = 1, .integrated_time = 1700000500};
	b = vs_sign(g_vs, l, &o);
	cr_assert_not_null(b);
	e = (json_t *)vc_entry0(b);
	cr_assert_null(json_object_get(e, "inclusionPromise"));
	cr_assert_not_null(json_object_get(e, "inclusionProof"));
	cr_assert_null(json_object_get(json_object_get(e, "inclusionProof"),
	                               "checkpoint"));
	cr_assert_eq(vc_jdec(e, "integratedTime"), 1700000500);
	cr_assert_null(json_object_get(json_object_get(b, "messageSignature"),
	                               "messageDigest"));
	vc_jstr(b, "messageSignature.signature");
	json_decref(b);

	o = (struct vs_sign_opts){.no_proof = 1};
	b = vs_sign(g_vs, l, &o);
	cr_assert_null(json_object_get(vc_entry0(b), "inclusionProof"));
	cr_assert_not_null(json_object_get(vc_entry0(b), "inclusionPromise"));
	json_decref(b);

	o = (struct vs_sign_opts){.tree_size = 3, .leaf_index = 3};
	cr_assert_null(vs_sign(g_vs, l, &o), "leaf index outside the tree");
	o = (struct vs_sign_opts){.bundle_minor = 4};
	cr_assert_null(vs_sign(g_vs, l, &o));
	vs_leaf_free(l);
}

/* SPEC 3.8.2: the body is the JCS of the hashedrekord; jansson's sorted
 * compact dump is an independent JCS for these ASCII-only shapes. */
static void check_body(const json_t *b, const uint8_t digest[32],
                       const uint8_t *sig, size_t siglen, X509 *cert)
{
	uint8_t *body, *d, *pem;
	size_t n = vc_unb64(&body,
	                    vc_jstr(vc_entry0(b), "canonicalizedBody")), m;
	json_error_t err;
	json_t *j = json_loadb((const char *)body, n, JSON_REJECT_DUPLICATES,
	                       &err);
	char *again, dhex[65];
	cr_assert_not_null(j, "%s", err.text);
	again = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	cr_assert_eq(strlen(again), n);
	cr_assert_arr_eq(again, body, n, "body is not in JCS form");
	free(again);
	cr_assert_str_eq(vc_jstr(j, "apiVersion"), "0.0.1");
	cr_assert_str_eq(vc_jstr(j, "kind"), "hashedrekord");
	cr_assert_str_eq(vc_jstr(j, "spec.data.hash.algorithm"), "sha256");
	for (int i = 0; i < 32; i++)
		snprintf(dhex + 2 * i, 3, "%02x", digest[i]);
	cr_assert_str_eq(vc_jstr(j, "spec.data.hash.value"), dhex);
	m = vc_unb64(&d, vc_jstr(j, "spec.signature.content"));
	cr_assert_eq(m, siglen);
	cr_assert_arr_eq(d, sig, siglen);
	free(d);

	/* PEM of the certificate, 64-character lines (SPEC 0.4). */
	m = vc_unb64(&pem, vc_jstr(j, "spec.signature.publicKey.content"));
	BIO *bio = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(bio, cert);
	char *want;
	long wn = BIO_get_mem_data(bio, &want);
	cr_assert_eq((long)m, wn);
	cr_assert_arr_eq(pem, want, m);
	cr_assert(memcmp(pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
	cr_assert_eq(pem[28 + 64], '\n');
	BIO_free(bio);
	free(pem);
	json_decref(j);
	free(body);
}

Test(vsigstore, canonicalized_body_is_the_jcs_hashedrekord_of_the_bundle)
{
	struct vs_leaf *l = vs_leaf_new(g_vs, NULL);
	json_t *b = vs_sign(g_vs, l, NULL);
	uint8_t digest[32], *sig;
	size_t n;
	cr_assert_not_null(b);
	vc_sha256(digest, "hello\n", 6);
	n = vc_unb64(&sig, vc_jstr(b, "messageSignature.signature"));
	check_body(b, digest, sig, n, l->cert);
	free(sig);
	json_decref(b);
	vs_leaf_free(l);
}

Test(vsigstore, log_overrides_change_only_the_logged_body)
{
	struct vs_leaf *l = vs_leaf_new(g_vs, NULL);
	struct vs_leaf *other = vs_leaf_new(g_vs, NULL);
	uint8_t fake[32], real[32], *sig;
	static const uint8_t fsig[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
	struct vs_sign_opts o = {.log_digest = fake, .log_signature = fsig,
	                         .log_signature_len = sizeof(fsig),
	                         .log_cert = other->cert,
	                         .artifact = "abc", .artifact_len = 3};
	json_t *b;
	size_t n;
	memset(fake, 0xab, sizeof(fake));
	b = vs_sign(g_vs, l, &o);
	cr_assert_not_null(b);
	check_body(b, fake, fsig, sizeof(fsig), other->cert);
	/* The bundle itself still tells the truth. */
	n = vc_unb64(&sig, vc_jstr(b, "messageSignature.signature"));
	cr_assert(vc_ecdsa_verify(l->key, "abc", 3, sig, n));
	free(sig);
	n = vc_unb64(&sig, vc_jstr(b, "messageSignature.messageDigest.digest"));
	vc_sha256(real, "abc", 3);
	cr_assert_arr_eq(sig, real, 32);
	free(sig);
	json_decref(b);

	/* signing_key: the bundle signature is by that key. */
	o = (struct vs_sign_opts){.signing_key = other->key};
	b = vs_sign(g_vs, l, &o);
	n = vc_unb64(&sig, vc_jstr(b, "messageSignature.signature"));
	cr_assert(vc_ecdsa_verify(other->key, "hello\n", 6, sig, n));
	cr_assert_not(vc_ecdsa_verify(l->key, "hello\n", 6, sig, n));
	free(sig);
	json_decref(b);
	vs_leaf_free(other);
	vs_leaf_free(l);
}

/* SPEC 3.9, built independently with jansson. */
Test(vsigstore, set_verifies_over_the_jcs_payload)
{
	struct vs_leaf *l = vs_leaf_new(g_vs, NULL);
	struct vs_sign_opts o = {.tree_size = 100, .leaf_index = 42};
	json_t *b = vs_sign(g_vs, l, &o), *p;
	const json_t *e = vc_entry0(b);
	uint8_t *id, *set;
	size_t n, sn;
	char idhex[65], *payload;
	n = vc_unb64(&id, vc_jstr(e, "logId.keyId"));
	cr_assert_eq(n, 32);
	for (int i = 0; i < 32; i++)
		snprintf(idhex + 2 * i, 3, "%02x", id[i]);
	free(id);
	cr_assert_eq(vc_jdec(e, "logIndex"), 1042);
	p = json_pack("{s:s, s:I, s:s, s:I}", "body",
	              vc_jstr(e, "canonicalizedBody"),
	              "integratedTime", (json_int_t)vc_jdec(e, "integratedTime"),
	              "logID", idhex, "logIndex", (json_int_t)vc_jdec(e, "logIndex"));
	payload = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
	sn = vc_unb64(&set,
	              vc_jstr(e, "inclusionPromise.signedEntryTimestamp"));
	cr_assert(vc_ecdsa_verify(vs_rekor_key(g_vs), payload, strlen(payload),
	                          set, sn));
	/* The shard index is not what the SET signs. */
	json_object_set_new(p, "logIndex", json_integer(42));
	free(payload);
	payload = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
	cr_assert_not(vc_ecdsa_verify(vs_rekor_key(g_vs), payload,
	                              strlen(payload), set, sn));
	free(payload);
	free(set);
	json_decref(p);
	json_decref(b);
	vs_leaf_free(l);
}

/* SPEC 3.10, written out again from the SPEC's algorithm. */
static void node(uint8_t out[32], const uint8_t l[32], const uint8_t r[32])
{
	uint8_t buf[65];
	buf[0] = 1;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	vc_sha256(out, buf, 65);
}

static void check_inclusion(const json_t *b, uint64_t size, uint64_t index)
{
	const json_t *e = vc_entry0(b);
	const json_t *hashes = json_object_get(json_object_get(e, "inclusionProof"), "hashes");
	uint8_t *body, *root, h[32], *sib;
	size_t n = vc_unb64(&body, vc_jstr(e, "canonicalizedBody"));
	uint8_t *lb = malloc(n + 1);
	lb[0] = 0;
	memcpy(lb + 1, body, n);
	vc_sha256(h, lb, n + 1);
	free(lb);
	free(body);
	cr_assert_eq(vc_jdec(e, "inclusionProof.treeSize"), size);
	cr_assert_eq(vc_jdec(e, "inclusionProof.logIndex"), index);
	uint64_t x = index ^ (size - 1);
	unsigned inner = 0, border;
	while (x) {
		inner++;
		x >>= 1;
	}
	border = (unsigned)__builtin_popcountll(index >> inner);
	cr_assert_eq(json_array_size(hashes), inner + border,
	             "size %" PRIu64 " index %" PRIu64, size, index);
	for (unsigned i = 0; i < inner + border; i++) {
		cr_assert_eq(vc_unb64(&sib,
		                      json_string_value(json_array_get(hashes, i))), 32);
		if (i < inner && ((index >> i) & 1) == 0)
			node(h, h, sib);
		else
			node(h, sib, h);
		free(sib);
	}
	cr_assert_eq(vc_unb64(&root, vc_jstr(e, "inclusionProof.rootHash")),
	             32);
	cr_assert_arr_eq(h, root, 32, "size %" PRIu64 " index %" PRIu64, size,
	                 index);
	free(root);
}

Test(vsigstore, inclusion_proof_recomputes_the_root)
{
	static const uint64_t cases[][2] = {
	    {1, 0}, {2, 0}, {2, 1}, {7, 3}, {7, 6}, {8, 0}, {8, 5}, {1000, 999},
	    {1000, 0}, {4097, 4096}, {75408393, 75408392}, {75408393, 12345}};
	struct vs_leaf *l = vs_leaf_new(g_vs, NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vs_sign_opts o = {.tree_size = cases[i][0],
		                         .leaf_index = cases[i][1],
		                         .explicit_leaf_index = 1};
		json_t *b = vs_sign(g_vs, l, &o);
		cr_assert_not_null(b);
		check_inclusion(b, cases[i][0], cases[i][1]);
		json_decref(b);
	}
	json_t *b = vs_sign(g_vs, l, NULL);
	check_inclusion(b, 7, 3);
	json_decref(b);
	vs_leaf_free(l);
}

/* SPEC 3.11: split at the last blank line, check the one signature line. */
static void check_note(const char *note, const char *origin, uint64_t size,
                       const uint8_t root[32], const char *name,
                       const uint8_t keyid[4], EVP_PKEY *ec, const uint8_t *ed)
{
	char head[256], *r64 = malloc(45);
	const char *sep = strstr(note, "\n\n");
	size_t tlen;
	uint8_t *field;
	size_t fn;
	EVP_EncodeBlock((unsigned char *)r64, root, 32);
	snprintf(head, sizeof(head), "%s\n%" PRIu64 "\n%s\n", origin, size,
	         r64);
	free(r64);
	cr_assert_not_null(sep);
	tlen = (size_t)(sep - note) + 1;
	cr_assert_eq(tlen, strlen(head));
	cr_assert_arr_eq(note, head, tlen);
	const char *line = sep + 2;
	cr_assert(strncmp(line, "\xe2\x80\x94 ", 4) == 0);
	line += 4;
	cr_assert(strncmp(line, name,
	                  strlen(name)) == 0 && line[strlen(name)] == ' ');
	line += strlen(name) + 1;
	char *sig64 = strndup(line, strcspn(line, "\n"));
	cr_assert_str_eq(line + strlen(sig64), "\n");
	fn = vc_unb64(&field, sig64);
	free(sig64);
	cr_assert_arr_eq(field, keyid, 4);
	if (ec != NULL) {
		cr_assert(vc_ecdsa_verify(ec, note, tlen, field + 4, fn - 4));
	} else {
		cr_assert_eq(fn, 68);
		cr_assert_eq(crypto_sign_verify_detached(field + 4,
		                                         (const uint8_t *)note,
		                                         tlen, ed), 0);
	}
	free(field);
}

Test(vsigstore, checkpoints_are_signed_notes_by_the_log_keys)
{
	struct vs_leaf *l = vs_leaf_new(g_vs, NULL);
	json_t *b = vs_sign(g_vs, l, NULL);
	const json_t *e = vc_entry0(b);
	uint8_t *root, *id;
	unsigned char *spki = NULL;
	uint8_t lid[32];
	int sn = i2d_PUBKEY(vs_rekor_key(g_vs), &spki);
	vc_sha256(lid, spki, (size_t)sn);
	OPENSSL_free(spki);
	cr_assert_eq(vc_unb64(&root, vc_jstr(e, "inclusionProof.rootHash")),
	             32);
	check_note(vc_jstr(e, "inclusionProof.checkpoint.envelope"),
	           "rekor.test - 1234567890", 7, root, "rekor.test", lid,
	           vs_rekor_key(g_vs), NULL);

	char *v1 = vs_checkpoint_v1(g_vs, "o - 1", 99, root, "other.name");
	cr_assert_not_null(v1);
	check_note(v1, "o - 1", 99, root, "other.name", lid, vs_rekor_key(g_vs),
	           NULL);
	free(v1);

	/* v2: Ed25519, key ID from the C2SP derivation. */
	char *v2 = vs_checkpoint_v2(g_vs, 5, root);
	uint8_t buf[13 + 2 + 32], full[32];
	memcpy(buf, "rekor-v2.test", 13);
	buf[13] = 0x0a;
	buf[14] = 0x01;
	memcpy(buf + 15, vs_rekor2_public(g_vs), 32);
	vc_sha256(full, buf, sizeof(buf));
	cr_assert_str_eq(vs_rekor2_origin(g_vs), "rekor-v2.test");
	cr_assert_not_null(v2);
	check_note(v2, "rekor-v2.test", 5, root, "rekor-v2.test", full, NULL,
	           vs_rekor2_public(g_vs));
	free(v2);
	/* The secret key is libsodium's layout: seed || public key. */
	cr_assert_arr_eq(vs_rekor2_secret(g_vs) + 32, vs_rekor2_public(g_vs),
	                 32);
	(void)id;
	free(root);
	json_decref(b);
	vs_leaf_free(l);
}
