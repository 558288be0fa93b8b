/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The physical memory map: what every frame of every zone is, as one state
 * from one table, for pictures (foliage_render(m, "pfnmap", ...)).
 *
 * A state is one entry of pfn_states[]: a name for people (the legend and
 * every tooltip say it), a colour from a colour-blind-safe palette, and one
 * glyph for terminals.  A capability that adds a kind of page adds a state
 * to the enum and the table, and a test to pfnmap_classify(); nothing else
 * changes.  Free buddy pages have one state per order, so that a picture
 * shades them by order.
 *
 * pfnmap_collect() reads a zone under its locks (every pcp->lock, then
 * zone->lock) for the free blocks and the pcp lists, then the pages in use
 * without locks: a picture of a running machine is as exact as a
 * /proc file read at the same moment; of a quiet one, exact.
 */
#ifndef _FOLIAGE_LINUX_PFNMAP_H
#define _FOLIAGE_LINUX_PFNMAP_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/mmzone.h>

struct seq_buf;

enum pfn_state {
	PFN_HOLE,			/* no RAM */
	PFN_RESERVED,			/* PageReserved */
	PFN_FREE,			/* free buddy, order 0; +o: order o */
	PFN_FREE_LAST = PFN_FREE + MAX_PAGE_ORDER,
	PFN_FREE_ZEROED,		/* free buddy, PG_zeroed */
	PFN_REPORTED,			/* free buddy, reported to the host */
	PFN_PCP,			/* free, on a per-CPU list */
	PFN_ISOLATED,			/* free, in a MIGRATE_ISOLATE block */
	PFN_ANON,			/* anonymous, mapped once */
	PFN_ANON_SHARED,		/* anonymous, mapped more than once */
	PFN_FILE,			/* page cache: shmem, memfd */
	PFN_PGTABLE,			/* a page table */
	PFN_SLAB,			/* slab-like kernel metadata */
	PFN_HUGETLB_FREE,		/* hugetlb pool, free */
	PFN_HUGETLB_USED,		/* hugetlb, in use */
	PFN_HUGETLB_SURPLUS,		/* hugetlb, surplus (temporary) */
	PFN_BALLOON,			/* inflated in a balloon */
	PFN_BALLOON_ZEROED,		/* ballooned, the host zeroed it */
	PFN_GMEM_PRIVATE,		/* guest_memfd, private */
	PFN_GMEM_SHARED,		/* guest_memfd, shared */
	PFN_MIGRATING,			/* a folio under migration */
	PFN_KERNEL,			/* allocated, none of the above */
	NR_PFN_STATES
};

struct pfn_state_desc {
	const char *key;		/* stable identifier (JSON, CSS) */
	const char *name;		/* for people: legend, tooltips */
	const char *colour;		/* "#rrggbb" */
	char glyph;			/* one character for terminals */
};

extern const struct pfn_state_desc pfn_states[NR_PFN_STATES];

/* One zone's frames, a byte (enum pfn_state) each. */
struct pfnmap_zone {
	int nid;			/* node */
	const char *name;		/* zone name */
	unsigned long start_pfn;	/* first pfn */
	unsigned long nr_pages;		/* spanned pages */
	uint8_t *state;			/* nr_pages entries */
	uint8_t *migratetype;		/* one per pageblock */
};

struct pfnmap {
	int nr_zones;			/* entries used */
	struct pfnmap_zone zone[MAX_NUMNODES * MAX_NR_ZONES]; /* populated ones */
	unsigned long count[NR_PFN_STATES]; /* pages in each state */
};

/*
 * Read the frames of node @nid (-1: every node) of this_machine into @map.
 * 0 or -ENOMEM; pfnmap_free() in every case.
 */
int pfnmap_collect(struct pfnmap *map, int nid);
void pfnmap_free(struct pfnmap *map);

/*
 * Write @map: as text (a glyph a cell), JSON, or SVG (a coloured cell
 * each, with tooltips and a legend).  Large zones aggregate pages into
 * cells (each the dominant state of its pages, the tooltip the mix).
 */
void pfnmap_show_text(struct seq_buf *s, const struct pfnmap *map);
int pfnmap_show_json(struct seq_buf *s, const struct pfnmap *map);
void pfnmap_show_svg(struct seq_buf *s, const struct pfnmap *map);

#endif /* _FOLIAGE_LINUX_PFNMAP_H */
