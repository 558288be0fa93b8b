/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the PTE batching and contiguous-PTE tests (test_pte_batch.c,
 * test_contpte.c): a machine of either arch with 64K mTHP always on, and
 * the PTE slot of an address.
 */
#ifndef _FOLIAGE_TESTS_BATCH_HELPERS_H
#define _FOLIAGE_TESTS_BATCH_HELPERS_H

#include "pt_helpers.h"

/*
 * A machine of @arch with @nodes nodes of 128 MiB whose anonymous faults
 * take 64K folios, with CONFIG_NO_PAGE_MAPCOUNT if @no_page_mapcount.
 */
static inline struct foliage_machine *batch_machine_nodes(unsigned int arch,
							   unsigned int nodes,
							   bool no_page_mapcount)
{
	struct foliage_machine *m;
	struct foliage_config cfg;

	foliage_config_init(&cfg);
	cfg.nr_nodes = nodes;
	cfg.bytes_per_node = 128UL << 20;
	cfg.arch = arch;
	cfg.no_page_mapcount = no_page_mapcount;
	m = test_machine_cfg(&cfg);
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(kmem_caches_init(m), 0);
	if (!m->zero_page)
		assert_int_equal(zero_page_init(), 0);
	assert_int_equal(foliage_set(m,
			 "transparent_hugepage.hugepages-64kB/enabled",
			 "always"), 0);
	return m;
}

static inline struct foliage_machine *batch_machine_cfg(unsigned int arch,
							 bool no_page_mapcount)
{
	return batch_machine_nodes(arch, 1, no_page_mapcount);
}

static inline struct foliage_machine *batch_machine(unsigned int arch)
{
	return batch_machine_cfg(arch, false);
}

/* The PTE slot mapping @addr (the test is the only thread). */
static inline pte_t *pte_slot(struct foliage_task *t, unsigned long addr)
{
	pmd_t *pmd;

	assert_int_equal(machine_enter(t->machine), 0);
	pmd = pmd_lookup(t->task.mm, addr);
	assert_non_null(pmd);
	assert_true(pmd_is_table(pmdp_get(pmd)));
	return (pte_t *)table_address(pmd_val(pmdp_get(pmd))) +
	       pte_index(addr);
}

/* The page mapped by a PTE at @addr, on either arch. */
static inline struct page *batch_page(struct foliage_task *t,
				      unsigned long addr)
{
	return pte_page(ptep_get(pte_slot(t, addr)));
}

/* Map 64K at @base (fixed, anonymous, read-write), write it: its folio. */
static inline struct folio *batch_folio_64k(struct foliage_task *t,
					    unsigned long base)
{
	struct folio *folio;
	unsigned long a;

	map(t, base, 16 * PAGE_SIZE, FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
	    FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | FOLIAGE_MAP_FIXED,
	    NULL, 0);
	for (a = base; a < base + 16 * PAGE_SIZE; a += PAGE_SIZE)
		fill(t, a, 'a', PAGE_SIZE);
	folio = page_folio(batch_page(t, base));
	assert_int_equal(folio_order(folio), 4);
	return folio;
}

/*
 * The tests' fixtures begin with these two members (checked by
 * BATCH_FIXTURE()), so one teardown ends them all: the task exits, the
 * machine goes, the fixture is freed.
 */
struct batch_fixture {
	struct foliage_machine *m;	/* the machine */
	struct foliage_task *task;	/* its (first) task */
};

#define BATCH_FIXTURE(type)						\
	BUILD_BUG_ON(offsetof(type, m) != offsetof(struct batch_fixture, m) || \
		     offsetof(type, task) !=				\
		     offsetof(struct batch_fixture, task))

static inline int batch_teardown(void **state)
{
	struct batch_fixture *f = *state;

	assert_int_equal(foliage_exit(f->task), 0);
	pt_machine_done(f->m);
	free(f);
	return 0;
}

#endif /* _FOLIAGE_TESTS_BATCH_HELPERS_H */
