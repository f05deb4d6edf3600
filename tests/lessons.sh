#!/bin/bash
# lessons.sh: every bundled lesson verifies (exit 0) at its default shape
# and re-verified at other shapes: stride 1, strides 2 and 3, non-square
# inputs, R != S, batch 1 and 2, C_in above and below C_out.
. "$top_srcdir/tests/tap.sh"
dir="${CONVGRAD_LESSONS:-$top_srcdir/lessons}"
shopt -s nullglob
lessons=("$dir"/*.md)
[ ${#lessons[@]} -gt 0 ] || skip_all "no lessons in $dir"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
configs=(
	""
	"--shape 1,1,5,5,1,2,2 --stride 1,1"
	"--shape 2,3,9,7,2,3,2 --stride 2,3"
	"--shape 1,2,11,10,3,1,3 --stride 3,1"
	"--stride 3,3"
)
for l in "${lessons[@]}"; do
	for cfg in "${configs[@]}"; do
		# shellcheck disable=SC2086
		"$CONVGRAD" verify --quiet --ascii $cfg "$l" >"$out" 2>&1
		rc=$?
		if [ "$rc" = 0 ]; then
			pass "$(basename "$l") ${cfg:-at its default shape}"
		else
			fail "$(basename "$l") ${cfg:-at its default shape} (exit $rc)"
			diag "$(head -c 4000 "$out")"
		fi
	done
done
done_testing
