#!/bin/bash
# tutor-present.sh: the tutor's progress and places end to end (issue 10),
# in tmux at 80x24 and 60x20: resumed after q, the list's per-lesson
# progress, a corrupt progress file set aside with a message, two tutors at
# once, --lesson N --step K and its range errors. Every run keeps its
# progress in a temporary XDG_STATE_HOME (tutor_cmd makes a fresh one; the
# checks that resume share one of their own), never in the real home.
. "$top_srcdir/tests/tutor-lib.sh"

FIX="$top_srcdir/tests/data/tutor-lesson.md"
NLESSONS=$(ls "$LESSONS"/*.md | wc -l)
L3="$LESSONS/03-input.md"
L3_STEPS=$(grep -c '^## ' "$L3")

# quit NAME: q, and the shell has the tutor's exit status 0.
quit() {
	keys "$1" q
	wait_for "$1" "rc=0"
}

# ---- --lesson and --step out of range: exit 2, the option and the range,
# before the terminal is looked at ----
# (usage_error: tutor-lib.sh)
usage_error "--lesson past the last" \
    "--lesson 99: out of range: there are $NLESSONS lessons (1 to $NLESSONS)" \
    --lesson 99
usage_error "--lesson 0" "--lesson: expected a lesson number from 1, got '0'" \
    --lesson 0
usage_error "--lesson x" "--lesson: expected a lesson number from 1, got 'x'" \
    --lesson x
usage_error "--step past the last" \
    "--step 9: out of range: lesson 3 ($L3) has $L3_STEPS steps (1 to $L3_STEPS)" \
    --lesson 3 --step 9
usage_error "--step of a LESSON file" \
    "--step 5: out of range: lesson 1 ($FIX) has 4 steps (1 to 4)" \
    --step 5 "$FIX"
usage_error "--step without a lesson" \
    "--step 2: which lesson? give --lesson N (1 to $NLESSONS) or one LESSON file" \
    --step 2
usage_error "--step -1" "--step: expected a step number from 1, got '-1'" \
    --lesson 1 --step -1
check "--help describes --lesson, --step, --no-resume" bash -c \
    'h=$("$1" tutor --help); for o in --lesson --step --no-resume; do
	grep -q -- "$o" <<<"$h" || exit 1; done' _ "$CONVGRAD"

for size in 80x24 60x20; do
	cols=${size%x*} rows=${size#*x}
	state="$TMPD/state-$size"
	mkdir -p "$state"
	share="XDG_STATE_HOME=$state"
	prog="$state/convgrad/progress"

	# ---- resumed after q ----
	start r "$cols" "$rows"
	run r "clear; $(tutor_cmd "$share"); echo rc=\$?"
	wait_for r "not visited" >/dev/null
	keys r j j Enter
	check "$size: lesson 3 opens" wait_for r "step 1/$L3_STEPS"
	keys r n
	wait_for r "step 2/$L3_STEPS" >/dev/null
	keys r n
	check "$size: ... at step 3" wait_for r "step 3/$L3_STEPS"
	quit r
	check "$size: q saved the progress" grep -q "^last	03-input.md	2$" "$prog"
	run r "clear; $(tutor_cmd "$share"); echo rc=\$?"
	check "$size: the next run opens where it left off" \
	    wait_for r "step 3/$L3_STEPS"
	check "$size: ... and says so" wait_for r "resumed where you left off"
	keys r Escape
	check "$size: the list shows the lesson's progress" \
	    wait_re r "input.* 3/$L3_STEPS st"
	check "$size: ... and not visited for the others" wait_for r "not visited"
	quit r
	run r "clear; $(tutor_cmd "$share"); echo rc=\$?"
	check "$size: quit on the list: the list again, lesson 3 chosen" \
	    wait_re r "3/$L3_STEPS st"
	check "$size: ... and no resume message" \
	    bash -c '! grep -q "resumed" <<<"$1"' _ "$(screen r)"
	keys r Enter
	check "$size: ... Enter opens lesson 3" wait_for r "step 1/$L3_STEPS"
	quit r
	run r "clear; $(tutor_cmd "$share" --no-resume); echo rc=\$?"
	keys r Enter         # the list, lesson 1 chosen: lesson 1 opens
	check "$size: --no-resume: the list from its start" \
	    wait_re r "Forward.*step 1/"
	quit r

	# ---- --lesson N --step K ----
	run r "clear; $(tutor_cmd "$share" --lesson 3 --step 4); echo rc=\$?"
	check "$size: --lesson 3 --step 4 opens there" wait_for r "step 4/$L3_STEPS"
	check "$size: ... lesson 3" wait_for r "∂output/∂input"
	quit r
	run r "clear; $(tutor_cmd "" --step 2 "$FIX"); echo rc=\$?"
	check "$size: --step 2 LESSON" wait_for r "step 2/4"
	quit r

	# ---- a corrupt progress file: set aside, said, not fatal ----
	printf 'convgrad-progress 1\nseen\t03-input.md\tmany\n' >"$prog"
	run r "clear; $(tutor_cmd "$share"); echo rc=\$?"
	check "$size: corrupt: the tutor opens anyway" wait_for r "not visited"
	check "$size: ... and says so" \
	    wait_for r "corrupt progress file, progress starts afresh"
	check "$size: ... set aside" \
	    bash -c 'ls "$1".corrupt-* >/dev/null' _ "$prog"
	keys r Enter
	wait_for r "step 1/" >/dev/null
	quit r
	check "$size: ... and a good file is written afresh" \
	    grep -q "^seen	01-forward.md	0$" "$prog"
	tm kill-session -t r
done

# ---- presenter mode ----
# no_dim NAME: no SGR 2 (dim) in what the pane shows, colours' 38;2;R;G;B
# and 38;5;N skipped (awk prints each offending sequence).
no_dim() {
	tm capture-pane -p -e -t "$1" | awk '{
		s = $0
		while (match(s, /\033\[[0-9;:]*m/)) {
			n = split(substr(s, RSTART + 2, RLENGTH - 3), p, ";")
			s = substr(s, RSTART + RLENGTH)
			for (i = 1; i <= n; i++) {
				if (p[i] == 38 || p[i] == 48 || p[i] == 58) {
					i += p[i + 1] == 5 ? 2 : 4
					continue
				}
				if (p[i] == "2") { print "SGR 2 in: " $0; bad = 1 }
			}
		}
	} END { exit bad }'
}
has_dim() { ! no_dim "$1" >/dev/null; }
absent() { ! screen "$1" | grep -qF -- "$2"; }
P1="Now b = b1 and the pixel"          # lesson 3 step 3: its first paragraph
P2="The window in this case"           # ... its second
for size in 80x24 60x20; do
	start p "${size%x*}" "${size#*x}"
	run p "clear; $(tutor_cmd "" --lesson 3 --step 3); echo rc=\$?"
	wait_for p "holds at all" >/dev/null
	check "$size: without --present the check sees dim text" has_dim p
	quit p
	run p "clear; $(tutor_cmd "" --present --lesson 3 --step 3); echo rc=\$?"
	check "$size: --present --lesson 3 --step 3" wait_for p "step 3/$L3_STEPS"
	check "$size: the first paragraph" wait_for p "$P1"
	check "$size: ... alone" absent p "$P2"
	check "$size: ... no claim yet" absent p "claim 1/2"
	check "$size: ... Space reveals" wait_for p "Space reveals the next paragraph"
	check "$size: no SGR 2 (dim) anywhere" no_dim p
	keys p Space
	check "$size: Space: the second paragraph" wait_for p "$P2"
	check "$size: ... still no claim" absent p "claim 1/2"
	check "$size: ... the claim next" wait_for p "Space reveals the claim"
	keys p Space
	check "$size: Space: the claim" wait_for p "claim 1/2"
	check "$size: ... not its verdict" absent p "holds at all"
	check "$size: ... the verdict next" wait_for p "Space reveals the verdict"
	check "$size: ... no mark on the heading" absent p "all 2 hold"
	keys p Space
	check "$size: Space: the verdict" wait_for p "holds at all"
	check "$size: ... all shown: Space pages" wait_for p "Space page"
	check "$size: still no SGR 2" no_dim p
	keys p Tab
	wait_for p "hjkl move" >/dev/null
	check "$size: the panes (Tab), no SGR 2" no_dim p
	keys p n
	check "$size: n: the next step from its first part" \
	    wait_for p "Space reveals the next paragraph"
	keys p Escape
	wait_for p "not visited" >/dev/null
	check "$size: the list, no SGR 2" no_dim p
	quit p
	tm kill-session -t p
done

# ---- a lesson left out at the shape given (as verify leaves it out) ----
# --shape with C_in=C_out=1: lesson 11's groups=2 does not divide them.
G11="Groups and depthwise convolution"
usage_error "--lesson 11 at C_in=1" \
    "--lesson 11: not at this shape: its groups=2 does not divide both C_in=1" \
    --shape 1,1,4,4,1,2,2 --lesson 11
for size in 80x24 60x20; do
	start g "${size%x*}" "${size#*x}"
	run g "clear; $(tutor_cmd "" --shape 1,1,4,4,1,2,2); echo rc=\$?"
	check "$size: --shape 1,1,4,4,1,2,2: the list opens" wait_for g "not visited"
	check "$size: lesson 11 listed by its title" wait_for g "11. ${G11:0:20}"
	check "$size: ... not at this shape" wait_re g "11\. .*not at this shape"
	keys g j j j j j j j j j j
	check "$size: ... why, below the list" wait_for g "not at this shape: its groups=2"
	keys g Enter
	check "$size: Enter: left out, says so" \
	    wait_for g "lesson 11 is left out at this shape"
	check "$size: ... still the list" wait_for g "Enter open"
	keys g j Enter
	check "$size: lesson 12 opens at this shape" wait_for g "step 1/"
	keys g Escape
	wait_for g "not visited" >/dev/null
	quit g
	tm kill-session -t g
done

# ---- two tutors at once on one progress file ----
state="$TMPD/state-two"
mkdir -p "$state"
share="XDG_STATE_HOME=$state"
start a 80 24
start b 80 24
run a "clear; $(tutor_cmd "$share" --lesson 1); echo rc=\$?"
run b "clear; $(tutor_cmd "$share" --lesson 2); echo rc=\$?"
wait_for a "step 1/" >/dev/null
wait_for b "step 1/" >/dev/null
keys a n
keys b n
check "two tutors: the first at step 2" wait_for a "step 2/"
check "two tutors: the second at step 2" wait_for b "step 2/"
keys a n
wait_for a "step 3/" >/dev/null
sleep 0.5                # both idle: both saved in the meantime
quit a
quit b
run a "clear; $(tutor_cmd "$share" --no-resume); echo rc=\$?"
check "two tutors: the first's steps kept" wait_re a "Forward.* 3/3 st"
check "two tutors: the second's steps kept" wait_re a "general rule.* 2/2 st"
check "two tutors: no corrupt file" \
    bash -c '! ls "$1"/convgrad/progress.corrupt-* 2>/dev/null' _ "$state"
quit a

done_testing
