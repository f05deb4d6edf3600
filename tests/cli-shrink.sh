#!/bin/bash
# cli-shrink.sh: `convgrad verify --shrink` end to end: a failing claim and
# every erratum of lesson 8 get a "fails already at" line with a shape and
# the counterexample there, in text, tap and json; claims that hold get
# none; without --shrink nothing changes; the exit status is the same.
. "$top_srcdir/tests/tap.sh"
d="$top_srcdir/tests/data/lessons"
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
run() { "$CONVGRAD" verify "$@" >"$out" 2>"$err"; echo $?; }

rc=$(run --ascii --shrink "$d/failing.md")
check "failing.md --shrink still exits 1 (got $rc)" test "$rc" = 1
check "the bias forgotten fails already at one output" grep -Eq \
	'^        fails already at N=1 C_in=1 H_in=1 W_in=1 C_out=1 R=1 S=1 stride 1: at b=0 c_out=0 h_out=0 w_out=0: formula -?[0-9.e-]+, numeric -?[0-9.e-]+$' "$out"
check "the shapes tried are counted" grep -Eq '^          \([0-9]+ shapes tried\)$' "$out"
check "nothing on standard error" test ! -s "$err"

rc=$(run --ascii --shrink "$top_srcdir/lessons/08-errata.md")
check "lesson 8 --shrink exits 0 (got $rc)" test "$rc" = 0
check "each of the 7 errata shrinks" test "$(grep -c 'fails already at' "$out")" = 7
check "the strides erratum keeps a stride above 1" \
	grep -Eq 'fails already at N=1 .* stride (2,1|1,2): at b=0' "$out"
check "no claim that holds is shrunk" \
	sh -c "! grep -B1 'fails already' '$out' | grep -q '^    ok'"

rc=$(run --format tap --shrink "$d/failing.md")
check "tap: exit 1 (got $rc)" test "$rc" = 1
check "tap: a comment line" grep -Eq '^# fails already at N=1 .*\([0-9]+ shapes tried\)$' "$out"

rc=$(run --format json --shrink "$d/failing.md")
check "json: exit 1 (got $rc)" test "$rc" = 1
check "json: the shrunk object" grep -q '"shrunk":{"shape":"N=1 C_in=1 H_in=1 W_in=1 C_out=1 R=1 S=1 strh=1 strw=1","tries":' "$out"
if command -v python3 >/dev/null; then
	check "json: parses, and the counterexample has its indices" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
c = d["lessons"][0]["steps"][0]["claims"][0]
s = c["shrunk"]
assert s["counterexample"]["indices"] == {"b": 0, "c_out": 0, "h_out": 0, "w_out": 0}, s
assert s["text"].startswith("fails already at N=1"), s
' "$out"
fi

rc=$(run --format json "$d/failing.md")
check "without --shrink no shrunk field" sh -c "! grep -q shrunk '$out'"
rc=$(run --help)
check "--help names --shrink" grep -q -- '--shrink' "$out"
done_testing
