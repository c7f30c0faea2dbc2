/* trust_root_ca.c - a CA or TSA entry of the trusted root: its
 * certificates decoded at first use, and, for a Fulcio CA, its own chain
 * validated once per loaded root at the first verification that asks:
 * when that chain (signatures, CA flags, path lengths) holds,
 * verification may start the path at the entry's first certificate. */
#include <stdatomic.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "format/format.h"

/* Extensions of an upper CA certificate that constrain the whole path
 * below it: with one of them present the path is always built in full. */
static int
has_path_constraints(X509 *c)
{
	static const int nids[] = { NID_name_constraints,
	                            NID_policy_constraints,
	                            NID_inhibit_any_policy,
	                            NID_policy_mappings };
	size_t i;

	for (i = 0; i < sizeof(nids) / sizeof(nids[0]); i++)
		if (X509_get_ext_by_NID(c, nids[i], -1) >= 0)
			return 1;
	return 0;
}

static void
certs_free(X509 **certs, size_t n)
{
	size_t i;

	if (certs == NULL)
		return;
	for (i = 0; i < n; i++)
		X509_free(certs[i]);
	free(certs);
}

static X509 **
decode_all(const struct pv_ca *ca, size_t *bad)
{
	X509 **certs = calloc(ca->n_certs, sizeof(*certs));
	size_t i;

	*bad = ca->n_certs;
	if (certs == NULL)
		return NULL;
	for (i = 0; i < ca->n_certs; i++) {
		certs[i] = pv_x509_from_der(ca->ders[i].data, ca->ders[i].len);
		if (certs[i] == NULL) {
			*bad = i;
			certs_free(certs, ca->n_certs);
			return NULL;
		}
	}
	return certs;
}

X509 *const *
pv_ca_certs(const struct pv_ca *ca, size_t *bad)
{
	/* Decoding depends only on the immutable DER, so a racing thread
	 * computes the same certificates; the first stored wins. */
	struct pv_ca *mut = (struct pv_ca *)ca;
	X509 **have = atomic_load_explicit(&mut->certs, memory_order_acquire);
	X509 **mine, **expect = NULL;
	size_t ignored;

	if (bad == NULL)
		bad = &ignored;
	if (have != NULL)
		return have;
	if ((mine = decode_all(ca, bad)) == NULL)
		return NULL;
	if (atomic_compare_exchange_strong_explicit(
	        &mut->certs, &expect, mine, memory_order_acq_rel,
	        memory_order_acquire))
		return mine;
	certs_free(mine, ca->n_certs);
	return expect;
}

void
pv_ca_clear(struct pv_ca *ca)
{
	size_t i;

	free(ca->uri);
	certs_free(atomic_load(&ca->certs), ca->n_certs);
	for (i = 0; i < ca->n_certs && ca->ders != NULL; i++)
		pv_bytes_clear(&ca->ders[i]);
	free(ca->ders);
}

static int
entry_chain_holds(const struct pv_ca *ca)
{
	X509 *const *certs = pv_ca_certs(ca, NULL);
	X509_STORE *st = NULL;
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *untrusted = NULL, *chain;
	size_t i, n = ca->n_certs;
	int ok = 0;

	if (n < 2 || certs == NULL)
		return 0; /* the anchor itself issues, or no certificates */
	/* certs[0] must be a CA that may sign certificates, and every
	 * certificate above it must allow the j intermediates that will sit
	 * below it (certs[0..j-1]) and carry no path-wide constraints. */
	if (X509_check_ca(certs[0]) != 1 ||
	    ((X509_get_extension_flags(certs[0]) & EXFLAG_KUSAGE) &&
	     !(X509_get_key_usage(certs[0]) & KU_KEY_CERT_SIGN)))
		return 0;
	for (i = 0; i < n; i++) {
		long pathlen = X509_get_pathlen(certs[i]);
		if ((i > 0 && has_path_constraints(certs[i])) ||
		    (i > 0 && pathlen >= 0 && (size_t)pathlen < i) ||
		    ((X509_get_extension_flags(certs[i]) & EXFLAG_XKUSAGE) &&
		     !(X509_get_extended_key_usage(certs[i]) &
		       (XKU_CODE_SIGN | XKU_ANYEKU))))
			return 0;
	}
	/* The entry's own path, signatures and constraints, once; validity
	 * times are checked per signing time at verification. */
	st = X509_STORE_new();
	untrusted = sk_X509_new_null();
	ctx = X509_STORE_CTX_new();
	if (st == NULL || untrusted == NULL || ctx == NULL ||
	    X509_STORE_add_cert(st, certs[n - 1]) != 1)
		goto done;
	for (i = 1; i + 1 < n; i++)
		if (sk_X509_push(untrusted, certs[i]) <= 0)
			goto done; /* borrowed */
	if (X509_STORE_CTX_init(ctx, st, certs[0], untrusted) != 1)
		goto done;
	X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx),
	                            X509_V_FLAG_X509_STRICT |
	                                X509_V_FLAG_PARTIAL_CHAIN |
	                                X509_V_FLAG_NO_CHECK_TIME);
	if (X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_ANY) != 1 ||
	    X509_verify_cert(ctx) != 1)
		goto done;
	/* The path OpenSSL found must be exactly the entry, in order. */
	chain = X509_STORE_CTX_get0_chain(ctx);
	if (chain == NULL || (size_t)sk_X509_num(chain) != n)
		goto done;
	for (i = 0; i < n; i++)
		if (X509_cmp(sk_X509_value(chain, (int)i), certs[i]) != 0)
			goto done;
	ok = 1;
done:
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);
	X509_STORE_free(st);
	ERR_clear_error();
	return ok;
}

int
pv_ca_first_is_checked_anchor(const struct pv_ca *ca)
{
	/* The answer depends only on the immutable certificates, so two
	 * threads that race here compute and store the same value. The
	 * root is const to verification; the cache is not part of it. */
	struct pv_ca *mut = (struct pv_ca *)ca;
	int state = atomic_load_explicit(&mut->anchor_state,
	                                 memory_order_acquire);

	if (state == 0) {
		state = entry_chain_holds(ca) ? 1 : 2;
		atomic_store_explicit(&mut->anchor_state, state,
		                      memory_order_release);
	}
	return state == 1;
}
