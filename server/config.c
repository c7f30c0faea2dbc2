/* config.c - pyverifyd configuration: PYVERIFYD_* environment variables,
 * then command-line flags (a flag wins over its variable). */
/* sched_getaffinity() and CPU_COUNT() are GNU extensions. */
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"
#include "pyverifyd.h"

#ifndef PYVERIFY_PREFIX
#define PYVERIFY_PREFIX "/usr/local"
#endif

/* Thread pools beyond this only add contention: verification is CPU work. */
#define PVD_MAX_THREADS 256
/* Largest --max-artifact-bytes: 1 TiB is far beyond any release artifact
 * and keeps the multipart body limit (artifact + JSON + framing) far from
 * wrapping around 2^64. */
#define PVD_MAX_ARTIFACT_LIMIT ((uint64_t)1 << 40)
/* libmicrohttpd's select/poll/epoll loops handle this many comfortably;
 * the fd limit usually bites first. */
#define PVD_MAX_CONNECTIONS 65536

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: pyverifyd [options]\n"
	    "\n"
	    "HTTP service that verifies Sigstore bundles of CPython releases\n"
	    "offline, for CI gates and mirror ingest. Every option can also be\n"
	    "set by the environment variable in brackets; a flag wins.\n"
	    "\n"
	    "  --listen ADDR            address:port to listen on, IPv6 as\n"
	    "                           [::1]:8080; port 0 picks a free port\n"
	    "                           (printed on stdout). Under systemd socket\n"
	    "                           activation (LISTEN_FDS) the passed socket\n"
	    "                           is used instead. [PYVERIFYD_LISTEN]\n"
	    "                           default 127.0.0.1:8080\n"
	    "  --threads N              worker threads [PYVERIFYD_THREADS]\n"
	    "                           default: the usable CPU cores\n"
	    "  --max-json-bytes N       largest application/json body (K, M, G\n"
	    "                           suffixes) [PYVERIFYD_MAX_JSON_BYTES] 1M\n"
	    "  --max-artifact-bytes N   largest multipart artifact part; it is\n"
	    "                           hashed as it streams, never stored; at\n"
	    "                           most 1024G [PYVERIFYD_MAX_ARTIFACT_BYTES] 4G\n"
	    "  --max-connections N      concurrent connections\n"
	    "                           [PYVERIFYD_MAX_CONNECTIONS] 512\n"
	    "                           (beyond it new clients wait in the\n"
	    "                           listen queue)\n"
	    "  --per-ip-connections N   concurrent connections per client\n"
	    "                           address, 0 unlimited; raise it behind\n"
	    "                           a proxy [PYVERIFYD_PER_IP_CONNECTIONS] 64\n"
	    "  --header-timeout SECONDS a request head (request line and\n"
	    "                           headers) must arrive whole within this\n"
	    "                           time of the connection opening or the\n"
	    "                           previous answer [PYVERIFYD_HEADER_TIMEOUT] 10\n"
	    "  --timeout SECONDS        a connection idle this long is closed;\n"
	    "                           a request body (chunk framing and\n"
	    "                           trailers included) must also arrive\n"
	    "                           within SECONDS plus 1 s per\n"
	    "                           --min-upload-rate bytes [PYVERIFYD_TIMEOUT] 30\n"
	    "  --min-upload-rate N      bytes/s [PYVERIFYD_MIN_UPLOAD_RATE] 64K\n"
	    "  --drain-timeout SECONDS  on SIGTERM, how long requests in flight\n"
	    "                           may take to finish [PYVERIFYD_DRAIN_TIMEOUT] 30\n"
	    "  --trusted-root FILE      a fixed Sigstore trusted_root.json,\n"
	    "                           reloaded on SIGHUP; the TUF options\n"
	    "                           below are then ignored\n"
	    "                           [PYVERIFYD_TRUSTED_ROOT, then\n"
	    "                           PYVERIFY_TRUSTED_ROOT] default: none, the\n"
	    "                           trusted root comes from TUF\n"
	    "\n"
	    "Without --trusted-root the trusted root comes from a TUF repository\n"
	    "(Sigstore's by default), refreshed at start and in the background;\n"
	    "a failed refresh keeps the last good root (the cached one after a\n"
	    "restart) and is retried after min(interval, %d s).\n"
	    "  --state-dir DIR          TUF cache (metadata and trusted root)\n"
	    "                           [PYVERIFYD_STATE_DIR] default\n"
	    "                           $STATE_DIRECTORY (systemd's\n"
	    "                           StateDirectory=), else /var/lib/pyverifyd\n"
	    "  --tuf-url URL            TUF repository (https://; http:// only\n"
	    "                           to loopback) [PYVERIFYD_TUF_URL] default\n"
	    "                           https://tuf-repo-cdn.sigstore.dev\n"
	    "  --tuf-root FILE          the repository's initial root.json, used\n"
	    "                           while the cache is empty; required with\n"
	    "                           --tuf-url [PYVERIFYD_TUF_ROOT] default:\n"
	    "                           the pinned root of Sigstore's repository\n"
	    "  --staging                Sigstore's staging repository\n"
	    "                           (https://tuf-repo-cdn.sigstage.dev)\n"
	    "                           [PYVERIFYD_STAGING=1]\n"
	    "  --ca-bundle FILE         PEM CAs for the TUF repository's HTTPS\n"
	    "                           [PYVERIFYD_CA_BUNDLE] default: the system\n"
	    "                           store\n"
	    "  --trust-refresh-interval SECONDS  time between TUF refreshes\n"
	    "                           [PYVERIFYD_TRUST_REFRESH_INTERVAL] 3600\n"
	    "\n"
	    "  --policy FILE            CPython signing policy\n"
	    "                           [PYVERIFYD_POLICY] default\n"
	    "                           %s\n"
	    "                           (run from a build directory: the source\n"
	    "                           tree's " PYVERIFY_RELEASE_POLICY_SOURCE ")\n"
	    "  --cache-entries N        verdict cache size, 0 disables\n"
	    "                           [PYVERIFYD_CACHE_ENTRIES] 4096\n"
	    "  --cache-ttl SECONDS      how long a verified verdict is reused\n"
	    "                           [PYVERIFYD_CACHE_TTL] 3600\n"
	    "  --cache-failure-ttl SECONDS  how long any other verdict is reused\n"
	    "                           [PYVERIFYD_CACHE_FAILURE_TTL] 30\n"
	    "  --log-format json|text   request log on stderr\n"
	    "                           [PYVERIFYD_LOG_FORMAT] json\n"
	    "  --token-file FILE        bearer tokens, one per line (at least 16\n"
	    "                           characters; # comments); when set, /v1/*\n"
	    "                           requires one. The file must not be\n"
	    "                           accessible by group or others.\n"
	    "                           [PYVERIFYD_TOKEN_FILE]\n"
	    "  --admin-token-file FILE  tokens for /v1/admin/*; without it those\n"
	    "                           endpoints answer 404 [PYVERIFYD_ADMIN_TOKEN_FILE]\n"
	    "  --help, --version\n"
	    "\n"
	    "Endpoints: POST /v1/verify (application/json or multipart/form-data),\n"
	    "GET /v1/trust, POST /v1/admin/reload, GET /healthz, /readyz, /metrics.\n"
	    "Answers: 200 verified, 422 any other verdict (failed, legacy-pgp-only,\n"
	    "missing, unknown-release), 400 malformed request, 401 missing or\n"
	    "invalid token, 403 token not allowed here, 404, 405, 413 too large,\n"
	    "415 wrong content type, 503 trust material not loaded.\n"
	    "\n"
	    "Signals: SIGHUP reloads the trusted root, policy and token files\n"
	    "(all or nothing; in TUF mode the last verified trusted root is\n"
	    "kept and a TUF refresh starts at once); SIGTERM/SIGINT stop\n"
	    "accepting, let requests in flight finish, exit 0.\n",
	    PVD_REFRESH_RETRY_SECONDS, pyverify_release_policy_installed_path());
}

/* "1048576", "1024K", "1M", "4G" (binary multiples). */
static int
parse_size(uint64_t *out, const char *s)
{
	size_t len = strlen(s);
	unsigned shift = 0;
	uint64_t v;

	if (len == 0)
		return -1;
	switch (s[len - 1]) {
	case 'K': case 'k': shift = 10; len--; break;
	case 'M': case 'm': shift = 20; len--; break;
	case 'G': case 'g': shift = 30; len--; break;
	default: break;
	}
	if (len == 0 || pv_parse_u64(&v, s, len) != 0)
		return -1;
	if (shift != 0 && v > (UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

static int
parse_uint(unsigned *out, const char *s, unsigned lo, unsigned hi)
{
	uint64_t v;

	if (pv_parse_u64(&v, s, strlen(s)) != 0 || v < lo || v > hi)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static unsigned
usable_cores(void)
{
	cpu_set_t set;
	long n;

	/* The affinity mask is what a container or taskset really gives us. */
	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

enum {
	OPT_LISTEN = 256, OPT_THREADS, OPT_MAX_JSON, OPT_MAX_ARTIFACT,
	OPT_MAX_CONN, OPT_PER_IP, OPT_TIMEOUT, OPT_HEAD_TIMEOUT, OPT_MIN_RATE,
	OPT_DRAIN,
	OPT_ROOT, OPT_POLICY, OPT_CACHE, OPT_CACHE_TTL, OPT_CACHE_FTTL,
	OPT_LOG, OPT_TOKENS, OPT_ADMIN, OPT_STATE_DIR, OPT_TUF_URL,
	OPT_TUF_ROOT, OPT_STAGING, OPT_CA_BUNDLE, OPT_REFRESH, OPT_HELP,
	OPT_VERSION
};

static const struct {
	int opt;
	const char *env;
} env_map[] = {
	{ OPT_LISTEN, "PYVERIFYD_LISTEN" },
	{ OPT_THREADS, "PYVERIFYD_THREADS" },
	{ OPT_MAX_JSON, "PYVERIFYD_MAX_JSON_BYTES" },
	{ OPT_MAX_ARTIFACT, "PYVERIFYD_MAX_ARTIFACT_BYTES" },
	{ OPT_MAX_CONN, "PYVERIFYD_MAX_CONNECTIONS" },
	{ OPT_PER_IP, "PYVERIFYD_PER_IP_CONNECTIONS" },
	{ OPT_TIMEOUT, "PYVERIFYD_TIMEOUT" },
	{ OPT_HEAD_TIMEOUT, "PYVERIFYD_HEADER_TIMEOUT" },
	{ OPT_MIN_RATE, "PYVERIFYD_MIN_UPLOAD_RATE" },
	{ OPT_DRAIN, "PYVERIFYD_DRAIN_TIMEOUT" },
	{ OPT_ROOT, "PYVERIFY_TRUSTED_ROOT" }, /* the CLI's; ours wins below */
	{ OPT_ROOT, "PYVERIFYD_TRUSTED_ROOT" },
	{ OPT_POLICY, "PYVERIFYD_POLICY" },
	{ OPT_CACHE, "PYVERIFYD_CACHE_ENTRIES" },
	{ OPT_CACHE_TTL, "PYVERIFYD_CACHE_TTL" },
	{ OPT_CACHE_FTTL, "PYVERIFYD_CACHE_FAILURE_TTL" },
	{ OPT_LOG, "PYVERIFYD_LOG_FORMAT" },
	{ OPT_TOKENS, "PYVERIFYD_TOKEN_FILE" },
	{ OPT_ADMIN, "PYVERIFYD_ADMIN_TOKEN_FILE" },
	{ OPT_STATE_DIR, "PYVERIFYD_STATE_DIR" },
	{ OPT_TUF_URL, "PYVERIFYD_TUF_URL" },
	{ OPT_TUF_ROOT, "PYVERIFYD_TUF_ROOT" },
	{ OPT_STAGING, "PYVERIFYD_STAGING" },
	{ OPT_CA_BUNDLE, "PYVERIFYD_CA_BUNDLE" },
	{ OPT_REFRESH, "PYVERIFYD_TRUST_REFRESH_INTERVAL" },
};

static const struct option longopts[] = {
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "max-json-bytes", required_argument, NULL, OPT_MAX_JSON },
	{ "max-artifact-bytes", required_argument, NULL, OPT_MAX_ARTIFACT },
	{ "max-connections", required_argument, NULL, OPT_MAX_CONN },
	{ "per-ip-connections", required_argument, NULL, OPT_PER_IP },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "header-timeout", required_argument, NULL, OPT_HEAD_TIMEOUT },
	{ "min-upload-rate", required_argument, NULL, OPT_MIN_RATE },
	{ "drain-timeout", required_argument, NULL, OPT_DRAIN },
	{ "trusted-root", required_argument, NULL, OPT_ROOT },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "cache-entries", required_argument, NULL, OPT_CACHE },
	{ "cache-ttl", required_argument, NULL, OPT_CACHE_TTL },
	{ "cache-failure-ttl", required_argument, NULL, OPT_CACHE_FTTL },
	{ "log-format", required_argument, NULL, OPT_LOG },
	{ "token-file", required_argument, NULL, OPT_TOKENS },
	{ "admin-token-file", required_argument, NULL, OPT_ADMIN },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "tuf-url", required_argument, NULL, OPT_TUF_URL },
	{ "tuf-root", required_argument, NULL, OPT_TUF_ROOT },
	{ "staging", no_argument, NULL, OPT_STAGING },
	{ "ca-bundle", required_argument, NULL, OPT_CA_BUNDLE },
	{ "trust-refresh-interval", required_argument, NULL, OPT_REFRESH },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

static const char *
opt_name(int opt)
{
	size_t i;

	for (i = 0; longopts[i].name != NULL; i++)
		if (longopts[i].val == opt)
			return longopts[i].name;
	return "?";
}

/* Applies one setting; `from` names its origin for the error message. */
static int
apply(struct pvd_config *cfg, int opt, const char *v, const char *from)
{
	uint64_t sz;
	int bad = 0;

	switch (opt) {
	case OPT_LISTEN: cfg->listen = v; break;
	case OPT_THREADS:
		bad = parse_uint(&cfg->threads, v, 1, PVD_MAX_THREADS);
		break;
	case OPT_MAX_JSON:
		/* Below 1 KiB not even a bundle fits; above the library's bundle
		 * bound the bundle would be refused anyway. */
		bad = parse_size(&sz, v) != 0 || sz < 1024 ||
		      sz > (uint64_t)PV_MAX_BUNDLE_BYTES * 2;
		if (!bad)
			cfg->max_json_bytes = sz;
		break;
	case OPT_MAX_ARTIFACT:
		bad = parse_size(&sz, v) != 0 || sz == 0 ||
		      sz > PVD_MAX_ARTIFACT_LIMIT;
		if (!bad)
			cfg->max_artifact_bytes = sz;
		break;
	case OPT_MAX_CONN:
		bad = parse_uint(&cfg->max_connections, v, 1, PVD_MAX_CONNECTIONS);
		break;
	case OPT_PER_IP:
		bad = parse_uint(&cfg->per_ip_connections, v, 0,
		                 PVD_MAX_CONNECTIONS);
		break;
	case OPT_TIMEOUT:
		bad = parse_uint(&cfg->timeout, v, 1, 86400);
		break;
	case OPT_HEAD_TIMEOUT:
		bad = parse_uint(&cfg->header_timeout, v, 1, 3600);
		break;
	case OPT_MIN_RATE:
		bad = parse_size(&sz, v) != 0 || sz == 0;
		if (!bad)
			cfg->min_upload_rate = sz;
		break;
	case OPT_DRAIN:
		bad = parse_uint(&cfg->drain_timeout, v, 0, 3600);
		break;
	case OPT_ROOT: cfg->trusted_root = v[0] ? v : NULL; break;
	case OPT_POLICY: cfg->policy = v; break;
	case OPT_CACHE:
		bad = parse_uint(&cfg->cache_entries, v, 0, 1u << 24);
		break;
	case OPT_CACHE_TTL:
		bad = parse_uint(&cfg->cache_ttl, v, 0, 86400 * 7);
		break;
	case OPT_CACHE_FTTL:
		bad = parse_uint(&cfg->cache_failure_ttl, v, 0, 86400);
		break;
	case OPT_LOG:
		if (strcmp(v, "json") == 0)
			cfg->log_format = PVD_LOG_JSON;
		else if (strcmp(v, "text") == 0)
			cfg->log_format = PVD_LOG_TEXT;
		else
			bad = 1;
		break;
	case OPT_TOKENS: cfg->token_file = v[0] ? v : NULL; break;
	case OPT_ADMIN: cfg->admin_token_file = v[0] ? v : NULL; break;
	case OPT_STATE_DIR:
		cfg->state_dir = v;
		cfg->tuf_option_given = 1;
		break;
	case OPT_TUF_URL:
		cfg->tuf_url = v;
		cfg->tuf_option_given = 1;
		break;
	case OPT_TUF_ROOT:
		cfg->tuf_root = v;
		cfg->tuf_option_given = 1;
		break;
	case OPT_STAGING:
		if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 ||
		    strcmp(v, "yes") == 0)
			cfg->staging = 1;
		else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0 ||
		         strcmp(v, "no") == 0)
			cfg->staging = 0;
		else
			bad = 1;
		cfg->tuf_option_given |= cfg->staging;
		break;
	case OPT_CA_BUNDLE:
		cfg->ca_bundle = v;
		cfg->tuf_option_given = 1;
		break;
	case OPT_REFRESH:
		/* A week at most: TUF timestamps expire within days. */
		bad = parse_uint(&cfg->refresh_interval, v, 1, 7 * 86400);
		break;
	default: bad = 1; break;
	}
	if (bad) {
		fprintf(stderr, "%s: invalid value '%s' for --%s (from %s); see "
		        "--help\n", PVD_NAME, v, opt_name(opt), from);
		return -1;
	}
	return 0;
}

/* --version: the libraries the process runs with (a security update of
 * OpenSSL shows here) and where the policy and trust come from with the
 * variables and the flags before --version applied. */
static void
print_version(const struct pvd_config *cfg)
{
	pyverify_versions v;

	pyverify_runtime_versions(&v);
	printf("%s %s\n", PVD_NAME, v.pyverify);
	printf("libraries: %s, jansson %s, libsodium %s, libcurl %s\n",
	       v.openssl, v.jansson, v.libsodium, v.libcurl);
	printf("policy: %s\n", cfg->policy);
	if (cfg->trusted_root != NULL)
		printf("trusted root: %s (fixed file)\n", cfg->trusted_root);
	else
		printf("trusted root: TUF repository %s, cache in %s\n",
		       cfg->tuf_url != NULL ? cfg->tuf_url
		       : cfg->staging       ? "https://tuf-repo-cdn.sigstage.dev"
		                            : "https://tuf-repo-cdn.sigstore.dev",
		       cfg->state_dir);
}

int
pvd_config_parse(struct pvd_config *cfg, int argc, char **argv)
{
	size_t i;
	int c;

	memset(cfg, 0, sizeof(*cfg));
	cfg->listen = "127.0.0.1:8080";
	cfg->threads = usable_cores();
	if (cfg->threads > PVD_MAX_THREADS)
		cfg->threads = PVD_MAX_THREADS;
	cfg->max_json_bytes = 1u << 20;
	cfg->max_artifact_bytes = (uint64_t)4 << 30;
	cfg->max_connections = 512;
	/* One address cannot take more than an eighth of the default slots. */
	cfg->per_ip_connections = 64;
	cfg->timeout = 30;
	cfg->header_timeout = 10;
	cfg->min_upload_rate = 64u << 10;
	cfg->drain_timeout = 30;
	/* No fixed file by default: trust kept current through TUF. */
	cfg->trusted_root = NULL;
	{
		/* systemd may list several directories, colon-separated. */
		static char state_dir[PATH_MAX];
		const char *sd = getenv("STATE_DIRECTORY");
		size_t n = sd != NULL ? strcspn(sd, ":") : 0;

		if (n > 0 && n < sizeof(state_dir)) {
			memcpy(state_dir, sd, n);
			state_dir[n] = '\0';
			cfg->state_dir = state_dir;
		} else {
			cfg->state_dir = "/var/lib/pyverifyd";
		}
	}
	cfg->refresh_interval = 3600;
	{
		/* The source tree's policy when run from its build directory,
		 * as for the CLI. */
		static char policy_path[PATH_MAX + 64];

		pyverify_release_policy_default_path(policy_path, sizeof(policy_path));
		cfg->policy = policy_path;
	}
	cfg->cache_entries = 4096;
	cfg->cache_ttl = 3600;
	cfg->cache_failure_ttl = 30;
	cfg->log_format = PVD_LOG_JSON;

	for (i = 0; i < sizeof(env_map) / sizeof(env_map[0]); i++) {
		const char *v = getenv(env_map[i].env);
		if (v != NULL && v[0] != '\0' &&
		    apply(cfg, env_map[i].opt, v, env_map[i].env) != 0)
			return -1;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == OPT_HELP) {
			usage(stdout);
			return 1;
		}
		if (c == OPT_VERSION) {
			print_version(cfg);
			return 1;
		}
		if (c == '?' ||
		    apply(cfg, c, optarg != NULL ? optarg : "1",
		          "the command line") != 0) {
			if (c == '?')
				fprintf(stderr, "%s: see --help\n", PVD_NAME);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s'; see --help\n",
		        PVD_NAME, argv[optind]);
		return -1;
	}
	return 0;
}
