/* net/curl_loader.c - loads libcurl at the first network call and resolves
 * what net/ needs into one table, once per process. A failure is kept and
 * given to every later call as the same message: nothing falls back to
 * another transport, and nothing is tried again half-way. */
#define _GNU_SOURCE /* secure_getenv */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "curl_api.h"

/* CURLOPT_PROTOCOLS_STR (transport.c) came with 7.85.0. */
#define PV_CURL_MIN_VERSION 0x075500
#define PV_CURL_MIN_TEXT "7.85.0"

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static struct pv_curl_api api;
static const struct pv_curl_api *loaded;
static char load_msg[768];
static char unavailable[800];

/* One entry per member of struct pv_curl_api. */
#define SYM(member, name) { offsetof(struct pv_curl_api, member), name }
static const struct {
	size_t off;
	const char *name;
} syms[] = {
	SYM(global_init, "curl_global_init"),
	SYM(version_info, "curl_version_info"),
	SYM(easy_init, "curl_easy_init"),
	SYM(easy_setopt, "curl_easy_setopt"),
	SYM(easy_perform, "curl_easy_perform"),
	SYM(easy_getinfo, "curl_easy_getinfo"),
	SYM(easy_cleanup, "curl_easy_cleanup"),
	SYM(easy_strerror, "curl_easy_strerror"),
	SYM(slist_append, "curl_slist_append"),
	SYM(slist_free_all, "curl_slist_free_all"),
	SYM(url, "curl_url"),
	SYM(url_set, "curl_url_set"),
	SYM(url_get, "curl_url_get"),
	SYM(url_cleanup, "curl_url_cleanup"),
	SYM(url_strerror, "curl_url_strerror"),
	SYM(free, "curl_free"),
};

static void
say(const char *file, const char *what)
{
	snprintf(load_msg, sizeof(load_msg),
	         "libcurl (%s) cannot be loaded: %s; install the libcurl4 "
	         "package", file, what);
	snprintf(unavailable, sizeof(unavailable), "not available (%s)",
	         load_msg);
}

static void
load(void)
{
	const char *file = secure_getenv(PV_CURL_ENV);
	const curl_version_info_data *v;
	void *h;
	size_t i;

	if (file == NULL || file[0] == '\0')
		file = PV_CURL_SONAME;
	/* RTLD_NOW: a missing symbol shows here, not in the middle of a
	 * transfer; RTLD_LOCAL: its names stay out of the global scope. */
	h = dlopen(file, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		const char *e = dlerror();
		say(file, e != NULL ? e : "unknown dlopen error");
		return;
	}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *f;

		(void)dlerror();
		f = dlsym(h, syms[i].name);
		if (f == NULL) {
			char what[160];
			snprintf(what, sizeof(what), "it has no %s (libcurl "
			         PV_CURL_MIN_TEXT " or later is needed)",
			         syms[i].name);
			say(file, what);
			dlclose(h);
			return;
		}
		/* POSIX guarantees that a dlsym result converts to a function
		 * pointer; the member is one. */
		memcpy((char *)&api + syms[i].off, &f, sizeof(f));
	}
	v = api.version_info(CURLVERSION_NOW);
	if (v == NULL || v->version_num < PV_CURL_MIN_VERSION) {
		char what[160];
		snprintf(what, sizeof(what), "version %.40s is too old ("
		         PV_CURL_MIN_TEXT " or later is needed)",
		         v != NULL && v->version != NULL ? v->version : "?");
		say(file, what);
		dlclose(h);
		return;
	}
	if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		say(file, "curl_global_init failed");
		dlclose(h);
		return;
	}
	/* Kept loaded for the life of the process: handles and the global
	 * state refer to it. */
	__atomic_store_n(&loaded, &api, __ATOMIC_RELEASE);
}

const struct pv_curl_api *
pv_curl_load(const char **msg)
{
	pthread_once(&load_once, load);
	if (loaded == NULL && msg != NULL)
		*msg = load_msg;
	return loaded;
}

int
pv_curl_loaded(void)
{
	/* Only a completed pthread_once can have set it; reading it before
	 * is a plain "not yet". */
	return __atomic_load_n(&loaded, __ATOMIC_ACQUIRE) != NULL;
}

int
pv_net_libcurl_loaded(void)
{
	return pv_curl_loaded();
}

const char *
pv_net_libcurl_version(void)
{
	const struct pv_curl_api *cu = pv_curl_load(NULL);
	const curl_version_info_data *v;

	if (cu == NULL)
		return unavailable;
	v = cu->version_info(CURLVERSION_NOW);
	return v != NULL && v->version != NULL ? v->version : "unknown";
}
