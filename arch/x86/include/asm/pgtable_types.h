/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 page-table entry layout, 4 levels (PGD, PUD, PMD, PTE; P4D folded),
 * 512 entries a table, 48-bit virtual addresses.  The bits are x86's:
 *
 *   bit  0 present   1 write   2 user   5 accessed (young)   6 dirty
 *   bit  7 PSE (huge, at PMD/PUD level)   8 global
 *   bit  9 special (SOFTW1)   10 uffd-wp (SOFTW2)   11 soft-dirty (SOFTW3)
 *   bit 63 NX            pfn in bits 12..51
 *
 * A non-present entry with _PAGE_PROTNONE (the global bit) is a PROT_NONE
 * (or NUMA-hinting) mapping of a real page.  Any other non-present, non-zero
 * entry is a swap-format entry: foliage's encoding is its own (Linux's is
 * inverted to defeat L1TF, which foliage need not model):
 *
 *   bits 1..5 type   bit 7 swp soft-dirty   bit 10 swp uffd-wp
 *   bit 11 swp exclusive   bits 12..57 offset
 */
#ifndef _FOLIAGE_ASM_PGTABLE_TYPES_H
#define _FOLIAGE_ASM_PGTABLE_TYPES_H

#include <linux/compiler.h>

#define _PAGE_BIT_PRESENT	0
#define _PAGE_BIT_RW		1
#define _PAGE_BIT_USER		2
#define _PAGE_BIT_PWT		3
#define _PAGE_BIT_PCD		4
#define _PAGE_BIT_ACCESSED	5
#define _PAGE_BIT_DIRTY		6
#define _PAGE_BIT_PSE		7
#define _PAGE_BIT_GLOBAL	8
#define _PAGE_BIT_SPECIAL	9
#define _PAGE_BIT_UFFD_WP	10
#define _PAGE_BIT_SOFT_DIRTY	11
#define _PAGE_BIT_NX		63

#define _PAGE_PRESENT	(1ULL << _PAGE_BIT_PRESENT)
#define _PAGE_RW	(1ULL << _PAGE_BIT_RW)
#define _PAGE_USER	(1ULL << _PAGE_BIT_USER)
#define _PAGE_ACCESSED	(1ULL << _PAGE_BIT_ACCESSED)
#define _PAGE_DIRTY	(1ULL << _PAGE_BIT_DIRTY)
#define _PAGE_PSE	(1ULL << _PAGE_BIT_PSE)
#define _PAGE_GLOBAL	(1ULL << _PAGE_BIT_GLOBAL)
#define _PAGE_SPECIAL	(1ULL << _PAGE_BIT_SPECIAL)
#define _PAGE_UFFD_WP	(1ULL << _PAGE_BIT_UFFD_WP)
#define _PAGE_SOFT_DIRTY (1ULL << _PAGE_BIT_SOFT_DIRTY)
#define _PAGE_NX	(1ULL << _PAGE_BIT_NX)
#define _PAGE_PROTNONE	_PAGE_GLOBAL

#define PTE_PFN_MASK	(((1ULL << 52) - 1) & ~((1ULL << 12) - 1))
#define PTE_FLAGS_MASK	(~PTE_PFN_MASK)

/* Swap-format entries (non-present, not protnone, not none). */
#define _PAGE_SWP_TYPE_SHIFT	1
#define _PAGE_SWP_TYPE_BITS	5
/*
 * Not bit 7: that is _PAGE_PSE, which makes a PMD present, and a PMD
 * migration entry is swap-format too (Linux borrows another bit for the
 * same reason).
 */
#define _PAGE_SWP_SOFT_DIRTY	(1ULL << 9)
#define _PAGE_SWP_UFFD_WP	(1ULL << 10)
#define _PAGE_SWP_EXCLUSIVE	(1ULL << 11)
#define _PAGE_SWP_OFFSET_SHIFT	12
#define _PAGE_SWP_OFFSET_BITS	46

/* Protections as x86 builds them from VM_READ/WRITE/EXEC/SHARED. */
#define PAGE_NONE	(_PAGE_PROTNONE | _PAGE_ACCESSED)
#define PAGE_SHARED	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_SHARED_EXEC (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_COPY	(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_COPY_EXEC	(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_READONLY	(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_READONLY_EXEC (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)

#endif /* _FOLIAGE_ASM_PGTABLE_TYPES_H */
