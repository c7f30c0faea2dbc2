/*
 * sign/signing_config.c - signing_config.v0.2.json (SPEC 2.5): which
 * Fulcio, OIDC provider, Rekor logs and timestamp authorities a signer
 * uses, and the selection rules of SPEC 5.2 that turn the lists into the
 * services of one signing run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sign/sign.h"
#include "util/json.h"

#define SC_MEDIA_TYPE "application/vnd.dev.sigstore.signingconfig.v0.2+json"
/* The public configs list one to three services per kind. */
#define SC_MAX_SERVICES 64

static void
service_clear(struct pv_service *s)
{
	free(s->url);
	free(s->operator_name);
	memset(s, 0, sizeof(*s));
}

static void
list_clear(struct pv_service_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		service_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
pv_signing_config_clear(struct pv_signing_config *c)
{
	if (c == NULL)
		return;
	list_clear(&c->ca);
	list_clear(&c->oidc);
	list_clear(&c->rekor);
	list_clear(&c->tsa);
	memset(c, 0, sizeof(*c));
}

/* A uint32 in either protobuf-JSON spelling (pv_json_int64 reads both):
 * a JSON integer or a decimal string. Absent is 0 (the proto default). */
static int
get_u32(const struct pv_json_ctx *cx, const json_t *obj, const char *path,
        const char *name, uint32_t *out)
{
	char vpath[PV_JSON_PATH_MAX];
	int64_t v;

	*out = 0;
	PV_TRY(pv_json_int64(cx, obj, path, name, &v, NULL));
	if (v > (int64_t)UINT32_MAX) {
		pv_json_path(vpath, path, name);
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s is %lld, larger than an unsigned 32-bit "
		               "number", vpath, (long long)v);
	}
	*out = (uint32_t)v;
	return 0;
}

static int
parse_valid_for(const struct pv_json_ctx *cx, const json_t *svc,
                const char *path, struct pv_time_range *out)
{
	char vpath[PV_JSON_PATH_MAX];
	json_t *vf;
	const char *s;

	PV_TRY(pv_json_object(cx, svc, path, "validFor", 1, &vf));
	pv_json_path(vpath, path, "validFor");
	memset(out, 0, sizeof(*out));
	PV_TRY(pv_json_string(cx, vf, vpath, "start", 1, PV_MAX_SHORT_STRING,
	                      &s, NULL));
	/* A window start rounds up and an end down, so a window never grows
	 * by a sub-millisecond fraction. */
	if (pv_parse_rfc3339_ms(&out->start_ms, s, 1) != 0)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s.start is not an RFC 3339 time", vpath);
	PV_TRY(pv_json_string(cx, vf, vpath, "end", 0, PV_MAX_SHORT_STRING, &s,
	                      NULL));
	if (s != NULL) {
		if (pv_parse_rfc3339_ms(&out->end_ms, s, 0) != 0)
			return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
			               "%s.end is not an RFC 3339 time", vpath);
		if (out->end_ms < out->start_ms)
			return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
			               "%s ends before it starts", vpath);
		out->has_end = 1;
	}
	return 0;
}

static int
parse_service(const struct pv_json_ctx *cx, const json_t *svc,
              const char *path, struct pv_service *out)
{
	const char *url, *op;
	size_t url_len, op_len;

	if (!json_is_object(svc))
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s is not an object", path);
	PV_TRY(pv_json_string(cx, svc, path, "url", 1, PV_MAX_VALUE_STRING,
	                      &url, &url_len));
	/* Only the scheme here: whether an http:// host is loopback is
	 * decided by net/ when the request is made. */
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s.url is not an https:// (or loopback "
		               "http://) URL", path);
	PV_TRY(get_u32(cx, svc, path, "majorApiVersion", &out->major));
	PV_TRY(parse_valid_for(cx, svc, path, &out->valid));
	PV_TRY(pv_json_string(cx, svc, path, "operator", 0,
	                      PV_MAX_VALUE_STRING, &op, &op_len));
	out->url = pv_strndup(url, url_len);
	out->operator_name = pv_strndup(op != NULL ? op : "", op_len);
	if (out->url == NULL || out->operator_name == NULL)
		return pv_json_oom(cx);
	return 0;
}

static int
parse_list(const struct pv_json_ctx *cx, const json_t *root, const char *name,
           struct pv_service_list *out)
{
	char epath[PV_JSON_PATH_MAX];
	json_t *arr;
	size_t n;

	PV_TRY(pv_json_array(cx, root, "", name, SC_MAX_SERVICES, &arr, &n));
	if (n == 0)
		return 0;
	out->v = calloc(n, sizeof(*out->v));
	if (out->v == NULL)
		return pv_json_oom(cx);
	for (size_t i = 0; i < n; i++) {
		pv_json_path_index(epath, "", name, i);
		out->n = i + 1; /* so a failure frees what was filled */
		PV_TRY(parse_service(cx, json_array_get(arr, i), epath,
		                     &out->v[i]));
	}
	return 0;
}

static int
parse_selector(const struct pv_json_ctx *cx, const json_t *root,
               const char *name, int *sel, uint32_t *count)
{
	char vpath[PV_JSON_PATH_MAX];
	json_t *cfg, *v;

	/* SPEC 5.2: an absent config means ALL (Python's reading). */
	*sel = PV_SEL_ALL;
	*count = 0;
	PV_TRY(pv_json_object(cx, root, "", name, 0, &cfg));
	if (cfg == NULL)
		return 0;
	pv_json_path(vpath, "", name);
	PV_TRY(pv_json_get(cx, cfg, vpath, "selector", &v));
	/* Inside a present config the proto default is UNDEFINED, which
	 * selection refuses: a config that says nothing is not "ALL". */
	*sel = PV_SEL_UNDEFINED;
	if (v == NULL) {
		;
	} else if (json_is_string(v)) {
		static const char *const names[] = {
			"SERVICE_SELECTOR_UNDEFINED", "ALL", "ANY", "EXACT"
		};
		int found = -1;
		for (int i = 0; i < 4; i++)
			if (strcmp(json_string_value(v), names[i]) == 0)
				found = i;
		if (found < 0)
			return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
			               "%s.selector is not a known selector",
			               vpath);
		*sel = found;
	} else if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i < 0 || i > PV_SEL_EXACT)
			return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
			               "%s.selector is not a known selector",
			               vpath);
		*sel = (int)i;
	} else {
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "%s.selector is not a string", vpath);
	}
	return get_u32(cx, cfg, vpath, "count", count);
}

static int
parse_root(const struct pv_json_ctx *cx, const json_t *root,
           struct pv_signing_config *c)
{
	const char *mt;

	PV_TRY(pv_json_string(cx, root, "", "mediaType", 1,
	                      PV_MAX_SHORT_STRING, &mt, NULL));
	if (strcmp(mt, SC_MEDIA_TYPE) != 0)
		return pv_fail(cx->err, PYVERIFY_EPARSE, cx->step,
		               "mediaType is not " SC_MEDIA_TYPE);
	PV_TRY(parse_list(cx, root, "caUrls", &c->ca));
	PV_TRY(parse_list(cx, root, "oidcUrls", &c->oidc));
	PV_TRY(parse_list(cx, root, "rekorTlogUrls", &c->rekor));
	PV_TRY(parse_list(cx, root, "tsaUrls", &c->tsa));
	PV_TRY(parse_selector(cx, root, "rekorTlogConfig", &c->rekor_selector,
	                      &c->rekor_count));
	return parse_selector(cx, root, "tsaConfig", &c->tsa_selector,
	                      &c->tsa_count);
}

int
pv_signing_config_parse(struct pv_signing_config *out, const uint8_t *buf,
                        size_t len, char *why, size_t whylen)
{
	pyverify_error e;
	struct pv_json_ctx cx = { PYVERIFY_STEP_NONE, &e, 1 };
	struct pv_signing_config c;
	json_t *root = NULL;
	int rc;

	memset(&c, 0, sizeof(c));
	pv_error_clear(&e);
	/* The trusted root's bound: the two documents come together. */
	rc = pv_json_parse(&cx, buf, len, PV_MAX_TRUST_ROOT_BYTES,
	                   "the document", &root);
	if (rc == 0)
		rc = parse_root(&cx, root, &c);
	json_decref(root);
	if (rc != 0) {
		pv_signing_config_clear(&c);
		snprintf(why, whylen, "signing config: %s", e.msg);
		return rc == PYVERIFY_ENOMEM ? rc : PYVERIFY_EPARSE;
	}
	*out = c;
	return 0;
}

/* ---- selection (SPEC 5.2) ------------------------------------------------ */

static int
usable(const struct pv_service *s, uint32_t major, int64_t now_ms)
{
	return s->major == major && pv_time_range_contains(&s->valid, now_ms);
}

/* Fulcio and OIDC: one service, API version 1, the newest validFor.start
 * (the first on a tie: the list is meant to be newest first). */
static const struct pv_service *
pick_one(const struct pv_service_list *l, int64_t now_ms)
{
	const struct pv_service *best = NULL;
	for (size_t i = 0; i < l->n; i++)
		if (usable(&l->v[i], 1, now_ms) &&
		    (best == NULL || l->v[i].valid.start_ms > best->valid.start_ms))
			best = &l->v[i];
	return best;
}

/* Per operator the newest service of one API version, in list order.
 * Returns how many; never more than max (more is refused by the caller). */
static size_t
newest_per_operator(const struct pv_service_list *l, uint32_t major,
                    int64_t now_ms, const struct pv_service **out, size_t max,
                    int *overflow)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct pv_service *s = &l->v[i];
		size_t j;
		if (!usable(s, major, now_ms))
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(out[j]->operator_name, s->operator_name) == 0)
				break;
		if (j < n) {
			if (s->valid.start_ms > out[j]->valid.start_ms)
				out[j] = s;
			continue;
		}
		if (n == max) {
			*overflow = 1;
			continue;
		}
		out[n++] = s;
	}
	return n;
}

static int
select_many(const char *what, const struct pv_service_list *l,
            const uint32_t *majors, size_t nmajors, int selector,
            uint32_t count, const struct pv_service **out, size_t *nout,
            int64_t now_ms, char *why, size_t whylen)
{
	const struct pv_service *found[PV_SIGN_MAX_SERVICES];
	size_t n = 0;
	int overflow = 0;

	*nout = 0;
	if (selector == PV_SEL_UNDEFINED) {
		snprintf(why, whylen,
		         "signing config: the %s selector is undefined", what);
		return PYVERIFY_EREJECT;
	}
	if (selector == PV_SEL_EXACT && count == 0) {
		snprintf(why, whylen,
		         "signing config: the %s selector is EXACT with count 0",
		         what);
		return PYVERIFY_EREJECT;
	}
	/* Highest API version first; the first that yields any service is
	 * the only one used: one signature never goes to logs of two API
	 * versions. */
	for (size_t m = 0; m < nmajors && n == 0; m++)
		n = newest_per_operator(l, majors[m], now_ms, found,
		                        PV_SIGN_MAX_SERVICES, &overflow);
	if (overflow) {
		snprintf(why, whylen,
		         "signing config: more than %d %s services to choose from",
		         PV_SIGN_MAX_SERVICES, what);
		return PYVERIFY_EREJECT;
	}
	if (selector == PV_SEL_ANY && n > 1)
		n = 1;
	if (selector == PV_SEL_EXACT) {
		if (n < count) {
			snprintf(why, whylen,
			         "signing config: EXACT %u %s services required, "
			         "%zu valid",
			         count, what, n);
			return PYVERIFY_EREJECT;
		}
		n = count;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = found[i];
	*nout = n;
	return 0;
}

int
pv_signing_config_select(const struct pv_signing_config *c, int64_t now_ms,
                         struct pv_service_choice *out, char *why,
                         size_t whylen)
{
	static const uint32_t rekor_majors[] = { 2, 1 };
	static const uint32_t tsa_majors[] = { 1 };
	struct pv_service_choice ch;

	memset(&ch, 0, sizeof(ch));
	ch.ca = pick_one(&c->ca, now_ms);
	ch.oidc = pick_one(&c->oidc, now_ms);
	PV_TRY(select_many("Rekor", &c->rekor, rekor_majors, 2,
	                   c->rekor_selector, c->rekor_count, ch.rekor,
	                   &ch.nrekor, now_ms, why, whylen));
	PV_TRY(select_many("timestamp authority", &c->tsa, tsa_majors, 1,
	                   c->tsa_selector, c->tsa_count, ch.tsa, &ch.ntsa,
	                   now_ms, why, whylen));
	*out = ch;
	return 0;
}
