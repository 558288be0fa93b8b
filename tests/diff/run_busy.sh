#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run_busy.sh FOLIAGE GENERATOR N: foliage diff of the generator's N-region
# workload while another process churns anon_vma and anon_vma_chain
# objects (a loop forking and exec'ing), as other processes of a busy
# machine do.  The diff must pass: a system-wide count others can move is
# a note, never a divergence (docs/testing.md).  Its exit status.
foliage=$1
gen=$2
n=$3
(while :; do /bin/true; done) &
churn=$!
sh "$gen" "$n" | "$foliage" diff -
rc=$?
kill "$churn"
wait "$churn" 2>/dev/null
exit "$rc"
