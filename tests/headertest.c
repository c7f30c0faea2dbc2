/* headertest.c - the public header compiles alone, as strict C11 and as
 * C++-compatible C, with nothing included before it; the trusted-root view
 * and the release verdict link from the static library alone. */
#include "pyverify.h"

int
main(void)
{
	pyverify_error err = { PYVERIFY_OK, PYVERIFY_STEP_NONE, { 0 } };
	char version[PYVERIFY_RELEASE_VERSION_MAX];
	pyverify_release_kind kind = PYVERIFY_RELEASE_KIND_NONE;

	return err.code != PYVERIFY_OK ||
	       pyverify_step_code(PYVERIFY_STEP_SCT)[0] != 's' ||
	       pyverify_trust_root_count(NULL, PYVERIFY_TRUST_CA) != 0 ||
	       pyverify_release_policy_series_count(NULL) != 0 ||
	       pyverify_release_parse_name(version, &kind,
	                                   "Python-3.14.0.tgz") != 0 ||
	       kind != PYVERIFY_RELEASE_KIND_SOURCE ||
	       version[0] != '3' ||
	       pyverify_release_status_name(PYVERIFY_RELEASE_VERIFIED)[0] !=
	               'v';
}
