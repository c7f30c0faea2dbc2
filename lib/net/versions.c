/* net/versions.c - the versions of the libraries the running process uses.
 * Asked of each library at run time, not taken from the headers it was
 * compiled against: after a distribution's security update of OpenSSL or
 * libcurl the shared library reports the fixed version, which is what a
 * release engineer checking for a vulnerable build needs to see. In net/
 * because libcurl is loaded here, on demand (`--version` is not a hot
 * path, and it should name the libcurl that requests would use). */
#include <jansson.h>
#include <openssl/crypto.h>
#include <sodium.h>

#include "pyverify.h"
#include "net/net.h"

static const char *
or_unknown(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : "unknown";
}

void
pyverify_runtime_versions(pyverify_versions *out)
{
	out->pyverify = PYVERIFY_VERSION;
	out->openssl = or_unknown(OpenSSL_version(OPENSSL_VERSION));
	out->jansson = or_unknown(jansson_version_str());
	out->libsodium = or_unknown(sodium_version_string());
	out->libcurl = or_unknown(pv_net_libcurl_version());
}
