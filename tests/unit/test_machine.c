// SPDX-License-Identifier: GPL-2.0
/*
 * The machine: booting 1-8 nodes of 16 MiB to 64 GiB, what a boot costs
 * the host, the movable zone split, the pfn <-> page <-> address maps, and
 * the configurations that are refused.
 *
 * Physical layout of a machine (node_shift >= 18, so nodes start 1 GiB
 * apart at least; the pfns between nodes are holes):
 *
 *   pfn 0               node_present     1 << node_shift
 *   |==== node 0 RAM ====|..... hole ......|==== node 1 RAM ====|...
 *   |  Normal  | Movable |
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "internal.h"
#include <host/host.h>

#define MiB	(1ULL << 20)
#define GiB	(1ULL << 30)

/* What the host really holds for node @nid's memfd, through host/. */
static u64 host_backed_bytes(struct foliage_machine *m, int nid)
{
	struct host_ram_stats st;

	assert_int_equal(host_ram_stats(m->host, nid, &st), 0);
	return st.backed_bytes;
}

static u64 host_ram_bytes(struct foliage_machine *m, int nid)
{
	struct host_ram_stats st;

	assert_int_equal(host_ram_stats(m->host, nid, &st), 0);
	return st.ram_bytes;
}

static struct foliage_config config(unsigned int nr_nodes, uint64_t bytes)
{
	struct foliage_config cfg;

	foliage_config_init(&cfg);
	cfg.nr_nodes = nr_nodes;
	cfg.bytes_per_node = bytes;
	return cfg;
}

/* Every page of a fresh machine is free, in max-order Movable blocks. */
static void assert_fresh(struct foliage_machine *m, unsigned int nr_nodes,
			 uint64_t bytes)
{
	unsigned long pages = bytes >> 12;
	unsigned int nid;

	assert_int_equal(vmstat(m, "nr_free_pages"), nr_nodes * pages);
	for (nid = 0; nid < nr_nodes; nid++) {
		struct zone *zone = test_zone(m, nid, ZONE_NORMAL);

		assert_int_equal(zone->zone_start_pfn,
				 (unsigned long)nid << m->node_shift);
		assert_int_equal(zone->present_pages, pages);
		assert_int_equal(zone_managed_pages(zone), pages);
		assert_int_equal(zone_free_pages(zone), pages);
		assert_int_equal(free_list_len(zone, MAX_PAGE_ORDER,
					       MIGRATE_MOVABLE),
				 pages / MAX_ORDER_NR_PAGES);
		assert_false(populated_zone(test_zone(m, nid, ZONE_MOVABLE)));
		assert_int_equal(m->node_data[nid]->nr_zones, 1);
	}
	assert_free_accounting(m);
	assert_machine_ok(m);
}

static void test_boot_nodes_and_sizes(void **state)
{
	static const unsigned int nodes[] = { 1, 2, 3, 4, 8 };
	static const uint64_t sizes[] = { 16 * MiB, 64 * MiB, 1 * GiB };
	unsigned int i, j;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(nodes); i++) {
		for (j = 0; j < ARRAY_SIZE(sizes); j++) {
			struct foliage_config cfg = config(nodes[i], sizes[j]);
			struct foliage_machine *m = test_machine_cfg(&cfg);

			assert_fresh(m, nodes[i], sizes[j]);
			foliage_machine_destroy(m);
		}
	}
}

/*
 * A node that is not a whole number of max-order blocks: 16 MiB + 3 pages
 * ends with an order-1 and an order-0 block.
 *
 *   pfn 0    1024   2048   3072   4096 4098 4099
 *   |  o10  |  o10 |  o10 |  o10 | o1 |o0 |
 */
static void test_boot_partial_block(void **state)
{
	struct foliage_config cfg = config(1, 16 * MiB + 3 * 4096);
	struct foliage_machine *m = test_machine_cfg(&cfg);
	static const unsigned long expect[NR_PAGE_ORDERS] = {
		[0] = 1, [1] = 1, [10] = 4,
	};
	struct foliage_page_info info;

	(void)state;
	assert_int_equal(vmstat(m, "nr_free_pages"), 4099);
	assert_buddyinfo(test_zone(m, 0, ZONE_NORMAL), expect);
	assert_int_equal(foliage_page_info(m, 4096, &info), 0);
	assert_true(info.buddy);
	assert_int_equal(info.buddy_order, 1);
	assert_int_equal(foliage_page_info(m, 4098, &info), 0);
	assert_true(info.buddy);
	assert_int_equal(info.buddy_order, 0);
	assert_int_equal(foliage_page_info(m, 4099, &info), -EINVAL);
	test_machine_done(m);
}

/*
 * 64 GiB of guest RAM costs the host only what is touched: the memfd
 * pages nobody wrote are not resident, and of the 1 GiB mem_map only the
 * head struct page of each 4 MiB block (one host page per 64 KiB of
 * mem_map) is written at boot.
 */
static void test_boot_64g_is_cheap(void **state)
{
	struct foliage_config cfg = config(1, 64 * GiB);
	unsigned long long rss0, rss1;
	struct foliage_machine *m;
	struct timespec t0, t1;
	unsigned long pfn_lo, pfn_hi, last = (64 * GiB >> 12) - 1;
	double secs;

	(void)state;
	rss0 = process_rss_bytes();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	m = test_machine_cfg(&cfg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rss1 = process_rss_bytes();
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;

	print_message("64 GiB node: boot %.1f ms, host RSS +%llu KiB\n",
		      secs * 1e3, (rss1 - rss0) >> 10);
	assert_true(rss1 - rss0 < 100 * MiB);
	assert_true(secs < 5.0);
	assert_int_equal(vmstat(m, "nr_free_pages"), 64 * GiB >> 12);
	assert_int_equal(host_backed_bytes(m, 0), 0);

	/* Both ends of the node are usable memory. */
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_KERNEL, 0, 0,
					     &pfn_lo), 0);
	assert_int_equal(alloc_contig_range(last, last + 1, GFP_KERNEL), 0);
	pfn_hi = last;
	memset(foliage_pfn_to_virt(m, pfn_lo), 0x5a, 4096);
	memset(foliage_pfn_to_virt(m, pfn_hi), 0xa5, 4096);
	assert_true(mem_is(foliage_pfn_to_virt(m, pfn_lo), 0x5a, 4096));
	assert_true(mem_is(foliage_pfn_to_virt(m, pfn_hi), 0xa5, 4096));
	/* Two blocks' worth of memfd were written at most: 2 pages. */
	assert_int_equal(host_backed_bytes(m, 0),
			 2 * 4096);
	assert_int_equal(foliage_free_pages(m, pfn_lo, 0, 0), 0);
	assert_int_equal(foliage_free_pages(m, pfn_hi, 0, 0), 0);
	assert_int_equal(foliage_drain_pages(m), 0);
	assert_int_equal(vmstat(m, "nr_free_pages"), 64 * GiB >> 12);
	assert_true(process_rss_bytes() - rss0 < 100 * MiB);
	test_machine_done(m);
}

/* 8 nodes of 4 GiB: 32 GiB in all, each node its own memfd. */
static void test_boot_8_nodes_4g(void **state)
{
	struct foliage_config cfg = config(8, 4 * GiB);
	struct foliage_machine *m = test_machine_cfg(&cfg);
	int nid;

	(void)state;
	for (nid = 0; nid < 8; nid++)
		assert_int_equal(host_ram_bytes(m, nid), 4 * GiB + (nid ? 0 : 4096));
	assert_fresh(m, 8, 4 * GiB);
	foliage_machine_destroy(m);
}

/*
 * prefault populates every byte of every node's memfd at creation; node 0's
 * also holds the kernel image page (the zero page) after its RAM.
 */
static void test_prefault(void **state)
{
	struct foliage_config cfg = config(2, 32 * MiB);
	struct foliage_machine *m;
	int nid;

	(void)state;
	m = test_machine_cfg(&cfg);
	for (nid = 0; nid < 2; nid++)
		assert_int_equal(host_backed_bytes(m, nid), 0);
	foliage_machine_destroy(m);

	cfg.prefault = true;
	m = test_machine_cfg(&cfg);
	for (nid = 0; nid < 2; nid++)
		assert_int_equal(host_backed_bytes(m, nid),
				 32 * MiB + (nid ? 0 : 4096));
	test_machine_done(m);
}

/*
 * movable_bytes_per_node carves ZONE_MOVABLE out of the top of each node,
 * rounded up to a max-order block (like movablecore=):
 *
 *   pfn 0                   29696                 65536
 *   |======= Normal ========|====== Movable =======|   (102 MiB -> 104 MiB)
 */
static void test_movable_zone_split(void **state)
{
	struct foliage_config cfg = config(2, 256 * MiB);
	struct foliage_machine *m;
	struct zone *normal, *movable;
	int nid;

	(void)state;
	cfg.movable_bytes_per_node = 102 * MiB;
	m = test_machine_cfg(&cfg);
	for (nid = 0; nid < 2; nid++) {
		unsigned long base = (unsigned long)nid << m->node_shift;

		normal = test_zone(m, nid, ZONE_NORMAL);
		movable = test_zone(m, nid, ZONE_MOVABLE);
		assert_int_equal(normal->zone_start_pfn, base);
		assert_int_equal(normal->present_pages, 65536 - 26624);
		assert_int_equal(movable->zone_start_pfn, base + 65536 - 26624);
		assert_int_equal(movable->present_pages, 26624);
		assert_int_equal(m->node_data[nid]->nr_zones, 2);
		/* A Normal allocation keeps 1/32 of the Movable zone free. */
		assert_int_equal(normal->lowmem_reserve[ZONE_MOVABLE],
				 26624 / 32);
		assert_int_equal(normal->lowmem_reserve[ZONE_NORMAL], 0);
		assert_int_equal(movable->lowmem_reserve[ZONE_MOVABLE], 0);
		/* Zonelist: own Movable, own Normal, then the other node. */
		assert_ptr_equal(m->node_data[nid]->node_zonelists[
				 ZONELIST_FALLBACK]._zonerefs[0].zone, movable);
		assert_ptr_equal(m->node_data[nid]->node_zonelists[
				 ZONELIST_FALLBACK]._zonerefs[1].zone, normal);
		assert_null(m->node_data[nid]->node_zonelists[
			    ZONELIST_NOFALLBACK]._zonerefs[2].zone);
	}
	assert_int_equal(vmstat(m, "nr_free_pages"), 2 * 65536);
	test_machine_done(m);
}

/*
 * GFP_HIGHUSER_MOVABLE may use ZONE_MOVABLE (and prefers it); GFP_KERNEL
 * and a movable request without __GFP_HIGHMEM never do, even when Normal
 * is exhausted and Movable is all free.
 */
static void test_movable_zone_gfp(void **state)
{
	struct foliage_config cfg = config(1, 32 * MiB);
	struct foliage_machine *m;
	struct foliage_page_info info;
	struct page **pages = calloc(8192, sizeof(*pages));
	unsigned long pfn, movable_free, n = 0;

	(void)state;
	assert_non_null(pages);
	cfg.movable_bytes_per_node = 16 * MiB;
	m = test_machine_cfg(&cfg);

	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_HIGHUSER_MOVABLE,
					     0, 0, &pfn), 0);
	assert_int_equal(foliage_page_info(m, pfn, &info), 0);
	assert_int_equal(info.zone, ZONE_MOVABLE);
	assert_int_equal(vmstat(m, "pgalloc_movable"), 1);
	assert_int_equal(foliage_free_pages(m, pfn, 0, 0), 0);

	/* Free pages of Movable, on its buddy and per-CPU lists. */
	movable_free = zone_free_pages(test_zone(m, 0, ZONE_MOVABLE)) +
		       zone_pcp_pages(test_zone(m, 0, ZONE_MOVABLE));
	assert_int_equal(movable_free, 4096);
	for (;;) {
		gfp_t gfp = n & 1 ? GFP_KERNEL : GFP_KERNEL | __GFP_MOVABLE;

		pages[n] = alloc_pages(gfp, 0);
		if (!pages[n])
			break;
		assert_int_equal(zone_idx(page_zone(pages[n])), ZONE_NORMAL);
		n++;
		assert_true(n < 8192);
	}
	/*
	 * Normal ran dry down to its min watermark (all of min_free_kbytes:
	 * lowmem excludes ZONE_MOVABLE), and Movable was not touched.
	 */
	assert_int_equal(min_wmark_pages(test_zone(m, 0, ZONE_NORMAL)), 128);
	assert_int_equal(n, 4096 - 128);
	assert_int_equal(zone_free_pages(test_zone(m, 0, ZONE_NORMAL)), 128);
	assert_int_equal(zone_free_pages(test_zone(m, 0, ZONE_MOVABLE)) +
			 zone_pcp_pages(test_zone(m, 0, ZONE_MOVABLE)),
			 movable_free);
	assert_int_equal(vmstat(m, "pgalloc_movable"), 1);
	assert_int_equal(vmstat(m, "pgalloc_normal"), n);
	/* ... and a movable user page still finds room. */
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_HIGHUSER_MOVABLE,
					     0, 0, &pfn), 0);
	assert_int_equal(foliage_page_info(m, pfn, &info), 0);
	assert_int_equal(info.zone, ZONE_MOVABLE);
	assert_int_equal(foliage_free_pages(m, pfn, 0, 0), 0);

	while (n--)
		__free_pages(pages[n], 0);
	assert_int_equal(foliage_drain_pages(m), 0);
	assert_int_equal(vmstat(m, "nr_free_pages"), 8192);
	free(pages);
	test_machine_done(m);
}

static void test_invalid_configs(void **state)
{
	struct foliage_machine *m = (void *)0x1;
	struct foliage_config cfg;

	(void)state;
	assert_int_equal(foliage_machine_create(NULL, &m), -EINVAL);
	cfg = config(1, 64 * MiB);
	assert_int_equal(foliage_machine_create(&cfg, NULL), -EINVAL);

	cfg = config(0, 64 * MiB);
	assert_int_equal(foliage_machine_create(&cfg, &m), -EINVAL);
	cfg = config(9, 64 * MiB);
	assert_int_equal(foliage_machine_create(&cfg, &m), -EINVAL);
	cfg = config(1, 16 * MiB - 4096);
	assert_int_equal(foliage_machine_create(&cfg, &m), -EINVAL);
	cfg = config(1, 16 * MiB + 1);
	assert_int_equal(foliage_machine_create(&cfg, &m), -EINVAL);
	cfg = config(1, (1ULL << 40) + 4096);
	assert_int_equal(foliage_machine_create(&cfg, &m), -EINVAL);
	cfg = config(1, 64 * MiB);
	cfg.movable_bytes_per_node = 64 * MiB;
	assert_int_equal(foliage_machine_create(&cfg, &m), -EINVAL);
	cfg.movable_bytes_per_node = 4096 + 1;
	assert_int_equal(foliage_machine_create(&cfg, &m), -EINVAL);
	/* Rounded up to a max-order block, it would eat the whole node. */
	cfg.movable_bytes_per_node = 64 * MiB - 4096;
	assert_int_equal(foliage_machine_create(&cfg, &m), -EINVAL);
	cfg = config(1, 64 * MiB);
	cfg.nr_cpus = 0;
	assert_int_equal(foliage_machine_create(&cfg, &m), -EINVAL);
	cfg.nr_cpus = FOLIAGE_MAX_CPUS + 1;
	assert_int_equal(foliage_machine_create(&cfg, &m), -EINVAL);
	/* A refused config leaves *out alone. */
	assert_ptr_equal(m, (void *)0x1);
}

/*
 * pfn_to_page / page_to_pfn / page_address / page_to_nid agree at the
 * edges of every node, and a hole between nodes is not RAM.
 */
static void test_pfn_page_round_trip(void **state)
{
	struct foliage_machine *m = test_machine(3, 16);
	int nid;

	(void)state;
	assert_int_equal(sizeof(struct page), 64);
	assert_int_equal(sizeof(struct folio), 3 * sizeof(struct page));
	assert_int_equal(foliage_validate(m), 0);	/* enter the machine */
	for (nid = 0; nid < 3; nid++) {
		unsigned long base = (unsigned long)nid << m->node_shift;
		unsigned long pfns[] = { base, base + 1, base + 1023,
					 base + 1024, base + 4095 };
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(pfns); i++) {
			unsigned long pfn = pfns[i];
			struct page *page = pfn_to_page(pfn);
			struct foliage_page_info info;

			assert_true(pfn_valid(pfn));
			assert_int_equal(page_to_pfn(page), pfn);
			assert_ptr_equal(page, m->mem_map + pfn);
			assert_ptr_equal(page_address(page),
					 m->direct_map + pfn * 4096);
			assert_ptr_equal(page_address(page),
					 foliage_pfn_to_virt(m, pfn));
			assert_int_equal(page_to_nid(page), nid);
			assert_int_equal(pfn_to_nid(pfn), nid);
			assert_ptr_equal(page_zone(page),
					 test_zone(m, nid, ZONE_NORMAL));
			assert_int_equal(foliage_page_info(m, pfn, &info), 0);
			assert_int_equal(info.nid, nid);
		}
		/* The first pfn past the node's RAM is a hole. */
		assert_false(pfn_valid(base + 4096));
		assert_null(foliage_pfn_to_virt(m, base + 4096));
		assert_false(pfn_valid(base + (1UL << m->node_shift) - 1));
	}
	assert_false(pfn_valid(3UL << m->node_shift));
	/* A byte written through the direct map is the memfd's byte. */
	*(char *)page_address(pfn_to_page(1UL << m->node_shift)) = 7;
	assert_int_equal(host_backed_bytes(m, 1), 4096);
	*(char *)page_address(pfn_to_page(1UL << m->node_shift)) = 0;
	test_machine_done(m);
}

/* Linux boots every pageblock as Movable. */
static void test_pageblocks_movable_at_boot(void **state)
{
	struct foliage_config cfg = config(2, 64 * MiB);
	struct foliage_machine *m;
	int nid, z;

	(void)state;
	cfg.movable_bytes_per_node = 16 * MiB;
	m = test_machine_cfg(&cfg);
	for (nid = 0; nid < 2; nid++) {
		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = test_zone(m, nid, z);
			unsigned long pfn;

			for (pfn = zone->zone_start_pfn; pfn < zone_end_pfn(zone);
			     pfn += pageblock_nr_pages)
				assert_int_equal(get_pfnblock_migratetype(pfn),
						 MIGRATE_MOVABLE);
		}
	}
	test_machine_done(m);
}

/*
 * Linux's watermarks: min_free_kbytes = sqrt(16 * lowmem KiB), split over
 * the zones by size; low and high are min + tmp and min + 2 tmp with tmp =
 * max(min / 4, managed * watermark_scale_factor / 10000).
 */
static void test_watermarks(void **state)
{
	struct foliage_machine *m = test_machine(1, 16);
	struct zone *zone;
	long v;

	(void)state;
	assert_int_equal(foliage_get(m, "vm.min_free_kbytes", &v), 0);
	assert_int_equal(v, 512);		/* sqrt(16384 * 16) */
	zone = test_zone(m, 0, ZONE_NORMAL);
	assert_int_equal(min_wmark_pages(zone), 128);
	assert_int_equal(low_wmark_pages(zone), 160);
	assert_int_equal(high_wmark_pages(zone), 192);
	assert_int_equal(wmark_pages(zone, WMARK_PROMO), 224);

	/* A larger scale factor widens the gaps: 4096 * 1000 / 10000. */
	assert_int_equal(foliage_set(m, "vm.watermark_scale_factor", "1000"), 0);
	assert_int_equal(min_wmark_pages(zone), 128);
	assert_int_equal(low_wmark_pages(zone), 128 + 409);
	assert_int_equal(high_wmark_pages(zone), 128 + 2 * 409);
	assert_int_equal(foliage_set(m, "vm.min_free_kbytes", "1024"), 0);
	assert_int_equal(min_wmark_pages(zone), 256);
	test_machine_done(m);

	/* 2 nodes of 64 MiB: sqrt(131072 * 16) = 1448 KiB = 362 pages. */
	m = test_machine(2, 64);
	assert_int_equal(foliage_get(m, "vm.min_free_kbytes", &v), 0);
	assert_int_equal(v, 1448);
	assert_int_equal(min_wmark_pages(test_zone(m, 1, ZONE_NORMAL)), 181);
	test_machine_done(m);
}

/*
 * A machine's threads become its CPUs, cpu i on node i % nr_nodes; a
 * thread that exits gives its CPU back for the next one.
 */
struct cpu_probe {
	struct foliage_machine *m;	/* the machine */
	int ret;			/* foliage_validate()'s result */
	int cpu, nid;			/* the CPU the thread became */
	unsigned long pfn;		/* a page it allocated locally */
};

static void *probe_cpu(void *arg)
{
	struct cpu_probe *p = arg;

	p->ret = foliage_validate(p->m);
	if (p->ret)
		return NULL;
	p->cpu = smp_processor_id();
	p->nid = numa_node_id();
	if (foliage_alloc_pages(p->m, FOLIAGE_GFP_KERNEL, 0, -1, &p->pfn))
		p->ret = -ENOMEM;
	return NULL;
}

static void test_threads_become_cpus(void **state)
{
	struct foliage_config cfg = config(2, 16 * MiB);
	struct foliage_machine *m;
	struct cpu_probe p[2];
	pthread_t t;
	int i;

	(void)state;
	cfg.nr_cpus = 2;
	m = test_machine_cfg(&cfg);
	assert_int_equal(smp_processor_id(), 0);	/* the creator */
	for (i = 0; i < 2; i++) {
		p[i] = (struct cpu_probe){ .m = m };
		assert_int_equal(pthread_create(&t, NULL, probe_cpu, &p[i]), 0);
		assert_int_equal(pthread_join(t, NULL), 0);
	}
	assert_int_equal(p[0].ret, 0);
	assert_int_equal(p[0].cpu, 1);
	assert_int_equal(p[0].nid, 1);
	assert_int_equal(pfn_to_nid(p[0].pfn), 1);	/* local to its node */
	/* The first one exited: the second gets its CPU. */
	assert_int_equal(p[1].ret, 0);
	assert_int_equal(p[1].cpu, 1);
	assert_int_equal(foliage_free_pages(m, p[0].pfn, 0, 0), 0);
	assert_int_equal(foliage_free_pages(m, p[1].pfn, 0, 0), 0);
	test_machine_done(m);
}

/* The VmFlags line of this process's VMA that contains @addr. */
static bool own_vma_has_flag(const void *addr, const char *flag)
{
	unsigned long a = (unsigned long)addr, start, end;
	bool in = false, found = false;
	char line[512];
	FILE *f = fopen("/proc/self/smaps", "re");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, ' ') > strchr(line, '-')) {
			in = a >= start && a < end;
			continue;
		}
		if (in && !strncmp(line, "VmFlags:", 8)) {
			found = strstr(line, flag) != NULL;
			break;
		}
	}
	fclose(f);
	return found;
}

/*
 * A boot's host cost is stated (foliage_boot_cost()) and holds: small
 * tables (no struct page of a whole 4 MiB block is written), or all of
 * guest RAM with init_on_free or prefault; a boot that needs more than
 * MemAvailable is refused at once, before it writes anything; and the sparse host mappings (memmap, direct
 * map, guest RAM) are MADV_NOHUGEPAGE, so that a host with THP "always"
 * does not back 2 MiB for one struct page written.
 */
static void test_boot_host_cost(void **state)
{
	struct foliage_config cfg = config(1, 64 * GiB);
	unsigned long long rss0, rss1;
	struct foliage_machine *m = NULL;
	uint64_t cost, avail;
	struct timespec t0, t1;

	(void)state;
	assert_int_equal(foliage_boot_cost(&cfg, &cost, &avail), 0);
	/* Pageblock bytes, two block bitmaps, a block's memmap: 100 KiB. */
	assert_int_equal(cost, (64 * GiB >> 21) + 2 * (64 * GiB >> 25) +
			       1024 * 64);
	cfg.init_on_free = true;
	assert_int_equal(foliage_boot_cost(&cfg, &cost, &avail), 0);
	assert_int_equal(cost, 64 * GiB + (64 * GiB >> 21) +
			       2 * (64 * GiB >> 25) + 1024 * 64);
	cfg.nr_nodes = 0;
	assert_int_equal(foliage_boot_cost(&cfg, &cost, &avail), -EINVAL);

	/* 8 TiB zeroed at boot: refused in no time, nothing written. */
	cfg = config(8, 1024 * GiB);
	cfg.init_on_free = true;
	assert_int_equal(foliage_boot_cost(&cfg, &cost, &avail), 0);
	if (avail) {
		rss0 = process_rss_bytes();
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(foliage_machine_create(&cfg, &m), -ENOMEM);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		assert_null(m);
		assert_true(t1.tv_sec - t0.tv_sec < 2);
		assert_true(process_rss_bytes() - rss0 < 4 * MiB);
	}

	/* The stated cost is what a boot writes (plus small tables). */
	cfg = config(1, 64 * GiB);
	assert_int_equal(foliage_boot_cost(&cfg, &cost, &avail), 0);
	rss0 = process_rss_bytes();
	m = test_machine_cfg(&cfg);
	rss1 = process_rss_bytes();
	assert_true(rss1 - rss0 <= cost + 8 * MiB);
	if (!access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK)) {
		assert_true(own_vma_has_flag(m->mem_map, " nh"));
		assert_true(own_vma_has_flag(m->direct_map +
					     m->direct_map_bytes - 4096, " nh"));
		assert_true(own_vma_has_flag(m->direct_map, " nh"));
	}
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_nodes_and_sizes),
		cmocka_unit_test(test_boot_partial_block),
		cmocka_unit_test(test_boot_64g_is_cheap),
		cmocka_unit_test(test_boot_host_cost),
		cmocka_unit_test(test_boot_8_nodes_4g),
		cmocka_unit_test(test_prefault),
		cmocka_unit_test(test_movable_zone_split),
		cmocka_unit_test(test_movable_zone_gfp),
		cmocka_unit_test(test_invalid_configs),
		cmocka_unit_test(test_pfn_page_round_trip),
		cmocka_unit_test(test_pageblocks_movable_at_boot),
		cmocka_unit_test(test_watermarks),
		cmocka_unit_test(test_threads_become_cpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
