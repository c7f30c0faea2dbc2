/*
 * test_server_upload.c - pyverifyd's multipart uploads: a 30 MB artifact
 * hashed as it streams, malformed and split parts, a non-CPython file
 * against a named signer. Harness: tests/support/daemon_fx.c. Only
 * 127.0.0.1.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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
#include "testdata.h"
#include "vsigstore.h"

#define ARTIFACT_NAME DFX_ARTIFACT_NAME
#define TOKEN DFX_TOKEN
#define ADMIN_TOKEN DFX_ADMIN_TOKEN

/* ---- multipart ---------------------------------------------------------- */

Test(server, verifies_a_30_MB_multipart_upload_hashed_as_it_streams)
{
	const size_t size = 30u << 20;
	struct vs_sign_opts so;
	struct dfx f;
	struct dfx_resp r = { 0, NULL, 0, NULL };
	struct curl_slist *hdrs = NULL;
	char path[160], *bundle;
	uint8_t *art = malloc(size);
	json_t *b;
	curl_mime *mime;
	curl_mimepart *part;
	CURL *c;
	size_t i;
	int pass;

	cr_assert_not_null(art);
	for (i = 0; i < size; i++)
		art[i] = (uint8_t)(i * 2654435761u >> 13);
	dfx_init(&f);
	memset(&so, 0, sizeof(so));
	so.artifact = art;
	so.artifact_len = size;
	b = vs_sign(f.vs, f.leaf, &so);
	cr_assert_not_null(b);
	bundle = vs_dump(b);
	snprintf(path, sizeof(path), "%s/" ARTIFACT_NAME, f.dir);
	cfx_write_file(path, art, size, 0644);
	dfx_start(&f, NULL);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) { /* one byte changed: no longer verifies */
			art[size / 2] ^= 1;
			cfx_write_file(path, art, size, 0644);
		}
		c = dfx_easy(&f, &r, "POST", "/v1/verify", NULL, NULL, 0, NULL,
		             &hdrs);
		mime = curl_mime_init(c);
		part = curl_mime_addpart(mime);
		curl_mime_name(part, "bundle");
		curl_mime_data(part, bundle, CURL_ZERO_TERMINATED);
		part = curl_mime_addpart(mime);
		curl_mime_name(part, "artifact");
		curl_mime_filedata(part, path);
		curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
		cr_assert_eq(curl_easy_perform(c), CURLE_OK);
		dfx_finish(&r, c);
		cr_expect_eq(r.code, pass == 0 ? 200 : 422, "%s", r.body);
		cr_expect_str_eq(dfx_jget(&r, "artifact"), ARTIFACT_NAME);
		cr_expect_str_eq(dfx_jget(&r, "status"),
		                 pass == 0 ? "verified" : "failed");
		dfx_resp_free(&r);
		curl_mime_free(mime);
		curl_easy_cleanup(c);
		curl_slist_free_all(hdrs);
	}
	free(bundle);
	json_decref(b);
	free(art);
	dfx_fini(&f);
}

/* ---- issue 8: hardening ---------------------------------------------------- */

Test(server, answers_400_for_a_nameless_or_repeated_part_and_keeps_serving)
{
	static const char nameless[] =
		"--BB\r\nContent-Disposition: form-data\r\n\r\nx\r\n--BB--\r\n";
	static const char nameless_file[] =
		"--BB\r\nContent-Disposition: form-data; filename=\"a.tgz\"\r\n"
		"\r\nx\r\n--BB--\r\n";
	/* An empty first copy, then a second one: in one write, and split
	 * right after the second copy's headers. */
	static const char dup_empty[] =
		"--BB\r\nContent-Disposition: form-data; name=\"identity\"\r\n\r\n"
		"\r\n--BB\r\nContent-Disposition: form-data; name=\"identity\"\r\n"
		"\r\nx@example.org\r\n--BB--\r\n";
	struct dfx f;
	struct dfx_resp r;
	char *ans = NULL;
	json_t *j;
	int code;

	dfx_init(&f);
	dfx_start(&f, NULL);
	code = dfx_raw_post(&f, "/v1/verify",
	                    "multipart/form-data; boundary=BB", nameless,
	                    sizeof(nameless) - 1, &ans);
	cr_expect_eq(code, 400, "answer: %s", ans ? ans : "");
	j = dfx_raw_body_json(ans);
	cr_expect_str_eq(j ? json_string_value(json_object_get(j, "error"))
	                   : "", "bad-part");
	json_decref(j);
	free(ans);
	code = dfx_raw_post(&f, "/v1/verify",
	                    "multipart/form-data; boundary=BB", nameless_file,
	                    sizeof(nameless_file) - 1, NULL);
	cr_expect_eq(code, 400);
	ans = NULL;
	code = dfx_raw_post(&f, "/v1/verify",
	                    "multipart/form-data; boundary=BB", dup_empty,
	                    sizeof(dup_empty) - 1, &ans);
	cr_expect_eq(code, 400, "answer: %s", ans ? ans : "");
	j = dfx_raw_body_json(ans);
	cr_expect_str_eq(j ? json_string_value(json_object_get(j, "error"))
	                   : "", "duplicate-part");
	json_decref(j);
	free(ans);
	/* The same, the body split in two writes. */
	{
		char head[256];
		size_t cut = strstr(dup_empty + 60, "\r\n\r\n") + 4 - dup_empty;
		int s = dfx_connect_loopback(f.port), n;

		n = snprintf(head, sizeof(head),
		             "POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		             "Content-Type: multipart/form-data; boundary=BB\r\n"
		             "Content-Length: %zu\r\n\r\n", sizeof(dup_empty) - 1);
		cr_assert_eq(send(s, head, (size_t)n, MSG_NOSIGNAL), n);
		cr_assert_eq(send(s, dup_empty, cut, MSG_NOSIGNAL), (ssize_t)cut);
		usleep(300000);
		cr_assert_eq(send(s, dup_empty + cut, sizeof(dup_empty) - 1 - cut,
		                  MSG_NOSIGNAL),
		             (ssize_t)(sizeof(dup_empty) - 1 - cut));
		cr_expect_eq(dfx_read_answer(s, 10), 400);
		close(s);
	}
	r = dfx_http(&f, "GET", "/healthz", NULL, NULL, 0, NULL);
	cr_expect_eq(r.code, 200, "pyverifyd died");
	dfx_resp_free(&r);
	dfx_fini(&f);
}

Test(server, verifies_a_multipart_part_split_after_its_headers)
{
	struct dfx f;
	char *bundle = NULL, *body = NULL, head[256];
	size_t len, cut;
	int s, n;

	dfx_init(&f);
	dfx_start(&f, NULL);
	bundle = vs_dump(f.bundle);
	len = strlen(bundle) + 512;
	body = malloc(len);
	cr_assert_not_null(body);
	n = snprintf(body, len,
	             "--BB\r\nContent-Disposition: form-data; name=\"bundle\"\r\n"
	             "\r\n%s\r\n--BB\r\nContent-Disposition: form-data; "
	             "name=\"artifact\"; filename=\"" ARTIFACT_NAME "\"\r\n\r\n"
	             "hello\n\r\n--BB--\r\n", bundle);
	/* Two bytes of the artifact after its headers, the rest later: the
	 * post processor reports the part's start twice at offset 0. */
	cut = (size_t)(strstr(body, "hello\n") + 2 - body);
	s = dfx_connect_loopback(f.port);
	snprintf(head, sizeof(head),
	         "POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	         "Content-Type: multipart/form-data; boundary=BB\r\n"
	         "Content-Length: %d\r\n\r\n", n);
	cr_assert(send(s, head, strlen(head), MSG_NOSIGNAL) > 0);
	cr_assert_eq(send(s, body, cut, MSG_NOSIGNAL), (ssize_t)cut);
	usleep(300000);
	cr_assert_eq(send(s, body + cut, (size_t)n - cut, MSG_NOSIGNAL),
	             (ssize_t)((size_t)n - cut));
	cr_expect_eq(dfx_read_answer(s, 10), 200);
	close(s);
	free(body);
	free(bundle);
	dfx_fini(&f);
}

/* A CI gate uploads its own build output with the signer: the same answer
 * as the JSON question without "artifact", the file name echoed. */
Test(server, verifies_an_upload_of_a_non_cpython_file_against_the_named_signer)
{
	struct dfx f;
	struct dfx_resp r = { 0, NULL, 0, NULL };
	struct curl_slist *hdrs = NULL;
	char path[160], *bundle;
	curl_mime *mime;
	curl_mimepart *part;
	CURL *c;

	dfx_init(&f);
	bundle = vs_dump(f.bundle);
	snprintf(path, sizeof(path), "%s/build-output.bin", f.dir);
	cfx_write_file(path, "hello\n", 6, 0644);
	dfx_start(&f, NULL);
	c = dfx_easy(&f, &r, "POST", "/v1/verify", NULL, NULL, 0, NULL, &hdrs);
	mime = curl_mime_init(c);
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "bundle");
	curl_mime_data(part, bundle, CURL_ZERO_TERMINATED);
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "artifact");
	curl_mime_filedata(part, path);
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "identity");
	curl_mime_data(part, "dev@example.org", CURL_ZERO_TERMINATED);
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "issuer");
	curl_mime_data(part, "https://issuer.example", CURL_ZERO_TERMINATED);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	cr_assert_eq(curl_easy_perform(c), CURLE_OK);
	dfx_finish(&r, c);
	cr_expect_eq(r.code, 200, "%s", r.body);
	cr_expect_str_eq(dfx_jget(&r, "status") ? dfx_jget(&r, "status") : "",
	                 "verified");
	cr_expect_str_eq(dfx_jget(&r, "artifact")
	                     ? dfx_jget(&r, "artifact") : "",
	                 "build-output.bin");
	cr_expect_not_null(dfx_jget(&r, "note") ? strstr(dfx_jget(&r, "note"),
	                                            "no CPython release policy")
	                                     : NULL, "%s", r.body);
	dfx_resp_free(&r);
	curl_mime_free(mime);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	free(bundle);
	dfx_fini(&f);
}
