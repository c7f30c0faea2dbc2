/* metrics.c - Prometheus text exposition (format 0.0.4) of the service's
 * counters. Lock-free: every counter is a C11 atomic. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyverifyd.h"

static const char *const ep_names[PVD_EP_COUNT] = {
	"/v1/verify", "/healthz", "/readyz", "/metrics", "/v1/trust",
	"/v1/admin/reload", "other"
};

/* Every code the service answers with; "0" counts closed connections. */
static const int codes[] = { 200, 400, 401, 403, 404, 405, 413, 415,
                             422, 500, 503, 0 };
#define N_CODES (sizeof(codes) / sizeof(codes[0]))

/* Verification latency buckets (seconds): a cache hit is microseconds, a
 * bundle check a few milliseconds, a loaded machine more. */
static const double buckets[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                  0.05, 0.1, 0.25, 0.5, 1, 2.5 };
#define N_BUCKETS (sizeof(buckets) / sizeof(buckets[0]))
#define N_VERDICTS 6 /* pyverify_release_status 1..5, slot 0 unused */

static struct {
	atomic_ullong requests[PVD_EP_COUNT][N_CODES];
	atomic_ullong verdicts[N_VERDICTS];
	atomic_ullong hist[2][N_BUCKETS + 1]; /* [cache hit][bucket], +Inf */
	atomic_ullong hist_count[2];
	atomic_ullong hist_sum_us[2];
	atomic_ullong cache_hits, cache_misses;
	atomic_ullong reload_ok, reload_failed;
	atomic_long inflight;
} M;

const char *
pvd_endpoint_name(enum pvd_endpoint ep)
{
	return (unsigned)ep < PVD_EP_COUNT ? ep_names[ep] : "other";
}

void
pvd_metrics_request(enum pvd_endpoint ep, int code)
{
	size_t i;

	if ((unsigned)ep >= PVD_EP_COUNT)
		ep = PVD_EP_OTHER;
	for (i = 0; i < N_CODES - 1 && codes[i] != code; i++)
		;
	atomic_fetch_add(&M.requests[ep][i], 1);
}

void
pvd_metrics_verdict(int verdict_status, int cache_hit, double seconds)
{
	size_t i;
	int h = cache_hit ? 1 : 0;

	if (verdict_status > 0 && verdict_status < N_VERDICTS)
		atomic_fetch_add(&M.verdicts[verdict_status], 1);
	for (i = 0; i < N_BUCKETS && seconds > buckets[i]; i++)
		;
	atomic_fetch_add(&M.hist[h][i], 1);
	atomic_fetch_add(&M.hist_count[h], 1);
	atomic_fetch_add(&M.hist_sum_us[h],
	                 (unsigned long long)(seconds * 1e6 + 0.5));
}

void
pvd_metrics_cache(int hit)
{
	atomic_fetch_add(hit ? &M.cache_hits : &M.cache_misses, 1);
}

void
pvd_metrics_reload(int ok)
{
	atomic_fetch_add(ok ? &M.reload_ok : &M.reload_failed, 1);
}

void
pvd_metrics_inflight(int delta)
{
	atomic_fetch_add(&M.inflight, delta);
}

long
pvd_metrics_inflight_now(void)
{
	return atomic_load(&M.inflight);
}

/* A growing text buffer; on ENOMEM it stops growing and render fails. */
struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void __attribute__((format(printf, 2, 3)))
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		char *np = realloc(b->p, b->cap * 2 + (size_t)n);
		if (np == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = b->cap * 2 + (size_t)n;
	}
}

/* One gauge line per TUF role the refresh state knows: its metadata
 * version, or when it expires. */
static void
render_roles(struct sbuf *b, const struct pvd_refresh_state *st,
             const char *metric, const char *help, int version)
{
	const pyverify_tuf_role_info *const roles[4] = {
		&st->root, &st->timestamp, &st->snapshot, &st->targets
	};
	static const char *const names[4] = { "root", "timestamp", "snapshot",
	                                      "targets" };
	size_t i;

	sb_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", metric, help, metric);
	for (i = 0; i < 4; i++) {
		if (!roles[i]->present)
			continue;
		if (version)
			sb_printf(b, "%s{role=\"%s\"} %llu\n", metric, names[i],
			          (unsigned long long)roles[i]->version);
		else
			sb_printf(b, "%s{role=\"%s\"} %lld\n", metric, names[i],
			          (long long)roles[i]->expires);
	}
}

/* TUF mode only: when trust was last refreshed and when the cached
 * metadata expires (alert before a dead repository makes it stale). */
static void
render_refresh(struct sbuf *b)
{
	struct pvd_refresh_state *st = malloc(sizeof(*st));

	if (st == NULL) {
		b->oom = 1;
		return;
	}
	pvd_refresh_get(st);
	if (!st->enabled) {
		free(st);
		return;
	}
	sb_printf(b, "# HELP pyverifyd_trust_refreshes_total TUF refreshes "
	          "by outcome.\n# TYPE pyverifyd_trust_refreshes_total "
	          "counter\npyverifyd_trust_refreshes_total{result=\"ok\"} "
	          "%llu\npyverifyd_trust_refreshes_total{result=\"failed\"} "
	          "%llu\n", st->ok_total, st->failed_total);
	sb_printf(b, "# HELP pyverifyd_trust_refresh_failures_total Failed "
	          "TUF refreshes.\n# TYPE pyverifyd_trust_refresh_failures_total"
	          " counter\npyverifyd_trust_refresh_failures_total %llu\n",
	          st->failed_total);
	sb_printf(b, "# HELP pyverifyd_trust_last_refresh_timestamp_seconds "
	          "When the last TUF refresh was tried (0: never).\n# TYPE "
	          "pyverifyd_trust_last_refresh_timestamp_seconds gauge\n"
	          "pyverifyd_trust_last_refresh_timestamp_seconds %lld\n"
	          "# HELP pyverifyd_trust_last_refresh_success_timestamp_seconds "
	          "When a TUF refresh last succeeded (0: never).\n# TYPE "
	          "pyverifyd_trust_last_refresh_success_timestamp_seconds gauge\n"
	          "pyverifyd_trust_last_refresh_success_timestamp_seconds %lld\n",
	          (long long)st->last_attempt, (long long)st->last_success);
	render_roles(b, st, "pyverifyd_trust_metadata_expiry_timestamp_seconds",
	             "When the trusted TUF metadata of each role expires.", 0);
	render_roles(b, st, "pyverifyd_trust_metadata_version",
	             "Version of the trusted TUF metadata of each role.", 1);
	free(st);
}

char *
pvd_metrics_render(void)
{
	struct sbuf b = { malloc(8192), 0, 8192, 0 };
	struct pvd_snapshot *s;
	size_t e, i;
	int h;

	if (b.p == NULL)
		return NULL;
	b.p[0] = '\0';
	sb_printf(&b, "# HELP pyverifyd_requests_total HTTP requests by "
	          "endpoint and status code (code 0: closed without answer).\n"
	          "# TYPE pyverifyd_requests_total counter\n");
	for (e = 0; e < PVD_EP_COUNT; e++)
		for (i = 0; i < N_CODES; i++) {
			unsigned long long v = atomic_load(&M.requests[e][i]);
			if (v != 0)
				sb_printf(&b, "pyverifyd_requests_total{endpoint="
				          "\"%s\",code=\"%d\"} %llu\n", ep_names[e],
				          codes[i], v);
		}
	sb_printf(&b, "# HELP pyverifyd_verdicts_total Verdicts returned by "
	          "status.\n# TYPE pyverifyd_verdicts_total counter\n");
	for (i = 1; i < N_VERDICTS; i++)
		sb_printf(&b, "pyverifyd_verdicts_total{status=\"%s\"} %llu\n",
		          pyverify_release_status_name((pyverify_release_status)i),
		          (unsigned long long)atomic_load(&M.verdicts[i]));
	sb_printf(&b, "# HELP pyverifyd_verify_duration_seconds Time to "
	          "produce a verdict (bundle parse and verification, or cache "
	          "lookup).\n# TYPE pyverifyd_verify_duration_seconds "
	          "histogram\n");
	for (h = 0; h < 2; h++) {
		const char *c = h ? "hit" : "miss";
		unsigned long long cum = 0;
		for (i = 0; i < N_BUCKETS; i++) {
			cum += atomic_load(&M.hist[h][i]);
			sb_printf(&b, "pyverifyd_verify_duration_seconds_bucket{"
			          "cache=\"%s\",le=\"%g\"} %llu\n", c, buckets[i],
			          cum);
		}
		cum += atomic_load(&M.hist[h][N_BUCKETS]);
		sb_printf(&b, "pyverifyd_verify_duration_seconds_bucket{cache="
		          "\"%s\",le=\"+Inf\"} %llu\n", c, cum);
		sb_printf(&b, "pyverifyd_verify_duration_seconds_sum{cache=\"%s\"}"
		          " %.6f\n", c,
		          (double)atomic_load(&M.hist_sum_us[h]) / 1e6);
		sb_printf(&b, "pyverifyd_verify_duration_seconds_count{cache="
		          "\"%s\"} %llu\n", c,
		          (unsigned long long)atomic_load(&M.hist_count[h]));
	}
	sb_printf(&b, "# HELP pyverifyd_cache_hits_total Verdicts served from "
	          "the cache.\n# TYPE pyverifyd_cache_hits_total counter\n"
	          "pyverifyd_cache_hits_total %llu\n"
	          "# HELP pyverifyd_cache_misses_total Verdicts computed.\n"
	          "# TYPE pyverifyd_cache_misses_total counter\n"
	          "pyverifyd_cache_misses_total %llu\n",
	          (unsigned long long)atomic_load(&M.cache_hits),
	          (unsigned long long)atomic_load(&M.cache_misses));
	sb_printf(&b, "# HELP pyverifyd_reloads_total Trust material reloads "
	          "by outcome.\n# TYPE pyverifyd_reloads_total counter\n"
	          "pyverifyd_reloads_total{result=\"ok\"} %llu\n"
	          "pyverifyd_reloads_total{result=\"failed\"} %llu\n",
	          (unsigned long long)atomic_load(&M.reload_ok),
	          (unsigned long long)atomic_load(&M.reload_failed));
	sb_printf(&b, "# HELP pyverifyd_requests_in_flight Requests being "
	          "handled.\n# TYPE pyverifyd_requests_in_flight gauge\n"
	          "pyverifyd_requests_in_flight %ld\n", atomic_load(&M.inflight));
	s = pvd_trust_acquire();
	sb_printf(&b, "# HELP pyverifyd_ready 1 when a trusted root and policy "
	          "are loaded.\n# TYPE pyverifyd_ready gauge\npyverifyd_ready "
	          "%d\n# HELP pyverifyd_trust_generation Trust material "
	          "generation (bumps at every successful reload).\n# TYPE "
	          "pyverifyd_trust_generation gauge\n"
	          "pyverifyd_trust_generation %llu\n"
	          "# HELP pyverifyd_trust_loaded_timestamp_seconds When the "
	          "trust material in use was loaded.\n# TYPE "
	          "pyverifyd_trust_loaded_timestamp_seconds gauge\n"
	          "pyverifyd_trust_loaded_timestamp_seconds %lld\n",
	          s != NULL && s->root != NULL && s->policy != NULL,
	          s != NULL ? (unsigned long long)s->generation : 0ULL,
	          s != NULL ? (long long)s->loaded_at : 0LL);
	pvd_trust_release(s);
	render_refresh(&b);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}
