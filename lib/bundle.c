/* bundle.c - STUB: to be implemented. */
#include "internal.h"

int pyverify_bundle_load_file(pyverify_bundle **out, const char *path, pyverify_error *err)
{ (void)out; (void)path; return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_BUNDLE_FORMAT, "not implemented"); }
int pyverify_bundle_load_memory(pyverify_bundle **out, const void *buf, size_t len, pyverify_error *err)
{ (void)out; (void)buf; (void)len; return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_BUNDLE_FORMAT, "not implemented"); }
void pyverify_bundle_free(pyverify_bundle *bundle) { (void)bundle; }
const char *pyverify_bundle_media_type(const pyverify_bundle *b) { return b->media_type; }
