#!/bin/sh
# ci-gate.sh - fail a CI job unless pyverifyd says the CPython artifact is
# verified. Usage: ci-gate.sh Python-3.14.0.tgz [Python-3.14.0.tgz.sigstore]
# Environment: PYVERIFYD_URL (e.g. http://pyverifyd.ci.svc), PYVERIFYD_TOKEN
# (optional). The artifact is streamed (multipart) and hashed by the service;
# curl --fail turns every answer but 200 (verified) into a failed step, and
# the verdict JSON is printed either way.
set -eu
artifact=$1
bundle=${2:-$artifact.sigstore}
url=${PYVERIFYD_URL:?set PYVERIFYD_URL}
set -- --silent --show-error --fail-with-body --retry 3 --retry-connrefused \
    --max-time 300 -F "bundle=@$bundle" -F "artifact=@$artifact" \
    -F "name=$(basename "$artifact")"
if [ -n "${PYVERIFYD_TOKEN:-}" ]; then
	# From a file descriptor, so the token is not in the process list.
	printf 'Authorization: Bearer %s\n' "$PYVERIFYD_TOKEN" > "${TMPDIR:-/tmp}/pvd-h.$$"
	trap 'rm -f "${TMPDIR:-/tmp}/pvd-h.$$"' EXIT
	set -- "$@" -H "@${TMPDIR:-/tmp}/pvd-h.$$"
fi
curl "$@" "$url/v1/verify"
echo
