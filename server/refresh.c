/* refresh.c - TUF mode (no --trusted-root): one background thread keeps
 * the trusted root current through the library's TUF client. It refreshes
 * at start and every --trust-refresh-interval, sooner after a failure
 * (min(interval, PVD_REFRESH_RETRY_SECONDS)) or when asked (SIGHUP, admin
 * reload). A refresh that yields a different trusted root hands it to
 * trust.c, which swaps a new snapshot in exactly as a reload does; a
 * failed refresh changes nothing, so the last good root keeps serving.
 *
 * The library is not thread-safe for one cache directory within a
 * process: only this thread calls it after start-up. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "util/util.h"
#include "pyverifyd.h"

static struct {
	pthread_mutex_t mu;        /* guards everything below */
	pthread_cond_t cv;         /* CLOCK_MONOTONIC: wakes the thread */
	pthread_cond_t done_cv;    /* CLOCK_MONOTONIC: the thread ended */
	pthread_t thread;
	int started, stop, kick, done;
	pyverify_tuf_options opts; /* read-only once the thread runs */
	struct pvd_refresh_state st;
} R = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* Under R.mu. */
static void
role_copy(const pyverify_tuf_info *info)
{
	/* Filled once the library resolved the repository. */
	if (info->url[0] != '\0') {
		snprintf(R.st.url, sizeof(R.st.url), "%s", info->url);
		snprintf(R.st.cache_dir, sizeof(R.st.cache_dir), "%s",
		         info->cache_dir);
	}
	/* A failed refresh knows only the roles it got to: the others keep
	 * what was trusted last. */
	if (info->root.present)
		R.st.root = info->root;
	if (info->timestamp.present)
		R.st.timestamp = info->timestamp;
	if (info->snapshot.present)
		R.st.snapshot = info->snapshot;
	if (info->targets.present)
		R.st.targets = info->targets;
}

/* Reads the cached trusted_root.json the library just verified, checks
 * it is still the file it hashed, and adopts it unless it is the root in
 * use already. 0 (adopted or unchanged; *changed says which) or -1. */
static int
adopt(const pyverify_tuf_info *info, int *changed, char *why, size_t whylen)
{
	char have[65], sha[65];
	uint8_t *buf = NULL, d[32];
	size_t len = 0;
	int rc;

	*changed = 0;
	pthread_mutex_lock(&R.mu);
	memcpy(have, R.st.trusted_root_sha256, sizeof(have));
	pthread_mutex_unlock(&R.mu);
	if (info->trusted_root_sha256[0] != '\0' &&
	    strcmp(have, info->trusted_root_sha256) == 0)
		return 0;
	if (info->trusted_root_path[0] == '\0') {
		snprintf(why, whylen, "TUF repository %.600s: no trusted_root.json "
		         "in the cache %.300s", info->url, info->cache_dir);
		return -1;
	}
	if (pv_file_read(&buf, &len, info->trusted_root_path, PV_FILE_NOFOLLOW,
	                 PV_MAX_TRUST_ROOT_BYTES, "trusted root", why,
	                 whylen) != 0)
		return -1;
	if (pv_sha256(d, buf, len) != 0) {
		free(buf);
		snprintf(why, whylen, "SHA-256 failed");
		return -1;
	}
	pv_hex_encode(sha, d, 32);
	/* Our state directory, but a file that changed between the check and
	 * this read is not the one TUF vouched for. */
	if (strcmp(sha, info->trusted_root_sha256) != 0) {
		free(buf);
		snprintf(why, whylen, "%.700s changed after the TUF check (SHA-256 "
		         "%s, expected %s); not used", info->trusted_root_path,
		         sha, info->trusted_root_sha256);
		return -1;
	}
	rc = pvd_trust_set_root(buf, len, info->trusted_root_path, why, whylen);
	free(buf);
	if (rc != 0)
		return -1;
	pthread_mutex_lock(&R.mu);
	memcpy(R.st.trusted_root_sha256, sha, sizeof(sha));
	pthread_mutex_unlock(&R.mu);
	*changed = 1;
	return 0;
}

static void
record(const pyverify_tuf_info *info, int ok, const char *why)
{
	int64_t now = pvd_unix_now();

	pthread_mutex_lock(&R.mu);
	role_copy(info);
	R.st.last_attempt = now;
	R.st.last_ok = ok;
	snprintf(R.st.last_error, sizeof(R.st.last_error), "%s", ok ? "" : why);
	if (ok) {
		R.st.last_success = now;
		R.st.ok_total++;
	} else {
		R.st.failed_total++;
	}
	pthread_mutex_unlock(&R.mu);
}

/* The wait after a failed refresh: min(interval, PVD_REFRESH_RETRY_SECONDS).
 * R.st.interval is set before the thread starts and never changes. */
static unsigned
retry_seconds(void)
{
	return R.st.interval < PVD_REFRESH_RETRY_SECONDS
	           ? R.st.interval : PVD_REFRESH_RETRY_SECONDS;
}

/* One refresh; 0 when it succeeded (whether or not the root changed). */
static int
refresh_once(void)
{
	pyverify_tuf_info *info = calloc(1, sizeof(*info));
	pyverify_error err;
	char why[PYVERIFY_ERROR_MSG_SIZE] = "", had[65];
	int changed = 0, rc;

	if (info == NULL) {
		pvd_log("error", "TUF refresh: out of memory");
		return -1;
	}
	rc = pyverify_tuf_update(info, &R.opts, &err);
	if (rc != 0)
		snprintf(why, sizeof(why), "%s", err.msg);
	else if (adopt(info, &changed, why, sizeof(why)) != 0)
		rc = -1;
	record(info, rc == 0, why);
	pthread_mutex_lock(&R.mu);
	memcpy(had, R.st.trusted_root_sha256, sizeof(had));
	pthread_mutex_unlock(&R.mu);
	if (rc == 0 && changed)
		pvd_log("info", "trusted root updated from TUF repository %s: "
		        "root v%llu, targets v%llu, trusted_root.json SHA-256 %s",
		        info->url, (unsigned long long)info->root.version,
		        (unsigned long long)info->targets.version, had);
	else if (rc != 0 && had[0] != '\0')
		pvd_log("warn", "TUF refresh failed, still serving the last good "
		        "trusted root (SHA-256 %s); retrying in %u s: %s", had,
		        retry_seconds(), why);
	else if (rc != 0) {
		char reason[1024];

		snprintf(reason, sizeof(reason), "no trusted root yet (TUF "
		         "refresh failed: %.900s)", why);
		pvd_trust_set_root_missing(reason);
		pvd_log("error", "%s; not ready, retrying in %u s", reason,
		        retry_seconds());
	}
	free(info);
	return rc == 0 ? 0 : -1;
}

static void *
run(void *arg)
{
	struct timespec due;
	unsigned wait;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &due); /* the first refresh at once */
	pthread_mutex_lock(&R.mu);
	for (;;) {
		while (!R.stop && !R.kick &&
		       pthread_cond_timedwait(&R.cv, &R.mu, &due) != ETIMEDOUT)
			;
		if (R.stop)
			break;
		R.kick = 0;
		pthread_mutex_unlock(&R.mu);
		wait = refresh_once() == 0 ? R.st.interval : retry_seconds();
		clock_gettime(CLOCK_MONOTONIC, &due);
		due.tv_sec += wait;
		pthread_mutex_lock(&R.mu);
	}
	R.done = 1;
	pthread_cond_broadcast(&R.done_cv);
	pthread_mutex_unlock(&R.mu);
	return NULL;
}

/* A restart without the network still serves what the last run verified:
 * the cache is checked offline (signatures, versions, hashes). */
static void
adopt_cache(void)
{
	pyverify_tuf_info *info = calloc(1, sizeof(*info));
	pyverify_error err;
	char why[PYVERIFY_ERROR_MSG_SIZE];
	int changed, rc;

	if (info == NULL)
		return;
	rc = pyverify_tuf_status(info, &R.opts, &err);
	pthread_mutex_lock(&R.mu);
	role_copy(info);
	pthread_mutex_unlock(&R.mu);
	if (rc != 0) {
		pvd_log("warn", "cached TUF metadata not usable, waiting for a "
		        "refresh: %s", err.msg);
	} else if (info->trusted_root_path[0] == '\0') {
		pvd_log("info", "no cached trusted root for TUF repository %s in "
		        "%s yet", info->url, info->cache_dir);
	} else if (adopt(info, &changed, why, sizeof(why)) != 0) {
		pvd_log("warn", "cached trusted root not usable, waiting for a "
		        "refresh: %s", why);
	} else {
		char when[32];

		pthread_mutex_lock(&R.mu);
		R.st.last_success = info->last_refresh;
		pthread_mutex_unlock(&R.mu);
		pv_format_rfc3339(when, info->last_refresh);
		pvd_log("info", "serving the cached trusted root %s (last TUF "
		        "refresh %s) until the first refresh",
		        info->trusted_root_path, when);
	}
	free(info);
}

int
pvd_refresh_start(const struct pvd_config *cfg)
{
	pthread_condattr_t ca;
	int rc;

	if (cfg->trusted_root != NULL) {
		if (cfg->tuf_option_given)
			pvd_log("warn", "--trusted-root is set: the TUF options "
			        "(--tuf-url, --tuf-root, --staging, --ca-bundle, "
			        "--state-dir) are ignored");
		return 0;
	}
	memset(&R.opts, 0, sizeof(R.opts));
	R.opts.url = cfg->tuf_url;
	R.opts.staging = cfg->staging;
	R.opts.root_file = cfg->tuf_root;
	R.opts.cache_dir = cfg->state_dir;
	R.opts.ca_bundle = cfg->ca_bundle;
	R.opts.max_age = -1;
	R.st.enabled = 1;
	R.st.interval = cfg->refresh_interval;
	snprintf(R.st.url, sizeof(R.st.url), "%s",
	         cfg->tuf_url != NULL ? cfg->tuf_url : "");
	adopt_cache();

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&R.cv, &ca);
	pthread_cond_init(&R.done_cv, &ca);
	pthread_condattr_destroy(&ca);
	rc = pthread_create(&R.thread, NULL, run, NULL);
	if (rc != 0) {
		pvd_log("error", "cannot start the TUF refresh thread: %s",
		        strerror(rc));
		return -1;
	}
	R.started = 1;
	/* Before the library resolved the repository, name what was asked. */
	pvd_log("info", "trusted root from TUF repository %s, cache %s, "
	        "refreshed every %u s",
	        R.st.url[0] != '\0' ? R.st.url
	        : cfg->staging       ? "(Sigstore staging)"
	                             : "(Sigstore production)",
	        R.st.cache_dir[0] != '\0' ? R.st.cache_dir : cfg->state_dir,
	        cfg->refresh_interval);
	return 0;
}

void
pvd_refresh_kick(void)
{
	pthread_mutex_lock(&R.mu);
	if (R.started) {
		R.kick = 1;
		pthread_cond_signal(&R.cv);
	}
	pthread_mutex_unlock(&R.mu);
}

void
pvd_refresh_request_stop(void)
{
	pthread_mutex_lock(&R.mu);
	R.stop = 1;
	if (R.started)
		pthread_cond_signal(&R.cv);
	pthread_mutex_unlock(&R.mu);
}

int
pvd_refresh_join(unsigned seconds)
{
	struct timespec until;
	int done;

	pvd_refresh_request_stop();
	if (!R.started)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += seconds;
	pthread_mutex_lock(&R.mu);
	while (!R.done &&
	       pthread_cond_timedwait(&R.done_cv, &R.mu, &until) != ETIMEDOUT)
		;
	done = R.done;
	pthread_mutex_unlock(&R.mu);
	if (!done)
		return -1; /* a refresh still waits on the network */
	pthread_join(R.thread, NULL);
	R.started = 0;
	return 0;
}

void
pvd_refresh_get(struct pvd_refresh_state *out)
{
	pthread_mutex_lock(&R.mu);
	*out = R.st;
	pthread_mutex_unlock(&R.mu);
}

static json_t *
jtime(int64_t t)
{
	char s[32];

	if (t == 0)
		return json_null();
	pv_format_rfc3339(s, t);
	return json_string(s);
}

static json_t *
jrole(const pyverify_tuf_role_info *r)
{
	if (!r->present)
		return json_null();
	return json_pack("{s:I,s:o*}", "version", (json_int_t)r->version,
	                 "expires", jtime(r->expires));
}

json_t *
pvd_refresh_json(void)
{
	struct pvd_refresh_state *st = malloc(sizeof(*st));
	char url[PYVERIFY_TUF_PATH_MAX], dir[PYVERIFY_TUF_PATH_MAX];
	char err[PYVERIFY_ERROR_MSG_SIZE];
	json_t *o = NULL;

	if (st == NULL)
		return NULL;
	pvd_refresh_get(st);
	if (st->enabled) {
		/* Messages quote URLs and paths: keep them valid UTF-8. */
		pvd_json_text(url, sizeof(url), st->url);
		pvd_json_text(dir, sizeof(dir), st->cache_dir);
		pvd_json_text(err, sizeof(err), st->last_error);
		o = json_pack(
			"{s:s,s:s,s:I,s:s?,s:{s:o*,s:o*,s:o*,s:o*},"
			"s:{s:o*,s:b,s:s?},s:o*,s:{s:I,s:I}}",
			"url", url, "cache_dir", dir, "refresh_interval",
			(json_int_t)st->interval, "trusted_root_sha256",
			st->trusted_root_sha256[0] ? st->trusted_root_sha256 : NULL,
			"metadata", "root", jrole(&st->root), "timestamp",
			jrole(&st->timestamp), "snapshot", jrole(&st->snapshot),
			"targets", jrole(&st->targets), "last_refresh", "at",
			jtime(st->last_attempt), "ok", st->last_ok, "error",
			st->last_attempt != 0 && !st->last_ok ? err : NULL,
			"last_success", jtime(st->last_success), "refreshes", "ok",
			(json_int_t)st->ok_total, "failed",
			(json_int_t)st->failed_total);
	}
	free(st);
	return o;
}
