#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Usage: run_pictures.sh FOLIAGE_CLI SOURCE_DIR
# Runs small.scn with --report: its SVG must be byte-for-byte
# expected/small.svg, and both the SVG and the report well-formed XML
# (xmllint, where installed: sh tools/install-deps.sh), the report with a
# chart per quantity and a map per snapshot.
set -eu
cli=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
"$cli" run --report rep "$src/small.scn" >out.txt
if ! cmp -s small.svg "$src/expected/small.svg"; then
	echo "small.svg differs from $src/expected/small.svg:" >&2
	diff "$src/expected/small.svg" small.svg | head -20 >&2
	exit 1
fi
if command -v xmllint >/dev/null 2>&1; then
	xmllint --noout small.svg rep/index.html
else
	echo "note: no xmllint: well-formedness not checked here" >&2
fi
# 4 snapshots: 4 maps; charts: free blocks, 2 indices, 3 counters.
maps=$(grep -c '<g class="pm">' rep/index.html)
charts=$(grep -c '<g class="ct">' rep/index.html)
if [ "$maps" -ne 4 ] || [ "$charts" -ne 6 ]; then
	echo "report: $maps maps (want 4), $charts charts (want 6)" >&2
	exit 1
fi
for step in boot touched cow freed; do
	grep -q "<label for=\"s[0-9]\" title=\"line [0-9]*\">$step</label>" \
		rep/index.html || { echo "report: no step $step" >&2; exit 1; }
done
# The same input, the same bytes.
"$cli" run --report rep2 "$src/small.scn" >/dev/null
cmp rep/index.html rep2/index.html
