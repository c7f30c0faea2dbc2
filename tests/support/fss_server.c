/* fss_server.c - the HTTP server of the fake Sigstore services (see
 * fake_sigstore.h): routing, the request log, misbehaviour. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <criterion/criterion.h>
#include <microhttpd.h>
#include <openssl/rand.h>

#include "fss_impl.h"
#include "http_fx.h"

/* No service needs more; a runaway client must not exhaust the machine. */
#define FSS_MAX_UPLOAD (4u << 20)
/* A connection idle this long is dropped, so fss_stop never waits long on
 * a client that went away without closing. */
#define FSS_IDLE_SECONDS 10

struct fss_upload {
	uint8_t *body;
	size_t len, cap;
	int too_big;
};

int fssi_has(const struct fss *s, int f, const char *path)
{
	for (size_t i = 0; i < s->nfaults; i++) {
		const struct fss_fault_on *e = &s->faults[i];

		if (e->fault == f &&
		    strncmp(path, e->prefix, strlen(e->prefix)) == 0)
			return 1;
	}
	return 0;
}

static void log_add(struct fss *s, const char *method, const char *path)
{
	hfx_log_append(&s->mu, &s->log, &s->nlog, &s->caplog, method, path);
}

/* ---- the query, re-encoded from libmicrohttpd's decoded arguments ------- */

struct sbuf {
	char *p;
	size_t n, cap;
	int bad;
};

static void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->bad)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		char *p;

		while (cap < b->n + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (p == NULL) {
			b->bad = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void sbuf_escaped(struct sbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char e[3] = {'%', hex[c >> 4], hex[c & 15]};

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
			sbuf_add(b, s, 1);
		else
			sbuf_add(b, e, 3);
	}
}

static enum MHD_Result query_arg(void *cls, enum MHD_ValueKind kind,
                                 const char *key, const char *value)
{
	struct sbuf *b = cls;

	(void)kind;
	if (b->n > 0)
		sbuf_add(b, "&", 1);
	sbuf_escaped(b, key);
	sbuf_add(b, "=", 1);
	sbuf_escaped(b, value);
	return MHD_YES;
}

/* ---- answers ------------------------------------------------------------ */

typedef void (*fss_service)(struct fss *, const struct fss_req *,
                            struct fss_resp *);

/* Which fake answers path; NULL: 404. */
static fss_service route(const char *method, const char *path)
{
	int post = strcmp(method, "POST") == 0;
	size_t n1 = strlen(FSS_PATH_REKOR1);

	if (post && strcmp(path, FSS_PATH_FULCIO) == 0)
		return fssi_fulcio;
	if (post && strcmp(path, FSS_PATH_REKOR1) == 0)
		return fssi_rekor1_post;
	if (!post && strncmp(path, FSS_PATH_REKOR1, n1) == 0 &&
	    path[n1] == '/')
		return fssi_rekor1_get;
	if (post && strcmp(path, FSS_PATH_REKOR2) == 0)
		return fssi_rekor2_post;
	if (post && strcmp(path, FSS_PATH_TSA) == 0)
		return fssi_tsa;
	if (strcmp(path, FSS_PATH_OIDC_DISCOVERY) == 0)
		return fssi_oidc_discovery;
	if (strcmp(path, FSS_PATH_OIDC_AUTH) == 0)
		return fssi_oidc_auth;
	if (post && strcmp(path, FSS_PATH_OIDC_TOKEN) == 0)
		return fssi_oidc_token;
	if (!post && strcmp(path, FSS_PATH_GHA) == 0)
		return fssi_gha;
	return NULL;
}

/* The *_500 fault of the service at path, if set. */
static int server_error(const struct fss *s, const char *path)
{
	static const struct {
		int fault;
		const char *prefix;
	} m[] = {
	    {FSS_FULCIO_500, "/fulcio"}, {FSS_REKOR_500, "/rekor"},
	    {FSS_TSA_500, "/tsa"},       {FSS_OIDC_500, "/oidc"},
	    {FSS_OIDC_500, "/gha"},
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (strncmp(path, m[i].prefix, strlen(m[i].prefix)) == 0 &&
		    fssi_has(s, m[i].fault, path))
			return 1;
	return 0;
}

static enum MHD_Result reply(struct MHD_Connection *c, struct fss *s,
                            const char *path, struct fss_resp *r)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;
	int endless, slow;
	unsigned every;

	pthread_mutex_lock(&s->mu);
	endless = fssi_has(s, FSS_ENDLESS, path);
	slow = fssi_has(s, FSS_SLOW, path);
	every = s->trickle_ms;
	pthread_mutex_unlock(&s->mu);
	if (endless || slow) {
		mr = hfx_stream_response(r->body, r->len, every, endless);
		r->body = NULL;
	} else {
		mr = MHD_create_response_from_buffer(
		    r->len, r->body ? (void *)r->body : (void *)"",
		    r->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
		if (mr == NULL)
			free(r->body);
		r->body = NULL;
	}
	if (mr == NULL) {
		free(r->location);
		return MHD_NO;
	}
	if (r->ctype[0] != '\0')
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
		                        r->ctype);
	if (r->location != NULL)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_LOCATION,
		                        r->location);
	free(r->location);
	ret = MHD_queue_response(c, r->status, mr);
	MHD_destroy_response(mr);
	return ret;
}

static enum MHD_Result answer(struct fss *s, struct MHD_Connection *c,
                              const char *method, const char *path,
                              const struct fss_upload *up)
{
	struct fss_resp r = {0};
	struct sbuf query = {0};
	struct fss_req q = {0};
	fss_service svc = route(method, path);

	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_arg, &query);
	q.method = method;
	q.path = path;
	q.query = query.p != NULL && !query.bad ? query.p : "";
	q.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                              "Authorization");
	q.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                             "Content-Type");
	q.body = up->body;
	q.len = up->len;
	r.status = 500;
	pthread_mutex_lock(&s->mu);
	if (svc == NULL)
		fssi_error(&r, 404, 5, "fss: no such service");
	else if (server_error(s, path))
		fssi_error(&r, 500, 13, "fss: internal error (on purpose)");
	else
		svc(s, &q, &r);
	pthread_mutex_unlock(&s->mu);
	free(query.p);
	return reply(c, s, path, &r);
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *c,
                                 const char *url, const char *method,
                                 const char *version, const char *upload,
                                 size_t *upload_size, void **con_cls)
{
	struct fss *s = cls;
	struct fss_upload *up = *con_cls;

	(void)version;
	if (up == NULL) {
		up = calloc(1, sizeof(*up));
		if (up == NULL)
			return MHD_NO;
		*con_cls = up;
		log_add(s, method, url);
		return MHD_YES;
	}
	if (*upload_size != 0) {
		size_t n = *upload_size;

		*upload_size = 0;
		return hfx_body_append(&up->body, &up->len, &up->cap,
		                       &up->too_big, upload, n, FSS_MAX_UPLOAD) == 0
		           ? MHD_YES : MHD_NO;
	}
	if (up->too_big) {
		struct fss_resp r = {0};

		fssi_error(&r, 413, 3, "fss: upload too large");
		return reply(c, s, url, &r);
	}
	return answer(s, c, method, url, up);
}

static void completed_cb(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct fss_upload *up = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (up != NULL) {
		free(up->body);
		free(up);
		*con_cls = NULL;
	}
}

/* ---- life cycle --------------------------------------------------------- */

struct fss *fss_start(void)
{
	struct fss *s = calloc(1, sizeof(*s));
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	struct vtsa_opts other = {.name = "Untrusted TSA"};
	uint8_t secret[16];
	char hex[33];

	cr_assert_not_null(s, "fake_sigstore: out of memory");
	pthread_mutex_init(&s->mu, NULL);
	s->trickle_ms = 300;
	s->vs = vs_new();
	s->other_vs = vs_new();
	s->tsa = vtsa_new(NULL);
	s->other_tsa = vtsa_new(&other);
	cr_assert(s->vs && s->other_vs && s->tsa && s->other_tsa,
	          "fake_sigstore: cannot mint the virtual Sigstore");
	cr_assert(RAND_bytes(secret, sizeof(secret)) == 1);
	for (size_t i = 0; i < sizeof(secret); i++)
		snprintf(hex + 2 * i, 3, "%02x", secret[i]);
	snprintf(s->gha_bearer, sizeof(s->gha_bearer), "gha-%s", hex);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* A proxy from the environment would see loopback requests as its
	 * own; the fakes are always reached directly. */
	setenv("no_proxy", "127.0.0.1,localhost,::1", 1);
	setenv("NO_PROXY", "127.0.0.1,localhost,::1", 1);
	/* One thread per connection: a trickling or endless answer blocks
	 * only its own client. */
	s->daemon = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
	        MHD_USE_POLL,
	    0, NULL, NULL, access_cb, s, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, completed_cb,
	    s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)FSS_IDLE_SECONDS,
	    MHD_OPTION_END);
	cr_assert_not_null(s->daemon, "fake_sigstore: cannot listen on "
	                              "127.0.0.1");
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	cr_assert(info != NULL && info->port != 0, "fake_sigstore: no port");
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%u",
	         (unsigned)info->port);
	snprintf(s->fulcio, sizeof(s->fulcio), "%s/fulcio", s->base);
	snprintf(s->rekor1, sizeof(s->rekor1), "%s/rekor1", s->base);
	snprintf(s->rekor2, sizeof(s->rekor2), "%s/rekor2", s->base);
	snprintf(s->tsa_url, sizeof(s->tsa_url), "%s%s", s->base,
	         FSS_PATH_TSA);
	snprintf(s->issuer, sizeof(s->issuer), "%s/oidc", s->base);
	snprintf(s->gha, sizeof(s->gha), "%s%s?api-version=2.0", s->base,
	         FSS_PATH_GHA);
	return s;
}

void fss_stop(struct fss *s)
{
	if (s == NULL)
		return;
	MHD_stop_daemon(s->daemon);
	for (size_t i = 0; i < s->nlog; i++)
		free(s->log[i]);
	free(s->log);
	for (size_t i = 0; i < s->ne1; i++)
		free(s->e1[i].body);
	free(s->e1);
	for (size_t i = 0; i < s->ncodes; i++) {
		free(s->codes[i].code);
		free(s->codes[i].challenge);
		free(s->codes[i].redirect_uri);
	}
	free(s->codes);
	fssi_mlog_clear(&s->log1);
	fssi_mlog_clear(&s->log2);
	fssi_topts_clear(&s->oidc_tok);
	fssi_topts_clear(&s->gha_tok);
	X509_free(s->last_cert);
	vs_free(s->vs);
	vs_free(s->other_vs);
	vtsa_free(s->tsa);
	vtsa_free(s->other_tsa);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

const char *fss_base_url(const struct fss *s) { return s->base; }
const char *fss_fulcio_url(const struct fss *s) { return s->fulcio; }
const char *fss_rekor1_url(const struct fss *s) { return s->rekor1; }
const char *fss_rekor2_url(const struct fss *s) { return s->rekor2; }
const char *fss_tsa_url(const struct fss *s) { return s->tsa_url; }
const char *fss_oidc_issuer(const struct fss *s) { return s->issuer; }
const char *fss_gha_url(const struct fss *s) { return s->gha; }
const char *fss_gha_bearer(const struct fss *s) { return s->gha_bearer; }
struct vs *fss_vs(struct fss *s) { return s->vs; }
struct vtsa *fss_vtsa(struct fss *s) { return s->tsa; }

X509 *fss_last_cert(struct fss *s)
{
	X509 *x;

	pthread_mutex_lock(&s->mu);
	x = s->last_cert;
	pthread_mutex_unlock(&s->mu);
	return x;
}

/* ---- misbehaviour and the log ------------------------------------------- */

void fss_fault_on(struct fss *s, enum fss_fault f, const char *prefix)
{
	pthread_mutex_lock(&s->mu);
	if (f == FSS_NONE) {
		s->nfaults = 0;
	} else if (s->nfaults < FSS_MAX_FAULTS) {
		struct fss_fault_on *e = &s->faults[s->nfaults++];

		e->fault = (int)f;
		snprintf(e->prefix, sizeof(e->prefix), "%s",
		         prefix ? prefix : "");
	}
	pthread_mutex_unlock(&s->mu);
}

void fss_fault(struct fss *s, enum fss_fault f)
{
	fss_fault_on(s, f, NULL);
}

void fss_set_trickle_ms(struct fss *s, unsigned ms)
{
	pthread_mutex_lock(&s->mu);
	s->trickle_ms = ms ? ms : 1;
	pthread_mutex_unlock(&s->mu);
}

size_t fss_count(struct fss *s, const char *prefix)
{
	size_t n = 0;

	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->nlog; i++) {
		const char *sp = strchr(s->log[i], ' ');

		if (sp != NULL &&
		    strncmp(sp + 1, prefix, strlen(prefix)) == 0)
			n++;
	}
	pthread_mutex_unlock(&s->mu);
	return n;
}

char *fss_log(struct fss *s)
{
	struct sbuf b = {0};

	pthread_mutex_lock(&s->mu);
	sbuf_add(&b, "", 0);
	for (size_t i = 0; i < s->nlog; i++) {
		sbuf_add(&b, s->log[i], strlen(s->log[i]));
		sbuf_add(&b, "\n", 1);
	}
	pthread_mutex_unlock(&s->mu);
	cr_assert(!b.bad, "fake_sigstore: out of memory");
	return b.p;
}

void fss_clear_log(struct fss *s)
{
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->nlog; i++)
		free(s->log[i]);
	s->nlog = 0;
	pthread_mutex_unlock(&s->mu);
}
