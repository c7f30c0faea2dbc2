/* trust.c - `pyverify trust update|show|import`: keep the trusted root
 * current through TUF, say which one is in use and why, or pin a file. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "util/util.h"

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: pyverify trust update [--staging] [--tuf-url URL "
	        "[--tuf-root ROOT.json]]\n"
	        "                             [--ca-bundle FILE]\n"
	        "       pyverify trust show [--staging] [--offline] "
	        "[TRUST OPTIONS]\n"
	        "       pyverify trust import [--staging] FILE\n"
	        "\n"
	        "update  refreshes the trusted root now from the TUF "
	        "repository (Sigstore's,\n"
	        "        or the one --tuf-url names), verifying every step "
	        "from the pinned\n"
	        "        root of trust, and prints the repository, the "
	        "metadata versions and\n"
	        "        expiry, and what changed in the trusted root (logs, "
	        "CT logs, CAs,\n"
	        "        timestamp authorities added or removed). Run it once "
	        "before building\n"
	        "        offline (--offline, PYVERIFY_OFFLINE=1).\n"
	        "show    prints which trusted root verification uses and "
	        "where it came\n"
	        "        from (an option, an imported or system file, or the "
	        "TUF cache with\n"
	        "        its versions, expiry and last refresh). Never uses "
	        "the network.\n"
	        "import  validates FILE as a Sigstore trusted root "
	        "(trusted_root.json)\n"
	        "        and installs it in your data directory "
	        "($XDG_DATA_HOME/pyverify,\n"
	        "        else ~/.local/share/pyverify), where it takes "
	        "precedence over TUF:\n"
	        "        for air-gapped sites; nothing keeps it current.\n"
	        "\n"
	        "A private Sigstore deployment: --tuf-url URL --tuf-root "
	        "ROOT.json (its\n"
	        "initial root.json, used on first contact; $PYVERIFY_TUF_URL, "
	        "$PYVERIFY_TUF_ROOT).\n"
	        "http:// URLs are accepted for loopback addresses only.\n"
	        "\n");
	trust_usage(f);
	fprintf(f, "\nExit status: 0 done; 1 the repository's metadata was "
	           "refused (the cache keeps\nthe last good state); 2 usage "
	           "error, no network, nothing usable.\n");
}

/* Installs exactly the validated bytes (not whatever the source file holds
 * by the time it would be copied), atomically. A trusted root is public:
 * the mode is 0644 less the umask (the CLI is one thread here, so reading
 * the umask back is safe). */
static int
install_bytes(const uint8_t *buf, size_t len, const char *dst)
{
	mode_t mask = umask(022);

	umask(mask);
	return pv_file_write_atomic(dst, buf, len, 0644 & ~mask);
}

static int
trust_import(const char *file, int staging)
{
	pyverify_trust_root *root = NULL;
	pyverify_error err;
	char dst[4096], why[PYVERIFY_ERROR_MSG_SIZE];
	uint8_t *buf = NULL;
	size_t len = 0;

	if (pv_file_read(&buf, &len, file, 0, PV_MAX_TRUST_ROOT_BYTES,
	                 "trusted root", why, sizeof(why)) != 0) {
		cli_line(stderr, "pyverify: %s", why);
		return EXIT_USAGE;
	}
	/* Installed roots are checked whole, every certificate decoded, not
	 * only those a first verification would use. */
	if (pyverify_trust_root_load_memory(&root, buf, len, file, &err) != 0 ||
	    pyverify_trust_root_check(root, &err) != 0) {
		pyverify_trust_root_free(root);
		cli_line(stderr, "pyverify: %s is not a usable trusted root: %s",
		         file, err.msg);
		free(buf);
		return EXIT_REJECTED;
	}
	pyverify_trust_root_free(root);
	if (trust_user_path(dst, sizeof(dst), staging) != 0) {
		fprintf(stderr, "pyverify: no data directory: set HOME or "
		                "XDG_DATA_HOME\n");
		free(buf);
		return EXIT_USAGE;
	}
	if (pv_mkdir_parents(dst, 0700) != 0 || install_bytes(buf, len, dst) != 0) {
		cli_line(stderr, "pyverify: cannot install %s: %s", dst,
		         strerror(errno));
		free(buf);
		return EXIT_USAGE;
	}
	free(buf);
	cli_line(stdout, "installed %strusted root %s as %s",
	         staging ? "staging " : "", file, dst);
	cli_line(stdout, "it now takes precedence over TUF; nothing keeps it "
	         "current (remove it to return to TUF)");
	return 0;
}

static void
print_role(const char *name, const pyverify_tuf_role_info *r)
{
	char when[32];

	if (!r->present) {
		printf("  %-10s not cached\n", name);
		return;
	}
	pv_format_rfc3339(when, r->expires);
	printf("  %-10s version %llu, expires %s\n", name,
	       (unsigned long long)r->version, when);
}

static void
print_tuf(const pyverify_tuf_info *info, int64_t now)
{
	char when[32], age[64];

	cli_line(stdout, "repository: %s", info->url);
	cli_line(stdout, "cache: %s", info->cache_dir);
	printf("metadata:\n");
	print_role("root", &info->root);
	print_role("timestamp", &info->timestamp);
	print_role("snapshot", &info->snapshot);
	print_role("targets", &info->targets);
	if (info->last_refresh == 0)
		printf("last refresh: never\n");
	else {
		int64_t d = now - info->last_refresh;
		pv_format_rfc3339(when, info->last_refresh);
		if (d < 0)
			d = 0;
		if (d < 60)
			snprintf(age, sizeof(age), "less than a minute");
		else if (d < 7200)
			snprintf(age, sizeof(age), "%lld minutes",
			         (long long)(d / 60));
		else if (d < 172800)
			snprintf(age, sizeof(age), "%lld hours",
			         (long long)(d / 3600));
		else
			snprintf(age, sizeof(age), "%lld days",
			         (long long)(d / 86400));
		printf("last refresh: %s (%s ago)\n", when, age);
	}
	if (info->timestamp.present && info->timestamp.expires <= now)
		printf("note: the cached timestamp metadata has expired; the "
		       "next verification\n      refreshes it, or run "
		       "'pyverify trust update'\n");
}

static pyverify_trust_root *
load_quiet(const char *path)
{
	pyverify_trust_root *root = NULL;
	pyverify_error err;

	if (path[0] == '\0' ||
	    pyverify_trust_root_load_file(&root, path, &err) != 0)
		return NULL;
	return root;
}

static int
trust_update(const struct trust_opts *t)
{
	pyverify_tuf_options o;
	pyverify_tuf_info before, after;
	pyverify_trust_root *old_root = NULL, *new_root = NULL;
	struct trust_opts tuf_only = *t;
	struct trust_choice ch;
	pyverify_error err;
	char why[512];
	int64_t now = (int64_t)time(NULL);

	if (t->offline) {
		fprintf(stderr, "pyverify trust update: a trust update needs "
		                "the network; it cannot be --offline "
		                "(PYVERIFY_OFFLINE=1)\n");
		return EXIT_USAGE;
	}
	if (t->root_path != NULL) {
		fprintf(stderr, "pyverify trust update: --trusted-root names "
		                "a file; update refreshes a TUF repository\n");
		return EXIT_USAGE;
	}
	trust_tuf_options(&o, t);
	/* What was cached before, for the diff; a cache that does not check
	 * out is simply not compared with. */
	if (pyverify_tuf_status(&before, &o, &err) == 0)
		old_root = load_quiet(before.trusted_root_path);
	if (pyverify_tuf_update(&after, &o, &err) != 0) {
		cli_line(stderr, "pyverify trust update: %s", err.msg);
		pyverify_trust_root_free(old_root);
		return cli_exit_code(err.code);
	}
	print_tuf(&after, now);
	new_root = load_quiet(after.trusted_root_path);
	cli_line(stdout, "trusted root: %s", after.trusted_root_path);
	printf("  sha256 %s\n", after.trusted_root_sha256);
	if (new_root != NULL) {
		printf("  ");
		trust_print_summary(stdout, new_root);
		printf("\n");
	}
	if (after.signing_config_path[0] != '\0')
		cli_line(stdout, "signing config: %s",
		         after.signing_config_path);
	else
		printf("signing config: not published by this repository\n");
	if (new_root == NULL)
		printf("changes: the new trusted root does not load (see "
		       "'pyverify trust show')\n");
	else if (old_root == NULL)
		printf("changes: first fetch\n");
	else if (strcmp(before.trusted_root_sha256,
	                after.trusted_root_sha256) == 0)
		printf("changes: none (the trusted root is unchanged)\n");
	else {
		printf("changes:\n");
		if (trust_print_diff(stdout, old_root, new_root) == 0)
			printf("  (the file changed, but no log, CA or "
			       "timestamp authority was added or removed)\n");
	}
	pyverify_trust_root_free(old_root);
	pyverify_trust_root_free(new_root);
	/* Tell the user when the refreshed root is not the one verification
	 * will use. */
	tuf_only.root_path = NULL;
	if (trust_choose(&ch, &tuf_only, why, sizeof(why)) == 0 &&
	    ch.source != TRUST_SRC_TUF && ch.source != TRUST_SRC_TUF_CHOSEN)
		cli_line(stdout, "note: verification uses %s (%s), which takes "
		         "precedence over TUF", ch.path,
		         trust_source_name(ch.source));
	return 0;
}

static int
show_file(const struct trust_choice *ch, int staging)
{
	pyverify_trust_root *root = NULL;
	pyverify_error err;

	if (pyverify_trust_root_load_file(&root, ch->path, &err) != 0) {
		cli_line(stderr, "pyverify: cannot use trusted root %s (%s): %s",
		         ch->path, trust_source_name(ch->source), err.msg);
		return EXIT_USAGE;
	}
	cli_line(stdout, "%strusted root: %s", staging ? "staging " : "",
	         ch->path);
	cli_line(stdout, "source: %s%s", trust_source_name(ch->source),
	         ch->source == TRUST_SRC_IMPORTED
	             ? " ('pyverify trust import'; nothing keeps it current)"
	         : ch->source == TRUST_SRC_SYSTEM
	             ? " (installed by the site or distribution)"
	         : ch->source == TRUST_SRC_ENV
	             ? (staging ? " $PYVERIFY_STAGING_TRUSTED_ROOT"
	                        : " $PYVERIFY_TRUSTED_ROOT")
	             : " option");
	printf("contents: ");
	trust_print_summary(stdout, root);
	printf("\n");
	pyverify_trust_root_free(root);
	return 0;
}

static int
trust_show(const struct trust_opts *t)
{
	struct trust_choice ch;
	pyverify_tuf_options o;
	pyverify_tuf_info info;
	pyverify_trust_root *root = NULL;
	pyverify_error err;
	char why[512];
	int rc;

	if (trust_choose(&ch, t, why, sizeof(why)) != 0) {
		cli_line(stderr, "pyverify: %s", why);
		return EXIT_USAGE;
	}
	if (ch.source != TRUST_SRC_TUF && ch.source != TRUST_SRC_TUF_CHOSEN)
		return show_file(&ch, t->staging);
	trust_tuf_options(&o, t);
	rc = pyverify_tuf_status(&info, &o, &err);
	if (rc != 0 && info.url[0] == '\0') {
		cli_line(stderr, "pyverify: %s", err.msg);
		return EXIT_USAGE;
	}
	cli_line(stdout, "%strusted root: %s", t->staging ? "staging " : "",
	         info.trusted_root_path[0] != '\0' ? info.trusted_root_path
	                                           : "not yet fetched");
	cli_line(stdout, "source: %s", trust_source_name(ch.source));
	print_tuf(&info, (int64_t)time(NULL));
	if (rc != 0) {
		cli_line(stderr, "pyverify: %s", err.msg);
		return EXIT_USAGE;
	}
	if (info.trusted_root_path[0] == '\0') {
		printf("not yet fetched: run 'pyverify trust update%s' (or "
		       "just verify: it fetches\nwhen online)\n",
		       t->staging ? " --staging" : "");
		return t->offline ? EXIT_USAGE : 0;
	}
	printf("  sha256 %s\n", info.trusted_root_sha256);
	if (pyverify_trust_root_load_file(&root, info.trusted_root_path,
	                                  &err) != 0) {
		cli_line(stderr, "pyverify: the cached trusted root %s does "
		         "not load: %s; run 'pyverify trust update%s' to fetch "
		         "it again", info.trusted_root_path, err.msg,
		         t->staging ? " --staging" : "");
		return EXIT_USAGE;
	}
	printf("contents: ");
	trust_print_summary(stdout, root);
	printf("\n");
	pyverify_trust_root_free(root);
	return 0;
}

static const struct option long_opts[] = {
	{ "trusted-root", required_argument, NULL, TRUST_OPT_ROOT },
	{ "staging", no_argument, NULL, TRUST_OPT_STAGING },
	TRUST_LONG_OPTS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_trust(int argc, char **argv)
{
	struct trust_opts t = { 0 };
	const char *sub;
	int c, rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	sub = argv[1];
	optind = 1;
	opterr = 0;
	/* The verb is argv[1]; options follow it. */
	while ((c = getopt_long(argc - 1, argv + 1, "h", long_opts, NULL)) !=
	       -1) {
		rc = trust_option(&t, c, optarg, "pyverify trust");
		if (rc < 0)
			return EXIT_USAGE;
		if (rc > 0)
			continue;
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		cli_line(stderr, "pyverify trust: unknown or incomplete option "
		         "'%s'", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (trust_env(&t, "pyverify trust") != 0)
		return EXIT_USAGE;
	optind++; /* back to argv's numbering */
	if (strcmp(sub, "import") == 0 && optind == argc - 1 &&
	    t.root_path == NULL)
		return trust_import(argv[optind], t.staging);
	if (strcmp(sub, "show") == 0 && optind == argc)
		return trust_show(&t);
	if (strcmp(sub, "update") == 0 && optind == argc)
		return trust_update(&t);
	if (optind < argc)
		cli_line(stderr, "pyverify trust %s: unexpected argument '%s'",
		         sub, argv[optind]);
	usage(stderr);
	return EXIT_USAGE;
}
