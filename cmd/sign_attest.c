/* sign_attest.c - `pyverify attest --predicate-type URI --predicate FILE
 * ARTIFACT...`: one in-toto v1 statement naming every artifact (name: its
 * basename, digest: sha256) with the given predicate, signed once as a
 * DSSE envelope; the one bundle is written beside each artifact as
 * ARTIFACT.intoto.sigstore, so each verifies on its own. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sign_cli.h"
#include "util/json.h"
#include "util/util.h"

#define ATTEST_SUFFIX ".intoto.sigstore"
/* SLSA provenance for a large build is tens of KB; the bundle carrying
 * it (base64, log entry) must stay below PV_MAX_BUNDLE_BYTES. */
#define MAX_PREDICATE_BYTES (2u << 20)

enum { OPT_PRED_TYPE = 600, OPT_PREDICATE };

static const struct option long_opts[] = {
	{ "predicate-type", required_argument, NULL, OPT_PRED_TYPE },
	{ "predicate", required_argument, NULL, OPT_PREDICATE },
	SIGN_LONG_OPTS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: pyverify attest --predicate-type URI --predicate FILE "
	    "[options]\n"
	    "           ARTIFACT...\n"
	    "\n"
	    "Makes one in-toto v1 statement about the ARTIFACTs (subjects: "
	    "basename and\n"
	    "SHA-256) with the predicate in FILE (a JSON object, at most 2 "
	    "MiB), signs it\n"
	    "once as a DSSE envelope (application/vnd.in-toto+json) and "
	    "writes the bundle\n"
	    "beside each artifact as ARTIFACT" ATTEST_SUFFIX "; each "
	    "verifies with\n"
	    "'pyverify verify-bundle --bundle ARTIFACT" ATTEST_SUFFIX
	    " ... ARTIFACT'.\n"
	    "\n"
	    "  --predicate-type URI  e.g. https://slsa.dev/provenance/v1\n"
	    "  --predicate FILE   the predicate, a JSON object\n"
	    "  --bundle OUT       write the bundle once, to OUT, instead\n\n");
	sign_usage_common(f);
	fprintf(f,
	    "\n"
	    "example:\n"
	    "  pyverify attest --predicate-type https://slsa.dev/provenance/v1 "
	    "\\\n"
	    "      --predicate provenance.json Python-3.14.0.tgz "
	    "Python-3.14.0.tar.xz\n");
}

/* A URI: a scheme (letter, then letters, digits, + - .), ':', then
 * printable ASCII without spaces. */
static int
is_uri(const char *s)
{
	size_t i = 0, n = strlen(s);

	if (n == 0 || n > PV_MAX_VALUE_STRING ||
	    !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	while (i < n && s[i] != ':') {
		char ch = s[i++];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '+' || ch == '-' ||
		      ch == '.'))
			return 0;
	}
	if (i == n || i + 1 == n)
		return 0;
	for (; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

static int
load_predicate(json_t **out, const char *path, const char *prog)
{
	struct pv_json_bounds b = PV_JSON_BOUNDS(MAX_PREDICATE_BYTES);
	char why[PYVERIFY_ERROR_MSG_SIZE];
	json_error_t jerr;
	uint8_t *buf = NULL;
	size_t len = 0;
	enum pv_json_refusal r;

	if (pv_file_read(&buf, &len, path, 0, MAX_PREDICATE_BYTES,
	                 "predicate", why, sizeof(why)) != 0) {
		cli_line(stderr, "%s: %s", prog, why);
		return EXIT_USAGE;
	}
	r = pv_json_intake(out, buf, len, &b, &jerr);
	free(buf);
	if (r != PV_JSON_ACCEPTED) {
		cli_line(stderr, "%s: predicate %s is not a JSON object%s%s",
		         prog, path, r == PV_JSON_INVALID ? ": " : "",
		         r == PV_JSON_INVALID ? pv_json_syntax_error(&jerr)
		                              : "");
		return EXIT_USAGE;
	}
	return 0;
}

/* The statement's compact JSON text (malloc'd), subjects in argument
 * order. */
static int
statement(char **out, char **files, size_t n, const char *type,
          json_t *predicate, const char *prog)
{
	json_t *st = json_object(), *subjects = json_array();
	pyverify_artifact art;
	pyverify_error err;
	char hex[65];
	size_t i;
	int rc = EXIT_USAGE;

	if (st == NULL || subjects == NULL)
		goto done;
	for (i = 0; i < n; i++) {
		if (pyverify_artifact_from_file(&art, files[i], &err) != 0) {
			cli_line(stderr, "%s: %s", prog, err.msg);
			goto done;
		}
		pv_hex_encode(hex, art.sha256, 32);
		if (json_array_append_new(
		        subjects,
		        json_pack("{s:s, s:{s:s}}", "name",
		                  pyverify_release_basename(files[i]),
		                  "digest", "sha256", hex)) != 0) {
			cli_line(stderr, "%s: %s: the name is not UTF-8", prog,
			         files[i]);
			goto done;
		}
	}
	if (json_object_set_new(st, "_type",
	                        json_string("https://in-toto.io/Statement/v1"))
	        != 0 ||
	    json_object_set(st, "subject", subjects) != 0 ||
	    json_object_set_new(st, "predicateType", json_string(type)) != 0 ||
	    json_object_set(st, "predicate", predicate) != 0)
		goto done;
	*out = json_dumps(st, JSON_COMPACT);
	rc = *out != NULL ? 0 : EXIT_USAGE;
done:
	json_decref(subjects);
	json_decref(st);
	return rc;
}

int
cmd_attest(int argc, char **argv)
{
	struct sign_cli c;
	struct sign_ctx x;
	const char *type = NULL, *pred_path = NULL;
	json_t *predicate = NULL;
	char **dest = NULL, *payload = NULL, *bundle = NULL;
	char **bundles = NULL;
	size_t n, ndest, i;
	pyverify_error err;
	int opt, rc;

	memset(&c, 0, sizeof(c));
	memset(&x, 0, sizeof(x));
	c.prog = "pyverify attest";
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		if (opt == OPT_PRED_TYPE || opt == OPT_PREDICATE) {
			*(opt == OPT_PRED_TYPE ? &type : &pred_path) = optarg;
			continue;
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
	if (n == 0 || type == NULL || pred_path == NULL || !is_uri(type) ||
	    (c.bundle_out != NULL && c.output_dir != NULL)) {
		cli_line(stderr, "%s: %s", c.prog,
		         n == 0              ? "no ARTIFACT to attest"
		         : type == NULL      ? "--predicate-type URI is required"
		         : pred_path == NULL ? "--predicate FILE is required"
		         : !is_uri(type)
		             ? "--predicate-type must be a URI "
		               "(https://slsa.dev/provenance/v1)"
		             : "--bundle and --output-dir exclude each other");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (trust_env(&c.trust, c.prog) != 0)
		return EXIT_USAGE;
	if ((rc = load_predicate(&predicate, pred_path, c.prog)) != 0)
		return rc;

	ndest = c.bundle_out != NULL ? 1 : n;
	rc = sign_prepare_destinations(&c, argv + optind, ndest, ATTEST_SUFFIX,
	                               &dest, &bundles);
	if (rc == 0)
		rc = statement(&payload, argv + optind, n, type, predicate,
		               c.prog);
	if (rc == 0)
		rc = sign_setup(&x, &c);
	if (rc == 0 && c.dry_run) {
		for (i = 0; i < ndest; i++)
			cli_line(stdout, "  would write:          %s",
			         dest[i]);
	} else if (rc == 0) {
		if (pyverify_sign_dsse(x.signer, "application/vnd.in-toto+json",
		                       payload, strlen(payload), &bundle,
		                       &err) != 0) {
			rc = sign_fail(&c, &err);
		} else {
			/* One signature; the same bundle beside each
			 * artifact. */
			for (i = 0; i < ndest; i++)
				bundles[i] = bundle;
			rc = sign_write_bundles(&c, dest, bundles, ndest);
		}
	}
	for (i = 0; dest != NULL && i < ndest; i++)
		free(dest[i]);
	free(dest);
	free(bundles);
	free(bundle);
	free(payload);
	json_decref(predicate);
	sign_teardown(&x);
	return rc;
}
