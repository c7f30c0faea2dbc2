/* test_tuf_metadata.c - TUF documents (lib/tuf/metadata.c, keys.c): form
 * checks of "signed" and the signature threshold rules, with small
 * documents signed here by ed25519 (libsodium), ECDSA P-256 and RSA-PSS
 * (OpenSSL) keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include "tuf/tuf_impl.h"

enum { K_ED, K_P256, K_RSA };

struct tkey {
	int kind;
	EVP_PKEY *pk;
	uint8_t edsk[crypto_sign_SECRETKEYBYTES];
	uint8_t edpk[crypto_sign_PUBLICKEYBYTES];
	char id[16];
};

static void
tkey_gen(struct tkey *k, int kind, const char *id)
{
	memset(k, 0, sizeof(*k));
	k->kind = kind;
	snprintf(k->id, sizeof(k->id), "%s", id);
	if (kind == K_ED) {
		cr_assert_eq(sodium_init() >= 0, 1);
		crypto_sign_keypair(k->edpk, k->edsk);
	} else if (kind == K_P256) {
		k->pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	} else {
		k->pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	}
	cr_assert(kind == K_ED || k->pk != NULL);
}

static void
tkey_free(struct tkey *k)
{
	EVP_PKEY_free(k->pk);
}

static json_t *
tkey_json(const struct tkey *k)
{
	char pub[4096] = "";

	if (k->kind == K_ED) {
		pv_hex_encode(pub, k->edpk, sizeof(k->edpk));
	} else {
		BIO *b = BIO_new(BIO_s_mem());
		int n;

		cr_assert_eq(PEM_write_bio_PUBKEY(b, k->pk), 1);
		n = BIO_read(b, pub, sizeof(pub) - 1);
		cr_assert_gt(n, 0);
		pub[n] = '\0';
		BIO_free(b);
	}
	return json_pack("{s:s, s:s, s:{s:s}}", "keytype",
	                 k->kind == K_ED ? "ed25519"
	                 : k->kind == K_P256 ? "ecdsa" : "rsa",
	                 "scheme",
	                 k->kind == K_ED ? "ed25519"
	                 : k->kind == K_P256 ? "ecdsa-sha2-nistp256"
	                                     : "rsassa-pss-sha256",
	                 "keyval", "public", pub);
}

static json_t *
tkey_sign(const struct tkey *k, const char *msg, size_t len)
{
	uint8_t sig[1024];
	size_t slen = sizeof(sig);
	char hex[2049];

	if (k->kind == K_ED) {
		crypto_sign_detached(sig, NULL, (const uint8_t *)msg, len,
		                     k->edsk);
		slen = crypto_sign_BYTES;
	} else {
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		EVP_PKEY_CTX *pctx = NULL;

		cr_assert_eq(EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL,
		                                k->pk), 1);
		if (k->kind == K_RSA) {
			EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
			EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
			                                 RSA_PSS_SALTLEN_DIGEST);
		}
		cr_assert_eq(EVP_DigestSign(md, sig, &slen,
		                            (const uint8_t *)msg, len), 1);
		EVP_MD_CTX_free(md);
	}
	pv_hex_encode(hex, sig, slen);
	return json_pack("{s:s, s:s}", "keyid", k->id, "sig", hex);
}

/* A root "signed" with the keys, each role naming the keyids in ids. */
static json_t *
root_signed(struct tkey *keys, size_t n, json_t *ids, int threshold)
{
	json_t *s = json_pack("{s:s, s:s, s:i, s:s, s:b, s:{}, s:{}}", "_type",
	                      "root", "spec_version", "1.0.31", "version", 1,
	                      "expires", "2030-01-01T00:00:00Z",
	                      "consistent_snapshot", 1, "keys", "roles");
	const char *roles[] = { "root", "timestamp", "snapshot", "targets" };

	for (size_t i = 0; i < n; i++)
		json_object_set_new(json_object_get(s, "keys"), keys[i].id,
		                    tkey_json(&keys[i]));
	for (size_t i = 0; i < 4; i++)
		json_object_set_new(json_object_get(s, "roles"), roles[i],
		                    json_pack("{s:O, s:i}", "keyids", ids,
		                              "threshold", threshold));
	json_decref(ids);
	return s;
}

/* The document text: s signed by each of signers (may repeat). */
static char *
sign_doc(json_t *s, struct tkey **signers, size_t n)
{
	json_t *sigs = json_array(), *doc;
	char *canon, *text;
	size_t len;

	/* A "signed" without a canonical form (a real number) gets no
	 * signatures: the parser must refuse it before counting them. */
	if (pv_tuf_cjson(s, &canon, &len) == 0) {
		for (size_t i = 0; i < n; i++)
			json_array_append_new(sigs, tkey_sign(signers[i], canon,
			                                      len));
		free(canon);
	}
	doc = json_pack("{s:o, s:o}", "signatures", sigs, "signed", s);
	text = json_dumps(doc, JSON_INDENT(1));
	json_decref(doc);
	return text;
}

/* Parses text as root and verifies its root role against its own keys. */
static int
check_root(const char *text, char *why, size_t whylen)
{
	struct tuf_md *m = NULL;
	int rc = tuf_md_parse(&m, TUF_ROOT, "root.json",
	                      (const uint8_t *)text, strlen(text), why,
	                      whylen);

	if (rc == 0)
		rc = tuf_md_verify(m, &m->keys, &m->roles[TUF_ROOT],
		                   "root.json", "itself", why, whylen);
	tuf_md_free(m);
	return rc;
}

static struct tkey K[3];

static void
setup_keys(void)
{
	tkey_gen(&K[0], K_ED, "ed");
	tkey_gen(&K[1], K_P256, "p256");
	tkey_gen(&K[2], K_RSA, "rsa");
}

static void
teardown_keys(void)
{
	for (int i = 0; i < 3; i++)
		tkey_free(&K[i]);
}

TestSuite(tuf_metadata, .init = setup_keys, .fini = teardown_keys);

static json_t *
three_ids(void)
{
	return json_pack("[s,s,s]", "ed", "p256", "rsa");
}

Test(tuf_metadata, each_key_type_signs_alone)
{
	char why[256];

	for (int i = 0; i < 3; i++) {
		struct tkey *s[] = { &K[i] };
		char *t = sign_doc(root_signed(K, 3, three_ids(), 1), s, 1);

		cr_assert_eq(check_root(t, why, sizeof(why)), 0,
		             "key %s: %s", K[i].id, why);
		free(t);
	}
}

Test(tuf_metadata, threshold_met_by_two_of_three_kinds)
{
	struct tkey *s[] = { &K[0], &K[2] };
	char *t = sign_doc(root_signed(K, 3, three_ids(), 2), s, 2);
	char why[256];

	cr_assert_eq(check_root(t, why, sizeof(why)), 0, "%s", why);
	free(t);
}

Test(tuf_metadata, threshold_unmet_is_rejected_with_counts)
{
	struct tkey *s[] = { &K[1] };
	char *t = sign_doc(root_signed(K, 3, three_ids(), 2), s, 1);
	char why[256] = "";

	cr_assert_eq(check_root(t, why, sizeof(why)), PV_TUF_EREJECT);
	cr_assert(strstr(why, "1 valid signature") != NULL, "%s", why);
	cr_assert(strstr(why, "threshold") != NULL, "%s", why);
	free(t);
}

/* python-tuf and the conformance suite (test_duplicate_sig_keyids) refuse
 * a document that lists one keyid twice, even when the threshold is 1. */
Test(tuf_metadata, a_keyid_signing_twice_refuses_the_document)
{
	struct tkey *s[] = { &K[0], &K[0] };
	char *t = sign_doc(root_signed(K, 3, three_ids(), 1), s, 2);
	char why[256];

	cr_assert_eq(check_root(t, why, sizeof(why)), PV_TUF_EREJECT);
	cr_assert(strstr(why, "twice") != NULL, "%s", why);
	free(t);
}

Test(tuf_metadata, signature_by_a_key_outside_the_role_does_not_count)
{
	struct tkey *s[] = { &K[0], &K[1] };
	/* Both keys are in "keys", only ed is in the roles. */
	char *t = sign_doc(root_signed(K, 3, json_pack("[s]", "ed"), 2), s, 2);
	char why[256];

	cr_assert_eq(check_root(t, why, sizeof(why)), PV_TUF_EREJECT);
	free(t);
}

Test(tuf_metadata, signature_over_other_bytes_does_not_count)
{
	struct tkey *s[] = { &K[1] };
	json_t *sg = root_signed(K, 3, three_ids(), 1);
	char *t = sign_doc(json_incref(sg), s, 1);
	char *p = strstr(t, "2030-01-01");
	char why[256];

	cr_assert_not_null(p);
	p[3] = '1'; /* expires 2031: the signature no longer matches */
	cr_assert_eq(check_root(t, why, sizeof(why)), PV_TUF_EREJECT);
	json_decref(sg);
	free(t);
}

Test(tuf_metadata, unknown_scheme_is_ignored_not_fatal)
{
	json_t *sg = root_signed(K, 3, json_pack("[s,s]", "ed", "odd"), 1);
	struct tkey *s[] = { &K[0] };
	char *t, why[256];

	json_object_set_new(json_object_get(sg, "keys"), "odd",
	                    json_pack("{s:s, s:s, s:{s:s}}", "keytype",
	                              "ed25519", "scheme", "ed448-future",
	                              "keyval", "public", "00"));
	t = sign_doc(json_incref(sg), s, 1);
	cr_assert_eq(check_root(t, why, sizeof(why)), 0, "%s", why);
	free(t);
	/* ...but it cannot help reach a threshold of 2. */
	json_object_set_new(json_object_get(json_object_get(sg, "roles"),
	                                    "root"), "threshold",
	                    json_integer(2));
	t = sign_doc(sg, s, 1);
	cr_assert_eq(check_root(t, why, sizeof(why)), PV_TUF_EREJECT);
	free(t);
}

/* Parses a root whose "signed" was changed by edit; expects a refusal
 * whose message contains want. */
static void
assert_malformed(void (*edit)(json_t *), const char *want)
{
	json_t *sg = root_signed(K, 3, three_ids(), 1);
	struct tkey *s[] = { &K[0] };
	char *t, why[256] = "";

	edit(sg);
	t = sign_doc(sg, s, 1);
	cr_assert_eq(check_root(t, why, sizeof(why)), PV_TUF_EREJECT);
	cr_assert(strstr(why, want) != NULL, "\"%s\" not in \"%s\"", want,
	          why);
	free(t);
}

static void edit_type(json_t *s) { json_object_set_new(s, "_type", json_string("targets")); }
static void edit_expires(json_t *s) { json_object_set_new(s, "expires", json_string("2030-01-01 00:00:00")); }
static void edit_expires_offset(json_t *s) { json_object_set_new(s, "expires", json_string("2030-01-01T00:00:00+01:00")); }
static void edit_no_version(json_t *s) { json_object_del(s, "version"); }
static void edit_version0(json_t *s) { json_object_set_new(s, "version", json_integer(0)); }
static void edit_version_str(json_t *s) { json_object_set_new(s, "version", json_string("2")); }
static void edit_spec2(json_t *s) { json_object_set_new(s, "spec_version", json_string("2.0.0")); }
static void edit_no_targets_role(json_t *s) { json_object_del(json_object_get(s, "roles"), "targets"); }
static void edit_threshold0(json_t *s) { json_object_set_new(json_object_get(json_object_get(s, "roles"), "root"), "threshold", json_integer(0)); }
static void edit_real(json_t *s) { json_object_set_new(s, "x-extra", json_real(1.5)); }
static void edit_dup_keyid(json_t *s) { json_array_append_new(json_object_get(json_object_get(json_object_get(s, "roles"), "root"), "keyids"), json_string("ed")); }

Test(tuf_metadata, wrong_type_is_refused)
{
	assert_malformed(edit_type, "\"_type\" is \"targets\", not \"root\"");
}

Test(tuf_metadata, bad_expires_is_refused)
{
	assert_malformed(edit_expires, "expires");
	assert_malformed(edit_expires_offset, "expires");
}

Test(tuf_metadata, missing_or_bad_version_is_refused)
{
	assert_malformed(edit_no_version, "version");
	assert_malformed(edit_version0, "version");
	assert_malformed(edit_version_str, "version");
}

Test(tuf_metadata, other_spec_major_version_is_refused)
{
	assert_malformed(edit_spec2, "spec_version");
}

Test(tuf_metadata, root_roles_and_thresholds_are_checked)
{
	assert_malformed(edit_no_targets_role, "roles");
	assert_malformed(edit_threshold0, "threshold");
	assert_malformed(edit_dup_keyid, "unique");
}

Test(tuf_metadata, real_number_in_signed_is_refused)
{
	assert_malformed(edit_real, "real number");
}

Test(tuf_metadata, missing_signatures_array_is_refused)
{
	const char *t = "{\"signed\":{\"_type\":\"root\"}}";
	struct tuf_md *m = NULL;
	char why[256] = "";

	cr_assert_eq(tuf_md_parse(&m, TUF_ROOT, "root.json",
	                          (const uint8_t *)t, strlen(t), why,
	                          sizeof(why)), PV_TUF_EREJECT);
	cr_assert_null(m);
	cr_assert(strstr(why, "signatures") != NULL, "%s", why);
}

static int
parse_text(int type, const char *t, char *why, size_t whylen)
{
	struct tuf_md *m = NULL;
	int rc = tuf_md_parse(&m, type, "x.json", (const uint8_t *)t,
	                      strlen(t), why, whylen);

	tuf_md_free(m);
	return rc;
}

#define HDR(type) "{\"signatures\":[],\"signed\":{\"_type\":\"" type "\"," \
	"\"spec_version\":\"1.0\",\"version\":3,\"expires\":\"2030-01-01T00:00:00Z\","

Test(tuf_metadata, timestamp_must_list_snapshot_json)
{
	char why[256];

	cr_assert_eq(parse_text(TUF_TIMESTAMP, HDR("timestamp")
	    "\"meta\":{\"snapshot.json\":{\"version\":3}}}}", why,
	    sizeof(why)), 0, "%s", why);
	cr_assert_eq(parse_text(TUF_TIMESTAMP, HDR("timestamp")
	    "\"meta\":{\"targets.json\":{\"version\":3}}}}", why,
	    sizeof(why)), PV_TUF_EREJECT);
	cr_assert_eq(parse_text(TUF_TIMESTAMP, HDR("timestamp")
	    "\"meta\":{\"snapshot.json\":{\"version\":3,\"length\":0}}}}",
	    why, sizeof(why)), PV_TUF_EREJECT);
	cr_assert_eq(parse_text(TUF_TIMESTAMP, HDR("timestamp")
	    "\"meta\":{\"snapshot.json\":{\"version\":3,\"hashes\":"
	    "{\"sha256\":\"abcd\"}}}}}", why, sizeof(why)), PV_TUF_EREJECT);
}

Test(tuf_metadata, targets_entries_need_length_and_hashes)
{
	char why[256];

	cr_assert_eq(parse_text(TUF_TARGETS, HDR("targets")
	    "\"targets\":{\"a.txt\":{\"length\":3,\"hashes\":{\"sha256\":"
	    "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}}}}}",
	    why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(parse_text(TUF_TARGETS, HDR("targets")
	    "\"targets\":{\"a.txt\":{\"hashes\":{\"sha256\":\"00\"}}}}}",
	    why, sizeof(why)), PV_TUF_EREJECT);
	cr_assert_eq(parse_text(TUF_TARGETS, HDR("targets")
	    "\"targets\":{\"a.txt\":{\"length\":3,\"hashes\":{}}}}}",
	    why, sizeof(why)), PV_TUF_EREJECT);
}

Test(tuf_metadata, delegation_needs_paths_or_prefixes_not_both)
{
	char why[256];
	const char *ok = HDR("targets") "\"targets\":{},\"delegations\":{"
	    "\"keys\":{},\"roles\":[{\"name\":\"a\",\"keyids\":[],"
	    "\"threshold\":1,\"terminating\":false,\"paths\":[\"*\"]}]}}}";
	const char *both = HDR("targets") "\"targets\":{},\"delegations\":{"
	    "\"keys\":{},\"roles\":[{\"name\":\"a\",\"keyids\":[],"
	    "\"threshold\":1,\"terminating\":false,\"paths\":[\"*\"],"
	    "\"path_hash_prefixes\":[\"ab\"]}]}}}";
	const char *neither = HDR("targets") "\"targets\":{},\"delegations\":{"
	    "\"keys\":{},\"roles\":[{\"name\":\"a\",\"keyids\":[],"
	    "\"threshold\":1,\"terminating\":false}]}}}";
	const char *toplevel = HDR("targets") "\"targets\":{},\"delegations\":{"
	    "\"keys\":{},\"roles\":[{\"name\":\"root\",\"keyids\":[],"
	    "\"threshold\":1,\"terminating\":false,\"paths\":[\"*\"]}]}}}";

	cr_assert_eq(parse_text(TUF_TARGETS, ok, why, sizeof(why)), 0, "%s",
	             why);
	cr_assert_eq(parse_text(TUF_TARGETS, both, why, sizeof(why)),
	             PV_TUF_EREJECT);
	cr_assert_eq(parse_text(TUF_TARGETS, neither, why, sizeof(why)),
	             PV_TUF_EREJECT);
	cr_assert_eq(parse_text(TUF_TARGETS, toplevel, why, sizeof(why)),
	             PV_TUF_EREJECT);
}

Test(tuf_metadata, path_patterns_do_not_cross_slashes)
{
	cr_assert(tuf_path_match("*.txt", "a.txt"));
	cr_assert(!tuf_path_match("*.txt", "dir/a.txt"));
	cr_assert(tuf_path_match("dir/*", "dir/a.txt"));
	cr_assert(!tuf_path_match("dir/*", "dir/sub/a.txt"));
	cr_assert(tuf_path_match("dir/*/*.tgz", "dir/sub/a.tgz"));
	cr_assert(!tuf_path_match("a?c", "a/c"));
}

Test(tuf_metadata, hash_prefixes_match_sha256_of_the_path)
{
	/* sha256("abc") starts with ba7816bf. */
	char *pre[] = { (char *)"ba78" }, *other[] = { (char *)"00" };
	struct tuf_role r = { .prefixes = pre, .nprefixes = 1 };

	cr_assert(tuf_role_matches(&r, "abc"));
	r.prefixes = other;
	cr_assert(!tuf_role_matches(&r, "abc"));
}

/* Review fixes: a refused document is described without quoting it and
 * without reading words that were never written (too deep: no jansson
 * error); a delegated role name that could not be looked up whole is
 * refused at parse. */
Test(tuf_metadata, refusals_are_worded_and_long_role_names_refused)
{
	char why[256], deep[200], *t;
	size_t i, n = 0, nlen = TUF_MAX_ROLE_NAME + 1;
	const char *pre = HDR("targets") "\"targets\":{},\"delegations\":{"
	    "\"keys\":{},\"roles\":[{\"name\":\"";
	const char *post = "\",\"keyids\":[],\"threshold\":1,"
	    "\"terminating\":false,\"paths\":[\"*\"]}]}}}";

	for (i = 0; i < 40; i++)
		deep[n++] = '[';
	for (i = 0; i < 40; i++)
		deep[n++] = ']';
	deep[n] = '\0';
	memset(why, 'X', sizeof(why));
	cr_assert_eq(parse_text(TUF_TIMESTAMP, deep, why, sizeof(why)),
	             PV_TUF_EREJECT);
	cr_assert(strstr(why, "deeper than") != NULL, "%.255s", why);
	cr_assert_eq(parse_text(TUF_TIMESTAMP, "{\"secret\" 1}", why,
	                        sizeof(why)), PV_TUF_EREJECT);
	cr_assert(strstr(why, "not valid JSON") != NULL, "%s", why);
	cr_assert(strstr(why, "secret") == NULL, "quotes the server: %s", why);

	t = malloc(strlen(pre) + nlen + strlen(post) + 1);
	cr_assert_not_null(t);
	strcpy(t, pre);
	memset(t + strlen(pre), 'r', nlen);
	strcpy(t + strlen(pre) + nlen, post);
	cr_assert_eq(parse_text(TUF_TARGETS, t, why, sizeof(why)),
	             PV_TUF_EREJECT);
	cr_assert(strstr(why, "longer than 200") != NULL, "%s", why);
	/* 200 characters still pass. */
	memmove(t + strlen(pre) + nlen - 1, t + strlen(pre) + nlen,
	        strlen(post) + 1);
	cr_assert_eq(parse_text(TUF_TARGETS, t, why, sizeof(why)), 0, "%s",
	             why);
	free(t);
}
