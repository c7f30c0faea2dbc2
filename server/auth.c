/* auth.c - bearer tokens. Tokens are kept only as SHA-256 digests so every
 * comparison is over 32 bytes (CRYPTO_memcmp, constant time) and a token's
 * length or prefix leaks nothing through timing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "util/util.h"
#include "pyverifyd.h"

/* A token file is a short list; anything bigger is a mistake. */
#define PVD_MAX_TOKEN_FILE (256u << 10)

void
pvd_tokens_clear(struct pvd_tokens *t)
{
	if (t->sha256 != NULL)
		OPENSSL_cleanse(t->sha256, t->n * 32);
	free(t->sha256);
	t->sha256 = NULL;
	t->n = 0;
}

static int
read_token_file(const char *path, char **out, size_t *len, char *why,
                size_t whylen)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t n = 0;
	const uint8_t *nul;
	int fd, rc = -1;

	/* Not through a symbolic link, and never waiting on a FIFO. */
	if (pv_file_open(&fd, &st, path, PV_FILE_NOFOLLOW, "token file", why,
	                 whylen) != 0)
		return -1;
	/* Secrets readable by others are already leaked: refuse them. */
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(why, whylen,
		         "token file %s has mode %04o; it must not be accessible "
		         "by group or others (chmod 600)", path,
		         (unsigned)(st.st_mode & 07777));
		goto done;
	}
	if (pv_file_read_fd(&buf, &n, fd, &st, PVD_MAX_TOKEN_FILE, "token file",
	                    path, why, whylen) != 0)
		goto done;
	/* Line parsing works on C strings: a NUL would end a token early or
	 * hide the rest of a line. A binary file is not a token list. */
	nul = memchr(buf, '\0', n);
	if (nul != NULL) {
		size_t line = 1, i;
		for (i = 0; i < (size_t)(nul - buf); i++)
			line += buf[i] == '\n';
		snprintf(why, whylen, "token file %s line %zu holds a NUL byte; "
		         "a token file is text, one token per line", path, line);
		OPENSSL_cleanse(buf, n);
		free(buf);
		goto done;
	}
	*out = (char *)buf;
	*len = n;
	rc = 0;
done:
	close(fd);
	return rc;
}

int
pvd_tokens_load(struct pvd_tokens *out, const char *path, char *why,
                size_t whylen)
{
	struct pvd_tokens t = { NULL, 0 };
	char *buf = NULL;
	size_t len = 0, pos = 0, lineno = 0;
	int rc = -1;

	if (read_token_file(path, &buf, &len, why, whylen) != 0)
		return -1;
	t.sha256 = calloc(PVD_MAX_TOKENS, 32);
	if (t.sha256 == NULL) {
		snprintf(why, whylen, "out of memory");
		goto done;
	}
	while (pos < len) {
		size_t start = pos, end, i;
		const char *nl = memchr(buf + pos, '\n', len - pos);

		end = nl != NULL ? (size_t)(nl - buf) : len;
		pos = end + 1;
		lineno++;
		/* Trim surrounding blanks (and a CR from Windows editors). */
		while (start < end && (buf[start] == ' ' || buf[start] == '\t'))
			start++;
		while (end > start && (buf[end - 1] == ' ' || buf[end - 1] == '\t' ||
		                       buf[end - 1] == '\r'))
			end--;
		if (start == end || buf[start] == '#')
			continue;
		if (end - start < PVD_MIN_TOKEN_LEN ||
		    end - start > PVD_MAX_TOKEN_LEN) {
			snprintf(why, whylen,
			         "token file %s line %zu: a token must have %d to %d "
			         "characters, this one has %zu", path, lineno,
			         PVD_MIN_TOKEN_LEN, PVD_MAX_TOKEN_LEN, end - start);
			goto done;
		}
		/* RFC 6750 b64token characters; rules out blanks and controls. */
		for (i = start; i < end; i++) {
			unsigned char ch = (unsigned char)buf[i];
			if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			      (ch >= '0' && ch <= '9') ||
			      (ch != '\0' && strchr("-._~+/=", ch)))) {
				snprintf(why, whylen,
				         "token file %s line %zu: a token may only "
				         "contain A-Z a-z 0-9 - . _ ~ + / =", path,
				         lineno);
				goto done;
			}
		}
		if (t.n == PVD_MAX_TOKENS) {
			snprintf(why, whylen, "token file %s has more than %d "
			         "tokens", path, PVD_MAX_TOKENS);
			goto done;
		}
		SHA256((const unsigned char *)buf + start, end - start,
		       t.sha256[t.n++]);
	}
	if (t.n == 0) {
		/* An empty file would silently open the service. */
		snprintf(why, whylen, "token file %s holds no token", path);
		goto done;
	}
	*out = t;
	t.sha256 = NULL;
	t.n = 0;
	rc = 0;
done:
	OPENSSL_cleanse(buf, len);
	free(buf);
	pvd_tokens_clear(&t);
	return rc;
}

int
pvd_tokens_check(const struct pvd_tokens *t, const char *authorization)
{
	static const char scheme[] = "Bearer ";
	uint8_t d[32];
	size_t i, len;
	int ok = 0;

	if (t == NULL || t->n == 0 || authorization == NULL)
		return 0;
	/* RFC 6750 2.1; the scheme is case-insensitive (RFC 9110 11.1). */
	if (strncasecmp(authorization, scheme, sizeof(scheme) - 1) != 0)
		return 0;
	authorization += sizeof(scheme) - 1;
	len = strlen(authorization);
	if (len == 0 || len > PVD_MAX_TOKEN_LEN)
		return 0;
	SHA256((const unsigned char *)authorization, len, d);
	/* Every entry is compared: no early exit tells which one matched. */
	for (i = 0; i < t->n; i++)
		ok |= CRYPTO_memcmp(d, t->sha256[i], 32) == 0;
	OPENSSL_cleanse(d, sizeof(d));
	return ok;
}
