/* vs_cert.c - the certificate minting layer of the test fixtures: Fulcio-
 * shaped certificates with every variation the chain, SCT and identity
 * tests need, and trusted roots for them.
 * See vs_cert.h (included by vsigstore.h). Test-only: failures return
 * NULL / -1 and leak nothing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "vs_cert.h"
#include "verify/steps.h"

static EVP_PKEY *
key_ec(const char *group)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", group);
}

EVP_PKEY *
cm_key_p256(void)
{
	return key_ec("P-256");
}

EVP_PKEY *
cm_key_p384(void)
{
	return key_ec("P-384");
}

static const EVP_MD *
md_for(EVP_PKEY *k)
{
	return EVP_PKEY_get_bits(k) > 256 ? EVP_sha384() : EVP_sha256();
}

/* Common skeleton: version, serial, validity, names, key. */
static X509 *
skeleton(int version, X509_NAME *subject, X509 *issuer, EVP_PKEY *key,
         int64_t nb, int64_t na)
{
	X509 *x = X509_new();
	uint64_t serial = 0;

	if (x == NULL || RAND_bytes((unsigned char *)&serial,
	                            sizeof(serial)) != 1)
		goto fail;
	serial = (serial >> 2) | 1; /* positive, non-zero */
	if (X509_set_version(x, version) != 1 ||
	    ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial) != 1 ||
	    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na) == NULL ||
	    X509_set_subject_name(x, subject) != 1 ||
	    X509_set_issuer_name(x, issuer != NULL
	                                ? X509_get_subject_name(issuer)
	                                : subject) != 1 ||
	    X509_set_pubkey(x, key) != 1)
		goto fail;
	return x;
fail:
	X509_free(x);
	return NULL;
}

static int
add_conf(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

static X509_NAME *
name_cn(const char *cn)
{
	X509_NAME *n = X509_NAME_new();

	if (n == NULL ||
	    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
	                               (const unsigned char *)"sigstore.test",
	                               -1, -1, 0) != 1 ||
	    (cn != NULL &&
	     X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	                                (const unsigned char *)cn, -1, -1,
	                                0) != 1)) {
		X509_NAME_free(n);
		return NULL;
	}
	return n;
}

X509 *
cm_ca_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
           int64_t not_before, int64_t not_after, int eku)
{
	X509_NAME *name = name_cn(cn);
	X509 *x = NULL;

	if (name == NULL)
		return NULL;
	x = skeleton(X509_VERSION_3, name, issuer, key, not_before, not_after);
	X509_NAME_free(name);
	if (x == NULL ||
	    add_conf(x, issuer, NID_basic_constraints, "critical,CA:TRUE") ||
	    add_conf(x, issuer, NID_key_usage,
	             "critical,keyCertSign,cRLSign") ||
	    add_conf(x, issuer, NID_subject_key_identifier, "hash") ||
	    (issuer != NULL &&
	     add_conf(x, issuer, NID_authority_key_identifier,
	              "keyid:always")) ||
	    (eku == CM_EKU_CODESIGN &&
	     add_conf(x, issuer, NID_ext_key_usage, "codeSigning")) ||
	    (eku == CM_EKU_SERVER &&
	     add_conf(x, issuer, NID_ext_key_usage, "serverAuth")) ||
	    X509_sign(x, issuer_key != NULL ? issuer_key : key,
	              md_for(issuer_key != NULL ? issuer_key : key)) <= 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int
add_raw_ext(X509 *x, const char *oid_text, const uint8_t *data, size_t len)
{
	ASN1_OBJECT *oid = OBJ_txt2obj(oid_text, 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext = NULL;
	int rc = -1;

	if (oid == NULL || os == NULL ||
	    ASN1_OCTET_STRING_set(os, data, (int)len) != 1)
		goto done;
	ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, os);
	if (ext != NULL && X509_add_ext(x, ext, -1) == 1)
		rc = 0;
done:
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(oid);
	return rc;
}

static int
push_string_name(GENERAL_NAMES *gens, int type, const char *s, size_t len)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_IA5STRING *v = ASN1_IA5STRING_new();

	if (g == NULL || v == NULL || ASN1_STRING_set(v, s, (int)len) != 1)
		goto fail;
	GENERAL_NAME_set0_value(g, type, v);
	v = NULL;
	if (sk_GENERAL_NAME_push(gens, g) <= 0)
		goto fail;
	return 0;
fail:
	ASN1_IA5STRING_free(v);
	GENERAL_NAME_free(g);
	return -1;
}

static int
push_othername(GENERAL_NAMES *gens, const char *s, int ia5)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_OBJECT *oid = OBJ_txt2obj("1.3.6.1.4.1.57264.1.7", 1);
	ASN1_TYPE *t = ASN1_TYPE_new();
	ASN1_STRING *v = ASN1_STRING_type_new(ia5 ? V_ASN1_IA5STRING
	                                          : V_ASN1_UTF8STRING);

	if (g == NULL || oid == NULL || t == NULL || v == NULL ||
	    ASN1_STRING_set(v, s, -1) != 1)
		goto fail;
	ASN1_TYPE_set(t, ia5 ? V_ASN1_IA5STRING : V_ASN1_UTF8STRING, v);
	v = NULL;
	if (GENERAL_NAME_set0_othername(g, oid, t) != 1)
		goto fail;
	oid = NULL;
	t = NULL;
	if (sk_GENERAL_NAME_push(gens, g) <= 0)
		goto fail;
	return 0;
fail:
	ASN1_STRING_free(v);
	ASN1_TYPE_free(t);
	ASN1_OBJECT_free(oid);
	GENERAL_NAME_free(g);
	return -1;
}

static int
add_sans(X509 *x, const struct cm_leaf_opts *o)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	int rc = -1;

	if (gens == NULL)
		return -1;
	if (o->email != NULL &&
	    push_string_name(gens, GEN_EMAIL, o->email, strlen(o->email)))
		goto done;
	if (o->uri != NULL &&
	    push_string_name(gens, GEN_URI, o->uri,
	                     o->uri_len ? o->uri_len : strlen(o->uri)))
		goto done;
	if (o->othername != NULL &&
	    push_othername(gens, o->othername, o->othername_ia5))
		goto done;
	if (sk_GENERAL_NAME_num(gens) == 0 ||
	    X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 1,
	                      X509V3_ADD_DEFAULT) == 1)
		rc = 0;
done:
	GENERAL_NAMES_free(gens);
	return rc;
}

static int
add_issuer_exts(X509 *x, const struct cm_leaf_opts *o)
{
	ASN1_UTF8STRING *u = NULL;
	unsigned char *der = NULL;
	int n, rc = -1;

	if (o->issuer_v1 != NULL &&
	    (add_raw_ext(x, "1.3.6.1.4.1.57264.1.1",
	                 (const uint8_t *)o->issuer_v1,
	                 strlen(o->issuer_v1)) ||
	     (o->issuer_v1_twice &&
	      add_raw_ext(x, "1.3.6.1.4.1.57264.1.1",
	                  (const uint8_t *)o->issuer_v1,
	                  strlen(o->issuer_v1)))))
		return -1;
	if (o->issuer_v8_raw != NULL)
		return add_raw_ext(x, "1.3.6.1.4.1.57264.1.8", o->issuer_v8_raw,
		                   o->issuer_v8_raw_len);
	if (o->issuer_v8 == NULL)
		return 0;
	u = ASN1_UTF8STRING_new();
	if (u == NULL || ASN1_STRING_set(u, o->issuer_v8, -1) != 1)
		goto done;
	n = i2d_ASN1_UTF8STRING(u, &der);
	if (n > 0)
		rc = add_raw_ext(x, "1.3.6.1.4.1.57264.1.8", der, (size_t)n);
done:
	OPENSSL_free(der);
	ASN1_UTF8STRING_free(u);
	return rc;
}

static void
put_be(uint8_t *p, uint64_t v, size_t n)
{
	while (n-- > 0) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

static int
spki_hash(EVP_PKEY *k, uint8_t out[32])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der);
	int rc = n > 0 ? pv_sha256(out, der, (size_t)n) : -1;

	OPENSSL_free(der);
	return rc;
}

/* RFC 6962 precert signed data over the current TBS of x; signs it and
 * appends the encoded SCT to buf (at *len). */
static int
mint_sct(X509 *x, X509 *issuer, const struct cm_sct *s, uint64_t default_ms,
         uint8_t *buf, size_t cap, size_t *len)
{
	unsigned char *tbs = NULL, *spki = NULL;
	uint8_t key_hash[32], log_id[32], *data = NULL, sig[256];
	size_t dlen, siglen = sizeof(sig), need;
	uint64_t ts = s->time_ms ? s->time_ms : default_ms;
	EVP_MD_CTX *md = NULL;
	int tlen, slen, rc = -1;
	uint8_t *p;

	tlen = i2d_re_X509_tbs(x, &tbs);
	slen = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer), &spki);
	if (tlen <= 0 || slen <= 0 ||
	    pv_sha256(key_hash, spki, (size_t)slen) != 0 ||
	    spki_hash(s->key, log_id) != 0)
		goto done;
	dlen = 12 + 32 + 3 + (size_t)tlen + 2 + s->ext_len;
	data = malloc(dlen);
	if (data == NULL)
		goto done;
	p = data;
	*p++ = 0;
	*p++ = 0;
	put_be(p, ts, 8);
	p += 8;
	put_be(p, 1, 2);
	p += 2;
	memcpy(p, key_hash, 32);
	p += 32;
	put_be(p, (uint64_t)tlen, 3);
	p += 3;
	memcpy(p, tbs, (size_t)tlen);
	p += tlen;
	put_be(p, s->ext_len, 2);
	p += 2;
	if (s->ext_len)
		memcpy(p, s->ext, s->ext_len);
	md = EVP_MD_CTX_new();
	if (md == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, s->key) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, data, dlen) != 1)
		goto done;
	need = 2 + 1 + 32 + 8 + 2 + s->ext_len + 2 + 2 + siglen;
	if (*len + need > cap)
		goto done;
	p = buf + *len;
	put_be(p, need - 2, 2);
	p += 2;
	*p++ = (uint8_t)s->version;
	memcpy(p, log_id, 32);
	p += 32;
	/* corrupt: the signature no longer covers the timestamp. */
	put_be(p, s->corrupt ? ts ^ 1 : ts, 8);
	p += 8;
	put_be(p, s->ext_len, 2);
	p += 2;
	if (s->ext_len)
		memcpy(p, s->ext, s->ext_len);
	p += s->ext_len;
	*p++ = (uint8_t)(s->hash_alg ? s->hash_alg : 4);
	*p++ = 3; /* ecdsa */
	put_be(p, siglen, 2);
	p += 2;
	memcpy(p, sig, siglen);
	*len += need;
	rc = 0;
done:
	EVP_MD_CTX_free(md);
	free(data);
	OPENSSL_free(tbs);
	OPENSSL_free(spki);
	return rc;
}

/* Adds the SCT list extension: DER OCTET STRING around the TLS list. */
static int
add_sct_list(X509 *x, const uint8_t *list, size_t len)
{
	ASN1_OCTET_STRING *inner = ASN1_OCTET_STRING_new();
	unsigned char *der = NULL;
	int n, rc = -1;

	if (inner == NULL || ASN1_OCTET_STRING_set(inner, list, (int)len) != 1)
		goto done;
	n = i2d_ASN1_OCTET_STRING(inner, &der);
	if (n > 0)
		rc = add_raw_ext(x, "1.3.6.1.4.1.11129.2.4.2", der, (size_t)n);
done:
	OPENSSL_free(der);
	ASN1_OCTET_STRING_free(inner);
	return rc;
}

X509 *
cm_leaf(const struct cm_leaf_opts *o, EVP_PKEY *leaf_key, X509 *issuer,
        EVP_PKEY *issuer_key)
{
	static const struct cm_leaf_opts none;
	X509_NAME *empty = X509_NAME_new();
	int64_t nb, life;
	uint8_t list[4096];
	size_t len = 2, i;
	X509 *x = NULL;
	const char *eku, *ku;

	if (o == NULL)
		o = &none;
	nb = o->not_before ? o->not_before : CM_EPOCH;
	life = o->lifetime ? o->lifetime : 600;
	if (empty == NULL)
		return NULL;
	/* SPEC 3.3 Fulcio leaf profile: empty subject, critical SAN. */
	x = skeleton(o->version1 ? X509_VERSION_1 : X509_VERSION_3, empty,
	             issuer, leaf_key, nb, nb + life);
	X509_NAME_free(empty);
	if (x == NULL)
		return NULL;
	if (o->version1)
		goto sign;
	eku = o->eku == CM_EKU_SERVER ? "serverAuth" : "codeSigning";
	ku = o->ku_no_digital_signature ? "critical,keyEncipherment"
	                                : "critical,digitalSignature";
	if ((!o->no_ku && add_conf(x, issuer, NID_key_usage, ku)) ||
	    (!o->no_eku && add_conf(x, issuer, NID_ext_key_usage, eku)) ||
	    (o->ca_true &&
	     add_conf(x, issuer, NID_basic_constraints, "critical,CA:TRUE")) ||
	    add_conf(x, issuer, NID_subject_key_identifier, "hash") ||
	    add_conf(x, issuer, NID_authority_key_identifier, "keyid:always") ||
	    add_sans(x, o) || add_issuer_exts(x, o))
		goto fail;
	if (o->n_scts > 0 || o->raw_sct_list != NULL) {
		/* The SCT signs the TBS as it is before the SCT extension is
		 * added (and with the final signature algorithm). */
		if (X509_sign(x, issuer_key, md_for(issuer_key)) <= 0)
			goto fail;
		for (i = 0; i < o->n_scts && i < CM_MAX_SCTS; i++)
			if (mint_sct(x, issuer, &o->scts[i],
			             (uint64_t)nb * 1000, list, sizeof(list),
			             &len) != 0)
				goto fail;
		put_be(list, len - 2, 2);
		if (o->raw_sct_list != NULL
		        ? add_sct_list(x, o->raw_sct_list, o->raw_sct_list_len)
		        : add_sct_list(x, list, len))
			goto fail;
	}
sign:
	if (X509_sign(x, issuer_key, md_for(issuer_key)) <= 0)
		goto fail;
	return x;
fail:
	X509_free(x);
	return NULL;
}

int
cm_pki_init(struct cm_pki *p)
{
	memset(p, 0, sizeof(*p));
	p->root_key = cm_key_p384();
	p->int_key = cm_key_p384();
	p->leaf_key = cm_key_p256();
	p->ct_key = cm_key_p256();
	if (p->root_key == NULL || p->int_key == NULL || p->leaf_key == NULL ||
	    p->ct_key == NULL)
		goto fail;
	p->root = cm_ca_cert("test-root", p->root_key, NULL, NULL,
	                     CM_EPOCH - CM_YEAR, CM_EPOCH + 10 * CM_YEAR,
	                     CM_EKU_NONE);
	if (p->root == NULL)
		goto fail;
	p->inter = cm_ca_cert("test-intermediate", p->int_key, p->root,
	                      p->root_key, CM_EPOCH - CM_YEAR,
	                      CM_EPOCH + 10 * CM_YEAR, CM_EKU_CODESIGN);
	if (p->inter == NULL)
		goto fail;
	return 0;
fail:
	cm_pki_free(p);
	return -1;
}

void
cm_pki_free(struct cm_pki *p)
{
	EVP_PKEY_free(p->root_key);
	EVP_PKEY_free(p->int_key);
	EVP_PKEY_free(p->leaf_key);
	EVP_PKEY_free(p->ct_key);
	X509_free(p->root);
	X509_free(p->inter);
	memset(p, 0, sizeof(*p));
}

/* "YYYY-MM-DDTHH:MM:SS[.mmm]Z" of a Unix time in milliseconds. */
static json_t *
ms_time(int64_t ms)
{
	time_t s = (time_t)(ms / 1000);
	char buf[40];
	struct tm tm;
	size_t n;

	if (ms < 0 || gmtime_r(&s, &tm) == NULL ||
	    (n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm)) == 0)
		return NULL;
	if (ms % 1000 != 0)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, ".%03d",
		                      (int)(ms % 1000));
	snprintf(buf + n, sizeof(buf) - n, "Z");
	return json_string(buf);
}

/* {start, end?}: SPEC 2.1 validFor; end CM_NO_END = open-ended. */
static json_t *
valid_for(int64_t start_ms, int64_t end_ms)
{
	json_t *o = json_pack("{s:o*}", "start", ms_time(start_ms));

	if (o == NULL || json_object_get(o, "start") == NULL ||
	    (end_ms != CM_NO_END &&
	     json_object_set_new(o, "end", ms_time(end_ms)) != 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Padded base64, malloc'd (OpenSSL's encoder, not the library's). */
static char *
b64(const unsigned char *in, size_t len)
{
	char *out = len <= 3 * (size_t)(INT32_MAX / 8)
	                ? malloc(4 * ((len + 2) / 3) + 1)
	                : NULL;

	if (out != NULL)
		EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}

/* {"rawBytes": b64(DER)}; NULL on failure. */
static json_t *
raw_bytes(const unsigned char *der, int len)
{
	char *s = len > 0 ? b64(der, (size_t)len) : NULL;
	json_t *o = s != NULL ? json_pack("{s:s}", "rawBytes", s) : NULL;

	free(s);
	return o;
}

json_t *
cm_root_json(void)
{
	return json_pack("{s:s, s:[], s:[], s:[], s:[]}", "mediaType",
	                 "application/vnd.dev.sigstore.trustedroot+json;"
	                 "version=0.1",
	                 "tlogs", "certificateAuthorities", "ctlogs",
	                 "timestampAuthorities");
}

/* A CertificateAuthority (SPEC 2.1) appended to root[array]. */
static int
add_authority(json_t *root, const char *array, X509 *const *certs, size_t n,
              int64_t start_ms, int64_t end_ms, const char *uri)
{
	json_t *list = json_array(), *ca;
	unsigned char *der;
	size_t i;
	int len;

	for (i = 0; list != NULL && i < n; i++) {
		der = NULL;
		len = i2d_X509(certs[i], &der);
		if (json_array_append_new(list, raw_bytes(der, len)) != 0) {
			json_decref(list);
			list = NULL;
		}
		OPENSSL_free(der);
	}
	/* json_pack steals every "o" value, even when it fails. */
	ca = json_pack("{s:s, s:{s:o}, s:o}", "uri", uri, "certChain",
	               "certificates", list, "validFor",
	               valid_for(start_ms, end_ms));
	return json_array_append_new(json_object_get(root, array), ca);
}

int
cm_root_add_ca(json_t *root, X509 *const *certs, size_t n, int64_t start_ms,
               int64_t end_ms, const char *uri)
{
	return add_authority(root, "certificateAuthorities", certs, n,
	                     start_ms, end_ms,
	                     uri != NULL ? uri : "https://fulcio.test");
}

int
cm_root_add_tsa(json_t *root, X509 *const *certs, size_t n, int64_t start_ms,
                int64_t end_ms, const char *uri)
{
	return add_authority(root, "timestampAuthorities", certs, n, start_ms,
	                     end_ms, uri != NULL ? uri : "https://tsa.test");
}

int
cm_root_set_ca_end(json_t *root, size_t i, int64_t end_ms)
{
	json_t *vf = json_object_get(
	    json_array_get(json_object_get(root, "certificateAuthorities"), i),
	    "validFor");

	return json_object_set_new(vf, "end", ms_time(end_ms));
}

/* A TransparencyLogInstance (SPEC 2.1) appended to root[array]: validFor
 * only when start_ms >= 0; id NULL = SHA-256 of the DER SPKI. */
static int
add_log(json_t *root, const char *array, const char *url,
        const char *details, const unsigned char *der, int len,
        const uint8_t *id, int64_t start_ms, int64_t end_ms)
{
	json_t *pk = raw_bytes(der, len), *log = NULL;
	uint8_t hash[32];
	char *id64 = NULL;

	if (id == NULL && len > 0 &&
	    EVP_Digest(der, (size_t)len, hash, NULL, EVP_sha256(), NULL) == 1)
		id = hash;
	if (id != NULL)
		id64 = b64(id, 32);
	if (pk == NULL || id64 == NULL ||
	    json_object_set_new(pk, "keyDetails", json_string(details)) != 0 ||
	    (start_ms >= 0 &&
	     json_object_set_new(pk, "validFor",
	                         valid_for(start_ms, end_ms)) != 0)) {
		json_decref(pk);
		free(id64);
		return -1;
	}
	/* json_pack steals pk even when it fails. */
	log = json_pack("{s:s, s:s, s:o, s:{s:s}}", "baseUrl", url,
	                "hashAlgorithm", "SHA2_256", "publicKey", pk, "logId",
	                "keyId", id64);
	free(id64);
	return json_array_append_new(json_object_get(root, array), log);
}

int
cm_root_add_ctlog(json_t *root, EVP_PKEY *key, int64_t start_ms,
                  int64_t end_ms, const char *url)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(key, &der), rc;

	rc = add_log(root, "ctlogs", url != NULL ? url : "https://ctfe.test",
	             "PKIX_ECDSA_P256_SHA_256", der, n, NULL, start_ms, end_ms);
	OPENSSL_free(der);
	return rc;
}

int
cm_root_add_tlog(json_t *root, const char *url, const char *details,
                 const uint8_t *spki, size_t len, const uint8_t *id,
                 int64_t start_ms, int64_t end_ms)
{
	if (len > INT32_MAX)
		return -1;
	return add_log(root, "tlogs", url, details, spki, (int)len, id,
	               start_ms, end_ms);
}

pyverify_trust_root *
cm_root_load(const json_t *root, const char *source)
{
	pyverify_trust_root *r = NULL;
	pyverify_error err = { 0 };
	char *s = json_dumps(root, JSON_COMPACT);

	if (s == NULL ||
	    pyverify_trust_root_load_memory(&r, s, strlen(s), source, &err) !=
	        PYVERIFY_OK)
		r = NULL;
	free(s);
	return r;
}

pyverify_trust_root *
cm_root_from_json(const char *path)
{
	pyverify_trust_root *r = NULL;
	pyverify_error err = { 0 };

	if (pyverify_trust_root_load_file(&r, path, &err) != PYVERIFY_OK)
		return NULL;
	return r;
}

static int
b64_member(const json_t *obj, const char *name, struct pv_bytes *out)
{
	const char *s = json_string_value(json_object_get(obj, name));

	return s == NULL ? -1 : pv_b64_decode(out, s, strlen(s));
}

X509 *
cm_bundle_leaf(const char *path, int64_t *integrated_time)
{
	json_t *doc = json_load_file(path, 0, NULL);
	const json_t *vm = json_object_get(doc, "verificationMaterial");
	const json_t *c = json_object_get(vm, "certificate");
	const char *it;
	struct pv_bytes der = { 0 };
	uint64_t t = 0;
	X509 *x = NULL;

	if (c == NULL)
		c = json_array_get(json_object_get(json_object_get(
		                       vm, "x509CertificateChain"),
		                   "certificates"), 0);
	it = json_string_value(json_object_get(
	    json_array_get(json_object_get(vm, "tlogEntries"), 0),
	    "integratedTime"));
	if (c != NULL && b64_member(c, "rawBytes", &der) == 0 &&
	    (integrated_time == NULL ||
	     (it != NULL && pv_parse_u64(&t, it, strlen(it)) == 0)))
		x = pv_x509_from_der(der.data, der.len);
	if (x != NULL && integrated_time != NULL)
		*integrated_time = (int64_t)t;
	pv_bytes_clear(&der);
	json_decref(doc);
	return x;
}
