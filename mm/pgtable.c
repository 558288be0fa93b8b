// SPDX-License-Identifier: GPL-2.0
/*
 * Page-table pages: allocation, installation, walking and freeing, as
 * Linux's mm/memory.c (__pte_alloc, __pmd_alloc, free_pgd_range),
 * mm/pgtable-generic.c (pte_offset_map_lock, THP deposit) and
 * include/asm-generic/pgalloc.h do them with 4-level paging (x86-64, and
 * arm64 with 4K pages and 48-bit VA: the same shape, its own descriptors).
 *
 * Every table is one guest page from the page allocator, so page tables
 * cost guest memory exactly as on Linux: 1 GiB mapped with 4K pages takes
 * 512 PTE tables, one PMD table and one PUD table (2056 KiB), plus the pgd.
 *
 *   NR_PAGETABLE (node) == PageTable pages: pgds, tables, deposited tables
 *   mm->pgtables_bytes == PAGE_SIZE * (PUD + PMD + PTE tables of the mm,
 *	including the PTE tables deposited for huge PMDs)
 *
 * Locks: upper-level entries change under mm->page_table_lock (which is
 * also foliage's PMD lock); a PTE table's entries under its split lock in
 * the table page's ->private.
 */
#include "internal.h"
#include <linux/mm.h>
#include <asm-generic/tlb.h>

__thread unsigned char this_arch;

const struct arch_ops *arch_ops_get(unsigned int id)
{
	switch (id) {
	case ARCH_X86_64:
		return &x86_64_arch_ops;
	case ARCH_ARM64:
		return &arm64_arch_ops;
	}
	return NULL;
}

/* GFP_PGTABLE_USER: zeroed, accounted to the task. */
#define GFP_PGTABLE_USER	(GFP_KERNEL_ACCOUNT | __GFP_ZERO)

static void pagetable_ctor(struct page *page)
{
	__SetPageTable(page);
	mod_node_page_state(NODE_DATA(page_to_nid(page)), NR_PAGETABLE, 1);
}

static void pagetable_dtor(struct page *page)
{
	__ClearPageTable(page);
	mod_node_page_state(NODE_DATA(page_to_nid(page)), NR_PAGETABLE, -1);
	page->private = 0;
	INIT_LIST_HEAD(&page->lru);
	clear_compound_head(page);
}

/* A zeroed, typed table page with its lock and deposit list ready. */
static struct page *pagetable_alloc(void)
{
	struct page *page = alloc_pages(GFP_PGTABLE_USER, 0);

	if (!page)
		return NULL;
	pagetable_ctor(page);
	spin_lock_init(ptlock_ptr(page));
	lockdep_set_class(ptlock_ptr(page), LOCK_CLASS_PTL);
	INIT_LIST_HEAD(&page->lru);
	return page;
}

static void pagetable_free(struct page *page)
{
	pagetable_dtor(page);
	__free_pages(page, 0);
}

static void mm_add_pgtables(struct mm_struct *mm, long nr)
{
	atomic_long_add(nr * (long)PAGE_SIZE, &mm->pgtables_bytes);
}

void mm_inc_nr_ptes(struct mm_struct *mm)
{
	mm_add_pgtables(mm, 1);
}

void mm_dec_nr_ptes(struct mm_struct *mm)
{
	mm_add_pgtables(mm, -1);
}

int mm_alloc_pgd(struct mm_struct *mm)
{
	struct page *page = pagetable_alloc();

	if (!page)
		return -ENOMEM;
	mm->pgd_page = page;
	mm->pgd = page_address(page);
	return 0;
}

void mm_free_pgd(struct mm_struct *mm)
{
	if (!mm->pgd_page)
		return;
	pagetable_free(mm->pgd_page);
	mm->pgd_page = NULL;
	mm->pgd = NULL;
}

struct page *pte_alloc_one(struct mm_struct *mm)
{
	return pagetable_alloc();
}

void pte_free(struct mm_struct *mm, struct page *table)
{
	pagetable_free(table);
}

/*
 * Install @table into the empty upper-level entry @entry, under
 * mm->page_table_lock; false if someone else filled it first (the caller
 * frees its table).
 */
static bool install_table(struct mm_struct *mm, u64 *entry, struct page *table)
{
	bool done = false;

	spin_lock(&mm->page_table_lock);
	if (!READ_ONCE(*entry)) {
		/*
		 * The table's zeroed contents before the entry that points
		 * at it (Linux's smp_wmb() in pmd_install()); lockless
		 * walkers pair with it through the address dependency
		 * (pgtable_entry_load(): pud_offset() and friends).
		 */
		__atomic_store_n(entry, table_entry(page_to_pfn(table)),
				 __ATOMIC_RELEASE);
		done = true;
	}
	spin_unlock(&mm->page_table_lock);
	return done;
}

static pud_t *__pud_alloc(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);

	if (pgd_none(*pgd)) {
		struct page *table = pagetable_alloc();

		if (!table)
			return NULL;
		if (install_table(mm, &pgd->pgd, table))
			mm_add_pgtables(mm, 1);
		else
			pagetable_free(table);
	}
	return pud_offset(pgd, addr);
}

pud_t *pud_alloc(struct mm_struct *mm, unsigned long addr)
{
	return __pud_alloc(mm, addr);
}

pmd_t *pmd_alloc(struct mm_struct *mm, unsigned long addr)
{
	pud_t *pud = __pud_alloc(mm, addr);

	if (!pud)
		return NULL;
	if (pud_none(*pud)) {
		struct page *table = pagetable_alloc();

		if (!table)
			return NULL;
		if (install_table(mm, &pud->pud, table))
			mm_add_pgtables(mm, 1);
		else
			pagetable_free(table);
	}
	return pmd_offset(pud, addr);
}

void pmd_install(struct mm_struct *mm, pmd_t *pmd, struct page **table)
{
	if (install_table(mm, &pmd->pmd, *table)) {
		mm_inc_nr_ptes(mm);
		*table = NULL;
	}
}

int pte_alloc(struct mm_struct *mm, pmd_t *pmd)
{
	struct page *table;

	if (!pmd_none(pmdp_get(pmd)))
		return 0;
	table = pte_alloc_one(mm);
	if (!table)
		return -ENOMEM;
	pmd_install(mm, pmd, &table);
	if (table)
		pte_free(mm, table);
	return 0;
}

pud_t *pud_lookup(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd;

	if (!mm->pgd)
		return NULL;
	pgd = pgd_offset(mm, addr);
	if (pgd_none(*pgd))
		return NULL;
	return pud_offset(pgd, addr);
}

pmd_t *pmd_lookup(struct mm_struct *mm, unsigned long addr)
{
	pud_t *pud = pud_lookup(mm, addr);

	/*
	 * A 1 GiB hugetlb leaf, or its migration entry, has no PMD table
	 * below it: only a table entry leads on.
	 */
	if (!pud || !__pmd_is_table(pgtable_entry_load(pud->pud)))
		return NULL;
	return pmd_offset(pud, addr);
}

/*
 * A PMD entry read by a lockless walker (pgtable_entry_load()), so the
 * PTE table's contents and its PTL, initialised before it was installed,
 * are seen.
 */
static pmd_t pmdp_get_table(pmd_t *pmd)
{
	return __pmd(pgtable_entry_load(pmd->pmd));
}

pte_t *pte_offset_map(pmd_t *pmd, unsigned long addr)
{
	pmd_t pmdval = pmdp_get_table(pmd);

	if (!pmd_is_table(pmdval))
		return NULL;
	return (pte_t *)page_address(pmd_pgtable(pmdval)) + pte_index(addr);
}

spinlock_t *pte_lockptr(struct mm_struct *mm, pmd_t *pmd)
{
	return ptlock_ptr(pmd_pgtable(pmdp_get_table(pmd)));
}

pte_t *pte_offset_map_lock(struct mm_struct *mm, pmd_t *pmd,
			   unsigned long addr, spinlock_t **ptlp)
{
	spinlock_t *ptl;
	pmd_t pmdval;

	for (;;) {
		pmdval = pmdp_get_table(pmd);
		if (!pmd_is_table(pmdval))
			return NULL;
		ptl = ptlock_ptr(pmd_pgtable(pmdval));
		spin_lock(ptl);
		/* The table may have been freed or replaced meanwhile. */
		if (likely(pmd_same(pmdval, pmdp_get(pmd))))
			break;
		spin_unlock(ptl);
	}
	*ptlp = ptl;
	return (pte_t *)page_address(pmd_pgtable(pmdval)) + pte_index(addr);
}

void pte_unmap_unlock(pte_t *pte, spinlock_t *ptl)
{
	spin_unlock(ptl);
}

pte_t *pte_alloc_map_lock(struct mm_struct *mm, pmd_t *pmd,
			  unsigned long addr, spinlock_t **ptlp)
{
	if (pte_alloc(mm, pmd))
		return NULL;
	return pte_offset_map_lock(mm, pmd, addr, ptlp);
}

spinlock_t *pmd_lockptr(struct mm_struct *mm, pmd_t *pmd)
{
	return &mm->page_table_lock;
}

spinlock_t *pmd_lock(struct mm_struct *mm, pmd_t *pmd)
{
	spinlock_t *ptl = pmd_lockptr(mm, pmd);

	spin_lock(ptl);
	return ptl;
}

/*
 * THP deposit: each huge PMD keeps a preallocated PTE table, listed on the
 * PMD table page's ->lru, so that splitting it never needs memory.
 * Caller holds the PMD lock.
 */
void pgtable_trans_huge_deposit(struct mm_struct *mm, pmd_t *pmd,
				struct page *table)
{
	lockdep_assert_held(pmd_lockptr(mm, pmd));

	list_add(&table->lru, &virt_to_page(pmd)->lru);
}

struct page *pgtable_trans_huge_withdraw(struct mm_struct *mm, pmd_t *pmd)
{
	struct list_head *head = &virt_to_page(pmd)->lru;
	struct page *table;

	lockdep_assert_held(pmd_lockptr(mm, pmd));

	if (WARN_ON_ONCE(list_empty(head)))
		return NULL;
	table = list_first_entry(head, struct page, lru);
	list_del(&table->lru);
	INIT_LIST_HEAD(&table->lru);
	return table;
}

/* ---- freeing: free_pgd_range() ---------------------------------------- */

/*
 * Clear the upper-level entry @entry and free the table it points at, via
 * the mmu_gather: the TLB may still cache walks through it until the
 * flush.  @flush records the cleared range at the entry's level (Linux's
 * pte_free_tlb() records a PMD range, pmd_free_tlb() a PUD range...).  The
 * destructor runs now (NR_PAGETABLE drops at once, as in Linux's
 * ___pte_free_tlb()); the page is freed after the flush.
 */
static void free_table_tlb(struct mmu_gather *tlb, u64 *entry,
			   unsigned long addr,
			   void (*flush)(struct mmu_gather *, unsigned long,
					 unsigned long))
{
	struct page *table = pfn_to_page(table_entry_pfn(READ_ONCE(*entry)));

	WRITE_ONCE(*entry, 0);
	flush(tlb, addr, PAGE_SIZE);
	tlb->freed_tables = true;
	pagetable_dtor(table);
	tlb_remove_table(tlb, table);
	mm_add_pgtables(tlb->mm, -1);
}

void free_pte_range(struct mmu_gather *tlb, pmd_t *pmd, unsigned long addr)
{
	free_table_tlb(tlb, &pmd->pmd, addr, tlb_flush_pmd_range);
}

/*
 * The floor/ceiling rule of Linux's free_pgd_range(): a table is freed
 * only if the whole range it maps lies in [floor, ceiling), where
 * ceiling 0 means the top of the address space.
 */
static bool table_outside(unsigned long start, unsigned long end,
			  unsigned long floor, unsigned long ceiling,
			  unsigned long mask)
{
	start &= mask;
	if (start < floor)
		return true;
	if (ceiling) {
		ceiling &= mask;
		if (!ceiling)
			return true;
	}
	return end - 1 > ceiling - 1;
}

static void free_pmd_range(struct mmu_gather *tlb, pud_t *pud,
			   unsigned long addr, unsigned long end,
			   unsigned long floor, unsigned long ceiling)
{
	unsigned long start = addr, next;
	pmd_t *pmd = pmd_offset(pud, addr);

	do {
		next = pmd_addr_end(addr, end);
		if (pmd_none(pmdp_get(pmd)))
			continue;
		if (WARN_ON_ONCE(!pmd_is_table(pmdp_get(pmd))))
			continue;	/* a huge PMD left behind: a zap bug */
		free_pte_range(tlb, pmd, addr);
	} while (pmd++, addr = next, addr != end);

	if (!table_outside(start, end, floor, ceiling, PUD_MASK))
		free_table_tlb(tlb, &pud->pud, start & PUD_MASK,
			       tlb_flush_pud_range);
}

static void free_pud_range(struct mmu_gather *tlb, pgd_t *pgd,
			   unsigned long addr, unsigned long end,
			   unsigned long floor, unsigned long ceiling)
{
	unsigned long start = addr, next;
	pud_t *pud = pud_offset(pgd, addr);

	do {
		next = pud_addr_end(addr, end);
		if (pud_none(*pud) || WARN_ON_ONCE(pud_leaf(*pud)))
			continue;	/* a hugetlb leaf left behind: a zap bug */
		free_pmd_range(tlb, pud, addr, next, floor, ceiling);
	} while (pud++, addr = next, addr != end);

	/* The p4d level is folded: its range is the pgd entry's. */
	if (!table_outside(start, end, floor, ceiling, PGDIR_MASK))
		free_table_tlb(tlb, &pgd->pgd, start & PGDIR_MASK,
			       tlb_flush_p4d_range);
}

/*
 * Why the "- 1"s: 0 is both the bottom of the address space (addr, floor)
 * and its top (end, ceiling); comparing end - 1 and ceiling - 1 treats a 0
 * end or ceiling as the top.
 */
void free_pgd_range(struct mmu_gather *tlb, unsigned long addr,
		    unsigned long end, unsigned long floor,
		    unsigned long ceiling)
{
	unsigned long next;
	pgd_t *pgd;

	addr &= PMD_MASK;
	if (addr < floor) {
		addr += PMD_SIZE;
		if (!addr)
			return;
	}
	if (ceiling) {
		ceiling &= PMD_MASK;
		if (!ceiling)
			return;
	}
	if (end - 1 > ceiling - 1)
		end -= PMD_SIZE;
	if (addr > end - 1)
		return;

	pgd = pgd_offset(tlb->mm, addr);
	do {
		next = pgd_addr_end(addr, end);
		if (pgd_none(*pgd))
			continue;
		free_pud_range(tlb, pgd, addr, next, floor, ceiling);
	} while (pgd++, addr = next, addr != end);
}

void free_pgtables(struct mm_struct *mm, unsigned long start,
		   unsigned long end, unsigned long floor,
		   unsigned long ceiling)
{
	struct mmu_gather tlb;

	tlb_gather_mmu(&tlb, mm, false);
	free_pgd_range(&tlb, start, end, floor, ceiling);
	tlb_finish_mmu(&tlb);
}
