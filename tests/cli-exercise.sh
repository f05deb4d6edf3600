#!/bin/bash
# cli-exercise.sh: exercises through the binary. A lesson whose hidden
# answer is wrong at its default shape is refused at load, with
# file:line:col and exit 2, by verify, show and the tutor; a malformed
# exercise block likewise; verify reports each answer judged at three
# shapes in text, TAP and JSON (a fitted answer fails at another shape:
# exit 1); show renders the prompt and hints, the answer only with
# --answers, in text, markdown and latex.
. "$top_srcdir/tests/tap.sh"
d="$top_srcdir/tests/data/lessons"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out err=$tmp/err
run() { "$CONVGRAD" "$@" >"$out" 2>"$err"; echo $?; }

wrong="$d/exercise-wrong.md:18:9: error: the exercise's answer (the exercise block at line 16) does not hold at the lesson's default shape: fails at N=2 C_in=1 H_in=4 W_in=4 C_out=2 R=2 S=2 stride 1: at c_out=0: formula "
for cmd in verify show; do
	rc=$(run $cmd "$d/exercise-wrong.md")
	check "$cmd refuses a wrong hidden answer: exit 2 (got $rc)" test "$rc" = 2
	check "$cmd names the answer's file:line:col" grep -qF "$wrong" "$err"
	check "$cmd prints nothing else" test ! -s "$out"
done
if command -v script >/dev/null 2>&1; then
	# the tutor, on a terminal (script gives it a pty); it refuses the
	# lesson before drawing anything
	timeout 10 script -qec "'$CONVGRAD' '$d/exercise-wrong.md'" /dev/null \
		>"$out" 2>&1
	rc=$?
	check "the tutor refuses a wrong hidden answer: exit 2 (got $rc)" test "$rc" = 2
	check "the tutor names the answer's file:line:col" grep -qF "$wrong" "$out"
else
	pass "# SKIP the tutor's refusal: no script(1)"
fi

# A malformed block, through every front end: exit 2 at its line.
printf '# T\n\n## S\n\n```exercise\nprompt: p\nhnt: h\n```\n' >"$tmp/bad.md"
for cmd in verify show; do
	rc=$(run $cmd "$tmp/bad.md")
	check "$cmd: a malformed exercise block exits 2 (got $rc)" test "$rc" = 2
	check "$cmd: ... at file:line:col" grep -qF "$tmp/bad.md:7:1: error: unknown field 'hnt' in the exercise block" "$err"
done

# verify: each answer judged at three shapes.
rc=$(LC_ALL=C.UTF-8 run verify "$d/exercise.md")
check "verify: answers that hold exit 0 (got $rc)" test "$rc" = 0
check "verify: the exercise's line" grep -q '^    ✓ exercise: Write d f / d bias\[c_out\] as a sum of df\.$' "$out"
check "verify: held at the three shapes" grep -qF 'the answer holds at 3 shapes (N=2 C_in=2 H_in=7 W_in=8 C_out=3 R=3 S=2 stride 2,3; N=1 C_in=2 H_in=8 W_in=10 C_out=1 R=3 S=2 stride 1,2; N=2 C_in=3 H_in=10 W_in=9 C_out=3 R=2 S=3 stride 3,1)' "$out"
check "verify: the summary counts them" grep -q '^1 claim: 1 holds, 0 errata refuted as expected, 0 failed; 2 exercises: 2 answers hold$' "$out"

rc=$(LC_ALL=C run verify --ascii "$d/exercise-fitted.md")
check "verify: an answer fitted to the default shape exits 1 (got $rc)" test "$rc" = 1
check "verify: ... refused at another stride" grep -q '^        the answer fails at N=2 C_in=1 H_in=8 W_in=10 C_out=2 R=3 S=2 stride 1,2: at b1=0 ' "$out"
check "verify: ... with the answer's file:line" grep -qF "at $d/exercise-fitted.md:15:" "$out"
check "verify: ... counted" grep -q '1 exercise: 0 answers hold, 1 fails$' "$out"
rc=$(run verify --quiet "$d/exercise.md")
check "verify --quiet: no exercise line when all hold" sh -c "! grep -q 'exercise:' '$out'"

rc=$(run verify --format tap "$d/exercise-fitted.md" "$d/exercise.md")
check "tap: exit 1 (got $rc)" test "$rc" = 1
check "tap: the fitted answer not ok" grep -q "^not ok 1 - $d/exercise-fitted.md:13: exercise: Which weight does input pixel (b, c_in, h_in, w_in) meet? # answer fails$" "$out"
check "tap: its counterexample" grep -q '^# fails at N=2 C_in=1 H_in=8 W_in=10 C_out=2 R=3 S=2 stride 1,2: at b1=0' "$out"
check "tap: the others ok" test "$(grep -c '^ok [0-9]* - .*: exercise: .* # answer holds at 3 shapes' "$out")" = 2
check "tap: the plan counts them" grep -q '^1\.\.4$' "$out"

if command -v python3 >/dev/null 2>&1; then
	rc=$(run verify --format json "$d/exercise-fitted.md" "$d/exercise.md")
	check "json: exit 1 (got $rc)" test "$rc" = 1
	check "json: the exercises' fields" python3 - "$out" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["ok"] is False
s = j["summary"]
assert (s["claims"], s["exercises"], s["answers_hold"]) == (1, 3, 2), s
fit = j["lessons"][0]["steps"][0]["exercises"][0]
assert (fit["line"], fit["answer_line"], fit["verdict"], fit["ok"]) == (13, 15, "fails", False), fit
assert len(fit["shapes"]) == 3 and fit["failed_shape"] == fit["shapes"][1], fit
assert fit["message"].startswith("fails at N=2 C_in=1 H_in=8"), fit
bias = j["lessons"][1]["steps"][0]
assert len(bias["claims"]) == 1 and len(bias["exercises"]) == 1
b = bias["exercises"][0]
assert b["ok"] is True and b["verdict"] == "holds" and b["failed_shape"] is None
assert b["hints"][1] == "Sum df over the batch b and every position h_out, w_out."
assert b["answer"].startswith("d f / d bias[c_out] = sum(b, h_out, w_out)")
PY
else
	pass "# SKIP json: no python3"
fi

# show: the prompt and the hints; the answer only with --answers.
rc=$(LC_ALL=C.UTF-8 run show "$d/exercise.md")
check "show: exit 0 (got $rc)" test "$rc" = 0
check "show: the prompt" grep -q '^  Exercise: Write d f / d bias\[c_out\] as a sum of df\.$' "$out"
check "show: the hints in order" sh -c "grep -o 'Hint [0-9]' '$out' | tr -d '\n' | grep -qx 'Hint 1Hint 2Hint 3Hint 1Hint 2'"
check "show: a continued hint is one" grep -q '^    Hint 2: Sum df over the batch b and every position h_out, w_out\.$' "$out"
check "show: no answer by default" sh -c "! grep -q 'Answer' '$out'"
check "show: the bias claim once (the step's own)" test "$(grep -c 'Σ' "$out")" = 1
rc=$(LC_ALL=C.UTF-8 run show --answers "$d/exercise.md")
check "show --answers: exit 0 (got $rc)" test "$rc" = 0
check "show --answers: the answers" test "$(grep -c '^    Answer:$' "$out")" = 2
check "show --answers: laid out as claims" grep -q '^        = weight\[c_out₁,c_in,h_in - strh · h_out₁' "$out"
rc=$(run show --format markdown "$d/exercise.md")
check "markdown: the prompt" grep -q '^\*\*Exercise\.\*\* Write d f / d bias\\\[c\\_out\\\] as a sum of df\.$' "$out"
check "markdown: each hint folded" test "$(grep -c '^<details><summary>Hint [0-9]</summary>$' "$out")" = 5
check "markdown: no answer by default" sh -c "! grep -q 'summary>Answer' '$out'"
rc=$(run show --format markdown --answers "$d/exercise.md")
check "markdown --answers: the answer as LaTeX" grep -q '^<details><summary>Answer</summary>$' "$out"
rc=$(run show --format latex --answers "$d/exercise.md")
check "latex: the prompt" grep -q '^\\paragraph{Exercise\.} Write d f / d bias\[c\\_out\] as a sum of df\.$' "$out"
check "latex: the hints" grep -q '^\\emph{Hint 3\.} ' "$out"
check "latex --answers: the answer" grep -q '^\\emph{Answer\.}$' "$out"
rc=$(run show --format latex "$d/exercise.md")
check "latex: no answer by default" sh -c "! grep -q 'Answer' '$out'"

done_testing
