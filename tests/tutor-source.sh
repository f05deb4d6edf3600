#!/bin/bash
# tutor-source.sh: issue 9's source screen and cut texts, end to end in
# tmux at 80x24 and 60x20: `o` shows the whole source (rendered, its
# formulas drawn 2-D; v the verbatim LaTeX), opened at the part the step
# quotes, scrollable to its last line; and the live check's case label is
# shown whole, on rows of its own when it does not fit beside the values.
. "$top_srcdir/tests/tutor-lib.sh"

FIX="$top_srcdir/tests/data/tutor-lesson.md"

# ---- the case label: whole, never cut (60x20 cut it: "case: inside the windo…")
for size in 80x24 60x20; do
	start c "${size%x*}" "${size#*x}"
	run c "clear; $(tutor_cmd "" tutor "$FIX")"
	wait_for c "step 1/4" >/dev/null
	keys c x n
	wait_for c "step 2/4" >/dev/null
	check "$size: where it does not hold, the case label whole" \
	    wait_for c "case: inside the window: a weight"
	check "$size: ... no ellipsis on the live rows" \
	    bash -c '! grep -q "case: .*…" <<<"$1"' _ "$(screen c)"
	keys c '>'
	check "$size: where it holds: the values and the case label whole" \
	    wait_re c "numeric .*✓"
	check "$size: ... the case label whole" \
	    wait_for c "case: inside the window: a weight"
	check "$size: ... nothing cut at the edge" \
	    bash -c '! grep -qE "case: inside the windo(…|$)" <<<"$1"' _ "$(screen c)"
	keys c q
	tm kill-session -t c
done

done_testing
