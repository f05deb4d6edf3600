# tap.sh: TAP helpers for the black-box scripts. Source it, then:
#   plan N | ok COND-DESCRIPTION... | skip_all REASON | bail_out REASON | done_testing
# Every script finds the binary as $CONVGRAD (set by make check).
: "${CONVGRAD:=${top_builddir:-.}/convgrad}"
: "${top_srcdir:=.}"
tap_n=0
tap_failed=0
plan() { echo "1..$1"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
# bail_out REASON: stop the script, reported as an ERROR (the harness broke).
bail_out() { echo "Bail out! $*"; exit 1; }
pass() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
fail() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
# check DESCRIPTION COMMAND...: pass if the command succeeds.
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
done_testing() { echo "1..$tap_n"; exit 0; }
