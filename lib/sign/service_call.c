/* service_call.c - one exchange with a named signing service, and the
 * wording of its failures (every message names the service and the URL,
 * so a release engineer knows whom to blame). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sign/service_call.h"
#include "util/json.h"

int
pv_svc_init(struct pv_svc *s, const char *name, pyverify_step step,
            const char *base, const char *path, pyverify_error *err)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->name = name;
	s->step = step;
	if (base == NULL || base[0] == '\0')
		return pv_fail(err, PYVERIFY_EUSAGE, step, "no %s URL given",
		               name);
	if (path == NULL)
		rc = strlen(base) < sizeof(s->url)
		             ? (snprintf(s->url, sizeof(s->url), "%s", base), 0)
		             : -1;
	else
		rc = pv_net_join(s->url, sizeof(s->url), base, path);
	pv_net_url_for_msg(s->shown, sizeof(s->shown), base);
	if (rc != 0)
		return pv_fail(err, PYVERIFY_EUSAGE, step,
		               "%s URL %s is too long", name, s->shown);
	pv_net_url_for_msg(s->shown, sizeof(s->shown), s->url);
	return 0;
}

int
pv_svc_fail(const struct pv_svc *s, pyverify_error *err, int code,
            const char *fmt, ...)
{
	char msg[PYVERIFY_ERROR_MSG_SIZE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return pv_fail(err, code, s->step, "%s at %s: %s", s->name, s->shown,
	               msg);
}

int
pv_svc_blame(const struct pv_svc *s, pyverify_error *err, int code,
             const char *what)
{
	char old[PYVERIFY_ERROR_MSG_SIZE];

	if (err == NULL)
		return code;
	snprintf(old, sizeof(old), "%s", err->msg);
	return pv_svc_fail(s, err, code, "%s: %s", what, old);
}

int
pv_svc_call(const struct pv_svc *s, const struct pv_sign_net *n,
            const char *method, const char *const *headers, const void *body,
            size_t body_len, size_t max_bytes, int retry_unsafe,
            pv_net_response *resp, pyverify_error *err)
{
	char why[PYVERIFY_ERROR_MSG_SIZE];

	memset(resp, 0, sizeof(*resp));
	why[0] = '\0';
	if (pv_sign_http(n, method, s->url, headers, body, body_len, max_bytes,
	                 retry_unsafe, resp, why, sizeof(why)) != 0) {
		pv_net_response_free(resp);
		/* why already names the URL; the service name is what the
		 * user needs in front of it. */
		return pv_fail(err, PYVERIFY_EIO, s->step, "%s: %s", s->name,
		               why[0] != '\0' ? why : "no answer");
	}
	return 0;
}

int
pv_svc_refused(const struct pv_svc *s, const pv_net_response *r,
               pyverify_error *err)
{
	char what[PYVERIFY_ERROR_MSG_SIZE / 2];

	pv_sign_http_error(what, sizeof(what), r);
	return pv_svc_fail(s, err, PYVERIFY_EIO, "refused the request: %s",
	                   what);
}

int
pv_svc_json(const struct pv_svc *s, const pv_net_response *r, size_t max,
            json_t **out, pyverify_error *err)
{
	struct pv_json_bounds b = PV_JSON_BOUNDS(max);
	json_error_t jerr;

	switch (pv_json_intake(out, r->body, r->len, &b, &jerr)) {
	case PV_JSON_ACCEPTED:
		return 0;
	case PV_JSON_TOO_LARGE:
		return pv_svc_fail(s, err, PYVERIFY_EPARSE,
		                   "answer of %zu bytes is larger than %zu",
		                   r->len, max);
	case PV_JSON_TOO_DEEP:
	case PV_JSON_TOO_MANY_VALUES:
		return pv_svc_fail(s, err, PYVERIFY_EPARSE,
		                   "answer nests JSON too deeply");
	case PV_JSON_NOT_OBJECT:
		return pv_svc_fail(s, err, PYVERIFY_EPARSE,
		                   "answer is %s, expected a JSON object",
		                   jerr.text);
	default:
		return pv_svc_fail(s, err, PYVERIFY_EPARSE,
		                   "answer is not valid JSON: %s (line %d, "
		                   "column %d)",
		                   pv_json_syntax_error(&jerr), jerr.line,
		                   jerr.column);
	}
}

char *
pv_svc_dump(const json_t *obj)
{
	return json_dumps(obj, JSON_COMPACT);
}
