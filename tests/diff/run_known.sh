#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run a known divergence (tests/diff/known/*.scn): 'foliage diff' must
# report exactly the divergence its first line names ("# diverges: ...").
# When the bug is fixed this fails, on purpose: move the scenario up to
# tests/diff/ as a regression test.  Exit 77 (skipped) where diff skips.
cli=$1
scn=$2
want=$(sed -n '1s/^# diverges: //p' "$scn")
out=$("$cli" diff "$scn" 2>&1 >/dev/null)
rc=$?
[ $rc -eq 77 ] && { echo "$out"; exit 77; }
if [ $rc -eq 1 ]; then
	case "$out" in
	*"diverged: $want"*) exit 0 ;;
	esac
fi
echo "FAIL: $scn (exit $rc) no longer diverges as it says:"
echo "  want: diverged: $want"
echo "  got:  $out"
echo "If foliage was fixed, move $scn up to tests/diff/ without its first line."
exit 1
