/* fss_util.c - small helpers of the fake Sigstore services: JSON answers,
 * form parameters, base64, the signature check every log does. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "fss_impl.h"

void fssi_json(struct fss_resp *r, unsigned status, json_t *j)
{
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	free(r->body);
	r->body = NULL;
	r->len = 0;
	if (text == NULL) {
		r->status = 500;
		snprintf(r->ctype, sizeof(r->ctype), "text/plain");
		return;
	}
	r->status = status;
	r->body = (uint8_t *)text;
	r->len = strlen(text);
	snprintf(r->ctype, sizeof(r->ctype), "application/json");
}

void fssi_error(struct fss_resp *r, unsigned status, int code,
                const char *message)
{
	fssi_json(r, status,
	          json_pack("{s:i, s:s}", "code", code, "message", message));
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *fssi_param(const char *form, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = form;

	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, '&');
		size_t flen = end ? (size_t)(end - p) : strlen(p);

		if (flen > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
			const char *v = p + nlen + 1;
			size_t vlen = flen - nlen - 1, o = 0;
			char *out = malloc(vlen + 1);

			if (out == NULL)
				return NULL;
			for (size_t i = 0; i < vlen; i++) {
				if (v[i] == '+') {
					out[o++] = ' ';
				} else if (v[i] == '%' && i + 2 < vlen &&
				           hexval(v[i + 1]) >= 0 &&
				           hexval(v[i + 2]) >= 0) {
					out[o++] = (char)(hexval(v[i + 1]) * 16 +
					                  hexval(v[i + 2]));
					i += 2;
				} else {
					out[o++] = v[i];
				}
			}
			out[o] = '\0';
			return out;
		}
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

char *fssi_b64url(const void *in, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);
	size_t n;

	if (out == NULL)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	n = strlen(out);
	while (n > 0 && out[n - 1] == '=')
		out[--n] = '\0';
	for (size_t i = 0; i < n; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	return out;
}

uint8_t *fssi_unb64(const char *in, size_t *outlen)
{
	size_t n = strlen(in), pad = 0, m;
	char *t = malloc(n + 4);
	uint8_t *out;
	int got;

	if (t == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		t[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
	m = n;
	while (m % 4 != 0)
		t[m++] = '=';
	t[m] = '\0';
	for (size_t i = m; i > 0 && t[i - 1] == '='; i--)
		pad++;
	out = malloc(m / 4 * 3 + 1);
	if (out == NULL || m == 0) {
		free(t);
		if (out != NULL && m == 0) {
			*outlen = 0;
			return out;
		}
		free(out);
		return NULL;
	}
	got = EVP_DecodeBlock(out, (unsigned char *)t, (int)m);
	free(t);
	if (got < 0 || (size_t)got < pad) {
		free(out);
		return NULL;
	}
	*outlen = (size_t)got - pad;
	return out;
}

int fssi_verify_prehashed(const char *pem, size_t pem_len,
                          const uint8_t *digest, size_t dlen,
                          const uint8_t *sig, size_t siglen, EVP_PKEY **key)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)pem_len);
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	int rc = -1;

	if (bio == NULL)
		goto done;
	if (strstr(pem, "CERTIFICATE") != NULL) {
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		k = x ? X509_get_pubkey(x) : NULL;
	} else {
		k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	}
	if (k == NULL)
		goto done;
	if (EVP_PKEY_get_base_id(k) != EVP_PKEY_EC) {
		rc = 0; /* what Rekor does with it is not under test here */
		goto done;
	}
	ctx = EVP_PKEY_CTX_new(k, NULL);
	if (ctx != NULL && EVP_PKEY_verify_init(ctx) == 1 &&
	    EVP_PKEY_verify(ctx, sig, siglen, digest, dlen) == 1)
		rc = 0;
done:
	if (rc == 0 && key != NULL) {
		*key = k;
		k = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(k);
	X509_free(x);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}
