/*
 * json.h - the one intake for JSON text from outside (pv_json_intake), and
 * jansson helpers shared by the two protobuf-JSON parsers (bundle.c,
 * trust_root.c). Internal; never installed.
 *
 * Every helper reports failures through a pv_json_ctx (which step, which
 * error struct) and names the JSON path of the offending value, e.g.
 * "verificationMaterial.tlogEntries[0].logId.keyId is 31 bytes, expected 32".
 * A "path" argument is the path of the object being read ("" at the top
 * level); "name" is the lowerCamelCase member name. SPEC 0.1: protobuf JSON
 * parsers also accept the original snake_case spelling, so every lookup
 * accepts both and rejects an object that carries both (a duplicate).
 */
#ifndef PV_JSON_H
#define PV_JSON_H

#include <jansson.h>

#include "util/util.h"

/* Longest JSON path quoted in a message; deeper paths are truncated. The
 * deepest real path ("verificationMaterial.tlogEntries[31].inclusionProof.
 * checkpoint.envelope") is about 70 characters. */
#define PV_JSON_PATH_MAX 256

struct pv_json_ctx {
	pyverify_step step;   /* step of every failure */
	pyverify_error *err;  /* may be NULL */
	/* Protobuf JSON reads null as "absent" (the trusted roots of the
	 * conformance suite contain "end": null). Bundles are stricter: a
	 * null member is rejected there. */
	int null_is_absent;
};

/* Reads a whole file of at most `max` bytes into a malloc'd buffer (NUL
 * appended, not counted in *len), through pv_file_read. PYVERIFY_EIO when
 * it cannot be opened or read or is not a regular file, PYVERIFY_EPARSE
 * when it is larger than max. `what` names the document ("bundle",
 * "trusted root"). */
PV_MUST_CHECK int pv_json_read_file(const struct pv_json_ctx *cx,
                                    const char *file, size_t max,
                                    const char *what, uint8_t **buf,
                                    size_t *len);

/* A document's parser from memory: out is the caller's out-pointer, path
 * the file the bytes came from. */
typedef int (*pv_json_loader)(void *out, const void *buf, size_t len,
                              const char *path, pyverify_error *err);
/* The whole of a public load_file: out (the caller's out-pointer) and path
 * checked (a usage error), pv_json_read_file, load(out, buf, len, path,
 * cx->err), the buffer freed. */
PV_MUST_CHECK int pv_json_load_file(const struct pv_json_ctx *cx,
                                    const char *path, size_t max,
                                    const char *what, pv_json_loader load,
                                    void *out);

/* The kind of a jansson parse error in words of our own ("invalid
 * syntax", "premature end of input"): jansson's own text quotes the
 * offending token, and a file read by mistake must not be echoed. */
const char *pv_json_syntax_error(const json_error_t *e);

/* ---- the one way in for JSON text from outside ---------------------------
 *
 * Every JSON document pyverify reads (bundles, trusted roots, log entry
 * bodies, DSSE payloads, CPython policies, HTTP requests) is parsed here,
 * with these bounds checked in this order before anything is allocated:
 * size, value count, bracket depth; then jansson with duplicate keys
 * rejected, its end-of-input check (no trailing data), UTF-8 validation and
 * \u0000 refused (JSON_ALLOW_NUL is never given); then the top level must
 * be an object. Callers word the refusal themselves, so each document
 * keeps the messages its users know. */
struct pv_json_bounds {
	size_t max_bytes;  /* longer text is refused unread */
	size_t max_depth;  /* bracket nesting; 0: the parser's own (2048) */
	size_t max_values; /* members + elements + the document; 0: uncounted
	                      (max_bytes bounds them anyway) */
};
/* The bounds of a document pyverify reads: max bytes, PV_MAX_JSON_DEPTH. */
#define PV_JSON_BOUNDS(max) { (max), PV_MAX_JSON_DEPTH, 0 }

enum pv_json_refusal {
	PV_JSON_ACCEPTED = 0,
	PV_JSON_TOO_LARGE,
	PV_JSON_TOO_MANY_VALUES,
	PV_JSON_TOO_DEEP,
	PV_JSON_INVALID,    /* jansson's error is in *jerr */
	PV_JSON_NOT_OBJECT, /* jerr->text names the type ("an array") */
};

/* Parses buf (len bytes; NULL when len is 0) within b. On
 * PV_JSON_ACCEPTED *out is a new reference to an object; otherwise *out is
 * NULL and jerr (may be NULL) says why for PV_JSON_INVALID and
 * PV_JSON_NOT_OBJECT. */
PV_MUST_CHECK enum pv_json_refusal
pv_json_intake(json_t **out, const void *buf, size_t len,
               const struct pv_json_bounds *b, json_error_t *jerr);

/* 1 if JSON text holds at most max values (members, elements, the
 * document), counted without parsing: a '{', '[' or ',' outside strings
 * starts one. Says nothing of validity (for text parsed later, elsewhere). */
int pv_json_values_within(const uint8_t *p, size_t n, size_t max);

/* The first member of obj whose name is not in names (NULL-terminated,
 * compared exactly), borrowed; NULL when all are known. Schemas here are
 * closed: an unknown member is something signed that would be ignored. */
const char *pv_json_unknown_member(const json_t *obj,
                                   const char *const *names);

/* pv_json_intake with bounds PV_JSON_BOUNDS(max), refusals worded for the
 * protobuf-JSON documents: "<what> is not valid JSON: ...". */
PV_MUST_CHECK int pv_json_parse(const struct pv_json_ctx *cx, const void *buf,
                                size_t len, size_t max, const char *what,
                                json_t **out);

/* The start of a public load_memory: out (the caller's out-pointer) and
 * buf (NULL only when len is 0) are checked, a usage error otherwise,
 * then pv_json_parse. */
PV_MUST_CHECK int pv_json_parse_input(const struct pv_json_ctx *cx,
                                      const void *out, const void *buf,
                                      size_t len, size_t max,
                                      const char *what, json_t **root);

/* "out of memory" as PYVERIFY_ENOMEM at cx->step. */
int pv_json_oom(const struct pv_json_ctx *cx);

/* "path.name" ("name" when path is empty) and "path.name[i]". */
void pv_json_path(char *out, const char *path, const char *name);
void pv_json_path_index(char *out, const char *path, const char *name,
                        size_t i);

/* Rejects any member of obj that is not one of `names` (NULL-terminated,
 * lowerCamelCase) in either spelling. */
PV_MUST_CHECK int pv_json_only(const struct pv_json_ctx *cx, const json_t *obj,
                               const char *path, const char *const *names);

/* The member `name` (camel or snake spelling), borrowed; *out = NULL when
 * absent. Both spellings present is rejected; so is a JSON null unless
 * cx->null_is_absent. */
PV_MUST_CHECK int pv_json_get(const struct pv_json_ctx *cx, const json_t *obj,
                              const char *path, const char *name,
                              json_t **out);

/* An object member; *out = NULL when absent and not required. */
PV_MUST_CHECK int pv_json_object(const struct pv_json_ctx *cx,
                                 const json_t *obj, const char *path,
                                 const char *name, int required,
                                 json_t **out);

/* An array member of at most `max` elements; *out = NULL and *n = 0 when
 * absent (protobuf JSON omits empty lists). */
PV_MUST_CHECK int pv_json_array(const struct pv_json_ctx *cx,
                                const json_t *obj, const char *path,
                                const char *name, size_t max, json_t **out,
                                size_t *n);

/* A string member of at most `maxlen` bytes, borrowed (valid while obj
 * lives). required: present and non-empty (protobuf JSON writes "" as an
 * absent member, so the two are the same). *out = NULL when absent. */
PV_MUST_CHECK int pv_json_string(const struct pv_json_ctx *cx,
                                 const json_t *obj, const char *path,
                                 const char *name, int required,
                                 size_t maxlen, const char **out,
                                 size_t *outlen);

/* A bytes member (standard padded base64), at most `maxlen` decoded bytes.
 * required: present and non-empty. Absent: out = { NULL, 0 }. */
PV_MUST_CHECK int pv_json_bytes(const struct pv_json_ctx *cx,
                                const json_t *obj, const char *path,
                                const char *name, int required,
                                size_t maxlen, struct pv_bytes *out);
/* The same for a value that is not an object member (an array element);
 * vpath is its full path. Empty is allowed. */
PV_MUST_CHECK int pv_json_bytes_value(const struct pv_json_ctx *cx,
                                      const json_t *v, const char *vpath,
                                      size_t maxlen, struct pv_bytes *out);
/* A bytes value that must decode to exactly n bytes (hashes, log IDs). */
PV_MUST_CHECK int pv_json_fixed_value(const struct pv_json_ctx *cx,
                                      const json_t *v, const char *vpath,
                                      uint8_t *out, size_t n);
/* Required member variant of pv_json_fixed_value. */
PV_MUST_CHECK int pv_json_fixed(const struct pv_json_ctx *cx,
                                const json_t *obj, const char *path,
                                const char *name, uint8_t *out, size_t n);

/* A non-negative int64 member: a decimal string (the protobuf JSON form) or
 * a JSON integer. Absent: *out = 0 and *present = 0 (present may be NULL). */
PV_MUST_CHECK int pv_json_int64(const struct pv_json_ctx *cx,
                                const json_t *obj, const char *path,
                                const char *name, int64_t *out, int *present);

/* Replaces err->msg with "<path>: <old message>" (for failures reported by
 * non-JSON helpers such as pv_pubkey_from_der). Returns code. */
int pv_json_prefix_error(const struct pv_json_ctx *cx, int code,
                         const char *path);

#endif
