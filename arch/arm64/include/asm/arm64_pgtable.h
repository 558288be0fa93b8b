/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 page-table entry accessors on raw entry values, with the semantics
 * of Linux 6.18's arch/arm64/include/asm/pgtable.h (see asm/pgtable-prot.h
 * for the layout).  include/linux/pgtable.h calls these on arm64 machines;
 * nothing else should.  PMDs (block entries) share the PTE layout; only the
 * type bits and the pfn's alignment differ.  The address (bits 12..47) is
 * read by include/linux/pgtable.h's __entry_pfn(), common to both arches.
 */
#ifndef _FOLIAGE_ASM_ARM64_PGTABLE_H
#define _FOLIAGE_ASM_ARM64_PGTABLE_H

#include <asm/pgtable-prot.h>

static inline bool arm64_pte_valid(u64 v) { return v & PTE_VALID; }
static inline bool arm64_pte_present_invalid(u64 v)
{
	return (v & (PTE_VALID | PTE_PRESENT_INVALID)) == PTE_PRESENT_INVALID;
}
static inline bool arm64_pte_present(u64 v)
{
	return arm64_pte_valid(v) || arm64_pte_present_invalid(v);
}
/* PROT_NONE: present-invalid, no user access, user execute-never. */
static inline bool arm64_pte_protnone(u64 v)
{
	return arm64_pte_present_invalid(v) && !(v & PTE_USER) &&
	       (v & PTE_UXN);
}
static inline bool arm64_pte_write(u64 v) { return v & PTE_WRITE; }
static inline bool arm64_pte_hw_dirty(u64 v)
{
	return (v & (PTE_WRITE | PTE_RDONLY)) == PTE_WRITE;
}
static inline bool arm64_pte_sw_dirty(u64 v) { return v & PTE_DIRTY; }
static inline bool arm64_pte_dirty(u64 v)
{
	return arm64_pte_sw_dirty(v) || arm64_pte_hw_dirty(v);
}
static inline bool arm64_pte_young(u64 v) { return v & PTE_AF; }
static inline bool arm64_pte_special(u64 v) { return v & PTE_SPECIAL; }
static inline bool arm64_pte_soft_dirty(u64 v) { return v & PTE_SOFT_DIRTY; }
static inline bool arm64_pte_uffd_wp(u64 v) { return v & PTE_UFFD_WP; }
static inline bool arm64_pte_cont(u64 v) { return v & PTE_CONT; }
/* Writable; hardware-dirty only if it was already software-dirty. */
static inline u64 arm64_pte_mkwrite(u64 v)
{
	v |= PTE_WRITE;
	if (v & PTE_DIRTY)
		v &= ~PTE_RDONLY;
	return v;
}
/* Read-only, moving hardware dirtiness into PTE_DIRTY first. */
static inline u64 arm64_pte_wrprotect(u64 v)
{
	if (arm64_pte_hw_dirty(v))
		v |= PTE_DIRTY;
	return (v & ~PTE_WRITE) | PTE_RDONLY;
}
/* Linux's pte_mkdirty(): software dirty, and hardware dirty if writable. */
static inline u64 __arm64_pte_mkdirty(u64 v)
{
	v |= PTE_DIRTY;
	if (v & PTE_WRITE)
		v &= ~PTE_RDONLY;
	return v;
}
/* foliage's soft-dirty follows x86: making a PTE dirty makes it soft-dirty. */
static inline u64 arm64_pte_mkdirty(u64 v)
{
	return __arm64_pte_mkdirty(v) | PTE_SOFT_DIRTY;
}
static inline u64 arm64_pte_mkclean(u64 v)
{
	return (v & ~PTE_DIRTY) | PTE_RDONLY;
}
static inline u64 arm64_pte_mkyoung(u64 v) { return v | PTE_AF; }
static inline u64 arm64_pte_mkold(u64 v) { return v & ~PTE_AF; }
static inline u64 arm64_pte_mkspecial(u64 v) { return v | PTE_SPECIAL; }
static inline u64 arm64_pte_mksoft_dirty(u64 v) { return v | PTE_SOFT_DIRTY; }
static inline u64 arm64_pte_clear_soft_dirty(u64 v) { return v & ~PTE_SOFT_DIRTY; }
/* As Linux: marking uffd-wp also write-protects. */
static inline u64 arm64_pte_mkuffd_wp(u64 v)
{
	return arm64_pte_wrprotect(v | PTE_UFFD_WP);
}
static inline u64 arm64_pte_clear_uffd_wp(u64 v) { return v & ~PTE_UFFD_WP; }
static inline u64 arm64_pte_mkcont(u64 v) { return v | PTE_CONT; }
static inline u64 arm64_pte_mknoncont(u64 v) { return v & ~PTE_CONT; }

/*
 * New protection bits from @prot, keeping pfn, AF, software bits and the
 * contiguous bit; dirtiness survives (hardware dirty is saved in PTE_DIRTY
 * and, if the new protection is writable, made hardware dirty again).
 */
static inline u64 arm64_pte_modify(u64 v, u64 prot)
{
	const u64 mask = PTE_USER | PTE_PXN | PTE_UXN | PTE_RDONLY |
			 PTE_PRESENT_INVALID | PTE_VALID | PTE_WRITE |
			 PTE_GP | PTE_ATTRINDX_MASK;

	if (arm64_pte_hw_dirty(v))
		v |= PTE_DIRTY;
	v = (v & ~mask) | (prot & mask);
	if (v & PTE_DIRTY)
		v = __arm64_pte_mkdirty(v);
	return v;
}

/* ---- PMDs: block entries (type 0b01) or table descriptors (0b11) ---- */
static inline bool arm64_pmd_table(u64 v)
{
	return (v & PMD_TYPE_MASK) == PMD_TYPE_TABLE;
}
static inline bool arm64_pmd_trans_huge(u64 v)
{
	/* A present-invalid block has bit 0 clear: test it as if valid. */
	return v && arm64_pte_present(v) && !arm64_pmd_table(v | PTE_VALID);
}
static inline bool arm64_pmd_leaf(u64 v)
{
	return arm64_pte_present(v) && !arm64_pmd_table(v);
}
/* A block entry; a present-invalid one stays invalid. */
static inline u64 arm64_pmd_mkhuge(u64 v)
{
	return v & ~PMD_TABLE_BIT;
}
static inline u64 arm64_pmd_mkinvalid(u64 v)
{
	return (v | PTE_PRESENT_INVALID) & ~PTE_VALID;
}

/* ---- swap-format entries ---- */
static inline unsigned int arm64_swp_type(u64 v)
{
	return (v >> __SWP_TYPE_SHIFT) & ((1U << __SWP_TYPE_BITS) - 1);
}
static inline unsigned long arm64_swp_offset(u64 v)
{
	return (v >> __SWP_OFFSET_SHIFT) & ((1ULL << __SWP_OFFSET_BITS) - 1);
}
static inline u64 arm64_swp_entry(unsigned int type, unsigned long offset)
{
	return ((u64)type << __SWP_TYPE_SHIFT) |
	       ((u64)offset << __SWP_OFFSET_SHIFT);
}

/*
 * What the MMU does for a user access (FEAT_HAFDBS: hardware access flag
 * and dirty state): permitted on a valid user entry, for a write only if
 * PTE_WRITE (DBM); it sets AF and, for a write, clears PTE_RDONLY.
 */
static inline bool arm64_pte_hw_access(u64 v, bool write, u64 *newv)
{
	if ((v & (PTE_VALID | PTE_USER)) != (PTE_VALID | PTE_USER))
		return false;
	if (write && !(v & PTE_WRITE))
		return false;
	*newv = v | PTE_AF;
	if (write)
		*newv &= ~PTE_RDONLY;
	return true;
}

#endif /* _FOLIAGE_ASM_ARM64_PGTABLE_H */
