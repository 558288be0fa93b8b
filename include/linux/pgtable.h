/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page tables: entry types and accessors (the layout is arch's, see
 * arch/x86/include/asm/pgtable_types.h), walking helpers, and swap-format
 * entries (migration entries).
 *
 * Page-table pages are guest pages from the page allocator (PageTable type,
 * NR_PAGETABLE, mm->pgtables_bytes), zeroed at allocation; entries live in
 * guest RAM.  Each PTE table has its own lock (the split PTE lock, kept in
 * the table page's ->private); PMD/PUD/PGD entries change under
 * mm->page_table_lock.
 *
 * Invariants (checked by validate_mm()):
 *   a present PTE maps a page with _mapcount >= 0 of a folio whose
 *	refcount >= its total mapcount
 *   a PMD with _PAGE_PSE maps a PMD-order folio (entire_mapcount >= 0)
 */
#ifndef _FOLIAGE_LINUX_PGTABLE_H
#define _FOLIAGE_LINUX_PGTABLE_H

#include <asm/pgtable_types.h>
#include <linux/mm_types.h>
#include <asm-generic/memory_model.h>

typedef struct { u64 pte; } pte_t;
typedef struct { u64 pmd; } pmd_t;
typedef struct { u64 pud; } pud_t;
typedef struct { u64 pgd; } pgd_t;
typedef struct { unsigned long val; } swp_entry_t;

#define PTRS_PER_PTE	512
#define PTRS_PER_PMD	512
#define PTRS_PER_PUD	512
#define PTRS_PER_PGD	512
#define PMD_SHIFT	21
#define PUD_SHIFT	30
#define PGDIR_SHIFT	39
#define PMD_SIZE	(1UL << PMD_SHIFT)
#define PMD_MASK	(~(PMD_SIZE - 1))
#define PUD_SIZE	(1UL << PUD_SHIFT)
#define PUD_MASK	(~(PUD_SIZE - 1))
#define PGDIR_SIZE	(1UL << PGDIR_SHIFT)
#define PGDIR_MASK	(~(PGDIR_SIZE - 1))
#define HPAGE_PMD_SIZE	PMD_SIZE

/* End of user space for a 4-level (47-bit) x86-64 task. */
#define TASK_SIZE_MAX	((1UL << 47) - PAGE_SIZE)

static inline unsigned long pgd_index(unsigned long a) { return (a >> PGDIR_SHIFT) & 511; }
static inline unsigned long pud_index(unsigned long a) { return (a >> PUD_SHIFT) & 511; }
static inline unsigned long pmd_index(unsigned long a) { return (a >> PMD_SHIFT) & 511; }
static inline unsigned long pte_index(unsigned long a) { return (a >> PAGE_SHIFT) & 511; }

/* Next boundary of a level, clamped to @end (the kernel's *_addr_end). */
#define __addr_end(addr, end, size) ({					\
	unsigned long __b = ((addr) + (size)) & ~((size) - 1);		\
	(__b - 1 < (end) - 1) ? __b : (end);				\
})
#define pgd_addr_end(a, e)	__addr_end(a, e, PGDIR_SIZE)
#define pud_addr_end(a, e)	__addr_end(a, e, PUD_SIZE)
#define pmd_addr_end(a, e)	__addr_end(a, e, PMD_SIZE)

/* ---- PTEs ---- */
static inline pte_t __pte(u64 v) { return (pte_t){ v }; }
static inline u64 pte_val(pte_t p) { return p.pte; }
static inline bool pte_none(pte_t p) { return !p.pte; }
static inline bool pte_present(pte_t p) { return p.pte & (_PAGE_PRESENT | _PAGE_PROTNONE); }
static inline bool pte_protnone(pte_t p) { return (p.pte & (_PAGE_PRESENT | _PAGE_PROTNONE)) == _PAGE_PROTNONE; }
static inline bool pte_write(pte_t p) { return p.pte & _PAGE_RW; }
static inline bool pte_dirty(pte_t p) { return p.pte & _PAGE_DIRTY; }
static inline bool pte_young(pte_t p) { return p.pte & _PAGE_ACCESSED; }
static inline bool pte_special(pte_t p) { return p.pte & _PAGE_SPECIAL; }
static inline bool pte_soft_dirty(pte_t p) { return p.pte & _PAGE_SOFT_DIRTY; }
static inline bool pte_uffd_wp(pte_t p) { return p.pte & _PAGE_UFFD_WP; }
static inline unsigned long pte_pfn(pte_t p) { return (p.pte & PTE_PFN_MASK) >> PAGE_SHIFT; }
static inline pte_t pte_mkwrite(pte_t p) { return __pte(p.pte | _PAGE_RW); }
static inline pte_t pte_wrprotect(pte_t p) { return __pte(p.pte & ~_PAGE_RW); }
static inline pte_t pte_mkdirty(pte_t p) { return __pte(p.pte | _PAGE_DIRTY | _PAGE_SOFT_DIRTY); }
static inline pte_t pte_mkclean(pte_t p) { return __pte(p.pte & ~_PAGE_DIRTY); }
static inline pte_t pte_mkyoung(pte_t p) { return __pte(p.pte | _PAGE_ACCESSED); }
static inline pte_t pte_mkold(pte_t p) { return __pte(p.pte & ~_PAGE_ACCESSED); }
static inline pte_t pte_mkspecial(pte_t p) { return __pte(p.pte | _PAGE_SPECIAL); }
static inline pte_t pte_mksoft_dirty(pte_t p) { return __pte(p.pte | _PAGE_SOFT_DIRTY); }
static inline pte_t pte_clear_soft_dirty(pte_t p) { return __pte(p.pte & ~_PAGE_SOFT_DIRTY); }
static inline pte_t pte_mkuffd_wp(pte_t p) { return __pte(p.pte | _PAGE_UFFD_WP); }
static inline pte_t pte_clear_uffd_wp(pte_t p) { return __pte(p.pte & ~_PAGE_UFFD_WP); }
static inline pte_t pfn_pte(unsigned long pfn, pgprot_t prot)
{
	return __pte(((u64)pfn << PAGE_SHIFT) | prot.pgprot);
}
static inline pte_t mk_pte(struct page *page, pgprot_t prot)
{
	return pfn_pte(page_to_pfn(page), prot);
}
/* Change protection bits, keeping pfn and the accessed/dirty/soft bits. */
static inline pte_t pte_modify(pte_t p, pgprot_t prot)
{
	const u64 keep = PTE_PFN_MASK | _PAGE_ACCESSED | _PAGE_DIRTY |
			 _PAGE_SPECIAL | _PAGE_SOFT_DIRTY | _PAGE_UFFD_WP;

	return __pte((p.pte & keep) | (prot.pgprot & ~keep));
}

/* ---- PMDs, PUDs, PGDs ---- */
static inline pmd_t __pmd(u64 v) { return (pmd_t){ v }; }
static inline u64 pmd_val(pmd_t p) { return p.pmd; }
static inline bool pmd_none(pmd_t p) { return !p.pmd; }
static inline bool pmd_present(pmd_t p) { return p.pmd & (_PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE); }
static inline bool pmd_trans_huge(pmd_t p) { return (p.pmd & _PAGE_PSE) && (p.pmd & (_PAGE_PRESENT | _PAGE_PROTNONE)); }
static inline bool pmd_leaf(pmd_t p) { return pmd_present(p) && (p.pmd & _PAGE_PSE); }
static inline bool pmd_write(pmd_t p) { return p.pmd & _PAGE_RW; }
static inline bool pmd_dirty(pmd_t p) { return p.pmd & _PAGE_DIRTY; }
static inline bool pmd_young(pmd_t p) { return p.pmd & _PAGE_ACCESSED; }
static inline unsigned long pmd_pfn(pmd_t p) { return (p.pmd & PTE_PFN_MASK) >> PAGE_SHIFT; }
static inline pmd_t pmd_mkhuge(pmd_t p) { return __pmd(p.pmd | _PAGE_PSE); }
static inline pmd_t pmd_mkwrite(pmd_t p) { return __pmd(p.pmd | _PAGE_RW); }
static inline pmd_t pmd_wrprotect(pmd_t p) { return __pmd(p.pmd & ~_PAGE_RW); }
static inline pmd_t pmd_mkdirty(pmd_t p) { return __pmd(p.pmd | _PAGE_DIRTY | _PAGE_SOFT_DIRTY); }
static inline pmd_t pmd_mkclean(pmd_t p) { return __pmd(p.pmd & ~_PAGE_DIRTY); }
static inline pmd_t pmd_mkyoung(pmd_t p) { return __pmd(p.pmd | _PAGE_ACCESSED); }
static inline pmd_t pmd_mkold(pmd_t p) { return __pmd(p.pmd & ~_PAGE_ACCESSED); }
static inline pmd_t pfn_pmd(unsigned long pfn, pgprot_t prot)
{
	return __pmd(((u64)pfn << PAGE_SHIFT) | prot.pgprot);
}
static inline pmd_t pmd_modify(pmd_t p, pgprot_t prot)
{
	const u64 keep = PTE_PFN_MASK | _PAGE_ACCESSED | _PAGE_DIRTY |
			 _PAGE_PSE | _PAGE_SOFT_DIRTY | _PAGE_UFFD_WP;

	return __pmd((p.pmd & keep) | (prot.pgprot & ~keep));
}
static inline pud_t __pud(u64 v) { return (pud_t){ v }; }
static inline bool pud_none(pud_t p) { return !p.pud; }
static inline pgd_t __pgd(u64 v) { return (pgd_t){ v }; }
static inline bool pgd_none(pgd_t p) { return !p.pgd; }
/* A table entry pointing at the next-level table page @pfn. */
#define _PAGE_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
static inline u64 table_entry(unsigned long pfn)
{
	return ((u64)pfn << PAGE_SHIFT) | _PAGE_TABLE;
}
static inline unsigned long table_entry_pfn(u64 e)
{
	return (e & PTE_PFN_MASK) >> PAGE_SHIFT;
}

/* ---- swap-format entries (migration) ---- */
enum {
	SWP_MIGRATION_READ = 29,	/* read-only migration entry */
	SWP_MIGRATION_READ_EXCLUSIVE,	/* anon exclusive, read-only */
	SWP_MIGRATION_WRITE,		/* writable migration entry */
	SWP_TYPE_MAX = 31,
};

static inline swp_entry_t swp_entry(unsigned int type, unsigned long offset)
{
	return (swp_entry_t){ ((unsigned long)type << 58) | offset };
}
static inline unsigned int swp_type(swp_entry_t e) { return e.val >> 58; }
static inline unsigned long swp_offset(swp_entry_t e) { return e.val & ((1UL << 58) - 1); }
static inline bool is_swap_pte(pte_t p) { return !pte_none(p) && !pte_present(p); }
static inline swp_entry_t pte_to_swp_entry(pte_t p)
{
	unsigned int type = (p.pte >> _PAGE_SWP_TYPE_SHIFT) &
			    ((1U << _PAGE_SWP_TYPE_BITS) - 1);
	unsigned long off = (p.pte >> _PAGE_SWP_OFFSET_SHIFT) &
			    ((1ULL << _PAGE_SWP_OFFSET_BITS) - 1);

	return swp_entry(type, off);
}
static inline pte_t swp_entry_to_pte(swp_entry_t e)
{
	return __pte(((u64)swp_type(e) << _PAGE_SWP_TYPE_SHIFT) |
		     ((u64)swp_offset(e) << _PAGE_SWP_OFFSET_SHIFT));
}
static inline bool is_migration_entry(swp_entry_t e)
{
	return swp_type(e) >= SWP_MIGRATION_READ &&
	       swp_type(e) <= SWP_MIGRATION_WRITE;
}
static inline bool is_writable_migration_entry(swp_entry_t e)
{
	return swp_type(e) == SWP_MIGRATION_WRITE;
}
static inline swp_entry_t make_migration_entry(unsigned long pfn, bool write,
					       bool exclusive)
{
	return swp_entry(write ? SWP_MIGRATION_WRITE :
			 exclusive ? SWP_MIGRATION_READ_EXCLUSIVE :
				     SWP_MIGRATION_READ, pfn);
}
static inline bool is_readable_exclusive_migration_entry(swp_entry_t e)
{
	return swp_type(e) == SWP_MIGRATION_READ_EXCLUSIVE;
}
/*
 * A migration entry's offset is the pfn, and above it (Linux x86-64's
 * migration_entry_supports_ad()) the young and dirty bits of the PTE it
 * replaced, so that remove_migration_ptes() can restore them.
 */
#define SWP_PFN_BITS		40
#define SWP_PFN_MASK		((1UL << SWP_PFN_BITS) - 1)
#define SWP_MIG_YOUNG_BIT	SWP_PFN_BITS
#define SWP_MIG_DIRTY_BIT	(SWP_PFN_BITS + 1)
static inline unsigned long swp_offset_pfn(swp_entry_t e)
{
	return swp_offset(e) & SWP_PFN_MASK;
}
static inline swp_entry_t make_migration_entry_young(swp_entry_t e)
{
	return (swp_entry_t){ e.val | BIT(SWP_MIG_YOUNG_BIT) };
}
static inline bool is_migration_entry_young(swp_entry_t e)
{
	return e.val & BIT(SWP_MIG_YOUNG_BIT);
}
static inline swp_entry_t make_migration_entry_dirty(swp_entry_t e)
{
	return (swp_entry_t){ e.val | BIT(SWP_MIG_DIRTY_BIT) };
}
static inline bool is_migration_entry_dirty(swp_entry_t e)
{
	return e.val & BIT(SWP_MIG_DIRTY_BIT);
}
/* Bits a swap-format PTE keeps beside its entry (type and offset). */
static inline pte_t pte_swp_mksoft_dirty(pte_t p) { return __pte(p.pte | _PAGE_SWP_SOFT_DIRTY); }
static inline bool pte_swp_soft_dirty(pte_t p) { return p.pte & _PAGE_SWP_SOFT_DIRTY; }
static inline pte_t pte_swp_mkuffd_wp(pte_t p) { return __pte(p.pte | _PAGE_SWP_UFFD_WP); }
static inline bool pte_swp_uffd_wp(pte_t p) { return p.pte & _PAGE_SWP_UFFD_WP; }
static inline pte_t pte_swp_mkexclusive(pte_t p) { return __pte(p.pte | _PAGE_SWP_EXCLUSIVE); }
static inline bool pte_swp_exclusive(pte_t p) { return p.pte & _PAGE_SWP_EXCLUSIVE; }

/* ---- page-table pages ---- */

/* The split PTE lock of a page-table page. */
static inline spinlock_t *ptlock_ptr(struct page *table)
{
	return (spinlock_t *)&table->private;
}

static inline void *table_address(u64 entry)
{
	return pfn_to_virt(table_entry_pfn(entry));
}

/* ---- entry pointers and accessors (mm/pgtable.c walks with them) ---- */

/* Entry pointers, as Linux's *_offset(): the upper level must be a table. */
static inline pgd_t *pgd_offset(struct mm_struct *mm, unsigned long addr)
{
	return (pgd_t *)mm->pgd + pgd_index(addr);
}
static inline pud_t *pud_offset(pgd_t *pgd, unsigned long addr)
{
	return (pud_t *)table_address(READ_ONCE(pgd->pgd)) + pud_index(addr);
}
static inline pmd_t *pmd_offset(pud_t *pud, unsigned long addr)
{
	return (pmd_t *)table_address(READ_ONCE(pud->pud)) + pmd_index(addr);
}
/* A PMD entry pointing at a PTE table (present, not huge). */
static inline bool pmd_is_table(pmd_t pmd)
{
	return (pmd_val(pmd) & (_PAGE_PRESENT | _PAGE_PSE)) == _PAGE_PRESENT;
}
static inline pte_t ptep_get(pte_t *ptep) { return __pte(READ_ONCE(ptep->pte)); }
static inline void set_pte(pte_t *ptep, pte_t pte) { WRITE_ONCE(ptep->pte, pte.pte); }
static inline pmd_t pmdp_get(pmd_t *pmdp) { return __pmd(READ_ONCE(pmdp->pmd)); }
static inline void set_pmd(pmd_t *pmdp, pmd_t pmd) { WRITE_ONCE(pmdp->pmd, pmd.pmd); }
static inline bool pte_same(pte_t a, pte_t b) { return a.pte == b.pte; }
static inline bool pmd_same(pmd_t a, pmd_t b) { return a.pmd == b.pmd; }
static inline pte_t ptep_get_and_clear(pte_t *ptep)
{
	return __pte(__atomic_exchange_n(&ptep->pte, 0, __ATOMIC_RELAXED));
}
static inline void pte_clear(pte_t *ptep) { set_pte(ptep, __pte(0)); }
/* @nr consecutive PTEs of consecutive pfns: Linux's set_ptes(). */
static inline void set_ptes(pte_t *ptep, pte_t pte, unsigned int nr)
{
	for (;;) {
		set_pte(ptep, pte);
		if (--nr == 0)
			break;
		ptep++;
		pte = __pte(pte_val(pte) + PAGE_SIZE);
	}
}
static inline void ptep_set_wrprotect(pte_t *ptep)
{
	__atomic_fetch_and(&ptep->pte, ~_PAGE_RW, __ATOMIC_RELAXED);
}
static inline struct page *pmd_page(pmd_t pmd) { return pfn_to_page(pmd_pfn(pmd)); }
static inline struct page *pte_page(pte_t pte) { return pfn_to_page(pte_pfn(pte)); }
/* The PTE table page a (non-huge) PMD entry points at. */
static inline struct page *pmd_pgtable(pmd_t pmd)
{
	return pfn_to_page(table_entry_pfn(pmd_val(pmd)));
}
static inline bool is_swap_pmd(pmd_t pmd) { return !pmd_none(pmd) && !pmd_present(pmd); }
/* A PMD's range as a mask (HPAGE_PMD_SIZE aligned). */
#define HPAGE_PMD_MASK		(~(HPAGE_PMD_SIZE - 1))

/* ---- clear-and-flush (mm/tlb.c) ---- */
/* Clear a PTE/PMD and flush it if it was accessible (ptep_clear_flush). */
pte_t ptep_clear_flush(struct vm_area_struct *vma, unsigned long addr,
		       pte_t *ptep);
pmd_t pmdp_huge_clear_flush(struct vm_area_struct *vma, unsigned long addr,
			    pmd_t *pmdp);
/* Make a huge PMD non-present (keeping PSE) and flush it. */
pmd_t pmdp_invalidate(struct vm_area_struct *vma, unsigned long addr,
		      pmd_t *pmdp);

#endif /* _FOLIAGE_LINUX_PGTABLE_H */
