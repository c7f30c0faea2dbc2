/*
 * net/curl_api.h - libcurl as net/ uses it: loaded with dlopen at the
 * first network call, not linked. Verification never touches the network,
 * and linking libcurl made every process start pay for mapping it and its
 * ~20 dependent libraries (about 4x the cost of starting /bin/true).
 *
 * The types come from <curl/curl.h> at build time; the functions from
 * libcurl.so.4 at run time, resolved once into this table.
 */
#ifndef PV_NET_CURL_API_H
#define PV_NET_CURL_API_H

#include <stddef.h>

#include <curl/curl.h>

/* The soname loaded; Debian's libcurl4 package (the OpenSSL flavour). */
#define PV_CURL_SONAME "libcurl.so.4"

/* Test and diagnostic knob: a file to load instead of PV_CURL_SONAME (a
 * missing one shows what a machine without libcurl answers). Ignored in
 * set-user-ID programs (secure_getenv). */
#define PV_CURL_ENV "PYVERIFY_LIBCURL"

/* __typeof__ keeps each pointer exactly the type the header declares. */
struct pv_curl_api {
	__typeof__(curl_global_init) *global_init;
	__typeof__(curl_version_info) *version_info;
	__typeof__(curl_easy_init) *easy_init;
	__typeof__(curl_easy_setopt) *easy_setopt;
	__typeof__(curl_easy_perform) *easy_perform;
	__typeof__(curl_easy_getinfo) *easy_getinfo;
	__typeof__(curl_easy_cleanup) *easy_cleanup;
	__typeof__(curl_easy_strerror) *easy_strerror;
	__typeof__(curl_slist_append) *slist_append;
	__typeof__(curl_slist_free_all) *slist_free_all;
	__typeof__(curl_url) *url;
	__typeof__(curl_url_set) *url_set;
	__typeof__(curl_url_get) *url_get;
	__typeof__(curl_url_cleanup) *url_cleanup;
	__typeof__(curl_url_strerror) *url_strerror;
	__typeof__(curl_free) *free;
};

/* The table with libcurl loaded and curl_global_init done (once per
 * process, thread-safe). NULL when that failed, and then always: *msg (if
 * not NULL) is set to one static line saying which file could not be
 * loaded, why, and which package to install. */
const struct pv_curl_api *pv_curl_load(const char **msg);

/* Whether pv_curl_load has succeeded in this process (never loads). */
int pv_curl_loaded(void);

#endif /* PV_NET_CURL_API_H */
