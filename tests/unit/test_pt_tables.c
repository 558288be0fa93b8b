// SPDX-License-Identifier: GPL-2.0
/*
 * Page-table pages, the mmu_gather and the LRU, below the task API: an
 * mm_struct with a pgd and nothing else, tables built and torn down by
 * hand, every table page and every flush counted.
 */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "internal.h"
#include <linux/mm.h>
#include <linux/rmap.h>
#include <linux/swap.h>
#include <asm-generic/tlb.h>

struct pt_fixture {
	struct foliage_machine *m;	/* the machine */
	struct mm_struct *mm;		/* a bare mm with a pgd */
};

static unsigned long nr_pagetable(void)
{
	return global_node_page_state(NR_PAGETABLE);
}

static unsigned long nr_free(void)
{
	drain_all_pages(NULL);
	return global_zone_page_state(NR_FREE_PAGES);
}

static int setup(void **state)
{
	struct pt_fixture *f = calloc(1, sizeof(*f));

	f->m = test_machine(1, 256);
	assert_int_equal(machine_enter(f->m), 0);
	/* The LRU lists, if the boot did not set them up (zero_page_init). */
	if (!NODE_DATA(0)->__lruvec.lists[0].next)
		lru_init();
	f->mm = calloc(1, sizeof(*f->mm));
	spin_lock_init(&f->mm->page_table_lock);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct pt_fixture *f = *state;

	assert_int_equal(machine_enter(f->m), 0);
	mm_free_pgd(f->mm);
	free(f->mm);
	test_machine_done(f->m);
	free(f);
	return 0;
}

/* Build every PTE table of [start, end), as faults on each 2M would. */
static void populate_tables(struct mm_struct *mm, unsigned long start,
			    unsigned long end)
{
	unsigned long addr;

	for (addr = start; addr < end; addr += PMD_SIZE) {
		pmd_t *pmd = pmd_alloc(mm, addr);

		assert_non_null(pmd);
		assert_int_equal(pte_alloc(mm, pmd), 0);
	}
}

/*
 * 1 GiB of 4K pages needs 512 PTE tables + 1 PMD table + 1 PUD table:
 * 2056 KiB, as on Linux; freeing the range gives every page back.
 */
static void test_pt_cost_of_1g(void **state)
{
	struct pt_fixture *f = *state;
	unsigned long base = nr_pagetable(), free_before;
	const unsigned long start = 1UL << 30, end = 2UL << 30;
	struct tlb_stats t0;

	assert_int_equal(mm_alloc_pgd(f->mm), 0);
	assert_int_equal(nr_pagetable(), base + 1);	/* the pgd */
	assert_int_equal(atomic_long_read(&f->mm->pgtables_bytes), 0);
	free_before = nr_free();

	populate_tables(f->mm, start, end);
	assert_int_equal(nr_pagetable(), base + 1 + 514);
	assert_int_equal(atomic_long_read(&f->mm->pgtables_bytes),
			 514 * PAGE_SIZE);
	assert_int_equal(free_before - nr_free(), 514);

	/* Nothing outside the range uses these tables: all of them go. */
	t0 = *f->m->tlb;
	free_pgtables(f->mm, start, end, 0, 0);
	assert_int_equal(atomic_long_read(&f->mm->pgtables_bytes), 0);
	assert_int_equal(nr_pagetable(), base + 1);
	assert_int_equal(nr_free(), free_before);
	assert_null(pud_lookup(f->mm, start));
	/*
	 * 514 tables: a table batch holds 509, so one flush when it fills
	 * and one at the end; both span > 33 PMD entries: full flushes.
	 */
	assert_int_equal(f->m->tlb->flush_all - t0.flush_all, 2);
	assert_int_equal(f->m->tlb->flush_range - t0.flush_range, 0);
}

/*
 *   2M     3M     4M
 *   |AAAAAA|BBBBBB|		one PTE table shared by A and B
 *
 * Freeing A's tables with B's start as the ceiling keeps the table; then
 * freeing B's with nothing left around frees the whole branch.
 */
static void test_pt_floor_ceiling(void **state)
{
	struct pt_fixture *f = *state;
	const unsigned long a = 2UL << 20, b = 3UL << 20, end = 4UL << 20;
	unsigned long base;

	assert_int_equal(mm_alloc_pgd(f->mm), 0);
	base = nr_pagetable();
	populate_tables(f->mm, a, end);
	assert_int_equal(nr_pagetable(), base + 3);

	free_pgtables(f->mm, a, b, 0, b);
	assert_int_equal(nr_pagetable(), base + 3);
	assert_non_null(pte_offset_map(pmd_lookup(f->mm, a), a));

	free_pgtables(f->mm, b, end, 0, 0);
	assert_int_equal(nr_pagetable(), base);
	assert_int_equal(atomic_long_read(&f->mm->pgtables_bytes), 0);

	/* A neighbour in the next PMD keeps the PMD and PUD tables. */
	populate_tables(f->mm, a, end + PMD_SIZE);
	assert_int_equal(nr_pagetable(), base + 4);
	free_pgtables(f->mm, a, end, 0, end);
	assert_int_equal(nr_pagetable(), base + 3);
	assert_non_null(pmd_lookup(f->mm, end));
	free_pgtables(f->mm, end, end + PMD_SIZE, 0, 0);
	assert_int_equal(nr_pagetable(), base);
}

/* The PTE lock is per table; a huge or empty PMD has no PTEs to map. */
static void test_pt_lookup_and_locks(void **state)
{
	struct pt_fixture *f = *state;
	const unsigned long a = 8UL << 20;
	spinlock_t *ptl, *ptl2;
	pte_t *pte, *pte2;
	pmd_t *pmd;

	assert_int_equal(mm_alloc_pgd(f->mm), 0);
	assert_null(pmd_lookup(f->mm, a));
	pmd = pmd_alloc(f->mm, a);
	assert_non_null(pmd);
	assert_ptr_equal(pmd_lookup(f->mm, a), pmd);
	assert_null(pte_offset_map_lock(f->mm, pmd, a, &ptl));

	populate_tables(f->mm, a, a + 2 * PMD_SIZE);
	pte = pte_offset_map_lock(f->mm, pmd, a + 5 * PAGE_SIZE, &ptl);
	assert_non_null(pte);
	assert_true(spin_is_locked(ptl));
	assert_int_equal(pte - (pte_t *)page_address(pmd_pgtable(*pmd)), 5);
	assert_true(pte_none(ptep_get(pte)));
	pte_unmap_unlock(pte, ptl);
	assert_false(spin_is_locked(ptl));

	pte2 = pte_offset_map_lock(f->mm, pmd + 1, a + PMD_SIZE, &ptl2);
	assert_non_null(pte2);
	assert_ptr_not_equal(ptl, ptl2);
	pte_unmap_unlock(pte2, ptl2);

	/* Table pages are typed, and their entries are _PAGE_TABLE. */
	assert_true(PageTable(pmd_pgtable(*pmd)));
	assert_int_equal(pmd_val(*pmd) & ~PTE_PFN_MASK, _PAGE_TABLE);
	free_pgtables(f->mm, a, a + 2 * PMD_SIZE, 0, 0);
}

/*
 * The mmu_gather frees nothing before its flush, and holds 7 + 19 x 509
 * single pages (Linux's 8-slot bundle and 19 batch pages of 510, each
 * keeping room for a two-slot entry) before it must flush early.
 */
static void test_pt_gather_batches(void **state)
{
	struct pt_fixture *f = *state;
	const unsigned int capacity = 7 + 19 * 509, nr = capacity + 100;
	struct folio **folios = calloc(nr, sizeof(*folios));
	unsigned long free_before = nr_free();
	struct mmu_gather tlb;
	struct tlb_stats t0 = *f->m->tlb;
	unsigned int i, forced = 0, first_forced = 0;

	assert_int_equal(mm_alloc_pgd(f->mm), 0);
	free_before = nr_free();
	for (i = 0; i < nr; i++) {
		folios[i] = folio_alloc(GFP_HIGHUSER_MOVABLE, 0);
		assert_non_null(folios[i]);
	}
	tlb_gather_mmu(&tlb, f->mm, false);
	for (i = 0; i < nr; i++) {
		tlb_flush_pte_range(&tlb, 0x10000000UL + i * PAGE_SIZE,
				    PAGE_SIZE);
		if (__tlb_remove_folio_pages(&tlb, &folios[i]->page, 1)) {
			if (!forced++)
				first_forced = i + 1;
			/* Nothing was freed before this flush. */
			assert_int_equal(folio_ref_count(folios[0]), 1);
			tlb_flush_mmu(&tlb);
			assert_int_equal(folio_ref_count(folios[i]), 0);
		}
	}
	assert_int_equal(forced, 1);
	assert_int_equal(first_forced, capacity);
	tlb_finish_mmu(&tlb);
	/* Every page and every batch page is back. */
	assert_int_equal(nr_free(), free_before);
	assert_int_equal(f->m->tlb->flush_all - t0.flush_all, 2);
	free(folios);
}

/* A short range is flushed entry by entry; a long one in full. */
static void test_pt_flush_policy(void **state)
{
	struct pt_fixture *f = *state;
	struct vm_area_struct vma = { .vm_mm = f->mm };
	struct tlb_stats t0 = *f->m->tlb;
	struct mmu_gather tlb;

	flush_tlb_range(&vma, 0x100000, 0x100000 + 33 * PAGE_SIZE);
	assert_int_equal(f->m->tlb->flush_range - t0.flush_range, 1);
	assert_int_equal(f->m->tlb->flush_pages - t0.flush_pages, 33);
	flush_tlb_range(&vma, 0x100000, 0x100000 + 34 * PAGE_SIZE);
	assert_int_equal(f->m->tlb->flush_all - t0.flush_all, 1);
	flush_tlb_page(&vma, 0x100000);
	assert_int_equal(f->m->tlb->flush_one - t0.flush_one, 1);
	flush_tlb_mm(f->mm);
	assert_int_equal(f->m->tlb->flush_all - t0.flush_all, 2);
	assert_int_equal(f->mm->tlb_flush_seq, 4);

	/* A gather that cleared nothing flushes nothing. */
	tlb_gather_mmu(&tlb, f->mm, false);
	tlb_finish_mmu(&tlb);
	/* A cleared PMD is one entry at PMD stride, whatever its size. */
	tlb_gather_mmu(&tlb, f->mm, false);
	tlb_flush_pmd_range(&tlb, 0x200000, HPAGE_PMD_SIZE);
	tlb_finish_mmu(&tlb);
	assert_int_equal(f->m->tlb->flush_range - t0.flush_range, 2);
	assert_int_equal(f->m->tlb->flush_pages - t0.flush_pages, 34);
	/* The whole mm going: one full flush. */
	tlb_gather_mmu(&tlb, f->mm, true);
	tlb_flush_pte_range(&tlb, 0x200000, PAGE_SIZE);
	tlb_finish_mmu(&tlb);
	assert_int_equal(f->m->tlb->flush_all - t0.flush_all, 3);
}

/* The LRU: inactive on arrival, active on a second access, off at free. */
static void test_pt_lru(void **state)
{
	struct foliage_machine *f_machine = ((struct pt_fixture *)*state)->m;
	pg_data_t *pgdat = NODE_DATA(0);
	unsigned long ia = node_page_state(pgdat, NR_INACTIVE_ANON);
	unsigned long aa = node_page_state(pgdat, NR_ACTIVE_ANON);
	unsigned long ifl = node_page_state(pgdat, NR_INACTIVE_FILE);
	unsigned long act = sum_vm_event(PGACTIVATE);
	unsigned long free_before = nr_free();
	struct folio *anon, *file;
	struct zone *zone;

	anon = folio_alloc(GFP_HIGHUSER_MOVABLE, 4);
	file = folio_alloc(GFP_HIGHUSER_MOVABLE, 0);
	zone = folio_zone(anon);
	__folio_set_swapbacked(anon);
	folio_add_lru(anon);
	folio_add_lru(file);
	assert_true(folio_test_lru(anon));
	assert_int_equal(node_page_state(pgdat, NR_INACTIVE_ANON), ia + 16);
	assert_int_equal(node_page_state(pgdat, NR_INACTIVE_FILE), ifl + 1);
	assert_true(zone_page_state(zone, NR_ZONE_INACTIVE_ANON) >= 16);

	folio_mark_accessed(anon);
	assert_true(folio_test_referenced(anon));
	assert_false(folio_test_active(anon));
	folio_mark_accessed(anon);
	assert_true(folio_test_active(anon));
	assert_false(folio_test_referenced(anon));
	assert_int_equal(node_page_state(pgdat, NR_INACTIVE_ANON), ia);
	assert_int_equal(node_page_state(pgdat, NR_ACTIVE_ANON), aa + 16);
	assert_int_equal(sum_vm_event(PGACTIVATE), act + 16);

	assert_int_equal(validate_lru(), 0);
	/* A folio on the wrong list is caught. */
	folio_clear_active(anon);
	assert_int_equal(validate_lru(), -EUCLEAN);
	assert_int_equal(foliage_bugs(f_machine), 1);
	folio_set_active(anon);
	f_machine->nr_bugs = 0;
	assert_int_equal(validate_lru(), 0);

	folio_put(anon);
	folio_put(file);
	assert_int_equal(node_page_state(pgdat, NR_ACTIVE_ANON), aa);
	assert_int_equal(node_page_state(pgdat, NR_INACTIVE_FILE), ifl);
	assert_int_equal(nr_free(), free_before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pt_cost_of_1g, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pt_floor_ceiling, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pt_lookup_and_locks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pt_gather_batches, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pt_flush_policy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pt_lru, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
