/* fulcio_check.c - what is checked before Fulcio's certificate is used
 * (SPEC 5.5): our key, a chain to the trusted root, the code-signing
 * profile, the embedded SCT, and the token's identity and issuer. A
 * certificate that fails here would make bundles no verifier accepts, or
 * bind someone else's name. */
#include <string.h>

#include <openssl/crypto.h>

#include "sign/service_call.h"
#include "verify/steps.h"

#define STEP PYVERIFY_STEP_FULCIO

/* Some SAN is the token's identity (email, or sub), or for GitHub
 * Actions the workflow URI Fulcio derives from the token. */
static int
san_matches(const struct pv_cert_identity *id, const char *identity,
            const char *gh)
{
	size_t i;

	for (i = 0; i < id->n_sans; i++)
		if ((identity != NULL && strcmp(id->sans[i], identity) == 0) ||
		    (gh != NULL && strcmp(id->sans[i], gh) == 0))
			return 1;
	return 0;
}

static int
check_identity(X509 *leaf, const struct pv_id_token *tok,
               pyverify_error *err)
{
	struct pv_cert_identity id = { 0 };
	const char *want_iss = tok->federated_issuer != NULL
	                               ? tok->federated_issuer
	                               : tok->iss;
	char *gh = pv_id_token_cert_san(tok);
	int rc;

	if (tok->identity == NULL || want_iss == NULL) {
		free(gh);
		return pv_fail(err, PYVERIFY_EREJECT, STEP,
		               "cannot tell which identity Fulcio's "
		               "certificate should bind: the token lacks it");
	}
	rc = pv_cert_identity_read(&id, leaf, err);
	if (rc != 0) {
		char old[PYVERIFY_ERROR_MSG_SIZE];

		snprintf(old, sizeof(old), "%s", err != NULL ? err->msg : "");
		rc = pv_fail(err, rc, STEP, "Fulcio's certificate: %s", old);
		goto done;
	}
	if (!san_matches(&id, tok->identity, gh)) {
		rc = pv_fail(err, PYVERIFY_EREJECT, STEP,
		             "Fulcio's certificate is for %s, not for the "
		             "token's identity %s",
		             id.n_sans > 0 ? id.sans[0] : "no identity",
		             gh != NULL ? gh : tok->identity);
		goto done;
	}
	if (id.issuer == NULL || strcmp(id.issuer, want_iss) != 0) {
		rc = pv_fail(err, PYVERIFY_EREJECT, STEP,
		             "Fulcio's certificate names the OIDC issuer %s, "
		             "not the token's %s",
		             id.issuer != NULL ? id.issuer : "(none)", want_iss);
		goto done;
	}
	rc = 0;
done:
	pv_cert_identity_clear(&id);
	free(gh);
	return rc;
}

/* Re-words a verify/ step's failure as Fulcio's. */
static int
blame(pyverify_error *err, int rc, const char *what)
{
	char old[PYVERIFY_ERROR_MSG_SIZE];

	if (err == NULL)
		return rc;
	snprintf(old, sizeof(old), "%s", err->msg);
	return pv_fail(err, rc, STEP, "Fulcio's certificate %s: %s", what, old);
}

int
pv_fulcio_check_cert(const pyverify_trust_root *root,
                     const struct pv_fulcio_cert *c, EVP_PKEY *key,
                     const struct pv_id_token *tok, int64_t now_ms,
                     pyverify_error *err)
{
	X509 *issuer = NULL;
	EVP_PKEY *pub;
	int rc;

	if (root == NULL || c == NULL || c->leaf == NULL || key == NULL ||
	    tok == NULL)
		return pv_fail(err, PYVERIFY_EUSAGE, STEP,
		               "nothing to check: no certificate, key, token "
		               "or trusted root");
	pub = X509_get0_pubkey(c->leaf);
	if (pub == NULL || EVP_PKEY_eq(pub, key) != 1)
		return pv_fail(err, PYVERIFY_EREJECT, STEP,
		               "Fulcio's certificate holds another public key "
		               "than the one we asked a certificate for");
	rc = pv_chain_verify(root, c->leaf, now_ms, &issuer, err);
	if (rc != 0)
		return blame(err, rc, "does not chain to the trusted root");
	rc = pv_leaf_check_profile(c->leaf, err);
	if (rc != 0) {
		rc = blame(err, rc, "is not a code-signing certificate");
		goto done;
	}
	rc = pv_sct_verify(root, c->leaf, issuer, err);
	if (rc != 0) {
		rc = blame(err, rc, "has no valid embedded SCT");
		goto done;
	}
	rc = check_identity(c->leaf, tok, err);
done:
	X509_free(issuer);
	return rc;
}
