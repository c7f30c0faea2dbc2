/*
 * vs_bundle.c - bundle JSON assembly of the virtual Sigstore: signers,
 * message signatures, DSSE envelopes, in-toto statements.
 *
 * Part of the virtual Sigstore (tests/support/vsigstore.h). Independent of
 * lib/ on purpose: the fixture must not share a bug with the code it tests.
 * Every function returns NULL / -1 on failure and frees what it took.
 */
#include "vs_impl.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

/* ---- signing ------------------------------------------------------------ */

static char *pem_b64_of(BIO *bio, int written)
{
	char *data = NULL, *out = NULL;
	long n;
	if (bio != NULL && written == 1) {
		n = BIO_get_mem_data(bio, &data);
		if (n > 0)
			out = vsi_b64(data, (size_t)n);
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

/* SPEC 3.7.2: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. */
static char *pae(const char *type, const char *body, size_t *len)
{
	struct sb b = {0};
	char *p;
	vsi_sb_str(&b, "DSSEv1 ");
	vsi_sb_u64(&b, strlen(type));
	vsi_sb_str(&b, " ");
	vsi_sb_str(&b, type);
	vsi_sb_str(&b, " ");
	vsi_sb_u64(&b, strlen(body));
	vsi_sb_str(&b, " ");
	vsi_sb_str(&b, body);
	*len = b.n;
	p = vsi_sb_take(&b);
	return p;
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
		} else if (vsi_spki(s->key, &raw, &rawlen) != 0) {
			rawlen = 0;
		}
		if (rawlen > 0)
			out = vsi_rekord2_body(o->log_digest ? o->log_digest
			                                 : msg_digest,
			                   bits, lsig, lsiglen, raw, rawlen,
			                   lc != NULL, vsi_key_details_of(s->key));
		OPENSSL_free(raw);
		return out;
	}
	pem64 = lc != NULL ? cert_pem_b64(lc) : key_pem_b64(s->key);
	if (pem64 == NULL)
		return NULL;
	if (s->payload == NULL) {
		out = vsi_rekord_body(o->log_digest ? o->log_digest : msg_digest,
		                  bits, lsig, lsiglen, pem64);
	} else {
		/* envelopeHash: the envelope JSON "as submitted". */
		text = vs_dump(envelope);
		if (text != NULL) {
			vs_sha256(eh, text, strlen(text));
			vs_sha256(ph, s->payload, strlen(s->payload));
			out = vsi_dsse_body(eh, o->log_digest ? o->log_digest : ph,
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
		return minor == 3 ? vsi_jcert(s->cert)
		                  : json_pack("{s:[o]}", "certificates",
		                              vsi_jcert(s->cert));
	/* SPEC 3.14: an unauthenticated hint naming the key. */
	if (vsi_spki(s->key, &d, &n) != 0)
		return NULL;
	vs_sha256(h, d, n);
	OPENSSL_free(d);
	return json_pack("{s:o}", "hint", vsi_jb64(h, 32));
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
	int bits = o->hash ? o->hash : vsi_key_hash_bits(s->key);
	const EVP_MD *md = vsi_md_of_bits(bits);
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
		vsi_digest_bits(digest, bits, art, art_len);
		if (vsi_ec_sign_md(o->signing_key ? o->signing_key : s->key, md,
		               art, art_len, &sig, &siglen) != 0)
			goto done;
		content = o->no_message_digest
		              ? json_pack("{s:o}", "signature",
		                          vsi_jb64(sig, siglen))
		              : json_pack("{s:{s:s, s:o}, s:o}", "messageDigest",
		                          "algorithm",
		                          bits == 384   ? "SHA2_384"
		                          : bits == 512 ? "SHA2_512"
		                                        : "SHA2_256",
		                          "digest", vsi_jb64(digest, (size_t)bits / 8),
		                          "signature", vsi_jb64(sig, siglen));
	} else {
		/* SPEC 3.7.2: the signature covers PAE; Rekor v2 logs
		 * SHA-256(PAE) as the digest (SPEC 3.8.3). */
		msg = pae(ptype, s->payload, &msglen);
		if (msg == NULL)
			goto done;
		vsi_digest_bits(digest, bits, msg, msglen);
		if (vsi_ec_sign_md(o->signing_key ? o->signing_key : s->key, md,
		               msg, msglen, &sig, &siglen) != 0)
			goto done;
		content = json_pack("{s:o, s:s, s:[{s:o}]}", "payload",
		                    vsi_jb64(s->payload, strlen(s->payload)),
		                    "payloadType", ptype, "signatures", "sig",
		                    vsi_jb64(sig, siglen));
	}
	if (content == NULL)
		goto done;
	body = log_body(s, o, sig, siglen, digest, bits, content, &kind);
	if (body == NULL)
		goto done;
	mat = material(s, minor);
	entry = vsi_tlog_entry(vs, body, kind, o, size, index, itime);
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
	return vsi_key_hash_bits(key) != 0;
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
			vsi_digest_bits(h, algs[k].bits, subjects[i].data,
			            subjects[i].len);
			vsi_hex(hx, h, (size_t)algs[k].bits / 8);
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
