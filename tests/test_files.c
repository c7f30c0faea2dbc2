/*
 * test_files.c - input files that are not what they seem (issue 8, defects
 * 4-6): a FIFO in every place pyverify, `pyverify scan`, the ingest hook
 * and pyverifyd read a file (rsync -a copies FIFOs from upstream), a
 * symbolic link planted where `trust import` writes, and token files with
 * NUL bytes. Every run of a binary is bounded in time: a hang is a
 * failure, not a stuck test. Servers listen on 127.0.0.1 only.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
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
#include "testdata.h"
#include "vsigstore.h"

#define ID "dev@example.org"
#define ISS "https://issuer.example"
#define TOKEN "test-token-0123456789abcdef"
#define ADMIN_TOKEN "admin-token-0123456789abcdef"
/* Generous for ASan builds; a FIFO open that blocks never returns. */
#define RUN_SECONDS 20

static const char policy_text[] =
	"{\"schema\":\"pyverify.cpython-policy/1\",\"series\":["
	"{\"series\":\"3.14\",\"identities\":[{\"identity\":\"" ID "\","
	"\"issuer\":\"" ISS "\"}],\"first_sigstore\":\"3.14.0a1\","
	"\"pgp\":false}]}";

/* ---- helpers ---------------------------------------------------------------- */

static const char *
build_file(const char *name)
{
	static char paths[2][4096];
	static int which;
	char rel[4096];
	const char *b = getenv("PYVERIFY_BUILD");
	char *p = paths[which ^= 1];

	snprintf(rel, sizeof(rel), "%s/%s", b && *b ? b : "build", name);
	cr_assert(realpath(rel, p) != NULL && access(p, X_OK) == 0,
	          "%s is missing: run the tests with make (make test)", rel);
	return p;
}

static char *
pathf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	cr_assert_geq(n, 0);
	p = malloc((size_t)n + 1);
	cr_assert_not_null(p);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

static void
write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	cr_assert(fd >= 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	cr_assert_eq(fchmod(fd, mode), 0);
	cr_assert_eq(close(fd), 0);
}

static void
write_text(const char *path, const char *text)
{
	write_file(path, text, strlen(text), 0644);
}

static void
make_fifo(const char *path)
{
	unlink(path);
	cr_assert_eq(mkfifo(path, 0600), 0, "mkfifo %s: %s", path,
	             strerror(errno));
}

struct run {
	int status; /* exit status; -1 if it had to be killed */
	char *out, *err;
};

static void
run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* Runs argv (argv[0] is the program) in dir with the environment changes
 * in env ("NAME=value"); kills the whole process group and reports -1 when
 * it is still running after RUN_SECONDS. */
static struct run
run_bounded(const char *dir, const char *const *env, const char *const *argv)
{
	char outp[] = "/tmp/pv-files-out-XXXXXX",
	     errp[] = "/tmp/pv-files-err-XXXXXX";
	int fo = mkstemp(outp), fe = mkstemp(errp), st = 0, i;
	struct run r = { 0 };
	pid_t pid;

	cr_assert(fo >= 0 && fe >= 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		setpgid(0, 0);
		for (i = 0; env != NULL && env[i] != NULL; i++)
			putenv((char *)env[i]);
		dup2(fo, 1);
		dup2(fe, 2);
		if (dir != NULL && chdir(dir) != 0)
			_exit(127);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (i = 0; i < RUN_SECONDS * 50; i++) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		cr_assert(w >= 0);
		if (w == pid)
			break;
		usleep(20000);
	}
	if (i == RUN_SECONDS * 50) {
		kill(-pid, SIGKILL);
		waitpid(pid, &st, 0);
		r.status = -1;
	} else {
		cr_assert(WIFEXITED(st), "%s died (signal %d)", argv[0],
		          WIFSIGNALED(st) ? WTERMSIG(st) : 0);
		r.status = WEXITSTATUS(st);
	}
	close(fo);
	close(fe);
	r.out = td_read(outp, NULL);
	r.err = td_read(errp, NULL);
	cr_assert(r.out != NULL && r.err != NULL);
	unlink(outp);
	unlink(errp);
	/* ASan builds: a report in the child fails the test here. */
	cr_expect_null(strstr(r.err, "Sanitizer"), "%s", r.err);
	cr_expect_null(strstr(r.err, "runtime error"), "%s", r.err);
	return r;
}

#define PYV(dir, ...)                                                          \
	run_bounded(dir, NULL,                                                 \
	            (const char *const[]){ build_file("pyverify"), __VA_ARGS__, \
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

/* A directory with a virtual Sigstore's trusted root, a policy, and
 * Python-3.14.0.tgz signed beside its bundle. */
struct fx {
	char dir[64];
	char *root, *policy, *art, *bundle, *fifo;
	char digest[72];
	struct vs *vs;
	struct vs_leaf *leaf;
};

static void
fx_init(struct fx *f)
{
	struct vs_sign_opts o = { 0 };
	char *text;
	json_t *b;
	uint8_t d[32];
	int i;

	snprintf(f->dir, sizeof(f->dir), "/tmp/pv-files-XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
	f->vs = vs_new();
	cr_assert_not_null(f->vs);
	f->leaf = vs_leaf_new(f->vs, NULL);
	cr_assert_not_null(f->leaf);
	f->root = pathf("%s/trusted_root.json", f->dir);
	f->policy = pathf("%s/policy.json", f->dir);
	f->art = pathf("%s/Python-3.14.0.tgz", f->dir);
	f->bundle = pathf("%s/Python-3.14.0.tgz.sigstore", f->dir);
	f->fifo = pathf("%s/fifo", f->dir);
	text = vs_trust_root_string(f->vs);
	write_text(f->root, text);
	free(text);
	write_text(f->policy, policy_text);
	write_text(f->art, "release bytes");
	o.artifact = "release bytes";
	o.artifact_len = strlen("release bytes");
	b = vs_sign(f->vs, f->leaf, &o);
	cr_assert_not_null(b);
	text = vs_dump(b);
	write_text(f->bundle, text);
	free(text);
	json_decref(b);
	make_fifo(f->fifo);
	vs_sha256(d, "release bytes", strlen("release bytes"));
	memcpy(f->digest, "sha256:", 7);
	for (i = 0; i < 32; i++)
		snprintf(f->digest + 7 + 2 * i, 3, "%02x", d[i]);
}

static void
fx_free(struct fx *f)
{
	char *cmd = pathf("rm -rf '%s'", f->dir);

	cr_expect_eq(system(cmd), 0);
	free(cmd);
	free(f->root);
	free(f->policy);
	free(f->art);
	free(f->bundle);
	free(f->fifo);
	vs_leaf_free(f->leaf);
	vs_free(f->vs);
}

/* ---- the CLI: verify-bundle ------------------------------------------------- */

Test(files, verify_bundle_refuses_a_fifo_artifact_bundle_key_or_root)
{
	struct fx f;
	struct run r;
	char *key;

	fx_init(&f);
	/* The regular files verify: only the FIFO makes the difference. */
	r = PYV(NULL, "verify-bundle", "--trusted-root", f.root, "--bundle",
	        f.bundle, "--certificate-identity", ID,
	        "--certificate-oidc-issuer", ISS, f.art);
	cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
	run_free(&r);

	r = PYV(NULL, "verify-bundle", "--trusted-root", f.root, "--bundle",
	        f.bundle, "--certificate-identity", ID,
	        "--certificate-oidc-issuer", ISS, f.fifo);
	EXPECT_REFUSED(r, 2, "artifact");
	EXPECT_REFUSED(r, 2, "not a regular file (a FIFO)");
	run_free(&r);

	r = PYV(NULL, "verify-bundle", "--trusted-root", f.root, "--bundle",
	        f.fifo, "--certificate-identity", ID,
	        "--certificate-oidc-issuer", ISS, f.art);
	EXPECT_REFUSED(r, 2, "bundle");
	EXPECT_REFUSED(r, 2, "not a regular file");
	run_free(&r);

	r = PYV(NULL, "verify-bundle", "--trusted-root", f.fifo, "--bundle",
	        f.bundle, "--certificate-identity", ID,
	        "--certificate-oidc-issuer", ISS, f.art);
	EXPECT_REFUSED(r, 2, "trusted root");
	EXPECT_REFUSED(r, 2, "not a regular file");
	run_free(&r);

	r = PYV(NULL, "verify-bundle", "--trusted-root", f.root, "--bundle",
	        f.bundle, "--key", f.fifo, f.art);
	EXPECT_REFUSED(r, 2, "key");
	EXPECT_REFUSED(r, 2, "not a regular file");
	run_free(&r);

	/* The same through the environment variable. */
	key = pathf("PYVERIFY_TRUSTED_ROOT=%s", f.fifo);
	r = run_bounded(NULL, (const char *const[]){ key, NULL },
	                (const char *const[]){ build_file("pyverify"),
	                                       "verify-bundle", "--bundle",
	                                       f.bundle,
	                                       "--certificate-identity", ID,
	                                       "--certificate-oidc-issuer",
	                                       ISS, f.art, NULL });
	EXPECT_REFUSED(r, 2, "not a regular file");
	run_free(&r);
	free(key);
	fx_free(&f);
}

/* ---- the CLI: release mode -------------------------------------------------- */

Test(files, release_mode_refuses_fifos_as_artifact_bundle_policy_and_root)
{
	struct fx f;
	struct run r;
	int ok_status;

	fx_init(&f);
	r = PYV(f.dir, "--policy", f.policy, "--trusted-root", f.root,
	        "Python-3.14.0.tgz");
	cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
	run_free(&r);

	/* ARTIFACT.sigstore is a FIFO beside a regular artifact: a bundle
	 * that cannot be read, exactly like an unreadable one (failed). */
	cr_assert_eq(unlink(f.bundle), 0);
	make_fifo(f.bundle);
	r = PYV(f.dir, "--policy", f.policy, "--trusted-root", f.root,
	        "Python-3.14.0.tgz");
	ok_status = r.status;
	EXPECT_REFUSED(r, 1, "not a regular file");
	run_free(&r);
	/* A bundle that is a directory is the same kind of unreadable
	 * material and gets the same exit status. */
	cr_assert_eq(unlink(f.bundle), 0);
	cr_assert_eq(mkdir(f.bundle, 0700), 0);
	r = PYV(f.dir, "--policy", f.policy, "--trusted-root", f.root,
	        "Python-3.14.0.tgz");
	EXPECT_REFUSED(r, ok_status, "not a regular file (a directory)");
	run_free(&r);
	cr_assert_eq(rmdir(f.bundle), 0);

	/* The artifact is the FIFO, its bundle a regular file. */
	{
		struct fx g;
		fx_init(&g);
		cr_assert_eq(unlink(g.art), 0);
		make_fifo(g.art);
		r = PYV(g.dir, "--policy", g.policy, "--trusted-root", g.root,
		        "Python-3.14.0.tgz");
		EXPECT_REFUSED(r, 1, "not a regular file (a FIFO)");
		run_free(&r);
		/* --bundle FIFO with --digest. */
		r = PYV(g.dir, "--policy", g.policy, "--trusted-root", g.root,
		        "--digest", g.digest, "--bundle", g.fifo,
		        "Python-3.14.0.tgz");
		EXPECT_REFUSED(r, 1, "not a regular file");
		run_free(&r);
		/* --policy and --trusted-root FIFOs are usage errors. */
		r = PYV(g.dir, "--policy", g.fifo, "--trusted-root", g.root,
		        "--digest", g.digest, "--bundle", g.bundle,
		        "Python-3.14.0.tgz");
		EXPECT_REFUSED(r, 2, "not a regular file");
		run_free(&r);
		r = PYV(g.dir, "--policy", g.policy, "--trusted-root", g.fifo,
		        "--digest", g.digest, "--bundle", g.bundle,
		        "Python-3.14.0.tgz");
		EXPECT_REFUSED(r, 2, "not a regular file");
		run_free(&r);
		fx_free(&g);
	}
	fx_free(&f);
}

/* ---- the CLI: scan ---------------------------------------------------------- */

Test(files, scan_refuses_a_fifo_manifest_cell_or_bundle_without_hanging)
{
	struct fx f;
	struct run r;
	char *m, *text, *sub, *cmd;

	fx_init(&f);
	m = pathf("%s/MANIFEST.tsv", f.dir);

	/* The manifest itself. */
	r = PYV(NULL, "scan", "--manifest", f.fifo, "--policy", f.policy,
	        "--trusted-root", f.root);
	EXPECT_REFUSED(r, 2, "manifest");
	EXPECT_REFUSED(r, 2, "not a regular file (a FIFO)");
	run_free(&r);

	/* A manifest whose artifact cell and bundle cell name FIFOs. */
	text = pathf("artifact\tbundle\n"
	             "Python-3.14.0.tgz\tPython-3.14.0.tgz.sigstore\n"
	             "fifo\tPython-3.14.0.tgz.sigstore\n"
	             "Python-3.14.1.tgz\tfifo\n");
	write_text(m, text);
	free(text);
	sub = pathf("%s/Python-3.14.1.tgz", f.dir);
	write_text(sub, "release bytes");
	r = PYV(NULL, "scan", "--json", "--manifest", m, "--policy", f.policy,
	        "--trusted-root", f.root);
	EXPECT_REFUSED(r, 1, "not a regular file");
	cr_expect(strstr(r.out, "\"verified\"") != NULL, "%s", r.out);
	run_free(&r);
	free(sub);

	/* A mirror directory where rsync -a left a FIFO as a bundle. */
	sub = pathf("%s/mirror", f.dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	cmd = pathf("cp '%s' '%s' '%s/' && mkfifo '%s/Python-3.14.1.tgz' "
	            "'%s/Python-3.14.2.tgz.sigstore' && echo x > "
	            "'%s/Python-3.14.2.tgz'", f.art, f.bundle, sub, sub, sub,
	            sub);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	r = PYV(NULL, "scan", "--json", "--policy", f.policy, "--trusted-root",
	        f.root, sub);
	EXPECT_REFUSED(r, 1, "not a regular file (a FIFO)");
	cr_expect(strstr(r.out, "\"verified\"") != NULL, "%s", r.out);
	run_free(&r);
	free(sub);
	free(m);
	fx_free(&f);
}

Test(files, the_ingest_hook_rejects_a_fifo_bundle_without_hanging)
{
	struct fx f;
	struct run r;
	char *hook, *args, *pyv;

	fx_init(&f);
	hook = realpath("deploy/hooks/mirror-ingest.sh", NULL);
	cr_assert_not_null(hook);
	args = pathf("PYVERIFY_HOOK_ARGS=--policy %s --trusted-root %s",
	             f.policy, f.root);
	pyv = pathf("PYVERIFY=%s", build_file("pyverify"));
	cr_assert_eq(unlink(f.bundle), 0);
	make_fifo(f.bundle);
	/* Called for the bundle (it arrived after the tarball), then for
	 * the tarball, then for the directory. */
	r = run_bounded(f.dir, (const char *const[]){ args, pyv, NULL },
	                (const char *const[]){ "sh", hook,
	                                       "Python-3.14.0.tgz.sigstore",
	                                       "Python-3.14.0.tgz", f.dir,
	                                       NULL });
	EXPECT_REFUSED(r, 1, "not a regular file");
	run_free(&r);
	free(args);
	free(pyv);
	free(hook);
	fx_free(&f);
}

/* ---- trust import ----------------------------------------------------------- */

Test(files, trust_import_refuses_a_fifo)
{
	struct fx f;
	struct run r;
	char *home;

	fx_init(&f);
	home = pathf("HOME=%s", f.dir);
	r = run_bounded(NULL, (const char *const[]){ home, "XDG_DATA_HOME=",
	                                             NULL },
	                (const char *const[]){ build_file("pyverify"), "trust",
	                                       "import", f.fifo, NULL });
	EXPECT_REFUSED(r, 2, "not a regular file (a FIFO)");
	run_free(&r);
	free(home);
	fx_free(&f);
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
	struct fx f;
	char *home, *dst, *ddir, *victim, *links[4], *src;
	int gate[2], st, i, n;
	size_t len, vlen;
	struct stat sb;
	pid_t pid;
	char outp[] = "/tmp/pv-files-out-XXXXXX";
	int fo = mkstemp(outp);
	mode_t mask;

	fx_init(&f);
	cr_assert(fo >= 0);
	ddir = pathf("%s/.local/share/pyverify", f.dir);
	dst = pathf("%s/trusted_root.json", ddir);
	victim = pathf("%s/victim", f.dir);
	home = pathf("HOME=%s", f.dir);
	{
		char *cmd = pathf("mkdir -p '%s'", ddir);
		cr_assert_eq(system(cmd), 0);
		free(cmd);
	}
	write_text(victim, "precious\n");
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
		execl(build_file("pyverify"), "pyverify", "trust", "import",
		      f.root, (char *)NULL);
		_exit(127);
	}
	close(gate[0]);
	links[0] = pathf("%s.tmp.%ld", dst, (long)pid); /* the old name */
	links[1] = pathf("%s.tmp", dst);
	links[2] = pathf("%s.new", dst);
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
		char *cmd = pathf("test $(ls -A '%s' | wc -l) -eq %d", ddir, 4);
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
	fx_free(&f);
}

/* ---- pyverifyd -------------------------------------------------------------- */

struct srv {
	pid_t pid;
	int port;
	char *log;
};

/* Starts pyverifyd with args (NULL-terminated, after the program name),
 * stderr to log. Returns 0 when it listens, 1 when it exited (status in
 * *status), -1 when it neither listened nor exited in time (killed). */
static int
srv_start(struct srv *s, const char *log, const char *const *args,
          int *status)
{
	const char *argv[32];
	char buf[256];
	size_t got = 0;
	int out[2], logfd, n = 0, i;
	time_t deadline = time(NULL) + RUN_SECONDS;

	s->pid = -1;
	s->port = 0;
	s->log = (char *)log;
	argv[n++] = build_file("pyverifyd");
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--threads";
	argv[n++] = "2";
	for (i = 0; args[i] != NULL && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	cr_assert_eq(pipe(out), 0);
	logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	cr_assert(logfd >= 0);
	s->pid = fork();
	cr_assert(s->pid >= 0);
	if (s->pid == 0) {
		dup2(out[1], 1);
		dup2(logfd, 2);
		close(out[0]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(logfd);
	while (time(NULL) < deadline) {
		struct pollfd p = { out[0], POLLIN, 0 };
		ssize_t r;
		char *colon;

		if (poll(&p, 1, 200) == 0)
			continue;
		r = read(out[0], buf + got, sizeof(buf) - 1 - got);
		if (r <= 0) {
			close(out[0]);
			waitpid(s->pid, status, 0);
			s->pid = -1;
			return 1;
		}
		got += (size_t)r;
		buf[got] = '\0';
		if (strchr(buf, '\n') == NULL)
			continue;
		colon = strrchr(buf, ':');
		cr_assert(strncmp(buf, "listening on ", 13) == 0 && colon,
		          "got %s", buf);
		s->port = (int)strtol(colon + 1, NULL, 10);
		close(out[0]);
		return 0;
	}
	close(out[0]);
	kill(s->pid, SIGKILL);
	waitpid(s->pid, status, 0);
	s->pid = -1;
	return -1;
}

/* SIGTERM; the exit status, or -1 when it did not stop in time. */
static int
srv_stop(struct srv *s)
{
	int st = 0, i;

	if (s->pid <= 0)
		return 0;
	kill(s->pid, SIGTERM);
	for (i = 0; i < RUN_SECONDS * 50; i++) {
		if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
			s->pid = -1;
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		usleep(20000);
	}
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &st, 0);
	s->pid = -1;
	return -1;
}

/* One HTTP/1.0 request on 127.0.0.1; the status code (0 when there was
 * no answer) and the body (malloc'd, may be NULL). */
static int
http_req(int port, const char *method, const char *path, const char *token,
         char **body)
{
	struct sockaddr_in a;
	char req[512], *buf = malloc(65536), *sep;
	size_t got = 0;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), code = 0, n;

	cr_assert(fd >= 0 && buf != NULL);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		goto done;
	n = snprintf(req, sizeof(req),
	             "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\n%s%s%s"
	             "Content-Length: 0\r\n\r\n", method, path,
	             token ? "Authorization: Bearer " : "", token ? token : "",
	             token ? "\r\n" : "");
	if (write(fd, req, (size_t)n) != n)
		goto done;
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t r;
		if (poll(&p, 1, RUN_SECONDS * 1000) <= 0)
			break;
		r = read(fd, buf + got, 65535 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	if (strncmp(buf, "HTTP/1.", 7) == 0 && got > 12)
		code = (int)strtol(buf + 9, NULL, 10);
done:
	close(fd);
	sep = strstr(buf, "\r\n\r\n");
	if (body != NULL)
		*body = strdup(sep ? sep + 4 : "");
	free(buf);
	return code;
}

/* Waits until the log holds `a` and `b` (a later line may be needed). */
static int
log_has(const char *log, const char *a, const char *b)
{
	int i;

	for (i = 0; i < RUN_SECONDS * 10; i++) {
		char *text = td_read(log, NULL);
		int ok = text != NULL && strstr(text, a) != NULL &&
		         (b == NULL || strstr(text, b) != NULL);
		free(text);
		if (ok)
			return 1;
		usleep(100000);
	}
	return 0;
}

static json_int_t
generation(int port)
{
	char *body = NULL;
	json_int_t g = -1;
	json_t *j;

	if (http_req(port, "GET", "/readyz", NULL, &body) == 200 &&
	    (j = json_loads(body, 0, NULL)) != NULL) {
		g = json_integer_value(json_object_get(j, "generation"));
		json_decref(j);
	}
	free(body);
	return g;
}

/* The fixture's files plus token files, for pyverifyd. */
struct sfx {
	struct fx f;
	char *tokens, *admin, *log;
};

static void
sfx_init(struct sfx *x)
{
	fx_init(&x->f);
	x->tokens = pathf("%s/tokens", x->f.dir);
	x->admin = pathf("%s/admin-tokens", x->f.dir);
	x->log = pathf("%s/server.log", x->f.dir);
	write_file(x->tokens, "# CI\n" TOKEN "\n", strlen(TOKEN) + 6, 0600);
	write_file(x->admin, ADMIN_TOKEN "\n", strlen(ADMIN_TOKEN) + 1, 0600);
}

static void
sfx_free(struct sfx *x)
{
	char *text = td_read(x->log, NULL);

	/* No sanitizer report in any server's log. */
	if (text != NULL) {
		cr_expect_null(strstr(text, "Sanitizer"), "%s", text);
		cr_expect_null(strstr(text, "runtime error"), "%s", text);
	}
	free(text);
	free(x->tokens);
	free(x->admin);
	free(x->log);
	fx_free(&x->f);
}

static void
expect_start_refused(struct sfx *x, const char *const *args, const char *a,
                     const char *b)
{
	struct srv s;
	int status = 0, rc = srv_start(&s, x->log, args, &status);
	char *text;

	cr_expect_neq(rc, -1, "pyverifyd hung at start (killed after %d s)",
	              RUN_SECONDS);
	if (rc == 0)
		(void)srv_stop(&s);
	cr_expect_eq(rc, 1, "pyverifyd started");
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) != 0,
	          "status %d", status);
	text = td_read(x->log, NULL);
	cr_expect(text != NULL && strstr(text, a) != NULL &&
	          (b == NULL || strstr(text, b) != NULL),
	          "no \"%s\" in the log:\n%s", a, text ? text : "");
	free(text);
	cr_assert_eq(truncate(x->log, 0), 0);
}

Test(files, pyverifyd_refuses_to_start_with_a_fifo_token_file)
{
	struct sfx x;

	sfx_init(&x);
	cr_assert_eq(unlink(x.tokens), 0);
	make_fifo(x.tokens);
	expect_start_refused(&x, (const char *const[]){ "--trusted-root",
	                     x.f.root, "--policy", x.f.policy, "--token-file",
	                     x.tokens, NULL }, "not a regular file (a FIFO)",
	                     "token file");
	expect_start_refused(&x, (const char *const[]){ "--trusted-root",
	                     x.f.root, "--policy", x.f.policy,
	                     "--admin-token-file", x.tokens, NULL },
	                     "not a regular file (a FIFO)", "token file");
	sfx_free(&x);
}

/* README: a missing or broken trusted root or policy at start-up does not
 * stop the service, it runs unready; a FIFO is one more way to be broken,
 * and must not make it hang. */
Test(files, pyverifyd_with_a_fifo_trusted_root_or_policy_starts_unready)
{
	struct sfx x;
	struct srv s;
	char *body = NULL;
	int status = 0, rc;

	sfx_init(&x);
	rc = srv_start(&s, x.log, (const char *const[]){ "--trusted-root",
	               x.f.fifo, "--policy", x.f.policy, NULL }, &status);
	cr_assert_eq(rc, 0, "pyverifyd %s", rc < 0 ? "hung" : "exited");
	cr_expect_eq(http_req(s.port, "GET", "/readyz", NULL, &body), 503);
	cr_expect(body && strstr(body, "not a regular file (a FIFO)"), "%s",
	          body ? body : "");
	free(body);
	cr_expect_eq(srv_stop(&s), 0);

	rc = srv_start(&s, x.log, (const char *const[]){ "--trusted-root",
	               x.f.root, "--policy", x.f.fifo, NULL }, &status);
	cr_assert_eq(rc, 0, "pyverifyd %s", rc < 0 ? "hung" : "exited");
	cr_expect_eq(http_req(s.port, "GET", "/readyz", NULL, &body), 503);
	cr_expect(body && strstr(body, "not a regular file (a FIFO)"), "%s",
	          body ? body : "");
	free(body);
	cr_expect_eq(srv_stop(&s), 0);
	sfx_free(&x);
}

/* A FIFO planted at the trusted root (or a token file) between two
 * reloads: SIGHUP used to block in open() on the signal thread, after
 * which SIGTERM was never taken. */
Test(files, pyverifyd_reload_refuses_a_fifo_and_still_stops_on_sigterm)
{
	struct sfx x;
	struct srv s;
	int status = 0, rc;

	sfx_init(&x);
	rc = srv_start(&s, x.log, (const char *const[]){ "--trusted-root",
	               x.f.root, "--policy", x.f.policy, "--token-file",
	               x.tokens, NULL }, &status);
	cr_assert_eq(rc, 0, "pyverifyd did not start");
	cr_assert_eq(generation(s.port), 1);

	cr_assert_eq(unlink(x.f.root), 0);
	make_fifo(x.f.root);
	kill(s.pid, SIGHUP);
	cr_expect(log_has(x.log, "reload failed", "not a regular file (a FIFO)"),
	          "no refused reload in the log");
	cr_expect_eq(generation(s.port), 1, "the old material is kept");

	/* The same for a token file. */
	cr_assert_eq(unlink(x.f.root), 0);
	{
		char *text = vs_trust_root_string(x.f.vs);
		write_text(x.f.root, text);
		free(text);
	}
	cr_assert_eq(unlink(x.tokens), 0);
	make_fifo(x.tokens);
	cr_assert_eq(truncate(x.log, 0), 0);
	kill(s.pid, SIGHUP);
	cr_expect(log_has(x.log, "reload failed", "token file"),
	          "no refused reload in the log");
	cr_expect_eq(generation(s.port), 1, "the old material is kept");
	/* The old token list still guards /v1. */
	cr_expect_eq(http_req(s.port, "POST", "/v1/verify", NULL, NULL), 401);
	cr_expect_neq(http_req(s.port, "POST", "/v1/verify", TOKEN, NULL), 401);

	cr_expect_eq(srv_stop(&s), 0, "SIGTERM did not stop pyverifyd");
	sfx_free(&x);
}

/* ---- token files with NUL bytes ---------------------------------------------- */

Test(files, pyverifyd_refuses_a_token_file_with_a_nul_byte)
{
	static const char in_token[] = "# CI\n" TOKEN "\0tail\n";
	static const char in_comment[] = "# CI \0 binary?\n" TOKEN "\n";
	static const char whole_line[] = TOKEN "\n\0\n";
	struct sfx x;
	struct srv s;
	int status = 0, rc;

	sfx_init(&x);
	write_file(x.tokens, in_token, sizeof(in_token) - 1, 0600);
	expect_start_refused(&x, (const char *const[]){ "--trusted-root",
	                     x.f.root, "--policy", x.f.policy, "--token-file",
	                     x.tokens, NULL }, "line 2 holds a NUL byte",
	                     NULL);
	write_file(x.tokens, in_comment, sizeof(in_comment) - 1, 0600);
	expect_start_refused(&x, (const char *const[]){ "--trusted-root",
	                     x.f.root, "--policy", x.f.policy, "--token-file",
	                     x.tokens, NULL }, "line 1 holds a NUL byte",
	                     NULL);

	/* A reload refuses the new file and keeps the old tokens. */
	write_file(x.tokens, "# CI\n" TOKEN "\n", strlen(TOKEN) + 6, 0600);
	rc = srv_start(&s, x.log, (const char *const[]){ "--trusted-root",
	               x.f.root, "--policy", x.f.policy, "--token-file",
	               x.tokens, NULL }, &status);
	cr_assert_eq(rc, 0, "pyverifyd did not start");
	write_file(x.tokens, whole_line, sizeof(whole_line) - 1, 0600);
	kill(s.pid, SIGHUP);
	cr_expect(log_has(x.log, "reload failed", "line 2 holds a NUL byte"),
	          "no refused reload in the log");
	cr_expect_eq(generation(s.port), 1);
	cr_expect_neq(http_req(s.port, "POST", "/v1/verify", TOKEN, NULL), 401);
	cr_expect_eq(srv_stop(&s), 0);
	sfx_free(&x);
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
	p = pathf("%s/f", dir);
	l = pathf("%s/link", dir);
	write_text(p, "0123456789");

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
	make_fifo(l);
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
		write_file(p, big, n, 0644);
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
