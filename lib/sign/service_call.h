/*
 * sign/service_call.h - what the four service clients (fulcio.c,
 * rekor1.c, rekor2.c, tsa_client.c) share: one exchange with a named
 * service at a named URL, and messages that always say which service and
 * which URL. Internal to sign/.
 */
#ifndef PV_SIGN_SERVICE_CALL_H
#define PV_SIGN_SERVICE_CALL_H

#include <jansson.h>

#include "sign/sign.h"

/* Longest URL a client builds (base URL from the signing config plus an
 * endpoint path and, for Rekor, an entry UUID). */
#define PV_SVC_URL_MAX 2048

struct pv_svc {
	const char *name;            /* "Fulcio", "Rekor", ... */
	pyverify_step step;
	char url[PV_SVC_URL_MAX];    /* what is fetched */
	char shown[512];             /* the URL as messages show it */
};

/* s names `name` at base + path (path NULL: base is the full URL).
 * PYVERIFY_EUSAGE when the URL does not fit or is empty. */
PV_MUST_CHECK int pv_svc_init(struct pv_svc *s, const char *name,
                              pyverify_step step, const char *base,
                              const char *path, pyverify_error *err);

/* One exchange through pv_sign_http. 0 when an answer arrived (any
 * status; resp to be freed); PYVERIFY_EIO "<name> at <url>: <why>" when
 * none did (timeouts, too large, connection). */
PV_MUST_CHECK int pv_svc_call(const struct pv_svc *s,
                              const struct pv_sign_net *n, const char *method,
                              const char *const *headers, const void *body,
                              size_t body_len, size_t max_bytes,
                              int retry_unsafe, pv_net_response *resp,
                              pyverify_error *err);

/* "<name> at <url> refused the request: HTTP 400: <its message>".
 * PYVERIFY_EIO. */
int pv_svc_refused(const struct pv_svc *s, const pv_net_response *r,
                   pyverify_error *err);

/* Fails with code at s->step: "<name> at <url>: <message>". */
int pv_svc_fail(const struct pv_svc *s, pyverify_error *err, int code,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Re-words a failure reported by a helper of another step (JSON readers,
 * verify/ steps): keeps its code and message, moves it to s->step and
 * prefixes "<name> at <url>: <what>: ". Returns code. */
int pv_svc_blame(const struct pv_svc *s, pyverify_error *err, int code,
                 const char *what);

/* The answer body as a JSON object within max bytes (PYVERIFY_EPARSE
 * naming the service otherwise). */
PV_MUST_CHECK int pv_svc_json(const struct pv_svc *s,
                              const pv_net_response *r, size_t max,
                              json_t **out, pyverify_error *err);

/* JSON text of obj (compact), malloc'd; NULL on ENOMEM. */
char *pv_svc_dump(const json_t *obj);

#endif /* PV_SIGN_SERVICE_CALL_H */
