// SPDX-License-Identifier: GPL-2.0
/*
 * HugeTLB pools (mm/hugetlb.c): growing and shrinking the 2 MiB and 1 GiB
 * hstates on a two-node machine with Linux 6.18's rules (round-robin over
 * the nodes, surplus promoted first, free pages freed, pages in use turned
 * into surplus and back to buddy when freed), the counters global and per
 * node, htlb_buddy_alloc_success/fail, nr_hugetlb, the overcommit knobs,
 * and the meminfo and sysfs output against the golden captures.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "helpers.h"
#include <linux/hugetlb.h>
#include <linux/machine.h>

#define H2M(m)	(&(m)->hugetlb->hstates[HSTATE_2M])
#define H1G(m)	(&(m)->hugetlb->hstates[HSTATE_1G])
#define K2M	"hugepages.hugepages-2048kB/"
#define K1G	"hugepages.hugepages-1048576kB/"

static long knob(struct foliage_machine *m, const char *name)
{
	long v = -1;

	assert_int_equal(foliage_get(m, name, &v), 0);
	return v;
}

static void set(struct foliage_machine *m, const char *name, const char *v)
{
	assert_int_equal(foliage_set(m, name, v), 0);
}

/* nr, free, surplus of @h, globally and on nodes 0 and 1. */
static void assert_pool(const struct hstate *h, unsigned long nr,
			unsigned long nr0, unsigned long nr1,
			unsigned long free, unsigned long free0,
			unsigned long surp, unsigned long surp0)
{
	assert_int_equal(h->nr_huge_pages, nr);
	assert_int_equal(h->nr_huge_pages_node[0], nr0);
	assert_int_equal(h->nr_huge_pages_node[1], nr1);
	assert_int_equal(h->free_huge_pages, free);
	assert_int_equal(h->free_huge_pages_node[0], free0);
	assert_int_equal(h->free_huge_pages_node[1], free - free0);
	assert_int_equal(h->surplus_huge_pages, surp);
	assert_int_equal(h->surplus_huge_pages_node[0], surp0);
	assert_int_equal(h->surplus_huge_pages_node[1], surp - surp0);
	assert_int_equal(h->resv_huge_pages, 0);
}

/* A user drops its last reference to @folio (what munmap will do). */
static void user_put(struct foliage_machine *m, struct folio *folio)
{
	assert_int_equal(machine_enter(m), 0);
	set_page_count(&folio->page, 0);
	free_huge_folio(folio);
	machine_leave(m);
}

/* The value of meminfo line @label (its text after the colon). */
static unsigned long meminfo(struct foliage_machine *m, const char *label)
{
	char *text = NULL, want[64];
	unsigned long v;
	char *p;

	assert_int_equal(foliage_render(m, "meminfo", 0, &text), 0);
	snprintf(want, sizeof(want), "\n%s:", label);
	p = strstr(text, want);
	assert_non_null(p);
	v = strtoul(p + strlen(want), NULL, 10);
	free(text);
	return v;
}

/* Growing: fresh pages alternate between the nodes, node 0 first. */
static void test_grow_shrink_2m(void **state)
{
	struct foliage_machine *m = test_machine(2, 256);
	const struct hstate *h = H2M(m);

	set(m, "vm.nr_hugepages", "5");
	assert_pool(h, 5, 3, 2, 5, 3, 0, 0);
	assert_int_equal(knob(m, "vm.nr_hugepages"), 5);
	assert_int_equal(knob(m, K2M "nr_hugepages"), 5);
	assert_int_equal(vmstat(m, "htlb_buddy_alloc_success"), 5);
	assert_int_equal(vmstat(m, "htlb_buddy_alloc_fail"), 0);
	assert_int_equal(vmstat(m, "nr_hugetlb"), 5 * 512);
	assert_int_equal(meminfo(m, "HugePages_Total"), 5);
	assert_int_equal(meminfo(m, "HugePages_Free"), 5);
	assert_int_equal(meminfo(m, "Hugetlb"), 5 * 2048);
	assert_machine_ok(m);

	/* Shrinking frees free pages round-robin, node 0 first. */
	set(m, K2M "nr_hugepages", "2");
	assert_pool(h, 2, 1, 1, 2, 1, 0, 0);
	assert_int_equal(vmstat(m, "nr_hugetlb"), 2 * 512);
	/* The allocation cursor went on from node 1. */
	set(m, "vm.nr_hugepages", "3");
	assert_pool(h, 3, 1, 2, 3, 1, 0, 0);
	assert_int_equal(vmstat(m, "htlb_buddy_alloc_success"), 6);
	set(m, "vm.nr_hugepages", "0");
	assert_pool(h, 0, 0, 0, 0, 0, 0, 0);
	assert_int_equal(vmstat(m, "nr_hugetlb"), 0);
	assert_int_equal(meminfo(m, "Hugetlb"), 0);
	assert_machine_ok(m);
	test_machine_done(m);
}

/*
 * Pages in use when the pool shrinks become surplus; a surplus page freed
 * goes back to buddy; growing turns surplus back into persistent pages
 * before allocating anything.
 */
static void test_shrink_in_use(void **state)
{
	struct foliage_machine *m = test_machine(2, 256);
	struct hstate *h = H2M(m);
	struct folio *a, *b;

	set(m, "vm.nr_hugepages", "4");
	assert_int_equal(machine_enter(m), 0);
	a = dequeue_hugetlb_folio_node_exact(h, 0);
	b = dequeue_hugetlb_folio_node_exact(h, 1);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(folio_test_large(a) && folio_order(a) == 9);
	assert_int_equal(folio_nid(a), 0);
	assert_int_equal(folio_nid(b), 1);
	machine_leave(m);
	assert_pool(h, 4, 2, 2, 2, 1, 0, 0);

	set(m, "vm.nr_hugepages", "0");
	assert_pool(h, 2, 1, 1, 0, 0, 2, 1);
	assert_int_equal(knob(m, "vm.nr_hugepages"), 0);
	assert_int_equal(knob(m, K2M "nr_hugepages"), 2);
	assert_int_equal(meminfo(m, "HugePages_Total"), 2);
	assert_int_equal(meminfo(m, "HugePages_Surp"), 2);
	assert_machine_ok(m);

	/* The surplus page freed leaves the pool. */
	user_put(m, a);
	assert_pool(h, 1, 0, 1, 0, 0, 1, 0);
	assert_int_equal(vmstat(m, "nr_hugetlb"), 512);

	/* Growing by one promotes the surplus page: no allocation. */
	set(m, "vm.nr_hugepages", "1");
	assert_pool(h, 1, 0, 1, 0, 0, 0, 0);
	assert_int_equal(vmstat(m, "htlb_buddy_alloc_success"), 4);
	/* Now persistent, b goes back to the free list. */
	user_put(m, b);
	assert_pool(h, 1, 0, 1, 1, 0, 0, 0);
	assert_machine_ok(m);
	test_machine_done(m);
}

/*
 * 1 GiB pages come from alloc_contig_pages(), one per node, and do not
 * count as buddy allocations; they show in Hugetlb but not HugePages_*;
 * they cannot be overcommitted.
 */
static void test_gigantic(void **state)
{
	struct foliage_machine *m = test_machine(2, 1280);
	struct hstate *h = H1G(m);
	struct folio *f;

	set(m, K1G "nr_hugepages", "3");
	/* One fits on each 1280 MiB node, not two. */
	assert_pool(h, 2, 1, 1, 2, 1, 0, 0);
	assert_int_equal(knob(m, K1G "nr_hugepages"), 2);
	assert_int_equal(vmstat(m, "htlb_buddy_alloc_success"), 0);
	assert_int_equal(vmstat(m, "htlb_buddy_alloc_fail"), 0);
	assert_int_equal(vmstat(m, "nr_hugetlb"), 2 << 18);
	assert_int_equal(meminfo(m, "HugePages_Total"), 0);
	assert_int_equal(meminfo(m, "Hugetlb"), 2 * 1048576);
	assert_int_equal(machine_enter(m), 0);
	f = dequeue_hugetlb_folio_node_exact(h, 1);
	assert_non_null(f);
	assert_int_equal(folio_order(f), 18);
	assert_int_equal(folio_nid(f), 1);
	machine_leave(m);
	assert_int_equal(foliage_set(m, K1G "nr_overcommit_hugepages", "1"),
			 -EINVAL);
	assert_int_equal(knob(m, K1G "nr_overcommit_hugepages"), 0);

	/* Shrinking: the free one goes, the one in use turns surplus. */
	set(m, K1G "nr_hugepages", "0");
	assert_pool(h, 1, 0, 1, 0, 0, 1, 0);
	assert_machine_ok(m);
	user_put(m, f);
	assert_pool(h, 0, 0, 0, 0, 0, 0, 0);
	assert_int_equal(vmstat(m, "nr_hugetlb"), 0);
	/* The memory is whole again: both pages can be had once more. */
	set(m, K1G "nr_hugepages", "2");
	assert_pool(h, 2, 1, 1, 2, 1, 0, 0);
	assert_machine_ok(m);
	test_machine_done(m);
}

/*
 * Memory short: growing stops where buddy fails (one htlb_buddy_alloc_fail
 * for the node tried), and the write still succeeds with the pool at what
 * could be had; each further attempt counts another failure.
 */
static void test_memory_short(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	const struct hstate *h = H2M(m);
	unsigned long got;

	set(m, "vm.nr_hugepages", "1000");
	got = h->nr_huge_pages;
	assert_true(got > 10 && got < 32);
	assert_int_equal(h->free_huge_pages_node[0], got);
	assert_int_equal(knob(m, "vm.nr_hugepages"), got);
	assert_int_equal(vmstat(m, "htlb_buddy_alloc_success"), got);
	assert_int_equal(vmstat(m, "htlb_buddy_alloc_fail"), 1);
	set(m, "vm.nr_hugepages", "1000");
	assert_int_equal(h->nr_huge_pages, got);
	assert_int_equal(vmstat(m, "htlb_buddy_alloc_success"), got);
	assert_int_equal(vmstat(m, "htlb_buddy_alloc_fail"), 2);
	assert_machine_ok(m);
	set(m, "vm.nr_hugepages", "0");
	assert_int_equal(h->nr_huge_pages, 0);
	assert_int_equal(vmstat(m, "nr_hugetlb"), 0);
	test_machine_done(m);
}

/* The overcommit knobs: the sysctl and the 2 MiB file are one value. */
static void test_overcommit_knob(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);

	set(m, "vm.nr_overcommit_hugepages", "128");
	assert_int_equal(knob(m, K2M "nr_overcommit_hugepages"), 128);
	set(m, K2M "nr_overcommit_hugepages", "7");
	assert_int_equal(knob(m, "vm.nr_overcommit_hugepages"), 7);
	assert_int_equal(foliage_set(m, "vm.nr_overcommit_hugepages", "-1"),
			 -ERANGE);
	assert_int_equal(knob(m, "vm.nr_overcommit_hugepages"), 7);
	/* No pages move. */
	assert_int_equal(H2M(m)->nr_huge_pages, 0);
	assert_int_equal(H2M(m)->surplus_huge_pages, 0);
	test_machine_done(m);
}

/* The six hugetlb lines of meminfo, byte for byte as Linux prints them. */
static void test_meminfo_lines(void **state)
{
	struct foliage_machine *m = test_machine(2, 256);
	char *golden = read_golden("meminfo"), *text = NULL, *g, *t;

	assert_int_equal(foliage_render(m, "meminfo", 0, &text), 0);
	g = strstr(golden, "HugePages_Total:");
	t = strstr(text, "HugePages_Total:");
	assert_non_null(g);
	assert_non_null(t);
	/* Up to DirectMap4k: the machine's own direct map differs. */
	assert_int_equal(strstr(g, "DirectMap4k") - g,
			 strstr(t, "DirectMap4k") - t);
	assert_memory_equal(g, t, strstr(g, "DirectMap4k") - g);
	free(text);
	free(golden);

	set(m, "vm.nr_hugepages", "12");
	set(m, K2M "nr_overcommit_hugepages", "3");
	assert_int_equal(foliage_render(m, "meminfo", 0, &text), 0);
	assert_non_null(strstr(text,
		"\nHugePages_Total:      12\n"
		"HugePages_Free:       12\n"
		"HugePages_Rsvd:        0\n"
		"HugePages_Surp:        0\n"
		"Hugepagesize:       2048 kB\n"
		"Hugetlb:           24576 kB\n"));
	free(text);
	test_machine_done(m);
}

/* "hugepages": the sysfs files, as the golden capture lists them. */
static void test_sysfs_render(void **state)
{
	struct foliage_machine *m = test_machine(2, 256);
	char *golden = read_golden("sys/hugepages.txt"), *text = NULL;
	struct json_object *obj;

	assert_int_equal(foliage_render(m, "hugepages", 0, &text), 0);
	assert_string_equal(text, golden);
	free(text);
	free(golden);
	set(m, "vm.nr_hugepages", "3");
	set(m, "vm.nr_overcommit_hugepages", "9");
	assert_int_equal(foliage_render(m, "hugepages", 0, &text), 0);
	assert_string_equal(text,
		"hugepages-1048576kB/nr_hugepages: 0\n"
		"hugepages-1048576kB/free_hugepages: 0\n"
		"hugepages-1048576kB/resv_hugepages: 0\n"
		"hugepages-1048576kB/surplus_hugepages: 0\n"
		"hugepages-1048576kB/nr_overcommit_hugepages: 0\n"
		"hugepages-2048kB/nr_hugepages: 3\n"
		"hugepages-2048kB/free_hugepages: 3\n"
		"hugepages-2048kB/resv_hugepages: 0\n"
		"hugepages-2048kB/surplus_hugepages: 0\n"
		"hugepages-2048kB/nr_overcommit_hugepages: 9\n");
	free(text);
	assert_int_equal(foliage_render(m, "hugepages", FOLIAGE_RENDER_JSON,
					&text), 0);
	obj = json_tokener_parse(text);
	assert_non_null(obj);
	{
		struct json_object *dir, *v;

		assert_true(json_object_object_get_ex(obj, "hugepages-2048kB",
						      &dir));
		assert_true(json_object_object_get_ex(dir, "free_hugepages",
						      &v));
		assert_int_equal(json_object_get_int64(v), 3);
		assert_true(json_object_object_get_ex(dir,
				"nr_overcommit_hugepages", &v));
		assert_int_equal(json_object_get_int64(v), 9);
		assert_true(json_object_object_get_ex(obj,
				"hugepages-1048576kB", &dir));
	}
	json_object_put(obj);
	free(text);
	test_machine_done(m);
}

/*
 * The validator recounts the pools: a counter that disagrees with the
 * lists, or a pool folio whose head lost PageHugetlb, is a bug.
 */
static void test_validator(void **state)
{
	struct foliage_machine *m = test_machine(2, 256);
	struct hstate *h = H2M(m);
	struct folio *f;

	set(m, "vm.nr_hugepages", "2");
	assert_int_equal(foliage_validate(m), 0);
	h->free_huge_pages_node[1]++;
	assert_int_not_equal(foliage_validate(m), 0);
	assert_non_null(strstr(foliage_first_bug(m), "node 1: 1 free folios, "
			       "counter 2"));
	h->free_huge_pages_node[1]--;
	f = list_first_entry(&h->hugepage_freelists[0], struct folio, lru);
	__ClearPageHugetlb(&f->page);
	assert_int_not_equal(foliage_validate(m), 0);
	__SetPageHugetlb(&f->page);
	assert_int_equal(foliage_validate(m), 0);
	foliage_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_shrink_2m),
		cmocka_unit_test(test_shrink_in_use),
		cmocka_unit_test(test_gigantic),
		cmocka_unit_test(test_memory_short),
		cmocka_unit_test(test_overcommit_knob),
		cmocka_unit_test(test_meminfo_lines),
		cmocka_unit_test(test_sysfs_render),
		cmocka_unit_test(test_validator),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
