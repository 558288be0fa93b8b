// SPDX-License-Identifier: GPL-2.0
/*
 * The memmap costs the host what is used, not what is configured: a boot
 * leaves every whole max-order block unlisted (mm/mm_init.c), writing no
 * struct page for it, while every reader (buddyinfo, pagetypeinfo,
 * foliage_page_info(), the validators, contiguous allocation) still sees a
 * free Movable order-10 block, and the allocator hands blocks out in the
 * order a fully listed boot would: lowest pfn first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "internal.h"

#define MiB	(1ULL << 20)
#define GiB	(1ULL << 30)
#define TiB	(1ULL << 40)

/* The Normal zone's line of buddyinfo for node @nid. */
static char *buddyinfo_line(struct foliage_machine *m, int nid, char *buf,
			    size_t len)
{
	char *text, *line, want[32];

	assert_int_equal(foliage_render(m, "buddyinfo", 0, &text), 0);
	snprintf(want, sizeof(want), "Node %d, zone   Normal", nid);
	line = strstr(text, want);
	assert_non_null(line);
	snprintf(buf, len, "%.*s", (int)strcspn(line, "\n"), line);
	free(text);
	return buf;
}

/*
 * Four nodes of 1 TiB: booting writes (almost) nothing, buddyinfo shows
 * 262144 free order-10 blocks per node, allocations come from the bottom
 * of the node, frees restore the counts exactly, and the whole thing costs
 * the host a few MiB.
 */
static void test_boot_4_nodes_1t(void **state)
{
	struct foliage_config cfg;
	unsigned long long rss0, rss1;
	unsigned long pfn, pfn10, start3;
	struct foliage_page_info info;
	struct foliage_machine *m;
	uint64_t cost, avail;
	char line[256];
	int nid;

	(void)state;
	foliage_config_init(&cfg);
	cfg.nr_nodes = 4;
	cfg.bytes_per_node = TiB;
	assert_int_equal(foliage_boot_cost(&cfg, &cost, &avail), 0);
	assert_true(cost < 4 * MiB);
	rss0 = process_rss_bytes();
	m = test_machine_cfg(&cfg);
	rss1 = process_rss_bytes();
	print_message("4 x 1 TiB: host RSS +%llu KiB at boot\n",
		      (rss1 - rss0) >> 10);
	/*
	 * A written memmap would be 64 GiB; a boot costs about 3 MiB.  The
	 * bound leaves room for what the sanitizers' allocator and the
	 * machine's threads may touch on a busy host.
	 */
	assert_true(rss1 - rss0 < 64 * MiB);
	assert_int_equal(vmstat(m, "nr_free_pages"), 4 * (TiB >> 12));
	for (nid = 0; nid < 4; nid++) {
		struct zone *zone = test_zone(m, nid, ZONE_NORMAL);

		assert_int_equal(zone->nr_unlisted, TiB >> 22);
		assert_int_equal(free_list_len(zone, MAX_PAGE_ORDER,
					       MIGRATE_MOVABLE), TiB >> 22);
	}
	assert_string_equal(buddyinfo_line(m, 0, line, sizeof(line)),
			    "Node 0, zone   Normal      0      0      0      0      0      0      0      0      0      0 262144 ");
	assert_free_accounting(m);

	/* The head of a block is a free order-10 buddy, its tail free. */
	start3 = 3UL << m->node_shift;
	assert_int_equal(foliage_page_info(m, start3 + 1024 * 77, &info), 0);
	assert_true(info.buddy);
	assert_int_equal(info.buddy_order, 10);
	assert_int_equal(info.migratetype, MIGRATE_MOVABLE);
	assert_int_equal(foliage_page_info(m, start3 + 1024 * 77 + 5, &info),
			 0);
	assert_false(info.buddy);
	assert_int_equal(info.refcount, 0);

	/* Lowest pfn first, on the node asked for. */
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_KERNEL, 0, 3,
					     &pfn), 0);
	assert_int_equal(pfn, start3);
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_KERNEL, 10, 3,
					     &pfn10), 0);
	assert_int_equal(pfn10, start3 + 1024);
	assert_int_equal(test_zone(m, 3, ZONE_NORMAL)->nr_unlisted,
			 (TiB >> 22) - 2);
	assert_free_accounting(m);

	/* A contiguous range in the middle of the unlisted ones. */
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(alloc_contig_range(start3 + (TiB >> 13),
					    start3 + (TiB >> 13) + 3,
					    GFP_KERNEL), 0);
	machine_exit_op(m);
	assert_int_equal(test_zone(m, 3, ZONE_NORMAL)->nr_unlisted,
			 (TiB >> 22) - 3);
	assert_int_equal(foliage_validate(m), 0);
	assert_free_accounting(m);
	for (pfn = 0; pfn < 3; pfn++)
		assert_int_equal(foliage_free_pages(m, start3 + (TiB >> 13) +
						    pfn, 0, 0), 0);

	assert_int_equal(foliage_free_pages(m, start3, 0, 0), 0);
	assert_int_equal(foliage_free_pages(m, pfn10, 10, 0), 0);
	assert_int_equal(foliage_drain_pages(m), 0);
	assert_int_equal(vmstat(m, "nr_free_pages"), 4 * (TiB >> 12));
	assert_string_equal(buddyinfo_line(m, 3, line, sizeof(line)),
			    "Node 3, zone   Normal      0      0      0      0      0      0      0      0      0      0 262144 ");
	assert_free_accounting(m);
	assert_int_equal(foliage_validate(m), 0);
	assert_true(process_rss_bytes() - rss0 < 64 * MiB);
	test_machine_done(m);
}

/*
 * Blocks freed back go in front of the unlisted ones, as they would go in
 * front of boot's listing: a max-order block freed is the next one handed
 * out, then the allocator resumes at the lowest unlisted block.
 */
static void test_unlisted_order(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	unsigned long a, b, c, d;

	(void)state;
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_HIGHUSER_MOVABLE, 10, 0,
					     &a), 0);
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_HIGHUSER_MOVABLE, 10, 0,
					     &b), 0);
	assert_int_equal(a, 0);
	assert_int_equal(b, 1024);
	assert_int_equal(foliage_free_pages(m, a, 10, 0), 0);
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_HIGHUSER_MOVABLE, 10, 0,
					     &c), 0);
	assert_int_equal(c, 0);
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_HIGHUSER_MOVABLE, 10, 0,
					     &d), 0);
	assert_int_equal(d, 2048);
	assert_int_equal(foliage_validate(m), 0);
	assert_int_equal(foliage_free_pages(m, b, 10, 0), 0);
	assert_int_equal(foliage_free_pages(m, c, 10, 0), 0);
	assert_int_equal(foliage_free_pages(m, d, 10, 0), 0);
	assert_free_accounting(m);
	assert_int_equal(foliage_validate(m), 0);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_4_nodes_1t),
		cmocka_unit_test(test_unlisted_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
