/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 page-table entry accessors on raw entry values (the layout is in
 * asm/pgtable_types.h).  include/linux/pgtable.h calls these on x86
 * machines, its fast path; nothing else should.
 */
#ifndef _FOLIAGE_ASM_X86_PGTABLE_64_H
#define _FOLIAGE_ASM_X86_PGTABLE_64_H

#include <asm/pgtable_types.h>

static inline bool x86_pte_present(u64 v) { return v & (_PAGE_PRESENT | _PAGE_PROTNONE); }
static inline bool x86_pte_protnone(u64 v)
{
	return (v & (_PAGE_PRESENT | _PAGE_PROTNONE)) == _PAGE_PROTNONE;
}
static inline bool x86_pte_write(u64 v) { return v & _PAGE_RW; }
static inline bool x86_pte_dirty(u64 v) { return v & _PAGE_DIRTY; }
static inline bool x86_pte_young(u64 v) { return v & _PAGE_ACCESSED; }
static inline bool x86_pte_special(u64 v) { return v & _PAGE_SPECIAL; }
static inline bool x86_pte_soft_dirty(u64 v) { return v & _PAGE_SOFT_DIRTY; }
static inline bool x86_pte_uffd_wp(u64 v) { return v & _PAGE_UFFD_WP; }
static inline unsigned long x86_pte_pfn(u64 v) { return (v & PTE_PFN_MASK) >> 12; }
static inline u64 x86_pte_mkwrite(u64 v) { return v | _PAGE_RW; }
static inline u64 x86_pte_wrprotect(u64 v) { return v & ~_PAGE_RW; }
static inline u64 x86_pte_mkdirty(u64 v) { return v | _PAGE_DIRTY | _PAGE_SOFT_DIRTY; }
static inline u64 x86_pte_mkclean(u64 v) { return v & ~_PAGE_DIRTY; }
static inline u64 x86_pte_mkyoung(u64 v) { return v | _PAGE_ACCESSED; }
static inline u64 x86_pte_mkold(u64 v) { return v & ~_PAGE_ACCESSED; }
static inline u64 x86_pte_mkspecial(u64 v) { return v | _PAGE_SPECIAL; }
static inline u64 x86_pte_mksoft_dirty(u64 v) { return v | _PAGE_SOFT_DIRTY; }
static inline u64 x86_pte_clear_soft_dirty(u64 v) { return v & ~_PAGE_SOFT_DIRTY; }
static inline u64 x86_pte_mkuffd_wp(u64 v) { return v | _PAGE_UFFD_WP; }
static inline u64 x86_pte_clear_uffd_wp(u64 v) { return v & ~_PAGE_UFFD_WP; }
/* Change protection bits, keeping pfn and the accessed/dirty/soft bits. */
static inline u64 x86_pte_modify(u64 v, u64 prot)
{
	const u64 keep = PTE_PFN_MASK | _PAGE_ACCESSED | _PAGE_DIRTY |
			 _PAGE_SPECIAL | _PAGE_SOFT_DIRTY | _PAGE_UFFD_WP;

	return (v & keep) | (prot & ~keep);
}

/* ---- PMDs ---- */
static inline bool x86_pmd_present(u64 v)
{
	return v & (_PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE);
}
static inline bool x86_pmd_trans_huge(u64 v)
{
	return (v & _PAGE_PSE) && (v & (_PAGE_PRESENT | _PAGE_PROTNONE));
}
static inline bool x86_pmd_leaf(u64 v) { return x86_pmd_present(v) && (v & _PAGE_PSE); }
static inline bool x86_pmd_table(u64 v)
{
	return (v & (_PAGE_PRESENT | _PAGE_PSE)) == _PAGE_PRESENT;
}
static inline u64 x86_pmd_mkhuge(u64 v) { return v | _PAGE_PSE; }
static inline u64 x86_pmd_mkinvalid(u64 v)
{
	return v & ~(_PAGE_PRESENT | _PAGE_PROTNONE);
}
static inline u64 x86_pmd_modify(u64 v, u64 prot)
{
	const u64 keep = PTE_PFN_MASK | _PAGE_ACCESSED | _PAGE_DIRTY |
			 _PAGE_PSE | _PAGE_SOFT_DIRTY | _PAGE_UFFD_WP;

	return (v & keep) | (prot & ~keep);
}

/* ---- swap-format entries ---- */
static inline unsigned int x86_swp_type(u64 v)
{
	return (v >> _PAGE_SWP_TYPE_SHIFT) & ((1U << _PAGE_SWP_TYPE_BITS) - 1);
}
static inline unsigned long x86_swp_offset(u64 v)
{
	return (v >> _PAGE_SWP_OFFSET_SHIFT) &
	       ((1ULL << _PAGE_SWP_OFFSET_BITS) - 1);
}
static inline u64 x86_swp_entry(unsigned int type, unsigned long offset)
{
	return ((u64)type << _PAGE_SWP_TYPE_SHIFT) |
	       ((u64)offset << _PAGE_SWP_OFFSET_SHIFT);
}

/* What the MMU does for a user access: check, then set A (and D). */
static inline bool x86_pte_hw_access(u64 v, bool write, u64 *newv)
{
	const u64 need = _PAGE_PRESENT | _PAGE_USER | (write ? _PAGE_RW : 0);

	if ((v & need) != need)
		return false;
	*newv = v | _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);
	return true;
}

/* x86's pte_flags_need_flush(), the accessed bit ignored. */
static inline bool x86_flags_need_flush(u64 oldflags, u64 newflags)
{
	const u64 flush_on_clear = _PAGE_DIRTY | _PAGE_PRESENT;
	const u64 software = _PAGE_SPECIAL | _PAGE_UFFD_WP | _PAGE_SOFT_DIRTY;
	const u64 flush_on_change = _PAGE_RW | _PAGE_USER | _PAGE_PSE |
				    _PAGE_GLOBAL | _PAGE_NX | (3ULL << 3);
	u64 diff = (oldflags ^ newflags) & ~software & ~_PAGE_ACCESSED;

	if (diff & oldflags & flush_on_clear)
		return true;
	return diff & flush_on_change;
}

/* x86's pte_needs_flush(): does changing @oldv to @newv need a flush? */
static inline bool x86_pte_needs_flush(u64 oldv, u64 newv)
{
	if (!(oldv & _PAGE_PRESENT))
		return false;
	if (x86_pte_pfn(oldv) != x86_pte_pfn(newv))
		return true;
	return x86_flags_need_flush(oldv & PTE_FLAGS_MASK, newv & PTE_FLAGS_MASK);
}

#endif /* _FOLIAGE_ASM_X86_PGTABLE_64_H */
