#!/bin/bash
# html-screenshot.sh: a handout drawn by a real browser. Headless Chromium
# takes a screenshot of `convgrad show --format html` on the fixture
# lesson, read as XHTML (application/xhtml+xml, from a .xhtml file) and as
# HTML (text/html, from a .html file); the PNG is decoded (Python's zlib and NumPy)
# and must show the grids' window cells (the SVG drew) on the claims' box
# colour (the inline style applied). Skipped where Chromium or Python 3
# with NumPy is absent: Chromium is optional, never installed by scripts/install-deps.sh.
. "$top_srcdir/tests/tap.sh"
chrome=""
for c in chromium chromium-browser google-chrome google-chrome-stable; do
	command -v "$c" >/dev/null 2>&1 && { chrome=$c; break; }
done
[ -n "$chrome" ] || skip_all "no Chromium (chromium, google-chrome) found"
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) || skip_all "python3 not found"
"$py" -c 'import numpy' 2>/dev/null || skip_all "NumPy for $py not found"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$CONVGRAD" show --format html "$top_srcdir/tests/data/lessons/good.md" \
	>"$tmp/page.xhtml" || { fail "show --format html"; done_testing; }
cp "$tmp/page.xhtml" "$tmp/page.html"

# PNG -> "WIDTH HEIGHT WINDOW_PIXELS BOX_PIXELS DARK_PIXELS": 8-bit RGB or
# RGBA, non-interlaced (what Chromium writes), every filter type undone
# (Sub and Up with NumPy, Average and Paeth byte by byte).
cat >"$tmp/png.py" <<'EOF'
import struct, sys, zlib
import numpy as np
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat = 8, b''
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype, _, _, lace = struct.unpack('>IIBBBBB', body)
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
assert depth == 8 and ctype in (2, 6) and lace == 0, (depth, ctype, lace)
bpp = 3 if ctype == 2 else 4
rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, w * bpp + 1)
img = np.zeros((h, w * bpp), np.uint8)
prev = np.zeros(w * bpp, np.uint8)
for y in range(h):
    f, line = rows[y, 0], rows[y, 1:].astype(np.int64)
    if f == 1:
        line = np.cumsum(line.reshape(w, bpp), axis=0).reshape(-1)
    elif f == 2:
        line = line + prev
    elif f in (3, 4):
        up, line = prev.tolist(), line.tolist()
        for i in range(w * bpp):
            a = line[i - bpp] if i >= bpp else 0
            b, c = up[i], up[i - bpp] if i >= bpp else 0
            if f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            else:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else
                    b if pb <= pc else c)) & 255
        line = np.array(line, np.int64)
    prev = img[y] = (line & 255).astype(np.uint8)
px = img.reshape(h, w, bpp)[:, :, :3].astype(np.int64)
def count(rgb):
    return int(np.all(px == rgb, axis=2).sum())
print(w, h, count((0x7f, 0xb3, 0xe6)), count((0xf8, 0xfb, 0xf8)),
      int((px.sum(axis=2) < 200).sum()))
EOF

for kind in xhtml html; do
	rm -f "$tmp/shot.png"
	timeout 120 "$chrome" --headless --no-sandbox --disable-gpu \
		--hide-scrollbars --no-first-run --user-data-dir="$tmp/profile" \
		--window-size=800,900 --screenshot="$tmp/shot.png" \
		"file://$tmp/page.$kind" >"$tmp/log" 2>&1
	if [ ! -s "$tmp/shot.png" ]; then
		fail "$kind: Chromium wrote a screenshot"
		diag "$(tail -5 "$tmp/log")"
		continue
	fi
	pass "$kind: Chromium wrote a screenshot"
	read -r w h win box dark < <("$py" "$tmp/png.py" "$tmp/shot.png")
	check "$kind: 800x900 (got ${w}x$h)" test "$w" = 800 -a "$h" = 900
	# The first grid's window is R*S = 6 cells of 18 px less their
	# strokes: about 1700 px of #7fb3e6 on the first screen.
	check "$kind: the grids' window cells drawn ($win px of #7fb3e6)" \
		test "${win:-0}" -ge 1000
	check "$kind: the style applied, the claims' box ($box px of #f8fbf8)" \
		test "${box:-0}" -ge 20000
	check "$kind: text drawn ($dark dark px)" test "${dark:-0}" -ge 2000
done
done_testing
