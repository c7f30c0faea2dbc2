/* daemon_fx.c - see daemon_fx.h. */
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
#include <curl/curl.h>
#include <jansson.h>

#include "cli_fx.h"
#include "daemon_fx.h"
#include "vsigstore.h"

int
dfx_spawn(const char *const *argv, const char *log, int seconds, pid_t *pid,
          int *port, int *status)
{
	char buf[256];
	size_t got = 0;
	int out[2], logfd;
	time_t deadline = time(NULL) + seconds;

	*pid = -1;
	*port = 0;
	cr_assert_eq(pipe(out), 0);
	logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	cr_assert(logfd >= 0);
	*pid = fork();
	cr_assert(*pid >= 0);
	if (*pid == 0) {
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
			waitpid(*pid, status, 0);
			*pid = -1;
			return 1;
		}
		got += (size_t)r;
		buf[got] = '\0';
		if (strchr(buf, '\n') == NULL)
			continue;
		colon = strrchr(buf, ':');
		cr_assert(strncmp(buf, "listening on ", 13) == 0 && colon,
		          "got %s", buf);
		*port = (int)strtol(colon + 1, NULL, 10);
		close(out[0]);
		return 0;
	}
	close(out[0]);
	kill(*pid, SIGKILL);
	waitpid(*pid, status, 0);
	*pid = -1;
	return -1;
}

void
dfx_init(struct dfx *f)
{
	char *root;

	memset(f, 0, sizeof(*f));
	f->pid = -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/pvd-test-XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
	snprintf(f->root, sizeof(f->root), "%s/trusted_root.json", f->dir);
	snprintf(f->policy, sizeof(f->policy), "%s/policy.json", f->dir);
	snprintf(f->tokens, sizeof(f->tokens), "%s/tokens", f->dir);
	snprintf(f->admin, sizeof(f->admin), "%s/admin-tokens", f->dir);
	snprintf(f->log, sizeof(f->log), "%s/server.log", f->dir);
	f->vs = vs_new();
	cr_assert_not_null(f->vs);
	f->leaf = vs_leaf_new(f->vs, NULL);
	cr_assert_not_null(f->leaf);
	f->bundle = vs_sign(f->vs, f->leaf, NULL);
	cr_assert_not_null(f->bundle);
	cfx_digest(f->digest, "hello\n", 6);
	root = vs_trust_root_string(f->vs);
	cfx_write_text(f->root, root);
	free(root);
	cfx_write_text(f->policy, cfx_policy_314);
	cfx_write_file(f->tokens, "# CI\n" DFX_TOKEN "\n",
	               strlen(DFX_TOKEN) + 6, 0600);
	cfx_write_file(f->admin, DFX_ADMIN_TOKEN "\n",
	               strlen(DFX_ADMIN_TOKEN) + 1, 0600);
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Starts the server with the fixture's files plus extra (NULL-terminated).
 * Returns 0 when it listens, -1 when it exited (f->pid reaped, status in
 * *status), -2 when it neither listened nor exited in 20 s (killed). */
int
dfx_start_status(struct dfx *f, const char *const *extra, int *status)
{
	const char *argv[48];
	int n = 0, i, rc;

	argv[n++] = cfx_bin("pyverifyd");
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--trusted-root";
	argv[n++] = f->root;
	if (f->policy[0] != '\0') { /* "": the default policy */
		argv[n++] = "--policy";
		argv[n++] = f->policy;
	}
	argv[n++] = "--threads";
	argv[n++] = "2";
	for (i = 0; extra != NULL && extra[i] != NULL && n < 46; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	/* ASan builds start slowly. */
	rc = dfx_spawn(argv, f->log, 20, &f->pid, &f->port, status);
	return rc == 0 ? 0 : rc == 1 ? -1 : -2;
}

void
dfx_start(struct dfx *f, const char *const *extra)
{
	int status = 0;

	cr_assert_eq(dfx_start_status(f, extra, &status), 0,
	             "pyverifyd did not start (status %d); see %s", status,
	             f->log);
}

/* SIGTERM and the exit status. */
int
dfx_stop(struct dfx *f)
{
	int status = -1;

	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, &status, 0);
		f->pid = -1;
	}
	return status;
}

void
dfx_fini(struct dfx *f)
{
	char cmd[128], line[4096];
	int running = f->pid > 0, status = dfx_stop(f);
	FILE *lf;

	/* Every server exits 0 on SIGTERM, also under ASan/LSan, and never
	 * reports a sanitizer error. */
	if (running)
		cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		          "pyverifyd exit status %d; see its log", status);
	lf = fopen(f->log, "r");
	while (lf != NULL && fgets(line, sizeof(line), lf) != NULL) {
		cr_expect_null(strstr(line, "Sanitizer"), "%s", line);
		cr_expect_null(strstr(line, "runtime error"), "%s", line);
	}
	if (lf != NULL)
		fclose(lf);
	json_decref(f->bundle);
	vs_leaf_free(f->leaf);
	vs_free(f->vs);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", f->dir);
}

static size_t
collect(char *p, size_t sz, size_t n, void *ud)
{
	struct dfx_resp *r = ud;
	char *nb = realloc(r->body, r->len + sz * n + 1);

	if (nb == NULL)
		return 0;
	r->body = nb;
	memcpy(r->body + r->len, p, sz * n);
	r->len += sz * n;
	r->body[r->len] = '\0';
	return sz * n;
}

CURL *
dfx_easy(struct dfx *f, struct dfx_resp *r, const char *method,
         const char *path, const char *ctype, const char *body, size_t len,
         const char *token, struct curl_slist **hdrs)
{
	char url[256], h[256];
	CURL *c = curl_easy_init();

	cr_assert_not_null(c);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", f->port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	*hdrs = curl_slist_append(NULL, "Expect:");
	if (ctype != NULL) {
		snprintf(h, sizeof(h), "Content-Type: %s", ctype);
		*hdrs = curl_slist_append(*hdrs, h);
	}
	if (token != NULL) {
		snprintf(h, sizeof(h), "Authorization: Bearer %s", token);
		*hdrs = curl_slist_append(*hdrs, h);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, *hdrs);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	return c;
}

void
dfx_finish(struct dfx_resp *r, CURL *c)
{
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->code);
	if (r->body != NULL)
		r->json = json_loads(r->body, 0, NULL);
}

struct dfx_resp
dfx_http(struct dfx *f, const char *method, const char *path, const char *ctype,
         const char *body, size_t len, const char *token)
{
	struct dfx_resp r = { 0, NULL, 0, NULL };
	struct curl_slist *hdrs = NULL;
	CURL *c = dfx_easy(f, &r, method, path, ctype, body, len, token, &hdrs);
	CURLcode rc = curl_easy_perform(c);

	cr_assert_eq(rc, CURLE_OK, "%s %s: %s", method, path,
	             curl_easy_strerror(rc));
	dfx_finish(&r, c);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	return r;
}

void
dfx_resp_free(struct dfx_resp *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

const char *
dfx_jget(const struct dfx_resp *r, const char *key)
{
	json_t *v = r->json ? json_object_get(r->json, key) : NULL;

	return v != NULL && json_is_string(v) ? json_string_value(v) : NULL;
}

/* {"bundle": ..., "digest": ..., "artifact": ..., ...} as text. */
char *
dfx_request_json(json_t *bundle, const char *digest, const char *artifact,
                 const char *identity, const char *issuer)
{
	json_t *o = json_pack("{s:O,s:s}", "bundle", bundle, "digest", digest);
	char *s;

	if (artifact)
		json_object_set_new(o, "artifact", json_string(artifact));
	if (identity)
		json_object_set_new(o, "identity", json_string(identity));
	if (issuer)
		json_object_set_new(o, "issuer", json_string(issuer));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

struct dfx_resp
dfx_post_verify(struct dfx *f, const char *body, const char *token)
{
	return dfx_http(f, "POST", "/v1/verify", "application/json", body,
	                strlen(body), token);
}

long
dfx_expect_code(struct dfx *f, const char *body, long code, const char *err)
{
	struct dfx_resp r = dfx_post_verify(f, body, NULL);

	cr_expect_eq(r.code, code, "expected %ld, got %ld: %s", code, r.code,
	             r.body ? r.body : "");
	if (err != NULL)
		cr_expect_str_eq(dfx_jget(&r, "error")
		                     ? dfx_jget(&r, "error") : "", err,
		                 "body %s", r.body ? r.body : "");
	dfx_resp_free(&r);
	return code;
}

/* Sends raw bytes on a fresh connection and reads until the server closes
 * it (or 10 s pass). Returns the status code of the answer, 0 when the
 * connection was closed without one; *out (malloc'd) holds the answer. */
int
dfx_raw_http(struct dfx *f, const void *req, size_t len, char **out)
{
	struct sockaddr_in sa;
	char *buf = malloc(65536);
	size_t n = 0;
	int s, code = 0;

	cr_assert_not_null(buf);
	s = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(s >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)f->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(send(s, req, len, MSG_NOSIGNAL), (ssize_t)len);
	for (;;) {
		struct pollfd p = { s, POLLIN, 0 };
		ssize_t r;

		if (poll(&p, 1, 10000) <= 0 || n + 1 >= 65536)
			break;
		r = recv(s, buf + n, 65536 - 1 - n, 0);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(s);
	buf[n] = '\0';
	if (n > 12 && strncmp(buf, "HTTP/1.1 ", 9) == 0)
		code = (int)strtol(buf + 9, NULL, 10);
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	return code;
}

/* POST path with the given Content-Type line (raw bytes) and body. */
int
dfx_raw_post(struct dfx *f, const char *path, const char *ctype,
             const void *body, size_t len, char **out)
{
	char head[1024];
	char *req;
	int n, code;

	n = snprintf(head, sizeof(head),
	             "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	             "Connection: close\r\nContent-Type: %s\r\n"
	             "Content-Length: %zu\r\n\r\n", path, ctype, len);
	cr_assert(n > 0 && (size_t)n < sizeof(head));
	req = malloc((size_t)n + len);
	cr_assert_not_null(req);
	memcpy(req, head, (size_t)n);
	memcpy(req + n, body, len);
	code = dfx_raw_http(f, req, (size_t)n + len, out);
	free(req);
	return code;
}

/* The JSON error body of a raw answer, parsed (NULL when none). */
json_t *
dfx_raw_body_json(const char *answer)
{
	const char *b = answer != NULL ? strstr(answer, "\r\n\r\n") : NULL;

	return b != NULL ? json_loads(b + 4, 0, NULL) : NULL;
}

int
dfx_connect_loopback(int port)
{
	struct sockaddr_in sa;
	int s = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert(s >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return s;
}

double
dfx_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Reads one answer (up to a blank line plus Content-Length bytes) from s
 * within `wait` seconds. Returns its status code, 0 when the connection
 * was closed or nothing came in time. */
int
dfx_read_answer(int s, double wait)
{
	char buf[8192];
	size_t n = 0;
	double end = dfx_now() + wait;

	for (;;) {
		struct pollfd p = { s, POLLIN, 0 };
		const char *eoh, *cl;
		double left = end - dfx_now();
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			return 0;
		r = recv(s, buf + n, sizeof(buf) - 1 - n, 0);
		if (r <= 0)
			return 0;
		n += (size_t)r;
		buf[n] = '\0';
		eoh = strstr(buf, "\r\n\r\n");
		cl = strstr(buf, "Content-Length: ");
		if (eoh != NULL && cl != NULL && cl < eoh &&
		    n >= (size_t)(eoh + 4 - buf) + strtoul(cl + 16, NULL, 10))
			return (int)strtol(buf + 9, NULL, 10);
		if (n + 1 >= sizeof(buf))
			return 0;
	}
}

/* Sends one byte every `every` seconds, up to `max` seconds, until the
 * server closes the connection; returns the seconds it took (or max). */
double
dfx_trickle_until_closed(int s, const char *byte, double every, double max)
{
	double t0 = dfx_now();

	while (dfx_now() - t0 < max) {
		struct pollfd p = { s, POLLIN, 0 };
		char buf[512];

		if (send(s, byte, 1, MSG_NOSIGNAL) != 1)
			break;
		if (poll(&p, 1, (int)(every * 1000)) > 0 &&
		    recv(s, buf, sizeof(buf), 0) <= 0)
			break;
	}
	return dfx_now() - t0;
}
