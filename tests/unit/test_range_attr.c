// SPDX-License-Identifier: GPL-2.0
/*
 * lib/range_attr.c: runs of equal value over [0, size), split and merged
 * by range_attr_set(), checked against a plain array after every change.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include <linux/range_attr.h>

/*
 *   0123456789
 *   AAAAAAAAAA		one run
 *   AAABBAAAAA		set [3, 5) to B: three runs
 *   AAABBBBBAA		set [5, 8) to B: B's runs merge
 *   AAAAAAAAAA		set [3, 8) to A: one run again
 */
static void test_split_merge(void **state)
{
	struct range_attr_map map;

	(void)state;
	assert_int_equal(range_attr_init(&map, 10, 'A'), 0);
	assert_int_equal(map.nr, 1);
	assert_int_equal(range_attr_prealloc(&map), 0);
	range_attr_set(&map, 3, 5, 'B');
	assert_int_equal(map.nr, 3);
	assert_int_equal(range_attr_get(&map, 2), 'A');
	assert_int_equal(range_attr_get(&map, 3), 'B');
	assert_int_equal(range_attr_get(&map, 5), 'A');
	assert_int_equal(range_attr_prealloc(&map), 0);
	range_attr_set(&map, 5, 8, 'B');
	assert_int_equal(map.nr, 3);
	assert_int_equal(map.r[1].start, 3);
	assert_int_equal(map.r[1].end, 8);
	assert_true(range_attr_all(&map, 3, 8, 'B'));
	assert_false(range_attr_all(&map, 2, 8, 'B'));
	assert_int_equal(range_attr_prealloc(&map), 0);
	range_attr_set(&map, 3, 8, 'A');
	assert_int_equal(map.nr, 1);
	assert_int_equal(range_attr_validate(&map), 0);
	/* Setting what is there changes nothing. */
	range_attr_set(&map, 0, 10, 'A');
	assert_int_equal(map.nr, 1);
	/* The ends. */
	range_attr_set(&map, 0, 1, 'C');
	range_attr_set(&map, 9, 10, 'C');
	assert_int_equal(map.nr, 3);
	assert_int_equal(range_attr_validate(&map), 0);
	range_attr_destroy(&map);
	assert_int_equal(range_attr_init(&map, 0, 'A'), -EINVAL);
}

/* Random changes against an array: same values, invariants hold. */
static void test_random(void **state)
{
	enum { SIZE = 300, OPS = 3000 };
	unsigned long oracle[SIZE], i;
	struct range_attr_map map;
	unsigned int seed = 14, op;

	(void)state;
	assert_int_equal(range_attr_init(&map, SIZE, 0), 0);
	for (i = 0; i < SIZE; i++)
		oracle[i] = 0;
	for (op = 0; op < OPS; op++) {
		unsigned long s = rand_r(&seed) % SIZE;
		unsigned long e = s + 1 + rand_r(&seed) % (SIZE - s);
		unsigned long v = rand_r(&seed) % 3, runs = 1;

		assert_int_equal(range_attr_prealloc(&map), 0);
		range_attr_set(&map, s, e, v);
		for (i = s; i < e; i++)
			oracle[i] = v;
		assert_int_equal(range_attr_validate(&map), 0);
		for (i = 0; i < SIZE; i++) {
			assert_int_equal(range_attr_get(&map, i), oracle[i]);
			runs += i && oracle[i] != oracle[i - 1];
		}
		assert_int_equal(map.nr, runs);
	}
	range_attr_destroy(&map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_merge),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
