/*
 * sign/oidc_listener.c - the one socket pyverify ever listens on: the
 * loopback end of the interactive sign-in (oidc_flow.c). Bound to
 * 127.0.0.1 on a port the kernel picks; it takes one callback request
 * with a bounded head, within a deadline, and the redirect must carry the
 * state this sign-in made (else a page another site opened could hand us
 * its own code).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <openssl/crypto.h>

#include "sign/oidc.h"

/* Stray requests (a favicon, a prefetch) answered 404 before giving up. */
#define MAX_CONNECTIONS 8
/* One connection may take this long to send its request head. */
#define HEAD_WAIT_MS 10000L

int
pv_oidc_listener_open(int *fd_out, unsigned *port, pyverify_error *err)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return pv_fail(err, PYVERIFY_EIO, PYVERIFY_STEP_OIDC,
		               "cannot open the sign-in listener: %s",
		               strerror(errno));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = 0;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(fd, 4) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
		int e = errno;
		close(fd);
		return pv_fail(err, PYVERIFY_EIO, PYVERIFY_STEP_OIDC,
		               "cannot listen on 127.0.0.1 for the sign-in "
		               "redirect: %s", strerror(e));
	}
	*fd_out = fd;
	*port = ntohs(a.sin_port);
	return 0;
}

static long
ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long)(deadline->tv_sec - now.tv_sec) * 1000L +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000L;
	return ms > 0 ? ms : 0;
}

/* Reads a request head (up to the blank line) within HEAD_WAIT_MS and
 * the overall deadline. 0, or -1 when it did not arrive whole. */
static int
read_head(int fd, char *buf, size_t cap, const struct timespec *deadline)
{
	struct timespec until;
	size_t len = 0;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += HEAD_WAIT_MS / 1000;
	for (;;) {
		long left = ms_left(&until), all = ms_left(deadline);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t got;

		if (all < left)
			left = all;
		if (left == 0 || poll(&p, 1, (int)left) <= 0)
			return -1;
		got = recv(fd, buf + len, cap - 1 - len, 0);
		if (got <= 0)
			return -1;
		len += (size_t)got;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL ||
		    strstr(buf, "\n\n") != NULL)
			return 0;
		if (len == cap - 1)
			return -1;
	}
}

static void
answer(int fd, unsigned status, const char *reason, const char *text)
{
	char page[1024], head[256];
	int plen, hlen;

	plen = snprintf(page, sizeof(page),
	                "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
	                "<title>pyverify sign-in</title></head><body><p>%s"
	                "</p></body></html>\n", text);
	hlen = snprintf(head, sizeof(head),
	                "HTTP/1.1 %u %s\r\nContent-Type: text/html; "
	                "charset=utf-8\r\nContent-Length: %d\r\n"
	                "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
	                status, reason, plen);
	/* Best effort: the browser's page is a courtesy, the code is what
	 * matters. MSG_NOSIGNAL: a closed tab must not kill us. */
	if (send(fd, head, (size_t)hlen, MSG_NOSIGNAL) == hlen)
		(void)send(fd, page, (size_t)plen, MSG_NOSIGNAL);
}

struct callback {
	char *code, *state, *error, *error_desc;
};

static void
callback_clear(struct callback *c)
{
	if (c->code != NULL)
		OPENSSL_cleanse(c->code, strlen(c->code));
	free(c->code);
	free(c->state);
	free(c->error);
	free(c->error_desc);
	memset(c, 0, sizeof(*c));
}

/* The query of the redirect target (after its first '?', up to a '#'),
 * split at '&' and each value percent-decoded. 0, or -1 when a value
 * cannot be decoded (a NUL byte) or memory ran out. */
static int
parse_query(struct callback *c, const char *target)
{
	const char *q = strchr(target, '?'), *end, *part, *next;

	if (q == NULL)
		return 0;
	q++;
	end = q + strcspn(q, "#");
	for (part = q; part < end; part = next) {
		const char *amp = memchr(part, '&', (size_t)(end - part));
		const char *stop = amp != NULL ? amp : end;
		const char *eq = memchr(part, '=', (size_t)(stop - part));
		size_t nlen;
		char **slot = NULL;

		next = amp != NULL ? amp + 1 : end;
		if (eq == NULL)
			continue;
		nlen = (size_t)(eq - part);
		if (nlen == 4 && memcmp(part, "code", 4) == 0)
			slot = &c->code;
		else if (nlen == 5 && memcmp(part, "state", 5) == 0)
			slot = &c->state;
		else if (nlen == 5 && memcmp(part, "error", 5) == 0)
			slot = &c->error;
		else if (nlen == 17 &&
		         memcmp(part, "error_description", 17) == 0)
			slot = &c->error_desc;
		if (slot == NULL || *slot != NULL)
			continue; /* unknown, or a repeat: the first counts */
		*slot = pv_net_unescape(eq + 1, (size_t)(stop - eq - 1));
		if (*slot == NULL)
			return -1;
	}
	return 0;
}

/* The printable-ASCII prefix of s, for quoting the issuer's error. */
static void
printable(char *out, size_t outlen, const char *s)
{
	size_t o = 0;

	for (; s != NULL && *s != '\0' && o + 1 < outlen; s++)
		out[o++] = ((unsigned char)*s < 0x20 ||
		            (unsigned char)*s >= 0x7f) ? '?' : *s;
	out[o] = '\0';
}

/* Waits for the browser's redirect to /auth/callback and takes its code,
 * checking the state. */
int
pv_oidc_await_code(int lfd, long wait_ms, const char *state, char **code,
           pyverify_error *err)
{
	struct timespec deadline;
	char head[PV_MAX_OIDC_REQUEST_HEAD];
	int conns;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += wait_ms / 1000;
	deadline.tv_nsec += (wait_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	for (conns = 0; conns < MAX_CONNECTIONS; conns++) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		struct callback cb = { 0 };
		char target[PV_MAX_OIDC_REQUEST_HEAD], *sp, *end;
		long left = ms_left(&deadline);
		int fd, rc;

		if (left == 0 || poll(&p, 1, (int)left) <= 0)
			break;
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
		if (read_head(fd, head, sizeof(head), &deadline) != 0 ||
		    strncmp(head, "GET ", 4) != 0 ||
		    (sp = strchr(head + 4, ' ')) == NULL ||
		    strncmp(head + 4, "/auth/callback", 14) != 0 ||
		    (head[18] != '?' && head[18] != ' ')) {
			answer(fd, 404, "Not Found", "Not the sign-in page.");
			OPENSSL_cleanse(head, sizeof(head));
			close(fd);
			continue;
		}
		end = sp;
		memcpy(target, head + 4, (size_t)(end - (head + 4)));
		target[end - (head + 4)] = '\0';
		OPENSSL_cleanse(head, sizeof(head));
		rc = parse_query(&cb, target);
		OPENSSL_cleanse(target, sizeof(target));
		if (rc != 0) {
			answer(fd, 400, "Bad Request", "Malformed redirect.");
			close(fd);
			callback_clear(&cb);
			return pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_OIDC,
			               "the sign-in redirect is malformed");
		}
		if (cb.state == NULL ||
		    strlen(cb.state) != strlen(state) ||
		    CRYPTO_memcmp(cb.state, state, strlen(state)) != 0) {
			answer(fd, 400, "Bad Request",
			       "Sign-in refused: this redirect does not belong "
			       "to the running pyverify.");
			close(fd);
			callback_clear(&cb);
			return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_OIDC,
			               "the sign-in redirect carries another "
			               "state than this sign-in sent (a forged "
			               "or stale redirect); refused");
		}
		if (cb.error != NULL || cb.code == NULL || cb.code[0] == '\0') {
			char e[128], d[300];
			printable(e, sizeof(e), cb.error ? cb.error : "no code");
			printable(d, sizeof(d), cb.error_desc);
			answer(fd, 400, "Bad Request",
			       "Sign-in failed; see the terminal.");
			close(fd);
			callback_clear(&cb);
			return pv_fail(err, PYVERIFY_EREJECT, PYVERIFY_STEP_OIDC,
			               "the OIDC issuer refused the sign-in: "
			               "%s%s%s", e, d[0] ? ": " : "", d);
		}
		answer(fd, 200, "OK",
		       "Signed in. You may close this window and return to "
		       "the terminal.");
		close(fd);
		*code = cb.code;
		cb.code = NULL;
		callback_clear(&cb);
		return 0;
	}
	if (conns == MAX_CONNECTIONS)
		return pv_fail(err, PYVERIFY_EIO, PYVERIFY_STEP_OIDC,
		               "%d requests reached the sign-in listener, none "
		               "of them the sign-in redirect to /auth/callback; "
		               "try --oauth-out-of-band", MAX_CONNECTIONS);
	return pv_fail(err, PYVERIFY_EIO, PYVERIFY_STEP_OIDC,
	               "no sign-in arrived within %ld s (the browser did "
	               "not come back to the listener; try "
	               "--oauth-out-of-band)", wait_ms / 1000);
}
