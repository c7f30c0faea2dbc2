/* main.c - pyverifyd process life: configuration, the listen socket (own or
 * from systemd socket activation), the daemon, and signals. Signals are
 * blocked in every thread and taken synchronously here with sigwait, so
 * reload and shutdown run in plain code, never in a signal handler. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "util/util.h"
#include "pyverifyd.h"

#define SD_LISTEN_FDS_START 3

/* "127.0.0.1:8080", "[::1]:8080", "localhost:8080" -> host and port. */
static int
split_addr(const char *addr, char *host, size_t hostlen, char *port,
           size_t portlen)
{
	const char *colon;
	size_t hl;

	if (addr[0] == '[') {
		const char *end = strchr(addr, ']');
		if (end == NULL || end[1] != ':')
			return -1;
		hl = (size_t)(end - addr - 1);
		addr++;
		colon = end + 1;
	} else {
		colon = strrchr(addr, ':');
		if (colon == NULL || memchr(addr, ':', (size_t)(colon - addr)))
			return -1; /* IPv6 needs brackets */
		hl = (size_t)(colon - addr);
	}
	if (hl == 0 || hl >= hostlen || strlen(colon + 1) == 0 ||
	    strlen(colon + 1) >= portlen ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return -1;
	memcpy(host, addr, hl);
	host[hl] = '\0';
	memcpy(port, colon + 1, strlen(colon + 1) + 1);
	return 0;
}

static int
bound_name(int fd, char *out, size_t outlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char h[NI_MAXHOST], p[NI_MAXSERV];

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0 ||
	    getnameinfo((struct sockaddr *)&ss, sl, h, sizeof(h), p, sizeof(p),
	                NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return -1;
	snprintf(out, outlen, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
	         h, p);
	return 0;
}

static int
open_listener(const char *addr, char *why, size_t whylen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char host[256], port[16];
	int fd = -1, one = 1, rc;

	if (split_addr(addr, host, sizeof(host), port, sizeof(port)) != 0) {
		snprintf(why, whylen, "--listen %s: expected HOST:PORT or "
		         "[IPV6]:PORT", addr);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		snprintf(why, whylen, "--listen %s: %s", addr, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		            ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, SOMAXCONN) == 0)
			break;
		snprintf(why, whylen, "cannot listen on %s: %s", addr,
		         strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* systemd socket activation (sd_listen_fds(3)): exactly one socket. */
static int
activated_socket(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	uint64_t p, n;

	if (pid == NULL || fds == NULL ||
	    pv_parse_u64(&p, pid, strlen(pid)) != 0 ||
	    pv_parse_u64(&n, fds, strlen(fds)) != 0 || p != (uint64_t)getpid() ||
	    n != 1)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return SD_LISTEN_FDS_START;
}

int
main(int argc, char **argv)
{
	struct pvd_config cfg;
	struct MHD_Daemon *d = NULL;
	sigset_t set;
	char why[1024], name[300];
	int fd, sig, rc;

	rc = pvd_config_parse(&cfg, argc, argv);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	pvd_log_init(cfg.log_format);
	signal(SIGPIPE, SIG_IGN);
	/* Blocked before any thread exists, so every thread inherits it. */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	if (pvd_cache_init(cfg.cache_entries, cfg.cache_ttl,
	                   cfg.cache_failure_ttl) != 0) {
		fprintf(stderr, "%s: out of memory\n", PVD_NAME);
		return 1;
	}
	if (pvd_trust_init(&cfg, why, sizeof(why)) != 0) {
		pvd_log("error", "cannot start: %s", why);
		return 1;
	}
	if (pvd_refresh_start(&cfg) != 0) {
		rc = 1;
		goto done;
	}
	{
		struct pvd_snapshot *s = pvd_trust_acquire();
		if (s->root == NULL || s->policy == NULL)
			pvd_log("warn", "not ready (verification answers 503 until "
			        "%s): %s", cfg.trusted_root != NULL
			        ? "a reload succeeds" : "a TUF refresh succeeds",
			        s->not_ready);
		if (!s->tokens_enabled)
			pvd_log("warn", "no --token-file: /v1/* is open to anyone "
			        "who can reach %s", cfg.listen);
		pvd_trust_release(s);
	}
	fd = activated_socket();
	if (fd < 0)
		fd = open_listener(cfg.listen, why, sizeof(why));
	if (fd < 0) {
		pvd_log("error", "%s", why);
		rc = 1;
		goto done;
	}
	if (bound_name(fd, name, sizeof(name)) != 0)
		snprintf(name, sizeof(name), "%s", cfg.listen);
	d = pvd_http_start(&cfg, fd);
	if (d == NULL) {
		pvd_log("error", "cannot start the HTTP daemon on %s", name);
		close(fd);
		rc = 1;
		goto done;
	}
	/* Tests and supervisors read the bound port from this line. */
	printf("listening on %s\n", name);
	fflush(stdout);
	pvd_log("info", "%s %s listening on %s with %u threads", PVD_NAME,
	        PYVERIFY_VERSION, name, cfg.threads);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			if (pvd_trust_reload(why, sizeof(why)) == 0)
				pvd_log("info", "SIGHUP: trust material reloaded");
			else
				pvd_log("error", "SIGHUP: reload failed, keeping the "
				        "current trust material: %s", why);
			/* TUF mode: a fresh root too, without waiting. */
			pvd_refresh_kick();
			continue;
		}
		pvd_log("info", "%s: draining requests in flight (up to %u s)",
		        sig == SIGTERM ? "SIGTERM" : "SIGINT", cfg.drain_timeout);
		break;
	}
	/* The refresh thread stops while requests drain. */
	pvd_refresh_request_stop();
	pvd_http_drain_and_stop(d, cfg.drain_timeout);
	pvd_log("info", "stopped");
	rc = 0;
done:
	if (pvd_refresh_join(PVD_REFRESH_JOIN_SECONDS) != 0) {
		/* Exiting ends it; freeing the trust state under it would not. */
		pvd_log("warn", "a TUF refresh is still waiting on the network; "
		        "exiting without it");
		pvd_cache_free();
		return rc;
	}
	pvd_trust_shutdown();
	pvd_cache_free();
	return rc;
}
