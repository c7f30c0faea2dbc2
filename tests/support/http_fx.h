/*
 * http_fx.h - a loopback HTTP server for tests (libmicrohttpd on
 * 127.0.0.1, an ephemeral port, its own thread). It serves an in-memory
 * file table, can misbehave on purpose per path (a status, N failures
 * before success, an endless body, a trickle), can hand a path to a
 * callback (POST services of later tests), and logs every request in
 * order ("GET /2.root.json"). Paths are matched and logged exactly as the
 * client sent them (no percent-decoding), query string excluded.
 * Functions fail the running Criterion test on setup errors.
 */
#ifndef HTTP_FX_H
#define HTTP_FX_H

#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include <microhttpd.h>

struct hfx;

struct hfx *hfx_start(void);
/* The same over TLS with a PEM certificate and key (the URL then starts
 * with "https://"). */
struct hfx *hfx_start_tls(const char *cert_pem, const char *key_pem);
void hfx_stop(struct hfx *s); /* accepts NULL */
/* "http://127.0.0.1:PORT" (no trailing slash; https:// for TLS). */
const char *hfx_url(const struct hfx *s);

/* Serves a copy of data at path ("/timestamp.json"); replaces an earlier
 * entry and its misbehaviour. Unknown paths get 404. */
void hfx_put(struct hfx *s, const char *path, const void *data, size_t len);
void hfx_remove(struct hfx *s, const char *path);

/* Misbehaviour of one path (which need not have content). */
void hfx_set_status(struct hfx *s, const char *path, unsigned status);
/* The first n requests get status, later ones the content. */
void hfx_fail_times(struct hfx *s, const char *path, unsigned status,
                    unsigned n);
/* An endless body (no Content-Length), for the arbitrary-length attack. */
void hfx_endless(struct hfx *s, const char *path);
/* The content, one byte every every_ms milliseconds (slow retrieval). */
void hfx_trickle(struct hfx *s, const char *path, unsigned every_ms);

/* Answers path with a redirect (301, 302, 303, 307 or 308) to location,
 * which may be absolute or relative. */
void hfx_redirect(struct hfx *s, const char *path, unsigned status,
                  const char *location);

/* A callback answers every request to path (any method). It fills
 * *status, and *body (malloc'd; the server frees it) with *len bytes and
 * the content type ctype (at most 127 bytes; "" for none). Runs on the
 * server thread. */
typedef void (*hfx_handler)(void *ctx, const char *method, const char *path,
                            const uint8_t *req, size_t req_len,
                            unsigned *status, uint8_t **body, size_t *len,
                            char ctype[128]);
void hfx_route(struct hfx *s, const char *path, hfx_handler h, void *ctx);

/* The request log. */
size_t hfx_request_count(struct hfx *s);
/* Requests for exactly this path. */
size_t hfx_count(struct hfx *s, const char *path);
/* Every logged request, one "METHOD /path" per line (malloc'd). */
char *hfx_log(struct hfx *s);
void hfx_clear_log(struct hfx *s);

/* Appends n bytes of an upload to *body (grown as needed), or sets
 * *too_big once more than max bytes came (the rest is dropped); the
 * collector of http_fx and of the fake Sigstore services. 0, or -1 when
 * memory runs out. */
int hfx_body_append(uint8_t **body, size_t *len, size_t *cap, int *too_big,
                    const void *data, size_t n, size_t max);
/* Appends "METHOD path" to a request log guarded by mu (grown as needed;
 * a line that finds no memory is dropped). The log of http_fx and of the
 * fake Sigstore services. */
void hfx_log_append(pthread_mutex_t *mu, char ***log, size_t *n, size_t *cap,
                    const char *method, const char *path);
/* An answer that trickles data (one byte every every_ms) or, endless,
 * never ends; takes data (malloc'd, may be NULL). NULL when it cannot be
 * made (data freed). */
struct MHD_Response *hfx_stream_response(uint8_t *data, size_t len,
                                         unsigned every_ms, int endless);

#endif
