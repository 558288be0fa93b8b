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

/*
 * A one-CPU machine runs without lock prefixes (include/linux/atomic.h):
 * the allocator must behave exactly as on an SMP machine.  Mixed orders,
 * zeroed frees and per-CPU drains, validated throughout.
 */
static void test_up_machine(void **state)
{
	struct foliage_config cfg;
	struct foliage_machine *m;
	unsigned long pfn[64], free0, seed = 12345;
	unsigned int order[64];
	int i, round;

	(void)state;
	foliage_config_init(&cfg);
	cfg.nr_cpus = 1;
	cfg.bytes_per_node = 32ULL << 20;
	assert_int_equal(foliage_machine_create(&cfg, &m), 0);
	free0 = vmstat(m, "nr_free_pages");
	for (round = 0; round < 20; round++) {
		for (i = 0; i < 64; i++) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			order[i] = (seed >> 33) % 5;
			assert_int_equal(foliage_alloc_pages(m,
					 FOLIAGE_GFP_KERNEL | FOLIAGE_GFP_ZERO,
					 order[i], -1, &pfn[i]), 0);
		}
		for (i = 0; i < 64; i++)
			assert_int_equal(foliage_free_pages(m, pfn[i], order[i],
					 i % 3 ? 0 : FOLIAGE_FREE_ZEROED), 0);
		assert_int_equal(foliage_validate(m), 0);
	}
	assert_int_equal(foliage_drain_pages(m), 0);
	assert_int_equal(vmstat(m, "nr_free_pages"), free0);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_and_return),
		cmocka_unit_test(test_up_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
