/*
 * test_files_daemon.c - input files that are not what they seem (issue 8,
 * defects 4-6), met by pyverifyd: FIFOs as token file, trusted root or
 * policy, at start and at reload, and token files with NUL bytes. Every
 * run is bounded in time: a hang is a failure, not a stuck test. Servers
 * listen on 127.0.0.1 only.
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

#include "cli_fx.h"
#include "daemon_fx.h"
#include "testdata.h"

#define TOKEN DFX_TOKEN
#define ADMIN_TOKEN DFX_ADMIN_TOKEN
/* Generous for ASan builds; a FIFO open that blocks never returns. */
#define RUN_SECONDS 20

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
	int n = 0, i;

	s->log = (char *)log;
	argv[n++] = cfx_bin("pyverifyd");
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--threads";
	argv[n++] = "2";
	for (i = 0; args[i] != NULL && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return dfx_spawn(argv, log, RUN_SECONDS, &s->pid, &s->port, status);
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
	struct cfx f;
	char *tokens, *admin, *log;
};

static void
sfx_init(struct sfx *x)
{
	cfx_init_signed(&x->f);
	x->tokens = cfx_pathf("%s/tokens", x->f.dir);
	x->admin = cfx_pathf("%s/admin-tokens", x->f.dir);
	x->log = cfx_pathf("%s/server.log", x->f.dir);
	cfx_write_file(x->tokens, "# CI\n" TOKEN "\n", strlen(TOKEN) + 6, 0600);
	cfx_write_file(x->admin, ADMIN_TOKEN "\n", strlen(ADMIN_TOKEN) + 1,
	               0600);
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
	cfx_free(&x->f);
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
	cfx_make_fifo(x.tokens);
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
	cfx_make_fifo(x.f.root);
	kill(s.pid, SIGHUP);
	cr_expect(log_has(x.log, "reload failed", "not a regular file (a FIFO)"),
	          "no refused reload in the log");
	cr_expect_eq(generation(s.port), 1, "the old material is kept");

	/* The same for a token file. */
	cr_assert_eq(unlink(x.f.root), 0);
	{
		char *text = vs_trust_root_string(x.f.vs);
		cfx_write_text(x.f.root, text);
		free(text);
	}
	cr_assert_eq(unlink(x.tokens), 0);
	cfx_make_fifo(x.tokens);
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
	cfx_write_file(x.tokens, in_token, sizeof(in_token) - 1, 0600);
	expect_start_refused(&x, (const char *const[]){ "--trusted-root",
	                     x.f.root, "--policy", x.f.policy, "--token-file",
	                     x.tokens, NULL }, "line 2 holds a NUL byte",
	                     NULL);
	cfx_write_file(x.tokens, in_comment, sizeof(in_comment) - 1, 0600);
	expect_start_refused(&x, (const char *const[]){ "--trusted-root",
	                     x.f.root, "--policy", x.f.policy, "--token-file",
	                     x.tokens, NULL }, "line 1 holds a NUL byte",
	                     NULL);

	/* A reload refuses the new file and keeps the old tokens. */
	cfx_write_file(x.tokens, "# CI\n" TOKEN "\n", strlen(TOKEN) + 6, 0600);
	rc = srv_start(&s, x.log, (const char *const[]){ "--trusted-root",
	               x.f.root, "--policy", x.f.policy, "--token-file",
	               x.tokens, NULL }, &status);
	cr_assert_eq(rc, 0, "pyverifyd did not start");
	cfx_write_file(x.tokens, whole_line, sizeof(whole_line) - 1, 0600);
	kill(s.pid, SIGHUP);
	cr_expect(log_has(x.log, "reload failed", "line 2 holds a NUL byte"),
	          "no refused reload in the log");
	cr_expect_eq(generation(s.port), 1);
	cr_expect_neq(http_req(s.port, "POST", "/v1/verify", TOKEN, NULL), 401);
	cr_expect_eq(srv_stop(&s), 0);
	sfx_free(&x);
}
