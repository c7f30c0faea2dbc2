#!/bin/sh
# tests/lint/includes.sh - the include rules of lib/README.md: a library file
# includes only its own layer and the layers below it; the front-ends
# (cmd/, server/) include only the public header and lib/util/.
# Prints every offending line; exits 1 if there is one.
set -u
cd "$(dirname "$0")/../.."

# Layers from the bottom; each may include the ones listed before it.
LAYERS="util crypto format verify cpython net tuf sign"
# cpython/ sits on the public API: it may include util/ and nothing else of
# the library's private layers.
allowed() { # allowed LAYER -> folders its files may include
	case $1 in
	util) echo "util" ;;
	crypto) echo "util crypto" ;;
	format) echo "util crypto format" ;;
	verify) echo "util crypto format verify" ;;
	cpython) echo "util cpython $CPYTHON_EXTRA" ;;
	net) echo "util net" ;;
	tuf) echo "util crypto format net tuf" ;;
	sign) echo "util crypto format verify net sign" ;;
	front) echo "util" ;;
	esac
}
# Exceptions to the rules above, one folder name each: empty, and to stay
# so (what a front-end or the CPython layer needs from the inside becomes
# public API in pyverify.h instead).
CPYTHON_EXTRA=""
FRONT_EXTRA=""

bad=0
check() { # check FILE LAYER
	ok=$(allowed "$2")
	[ "$2" = front ] && ok="$ok $FRONT_EXTRA"
	grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$1" |
	while IFS= read -r line; do
		inc=$(printf '%s\n' "$line" | sed 's/.*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/')
		case $inc in
		pyverify.h) continue ;;
		*/*) dir=${inc%%/*} ;;
		*) # a bare name: a header of the file's own folder
			[ -f "$(dirname "$1")/$inc" ] && continue
			dir="?" ;;
		esac
		case " $ok " in *" $dir "*) continue ;; esac
		echo "$1:${line%%:*}: includes \"$inc\", which layer $2 may not include (allowed: pyverify.h $ok)"
	done
}
out=$(
	for l in $LAYERS; do
		for f in lib/$l/*.c lib/$l/*.h; do
			[ -f "$f" ] && check "$f" "$l"
		done
	done
	for f in cmd/*.c cmd/*.h server/*.c server/*.h; do
		[ -f "$f" ] && check "$f" front
	done
)
if [ -n "$out" ]; then
	printf '%s\n' "$out"
	exit 1
fi
echo "lint: includes follow the layers of lib/README.md"
