/* sign.c - `pyverify sign [options] FILE...`: keyless (or managed-key)
 * Sigstore signing of release files, one key and certificate for all of
 * them, a v0.3 bundle beside each (FILE.sigstore). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sign_cli.h"

#define BUNDLE_SUFFIX ".sigstore"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: pyverify sign [options] FILE...\n"
	    "\n"
	    "Signs every FILE with Sigstore: one identity (an OIDC sign-in, "
	    "a CI token,\n"
	    "or --key), one short-lived Fulcio certificate and one "
	    "transparency log\n"
	    "entry per file; writes FILE" BUNDLE_SUFFIX " beside each (a "
	    "v0.3 bundle, message\n"
	    "signature over SHA-256; files are hashed as streams).\n"
	    "\n"
	    "  --bundle OUT       the bundle's name (one FILE only)\n\n");
	sign_usage_common(f);
	fprintf(f,
	    "\n"
	    "examples:\n"
	    "  pyverify sign Python-3.14.0.tgz Python-3.14.0.tar.xz\n"
	    "  pyverify sign --oauth-out-of-band --output-dir sigs/ dist/*\n"
	    "  pyverify sign --dry-run Python-3.14.0.tgz\n"
	    "  pyverify sign --key release.key.pem Python-3.14.0.tgz\n"
	    "  pyverify verify-bundle --bundle Python-3.14.0.tgz.sigstore \\\n"
	    "      --certificate-identity hugo@python.org \\\n"
	    "      --certificate-oidc-issuer https://github.com/login/oauth \\\n"
	    "      Python-3.14.0.tgz\n");
}

static const struct option long_opts[] = {
	SIGN_LONG_OPTS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Hashes and signs every file into bundles[i]; nothing is written. */
static int
sign_all(struct sign_ctx *x, const struct sign_cli *c, char **files,
         size_t n, char **bundles)
{
	pyverify_artifact art;
	pyverify_error err;
	size_t i;

	for (i = 0; i < n; i++) {
		if (pyverify_artifact_from_file(&art, files[i], &err) != 0) {
			cli_line(stderr, "%s: %s", c->prog, err.msg);
			return EXIT_USAGE;
		}
		if (pyverify_sign_artifact(x->signer, &art, &bundles[i],
		                           &err) != 0) {
			/* A refusal before any service (an option, the
			 * key) has no step to name. */
			cli_line(stderr, "%s: %s: %s%s%s (no bundle written)",
			         c->prog, files[i],
			         err.step != PYVERIFY_STEP_NONE
			             ? pyverify_step_code(err.step) : "",
			         err.step != PYVERIFY_STEP_NONE ? ": " : "",
			         err.msg);
			return sign_exit_code(&err);
		}
	}
	return 0;
}

int
cmd_sign(int argc, char **argv)
{
	struct sign_cli c;
	struct sign_ctx x;
	char **dest = NULL, **bundles = NULL;
	size_t n = 0, i;
	int opt, rc;

	memset(&c, 0, sizeof(c));
	memset(&x, 0, sizeof(x));
	c.prog = "pyverify sign";
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		rc = sign_option(&c, opt, optarg);
		if (rc < 0)
			return EXIT_USAGE;
		if (rc == 0) {
			cli_line(stderr, "%s: unknown or incomplete option "
			         "'%s'", c.prog, argv[optind - 1]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	n = (size_t)(argc - optind);
	if (n == 0 || (c.bundle_out != NULL && (n != 1 ||
	                                        c.output_dir != NULL))) {
		cli_line(stderr, "%s: %s", c.prog,
		         n == 0 ? "no FILE to sign"
		         : c.output_dir != NULL
		             ? "--bundle and --output-dir exclude each other"
		             : "--bundle names the bundle of one FILE only");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (trust_env(&c.trust, c.prog) != 0)
		return EXIT_USAGE;

	rc = sign_prepare_destinations(&c, argv + optind, n, BUNDLE_SUFFIX,
	                               &dest, &bundles);
	if (rc == 0)
		rc = sign_setup(&x, &c);
	if (rc == 0 && c.dry_run) {
		for (i = 0; i < n; i++)
			cli_line(stdout, "  would write:          %s",
			         dest[i]);
	} else if (rc == 0) {
		rc = sign_all(&x, &c, argv + optind, n, bundles);
		/* Only once every file is signed: a failure half-way leaves
		 * no bundle behind. */
		if (rc == 0)
			rc = sign_write_bundles(&c, dest, bundles, n);
	}
	for (i = 0; i < n; i++) {
		if (dest != NULL)
			free(dest[i]);
		if (bundles != NULL)
			free(bundles[i]);
	}
	free(dest);
	free(bundles);
	sign_teardown(&x);
	return rc;
}
