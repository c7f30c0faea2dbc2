/* sign_setup.c - what `pyverify sign` and `pyverify attest` do before the
 * first signature: the shared options, the trusted root, the signing
 * config (a file, else the TUF cache's), the services, the identity token
 * and who it says will sign, then the signer (one key and certificate for
 * every file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sign_cli.h"
#include "util/util.h"

/* The production signing config is ~2 KB; a private deployment's with
 * many services stays far below this. */
#define MAX_SIGNING_CONFIG_BYTES (1u << 20)

int
sign_option(struct sign_cli *c, int opt, const char *arg)
{
	int rc = trust_option(&c->trust, opt, arg, c->prog);

	if (rc != 0)
		return rc;
	switch (opt) {
	case SIGN_OPT_CONFIG: c->signing_config = arg; return 1;
	case SIGN_OPT_FULCIO: c->fulcio_url = arg; return 1;
	case SIGN_OPT_REKOR: c->rekor_url = arg; return 1;
	case SIGN_OPT_REKOR_VERSION:
		if (strcmp(arg, "1") != 0 && strcmp(arg, "2") != 0) {
			cli_line(stderr, "%s: --rekor-version is 1 or 2, not "
			         "'%s'", c->prog, arg);
			return -1;
		}
		c->rekor_version = arg[0] - '0';
		return 1;
	/* A TSA named is a timestamp wanted, with Rekor v1 too: not
	 * silently unused. */
	case SIGN_OPT_TSA: c->tsa_url = arg; c->timestamp = 1; return 1;
	case SIGN_OPT_TIMESTAMP: c->timestamp = 1; return 1;
	case SIGN_OPT_ISSUER: c->oidc_issuer = arg; return 1;
	case SIGN_OPT_CLIENT_ID: c->oidc_client_id = arg; return 1;
	case SIGN_OPT_TOKEN: c->identity_token = arg; return 1;
	case SIGN_OPT_OOB: c->out_of_band = 1; return 1;
	case SIGN_OPT_NO_BROWSER: c->no_browser = 1; return 1;
	case SIGN_OPT_KEY: c->key_path = arg; return 1;
	case SIGN_OPT_BUNDLE: c->bundle_out = arg; return 1;
	case SIGN_OPT_OUTDIR: c->output_dir = arg; return 1;
	case SIGN_OPT_OVERWRITE: c->overwrite = 1; return 1;
	case SIGN_OPT_DRY_RUN: c->dry_run = 1; return 1;
	default: return 0;
	}
}

void
sign_usage_common(FILE *f)
{
	fprintf(f,
	    "identity (keyless signing; the first one found is used):\n"
	    "  --identity-token TOKEN|@FILE\n"
	    "                     an OIDC identity token, or a file holding "
	    "one (TOKEN on\n"
	    "                     the command line is visible to other "
	    "users: prefer @FILE)\n"
	    "  $SIGSTORE_ID_TOKEN the token itself\n"
	    "  GitHub Actions     $ACTIONS_ID_TOKEN_REQUEST_URL and "
	    "_TOKEN, set in a job\n"
	    "                     with 'permissions: id-token: write'\n"
	    "  sign-in            in a browser (opened with xdg-open when "
	    "$DISPLAY or\n"
	    "                     $WAYLAND_DISPLAY is set, else the URL is "
	    "printed), which\n"
	    "                     comes back to a one-shot listener on "
	    "127.0.0.1\n"
	    "  --oauth-out-of-band  sign in on any device and paste the "
	    "code shown\n"
	    "  --no-browser       print the sign-in URL, never run xdg-open\n"
	    "  --oidc-issuer URL  the OIDC provider of the sign-in (default: "
	    "the signing\n"
	    "                     config's, else " PYVERIFY_OIDC_ISSUER ")\n"
	    "  --oidc-client-id ID  default " PYVERIFY_OIDC_CLIENT_ID "\n"
	    "  --key KEY.pem      sign with this private key instead (PEM, "
	    "PKCS#8 or SEC1;\n"
	    "                     no OIDC, no Fulcio; verify with "
	    "'verify-bundle --key')\n"
	    "\n"
	    "services (default: Sigstore's signing config, kept current by "
	    "TUF like the\n"
	    "trusted root; --staging: Sigstore's staging services):\n"
	    "  --signing-config FILE  a signing_config.v0.2.json instead\n"
	    "  --fulcio-url URL   --rekor-url URL   --rekor-version 1|2   "
	    "--tsa-url URL\n"
	    "                     override one service (--rekor-version "
	    "with --rekor-url;\n"
	    "                     --tsa-url is the full timestamp endpoint "
	    "and implies\n"
	    "                     --timestamp)\n"
	    "  --timestamp        also ask a timestamp authority with Rekor "
	    "v1 (always\n"
	    "                     with v2)\n"
	    "  --trusted-root FILE  what the new bundles must verify "
	    "against (see below)\n"
	    "\n"
	    "output:\n"
	    "  --output-dir DIR   write the bundles into DIR instead of "
	    "beside the files\n"
	    "  --overwrite        replace existing bundles (never done "
	    "otherwise: with one\n"
	    "                     in the way nothing at all is signed)\n"
	    "  --dry-run          obtain the token, print the identity and "
	    "the services,\n"
	    "                     sign nothing\n"
	    "\n");
	trust_usage(f);
	fprintf(f,
	    "\n"
	    "Before a bundle is written it is verified against the trusted "
	    "root with the\n"
	    "token's identity: pyverify never writes a bundle it would not "
	    "accept. Bundles\n"
	    "are written whole (a new file renamed into place) and only "
	    "after every file\n"
	    "was signed: a failure leaves none. The identity token is never "
	    "logged or\n"
	    "written anywhere.\n"
	    "\n"
	    "Exit status: 0 everything signed and written; 1 signing failed "
	    "at a service\n"
	    "(refused, unreachable, or an answer that did not check out) or "
	    "the new\n"
	    "bundle failed verification: the message names the step (oidc, "
	    "fulcio,\n"
	    "rekor, tsa, verify), the URL, the HTTP status and the service's "
	    "own message;\n"
	    "2 usage error, unreadable input, an existing bundle or an "
	    "unwritable output.\n");
}

int
sign_exit_code(const pyverify_error *err)
{
	/* Whatever the library's class (a refusal arrives as an answer,
	 * so some services report it as I/O), a failure at a service or in
	 * the check of the new bundle is "signing failed": 1. Only the
	 * caller's mistakes and local files are 2. */
	switch (err->step) {
	case PYVERIFY_STEP_OIDC:
	case PYVERIFY_STEP_FULCIO:
	case PYVERIFY_STEP_REKOR:
	case PYVERIFY_STEP_TSA:
	case PYVERIFY_STEP_SIGN_VERIFY:
		return err->code == PYVERIFY_EUSAGE ? EXIT_USAGE
		                                    : EXIT_REJECTED;
	default:
		return cli_exit_code(err->code);
	}
}

int
sign_fail(const struct sign_cli *c, const pyverify_error *err)
{
	if (err->step == PYVERIFY_STEP_NONE)
		cli_line(stderr, "%s: %s", c->prog, err->msg);
	else
		cli_line(stderr, "%s: %s: %s", c->prog,
		         pyverify_step_code(err->step), err->msg);
	return sign_exit_code(err);
}

static int
read_input(unsigned char **out, size_t *len, const char *path, unsigned flags,
           size_t max, const char *what, const struct sign_cli *c)
{
	char why[PYVERIFY_ERROR_MSG_SIZE];
	uint8_t *buf = NULL;

	if (pv_file_read(&buf, len, path, flags, max, what, why, sizeof(why)) !=
	    0) {
		cli_line(stderr, "%s: %s", c->prog, why);
		return EXIT_USAGE;
	}
	*out = buf;
	return 0;
}

/* The signing config: --signing-config, else the TUF cache's copy
 * (refreshed when it has none yet), unless the overrides name every
 * service needed. */
static int
load_config(struct sign_ctx *x, const struct sign_cli *c)
{
	pyverify_tuf_options to;
	pyverify_tuf_info info;
	pyverify_error err;

	if (c->signing_config != NULL) {
		snprintf(x->config_path, sizeof(x->config_path), "%.4000s",
		         c->signing_config);
		return read_input(&x->config, &x->config_len, c->signing_config,
		                  0, MAX_SIGNING_CONFIG_BYTES, "signing config",
		                  c);
	}
	if (c->rekor_url != NULL && (c->key_path != NULL ||
	                             c->fulcio_url != NULL) &&
	    (c->rekor_version != 2 || c->tsa_url != NULL) &&
	    (!c->timestamp || c->tsa_url != NULL))
		return 0;
	trust_tuf_options(&to, &c->trust);
	memset(&info, 0, sizeof(info));
	if (pyverify_tuf_status(&info, &to, &err) != 0)
		info.signing_config_path[0] = '\0';
	if (info.signing_config_path[0] == '\0' && !c->trust.offline &&
	    pyverify_tuf_update(&info, &to, &err) != 0) {
		cli_line(stderr, "%s: no signing config: %s", c->prog,
		         err.msg);
		return EXIT_USAGE;
	}
	if (info.signing_config_path[0] == '\0') {
		cli_line(stderr, "%s: no signing config: the TUF cache holds "
		         "none; run 'pyverify trust update' or give "
		         "--signing-config FILE", c->prog);
		return EXIT_USAGE;
	}
	snprintf(x->config_path, sizeof(x->config_path), "%.4000s (TUF cache)",
	         info.signing_config_path);
	return read_input(&x->config, &x->config_len,
	                  info.signing_config_path, 0,
	                  MAX_SIGNING_CONFIG_BYTES, "signing config", c);
}

static void
print_plan(const struct sign_ctx *x, const struct sign_cli *c,
           const char *issuer)
{
	size_t i;

	if (c->key_path != NULL) {
		cli_line(stdout, "  key:                  %s", c->key_path);
	} else {
		cli_line(stdout, "  identity token from:  %s",
		         pyverify_oidc_source_name(x->token_source));
		cli_line(stdout, "  OIDC provider:        %s", issuer);
		cli_line(stdout, "  Fulcio:               %s",
		         x->plan.fulcio_url ? x->plan.fulcio_url : "-");
	}
	for (i = 0; i < x->plan.n_rekor; i++)
		cli_line(stdout, "  Rekor (v%d):           %s",
		         x->plan.rekor_version, x->plan.rekor_urls[i]);
	for (i = 0; i < x->plan.n_tsa; i++)
		cli_line(stdout, "  timestamp authority:  %s",
		         x->plan.tsa_urls[i]);
	cli_line(stdout, "  trusted root:         %s",
	         pyverify_trust_root_source(x->root));
}

static int
get_token(struct sign_ctx *x, const struct sign_cli *c, const char *issuer)
{
	pyverify_oidc_options o;
	pyverify_error err;

	memset(&o, 0, sizeof(o));
	o.token = c->identity_token;
	o.issuer = issuer;
	o.client_id = c->oidc_client_id;
	o.out_of_band = c->out_of_band;
	o.no_browser = c->no_browser;
	o.ca_bundle = c->trust.ca_bundle;
	if (pyverify_oidc_token_get(&x->token, &x->token_source, &o, &err) !=
	    0)
		return sign_fail(c, &err);
	if (pyverify_oidc_token_claims(&x->claims, x->token, 0, &err) != 0)
		return sign_fail(c, &err);
	return 0;
}

int
sign_setup(struct sign_ctx *x, const struct sign_cli *c)
{
	const char *issuer;
	pyverify_error err;
	int rc;

	rc = trust_load(&x->root, &c->trust, NULL);
	if (rc != 0)
		return rc;
	if (c->key_path != NULL &&
	    (rc = read_input(&x->key_pem, &x->key_len, c->key_path,
	                     PV_FILE_NOFOLLOW, PV_MAX_KEY_PEM_BYTES, "key",
	                     c)) != 0)
		return rc;
	if ((rc = load_config(x, c)) != 0)
		return rc;

	x->opts.trust_root = x->root;
	x->opts.signing_config = x->config;
	x->opts.signing_config_len = x->config_len;
	x->opts.fulcio_url = c->fulcio_url;
	x->opts.rekor_url = c->rekor_url;
	x->opts.rekor_version = c->rekor_version;
	x->opts.tsa_url = c->tsa_url;
	x->opts.timestamp = c->timestamp;
	x->opts.key_pem = x->key_pem;
	x->opts.key_pem_len = x->key_len;
	x->opts.ca_bundle = c->trust.ca_bundle;
	if (pyverify_sign_plan_get(&x->plan, &x->opts, &err) != 0) {
		/* Say which file: the option's or the TUF cache's copy. */
		if (x->config_path[0] != '\0' &&
		    strncmp(err.msg, "signing config: ", 16) == 0) {
			cli_line(stderr, "%s: signing config %s: %s", c->prog,
			         x->config_path, err.msg + 16);
			return EXIT_USAGE; /* a local file to fix */
		}
		return sign_fail(c, &err);
	}

	issuer = c->oidc_issuer           ? c->oidc_issuer
	         : x->plan.oidc_url       ? x->plan.oidc_url
	         : c->trust.staging       ? PYVERIFY_OIDC_STAGING_ISSUER
	                                  : PYVERIFY_OIDC_ISSUER;
	if (c->key_path == NULL) {
		if ((rc = get_token(x, c, issuer)) != 0)
			return rc;
		x->opts.identity_token = x->token;
		/* Shown before anything is signed: what every verifier will
		 * see as the signer. */
		cli_line(stdout, "signing as %s (issuer %s)",
		         x->claims.identity, x->claims.issuer);
	} else {
		cli_line(stdout, "signing with the key in %s", c->key_path);
	}
	if (c->dry_run) {
		cli_line(stdout, "dry run: nothing will be signed; the "
		                 "services:");
		print_plan(x, c, issuer);
		return 0;
	}
	if (pyverify_signer_new(&x->signer, &x->opts, &err) != 0)
		return sign_fail(c, &err);
	return 0;
}

void
sign_teardown(struct sign_ctx *x)
{
	pyverify_signer_free(x->signer);
	pyverify_sign_plan_clear(&x->plan);
	pyverify_oidc_token_free(x->token);
	if (x->key_pem != NULL)
		OPENSSL_cleanse(x->key_pem, x->key_len);
	free(x->key_pem);
	free(x->config);
	pyverify_trust_root_free(x->root);
	memset(x, 0, sizeof(*x));
}
