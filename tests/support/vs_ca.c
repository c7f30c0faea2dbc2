/*
 * vs_ca.c - the Fulcio CA of the virtual Sigstore (P-384 root and
 * intermediate), the instance and its leaf certificates.
 *
 * Part of the virtual Sigstore (tests/support/vsigstore.h). Independent of
 * lib/ on purpose: the fixture must not share a bug with the code it tests.
 * Every function returns NULL / -1 on failure and frees what it took.
 */
#include "vs_impl.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sodium.h>

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
	if (vsi_key_id(vs->rekor_key, vs->rekor_log_id) != 0 ||
	    vsi_key_id(vs->ct_key, vs->ct_log_id) != 0 ||
	    vsi_key_id(vs->ct_unknown_key, vs->ct_unknown_log_id) != 0)
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
	if (o->public_key != NULL && EVP_PKEY_up_ref(o->public_key) == 1)
		leaf->key = o->public_key;
	else if (o->public_key == NULL)
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
		if (vsi_add_sct(x, signer, ct, lid,
		                o->sct_time_ms ? o->sct_time_ms
		                               : (uint64_t)nb * 1000,
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
