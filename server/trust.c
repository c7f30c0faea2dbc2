/* trust.c - trust snapshots: the trusted root, the CPython policy and the
 * token lists, loaded together, validated, and published as one immutable,
 * reference-counted snapshot. A reload builds a whole new snapshot and
 * swaps the pointer; requests in flight keep the one they started with and
 * the last reference frees it. A reload that fails in any part changes
 * nothing.
 *
 * The trusted root comes from --trusted-root (read at every reload) or,
 * in TUF mode, from the bytes the TUF refresh thread verified last
 * (refresh.c hands them over with pvd_trust_set_root; a reload reuses them,
 * so it never races a refresh rewriting the cache file). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"
#include "pyverifyd.h"

static struct {
	pthread_mutex_t mu;        /* guards cur and the last_* fields */
	pthread_mutex_t reload_mu; /* one reload at a time */
	struct pvd_snapshot *cur;
	const struct pvd_config *cfg;
	uint64_t generation;
	int64_t last_at;
	int last_ok;
	char last_why[1024];
	/* TUF mode: the adopted root (guarded by reload_mu), or why none. */
	uint8_t *tuf_root;
	size_t tuf_len;
	char tuf_label[PYVERIFY_TUF_PATH_MAX];
	char tuf_why[1024];
} T = { .mu = PTHREAD_MUTEX_INITIALIZER,
        .reload_mu = PTHREAD_MUTEX_INITIALIZER };

/* Reads a whole configuration file of at most max bytes (a FIFO planted
 * there is refused, never waited on: a blocked reload would also block
 * SIGTERM, which is taken on the same thread). */
static int
read_file(const char *path, const char *what, size_t max, uint8_t **out,
          size_t *len, char *why, size_t whylen)
{
	return pv_file_read(out, len, path, 0, max, what, why, whylen) == 0
	           ? 0 : -1;
}

static void
snapshot_free(struct pvd_snapshot *s)
{
	if (s == NULL)
		return;
	pyverify_trust_root_free(s->root);
	pyverify_release_policy_free(s->policy);
	pvd_tokens_clear(&s->tokens);
	pvd_tokens_clear(&s->admin);
	free(s->trust_json);
	free(s);
}

static int
load_root_bytes(struct pvd_snapshot *s, const uint8_t *buf, size_t len,
                const char *label, char *why, size_t whylen)
{
	pyverify_error err;
	uint8_t d[32];
	int rc;

	/* A served root is checked whole before the first request. */
	rc = pyverify_trust_root_load_memory(&s->root, buf, len, label, &err);
	if (rc == 0)
		rc = pyverify_trust_root_check(s->root, &err);
	if (rc != 0)
		snprintf(why, whylen, "trusted root %.300s rejected: %.600s",
		         label, err.msg);
	else if (pv_sha256(d, buf, len) == 0)
		pv_hex_encode(s->root_sha256, d, 32);
	return rc == 0 ? 0 : -1;
}

static int
load_root(struct pvd_snapshot *s, const char *path, char *why, size_t whylen)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (read_file(path, "trusted root", PV_MAX_TRUST_ROOT_BYTES, &buf,
	              &len, why, whylen) != 0)
		return -1;
	rc = load_root_bytes(s, buf, len, path, why, whylen);
	free(buf);
	return rc;
}

/* A candidate TUF root (pvd_trust_set_root), else the adopted one. */
struct root_in {
	const uint8_t *buf;
	size_t len;
	const char *label;
};

static int
load_any_root(struct pvd_snapshot *s, const struct root_in *cand, char *why,
              size_t whylen)
{
	if (T.cfg->trusted_root != NULL)
		return load_root(s, T.cfg->trusted_root, why, whylen);
	if (cand != NULL)
		return load_root_bytes(s, cand->buf, cand->len, cand->label, why,
		                       whylen);
	if (T.tuf_root != NULL)
		return load_root_bytes(s, T.tuf_root, T.tuf_len, T.tuf_label, why,
		                       whylen);
	snprintf(why, whylen, "%s", T.tuf_why[0] ? T.tuf_why
	                                         : "no trusted root from TUF yet");
	return -1;
}

/* The path /v1/trust shows for the root in use. */
static const char *
root_label(const struct root_in *cand)
{
	if (T.cfg->trusted_root != NULL)
		return T.cfg->trusted_root;
	if (cand != NULL)
		return cand->label;
	return T.tuf_root != NULL ? T.tuf_label : "";
}

static int
load_policy(struct pvd_snapshot *s, const char *path, char *why,
            size_t whylen)
{
	pyverify_error err;
	uint8_t *buf = NULL, d[32];
	size_t len = 0;
	int rc;

	if (read_file(path, "CPython policy", PYVERIFY_RELEASE_POLICY_MAX_BYTES,
	              &buf, &len, why, whylen) != 0)
		return -1;
	rc = pyverify_release_policy_load_memory(&s->policy, buf, len, &err);
	if (rc != 0)
		snprintf(why, whylen, "policy %.300s rejected: %.600s", path, err.msg);
	else if (pv_sha256(d, buf, len) == 0)
		pv_hex_encode(s->policy_sha256, d, 32);
	free(buf);
	return rc == 0 ? 0 : -1;
}

/* Builds a snapshot from the configured files. strict: every part must
 * load (reload); otherwise a missing root or policy gives an unready
 * snapshot. Token files must always load: access control never fails
 * open. */
static struct pvd_snapshot *
build(int strict, const struct root_in *cand, char *why, size_t whylen)
{
	const struct pvd_config *cfg = T.cfg;
	struct pvd_snapshot *s = calloc(1, sizeof(*s));
	char reason[1024] = "";

	if (s == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	atomic_init(&s->refs, 1);
	s->loaded_at = pvd_unix_now();
	if (cfg->token_file != NULL) {
		if (pvd_tokens_load(&s->tokens, cfg->token_file, why, whylen) != 0)
			goto fail;
		s->tokens_enabled = 1;
	}
	if (cfg->admin_token_file != NULL) {
		if (pvd_tokens_load(&s->admin, cfg->admin_token_file, why,
		                    whylen) != 0)
			goto fail;
		s->admin_enabled = 1;
	}
	if (load_any_root(s, cand, reason, sizeof(reason)) != 0) {
		if (strict) {
			snprintf(why, whylen, "%s", reason);
			goto fail;
		}
		snprintf(s->not_ready, sizeof(s->not_ready), "%s", reason);
	}
	if (load_policy(s, cfg->policy, reason, sizeof(reason)) != 0) {
		if (strict) {
			snprintf(why, whylen, "%s", reason);
			goto fail;
		}
		if (s->not_ready[0] == '\0')
			snprintf(s->not_ready, sizeof(s->not_ready), "%s", reason);
	}
	return s;
fail:
	snapshot_free(s);
	return NULL;
}

static void
publish(struct pvd_snapshot *s)
{
	struct pvd_snapshot *old;

	pthread_mutex_lock(&T.mu);
	s->generation = ++T.generation;
	old = T.cur;
	T.cur = s;
	pthread_mutex_unlock(&T.mu);
	pvd_trust_release(old);
}

static void
set_last(int ok, const char *why)
{
	pthread_mutex_lock(&T.mu);
	T.last_at = pvd_unix_now();
	T.last_ok = ok;
	snprintf(T.last_why, sizeof(T.last_why), "%s", ok ? "" : why);
	pthread_mutex_unlock(&T.mu);
}

/* The /v1/trust body is rendered once per snapshot (after the generation
 * is known, so under reload_mu before publishing). */
static int
render(struct pvd_snapshot *s, const struct root_in *cand, char *why,
       size_t whylen)
{
	pthread_mutex_lock(&T.mu);
	s->generation = T.generation + 1;
	pthread_mutex_unlock(&T.mu);
	s->trust_json = pvd_trust_json(s, root_label(cand), T.cfg->policy);
	if (s->trust_json == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	return 0;
}

int
pvd_trust_init(const struct pvd_config *cfg, char *why, size_t whylen)
{
	struct pvd_snapshot *s;

	T.cfg = cfg;
	pthread_mutex_lock(&T.reload_mu);
	s = build(0, NULL, why, whylen);
	if (s != NULL && render(s, NULL, why, whylen) != 0) {
		snapshot_free(s);
		s = NULL;
	}
	if (s != NULL) {
		publish(s);
		set_last(1, "");
	}
	pthread_mutex_unlock(&T.reload_mu);
	return s != NULL ? 0 : -1;
}

int
pvd_trust_reload(char *why, size_t whylen)
{
	struct pvd_snapshot *s;
	int rc = -1;

	pthread_mutex_lock(&T.reload_mu);
	s = build(1, NULL, why, whylen);
	if (s != NULL && render(s, NULL, why, whylen) == 0) {
		publish(s);
		s = NULL;
		rc = 0;
	}
	snapshot_free(s);
	set_last(rc == 0, why);
	pthread_mutex_unlock(&T.reload_mu);
	pvd_metrics_reload(rc == 0);
	return rc;
}

int
pvd_trust_set_root(const uint8_t *buf, size_t len, const char *label,
                   char *why, size_t whylen)
{
	struct root_in cand = { buf, len, label };
	struct pvd_snapshot *s;
	uint8_t *copy = malloc(len > 0 ? len : 1);
	int rc = -1;

	if (copy == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	memcpy(copy, buf, len);
	pthread_mutex_lock(&T.reload_mu);
	s = build(1, &cand, why, whylen);
	if (s != NULL && render(s, &cand, why, whylen) == 0) {
		publish(s);
		s = NULL;
		free(T.tuf_root);
		T.tuf_root = copy;
		T.tuf_len = len;
		snprintf(T.tuf_label, sizeof(T.tuf_label), "%s", label);
		T.tuf_why[0] = '\0';
		copy = NULL;
		rc = 0;
	}
	snapshot_free(s);
	free(copy);
	pthread_mutex_unlock(&T.reload_mu);
	return rc;
}

void
pvd_trust_set_root_missing(const char *why)
{
	struct pvd_snapshot *cur, *s = NULL;
	char ignored[1024];
	int unready;

	pthread_mutex_lock(&T.reload_mu);
	snprintf(T.tuf_why, sizeof(T.tuf_why), "%s", why);
	cur = pvd_trust_acquire();
	unready = cur != NULL && cur->root == NULL && T.tuf_root == NULL;
	pvd_trust_release(cur);
	/* Only an unready service changes: /readyz then tells the latest
	 * reason instead of the one from start-up. */
	if (unready) {
		s = build(0, NULL, ignored, sizeof(ignored));
		if (s != NULL && render(s, NULL, ignored, sizeof(ignored)) == 0) {
			publish(s);
			s = NULL;
		}
	}
	snapshot_free(s);
	pthread_mutex_unlock(&T.reload_mu);
}

struct pvd_snapshot *
pvd_trust_acquire(void)
{
	struct pvd_snapshot *s;

	pthread_mutex_lock(&T.mu);
	s = T.cur;
	if (s != NULL)
		atomic_fetch_add(&s->refs, 1);
	pthread_mutex_unlock(&T.mu);
	return s;
}

void
pvd_trust_release(struct pvd_snapshot *s)
{
	if (s != NULL && atomic_fetch_sub(&s->refs, 1) == 1)
		snapshot_free(s);
}

void
pvd_trust_shutdown(void)
{
	struct pvd_snapshot *s;

	pthread_mutex_lock(&T.mu);
	s = T.cur;
	T.cur = NULL;
	pthread_mutex_unlock(&T.mu);
	pvd_trust_release(s);
	pthread_mutex_lock(&T.reload_mu);
	free(T.tuf_root);
	T.tuf_root = NULL;
	pthread_mutex_unlock(&T.reload_mu);
}

void
pvd_trust_last_reload(int64_t *at, int *ok, char *why, size_t whylen)
{
	pthread_mutex_lock(&T.mu);
	*at = T.last_at;
	*ok = T.last_ok;
	snprintf(why, whylen, "%s", T.last_why);
	pthread_mutex_unlock(&T.mu);
}
