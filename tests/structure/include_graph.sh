#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The headers' include graph has no cycle (tsort finds none): a header
# never needs to be included before another to compile.  Nodes are
# include/**.h, arch/*/include/**.h and mm/*.h; edges are their #include
# lines naming another of them.  Usage: include_graph.sh SOURCE_DIR
set -eu
src=$1
cd "$src"
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
for f in include/*/*.h include/*/*/*.h arch/*/include/*/*.h mm/*.h; do
	[ -f "$f" ] || continue
	case $f in
	mm/*)	self=${f} ;;
	arch/*)	self=${f#arch/*/include/} ;;
	*)	self=${f#include/} ;;
	esac
	echo "$self $self" >>"$edges"
	sed -n 's/^#include [<"]\([^>"]*\)[>"].*/\1/p' "$f" | while read -r inc; do
		case $f in
		mm/*)	[ -f "mm/$inc" ] && inc="mm/$inc" ;;
		esac
		if [ -f "include/$inc" ] || [ -f "$inc" ] ||
		   ls arch/*/include/"$inc" >/dev/null 2>&1; then
			echo "$self $inc" >>"$edges"
		fi
	done
done
if ! tsort "$edges" >/dev/null 2>"$edges.err"; then
	echo "include cycle:" >&2
	cat "$edges.err" >&2
	rm -f "$edges.err"
	exit 1
fi
rm -f "$edges.err"
echo "include graph: $(wc -l <"$edges") edges, no cycle"
