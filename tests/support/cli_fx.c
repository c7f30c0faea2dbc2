/* cli_fx.c - see cli_fx.h. */
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

#define SIGNER                                                                 \
	"\"identities\":[{\"identity\":\"" CFX_ID "\","                     \
	"\"issuer\":\"" CFX_ISS "\"}]"

const char cfx_policy_release[] =
	"{\"schema\":\"pyverify.cpython-policy/1\",\"series\":["
	"{\"series\":\"3.7\"," SIGNER ",\"first_sigstore\":\"3.7.14\","
	"\"pgp\":true},"
	"{\"series\":\"3.14\"," SIGNER ",\"first_sigstore\":\"3.14.0a1\","
	"\"pgp\":false},"
	"{\"series\":\"3.15\"," SIGNER ",\"first_sigstore\":\"3.15.0a1\","
	"\"pgp\":false}"
	"]}";

const char cfx_policy_314[] =
	"{\"schema\":\"pyverify.cpython-policy/1\",\"series\":["
	"{\"series\":\"3.14\"," SIGNER ",\"first_sigstore\":\"3.14.0a1\","
	"\"pgp\":false}]}";

const char *
cfx_bin(const char *name)
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

char *
cfx_pathf(const char *fmt, ...)
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

void
cfx_write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	cr_assert(fd >= 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	cr_assert_eq(fchmod(fd, mode), 0);
	cr_assert_eq(close(fd), 0);
}

void
cfx_write_text(const char *path, const char *text)
{
	cfx_write_file(path, text, strlen(text), 0644);
}

void
cfx_touch(const char *dir, const char *name)
{
	char *p = cfx_pathf("%s/%s", dir, name);

	cfx_write_text(p, "");
	free(p);
}

void
cfx_rm_rf(const char *dir)
{
	char *cmd = cfx_pathf("rm -rf '%s'", dir);

	cr_expect_eq(system(cmd), 0);
	free(cmd);
}

void
cfx_make_fifo(const char *path)
{
	unlink(path);
	cr_assert_eq(mkfifo(path, 0600), 0, "mkfifo %s: %s", path,
	             strerror(errno));
}

void
cfx_run_free(struct cfx_run *r)
{
	free(r->out);
	free(r->err);
}

/* Polls every 20 ms so that a hung child is noticed. */
static int
wait_bounded(pid_t pid, int *st, int seconds)
{
	int i;

	for (i = 0; i < seconds * 50; i++) {
		pid_t w = waitpid(pid, st, WNOHANG);
		cr_assert(w >= 0);
		if (w == pid)
			return 0;
		usleep(20000);
	}
	kill(-pid, SIGKILL);
	waitpid(pid, st, 0);
	return -1;
}

struct cfx_run
cfx_run(const char *dir, const char *const *env, const char *const *argv,
        int seconds)
{
	char outp[] = "/tmp/pv-cli-out-XXXXXX", errp[] = "/tmp/pv-cli-err-XXXXXX";
	int fo = mkstemp(outp), fe = mkstemp(errp), st = 0, i;
	struct cfx_run r = { 0 };
	pid_t pid;

	cr_assert(fo >= 0 && fe >= 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		/* Its own group when bounded: the whole group is killed. */
		if (seconds > 0)
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
	if (seconds > 0 && wait_bounded(pid, &st, seconds) != 0) {
		r.status = -1;
	} else {
		if (seconds <= 0)
			cr_assert_eq(waitpid(pid, &st, 0), pid);
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
	return r;
}

size_t
cfx_count_lines(const char *s, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);
	const char *p = s;

	while (*p) {
		if (strncmp(p, prefix, len) == 0)
			n++;
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	return n;
}

size_t
cfx_check_json_lines(const char *out, size_t counts[5])
{
	static const char *const required[] = {
		"artifact", "status", "version", "identity", "issuer",
		"sha256", "bundle", "log_index", "integrated_time", "error",
	};
	static const char *const statuses[] = {
		"verified", "failed", "legacy-pgp-only", "missing",
		"unknown-release",
	};
	char *copy = strdup(out), *line, *save = NULL;
	size_t n = 0, i;

	cr_assert_not_null(copy);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		json_error_t jerr;
		json_t *j = json_loads(line, 0, &jerr), *e;
		const char *status;

		cr_assert_not_null(j, "not JSON (%s): %s", jerr.text, line);
		for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
			cr_assert_not_null(json_object_get(j, required[i]),
			                   "no %s in %s", required[i], line);
		status = json_string_value(json_object_get(j, "status"));
		cr_assert_not_null(status);
		for (i = 0; i < 5 && strcmp(status, statuses[i]) != 0; i++)
			;
		cr_assert_lt(i, 5, "status %s", status);
		counts[i]++;
		e = json_object_get(j, "error");
		if (i == 1) {
			cr_assert(json_is_string(json_object_get(e, "step")),
			          "%s", line);
			cr_assert(json_is_string(json_object_get(e, "message")),
			          "%s", line);
		} else {
			cr_assert(json_is_null(e), "%s", line);
		}
		if (i == 0) {
			cr_assert(json_is_integer(json_object_get(j,
			                                           "log_index")));
			cr_assert(json_is_string(json_object_get(
				j, "integrated_time")));
			cr_assert_eq(strlen(json_string_value(
				             json_object_get(j, "sha256"))), 64);
		}
		json_decref(j);
		n++;
	}
	free(copy);
	return n;
}

void
cfx_init(struct cfx *f, const char *tmpl, const char *policy)
{
	char *root_text;

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s", tmpl);
	cr_assert_not_null(mkdtemp(f->dir));
	f->vs = vs_new();
	cr_assert_not_null(f->vs);
	f->leaf = vs_leaf_new(f->vs, NULL);
	cr_assert_not_null(f->leaf);
	root_text = vs_trust_root_string(f->vs);
	cr_assert_not_null(root_text);
	f->root = cfx_pathf("%s/trusted_root.json", f->dir);
	f->policy = cfx_pathf("%s/policy.json", f->dir);
	cfx_write_text(f->root, root_text);
	cfx_write_text(f->policy, policy);
	free(root_text);
}

void
cfx_init_release(struct cfx *f)
{
	cfx_init(f, "/tmp/pv-cli-XXXXXX", cfx_policy_release);
}

void
cfx_digest(char out[72], const void *data, size_t len)
{
	uint8_t d[32];
	int i;

	vs_sha256(d, data, len);
	memcpy(out, "sha256:", 7);
	for (i = 0; i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", d[i]);
}

void
cfx_init_signed(struct cfx *f)
{
	cfx_init(f, "/tmp/pv-files-XXXXXX", cfx_policy_314);
	f->art = cfx_pathf("%s/Python-3.14.0.tgz", f->dir);
	f->bundle = cfx_pathf("%s/Python-3.14.0.tgz.sigstore", f->dir);
	f->fifo = cfx_pathf("%s/fifo", f->dir);
	cfx_put_signed(f, f->art, "release bytes", f->bundle, "release bytes");
	cfx_make_fifo(f->fifo);
	cfx_digest(f->digest, "release bytes", strlen("release bytes"));
}

void
cfx_free(struct cfx *f)
{
	cfx_rm_rf(f->dir);
	free(f->root);
	free(f->policy);
	free(f->art);
	free(f->bundle);
	free(f->fifo);
	vs_leaf_free(f->leaf);
	vs_free(f->vs);
}

void
cfx_put_signed(struct cfx *f, const char *path, const char *content,
               const char *bundle_path, const char *signed_content)
{
	struct vs_sign_opts o = { 0 };
	json_t *b;
	char *text;

	cfx_write_text(path, content);
	if (bundle_path == NULL)
		return;
	o.artifact = signed_content;
	o.artifact_len = strlen(signed_content);
	b = vs_sign(f->vs, f->leaf, &o);
	cr_assert_not_null(b);
	text = vs_dump(b);
	cfx_write_text(bundle_path, text);
	free(text);
	json_decref(b);
}

void
cfx_put_release(struct cfx *f, const char *name, int signed_ok)
{
	char *p = cfx_pathf("%s/%s", f->dir, name);
	char *b = cfx_pathf("%s/%s.sigstore", f->dir, name);

	cfx_put_signed(f, p, name, b, signed_ok ? name : "other bytes");
	free(p);
	free(b);
}
