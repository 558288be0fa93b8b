// SPDX-License-Identifier: GPL-2.0
/*
 * fail_page_alloc: deterministic fault injection for the page allocator,
 * with the knobs and semantics of lib/fault-inject.c and
 * mm/fail_page_alloc.c (probability, interval, times, min-order,
 * ignore-gfp-wait, ignore-gfp-highmem), plus a seed for its PRNG.
 *
 * Linux's defaults: probability 0 (off), interval 1, times 1, min-order 1,
 * ignore-gfp-wait and ignore-gfp-highmem on.  "Fail the Nth allocation"
 * is probability=100 interval=N times=1 with the ignore knobs off and
 * min-order 0.
 */
#include "internal.h"
#include <linux/machine_subsys.h>

void fault_attr_init(struct fault_attr *attr)
{
	attr->probability = 0;
	attr->interval = 1;
	attr->times = 1;
	attr->min_order = 1;
	attr->ignore_gfp_reclaim = true;
	attr->ignore_gfp_highmem = true;
	attr->seed = 1;
	attr->rng = 1;
	attr->calls = 0;
	attr->failures = 0;
	spin_lock_init(&attr->lock);
}

/* splitmix64: small, fast and good enough for fault injection. */
static u64 fault_rand(struct fault_attr *attr)
{
	u64 z = (attr->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

bool should_fail(struct fault_attr *attr)
{
	lockdep_assert_held(&attr->lock);

	if (attr->times == 0)
		return false;
	if (attr->interval > 1) {
		attr->calls++;
		if (attr->calls % attr->interval)
			return false;
	}
	if (attr->probability <= fault_rand(attr) % 100)
		return false;
	if (attr->times != -1)
		attr->times--;
	attr->failures++;
	return true;
}

bool __should_fail_alloc_page(gfp_t gfp, unsigned int order)
{
	struct fault_attr *attr = &this_machine->fault_inject->fail_page_alloc;
	bool fail;

	if (order < attr->min_order)
		return false;
	if (gfp & __GFP_NOFAIL)
		return false;
	if (attr->ignore_gfp_highmem && (gfp & __GFP_HIGHMEM))
		return false;
	if (attr->ignore_gfp_reclaim && (gfp & __GFP_DIRECT_RECLAIM))
		return false;
	spin_lock(&attr->lock);
	fail = should_fail(attr);
	spin_unlock(&attr->lock);
	return fail;
}

/* ---- the subsystem: state and debugfs knobs ---- */

static int fault_inject_init(struct foliage_machine *m)
{
	fault_attr_init(&m->fault_inject->fail_page_alloc);
	fault_attr_init(&m->fault_inject->failslab);
	return 0;
}

/* interval: a new period starts counting from 0. */
static int fault_interval_handler(const struct ctl_table *t, void *data,
				  long v)
{
	struct fault_attr *attr = container_of(data, struct fault_attr,
					       interval);

	attr->interval = v;
	attr->calls = 0;
	return 0;
}

/* seed: the PRNG restarts from it. */
static int fault_seed_handler(const struct ctl_table *t, void *data, long v)
{
	struct fault_attr *attr = container_of(data, struct fault_attr, seed);

	attr->seed = v;
	attr->rng = v;
	return 0;
}

#define FAULT_KNOB(dir, file, field, kind, lo, hi)			\
	CTL_ENTRY(#dir "." file, struct fault_inject, dir.field, kind, lo, hi)

static const struct ctl_table fault_inject_knobs[] = {
	FAULT_KNOB(fail_page_alloc, "probability", probability, CTL_ULONG,
		   0, 100),
	{ .procname = "fail_page_alloc.interval", .type = CTL_ULONG,
	  .offset = offsetof(struct fault_inject, fail_page_alloc.interval),
	  .min = 1, .max = 1L << 40, .proc_handler = fault_interval_handler },
	FAULT_KNOB(fail_page_alloc, "times", times, CTL_LONG, -1, 1L << 40),
	FAULT_KNOB(fail_page_alloc, "min-order", min_order, CTL_UINT,
		   0, MAX_PAGE_ORDER + 1),
	{ .procname = "fail_page_alloc.seed", .type = CTL_U64,
	  .offset = offsetof(struct fault_inject, fail_page_alloc.seed),
	  .min = 0, .max = 1L << 62, .proc_handler = fault_seed_handler },
	FAULT_KNOB(fail_page_alloc, "ignore-gfp-wait", ignore_gfp_reclaim,
		   CTL_BOOL, 0, 1),
	FAULT_KNOB(fail_page_alloc, "ignore-gfp-highmem", ignore_gfp_highmem,
		   CTL_BOOL, 0, 1),
	FAULT_KNOB(failslab, "probability", probability, CTL_ULONG, 0, 100),
	{ .procname = "failslab.interval", .type = CTL_ULONG,
	  .offset = offsetof(struct fault_inject, failslab.interval),
	  .min = 1, .max = 1L << 40, .proc_handler = fault_interval_handler },
	FAULT_KNOB(failslab, "times", times, CTL_LONG, -1, 1L << 40),
	{ .procname = "failslab.seed", .type = CTL_U64,
	  .offset = offsetof(struct fault_inject, failslab.seed),
	  .min = 0, .max = 1L << 62, .proc_handler = fault_seed_handler },
};

const struct machine_subsys fault_inject_subsys = {
	.name = "fault_inject",
	MACHINE_SUBSYS_STATE(fault_inject),
	.init = fault_inject_init,
	.knobs = fault_inject_knobs,
	.nr_knobs = ARRAY_SIZE(fault_inject_knobs),
};
