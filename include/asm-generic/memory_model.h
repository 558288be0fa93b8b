/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory model: pfn <-> struct page <-> direct-map address, as
 * asm-generic/memory_model.h and the x86 __va() give them.  mem_map is
 * one flat array indexed by pfn and guest RAM one direct map, both in the
 * running machine (this_machine), so each conversion is an add.
 */
#ifndef _FOLIAGE_ASM_GENERIC_MEMORY_MODEL_H
#define _FOLIAGE_ASM_GENERIC_MEMORY_MODEL_H

#include <linux/machine.h>

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return this_machine->mem_map + pfn;
}

static inline unsigned long page_to_pfn(const struct page *page)
{
	return page - this_machine->mem_map;
}

static inline void *pfn_to_virt(unsigned long pfn)
{
	return this_machine->direct_map + (pfn << PAGE_SHIFT);
}

#endif /* _FOLIAGE_ASM_GENERIC_MEMORY_MODEL_H */
