#!/bin/sh
# mirror-hook.sh - ingest hook for a python.org mirror: called with the
# directory of a newly synced release (e.g. .../ftp/python/3.14.0/), it asks
# pyverifyd about every artifact that has a .sigstore bundle beside it and
# quarantines the release unless all of them verify.
# Environment: PYVERIFYD_URL, PYVERIFYD_TOKEN_FILE (optional, a file holding
# one token), QUARANTINE (default: <dir>.quarantine).
# Exit status: 0 all verified, 1 something did not verify (moved away),
# 2 the service could not be asked (nothing moved: retry later).
set -u
dir=${1:?usage: mirror-hook.sh RELEASE_DIR}
url=${PYVERIFYD_URL:?set PYVERIFYD_URL}
auth=
if [ -n "${PYVERIFYD_TOKEN_FILE:-}" ]; then
	auth="Authorization: Bearer $(head -n1 "$PYVERIFYD_TOKEN_FILE")"
fi
bad=0
for bundle in "$dir"/*.sigstore; do
	[ -e "$bundle" ] || continue
	artifact=${bundle%.sigstore}
	[ -f "$artifact" ] || continue
	digest="sha256:$(sha256sum "$artifact" | cut -d' ' -f1)"
	name=$(basename "$artifact")
	body=$(jq -cn --slurpfile b "$bundle" --arg d "$digest" --arg n "$name" \
	       '{bundle: $b[0], digest: $d, artifact: $n}') || exit 2
	code=$(printf '%s' "$body" | curl -sS -o /tmp/pvd-verdict.$$ \
	       -w '%{http_code}' ${auth:+-H "$auth"} \
	       -H 'Content-Type: application/json' --data-binary @- \
	       "$url/v1/verify") || exit 2
	case $code in
	200) echo "verified: $name" ;;
	422) echo "REJECTED: $name: $(cat /tmp/pvd-verdict.$$)" >&2; bad=1 ;;
	*) echo "pyverifyd answered $code for $name: $(cat /tmp/pvd-verdict.$$)" >&2
	   rm -f /tmp/pvd-verdict.$$; exit 2 ;;
	esac
done
rm -f /tmp/pvd-verdict.$$
if [ "$bad" -ne 0 ]; then
	mv "$dir" "${QUARANTINE:-$dir.quarantine}"
	exit 1
fi
exit 0
