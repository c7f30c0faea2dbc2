/* err.c - the error struct, step codes and status names. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"

static const char *const step_codes[] = {
	[PYVERIFY_STEP_NONE] = "none",
	[PYVERIFY_STEP_BUNDLE_FORMAT] = "bundle-format",
	[PYVERIFY_STEP_TRUST_ROOT] = "trust-root",
	[PYVERIFY_STEP_ARTIFACT] = "artifact",
	[PYVERIFY_STEP_POLICY] = "policy",
	[PYVERIFY_STEP_TIMESTAMP] = "timestamp",
	[PYVERIFY_STEP_CERTIFICATE_CHAIN] = "certificate-chain",
	[PYVERIFY_STEP_SCT] = "sct",
	[PYVERIFY_STEP_TLOG] = "tlog",
	[PYVERIFY_STEP_TLOG_BODY] = "tlog-body",
	[PYVERIFY_STEP_SET] = "set",
	[PYVERIFY_STEP_INCLUSION_PROOF] = "inclusion-proof",
	[PYVERIFY_STEP_CHECKPOINT] = "checkpoint",
	[PYVERIFY_STEP_SIGNATURE] = "signature",
	[PYVERIFY_STEP_IDENTITY] = "identity",
	[PYVERIFY_STEP_ISSUER] = "issuer",
	[PYVERIFY_STEP_KEY] = "key",
	[PYVERIFY_STEP_TRUST_UPDATE] = "trust-update",
	[PYVERIFY_STEP_OIDC] = "oidc",
	[PYVERIFY_STEP_FULCIO] = "fulcio",
	[PYVERIFY_STEP_REKOR] = "rekor",
	[PYVERIFY_STEP_TSA] = "tsa",
	[PYVERIFY_STEP_SIGN_VERIFY] = "verify",
};

const char *
pyverify_step_code(pyverify_step step)
{
	if ((unsigned)step >= sizeof(step_codes) / sizeof(step_codes[0]) ||
	    step_codes[step] == NULL)
		return "unknown";
	return step_codes[step];
}

const char *
pyverify_status_name(pyverify_status code)
{
	switch (code) {
	case PYVERIFY_OK: return "ok";
	case PYVERIFY_EREJECT: return "rejected";
	case PYVERIFY_EPARSE: return "malformed input";
	case PYVERIFY_EIO: return "I/O error";
	case PYVERIFY_ENOMEM: return "out of memory";
	case PYVERIFY_EUSAGE: return "usage error";
	case PYVERIFY_EINTERNAL: return "internal error";
	}
	return "unknown error";
}

void
pv_error_clear(pyverify_error *err)
{
	if (err == NULL)
		return;
	err->code = PYVERIFY_OK;
	err->step = PYVERIFY_STEP_NONE;
	err->msg[0] = '\0';
}

int
pv_fail(pyverify_error *err, pyverify_status code, pyverify_step step,
        const char *fmt, ...)
{
	va_list ap;
	size_t i;

	if (err == NULL)
		return code;
	err->code = code;
	err->step = step;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* One line, always: untrusted values quoted in messages must not be
	 * able to forge extra output lines. */
	for (i = 0; err->msg[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)err->msg[i];
		if (ch < 0x20 || ch == 0x7f)
			err->msg[i] = '?';
	}
	return code;
}
