// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

#include "helpers.h"

struct foliage_machine *test_machine(unsigned int nr_nodes, unsigned int mib)
{
	struct foliage_config cfg;
	struct foliage_machine *m = NULL;

	foliage_config_init(&cfg);
	cfg.nr_nodes = nr_nodes;
	cfg.bytes_per_node = (uint64_t)mib << 20;
	assert_int_equal(foliage_machine_create(&cfg, &m), 0);
	assert_non_null(m);
	return m;
}

void test_machine_done(struct foliage_machine *m)
{
	int ret = foliage_validate(m);

	if (ret)
		fail_msg("validate: %d, bug: %s", ret,
			 foliage_bugs(m) ? foliage_first_bug(m) : "none");
	if (foliage_bugs(m))
		fail_msg("bug: %s", foliage_first_bug(m));
	foliage_machine_destroy(m);
}

char *read_golden(const char *name)
{
	char path[512];
	FILE *f;
	long len;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s", GOLDEN_DIR, name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, len, f), len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

unsigned long vmstat(struct foliage_machine *m, const char *name)
{
	unsigned long v = 0;

	assert_int_equal(foliage_vmstat(m, name, &v), 0);
	return v;
}

/* ---- allocator internals -------------------------------------------- */

#include <string.h>
#include <unistd.h>

#include "internal.h"

struct foliage_machine *test_machine_cfg(const struct foliage_config *cfg)
{
	struct foliage_machine *m = NULL;

	assert_int_equal(foliage_machine_create(cfg, &m), 0);
	assert_non_null(m);
	return m;
}

struct zone *test_zone(struct foliage_machine *m, int nid, int zone_idx)
{
	assert_true(nid >= 0 && nid < m->nr_nodes);
	return &m->node_data[nid]->node_zones[zone_idx];
}

unsigned long free_list_len(struct zone *zone, unsigned int order, int mt)
{
	return free_list_nr(zone, order, mt, ~0UL);
}

void zone_buddyinfo(struct zone *zone, unsigned long nr[FOLIAGE_MAX_ORDER + 1])
{
	unsigned int order;
	int mt;

	for (order = 0; order < NR_PAGE_ORDERS; order++) {
		nr[order] = 0;
		for (mt = 0; mt < MIGRATE_TYPES; mt++)
			nr[order] += free_list_len(zone, order, mt);
	}
}

void assert_buddyinfo(struct zone *zone, const unsigned long *expect)
{
	unsigned long nr[NR_PAGE_ORDERS];
	unsigned int order;

	zone_buddyinfo(zone, nr);
	for (order = 0; order < NR_PAGE_ORDERS; order++)
		if (nr[order] != expect[order])
			fail_msg("node %d zone %s order %u: %lu free blocks, expected %lu",
				 zone_to_nid(zone), zone->name, order, nr[order],
				 expect[order]);
}

void assert_free_accounting(struct foliage_machine *m)
{
	int nid, z;

	assert_int_equal(machine_enter(m), 0);
	for (nid = 0; nid < m->nr_nodes; nid++) {
		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = test_zone(m, nid, z);
			unsigned long pages = 0;
			unsigned int order;
			int mt;

			for (order = 0; order < NR_PAGE_ORDERS; order++) {
				unsigned long blocks = 0;

				for (mt = 0; mt < MIGRATE_TYPES; mt++) {
					unsigned long n = free_list_len(zone, order, mt);

					blocks += n;
					if (mt != MIGRATE_ISOLATE)
						pages += n << order;
				}
				assert_int_equal(blocks, zone->free_area[order].nr_free);
			}
			assert_int_equal(pages, zone_page_state(zone, NR_FREE_PAGES));
		}
	}
}

unsigned long zone_pcp_pages(struct zone *zone)
{
	unsigned long n = 0;
	int cpu;

	if (!populated_zone(zone))
		return 0;
	for (cpu = 0; cpu < this_machine->nr_cpus; cpu++)
		n += zone->per_cpu_pageset[cpu].count;
	return n;
}

unsigned long zone_free_pages(struct zone *zone)
{
	return zone_page_state(zone, NR_FREE_PAGES);
}

unsigned long long process_rss_bytes(void)
{
	unsigned long long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%llu %llu", &size, &resident), 2);
	fclose(f);
	return resident * (unsigned long long)sysconf(_SC_PAGESIZE);
}

/*
 * Every byte is @byte: the first is, and each equals the next (one
 * memcmp() of the block against itself shifted by a byte, which libc
 * does a word at a time; a byte loop was most of test_stress's time).
 */
bool mem_is(const void *p, int byte, size_t bytes)
{
	const unsigned char *c = p;

	if (!bytes)
		return true;
	return c[0] == (unsigned char)byte && !memcmp(c, c + 1, bytes - 1);
}

void assert_machine_ok(struct foliage_machine *m)
{
	int ret = foliage_validate(m);

	if (ret)
		fail_msg("validate: %d, bug: %s", ret,
			 foliage_bugs(m) ? foliage_first_bug(m) : "none");
	if (foliage_bugs(m))
		fail_msg("bug: %s", foliage_first_bug(m));
}
