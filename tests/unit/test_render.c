// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel text files foliage renders, byte for byte.
 *
 * Two kinds of test:
 *
 *  - golden: the numbers are parsed out of a file captured from a real
 *    Linux 6.18 (tests/golden/), fed to foliage's formatter, and the output
 *    must equal the captured file byte for byte.  The real machine had DMA
 *    and DMA32 zones; the formatters take zone names, so those are fed too.
 *
 *  - machine: after known allocations on a real foliage machine, the
 *    rendered numbers are what the allocator must have done.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "render.h"

/*
 * GCC 12 takes text that SHOW() and render() return (heap memory) for a
 * pointer into their stack frames once inlined, and warns at every use:
 * a false -Wdangling-pointer, silenced for this file only.
 */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#endif

/* ---- helpers ------------------------------------------------------------- */

/* The next line of *@p (without its '\n') into @line; false at the end. */
static bool next_line(const char **p, char *line, size_t len)
{
	const char *nl;
	size_t n;

	if (!**p)
		return false;
	nl = strchr(*p, '\n');
	n = nl ? (size_t)(nl - *p) : strlen(*p);
	assert_true(n < len);
	memcpy(line, *p, n);
	line[n] = '\0';
	*p += n + (nl ? 1 : 0);
	return true;
}

/* "prefix<number>" with nothing after: the number. */
static bool field(const char *line, const char *prefix, unsigned long *v)
{
	size_t n = strlen(prefix);
	char *end;

	if (strncmp(line, prefix, n))
		return false;
	*v = strtoul(line + n, &end, 10);
	assert_true(end != line + n && *end == '\0');
	return true;
}

static char *seq_text(struct seq_buf *s)
{
	char *out = NULL;

	assert_int_equal(seq_buf_finish(s, &out), 0);
	return out;
}

/* The text that @show_fn (a formatter) makes of its arguments. */
#define SHOW(show_fn, ...) ({						\
	struct seq_buf __s;						\
									\
	seq_buf_init(&__s);						\
	show_fn(&__s, __VA_ARGS__);					\
	seq_text(&__s);							\
})

static char *render(struct foliage_machine *m, const char *what,
		    unsigned int flags)
{
	char *out = NULL;

	assert_int_equal(foliage_render(m, what, flags, &out), 0);
	assert_non_null(out);
	return out;
}

static struct json_object *render_json(struct foliage_machine *m,
				       const char *what)
{
	char *text = render(m, what, FOLIAGE_RENDER_JSON);
	struct json_object *obj = json_tokener_parse(text);

	assert_non_null(obj);
	free(text);
	return obj;
}

static struct json_object *jget(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v))
		fail_msg("no JSON member \"%s\"", key);
	return v;
}

static u64 jget_u64(struct json_object *obj, const char *key)
{
	return json_object_get_uint64(jget(obj, key));
}

static struct json_object *jidx(struct json_object *arr, size_t i)
{
	assert_true(i < json_object_array_length(arr));
	return json_object_array_get_idx(arr, i);
}

static unsigned long alloc(struct foliage_machine *m, unsigned int gfp,
			   unsigned int order)
{
	unsigned long pfn;

	assert_int_equal(foliage_alloc_pages(m, gfp, order, -1, &pfn), 0);
	return pfn;
}

static struct foliage_machine *machine_with_movable(unsigned int mib,
						    unsigned int movable_mib)
{
	struct foliage_config cfg;
	struct foliage_machine *m = NULL;

	foliage_config_init(&cfg);
	cfg.bytes_per_node = (uint64_t)mib << 20;
	cfg.movable_bytes_per_node = (uint64_t)movable_mib << 20;
	assert_int_equal(foliage_machine_create(&cfg, &m), 0);
	return m;
}

/* Zone names parsed out of golden files live here. */
static char zone_name_pool[64][16];
static int nr_zone_names;

static const char *keep_name(const char *name)
{
	assert_true(nr_zone_names < 64 && strlen(name) < 16);
	strcpy(zone_name_pool[nr_zone_names], name);
	return zone_name_pool[nr_zone_names++];
}

/* ---- /proc/buddyinfo ------------------------------------------------------ */

static void test_buddyinfo_golden(void **state)
{
	char *golden = read_golden("buddyinfo"), line[512];
	struct buddyinfo *bi = calloc(1, sizeof(*bi));
	const char *p = golden;
	char *out;

	(void)state;
	while (next_line(&p, line, sizeof(line))) {
		struct buddyinfo_zone *row = &bi->zone[bi->nr_zones++];
		char name[16];
		int off, o;
		char *q;

		assert_int_equal(sscanf(line, "Node %d, zone %15s%n", &row->nid,
					name, &off), 2);
		row->name = keep_name(name);
		q = line + off;
		for (o = 0; o < NR_PAGE_ORDERS; o++)
			row->nr_free[o] = strtoul(q, &q, 10);
	}
	assert_int_equal(bi->nr_zones, 3);

	out = SHOW(buddyinfo_show, bi);
	assert_string_equal(out, golden);
	free(out);
	free(bi);
	free(golden);
}

static void expect_buddyinfo(struct foliage_machine *m, const char *expect)
{
	char *out = render(m, "buddyinfo", 0);

	assert_string_equal(out, expect);
	free(out);
}

/*
 * A fresh 64 MiB node is 16 free max-order blocks.  One order-0 page taken
 * out of one of them leaves its buddies: one free block of each order 0..9.
 *
 *   pfn 0         1    2-3  4-7 ...  512-1023 | 1024 ...
 *       [taken]   [o0] [o1] [o2] ... [o9]     | 15 x order-10
 */
static void test_buddyinfo_split(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	unsigned long pfn;

	(void)state;
	expect_buddyinfo(m, "Node 0, zone   Normal      0      0      0      0"
			 "      0      0      0      0      0      0     16 \n");
	pfn = alloc(m, GFP_KERNEL, 0);
	assert_int_equal(foliage_drain_pages(m), 0);
	expect_buddyinfo(m, "Node 0, zone   Normal      1      1      1      1"
			 "      1      1      1      1      1      1     15 \n");
	assert_int_equal(foliage_free_pages(m, pfn, 0, 0), 0);
	assert_int_equal(foliage_drain_pages(m), 0);
	expect_buddyinfo(m, "Node 0, zone   Normal      0      0      0      0"
			 "      0      0      0      0      0      0     16 \n");
	test_machine_done(m);
}

/* One row per populated zone, node by node; an empty Movable is skipped. */
static void test_buddyinfo_zones(void **state)
{
	struct foliage_machine *m = test_machine(2, 32);
	struct json_object *obj, *zones;

	(void)state;
	expect_buddyinfo(m,
		"Node 0, zone   Normal      0      0      0      0      0"
		"      0      0      0      0      0      8 \n"
		"Node 1, zone   Normal      0      0      0      0      0"
		"      0      0      0      0      0      8 \n");
	obj = render_json(m, "buddyinfo");
	zones = jget(obj, "zones");
	assert_int_equal(json_object_array_length(zones), 2);
	assert_int_equal(jget_u64(jidx(zones, 1), "node"), 1);
	assert_string_equal(json_object_get_string(jget(jidx(zones, 1),
							"zone")), "Normal");
	assert_int_equal(json_object_get_uint64(
		jidx(jget(jidx(zones, 0), "nr_free"), 10)), 8);
	assert_int_equal(json_object_get_uint64(
		jidx(jget(jidx(zones, 0), "nr_free"), 0)), 0);
	json_object_put(obj);
	test_machine_done(m);

	m = machine_with_movable(64, 16);
	expect_buddyinfo(m,
		"Node 0, zone   Normal      0      0      0      0      0"
		"      0      0      0      0      0     12 \n"
		"Node 0, zone  Movable      0      0      0      0      0"
		"      0      0      0      0      0      4 \n");
	test_machine_done(m);
}

/* ---- /proc/pagetypeinfo --------------------------------------------------- */

static int migratetype_by_name(const char *name)
{
	int mt;

	for (mt = 0; mt < MIGRATE_TYPES; mt++)
		if (!strcmp(migratetype_names[mt], name))
			return mt;
	fail_msg("unknown migratetype %s", name);
	return -1;
}

static struct pagetype_zone *pagetype_zone(struct pagetype_node *node,
					   const char *name)
{
	int z;

	for (z = 0; z < node->nr_zones; z++)
		if (!strcmp(node->zone[z].name, name))
			return &node->zone[z];
	node->zone[node->nr_zones].name = keep_name(name);
	return &node->zone[node->nr_zones++];
}

static void test_pagetypeinfo_golden(void **state)
{
	char *golden = read_golden("pagetypeinfo"), line[512];
	struct pagetypeinfo *pi = calloc(1, sizeof(*pi));
	struct pagetype_node *node = &pi->node[0];
	const char *p = golden;
	int rows = 0, blocks = 0;
	char *out;

	(void)state;
	pi->nr_nodes = 1;
	while (next_line(&p, line, sizeof(line))) {
		char zone[16], type[16];
		int nid, off, o, mt;
		char *q;

		if (sscanf(line, "Node %d, zone %15[^,], type %15s%n", &nid,
			   zone, type, &off) == 3) {
			struct pagetype_zone *pz = pagetype_zone(node, zone);

			mt = migratetype_by_name(type);
			q = line + off;
			for (o = 0; o < NR_PAGE_ORDERS; o++)
				pz->nr_free[mt][o] = strtoul(q, &q, 10);
			rows++;
		} else if (sscanf(line, "Node %d, zone %15s%n", &nid, zone,
				  &off) == 2) {
			struct pagetype_zone *pz = pagetype_zone(node, zone);

			q = line + off;
			for (mt = 0; mt < MIGRATE_TYPES; mt++)
				pz->nr_blocks[mt] = strtoul(q, &q, 10);
			blocks++;
		}
	}
	assert_int_equal(rows, 3 * MIGRATE_TYPES);
	assert_int_equal(blocks, 3);

	out = SHOW(pagetypeinfo_show, pi);
	assert_string_equal(out, golden);
	free(out);
	free(pi);
	free(golden);
}

/* A list of 100000 blocks or more shows as ">100000", as in Linux. */
static void test_pagetypeinfo_cap(void **state)
{
	struct pagetypeinfo *pi = calloc(1, sizeof(*pi));
	char *out;

	(void)state;
	pi->nr_nodes = 1;
	pi->node[0].nr_zones = 1;
	pi->node[0].zone[0].name = "Normal";
	pi->node[0].zone[0].nr_free[MIGRATE_MOVABLE][0] = 99999;
	pi->node[0].zone[0].nr_free[MIGRATE_MOVABLE][1] =
		PAGETYPE_FREECOUNT_CAP;
	out = SHOW(pagetypeinfo_show, pi);
	assert_non_null(strstr(out, "type      Movable  99999 >100000      0 "));
	free(out);
	free(pi);
}

static const char pagetypeinfo_head[] =
	"Page block order: 9\n"
	"Pages per block:  512\n"
	"\n"
	"Free pages count per migrate type at order       0      1      2"
	"      3      4      5      6      7      8      9     10 \n";

static const char pagetypeinfo_blocks_head[] =
	"\n"
	"Number of blocks type     Unmovable      Movable  Reclaimable"
	"   HighAtomic      Isolate \n";

#define ZERO_ROW	"      0      0      0      0      0      0      0      0" \
			"      0      0      0 \n"

/*
 * The pagetypeinfo of a one-node machine with one zone, Normal, where only
 * the Unmovable and Movable lists hold anything.
 */
static void expect_pagetypeinfo(struct foliage_machine *m,
				const char *unmovable, const char *movable,
				const char *blocks)
{
	char expect[4096], *out;

	snprintf(expect, sizeof(expect),
		 "%sNode    0, zone   Normal, type    Unmovable %s"
		 "Node    0, zone   Normal, type      Movable %s"
		 "Node    0, zone   Normal, type  Reclaimable" ZERO_ROW
		 "Node    0, zone   Normal, type   HighAtomic" ZERO_ROW
		 "Node    0, zone   Normal, type      Isolate" ZERO_ROW
		 "%sNode 0, zone   Normal %s",
		 pagetypeinfo_head, unmovable, movable,
		 pagetypeinfo_blocks_head, blocks);
	out = render(m, "pagetypeinfo", 0);
	assert_string_equal(out, expect);
	free(out);
}

/*
 * Linux boots every pageblock Movable.  An unmovable order-0 allocation
 * then claims a whole max-order block (both its pageblocks) for
 * Unmovable, and the split's leftovers sit on the Unmovable lists.
 */
static void test_pagetypeinfo_claim(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct json_object *obj, *zone;

	(void)state;
	expect_pagetypeinfo(m,
		"     0      0      0      0      0      0      0      0"
		"      0      0      0 \n",
		"     0      0      0      0      0      0      0      0"
		"      0      0     16 \n",
		"           0           32            0            0"
		"            0 \n");
	alloc(m, GFP_KERNEL, 0);
	assert_int_equal(foliage_drain_pages(m), 0);
	expect_pagetypeinfo(m,
		"     1      1      1      1      1      1      1      1"
		"      1      1      0 \n",
		"     0      0      0      0      0      0      0      0"
		"      0      0     15 \n",
		"           2           30            0            0"
		"            0 \n");

	obj = render_json(m, "pagetypeinfo");
	assert_int_equal(jget_u64(obj, "page_block_order"), 9);
	assert_int_equal(jget_u64(obj, "pages_per_block"), 512);
	zone = jidx(jget(jidx(jget(obj, "nodes"), 0), "zones"), 0);
	assert_int_equal(jget_u64(jget(zone, "blocks"), "Unmovable"), 2);
	assert_int_equal(jget_u64(jget(zone, "blocks"), "Movable"), 30);
	assert_int_equal(json_object_get_uint64(
		jidx(jget(jget(zone, "free"), "Unmovable"), 9)), 1);
	assert_int_equal(json_object_get_uint64(
		jidx(jget(jget(zone, "free"), "Movable"), 10)), 15);
	json_object_put(obj);
	test_machine_done(m);
}

/* Each node prints its own header and tables, as Linux does per pgdat. */
static void test_pagetypeinfo_nodes(void **state)
{
	struct foliage_machine *m = test_machine(2, 16);
	char *out = render(m, "pagetypeinfo", 0), *second;

	(void)state;
	assert_memory_equal(out, pagetypeinfo_head, strlen(pagetypeinfo_head));
	second = strstr(out + 1, "Page block order: 9\n");
	assert_non_null(second);
	assert_null(strstr(second + 1, "Page block order: 9\n"));
	assert_non_null(strstr(second, "Node    1, zone   Normal, type"
				       "      Movable      0"));
	assert_non_null(strstr(second, "Node 1, zone   Normal            0"
				       "            8 "));
	free(out);
	test_machine_done(m);
}

/* ---- /proc/vmstat ---------------------------------------------------------- */

static int vmstat_index(const char *name)
{
	int i;

	for (i = 0; i < NR_VMSTAT_ITEMS; i++)
		if (!strcmp(vmstat_text[i], name))
			return i;
	return -1;
}

/*
 * Every line of the real file, in its order, with its value; foliage's
 * own two events come after the last Linux event, before nr_unstable.
 */
static void test_vmstat_golden(void **state)
{
	char *golden = read_golden("vmstat"), line[256], *expect, *out, *tail;
	struct vmstat_lines vl = { { 0 } };
	const char *p = golden;
	int last = -1, nr = 0;

	(void)state;
	while (next_line(&p, line, sizeof(line))) {
		char name[128];
		unsigned long val;
		int i;

		assert_int_equal(sscanf(line, "%127s %lu", name, &val), 2);
		i = vmstat_index(name);
		if (i < 0)
			fail_msg("foliage has no vmstat line %s", name);
		assert_true(i > last);
		last = i;
		vl.val[i] = val;
		nr++;
	}
	assert_int_equal(nr + 2, NR_VMSTAT_ITEMS);

	tail = strstr(golden, "nr_unstable 0\n");
	assert_non_null(tail);
	expect = malloc(strlen(golden) + 64);
	sprintf(expect, "%.*spgzero_cleared 0\npgzero_skipped 0\n%s",
		(int)(tail - golden), golden, tail);

	out = SHOW(vmstat_show, &vl);
	assert_string_equal(out, expect);
	free(out);
	free(expect);
	free(golden);
}

static unsigned long rendered_vmstat(const char *text, const char *name)
{
	char key[128];
	const char *at;

	snprintf(key, sizeof(key), "\n%s ", name);
	at = strstr(text, key);
	if (!at)
		fail_msg("no line %s", name);
	return strtoul(at + strlen(key), NULL, 10);
}

static void test_vmstat_machine(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	unsigned long a, b;
	struct json_object *obj;
	const char *p;
	char *out, line[256];
	int nr = 0;

	(void)state;
	a = alloc(m, GFP_KERNEL, 0);
	b = alloc(m, GFP_KERNEL, 3);
	out = render(m, "vmstat", 0);
	assert_int_equal(rendered_vmstat(out, "pgalloc_normal"), 1 + 8);
	assert_int_equal(rendered_vmstat(out, "pgalloc_movable"), 0);
	assert_int_equal(rendered_vmstat(out, "pgfree"), 0);
	/* Every line is "name value", and agrees with foliage_vmstat(). */
	for (p = out; next_line(&p, line, sizeof(line)); nr++) {
		char name[128];
		unsigned long val;

		assert_int_equal(sscanf(line, "%127s %lu", name, &val), 2);
		assert_string_equal(name, vmstat_text[nr]);
		assert_int_equal(val, vmstat(m, name));
	}
	assert_int_equal(nr, NR_VMSTAT_ITEMS);
	free(out);

	assert_int_equal(foliage_free_pages(m, a, 0, 0), 0);
	assert_int_equal(foliage_free_pages(m, b, 3, 0), 0);
	assert_int_equal(foliage_drain_pages(m), 0);
	out = render(m, "vmstat", 0);
	assert_int_equal(rendered_vmstat(out, "pgfree"), 9);
	assert_true(strncmp(out, "nr_free_pages 16384\n", 20) == 0);
	free(out);

	obj = render_json(m, "vmstat");
	assert_int_equal(jget_u64(obj, "nr_free_pages"), 16384);
	assert_int_equal(jget_u64(obj, "pgalloc_normal"), 9);
	assert_int_equal(jget_u64(obj, "pgfree"), 9);
	assert_int_equal(json_object_object_length(obj), NR_VMSTAT_ITEMS);
	json_object_put(obj);
	test_machine_done(m);
}

/* ---- /proc/meminfo --------------------------------------------------------- */

static void parse_meminfo(const char *text, struct meminfo *mi)
{
	const char *p = text;
	char line[256];
	int i = 0;

	while (next_line(&p, line, sizeof(line))) {
		char label[64];
		unsigned long v;

		assert_int_equal(sscanf(line, "%63[^:]: %lu", label, &v), 2);
		assert_true(i < NR_MEMINFO_LINES);
		assert_string_equal(label, meminfo_labels[i]);
		mi->val[i++] = v;
	}
	assert_int_equal(i, NR_MEMINFO_LINES);
}

static void test_meminfo_golden(void **state)
{
	char *golden = read_golden("meminfo"), *out;
	struct meminfo mi;

	(void)state;
	parse_meminfo(golden, &mi);
	out = SHOW(meminfo_show, &mi);
	assert_string_equal(out, golden);
	free(out);
	free(golden);
}

/* Past its field width a count still prints in full, as Linux's does. */
static void test_meminfo_wide(void **state)
{
	struct meminfo mi = { { 0 } };
	char *out;

	(void)state;
	mi.val[MI_HUGEPAGES_TOTAL] = 1234567;
	mi.val[MI_MEMTOTAL] = 1234567890;
	out = SHOW(meminfo_show, &mi);
	assert_non_null(strstr(out, "\nHugePages_Total:   1234567\n"));
	assert_true(!strncmp(out, "MemTotal:       1234567890 kB\n", 30));
	free(out);
}

static void parse_zoneinfo(const char *text, struct zoneinfo *zi);

/*
 * MemAvailable and CommitLimit of the real machine, from its zones'
 * watermarks and reserves (zoneinfo) and its counters (meminfo): Linux's
 * arithmetic, reproduced to the page.  The empty Movable and Device zones
 * count too, as in Linux's for_each_zone().
 */
static void test_mem_available_golden(void **state)
{
	char *zgolden = read_golden("zoneinfo"), *mgolden = read_golden("meminfo");
	struct zoneinfo *zi = calloc(1, sizeof(*zi));
	unsigned long wmark_low = 0, reserve = 0;
	struct meminfo mi;
	int z;

	(void)state;
	parse_zoneinfo(zgolden, zi);
	parse_meminfo(mgolden, &mi);
	for (z = 0; z < zi->node[0].nr_zones; z++) {
		const struct zoneinfo_zone *zz = &zi->node[0].zone[z];

		wmark_low += zz->wmark[WMARK_LOW];
		reserve += zone_reserve_pages(zz->protection, zz->nr_protection,
					      z, zz->wmark[WMARK_HIGH],
					      zz->managed);
	}
	assert_int_equal(zi->node[0].nr_zones, 5);
	assert_int_equal(reserve, 3840 + 15893 + 12198);
	assert_int_equal(mem_available(mi.val[MI_MEMFREE] / 4, reserve,
				       wmark_low,
				       (mi.val[MI_ACTIVE_FILE] +
					mi.val[MI_INACTIVE_FILE]) / 4,
				       mi.val[MI_KRECLAIMABLE] / 4),
			 mi.val[MI_MEMAVAILABLE] / 4);
	assert_int_equal(vm_commit_limit(mi.val[MI_MEMTOTAL] / 4) * 4,
			 mi.val[MI_COMMITLIMIT]);
	free(zi);
	free(zgolden);
	free(mgolden);
}

static unsigned long meminfo_value(const char *text, const char *label)
{
	char key[64];
	const char *at;

	snprintf(key, sizeof(key), "%s:", label);
	at = strstr(text, key);
	if (!at || (at != text && at[-1] != '\n'))
		fail_msg("no line %s", label);
	return strtoul(at + strlen(key), NULL, 10);
}

/*
 * A fresh 64 MiB node: min_free_kbytes = sqrt(64 MiB in kB * 16) = 1024,
 * so min = 256 pages, low = high - 64 = 320, high = 384; nothing else is
 * reserved and there is no page cache, so MemAvailable = free - high.
 */
static void test_meminfo_machine(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct json_object *obj;
	unsigned long pfn;
	char *out;

	(void)state;
	out = render(m, "meminfo", 0);
	assert_int_equal(meminfo_value(out, "MemTotal"), 65536);
	assert_int_equal(meminfo_value(out, "MemFree"), 65536);
	assert_int_equal(meminfo_value(out, "MemAvailable"), (16384 - 384) * 4);
	assert_int_equal(meminfo_value(out, "CommitLimit"), 32768);
	assert_int_equal(meminfo_value(out, "Hugepagesize"), 2048);
	assert_int_equal(meminfo_value(out, "DirectMap4k"), 0);
	assert_int_equal(meminfo_value(out, "DirectMap2M"), 65536);
	assert_int_equal(meminfo_value(out, "DirectMap1G"), 0);
	assert_int_equal(meminfo_value(out, "VmallocTotal"), 34359738367UL);
	assert_non_null(strstr(out, "\nHugePages_Total:       0\n"));
	free(out);

	pfn = alloc(m, GFP_KERNEL, 4);
	out = render(m, "meminfo", 0);
	assert_int_equal(meminfo_value(out, "MemFree"),
			 vmstat(m, "nr_free_pages") * 4);
	assert_int_equal(meminfo_value(out, "MemAvailable"),
			 (vmstat(m, "nr_free_pages") - 384) * 4);
	assert_int_equal(meminfo_value(out, "MemTotal"), 65536);
	free(out);
	assert_int_equal(foliage_free_pages(m, pfn, 4, 0), 0);

	obj = render_json(m, "meminfo");
	assert_int_equal(jget_u64(obj, "MemTotal"), 65536);
	assert_int_equal(jget_u64(obj, "MemFree"),
			 vmstat(m, "nr_free_pages") * 4);
	assert_int_equal(jget_u64(obj, "HugePages_Total"), 0);
	assert_int_equal(json_object_object_length(obj), NR_MEMINFO_LINES);
	json_object_put(obj);
	test_machine_done(m);
}

/* The direct map: 1G pages where they fit, then 2M, then 4k. */
static void test_meminfo_direct_map(void **state)
{
	struct foliage_config cfg;
	struct foliage_machine *m;
	char *out;

	(void)state;
	foliage_config_init(&cfg);
	cfg.nr_nodes = 2;
	cfg.bytes_per_node = (1ULL << 30) + (6 << 20) + 8192;
	assert_int_equal(foliage_machine_create(&cfg, &m), 0);
	out = render(m, "meminfo", 0);
	assert_int_equal(meminfo_value(out, "DirectMap4k"), 2 * 8);
	assert_int_equal(meminfo_value(out, "DirectMap2M"), 2 * 6144);
	assert_int_equal(meminfo_value(out, "DirectMap1G"), 2 * 1048576);
	assert_int_equal(meminfo_value(out, "MemTotal"),
			 2 * (1048576 + 6144 + 8));
	free(out);
	test_machine_done(m);
}

/* ---- /proc/zoneinfo -------------------------------------------------------- */

static const char *node_item_name(int i)
{
	return vmstat_text[NR_VM_ZONE_STAT_ITEMS + NR_VM_NUMA_EVENT_ITEMS + i];
}

#define PROTECTION	"        protection: ("

/* Parse a zoneinfo file into the snapshot its formatter takes. */
static void parse_zoneinfo(const char *text, struct zoneinfo *zi)
{
	enum { OTHER, NODE_STATS, ZONE_STATS } mode = OTHER;
	struct zoneinfo_node *node = NULL;
	struct zoneinfo_zone *zz = NULL;
	struct zoneinfo_pageset *ps = NULL;
	int nstat = 0, zstat = 0;
	const char *p = text;
	char line[256];

	while (next_line(&p, line, sizeof(line))) {
		unsigned long v;
		char name[64], zone[16];
		int nid, n;

		if (sscanf(line, "Node %d, zone %15s", &nid, zone) == 2) {
			if (!node || node->nid != nid) {
				node = &zi->node[zi->nr_nodes++];
				node->nid = nid;
			}
			zz = &node->zone[node->nr_zones++];
			zz->name = keep_name(zone);
			mode = OTHER;
		} else if (!strcmp(line, "  per-node stats")) {
			mode = NODE_STATS;
			nstat = 0;
		} else if (field(line, "  pages free     ", &zz->free)) {
			mode = OTHER;
		} else if (field(line, "        boost    ", &zz->boost) ||
			   field(line, "        min      ", &zz->wmark[0]) ||
			   field(line, "        low      ", &zz->wmark[1]) ||
			   field(line, "        high     ", &zz->wmark[2]) ||
			   field(line, "        promo    ", &zz->wmark[3]) ||
			   field(line, "        spanned  ", &zz->spanned) ||
			   field(line, "        present  ", &zz->present) ||
			   field(line, "        managed  ", &zz->managed) ||
			   field(line, "        cma      ", &zz->cma)) {
			zz->populated = zz->present != 0;
		} else if (!strncmp(line, PROTECTION, strlen(PROTECTION))) {
			char *q = line + strlen(PROTECTION);

			while (*q != ')') {
				assert_true(zz->nr_protection < SNAP_MAX_ZONES);
				zz->protection[zz->nr_protection++] =
					strtol(q, &q, 10);
				if (*q == ',')
					q++;
			}
			mode = ZONE_STATS;
			zstat = 0;
		} else if (!strcmp(line, "  pagesets")) {
			mode = OTHER;
		} else if (field(line, "    cpu: ", &v)) {
			assert_int_equal(v, zz->nr_cpus);
			ps = &zz->pageset[zz->nr_cpus++];
		} else if (field(line, "              count:    ", &v)) {
			ps->count = v;
		} else if (field(line, "              high:     ", &v)) {
			ps->high = v;
		} else if (field(line, "              batch:    ", &v)) {
			ps->batch = v;
		} else if (field(line, "              high_min: ", &v)) {
			ps->high_min = v;
		} else if (field(line, "              high_max: ", &v)) {
			ps->high_max = v;
		} else if (field(line, "  vm stats threshold: ", &v)) {
			ps->stat_threshold = v;
		} else if (field(line, "  node_unreclaimable:  ", &v)) {
			zz->node_unreclaimable = v;
		} else if (field(line, "  start_pfn:           ", &zz->start_pfn)) {
		} else if (sscanf(line, "      %63s %lu%n", name, &v, &n) == 2 &&
			   line[n] == '\0') {
			if (mode == NODE_STATS) {
				assert_true(nstat < NR_VM_NODE_STAT_ITEMS);
				assert_string_equal(name, node_item_name(nstat));
				node->stat[nstat++] = v;
			} else {
				assert_int_equal(mode, ZONE_STATS);
				assert_string_equal(name, vmstat_text[zstat]);
				if (zstat < NR_VM_ZONE_STAT_ITEMS)
					zz->stat[zstat] = v;
				else
					zz->numa[zstat - NR_VM_ZONE_STAT_ITEMS] = v;
				zstat++;
			}
		} else {
			fail_msg("unparsed zoneinfo line: %s", line);
		}
	}
}

static void test_zoneinfo_golden(void **state)
{
	char *golden = read_golden("zoneinfo"), *out;
	struct zoneinfo *zi = calloc(1, sizeof(*zi));

	(void)state;
	parse_zoneinfo(golden, zi);
	assert_int_equal(zi->nr_nodes, 1);
	assert_int_equal(zi->node[0].nr_zones, 5);
	assert_int_equal(zi->node[0].zone[2].nr_cpus, 2);
	out = SHOW(zoneinfo_show, zi);
	assert_string_equal(out, golden);
	free(out);
	free(zi);
	free(golden);
}

static unsigned long count_substr(const char *text, const char *needle)
{
	unsigned long n = 0;

	for (; (text = strstr(text, needle)); text++)
		n++;
	return n;
}

/*
 * Two nodes of 64 MiB with 16 MiB Movable each: every node shows both
 * zones, the per-node stats once (under Normal), and its own counters.
 */
static void test_zoneinfo_machine(void **state)
{
	struct foliage_config cfg;
	struct foliage_machine *m;
	struct zoneinfo *zi = calloc(1, sizeof(*zi));
	struct json_object *obj, *zone;
	char *out;

	(void)state;
	foliage_config_init(&cfg);
	cfg.nr_nodes = 2;
	cfg.bytes_per_node = 64 << 20;
	cfg.movable_bytes_per_node = 16 << 20;
	assert_int_equal(foliage_machine_create(&cfg, &m), 0);
	alloc(m, GFP_KERNEL, 2);

	out = render(m, "zoneinfo", 0);
	assert_int_equal(count_substr(out, "Node 0, zone   Normal\n"
				      "  per-node stats\n"), 1);
	assert_int_equal(count_substr(out, "Node 1, zone   Normal\n"
				      "  per-node stats\n"), 1);
	assert_int_equal(count_substr(out, "Node 0, zone  Movable\n"
				      "  pages free     4096\n"), 1);
	assert_int_equal(count_substr(out, "per-node stats"), 2);
	assert_int_equal(count_substr(out, "\n  pagesets\n    cpu: 0\n"), 4);
	assert_int_equal(count_substr(out, "\n    cpu: 1\n"), 4);
	assert_int_equal(count_substr(out, "\n        managed  12288\n"), 2);
	assert_int_equal(count_substr(out, "\n        managed  4096\n"), 2);
	assert_int_equal(count_substr(out, "\n  start_pfn:           0\n"), 1);
	assert_int_equal(count_substr(out, "\n      numa_hit     1\n"), 1);
	/* Its numbers are what it parses back to, and renders the same. */
	parse_zoneinfo(out, zi);
	assert_int_equal(zi->nr_nodes, 2);
	assert_int_equal(zi->node[1].zone[1].start_pfn,
			 zi->node[1].zone[0].start_pfn + 12288);
	assert_int_equal(zi->node[0].zone[0].stat[NR_FREE_PAGES],
			 zi->node[0].zone[0].free);
	assert_int_equal(zi->node[0].zone[0].free +
			 zi->node[0].zone[0].pageset[0].count +
			 zi->node[0].zone[0].pageset[1].count, 12288 - 4);
	free(out);

	obj = render_json(m, "zoneinfo");
	zone = jidx(jget(jidx(jget(obj, "nodes"), 0), "zones"), 1);
	assert_string_equal(json_object_get_string(jget(zone, "zone")),
			    "Movable");
	assert_int_equal(jget_u64(zone, "managed"), 4096);
	assert_int_equal(jget_u64(zone, "pages_free"), 4096);
	assert_int_equal(json_object_array_length(jget(zone, "pagesets")), 2);
	assert_int_equal(json_object_array_length(jget(zone, "protection")),
			 2);
	json_object_put(obj);
	free(zi);
	test_machine_done(m);
}

/* ---- trace ----------------------------------------------------------------- */

static int event_type(const char *name)
{
	static const char *const names[NR_TRACE_EVENT_TYPES] = {
		"mm_page_alloc", "mm_page_free", "mm_page_alloc_zone_locked",
		"mm_page_pcpu_drain", "mm_page_alloc_extfrag",
	};
	int i;

	for (i = 0; i < NR_TRACE_EVENT_TYPES; i++)
		if (!strcmp(names[i], name))
			return i;
	fail_msg("unknown event %s", name);
	return -1;
}

/* The value after "@key=" in @fields. */
static const char *event_field(const char *fields, const char *key)
{
	char k[64];
	const char *at;

	snprintf(k, sizeof(k), "%s=", key);
	at = strstr(fields, k);
	if (!at)
		fail_msg("no %s in %s", k, fields);
	return at + strlen(k);
}

/*
 * Parse one line of a real trace back into an entry and render it: the
 * result must be the line.  The page pointer (hashed with the real
 * kernel's secret key) and the flags are taken as they are.
 */
static void check_trace_line(const char *line)
{
	struct trace_entry e = { 0 };
	struct trace_line l = { .e = &e };
	char comm[32], lat[8], event[64], gfp[256], *out;
	unsigned long secs, usecs;
	int pid, cpu, off;
	const char *fields;
	unsigned int flags;

	assert_int_equal(sscanf(line, "%31[^-]-%d [%d] %7s %lu.%lu: %63[^:]: %n",
				comm, &pid, &cpu, lat, &secs, &usecs, event,
				&off), 7);
	l.comm = comm + strspn(comm, " ");
	l.lat = lat;
	e.pid = pid;
	e.cpu = cpu;
	e.ts_ns = (secs * 1000000 + usecs) * 1000;
	e.type = event_type(event);
	fields = line + off;
	l.page_ptr = strtoul(event_field(fields, "page"), NULL, 16);
	e.pfn = strtoul(event_field(fields, "pfn"), NULL, 16);
	e.order = strtoul(event_field(fields, "order"), NULL, 10);
	if (e.type != TRACE_MM_PAGE_FREE)
		e.migratetype = atoi(event_field(fields, "migratetype"));
	if (e.type == TRACE_MM_PAGE_ALLOC_ZONE_LOCKED)
		e.percpu_refill = atoi(event_field(fields, "percpu_refill"));
	if (e.type == TRACE_MM_PAGE_ALLOC) {
		assert_int_equal(sscanf(event_field(fields, "gfp_flags"),
					"%255s", gfp), 1);
		assert_int_equal(foliage_gfp_parse(gfp, &flags), 0);
		e.gfp_flags = flags;
	}

	out = SHOW(trace_print_line, &l);
	assert_int_equal(strlen(out), strlen(line) + 1);
	assert_memory_equal(out, line, strlen(line));
	assert_int_equal(out[strlen(line)], '\n');
	free(out);
}

static void test_trace_golden(void **state)
{
	char *golden = read_golden("trace/sample.txt"), line[512], *out;
	unsigned long entries, written;
	const char *p = golden, *body;
	int nr_cpus, n = 0;

	(void)state;
	/* The header. */
	assert_int_equal(sscanf(strstr(golden, "# entries-in-buffer"),
				"# entries-in-buffer/entries-written: %lu/%lu"
				"   #P:%d", &entries, &written, &nr_cpus), 3);
	out = SHOW(trace_print_header, entries, written, nr_cpus);
	body = golden + strlen(out);
	assert_memory_equal(golden, out, strlen(out));
	free(out);

	/* The events. */
	for (p = body; next_line(&p, line, sizeof(line)); n++)
		check_trace_line(line);
	assert_int_equal(n, entries);
	free(golden);

	golden = read_golden("trace/sample_lines.txt");
	for (p = golden, n = 0; next_line(&p, line, sizeof(line)); n++)
		check_trace_line(line);
	assert_int_equal(n, 6);
	free(golden);
}

/*
 * Each event's text follows its "print fmt" in the real kernel's format
 * file: take the format string's "name=%x" pairs, print the expected
 * values with those conversions, and compare with foliage's line.
 */
struct fmt_value {
	const char *name;		/* field */
	unsigned long v;		/* its value */
};

static void check_print_fmt(const char *format_file, const struct trace_line *l,
			    const struct fmt_value *vals, int nr_vals)
{
	char *golden = read_golden(format_file), expect[1024], *out, *fmt, *q;
	const char *after;
	size_t len = 0;

	fmt = strstr(golden, "print fmt: \"");
	assert_non_null(fmt);
	fmt += strlen("print fmt: \"");
	*strchr(fmt, '"') = '\0';
	for (q = strtok(fmt, " "); q; q = strtok(NULL, " ")) {
		char *conv = strchr(q, '=');
		int i;

		assert_non_null(conv);
		*conv++ = '\0';
		for (i = 0; i < nr_vals && strcmp(vals[i].name, q); i++)
			;
		if (i == nr_vals)
			fail_msg("%s: no value for %s", format_file, q);
		len += snprintf(expect + len, sizeof(expect) - len, "%s%s=",
				len ? " " : "", q);
		if (!strcmp(conv, "%p"))
			len += snprintf(expect + len, sizeof(expect) - len,
					"%016lx", vals[i].v);
		else if (!strcmp(conv, "0x%lx"))
			len += snprintf(expect + len, sizeof(expect) - len,
					"0x%lx", vals[i].v);
		else if (!strcmp(conv, "%d"))
			len += snprintf(expect + len, sizeof(expect) - len,
					"%d", (int)vals[i].v);
		else if (!strcmp(conv, "%u"))
			len += snprintf(expect + len, sizeof(expect) - len,
					"%u", (unsigned int)vals[i].v);
		else if (!strcmp(conv, "%s"))
			len += snprintf(expect + len, sizeof(expect) - len,
					"%s", (const char *)vals[i].v);
		else
			fail_msg("%s: conversion %s", format_file, conv);
	}
	out = SHOW(trace_print_line, l);
	after = strstr(out, ": mm_");
	assert_non_null(after);
	after = strstr(after + 2, ": ") + 2;
	assert_int_equal(strlen(after), len + 1);
	assert_memory_equal(after, expect, len);
	free(out);
	free(golden);
}

static void test_trace_print_fmt(void **state)
{
	struct trace_entry e = {
		.ts_ns = 12345678901, .cpu = 1, .pid = 42, .pfn = 0x1234,
		.order = 3, .migratetype = 2, .gfp_flags = 0xcc0 | (1U << 8),
		.percpu_refill = 1, .arg = { 2, 4, 0, 1 },
	};
	struct trace_line l = {
		.e = &e, .comm = "foliage", .lat = ".....",
		.page_ptr = trace_page_ptr(0x1234),
	};
	struct fmt_value v[] = {
		{ "page", l.page_ptr }, { "pfn", 0x1234 }, { "order", 3 },
		{ "migratetype", 2 },
		{ "gfp_flags", (unsigned long)"GFP_KERNEL|__GFP_ZERO" },
		{ "percpu_refill", 1 }, { "alloc_order", 2 },
		{ "fallback_order", 4 }, { "pageblock_order", 9 },
		{ "alloc_migratetype", 0 }, { "fallback_migratetype", 1 },
		{ "fragmenting", 1 }, { "change_ownership", 1 },
	};
	int n = ARRAY_SIZE(v);

	(void)state;
	e.type = TRACE_MM_PAGE_ALLOC;
	check_print_fmt("trace/mm_page_alloc.format", &l, v, n);
	e.type = TRACE_MM_PAGE_FREE;
	check_print_fmt("trace/mm_page_free.format", &l, v, n);
	e.type = TRACE_MM_PAGE_ALLOC_ZONE_LOCKED;
	check_print_fmt("trace/mm_page_alloc_zone_locked.format", &l, v, n);
	e.type = TRACE_MM_PAGE_PCPU_DRAIN;
	check_print_fmt("trace/mm_page_pcpu_drain.format", &l, v, n);
	e.type = TRACE_MM_PAGE_ALLOC_EXTFRAG;
	check_print_fmt("trace/mm_page_alloc_extfrag.format", &l, v, n);

	/* A failed allocation has no page: NULL and pfn 0. */
	e.type = TRACE_MM_PAGE_ALLOC;
	e.pfn = -1UL;
	l.page_ptr = trace_page_ptr(e.pfn);
	v[0].v = 0;
	v[1].v = 0;
	check_print_fmt("trace/mm_page_alloc.format", &l, v, n);
}

/* %p with hash-ptr: a stable 32-bit ID per address; NULL stays 0. */
static void test_trace_hash_ptr(void **state)
{
	unsigned long a = trace_page_ptr(0x1000), b = trace_page_ptr(0x1001);

	(void)state;
	assert_int_equal(trace_page_ptr(-1UL), 0);
	assert_int_equal(trace_hash_ptr(0), 0);
	assert_int_equal(a, trace_page_ptr(0x1000));
	assert_int_not_equal(a, b);
	assert_int_equal(a >> 32, 0);
	assert_int_equal(b >> 32, 0);
	assert_int_equal(a, trace_hash_ptr(TRACE_VMEMMAP_BASE + 0x1000 * 64));
}

/*
 * Split an event line of a rendered trace: check its layout against
 * Linux's (name right-aligned in 16, "-pid" left-aligned in 8, "[cpu]",
 * flags, " %5lu.%06lu: ") and return where the event name starts.
 */
static const char *check_event_prefix(const char *line, const char *comm,
				      int pid, int cpu, u64 *ts_us)
{
	unsigned long secs, usecs;
	char prefix[128];
	const char *at;
	int n;

	at = strstr(line, " ..... ");
	assert_non_null(at);
	assert_int_equal(sscanf(at + 7, "%lu.%lu: ", &secs, &usecs), 2);
	n = snprintf(prefix, sizeof(prefix), "%16s-%-7d [%03d] ..... %5lu.%06lu: ",
		     comm, pid, cpu, secs, usecs);
	assert_memory_equal(line, prefix, n);
	*ts_us = (u64)secs * 1000000 + usecs;
	return line + n;
}

static void test_trace_machine(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct json_object *obj, *events, *ev;
	char comm[17] = { 0 }, line[512], expect[512], *out;
	char last_rest[512] = "", prev_rest[512] = "";
	u64 ts, prev_ts = 0;
	unsigned long pfn, nr_lines = 0;
	const char *p;
	size_t nr;

	(void)state;
	assert_int_equal(prctl(PR_GET_NAME, comm), 0);

	/* Never traced: just the header. */
	out = render(m, "trace", 0);
	assert_non_null(strstr(out, "# entries-in-buffer/entries-written: "
				    "0/0   #P:2\n"));
	assert_int_equal(count_substr(out, "\n"), 12);
	free(out);

	assert_int_equal(foliage_set(m, "tracing.on", "1"), 0);
	pfn = alloc(m, GFP_KERNEL | FOLIAGE_GFP_ZERO, 0);
	assert_int_equal(foliage_free_pages(m, pfn, 0, 0), 0);
	assert_int_equal(foliage_set(m, "tracing.on", "0"), 0);
	alloc(m, GFP_KERNEL, 0);	/* not traced */

	out = render(m, "trace", 0);
	for (p = out; next_line(&p, line, sizeof(line));) {
		const char *rest;

		if (line[0] == '#')
			continue;
		rest = check_event_prefix(line, comm, gettid(), 0, &ts);
		/* The machine's virtual trace clock: 1 us an event. */
		assert_int_equal(ts, prev_ts + 1);
		prev_ts = ts;
		nr_lines++;
		/* Before the allocation itself: taking pages off the lists. */
		if (strncmp(rest, "mm_page_alloc: ", 15) &&
		    strncmp(rest, "mm_page_free: ", 14))
			assert_true(!strncmp(rest, "mm_page_alloc_zone_locked: ",
					     27) ||
				    !strncmp(rest, "mm_page_alloc_extfrag: ", 23));
		strcpy(prev_rest, last_rest);
		strcpy(last_rest, rest);
	}
	snprintf(line, sizeof(line), "%lu/%lu   #P:2\n", nr_lines, nr_lines);
	assert_non_null(strstr(out, line));
	/* The allocation and the free are the last two events. */
	snprintf(expect, sizeof(expect),
		 "mm_page_alloc: page=%016lx pfn=0x%lx order=0 migratetype=0 "
		 "gfp_flags=GFP_KERNEL|__GFP_ZERO", trace_page_ptr(pfn), pfn);
	assert_string_equal(prev_rest, expect);
	snprintf(expect, sizeof(expect), "mm_page_free: page=%016lx "
		 "pfn=0x%lx order=0", trace_page_ptr(pfn), pfn);
	assert_string_equal(last_rest, expect);
	free(out);

	/* The same events as JSON. */
	obj = render_json(m, "trace");
	assert_int_equal(jget_u64(obj, "nr_cpus"), 2);
	events = jget(obj, "events");
	nr = json_object_array_length(events);
	assert_int_equal(nr, nr_lines);
	assert_int_equal(jget_u64(obj, "entries_in_buffer"), nr);
	assert_int_equal(jget_u64(obj, "entries_written"), nr);
	ev = jidx(events, nr - 2);
	assert_string_equal(json_object_get_string(jget(ev, "event")),
			    "mm_page_alloc");
	assert_string_equal(json_object_get_string(jget(ev, "task")), comm);
	assert_int_equal(jget_u64(ev, "pid"), gettid());
	assert_string_equal(json_object_get_string(jget(ev, "flags")), ".....");
	assert_int_equal(jget_u64(jget(ev, "fields"), "pfn"), pfn);
	assert_int_equal(jget_u64(jget(ev, "fields"), "order"), 0);
	assert_string_equal(json_object_get_string(
		jget(jget(ev, "fields"), "gfp_flags")), "GFP_KERNEL|__GFP_ZERO");
	snprintf(expect, sizeof(expect), "%016lx", trace_page_ptr(pfn));
	assert_string_equal(json_object_get_string(
		jget(jget(ev, "fields"), "page")), expect);
	ev = jidx(events, nr - 1);
	assert_string_equal(json_object_get_string(jget(ev, "event")),
			    "mm_page_free");
	assert_int_equal(jget_u64(jget(ev, "fields"), "pfn"), pfn);
	json_object_put(obj);
	test_machine_done(m);
}

/* ---- concurrency ------------------------------------------------------- */

struct churn {
	struct foliage_machine *m;	/* the machine */
	int rounds;			/* alloc/free rounds to run */
	int failures;			/* calls that did not return 0 */
};

static void *churn_thread(void *arg)
{
	struct churn *c = arg;
	unsigned long pfn[4];
	int i, j;

	for (i = 0; i < c->rounds; i++) {
		for (j = 0; j < 4; j++)
			if (foliage_alloc_pages(c->m, j & 1 ? GFP_KERNEL :
						FOLIAGE_GFP_HIGHUSER_MOVABLE,
						j, -1, &pfn[j]))
				c->failures++;
		for (j = 0; j < 4; j++)
			if (foliage_free_pages(c->m, pfn[j], j, 0))
				c->failures++;
	}
	return NULL;
}

/*
 * Rendering takes the allocator's locks in its order (pcp->lock before
 * zone->lock), so it can run while another CPU allocates and frees.
 */
static void test_render_concurrent(void **state)
{
	static const char *const files[] = {
		"buddyinfo", "pagetypeinfo", "vmstat", "meminfo", "zoneinfo",
		"trace",
	};
	struct foliage_machine *m = test_machine(1, 64);
	struct churn c = { .m = m, .rounds = 300 };
	pthread_t t;
	int i;

	(void)state;
	assert_int_equal(foliage_set(m, "tracing.on", "1"), 0);
	assert_int_equal(pthread_create(&t, NULL, churn_thread, &c), 0);
	for (i = 0; i < 60; i++) {
		char *out = render(m, files[i % ARRAY_SIZE(files)],
				   i & 1 ? FOLIAGE_RENDER_JSON : 0);

		assert_true(strlen(out) > 0);
		free(out);
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(c.failures, 0);
	test_machine_done(m);
}

/* ---- errors ------------------------------------------------------------------ */

static void test_render_errors(void **state)
{
	struct foliage_machine *m = test_machine(1, 16);
	char *out = NULL;

	(void)state;
	assert_int_equal(foliage_render(m, "no_such_file", 0, &out), -ENOENT);
	assert_int_equal(foliage_render(m, "vmstat", 0x80, &out), -EINVAL);
	assert_int_equal(foliage_render(m, NULL, 0, &out), -EINVAL);
	assert_int_equal(foliage_render(m, "vmstat", 0, NULL), -EINVAL);
	assert_null(out);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buddyinfo_golden),
		cmocka_unit_test(test_buddyinfo_split),
		cmocka_unit_test(test_buddyinfo_zones),
		cmocka_unit_test(test_pagetypeinfo_golden),
		cmocka_unit_test(test_pagetypeinfo_cap),
		cmocka_unit_test(test_pagetypeinfo_claim),
		cmocka_unit_test(test_pagetypeinfo_nodes),
		cmocka_unit_test(test_vmstat_golden),
		cmocka_unit_test(test_vmstat_machine),
		cmocka_unit_test(test_meminfo_golden),
		cmocka_unit_test(test_meminfo_wide),
		cmocka_unit_test(test_mem_available_golden),
		cmocka_unit_test(test_meminfo_machine),
		cmocka_unit_test(test_meminfo_direct_map),
		cmocka_unit_test(test_zoneinfo_golden),
		cmocka_unit_test(test_zoneinfo_machine),
		cmocka_unit_test(test_trace_golden),
		cmocka_unit_test(test_trace_print_fmt),
		cmocka_unit_test(test_trace_hash_ptr),
		cmocka_unit_test(test_trace_machine),
		cmocka_unit_test(test_render_concurrent),
		cmocka_unit_test(test_render_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
