#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# run_trace_scenario.sh CLI SCENARIO: run SCENARIO (which shows a trace)
# and compare its output with SCENARIO's .out beside it, the host thread
# id (the only host value a trace line prints) and its padding masked as
# "PID ".
cli=$1
scn=$2
"$cli" run "$scn" | sed -E 's/-[0-9]+ +\[/-PID [/' | diff -u "${scn%.scn}.out" -
