/* chain.c - STUB: to be implemented. */
#include "internal.h"

int pv_chain_verify(const pyverify_trust_root *root, X509 *leaf, int64_t t_ms, X509 **issuer_out, pyverify_error *err)
{ (void)root; (void)leaf; (void)t_ms; (void)issuer_out; return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_CERTIFICATE_CHAIN, "not implemented"); }
int pv_leaf_check_profile(X509 *leaf, pyverify_error *err)
{ (void)leaf; return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_CERTIFICATE_CHAIN, "not implemented"); }
int pv_cert_check_time(X509 *cert, int64_t t_ms, const char *what, pyverify_error *err)
{ (void)cert; (void)t_ms; (void)what; return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_CERTIFICATE_CHAIN, "not implemented"); }
int pv_bundle_chain_check(const struct pv_bytes *certs, size_t n_certs, pyverify_error *err)
{ (void)certs; (void)n_certs; return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_CERTIFICATE_CHAIN, "not implemented"); }
