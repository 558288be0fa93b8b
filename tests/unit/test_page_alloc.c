// SPDX-License-Identifier: GPL-2.0
/*
 * The buddy allocator, rule by rule: split on allocation, merge on free,
 * fallback (claiming and stealing pageblocks), zone and node selection,
 * watermarks, per-CPU lists, bulk, compound and frozen pages, isolation,
 * and contiguous ranges.  After every step NR_FREE_PAGES equals what the
 * free lists hold and the validators pass.
 *
 * Unless said otherwise a test runs on one node of 16 MiB:
 *
 *   pfn 0      512    1024   1536   2048          3072          4096
 *   | pb 0 | pb 1 | pb 2 | pb 3 |  ...  (8 pageblocks, 4 max-order blocks)
 *
 * whose zone has min/low/high watermarks 128/160/192 pages and a pcp
 * batch of 1 (so an order-0 refill takes exactly one page).
 */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "internal.h"

#define NR_PAGES	4096UL

static struct foliage_machine *m;	/* the machine of the running test */
static struct zone *Z;			/* its node 0 Normal zone */

/* The machine a test runs on: its nodes and MiB per node. */
struct geometry {
	unsigned int nr_nodes;		/* nodes */
	unsigned int mib;		/* MiB per node */
};

static const struct geometry g16 = { 1, 16 }, g2x16 = { 2, 16 },
			     g64 = { 1, 64 };

static int setup(void **state)
{
	const struct geometry *g = *state;

	m = test_machine(g->nr_nodes, g->mib);
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

/* Every page is back and the machine is as valid as at boot. */
static void assert_all_free(unsigned long nr_pages)
{
	drain_all_pages(NULL);
	assert_int_equal(vmstat(m, "nr_free_pages"), nr_pages);
	assert_free_accounting(m);
	assert_machine_ok(m);
}

static void assert_buddy(unsigned long pfn, unsigned int order)
{
	struct foliage_page_info info;

	assert_int_equal(foliage_page_info(m, pfn, &info), 0);
	if (!info.buddy || info.buddy_order != order)
		fail_msg("pfn %lu: buddy=%d order=%u, expected a free order-%u block",
			 pfn, info.buddy, info.buddy_order, order);
}

static struct page *alloc_movable(unsigned int order)
{
	struct page *page = alloc_pages(GFP_HIGHUSER_MOVABLE, order);

	assert_non_null(page);
	return page;
}

/* Take exactly [start, end) off the free lists (every page refcount 1). */
static void take(unsigned long start, unsigned long end)
{
	assert_int_equal(alloc_contig_range(start, end, GFP_KERNEL), 0);
}

/* Give [start, end) back and drain, so that it lands in the buddy lists. */
static void give(unsigned long start, unsigned long end)
{
	free_contig_range(start, end - start);
	drain_all_pages(NULL);
}

/* ---- split and merge ------------------------------------------------ */

/*
 * Allocating one page splits a max-order block into one free block of
 * every lower order:
 *
 *   pfn 0 1 2   4       8 ...  512            1024
 *       X o0 o1 o2      o3 ... o9   | o10 | o10 | o10 |
 *
 * and freeing it merges them all back.
 */
static void test_split_on_alloc_merge_on_free(void **state)
{
	static const unsigned long split[NR_PAGE_ORDERS] = {
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3,
	};
	static const unsigned long whole[NR_PAGE_ORDERS] = { [10] = 4 };
	struct page *page;
	unsigned int order;

	(void)state;
	assert_buddyinfo(Z, whole);
	page = alloc_movable(0);
	assert_int_equal(page_to_pfn(page), 0);
	assert_int_equal(page_ref_count(page), 1);
	assert_buddyinfo(Z, split);
	for (order = 0; order < MAX_PAGE_ORDER; order++)
		assert_buddy(1UL << order, order);
	assert_int_equal(zone_free_pages(Z), NR_PAGES - 1);
	assert_int_equal(zone_pcp_pages(Z), 0);
	assert_free_accounting(m);
	assert_machine_ok(m);

	__free_pages(page, 0);
	assert_int_equal(zone_pcp_pages(Z), 1);	/* freed to this CPU */
	drain_local_pages(Z);
	assert_buddyinfo(Z, whole);
	assert_buddy(0, MAX_PAGE_ORDER);
	assert_all_free(NR_PAGES);
}

/*
 * A block merges with its buddy only when the buddy is free:
 *
 *   pfn  0 1 2 3 | 4..7 | 8..15 | ...
 *        A B C D |  o2  |  o3   | ...      four pages allocated
 *   free B, C:   neither merges (A and D are in use)
 *   free A:      A+B -> o1 at 0; its buddy C+D is not free
 *   free D:      C+D -> o1 at 2 -> o2 at 0 -> ... -> o10 at 0
 */
static void test_merge_only_with_free_buddy(void **state)
{
	unsigned long info[NR_PAGE_ORDERS] = {
		0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 3,
	};
	struct page *p[4];
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		p[i] = alloc_movable(0);
		assert_int_equal(page_to_pfn(p[i]), i);
	}
	assert_buddyinfo(Z, info);

	__free_pages(p[1], 0);
	__free_pages(p[2], 0);
	drain_local_pages(Z);
	info[0] = 2;
	assert_buddyinfo(Z, info);
	assert_buddy(1, 0);
	assert_buddy(2, 0);
	assert_free_accounting(m);
	assert_machine_ok(m);

	__free_pages(p[0], 0);
	drain_local_pages(Z);
	info[0] = 1;
	info[1] = 1;
	assert_buddyinfo(Z, info);
	assert_buddy(0, 1);
	assert_buddy(2, 0);
	assert_free_accounting(m);

	__free_pages(p[3], 0);
	drain_local_pages(Z);
	assert_buddy(0, MAX_PAGE_ORDER);
	assert_all_free(NR_PAGES);
}

/*
 * The validator is not a formality: two free buddies left unmerged (put
 * on the lists by hand, behind the allocator's back) are reported.
 */
static void test_validator_catches_unmerged_buddies(void **state)
{
	struct page *a, *b;
	int i;

	(void)state;
	a = alloc_movable(0);
	b = alloc_movable(0);
	assert_int_equal(page_to_pfn(b), page_to_pfn(a) + 1);
	spin_lock(&Z->lock);
	for (i = 0; i < 2; i++) {
		struct page *p = i ? b : a;

		set_page_count(p, 0);
		set_buddy_order(p, 0);
		list_add(&p->lru, &Z->free_area[0].free_list[MIGRATE_MOVABLE]);
		Z->free_area[0].nr_free++;
		mod_zone_page_state(Z, NR_FREE_PAGES, 1);
	}
	spin_unlock(&Z->lock);

	assert_int_equal(foliage_validate(m), -EUCLEAN);
	assert_true(foliage_bugs(m) >= 1);
	assert_non_null(strstr(foliage_first_bug(m), "not merged"));

	/* Undo, and leave a machine whose only flaw is the recorded bug. */
	spin_lock(&Z->lock);
	for (i = 0; i < 2; i++) {
		struct page *p = i ? b : a;

		list_del(&p->lru);
		__ClearPageBuddy(p);
		p->private = 0;
		Z->free_area[0].nr_free--;
		mod_zone_page_state(Z, NR_FREE_PAGES, -1);
	}
	spin_unlock(&Z->lock);
	set_page_count(a, 1);
	set_page_count(b, 1);
	__free_pages(a, 0);
	__free_pages(b, 0);
	drain_all_pages(NULL);
	assert_int_equal(foliage_validate(m), 0);
	foliage_machine_destroy(m);
	m = test_machine(1, 16);	/* for teardown */
}

/* ---- fallback: claiming and stealing pageblocks --------------------- */

/*
 * An unmovable allocation in a zone of Movable pageblocks takes the
 * largest Movable block, a whole max-order one, and claims both of its
 * pageblocks; the rest of it lands on the Unmovable lists.
 *
 *   pfn 0             512           1024
 *   | pb 0: Unmov.  | pb 1: Unmov. | Movable ...
 *     X o0 o1 ... o8  o9
 */
static void test_unmovable_claims_max_order_block(void **state)
{
	struct page *page;
	unsigned int order;
	unsigned long pfn;

	(void)state;
	page = alloc_pages(GFP_KERNEL, 0);
	assert_non_null(page);
	assert_int_equal(page_to_pfn(page), 0);
	assert_int_equal(get_pfnblock_migratetype(0), MIGRATE_UNMOVABLE);
	assert_int_equal(get_pfnblock_migratetype(512), MIGRATE_UNMOVABLE);
	for (pfn = 1024; pfn < NR_PAGES; pfn += pageblock_nr_pages)
		assert_int_equal(get_pfnblock_migratetype(pfn), MIGRATE_MOVABLE);
	for (order = 0; order < MAX_PAGE_ORDER; order++) {
		assert_int_equal(free_list_len(Z, order, MIGRATE_UNMOVABLE), 1);
		assert_int_equal(free_list_len(Z, order, MIGRATE_MOVABLE), 0);
	}
	assert_int_equal(free_list_len(Z, MAX_PAGE_ORDER, MIGRATE_MOVABLE), 3);
	assert_free_accounting(m);
	assert_machine_ok(m);

	/* Freed, the block merges back; the pageblocks stay Unmovable. */
	__free_pages(page, 0);
	drain_all_pages(NULL);
	assert_int_equal(free_list_len(Z, MAX_PAGE_ORDER, MIGRATE_UNMOVABLE), 1);
	assert_int_equal(get_pfnblock_migratetype(512), MIGRATE_UNMOVABLE);
	/* ... and the next unmovable page comes from it, not a new block. */
	page = alloc_pages(GFP_KERNEL, 0);
	assert_int_equal(page_to_pfn(page), 0);
	assert_int_equal(free_list_len(Z, MAX_PAGE_ORDER, MIGRATE_MOVABLE), 3);
	__free_pages(page, 0);
	assert_all_free(NR_PAGES);
}

/*
 * Below pageblock order, try_to_claim_block() claims the pageblock when
 * free pages plus "alike" pages (for an unmovable request in a Movable
 * block: the pages not on an LRU) make up half of it (256 pages).  The
 * zone is otherwise full; watermarks are set to ~0 so they don't matter.
 *
 *   pfn 0        128       256                512
 *   |  free  ....|..free ..|   in use          | rest of zone in use
 */
static void fill_all_but(unsigned long free_end, unsigned long lru_start)
{
	unsigned long pfn;

	assert_int_equal(foliage_set(m, "vm.min_free_kbytes", "0"), 0);
	take(0, NR_PAGES);
	give(0, free_end);
	for (pfn = lru_start; pfn < pageblock_nr_pages; pfn++)
		SetPageLRU(pfn_to_page(pfn));
	assert_int_equal(zone_free_pages(Z), free_end);
	assert_int_equal(get_pfnblock_migratetype(0), MIGRATE_MOVABLE);
}

static void unfill(void)
{
	unsigned long pfn;

	for (pfn = 0; pfn < pageblock_nr_pages; pfn++)
		ClearPageLRU(pfn_to_page(pfn));
}

/* 256 free + 0 alike (the other 256 are LRU pages): claimed. */
static void test_claim_by_free_pages(void **state)
{
	struct page *page;
	unsigned int order;

	(void)state;
	fill_all_but(256, 256);
	page = alloc_pages(GFP_KERNEL, 0);
	assert_int_equal(page_to_pfn(page), 0);
	assert_int_equal(get_pfnblock_migratetype(0), MIGRATE_UNMOVABLE);
	for (order = 0; order < 8; order++)
		assert_int_equal(free_list_len(Z, order, MIGRATE_UNMOVABLE), 1);
	assert_free_accounting(m);
	assert_machine_ok(m);
	unfill();
	__free_pages(page, 0);
	give(256, NR_PAGES);
	assert_all_free(NR_PAGES);
}

/* 128 free + 384 alike (in use, not on an LRU): claimed. */
static void test_claim_by_alike_pages(void **state)
{
	struct page *page;

	(void)state;
	fill_all_but(128, pageblock_nr_pages);
	page = alloc_pages(GFP_KERNEL, 0);
	assert_int_equal(page_to_pfn(page), 0);
	assert_int_equal(get_pfnblock_migratetype(0), MIGRATE_UNMOVABLE);
	assert_int_equal(free_list_len(Z, 6, MIGRATE_UNMOVABLE), 1);
	assert_int_equal(free_list_len(Z, 6, MIGRATE_MOVABLE), 0);
	assert_free_accounting(m);
	unfill();
	__free_pages(page, 0);
	give(128, NR_PAGES);
	assert_all_free(NR_PAGES);
}

/*
 * 128 free + 0 alike (the other 384 are LRU pages): not claimable, so
 * __rmqueue_steal() takes a page and leaves the block Movable, its other
 * free pages on the Movable lists.
 */
static void test_steal_when_block_not_claimable(void **state)
{
	struct page *page;
	unsigned int order;

	(void)state;
	fill_all_but(128, 128);
	page = alloc_pages(GFP_KERNEL, 0);
	assert_int_equal(page_to_pfn(page), 0);
	assert_int_equal(get_pfnblock_migratetype(0), MIGRATE_MOVABLE);
	for (order = 0; order < 7; order++) {
		assert_int_equal(free_list_len(Z, order, MIGRATE_MOVABLE), 1);
		assert_int_equal(free_list_len(Z, order, MIGRATE_UNMOVABLE), 0);
	}
	assert_free_accounting(m);
	assert_machine_ok(m);
	unfill();
	__free_pages(page, 0);
	give(128, NR_PAGES);
	assert_all_free(NR_PAGES);
}

/*
 * A small movable request never claims a block (should_try_claim_block()
 * is false below pageblock_order / 2): with only small blocks left in an
 * Unmovable pageblock it steals the smallest, and the type stays.
 *
 *   pfn 0 1 2 3 4   8                    512
 *       U o0 o1  o2 |  in use ...        | rest of zone in use
 */
static void test_movable_steals_from_unmovable(void **state)
{
	struct page *unmov, *mov;

	(void)state;
	assert_int_equal(foliage_set(m, "vm.min_free_kbytes", "0"), 0);
	take(0, NR_PAGES);
	give(0, pageblock_nr_pages);
	unmov = alloc_pages(GFP_KERNEL, 0);	/* claims pageblock 0 */
	assert_int_equal(page_to_pfn(unmov), 0);
	assert_int_equal(get_pfnblock_migratetype(0), MIGRATE_UNMOVABLE);
	take(8, pageblock_nr_pages);
	assert_int_equal(zone_free_pages(Z), 7);

	mov = alloc_movable(0);
	assert_int_equal(page_to_pfn(mov), 1);	/* the order-0 block */
	assert_int_equal(get_pfnblock_migratetype(0), MIGRATE_UNMOVABLE);
	assert_int_equal(free_list_len(Z, 0, MIGRATE_UNMOVABLE), 0);
	assert_int_equal(free_list_len(Z, 1, MIGRATE_UNMOVABLE), 1);
	assert_int_equal(free_list_len(Z, 2, MIGRATE_UNMOVABLE), 1);
	assert_free_accounting(m);
	assert_machine_ok(m);
	__free_pages(mov, 0);
	__free_pages(unmov, 0);
	give(8, NR_PAGES);
	assert_all_free(NR_PAGES);
}

/* ---- zones, nodes and watermarks ------------------------------------ */

static void test_gfp_zone_and_migratetype(void **state)
{
	(void)state;
	assert_int_equal(gfp_zone(GFP_KERNEL), ZONE_NORMAL);
	assert_int_equal(gfp_zone(GFP_USER), ZONE_NORMAL);
	assert_int_equal(gfp_zone(GFP_HIGHUSER), ZONE_NORMAL);
	assert_int_equal(gfp_zone(GFP_KERNEL | __GFP_MOVABLE), ZONE_NORMAL);
	assert_int_equal(gfp_zone(GFP_HIGHUSER_MOVABLE), ZONE_MOVABLE);
	assert_int_equal(gfp_zone(GFP_TRANSHUGE), ZONE_MOVABLE);
	assert_int_equal(gfp_migratetype(GFP_KERNEL), MIGRATE_UNMOVABLE);
	assert_int_equal(gfp_migratetype(GFP_KERNEL | __GFP_RECLAIMABLE),
			 MIGRATE_RECLAIMABLE);
	assert_int_equal(gfp_migratetype(GFP_HIGHUSER_MOVABLE), MIGRATE_MOVABLE);
	assert_int_equal(gfp_migratetype(GFP_TRANSHUGE), MIGRATE_MOVABLE);
}

/*
 * Two nodes of 16 MiB; each zone's min/low watermarks are 90/112 pages
 * (min_free_kbytes = sqrt(32768 * 16) = 724 KiB, split by zone size).
 * The fast path walks the whole zonelist at the low watermark, so node 0
 * is left once it is down to low, not min.
 */
static void test_zonelist_fallback_at_low(void **state)
{
	struct zone *z0 = test_zone(m, 0, ZONE_NORMAL);
	struct zone *z1 = test_zone(m, 1, ZONE_NORMAL);
	struct page **pages = calloc(NR_PAGES, sizeof(*pages));
	unsigned long n;

	(void)state;
	assert_non_null(pages);
	assert_int_equal(min_wmark_pages(z0), 90);
	assert_int_equal(low_wmark_pages(z0), 112);
	for (n = 0; n < NR_PAGES; n++) {
		pages[n] = alloc_pages_node(0, GFP_KERNEL, 0);
		assert_non_null(pages[n]);
		if (page_to_nid(pages[n]) != 0)
			break;
	}
	assert_int_equal(n, NR_PAGES - 112);
	assert_int_equal(zone_free_pages(z0), 112);
	assert_int_equal(zone_numa_event_state(z0, NUMA_HIT), n);
	assert_int_equal(zone_numa_event_state(z0, NUMA_LOCAL), n);
	assert_int_equal(zone_numa_event_state(z1, NUMA_MISS), 1);
	assert_int_equal(zone_numa_event_state(z1, NUMA_OTHER), 1);
	assert_int_equal(zone_numa_event_state(z0, NUMA_FOREIGN), 1);
	assert_int_equal(vmstat(m, "numa_hit"), n);
	assert_int_equal(vmstat(m, "numa_miss"), 1);
	assert_int_equal(vmstat(m, "numa_foreign"), 1);
	assert_free_accounting(m);
	do
		__free_pages(pages[n], 0);
	while (n--);
	free(pages);
	assert_all_free(2 * NR_PAGES);
}

/*
 * __GFP_THISNODE uses the node's own zones only: node 0 is drained to its
 * min watermark (the slow path's mark for GFP_KERNEL) and then the
 * allocation fails, although node 1 is all free.
 */
static void test_thisnode(void **state)
{
	struct zone *z0 = test_zone(m, 0, ZONE_NORMAL);
	struct page **pages = calloc(NR_PAGES, sizeof(*pages));
	unsigned long n = 0;

	(void)state;
	assert_non_null(pages);
	while ((pages[n] = alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE,
					    0))) {
		assert_int_equal(page_to_nid(pages[n]), 0);
		n++;
		assert_true(n < NR_PAGES);
	}
	assert_int_equal(n, NR_PAGES - 90);
	assert_int_equal(zone_free_pages(z0), 90);
	assert_int_equal(zone_free_pages(test_zone(m, 1, ZONE_NORMAL)),
			 NR_PAGES);
	assert_int_equal(vmstat(m, "numa_miss"), 0);
	/* Without __GFP_THISNODE the same request goes to node 1. */
	pages[n] = alloc_pages_node(0, GFP_KERNEL, 0);
	assert_non_null(pages[n]);
	assert_int_equal(page_to_nid(pages[n]), 1);
	assert_int_equal(vmstat(m, "numa_miss"), 1);
	do
		__free_pages(pages[n], 0);
	while (n--);
	free(pages);
	assert_all_free(2 * NR_PAGES);
}

/*
 * Watermarks (min 128, low 160): the fast path needs free > low; the slow
 * path, free > min; __GFP_HIGH halves min (64), GFP_ATOMIC (__GFP_HIGH
 * without direct reclaim) takes a quarter more (48); __GFP_MEMALLOC
 * ignores them.  With no reclaim the slow path then fails.
 */
static unsigned long alloc_until_fail(gfp_t gfp, struct page **pages,
				      unsigned long n)
{
	unsigned long start = n;

	while ((pages[n] = alloc_pages(gfp, 0)))
		n++;
	return n - start;
}

static void test_watermark_reserves(void **state)
{
	struct page *pages[256];
	unsigned long n = 0, got;

	(void)state;
	take(161, NR_PAGES);
	assert_int_equal(zone_free_pages(Z), 161);

	/* 161 > low: fast path.  Then the slow path down to min. */
	got = alloc_until_fail(GFP_KERNEL, pages, n);
	assert_int_equal(got, 161 - 128);
	n += got;
	assert_int_equal(zone_free_pages(Z), 128);
	assert_free_accounting(m);

	got = alloc_until_fail(GFP_KERNEL | __GFP_HIGH, pages, n);
	assert_int_equal(got, 128 - 64);
	n += got;
	assert_int_equal(zone_free_pages(Z), 64);

	got = alloc_until_fail(GFP_ATOMIC, pages, n);
	assert_int_equal(got, 64 - 48);
	n += got;
	assert_int_equal(zone_free_pages(Z), 48);

	got = alloc_until_fail(GFP_KERNEL | __GFP_MEMALLOC, pages, n);
	assert_int_equal(got, 48);
	n += got;
	assert_int_equal(zone_free_pages(Z), 0);
	assert_free_accounting(m);
	assert_machine_ok(m);

	while (n--)
		__free_pages(pages[n], 0);
	give(161, NR_PAGES);
	assert_all_free(NR_PAGES);
}

/*
 * A high-order check counts only the pages beyond the block's own
 * (free - (2^order - 1) > min), and needs a free block that large.
 * [0, 144) free is o7 at 0 and o4 at 128: order 4 leaves 129 > 128.
 * [0, 143) free is o7, o3, o2, o1, o0: 128, not > 128.
 */
static void test_watermark_high_order(void **state)
{
	struct page *page;

	(void)state;
	take(144, NR_PAGES);
	page = alloc_pages(GFP_KERNEL, 4);
	assert_non_null(page);
	__free_pages(page, 4);
	take(143, 144);
	assert_null(alloc_pages(GFP_KERNEL, 4));
	/* Nor order 5: 143 - 31 = 112 <= 128, though o7 is free. */
	assert_null(alloc_pages(GFP_KERNEL, 5));
	/* __GFP_HIGH (min 64): 143 - 31 > 64. */
	page = alloc_pages(GFP_KERNEL | __GFP_HIGH, 4);
	assert_non_null(page);
	__free_pages(page, 4);
	give(143, NR_PAGES);
	assert_all_free(NR_PAGES);
}

/* ---- per-CPU lists ---------------------------------------------------- */

/*
 * On 64 MiB the zone's pcp batch is 3 and high is 160 (low watermark 320
 * over 2 CPUs).  An empty list is refilled with batch blocks; a free that
 * brings the count to high sends batch pages back to the buddy lists.
 */
static void test_pcp_batch_and_high(void **state)
{
	struct per_cpu_pages *pcp;
	struct page *pages[200];
	unsigned long total = 16384;
	int i, count;

	(void)state;
	assert_int_equal(foliage_validate(m), 0);
	pcp = &Z->per_cpu_pageset[smp_processor_id()];
	assert_int_equal(pcp->batch, 3);
	assert_int_equal(pcp->high, 160);

	pages[0] = alloc_movable(0);
	assert_int_equal(pcp->count, 2);
	assert_int_equal(zone_free_pages(Z), total - 3);
	pages[1] = alloc_movable(0);
	pages[2] = alloc_movable(0);
	assert_int_equal(pcp->count, 0);
	assert_int_equal(zone_free_pages(Z), total - 3);
	for (i = 3; i < 200; i++)
		pages[i] = alloc_movable(0);
	count = pcp->count;
	assert_int_equal(count, (3 - 200 % 3) % 3);
	assert_int_equal(zone_free_pages(Z) + count, total - 200);

	for (i = 0; i < 200; i++) {
		__free_pages(pages[i], 0);
		if (++count >= pcp->high)
			count -= pcp->batch;
		assert_int_equal(pcp->count, count);
		assert_int_equal(zone_free_pages(Z) + pcp->count,
				 total - 199 + i);
	}
	assert_free_accounting(m);
	assert_machine_ok(m);
	drain_all_pages(NULL);
	assert_int_equal(pcp->count, 0);
	assert_all_free(total);
}

/* A high-order pcp refill: order 9 takes max(batch >> 9, 2) = 2 blocks. */
static void test_pcp_thp_list(void **state)
{
	struct per_cpu_pages *pcp;
	struct folio *folio;

	(void)state;
	assert_int_equal(foliage_validate(m), 0);
	pcp = &Z->per_cpu_pageset[smp_processor_id()];
	folio = folio_alloc(GFP_TRANSHUGE, HPAGE_PMD_ORDER);
	assert_non_null(folio);
	assert_int_equal(folio_order(folio), HPAGE_PMD_ORDER);
	assert_int_equal(pcp->count, 512);
	assert_false(list_empty(&pcp->lists[NR_LOWORDER_PCP_LISTS + 1]));
	assert_int_equal(zone_free_pages(Z), 16384 - 1024);
	folio_put(folio);
	assert_all_free(16384);
}

/* drain_all_pages() empties every CPU's lists into the buddy lists. */
static void test_drain_all_pages(void **state)
{
	struct page *pages[64];
	int i;

	(void)state;
	for (i = 0; i < 64; i++)
		pages[i] = alloc_movable(0);
	for (i = 0; i < 64; i++)
		__free_pages(pages[i], 0);
	assert_true(zone_pcp_pages(Z) > 0);
	assert_int_equal(zone_free_pages(Z) + zone_pcp_pages(Z), 16384);
	drain_all_pages(Z);
	assert_int_equal(zone_pcp_pages(Z), 0);
	assert_int_equal(zone_free_pages(Z), 16384);
	assert_all_free(16384);
}

/* ---- bulk ------------------------------------------------------------ */

/* alloc_pages_bulk() fills only the empty slots and counts them all. */
static void test_alloc_pages_bulk(void **state)
{
	struct page *array[16] = { NULL }, *keep0, *keep5, *one[1] = { NULL };
	unsigned long pgalloc0 = vmstat(m, "pgalloc_normal");
	int i, j;

	(void)state;
	keep0 = array[0] = alloc_pages(GFP_KERNEL, 0);
	keep5 = array[5] = alloc_pages(GFP_KERNEL, 0);
	assert_int_equal(alloc_pages_bulk(GFP_KERNEL, -1, 16, array), 16);
	assert_ptr_equal(array[0], keep0);
	assert_ptr_equal(array[5], keep5);
	assert_int_equal(vmstat(m, "pgalloc_normal"), pgalloc0 + 16);
	assert_int_equal(vmstat(m, "numa_hit"), 16);
	for (i = 0; i < 16; i++) {
		assert_int_equal(page_ref_count(array[i]), 1);
		assert_false(PageBuddy(array[i]));
		for (j = 0; j < i; j++)
			assert_ptr_not_equal(array[i], array[j]);
	}
	/* A full array allocates nothing. */
	assert_int_equal(alloc_pages_bulk(GFP_KERNEL, -1, 16, array), 16);
	assert_int_equal(vmstat(m, "pgalloc_normal"), pgalloc0 + 16);
	/* One slot: the single-page allocator. */
	assert_int_equal(alloc_pages_bulk(GFP_KERNEL | __GFP_ZERO, -1, 1, one), 1);
	assert_true(mem_is(page_address(one[0]), 0, PAGE_SIZE));
	__free_pages(one[0], 0);
	for (i = 0; i < 16; i++)
		__free_pages(array[i], 0);
	assert_all_free(16384);
}

/* ---- compound, non-compound and frozen pages ------------------------ */

static void check_folio(struct folio *folio, unsigned int order)
{
	unsigned long i, nr = 1UL << order, pfn = folio_pfn(folio);
	struct foliage_page_info info;

	assert_true(IS_ALIGNED(pfn, nr));
	assert_true(folio_test_large(folio));
	assert_int_equal(folio_order(folio), order);
	assert_int_equal(folio_nr_pages(folio), nr);
	assert_int_equal(folio_size(folio), PAGE_SIZE << order);
	assert_int_equal(folio_ref_count(folio), 1);
	assert_int_equal(atomic_read(&folio->_large_mapcount), -1);
	assert_int_equal(atomic_read(&folio->_entire_mapcount), -1);
	assert_int_equal(atomic_read(&folio->_nr_pages_mapped), 0);
	assert_int_equal(atomic_read(&folio->_pincount), 0);
	assert_true(PageHead(&folio->page));
	assert_false(PageTail(&folio->page));
	for (i = 1; i < nr; i++) {
		struct page *tail = folio_page(folio, i);

		assert_true(PageTail(tail));
		assert_ptr_equal(compound_head(tail), &folio->page);
		assert_ptr_equal(page_folio(tail), folio);
		assert_int_equal(page_ref_count(tail), 0);
	}
	assert_int_equal(foliage_page_info(m, pfn + nr - 1, &info), 0);
	assert_true(info.compound);
	assert_int_equal(info.folio_order, order);
	assert_int_equal(info.refcount, 0);
}

static void test_large_folios(void **state)
{
	static const unsigned int orders[] = { 1, 2, 3, 4, 9, 10 };
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		struct folio *folio = folio_alloc(GFP_KERNEL, orders[i]);
		unsigned long j, nr = 1UL << orders[i];

		assert_non_null(folio);
		check_folio(folio, orders[i]);
		assert_machine_ok(m);

		/* Two more references: freed by the third folio_put(). */
		folio_ref_add(folio, 2);
		folio_put(folio);
		folio_put(folio);
		assert_int_equal(folio_ref_count(folio), 1);
		folio_put(folio);
		/* Freed: no compound trace is left on any page. */
		for (j = 0; j < nr; j++)
			assert_false(PageCompound(folio_page(folio, j)));
		assert_all_free(16384);
	}
	/* An order-0 folio is not large. */
	{
		struct folio *folio = folio_alloc(GFP_KERNEL, 0);

		assert_false(folio_test_large(folio));
		assert_int_equal(folio_nr_pages(folio), 1);
		assert_int_equal(folio_order(folio), 0);
		folio_put(folio);
	}
	assert_all_free(16384);
}

/*
 * __free_pages() of a non-compound order-3 block whose page 0 has another
 * reference frees the other 7 pages at once, as aligned blocks:
 *
 *   pfn  P  P+1  P+2 P+3  P+4 .. P+7
 *       held  o0   [ o1 ]  [   o2    ]
 */
static void test_free_pages_extra_ref(void **state)
{
	struct page *page;
	unsigned long pfn;

	(void)state;
	page = alloc_pages(GFP_KERNEL, 3);
	assert_non_null(page);
	pfn = page_to_pfn(page);
	assert_false(PageHead(page));
	page_ref_inc(page);			/* e.g. get_page() */
	__free_pages(page, 3);
	assert_int_equal(page_ref_count(page), 1);
	drain_all_pages(NULL);
	assert_buddy(pfn + 1, 0);
	assert_buddy(pfn + 2, 1);
	assert_buddy(pfn + 4, 2);
	assert_int_equal(vmstat(m, "nr_free_pages"), 16384 - 1);
	assert_free_accounting(m);
	assert_machine_ok(m);
	__free_pages(page, 0);
	assert_all_free(16384);
}

/* Frozen pages are handed out with a refcount of 0. */
static void test_frozen_pages(void **state)
{
	struct page *page = alloc_frozen_pages(GFP_KERNEL, 0, -1);
	struct page *big = alloc_frozen_pages(GFP_KERNEL | __GFP_COMP, 2, -1);

	(void)state;
	assert_non_null(page);
	assert_non_null(big);
	assert_int_equal(page_ref_count(page), 0);
	assert_false(PageBuddy(page));
	assert_int_equal(page_ref_count(big), 0);
	assert_int_equal(compound_order(big), 2);
	assert_int_equal(vmstat(m, "nr_free_pages") + zone_pcp_pages(Z),
			 16384 - 5);
	assert_machine_ok(m);
	free_frozen_pages(page, 0);
	free_frozen_pages(big, 2);
	assert_all_free(16384);
}

/* ---- isolation ------------------------------------------------------- */

/*
 * __isolate_free_page() takes a free block off the lists for its caller
 * (as page reporting and compaction do), obeying min + 2^order; the block
 * comes back with __putback_isolated_page().
 */
static void test_isolate_and_putback(void **state)
{
	unsigned long pfn;
	int got[4];

	(void)state;
	assert_int_equal(foliage_validate(m), 0);
	/* No assertion under the lock: a failure would leave it held. */
	spin_lock(&Z->lock);
	for (pfn = 0; pfn < NR_PAGES; pfn += 1024)
		got[pfn / 1024] = __isolate_free_page(pfn_to_page(pfn), 10);
	spin_unlock(&Z->lock);
	assert_int_equal(got[0], 1024);
	assert_int_equal(got[1], 1024);
	assert_int_equal(got[2], 1024);
	/* 1024 left: not more than min (128) + 1024. */
	assert_int_equal(got[3], 0);
	assert_true(PageBuddy(pfn_to_page(3072)));
	assert_false(PageBuddy(pfn_to_page(0)));
	assert_int_equal(zone_free_pages(Z), 1024);
	assert_free_accounting(m);
	assert_machine_ok(m);

	spin_lock(&Z->lock);
	for (pfn = 0; pfn < 3072; pfn += 1024)
		__putback_isolated_page(pfn_to_page(pfn), 10, MIGRATE_MOVABLE);
	spin_unlock(&Z->lock);
	assert_all_free(NR_PAGES);
}

/* Isolating half a pageblock or more makes the pageblock Movable again. */
static void test_isolate_resets_pageblock(void **state)
{
	struct page *page = alloc_pages(GFP_KERNEL, 0);
	int got, mt0, mt1;

	(void)state;
	assert_int_equal(get_pfnblock_migratetype(0), MIGRATE_UNMOVABLE);
	__free_pages(page, 0);
	drain_all_pages(NULL);
	assert_int_equal(free_list_len(Z, 10, MIGRATE_UNMOVABLE), 1);

	spin_lock(&Z->lock);
	got = __isolate_free_page(pfn_to_page(0), 10);
	mt0 = get_pfnblock_migratetype(0);
	mt1 = get_pfnblock_migratetype(512);
	if (got)
		__putback_isolated_page(pfn_to_page(0), 10, MIGRATE_MOVABLE);
	spin_unlock(&Z->lock);
	assert_int_equal(got, 1024);
	assert_int_equal(mt0, MIGRATE_MOVABLE);
	assert_int_equal(mt1, MIGRATE_MOVABLE);
	assert_int_equal(free_list_len(Z, 10, MIGRATE_MOVABLE), 4);
	assert_all_free(NR_PAGES);
}

/* ---- contiguous ranges ----------------------------------------------- */

static void test_contig_max_order(void **state)
{
	static const unsigned long rest[NR_PAGE_ORDERS] = { [10] = 3 };
	struct page *page;
	unsigned long i;

	(void)state;
	page = alloc_contig_pages(1024, GFP_KERNEL, 0);
	assert_non_null(page);
	assert_int_equal(page_to_pfn(page), 0);
	for (i = 0; i < 1024; i++) {
		assert_int_equal(page_ref_count(page + i), 1);
		assert_false(PageCompound(page + i));
	}
	assert_buddyinfo(Z, rest);
	assert_int_equal(get_pfnblock_migratetype(0), MIGRATE_MOVABLE);
	assert_int_equal(vmstat(m, "nr_free_pages"), NR_PAGES - 1024);
	assert_machine_ok(m);
	free_contig_range(0, 1024);
	assert_all_free(NR_PAGES);

	/* With __GFP_COMP: one order-10 folio, freed as one. */
	page = alloc_contig_pages(1024, GFP_KERNEL | __GFP_COMP, 0);
	assert_non_null(page);
	check_folio((struct folio *)page, 10);
	free_contig_range(page_to_pfn(page), 1024);
	assert_all_free(NR_PAGES);
}

/*
 * 700 pages, not a power of two: [0, 700) is allocated, the rest of the
 * max-order block is freed as the largest aligned blocks:
 *
 *   pfn 0        700 704     768          1024
 *       in use    |o2|  o6   |    o8       | o10 o10 o10
 */
static void test_contig_non_power_of_two(void **state)
{
	static const unsigned long expect[NR_PAGE_ORDERS] = {
		[2] = 1, [6] = 1, [8] = 1, [10] = 3,
	};
	struct page *page;

	(void)state;
	page = alloc_contig_pages(700, GFP_KERNEL, 0);
	assert_non_null(page);
	assert_int_equal(page_to_pfn(page), 0);
	assert_buddyinfo(Z, expect);
	assert_buddy(700, 2);
	assert_buddy(704, 6);
	assert_buddy(768, 8);
	assert_int_equal(page_ref_count(page + 699), 1);
	assert_true(PageBuddy(page + 700));
	assert_free_accounting(m);
	assert_machine_ok(m);
	free_contig_range(0, 700);
	assert_all_free(NR_PAGES);
}

/* A range with a page in use is -EBUSY, and nothing changes. */
static void test_contig_busy(void **state)
{
	unsigned long before[NR_PAGE_ORDERS], after[NR_PAGE_ORDERS];
	struct page *page;
	unsigned long pfn;

	(void)state;
	take(5, 6);
	zone_buddyinfo(Z, before);
	assert_int_equal(alloc_contig_range(0, 1024, GFP_KERNEL), -EBUSY);
	assert_int_equal(alloc_contig_range(4, 6, GFP_KERNEL), -EBUSY);
	zone_buddyinfo(Z, after);
	assert_memory_equal(before, after, sizeof(before));
	for (pfn = 0; pfn < NR_PAGES; pfn += pageblock_nr_pages)
		assert_int_equal(get_pfnblock_migratetype(pfn), MIGRATE_MOVABLE);
	assert_machine_ok(m);
	/* alloc_contig_pages() looks further. */
	page = alloc_contig_pages(1024, GFP_KERNEL, 0);
	assert_int_equal(page_to_pfn(page), 1024);
	free_contig_range(1024, 1024);
	/* Bad ranges. */
	assert_int_equal(alloc_contig_range(10, 10, GFP_KERNEL), -EINVAL);
	assert_int_equal(alloc_contig_range(4000, 4200, GFP_KERNEL), -EINVAL);
	assert_int_equal(alloc_contig_range(1, 3, GFP_KERNEL | __GFP_COMP),
			 -EINVAL);
	give(5, 6);
	assert_all_free(NR_PAGES);
}

/* __GFP_ZERO zeroes a contiguous range that held garbage. */
static void test_contig_zero(void **state)
{
	(void)state;
	memset(pfn_to_virt(1024), 0x77, 1024 * PAGE_SIZE);
	assert_int_equal(alloc_contig_range(1024, 2048,
					    GFP_KERNEL | __GFP_ZERO), 0);
	assert_true(mem_is(pfn_to_virt(1024), 0, 1024 * PAGE_SIZE));
	free_contig_range(1024, 1024);
	assert_all_free(NR_PAGES);
}

int main(void)
{
#define T(f, g)	cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, \
							 (void *)&g)
#define T16(f)	T(f, g16)
#define T2N(f)	T(f, g2x16)
#define T64(f)	T(f, g64)
	const struct CMUnitTest tests[] = {
		T16(test_split_on_alloc_merge_on_free),
		T16(test_merge_only_with_free_buddy),
		T16(test_validator_catches_unmerged_buddies),
		T16(test_unmovable_claims_max_order_block),
		T16(test_claim_by_free_pages),
		T16(test_claim_by_alike_pages),
		T16(test_steal_when_block_not_claimable),
		T16(test_movable_steals_from_unmovable),
		cmocka_unit_test(test_gfp_zone_and_migratetype),
		T2N(test_zonelist_fallback_at_low),
		T2N(test_thisnode),
		T16(test_watermark_reserves),
		T16(test_watermark_high_order),
		T64(test_pcp_batch_and_high),
		T64(test_pcp_thp_list),
		T64(test_drain_all_pages),
		T64(test_alloc_pages_bulk),
		T64(test_large_folios),
		T64(test_free_pages_extra_ref),
		T64(test_frozen_pages),
		T16(test_isolate_and_putback),
		T16(test_isolate_resets_pageblock),
		T16(test_contig_max_order),
		T16(test_contig_non_power_of_two),
		T16(test_contig_busy),
		T16(test_contig_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
