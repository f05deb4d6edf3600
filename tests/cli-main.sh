#!/bin/bash
# cli-main.sh: the top level of `convgrad`: --help and -h list the commands,
# --version and -V print the version, an unknown command exits 2 and says
# which, and `convgrad gradcheck --help` works (GNU style: stdout, exit 0).
. "$top_srcdir/tests/tap.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli-main.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

for flag in --help -h; do
	"$CONVGRAD" $flag >"$tmp/out" 2>"$tmp/err"
	check "$flag exits 0" test $? -eq 0
	check "$flag prints a usage line" grep -q '^Usage: convgrad ' "$tmp/out"
	for cmd in tutor verify show gradcheck; do
		check "$flag lists $cmd" grep -qE "^  $cmd +[a-z]" "$tmp/out"
	done
	check "$flag states the exit status" grep -q 'Exit status' "$tmp/out"
	check "$flag writes nothing on stderr" test ! -s "$tmp/err"
done

for flag in --version -V; do
	"$CONVGRAD" $flag >"$tmp/out" 2>&1
	check "$flag exits 0" test $? -eq 0
	check "$flag prints 'convgrad VERSION' and only that" \
		test "$(grep -cE '^convgrad [0-9]+\.[0-9]+\.[0-9]+' "$tmp/out")" = 1 -a \
		"$(wc -l <"$tmp/out")" = 1
done

"$CONVGRAD" frobnicate >"$tmp/out" 2>"$tmp/err"
check "an unknown command exits 2" test $? -eq 2
check "an unknown command is named on stderr" \
	grep -qF "unknown command 'frobnicate'" "$tmp/err"
check "an unknown command prints nothing on stdout" test ! -s "$tmp/out"

# `convgrad LESSON` is the tutor on that lesson, not an unknown command;
# without a terminal the tutor refuses and points to verify and show.
"$CONVGRAD" "$top_srcdir/lessons/03-input.md" </dev/null >"$tmp/out" 2>"$tmp/err"
check "convgrad LESSON without a terminal exits 2" test $? -eq 2
check "convgrad LESSON goes to the tutor, not 'unknown command'" \
	grep -q "convgrad verify" "$tmp/err"
check "convgrad LESSON is not an unknown command" \
	sh -c "! grep -q 'unknown command' '$tmp/err'"

for cmd in gradcheck; do   # verify, show: their own tests
	"$CONVGRAD" $cmd --help >"$tmp/out" 2>/dev/null
	check "convgrad $cmd --help exits 0" test $? -eq 0
	check "convgrad $cmd --help prints its usage" \
		grep -q "^Usage: convgrad $cmd" "$tmp/out"
done

done_testing
