/* trust_view.c - the public read-only view of a loaded trusted root
 * (pyverify_trust_root_count / _entry): front-ends list what a root trusts
 * without seeing struct pyverify_trust_root, so its layout stays free to
 * change. */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/x509.h>

#include "format/format.h"

const char *
pyverify_trust_root_media_type(const pyverify_trust_root *root)
{
	return root != NULL && root->media_type != NULL ? root->media_type : "";
}

size_t
pyverify_trust_root_count(const pyverify_trust_root *root,
                          pyverify_trust_kind kind)
{
	if (root == NULL)
		return 0;
	switch (kind) {
	case PYVERIFY_TRUST_TLOG: return root->n_tlogs;
	case PYVERIFY_TRUST_CTLOG: return root->n_ctlogs;
	case PYVERIFY_TRUST_CA: return root->n_cas;
	case PYVERIFY_TRUST_TSA: return root->n_tsas;
	}
	return 0;
}

static void
set_window(pyverify_trust_entry *out, const struct pv_time_range *r)
{
	out->has_start = !r->open_start;
	out->start_ms = r->open_start ? 0 : r->start_ms;
	out->has_end = r->has_end;
	out->end_ms = r->has_end ? r->end_ms : 0;
}

/* The RFC 2253 subject of cert into out; "" when it cannot be printed or
 * does not fit (a listing shows no subject rather than a cut one). The
 * RFC 2253 flags escape control and non-ASCII bytes, so out is ASCII. */
static int
subject(char *out, size_t outlen, X509 *cert)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL;
	long n;

	out[0] = '\0';
	if (b == NULL)
		return -1;
	if (X509_NAME_print_ex(b, X509_get_subject_name(cert), 0,
	                       XN_FLAG_RFC2253) >= 0) {
		n = BIO_get_mem_data(b, &p);
		if (n > 0 && (size_t)n < outlen) {
			memcpy(out, p, (size_t)n);
			out[n] = '\0';
		}
	}
	BIO_free(b);
	return 0;
}

int
pyverify_trust_root_entry(pyverify_trust_entry *out,
                          const pyverify_trust_root *root,
                          pyverify_trust_kind kind, size_t i,
                          pyverify_error *err)
{
	const struct pv_tlog *log = NULL;
	const struct pv_ca *ca = NULL;
	X509 *const *certs;
	size_t bad;

	if (out == NULL || i >= pyverify_trust_root_count(root, kind))
		return pv_fail(err, PYVERIFY_EUSAGE, PYVERIFY_STEP_TRUST_ROOT,
		               "no trusted root entry %zu of that kind", i);
	if (kind == PYVERIFY_TRUST_TLOG)
		log = &root->tlogs[i];
	else if (kind == PYVERIFY_TRUST_CTLOG)
		log = &root->ctlogs[i];
	else if (kind == PYVERIFY_TRUST_CA)
		ca = &root->cas[i];
	else
		ca = &root->tsas[i];
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	if (log != NULL) {
		out->url = log->base_url;
		pv_hex_encode(out->log_id_hex, log->log_id, 32);
		out->key_type = pv_key_details_name(log->key.details);
		set_window(out, &log->valid);
		return 0;
	}
	out->url = ca->uri;
	out->n_certificates = ca->n_certs;
	if ((certs = pv_ca_certs(ca, &bad)) == NULL && bad < ca->n_certs)
		return pv_fail(err, PYVERIFY_EPARSE, PYVERIFY_STEP_TRUST_ROOT,
		               "certificate %zu of trusted root entry %s is not "
		               "one DER X.509 certificate", bad, ca->uri);
	if (certs == NULL ||
	    subject(out->subject, sizeof(out->subject), certs[0]) != 0 ||
	    subject(out->anchor, sizeof(out->anchor),
	            certs[ca->n_certs - 1]) != 0)
		return pv_fail(err, PYVERIFY_ENOMEM, PYVERIFY_STEP_TRUST_ROOT,
		               "out of memory");
	set_window(out, &ca->valid);
	return 0;
}

int
pyverify_trust_entry_valid_at(const pyverify_trust_entry *e, int64_t t_ms)
{
	struct pv_time_range r;

	if (e == NULL)
		return 0;
	r.open_start = !e->has_start;
	r.start_ms = e->start_ms;
	r.has_end = e->has_end;
	r.end_ms = e->end_ms;
	return pv_time_range_contains(&r, t_ms);
}
