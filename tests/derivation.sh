#!/bin/sh
# derivation.sh: docs/derivation.md is generated from the lessons, so that
# every formula in it is a claim the verifier checks. Regenerate it into a
# temporary file and compare; on a mismatch, print the difference and the
# command that brings the document back in step.
. "$top_srcdir/tests/tap.sh"

doc="$top_srcdir/docs/derivation.md"
tmp=$(mktemp "${TMPDIR:-/tmp}/derivation.XXXXXX") || skip_all "mktemp failed"
trap 'rm -f "$tmp" "$tmp.err"' EXIT

# The lessons are named relative to the source tree, as in the command a
# maintainer runs, so that nothing in the output depends on where the build is.
regen() { (cd "$top_srcdir" && "$CONVGRAD" show --format markdown lessons/*.md); }
regen_cmd="cd '$top_srcdir' && '$CONVGRAD' show --format markdown lessons/*.md > docs/derivation.md"

if regen >"$tmp" 2>"$tmp.err"; then
	pass "convgrad show --format markdown renders every lesson"
else
	rc=$?
	if grep -q "not built yet" "$tmp.err"; then
		skip_all "convgrad show is not built yet"
	fi
	fail "convgrad show --format markdown renders every lesson (exit $rc)"
	diag "$(cat "$tmp.err")"
fi

if [ ! -f "$doc" ]; then
	fail "docs/derivation.md exists"
elif cmp -s "$tmp" "$doc"; then
	pass "docs/derivation.md is in step with the lessons"
else
	fail "docs/derivation.md is in step with the lessons"
	diag "docs/derivation.md differs from what the lessons give:"
	diag "$(diff -u "$doc" "$tmp" | head -n 200)"
	diag "regenerate it with:" "  $regen_cmd"
fi

# That every claim of the lessons holds (and every erratum is refuted), at
# the default shape and others, is tests/lessons.sh's part.

done_testing
