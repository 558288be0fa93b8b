// SPDX-License-Identifier: GPL-2.0
/*
 * The buddy page allocator (Linux's mm/page_alloc.c, written anew).
 *
 * Free memory of each zone sits on free_area[order].free_list[migratetype]
 * as naturally aligned blocks of 2^order pages; freeing merges a block with
 * its free buddy, allocating splits a larger block (expand()).  Order-0..3
 * and pageblock-order pages go through per-CPU lists first.  When the
 * allocation's migratetype has nothing left, it falls back to another type,
 * claiming the whole pageblock when enough of it is free or alike.
 *
 * Known-zero tracking (seed 000).  PG_zeroed on a free block's head says its
 * bytes are zero.  It is set by a free with FPI_ZEROED (after free-time
 * preparation, which clears any stale PG_private) and by page reporting,
 * kept on a merge only when both halves had it, and copied to both halves by
 * every split.  Every allocation reads and clears it and passes "zeroed" to
 * post_alloc_hook(), which then skips the memset that __GFP_ZERO or
 * init_on_alloc would have done.  Isolation clears it.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "page_reporting.h"
#include <linux/mm.h>
#include <linux/migrate.h>
#include <linux/rmap.h>
#include <linux/huge_mm.h>
#include <linux/oom.h>
#include <trace/events.h>
#include <linux/machine_subsys.h>

const char *const migratetype_names[MIGRATE_TYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate",
};

const char *const zone_names[MAX_NR_ZONES] = { "Normal", "Movable" };

/* Where to fall back to when a migratetype's lists are empty. */
static const int fallbacks[MIGRATE_PCPTYPES][MIGRATE_PCPTYPES - 1] = {
	[MIGRATE_UNMOVABLE]   = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE]     = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
};

static const int lowmem_reserve_ratio[MAX_NR_ZONES] = { 32, 0 };

/* ---- pageblocks ------------------------------------------------------ */

void set_pageblock_migratetype(struct page *page, int mt)
{
	unsigned char *f = pfn_pageblock_flags(page_to_pfn(page));

	if (mt == MIGRATE_ISOLATE)
		WRITE_ONCE(*f, *f | PB_migrate_isolate);
	else
		WRITE_ONCE(*f, (unsigned char)mt);
}

static void change_pageblock_range(struct page *page, unsigned int order,
				   int mt)
{
	unsigned long nr = 1UL << order;

	for (; nr; nr -= pageblock_nr_pages, page += pageblock_nr_pages)
		set_pageblock_migratetype(page, mt);
}

/* ---- free lists ------------------------------------------------------ */

static inline void account_freepages(struct zone *zone, long nr_pages, int mt)
{
	if (is_migrate_isolate(mt))
		return;
	mod_zone_page_state(zone, NR_FREE_PAGES, nr_pages);
	if (mt == MIGRATE_HIGHATOMIC)
		zone->nr_free_highatomic += nr_pages;
}

/* vm.zero_aware_alloc (foliage's own; see __rmqueue_zero_aware()). */
static inline bool zero_aware_alloc(void)
{
	return unlikely(READ_ONCE(this_machine->sysctl.zero_aware_alloc));
}

static inline void __add_to_free_list(struct page *page, struct zone *zone,
				      unsigned int order, int mt, bool tail)
{
	struct free_area *area = &zone->free_area[order];

	touch_zone(zone);
	VM_WARN_ON(order < pageblock_order &&
		   get_pageblock_migratetype(page) != mt);
	if (tail)
		list_add_tail(&page->lru, &area->free_list[mt]);
	else
		list_add(&page->lru, &area->free_list[mt]);
	/* Read without zone->lock by __zone_watermark_ok(). */
	WRITE_ONCE(area->nr_free, area->nr_free + 1);
	if (order >= pageblock_order && !is_migrate_isolate(mt))
		mod_zone_page_state(zone, NR_FREE_PAGES_BLOCKS, 1L << order);
}

static inline void move_to_free_list(struct page *page, struct zone *zone,
				     unsigned int order, int old_mt, int new_mt)
{
	struct free_area *area = &zone->free_area[order];
	long nr_pages = 1L << order;

	touch_zone(zone);
	list_move_tail(&page->lru, &area->free_list[new_mt]);
	account_freepages(zone, -nr_pages, old_mt);
	account_freepages(zone, nr_pages, new_mt);
	if (order >= pageblock_order &&
	    is_migrate_isolate(old_mt) != is_migrate_isolate(new_mt))
		mod_zone_page_state(zone, NR_FREE_PAGES_BLOCKS,
				    is_migrate_isolate(new_mt) ? -nr_pages :
								 nr_pages);
}

/*
 * Take a block off its free list without touching NR_FREE_PAGES.  PageBuddy
 * and PageReported go; PG_zeroed stays for the caller to consume or drop.
 */
static inline void __del_page_from_free_list(struct page *page,
					     struct zone *zone,
					     unsigned int order, int mt)
{
	touch_zone(zone);
	list_del(&page->lru);
	__ClearPageBuddy(page);
	__ClearPageReported(page);
	page->private = 0;
	WRITE_ONCE(zone->free_area[order].nr_free,
		   zone->free_area[order].nr_free - 1);
	if (order >= pageblock_order && !is_migrate_isolate(mt))
		mod_zone_page_state(zone, NR_FREE_PAGES_BLOCKS, -(1L << order));
}

static inline void del_page_from_free_list(struct page *page,
					   struct zone *zone,
					   unsigned int order, int mt)
{
	__del_page_from_free_list(page, zone, order, mt);
	account_freepages(zone, -(1L << order), mt);
}

/*
 * The next unlisted block (lowest pfn first), put on its list.  Caller
 * holds zone->lock and saw zone->nr_unlisted.
 */
static noinline struct page *list_next_unlisted(struct zone *zone)
{
	unsigned long w = zone->unlisted_next / 64;
	unsigned long bits;

	for (;; w++) {
		bits = zone->unlisted[w];
		if (w == zone->unlisted_next / 64)
			bits &= ~0UL << (zone->unlisted_next % 64);
		if (bits)
			break;
	}
	zone->unlisted_next = w * 64 + __builtin_ctzl(bits);
	return list_unlisted_block(zone, zone->unlisted_next);
}

/* Page reporting's walk reaches the unlisted blocks' place. */
struct page *free_list_next_unlisted(struct zone *zone)
{
	lockdep_assert_held(&zone->lock);
	return list_next_unlisted(zone);
}

/*
 * The first block on @mt's list of @area in @zone.  When that is the place
 * of the unlisted blocks, the lowest of them is listed there first.
 */
static inline struct page *get_page_from_free_area(struct zone *zone,
						   struct free_area *area,
						   int mt)
{
	struct list_head *first = area->free_list[mt].next;

	if (first == &area->free_list[mt])
		return NULL;
	if (unlikely(first == &zone->unlisted_pos))
		return list_next_unlisted(zone);
	return list_entry(first, struct page, lru);
}

/*
 * Blocks on @zone's free list of @order and @mt, the unlisted ones
 * included, counting no further than @cap.  Caller holds zone->lock.
 */
unsigned long free_list_nr(struct zone *zone, unsigned int order, int mt,
			   unsigned long cap)
{
	struct list_head *head = &zone->free_area[order].free_list[mt];
	struct list_head *pos;
	unsigned long n = 0;

	list_for_each(pos, head) {
		n += pos == &zone->unlisted_pos ? zone->nr_unlisted : 1;
		if (n >= cap)
			return cap;
	}
	return n;
}

/*
 * A buddy can be merged with if it is the head of a free block of the same
 * order in the same zone.  Pages past the end of a node's RAM and tails of
 * never-split max-order blocks have zeroed struct pages, never PageBuddy.
 */
static inline bool page_is_buddy(struct page *page, struct page *buddy,
				 unsigned int order)
{
	if (!PageBuddy(buddy) || buddy_order(buddy) != order)
		return false;
	return page_zone(page) == page_zone(buddy);
}

/*
 * When the buddy of the merged block is free too, the block will likely be
 * merged soon: put it at the tail so that it is not handed out first.
 */
static inline bool buddy_merge_likely(unsigned long pfn, unsigned long buddy_pfn,
				      struct page *page, unsigned int order)
{
	unsigned long higher_page_pfn;
	struct page *higher_page;

	if (order >= MAX_PAGE_ORDER - 1)
		return false;
	higher_page_pfn = buddy_pfn & pfn;
	higher_page = page + ((long)higher_page_pfn - (long)pfn);
	return page_is_buddy(higher_page,
			     higher_page + ((long)(higher_page_pfn ^
						   (1UL << (order + 1))) -
					    (long)higher_page_pfn),
			     order + 1);
}

/*
 * Free a block of 2^order pages starting at @pfn into @zone, merging with
 * free buddies.  Caller holds zone->lock.  The block's PG_zeroed (set by the
 * caller for FPI_ZEROED, or carried from a pcp list) survives a merge only
 * if the buddy was zeroed too.
 */
static void __free_one_page(struct page *page, unsigned long pfn,
			    struct zone *zone, unsigned int order, int mt,
			    fpi_t fpi_flags)
{
	unsigned long buddy_pfn = 0, combined_pfn;
	bool zeroed = PageZeroed(page);
	bool to_tail;
	struct page *buddy;

	lockdep_assert_held(&zone->lock);

	VM_BUG_ON(pfn & ((1UL << order) - 1));
	VM_BUG_ON(!zone_spans_pfn(zone, pfn));
	account_freepages(zone, 1L << order, mt);

	while (order < MAX_PAGE_ORDER) {
		int buddy_mt = mt;

		buddy_pfn = pfn ^ (1UL << order);
		buddy = page + ((long)buddy_pfn - (long)pfn);	/* signed: may be below */
		if (!page_is_buddy(page, buddy, order))
			break;
		if (order >= pageblock_order) {
			/* Never merge isolated or highatomic blocks across. */
			buddy_mt = get_pfnblock_migratetype(buddy_pfn);
			if (mt != buddy_mt &&
			    (!migratetype_is_mergeable(mt) ||
			     !migratetype_is_mergeable(buddy_mt)))
				break;
		}
		zeroed = zeroed && PageZeroed(buddy);
		__ClearPageZeroed(buddy);
		__ClearPageZeroed(page);
		__del_page_from_free_list(buddy, zone, order, buddy_mt);
		if (unlikely(buddy_mt != mt)) {
			/* Sub-blocks must land on the right lists later. */
			account_freepages(zone, -(1L << order), buddy_mt);
			account_freepages(zone, 1L << order, mt);
			set_pageblock_migratetype(buddy, mt);
		}
		combined_pfn = buddy_pfn & pfn;
		page = page + ((long)combined_pfn - (long)pfn);
		pfn = combined_pfn;
		order++;
	}

	set_buddy_order(page, order);
	if (zeroed)
		__SetPageZeroed(page);
	else
		__ClearPageZeroed(page);

	if (fpi_flags & FPI_TO_TAIL)
		to_tail = true;
	else
		to_tail = buddy_merge_likely(pfn, buddy_pfn, page, order);
	/* vm.zero_aware_alloc: known-zero blocks gather at the tail. */
	if (zeroed && zero_aware_alloc())
		to_tail = true;
	__add_to_free_list(page, zone, order, mt, to_tail);

	/* A block big enough to report (mm/page_reporting.c). */
	if (!(fpi_flags & FPI_SKIP_REPORT_NOTIFY))
		page_reporting_notify_free(order);
}

/*
 * Free a block that may be larger than a pageblock: the pageblocks may have
 * different types, so each goes to its own list.  PG_zeroed is copied to
 * every piece.  Caller holds zone->lock.
 */
static void split_large_buddy(struct zone *zone, struct page *page,
			      unsigned long pfn, unsigned int order,
			      fpi_t fpi)
{
	unsigned long end = pfn + (1UL << order);
	bool zeroed = PageZeroed(page);

	lockdep_assert_held(&zone->lock);

	VM_BUG_ON(!IS_ALIGNED(pfn, 1UL << order));
	if (order > pageblock_order)
		order = pageblock_order;
	for (;;) {
		int mt = get_pfnblock_migratetype(pfn);

		if (zeroed)
			__SetPageZeroed(page);
		__free_one_page(page, pfn, zone, order, mt, fpi);
		pfn += 1UL << order;
		if (pfn >= end)
			break;
		page = pfn_to_page(pfn);
	}
}

static void free_one_page(struct zone *zone, struct page *page,
			  unsigned long pfn, unsigned int order, fpi_t fpi)
{
	spin_lock(&zone->lock);
	split_large_buddy(zone, page, pfn, order, fpi);
	spin_unlock(&zone->lock);
}

/*
 * Split a 2^high block into the 2^low page at its start and free halves of
 * decreasing order behind it.  The halves inherit PG_zeroed and
 * PG_reported.  Returns the number of pages put back on the lists.
 */
static unsigned long expand(struct zone *zone, struct page *page,
			    unsigned int low, unsigned int high, int mt,
			    bool zeroed, bool reported)
{
	unsigned long size = 1UL << high, nr_added = 0;

	while (high > low) {
		struct page *half;

		high--;
		size >>= 1;
		half = &page[size];
		__add_to_free_list(half, zone, high, mt,
				   zeroed && zero_aware_alloc());
		set_buddy_order(half, high);
		if (zeroed)
			__SetPageZeroed(half);
		if (reported)
			__SetPageReported(half);
		nr_added += size;
	}
	return nr_added;
}

static void page_del_and_expand(struct zone *zone, struct page *page,
				unsigned int low, unsigned int high, int mt)
{
	bool zeroed = PageZeroed(page), reported = PageReported(page);
	unsigned long nr_pages = 1UL << high, nr_added;

	__del_page_from_free_list(page, zone, high, mt);
	nr_added = expand(zone, page, low, high, mt, zeroed, reported);
	account_freepages(zone, -(long)(nr_pages - nr_added), mt);
}

/*
 * A caller names a free max-order block by its struct page: if it is still
 * unlisted, list it (write its head) so that it is what the caller expects.
 */
static inline void list_if_unlisted(struct zone *zone, struct page *page,
				    unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);

	if (order == MAX_PAGE_ORDER && unlikely(block_is_unlisted(zone, pfn)))
		list_unlisted_block(zone, (pfn - zone->zone_start_pfn) >>
					  MAX_PAGE_ORDER);
}

/* Make the struct pages of a never-split max-order block real. */
static inline void prepare_block(struct zone *zone, struct page *page,
				 unsigned int order)
{
	if (order != MAX_PAGE_ORDER ||
	    likely(!block_is_deferred(zone, page_to_pfn(page))))
		return;
	list_if_unlisted(zone, page, order);
	init_deferred_block(zone, page);
}

/*
 * Take free block @page of @current_order off @mt's list for an
 * allocation of @order, the rest going back as smaller blocks.
 */
static inline void take_free_block(struct zone *zone, struct page *page,
				   unsigned int order,
				   unsigned int current_order, int mt)
{
	prepare_block(zone, page, current_order);
	page_del_and_expand(zone, page, order, current_order, mt);
	trace_mm_page_alloc_zone_locked(page, order, mt,
					pcp_allowed_order(order) &&
					mt < MIGRATE_PCPTYPES);
}

/* Take the smallest free block of at least @order from @mt's lists. */
static struct page *__rmqueue_smallest(struct zone *zone, unsigned int order,
				       int mt)
{
	unsigned int current_order;

	for (current_order = order; current_order < NR_PAGE_ORDERS;
	     current_order++) {
		struct free_area *area = &zone->free_area[current_order];
		struct page *page = get_page_from_free_area(zone, area, mt);

		if (!page)
			continue;
		take_free_block(zone, page, order, current_order, mt);
		return page;
	}
	return NULL;
}

/*
 * Walk the pageblock of @page: count its free pages and the pages that
 * could move (on an LRU).  False if the block is not wholly in the zone.
 */
static bool prep_move_freepages_block(struct zone *zone, struct page *page,
				      unsigned long *start_pfn,
				      int *num_free, int *num_movable)
{
	unsigned long pfn, start, end;

	pfn = page_to_pfn(page);
	start = pageblock_start_pfn(pfn);
	end = start + pageblock_nr_pages;
	if (!zone_spans_pfn(zone, start) || !zone_spans_pfn(zone, end - 1))
		return false;
	*start_pfn = start;
	if (num_free) {
		*num_free = 0;
		*num_movable = 0;
	}
	for (pfn = start; pfn < end;) {
		page = pfn_to_page(pfn);
		if (PageBuddy(page)) {
			int nr = 1 << buddy_order(page);

			if (num_free)
				*num_free += nr;
			pfn += nr;
			continue;
		}
		if (num_movable && PageLRU(page))
			(*num_movable)++;
		pfn++;
	}
	return true;
}

static int __move_freepages_block(struct zone *zone, unsigned long start_pfn,
				  int old_mt, int new_mt)
{
	unsigned long pfn, end = start_pfn + pageblock_nr_pages;
	int pages_moved = 0;

	for (pfn = start_pfn; pfn < end;) {
		struct page *page = pfn_to_page(pfn);
		unsigned int order;

		if (!PageBuddy(page)) {
			pfn++;
			continue;
		}
		order = buddy_order(page);
		move_to_free_list(page, zone, order, old_mt, new_mt);
		pfn += 1UL << order;
		pages_moved += 1 << order;
	}
	return pages_moved;
}

static bool should_try_claim_block(unsigned int order, int start_mt)
{
	if (order >= pageblock_order)
		return true;
	return order >= pageblock_order / 2 ||
	       start_mt == MIGRATE_RECLAIMABLE ||
	       start_mt == MIGRATE_UNMOVABLE;
}

/*
 * The first fallback type with a free block at @order, -1 if none, -2 if
 * @claimable was asked for and this order is too small to claim a block.
 */
static int find_suitable_fallback(struct free_area *area, unsigned int order,
				  int mt, bool claimable)
{
	int i;

	if (claimable && !should_try_claim_block(order, mt))
		return -2;
	if (area->nr_free == 0)
		return -1;
	for (i = 0; i < MIGRATE_PCPTYPES - 1; i++) {
		int fallback_mt = fallbacks[mt][i];

		if (!free_area_empty(area, fallback_mt))
			return fallback_mt;
	}
	return -1;
}

/*
 * Try to take over the pageblock of @page (found on @block_type's list at
 * @current_order) for @start_type, then allocate from it.
 */
static struct page *try_to_claim_block(struct zone *zone, struct page *page,
				       unsigned int current_order,
				       unsigned int order, int start_type,
				       int block_type)
{
	int free_pages, movable_pages, alike_pages;
	unsigned long start_pfn;

	if (current_order >= pageblock_order) {
		bool zeroed = PageZeroed(page), reported = PageReported(page);
		unsigned long nr_added;

		prepare_block(zone, page, current_order);
		del_page_from_free_list(page, zone, current_order, block_type);
		change_pageblock_range(page, current_order, start_type);
		nr_added = expand(zone, page, order, current_order, start_type,
				  zeroed, reported);
		account_freepages(zone, nr_added, start_type);
		return page;
	}

	if (!prep_move_freepages_block(zone, page, &start_pfn, &free_pages,
				       &movable_pages))
		return NULL;

	if (start_type == MIGRATE_MOVABLE)
		alike_pages = movable_pages;
	else if (block_type == MIGRATE_MOVABLE)
		alike_pages = pageblock_nr_pages - (free_pages + movable_pages);
	else
		alike_pages = 0;

	if (free_pages + alike_pages >= (1 << (pageblock_order - 1))) {
		__move_freepages_block(zone, start_pfn, block_type, start_type);
		set_pageblock_migratetype(pfn_to_page(start_pfn), start_type);
		return __rmqueue_smallest(zone, order, start_type);
	}
	return NULL;
}

static struct page *__rmqueue_claim(struct zone *zone, int order, int start_mt,
				    unsigned int alloc_flags)
{
	int current_order, min_order = order;

	if (order < pageblock_order && (alloc_flags & ALLOC_NOFRAGMENT))
		min_order = pageblock_order;

	/* Largest first: take over whole blocks rather than fragment. */
	for (current_order = MAX_PAGE_ORDER; current_order >= min_order;
	     current_order--) {
		struct free_area *area = &zone->free_area[current_order];
		int fallback_mt;
		struct page *page;

		fallback_mt = find_suitable_fallback(area, current_order,
						     start_mt, true);
		if (fallback_mt == -1)
			continue;
		if (fallback_mt == -2)
			break;
		page = get_page_from_free_area(zone, area, fallback_mt);
		page = try_to_claim_block(zone, page, current_order, order,
					  start_mt, fallback_mt);
		if (page) {
			trace_mm_page_alloc_extfrag(page, order, current_order,
						    start_mt, fallback_mt);
			return page;
		}
	}
	return NULL;
}

static struct page *__rmqueue_steal(struct zone *zone, int order, int start_mt)
{
	unsigned int current_order;

	for (current_order = order; current_order < NR_PAGE_ORDERS;
	     current_order++) {
		struct free_area *area = &zone->free_area[current_order];
		int fallback_mt;
		struct page *page;

		fallback_mt = find_suitable_fallback(area, current_order,
						     start_mt, false);
		if (fallback_mt < 0)
			continue;
		page = get_page_from_free_area(zone, area, fallback_mt);
		prepare_block(zone, page, current_order);
		page_del_and_expand(zone, page, order, current_order,
				    fallback_mt);
		trace_mm_page_alloc_extfrag(page, order, current_order,
					    start_mt, fallback_mt);
		return page;
	}
	return NULL;
}

/*
 * Zero-aware allocation (vm.zero_aware_alloc, foliage's own, beyond seed
 * 000).  With the knob on, known-zero blocks are put at the tail of their
 * free list (and of the per-CPU lists, where refills land at the tail)
 * while dirty ones keep Linux's places, mostly the head: the two kinds
 * stay apart on each list, as FreeBSD once kept PG_ZERO pages at the
 * tail of its free queues.  An allocation that will zero (__GFP_ZERO,
 * init_on_alloc) looks for a known-zero block first, from the tail of
 * each order's list upwards; any other allocation looks for a dirty one
 * from the head, so that it does not spend the known-zero blocks.  Only
 * ZERO_AWARE_SCAN entries of each list are looked at, which bounds the
 * cost; when nothing matches, the allocation goes on as Linux's would.
 * The price is fragmentation: a zeroing allocation splits a large
 * known-zero block rather than take a small dirty one (and the other way
 * round), measured by `foliage bench zero`.
 */
#define ZERO_AWARE_SCAN	8

/*
 * A block of @list that is known zero (@want_zero) or dirty, looked for
 * from the tail or the head respectively; NULL if none among the first
 * ZERO_AWARE_SCAN.  @zone: a buddy list (whose unlisted blocks are never
 * known zero), NULL for a per-CPU list.  Caller holds its lock.
 */
static struct page *free_list_pick(struct zone *zone, struct list_head *list,
				   bool want_zero)
{
	struct list_head *pos = want_zero ? list->prev : list->next;
	int n;

	for (n = 0; n < ZERO_AWARE_SCAN && pos != list; n++) {
		struct page *page;

		if (zone && pos == &zone->unlisted_pos) {
			if (!want_zero)
				return list_next_unlisted(zone);
			pos = pos->prev;
			continue;
		}
		page = list_entry(pos, struct page, lru);
		if (PageZeroed(page) == want_zero)
			return page;
		pos = want_zero ? pos->prev : pos->next;
	}
	return NULL;
}

/*
 * The smallest block of at least @order on @mt's lists that is known
 * zero (@want_zero) or dirty, split as __rmqueue_smallest() does; NULL
 * if none is near the preferred end of any list.  zone->lock held.
 */
static noinline struct page *__rmqueue_zero_aware(struct zone *zone,
						  unsigned int order, int mt,
						  bool want_zero)
{
	unsigned int current_order;

	for (current_order = order; current_order < NR_PAGE_ORDERS;
	     current_order++) {
		struct free_area *area = &zone->free_area[current_order];
		struct page *page;

		page = free_list_pick(zone, &area->free_list[mt], want_zero);
		if (!page)
			continue;
		take_free_block(zone, page, order, current_order, mt);
		return page;
	}
	return NULL;
}

/* Take a block of @order for @mt, falling back to other types. */
static struct page *__rmqueue(struct zone *zone, unsigned int order, int mt,
			      unsigned int alloc_flags)
{
	struct page *page;

	if (unlikely(alloc_flags & ALLOC_ZERO_AWARE)) {
		page = __rmqueue_zero_aware(zone, order, mt,
					    alloc_flags & ALLOC_PREFER_ZERO);
		if (page)
			return page;
	}
	page = __rmqueue_smallest(zone, order, mt);
	if (page)
		return page;
	page = __rmqueue_claim(zone, order, mt, alloc_flags);
	if (page)
		return page;
	if (!(alloc_flags & ALLOC_NOFRAGMENT))
		page = __rmqueue_steal(zone, order, mt);
	return page;
}

/* ---- per-CPU lists --------------------------------------------------- */

static inline unsigned int order_to_pindex(int mt, unsigned int order)
{
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		return NR_LOWORDER_PCP_LISTS + (mt == MIGRATE_MOVABLE);
	return MIGRATE_PCPTYPES * order + mt;
}

static inline unsigned int pindex_to_order(unsigned int pindex)
{
	if (pindex >= NR_LOWORDER_PCP_LISTS)
		return HPAGE_PMD_ORDER;
	return pindex / MIGRATE_PCPTYPES;
}

static inline struct per_cpu_pages *this_cpu_pcp(struct zone *zone)
{
	return &zone->per_cpu_pageset[smp_processor_id()];
}

/* Move up to @count blocks of @order to a pcp @list, under zone->lock. */
static int rmqueue_bulk(struct zone *zone, unsigned int order,
			unsigned long count, struct list_head *list, int mt,
			unsigned int alloc_flags)
{
	unsigned long i;

	spin_lock(&zone->lock);
	for (i = 0; i < count; i++) {
		struct page *page = __rmqueue(zone, order, mt, alloc_flags);

		if (unlikely(!page))
			break;
		list_add_tail(&page->lru, list);
	}
	spin_unlock(&zone->lock);
	return i;
}

static inline int nr_pcp_alloc(struct per_cpu_pages *pcp, unsigned int order)
{
	int batch = READ_ONCE(pcp->batch);

	if (unlikely(pcp->high < batch))
		return 1;
	/* Scale to the order, but a batch of one stays one block. */
	if (batch > 1)
		batch = max(batch >> order, 2);
	return batch;
}

/*
 * Free @count base pages' worth from the pcp lists to the buddy lists,
 * oldest first, round-robin over the lists starting after @pindex.
 * Caller holds pcp->lock.
 */
static void free_pcppages_bulk(struct zone *zone, int count,
			       struct per_cpu_pages *pcp, int pindex)
{
	int max_pindex = NR_PCP_LISTS - 1;

	lockdep_assert_held(&pcp->lock);

	count = min(pcp->count, count);
	if (count <= 0)
		return;

	spin_lock(&zone->lock);
	while (count > 0) {
		struct list_head *list;
		unsigned int order;
		int nr_pages;

		do {
			if (++pindex > max_pindex)
				pindex = 0;
			list = &pcp->lists[pindex];
		} while (list_empty(list));

		order = pindex_to_order(pindex);
		nr_pages = 1 << order;
		do {
			struct page *page;
			unsigned long pfn;
			int mt;

			page = list_last_entry(list, struct page, lru);
			pfn = page_to_pfn(page);
			mt = get_pfnblock_migratetype(pfn);
			list_del(&page->lru);
			count -= nr_pages;
			pcp->count -= nr_pages;
			__free_one_page(page, pfn, zone, order, mt, FPI_NONE);
			trace_mm_page_pcpu_drain(page, order, mt);
		} while (count > 0 && !list_empty(list));
	}
	spin_unlock(&zone->lock);
}

static void drain_pages_zone(int cpu, struct zone *zone)
{
	struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

	spin_lock(&pcp->lock);
	free_pcppages_bulk(zone, pcp->count, pcp, 0);
	spin_unlock(&pcp->lock);
}

static void for_each_populated_zone_do(void (*fn)(struct zone *, void *),
				       void *arg)
{
	struct foliage_machine *m = this_machine;
	int nid, z;

	for (nid = 0; nid < m->nr_nodes; nid++)
		for (z = 0; z < MAX_NR_ZONES; z++)
			if (populated_zone(&m->node_data[nid]->node_zones[z]))
				fn(&m->node_data[nid]->node_zones[z], arg);
}

static void drain_zone_all_cpus(struct zone *zone, void *arg)
{
	int cpu;

	(void)arg;
	for (cpu = 0; cpu < this_machine->nr_cpus; cpu++)
		drain_pages_zone(cpu, zone);
}

static void drain_zone_this_cpu(struct zone *zone, void *arg)
{
	(void)arg;
	drain_pages_zone(smp_processor_id(), zone);
}

void drain_local_pages(struct zone *zone)
{
	if (zone)
		drain_zone_this_cpu(zone, NULL);
	else
		for_each_populated_zone_do(drain_zone_this_cpu, NULL);
}

void drain_all_pages(struct zone *zone)
{
	if (zone)
		drain_zone_all_cpus(zone, NULL);
	else
		for_each_populated_zone_do(drain_zone_all_cpus, NULL);
}

/* ---- freeing --------------------------------------------------------- */

static void bad_page(struct page *page, const char *reason)
{
	char buf[160];

	dump_page_str(page, buf, sizeof(buf));
	report_bug("Bad page state: %s: %s", reason, buf);
}

static __always_inline bool check_pages_enabled(void)
{
#ifdef CONFIG_DEBUG_VM
	return true;
#else
	return this_machine->debug_full;
#endif
}

static bool free_page_is_bad(struct page *page)
{
	if (unlikely(atomic_read(&page->_mapcount) != -1)) {
		bad_page(page, "nonzero mapcount");
		return true;
	}
	if (unlikely(page->mapping != NULL)) {
		bad_page(page, "non-NULL mapping");
		return true;
	}
	if (unlikely(page_ref_count(page) != 0)) {
		bad_page(page, "nonzero _refcount");
		return true;
	}
	if (unlikely(page->flags & PAGE_FLAGS_CHECK_AT_FREE)) {
		bad_page(page, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set");
		return true;
	}
	return false;
}

static void kernel_init_pages(struct page *page, unsigned long nr_pages)
{
	memset(page_address(page), 0, nr_pages << PAGE_SHIFT);
}

/* The tail pages of a block being freed; true if any is bad. */
static noinline bool free_tail_pages_prepare(struct page *page,
					     unsigned int order)
{
	unsigned long nr_pages = 1UL << order, i;
	bool bad = false;

	if (PageHead(page)) {
		struct folio *folio = (struct folio *)page;

		if (check_pages_enabled() &&
		    atomic_read(&folio->_entire_mapcount) != -1)
			bad_page(page, "nonzero entire_mapcount");
		if (check_pages_enabled() &&
		    folio->_mm_id_mapcount[0] != -1)
			bad_page(page, "nonzero mm mapcount 0");
		if (check_pages_enabled() &&
		    folio->_mm_id_mapcount[1] != -1)
			bad_page(page, "nonzero mm mapcount 1");
		folio->_flags_1 = 0;
		folio->_folio_nr_pages = 0;
		if (order >= 2) {
			folio->_flags_2 = 0;
			folio->_hugetlb_private = 0;
			INIT_LIST_HEAD(&folio->_deferred_list);
			folio->_deferred_list.next = NULL;
			folio->_deferred_list.prev = NULL;
			folio->_hugetlb_subpool = NULL;
		}
		for (i = 1; i < nr_pages; i++) {
			struct page *p = page + i;

			if (i == 1) {
				/* _mapcount/_refcount of page 1 hold counters */
				atomic_set(&p->_mapcount, -1);
				atomic_set(&p->_refcount, 0);
				p->mapping = NULL;
				p->index = 0;
				p->private = 0;
			}
			if (check_pages_enabled()) {
				if (!PageTail(p) || compound_head(p) != page) {
					bad_page(p, "corrupted compound tail");
					bad = true;
				}
				if (free_page_is_bad(p))
					bad = true;
			}
			clear_compound_head(p);
			p->lru.prev = NULL;
			p->flags &= ~PAGE_FLAGS_CHECK_AT_PREP;
		}
		__ClearPageHead(page);
	} else if (check_pages_enabled()) {
		for (i = 1; i < nr_pages; i++)
			if (free_page_is_bad(page + i))
				bad = true;
	}
	return bad;
}

/*
 * Free-time preparation: undo the compound page, check for bad state,
 * clear every page flag (so a stale PG_private can never read as
 * PG_zeroed), and zero for init_on_free.  False: do not free the page.
 */
static __always_inline bool free_pages_prepare(struct page *page,
					       unsigned int order)
{
	bool bad = false;

	trace_mm_page_free(page, order);
	if (unlikely(order))
		bad = free_tail_pages_prepare(page, order);
	/* An anon folio's mapping goes here, as in Linux; so does a type. */
	if (folio_test_anon((struct folio *)page)) {
		mod_mthp_stat(order, MTHP_STAT_NR_ANON, -1);
		page->mapping = NULL;
	}
	/* Another CPU's merge may test it (PageBuddy()) without our lock. */
	if (unlikely(page_type_has_type(page->page_type)))
		WRITE_ONCE(page->page_type, UINT32_MAX);
	if (check_pages_enabled() && free_page_is_bad(page))
		bad = true;
	if (bad)
		return false;

	page->mapping = NULL;
	page->private = 0;
	page->flags &= ~PAGE_FLAGS_CHECK_AT_PREP;
	if (unlikely(this_machine->sysctl.init_on_free))
		kernel_init_pages(page, 1UL << order);
	return true;
}

static __always_inline void free_frozen_page_commit(struct zone *zone,
				    struct per_cpu_pages *pcp,
				    struct page *page, int mt,
				    unsigned int order)
{
	int pindex = order_to_pindex(mt, order);

	count_vm_events(PGFREE, 1L << order);
	touch_zone(zone);
	list_add(&page->lru, &pcp->lists[pindex]);
	pcp->count += 1 << order;
	if (pcp->count >= pcp->high) {
		int to_free = pcp->count - pcp->high + pcp->batch;

		free_pcppages_bulk(zone, to_free, pcp, pindex);
	}
}

static __always_inline void free_frozen_pages_inline(struct page *page,
						     unsigned int order,
						     fpi_t fpi)
{
	unsigned long pfn = page_to_pfn(page);
	struct per_cpu_pages *pcp;
	struct zone *zone;
	int mt;

	if (!free_pages_prepare(page, order))
		return;
	if (fpi & FPI_ZEROED)
		__SetPageZeroed(page);

	zone = pfn_zone(pfn);
	if (!pcp_allowed_order(order)) {
		count_vm_events(PGFREE, 1L << order);
		free_one_page(zone, page, pfn, order, fpi);
		return;
	}

	mt = zone_pfnblock_migratetype(zone, pfn);
	if (unlikely(mt >= MIGRATE_PCPTYPES)) {
		if (is_migrate_isolate(mt)) {
			count_vm_events(PGFREE, 1L << order);
			free_one_page(zone, page, pfn, order, fpi);
			return;
		}
		mt = MIGRATE_MOVABLE;
	}

	pcp = this_cpu_pcp(zone);
	if (spin_trylock(&pcp->lock)) {
		free_frozen_page_commit(zone, pcp, page, mt, order);
		spin_unlock(&pcp->lock);
	} else {
		count_vm_events(PGFREE, 1L << order);
		free_one_page(zone, page, pfn, order, fpi);
	}
}

void __free_frozen_pages(struct page *page, unsigned int order, fpi_t fpi)
{
	free_frozen_pages_inline(page, order, fpi);
}

void free_frozen_pages(struct page *page, unsigned int order)
{
	__free_frozen_pages(page, order, FPI_NONE);
}

/* Free pages whose contents are known zero (balloon deflate, seed 000). */
void free_frozen_pages_zeroed(struct page *page, unsigned int order)
{
	__free_frozen_pages(page, order, FPI_ZEROED);
}

static __always_inline void ___free_pages(struct page *page,
					 unsigned int order, fpi_t fpi)
{
	bool head = PageHead(page);

	if (atomic_dec_and_test(&page->_refcount)) {
		free_frozen_pages_inline(page, order, fpi);
	} else if (!head) {
		/* Someone holds page 0: free the rest, in aligned pieces. */
		while (order-- > 0)
			__free_frozen_pages(page + (1UL << order), order, fpi);
	}
}

void __free_pages(struct page *page, unsigned int order)
{
	___free_pages(page, order, FPI_NONE);
}

void free_pages_zeroed(struct page *page, unsigned int order)
{
	___free_pages(page, order, FPI_ZEROED);
}

/* The last reference: off the LRU (mm/swap.c), then freed. */
void folio_put(struct folio *folio)
{
	if (atomic_dec_and_test(&folio->_refcount))
		__folio_put(folio, FPI_NONE);
}

void folio_put_refs(struct folio *folio, int refs)
{
	if (folio_ref_sub_and_test(folio, refs))
		__folio_put(folio, FPI_NONE);
}

void folio_put_zeroed(struct folio *folio)
{
	if (atomic_dec_and_test(&folio->_refcount))
		__folio_put(folio, FPI_ZEROED);
}

void put_page(struct page *page)
{
	folio_put(page_folio(page));
}

void put_page_zeroed(struct page *page)
{
	folio_put_zeroed(page_folio(page));
}

/* Boot: hand a block of never-allocated memory to the buddy allocator. */
void __free_pages_core(struct page *page, unsigned int order)
{
	unsigned long nr_pages = 1UL << order;
	struct zone *zone = page_zone(page);

	atomic_long_add(nr_pages, &zone->managed_pages);
	if (this_machine->sysctl.init_on_free)
		kernel_init_pages(page, nr_pages);
	/* Not known zero: a fresh memfd is, but Linux would not know it. */
	__ClearPageZeroed(page);
	if (order == MAX_PAGE_ORDER) {
		/*
		 * One free block; don't split it per pageblock, which would
		 * write the struct page in its middle (see mm_init.c).
		 */
		spin_lock(&zone->lock);
		__free_one_page(page, page_to_pfn(page), zone, order,
				get_pageblock_migratetype(page), FPI_TO_TAIL);
		spin_unlock(&zone->lock);
		return;
	}
	free_one_page(zone, page, page_to_pfn(page), order, FPI_TO_TAIL);
}

/*
 * Pages leave (@count < 0) or rejoin the memory the allocator manages
 * without being freed or allocated in the buddy sense: a balloon driver
 * lending them to its host.  MemTotal follows; watermarks stay, as in
 * Linux.
 */
void adjust_managed_page_count(struct page *page, long count)
{
	atomic_long_add(count, &page_zone(page)->managed_pages);
}

/* ---- allocating ------------------------------------------------------ */

void clear_highpages(struct page *page, unsigned long nr_pages)
{
	memset(page_address(page), 0, nr_pages << PAGE_SHIFT);
}

/*
 * Zero a user folio so that the subpage holding @addr_hint is cleared last
 * and is cache-hot when the faulting access resumes: clear from the far
 * end inwards, alternating sides as the target gets near.
 */
void folio_zero_user(struct folio *folio, unsigned long addr_hint)
{
	unsigned long nr = folio_nr_pages(folio);
	char *base = folio_address(folio);
	unsigned long target, left, right;

	if (nr == 1 || addr_hint == USER_ADDR_NONE) {
		memset(base, 0, nr << PAGE_SHIFT);
		return;
	}
	target = (addr_hint >> PAGE_SHIFT) & (nr - 1);
	/* The far side in one sweep, then converge on the target. */
	if (2 * target <= nr) {
		unsigned long far = 2 * target + 1;

		if (far < nr)
			memset(base + (far << PAGE_SHIFT), 0,
			       (nr - far) << PAGE_SHIFT);
		left = 0;
		right = min(far, nr);
	} else {
		unsigned long far = nr - 2 * (nr - target);

		memset(base, 0, far << PAGE_SHIFT);
		left = far;
		right = nr;
	}
	/* Pages [left, right) surround target; clear pairs inwards. */
	while (left < target || right > target + 1) {
		if (left < target)
			memset(base + (left++ << PAGE_SHIFT), 0, PAGE_SIZE);
		if (right > target + 1)
			memset(base + (--right << PAGE_SHIFT), 0, PAGE_SIZE);
	}
	memset(base + (target << PAGE_SHIFT), 0, PAGE_SIZE);
}

void prep_compound_page(struct page *page, unsigned int order)
{
	struct folio *folio = (struct folio *)page;
	unsigned long i, nr = 1UL << order;

	__SetPageHead(page);
	for (i = 1; i < nr; i++)
		set_compound_head(page + i, page);
	folio->_flags_1 = order;
	folio->_folio_nr_pages = nr;
	atomic_set(&folio->_large_mapcount, -1);
	atomic_set(&folio->_nr_pages_mapped, 0);
	atomic_set(&folio->_entire_mapcount, -1);
	atomic_set(&folio->_pincount, 0);
	/* CONFIG_MM_ID: both slots free, "mapped exclusively", unlocked. */
	folio->_mm_ids = 0;
	folio->_mm_id_mapcount[0] = -1;
	folio->_mm_id_mapcount[1] = -1;
	if (order >= 2) {
		INIT_LIST_HEAD(&folio->_deferred_list);
		folio->_hugetlb_subpool = NULL;
		folio->_hugetlb_private = 0;
	}
}

static inline bool want_init_on_alloc(gfp_t gfp)
{
	return this_machine->sysctl.init_on_alloc || (gfp & __GFP_ZERO);
}

/*
 * The one place a new page is zeroed.  @zeroed says the block was known
 * zero (PG_zeroed, read and cleared by the caller): then nothing is
 * written.  Otherwise __GFP_ZERO or init_on_alloc clear it once, around
 * @user_addr for user folios.
 */
static noinline void __post_alloc_init(struct page *page, unsigned int order,
				       bool zeroed, unsigned long user_addr)
{
	unsigned long nr_pages = 1UL << order;

	if (zeroed) {
		count_vm_events(PGZERO_SKIPPED, nr_pages);
		if (unlikely(this_machine->debug_full))
			check_zeroed_content(page, order, "PG_zeroed page");
		return;
	}
	if (order && PageHead(page))
		folio_zero_user((struct folio *)page, user_addr);
	else
		clear_highpages(page, nr_pages);
	count_vm_events(PGZERO_CLEARED, nr_pages);
}

static __always_inline void post_alloc_hook(struct page *page,
					    unsigned int order, gfp_t gfp,
					    bool zeroed, unsigned long user_addr)
{
	page->private = 0;
	if (!this_machine->sysctl.init_on_free && want_init_on_alloc(gfp))
		__post_alloc_init(page, order, zeroed, user_addr);
}

/*
 * Read and clear PG_zeroed of a block just taken off a list.  The block
 * belongs to this CPU now, so no atomic is needed (the seed's
 * "read-then-clear").
 */
static __always_inline bool take_page_zeroed(struct page *page)
{
	bool zeroed = PageZeroed(page);

	if (zeroed)
		__ClearPageZeroed(page);
	return zeroed;
}

static bool check_new_page_bad(struct page *page)
{
	if (atomic_read(&page->_mapcount) != -1 || page->mapping ||
	    page_ref_count(page) || (page->flags & PAGE_FLAGS_CHECK_AT_PREP) ||
	    PageTail(page)) {
		bad_page(page, "new page not clean");
		return true;
	}
	return false;
}

static noinline bool __check_new_pages(struct page *page, unsigned int order)
{
	unsigned long i;

	for (i = 0; i < (1UL << order); i++)
		if (check_new_page_bad(page + i))
			return true;
	return false;
}

static __always_inline bool check_new_pages(struct page *page,
					    unsigned int order)
{
	return check_pages_enabled() && __check_new_pages(page, order);
}

/*
 * Turn a block taken off the lists into what the caller asked for.  @zeroed
 * is the block's PG_zeroed, which rmqueue() read and cleared.
 */
static __always_inline void prep_new_page(struct page *page,
					  unsigned int order, gfp_t gfp,
			  const struct alloc_context *ac, bool zeroed)
{
	if (order && (gfp & __GFP_COMP))
		prep_compound_page(page, order);
	post_alloc_hook(page, order, gfp, zeroed, ac->user_addr);
	if (!ac->frozen)
		set_page_refcounted(page);
}

static __always_inline void zone_statistics(struct zone *preferred,
					    struct zone *z, long nr)
{
	enum numa_stat_item local = zone_to_nid(z) == numa_node_id() ?
				    NUMA_LOCAL : NUMA_OTHER;

	if (zone_to_nid(z) != zone_to_nid(preferred)) {
		count_numa_events(z, NUMA_MISS, nr);
		count_numa_events(preferred, NUMA_FOREIGN, nr);
	} else {
		count_numa_events(z, NUMA_HIT, nr);
	}
	count_numa_events(z, local, nr);
}

/* Refill a pcp @list with up to @count known-zero blocks only. */
static int rmqueue_bulk_zeroed(struct zone *zone, unsigned int order,
			       unsigned long count, struct list_head *list,
			       int mt)
{
	unsigned long i;

	spin_lock(&zone->lock);
	for (i = 0; i < count; i++) {
		struct page *page = __rmqueue_zero_aware(zone, order, mt, true);

		if (!page)
			break;
		list_add_tail(&page->lru, list);
	}
	spin_unlock(&zone->lock);
	return i;
}

/*
 * The block a zero-aware allocation takes from a pcp @list (see
 * __rmqueue_zero_aware()).  A zeroing one with no known-zero page near
 * the tail refills with known-zero blocks from the buddy lists, if there
 * are any, before it settles for a dirty page.  Caller holds pcp->lock.
 */
static noinline struct page *pcp_pick_zero_aware(struct zone *zone,
						 struct per_cpu_pages *pcp,
						 struct list_head *list,
						 unsigned int order, int mt,
						 unsigned int alloc_flags)
{
	bool want_zero = alloc_flags & ALLOC_PREFER_ZERO;
	struct page *page = free_list_pick(NULL, list, want_zero);
	int alloced;

	if (page)
		return page;
	if (want_zero) {
		alloced = rmqueue_bulk_zeroed(zone, order,
					      nr_pcp_alloc(pcp, order), list,
					      mt);
		pcp->count += alloced << order;
		if (alloced)
			return list_last_entry(list, struct page, lru);
	}
	if (list_empty(list)) {
		alloced = rmqueue_bulk(zone, order, nr_pcp_alloc(pcp, order),
				       list, mt, alloc_flags);
		pcp->count += alloced << order;
		if (list_empty(list))
			return NULL;
	}
	return list_first_entry(list, struct page, lru);
}

static __always_inline struct page *rmqueue_pcplist(struct zone *preferred,
						    struct zone *zone,
				    unsigned int order, int mt,
				    unsigned int alloc_flags, bool *zeroed)
{
	struct per_cpu_pages *pcp = this_cpu_pcp(zone);
	struct list_head *list;
	struct page *page;

	if (!spin_trylock(&pcp->lock))
		return NULL;
	list = &pcp->lists[order_to_pindex(mt, order)];
	if (unlikely(alloc_flags & ALLOC_ZERO_AWARE)) {
		page = pcp_pick_zero_aware(zone, pcp, list, order, mt,
					   alloc_flags);
		if (unlikely(!page)) {
			spin_unlock(&pcp->lock);
			return NULL;
		}
		goto take;
	}
	if (list_empty(list)) {
		int batch = nr_pcp_alloc(pcp, order);
		int alloced = rmqueue_bulk(zone, order, batch, list, mt,
					   alloc_flags);

		pcp->count += alloced << order;
		if (unlikely(list_empty(list))) {
			spin_unlock(&pcp->lock);
			return NULL;
		}
	}
	page = list_first_entry(list, struct page, lru);
take:
	touch_zone(zone);
	list_del(&page->lru);
	pcp->count -= 1 << order;
	spin_unlock(&pcp->lock);
	*zeroed = take_page_zeroed(page);

	__count_zid_vm_events(PGALLOC, zone_idx(zone), 1L << order);
	zone_statistics(preferred, zone, 1);
	return page;
}

static struct page *rmqueue_buddy(struct zone *preferred, struct zone *zone,
				  unsigned int order, unsigned int alloc_flags,
				  int mt, bool *zeroed)
{
	struct page *page = NULL;

	spin_lock(&zone->lock);
	if (alloc_flags & ALLOC_HIGHATOMIC)
		page = __rmqueue_smallest(zone, order, MIGRATE_HIGHATOMIC);
	if (!page) {
		page = __rmqueue(zone, order, mt, alloc_flags);
		if (!page && (alloc_flags & (ALLOC_OOM | ALLOC_NON_BLOCK)))
			page = __rmqueue_smallest(zone, order,
						  MIGRATE_HIGHATOMIC);
	}
	if (page)
		*zeroed = take_page_zeroed(page);
	spin_unlock(&zone->lock);
	if (!page)
		return NULL;
	__count_zid_vm_events(PGALLOC, zone_idx(zone), 1L << order);
	zone_statistics(preferred, zone, 1);
	return page;
}

/*
 * Take a block for an allocation.  Its PG_zeroed is read and cleared here,
 * on every allocation, and returned in *@zeroed.
 */
static __always_inline struct page *rmqueue(struct zone *preferred,
					    struct zone *zone,
			    unsigned int order, unsigned int alloc_flags,
			    int mt, bool *zeroed)
{
	struct page *page;

	if (likely(pcp_allowed_order(order))) {
		page = rmqueue_pcplist(preferred, zone, order, mt, alloc_flags,
				       zeroed);
		if (likely(page))
			return page;
	}
	return rmqueue_buddy(preferred, zone, order, alloc_flags, mt, zeroed);
}

static bool __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
			 int highest_zoneidx, unsigned int alloc_flags,
			 long free_pages)
{
	long min = mark;
	unsigned int o;

	free_pages -= (1L << order) - 1;
	if (likely(!(alloc_flags & ALLOC_RESERVES))) {
		/* Free HighAtomic pages are for those who may use them. */
		free_pages -= READ_ONCE(z->nr_free_highatomic);
	} else {
		/* __GFP_HIGH gets half of min; non-blocking ones a bit more. */
		if (alloc_flags & ALLOC_MIN_RESERVE) {
			min -= min / 2;
			/* A bare GFP_NOWAIT gets none of the min reserve. */
			if (alloc_flags & ALLOC_NON_BLOCK)
				min -= min / 4;
		}
		/* OOM victims dig deeper still: they are about to free. */
		if (alloc_flags & ALLOC_OOM)
			min -= min / 2;
	}
	if (free_pages <= min + z->lowmem_reserve[highest_zoneidx])
		return false;
	if (!order)
		return true;
	for (o = order; o < NR_PAGE_ORDERS; o++) {
		struct free_area *area = &z->free_area[o];
		int mt;

		if (!READ_ONCE(area->nr_free))
			continue;
		for (mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			if (!free_area_empty(area, mt))
				return true;
		if ((alloc_flags & (ALLOC_HIGHATOMIC | ALLOC_OOM)) &&
		    !free_area_empty(area, MIGRATE_HIGHATOMIC))
			return true;
	}
	return false;
}

/* The common case: order 0, plenty free, no reserves involved. */
static __always_inline bool zone_watermark_fast(struct zone *z,
						unsigned int order,
						unsigned long mark,
						int highest_zoneidx,
						unsigned int alloc_flags)
{
	long free_pages = zone_page_state(z, NR_FREE_PAGES);

	if (!order && !(alloc_flags & ALLOC_RESERVES) &&
	    free_pages - (long)READ_ONCE(z->nr_free_highatomic) >
	    (long)(mark + z->lowmem_reserve[highest_zoneidx]))
		return true;
	return __zone_watermark_ok(z, order, mark, highest_zoneidx,
				   alloc_flags, free_pages);
}

bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
		       int highest_zoneidx, unsigned int alloc_flags)
{
	return __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags,
				   zone_page_state(z, NR_FREE_PAGES));
}

/* Reserve a pageblock for high-order atomic allocations, up to ~1%. */
static void reserve_highatomic_pageblock(struct page *page, int order,
					 struct zone *zone)
{
	unsigned long max_managed;
	int mt;

	max_managed = ALIGN(zone_managed_pages(zone) / 100, pageblock_nr_pages);
	if (zone->nr_reserved_highatomic >= max_managed)
		return;
	spin_lock(&zone->lock);
	if (zone->nr_reserved_highatomic >= max_managed)
		goto out_unlock;
	mt = get_pageblock_migratetype(page);
	if (!migratetype_is_mergeable(mt))
		goto out_unlock;
	if (order < pageblock_order) {
		unsigned long start_pfn;

		if (!prep_move_freepages_block(zone, page, &start_pfn, NULL,
					       NULL))
			goto out_unlock;
		__move_freepages_block(zone, start_pfn, mt, MIGRATE_HIGHATOMIC);
		set_pageblock_migratetype(pfn_to_page(start_pfn),
					  MIGRATE_HIGHATOMIC);
		zone->nr_reserved_highatomic += pageblock_nr_pages;
	} else {
		change_pageblock_range(page, order, MIGRATE_HIGHATOMIC);
		zone->nr_reserved_highatomic += 1UL << order;
	}
out_unlock:
	spin_unlock(&zone->lock);
}

/* Give HighAtomic pageblocks back before failing an allocation. */
static bool unreserve_highatomic_pageblock(const struct alloc_context *ac)
{
	struct zoneref *z;
	bool ret = false;

	for (z = ac->zonelist->_zonerefs; z->zone; z++) {
		struct zone *zone = z->zone;
		unsigned int order;

		if (z->zone_idx > (int)ac->highest_zoneidx ||
		    !zone->nr_reserved_highatomic)
			continue;
		spin_lock(&zone->lock);
		for (order = 0; order < NR_PAGE_ORDERS; order++) {
			struct free_area *area = &zone->free_area[order];
			struct page *page;
			unsigned long start_pfn;

			page = get_page_from_free_area(zone, area, MIGRATE_HIGHATOMIC);
			if (!page)
				continue;
			if (order < pageblock_order) {
				if (!prep_move_freepages_block(zone, page,
							       &start_pfn,
							       NULL, NULL))
					continue;
				__move_freepages_block(zone, start_pfn,
						       MIGRATE_HIGHATOMIC,
						       ac->migratetype);
				set_pageblock_migratetype(
					pfn_to_page(start_pfn),
					ac->migratetype);
				zone->nr_reserved_highatomic -=
					min(pageblock_nr_pages,
					    zone->nr_reserved_highatomic);
			} else {
				move_to_free_list(page, zone, order,
						  MIGRATE_HIGHATOMIC,
						  ac->migratetype);
				change_pageblock_range(page, order,
						       ac->migratetype);
				zone->nr_reserved_highatomic -=
					min(1UL << order,
					    zone->nr_reserved_highatomic);
			}
			ret = true;
			break;
		}
		spin_unlock(&zone->lock);
		if (ret)
			break;
	}
	return ret;
}

static __always_inline struct page *get_page_from_freelist(gfp_t gfp,
							   unsigned int order,
					   unsigned int alloc_flags,
					   const struct alloc_context *ac)
{
	struct zone *preferred = NULL;
	struct zoneref *z;

	if (zero_aware_alloc())
		alloc_flags |= ALLOC_ZERO_AWARE | (want_init_on_alloc(gfp) ?
						   ALLOC_PREFER_ZERO : 0);
	for (z = ac->zonelist->_zonerefs; z->zone; z++) {
		struct zone *zone = z->zone;
		struct page *page;
		bool zeroed = false;

		if (z->zone_idx > (int)ac->highest_zoneidx)
			continue;
		/* The first usable zone is the preferred one (NUMA stats). */
		if (!preferred)
			preferred = zone;
		if (!(alloc_flags & ALLOC_NO_WATERMARKS)) {
			unsigned long mark = wmark_pages(zone, alloc_flags &
							 ALLOC_WMARK_MASK);

			if (!zone_watermark_fast(zone, order, mark,
						 ac->highest_zoneidx,
						 alloc_flags))
				continue;
		}
		page = rmqueue(preferred, zone, order, alloc_flags,
			       ac->migratetype, &zeroed);
		if (!page)
			continue;
		if (unlikely(check_new_pages(page, order))) {
			/* Leak the bad block, as Linux does, and go on. */
			continue;
		}
		prep_new_page(page, order, gfp, ac, zeroed);
		if (unlikely(alloc_flags & ALLOC_HIGHATOMIC) && order)
			reserve_highatomic_pageblock(page, order, zone);
		return page;
	}
	return NULL;
}

static unsigned int gfp_to_alloc_flags(gfp_t gfp, unsigned int order)
{
	unsigned int alloc_flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;

	alloc_flags |= (gfp & __GFP_HIGH) ? ALLOC_MIN_RESERVE : 0;
	if (!(gfp & __GFP_DIRECT_RECLAIM)) {
		if (!(gfp & __GFP_NOMEMALLOC)) {
			alloc_flags |= ALLOC_NON_BLOCK;
			if (order > 0 && (alloc_flags & ALLOC_MIN_RESERVE))
				alloc_flags |= ALLOC_HIGHATOMIC;
		}
	}
	if ((gfp & __GFP_MEMALLOC) && !(gfp & __GFP_NOMEMALLOC))
		alloc_flags |= ALLOC_NO_WATERMARKS;
	return alloc_flags;
}

/*
 * Linux's __alloc_pages_may_oom(), without a killer: an allocation that
 * may reclaim and may not fail early runs the OOM notifiers
 * (out_of_memory()), and retries if they freed anything.
 */
static bool __alloc_pages_may_oom(gfp_t gfp, unsigned int order)
{
	if (!(gfp & __GFP_DIRECT_RECLAIM) ||
	    (gfp & (__GFP_NORETRY | __GFP_RETRY_MAYFAIL | __GFP_THISNODE)) ||
	    order > PAGE_ALLOC_COSTLY_ORDER)
		return false;
	return out_of_memory() > 0;
}

/*
 * The slow path.  foliage has no reclaim or compaction yet, so what is left
 * is what Linux does around them: go down to the min watermark (and below,
 * for __GFP_HIGH), drain the per-CPU lists, give back HighAtomic reserves,
 * and fail.  __GFP_NOFAIL cannot loop forever here: it fails like the rest.
 */
static noinline struct page *__alloc_pages_slowpath(gfp_t gfp,
						    unsigned int order,
					   struct alloc_context *ac)
{
	unsigned int alloc_flags = gfp_to_alloc_flags(gfp, order);
	struct page *page;

retry:
	page = get_page_from_freelist(gfp, order, alloc_flags, ac);
	if (page)
		return page;
	drain_all_pages(NULL);
	page = get_page_from_freelist(gfp, order, alloc_flags, ac);
	if (page)
		return page;
	if (unreserve_highatomic_pageblock(ac))
		page = get_page_from_freelist(gfp, order, alloc_flags, ac);
	/* Where Linux would OOM: its notifiers may free memory (a balloon). */
	if (!page && __alloc_pages_may_oom(gfp, order))
		goto retry;
	return page;
}

static __always_inline struct page *alloc_pages_inline(gfp_t gfp,
						       unsigned int order,
						       int nid,
						       unsigned long user_addr,
						       bool frozen)
{
	struct alloc_context ac;
	struct page *page = NULL;
	int mt = gfp_migratetype(gfp);

	if (unlikely(order > MAX_PAGE_ORDER))
		goto out;
	if (nid < 0 || nid >= this_machine->nr_nodes)
		nid = numa_node_id();
	gfp &= __GFP_BITS_MASK;
	if (should_fail_alloc_page(gfp, order))
		goto out;

	ac.preferred_nid = nid;
	ac.zonelist = &NODE_DATA(nid)->node_zonelists[
		(gfp & __GFP_THISNODE) ? ZONELIST_NOFALLBACK :
					 ZONELIST_FALLBACK];
	ac.highest_zoneidx = gfp_zone(gfp);
	ac.migratetype = mt;
	ac.user_addr = user_addr;
	ac.frozen = frozen;

	page = get_page_from_freelist(gfp, order, ALLOC_WMARK_LOW, &ac);
	if (unlikely(!page))
		page = __alloc_pages_slowpath(gfp, order, &ac);
out:
	trace_mm_page_alloc(page, order, gfp, mt);
	return page;
}

struct page *__alloc_pages_ac(gfp_t gfp, unsigned int order, int nid,
			      unsigned long user_addr, bool frozen)
{
	return alloc_pages_inline(gfp, order, nid, user_addr, frozen);
}

struct page *__alloc_pages(gfp_t gfp, unsigned int order, int preferred_nid)
{
	return alloc_pages_inline(gfp, order, preferred_nid, USER_ADDR_NONE,
				  false);
}

struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order)
{
	return __alloc_pages(gfp, order, nid);
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	return alloc_pages_inline(gfp, order, numa_node_id(), USER_ADDR_NONE,
				  false);
}

struct page *alloc_frozen_pages(gfp_t gfp, unsigned int order, int nid)
{
	return __alloc_pages_ac(gfp, order, nid, USER_ADDR_NONE, true);
}

struct folio *__folio_alloc(gfp_t gfp, unsigned int order, int nid)
{
	return (struct folio *)__alloc_pages(gfp | __GFP_COMP, order, nid);
}

struct folio *folio_alloc(gfp_t gfp, unsigned int order)
{
	return __folio_alloc(gfp, order, numa_node_id());
}

struct folio *folio_alloc_user(gfp_t gfp, unsigned int order, int nid,
			       unsigned long user_addr)
{
	return (struct folio *)__alloc_pages_ac(gfp | __GFP_COMP, order, nid,
						user_addr, false);
}

/*
 * Fill the NULL slots of @page_array with order-0 pages, taking them from
 * one zone's per-CPU list under one lock.  Returns how many slots are
 * filled (including ones that already were).
 */
unsigned long alloc_pages_bulk(gfp_t gfp, int nid, unsigned long nr_pages,
			       struct page **page_array)
{
	struct alloc_context ac = { .user_addr = USER_ADDR_NONE };
	unsigned long nr_populated = 0, nr_account = 0, i;
	struct zone *zone = NULL;
	struct zoneref *z;
	struct per_cpu_pages *pcp;
	struct list_head *list;

	while (nr_populated < nr_pages && page_array[nr_populated])
		nr_populated++;
	if (nr_populated == nr_pages)
		return nr_populated;
	if (nr_pages - nr_populated == 1)
		goto failed;
	/* An injected failure fails the whole call, as prepare_alloc_pages(). */
	if (should_fail_alloc_page(gfp, 0))
		return nr_populated;

	if (nid < 0 || nid >= this_machine->nr_nodes)
		nid = numa_node_id();
	ac.zonelist = &NODE_DATA(nid)->node_zonelists[
		(gfp & __GFP_THISNODE) ? ZONELIST_NOFALLBACK :
					 ZONELIST_FALLBACK];
	ac.highest_zoneidx = gfp_zone(gfp);
	ac.migratetype = gfp_migratetype(gfp);

	for (z = ac.zonelist->_zonerefs; z->zone; z++) {
		if (z->zone_idx > (int)ac.highest_zoneidx)
			continue;
		/* Only the preferred node: anything else is the slow path's. */
		if (zone_to_nid(z->zone) != nid)
			break;
		if (zone_watermark_ok(z->zone, 0, low_wmark_pages(z->zone) +
				      nr_pages, ac.highest_zoneidx,
				      ALLOC_WMARK_LOW)) {
			zone = z->zone;
			break;
		}
	}
	if (!zone)
		goto failed;

	pcp = this_cpu_pcp(zone);
	if (!spin_trylock(&pcp->lock))
		goto failed;
	list = &pcp->lists[order_to_pindex(ac.migratetype, 0)];
	for (i = nr_populated; i < nr_pages; i++) {
		struct page *page;
		bool zeroed;

		if (page_array[i]) {
			nr_populated++;
			continue;
		}
		if (list_empty(list)) {
			int got = rmqueue_bulk(zone, 0, nr_pcp_alloc(pcp, 0),
					       list, ac.migratetype, 0);

			pcp->count += got;
			if (!got)
				break;
		}
		page = list_first_entry(list, struct page, lru);
		touch_zone(zone);
		list_del(&page->lru);
		pcp->count--;
		zeroed = take_page_zeroed(page);
		if (check_new_pages(page, 0))
			continue;
		nr_account++;
		prep_new_page(page, 0, gfp, &ac, zeroed);
		trace_mm_page_alloc(page, 0, gfp, ac.migratetype);
		page_array[i] = page;
		nr_populated++;
	}
	spin_unlock(&pcp->lock);
	__count_zid_vm_events(PGALLOC, zone_idx(zone), nr_account);
	for (i = 0; i < nr_account; i++)
		zone_statistics(zone, zone, 1);
	if (nr_populated < nr_pages && !page_array[nr_populated])
		goto failed;
	return nr_populated;

failed:
	while (nr_populated < nr_pages && page_array[nr_populated])
		nr_populated++;
	if (nr_populated < nr_pages) {
		struct page *page = __alloc_pages(gfp, 0, nid);

		if (page)
			page_array[nr_populated++] = page;
	}
	return nr_populated;
}

/* ---- isolation and contiguous ranges --------------------------------- */

/*
 * Take a free block off the lists for its caller to own (page reporting,
 * compaction).  Caller holds zone->lock.  PG_zeroed is cleared: whoever
 * isolates may write the block.  Returns the pages taken, 0 if the zone
 * would fall below its min watermark.
 */
int __isolate_free_page(struct page *page, unsigned int order)
{
	struct zone *zone = page_zone(page);
	int mt = get_pageblock_migratetype(page);

	lockdep_assert_held(&zone->lock);

	list_if_unlisted(zone, page, order);
	if (!is_migrate_isolate(mt)) {
		unsigned long wmark = min_wmark_pages(zone) + (1UL << order);

		if (!zone_watermark_ok(zone, 0, wmark, 0, 0))
			return 0;
	}
	prepare_block(zone, page, order);
	del_page_from_free_list(page, zone, order, mt);
	__ClearPageZeroed(page);

	/* Isolating half a pageblock or more makes the block movable. */
	if (order >= pageblock_order - 1) {
		struct page *endpage = page + (1UL << order) - 1;

		for (; page < endpage; page += pageblock_nr_pages) {
			int bmt = get_pageblock_migratetype(page);
			unsigned long start_pfn = pageblock_start_pfn(
				page_to_pfn(page));

			if (migratetype_is_mergeable(bmt) &&
			    bmt != MIGRATE_MOVABLE) {
				__move_freepages_block(zone, start_pfn, bmt,
						       MIGRATE_MOVABLE);
				set_pageblock_migratetype(page,
							  MIGRATE_MOVABLE);
			}
		}
	}
	return 1 << order;
}

/* Return an isolated block; caller holds zone->lock. */
void __putback_isolated_page(struct page *page, unsigned int order, int mt)
{
	struct zone *zone = page_zone(page);

	lockdep_assert_held(&zone->lock);

	__free_one_page(page, page_to_pfn(page), zone, order, mt,
			FPI_SKIP_REPORT_NOTIFY | FPI_TO_TAIL);
}

/*
 * The head of the free block containing @pfn, if any.  Caller holds the
 * zone lock.
 */
int find_free_block_head(unsigned long pfn, unsigned long *head_pfn,
			 unsigned int *order)
{
	unsigned int o;

	if (block_is_unlisted(pfn_zone(pfn), pfn)) {
		*head_pfn = ALIGN_DOWN(pfn, MAX_ORDER_NR_PAGES);
		*order = MAX_PAGE_ORDER;
		return 0;
	}
	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		unsigned long h = pfn & ~((1UL << o) - 1);
		struct page *page = pfn_to_page(h);

		if (PageBuddy(page) && buddy_order(page) >= o) {
			if (h + (1UL << buddy_order(page)) <= pfn)
				return -ENOENT;
			*head_pfn = h;
			*order = buddy_order(page);
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * Isolate [start, end) (max-order aligned), moving its free blocks to the
 * isolate lists so that nobody else allocates them.
 */
static void isolate_range(struct zone *zone, unsigned long start,
			  unsigned long end)
{
	unsigned long pfn;

	for (pfn = start; pfn < end; pfn += pageblock_nr_pages) {
		struct page *page = pfn_to_page(pfn);

		__move_freepages_block(zone, pfn,
				       get_pageblock_migratetype(page),
				       MIGRATE_ISOLATE);
		set_pageblock_migratetype(page, MIGRATE_ISOLATE);
	}
}

/*
 * Undo isolate_range(): each free block goes back to the type its first
 * pageblock had (@saved, one byte per pageblock), and a block larger than
 * a pageblock makes all of its pageblocks that type.
 */
static void unisolate_range(struct zone *zone, unsigned long start,
			    unsigned long end, const unsigned char *saved)
{
	unsigned long pfn = start;

	while (pfn < end) {
		struct page *page = pfn_to_page(pfn);
		int mt = saved[(pfn - start) >> pageblock_order] &
			 PB_migrate_mask;

		if (PageBuddy(page) && buddy_order(page) > pageblock_order) {
			unsigned int order = buddy_order(page);

			move_to_free_list(page, zone, order, MIGRATE_ISOLATE,
					  mt);
			change_pageblock_range(page, order, mt);
			pfn += 1UL << order;
			continue;
		}
		__move_freepages_block(zone, pfn, MIGRATE_ISOLATE, mt);
		set_pageblock_migratetype(page, mt);
		pfn += pageblock_nr_pages;
	}
}

/* Free [from, to) as the largest aligned blocks that fit.  zone->lock held. */
static void free_range_aligned(struct zone *zone, unsigned long from,
			       unsigned long to, int mt)
{
	while (from < to) {
		unsigned int order = from ? __builtin_ctzl(from) : MAX_PAGE_ORDER;

		if (order > MAX_PAGE_ORDER)
			order = MAX_PAGE_ORDER;
		while (from + (1UL << order) > to)
			order--;
		__free_one_page(pfn_to_page(from), from, zone, order, mt,
				FPI_SKIP_REPORT_NOTIFY);
		from += 1UL << order;
	}
}

/*
 * Allocate exactly the pfns [start, end), which must be free (foliage has
 * no migration yet, so in-use pages make it -EBUSY).  The max-order blocks
 * around the range are isolated while the free blocks covering it are
 * split, so that nothing else takes them meanwhile.  PG_zeroed is dropped.
 * With __GFP_COMP and a power-of-two aligned range the result is one
 * compound page; otherwise every page has a refcount of 1.
 */
int alloc_contig_range(unsigned long start, unsigned long end, gfp_t gfp)
{
	unsigned long bstart = ALIGN_DOWN(start, MAX_ORDER_NR_PAGES);
	unsigned long bend = ALIGN(end, MAX_ORDER_NR_PAGES);
	unsigned long pfn, nr_pages = end - start;
	unsigned char *saved;
	struct zone *zone;
	int ret = 0;

	if (start >= end || !pfn_valid(start) || !pfn_valid(end - 1))
		return -EINVAL;
	zone = pfn_zone(start);
	if (pfn_zone(end - 1) != zone || bend > zone_end_pfn(zone))
		return -EINVAL;
	if ((gfp & __GFP_COMP) &&
	    ((nr_pages & (nr_pages - 1)) || !IS_ALIGNED(start, nr_pages)))
		return -EINVAL;

	/* Pages in use but movable go elsewhere first (mm/migrate.c). */
	ret = alloc_contig_migrate_range(start, end);
	if (ret)
		return ret;
	saved = calloc((bend - bstart) >> pageblock_order, 1);
	if (!saved)
		return -ENOMEM;
	drain_all_pages(zone);

	spin_lock(&zone->lock);
	for (pfn = bstart; pfn < bend; pfn += pageblock_nr_pages) {
		unsigned char f = *pfn_pageblock_flags(pfn);

		if (f & PB_migrate_isolate) {
			ret = -EBUSY;
			goto out_unlock;
		}
		saved[(pfn - bstart) >> pageblock_order] = f;
	}
	/* Every page of the range must be inside a free block. */
	for (pfn = start; pfn < end;) {
		unsigned long head;
		unsigned int order;

		if (find_free_block_head(pfn, &head, &order)) {
			ret = -EBUSY;
			goto out_unlock;
		}
		pfn = head + (1UL << order);
	}

	/* Unlisted blocks around the range join the lists to be isolated. */
	for (pfn = bstart; pfn < bend; pfn += MAX_ORDER_NR_PAGES)
		if (block_is_unlisted(zone, pfn))
			list_unlisted_block(zone, (pfn - zone->zone_start_pfn) >>
						  MAX_PAGE_ORDER);
	isolate_range(zone, bstart, bend);
	for (pfn = start; pfn < end;) {
		unsigned long head = pfn, block_end;
		unsigned int order = 0;
		struct page *page;

		/* Checked above, under the same lock: it is there. */
		find_free_block_head(pfn, &head, &order);
		page = pfn_to_page(head);
		prepare_block(zone, page, order);
		__del_page_from_free_list(page, zone, order, MIGRATE_ISOLATE);
		__ClearPageZeroed(page);
		block_end = head + (1UL << order);
		free_range_aligned(zone, head, max(head, start),
				   MIGRATE_ISOLATE);
		free_range_aligned(zone, min(block_end, end), block_end,
				   MIGRATE_ISOLATE);
		pfn = block_end;
	}
	unisolate_range(zone, bstart, bend, saved);
out_unlock:
	spin_unlock(&zone->lock);
	free(saved);
	if (ret)
		return ret;

	__count_zid_vm_events(PGALLOC, zone_idx(zone), nr_pages);
	if ((gfp & __GFP_COMP) && nr_pages > 1)
		prep_compound_page(pfn_to_page(start), ilog2_ul(nr_pages));
	for (pfn = start; pfn < end; pfn++) {
		struct page *page = pfn_to_page(pfn);

		/* The range's isolated part was never on a pcp list. */
		if (want_init_on_alloc(gfp))
			clear_highpages(page, 1);
		if (pfn == start || !(gfp & __GFP_COMP))
			set_page_refcounted(page);
	}
	return 0;
}

/*
 * The hugetlb part of Linux 6.18's pfn_range_valid_contig():
 * alloc_contig_pages() does not try a range that holds a hugetlb page
 * (alloc_contig_range() called on such a range migrates or dissolves it).
 */
static bool pfn_range_has_hugetlb(unsigned long start, unsigned long nr)
{
	unsigned long pfn;

	for (pfn = start; pfn < start + nr; pfn++) {
		struct page *page = pfn_to_page(pfn);

		if (PageBuddy(page)) {
			unsigned int order = buddy_order(page);

			/* Racy, as Linux's: a stale order only slows it. */
			if (order <= MAX_PAGE_ORDER)
				pfn = ALIGN_DOWN(pfn, 1UL << order) +
				      (1UL << order) - 1;
			continue;
		}
		if (PageHugetlb(compound_head(page)))
			return true;
	}
	return false;
}

struct page *alloc_contig_pages(unsigned long nr_pages, gfp_t gfp, int nid)
{
	struct zonelist *zl;
	struct zoneref *z;
	unsigned long align = roundup_pow_of_two(nr_pages);

	if (!nr_pages)
		return NULL;
	if (nid < 0 || nid >= this_machine->nr_nodes)
		nid = numa_node_id();
	if (should_fail_alloc_page(gfp, ilog2_ul(align)))
		return NULL;
	zl = &NODE_DATA(nid)->node_zonelists[(gfp & __GFP_THISNODE) ?
					     ZONELIST_NOFALLBACK :
					     ZONELIST_FALLBACK];
	for (z = zl->_zonerefs; z->zone; z++) {
		struct zone *zone = z->zone;
		unsigned long pfn;

		if (z->zone_idx > (int)gfp_zone(gfp))
			continue;
		for (pfn = ALIGN(zone->zone_start_pfn, align);
		     pfn + nr_pages <= zone_end_pfn(zone); pfn += align) {
			if (pfn_range_has_hugetlb(pfn, nr_pages))
				continue;
			if (alloc_contig_range(pfn, pfn + nr_pages, gfp) == 0)
				return pfn_to_page(pfn);
		}
	}
	return NULL;
}

void free_contig_range(unsigned long pfn, unsigned long nr_pages)
{
	struct page *page = pfn_to_page(pfn);

	if (PageHead(page) && (1UL << compound_order(page)) == nr_pages) {
		struct folio *folio = (struct folio *)page;

		if (atomic_dec_and_test(&folio->_refcount)) {
			unsigned int order = folio_order(folio);

			if (order <= MAX_PAGE_ORDER) {
				__free_frozen_pages(page, order, FPI_NONE);
				return;
			}
			/* Gigantic: undo compound, free in max-order pieces. */
			if (free_pages_prepare(page, order)) {
				unsigned long i;

				count_vm_events(PGFREE, nr_pages);
				for (i = 0; i < nr_pages; i += MAX_ORDER_NR_PAGES)
					free_one_page(page_zone(page + i),
						      page + i, pfn + i,
						      MAX_PAGE_ORDER, FPI_NONE);
			}
		}
		return;
	}
	for (; nr_pages--; pfn++)
		__free_pages(pfn_to_page(pfn), 0);
}

/* ---- watermarks, pcp sizing, zonelists ------------------------------- */

static void setup_per_zone_lowmem_reserve(void)
{
	struct foliage_machine *m = this_machine;
	int nid;

	for (nid = 0; nid < m->nr_nodes; nid++) {
		pg_data_t *pgdat = m->node_data[nid];
		int i, j;

		for (i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *zone = &pgdat->node_zones[i];
			unsigned long managed = 0;

			zone->lowmem_reserve[i] = 0;
			for (j = i + 1; j < MAX_NR_ZONES; j++) {
				managed += zone_managed_pages(
					&pgdat->node_zones[j]);
				zone->lowmem_reserve[j] =
					lowmem_reserve_ratio[i] && managed ?
					managed / lowmem_reserve_ratio[i] : 0;
			}
		}
	}
}

/* Watermarks from min_free_kbytes and watermark_scale_factor. */
void setup_per_zone_wmarks(void)
{
	struct foliage_machine *m = this_machine;
	unsigned long pages_min = m->sysctl.min_free_kbytes >> (PAGE_SHIFT - 10);
	unsigned long lowmem_pages = 0;
	int nid, z;

	for (nid = 0; nid < m->nr_nodes; nid++)
		for (z = 0; z < MAX_NR_ZONES; z++)
			if (z != ZONE_MOVABLE)
				lowmem_pages += zone_managed_pages(
					&m->node_data[nid]->node_zones[z]);

	for (nid = 0; nid < m->nr_nodes; nid++) {
		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &m->node_data[nid]->node_zones[z];
			unsigned long managed = zone_managed_pages(zone);
			unsigned long tmp;

			if (!lowmem_pages)
				break;
			spin_lock(&zone->lock);
			tmp = pages_min * managed / lowmem_pages;
			if (z == ZONE_MOVABLE) {
				unsigned long min_pages = managed / 1024;

				zone->_watermark[WMARK_MIN] =
					clamp(min_pages, 32UL, 128UL);
			} else {
				zone->_watermark[WMARK_MIN] = tmp;
			}
			tmp = max(tmp >> 2, managed *
				  (unsigned long)m->sysctl.watermark_scale_factor /
				  10000);
			zone->_watermark[WMARK_LOW] =
				zone->_watermark[WMARK_MIN] + tmp;
			zone->_watermark[WMARK_HIGH] =
				zone->_watermark[WMARK_LOW] + tmp;
			zone->_watermark[WMARK_PROMO] =
				zone->_watermark[WMARK_HIGH] + tmp;
			spin_unlock(&zone->lock);
		}
	}
	setup_per_zone_lowmem_reserve();
}

static int zone_batchsize(struct zone *zone)
{
	int batch = min(zone_managed_pages(zone) >> 10, SZ_1M / PAGE_SIZE);

	batch /= 4;
	if (batch < 1)
		batch = 1;
	batch = rounddown_pow_of_two(batch + batch / 2) - 1;
	return batch < 1 ? 1 : batch;
}

static int zone_highsize(struct zone *zone, int batch)
{
	int fraction = this_machine->sysctl.percpu_pagelist_high_fraction;
	unsigned long total;
	int high;

	if (fraction)
		total = zone_managed_pages(zone) / fraction;
	else
		total = low_wmark_pages(zone);
	high = total / this_machine->nr_cpus;
	return max(high, batch << 2);
}

/* Size the pcp lists of @zone from its watermarks. */
void zone_pcp_update(struct zone *zone)
{
	int batch = zone_batchsize(zone), high = zone_highsize(zone, batch);
	int cpu;

	for (cpu = 0; cpu < this_machine->nr_cpus; cpu++) {
		struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

		spin_lock(&pcp->lock);
		pcp->batch = batch;
		pcp->high = high;
		spin_unlock(&pcp->lock);
	}
}

/*
 * Make every CPU's pcp lists of @zone pass pages straight through to the
 * buddy lists, as memory offlining and memory-failure handling do: high 0
 * and batch 1, so that each free drains at once and each allocation takes
 * a single page from the buddy lists, then drain what the lists hold.
 * zone_pcp_enable() sizes them again from the watermarks.  Linux holds
 * pcp_batch_high_lock from disable to enable so that nothing resizes the
 * lists meanwhile; foliage's resizer (a vm.percpu_pagelist_high_fraction
 * write) does not take such a lock, so callers must not race one.
 */
void zone_pcp_disable(struct zone *zone)
{
	int cpu;

	for (cpu = 0; cpu < this_machine->nr_cpus; cpu++) {
		struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

		spin_lock(&pcp->lock);
		pcp->high = 0;
		pcp->batch = 1;
		spin_unlock(&pcp->lock);
	}
	drain_all_pages(zone);
}

void zone_pcp_enable(struct zone *zone)
{
	zone_pcp_update(zone);
}

/*
 * Each node's fallback zonelist: its own zones highest first, then the
 * other nodes in order of distance (all equal here: nid+1, nid+2, ...).
 */
void build_all_zonelists(void)
{
	struct foliage_machine *m = this_machine;
	int nid;

	for (nid = 0; nid < m->nr_nodes; nid++) {
		pg_data_t *pgdat = m->node_data[nid];
		struct zoneref *zr = pgdat->node_zonelists[ZONELIST_FALLBACK]._zonerefs;
		struct zoneref *nf = pgdat->node_zonelists[ZONELIST_NOFALLBACK]._zonerefs;
		int i, z;

		for (i = 0; i < m->nr_nodes; i++) {
			pg_data_t *p = m->node_data[(nid + i) % m->nr_nodes];

			for (z = MAX_NR_ZONES - 1; z >= 0; z--) {
				struct zone *zone = &p->node_zones[z];

				if (!populated_zone(zone))
					continue;
				zr->zone = zone;
				zr->zone_idx = z;
				zr++;
				if (i == 0) {
					nf->zone = zone;
					nf->zone_idx = z;
					nf++;
				}
			}
		}
		zr->zone = NULL;
		nf->zone = NULL;
	}
}

/* ---- vm.* sysctls of the page allocator ---- */

/* Watermarks and pcp high/batch follow the knobs they derive from. */
static void refresh_zones(void)
{
	struct foliage_machine *m = this_machine;
	int nid, z;

	setup_per_zone_wmarks();
	for (nid = 0; nid < m->nr_nodes; nid++)
		for (z = 0; z < MAX_NR_ZONES; z++)
			if (populated_zone(&m->node_data[nid]->node_zones[z]))
				zone_pcp_update(&m->node_data[nid]->node_zones[z]);
}

static int zone_knob_handler(const struct ctl_table *t, void *data, long v)
{
	ctl_store(t, data, v);
	refresh_zones();
	return 0;
}

/* Linux's MIN_PERCPU_PAGELIST_HIGH_FRACTION: 0 (default) or >= 8. */
static int pcp_high_fraction_handler(const struct ctl_table *t, void *data,
				     long v)
{
	if (v && v < 8)
		return -EINVAL;
	return zone_knob_handler(t, data, v);
}

static const struct ctl_table vm_sysctl_knobs[] = {
	CTL_ENTRY("vm.init_on_alloc", struct vm_sysctl, init_on_alloc,
		  CTL_BOOL, 0, 1),
	{ .procname = "vm.init_on_free", .type = CTL_BOOL,
	  .offset = offsetof(struct vm_sysctl, init_on_free),
	  .min = 0, .max = 1, .boot_only = true },
	{ .procname = "vm.min_free_kbytes", .type = CTL_INT,
	  .offset = offsetof(struct vm_sysctl, min_free_kbytes),
	  .min = 0, .max = 1L << 30, .proc_handler = zone_knob_handler },
	{ .procname = "vm.watermark_scale_factor", .type = CTL_INT,
	  .offset = offsetof(struct vm_sysctl, watermark_scale_factor),
	  .min = 1, .max = 3000, .proc_handler = zone_knob_handler },
	CTL_ENTRY("vm.zero_aware_alloc", struct vm_sysctl, zero_aware_alloc,
		  CTL_BOOL, 0, 1),
	{ .procname = "vm.drop_caches", .type = CTL_INT,
	  .offset = offsetof(struct vm_sysctl, drop_caches),
	  .min = 1, .max = 4, .proc_handler = drop_caches_sysctl_handler },
	{ .procname = "vm.percpu_pagelist_high_fraction", .type = CTL_INT,
	  .offset = offsetof(struct vm_sysctl, percpu_pagelist_high_fraction),
	  .min = 0, .max = 1L << 30,
	  .proc_handler = pcp_high_fraction_handler },
};

static void *vm_sysctl_state(struct foliage_machine *m)
{
	return &m->sysctl;
}

const struct machine_subsys vm_sysctl_subsys = {
	.name = "vm_sysctl",
	.state = vm_sysctl_state,
	.knobs = vm_sysctl_knobs,
	.nr_knobs = ARRAY_SIZE(vm_sysctl_knobs),
};
