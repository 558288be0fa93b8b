// SPDX-License-Identifier: GPL-2.0
/*
 * zone_pcp_disable() / zone_pcp_enable(), as memory offlining uses them:
 * while disabled, every CPU's pcp lists of the zone hold nothing (high 0,
 * batch 1), so that every allocation takes its block straight from the
 * buddy lists and every free merges it straight back; enabling sizes the
 * lists again from the watermarks.
 *
 * The machine is one node of 64 MiB (16384 pages, 16 max-order blocks)
 * with 2 CPUs; its zone's pcp lists have batch 3 and high 160.
 */
#include <pthread.h>

#include "helpers.h"
#include "internal.h"

#define NR_PAGES	16384UL
#define PCP_BATCH	3
#define PCP_HIGH	160

static struct foliage_machine *m;	/* the machine of the running test */
static struct zone *Z;			/* its node 0 Normal zone */

static const unsigned long all_free[NR_PAGE_ORDERS] = { [10] = 16 };

static int setup(void **state)
{
	(void)state;
	m = test_machine(1, 64);
	Z = test_zone(m, 0, ZONE_NORMAL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_machine_done(m);
	m = NULL;
	return 0;
}

static void assert_pcp_sizes(int cpu, int high, int batch)
{
	struct per_cpu_pages *pcp = &Z->per_cpu_pageset[cpu];

	assert_int_equal(pcp->high, high);
	assert_int_equal(pcp->batch, batch);
}

/* Allocate and free @nr order-0 pages, through the public API. */
static void *fill_pcp(void *arg)
{
	unsigned long pfns[32];
	long i, nr = (long)arg;

	for (i = 0; i < nr; i++)
		if (foliage_alloc_pages(m, FOLIAGE_GFP_HIGHUSER_MOVABLE, 0, 0,
					&pfns[i]))
			return (void *)1;
	for (i = 0; i < nr; i++)
		if (foliage_free_pages(m, pfns[i], 0, 0))
			return (void *)1;
	return NULL;
}

/*
 * fill_pcp() on another thread, which stays attached to its CPU (an exiting
 * thread gives its CPU back, pcp lists drained) until told to go.
 */
struct filler {
	pthread_mutex_t lock;		/* protects the flags */
	pthread_cond_t cond;		/* signalled on each change */
	bool filled, go;		/* progress */
	void *ret;			/* fill_pcp()'s */
};

static void *fill_pcp_and_stay(void *arg)
{
	struct filler *f = arg;

	f->ret = fill_pcp((void *)32L);
	pthread_mutex_lock(&f->lock);
	f->filled = true;
	pthread_cond_broadcast(&f->cond);
	while (!f->go)
		pthread_cond_wait(&f->cond, &f->lock);
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

/*
 * Pages on both CPUs' lists go back to the buddy lists, and both CPUs'
 * lists are left with high 0 and batch 1.
 */
static void test_disable_drains_every_cpu(void **state)
{
	struct filler f = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.cond = PTHREAD_COND_INITIALIZER,
	};
	pthread_t other;

	(void)state;
	assert_null(fill_pcp((void *)32L));			/* CPU 0 */
	assert_int_equal(pthread_create(&other, NULL, fill_pcp_and_stay, &f),
			 0);					/* CPU 1 */
	pthread_mutex_lock(&f.lock);
	while (!f.filled)
		pthread_cond_wait(&f.cond, &f.lock);
	pthread_mutex_unlock(&f.lock);
	assert_null(f.ret);
	assert_int_not_equal(Z->per_cpu_pageset[0].count, 0);
	assert_int_not_equal(Z->per_cpu_pageset[1].count, 0);
	assert_int_equal(zone_free_pages(Z) + zone_pcp_pages(Z), NR_PAGES);

	zone_pcp_disable(Z);
	assert_int_equal(zone_pcp_pages(Z), 0);
	assert_pcp_sizes(0, 0, 1);
	assert_pcp_sizes(1, 0, 1);
	assert_int_equal(zone_free_pages(Z), NR_PAGES);
	assert_buddyinfo(Z, all_free);
	assert_free_accounting(m);
	assert_machine_ok(m);
	zone_pcp_enable(Z);
	pthread_mutex_lock(&f.lock);
	f.go = true;
	pthread_cond_broadcast(&f.cond);
	pthread_mutex_unlock(&f.lock);
	assert_int_equal(pthread_join(other, NULL), 0);
}

/*
 * Disabled, an order-0 allocation splits a max-order block and leaves no
 * page on the pcp list; its free merges everything back at once:
 *
 *   pfn 0 1 2   4       8 ...  512            1024
 *       X o0 o1 o2      o3 ... o9   | o10 x 15 ...
 */
static void test_disabled_order0_passes_through(void **state)
{
	static const unsigned long split[NR_PAGE_ORDERS] = {
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 15,
	};
	struct page *page;

	(void)state;
	assert_int_equal(foliage_validate(m), 0);
	zone_pcp_disable(Z);
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	assert_non_null(page);
	assert_int_equal(page_to_pfn(page), 0);
	assert_int_equal(zone_pcp_pages(Z), 0);
	assert_int_equal(zone_free_pages(Z), NR_PAGES - 1);
	assert_buddyinfo(Z, split);

	__free_pages(page, 0);
	assert_int_equal(zone_pcp_pages(Z), 0);
	assert_int_equal(zone_free_pages(Z), NR_PAGES);
	assert_buddyinfo(Z, all_free);
	assert_free_accounting(m);
	assert_machine_ok(m);
	zone_pcp_enable(Z);
}

/* The pageblock-order (THP) list passes through too: one block, not two. */
static void test_disabled_thp_passes_through(void **state)
{
	struct folio *folio;

	(void)state;
	assert_int_equal(foliage_validate(m), 0);
	zone_pcp_disable(Z);
	folio = folio_alloc(GFP_TRANSHUGE, HPAGE_PMD_ORDER);
	assert_non_null(folio);
	assert_int_equal(zone_pcp_pages(Z), 0);
	assert_int_equal(zone_free_pages(Z), NR_PAGES - HPAGE_PMD_NR);
	folio_put(folio);
	assert_int_equal(zone_pcp_pages(Z), 0);
	assert_int_equal(zone_free_pages(Z), NR_PAGES);
	assert_buddyinfo(Z, all_free);
	assert_machine_ok(m);
	zone_pcp_enable(Z);
}

/*
 * Enabled again, the lists have their sizes back: a refill takes a batch
 * of 3 pages and a free keeps the page on the list.
 */
static void test_enable_restores_sizes(void **state)
{
	struct per_cpu_pages *pcp;
	struct page *page;

	(void)state;
	assert_int_equal(foliage_validate(m), 0);
	assert_pcp_sizes(0, PCP_HIGH, PCP_BATCH);
	assert_pcp_sizes(1, PCP_HIGH, PCP_BATCH);
	zone_pcp_disable(Z);
	zone_pcp_enable(Z);
	assert_pcp_sizes(0, PCP_HIGH, PCP_BATCH);
	assert_pcp_sizes(1, PCP_HIGH, PCP_BATCH);

	pcp = &Z->per_cpu_pageset[smp_processor_id()];
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	assert_non_null(page);
	assert_int_equal(pcp->count, PCP_BATCH - 1);
	__free_pages(page, 0);
	assert_int_equal(pcp->count, PCP_BATCH);
	assert_int_equal(zone_free_pages(Z), NR_PAGES - PCP_BATCH);
	drain_all_pages(NULL);
	assert_int_equal(zone_free_pages(Z), NR_PAGES);
	assert_buddyinfo(Z, all_free);
	assert_machine_ok(m);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_disable_drains_every_cpu),
		T(test_disabled_order0_passes_through),
		T(test_disabled_thp_passes_through),
		T(test_enable_restores_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
