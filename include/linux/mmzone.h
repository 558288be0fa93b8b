/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Nodes, zones, free areas, per-CPU page lists and pageblocks.
 *
 * Invariants (checked by validate_zone()):
 *
 *   zone->free_area[o].nr_free == sum over mt of length(free_list[mt]) at o
 *   NR_FREE_PAGES(zone) == sum over o of nr_free[o] << o
 *   a free block of order o starts at a pfn aligned to 1 << o and lies in
 *	one zone; it sits on free_list[mt] with mt == its pageblock's type
 *	(for o < pageblock_order; larger blocks span blocks of one type)
 *   no two free buddies of the same order o < MAX_PAGE_ORDER (the merge
 *	would have happened), unless one of them is in an isolated pageblock
 *   pcp->count == sum over lists of the pages on them (in base pages)
 *   PageZeroed(p) on a free page => all bytes of the block are zero
 */
#ifndef _FOLIAGE_LINUX_MMZONE_H
#define _FOLIAGE_LINUX_MMZONE_H

#include <linux/compiler.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/atomic.h>
#include <linux/vmstat_items.h>

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))

#define MAX_PAGE_ORDER		10
#define NR_PAGE_ORDERS		(MAX_PAGE_ORDER + 1)
#define MAX_ORDER_NR_PAGES	(1UL << MAX_PAGE_ORDER)
#define pageblock_order		9
#define pageblock_nr_pages	(1UL << pageblock_order)
#define PAGE_ALLOC_COSTLY_ORDER	3
#define HPAGE_PMD_ORDER		9
#define HPAGE_PMD_NR		(1UL << HPAGE_PMD_ORDER)
#define PUD_ORDER		18

#define MAX_NUMNODES		8
#define NR_CPUS			64

enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_PCPTYPES,	/* the number of types on the pcp lists */
	MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
	MIGRATE_ISOLATE,	/* can't allocate from here */
	MIGRATE_TYPES
};

extern const char *const migratetype_names[MIGRATE_TYPES];

static inline bool is_migrate_movable(int mt)
{
	return mt == MIGRATE_MOVABLE;
}

enum zone_type {
	ZONE_NORMAL,
	ZONE_MOVABLE,
	MAX_NR_ZONES
};

extern const char *const zone_names[MAX_NR_ZONES];

enum zone_watermarks {
	WMARK_MIN,
	WMARK_LOW,
	WMARK_HIGH,
	WMARK_PROMO,
	NR_WMARK
};

/* The vmstat item enums, in /proc/vmstat order. */
#define __VMSTAT_ENUM(e, s) e,
enum zone_stat_item { FOLIAGE_ZONE_STAT_ITEMS(__VMSTAT_ENUM)
		      NR_VM_ZONE_STAT_ITEMS };
enum numa_stat_item { FOLIAGE_NUMA_STAT_ITEMS(__VMSTAT_ENUM)
		      NR_VM_NUMA_EVENT_ITEMS };
enum node_stat_item { FOLIAGE_NODE_STAT_ITEMS(__VMSTAT_ENUM)
		      NR_VM_NODE_STAT_ITEMS };
enum vm_event_item { FOLIAGE_VM_EVENT_ITEMS(__VMSTAT_ENUM)
		     NR_VM_EVENT_ITEMS };
#undef __VMSTAT_ENUM

/* Kernel spellings of node items whose text name differs. */
#define NR_ANON_MAPPED		NR_ANON_PAGES
#define NR_FILE_MAPPED		NR_MAPPED
#define NR_PAGETABLE		NR_PAGE_TABLE_PAGES
#define NR_ANON_THPS		NR_ANON_TRANSPARENT_HUGEPAGES
#define NR_SHMEM_THPS		NR_SHMEM_HUGEPAGES
#define NR_FILE_THPS		NR_FILE_HUGEPAGES
#define NR_SLAB_RECLAIMABLE_B	NR_SLAB_RECLAIMABLE
#define NR_SLAB_UNRECLAIMABLE_B	NR_SLAB_UNRECLAIMABLE
#define NR_KERNEL_STACK_KB	NR_KERNEL_STACK
#define NR_BALLOON_PAGES_NODE	NR_BALLOON_PAGES

struct free_area {
	struct list_head free_list[MIGRATE_TYPES]; /* free blocks by type */
	unsigned long nr_free;		/* blocks of this order, all types */
};

/*
 * Per-CPU lists: orders 0..PAGE_ALLOC_COSTLY_ORDER for each pcp
 * migratetype, plus two lists for pageblock-order (THP) pages.
 */
#define NR_LOWORDER_PCP_LISTS	(MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1))
#define NR_PCP_THP		2
#define NR_PCP_LISTS		(NR_LOWORDER_PCP_LISTS + NR_PCP_THP)

struct per_cpu_pages {
	spinlock_t lock;		/* protects everything below */
	int count;			/* base pages on all lists */
	int high;			/* drain down when count >= high */
	int batch;			/* refill/drain chunk */
	struct list_head lists[NR_PCP_LISTS]; /* by order_to_pindex() */
};

struct pglist_data;

struct zone {
	spinlock_t lock;		/* free_area, pageblock types */
	unsigned long _watermark[NR_WMARK]; /* in pages */
	long lowmem_reserve[MAX_NR_ZONES]; /* pages kept from lower-zone allocs */
	unsigned long nr_reserved_highatomic; /* pages in HighAtomic blocks */
	unsigned long nr_free_highatomic; /* free pages on HighAtomic lists */
	struct pglist_data *zone_pgdat;	/* owning node */
	struct per_cpu_pages *per_cpu_pageset; /* [NR_CPUS] */
	unsigned long zone_start_pfn;	/* first pfn */
	unsigned long spanned_pages;	/* pfns from start to end */
	unsigned long present_pages;	/* pfns backed by RAM */
	atomic_long_t managed_pages;	/* pages the buddy allocator owns */
	const char *name;		/* "Normal", "Movable" */
	enum zone_type zone_idx;	/* ZONE_* */
	int zid;			/* nid * MAX_NR_ZONES + zone_idx */
	unsigned char *pageblock_flags;	/* one byte per pageblock */
	unsigned long *deferred_init;	/* max-order blocks with uninit memmap */
	/*
	 * Free max-order blocks never put on a list (mm_init.c): all
	 * MIGRATE_MOVABLE, counted in nr_free and NR_FREE_PAGES, standing in
	 * free_area[MAX_PAGE_ORDER].free_list[MIGRATE_MOVABLE] at unlisted_pos
	 * in ascending pfn order.
	 */
	unsigned long *unlisted;	/* bit per max-order block: unlisted */
	unsigned long nr_unlisted;	/* bits set in unlisted */
	unsigned long unlisted_next;	/* no unlisted block below this index */
	struct list_head unlisted_pos;	/* their place on the list, if any */
	struct free_area free_area[NR_PAGE_ORDERS]; /* the buddy lists */
	atomic_long_t vm_stat[NR_VM_ZONE_STAT_ITEMS]; /* zone counters */
};

/* Pageblock flag byte: low 3 bits migratetype, then the isolate bit. */
#define PB_migratetype_bits	3
#define PB_migrate_mask		((1 << PB_migratetype_bits) - 1)
#define PB_migrate_isolate	(1 << PB_migratetype_bits)

static inline bool populated_zone(const struct zone *zone)
{
	return zone->present_pages != 0;
}

static inline unsigned long zone_end_pfn(const struct zone *zone)
{
	return zone->zone_start_pfn + zone->spanned_pages;
}

static inline bool zone_spans_pfn(const struct zone *zone, unsigned long pfn)
{
	return pfn >= zone->zone_start_pfn && pfn < zone_end_pfn(zone);
}

static inline unsigned long zone_managed_pages(const struct zone *zone)
{
	return atomic_long_read(&zone->managed_pages);
}

static inline unsigned long wmark_pages(const struct zone *z, int w)
{
	return z->_watermark[w];
}

#define min_wmark_pages(z)	wmark_pages(z, WMARK_MIN)
#define low_wmark_pages(z)	wmark_pages(z, WMARK_LOW)
#define high_wmark_pages(z)	wmark_pages(z, WMARK_HIGH)

struct zoneref {
	struct zone *zone;		/* the zone, or NULL at the end */
	int zone_idx;			/* its ZONE_* */
};

#define MAX_ZONES_PER_ZONELIST	(MAX_NUMNODES * MAX_NR_ZONES)

struct zonelist {
	struct zoneref _zonerefs[MAX_ZONES_PER_ZONELIST + 1];
};

enum {
	ZONELIST_FALLBACK,	/* all nodes, nearest first */
	ZONELIST_NOFALLBACK,	/* this node only (__GFP_THISNODE) */
	MAX_ZONELISTS
};

/*
 * The LRU lists of a node (mm/swap.c).  A folio with PG_lru is on exactly
 * one of them: anon or file by !PG_swapbacked, active by PG_active,
 * unevictable by PG_unevictable.
 *
 *   node NR_LRU_BASE + lru == base pages on lists[lru]
 *   zone NR_ZONE_LRU_BASE + lru == those of them in that zone
 */
enum lru_list {
	LRU_INACTIVE_ANON,
	LRU_ACTIVE_ANON,
	LRU_INACTIVE_FILE,
	LRU_ACTIVE_FILE,
	LRU_UNEVICTABLE,
	NR_LRU_LISTS
};
#define LRU_ACTIVE		1
#define LRU_FILE		2
#define NR_LRU_BASE		NR_INACTIVE_ANON
#define NR_ZONE_LRU_BASE	NR_ZONE_INACTIVE_ANON

struct lruvec {
	struct list_head lists[NR_LRU_LISTS]; /* folios, linked by ->lru */
	spinlock_t lru_lock;		/* the lists and PG_lru/PG_active */
};

typedef struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES]; /* Normal, Movable */
	struct zonelist node_zonelists[MAX_ZONELISTS]; /* allocation order */
	int nr_zones;			/* highest populated zone + 1 */
	int node_id;			/* nid */
	unsigned long node_start_pfn;	/* first pfn */
	unsigned long node_present_pages; /* pages of RAM */
	unsigned long node_spanned_pages; /* pfns spanned */
	atomic_long_t vm_stat[NR_VM_NODE_STAT_ITEMS]; /* node counters */
	struct lruvec __lruvec;		/* LRU lists (mm/swap.c) */
} pg_data_t;

static inline int zone_idx(const struct zone *zone)
{
	return zone->zone_idx;
}

static inline int zone_to_nid(const struct zone *zone)
{
	return zone->zone_pgdat->node_id;
}

#endif /* _FOLIAGE_LINUX_MMZONE_H */
