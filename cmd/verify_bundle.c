/* verify_bundle.c - `pyverify verify-bundle`: the Sigstore conformance CLI
 * protocol (sigstore-conformance docs/cli_protocol.md), one bundle, one
 * verdict line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "cli.h"
#include "util/util.h"

#define MAX_KEY_FILE (64 * 1024)

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: pyverify verify-bundle [--staging] --bundle FILE\n"
	    "           --certificate-identity IDENTITY\n"
	    "           --certificate-oidc-issuer URL\n"
	    "           [TRUST OPTIONS] FILE_OR_DIGEST\n"
	    "       pyverify verify-bundle [--staging] --bundle FILE --key KEY.pem\n"
	    "           [TRUST OPTIONS] FILE_OR_DIGEST\n"
	    "\n"
	    "Verifies a Sigstore bundle for an artifact. Verification itself is\n"
	    "offline; only keeping the trusted root current may use the network\n"
	    "(see below; --offline never does).\n"
	    "\n"
	    "FILE_OR_DIGEST   the artifact: a file (hashed as a stream, with\n"
	    "                 the algorithm the bundle signs), or its digest:\n"
	    "                 sha256:HEX, sha384:HEX or sha512:HEX\n"
	    "--bundle FILE    the Sigstore bundle (.sigstore, .sigstore.json)\n"
	    "--certificate-identity IDENTITY\n"
	    "                 who must have signed: the certificate's subject\n"
	    "                 alternative name (email, URI), exact match\n"
	    "--certificate-oidc-issuer URL\n"
	    "                 the OIDC issuer that vouched for the identity,\n"
	    "                 exact match (e.g. https://github.com/login/oauth)\n"
	    "--certificate-identity-regexp RE, --certificate-oidc-issuer-regexp RE\n"
	    "                 POSIX extended regular expressions instead, always\n"
	    "                 matched against the whole value\n"
	    "--key KEY.pem    verify a bundle signed with a managed key (PEM\n"
	    "                 public key) instead of a Fulcio certificate\n"
	    "--trusted-root FILE\n"
	    "                 the Sigstore trusted_root.json; default: see\n"
	    "                 'pyverify trust --help' for the lookup order\n"
	    "--staging        use the staging trusted root instead of production\n"
	    "--min-verified-times N\n"
	    "                 require N verified signing times (log inclusion\n"
	    "                 promises and RFC 3161 timestamps); default 1\n"
	    "\n");
	trust_usage(f);
	fprintf(f,
	    "\n"
	    "Checked: certificate chain to Fulcio at the signing time, signed\n"
	    "certificate timestamp, transparency log entry (body, inclusion\n"
	    "promise, inclusion proof, signed checkpoint), artifact signature,\n"
	    "and identity + issuer.\n"
	    "\n"
	    "Exit status: 0 verified, 1 rejected (the line says which step\n"
	    "failed and why), 2 usage error or unreadable input.\n");
}

int
cli_exit_code(int status)
{
	switch (status) {
	case PYVERIFY_OK:
		return EXIT_VERIFIED;
	case PYVERIFY_EIO:
	case PYVERIFY_EUSAGE:
		return EXIT_USAGE;
	default:
		return EXIT_REJECTED; /* never 0 on doubt */
	}
}

/* Puts "<what> <path>: " before a library message that does not name the
 * file already (a JSON path inside it, say), so the line says which input
 * was refused. */
static void
name_file(pyverify_error *err, const char *what, const char *path)
{
	char msg[sizeof(err->msg)];
	int n;

	if (strstr(err->msg, path) != NULL)
		return;
	n = snprintf(msg, sizeof(msg), "%s %s: ", what, path);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return;
	snprintf(msg + n, sizeof(msg) - (size_t)n, "%s", err->msg);
	memcpy(err->msg, msg, sizeof(msg));
}

/* A key file: a regular file of at most MAX_KEY_FILE bytes (a FIFO is
 * refused, not waited on). why receives the reason on failure. */
static int
read_small_file(const char *path, char **out, size_t *len, char *why,
                size_t whylen)
{
	uint8_t *buf = NULL;

	if (pv_file_read(&buf, len, path, 0, MAX_KEY_FILE, "key", why,
	                 whylen) != 0)
		return -1;
	*out = (char *)buf;
	return 0;
}

/* 1..64, decimal, nothing else. */
static int
parse_count(const char *s, unsigned *out)
{
	unsigned v = 0;
	size_t i, n = strlen(s);

	if (n == 0 || n > 2)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v < 1 || v > 64)
		return -1;
	*out = v;
	return 0;
}

/* "sha256:", "sha384:" or "sha512:" and that many hex digits; anything
 * else is a file name. */
static int
is_digest_arg(const char *s)
{
	static const struct {
		const char *prefix;
		size_t hex;
	} forms[] = { { "sha256:", 64 }, { "sha384:", 96 }, { "sha512:", 128 } };
	size_t i, k;

	for (k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
		if (strncmp(s, forms[k].prefix, 7) != 0 ||
		    strlen(s) != 7 + forms[k].hex)
			continue;
		for (i = 7; i < 7 + forms[k].hex; i++)
			if (!((s[i] >= '0' && s[i] <= '9') ||
			      (s[i] >= 'a' && s[i] <= 'f') ||
			      (s[i] >= 'A' && s[i] <= 'F')))
				return 0;
		return 1;
	}
	return 0;
}

enum {
	OPT_BUNDLE = 256, OPT_ID, OPT_ID_RE, OPT_ISS, OPT_ISS_RE, OPT_KEY,
	OPT_MIN_TIMES
};

static const struct option long_opts[] = {
	{ "bundle", required_argument, NULL, OPT_BUNDLE },
	{ "certificate-identity", required_argument, NULL, OPT_ID },
	{ "certificate-identity-regexp", required_argument, NULL, OPT_ID_RE },
	{ "certificate-oidc-issuer", required_argument, NULL, OPT_ISS },
	{ "certificate-oidc-issuer-regexp", required_argument, NULL, OPT_ISS_RE },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "trusted-root", required_argument, NULL, TRUST_OPT_ROOT },
	{ "staging", no_argument, NULL, TRUST_OPT_STAGING },
	TRUST_LONG_OPTS,
	{ "min-verified-times", required_argument, NULL, OPT_MIN_TIMES },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_verify_bundle(int argc, char **argv)
{
	const char *bundle_path = NULL, *identity = NULL, *issuer = NULL;
	const char *key_path = NULL, *subject;
	int id_mode = PYVERIFY_MATCH_EXACT, iss_mode = PYVERIFY_MATCH_EXACT;
	int c, rc, exit_code = EXIT_USAGE;
	struct trust_opts topts = { 0 };
	pyverify_trust_root *root = NULL;
	pyverify_bundle *bundle = NULL;
	pyverify_policy *policy = NULL;
	pyverify_artifact artifact;
	pyverify_result res;
	pyverify_error err;
	char *key_pem = NULL, when[32];
	unsigned min_times = 1;
	size_t key_len = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		rc = trust_option(&topts, c, optarg, "pyverify verify-bundle");
		if (rc < 0)
			return EXIT_USAGE;
		if (rc > 0)
			continue;
		switch (c) {
		case OPT_BUNDLE: bundle_path = optarg; break;
		case OPT_ID: identity = optarg; id_mode = PYVERIFY_MATCH_EXACT; break;
		case OPT_ID_RE: identity = optarg; id_mode = PYVERIFY_MATCH_REGEX; break;
		case OPT_ISS: issuer = optarg; iss_mode = PYVERIFY_MATCH_EXACT; break;
		case OPT_ISS_RE: issuer = optarg; iss_mode = PYVERIFY_MATCH_REGEX; break;
		case OPT_KEY: key_path = optarg; break;
		case OPT_MIN_TIMES:
			if (parse_count(optarg, &min_times) != 0) {
				fprintf(stderr, "pyverify verify-bundle: "
				                "--min-verified-times takes a "
				                "number from 1 to 64\n");
				return EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return 0;
		default:
			cli_line(stderr, "pyverify verify-bundle: unknown or "
			                 "incomplete option '%s'",
			         argv[optind - 1]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || bundle_path == NULL ||
	    (key_path == NULL && (identity == NULL || issuer == NULL)) ||
	    (key_path != NULL && (identity != NULL || issuer != NULL))) {
		fprintf(stderr, "pyverify verify-bundle: %s\n",
		        optind != argc - 1
		            ? "exactly one FILE_OR_DIGEST is required"
		        : bundle_path == NULL ? "--bundle FILE is required"
		        : key_path != NULL
		            ? "--key excludes --certificate-identity and "
		              "--certificate-oidc-issuer"
		            : "both --certificate-identity and "
		              "--certificate-oidc-issuer are required (or --key)");
		usage(stderr);
		return EXIT_USAGE;
	}
	subject = argv[optind];
	if (trust_env(&topts, "pyverify verify-bundle") != 0)
		return EXIT_USAGE;

	if (pyverify_policy_new(&policy, &err) != 0)
		goto report;
	if (pyverify_policy_set_min_verified_times(policy, min_times, &err) !=
	    0) {
		cli_line(stderr, "pyverify: %s", err.msg);
		goto done;
	}
	if (key_path != NULL) {
		char why[PYVERIFY_ERROR_MSG_SIZE];
		if (read_small_file(key_path, &key_pem, &key_len, why,
		                    sizeof(why)) != 0) {
			cli_line(stderr, "pyverify: %s", why);
			goto done;
		}
		/* Read but not a usable key: a rejection at [key] (exit 1),
		 * like a malformed bundle; only unreadable input is exit 2. */
		if (pyverify_policy_set_key_pem(policy, key_pem, key_len,
		                                &err) != 0) {
			name_file(&err, "key", key_path);
			goto report;
		}
	} else if (pyverify_policy_add_identity(policy, identity, id_mode,
	                                        issuer, iss_mode, &err) != 0) {
		cli_line(stderr, "pyverify: %s", err.msg);
		goto done;
	}

	/* A file is hashed once the bundle is read, with the algorithm the
	 * bundle signs (one pass); a digest is only parsed here. */
	rc = is_digest_arg(subject)
	         ? pyverify_artifact_from_digest(&artifact, subject, &err)
	         : 0;
	if (rc != 0) {
		cli_line(stderr, "pyverify: %s", err.msg);
		goto done;
	}
	/* As for the bundle: a trusted root that cannot be read is exit 2,
	 * one that was read and refused is a rejection at [trust-root]. */
	memset(&err, 0, sizeof(err));
	rc = trust_load(&root, &topts, &err);
	if (rc != 0 && err.code != PYVERIFY_OK)
		goto report;
	if (rc != 0) {
		exit_code = rc;
		goto done;
	}
	rc = pyverify_bundle_load_file(&bundle, bundle_path, &err);
	if (rc == 0 && !is_digest_arg(subject) &&
	    pyverify_artifact_from_file_for(&artifact, subject, bundle,
	                                    &err) != 0) {
		cli_line(stderr, "pyverify: %s", err.msg);
		goto done;
	}
	if (rc == 0)
		rc = pyverify_verify(root, bundle, &artifact, policy, &res, &err);
	if (rc != 0)
		goto report;
	pv_format_rfc3339(when, res.signing_time);
	/* Names, identity and issuer come from outside (the certificate's
	 * SAN may hold any IA5 byte): cli_line keeps this one line. */
	if (key_path != NULL)
		cli_line(stdout, "OK %s: signed with the key in %s at %s, log "
		         "index %lld", subject, key_path, when,
		         (long long)res.log_index);
	else
		cli_line(stdout, "OK %s: signed by %s (issuer %s) at %s, log "
		         "index %lld", subject, res.identity, res.issuer, when,
		         (long long)res.log_index);
	exit_code = EXIT_VERIFIED;
	goto done;
report:
	/* One line: which step failed and why. The artifact may be a
	 * digest, so it is named as the user wrote it. */
	cli_line(stderr, "FAILED %s: [%s] %s", subject,
	         pyverify_step_code(err.step), err.msg);
	exit_code = cli_exit_code(err.code);
done:
	pyverify_bundle_free(bundle);
	pyverify_trust_root_free(root);
	pyverify_policy_free(policy);
	free(key_pem);
	return exit_code;
}
