#!/bin/sh
# completion.sh ROOT WORKDIR - the installed completions work: bash (with
# bash-completion) completes commands, options and release files by type;
# zsh parses _pyverify. Skips, with the reason, what is not installed.
set -u
root=${1:?usage: completion.sh ROOT WORKDIR}
work=${2:?usage: completion.sh ROOT WORKDIR}
fail=0
mkdir -p "$work/files"
: > "$work/files/Python-3.14.0.tgz"
: > "$work/files/Python-3.14.0.tar.xz"
: > "$work/files/Python-3.14.0.tgz.sigstore"
: > "$work/files/notes.txt"
bc=/usr/share/bash-completion/bash_completion
comp="$root/usr/share/bash-completion/completions/pyverify"
if [ ! -f "$bc" ]; then
	echo "skip bash completion: bash-completion not installed"
else
	# complete LINE: what Tab offers after LINE, sorted, one a line.
	cat > "$work/complete.bash" <<BASH
. $bc
. $comp
complete_line() {
	COMP_LINE=\$1; COMP_POINT=\${#COMP_LINE}
	read -r -a COMP_WORDS <<< "\$COMP_LINE"
	[[ \$COMP_LINE == *' ' ]] && COMP_WORDS+=('')
	COMP_CWORD=\$(( \${#COMP_WORDS[@]} - 1 ))
	COMPREPLY=()
	_pyverify pyverify "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
	printf '%s\n' "\${COMPREPLY[@]}" | sort
}
cd $work/files
complete_line "\$1"
BASH
	check() { # check LINE EXPECTED [UNEXPECTED]
		got=$(bash "$work/complete.bash" "$1" 2>&1)
		if printf '%s\n' "$got" | grep -qx -- "$2" &&
		   { [ -z "${3:-}" ] || ! printf '%s\n' "$got" | grep -qx -- "$3"; }; then
			echo "ok   bash: '$1<Tab>' offers $2${3:+, not $3}"
		else
			echo "FAIL bash: '$1<Tab>' offered: $(printf '%s' "$got" | tr '\n' ' ')"
			fail=1
		fi
	}
	check "pyverify ver" verify-bundle
	check "pyverify " Python-3.14.0.tgz notes.txt
	check "pyverify " Python-3.14.0.tar.xz
	check "pyverify --bu" --bundle
	check "pyverify --bundle " Python-3.14.0.tgz.sigstore Python-3.14.0.tgz
	check "pyverify trust " import
	check "pyverify sign --" --identity-token
	check "pyverify verify-bundle --cert" --certificate-identity
fi
if command -v zsh >/dev/null; then
	if zsh -n "$root/usr/share/zsh/vendor-completions/_pyverify" 2>"$work/zsh.log"; then
		echo "ok   zsh: _pyverify parses"
	else
		echo "FAIL zsh: $(cat "$work/zsh.log")"; fail=1
	fi
else
	echo "skip zsh completion: zsh not installed"
fi
exit $fail
