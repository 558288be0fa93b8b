// SPDX-License-Identifier: GPL-2.0
/*
 * The public page API takes any value: every entry point that takes a pfn
 * or a node answers -EINVAL (NULL) for one that is not guest RAM or not a
 * node, and never reads outside its tables.  Each call is tried with the
 * edges of every range a pfn is split by (node index, node span, holes,
 * the kernel image page past node 0) and with all-ones values.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "helpers.h"
#include "internal.h"

#define MiB	(1ULL << 20)

/* Frames that are not guest RAM on a 2-node machine of 16 MiB each. */
static void bad_pfns(struct foliage_machine *m, unsigned long *pfns,
		     unsigned int *nr)
{
	unsigned long node_pages = (16 * MiB) >> 12;
	unsigned long shift = m->node_shift;
	unsigned int n = 0;

	pfns[n++] = ~0UL;			/* nid -1 if computed as int */
	pfns[n++] = ~0UL >> 1;
	pfns[n++] = 1UL << 63;
	pfns[n++] = (1UL << 31) << shift;	/* nid INT_MIN if truncated */
	pfns[n++] = (1UL << 32) << shift;	/* nid 0 if truncated */
	pfns[n++] = ((1UL << 32) << shift) + 5;
	pfns[n++] = 2UL << shift;		/* the first pfn past node 1 */
	pfns[n++] = 8UL << shift;		/* past MAX_NUMNODES */
	pfns[n++] = node_pages;			/* the kernel image page */
	pfns[n++] = node_pages + 1;		/* the hole after node 0 */
	pfns[n++] = (1UL << shift) - 1;		/* the last pfn of the hole */
	pfns[n++] = (1UL << shift) + node_pages; /* the hole after node 1 */
	pfns[n++] = m->max_pfn;
	pfns[n++] = ULONG_MAX - (1UL << shift) + 1;
	*nr = n;
}

static void test_any_pfn_is_safe(void **state)
{
	struct foliage_machine *m = test_machine(2, 16);
	struct foliage_page_info info;
	unsigned long pfns[32];
	unsigned int i, nr, order, flags;

	(void)state;
	bad_pfns(m, pfns, &nr);
	for (i = 0; i < nr; i++) {
		assert_null(foliage_pfn_to_virt(m, pfns[i]));
		assert_int_equal(foliage_page_info(m, pfns[i], &info),
				 -EINVAL);
		for (order = 0; order <= FOLIAGE_MAX_ORDER; order++)
			for (flags = 0; flags <= FOLIAGE_FREE_ZEROED; flags++)
				assert_int_equal(foliage_free_pages(m, pfns[i],
						order, flags), -EINVAL);
	}
	/* The edges that are RAM still answer. */
	assert_non_null(foliage_pfn_to_virt(m, 0));
	assert_non_null(foliage_pfn_to_virt(m, ((16 * MiB) >> 12) - 1));
	assert_non_null(foliage_pfn_to_virt(m, 1UL << m->node_shift));
	assert_int_equal(foliage_page_info(m, 1UL << m->node_shift, &info), 0);
	assert_int_equal(info.nid, 1);
	assert_int_equal(foliage_page_info(m, 0, NULL), -EINVAL);
	test_machine_done(m);
}

/* Freeing a free page, a tail or with the wrong order is refused too. */
static void test_free_wrong_page(void **state)
{
	struct foliage_machine *m = test_machine(1, 16);
	unsigned long pfn;

	(void)state;
	assert_int_equal(foliage_free_pages(m, 0, 0, 0), -EINVAL); /* free */
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_KERNEL |
					     FOLIAGE_GFP_COMP, 2, -1, &pfn), 0);
	assert_int_equal(foliage_free_pages(m, pfn + 1, 2, 0), -EINVAL);
	assert_int_equal(foliage_free_pages(m, pfn, 1, 0), -EINVAL);
	assert_int_equal(foliage_free_pages(m, pfn, 11, 0), -EINVAL);
	assert_int_equal(foliage_free_pages(m, pfn, 2, 0x2), -EINVAL);
	assert_int_equal(foliage_free_pages(m, pfn, 2, 0), 0);
	assert_int_equal(foliage_free_pages(m, pfn, 2, 0), -EINVAL);
	test_machine_done(m);
}

/* Only -1 means "this CPU's node"; other values must be a node. */
static void test_alloc_nid(void **state)
{
	static const int bad[] = { -2, -3, INT_MIN, 2, 8, 9, INT_MAX };
	struct foliage_machine *m = test_machine(2, 16);
	unsigned long pfn = 12345;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_KERNEL, 0,
						     bad[i], &pfn), -EINVAL);
		assert_int_equal(pfn, 12345);
	}
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_KERNEL, 0, 0,
					     NULL), -EINVAL);
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_KERNEL, 11, 0,
					     &pfn), -EINVAL);
	assert_int_equal(foliage_alloc_pages(m, ~0U, 0, 0, &pfn), -EINVAL);
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_KERNEL, 0, 1,
					     &pfn), 0);
	assert_int_equal(pfn >> m->node_shift, 1);
	assert_int_equal(foliage_free_pages(m, pfn, 0, 0), 0);
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_KERNEL, 0, -1,
					     &pfn), 0);
	assert_int_equal(foliage_free_pages(m, pfn, 0, 0), 0);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_any_pfn_is_safe),
		cmocka_unit_test(test_free_wrong_page),
		cmocka_unit_test(test_alloc_nid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
