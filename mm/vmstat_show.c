// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/buddyinfo, /proc/pagetypeinfo, /proc/vmstat and /proc/zoneinfo, in
 * the formats of Linux 6.18's mm/vmstat.c, and the same data as JSON.
 *
 * Each file is a snapshot (taken under zone->lock where Linux takes it)
 * and a pure formatter; see render.h.  Values foliage does not model print
 * as Linux would print them on a machine without the feature:
 *
 *   zoneinfo "boost", "cma"	0: no watermark boosting, no CMA
 *   zoneinfo high_min/high_max	both pcp->high: foliage's pcp high does not
 *				float between a minimum and a maximum
 *   "vm stats threshold"	0: foliage's counters are exact atomics, no
 *				per-CPU deltas wait to be folded
 *   "node_unreclaimable"	0: no kswapd, so it never gives up
 */
#include <stdlib.h>
#include <string.h>

#include "render.h"

/* ---- /proc/buddyinfo --------------------------------------------------- */

void buddyinfo_snapshot(struct buddyinfo *bi)
{
	struct foliage_machine *m = this_machine;
	int nid, z, o;

	bi->nr_zones = 0;
	for (nid = 0; nid < m->nr_nodes; nid++) {
		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &m->node_data[nid]->node_zones[z];
			struct buddyinfo_zone *row;

			if (!populated_zone(zone))
				continue;
			row = &bi->zone[bi->nr_zones++];
			row->nid = nid;
			row->name = zone->name;
			spin_lock(&zone->lock);
			for (o = 0; o < NR_PAGE_ORDERS; o++)
				row->nr_free[o] = zone->free_area[o].nr_free;
			spin_unlock(&zone->lock);
		}
	}
}

void buddyinfo_show(struct seq_buf *s, const struct buddyinfo *bi)
{
	int i, o;

	for (i = 0; i < bi->nr_zones; i++) {
		const struct buddyinfo_zone *row = &bi->zone[i];

		seq_printf(s, "Node %d, zone %8s ", row->nid, row->name);
		for (o = 0; o < NR_PAGE_ORDERS; o++)
			seq_printf(s, "%6lu ", row->nr_free[o]);
		seq_putc(s, '\n');
	}
}

struct json_object *buddyinfo_json(const struct buddyinfo *bi, int *err)
{
	struct json_object *root = json_new_object(err);
	struct json_object *zones = json_new_array(err);
	int i, o;

	for (i = 0; i < bi->nr_zones; i++) {
		const struct buddyinfo_zone *row = &bi->zone[i];
		struct json_object *zone = json_new_object(err);
		struct json_object *nr_free = json_new_array(err);

		json_set_i64(zone, "node", row->nid, err);
		json_set_str(zone, "zone", row->name, err);
		for (o = 0; o < NR_PAGE_ORDERS; o++)
			json_push_u64(nr_free, row->nr_free[o], err);
		json_set(zone, "nr_free", nr_free, err);
		json_push(zones, zone, err);
	}
	json_set(root, "zones", zones, err);
	return root;
}

DEFINE_RENDERER(buddyinfo, struct buddyinfo)

/* ---- /sys/kernel/debug/extfrag/ ---------------------------------------- */

/*
 * What the free lists offer an allocation of @order (Linux's struct
 * contig_page_info): all free pages, all free blocks, and the blocks of
 * @order that the blocks of that order or above make.
 */
struct contig_page_info {
	unsigned long free_pages;	/* sum of nr_free[o] << o */
	unsigned long free_blocks_total; /* sum of nr_free[o] */
	unsigned long free_blocks_suitable; /* @order blocks they make */
};

static void fill_contig_page_info(const unsigned long *nr_free,
				  unsigned int order,
				  struct contig_page_info *info)
{
	unsigned int o;

	memset(info, 0, sizeof(*info));
	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		info->free_blocks_total += nr_free[o];
		info->free_pages += nr_free[o] << o;
		if (o >= order)
			info->free_blocks_suitable += nr_free[o] << (o - order);
	}
}

/*
 * The unusable free space index of @order, in thousandths: the share of
 * free memory in blocks too small for it (1000 when nothing is free).
 */
static int unusable_free_index(unsigned int order,
			       const struct contig_page_info *info)
{
	if (!info->free_pages)
		return 1000;
	return (int)((info->free_pages -
		      (info->free_blocks_suitable << order)) * 1000ULL /
		     info->free_pages);
}

/*
 * The fragmentation index of @order, in thousandths: -1000 when a block
 * of that order is free (the allocation would succeed), 0 without free
 * memory, else towards 1000 the more the failure is due to fragmentation
 * rather than to a lack of memory.
 */
static int fragmentation_index(unsigned int order,
			       const struct contig_page_info *info)
{
	unsigned long requested = 1UL << order;

	if (!info->free_blocks_total)
		return 0;
	if (info->free_blocks_suitable)
		return -1000;
	return 1000 - (int)((1000 + info->free_pages * 1000ULL / requested) /
			    info->free_blocks_total);
}

/* One line: @index of every order, each printed with @fmt. */
static void index_line(struct seq_buf *s, int nid, const char *zone,
		       const unsigned long *nr_free,
		       int (*index)(unsigned int order,
				    const struct contig_page_info *info),
		       const char *fmt)
{
	struct contig_page_info info;
	unsigned int o;
	int v;

	seq_printf(s, "Node %d, zone %8s ", nid, zone);
	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		fill_contig_page_info(nr_free, o, &info);
		v = index(o, &info);
		/* -1000 prints as "-1.000": v % 1000 is 0 then. */
		seq_printf(s, fmt, v / 1000, v % 1000);
	}
	seq_putc(s, '\n');
}

void unusable_index_line(struct seq_buf *s, int nid, const char *zone,
			 const unsigned long *nr_free)
{
	index_line(s, nid, zone, nr_free, unusable_free_index, "%d.%03d ");
}

void extfrag_index_line(struct seq_buf *s, int nid, const char *zone,
			const unsigned long *nr_free)
{
	index_line(s, nid, zone, nr_free, fragmentation_index, "%2d.%03d ");
}

static struct json_object *extfrag_json(const struct buddyinfo *bi, int *err)
{
	struct json_object *root = json_new_object(err);
	struct json_object *zones = json_new_array(err);
	struct contig_page_info info;
	int i, o;

	for (i = 0; i < bi->nr_zones; i++) {
		const struct buddyinfo_zone *row = &bi->zone[i];
		struct json_object *zone = json_new_object(err);
		struct json_object *unusable = json_new_array(err);
		struct json_object *extfrag = json_new_array(err);

		json_set_i64(zone, "node", row->nid, err);
		json_set_str(zone, "zone", row->name, err);
		for (o = 0; o < NR_PAGE_ORDERS; o++) {
			fill_contig_page_info(row->nr_free, o, &info);
			json_push(unusable, json_object_new_double(
				  unusable_free_index(o, &info) / 1000.0),
				  err);
			json_push(extfrag, json_object_new_double(
				  fragmentation_index(o, &info) / 1000.0),
				  err);
		}
		json_set(zone, "unusable_index", unusable, err);
		json_set(zone, "extfrag_index", extfrag, err);
		json_push(zones, zone, err);
	}
	json_set(root, "zones", zones, err);
	return root;
}

static int render_extfrag_files(struct seq_buf *s, bool json, bool unusable,
				bool extfrag)
{
	struct buddyinfo *bi = malloc(sizeof(*bi));
	int err = 0, i;

	if (!bi)
		return -ENOMEM;
	buddyinfo_snapshot(bi);
	if (json) {
		err = json_show(s, extfrag_json(bi, &err), err);
		free(bi);
		return err;
	}
	if (unusable && extfrag)
		seq_puts(s, "unusable_index:\n");
	for (i = 0; unusable && i < bi->nr_zones; i++)
		unusable_index_line(s, bi->zone[i].nid, bi->zone[i].name,
				    bi->zone[i].nr_free);
	if (unusable && extfrag)
		seq_puts(s, "extfrag_index:\n");
	for (i = 0; extfrag && i < bi->nr_zones; i++)
		extfrag_index_line(s, bi->zone[i].nid, bi->zone[i].name,
				   bi->zone[i].nr_free);
	free(bi);
	return 0;
}

int render_extfrag(struct seq_buf *s, bool json)
{
	return render_extfrag_files(s, json, true, true);
}

int render_unusable_index(struct seq_buf *s, bool json)
{
	return render_extfrag_files(s, json, true, false);
}

int render_extfrag_index(struct seq_buf *s, bool json)
{
	return render_extfrag_files(s, json, false, true);
}

/* ---- /proc/pagetypeinfo ------------------------------------------------ */

/*
 * Count the blocks on one free list, stopping at the cap.  Like Linux,
 * zone->lock is taken for one list at a time, so that a huge list does
 * not hold it for long; the counts are therefore not one atomic picture.
 */
static unsigned long count_free_list(struct zone *zone, unsigned int order,
				     int mt)
{
	unsigned long n;

	spin_lock(&zone->lock);
	n = free_list_nr(zone, order, mt, PAGETYPE_FREECOUNT_CAP);
	spin_unlock(&zone->lock);
	return n;
}

/* Pageblocks of each migratetype, isolated ones as Isolate. */
static void count_pageblocks(struct zone *zone, unsigned long *nr_blocks)
{
	unsigned long pfn;
	int mt;

	for (mt = 0; mt < MIGRATE_TYPES; mt++)
		nr_blocks[mt] = 0;
	spin_lock(&zone->lock);
	for (pfn = zone->zone_start_pfn; pfn < zone_end_pfn(zone);
	     pfn += pageblock_nr_pages) {
		if (!pfn_valid(pfn))
			continue;
		mt = get_pfnblock_migratetype(pfn);
		if (mt < MIGRATE_TYPES)
			nr_blocks[mt]++;
	}
	spin_unlock(&zone->lock);
}

void pagetypeinfo_snapshot(struct pagetypeinfo *pi)
{
	struct foliage_machine *m = this_machine;
	int nid, z, mt;
	unsigned int o;

	pi->nr_nodes = 0;
	for (nid = 0; nid < m->nr_nodes; nid++) {
		pg_data_t *pgdat = m->node_data[nid];
		struct pagetype_node *node;

		/* Memoryless nodes are not shown. */
		if (!pgdat->node_present_pages)
			continue;
		node = &pi->node[pi->nr_nodes++];
		node->nid = nid;
		node->nr_zones = 0;
		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &pgdat->node_zones[z];
			struct pagetype_zone *pz;

			if (!populated_zone(zone))
				continue;
			pz = &node->zone[node->nr_zones++];
			pz->name = zone->name;
			for (mt = 0; mt < MIGRATE_TYPES; mt++)
				for (o = 0; o < NR_PAGE_ORDERS; o++)
					pz->nr_free[mt][o] =
						count_free_list(zone, o, mt);
			count_pageblocks(zone, pz->nr_blocks);
		}
	}
}

void pagetypeinfo_show(struct seq_buf *s, const struct pagetypeinfo *pi)
{
	int n, z, mt, o;

	for (n = 0; n < pi->nr_nodes; n++) {
		const struct pagetype_node *node = &pi->node[n];

		seq_printf(s, "Page block order: %d\n", pageblock_order);
		seq_printf(s, "Pages per block:  %lu\n", pageblock_nr_pages);
		seq_putc(s, '\n');

		seq_printf(s, "%-43s ",
			   "Free pages count per migrate type at order");
		for (o = 0; o < NR_PAGE_ORDERS; o++)
			seq_printf(s, "%6d ", o);
		seq_putc(s, '\n');
		for (z = 0; z < node->nr_zones; z++) {
			const struct pagetype_zone *pz = &node->zone[z];

			for (mt = 0; mt < MIGRATE_TYPES; mt++) {
				seq_printf(s, "Node %4d, zone %8s, type %12s ",
					   node->nid, pz->name,
					   migratetype_names[mt]);
				for (o = 0; o < NR_PAGE_ORDERS; o++) {
					unsigned long v = pz->nr_free[mt][o];

					seq_printf(s, "%s%6lu ",
						   v >= PAGETYPE_FREECOUNT_CAP ?
						   ">" : "", v);
				}
				seq_putc(s, '\n');
			}
		}

		seq_printf(s, "\n%-23s", "Number of blocks type ");
		for (mt = 0; mt < MIGRATE_TYPES; mt++)
			seq_printf(s, "%12s ", migratetype_names[mt]);
		seq_putc(s, '\n');
		for (z = 0; z < node->nr_zones; z++) {
			const struct pagetype_zone *pz = &node->zone[z];

			seq_printf(s, "Node %d, zone %8s ", node->nid,
				   pz->name);
			for (mt = 0; mt < MIGRATE_TYPES; mt++)
				seq_printf(s, "%12lu ", pz->nr_blocks[mt]);
			seq_putc(s, '\n');
		}
	}
}

struct json_object *pagetypeinfo_json(const struct pagetypeinfo *pi, int *err)
{
	struct json_object *root = json_new_object(err);
	struct json_object *nodes = json_new_array(err);
	int n, z, mt, o;

	json_set_i64(root, "page_block_order", pageblock_order, err);
	json_set_u64(root, "pages_per_block", pageblock_nr_pages, err);
	json_set_u64(root, "free_count_cap", PAGETYPE_FREECOUNT_CAP, err);
	for (n = 0; n < pi->nr_nodes; n++) {
		const struct pagetype_node *node = &pi->node[n];
		struct json_object *jnode = json_new_object(err);
		struct json_object *zones = json_new_array(err);

		json_set_i64(jnode, "node", node->nid, err);
		for (z = 0; z < node->nr_zones; z++) {
			const struct pagetype_zone *pz = &node->zone[z];
			struct json_object *zone = json_new_object(err);
			struct json_object *jfree = json_new_object(err);
			struct json_object *blocks = json_new_object(err);

			json_set_str(zone, "zone", pz->name, err);
			for (mt = 0; mt < MIGRATE_TYPES; mt++) {
				struct json_object *counts = json_new_array(err);

				for (o = 0; o < NR_PAGE_ORDERS; o++)
					json_push_u64(counts, pz->nr_free[mt][o],
						      err);
				json_set(jfree, migratetype_names[mt], counts,
					 err);
				json_set_u64(blocks, migratetype_names[mt],
					     pz->nr_blocks[mt], err);
			}
			json_set(zone, "free", jfree, err);
			json_set(zone, "blocks", blocks, err);
			json_push(zones, zone, err);
		}
		json_set(jnode, "zones", zones, err);
		json_push(nodes, jnode, err);
	}
	json_set(root, "nodes", nodes, err);
	return root;
}

DEFINE_RENDERER(pagetypeinfo, struct pagetypeinfo)

/* ---- /proc/vmstat ------------------------------------------------------ */

void vmstat_snapshot(struct vmstat_lines *vl)
{
	unsigned int i;

	for (i = 0; i < NR_VMSTAT_ITEMS; i++)
		vl->val[i] = vmstat_value(i);
}

/*
 * "name value" a line.  Linux prints the deprecated nr_unstable after its
 * last item; foliage has it as the last item of vmstat_text[], after its
 * own two events pgzero_cleared and pgzero_skipped.
 */
void vmstat_show(struct seq_buf *s, const struct vmstat_lines *vl)
{
	unsigned int i;

	for (i = 0; i < NR_VMSTAT_ITEMS; i++)
		seq_printf(s, "%s %lu\n", vmstat_text[i], vl->val[i]);
}

struct json_object *vmstat_json(const struct vmstat_lines *vl, int *err)
{
	struct json_object *root = json_new_object(err);
	unsigned int i;

	for (i = 0; i < NR_VMSTAT_ITEMS; i++)
		json_set_u64(root, vmstat_text[i], vl->val[i], err);
	return root;
}

DEFINE_RENDERER(vmstat, struct vmstat_lines)

/* ---- /proc/zoneinfo ---------------------------------------------------- */

/* The pcp lists' sizes, each under its own lock (taken before zone->lock). */
static void snapshot_pagesets(struct zone *zone, struct zoneinfo_zone *zz)
{
	int cpu;

	zz->nr_cpus = this_machine->nr_cpus;
	for (cpu = 0; cpu < zz->nr_cpus; cpu++) {
		struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];
		struct zoneinfo_pageset *ps = &zz->pageset[cpu];

		spin_lock(&pcp->lock);
		ps->count = pcp->count;
		ps->high = pcp->high;
		ps->batch = pcp->batch;
		spin_unlock(&pcp->lock);
		ps->high_min = ps->high;
		ps->high_max = ps->high;
		ps->stat_threshold = 0;
	}
}

static void snapshot_zone(struct zone *zone, struct zoneinfo_zone *zz)
{
	int i;

	zz->name = zone->name;
	zz->populated = populated_zone(zone);
	if (zz->populated)
		snapshot_pagesets(zone, zz);
	spin_lock(&zone->lock);
	zz->free = zone_page_state(zone, NR_FREE_PAGES);
	zz->boost = 0;
	for (i = 0; i < NR_WMARK; i++)
		zz->wmark[i] = wmark_pages(zone, i);
	zz->spanned = zone->spanned_pages;
	zz->present = zone->present_pages;
	zz->managed = zone_managed_pages(zone);
	zz->cma = 0;
	zz->nr_protection = MAX_NR_ZONES;
	for (i = 0; i < MAX_NR_ZONES; i++)
		zz->protection[i] = zone->lowmem_reserve[i];
	for (i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		zz->stat[i] = zone_page_state(zone, i);
	for (i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
		zz->numa[i] = zone_numa_event_state(zone, i);
	zz->node_unreclaimable = 0;
	zz->start_pfn = zone->zone_start_pfn;
	spin_unlock(&zone->lock);
}

void zoneinfo_snapshot(struct zoneinfo *zi)
{
	struct foliage_machine *m = this_machine;
	int nid, z, i;

	zi->nr_nodes = m->nr_nodes;
	for (nid = 0; nid < m->nr_nodes; nid++) {
		pg_data_t *pgdat = m->node_data[nid];
		struct zoneinfo_node *node = &zi->node[nid];

		node->nid = nid;
		for (i = 0; i < NR_VM_NODE_STAT_ITEMS; i++) {
			node->stat[i] = node_page_state(pgdat, i);
			if (vmstat_item_print_in_thp(i))
				node->stat[i] /= HPAGE_PMD_NR;
		}
		node->nr_zones = MAX_NR_ZONES;
		for (z = 0; z < MAX_NR_ZONES; z++)
			snapshot_zone(&pgdat->node_zones[z], &node->zone[z]);
	}
}

/* The per-node stats go under the node's first populated zone. */
static bool is_zone_first_populated(const struct zoneinfo_node *node, int z)
{
	int i;

	for (i = 0; i < node->nr_zones; i++)
		if (node->zone[i].populated)
			return i == z;
	return false;
}

/* The names of the zone, NUMA and node items, from vmstat_text[]. */
static const char *zone_stat_name(int i)
{
	return vmstat_text[i];
}

static const char *numa_stat_name(int i)
{
	return vmstat_text[NR_VM_ZONE_STAT_ITEMS + i];
}

static const char *node_stat_name(int i)
{
	return vmstat_text[NR_VM_ZONE_STAT_ITEMS + NR_VM_NUMA_EVENT_ITEMS + i];
}

static void zoneinfo_show_zone(struct seq_buf *s,
			       const struct zoneinfo_node *node, int z)
{
	const struct zoneinfo_zone *zz = &node->zone[z];
	int i;

	seq_printf(s, "Node %d, zone %8s", node->nid, zz->name);
	if (is_zone_first_populated(node, z)) {
		seq_puts(s, "\n  per-node stats");
		for (i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
			seq_printf(s, "\n      %-12s %lu", node_stat_name(i),
				   node->stat[i]);
	}
	seq_printf(s,
		   "\n  pages free     %lu"
		   "\n        boost    %lu"
		   "\n        min      %lu"
		   "\n        low      %lu"
		   "\n        high     %lu"
		   "\n        promo    %lu"
		   "\n        spanned  %lu"
		   "\n        present  %lu"
		   "\n        managed  %lu"
		   "\n        cma      %lu",
		   zz->free, zz->boost, zz->wmark[WMARK_MIN],
		   zz->wmark[WMARK_LOW], zz->wmark[WMARK_HIGH],
		   zz->wmark[WMARK_PROMO], zz->spanned, zz->present,
		   zz->managed, zz->cma);
	seq_printf(s, "\n        protection: (%ld", zz->protection[0]);
	for (i = 1; i < zz->nr_protection; i++)
		seq_printf(s, ", %ld", zz->protection[i]);
	seq_putc(s, ')');

	/* An empty zone shows no more. */
	if (!zz->populated) {
		seq_putc(s, '\n');
		return;
	}
	for (i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		seq_printf(s, "\n      %-12s %lu", zone_stat_name(i),
			   zz->stat[i]);
	for (i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
		seq_printf(s, "\n      %-12s %lu", numa_stat_name(i),
			   zz->numa[i]);

	seq_puts(s, "\n  pagesets");
	for (i = 0; i < zz->nr_cpus; i++) {
		const struct zoneinfo_pageset *ps = &zz->pageset[i];

		seq_printf(s,
			   "\n    cpu: %i"
			   "\n              count:    %i"
			   "\n              high:     %i"
			   "\n              batch:    %i"
			   "\n              high_min: %i"
			   "\n              high_max: %i",
			   i, ps->count, ps->high, ps->batch, ps->high_min,
			   ps->high_max);
		seq_printf(s, "\n  vm stats threshold: %d",
			   ps->stat_threshold);
	}
	seq_printf(s,
		   "\n  node_unreclaimable:  %u"
		   "\n  start_pfn:           %lu",
		   zz->node_unreclaimable, zz->start_pfn);
	seq_putc(s, '\n');
}

void zoneinfo_show(struct seq_buf *s, const struct zoneinfo *zi)
{
	int n, z;

	for (n = 0; n < zi->nr_nodes; n++)
		for (z = 0; z < zi->node[n].nr_zones; z++)
			zoneinfo_show_zone(s, &zi->node[n], z);
}

static struct json_object *zoneinfo_zone_json(const struct zoneinfo_zone *zz,
					      int *err)
{
	static const char *const wmark_names[NR_WMARK] = {
		"min", "low", "high", "promo",
	};
	struct json_object *zone = json_new_object(err);
	struct json_object *prot = json_new_array(err);
	int i;

	json_set_str(zone, "zone", zz->name, err);
	json_set(zone, "populated", json_object_new_boolean(zz->populated),
		 err);
	json_set_u64(zone, "pages_free", zz->free, err);
	json_set_u64(zone, "boost", zz->boost, err);
	for (i = 0; i < NR_WMARK; i++)
		json_set_u64(zone, wmark_names[i], zz->wmark[i], err);
	json_set_u64(zone, "spanned", zz->spanned, err);
	json_set_u64(zone, "present", zz->present, err);
	json_set_u64(zone, "managed", zz->managed, err);
	json_set_u64(zone, "cma", zz->cma, err);
	for (i = 0; i < zz->nr_protection; i++)
		json_push(prot, json_object_new_int64(zz->protection[i]), err);
	json_set(zone, "protection", prot, err);
	if (zz->populated) {
		struct json_object *stats = json_new_object(err);
		struct json_object *pagesets = json_new_array(err);

		for (i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
			json_set_u64(stats, zone_stat_name(i), zz->stat[i],
				     err);
		for (i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
			json_set_u64(stats, numa_stat_name(i), zz->numa[i],
				     err);
		json_set(zone, "stats", stats, err);
		for (i = 0; i < zz->nr_cpus; i++) {
			const struct zoneinfo_pageset *ps = &zz->pageset[i];
			struct json_object *jps = json_new_object(err);

			json_set_i64(jps, "cpu", i, err);
			json_set_i64(jps, "count", ps->count, err);
			json_set_i64(jps, "high", ps->high, err);
			json_set_i64(jps, "batch", ps->batch, err);
			json_set_i64(jps, "high_min", ps->high_min, err);
			json_set_i64(jps, "high_max", ps->high_max, err);
			json_set_i64(jps, "vm_stats_threshold",
				     ps->stat_threshold, err);
			json_push(pagesets, jps, err);
		}
		json_set(zone, "pagesets", pagesets, err);
		json_set_u64(zone, "node_unreclaimable",
			     zz->node_unreclaimable, err);
		json_set_u64(zone, "start_pfn", zz->start_pfn, err);
	}
	return zone;
}

struct json_object *zoneinfo_json(const struct zoneinfo *zi, int *err)
{
	struct json_object *root = json_new_object(err);
	struct json_object *nodes = json_new_array(err);
	int n, z, i;

	for (n = 0; n < zi->nr_nodes; n++) {
		const struct zoneinfo_node *node = &zi->node[n];
		struct json_object *jnode = json_new_object(err);
		struct json_object *stats = json_new_object(err);
		struct json_object *zones = json_new_array(err);

		json_set_i64(jnode, "node", node->nid, err);
		for (i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
			json_set_u64(stats, node_stat_name(i), node->stat[i],
				     err);
		json_set(jnode, "stats", stats, err);
		for (z = 0; z < node->nr_zones; z++)
			json_push(zones, zoneinfo_zone_json(&node->zone[z], err),
				  err);
		json_set(jnode, "zones", zones, err);
		json_push(nodes, jnode, err);
	}
	json_set(root, "nodes", nodes, err);
	return root;
}

DEFINE_RENDERER(zoneinfo, struct zoneinfo)
