// SPDX-License-Identifier: GPL-2.0
/*
 * Boot, allocate every order, free everything: the machine ends as it
 * started, with every invariant intact.
 */
#include "helpers.h"

static void test_boot_and_return(void **state)
{
	struct foliage_machine *m = test_machine(2, 64);
	unsigned long free0 = vmstat(m, "nr_free_pages"), pfn[FOLIAGE_MAX_ORDER + 1];
	unsigned int order;

	(void)state;
	assert_int_equal(free0, 2 * 64 * 256);
	for (order = 0; order <= FOLIAGE_MAX_ORDER; order++)
		assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_KERNEL,
						     order, -1, &pfn[order]), 0);
	for (order = 0; order <= FOLIAGE_MAX_ORDER; order++)
		assert_int_equal(foliage_free_pages(m, pfn[order], order, 0), 0);
	assert_int_equal(foliage_drain_pages(m), 0);
	assert_int_equal(vmstat(m, "nr_free_pages"), free0);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_and_return),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
