// SPDX-License-Identifier: GPL-2.0
/*
 * Structure validators (CONFIG_DEBUG_VM for a process) and content checks.
 *
 * validate_zone() proves, under the zone's locks, every invariant listed at
 * the top of include/linux/mmzone.h: free-list membership and counts per
 * order and migratetype, NR_FREE_PAGES, buddies left unmerged, pageblock
 * types, per-CPU list counts, and that no page is both free and in use.
 * With debug.full on, every PG_zeroed block is also checked to be zero.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rmap_check.h"
#include <linux/mm.h>
#include <linux/swap.h>
#include <linux/hugetlb.h>
#include <linux/machine_subsys.h>

int dump_page_str(const struct page *page, char *buf, size_t len)
{
	return snprintf(buf, len,
			"page pfn:0x%lx refcount:%d mapcount:%d mapping:%p index:0x%lx flags:0x%lx type:0x%x",
			page_to_pfn(page), page_ref_count(page),
			atomic_read(&page->_mapcount) + 1, (void *)page->mapping,
			page->index, page->flags, page->page_type);
}

bool memchr_inv_zero(const void *p, size_t bytes)
{
	const unsigned long *w = p;
	size_t i;

	for (i = 0; i < bytes / sizeof(*w); i++)
		if (w[i])
			return true;
	return false;
}

/* A block handed out (or kept) as known-zero must be zero. */
void check_zeroed_content(struct page *page, unsigned int order,
			  const char *why)
{
	if (memchr_inv_zero(page_address(page), PAGE_SIZE << order))
		report_bug("%s pfn 0x%lx order %u is not zero", why,
			   page_to_pfn(page), order);
}

#define zbug(zone, ...) do {						\
	report_bug("zone %d:%s: " FIRST_ARG(__VA_ARGS__),		\
		   zone_to_nid(zone), (zone)->name REST_ARGS(__VA_ARGS__)); \
	ret = -EUCLEAN;							\
} while (0)
#define FIRST_ARG(a, ...)	a
#define REST_ARGS(a, ...)	, ##__VA_ARGS__

/*
 * Bitmap of the zone's pfns that are free (buddy or pcp): whole words at a
 * time, so marking a free block costs its size / BITS_PER_LONG.
 */
static void mark_free(unsigned long *map, unsigned long idx,
		      unsigned long nr)
{
	const unsigned long bits = 8 * sizeof(long);

	for (; nr && (idx % bits); nr--, idx++)
		__set_bit(idx, map);
	for (; nr >= bits; nr -= bits, idx += bits)
		map[idx / bits] = ~0UL;
	for (; nr; nr--, idx++)
		__set_bit(idx, map);
}

/*
 * The unlisted blocks (mm_init.c): their place is on the Movable max-order
 * list, each is a whole block in the zone, Movable, deferred, at or above
 * the cursor, and nr_unlisted counts them.  *@nr is how many there are.
 * Their heads are not read: that would fault in the memmap they save.
 */
static int validate_unlisted(struct zone *zone, unsigned int order, int mt,
			     unsigned long *nr)
{
	unsigned long nr_max = zone->spanned_pages >> MAX_PAGE_ORDER;
	unsigned long w, n = 0;
	int ret = 0;

	if (order != MAX_PAGE_ORDER || mt != MIGRATE_MOVABLE)
		zbug(zone, "unlisted blocks on the order-%u %s list",
		     order, migratetype_names[mt]);
	for (w = 0; w < DIV_ROUND_UP(nr_max, 64); w++) {
		unsigned long bits = zone->unlisted[w];

		if (!bits)
			continue;
		n += __builtin_popcountl(bits);
		if (bits & ~zone->deferred_init[w])
			zbug(zone, "unlisted blocks near 0x%lx not deferred",
			     zone->zone_start_pfn + (w << (6 + MAX_PAGE_ORDER)));
		for (; bits; bits &= bits - 1) {
			unsigned long idx = w * 64 + __builtin_ctzl(bits);
			unsigned long pfn = zone->zone_start_pfn +
					    (idx << MAX_PAGE_ORDER), b;

			if (idx >= nr_max || idx < zone->unlisted_next)
				zbug(zone, "unlisted block 0x%lx outside the zone or below the cursor",
				     pfn);
			for (b = pfn; b < pfn + MAX_ORDER_NR_PAGES;
			     b += pageblock_nr_pages)
				if (get_pfnblock_migratetype(b) !=
				    MIGRATE_MOVABLE)
					zbug(zone, "unlisted block 0x%lx in a %s pageblock",
					     pfn,
					     migratetype_names[get_pfnblock_migratetype(b)]);
		}
	}
	if (n != zone->nr_unlisted)
		zbug(zone, "nr_unlisted %lu but %lu unlisted blocks",
		     zone->nr_unlisted, n);
	*nr = n;
	return ret;
}

static int validate_free_lists(struct zone *zone, unsigned long *free_map)
{
	unsigned long start = zone->zone_start_pfn, end = zone_end_pfn(zone);
	unsigned long nr_free_pages = 0, nr_free_blocks = 0, nr_highatomic = 0;
	unsigned int order;
	int ret = 0, mt;

	for (order = 0; order < NR_PAGE_ORDERS; order++) {
		struct free_area *area = &zone->free_area[order];
		unsigned long count = 0;

		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			struct list_head *pos;

			list_for_each(pos, &area->free_list[mt]) {
				struct page *page = list_entry(pos, struct page,
							       lru);
				unsigned long pfn, nr = 1UL << order, b;

				if (pos == &zone->unlisted_pos) {
					unsigned long n;

					if (validate_unlisted(zone, order, mt,
							      &n))
						ret = -EUCLEAN;
					count += n;
					nr_free_pages += n << order;
					nr_free_blocks += n << order;
					continue;
				}
				pfn = page_to_pfn(page);
				count++;
				if (pfn < start || pfn + nr > end) {
					zbug(zone, "free pfn 0x%lx order %u outside zone",
					     pfn, order);
					continue;
				}
				if (!PageBuddy(page) ||
				    buddy_order(page) != order)
					zbug(zone, "pfn 0x%lx on order-%u list but buddy=%d order=%u",
					     pfn, order, PageBuddy(page),
					     buddy_order(page));
				if (pfn & (nr - 1))
					zbug(zone, "free pfn 0x%lx not aligned to order %u",
					     pfn, order);
				if (page_ref_count(page))
					zbug(zone, "free pfn 0x%lx has refcount %d",
					     pfn, page_ref_count(page));
				for (b = pfn; b < pfn + nr;
				     b += pageblock_nr_pages) {
					if (get_pfnblock_migratetype(b) != mt)
						zbug(zone, "free pfn 0x%lx order %u on %s list in %s pageblock",
						     pfn, order,
						     migratetype_names[mt],
						     migratetype_names[get_pfnblock_migratetype(b)]);
					if (order < pageblock_order)
						break;
				}
				if (test_bit(pfn - start, free_map))
					zbug(zone, "free pfn 0x%lx on two lists",
					     pfn);
				mark_free(free_map, pfn - start, nr);
				if (mt == MIGRATE_HIGHATOMIC)
					nr_highatomic += nr;
				if (!is_migrate_isolate(mt)) {
					nr_free_pages += nr;
					if (order >= pageblock_order)
						nr_free_blocks += nr;
				}
				if (this_machine->debug_full &&
				    PageZeroed(page))
					check_zeroed_content(page, order,
							     "free PG_zeroed block");
			}
		}
		if (count != area->nr_free)
			zbug(zone, "order %u: nr_free %lu but %lu on lists",
			     order, area->nr_free, count);
	}
	if (nr_free_pages != zone_page_state(zone, NR_FREE_PAGES))
		zbug(zone, "NR_FREE_PAGES %lu but %lu free on lists",
		     zone_page_state(zone, NR_FREE_PAGES), nr_free_pages);
	if (nr_highatomic != zone->nr_free_highatomic)
		zbug(zone, "nr_free_highatomic %lu but %lu on HighAtomic lists",
		     zone->nr_free_highatomic, nr_highatomic);
	if (nr_free_blocks != zone_page_state(zone, NR_FREE_PAGES_BLOCKS))
		zbug(zone, "NR_FREE_PAGES_BLOCKS %lu but %lu on lists",
		     zone_page_state(zone, NR_FREE_PAGES_BLOCKS),
		     nr_free_blocks);
	return ret;
}

/* Free buddies of the same order must have been merged. */
static int validate_merged(struct zone *zone)
{
	unsigned int order;
	int ret = 0, mt;

	for (order = 0; order < MAX_PAGE_ORDER; order++) {
		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			struct list_head *pos;

			list_for_each(pos, &zone->free_area[order].free_list[mt]) {
				struct page *page = list_entry(pos, struct page,
							       lru);
				unsigned long pfn = page_to_pfn(page);
				unsigned long bpfn = pfn ^ (1UL << order);
				struct page *buddy = pfn_to_page(bpfn);
				int bmt;

				if (!zone_spans_pfn(zone, bpfn) ||
				    !PageBuddy(buddy) ||
				    buddy_order(buddy) != order)
					continue;
				bmt = get_pfnblock_migratetype(bpfn);
				if (is_migrate_isolate(mt) !=
				    is_migrate_isolate(bmt))
					continue;
				if (order >= pageblock_order && mt != bmt &&
				    (!migratetype_is_mergeable(mt) ||
				     !migratetype_is_mergeable(bmt)))
					continue;
				zbug(zone, "free buddies 0x%lx and 0x%lx of order %u not merged",
				     pfn, bpfn, order);
			}
		}
	}
	return ret;
}

/* Caller holds every pcp->lock of the zone, then zone->lock. */
static int validate_pcp(struct zone *zone, unsigned long *free_map)
{
	unsigned long start = zone->zone_start_pfn;
	int ret = 0, cpu, p;

	lockdep_assert_held(&zone->lock);

	for (cpu = 0; cpu < this_machine->nr_cpus; cpu++) {
		struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];
		int count = 0;

		for (p = 0; p < NR_PCP_LISTS; p++) {
			unsigned int order = p >= NR_LOWORDER_PCP_LISTS ?
					     HPAGE_PMD_ORDER :
					     p / MIGRATE_PCPTYPES;
			struct list_head *pos;

			list_for_each(pos, &pcp->lists[p]) {
				struct page *page = list_entry(pos, struct page,
							       lru);
				unsigned long pfn = page_to_pfn(page);

				count += 1 << order;
				if (!zone_spans_pfn(zone, pfn)) {
					zbug(zone, "cpu %d pcp page 0x%lx outside zone",
					     cpu, pfn);
					continue;
				}
				if (PageBuddy(page) || page_ref_count(page))
					zbug(zone, "cpu %d pcp page 0x%lx buddy=%d refcount=%d",
					     cpu, pfn, PageBuddy(page),
					     page_ref_count(page));
				if (test_bit(pfn - start, free_map))
					zbug(zone, "pcp page 0x%lx also free in buddy or another pcp",
					     pfn);
				mark_free(free_map, pfn - start, 1UL << order);
				if (this_machine->debug_full &&
				    PageZeroed(page))
					check_zeroed_content(page, order,
							     "pcp PG_zeroed page");
			}
		}
		if (count != pcp->count)
			zbug(zone, "cpu %d pcp count %d but %d on lists", cpu,
			     pcp->count, count);
	}
	return ret;
}

/*
 * Every page: a free one (in a buddy block or on a pcp list) is not in use;
 * one in use is not typed as buddy and has a sane refcount and mapcount.
 */
static int validate_pages(struct zone *zone, const unsigned long *free_map)
{
	unsigned long start = zone->zone_start_pfn, end = zone_end_pfn(zone);
	unsigned long pfn;
	int ret = 0;

	for (pfn = start; pfn < end; pfn++) {
		struct page *page;

		if (IS_ALIGNED(pfn - start, MAX_ORDER_NR_PAGES) &&
		    block_is_unlisted(zone, pfn)) {
			/* Checked by validate_unlisted(). */
			pfn += MAX_ORDER_NR_PAGES - 1;
			continue;
		}
		if (IS_ALIGNED(pfn - start, MAX_ORDER_NR_PAGES) &&
		    block_is_deferred(zone, pfn)) {
			page = pfn_to_page(pfn);
			if (!PageBuddy(page) ||
			    buddy_order(page) != MAX_PAGE_ORDER)
				zbug(zone, "deferred block 0x%lx not a free max-order block",
				     pfn);
			pfn += MAX_ORDER_NR_PAGES - 1;
			continue;
		}
		page = pfn_to_page(pfn);
		if (page_ref_count(page) < 0)
			zbug(zone, "pfn 0x%lx refcount %d", pfn,
			     page_ref_count(page));
		if (test_bit(pfn - start, free_map)) {
			/* Heads were checked on the lists; tails here. */
			if (!PageBuddy(page) && page_ref_count(page))
				zbug(zone, "free pfn 0x%lx has refcount %d",
				     pfn, page_ref_count(page));
			if (PageTail(page))
				zbug(zone, "free pfn 0x%lx is a compound tail",
				     pfn);
			continue;
		}
		if (PageBuddy(page))
			zbug(zone, "pfn 0x%lx is PageBuddy but on no free list",
			     pfn);
		else if (!page_type_has_type(READ_ONCE(page->page_type)) &&
			 atomic_read(&page->_mapcount) < -1)
			zbug(zone, "pfn 0x%lx mapcount underflow %d", pfn,
			     atomic_read(&page->_mapcount));
	}
	return ret;
}

static int validate_pageblocks(struct zone *zone)
{
	unsigned long nr = DIV_ROUND_UP(zone->spanned_pages, pageblock_nr_pages);
	unsigned long i;
	int ret = 0;

	for (i = 0; i < nr; i++) {
		unsigned char f = zone->pageblock_flags[i];

		if ((f & PB_migrate_mask) >= MIGRATE_ISOLATE ||
		    (f & ~(PB_migrate_mask | PB_migrate_isolate)))
			zbug(zone, "pageblock %lu has flags 0x%x", i, f);
	}
	return ret;
}

/*
 * @zone's free lists, merged buddies, per-CPU lists and pageblocks, and
 * with @pages every page's state too (O(zone) where the rest is O(free
 * blocks)).
 */
static int __validate_zone(struct zone *zone, bool pages)
{
	unsigned long *free_map;
	int ret = 0, err, cpu;

	if (!populated_zone(zone))
		return 0;
	free_map = calloc(DIV_ROUND_UP(zone->spanned_pages, 64), sizeof(long));
	if (!free_map)
		return -ENOMEM;
	/* The allocator's lock order: pcp->lock, then zone->lock. */
	for (cpu = 0; cpu < this_machine->nr_cpus; cpu++)
		spin_lock(&zone->per_cpu_pageset[cpu].lock);
	spin_lock(&zone->lock);
	err = validate_free_lists(zone, free_map);
	ret = ret ?: err;
	err = validate_merged(zone);
	ret = ret ?: err;
	err = validate_pcp(zone, free_map);
	ret = ret ?: err;
	if (pages) {
		err = validate_pages(zone, free_map);
		ret = ret ?: err;
	}
	err = validate_pageblocks(zone);
	ret = ret ?: err;
	spin_unlock(&zone->lock);
	for (cpu = 0; cpu < this_machine->nr_cpus; cpu++)
		spin_unlock(&zone->per_cpu_pageset[cpu].lock);
	free(free_map);
	return ret;
}

int validate_zone(struct zone *zone)
{
	return __validate_zone(zone, true);
}

int validate_machine(void)
{
	struct foliage_machine *m = this_machine;
	int nid, z, err, ret = 0;

	for (nid = 0; nid < m->nr_nodes; nid++)
		for (z = 0; z < MAX_NR_ZONES; z++) {
			int err = validate_zone(&m->node_data[nid]->node_zones[z]);

			ret = ret ?: err;
		}
	err = validate_lru();
	ret = ret ?: err;
	err = machine_subsys_validate(m);
	ret = ret ?: err;
	/*
	 * A task being created, forked or exited (or pages unpinned) changes
	 * counters no listed mm's lock covers: then the mms' check is owed
	 * (-EBUSY), never skipped: it runs at the next quiet point.
	 */
	if (pthread_rwlock_trywrlock(&m->tasks_validate_lock))
		return ret ?: -EBUSY;
	err = validate_all_mms();
	ret = ret ?: err;
	err = validate_rmap();
	ret = ret ?: err;
	pthread_rwlock_unlock(&m->tasks_validate_lock);
	return ret;
}

/* ---- validation proportional to the operation (linux/validate.h) ---- */

__thread struct op_touched this_touched;

/* Add @v to the set @set of *@nr entries, room for @max: else overflow. */
static void touched_add(unsigned long *set, unsigned int *nr,
			unsigned int max, unsigned long v)
{
	unsigned int i;

	/* The latest first: an operation works through a folio's pages. */
	for (i = *nr; i-- > 0;)
		if (set[i] == v)
			return;
	if (*nr == max) {
		this_touched.overflow = true;
		return;
	}
	set[(*nr)++] = v;
}

void __touch_mm(struct mm_struct *mm)
{
	touched_add(this_touched.mms, &this_touched.nr_mms, OP_TOUCHED_MMS,
		    (unsigned long)mm);
}

void __touch_folio(struct folio *folio)
{
	touched_add(this_touched.folios, &this_touched.nr_folios,
		    OP_TOUCHED_FOLIOS, folio_pfn(folio));
}

void __touch_zone(struct zone *zone)
{
	this_touched.zones |= 1ULL << (zone_to_nid(zone) * MAX_NR_ZONES +
				       zone_idx(zone));
}

BUILD_BUG_ON(MAX_NUMNODES * MAX_NR_ZONES > 64);

/* The touched zones' lists; their pages wait for the full walk. */
static int validate_touched_zones(struct foliage_machine *m,
				  unsigned long long zones)
{
	int ret = 0;

	while (zones) {
		int bit = __builtin_ctzll(zones);
		int nid = bit / MAX_NR_ZONES, z = bit % MAX_NR_ZONES;
		int err;

		zones &= zones - 1;
		if (nid >= m->nr_nodes)
			continue;
		err = __validate_zone(&m->node_data[nid]->node_zones[z], false);
		ret = ret ?: err;
	}
	return ret;
}

int validate_after_op(struct foliage_machine *m, struct op_touched *t)
{
	unsigned long op = __atomic_add_fetch(&m->validate_ops, 1,
					      __ATOMIC_RELAXED);
	unsigned int every = READ_ONCE(m->validate_every);
	int ret, err;

	if (t->overflow || every <= 1 || !(op % every)) {
		ret = validate_machine();
		goto out;
	}
	ret = validate_touched_zones(m, t->zones);
	err = validate_touched_mms(t->mms, t->nr_mms);
	ret = ret ?: err;
	err = rmap_check_folios(t->folios, t->nr_folios);
	ret = ret ?: err;
out:
	t->nr_mms = 0;
	t->nr_folios = 0;
	t->zones = 0;
	t->overflow = false;
	return ret;
}

/* debug.full: the expensive checks (content checks) on or off. */
static const struct ctl_table debug_knobs[] = {
	CTL_ENTRY("debug.full", struct foliage_machine, debug_full, CTL_BOOL,
		  0, 1),
	CTL_ENTRY("debug.validate_every", struct foliage_machine,
		  validate_every, CTL_UINT, 1, 1L << 30),
	/* fork copies a large folio's PTEs in runs (0: one at a time) */
	CTL_ENTRY("debug.fork_batching", struct foliage_machine,
		  fork_batching, CTL_BOOL, 0, 1),
};

const struct machine_subsys debug_subsys = {
	.name = "debug",
	.state = machine_subsys_machine,
	.knobs = debug_knobs,
	.nr_knobs = ARRAY_SIZE(debug_knobs),
};
