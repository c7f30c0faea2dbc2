#!/bin/sh
# tests/bench/server/run.sh BUILD [SECONDS] - pyverifyd throughput with wrk on
# loopback, as a ratio against single-thread in-process verification
# (build/bench/bench_verify) measured in the same run; once with every
# request a full verification (--cache-entries 0), once with cache hits.
# Needs: BUILD/pyverifyd, BUILD/bench/bench_verify and wrk; the request is
# assembled with the shell.
set -eu
BUILD=${1:-build}
SECS=${2:-10}
TD=${PYVERIFY_TESTDATA:-../shared/testdata}
here=$(dirname "$0")

if ! command -v wrk >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "installing wrk (Debian package)"
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		    apt-get install -y -qq wrk >/dev/null
	else
		echo "wrk is not installed; run as root: apt-get install -y wrk" >&2
		exit 1
	fi
fi
if [ ! -f "$TD/cpython/MANIFEST.tsv" ]; then
	echo "skipped: $TD is absent (no real CPython bundle to post)"
	exit 0
fi
for b in "$BUILD/pyverifyd" "$BUILD/bench/bench_verify" "$BUILD/bench/mkfixture"; do
	[ -x "$b" ] || { echo "missing $b (make $b)" >&2; exit 1; }
done

tmp=$(mktemp -d)
pid=
sinkpid=
cleanup() {
	if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || :; wait "$pid" 2>/dev/null || :; fi
	if [ -n "$sinkpid" ]; then kill "$sinkpid" 2>/dev/null || :; wait "$sinkpid" 2>/dev/null || :; fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

row=$(awk -F'\t' 'NR > 1 && $2 ~ /^Python-3\.14/ { r = $0 } END { print r }' \
    "$TD/cpython/MANIFEST.tsv")
artifact=$(printf '%s' "$row" | cut -f2)
sha=$(printf '%s' "$row" | cut -f3)
ident=$(printf '%s' "$row" | cut -f5)
iss=$(printf '%s' "$row" | cut -f6)
bundle=$TD/cpython/$(printf '%s' "$row" | cut -f7)
root=$TD/sigstore/production.trusted_root.json
{ printf '{"bundle":'; cat "$bundle"; printf ',"digest":"sha256:%s","artifact":"%s"}' "$sha" "$artifact"; } \
    > "$tmp/request.json"
cores=$(nproc)

echo "== in-process, one thread ($artifact)"
inproc=$("$BUILD/bench/bench_verify" "$root" "$bundle" "sha256:$sha" "$ident" "$iss" 300)
printf '%s\n' "$inproc"
us=$(printf '%s\n' "$inproc" | awk -F: '/^verify one bundle/ { gsub(/[^0-9.]/, "", $2); print $2 }')
base=$(awk -v us="$us" 'BEGIN { printf "%.0f", 1e6 / us }')
echo "single-thread in-process: $base verifications/s"

start() { # extra pyverifyd flags
	rm -f "$tmp/out"
	: > "$tmp/out"
	"$BUILD/pyverifyd" --listen 127.0.0.1:0 --trusted-root "$root" \
	    --policy policy/cpython.json --log-format text "$@" \
	    > "$tmp/out" 2> "$tmp/log" &
	pid=$!
	i=0
	until grep -q '^listening on' "$tmp/out" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || { cat "$tmp/log" >&2; exit 1; }
		sleep 0.1
	done
	port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$tmp/out")
}
stop() { kill -TERM "$pid"; wait "$pid" || :; pid=; }

run() { # label, extra pyverifyd flags
	label=$1; shift
	start "$@"
	echo
	echo "== pyverifyd, $label: wrk -t$cores -c$((cores * 8)) -d${SECS}s"
	PVD_BENCH_BODY=$tmp/request.json wrk -t"$cores" -c$((cores * 8)) \
	    -d"${SECS}s" --latency -s "$here/verify.lua" \
	    "http://127.0.0.1:$port/v1/verify" > "$tmp/wrk" 2>&1 || { cat "$tmp/wrk"; exit 1; }
	grep -E '^(requests/s|latency p|errors)' "$tmp/wrk"
	rps=$(awk '/^requests\/s:/ { print $2 }' "$tmp/wrk")
	awk -v r="$rps" -v b="$base" -v c="$cores" 'BEGIN {
	    printf "ratio server/in-process single thread: %.2fx (%d cores)\n", r / b, c
	    printf "ratio server/in-process on all %d cores: %.2fx\n", c, r / (b * c) }'
	stop
}
run "no cache (every request verified)" --cache-entries 0
echo "(goal: server/in-process on all cores >= 0.85x)"
run "cache hits" --cache-entries 4096
echo "(goal: >= 25000 requests/s, p99 < 2 ms)"

# A 30 MB artifact uploaded as multipart/form-data and hashed as it
# arrives, against openssl dgst -sha256 on the same file (page cache warm).
# curl shares the two cores with the server, so the same upload is also
# timed against sink.c (reads the body, drops it): what is left of the
# upload's time beyond that is what pyverifyd's receiving, multipart
# parsing, hashing and verification add, and that is set against openssl.
echo
echo "== pyverifyd, 30 MB multipart upload vs openssl dgst -sha256 (best of 10)"
if ! command -v curl >/dev/null 2>&1; then
	echo "skipped: curl is not installed"
	exit 0
fi
mkdir "$tmp/mp"
head -c 31457280 /dev/urandom > "$tmp/mp/artifact.bin"
"$BUILD/bench/mkfixture" "$tmp/mp/artifact.bin" "$tmp/mp"
root=$tmp/mp/trusted_root.json
best() { # best wall time in us of 10 runs of a command
	b=""
	for i in 1 2 3 4 5 6 7 8 9 10; do
		s=$(date +%s%N)
		"$@" >/dev/null 2>&1 || { echo "command failed: $*" >&2; exit 1; }
		e=$(date +%s%N)
		t=$(( (e - s) / 1000 ))
		if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
	done
	echo "$b"
}
upload() { # port
	curl --fail -sS -o /dev/null \
	    -F "bundle=@$tmp/mp/bundle.sigstore.json" \
	    -F "artifact=@$tmp/mp/artifact.bin" -F identity=dev@example.org \
	    -F issuer=https://issuer.example "http://127.0.0.1:$1/v1/verify"
}
cat "$tmp/mp/artifact.bin" > /dev/null
ossl=$(best openssl dgst -sha256 "$tmp/mp/artifact.bin")
sink=
if ${CC:-cc} -O2 -o "$tmp/sink" "$here/sink.c" 2>"$tmp/cc.log"; then
	"$tmp/sink" > "$tmp/sinkport" &
	sinkpid=$!
	i=0
	until [ -s "$tmp/sinkport" ]; do
		i=$((i + 1)); [ $i -lt 100 ] || break
		sleep 0.1
	done
	sink=$(best upload "$(cat "$tmp/sinkport")")
	kill "$sinkpid"; wait "$sinkpid" 2>/dev/null || :
	sinkpid=
else
	echo "sink.c did not build (${CC:-cc}); only the raw ratio:"; cat "$tmp/cc.log"
fi
start --cache-entries 0
up=$(best upload "$port")
stop
echo "openssl dgst -sha256: $((ossl / 1000)) ms; upload + verify: $((up / 1000)) ms"
awk -v a="$ossl" -v b="$up" 'BEGIN {
    printf "ratio openssl time / upload time (client on the same cores): %.2fx\n", a / b }'
if [ -n "$sink" ]; then
	echo "same upload to a sink (client and loopback only): $((sink / 1000)) ms"
	awk -v a="$ossl" -v b="$up" -v s="$sink" 'BEGIN {
	    d = b - s; if (d < 1) d = 1
	    printf "ratio openssl time / (upload - sink) time: %.2fx (goal >= 0.95x)\n", a / d }'
fi
