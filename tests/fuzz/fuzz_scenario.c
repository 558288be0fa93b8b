// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: one input is one scenario, read and run by the same
 * reader and runner as 'foliage run' (tools/foliage/scenario.c and the
 * verbs), on the library built with ASan, UBSan and CONFIG_DEBUG_VM.
 * Any crash, sanitizer report, leak, hang or recorded bug is a finding:
 * the runner must end every input with exit status 0, 1 or 2 and a
 * message, and leave nothing behind.  A guest is capped at 256 MiB so an
 * input cannot exhaust the host; 'show' output goes to /dev/null.
 *
 *	make fuzz			a bounded run (FUZZ_TIME=60 seconds)
 *	docs/fuzzing.md			running it longer, reproducing a crash
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "scenario.h"

#define FUZZ_MAX_GUEST	(256ULL << 20)

static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario s;
	FILE *in;
	int ret;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (!size)
		return 0;
	in = fmemopen((void *)data, size, "r");
	if (!in || !devnull)
		abort();
	scenario_init(&s, "fuzz", devnull);
	s.max_guest_bytes = FUZZ_MAX_GUEST;
	ret = scenario_run(&s, in);
	scenario_destroy(&s);
	fclose(in);
	/* The runner's only statuses; anything else is a bug in it. */
	if (ret != SCN_OK && ret != SCN_FAIL && ret != SCN_USAGE)
		abort();
	return 0;
}
