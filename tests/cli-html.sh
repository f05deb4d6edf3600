#!/bin/bash
# cli-html.sh: `convgrad show --format html`, the handouts. The page is
# well-formed XML (xmllint, from libxml2-utils) and HTML5 without a parse
# error (html5lib, where Python 3 has it), has one MathML formula per
# claim, an SVG per grid, a verdict per claim and the counterexample of a
# refuted one, the exercises, no script and nothing to fetch; a hostile lesson (<, &, ]]>,
# quotes, control bytes, raw HTML, an image) is escaped; --output-dir
# writes one page per lesson and an index; write errors exit 2.
. "$top_srcdir/tests/tap.sh"
command -v xmllint >/dev/null 2>&1 ||
	skip_all "xmllint not found (Debian: apt-get install libxml2-utils)"
d="$top_srcdir/tests/data/lessons"
tmp=$(mktemp -d)
out="$tmp/out.xhtml" err="$tmp/err"
trap 'rm -rf "$tmp"' EXIT
run() { "$CONVGRAD" show --format html "$@" >"$out" 2>"$err"; echo $?; }
count() { grep -o -- "$1" "$2" | wc -l; }
# well_formed FILE DESC: parses as XML (xmllint's complaint as a diag).
well_formed() {
	if xmllint --noout "$1" 2>"$tmp/xmlerr"; then
		pass "$2: well-formed XML"
	else
		fail "$2: well-formed XML"
		diag "$(head -c 600 "$tmp/xmlerr")"
	fi
}
# html5_clean FILE DESC: read as text/html by html5lib (the WHATWG
# parsing algorithm), the page has no parse error. Skipped without it.
h5py=/usr/bin/python3
[ -x "$h5py" ] || h5py=python3
if "$h5py" -c 'import html5lib' 2>/dev/null; then have_h5=1; else have_h5=""; fi
html5_clean() {
	local errs
	if [ -z "$have_h5" ]; then
		pass "$2: HTML5 parse # SKIP html5lib for Python 3 not found"
		return
	fi
	errs=$("$h5py" -c '
import sys, html5lib
p = html5lib.HTMLParser(namespaceHTMLElements=False)
p.parse(open(sys.argv[1], "rb").read())
print(len(p.errors), *p.errors[:2])' "$1")
	check "$2: HTML5 parses without an error (${errs:0:200})" test "${errs%% *}" = 0
}
# self_contained FILE DESC: nothing runs and nothing is fetched: no
# script, no event handler, no src, no stylesheet link, no CSS url() or
# @import, and no http(s) URL but the three namespace names and the
# href of a link the reader may follow.
self_contained() {
	local f=$1 what=$2 urls
	check "$what: no <script>" sh -c "! grep -qi '<script' '$f'"
	check "$what: no event handlers" sh -c "! grep -Eqi ' on[a-z]+=' '$f'"
	check "$what: no src=, <link, url( or @import" \
		sh -c "! grep -Eqi ' src=|<link|url\\(|@import' '$f'"
	urls=$(grep -Eo '(href|xmlns)?="?https?://[^" <]*' "$f" |
		grep -Ev '^xmlns="http://www.w3.org/(1999/xhtml|1998/Math/MathML|2000/svg)$' |
		grep -Ev '^href="' | head -3)
	check "$what: no http(s) URL but namespaces and links${urls:+ (got $urls)}" \
		test -z "$urls"
}

# The fixture lesson: 6 claims, one an erratum (refuted), two kernels.
rc=$(run "$d/good.md")
check "good.md: exits 0 (got $rc)" test "$rc" = 0
check "good.md: nothing on stderr" test ! -s "$err"
well_formed "$out" "good.md"
html5_clean "$out" "good.md"
check "polyglot: HTML5's doctype first (no XML declaration), the XHTML namespace" \
	sh -c "head -1 '$out' | grep -qx '<!DOCTYPE html>' &&
	       grep -q '<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\" xml:lang=\"en\">' '$out' &&
	       grep -q '<meta charset=\"UTF-8\"/>' '$out'"
check "an inline style" grep -q '^<style>' "$out"
self_contained "$out" "good.md"
n=$(count '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"' "$out")
check "good.md: one MathML formula per claim (6, got $n)" test "$n" = 6
n=$(count '<p class="verdict">[✓✗]' "$out")
check "good.md: one verdict per claim (6, got $n)" test "$n" = 6
check "the lesson's tally" grep -q '6 claims: 5 hold, 1 errata refuted as expected, 0 failed' "$out"
check "d output / d input as a fraction" \
	grep -q '<mfrac><mrow><mo>∂</mo><msub><mi>output</mi>' "$out"
check "Σ with its indices under it" grep -q '<munder><mo>∑</mo>' "$out"
check "if/else as cases (a brace and a table)" \
	grep -q '<mo stretchy="true">{</mo><mtable' "$out"
check "subscripts: h_out1 as h with out₁" \
	grep -q '<msub><mi>h</mi><msub><mi>out</mi><mn>1</mn></msub></msub>' "$out"
check "the erratum is refuted, with its counterexample" \
	sh -c "grep -q 'refuted, as expected: fails at 24 of 24 tuples' '$out' &&
	       grep -q '<caption>Counterexample</caption><tbody><tr><th>b</th><th>c_out</th><th>h_out</th><th>w_out</th>' '$out'"
check "the counterexample's two sides" grep -Eq 'formula -?[0-9.e-]+, numeric -?[0-9.e-]+' "$out"
check "prose rendered from Markdown" \
	grep -q '<em>emphasis</em>, <strong>strong</strong> text, <code>inline code</code>' "$out"
check "the source quoted" grep -q '<pre>\$output = \\sum input \* weight\$</pre>' "$out"
# Grids: the forward (window of output (0,0)), its erratum (at the
# counterexample), d output / d input (input and output grids), the two
# kernels (input: a pixel and the outputs that read it; weight: a tap).
n=$(count '<svg xmlns="http://www.w3.org/2000/svg"' "$out")
f=$(count '<figure class="grid">' "$out")
check "an SVG per grid (7 grids, got $n SVG in $f figures)" test "$n" = 7 -a "$f" = 7
check "the window of output (0, 0) at the first tuple" \
	grep -q 'at the first tuple:.*the window of output (0, 0)' "$out"
check "the erratum's grid is at its counterexample" \
	grep -q 'at the counterexample:.*the window of output (0, 0)' "$out"
check "the outputs that read an input pixel" \
	grep -q 'the 1 output whose window holds input (0, 0)' "$out"
check "a weight tap's pixels" grep -q 'the pixels tap (0, 0) reads, for some output' "$out"
# The window of output (0, 0) at R=3 S=2: 6 blue cells, in the first grid.
n=$(sed -n '/<svg/,/<\/svg>/p' "$out" | sed '/<\/svg>/q' | grep -o 'fill="#7fb3e6"' | wc -l)
check "the first grid marks R*S = 6 cells (got $n)" test "$n" = 6

# Padding: the border drawn dashed, the window's taps on it apart.
cat >"$tmp/pad.md" <<'EOF'
# Padded

```shape
N=1 C_in=1 H_in=4 W_in=5 C_out=1 R=3 S=3 pad_h=1 pad_w=2 covers=padding
```

## Forward

```check
output[b,c_out,h_out,w_out] = bias[c_out] + sum(c_in, di, dj)
    (if strh*h_out + di - pad_h in 0..H_in-1 and strw*w_out + dj - pad_w in 0..W_in-1
     then input[b, c_in, strh*h_out + di - pad_h, strw*w_out + dj - pad_w] else 0)
    * weight[c_out, c_in, di, dj]
```
EOF
rc=$(run "$tmp/pad.md")
check "padded lesson: exits 0 (got $rc)" test "$rc" = 0
well_formed "$out" "padded lesson"
check "padded: the claim holds" grep -q '✓ holds' "$out"
check "padded: the border said" grep -q 'with the padded border (1, 2; dashed)' "$out"
# 6 x 9 cells drawn, 4 x 5 of them the input: 34 dashed; the window of
# (0, 0) is rows -1..1, columns -2..0: 2 taps in the input (rows 0, 1 of column 0), 7 on padding.
n=$(count 'stroke-dasharray' "$out")
check "padded: 34 border cells dashed (got $n)" test "$n" = 34
n=$(count 'fill="#f2b866"' "$out")
check "padded: 7 taps on the padding (got $n)" test "$n" = 7
n=$(count 'fill="#7fb3e6"' "$out")
check "padded: 2 taps in the input (got $n)" test "$n" = 2

# A hostile lesson: markup, entities, CDATA's end and quotes in the
# title, prose, labels and the source; invalid UTF-8, and character
# references to what XML 1.0 cannot hold (a lesson with a control byte
# is refused by the loader); raw HTML; an image from the network; a
# javascript: link.
printf '%s\n' \
	'# Title a < b & "quoted" ]]> end' '' \
	'Prose with <script>alert(1)</script> & &amp; ]]> and <i>raw</i>.' '' \
	'![a tracking pixel](https://example.com/pixel.png) [bad](javascript:alert(1))' '' \
	'<div onclick="x()">a raw block</div>' '' \
	'```shape' 'N=1 C_in=1 H_in=3 W_in=3 C_out=1 R=2 S=2' '```' '' \
	'## Step x<1 & ]]>' '' \
	'```check' '# label with <, &, ]]> and "quotes" '"'"'too'"'" \
	'd f / d bias[c_out] = sum(b, h_out, w_out) df[b, c_out, h_out, w_out]' '```' '' \
	'```source' 'x < y && z ]]> w </pre>' '```' >"$tmp/hostile.md"
printf '\n## Bytes \377 and \376\n\nEntities &#1; and &#xFFFE; here.\n' >>"$tmp/hostile.md"
rc=$(run "$tmp/hostile.md")
check "hostile lesson: exits 0 (got $rc)" test "$rc" = 0
well_formed "$out" "hostile lesson"
html5_clean "$out" "hostile lesson"
self_contained "$out" "hostile lesson"
check "hostile: ]]> never raw" sh -c "! grep -q ']]>' '$out'"
check "hostile: the title escaped" \
	grep -q '<h1>Title a &lt; b &amp; &quot;quoted&quot; ]]&gt; end</h1>' "$out"
check "hostile: the step title escaped" grep -q '<h2>1. Step x&lt;1 &amp; ]]&gt;</h2>' "$out"
check "hostile: the label escaped" \
	grep -q 'label with &lt;, &amp;, ]]&gt; and &quot;quotes&quot; &#39;too&#39;' "$out"
check "hostile: the source escaped" grep -q '<pre>x &lt; y &amp;&amp; z ]]&gt; w &lt;/pre&gt;</pre>' "$out"
check "hostile: raw HTML dropped (cmark's safe mode)" \
	sh -c "! grep -Eq '<i>|<div onclick|javascript:' '$out' &&
	       grep -q 'Prose with <!-- raw HTML omitted -->alert(1)<!-- raw HTML omitted --> &amp; &amp; ]]&gt;' '$out'"
check "hostile: the image is a link to it, not loaded" \
	grep -q '<a href="https://example.com/pixel.png">image: a tracking pixel</a>' "$out"
check "hostile: invalid UTF-8 made visible" \
	grep -q '<h2>2. Bytes \\xFF and \\xFE</h2>' "$out"
check "hostile: entities of what XML cannot hold replaced" \
	grep -q 'Entities � and � here.' "$out"

# Exercises: the prompt and each hint folded; the answer with --answers.
rc=$(run "$d/exercise.md")
check "exercises: exits 0 (got $rc)" test "$rc" = 0
well_formed "$out" "exercises"
check "exercises: the prompt" \
	grep -q '<p><strong>Exercise.</strong> Write d f / d bias\[c_out\] as a sum of df.</p>' "$out"
n=$(count '<details><summary>Hint [0-9]</summary>' "$out")
check "exercises: each hint folded (5, got $n)" test "$n" = 5
check "exercises: no answer unless asked" sh -c "! grep -q 'Answer' '$out'"
rc=$(run --answers "$d/exercise.md")
n=$(count '<details class="answer"><summary>Answer</summary><math ' "$out")
check "--answers: each answer in MathML (2, got $n; exit $rc)" test "$rc" = 0 -a "$n" = 2

# Several lessons: one page, a table of contents; the bundled lessons,
# every claim with a formula and a verdict.
rc=$(run "$d/good.md" "$d/failing.md")
check "two lessons: exits 0 (got $rc)" test "$rc" = 0
well_formed "$out" "two lessons"
check "two lessons: a table of contents" \
	sh -c "grep -q '<li><a href=\"#lesson-1\">A small lesson for the tests</a></li>' '$out' &&
	       grep -q '<li><a href=\"#lesson-2\">A lesson with a claim that fails</a></li>' '$out'"
check "a failing claim: ✗, its counterexample" \
	sh -c "grep -q '<div class=\"claim bad\">' '$out' && grep -q '✗ fails at' '$out'"
rc=$(run "$top_srcdir/lessons")
check "the bundled lessons: exits 0 (got $rc)" test "$rc" = 0
well_formed "$out" "the bundled lessons"
html5_clean "$out" "the bundled lessons"
self_contained "$out" "the bundled lessons"
# (an exercise's TAP line is no claim: its answer is hidden from the page)
claims=$("$CONVGRAD" verify --format tap "$top_srcdir/lessons" |
	grep '^\(not \)\?ok' | grep -vc '^[^#]*: exercise: ')
m=$(count '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"' "$out")
v=$(count '<p class="verdict">[✓✗]' "$out")
check "bundled: a formula and a verdict per claim ($claims claims, $m formulas, $v verdicts)" \
	test "$m" = "$claims" -a "$v" = "$claims"
check "bundled: no claim fails" sh -c "! grep -q 'class=\"claim bad\"' '$out'"
n=$(count '<svg xmlns=' "$out")
f=$(count '<figure class="grid">' "$out")
check "bundled: grids drawn, one SVG each ($n SVG, $f figures)" test "$n" -gt 20 -a "$n" = "$f"

# --output-dir: one page per lesson and an index, each well-formed.
rc=$("$CONVGRAD" show --format html --output-dir "$tmp/site" "$d/good.md" \
	"$d/failing.md" >"$out" 2>"$err"; echo $?)
check "--output-dir: exits 0 (got $rc)" test "$rc" = 0
check "--output-dir: nothing on standard output" test ! -s "$out"
check "--output-dir: good.html, failing.html, index.html and no .tmp" \
	test "$(cd "$tmp/site" && echo *)" = "failing.html good.html index.html"
for f in good failing index; do
	[ -f "$tmp/site/$f.html" ] && well_formed "$tmp/site/$f.html" "--output-dir: $f.html"
done
check "--output-dir: the index links the pages" \
	grep -q '<li><a href="good.html">A small lesson for the tests</a></li>' "$tmp/site/index.html"
cp "$d/good.md" "$tmp/good.md"
rc=$("$CONVGRAD" show --format html --output-dir "$tmp/site2" "$d/good.md" \
	"$tmp/good.md" >"$out" 2>"$err"; echo $?)
check "--output-dir: two lessons of one name refused (exit 2, got $rc)" \
	sh -c "test '$rc' = 2 && grep -q 'would both be $tmp/site2/good.html' '$err' && test ! -e '$tmp/site2'"
touch "$tmp/file"
rc=$("$CONVGRAD" show --format html --output-dir "$tmp/file" "$d/good.md" \
	>"$out" 2>"$err"; echo $?)
check "--output-dir onto a file: exit 2, said (got $rc)" \
	sh -c "test '$rc' = 2 && grep -q 'file: exists and is not a directory' '$err'"
rc=$("$CONVGRAD" show --format html --output-dir "$tmp/no/such" "$d/good.md" \
	>"$out" 2>"$err"; echo $?)
check "--output-dir under a missing directory: exit 2, said (got $rc)" \
	sh -c "test '$rc' = 2 && grep -q 'no/such: cannot make the directory: No such file or directory' '$err'"
rc=$("$CONVGRAD" show --output-dir "$tmp/x" "$d/good.md" >"$out" 2>"$err"; echo $?)
check "--output-dir without --format html: exit 2 (got $rc)" \
	sh -c "test '$rc' = 2 && grep -q 'output-dir: only with --format html' '$err'"

# Output that cannot be written: /dev/full, a message, exit 2.
"$CONVGRAD" show --format html "$d/good.md" >/dev/full 2>"$err"
rc=$?
check "> /dev/full: exit 2 (got $rc)" test "$rc" = 2
check "> /dev/full: said" grep -q 'write error on standard output: No space left on device' "$err"

rc=$("$CONVGRAD" show --help >"$out" 2>"$err"; echo $?)
check "--help lists html and --output-dir" \
	sh -c "test '$rc' = 0 && grep -q 'html: one self-contained XHTML page' '$out' && grep -q -- '--output-dir D' '$out'"
done_testing
