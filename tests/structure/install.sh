#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# cmake --install into a fresh prefix installs the public header (and no
# kernel header), both libraries, a pkg-config file and the CLI; a C
# program then builds with `cc prog.c $(pkg-config --cflags --libs
# foliage)` and runs, linked to libfoliage.so and, statically, to
# libfoliage.a (beside a symbol of its own that foliage also uses
# internally: the sealed archive keeps its own local).
# Usage: install.sh BUILD_DIR SOURCE_DIR [EXTRA_CFLAGS]
set -eu
build=$1
src=$(cd "$2" && pwd)
extra=${3:-}
p=$(mktemp -d)
trap 'rm -rf "$p"' EXIT
cmake --install "$build" --prefix "$p/prefix" >/dev/null
for f in include/foliage/foliage.h lib/libfoliage.a lib/libfoliage.so \
	 lib/pkgconfig/foliage.pc bin/foliage; do
	[ -e "$p/prefix/$f" ] || { echo "not installed: $f" >&2; exit 1; }
done
if [ -e "$p/prefix/include/linux" ]; then
	echo "kernel headers installed under include/linux" >&2
	exit 1
fi
export PKG_CONFIG_PATH="$p/prefix/lib/pkgconfig"
cc=${CC:-cc}
cflags=$(pkg-config --cflags foliage)
# The shared library, as the README says.
$cc $extra -o "$p/prog" "$src/tests/structure/install_prog.c" \
	$(pkg-config --cflags --libs foliage)
LD_LIBRARY_PATH="$p/prefix/lib" "$p/prog"
# The static library: its private requirements come from --static.
$cc $extra -o "$p/prog-static" "$src/tests/structure/install_prog.c" \
	$cflags $(pkg-config --static --libs foliage |
		  sed 's/-lfoliage/-l:libfoliage.a/')
"$p/prog-static"
# The README's example, as printed, the same two ways.
sed -n '/^`lib\/pkgconfig\/foliage.pc` and `bin\/foliage`. A program/,/^builds and runs with/s/^    //p' \
	"$src/README.md" >"$p/example.c"
grep -q foliage_machine_create "$p/example.c" ||
	{ echo "README: no C example found" >&2; exit 1; }
$cc $extra -o "$p/example" "$p/example.c" \
	$(pkg-config --cflags --libs foliage)
LD_LIBRARY_PATH="$p/prefix/lib" "$p/example" >/dev/null
$cc $extra -o "$p/example-static" "$p/example.c" $cflags \
	$(pkg-config --static --libs foliage | sed 's/-lfoliage/-l:libfoliage.a/')
"$p/example-static" >/dev/null
# Nothing of the build tree leaks into the installed header's users.
if printf '%s\n' "$cflags" | grep -qF "$src"; then
	echo "pkg-config points into the source tree: $cflags" >&2
	exit 1
fi
echo "installed and built against $p/prefix: shared and static run"
