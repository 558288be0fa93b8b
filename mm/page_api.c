// SPDX-License-Identifier: GPL-2.0
/*
 * The public page-level API: allocate, free, inspect and drain pages by
 * pfn, each call checking its arguments for any value a user may pass.
 * (Entering a machine, its CPUs and validation at quiet points are
 * kernel/cpu.c and kernel/stop_machine.c; the bug log is lib/bug.c.)
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

BUILD_BUG_ON(FOLIAGE_GFP_KERNEL != GFP_KERNEL);
BUILD_BUG_ON(FOLIAGE_GFP_USER != GFP_USER);
BUILD_BUG_ON(FOLIAGE_GFP_HIGHUSER_MOVABLE != GFP_HIGHUSER_MOVABLE);
BUILD_BUG_ON(FOLIAGE_GFP_TRANSHUGE != GFP_TRANSHUGE);
BUILD_BUG_ON(FOLIAGE_GFP_ZERO != __GFP_ZERO);
BUILD_BUG_ON(FOLIAGE_GFP_COMP != __GFP_COMP);
BUILD_BUG_ON(FOLIAGE_GFP_NOWARN != __GFP_NOWARN);
BUILD_BUG_ON(FOLIAGE_GFP_THISNODE != __GFP_THISNODE);
BUILD_BUG_ON(FOLIAGE_GFP_MOVABLE != __GFP_MOVABLE);
BUILD_BUG_ON(FOLIAGE_MAX_ORDER != MAX_PAGE_ORDER);
BUILD_BUG_ON(FOLIAGE_MAX_CPUS != NR_CPUS);
BUILD_BUG_ON(FOLIAGE_MAX_NODES != MAX_NUMNODES);

int foliage_alloc_pages(struct foliage_machine *m, unsigned int gfp,
			unsigned int order, int nid, unsigned long *pfn)
{
	struct page *page;
	int ret = machine_enter(m);

	if (ret)
		return ret;
	/* -1 is "this CPU's node"; any other value must name a node. */
	if (order > MAX_PAGE_ORDER || (gfp & ~__GFP_BITS_MASK) || !pfn ||
	    nid < -1 || nid >= m->nr_nodes) {
		machine_leave(m);
		return -EINVAL;
	}
	page = __alloc_pages(gfp, order, nid);
	machine_exit_op(m);
	if (!page)
		return -ENOMEM;
	*pfn = page_to_pfn(page);
	return 0;
}

int foliage_free_pages(struct foliage_machine *m, unsigned long pfn,
		       unsigned int order, unsigned int flags)
{
	struct page *page;
	int ret = machine_enter(m);

	if (ret)
		return ret;
	if (order > MAX_PAGE_ORDER || !pfn_valid(pfn) ||
	    (flags & ~FOLIAGE_FREE_ZEROED))
		goto einval;
	page = pfn_to_page(pfn);
	if (PageBuddy(page) || PageTail(page) || page_ref_count(page) <= 0)
		goto einval;
	if (PageHead(page) && compound_order(page) != order)
		goto einval;
	if (flags & FOLIAGE_FREE_ZEROED)
		free_pages_zeroed(page, order);
	else
		__free_pages(page, order);
	machine_exit_op(m);
	return 0;
einval:
	machine_leave(m);
	return -EINVAL;
}

void *foliage_pfn_to_virt(struct foliage_machine *m, unsigned long pfn)
{
	void *p = NULL;

	if (machine_enter(m))
		return NULL;
	if (pfn_valid(pfn))
		p = pfn_to_virt(pfn);
	machine_leave(m);
	return p;
}

int foliage_drain_pages(struct foliage_machine *m)
{
	int ret = machine_enter(m);

	if (ret)
		return ret;
	drain_all_pages(NULL);
	machine_exit_op(m);
	return 0;
}

int foliage_page_info(struct foliage_machine *m, unsigned long pfn,
		      struct foliage_page_info *info)
{
	struct page *page;
	struct zone *zone;
	int ret = machine_enter(m);

	if (ret)
		return ret;
	if (!info || !pfn_valid(pfn)) {
		machine_leave(m);
		return -EINVAL;
	}
	memset(info, 0, sizeof(*info));
	zone = pfn_zone(pfn);
	info->nid = pfn_to_nid(pfn);
	info->zone = zone_idx(zone);
	info->migratetype = get_pfnblock_migratetype(pfn);
	spin_lock(&zone->lock);
	if (block_is_unlisted(zone, pfn)) {
		/* A free max-order block on no list yet: its head is free. */
		info->buddy = IS_ALIGNED(pfn, MAX_ORDER_NR_PAGES);
		info->buddy_order = info->buddy ? MAX_PAGE_ORDER : 0;
		spin_unlock(&zone->lock);
		return 0;
	}
	if (block_is_deferred(zone, pfn) &&
	    !IS_ALIGNED(pfn, MAX_ORDER_NR_PAGES)) {
		/* A tail of a never-split free block. */
		spin_unlock(&zone->lock);
		machine_leave(m);
		return 0;
	}
	page = pfn_to_page(pfn);
	info->refcount = page_ref_count(page);
	info->buddy = PageBuddy(page);
	info->buddy_order = info->buddy ? buddy_order(page) : 0;
	info->zeroed = PageZeroed(page);
	info->reported = PageReported(page);
	info->compound = PageCompound(page);
	info->folio_order = info->compound ? compound_order(compound_head(page))
					   : 0;
	spin_unlock(&zone->lock);
	machine_leave(m);
	return 0;
}
