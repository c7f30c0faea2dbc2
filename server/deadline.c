/* deadline.c - per-connection deadlines that trickling cannot extend.
 *
 * libmicrohttpd's connection timeout is an idle timeout: every byte resets
 * it, so a client sending one byte every few seconds of a request head, of
 * a chunk extension or of trailers holds its connection forever, and those
 * bytes never reach the request handler where the upload-rate rule runs.
 * Here every connection carries a deadline for what it owes next (a whole
 * request head, or the body at --min-upload-rate); a reaper thread shuts
 * down the socket of a connection past its deadline and libmicrohttpd then
 * closes it as it would any connection the client dropped.
 *
 * The socket is only shut down, never closed, and only while the lock is
 * held; libmicrohttpd reports a connection closed (which unlinks it under
 * the same lock) before it closes the socket, so the descriptor shut down
 * is always still that connection's.
 */
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "request.h"

struct pvd_conn {
	MHD_socket fd;
	_Atomic double deadline_ms; /* pvd_now_ms() clock; 0: none */
	const char *_Atomic why;    /* what the deadline was for */
	const char *_Atomic reaped; /* set when the reaper cut it */
	struct pvd_conn *prev, *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct pvd_conn *head;
static pthread_t reaper;
static int running, stopping;
static unsigned header_timeout;

static const char head_why[] = "request head not complete in time "
                               "(--header-timeout)";

static void *
reap_loop(void *arg)
{
	struct timespec until;
	struct pvd_conn *k;
	unsigned cut;

	(void)arg;
	pthread_mutex_lock(&mu);
	while (!stopping) {
		double now = pvd_now_ms();

		cut = 0;
		for (k = head; k != NULL; k = k->next) {
			double dl = atomic_load(&k->deadline_ms);
			if (dl == 0 || now < dl)
				continue;
			atomic_store(&k->deadline_ms, 0);
			atomic_store(&k->reaped, atomic_load(&k->why));
			shutdown(k->fd, SHUT_RDWR);
			cut++;
		}
		if (cut > 0)
			pvd_log("info", "closed %u connection(s) that missed "
			        "their deadline (slow request head or body)", cut);
		/* A tenth of a second is far below any timeout (>= 1 s). */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 100 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&wake, &mu, &until);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

int
pvd_deadline_start(unsigned head_seconds)
{
	header_timeout = head_seconds;
	stopping = 0;
	if (pthread_create(&reaper, NULL, reap_loop, NULL) != 0)
		return -1;
	running = 1;
	return 0;
}

void
pvd_deadline_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&mu);
	stopping = 1;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&mu);
	pthread_join(reaper, NULL);
	running = 0;
}

void
pvd_conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                enum MHD_ConnectionNotificationCode toe)
{
	const union MHD_ConnectionInfo *ci;
	struct pvd_conn *k;

	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		k = calloc(1, sizeof(*k));
		if (k == NULL || ci == NULL) {
			/* Without a deadline the connection must not run. */
			free(k);
			if (ci != NULL)
				shutdown(ci->connect_fd, SHUT_RDWR);
			*socket_context = NULL;
			return;
		}
		k->fd = ci->connect_fd;
		atomic_store(&k->why, head_why);
		atomic_store(&k->deadline_ms,
		             pvd_now_ms() + 1e3 * (double)header_timeout);
		pthread_mutex_lock(&mu);
		k->next = head;
		if (head != NULL)
			head->prev = k;
		head = k;
		pthread_mutex_unlock(&mu);
		*socket_context = k;
		return;
	}
	k = *socket_context;
	if (k == NULL)
		return;
	pthread_mutex_lock(&mu);
	if (k->prev != NULL)
		k->prev->next = k->next;
	else
		head = k->next;
	if (k->next != NULL)
		k->next->prev = k->prev;
	pthread_mutex_unlock(&mu);
	free(k);
	*socket_context = NULL;
}

struct pvd_conn *
pvd_conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

void
pvd_conn_deadline(struct pvd_conn *k, double deadline_ms, const char *why)
{
	if (k == NULL)
		return;
	if (why != NULL)
		atomic_store(&k->why, why);
	atomic_store(&k->deadline_ms, deadline_ms);
}

void
pvd_conn_next_head(struct pvd_conn *k)
{
	pvd_conn_deadline(k, pvd_now_ms() + 1e3 * (double)header_timeout,
	                  head_why);
}

const char *
pvd_conn_reaped(struct pvd_conn *k)
{
	return k != NULL ? atomic_load(&k->reaped) : NULL;
}
