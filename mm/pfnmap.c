// SPDX-License-Identifier: GPL-2.0
/*
 * The physical memory map (include/linux/pfnmap.h): every frame's state,
 * and its pictures.
 *
 * Layout.  A zone is drawn as rows of PFNMAP_COLS (512) cells.  A cell is
 * 2^k pages, k the smallest that keeps the whole map within
 * PFNMAP_MAX_ROWS (256) rows: a machine of up to 512 MiB draws a pageblock
 * (512 pages) a row and a page a cell, a 64 GiB one 128 pages a cell, so
 * a map stays at most 256 rows whatever the size.  An
 * aggregated cell takes the state most of its pages are in (ties: the
 * first in pfn_states[]); its tooltip gives the mix.  The SVG draws a
 * run of equal cells as one rectangle, so its size grows with the map's
 * fragmentation, not with RAM.  Left of each row, a strip in the colour
 * of the migratetype of the row's first pageblock.
 */
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include <linux/mm.h>
#include <linux/hugetlb.h>
#include <linux/pfnmap.h>
#include <linux/rmap.h>
#include <linux/kvm_host.h>

#define PFNMAP_COLS		512	/* cells a row (SVG) */
#define PFNMAP_TEXT_COLS	128	/* glyphs a row (text) */
#define PFNMAP_MAX_ROWS		256	/* rows of the whole map, at most */
#define CELL_W			2	/* px */
#define ROW_H			6	/* px */
#define MARGIN_X		96	/* px: pfn labels and migratetype strip */
#define STRIP_W			8	/* px */

/*
 * Paul Tol's and Okabe & Ito's colour-blind-safe palettes, and a
 * sequential blue ramp (light: low order) for free blocks.
 */
const struct pfn_state_desc pfn_states[NR_PFN_STATES] = {
	[PFN_HOLE] = { "hole", "no RAM", "#ffffff", ' ' },
	[PFN_RESERVED] = { "reserved", "reserved", "#4d4d4d", '#' },
	[PFN_FREE + 0] = { "free0", "free buddy, order 0", "#eff3ff", '0' },
	[PFN_FREE + 1] = { "free1", "free buddy, order 1", "#deebf7", '1' },
	[PFN_FREE + 2] = { "free2", "free buddy, order 2", "#c6dbef", '2' },
	[PFN_FREE + 3] = { "free3", "free buddy, order 3", "#b3d3e8", '3' },
	[PFN_FREE + 4] = { "free4", "free buddy, order 4", "#9ecae1", '4' },
	[PFN_FREE + 5] = { "free5", "free buddy, order 5", "#6baed6", '5' },
	[PFN_FREE + 6] = { "free6", "free buddy, order 6", "#4292c6", '6' },
	[PFN_FREE + 7] = { "free7", "free buddy, order 7", "#2171b5", '7' },
	[PFN_FREE + 8] = { "free8", "free buddy, order 8", "#08519c", '8' },
	[PFN_FREE + 9] = { "free9", "free buddy, order 9", "#08457e", '9' },
	[PFN_FREE + 10] = { "free10", "free buddy, order 10", "#08306b",
			    'a' },
	[PFN_FREE_ZEROED] = { "zeroed", "free, PG_zeroed (known zero)",
			      "#44aa99", 'z' },
	[PFN_REPORTED] = { "reported", "free, reported to the host",
			   "#117733", 'r' },
	[PFN_PCP] = { "pcp", "free, on a per-CPU list", "#88ccee", 'p' },
	[PFN_ISOLATED] = { "isolated", "free, isolated pageblock",
			   "#cc3311", 'I' },
	[PFN_ANON] = { "anon", "anonymous, exclusive", "#cc6677", 'A' },
	[PFN_ANON_SHARED] = { "anon_shared", "anonymous, shared",
			      "#882255", 'S' },
	[PFN_FILE] = { "file", "file / shmem page cache", "#999933", 'F' },
	[PFN_PGTABLE] = { "pgtable", "page table", "#332288", 'T' },
	[PFN_SLAB] = { "slab", "slab-like metadata", "#aa4499", 'K' },
	[PFN_HUGETLB_FREE] = { "hugetlb_free", "hugetlb pool, free",
			       "#ddcc77", 'h' },
	[PFN_HUGETLB_USED] = { "hugetlb_used", "hugetlb, in use",
			       "#e69f00", 'H' },
	[PFN_HUGETLB_SURPLUS] = { "hugetlb_surplus",
				  "hugetlb, temporary (surplus outside the pool)",
				  "#d55e00", 'U' },
	[PFN_BALLOON] = { "balloon", "balloon, inflated", "#bbbbbb", 'B' },
	[PFN_BALLOON_ZEROED] = { "balloon_zeroed",
				 "balloon, inflated, host-zeroed hint",
				 "#f0e442", 'b' },
	[PFN_GMEM_PRIVATE] = { "gmem_private", "guest_memfd, private",
			       "#000000", 'G' },
	[PFN_GMEM_SHARED] = { "gmem_shared", "guest_memfd, shared",
			      "#c2a5cf", 'g' },
	[PFN_MIGRATING] = { "migrating",
			    "under migration (behind migration entries)",
			    "#ee3377", 'M' },
	[PFN_KERNEL] = { "kernel", "allocated (kernel, other)", "#dddddd",
			 'k' },
};

/*
 * The strip left of a row: its pageblock's migratetype (Tol's "light"
 * palette, apart from the states' colours; Isolate as its free pages).
 */
static const char *const migratetype_colours[MIGRATE_TYPES] = {
	"#ee8866", "#77aadd", "#eedd88", "#ffaabb", "#cc3311",
};

/* ---- collection -------------------------------------------------------- */

static void set_range(struct pfnmap_zone *z, unsigned long pfn,
		      unsigned long nr, enum pfn_state st)
{
	unsigned long off = pfn - z->start_pfn;

	if (off >= z->nr_pages)
		return;
	if (nr > z->nr_pages - off)
		nr = z->nr_pages - off;
	memset(z->state + off, st, nr);
}

/* The state of a free block headed by @page, of @order, at @pfn. */
static enum pfn_state free_state(const struct page *page, unsigned long pfn,
				 unsigned int order)
{
	int mt = get_pfnblock_migratetype(pfn);

	if (mt == MIGRATE_ISOLATE)
		return PFN_ISOLATED;
	if (PageReported(page))
		return PFN_REPORTED;
	if (PageZeroed(page))
		return PFN_FREE_ZEROED;
	return PFN_FREE + order;
}

/* Free blocks and pcp pages; caller holds every pcp->lock and zone->lock. */
static void collect_free(struct zone *zone, struct pfnmap_zone *z)
{
	unsigned long nr_blocks = zone->spanned_pages >> MAX_PAGE_ORDER, w;
	unsigned int order;
	int mt, cpu, p;

	lockdep_assert_held(&zone->lock);
	for (order = 0; order < NR_PAGE_ORDERS; order++) {
		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			struct list_head *pos;

			list_for_each(pos, &zone->free_area[order].free_list[mt]) {
				struct page *page;
				unsigned long pfn;

				if (pos == &zone->unlisted_pos)
					continue;	/* below */
				page = list_entry(pos, struct page, lru);
				pfn = page_to_pfn(page);
				set_range(z, pfn, 1UL << order,
					  free_state(page, pfn, order));
			}
		}
	}
	/* Unlisted max-order blocks: free, and their memmap never read. */
	for (w = 0; w < DIV_ROUND_UP(nr_blocks, 64); w++) {
		unsigned long bits = zone->unlisted[w];

		for (; bits; bits &= bits - 1) {
			unsigned long idx = w * 64 + __builtin_ctzl(bits);

			set_range(z, zone->zone_start_pfn +
				  (idx << MAX_PAGE_ORDER), MAX_ORDER_NR_PAGES,
				  PFN_FREE + MAX_PAGE_ORDER);
		}
	}
	for (cpu = 0; cpu < this_machine->nr_cpus; cpu++) {
		struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

		for (p = 0; p < NR_PCP_LISTS; p++) {
			unsigned int o = p >= NR_LOWORDER_PCP_LISTS ?
					 HPAGE_PMD_ORDER : p / MIGRATE_PCPTYPES;
			struct list_head *pos;

			list_for_each(pos, &pcp->lists[p]) {
				struct page *page = list_entry(pos, struct page,
							       lru);

				set_range(z, page_to_pfn(page), 1UL << o,
					  PFN_PCP);
			}
		}
	}
}

/* An allocated page's state (and, for a folio, every page's of it). */
static enum pfn_state page_state(struct page *page)
{
	struct folio *folio = page_folio(page);

	if (PageReserved(page))
		return PFN_RESERVED;
	/* In a balloon: PageOffline; PG_zeroed is bit 7's hint. */
	if (PageOffline(page))
		return PageZeroed(page) ? PFN_BALLOON_ZEROED : PFN_BALLOON;
	if (PageHugetlb(&folio->page)) {
		if (folio_test_hugetlb_freed(folio))
			return PFN_HUGETLB_FREE;
		return folio_test_hugetlb_temporary(folio) ?
		       PFN_HUGETLB_SURPLUS : PFN_HUGETLB_USED;
	}
	if (PageTable(page))
		return PFN_PGTABLE;
	/*
	 * Under migration: an anonymous folio isolated from the LRU, locked
	 * and unmapped, its PTEs migration entries (a batch's sources
	 * between unmap and move, and its destinations until mapped).
	 */
	if (folio_test_anon(folio) && folio_test_locked(folio) &&
	    !folio_test_lru(folio) && !folio_mapped(folio))
		return PFN_MIGRATING;
	if (folio_test_anon(folio)) {
		int maps;

		/* CONFIG_NO_PAGE_MAPCOUNT: the folio's mm slots say. */
		if (!page_mapcount_enabled())
			return folio_maybe_mapped_shared(folio) ?
			       PFN_ANON_SHARED : PFN_ANON;
		maps = page_mapcount(page);
		if (folio_test_large(folio))
			maps += folio_entire_mapcount(folio);
		return maps > 1 ? PFN_ANON_SHARED : PFN_ANON;
	}
	if (folio->mapping) {
		int priv = kvm_gmem_folio_private(folio, folio->index +
						  (page - &folio->page));

		if (priv >= 0)
			return priv ? PFN_GMEM_PRIVATE : PFN_GMEM_SHARED;
		return PFN_FILE;
	}
	return PFN_KERNEL;
}

/* Pages in use: every pfn the free walk did not name. */
static void collect_used(struct pfnmap_zone *z)
{
	unsigned long i = 0;

	while (i < z->nr_pages) {
		struct page *page;
		unsigned long nr = 1;

		if (z->state[i] != PFN_HOLE) {
			i++;
			continue;
		}
		page = pfn_to_page(z->start_pfn + i);
		z->state[i] = page_state(page);
		/*
		 * A large folio's pages share its state, but for their
		 * mapcount (anon) and their attribute (guest_memfd).
		 */
		if (PageHead(page) && !folio_test_anon(page_folio(page)) &&
		    z->state[i] != PFN_GMEM_PRIVATE &&
		    z->state[i] != PFN_GMEM_SHARED) {
			nr = folio_nr_pages(page_folio(page));
			set_range(z, z->start_pfn + i, nr, z->state[i]);
		}
		i += nr;
	}
}

static int collect_zone(struct zone *zone, struct pfnmap_zone *z)
{
	unsigned long nr_blocks, b;
	int cpu;

	z->nid = zone_to_nid(zone);
	z->name = zone->name;
	z->start_pfn = zone->zone_start_pfn;
	z->nr_pages = zone->spanned_pages;
	nr_blocks = DIV_ROUND_UP(z->nr_pages, pageblock_nr_pages);
	z->state = calloc(z->nr_pages, 1);	/* PFN_HOLE == 0 */
	z->migratetype = malloc(nr_blocks);
	if (!z->state || !z->migratetype)
		return -ENOMEM;
	for (b = 0; b < nr_blocks; b++)
		z->migratetype[b] = get_pfnblock_migratetype(
			z->start_pfn + b * pageblock_nr_pages);
	/* The allocator's lock order: pcp->lock, then zone->lock. */
	for (cpu = 0; cpu < this_machine->nr_cpus; cpu++)
		spin_lock(&zone->per_cpu_pageset[cpu].lock);
	spin_lock(&zone->lock);
	collect_free(zone, z);
	spin_unlock(&zone->lock);
	for (cpu = 0; cpu < this_machine->nr_cpus; cpu++)
		spin_unlock(&zone->per_cpu_pageset[cpu].lock);
	collect_used(z);
	return 0;
}

int pfnmap_collect(struct pfnmap *map, int nid)
{
	struct foliage_machine *m = this_machine;
	int n, zi, ret;
	unsigned long i;

	memset(map, 0, sizeof(*map));
	for (n = 0; n < m->nr_nodes; n++) {
		if (nid >= 0 && n != nid)
			continue;
		for (zi = 0; zi < MAX_NR_ZONES; zi++) {
			struct zone *zone = &m->node_data[n]->node_zones[zi];
			struct pfnmap_zone *z;

			if (!populated_zone(zone))
				continue;
			z = &map->zone[map->nr_zones++];
			ret = collect_zone(zone, z);
			if (ret)
				return ret;
			for (i = 0; i < z->nr_pages; i++)
				map->count[z->state[i]]++;
		}
	}
	return 0;
}

void pfnmap_free(struct pfnmap *map)
{
	int i;

	for (i = 0; i < map->nr_zones; i++) {
		free(map->zone[i].state);
		free(map->zone[i].migratetype);
	}
	map->nr_zones = 0;
}

/* ---- layout ------------------------------------------------------------ */

static unsigned long total_pages(const struct pfnmap *map)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < map->nr_zones; i++)
		n += map->zone[i].nr_pages;
	return n;
}

/* Pages a cell, so that the map has at most PFNMAP_MAX_ROWS rows. */
static unsigned int cell_shift(const struct pfnmap *map, unsigned int cols)
{
	unsigned int k = 0;
	unsigned long rows;
	int i;

	for (;; k++) {
		rows = 0;
		for (i = 0; i < map->nr_zones; i++)
			rows += DIV_ROUND_UP(map->zone[i].nr_pages,
					     (unsigned long)cols << k);
		if (rows <= PFNMAP_MAX_ROWS || k >= 30)
			return k;
	}
}

/* The dominant state of pages [off, off + nr) of @z; @mix counts them. */
static enum pfn_state dominant(const struct pfnmap_zone *z, unsigned long off,
			       unsigned long nr, unsigned long *mix)
{
	unsigned long i;
	int s, best = 0;

	memset(mix, 0, NR_PFN_STATES * sizeof(*mix));
	if (off + nr > z->nr_pages)
		nr = z->nr_pages - off;
	for (i = 0; i < nr; i++)
		mix[z->state[off + i]]++;
	for (s = 1; s < NR_PFN_STATES; s++)
		if (mix[s] > mix[best])
			best = s;
	return best;
}

static unsigned long row_migratetype(const struct pfnmap_zone *z,
				     unsigned long off)
{
	return z->migratetype[off / pageblock_nr_pages];
}

/* ---- text ---------------------------------------------------------------- */

void pfnmap_show_text(struct seq_buf *s, const struct pfnmap *map)
{
	unsigned int k = cell_shift(map, PFNMAP_TEXT_COLS);
	unsigned long cell = 1UL << k, row = PFNMAP_TEXT_COLS * cell;
	unsigned long mix[NR_PFN_STATES];
	int i, st;

	seq_printf(s, "pfnmap: %lu pages, %lu page%s a cell, %d cells a row\n",
		   total_pages(map), cell, cell == 1 ? "" : "s",
		   PFNMAP_TEXT_COLS);
	for (i = 0; i < map->nr_zones; i++) {
		const struct pfnmap_zone *z = &map->zone[i];
		unsigned long off, c;

		seq_printf(s, "Node %d, zone %8s pfn 0x%lx-0x%lx\n", z->nid,
			   z->name, z->start_pfn, z->start_pfn + z->nr_pages);
		for (off = 0; off < z->nr_pages; off += row) {
			seq_printf(s, "%10lx %c ", z->start_pfn + off,
				   migratetype_names[row_migratetype(z, off)][0]);
			for (c = off; c < off + row && c < z->nr_pages;
			     c += cell)
				seq_putc(s, pfn_states[dominant(z, c, cell,
								mix)].glyph);
			seq_putc(s, '\n');
		}
	}
	seq_puts(s, "legend:");
	for (st = 0; st < NR_PFN_STATES; st++)
		if (map->count[st])
			seq_printf(s, " '%c' %s (%lu)", pfn_states[st].glyph,
				   pfn_states[st].name, map->count[st]);
	seq_puts(s, "\nmargin: the row's first pageblock's migratetype "
		 "(U)nmovable (M)ovable (R)eclaimable (H)ighAtomic (I)solate\n");
}

/* ---- JSON ---------------------------------------------------------------- */

int pfnmap_show_json(struct seq_buf *s, const struct pfnmap *map)
{
	unsigned int k = cell_shift(map, PFNMAP_COLS);
	unsigned long cell = 1UL << k, row = PFNMAP_COLS * cell;
	struct json_object *root, *zones, *states;
	unsigned long mix[NR_PFN_STATES];
	char *cells;
	int err = 0, i, st;

	cells = malloc(PFNMAP_COLS + 1);
	if (!cells)
		return -ENOMEM;
	root = json_new_object(&err);
	zones = json_new_array(&err);
	states = json_new_array(&err);
	json_set_u64(root, "cell_pages", cell, &err);
	for (i = 0; i < map->nr_zones; i++) {
		const struct pfnmap_zone *z = &map->zone[i];
		struct json_object *zo = json_new_object(&err);
		struct json_object *rows = json_new_array(&err);
		unsigned long off, c;

		json_set_i64(zo, "node", z->nid, &err);
		json_set_str(zo, "zone", z->name, &err);
		json_set_u64(zo, "start_pfn", z->start_pfn, &err);
		json_set_u64(zo, "pages", z->nr_pages, &err);
		for (off = 0; off < z->nr_pages; off += row) {
			struct json_object *ro = json_new_object(&err);
			int n = 0;

			for (c = off; c < off + row && c < z->nr_pages;
			     c += cell)
				cells[n++] = pfn_states[dominant(z, c, cell,
								 mix)].glyph;
			cells[n] = '\0';
			json_set_u64(ro, "pfn", z->start_pfn + off, &err);
			json_set_str(ro, "migratetype",
				     migratetype_names[row_migratetype(z, off)],
				     &err);
			json_set_str(ro, "cells", cells, &err);
			json_push(rows, ro, &err);
		}
		json_set(zo, "rows", rows, &err);
		json_push(zones, zo, &err);
	}
	for (st = 0; st < NR_PFN_STATES; st++) {
		struct json_object *so = json_new_object(&err);
		char glyph[2] = { pfn_states[st].glyph, '\0' };

		json_set_str(so, "key", pfn_states[st].key, &err);
		json_set_str(so, "name", pfn_states[st].name, &err);
		json_set_str(so, "colour", pfn_states[st].colour, &err);
		json_set_str(so, "glyph", glyph, &err);
		json_set_u64(so, "pages", map->count[st], &err);
		json_push(states, so, &err);
	}
	json_set(root, "zones", zones, &err);
	json_set(root, "states", states, &err);
	free(cells);
	return json_show(s, root, err);
}

/* ---- SVG ----------------------------------------------------------------- */

/* The tooltip of a run: its pfns, its state, and the mix if aggregated. */
static void run_title(struct seq_buf *s, unsigned long pfn, unsigned long nr,
		      enum pfn_state st, const unsigned long *mix,
		      unsigned long cell)
{
	unsigned long total = 0;
	int i, shown = 0;

	seq_printf(s, "<title>pfn 0x%lx-0x%lx: %s", pfn, pfn + nr - 1,
		   pfn_states[st].name);
	if (cell == 1) {
		seq_puts(s, "</title>");
		return;
	}
	for (i = 0; i < NR_PFN_STATES; i++)
		total += mix[i];
	seq_puts(s, " (cells of");
	for (i = 0; i < NR_PFN_STATES && total; i++) {
		if (!mix[i])
			continue;
		seq_printf(s, "%s %s %lu%%", shown++ ? "," : "",
			   pfn_states[i].name, mix[i] * 100 / total);
	}
	seq_puts(s, ")</title>");
}

static void svg_style(struct seq_buf *s)
{
	int st, mt;

	/* Prefixed classes: the SVG may sit inline in an HTML page. */
	seq_puts(s, "<style>.pm text{font:11px sans-serif;fill:#222}"
		 ".pm .h{font-weight:bold}");
	for (st = 0; st < NR_PFN_STATES; st++)
		seq_printf(s, ".pm-%s{fill:%s}", pfn_states[st].key,
			   pfn_states[st].colour);
	for (mt = 0; mt < MIGRATE_TYPES; mt++)
		seq_printf(s, ".pm-mt%d{fill:%s}", mt,
			   migratetype_colours[mt]);
	seq_puts(s, "</style>\n");
}

/* One row: runs of equal cells, one rect each. */
static void svg_row(struct seq_buf *s, const struct pfnmap_zone *z,
		    unsigned long off, unsigned long cell, unsigned int y)
{
	unsigned long mix[NR_PFN_STATES], run_mix[NR_PFN_STATES];
	unsigned long c, end = off + PFNMAP_COLS * cell, run_start = off;
	enum pfn_state run = PFN_HOLE;
	int i;

	if (end > z->nr_pages)
		end = z->nr_pages;
	memset(run_mix, 0, sizeof(run_mix));
	for (c = off; c <= end; c += cell) {
		enum pfn_state st = PFN_HOLE;

		if (c < end)
			st = dominant(z, c, cell, mix);
		if (c > off && (c >= end || st != run)) {
			unsigned long nr = (c < end ? c : end) - run_start;

			seq_printf(s, "<rect class=\"pm-%s\" x=\"%lu\" y=\"%u\" "
				   "width=\"%lu\" height=\"%d\">",
				   pfn_states[run].key, MARGIN_X +
				   (run_start - off) / cell * CELL_W, y,
				   DIV_ROUND_UP(nr, cell) * CELL_W, ROW_H);
			run_title(s, z->start_pfn + run_start, nr, run,
				  run_mix, cell);
			seq_puts(s, "</rect>\n");
			memset(run_mix, 0, sizeof(run_mix));
			run_start = c;
		}
		if (c >= end)
			break;
		run = st;
		for (i = 0; i < NR_PFN_STATES; i++)
			run_mix[i] += mix[i];
	}
}

void pfnmap_show_svg(struct seq_buf *s, const struct pfnmap *map)
{
	unsigned int k = cell_shift(map, PFNMAP_COLS);
	unsigned long cell = 1UL << k, row = PFNMAP_COLS * cell;
	unsigned int width = MARGIN_X + PFNMAP_COLS * CELL_W + 8, y = 20;
	unsigned int height = 20, legend_rows = 0;
	int i, st, mt;

	for (i = 0; i < map->nr_zones; i++)
		height += 22 + DIV_ROUND_UP(map->zone[i].nr_pages, row) *
			  ROW_H;
	for (st = 0; st < NR_PFN_STATES; st++)
		legend_rows += map->count[st] != 0;
	height += 28 + DIV_ROUND_UP(legend_rows, 3) * 16 + 22;
	seq_printf(s, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		   "width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\">\n",
		   width, height, width, height);
	svg_style(s);
	seq_printf(s, "<g class=\"pm\"><rect width=\"%u\" height=\"%u\" "
		   "fill=\"#ffffff\"/>\n", width, height);
	seq_printf(s, "<text class=\"h\" x=\"4\" y=\"14\">Physical memory: "
		   "%lu pages (%lu MiB), %lu page%s a cell, %d cells a "
		   "row</text>\n", total_pages(map),
		   total_pages(map) >> (20 - PAGE_SHIFT), cell,
		   cell == 1 ? "" : "s", PFNMAP_COLS);
	for (i = 0; i < map->nr_zones; i++) {
		const struct pfnmap_zone *z = &map->zone[i];
		unsigned long off;
		unsigned int r = 0;

		y += 16;
		seq_printf(s, "<text class=\"h\" x=\"4\" y=\"%u\">Node %d, "
			   "zone %s: pfn 0x%lx-0x%lx</text>\n", y, z->nid,
			   z->name, z->start_pfn,
			   z->start_pfn + z->nr_pages - 1);
		y += 6;
		seq_printf(s, "<line x1=\"0\" y1=\"%u\" x2=\"%u\" y2=\"%u\" "
			   "stroke=\"#222\"/>\n", y - 1, width, y - 1);
		for (off = 0; off < z->nr_pages; off += row, r++) {
			int rmt = row_migratetype(z, off);

			if (!(r % 8))
				seq_printf(s, "<text x=\"4\" y=\"%u\">0x%lx"
					   "</text>\n", y + ROW_H + 3,
					   z->start_pfn + off);
			seq_printf(s, "<rect class=\"pm-mt%d\" x=\"%d\" y=\"%u\" "
				   "width=\"%d\" height=\"%d\"><title>pageblock "
				   "0x%lx: %s</title></rect>\n", rmt,
				   MARGIN_X - STRIP_W - 2, y, STRIP_W, ROW_H,
				   z->start_pfn + off, migratetype_names[rmt]);
			svg_row(s, z, off, cell, y);
			y += ROW_H;
		}
	}
	/* Legend: the states present, three a line; then the margin. */
	y += 22;
	seq_printf(s, "<text class=\"h\" x=\"4\" y=\"%u\">Legend (pages)"
		   "</text>\n", y);
	legend_rows = 0;
	for (st = 0; st < NR_PFN_STATES; st++) {
		unsigned int x;

		if (!map->count[st])
			continue;
		x = 4 + (legend_rows % 3) * 340;
		if (!(legend_rows % 3))
			y += 16;
		legend_rows++;
		seq_printf(s, "<rect class=\"pm-%s\" x=\"%u\" y=\"%u\" width=\"12\""
			   " height=\"12\" stroke=\"#222\"><title>%s</title>"
			   "</rect><text x=\"%u\" y=\"%u\">%s: %lu</text>\n",
			   pfn_states[st].key, x, y - 10, pfn_states[st].name,
			   x + 16, y, pfn_states[st].name, map->count[st]);
	}
	y += 22;
	seq_printf(s, "<text x=\"4\" y=\"%u\">Margin: migratetype of the "
		   "row's first pageblock:", y);
	for (mt = 0; mt < MIGRATE_TYPES; mt++)
		seq_printf(s, "%s <tspan class=\"pm-mt%d\">&#9632;</tspan> %s",
			   mt ? "," : "", mt, migratetype_names[mt]);
	seq_puts(s, "</text>\n</g></svg>\n");
}

/* ---- the renders ----------------------------------------------------- */

static int pfnmap_render_node(struct seq_buf *s, int nid, unsigned int flags)
{
	struct pfnmap *map = malloc(sizeof(*map));
	int ret;

	if (!map)
		return -ENOMEM;
	ret = pfnmap_collect(map, nid);
	if (!ret) {
		if (flags & FOLIAGE_RENDER_SVG)
			pfnmap_show_svg(s, map);
		else if (flags & FOLIAGE_RENDER_JSON)
			ret = pfnmap_show_json(s, map);
		else
			pfnmap_show_text(s, map);
	}
	pfnmap_free(map);
	free(map);
	return ret;
}

int pfnmap_render(struct seq_buf *s, unsigned int flags)
{
	return pfnmap_render_node(s, -1, flags);
}

int foliage_render_pfnmap(struct foliage_machine *m, int nid,
			  unsigned int flags, char **out)
{
	struct seq_buf s;
	int ret;

	if (!m || !out || nid < -1 || nid >= m->nr_nodes ||
	    (flags & ~(FOLIAGE_RENDER_JSON | FOLIAGE_RENDER_SVG)) ||
	    (flags & FOLIAGE_RENDER_JSON && flags & FOLIAGE_RENDER_SVG))
		return -EINVAL;
	ret = machine_enter(m);
	if (ret)
		return ret;
	seq_buf_init(&s);
	ret = pfnmap_render_node(&s, nid, flags);
	machine_leave(m);
	if (ret) {
		seq_buf_free(&s);
		return ret;
	}
	return seq_buf_finish(&s, out);
}
