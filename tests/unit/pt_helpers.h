/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Machines for the page-table, fault and COW tests: booted with the
 * address-space layer's page side (zero page, LRU lists, THP defaults)
 * and its object caches, even where the machine's boot does not set them
 * up itself.
 */
#ifndef _FOLIAGE_TESTS_PT_HELPERS_H
#define _FOLIAGE_TESTS_PT_HELPERS_H

#include "task_helpers.h"
#include "internal.h"
#include <linux/slab.h>
#include "task.h"

/* pt_machine() with the anon rmap scheme @anon_vma (FOLIAGE_ANON_VMA_*). */
static inline struct foliage_machine *
pt_machine_scheme(unsigned int nr_nodes, unsigned int mib,
		  unsigned int anon_vma)
{
	struct foliage_config cfg;
	struct foliage_machine *m;

	foliage_config_init(&cfg);
	cfg.nr_nodes = nr_nodes;
	cfg.bytes_per_node = (uint64_t)mib << 20;
	cfg.anon_vma = anon_vma;
	m = test_machine_cfg(&cfg);
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(kmem_caches_init(m), 0);
	if (!m->zero_page)
		assert_int_equal(zero_page_init(), 0);
	return m;
}

static inline struct foliage_machine *pt_machine(unsigned int nr_nodes,
						 unsigned int mib)
{
	struct foliage_machine *m = test_machine(nr_nodes, mib);

	assert_int_equal(machine_enter(m), 0);
	/* Both idempotent, in case the machine's boot did them already. */
	assert_int_equal(kmem_caches_init(m), 0);
	if (!m->zero_page)
		assert_int_equal(zero_page_init(), 0);
	return m;
}

static inline void pt_machine_done(struct foliage_machine *m)
{
	assert_int_equal(foliage_validate(m), 0);
	if (foliage_bugs(m))
		fail_msg("bug: %s", foliage_first_bug(m));
	/* Idempotent: the machine's own teardown may do it again. */
	assert_int_equal(machine_enter(m), 0);
	zero_page_exit();
	kmem_caches_exit(m);
	foliage_machine_destroy(m);
}

/* A machine and one task, for cmocka setup/teardown. */
struct task_fixture {
	struct foliage_machine *m;	/* the machine */
	struct foliage_task *task;	/* the first task */
	struct folio *thp;		/* a test's THP, if it has one */
};

static inline int task_fixture_setup(void **state)
{
	struct task_fixture *f = calloc(1, sizeof(*f));

	f->m = pt_machine(1, 256);
	f->task = new_task(f->m, "task");
	*state = f;
	return 0;
}

static inline int task_fixture_teardown(void **state)
{
	struct task_fixture *f = *state;

	assert_int_equal(foliage_exit(f->task), 0);
	pt_machine_done(f->m);
	free(f);
	return 0;
}

#define TASK_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, task_fixture_setup, \
					task_fixture_teardown)

/*
 * Make the next @times allocations of order >= @min_order fail, whatever
 * their gfp (fail_page_alloc ignores sleeping and highmem ones by default).
 */
static inline void fail_allocs(struct foliage_machine *m,
			       const char *min_order, const char *times)
{
	assert_int_equal(foliage_set(m, "fail_page_alloc.ignore-gfp-wait", "0"),
			 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.ignore-gfp-highmem",
				     "0"), 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.min-order", min_order),
			 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.times", times), 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.probability", "100"),
			 0);
}

static inline void fail_allocs_off(struct foliage_machine *m)
{
	assert_int_equal(foliage_set(m, "fail_page_alloc.probability", "0"), 0);
}

#endif /* _FOLIAGE_TESTS_PT_HELPERS_H */
