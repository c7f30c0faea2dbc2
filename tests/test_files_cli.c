/*
 * test_files_cli.c - input files that are not what they seem (issue 8,
 * defects 4-6), met by the command: a FIFO in every place pyverify,
 * `pyverify scan` and the ingest hook read a file (rsync -a copies FIFOs
 * from upstream), a symbolic link planted where `trust import` writes, and
 * the library's bounded reader itself. Every run of a binary is bounded in
 * time: a hang is a failure, not a stuck test. pyverifyd's side is in
 * test_files_daemon.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "verify/steps.h"
#include "cli_fx.h"
#include "testdata.h"
#include "vsigstore.h"

#define ID CFX_ID
#define ISS CFX_ISS
/* Generous for ASan builds; a FIFO open that blocks never returns. */
#define RUN_SECONDS 20

/* A bounded run; a sanitizer report in the child fails the test here
 * (ASan builds). */
static struct cfx_run
run_bounded(const char *dir, const char *const *env, const char *const *argv)
{
	struct cfx_run r = cfx_run(dir, env, argv, RUN_SECONDS);

	cr_expect_null(strstr(r.err, "Sanitizer"), "%s", r.err);
	cr_expect_null(strstr(r.err, "runtime error"), "%s", r.err);
	return r;
}

#define PYV(dir, ...)                                                          \
	run_bounded(dir, NULL,                                                 \
	            (const char *const[]){ cfx_bin("pyverify"), __VA_ARGS__, \
	                                   NULL })

/* A FIFO refusal: no hang, exit status `code`, and the reason named. */
#define EXPECT_REFUSED(r, code, text)                                          \
	do {                                                                   \
		cr_expect_neq((r).status, -1, "hung on a FIFO (killed after "  \
		              "%d s)", RUN_SECONDS);                           \
		cr_expect_eq((r).status, (code), "exit %d\n%s%s", (r).status,  \
		             (r).out, (r).err);                                \
		cr_expect(strstr((r).out, text) != NULL ||                     \
		              strstr((r).err, text) != NULL,                   \
		          "no \"%s\" in:\n%s%s", text, (r).out, (r).err);      \
	} while (0)

/* ---- the CLI: verify-bundle ------------------------------------------------- */

Test(files, verify_bundle_refuses_a_fifo_artifact_bundle_key_or_root)
{
	struct cfx f;
	struct cfx_run r;
	char *key;

	cfx_init_signed(&f);
	/* The regular files verify: only the FIFO makes the difference. */
	r = PYV(NULL, "verify-bundle", "--trusted-root", f.root, "--bundle",
	        f.bundle, "--certificate-identity", ID,
	        "--certificate-oidc-issuer", ISS, f.art);
	cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
	cfx_run_free(&r);

	r = PYV(NULL, "verify-bundle", "--trusted-root", f.root, "--bundle",
	        f.bundle, "--certificate-identity", ID,
	        "--certificate-oidc-issuer", ISS, f.fifo);
	EXPECT_REFUSED(r, 2, "artifact");
	EXPECT_REFUSED(r, 2, "not a regular file (a FIFO)");
	cfx_run_free(&r);

	r = PYV(NULL, "verify-bundle", "--trusted-root", f.root, "--bundle",
	        f.fifo, "--certificate-identity", ID,
	        "--certificate-oidc-issuer", ISS, f.art);
	EXPECT_REFUSED(r, 2, "bundle");
	EXPECT_REFUSED(r, 2, "not a regular file");
	cfx_run_free(&r);

	r = PYV(NULL, "verify-bundle", "--trusted-root", f.fifo, "--bundle",
	        f.bundle, "--certificate-identity", ID,
	        "--certificate-oidc-issuer", ISS, f.art);
	EXPECT_REFUSED(r, 2, "trusted root");
	EXPECT_REFUSED(r, 2, "not a regular file");
	cfx_run_free(&r);

	r = PYV(NULL, "verify-bundle", "--trusted-root", f.root, "--bundle",
	        f.bundle, "--key", f.fifo, f.art);
	EXPECT_REFUSED(r, 2, "key");
	EXPECT_REFUSED(r, 2, "not a regular file");
	cfx_run_free(&r);

	/* The same through the environment variable. */
	key = cfx_pathf("PYVERIFY_TRUSTED_ROOT=%s", f.fifo);
	r = run_bounded(NULL, (const char *const[]){ key, NULL },
	                (const char *const[]){ cfx_bin("pyverify"),
	                                       "verify-bundle", "--bundle",
	                                       f.bundle,
	                                       "--certificate-identity", ID,
	                                       "--certificate-oidc-issuer",
	                                       ISS, f.art, NULL });
	EXPECT_REFUSED(r, 2, "not a regular file");
	cfx_run_free(&r);
	free(key);
	cfx_free(&f);
}

/* ---- the CLI: release mode -------------------------------------------------- */

Test(files, release_mode_refuses_fifos_as_artifact_bundle_policy_and_root)
{
	struct cfx f;
	struct cfx_run r;
	int ok_status;

	cfx_init_signed(&f);
	r = PYV(f.dir, "--policy", f.policy, "--trusted-root", f.root,
	        "Python-3.14.0.tgz");
	cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
	cfx_run_free(&r);

	/* ARTIFACT.sigstore is a FIFO beside a regular artifact: a bundle
	 * that cannot be read, exactly like an unreadable one (failed). */
	cr_assert_eq(unlink(f.bundle), 0);
	cfx_make_fifo(f.bundle);
	r = PYV(f.dir, "--policy", f.policy, "--trusted-root", f.root,
	        "Python-3.14.0.tgz");
	ok_status = r.status;
	EXPECT_REFUSED(r, 1, "not a regular file");
	cfx_run_free(&r);
	/* A bundle that is a directory is the same kind of unreadable
	 * material and gets the same exit status. */
	cr_assert_eq(unlink(f.bundle), 0);
	cr_assert_eq(mkdir(f.bundle, 0700), 0);
	r = PYV(f.dir, "--policy", f.policy, "--trusted-root", f.root,
	        "Python-3.14.0.tgz");
	EXPECT_REFUSED(r, ok_status, "not a regular file (a directory)");
	cfx_run_free(&r);
	cr_assert_eq(rmdir(f.bundle), 0);

	/* The artifact is the FIFO, its bundle a regular file. */
	{
		struct cfx g;
		cfx_init_signed(&g);
		cr_assert_eq(unlink(g.art), 0);
		cfx_make_fifo(g.art);
		r = PYV(g.dir, "--policy", g.policy, "--trusted-root", g.root,
		        "Python-3.14.0.tgz");
		EXPECT_REFUSED(r, 1, "not a regular file (a FIFO)");
		cfx_run_free(&r);
		/* --bundle FIFO with --digest. */
		r = PYV(g.dir, "--policy", g.policy, "--trusted-root", g.root,
		        "--digest", g.digest, "--bundle", g.fifo,
		        "Python-3.14.0.tgz");
		EXPECT_REFUSED(r, 1, "not a regular file");
		cfx_run_free(&r);
		/* --policy and --trusted-root FIFOs are usage errors. */
		r = PYV(g.dir, "--policy", g.fifo, "--trusted-root", g.root,
		        "--digest", g.digest, "--bundle", g.bundle,
		        "Python-3.14.0.tgz");
		EXPECT_REFUSED(r, 2, "not a regular file");
		cfx_run_free(&r);
		r = PYV(g.dir, "--policy", g.policy, "--trusted-root", g.fifo,
		        "--digest", g.digest, "--bundle", g.bundle,
		        "Python-3.14.0.tgz");
		EXPECT_REFUSED(r, 2, "not a regular file");
		cfx_run_free(&r);
		cfx_free(&g);
	}
	cfx_free(&f);
}

/* ---- the CLI: scan ---------------------------------------------------------- */

Test(files, scan_refuses_a_fifo_manifest_cell_or_bundle_without_hanging)
{
	struct cfx f;
	struct cfx_run r;
	char *m, *text, *sub, *cmd;

	cfx_init_signed(&f);
	m = cfx_pathf("%s/MANIFEST.tsv", f.dir);

	/* The manifest itself. */
	r = PYV(NULL, "scan", "--manifest", f.fifo, "--policy", f.policy,
	        "--trusted-root", f.root);
	EXPECT_REFUSED(r, 2, "manifest");
	EXPECT_REFUSED(r, 2, "not a regular file (a FIFO)");
	cfx_run_free(&r);

	/* A manifest whose artifact cell and bundle cell name FIFOs. */
	text = cfx_pathf("artifact\tbundle\n"
	                 "Python-3.14.0.tgz\tPython-3.14.0.tgz.sigstore\n"
	                 "fifo\tPython-3.14.0.tgz.sigstore\n"
	                 "Python-3.14.1.tgz\tfifo\n");
	cfx_write_text(m, text);
	free(text);
	sub = cfx_pathf("%s/Python-3.14.1.tgz", f.dir);
	cfx_write_text(sub, "release bytes");
	r = PYV(NULL, "scan", "--json", "--manifest", m, "--policy", f.policy,
	        "--trusted-root", f.root);
	EXPECT_REFUSED(r, 1, "not a regular file");
	cr_expect(strstr(r.out, "\"verified\"") != NULL, "%s", r.out);
	cfx_run_free(&r);
	free(sub);

	/* A mirror directory where rsync -a left a FIFO as a bundle. */
	sub = cfx_pathf("%s/mirror", f.dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	cmd = cfx_pathf("cp '%s' '%s' '%s/' && mkfifo '%s/Python-3.14.1.tgz' "
	                "'%s/Python-3.14.2.tgz.sigstore' && echo x > "
	                "'%s/Python-3.14.2.tgz'", f.art, f.bundle, sub, sub,
	                sub, sub);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	r = PYV(NULL, "scan", "--json", "--policy", f.policy, "--trusted-root",
	        f.root, sub);
	EXPECT_REFUSED(r, 1, "not a regular file (a FIFO)");
	cr_expect(strstr(r.out, "\"verified\"") != NULL, "%s", r.out);
	cfx_run_free(&r);
	free(sub);
	free(m);
	cfx_free(&f);
}

Test(files, the_ingest_hook_rejects_a_fifo_bundle_without_hanging)
{
	struct cfx f;
	struct cfx_run r;
	char *hook, *args, *pyv;

	cfx_init_signed(&f);
	hook = realpath("deploy/hooks/mirror-ingest.sh", NULL);
	cr_assert_not_null(hook);
	args = cfx_pathf("PYVERIFY_HOOK_ARGS=--policy %s --trusted-root %s",
	                 f.policy, f.root);
	pyv = cfx_pathf("PYVERIFY=%s", cfx_bin("pyverify"));
	cr_assert_eq(unlink(f.bundle), 0);
	cfx_make_fifo(f.bundle);
	/* Called for the bundle (it arrived after the tarball), then for
	 * the tarball, then for the directory. */
	r = run_bounded(f.dir, (const char *const[]){ args, pyv, NULL },
	                (const char *const[]){ "sh", hook,
	                                       "Python-3.14.0.tgz.sigstore",
	                                       "Python-3.14.0.tgz", f.dir,
	                                       NULL });
	EXPECT_REFUSED(r, 1, "not a regular file");
	cfx_run_free(&r);
	free(args);
	free(pyv);
	free(hook);
	cfx_free(&f);
}

/* ---- trust import ----------------------------------------------------------- */

Test(files, trust_import_refuses_a_fifo)
{
	struct cfx f;
	struct cfx_run r;
	char *home;

	cfx_init_signed(&f);
	home = cfx_pathf("HOME=%s", f.dir);
	r = run_bounded(NULL, (const char *const[]){ home, "XDG_DATA_HOME=",
	                                             NULL },
	                (const char *const[]){ cfx_bin("pyverify"), "trust",
	                                       "import", f.fifo, NULL });
	EXPECT_REFUSED(r, 2, "not a regular file (a FIFO)");
	cfx_run_free(&r);
	free(home);
	cfx_free(&f);
}

static char *
read_all(const char *path, size_t *len)
{
	char *p = td_read(path, len);

	cr_assert_not_null(p, "cannot read %s", path);
	return p;
}

/* The temporary file of `trust import` used to be DST.tmp.PID, opened
 * with O_CREAT|O_TRUNC: a symbolic link planted there was followed (the
 * target overwritten) and then renamed over trusted_root.json. The child
 * waits on a pipe until the links are in place, so the old predictable
 * name is known exactly: it is the child's own PID. */
Test(files, trust_import_never_follows_a_planted_symlink)
{
	struct cfx f;
	char *home, *dst, *ddir, *victim, *links[4], *src;
	int gate[2], st, i, n;
	size_t len, vlen;
	struct stat sb;
	pid_t pid;
	char outp[] = "/tmp/pv-files-out-XXXXXX";
	int fo = mkstemp(outp);
	mode_t mask;

	cfx_init_signed(&f);
	cr_assert(fo >= 0);
	ddir = cfx_pathf("%s/.local/share/pyverify", f.dir);
	dst = cfx_pathf("%s/trusted_root.json", ddir);
	victim = cfx_pathf("%s/victim", f.dir);
	home = cfx_pathf("HOME=%s", f.dir);
	{
		char *cmd = cfx_pathf("mkdir -p '%s'", ddir);
		cr_assert_eq(system(cmd), 0);
		free(cmd);
	}
	cfx_write_text(victim, "precious\n");
	cr_assert_eq(pipe(gate), 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		char c;
		close(gate[1]);
		if (read(gate[0], &c, 1) != 1)
			_exit(126);
		putenv(home);
		putenv((char *)"XDG_DATA_HOME=");
		dup2(fo, 1);
		dup2(fo, 2);
		execl(cfx_bin("pyverify"), "pyverify", "trust", "import",
		      f.root, (char *)NULL);
		_exit(127);
	}
	close(gate[0]);
	links[0] = cfx_pathf("%s.tmp.%ld", dst, (long)pid); /* the old name */
	links[1] = cfx_pathf("%s.tmp", dst);
	links[2] = cfx_pathf("%s.new", dst);
	links[3] = NULL;
	for (i = 0; links[i] != NULL; i++)
		cr_assert_eq(symlink(victim, links[i]), 0);
	/* trusted_root.json itself may be a link too: it is replaced,
	 * never written through. */
	cr_assert_eq(symlink(victim, dst), 0);
	cr_assert_eq(write(gate[1], "x", 1), 1);
	close(gate[1]);
	for (i = 0; i < RUN_SECONDS * 50; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		usleep(20000);
	}
	if (i == RUN_SECONDS * 50) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		cr_assert_fail("trust import hung");
	}
	close(fo);
	{
		char *out = read_all(outp, NULL);
		cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", out);
		free(out);
	}
	unlink(outp);

	/* The link target is untouched. */
	src = read_all(victim, &vlen);
	cr_expect_str_eq(src, "precious\n");
	free(src);
	/* The planted links are still links, to the same target. */
	for (i = 0; links[i] != NULL; i++) {
		char target[4096];
		ssize_t tl;
		cr_expect_eq(lstat(links[i], &sb), 0, "%s", links[i]);
		cr_expect(S_ISLNK(sb.st_mode), "%s was replaced", links[i]);
		tl = readlink(links[i], target, sizeof(target) - 1);
		cr_expect_gt(tl, 0);
		if (tl > 0) {
			target[tl] = '\0';
			cr_expect_str_eq(target, victim);
		}
	}
	/* trusted_root.json is a regular file with the validated bytes,
	 * with the mode it always had (0644 less the umask). */
	mask = umask(022);
	umask(mask);
	cr_assert_eq(lstat(dst, &sb), 0);
	cr_expect(S_ISREG(sb.st_mode), "trusted_root.json is not a regular "
	          "file");
	cr_expect_eq(sb.st_mode & 0777, 0644 & ~mask, "mode %o",
	             (unsigned)(sb.st_mode & 0777));
	{
		char *want = read_all(f.root, &len), *got = read_all(dst, &vlen);
		cr_expect_eq(len, vlen);
		cr_expect(len == vlen && memcmp(want, got, len) == 0,
		          "installed bytes differ from the validated file");
		free(want);
		free(got);
	}
	/* No temporary file is left behind. */
	{
		char *cmd = cfx_pathf("test $(ls -A '%s' | wc -l) -eq %d", ddir,
		                      4);
		n = system(cmd);
		cr_expect_eq(n, 0, "a temporary file was left in %s", ddir);
		free(cmd);
	}
	for (i = 0; links[i] != NULL; i++)
		free(links[i]);
	free(home);
	free(dst);
	free(ddir);
	free(victim);
	cfx_free(&f);
}

/* ---- the helper itself (lib/util/file_open.c) -------------------------------------- */

Test(files, the_reader_refuses_non_regular_files_and_keeps_its_bound)
{
	char dir[] = "/tmp/pv-files-lib-XXXXXX", why[512], *p, *l;
	uint8_t *buf = (uint8_t *)"untouched";
	size_t len = 7;
	int fd = 5;
	struct stat st;

	cr_assert_not_null(mkdtemp(dir));
	p = cfx_pathf("%s/f", dir);
	l = cfx_pathf("%s/link", dir);
	cfx_write_text(p, "0123456789");

	/* Exactly at the bound: read, NUL-terminated. One byte over: no. */
	cr_assert_eq(pv_file_read(&buf, &len, p, 0, 10, "thing", why,
	                          sizeof(why)), 0, "%s", why);
	cr_expect_eq(len, 10);
	cr_expect_str_eq((char *)buf, "0123456789");
	free(buf);
	buf = NULL;
	cr_expect_eq(pv_file_read(&buf, &len, p, 0, 9, "thing", why,
	                          sizeof(why)), PYVERIFY_EPARSE);
	cr_expect_null(buf);
	cr_expect(strstr(why, "thing ") && strstr(why, "limit of 9 bytes"),
	          "%s", why);

	/* A FIFO, a directory, a character device: refused at once. */
	cfx_make_fifo(l);
	cr_expect_eq(pv_file_read(&buf, &len, l, 0, 100, "thing", why,
	                          sizeof(why)), PYVERIFY_EIO);
	cr_expect(strstr(why, "is not a regular file (a FIFO)"), "%s", why);
	cr_expect_eq(pv_file_open(&fd, &st, dir, 0, NULL, why, sizeof(why)),
	             PYVERIFY_EIO);
	cr_expect_eq(fd, -1);
	cr_expect(strstr(why, "(a directory)"), "%s", why);
	cr_expect_eq(pv_file_open(&fd, NULL, "/dev/null", 0, "x", why,
	                          sizeof(why)), PYVERIFY_EIO);
	cr_expect(strstr(why, "(a character device)"), "%s", why);
	cr_expect_eq(pv_file_open(&fd, NULL, "/nonexistent/x", 0, "x", why,
	                          sizeof(why)), PYVERIFY_EIO);
	cr_expect(strstr(why, "cannot open x /nonexistent/x: "), "%s", why);

	/* A link to a regular file: followed, unless refused. */
	cr_assert_eq(unlink(l), 0);
	cr_assert_eq(symlink(p, l), 0);
	cr_expect_eq(pv_file_read(&buf, &len, l, 0, 100, "x", why,
	                          sizeof(why)), 0, "%s", why);
	free(buf);
	cr_expect_eq(pv_file_read(&buf, &len, l, PV_FILE_NOFOLLOW, 100, "x",
	                          why, sizeof(why)), PYVERIFY_EIO);
	cr_expect(strstr(why, "symbolic link"), "%s", why);

	/* The descriptor reads normally (O_NONBLOCK is cleared). */
	cr_assert_eq(pv_file_open(&fd, &st, p, 0, NULL, why, sizeof(why)), 0);
	cr_expect_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	cr_expect_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	cr_expect_eq(st.st_size, 10);
	close(fd);

	/* A file whose size says 0 (procfs) is still read whole, past the
	 * first allocation. */
	cr_assert_eq(pv_file_read(&buf, &len, "/proc/self/maps", 0, 64u << 20,
	                          NULL, why, sizeof(why)), 0, "%s", why);
	cr_expect_gt(len, 0);
	cr_expect_eq(strlen((char *)buf), len);
	free(buf);

	/* Without a size hint the buffer grows to the whole file, and the
	 * bound still holds while growing. */
	{
		size_t n = 200000, i;
		char *big = malloc(n);
		cr_assert_not_null(big);
		for (i = 0; i < n; i++)
			big[i] = (char)('a' + i % 26);
		cfx_write_file(p, big, n, 0644);
		cr_assert_eq(pv_file_open(&fd, NULL, p, 0, NULL, why,
		                          sizeof(why)), 0);
		cr_expect_eq(pv_file_read_fd(&buf, &len, fd, NULL, n, NULL, p,
		                             why, sizeof(why)), 0, "%s", why);
		close(fd);
		cr_expect(len == n && memcmp(buf, big, n) == 0 && buf[n] == 0);
		free(buf);
		buf = NULL;
		cr_assert_eq(pv_file_open(&fd, NULL, p, 0, NULL, why,
		                          sizeof(why)), 0);
		cr_expect_eq(pv_file_read_fd(&buf, &len, fd, NULL, 150000, NULL,
		                             p, why, sizeof(why)),
		             PYVERIFY_EPARSE);
		cr_expect_null(buf);
		close(fd);
		free(big);
	}

	unlink(l);
	unlink(p);
	rmdir(dir);
	free(p);
	free(l);
}
