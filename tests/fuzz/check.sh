#!/bin/sh
# check.sh SECONDS [TARGET...] - the fuzzing step of `make check`: runs each
# target built by build.sh for SECONDS seconds, FUZZ_CHECK_JOBS (2) at a
# time, from the seeds kept in the repository (tests/fuzz/corpus/TARGET)
# and the matching fixtures (tests/fuzz/fixtures), both copied to a
# temporary directory first so the repository is never written. Nothing
# else is needed: no ../shared, no network. A crash, leak, timeout or
# out-of-memory fails its target; the input is kept in
# build-fuzz/check-crashes/TARGET/ and the end of libFuzzer's report is
# printed. Exit status 0 only when every target ran clean.
set -eu
cd "$(dirname "$0")/../.."

if [ $# -lt 1 ]; then
	echo "usage: $0 SECONDS [TARGET...]" >&2
	exit 2
fi
SECS=$1
shift
OUT=${FUZZ_BUILD:-build-fuzz}
JOBS=${FUZZ_CHECK_JOBS:-2}
ALL_TARGETS="fuzz_bundle fuzz_trust_root fuzz_checkpoint fuzz_body fuzz_tsa
fuzz_sct_identity fuzz_dsse fuzz_verify fuzz_server fuzz_tuf_metadata fuzz_json_member"
TARGETS=${*:-$ALL_TARGETS}

for t in $TARGETS; do
	[ -x "$OUT/bin/$t" ] ||
	    { echo "$OUT/bin/$t missing: run tests/fuzz/build.sh" >&2; exit 2; }
	[ -d "tests/fuzz/corpus/$t" ] ||
	    { echo "tests/fuzz/corpus/$t missing: run" \
	           "tests/fuzz/mkcorpus.sh" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pyverify-fuzz-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
cp -R tests/fuzz/fixtures "$tmp/fixtures"
PV_FUZZ_FIXTURES=$tmp/fixtures
# Targets' own scratch files (fuzz_server's token files) go here too.
TMPDIR=$tmp
export PV_FUZZ_FIXTURES TMPDIR

# run_one TARGET: fuzzes, writes TARGET's exit status to $tmp/TARGET.rc.
run_one() {
	t=$1
	case $t in
	fuzz_bundle|fuzz_verify|fuzz_server) maxlen=65536 ;;
	fuzz_trust_root|fuzz_body) maxlen=32768 ;;
	*) maxlen=16384 ;;
	esac
	mkdir -p "$tmp/corpus/$t" "$OUT/check-crashes/$t"
	cp tests/fuzz/corpus/$t/* "$tmp/corpus/$t/"
	rc=0
	"$OUT/bin/$t" -max_total_time="$SECS" -max_len="$maxlen" \
	    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
	    -artifact_prefix="$OUT/check-crashes/$t/" "$tmp/corpus/$t" \
	    > "$tmp/$t.log" 2>&1 || rc=$?
	echo "$rc" > "$tmp/$t.rc"
}

# report LOG: the start of the finding (sanitizer error and stack, or the
# target's own message) and where libFuzzer saved the input.
report() {
	awk '/ERROR: |runtime error:|deadly signal/ && !n { n = 1 }
	     /^pyverifyd |^accepted a bundle|^fuzz fixture/ && !n { n = 1 }
	     n && n <= 30 { print; n++ }
	     END { if (!n) exit 1 }' "$1" || tail -n 30 "$1"
	grep -E '^SUMMARY|Test unit written' "$1" || true
}

start=$(date +%s)
pids=""
for t in $TARGETS; do
	run_one "$t" &
	pids="$pids $!"
	set -- $pids
	if [ $# -ge "$JOBS" ]; then
		wait "$1"
		shift
		pids="$*"
	fi
done
for p in $pids; do wait "$p"; done

fail=0
for t in $TARGETS; do
	rc=$(cat "$tmp/$t.rc" 2>/dev/null || echo 1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/$t.log")
	if [ "$rc" -eq 0 ]; then
		echo "fuzz-check: $t: ok, ${runs:-?} inputs in ${SECS} s"
	else
		fail=1
		echo "fuzz-check: $t: FAILED (libFuzzer exit $rc); input kept" \
		     "in $OUT/check-crashes/$t/"
		report "$tmp/$t.log"
	fi
done
echo "fuzz-check: $(echo $TARGETS | wc -w) targets," \
     "$(( $(date +%s) - start )) s"
exit $fail
