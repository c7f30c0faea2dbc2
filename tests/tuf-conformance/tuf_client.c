/*
 * tuf_client.c - build/tuf-client, the client under test of the TUF
 * conformance suite (theupdateframework/tuf-conformance, CLIENT-CLI.md):
 *
 *   tuf-client --metadata-dir D init ROOT
 *   tuf-client --metadata-dir D --metadata-url URL refresh
 *   tuf-client --metadata-dir D --metadata-url URL --target-name P
 *              --target-base-url U --target-dir T download
 *
 * Exit 0 on success, 1 on any failure. The suite fakes the clock with
 * faketime, so the reference time is the libc clock (cfg.now = 0), and
 * it serves plain http:// on its own host, so http is allowed to any host
 * (a test tool, never installed).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tuf/tuf.h"

static void
usage(void)
{
	fprintf(stderr,
	        "usage: tuf-client --metadata-dir D init ROOT\n"
	        "       tuf-client --metadata-dir D --metadata-url URL refresh\n"
	        "       tuf-client --metadata-dir D --metadata-url URL "
	        "--target-name P --target-base-url U --target-dir T "
	        "download\n");
}

static int
cmd_init(const char *dir, const char *root_path)
{
	uint8_t *root = NULL;
	size_t len = 0;
	char why[512];
	int rc;

	if (pv_file_read(&root, &len, root_path, 0, PV_MAX_TUF_ROOT_BYTES,
	                 "trusted root", why, sizeof(why)) != 0) {
		fprintf(stderr, "tuf-client: %s\n", why);
		return 1;
	}
	rc = pv_tuf_init_dir(dir, root, len, why, sizeof(why));
	free(root);
	if (rc != 0) {
		fprintf(stderr, "tuf-client: %s\n", why);
		return 1;
	}
	return 0;
}

static int
cmd_update(pv_tuf_config *cfg, const char *target)
{
	pv_tuf_client *c = NULL;
	pv_tuf_target t;
	uint8_t *buf = NULL;
	size_t len = 0;
	char why[1024] = "";
	int rc;

	rc = pv_tuf_open(&c, cfg, why, sizeof(why));
	if (rc == 0)
		rc = pv_tuf_refresh(c, why, sizeof(why));
	if (rc == 0 && target != NULL) {
		rc = pv_tuf_target_info(c, target, &t, why, sizeof(why));
		if (rc == 0) {
			rc = pv_tuf_target_fetch(c, &t, &buf, &len, why,
			                         sizeof(why));
			free(buf);
			pv_tuf_target_clear(&t);
		}
	}
	pv_tuf_free(c);
	if (rc != 0) {
		fprintf(stderr, "tuf-client: %s\n", why);
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "metadata-dir", required_argument, NULL, 'm' },
		{ "metadata-url", required_argument, NULL, 'u' },
		{ "target-name", required_argument, NULL, 'n' },
		{ "target-base-url", required_argument, NULL, 'b' },
		{ "target-dir", required_argument, NULL, 't' },
		{ "days-in-future", required_argument, NULL, 'd' },
		{ "max-root-rotations", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	pv_tuf_config cfg;
	const char *target = NULL, *cmd;
	long days = 0;
	int o;

	memset(&cfg, 0, sizeof(cfg));
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'm': cfg.metadata_dir = optarg; break;
		case 'u': cfg.metadata_url = optarg; break;
		case 'n': target = optarg; break;
		case 'b': cfg.targets_url = optarg; break;
		case 't': cfg.targets_dir = optarg; break;
		case 'd': days = strtol(optarg, NULL, 10); break;
		case 'r':
			cfg.max_root_rotations =
			    (unsigned)strtoul(optarg, NULL, 10);
			if (cfg.max_root_rotations == 0)
				return 1;
			break;
		default: usage(); return 1;
		}
	}
	if (optind >= argc || cfg.metadata_dir == NULL) {
		usage();
		return 1;
	}
	cmd = argv[optind];
	if (strcmp(cmd, "init") == 0 && optind + 2 == argc)
		return cmd_init(cfg.metadata_dir, argv[optind + 1]);
	if (optind + 1 != argc || cfg.metadata_url == NULL) {
		usage();
		return 1;
	}
	cfg.net.allow_http = 1;
	/* The suite's repository is local: keep failures fast. */
	cfg.net.retries = -1;
	cfg.net.connect_timeout_ms = 5000;
	cfg.net.total_timeout_ms = 30000;
	if (days != 0)
		cfg.now = (int64_t)time(NULL) + (int64_t)days * 86400;
	if (strcmp(cmd, "refresh") == 0)
		return cmd_update(&cfg, NULL);
	if (strcmp(cmd, "download") == 0 && target != NULL &&
	    cfg.targets_url != NULL && cfg.targets_dir != NULL)
		return cmd_update(&cfg, target);
	usage();
	return 1;
}
