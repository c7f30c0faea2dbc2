/*
 * pyverifyd.h - the HTTP verification service (issue #5): shared types of
 * its modules. Internal to server/; links libpyverify.a (internal symbols
 * included) and libmicrohttpd.
 *
 * Module map (one job each):
 *   main.c      process life: configuration, listen socket, daemon start,
 *               signals (SIGHUP reload, SIGTERM/SIGINT drain and exit)
 *   config.c    flags, PYVERIFYD_* environment variables, --help
 *   trust.c     trust snapshots: trusted root + policy + tokens, loaded,
 *               validated and swapped atomically (reference counted)
 *   trust_json.c the /v1/trust document of a snapshot
 *   refresh.c   TUF mode (no --trusted-root): the background thread that
 *               keeps the trusted root current, and its state for
 *               /v1/trust and /metrics
 *   auth.c      bearer token files and constant-time checks
 *   cache.c     LRU verdict cache
 *   metrics.c   Prometheus counters and histogram
 *   log.c       one line per request (JSON or text) and daemon messages
 *   http.c      routing, per-request state, responses (libmicrohttpd)
 *   deadline.c  per-connection deadlines for request heads and bodies
 *   upload.c    request bodies (JSON, multipart) of POST /v1/verify
 *   verify.c    POST /v1/verify: JSON and multipart bodies -> verdict
 */
#ifndef PYVERIFYD_H
#define PYVERIFYD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "pyverify.h"

#define PVD_NAME "pyverifyd"

/* ---- config.c ---------------------------------------------------------- */

enum pvd_log_format { PVD_LOG_JSON = 0, PVD_LOG_TEXT = 1 };

struct pvd_config {
	const char *listen;          /* "127.0.0.1:8080", "[::1]:8080" */
	unsigned threads;            /* MHD thread pool size */
	uint64_t max_json_bytes;     /* JSON request body */
	uint64_t max_artifact_bytes; /* multipart artifact part */
	unsigned max_connections;
	unsigned per_ip_connections; /* 0: unlimited */
	unsigned timeout;            /* idle seconds per connection */
	unsigned header_timeout;     /* seconds to send a whole request head */
	uint64_t min_upload_rate;    /* bytes/s a slow body must keep up */
	unsigned drain_timeout;      /* seconds SIGTERM waits for requests */
	const char *trusted_root;    /* NULL: TUF mode (refresh.c) */
	const char *policy;
	/* TUF mode: the cache directory and the repository. */
	const char *state_dir;
	const char *tuf_url;         /* NULL: Sigstore's (or staging) */
	const char *tuf_root;        /* bootstrap root.json; NULL: pinned */
	int staging;
	const char *ca_bundle;       /* NULL: the system store */
	unsigned refresh_interval;   /* seconds between refreshes */
	int tuf_option_given;        /* ignored with --trusted-root: warn */
	unsigned cache_entries;      /* 0 disables the cache */
	unsigned cache_ttl;          /* seconds a verified verdict is kept */
	unsigned cache_failure_ttl;  /* seconds any other verdict is kept */
	enum pvd_log_format log_format;
	const char *token_file;      /* NULL: /v1/... needs no token */
	const char *admin_token_file; /* NULL: /v1/admin/... is disabled */
};

/* Fills cfg from the environment, then the flags. Returns 0 to run, 1 when
 * --help/--version was printed (exit 0), -1 on a usage error (printed). */
int pvd_config_parse(struct pvd_config *cfg, int argc, char **argv);

/* ---- auth.c ------------------------------------------------------------- */

/* A token file holds one token per line; only SHA-256 digests are kept so
 * every comparison has the same length (constant time). */
#define PVD_MAX_TOKENS 1024
#define PVD_MIN_TOKEN_LEN 16
#define PVD_MAX_TOKEN_LEN 512

struct pvd_tokens {
	uint8_t (*sha256)[32];
	size_t n;
};

/* Reads a token file; refuses it when group or others may access it.
 * Returns 0, or -1 with a one-line reason in why. */
int pvd_tokens_load(struct pvd_tokens *out, const char *path, char *why,
                    size_t whylen);
void pvd_tokens_clear(struct pvd_tokens *t);
/* 1 if the Authorization header value is "Bearer <a token of t>". */
int pvd_tokens_check(const struct pvd_tokens *t, const char *authorization);

/* ---- trust.c ------------------------------------------------------------ */


/* Everything a request needs from the configuration files. Immutable once
 * published; requests hold a reference for their whole life. */
struct pvd_snapshot {
	atomic_uint refs;
	uint64_t generation;         /* bumps at every successful reload */
	int64_t loaded_at;           /* Unix seconds */
	pyverify_trust_root *root;   /* NULL: not loaded (503) */
	pyverify_release_policy *policy; /* NULL: not loaded (503) */
	char root_sha256[65], policy_sha256[65];
	struct pvd_tokens tokens;    /* n == 0: /v1/... is open */
	struct pvd_tokens admin;     /* n == 0 and !admin_enabled: disabled */
	int tokens_enabled, admin_enabled;
	char *trust_json;            /* the /v1/trust body */
	char not_ready[1024];         /* why root or policy is missing */
};

/* Loads the files named in cfg into the first snapshot. A missing or broken
 * trusted root or policy leaves the service unready (503) with the reason;
 * a broken token file is fatal (returns -1 with why): access control never
 * fails open. */
int pvd_trust_init(const struct pvd_config *cfg, char *why, size_t whylen);
/* Loads and validates everything again and swaps it in; on any failure the
 * current snapshot stays and why says what was wrong. 0 or -1. */
int pvd_trust_reload(char *why, size_t whylen);
struct pvd_snapshot *pvd_trust_acquire(void);
void pvd_trust_release(struct pvd_snapshot *s);
void pvd_trust_shutdown(void);
/* Last reload outcome, for /v1/trust and /metrics. */
void pvd_trust_last_reload(int64_t *at, int *ok, char *why, size_t whylen);
/* TUF mode: a verified trusted_root.json (label: its cache path). Builds
 * and publishes a snapshot with it as a reload does (policy and tokens
 * read again); on success later reloads reuse these bytes. 0 or -1 (the
 * current snapshot and root stay). */
int pvd_trust_set_root(const uint8_t *buf, size_t len, const char *label,
                       char *why, size_t whylen);
/* TUF mode, no root adopted yet: why, shown by /readyz and 503s. */
void pvd_trust_set_root_missing(const char *why);

/* trust_json.c: the /v1/trust body of a snapshot (malloc'd; NULL on ENOMEM). */
char *pvd_trust_json(const struct pvd_snapshot *s, const char *root_path,
                     const char *policy_path);

/* ---- refresh.c ------------------------------------------------------------ */

/* The retry delay after a failed refresh is min(interval, this). */
#define PVD_REFRESH_RETRY_SECONDS 60
/* Shutdown waits this long for a refresh in flight, then exits anyway. */
#define PVD_REFRESH_JOIN_SECONDS 5

/* Starts TUF mode: adopts the cached trusted root when the cache checks
 * out (so a restart without network still serves), then starts the
 * thread that refreshes at once and every cfg->refresh_interval. A no-op
 * with --trusted-root. 0, or -1 when the thread cannot start. */
int pvd_refresh_start(const struct pvd_config *cfg);
/* Asks for a refresh now (SIGHUP, admin reload); returns at once. */
void pvd_refresh_kick(void);
/* Tells the thread to stop (returns at once; shutdown begins). */
void pvd_refresh_request_stop(void);
/* Joins the thread, waiting at most `seconds` for a refresh in flight.
 * 0 when joined (or never started), -1 when it is still running. */
int pvd_refresh_join(unsigned seconds);

struct pvd_refresh_state {
	int enabled;                    /* TUF mode */
	char url[PYVERIFY_TUF_PATH_MAX];
	char cache_dir[PYVERIFY_TUF_PATH_MAX];
	pyverify_tuf_role_info root, timestamp, snapshot, targets;
	char trusted_root_sha256[65];   /* of the adopted root; "" none */
	unsigned interval;
	int64_t last_attempt, last_success; /* Unix seconds; 0: never */
	int last_ok;
	char last_error[PYVERIFY_ERROR_MSG_SIZE];
	unsigned long long ok_total, failed_total;
};
void pvd_refresh_get(struct pvd_refresh_state *out);
/* The "tuf" member of /v1/trust; NULL with --trusted-root or ENOMEM. */
struct json_t *pvd_refresh_json(void);

/* ---- cache.c ------------------------------------------------------------- */

struct pvd_cached {
	int http_code;
	int verdict;     /* pyverify_release_status */
	char *body;      /* verdict JSON (malloc'd copy for the caller) */
	int64_t expires; /* Unix seconds */
};

int pvd_cache_init(unsigned entries, unsigned ttl, unsigned failure_ttl);
void pvd_cache_free(void);
/* 1 and *out filled (body malloc'd) on a hit; 0 on a miss. */
int pvd_cache_get(const uint8_t key[32], struct pvd_cached *out);
/* expires: Unix seconds, or 0 for now + the TTL of the verdict. */
void pvd_cache_put(const uint8_t key[32], int http_code, int verdict,
                   const char *body, int64_t expires);

/* ---- metrics.c ------------------------------------------------------------ */

enum pvd_endpoint {
	PVD_EP_VERIFY = 0,
	PVD_EP_HEALTHZ,
	PVD_EP_READYZ,
	PVD_EP_METRICS,
	PVD_EP_TRUST,
	PVD_EP_RELOAD,
	PVD_EP_OTHER,
	PVD_EP_COUNT
};
const char *pvd_endpoint_name(enum pvd_endpoint ep);

void pvd_metrics_request(enum pvd_endpoint ep, int code);
void pvd_metrics_verdict(int verdict_status, int cache_hit, double seconds);
void pvd_metrics_cache(int hit);
void pvd_metrics_reload(int ok);
void pvd_metrics_inflight(int delta);
long pvd_metrics_inflight_now(void);
/* The Prometheus text exposition (malloc'd; NULL on ENOMEM). */
char *pvd_metrics_render(void);

/* ---- log.c ----------------------------------------------------------------- */

void pvd_log_init(enum pvd_log_format f);
/* A daemon event: level "info"/"warn"/"error", one line. */
void pvd_log(const char *level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct pvd_access {
	const char *request_id, *method, *path, *endpoint, *remote;
	int code;            /* 0: no response (connection closed) */
	const char *verdict; /* NULL when none */
	const char *cache;   /* "hit", "miss" or NULL */
	const char *error;   /* short reason or NULL */
	const char *termination; /* NULL when completed normally */
	uint64_t bytes_in;
	double duration_ms;
};
void pvd_log_access(const struct pvd_access *a);

/* ---- http.c ------------------------------------------------------------------ */

struct MHD_Daemon;
struct MHD_Connection;

/* Starts the daemon on an already bound, listening socket. */
struct MHD_Daemon *pvd_http_start(const struct pvd_config *cfg, int listen_fd);
/* Stops accepting; connections already waiting in the listen queue are
 * still taken in and answered while slots are free; waits up to
 * drain_timeout for requests in flight, then closes the listen socket and
 * stops the daemon. */
void pvd_http_drain_and_stop(struct MHD_Daemon *d, unsigned drain_timeout);

/* Per-request state, freed when MHD reports the request completed. */
struct pvd_request;

/* ---- verify.c ----------------------------------------------------------------- */

/* Input of one verification, whichever body form it came in. */
struct pvd_verify_input {
	const uint8_t *bundle;  /* bundle JSON bytes */
	size_t bundle_len;
	/* The same bundle already parsed (borrowed), or NULL: then
	 * pvd_verify_run parses `bundle`. */
	const pyverify_bundle *parsed;
	pyverify_artifact digest;
	const char *artifact;   /* name (NULL: none given) */
	const char *bundle_name; /* shown in the verdict; NULL */
	/* Without artifact: the uploaded file's name, shown in the verdict
	 * in place of the digest; no CPython rules apply. NULL */
	const char *shown_name;
	const char *identity, *issuer; /* both or neither */
};

struct pvd_verify_output {
	int http_code;
	char *body;            /* malloc'd JSON */
	const char *verdict;   /* status name; NULL when no verdict */
	int cache_hit;
};

/* The cache key of a request's raw bytes under snapshot s: a JSON body
 * that was answered once is answered again before it is parsed (parsing is
 * most of a cached request's cost). Everything the answer depends on is in
 * it: the endpoint, the Content-Type, every body byte and the trust
 * generation (access control is decided before any body is read). 0/-1. */
int pvd_verify_raw_key(uint8_t key[32], const struct pvd_snapshot *s,
                       const char *endpoint, const char *content_type,
                       const uint8_t *body, size_t len);
/* 1 with out filled when raw_key is in the cache, else 0. */
int pvd_verify_cached(const uint8_t raw_key[32],
                      struct pvd_verify_output *out);
/* Runs (or finds in the cache) the verdict for in under snapshot s, and
 * files it under raw_key too unless that is NULL. Returns 0 with out
 * filled, or -1 on ENOMEM/internal failure (out->http_code 500). */
int pvd_verify_run(struct pvd_snapshot *s, const struct pvd_verify_input *in,
                   const uint8_t *raw_key, struct pvd_verify_output *out);

/* ---- one member of a JSON request, unparsed (json_member.c) ------------------ */

/* Where the value of the one top-level member `name` of the JSON object in
 * p lies: 0 with [*vstart, *vend), or -1 when the text is not an object the
 * scanner can follow, the member is missing or there twice, or a key is
 * written with escapes. Validates nothing: both the value and the rest
 * must be parsed afterwards. */
int pvd_json_member(const uint8_t *p, size_t n, const char *name,
                    size_t *vstart, size_t *vend);
/* Copies JSON text without the whitespace around its punctuation into out
 * (room for n bytes); returns the bytes written. Strings are copied as
 * they are, and whitespace that separates two other characters stays one
 * space, so that text which does not parse does not start to. */
size_t pvd_json_minify(const uint8_t *p, size_t n, uint8_t *out);

/* ---- helpers (log.c) ---------------------------------------------------------- */

double pvd_now_ms(void);     /* monotonic */
int64_t pvd_unix_now(void);
/* Copies src into dst (at most cap bytes with the NUL) as text jansson
 * accepts and a log or terminal shows safely: well-formed UTF-8 is kept,
 * control characters and bytes that are not UTF-8 become '?', and a
 * character is never cut in two. */
void pvd_json_text(char *dst, size_t cap, const char *src);
/* A JSON error body: {"error": code, "message": msg, "request_id": id};
 * msg may hold any bytes (see pvd_json_text). */
char *pvd_error_json(const char *code, const char *msg, const char *rid);

#endif
