#!/bin/sh
# SPDX-License-Identifier: MIT
# `bpgraph export` end to end: SVG checked by rsvg-convert (librsvg), PDF by
# pdfinfo (poppler), PNG at a scale by its header. Usage: test-export-cli.sh BPGRAPH
set -eu
bpgraph="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bpgraph" examples apples -o "$dir/apples.bpgraph" || fail "examples apples"

"$bpgraph" export "$dir/apples.bpgraph" -o "$dir/a.svg" --pass backward || fail "export svg"
head -c 200 "$dir/a.svg" | grep -q '<?xml' || fail "svg has no xml header"
grep -q 'width="[0-9.]*px"' "$dir/a.svg" || fail "svg not in px"
if command -v rsvg-convert >/dev/null; then
  rsvg-convert -o "$dir/a-from-svg.png" "$dir/a.svg" || fail "rsvg-convert rejected the svg"
  [ -s "$dir/a-from-svg.png" ] || fail "rsvg-convert wrote nothing"
fi

"$bpgraph" export "$dir/apples.bpgraph" -o "$dir/a.pdf" --pass forward --step 2 || fail "export pdf"
if command -v pdfinfo >/dev/null; then
  pdfinfo "$dir/a.pdf" | grep -Eq '^Pages: +1$' || fail "pdfinfo: not one page"
fi

"$bpgraph" export "$dir/apples.bpgraph" -o "$dir/a1.png" || fail "export png"
"$bpgraph" export "$dir/apples.bpgraph" -o "$dir/a2.png" --scale 2 --dark || fail "export png x2"
# PNG width: big-endian 32 bits at offset 16.
w1=$(od -An -tu1 -j16 -N4 "$dir/a1.png" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
w2=$(od -An -tu1 -j16 -N4 "$dir/a2.png" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
[ "$w1" -gt 100 ] || fail "png too small ($w1)"
d=$((w2 - 2 * w1)); [ "${d#-}" -le 2 ] || fail "scale 2 gives $w2 px, not twice $w1"

"$bpgraph" export -e 'x = 3
y = exp(x) * x' -o "$dir/e.svg" || fail "export -e"
[ -s "$dir/e.svg" ] || fail "export -e wrote nothing"

# SVG with real text; TikZ.
grep -q '<text[^>]*font-family=[^>]*>220</text>' "$dir/a.svg" || fail "svg: 220 is not a <text>"
grep -q '<g id="node-apple"' "$dir/a.svg" || fail "svg: no group for the node apple"
"$bpgraph" export "$dir/apples.bpgraph" -o "$dir/a.tex" || fail "export tex"
grep -q 'begin{tikzpicture}' "$dir/a.tex" || fail "tex: no tikzpicture"

# The text transcript: the graph and both passes in words, the book's numbers.
"$bpgraph" export "$dir/apples.bpgraph" -o "$dir/a.txt" 2>"$dir/txt.err" || fail "export txt"
[ ! -s "$dir/txt.err" ] || fail "export txt said: $(cat "$dir/txt.err")"
grep -q '^Forward pass:$' "$dir/a.txt" || fail "txt: no forward pass"
grep -q 'computes 220 from' "$dir/a.txt" || fail "txt: no price 220"
grep -q '^- Backward step 5 of 5: ' "$dir/a.txt" || fail "txt: no last backward step"
grep -q 'receives the gradient 2.2' "$dir/a.txt" || fail "txt: no d apple 2.2"
grep -q 'receives the gradient 110' "$dir/a.txt" || fail "txt: no d count 110"
set +e
"$bpgraph" export "$dir/apples.bpgraph" -o "$dir/b.txt" --pass forward 2>/dev/null; st=$?
set -e
[ "$st" -eq 2 ] || fail "txt with --pass: exit $st, not 2"

# Every step of both passes: numbered SVGs of one size, or one PDF page each.
"$bpgraph" export "$dir/apples.bpgraph" --steps "$dir/steps" >/dev/null || fail "export --steps DIR"
n=$(ls "$dir/steps" | grep -c '^step-[0-9][0-9]\.svg$')
[ "$n" -eq 10 ] || fail "--steps DIR wrote $n files, not 10"
sizes=$(for f in "$dir"/steps/*.svg; do grep -o 'width="[^"]*" height="[^"]*" viewBox="[^"]*"' "$f" | head -1; done | sort -u | wc -l)
[ "$sizes" -eq 1 ] || fail "step frames differ in size ($sizes sizes)"
"$bpgraph" export "$dir/apples.bpgraph" --steps "$dir/steps.pdf" >/dev/null || fail "export --steps PDF"
if command -v pdfinfo >/dev/null; then
  pdfinfo "$dir/steps.pdf" | grep -Eq '^Pages: +10$' || fail "steps.pdf: not 10 pages"
fi

# A PNG over the size limit is fitted to it, and the scale is said.
{ echo 'x0 = 1'; i=1; while [ $i -le 150 ]; do echo "x$i = tanh(x$((i-1)) * 1.01 + 0.1)"; i=$((i+1)); done; } >"$dir/chain.bpx"
"$bpgraph" export "$dir/chain.bpx" -o "$dir/huge.png" --scale 2 2>"$dir/huge.err" \
  || fail "a PNG over the limit was refused"
grep -q 'scale' "$dir/huge.err" || fail "the fitted scale was not said"
wh=$(od -An -tu1 -j16 -N4 "$dir/huge.png" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
[ "$wh" -le 16384 ] || fail "fitted PNG is $wh px wide"

# A bad extension is a usage error (2) and writes nothing.
set +e
"$bpgraph" export "$dir/apples.bpgraph" -o "$dir/a.gif" 2>/dev/null; st=$?
set -e
[ "$st" -eq 2 ] || fail "bad extension: exit $st, not 2"
[ ! -e "$dir/a.gif" ] || fail "bad extension wrote a file"
echo "ok"
