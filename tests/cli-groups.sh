#!/bin/bash
# cli-groups.sh: channel groups (--groups, groups= in a lesson's shape, the
# constant groups) through the real binary: gradcheck passes on grouped and
# depthwise layers, verify checks a grouped lesson and skips the bundled
# ones (which do not cover groups), bad groups are refused with exit 2 and a
# message naming the option or the fields.
. "$top_srcdir/tests/tap.sh"
d="$top_srcdir/tests/data/lessons"
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
run() { "$CONVGRAD" "$@" >"$out" 2>"$err"; echo $?; }

rc=$(run gradcheck --shape 2,4,5,6,6,3,2 --stride 1 --padding 1 --groups 2)
check "gradcheck --groups 2 passes (rc $rc)" test "$rc" = 0
check "gradcheck --groups 2: all passed" grep -q 'all passed' "$out"
rc=$(run gradcheck --shape 1,3,5,5,3,3,3 --stride 2,1 --dilation 1,2 --groups 3)
check "gradcheck depthwise passes (rc $rc)" test "$rc" = 0

rc=$(run verify "$d/grouped.md")
check "verify of a grouped lesson exits 0 (rc $rc)" test "$rc" = 0
check "verify prints groups=2 in the shape" grep -q 'groups=2' "$out"
check "verify: 4 claims hold, 1 erratum refuted" \
	grep -q '5 claims: 4 hold, 1 erratum refuted as expected, 0 failed' "$out"
rc=$(run verify --shape 2,6,6,5,3,3,3 --groups 3 "$d/grouped.md")
check "verify the grouped lesson re-verified depthwise (rc $rc)" test "$rc" = 0
rc=$(run verify --shape 2,4,6,6,4,3,3 --groups 2 "$d/good.md")
check "verify --groups 2 skips a lesson without covers=groups (rc $rc)" test "$rc" = 0
check "... and says why" grep -q 'skipped, the lesson does not cover groups' "$out"

t() {   # t DESCRIPTION MESSAGE ARGS...: exit 2 and MESSAGE on stderr
	local what=$1 msg=$2 rc
	shift 2
	rc=$(run "$@")
	if [ "$rc" = 2 ] && grep -qF -- "$msg" "$err"; then
		pass "$what"
	else
		fail "$what (rc $rc)"
		diag "$(cat "$err")"
	fi
}
t "gradcheck --groups 0" "--groups: expected a positive integer like 2, got '0'" gradcheck --groups 0
t "gradcheck --groups x" "--groups: expected an integer, got 'x'" gradcheck --groups x
t "gradcheck --groups not dividing C_in" "--groups 3: C_in=2 is not divisible by groups=3" gradcheck --groups 3
t "gradcheck --groups not dividing C_out" "C_out=3 is not divisible by groups=2" gradcheck --groups 2
t "verify --groups not dividing C_in" "C_in=4 is not divisible by groups=3" verify --groups 3 "$d/grouped.md"
t "tutor --groups -1" "--groups: expected a positive integer like 2, got '-1'" tutor --groups -1
done_testing
