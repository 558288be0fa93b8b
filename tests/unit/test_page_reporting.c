// SPDX-License-Identifier: GPL-2.0
/*
 * Free page reporting (mm/page_reporting.c), rule by rule, with a test
 * driver whose host really discards (tests/unit/reporting_driver.h).
 *
 * Most tests use one node of 16 MiB (4096 pages), everything taken by
 * alloc_contig_range() except the blocks under test, with
 * page_reporting_order lowered to 2 so that the zone passes the
 * low_wmark + (32 << order) check with a few hundred free pages:
 *
 *   pfn  0    4    8    12   16        8i   8i+4
 *        [o2] used [o2] used [o2] ...  [o2] used ...   free order-2 blocks,
 *                                                      their buddies in use
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "internal.h"
#include "page_reporting.h"
#include "reporting_driver.h"

#define NR_PAGES	4096UL

static struct foliage_machine *m;	/* the machine of the running test */
static struct zone *Z;			/* its node 0 Normal zone */
static struct test_reporter R;		/* the driver */

static struct foliage_machine *boot_mib(unsigned int mib)
{
	struct foliage_config cfg;

	foliage_config_init(&cfg);
	cfg.bytes_per_node = (uint64_t)mib << 20;
	m = test_machine_cfg(&cfg);
	Z = test_zone(m, 0, ZONE_NORMAL);
	return m;
}

static int setup(void **state)
{
	(void)state;
	boot_mib(16);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (m) {
		page_reporting_unregister(&R.prdev);
		test_machine_done(m);
	}
	m = NULL;
	return 0;
}

static void set_knob(const char *name, const char *value)
{
	assert_int_equal(foliage_set(m, name, value), 0);
}

static long get_knob(const char *name)
{
	long v = 0;

	assert_int_equal(foliage_get(m, name, &v), 0);
	return v;
}

static int flush(unsigned long nr_pages)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lu", nr_pages);
	return foliage_set(m, "page_reporting.flush", buf);
}

static struct foliage_page_info info(unsigned long pfn)
{
	struct foliage_page_info pi;

	assert_int_equal(foliage_page_info(m, pfn, &pi), 0);
	return pi;
}

static bool reported(unsigned long pfn)
{
	return info(pfn).reported;
}

static bool zeroed(unsigned long pfn)
{
	return info(pfn).zeroed;
}

/* Take everything; free @n blocks of @order at pfn i << (order + 1). */
static void free_blocks(unsigned int order, unsigned int n, int fill)
{
	unsigned long nr = 1UL << order, i;

	set_knob("vm.min_free_kbytes", "0");
	assert_int_equal(alloc_contig_range(0, NR_PAGES, GFP_KERNEL), 0);
	for (i = 0; i < n; i++) {
		unsigned long pfn = i << (order + 1);

		memset(page_address(pfn_to_page(pfn)), fill, nr * PAGE_SIZE);
		free_contig_range(pfn, nr);
	}
	drain_all_pages(NULL);
	assert_int_equal(zone_free_pages(Z), n * nr);
	for (i = 0; i < n; i++)
		assert_int_equal(info(i << (order + 1)).buddy_order, order);
}

/* How many of the @n blocks of free_blocks() are Reported / zeroed. */
static unsigned int count_blocks(unsigned int order, unsigned int n,
				 bool want_zeroed)
{
	unsigned int i, c = 0;

	for (i = 0; i < n; i++) {
		struct foliage_page_info pi = info((unsigned long)i << (order + 1));

		if (want_zeroed ? pi.zeroed : pi.reported)
			c++;
	}
	return c;
}

static void start(unsigned int reporting_order, unsigned int capacity,
		  enum test_report_mode mode)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", reporting_order);
	set_knob("page_reporting.page_reporting_order", buf);
	test_reporter_init(&R, 0, capacity);
	R.mode = mode;
	assert_int_equal(page_reporting_register(&R.prdev), 0);
	host_zeroes_pages_enable();
}

static void assert_calls(const unsigned int *nents, unsigned int n)
{
	unsigned int i;

	assert_int_equal(R.nr_calls, n);
	for (i = 0; i < n; i++)
		if (R.nents[i] != nents[i])
			fail_msg("call %u: %u blocks, expected %u", i,
				 R.nents[i], nents[i]);
}

/* Give everything back; every page is free again and accounted. */
static void all_back(void)
{
	unsigned long pfn;

	page_reporting_unregister(&R.prdev);
	for (pfn = 0; pfn < NR_PAGES; pfn++) {
		struct page *page = pfn_to_page(pfn);

		if (page_ref_count(page) && !PageBuddy(page))
			free_contig_range(pfn, 1);
	}
	drain_all_pages(NULL);
	assert_int_equal(vmstat(m, "nr_free_pages"), NR_PAGES);
	assert_free_accounting(m);
	assert_machine_ok(m);
}

/* ---- registration and the order parameter ----------------------------- */

static void test_register_and_knobs(void **state)
{
	struct test_reporter r2;
	long v;

	(void)state;
	/* Unset until a driver registers. */
	assert_int_equal(get_knob("page_reporting.page_reporting_order"), -1);
	assert_int_equal(foliage_get(m, "page_reporting.flush", &v), -EPERM);
	assert_int_equal(flush(32), -ENODEV);
	assert_int_equal(foliage_set(m, "page_reporting.page_reporting_order",
				     "11"), -ERANGE);
	assert_int_equal(foliage_set(m, "page_reporting.page_reporting_order",
				     "-1"), -ERANGE);
	assert_int_equal(foliage_set(m, "page_reporting.flush", "x"), -EINVAL);
	assert_int_equal(foliage_set(m, "page_reporting.nope", "1"), -ENOENT);

	/* A driver without an order: pageblock_order. */
	test_reporter_init(&R, 0, 0);
	assert_int_equal(page_reporting_register(&R.prdev), 0);
	assert_int_equal(get_knob("page_reporting.page_reporting_order"),
			 pageblock_order);
	assert_int_equal(atomic_read(&R.prdev.state), PAGE_REPORTING_REQUESTED);
	/* One driver at a time. */
	test_reporter_init(&r2, 5, 0);
	assert_int_equal(page_reporting_register(&r2.prdev), -EBUSY);
	page_reporting_unregister(&r2.prdev);	/* not it: no effect */
	assert_int_equal(flush(0), 0);
	page_reporting_unregister(&R.prdev);
	assert_int_equal(flush(32), -ENODEV);
	/* Once set, the order stays: the next driver's is not taken. */
	assert_int_equal(page_reporting_register(&r2.prdev), 0);
	assert_int_equal(get_knob("page_reporting.page_reporting_order"),
			 pageblock_order);
	page_reporting_unregister(&r2.prdev);
	test_machine_done(m);

	/* A driver's order is taken while unset... */
	boot_mib(16);
	test_reporter_init(&R, 6, 0);
	assert_int_equal(page_reporting_register(&R.prdev), 0);
	assert_int_equal(get_knob("page_reporting.page_reporting_order"), 6);
	page_reporting_unregister(&R.prdev);
	test_machine_done(m);

	/* ...and a value written first wins over it. */
	boot_mib(16);
	set_knob("page_reporting.page_reporting_order", "3");
	test_reporter_init(&R, 6, 0);
	assert_int_equal(page_reporting_register(&R.prdev), 0);
	assert_int_equal(get_knob("page_reporting.page_reporting_order"), 3);
}

/* ---- notification, delay, states -------------------------------------- */

static unsigned long late_pfn;		/* freed from inside report() */

static void free_late_block(struct test_reporter *r, struct scatterlist *sg,
			    unsigned int nents)
{
	(void)sg;
	(void)nents;
	if (r->nr_calls != 1)
		return;
	/* Inside a pass: ACTIVE, and a free of order 2 requests again. */
	assert_int_equal(atomic_read(&r->prdev.state), PAGE_REPORTING_ACTIVE);
	free_contig_range(late_pfn, 4);
	drain_all_pages(NULL);
	assert_int_equal(atomic_read(&r->prdev.state),
			 PAGE_REPORTING_REQUESTED);
}

/*
 * Registering requests a pass; it runs PAGE_REPORTING_DELAY (2 s) later
 * on the machine's clock, not before.  40 blocks with capacity 32: calls
 * of 32 and 8 (the leftover at the zone's end).  Frees below the order do
 * not request; a free of the order does; a request during a pass makes
 * the pass arm itself again.
 */
static void test_delayed_pass_and_states(void **state)
{
	static const unsigned int first[] = { 32, 8 };

	(void)state;
	free_blocks(2, 40, 0x5a);
	assert_true(low_wmark_pages(Z) + (32UL << 2) < 40 * 4);
	start(2, 0, TR_DISCARD);
	assert_int_equal(atomic_read(&R.prdev.state), PAGE_REPORTING_REQUESTED);

	assert_int_equal(foliage_advance_time(m, 1999 * NSEC_PER_MSEC), 0);
	assert_int_equal(R.nr_calls, 0);
	assert_int_equal(foliage_advance_time(m, 1 * NSEC_PER_MSEC), 0);
	assert_calls(first, 2);
	assert_int_equal(atomic_read(&R.prdev.state), PAGE_REPORTING_IDLE);
	assert_int_equal(count_blocks(2, 40, false), 40);
	assert_int_equal(count_blocks(2, 40, true), 40);
	assert_int_equal(R.discarded_bytes, 40 * 4 * PAGE_SIZE);

	/* An order-1 free (its buddy in use) does not request a pass. */
	free_contig_range(4, 2);
	drain_all_pages(NULL);
	assert_int_equal(info(4).buddy_order, 1);
	assert_int_equal(atomic_read(&R.prdev.state), PAGE_REPORTING_IDLE);

	/* Nothing new: a pass finds only Reported blocks. */
	assert_int_equal(flush(32), 0);
	assert_calls(first, 2);

	/*
	 * An order-2 free does request; during that pass another one
	 * comes, so the pass runs again 2 s after it ended.
	 */
	late_pfn = 8 * 41 + 4;
	R.during = free_late_block;
	R.nr_calls = 0;
	free_contig_range(8 * 40 + 4, 4);
	drain_all_pages(NULL);
	assert_int_equal(atomic_read(&R.prdev.state), PAGE_REPORTING_REQUESTED);
	assert_int_equal(foliage_advance_time(m, 2 * NSEC_PER_SEC), 0);
	assert_int_equal(R.nr_calls, 1);
	assert_true(reported(8 * 40 + 4));
	assert_false(reported(late_pfn));
	assert_int_equal(atomic_read(&R.prdev.state), PAGE_REPORTING_REQUESTED);
	assert_int_equal(foliage_advance_time(m, 2 * NSEC_PER_SEC), 0);
	assert_int_equal(R.nr_calls, 2);
	assert_true(reported(late_pfn));
	assert_int_equal(atomic_read(&R.prdev.state), PAGE_REPORTING_IDLE);
	all_back();
}

/*
 * Unregistering with a pass armed cancels it: the clock passes its time
 * and report() is never called; frees afterwards request nothing.
 */
static void test_unregister_cancels_pass(void **state)
{
	(void)state;
	free_blocks(2, 40, 0);
	start(2, 0, TR_DISCARD);
	assert_int_equal(atomic_read(&R.prdev.state), PAGE_REPORTING_REQUESTED);
	page_reporting_unregister(&R.prdev);
	assert_false(delayed_work_pending(&R.prdev.work));
	assert_int_equal(foliage_advance_time(m, 4 * NSEC_PER_SEC), 0);
	assert_int_equal(R.nr_calls, 0);
	free_contig_range(8 * 40 + 4, 4);
	drain_all_pages(NULL);
	assert_int_equal(foliage_advance_time(m, 4 * NSEC_PER_SEC), 0);
	assert_int_equal(R.nr_calls, 0);
	assert_int_equal(count_blocks(2, 40, false), 0);
	assert_int_equal(flush(32), -ENODEV);
	all_back();
}

/* ---- the order gate ----------------------------------------------------- */

/*
 * With the default order (pageblock_order, 9), order-8 blocks are never
 * reported, however many there are.  160 MiB: 80 free order-8 blocks
 * (20480 pages) clear the zone's low + (32 << 9) check.  Freeing the
 * buddy of one makes an order-9 block: that one is reported.
 */
static void test_order8_never_reported(void **state)
{
	const unsigned long nr_pages = 160UL << (20 - PAGE_SHIFT);
	static const unsigned int one[] = { 1 };
	unsigned long pfn;
	int i;

	(void)state;
	test_machine_done(m);
	boot_mib(160);
	set_knob("vm.min_free_kbytes", "0");
	assert_int_equal(alloc_contig_range(0, nr_pages, GFP_KERNEL), 0);
	for (pfn = 0; pfn < nr_pages; pfn += 512)
		free_contig_range(pfn, 256);
	drain_all_pages(NULL);
	assert_true(zone_free_pages(Z) > low_wmark_pages(Z) + (32UL << 9));
	test_reporter_init(&R, 0, 0);
	assert_int_equal(page_reporting_register(&R.prdev), 0);
	host_zeroes_pages_enable();
	assert_int_equal(flush(32 * 100), 0);
	assert_int_equal(R.nr_calls, 0);
	for (pfn = 0; pfn < nr_pages; pfn += 512)
		assert_false(reported(pfn));
	/* Order-8 frees did not even request a pass after the first. */
	assert_int_equal(foliage_advance_time(m, 2 * NSEC_PER_SEC), 0);
	assert_int_equal(R.nr_calls, 0);
	assert_int_equal(atomic_read(&R.prdev.state), PAGE_REPORTING_IDLE);
	free_contig_range(256, 256);
	drain_all_pages(NULL);
	assert_int_equal(info(0).buddy_order, 9);
	assert_int_equal(atomic_read(&R.prdev.state), PAGE_REPORTING_REQUESTED);
	assert_int_equal(flush(32), 0);
	assert_calls(one, 1);
	assert_true(reported(0) && zeroed(0));
	for (i = 1; i < 80; i++)
		assert_false(reported((unsigned long)i * 512));
	page_reporting_unregister(&R.prdev);
	for (pfn = 512; pfn < nr_pages; pfn += 512)
		free_contig_range(pfn + 256, 256);
	drain_all_pages(NULL);
	assert_free_accounting(m);
	assert_machine_ok(m);
}

/* ---- capacity, budget, flush -------------------------------------------- */

/*
 * A driver capacity of 8 below the 40 blocks: each pass reports two
 * batches (a budget of DIV_ROUND_UP(40, 512) = 1 allows a second one),
 * so flush runs passes until one finds nothing: 8+8, 8+8, 8, nothing.
 */
static void test_small_capacity_reports_all(void **state)
{
	static const unsigned int calls[] = { 8, 8, 8, 8, 8 };

	(void)state;
	free_blocks(2, 40, 0);
	start(2, 8, TR_DISCARD);
	assert_int_equal(flush(32 * 10), 0);
	assert_calls(calls, 5);
	assert_int_equal(R.prdev.nr_passes, 4);
	assert_int_equal(count_blocks(2, 40, false), 40);
	all_back();
}

/*
 * 100 blocks: a pass stops once its budget of one batch is overspent,
 * after 32 + 32, and the next starts where it stopped: 32 + 4.  flush=N
 * runs at most DIV_ROUND_UP(N, 32) passes: flush=1 is one pass.
 */
static void test_budget_and_flush_passes(void **state)
{
	static const unsigned int one_pass[] = { 32, 32 };
	static const unsigned int all[] = { 32, 32, 32, 4 };

	(void)state;
	free_blocks(2, 100, 0);
	start(2, 0, TR_DISCARD);
	assert_int_equal(flush(1), 0);
	assert_calls(one_pass, 2);
	assert_int_equal(count_blocks(2, 100, false), 64);
	assert_int_equal(R.prdev.nr_passes, 1);
	/* Up to 10 passes; the third finds nothing and ends the flush. */
	assert_int_equal(flush(32 * 10), 0);
	assert_calls(all, 4);
	assert_int_equal(R.prdev.nr_passes, 3);
	assert_int_equal(count_blocks(2, 100, false), 100);
	assert_int_equal(R.prdev.nr_reported, 100);
	assert_int_equal(R.prdev.nr_zeroed_pages, 400);
	all_back();
}

/* ---- the watermark skip ------------------------------------------------- */

/*
 * A zone is skipped while its free pages are at most
 * low_wmark + (32 << order): nothing is isolated, report() is not called.
 */
static void test_watermark_skip(void **state)
{
	unsigned long low;
	unsigned int n;

	(void)state;
	set_knob("vm.min_free_kbytes", "0");
	low = low_wmark_pages(Z);
	/* The most order-2 blocks that stay at or below the mark. */
	n = (unsigned int)((low + (32UL << 2)) / 4);
	free_blocks(2, n, 0);
	start(2, 0, TR_DISCARD);
	assert_int_equal(flush(32 * 4), 0);
	assert_int_equal(R.nr_calls, 0);
	assert_int_equal(count_blocks(2, n, false), 0);
	assert_int_equal(zone_free_pages(Z), n * 4UL);
	/* One block more and the zone is reported. */
	free_contig_range((unsigned long)n * 8, 4);
	drain_all_pages(NULL);
	assert_int_equal(flush(32 * 4), 0);
	assert_true(R.nr_calls > 0);
	assert_int_equal(count_blocks(2, n + 1, false), n + 1);
	all_back();
}

/* ---- races and errors --------------------------------------------------- */

static unsigned long merged_pfn;	/* the block whose buddy came back */

static void free_buddy_of_first(struct test_reporter *r,
				struct scatterlist *sg, unsigned int nents)
{
	(void)nents;
	/* The leftover call: the walk is over, nothing reports it again. */
	if (r->nr_calls != 2)
		return;
	/* sg[0] is isolated now: its buddy's free cannot merge yet. */
	merged_pfn = page_to_pfn(sg[0].page);
	free_contig_range(merged_pfn + 4, 4);
	drain_all_pages(NULL);
	assert_int_equal(info(merged_pfn + 4).buddy_order, 2);
}

/*
 * A buddy freed while its block is being reported merges with it when
 * the block is put back; the merged block (order 3) is neither Reported
 * nor zeroed, though the host did discard half of it.  (Merged during the
 * first batch, the order-3 block would be a new candidate that the same
 * pass reaches on the order-3 list; so the buddy comes back during the
 * leftover batch of 8, after the walk.)
 */
static void test_merge_during_report(void **state)
{
	(void)state;
	free_blocks(2, 40, 0x5a);
	start(2, 0, TR_DISCARD);
	R.during = free_buddy_of_first;
	assert_int_equal(flush(32), 0);
	assert_int_equal(merged_pfn % 8, 0);
	assert_int_equal(info(merged_pfn).buddy_order, 3);
	assert_false(reported(merged_pfn));
	assert_false(zeroed(merged_pfn));
	assert_false(info(merged_pfn + 4).buddy);
	assert_int_equal(count_blocks(2, 40, false), 39);
	assert_int_equal(count_blocks(2, 40, true), 39);
	assert_int_equal(R.prdev.nr_reported, 39);
	all_back();
}

/*
 * An error from report(): that batch goes back unreported and the pass
 * ends (the 8 left never reach the driver); flush returns the error.
 */
static void test_report_error_aborts_pass(void **state)
{
	static const unsigned int calls[] = { 32 };

	(void)state;
	free_blocks(2, 40, 0);
	start(2, 0, TR_DISCARD);
	R.fail_call = 1;
	assert_int_equal(flush(32 * 4), -EIO);
	assert_calls(calls, 1);
	assert_int_equal(count_blocks(2, 40, false), 0);
	assert_int_equal(count_blocks(2, 40, true), 0);
	assert_int_equal(zone_free_pages(Z), 160);
	assert_int_equal(R.prdev.nr_errors, 1);
	assert_free_accounting(m);
	/* Through the delayed work too: the pass stops, nothing is lost. */
	R.nr_calls = 0;
	assert_int_equal(foliage_advance_time(m, 2 * NSEC_PER_SEC), 0);
	assert_calls(calls, 1);
	assert_int_equal(atomic_read(&R.prdev.state), PAGE_REPORTING_IDLE);
	assert_int_equal(count_blocks(2, 40, false), 0);
	R.fail_call = 0;
	assert_int_equal(flush(32 * 4), 0);
	assert_int_equal(count_blocks(2, 40, false), 40);
	all_back();
}

/*
 * Fail-Nth over reporting: with the Nth report() failing, for every N
 * that a full reporting of 100 blocks reaches, every page stays a free
 * buddy of its order, the counters agree, and Reported is exactly what
 * the calls before the Nth reported.
 */
static void test_fail_nth_report(void **state)
{
	static const unsigned int before[] = { 0, 32, 64, 96, 100 };
	unsigned int n;

	(void)state;
	for (n = 1; n <= 5; n++) {
		if (n > 1) {
			test_machine_done(m);
			boot_mib(16);
		}
		free_blocks(2, 100, 0);
		start(2, 0, TR_DISCARD);
		R.fail_call = n;
		assert_int_equal(flush(32 * 10), n < 5 ? -EIO : 0);
		assert_int_equal(count_blocks(2, 100, false), before[n - 1]);
		assert_int_equal(zone_free_pages(Z), 400);
		assert_free_accounting(m);
		assert_machine_ok(m);
		R.fail_call = 0;
		assert_int_equal(flush(32 * 10), 0);
		assert_int_equal(count_blocks(2, 100, false), 100);
		all_back();
	}
}

/* ---- splitting reported blocks, zeroing skipped ------------------------- */

/*
 * [0, 1024) dirty and free as one order-10 block; reported.  Isolating
 * it needs more than 1024 free pages (__isolate_free_page()'s min
 * watermark check), so 512 single pages at 2048 + 2k are free during
 * the flush and taken again afterwards: block 0 is then all that is free.
 */
static void report_order10(enum test_report_mode mode)
{
	unsigned long pfn;

	set_knob("vm.min_free_kbytes", "0");
	assert_int_equal(alloc_contig_range(0, NR_PAGES, GFP_KERNEL), 0);
	memset(page_address(pfn_to_page(0)), 0x5a, 1024 * PAGE_SIZE);
	free_contig_range(0, 1024);
	for (pfn = 2048; pfn < 3072; pfn += 2)
		free_contig_range(pfn, 1);
	drain_all_pages(NULL);
	assert_int_equal(info(0).buddy_order, 10);
	start(2, 0, mode);
	assert_int_equal(flush(32), 0);
	assert_int_equal(R.nr_calls, 1);
	assert_int_equal(R.nents[0], 1);
	assert_true(reported(0));
	for (pfn = 2048; pfn < 3072; pfn += 2)
		assert_int_equal(alloc_contig_range(pfn, pfn + 1, GFP_KERNEL),
				 0);
	assert_int_equal(zone_free_pages(Z), 1024);
}

/*
 * Allocating order 0 from a Reported and zeroed order-10 block: the page
 * comes without a memset, and the remainder blocks of orders 0-9 behind
 * it are each Reported and zeroed.  The host really discarded: the
 * content check of debug.full finds zeros.
 */
static void test_split_reported_zeroed_order10(void **state)
{
	unsigned long skipped0, cleared0;
	struct page *page;
	unsigned int order;

	(void)state;
	set_knob("debug.full", "1");
	report_order10(TR_DISCARD);
	assert_true(zeroed(0));
	assert_int_equal(R.discarded_bytes, 1024 * PAGE_SIZE);
	skipped0 = vmstat(m, "pgzero_skipped");
	cleared0 = vmstat(m, "pgzero_cleared");
	page = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	assert_int_equal(page_to_pfn(page), 0);
	assert_false(PageReported(page));
	assert_int_equal(vmstat(m, "pgzero_skipped"), skipped0 + 1);
	assert_int_equal(vmstat(m, "pgzero_cleared"), cleared0);
	assert_true(mem_is(page_address(page), 0, PAGE_SIZE));
	for (order = 0; order < 10; order++) {
		struct foliage_page_info pi = info(1UL << order);

		assert_true(pi.buddy);
		assert_int_equal(pi.buddy_order, order);
		assert_true(pi.reported);
		assert_true(pi.zeroed);
	}
	assert_int_equal(foliage_bugs(m), 0);
	assert_machine_ok(m);
	/* Taken whole, a block is no longer Reported (un-reporting). */
	__free_pages(page, 0);
	drain_all_pages(NULL);
	assert_false(reported(0));	/* merged back: a new block */
	all_back();
}

/*
 * A host that claims zeroing but discards nothing: with debug.full=1 the
 * page handed out as zeroed is checked and the lie recorded as a bug.
 */
static void test_lying_host_caught(void **state)
{
	struct page *page;

	(void)state;
	set_knob("debug.full", "1");
	report_order10(TR_LIE);
	assert_true(zeroed(0));
	assert_int_equal(R.discarded_bytes, 0);
	page = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	assert_int_equal(page_to_pfn(page), 0);
	assert_true(foliage_bugs(m) >= 1);
	assert_non_null(strstr(foliage_first_bug(m), "is not zero"));
	page_reporting_unregister(&R.prdev);
	foliage_machine_destroy(m);
	m = NULL;
}

/*
 * Reporting works without the zeroed hint: a host that says nothing
 * (KEEP), or a driver that never enabled host_zeroes_pages.  The blocks
 * are Reported, not zeroed, and the allocation clears the page.
 */
static void test_no_zeroed_hint(void **state)
{
	unsigned long cleared0;
	bool z0, z1024, z;
	struct page *page;
	int round;

	(void)state;
	for (round = 0; round < 2; round++) {
		if (round) {
			test_machine_done(m);
			boot_mib(16);
		}
		report_order10(round ? TR_DISCARD : TR_KEEP);
		if (round) {
			/* Key off: the bitmap is not read. */
			host_zeroes_pages_disable();
			assert_false(host_zeroes_pages());
			free_contig_range(1024, 1024);
			drain_all_pages(NULL);
			assert_int_equal(flush(32), 0);
			assert_true(reported(1024));
			assert_false(zeroed(1024));
			assert_true(zeroed(0));
		} else {
			assert_false(zeroed(0));
		}
		z0 = zeroed(0);
		z1024 = round && zeroed(1024);
		cleared0 = vmstat(m, "pgzero_cleared");
		page = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 10);
		assert_non_null(page);
		z = page_to_pfn(page) ? z1024 : z0;
		assert_int_equal(vmstat(m, "pgzero_cleared"),
				 cleared0 + (z ? 0 : 1024));
		assert_true(mem_is(page_address(page), 0, 1024 * PAGE_SIZE));
		__free_pages(page, 10);
		all_back();
	}
}

/* Free blocks of order 9 and 10, and those Reported and zeroed. */
static void count_big_blocks(unsigned long nr_pages, unsigned long *nr_blocks,
			     unsigned long *nr_reported)
{
	unsigned long pfn;

	*nr_blocks = *nr_reported = 0;
	for (pfn = 0; pfn < nr_pages; pfn += 512) {
		struct foliage_page_info pi = info(pfn);

		if (!pi.buddy || pi.buddy_order < 9)
			continue;
		(*nr_blocks)++;
		if (pi.reported && pi.zeroed)
			(*nr_reported)++;
		if (pi.buddy_order == 10)
			pfn += 512;
	}
}

/*
 * A fresh machine: its max-order blocks are still unlisted (mm_init.c);
 * a pass lists and reports them all, and the host holds less afterwards.
 */
static void test_fresh_machine_all_reported(void **state)
{
	struct host_ram_stats before, after;
	unsigned long nr_pages = 96UL << (20 - PAGE_SHIFT);
	unsigned long nr_blocks = 0, nr_reported = 0;
	struct page *pages[8];
	int i;

	(void)state;
	test_machine_done(m);
	boot_mib(96);
	/* Touch 32 MiB so that the host backs it, then free it. */
	for (i = 0; i < 8; i++) {
		pages[i] = alloc_pages(GFP_HIGHUSER_MOVABLE, 10);
		assert_non_null(pages[i]);
		memset(page_address(pages[i]), 1, 1024 * PAGE_SIZE);
	}
	for (i = 0; i < 8; i++)
		__free_pages(pages[i], 10);
	assert_int_equal(host_ram_stats(m->host, 0, &before), 0);
	test_reporter_init(&R, 0, 0);
	assert_int_equal(page_reporting_register(&R.prdev), 0);
	host_zeroes_pages_enable();
	assert_int_equal(foliage_advance_time(m, 2 * NSEC_PER_SEC), 0);
	assert_int_equal(host_ram_stats(m->host, 0, &after), 0);
	assert_true(after.backed_bytes + 32 * 1024 * 1024 <=
		    before.backed_bytes);
	count_big_blocks(nr_pages, &nr_blocks, &nr_reported);
	assert_true(nr_blocks >= 20);
	/*
	 * One batch takes them all, and isolating the last one would leave
	 * the zone at its min watermark (__isolate_free_page() refuses):
	 * it stays for the next pass, which a flush runs now.
	 */
	assert_int_equal(nr_reported, nr_blocks - 1);
	assert_int_equal(R.nr_blocks, nr_blocks - 1);
	assert_int_equal(flush(32), 0);
	count_big_blocks(nr_pages, &nr_blocks, &nr_reported);
	assert_int_equal(nr_reported, nr_blocks);
	assert_int_equal(R.nr_blocks, nr_blocks);
	assert_machine_ok(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register_and_knobs,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_delayed_pass_and_states,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unregister_cancels_pass,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_order8_never_reported,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_capacity_reports_all,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget_and_flush_passes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_watermark_skip,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_during_report,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_error_aborts_pass,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_fail_nth_report,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_reported_zeroed_order10,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_lying_host_caught,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_zeroed_hint,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_fresh_machine_all_reported,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
