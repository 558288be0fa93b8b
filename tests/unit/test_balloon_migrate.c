// SPDX-License-Identifier: GPL-2.0
/*
 * Balloon pages migrated by alloc_contig_range() (mm/migrate.c,
 * mm/migrate_movable_ops.c): a range holding pages of an inflated
 * virtio-balloon is emptied through the balloon's movable_ops, as Linux's
 * isolate_migratepages_block() and virtballoon_migratepage() do it:
 *
 *	pfn:    start                                   start + 512
 *	before: [. B . . B B . . . B . . . . . . . . . . . . .]  B: balloon
 *	after:  [the caller's, every page]          B's moved elsewhere
 *
 * The balloon still holds as many pages; the host heard of each new page
 * on the inflate queue (and discarded it) and of each old one on the
 * deflate queue; balloon_migrate and pgmigrate_success count each page;
 * a new page is PG_zeroed only if the host initialised it on its inflate
 * (VIRTIO_BALLOON_F_DEVICE_INIT_ON_INFLATE).  Then alloc_contig_pages()
 * over memory the balloon has a page in every 2 MiB of, a 1 GiB hugetlb
 * page over balloon pages, and a destination allocation that fails (the
 * pages go back to the balloon).
 *
 * Each test uses one machine of 1 node x 64 MiB with 2 CPUs (the 1 GiB
 * page's, 2 GiB + 64 MiB).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "internal.h"
#include <host/balloon.h>
#include <linux/balloon_compaction.h>
#include <linux/migrate.h>
#include <linux/virtio.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_config.h>

#define F(bit)		BIT_ULL(VIRTIO_BALLOON_F_##bit)
#define RANGE		512UL		/* 2 MiB of pages */

static struct foliage_machine *m;
static struct host_virtio_device *hv;

static int setup(void **state)
{
	struct foliage_config cfg;

	foliage_config_init(&cfg);
	cfg.nr_cpus = 2;
	cfg.bytes_per_node = 64ULL << 20;
	m = test_machine_cfg(&cfg);
	assert_int_equal(machine_enter(m), 0);
	return 0;
}

static int teardown(void **state)
{
	test_machine_done(m);
	m = NULL;
	hv = NULL;
	return 0;
}

/* A balloon offering @features, inflated to @num_pages. */
static void balloon(u64 features, u32 num_pages)
{
	struct virtio_balloon_info i;

	assert_int_equal(host_balloon_add(m->host, features, 64, 0, &hv), 0);
	assert_int_equal(virtio_mmio_scan(), 1);
	assert_int_equal(virtio_balloon_info(m, &i), 0);
	assert_int_equal(i.probe_err, 0);
	host_balloon_set_target(hv, num_pages);
	assert_int_equal(virtio_balloon_settle(m), 0);
	assert_int_equal(machine_enter(m), 0);
}

static struct virtio_balloon_info info(void)
{
	struct virtio_balloon_info i;

	assert_int_equal(virtio_balloon_info(m, &i), 0);
	assert_int_equal(machine_enter(m), 0);
	return i;
}

static struct host_balloon_stats host_stats(void)
{
	struct host_balloon_stats st;

	host_balloon_stats(hv, &st);
	return st;
}

static bool is_balloon(unsigned long pfn)
{
	return page_movable_ops(pfn_to_page(pfn)) == &balloon_mops;
}

/*
 * A 2 MiB block of pfns [*@start, *@start + RANGE) that holds balloon
 * pages and nothing else in use: its balloon pages, 0 if there is none.
 */
static unsigned long balloon_range(unsigned long *start)
{
	unsigned long base, pfn, nr;

	drain_all_pages(NULL);
	for (base = 0; base + RANGE <= m->max_pfn; base += RANGE) {
		for (nr = 0, pfn = base; pfn < base + RANGE; pfn++) {
			struct page *page = pfn_to_page(pfn);

			if (is_balloon(pfn))
				nr++;
			else if (!PageBuddy(page) && page_ref_count(page))
				break;
		}
		if (pfn == base + RANGE && nr) {
			*start = base;
			return nr;
		}
	}
	return 0;
}

/* Balloon pages in [start, end), and how many of them are PG_zeroed. */
static unsigned long count_balloon(unsigned long start, unsigned long end,
				   unsigned long *zeroed)
{
	unsigned long pfn, nr = 0;

	*zeroed = 0;
	for (pfn = start; pfn < end; pfn++) {
		if (!is_balloon(pfn))
			continue;
		nr++;
		*zeroed += PageZeroed(pfn_to_page(pfn));
	}
	return nr;
}

/* What one alloc_contig_range() over balloon pages changed. */
struct counts {
	unsigned long balloon_pages;	/* in the balloon */
	unsigned long zeroed_pages;	/* of those, PG_zeroed */
	unsigned long nr_balloon_pages;	/* vmstat */
	unsigned long balloon_migrate;	/* vmstat event */
	unsigned long pgmigrate_success; /* vmstat event */
	unsigned long pgmigrate_fail;	/* vmstat event */
	u64 inflated;			/* PFNs the host got to inflate */
	u64 deflated;			/* PFNs the host got to deflate */
	u64 discarded;			/* bytes the host discarded on inflate */
};

static struct counts counts_now(void)
{
	struct virtio_balloon_info i = info();
	struct host_balloon_stats st = host_stats();

	return (struct counts){
		.balloon_pages = i.balloon_pages,
		.zeroed_pages = i.zeroed_pages,
		.nr_balloon_pages = vmstat(m, "nr_balloon_pages"),
		.balloon_migrate = vmstat(m, "balloon_migrate"),
		.pgmigrate_success = vmstat(m, "pgmigrate_success"),
		.pgmigrate_fail = vmstat(m, "pgmigrate_fail"),
		.inflated = st.inflated_pages,
		.deflated = st.deflated_pages,
		.discarded = st.inflate_discarded_bytes,
	};
}

/*
 * @features with or without DEVICE_INIT_ON_INFLATE: the range's balloon
 * pages move out, the balloon keeps its count, the host hears of every
 * new and old page, and the new pages are PG_zeroed exactly when the
 * host initialised them.
 */
static void contig_over_balloon(u64 features)
{
	bool init = features & F(DEVICE_INIT_ON_INFLATE);
	unsigned long start, nr, pfn, zeroed, zeroed_out;
	struct counts before, after;

	balloon(features, 2048);
	nr = balloon_range(&start);
	assert_true(nr > 0);
	before = counts_now();
	assert_int_equal(before.balloon_pages, 2048);
	assert_int_equal(before.zeroed_pages, init ? 2048 : 0);
	assert_int_equal(alloc_contig_range(start, start + RANGE, GFP_KERNEL),
			 0);
	after = counts_now();

	assert_int_equal(after.balloon_pages, before.balloon_pages);
	assert_int_equal(after.nr_balloon_pages, before.nr_balloon_pages);
	assert_int_equal(after.balloon_migrate - before.balloon_migrate, nr);
	assert_int_equal(after.pgmigrate_success - before.pgmigrate_success,
			 nr);
	assert_int_equal(after.pgmigrate_fail, before.pgmigrate_fail);
	/* virtballoon_migratepage(): the new page inflated, the old deflated. */
	assert_int_equal(after.inflated - before.inflated, nr);
	assert_int_equal(after.deflated - before.deflated, nr);
	assert_int_equal(after.discarded - before.discarded, nr * PAGE_SIZE);
	/* The hint: a new page is zeroed only if its own inflate said so. */
	assert_int_equal(after.zeroed_pages, init ? 2048 : 0);
	assert_int_equal(count_balloon(0, m->max_pfn, &zeroed), 2048);
	assert_int_equal(zeroed, init ? 2048 : 0);
	/* Nothing of the balloon's is left in the range, which is ours. */
	assert_int_equal(count_balloon(start, start + RANGE, &zeroed_out), 0);
	for (pfn = start; pfn < start + RANGE; pfn++)
		assert_int_equal(page_ref_count(pfn_to_page(pfn)), 1);
	free_contig_range(start, RANGE);
	host_balloon_set_target(hv, 0);
	assert_int_equal(virtio_balloon_settle(m), 0);
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(info().balloon_pages, 0);
	assert_int_equal(foliage_validate(m), 0);
	assert_int_equal(m->nr_bugs, 0);
}

static void test_contig_range_over_balloon(void **state)
{
	contig_over_balloon(F(DEVICE_INIT_ON_INFLATE));
}

static void test_contig_range_over_balloon_no_init(void **state)
{
	contig_over_balloon(0);
}

/*
 * The balloon has a page in every 2 MiB block that could be had: without
 * balloon migration no block could; alloc_contig_pages() finds one, and
 * the balloon keeps its size.
 */
static void test_contig_pages_over_ballooned_memory(void **state)
{
	unsigned long base, pfn, held[64], nr_held = 0, start, i;
	struct page *page;
	u32 num;

	/* All but 8 MiB of what is free: the destinations' and spare. */
	drain_all_pages(NULL);
	num = global_zone_page_state(NR_FREE_PAGES) - 2048;
	balloon(F(DEVICE_INIT_ON_INFLATE), num);
	assert_int_equal(info().balloon_pages, num);
	/*
	 * The balloon fills whole blocks: in each block left free, one
	 * page is taken (its other 511 stay free, for the destinations).
	 * Then no block is free: each holds balloon pages or a kernel page
	 * in use (no task runs: nothing else could move).
	 */
	drain_all_pages(NULL);
	for (base = 0; base + RANGE <= m->max_pfn; base += RANGE) {
		for (pfn = base; pfn < base + RANGE; pfn++)
			if (!pfn_valid(pfn) || is_balloon(pfn) ||
			    page_ref_count(pfn_to_page(pfn)))
				break;
		if (pfn < base + RANGE)
			continue;
		assert_true(nr_held < 64);
		assert_int_equal(alloc_contig_range(base, base + 1,
						    GFP_KERNEL), 0);
		held[nr_held++] = base;
	}
	assert_true(nr_held > 0 && nr_held <= 4);
	page = alloc_contig_pages(RANGE, GFP_KERNEL, 0);
	assert_non_null(page);
	start = page_to_pfn(page);
	/* A block of the balloon's: all 512 moved out. */
	assert_int_equal(vmstat(m, "balloon_migrate"), RANGE);
	assert_int_equal(info().balloon_pages, num);
	free_contig_range(start, RANGE);
	for (i = 0; i < nr_held; i++)
		free_contig_range(held[i], 1);
	host_balloon_set_target(hv, 0);
	assert_int_equal(virtio_balloon_settle(m), 0);
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(m->nr_bugs, 0);
}

/*
 * A 1 GiB hugetlb page (alloc_contig_pages() of 2^18 pages) over balloon
 * pages, on a node of 2 GiB + 64 MiB whose first GiB has pages the
 * kernel holds: the page can only be the second GiB, where the balloon
 * was inflated (the first GiB taken aside meanwhile).  The balloon pages
 * move to the first GiB, the page is had, the balloon keeps its size.
 *
 *	pfn 0          1 GiB                    2 GiB
 *	[k .........  ][B . . B . B . . . . . .  ][..]   k: kernel, B: balloon
 */
#define GIB_PAGES	(1UL << 18)

static void test_gigantic_page_over_balloon(void **state)
{
	static unsigned long held[GIB_PAGES / RANGE];
	unsigned long zeroed, nr_held = 0, base, i;
	struct foliage_config cfg;
	long nr_pages = 0;

	test_machine_done(m);
	foliage_config_init(&cfg);
	cfg.nr_cpus = 2;
	cfg.bytes_per_node = (2048ULL + 64) << 20;
	m = test_machine_cfg(&cfg);
	assert_int_equal(machine_enter(m), 0);
	/* The device's rings first, where the kernel's pages are. */
	balloon(F(DEVICE_INIT_ON_INFLATE), 0);
	for (base = 0; base < GIB_PAGES; base += RANGE)
		if (!alloc_contig_range(base, base + RANGE, GFP_KERNEL))
			held[nr_held++] = base;
	host_balloon_set_target(hv, 1024);
	assert_int_equal(virtio_balloon_settle(m), 0);
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(count_balloon(GIB_PAGES, 2 * GIB_PAGES, &zeroed),
			 1024);
	for (i = 0; i < nr_held; i++)
		free_contig_range(held[i], RANGE);
	assert_int_equal(foliage_set(m, "hugepages.hugepages-1048576kB/"
				     "nr_hugepages", "1"), 0);
	assert_int_equal(foliage_get(m, "hugepages.hugepages-1048576kB/"
				     "nr_hugepages", &nr_pages), 0);
	assert_int_equal(nr_pages, 1);
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(vmstat(m, "balloon_migrate"), 1024);
	assert_int_equal(count_balloon(GIB_PAGES, 2 * GIB_PAGES, &zeroed), 0);
	assert_int_equal(info().balloon_pages, 1024);
	assert_int_equal(info().zeroed_pages, 1024);
	assert_int_equal(foliage_set(m, "hugepages.hugepages-1048576kB/"
				     "nr_hugepages", "0"), 0);
	host_balloon_set_target(hv, 0);
	assert_int_equal(virtio_balloon_settle(m), 0);
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(m->nr_bugs, 0);
}

/* The next page allocation fails (fail_page_alloc), once. */
static void fail_next_alloc(void)
{
	assert_int_equal(foliage_set(m, "fail_page_alloc.probability", "100"),
			 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.interval", "1"), 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.times", "1"), 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.min-order", "0"), 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.ignore-gfp-wait",
				     "0"), 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.ignore-gfp-highmem",
				     "0"), 0);
	assert_int_equal(machine_enter(m), 0);
}

/*
 * No destination for the first page: -ENOMEM, every isolated page back
 * on the balloon's list (isolated_pages 0), the host told nothing; then
 * the same range succeeds.
 */
static void test_contig_range_no_destination(void **state)
{
	unsigned long start, nr, zeroed;
	struct counts before, after;

	balloon(0, 1024);
	nr = balloon_range(&start);
	assert_true(nr > 0);
	before = counts_now();
	fail_next_alloc();
	assert_int_equal(alloc_contig_range(start, start + RANGE, GFP_KERNEL),
			 -ENOMEM);
	after = counts_now();
	assert_int_equal(after.balloon_pages, before.balloon_pages);
	assert_int_equal(after.balloon_migrate, before.balloon_migrate);
	assert_int_equal(after.inflated, before.inflated);
	assert_int_equal(after.deflated, before.deflated);
	assert_int_equal(after.pgmigrate_fail - before.pgmigrate_fail, nr);
	assert_int_equal(count_balloon(start, start + RANGE, &zeroed), nr);
	/* Each is on the list again: the balloon deflates them all. */
	assert_int_equal(alloc_contig_range(start, start + RANGE, GFP_KERNEL),
			 0);
	assert_int_equal(counts_now().balloon_migrate - before.balloon_migrate,
			 nr);
	free_contig_range(start, RANGE);
	host_balloon_set_target(hv, 0);
	assert_int_equal(virtio_balloon_settle(m), 0);
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(info().balloon_pages, 0);
	assert_int_equal(m->nr_bugs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_contig_range_over_balloon,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_contig_range_over_balloon_no_init, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_contig_pages_over_ballooned_memory, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_contig_range_no_destination, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_gigantic_page_over_balloon, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
