/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 translation-table descriptors as the hardware defines them (VMSAv8-64,
 * 4K granule, 48-bit VA, 4 levels: L0 (pgd) .. L3 (pte), 512 entries each),
 * with Linux's names (arch/arm64/include/asm/pgtable-hwdef.h).
 *
 *   bits 1:0  type: 0b11 page (L3) or table (L0-L2), 0b01 block (L1/L2),
 *             bit 0 clear: invalid (a fault; software may use the rest)
 *   bits 4:2  AttrIndx (MAIR index; MT_NORMAL is 0)
 *   bit  6    AP[1] PTE_USER     bit 7  AP[2] PTE_RDONLY
 *   bits 9:8  SH (inner shareable: 0b11)
 *   bit 10    AF (access flag, "young")    bit 11  nG (not global)
 *   bits 47:12 output address (48-bit PA)
 *   bit 50    GP (BTI)   bit 51 DBM   bit 52 contiguous
 *   bit 53    PXN        bit 54 UXN
 *   bits 58:55 ignored by hardware: software bits (asm/pgtable-prot.h)
 * Table descriptors: bit 10 AF (FEAT_HAFT), bit 59 PXNTable.
 */
#ifndef _FOLIAGE_ASM_ARM64_PGTABLE_HWDEF_H
#define _FOLIAGE_ASM_ARM64_PGTABLE_HWDEF_H

#include <linux/compiler.h>

#define PTE_VALID		(1ULL << 0)
#define PTE_TYPE_MASK		(3ULL << 0)
#define PTE_TYPE_PAGE		(3ULL << 0)
#define PTE_TABLE_BIT		(1ULL << 1)
#define PTE_USER		(1ULL << 6)	/* AP[1] */
#define PTE_RDONLY		(1ULL << 7)	/* AP[2] */
#define PTE_SHARED		(3ULL << 8)	/* SH[1:0], inner shareable */
#define PTE_AF			(1ULL << 10)	/* Access Flag */
#define PTE_NG			(1ULL << 11)	/* nG */
#define PTE_GP			(1ULL << 50)	/* BTI guarded */
#define PTE_DBM			(1ULL << 51)	/* Dirty Bit Management */
#define PTE_CONT		(1ULL << 52)	/* Contiguous range */
#define PTE_PXN			(1ULL << 53)	/* Privileged XN */
#define PTE_UXN			(1ULL << 54)	/* User XN */
#define PTE_ATTRINDX(t)		((u64)(t) << 2)
#define PTE_ATTRINDX_MASK	(7ULL << 2)
#define MT_NORMAL		0

/* The output address of a 48-bit PA (no LPA/LPA2). */
#define PTE_ADDR_LOW		(((1ULL << (48 - 12)) - 1) << 12)

#define PMD_TYPE_MASK		(3ULL << 0)
#define PMD_TYPE_TABLE		(3ULL << 0)
#define PMD_TYPE_SECT		(1ULL << 0)
#define PMD_TABLE_BIT		(1ULL << 1)
#define PMD_TABLE_AF		(1ULL << 10)	/* table AF, FEAT_HAFT */
#define PMD_TABLE_PXN		(1ULL << 59)	/* PXNTable */

/* Contiguous PTEs: 16 entries of 4K, one 64K TLB entry. */
#define CONT_PTE_SHIFT		4
#define CONT_PTES		(1 << CONT_PTE_SHIFT)
#define CONT_PTE_SIZE		(CONT_PTES * 4096UL)
#define CONT_PTE_MASK		(~(CONT_PTE_SIZE - 1))

#endif /* _FOLIAGE_ASM_ARM64_PGTABLE_HWDEF_H */
