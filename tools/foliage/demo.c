// SPDX-License-Identifier: GPL-2.0
/*
 * foliage demo: a built-in scenario that shows the buddy allocator, the
 * zeroed-page tracking of seed 000 and the counters that prove it, then
 * free page reporting: a flush gives the host its memory back (its
 * memfd's backing goes down) and the allocator skips zeroing what the
 * host zeroed.  The
 * text is documented in docs/scenario.md; 'foliage demo --print' prints it.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "scenario.h"

static const char demo_scenario[] =
"# foliage demo: the buddy allocator and zeroed-page tracking (seed 000).\n"
"echo == Boot a guest: one NUMA node of 64 MiB, its RAM a real host memfd.\n"
"echo Free memory starts as sixteen order-10 (4 MiB) blocks:\n"
"machine nodes=1 mem=64M\n"
"show buddyinfo\n"
"echo\n"
"echo == Allocate two 2 MiB (order-9) folios with __GFP_ZERO.  A and B are\n"
"echo buddies: the two halves of one order-10 block, which is split.\n"
"echo post_alloc_hook() clears them: pgzero_cleared grows by 2 x 512.\n"
"mark\n"
"alloc A order=9 gfp=GFP_KERNEL|__GFP_COMP|__GFP_ZERO\n"
"alloc B order=9 gfp=GFP_KERNEL|__GFP_COMP|__GFP_ZERO\n"
"expect vmstat pgzero_cleared delta == 1024\n"
"expect bytes A 0\n"
"show buddyinfo\n"
"echo\n"
"echo == Free A with FPI_ZEROED (as a balloon deflate does): its contents\n"
"echo are known to be zero, so the free block carries PG_zeroed.  B is\n"
"echo still allocated, so A cannot merge: an order-9 block appears.\n"
"free A zeroed\n"
"drain\n"
"expect page A free buddy zeroed order=9\n"
"show buddyinfo\n"
"echo\n"
"echo == Allocate C with __GFP_ZERO: it gets A's block, and the allocator\n"
"echo skips the memset (pgzero_skipped grows by 512, pgzero_cleared not).\n"
"echo Taking the block clears PG_zeroed.\n"
"mark\n"
"alloc C order=9 gfp=GFP_KERNEL|__GFP_COMP|__GFP_ZERO\n"
"expect vmstat pgzero_skipped delta == 512\n"
"expect vmstat pgzero_cleared delta == 0\n"
"expect page A allocated notzeroed\n"
"expect bytes C 0\n"
"echo\n"
"echo == Write to C and read every byte back: guest RAM is real memory.\n"
"fill C 0x5a\n"
"expect bytes C 0x5a\n"
"echo\n"
"echo == Free C dirty and B zeroed: when the halves merge, the order-10\n"
"echo block is zeroed only if both were, so it is not.\n"
"free C\n"
"free B zeroed\n"
"drain\n"
"expect page A free buddy notzeroed order=10\n"
"show buddyinfo\n"
"check\n"
"expect bugs == 0\n"
"echo\n"
"echo == The counters, as /proc/vmstat prints them:\n"
"show vmstat pgzero\n"
"echo\n"
"echo == Free page reporting (seed 000): the guest tells its host which free\n"
"echo memory it does not use, and the host takes it back.  Plug in a\n"
"echo virtio-balloon device with free page reporting whose host says which\n"
"echo pages it zeroed (DEVICE_INIT_REPORTED).  Reporting leaves a zone 32\n"
"echo blocks of the reporting order (default 9, 2 MiB) above its low\n"
"echo watermark; this guest is small, so report from order 5 (128 KiB).\n"
"set page_reporting.page_reporting_order=5\n"
"device balloon features=reporting,device_init_reported\n"
"echo Write 16 MiB, so that the host really holds it, then free it:\n"
"alloc R1 order=10\n"
"alloc R2 order=10\n"
"alloc R3 order=10\n"
"alloc R4 order=10\n"
"fill R1 0x11\n"
"fill R2 0x11\n"
"fill R3 0x11\n"
"fill R4 0x11\n"
"free R1\n"
"free R2\n"
"free R3\n"
"free R4\n"
"drain\n"
"show host backed\n"
"echo\n"
"echo == A reporting flush (what 2 s of idle time would run on its own): the\n"
"echo guest hands its free blocks to the device, the host discards them with\n"
"echo fallocate(PUNCH_HOLE) on the node's memfd (node0_backed_bytes goes\n"
"echo down), and each block the host zeroed comes back Reported and zeroed.\n"
"set page_reporting.flush=512\n"
"show host backed\n"
"expect page R1 free buddy reported zeroed order=10\n"
"show balloon reported\n"
"echo\n"
"echo == Allocate 4 MiB with __GFP_ZERO: the allocator skips the memset (the\n"
"echo host already zeroed it), and the bytes read back as zeros.\n"
"mark\n"
"alloc Z order=10 gfp=GFP_KERNEL|__GFP_ZERO\n"
"expect vmstat pgzero_skipped delta == 1024\n"
"expect vmstat pgzero_cleared delta == 0\n"
"expect bytes Z 0\n"
"free Z\n"
"check\n"
"expect bugs == 0\n";

static void demo_usage(FILE *f)
{
	fprintf(f,
		"usage: foliage demo [--print] [--json] [--quiet]\n\n"
		"Run the built-in demo scenario: boot a guest, allocate and free\n"
		"zeroed folios, and watch the allocator skip a memset it does not\n"
		"need (seed 000); then a virtio-balloon reports free memory, the\n"
		"host takes it back, and the zeroing it did is not done again.\n\n"
		"options:\n"
		"  -p, --print  print the scenario instead of running it\n"
		"  -j, --json   'show' prints JSON\n"
		"  -q, --quiet  do not print each line before running it\n"
		"  -h, --help   this text\n");
}

int cmd_demo(int argc, char **argv)
{
	static const struct option options[] = {
		{ "print", no_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, verbose = true;
	FILE *in;
	int c, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "pjqh", options, NULL)) != -1) {
		switch (c) {
		case 'p':
			fputs(demo_scenario, stdout);
			return 0;
		case 'j':
			json = true;
			break;
		case 'q':
			verbose = false;
			break;
		case 'h':
			demo_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "foliage demo: unknown option '%s'\n"
				"Try 'foliage demo --help'.\n", argv[optind - 1]);
			return SCN_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "foliage demo: unexpected argument '%s'\n"
			"Try 'foliage demo --help'.\n", argv[optind]);
		return SCN_USAGE;
	}
	in = fmemopen((void *)demo_scenario, strlen(demo_scenario), "r");
	if (!in) {
		perror("foliage demo");
		return SCN_FAIL;
	}
	ret = scenario_exec("demo", in, json, verbose);
	fclose(in);
	return ret;
}
