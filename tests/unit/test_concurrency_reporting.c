// SPDX-License-Identifier: GPL-2.0
/*
 * Free page reporting while attached CPUs allocate and free: three
 * threads churn blocks of orders 0-6 with vm.zero_aware_alloc on (half of them __GFP_ZERO, each of
 * those checked to be all zeros, then dirtied), while the main thread
 * runs reporting passes both ways, through page_reporting.flush and as
 * the delayed work that advancing the clock runs on CPU 0's kworker.  The
 * host really discards what is reported and the zeroed hint is on, so a
 * page wrongly handed out as known-zero would show its old bytes.
 * Afterwards every page is free and accounted, the validators pass
 * (debug.full: every free PG_zeroed block is checked to be zero), and a
 * final flush reports every block of the reporting order or above.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "threads_helpers.h"
#include "reporting_driver.h"

#define NR_CHURNERS	3
#define ROUNDS		300
#define HELD		24

struct churner {
	pthread_t thread;		/* the thread */
	struct foliage_machine *m;	/* the machine */
	int cpu;			/* the CPU it attaches to */
	unsigned int seed;		/* its PRNG */
	unsigned long nr_zero_allocs;	/* __GFP_ZERO allocations checked */
	int ret;			/* first failure, or 0 */
};

static void *churn(void *arg)
{
	struct churner *c = arg;
	unsigned long pfns[HELD] = { 0 };
	unsigned int orders[HELD] = { 0 };
	bool held[HELD] = { false };
	int i, ret;

	ret = foliage_cpu_attach(c->m, c->cpu);
	c->ret = ret == c->cpu ? 0 : -EBUSY;
	for (i = 0; !c->ret && i < ROUNDS; i++) {
		unsigned int slot = rand_r(&c->seed) % HELD;
		unsigned int order = rand_r(&c->seed) % 7;
		bool zero = rand_r(&c->seed) & 1;
		unsigned int gfp = FOLIAGE_GFP_HIGHUSER_MOVABLE |
				   (zero ? FOLIAGE_GFP_ZERO : 0);
		size_t bytes = (size_t)PAGE_SIZE << order;
		char *p;

		if (held[slot]) {
			ret = foliage_free_pages(c->m, pfns[slot],
						 orders[slot], 0);
			c->ret = c->ret ?: ret;
			held[slot] = false;
			continue;
		}
		if (foliage_alloc_pages(c->m, gfp, order, 0, &pfns[slot]))
			continue;	/* memory short for a moment: fine */
		p = foliage_pfn_to_virt(c->m, pfns[slot]);
		if (zero) {
			c->nr_zero_allocs++;
			if (!mem_is(p, 0, bytes))
				c->ret = -EUCLEAN;
		}
		memset(p, 0x40 + c->cpu, bytes);
		held[slot] = true;
		orders[slot] = order;
	}
	for (i = 0; i < HELD; i++)
		if (held[i]) {
			ret = foliage_free_pages(c->m, pfns[i], orders[i], 0);
			c->ret = c->ret ?: ret;
		}
	ret = foliage_cpu_detach(c->m);
	c->ret = c->ret ?: ret;
	return NULL;
}

static void test_reporting_against_churn(void **state)
{
	struct foliage_machine *m = threads_machine(64);
	struct churner c[NR_CHURNERS];
	struct test_reporter r;
	unsigned long nr_pages = 64UL << (20 - PAGE_SHIFT), pfn;
	int i;

	(void)state;
	assert_int_equal(foliage_set(m, "debug.full", "1"), 0);
	/* Zero-aware allocation picks blocks by PG_zeroed: race it too. */
	assert_int_equal(foliage_set(m, "vm.zero_aware_alloc", "1"), 0);
	assert_int_equal(foliage_set(m, "page_reporting.page_reporting_order",
				     "5"), 0);
	test_reporter_init(&r, 0, 16);
	assert_int_equal(page_reporting_register(&r.prdev), 0);
	host_zeroes_pages_enable();
	machine_leave(m);

	for (i = 0; i < NR_CHURNERS; i++) {
		c[i] = (struct churner){ .m = m, .cpu = i + 1,
					 .seed = 1000 + i };
		assert_int_equal(pthread_create(&c[i].thread, NULL, churn,
						&c[i]), 0);
	}
	for (i = 0; i < 12; i++) {
		assert_int_equal(foliage_set(m, "page_reporting.flush", "64"),
				 0);
		assert_int_equal(foliage_advance_time(m, NSEC_PER_SEC), 0);
	}
	for (i = 0; i < NR_CHURNERS; i++) {
		assert_int_equal(pthread_join(c[i].thread, NULL), 0);
		assert_int_equal(c[i].ret, 0);
		assert_true(c[i].nr_zero_allocs > 0);
	}
	assert_int_equal(foliage_set(m, "page_reporting.flush", "100000"), 0);
	assert_true(r.nr_calls > 0);

	/* Every free block of order >= 5 has been reported. */
	for (pfn = 0; pfn < nr_pages; pfn++) {
		struct foliage_page_info pi;

		assert_int_equal(foliage_page_info(m, pfn, &pi), 0);
		if (pi.buddy && pi.buddy_order >= 5 && !pi.reported)
			fail_msg("pfn 0x%lx: free order-%u block not reported",
				 pfn, pi.buddy_order);
		if (pi.reported)
			assert_true(pi.buddy);
	}
	assert_int_equal(machine_enter(m), 0);
	page_reporting_unregister(&r.prdev);
	drain_all_pages(NULL);
	machine_leave(m);
	assert_free_accounting(m);
	threads_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reporting_against_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
