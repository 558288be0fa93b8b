/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the PTE batching and contiguous-PTE tests (test_pte_batch.c,
 * test_contpte.c): a machine of either arch with 64K mTHP always on, and
 * the PTE slot of an address.
 */
#ifndef _FOLIAGE_TESTS_BATCH_HELPERS_H
#define _FOLIAGE_TESTS_BATCH_HELPERS_H

#include "pt_helpers.h"

/* A 128 MiB machine of @arch whose anonymous faults take 64K folios. */
static inline struct foliage_machine *batch_machine(unsigned int arch)
{
	struct foliage_machine *m;
	struct foliage_config cfg;

	foliage_config_init(&cfg);
	cfg.nr_nodes = 1;
	cfg.bytes_per_node = 128UL << 20;
	cfg.arch = arch;
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

#endif /* _FOLIAGE_TESTS_BATCH_HELPERS_H */
