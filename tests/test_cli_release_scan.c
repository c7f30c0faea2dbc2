/*
 * test_cli_release_scan.c - `pyverify scan` run as a user runs it: a scan
 * of 1,000 artifacts signed by the virtual Sigstore, manifests read by
 * column name, and manifests and reports that are not what they seem.
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

/* ---- scan ------------------------------------------------------------------- */

Test(cli_release, scan_of_1000_signed_artifacts_counts_every_status,
     .timeout = 300)
{
	struct cfx f;
	struct cfx_run r;
	size_t counts[5] = { 0 }, i, failed = 0, missing = 0, verified = 0;
	char *sub, *name, *p, *b, *loop;

	cfx_init_release(&f);
	for (i = 0; i < 10; i++) {
		sub = cfx_pathf("%s/d%zu", f.dir, i);
		cr_assert_eq(mkdir(sub, 0700), 0);
		free(sub);
	}
	/* A symbolic link loop must not be followed. */
	loop = cfx_pathf("%s/d0/loop", f.dir);
	cr_assert_eq(symlink("..", loop), 0);
	free(loop);
	for (i = 0; i < 1000; i++) {
		switch (i % 4) {
		case 0: name = cfx_pathf("Python-3.14.%zu.tgz", i); break;
		case 1: name = cfx_pathf("Python-3.15.0a%zu.tar.xz", i); break;
		case 2:
			name = cfx_pathf("python-3.14.%zurc2-amd64.exe", i);
			break;
		default: name = cfx_pathf("python-3.15.%zu-embed-arm64.zip", i);
		}
		p = cfx_pathf("%s/d%zu/%s", f.dir, i % 10, name);
		b = cfx_pathf("%s.sigstore", p);
		if (i % 100 == 7) {
			cfx_put_signed(&f, p, name, b, "not these bytes");
			failed++;
		} else if (i % 100 == 42) {
			cfx_put_signed(&f, p, name, NULL, NULL);
			missing++;
		} else {
			cfx_put_signed(&f, p, name, b, name);
			verified++;
		}
		free(name);
		free(p);
		free(b);
	}
	/* Series the policy lacks, and files that are not artifacts. */
	for (i = 0; i < 5; i++) {
		name = cfx_pathf("d%zu/Python-3.16.%zu.tgz", i, i);
		cfx_touch(f.dir, name);
		free(name);
	}
	cfx_touch(f.dir, "d1/index.html");
	cfx_touch(f.dir, "d1/SHA256SUMS");

	r = RUN(NULL, "scan", "--json", "-j", "4", "--policy", f.policy,
	        "--trusted-root", f.root, f.dir);
	cr_assert_eq(r.status, 1, "some failed: %s", r.err);
	cr_assert_eq(cfx_check_json_lines(r.out, counts), 1005);
	cr_assert_eq(counts[0], verified);
	cr_assert_eq(counts[1], failed);
	cr_assert_eq(counts[2], 0);
	cr_assert_eq(counts[3], missing);
	cr_assert_eq(counts[4], 5);
	/* With --json the summary goes to stderr. */
	cr_assert_not_null(strstr(r.err, "980 verified, 10 failed, "
	                                 "0 legacy-pgp-only, 10 missing, "
	                                 "5 unknown-release"), "%s", r.err);
	cfx_run_free(&r);

	/* Human output: input order is the sorted walk, stable across runs
	 * and job counts. */
	r = RUN(NULL, "scan", "-q", "-j", "1", "--policy", f.policy,
	        "--trusted-root", f.root, f.dir);
	{
		struct cfx_run r2 = RUN(NULL, "scan", "-q", "-j", "3",
		                        "--policy", f.policy, "--trusted-root",
		                        f.root, f.dir);
		char *sum1 = strstr(r.out, "scan: "), *sum2 = strstr(r2.out,
		                                                     "scan: ");
		cr_assert_eq(r.status, 1);
		cr_assert(sum1 != NULL && sum2 != NULL);
		/* The verdict lines; the summary differs in time and jobs. */
		cr_assert_eq(sum1 - r.out, sum2 - r2.out);
		cr_assert(memcmp(r.out, r2.out, (size_t)(sum1 - r.out)) == 0);
		cr_assert_eq(cfx_count_lines(r.out, "failed "), 10);
		cr_assert_eq(cfx_count_lines(r.out, "verified "), 0);
		cr_assert_not_null(strstr(r.out, "scan: 1005 artifacts"));
		cfx_run_free(&r2);
	}
	cfx_run_free(&r);
	cfx_free(&f);
}

Test(cli_release, scan_manifest_reads_columns_by_name)
{
	struct cfx f;
	struct cfx_run r;
	size_t counts[5] = { 0 };
	uint8_t d[32];
	char hex[65], *m, *text, *b, *junk;
	size_t i;

	cfx_init_release(&f);
	junk = cfx_pathf("%s/junk", f.dir);
	b = cfx_pathf("%s/sig.bundle", f.dir);
	cfx_put_signed(&f, junk, "", b, "manifest bytes");
	vs_sha256(d, "manifest bytes", strlen("manifest bytes"));
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	/* Extra columns, another column order, a digest with its prefix, a
	 * row without bundle (missing), a malformed digest (failed). */
	text = cfx_pathf("size\tbundle\tsha256\tartifact\n"
	                 "1\tsig.bundle\t%s\tPython-3.14.5.tgz\n"
	                 "2\tsig.bundle\tsha256:%s\tPython-3.15.0b1.tgz\n"
	                 "3\t\t%s\tPython-3.14.6.tgz\n"
	                 "4\tsig.bundle\tnothex\tPython-3.14.7.tgz\n",
	                 hex, hex, hex);
	m = cfx_pathf("%s/MANIFEST.tsv", f.dir);
	cfx_write_text(m, text);
	r = RUN(NULL, "scan", "--json", "--manifest", m, "--policy", f.policy,
	        "--trusted-root", f.root);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_eq(cfx_check_json_lines(r.out, counts), 4);
	cr_assert_eq(counts[0], 2);
	cr_assert_eq(counts[3], 1);
	cr_assert_eq(counts[1], 1);
	cr_assert_lt(strstr(r.out, "3.14.5") - r.out,
	             strstr(r.out, "3.14.7") - r.out, "input order");
	cfx_run_free(&r);
	/* No artifact column: usage error. */
	cfx_write_text(m, "name\tsha256\nPython-3.14.5.tgz\tab\n");
	r = RUN(NULL, "scan", "--manifest", m, "--policy", f.policy);
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "artifact"), "%s", r.err);
	cfx_run_free(&r);
	free(text);
	free(m);
	free(b);
	free(junk);
	cfx_free(&f);
}

/* ---- hostile manifests and reports ------------------------------------------ */

/* A manifest line without end (a binary file, /dev/zero, a stalled pipe) is
 * refused at the line bound: pyverify neither reads on nor buffers it. The
 * manifest here is a pipe whose writer stays open after 1 MiB without a
 * newline, so only a bounded reader can return. */
Test(cli_release, an_endless_manifest_line_is_refused_at_the_bound,
     .timeout = 30)
{
	/* An endless stream (a FIFO) is refused before anything is read
	 * (tests/test_files_cli.c); a regular file with a line 16 times the
	 * bound checks that reading stops at the bound. */
	char dir[] = "/tmp/pv-cli-long-XXXXXX", *path, *text;
	struct cfx_run r;
	size_t n = 16 * 65536;

	cr_assert_not_null(mkdtemp(dir));
	path = cfx_pathf("%s/MANIFEST.tsv", dir);
	text = malloc(16 + n + 1);
	cr_assert_not_null(text);
	memcpy(text, "artifact\tsha256\n", 16);
	memset(text + 16, 'a', n);
	cfx_write_file(path, text, 16 + n, 0644);
	r = RUN(NULL, "scan", "--manifest", path);
	cr_assert_eq(r.status, 2, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.err, "line 2"), "%s", r.err);
	cfx_run_free(&r);
	free(text);
	free(path);
	cfx_rm_rf(dir);
}

Test(cli_release, scan_errors_neutralise_terminal_controls_in_paths)
{
	struct cfx f;
	struct cfx_run r;
	char *d;
	int level;

	/* A tree deeper than the walk goes, under a directory whose name
	 * carries an escape sequence: the stderr message names the path. */
	cfx_init_release(&f);
	d = cfx_pathf("%s/esc\x1b[2J", f.dir);
	cr_assert_eq(mkdir(d, 0700), 0);
	for (level = 0; level < 70; level++) {
		char *next = cfx_pathf("%s/a", d);
		cr_assert_eq(mkdir(next, 0700), 0);
		free(d);
		d = next;
	}
	free(d);
	r = RUN(NULL, "scan", "--policy", f.policy, f.dir);
	cr_assert_neq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.err, "nested deeper"), "%s", r.err);
	cr_assert_null(strchr(r.err, '\x1b'), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "esc?[2J"), "%s", r.err);
	cfx_run_free(&r);
	cfx_free(&f);
}

/* A report that could not be written is not a clean pass: a mirror that
 * logs to a full disk must hear about it (as `pyverify FILE` does). */
Test(cli_release, a_scan_whose_report_cannot_be_written_does_not_exit_0)
{
	struct cfx f;
	char *cmd;
	int st;

	cfx_init_release(&f);
	cfx_put_release(&f, "Python-3.14.0.tgz", 1);
	cmd = cfx_pathf("'%s' scan -j 2 --policy '%s' --trusted-root '%s' '%s' "
	                ">/dev/null 2>&1", cfx_bin("pyverify"), f.policy,
	                f.root, f.dir);
	st = system(cmd);
	cr_assert(WIFEXITED(st));
	cr_assert_eq(WEXITSTATUS(st), 0, "the fixture verifies");
	free(cmd);
	cmd = cfx_pathf("'%s' scan -j 2 --policy '%s' --trusted-root '%s' '%s' "
	                ">/dev/full 2>/dev/null", cfx_bin("pyverify"), f.policy,
	                f.root, f.dir);
	st = system(cmd);
	cr_assert(WIFEXITED(st));
	cr_assert_eq(WEXITSTATUS(st), 1);
	free(cmd);
	cmd = cfx_pathf("'%s' --policy '%s' --trusted-root '%s' "
	                "'%s/Python-3.14.0.tgz' >/dev/full 2>/dev/null",
	                cfx_bin("pyverify"), f.policy, f.root, f.dir);
	st = system(cmd);
	cr_assert(WIFEXITED(st));
	cr_assert_eq(WEXITSTATUS(st), 1);
	free(cmd);
	cfx_free(&f);
}

/* A manifest saved by a spreadsheet on Windows: byte order mark, CRLF,
 * bundle paths relative to the manifest's own directory (not the current
 * one), rows shorter than the header. */
Test(cli_release, scan_manifest_from_a_spreadsheet_is_read_as_written)
{
	struct cfx f;
	struct cfx_run r;
	size_t counts[5] = { 0 }, i;
	uint8_t d[32];
	char hex[65], *sub, *m, *text, *b, *junk;

	cfx_init_release(&f);
	sub = cfx_pathf("%s/sigs", f.dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	junk = cfx_pathf("%s/junk", f.dir);
	b = cfx_pathf("%s/sigs/a.sigstore", f.dir);
	cfx_put_signed(&f, junk, "", b, "spreadsheet bytes");
	vs_sha256(d, "spreadsheet bytes", strlen("spreadsheet bytes"));
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	text = cfx_pathf("\xef\xbb\xbf" "artifact\tsha256\tbundle\r\n"
	                 "Python-3.14.5.tgz\t%s\tsigs/a.sigstore\r\n"
	                 "Python-3.14.6.tgz\r\n"
	                 "\r\n"
	                 "Python-3.14.7.tgz\t%s\r\n", hex, hex);
	m = cfx_pathf("%s/MANIFEST.tsv", f.dir);
	cfx_write_text(m, text);
	/* Run from elsewhere: relative paths are the manifest's. */
	r = RUN("/", "scan", "--json", "--manifest", m, "--policy", f.policy,
	        "--trusted-root", f.root);
	cr_assert_eq(r.status, 3, "%s%s", r.out, r.err);
	cr_assert_eq(cfx_check_json_lines(r.out, counts), 3, "%s", r.out);
	cr_assert_eq(counts[0], 1, "%s", r.out);
	cr_assert_eq(counts[3], 2, "%s", r.out);
	cfx_run_free(&r);
	free(text);
	free(m);
	free(b);
	free(junk);
	free(sub);
	cfx_free(&f);
}

/* A manifest comes from a mirror: a bundle or artifact cell that is
 * absolute or climbs out of the manifest's directory fails its row (and
 * nothing is read for it) unless --allow-outside-paths is given. The check
 * is lexical: "sub/../x" stays inside. */
Test(cli_release, scan_manifest_refuses_paths_outside_its_directory)
{
	struct cfx f;
	struct cfx_run r;
	size_t counts[5] = { 0 }, i;
	uint8_t d[32];
	char hex[65], *sub, *m, *text, *b, *abs_b, *junk;

	cfx_init_release(&f);
	sub = cfx_pathf("%s/m", f.dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	junk = cfx_pathf("%s/m/x", f.dir);
	cr_assert_eq(mkdir(junk, 0700), 0);
	free(junk);
	junk = cfx_pathf("%s/junk", f.dir);
	/* The bundle sits beside the manifest's directory, not in it. */
	b = cfx_pathf("%s/outside.sigstore", f.dir);
	cfx_put_signed(&f, junk, "", b, "outside bytes");
	abs_b = cfx_pathf("%s/m/inside.sigstore", f.dir);
	cfx_put_signed(&f, junk, "", abs_b, "outside bytes");
	vs_sha256(d, "outside bytes", strlen("outside bytes"));
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	text = cfx_pathf("artifact\tsha256\tbundle\n"
	                 "Python-3.14.1.tgz\t%s\t../outside.sigstore\n"
	                 "Python-3.14.2.tgz\t%s\t%s\n"
	                 "../Python-3.14.3.tgz\t%s\tinside.sigstore\n"
	                 "Python-3.14.4.tgz\t%s\tx/../inside.sigstore\n",
	                 hex, hex, abs_b, hex, hex);
	m = cfx_pathf("%s/MANIFEST.tsv", sub);
	cfx_write_text(m, text);
	r = RUN(NULL, "scan", "--json", "--manifest", m, "--policy", f.policy,
	        "--trusted-root", f.root);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_eq(cfx_check_json_lines(r.out, counts), 4, "%s", r.out);
	cr_assert_eq(counts[1], 3, "three rows leave the directory: %s", r.out);
	cr_assert_eq(counts[0], 1, "x/../inside.sigstore stays: %s", r.out);
	cr_assert_eq(cfx_count_lines(r.out,
	                             "{\"artifact\":\"Python-3.14.4.tgz\""
	                             ",\"status\":\"verified\""), 1,
	             "%s", r.out);
	cfx_run_free(&r);
	/* Human lines say which cell and how to accept it. */
	r = RUN(NULL, "scan", "--manifest", m, "--policy", f.policy,
	        "--trusted-root", f.root);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_eq(cfx_count_lines(r.out, "failed "), 3, "%s", r.out);
	cr_assert_not_null(strstr(r.out, "bundle cell '../outside.sigstore' "
	                                 "is outside the manifest's "
	                                 "directory"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "artifact cell '../Python-3.14.3.tgz'"),
	                   "%s", r.out);
	cr_assert_not_null(strstr(r.out, "--allow-outside-paths"), "%s", r.out);
	cfx_run_free(&r);
	/* Accepted on request: both bundles verify, the artifact row is
	 * read from ../ (digest given, bundle beside the manifest). */
	r = RUN(NULL, "scan", "--json", "--allow-outside-paths", "--manifest", m,
	        "--policy", f.policy, "--trusted-root", f.root);
	memset(counts, 0, sizeof(counts));
	cr_assert_eq(cfx_check_json_lines(r.out, counts), 4, "%s", r.out);
	cr_assert_eq(counts[0], 4, "%s%s", r.out, r.err);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cfx_run_free(&r);
	r = RUN(NULL, "scan", "--help");
	cr_assert_not_null(strstr(r.out, "--allow-outside-paths"));
	cfx_run_free(&r);
	free(text);
	free(m);
	free(b);
	free(abs_b);
	free(junk);
	free(sub);
	cfx_free(&f);
}
