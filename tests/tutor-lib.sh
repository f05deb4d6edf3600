# tutor-lib.sh: the helpers every tmux script of the tutor shares
# (tests/tutor.sh, tests/tutor-edit.sh, tests/tutor-present.sh). Source it
# instead of tap.sh:
#     . "$top_srcdir/tests/tutor-lib.sh"
# It sources tap.sh, skips the script without tmux, and gives each script
# its own tmux socket and temporary directory ($TMPD), both removed on exit
# (a script that needs more on exit defines tutor_lib_on_exit).
#
# The tutor runs under an interactive bash in each pane (start), so that
# after q, Ctrl-C or a signal a script can check the shell is usable again
# (shell_alive). Assertions poll the screen for the text they expect
# (wait_for, wait_re, wait_gone) instead of sleeping.
. "$top_srcdir/tests/tap.sh"

command -v tmux >/dev/null 2>&1 || skip_all "tmux not installed"

export LC_ALL=C.UTF-8
SOCK="convgrad-$(basename "$0" .sh)-$$"
LESSONS="${CONVGRAD_LESSONS:-$top_srcdir/lessons}"
TMPD=$(mktemp -d)
tm() { tmux -u -L "$SOCK" -f /dev/null "$@"; }
tutor_lib_cleanup() {
	if declare -F tutor_lib_on_exit >/dev/null; then tutor_lib_on_exit; fi
	tm kill-server >/dev/null 2>&1
	rm -rf "$TMPD"
}
trap tutor_lib_cleanup EXIT

# tutor_cmd ENVS [ARG...]: the tutor's command line inside the pane, with
# the extra environment ENVS ("" for none) and the arguments quoted. Each
# run keeps its progress (steps seen, the last place) in a fresh
# XDG_STATE_HOME under $TMPD, so that no test touches the real home and no
# run resumes where another left off; ENVS may name one to share.
tutor_cmd() {
	local envs=$1 state; shift
	state=$(mktemp -d "$TMPD/state.XXXXXX")
	printf 'env LC_ALL=C.UTF-8 CONVGRAD_LESSONS=%q XDG_STATE_HOME=%q %s %q' \
	    "$LESSONS" "$state" "$envs" "$CONVGRAD"
	[ $# -eq 0 ] || printf ' %q' "$@"
}

# The server is kept alive by a session of its own for the whole script:
# without it, killing the last session makes the server exit, and a start
# right after can reach the server while it is going away (new-session
# fails, and every check of the next size fails with a blank screen).
tm new-session -d -s _hold -x 20 -y 5 "cat" ||
    bail_out "tmux cannot start a server"

# start NAME COLS ROWS: a detached session running bash (an earlier session
# of that name is killed first); bails out if tmux cannot make it.
start() {
	tm kill-session -t "$1" >/dev/null 2>&1
	tm new-session -d -x "$2" -y "$3" -s "$1" \
	    "env PS1='$ ' TERM=screen LC_ALL=C.UTF-8 bash --norc --noprofile" &&
	    tm has-session -t "$1" ||
	    bail_out "tmux cannot start the session $1 (${2}x$3)"
}

# run NAME CMD: type a command line into the pane's shell.
run() { tm send-keys -t "$1" -l "$2"; tm send-keys -t "$1" Enter; }
# keys NAME KEY...: tmux key names (Enter, Escape, C-c, NPage) or letters.
keys() { local n=$1; shift; tm send-keys -t "$n" "$@"; }
# screen NAME: what the pane shows now, one line a row.
screen() { tm capture-pane -p -t "$1"; }

# Deadlines are by the clock, not by a count of polls, and generous (30 s
# unless told): on a loaded machine (CI's load average reaches 17 on two
# cores) a capture-pane can take long, and the test must not depend on the
# machine being idle. A check that passes passes as soon as the screen shows
# it; only a failure waits the whole deadline.
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# wait_grep FLAG NAME PATTERN [SECONDS]: poll capture-pane every 0.1 s
# until grep FLAG (-F text, -E regexp) finds PATTERN.
wait_grep() {
	local flag=$1 until=$(( $(now_ms) + ${4:-30} * 1000 ))
	while :; do
		screen "$2" | grep -q "$flag" -- "$3" && return 0
		[ "$(now_ms)" -lt "$until" ] || break
		sleep 0.1
	done
	diag "timed out waiting for: $3" "screen:" "$(screen "$2")"
	return 1
}
# wait_for NAME TEXT [SECONDS]; wait_re NAME ERE [SECONDS].
wait_for() { wait_grep -F "$@"; }
# wait_true CMD...: poll CMD every 0.1 s until it succeeds, by the clock
# (30 s), for a condition on the screen that is more than one grep.
wait_true() {
	local until=$(( $(now_ms) + 30000 ))
	until "$@"; do
		[ "$(now_ms)" -lt "$until" ] || return 1
		sleep 0.1
	done
}
wait_re() { wait_grep -E "$@"; }

# wait_gone NAME TEXT: until TEXT is no longer on screen.
wait_gone() {
	local until=$(( $(now_ms) + 30000 ))
	while :; do
		screen "$1" | grep -qF -- "$2" || return 0
		[ "$(now_ms)" -lt "$until" ] || break
		sleep 0.1
	done
	diag "still on screen: $2" "screen:" "$(screen "$1")"
	return 1
}

# input_grid NAME: the rows of the input pane's grid (the lines after its
# title and its row of column labels), the text between its borders.
input_grid() {
	screen "$1" | awk -F'│' '/input\[b=/ { on = 1; getline; next }
	    on && /^└/ { exit } on { print $2 }'
}

# shell_alive NAME: a usable shell, the tty sane again and commands run.
shell_alive() {
	run "$1" 'stty -a | grep -qE -- "-icanon|-echo " || echo sane-$((40+2))'
	wait_for "$1" "sane-42"
}

# elapsed_ok START: less than 10 s since START (date +%s%N). Latency is
# asserted loosely by the scripts (the time to see the screen change
# included, on a machine that may be loaded); bench/bench-tutor measures it.
elapsed_ok() { test $(( ($(date +%s%N) - $1) / 1000000 )) -lt 10000; }

# tutor_pid NAME: the tutor running in the pane (a child of its bash).
tutor_pid() { pgrep -P "$(tm display -p -t "$1" '#{pane_pid}')" -x convgrad | head -1; }

# scroll_until NAME TEXT [KEY]: press KEY (j unless told) a row at a time,
# each time waiting for the screen to move, until TEXT shows; at most 150.
scroll_until() { scroll_check "$1" "${3:-j}" grep -qF -- "$2"; }
# scroll_check NAME KEY CMD...: likewise until CMD succeeds with the screen
# on its stdin.
scroll_check() {
	local name=$1 key=$2 i before until
	shift 2
	for i in $(seq 150); do
		screen "$name" | "$@" && return 0
		before=$(screen "$name")
		keys "$name" "$key"
		until=$(( $(now_ms) + 5000 ))
		while [ "$(screen "$name")" = "$before" ] && [ "$(now_ms)" -lt "$until" ]; do
			sleep 0.05
		done
	done
	diag "never came into view: $*" "screen:" "$(screen "$name")"
	return 1
}

# usage_error DESC WANT ARG...: exit 2 before the terminal is looked at,
# "convgrad tutor: WANT" and the Try line on stderr.
usage_error() {
	local desc=$1 want=$2
	shift 2
	"$CONVGRAD" tutor "$@" </dev/null >"$TMPD/out" 2>"$TMPD/err"
	check "$desc: exit 2" test $? -eq 2
	check "$desc: says so" grep -qF -- "convgrad tutor: $want" "$TMPD/err"
	check "$desc: points to --help" \
	    grep -qF "Try 'convgrad tutor --help'." "$TMPD/err"
}
