#!/bin/bash
# cli-plugin.sh: `convgrad gradcheck --plugin` end to end. The example
# plugin (examples/plugin/conv.c) is built and passes the default sweep;
# every zoo mistake, planted into a copy of it (sed on its marked lines),
# fails and is named; plugins that crash, hang, return an error, write
# outside a buffer or into an input, exit, leave an output unwritten, or
# lack a symbol are reported as such (a short --timeout, so no test
# waits long; only the hanging plugin gets it, so a loaded machine does
# not stop a healthy call).
. "$top_srcdir/tests/tap.sh"

: "${CC:=cc}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli-plugin.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
build() {  # build OUT.so SOURCE [FLAGS...]
	local out=$1 src=$2; shift 2
	$CC -std=c11 -shared -fPIC -O1 -I"$top_srcdir/include" "$@" -o "$out" "$src"
}
if ! build "$tmp/libconv.so" "$top_srcdir/examples/plugin/conv.c" -Wall -Wextra -Werror; then
	echo "1..1"; echo "not ok 1 - the example plugin builds"; exit 0
fi
pass "the example plugin builds with -Wall -Wextra -Werror"

# --- the example plugin: the default sweep passes ---------------------------
"$CONVGRAD" gradcheck --plugin "$tmp/libconv.so" >"$tmp/out" 2>"$tmp/err"
check "example plugin: the default sweep exits 0" test $? -eq 0
check "... five shapes' Jacobians, each against its own forward" test \
	"$(grep -c '^PASS d output/d input' "$tmp/out")" -eq 5
check "... the sweep has strides 3 and padding, dilation, groups" grep -q \
	'strh=3 strw=2 pad_h=2 pad_w=1 dil_h=2 dil_w=2' "$tmp/out"
check "... groups in the sweep" grep -q 'groups=2' "$tmp/out"
check "... float32 entry points checked with float32 bounds" grep -q \
	'^PASS dweight (float32, ' "$tmp/out"
check "... the truth is stated" grep -q \
	"^truth: the plugin's backward against finite differences of the plugin's own forward" "$tmp/out"
check "... nothing on stderr" test ! -s "$tmp/err"
check "... no smallest failing shape (nothing fails)" sh -c "! grep -q '^smallest' '$tmp/out'"
"$CONVGRAD" gradcheck --plugin "$tmp/libconv.so" --shape 1,2,5,5,2,3,3 --format json >"$tmp/json"
check "--shape and --format json: exit 0" test $? -eq 0
if python3 -c 1 2>/dev/null; then
	check "json: the issue's fields, all pass" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
keys = {"name", "checked", "wrong", "max_abs", "max_rel", "tol", "result", "first", "worst", "diagnosis"}
assert d["result"] == "pass" and d["faults"] == [], d
assert all(set(q) == keys and q["result"] == "pass" for q in d["quantities"])
' "$tmp/json"
fi

# --- every zoo mistake planted into the example ------------------------------
shape="--shape 2,2,5,5,2,2,2 --stride 2,1 --padding 1,1 --dilation 1,2 --sample 20"
plant() {  # plant ID SED-SCRIPT
	local id=$1 script=$2
	sed "$script" "$top_srcdir/examples/plugin/conv.c" >"$tmp/$id.c"
	if cmp -s "$tmp/$id.c" "$top_srcdir/examples/plugin/conv.c"; then
		fail "$id: the plant changed the example"; return
	fi
	if ! build "$tmp/lib$id.so" "$tmp/$id.c" -w; then
		fail "$id: the planted plugin builds"; return
	fi
	"$CONVGRAD" gradcheck --plugin "$tmp/lib$id.so" $shape >"$tmp/out" 2>&1
	local rc=$?
	if [ $rc -eq 1 ] && grep -q "^  diagnosis: $id: " "$tmp/out"; then
		pass "$id planted into the example plugin: found and named"
	else
		fail "$id planted into the example plugin: found and named"
		diag "exit $rc" "$(grep -E '^(FAIL|  diagnosis)' "$tmp/out" | head -8)"
	fi
}
plant forward-no-bias 's/double acc = bias != NULL ? bias\[co\] : 0.0;/double acc = 0.0;/'
plant window-short '/dinput: rows/s/di < k->R;/di < k->R - 1;/'
plant stride-ignored '/dinput: h_in/s/k->strh \* ho/ho/; /dinput: w_in/s/k->strw \* wo/wo/'
plant padding-ignored '/dinput: h_in/s/ - k->pad_h;/;/; /dinput: w_in/s/ - k->pad_w;/;/'
plant dilation-ignored '/dinput: h_in/s/k->dil_h \* di/di/; /dinput: w_in/s/k->dil_w \* dj/dj/'
plant taps-swapped '/dinput: tap/s/WT(co, ci, di, dj)/WT(co, ci, dj, di)/'
plant channels-swapped '/dinput: tap/s/WT(co, ci, di, dj)/WT(ci, co, di, dj)/'
plant kernel-flipped '/dinput: tap/s/WT(co, ci, di, dj)/WT(co, ci, k->R - 1 - di, k->S - 1 - dj)/'
plant dweight-first-image '/dweight: images/s/b < k->N/b < 1/'
plant dweight-mean '/dweight: store/s|= acc;|= acc / k->N;|'
plant bias-batch-only '/dbias: rows/s/ho < k->H_out/ho < 1/; /dbias: columns/s/wo < k->W_out/wo < 1/'
plant bias-mean '/dbias: store/s|= acc;|= acc / (k->N * k->H_out * k->W_out);|'
plant not-finite '/dinput: zeroed/d'

# --- the smallest shape still wrong ------------------------------------------
# no_larger SMALLEST FIRST: every size of SMALLEST ("N=1 C_in=1 ... stride
# 1[,2]") at most FIRST's ("N=2 C_in=2 ... strh=2 strw=3 ...")
no_larger() {
	local k a b sh sw
	for k in N C_in H_in W_in C_out R S; do
		a=$(sed -n "s/.*\<$k=\([0-9]*\).*/\1/p" <<<"$1")
		b=$(sed -n "s/.*\<$k=\([0-9]*\).*/\1/p" <<<"$2")
		[ -n "$a" ] && [ -n "$b" ] && [ "$a" -le "$b" ] || return 1
	done
	sh=$(sed -n 's/.* stride \([0-9]*\).*/\1/p' <<<"$1")
	sw=$(sed -n 's/.* stride [0-9]*,\([0-9]*\).*/\1/p' <<<"$1")
	[ "$sh" -le "$(sed -n 's/.*strh=\([0-9]*\).*/\1/p' <<<"$2")" ] &&
	[ "${sw:-$sh}" -le "$(sed -n 's/.*strw=\([0-9]*\).*/\1/p' <<<"$2")" ]
}
smallest() {  # smallest LIB DESCRIPTION WANT-N: the default sweep's report
	"$CONVGRAD" gradcheck --plugin "$1" >"$tmp/out" 2>&1
	local rc=$? s f
	s=$(sed -n 's/^smallest: fails already at //p' "$tmp/out")
	f=$(grep -m1 '^FAIL [^(]*(float64, ' "$tmp/out")
	if [ $rc -eq 1 ] && [ -n "$s" ] && no_larger "$s" "$f" &&
	    [[ "$s" == "N=$3 "* ]]; then
		pass "$2"
	else
		fail "$2"; diag "exit $rc" "smallest: $s" "first: $f"
	fi
}
smallest "$tmp/libwindow-short.so" \
	"window-short: smallest failing shape, no larger than the sweep's first, N=1" 1
smallest "$tmp/libdweight-first-image.so" \
	"dweight-first-image: the smallest failing shape keeps N=2" 2
"$CONVGRAD" gradcheck --plugin "$tmp/libdweight-first-image.so" --format json >"$tmp/json" 2>/dev/null
if python3 -c 1 2>/dev/null; then
	check "json: the smallest failing shape, the quantities' fields unchanged" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
keys = {"name", "checked", "wrong", "max_abs", "max_rel", "tol", "result", "first", "worst", "diagnosis"}
assert d["result"] == "fail" and d["smallest"].startswith("N=2 C_in=1 "), d["smallest"]
assert all(set(q) == keys for q in d["quantities"])
' "$tmp/json"
fi
if build "$tmp/libf11.so" "$top_srcdir/tests/plugins/faulty.c" -w -DFAULT=11; then
	smallest "$tmp/libf11.so" \
		"a plugin that crashes at N=1: those shapes skipped, smallest at N=2" 2
else
	fail "faulty 11 builds"
fi

# --- a float32 forward that reads outside the window --------------------------
# The float32 differences move many entries in one pair of forwards and give
# each output's change to the one entry whose window holds it; an output that
# moves with no such entry (here output 0, moved by the last pixel) makes
# that group be redone entry by entry, so the last pixel's dinput is wrong
# against this forward, and only it.
if build "$tmp/libf12.so" "$top_srcdir/tests/plugins/faulty.c" -w -DFAULT=12; then
	"$CONVGRAD" gradcheck --plugin "$tmp/libf12.so" --shape 1,1,4,4,1,2,2 \
		--stride 1 >"$tmp/out" 2>&1
	rc=$?
	check "a nonlocal float32 forward: exit 1 (got $rc)" test "$rc" = 1
	check "... its output fails against the reference" \
		grep -q '^FAIL output (float32' "$tmp/out"
	check "... the one pixel outside the window is wrong against it" \
		grep -q '^FAIL dinput vs its float32 forward .*: 16 checked, 1 wrong' "$tmp/out"
	check "... and it is the one blamed (3,3), not its group's (1,1)" \
		grep -qF 'first wrong entry (b=0, c_in=0, h_in=3, w_in=3)' "$tmp/out"
	check "... the float64 entry points pass" \
		bash -c '! grep -q "^FAIL .*float64" "$1"' _ "$tmp/out"
else
	fail "faulty 12 builds"
fi

# --- crops: a screen, never the blame ------------------------------------------
# The engine reads d output/d weight's rows from the plugin's backward on
# crops of the layer, and d output/d bias's on the layer with 2 input
# channels per group. A plugin that fails at those shapes (13) or answers
# otherwise there (14) is checked on the layer instead and passes (the
# stderr line shows the crops were tried); a dweight wrong everywhere (15)
# is caught on the crops and named from the layer's own rows: the last
# weight entry (c_out=1, c_in=3, di=2, dj=2) in each of channel 1's 16
# outputs, the first at output (0, 1, 0, 0).
crop_shape="--shape 1,4,6,6,2,3,3 --stride 1"
for n in 13 14; do
	if build "$tmp/libf$n.so" "$top_srcdir/tests/plugins/faulty.c" -w -DFAULT=$n; then
		"$CONVGRAD" gradcheck --plugin "$tmp/libf$n.so" $crop_shape >"$tmp/out" 2>"$tmp/err"
		rc=$?
		check "faulty $n, right at the layer only: exit 0 (got $rc)" test "$rc" = 0
		check "... the crops were tried" grep -q "^faulty $n: not my shape" "$tmp/err"
		check "... every engine item passes" test \
			"$(grep -c '^PASS d[ a-z/]* (N=' "$tmp/out")" -eq 6
	else
		fail "faulty $n builds"
	fi
done
if build "$tmp/libf15.so" "$top_srcdir/tests/plugins/faulty.c" -w -DFAULT=15; then
	"$CONVGRAD" gradcheck --plugin "$tmp/libf15.so" $crop_shape >"$tmp/out" 2>&1
	rc=$?
	check "a wrong dweight: exit 1 (got $rc)" test "$rc" = 1
	check "... d output/d weight: 16 wrong, one per output of channel 1" \
		grep -q '^FAIL d output/d weight .*: 2304 checked, 16 wrong' "$tmp/out"
	check "... the first named on the layer" grep -qF \
		'first wrong entry (b=0, c_out=1, h_out=0, w_out=0, c_out=1, c_in=3, di=2, dj=2)' "$tmp/out"
	check "... d output/d input and d output/d bias pass" sh -c \
		"grep -q '^PASS d output/d input' '$tmp/out' && grep -q '^PASS d output/d bias' '$tmp/out'"
else
	fail "faulty 15 builds"
fi

# --- plugins that fail ---------------------------------------------------------
fault() {  # fault N DESCRIPTION EXIT MESSAGE [OPTIONS...]
	local n=$1 d=$2 want=$3 m=$4; shift 4
	if ! build "$tmp/libf$n.so" "$top_srcdir/tests/plugins/faulty.c" -w -DFAULT=$n; then
		fail "$d: builds"; return
	fi
	"$CONVGRAD" gradcheck --plugin "$tmp/libf$n.so" "$@" \
		--shape 1,1,4,4,1,2,2 --stride 1 >"$tmp/out" 2>&1
	local rc=$?
	if [ $rc -eq "$want" ] && grep -qF -- "$m" "$tmp/out"; then pass "$d"
	else fail "$d"; diag "exit $rc" "$(head -c 2000 "$tmp/out")"; fi
}
fault 1 "a crash is reported with the call, the signal and the shape" 1 \
	"the plugin crashed in convgrad_backward (SIGSEGV) at shape N=1 C_in=1 H_in=4 W_in=4 C_out=1 R=2 S=2 strh=1 strw=1"
fault 2 "a hang is stopped after --timeout" 1 \
	"the plugin did not return from convgrad_forward within 0.3 s at shape N=1 C_in=1" \
	--timeout 0.3
fault 3 "a nonzero return is the plugin's error" 1 \
	"convgrad_backward returned 7 (the plugin's error) at shape"
fault 4 "a write past the end of dweight: the byte offset" 1 \
	"convgrad_backward wrote outside dweight: at byte offset 32 of a 32-byte buffer, 1 byte past its end"
fault 5 "a write before output: the byte offset" 1 \
	"convgrad_forward wrote outside output: at byte offset -1 of a 72-byte buffer"
fault 6 "a missing symbol is named (exit 2)" 2 \
	"libf6.so: missing symbol convgrad_backward"
fault 7 "a write into a const input" 1 \
	"convgrad_forward wrote into input, an input (const), at byte offset 16"
fault 8 "a plugin that exits" 1 \
	"the plugin exited with status 3 in convgrad_forward"
fault 9 "an output left unwritten reads as NaN: not-finite" 1 \
	"  diagnosis: not-finite: "
fault 10 "a library that crashes as it loads: exit 2" 2 \
	"the plugin crashed in loading the library (SIGSEGV)"

"$CONVGRAD" gradcheck --plugin "$tmp/libf1.so" --shape 1,1,4,4,1,2,2 --format json >"$tmp/json" 2>/dev/null
check "json: a crash is in faults, exit 1" sh -c "test $? -eq 1 && grep -q '\"faults\": \[\"plugin: backward: the plugin crashed in convgrad_backward (SIGSEGV)' '$tmp/json'"
"$CONVGRAD" gradcheck --plugin "$tmp/libf1.so" --shape 1,1,4,4,1,2,2 --format tap >"$tmp/tap" 2>/dev/null
check "tap: a crash is a not ok" grep -q '^not ok [0-9]* - plugin: backward: the plugin crashed' "$tmp/tap"

# --- bad arguments -------------------------------------------------------------
"$CONVGRAD" gradcheck --plugin "$tmp/none.so" >/dev/null 2>"$tmp/err"
check "a missing library: exit 2, named" sh -c \
	"test $? -eq 2 && grep -qF '$tmp/none.so: No such file or directory' '$tmp/err'"
"$CONVGRAD" gradcheck --plugin "$top_srcdir/README.md" >/dev/null 2>"$tmp/err"
check "not a library: exit 2, dlopen's words" sh -c \
	"test $? -eq 2 && grep -q 'README.md: cannot load: ' '$tmp/err'"
"$CONVGRAD" gradcheck --plugin "$tmp/libconv.so" --timeout 0 >/dev/null 2>"$tmp/err"
check "--timeout 0: exit 2" sh -c "test $? -eq 2 && grep -q -- '--timeout: expected seconds' '$tmp/err'"
"$CONVGRAD" gradcheck --timeout 1 >/dev/null 2>"$tmp/err"
check "--timeout without --plugin: exit 2" sh -c "test $? -eq 2 && grep -q -- '--timeout: only with --plugin' '$tmp/err'"
done_testing
