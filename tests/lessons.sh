#!/bin/bash
# lessons.sh: every bundled lesson verifies (exit 0) at its default shape
# and re-verified at other shapes: stride 1, strides 2 and 3, non-square
# inputs, R != S, batch 1 and 2, C_in above and below C_out; with padding
# and dilation, and with groups (depthwise among them), where a lesson that
# does not cover them is skipped (exit 0, with the reason).
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
	"--shape 2,3,9,7,2,3,2 --stride 2,3 --padding 2,1 --dilation 1,2"
	"--shape 1,2,6,11,3,2,3 --stride 1,2 --padding 3,0 --dilation 3,1"
	"--shape 2,4,9,7,6,3,2 --stride 2,3 --groups 2"
	"--shape 2,3,7,8,6,3,2 --stride 2,3 --groups 3"
	"--shape 1,3,6,7,3,2,3 --stride 1,2 --groups 3"
)
for l in "${lessons[@]}"; do
	for cfg in "${configs[@]}"; do
		# A lesson's default groups (11-groups.md: 2) need not divide a
		# swept shape's channels: those shapes are swept with one group.
		case "$cfg" in
		*--shape*--groups*) ;;
		*--shape*) cfg="$cfg --groups 1" ;;
		esac
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
