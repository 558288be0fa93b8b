// SPDX-License-Identifier: GPL-2.0
/*
 * vm.zero_aware_alloc (foliage's own): known-zero blocks kept at the tail
 * of their lists, zeroing allocations take them first, other allocations
 * take dirty blocks first; off (the default), Linux's choice.
 *
 * One node of 16 MiB, everything taken by alloc_contig_range() except the
 * blocks under test (z: freed with FPI_ZEROED, d: freed dirty), each with
 * its buddy in use so that nothing merges:
 *
 *   pfn   0        32       64              128
 *         [d o4]   used     [z o4]  used    [d o5] used ...
 */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "internal.h"

#define NR_PAGES	4096UL

static struct foliage_machine *m;	/* the machine of the running test */
static struct zone *Z;			/* its node 0 Normal zone */
static struct page *taken[16];		/* blocks alloc_block() handed out */
static unsigned int taken_order[16];	/* their orders */
static unsigned int nr_taken;		/* entries in taken[] */

static int setup(void **state)
{
	struct foliage_config cfg;

	(void)state;
	foliage_config_init(&cfg);
	cfg.bytes_per_node = 16 << 20;
	m = test_machine_cfg(&cfg);
	Z = test_zone(m, 0, ZONE_NORMAL);
	assert_int_equal(foliage_set(m, "vm.min_free_kbytes", "0"), 0);
	assert_int_equal(foliage_set(m, "debug.full", "1"), 0);
	assert_int_equal(alloc_contig_range(0, NR_PAGES, GFP_KERNEL), 0);
	return 0;
}

static int teardown(void **state)
{
	unsigned long pfn;

	(void)state;
	while (nr_taken) {
		nr_taken--;
		__free_pages(taken[nr_taken], taken_order[nr_taken]);
	}
	drain_all_pages(NULL);
	for (pfn = 0; pfn < NR_PAGES; pfn++) {
		struct page *page = pfn_to_page(pfn);

		if (page_ref_count(page) && !PageBuddy(page))
			free_contig_range(pfn, 1);
	}
	drain_all_pages(NULL);
	assert_int_equal(vmstat(m, "nr_free_pages"), NR_PAGES);
	assert_free_accounting(m);
	assert_int_equal(foliage_bugs(m), 0);
	test_machine_done(m);
	return 0;
}

/* Free [pfn, pfn + 2^order) as one block, known zero or dirty. */
static void free_block(unsigned long pfn, unsigned int order, bool zero)
{
	unsigned long nr = 1UL << order, i;
	struct page *page = pfn_to_page(pfn);

	memset(page_address(page), zero ? 0 : 0x77, nr * PAGE_SIZE);
	/* One refcounted head, as a non-compound order-N allocation. */
	for (i = 1; i < nr; i++)
		set_page_count(page + i, 0);
	if (zero)
		free_pages_zeroed(page, order);
	else
		__free_pages(page, order);
	drain_all_pages(NULL);
	assert_int_equal(buddy_order(page), order);
}

static unsigned int info_buddy_order(unsigned long pfn)
{
	struct page *page = pfn_to_page(pfn);

	assert_true(PageBuddy(page));
	return buddy_order(page);
}

/* Allocate order @order; returns its pfn and whether its memset ran. */
static unsigned long alloc_block(unsigned int order, bool zero, bool *cleared)
{
	unsigned long cleared0 = vmstat(m, "pgzero_cleared");
	struct page *page;

	page = alloc_pages(GFP_HIGHUSER_MOVABLE | (zero ? __GFP_ZERO : 0),
			   order);
	assert_non_null(page);
	if (zero)
		assert_true(mem_is(page_address(page), 0, PAGE_SIZE << order));
	*cleared = vmstat(m, "pgzero_cleared") != cleared0;
	assert_true(nr_taken < ARRAY_SIZE(taken));
	taken[nr_taken] = page;
	taken_order[nr_taken++] = order;
	return page_to_pfn(page);
}

static void test_knob(void **state)
{
	long v;

	(void)state;
	assert_int_equal(foliage_get(m, "vm.zero_aware_alloc", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(foliage_set(m, "vm.zero_aware_alloc", "1"), 0);
	assert_int_equal(foliage_get(m, "vm.zero_aware_alloc", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(foliage_set(m, "vm.zero_aware_alloc", "2"), -EINVAL);
}

/*
 * Two order-4 blocks, the known-zero one freed first, the dirty one last
 * (so at the head).  Off: __GFP_ZERO takes the head, the dirty block, and
 * clears it.  On: it takes the known-zero block, no memset; a
 * non-zeroing allocation then gets the dirty one.
 */
static void zero_prefers(bool on, unsigned long want_pfn, bool want_cleared)
{
	bool cleared;

	assert_int_equal(foliage_set(m, "vm.zero_aware_alloc", on ? "1" : "0"),
			 0);
	free_block(64, 4, true);
	free_block(0, 4, false);
	assert_int_equal(alloc_block(4, true, &cleared), want_pfn);
	assert_int_equal(cleared, want_cleared);
	if (on)
		assert_int_equal(alloc_block(4, false, &cleared), 0);
}

static void test_zeroing_alloc_prefers_known_zero(void **state)
{
	(void)state;
	zero_prefers(false, 0, true);
}

static void test_zeroing_alloc_prefers_known_zero_on(void **state)
{
	(void)state;
	zero_prefers(true, 64, false);
}

/*
 * A known-zero order-4 block and a dirty order-5 block.  Off: a
 * non-zeroing order-4 allocation takes the smallest, the known-zero one.
 * On: it splits the dirty order-5 block instead (the fragmentation price)
 * and the known-zero block is left for a zeroing allocation.
 */
static void other_prefers(bool on)
{
	bool cleared;

	assert_int_equal(foliage_set(m, "vm.zero_aware_alloc", on ? "1" : "0"),
			 0);
	free_block(64, 4, true);
	free_block(128, 5, false);
	assert_int_equal(alloc_block(4, false, &cleared), on ? 128 : 64);
	if (on) {
		assert_int_equal(info_buddy_order(144), 4);
		assert_int_equal(alloc_block(4, true, &cleared), 64);
		assert_false(cleared);
		assert_int_equal(alloc_block(4, false, &cleared), 144);
	} else {
		assert_int_equal(alloc_block(5, false, &cleared), 128);
	}
}

static void test_other_alloc_prefers_dirty(void **state)
{
	(void)state;
	other_prefers(false);
}

static void test_other_alloc_prefers_dirty_on(void **state)
{
	(void)state;
	other_prefers(true);
}

/*
 * Order 0, through the per-CPU list: dirty pages sit on it (just freed),
 * a known-zero order-2 block is on the buddy list.  Off: __GFP_ZERO takes
 * a dirty pcp page and clears it.  On: the zeroing allocation refills
 * from the known-zero block and skips the memset.
 */
static void test_pcp_zeroing_alloc(void **state)
{
	unsigned long pfn;
	bool cleared;
	int on;

	(void)state;
	for (on = 0; on < 2; on++) {
		struct page *dirty[4];
		int i;

		assert_int_equal(foliage_set(m, "vm.zero_aware_alloc",
					     on ? "1" : "0"), 0);
		free_block(64, 2, true);
		for (i = 0; i < 4; i++) {
			dirty[i] = pfn_to_page(200 + 2 * i);
			memset(page_address(dirty[i]), 0x33, PAGE_SIZE);
		}
		for (i = 0; i < 4; i++)
			__free_pages(dirty[i], 0);	/* onto this CPU's list */
		pfn = alloc_block(0, true, &cleared);
		if (on) {
			assert_true(pfn >= 64 && pfn < 68);
			assert_false(cleared);
		} else {
			assert_true(pfn >= 200 && pfn < 208);
			assert_true(cleared);
		}
		__free_pages(taken[--nr_taken], 0);
		drain_all_pages(NULL);
		/* Take back everything free for the next round. */
		for (pfn = 0; pfn < NR_PAGES; pfn++)
			if (PageBuddy(pfn_to_page(pfn)))
				assert_int_equal(alloc_contig_range(pfn,
					pfn + (1UL << buddy_order(
						pfn_to_page(pfn))),
					GFP_KERNEL), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_knob, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_zeroing_alloc_prefers_known_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_zeroing_alloc_prefers_known_zero_on, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_other_alloc_prefers_dirty,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_other_alloc_prefers_dirty_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pcp_zeroing_alloc, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
