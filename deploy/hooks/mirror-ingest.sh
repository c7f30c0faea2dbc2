#!/bin/sh
# mirror-ingest.sh - reject CPython release files that do not verify.
#
# Call it from your mirror's sync tool for every newly synced file or
# directory (rsync --files-from, a post-sync hook, an inotify watcher...):
#
#   mirror-ingest.sh /srv/mirror/python/ftp/python/3.14.0
#   mirror-ingest.sh /srv/mirror/.../Python-3.14.0.tgz /srv/.../Python-3.14.0.tgz.sigstore
#
# Exit status: 0 accept; non-zero reject (1 a signature failed, 3 a file is
# unverified: missing bundle, PGP-only, unknown release; 2 usage error or
# unusable trusted root/policy). Nothing is fetched from the network.
#
# Environment:
#   PYVERIFY                 the pyverify binary (default: pyverify on PATH)
#   PYVERIFY_HOOK_ARGS       extra options, e.g. "--trusted-root /etc/pyverify/trusted_root.json"
#   PYVERIFY_HOOK_ALLOW_LEGACY=1   accept releases that predate Sigstore and
#                            only have a PGP .asc (the .asc is NOT checked)
#   PYVERIFY_HOOK_ALLOW_OTHER=1    accept files that are not CPython release
#                            files (index pages, checksums) instead of
#                            rejecting them as unknown-release
#   PYVERIFY_HOOK_LOG        append the JSON verdicts to this file
#
# Signature and certificate files (.sigstore, .sigstore.json, .asc, .sig,
# .crt, .spdx.json) are accepted on their own and checked with the artifact
# they belong to when it is present, so the order files arrive in does not
# matter: a bundle that arrives after its tarball re-checks the tarball.
set -u
# PYVERIFY_HOOK_ARGS is split into words on purpose, but never globbed.
set -f

PYVERIFY=${PYVERIFY:-pyverify}
ARGS=${PYVERIFY_HOOK_ARGS:-}
[ "${PYVERIFY_HOOK_ALLOW_LEGACY:-0}" = 1 ] && ARGS="$ARGS --allow-legacy-pgp"

if [ $# -eq 0 ]; then
	echo "usage: mirror-ingest.sh FILE_OR_DIR..." >&2
	exit 2
fi

log() {
	# One line per decision, to syslog when available.
	if command -v logger >/dev/null 2>&1; then
		logger -t pyverify-ingest -- "$*"
	fi
	echo "pyverify-ingest: $*" >&2
}

# Runs pyverify; keeps the JSON verdicts when asked to. "--" ends the
# options: a synced file named "--help" or "--manifest=x" is a path, never
# an option (pyverify --help exits 0).
check() {
	if [ -n "${PYVERIFY_HOOK_LOG:-}" ]; then
		# shellcheck disable=SC2086
		out=$("$PYVERIFY" --json $ARGS -- "$@")
		rc=$?
		[ -n "$out" ] && printf '%s\n' "$out" >> "$PYVERIFY_HOOK_LOG"
		printf '%s\n' "$out" | grep -v '"status":"verified"' >&2
		return $rc
	fi
	# shellcheck disable=SC2086
	"$PYVERIFY" -q $ARGS -- "$@"
}

is_cpython_name() {
	case "${1##*/}" in
	Python-[0-9]*|python-[0-9]*|python[0-9]*.chm|windows-[0-9]*.json)
		return 0 ;;
	esac
	return 1
}

status=0
for path in "$@"; do
	if [ -d "$path" ]; then
		# shellcheck disable=SC2086
		if [ -n "${PYVERIFY_HOOK_LOG:-}" ]; then
			"$PYVERIFY" scan --json $ARGS -- "$path" >> "$PYVERIFY_HOOK_LOG"
		else
			"$PYVERIFY" scan -q $ARGS -- "$path"
		fi
		rc=$?
	else
		artifact=$path
		case "$path" in
		*.sigstore.json) artifact=${path%.sigstore.json} ;;
		*.sigstore) artifact=${path%.sigstore} ;;
		*.spdx.json) artifact=${path%.spdx.json} ;;
		*.asc|*.sig|*.crt) artifact=${path%.*} ;;
		esac
		if [ "$artifact" != "$path" ] && [ ! -e "$artifact" ]; then
			# Material first, artifact later: checked then.
			continue
		fi
		if [ "${PYVERIFY_HOOK_ALLOW_OTHER:-0}" = 1 ] &&
		   ! is_cpython_name "$artifact"; then
			continue
		fi
		check "$artifact"
		rc=$?
	fi
	if [ $rc -ne 0 ]; then
		log "REJECT $path (pyverify exit $rc)"
		# Keep the most severe reason: 1 (failed) over 2 and 3.
		if [ $status -eq 0 ] || [ $rc -eq 1 ]; then
			status=$rc
		fi
	fi
done
exit $status
