/* trust_root.c - STUB: to be implemented. */
#include "internal.h"

int pyverify_trust_root_load_file(pyverify_trust_root **out, const char *path, pyverify_error *err)
{ (void)out; (void)path; return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_TRUST_ROOT, "not implemented"); }
int pyverify_trust_root_load_memory(pyverify_trust_root **out, const void *buf, size_t len, const char *source, pyverify_error *err)
{ (void)out; (void)buf; (void)len; (void)source; return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_TRUST_ROOT, "not implemented"); }
void pyverify_trust_root_free(pyverify_trust_root *root) { (void)root; }
const char *pyverify_trust_root_source(const pyverify_trust_root *root) { return root->source; }
int pv_time_range_contains(const struct pv_time_range *r, int64_t t_ms)
{ return t_ms >= r->start_ms && (!r->has_end || t_ms <= r->end_ms); }
const struct pv_tlog *pv_trust_root_find_tlog(const pyverify_trust_root *r, const uint8_t id[32]) { (void)r; (void)id; return NULL; }
const struct pv_tlog *pv_trust_root_find_ctlog(const pyverify_trust_root *r, const uint8_t id[32]) { (void)r; (void)id; return NULL; }
