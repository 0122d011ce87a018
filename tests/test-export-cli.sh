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

# A bad extension is a usage error (2) and writes nothing.
set +e
"$bpgraph" export "$dir/apples.bpgraph" -o "$dir/a.gif" 2>/dev/null; st=$?
set -e
[ "$st" -eq 2 ] || fail "bad extension: exit $st, not 2"
[ ! -e "$dir/a.gif" ] || fail "bad extension wrote a file"
echo "ok"
