/* identity.c - STUB: to be implemented. */
#include "internal.h"

int pv_cert_identity_read(struct pv_cert_identity *out, X509 *leaf, pyverify_error *err)
{ (void)out; (void)leaf; return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_IDENTITY, "not implemented"); }
void pv_cert_identity_clear(struct pv_cert_identity *id) { (void)id; }
int pv_identity_match(const struct pv_cert_identity *id, const pyverify_policy *policy, pyverify_result *out, pyverify_error *err)
{ (void)id; (void)policy; (void)out; return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_IDENTITY, "not implemented"); }
