/*
 * vsigstore.c - a virtual Sigstore minted in code for tests (see vsigstore.h).
 *
 * Everything here is deliberately independent of lib/: the fixture must stay
 * usable while the library's modules are being written, and it must not
 * share a bug with the code it tests. Every function returns NULL on failure
 * and frees what it took.
 */
#include "vsigstore.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/ct.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#define VS_YEAR ((int64_t)365 * 24 * 3600)
#define VS_REKOR_ORIGIN "rekor.test - 1234567890"
#define VS_REKOR_NAME "rekor.test"
#define VS_REKOR2_ORIGIN "rekor-v2.test"
/* Subtrees of the virtual log that do not contain our entry and have more
 * leaves than this get a pseudo-random node hash instead of being computed
 * leaf by leaf, so tests may use realistic tree sizes (tens of millions). A
 * verifier cannot tell the difference. */
#define VS_REAL_SUBTREE_MAX 4096
/* RFC 6962 audit paths of a 64-bit tree have at most 64 elements. */
#define VS_MAX_PROOF 64

struct vs {
	EVP_PKEY *root_key, *inter_key, *ct_key, *ct_unknown_key, *rekor_key;
	X509 *root, *inter;
	uint8_t r2_pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t r2_sk[crypto_sign_SECRETKEYBYTES];
	uint8_t rekor_log_id[32], ct_log_id[32], ct_unknown_log_id[32];
	uint8_t r2_log_id[32];
};

/* ---- small helpers ------------------------------------------------------ */

void vs_sha256(uint8_t out[32], const void *data, size_t len)
{
	unsigned int n = 32;
	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1)
		memset(out, 0, 32);
}

/* Standard padded base64, malloc'd. */
static char *b64(const void *in, size_t len)
{
	size_t outlen = 4 * ((len + 2) / 3) + 1;
	char *out;
	if (len > (size_t)INT32_MAX / 2)
		return NULL;
	out = malloc(outlen);
	if (out == NULL)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}

static void hex(char *out, const uint8_t *in, size_t len)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	out[2 * len] = '\0';
}

/* DER SubjectPublicKeyInfo, OPENSSL_malloc'd. */
static int spki(EVP_PKEY *k, unsigned char **out, size_t *outlen)
{
	unsigned char *p = NULL;
	int n = i2d_PUBKEY(k, &p);
	if (n <= 0)
		return -1;
	*out = p;
	*outlen = (size_t)n;
	return 0;
}

static int key_id(EVP_PKEY *k, uint8_t out[32])
{
	unsigned char *d = NULL;
	size_t n = 0;
	if (spki(k, &d, &n) != 0)
		return -1;
	vs_sha256(out, d, n);
	OPENSSL_free(d);
	return 0;
}

/* ECDSA with `md` over msg; DER signature, OPENSSL_malloc'd. */
static int ec_sign_md(EVP_PKEY *k, const EVP_MD *md, const void *msg,
                      size_t len, unsigned char **sig, size_t *siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *s = NULL;
	size_t n = 0;
	int rc = -1;
	if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, md, NULL, k) != 1)
		goto done;
	if (EVP_DigestSign(ctx, NULL, &n, msg, len) != 1)
		goto done;
	s = OPENSSL_malloc(n);
	if (s == NULL || EVP_DigestSign(ctx, s, &n, msg, len) != 1)
		goto done;
	*sig = s;
	*siglen = n;
	s = NULL;
	rc = 0;
done:
	OPENSSL_free(s);
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* ECDSA with SHA-256 (the logs, the CT log, P-256 signers). */
static int ec_sign(EVP_PKEY *k, const void *msg, size_t len,
                   unsigned char **sig, size_t *siglen)
{
	return ec_sign_md(k, EVP_sha256(), msg, len, sig, siglen);
}

/* The curve's group name, "" when not an EC key. */
static const char *curve_of(EVP_PKEY *key, char *buf, size_t len)
{
	size_t n = 0;
	if (key == NULL || !EVP_PKEY_is_a(key, "EC") ||
	    EVP_PKEY_get_group_name(key, buf, len, &n) != 1)
		return "";
	return buf;
}

/* The hash that pairs with a signer's curve (SPEC 2.3), as 256/384/512;
 * 0 for a key the fixture does not sign with. */
static int key_hash_bits(EVP_PKEY *key)
{
	char g[32];
	const char *c = curve_of(key, g, sizeof(g));
	if (strcmp(c, "prime256v1") == 0)
		return 256;
	if (strcmp(c, "secp384r1") == 0)
		return 384;
	if (strcmp(c, "secp521r1") == 0)
		return 512;
	return 0;
}

static const EVP_MD *md_of_bits(int bits)
{
	return bits == 384 ? EVP_sha384() : bits == 512 ? EVP_sha512()
	                                                : EVP_sha256();
}

static const char *key_details_of(EVP_PKEY *key)
{
	switch (key_hash_bits(key)) {
	case 384: return "PKIX_ECDSA_P384_SHA_384";
	case 512: return "PKIX_ECDSA_P521_SHA_512";
	default: return "PKIX_ECDSA_P256_SHA_256";
	}
}

static void digest_bits(uint8_t *out, int bits, const void *data, size_t len)
{
	unsigned int n = 0;
	if (EVP_Digest(data, len, out, &n, md_of_bits(bits), NULL) != 1)
		abort();
}

static int rfc3339(char out[32], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL)
		return -1;
	return strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 ? -1 : 0;
}

/* A growable string; any failure sticks in `bad`. */
struct sb {
	char *p;
	size_t n, cap;
	int bad;
};

static void sb_put(struct sb *b, const void *d, size_t len)
{
	if (b->bad)
		return;
	if (b->n + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *np;
		while (cap < b->n + len + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (np == NULL) {
			b->bad = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, d, len);
	b->n += len;
	b->p[b->n] = '\0';
}

static void sb_str(struct sb *b, const char *s)
{
	if (s == NULL) {
		b->bad = 1;
		return;
	}
	sb_put(b, s, strlen(s));
}

static void sb_u64(struct sb *b, uint64_t v)
{
	char t[24];
	int n = snprintf(t, sizeof(t), "%" PRIu64, v);
	sb_put(b, t, (size_t)n);
}

static void sb_i64(struct sb *b, int64_t v)
{
	char t[24];
	int n = snprintf(t, sizeof(t), "%" PRId64, v);
	sb_put(b, t, (size_t)n);
}

/* Takes the string out of the builder (NULL if anything failed). */
static char *sb_take(struct sb *b)
{
	char *p = b->p;
	if (b->bad || p == NULL) {
		free(p);
		p = NULL;
	}
	b->p = NULL;
	b->n = b->cap = 0;
	return p;
}

/* Sets o[k] = v, consuming v; fails if v is NULL. */
static int jset(json_t *o, const char *k, json_t *v)
{
	if (o == NULL || v == NULL) {
		json_decref(v);
		return -1;
	}
	return json_object_set_new(o, k, v);
}

/* A JSON string holding the b64 of data (NULL on failure). */
static json_t *jb64(const void *d, size_t len)
{
	char *s = b64(d, len);
	json_t *j = s ? json_string(s) : NULL;
	free(s);
	return j;
}

static json_t *ju64(uint64_t v)
{
	char t[24];
	snprintf(t, sizeof(t), "%" PRIu64, v);
	return json_string(t);
}

static json_t *ji64(int64_t v)
{
	char t[24];
	snprintf(t, sizeof(t), "%" PRId64, v);
	return json_string(t);
}

static json_t *jcert(X509 *x)
{
	unsigned char *d = NULL;
	int n = i2d_X509(x, &d);
	json_t *o, *j;
	if (n <= 0)
		return NULL;
	j = jb64(d, (size_t)n);
	OPENSSL_free(d);
	o = json_object();
	if (jset(o, "rawBytes", j) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- certificates ------------------------------------------------------- */

static int set_serial(X509 *x)
{
	unsigned char r[16];
	BIGNUM *bn = NULL;
	int rc = -1;
	if (RAND_bytes(r, sizeof(r)) != 1)
		return -1;
	r[0] = (unsigned char)((r[0] & 0x7f) | 0x01); /* positive, 16 bytes */
	bn = BN_bin2bn(r, sizeof(r), NULL);
	if (bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL)
		rc = 0;
	BN_free(bn);
	return rc;
}

static int add_conf_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int rc;
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	if (e == NULL)
		return -1;
	rc = X509_add_ext(x, e, -1) == 1 ? 0 : -1;
	X509_EXTENSION_free(e);
	return rc;
}

static int add_raw_ext(X509 *x, const char *oid, const void *val, size_t len)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e = NULL;
	int rc = -1;
	if (obj == NULL || os == NULL || len > INT32_MAX ||
	    ASN1_OCTET_STRING_set(os, val, (int)len) != 1)
		goto done;
	e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
	if (e != NULL && X509_add_ext(x, e, -1) == 1)
		rc = 0;
done:
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
	return rc;
}

static int set_times(X509 *x, int64_t nb, int64_t na)
{
	if (ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb) == NULL)
		return -1;
	if (ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na) == NULL)
		return -1;
	return 0;
}

/* A CA certificate: self-signed root when issuer is NULL. */
static X509 *make_ca(EVP_PKEY *key, const char *cn, X509 *issuer,
                     EVP_PKEY *issuer_key)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	int ok = 0;
	if (x == NULL || name == NULL || X509_set_version(x, 2) != 1 ||
	    set_serial(x) != 0)
		goto done;
	if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	                               (const unsigned char *)"vsigstore.test",
	                               -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                               (const unsigned char *)cn, -1, -1,
	                               0) != 1)
		goto done;
	if (X509_set_subject_name(x, name) != 1 ||
	    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer)
	                                   : name) != 1 ||
	    X509_set_pubkey(x, key) != 1 ||
	    set_times(x, VS_EPOCH - VS_YEAR, VS_EPOCH + 10 * VS_YEAR) != 0)
		goto done;
	if (add_conf_ext(x, issuer ? issuer : x, NID_basic_constraints,
	                 issuer ? "critical,CA:TRUE,pathlen:0"
	                        : "critical,CA:TRUE") != 0 ||
	    add_conf_ext(x, issuer ? issuer : x, NID_key_usage,
	                 "critical,keyCertSign,cRLSign") != 0 ||
	    add_conf_ext(x, issuer ? issuer : x, NID_subject_key_identifier,
	                 "hash") != 0)
		goto done;
	if (issuer != NULL &&
	    (add_conf_ext(x, issuer, NID_ext_key_usage, "codeSigning") != 0 ||
	     add_conf_ext(x, issuer, NID_authority_key_identifier,
	                  "keyid:always") != 0))
		goto done;
	if (X509_sign(x, issuer_key ? issuer_key : key, EVP_sha384()) <= 0)
		goto done;
	ok = 1;
done:
	X509_NAME_free(name);
	if (!ok) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

/* ---- the instance ------------------------------------------------------- */

void vs_free(struct vs *vs)
{
	if (vs == NULL)
		return;
	EVP_PKEY_free(vs->root_key);
	EVP_PKEY_free(vs->inter_key);
	EVP_PKEY_free(vs->ct_key);
	EVP_PKEY_free(vs->ct_unknown_key);
	EVP_PKEY_free(vs->rekor_key);
	X509_free(vs->root);
	X509_free(vs->inter);
	sodium_memzero(vs->r2_sk, sizeof(vs->r2_sk));
	free(vs);
}

struct vs *vs_new(void)
{
	struct vs *vs;
	/* SPEC 3.11.3: Rekor v2 key ID = H(origin || 0x0A || 0x01 || key). */
	uint8_t idin[sizeof(VS_REKOR2_ORIGIN) - 1 + 2 + 32];
	if (sodium_init() < 0)
		return NULL;
	vs = calloc(1, sizeof(*vs));
	if (vs == NULL)
		return NULL;
	vs->root_key = EVP_EC_gen("P-384");
	vs->inter_key = EVP_EC_gen("P-384");
	vs->ct_key = EVP_EC_gen("P-256");
	vs->ct_unknown_key = EVP_EC_gen("P-256");
	vs->rekor_key = EVP_EC_gen("P-256");
	if (vs->root_key == NULL || vs->inter_key == NULL ||
	    vs->ct_key == NULL || vs->ct_unknown_key == NULL ||
	    vs->rekor_key == NULL)
		goto fail;
	vs->root = make_ca(vs->root_key, "vsigstore", NULL, NULL);
	if (vs->root == NULL)
		goto fail;
	vs->inter = make_ca(vs->inter_key, "vsigstore-intermediate", vs->root,
	                    vs->root_key);
	if (vs->inter == NULL)
		goto fail;
	if (key_id(vs->rekor_key, vs->rekor_log_id) != 0 ||
	    key_id(vs->ct_key, vs->ct_log_id) != 0 ||
	    key_id(vs->ct_unknown_key, vs->ct_unknown_log_id) != 0)
		goto fail;
	if (crypto_sign_keypair(vs->r2_pk, vs->r2_sk) != 0)
		goto fail;
	memcpy(idin, VS_REKOR2_ORIGIN, sizeof(VS_REKOR2_ORIGIN) - 1);
	idin[sizeof(VS_REKOR2_ORIGIN) - 1] = 0x0a;
	idin[sizeof(VS_REKOR2_ORIGIN)] = 0x01;
	memcpy(idin + sizeof(VS_REKOR2_ORIGIN) + 1, vs->r2_pk, 32);
	vs_sha256(vs->r2_log_id, idin, sizeof(idin));
	return vs;
fail:
	vs_free(vs);
	return NULL;
}

EVP_PKEY *vs_rekor_key(struct vs *vs) { return vs->rekor_key; }
EVP_PKEY *vs_ct_key(struct vs *vs) { return vs->ct_key; }
X509 *vs_intermediate(struct vs *vs) { return vs->inter; }
X509 *vs_root_cert(struct vs *vs) { return vs->root; }
const uint8_t *vs_rekor2_public(struct vs *vs) { return vs->r2_pk; }
const uint8_t *vs_rekor2_secret(struct vs *vs) { return vs->r2_sk; }
const char *vs_rekor2_origin(struct vs *vs)
{
	(void)vs;
	return VS_REKOR2_ORIGIN;
}

char *vs_dump(const json_t *j)
{
	return json_dumps(j, JSON_COMPACT);
}

/* ---- trusted root ------------------------------------------------------- */

static json_t *valid_for(void)
{
	char t[32];
	json_t *o = json_object();
	if (rfc3339(t, VS_EPOCH - VS_YEAR) != 0 ||
	    jset(o, "start", json_string(t)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* A TransparencyLogInstance (SPEC 2.1). json_pack steals every "o" value,
 * even when it fails, and fails on a NULL one. */
static json_t *log_instance(const char *url, const void *raw, size_t rawlen,
                            const char *details, const uint8_t log_id[32])
{
	return json_pack("{s:s, s:s, s:{s:o, s:s, s:o}, s:{s:o}}",
	                 "baseUrl", url, "hashAlgorithm", "SHA2_256",
	                 "publicKey", "rawBytes", jb64(raw, rawlen),
	                 "keyDetails", details, "validFor", valid_for(),
	                 "logId", "keyId", jb64(log_id, 32));
}

static json_t *ec_log_instance(const char *url, EVP_PKEY *k,
                               const uint8_t log_id[32])
{
	unsigned char *d = NULL;
	size_t n = 0;
	json_t *o;
	if (spki(k, &d, &n) != 0)
		return NULL;
	o = log_instance(url, d, n, "PKIX_ECDSA_P256_SHA_256", log_id);
	OPENSSL_free(d);
	return o;
}

static json_t *ca_instance(struct vs *vs)
{
	return json_pack("{s:{s:s, s:s}, s:s, s:{s:[o, o]}, s:o}",
	                 "subject", "organization", "vsigstore.test",
	                 "commonName", "vsigstore", "uri", "https://fulcio.test",
	                 "certChain", "certificates", jcert(vs->inter),
	                 jcert(vs->root), "validFor", valid_for());
}

json_t *vs_trust_root(struct vs *vs)
{
	static const uint8_t ed_prefix[12] = {0x30, 0x2a, 0x30, 0x05,
	                                      0x06, 0x03, 0x2b, 0x65,
	                                      0x70, 0x03, 0x21, 0x00};
	uint8_t ed_spki[44];
	if (vs == NULL)
		return NULL;
	/* SPEC 2.3: PKIX_ED25519 rawBytes is the 44-byte SPKI. */
	memcpy(ed_spki, ed_prefix, sizeof(ed_prefix));
	memcpy(ed_spki + sizeof(ed_prefix), vs->r2_pk, 32);
	return json_pack(
	    "{s:s, s:[o, o], s:[o], s:[o], s:[]}", "mediaType",
	    "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
	    "tlogs",
	    ec_log_instance("https://rekor.test", vs->rekor_key,
	                    vs->rekor_log_id),
	    log_instance("https://rekor-v2.test", ed_spki, sizeof(ed_spki),
	                 "PKIX_ED25519", vs->r2_log_id),
	    "certificateAuthorities", ca_instance(vs), "ctlogs",
	    ec_log_instance("https://ct.test", vs->ct_key, vs->ct_log_id),
	    "timestampAuthorities");
}

char *vs_trust_root_string(struct vs *vs)
{
	json_t *j = vs_trust_root(vs);
	char *s = j ? vs_dump(j) : NULL;
	json_decref(j);
	return s;
}

/* ---- leaf certificates -------------------------------------------------- */

void vs_leaf_free(struct vs_leaf *leaf)
{
	if (leaf == NULL)
		return;
	X509_free(leaf->cert);
	EVP_PKEY_free(leaf->key);
	free(leaf);
}

/* SPEC 3.6.2: exactly one SAN entry, in a critical extension. */
static int add_san(X509 *x, int type, const char *identity)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	GENERAL_NAME *gen = GENERAL_NAME_new();
	ASN1_IA5STRING *ia5 = NULL;
	ASN1_OBJECT *oid = NULL;
	ASN1_TYPE *val = NULL;
	ASN1_UTF8STRING *utf = NULL;
	int rc = -1;
	if (gens == NULL || gen == NULL)
		goto done;
	if (type == VS_SAN_OTHERNAME) {
		/* value = [0] EXPLICIT UTF8String; the [0] comes from OtherName */
		oid = OBJ_txt2obj("1.3.6.1.4.1.57264.1.7", 1);
		val = ASN1_TYPE_new();
		utf = ASN1_UTF8STRING_new();
		if (oid == NULL || val == NULL || utf == NULL ||
		    ASN1_STRING_set(utf, identity, -1) != 1)
			goto done;
		ASN1_TYPE_set(val, V_ASN1_UTF8STRING, utf);
		utf = NULL;
		if (GENERAL_NAME_set0_othername(gen, oid, val) != 1)
			goto done;
		oid = NULL;
		val = NULL;
	} else {
		ia5 = ASN1_IA5STRING_new();
		if (ia5 == NULL || ASN1_STRING_set(ia5, identity, -1) != 1)
			goto done;
		GENERAL_NAME_set0_value(gen, type == VS_SAN_URI ? GEN_URI
		                                                : GEN_EMAIL,
		                        ia5);
		ia5 = NULL;
	}
	if (sk_GENERAL_NAME_push(gens, gen) <= 0)
		goto done;
	gen = NULL;
	if (X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 1,
	                      X509V3_ADD_DEFAULT) == 1)
		rc = 0;
done:
	ASN1_UTF8STRING_free(utf);
	ASN1_TYPE_free(val);
	ASN1_OBJECT_free(oid);
	ASN1_IA5STRING_free(ia5);
	GENERAL_NAME_free(gen);
	GENERAL_NAMES_free(gens);
	return rc;
}

/* SPEC 3.6.1: .1 holds the raw issuer bytes, .8 a DER UTF8String. */
static int add_issuer_exts(X509 *x, int which, const char *issuer)
{
	ASN1_UTF8STRING *u = NULL;
	unsigned char *der = NULL;
	int n, rc = -1;
	if (which == VS_ISSUER_NONE)
		return 0;
	if (which != VS_ISSUER_V2_ONLY &&
	    add_raw_ext(x, "1.3.6.1.4.1.57264.1.1", issuer, strlen(issuer)) != 0)
		return -1;
	if (which == VS_ISSUER_V1_ONLY)
		return 0;
	u = ASN1_UTF8STRING_new();
	if (u == NULL || ASN1_STRING_set(u, issuer, -1) != 1)
		goto done;
	n = i2d_ASN1_UTF8STRING(u, &der);
	if (n <= 0)
		goto done;
	rc = add_raw_ext(x, "1.3.6.1.4.1.57264.1.8", der, (size_t)n);
done:
	OPENSSL_free(der);
	ASN1_UTF8STRING_free(u);
	return rc;
}

/*
 * SPEC 3.5: the precertificate signed data over the leaf's current TBS (the
 * leaf has no SCT extension yet), signed by `ct`, appended as the last
 * extension. The caller signs the certificate again afterwards.
 */
static int add_sct(X509 *x, X509 *issuer, EVP_PKEY *ct,
                   const uint8_t log_id[32], uint64_t ts_ms, int corrupt)
{
	unsigned char *tbs = NULL, *ikey = NULL, *sig = NULL, *lid = NULL;
	unsigned char *msg = NULL, *p;
	size_t siglen = 0, msglen;
	int tbslen, ikeylen;
	uint8_t ikh[32];
	SCT *sct = NULL;
	STACK_OF(SCT) *scts = NULL;
	int rc = -1;

	tbslen = i2d_re_X509_tbs(x, &tbs);
	ikeylen = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer), &ikey);
	if (tbslen <= 0 || tbslen >= (1 << 24) || ikeylen <= 0)
		goto done;
	vs_sha256(ikh, ikey, (size_t)ikeylen);
	msglen = 1 + 1 + 8 + 2 + 32 + 3 + (size_t)tbslen + 2;
	msg = malloc(msglen);
	if (msg == NULL)
		goto done;
	p = msg;
	*p++ = 0; /* sct_version v1 */
	*p++ = 0; /* signature_type certificate_timestamp */
	for (int i = 7; i >= 0; i--)
		*p++ = (unsigned char)(ts_ms >> (8 * i));
	*p++ = 0; /* entry_type precert_entry (1) */
	*p++ = 1;
	memcpy(p, ikh, 32);
	p += 32;
	*p++ = (unsigned char)(tbslen >> 16);
	*p++ = (unsigned char)(tbslen >> 8);
	*p++ = (unsigned char)tbslen;
	memcpy(p, tbs, (size_t)tbslen);
	p += tbslen;
	*p++ = 0; /* no SCT extensions */
	*p++ = 0;
	if (ec_sign(ct, msg, msglen, &sig, &siglen) != 0)
		goto done;
	if (corrupt)
		sig[siglen - 1] ^= 0x01; /* stays valid DER, breaks the value */
	lid = OPENSSL_memdup(log_id, 32);
	sct = SCT_new();
	if (lid == NULL || sct == NULL || SCT_set_version(sct, SCT_VERSION_V1) != 1 ||
	    SCT_set_log_entry_type(sct, CT_LOG_ENTRY_TYPE_PRECERT) != 1 ||
	    SCT_set0_log_id(sct, lid, 32) != 1)
		goto done;
	lid = NULL;
	SCT_set_timestamp(sct, ts_ms);
	if (SCT_set_signature_nid(sct, NID_ecdsa_with_SHA256) != 1)
		goto done;
	SCT_set0_signature(sct, sig, siglen);
	sig = NULL;
	scts = sk_SCT_new_null();
	if (scts == NULL || sk_SCT_push(scts, sct) <= 0)
		goto done;
	sct = NULL;
	if (X509_add1_ext_i2d(x, NID_ct_precert_scts, scts, 0,
	                      X509V3_ADD_APPEND) == 1)
		rc = 0;
done:
	SCT_LIST_free(scts);
	SCT_free(sct);
	OPENSSL_free(lid);
	OPENSSL_free(sig);
	free(msg);
	OPENSSL_free(ikey);
	OPENSSL_free(tbs);
	return rc;
}

struct vs_leaf *vs_leaf_new(struct vs *vs, const struct vs_leaf_opts *opts)
{
	static const struct vs_leaf_opts defaults;
	const struct vs_leaf_opts *o = opts ? opts : &defaults;
	const char *identity = o->identity ? o->identity : "dev@example.org";
	const char *issuer = o->issuer ? o->issuer : "https://issuer.example";
	int64_t nb = o->not_before ? o->not_before : VS_EPOCH;
	int64_t life = o->lifetime ? o->lifetime : 600;
	struct vs_leaf *leaf = NULL;
	X509 *x = NULL, *signer;
	EVP_PKEY *sign_key;
	X509_NAME *empty = NULL;
	int ok = 0;

	if (vs == NULL || o->san_type < VS_SAN_EMAIL ||
	    o->san_type > VS_SAN_OTHERNAME || o->issuer_ext < VS_ISSUER_BOTH ||
	    o->issuer_ext > VS_ISSUER_NONE)
		return NULL;
	leaf = calloc(1, sizeof(*leaf));
	if (leaf == NULL)
		return NULL;
	leaf->key = EVP_EC_gen(o->curve ? o->curve : "P-256");
	x = X509_new();
	empty = X509_NAME_new();
	if (leaf->key == NULL || x == NULL || empty == NULL)
		goto done;
	/* Self-signed: the leaf signs itself and names itself as issuer. */
	signer = o->self_signed ? x : vs->inter;
	sign_key = o->self_signed ? leaf->key : vs->inter_key;
	/* SPEC 3.3: v3, empty subject, P-256 key, short validity. */
	if (X509_set_version(x, 2) != 1 || set_serial(x) != 0 ||
	    X509_set_subject_name(x, empty) != 1 ||
	    X509_set_issuer_name(x, o->self_signed
	                                ? empty
	                                : X509_get_subject_name(vs->inter)) != 1 ||
	    X509_set_pubkey(x, leaf->key) != 1 ||
	    set_times(x, nb, nb + life) != 0)
		goto done;
	/* Extension order as Fulcio writes it; the SCT list comes last. */
	if (add_conf_ext(x, signer, NID_key_usage,
	                 o->no_digital_signature ? "critical,keyEncipherment"
	                                         : "critical,digitalSignature") != 0 ||
	    add_conf_ext(x, signer, NID_ext_key_usage,
	                 o->no_codesign_eku ? "serverAuth" : "codeSigning") != 0 ||
	    add_conf_ext(x, signer, NID_subject_key_identifier, "hash") != 0 ||
	    add_conf_ext(x, signer, NID_authority_key_identifier,
	                 "keyid:always") != 0 ||
	    add_san(x, o->san_type, identity) != 0 ||
	    add_issuer_exts(x, o->issuer_ext, issuer) != 0)
		goto done;
	if (X509_sign(x, sign_key, o->self_signed ? EVP_sha256() : EVP_sha384()) <= 0)
		goto done;
	if (!o->no_sct) {
		EVP_PKEY *ct = o->sct_unknown_log ? vs->ct_unknown_key : vs->ct_key;
		const uint8_t *lid = o->sct_unknown_log ? vs->ct_unknown_log_id
		                                        : vs->ct_log_id;
		if (add_sct(x, signer, ct, lid, (uint64_t)nb * 1000,
		            o->sct_bad_signature) != 0 ||
		    X509_sign(x, sign_key,
		              o->self_signed ? EVP_sha256() : EVP_sha384()) <= 0)
			goto done;
	}
	leaf->cert = x;
	x = NULL;
	ok = 1;
done:
	X509_NAME_free(empty);
	X509_free(x);
	if (!ok) {
		vs_leaf_free(leaf);
		leaf = NULL;
	}
	return leaf;
}

/* ---- checkpoints -------------------------------------------------------- */

/* "origin\nsize\nb64(root)\n" */
static char *note_text(const char *origin, uint64_t size, const uint8_t root[32])
{
	struct sb b = {0};
	char *r = b64(root, 32);
	sb_str(&b, origin);
	sb_str(&b, "\n");
	sb_u64(&b, size);
	sb_str(&b, "\n");
	sb_str(&b, r);
	sb_str(&b, "\n");
	free(r);
	return sb_take(&b);
}

/* note text, blank line, "— name b64(keyid4 || sig)\n" */
static char *signed_note(const char *text, const char *name,
                         const uint8_t id[4], const uint8_t *sig, size_t siglen)
{
	struct sb b = {0};
	uint8_t *field = malloc(4 + siglen);
	char *f64;
	if (field == NULL)
		return NULL;
	memcpy(field, id, 4);
	memcpy(field + 4, sig, siglen);
	f64 = b64(field, 4 + siglen);
	free(field);
	sb_str(&b, text);
	sb_str(&b, "\n\xe2\x80\x94 ");
	sb_str(&b, name);
	sb_str(&b, " ");
	sb_str(&b, f64);
	sb_str(&b, "\n");
	free(f64);
	return sb_take(&b);
}

char *vs_checkpoint_v1(struct vs *vs, const char *origin, uint64_t size,
                       const uint8_t root[32], const char *name)
{
	char *text, *out = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	if (vs == NULL || origin == NULL || root == NULL || name == NULL)
		return NULL;
	text = note_text(origin, size, root);
	/* SPEC 3.11.2: ECDSA SHA-256 over the note text; key ID = log ID[:4]. */
	if (text != NULL && ec_sign(vs->rekor_key, text, strlen(text), &sig,
	                            &siglen) == 0)
		out = signed_note(text, name, vs->rekor_log_id, sig, siglen);
	OPENSSL_free(sig);
	free(text);
	return out;
}

char *vs_checkpoint_v2(struct vs *vs, uint64_t size, const uint8_t root[32])
{
	uint8_t sig[crypto_sign_BYTES];
	char *text, *out = NULL;
	if (vs == NULL || root == NULL)
		return NULL;
	text = note_text(VS_REKOR2_ORIGIN, size, root);
	/* SPEC 3.11.2: pure Ed25519 over the note text. */
	if (text != NULL &&
	    crypto_sign_detached(sig, NULL, (const unsigned char *)text,
	                         strlen(text), vs->r2_sk) == 0)
		out = signed_note(text, VS_REKOR2_ORIGIN, vs->r2_log_id, sig,
		                  sizeof(sig));
	free(text);
	return out;
}

/* ---- the virtual log (SPEC 3.10) ---------------------------------------- */

struct vtree {
	uint64_t index;           /* our entry */
	uint8_t leaf[32];         /* its leaf hash */
};

static void node_hash(uint8_t out[32], const uint8_t l[32], const uint8_t r[32])
{
	uint8_t buf[65];
	buf[0] = 0x01;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	vs_sha256(out, buf, sizeof(buf));
}

static void other_leaf(uint8_t out[32], uint64_t i)
{
	char buf[40];
	int n = snprintf(buf, sizeof(buf), "%cvs-leaf %" PRIu64, 0, i);
	vs_sha256(out, buf, (size_t)n);
}

static uint64_t split(uint64_t n) /* largest power of two < n (n >= 2) */
{
	uint64_t k = 1;
	while ((k << 1) < n)
		k <<= 1;
	return k;
}

/* MTH of leaves [lo, lo+n). */
static void mth(const struct vtree *t, uint64_t lo, uint64_t n, uint8_t out[32])
{
	uint8_t l[32], r[32];
	uint64_t k;
	int ours = t->index >= lo && t->index - lo < n;
	if (n == 1) {
		if (ours)
			memcpy(out, t->leaf, 32);
		else
			other_leaf(out, lo);
		return;
	}
	if (!ours && n > VS_REAL_SUBTREE_MAX) {
		char buf[64];
		int len = snprintf(buf, sizeof(buf), "vs-subtree %" PRIu64 " %" PRIu64,
		                   lo, n);
		vs_sha256(out, buf, (size_t)len);
		return;
	}
	k = split(n);
	mth(t, lo, k, l);
	mth(t, lo + k, n - k, r);
	node_hash(out, l, r);
}

/* RFC 6962 PATH(m, D[lo:lo+n]), leaf to root. */
static void audit_path(const struct vtree *t, uint64_t lo, uint64_t n,
                       uint8_t (*proof)[32], size_t *np)
{
	uint64_t k;
	if (n <= 1)
		return;
	k = split(n);
	if (t->index - lo < k) {
		audit_path(t, lo, k, proof, np);
		mth(t, lo + k, n - k, proof[(*np)++]);
	} else {
		audit_path(t, lo + k, n - k, proof, np);
		mth(t, lo, k, proof[(*np)++]);
	}
}

/* ---- Rekor v2 checkpoints (SPEC 3.11) ----------------------------------- */

#define VS_WITNESS_NAME "witness.test"
#define VS_COSIG_TIME ((uint64_t)VS_EPOCH + 100)

/* Appends "— name b64(id[:4] || sig)\n". */
static void note_line(struct sb *b, const char *name, const uint8_t id[4],
                      const uint8_t *sig, size_t siglen)
{
	uint8_t field[4 + 8 + crypto_sign_BYTES];
	char *f64;
	if (siglen > sizeof(field) - 4) {
		b->bad = 1;
		return;
	}
	memcpy(field, id, 4);
	memcpy(field + 4, sig, siglen);
	f64 = b64(field, 4 + siglen);
	sb_str(b, "\xe2\x80\x94 ");
	sb_str(b, name);
	sb_str(b, " ");
	sb_str(b, f64);
	sb_str(b, "\n");
	free(f64);
}

/* SPEC 3.11.3: C2SP key ID = H(name || 0x0A || type || key). */
static void c2sp_key_id(uint8_t out[32], const char *name, uint8_t type,
                        const uint8_t pk[32])
{
	size_t n = strlen(name);
	uint8_t *in = malloc(n + 2 + 32);
	if (in == NULL) {
		memset(out, 0, 32);
		return;
	}
	memcpy(in, name, n);
	in[n] = 0x0a;
	in[n + 1] = type;
	memcpy(in + n + 2, pk, 32);
	vs_sha256(out, in, n + 2 + 32);
	free(in);
}

/* Lines a verifier must ignore: a witness cosignature (SPEC 3.11.3, type
 * 0x04, over "cosignature/v1\ntime T\n" || text) and a valid Ed25519
 * signature by a foreign key that uses the log's own name. */
static void foreign_lines(struct sb *b, const char *text)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	uint8_t id[32], field[8 + crypto_sign_BYTES];
	struct sb msg = {0};
	char *m;

	if (crypto_sign_keypair(pk, sk) != 0) {
		b->bad = 1;
		return;
	}
	sb_str(&msg, "cosignature/v1\ntime ");
	sb_u64(&msg, VS_COSIG_TIME);
	sb_str(&msg, "\n");
	sb_str(&msg, text);
	m = sb_take(&msg);
	for (int i = 0; i < 8; i++)
		field[i] = (uint8_t)(VS_COSIG_TIME >> (56 - 8 * i));
	c2sp_key_id(id, VS_WITNESS_NAME, 0x04, pk);
	if (m == NULL || crypto_sign_detached(field + 8, NULL,
	                                      (const unsigned char *)m,
	                                      strlen(m), sk) != 0)
		b->bad = 1;
	else
		note_line(b, VS_WITNESS_NAME, id, field, sizeof(field));
	free(m);
	if (crypto_sign_keypair(pk, sk) != 0 ||
	    crypto_sign_detached(field, NULL, (const unsigned char *)text,
	                         strlen(text), sk) != 0) {
		b->bad = 1;
		return;
	}
	c2sp_key_id(id, VS_REKOR2_ORIGIN, 0x01, pk);
	note_line(b, VS_REKOR2_ORIGIN, id, field, crypto_sign_BYTES);
	sodium_memzero(sk, sizeof(sk));
}

/* The Rekor v2 checkpoint of a tree, shaped by the v2_* options. */
static char *v2_note(struct vs *vs, const struct vs_sign_opts *o,
                     uint64_t size, const uint8_t root[32])
{
	uint8_t sig[crypto_sign_BYTES];
	struct sb b = {0};
	char *text = note_text(o->v2_origin ? o->v2_origin : VS_REKOR2_ORIGIN,
	                       size, root);
	if (text == NULL)
		return NULL;
	sb_str(&b, text);
	sb_str(&b, "\n");
	if (o->v2_cosign_before)
		foreign_lines(&b, text);
	if (!o->v2_no_log_signature) {
		/* SPEC 3.11.2: pure Ed25519 over the note text; the key name
		 * is the log's host whatever the origin line says. */
		if (crypto_sign_detached(sig, NULL, (const unsigned char *)text,
		                         strlen(text), vs->r2_sk) != 0)
			b.bad = 1;
		else
			note_line(&b, VS_REKOR2_ORIGIN, vs->r2_log_id, sig,
			          sizeof(sig));
	}
	if (o->v2_cosign_after)
		foreign_lines(&b, text);
	free(text);
	return sb_take(&b);
}

/* ---- signing ------------------------------------------------------------ */

static char *pem_b64_of(BIO *bio, int written)
{
	char *data = NULL, *out = NULL;
	long n;
	if (bio != NULL && written == 1) {
		n = BIO_get_mem_data(bio, &data);
		if (n > 0)
			out = b64(data, (size_t)n);
	}
	BIO_free(bio);
	return out;
}

static char *cert_pem_b64(X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	/* OpenSSL writes 64-character lines, as Rekor does (SPEC 0.4). */
	return pem_b64_of(bio, bio ? PEM_write_bio_X509(bio, x) : 0);
}

static char *key_pem_b64(EVP_PKEY *k)
{
	BIO *bio = BIO_new(BIO_s_mem());
	return pem_b64_of(bio, bio ? PEM_write_bio_PUBKEY(bio, k) : 0);
}

char *vs_public_key_pem(EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL, *out = NULL;
	long n;
	if (bio != NULL && key != NULL && PEM_write_bio_PUBKEY(bio, key) == 1) {
		n = BIO_get_mem_data(bio, &data);
		if (n > 0 && (out = malloc((size_t)n + 1)) != NULL) {
			memcpy(out, data, (size_t)n);
			out[n] = '\0';
		}
	}
	BIO_free(bio);
	return out;
}

/* SPEC 3.8.2: the hashedrekord 0.0.1 body in JCS order; pem64 is the b64
 * of a CERTIFICATE or PUBLIC KEY PEM. */
static char *rekord_body(const uint8_t *digest, int bits, const uint8_t *sig,
                         size_t siglen, const char *pem64)
{
	struct sb b = {0};
	char dhex[129];
	char *s64 = b64(sig, siglen);
	hex(dhex, digest, (size_t)bits / 8);
	sb_str(&b, "{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\","
	           "\"spec\":{\"data\":{\"hash\":{\"algorithm\":\"");
	sb_str(&b, bits == 384 ? "sha384" : bits == 512 ? "sha512" : "sha256");
	sb_str(&b, "\",\"value\":\"");
	sb_str(&b, dhex);
	sb_str(&b, "\"}},\"signature\":{\"content\":\"");
	sb_str(&b, s64);
	sb_str(&b, "\",\"publicKey\":{\"content\":\"");
	sb_str(&b, pem64);
	sb_str(&b, "\"}}}}");
	free(s64);
	return sb_take(&b);
}

/* SPEC 3.8.4: the dsse 0.0.1 body in JCS order. */
static char *dsse_body(const uint8_t env_hash[32], const uint8_t pay_hash[32],
                       const uint8_t *sig, size_t siglen, const char *pem64)
{
	struct sb b = {0};
	char ehex[65], phex[65];
	char *s64 = b64(sig, siglen);
	hex(ehex, env_hash, 32);
	hex(phex, pay_hash, 32);
	sb_str(&b, "{\"apiVersion\":\"0.0.1\",\"kind\":\"dsse\",\"spec\":{"
	           "\"envelopeHash\":{\"algorithm\":\"sha256\",\"value\":\"");
	sb_str(&b, ehex);
	sb_str(&b, "\"},\"payloadHash\":{\"algorithm\":\"sha256\",\"value\":\"");
	sb_str(&b, phex);
	sb_str(&b, "\"},\"signatures\":[{\"signature\":\"");
	sb_str(&b, s64);
	sb_str(&b, "\",\"verifier\":\"");
	sb_str(&b, pem64);
	sb_str(&b, "\"}]}}");
	free(s64);
	return sb_take(&b);
}

/* SPEC 3.8.3: the hashedrekord 0.0.2 body, exact JCS bytes ("keyDetails" <
 * "publicKey" < "x509Certificate"). raw = leaf DER or DER SPKI. */
static char *rekord2_body(const uint8_t *digest, int bits, const uint8_t *sig,
                          size_t siglen, const uint8_t *raw, size_t rawlen,
                          int is_cert, const char *details)
{
	struct sb b = {0};
	char *d64 = b64(digest, (size_t)bits / 8), *s64 = b64(sig, siglen);
	char *r64 = b64(raw, rawlen);
	sb_str(&b, "{\"apiVersion\":\"0.0.2\",\"kind\":\"hashedrekord\","
	           "\"spec\":{\"hashedRekordV002\":{\"data\":{\"algorithm\":"
	           "\"");
	sb_str(&b, bits == 384 ? "SHA2_384" : bits == 512 ? "SHA2_512"
	                                                 : "SHA2_256");
	sb_str(&b, "\",\"digest\":\"");
	sb_str(&b, d64);
	sb_str(&b, "\"},\"signature\":{\"content\":\"");
	sb_str(&b, s64);
	sb_str(&b, "\",\"verifier\":{\"keyDetails\":\"");
	sb_str(&b, details);
	sb_str(&b, "\",");
	sb_str(&b, is_cert ? "\"x509Certificate\"" : "\"publicKey\"");
	sb_str(&b, ":{\"rawBytes\":\"");
	sb_str(&b, r64);
	sb_str(&b, "\"}}}}}}");
	free(d64);
	free(s64);
	free(r64);
	return sb_take(&b);
}

/* SPEC 3.7.2: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. */
static char *pae(const char *type, const char *body, size_t *len)
{
	struct sb b = {0};
	char *p;
	sb_str(&b, "DSSEv1 ");
	sb_u64(&b, strlen(type));
	sb_str(&b, " ");
	sb_str(&b, type);
	sb_str(&b, " ");
	sb_u64(&b, strlen(body));
	sb_str(&b, " ");
	sb_str(&b, body);
	*len = b.n;
	p = sb_take(&b);
	return p;
}

/* SPEC 3.9: the SET payload. */
static char *set_payload(const char *body64, int64_t itime,
                         const uint8_t log_id[32], uint64_t log_index)
{
	struct sb b = {0};
	char lhex[65];
	hex(lhex, log_id, 32);
	sb_str(&b, "{\"body\":\"");
	sb_str(&b, body64);
	sb_str(&b, "\",\"integratedTime\":");
	sb_i64(&b, itime);
	sb_str(&b, ",\"logID\":\"");
	sb_str(&b, lhex);
	sb_str(&b, "\",\"logIndex\":");
	sb_u64(&b, log_index);
	sb_str(&b, "}");
	return sb_take(&b);
}

static const char *media_type(int minor, int alt)
{
	switch (minor) {
	case 1:
		return "application/vnd.dev.sigstore.bundle+json;version=0.1";
	case 2:
		return "application/vnd.dev.sigstore.bundle+json;version=0.2";
	case 3:
		return alt ? "application/vnd.dev.sigstore.bundle.v0.3+json"
		           : "application/vnd.dev.sigstore.bundle+json;version=0.3";
	default:
		return NULL;
	}
}

/* The inclusionProof object (SPEC 1.5); the checkpoint is the Rekor v1
 * note, or the Rekor v2 one shaped by `o` when v2. */
static json_t *proof_json(struct vs *vs, const struct vtree *t, uint64_t size,
                          int with_checkpoint, int v2,
                          const struct vs_sign_opts *o)
{
	uint8_t root[32], proof[VS_MAX_PROOF][32];
	size_t np = 0;
	json_t *hashes = json_array(), *cp = NULL;
	char *note = NULL;

	mth(t, 0, size, root);
	audit_path(t, 0, size, proof, &np);
	if (hashes == NULL)
		return NULL;
	for (size_t i = 0; i < np; i++) {
		if (json_array_append_new(hashes, jb64(proof[i], 32)) != 0) {
			json_decref(hashes);
			return NULL;
		}
	}
	if (with_checkpoint) {
		note = v2 ? v2_note(vs, o, size, root)
		          : vs_checkpoint_v1(vs, VS_REKOR_ORIGIN, size, root,
		                             VS_REKOR_NAME);
		cp = note ? json_pack("{s:s}", "envelope", note) : NULL;
		free(note);
		if (cp == NULL) {
			json_decref(hashes);
			return NULL;
		}
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:o*}", "logIndex",
	                 ju64(t->index), "rootHash", jb64(root, 32), "treeSize",
	                 ju64(size), "hashes", hashes, "checkpoint", cp);
}

/* One tlogEntries[] element (SPEC 1.5) logging `body` (of `kind`) at
 * `index`: Rekor v1 (SET, integrated time, global index = index + 1000)
 * or Rekor v2 (SPEC 3.12: none of those, kind version 0.0.2). */
static json_t *tlog_entry(struct vs *vs, const char *body, const char *kind,
                          const struct vs_sign_opts *o, uint64_t size,
                          uint64_t index, int64_t itime)
{
	size_t blen = strlen(body);
	char *body64 = b64(body, blen), *payload = NULL;
	unsigned char *set = NULL;
	size_t setlen = 0;
	int v2 = o->rekor_v2;
	/* Rekor v1: the global index differs from the shard index. */
	uint64_t log_index = v2 ? index : index + 1000;
	struct vtree t;
	uint8_t *lb = malloc(blen + 1);
	json_t *promise = NULL, *proof = NULL, *e = NULL;

	if (body64 == NULL || lb == NULL)
		goto done;
	/* SPEC 3.10: leaf hash = H(0x00 || body). */
	lb[0] = 0x00;
	memcpy(lb + 1, body, blen);
	vs_sha256(t.leaf, lb, blen + 1);
	t.index = index;
	if (!o->no_promise && !v2) {
		/* SPEC 3.9: the SET signs the JCS payload with the log key. */
		payload = set_payload(body64, itime, vs->rekor_log_id, log_index);
		if (payload == NULL ||
		    ec_sign(vs->rekor_key, payload, strlen(payload), &set,
		            &setlen) != 0)
			goto done;
		promise = json_pack("{s:o}", "signedEntryTimestamp",
		                    jb64(set, setlen));
		if (promise == NULL)
			goto done;
	}
	if (!o->no_proof) {
		proof = proof_json(vs, &t, size, !o->no_checkpoint, v2, o);
		if (proof == NULL)
			goto done;
	}
	if (v2)
		e = json_pack("{s:o, s:{s:o}, s:{s:s, s:s}, s:o*, s:s}",
		              "logIndex", ju64(log_index), "logId", "keyId",
		              jb64(vs->r2_log_id, 32), "kindVersion", "kind",
		              kind, "version", "0.0.2", "inclusionProof", proof,
		              "canonicalizedBody", body64);
	else
		e = json_pack("{s:o, s:{s:o}, s:{s:s, s:s}, s:o, s:o*, s:o*, "
		              "s:s}",
		              "logIndex", ju64(log_index), "logId", "keyId",
		              jb64(vs->rekor_log_id, 32), "kindVersion", "kind",
		              kind, "version", "0.0.1", "integratedTime",
		              ji64(itime), "inclusionPromise", promise,
		              "inclusionProof", proof, "canonicalizedBody",
		              body64);
	promise = proof = NULL; /* stolen by json_pack */
done:
	json_decref(promise);
	json_decref(proof);
	free(lb);
	free(payload);
	OPENSSL_free(set);
	free(body64);
	return e;
}

/* Who signs: a Fulcio leaf (cert) or a managed key (cert == NULL). */
struct signer {
	X509 *cert;
	EVP_PKEY *key;
	const char *payload; /* DSSE payload; NULL for messageSignature */
};

/* What the log records: body text and its kind. */
static char *log_body(const struct signer *s, const struct vs_sign_opts *o,
                      const uint8_t *sig, size_t siglen,
                      const uint8_t *msg_digest, int bits,
                      const json_t *envelope, const char **kind)
{
	X509 *lc = o->log_cert ? o->log_cert : s->cert;
	const uint8_t *lsig = o->log_signature ? o->log_signature : sig;
	size_t lsiglen = o->log_signature ? o->log_signature_len : siglen;
	char *pem64 = NULL, *text = NULL, *out = NULL;
	unsigned char *raw = NULL;
	uint8_t eh[32], ph[32];
	size_t rawlen = 0;
	int n;

	*kind = s->payload != NULL && !o->rekor_v2 ? "dsse" : "hashedrekord";
	if (o->rekor_v2) {
		/* SPEC 3.8.3: leaf DER, or DER SPKI for a key. */
		if (lc != NULL) {
			n = i2d_X509(lc, &raw);
			rawlen = n > 0 ? (size_t)n : 0;
		} else if (spki(s->key, &raw, &rawlen) != 0) {
			rawlen = 0;
		}
		if (rawlen > 0)
			out = rekord2_body(o->log_digest ? o->log_digest
			                                 : msg_digest,
			                   bits, lsig, lsiglen, raw, rawlen,
			                   lc != NULL, key_details_of(s->key));
		OPENSSL_free(raw);
		return out;
	}
	pem64 = lc != NULL ? cert_pem_b64(lc) : key_pem_b64(s->key);
	if (pem64 == NULL)
		return NULL;
	if (s->payload == NULL) {
		out = rekord_body(o->log_digest ? o->log_digest : msg_digest,
		                  bits, lsig, lsiglen, pem64);
	} else {
		/* envelopeHash: the envelope JSON "as submitted". */
		text = vs_dump(envelope);
		if (text != NULL) {
			vs_sha256(eh, text, strlen(text));
			vs_sha256(ph, s->payload, strlen(s->payload));
			out = dsse_body(eh, o->log_digest ? o->log_digest : ph,
			                lsig, lsiglen, pem64);
		}
	}
	free(text);
	free(pem64);
	return out;
}

static json_t *material(const struct signer *s, int minor)
{
	unsigned char *d = NULL;
	size_t n = 0;
	uint8_t h[32];

	if (s->cert != NULL) /* SPEC 1.7: v0.1/v0.2 a chain, v0.3 the leaf */
		return minor == 3 ? jcert(s->cert)
		                  : json_pack("{s:[o]}", "certificates",
		                              jcert(s->cert));
	/* SPEC 3.14: an unauthenticated hint naming the key. */
	if (spki(s->key, &d, &n) != 0)
		return NULL;
	vs_sha256(h, d, n);
	OPENSSL_free(d);
	return json_pack("{s:o}", "hint", jb64(h, 32));
}

static json_t *sign_any(struct vs *vs, const struct signer *s,
                        const struct vs_sign_opts *opts)
{
	static const struct vs_sign_opts defaults;
	const struct vs_sign_opts *o = opts ? opts : &defaults;
	const void *art = o->artifact ? o->artifact : "hello\n";
	size_t art_len = o->artifact ? o->artifact_len : 6;
	int minor = o->bundle_minor ? o->bundle_minor : 3;
	int64_t itime = o->integrated_time ? o->integrated_time : VS_EPOCH + 60;
	uint64_t size = o->tree_size ? o->tree_size : 7;
	const char *ptype = o->payload_type ? o->payload_type
	                                    : "application/vnd.in-toto+json";
	const char *kind = NULL;
	uint64_t index;
	uint8_t digest[64];
	/* SPEC 2.3: the signer's curve picks the hash unless told. */
	int bits = o->hash ? o->hash : key_hash_bits(s->key);
	const EVP_MD *md = md_of_bits(bits);
	unsigned char *sig = NULL;
	size_t siglen = 0, msglen = 0;
	char *body = NULL, *msg = NULL;
	json_t *b = NULL, *mat = NULL, *content = NULL, *entry = NULL;
	const char *mt = media_type(minor, o->alt_media_type);
	const char *matname = s->cert == NULL ? "publicKey"
	                      : minor == 3    ? "certificate"
	                                      : "x509CertificateChain";

	if (vs == NULL || s->key == NULL || mt == NULL)
		return NULL;
	if (o->explicit_leaf_index || o->leaf_index != 0)
		index = o->leaf_index;
	else
		index = size >= 4 ? size - 4 : 0;
	if (index >= size || size > (uint64_t)INT64_MAX)
		return NULL;

	if (s->payload == NULL) {
		/* SPEC 3.7.1: ECDSA over H(artifact), H paired with the
		 * curve (or o->hash). */
		digest_bits(digest, bits, art, art_len);
		if (ec_sign_md(o->signing_key ? o->signing_key : s->key, md,
		               art, art_len, &sig, &siglen) != 0)
			goto done;
		content = o->no_message_digest
		              ? json_pack("{s:o}", "signature",
		                          jb64(sig, siglen))
		              : json_pack("{s:{s:s, s:o}, s:o}", "messageDigest",
		                          "algorithm",
		                          bits == 384   ? "SHA2_384"
		                          : bits == 512 ? "SHA2_512"
		                                        : "SHA2_256",
		                          "digest", jb64(digest, (size_t)bits / 8),
		                          "signature", jb64(sig, siglen));
	} else {
		/* SPEC 3.7.2: the signature covers PAE; Rekor v2 logs
		 * SHA-256(PAE) as the digest (SPEC 3.8.3). */
		msg = pae(ptype, s->payload, &msglen);
		if (msg == NULL)
			goto done;
		digest_bits(digest, bits, msg, msglen);
		if (ec_sign_md(o->signing_key ? o->signing_key : s->key, md,
		               msg, msglen, &sig, &siglen) != 0)
			goto done;
		content = json_pack("{s:o, s:s, s:[{s:o}]}", "payload",
		                    jb64(s->payload, strlen(s->payload)),
		                    "payloadType", ptype, "signatures", "sig",
		                    jb64(sig, siglen));
	}
	if (content == NULL)
		goto done;
	body = log_body(s, o, sig, siglen, digest, bits, content, &kind);
	if (body == NULL)
		goto done;
	mat = material(s, minor);
	entry = tlog_entry(vs, body, kind, o, size, index, itime);
	if (mat == NULL || entry == NULL)
		goto done;
	b = json_pack("{s:s, s:{s:o, s:[o]}, s:o}", "mediaType", mt,
	              "verificationMaterial", matname, mat, "tlogEntries",
	              entry, s->payload ? "dsseEnvelope" : "messageSignature",
	              content);
	mat = entry = content = NULL; /* stolen by json_pack */
done:
	json_decref(mat);
	json_decref(entry);
	json_decref(content);
	free(body);
	free(msg);
	OPENSSL_free(sig);
	return b;
}

/*
 * Signs the artifact with `leaf`, logs a hashedrekord entry (0.0.1 in the
 * Rekor v1 log, or 0.0.2 in the Rekor v2 log with opts->rekor_v2).
 */
json_t *vs_sign(struct vs *vs, const struct vs_leaf *leaf,
                const struct vs_sign_opts *opts)
{
	struct signer s = {0};
	if (leaf == NULL || leaf->cert == NULL)
		return NULL;
	s.cert = leaf->cert;
	s.key = leaf->key;
	return sign_any(vs, &s, opts);
}

json_t *vs_sign_dsse(struct vs *vs, const struct vs_leaf *leaf,
                     const struct vs_sign_opts *opts, const char *payload)
{
	struct signer s = {0};
	if (leaf == NULL || leaf->cert == NULL || payload == NULL)
		return NULL;
	s.cert = leaf->cert;
	s.key = leaf->key;
	s.payload = payload;
	return sign_any(vs, &s, opts);
}

/* The fixture signs with ECDSA P-256, P-384 and P-521. */
static int is_p256(EVP_PKEY *key)
{
	return key_hash_bits(key) != 0;
}

json_t *vs_sign_with_key(struct vs *vs, EVP_PKEY *key,
                         const struct vs_sign_opts *opts)
{
	struct signer s = {0};
	if (!is_p256(key))
		return NULL;
	s.key = key;
	return sign_any(vs, &s, opts);
}

json_t *vs_sign_dsse_with_key(struct vs *vs, EVP_PKEY *key,
                              const struct vs_sign_opts *opts,
                              const char *payload)
{
	struct signer s = {0};
	if (!is_p256(key) || payload == NULL)
		return NULL;
	s.key = key;
	s.payload = payload;
	return sign_any(vs, &s, opts);
}

char *vs_intoto_statement(const struct vs_subject *subjects, size_t n,
                          const char *type)
{
	json_t *subj = json_array(), *st = NULL;
	char *out = NULL;
	uint8_t h[64];
	char hx[129];

	if (subj == NULL || (subjects == NULL && n > 0))
		goto done;
	for (size_t i = 0; i < n; i++) {
		unsigned want = subjects[i].digests ? subjects[i].digests
		                                    : VS_SHA256;
		static const struct { unsigned bit; int bits; const char *name; }
		    algs[] = { { VS_SHA256, 256, "sha256" },
		               { VS_SHA384, 384, "sha384" },
		               { VS_SHA512, 512, "sha512" } };
		json_t *dg = json_object();
		if (dg == NULL)
			goto done;
		for (size_t k = 0; k < 3; k++) {
			if (!(want & algs[k].bit))
				continue;
			digest_bits(h, algs[k].bits, subjects[i].data,
			            subjects[i].len);
			hex(hx, h, (size_t)algs[k].bits / 8);
			json_object_set_new(dg, algs[k].name, json_string(hx));
		}
		if (json_array_append_new(
		        subj, json_pack("{s:s, s:o}", "name",
		                        subjects[i].name ? subjects[i].name : "",
		                        "digest", dg)) != 0)
			goto done;
	}
	/* SPEC 3.7.3: an in-toto Statement v1. */
	st = json_pack("{s:s, s:O, s:s, s:{}}", "_type",
	               type ? type : "https://in-toto.io/Statement/v1",
	               "subject", subj, "predicateType",
	               "https://slsa.dev/provenance/v1", "predicate");
	if (st != NULL)
		out = vs_dump(st);
done:
	json_decref(st);
	json_decref(subj);
	return out;
}
