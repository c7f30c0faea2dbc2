/* headertest.c - the public header compiles alone, as strict C11 and as
 * C++-compatible C, with nothing included before it. */
#include "pyverify.h"

int
main(void)
{
	pyverify_error err = { PYVERIFY_OK, PYVERIFY_STEP_NONE, { 0 } };

	return err.code != PYVERIFY_OK ||
	       pyverify_step_code(PYVERIFY_STEP_SCT)[0] != 's';
}
