// SPDX-License-Identifier: GPL-2.0
/*
 * lib/interval_tree.c: the augmented interval tree under the reverse map.
 * Each test drives the tree and a plain array side by side and asserts
 * that every overlap query returns exactly the array's answer, in
 * (start, insertion) order, with the tree's invariants intact after every
 * change.
 */
#include <stdlib.h>

#include "helpers.h"
#include <linux/interval_tree.h>

struct item {
	struct interval_tree_node it;	/* in the tree */
	bool linked;			/* in the tree now */
	unsigned long seq;		/* insertion sequence number */
};

static unsigned long long rng_state;

static unsigned long rnd(unsigned long n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (rng_state >> 33) % n;
}

/* The overlapping items, in tree order, by brute force. */
static int model_query(struct item *items, int nr, unsigned long start,
		       unsigned long last, struct item **out)
{
	int i, j, n = 0;

	for (i = 0; i < nr; i++)
		if (items[i].linked && items[i].it.start <= last &&
		    start <= items[i].it.last)
			out[n++] = &items[i];
	/* insertion sort by (start, seq): the tree's in-order sequence */
	for (i = 1; i < n; i++) {
		struct item *x = out[i];

		for (j = i; j > 0 && (out[j - 1]->it.start > x->it.start ||
				      (out[j - 1]->it.start == x->it.start &&
				       out[j - 1]->seq > x->seq)); j--)
			out[j] = out[j - 1];
		out[j] = x;
	}
	return n;
}

static void check_query(struct interval_tree_root *root, struct item *items,
			int nr, unsigned long start, unsigned long last)
{
	struct item **want = calloc(nr + 1, sizeof(*want));
	struct item *pos;
	int n, i = 0;

	assert_non_null(want);
	n = model_query(items, nr, start, last, want);
	interval_tree_for_each_entry(pos, root, it, start, last) {
		assert_true(i < n);
		assert_ptr_equal(pos, want[i]);
		i++;
	}
	assert_int_equal(i, n);
	free(want);
}

/*
 * Empty tree, one interval, touching and disjoint queries:
 *
 *   keys  0123456789
 *   A        [---]      [3, 7]
 */
static void test_single_interval(void **state)
{
	struct interval_tree_root root = { 0 };
	struct item a = { .it = { .start = 3, .last = 7 } };

	(void)state;
	assert_true(interval_tree_empty(&root));
	assert_null(interval_tree_iter_first(&root, 0, ~0UL));
	interval_tree_insert(&a.it, &root);
	assert_int_equal(interval_tree_validate(&root), 0);
	assert_int_equal(root.nr_nodes, 1);
	assert_ptr_equal(interval_tree_iter_first(&root, 7, 9), &a.it);
	assert_ptr_equal(interval_tree_iter_first(&root, 0, 3), &a.it);
	assert_ptr_equal(interval_tree_iter_first(&root, 5, 5), &a.it);
	assert_null(interval_tree_iter_first(&root, 0, 2));
	assert_null(interval_tree_iter_first(&root, 8, 100));
	assert_null(interval_tree_iter_next(&a.it, 0, 100));
	interval_tree_remove(&a.it, &root);
	assert_true(interval_tree_empty(&root));
	assert_int_equal(root.nr_nodes, 0);
	assert_int_equal(interval_tree_validate(&root), 0);
}

/*
 * Equal starts keep insertion order, as an anon_vma's chains do when a
 * fork clones the same VMA range several times:
 *
 *   A [0, 9]  B [0, 9]  C [0, 4]  inserted A, B, C  ->  walk A, B, C
 */
static void test_equal_starts_keep_insertion_order(void **state)
{
	struct interval_tree_root root = { 0 };
	struct item it[3] = {
		{ .it = { .start = 0, .last = 9 }, .linked = true, .seq = 0 },
		{ .it = { .start = 0, .last = 9 }, .linked = true, .seq = 1 },
		{ .it = { .start = 0, .last = 4 }, .linked = true, .seq = 2 },
	};
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		interval_tree_insert(&it[i].it, &root);
	assert_int_equal(interval_tree_validate(&root), 0);
	check_query(&root, it, 3, 0, 0);
	check_query(&root, it, 3, 5, 5);
	interval_tree_remove(&it[1].it, &root);
	it[1].linked = false;
	check_query(&root, it, 3, 0, 100);
	assert_int_equal(interval_tree_validate(&root), 0);
}

/* A broken augment or order is caught by the validator. */
static void test_validate_catches_corruption(void **state)
{
	struct interval_tree_root root = { 0 };
	struct item it[8];
	int i;

	(void)state;
	for (i = 0; i < 8; i++) {
		it[i].it.start = i * 10;
		it[i].it.last = i * 10 + 5;
		interval_tree_insert(&it[i].it, &root);
	}
	assert_int_equal(interval_tree_validate(&root), 0);
	it[3].it.last += 100;		/* changed while linked */
	assert_int_equal(interval_tree_validate(&root), -EINVAL);
	it[3].it.last -= 100;
	assert_int_equal(interval_tree_validate(&root), 0);
	it[5].it.start = 0;		/* out of order */
	assert_int_equal(interval_tree_validate(&root), -EINVAL);
	it[5].it.start = 50;
	root.nr_nodes++;
	assert_int_equal(interval_tree_validate(&root), -EINVAL);
	root.nr_nodes--;
	root.node->red = true;		/* red root */
	assert_int_equal(interval_tree_validate(&root), -EINVAL);
	root.node->red = false;
	assert_int_equal(interval_tree_validate(&root), 0);
}

/*
 * Random inserts and removes against the model, fixed seeds; every step
 * validated and queried.  Small key spaces make many overlaps and equal
 * starts, large ones deep trees.
 */
static void random_run(unsigned long long seed, int nr, unsigned long keys,
		       int steps)
{
	struct interval_tree_root root = { 0 };
	struct item *items = calloc(nr, sizeof(*items));
	unsigned long seq = 0;
	int step, linked = 0;

	assert_non_null(items);
	rng_state = seed;
	for (step = 0; step < steps; step++) {
		struct item *x = &items[rnd(nr)];
		unsigned long a, b;

		if (x->linked) {
			interval_tree_remove(&x->it, &root);
			x->linked = false;
			linked--;
		} else {
			a = rnd(keys);
			b = a + rnd(keys / 4 + 1);
			x->it.start = a;
			x->it.last = b;
			x->seq = seq++;
			interval_tree_insert(&x->it, &root);
			x->linked = true;
			linked++;
		}
		assert_int_equal(root.nr_nodes, linked);
		assert_int_equal(interval_tree_validate(&root), 0);
		a = rnd(keys + keys / 4);
		b = a + rnd(keys / 8 + 1);
		check_query(&root, items, nr, a, b);
		if (step % 64 == 0)
			check_query(&root, items, nr, 0, ~0UL);
	}
	/* drain */
	for (step = 0; step < nr; step++)
		if (items[step].linked) {
			interval_tree_remove(&items[step].it, &root);
			items[step].linked = false;
			assert_int_equal(interval_tree_validate(&root), 0);
		}
	assert_true(interval_tree_empty(&root));
	free(items);
}

static void test_random_small_keys(void **state)
{
	(void)state;
	random_run(1, 64, 32, 20000);
}

static void test_random_large_keys(void **state)
{
	(void)state;
	random_run(2, 1000, 1UL << 20, 20000);
	random_run(3, 300, 1000, 20000);
}

/* Ascending and descending inserts, the worst cases for balance. */
static void test_sorted_inserts_stay_balanced(void **state)
{
	enum { N = 4096 };
	struct interval_tree_root root = { 0 };
	struct item *items = calloc(N, sizeof(*items));
	int i, depth;
	struct interval_tree_node *n;

	(void)state;
	assert_non_null(items);
	for (i = 0; i < N; i++) {
		items[i].it.start = i;
		items[i].it.last = i + 3;
		interval_tree_insert(&items[i].it, &root);
	}
	assert_int_equal(interval_tree_validate(&root), 0);
	/* a red-black tree of 4096 nodes is at most 2*log2(4097) deep */
	for (i = 0; i < N; i++) {
		for (depth = 0, n = &items[i].it; n; n = n->parent)
			depth++;
		assert_true(depth <= 24);
	}
	for (i = N - 1; i >= 0; i -= 2)
		interval_tree_remove(&items[i].it, &root);
	assert_int_equal(interval_tree_validate(&root), 0);
	assert_int_equal(root.nr_nodes, N / 2);
	free(items);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_interval),
		cmocka_unit_test(test_equal_starts_keep_insertion_order),
		cmocka_unit_test(test_validate_catches_corruption),
		cmocka_unit_test(test_random_small_keys),
		cmocka_unit_test(test_random_large_keys),
		cmocka_unit_test(test_sorted_inserts_stay_balanced),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
