// SPDX-License-Identifier: GPL-2.0
/*
 * Memory totals: si_mem_available() and /proc/meminfo, in the format of
 * Linux 6.18 (x86-64, no highmem, THP and hugetlb built in), and the same
 * values as JSON (one member per line, named by its label, in kB except
 * the HugePages_* counts).
 *
 * What foliage does not model prints as a machine without it would:
 *
 *   Buffers, SwapTotal/Free, Zswap(ped), NFS_Unstable, Bounce,
 *   WritebackTmp, VmallocUsed/Chunk, Percpu	0: no block devices, swap,
 *						vmalloc or percpu allocator
 *   VmallocTotal				x86-64's 4-level vmalloc area
 *
 * HugePages_Total/Free/Rsvd/Surp and Hugepagesize are the default (2 MiB)
 * hstate's, Hugetlb the bytes of every hstate's pages (mm/hugetlb.c).
 *
 * DirectMap4k/2M/1G describe the guest RAM as x86-64 maps it in the direct
 * map with gbpages: each node's RAM starts 1 GiB aligned (node_shift >=
 * PUD_ORDER), so it is covered by as many 1G pages as fit, then 2M pages,
 * then 4k pages for the tail.  foliage never splits the direct map, so the
 * three lines add up to exactly the guest RAM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include <linux/hugetlb.h>

#define K(pages)	((pages) << (PAGE_SHIFT - 10))

/* The vmalloc area of x86-64 with 4-level paging: 32 TiB. */
#define VMALLOC_TOTAL_KB	((32UL << 30) - 1)
#define HPAGE_PMD_KB		(HPAGE_PMD_NR << (PAGE_SHIFT - 10))
/* vm.overcommit_ratio's default. */
#define OVERCOMMIT_RATIO	50

#define __MEMINFO_LABEL(e, label, kb) label,
const char *const meminfo_labels[NR_MEMINFO_LINES] = {
	FOLIAGE_MEMINFO_LINES(__MEMINFO_LABEL)
};
#undef __MEMINFO_LABEL

#define __MEMINFO_KB(e, label, kb) kb,
static const bool meminfo_in_kb[NR_MEMINFO_LINES] = {
	FOLIAGE_MEMINFO_LINES(__MEMINFO_KB)
};
#undef __MEMINFO_KB

/*
 * The pages of one zone that userspace allocations cannot have: its
 * largest lowmem_reserve against the zones above it, plus its high
 * watermark, but no more than it manages (Linux's
 * calculate_totalreserve_pages(), for one zone).
 */
unsigned long zone_reserve_pages(const long *lowmem_reserve, int nr_zones,
				 int zone_idx, unsigned long high_wmark,
				 unsigned long managed)
{
	long max = 0;
	int j;

	for (j = zone_idx; j < nr_zones; j++)
		if (lowmem_reserve[j] > max)
			max = lowmem_reserve[j];
	max += high_wmark;
	return min((unsigned long)max, managed);
}

/*
 * MemAvailable from its inputs, as Linux estimates it: the free pages
 * above the reserves, plus the part of the page cache and of the
 * reclaimable kernel memory that reclaim could free without thrashing
 * (at least half, or the low watermarks' worth, of each stays).
 */
long mem_available(unsigned long nr_free, unsigned long totalreserve,
		   unsigned long wmark_low, unsigned long pagecache,
		   unsigned long reclaimable)
{
	long available = (long)nr_free - (long)totalreserve;

	pagecache -= min(pagecache / 2, wmark_low);
	available += pagecache;
	reclaimable -= min(reclaimable / 2, wmark_low);
	available += reclaimable;
	return available < 0 ? 0 : available;
}

#define for_each_zone_of(m, nid, z, zone)				\
	for ((nid) = 0; (nid) < (m)->nr_nodes; (nid)++)			\
		for ((z) = 0; (z) < MAX_NR_ZONES &&			\
		     ((zone) = &(m)->node_data[nid]->node_zones[z]); (z)++)

/* Every zone counts, populated or not, as in Linux's for_each_zone(). */
long si_mem_available(void)
{
	struct foliage_machine *m = this_machine;
	unsigned long wmark_low = 0, totalreserve = 0;
	struct zone *zone;
	int nid, z;

	for_each_zone_of(m, nid, z, zone) {
		wmark_low += low_wmark_pages(zone);
		totalreserve += zone_reserve_pages(zone->lowmem_reserve,
						   MAX_NR_ZONES, z,
						   high_wmark_pages(zone),
						   zone_managed_pages(zone));
	}
	return mem_available(global_zone_page_state(NR_FREE_PAGES),
			     totalreserve, wmark_low,
			     global_node_page_state(NR_ACTIVE_FILE) +
			     global_node_page_state(NR_INACTIVE_FILE),
			     global_node_page_state(NR_SLAB_RECLAIMABLE_B) +
			     global_node_page_state(NR_KERNEL_MISC_RECLAIMABLE));
}

/*
 * CommitLimit in pages: vm.overcommit_ratio (50) percent of RAM, with no
 * hugetlb pages to leave out and no swap to add.
 */
unsigned long vm_commit_limit(unsigned long totalram)
{
	return totalram * OVERCOMMIT_RATIO / 100;
}

static unsigned long totalram_pages(void)
{
	struct foliage_machine *m = this_machine;
	unsigned long total = 0;
	struct zone *zone;
	int nid, z;

	for_each_zone_of(m, nid, z, zone)
		total += zone_managed_pages(zone);
	return total;
}

/* The direct map's pages of each size, in kB; see the top of the file. */
static void direct_map_kb(unsigned long *kb_4k, unsigned long *kb_2m,
			  unsigned long *kb_1g)
{
	struct foliage_machine *m = this_machine;
	unsigned long pud_pages = 1UL << PUD_ORDER;
	int nid;

	*kb_4k = *kb_2m = *kb_1g = 0;
	for (nid = 0; nid < m->nr_nodes; nid++) {
		unsigned long nr = m->node_data[nid]->node_present_pages;
		unsigned long tail = nr % pud_pages;

		*kb_1g += K(nr - tail);
		*kb_2m += K(ALIGN_DOWN(tail, HPAGE_PMD_NR));
		*kb_4k += K(tail % HPAGE_PMD_NR);
	}
}

void meminfo_snapshot(struct meminfo *mi)
{
	unsigned long *v = mi->val;
	unsigned long totalram = totalram_pages();
	unsigned long sreclaimable, sunreclaim, swapcached;
	long cached;

	sreclaimable = global_node_page_state(NR_SLAB_RECLAIMABLE_B);
	sunreclaim = global_node_page_state(NR_SLAB_UNRECLAIMABLE_B);
	swapcached = global_node_page_state(NR_SWAPCACHED);
	cached = (long)global_node_page_state(NR_FILE_PAGES) - swapcached;

	memset(mi, 0, sizeof(*mi));
	v[MI_MEMTOTAL] = K(totalram);
	v[MI_MEMFREE] = K(global_zone_page_state(NR_FREE_PAGES));
	v[MI_MEMAVAILABLE] = K((unsigned long)si_mem_available());
	v[MI_CACHED] = K((unsigned long)max(cached, 0L));
	v[MI_SWAPCACHED] = K(swapcached);
	v[MI_ACTIVE_ANON] = K(global_node_page_state(NR_ACTIVE_ANON));
	v[MI_INACTIVE_ANON] = K(global_node_page_state(NR_INACTIVE_ANON));
	v[MI_ACTIVE_FILE] = K(global_node_page_state(NR_ACTIVE_FILE));
	v[MI_INACTIVE_FILE] = K(global_node_page_state(NR_INACTIVE_FILE));
	v[MI_ACTIVE] = v[MI_ACTIVE_ANON] + v[MI_ACTIVE_FILE];
	v[MI_INACTIVE] = v[MI_INACTIVE_ANON] + v[MI_INACTIVE_FILE];
	v[MI_UNEVICTABLE] = K(global_node_page_state(NR_UNEVICTABLE));
	v[MI_MLOCKED] = K(global_zone_page_state(NR_MLOCK));
	v[MI_DIRTY] = K(global_node_page_state(NR_DIRTY));
	v[MI_WRITEBACK] = K(global_node_page_state(NR_WRITEBACK));
	v[MI_ANONPAGES] = K(global_node_page_state(NR_ANON_MAPPED));
	v[MI_MAPPED] = K(global_node_page_state(NR_FILE_MAPPED));
	v[MI_SHMEM] = K(global_node_page_state(NR_SHMEM));
	v[MI_KRECLAIMABLE] = K(sreclaimable +
			global_node_page_state(NR_KERNEL_MISC_RECLAIMABLE));
	v[MI_SLAB] = K(sreclaimable + sunreclaim);
	v[MI_SRECLAIMABLE] = K(sreclaimable);
	v[MI_SUNRECLAIM] = K(sunreclaim);
	v[MI_KERNELSTACK] = global_node_page_state(NR_KERNEL_STACK_KB);
	v[MI_PAGETABLES] = K(global_node_page_state(NR_PAGETABLE));
	v[MI_SECPAGETABLES] = K(global_node_page_state(NR_SEC_PAGE_TABLE_PAGES));
	v[MI_COMMITLIMIT] = K(vm_commit_limit(totalram));
	/* The commit charge of private writable mappings (mm/mmap.c). */
	v[MI_COMMITTED_AS] = K(max(atomic_long_read(
		&this_machine->vm_committed_as), 0L));
	v[MI_VMALLOCTOTAL] = VMALLOC_TOTAL_KB;
	v[MI_ANONHUGEPAGES] = K(global_node_page_state(NR_ANON_THPS));
	v[MI_SHMEMHUGEPAGES] = K(global_node_page_state(NR_SHMEM_THPS));
	v[MI_SHMEMPMDMAPPED] = K(global_node_page_state(NR_SHMEM_PMDMAPPED));
	v[MI_FILEHUGEPAGES] = K(global_node_page_state(NR_FILE_THPS));
	v[MI_FILEPMDMAPPED] = K(global_node_page_state(NR_FILE_PMDMAPPED));
	v[MI_BALLOON] = K(global_node_page_state(NR_BALLOON_PAGES));
	hugetlb_report_meminfo(&v[MI_HUGEPAGES_TOTAL], &v[MI_HUGEPAGES_FREE],
			       &v[MI_HUGEPAGES_RSVD], &v[MI_HUGEPAGES_SURP],
			       &v[MI_HUGETLB]);
	v[MI_HUGEPAGESIZE] = HPAGE_PMD_KB;
	direct_map_kb(&v[MI_DIRECTMAP4K], &v[MI_DIRECTMAP2M],
		      &v[MI_DIRECTMAP1G]);
}

/*
 * "Label:" padded to 16 columns, then the value in 8 (as Linux's
 * show_val_kb()), or for the HugePages_* counts 3 spaces and 5 columns.
 */
void meminfo_show(struct seq_buf *s, const struct meminfo *mi)
{
	char label[32];
	int i;

	for (i = 0; i < NR_MEMINFO_LINES; i++) {
		snprintf(label, sizeof(label), "%s:", meminfo_labels[i]);
		if (meminfo_in_kb[i])
			seq_printf(s, "%-16s%8lu kB\n", label, mi->val[i]);
		else
			seq_printf(s, "%-16s   %5lu\n", label, mi->val[i]);
	}
}

struct json_object *meminfo_json(const struct meminfo *mi, int *err)
{
	struct json_object *root = json_new_object(err);
	int i;

	for (i = 0; i < NR_MEMINFO_LINES; i++)
		json_set_u64(root, meminfo_labels[i], mi->val[i], err);
	return root;
}

DEFINE_RENDERER(meminfo, struct meminfo)
