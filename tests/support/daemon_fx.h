/* daemon_fx.h - the harness of the tests that run the built pyverifyd on
 * an ephemeral loopback port: start it and learn its port, stop it, and
 * talk to it (libcurl for whole requests, raw sockets for hostile bytes
 * and timing). Shared by test_server_*.c and test_files_daemon.c. */
#ifndef PV_DAEMON_FX_H
#define PV_DAEMON_FX_H

#include <stddef.h>
#include <sys/types.h>

#include <curl/curl.h>
#include <jansson.h>

#include "vsigstore.h"

#define DFX_TOKEN "test-token-0123456789abcdef"
#define DFX_ADMIN_TOKEN "admin-token-0123456789abcdef"

/* Starts argv (argv[0] is the pyverifyd binary), stdout to a pipe,
 * stderr appended to log, and reads its "listening on 127.0.0.1:PORT"
 * line (ASan builds start slowly). Returns 0 when it listens (*pid,
 * *port set), 1 when it exited first (reaped, status in *status), -1 when
 * it neither listened nor exited within `seconds` (killed, reaped). */
int dfx_spawn(const char *const *argv, const char *log, int seconds,
              pid_t *pid, int *port, int *status);

#define DFX_ARTIFACT_NAME "Python-3.14.0.tgz"

/* A temporary directory with a virtual Sigstore's trusted root, the
 * cfx_policy_314 policy, token files and the server's log; a bundle over
 * "hello\n" and its digest; the running server (pid, port). */
struct dfx {
	char dir[64];
	char root[512], policy[128], tokens[128], admin[128], log[128];
	struct vs *vs;
	struct vs_leaf *leaf;
	json_t *bundle;
	char digest[72];
	pid_t pid;
	int port;
};

struct dfx_resp {
	long code;
	char *body;
	size_t len;
	json_t *json;
};

/* The fixture; libcurl initialised. policy may be set to "" afterwards
 * for the default policy. */
void dfx_init(struct dfx *f);
/* Starts the server with the fixture's files plus extra (NULL-terminated).
 * Returns 0 when it listens, -1 when it exited (f->pid reaped, status in
 * *status), -2 when it neither listened nor exited in 20 s (killed). */
int dfx_start_status(struct dfx *f, const char *const *extra, int *status);
/* The same; fails the test unless it listens. */
void dfx_start(struct dfx *f, const char *const *extra);
/* SIGTERM and the exit status. */
int dfx_stop(struct dfx *f);
/* Stops the server (which must exit 0), checks its log for sanitizer
 * reports, removes the directory. */
void dfx_fini(struct dfx *f);

/* A libcurl handle for one request to the fixture's server; the answer
 * collects in r. *hdrs is the caller's to free after the transfer. */
CURL *dfx_easy(struct dfx *f, struct dfx_resp *r, const char *method,
               const char *path, const char *ctype, const char *body,
               size_t len, const char *token, struct curl_slist **hdrs);
/* Status code and parsed JSON body of a finished transfer. */
void dfx_finish(struct dfx_resp *r, CURL *c);
/* One request, performed; fails the test when libcurl fails. */
struct dfx_resp dfx_http(struct dfx *f, const char *method, const char *path,
                         const char *ctype, const char *body, size_t len,
                         const char *token);
void dfx_resp_free(struct dfx_resp *r);
/* A string member of the JSON answer, or NULL. */
const char *dfx_jget(const struct dfx_resp *r, const char *key);
/* {"bundle": ..., "digest": ..., "artifact": ..., ...} as text. */
char *dfx_request_json(json_t *bundle, const char *digest,
                       const char *artifact, const char *identity,
                       const char *issuer);
struct dfx_resp dfx_post_verify(struct dfx *f, const char *body,
                                const char *token);
/* POST /v1/verify without token: expects code and, unless NULL, the error
 * member err. Returns code. */
long dfx_expect_code(struct dfx *f, const char *body, long code,
                     const char *err);

/* Sends raw bytes on a fresh connection and reads until the server closes
 * it (or 10 s pass). Returns the status code of the answer, 0 when the
 * connection was closed without one; *out (malloc'd) holds the answer. */
int dfx_raw_http(struct dfx *f, const void *req, size_t len, char **out);
/* POST path with the given Content-Type line (raw bytes) and body. */
int dfx_raw_post(struct dfx *f, const char *path, const char *ctype,
                 const void *body, size_t len, char **out);
/* The JSON error body of a raw answer, parsed (NULL when none). */
json_t *dfx_raw_body_json(const char *answer);
/* A connected socket to 127.0.0.1:port; fails the test otherwise. */
int dfx_connect_loopback(int port);
/* Monotonic seconds. */
double dfx_now(void);
/* Reads one answer (up to a blank line plus Content-Length bytes) from s
 * within `wait` seconds. Returns its status code, 0 when the connection
 * was closed or nothing came in time. */
int dfx_read_answer(int s, double wait);
/* Sends one byte every `every` seconds, up to `max` seconds, until the
 * server closes the connection; returns the seconds it took (or max). */
double dfx_trickle_until_closed(int s, const char *byte, double every,
                                double max);

#endif
