#!/bin/bash
# docs-sync.sh: the man page documents every option that --help lists, for
# every command, and every key the tutor's key table binds (convgrad tutor
# --keys). Docs move with code: a new option or key without its line in
# docs/convgrad.1 fails here.
. "$top_srcdir/tests/tap.sh"
man="$top_srcdir/docs/convgrad.1"
[ -r "$man" ] || { echo "1..1"; echo "not ok 1 - $man is missing"; exit 0; }
# The man source writes '-' as '\-'; compare on the unescaped text.
mantext=$(sed 's/\\-/-/g' "$man")

for cmd in "" gradcheck verify show tutor lab; do
	help=$("$CONVGRAD" $cmd --help 2>&1)
	opts=$(printf '%s\n' "$help" | grep -oE -- '--[a-z][a-z-]+' | sort -u)
	[ -n "$opts" ] || { fail "convgrad $cmd --help lists options"; continue; }
	for o in $opts; do
		if printf '%s\n' "$mantext" | grep -qF -- "$o"; then
			pass "man page documents convgrad $cmd $o"
		else
			fail "man page documents convgrad $cmd $o"
		fi
	done
done

# Keys: every key label of the tutor's table appears in the man page's Keys
# section (labels are words like Enter, PgDn, F1, or single characters).
if keys=$("$CONVGRAD" tutor --keys 2>/dev/null) && [ -n "$keys" ]; then
	keysec=$(printf '%s\n' "$mantext" | sed -n '/^\.SS Keys/,/^\.SH/p')
	while IFS=$'\t' read -r screen key what; do
		[ -n "$key" ] || continue
		if printf '%s\n' "$keysec" | grep -qF -- "$key"; then
			pass "man page documents key '$key' ($screen: $what)"
		else
			fail "man page documents key '$key' ($screen: $what)"
		fi
	done <<<"$keys"
else
	fail "convgrad tutor --keys prints the key table"
fi
done_testing
