/* release.c - `pyverify [options] ARTIFACT...`: is this CPython release
 * file what python.org published? One verdict line per artifact (issue #4),
 * plus the pieces `pyverify scan` shares (release_cli.h). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"
#include "cli.h"
#include "release_cli.h"

void
rel_usage(FILE *f)
{
	fprintf(f,
	    "usage: pyverify [options] ARTIFACT...\n"
	    "       pyverify scan [options] DIR... | --manifest FILE\n"
	    "       pyverify verify-bundle | trust ...  (pyverify --help)\n"
	    "\n"
	    "  pyverify Python-3.14.0.tgz\n"
	    "\n"
	    "Checks that CPython release files (Python-3.14.0.tgz, "
	    "python-3.13.1-amd64.exe,\n"
	    "...) were signed by their release manager. The version "
	    "comes from the\n"
	    "file name; who must have signed it comes from the CPython policy. "
	    "The Sigstore\n"
	    "bundle is looked for beside each file: ARTIFACT.sigstore, then\n"
	    "ARTIFACT.sigstore.json.\n"
	    "\n"
	    "  pyverify --digest sha256:HEX --bundle B.sigstore Python-3.14.0.tgz\n"
	    "\n"
	    "options:\n"
	    "  --bundle FILE      the bundle to use (one ARTIFACT only)\n"
	    "  --digest sha256:HEX\n"
	    "                     the artifact's SHA-256; the file need not exist "
	    "and its\n"
	    "                     name only selects the policy (one ARTIFACT "
	    "only)\n");
	rel_common_usage(f);
	fprintf(f,
	    "\n"
	    "statuses (one line each: STATUS ARTIFACT: details):\n"
	    "  verified         the bundle verifies; the line names the signer\n"
	    "  failed           it does not (wrong signer, tampered file, bad "
	    "bundle):\n"
	    "                   the line names the step that failed and why\n"
	    "  legacy-pgp-only  no Sigstore material, the release predates "
	    "Sigstore\n"
	    "                   signing and a PGP .asc lies beside it (not "
	    "checked here)\n"
	    "  missing          no Sigstore material although the release was "
	    "published\n"
	    "                   with it, or nothing at all to verify\n"
	    "  unknown-release  not a CPython file name, or a series the policy "
	    "lacks\n"
	    "\n"
	    "exit status: 0 every artifact verified; 1 some failed; 3 none "
	    "failed but some\n"
	    "are legacy-pgp-only, missing or unknown-release; 2 usage error or "
	    "unusable\n"
	    "policy or trusted root.\n"
	    "\n"
	    "Whole mirror trees and manifests, in parallel: 'pyverify scan "
	    "--help'.\n");
}

/* ---- shared options -------------------------------------------------------- */

void
rel_common_usage(FILE *f)
{
	fprintf(f,
	    "  --policy FILE      the CPython signing policy (default: the one "
	    "installed\n"
	    "                     with pyverify, %s;\n"
	    "                     a binary run from its build directory uses "
	    "the source\n"
	    "                     tree's " PYVERIFY_RELEASE_POLICY_SOURCE ")\n"
	    "  --certificate-identity ID --certificate-oidc-issuer URL\n"
	    "                     accept this signer instead of the policy's "
	    "(exact match;\n"
	    "                     both together; for a series the policy does "
	    "not know yet)\n"
	    "  --trusted-root FILE  Sigstore trusted_root.json (default: see "
	    "'trust' below);\n"
	    "                     --staging for Sigstore's staging instance\n"
	    "  --allow-legacy-pgp treat legacy-pgp-only as a pass (exit 0) for "
	    "builds of\n"
	    "                     old releases; the PGP signature is NOT "
	    "checked\n"
	    "  -q, --quiet        print only the artifacts that did not pass\n"
	    "  --json             one JSON object per artifact and line: "
	    "artifact, status,\n"
	    "                     version, kind, identity, issuer, expected, "
	    "sha256, bundle,\n"
	    "                     log_index, integrated_time, signing_time, "
	    "error {step,\n"
	    "                     message} (when failed), note; absent values "
	    "are null\n"
	    "  -h, --help         this help\n",
	    pyverify_release_policy_installed_path());
	fputc('\n', f);
	trust_usage(f);
}

int
rel_common_option(struct rel_opts *o, int c, const char *arg)
{
	int t = trust_option(&o->trust, c, arg, "pyverify");

	if (t != 0) {
		o->trust_bad |= t < 0;
		return 1;
	}
	switch (c) {
	case REL_OPT_POLICY: o->policy_path = arg; return 1;
	case REL_OPT_ID: o->identity = arg; return 1;
	case REL_OPT_ISS: o->issuer = arg; return 1;
	case REL_OPT_LEGACY: o->allow_legacy = 1; return 1;
	case REL_OPT_JSON: o->json = 1; return 1;
	case 'q': o->quiet = 1; return 1;
	default: return 0;
	}
}

int
rel_check_opts(struct rel_opts *o, const char *prog)
{
	if (o->trust_bad || trust_env(&o->trust, prog) != 0)
		return -1;
	if ((o->identity == NULL) != (o->issuer == NULL)) {
		fprintf(stderr, "%s: --certificate-identity and "
		                "--certificate-oidc-issuer go together\n", prog);
		return -1;
	}
	if ((o->identity != NULL && o->identity[0] == '\0') ||
	    (o->issuer != NULL && o->issuer[0] == '\0')) {
		fprintf(stderr, "%s: empty --certificate-identity or "
		                "--certificate-oidc-issuer\n", prog);
		return -1;
	}
	return 0;
}

/* ---- policy and trusted root ---------------------------------------------- */

static int
is_regular(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
rel_ctx_init(struct rel_ctx *ctx, const struct rel_opts *o)
{
	char path[PATH_MAX + 64];
	pyverify_error err;

	memset(ctx, 0, sizeof(*ctx));
	ctx->o = *o;
	if (o->policy_path != NULL)
		snprintf(path, sizeof(path), "%s", o->policy_path);
	else
		pyverify_release_policy_default_path(path, sizeof(path));
	/* A broken or absent policy is an error, never an empty policy. */
	if (pyverify_release_policy_load_file(&ctx->policy, path, &err) != 0) {
		cli_line(stderr, "pyverify: cannot use the CPython policy %s: %s",
		         path, err.msg);
		return -1;
	}
	return 0;
}

void
rel_ctx_free(struct rel_ctx *ctx)
{
	pyverify_release_policy_free(ctx->policy);
	pyverify_trust_root_free(ctx->root);
	ctx->policy = NULL;
	ctx->root = NULL;
}

int
rel_need_root(struct rel_ctx *ctx)
{
	if (!ctx->root_tried) {
		ctx->root_tried = 1;
		if (trust_load(&ctx->root, &ctx->o.trust, NULL) != 0)
			ctx->root = NULL;
	}
	return ctx->root != NULL ? 0 : -1;
}

/* ---- material ------------------------------------------------------------- */

static char *
join(const char *base, const char *suffix)
{
	size_t a = strlen(base), b = strlen(suffix);
	char *p = malloc(a + b + 1);

	if (p != NULL) {
		memcpy(p, base, a);
		memcpy(p + a, suffix, b + 1);
	}
	return p;
}

static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int
rel_find_material(struct rel_item *it, const char *base)
{
	/* SPEC 6.1: F.sigstore is the bundle python.org publishes; some
	 * tools name it F.sigstore.json. */
	static const char *const bundles[] = { ".sigstore", ".sigstore.json" };
	char *p;
	size_t i;

	for (i = 0; i < 2 && it->bundle_path == NULL; i++) {
		p = join(base, bundles[i]);
		if (p == NULL)
			return -1;
		if (exists(p))
			it->bundle_path = p;
		else
			free(p);
	}
	if ((p = join(base, ".asc")) == NULL)
		return -1;
	it->has_asc = is_regular(p);
	free(p);
	if ((p = join(base, ".sig")) == NULL)
		return -1;
	it->has_detached = is_regular(p);
	free(p);
	if ((p = join(base, ".crt")) == NULL)
		return -1;
	it->has_detached = it->has_detached && is_regular(p);
	free(p);
	return 0;
}

void
rel_item_clear(struct rel_item *it)
{
	free(it->artifact);
	free(it->file);
	free(it->bundle_path);
	free(it->input_error);
	memset(it, 0, sizeof(*it));
}

int
rel_is_cpython_name(const char *path)
{
	if (path == NULL)
		return 0;
	return pyverify_release_parse_name(NULL, NULL,
	                                   pyverify_release_basename(path)) == 0;
}

void
rel_evaluate(pyverify_release_verdict *v, const struct rel_ctx *ctx,
             const struct rel_item *it)
{
	pyverify_release_input in = { 0 };
	pyverify_bundle *bundle = NULL;
	pyverify_artifact digest;
	pyverify_error err;
	struct stat st;

	in.artifact = it->artifact;
	in.bundle_path = it->bundle_path;
	in.has_asc = it->has_asc;
	in.has_detached = it->has_detached;
	in.identity = ctx->o.identity;
	in.issuer = ctx->o.issuer;
	if (it->has_digest) {
		digest = it->digest;
		in.digest = &digest;
	}
	/* Files are only read for CPython names; others are unknown-release
	 * whatever lies beside them. */
	if (!rel_is_cpython_name(it->artifact)) {
		in.bundle_path = NULL;
		goto decide;
	}
	if (it->input_error != NULL) {
		pv_fail(&err, PYVERIFY_EPARSE, PYVERIFY_STEP_ARTIFACT, "%s",
		        it->input_error);
		in.material_error = &err;
		goto decide;
	}
	if (!it->has_digest && it->file != NULL && it->bundle_path == NULL &&
	    stat(it->file, &st) != 0) {
		/* A typo must not read as "missing bundle". */
		pv_fail(&err, PYVERIFY_EIO, PYVERIFY_STEP_ARTIFACT,
		        "cannot open artifact %s: %s", it->file,
		        strerror(errno));
		in.material_error = &err;
		goto decide;
	}
	if (it->bundle_path != NULL) {
		if (!it->has_digest && it->file == NULL) {
			pv_fail(&err, PYVERIFY_EUSAGE, PYVERIFY_STEP_ARTIFACT,
			        "no SHA-256 for %s: the file is not here and "
			        "no digest was given", it->artifact);
			in.material_error = &err;
			goto decide;
		}
		if (pyverify_bundle_load_file(&bundle, it->bundle_path,
		                              &err) != 0) {
			in.material_error = &err;
			goto decide;
		}
		in.bundle = bundle;
		/* Hashed once, with the algorithm the bundle signs. */
		if (!it->has_digest) {
			if (pyverify_artifact_from_file_for(&digest, it->file,
			                                    bundle, &err) != 0) {
				in.material_error = &err;
				goto decide;
			}
			in.digest = &digest;
		}
	}
decide:
	/* The return code is also in the verdict (failed) for ENOMEM and
	 * contract errors; the verdict alone decides. */
	(void)!pyverify_release_verify(v, ctx->root, ctx->policy, &in);
	pyverify_bundle_free(bundle);
}

/* ---- output --------------------------------------------------------------- */

char *
rel_format(const pyverify_release_verdict *v, const struct rel_opts *o, int *oom)
{
	char *buf = NULL, when[32], *json;
	size_t len = 0;
	FILE *f;

	*oom = 0;
	if (o->quiet && pyverify_release_verdict_passes(v, o->allow_legacy))
		return NULL;
	if (o->json) {
		json = pyverify_release_verdict_json(v);
		if (json == NULL) {
			*oom = 1;
			return NULL;
		}
		buf = join(json, "\n");
		free(json);
		*oom = buf == NULL;
		return buf;
	}
	f = open_memstream(&buf, &len);
	if (f == NULL) {
		*oom = 1;
		return NULL;
	}
	fprintf(f, "%s ", pyverify_release_status_name(v->status));
	cli_put_clean(f, v->artifact);
	fputs(": ", f);
	if (v->status == PYVERIFY_RELEASE_VERIFIED) {
		pv_format_rfc3339(when, v->signing_time);
		fprintf(f, "%s signed by ", v->version);
		cli_put_clean(f, v->identity);
		fputs(" (", f);
		cli_put_clean(f, v->issuer);
		fprintf(f, ") at %s", when);
		if (v->log_index >= 0)
			fprintf(f, ", log index %lld", (long long)v->log_index);
		if (v->note[0] != '\0') {
			fputs("; ", f);
			cli_put_clean(f, v->note);
		}
	} else if (v->status == PYVERIFY_RELEASE_FAILED) {
		if (v->version[0] != '\0')
			fprintf(f, "%s ", v->version);
		fprintf(f, "[%s] ", pyverify_step_code(v->error.step));
		cli_put_clean(f, v->error.msg);
	} else {
		cli_put_clean(f, v->note);
	}
	fputc('\n', f);
	if (fclose(f) != 0) {
		free(buf);
		*oom = 1;
		return NULL;
	}
	return buf;
}

void
rel_count(struct rel_counts *c, const pyverify_release_verdict *v)
{
	if ((unsigned)v->status >= PYVERIFY_RELEASE_VERIFIED &&
	    (unsigned)v->status <= PYVERIFY_RELEASE_UNKNOWN_RELEASE)
		c->n[v->status]++;
	else
		c->n[PYVERIFY_RELEASE_FAILED]++; /* never a pass by omission */
	c->total++;
}

void
rel_count_outcome(struct rel_counts *c, const pyverify_release_verdict *v, int lost)
{
	if (v == NULL || lost) {
		c->n[PYVERIFY_RELEASE_FAILED]++;
		c->total++;
		return;
	}
	rel_count(c, v);
}

int
rel_exit_status(const struct rel_counts *c, int allow_legacy)
{
	unsigned long unverified;

	if (c->n[PYVERIFY_RELEASE_FAILED] > 0)
		return REL_EXIT_FAILED;
	unverified = c->n[PYVERIFY_RELEASE_MISSING] +
	             c->n[PYVERIFY_RELEASE_UNKNOWN_RELEASE] +
	             (allow_legacy ? 0 : c->n[PYVERIFY_RELEASE_LEGACY_PGP_ONLY]);
	/* Nothing checked is not "verified". */
	if (unverified > 0 || c->n[PYVERIFY_RELEASE_VERIFIED] +
	                              c->n[PYVERIFY_RELEASE_LEGACY_PGP_ONLY] == 0)
		return REL_EXIT_UNVERIFIED;
	return REL_EXIT_VERIFIED;
}

/* ---- the command ---------------------------------------------------------- */

static const struct option long_opts[] = {
	{ "bundle", required_argument, NULL, 'b' },
	{ "digest", required_argument, NULL, 'd' },
	REL_COMMON_LONG_OPTS,
	{ NULL, 0, NULL, 0 },
};

int
cmd_release(int argc, char **argv)
{
	struct rel_opts o = { 0 };
	struct rel_ctx ctx;
	struct rel_counts counts = { 0 };
	pyverify_release_verdict *v = NULL;
	struct rel_item *items = NULL;
	size_t n = 0, k;
	int need_root = 0;
	const char *bundle_arg = NULL, *digest_arg = NULL;
	pyverify_artifact digest;
	pyverify_error err;
	struct stat st;
	int c, i, oom, exit_code = REL_EXIT_USAGE, have_ctx = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "qh", long_opts, NULL)) != -1) {
		if (rel_common_option(&o, c, optarg))
			continue;
		switch (c) {
		case 'b': bundle_arg = optarg; break;
		case 'd': digest_arg = optarg; break;
		case 'h': rel_usage(stdout); return 0;
		default:
			cli_line(stderr, "pyverify: unknown or incomplete option "
			                 "'%s'", argv[optind - 1]);
			fprintf(stderr, "'pyverify --help' lists the options.\n");
			return REL_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "pyverify: no ARTIFACT given "
		                "(e.g. pyverify Python-3.14.0.tgz; "
		                "see pyverify --help)\n");
		return REL_EXIT_USAGE;
	}
	if (rel_check_opts(&o, "pyverify") != 0)
		return REL_EXIT_USAGE;
	if ((bundle_arg != NULL || digest_arg != NULL) && argc - optind != 1) {
		fprintf(stderr, "pyverify: --bundle and --digest apply to one "
		                "ARTIFACT, %d given\n", argc - optind);
		return REL_EXIT_USAGE;
	}
	if (digest_arg != NULL &&
	    pyverify_artifact_from_digest(&digest, digest_arg, &err) != 0) {
		cli_line(stderr, "pyverify: --digest: %s", err.msg);
		return REL_EXIT_USAGE;
	}
	for (i = optind; i < argc; i++) {
		if (argv[i][0] == '\0' ||
		    (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))) {
			cli_line(stderr, "pyverify: '%s' is not a file (for a "
			                 "directory use 'pyverify scan %s')",
			         argv[i], argv[i]);
			return REL_EXIT_USAGE;
		}
	}
	if (rel_ctx_init(&ctx, &o) != 0)
		return REL_EXIT_USAGE;
	have_ctx = 1;
	n = (size_t)(argc - optind);
	items = calloc(n, sizeof(*items));
	v = malloc(sizeof(*v));
	if (items == NULL || v == NULL)
		goto nomem;
	for (k = 0; k < n; k++) {
		struct rel_item *it = &items[k];
		const char *arg = argv[optind + (int)k];

		if ((it->artifact = strdup(arg)) == NULL)
			goto nomem;
		if (digest_arg != NULL) {
			it->has_digest = 1;
			it->digest = digest;
		} else if ((it->file = strdup(arg)) == NULL) {
			goto nomem;
		}
		if (bundle_arg != NULL &&
		    (it->bundle_path = strdup(bundle_arg)) == NULL)
			goto nomem;
		/* The .asc check runs even with --bundle, for the notes. */
		if (rel_find_material(it, arg) != 0)
			goto nomem;
		need_root |= it->bundle_path != NULL && rel_is_cpython_name(arg);
	}
	/* Only bundles need the trusted root: building an old release with
	 * --allow-legacy-pgp works without one. Loaded before any output, so
	 * a bad root never leaves half a report. */
	if (need_root && rel_need_root(&ctx) != 0)
		goto done;
	for (k = 0; k < n; k++) {
		char *line;

		rel_evaluate(v, &ctx, &items[k]);
		rel_count(&counts, v);
		line = rel_format(v, &o, &oom);
		if (oom)
			goto nomem;
		if (line != NULL) {
			fputs(line, stdout);
			free(line);
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "pyverify: cannot write the results\n");
		exit_code = REL_EXIT_FAILED;
		goto done;
	}
	exit_code = rel_exit_status(&counts, o.allow_legacy);
	goto done;
nomem:
	fprintf(stderr, "pyverify: out of memory\n");
	exit_code = REL_EXIT_FAILED;
done:
	for (k = 0; items != NULL && k < n; k++)
		rel_item_clear(&items[k]);
	free(items);
	free(v);
	if (have_ctx)
		rel_ctx_free(&ctx);
	return exit_code;
}
