/*
 * tlog_set.c - the signed entry timestamp (Rekor v1 inclusion promise):
 * the log's signature over the entry, its index and its integrated time
 * (SPEC 3.9).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "verify/steps.h"
#include "util/jcs.h"

/* Largest integer JCS can write exactly (2^53 - 1, see lib/util/jcs.c). */
#define TLOG_MAX_JCS_INTEGER ((int64_t)9007199254740991LL)

int
pv_tlog_verify_set(const struct pv_tlog_entry *e, const struct pv_tlog *log,
                   pyverify_error *err)
{
	char logid[65], when[32], start[32], end[32];
	char *body_b64 = NULL, *payload = NULL;
	const char *name;
	json_t *obj = NULL;
	size_t plen = 0;
	int rc, ok;

	if (e == NULL || log == NULL)
		return pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_SET,
		               "signed entry timestamp check called without an "
		               "entry or a log");
	pv_hex_encode(logid, e->log_id, sizeof(e->log_id));
	name = log->base_url != NULL ? log->base_url : logid;
	if (e->set.len == 0)
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_SET,
		               "log entry has no inclusion promise (signed entry "
		               "timestamp)");
	if (e->integrated_time <= 0)
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_SET,
		               "log entry has an inclusion promise but no "
		               "integrated time");
	/* JCS writes numbers as IEEE doubles (RFC 8785 section 3.2.2.3): a
	 * value above 2^53 - 1 has no exact canonical form to verify. */
	if (e->log_index < 0 || e->log_index > TLOG_MAX_JCS_INTEGER ||
	    e->integrated_time > TLOG_MAX_JCS_INTEGER)
		return pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_SET,
		               "log index %lld or integrated time %lld is out "
		               "of range", (long long)e->log_index,
		               (long long)e->integrated_time);
	if (e->body.len == 0 || e->body.len > PV_MAX_BODY_BYTES)
		return pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_SET,
		               "log entry body has an invalid length (%zu bytes)",
		               e->body.len);
	if (memcmp(e->log_id, log->log_id, sizeof(e->log_id)) != 0)
		return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_SET,
		               "log entry names log %s, not log %s", logid,
		               name);

	/* SPEC 3.9: payload = JCS of {body: standard padded base64 of the
	 * canonicalized body, integratedTime, logID: lowercase hex,
	 * logIndex: the top-level index}, numbers as bare integers. */
	body_b64 = pv_b64_encode(e->body.data, e->body.len);
	if (body_b64 != NULL)
		obj = json_pack("{s:s, s:I, s:s, s:I}", "body", body_b64,
		                "integratedTime", (json_int_t)e->integrated_time,
		                "logID", logid, "logIndex",
		                (json_int_t)e->log_index);
	payload = obj != NULL ? pv_jcs_dumps(obj, &plen) : NULL;
	if (payload == NULL) {
		rc = pv_fail(err, PYVERIFY_ENOMEM, PYVERIFY_STEP_SET,
		             "out of memory");
		goto done;
	}
	ok = pv_pubkey_verify_message(&log->key, (const uint8_t *)payload,
	                              plen, e->set.data, e->set.len);
	if (ok < 0) {
		rc = pv_fail(err, PYVERIFY_EINTERNAL, PYVERIFY_STEP_SET,
		             "signature check failed unexpectedly");
		goto done;
	}
	if (ok == 0) {
		rc = pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_SET,
		             "signed entry timestamp does not verify with the "
		             "key of log %s", name);
		goto done;
	}
	/* SPEC 3.9 / 2.2: the log key must have been valid at the integrated
	 * time (Go requires validFor.start and checks [start, end]). */
	if (e->integrated_time > INT64_MAX / 1000 ||
	    !pv_time_range_contains(&log->valid, e->integrated_time * 1000)) {
		pv_format_rfc3339(when, e->integrated_time);
		pv_format_window(&log->valid, start, end);
		rc = pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_SET,
		             "log integrated time %s is outside the validity "
		             "window [%s, %s] of log %s's key; the trusted "
		             "root may be out of date", when, start, end, name);
		goto done;
	}
	rc = 0;
done:
	free(payload);
	json_decref(obj);
	free(body_b64);
	return rc;
}
