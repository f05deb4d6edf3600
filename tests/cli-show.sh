#!/bin/bash
# cli-show.sh: `convgrad show` on the fixture lesson: text (Unicode and
# ASCII), markdown with $$ LaTeX $$, latex, several lessons, bad usage; a
# bundled lesson's text laid out within 78 columns.
. "$top_srcdir/tests/tap.sh"
d="$top_srcdir/tests/data/lessons"
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
run() { "$CONVGRAD" show "$@" >"$out" 2>"$err"; echo $?; }

rc=$(LC_ALL=C.UTF-8 run "$d/good.md")
check "show exits 0 (got $rc)" test "$rc" = 0
check "title" grep -q '^A small lesson for the tests$' "$out"
check "steps numbered" grep -q '^2\. Derivatives$' "$out"
check "prose as plain text" grep -q 'This lesson exists for check_lesson' "$out"
check "prose wrapped to 78 columns" \
	sh -c "! LC_ALL=C.UTF-8 awk 'length(\$0) > 78 && !/[│=∂Σ]/' '$out' | grep -q ."
check "claim labels" grep -q 'forward, NCHW, with the bias' "$out"
check "a rendered Σ" grep -q 'Σ' "$out"
check "the source quoted" grep -q '│ \$output = \\sum input \* weight\$' "$out"

rc=$(LC_ALL=C.UTF-8 run --ascii "$d/good.md")
check "--ascii exits 0" test "$rc" = 0
check "--ascii: no byte above 127" sh -c "! LC_ALL=C grep -q '[^ -~]' '$out'"
check "--ascii: sum" grep -q 'sum' "$out"

# The bundled lessons' prose writes ∂ · − and the source's Chinese
# headings: --ascii, and a locale that is not UTF-8, fold it all to ASCII.
for how in --ascii LC_ALL=C; do
	if [ "$how" = --ascii ]; then
		rc=$(LC_ALL=C.UTF-8 run --ascii "$top_srcdir/lessons")
	else
		rc=$(LC_ALL=C run "$top_srcdir/lessons")
	fi
	check "bundled lessons, $how: exits 0 (got $rc)" test "$rc" = 0
	check "bundled lessons, $how: no byte above 127" sh -c "! LC_ALL=C grep -q '[^ -~]' '$out'"
	check "bundled lessons, $how: the partial sign written d" \
		grep -q '^doutput/dinput: which outputs an input pixel touches$' "$out"
	check "bundled lessons, $how: the centre dot written *" grep -q 'strh\*h_out1' "$out"
done

# A bundled lesson whose claims are 100 to 140 columns on one line: laid
# out narrower, no line but the source's own text (quoted verbatim, "  │ ")
# is wider than 78 display columns.
for style in "" --ascii; do
	rc=$(LC_ALL=C.UTF-8 run $style "$top_srcdir/lessons/03-input.md")
	wide=$(grep -v '^  [│|]' "$out" | LC_ALL=C.UTF-8 wc -L)
	check "03-input.md ${style:-Unicode}: exits 0 (got $rc)" test "$rc" = 0
	check "03-input.md ${style:-Unicode}: lines fit in 78 columns (widest $wide)" \
		test "$wide" -le 78
	check "03-input.md ${style:-Unicode}: a formula stacked" \
		grep -q '^        = weight\[' "$out"
done

rc=$(run --format markdown "$d/good.md")
check "markdown exits 0" test "$rc" = 0
check "markdown title" grep -q '^# A small lesson for the tests$' "$out"
check "markdown step" grep -q '^## Forward$' "$out"
check "markdown keeps the prose as written" grep -q '\*emphasis\*' "$out"
check "markdown display math" test "$(grep -c '^\$\$$' "$out")" = 12
check "markdown partials in LaTeX" grep -q '\\partial' "$out"
check "markdown source block" grep -q '^```text$' "$out"

rc=$(run --format latex "$d/good.md")
check "latex exits 0" test "$rc" = 0
check "latex section" grep -q '^\\section{A small lesson for the tests}$' "$out"
check "latex display" grep -q '^\\\[$' "$out"

rc=$(run "$d/good.md" "$d/failing.md")
check "several lessons" test "$rc" = 0
check "both shown" grep -q '^A lesson with a claim that fails$' "$out"

rc=$(run "$d/bad-claim.md")
check "a bad lesson exits 2" test "$rc" = 2
check "with file:line:col" grep -Eq 'bad-claim.md:6:[0-9]+: error' "$err"
rc=$(run)
check "no lesson: exit 2" test "$rc" = 2
rc=$(run --format pdf "$d/good.md")
check "bad --format: exit 2" test "$rc" = 2
check "bad --format named" grep -q "format: expected text, markdown, latex or html, got 'pdf'" "$err"
rc=$(run --help)
check "--help exits 0" test "$rc" = 0
check "--help lists --format" grep -q -- '--format F' "$out"
done_testing
