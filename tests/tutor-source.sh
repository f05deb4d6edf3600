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

# ---- o: the whole source, rendered, from the step's part ----
L3="$LESSONS/03-input.md"
# top_row NAME: the first row of the source under the title bar.
top_row() { screen "$1" | sed -n 2p; }
# frac3 NAME: a fraction on three rows: a numerator, a rule of ─ under
# it, a denominator under that (consecutive rows of the screen).
frac3() {
	screen "$1" | awk '
	    prev2 ~ /∂output\[b₁,c_out₁,h_out₁,w_out₁\]/ && prev ~ /^(▌| )   ──────────/ &&
	        $0 ~ /∂input\[b,c_in,h_in,w_in\]/ { found = 1 }
	    { prev2 = prev; prev = $0 } END { exit !found }'
}
for size in 80x24 60x20; do
	start s "${size%x*}" "${size#*x}"
	run s "clear; $(tutor_cmd "" tutor "$L3")"
	wait_for s "step 1/5" >/dev/null
	keys s o
	check "$size: o opens the source screen" wait_for s "the source, rendered"
	check "$size: ... at the part the step quotes (line 18)" \
	    wait_re s "lines 18-[0-9]+ of 133"
	check "$size: ... its first row is the quote's, marked" \
	    bash -c 'grep -q "^▌ .*∂output\[b₁,c_out₁,h_out₁,w_out₁\]" <<<"$1"' _ "$(top_row s)"
	check "$size: ... the fraction drawn on three rows" wait_true frac3 s
	check "$size: ... the wide formula marked where it goes on (▸)" \
	    wait_re s "▸$"
	check "$size: ... and said so" wait_for s "h/l scroll sideways"
	keys s l l
	check "$size: l scrolls it sideways, ◂ marks the left" wait_re s "^▌◂"
	keys s h h
	wait_true bash -c '! tmux -u -L "$1" capture-pane -p -t s | grep -q "^▌◂"' _ "$SOCK" \
	    >/dev/null
	check "$size: Space scrolls to the source's last line" \
	    scroll_until s "= sum(df, (dim(N_p)...))" Space
	check "$size: ... the position says the end" wait_re s "lines [0-9]+-133 of 133"
	keys s g
	check "$size: g: the top" wait_re s "lines 1-[0-9]+ of 133"
	check "$size: ... the first heading" \
	    bash -c 'grep -q "^  forward" <<<"$1"' _ "$(top_row s)"
	keys s G
	check "$size: G: the end" wait_for s "= sum(df, (dim(N_p)...))"
	keys s v
	check "$size: v: as written" wait_for s "the source, as written"
	check "$size: ... the verbatim LaTeX, lines numbered" \
	    wait_for s ' 132 $=sum(df, (dim(N_p)...))$'
	keys s g
	check "$size: ... the LaTeX of a fraction" \
	    scroll_until s '  14 $\frac{\partial ax}{\partial x} = a$'
	keys s v
	check "$size: v again: rendered" wait_for s "the source, rendered"
	check "$size: ... no LaTeX left" \
	    bash -c '! grep -qF "\\frac" <<<"$1"' _ "$(screen s)"
	keys s '?'
	check "$size: ? lists the source screen's keys" scroll_until s "Source:"
	check "$size: ... v among them" \
	    scroll_until s "the source as written (its LaTeX, lines"
	keys s Escape
	wait_for s "the source, rendered" >/dev/null
	keys s Escape
	check "$size: Esc goes back to the step" wait_for s "step 1/5"
	keys s n
	wait_for s "step 2/5" >/dev/null
	keys s o
	check "$size: o from the next step: its own part (line 24, a heading)" \
	    wait_re s "lines 24-[0-9]+ of 133"
	keys s q
	check "$size: q goes back (does not quit)" wait_for s "step 2/5"
	keys s q
	tm kill-session -t s
done

# ---- texts cut at 60x20: the tolerance note, the title ----
for size in 80x24 60x20; do
	start n "${size%x*}" "${size#*x}"
	run n "clear; $(tutor_cmd "" tutor "$LESSONS/02-general-rule.md")"
	wait_for n "step 1/2" >/dev/null
	check "$size: the tolerance's reason is shown whole (scrolled to)" \
	    scroll_until n "differences have no truncation error" Space
	check "$size: ... and its end" \
	    wait_for n "(tol_abs scales as 1e-6/h)"
	check "$size: ... no row of it cut" \
	    bash -c '! grep -q "truncatio…" <<<"$1"' _ "$(screen n)"
	keys n q
	run n "clear; $(tutor_cmd "" tutor "$LESSONS/13-bug-zoo.md")"
	check "$size: a long title: whole up to its colon, not cut" \
	    wait_re n "^ The bug zoo(: thirteen classic mistakes and their signatures)? +step 1/14"
	check "$size: ... no ellipsis in the title bar" \
	    bash -c '! head -1 <<<"$1" | grep -q "…"' _ "$(screen n)"
	keys n q
	tm kill-session -t n
done

done_testing
