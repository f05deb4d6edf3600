#!/bin/bash
# cli-robust.sh: the binary on bad input. Every case must exit 2 (never a
# crash: a status of 128 or more is a signal, 124 a hang killed by timeout)
# with a message on standard error that names the problem: the table below
# gives, for each case, a substring the message must contain. Lessons,
# paths, shapes, option values and a tutor without a terminal.
. "$top_srcdir/tests/tap.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out err=$tmp/err
d="$top_srcdir/tests/data/lessons"
if command -v timeout >/dev/null 2>&1; then TIMEOUT="timeout 60"; else TIMEOUT=; fi

# ---- inputs ----
mkdir -p "$tmp/empty-dir" "$tmp/no-lessons" "$tmp/dir.md"
echo 'not a lesson' >"$tmp/no-lessons/README.txt"
: >"$tmp/empty.md"
# a binary file: every byte value, twice
printf "$(printf '\\%03o' $(seq 0 255))" >"$tmp/binary.md"
cat "$tmp/binary.md" "$tmp/binary.md" >"$tmp/binary2.md" && mv "$tmp/binary2.md" "$tmp/binary.md"
shape='```shape
N=1 C_in=1 H_in=3 W_in=3 C_out=1 R=2 S=2 strh=1 strw=1
```'
# a check block that is never closed: at the end of the file, and with a
# step after it (the fence swallows the rest of the lesson)
printf '# T\n\n%s\n\n## S\n\n```check\nd f / d bias[c_out] = sum(b, h_out, w_out) df[b,c_out,h_out,w_out]\n' \
	"$shape" >"$tmp/unterminated.md"
printf '# T\n\n%s\n\n## S\n\n```check\nd f / d bias[c_out] = sum(b, h_out, w_out) df[b,c_out,h_out,w_out]\n\n## Next\n\nMore prose.\n' \
	"$shape" >"$tmp/unterminated-mid.md"
lesson() {   # lesson FILE CLAIM: a one-step lesson at a small shape
	printf '# T\n\n%s\n\n## S\n\n```check\n%s\n```\n' "$shape" "$2" >"$tmp/$1"
}
lesson bad-utf8.md "$(printf 'output[b,c_out,h_out,w_out] = bias[c_out] \377\376 + 1')"
lesson unclosed.md 'output[b,c_out,h_out,w_out] = (bias[c_out] + 1'
lesson huge-let.md 'let t[i < 65536, j < 65536, k < 65536] = 1'
lesson huge-index.md 'd f / d bias[c_out] = bias[99999999999999999999]'
printf '# T\n\n```shape\nN=99999999999999999999\n```\n' >"$tmp/huge-N.md"
printf '# T\n\n```shape\nN=0 C_in=1 H_in=3 W_in=3 C_out=1 R=2 S=2\n```\n' >"$tmp/zero-N.md"
: >"$tmp/a-file"

# ---- the table: DESCRIPTION | SUBSTRING | ARGS (one per line, tab-free) ----
# t DESC SUBSTRING ARG...: convgrad ARG... must exit 2 with SUBSTRING in
# its standard error.
t() {
	local desc=$1 want=$2 rc
	shift 2
	$TIMEOUT "$CONVGRAD" "$@" </dev/null >"$out" 2>"$err"
	rc=$?
	if [ "$rc" -ge 124 ]; then
		fail "$desc: exit $rc (a crash or a hang)"
		diag "$(head -c 600 "$err")"
	elif [ "$rc" != 2 ]; then
		fail "$desc: exit $rc, want 2"
		diag "$(head -c 600 "$err")"
	elif ! grep -qF -- "$want" "$err"; then
		fail "$desc: message lacks '$want'"
		diag "stderr: $(head -c 600 "$err")"
	else
		pass "$desc"
	fi
}

# paths
t "verify: nonexistent lesson"         "$tmp/nope.md: No such file"  verify "$tmp/nope.md"
t "show: nonexistent lesson"           "$tmp/nope.md: No such file"  show "$tmp/nope.md"
t "verify: directory without lessons"  "no lessons"                  verify "$tmp/no-lessons"
t "verify: empty directory"            "no lessons"                  verify "$tmp/empty-dir"
t "verify: a directory named *.md"     "dir.md"                      verify "$tmp/dir.md"
t "show: no lesson given"              "which lesson"                show
# lesson files
t "verify: empty file"                 "empty.md:1:1: error: missing title"   verify "$tmp/empty.md"
t "verify: binary file"                "binary.md:1:"                verify "$tmp/binary.md"
t "show: binary file"                  "binary.md:1:"                show "$tmp/binary.md"
t "verify: a .npy file as a lesson"    "np-f8-v1.npy:1:"             verify "$top_srcdir/tests/data/np-f8-v1.npy"
t "verify: check block never closed"   "unterminated.md:9"           verify "$tmp/unterminated.md"
t "verify: check block not closed before the next step" \
                                       "unterminated-mid.md:9"       verify "$tmp/unterminated-mid.md"
t "show: check block never closed"     "unterminated.md:9"           show "$tmp/unterminated.md"
t "verify: unclosed parenthesis"       "')' expected to close '('"   verify "$tmp/unclosed.md"
t "show: bad claim"                    "bad-claim.md:6:"             show "$d/bad-claim.md"
t "show: unknown shape key"            "unknown shape key 'Cin'"     show "$d/bad-shape-key.md"
t "verify: invalid UTF-8 in a claim"   "bad-utf8.md:10:"              verify "$tmp/bad-utf8.md"
t "verify: shape value too large"      "huge-N.md:4:"                verify "$tmp/huge-N.md"
t "verify: shape N=0"                  "N must be at least 1"        verify "$tmp/zero-N.md"
t "verify: index too large for a long" "huge-index.md:10:"            verify "$tmp/huge-index.md"
t "verify: a let too large for memory" "huge-let.md:10:"              verify "$tmp/huge-let.md"
# options of verify
t "verify --shape garbage"             "--shape: expected seven integers"     verify --shape garbage "$d/good.md"
t "verify --shape with three numbers"  "--shape"                     verify --shape 1,2,3 "$d/good.md"
t "verify --shape overflowing a long"  "--shape"                     verify --shape 99999999999999999999,1,1,1,1,1,1 "$d/good.md"
t "verify --shape kernel too large"    "larger than the padded input" verify --shape 1,1,3,3,1,5,5 "$d/good.md"
t "verify --shape over the memory limit" "memory limit"              verify --shape 100000,1000,100,100,10,3,3 "$d/good.md"
t "verify --stride 0"                  "strh must be at least 1"     verify --shape 1,1,3,3,1,2,2 --stride 0 "$d/good.md"
t "verify --format xml"                "--format"                    verify --format xml "$d/good.md"
t "verify: unknown option"             "unknown option '--bogus'"    verify --bogus
# gradcheck
t "gradcheck --shape garbage"          "--shape: expected seven integers"     gradcheck --shape x
t "gradcheck --shape empty"            "--shape"                     gradcheck --shape ""
t "gradcheck --shape negative"         "N must be at least 1"        gradcheck --shape -1,1,3,3,1,2,2
t "gradcheck --shape over the memory limit" "memory limit"           gradcheck --shape 100000,100000,100,100,100,3,3
t "gradcheck --stride 0,0"             "--stride"                    gradcheck --stride 0,0
t "gradcheck --padding -1"             "--padding"                   gradcheck --padding -1
t "gradcheck --dilation 0"             "--dilation"                  gradcheck --dilation 0
t "gradcheck --eps abc"                "--eps"                       gradcheck --eps abc
t "gradcheck --eps -1"                 "--eps"                       gradcheck --eps -1
t "gradcheck --method sideways"        "--method"                    gradcheck --method sideways
t "gradcheck --sample -3"              "--sample"                    gradcheck --sample -3
t "gradcheck --seed x"                 "--seed"                      gradcheck --seed x
t "gradcheck --format yaml"            "--format"                    gradcheck --format yaml
t "gradcheck --dump onto a file"       "not a directory"             gradcheck --shape 1,1,3,3,1,2,2 --dump "$tmp/a-file"
# the tutor without a terminal, and the dispatcher
t "tutor: stdin not a terminal"        "convgrad verify"             tutor
t "tutor: and it points to show"       "convgrad show"               tutor
t "tutor on a lesson, no terminal"     "not a terminal"              tutor "$d/good.md"
t "no command, no terminal"            "convgrad verify"             
t "unknown command"                    "unknown command 'frobnicate'" frobnicate

# Output that cannot be written: /dev/full (ENOSPC at the flush) and a
# closed stdout, for every command and --help: a message, exit 2.
w() {   # w DESC SUBSTRING REDIRECT ARG...
	local desc=$1 want=$2 redir=$3 rc
	shift 3
	case $redir in
	full) $TIMEOUT "$CONVGRAD" "$@" </dev/null >/dev/full 2>"$err" ;;
	closed) $TIMEOUT "$CONVGRAD" "$@" </dev/null >&- 2>"$err" ;;
	esac
	rc=$?
	if [ "$rc" != 2 ] || ! grep -qF -- "$want" "$err"; then
		fail "$desc: exit $rc, want 2 and '$want'"
		diag "stderr: $(head -c 600 "$err")"
	else
		pass "$desc"
	fi
}
for redir in full closed; do
	want="write error on standard output: No space left on device"
	[ $redir = closed ] && want="standard output is closed"
	w "--help > $redir"               "$want" $redir --help
	w "--version > $redir"            "$want" $redir --version
	w "verify --help > $redir"        "$want" $redir verify --help
	w "verify > $redir"               "$want" $redir verify "$d/good.md"
	w "show > $redir"                 "$want" $redir show "$d/good.md"
	w "show --format markdown > $redir" "$want" $redir show --format markdown "$top_srcdir/lessons"
	w "gradcheck > $redir"            "$want" $redir gradcheck --shape 1,1,3,3,1,2,2
	w "gradcheck --help > $redir"     "$want" $redir gradcheck --help
done

# A sum over 1e11 terms at one tuple: finishes (a finding or a refusal)
# rather than running for hours; `timeout` turns a hang into a failure.
lesson huge-sum.md 'd f / d bias[c_out] = sum(i in 0..99999999999) 0'
if [ -n "$TIMEOUT" ]; then
	timeout 10 "$CONVGRAD" verify "$tmp/huge-sum.md" </dev/null >"$out" 2>"$err"
	rc=$?
	check "verify: a sum over 1e11 terms ends within 10 s (exit $rc)" \
		test "$rc" = 1 -o "$rc" = 2
fi

done_testing
