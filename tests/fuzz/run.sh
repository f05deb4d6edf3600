#!/bin/sh
# run.sh SECONDS FUZZER...: run each libFuzzer harness for SECONDS seconds
# on a corpus seeded from the lessons and tests/data (make fuzz calls it).
# A crash, a sanitizer report, a timeout (10 s on one input) or a leak
# fails the run; the reproducer is printed (base64) and kept in
# fuzz-out/NAME/. Prints "fuzz: NAME passed|FAILED" for each.
set -u
secs=$1
shift
srcdir=${top_srcdir:-.}
out=fuzz-out
status=0

seed() {        # seed NAME DIR: the seed corpus of fuzzer NAME into DIR
	mkdir -p "$2"
	case $1 in
	fuzz-claim)
		# every line of every check block, one file each
		n=0
		for f in "$srcdir"/lessons/*.md "$srcdir"/tests/data/lessons/*.md; do
			awk '/^```check/{c=1;next} /^```/{c=0} c&&NF&&!/^#/' "$f"
		done | while IFS= read -r line; do
			n=$((n + 1))
			printf '%s' "$line" >"$2/claim-$n"
		done ;;
	fuzz-lesson)
		cp "$srcdir"/lessons/*.md "$srcdir"/tests/data/lessons/*.md "$2/" ;;
	fuzz-npy)
		cp "$srcdir"/tests/data/*.npy "$2/" ;;
	fuzz-tutor)
		printf 'jjjlll' >"$2/move"; printf '\n\tn' >"$2/open"
		printf 's3\n' >"$2/shape"; printf '?' >"$2/help"
		printf 'v' >"$2/verify" ;;
	esac
}

for fz in "$@"; do
	name=$(basename "$fz")
	dir=$out/$name
	rm -rf "$dir"
	mkdir -p "$dir/corpus"
	seed "$name" "$dir/seeds"
	if "$fz" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$dir/" \
	    "$dir/corpus" "$dir/seeds" >"$dir/log" 2>&1; then
		echo "fuzz: $name passed ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/log" | grep -o '[0-9]*$') runs in ${secs} s)"
	else
		status=1
		echo "fuzz: $name FAILED"
		grep -E 'ERROR|SUMMARY|==[0-9]+==|abort|round trip|does not parse' "$dir/log" | head -20
		for a in "$dir"/crash-* "$dir"/timeout-* "$dir"/leak-* "$dir"/oom-*; do
			[ -f "$a" ] || continue
			echo "reproducer $a (base64; run: $fz FILE):"
			base64 "$a"
		done
		tail -40 "$dir/log"
	fi
done
exit $status
