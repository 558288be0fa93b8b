// SPDX-License-Identifier: GPL-2.0
/*
 * CONFIG_NO_PAGE_MAPCOUNT (foliage_config.no_page_mapcount) beside 6.18's
 * default CONFIG_PAGE_MAPCOUNT: the same 64K anonymous mTHP at BASE, forked
 * and partly unmapped, on a machine of each kind.  Without per-page
 * mapcounts the pages of a large folio stay at mapcount 0, NR_ANON_MAPPED
 * counts the whole folio while any of it is mapped, and smaps, numa_maps
 * and pagemap report from the folio's average mapcount and its mm slots.
 */
#include "batch_helpers.h"
#include "smaps_parse.h"
#include <linux/rmap.h>
#include "task.h"

#define BASE		(1UL << 30)
#define NR		16

struct fixture {
	struct foliage_machine *m;	/* the machine */
	struct foliage_task *task;	/* the parent */
	struct folio *folio;		/* the 64K folio at BASE */
	bool none;			/* a NO_PAGE_MAPCOUNT machine */
};

static int setup_kind(void **state, bool none, bool batching)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	/* Two nodes: test_migrate moves the folio to node 1. */
	f->m = batch_machine_nodes(FOLIAGE_ARCH_X86_64, 2, none);
	assert_int_equal(foliage_set(f->m, "debug.fork_batching",
				     batching ? "1" : "0"), 0);
	f->none = none;
	f->task = new_task(f->m, "parent");
	f->folio = batch_folio_64k(f->task, BASE);
	*state = f;
	return 0;
}

static int setup_mapcount(void **s) { return setup_kind(s, false, true); }
static int setup_none(void **s) { return setup_kind(s, true, true); }
static int setup_none_pte(void **s) { return setup_kind(s, true, false); }

BATCH_FIXTURE(struct fixture);
#define teardown batch_teardown

static mm_id_t id_of(struct foliage_task *t)
{
	return t->task.mm->mm_id;
}

/* Every page's own mapcount: @per_page with them, 0 without. */
static void assert_page_mapcounts(struct fixture *f, int per_page)
{
	int i;

	for (i = 0; i < NR; i++)
		assert_int_equal(page_mapcount(folio_page(f->folio, i)),
				 f->none ? 0 : per_page);
}

/* A new folio: only the folio's counts without per-page ones. */
static void test_new_folio(void **state)
{
	struct fixture *f = *state;

	assert_page_mapcounts(f, 1);
	assert_int_equal(folio_mapcount(f->folio), NR);
	assert_int_equal(atomic_read(&f->folio->_nr_pages_mapped),
			 f->none ? 0 : NR);
	assert_int_equal(vmstat(f->m, "nr_anon_pages"), NR);
	assert_machine_ok(f->m);
}

/*
 * Half of it unmapped: the other half is still mapped, so the whole
 * folio stays in NR_ANON_MAPPED without per-page counts; with them, the
 * 8 pages still mapped.
 */
static void test_partial_unmap(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(foliage_munmap(f->task, BASE, 8 * PAGE_SIZE), 0);
	assert_int_equal(folio_mapcount(f->folio), 8);
	assert_int_equal(vmstat(f->m, "nr_anon_pages"), f->none ? NR : 8);
	assert_machine_ok(f->m);
	assert_int_equal(foliage_munmap(f->task, BASE + 8 * PAGE_SIZE,
					8 * PAGE_SIZE), 0);
	assert_int_equal(vmstat(f->m, "nr_anon_pages"), 0);
}

/*
 * fork: AnonExclusive goes from every page, the folio gains 16 mappings;
 * the pages' own counts only with CONFIG_PAGE_MAPCOUNT.
 */
static void test_fork(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child = fork_task(f->task, "child");
	int i;

	for (i = 0; i < NR; i++)
		assert_false(PageAnonExclusive(folio_page(f->folio, i)));
	assert_page_mapcounts(f, 2);
	assert_int_equal(folio_mapcount(f->folio), 2 * NR);
	assert_int_equal(vmstat(f->m, "nr_anon_pages"), NR);
	assert_machine_ok(f->m);
	assert_int_equal(foliage_exit(child), 0);
	assert_page_mapcounts(f, 1);
}

/*
 * smaps after a fork whose child then unmaps half: per-page mapcounts
 * make pages 0-7 private to the parent (Pss 32K + 8 shared pages / 2);
 * the average (24 mappings / 16 pages, rounded to 2) and the mm slots
 * (two mms) make it all shared at Pss 32K, as Linux documents.
 */
static void test_smaps(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child = fork_task(f->task, "child");
	struct smaps_vma v;
	struct foliage_pte_info pi;

	v = smaps_at(f->task, BASE);
	assert_int_equal(kb(v.mss.shared_dirty), 64);
	assert_int_equal(kb(v.mss.private_dirty), 0);
	assert_int_equal(pss_kb(v.mss.pss), 32);

	assert_int_equal(foliage_munmap(child, BASE, 8 * PAGE_SIZE), 0);
	v = smaps_at(f->task, BASE);
	assert_int_equal(kb(v.mss.resident), 64);
	if (f->none) {
		assert_int_equal(folio_average_page_mapcount(f->folio), 2);
		assert_int_equal(kb(v.mss.shared_dirty), 64);
		assert_int_equal(kb(v.mss.private_dirty), 0);
		assert_int_equal(pss_kb(v.mss.pss), 32);
	} else {
		assert_int_equal(kb(v.mss.shared_dirty), 32);
		assert_int_equal(kb(v.mss.private_dirty), 32);
		assert_int_equal(pss_kb(v.mss.pss), 48);
	}
	/* pagemap's PM_MMAP_EXCLUSIVE of page 0: the same judgement. */
	assert_int_equal(foliage_page_state(f->task, BASE, &pi), 0);
	assert_int_equal(pi.exclusive, !f->none);
	assert_int_equal(pi.mapcount, f->none ? 2 : 1);
	assert_machine_ok(f->m);

	assert_int_equal(foliage_exit(child), 0);
	v = smaps_at(f->task, BASE);
	assert_int_equal(kb(v.mss.private_dirty), 64);
	assert_int_equal(pss_kb(v.mss.pss), 64);
	assert_int_equal(foliage_page_state(f->task, BASE, &pi), 0);
	assert_true(pi.exclusive);
	assert_int_equal(pi.mapcount, 1);
}

/*
 * move_pages() of the folio, shared with a child, to node 1: the new
 * folio is mapped again by remove_migration_ptes(), whose first mapping
 * counts the whole folio in NR_ANON_MAPPED (no per-page counts) or its
 * pages one by one.
 */
static void test_migrate(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child = fork_task(f->task, "child");
	unsigned long pages[1] = { BASE };
	int nodes[1] = { 1 }, status[1] = { -1 };
	struct folio *dst;

	assert_int_equal(foliage_move_pages(f->task, 1, pages, nodes, status,
					    FOLIAGE_MPOL_MF_MOVE_ALL), 0);
	assert_int_equal(status[0], 1);
	dst = page_folio(batch_page(f->task, BASE));
	assert_ptr_not_equal(dst, f->folio);
	assert_int_equal(folio_nr_pages(dst), NR);
	assert_ptr_equal(page_folio(batch_page(child, BASE)), dst);
	assert_int_equal(folio_mapcount(dst), 2 * NR);
	assert_int_equal(folio_mm_id(dst, 0) == id_of(f->task) ||
			 folio_mm_id(dst, 1) == id_of(f->task), true);
	assert_true(folio_maybe_mapped_shared(dst));
	assert_int_equal(vmstat(f->m, "nr_anon_pages"), NR);
	assert_machine_ok(f->m);
	assert_int_equal(foliage_exit(child), 0);
	assert_false(folio_maybe_mapped_shared(dst));
	f->folio = dst;
	assert_page_mapcounts(f, 1);
}

#define T(fn, s) cmocka_unit_test_setup_teardown(fn, s, teardown)
#define RULES(s)							\
	T(test_new_folio, s), T(test_partial_unmap, s), T(test_fork, s), \
	T(test_smaps, s), T(test_migrate, s)

int main(void)
{
	const struct CMUnitTest tests[] = {
		RULES(setup_mapcount), RULES(setup_none), RULES(setup_none_pte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
