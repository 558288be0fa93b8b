// SPDX-License-Identifier: GPL-2.0
/*
 * Allocator behaviours where an early foliage differed from Linux 6.18:
 * each test asserts what Linux does (see the comment above each).
 */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "internal.h"

#define NR_PAGES	4096UL

static struct foliage_machine *m;

/*
 * __zone_watermark_ok(): the extra min/4 cut for ALLOC_NON_BLOCK applies
 * only together with ALLOC_MIN_RESERVE (__GFP_HIGH).  A bare GFP_NOWAIT
 * ("do not get access to the min reserve") stops at min like GFP_KERNEL.
 * mm/page_alloc.c __zone_watermark_ok() applies it to ALLOC_NON_BLOCK
 * alone, so GFP_NOWAIT digs 25% into the min reserve.
 */
static void test_nowait_stops_at_min(void **state)
{
	struct page *page;

	(void)state;
	m = test_machine(1, 16);		/* min 128, low 160 */
	assert_int_equal(alloc_contig_range(129, NR_PAGES, GFP_KERNEL), 0);
	page = alloc_pages(GFP_NOWAIT, 0);	/* 129 > 128: ok */
	assert_non_null(page);
	assert_null(alloc_pages(GFP_NOWAIT, 0));	/* 128: not > min */
	__free_pages(page, 0);
	free_contig_range(129, NR_PAGES - 129);
	test_machine_done(m);
}

/*
 * alloc_pages_bulk(): a zone on another node than the preferred one is
 * never bulk-allocated from ("goto failed": one page through the normal
 * allocator), and the NUMA counters use the preferred zone.  foliage
 * bulk-allocates all 8 from node 1 and counts them as numa_hit.
 */
static void test_bulk_never_remote(void **state)
{
	struct page *array[8] = { NULL }, **held = calloc(NR_PAGES, sizeof(*held));
	unsigned long n = 0, got;

	(void)state;
	m = test_machine(2, 16);
	while ((held[n] = alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE, 0)))
		n++;
	got = alloc_pages_bulk(GFP_KERNEL, 0, 8, array);
	assert_int_equal(got, 1);
	assert_int_equal(page_to_nid(array[0]), 1);
	assert_int_equal(vmstat(m, "numa_miss"), 1);
	while (got--)
		__free_pages(array[got], 0);
	while (n--)
		__free_pages(held[n], 0);
	free(held);
	test_machine_done(m);
}

/*
 * alloc_pages_bulk(): when should_fail_alloc_page() fires in
 * prepare_alloc_pages(), Linux returns what was populated ("goto out"),
 * without trying a single page.  foliage falls back to __alloc_pages().
 */
static void test_bulk_fault_injection_returns(void **state)
{
	struct page *array[8] = { NULL };

	(void)state;
	m = test_machine(1, 16);
	assert_int_equal(foliage_set(m, "fail_page_alloc.ignore-gfp-wait", "N"), 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.min-order", "0"), 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.times", "1"), 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.probability", "100"), 0);
	assert_int_equal(alloc_pages_bulk(GFP_KERNEL, -1, 8, array), 0);
	assert_null(array[0]);
	test_machine_done(m);
}

/*
 * nr_pcp_alloc(): "if (batch > 1) batch = max(batch >> order, 2)" - a
 * zone whose pcp batch is 1 (any zone under ~24 MiB) refills a high-order
 * pcp list with one block.  foliage takes two.
 */
static void test_pcp_batch_one_high_order(void **state)
{
	struct page *page;
	struct zone *zone;

	(void)state;
	m = test_machine(1, 16);
	zone = test_zone(m, 0, ZONE_NORMAL);
	assert_int_equal(zone->per_cpu_pageset[0].batch, 1);
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, 1);
	assert_non_null(page);
	assert_int_equal(zone_pcp_pages(zone), 0);
	__free_pages(page, 1);
	test_machine_done(m);
}

/*
 * zone_statistics(): NUMA_FOREIGN is counted on the preferred zone, the
 * first zone of the zonelist the gfp allows (first_zones_zonelist()).
 * For GFP_KERNEL on a node with ZONE_MOVABLE that is the Normal zone;
 * foliage uses _zonerefs[0], the Movable zone.
 */
static void test_numa_foreign_on_preferred_zone(void **state)
{
	struct foliage_config cfg;
	struct page **held = calloc(NR_PAGES, sizeof(*held)), *remote;
	unsigned long n = 0;

	(void)state;
	foliage_config_init(&cfg);
	cfg.nr_nodes = 2;
	cfg.bytes_per_node = 32 << 20;
	cfg.movable_bytes_per_node = 16 << 20;
	m = test_machine_cfg(&cfg);
	while ((held[n] = alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE, 0)))
		n++;
	remote = alloc_pages_node(0, GFP_KERNEL, 0);
	assert_int_equal(page_to_nid(remote), 1);
	assert_int_equal(zone_numa_event_state(test_zone(m, 0, ZONE_NORMAL),
					       NUMA_FOREIGN), 1);
	assert_int_equal(zone_numa_event_state(test_zone(m, 0, ZONE_MOVABLE),
					       NUMA_FOREIGN), 0);
	__free_pages(remote, 0);
	while (n--)
		__free_pages(held[n], 0);
	free(held);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nowait_stops_at_min),
		cmocka_unit_test(test_bulk_never_remote),
		cmocka_unit_test(test_bulk_fault_injection_returns),
		cmocka_unit_test(test_pcp_batch_one_high_order),
		cmocka_unit_test(test_numa_foreign_on_preferred_zone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
