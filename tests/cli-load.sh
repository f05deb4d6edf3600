#!/bin/bash
# cli-load.sh: `convgrad gradcheck --load DIR` end to end: --dump writes
# conv.json exactly as the issue gives it and --load reads the DIR back
# (pass, exit 0); a planted mistake fails with its diagnosis (exit 1) in
# text, json and tap; malformed DIRs exit 2 with their message; the NumPy
# example (when NumPy is there) passes in float64 and float32 and each
# bug it can plant is named; the PyTorch example when PyTorch is there.
. "$top_srcdir/tests/tap.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli-load.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
gc() { "$CONVGRAD" gradcheck "$@"; }

# --- --dump, then --load ---------------------------------------------------
gc --dump "$tmp/d" >/dev/null
check "--dump writes conv.json exactly" test "$(cat "$tmp/d/conv.json")" = \
	'{"stride":[2,3],"padding":[0,0],"dilation":[1,1],"groups":1,"layout":"nchw"}'
gc --load "$tmp/d" >"$tmp/out" 2>"$tmp/err"
check "--load of a dump exits 0" test $? -eq 0
check "the report names the truth" grep -q "^truth: convgrad's float64 element reference" "$tmp/out"
check "four quantities pass" test "$(grep -c '^PASS ' "$tmp/out")" -eq 4
check "stride came from conv.json" grep -q 'strh=2 strw=3 (layout nchw; stride, padding, dilation from conv.json)' "$tmp/out"
gc --load "$tmp/d" --stride 1 >"$tmp/out" 2>"$tmp/err"
check "--stride over conv.json: df no longer fits, exit 2" test $? -eq 2
check "... the message names df, input and weight and both shapes" grep -qF \
	"$tmp/d/df.npy has shape (2, 3, 3, 3), but $tmp/d/input.npy (2, 2, 7, 8) and $tmp/d/weight.npy (3, 2, 3, 2) with stride 1,1" "$tmp/err"
check "--numeric adds the finite-difference checks" sh -c \
	"'$CONVGRAD' gradcheck --load '$tmp/d' --numeric | grep -q '^PASS dweight vs finite differences'"

# --- groups: --dump writes them, --load reads them, --groups overrides ----
gc --shape 2,4,7,8,6,3,2 --groups 2 --dump "$tmp/g" >/dev/null
check "--dump of a grouped layer: groups 2 in conv.json" grep -q '"groups":2' "$tmp/g/conv.json"
check "--load of a grouped layer passes" sh -c "'$CONVGRAD' gradcheck --load '$tmp/g' >/dev/null"
gc --load "$tmp/g" --groups 1 >/dev/null 2>"$tmp/err"
check "--groups 1 over it: exit 2, weight and input named with their shapes" sh -c \
	"test $? -eq 2 && grep -qF '$tmp/g/weight.npy has shape (6, 2, 3, 2): C_in/groups = 2, but $tmp/g/input.npy has shape (2, 4, 7, 8): C_in = 4, with groups = 1' '$tmp/err'"

# --- a planted mistake: dweight divided by N -------------------------------
if python3 -c 'import numpy' 2>/dev/null; then PY=python3
elif /usr/bin/python3 -c 'import numpy' 2>/dev/null; then PY=/usr/bin/python3
else PY=""; fi

if [ -n "$PY" ]; then
	cp -r "$tmp/d" "$tmp/m"
	$PY -c 'import numpy as np, sys; d = sys.argv[1]
np.save(d + "/dweight.npy", np.load(d + "/dweight.npy") / 2)' "$tmp/m"
	gc --load "$tmp/m" >"$tmp/out"
	check "a planted mistake exits 1" test $? -eq 1
	check "... named: dweight-mean" grep -q '^  diagnosis: dweight-mean: ' "$tmp/out"
	check "... with its lesson step" grep -q 'the right formula: lessons/13-bug-zoo.md, "dweight-mean: ' "$tmp/out"
	gc --load "$tmp/m" --format json >"$tmp/json"
	check "json exits 1" test $? -eq 1
	check "json: exactly the issue's fields, diagnosis dweight-mean" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
q = {x["name"]: x for x in d["quantities"]}
keys = {"name", "checked", "wrong", "max_abs", "max_rel", "tol", "result", "first", "worst", "diagnosis"}
assert all(set(x) == keys for x in d["quantities"]), d
w = q["dweight"]
assert w["result"] == "fail" and w["diagnosis"] == "dweight-mean" and w["wrong"] == 36, w
assert set(w["first"]) == {"index", "got", "want"} and len(w["worst"]["index"]) == 4
assert q["dinput"]["result"] == "pass" and q["dinput"]["diagnosis"] is None
' "$tmp/json"
	gc --load "$tmp/m" --format tap >"$tmp/tap"
	check "tap: plan and one not ok" sh -c "head -1 '$tmp/tap' | grep -qx '1..4' && test \$(grep -c '^not ok' '$tmp/tap') -eq 1"
	check "tap: the diagnosis as a comment" grep -q '^# diagnosis: dweight-mean' "$tmp/tap"

	# --- the NumPy example ------------------------------------------------
	ex="$top_srcdir/examples/numpy/conv2d.py"
	for dt in float64 float32; do
		$PY "$ex" "$tmp/np-$dt" --dtype $dt --stride 2,1 --padding 1,2 --dilation 2,1
		check "numpy example, $dt, strided, padded, dilated: passes" sh -c \
			"'$CONVGRAD' gradcheck --load '$tmp/np-$dt' --numeric >/dev/null"
	done
	check "numpy float32: the tolerance says float32" sh -c \
		"'$CONVGRAD' gradcheck --load '$tmp/np-float32' | grep -q 'u = 2^-24 for a float32 result'"
	for bug in bias-batch-only dweight-mean window-short kernel-flipped; do
		$PY "$ex" "$tmp/np-$bug" --dtype float32 --padding 1 --bug $bug
		gc --load "$tmp/np-$bug" >"$tmp/out"
		check "numpy example with $bug: exit 1, named" sh -c \
			"test $? -eq 1 && grep -q '^  diagnosis: $bug: ' '$tmp/out'"
	done
	# float32 off by 1e-3 at one entry
	$PY -c 'import numpy as np, sys; d = sys.argv[1]
a = np.load(d + "/dinput.npy"); a[1, 0, 2, 3] += np.float32(1e-3); np.save(d + "/dinput.npy", a)' "$tmp/np-float32"
	gc --load "$tmp/np-float32" >"$tmp/out"
	check "float32 dinput off by 1e-3 at one entry fails" sh -c \
		"test $? -eq 1 && grep -q '^FAIL dinput .*: 224 checked, 1 wrong' '$tmp/out'"
	check "... at that entry, every index named" grep -q \
		'first wrong entry (b=1, c_in=0, h_in=2, w_in=3)' "$tmp/out"
	# nhwc: TensorFlow's layout
	$PY -c 'import numpy as np, sys; s, d = sys.argv[1], sys.argv[2]
import os; os.makedirs(d)
for n in ["input", "df", "output", "dinput"]:
    np.save(d + "/" + n + ".npy", np.load(s + "/" + n + ".npy").transpose(0, 2, 3, 1).copy())
for n in ["weight", "dweight"]:
    np.save(d + "/" + n + ".npy", np.load(s + "/" + n + ".npy").transpose(2, 3, 1, 0).copy())
for n in ["bias", "dbias"]:
    np.save(d + "/" + n + ".npy", np.load(s + "/" + n + ".npy"))' "$tmp/np-float64" "$tmp/nhwc"
	check "nhwc files pass with --layout nhwc --stride 2,1 --padding 1,2 --dilation 2,1" \
		sh -c "'$CONVGRAD' gradcheck --load '$tmp/nhwc' --layout nhwc --stride 2,1 --padding 1,2 --dilation 2,1 >/dev/null"
	# an int64 array; a Fortran-order float32 array is read
	$PY -c 'import numpy as np, sys; d = sys.argv[1]
np.save(d + "/df.npy", np.load(d + "/df.npy").astype(np.int64))' "$tmp/m"
	gc --load "$tmp/m" 2>"$tmp/err" >/dev/null
	check "int64 df: exit 2" test $? -eq 2
	check "... the message names the file and the dtype" grep -qF \
		"$tmp/m/df.npy: dtype '<i8' (int64) is not supported" "$tmp/err"
	$PY -c 'import numpy as np, sys; d = sys.argv[1]
np.save(d + "/dinput.npy", np.asfortranarray(np.load(d + "/dinput.npy")))' "$tmp/np-float64"
	check "a Fortran-order result is read (and passes)" sh -c \
		"'$CONVGRAD' gradcheck --load '$tmp/np-float64' >/dev/null"
	# --numeric on a large layer is refused before it starts
	$PY -c 'import numpy as np, sys, os; d = sys.argv[1]; os.makedirs(d)
np.save(d + "/input.npy", np.zeros((4, 32, 40, 40))); np.save(d + "/weight.npy", np.zeros((32, 32, 3, 3)))
np.save(d + "/df.npy", np.zeros((4, 32, 38, 38))); np.save(d + "/dbias.npy", np.zeros(32))' "$tmp/big"
	gc --load "$tmp/big" --numeric >/dev/null 2>"$tmp/err"
	check "--numeric over its limit: exit 2, with the cost" sh -c \
		"test $? -eq 2 && grep -q -- '--numeric: finite differences of this layer take about' '$tmp/err'"
	check "... and the same DIR without --numeric passes" sh -c "'$CONVGRAD' gradcheck --load '$tmp/big' >/dev/null"
else
	pass "numpy checks # SKIP NumPy not found"
fi

# --- the PyTorch example ---------------------------------------------------
if [ -n "$PY" ] && $PY -c 'import torch' 2>/dev/null; then
	$PY "$top_srcdir/examples/pytorch/dump_conv2d.py" "$tmp/torch"
	check "PyTorch's own float32 conv2d passes" sh -c \
		"'$CONVGRAD' gradcheck --load '$tmp/torch' >/dev/null"
else
	pass "PyTorch example # SKIP PyTorch not found"
fi

# --- malformed DIRs --------------------------------------------------------
bad() {  # bad DESCRIPTION EXPECTED-MESSAGE ARGS...
	local d=$1 m=$2; shift 2
	gc "$@" >/dev/null 2>"$tmp/err"
	local rc=$?
	if [ $rc -eq 2 ] && grep -qF -- "$m" "$tmp/err"; then pass "$d"
	else fail "$d"; diag "exit $rc" "$(cat "$tmp/err")"; fi
}
cp -r "$tmp/d" "$tmp/x1"; rm "$tmp/x1/df.npy"
bad "missing df.npy" "$tmp/x1/df.npy: missing: --load needs" --load "$tmp/x1"
cp -r "$tmp/d" "$tmp/x2"; : >"$tmp/x2/dbias.npy"
bad "0-byte dbias.npy" "$tmp/x2/dbias.npy: the file is empty (0 bytes)" --load "$tmp/x2"
cp -r "$tmp/d" "$tmp/x3"; echo "not numpy" >"$tmp/x3/weight.npy"
bad "unreadable weight.npy" "$tmp/x3/weight.npy: not a .npy file" --load "$tmp/x3"
cp -r "$tmp/d" "$tmp/x4"; cp "$tmp/d/dbias.npy" "$tmp/x4/dweight.npy"
bad "dweight a vector" "$tmp/x4/dweight.npy: shape (3,) has 1 dimension; dweight must be 4-D (C_out, C_in/groups, R, S)" --load "$tmp/x4"
cp "$tmp/d/df.npy" "$tmp/x4/dweight.npy"
bad "dweight of the wrong shape" "$tmp/x4/dweight.npy has shape (2, 3, 3, 3), but $tmp/x4/weight.npy has shape (3, 2, 3, 2): dweight has the weight's shape" --load "$tmp/x4"
bad "no such DIR" "$tmp/none/input.npy: missing" --load "$tmp/none"
cp -r "$tmp/d" "$tmp/x5"; printf '{"stride":[2,3],"dilation":[1]}' >"$tmp/x5/conv.json"
bad "conv.json with a bad pair" "$tmp/x5/conv.json:1:30: expected ',' between the pair's numbers" --load "$tmp/x5"
bad "--layout xyz" "--layout: expected nchw or nhwc, got 'xyz'" --load "$tmp/d" --layout xyz
bad "--numeric without --load" "--numeric: only with --load" --numeric
bad "--shape with --load" "--shape: with --load the sizes come from the arrays" --load "$tmp/d" --shape 1,1,5,5,1,1,1

done_testing
