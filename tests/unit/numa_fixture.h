/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture the NUMA policy tests share: rmap_fixture.h's, but two
 * nodes of 64 MiB with THP off (the task runs on node 0's CPU), node
 * masks N0 and N1, and where a page or the VMAs are.
 */
#ifndef _FOLIAGE_TESTS_NUMA_FIXTURE_H
#define _FOLIAGE_TESTS_NUMA_FIXTURE_H

#include "rmap_fixture.h"

#define N0	(1UL << 0)
#define N1	(1UL << 1)

static int __attribute__((unused)) setup2(void **state)
{
	m = pt_machine(2, 64);
	assert_int_equal(foliage_set(m, "transparent_hugepage.enabled",
				     "never"), 0);
	return 0;
}

/* The node of the page mapped at @addr. */
static int __attribute__((unused)) nid_at(struct foliage_task *t,
					  unsigned long addr)
{
	return pfn_to_nid(pfn_at(t, addr));
}

/* How many VMAs @t has (at most 16). */
static int __attribute__((unused)) nr_vmas(struct foliage_task *t)
{
	struct smaps_vma v[16];

	return task_smaps(t, v, 16);
}

#endif /* _FOLIAGE_TESTS_NUMA_FIXTURE_H */
