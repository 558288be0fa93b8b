// SPDX-License-Identifier: GPL-2.0
/*
 * Copy-on-write of PMD-mapped THPs, as Linux 6.18 does it: fork shares
 * the huge PMD read-only (copy_huge_pmd); a write reuses it in place if
 * the folio is exclusive, else splits that side's PMD into PTEs and copies
 * the one 4K page written.  The THP is written 'T' by the parent first:
 *
 *   BASE        BASE+2M
 *   |TTTTTTTTTTT|		one MADV_HUGEPAGE VMA, one THP
 */
#include "pt_helpers.h"
#include <linux/rmap.h>
#include <linux/huge_mm.h>
#include "task.h"

#define BASE		(1UL << 30)


/* The task maps BASE with MADV_HUGEPAGE and fills it: one THP. */
static int setup(void **state)
{
	struct task_fixture *f;
	bool huge;

	task_fixture_setup(state);
	f = *state;
	map(f->task, BASE, 2 * MB, FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
	    FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | FOLIAGE_MAP_FIXED,
	    NULL, 0);
	assert_int_equal(foliage_madvise(f->task, BASE, 2 * MB,
					 FOLIAGE_MADV_HUGEPAGE), 0);
	fill(f->task, BASE, 'T', 2 * MB);
	entry_at(f->task, BASE, &huge);
	assert_true(huge);
	f->thp = page_folio(page_at(f->task, BASE));
	return 0;
}

static u64 pmd_at(struct foliage_task *task, unsigned long addr)
{
	bool huge;
	u64 pmd = entry_at(task, addr, &huge);

	assert_true(huge);
	return pmd;
}

static bool is_huge(struct foliage_task *task, unsigned long addr)
{
	bool huge;

	entry_at(task, addr, &huge);
	return huge;
}

/* fork: both huge PMDs read-only, the child's old; one more reference. */
static void test_cow_thp_fork_shares_pmd(void **state)
{
	struct task_fixture *f = *state;
	unsigned long tables = vmstat(f->m, "nr_page_table_pages");
	struct foliage_task *child = fork_task(f->task, "child");
	u64 p = pmd_at(f->task, BASE), c = pmd_at(child, BASE);

	assert_false(p & _PAGE_RW);
	assert_int_equal(c, p & ~_PAGE_ACCESSED);
	assert_int_equal(folio_ref_count(f->thp), 2);
	assert_int_equal(folio_entire_mapcount(f->thp), 2);
	assert_false(PageAnonExclusive(&f->thp->page));
	assert_int_equal(get_mm_counter(child->task.mm, MM_ANONPAGES), 512);
	/* The child's pgd, PUD and PMD tables, and a deposited PTE table. */
	assert_int_equal(vmstat(f->m, "nr_page_table_pages"), tables + 4);
	expect_fill(child, BASE, 'T', 2 * MB);
	assert_int_equal(foliage_exit(child), 0);
	assert_int_equal(vmstat(f->m, "nr_page_table_pages"), tables);
}

/*
 * The child's write splits its PMD and copies one page; the parent keeps
 * its PMD until it writes too, and then does the same.
 */
static void test_cow_thp_write_splits_and_copies(void **state)
{
	struct task_fixture *f = *state;
	struct foliage_task *child = fork_task(f->task, "child");
	const unsigned long a = BASE + 5 * PAGE_SIZE;

	fill(child, a + 1, 'c', 1);
	assert_int_equal(vmstat(f->m, "thp_split_pmd"), 1);
	assert_false(is_huge(child, BASE));
	assert_true(is_huge(f->task, BASE));
	assert_ptr_not_equal(page_folio(page_at(child, a)), f->thp);
	assert_ptr_equal(page_folio(page_at(child, a + PAGE_SIZE)), f->thp);
	/* 511 PTEs of the child and the parent's PMD. */
	assert_int_equal(folio_mapcount(f->thp), 512);
	assert_int_equal(folio_ref_count(f->thp), 512);
	expect_fill(f->task, a, 'T', PAGE_SIZE);
	expect_fill(child, a, 'T', 1);
	expect_fill(child, a + 1, 'c', 1);
	expect_fill(child, a + 2, 'T', PAGE_SIZE - 2);

	fill(f->task, a, 'p', 1);
	assert_int_equal(vmstat(f->m, "thp_split_pmd"), 2);
	assert_false(is_huge(f->task, BASE));
	assert_int_equal(folio_mapcount(f->thp), 511 * 2);
	expect_fill(child, a, 'T', 1);
	expect_fill(f->task, a, 'p', 1);
	assert_int_equal(smaps_at(f->task, BASE).mss.anonymous_thp, 0);

	/*
	 * With the child gone, the parent's 511 PTEs are the folio's only
	 * mappings and references: its writes reuse it.
	 */
	assert_int_equal(foliage_exit(child), 0);
	fill(f->task, a + PAGE_SIZE, 'q', 1);
	assert_ptr_equal(page_folio(page_at(f->task, a + PAGE_SIZE)),
			 f->thp);
	expect_fill(f->task, a + PAGE_SIZE, 'q', 1);
}

/* After the child exits, the parent's write reuses the THP in place. */
static void test_cow_thp_reuse_exclusive(void **state)
{
	struct task_fixture *f = *state;
	struct foliage_task *child = fork_task(f->task, "child");
	unsigned long split = vmstat(f->m, "thp_split_pmd");

	assert_int_equal(foliage_exit(child), 0);
	fill(f->task, BASE + 7, 'r', 1);
	assert_true(is_huge(f->task, BASE));
	assert_true(pmd_at(f->task, BASE) & _PAGE_RW);
	assert_ptr_equal(page_folio(page_at(f->task, BASE)), f->thp);
	assert_true(PageAnonExclusive(&f->thp->page));
	assert_int_equal(vmstat(f->m, "thp_split_pmd"), split);
	expect_fill(f->task, BASE + 7, 'r', 1);
}

#define COW_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, setup, task_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		COW_TEST(test_cow_thp_fork_shares_pmd),
		COW_TEST(test_cow_thp_write_splits_and_copies),
		COW_TEST(test_cow_thp_reuse_exclusive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
