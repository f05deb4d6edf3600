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
# place_error DESC WANT ARG...
place_error() {
	local desc=$1 want=$2
	shift 2
	"$CONVGRAD" tutor "$@" </dev/null >"$TMPD/out" 2>"$TMPD/err"
	check "$desc: exit 2" test $? -eq 2
	check "$desc: says so" grep -qF -- "convgrad tutor: $want" "$TMPD/err"
}
place_error "--lesson past the last" \
    "--lesson 99: out of range: there are $NLESSONS lessons (1 to $NLESSONS)" \
    --lesson 99
place_error "--lesson 0" "--lesson: expected a lesson number from 1, got '0'" \
    --lesson 0
place_error "--lesson x" "--lesson: expected a lesson number from 1, got 'x'" \
    --lesson x
place_error "--step past the last" \
    "--step 9: out of range: lesson 3 ($L3) has $L3_STEPS steps (1 to $L3_STEPS)" \
    --lesson 3 --step 9
place_error "--step of a LESSON file" \
    "--step 5: out of range: lesson 1 ($FIX) has 4 steps (1 to 4)" \
    --step 5 "$FIX"
place_error "--step without a lesson" \
    "--step 2: which lesson? give --lesson N (1 to $NLESSONS) or one LESSON file" \
    --step 2
place_error "--step -1" "--step: expected a step number from 1, got '-1'" \
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
