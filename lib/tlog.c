/* tlog.c - STUB: to be implemented. */
#include "internal.h"

int pv_tlog_check_body(const struct pv_tlog_entry *e, const struct pv_signed_content *c, uint8_t leaf_hash[32], pyverify_error *err)
{ (void)e; (void)c; (void)leaf_hash; return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_TLOG_BODY, "not implemented"); }
int pv_tlog_verify_set(const struct pv_tlog_entry *e, const struct pv_tlog *log, pyverify_error *err)
{ (void)e; (void)log; return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_SET, "not implemented"); }
