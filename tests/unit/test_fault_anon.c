// SPDX-License-Identifier: GPL-2.0
/*
 * Anonymous faults with 4K pages: what a read and a write fault map, with
 * which PTE bits, and what they count.  Each test maps a private anonymous
 * region at a fixed, 1 GiB-aligned address, touches it through
 * foliage_access() (the task's own loads and stores) and looks at the
 * page tables, the folio and the counters.
 */
#include "pt_helpers.h"
#include <linux/rmap.h>
#include <asm-generic/tlb.h>

#define BASE		(1UL << 30)



static unsigned long map_anon(struct task_fixture *f, unsigned long len)
{
	return map(f->task, BASE, len, FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
		   FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS |
		   FOLIAGE_MAP_FIXED, NULL, 0);
}

/* PTE bits of a private writable anonymous mapping (PAGE_COPY + NX). */
#define PTE_ZERO	(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | \
			 _PAGE_NX | _PAGE_SPECIAL)
#define PTE_ANON_WRITE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | \
			 _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_SOFT_DIRTY | \
			 _PAGE_NX)

/* A read fault maps the shared zero page: special, read-only, no rss. */
static void test_fault_read_maps_zero_page(void **state)
{
	struct task_fixture *f = *state;
	unsigned long addr = map_anon(f, 64 * KB);
	unsigned long pgfault = vmstat(f->m, "pgfault");
	unsigned long anon = vmstat(f->m, "nr_anon_pages");
	bool huge;
	u64 pte;

	touch_read(f->task, addr + 3 * PAGE_SIZE, PAGE_SIZE);
	pte = entry_at(f->task, addr + 3 * PAGE_SIZE, &huge);
	assert_false(huge);
	assert_int_equal(pte & PTE_FLAGS_MASK, PTE_ZERO);
	assert_int_equal((pte & PTE_PFN_MASK) >> PAGE_SHIFT,
			 f->m->zero_pfn);
	assert_int_equal(entry_at(f->task, addr + 2 * PAGE_SIZE, &huge), 0);
	assert_int_equal(vmstat(f->m, "pgfault"), pgfault + 1);
	assert_int_equal(vmstat(f->m, "nr_anon_pages"), anon);
	assert_int_equal(smaps_at(f->task, addr).mss.resident, 0);
	/* A second read hits the PTE: no fault. */
	touch_read(f->task, addr + 3 * PAGE_SIZE, PAGE_SIZE);
	assert_int_equal(vmstat(f->m, "pgfault"), pgfault + 1);
	expect_fill(f->task, addr + 3 * PAGE_SIZE, 0, PAGE_SIZE);
}

/*
 * A write fault maps a new folio, zeroed by the allocator (never after):
 * exclusive, one mapping, one reference, dirty and writable.
 */
static void test_fault_write_allocates_folio(void **state)
{
	struct task_fixture *f = *state;
	unsigned long addr = map_anon(f, 64 * KB), a = addr + 5 * PAGE_SIZE;
	unsigned long pgfault, anon, cleared;
	struct smaps_vma v;
	struct page *page;
	bool huge;
	u64 pte;

	/* A first page builds the tables (zeroed pages too). */
	fill(f->task, addr, 0x11, 1);
	pgfault = vmstat(f->m, "pgfault");
	anon = vmstat(f->m, "nr_anon_pages");
	cleared = vmstat(f->m, "pgzero_cleared") +
		  vmstat(f->m, "pgzero_skipped");
	fill(f->task, a + 100, 0x5a, 10);
	pte = entry_at(f->task, a, &huge);
	assert_int_equal(pte & PTE_FLAGS_MASK, PTE_ANON_WRITE);
	page = page_at(f->task, a);
	assert_true(PageAnonExclusive(page));
	assert_int_equal(page_ref_count(page), 1);
	assert_int_equal(page_mapcount(page), 1);
	assert_true(folio_test_anon(page_folio(page)));
	assert_true(folio_test_lru(page_folio(page)));
	assert_true(folio_test_swapbacked(page_folio(page)));
	assert_int_equal(vmstat(f->m, "pgfault"), pgfault + 1);
	assert_int_equal(vmstat(f->m, "nr_anon_pages"), anon + 1);
	/* Zeroed once, by the allocator. */
	assert_int_equal(vmstat(f->m, "pgzero_cleared") +
			 vmstat(f->m, "pgzero_skipped"), cleared + 1);
	expect_fill(f->task, a, 0, 100);
	expect_fill(f->task, a + 100, 0x5a, 10);
	expect_fill(f->task, a + 110, 0, PAGE_SIZE - 110);

	v = smaps_at(f->task, addr);
	assert_int_equal(v.mss.resident, 2 * PAGE_SIZE);
	assert_int_equal(v.mss.anonymous, 2 * PAGE_SIZE);
	assert_int_equal(v.mss.private_dirty, 2 * PAGE_SIZE);
}

/*
 * A write after a read replaces the zero page with a zeroed folio (COW of
 * the zero page), flushing the old translation.
 */
static void test_fault_write_after_read(void **state)
{
	struct task_fixture *f = *state;
	unsigned long addr = map_anon(f, 64 * KB);
	unsigned long pgfault = vmstat(f->m, "pgfault");
	unsigned long flush_one;
	bool huge;

	touch_read(f->task, addr, PAGE_SIZE);
	assert_int_equal(pfn_at(f->task, addr), f->m->zero_pfn);
	flush_one = f->m->tlb->flush_one;
	fill(f->task, addr, 0x11, 1);
	assert_int_not_equal(pfn_at(f->task, addr), f->m->zero_pfn);
	assert_int_equal(entry_at(f->task, addr, &huge) & PTE_FLAGS_MASK,
			 PTE_ANON_WRITE);
	assert_int_equal(f->m->tlb->flush_one, flush_one + 1);
	assert_int_equal(vmstat(f->m, "pgfault"), pgfault + 2);
	expect_fill(f->task, addr + 1, 0, PAGE_SIZE - 1);
	assert_true(PageAnonExclusive(page_at(f->task, addr)));
}

/*
 * Populating 64 MiB at 1 GiB with 4K pages builds 32 PTE tables, one PMD
 * and one PUD table; unmapping frees them all and every page.
 */
static void test_fault_page_table_cost(void **state)
{
	struct task_fixture *f = *state;
	unsigned long tables = vmstat(f->m, "nr_page_table_pages");
	unsigned long free_pages, addr;

	assert_int_equal(foliage_drain_pages(f->m), 0);
	free_pages = vmstat(f->m, "nr_free_pages");
	addr = map_anon(f, 64 * MB);
	assert_int_equal(foliage_madvise(f->task, addr, 64 * MB,
					 FOLIAGE_MADV_POPULATE_WRITE), 0);
	assert_int_equal(vmstat(f->m, "nr_page_table_pages"), tables + 34);
	assert_int_equal(f->task->task.mm->pgtables_bytes.counter,
			 34 * PAGE_SIZE);
	assert_int_equal(smaps_at(f->task, addr).mss.resident, 64 * MB);
	assert_int_equal(foliage_munmap(f->task, addr, 64 * MB), 0);
	assert_int_equal(vmstat(f->m, "nr_page_table_pages"), tables);
	assert_int_equal(f->task->task.mm->pgtables_bytes.counter, 0);
	assert_int_equal(foliage_drain_pages(f->m), 0);
	assert_int_equal(vmstat(f->m, "nr_free_pages"), free_pages);
}

/*
 * MADV_DONTNEED drops the pages, and a PTE table it emptied over its whole
 * range (PT_RECLAIM); the next read sees zeros again.
 */
static void test_fault_dontneed_then_refault(void **state)
{
	struct task_fixture *f = *state;
	unsigned long addr = map_anon(f, 4 * MB);
	unsigned long anon = vmstat(f->m, "nr_anon_pages"), tables;

	fill(f->task, addr, 0x77, 4 * MB);
	tables = vmstat(f->m, "nr_page_table_pages");
	assert_int_equal(vmstat(f->m, "nr_anon_pages"), anon + 1024);
	assert_int_equal(foliage_madvise(f->task, addr, 2 * MB,
					 FOLIAGE_MADV_DONTNEED), 0);
	assert_int_equal(vmstat(f->m, "nr_anon_pages"), anon + 512);
	assert_int_equal(vmstat(f->m, "nr_page_table_pages"), tables - 1);
	expect_fill(f->task, addr, 0, PAGE_SIZE);
	assert_int_equal(vmstat(f->m, "nr_page_table_pages"), tables);
	expect_fill(f->task, addr + 2 * MB, 0x77, PAGE_SIZE);
	/* A table emptied in part stays. */
	assert_int_equal(foliage_madvise(f->task, addr + 2 * MB, 1 * MB,
					 FOLIAGE_MADV_DONTNEED), 0);
	assert_int_equal(vmstat(f->m, "nr_anon_pages"), anon + 256);
	assert_int_equal(vmstat(f->m, "nr_page_table_pages"), tables);
	expect_fill(f->task, addr + 3 * MB, 0x77, 1 * MB);
	expect_fill(f->task, addr + 2 * MB, 0, 1 * MB);
}

/* Faults count pgfault one each, and the LRU holds every new folio. */
static void test_fault_counters(void **state)
{
	struct task_fixture *f = *state;
	unsigned long addr = map_anon(f, 1 * MB);
	unsigned long pgfault = vmstat(f->m, "pgfault");
	unsigned long inactive = vmstat(f->m, "nr_inactive_anon");
	unsigned long majfault = vmstat(f->m, "pgmajfault");

	fill(f->task, addr, 1, 1 * MB);
	assert_int_equal(vmstat(f->m, "pgfault"), pgfault + 256);
	assert_int_equal(vmstat(f->m, "nr_inactive_anon"), inactive + 256);
	assert_int_equal(vmstat(f->m, "pgmajfault"), majfault);
	assert_int_equal(foliage_munmap(f->task, addr, 1 * MB), 0);
	assert_int_equal(vmstat(f->m, "nr_inactive_anon"), inactive);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TASK_TEST(test_fault_read_maps_zero_page),
		TASK_TEST(test_fault_write_allocates_folio),
		TASK_TEST(test_fault_write_after_read),
		TASK_TEST(test_fault_page_table_cost),
		TASK_TEST(test_fault_dontneed_then_refault),
		TASK_TEST(test_fault_counters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
