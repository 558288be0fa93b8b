#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cli_expect.sh STATUS MESSAGE COMMAND [ARGS...]: run COMMAND (within 20
# seconds) and require exit status STATUS and MESSAGE in its stderr.
want_rc=$1
want=$2
shift 2
out=$(timeout 20 "$@" 2>&1 >/dev/null)
rc=$?
if [ $rc -ne "$want_rc" ]; then
	echo "FAIL: '$*' exited $rc, not $want_rc: $out"
	exit 1
fi
case "$out" in
*"$want"*) exit 0 ;;
esac
echo "FAIL: '$*': stderr lacks '$want':"
echo "$out"
exit 1
