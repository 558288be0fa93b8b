// SPDX-License-Identifier: GPL-2.0
/*
 * The deferred split queue (Linux 6.18's deferred_split_folio() and its
 * shrinker): an anon large folio that loses the last mapping of some
 * pages while others stay mapped is flagged partially mapped and queued
 * (split_deferred, nr_anon_partially_mapped, thp_deferred_split_page for
 * a PMD THP); freeing takes it off; vm.drop_caches=2 runs the shrinker,
 * which splits it (the unmapped pages go back to the allocator) and lets
 * whole folios go from the queue; migration moves it whole.  And the
 * huge zero folio's shrinker.  On both mapcount configurations.
 */
#include "batch_helpers.h"
#include <linux/huge_mm.h>
#include <linux/rmap.h>
#include "task.h"

#define BASE		(1UL << 30)
#define NR		16
#define ORDER		4

struct fixture {
	struct foliage_machine *m;	/* the machine */
	struct foliage_task *task;	/* the parent */
	struct folio *folio;		/* the 64K folio at BASE */
	bool none;			/* CONFIG_NO_PAGE_MAPCOUNT */
};

static int setup_kind(void **state, bool none)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->m = batch_machine_nodes(FOLIAGE_ARCH_X86_64, 2, none);
	f->none = none;
	f->task = new_task(f->m, "parent");
	f->folio = batch_folio_64k(f->task, BASE);
	*state = f;
	return 0;
}

static int setup_mapcount(void **s) { return setup_kind(s, false); }
static int setup_none(void **s) { return setup_kind(s, true); }

BATCH_FIXTURE(struct fixture);
#define teardown batch_teardown

static unsigned long mthp(struct fixture *f, unsigned int order, int item)
{
	return f->m->thp->mthp_stats[order][item];
}

static unsigned long queue_len(struct fixture *f)
{
	return f->m->thp->ds_queue[0].split_queue_len;
}

static void drop_caches(struct fixture *f)
{
	assert_int_equal(foliage_set(f->m, "vm.drop_caches", "2"), 0);
}

/*
 * Half of the folio unmapped: flagged and queued once (a second partial
 * unmap counts nothing more); unmapping the rest frees it, which takes
 * it off the queue.
 */
static void test_partial_unmap_queues(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(queue_len(f), 0);
	assert_int_equal(foliage_munmap(f->task, BASE, 4 * PAGE_SIZE), 0);
	assert_true(folio_test_partially_mapped(f->folio));
	assert_int_equal(queue_len(f), 1);
	assert_int_equal(mthp(f, ORDER, MTHP_STAT_SPLIT_DEFERRED), 1);
	assert_int_equal(mthp(f, ORDER, MTHP_STAT_NR_ANON_PARTIALLY_MAPPED),
			 1);
	/* A 64K folio is not PMD-sized: no thp_deferred_split_page. */
	assert_int_equal(vmstat(f->m, "thp_deferred_split_page"), 0);
	assert_int_equal(foliage_munmap(f->task, BASE + 4 * PAGE_SIZE,
					4 * PAGE_SIZE), 0);
	assert_int_equal(mthp(f, ORDER, MTHP_STAT_SPLIT_DEFERRED), 1);
	assert_machine_ok(f->m);

	assert_int_equal(foliage_munmap(f->task, BASE + 8 * PAGE_SIZE,
					8 * PAGE_SIZE), 0);
	assert_int_equal(queue_len(f), 0);
	assert_int_equal(mthp(f, ORDER, MTHP_STAT_NR_ANON_PARTIALLY_MAPPED),
			 0);
	assert_int_equal(mthp(f, ORDER, MTHP_STAT_SPLIT_DEFERRED), 1);
	assert_machine_ok(f->m);
}

/*
 * vm.drop_caches=2: the shrinker splits the partially mapped folio; its
 * 8 unmapped pages are freed, the 8 mapped ones are order-0 folios now.
 */
static void test_shrinker_splits(void **state)
{
	struct fixture *f = *state;
	struct page *p;
	int i;

	assert_int_equal(foliage_munmap(f->task, BASE, 8 * PAGE_SIZE), 0);
	assert_int_equal(vmstat(f->m, "nr_anon_pages"), f->none ? NR : 8);
	drop_caches(f);
	assert_int_equal(vmstat(f->m, "drop_slab"), 1);
	assert_int_equal(queue_len(f), 0);
	assert_int_equal(mthp(f, ORDER, MTHP_STAT_SPLIT), 1);
	assert_int_equal(mthp(f, ORDER, MTHP_STAT_NR_ANON_PARTIALLY_MAPPED),
			 0);
	assert_int_equal(mthp(f, ORDER, MTHP_STAT_NR_ANON), 0);
	assert_int_equal(vmstat(f->m, "nr_anon_pages"), 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(page_ref_count(folio_page(f->folio, i)), 0);
	p = batch_page(f->task, BASE + 8 * PAGE_SIZE);
	assert_false(folio_test_large(page_folio(p)));
	expect_fill(f->task, BASE + 8 * PAGE_SIZE, 'a', 8 * PAGE_SIZE);
	assert_machine_ok(f->m);
}

/*
 * A whole folio never queues; drop_caches leaves it alone.  vm.drop_caches
 * takes 1..4 only.
 */
static void test_whole_folio_stays(void **state)
{
	struct fixture *f = *state;

	drop_caches(f);
	assert_int_equal(queue_len(f), 0);
	assert_true(folio_test_large(page_folio(batch_page(f->task, BASE))));
	assert_int_equal(foliage_set(f->m, "vm.drop_caches", "0"), -ERANGE);
	assert_int_equal(foliage_set(f->m, "vm.drop_caches", "5"), -ERANGE);
	assert_int_equal(foliage_set(f->m, "vm.drop_caches", "1"), 0);
	assert_int_equal(vmstat(f->m, "drop_pagecache"), 1);
	assert_int_equal(vmstat(f->m, "drop_slab"), 1);
}

/*
 * Shared with a fork's child, which unmaps half: every page is still
 * mapped (the parent's), so nothing is partially mapped.  The parent then
 * unmaps the same half: per-page counts see 8 pages with no mapping
 * left; without them, 16 mappings of 16 pages are not "certainly
 * partially mapped" (Linux's NO_PAGE_MAPCOUNT rule), and nothing queues
 * until the child's exit leaves 8.
 */
static void test_shared_folio(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child = fork_task(f->task, "child");

	assert_int_equal(foliage_munmap(child, BASE, 8 * PAGE_SIZE), 0);
	assert_false(folio_test_partially_mapped(f->folio));
	assert_int_equal(foliage_munmap(f->task, BASE, 8 * PAGE_SIZE), 0);
	assert_int_equal(folio_test_partially_mapped(f->folio), !f->none);
	assert_int_equal(queue_len(f), !f->none);
	assert_machine_ok(f->m);
	assert_int_equal(foliage_exit(child), 0);
	/* The child's exit unmapped more: now certainly partial. */
	assert_true(folio_test_partially_mapped(f->folio));
	assert_int_equal(queue_len(f), 1);
	assert_machine_ok(f->m);
}

/*
 * move_pages() of a partially mapped folio moves it whole (6.18 splits it
 * first: docs/fidelity.md); the source leaves the queue when freed and
 * the new folio is whole, on no queue, until it loses a mapping.
 */
static void test_migrate_whole(void **state)
{
	struct fixture *f = *state;
	unsigned long pages[1] = { BASE + 12 * PAGE_SIZE };
	int nodes[1] = { 1 }, status[1] = { -1 };
	struct folio *dst;

	assert_int_equal(foliage_munmap(f->task, BASE, 8 * PAGE_SIZE), 0);
	assert_int_equal(foliage_move_pages(f->task, 1, pages, nodes, status,
					    FOLIAGE_MPOL_MF_MOVE), 0);
	assert_int_equal(status[0], 1);
	dst = page_folio(batch_page(f->task, pages[0]));
	assert_ptr_not_equal(dst, f->folio);
	assert_int_equal(folio_order(dst), ORDER);
	assert_false(folio_test_partially_mapped(dst));
	assert_int_equal(queue_len(f), 0);
	assert_int_equal(f->m->thp->ds_queue[1].split_queue_len, 0);
	assert_int_equal(mthp(f, ORDER, MTHP_STAT_NR_ANON_PARTIALLY_MAPPED),
			 0);
	expect_fill(f->task, BASE + 8 * PAGE_SIZE, 'a', 8 * PAGE_SIZE);
	assert_machine_ok(f->m);
}

/*
 * A PMD THP is queued at its fault, whole (for the underused check, off
 * at khugepaged's default max_ptes_none); one page unmapped makes it
 * partially mapped (thp_deferred_split_page); the shrinker splits it.
 */
static void test_pmd_thp(void **state)
{
	struct fixture *f = *state;
	const unsigned long thp = 1UL << 32;
	struct folio *folio;

	assert_int_equal(foliage_set(f->m, "transparent_hugepage.enabled",
				     "always"), 0);
	map(f->task, thp, 2UL << 20, FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
	    FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | FOLIAGE_MAP_FIXED,
	    NULL, 0);
	fill(f->task, thp, 't', PAGE_SIZE);
	folio = page_folio(page_at(f->task, thp));
	assert_int_equal(folio_order(folio), HPAGE_PMD_ORDER);
	assert_int_equal(queue_len(f), 1);
	assert_false(folio_test_partially_mapped(folio));
	/* Whole, not underused: the shrinker takes it off the queue. */
	drop_caches(f);
	assert_int_equal(queue_len(f), 0);
	assert_int_equal(folio_order(page_folio(page_at(f->task, thp))),
			 HPAGE_PMD_ORDER);

	assert_int_equal(foliage_munmap(f->task, thp + PAGE_SIZE, PAGE_SIZE),
			 0);
	assert_true(folio_test_partially_mapped(folio));
	assert_int_equal(queue_len(f), 1);
	assert_int_equal(vmstat(f->m, "thp_deferred_split_page"), 1);
	assert_int_equal(mthp(f, HPAGE_PMD_ORDER, MTHP_STAT_SPLIT_DEFERRED),
			 1);
	assert_machine_ok(f->m);
	drop_caches(f);
	assert_int_equal(vmstat(f->m, "thp_split_page"), 1);
	assert_int_equal(queue_len(f), 0);
	expect_fill(f->task, thp, 't', PAGE_SIZE);
	assert_machine_ok(f->m);
}

/*
 * The other shrinker: the huge zero folio is freed by vm.drop_caches=2
 * only once no mm holds it (each mm that mapped it keeps a reference
 * until it goes, even after unmapping it); the next read fault makes a
 * new one.
 */
static void test_huge_zero_shrinker(void **state)
{
	struct fixture *f = *state;
	const unsigned long thp = 1UL << 32;
	static unsigned char buf[PAGE_SIZE];
	struct foliage_task *child, *t2;

	assert_int_equal(foliage_set(f->m, "transparent_hugepage.enabled",
				     "always"), 0);
	map(f->task, thp, 2UL << 20, FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
	    FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | FOLIAGE_MAP_FIXED,
	    NULL, 0);
	get_bytes(f->task, thp, buf, PAGE_SIZE);
	assert_non_null(f->m->huge_zero_folio);
	assert_int_equal(vmstat(f->m, "thp_zero_page_alloc"), 1);
	assert_int_equal(atomic_read(&f->m->huge_zero_refcount), 2);
	child = fork_task(f->task, "child");
	assert_int_equal(atomic_read(&f->m->huge_zero_refcount), 3);
	assert_machine_ok(f->m);

	assert_int_equal(foliage_munmap(f->task, thp, 2UL << 20), 0);
	assert_int_equal(foliage_exit(child), 0);
	drop_caches(f);
	/* The parent unmapped it, but its mm keeps the reference. */
	assert_non_null(f->m->huge_zero_folio);
	assert_int_equal(atomic_read(&f->m->huge_zero_refcount), 2);

	t2 = new_task(f->m, "t2");
	assert_int_equal(foliage_exit(f->task), 0);
	f->task = t2;
	assert_int_equal(atomic_read(&f->m->huge_zero_refcount), 1);
	drop_caches(f);
	assert_null(f->m->huge_zero_folio);
	assert_int_equal(atomic_read(&f->m->huge_zero_refcount), 0);
	assert_machine_ok(f->m);

	map(t2, thp, 2UL << 20, FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
	    FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | FOLIAGE_MAP_FIXED,
	    NULL, 0);
	get_bytes(t2, thp, buf, PAGE_SIZE);
	assert_true(mem_is(buf, 0, PAGE_SIZE));
	assert_int_equal(vmstat(f->m, "thp_zero_page_alloc"), 2);
	assert_int_equal(atomic_read(&f->m->huge_zero_refcount), 2);
	assert_machine_ok(f->m);
}

#define T(fn, s) cmocka_unit_test_setup_teardown(fn, s, teardown)
#define RULES(s)							\
	T(test_partial_unmap_queues, s), T(test_shrinker_splits, s),	\
	T(test_whole_folio_stays, s), T(test_shared_folio, s),		\
	T(test_migrate_whole, s), T(test_pmd_thp, s),			\
	T(test_huge_zero_shrinker, s)

int main(void)
{
	const struct CMUnitTest tests[] = {
		RULES(setup_mapcount), RULES(setup_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
