/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault injection (lib/fault-inject.c, mm/fail_page_alloc.c,
 * mm/failslab.c): deterministic, seeded failures of page and slab
 * allocations, with the debugfs knobs of Linux as foliage knobs
 * ("fail_page_alloc.probability", "failslab.times", ...).  The state of
 * both lives in struct fault_inject, hung off the machine by
 * fault_inject_subsys (mm/fail_page_alloc.c).
 */
#ifndef _FOLIAGE_LINUX_FAULT_INJECT_H
#define _FOLIAGE_LINUX_FAULT_INJECT_H

#include <linux/spinlock.h>

/* One fault attribute, as in lib/fault-inject.c with its debugfs knobs. */
struct fault_attr {
	unsigned long probability;	/* percent, 0..100 */
	unsigned long interval;		/* fail only every interval-th call */
	long times;			/* failures left; -1 = unlimited */
	unsigned int min_order;		/* ignore allocations below this */
	bool ignore_gfp_reclaim;	/* ignore __GFP_DIRECT_RECLAIM allocs */
	bool ignore_gfp_highmem;	/* ignore __GFP_HIGHMEM allocs */
	u64 seed;			/* PRNG seed, for determinism */
	u64 rng;			/* PRNG state */
	unsigned long calls;		/* calls considered so far */
	unsigned long failures;		/* calls failed so far */
	spinlock_t lock;		/* protects the counters and rng */
};

/*
 * lib/fault-inject.c's should_fail(): whether this call fails, counting
 * it against interval and times.  Caller holds attr->lock.
 */
bool should_fail(struct fault_attr *attr);

/* Linux's defaults: off, interval 1, times 1, min-order 1, ignores on. */
void fault_attr_init(struct fault_attr *attr);

/* The machine's fault attributes. */
struct fault_inject {
	struct fault_attr fail_page_alloc; /* page allocator */
	struct fault_attr failslab;	/* kmem_cache_zalloc() */
};

#endif /* _FOLIAGE_LINUX_FAULT_INJECT_H */
