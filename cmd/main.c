/* main.c - the pyverify command: dispatches verbs, nothing else. Anything
 * that is not a verb is the release mode: `pyverify Python-3.14.0.tgz`. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "cli.h"
#include "release_cli.h"
#include "version.h"

static const struct verb {
	const char *name;
	int (*run)(int, char **);
	const char *summary;
} verbs[] = {
	{ "scan", cmd_scan,
	  "verify every CPython release file of a mirror tree or manifest" },
	{ "verify-bundle", cmd_verify_bundle,
	  "verify one Sigstore bundle (Sigstore conformance CLI protocol)" },
	{ "trust", cmd_trust,
	  "update (TUF), show or import the trusted root verification uses" },
	{ "sign", cmd_sign,
	  "sign release files with Sigstore (keyless or --key)" },
	{ "attest", cmd_attest,
	  "sign an in-toto statement about release files (DSSE)" },
};

static void
usage(FILE *f)
{
	size_t i;

	/* The release mode is what most people type: its help comes first. */
	rel_usage(f);
	fprintf(f, "\nother commands (pyverify <command> --help):\n");
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-14s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f,
	        "\n"
	        "examples:\n"
	        "  pyverify Python-3.14.0.tgz python-3.14.0-amd64.exe\n"
	        "  pyverify --allow-legacy-pgp Python-3.6.15.tgz\n"
	        "  pyverify --json --digest sha256:HEX Python-3.14.0.tgz\n"
	        "  pyverify scan /srv/mirror/python/ftp/python\n"
	        "  pyverify scan --manifest MANIFEST.tsv\n"
	        "  pyverify trust update\n"
	        "  PYVERIFY_OFFLINE=1 pyverify Python-3.14.0.tgz\n"
	        "  pyverify trust import trusted_root.json\n"
	        "  pyverify sign Python-3.14.0.tgz Python-3.14.0.tar.xz\n"
	        "  pyverify verify-bundle --bundle F.sigstore \\\n"
	        "      --certificate-identity hugo@python.org \\\n"
	        "      --certificate-oidc-issuer https://github.com/login/oauth F\n"
	        "\n"
	        "pyverify --version prints the version, the libraries in use and where\n"
	        "the policy and the trusted root come from.\n");
}

/* A pyverify run is short and owns its process, so two of OpenSSL's
 * process-wide defaults, made for long-lived servers, are changed before
 * anything else touches OpenSSL (issue 12, measured with callgrind on a
 * verify-bundle run: 47.5M instructions before, 43.1M after):
 * - the random generator is SP 800-90A Hash_DRBG over SHA-256 instead of
 *   CTR_DRBG over AES-256: the same security strength, but setting it up
 *   fetches SHA-256, which verification fetches anyway, where CTR_DRBG's
 *   first use builds OpenSSL's whole cipher table (7% of a verify run;
 *   OpenSSL draws random numbers even for ECDSA P-384 verification);
 * - no clean-up of OpenSSL's tables at exit (2.6% of a run), which the
 *   kernel does anyway.
 * The system's OpenSSL configuration is still read (FIPS and policy
 * modules keep working). A failure here is not fatal: OpenSSL then keeps
 * its defaults, which are also correct. */
static void
setup_openssl(void)
{
	OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
	if (RAND_set_DRBG_type(NULL, "HASH-DRBG", NULL, NULL, "SHA256") != 1)
		ERR_clear_error();
}

int
main(int argc, char **argv)
{
	size_t i;

	setup_openssl();

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(stdout);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[1], verbs[i].name) == 0)
			return verbs[i].run(argc - 1, argv + 1);
	/* A file literally named like a verb: `pyverify ./scan` or
	 * `pyverify -- scan`. */
	return cmd_release(argc, argv);
}
