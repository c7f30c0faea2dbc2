/* checkpoint.c - STUB: to be implemented. */
#include "internal.h"

int pv_checkpoint_verify(struct pv_checkpoint *out, const char *text, size_t len, const struct pv_tlog *log, int rekor_v2, pyverify_error *err)
{ (void)out; (void)text; (void)len; (void)log; (void)rekor_v2; return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_CHECKPOINT, "not implemented"); }
