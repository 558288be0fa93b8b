// SPDX-License-Identifier: GPL-2.0
/*
 * Booting a machine: guest RAM, mem_map, nodes, zones, pageblocks, and
 * handing all memory to the buddy allocator (mm/mm_init.c, written anew).
 *
 * Free memory is represented lazily, as Linux's deferred memmap init
 * (deferred_init_memmap(), deferred_grow_zone()) does, so that what a guest
 * costs the host grows with memory used, not memory configured:
 *
 * Unlisted blocks.  Boot writes no struct page for a whole max-order
 * (4 MiB) block: it sets the block's bit in zone->unlisted and counts it
 * as free (nr_free[MAX_PAGE_ORDER], NR_FREE_PAGES, managed pages) as if
 * it were on free_area[MAX_PAGE_ORDER].free_list[MIGRATE_MOVABLE].  Their
 * place on that list is held by zone->unlisted_pos, a list_head standing
 * for all of them in ascending pfn order, exactly where boot's listing,
 * lowest pfn first at the tail, would have put them.  When the allocator
 * reaches that place (get_page_from_free_area()), or a caller names an
 * unlisted block (prepare_block(), alloc_contig_range()),
 * list_unlisted_block() writes the block's head struct page and links it
 * just before unlisted_pos.  So the order in which blocks are handed out
 * is the one a fully listed boot gives, and a 1 TiB node boots in
 * milliseconds having written only its bitmaps.
 *
 * Deferred tails.  A listed block's other 1023 struct pages stay as the
 * anonymous mapping gave them (zero, so never PageBuddy) until the block
 * is first split or handed out, when init_deferred_block() writes them;
 * zone->deferred_init marks such blocks (unlisted ones too).  A block is
 * either wholly deferred (a single free order-10 buddy, listed or not) or
 * wholly initialised, so buddy merging, which never crosses a max-order
 * block, never reads an unwritten struct page.  Readers that walk pfns
 * (validators, foliage_page_info(), find_free_block_head()) ask
 * block_is_unlisted() and block_is_deferred() first.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"
#include <host/host.h>
#include <linux/virtio.h>
#include <linux/mm.h>
#include <linux/machine_subsys.h>
#include <linux/swap.h>

#define MIN_NODE_BYTES	(16 * SZ_1M)

void init_single_page(struct page *page)
{
	memset(page, 0, sizeof(*page));
	atomic_set(&page->_mapcount, -1);
}

/* Write the struct pages of a max-order block left deferred at boot. */
void init_deferred_block(struct zone *zone, struct page *page)
{
	unsigned long pfn = page_to_pfn(page);
	unsigned long idx = (pfn - zone->zone_start_pfn) >> MAX_PAGE_ORDER;
	unsigned long i;

	for (i = 1; i < MAX_ORDER_NR_PAGES; i++)
		init_single_page(page + i);
	__clear_bit(idx, zone->deferred_init);
}

/*
 * Put unlisted block @idx on its free list: write its head struct page as
 * a free max-order buddy and link it in front of zone->unlisted_pos, i.e.
 * after every block listed before the unlisted ones and before those still
 * unlisted.  The counters already include it.  Caller holds zone->lock.
 */
struct page *list_unlisted_block(struct zone *zone, unsigned long idx)
{
	struct page *page = pfn_to_page(zone->zone_start_pfn +
					(idx << MAX_PAGE_ORDER));

	VM_BUG_ON(!spin_is_locked(&zone->lock));
	VM_BUG_ON(!test_bit(idx, zone->unlisted));
	init_single_page(page);
	set_buddy_order(page, MAX_PAGE_ORDER);
	list_add_tail(&page->lru, &zone->unlisted_pos);
	__clear_bit(idx, zone->unlisted);
	if (!--zone->nr_unlisted)
		list_del_init(&zone->unlisted_pos);
	return page;
}

void foliage_config_init(struct foliage_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nr_nodes = 1;
	cfg->bytes_per_node = 64 * SZ_1M;
	cfg->nr_cpus = 2;
}

static int check_config(const struct foliage_config *cfg)
{
	if (cfg->nr_nodes < 1 || cfg->nr_nodes > MAX_NUMNODES)
		return -EINVAL;
	if (cfg->bytes_per_node < MIN_NODE_BYTES ||
	    cfg->bytes_per_node > (1ULL << 40) ||
	    cfg->bytes_per_node % PAGE_SIZE)
		return -EINVAL;
	if (cfg->movable_bytes_per_node >= cfg->bytes_per_node ||
	    cfg->movable_bytes_per_node % PAGE_SIZE)
		return -EINVAL;
	if (cfg->nr_cpus < 1 || cfg->nr_cpus > NR_CPUS)
		return -EINVAL;
	if (!arch_ops_get(cfg->arch))
		return -EINVAL;
	/* Protection keys as modelled are x86's PKU. */
	if (cfg->pku && cfg->arch != FOLIAGE_ARCH_X86_64)
		return -EINVAL;
	if (cfg->anon_vma != FOLIAGE_ANON_VMA_CLASSIC &&
	    cfg->anon_vma != FOLIAGE_ANON_VMA_LAZY)
		return -EINVAL;
	return 0;
}

static int init_zone(struct zone *zone, pg_data_t *pgdat, enum zone_type zt,
		     unsigned long start_pfn, unsigned long nr_pages,
		     int nr_cpus)
{
	unsigned long nr_blocks = DIV_ROUND_UP(nr_pages, pageblock_nr_pages);
	unsigned long nr_max = DIV_ROUND_UP(nr_pages, MAX_ORDER_NR_PAGES);
	unsigned int o, mt;
	int cpu, p;

	spin_lock_init(&zone->lock);
	lockdep_set_class(&zone->lock, LOCK_CLASS_ZONE);
	zone->zone_pgdat = pgdat;
	zone->zone_idx = zt;
	zone->zid = pgdat->node_id * MAX_NR_ZONES + zt;
	zone->name = zone_names[zt];
	zone->zone_start_pfn = start_pfn;
	zone->spanned_pages = nr_pages;
	zone->present_pages = nr_pages;
	for (o = 0; o < NR_PAGE_ORDERS; o++)
		for (mt = 0; mt < MIGRATE_TYPES; mt++)
			INIT_LIST_HEAD(&zone->free_area[o].free_list[mt]);
	INIT_LIST_HEAD(&zone->unlisted_pos);
	if (!nr_pages)
		return 0;

	zone->pageblock_flags = malloc(nr_blocks);
	zone->deferred_init = calloc(DIV_ROUND_UP(nr_max, 64), sizeof(long));
	zone->unlisted = calloc(DIV_ROUND_UP(nr_max, 64), sizeof(long));
	zone->per_cpu_pageset = calloc(nr_cpus, sizeof(struct per_cpu_pages));
	if (!zone->pageblock_flags || !zone->deferred_init || !zone->unlisted ||
	    !zone->per_cpu_pageset)
		return -ENOMEM;
	/* Linux boots every pageblock as Movable. */
	memset(zone->pageblock_flags, MIGRATE_MOVABLE, nr_blocks);
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];

		spin_lock_init(&pcp->lock);
		lockdep_set_class(&pcp->lock, LOCK_CLASS_PCP);
		for (p = 0; p < NR_PCP_LISTS; p++)
			INIT_LIST_HEAD(&pcp->lists[p]);
		pcp->high = 0;
		pcp->batch = 1;
	}
	return 0;
}

static void free_zone(struct zone *zone)
{
	free(zone->pageblock_flags);
	free(zone->deferred_init);
	free(zone->unlisted);
	free(zone->per_cpu_pageset);
}

/*
 * Give a zone's memory to the buddy allocator, as memblock_free_all().  The
 * whole max-order blocks become unlisted blocks (see the top of this file):
 * counted as free MIGRATE_MOVABLE order-10 blocks, as boot's listing in
 * ascending pfn order at the tail would count them, with no struct page
 * written.
 */
static void free_zone_memory(struct zone *zone)
{
	unsigned long pfn = zone->zone_start_pfn, end = zone_end_pfn(zone);
	unsigned long nr_max = (end - pfn) >> MAX_PAGE_ORDER;
	unsigned long idx, nr_pages = nr_max << MAX_PAGE_ORDER;
	struct free_area *area = &zone->free_area[MAX_PAGE_ORDER];

	if (nr_max) {
		atomic_long_add(nr_pages, &zone->managed_pages);
		if (this_machine->sysctl.init_on_free)
			memset(page_address(pfn_to_page(pfn)), 0,
			       nr_pages << PAGE_SHIFT);
		for (idx = 0; idx < nr_max; idx++) {
			__set_bit(idx, zone->unlisted);
			__set_bit(idx, zone->deferred_init);
		}
		spin_lock(&zone->lock);
		zone->nr_unlisted = nr_max;
		zone->unlisted_next = 0;
		list_add_tail(&zone->unlisted_pos,
			      &area->free_list[MIGRATE_MOVABLE]);
		area->nr_free += nr_max;
		mod_zone_page_state(zone, NR_FREE_PAGES, nr_pages);
		mod_zone_page_state(zone, NR_FREE_PAGES_BLOCKS, nr_pages);
		spin_unlock(&zone->lock);
		pfn += nr_pages;
	}
	/* A partial block at the end: initialise, free in aligned pieces. */
	while (pfn < end) {
		unsigned int order = __builtin_ctzl(pfn);
		unsigned long i;

		if (order > MAX_PAGE_ORDER)
			order = MAX_PAGE_ORDER;
		while (pfn + (1UL << order) > end)
			order--;
		for (i = 0; i < (1UL << order); i++)
			init_single_page(pfn_to_page(pfn + i));
		__free_pages_core(pfn_to_page(pfn), order);
		pfn += 1UL << order;
	}
}

static int init_node(struct foliage_machine *m, int nid)
{
	const struct foliage_config *cfg = &m->config;
	unsigned long nr_pages = cfg->bytes_per_node >> PAGE_SHIFT;
	unsigned long nr_movable = cfg->movable_bytes_per_node >> PAGE_SHIFT;
	unsigned long start = (unsigned long)nid << m->node_shift;
	pg_data_t *pgdat;
	int ret;

	/* ZONE_MOVABLE starts on a max-order boundary, like movablecore=. */
	nr_movable = ALIGN(nr_movable, MAX_ORDER_NR_PAGES);
	if (nr_movable >= nr_pages)
		return -EINVAL;
	pgdat = calloc(1, sizeof(*pgdat));
	if (!pgdat)
		return -ENOMEM;
	m->node_data[nid] = pgdat;
	pgdat->node_id = nid;
	pgdat->node_start_pfn = start;
	pgdat->node_present_pages = nr_pages;
	pgdat->node_spanned_pages = nr_pages;
	ret = init_zone(&pgdat->node_zones[ZONE_NORMAL], pgdat, ZONE_NORMAL,
			start, nr_pages - nr_movable, cfg->nr_cpus);
	if (ret)
		return ret;
	ret = init_zone(&pgdat->node_zones[ZONE_MOVABLE], pgdat, ZONE_MOVABLE,
			start + nr_pages - nr_movable, nr_movable,
			cfg->nr_cpus);
	if (ret)
		return ret;
	pgdat->nr_zones = nr_movable ? 2 : 1;
	/* Node 0's memfd also holds the kernel image page. */
	/* The host maps the node's RAM at the direct map for us. */
	return host_ram_add(m->host, nid, (u64)start << PAGE_SHIFT,
			    cfg->bytes_per_node + (nid ? 0 : PAGE_SIZE),
			    m->direct_map + (start << PAGE_SHIFT),
			    cfg->prefault);
}

/*
 * The kernel image: memory the boot loader placed and memblock reserved
 * before the buddy allocator got the rest.  foliage's holds only what must
 * be a guest page without belonging to the allocator (the shared zero
 * page): one page past node 0's RAM, in no zone, PageReserved, not in
 * MemTotal, as Linux's kernel image is not.
 */
static void init_kernel_image(struct foliage_machine *m)
{
	struct page *page = m->mem_map + m->kernel_image_pfn;

	init_single_page(page);
	__SetPageReserved(page);
	set_page_count(page, 1);
}

/* min_free_kbytes = sqrt(lowmem_kbytes * 16), within [128, 262144]. */
static int calculate_min_free_kbytes(struct foliage_machine *m)
{
	unsigned long lowmem_kbytes = 0;
	int nid;

	for (nid = 0; nid < m->nr_nodes; nid++)
		lowmem_kbytes += zone_managed_pages(
			&m->node_data[nid]->node_zones[ZONE_NORMAL]) <<
			(PAGE_SHIFT - 10);
	return clamp(int_sqrt(lowmem_kbytes * 16), 128UL, 262144UL);
}

static unsigned long machine_generation;

int foliage_boot_cost(const struct foliage_config *cfg, uint64_t *host_bytes,
		      uint64_t *available)
{
	uint64_t ram, blocks, pageblocks;
	int ret;

	if (!cfg || !host_bytes || !available)
		return -EINVAL;
	ret = check_config(cfg);
	if (ret)
		return ret;
	ram = (uint64_t)cfg->nr_nodes * cfg->bytes_per_node;
	/*
	 * No struct page of a whole max-order block is written (they are
	 * unlisted): per node, a byte per pageblock and two bitmaps of
	 * max-order blocks, plus the memmap of a partial last block.
	 */
	blocks = DIV_ROUND_UP(cfg->bytes_per_node, MAX_ORDER_NR_PAGES * PAGE_SIZE);
	pageblocks = DIV_ROUND_UP(cfg->bytes_per_node,
				  pageblock_nr_pages * PAGE_SIZE);
	*host_bytes = cfg->nr_nodes *
		      (pageblocks + 2 * DIV_ROUND_UP(blocks, 64) * 8 +
		       MAX_ORDER_NR_PAGES * sizeof(struct page));
	if (cfg->prefault || cfg->init_on_free)
		*host_bytes += ram;
	*available = host_mem_available();
	return 0;
}

int foliage_machine_create(const struct foliage_config *cfg,
			   struct foliage_machine **out)
{
	struct foliage_machine *m, *prev = this_machine;
	unsigned long node_pages, span_pages;
	uint64_t cost, available;
	int nid, z, ret;

	if (!cfg || !out)
		return -EINVAL;
	ret = foliage_boot_cost(cfg, &cost, &available);
	if (ret)
		return ret;
	/* Refuse what the host cannot hold rather than be OOM-killed in it. */
	if (available && cost > available)
		return -ENOMEM;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->config = *cfg;
	m->arch = arch_ops_get(cfg->arch);
	m->arm64_tlb_range = true;
	m->nr_nodes = cfg->nr_nodes;
	m->nr_cpus = cfg->nr_cpus;
	m->pku = cfg->pku;
	m->no_page_mapcount = cfg->no_page_mapcount;
	/*
	 * One thread at a time runs a one-CPU machine: no lock prefixes
	 * until a kernel thread exists (atomic.h, kernel/cpu.c).
	 */
	m->up = cfg->nr_cpus == 1;
	m->generation = __atomic_add_fetch(&machine_generation, 1,
					   __ATOMIC_RELAXED);
	ret = machine_kernel_init(m);
	if (ret)
		goto out_destroy;
	spin_lock_init(&m->bug_lock);
	spin_lock_init(&m->files_lock);
	INIT_LIST_HEAD(&m->files);
	spin_lock_init(&m->pins_lock);
	spin_lock_init(&m->mm_ida_lock);
	pthread_rwlock_init(&m->tasks_validate_lock, NULL);
	folio_wait_table_init(m);
	m->sysctl.init_on_alloc = cfg->init_on_alloc;
	m->sysctl.init_on_free = cfg->init_on_free;
	m->sysctl.watermark_scale_factor = 10;
	m->validate_every = VALIDATE_EVERY_DEFAULT;
	m->fork_batching = true;
#ifdef CONFIG_DEBUG_VM_FULL
	m->debug_full = true;
	m->validate_every = 1;
#endif

	/*
	 * Node n's pfns start at n << node_shift (1 GiB aligned at least).
	 * Node 0 has one more page after its RAM: the kernel image (see
	 * init_kernel_image()), so the span covers node_pages + 1.
	 */
	node_pages = cfg->bytes_per_node >> PAGE_SHIFT;
	m->node_shift = max(ilog2_ul(roundup_pow_of_two(node_pages + 1)),
			    (unsigned int)PUD_ORDER);
	m->kernel_image_pfn = node_pages;
	span_pages = (unsigned long)m->nr_nodes << m->node_shift;
	m->max_pfn = span_pages;

	m->direct_map_bytes = span_pages << PAGE_SHIFT;
	m->direct_map = mmap(NULL, m->direct_map_bytes, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->direct_map == MAP_FAILED) {
		ret = -ENOMEM;
		m->direct_map = NULL;
		goto out_destroy;
	}
	m->mem_map_bytes = span_pages * sizeof(struct page);
	m->mem_map = mmap(NULL, m->mem_map_bytes, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->mem_map == MAP_FAILED) {
		ret = -ENOMEM;
		m->mem_map = NULL;
		goto out_destroy;
	}
	/*
	 * Both are sparse: a host with THP (or mTHP) "always" for anonymous
	 * memory must not back a whole 2 MiB (or 64 KiB) of memmap for one
	 * struct page written in it.  Advice only: a host without THP says
	 * EINVAL, which changes nothing.
	 */
	(void)madvise(m->mem_map, m->mem_map_bytes, MADV_NOHUGEPAGE);
	(void)madvise(m->direct_map, m->direct_map_bytes, MADV_NOHUGEPAGE);

	ret = host_create(&m->host, m->direct_map_bytes, m->nr_nodes);
	if (ret)
		goto out_destroy;
	ret = virtio_bus_init(m);
	if (ret)
		goto out_destroy;
	for (nid = 0; nid < m->nr_nodes; nid++) {
		ret = init_node(m, nid);
		if (ret)
			goto out_destroy;
	}

	/* From here on code runs "in" the new machine. */
	ret = __machine_enter(m);
	if (ret)
		goto out_destroy;
	init_kernel_image(m);
	for (nid = 0; nid < m->nr_nodes; nid++)
		for (z = 0; z < MAX_NR_ZONES; z++)
			if (populated_zone(&m->node_data[nid]->node_zones[z]))
				free_zone_memory(
					&m->node_data[nid]->node_zones[z]);
	m->sysctl.min_free_kbytes = calculate_min_free_kbytes(m);
	build_all_zonelists();
	setup_per_zone_wmarks();
	for (nid = 0; nid < m->nr_nodes; nid++)
		for (z = 0; z < MAX_NR_ZONES; z++)
			if (populated_zone(&m->node_data[nid]->node_zones[z]))
				zone_pcp_update(
					&m->node_data[nid]->node_zones[z]);
	/* The rest of mm's boot: the subsystems, LRUs, zero pages. */
	ret = machine_subsys_init(m);
	if (ret)
		goto out_destroy;
	lru_init();
	ret = zero_page_init();
	if (ret)
		goto out_destroy;
	*out = m;
	machine_exit_op(m);
	return 0;

out_destroy:
	foliage_machine_destroy(m);
	if (prev)
		if (machine_enter(prev)) {
			this_machine = NULL;
			machine_up = false;
		}
	return ret;
}

void foliage_machine_destroy(struct foliage_machine *m)
{
	bool running;
	int nid, z;

	if (!m)
		return;
	/*
	 * Drivers let go of their devices first, as Linux's device_shutdown()
	 * runs while kernel threads still run: an interrupt handler in flight
	 * finishes on its CPU, a raised one is cancelled, and no device can
	 * raise one afterwards.  A thread that cannot run in the machine
	 * still frees the transport, without running drivers.
	 */
	running = m->kernel && m->nr_cpus && !machine_enter(m);
	virtio_bus_exit(m, running);
	/* Kernel threads stop: queued work is dropped. */
	machine_kernel_stop(m);
	/*
	 * The subsystems go in reverse boot order: tasks still alive exit
	 * first, as at shutdown, shmem puts the files never put; then mm's
	 * own objects.
	 */
	machine_subsys_exit(m);
	if (m->kernel && m->nr_cpus && !machine_enter(m))
		zero_page_exit();
	for (nid = 0; nid < m->nr_nodes; nid++) {
		pg_data_t *pgdat = m->node_data[nid];

		if (!pgdat)
			continue;
		for (z = 0; z < MAX_NR_ZONES; z++)
			free_zone(&pgdat->node_zones[z]);
		free(pgdat);
	}
	/* Devices stop; the host's view and the memfds go. */
	host_destroy(m->host);
	if (m->direct_map)
		munmap(m->direct_map, m->direct_map_bytes);
	if (m->mem_map)
		munmap(m->mem_map, m->mem_map_bytes);
	folio_wait_table_destroy(m);
	pthread_rwlock_destroy(&m->tasks_validate_lock);
	free(m->mm_ida);
	machine_kernel_exit(m);
	if (this_machine == m) {
		this_machine = NULL;
		machine_up = false;
	}
	free(m);
}
