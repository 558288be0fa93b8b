/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page allocator's interface (mm/page_alloc.c).
 */
#ifndef _FOLIAGE_LINUX_GFP_H
#define _FOLIAGE_LINUX_GFP_H

#include <linux/gfp_types.h>
#include <linux/mm.h>

static inline int gfp_migratetype(gfp_t gfp)
{
	return (gfp & GFP_MOVABLE_MASK) >> GFP_MOVABLE_SHIFT;
}

/* ZONE_MOVABLE only for __GFP_MOVABLE together with __GFP_HIGHMEM. */
static inline enum zone_type gfp_zone(gfp_t gfp)
{
	if ((gfp & (__GFP_MOVABLE | __GFP_HIGHMEM)) ==
	    (__GFP_MOVABLE | __GFP_HIGHMEM))
		return ZONE_MOVABLE;
	return ZONE_NORMAL;
}

static inline bool gfpflags_allow_blocking(gfp_t gfp)
{
	return gfp & __GFP_DIRECT_RECLAIM;
}

struct page *__alloc_pages(gfp_t gfp, unsigned int order, int preferred_nid);
struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order);
struct page *alloc_pages(gfp_t gfp, unsigned int order);
struct folio *folio_alloc(gfp_t gfp, unsigned int order);
struct folio *__folio_alloc(gfp_t gfp, unsigned int order, int nid);
/* Allocation for a user mapping: zeroing is done around @user_addr. */
struct folio *folio_alloc_user(gfp_t gfp, unsigned int order, int nid,
			       unsigned long user_addr);
struct page *alloc_frozen_pages(gfp_t gfp, unsigned int order, int nid);
unsigned long alloc_pages_bulk(gfp_t gfp, int nid, unsigned long nr_pages,
			       struct page **page_array);

void __free_pages(struct page *page, unsigned int order);
void free_pages_zeroed(struct page *page, unsigned int order);
void free_frozen_pages(struct page *page, unsigned int order);
void free_frozen_pages_zeroed(struct page *page, unsigned int order);
void folio_put(struct folio *folio);
void folio_put_refs(struct folio *folio, int refs);
void folio_put_zeroed(struct folio *folio);
void put_page(struct page *page);
void put_page_zeroed(struct page *page);

struct page *alloc_contig_pages(unsigned long nr_pages, gfp_t gfp, int nid);
int alloc_contig_range(unsigned long start, unsigned long end, gfp_t gfp);
void free_contig_range(unsigned long pfn, unsigned long nr_pages);
/* @page's zone manages @count pages more (or fewer): MemTotal follows. */
void adjust_managed_page_count(struct page *page, long count);

int __isolate_free_page(struct page *page, unsigned int order);
void __putback_isolated_page(struct page *page, unsigned int order, int mt);

void drain_local_pages(struct zone *zone);
void drain_all_pages(struct zone *zone);

/* Zeroing, as seed 000 places it. */
void clear_highpages(struct page *page, unsigned long nr_pages);
void folio_zero_user(struct folio *folio, unsigned long addr_hint);

#endif /* _FOLIAGE_LINUX_GFP_H */
