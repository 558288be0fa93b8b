#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run a scenario that must fail: non-zero exit, and stderr containing the
# text after "# expect-error: " on the scenario's first line; if the
# second line is "# expect-exit: N", exactly exit status N (2: the scenario
# is wrong, 1: it ran and failed).
cli=$1
scn=$2
want=$(sed -n '1s/^# expect-error: //p' "$scn")
want_rc=$(sed -n '2s/^# expect-exit: //p' "$scn")
out=$("$cli" run "$scn" 2>&1 >/dev/null)
rc=$?
if [ $rc -eq 0 ]; then
	echo "FAIL: $scn exited 0"
	exit 1
fi
if [ $rc -ge 128 ]; then
	echo "FAIL: $scn crashed (exit $rc): $out"
	exit 1
fi
if [ -n "$want_rc" ] && [ $rc -ne "$want_rc" ]; then
	echo "FAIL: $scn exited $rc, not $want_rc: $out"
	exit 1
fi
case "$out" in
*"$want"*) exit 0 ;;
esac
echo "FAIL: $scn: stderr lacks '$want':"
echo "$out"
exit 1
