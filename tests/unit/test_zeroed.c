// SPDX-License-Identifier: GPL-2.0
/*
 * Known-zero tracking (seed 000): PG_zeroed on free blocks, FPI_ZEROED
 * frees, the memset that __GFP_ZERO and init_on_alloc skip for them, and
 * folio_zero_user() clearing the faulting subpage last.
 *
 * Most tests use one node of 16 MiB whose memory is all taken except the
 * block under test, so that the allocator has exactly one choice:
 *
 *   pfn 0          2^order                                    4096
 *   | block under test |        in use (alloc_contig_range)      |
 *
 * (watermarks are set to ~0 with vm.min_free_kbytes = 0).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "helpers.h"
#include "internal.h"

#define NR_PAGES	4096UL

static struct foliage_machine *m;	/* the machine of the running test */
static struct zone *Z;			/* its node 0 Normal zone */

static struct foliage_machine *boot(bool init_on_alloc, bool init_on_free)
{
	struct foliage_config cfg;

	foliage_config_init(&cfg);
	cfg.bytes_per_node = 16 << 20;
	cfg.init_on_alloc = init_on_alloc;
	cfg.init_on_free = init_on_free;
	m = test_machine_cfg(&cfg);
	Z = test_zone(m, 0, ZONE_NORMAL);
	return m;
}

static int setup(void **state)
{
	(void)state;
	boot(false, false);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (m)
		test_machine_done(m);
	m = NULL;
	return 0;
}

/* Leave only [0, 2^order) free, as one block on the buddy lists. */
static void only_block_free(unsigned int order)
{
	assert_int_equal(foliage_set(m, "vm.min_free_kbytes", "0"), 0);
	assert_int_equal(alloc_contig_range(0, NR_PAGES, GFP_KERNEL), 0);
	free_contig_range(0, 1UL << order);
	drain_all_pages(NULL);
	assert_int_equal(zone_free_pages(Z), 1UL << order);
}

/* Give everything back; the machine must be as at boot. */
static void all_back(unsigned long first_taken)
{
	free_contig_range(first_taken, NR_PAGES - first_taken);
	drain_all_pages(NULL);
	assert_int_equal(vmstat(m, "nr_free_pages"), NR_PAGES);
	assert_free_accounting(m);
}

static bool info_zeroed(unsigned long pfn)
{
	struct foliage_page_info info;

	assert_int_equal(foliage_page_info(m, pfn, &info), 0);
	return info.zeroed;
}

/*
 * PG_zeroed aliases PG_private.  A page freed with a stale PG_private is
 * a bad page under CONFIG_DEBUG_VM (reported and leaked, as Linux does
 * with check_pages enabled); otherwise free-time preparation clears the
 * flag.  Either way it never comes back as a known-zero page.
 */
static void test_private_at_free_never_zeroed(void **state)
{
	unsigned long skipped0 = vmstat(m, "pgzero_skipped");
	struct page *page;

	(void)state;
	only_block_free(0);
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	assert_int_equal(page_to_pfn(page), 0);
	memset(page_address(page), 0, PAGE_SIZE);
	SetPagePrivate(page);		/* e.g. buffer heads left attached */
	__free_pages(page, 0);
	drain_all_pages(NULL);

	if (foliage_debug_vm()) {
		assert_int_equal(foliage_bugs(m), 1);
		assert_non_null(strstr(foliage_first_bug(m), "Bad page state"));
		assert_non_null(strstr(foliage_first_bug(m),
				       "PAGE_FLAGS_CHECK_AT_FREE"));
		/* Leaked: not on any list, so it can never be handed out. */
		assert_false(PageBuddy(page));
		assert_int_equal(zone_free_pages(Z) + zone_pcp_pages(Z), 0);
		assert_null(alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0));
		assert_int_equal(vmstat(m, "pgzero_skipped"), skipped0);
		foliage_machine_destroy(m);
		m = NULL;
		return;
	}
	assert_true(PageBuddy(page));
	assert_false(info_zeroed(0));
	page = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	assert_int_equal(page_to_pfn(page), 0);
	assert_false(PagePrivate(page));
	assert_int_equal(vmstat(m, "pgzero_skipped"), skipped0);
	assert_int_equal(vmstat(m, "pgzero_cleared"), 1);
	__free_pages(page, 0);
	all_back(1);
}

/*
 * A page freed with FPI_ZEROED comes back from a __GFP_ZERO allocation
 * without a memset.  The free lies here (the page holds 0xAA), which
 * proves it: the bytes are still 0xAA afterwards, and pgzero_skipped
 * counts the pages.  Orders 0, 3 and 9 go through the per-CPU lists,
 * 4 and 10 straight through the buddy lists.
 */
static void lie_about_zero(unsigned int order)
{
	unsigned long nr = 1UL << order, pfn;
	unsigned long skipped0, cleared0;

	boot(false, false);
	assert_int_equal(foliage_set(m, "debug.full", "0"), 0);
	only_block_free(order);
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_HIGHUSER_MOVABLE,
					     order, 0, &pfn), 0);
	assert_int_equal(pfn, 0);
	memset(foliage_pfn_to_virt(m, 0), 0xaa, nr * PAGE_SIZE);
	assert_int_equal(foliage_free_pages(m, 0, order, FOLIAGE_FREE_ZEROED),
			 0);
	assert_true(info_zeroed(0));

	skipped0 = vmstat(m, "pgzero_skipped");
	cleared0 = vmstat(m, "pgzero_cleared");
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_HIGHUSER_MOVABLE |
					     FOLIAGE_GFP_ZERO, order, 0, &pfn), 0);
	assert_int_equal(pfn, 0);
	assert_int_equal(vmstat(m, "pgzero_skipped"), skipped0 + nr);
	assert_int_equal(vmstat(m, "pgzero_cleared"), cleared0);
	assert_true(mem_is(foliage_pfn_to_virt(m, 0), 0xaa, nr * PAGE_SIZE));
	assert_false(info_zeroed(0));
	assert_false(PagePrivate(pfn_to_page(0)));

	/* An honest zeroed free is just as fast, and its pages are zero. */
	memset(foliage_pfn_to_virt(m, 0), 0, nr * PAGE_SIZE);
	assert_int_equal(foliage_set(m, "debug.full", "1"), 0);
	assert_int_equal(foliage_free_pages(m, 0, order, FOLIAGE_FREE_ZEROED),
			 0);
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_HIGHUSER_MOVABLE |
					     FOLIAGE_GFP_ZERO, order, 0, &pfn), 0);
	assert_int_equal(vmstat(m, "pgzero_skipped"), skipped0 + 2 * nr);
	assert_int_equal(vmstat(m, "pgzero_cleared"), cleared0);
	assert_int_equal(foliage_bugs(m), 0);
	assert_int_equal(foliage_free_pages(m, 0, order, 0), 0);
	all_back(nr);
	test_machine_done(m);
	m = NULL;
}

static void test_fpi_zeroed_skips_memset(void **state)
{
	static const unsigned int orders[] = { 0, 3, 4, 9, 10 };
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(orders); i++)
		lie_about_zero(orders[i]);
}

/* With debug.full on, that lie is caught by the content check. */
static void test_lie_caught_by_full_debug(void **state)
{
	unsigned long pfn;

	(void)state;
	only_block_free(0);
	assert_int_equal(foliage_set(m, "debug.full", "1"), 0);
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_HIGHUSER_MOVABLE,
					     0, 0, &pfn), 0);
	memset(foliage_pfn_to_virt(m, pfn), 0xaa, PAGE_SIZE);
	assert_int_equal(foliage_free_pages(m, pfn, 0, FOLIAGE_FREE_ZEROED), 0);
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_HIGHUSER_MOVABLE |
					     FOLIAGE_GFP_ZERO, 0, 0, &pfn), 0);
	assert_true(foliage_bugs(m) >= 1);
	assert_non_null(strstr(foliage_first_bug(m), "is not zero"));
	foliage_machine_destroy(m);
	m = NULL;
}

/*
 * A merge keeps PG_zeroed only if both halves had it:
 *
 *   pfn  0  1  2  3 | 4 ...
 *        z  d       |  in use         0 + 1 -> o1 at 0, dirty
 *        z  z  z  z |  in use         -> o1 at 0 zeroed -> o2 at 0 zeroed
 *        z  z  z  d |  in use         -> o2 at 0 dirty
 */
static void free_pattern(const char *pattern)
{
	unsigned long pfn;

	for (pfn = 0; pattern[pfn]; pfn++) {
		struct page *page = pfn_to_page(pfn);

		if (pattern[pfn] == 'z') {
			memset(page_address(page), 0, PAGE_SIZE);
			free_pages_zeroed(page, 0);
		} else {
			memset(page_address(page), 0x11, PAGE_SIZE);
			__free_pages(page, 0);
		}
	}
	drain_all_pages(NULL);
}

static void test_merge_zeroed_and_dirty(void **state)
{
	(void)state;
	assert_int_equal(foliage_set(m, "debug.full", "1"), 0);
	assert_int_equal(foliage_set(m, "vm.min_free_kbytes", "0"), 0);
	assert_int_equal(alloc_contig_range(0, NR_PAGES, GFP_KERNEL), 0);

	free_pattern("zd");
	assert_true(PageBuddy(pfn_to_page(0)));
	assert_int_equal(buddy_order(pfn_to_page(0)), 1);
	assert_false(info_zeroed(0));
	assert_int_equal(alloc_contig_range(0, 2, GFP_KERNEL), 0);

	free_pattern("zz");
	assert_int_equal(buddy_order(pfn_to_page(0)), 1);
	assert_true(info_zeroed(0));
	assert_int_equal(alloc_contig_range(0, 2, GFP_KERNEL), 0);

	free_pattern("zzzz");
	assert_int_equal(buddy_order(pfn_to_page(0)), 2);
	assert_true(info_zeroed(0));
	assert_int_equal(alloc_contig_range(0, 4, GFP_KERNEL), 0);

	free_pattern("zzzd");
	assert_int_equal(buddy_order(pfn_to_page(0)), 2);
	assert_false(info_zeroed(0));
	assert_machine_ok(m);
	all_back(4);
}

/*
 * A zeroed order-9 block split by an order-0 allocation leaves zeroed
 * halves of every order, and every allocation, by the per-CPU lists or
 * the buddy lists, with or without __GFP_ZERO, clears the flag.
 *
 *   pfn 0 1 2  4    8  ...  256          512
 *       X z z  z    z  ...  z    (o0..o8) | in use
 */
static void test_split_zeroed_order9(void **state)
{
	unsigned long skipped0;
	struct page *page, *p4, *p8, *p0;
	unsigned int order;

	(void)state;
	assert_int_equal(foliage_set(m, "debug.full", "1"), 0);
	only_block_free(9);
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, 9);
	memset(page_address(page), 0, 512 * PAGE_SIZE);
	free_pages_zeroed(page, 9);
	drain_all_pages(NULL);
	assert_true(info_zeroed(0));
	assert_int_equal(buddy_order(pfn_to_page(0)), 9);

	skipped0 = vmstat(m, "pgzero_skipped");
	p0 = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	assert_int_equal(page_to_pfn(p0), 0);
	assert_int_equal(vmstat(m, "pgzero_skipped"), skipped0 + 1);
	assert_int_equal(vmstat(m, "pgzero_cleared"), 0);
	for (order = 0; order < 9; order++) {
		assert_true(PageBuddy(pfn_to_page(1UL << order)));
		assert_int_equal(buddy_order(pfn_to_page(1UL << order)), order);
		assert_true(info_zeroed(1UL << order));
	}
	assert_machine_ok(m);

	/* Per-CPU path, no zeroing asked: the flag goes all the same. */
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	assert_int_equal(page_to_pfn(page), 1);
	assert_false(PagePrivate(page));
	/* Buddy path (order 4 has no pcp list), no zeroing asked. */
	p4 = alloc_pages(GFP_HIGHUSER_MOVABLE, 4);
	assert_int_equal(page_to_pfn(p4), 16);
	assert_false(PagePrivate(p4));
	assert_int_equal(vmstat(m, "pgzero_skipped"), skipped0 + 1);
	/* Buddy path with __GFP_ZERO: skipped. */
	p8 = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 8);
	assert_int_equal(page_to_pfn(p8), 256);
	assert_false(PagePrivate(p8));
	assert_int_equal(vmstat(m, "pgzero_skipped"), skipped0 + 1 + 256);
	assert_int_equal(vmstat(m, "pgzero_cleared"), 0);
	assert_int_equal(foliage_bugs(m), 0);
	__free_pages(p0, 0);
	__free_pages(page, 0);
	__free_pages(p4, 4);
	__free_pages(p8, 8);
	all_back(512);
}

/*
 * Isolating a zeroed block (page reporting, compaction) clears the flag.
 * [1024, 2048) is free as well, so that isolation passes its watermark
 * check (free > min + 512).
 */
static void test_isolation_clears_zeroed(void **state)
{
	struct page *page;
	bool zeroed_before, zeroed_after;
	int isolated;

	(void)state;
	only_block_free(9);
	free_contig_range(1024, 1024);
	drain_all_pages(NULL);
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, 9);
	assert_int_equal(page_to_pfn(page), 0);
	memset(page_address(page), 0, 512 * PAGE_SIZE);
	free_pages_zeroed(page, 9);
	drain_all_pages(NULL);

	spin_lock(&Z->lock);
	zeroed_before = PageZeroed(page);
	isolated = __isolate_free_page(page, 9);
	zeroed_after = PageZeroed(page);
	if (isolated)
		__putback_isolated_page(page, 9, MIGRATE_MOVABLE);
	spin_unlock(&Z->lock);
	assert_true(zeroed_before);
	assert_int_equal(isolated, 512);
	assert_false(zeroed_after);
	assert_true(PageBuddy(page));
	assert_false(info_zeroed(0));

	/* alloc_contig_range() drops it too. */
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, 9);
	assert_int_equal(page_to_pfn(page), 0);
	free_pages_zeroed(page, 9);
	drain_all_pages(NULL);
	assert_true(info_zeroed(0));
	assert_int_equal(alloc_contig_range(0, 512, GFP_KERNEL), 0);
	assert_false(PagePrivate(page));
	free_contig_range(0, 1024);
	free_contig_range(2048, NR_PAGES - 2048);
	drain_all_pages(NULL);
	assert_int_equal(vmstat(m, "nr_free_pages"), NR_PAGES);
	assert_free_accounting(m);
}

/* The other FPI_ZEROED entry points set the flag as well. */
static void test_zeroed_free_entry_points(void **state)
{
	struct folio *folio;
	struct page *page;

	(void)state;
	assert_int_equal(foliage_set(m, "debug.full", "1"), 0);
	only_block_free(4);
	folio = folio_alloc(GFP_HIGHUSER_MOVABLE, 4);
	assert_int_equal(folio_pfn(folio), 0);
	folio_put_zeroed(folio);
	assert_true(info_zeroed(0));
	assert_false(PageHead(&folio->page));

	page = alloc_frozen_pages(GFP_HIGHUSER_MOVABLE, 4, 0);
	assert_int_equal(page_to_pfn(page), 0);
	free_frozen_pages_zeroed(page, 4);
	assert_true(info_zeroed(0));

	/* put_page_zeroed() of a tail page frees the whole folio. */
	folio = folio_alloc(GFP_HIGHUSER_MOVABLE, 4);
	folio_get(folio);
	put_page_zeroed(folio_page(folio, 3));
	assert_false(info_zeroed(0));	/* still held */
	put_page_zeroed(folio_page(folio, 3));
	assert_true(info_zeroed(0));
	assert_true(PageBuddy(&folio->page));
	assert_int_equal(foliage_bugs(m), 0);
	all_back(16);
}

/* ---- init_on_alloc / init_on_free ------------------------------------ */

/* init_on_alloc zeroes once: pgzero_cleared counts each page once. */
static void test_init_on_alloc_zeroes_once(void **state)
{
	struct page *page;
	struct folio *folio;
	long v;

	(void)state;
	boot(true, false);
	assert_int_equal(foliage_get(m, "vm.init_on_alloc", &v), 0);
	assert_int_equal(v, 1);
	only_block_free(4);

	page = alloc_pages(GFP_KERNEL, 4);
	assert_int_equal(vmstat(m, "pgzero_cleared"), 16);
	memset(page_address(page), 0x55, 16 * PAGE_SIZE);
	__free_pages(page, 4);
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, 4);
	assert_int_equal(vmstat(m, "pgzero_cleared"), 32);
	assert_true(mem_is(page_address(page), 0, 16 * PAGE_SIZE));
	memset(page_address(page), 0x55, 16 * PAGE_SIZE);
	__free_pages(page, 4);
	folio = folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 4);
	assert_int_equal(vmstat(m, "pgzero_cleared"), 48);
	assert_true(mem_is(folio_address(folio), 0, 16 * PAGE_SIZE));
	/* A known-zero block is not cleared even under init_on_alloc. */
	folio_put_zeroed(folio);
	page = alloc_pages(GFP_KERNEL, 4);
	assert_int_equal(vmstat(m, "pgzero_cleared"), 48);
	assert_int_equal(vmstat(m, "pgzero_skipped"), 16);
	memset(page_address(page), 0x55, 16 * PAGE_SIZE);
	__free_pages(page, 4);

	/* It is a run-time knob too. */
	assert_int_equal(foliage_set(m, "vm.init_on_alloc", "0"), 0);
	page = alloc_pages(GFP_KERNEL, 4);
	assert_int_equal(vmstat(m, "pgzero_cleared"), 48);
	assert_true(mem_is(page_address(page), 0x55, 16 * PAGE_SIZE));
	__free_pages(page, 4);
	all_back(16);
}

/*
 * init_on_free zeroes at free, so a __GFP_ZERO allocation does no memset
 * (and counts nothing); init_on_free is a boot parameter only.
 */
static void test_init_on_free(void **state)
{
	struct page *page;

	(void)state;
	boot(false, true);
	assert_int_equal(foliage_set(m, "vm.init_on_free", "1"), -EBUSY);
	only_block_free(2);
	page = alloc_pages(GFP_KERNEL, 2);
	memset(page_address(page), 0xaa, 4 * PAGE_SIZE);
	__free_pages(page, 2);
	assert_true(mem_is(pfn_to_virt(0), 0, 4 * PAGE_SIZE));
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, 2);
	assert_int_equal(page_to_pfn(page), 0);
	assert_int_equal(vmstat(m, "pgzero_cleared"), 0);
	assert_int_equal(vmstat(m, "pgzero_skipped"), 0);
	assert_true(mem_is(page_address(page), 0, 4 * PAGE_SIZE));
	__free_pages(page, 2);
	all_back(4);
}

/* ---- folio_zero_user() ------------------------------------------------ */

/*
 * Every target subpage of an order-2 and an order-4 folio: all bytes end
 * zero, wherever in the subpage the fault address is.
 */
static void test_folio_zero_user_every_target(void **state)
{
	static const unsigned int orders[] = { 2, 4 };
	const unsigned long user_base = 0x7f0000000000UL;
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		struct folio *folio = folio_alloc(GFP_HIGHUSER_MOVABLE, orders[i]);
		unsigned long nr = folio_nr_pages(folio), t;

		for (t = 0; t < nr; t++) {
			memset(folio_address(folio), 0xcc, nr * PAGE_SIZE);
			folio_zero_user(folio, user_base + t * PAGE_SIZE +
					(t * 97) % PAGE_SIZE);
			assert_true(mem_is(folio_address(folio), 0,
					   nr * PAGE_SIZE));
		}
		memset(folio_address(folio), 0xcc, nr * PAGE_SIZE);
		folio_zero_user(folio, USER_ADDR_NONE);
		assert_true(mem_is(folio_address(folio), 0, nr * PAGE_SIZE));
		folio_put(folio);
	}
}

/*
 * The order in which folio_zero_user() first writes each subpage, seen by
 * write-protecting the folio's direct map: each first write faults, the
 * handler notes the subpage and unprotects it.  The target comes last.
 */
static char *watch_base;		/* the watched folio */
static unsigned long watch_nr;		/* its pages */
static unsigned long watch_order[64];	/* subpages in first-write order */
static unsigned long watch_seen;	/* entries in watch_order */

static void watch_fault(int sig, siginfo_t *si, void *uc)
{
	char *addr = si->si_addr;
	unsigned long idx;

	(void)uc;
	if (addr < watch_base || addr >= watch_base + watch_nr * PAGE_SIZE) {
		signal(sig, SIG_DFL);
		return;
	}
	idx = (addr - watch_base) / PAGE_SIZE;
	if (watch_seen < ARRAY_SIZE(watch_order))
		watch_order[watch_seen++] = idx;
	mprotect(watch_base + idx * PAGE_SIZE, PAGE_SIZE,
		 PROT_READ | PROT_WRITE);
}

static void watch(void *base, unsigned long nr)
{
	struct sigaction sa = { .sa_sigaction = watch_fault,
				.sa_flags = SA_SIGINFO };

	watch_base = base;
	watch_nr = nr;
	watch_seen = 0;
	assert_int_equal(sigaction(SIGSEGV, &sa, NULL), 0);
	assert_int_equal(mprotect(base, nr * PAGE_SIZE, PROT_READ), 0);
}

static void unwatch(void)
{
	assert_int_equal(mprotect(watch_base, watch_nr * PAGE_SIZE,
				  PROT_READ | PROT_WRITE), 0);
	signal(SIGSEGV, SIG_DFL);
}

static void assert_each_once_target_last(unsigned long nr, unsigned long t)
{
	unsigned long seen_mask = 0, i;

	assert_int_equal(watch_seen, nr);
	for (i = 0; i < nr; i++) {
		assert_false(seen_mask & (1UL << watch_order[i]));
		seen_mask |= 1UL << watch_order[i];
	}
	assert_int_equal(watch_order[nr - 1], t);
}

static void test_folio_zero_user_target_last(void **state)
{
	const unsigned long user_base = 0x7f0000000000UL;
	struct folio *folio;
	unsigned long nr, t;

	(void)state;
	folio = folio_alloc(GFP_HIGHUSER_MOVABLE, 4);
	nr = folio_nr_pages(folio);
	for (t = 0; t < nr; t++) {
		watch(folio_address(folio), nr);
		folio_zero_user(folio, user_base + t * PAGE_SIZE + 8);
		unwatch();
		assert_each_once_target_last(nr, t);
	}
	folio_put(folio);
}

/*
 * The fault address is threaded through the allocator: a user folio
 * allocated with __GFP_ZERO for a fault in its subpage 11 is cleared
 * with subpage 11 last.
 */
static void test_folio_alloc_user_target_last(void **state)
{
	const unsigned long user_addr = 0x7f0000000000UL + 11 * PAGE_SIZE + 40;
	struct folio *folio;

	(void)state;
	only_block_free(4);
	memset(pfn_to_virt(0), 0xcc, 16 * PAGE_SIZE);
	watch(pfn_to_virt(0), 16);
	folio = folio_alloc_user(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 4, 0,
				 user_addr);
	unwatch();
	assert_non_null(folio);
	assert_int_equal(folio_pfn(folio), 0);
	assert_each_once_target_last(16, 11);
	assert_true(mem_is(folio_address(folio), 0, 16 * PAGE_SIZE));
	assert_int_equal(vmstat(m, "pgzero_cleared"), 16);
	folio_put(folio);
	all_back(16);
}

int main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
#define TB(f)	cmocka_unit_test_teardown(f, teardown)
	const struct CMUnitTest tests[] = {
		T(test_private_at_free_never_zeroed),
		TB(test_fpi_zeroed_skips_memset),
		T(test_lie_caught_by_full_debug),
		T(test_merge_zeroed_and_dirty),
		T(test_split_zeroed_order9),
		T(test_isolation_clears_zeroed),
		T(test_zeroed_free_entry_points),
		TB(test_init_on_alloc_zeroes_once),
		TB(test_init_on_free),
		T(test_folio_zero_user_every_target),
		T(test_folio_zero_user_target_last),
		T(test_folio_alloc_user_target_last),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
