#!/bin/bash
# hostile.sh: replay the hostile corpus (tests/data/hostile/cases.txt):
# each case ends within 20 s with its documented exit status and message
# (file and position), never a crash (a status of 128 or more), a hang
# (124, killed by timeout) or a flood of messages. The large cases are made
# by tests/data/hostile/generate.sh into a temporary directory.
. "$top_srcdir/tests/tap.sh"

src="$top_srcdir/tests/data/hostile"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! command -v timeout >/dev/null 2>&1; then skip_all "no timeout(1)"; fi
sh "$src/generate.sh" "$tmp/gen" || { fail "generate.sh"; done_testing; }

while IFS='|' read -r want_rc file want cmd; do
	case $want_rc in ''|'#'*) continue ;; esac
	if [ -e "$tmp/gen/$file" ]; then path=$tmp/gen/$file
	elif [ "${file#/}" != "$file" ]; then path=$file
	else path=$src/$file
	fi
	want=${want//@/$path}
	desc="$cmd $file: exit $want_rc"
	# shellcheck disable=SC2086
	timeout 20 "$CONVGRAD" $cmd "$path" </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	where=$tmp/err
	[ "$want_rc" = 1 ] && where=$tmp/out
	if [ "$rc" -ge 124 ]; then
		fail "$desc, got $rc (a crash or a hang)"
		diag "$(head -c 600 "$tmp/err")"
	elif [ "$rc" != "$want_rc" ]; then
		fail "$desc, got $rc"
		diag "$(head -c 600 "$tmp/err")"
	elif [ -n "$want" ] && ! grep -qF -- "$want" "$where"; then
		fail "$desc: the output lacks '$want'"
		diag "$(head -c 600 "$where")"
	elif [ "$(wc -c <"$tmp/err")" -ge 4096 ]; then
		fail "$desc: $(wc -c <"$tmp/err") bytes on stderr"
	else
		pass "$desc"
	fi
done <"$src/cases.txt"
done_testing
