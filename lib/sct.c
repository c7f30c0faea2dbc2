/* sct.c - STUB: to be implemented. */
#include "internal.h"

int pv_sct_verify(const pyverify_trust_root *root, X509 *leaf, X509 *issuer, pyverify_error *err)
{ (void)root; (void)leaf; (void)issuer; return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_SCT, "not implemented"); }
