// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-balloon end to end: the guest driver (drivers/virtio/
 * virtio_balloon.c) against its host device (host/balloon.c), over the
 * virtio-mmio transport, with real discards of the node's memfd.
 *
 *   test thread (VMM + guest user)     host device thread   guest CPU 0
 *   host_balloon_set_target(T) ------> config irq ------->  changed():
 *                                                           wake worker
 *                                      inflate queue: <---- fill_balloon
 *                                      PUNCH_HOLE, bitmap   (<= 256 PFNs)
 *   virtio_balloon_settle(): the worker is idle, the target reached
 *
 * Each test uses one machine of 1 node x 64 MiB with 2 CPUs.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "internal.h"
#include <host/balloon.h>
#include <linux/balloon_compaction.h>
#include <linux/cpu.h>
#include <linux/oom.h>
#include <linux/virtio_balloon.h>
#include <linux/scatterlist.h>
#include <linux/virtio_config.h>

#define F(bit)		BIT_ULL(VIRTIO_BALLOON_F_##bit)
#define F_ZERO_BITS	(F(DEVICE_INIT_REPORTED) | F(DEVICE_INIT_ON_INFLATE))
#define ALL_F		(BIT_ULL(VIRTIO_BALLOON_NR_FEATURES) - 1)
#define ALL_PAGES	(64U << 8)	/* all of 64 MiB: out of puff */

static struct foliage_machine *m;
static struct host_virtio_device *hv;

static struct foliage_machine *boot_mib(bool init_on_free, bool coco,
				       unsigned int mib)
{
	struct foliage_config cfg;

	foliage_config_init(&cfg);
	cfg.nr_cpus = 2;
	cfg.bytes_per_node = (uint64_t)mib << 20;
	cfg.init_on_free = init_on_free;
	cfg.coco = coco;
	m = test_machine_cfg(&cfg);
	assert_int_equal(machine_enter(m), 0);
	return m;
}

static struct foliage_machine *boot(bool init_on_free, bool coco)
{
	return boot_mib(init_on_free, coco, 64);
}

/*
 * Page reporting skips a zone with fewer free pages than low_wmark +
 * (32 << pageblock_order), 64 MiB: its tests need a bigger guest.
 */
static void boot_for_reporting(void)
{
	test_machine_done(m);
	boot_mib(false, false, 256);
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
	hv = NULL;
	return 0;
}

/* Add a balloon offering @features with queues of @qsize; the probe's error. */
static int bring_up(u64 features, u16 qsize)
{
	struct virtio_balloon_info info;

	assert_int_equal(host_balloon_add(m->host, features, qsize, 0, &hv),
			 0);
	assert_int_equal(virtio_mmio_scan(), 1);
	(void)virtio_balloon_info(m, &info);
	return info.probe_err;
}

static void target(u32 num_pages)
{
	host_balloon_set_target(hv, num_pages);
	assert_int_equal(virtio_balloon_settle(m), 0);
}

static struct virtio_balloon_info info(void)
{
	struct virtio_balloon_info i;

	assert_int_equal(virtio_balloon_info(m, &i), 0);
	return i;
}

static struct host_balloon_stats host_stats(void)
{
	struct host_balloon_stats st;

	host_balloon_stats(hv, &st);
	return st;
}

static unsigned long managed_pages(void)
{
	unsigned long total = 0;
	int z;

	for (z = 0; z < MAX_NR_ZONES; z++)
		total += zone_managed_pages(test_zone(m, 0, z));
	return total;
}

static unsigned long backed_bytes(void)
{
	struct host_ram_stats st;

	assert_int_equal(host_ram_stats(m->host, 0, &st), 0);
	return st.backed_bytes;
}

/*
 * Inflate 1000 pages (4 messages: 256 x 3 + 232), then deflate them: the
 * host is told every PFN, punches every page out of the memfd, MemTotal
 * goes down by 1000 pages and back, actual follows, the events count.
 */
static void test_inflate_deflate_accounting(void **state)
{
	unsigned long total = managed_pages();
	struct host_balloon_stats st;
	struct virtio_balloon_info i;

	(void)state;
	assert_int_equal(bring_up(F(MUST_TELL_HOST), 64), 0);
	target(1000);
	i = info();
	assert_int_equal(i.features, F(MUST_TELL_HOST));
	assert_int_equal(i.balloon_pages, 1000);
	assert_int_equal(i.actual, 1000);
	assert_int_equal(managed_pages(), total - 1000);
	assert_int_equal(vmstat(m, "balloon_inflate"), 1000);
	assert_int_equal(vmstat(m, "nr_balloon_pages"), 1000);
	st = host_stats();
	assert_int_equal(st.inflated_pages, 1000);
	assert_int_equal(st.inflate_discarded_bytes, 1000 * 4096);
	assert_int_equal(st.actual, 1000);

	target(0);
	i = info();
	assert_int_equal(i.balloon_pages, 0);
	assert_int_equal(i.actual, 0);
	assert_int_equal(i.deflated, 1000);
	assert_int_equal(managed_pages(), total);
	assert_int_equal(vmstat(m, "balloon_deflate"), 1000);
	assert_int_equal(vmstat(m, "nr_balloon_pages"), 0);
	assert_int_equal(host_stats().deflated_pages, 1000);
	assert_machine_ok(m);
}

/* With DEFLATE_ON_OOM the balloon's pages still count in MemTotal. */
static void test_deflate_on_oom_keeps_memtotal(void **state)
{
	unsigned long total = managed_pages();

	(void)state;
	assert_int_equal(bring_up(F(DEFLATE_ON_OOM), 64), 0);
	target(600);
	assert_int_equal(info().balloon_pages, 600);
	assert_int_equal(managed_pages(), total);
	target(0);
}

/*
 * The balloon takes all it can (out of puff); then the guest allocates
 * more than is left: the OOM notifier deflates 256 pages at a time and
 * every allocation succeeds.  Without DEFLATE_ON_OOM they fail.
 */
static void oom_case(bool deflate_on_oom)
{
	unsigned long nr = 0, want;
	struct page **pages;
	struct page *p;

	assert_int_equal(bring_up(deflate_on_oom ? F(DEFLATE_ON_OOM) : 0, 64),
			 0);
	target(ALL_PAGES);
	want = 600;
	pages = calloc(want, sizeof(*pages));
	while (nr < want && (p = alloc_pages(GFP_KERNEL, 0)))
		pages[nr++] = p;
	if (deflate_on_oom) {
		assert_int_equal(nr, want);
		assert_true(info().oom_deflated >= 256);
		assert_int_equal(info().oom_deflated % 256, 0);
	} else {
		assert_true(nr < want);
		assert_int_equal(info().oom_deflated, 0);
	}
	while (nr)
		__free_pages(pages[--nr], 0);
	free(pages);
	target(0);
	assert_int_equal(info().balloon_pages, 0);
	assert_machine_ok(m);
}

static void test_oom_deflate(void **state)
{
	(void)state;
	oom_case(true);
}

static void test_no_oom_deflate_without_feature(void **state)
{
	(void)state;
	oom_case(false);
}

/* A queue of one entry cannot take a two-descriptor chain: -ENOSPC. */
static void test_short_queue_enospc(void **state)
{
	(void)state;
	assert_int_equal(bring_up(F(MUST_TELL_HOST), 1), -ENOSPC);
	assert_int_equal(virtio_balloon_info(m, &(struct virtio_balloon_info){0}),
			 -ENODEV);
}

/*
 * validate(), in Linux's order (init_on_free, what the device offers,
 * a confidential guest) -> what is negotiated.
 */
struct validate_case {
	bool init_on_free;		/* guest boot parameter */
	bool coco;			/* confidential guest */
	u64 offered;			/* device bits */
	u64 negotiated;			/* expected */
};

static const struct validate_case validate_cases[] = {
	/* no init_on_free, no poisoning: PAGE_POISON goes, REPORTING stays */
	{ false, false, ALL_F, ALL_F & ~F(PAGE_POISON) },
	/* init_on_free and PAGE_POISON: everything */
	{ true, false, ALL_F, ALL_F },
	/* init_on_free without PAGE_POISON: REPORTING goes, so does bit 6 */
	{ true, false, ALL_F & ~F(PAGE_POISON),
	  ALL_F & ~(F(PAGE_POISON) | F(REPORTING) | F(DEVICE_INIT_REPORTED)) },
	/* no REPORTING: bit 6 goes, bit 7 stays */
	{ false, false, ALL_F & ~F(REPORTING),
	  ALL_F & ~(F(PAGE_POISON) | F(REPORTING) | F(DEVICE_INIT_REPORTED)) },
	/* a confidential guest: bits 6 and 7 go */
	{ false, true, ALL_F, ALL_F & ~(F(PAGE_POISON) | F_ZERO_BITS) },
	{ true, true, ALL_F, ALL_F & ~F_ZERO_BITS },
	/* nothing offered, nothing negotiated */
	{ true, false, 0, 0 },
};

static void test_validate_matrix(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(validate_cases); i++) {
		const struct validate_case *c = &validate_cases[i];

		test_machine_done(m);
		boot(c->init_on_free, c->coco);
		assert_int_equal(bring_up(c->offered, 64), 0);
		if (info().features != c->negotiated)
			fail_msg("case %u: negotiated %#llx, want %#llx", i,
				 (unsigned long long)info().features,
				 (unsigned long long)c->negotiated);
		assert_int_equal(host_stats().features, c->negotiated);
	}
}

/* PAGE_POISON without init_on_free tells the host 0xaaaaaaaa; with it, 0. */
static void test_poison_val_written(void **state)
{
	(void)state;
	test_machine_done(m);
	boot(true, false);
	assert_int_equal(bring_up(F(PAGE_POISON), 64), 0);
	assert_int_equal(host_stats().poison_val, 0);
}

/*
 * Dirty @nr movable pages (the balloon's kind) and free them, so the
 * balloon gets non-zero pages.
 */
static void dirty_free_pages(unsigned int nr)
{
	struct page **pages = calloc(nr, sizeof(*pages));
	unsigned int i;

	for (i = 0; i < nr; i++) {
		pages[i] = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
		assert_non_null(pages[i]);
		memset(page_address(pages[i]), 0x5a, PAGE_SIZE);
	}
	for (i = 0; i < nr; i++)
		__free_pages(pages[i], 0);
	free(pages);
	drain_all_pages(NULL);
}

/*
 * Allocate movable pages with __GFP_ZERO until @until() holds or memory
 * runs out, checking each is zero (unless @lying); free them all.  Whether
 * @until() held.
 */
static bool zero_alloc_until(bool (*until)(void), bool lying)
{
	unsigned long nr = 0, max = 64 << 8;
	struct page **pages = calloc(max, sizeof(*pages));
	bool held = false;

	drain_all_pages(NULL);
	while (nr < max && !(held = until())) {
		pages[nr] = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
		if (!pages[nr])
			break;
		if (!lying)
			assert_true(mem_is(page_address(pages[nr]), 0,
					   PAGE_SIZE));
		nr++;
	}
	while (nr)
		__free_pages(pages[--nr], 0);
	free(pages);
	return held;
}

static unsigned long skipped_base;

static bool skipped_512(void)
{
	return vmstat(m, "pgzero_skipped") - skipped_base >= 512;
}

static bool bug_seen(void)
{
	return m->nr_bugs > 0;
}

/*
 * Bit 7: the inflate bitmap marks every page PG_zeroed in the balloon;
 * deflate frees them with FPI_ZEROED, and __GFP_ZERO allocations of them
 * skip the memset.  The pages were dirty before: the host's discard is
 * what zeroed them.  The balloon takes all it can, so that the freed
 * pages merge with each other (a zeroed page merging with a dirty buddy
 * is dirty, by design).
 */
static void test_init_on_inflate_skips_zeroing(void **state)
{
	(void)state;
	assert_int_equal(bring_up(F(DEVICE_INIT_ON_INFLATE), 64), 0);
	dirty_free_pages(512);
	target(ALL_PAGES);
	assert_true(info().balloon_pages > 512);
	assert_int_equal(info().zeroed_pages, info().balloon_pages);
	target(0);
	assert_int_equal(info().zeroed_pages, 0);
	skipped_base = vmstat(m, "pgzero_skipped");
	m->debug_full = true;
	assert_true(zero_alloc_until(skipped_512, false));
	assert_int_equal(m->nr_bugs, 0);
}

/* Bit 7 with used_len 0 (an inhibited host): no page is marked. */
static void test_init_on_inflate_inhibited(void **state)
{
	(void)state;
	assert_int_equal(bring_up(F(DEVICE_INIT_ON_INFLATE), 64), 0);
	host_balloon_set_discard(hv, HOST_BALLOON_INHIBIT);
	target(300);
	assert_int_equal(info().balloon_pages, 300);
	assert_int_equal(info().zeroed_pages, 0);
	assert_int_equal(host_stats().inflate_discarded_bytes, 0);
	target(0);
}

/* Without bit 7 negotiated nothing is marked, whatever the host does. */
static void test_no_bit7_no_hint(void **state)
{
	(void)state;
	assert_int_equal(bring_up(F(MUST_TELL_HOST), 64), 0);
	target(300);
	assert_int_equal(info().zeroed_pages, 0);
	target(0);
}

/* A confidential guest never negotiates bit 7: no zeroing skipped. */
static void test_coco_never_skips(void **state)
{
	(void)state;
	test_machine_done(m);
	boot(false, true);
	assert_int_equal(bring_up(F(DEVICE_INIT_ON_INFLATE), 64), 0);
	host_balloon_set_discard(hv, HOST_BALLOON_LIE);
	dirty_free_pages(256);
	target(ALL_PAGES);
	assert_int_equal(info().zeroed_pages, 0);
	target(0);
	skipped_base = vmstat(m, "pgzero_skipped");
	m->debug_full = true;
	assert_false(zero_alloc_until(bug_seen, false));
	assert_int_equal(vmstat(m, "pgzero_skipped"), skipped_base);
}

/*
 * A lying host claims every inflated page initialised but discards
 * nothing: the dirty pages come back "zeroed", and with debug.full the
 * allocator's content check records the bug.
 */
static void test_lying_host_caught(void **state)
{
	(void)state;
	assert_int_equal(bring_up(F(DEVICE_INIT_ON_INFLATE), 64), 0);
	host_balloon_set_discard(hv, HOST_BALLOON_LIE);
	dirty_free_pages(256);
	target(ALL_PAGES);
	assert_int_equal(info().zeroed_pages, info().balloon_pages);
	assert_int_equal(host_stats().inflate_discarded_bytes, 0);
	target(0);
	m->debug_full = true;
	assert_true(zero_alloc_until(bug_seen, true));
	assert_non_null(strstr(m->first_bug, "PG_zeroed"));
	m->nr_bugs = 0;		/* recorded on purpose */
}

/* Discards are real: the memfd's backing shrinks by what was inflated. */
static void test_discard_is_real(void **state)
{
	unsigned long before;

	(void)state;
	assert_int_equal(bring_up(0, 64), 0);
	dirty_free_pages(1024);
	before = backed_bytes();
	target(1024);
	assert_true(before - backed_bytes() >= 1024UL * 4096);
	target(0);
}

/*
 * A failing device: NEEDS_RESET and a config interrupt; the driver stops
 * waiting for it, and every page still ends in the balloon or the buddy.
 */
static void test_failing_host(void **state)
{
	(void)state;
	assert_int_equal(bring_up(F(MUST_TELL_HOST), 64), 0);
	host_balloon_set_discard(hv, HOST_BALLOON_FAIL);
	target(300);
	assert_true(host_stats().nr_errors > 0);
	assert_int_equal(info().balloon_pages, 300);
	target(0);
	assert_int_equal(info().balloon_pages, 0);
	assert_machine_ok(m);
}

/*
 * Statistics: the guest primes the queue at probe; each request of the
 * host is answered with the 16 tags from the guest's own counters.
 */
static void test_stats(void **state)
{
	struct host_balloon_stats st;
	unsigned int t;
	int ret;

	(void)state;
	assert_int_equal(bring_up(F(STATS_VQ), 64), 0);
	cpu_sleep_begin();
	ret = host_balloon_wait_stats(hv, 1);	/* the primed buffer */
	cpu_sleep_end();
	assert_int_equal(ret, 0);
	assert_int_equal(host_balloon_request_stats(hv), 0);
	assert_int_equal(virtio_balloon_settle(m), 0);
	cpu_sleep_begin();
	ret = host_balloon_wait_stats(hv, 2);	/* the answer */
	cpu_sleep_end();
	assert_int_equal(ret, 0);
	st = host_stats();
	assert_int_equal(st.nr_stats, 2);
	assert_int_equal(info().nr_stats_answers, 2);
	for (t = 0; t < VIRTIO_BALLOON_S_NR; t++)
		assert_true(st.stats_seen[t]);
	assert_int_equal(st.stats[VIRTIO_BALLOON_S_MEMTOT],
			 (u64)managed_pages() << PAGE_SHIFT);
	assert_true(st.stats[VIRTIO_BALLOON_S_MEMFREE] > 0);
}

static unsigned long free_pages(void)
{
	return global_zone_page_state(NR_FREE_PAGES);
}

/*
 * Free page hinting: a command id >= 2 has the guest hint (and hold)
 * every free order-10 block it can take, then send the stop id; the
 * host counts 4 MiB a hint and discards nothing.  DONE gives the blocks
 * back; so does memory running short (the OOM chain), before the
 * allocation fails.
 */
static void test_free_page_hint(void **state)
{
	unsigned long before, held, nr = 0, want;
	struct page **pages;
	struct page *p;

	(void)state;
	assert_int_equal(bring_up(F(FREE_PAGE_HINT), 64), 0);
	drain_all_pages(NULL);
	before = free_pages();
	host_balloon_set_hint_cmd(hv, 2);
	assert_int_equal(virtio_balloon_settle(m), 0);
	held = info().hint_blocks;
	assert_true(held > 0);
	assert_int_equal(info().hinted_blocks, held);
	assert_int_equal(host_stats().hinted_bytes, held << 22);
	assert_int_equal(host_stats().inflate_discarded_bytes, 0);
	drain_all_pages(NULL);
	assert_int_equal(before - free_pages(), held << 10);

	/* DONE: every block goes back. */
	host_balloon_set_hint_cmd(hv, VIRTIO_BALLOON_CMD_ID_DONE);
	assert_int_equal(virtio_balloon_settle(m), 0);
	assert_int_equal(info().hint_blocks, 0);
	drain_all_pages(NULL);
	assert_int_equal(free_pages(), before);

	/* A new command; then more order-0 pages than are left free. */
	host_balloon_set_hint_cmd(hv, 3);
	assert_int_equal(virtio_balloon_settle(m), 0);
	assert_true(info().hint_blocks > 0);
	want = free_pages() + 100;
	pages = calloc(want, sizeof(*pages));
	while (nr < want && (p = alloc_pages(GFP_KERNEL, 0)))
		pages[nr++] = p;
	assert_int_equal(nr, want);
	assert_int_equal(info().hint_blocks, 0);
	while (nr)
		__free_pages(pages[--nr], 0);
	free(pages);
	assert_machine_ok(m);
}

/* Report @nr order-9 blocks of @pages; the zeroed bitmap. */
static unsigned long report_blocks(struct page **pages, unsigned int nr)
{
	struct scatterlist sg[4];
	unsigned long bitmap[1] = { 0 };
	struct virtio_device *vdev = virtio_find_device(0);
	unsigned int i;

	sg_init_table(sg, nr);
	for (i = 0; i < nr; i++)
		sg_set_page(&sg[i], pages[i], PAGE_SIZE << 9, 0);
	assert_int_equal(virtballoon_free_page_report(vdev, sg, nr, bitmap),
			 0);
	return bitmap[0];
}

/*
 * Bit 6: each reported block is its own buffer, and counts as
 * initialised only when used_len is its whole length.  A host answering
 * [len, 0, len / 2] for three dirty 2 MiB blocks: only the first is
 * marked, and only the first, freed known-zero as the reporting drain
 * would, skips its memset.
 */
static void test_report_used_len(void **state)
{
	int lens[3] = { PAGE_SIZE << 9, 0, PAGE_SIZE << 8 };
	struct page *blocks[6], *pages[3], *p;
	unsigned long bitmap, skipped;
	unsigned int i;

	(void)state;
	/* No init_on_free: PAGE_POISON goes, reporting and bit 6 stay. */
	assert_int_equal(bring_up(F(PAGE_POISON) | F(REPORTING) |
				  F(DEVICE_INIT_REPORTED), 64), 0);
	assert_int_equal(info().features, F(REPORTING) |
					  F(DEVICE_INIT_REPORTED));
	/* Each reported block's buddy stays allocated: nothing merges. */
	for (i = 0; i < 6; i++) {
		blocks[i] = alloc_pages(GFP_HIGHUSER_MOVABLE, 9);
		assert_non_null(blocks[i]);
		memset(page_address(blocks[i]), 0x5a, PAGE_SIZE << 9);
	}
	for (i = 0; i < 3; i++)
		pages[i] = blocks[2 * i];
	assert_int_equal(host_balloon_script_report_lens(hv, lens, 3), 0);
	bitmap = report_blocks(pages, 3);
	assert_int_equal(bitmap, 0x1);
	assert_int_equal(info().reported_pages, 3 * 512);
	assert_int_equal(info().reported_zeroed_pages, 512);
	assert_int_equal(host_stats().report_discarded_bytes, 3UL << 21);
	/* What the drain does: a marked block is known zero. */
	for (i = 0; i < 3; i++) {
		if (bitmap & (1UL << i))
			free_pages_zeroed(pages[i], 9);
		else
			__free_pages(pages[i], 9);
	}
	m->debug_full = true;
	for (i = 0; i < 3; i++) {
		skipped = vmstat(m, "pgzero_skipped");
		p = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 9);
		assert_true(p == blocks[0] || p == blocks[2] || p == blocks[4]);
		assert_int_equal(vmstat(m, "pgzero_skipped") - skipped,
				 p == blocks[0] ? 512 : 0);
		assert_true(mem_is(page_address(p), 0, PAGE_SIZE << 9));
	}
	for (i = 0; i < 6; i++)
		__free_pages(blocks[i], 9);
	assert_int_equal(m->nr_bugs, 0);
}

/* Bit 6 not negotiated: one buffer, nothing marked, pages discarded. */
static void test_report_without_bit6(void **state)
{
	struct page *pages[2];
	unsigned int i;

	(void)state;
	assert_int_equal(bring_up(F(REPORTING), 64), 0);
	for (i = 0; i < 2; i++)
		pages[i] = alloc_pages(GFP_HIGHUSER_MOVABLE, 9);
	assert_int_equal(report_blocks(pages, 2), 0);
	assert_int_equal(info().reported_pages, 1024);
	assert_int_equal(info().reported_zeroed_pages, 0);
	assert_int_equal(host_stats().report_discarded_bytes, 2UL << 21);
	for (i = 0; i < 2; i++)
		__free_pages(pages[i], 9);
}

/*
 * Balloon page migration (the hook the migration work will call): a page
 * of the balloon is isolated and replaced by a new one.  The host hears
 * of the new page on the inflate queue and of the old one on the deflate
 * queue; balloon_migrate counts; the new page is PG_zeroed (bit 7) and
 * the old one keeps its hint, so freed known zero it skips the memset.
 */
static void test_migrate_keeps_hint(void **state)
{
	struct page *page = NULL, *newpage, *p;
	struct host_balloon_stats before;
	struct virtio_balloon_info i;
	unsigned long skipped, pfn;

	(void)state;
	assert_int_equal(bring_up(F(DEVICE_INIT_ON_INFLATE), 64), 0);
	dirty_free_pages(64);
	target(64);
	before = host_stats();
	/* Any balloon page: the first PageOffline one in RAM. */
	for (pfn = 0; pfn < m->max_pfn && !page; pfn++)
		if (PageOffline(pfn_to_page(pfn)))
			page = pfn_to_page(pfn);
	assert_non_null(page);
	assert_true(PageZeroed(page));
	assert_true(balloon_page_isolate(page));
	assert_false(balloon_page_isolate(page));
	newpage = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	memset(page_address(newpage), 0x5a, PAGE_SIZE);
	assert_int_equal(balloon_page_migrate(newpage, page), 0);
	put_page(newpage);		/* the migration code's reference */
	i = info();
	assert_int_equal(i.balloon_pages, 64);
	assert_int_equal(i.zeroed_pages, 64);
	assert_true(PageOffline(newpage) && PageZeroed(newpage));
	assert_int_equal(page_ref_count(newpage), 1);
	assert_int_equal(vmstat(m, "balloon_migrate"), 1);
	assert_int_equal(vmstat(m, "nr_balloon_pages"), 64);
	assert_int_equal(host_stats().inflated_pages, before.inflated_pages + 1);
	assert_int_equal(host_stats().deflated_pages, before.deflated_pages + 1);
	/* The old page: ours now (the last reference), still known zero. */
	assert_int_equal(page_ref_count(page), 1);
	assert_true(PageZeroed(page));
	__ClearPageZeroed(page);
	put_page_zeroed(page);		/* on this CPU's list, PG_zeroed */
	m->debug_full = true;
	skipped = vmstat(m, "pgzero_skipped");
	p = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	assert_ptr_equal(p, page);
	assert_int_equal(vmstat(m, "pgzero_skipped") - skipped, 1);
	__free_pages(p, 0);
	/* A page put back is the balloon's again. */
	assert_true(balloon_page_isolate(newpage));
	balloon_page_putback(newpage);
	assert_int_equal(page_ref_count(newpage), 1);
	target(0);
	assert_int_equal(info().balloon_pages, 0);
	assert_int_equal(m->nr_bugs, 0);
}

/* Make the @n-th page allocation from now fail, once (0: none). */
static void fail_nth(unsigned long n)
{
	char v[32];

	snprintf(v, sizeof(v), "%lu", n ? n : 1);
	assert_int_equal(foliage_set(m, "fail_page_alloc.probability",
				     n ? "100" : "0"), 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.interval", v), 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.times",
				     n ? "1" : "0"), 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.min-order", "0"), 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.ignore-gfp-wait",
				     "0"), 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.ignore-gfp-highmem",
				     "0"), 0);
	assert_int_equal(machine_enter(m), 0);
}

/* Whether the injected failure happened. */
static bool fail_hit(void)
{
	long times = 1;

	assert_int_equal(foliage_get(m, "fail_page_alloc.times", &times), 0);
	assert_int_equal(machine_enter(m), 0);
	return times == 0;
}

static unsigned long drained_free_pages(void)
{
	drain_all_pages(NULL);
	return free_pages();
}

/*
 * Fail-Nth over probe, inflate and deflate: a probe that fails leaks
 * nothing (the free page count is what it was) and the next add probes
 * again; an inflate cut short by a failed allocation is -ENOMEM with
 * every page either free or in the balloon; deflate allocates nothing,
 * and every page comes back.
 */
static void test_fail_nth_probe_inflate_deflate(void **state)
{
	static const unsigned long inflate_n[] = {
		1, 2, 256, 257, 300, 301,	/* the message limit: 256 */
	};
	unsigned long before, n, inflated;
	unsigned int i;
	bool hit;
	int ret;

	(void)state;
	before = drained_free_pages();
	for (n = 1;; n++) {
		fail_nth(n);
		ret = foliage_balloon_add(m, F(MUST_TELL_HOST) | F(STATS_VQ) |
					  F(DEVICE_INIT_ON_INFLATE), 64, 0);
		hit = fail_hit();
		fail_nth(0);
		if (!ret)
			break;
		assert_true(hit);
		assert_int_equal(ret, -ENOMEM);
		assert_int_equal(drained_free_pages(), before);
		assert_machine_ok(m);
	}
	assert_true(n > 1);		/* the probe allocates */
	hv = virtio_balloon_host_dev(m);
	before = drained_free_pages();
	for (i = 0; i < ARRAY_SIZE(inflate_n); i++) {
		fail_nth(inflate_n[i]);
		ret = foliage_balloon_set_target(m, 300);
		hit = fail_hit();
		fail_nth(0);
		inflated = info().balloon_pages;
		assert_int_equal(ret, hit ? -ENOMEM : 0);
		assert_int_equal(inflated, hit ? inflate_n[i] - 1 : 300);
		/* Every page is free or in the balloon. */
		assert_int_equal(before - drained_free_pages(), inflated);
		fail_nth(1);
		ret = foliage_balloon_set_target(m, 0);
		hit = fail_hit();
		fail_nth(0);
		assert_int_equal(ret, 0);
		assert_false(hit);	/* deflate allocates nothing */
		assert_int_equal(drained_free_pages(), before);
		assert_machine_ok(m);
	}
}

/* Dirty and free @nr movable order-9 blocks: the free lists' big blocks. */
static void dirty_free_blocks(unsigned int nr)
{
	struct page *blocks[64];
	unsigned int i;

	assert_true(nr <= 64);
	for (i = 0; i < nr; i++) {
		blocks[i] = alloc_pages(GFP_HIGHUSER_MOVABLE, 9);
		assert_non_null(blocks[i]);
		memset(page_address(blocks[i]), 0x5a, PAGE_SIZE << 9);
	}
	for (i = 0; i < nr; i++)
		__free_pages(blocks[i], 9);
	drain_all_pages(NULL);
}

/*
 * Free page reporting through the balloon, end to end: a flush reports
 * the free blocks of pageblock order and up on the reporting queue, one
 * a buffer (bit 6); the host punches each and answers its whole length,
 * so every block is PageReported and PG_zeroed, and __GFP_ZERO
 * allocations from them skip the memset (the dirty bytes are gone).
 */
static void test_reporting_end_to_end(void **state)
{
	struct virtio_balloon_info i;

	(void)state;
	boot_for_reporting();
	assert_int_equal(bring_up(F(REPORTING) | F(DEVICE_INIT_REPORTED), 64),
			 0);
	dirty_free_blocks(16);
	assert_int_equal(foliage_set(m, "page_reporting.flush", "512"), 0);
	assert_int_equal(machine_enter(m), 0);
	i = info();
	assert_true(i.reported_pages >= 16 * 512);
	assert_int_equal(i.reported_zeroed_pages, i.reported_pages);
	assert_int_equal(host_stats().report_discarded_bytes,
			 (u64)i.reported_pages << PAGE_SHIFT);
	skipped_base = vmstat(m, "pgzero_skipped");
	m->debug_full = true;
	assert_true(zero_alloc_until(skipped_512, false));
	assert_int_equal(m->nr_bugs, 0);
}

/* Bit 6 not negotiated: reporting works, nothing becomes PG_zeroed. */
static void test_reporting_without_bit6(void **state)
{
	struct virtio_balloon_info i;
	struct page *blocks[16];
	unsigned int n;

	(void)state;
	boot_for_reporting();
	assert_int_equal(bring_up(F(REPORTING), 64), 0);
	dirty_free_blocks(16);
	assert_int_equal(foliage_set(m, "page_reporting.flush", "512"), 0);
	assert_int_equal(machine_enter(m), 0);
	i = info();
	assert_true(i.reported_pages >= 16 * 512);
	assert_int_equal(i.reported_zeroed_pages, 0);
	assert_true(host_stats().report_discarded_bytes > 0);
	/* Every order-9 block: reported, none known zero. */
	skipped_base = vmstat(m, "pgzero_skipped");
	for (n = 0; n < 16; n++) {
		blocks[n] = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 9);
		assert_non_null(blocks[n]);
	}
	assert_int_equal(vmstat(m, "pgzero_skipped"), skipped_base);
	while (n--)
		__free_pages(blocks[n], 9);
}

/*
 * The pass as page reporting runs it, 2 s after a free, on CPU 0's
 * kworker, which also delivers the balloon's interrupts: the driver
 * polls the used ring there, and the blocks are reported all the same.
 */
static void test_reporting_on_kworker(void **state)
{
	(void)state;
	boot_for_reporting();
	assert_int_equal(bring_up(F(REPORTING) | F(DEVICE_INIT_REPORTED), 64),
			 0);
	dirty_free_blocks(8);
	assert_int_equal(foliage_advance_time(m, 3000000000ULL), 0);
	assert_int_equal(machine_enter(m), 0);
	assert_true(info().reported_pages >= 8 * 512);
	assert_int_equal(info().reported_zeroed_pages, info().reported_pages);
}

/*
 * A failing host under reporting: its first buffers come back empty
 * (nothing zeroed) and it raises NEEDS_RESET; the driver breaks the
 * device, so the next pass's ->report() fails (-EIO) and the pass
 * stops, its blocks back on the free lists, none lost.
 */
static void test_reporting_failing_host(void **state)
{
	unsigned long free_before;
	int ret;

	(void)state;
	boot_for_reporting();
	assert_int_equal(bring_up(F(REPORTING) | F(DEVICE_INIT_REPORTED), 64),
			 0);
	host_balloon_set_discard(hv, HOST_BALLOON_FAIL);
	dirty_free_blocks(4);
	free_before = drained_free_pages();
	ret = foliage_set(m, "page_reporting.flush", "512");
	assert_int_equal(machine_enter(m), 0);
	assert_true(ret == 0 || ret == -EIO);
	assert_int_equal(info().reported_zeroed_pages, 0);
	assert_true(host_stats().nr_errors > 0);
	assert_int_equal(host_stats().report_discarded_bytes, 0);
	dirty_free_blocks(4);
	ret = foliage_set(m, "page_reporting.flush", "512");
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(ret, -EIO);
	assert_int_equal(drained_free_pages(), free_before);
	assert_machine_ok(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_inflate_deflate_accounting),
		T(test_deflate_on_oom_keeps_memtotal),
		T(test_oom_deflate),
		T(test_no_oom_deflate_without_feature),
		T(test_short_queue_enospc),
		T(test_validate_matrix),
		T(test_poison_val_written),
		T(test_init_on_inflate_skips_zeroing),
		T(test_init_on_inflate_inhibited),
		T(test_no_bit7_no_hint),
		T(test_coco_never_skips),
		T(test_lying_host_caught),
		T(test_discard_is_real),
		T(test_failing_host),
		T(test_stats),
		T(test_free_page_hint),
		T(test_report_used_len),
		T(test_report_without_bit6),
		T(test_migrate_keeps_hint),
		T(test_fail_nth_probe_inflate_deflate),
		T(test_reporting_end_to_end),
		T(test_reporting_without_bit6),
		T(test_reporting_on_kworker),
		T(test_reporting_failing_host),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
