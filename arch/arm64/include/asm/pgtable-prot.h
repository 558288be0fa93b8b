/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 software PTE bits and user protections, as Linux 6.18's
 * arch/arm64/include/asm/pgtable-prot.h defines them.
 *
 * Bits 55..58 are ignored by the hardware and are Linux's:
 *   55 PTE_DIRTY (software dirty)   56 PTE_SPECIAL
 *   57 PTE_SOFT_DIRTY (foliage's, see docs/fidelity.md)   58 PTE_UFFD_WP
 * PTE_WRITE is the DBM bit (51): with hardware dirty-bit management a
 * write to a PTE_WRITE|PTE_RDONLY entry clears PTE_RDONLY.  So a PTE is
 *   writable  when PTE_WRITE is set,
 *   dirty     when PTE_DIRTY is set or (PTE_WRITE set and PTE_RDONLY clear).
 * An invalid entry with PTE_PRESENT_INVALID (nG) is still present to
 * software: PROT_NONE when also !PTE_USER and PTE_UXN, or an invalidated
 * huge PMD (pmd_mkinvalid()).
 *
 * Swap-format entries (invalid, not present-invalid):
 *   bits 0-1 zero   bit 2 exclusive   bit 3 uffd-wp   bit 4 soft-dirty
 *   bits 6-10 type   bit 11 zero (PTE_PRESENT_INVALID)   bits 12-61 offset
 */
#ifndef _FOLIAGE_ASM_ARM64_PGTABLE_PROT_H
#define _FOLIAGE_ASM_ARM64_PGTABLE_PROT_H

#include <asm/pgtable-hwdef.h>

#define PTE_WRITE		PTE_DBM
#define PTE_DIRTY		(1ULL << 55)
#define PTE_SPECIAL		(1ULL << 56)
#define PTE_SOFT_DIRTY		(1ULL << 57)	/* foliage: not in Linux arm64 */
#define PTE_UFFD_WP		(1ULL << 58)
#define PTE_PRESENT_INVALID	PTE_NG		/* only when !PTE_VALID */

#define PTE_SWP_EXCLUSIVE	(1ULL << 2)
#define PTE_SWP_UFFD_WP		(1ULL << 3)
#define PTE_SWP_SOFT_DIRTY	(1ULL << 4)	/* foliage: see above */
#define __SWP_TYPE_SHIFT	6
#define __SWP_TYPE_BITS		5
#define __SWP_OFFSET_SHIFT	12
#define __SWP_OFFSET_BITS	50

#define _PROT_DEFAULT		(PTE_TYPE_PAGE | PTE_AF | PTE_SHARED)
#define _PAGE_DEFAULT		(_PROT_DEFAULT | PTE_ATTRINDX(MT_NORMAL))

/* User protections (Linux's PAGE_NONE, PAGE_SHARED...); arm64 has no COPY. */
#define ARM64_PAGE_NONE		((_PAGE_DEFAULT & ~PTE_VALID) | \
				 PTE_PRESENT_INVALID | PTE_RDONLY | \
				 PTE_PXN | PTE_UXN)
#define ARM64_PAGE_SHARED	(_PAGE_DEFAULT | PTE_USER | PTE_RDONLY | \
				 PTE_NG | PTE_PXN | PTE_UXN | PTE_WRITE)
#define ARM64_PAGE_SHARED_EXEC	(_PAGE_DEFAULT | PTE_USER | PTE_RDONLY | \
				 PTE_NG | PTE_PXN | PTE_WRITE)
#define ARM64_PAGE_READONLY	(_PAGE_DEFAULT | PTE_USER | PTE_RDONLY | \
				 PTE_NG | PTE_PXN | PTE_UXN)
#define ARM64_PAGE_READONLY_EXEC (_PAGE_DEFAULT | PTE_USER | PTE_RDONLY | \
				 PTE_NG | PTE_PXN)

#endif /* _FOLIAGE_ASM_ARM64_PGTABLE_PROT_H */
