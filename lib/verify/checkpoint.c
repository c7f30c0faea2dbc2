/* checkpoint.c - signed-note checkpoints (C2SP signed-note and
 * tlog-checkpoint) from Rekor v1 (ECDSA) and Rekor v2 (Ed25519) logs,
 * SPEC 3.11. */
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "verify/steps.h"
#include "util/cursor.h"

#define STEP PYVERIFY_STEP_CHECKPOINT
/* Malformed note text: EPARSE, step CHECKPOINT. */
#define MALFORMED(err, ...) pv_fail((err), PYVERIFY_EPARSE, STEP, __VA_ARGS__)

/* SPEC 3.11.1: "— " = U+2014 EM DASH (E2 80 94) and a space. */
static const char sig_prefix[] = "\xe2\x80\x94 ";
#define SIG_PREFIX_LEN 4
/* SPEC 3.11.1: a signature field is a 4-byte key ID then a signature. */
#define KEY_ID_LEN 4
/* Bytes of an untrusted key name or size quoted in a message. */
#define SHOWN(len) ((int)((len) > 64 ? 64 : (len)))

struct sig_line {
	const char *name;
	size_t name_len;
	struct pv_bytes raw; /* key ID || signature */
};

/* One UTF-8 scalar value at s[0..n), strictly (no overlongs, surrogates or
 * values above U+10FFFF). Returns its length, 0 when invalid. */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t v, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2, v = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, v = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4, v = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* Unicode White_Space (Go's unicode.IsSpace), which key names exclude. */
static int
is_unicode_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 ||
	       c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	       c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
	       c == 0x3000;
}

/* SPEC 3.11.1 step 1: valid UTF-8, no control characters but '\n'. */
static int
check_text_bytes(const char *text, size_t len, pyverify_error *err)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp);
		if (n == 0)
			return MALFORMED(err, "checkpoint is not valid UTF-8 "
			                      "(byte %zu)", i);
		if ((cp < 0x20 && cp != '\n') || cp == 0x7f)
			return MALFORMED(err, "checkpoint contains control "
			                      "character 0x%02x at byte %zu",
			                 (unsigned)cp, i);
		i += n;
	}
	return 0;
}

/* A key name: non-empty, no Unicode whitespace, no '+' (SPEC 3.11.1). */
static int
valid_key_name(const char *name, size_t len)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t i = 0, n;
	uint32_t cp;

	if (len == 0)
		return 0;
	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp);
		if (n == 0 || is_unicode_space(cp) || cp == '+')
			return 0;
		i += n;
	}
	return 1;
}

/* The next line of c as text (see pv_cur_line). */
static int
next_line(struct pv_cur *c, const char **line, size_t *len)
{
	const uint8_t *l;

	PV_TRY(pv_cur_line(c, &l, len));
	*line = (const char *)l;
	return 0;
}

/* SPEC 3.11.1 step 4: origin, size, root hash, then non-empty extension
 * lines. text ends with '\n' (the caller split it so). */
static int
parse_note_text(struct pv_checkpoint *cp, const char *text, size_t len,
                pyverify_error *err)
{
	struct pv_bytes root = { 0 };
	struct pv_cur c;
	const char *line;
	size_t i = 0, n;

	/* Count first, so a note missing a line is reported as such rather
	 * than as a bad value on the line that moved up. */
	pv_cur_init(&c, text, len);
	while (next_line(&c, &line, &n) == 0) {
		if (n == 0)
			return MALFORMED(err, "checkpoint line %zu is empty",
			                 i + 1);
		i++;
	}
	if (i < 3)
		return MALFORMED(err, "checkpoint text has %zu line(s), "
		                      "expected origin, tree size and root "
		                      "hash", i);

	pv_cur_init(&c, text, len);
	if (next_line(&c, &line, &n) != 0)
		return MALFORMED(err, "checkpoint has no origin line");
	if (n > PV_MAX_SHORT_STRING)
		return MALFORMED(err, "checkpoint origin is %zu bytes, at most "
		                      "%u allowed", n,
		                 (unsigned)PV_MAX_SHORT_STRING);
	memcpy(cp->origin, line, n);
	cp->origin[n] = '\0';

	if (next_line(&c, &line, &n) != 0 ||
	    pv_parse_u64(&cp->size, line, n) != 0)
		return MALFORMED(err, "checkpoint tree size \"%.*s\" is not a "
		                      "decimal number without leading zeros",
		                 SHOWN(n), line);

	if (next_line(&c, &line, &n) != 0 ||
	    pv_b64_decode(&root, line, n) != 0)
		return MALFORMED(err, "checkpoint root hash is not base64");
	if (root.len != 32) {
		n = root.len;
		pv_bytes_clear(&root);
		return MALFORMED(err, "checkpoint root hash is %zu bytes, "
		                      "expected 32", n);
	}
	memcpy(cp->root_hash, root.data, 32);
	pv_bytes_clear(&root);
	/* The remaining lines are extensions (Rekor v1 writes
	 * "Timestamp: <ns>"): covered by the signature, not interpreted. */
	return 0;
}

/* SPEC 3.11.1 step 3: "— <name> <b64(key ID || signature)>\n" lines.
 * *n_lines counts the entries whose raw bytes the caller must free. */
static int
parse_sig_lines(struct sig_line *lines, size_t *n_lines, const char *sigs,
                size_t len, pyverify_error *err)
{
	struct pv_cur c, f;
	const uint8_t *skip;
	const char *line, *sp;
	size_t n, linelen;
	struct sig_line *l;

	pv_cur_init(&c, sigs, len);
	for (n = 0; c.left > 0; n++) {
		if (next_line(&c, &line, &linelen) != 0)
			return MALFORMED(err, "checkpoint signature block does "
			                      "not end with a newline");
		if (n == PV_MAX_CHECKPOINT_SIGS)
			return MALFORMED(err, "checkpoint has more than %u "
			                      "signature lines",
			                 (unsigned)PV_MAX_CHECKPOINT_SIGS);
		/* The line's fields: prefix, key name, ' ', base64. */
		pv_cur_init(&f, line, linelen);
		if (pv_cur_expect(&f, sig_prefix, SIG_PREFIX_LEN) != 0)
			return MALFORMED(err, "checkpoint signature line %zu "
			                      "does not start with an em dash "
			                      "and a space", n + 1);
		l = &lines[n];
		l->name = (const char *)f.p;
		sp = memchr(l->name, ' ', f.left);
		if (sp == NULL)
			return MALFORMED(err, "checkpoint signature line %zu "
			                      "has no signature", n + 1);
		l->name_len = (size_t)(sp - l->name);
		if (!valid_key_name(l->name, l->name_len))
			return MALFORMED(err, "checkpoint signature line %zu "
			                      "has an invalid key name", n + 1);
		if (pv_cur_take(&f, l->name_len + 1, &skip) != 0 ||
		    pv_b64_decode(&l->raw, (const char *)f.p, f.left) != 0)
			return MALFORMED(err, "checkpoint signature line %zu "
			                      "is not base64", n + 1);
		*n_lines = n + 1;
		if (l->raw.len <= KEY_ID_LEN)
			return MALFORMED(err, "checkpoint signature line %zu "
			                      "holds %zu bytes, expected a "
			                      "4-byte key ID and a signature",
			                 n + 1, l->raw.len);
	}
	if (n == 0)
		return MALFORMED(err, "checkpoint has no signature lines");
	return 0;
}

/* SPEC 3.11.3: H(name || 0x0A || 0x01 || 32-byte Ed25519 key)[:4]. */
static int
ed25519_key_id(uint8_t id[KEY_ID_LEN], const char *name,
               const uint8_t key[32])
{
	static const uint8_t sep[2] = { 0x0a, 0x01 };
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t h[32];
	unsigned int n = 0;
	int rc = -1;

	if (ctx == NULL)
		goto done;
	if (EVP_DigestInit_ex2(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, name, strlen(name)) != 1 ||
	    EVP_DigestUpdate(ctx, sep, sizeof(sep)) != 1 ||
	    EVP_DigestUpdate(ctx, key, 32) != 1 ||
	    EVP_DigestFinal_ex(ctx, h, &n) != 1 || n != 32)
		goto done;
	memcpy(id, h, KEY_ID_LEN);
	rc = 0;
done:
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

static int
is_ecdsa(int details)
{
	return details == PV_KEY_PKIX_ECDSA_P256_SHA_256 ||
	       details == PV_KEY_PKIX_ECDSA_P384_SHA_384 ||
	       details == PV_KEY_PKIX_ECDSA_P521_SHA_512;
}

/* The 4-byte key ID the log's lines carry (SPEC 3.11.3). */
static int
expected_key_id(uint8_t id[KEY_ID_LEN], const struct pv_tlog *log,
                int rekor_v2, pyverify_error *err)
{
	const char *kind;

	if (!rekor_v2 || is_ecdsa(log->key.details)) {
		/* Rekor v1 (any key) and C2SP ECDSA: H(DER SPKI)[:4],
		 * which for v1 is the start of the log ID. */
		memcpy(id, log->key.spki_sha256, KEY_ID_LEN);
		return 0;
	}
	if (log->key.details == PV_KEY_PKIX_ED25519) {
		if (ed25519_key_id(id, log->origin, log->key.ed25519) != 0)
			return pv_fail(err, PYVERIFY_EINTERNAL, STEP,
			               "SHA-256 failed computing the key ID");
		return 0;
	}
	kind = pv_key_details_name(log->key.details);
	return pv_fail(err, PYVERIFY_EREJECT, STEP,
	               "log %s has a %s key; Rekor v2 checkpoints are "
	               "supported for Ed25519 and ECDSA keys only",
	               log->origin, kind != NULL ? kind : "unknown");
}

/* SPEC 3.11.2: "No matching line => reject". Names what was expected and
 * what the first line carried, since a log key rotation is the usual
 * cause. */
static int
no_log_signature(const struct sig_line *lines, size_t n_lines,
                 const struct pv_tlog *log, int rekor_v2,
                 const char *want_hex, pyverify_error *err)
{
	char got_hex[2 * KEY_ID_LEN + 1];

	pv_hex_encode(got_hex, lines[0].raw.data, KEY_ID_LEN);
	return pv_fail(err, PYVERIFY_EREJECT, STEP,
	               "checkpoint has no signature by log %s (%s %s, key ID "
	               "%s); first of %zu line(s) is %.*s %s; the trusted "
	               "root may be out of date", log->origin,
	               rekor_v2 ? "key name" : "any key name",
	               rekor_v2 ? log->origin : "accepted", want_hex,
	               n_lines, SHOWN(lines[0].name_len), lines[0].name,
	               got_hex);
}

int
pv_checkpoint_verify(struct pv_checkpoint *out, const char *text, size_t len,
                     const struct pv_tlog *log, int rekor_v2,
                     pyverify_error *err)
{
	struct sig_line lines[PV_MAX_CHECKPOINT_SIGS];
	struct pv_checkpoint cp;
	size_t n_lines = 0, i, text_len, origin_len = 0, counted = 0;
	uint8_t want_id[KEY_ID_LEN];
	char want_hex[2 * KEY_ID_LEN + 1];
	const char *split = NULL, *q;
	int rc;

	if (out == NULL || log == NULL || log->origin == NULL)
		return pv_fail(err, PYVERIFY_EINTERNAL, STEP,
		               "checkpoint check called without a log");
	if (text == NULL || len == 0)
		return MALFORMED(err, "checkpoint is empty");
	if (len > PV_MAX_CHECKPOINT_BYTES)
		return MALFORMED(err, "checkpoint is %zu bytes, at most %u "
		                      "allowed", len,
		                 (unsigned)PV_MAX_CHECKPOINT_BYTES);
	PV_TRY(check_text_bytes(text, len, err));

	/* SPEC 3.11.1 step 2: split at the last "\n\n"; the note text keeps
	 * the first '\n', the signature block is non-empty and ends with
	 * '\n'. */
	for (q = text + len - 1; q > text; q--) {
		if (q[0] == '\n' && q[-1] == '\n') {
			split = q - 1;
			break;
		}
	}
	if (split == NULL)
		return MALFORMED(err, "checkpoint has no blank line before its "
		                      "signatures");
	text_len = (size_t)(split - text) + 1;
	if (text_len + 1 == len)
		return MALFORMED(err, "checkpoint has no signature lines");
	memset(&cp, 0, sizeof(cp));
	PV_TRY(parse_note_text(&cp, text, text_len, err));

	memset(lines, 0, sizeof(lines));
	rc = parse_sig_lines(lines, &n_lines, text + text_len + 1,
	                     len - text_len - 1, err);
	if (rc != 0)
		goto done;

	/* SPEC 3.11.3: a Rekor v2 checkpoint's origin is the log's host. */
	if (rekor_v2 && strcmp(cp.origin, log->origin) != 0) {
		rc = pv_fail(err, PYVERIFY_EREJECT, STEP,
		             "checkpoint origin is \"%s\", expected \"%s\"",
		             cp.origin, log->origin);
		goto done;
	}
	rc = expected_key_id(want_id, log, rekor_v2, err);
	if (rc != 0)
		goto done;
	pv_hex_encode(want_hex, want_id, KEY_ID_LEN);
	if (rekor_v2)
		origin_len = strlen(log->origin);

	/* SPEC 3.11.2: only lines with the log's key ID (and for v2 its
	 * name) count; others (witness cosignatures, other keys) are
	 * ignored wherever they appear. Every counting line must verify
	 * over the note text, including its final '\n'. */
	for (i = 0; i < n_lines; i++) {
		const struct sig_line *l = &lines[i];
		int ok;

		if (memcmp(l->raw.data, want_id, KEY_ID_LEN) != 0)
			continue;
		if (rekor_v2 && (l->name_len != origin_len ||
		                 memcmp(l->name, log->origin, origin_len) != 0))
			continue;
		counted++;
		ok = pv_pubkey_verify_message(&log->key,
		                              (const uint8_t *)text, text_len,
		                              l->raw.data + KEY_ID_LEN,
		                              l->raw.len - KEY_ID_LEN);
		if (ok < 0) {
			rc = pv_fail(err, PYVERIFY_EINTERNAL, STEP,
			             "checkpoint signature check did not run");
			goto done;
		}
		if (ok == 0) {
			rc = pv_fail(err, PYVERIFY_EREJECT, STEP,
			             "checkpoint signature line %zu (%.*s, "
			             "key ID %s) does not verify with the key "
			             "of log %s", i + 1, SHOWN(l->name_len),
			             l->name, want_hex, log->origin);
			goto done;
		}
	}
	if (counted == 0) {
		rc = no_log_signature(lines, n_lines, log, rekor_v2, want_hex,
		                      err);
		goto done;
	}
	*out = cp;
	rc = 0;
done:
	for (i = 0; i < n_lines; i++)
		pv_bytes_clear(&lines[i].raw);
	return rc;
}
