#!/bin/bash
# cli-gradcheck.sh: `convgrad gradcheck` end to end, through the real binary:
# a passing run and its report in each format, a table of bad arguments
# (exit 2, the message names the option and the value), --dump's files,
# the cost guard and its --sample suggestion.
. "$top_srcdir/tests/tap.sh"

# quiet CMD...: run CMD with its report thrown away (TAP owns stdout).
quiet() { "$@" >/dev/null; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli-gradcheck.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# --- a passing run, text ---------------------------------------------------
"$CONVGRAD" gradcheck >"$tmp/out" 2>"$tmp/err"
check "default run exits 0" test $? -eq 0
check "text: every quantity of the element form PASSes" \
	test "$(grep -cE '^element +(d output/d (input|weight|bias)|dinput|dweight|dbias|forward NHWC = NCHW) .* PASS$' "$tmp/out")" -eq 7
check "text: the d output/d input row checks all 54*224 = 12096 entries" \
	grep -qE '^element +d output/d input +12096 ' "$tmp/out"
check "text: the matrix form is checked with the built-in GEMM" \
	grep -qE '^matrix/built-in +dweight .* PASS$' "$tmp/out"
check "text: the shape and H_out, W_out are stated" \
	grep -q 'N=2 C_in=2 H_in=7 W_in=8 C_out=3 R=3 S=2 strh=2 strw=3 -> H_out=3 W_out=3' "$tmp/out"
check "text: the cost is stated" grep -q '^cost: .*forward and .*backward evaluations' "$tmp/out"
check "text: tolerances are explained" grep -q 'no truncation error' "$tmp/out"
check "text: the summary says all passed" grep -qE '^[0-9]+ checks: all passed$' "$tmp/out"
check "text: nothing on stderr" test ! -s "$tmp/err"

# --- other shapes, forward differences, sampling ---------------------------
check "padding + dilation + stride passes" quiet "$CONVGRAD" gradcheck \
	--shape 1,2,6,7,2,3,2 --stride 2,1 --padding 1,2 --dilation 2,1 --seed 7
check "forward differences pass" quiet "$CONVGRAD" gradcheck --method forward --eps 1e-5
"$CONVGRAD" gradcheck --sample 100 >"$tmp/out"
check "--sample 100 exits 0" test $? -eq 0
check "--sample 100 checks 100 entries of d output/d input" \
	grep -qE '^element +d output/d input +100 ' "$tmp/out"
check "--sample states the chance of missing a bad entry" \
	grep -qE '^  d output/d input +100 of 12096: 0\.99173' "$tmp/out"

# --- --form, --budget ------------------------------------------------------
"$CONVGRAD" gradcheck --form element >"$tmp/out"
check "--form element exits 0" test $? -eq 0
check "--form element checks the element form only" \
	test "$(grep -cE '^(matrix|element) ' "$tmp/out")" -eq "$(grep -cE '^element ' "$tmp/out")"
"$CONVGRAD" gradcheck --form matrix --gemm builtin >"$tmp/out"
check "--form matrix checks no element Jacobian" sh -c '! grep -qE "^element +d output" "$1"' sh "$tmp/out"
check "--form matrix checks the matrix form" grep -qE '^matrix/built-in +d output/d input +12096 .*PASS$' "$tmp/out"
check "the report says what every entry means" grep -q '^Every entry: column groups' "$tmp/out"
check "the report gives the time against the estimate" grep -qE '^  matrix/built-in +[0-9.]+ s \(estimated' "$tmp/out"
"$CONVGRAD" gradcheck --form matrix --gemm builtin --budget 0.05 --shape 1,4,12,12,4,3,3 --stride 1 >"$tmp/out"
check "--budget 0.05 exits 0" test $? -eq 0
check "--budget reports the share of each quantity" grep -qE '^  matrix/built-in +d output/d input +[0-9.]+% \([0-9]+ of 230400\)' "$tmp/out"

# On a terminal (script gives one) a progress line goes to stderr; without
# one, nothing (checked above: "nothing on stderr").
if command -v script >/dev/null 2>&1; then
	script -qc "'$CONVGRAD' gradcheck --form matrix --gemm builtin --shape 1,4,12,12,4,3,3 --stride 1" /dev/null >"$tmp/tty" 2>&1
	check "on a terminal: a progress line with the passes and the estimate" \
		grep -aqE 'convgrad gradcheck: matrix/built-in: +[0-9]+% \([0-9]+ of [0-9]+ passes\), [0-9.]+ s' "$tmp/tty"
else
	pass "progress line on a terminal # SKIP script not found"
fi

# --- json ------------------------------------------------------------------
"$CONVGRAD" gradcheck --format json >"$tmp/json"
check "json run exits 0" test $? -eq 0
if command -v python3 >/dev/null 2>&1; then
	check "json parses as one object with pass true" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["pass"] is True and d["failed"] == 0, d
assert d["shape"]["H_out"] == 3 and d["shape"]["W_out"] == 3
assert all(c["checked"] == c["total"] and c["max_abs"] <= c["tol"] for c in d["checks"])
' "$tmp/json"
else
	pass "json parses # SKIP python3 not found"
fi

# --- tap -------------------------------------------------------------------
"$CONVGRAD" gradcheck --format tap >"$tmp/tap"
check "tap run exits 0" test $? -eq 0
n=$(sed -n '1s/^1\.\.\([0-9][0-9]*\)$/\1/p' "$tmp/tap")
check "tap: the plan comes first" test -n "$n"
check "tap: one ok per planned point" test "$(grep -c '^ok ' "$tmp/tap")" = "$n"
check "tap: no not ok" test "$(grep -c '^not ok' "$tmp/tap")" = 0

# --- help and version ------------------------------------------------------
"$CONVGRAD" gradcheck --help >"$tmp/help"
check "--help exits 0" test $? -eq 0
for opt in --shape --stride --padding --dilation --seed --eps --method \
	--sample --dump --format --gemm --max-cost --max-memory --form --budget --help --version; do
	check "--help lists $opt" grep -q -- "$opt" "$tmp/help"
done
check "--version prints the version" sh -c '"$1" gradcheck --version | grep -qE "^convgrad [0-9]+\.[0-9]+"' sh "$CONVGRAD"

# --- bad arguments: exit 2, the message names the option and the value ----
# Each line: the text the message must contain | the arguments.
while IFS='|' read -r want args; do
	[ -z "$want" ] && continue
	# shellcheck disable=SC2086  # the arguments are split on purpose
	"$CONVGRAD" gradcheck $args >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 2 ] && grep -qF -- "$want" "$tmp/err" && [ ! -s "$tmp/out" ]; then
		pass "gradcheck $args: exit 2, says '$want'"
	else
		fail "gradcheck $args: exit $rc, wanted 2 and '$want'"
		diag "$(cat "$tmp/err")"
	fi
done <<'TABLE'
--shape: expected seven integers N,C_in,H_in,W_in,C_out,R,S, got '1,2,3'|--shape 1,2,3
--shape: N must be at least 1, got 0|--shape 0,2,7,8,3,3,2
--shape: C_in must be at least 1, got -2|--shape 2,-2,7,8,3,3,2
--shape: expected seven integers|--shape 2,2,7,8,3,3,x
--stride: expected positive integers like 2,3, got '0,1'|--stride 0,1
--stride: expected an integer or two integers A,B, got '2,3,4'|--stride 2,3,4
--padding: expected non-negative integers like 1,1, got '-1'|--padding -1
--dilation: expected positive integers like 2,3, got '0'|--dilation 0
--dilation 5,5: dilated kernel|--dilation 5,5
is larger than the padded input|--shape 1,1,2,2,1,3,3
--method: expected central or forward, got 'backward'|--method backward
--eps: expected a step between 1e-12 and 1 like 1e-6, got 'abc'|--eps abc
--eps: expected a step between 1e-12 and 1 like 1e-6, got '0'|--eps 0
--eps: expected a step between 1e-12 and 1 like 1e-6, got '-1e-6'|--eps -1e-6
--sample: expected a positive integer like 1000, got '0'|--sample 0
--sample: expected a positive integer like 1000, got '-5'|--sample -5
--seed: expected a non-negative integer, got 'x'|--seed x
--format: expected text, json or tap, got 'xml'|--format xml
--gemm: expected both, blas or builtin, got 'fast'|--gemm fast
--max-cost: expected a non-negative number of multiply-adds like 1e10, got 'lots'|--max-cost lots
--form: expected element, matrix or all, got 'fast'|--form fast
--budget: expected a number of seconds like 30, got 'x'|--budget x
--budget: expected a number of seconds like 30, got '0'|--budget 0
--budget and --sample: give one of them|--budget 5 --sample 10
unknown option '--frobnicate'|--frobnicate
unknown option '-x'|-x
--shape: option requires an argument|--shape
unexpected argument 'extra'|extra
--dump /dev/null/x: /dev/null exists and is not a directory|--dump /dev/null/x
TABLE

# --- --dump ---------------------------------------------------------------
# Each file: a .npy v1.0 header naming '<f8' and the shape, then exactly
# 8 bytes per element.
"$CONVGRAD" gradcheck --dump "$tmp/dump/new" >/dev/null
check "--dump run exits 0 (and creates the directory and its parent)" test $? -eq 0
while IFS='|' read -r name shape count; do
	f="$tmp/dump/new/$name.npy"
	hlen=$(od -An -tu1 -j8 -N2 "$f" 2>/dev/null | awk '{ print $1 + 256 * $2 }')
	size=$(wc -c <"$f" 2>/dev/null)
	if [ -n "$hlen" ] && head -c $((10 + hlen)) "$f" | tr -d '\000' |
		grep -aqF "{'descr': '<f8', 'fortran_order': False, 'shape': $shape, }" &&
		[ "$size" -eq $((10 + hlen + 8 * count)) ]; then
		pass "--dump: $name.npy is float64 $shape"
	else
		fail "--dump: $name.npy is float64 $shape ($size bytes, header $hlen)"
	fi
done <<'FILES'
input|(2, 2, 7, 8)|224
weight|(3, 2, 3, 2)|36
bias|(3,)|3
df|(2, 3, 3, 3)|54
output|(2, 3, 3, 3)|54
dinput|(2, 2, 7, 8)|224
dweight|(3, 2, 3, 2)|36
dbias|(3,)|3
FILES
# An independent re-check in NumPy, when it is there (not a dependency):
# the dumped output and gradients against conv2d written with slices.
# (The first python3 on PATH may lack NumPy where the system one has it.)
numpy_py=
for py in python3 /usr/bin/python3; do
	if "$py" -c 'import numpy' >/dev/null 2>&1; then numpy_py=$py; break; fi
done
if [ -n "$numpy_py" ]; then
	check "--dump: NumPy recomputes output, dinput, dweight, dbias" "$numpy_py" -c '
import sys, numpy as np
d = sys.argv[1]
L = lambda n: np.load(d + "/" + n + ".npy")
x, w, b, df = L("input"), L("weight"), L("bias"), L("df")
sh, sw = 2, 3                      # the default stride; no padding
Ho, Wo = df.shape[2], df.shape[3]
out = np.zeros(df.shape) + b[None, :, None, None]
dx = np.zeros(x.shape); dw = np.zeros(w.shape)
for di in range(w.shape[2]):
    for dj in range(w.shape[3]):
        sl = (slice(None), slice(None), slice(di, di + sh * (Ho - 1) + 1, sh),
              slice(dj, dj + sw * (Wo - 1) + 1, sw))
        out += np.einsum("bchw,oc->bohw", x[sl], w[:, :, di, dj])
        dw[:, :, di, dj] = np.einsum("bohw,bchw->oc", df, x[sl])
        dx[sl] += np.einsum("bohw,oc->bchw", df, w[:, :, di, dj])
# sums of at most 12 (forward) or 18 (gradients) terms of size <= 1:
# rounding stays below 1e-13, far under 1e-12
for name, want in (("output", out), ("dinput", dx), ("dweight", dw),
                   ("dbias", df.sum(axis=(0, 2, 3)))):
    err = np.abs(L(name) - want).max()
    assert np.isfinite(err) and err < 1e-12, (name, err)
' "$tmp/dump/new"
else
	pass "--dump: NumPy re-check # SKIP python3 with numpy not found"
fi
: >"$tmp/file"
"$CONVGRAD" gradcheck --dump "$tmp/file/deeper" >/dev/null 2>"$tmp/err"
check "--dump under a regular file: exit 2" test $? -eq 2
check "--dump under a regular file: the message names the path" \
	grep -qF -- "--dump $tmp/file/deeper: $tmp/file exists and is not a directory" "$tmp/err"
"$CONVGRAD" gradcheck --dump /proc/convgrad-none/y >/dev/null 2>"$tmp/err"
check "--dump where a parent cannot be made: exit 2" test $? -eq 2
check "--dump where a parent cannot be made: the message names that parent" \
	grep -qF "cannot create the directory /proc/convgrad-none: " "$tmp/err"
"$CONVGRAD" gradcheck --dump "$tmp/file" >/dev/null 2>"$tmp/err"
check "--dump to a regular file: exit 2" test $? -eq 2
check "--dump to a regular file: the path said once" \
	test "$(cat "$tmp/err")" = "convgrad gradcheck: --dump $tmp/file: exists and is not a directory"

# A dump that fails part way (the file size limit standing in for a full
# disk; SIGXFSZ ignored so the write fails with EFBIG) keeps the files of
# the earlier dump whole and leaves no temporary file.
"$CONVGRAD" gradcheck --dump "$tmp/again" >/dev/null 2>&1
cp -r "$tmp/again" "$tmp/again.before"
(trap '' XFSZ; ulimit -f 1; exec "$CONVGRAD" gradcheck --seed 7 --shape 2,4,20,20,4,3,3 --dump "$tmp/again") >/dev/null 2>"$tmp/err"
check "--dump past the file size limit: exit 2" test $? -eq 2
check "--dump past the file size limit: the message names the file" \
	grep -qF "$tmp/again/" "$tmp/err"
check "--dump past the file size limit: the earlier files are whole" \
	diff -r "$tmp/again.before" "$tmp/again"
check "--dump past the file size limit: no temporary file is left" \
	test -z "$(ls "$tmp/again" | grep tmp)"

# --- the cost guard --------------------------------------------------------
# The compressed engine checks the issue's layer (2,8,16,16,8,3,3, stride 1)
# in about 5e8 multiply-adds, under the default limit; a lower one refuses.
"$CONVGRAD" gradcheck --shape 2,8,16,16,8,3,3 --stride 1 --max-cost 1e8 >"$tmp/out" 2>"$tmp/err"
check "a full check over --max-cost is refused with exit 2" test $? -eq 2
check "the refusal states the cost" grep -q 'multiply-adds' "$tmp/err"
check "the refusal suggests --budget" grep -q -- '--budget SECONDS' "$tmp/err"
check "the refusal suggests --sample K and the chance of a miss" \
	grep -qE -- '--sample [0-9]+ costs .* probability 1 - K/total' "$tmp/err"
# Follow the suggestion under a lower limit, so the test stays fast.
"$CONVGRAD" gradcheck --shape 2,4,12,12,4,3,3 --gemm builtin --max-cost 1.5e6 2>"$tmp/err" >/dev/null
check "--max-cost 1.5e6 refuses a 2,4,12,12,4,3,3 full check (1.9e6)" test $? -eq 2
k=$(sed -n 's/.*--sample \([0-9][0-9]*\) costs.*/\1/p' "$tmp/err")
check "the suggested K is a number" test -n "$k"
check "--sample $k runs under that limit and passes" \
	quiet "$CONVGRAD" gradcheck --shape 2,4,12,12,4,3,3 --gemm builtin --max-cost 1.5e6 --sample "${k:-1}"
"$CONVGRAD" gradcheck --max-cost 1e3 >/dev/null 2>"$tmp/err"
check "--max-cost 1e3 refuses even the default shape" test $? -eq 2
check "a --max-cost refusal names --max-cost, not --max-memory" \
	eval 'grep -qF "over the limit of 1e+03 multiply-adds (--max-cost)" "$tmp/err" && ! grep -q -- --max-memory "$tmp/err"'
"$CONVGRAD" gradcheck --shape 1,64,56,56,64,3,3 --padding 1,1 --max-memory 1 >/dev/null 2>"$tmp/err"
check "--max-memory 1 refuses the ResNet layer (10.6 MiB held)" test $? -eq 2
check "a --max-memory refusal names --max-memory, not --max-cost" \
	eval 'grep -qF "over the limit of 1.0 MiB held (--max-memory)" "$tmp/err" && ! grep -q -- --max-cost "$tmp/err"'
check "--max-cost 0 lifts the limit" quiet "$CONVGRAD" gradcheck --max-cost 0 --shape 2,4,12,12,4,3,3 --gemm builtin

done_testing
