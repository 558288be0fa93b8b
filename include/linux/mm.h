/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfn <-> page <-> address, refcounts and folio accessors.
 */
#ifndef _FOLIAGE_LINUX_MM_H
#define _FOLIAGE_LINUX_MM_H

#include <linux/machine.h>
#include <linux/page-flags.h>
#include <linux/mmzone.h>

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return this_machine->mem_map + pfn;
}

static inline unsigned long page_to_pfn(const struct page *page)
{
	return page - this_machine->mem_map;
}

static inline unsigned long folio_pfn(const struct folio *folio)
{
	return page_to_pfn(&folio->page);
}

static inline void *pfn_to_virt(unsigned long pfn)
{
	return this_machine->direct_map + (pfn << PAGE_SHIFT);
}

static inline void *page_address(const struct page *page)
{
	return pfn_to_virt(page_to_pfn(page));
}

static inline void *folio_address(const struct folio *folio)
{
	return page_address(&folio->page);
}

static inline int pfn_to_nid(unsigned long pfn)
{
	return pfn >> this_machine->node_shift;
}

static inline int page_to_nid(const struct page *page)
{
	return pfn_to_nid(page_to_pfn(page));
}

/* Whether @pfn is guest RAM with a struct page. */
static inline bool pfn_valid(unsigned long pfn)
{
	struct foliage_machine *m = this_machine;
	int nid = pfn >> m->node_shift;

	if (nid >= m->nr_nodes)
		return false;
	return pfn - m->node_data[nid]->node_start_pfn <
	       m->node_data[nid]->node_present_pages;
}

static inline struct zone *pfn_zone(unsigned long pfn)
{
	pg_data_t *pgdat = NODE_DATA(pfn_to_nid(pfn));

	if (pfn >= pgdat->node_zones[ZONE_MOVABLE].zone_start_pfn &&
	    pgdat->node_zones[ZONE_MOVABLE].spanned_pages)
		return &pgdat->node_zones[ZONE_MOVABLE];
	return &pgdat->node_zones[ZONE_NORMAL];
}

static inline struct zone *page_zone(const struct page *page)
{
	return pfn_zone(page_to_pfn(page));
}

static inline struct zone *folio_zone(const struct folio *folio)
{
	return page_zone(&folio->page);
}

static inline int folio_nid(const struct folio *folio)
{
	return page_to_nid(&folio->page);
}

/* Refcounts. */
static inline int page_ref_count(const struct page *page)
{
	return atomic_read(&page->_refcount);
}

static inline void set_page_count(struct page *page, int v)
{
	atomic_set(&page->_refcount, v);
}

static inline void set_page_refcounted(struct page *page)
{
	set_page_count(page, 1);
}

static inline void page_ref_inc(struct page *page)
{
	atomic_inc(&page->_refcount);
}

static inline bool page_ref_dec_and_test(struct page *page)
{
	return atomic_dec_and_test(&page->_refcount);
}

static inline int folio_ref_count(const struct folio *folio)
{
	return page_ref_count(&folio->page);
}

static inline void folio_get(struct folio *folio)
{
	page_ref_inc(&folio->page);
}

static inline void folio_ref_add(struct folio *folio, int nr)
{
	atomic_add(nr, &folio->_refcount);
}

static inline bool folio_ref_sub_and_test(struct folio *folio, int nr)
{
	return atomic_sub_return(nr, &folio->_refcount) == 0;
}

/* Folio geometry. */
static inline bool folio_test_large(const struct folio *folio)
{
	return PageHead(&folio->page);
}

static inline unsigned int folio_order(const struct folio *folio)
{
	if (!folio_test_large(folio))
		return 0;
	return folio->_flags_1 & 0xff;
}

static inline unsigned long folio_nr_pages(const struct folio *folio)
{
	if (!folio_test_large(folio))
		return 1;
	return folio->_folio_nr_pages;
}

static inline size_t folio_size(const struct folio *folio)
{
	return PAGE_SIZE << folio_order(folio);
}

static inline unsigned int compound_order(const struct page *page)
{
	if (!PageHead(page))
		return 0;
	return folio_order((const struct folio *)page);
}

static inline void set_compound_head(struct page *page, struct page *head)
{
	WRITE_ONCE(page->compound_head, (unsigned long)head + 1);
}

static inline void clear_compound_head(struct page *page)
{
	WRITE_ONCE(page->compound_head, 0);
}

/* Buddy order of a free block's head page. */
static inline unsigned int buddy_order(const struct page *page)
{
	return page->private;
}

static inline void set_buddy_order(struct page *page, unsigned int order)
{
	page->private = order;
	__SetPageBuddy(page);
}

/* Pageblocks. */
static inline unsigned char *pfn_pageblock_flags(unsigned long pfn)
{
	struct zone *zone = pfn_zone(pfn);

	return &zone->pageblock_flags[(pfn - zone->zone_start_pfn) >>
				      pageblock_order];
}

static inline int get_pfnblock_migratetype(unsigned long pfn)
{
	unsigned char f = READ_ONCE(*pfn_pageblock_flags(pfn));

	if (f & PB_migrate_isolate)
		return MIGRATE_ISOLATE;
	return f & PB_migrate_mask;
}

static inline int get_pageblock_migratetype(const struct page *page)
{
	return get_pfnblock_migratetype(page_to_pfn(page));
}

static inline bool get_pageblock_isolate(const struct page *page)
{
	return READ_ONCE(*pfn_pageblock_flags(page_to_pfn(page))) &
	       PB_migrate_isolate;
}

/* Hex dump helper for bug reports: "pfn 0x.. flags 0x.. ref .. map ..". */
int dump_page_str(const struct page *page, char *buf, size_t len);

#endif /* _FOLIAGE_LINUX_MM_H */
