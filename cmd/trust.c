/* trust.c - `pyverify trust import|show`: manage the pinned trusted root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "util/util.h"

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: pyverify trust import [--staging] FILE\n"
	        "       pyverify trust show [--staging] [--trusted-root FILE]\n"
	        "\n"
	        "import  validates FILE as a Sigstore trusted root "
	        "(trusted_root.json)\n"
	        "        and installs it in your data directory\n"
	        "        ($XDG_DATA_HOME/pyverify, else ~/.local/share/pyverify),\n"
	        "        where verification finds it. Nothing is fetched: get the\n"
	        "        file from Sigstore's TUF repository or your distribution.\n"
	        "show    prints which trusted root verification would use.\n"
	        "\n"
	        "Lookup order: --trusted-root FILE, $PYVERIFY_TRUSTED_ROOT\n"
	        "($PYVERIFY_STAGING_TRUSTED_ROOT with --staging), the data\n"
	        "directory, /etc/pyverify/, then the install prefix's\n"
	        "share/pyverify/ (file trusted_root.json, or\n"
	        "staging_trusted_root.json with --staging).\n");
}

static int
mkdir_parents(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/* Syncs the directory holding path, so the rename survives a crash. */
static int
sync_dir_of(const char *path)
{
	char dir[4200];
	const char *slash = strrchr(path, '/');
	int fd, rc;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if ((size_t)(slash - path) >= sizeof(dir))
		return -1;
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash == path ? 1 :
		                                         slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Writes exactly the validated bytes through a temporary file and
 * rename(), so a reader never sees half a trusted root, and what is
 * installed is what was checked (not whatever the source file holds by
 * the time it would be copied). The temporary file gets a random name and
 * is created with O_EXCL (mkstemp): a symbolic link planted at any name in
 * the directory is never followed, and a link planted at dst itself is
 * replaced, not written through. */
static int
install_bytes(const uint8_t *buf, size_t len, const char *dst)
{
	char tmp[4200];
	int out, rc = -1, saved;
	size_t off = 0;
	mode_t mask;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", dst) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	out = mkstemp(tmp);
	if (out < 0)
		return -1;
	/* mkstemp makes it 0600; a trusted root is public, and the mode it
	 * had before (0644 less the umask) is kept. The CLI is one thread
	 * here, so reading the umask back is safe. */
	mask = umask(022);
	umask(mask);
	if (fcntl(out, F_SETFD, FD_CLOEXEC) != 0 ||
	    fchmod(out, 0644 & ~mask) != 0)
		goto done;
	while (off < len) {
		ssize_t n = write(out, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto done;
		off += (size_t)n;
	}
	if (fsync(out) != 0)
		goto done;
	if (close(out) != 0) {
		out = -1;
		goto done;
	}
	out = -1;
	if (rename(tmp, dst) != 0)
		goto done;
	rc = 0;
	/* The file is in place; a failed directory sync only weakens
	 * durability, which the message would not help with. */
	(void)sync_dir_of(dst);
done:
	saved = errno;
	if (out >= 0)
		close(out);
	if (rc != 0)
		unlink(tmp);
	errno = saved;
	return rc;
}

static int
trust_import(const char *file, int staging)
{
	pyverify_trust_root *root = NULL;
	pyverify_error err;
	char dst[4096], why[PYVERIFY_ERROR_MSG_SIZE];
	uint8_t *buf = NULL;
	size_t len = 0;

	if (pv_file_read(&buf, &len, file, 0, PV_MAX_TRUST_ROOT_BYTES,
	                 "trusted root", why, sizeof(why)) != 0) {
		cli_line(stderr, "pyverify: %s", why);
		return EXIT_USAGE;
	}
	if (pyverify_trust_root_load_memory(&root, buf, len, file, &err) != 0) {
		cli_line(stderr, "pyverify: %s is not a usable trusted root: %s",
		         file, err.msg);
		free(buf);
		return EXIT_REJECTED;
	}
	pyverify_trust_root_free(root);
	if (trust_user_path(dst, sizeof(dst), staging) != 0) {
		fprintf(stderr, "pyverify: no data directory: set HOME or "
		                "XDG_DATA_HOME\n");
		free(buf);
		return EXIT_USAGE;
	}
	if (mkdir_parents(dst) != 0 || install_bytes(buf, len, dst) != 0) {
		cli_line(stderr, "pyverify: cannot install %s: %s", dst,
		         strerror(errno));
		free(buf);
		return EXIT_USAGE;
	}
	free(buf);
	cli_line(stdout, "installed %strusted root %s as %s",
	         staging ? "staging " : "", file, dst);
	return 0;
}

static int
trust_show(const char *explicit_path, int staging)
{
	char path[4096], why[2048];

	if (trust_locate(path, sizeof(path), explicit_path, staging, why,
	                 sizeof(why)) != 0) {
		cli_line(stderr, "pyverify: %s", why);
		return EXIT_USAGE;
	}
	pyverify_trust_root *root = trust_load(path, staging);
	if (root == NULL)
		return EXIT_USAGE;
	cli_line(stdout, "%strusted root: %s (valid)",
	         staging ? "staging " : "", pyverify_trust_root_source(root));
	pyverify_trust_root_free(root);
	return 0;
}

int
cmd_trust(int argc, char **argv)
{
	const char *sub, *file = NULL, *explicit_path = NULL;
	int staging = 0, i;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	sub = argv[1];
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--staging") == 0)
			staging = 1;
		else if (strcmp(argv[i], "--trusted-root") == 0 && i + 1 < argc)
			explicit_path = argv[++i];
		else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' || file != NULL) {
			cli_line(stderr, "pyverify trust: unexpected argument "
			                 "'%s'", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		} else
			file = argv[i];
	}
	if (strcmp(sub, "import") == 0 && file != NULL && explicit_path == NULL)
		return trust_import(file, staging);
	if (strcmp(sub, "show") == 0 && file == NULL)
		return trust_show(explicit_path, staging);
	usage(stderr);
	return EXIT_USAGE;
}
