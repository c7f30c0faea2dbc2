/* release_cli.h - what `pyverify ARTIFACT...` (release.c) and `pyverify
 * scan` (scan.c) share: options, the CPython policy lookup, finding the
 * material beside an artifact, one verdict, one output line, exit codes. */
#ifndef PV_RELEASE_CLI_H
#define PV_RELEASE_CLI_H

#include <stdio.h>

#include "cli.h"
#include "pyverify.h"

/* Exit statuses of the release and scan modes (README "Exit status"). */
enum {
	REL_EXIT_VERIFIED = 0,   /* every artifact verified */
	REL_EXIT_FAILED = 1,     /* at least one failed */
	REL_EXIT_USAGE = 2,      /* usage error, unreadable policy or root */
	REL_EXIT_UNVERIFIED = 3  /* none failed, some legacy/missing/unknown */
};

int cmd_release(int argc, char **argv);
int cmd_scan(int argc, char **argv);
/* The help of the release mode (also the top of `pyverify --help`). */
void rel_usage(FILE *f);

/* Options both modes take. */
struct rel_opts {
	const char *policy_path, *identity, *issuer;
	int allow_legacy, quiet, json;
	struct trust_opts trust; /* where the trusted root comes from */
	int trust_bad;           /* a trust option had a bad value */
};

/* getopt_long codes of the shared options. */
enum {
	REL_OPT_POLICY = 300, REL_OPT_ID, REL_OPT_ISS, REL_OPT_LEGACY,
	REL_OPT_JSON
};
#define REL_COMMON_LONG_OPTS                                                   \
	{ "policy", required_argument, NULL, REL_OPT_POLICY },                 \
	{ "trusted-root", required_argument, NULL, TRUST_OPT_ROOT },           \
	{ "staging", no_argument, NULL, TRUST_OPT_STAGING },                   \
	TRUST_LONG_OPTS,                                                       \
	{ "certificate-identity", required_argument, NULL, REL_OPT_ID },       \
	{ "certificate-oidc-issuer", required_argument, NULL, REL_OPT_ISS },   \
	{ "allow-legacy-pgp", no_argument, NULL, REL_OPT_LEGACY },             \
	{ "json", no_argument, NULL, REL_OPT_JSON },                           \
	{ "quiet", no_argument, NULL, 'q' },                                   \
	{ "help", no_argument, NULL, 'h' }

/* Applies a shared option; 1 if c was one, else 0. */
int rel_common_option(struct rel_opts *o, int c, const char *arg);
/* Checks the shared options once parsed and reads the trust environment
 * variables; prints why and returns -1. */
int rel_check_opts(struct rel_opts *o, const char *prog);
/* The option help both modes print. */
void rel_common_usage(FILE *f);

/* Loaded state, read-only once verdicts are being computed. */
struct rel_ctx {
	struct rel_opts o;
	pyverify_release_policy *policy;
	pyverify_trust_root *root; /* loaded on first need (rel_need_root) */
	int root_tried;
};

/* Loads the CPython policy (--policy, else the one that belongs to this
 * binary, see pyverify_release_policy_default_path). Prints a one-line error;
 * 0 or -1. */
int rel_ctx_init(struct rel_ctx *ctx, const struct rel_opts *o);
void rel_ctx_free(struct rel_ctx *ctx);
/* Loads the trusted root if not yet tried; 0, or -1 (message printed). */
int rel_need_root(struct rel_ctx *ctx);

/* One artifact to judge, with the material found for it. */
struct rel_item {
	char *artifact;    /* as named: shown and used for the policy */
	char *file;        /* the file to hash; NULL when not held locally */
	char *bundle_path; /* the bundle to use; NULL when none was found */
	int has_asc, has_detached;
	int has_digest;
	pyverify_artifact digest;
	char *input_error; /* e.g. a malformed manifest cell: failed */
};
/* Looks for BASE.sigstore, BASE.sigstore.json, BASE.asc, BASE.sig +
 * BASE.crt, filling it. 0, or -1 on ENOMEM. */
int rel_find_material(struct rel_item *it, const char *base);
void rel_item_clear(struct rel_item *it);
/* 1 if the name is a CPython artifact name (worth reading files for). */
int rel_is_cpython_name(const char *path);

/* Computes the verdict for it (thread-safe once the root is loaded). */
void rel_evaluate(pyverify_release_verdict *v, const struct rel_ctx *ctx,
                  const struct rel_item *it);
/* The output line for v (human or JSON per o), newline included; NULL
 * when -q hides it. *oom is set when memory ran out. malloc'd. */
char *rel_format(const pyverify_release_verdict *v, const struct rel_opts *o,
                 int *oom);

/* Counts per status, and the exit status they mean. */
struct rel_counts {
	unsigned long n[PYVERIFY_RELEASE_UNKNOWN_RELEASE + 1];
	unsigned long total;
};
void rel_count(struct rel_counts *c, const pyverify_release_verdict *v);
/* Counts one artifact exactly once: as v's status, or as failed when its
 * verdict or its output line was lost (v NULL or lost set, out of
 * memory): a lost verdict is never a pass. */
void rel_count_outcome(struct rel_counts *c, const pyverify_release_verdict *v,
                       int lost);
int rel_exit_status(const struct rel_counts *c, int allow_legacy);

#endif
