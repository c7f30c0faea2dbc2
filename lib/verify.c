/* verify.c - STUB: orchestrator. */
#include "internal.h"
int pyverify_verify(const pyverify_trust_root *root, const pyverify_bundle *bundle, const pyverify_artifact *artifact, const pyverify_policy *policy, pyverify_result *out, pyverify_error *err)
{ (void)root; (void)bundle; (void)artifact; (void)policy; (void)out; return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_NONE, "not implemented"); }
