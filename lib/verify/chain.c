/* chain.c - the Fulcio certificate path at a given time and the leaf
 * profile (SPEC 3.3, 3.4, 3.13). Trust comes only from the trusted root:
 * certificates carried in the bundle are never anchors or intermediates. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "verify/steps.h"

/* Enough for "O=sigstore.dev, CN=sigstore-intermediate" style names; longer
 * names are truncated in messages only. */
#define NAME_BUF 256

static const char *
root_source(const pyverify_trust_root *root)
{
	return root->source != NULL ? root->source : "(unnamed trusted root)";
}

static void
name_text(const X509_NAME *name, char *buf, size_t len)
{
	if (X509_NAME_oneline(name, buf, (int)len) == NULL)
		snprintf(buf, len, "(unprintable name)");
}

int
pv_cert_check_time(X509 *cert, int64_t t_ms, const char *what,
                   pyverify_error *err)
{
	int64_t nb, na;
	char ts[32], nbs[32], nas[32];

	if (pv_asn1_time_to_unix(X509_get0_notBefore(cert), &nb) != 0 ||
	    pv_asn1_time_to_unix(X509_get0_notAfter(cert), &na) != 0)
		return pv_fail(err, PYVERIFY_EPARSE,
		               PYVERIFY_STEP_CERTIFICATE_CHAIN,
		               "certificate validity period cannot be read");
	/* SPEC 3.13: notBefore <= t <= notAfter, both ends inclusive. */
	if (t_ms >= nb * 1000 && t_ms <= na * 1000)
		return 0;
	pv_format_rfc3339_ms(ts, t_ms);
	pv_format_rfc3339(nbs, nb);
	pv_format_rfc3339(nas, na);
	return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_CERTIFICATE_CHAIN,
	               "%s %s is outside the signing certificate's validity "
	               "(%s to %s)",
	               what != NULL ? what : "time", ts, nbs, nas);
}

int
pv_leaf_check_profile(X509 *leaf, pyverify_error *err)
{
	uint32_t flags = X509_get_extension_flags(leaf);

	/* SPEC 3.3 (Fulcio leaf profile) and 3.4. */
	if (flags & EXFLAG_INVALID)
		return pv_fail(err, PYVERIFY_EPARSE,
		               PYVERIFY_STEP_CERTIFICATE_CHAIN,
		               "signing certificate has malformed or duplicate "
		               "extensions");
	if (X509_get_version(leaf) != X509_VERSION_3)
		return pv_fail(err, PYVERIFY_EREJECT,
		               PYVERIFY_STEP_CERTIFICATE_CHAIN,
		               "signing certificate is X.509 version %ld, "
		               "expected version 3",
		               X509_get_version(leaf) + 1);
	if (flags & EXFLAG_CA)
		return pv_fail(err, PYVERIFY_EREJECT,
		               PYVERIFY_STEP_CERTIFICATE_CHAIN,
		               "signing certificate is a CA certificate "
		               "(basicConstraints CA:TRUE)");
	if (!(flags & EXFLAG_KUSAGE) ||
	    !(X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE))
		return pv_fail(err, PYVERIFY_EREJECT,
		               PYVERIFY_STEP_CERTIFICATE_CHAIN,
		               "signing certificate lacks the digitalSignature "
		               "key usage");
	if (!(flags & EXFLAG_XKUSAGE) ||
	    !(X509_get_extended_key_usage(leaf) & XKU_CODE_SIGN))
		return pv_fail(err, PYVERIFY_EREJECT,
		               PYVERIFY_STEP_CERTIFICATE_CHAIN,
		               "signing certificate lacks the codeSigning "
		               "extended key usage");
	return 0;
}

int
pv_bundle_chain_check(const struct pv_bytes *certs, size_t n_certs,
                      pyverify_error *err)
{
	return pv_bundle_chain_check_from(certs, n_certs, 0, err);
}

int
pv_bundle_chain_check_from(const struct pv_bytes *certs, size_t n_certs,
                           size_t from, pyverify_error *err)
{
	X509 *c;
	size_t i;
	int self;

	if (n_certs == 0 || certs == NULL)
		return pv_fail(err, PYVERIFY_EPARSE,
		               PYVERIFY_STEP_CERTIFICATE_CHAIN,
		               "the bundle carries no signing certificate");
	if (n_certs > PV_MAX_CHAIN_CERTS)
		return pv_fail(err, PYVERIFY_EPARSE,
		               PYVERIFY_STEP_CERTIFICATE_CHAIN,
		               "the bundle chain has %zu certificates (at most "
		               "%d)", n_certs, PV_MAX_CHAIN_CERTS);
	for (i = from; i < n_certs; i++) {
		c = pv_x509_from_der(certs[i].data, certs[i].len);
		if (c == NULL)
			return pv_fail(err, PYVERIFY_EPARSE,
			               PYVERIFY_STEP_CERTIFICATE_CHAIN,
			               "bundle certificate %zu is not one DER "
			               "X.509 certificate", i);
		/* SPEC 7 item 5: a root sent inside the bundle proves
		 * nothing; roots come only from the trusted root. */
		self = i > 0 &&
		       (X509_NAME_cmp(X509_get_subject_name(c),
		                      X509_get_issuer_name(c)) == 0 ||
		        X509_check_issued(c, c) == X509_V_OK);
		X509_free(c);
		ERR_clear_error();
		if (self)
			return pv_fail(err, PYVERIFY_EREJECT,
			               PYVERIFY_STEP_CERTIFICATE_CHAIN,
			               "the bundle carries a root certificate "
			               "(certificate %zu); roots come only "
			               "from the trusted root", i);
	}
	return 0;
}

/* Names the certificate a verification error is about, by its place in
 * the CA entry (the path OpenSSL saw may start at the entry's first
 * certificate, see pv_ca_first_is_checked_anchor). */
static const char *
role_name(int depth, const struct pv_ca *ca, X509 *const *certs, X509 *cur)
{
	if (depth <= 0)
		return "signing certificate";
	return cur != NULL && X509_cmp(cur, certs[ca->n_certs - 1]) == 0
	           ? "CA anchor certificate"
	           : "intermediate certificate";
}

/* SPEC 3.3 step 4: intermediates that carry EKU must permit codeSigning. */
static int
chain_eku_ok(STACK_OF(X509) *chain, int *bad_depth)
{
	int i;
	X509 *c;

	for (i = 1; i < sk_X509_num(chain); i++) {
		c = sk_X509_value(chain, i);
		if ((X509_get_extension_flags(c) & EXFLAG_XKUSAGE) &&
		    !(X509_get_extended_key_usage(c) &
		      (XKU_CODE_SIGN | XKU_ANYEKU))) {
			*bad_depth = i;
			return 0;
		}
	}
	return 1;
}

/* Fills msg with why the chain failed; keeps it one line. */
static void
describe_failure(X509_STORE_CTX *ctx, const struct pv_ca *ca,
                 X509 *const *certs, time_t t, char *msg, size_t len)
{
	int e = X509_STORE_CTX_get_error(ctx);
	int depth = X509_STORE_CTX_get_error_depth(ctx);
	X509 *cur = X509_STORE_CTX_get_current_cert(ctx);
	char ts[32], nbs[32], nas[32], name[NAME_BUF];
	int64_t nb, na;
	const char *uri = ca->uri != NULL ? ca->uri : "(no URI)";
	const char *sep = "";

	pv_format_rfc3339(ts, (int64_t)t);
	if ((e == X509_V_ERR_CERT_HAS_EXPIRED ||
	     e == X509_V_ERR_CERT_NOT_YET_VALID) && cur != NULL &&
	    pv_asn1_time_to_unix(X509_get0_notBefore(cur), &nb) == 0 &&
	    pv_asn1_time_to_unix(X509_get0_notAfter(cur), &na) == 0) {
		pv_format_rfc3339(nbs, nb);
		pv_format_rfc3339(nas, na);
		snprintf(msg, len,
		         "%s: %s at %s: valid %s to %s (Fulcio CA %s)",
		         role_name(depth, ca, certs, cur),
		         X509_verify_cert_error_string(e), ts, nbs, nas, uri);
		return;
	}
	/* Fulcio leaves have an empty subject: name CA certificates only. */
	name[0] = '\0';
	if (cur != NULL &&
	    X509_NAME_entry_count(X509_get_subject_name(cur)) > 0) {
		name_text(X509_get_subject_name(cur), name, sizeof(name));
		sep = " ";
	}
	snprintf(msg, len, "%s%s%s: %s at %s (Fulcio CA %s)",
	         role_name(depth, ca, certs, cur), sep, name,
	         X509_verify_cert_error_string(e), ts, uri);
}

/* Does any certificate of the CA entry carry the leaf's issuer name? */
static int
ca_names_issuer(const struct pv_ca *ca, X509 *const *certs, X509 *leaf)
{
	const X509_NAME *want = X509_get_issuer_name(leaf);
	size_t i;

	for (i = 0; i < ca->n_certs; i++)
		if (X509_NAME_cmp(X509_get_subject_name(certs[i]), want) ==
		    0)
			return 1;
	return 0;
}

/* With the shortcut, the certificates above certs[0] are not on the path
 * OpenSSL sees: their validity at t is checked here, inclusively. */
static int
upper_certs_valid_at(const struct pv_ca *ca, X509 *const *certs,
                     int64_t t_ms, char *msg, size_t len)
{
	time_t t = (time_t)pv_ms_to_seconds(t_ms);
	size_t i;
	int64_t nb, na;
	char ts[32], nbs[32], nas[32], name[NAME_BUF];

	for (i = 1; i < ca->n_certs; i++) {
		X509 *c = certs[i];
		if (pv_asn1_time_to_unix(X509_get0_notBefore(c), &nb) != 0 ||
		    pv_asn1_time_to_unix(X509_get0_notAfter(c), &na) != 0) {
			snprintf(msg, len, "CA certificate validity is "
			         "unreadable (Fulcio CA %s)", ca->uri);
			return 0;
		}
		/* Inclusive, compared in milliseconds (SPEC 0.6). */
		if (t_ms < nb * 1000 || t_ms > na * 1000) {
			pv_format_rfc3339(ts, (int64_t)t);
			pv_format_rfc3339(nbs, nb);
			pv_format_rfc3339(nas, na);
			name_text(X509_get_subject_name(c), name, sizeof(name));
			snprintf(msg, len, "%s %s: %s at %s: valid %s to %s "
			         "(Fulcio CA %s)",
			         i + 1 == ca->n_certs ? "CA anchor certificate"
			                              : "intermediate certificate",
			         name, t_ms < nb * 1000
			                   ? "certificate is not yet valid"
			                   : "certificate has expired",
			         ts, nbs, nas, ca->uri);
			return 0;
		}
	}
	return 1;
}

/*
 * One attempt against one CA entry. Returns 1 and sets *issuer_out on
 * success, 0 when the path does not validate (msg filled), -1 on an
 * internal failure. Stores are built per call, so concurrent verifications
 * share nothing but up-referenced, read-only certificates.
 */
static int
try_ca(const struct pv_ca *ca, X509 *const *certs, X509 *leaf, int64_t t_ms,
       X509 **issuer_out, char *msg, size_t len)
{
	time_t t = (time_t)pv_ms_to_seconds(t_ms);
	X509_STORE *st = NULL;
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *untrusted = NULL, *chain = NULL;
	X509_VERIFY_PARAM *vp;
	X509 *issuer;
	size_t i;
	int rc = -1, depth = 0, shortcut;

	st = X509_STORE_new();
	untrusted = sk_X509_new_null();
	ctx = X509_STORE_CTX_new();
	if (st == NULL || untrusted == NULL || ctx == NULL)
		goto done;
	/* SPEC 3.3 step 3: validate at t (hybrid model), notAfter
	 * inclusive (SPEC 3.13). */
	pv_x509_store_at(st, t_ms);
	/* SPEC 3.3 step 2: anchor = last certificate of the entry,
	 * untrusted intermediates = the others of the same entry. When
	 * pv_ca_first_is_checked_anchor() validated the entry's own chain, the
	 * entry's first certificate stands in for it (saving a P-384
	 * signature check per verification) and the upper certificates'
	 * validity at t is checked below. */
	shortcut = X509_check_issued(certs[0], leaf) == X509_V_OK &&
	           pv_ca_first_is_checked_anchor(ca);
	if (shortcut) {
		if (!upper_certs_valid_at(ca, certs, t_ms, msg, len)) {
			rc = 0;
			goto done;
		}
		if (X509_STORE_add_cert(st, certs[0]) != 1)
			goto done;
	} else {
		if (X509_STORE_add_cert(st, certs[ca->n_certs - 1]) != 1)
			goto done;
		for (i = 0; i + 1 < ca->n_certs; i++)
			if (sk_X509_push(untrusted, certs[i]) <= 0)
				goto done; /* the stack borrows */
	}
	if (X509_STORE_CTX_init(ctx, st, leaf, untrusted) != 1)
		goto done;
	vp = X509_STORE_CTX_get0_param(ctx);
	/* RFC 5280 strict. PARTIAL_CHAIN lets an anchor that is an
	 * intermediate end the path (SPEC 2.1); the store holds nothing but
	 * that anchor. */
	X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_X509_STRICT |
	                                    X509_V_FLAG_PARTIAL_CHAIN);
	if (X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_ANY) != 1)
		goto done;
	if (X509_verify_cert(ctx) != 1) {
		describe_failure(ctx, ca, certs, t, msg, len);
		rc = 0;
		goto done;
	}
	chain = X509_STORE_CTX_get1_chain(ctx);
	if (chain == NULL || sk_X509_num(chain) < 2)
		goto done;
	if (!chain_eku_ok(chain, &depth)) {
		char name[NAME_BUF];

		name_text(X509_get_subject_name(sk_X509_value(chain, depth)),
		          name, sizeof(name));
		snprintf(msg, len, "CA certificate %s does not permit the "
		         "codeSigning extended key usage (Fulcio CA %s)", name,
		         ca->uri != NULL ? ca->uri : "(no URI)");
		rc = 0;
		goto done;
	}
	issuer = sk_X509_value(chain, 1);
	if (X509_up_ref(issuer) != 1)
		goto done;
	*issuer_out = issuer;
	rc = 1;
done:
	sk_X509_pop_free(chain, X509_free);
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);
	X509_STORE_free(st);
	ERR_clear_error();
	return rc;
}

int
pv_chain_verify(const pyverify_trust_root *root, X509 *leaf, int64_t t_ms,
                X509 **issuer_out, pyverify_error *err)
{
	char msg[PYVERIFY_ERROR_MSG_SIZE], first[PYVERIFY_ERROR_MSG_SIZE];
	char ts[32], name[NAME_BUF];
	time_t t = (time_t)pv_ms_to_seconds(t_ms);
	size_t i, in_window = 0, named = 0;
	X509 *issuer = NULL;
	X509 *const *certs;
	const struct pv_ca *ca;
	size_t bad;
	int r;

	first[0] = '\0';
	for (i = 0; i < root->n_cas; i++) {
		ca = &root->cas[i];
		/* SPEC 3.3 step 1: skip CAs whose validFor excludes t. */
		if (ca->n_certs == 0 ||
		    !pv_time_range_contains(&ca->valid, t_ms))
			continue;
		in_window++;
		certs = pv_ca_certs(ca, &bad);
		if (certs == NULL)
			return bad == ca->n_certs
			           ? pv_fail(err, PYVERIFY_ENOMEM,
			                     PYVERIFY_STEP_CERTIFICATE_CHAIN,
			                     "out of memory")
			           : pv_fail(err, PYVERIFY_EPARSE,
			                     PYVERIFY_STEP_TRUST_ROOT,
			                     "certificate %zu of Fulcio CA %s "
			                     "(certificateAuthorities[%zu] of the "
			                     "trusted root %s) is not one DER X.509 "
			                     "certificate", bad, ca->uri, i,
			                     root_source(root));
		r = try_ca(ca, certs, leaf, t_ms, &issuer, msg, sizeof(msg));
		if (r < 0)
			return pv_fail(err, PYVERIFY_EINTERNAL,
			               PYVERIFY_STEP_CERTIFICATE_CHAIN,
			               "certificate path validation failed "
			               "unexpectedly");
		if (r == 1) {
			*issuer_out = issuer;
			return 0;
		}
		/* The first failure against a CA that names the leaf's issuer
		 * says the most; failures against unrelated CAs only say
		 * "unable to get local issuer". */
		if (ca_names_issuer(ca, certs, leaf) && named++ == 0)
			memcpy(first, msg, sizeof(first));
	}
	pv_format_rfc3339(ts, (int64_t)t);
	if (in_window == 0)
		return pv_fail(err, PYVERIFY_EREJECT,
		               PYVERIFY_STEP_CERTIFICATE_CHAIN,
		               "no Fulcio CA of the trusted root is valid at "
		               "%s; the trusted root may be out of date (%s)",
		               ts, root_source(root));
	if (named == 0) {
		name_text(X509_get_issuer_name(leaf), name, sizeof(name));
		return pv_fail(err, PYVERIFY_EREJECT,
		               PYVERIFY_STEP_CERTIFICATE_CHAIN,
		               "certificate issuer %s is not a Fulcio CA of "
		               "the trusted root valid at %s; the trusted root "
		               "may be out of date (%s)",
		               name, ts, root_source(root));
	}
	return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_CERTIFICATE_CHAIN,
	               "%s", first);
}

/* The trusted root's own decoded copy of der, when der is byte for byte
 * one of the certificates of its Fulcio CAs (borrowed), else NULL.
 * Compared as DER, so that the bundle's copy need not be decoded again
 * and entries the verification did not use are not decoded at all. */
static X509 *
trusted_copy(const pyverify_trust_root *root, const struct pv_bytes *der)
{
	X509 *const *certs;
	size_t i, j;

	for (i = 0; i < root->n_cas; i++)
		for (j = 0; j < root->cas[i].n_certs; j++)
			if (root->cas[i].ders[j].len == der->len &&
			    memcmp(root->cas[i].ders[j].data, der->data,
			           der->len) == 0)
				return (certs = pv_ca_certs(&root->cas[i],
				                            NULL)) != NULL
				           ? certs[j]
				           : NULL;
	return NULL;
}

int
pv_bundle_chain_agrees(const pyverify_trust_root *root,
                       const struct pv_bytes *certs, size_t n_certs,
                       X509 *leaf, X509 *issuer, pyverify_error *err)
{
	X509 *prev = leaf, *c;
	size_t i;

	/* SPEC 1.3: the path is built from the trusted root only; the
	 * intermediates a bundle carries are checked, never trusted: each
	 * must be, byte for byte, the trusted root's own certificate that
	 * issued the one before it, starting with the leaf's actual issuer.
	 * (pv_bundle_chain_check has refused any that does not decode.) */
	for (i = 1; i < n_certs; i++) {
		c = trusted_copy(root, &certs[i]);
		if (c == NULL ||
		    (i == 1 && (issuer == NULL || X509_cmp(c, issuer) != 0)) ||
		    X509_check_issued(c, prev) != X509_V_OK) {
			ERR_clear_error();
			return pv_fail(err, PYVERIFY_EREJECT,
			               PYVERIFY_STEP_CERTIFICATE_CHAIN,
			               "certificate %zu of the bundle chain is not "
			               "the trusted root's issuer of certificate "
			               "%zu: a bundle may repeat the trusted chain "
			               "but never bring its own", i, i - 1);
		}
		prev = c;
	}
	return 0;
}
