// SPDX-License-Identifier: GPL-2.0
/*
 * Pictures (docs/pictures.md): the extfrag indices byte-exact against a
 * capture of Linux, the physical memory map's states counted exactly, its
 * SVG well-formed and byte-stable, and a 64 GiB guest's map aggregated to
 * at most 256 rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "helpers.h"
#include "render.h"
#include <linux/mm.h>
#include <linux/pfnmap.h>
#include <linux/migrate_offload.h>

/* ---- extfrag -------------------------------------------------------------- */

/* "Node N, zone NAME c0 c1 ... c10" of /proc/buddyinfo. */
static void parse_buddyinfo_line(const char *line, int *nid, char *zone,
				 unsigned long *nr_free)
{
	int o, n;

	assert_int_equal(sscanf(line, "Node %d, zone %31s%n", nid, zone, &n),
			 2);
	line += n;
	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		assert_int_equal(sscanf(line, "%lu%n", &nr_free[o], &n), 1);
		line += n;
	}
}

/* Linux's own lines for its own free lists, byte for byte. */
static void test_extfrag_golden(void **state)
{
	char *bi = read_golden("extfrag/buddyinfo");
	char *un = read_golden("extfrag/unusable_index");
	char *ef = read_golden("extfrag/extfrag_index");
	char *line, *save = NULL, zone[32];
	unsigned long nr_free[NR_PAGE_ORDERS];
	struct seq_buf u, e;
	char *ut, *et;
	int nid, lines = 0;

	seq_buf_init(&u);
	seq_buf_init(&e);
	for (line = strtok_r(bi, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), lines++) {
		parse_buddyinfo_line(line, &nid, zone, nr_free);
		unusable_index_line(&u, nid, zone, nr_free);
		extfrag_index_line(&e, nid, zone, nr_free);
	}
	assert_int_equal(lines, 3);
	assert_int_equal(seq_buf_finish(&u, &ut), 0);
	assert_int_equal(seq_buf_finish(&e, &et), 0);
	assert_string_equal(ut, un);
	assert_string_equal(et, ef);
	free(ut);
	free(et);
	free(bi);
	free(un);
	free(ef);
}

static char *lines_of(const unsigned long *nr_free, bool unusable)
{
	struct seq_buf s;
	char *out;

	seq_buf_init(&s);
	if (unusable)
		unusable_index_line(&s, 0, "Normal", nr_free);
	else
		extfrag_index_line(&s, 0, "Normal", nr_free);
	assert_int_equal(seq_buf_finish(&s, &out), 0);
	return out;
}

/*
 * The cases the capture has not: nothing free (unusable 1.000, index 0),
 * and a failure due to fragmentation (10 order-0 blocks: an order-1
 * request has 1000 - (1000 + 10 * 1000 / 2) / 10 = 400).
 */
static void test_extfrag_formula(void **state)
{
	unsigned long none[NR_PAGE_ORDERS] = { 0 };
	unsigned long ten[NR_PAGE_ORDERS] = { 10 };
	char *t;

	t = lines_of(none, true);
	assert_string_equal(t, "Node 0, zone   Normal 1.000 1.000 1.000 1.000 "
			    "1.000 1.000 1.000 1.000 1.000 1.000 1.000 \n");
	free(t);
	t = lines_of(none, false);
	assert_string_equal(t, "Node 0, zone   Normal  0.000  0.000  0.000  "
			    "0.000  0.000  0.000  0.000  0.000  0.000  0.000  "
			    "0.000 \n");
	free(t);
	t = lines_of(ten, true);
	/* Order o: 10 pages, none in blocks of 2^o for o >= 1. */
	assert_string_equal(t, "Node 0, zone   Normal 0.000 1.000 1.000 1.000 "
			    "1.000 1.000 1.000 1.000 1.000 1.000 1.000 \n");
	free(t);
	t = lines_of(ten, false);
	/* 1000 - (1000 + 10000 / 2^o) / 10, truncated. */
	assert_string_equal(t, "Node 0, zone   Normal -1.000  0.400  0.650  "
			    "0.775  0.838  0.869  0.885  0.893  0.897  0.899  "
			    "0.900 \n");
	free(t);
}

/* ---- the physical memory map ---------------------------------------------- */

static unsigned long free_state_pages(const struct pfnmap *map)
{
	unsigned long n = 0;
	int st;

	for (st = PFN_FREE; st <= PFN_FREE_LAST; st++)
		n += map->count[st];
	return n + map->count[PFN_FREE_ZEROED] + map->count[PFN_REPORTED] +
	       map->count[PFN_ISOLATED];
}

static void collect(struct foliage_machine *m, struct pfnmap *map)
{
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(pfnmap_collect(map, -1), 0);
	machine_leave(m);
}

/*
 * Every frame is counted once, in the state the allocator says: free
 * buddy pages are NR_FREE_PAGES less the per-CPU lists, an order-3 kernel
 * allocation is 8 "kernel" frames, a max-order block freed zeroed is 1024
 * PG_zeroed frames, touched
 * anonymous memory is "anon", a fork makes it "anon_shared".
 */
static void test_pfnmap_counts(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct pfnmap *map = calloc(1, sizeof(*map));
	struct foliage_task *t, *c;
	unsigned long pfn, zpfn, addr, total = 0, pcp;
	char buf[4096];
	int st, i;

	assert_non_null(map);
	assert_int_equal(foliage_task_create(m, "t", &t), 0);
	assert_int_equal(foliage_mmap(t, 0, 1 << 20, FOLIAGE_PROT_READ |
				      FOLIAGE_PROT_WRITE, FOLIAGE_MAP_PRIVATE |
				      FOLIAGE_MAP_ANONYMOUS, NULL, 0, &addr),
			 0);
	memset(buf, 0x5a, sizeof(buf));
	for (i = 0; i < 256; i++)
		assert_int_equal(foliage_access(t, addr + i * 4096UL, buf,
						sizeof(buf), true, NULL), 0);
	assert_int_equal(foliage_alloc_pages(m, 0, 3, -1, &pfn), 0);
	/* A max-order block: it has no buddy to merge with. */
	assert_int_equal(foliage_alloc_pages(m, 0, 10, -1, &zpfn), 0);
	memset(foliage_pfn_to_virt(m, zpfn), 0, 1024 * 4096);
	assert_int_equal(foliage_free_pages(m, zpfn, 10, FOLIAGE_FREE_ZEROED),
			 0);
	assert_int_equal(foliage_drain_pages(m), 0);
	collect(m, map);
	for (st = 0; st < NR_PFN_STATES; st++)
		total += map->count[st];
	assert_int_equal(map->nr_zones, 1);
	assert_int_equal(total, map->zone[0].nr_pages);
	assert_int_equal(map->count[PFN_ANON], 256);
	assert_int_equal(map->count[PFN_ANON_SHARED], 0);
	assert_true(map->count[PFN_KERNEL] >= 8);
	assert_int_equal(map->count[PFN_FREE_ZEROED], 1024);
	assert_int_equal(map->count[PFN_PCP], 0);	/* drained */
	assert_true(map->count[PFN_PGTABLE] >= 1);
	assert_int_equal(free_state_pages(map), vmstat(m, "nr_free_pages"));
	for (i = 0; i < 8; i++)
		assert_int_equal(map->zone[0].state[pfn + i -
						    map->zone[0].start_pfn],
				 PFN_KERNEL);
	pfnmap_free(map);

	/* After fork the 256 pages are mapped twice; pcp pages appear. */
	assert_int_equal(foliage_fork(t, "c", &c), 0);
	assert_int_equal(foliage_free_pages(m, pfn, 3, 0), 0);
	collect(m, map);
	assert_int_equal(map->count[PFN_ANON], 0);
	assert_int_equal(map->count[PFN_ANON_SHARED], 256);
	pcp = map->count[PFN_PCP];
	assert_int_equal(free_state_pages(map) + pcp,
			 vmstat(m, "nr_free_pages") + pcp);
	pfnmap_free(map);
	free(map);
	assert_int_equal(foliage_exit(c), 0);
	assert_int_equal(foliage_exit(t), 0);
	test_machine_done(m);
}

/* guest_memfd pages: private and shared by their file's attributes. */
static void test_pfnmap_gmem(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct pfnmap *map = calloc(1, sizeof(*map));
	struct foliage_file *f;
	uint64_t err_off = 0;

	assert_non_null(map);
	assert_int_equal(foliage_gmem_create(m, 16 * 4096, 0, 0, &f), 0);
	assert_int_equal(foliage_fallocate(f, FOLIAGE_FALLOC_FL_KEEP_SIZE, 0,
					   16 * 4096), 0);
	assert_int_equal(foliage_gmem_convert(f, 0, 4 * 4096, 0,
					      FOLIAGE_GMEM_CONVERT_ZERO,
					      &err_off), 0);
	collect(m, map);
	assert_int_equal(map->count[PFN_GMEM_PRIVATE], 12);
	assert_int_equal(map->count[PFN_GMEM_SHARED], 4);
	pfnmap_free(map);
	free(map);
	foliage_file_put(f);
	test_machine_done(m);
}

/*
 * Ballooned pages: PageOffline, with the host-zeroed hint when the device
 * offers DEVICE_INIT_ON_INFLATE (bit 7) and the host discards.
 */
static void test_pfnmap_balloon(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct pfnmap *map = calloc(1, sizeof(*map));

	assert_non_null(map);
	assert_int_equal(foliage_balloon_add(m, 1ULL << 7, 0, 0), 0);
	assert_int_equal(foliage_balloon_set_target(m, 300), 0);
	collect(m, map);
	assert_int_equal(map->count[PFN_BALLOON] +
			 map->count[PFN_BALLOON_ZEROED], 300);
	assert_int_equal(map->count[PFN_BALLOON_ZEROED], 300);
	pfnmap_free(map);
	assert_int_equal(foliage_balloon_set_target(m, 0), 0);
	collect(m, map);
	assert_int_equal(map->count[PFN_BALLOON] +
			 map->count[PFN_BALLOON_ZEROED], 0);
	pfnmap_free(map);
	free(map);
	test_machine_done(m);
}

/*
 * A picture taken while migrate_pages() holds a batch (from a migrator's
 * copy callback, between the batch's unmap and its move) shows its source
 * folios under migration; afterwards, none.
 */
static unsigned long migrating_seen;

static int picture_copy(struct list_head *dst_list, struct list_head *src_list,
			unsigned int nr)
{
	struct pfnmap *map = calloc(1, sizeof(*map));

	if (!map || pfnmap_collect(map, -1)) {
		free(map);
		return -ENOMEM;
	}
	migrating_seen = map->count[PFN_MIGRATING];
	pfnmap_free(map);
	free(map);
	return -EBUSY;		/* decline: the CPU copies */
}

static int picture_owner;
static struct migrator picture_migrator = {
	.name = "picture",
	.offload_copy = picture_copy,
	.owner = &picture_owner,
};

static void test_pfnmap_migrating(void **state)
{
	struct foliage_machine *m = test_machine(2, 64);
	struct pfnmap *map = calloc(1, sizeof(*map));
	unsigned long addr, pages[8];
	int nodes[8], status[8], i;
	struct foliage_task *t;
	char buf[4096];

	assert_non_null(map);
	assert_int_equal(foliage_task_create(m, "t", &t), 0);
	assert_int_equal(foliage_mmap(t, 0, 8 * 4096, FOLIAGE_PROT_READ |
				      FOLIAGE_PROT_WRITE, FOLIAGE_MAP_PRIVATE |
				      FOLIAGE_MAP_ANONYMOUS, NULL, 0, &addr),
			 0);
	memset(buf, 0x3c, sizeof(buf));
	for (i = 0; i < 8; i++) {
		assert_int_equal(foliage_access(t, addr + i * 4096UL, buf,
						sizeof(buf), true, NULL), 0);
		pages[i] = addr + i * 4096UL;
		nodes[i] = 1;
	}
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(migrate_offload_register(&picture_migrator,
						  MIGRATE_REASON_ALL), 0);
	machine_leave(m);
	migrating_seen = 0;
	assert_int_equal(foliage_move_pages(t, 8, pages, nodes, status,
					    FOLIAGE_MPOL_MF_MOVE), 0);
	assert_int_equal(migrating_seen, 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(status[i], 1);
	collect(m, map);
	assert_int_equal(map->count[PFN_MIGRATING], 0);
	assert_int_equal(map->count[PFN_ANON], 8);
	pfnmap_free(map);
	free(map);
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(migrate_offload_unregister(&picture_migrator), 0);
	machine_leave(m);
	assert_int_equal(foliage_exit(t), 0);
	test_machine_done(m);
}

static xmlDocPtr parse_xml(const char *text)
{
	xmlDocPtr doc = xmlReadMemory(text, (int)strlen(text), "map.svg",
				      NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
				      XML_PARSE_NOWARNING);

	assert_non_null(doc);
	return doc;
}

/* Every <rect> of a cell run carries a <title>: no state in colour alone. */
static void check_titles(xmlNodePtr n, unsigned long *cells)
{
	for (; n; n = n->next) {
		if (n->type == XML_ELEMENT_NODE &&
		    !xmlStrcmp(n->name, BAD_CAST "rect") &&
		    xmlHasProp(n, BAD_CAST "class")) {
			assert_non_null(n->children);
			assert_string_equal((const char *)n->children->name,
					    "title");
			(*cells)++;
		}
		check_titles(n->children, cells);
	}
}

/* The SVG: well-formed, the same twice, every run named. */
static void test_pfnmap_svg(void **state)
{
	struct foliage_machine *m = test_machine(2, 32);
	char *a = NULL, *b = NULL, *j = NULL;
	unsigned long runs = 0;
	xmlDocPtr doc;

	assert_int_equal(foliage_render(m, "pfnmap", FOLIAGE_RENDER_SVG, &a),
			 0);
	assert_int_equal(foliage_render(m, "pfnmap", FOLIAGE_RENDER_SVG, &b),
			 0);
	assert_string_equal(a, b);
	doc = parse_xml(a);
	assert_string_equal((const char *)xmlDocGetRootElement(doc)->name,
			    "svg");
	check_titles(xmlDocGetRootElement(doc), &runs);
	assert_true(runs > 2 * 16);	/* two nodes of 16 rows, and more */
	xmlFreeDoc(doc);
	assert_non_null(strstr(a, "Node 0, zone Normal"));
	assert_non_null(strstr(a, "Node 1, zone Normal"));
	free(b);
	b = NULL;
	/* One node only; JSON and SVG exclude each other. */
	assert_int_equal(foliage_render_pfnmap(m, 1, FOLIAGE_RENDER_SVG, &b),
			 0);
	assert_null(strstr(b, "Node 0, zone"));
	assert_non_null(strstr(b, "Node 1, zone Normal"));
	assert_int_equal(foliage_render_pfnmap(m, 2, 0, &j), -EINVAL);
	assert_int_equal(foliage_render(m, "pfnmap", FOLIAGE_RENDER_SVG |
					FOLIAGE_RENDER_JSON, &j), -EINVAL);
	assert_int_equal(foliage_render(m, "buddyinfo", FOLIAGE_RENDER_SVG,
					&j), -EOPNOTSUPP);
	assert_int_equal(foliage_render(m, "pfnmap", FOLIAGE_RENDER_JSON, &j),
			 0);
	assert_non_null(strstr(j, "\"cell_pages\":1"));
	free(a);
	free(b);
	free(j);
	test_machine_done(m);
}

/*
 * A 64 GiB guest: 128 pages a cell, at most 256 rows, and an SVG of a
 * few hundred KiB (runs of equal cells are one rectangle).
 */
static void test_pfnmap_large(void **state)
{
	struct foliage_machine *m = test_machine(1, 64 << 10);
	char *svg = NULL, *txt = NULL;
	const char *p;
	int rows = 0;

	assert_int_equal(foliage_render(m, "pfnmap", FOLIAGE_RENDER_SVG, &svg),
			 0);
	assert_non_null(strstr(svg, "128 pages a cell"));
	assert_true(strlen(svg) < (1 << 20));
	for (p = svg; (p = strstr(p, "<title>pageblock ")); p++)
		rows++;
	assert_true(rows > 0 && rows <= 256);
	assert_int_equal(foliage_render(m, "pfnmap", 0, &txt), 0);
	assert_non_null(strstr(txt, "512 pages a cell"));
	free(svg);
	free(txt);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extfrag_golden),
		cmocka_unit_test(test_extfrag_formula),
		cmocka_unit_test(test_pfnmap_counts),
		cmocka_unit_test(test_pfnmap_gmem),
		cmocka_unit_test(test_pfnmap_balloon),
		cmocka_unit_test(test_pfnmap_migrating),
		cmocka_unit_test(test_pfnmap_svg),
		cmocka_unit_test(test_pfnmap_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
