#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages foliage builds and tests with, if missing.
#
#   sh tools/install-deps.sh        what 'make' and 'make check' need: the
#                                   compiler and build tools, the libraries,
#                                   and valgrind (make check's leak check)
#   sh tools/install-deps.sh fuzz   also clang and its libFuzzer runtime
#                                   (make fuzz only)
#   sh tools/install-deps.sh pictures  also Debian's chromium, with which
#                                   a test renders the pictures (it skips,
#                                   saying why, where there is none)
set -e
pkgs="gcc make cmake ninja-build pkg-config libcmocka-dev libjson-c-dev
      libbsd-dev valgrind libxml2-dev libxml2-utils"
if [ "$1" = pictures ]; then
	pkgs="$pkgs chromium"
fi
if [ "$1" = fuzz ]; then
	pkgs="$pkgs clang"
	# libFuzzer comes with clang's runtime, named after its version.
	if command -v clang >/dev/null 2>&1; then
		major=$(clang -dumpversion | cut -d. -f1)
		pkgs="$pkgs libclang-rt-$major-dev"
	fi
fi
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "install-deps: need root or sudo to install:$missing" >&2
	exit 1
fi
echo "install-deps: installing$missing"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
# clang was just installed: its runtime's name was not known before.
if [ "$1" = fuzz ] && ! dpkg-query -W -f='${Status}' \
	"libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev" 2>/dev/null |
	grep -q "ok installed"; then
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		"libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev" >/dev/null
fi
