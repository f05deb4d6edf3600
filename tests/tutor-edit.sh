#!/bin/bash
# tutor-edit.sh: learning by doing in the tutor (issue 10), end to end in
# tmux at 80x24 and 60x20: the claim editor (every editing key, Tab
# completion, a syntax error with its caret, a claim that holds, one that
# fails with c's counterexample and smallest shape, one that never finishes
# and is cancelled, a very long line, the history kept from one run to the
# next), w writing mine.md for convgrad verify, and the exercise steps
# (hints in order, predict-then-reveal, a wrong answer, one right at one
# shape only, one of another form, the right one).
. "$top_srcdir/tests/tutor-lib.sh"

FIX="$top_srcdir/tests/data/tutor-lesson.md"
EXF="$top_srcdir/tests/data/tutor-exercise.md"

FWD='output[b,c_out,h_out,w_out] = bias[c_out] + sum(c_in, di, dj) input[b, c_in, strh*h_out + di, strw*w_out + dj] * weight[c_out, c_in, di, dj]'
NOBIAS='output[b,c_out,h_out,w_out] = sum(c_in, di, dj) input[b, c_in, strh*h_out + di, strw*w_out + dj] * weight[c_out, c_in, di, dj]'
# A long claim that holds: output = output + 0 + 0 ... (well past 300 columns)
LONG="output[b,c_out,h_out,w_out] = output[b,c_out,h_out,w_out]$(printf ' + 0%.0s' $(seq 1 100))"

SYNTAX='output[b, c_out, h_out, w_out] = bias[c_out] +'

# poll NAME WHAT CMD...: run CMD every 0.1 s until it succeeds, 30 s at
# the most (by the clock, as tutor-lib.sh's waits); on a timeout say WHAT
# and show the screen.
poll() {
	local name=$1 what=$2 until=$(( $(now_ms) + 30000 ))
	shift 2
	while :; do
		"$@" && return 0
		[ "$(now_ms)" -lt "$until" ] || break
		sleep 0.1
	done
	diag "timed out waiting for: $what" "screen:" "$(screen "$name")"
	return 1
}
# The editor's line as drawn (after "> " or "◂ "), trailing blanks cut.
edit_line() { screen "$1" | sed -n 's/^ [>◂] //p' | head -1 | sed 's/ *$//'; }
is_line() { [ "$(edit_line "$1")" = "$2" ]; }
has_line() { edit_line "$1" | grep -qF -- "$2"; }
# The screen's rows joined, runs of blanks made one (a wrapped message).
has_joined() { screen "$1" | tr -s ' \n' '  ' | grep -qF -- "$2"; }
# A row holding only a caret, at column $2 (0-based).
has_caret() { screen "$1" | grep -qxE "^ {$2}\^ *"; }

line_is() { poll "$1" "the line '$2'" is_line "$1" "$2"; }
line_has() { poll "$1" "the line holding '$2'" has_line "$1" "$2"; }
wait_joined() { poll "$1" "$2" has_joined "$1" "$2"; }
caret_at() { poll "$1" "a caret at column $2" has_caret "$1" "$2"; }
# type NAME TEXT: literal text into the pane.
type_text() { tm send-keys -t "$1" -l "$2"; }

for size in 80x24 60x20; do
	cols=${size%x*} rows=${size#*x}
	st="$TMPD/state-$size" da="$TMPD/data-$size"
	envs="XDG_STATE_HOME=$st XDG_DATA_HOME=$da"
	s=e$cols
	start $s "$cols" "$rows"
	run $s "$(tutor_cmd "$envs" tutor "$FIX")"
	check "$size: the fixture opens" wait_for $s "step 1/4"
	check "$size: the hint line offers e edit and x explore" \
	    wait_for $s "x explore  e edit"

	# ---- every editing key ----
	keys $s e
	check "$size: e opens the editor at the bottom" wait_for $s "Enter checks it"
	type_text $s "weight"
	check "$size: typing shows in the line" line_is $s "weight"
	keys $s Home; type_text $s "("
	check "$size: Home, then a character at the start" line_is $s "(weight"
	keys $s End; type_text $s ")"
	check "$size: End, then a character at the end" line_is $s "(weight)"
	keys $s Left Left BSpace
	check "$size: Left Left Backspace" line_is $s "(weigt)"
	keys $s DC
	check "$size: Delete" line_is $s "(weig)"
	keys $s C-w
	check "$size: ^W kills the word before the cursor" line_is $s "()"
	type_text $s "bias"
	keys $s Right; type_text $s " q"
	check "$size: Right, and q typed into the line" line_is $s "(bias) q"
	keys $s C-u
	check "$size: ^U kills the text before the cursor" line_is $s ""
	type_text $s "wei"; keys $s Tab
	check "$size: Tab completes a tensor name" line_is $s "weight"
	type_text $s " + C_o"; keys $s Tab
	check "$size: Tab completes a constant" line_is $s "weight + C_out"
	keys $s C-a C-e C-u
	check "$size: ^A ^E move, ^U empties it" line_is $s ""

	# ---- a syntax error: caret and message, the text stays ----
	type_text $s "$SYNTAX"
	keys $s Enter
	check "$size: a syntax error shows the parser's message" \
	    wait_for $s "error: expression expected"
	check "$size: ... a caret under the line, at the end where it went wrong" \
	    caret_at $s $((3 + ${#SYNTAX}))
	check "$size: ... and the text stays" line_has $s "bias[c_out] +"

	# ---- a claim that holds ----
	keys $s End C-u
	type_text $s "$FWD"
	keys $s Enter
	check "$size: a claim that holds: verified in the background" \
	    wait_re $s "your claim: ✓ holds at all [0-9]+ tuples"
	check "$size: ... drawn in 2-D" wait_for $s "c_in,di,dj"
	check "$size: ... checked live at the cursors" \
	    wait_re $s "at b=0 c_out=0 h_out=0 w_out=0: formula +-?[0-9.]+ numeric"
	check "$size: ... the editor stops taking keys" \
	    wait_for $s "e edit, c counterexample, w write"

	# ---- one that fails: c jumps, then shrinks ----
	keys $s e
	check "$size: e edits your claim again, its text in the line" \
	    line_has $s "weight[c_out, c_in, di, dj]"
	keys $s End C-u
	type_text $s "$NOBIAS"
	keys $s Enter
	check "$size: a claim that fails" wait_re $s "your claim: ✗ fails at [0-9]+ of"
	check "$size: ... with its counterexample" wait_for $s "counterexample (c):"
	keys $s c
	check "$size: c moves the cursors to it" \
	    wait_for $s "cursors at your claim's first counterexample"
	check "$size: ... and finds the smallest failing shape" \
	    wait_joined $s "smallest: fails already at N=1 C_in=1 "

	# ---- w: mine.md, verified by convgrad verify ----
	keys $s w
	check "$size: w writes mine.md" wait_for $s "step 1 written to"
	check "$size: ... under XDG_DATA_HOME" test -s "$da/convgrad/mine.md"
	"$CONVGRAD" verify "$da/convgrad/mine.md" >"$TMPD/v-$size" 2>&1
	check "$size: ... verify finds the claim false (exit 1)" test $? -eq 1
	check "$size: ... with a counterexample" grep -q "counterexample" "$TMPD/v-$size"
	keys $s Escape
	check "$size: Esc closes the editor" wait_gone $s "your claim"

	# ---- a very long line ----
	keys $s e
	type_text $s "$LONG"
	check "$size: a long line scrolls, ◂ on the left" wait_re $s "^ ◂ .*\+ 0 *$"
	keys $s Home
	check "$size: ... Home shows its start, ▸ on the right" \
	    wait_re $s "^ > output\[b,c_out.*▸$"
	keys $s Enter
	check "$size: ... and it is checked whole" wait_re $s "your claim: ✓ holds"
	keys $s e End C-u
	type_text $s "$FWD"
	keys $s Enter
	wait_re $s "your claim: ✓ holds" >/dev/null
	keys $s w
	check "$size: w appends a second step" wait_for $s "step 2 written to"
	"$CONVGRAD" verify "$da/convgrad/mine.md" >"$TMPD/v2-$size" 2>&1
	check "$size: ... the file still verifies, one holds, one fails" \
	    grep -q "2 claims: 1 hold" "$TMPD/v2-$size"
	keys $s q
	check "$size: q quits" wait_gone $s "step 1/4"

	# ---- the history, from one run to the next ----
	check "$size: the history is in XDG_STATE_HOME" \
	    grep -qF "$NOBIAS" "$st/convgrad/history"
	run $s "clear; $(tutor_cmd "$envs" tutor "$FIX")"
	wait_for $s "step 1/4" >/dev/null
	keys $s :
	check "$size: : opens the editor too" wait_for $s "Enter checks it"
	keys $s Up Home
	check "$size: Up gives the last line of the last run" \
	    line_has $s "output[b,c_out,h_out,w_out] = bias[c_out] + sum"
	keys $s Up Home
	check "$size: Up again, the one before" \
	    line_has $s "output[b,c_out,h_out,w_out] = output[b,c_out"
	keys $s Down Down
	check "$size: Down back to the empty line" line_is $s ""
	keys $s Escape q
	wait_gone $s "step 1/4" >/dev/null

	# ---- one that never finishes: cancelled ----
	run $s "clear; $(tutor_cmd "$envs CONVGRAD_TEST_BG_PACE=600000" tutor "$FIX")"
	wait_for $s "step 1/4" >/dev/null
	keys $s e
	type_text $s "$FWD"
	keys $s Enter
	check "$size: a verification that does not finish says so" \
	    wait_re $s "your claim: verifying"
	t0=$(date +%s%N)
	keys $s Escape
	check "$size: Esc cancels it, and closes the editor" \
	    wait_gone $s "your claim: verifying"
	check "$size: ... at once" elapsed_ok "$t0"
	keys $s e
	type_text $s "$FWD"
	keys $s Enter
	wait_re $s "your claim: verifying" >/dev/null
	t0=$(date +%s%N)
	keys $s Escape q
	check "$size: q quits while it runs" wait_gone $s "step 1/4"
	check "$size: ... at once" elapsed_ok "$t0"
	check "$size: ... a usable shell" shell_alive $s

	# ---- exercises ----
	run $s "clear; $(tutor_cmd "$envs" tutor "$EXF")"
	check "$size: an exercise step says to answer first" \
	    wait_for $s "exercise: e answers"
	check "$size: ... its claim is hidden" wait_for $s "hidden until you answer"
	check "$size: ... its verdict too" wait_for $s "the verdict is hidden"
	check "$size: ... the prompt is shown" wait_for $s "What is d f / d bias[c_out]?"
	keys $s t
	check "$size: t: hint 1" wait_for $s "Hint 1 of 3: bias[c_out] is added"
	check "$size: ... not hint 2 yet" bash -c '! screen "$1" | grep -q "Hint 2 of 3"' _ $s
	keys $s t
	check "$size: t: hint 2" wait_for $s "Hint 2 of 3: So its gradient"
	keys $s t
	check "$size: t: hint 3" wait_for $s "Hint 3 of 3: sum(b, h_out, w_out)"
	keys $s t
	check "$size: t: no more" wait_for $s "no more hints: that was the last of 3"
	keys $s e
	type_text $s "d f / d bias[c_out] = sum(b) df[b, c_out, 0, 0]"
	keys $s Enter
	check "$size: a wrong answer is refused, with the shape" \
	    wait_joined $s "✗ refused: fails at N=2 C_in=1 H_in=5 W_in=5 C_out=2 R=2 S=2 stride 1: at c_out=0"
	check "$size: ... the step stays hidden" wait_for $s "exercise: e answers"
	keys $s e End C-u
	type_text $s "d f / d bias[c_out] = sum(h_out, w_out, b) df[b, c_out, h_out, w_out]"
	keys $s Enter
	check "$size: another form is accepted" \
	    wait_for $s "accepted, in another form than the lesson's"
	check "$size: ... the answer shown after" wait_joined $s \
	    "whose answer is: d f / d bias[c_out] = sum(b, h_out, w_out) df[b, c_out, h_out, w_out]"
	check "$size: ... and the step revealed" wait_for $s "✓ it holds"
	keys $s Escape n
	check "$size: the next exercise step" wait_for $s "step 2/3"
	check "$size: ... hidden again" wait_for $s "exercise: e answers"
	keys $s e
	type_text $s "d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] = weight[c_out1, c_in, h_in - h_out1, w_in - w_out1] where b == b1 and h_in in h_out1 .. h_out1 + R - 1 and w_in in w_out1 .. w_out1 + S - 1"
	keys $s Enter
	check "$size: an answer right at stride 1 only is refused at another stride" \
	    wait_joined $s "refused: fails at N=1 C_in=1 H_in=6 W_in=7 C_out=3 R=2 S=2 stride 2,3"
	keys $s Escape r
	check "$size: r reveals the step" wait_for $s "revealed: the verdicts"
	check "$size: ... the heading says what the claims came to" \
	    wait_for $s "✓ it holds"
	keys $s e
	type_text $s "d output[b1,c_out1,h_out1,w_out1] / d input[b,c_in,h_in,w_in] = weight[c_out1, c_in, h_in - strh*h_out1, w_in - strw*w_out1] where b == b1 and h_in in strh*h_out1 .. strh*h_out1 + R - 1 and w_in in strw*w_out1 .. strw*w_out1 + S - 1"
	keys $s Enter
	check "$size: the right answer is accepted at 3 shapes" \
	    wait_for $s "✓ accepted: holds at 3 shapes"
	keys $s Escape n r
	check "$size: a step without an exercise hides nothing" \
	    wait_for $s "nothing is hidden on this step"
	keys $s q
	check "$size: q quits" wait_gone $s "step 3/3"
done

done_testing
