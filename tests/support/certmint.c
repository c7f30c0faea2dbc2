/* certmint.c - Fulcio-shaped certificates and trusted roots for tests.
 * See certmint.h. Test-only: failures return NULL / -1 and leak nothing. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "certmint.h"

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

pyverify_trust_root *
cm_root_new(const char *source)
{
	pyverify_trust_root *r = calloc(1, sizeof(*r));

	if (r != NULL && source != NULL &&
	    (r->source = strdup(source)) == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

static void
set_range(struct pv_time_range *t, int64_t start_ms, int64_t end_ms)
{
	t->start_ms = start_ms;
	t->has_end = end_ms != CM_NO_END;
	t->end_ms = t->has_end ? end_ms : 0;
}

int
cm_root_add_ca(pyverify_trust_root *r, X509 *const *certs, size_t n,
               int64_t start_ms, int64_t end_ms, const char *uri)
{
	struct pv_ca *grown, *ca;
	size_t i;

	grown = realloc(r->cas, (r->n_cas + 1) * sizeof(*grown));
	if (grown == NULL)
		return -1;
	r->cas = grown;
	ca = &r->cas[r->n_cas];
	memset(ca, 0, sizeof(*ca));
	ca->certs = calloc(n, sizeof(*ca->certs));
	ca->uri = strdup(uri != NULL ? uri : "https://fulcio.test");
	if (ca->certs == NULL || ca->uri == NULL) {
		free(ca->certs);
		free(ca->uri);
		return -1;
	}
	for (i = 0; i < n; i++) {
		X509_up_ref(certs[i]);
		ca->certs[i] = certs[i];
	}
	ca->n_certs = n;
	set_range(&ca->valid, start_ms, end_ms);
	/* As the trusted-root loader does. */
	pv_ca_prepare(ca);
	r->n_cas++;
	return 0;
}

/* Takes ownership of key on success. */
static int
add_ctlog_der(pyverify_trust_root *r, int details, const uint8_t *der,
              size_t len, const uint8_t *log_id, int64_t start_ms,
              int64_t end_ms, const char *url)
{
	struct pv_tlog *grown, *log;

	grown = realloc(r->ctlogs, (r->n_ctlogs + 1) * sizeof(*grown));
	if (grown == NULL)
		return -1;
	r->ctlogs = grown;
	log = &r->ctlogs[r->n_ctlogs];
	memset(log, 0, sizeof(*log));
	if (pv_pubkey_from_der(&log->key, details, der, len,
	                       PYVERIFY_STEP_TRUST_ROOT, NULL) != 0)
		return -1;
	log->base_url = strdup(url != NULL ? url : "https://ctfe.test");
	if (log->base_url == NULL) {
		pv_pubkey_clear(&log->key);
		return -1;
	}
	memcpy(log->log_id, log_id != NULL ? log_id : log->key.spki_sha256,
	       32);
	set_range(&log->valid, start_ms, end_ms);
	r->n_ctlogs++;
	return 0;
}

int
cm_root_add_ctlog(pyverify_trust_root *r, EVP_PKEY *key, int64_t start_ms,
                  int64_t end_ms, const char *url)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(key, &der), rc;

	if (n <= 0)
		return -1;
	rc = add_ctlog_der(r, PV_KEY_PKIX_ECDSA_P256_SHA_256, der, (size_t)n,
	                   NULL, start_ms, end_ms, url);
	OPENSSL_free(der);
	return rc;
}

void
cm_root_free(pyverify_trust_root *r)
{
	size_t i, j;

	if (r == NULL)
		return;
	for (i = 0; i < r->n_cas; i++) {
		for (j = 0; j < r->cas[i].n_certs; j++)
			X509_free(r->cas[i].certs[j]);
		free(r->cas[i].certs);
		free(r->cas[i].uri);
	}
	free(r->cas);
	for (i = 0; i < r->n_ctlogs; i++) {
		pv_pubkey_clear(&r->ctlogs[i].key);
		free(r->ctlogs[i].base_url);
	}
	free(r->ctlogs);
	free(r->source);
	free(r);
}

static int
b64_member(const json_t *obj, const char *name, struct pv_bytes *out)
{
	const char *s = json_string_value(json_object_get(obj, name));

	return s == NULL ? -1 : pv_b64_decode(out, s, strlen(s));
}

static int
json_range(const json_t *vf, int64_t *start, int64_t *end)
{
	const char *s = json_string_value(json_object_get(vf, "start"));
	const char *e = json_string_value(json_object_get(vf, "end"));

	if (s == NULL || pv_parse_rfc3339_ms(start, s, 1) != 0)
		return -1;
	*end = CM_NO_END;
	return e == NULL ? 0 : pv_parse_rfc3339_ms(end, e, 0);
}

static int
json_ca(pyverify_trust_root *r, const json_t *ca)
{
	const json_t *list = json_object_get(
	    json_object_get(ca, "certChain"), "certificates");
	X509 *certs[PV_MAX_CHAIN_CERTS];
	struct pv_bytes der = { 0 };
	size_t i, n = json_array_size(list);
	int64_t start, end;
	int rc = -1;

	if (n == 0 || n > PV_MAX_CHAIN_CERTS ||
	    json_range(json_object_get(ca, "validFor"), &start, &end) != 0)
		return -1;
	memset(certs, 0, sizeof(certs));
	for (i = 0; i < n; i++) {
		if (b64_member(json_array_get(list, i), "rawBytes", &der) != 0)
			goto done;
		certs[i] = pv_x509_from_der(der.data, der.len);
		pv_bytes_clear(&der);
		if (certs[i] == NULL)
			goto done;
	}
	rc = cm_root_add_ca(r, certs, n, start, end,
	                    json_string_value(json_object_get(ca, "uri")));
done:
	for (i = 0; i < n; i++)
		X509_free(certs[i]);
	return rc;
}

static int
json_ctlog(pyverify_trust_root *r, const json_t *log)
{
	const json_t *pk = json_object_get(log, "publicKey");
	struct pv_bytes der = { 0 }, id = { 0 };
	int64_t start, end;
	int details, rc = -1;

	details = pv_key_details_from_name(
	    json_string_value(json_object_get(pk, "keyDetails")) != NULL
	        ? json_string_value(json_object_get(pk, "keyDetails"))
	        : "");
	if (details < 0 || b64_member(pk, "rawBytes", &der) != 0 ||
	    b64_member(json_object_get(log, "logId"), "keyId", &id) != 0 ||
	    id.len != 32 ||
	    json_range(json_object_get(pk, "validFor"), &start, &end) != 0)
		goto done;
	rc = add_ctlog_der(r, details, der.data, der.len, id.data, start, end,
	                   json_string_value(json_object_get(log, "baseUrl")));
done:
	pv_bytes_clear(&der);
	pv_bytes_clear(&id);
	return rc;
}

pyverify_trust_root *
cm_root_from_json(const char *path)
{
	json_t *doc = json_load_file(path, 0, NULL);
	pyverify_trust_root *r = cm_root_new(path);
	const json_t *v;
	size_t i;

	if (doc == NULL || r == NULL)
		goto fail;
	json_array_foreach(json_object_get(doc, "certificateAuthorities"), i, v)
		if (json_ca(r, v) != 0)
			goto fail;
	json_array_foreach(json_object_get(doc, "ctlogs"), i, v)
		if (json_ctlog(r, v) != 0)
			goto fail;
	json_decref(doc);
	return r;
fail:
	json_decref(doc);
	cm_root_free(r);
	return NULL;
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
