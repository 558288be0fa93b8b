#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The library exports foliage_* and nothing else: every global symbol
# defined in libfoliage.a and every dynamic symbol defined in libfoliage.so
# starts with foliage_, and every function foliage.h declares is exported.
# Usage: sealed.sh FOLIAGE.H LIBFOLIAGE.a [LIBFOLIAGE.so]
set -eu
fail=0
header=$1
shift
declared=$(grep -oE '^[a-z][a-z0-9_ *]*[ *]foliage_[a-z0-9_]+\(' "$header" |
	   sed -E 's/.*(foliage_[a-z0-9_]+)\($/\1/' | sort -u)
check() {
	what=$1
	shift
	syms=$(nm "$@" | awk 'NF == 3 && $2 ~ /[A-TV-Z]/ { print $3 }' | sort -u)
	bad=$(printf '%s\n' "$syms" | grep -v '^foliage_' | grep -v '^$' || true)
	nr=$(printf '%s\n' "$syms" | grep -c '^foliage_' || true)
	if [ -n "$bad" ]; then
		echo "$what exports non-foliage_ symbols:" >&2
		printf '  %s\n' $bad >&2
		fail=1
	fi
	if ! printf '%s\n' "$syms" | grep -qx foliage_machine_create; then
		echo "$what does not export foliage_machine_create" >&2
		fail=1
	fi
	for f in $declared; do
		if ! printf '%s\n' "$syms" | grep -qx "$f"; then
			echo "$what: $f is declared in foliage.h but not exported" >&2
			fail=1
		fi
	done
	echo "$what: $nr foliage_* symbols, no other"
}
check "$1" -g --defined-only "$1"
if [ $# -ge 2 ]; then
	check "$2" -D --defined-only "$2"
fi
exit $fail
