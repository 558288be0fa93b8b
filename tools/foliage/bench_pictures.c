// SPDX-License-Identifier: GPL-2.0
/*
 * foliage bench pictures: drawing a large guest's physical memory map.
 *
 *   svg_64g     foliage_render(m, "pfnmap", FOLIAGE_RENDER_SVG) of a
 *		 one-node 64 GiB guest with 1 GiB of it in use (anonymous
 *		 memory touched by a task, so that the map has runs to draw):
 *		 16 Mi frames classified, aggregated 128 pages a cell
 *   text_64g    the same map as text
 *   pass_64g    the limit: one pass writing a byte per frame of the guest
 *		 (memset of 16 MiB), the least any map of every frame costs
 *   budget      the budget for the SVG, one second, as a row so
 *		 that the ratio below has its target
 *   svg_kib     the SVG's size, KiB
 *
 * The guest is created without prefault: its RAM is a sparse memfd and
 * its free max-order blocks are never read (mm_init.c), which is what a
 * picture of a mostly free large machine costs too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <foliage/foliage.h>

#include "bench.h"

#define PICT_RAM_BYTES		(64ULL << 30)
#define PICT_USED_BYTES		(1UL << 30)
#define PICT_FRAMES		(PICT_RAM_BYTES >> 12)
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

struct pict_bench {
	struct bench_report *r;		/* the report (r->round) */
	struct foliage_machine *m;	/* the guest */
	unsigned char *bytes;		/* a byte per frame, for the limit */
	double kib[BENCH_MAX_RUNS];	/* SVG size per round */
};

static int render_case(struct pict_bench *b, unsigned int flags,
		       double *value, bool size)
{
	uint64_t t0 = bench_now_ns();
	char *out = NULL;
	int ret = foliage_render(b->m, "pfnmap", flags, &out);

	*value = (bench_now_ns() - t0) / 1e6;
	if (!ret && size && b->r->round >= 0)
		b->kib[b->r->round] = strlen(out) / 1024.0;
	free(out);
	return ret;
}

static int svg_case(void *arg, double *value)
{
	return render_case(arg, FOLIAGE_RENDER_SVG, value, true);
}

static int text_case(void *arg, double *value)
{
	return render_case(arg, 0, value, false);
}

static int pass_case(void *arg, double *value)
{
	struct pict_bench *b = arg;
	uint64_t t0 = bench_now_ns();

	memset(b->bytes, b->r->round & 0xff, PICT_FRAMES);
	__asm__ volatile("" : : "r"(b->bytes) : "memory");
	*value = (bench_now_ns() - t0) / 1e6;
	return 0;
}

static int budget_case(void *arg, double *value)
{
	*value = 1000.0;	/* ms: the target, not a measurement */
	return 0;
}

/* A task with PICT_USED_BYTES of touched anonymous memory. */
static int populate(struct foliage_machine *m)
{
	struct foliage_task *t;
	unsigned long addr;
	int ret;

	ret = foliage_task_create(m, "t", &t);
	if (ret)
		return ret;
	ret = foliage_mmap(t, 0, PICT_USED_BYTES, FOLIAGE_PROT_READ |
			   FOLIAGE_PROT_WRITE, FOLIAGE_MAP_PRIVATE |
			   FOLIAGE_MAP_ANONYMOUS, NULL, 0, &addr);
	return ret ?: foliage_madvise(t, addr, PICT_USED_BYTES,
				      FOLIAGE_MADV_POPULATE_WRITE);
}

int bench_pictures(struct bench_report *r)
{
	struct foliage_config cfg;
	struct pict_bench b = { .r = r };
	const struct bench_case cases[] = {
		{ "svg_64g", "pfnmap SVG of a 64 GiB guest", "ms", svg_case,
		  &b },
		{ "text_64g", "pfnmap text of a 64 GiB guest", "ms", text_case,
		  &b },
		{ "pass_64g", "a byte written per frame (memset)", "ms",
		  pass_case, &b },
		{ "budget", "the budget: one second", "ms", budget_case, &b },
	};
	int ret;

	foliage_config_init(&cfg);
	cfg.nr_nodes = 1;
	cfg.bytes_per_node = PICT_RAM_BYTES;
	snprintf(r->config, sizeof(r->config),
		 "1 node x 64 GiB, 1 GiB of it anonymous and touched%s",
		 foliage_debug_vm() ? ", CONFIG_DEBUG_VM build" : "");
	b.bytes = malloc(PICT_FRAMES);
	if (!b.bytes)
		return -ENOMEM;
	ret = foliage_machine_create(&cfg, &b.m);
	if (ret) {
		free(b.bytes);
		return ret;
	}
	ret = populate(b.m);
	if (!ret)
		ret = bench_run_cases(r, cases, ARRAY_SIZE(cases));
	if (ret >= 0)
		ret = bench_add_row(r, "svg_kib", "pfnmap SVG size", "KiB",
				    b.kib);
	if (ret >= 0)
		ret = bench_compare(r, "SVG of 64 GiB / the one-second budget",
				    "svg_64g", "budget", BENCH_AT_MOST, 1.0) ?:
		      bench_compare(r, "SVG of 64 GiB / a byte per frame",
				    "svg_64g", "pass_64g", BENCH_NO_TARGET, 0);
	foliage_machine_destroy(b.m);
	free(b.bytes);
	return ret < 0 ? ret : 0;
}
