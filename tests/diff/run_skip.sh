#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run a scenario that this host cannot follow (tests/diff/skip/*.scn):
# 'foliage diff' must skip it (exit 77) with the reason its first line
# gives ("# expect-skip: ..."), and this test then passes.  A host that
# can follow it (more NUMA nodes) must run it without divergence.  Where
# diff skips for another reason (not root), the test is skipped.
cli=$1
scn=$2
want=$(sed -n '1s/^# expect-skip: //p' "$scn")
out=$("$cli" diff "$scn" 2>&1 >/dev/null)
rc=$?
[ $rc -eq 0 ] && exit 0
if [ $rc -eq 77 ]; then
	case "$out" in
	*"skipped: $scn:"*"$want"*) exit 0 ;;
	esac
	echo "$out"
	exit 77
fi
echo "FAIL: $scn (exit $rc) was not skipped as it says:"
echo "  want: skipped: $scn:LINE: $want"
echo "  got:  $out"
exit 1
