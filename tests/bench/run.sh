#!/bin/sh
# tests/bench/run.sh BUILD - pyverify speed, always as ratios against a baseline
# measured in the same run on the same machine.
set -eu
BUILD=${1:-build}
TD=${PYVERIFY_TESTDATA:-../shared/testdata}
TD=$(cd "$TD" 2>/dev/null && pwd || printf '%s' "$TD") # for links below
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

root=$TD/sigstore/production.trusted_root.json
# One manifest row: sets artifact, sha, ident, iss, bundle.
pick() { # awk condition on the row
	row=$(awk -F'\t' "NR > 1 && $1 { r = \$0 } END { print r }" \
	    "$TD/cpython/MANIFEST.tsv")
	artifact=$(printf '%s' "$row" | cut -f2)
	sha=$(printf '%s' "$row" | cut -f3)
	ident=$(printf '%s' "$row" | cut -f5)
	iss=$(printf '%s' "$row" | cut -f6)
	bundle=$TD/cpython/$(printf '%s' "$row" | cut -f7)
}
have_td=0
[ -f "$TD/cpython/MANIFEST.tsv" ] && have_td=1
ratio() { # label a b goal
	awk -v l="$1" -v a="$2" -v b="$3" -v g="$4" \
	    'BEGIN { printf "%s: %.2fx (%s)\n", l, a / b, g }'
}

echo "== 1. verify one CPython bundle by digest, in process"
if [ $have_td = 1 ]; then
	# The newest source tarball in the manifest.
	pick '$2 ~ /^Python-3\.14/'
	echo "($artifact, goal: ratio <= 1.25x)"
	"$BUILD/bench/bench_verify" "$root" "$bundle" "sha256:$sha" "$ident" \
	    "$iss" 300 | tee "$tmp/inproc"
	load_us=$(awk -F: '/^load the trusted root, first/ { gsub(/[^0-9.]/, "", $2); print $2 }' "$tmp/inproc")
	echo
	echo "== 1b. an old v0.1 bundle with a P-384 leaf key (no checkpoint)"
	pick '$7 ~ /Python-3\.7\.14\.tgz/'
	echo "($artifact, goal: ratio <= 1.25x)"
	"$BUILD/bench/bench_verify" "$root" "$bundle" "sha256:$sha" "$ident" \
	    "$iss" 300 2:2 | grep -v '^load\|^one ECDSA' 
	# One P-384 and one P-256 check, timed alone in the 3.14 run.
	p384_us=$(awk '/^one ECDSA check:/ { print $5 }' "$tmp/inproc")
	p256_us=$(awk '/^one ECDSA check:/ { print $8 }' "$tmp/inproc")
else
	echo "skipped: $TD is absent (no CPython bundle)"
fi

echo
echo "== 1c. a whole CLI run by digest vs /bin/true (medians of 200 runs)"
if [ $have_td = 1 ]; then
	pick '$2 ~ /^Python-3\.14/'
	set -- $("$BUILD/bench/bench_exec" 200 /bin/true)
	t_wall=$1 t_cpu=$2
	set -- $("$BUILD/bench/bench_exec" 200 "$BUILD/pyverify" --help)
	h_wall=$1 h_cpu=$2
	set -- $("$BUILD/bench/bench_exec" 200 "$BUILD/pyverify" verify-bundle \
	    --offline --trusted-root "$root" --bundle "$bundle" \
	    --certificate-identity "$ident" --certificate-oidc-issuer "$iss" \
	    "sha256:$sha")
	v_wall=$1 v_cpu=$2
	echo "/bin/true:                 wall $t_wall us, cpu $t_cpu us"
	echo "pyverify --help:           wall $h_wall us, cpu $h_cpu us"
	echo "pyverify verify-bundle:    wall $v_wall us, cpu $v_cpu us"
	ratio "ratio --help/true (start-up: loader, libraries)" "$h_wall" "$t_wall" "no goal"
	ratio "ratio verify-bundle/true" "$v_wall" "$t_wall" "goal <= 3.5x"
	# The least any CLI run can cost: starting the program, plus the
	# signature checks it must make - the Fulcio intermediate against
	# its root once per process (P-384), then the bundle's own (one
	# P-384, four P-256).
	awk -v h="$h_wall" -v t="$t_wall" -v a="$p384_us" -v b="$p256_us" 'BEGIN {
	    printf "floor of a CLI run (--help + 2 P-384 + 4 P-256 checks): %.2fx /bin/true\n", (h + 2 * a + 4 * b) / t }'
	awk -v l="$load_us" -v c="$v_cpu" 'BEGIN {
	    printf "trusted-root loading: %.0f%% of the run'"'"'s CPU (goal <= 20%%)\n", 100 * l / c }'
else
	echo "skipped: $TD is absent (no CPython bundle)"
fi

echo
echo "== 1d. scan --manifest: -j 2 vs -j 1 (every CPython bundle, 20 times)"
if [ $have_td = 1 ]; then
	mkdir "$tmp/scan"
	ln -s "$TD/cpython/bundles" "$tmp/scan/bundles"
	{ head -n 1 "$TD/cpython/MANIFEST.tsv"
	  for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		tail -n +2 "$TD/cpython/MANIFEST.tsv"
	  done; } > "$tmp/scan/m.tsv"
	for j in 1 2; do
		set -- $("$BUILD/bench/bench_exec" 5 "$BUILD/pyverify" scan -q \
		    -j $j --offline --trusted-root "$root" \
		    --manifest "$tmp/scan/m.tsv")
		eval "scan$j=$1"
		echo "scan -j $j: $(awk -v w="$1" 'BEGIN { printf "%.1f", w / 1000 }') ms (median of 5)"
	done
	ratio "speed-up -j 2 over -j 1" "$scan1" "$scan2" "goal >= 1.8x, $(nproc) cores"
else
	echo "skipped: $TD is absent (no CPython bundles)"
fi

echo
echo "== 2. pyverify verify-bundle on a 30 MB file vs openssl dgst -sha256"
head -c 31457280 /dev/urandom > "$tmp/artifact.bin"
"$BUILD/bench/mkfixture" "$tmp/artifact.bin" "$tmp"
runs=15
best() { # best wall time in ms of N runs of a command
	b=""
	i=0
	while [ $i -lt $runs ]; do
		s=$(date +%s%N)
		"$@" >/dev/null 2>&1 || { echo "command failed: $*" >&2; exit 1; }
		e=$(date +%s%N)
		t=$(( (e - s) / 1000 ))
		if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
		i=$((i + 1))
	done
	echo "$b"
}
cat "$tmp/artifact.bin" > /dev/null  # page cache warm for both
ossl=$(best openssl dgst -sha256 "$tmp/artifact.bin")
pv=$(best "$BUILD/pyverify" verify-bundle --trusted-root "$tmp/trusted_root.json" \
    --bundle "$tmp/bundle.sigstore.json" --certificate-identity dev@example.org \
    --certificate-oidc-issuer https://issuer.example "$tmp/artifact.bin")
echo "openssl dgst -sha256:        $((ossl / 1000)).$(( (ossl % 1000) / 100 )) ms (best of $runs)"
echo "pyverify verify-bundle:      $((pv / 1000)).$(( (pv % 1000) / 100 )) ms (best of $runs)"
awk -v a="$pv" -v b="$ossl" 'BEGIN { printf "ratio pyverify/openssl: %.2fx (goal <= 1.20x)\n", a / b }'
