#!/bin/bash
# cli-verify.sh: `convgrad verify` end to end on the fixture lessons:
# exit 0 when every claim is ok, 1 with the counterexample printed when one
# fails, 2 with file:line:col for a lesson that does not parse; the tap and
# json formats; bad options.
. "$top_srcdir/tests/tap.sh"
d="$top_srcdir/tests/data/lessons"
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
run() { "$CONVGRAD" verify "$@" >"$out" 2>"$err"; echo $?; }

# a lesson whose claims all hold (and whose erratum is refuted): exit 0
rc=$(run "$d/good.md")
check "good.md verifies (exit $rc)" test "$rc" = 0
check "summary line counts the claims" \
	grep -q '^6 claims: 5 hold, 1 erratum refuted as expected, 0 failed$' "$out"
check "the erratum's counterexample is shown" grep -q 'counterexample: b=' "$out"
check "tuples checked are reported" grep -q 'of 36 tuples' "$out"
LC_ALL=C run "$d/good.md" >/dev/null
check "ASCII marks in the C locale" grep -q '^    ok   forward, NCHW' "$out"
check "no byte above 127 in the C locale" sh -c "! LC_ALL=C grep -q '[^ -~]' '$out'"

# a failing claim: exit 1 and the counterexample in full
rc=$(run --ascii "$d/failing.md")
check "failing.md exits 1 (got $rc)" test "$rc" = 1
check "FAIL mark" grep -q '^    FAIL the bias forgotten' "$out"
check "counterexample gives every index" \
	grep -Eq 'counterexample: b=0 c_out=0 h_out=0 w_out=0$' "$out"
check "formula and numeric values" grep -Eq '^ +formula +-?[0-9]' "$out"
check "numeric value" grep -Eq '^ +numeric +-?[0-9]' "$out"
check "where the claim is" grep -q "at .*failing.md:11:" "$out"
check "summary counts the failure (one claim, singular)" grep -q '^1 claim: 0 hold, 0 errata refuted as expected, 1 failed' "$out"
check "a failure worded as the tutor words it" grep -qE '^        fails at 32 of 32 tuples, max error' "$out"

# a malformed lesson: exit 2, file:line:col, nothing verified
rc=$(run "$d/bad-shape-key.md")
check "bad shape key exits 2 (got $rc)" test "$rc" = 2
check "bad shape key message" grep -q "bad-shape-key.md:4:5: error: unknown shape key 'Cin'" "$err"
check "nothing on stdout for a parse error" test ! -s "$out"
rc=$(run "$d/bad-claim.md")
check "bad claim exits 2 (got $rc)" test "$rc" = 2
check "bad claim message has file:line:col" grep -Eq "bad-claim.md:6:[0-9]+: error:" "$err"
check "and a caret" grep -q '\^' "$err"
rc=$(run "$d/no-title.md")
check "missing title exits 2" test "$rc" = 2
check "missing title message" grep -q "no-title.md:1:1: error: missing title" "$err"
rc=$(run "$d/invalid-shape.md")
check "invalid default shape exits 2" test "$rc" = 2
check "invalid default shape names R" grep -q "invalid-shape.md:3:1: error: the lesson's default shape is invalid: dilated kernel (R-1)" "$err"
rc=$(run "$d/check-outside.md")
check "a check block before any step exits 2" test "$rc" = 2
check "its message" grep -q "check-outside.md:3:1: error: a check block outside a step" "$err"
rc=$(run "$d/good.md" "$d/bad-claim.md")
check "one bad lesson among good ones: exit 2" test "$rc" = 2

# tap: one test point per claim
rc=$(run --format tap "$d/good.md" "$d/failing.md")
check "tap exit 1 with a failure" test "$rc" = 1
check "tap plan" grep -q '^1\.\.7$' "$out"
check "tap: 6 ok" test "$(grep -c '^ok ' "$out")" = 6
check "tap: 1 not ok" test "$(grep -c '^not ok ' "$out")" = 1
check "tap: counterexample diagnostic" grep -q '^# counterexample: b=0' "$out"

# json: one object
rc=$(run --format json "$d/good.md")
check "json exit 0" test "$rc" = 0
if command -v python3 >/dev/null; then
	check "json parses, with 6 claims and ok" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
cl = [c for l in j["lessons"] for s in l["steps"] for c in s["claims"]]
assert len(cl) == 6 and j["ok"] is True and j["summary"]["refuted"] == 1
assert all(c["ok"] for c in cl)
cex = [c for c in cl if c["expect_fail"]][0]["counterexample"]
assert list(cex["indices"]) == ["b", "c_out", "h_out", "w_out"]
assert abs(cex["formula"] - cex["numeric"]) > 1e-3
' "$out"
else
	check "json looks like one object" grep -q '^{"seed":.*"ok":true}$' "$out"
fi

# re-verifying at other shapes
rc=$(run --shape 1,2,9,9,2,2,3 --stride 1,2 "$d/good.md")
check "good.md at another shape (exit $rc)" test "$rc" = 0
check "the shape used is printed" grep -q 'N=1 C_in=2 H_in=9 W_in=9 C_out=2 R=2 S=3 strh=1 strw=2' "$out"
rc=$(run --padding 1 "$d/good.md")
check "padding not covered: skipped, exit 0" test "$rc" = 0
check "the reason is given" grep -q 'skipped, the lesson does not cover padding' "$out"
rc=$(run --shape 1,1,2,2,1,3,3 "$d/good.md")
check "an invalid shape exits 2" test "$rc" = 2
check "its message" grep -q 'larger than the padded input' "$err"
check "its message names the lesson and the shape options" grep -qF \
	"good.md: --shape 1,1,2,2,1,3,3 --stride 2,3 --padding 0,0 --dilation 1,1: " "$err"

# bad values: exit 2, the message names the option and the value
while IFS='|' read -r want args; do
	# shellcheck disable=SC2086
	rc=$(run $args "$d/good.md")
	check "verify $args exits 2 (got $rc)" test "$rc" = 2
	check "verify $args says '$want'" grep -qF -- "$want" "$err"
done <<'TABLE'
good.md: --shape 2,2,6,7,3,3,2 --stride 0 --padding 0,0 --dilation 1,1: stride strh must be at least 1|--stride 0
--eps: expected a step between 1e-12 and 1 like 1e-6, got 'abc'|--eps abc
--seed: expected a non-negative integer, got '-1'|--seed -1
--method: expected central or forward, got 'backward'|--method backward
--format: expected text, tap or json, got 'xml'|--format xml
--max-tuples: expected a positive integer, got '0'|--max-tuples 0
TABLE

# bad usage: exit 2 with the argument named
for args in "--format xml" "--shape 1,2,3" "--stride 0x" "--seed -1" \
    "--eps 0" "--eps abc" "--method backward" "--bogus" "--max-tuples 0"; do
	# shellcheck disable=SC2086
	rc=$(run $args "$d/good.md")
	check "verify $args exits 2 (got $rc)" test "$rc" = 2
done
rc=$(run "$d/no-such-lesson.md")
check "a missing file exits 2" test "$rc" = 2
check "missing file message" grep -q 'no-such-lesson.md: No such file or directory' "$err"
# lessons that must be refused or must end (generated; regressions)
tmp=$(mktemp -d)
trap 'rm -f "$out" "$err"; rm -rf "$tmp"' EXIT
shape='```shape
N=1 C_in=1 H_in=3 W_in=3 C_out=1 R=2 S=2 strh=1 strw=1
```'
claim='d f / d bias[c_out] = sum(b, h_out, w_out) df[b,c_out,h_out,w_out]'
one_claim() {   # one_claim FILE CLAIM: a one-step lesson, claim at line 10
	printf '# T\n\n%s\n\n## S\n\n```check\n%s\n```\n' "$shape" "$2" >"$tmp/$1"
}
# a check block never closed swallows the rest of the file: refused
printf '# T\n\n%s\n\n## S\n\n```check\n%s\n' "$shape" "$claim" >"$tmp/open-end.md"
printf '# T\n\n%s\n\n## S\n\n```check\n%s\n\n## Next\n\nMore prose.\n' \
	"$shape" "$claim" >"$tmp/open-mid.md"
rc=$(run "$tmp/open-end.md")
check "check block never closed: exit 2 (got $rc)" test "$rc" = 2
check "its message gives the fence's line" grep -qF \
	"open-end.md:9:1: error: the \`\`\`check block opened here is never closed" "$err"
rc=$(run "$tmp/open-mid.md")
check "check block not closed before the next step: exit 2 (got $rc)" test "$rc" = 2
check "its message names the swallowed heading" grep -qF \
	"open-mid.md:9:1: error: the \`\`\`check block opened here is never closed: it runs to the end of the file, over the heading at line 12" "$err"
"$CONVGRAD" show "$tmp/open-end.md" >"$out" 2>"$err"
rc=$?
check "show: check block never closed: exit 2 (got $rc)" test "$rc" = 2
check "show: its message" grep -qF "open-end.md:9:1:" "$err"
# a let too large for memory: exit 2 (not a fatal 3), file:line:col
one_claim huge-let.md 'let t[i < 65536, j < 65536, k < 65536] = 1'
rc=$(run "$tmp/huge-let.md")
check "a let too large for memory: exit 2 (got $rc)" test "$rc" = 2
check "its message on stderr" grep -qF \
	"huge-let.md:10:1: error: the let 't' (65536 x 65536 x 65536 entries) needs" "$err"
check "and in the report" grep -qF "cannot be checked: " "$out"
# a sum of 1e11 terms: a finding at once (exit 1), not a hang
one_claim huge-sum.md 'd f / d bias[c_out] = sum(i in 0..99999999999) 0'
if command -v timeout >/dev/null 2>&1; then T="timeout 20"; else T=; fi
$T "$CONVGRAD" verify "$tmp/huge-sum.md" >"$out" 2>"$err"
rc=$?
check "a sum of 1e11 terms: exit 1 (got $rc)" test "$rc" = 1
check "the finding names the sum and its count" grep -qF \
	"the sum 'sum(i in 0..99999999999) 0' has more than 10000000 terms (i takes 100000000000 values)" "$out"
# shape options are validated before a lesson that does not cover them
# is skipped
rc=$(run --padding -1 "$d/good.md")
check "--padding -1: exit 2 (got $rc)" test "$rc" = 2
check "--padding -1: named" grep -qF -- "--padding -1 --dilation 1,1: padding pad_h must be at least 0, got -1" "$err"
rc=$(run --dilation 0 "$d/good.md")
check "--dilation 0: exit 2 (got $rc)" test "$rc" = 2
check "--dilation 0: named" grep -qF -- "--dilation 0: dilation dil_h must be at least 1, got 0" "$err"
rc=$(run --dilation 1,0)
check "--dilation 1,0 on the bundled lessons: exit 2 (got $rc)" test "$rc" = 2

# A terminal control in a lesson (ESC in its title) is refused where it
# stands, and the message shows it escaped (\x1B), never raw.
esc=$(mktemp -d)
printf '# Title \033[31mred\n\n```shape\nN=1 C_in=1 H_in=3 W_in=3 C_out=1 R=2 S=2 strh=1 strw=1\n```\n\n## Step\n\nprose\n\n```check\n# label\noutput[b,c_out,h_out,w_out] = bias[c_out] + sum(c_in, di, dj) input[b,c_in,h_out+di,w_out+dj] * weight[c_out,c_in,di,dj]\n```\n' >"$esc/esc.md"
rc=$(run "$esc/esc.md")
check "ESC in a lesson: exit 2 (got $rc)" test "$rc" = 2
check "ESC in a lesson: named with line and column" \
	grep -qF 'esc.md:1:9: error: control character \x1B in the lesson' "$err"
check "ESC in a lesson: no ESC byte in the message" \
	sh -c "! grep -q \"\$(printf '\\033')\" '$err'"
rm -rf "$esc"

# In a locale that is not UTF-8 (or with --ascii) titles and labels are
# folded to ASCII: lesson 2 writes d(a*x)/dx = a with the partial sign.
for how in --ascii LC_ALL=C; do
	if [ "$how" = --ascii ]; then
		rc=$(LC_ALL=C.UTF-8 run --ascii "$top_srcdir/lessons/02-general-rule.md")
	else
		rc=$(LC_ALL=C run "$top_srcdir/lessons/02-general-rule.md")
	fi
	check "lesson 2, $how: exits 0 (got $rc)" test "$rc" = 0
	check "lesson 2, $how: no byte above 127" sh -c "! LC_ALL=C grep -q '[^ -~]' '$out'"
	check "lesson 2, $how: the step title folded" grep -qF '## d(a*x)/dx = a' "$out"
done

# A --shape whose C_in the lesson's own groups do not divide skips that
# lesson, saying why (the sizes were given for every lesson); --groups
# given explicitly is the user's choice, and a bad one a usage error.
rc=$(run --shape 1,3,5,5,4,3,3 "$top_srcdir/lessons/11-groups.md")
check "groups=2 lesson at C_in=3: exit 0 (got $rc)" test "$rc" = 0
check "groups=2 lesson at C_in=3: skipped, saying why" \
	grep -qF 'skipped, its groups=2 does not divide both C_in=3 and C_out=4' "$out"
check "one lesson skipped: singular" grep -qF '(1 lesson skipped)' "$out"
rc=$(run --shape 1,3,5,5,4,3,3 --groups 2 "$top_srcdir/lessons/11-groups.md")
check "--groups 2 given with C_in=3: exit 2 (got $rc)" test "$rc" = 2
check "--groups 2 given with C_in=3: says why" grep -qF 'C_in=3 is not divisible by groups=2' "$err"

# At C_out=1 "another output channel" has no tuple to check: said so, with
# no error figures that would read as a pass.
rc=$(run --shape 1,1,4,4,1,2,2 "$top_srcdir/lessons/04-weight.md")
check "a vacuous claim: exit 0 (got $rc)" test "$rc" = 0
check "a vacuous claim: said so" grep -qF \
	'holds: vacuously, at this shape: none of its 8 tuples meets its conditions, nothing compared' "$out"
check "a vacuous claim: no max error" bash -c \
	'! grep -A1 "another output channel" "$1" | grep -q "max error"' _ "$out"

rc=$(run --help)
check "--help exits 0" test "$rc" = 0
check "--help lists --shape" grep -q -- '--shape N,C_in,H_in,W_in,C_out,R,S' "$out"
check "--help gives the exit status" grep -q 'Exit status' "$out"
rc=$(run -V)
check "-V exits 0" test "$rc" = 0
done_testing
