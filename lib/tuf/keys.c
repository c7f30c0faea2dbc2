/*
 * tuf/keys.c - TUF key objects and single signature checks. Supported:
 * ecdsa / ecdsa-sha2-nistp256 (PEM SubjectPublicKeyInfo, DER signature,
 * SHA-256), ed25519 (hex key, libsodium) and rsa with rsassa-pss-sha256 or
 * rsa-pkcs1v15-sha256 (securesystemslib signs with both).
 * Anything else is kept as an unusable key: a repository may list keys this
 * client does not know, and they simply cannot count towards a threshold.
 * Key IDs are taken as the document gives them (TUF 1.0 does not require
 * clients to recompute them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include "tuf/tuf_impl.h"

static EVP_PKEY *
pem_key(const char *pem, int want_type)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)strnlen(pem, 1u << 16));
	EVP_PKEY *pk;

	if (bio == NULL)
		return NULL;
	pk = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (pk == NULL) {
		/* Repository data: nothing left queued for the next caller
		 * on this thread (pyverifyd's refresh). */
		ERR_clear_error();
		return NULL;
	}
	if (EVP_PKEY_get_base_id(pk) != want_type) {
		EVP_PKEY_free(pk);
		return NULL;
	}
	if (want_type == EVP_PKEY_EC) {
		char group[64];
		size_t glen = 0;

		if (!EVP_PKEY_get_utf8_string_param(pk, "group", group,
		                                    sizeof(group), &glen) ||
		    strcmp(group, "prime256v1") != 0) {
			EVP_PKEY_free(pk);
			return NULL;
		}
	}
	return pk;
}

/* Fills k from one keys member; an unsupported key leaves kind unusable. */
static void
key_load(struct tuf_key *k, const char *type, const char *scheme,
         const char *pub)
{
	if ((strcmp(type, "ecdsa") == 0 ||
	     strcmp(type, "ecdsa-sha2-nistp256") == 0) &&
	    strcmp(scheme, "ecdsa-sha2-nistp256") == 0) {
		k->pkey = pem_key(pub, EVP_PKEY_EC);
		k->kind = k->pkey ? TUF_KEY_ECDSA_P256 : TUF_KEY_UNUSABLE;
	} else if (strcmp(type, "ed25519") == 0 &&
	           strcmp(scheme, "ed25519") == 0) {
		if (strlen(pub) == 64 &&
		    pv_hex_decode(k->ed25519, 32, pub, 64) == 0)
			k->kind = TUF_KEY_ED25519;
	} else if (strcmp(type, "rsa") == 0 &&
	           strcmp(scheme, "rsassa-pss-sha256") == 0) {
		k->pkey = pem_key(pub, EVP_PKEY_RSA);
		k->kind = k->pkey ? TUF_KEY_RSA_PSS : TUF_KEY_UNUSABLE;
	} else if (strcmp(type, "rsa") == 0 &&
	           strcmp(scheme, "rsa-pkcs1v15-sha256") == 0) {
		k->pkey = pem_key(pub, EVP_PKEY_RSA);
		k->kind = k->pkey ? TUF_KEY_RSA_PKCS1 : TUF_KEY_UNUSABLE;
	}
}

int
tuf_keys_parse(struct tuf_keys *out, const json_t *obj, const char *doc,
               char *why, size_t whylen)
{
	const char *id;
	json_t *v;
	size_t n = json_object_size(obj);

	memset(out, 0, sizeof(*out));
	if (!json_is_object(obj)) {
		TUF_WHY(why, whylen, "%s: \"keys\" is not an object", doc);
		return PV_TUF_EREJECT;
	}
	if (n > PV_MAX_TUF_KEYS) {
		TUF_WHY(why, whylen, "%s lists %zu keys (at most %u)", doc, n,
		        PV_MAX_TUF_KEYS);
		return PV_TUF_EREJECT;
	}
	if (n == 0)
		return 0;
	out->v = calloc(n, sizeof(*out->v));
	if (out->v == NULL)
		return PV_TUF_ENOMEM;
	json_object_foreach((json_t *)obj, id, v) {
		json_t *kv = json_object_get(v, "keyval");
		const char *type = json_string_value(json_object_get(v, "keytype"));
		const char *scheme = json_string_value(json_object_get(v, "scheme"));
		const char *pub = json_string_value(json_object_get(kv, "public"));
		struct tuf_key *k = &out->v[out->n];

		if (type == NULL || scheme == NULL || !json_is_object(kv)) {
			TUF_WHY(why, whylen, "%s: key %s lacks keytype, scheme "
			        "or keyval", doc, id);
			tuf_keys_clear(out);
			return PV_TUF_EREJECT;
		}
		k->keyid = strdup(id);
		if (k->keyid == NULL) {
			tuf_keys_clear(out);
			return PV_TUF_ENOMEM;
		}
		out->n++;
		if (pub != NULL)
			key_load(k, type, scheme, pub);
	}
	return 0;
}

void
tuf_keys_clear(struct tuf_keys *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free(k->v[i].keyid);
		EVP_PKEY_free(k->v[i].pkey);
	}
	free(k->v);
	k->v = NULL;
	k->n = 0;
}

const struct tuf_key *
tuf_keys_find(const struct tuf_keys *k, const char *keyid)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->v[i].keyid, keyid) == 0)
			return &k->v[i];
	return NULL;
}

static int
evp_verify(const struct tuf_key *key, const uint8_t *sig, size_t siglen,
           const uint8_t *msg, size_t len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok = 0;

	if (md == NULL)
		return 0;
	if (EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, key->pkey) != 1)
		goto out;
	if (key->kind == TUF_KEY_RSA_PSS &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1))
		goto out;
	ok = EVP_DigestVerify(md, sig, siglen, msg, len) == 1;
out:
	EVP_MD_CTX_free(md);
	if (!ok)
		ERR_clear_error();
	return ok;
}

int
tuf_key_verify(const struct tuf_key *key, const char *sighex,
               const uint8_t *msg, size_t len)
{
	size_t hexlen = strlen(sighex), siglen = hexlen / 2;
	uint8_t *sig;
	int ok = 0;

	if (key->kind == TUF_KEY_UNUSABLE || hexlen == 0 || hexlen % 2 != 0 ||
	    siglen > 4096)
		return 0;
	sig = malloc(siglen);
	if (sig == NULL)
		return 0;
	if (pv_hex_decode(sig, siglen, sighex, hexlen) == 0) {
		if (key->kind == TUF_KEY_ED25519)
			ok = siglen == crypto_sign_BYTES &&
			     crypto_sign_verify_detached(sig, msg, len,
			                                 key->ed25519) == 0;
		else
			ok = evp_verify(key, sig, siglen, msg, len);
	}
	free(sig);
	return ok;
}

void
tuf_role_clear(struct tuf_role *r)
{
	free(r->name);
	for (size_t i = 0; i < r->nkeyids; i++)
		free(r->keyids[i]);
	free(r->keyids);
	for (size_t i = 0; i < r->npaths; i++)
		free(r->paths[i]);
	free(r->paths);
	for (size_t i = 0; i < r->nprefixes; i++)
		free(r->prefixes[i]);
	free(r->prefixes);
	memset(r, 0, sizeof(*r));
}
