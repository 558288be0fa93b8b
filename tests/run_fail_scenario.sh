#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run a scenario that must fail: non-zero exit, and stderr containing the
# text after "# expect-error: " on the scenario's first line.
cli=$1
scn=$2
want=$(sed -n '1s/^# expect-error: //p' "$scn")
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
case "$out" in
*"$want"*) exit 0 ;;
esac
echo "FAIL: $scn: stderr lacks '$want':"
echo "$out"
exit 1
