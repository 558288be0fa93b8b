/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page tables: entry types and accessors (the layout is the machine's
 * arch's: arch/x86/include/asm/pgtable_types.h or
 * arch/arm64/include/asm/pgtable-prot.h, see docs/arch.md), walking
 * helpers, and swap-format entries (migration entries).
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

#include <asm/pgtable_64.h>
#include <asm/arm64_pgtable.h>
#include <linux/arch.h>
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

/*
 * End of user space: a 4-level x86-64 task has 47 bits (less the guard
 * page), an arm64 task with 48-bit VA all 48 (TASK_SIZE_64).
 */
#define TASK_SIZE_MAX							\
	(arch_is_arm64() ? (1UL << 48) : ((1UL << 47) - PAGE_SIZE))

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

/*
 * Every accessor below is the machine's arch's (include/linux/arch.h): the
 * x86 body is the inline fast path, arm64's the predicted-not-taken branch,
 * a call (asm/arm64_pgtable_ool.h) so that hot functions stay small.
 */
#define ARM64_OOL(ret, name, params, args) ret arm64_ool_##name params;
#include <asm/arm64_pgtable_ool.h>
#undef ARM64_OOL
#define ARCH_CALL(fn, ...)						\
	(arch_is_arm64() ? arm64_ool_##fn(__VA_ARGS__) : x86_##fn(__VA_ARGS__))

/* ---- PTEs ---- */
static inline pte_t __pte(u64 v) { return (pte_t){ v }; }
static inline u64 pte_val(pte_t p) { return p.pte; }
static inline bool pte_none(pte_t p) { return !p.pte; }
static inline bool pte_present(pte_t p) { return ARCH_CALL(pte_present, p.pte); }
static inline bool pte_protnone(pte_t p) { return ARCH_CALL(pte_protnone, p.pte); }
static inline bool pte_write(pte_t p) { return ARCH_CALL(pte_write, p.pte); }
static inline bool pte_dirty(pte_t p) { return ARCH_CALL(pte_dirty, p.pte); }
static inline bool pte_young(pte_t p) { return ARCH_CALL(pte_young, p.pte); }
static inline bool pte_special(pte_t p) { return ARCH_CALL(pte_special, p.pte); }
static inline bool pte_soft_dirty(pte_t p) { return ARCH_CALL(pte_soft_dirty, p.pte); }
static inline bool pte_uffd_wp(pte_t p) { return ARCH_CALL(pte_uffd_wp, p.pte); }
/*
 * The pfn needs no branch on the arch: both layouts put the address at bits
 * 12..47 for every entry foliage builds (guest RAM ends below 2^44, so
 * x86's pfn bits 48..51 are always zero; arm64's bits 48..63 are flags).
 */
static inline unsigned long __entry_pfn(u64 v)
{
	return (v & PTE_ADDR_LOW) >> PAGE_SHIFT;
}
static inline unsigned long pte_pfn(pte_t p) { return __entry_pfn(p.pte); }
static inline pte_t pte_mkwrite(pte_t p) { return __pte(ARCH_CALL(pte_mkwrite, p.pte)); }
static inline pte_t pte_wrprotect(pte_t p) { return __pte(ARCH_CALL(pte_wrprotect, p.pte)); }
static inline pte_t pte_mkdirty(pte_t p) { return __pte(ARCH_CALL(pte_mkdirty, p.pte)); }
static inline pte_t pte_mkclean(pte_t p) { return __pte(ARCH_CALL(pte_mkclean, p.pte)); }
static inline pte_t pte_mkyoung(pte_t p) { return __pte(ARCH_CALL(pte_mkyoung, p.pte)); }
static inline pte_t pte_mkold(pte_t p) { return __pte(ARCH_CALL(pte_mkold, p.pte)); }
static inline pte_t pte_mkspecial(pte_t p) { return __pte(ARCH_CALL(pte_mkspecial, p.pte)); }
static inline pte_t pte_mksoft_dirty(pte_t p) { return __pte(ARCH_CALL(pte_mksoft_dirty, p.pte)); }
static inline pte_t pte_clear_soft_dirty(pte_t p) { return __pte(ARCH_CALL(pte_clear_soft_dirty, p.pte)); }
static inline pte_t pte_mkuffd_wp(pte_t p) { return __pte(ARCH_CALL(pte_mkuffd_wp, p.pte)); }
static inline pte_t pte_clear_uffd_wp(pte_t p) { return __pte(ARCH_CALL(pte_clear_uffd_wp, p.pte)); }
/* Valid to the hardware (x86: _PAGE_PRESENT; arm64: PTE_VALID). */
static inline bool pte_valid(pte_t p)
{
	return arch_is_arm64() ? arm64_pte_valid(p.pte) : (p.pte & _PAGE_PRESENT);
}
/*
 * The contiguous hint (arm64's PTE_CONT, bit 52): 16 entries of one
 * naturally aligned 64K block share one TLB entry.  x86 has none.
 */
static inline bool pte_cont(pte_t p) { return arch_is_arm64() && arm64_pte_cont(p.pte); }
static inline pte_t pte_mkcont(pte_t p)
{
	return arch_is_arm64() ? __pte(arm64_pte_mkcont(p.pte)) : p;
}
static inline pte_t pte_mknoncont(pte_t p)
{
	return arch_is_arm64() ? __pte(arm64_pte_mknoncont(p.pte)) : p;
}
/*
 * pte_batch_hint(): how many entries from @ptep a batching caller may
 * treat alike without looking: the rest of a valid contiguous block on
 * arm64, else 1 (x86 always).
 */
static inline unsigned int pte_batch_hint(pte_t *ptep, pte_t pte)
{
	if (!arch_is_arm64() || !arm64_pte_valid(pte.pte) ||
	    !arm64_pte_cont(pte.pte))
		return 1;
	return CONT_PTES - (((unsigned long)ptep >> 3) & (CONT_PTES - 1));
}
/* Both layouts put the pfn at bit 12 (x86: up to 51, arm64: up to 47). */
static inline pte_t pfn_pte(unsigned long pfn, pgprot_t prot)
{
	return __pte(((u64)pfn << PAGE_SHIFT) | prot.pgprot);
}
/* The same entry @nr pages further on (both layouts: pfn at bit 12). */
static inline pte_t pte_advance_pfn(pte_t pte, unsigned long nr)
{
	return __pte(pte_val(pte) + (nr << PAGE_SHIFT));
}
static inline pte_t mk_pte(struct page *page, pgprot_t prot)
{
	return pfn_pte(page_to_pfn(page), prot);
}
/* Change protection bits, keeping pfn and the accessed/dirty/soft bits. */
static inline pte_t pte_modify(pte_t p, pgprot_t prot)
{
	return __pte(ARCH_CALL(pte_modify, p.pte, prot.pgprot));
}
/*
 * Whether changing a present @oldpte to @newpte needs a TLB flush: x86's
 * pte_needs_flush(); arm64 has none, so always (asm-generic/tlb.h).
 */
static inline bool pte_needs_flush(pte_t oldpte, pte_t newpte)
{
	if (arch_is_arm64())
		return true;
	return x86_pte_needs_flush(oldpte.pte, newpte.pte);
}
/*
 * A user access as the MMU does it: false if @p does not permit it; else
 * *@newp is the entry with the accessed (and for a write, dirty) state the
 * hardware would set.  PTEs and leaf PMDs alike.
 */
static inline bool pte_hw_access(u64 v, bool write, u64 *newv)
{
	return ARCH_CALL(pte_hw_access, v, write, newv);
}

/* ---- PMDs, PUDs, PGDs ---- */
static inline pmd_t __pmd(u64 v) { return (pmd_t){ v }; }
static inline u64 pmd_val(pmd_t p) { return p.pmd; }
static inline bool pmd_none(pmd_t p) { return !p.pmd; }
static inline bool pmd_present(pmd_t p)
{
	return arch_is_arm64() ? arm64_ool_pte_present(p.pmd) : x86_pmd_present(p.pmd);
}
static inline bool pmd_trans_huge(pmd_t p) { return ARCH_CALL(pmd_trans_huge, p.pmd); }
static inline bool pmd_leaf(pmd_t p) { return ARCH_CALL(pmd_leaf, p.pmd); }
static inline bool pmd_protnone(pmd_t p) { return ARCH_CALL(pte_protnone, p.pmd); }
static inline bool pmd_write(pmd_t p) { return ARCH_CALL(pte_write, p.pmd); }
static inline bool pmd_dirty(pmd_t p) { return ARCH_CALL(pte_dirty, p.pmd); }
static inline bool pmd_young(pmd_t p) { return ARCH_CALL(pte_young, p.pmd); }
static inline bool pmd_special(pmd_t p) { return ARCH_CALL(pte_special, p.pmd); }
static inline bool pmd_soft_dirty(pmd_t p) { return ARCH_CALL(pte_soft_dirty, p.pmd); }
static inline bool pmd_uffd_wp(pmd_t p) { return ARCH_CALL(pte_uffd_wp, p.pmd); }
/* A huge PMD's output address is 2M aligned on both: no masking needed. */
static inline unsigned long pmd_pfn(pmd_t p) { return __entry_pfn(p.pmd); }
static inline pmd_t pmd_mkhuge(pmd_t p) { return __pmd(ARCH_CALL(pmd_mkhuge, p.pmd)); }
static inline pmd_t pmd_mkwrite(pmd_t p) { return __pmd(ARCH_CALL(pte_mkwrite, p.pmd)); }
static inline pmd_t pmd_wrprotect(pmd_t p) { return __pmd(ARCH_CALL(pte_wrprotect, p.pmd)); }
static inline pmd_t pmd_mkdirty(pmd_t p) { return __pmd(ARCH_CALL(pte_mkdirty, p.pmd)); }
static inline pmd_t pmd_mkclean(pmd_t p) { return __pmd(ARCH_CALL(pte_mkclean, p.pmd)); }
static inline pmd_t pmd_mkyoung(pmd_t p) { return __pmd(ARCH_CALL(pte_mkyoung, p.pmd)); }
static inline pmd_t pmd_mkold(pmd_t p) { return __pmd(ARCH_CALL(pte_mkold, p.pmd)); }
static inline pmd_t pmd_mkspecial(pmd_t p) { return __pmd(ARCH_CALL(pte_mkspecial, p.pmd)); }
static inline pmd_t pmd_mksoft_dirty(pmd_t p) { return __pmd(ARCH_CALL(pte_mksoft_dirty, p.pmd)); }
static inline pmd_t pmd_clear_uffd_wp(pmd_t p) { return __pmd(ARCH_CALL(pte_clear_uffd_wp, p.pmd)); }
static inline pmd_t pmd_mkuffd_wp(pmd_t p) { return __pmd(ARCH_CALL(pte_mkuffd_wp, p.pmd)); }
/* Not present to the hardware, still a present huge PMD to software. */
static inline pmd_t pmd_mkinvalid(pmd_t p) { return __pmd(ARCH_CALL(pmd_mkinvalid, p.pmd)); }
static inline pmd_t pfn_pmd(unsigned long pfn, pgprot_t prot)
{
	return __pmd(((u64)pfn << PAGE_SHIFT) | prot.pgprot);
}
static inline pmd_t pmd_modify(pmd_t p, pgprot_t prot)
{
	return __pmd(arch_is_arm64() ? arm64_ool_pte_modify(p.pmd, prot.pgprot) :
				       x86_pmd_modify(p.pmd, prot.pgprot));
}
/* x86's pte_needs_flush() for a huge PMD (the same flag rules). */
static inline bool pmd_needs_flush(pmd_t oldpmd, pmd_t newpmd)
{
	if (arch_is_arm64())
		return true;
	return x86_pte_needs_flush(oldpmd.pmd, newpmd.pmd);
}
static inline pud_t __pud(u64 v) { return (pud_t){ v }; }
static inline bool pud_none(pud_t p) { return !p.pud; }
/* A 1 GiB leaf (hugetlb): a PMD leaf's layout one level up. */
static inline bool pud_leaf(pud_t p) { return ARCH_CALL(pmd_leaf, p.pud); }
static inline pgd_t __pgd(u64 v) { return (pgd_t){ v }; }
static inline bool pgd_none(pgd_t p) { return !p.pgd; }
/*
 * A table entry pointing at the next-level table page @pfn: x86's
 * _PAGE_TABLE, arm64's PMD_TYPE_TABLE | PMD_TABLE_AF | PMD_TABLE_PXN (the
 * same at every level for user tables).
 */
#define _PAGE_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define ARM64_TABLE_BITS (PMD_TYPE_TABLE | PMD_TABLE_AF | PMD_TABLE_PXN)
static inline u64 table_entry(unsigned long pfn)
{
	return ((u64)pfn << PAGE_SHIFT) |
	       (arch_is_arm64() ? ARM64_TABLE_BITS : _PAGE_TABLE);
}
/* The table a table entry points at (no branch either). */
static inline unsigned long table_entry_pfn(u64 e)
{
	return __entry_pfn(e);
}
/* A PMD entry pointing at a PTE table (present, not huge). */
static inline bool __pmd_is_table(u64 v) { return ARCH_CALL(pmd_table, v); }

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
	return swp_entry(ARCH_CALL(swp_type, p.pte), ARCH_CALL(swp_offset, p.pte));
}
static inline pte_t swp_entry_to_pte(swp_entry_t e)
{
	return __pte(ARCH_CALL(swp_entry, swp_type(e), swp_offset(e)));
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
static inline bool is_readable_migration_entry(swp_entry_t e)
{
	return swp_type(e) == SWP_MIGRATION_READ;
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
#define SWP_BIT(name)							\
	(arch_is_arm64() ? PTE_SWP_##name : _PAGE_SWP_##name)
static inline pte_t pte_swp_mksoft_dirty(pte_t p) { return __pte(p.pte | SWP_BIT(SOFT_DIRTY)); }
static inline bool pte_swp_soft_dirty(pte_t p) { return p.pte & SWP_BIT(SOFT_DIRTY); }
static inline pte_t pte_swp_clear_soft_dirty(pte_t p) { return __pte(p.pte & ~SWP_BIT(SOFT_DIRTY)); }
static inline pte_t pte_swp_mkuffd_wp(pte_t p) { return __pte(p.pte | SWP_BIT(UFFD_WP)); }
static inline bool pte_swp_uffd_wp(pte_t p) { return p.pte & SWP_BIT(UFFD_WP); }
static inline pte_t pte_swp_clear_uffd_wp(pte_t p) { return __pte(p.pte & ~SWP_BIT(UFFD_WP)); }
static inline pte_t pte_swp_mkexclusive(pte_t p) { return __pte(p.pte | SWP_BIT(EXCLUSIVE)); }
static inline bool pte_swp_exclusive(pte_t p) { return p.pte & SWP_BIT(EXCLUSIVE); }
/* The soft-dirty and uffd-wp bits of a swap PTE, to carry to a new one. */
static inline u64 pte_swp_flags(pte_t p)
{
	return p.pte & (SWP_BIT(SOFT_DIRTY) | SWP_BIT(UFFD_WP));
}
static inline pmd_t pmd_swp_mksoft_dirty(pmd_t p) { return __pmd(p.pmd | SWP_BIT(SOFT_DIRTY)); }

/* ---- atomic updates the arch defines ---- */

/*
 * arm64's __ptep_set_wrprotect(): read-only, hardware dirtiness moved to
 * PTE_DIRTY, in one compare-and-swap against a concurrent hardware update.
 */
static inline void arm64_ptep_set_wrprotect(pte_t *ptep)
{
	u64 old = __atomic_load_n(&ptep->pte, __ATOMIC_RELAXED);

	while (!__atomic_compare_exchange_n(&ptep->pte, &old,
					    arm64_pte_wrprotect(old), false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/*
 * arm64's contiguous-PTE model (arch/arm64/mm/contpte.c, docs/
 * pte-batching.md): the entries of a 64K block carrying PTE_CONT change
 * together; the generic operations below unfold a block before changing
 * one entry of it, and set_pte() folds a block whose 16th entry completes
 * it.  __ptep_get()/__set_pte() are the raw entry, as the MMU sees it.
 */
pte_t contpte_ptep_get(pte_t *ptep, pte_t orig);
void contpte_set_pte(pte_t *ptep, pte_t pte);
void contpte_set_ptes(pte_t *ptep, pte_t pte, unsigned int nr);
void contpte_try_unfold(pte_t *ptep);
bool contpte_ptep_test_and_clear_young(pte_t *ptep);
void contpte_wrprotect_ptes(pte_t *ptep, unsigned int nr);
pte_t contpte_get_and_clear_full_ptes(pte_t *ptep, unsigned int nr,
				      bool full, bool merge);
int contpte_ptep_set_access_flags(struct vm_area_struct *vma, pte_t *ptep,
				  pte_t entry, bool dirty);
/* The bad folded blocks of a PTE table (validate_mm()); the first in @why. */
int contpte_validate_table(const u64 *ptes, unsigned long base, char *why,
			   size_t len);

static inline pte_t __ptep_get(pte_t *ptep) { return __pte(READ_ONCE(ptep->pte)); }
static inline void __set_pte(pte_t *ptep, pte_t pte) { WRITE_ONCE(ptep->pte, pte.pte); }
/* A valid arm64 entry with PTE_CONT (an x86 present PTE never has bit 52). */
static inline bool pte_valid_cont(pte_t pte)
{
	return unlikely((pte.pte & (PTE_CONT | PTE_VALID)) ==
			(PTE_CONT | PTE_VALID)) && arch_is_arm64();
}

/* Clear the young bit of *@ptep atomically; true if it was young. */
static inline bool ptep_test_and_clear_young(pte_t *ptep)
{
	u64 young = arch_is_arm64() ? PTE_AF : _PAGE_ACCESSED;

	/* A folded block's young bit is all 16 entries'. */
	if (pte_valid_cont(__ptep_get(ptep)))
		return contpte_ptep_test_and_clear_young(ptep);
	return __atomic_fetch_and(&ptep->pte, ~young, __ATOMIC_RELAXED) & young;
}
static inline bool pmdp_test_and_clear_young(pmd_t *pmdp)
{
	u64 young = arch_is_arm64() ? PTE_AF : _PAGE_ACCESSED;

	return __atomic_fetch_and(&pmdp->pmd, ~young, __ATOMIC_RELAXED) & young;
}

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
/*
 * An upper-level entry read by a lockless walker, pairing with
 * install_table()'s release (mm/pgtable.c) so that the table it points at
 * is seen initialised.  Like Linux, foliage relies on the address
 * dependency from the entry to the table (READ_ONCE()), which every CPU it
 * runs on honours; ThreadSanitizer does not model dependency ordering, so
 * a TSan build (FOLIAGE_TSAN) makes the load an acquire.
 */
#ifdef FOLIAGE_TSAN_BUILD
#define pgtable_entry_load(x)	__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#else
#define pgtable_entry_load(x)	READ_ONCE(x)
#endif

static inline pud_t *pud_offset(pgd_t *pgd, unsigned long addr)
{
	return (pud_t *)table_address(pgtable_entry_load(pgd->pgd)) +
	       pud_index(addr);
}
static inline pmd_t *pmd_offset(pud_t *pud, unsigned long addr)
{
	return (pmd_t *)table_address(pgtable_entry_load(pud->pud)) +
	       pmd_index(addr);
}
/* A PMD entry pointing at a PTE table (present, not huge). */
static inline bool pmd_is_table(pmd_t pmd)
{
	return __pmd_is_table(pmd_val(pmd));
}
/*
 * The entry at @ptep; on arm64 a folded block's young and dirty bits are
 * those of any of its 16 entries (the MMU sets them on one).
 */
static inline pte_t ptep_get(pte_t *ptep)
{
	pte_t pte = __ptep_get(ptep);

	if (pte_valid_cont(pte))
		return contpte_ptep_get(ptep, pte);
	return pte;
}
/* One entry, as set_pte_at(): arm64 unfolds before, may fold after. */
static inline void set_pte(pte_t *ptep, pte_t pte)
{
	if (arch_is_arm64())
		contpte_set_pte(ptep, pte);
	else
		__set_pte(ptep, pte);
}
static inline pmd_t pmdp_get(pmd_t *pmdp) { return __pmd(READ_ONCE(pmdp->pmd)); }
static inline void set_pmd(pmd_t *pmdp, pmd_t pmd) { WRITE_ONCE(pmdp->pmd, pmd.pmd); }
static inline bool pte_same(pte_t a, pte_t b) { return a.pte == b.pte; }
static inline bool pmd_same(pmd_t a, pmd_t b) { return a.pmd == b.pmd; }
static inline pte_t ptep_get_and_clear(pte_t *ptep)
{
	if (pte_valid_cont(__ptep_get(ptep)))
		contpte_try_unfold(ptep);
	return __pte(__atomic_exchange_n(&ptep->pte, 0, __ATOMIC_RELAXED));
}
static inline void pte_clear(pte_t *ptep) { set_pte(ptep, __pte(0)); }
/*
 * A fault's update of the access flags (young, dirty, write) of *@ptep to
 * @entry: arm64 updates a folded block in place while the write bit stays
 * (contpte_ptep_set_access_flags()).
 */
static inline void ptep_set_access_flags(struct vm_area_struct *vma,
					 unsigned long addr, pte_t *ptep,
					 pte_t entry, bool dirty)
{
	(void)addr;
	if (pte_valid_cont(__ptep_get(ptep)))
		contpte_ptep_set_access_flags(vma, ptep, entry, dirty);
	else
		set_pte(ptep, entry);
}
/*
 * @nr consecutive PTEs of consecutive pfns of one folio: Linux's
 * set_ptes(); with nr > 1 the entries were not present.  arm64 gives each
 * whole, aligned 64K block of them PTE_CONT.
 */
static inline void set_ptes(pte_t *ptep, pte_t pte, unsigned int nr)
{
	if (arch_is_arm64()) {
		if (nr == 1)
			contpte_set_pte(ptep, pte);
		else
			contpte_set_ptes(ptep, pte, nr);
		return;
	}
	for (;;) {
		set_pte(ptep, pte);
		if (--nr == 0)
			break;
		ptep++;
		pte = __pte(pte_val(pte) + PAGE_SIZE);
	}
}
/*
 * Debug builds: report_bug() unless the caller holds the split lock of the
 * PTE table holding @ptep (pte_lockptr()).
 */
static inline void pte_assert_locked(pte_t *ptep)
{
#ifdef FOLIAGE_DEBUG_VM
	unsigned long pfn = ((unsigned long)((char *)ptep -
			     this_machine->direct_map)) >> PAGE_SHIFT;

	lockdep_assert_held(ptlock_ptr(pfn_to_page(pfn)));
#else
	(void)ptep;
#endif
}

/*
 * The arch's ptep_set_wrprotect(); arm64 keeps hardware dirtiness.
 *
 * x86 Linux makes this a locked compare-and-swap because the MMU may set
 * the dirty bit of the entry at any moment.  foliage's MMU (access_one()
 * in mm/gup.c) sets accessed and dirty under the page-table lock, which
 * every writer of a PTE holds, the caller included: a plain load and store
 * is then the same operation, and costs no lock prefix per PTE.
 */
static inline void ptep_set_wrprotect(pte_t *ptep)
{
	if (arch_is_arm64()) {
		if (pte_valid_cont(__ptep_get(ptep)))
			contpte_try_unfold(ptep);
		arm64_ptep_set_wrprotect(ptep);
	} else {
		pte_assert_locked(ptep);
		__set_pte(ptep, __pte(pte_val(__ptep_get(ptep)) & ~_PAGE_RW));
	}
}
/*
 * Write-protect @nr PTEs of one folio from @ptep (Linux's
 * wrprotect_ptes()); the caller flushes the TLB.
 */
static inline void wrprotect_ptes(struct mm_struct *mm, unsigned long addr,
				  pte_t *ptep, unsigned int nr)
{
	(void)mm;
	(void)addr;
	/* arm64: whole blocks stay folded, partial ones unfold. */
	if (arch_is_arm64() && nr > 1) {
		contpte_wrprotect_ptes(ptep, nr);
		return;
	}
	for (;;) {
		ptep_set_wrprotect(ptep);
		if (--nr == 0)
			break;
		ptep++;
	}
}
/*
 * Clear @nr present PTEs of one folio (clear_full_ptes()); @full: the
 * whole address space goes (exit), so nothing needs to stay coherent.
 */
static inline void clear_full_ptes(struct mm_struct *mm, unsigned long addr,
				   pte_t *ptep, unsigned int nr, bool full)
{
	(void)mm;
	(void)addr;
	if (arch_is_arm64()) {
		contpte_get_and_clear_full_ptes(ptep, nr, full, false);
		return;
	}
	for (;;) {
		pte_clear(ptep);
		if (--nr == 0)
			break;
		ptep++;
	}
}
/*
 * clear_full_ptes() returning the first entry with the young and dirty
 * bits of all @nr ORed in (get_and_clear_full_ptes()).
 */
static inline pte_t get_and_clear_full_ptes(struct mm_struct *mm,
					    unsigned long addr, pte_t *ptep,
					    unsigned int nr, bool full)
{
	pte_t pte, tmp;

	(void)mm;
	(void)addr;
	if (arch_is_arm64())
		return contpte_get_and_clear_full_ptes(ptep, nr, full, true);
	pte = ptep_get_and_clear(ptep);
	while (--nr) {
		tmp = ptep_get_and_clear(++ptep);
		if (pte_dirty(tmp))
			pte = pte_mkdirty(pte);
		if (pte_young(tmp))
			pte = pte_mkyoung(pte);
	}
	return pte;
}
static inline struct page *pmd_page(pmd_t pmd) { return pfn_to_page(pmd_pfn(pmd)); }
static inline struct page *pte_page(pte_t pte) { return pfn_to_page(pte_pfn(pte)); }
/* The PTE table page a (non-huge) PMD entry points at. */
static inline struct page *pmd_pgtable(pmd_t pmd)
{
	return pfn_to_page(table_entry_pfn(pmd_val(pmd)));
}
static inline bool is_swap_pmd(pmd_t pmd) { return !pmd_none(pmd) && !pmd_present(pmd); }
/*
 * Migration entry @e made read-only (read-exclusive if @exclusive), with
 * its young and dirty bits: what fork and mprotect leave of a writable one.
 */
static inline swp_entry_t make_readable_migration_entry_of(swp_entry_t e,
							   bool exclusive)
{
	swp_entry_t rd = make_migration_entry(swp_offset_pfn(e), false,
					      exclusive);

	if (is_migration_entry_young(e))
		rd = make_migration_entry_young(rd);
	if (is_migration_entry_dirty(e))
		rd = make_migration_entry_dirty(rd);
	return rd;
}
/*
 * PMD migration entries (a PMD-mapped THP under migration): the PTE
 * swap format in a PMD, with the same kept bits.
 */
static inline swp_entry_t pmd_to_swp_entry(pmd_t p)
{
	return pte_to_swp_entry(__pte(p.pmd));
}
static inline pmd_t swp_entry_to_pmd(swp_entry_t e)
{
	return __pmd(pte_val(swp_entry_to_pte(e)));
}
static inline bool is_pmd_migration_entry(pmd_t p)
{
	return is_swap_pmd(p) && is_migration_entry(pmd_to_swp_entry(p));
}
static inline bool pmd_swp_soft_dirty(pmd_t p) { return p.pmd & SWP_BIT(SOFT_DIRTY); }
/* The soft-dirty and uffd-wp bits of a swap PMD, to carry to a new one. */
static inline u64 pmd_swp_flags(pmd_t p)
{
	return p.pmd & (SWP_BIT(SOFT_DIRTY) | SWP_BIT(UFFD_WP));
}
static inline pmd_t pmd_swp_mkuffd_wp(pmd_t p) { return __pmd(p.pmd | SWP_BIT(UFFD_WP)); }
static inline bool pmd_swp_uffd_wp(pmd_t p) { return p.pmd & SWP_BIT(UFFD_WP); }
static inline pmd_t pmd_swp_clear_uffd_wp(pmd_t p) { return __pmd(p.pmd & ~SWP_BIT(UFFD_WP)); }
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
