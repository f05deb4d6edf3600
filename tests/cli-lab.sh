#!/bin/bash
# cli-lab.sh: `convgrad lab step-size` end to end: the text report (both
# charts, the minima beside eps^(1/3) and eps^(1/2), the table of every
# step), the JSON (parsed), relu's kink, and bad arguments refused with
# exit 2 and a message naming the option.
. "$top_srcdir/tests/tap.sh"
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
run() { "$CONVGRAD" lab "$@" >"$out" 2>"$err"; echo $?; }

rc=$(run step-size)
check "step-size exits 0 (got $rc)" test "$rc" = 0
check "nothing on standard error" test ! -s "$err"
check "it says what is differentiated" grep -q \
	'^Step-size lab: f = sum of tanh(output) over the 54 outputs,$' "$out"
check "a float64 chart and a float32 chart" \
	test "$(grep -c '^float[0-9]* (eps = .*): relative error against h' "$out")" = 2
check "17 rows of error decades in each" test "$(grep -c '^ 1e[-+][0-9][0-9] |' "$out")" = 34
check "the h axis" grep -q '^   h    1e-1' "$out"
check "eps^(1/3) and eps^(1/2) are marked" \
	sh -c "grep -q '\^ eps^(1/3) = 6.1e-06' '$out' && grep -q '\^ eps^(1/2) = 1.5e-08' '$out'"
check "the minima are stated" grep -Eq '^  central: smallest error [0-9.e+-]+ at h = [0-9.e+-]+$' "$out"
check "... beside eps^(1/3) and the model's optimum" grep -Eq '^    \(eps\^\(1/3\) = 6.1e-06; the model.s optimum [0-9.e+-]+\)$' "$out"
check "every line fits 78 columns" sh -c "! awk 'length(\$0) > 78' '$out' | grep -q ."
check "differentiated by the entry" grep -q '^differentiated by input\[' "$out"
check "the table has all 45 steps" test "$(grep -Ec '^  +[0-9.e+-]+  +[0-9.]+e[-+][0-9]+  ' "$out")" = 45

rc=$(run step-size --g relu --format json --seed 5 --points 2)
check "json exits 0 (got $rc)" test "$rc" = 0
if command -v python3 >/dev/null; then
	check "json: parses, 23 steps from 1e-1 to 1e-12, the kink named" python3 -c '
import json, math, sys
d = json.load(open(sys.argv[1]))
assert d["lab"] == "step-size" and d["g"] == "relu", d
p = d["points"]
assert len(p) == 23, len(p)
assert abs(p[0]["h"] - 1e-1) < 1e-15 and abs(p[-1]["h"] - 1e-12) < 1e-24
assert d["kink"] is not None and len(d["kink"]) == 4
# at the kink no step works: every central error stays above 1e-3
assert all(q["float64"]["central"]["error"] > 1e-3 for q in p), p
' "$out"
fi

rc=$(run step-size --g linear --wrt weight --shape 1,2,5,5,2,2,2 --stride 1,1)
check "--g linear --wrt weight exits 0 (got $rc)" test "$rc" = 0
check "linear: no truncation error is said" grep -q 'no truncation error' "$out"
check "linear: f is the sum of the outputs" grep -q '^Step-size lab: f = sum of output over the 32 outputs,$' "$out"
check "linear: differentiated by the weight" grep -q '^differentiated by weight\[' "$out"

bad() {  # bad DESCRIPTION EXPECTED-MESSAGE ARGS...
	local d=$1 want=$2; shift 2
	rc=$(run "$@")
	check "$d: exit 2 (got $rc)" test "$rc" = 2
	check "$d: the message" grep -qF -- "$want" "$err"
	check "$d: nothing on standard output" test ! -s "$out"
}
bad "no lab" "convgrad lab: which lab? (step-size)"
bad "unknown lab" "convgrad lab: unknown lab 'size-step' (the labs: step-size)" size-step
bad "two labs" "unexpected argument 'again'" step-size again
bad "--g" "--g: expected linear, tanh, square, exp or relu, got 'sigmoid'" step-size --g sigmoid
bad "--wrt" "--wrt: expected input, weight or bias, got 'df'" step-size --wrt df
bad "--points 0" "--points: expected an integer from 1 to 10, got '0'" step-size --points 0
bad "--points x" "--points: expected an integer from 1 to 10, got 'x'" step-size --points x
bad "--entry out of range" "--entry: input has 224 entries (0 .. 223), not 224" step-size --entry 224
bad "--entry negative" "--entry: expected an entry's flat index, a whole number from 0, got '-1'" step-size --entry -1
bad "--format" "--format: expected text or json, got 'xml'" step-size --format xml
bad "--seed" "--seed: expected a non-negative integer, got 'x'" step-size --seed x
bad "--shape" "--shape" step-size --shape 1,2,3
bad "a shape too big" "multiply-adds per forward pass" step-size --shape 8,16,64,64,16,3,3 --stride 1,1
bad "an unknown option" "unknown option" step-size --eps 1e-6
rc=$(run --help)
check "--help exits 0" test "$rc" = 0
for o in --g --wrt --entry --points --shape --stride --seed --format; do
	check "--help names $o" grep -q -- "$o" "$out"
done
rc=$("$CONVGRAD" --help >"$out" 2>"$err"; echo $?)
check "convgrad --help lists lab" grep -q '^  lab ' "$out"
done_testing
