/*
 * sign/signer.c - pyverify_signer_new and _free: the options checked, the
 * services chosen (signing config, then the caller's overrides, one per
 * service), and the key: a managed PEM key, or an ephemeral P-256 key with
 * a Fulcio certificate for the token's identity, checked before use.
 * Signing itself is in signer_sign.c.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "sign/signer_impl.h"
#include "verify/steps.h"

int64_t
pv_signer_now(const pyverify_signer *s)
{
	return s->now != 0 ? s->now : (int64_t)time(NULL);
}

void
pyverify_signer_free(pyverify_signer *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_free(s->key); /* OpenSSL clears private key material */
	pv_pubkey_clear(&s->pub);
	free(s->pub_pem);
	pv_fulcio_cert_clear(&s->cert);
	free(s->identity);
	free(s->issuer);
	free(s->rekor_url);
	for (size_t i = 0; i < s->ntsa; i++)
		free(s->tsa_urls[i]);
	free(s->ca_bundle);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

const char *
pyverify_signer_identity(const pyverify_signer *s)
{
	return s != NULL && s->identity != NULL ? s->identity : "";
}

const char *
pyverify_signer_issuer(const pyverify_signer *s)
{
	return s != NULL && s->issuer != NULL ? s->issuer : "";
}

static int
oom(pyverify_error *err, pyverify_step step)
{
	return pv_fail(err, PYVERIFY_ENOMEM, step, "out of memory");
}

static int
check_options(const pyverify_sign_options *o, pyverify_error *err)
{
	if (o->trust_root == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "signing needs a trusted root");
	if ((o->identity_token != NULL) == (o->key_pem != NULL))
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "signing needs exactly one of an identity token "
		               "(keyless) and a private key (managed key)");
	if (o->key_pem != NULL &&
	    (o->key_pem_len == 0 || o->key_pem_len > PV_MAX_KEY_PEM_BYTES))
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "the private key is empty or larger than %u bytes",
		               PV_MAX_KEY_PEM_BYTES);
	if (o->key_pem != NULL && o->fulcio_url != NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "a managed key is never sent to Fulcio: give no "
		               "Fulcio URL with a private key");
	if (o->rekor_version < 0 || o->rekor_version > 2)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "Rekor API version %d is not 1 or 2",
		               o->rekor_version);
	if (o->signing_config == NULL && o->signing_config_len != 0)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "signing config length without a signing config");
	return 0;
}

static int
add_tsa(pyverify_signer *s, const char *url, pyverify_error *err)
{
	if (s->ntsa == PV_SIGN_MAX_SERVICES)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "more than %d timestamp authorities",
		               PV_SIGN_MAX_SERVICES);
	if ((s->tsa_urls[s->ntsa] = strdup(url)) == NULL)
		return oom(err, PYVERIFY_STEP_NONE);
	s->ntsa++;
	return 0;
}

/* The services of this signer: exactly what pyverify_sign_plan_get
 * (sign_plan.c) says a run would use, so `--dry-run` and signing never
 * disagree. *fulcio is malloc'd (NULL with a managed key). */
static int
choose_services(pyverify_signer *s, const pyverify_sign_options *o,
                char **fulcio, pyverify_error *err)
{
	pyverify_sign_plan p;
	size_t i;
	int rc = 0;

	*fulcio = NULL;
	PV_TRY(pyverify_sign_plan_get(&p, o, err));
	s->rekor_version = p.rekor_version;
	s->rekor_url = p.rekor_urls[0];
	p.rekor_urls[0] = NULL;
	*fulcio = p.fulcio_url;
	p.fulcio_url = NULL;
	for (i = 0; rc == 0 && i < p.n_tsa; i++)
		rc = add_tsa(s, p.tsa_urls[i], err);
	pyverify_sign_plan_clear(&p);
	return rc;
}

/* The private key's public half as PEM SPKI (the verify policy's key) and
 * as the verifier's key object. */
static int
public_half(pyverify_signer *s, pyverify_step step, pyverify_error *err)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p;
	long n;
	int rc = oom(err, step);

	if (bio != NULL && PEM_write_bio_PUBKEY(bio, s->key) == 1 &&
	    (n = BIO_get_mem_data(bio, &p)) > 0 &&
	    (s->pub_pem = pv_strndup(p, (size_t)n)) != NULL) {
		s->pub_pem_len = (size_t)n;
		rc = pv_pubkey_from_pem(&s->pub, s->pub_pem, s->pub_pem_len,
		                        step, err);
	}
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

/* Never let OpenSSL prompt on the terminal for a passphrase. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static int
load_managed_key(pyverify_signer *s, const pyverify_sign_options *o,
                 pyverify_error *err)
{
	BIO *bio = BIO_new_mem_buf(o->key_pem, (int)o->key_pem_len);
	const char *kind = NULL;
	char group[64] = "";
	size_t glen = 0;

	if (bio == NULL)
		return oom(err, PYVERIFY_STEP_NONE);
	s->key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (s->key == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "the private key is not an unencrypted PEM "
		               "private key (PKCS#8 or SEC1 EC)");
	switch (EVP_PKEY_get_base_id(s->key)) {
	case EVP_PKEY_ED25519:
		kind = "Ed25519";
		break;
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_group_name(s->key, group, sizeof(group),
		                            &glen) == 1 &&
		    (strcmp(group, "prime256v1") == 0 ||
		     strcmp(group, "secp384r1") == 0 ||
		     strcmp(group, "secp521r1") == 0))
			kind = group;
		break;
	default:
		break;
	}
	if (kind == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "the private key is neither ECDSA P-256, P-384, "
		               "P-521 nor Ed25519");
	/* Rekor v2 checks a digest of the length its keyDetails name; this
	 * signer's digests are SHA-256, which P-256 alone is paired with. */
	if (s->rekor_version == 2 && strcmp(kind, "prime256v1") != 0)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "Rekor v2 logs of this signer take ECDSA P-256 "
		               "keys only (the key is %s): use a P-256 key or a "
		               "Rekor v1 log",
		               kind);
	s->managed = 1;
	if ((s->identity = strdup("")) == NULL ||
	    (s->issuer = strdup("")) == NULL)
		return oom(err, PYVERIFY_STEP_NONE);
	return public_half(s, PYVERIFY_STEP_NONE, err);
}

/* The identity and issuer as the certificate states them (what a verifier
 * will see), after pv_fulcio_check_cert found them to be the token's. */
static int
read_cert_identity(pyverify_signer *s, pyverify_error *err)
{
	struct pv_cert_identity id;
	int rc;

	memset(&id, 0, sizeof(id));
	rc = pv_cert_identity_read(&id, s->cert.leaf, err);
	if (rc != 0) {
		if (err != NULL)
			err->step = PYVERIFY_STEP_FULCIO;
		return rc;
	}
	if (id.n_sans == 0 || id.issuer == NULL)
		rc = pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_FULCIO,
		             "Fulcio's certificate names no identity or issuer");
	else if ((s->identity = strdup(id.sans[0])) == NULL ||
	         (s->issuer = strdup(id.issuer)) == NULL)
		rc = oom(err, PYVERIFY_STEP_FULCIO);
	pv_cert_identity_clear(&id);
	return rc;
}

static int
keyless(pyverify_signer *s, const pyverify_sign_options *o,
        const char *fulcio, pyverify_error *err)
{
	struct pv_id_token tok;
	int rc;

	memset(&tok, 0, sizeof(tok));
	/* The token first: an expired or foreign token never reaches
	 * Fulcio. */
	PV_TRY(pv_id_token_parse(&tok, o->identity_token, pv_signer_now(s),
	                         err));
	s->key = EVP_EC_gen("P-256");
	if (s->key == NULL) {
		ERR_clear_error();
		rc = pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_FULCIO,
		             "could not make a P-256 key (OpenSSL failed)");
		goto done;
	}
	rc = pv_fulcio_get_cert(&s->net, fulcio, &tok, s->key, &s->cert, err);
	if (rc == 0)
		rc = pv_fulcio_check_cert(s->root, &s->cert, s->key, &tok,
		                          pv_signer_now(s) * 1000, err);
	if (rc == 0 && pv_asn1_time_to_unix(X509_get0_notAfter(s->cert.leaf),
	                                    &s->cert_not_after) != 0)
		rc = pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_FULCIO,
		             "Fulcio's certificate has an unreadable notAfter");
	if (rc == 0)
		rc = read_cert_identity(s, err);
	if (rc == 0)
		rc = public_half(s, PYVERIFY_STEP_FULCIO, err);
done:
	pv_id_token_clear(&tok); /* wipes the token */
	return rc;
}

int
pyverify_signer_new(pyverify_signer **out, const pyverify_sign_options *o,
                    pyverify_error *err)
{
	pyverify_signer *s;
	char *fulcio = NULL;
	int rc;

	pv_error_clear(err);
	if (out == NULL || o == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_NONE,
		               "pyverify_signer_new needs options and an out "
		               "pointer");
	*out = NULL;
	PV_TRY(check_options(o, err));
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return oom(err, PYVERIFY_STEP_NONE);
	s->root = o->trust_root;
	s->now = o->now;
	if (o->ca_bundle != NULL && (s->ca_bundle = strdup(o->ca_bundle)) == NULL) {
		pyverify_signer_free(s);
		return oom(err, PYVERIFY_STEP_NONE);
	}
	s->net.opts.allow_http = o->allow_http;
	s->net.opts.ca_bundle = s->ca_bundle;
	if (o->transport != NULL) {
		s->transport = *o->transport;
		s->net.transport = &s->transport;
	}
	rc = choose_services(s, o, &fulcio, err);
	if (rc == 0)
		rc = o->key_pem != NULL ? load_managed_key(s, o, err)
		                        : keyless(s, o, fulcio, err);
	free(fulcio);
	if (rc != 0) {
		pyverify_signer_free(s);
		return rc;
	}
	*out = s;
	return 0;
}
