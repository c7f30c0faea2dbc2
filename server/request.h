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
/* libmicrohttpd's post processor buffer. */
#define PVD_POST_BUFFER (64u << 10)

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
	/* PVD_BODY_MULTIPART */
	struct MHD_PostProcessor *pp;
	EVP_MD_CTX *md;             /* SHA-256 of the artifact part */
	uint64_t artifact_len;
	int have_artifact, have_bundle;
	struct pvd_buf bundle, name, identity, issuer;
	int have_name, have_identity, have_issuer;
	char artifact_filename[256];
	char part_key[16];          /* the part being received */
	uint64_t part_off;
};

struct pvd_request {
	double start_ms;
	char id[40];
	char method[16];
	char path[256];
	char remote[64];
	enum pvd_endpoint ep;
	int phase;                  /* 0 new, 1 receiving a body, 2 answered */
	int code;                   /* the status queued; 0 none */
	const char *verdict;
	int cache;                  /* -1 not applicable, 0 miss, 1 hit */
	char error[48];
	const char *termination;
	uint64_t bytes_in, discarded;
	struct pvd_snapshot *snap;
	struct pvd_upload up;
};

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
