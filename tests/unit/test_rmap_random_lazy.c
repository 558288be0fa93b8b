// SPDX-License-Identifier: GPL-2.0
/*
 * test_rmap_random.c's sequences on ANON_VMA_LAZY machines: the anon_vma
 * and lazy-root validators every step, the reverse-map checker every 25
 * (and after every operation in a debug build), and every object freed
 * at the end -- detached root VMAs too (issue 13 §3).
 */
#define TEST_RMAP_RANDOM_NO_MAIN
#include "test_rmap_random.c"

static void test_lazy_seed_1(void **state)
{
	run_scheme(1, 120, FOLIAGE_ARCH_X86_64, FOLIAGE_ANON_VMA_LAZY);
}

static void test_lazy_seed_4(void **state)
{
	run_scheme(4, 160, FOLIAGE_ARCH_X86_64, FOLIAGE_ANON_VMA_LAZY);
}

static void test_lazy_seed_7_arm64(void **state)
{
	run_scheme(7, 100, FOLIAGE_ARCH_ARM64, FOLIAGE_ANON_VMA_LAZY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lazy_seed_1),
		cmocka_unit_test(test_lazy_seed_4),
		cmocka_unit_test(test_lazy_seed_7_arm64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
