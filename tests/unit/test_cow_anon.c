// SPDX-License-Identifier: GPL-2.0
/*
 * Copy-on-write of anonymous memory across fork, in the spirit of the
 * kernel's selftests/mm/cow.c: each side sees its own writes and never the
 * other's; a folio only this mm maps is reused instead of copied; a page
 * that may be pinned is copied for the child at fork, so the pin keeps
 * seeing what the parent writes.  Regions sit at fixed addresses:
 *
 *   BASE: 16 pages, written 'P' by the parent before each fork
 */
#include "pt_helpers.h"
#include <linux/rmap.h>
#include "task.h"
#include <asm-generic/tlb.h>

#define BASE		(1UL << 30)
#define NR		16


/* The task maps and fills BASE before each test. */
static int setup(void **state)
{
	struct task_fixture *f;

	task_fixture_setup(state);
	f = *state;
	map(f->task, BASE, NR * PAGE_SIZE,
	    FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
	    FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | FOLIAGE_MAP_FIXED,
	    NULL, 0);
	fill(f->task, BASE, 'P', NR * PAGE_SIZE);
	return 0;
}

static u64 pte_at(struct foliage_task *task, unsigned long addr)
{
	bool huge;
	u64 pte = entry_at(task, addr, &huge);

	assert_false(huge);
	return pte;
}

static unsigned long rss_anon(struct foliage_task *task)
{
	return get_mm_counter(task->task.mm, MM_ANONPAGES);
}

/*
 * fork write-protects both sides and shares the folio: two mappings, two
 * references, no longer exclusive; the child's PTE is old and keeps the
 * dirty bit (private mappings); the parent's TLB is flushed once.
 */
static void test_cow_fork_shares_readonly(void **state)
{
	struct task_fixture *f = *state;
	unsigned long flush_all = f->m->tlb->flush_all, pfn;
	struct foliage_task *child;
	struct page *page;
	u64 p, c;

	pfn = pfn_at(f->task, BASE);
	child = fork_task(f->task, "child");
	assert_int_equal(f->m->tlb->flush_all, flush_all + 1);
	p = pte_at(f->task, BASE);
	c = pte_at(child, BASE);
	assert_int_equal(p & PTE_FLAGS_MASK,
			 _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED |
			 _PAGE_DIRTY | _PAGE_SOFT_DIRTY | _PAGE_NX);
	assert_int_equal(c, p & ~_PAGE_ACCESSED);
	assert_int_equal(pfn_at(child, BASE), pfn);
	page = pfn_to_page(pfn);
	assert_int_equal(page_mapcount(page), 2);
	assert_int_equal(page_ref_count(page), 2);
	assert_false(PageAnonExclusive(page));
	assert_int_equal(rss_anon(child), NR);
	expect_fill(child, BASE, 'P', NR * PAGE_SIZE);
	assert_int_equal(foliage_exit(child), 0);
}

/*
 * The child's write copies; the parent's later write to the same page
 * finds itself the only user and reuses the folio in place.
 */
static void test_cow_each_side_sees_its_writes(void **state)
{
	struct task_fixture *f = *state;
	unsigned long pfn = pfn_at(f->task, BASE), reuse, flush_one;
	struct foliage_task *child = fork_task(f->task, "child");

	flush_one = f->m->tlb->flush_one;
	fill(child, BASE + 10, 'C', 5);
	assert_int_not_equal(pfn_at(child, BASE), pfn);
	assert_int_equal(f->m->tlb->flush_one, flush_one + 1);
	assert_true(PageAnonExclusive(page_at(child, BASE)));
	assert_true(pte_at(child, BASE) & _PAGE_RW);
	expect_fill(f->task, BASE, 'P', PAGE_SIZE);
	expect_fill(child, BASE, 'P', 10);
	expect_fill(child, BASE + 10, 'C', 5);
	expect_fill(child, BASE + 15, 'P', PAGE_SIZE - 15);

	/* The parent is now the only user of the old folio: reuse. */
	reuse = vmstat(f->m, "pgreuse");
	assert_int_equal(page_ref_count(pfn_to_page(pfn)), 1);
	fill(f->task, BASE, 'Q', 1);
	assert_int_equal(pfn_at(f->task, BASE), pfn);
	assert_int_equal(vmstat(f->m, "pgreuse"), reuse + 1);
	assert_true(PageAnonExclusive(pfn_to_page(pfn)));
	expect_fill(child, BASE, 'P', 10);

	/* Page 1 is still shared: the parent's write copies it. */
	fill(f->task, BASE + PAGE_SIZE, 'R', PAGE_SIZE);
	assert_int_not_equal(pfn_at(f->task, BASE + PAGE_SIZE),
			     pfn_at(child, BASE + PAGE_SIZE));
	expect_fill(child, BASE + PAGE_SIZE, 'P', PAGE_SIZE);
	assert_int_equal(rss_anon(f->task), NR);
	assert_int_equal(rss_anon(child), NR);
	assert_int_equal(foliage_exit(child), 0);
	expect_fill(f->task, BASE + PAGE_SIZE, 'R', PAGE_SIZE);
}

/* Once the child is gone, the parent's writes reuse every folio. */
static void test_cow_reuse_after_child_exit(void **state)
{
	struct task_fixture *f = *state;
	unsigned long pfn = pfn_at(f->task, BASE + 3 * PAGE_SIZE);
	unsigned long reuse = vmstat(f->m, "pgreuse");
	struct foliage_task *child = fork_task(f->task, "child");

	assert_int_equal(foliage_exit(child), 0);
	assert_false(PageAnonExclusive(pfn_to_page(pfn)));
	fill(f->task, BASE, 'X', NR * PAGE_SIZE);
	assert_int_equal(pfn_at(f->task, BASE + 3 * PAGE_SIZE), pfn);
	assert_int_equal(vmstat(f->m, "pgreuse"), reuse + NR);
	assert_true(PageAnonExclusive(pfn_to_page(pfn)));
}

/*
 * A pinned page must not become COW-shared: fork copies it for the
 * child, and the parent keeps it writable and exclusive, so the pin and
 * the parent keep seeing the same page.
 */
static void test_cow_pinned_page_copied_at_fork(void **state)
{
	struct task_fixture *f = *state;
	unsigned long pfn = pfn_at(f->task, BASE), pgfault;
	struct foliage_task *child;

	assert_int_equal(foliage_pin(f->task, BASE, PAGE_SIZE, true), 0);
	child = fork_task(f->task, "child");
	assert_int_equal(pfn_at(f->task, BASE), pfn);
	assert_int_not_equal(pfn_at(child, BASE), pfn);
	assert_true(pte_at(f->task, BASE) & _PAGE_RW);
	assert_true(PageAnonExclusive(pfn_to_page(pfn)));
	assert_int_equal(page_mapcount(pfn_to_page(pfn)), 1);
	assert_int_equal(pte_at(child, BASE) & PTE_FLAGS_MASK,
			 _PAGE_PRESENT | _PAGE_RW | _PAGE_USER |
			 _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_SOFT_DIRTY |
			 _PAGE_NX);
	assert_true(PageAnonExclusive(page_at(child, BASE)));
	expect_fill(child, BASE, 'P', PAGE_SIZE);
	/* Unpinned pages are shared as usual. */
	assert_int_equal(pfn_at(child, BASE + PAGE_SIZE),
			 pfn_at(f->task, BASE + PAGE_SIZE));

	pgfault = vmstat(f->m, "pgfault");
	fill(f->task, BASE, 'W', 1);
	assert_int_equal(vmstat(f->m, "pgfault"), pgfault);
	assert_int_equal(pfn_at(f->task, BASE), pfn);
	expect_fill(child, BASE, 'P', 1);
	assert_int_equal(foliage_unpin(f->task, BASE, PAGE_SIZE), 0);
	assert_int_equal(foliage_exit(child), 0);
}

/* The zero page is shared by fork without rss; a write gets zeros. */
static void test_cow_zero_page(void **state)
{
	struct task_fixture *f = *state;
	const unsigned long z = BASE + 64 * MB;
	struct foliage_task *child;

	map(f->task, z, 4 * PAGE_SIZE, FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
	    FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | FOLIAGE_MAP_FIXED,
	    NULL, 0);
	fill(f->task, z, 'a', 1);		/* gives the VMA an anon_vma */
	touch_read(f->task, z + PAGE_SIZE, PAGE_SIZE);
	child = fork_task(f->task, "child");
	assert_int_equal(pfn_at(child, z + PAGE_SIZE), f->m->zero_pfn);
	assert_int_equal(rss_anon(child), NR + 1);
	fill(child, z + PAGE_SIZE + 1, 'b', 1);
	expect_fill(child, z + PAGE_SIZE, 0, 1);
	expect_fill(child, z + PAGE_SIZE + 2, 0, PAGE_SIZE - 2);
	expect_fill(f->task, z + PAGE_SIZE, 0, PAGE_SIZE);
	assert_int_equal(rss_anon(child), NR + 2);
	assert_int_equal(foliage_exit(child), 0);
}

/* MAP_SHARED|MAP_ANONYMOUS is shmem: fork copies no PTE; both share. */
static void test_cow_shared_anon_not_copied(void **state)
{
	struct task_fixture *f = *state;
	const unsigned long s = BASE + 128 * MB;
	struct foliage_task *child;
	bool huge;

	map(f->task, s, 4 * PAGE_SIZE, FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
	    FOLIAGE_MAP_SHARED | FOLIAGE_MAP_ANONYMOUS | FOLIAGE_MAP_FIXED,
	    NULL, 0);
	fill(f->task, s, 's', 4 * PAGE_SIZE);
	child = fork_task(f->task, "child");
	assert_int_equal(entry_at(child, s, &huge), 0);
	expect_fill(child, s, 's', 4 * PAGE_SIZE);
	assert_int_equal(pfn_at(child, s), pfn_at(f->task, s));
	fill(child, s + 5, 'c', 1);
	expect_fill(f->task, s + 5, 'c', 1);
	assert_int_equal(foliage_exit(child), 0);
	expect_fill(f->task, s + 5, 'c', 1);
}

#define COW_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, setup, task_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		COW_TEST(test_cow_fork_shares_readonly),
		COW_TEST(test_cow_each_side_sees_its_writes),
		COW_TEST(test_cow_reuse_after_child_exit),
		COW_TEST(test_cow_pinned_page_copied_at_fork),
		COW_TEST(test_cow_zero_page),
		COW_TEST(test_cow_shared_anon_not_copied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
