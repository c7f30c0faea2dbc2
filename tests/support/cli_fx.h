/* cli_fx.h - the harness of the tests that run the built pyverify as a
 * user does: paths of the built binaries, files written for a run, a
 * child run with both streams captured (optionally bounded in time), and
 * a temporary directory holding a virtual Sigstore's trusted root and a
 * CPython policy. Shared by test_cli_release*.c and test_files_*.c. */
#ifndef PV_CLI_FX_H
#define PV_CLI_FX_H

#include <stddef.h>
#include <sys/types.h>

#include "vsigstore.h"

#define CFX_ID "dev@example.org"
#define CFX_ISS "https://issuer.example"

/* Series 3.7 (PGP and Sigstore), 3.14 and 3.15 signed by CFX_ID. */
extern const char cfx_policy_release[];
/* Series 3.14 only, signed by CFX_ID. */
extern const char cfx_policy_314[];

/* The absolute path of $PYVERIFY_BUILD/name (default build/); fails the
 * test when it is missing. Two static buffers, used in turn, so two
 * results may be held at once. */
const char *cfx_bin(const char *name);
/* printf into a malloc'd string; fails the test on error. */
char *cfx_pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Replaces path (unlinked first, so never through a FIFO or a link) with
 * len bytes and the given mode. */
void cfx_write_file(const char *path, const void *data, size_t len,
                    mode_t mode);
void cfx_write_text(const char *path, const char *text);
/* An empty file dir/name. */
void cfx_touch(const char *dir, const char *name);
void cfx_rm_rf(const char *dir);
/* A FIFO at path (unlinked first); fails the test when it cannot. */
void cfx_make_fifo(const char *path);

struct cfx_run {
	int status; /* exit status; -1 if it had to be killed */
	char *out, *err;
};

/* Runs argv (argv[0] is the program) in dir (NULL: here) with the
 * environment changes in env ("NAME=value", may be NULL); both streams go
 * to files (no pipe deadlock on large output). With seconds > 0 the child
 * leads its own process group, which is killed (status -1) when it still
 * runs after that many seconds; with 0 it is waited for. */
struct cfx_run cfx_run(const char *dir, const char *const *env,
                       const char *const *argv, int seconds);
void cfx_run_free(struct cfx_run *r);
/* The built pyverify with the given arguments, waited for. */
#define CFX_RUN(dir, ...)                                                      \
	cfx_run(dir, NULL,                                                     \
	        (const char *const[]){ cfx_bin("pyverify"), __VA_ARGS__,       \
	                               NULL },                                 \
	        0)
/* The lines of s that start with prefix. */
size_t cfx_count_lines(const char *s, const char *prefix);
/* Every line of out is a JSON verdict object with the required members.
 * Returns the number of lines; counts[status] are added up (verified,
 * failed, legacy-pgp-only, missing, unknown-release). */
size_t cfx_check_json_lines(const char *out, size_t counts[5]);

/* A temporary directory with trusted_root.json and policy.json of a fresh
 * virtual Sigstore. art, bundle, fifo and digest are set by
 * cfx_init_signed only (NULL / empty otherwise). */
struct cfx {
	char dir[64];
	char *root, *policy, *art, *bundle, *fifo;
	char digest[72];
	struct vs *vs;
	struct vs_leaf *leaf;
};

/* tmpl is a mkdtemp template ("/tmp/pv-x-XXXXXX"). */
void cfx_init(struct cfx *f, const char *tmpl, const char *policy);
/* cfx_init in /tmp/pv-cli-XXXXXX with cfx_policy_release. */
void cfx_init_release(struct cfx *f);
/* "sha256:" and the hex SHA-256 of data. */
void cfx_digest(char out[72], const void *data, size_t len);
/* cfx_init in /tmp/pv-files-XXXXXX with cfx_policy_314, plus
 * Python-3.14.0.tgz signed beside its bundle (art, bundle, digest) and a
 * FIFO named fifo. */
void cfx_init_signed(struct cfx *f);
void cfx_free(struct cfx *f);
/* Writes content to path and, when bundle_path is not NULL, a bundle over
 * signed_content (normally the same bytes) to bundle_path. */
void cfx_put_signed(struct cfx *f, const char *path, const char *content,
                    const char *bundle_path, const char *signed_content);
/* dir/name holding its own name, and dir/name.sigstore over it (or over
 * other bytes when signed_ok is 0). */
void cfx_put_release(struct cfx *f, const char *name, int signed_ok);

#endif
