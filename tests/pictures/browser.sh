#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Usage: browser.sh FOLIAGE_CLI SOURCE_DIR
# Opens small.scn's report and its SVG in headless Chromium (Debian's
# chromium: sh tools/install-deps.sh pictures, which .ci/run does): each
# must render (its screenshot at least twice a blank page's of the same
# size: drawn, not empty) and raise no error (no console error, and the
# DOM has the timeline).  Skips (77) saying why where there is no Chromium.
set -eu
cli=$1
src=$2
browser=""
for b in chromium chromium-browser google-chrome; do
	if command -v "$b" >/dev/null 2>&1; then
		browser=$b
		break
	fi
done
if [ -z "$browser" ]; then
	echo "skipped: no Chromium here (sh tools/install-deps.sh pictures" \
	     "installs Debian's chromium)" >&2
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
"$cli" run --report rep "$src/small.scn" >/dev/null
printf '<!DOCTYPE html><html><body></body></html>\n' >blank.html
shot() {
	# $1 page, $2 png; a private profile, no sandbox (CI runs as root).
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
		--hide-scrollbars --user-data-dir="$tmp/profile" \
		--enable-logging=stderr --v=0 --window-size=1280,1600 \
		--screenshot="$tmp/$2" "file://$tmp/$1" >>"$tmp/log" 2>&1
	[ -s "$tmp/$2" ] || { echo "$1: no screenshot" >&2; cat "$tmp/log" >&2;
			      exit 1; }
}
shot blank.html blank.png
shot rep/index.html report.png
shot small.svg svg.png
blank=$(wc -c <blank.png)
for png in report.png svg.png; do
	size=$(wc -c <"$png")
	if [ "$size" -lt $((blank * 2)) ]; then
		echo "$png: $size bytes against a blank page's $blank:" \
		     "nothing drawn?" >&2
		exit 1
	fi
done
if grep -E 'CONSOLE|Uncaught|SyntaxError' "$tmp/log" >&2; then
	echo "the pages raised errors (above)" >&2
	exit 1
fi
timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
	--user-data-dir="$tmp/profile" --dump-dom "file://$tmp/rep/index.html" \
	2>/dev/null >dom.html
grep -q '<h2>Timeline</h2>' dom.html || { echo "report DOM incomplete" >&2;
					   exit 1; }
echo "rendered: report $(wc -c <report.png) bytes, svg $(wc -c <svg.png)" \
     "bytes, blank $blank bytes"
