// SPDX-License-Identifier: GPL-2.0
/*
 * mm/slab.c: SLUB's slab geometry for Linux's object sizes, per-cache
 * object accounting, failslab, and /proc/slabinfo byte for byte.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "helpers.h"
#include "render.h"
#include <linux/mm.h>
#include <linux/rmap.h>
#include <linux/slab.h>

static struct foliage_machine *slab_machine(unsigned int nr_cpus)
{
	struct foliage_config cfg;
	struct foliage_machine *m;

	foliage_config_init(&cfg);
	cfg.nr_cpus = nr_cpus;
	m = test_machine_cfg(&cfg);
	/* Idempotent: boot may already have done it. */
	assert_int_equal(kmem_caches_init(m), 0);
	assert_int_equal(kmem_caches_init(m), 0);
	return m;
}

static void slab_machine_done(struct foliage_machine *m)
{
	kmem_caches_exit(m);
	kmem_caches_exit(m);
	test_machine_done(m);
}

static void assert_geometry(unsigned int size, unsigned int nr_cpus,
			    unsigned int objperslab, unsigned int pagesperslab)
{
	unsigned int order = slab_calculate_order(size, nr_cpus);

	assert_int_equal(1U << order, pagesperslab);
	assert_int_equal((4096U << order) / size, objperslab);
}

/*
 * The slab geometry SLUB picks: the captured kernel's three caches (a
 * machine with at most 15 CPUs: slub_min_objects = 4 * (fls(cpus) + 1)
 * objects fit in one page), and what more CPUs make of them.
 */
static void test_slub_geometry(void **state)
{
	(void)state;
	/* golden slabinfo.head: 192 21 1, 64 64 1, 104 39 1 */
	assert_geometry(192, 2, 21, 1);
	assert_geometry(64, 2, 64, 1);
	assert_geometry(104, 2, 39, 1);
	assert_geometry(192, 15, 21, 1);
	/* 16 CPUs: 24 objects of 192 bytes need two pages; 8K % 192 = 128 */
	assert_geometry(192, 16, 42, 2);
	assert_geometry(104, 64, 39, 1);	/* 32 * 104 fits in a page */
	/* 1200-byte objects, 8 CPUs: 16 * 1200 -> order 3, 27 a slab */
	assert_geometry(1200, 8, 27, 8);
	/* huge objects: one per slab of the object's own order */
	assert_geometry(40000, 2, 1, 16);
	/* tiny objects: a page holds plenty */
	assert_geometry(8, 2, 512, 1);
}

/*
 * The machine's caches: created at boot, accounted as Linux's sizes,
 * slabs = ceil(active / objperslab), num_objs = slabs * objperslab.
 */
static void test_cache_accounting(void **state)
{
	struct foliage_machine *m = slab_machine(2);
	struct slabinfo si;
	void *obj[43];
	int i;

	(void)state;
	assert_non_null(m->slab->cache_vm_area_struct);
	kmem_cache_get_info(m->slab->cache_vm_area_struct, &si);
	assert_string_equal(si.name, "vm_area_struct");
	assert_int_equal(si.objsize, 192);
	assert_int_equal(si.active_objs, 0);
	assert_int_equal(si.num_objs, 0);
	assert_int_equal(si.num_slabs, 0);

	for (i = 0; i < 43; i++) {
		obj[i] = kmem_cache_zalloc(m->slab->cache_vm_area_struct);
		assert_non_null(obj[i]);
		/* zeroed, and as large as the host struct */
		assert_true(mem_is(obj[i], 0, sizeof(struct vm_area_struct)));
		memset(obj[i], 0xa5, sizeof(struct vm_area_struct));
	}
	kmem_cache_get_info(m->slab->cache_vm_area_struct, &si);
	assert_int_equal(si.active_objs, 43);
	assert_int_equal(si.num_slabs, 3);	/* 21 + 21 + 1 */
	assert_int_equal(si.active_slabs, 3);
	assert_int_equal(si.num_objs, 63);
	assert_int_equal(si.total_allocs, 43);

	for (i = 0; i < 22; i++)
		kmem_cache_free(m->slab->cache_vm_area_struct, obj[i]);
	kmem_cache_get_info(m->slab->cache_vm_area_struct, &si);
	assert_int_equal(si.active_objs, 21);
	assert_int_equal(si.num_slabs, 1);
	assert_int_equal(si.num_objs, 21);
	for (; i < 43; i++)
		kmem_cache_free(m->slab->cache_vm_area_struct, obj[i]);
	kmem_cache_get_info(m->slab->cache_vm_area_struct, &si);
	assert_int_equal(si.active_objs, 0);
	assert_int_equal(si.num_objs, 0);
	slab_machine_done(m);
}

/*
 * Linux's /proc/slabinfo format, byte for byte: the captured rows fed
 * through the formatter give the captured file.
 */
static void test_slabinfo_format_golden(void **state)
{
	static const struct slabinfo rows[] = {
		{ "vm_area_struct", 722, 1785, 192, 21, 1, 85, 85 },
		{ "anon_vma_chain", 418, 640, 64, 64, 1, 10, 10 },
		{ "anon_vma", 357, 390, 104, 39, 1, 10, 10 },
	};
	char *golden = read_golden("slabinfo.head"), *text = NULL;
	struct seq_buf s;

	(void)state;
	seq_buf_init(&s);
	slabinfo_show(&s, rows, 3);
	assert_int_equal(seq_buf_finish(&s, &text), 0);
	assert_string_equal(text, golden);
	free(text);
	free(golden);
}

/*
 * A machine's own slabinfo: Linux's header, then its caches newest first
 * (vm_area_struct, anon_vma_chain, anon_vma, as a booted kernel lists
 * them), with foliage's packed-slab numbers.
 */
static void test_render_slabinfo(void **state)
{
	struct foliage_machine *m = slab_machine(2);
	void *vma[22], *avc[65], *av[1];
	char *text = NULL;
	int i;

	(void)state;
	for (i = 0; i < 22; i++)
		vma[i] = kmem_cache_zalloc(m->slab->cache_vm_area_struct);
	for (i = 0; i < 65; i++)
		avc[i] = kmem_cache_zalloc(m->slab->cache_anon_vma_chain);
	av[0] = kmem_cache_zalloc(m->slab->cache_anon_vma);
	assert_int_equal(render_slabinfo(m, &text), 0);
	assert_string_equal(text,
		"slabinfo - version: 2.1\n"
		"# name            <active_objs> <num_objs> <objsize> "
		"<objperslab> <pagesperslab> : tunables <limit> <batchcount> "
		"<sharedfactor> : slabdata <active_slabs> <num_slabs> "
		"<sharedavail>\n"
		"vm_area_struct        22     42    192   21    1 : tunables "
		"   0    0    0 : slabdata      2      2      0\n"
		"anon_vma_chain        65    128     64   64    1 : tunables "
		"   0    0    0 : slabdata      2      2      0\n"
		"anon_vma               1     39    104   39    1 : tunables "
		"   0    0    0 : slabdata      1      1      0\n");
	free(text);
	for (i = 0; i < 22; i++)
		kmem_cache_free(m->slab->cache_vm_area_struct, vma[i]);
	for (i = 0; i < 65; i++)
		kmem_cache_free(m->slab->cache_anon_vma_chain, avc[i]);
	kmem_cache_free(m->slab->cache_anon_vma, av[0]);
	slab_machine_done(m);
}

/* The same rows as JSON, through the renderer foliage_render uses. */
static void test_slabinfo_json(void **state)
{
	struct foliage_machine *m = slab_machine(2);
	struct json_object *obj, *caches, *c, *v;
	void *p = kmem_cache_zalloc(m->slab->cache_anon_vma);
	char *text = NULL;
	struct seq_buf s;

	(void)state;
	seq_buf_init(&s);
	assert_int_equal(slabinfo_render_seq(&s, true), 0);
	assert_int_equal(seq_buf_finish(&s, &text), 0);
	obj = json_tokener_parse(text);
	assert_non_null(obj);
	assert_true(json_object_object_get_ex(obj, "caches", &caches));
	assert_int_equal(json_object_array_length(caches), 3);
	c = json_object_array_get_idx(caches, 2);
	assert_true(json_object_object_get_ex(c, "name", &v));
	assert_string_equal(json_object_get_string(v), "anon_vma");
	assert_true(json_object_object_get_ex(c, "active_objs", &v));
	assert_int_equal(json_object_get_int64(v), 1);
	assert_true(json_object_object_get_ex(c, "num_objs", &v));
	assert_int_equal(json_object_get_int64(v), 39);
	json_object_put(obj);
	free(text);
	kmem_cache_free(m->slab->cache_anon_vma, p);
	slab_machine_done(m);
}

/* A cache created later is listed first, at its 8-aligned size. */
static void test_kmem_cache_create(void **state)
{
	struct foliage_machine *m = slab_machine(2);
	struct kmem_cache *s = kmem_cache_create("foliage_test", 100);
	struct slabinfo *rows;
	unsigned int nr;
	void *p;

	(void)state;
	assert_non_null(s);
	p = kmem_cache_zalloc(s);
	assert_non_null(p);
	assert_int_equal(slabinfo_snapshot(m, &rows, &nr), 0);
	assert_int_equal(nr, 4);
	assert_string_equal(rows[0].name, "foliage_test");
	assert_int_equal(rows[0].objsize, 104);
	assert_int_equal(rows[0].active_objs, 1);
	assert_string_equal(rows[3].name, "anon_vma");
	free(rows);
	kmem_cache_free(s, p);
	kmem_cache_destroy(s);
	assert_int_equal(slabinfo_snapshot(m, &rows, &nr), 0);
	assert_int_equal(nr, 3);
	free(rows);
	slab_machine_done(m);
}

/* Destroying a cache that still has objects is a bug, as in Linux. */
static void test_destroy_with_objects_is_a_bug(void **state)
{
	struct foliage_machine *m = slab_machine(2);
	struct kmem_cache *s = kmem_cache_create("leaky", 24);
	void *p = kmem_cache_zalloc(s);

	(void)state;
	assert_int_equal(foliage_bugs(m), 0);
	kmem_cache_destroy(s);
	assert_int_equal(foliage_bugs(m), 1);
	assert_non_null(strstr(foliage_first_bug(m), "leaky"));
	free(p);
	kmem_caches_exit(m);
	foliage_machine_destroy(m);
}

/*
 * failslab: probability 100, interval 3, times 2 fails the 3rd and the
 * 6th allocation and no other; the knobs read back.
 */
static void test_failslab(void **state)
{
	struct foliage_machine *m = slab_machine(2);
	struct slabinfo si;
	void *p[9];
	long v;
	int i;

	(void)state;
	assert_int_equal(foliage_set(m, "failslab.interval", "3"), 0);
	assert_int_equal(foliage_set(m, "failslab.times", "2"), 0);
	assert_int_equal(foliage_set(m, "failslab.seed", "7"), 0);
	assert_int_equal(foliage_set(m, "failslab.probability", "100"), 0);
	assert_int_equal(foliage_set(m, "failslab.probability", "101"),
			 -ERANGE);
	assert_int_equal(foliage_get(m, "failslab.interval", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(foliage_get(m, "failslab.seed", &v), 0);
	assert_int_equal(v, 7);
	for (i = 0; i < 9; i++) {
		p[i] = kmem_cache_zalloc(m->slab->cache_anon_vma);
		if (i == 2 || i == 5)
			assert_null(p[i]);
		else
			assert_non_null(p[i]);
	}
	assert_int_equal(foliage_get(m, "failslab.times", &v), 0);
	assert_int_equal(v, 0);
	kmem_cache_get_info(m->slab->cache_anon_vma, &si);
	assert_int_equal(si.active_objs, 7);
	assert_int_equal(si.failed, 2);
	for (i = 0; i < 9; i++)
		kmem_cache_free(m->slab->cache_anon_vma, p[i]);
	slab_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slub_geometry),
		cmocka_unit_test(test_cache_accounting),
		cmocka_unit_test(test_slabinfo_format_golden),
		cmocka_unit_test(test_render_slabinfo),
		cmocka_unit_test(test_slabinfo_json),
		cmocka_unit_test(test_kmem_cache_create),
		cmocka_unit_test(test_destroy_with_objects_is_a_bug),
		cmocka_unit_test(test_failslab),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
