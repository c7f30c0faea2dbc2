/*
 * test_cli_release_hostile.c - `pyverify ARTIFACT...` and the mirror hook
 * given hostile names and files: option-like paths, terminal controls in
 * names, paths and arguments, a text file as bundle.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "cli_fx.h"
#include "testdata.h"
#include "vsigstore.h"

#define ID CFX_ID
#define ISS CFX_ISS
#define RUN CFX_RUN

/* ---- hostile input ---------------------------------------------------------- */

/* The mirror hook passes synced paths to pyverify; a path that looks like
 * an option ("--help", "--manifest=x") must be taken as a path, or a file
 * named "--help" would be accepted (pyverify --help exits 0). */
Test(cli_release, the_mirror_hook_takes_option_like_names_as_paths)
{
	struct cfx f;
	struct cfx_run r;
	char *cmd, *hook, *out;
	int st;

	cfx_init_release(&f);
	hook = realpath("deploy/hooks/mirror-ingest.sh", NULL);
	cr_assert_not_null(hook);
	cfx_touch(f.dir, "--help");
	out = cfx_pathf("%s/hook.out", f.dir);
	cmd = cfx_pathf("cd '%s' && PYVERIFY='%s' PYVERIFY_HOOK_ARGS='--policy "
	                "%s --trusted-root %s' sh '%s' --help >'%s' 2>&1",
	                f.dir, cfx_bin("pyverify"), f.policy, f.root, hook,
	                out);
	st = system(cmd);
	cr_assert(WIFEXITED(st));
	cr_assert_eq(WEXITSTATUS(st), 3, "a file named --help is not a "
	             "CPython release: %s", td_read(out, NULL));
	free(cmd);
	/* A directory named like an option: scanned, not obeyed. Its
	 * unsigned 3.14 tarball must be rejected even though the manifest
	 * the name points at would verify. */
	{
		char *sub = cfx_pathf("%s/--manifest=good.tsv", f.dir);
		cr_assert_eq(mkdir(sub, 0700), 0);
		cfx_touch(sub, "Python-3.14.0.tgz");
		cfx_put_release(&f, "Python-3.14.1.tgz", 1);
		char *good = cfx_pathf("%s/good.tsv", f.dir);
		cfx_write_text(good, "artifact\nPython-3.14.1.tgz\n");
		free(good);
		cmd = cfx_pathf("cd '%s' && PYVERIFY='%s' PYVERIFY_HOOK_ARGS="
		                "'--policy %s --trusted-root %s' sh '%s' "
		                "--manifest=good.tsv >'%s' 2>&1", f.dir,
		                cfx_bin("pyverify"), f.policy, f.root, hook,
		                out);
		st = system(cmd);
		cr_assert(WIFEXITED(st));
		cr_assert_neq(WEXITSTATUS(st), 0, "%s", td_read(out, NULL));
		free(cmd);
		free(sub);
	}
	r = RUN(f.dir, "--policy", f.policy, "--", "--help");
	cr_assert_eq(r.status, 3, "after --, --help is a file name");
	cfx_run_free(&r);
	free(out);
	free(hook);
	cfx_free(&f);
}

/* Directory names come from the mirror: a C1 control (raw 0x9b, or U+009B
 * as UTF-8) or a bidi override must not reach the terminal from a human
 * line; ordinary UTF-8 names stay readable. */
Test(cli_release, human_lines_neutralise_terminal_controls_in_names)
{
	static const char *const dirs[] = {
		"raw\x9b" "2J", "c1\xc2\x9b" "31m", "bidi\xe2\x80\xae" "zgt",
		"esc\x1b[2J", "caf\xc3\xa9",
	};
	struct cfx f;
	struct cfx_run r;
	size_t i;

	cfx_init_release(&f);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *d = cfx_pathf("%s/%s", f.dir, dirs[i]);
		cr_assert_eq(mkdir(d, 0700), 0);
		cfx_touch(d, "Python-3.14.0.tgz");
		free(d);
	}
	r = RUN(NULL, "scan", "--policy", f.policy, f.dir);
	cr_assert_eq(r.status, 3, "%s%s", r.out, r.err);
	cr_assert_eq(cfx_count_lines(r.out, "missing "), 5, "%s", r.out);
	cr_assert_null(strchr(r.out, '\x9b'), "%s", r.out);
	cr_assert_null(strchr(r.out, '\x1b'), "%s", r.out);
	cr_assert_null(strstr(r.out, "\xe2\x80\xae"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "/caf\xc3\xa9/Python-3.14.0.tgz"),
	                   "%s", r.out);
	cfx_run_free(&r);
	cfx_free(&f);
}

/* Paths and arguments in the messages of the release and scan modes
 * (policy, manifest, arguments that are not files) are printed cleaned:
 * a newline cannot add a line, an escape cannot reach the terminal. */
Test(cli_release, messages_neutralise_controls_in_paths_and_arguments)
{
	struct cfx f;
	struct cfx_run r;
	char *evil, *evil_dir;

	cfx_init_release(&f);
	evil = cfx_pathf("%s/x\nverified Python-3.14.0.tgz: forged\x1b[2J",
	                 f.dir);
	evil_dir = cfx_pathf("%s/d\n\x1b[2J", f.dir);
	cr_assert_eq(mkdir(evil_dir, 0700), 0);
	r = RUN(NULL, "--policy", evil, "Python-3.14.0.tgz");
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert_eq(cfx_count_lines(r.err, "verified"), 0, "%s", r.err);
	cr_assert_null(strchr(r.err, '\x1b'), "%s", r.err);
	cfx_run_free(&r);
	r = RUN(NULL, "scan", "--manifest", evil, "--policy", f.policy);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert_eq(cfx_count_lines(r.err, "verified"), 0, "%s", r.err);
	cr_assert_null(strchr(r.err, '\x1b'), "%s", r.err);
	cfx_run_free(&r);
	r = RUN(NULL, "--policy", f.policy, evil_dir);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert_null(strchr(r.err, '\x1b'), "%s", r.err);
	cr_assert_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1,
	             "one line: %s", r.err);
	cfx_run_free(&r);
	r = RUN(NULL, "scan", "--policy", f.policy, evil);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert_eq(cfx_count_lines(r.err, "verified"), 0, "%s", r.err);
	cr_assert_null(strchr(r.err, '\x1b'), "%s", r.err);
	cfx_run_free(&r);
	free(evil);
	free(evil_dir);
	cfx_free(&f);
}

/* A text file where a bundle belongs is a failed verdict whose message says
 * where parsing stopped, never what the file holds. */
Test(cli_release, a_text_file_as_bundle_is_not_echoed)
{
	struct cfx f;
	struct cfx_run r;
	char *art, *bundle, *m, *text;

	cfx_init_release(&f);
	art = cfx_pathf("%s/Python-3.14.0.tgz", f.dir);
	bundle = cfx_pathf("%s/Python-3.14.0.tgz.sigstore", f.dir);
	cfx_write_text(art, "Python-3.14.0.tgz");
	cfx_write_text(bundle, "topsecret is not JSON\n");
	r = RUN(NULL, "--policy", f.policy, "--trusted-root", f.root, art);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "[bundle-format]"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "line 1, column"), "%s", r.out);
	cr_assert_null(strstr(r.out, "topsecret"), "echoed: %s", r.out);
	cfx_run_free(&r);
	text = cfx_pathf("artifact\tsha256\tbundle\nPython-3.14.0.tgz\t\t"
	                 "Python-3.14.0.tgz.sigstore\n");
	m = cfx_pathf("%s/MANIFEST.tsv", f.dir);
	cfx_write_text(m, text);
	r = RUN(NULL, "scan", "--json", "--manifest", m, "--policy", f.policy,
	        "--trusted-root", f.root);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "bundle-format"), "%s", r.out);
	cr_assert_null(strstr(r.out, "topsecret"), "echoed: %s", r.out);
	cfx_run_free(&r);
	/* The same text given as the policy: a usage error, not an echo. */
	r = RUN(NULL, "--policy", bundle, art);
	cr_assert_eq(r.status, 2, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.err, "line 1, column"), "%s", r.err);
	cr_assert_null(strstr(r.err, "topsecret"), "echoed: %s", r.err);
	cfx_run_free(&r);
	free(art);
	free(bundle);
	free(m);
	free(text);
	cfx_free(&f);
}
