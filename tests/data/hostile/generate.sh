#!/bin/sh
# generate.sh DIR: write the large hostile cases into DIR (they are made
# here rather than committed at size). tests/hostile.sh replays them with
# the small ones of this directory; cases.txt says what each must do.
set -eu
dir=$1
mkdir -p "$dir"
shape='```shape
N=1 C_in=1 H_in=3 W_in=3 C_out=1 R=2 S=2 strh=1 strw=1
```'
# lesson NAME: a one-step lesson whose check block is standard input; its
# claim starts at line 10.
lesson() {
	{ printf '# Hostile\n\n%s\n\n## Step\n\n```check\n' "$shape"; cat; printf '\n```\n'; } >"$dir/$1"
}
# terms N SEP GROUP: N terms "0" joined by " + ", in parentheses of GROUP
# terms each when GROUP > 0
terms() {
	awk -v n="$1" -v g="$2" 'BEGIN {
		for (i = 0; i < n; i++) {
			if (i > 0) printf " + "
			if (g > 0 && i % g == 0) printf "("
			printf "0"
			if (g > 0 && (i % g == g - 1 || i == n - 1)) printf ")"
		}
	}'
}
# a 40,000-term chain (160 KB): overflowed the stack of verify, show and
# the tutor; now refused, too deep
{ printf 'output[b,c_out,h_out,w_out] = output[b,c_out,h_out,w_out] + '; terms 40000 0; } | lesson chain-40000.md
# 16,000 terms in 16 groups: took 16-25 s to show; now well under a second
{ printf 'output[b,c_out,h_out,w_out] = output[b,c_out,h_out,w_out] + '; terms 16000 1000; } | lesson chain-16000.md
# an error in the middle of a 200 KB line: the message quotes 120 bytes
{ printf 'output[b,c_out,h_out,w_out] = '; terms 25000 100; printf ' + $ + '; terms 25000 100; } | lesson long-line.md
# 50,000 nested block quotes, 100,000 nested list markers
{ printf '# Hostile\n\n'; awk 'BEGIN { for (i = 0; i < 50000; i++) printf "> "; print "x" }'; printf '\n## Step\n'; } >"$dir/quotes-50000.md"
{ printf '# Hostile\n\n'; awk 'BEGIN { for (i = 0; i < 100000; i++) printf "- "; print "x" }'; printf '\n## Step\n'; } >"$dir/lists-100000.md"
# a 5 MB lesson, over the 4 MiB cap
{ printf '# Big\n\n'; awk 'BEGIN { s = "padding padding padding padding padding padding padding pad\n"; for (i = 0; i < 85000; i++) printf "%s", s }'; } >"$dir/big.md"
# a FIFO: open() would wait for a writer
rm -f "$dir/fifo.md"
mkfifo "$dir/fifo.md"
