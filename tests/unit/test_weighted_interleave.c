// SPDX-License-Identifier: GPL-2.0
/*
 * MPOL_WEIGHTED_INTERLEAVE and its knobs, mempolicy.weighted_interleave.
 * nodeN and .auto (Linux's /sys/kernel/mm/mempolicy/weighted_interleave/),
 * on two nodes (three for mbind's moves).  With weights 2:1 on nodes 0
 * and 1, the folio at index ilx goes to (weighted_interleave_nid()):
 *
 *   ilx % 3   0 1 2
 *   node      0 0 1
 *
 * CBASE = 0x30000000 is page index 0x30000, a multiple of 3, so page i of
 * a mapping there has ilx % 3 == i % 3.
 */
#include <string.h>

#include "numa_fixture.h"

#define CBASE		0x30000000UL
#define WI		FOLIAGE_MPOL_WEIGHTED_INTERLEAVE

/* The node of page i of 12 at CBASE under weights 2:1 on nodes 0,1. */
static const int nid_2_1[12] = { 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1 };

static long knob(const char *name)
{
	long v;

	assert_int_equal(foliage_get(m, name, &v), 0);
	return v;
}

static void set_weight(const char *node, const char *weight)
{
	char key[64];

	snprintf(key, sizeof(key), "mempolicy.weighted_interleave.%s", node);
	assert_int_equal(foliage_set(m, key, weight), 0);
}

/* The task's policy: 12 pages faulted in order, by their index. */
static void test_task_policy_2_1(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	int i;

	set_weight("node0", "2");
	assert_int_equal(foliage_set_mempolicy(t, WI, N0 | N1), 0);
	map_anon(t, CBASE, 12 * PAGE_SIZE);
	fill(t, CBASE, 'w', 12 * PAGE_SIZE);
	for (i = 0; i < 12; i++)
		assert_int_equal(nid_at(t, CBASE + i * PAGE_SIZE), nid_2_1[i]);
	assert_int_equal(foliage_exit(t), 0);
}

/*
 * A VMA's policy: the same 12 pages, faulted last to first: the node is
 * the index's, not the order's (Linux's vma_alloc_folio() passes the
 * index for a task's policy too; il_prev/il_weight only serve
 * allocations without one, which foliage's policies never see).
 */
static void test_vma_policy_2_1_reverse(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	char byte = 1;
	int i;

	set_weight("node0", "2");
	map_anon(t, CBASE, 12 * PAGE_SIZE);
	assert_int_equal(foliage_mbind(t, CBASE, 12 * PAGE_SIZE, WI, N0 | N1,
				       0), 0);
	for (i = 11; i >= 0; i--)
		put_bytes(t, CBASE + i * PAGE_SIZE, &byte, 1);
	for (i = 0; i < 12; i++)
		assert_int_equal(nid_at(t, CBASE + i * PAGE_SIZE), nid_2_1[i]);
	/* Weights 1:3: ilx % 4 = 0 on node 0, 1..3 on node 1. */
	set_weight("node0", "1");
	set_weight("node1", "3");
	map_anon(t, CBASE + 0x100000, 8 * PAGE_SIZE);
	assert_int_equal(foliage_mbind(t, CBASE + 0x100000, 8 * PAGE_SIZE, WI,
				       N0 | N1, 0), 0);
	fill(t, CBASE + 0x100000, 'v', 8 * PAGE_SIZE);
	for (i = 0; i < 8; i++)
		assert_int_equal(nid_at(t, CBASE + 0x100000 + i * PAGE_SIZE),
				 i % 4 ? 1 : 0);
	assert_int_equal(foliage_exit(t), 0);
}

/* The knobs' values and errors. */
static void test_knob_range(void **state)
{
	const char *n0 = "mempolicy.weighted_interleave.node0";
	long v;

	assert_int_equal(knob(n0), 1);
	assert_int_equal(knob("mempolicy.weighted_interleave.node1"), 1);
	assert_int_equal(foliage_set(m, n0, "0"), -ERANGE);
	assert_int_equal(foliage_set(m, n0, "256"), -ERANGE);
	assert_int_equal(foliage_set(m, n0, "-1"), -ERANGE);
	assert_int_equal(foliage_set(m, n0, "two"), -EINVAL);
	assert_int_equal(foliage_set(m, n0, ""), -EINVAL);
	assert_int_equal(knob(n0), 1);
	assert_int_equal(knob("mempolicy.weighted_interleave.auto"), 1);
	assert_int_equal(foliage_set(m, n0, "255"), 0);
	assert_int_equal(knob(n0), 255);
	/* Node 2 is not this machine's; no such file either. */
	assert_int_equal(foliage_set(m, "mempolicy.weighted_interleave.node2",
				     "1"), -ENOENT);
	assert_int_equal(foliage_get(m, "mempolicy.weighted_interleave.node2",
				     &v), -ENOENT);
	assert_int_equal(foliage_set(m, "mempolicy.weighted_interleave.node01",
				     "1"), -ENOENT);
	assert_int_equal(foliage_set(m, "mempolicy.weighted_interleave.node",
				     "1"), -ENOENT);
}

/*
 * auto: "true" until a weight is written or it is set to N; Y has no
 * bandwidth data to weigh the nodes by (no HMAT): -ENODEV, nothing
 * changes; N keeps the weights.
 */
static void test_auto(void **state)
{
	const char *a = "mempolicy.weighted_interleave.auto";

	assert_int_equal(knob(a), 1);
	assert_int_equal(foliage_set(m, a, "1"), -ENODEV);
	assert_int_equal(foliage_set(m, a, "maybe"), -EINVAL);
	assert_int_equal(knob(a), 1);
	assert_int_equal(foliage_set(m, a, "N"), 0);
	assert_int_equal(knob(a), 0);
	assert_int_equal(knob("mempolicy.weighted_interleave.node0"), 1);
	assert_int_equal(foliage_set(m, a, "Y"), -ENODEV);
	assert_int_equal(knob(a), 0);
}

static void test_weight_turns_auto_off(void **state)
{
	assert_int_equal(knob("mempolicy.weighted_interleave.auto"), 1);
	set_weight("node1", "4");
	assert_int_equal(knob("mempolicy.weighted_interleave.auto"), 0);
	assert_int_equal(knob("mempolicy.weighted_interleave.node0"), 1);
	assert_int_equal(knob("mempolicy.weighted_interleave.node1"), 4);
}

/* numa_maps: policy_modes[]'s "weighted interleave", with the flags. */
static void test_numa_maps_strings(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	char *out;

	map_anon(t, 0x10000000, 0x3000);
	map_anon(t, 0x20000000, 0x1000);
	map_anon(t, CBASE, 0x1000);
	set_weight("node0", "2");
	assert_int_equal(foliage_mbind(t, 0x10000000, 0x3000, WI, N0 | N1,
				       0), 0);
	assert_int_equal(foliage_mbind(t, 0x20000000, 0x1000,
				       WI | FOLIAGE_MPOL_F_STATIC_NODES,
				       N0 | N1 | 1UL << 6, 0), 0);
	assert_int_equal(foliage_mbind(t, CBASE, 0x1000,
				       WI | FOLIAGE_MPOL_F_RELATIVE_NODES,
				       1UL << 3, 0), 0);
	fill(t, 0x10000000, 'n', 0x3000);
	assert_int_equal(foliage_render_task(t, "numa_maps", 0, &out), 0);
	assert_string_equal(out,
		"10000000 weighted interleave:0-1 anon=3 dirty=3 active=0 "
		"N0=2 N1=1 kernelpagesize_kB=4\n"
		"20000000 weighted interleave=static:0-1\n"
		"30000000 weighted interleave=relative:1\n");
	free(out);
	assert_int_equal(foliage_exit(t), 0);
}

static int setup3(void **state)
{
	m = pt_machine(3, 64);
	assert_int_equal(foliage_set(m, "transparent_hugepage.enabled",
				     "never"), 0);
	return 0;
}

/*
 * mbind with MPOL_MF_MOVE: 6 pages on node 0 move to nodes 1,2 by
 * weight 2:1 and by their index, as a fault would have put them.
 *
 *   CBASE:  [1 1 2 1 1 2]
 */
static void test_mbind_move(void **state)
{
	static const int want[6] = { 1, 1, 2, 1, 1, 2 };
	struct foliage_task *t = new_task(m, "t");
	unsigned long success = vmstat(m, "pgmigrate_success");
	int i;

	set_weight("node1", "2");
	map_anon(t, CBASE, 6 * PAGE_SIZE);
	fill(t, CBASE, 'm', 6 * PAGE_SIZE);
	assert_int_equal(nid_at(t, CBASE), 0);
	assert_int_equal(foliage_mbind(t, CBASE, 6 * PAGE_SIZE, WI,
				       1UL << 1 | 1UL << 2,
				       FOLIAGE_MPOL_MF_MOVE |
				       FOLIAGE_MPOL_MF_STRICT), 0);
	assert_int_equal(vmstat(m, "pgmigrate_success") - success, 6);
	for (i = 0; i < 6; i++)
		assert_int_equal(nid_at(t, CBASE + i * PAGE_SIZE), want[i]);
	expect_fill(t, CBASE, 'm', 6 * PAGE_SIZE);
	assert_rmap_ok(m);
	assert_int_equal(foliage_exit(t), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_task_policy_2_1, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_vma_policy_2_1_reverse,
						setup2, teardown),
		cmocka_unit_test_setup_teardown(test_knob_range, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_auto, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_weight_turns_auto_off,
						setup2, teardown),
		cmocka_unit_test_setup_teardown(test_numa_maps_strings, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_mbind_move, setup3,
						teardown),
	};

	(void)setup;	/* the one-node fixture's; these tests boot more */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
