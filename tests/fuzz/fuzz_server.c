/* fuzz_server.c - pyverifyd's request handling (server/ without main.c) on
 * arbitrary bytes: each input is the raw HTTP a client sends, headers
 * included, handed to the real daemon (pvd_http_start, libmicrohttpd, one
 * thread) over a socketpair with MHD_add_connection; the target then half-
 * closes its end and reads the answer until the daemon closes. No network:
 * the daemon's listen socket is on 127.0.0.1, port 0, and never connected.
 *
 * Configuration: a trusted root minted by the virtual Sigstore with one
 * TSA, a CPython policy for 3.14 signed by the minted identity, bearer and
 * admin token files, no verdict cache (each input is judged afresh).
 * Seeds: every endpoint, JSON and multipart verify bodies (Rekor v1, and
 * Rekor v2 with an RFC 3161 timestamp), chunked bodies, 100-continue,
 * pipelined requests, and wrong tokens, methods and types.
 * Oracle: no crash or leak, and never a 500 (the server's own failure). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "fuzz_mint.h"
#include "pyverifyd.h"

#define TARGET "fuzz_server"
#define TOKEN "fuzz-token-0123456789abcdef"
#define ADMIN_TOKEN "fuzz-admin-0123456789abcdef"
#define ARTIFACT_NAME "Python-3.14.0.tgz"
/* An answer takes milliseconds; this only bounds a daemon that hangs. */
#define READ_TIMEOUT_MS 5000

static const char policy_json[] =
	"{\"schema\":\"pyverify.cpython-policy/1\",\"series\":[{\"series\":"
	"\"3.14\",\"identities\":[{\"identity\":\"dev@example.org\",\"issuer\":"
	"\"https://issuer.example\"}],\"first_sigstore\":\"3.14.0a1\","
	"\"pgp\":false}]}";

static struct MHD_Daemon *daemon_;
static struct pvd_config cfg;
static FILE *diag; /* the real stderr */
static char tmpdir[FZ_PATH_MAX];

/* ---- seeds ------------------------------------------------------------ */

static char *
http_request(const char *method, const char *path, const char *headers,
             const char *body, size_t body_len)
{
	size_t cap = 512 + strlen(headers) + body_len;
	char *s = malloc(cap);
	int n;

	FZ_REQUIRE(s != NULL);
	n = snprintf(s, cap,
	             "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s"
	             "Content-Length: %zu\r\n\r\n",
	             method, path, headers, body_len);
	FZ_REQUIRE(n > 0 && (size_t)n + body_len < cap);
	memcpy(s + n, body, body_len);
	s[n + body_len] = '\0';
	return s;
}

static void
seed_str(const char *name, char *req)
{
	fz_seed(TARGET, name, -1, req, strlen(req));
	free(req);
}

static void
seed_get(const char *name, const char *path, const char *headers)
{
	char req[512];

	snprintf(req, sizeof(req),
	         "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n", path, headers);
	fz_seed(TARGET, name, -1, req, strlen(req));
}

static char *
json_body(const char *bundle, const char *digest, const char *artifact,
          int signer)
{
	json_t *b = json_loads(bundle, 0, NULL), *o;
	char *s;

	FZ_REQUIRE(b != NULL);
	o = json_pack("{s:o,s:s}", "bundle", b, "digest", digest);
	FZ_REQUIRE(o != NULL);
	if (artifact != NULL)
		json_object_set_new(o, "artifact", json_string(artifact));
	if (signer) {
		json_object_set_new(o, "identity",
		                    json_string("dev@example.org"));
		json_object_set_new(o, "issuer",
		                    json_string("https://issuer.example"));
	}
	s = vs_dump(o);
	FZ_REQUIRE(s != NULL);
	json_decref(o);
	return s;
}

static char *
multipart_body(const char *bundle, int with_name)
{
	const char *bnd = "fuzzboundary7MA4YWxkTrZu0gW";
	size_t cap = strlen(bundle) + 1024;
	char *s = malloc(cap);
	int n;

	FZ_REQUIRE(s != NULL);
	n = snprintf(s, cap,
	             "--%s\r\nContent-Disposition: form-data; name=\"artifact\"; "
	             "filename=\"%s\"\r\nContent-Type: application/octet-stream"
	             "\r\n\r\nhello\n\r\n"
	             "--%s\r\nContent-Disposition: form-data; name=\"bundle\"; "
	             "filename=\"b.sigstore.json\"\r\nContent-Type: "
	             "application/json\r\n\r\n%s\r\n"
	             "%s%s%s"
	             "--%s--\r\n",
	             bnd, ARTIFACT_NAME, bnd, bundle,
	             with_name ? "--fuzzboundary7MA4YWxkTrZu0gW\r\n"
	                         "Content-Disposition: form-data; "
	                         "name=\"name\"\r\n\r\n"
	                       : "",
	             with_name ? ARTIFACT_NAME : "", with_name ? "\r\n" : "",
	             bnd);
	FZ_REQUIRE(n > 0 && (size_t)n < cap);
	return s;
}

static void
seed_post(const char *name, const char *path, const char *headers,
          const char *body)
{
	seed_str(name, http_request("POST", path, headers, body, strlen(body)));
}

static void
seed_chunked(const char *name, const char *body)
{
	size_t len = strlen(body), half = len / 2, cap = len + 512;
	char *s = malloc(cap);
	int n;

	FZ_REQUIRE(s != NULL);
	n = snprintf(s, cap,
	             "POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	             "Authorization: Bearer " TOKEN "\r\n"
	             "Content-Type: application/json\r\n"
	             "Transfer-Encoding: chunked\r\n\r\n"
	             "%zx\r\n%.*s\r\n%zx\r\n%s\r\n0\r\n\r\n",
	             half, (int)half, body, len - half, body + half);
	FZ_REQUIRE(n > 0 && (size_t)n < cap);
	fz_seed(TARGET, name, -1, s, (size_t)n);
	free(s);
}

static void
make_seeds(const char *b1, const char *b2)
{
	static const char auth[] = "Authorization: Bearer " TOKEN "\r\n";
	static const char json_h[] = "Authorization: Bearer " TOKEN "\r\n"
	                             "Content-Type: application/json\r\n";
	char digest[72], *body, *req, *two;
	uint8_t d[32];
	size_t i;

	vs_sha256(d, "hello\n", 6);
	memcpy(digest, "sha256:", 7);
	for (i = 0; i < 32; i++)
		snprintf(digest + 7 + 2 * i, 3, "%02x", d[i]);

	seed_get("healthz", "/healthz", "");
	seed_get("readyz", "/readyz", "");
	seed_get("metrics", "/metrics", "");
	seed_get("trust", "/v1/trust", auth);
	seed_get("trust-no-token", "/v1/trust", "");
	seed_get("trust-bad-token",
	         "/v1/trust", "Authorization: Bearer not-a-token-0123456789\r\n");
	seed_get("verify-get", "/v1/verify", auth);
	seed_get("not-found", "/nope", "X-Request-Id: fuzz-1\r\n");
	seed_post("reload", "/v1/admin/reload",
	          "Authorization: Bearer " ADMIN_TOKEN "\r\n", "");
	seed_post("reload-user-token", "/v1/admin/reload", auth, "");

	body = json_body(b1, digest, ARTIFACT_NAME, 0);
	seed_post("json-v1-release", "/v1/verify", json_h, body);
	seed_chunked("json-v1-chunked", body);
	req = http_request("POST", "/v1/verify",
	                   "Authorization: Bearer " TOKEN "\r\n"
	                   "Content-Type: application/json; charset=utf-8\r\n"
	                   "Expect: 100-continue\r\n",
	                   body, strlen(body));
	seed_str("json-v1-continue", req);
	seed_post("json-wrong-type", "/v1/verify",
	          "Authorization: Bearer " TOKEN "\r\n"
	          "Content-Type: text/plain\r\n", body);
	free(body);
	body = json_body(b2, digest, NULL, 1);
	seed_post("json-v2-tsa-signer", "/v1/verify", json_h, body);
	free(body);
	body = json_body(b2, digest, ARTIFACT_NAME, 1);
	seed_post("json-v2-tsa-release-override", "/v1/verify", json_h, body);
	free(body);
	/* Two requests on one connection (keep-alive, pipelined). */
	req = http_request("GET", "/healthz", "", "", 0);
	body = json_body(b2, digest, ARTIFACT_NAME, 0);
	two = http_request("POST", "/v1/verify", json_h, body, strlen(body));
	free(body);
	body = malloc(strlen(req) + strlen(two) + 1);
	FZ_REQUIRE(body != NULL);
	memcpy(body, req, strlen(req));
	memcpy(body + strlen(req), two, strlen(two) + 1);
	seed_str("pipelined", body);
	free(req);
	free(two);

	body = multipart_body(b1, 0);
	seed_post("multipart-v1", "/v1/verify",
	          "Authorization: Bearer " TOKEN "\r\n"
	          "Content-Type: multipart/form-data; "
	          "boundary=fuzzboundary7MA4YWxkTrZu0gW\r\n",
	          body);
	free(body);
	body = multipart_body(b2, 1);
	seed_post("multipart-v2-tsa-name", "/v1/verify",
	          "Authorization: Bearer " TOKEN "\r\n"
	          "Content-Type: multipart/form-data; "
	          "boundary=fuzzboundary7MA4YWxkTrZu0gW\r\n",
	          body);
	free(body);
}

static void
make_fixture(void)
{
	struct vs *vs = vs_new();
	struct vtsa *t = vtsa_new(NULL);
	struct vs_leaf *leaf;
	struct vs_sign_opts rk2 = { .rekor_v2 = 1 };
	json_t *b;
	char *s, *b1, *b2;

	FZ_REQUIRE(vs != NULL && t != NULL);
	leaf = vs_leaf_new(vs, NULL);
	FZ_REQUIRE(leaf != NULL);
	s = fz_root_with_tsas(vs, &t, 1);
	fz_save_str(TARGET, "root.json", s);
	free(s);
	b = vs_sign(vs, leaf, NULL);
	FZ_REQUIRE(b != NULL);
	b1 = vs_dump(b);
	json_decref(b);
	b = vs_sign(vs, leaf, &rk2);
	FZ_REQUIRE(b != NULL);
	fz_stamp(b, t, 1);
	b2 = vs_dump(b);
	json_decref(b);
	FZ_REQUIRE(b1 != NULL && b2 != NULL);
	make_seeds(b1, b2);
	free(b1);
	free(b2);
	vs_leaf_free(leaf);
	vtsa_free(t);
	vs_free(vs);
}

/* ---- the daemon ------------------------------------------------------- */

static void
write_private(const char *name, const char *text, char *path, size_t cap)
{
	FILE *f;

	FZ_REQUIRE(snprintf(path, cap, "%s/%s", tmpdir, name) > 0);
	f = fopen(path, "w");
	FZ_REQUIRE(f != NULL);
	/* Token files readable by others are refused (auth.c). */
	FZ_REQUIRE(fchmod(fileno(f), 0600) == 0);
	FZ_REQUIRE(fputs(text, f) >= 0);
	FZ_REQUIRE(fclose(f) == 0);
}

static void
remove_tmpdir(void)
{
	static const char *const names[] = { "policy.json", "tokens",
	                                     "admin-tokens" };
	char path[FZ_PATH_MAX + 32];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char root_path[FZ_PATH_MAX], policy_path[FZ_PATH_MAX + 32],
		tokens[FZ_PATH_MAX + 32], admin[FZ_PATH_MAX + 32];
	/* getopt permutes argv: a writable array, never string literals. */
	static char *args[] = {
		(char *)"pyverifyd", (char *)"--listen", (char *)"127.0.0.1:0",
		(char *)"--threads", (char *)"1", (char *)"--cache-entries",
		(char *)"0", (char *)"--timeout", (char *)"2",
		(char *)"--max-json-bytes", (char *)"64K",
		(char *)"--max-artifact-bytes", (char *)"64K",
		(char *)"--log-format", (char *)"text",
		(char *)"--trusted-root", root_path, (char *)"--policy",
		policy_path, (char *)"--token-file", tokens,
		(char *)"--admin-token-file", admin, NULL
	};
	struct sockaddr_in sin;
	struct pv_bytes text = { NULL, 0 };
	char why[1024];
	int fd;

	(void)argc;
	(void)argv;
	if (fz_load(TARGET, "root.json", &text) != 0)
		make_fixture();
	pv_bytes_clear(&text);
	fz_path(root_path, TARGET, "root.json");
	/* libFuzzer often ends without running atexit handlers: check.sh and
	 * run.sh point TMPDIR at a directory they clean up. */
	FZ_REQUIRE(snprintf(tmpdir, sizeof(tmpdir), "%s/fuzz-server-XXXXXX",
	                    getenv("TMPDIR") != NULL && getenv("TMPDIR")[0]
	                        ? getenv("TMPDIR")
	                        : "/tmp") < (int)sizeof(tmpdir));
	FZ_REQUIRE(mkdtemp(tmpdir) != NULL);
	atexit(remove_tmpdir);
	write_private("policy.json", policy_json, policy_path,
	              sizeof(policy_path));
	write_private("tokens", TOKEN "\n", tokens, sizeof(tokens));
	write_private("admin-tokens", ADMIN_TOKEN "\n", admin, sizeof(admin));

	FZ_REQUIRE(pvd_config_parse(&cfg,
	                            (int)(sizeof(args) / sizeof(args[0])) - 1,
	                            args) == 0);
	/* The daemon logs a line per request on stderr: that would drown
	 * libFuzzer's status and cost more than the request. Sanitizer
	 * reports and libFuzzer write to the real stderr and are kept. */
	diag = stderr;
	if (getenv("FZ_VERBOSE") == NULL) {
		FILE *null = fopen("/dev/null", "w");
		FZ_REQUIRE(null != NULL);
		stderr = null;
	}
	pvd_log_init(cfg.log_format);
	signal(SIGPIPE, SIG_IGN);
	FZ_REQUIRE(pvd_cache_init(cfg.cache_entries, cfg.cache_ttl,
	                          cfg.cache_failure_ttl) == 0);
	if (pvd_trust_init(&cfg, why, sizeof(why)) != 0) {
		fprintf(diag, "fuzz fixture: pyverifyd trust: %s\n", why);
		exit(2);
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	FZ_REQUIRE(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	FZ_REQUIRE(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	FZ_REQUIRE(listen(fd, 1) == 0);
	daemon_ = pvd_http_start(&cfg, fd);
	FZ_REQUIRE(daemon_ != NULL);
	return 0;
}

/* Sends everything; the peer is not read yet, so this fills the buffer. */
static int
send_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Waits (boundedly) until the daemon has read all we sent. */
static void
wait_consumed(int fd)
{
	struct timespec pause = { 0, 20 * 1000 };
	double t0 = pvd_now_ms();
	int queued;

	while (ioctl(fd, SIOCOUTQ, &queued) == 0 && queued > 0 &&
	       pvd_now_ms() - t0 < READ_TIMEOUT_MS)
		nanosleep(&pause, NULL);
}

/* The daemon frees a connection shortly after closing it. Waiting for that
 * keeps each input's allocations inside its run, so libFuzzer's leak check
 * (which reruns an input whose mallocs and frees differ) stays quiet and
 * meaningful. */
static void
wait_idle(void)
{
	struct timespec pause = { 0, 50 * 1000 };
	double t0 = pvd_now_ms();

	for (;;) {
		const union MHD_DaemonInfo *info = MHD_get_daemon_info(
		    daemon_, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

		if (info == NULL || info->num_connections == 0)
			return;
		if (pvd_now_ms() - t0 > READ_TIMEOUT_MS) {
			fprintf(diag, "pyverifyd kept a closed connection for "
			              "%d ms\n", READ_TIMEOUT_MS);
			abort();
		}
		nanosleep(&pause, NULL);
	}
}

/* "HTTP/1.1 500 " opening a response: the server's own failure, never
 * the client's. Bodies are one line of JSON (control characters of client
 * bytes escaped) or /metrics text, so a status line starts a line. */
static int
has_500(const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i + 13 <= n; i++)
		if ((i == 0 || buf[i - 1] == '\n') &&
		    memcmp(buf + i, "HTTP/1.", 7) == 0 &&
		    memcmp(buf + i + 8, " 500 ", 5) == 0)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in peer;
	struct pollfd pfd;
	char buf[65536];
	size_t got = 0;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return 0;
	memset(&peer, 0, sizeof(peer));
	peer.sin_family = AF_INET;
	peer.sin_port = htons(40000);
	peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* The socket buffer holds far more than -max_len: this never blocks. */
	if (send_all(sv[0], data, size) != 0) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	/* The daemon owns sv[1] from here, even when this fails. */
	if (MHD_add_connection(daemon_, sv[1], (struct sockaddr *)&peer,
	                       sizeof(peer)) != MHD_YES) {
		close(sv[0]);
		return 0;
	}
	/* libmicrohttpd 0.9.75 (epoll, edge-triggered) takes a short read as
	 * "drained" and misses an end of stream that was already queued
	 * behind the data: a request cut short would then be held until
	 * --timeout. So the end is sent once the daemon has read everything,
	 * as a separate event. */
	wait_consumed(sv[0]);
	shutdown(sv[0], SHUT_WR);
	pfd.fd = sv[0];
	pfd.events = POLLIN;
	for (;;) {
		ssize_t r;
		int pr = poll(&pfd, 1, READ_TIMEOUT_MS);

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0) {
			fprintf(diag, "pyverifyd did not close the connection "
			              "within %d ms\n", READ_TIMEOUT_MS);
			abort();
		}
		if (pr < 0)
			break;
		/* Keep the first 64 KiB to look at, drain the rest. */
		r = recv(sv[0], buf + (got < sizeof(buf) ? got : 0),
		         got < sizeof(buf) ? sizeof(buf) - got : sizeof(buf), 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (got < sizeof(buf))
			got += (size_t)r;
	}
	close(sv[0]);
	wait_idle();
	if (getenv("FZ_VERBOSE") != NULL)
		fprintf(diag, "%.*s\n----\n", (int)(got < 4096 ? got : 4096),
		        buf);
	if (has_500(buf, got)) {
		fprintf(diag, "pyverifyd answered 500:\n%.*s\n",
		        (int)(got < 2048 ? got : 2048), buf);
		abort();
	}
	return 0;
}
