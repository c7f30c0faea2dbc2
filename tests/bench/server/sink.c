/* tests/bench/server/sink.c - an HTTP sink on 127.0.0.1 for the upload
 * bench: answers each POST's "Expect: 100-continue", reads its body
 * (Content-Length) in 1 MiB pieces, drops it and answers 200. Timing the
 * same curl upload against it gives what the client and the loopback
 * cost by themselves (curl shares the two cores with the server). Prints
 * its port, then serves one connection at a time until killed. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[1 << 20];

static int
send_str(int s, const char *p)
{
	size_t n = strlen(p);

	return send(s, p, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

/* One request on s; 0 when answered, -1 when the connection is done. */
static int
serve_one(int s)
{
	size_t have = 0;
	char *end = NULL, *h;
	unsigned long long left = 0;

	while (end == NULL) {
		ssize_t n;
		if (have == sizeof(buf) - 1)
			return -1;
		n = recv(s, buf + have, sizeof(buf) - 1 - have, 0);
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	for (h = buf; h < end; h = strstr(h, "\r\n") + 2) {
		if (strncasecmp(h, "Content-Length:", 15) == 0)
			left = strtoull(h + 15, NULL, 10);
		if (strncasecmp(h, "Expect: 100-continue", 20) == 0 &&
		    send_str(s, "HTTP/1.1 100 Continue\r\n\r\n") != 0)
			return -1;
	}
	have -= (size_t)(end + 4 - buf);
	left = left > have ? left - have : 0;
	while (left > 0) {
		ssize_t n = recv(s, buf, left < sizeof(buf) ? left : sizeof(buf),
		                 0);
		if (n <= 0)
			return -1;
		left -= (unsigned long long)n;
	}
	return send_str(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
}

int
main(void)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(l, 8) != 0 ||
	    getsockname(l, (struct sockaddr *)&sin, &sl) != 0) {
		perror("sink");
		return 1;
	}
	printf("%d\n", ntohs(sin.sin_port));
	fflush(stdout);
	for (;;) {
		int s = accept(l, NULL, NULL);
		if (s < 0)
			continue;
		while (serve_one(s) == 0)
			;
		close(s);
	}
}
