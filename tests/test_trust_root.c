/* test_trust_root.c - the trusted-root parser (SPEC 2.1-2.3): logs, CAs,
 * validity windows, lookups. Keys and a certificate are minted here with
 * OpenSSL so the tests need no files. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "verify/steps.h"

#define MT "application/vnd.dev.sigstore.trustedroot+json;version=0.1"

struct fixture {
	char *p256_spki;   /* b64 SPKI of a P-256 key */
	char *ed25519_spki; /* b64 SPKI of an Ed25519 key */
	char *cert;        /* b64 DER of a self-signed P-256 certificate */
	uint8_t p256_id[32]; /* SHA-256 of the P-256 SPKI */
};

static struct fixture fx;

static char *
b64_of(const uint8_t *p, size_t n)
{
	char *s = pv_b64_encode(p, n);

	cr_assert_not_null(s);
	return s;
}

static void
setup(void)
{
	EVP_PKEY *ec = EVP_EC_gen("P-256");
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	X509 *x = X509_new();
	X509_NAME *name;
	unsigned char *der = NULL;
	int n;

	cr_assert(ec != NULL && ed != NULL && x != NULL);
	n = i2d_PUBKEY(ec, &der);
	cr_assert_gt(n, 0);
	fx.p256_spki = b64_of(der, (size_t)n);
	cr_assert_eq(pv_sha256(fx.p256_id, der, (size_t)n), 0);
	OPENSSL_free(der);
	der = NULL;
	n = i2d_PUBKEY(ed, &der);
	cr_assert_gt(n, 0);
	fx.ed25519_spki = b64_of(der, (size_t)n);
	OPENSSL_free(der);
	der = NULL;

	cr_assert(X509_set_version(x, 2));
	cr_assert(ASN1_INTEGER_set(X509_get_serialNumber(x), 1));
	cr_assert(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	cr_assert(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
	name = X509_get_subject_name(x);
	cr_assert(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                                     (const unsigned char *)"test root",
	                                     -1, -1, 0));
	cr_assert(X509_set_issuer_name(x, name));
	cr_assert(X509_set_pubkey(x, ec));
	cr_assert(X509_sign(x, ec, EVP_sha256()));
	n = i2d_X509(x, &der);
	cr_assert_gt(n, 0);
	fx.cert = b64_of(der, (size_t)n);
	OPENSSL_free(der);
	X509_free(x);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(ed);
}

static void
teardown(void)
{
	free(fx.p256_spki);
	free(fx.ed25519_spki);
	free(fx.cert);
	memset(&fx, 0, sizeof(fx));
}

TestSuite(trust_root, .init = setup, .fini = teardown);

static json_t *
log_id(uint8_t v)
{
	uint8_t id[32];
	char *s;
	json_t *j;

	memset(id, v, sizeof(id));
	s = b64_of(id, sizeof(id));
	j = json_pack("{s:s}", "keyId", s);
	free(s);
	return j;
}

static json_t *
tlog(const char *url, const char *spki, const char *details, json_t *id)
{
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:{s:s}}, s:o}", "baseUrl",
	                 url, "hashAlgorithm", "SHA2_256", "publicKey",
	                 "rawBytes", spki, "keyDetails", details, "validFor",
	                 "start", "2021-01-12T11:53:27Z", "logId", id);
}

static json_t *
ca(const char *uri)
{
	return json_pack("{s:{s:s, s:s}, s:s, s:{s:[{s:s}]}, s:{s:s, s:s}}",
	                 "subject", "organization", "test", "commonName",
	                 "test", "uri", uri, "certChain", "certificates",
	                 "rawBytes", fx.cert, "validFor", "start",
	                 "2021-03-07T03:20:29Z", "end",
	                 "2022-12-31T23:59:59.999Z");
}

/* Rekor v1 (P-256, id = H(SPKI)) + Rekor v2 (Ed25519), one CT log, one
 * CA, one TSA. */
static json_t *
base_root(void)
{
	char *id = b64_of(fx.p256_id, 32);
	json_t *j = json_pack(
	    "{s:s, s:[o, o], s:[o], s:[o], s:[o]}", "mediaType", MT, "tlogs",
	    tlog("https://rekor.example", fx.p256_spki,
	         "PKIX_ECDSA_P256_SHA_256", json_pack("{s:s}", "keyId", id)),
	    tlog("https://log2025-1.rekor.example/", fx.ed25519_spki,
	         "PKIX_ED25519", log_id(0xcf)),
	    "ctlogs",
	    tlog("https://ctfe.example/2022", fx.p256_spki,
	         "PKIX_ECDSA_P256_SHA_256", log_id(0xdd)),
	    "certificateAuthorities", ca("https://fulcio.example"),
	    "timestampAuthorities", ca("https://tsa.example"));

	free(id);
	cr_assert_not_null(j);
	return j;
}

static json_t *
at(json_t *j, const char *path)
{
	char buf[256], *p, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = strtok_r(buf, ".", &save); p != NULL;
	     p = strtok_r(NULL, ".", &save)) {
		if (json_is_array(j))
			j = json_array_get(j, strtoul(p, NULL, 10));
		else
			j = json_object_get(j, p);
		cr_assert_not_null(j, "no %s in %s", p, path);
	}
	return j;
}

static void
set(json_t *j, const char *path, const char *key, json_t *v)
{
	cr_assert_eq(json_object_set_new(at(j, path), key, v), 0);
}

static void
del(json_t *j, const char *path, const char *key)
{
	cr_assert_eq(json_object_del(at(j, path), key), 0, "no %s", key);
}

/* Loads and consumes j. */
static int
load(json_t *j, pyverify_trust_root **r, pyverify_error *err)
{
	char *text = json_dumps(j, JSON_COMPACT);
	int rc;

	cr_assert_not_null(text);
	json_decref(j);
	rc = pyverify_trust_root_load_memory(r, text, strlen(text), NULL, err);
	free(text);
	return rc;
}

static pyverify_trust_root *
expect_load(json_t *j)
{
	pyverify_trust_root *r = NULL;
	pyverify_error err = { 0 };
	int rc = load(j, &r, &err);

	cr_assert_eq(rc, 0, "rc %d: %s", rc, err.msg);
	cr_assert_not_null(r);
	return r;
}

static void
expect_reject(json_t *j, const char *word)
{
	pyverify_trust_root *r = NULL;
	pyverify_error err = { 0 };
	int rc = load(j, &r, &err);

	cr_assert_eq(rc, PYVERIFY_EPARSE, "rc %d (%s)", rc, err.msg);
	cr_assert_eq(err.step, PYVERIFY_STEP_TRUST_ROOT);
	cr_assert_not_null(strstr(err.msg, word), "message \"%s\" lacks \"%s\"",
	                   err.msg, word);
	cr_assert_null(r);
}

Test(trust_root, loads_every_section_and_fills_every_field)
{
	pyverify_trust_root *r = expect_load(base_root());
	const struct pv_tlog *t;

	cr_assert_str_eq(r->media_type, MT);
	cr_assert_str_eq(pyverify_trust_root_source(r), "(memory)");
	cr_assert_eq(r->n_tlogs, 2);
	cr_assert_eq(r->n_ctlogs, 1);
	cr_assert_eq(r->n_cas, 1);
	cr_assert_eq(r->n_tsas, 1);

	t = &r->tlogs[0];
	cr_assert_str_eq(t->base_url, "https://rekor.example");
	cr_assert_str_eq(t->origin, "rekor.example");
	cr_assert_eq(memcmp(t->log_id, fx.p256_id, 32), 0);
	cr_assert_eq(t->key.details, PV_KEY_PKIX_ECDSA_P256_SHA_256);
	cr_assert_eq(memcmp(t->key.spki_sha256, fx.p256_id, 32), 0);
	cr_assert_eq(t->valid.start_ms, 1610452407000LL);
	cr_assert_eq(t->valid.has_end, 0);

	t = &r->tlogs[1];
	cr_assert_str_eq(t->origin, "log2025-1.rekor.example");
	cr_assert_eq(t->key.details, PV_KEY_PKIX_ED25519);
	cr_assert_eq(t->log_id[0], 0xcf);

	cr_assert_str_eq(r->ctlogs[0].origin, "ctfe.example/2022");
	cr_assert_eq(r->ctlogs[0].log_id[31], 0xdd);

	cr_assert_str_eq(r->cas[0].uri, "https://fulcio.example");
	cr_assert_eq(r->cas[0].n_certs, 1);
	/* Framed as strict DER: kept as DER, decoded at first use. */
	cr_assert_null(atomic_load(&r->cas[0].certs));
	cr_assert_not_null(pv_ca_certs(&r->cas[0], NULL));
	cr_assert_not_null(atomic_load(&r->cas[0].certs));
	cr_assert_eq(r->cas[0].valid.start_ms, 1615087229000LL);
	cr_assert(r->cas[0].valid.has_end);
	cr_assert_eq(r->cas[0].valid.end_ms, 1672531199999LL);
	cr_assert_str_eq(r->tsas[0].uri, "https://tsa.example");
	pyverify_trust_root_free(r);
}

Test(trust_root, remembers_the_given_source)
{
	json_t *j = base_root();
	char *text = json_dumps(j, JSON_COMPACT);
	pyverify_trust_root *r = NULL;
	pyverify_error err = { 0 };

	json_decref(j);
	cr_assert_eq(pyverify_trust_root_load_memory(&r, text, strlen(text),
	                                             "tuf:prod", &err),
	             0, "%s", err.msg);
	free(text);
	cr_assert_str_eq(pyverify_trust_root_source(r), "tuf:prod");
	pyverify_trust_root_free(r);
	pyverify_trust_root_free(NULL);
}

Test(trust_root, derives_the_origin_from_the_base_url)
{
	static const struct {
		const char *url, *origin;
	} cases[] = {
		{ "http://localhost:8000", "localhost:8000" },
		{ "https://log.example//", "log.example" },
		{ "log.example", "log.example" },
		{ "git+ssh://log.example/a/", "log.example/a" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = base_root();
		pyverify_trust_root *r;
		set(j, "tlogs.0", "baseUrl", json_string(cases[i].url));
		r = expect_load(j);
		cr_assert_str_eq(r->tlogs[0].origin, cases[i].origin);
		cr_assert_str_eq(r->tlogs[0].base_url, cases[i].url);
		pyverify_trust_root_free(r);
	}
	{
		json_t *j = base_root();
		set(j, "tlogs.0", "baseUrl", json_string("https:///"));
		expect_reject(j, "names no host");
	}
	{
		json_t *j = base_root();
		del(j, "tlogs.0", "baseUrl");
		expect_reject(j, "tlogs[0].baseUrl is missing");
	}
}

Test(trust_root, requires_a_validity_start_for_every_log_and_ca)
{
	json_t *j = base_root();

	del(j, "tlogs.1.publicKey.validFor", "start");
	expect_reject(j, "tlogs[1].publicKey.validFor.start is missing");
	j = base_root();
	set(j, "ctlogs.0.publicKey", "validFor", json_object());
	expect_reject(j, "ctlogs[0].publicKey.validFor.start is missing");
	j = base_root();
	del(j, "tlogs.0.publicKey.validFor", "start");
	expect_reject(j, "tlogs[0].publicKey.validFor.start is missing");
	j = base_root();
	del(j, "timestampAuthorities.0.validFor", "start");
	expect_reject(j, "timestampAuthorities[0].validFor.start is missing");
	j = base_root();
	del(j, "certificateAuthorities.0.validFor", "start");
	expect_reject(j, "certificateAuthorities[0].validFor.start is missing");
	j = base_root();
	set(j, "timestampAuthorities.0.validFor", "start",
	    json_string("2021-13-01T00:00:00Z"));
	expect_reject(j, "expected an RFC 3339 time");
}

/* Issue 8 defect 7: validFor is optional in the protobuf and sigstore-go and
 * sigstore-js read an absent window as unbounded; private deployments omit
 * it. Each of the four kinds loads with an open window. */
Test(trust_root, reads_an_absent_validity_window_as_unbounded)
{
	static const char *const holders[] = {
		"tlogs.0.publicKey", "ctlogs.0.publicKey",
		"certificateAuthorities.0", "timestampAuthorities.0",
	};
	size_t i;

	for (i = 0; i < sizeof(holders) / sizeof(holders[0]); i++) {
		json_t *j = base_root();
		pyverify_trust_root *r;
		const struct pv_time_range *w;

		del(j, holders[i], "validFor");
		r = expect_load(j);
		w = i == 0   ? &r->tlogs[0].valid
		    : i == 1 ? &r->ctlogs[0].valid
		    : i == 2 ? &r->cas[0].valid
		             : &r->tsas[0].valid;
		cr_assert(w->open_start, "%s", holders[i]);
		cr_assert_eq(w->has_end, 0, "%s", holders[i]);
		cr_assert(pv_time_range_contains(w, INT64_MIN), "%s",
		          holders[i]);
		cr_assert(pv_time_range_contains(w, 0), "%s", holders[i]);
		cr_assert(pv_time_range_contains(w, INT64_MAX), "%s",
		          holders[i]);
		/* The entries that keep their window keep it closed. */
		cr_assert_eq(r->tlogs[1].valid.open_start, 0);
		cr_assert(!pv_time_range_contains(&r->tlogs[1].valid,
		                                  1610452407000LL - 1));
		pyverify_trust_root_free(r);
	}
	{
		/* null is absence in protobuf JSON, so it opens the window
		 * too; an empty object is a window without a start. */
		json_t *j = base_root();
		pyverify_trust_root *r;

		set(j, "certificateAuthorities.0", "validFor", json_null());
		r = expect_load(j);
		cr_assert(r->cas[0].valid.open_start);
		pyverify_trust_root_free(r);
		j = base_root();
		set(j, "certificateAuthorities.0", "validFor", json_object());
		expect_reject(j, "certificateAuthorities[0].validFor.start is "
		                 "missing");
		j = base_root();
		set(j, "timestampAuthorities.0", "validFor",
		    json_string("2021-01-01T00:00:00Z"));
		expect_reject(j, "timestampAuthorities[0].validFor");
	}
}

Test(trust_root, reads_null_as_absent_like_protobuf_json)
{
	json_t *j = base_root();
	pyverify_trust_root *r;

	set(j, "tlogs.0.publicKey.validFor", "end", json_null());
	set(j, "tlogs.0", "checkpointKeyId", json_null());
	set(j, "certificateAuthorities.0", "operator", json_null());
	r = expect_load(j);
	cr_assert_eq(r->tlogs[0].valid.has_end, 0);
	pyverify_trust_root_free(r);

	j = base_root();
	set(j, "tlogs.0.publicKey.validFor", "start", json_null());
	expect_reject(j, "validFor.start is missing");
}

Test(trust_root, rejects_a_window_that_ends_before_it_starts)
{
	json_t *j = base_root();

	set(j, "tlogs.0.publicKey.validFor", "end",
	    json_string("2021-01-12T11:53:26Z"));
	expect_reject(j, "tlogs[0].publicKey.validFor ends before it starts");
}

/* A Timestamp is a message in protobuf JSON, so "" is not its default
 * spelling but an invalid time; read as "no end" it would open the window
 * for ever. */
Test(trust_root, rejects_an_empty_window_end_instead_of_opening_the_window)
{
	json_t *j = base_root();
	pyverify_trust_root *r;

	set(j, "tlogs.0.publicKey.validFor", "end", json_string(""));
	expect_reject(j, "tlogs[0].publicKey.validFor.end is empty");
	j = base_root();
	set(j, "certificateAuthorities.0.validFor", "end", json_string(""));
	expect_reject(j, "certificateAuthorities[0].validFor.end is empty");
	j = base_root();
	set(j, "tlogs.0.publicKey.validFor", "end", json_integer(0));
	expect_reject(j, "tlogs[0].publicKey.validFor.end is an integer");

	/* A window of one instant is closed, not empty. */
	j = base_root();
	set(j, "tlogs.0.publicKey.validFor", "end",
	    json_string("2021-01-12T11:53:27Z"));
	r = expect_load(j);
	cr_assert(r->tlogs[0].valid.has_end);
	cr_assert_eq(r->tlogs[0].valid.end_ms, r->tlogs[0].valid.start_ms);
	cr_assert(pv_time_range_contains(&r->tlogs[0].valid, 1610452407000LL));
	cr_assert(!pv_time_range_contains(&r->tlogs[0].valid, 1610452407001LL));
	pyverify_trust_root_free(r);
}

Test(trust_root, rounds_fractional_window_bounds_inwards)
{
	json_t *j = base_root();
	pyverify_trust_root *r;

	set(j, "tlogs.0.publicKey.validFor", "start",
	    json_string("2021-01-12T11:53:27.0001Z"));
	set(j, "tlogs.0.publicKey.validFor", "end",
	    json_string("2021-01-12T11:53:28.0009Z"));
	r = expect_load(j);
	cr_assert_eq(r->tlogs[0].valid.start_ms, 1610452407001LL);
	cr_assert_eq(r->tlogs[0].valid.end_ms, 1610452408000LL);
	pyverify_trust_root_free(r);
}

Test(trust_root, rejects_unsupported_or_mismatched_log_keys)
{
	json_t *j = base_root();

	set(j, "tlogs.0.publicKey", "keyDetails",
	    json_string("PKIX_RSA_PSS_2048_SHA256"));
	expect_reject(j, "\"PKIX_RSA_PSS_2048_SHA256\" is not a supported");
	j = base_root();
	set(j, "tlogs.0.publicKey", "keyDetails", json_string("PKIX_ED25519"));
	expect_reject(j, "tlogs[0].publicKey: public key does not match");
	j = base_root();
	set(j, "tlogs.0.publicKey", "rawBytes", json_string("AAAA"));
	expect_reject(j, "tlogs[0].publicKey: public key is not one DER");
	j = base_root();
	del(j, "ctlogs.0.publicKey", "rawBytes");
	expect_reject(j, "ctlogs[0].publicKey.rawBytes is missing");
	j = base_root();
	del(j, "tlogs.0", "publicKey");
	expect_reject(j, "tlogs[0].publicKey is missing");
}

Test(trust_root, accepts_only_sha2_256_log_trees)
{
	json_t *j = base_root();

	set(j, "tlogs.0", "hashAlgorithm", json_string("SHA2_384"));
	expect_reject(j, "\"SHA2_384\", expected SHA2_256");
	j = base_root();
	del(j, "ctlogs.0", "hashAlgorithm");
	expect_reject(j, "ctlogs[0].hashAlgorithm");
}

Test(trust_root, requires_a_32_byte_log_id)
{
	json_t *j = base_root();
	uint8_t id[31] = { 0 };
	char *s = b64_of(id, sizeof(id));

	set(j, "tlogs.0.logId", "keyId", json_string(s));
	free(s);
	expect_reject(j, "tlogs[0].logId.keyId is 31 bytes, expected 32");
	j = base_root();
	del(j, "ctlogs.0", "logId");
	expect_reject(j, "ctlogs[0].logId is missing");
}

Test(trust_root, checks_every_ca_certificate)
{
	json_t *j = base_root(), *certs;
	int i;

	set(j, "certificateAuthorities.0.certChain.certificates.0", "rawBytes",
	    json_string("AAAA"));
	expect_reject(j, "certificates[0].rawBytes is not one DER X.509");

	/* Trailing bytes after the DER. */
	j = base_root();
	{
		struct pv_bytes der = { NULL, 0 };
		uint8_t *longer;
		char *s;

		cr_assert_eq(pv_b64_decode(&der, fx.cert, strlen(fx.cert)), 0);
		longer = calloc(1, der.len + 1); /* one trailing zero byte */
		cr_assert_not_null(longer);
		memcpy(longer, der.data, der.len);
		s = pv_b64_encode(longer, der.len + 1);
		set(j, "timestampAuthorities.0.certChain.certificates.0",
		    "rawBytes", json_string(s));
		free(s);
		free(longer);
		pv_bytes_clear(&der);
	}
	expect_reject(j, "timestampAuthorities[0].certChain.certificates[0]");

	j = base_root();
	json_array_clear(at(j, "certificateAuthorities.0.certChain"
	                       ".certificates"));
	expect_reject(j, "certChain.certificates is empty");

	j = base_root();
	del(j, "certificateAuthorities.0", "certChain");
	expect_reject(j, "certificateAuthorities[0].certChain is missing");

	j = base_root();
	certs = at(j, "certificateAuthorities.0.certChain.certificates");
	for (i = 0; i < PV_MAX_CHAIN_CERTS; i++)
		json_array_append_new(certs,
		                      json_pack("{s:s}", "rawBytes", fx.cert));
	expect_reject(j, "the limit is 10");
}

Test(trust_root, reads_a_chain_in_file_order_and_a_missing_uri_as_empty)
{
	json_t *j = base_root();
	pyverify_trust_root *r;

	json_array_append_new(at(j, "certificateAuthorities.0.certChain"
	                            ".certificates"),
	                      json_pack("{s:s}", "rawBytes", fx.cert));
	del(j, "certificateAuthorities.0", "uri");
	r = expect_load(j);
	cr_assert_eq(r->cas[0].n_certs, 2);
	cr_assert_eq(X509_cmp(pv_ca_certs(&r->cas[0], NULL)[0],
	                      pv_ca_certs(&r->cas[0], NULL)[1]), 0);
	cr_assert_str_eq(r->cas[0].uri, "");
	pyverify_trust_root_free(r);
}

Test(trust_root, tolerates_unknown_members_but_not_wrong_types)
{
	json_t *j = base_root();
	pyverify_trust_root *r;

	set(j, "", "futureSection", json_pack("[{s:i}]", "x", 1));
	set(j, "tlogs.0", "futureField", json_string("x"));
	set(j, "tlogs.0", "operator", json_string("sigstore.dev"));
	set(j, "tlogs.0", "checkpointKeyId", log_id(1));
	r = expect_load(j);
	pyverify_trust_root_free(r);

	j = base_root();
	set(j, "", "ctlogs", json_object());
	expect_reject(j, "ctlogs is an object, expected an array");
	j = base_root();
	set(j, "tlogs.0", "operator", json_integer(1));
	expect_reject(j, "tlogs[0].operator is an integer, expected a string");
	j = base_root();
	set(j, "certificateAuthorities.0", "subject", json_string("x"));
	expect_reject(j, "subject is a string, expected an object");
	j = base_root();
	set(j, "certificateAuthorities.0", "uri", json_integer(3));
	expect_reject(j, "certificateAuthorities[0].uri is an integer");
}

Test(trust_root, accepts_the_three_media_types_and_nothing_else)
{
	static const char *const good[] = {
		MT,
		"application/vnd.dev.sigstore.trustedroot.v0.1+json",
		"application/vnd.dev.sigstore.trustedroot.v0.2+json",
	};
	size_t i;
	json_t *j;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		pyverify_trust_root *r;
		j = base_root();
		set(j, "", "mediaType", json_string(good[i]));
		r = expect_load(j);
		cr_assert_str_eq(r->media_type, good[i]);
		pyverify_trust_root_free(r);
	}
	j = base_root();
	set(j, "", "mediaType",
	    json_string("application/vnd.dev.sigstore.trustedroot.v0.3+json"));
	expect_reject(j, "trustedroot.v0.3+json");
	j = base_root();
	del(j, "", "mediaType");
	expect_reject(j, "mediaType is missing");
}

Test(trust_root, accepts_snake_case_and_rejects_both_spellings)
{
	json_t *j = base_root(), *t = at(j, "tlogs.0");
	pyverify_trust_root *r;

	json_object_set(t, "base_url", json_object_get(t, "baseUrl"));
	json_object_del(t, "baseUrl");
	json_object_set(j, "certificate_authorities",
	                json_object_get(j, "certificateAuthorities"));
	json_object_del(j, "certificateAuthorities");
	r = expect_load(j);
	cr_assert_str_eq(r->tlogs[0].base_url, "https://rekor.example");
	cr_assert_eq(r->n_cas, 1);
	pyverify_trust_root_free(r);

	j = base_root();
	set(j, "tlogs.0", "log_id", log_id(2));
	expect_reject(j, "tlogs[0].logId is given twice");
}

Test(trust_root, requires_logs_or_certificate_authorities)
{
	json_t *j = base_root();
	pyverify_trust_root *r;

	del(j, "", "tlogs");
	del(j, "", "certificateAuthorities");
	expect_reject(j, "cannot verify anything");

	/* Managed-key verification needs only logs; sections may be empty. */
	j = base_root();
	del(j, "", "certificateAuthorities");
	set(j, "", "timestampAuthorities", json_array());
	r = expect_load(j);
	cr_assert_eq(r->n_cas, 0);
	cr_assert_eq(r->n_tsas, 0);
	pyverify_trust_root_free(r);
}

Test(trust_root, rejects_malformed_json)
{
	static const char *const bad[] = { "", "[]", "{\"mediaType\":1",
		                           "{\"a\":1,\"a\":1}", "{}x" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pyverify_trust_root *r = NULL;
		pyverify_error err = { 0 };
		int rc = pyverify_trust_root_load_memory(&r, bad[i],
		                                         strlen(bad[i]), NULL,
		                                         &err);
		cr_assert_eq(rc, PYVERIFY_EPARSE, "%s", bad[i]);
		cr_assert_eq(err.step, PYVERIFY_STEP_TRUST_ROOT);
		cr_assert_null(r);
	}
}

Test(trust_root, time_ranges_are_closed_intervals)
{
	struct pv_time_range open = { 1000, 0, 0 }, closed = { 1000, 2000, 1 };

	cr_assert_not(pv_time_range_contains(&open, 999));
	cr_assert(pv_time_range_contains(&open, 1000));
	cr_assert(pv_time_range_contains(&open, INT64_MAX));
	cr_assert_not(pv_time_range_contains(&closed, 999));
	cr_assert(pv_time_range_contains(&closed, 1000));
	cr_assert(pv_time_range_contains(&closed, 2000));
	cr_assert_not(pv_time_range_contains(&closed, 2001));
}

Test(trust_root, finds_logs_by_their_32_byte_id)
{
	pyverify_trust_root *r = expect_load(base_root());
	uint8_t id[32];

	cr_assert_eq(pv_trust_root_find_tlog(r, fx.p256_id), &r->tlogs[0]);
	memset(id, 0xcf, sizeof(id));
	cr_assert_eq(pv_trust_root_find_tlog(r, id), &r->tlogs[1]);
	cr_assert_null(pv_trust_root_find_ctlog(r, id));
	memset(id, 0xdd, sizeof(id));
	cr_assert_eq(pv_trust_root_find_ctlog(r, id), &r->ctlogs[0]);
	cr_assert_null(pv_trust_root_find_tlog(r, id));
	id[31] = 0xde;
	cr_assert_null(pv_trust_root_find_ctlog(r, id));
	pyverify_trust_root_free(r);
}

Test(trust_root, loads_a_file_and_remembers_its_path)
{
	char path[] = "/tmp/pyverify-test-root-XXXXXX";
	json_t *j = base_root();
	char *text = json_dumps(j, JSON_COMPACT);
	pyverify_trust_root *r = NULL;
	pyverify_error err = { 0 };
	int fd = mkstemp(path), rc;
	FILE *f;

	json_decref(j);
	cr_assert(fd >= 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	free(text);
	rc = pyverify_trust_root_load_file(&r, path, &err);
	cr_assert_eq(rc, 0, "%s", err.msg);
	cr_assert_str_eq(pyverify_trust_root_source(r), path);
	pyverify_trust_root_free(r);
	remove(path);

	r = NULL;
	rc = pyverify_trust_root_load_file(&r, path, &err);
	cr_assert_eq(rc, PYVERIFY_EIO);
	cr_assert_eq(err.step, PYVERIFY_STEP_TRUST_ROOT);
	cr_assert_null(r);
}

/* ---- real roots from ../shared/testdata -------------------------------- */

static const char *
testdata(void)
{
	const char *d = getenv("PYVERIFY_TESTDATA");

	return d != NULL ? d : "../shared/testdata";
}

Test(trust_root, loads_the_production_and_staging_roots)
{
	char path[1024];
	pyverify_trust_root *r = NULL;
	pyverify_error err = { 0 };
	uint8_t rekor[32];
	const struct pv_tlog *t;

	snprintf(path, sizeof(path), "%s/sigstore/production.trusted_root.json",
	         testdata());
	if (access(path, R_OK) != 0)
		cr_skip_test("no production trusted root at %s", path);
	cr_assert_eq(pyverify_trust_root_load_file(&r, path, &err), 0, "%s",
	             err.msg);
	cr_assert_eq(r->n_tlogs, 2);
	cr_assert_eq(r->n_ctlogs, 2);
	cr_assert_eq(r->n_cas, 2);
	cr_assert_eq(r->n_tsas, 1);
	/* SPEC 2.4: the Rekor v1 log ID, and its key is H(SPKI). */
	cr_assert_eq(pv_hex_decode(rekor, 32,
	                           "c0d23d6ad406973f9559f3ba2d1ca01f"
	                           "84147d8ffc5b8445c224f98b9591801d",
	                           64),
	             0);
	t = pv_trust_root_find_tlog(r, rekor);
	cr_assert_not_null(t);
	cr_assert_str_eq(t->origin, "rekor.sigstore.dev");
	cr_assert_eq(memcmp(t->key.spki_sha256, rekor, 32), 0);
	cr_assert_str_eq(r->tlogs[1].origin, "log2025-1.rekor.sigstore.dev");
	cr_assert_eq(r->tlogs[1].key.details, PV_KEY_PKIX_ED25519);
	cr_assert_eq(r->cas[1].n_certs, 2);
	cr_assert(r->ctlogs[0].valid.has_end);
	pyverify_trust_root_free(r);

	r = NULL;
	snprintf(path, sizeof(path), "%s/sigstore/staging.trusted_root.json",
	         testdata());
	cr_assert_eq(pyverify_trust_root_load_file(&r, path, &err), 0, "%s",
	             err.msg);
	cr_assert_geq(r->n_tlogs, 1);
	pyverify_trust_root_free(r);
}

Test(trust_root, loads_every_conformance_root_but_the_one_without_a_start)
{
	char dir[1024], path[2048];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/conformance/cases", testdata());
	d = opendir(dir);
	if (d == NULL)
		cr_skip_test("no conformance test data at %s", dir);
	while ((de = readdir(d)) != NULL) {
		pyverify_trust_root *r = NULL;
		pyverify_error err = { 0 };
		int rc;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/trusted_root.json", dir,
		         de->d_name);
		if (access(path, R_OK) != 0)
			continue;
		n++;
		rc = pyverify_trust_root_load_file(&r, path, &err);
		if (strcmp(de->d_name,
		           "trust-root-tlog-missing-validity-start_fail") == 0) {
			cr_expect_eq(rc, PYVERIFY_EPARSE);
			cr_expect_eq(err.step, PYVERIFY_STEP_TRUST_ROOT);
			cr_expect_not_null(strstr(err.msg, "start"), "%s",
			                   err.msg);
		} else {
			cr_expect_eq(rc, 0, "%s: %s", de->d_name, err.msg);
		}
		pyverify_trust_root_free(r);
	}
	closedir(d);
	cr_assert_gt(n, 5, "only %zu conformance roots found", n);
}

/* Issue 12: a certificate framed as strict DER is decoded when its entry
 * is first used. One whose inside is not a certificate lets the root load,
 * but every use of its entry - path validation, the public view, and
 * pyverify_trust_root_check, which installers call - refuses it, naming
 * the entry. */
Test(trust_root, a_framed_certificate_that_does_not_decode_is_refused_at_use)
{
	/* SEQUENCE { SEQUENCE { INTEGER 0 }, SEQUENCE {}, BIT STRING {} } */
	static const uint8_t bogus[] = { 0x30, 0x0a, 0x30, 0x03, 0x02, 0x01,
	                                 0x00, 0x30, 0x00, 0x03, 0x01, 0x00 };
	char *s = b64_of(bogus, sizeof(bogus));
	json_t *j = base_root();
	pyverify_trust_root *r;
	pyverify_trust_entry e;
	pyverify_error err = { 0 };
	struct pv_bytes der = { NULL, 0 };
	const unsigned char *p;
	X509 *leaf, *issuer = NULL;
	size_t bad = 99;

	cr_assert(pv_der_is_certificate_frame(bogus, sizeof(bogus)));
	set(j, "certificateAuthorities.0.certChain.certificates.0",
	    "rawBytes", json_string(s));
	free(s);
	r = expect_load(j);
	cr_assert_null(pv_ca_certs(&r->cas[0], &bad));
	cr_assert_eq(bad, 0);

	cr_assert_eq(pyverify_trust_root_check(r, &err), PYVERIFY_EPARSE);
	cr_assert_str_eq(err.msg, "certificateAuthorities[0].certChain."
	                          "certificates[0].rawBytes is not one DER "
	                          "X.509 certificate");
	cr_assert_eq(pyverify_trust_root_entry(&e, r, PYVERIFY_TRUST_CA, 0,
	                                       &err),
	             PYVERIFY_EPARSE);
	cr_assert_not_null(strstr(err.msg, "is not one DER X.509"), "%s",
	                   err.msg);

	/* Path validation inside the CA's window fails closed on it. */
	cr_assert_eq(pv_b64_decode(&der, fx.cert, strlen(fx.cert)), 0);
	p = der.data;
	leaf = d2i_X509(NULL, &p, (long)der.len);
	cr_assert_not_null(leaf);
	cr_assert_eq(pv_chain_verify(r, leaf, 1640995200000LL, &issuer, &err),
	             PYVERIFY_EPARSE);
	cr_assert_eq(err.step, PYVERIFY_STEP_TRUST_ROOT);
	cr_assert_not_null(strstr(err.msg, "certificate 0 of Fulcio CA "
	                                   "https://fulcio.example"),
	                   "%s", err.msg);
	cr_assert_null(issuer);
	X509_free(leaf);
	pv_bytes_clear(&der);
	pyverify_trust_root_free(r);
}

Test(trust_root, check_passes_a_whole_root_and_decodes_each_entry_once)
{
	pyverify_trust_root *r = expect_load(base_root());
	pyverify_error err = { 0 };
	X509 *const *first;

	cr_assert_eq(pyverify_trust_root_check(r, &err), 0, "%s", err.msg);
	first = pv_ca_certs(&r->tsas[0], NULL);
	cr_assert_not_null(first);
	cr_assert_eq(pv_ca_certs(&r->tsas[0], NULL), first);
	pyverify_trust_root_free(r);
}
