/* request.h - per-request state shared by http.c (lifecycle, routing) and
 * upload.c (request bodies). Private to server/. */
#ifndef PVD_REQUEST_H
#define PVD_REQUEST_H

#include <jansson.h>
#include <microhttpd.h>

#include "pyverifyd.h"

/* After a body is found to be too large or malformed, this many more bytes
 * are read and dropped so the client can still get the error answer; a
 * client that keeps sending is cut off. */
#define PVD_DISCARD_MAX (1u << 20)
/* Multipart framing (boundaries, part headers) around the parts. */
#define PVD_MULTIPART_OVERHEAD (64u << 10)
/* libmicrohttpd's memory per connection (request head and read buffer). */
#define PVD_CONN_MEMORY (128u << 10)
/* libmicrohttpd's post processor buffer. */
#define PVD_POST_BUFFER (64u << 10)
/* JSON values (members and elements) in a request or a bundle part. A
 * bundle holds a few dozen (hundreds with many log entries); 1 MiB of
 * tiny members would be ~200,000 and hold a worker for a long parse. */
#define PVD_MAX_JSON_VALUES 8192u

struct pvd_buf {
	uint8_t *data;
	size_t len, cap, max;
};

enum pvd_body { PVD_BODY_NONE = 0, PVD_BODY_JSON, PVD_BODY_MULTIPART };

struct pvd_upload {
	enum pvd_body kind;
	const struct pvd_config *cfg;
	/* Set when the body cannot be used; answered once it has been read. */
	int err_code;
	char err_id[32];
	char err_msg[320];
	struct pvd_buf json;        /* PVD_BODY_JSON */
	pyverify_bundle *parsed;    /* its bundle, when parsed on the way */
	/* PVD_BODY_MULTIPART */
	struct MHD_PostProcessor *pp;
	EVP_MD_CTX *md;             /* SHA-256 of the artifact part */
	uint64_t artifact_len;
	int have_artifact, have_bundle;
	struct pvd_buf bundle, name, identity, issuer;
	int have_name, have_identity, have_issuer;
	char artifact_filename[256];
	/* Parts are told apart by the boundary delimiters of the raw body,
	 * not by the post processor's offsets: an empty part and the start of
	 * a part whose bytes arrive later are reported alike. The body is fed
	 * to the post processor in pieces that end at each delimiter, so every
	 * callback belongs to the part opened by the last delimiter fed. */
	uint8_t *delim;             /* "\r\n--" boundary */
	size_t delim_len;
	size_t *delim_next;         /* failure function of delim (KMP) */
	size_t *delim_skip;         /* Horspool shifts by byte, 256 */
	size_t delim_match;         /* bytes of delim matched so far */
	uint64_t part_gen;          /* delimiters fed so far */
	uint64_t cur_gen;           /* part_gen of the part in progress */
	int *cur_seen;              /* its have_* flag; NULL none yet */
	uint64_t cur_off;           /* bytes of it received */
};

struct pvd_request {
	double start_ms;
	char id[40];
	char method[16];
	char path[256];
	char remote[64];
	enum pvd_endpoint ep;
	/* 0 new, 1 receiving a body, 2 answered, 3 waiting for the end of a
	 * request that is answered once complete */
	int phase;
	int code;                   /* the status queued; 0 none */
	const char *verdict;
	int cache;                  /* -1 not applicable, 0 miss, 1 hit */
	char error[48];
	const char *termination;
	uint64_t bytes_in, discarded;
	struct pvd_snapshot *snap;
	struct pvd_conn *conn;      /* its connection's deadline; NULL */
	struct pvd_upload up;
};

/* deadline.c: per-connection deadlines (a whole request head within
 * --header-timeout, a body at --min-upload-rate) enforced by a reaper
 * thread, whatever the client trickles. */
struct pvd_conn;
int pvd_deadline_start(unsigned header_timeout);
void pvd_deadline_stop(void);
/* MHD_OPTION_NOTIFY_CONNECTION: a connection starts owing a request head. */
void pvd_conn_notify(void *cls, struct MHD_Connection *c,
                     void **socket_context,
                     enum MHD_ConnectionNotificationCode toe);
struct pvd_conn *pvd_conn_of(struct MHD_Connection *c); /* NULL: none */
/* deadline_ms on the pvd_now_ms() clock, 0 for none; why (kept when NULL)
 * is what the log says when the connection is cut. */
void pvd_conn_deadline(struct pvd_conn *k, double deadline_ms,
                       const char *why);
/* The next request head is owed within --header-timeout from now. */
void pvd_conn_next_head(struct pvd_conn *k);
/* Why the reaper cut the connection, or NULL. */
const char *pvd_conn_reaped(struct pvd_conn *k);

/* upload.c */
/* Prepares the upload for content type ct; on failure sets up->err_*
 * (415 or 400) and returns -1. */
int pvd_upload_begin(struct pvd_upload *up, struct MHD_Connection *c,
                     const struct pvd_config *cfg, const char *ct);
/* Feeds body bytes. Returns 0; problems are recorded in up->err_*. */
int pvd_upload_feed(struct pvd_upload *up, const char *data, size_t len);
/* After the whole body: fills in (strings borrowed from up or from *doc,
 * which the caller json_decref()s; *bundle_bytes malloc'd for JSON).
 * Returns 0, or -1 with up->err_* set. */
int pvd_upload_finish(struct pvd_upload *up, struct pvd_verify_input *in,
                      json_t **doc, char **bundle_bytes);
void pvd_upload_clear(struct pvd_upload *up);
void pvd_upload_fail(struct pvd_upload *up, int code, const char *id,
                     const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
