/* sign_cli.h - what `pyverify sign` (sign.c) and `pyverify attest`
 * (sign_attest.c) share: their options, the signer set-up (trust, signing
 * config, identity token; sign_setup.c) and the bundles' destinations
 * (sign_output.c). */
#ifndef PV_SIGN_CLI_H
#define PV_SIGN_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

#include "cli.h"

struct sign_cli {
	const char *prog;            /* "pyverify sign" */
	struct trust_opts trust;
	const char *signing_config;  /* --signing-config FILE */
	const char *fulcio_url, *rekor_url, *tsa_url, *oidc_issuer;
	const char *oidc_client_id;
	int rekor_version;
	int timestamp;
	const char *identity_token;  /* --identity-token TOKEN or @FILE */
	int out_of_band, no_browser;
	const char *key_path;        /* --key KEY.pem */
	const char *bundle_out;      /* --bundle OUT (one destination) */
	const char *output_dir;      /* --output-dir DIR */
	int overwrite, dry_run;
};

/* getopt_long codes of the shared options (after TRUST_OPT_*). */
enum {
	SIGN_OPT_CONFIG = 500, SIGN_OPT_FULCIO, SIGN_OPT_REKOR,
	SIGN_OPT_REKOR_VERSION, SIGN_OPT_TSA, SIGN_OPT_TIMESTAMP,
	SIGN_OPT_ISSUER, SIGN_OPT_CLIENT_ID, SIGN_OPT_TOKEN, SIGN_OPT_OOB,
	SIGN_OPT_NO_BROWSER, SIGN_OPT_KEY, SIGN_OPT_BUNDLE, SIGN_OPT_OUTDIR,
	SIGN_OPT_OVERWRITE, SIGN_OPT_DRY_RUN
};
#define SIGN_LONG_OPTS                                                         \
	{ "signing-config", required_argument, NULL, SIGN_OPT_CONFIG },        \
	{ "fulcio-url", required_argument, NULL, SIGN_OPT_FULCIO },            \
	{ "rekor-url", required_argument, NULL, SIGN_OPT_REKOR },              \
	{ "rekor-version", required_argument, NULL, SIGN_OPT_REKOR_VERSION },  \
	{ "tsa-url", required_argument, NULL, SIGN_OPT_TSA },                  \
	{ "timestamp", no_argument, NULL, SIGN_OPT_TIMESTAMP },                \
	{ "oidc-issuer", required_argument, NULL, SIGN_OPT_ISSUER },           \
	{ "oidc-client-id", required_argument, NULL, SIGN_OPT_CLIENT_ID },     \
	{ "identity-token", required_argument, NULL, SIGN_OPT_TOKEN },         \
	{ "oauth-out-of-band", no_argument, NULL, SIGN_OPT_OOB },              \
	{ "no-browser", no_argument, NULL, SIGN_OPT_NO_BROWSER },              \
	{ "key", required_argument, NULL, SIGN_OPT_KEY },                      \
	{ "bundle", required_argument, NULL, SIGN_OPT_BUNDLE },                \
	{ "output-dir", required_argument, NULL, SIGN_OPT_OUTDIR },            \
	{ "overwrite", no_argument, NULL, SIGN_OPT_OVERWRITE },                \
	{ "dry-run", no_argument, NULL, SIGN_OPT_DRY_RUN },                    \
	{ "trusted-root", required_argument, NULL, TRUST_OPT_ROOT },           \
	{ "staging", no_argument, NULL, TRUST_OPT_STAGING },                   \
	TRUST_LONG_OPTS

/* Applies a shared option: 1 if c was one, 0 if not, -1 (message
 * printed) for a bad value. */
int sign_option(struct sign_cli *c, int opt, const char *arg);
/* The help text of the shared options, environment and exit status. */
void sign_usage_common(FILE *f);

/* Everything a run needs, set up by sign_setup and released by
 * sign_teardown. */
struct sign_ctx {
	pyverify_trust_root *root;
	unsigned char *config;       /* signing config bytes, or NULL */
	size_t config_len;
	char config_path[4096];      /* where they came from, for messages */
	unsigned char *key_pem;      /* wiped when released */
	size_t key_len;
	char *token;
	pyverify_oidc_source token_source;
	pyverify_oidc_claims claims;
	pyverify_sign_options opts;
	pyverify_sign_plan plan;
	pyverify_signer *signer;
};

/* Trust, signing config, plan, token; prints who will sign. With
 * c->dry_run, prints the plan and stops before Fulcio (the signer is
 * not made). 0, or the exit status after printing why. */
int sign_setup(struct sign_ctx *x, const struct sign_cli *c);
void sign_teardown(struct sign_ctx *x);
/* The exit status of a library failure: 1 at a service step (oidc,
 * fulcio, rekor, tsa, verify) unless it was a usage error, else as
 * cli_exit_code. */
int sign_exit_code(const pyverify_error *err);
/* Prints "<prog>: <step>: <message>" and returns the exit status. */
int sign_fail(const struct sign_cli *c, const pyverify_error *err);

/* Where the bundle for input i goes: --bundle, --output-dir/NAME+suffix
 * or INPUT+suffix. malloc'd; NULL on ENOMEM. */
char *sign_destination(const struct sign_cli *c, const char *input,
                       const char *suffix);
/* Refuses (message printed, exit status returned) when a destination
 * exists and --overwrite was not given, or two inputs would write the
 * same file; 0 otherwise. Checked before anything is signed. */
int sign_check_destinations(const struct sign_cli *c, char *const *dest,
                            size_t n);
/* The n destinations of files (sign_destination), checked
 * (sign_check_destinations), and n empty bundle slots, both calloc'd and
 * the caller's to free even on failure. 0, or the exit status with the
 * message printed. */
int sign_prepare_destinations(const struct sign_cli *c, char *const *files,
                              size_t n, const char *suffix, char ***dest,
                              char ***bundles);
/* Writes each bundle atomically (mode 0644) and names it on stdout. */
int sign_write_bundles(const struct sign_cli *c, char *const *dest,
                       char *const *bundles, size_t n);

#endif
