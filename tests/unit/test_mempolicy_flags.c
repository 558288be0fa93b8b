// SPDX-License-Identifier: GPL-2.0
/*
 * The mode flags of mbind(2) and set_mempolicy(2), MPOL_F_STATIC_NODES
 * and MPOL_F_RELATIVE_NODES, on a two-node machine (the task runs on node
 * 0's CPU; the allowed nodes are {0,1}, foliage has no cpusets):
 *
 *   user mask   STATIC_NODES        RELATIVE_NODES
 *   {1,5}       {1}                 {1} (5 mod 2 = 1)
 *   {2}         -EINVAL             {0} (2 mod 2 = 0: the 0th allowed)
 *   {0,3}       {0}                 {0,1}
 *
 * and how numa_maps spells each mode with each flag.
 */
#include <string.h>

#include "numa_fixture.h"
#include <linux/mempolicy.h>

#define STATIC	FOLIAGE_MPOL_F_STATIC_NODES
#define RELATIVE FOLIAGE_MPOL_F_RELATIVE_NODES

/* The policy of the numa_maps line of the VMA at @addr is @policy. */
static void expect_policy(struct foliage_task *t, unsigned long addr,
			  const char *policy)
{
	char *text, want[96], *line;
	bool found;

	assert_int_equal(foliage_render_task(t, "numa_maps", 0, &text), 0);
	snprintf(want, sizeof(want), "%08lx %s", addr, policy);
	line = strstr(text, want);
	found = line && (line == text || line[-1] == '\n') &&
		strchr(" \n", line[strlen(want)]);
	if (!found)
		print_error("no \"%s\" in numa_maps:\n%s", want, text);
	free(text);
	assert_true(found);
}

/*
 * sanitize_mpol_flags() and mpol_new(): both flags, a flag on LOCAL or
 * on PREFERRED without nodes, a bit that is no flag of foliage's
 * (MPOL_F_NUMA_BALANCING), a STATIC mask with no allowed node: -EINVAL.
 * DEFAULT with a flag and no nodes is the default, as in Linux.
 */
static void test_flags_errors(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	const unsigned long len = PAGE_SIZE;

	map_anon(t, BASE, 4 * PAGE_SIZE);
	assert_int_equal(foliage_mbind(t, BASE, len, FOLIAGE_MPOL_BIND |
				       STATIC | RELATIVE, N0, 0), -EINVAL);
	assert_int_equal(foliage_set_mempolicy(t, FOLIAGE_MPOL_INTERLEAVE |
					       STATIC | RELATIVE, N0 | N1),
			 -EINVAL);
	assert_int_equal(foliage_mbind(t, BASE, len, FOLIAGE_MPOL_LOCAL |
				       STATIC, 0, 0), -EINVAL);
	assert_int_equal(foliage_set_mempolicy(t, FOLIAGE_MPOL_LOCAL |
					       RELATIVE, 0), -EINVAL);
	assert_int_equal(foliage_mbind(t, BASE, len, FOLIAGE_MPOL_PREFERRED |
				       STATIC, 0, 0), -EINVAL);
	assert_int_equal(foliage_set_mempolicy(t, FOLIAGE_MPOL_PREFERRED |
					       RELATIVE, 0), -EINVAL);
	assert_int_equal(foliage_mbind(t, BASE, len, FOLIAGE_MPOL_BIND |
				       (1 << 13), N0, 0), -EINVAL);
	assert_int_equal(foliage_mbind(t, BASE, len, FOLIAGE_MPOL_BIND |
				       STATIC, 1UL << 5, 0), -EINVAL);
	assert_int_equal(foliage_mbind(t, BASE, len, FOLIAGE_MPOL_BIND |
				       RELATIVE, 0, 0), -EINVAL);
	/* Past the nodes a machine can have (get_nodes()). */
	assert_int_equal(foliage_mbind(t, BASE, len, FOLIAGE_MPOL_BIND |
				       STATIC, N0 | 1UL << 9, 0), -EINVAL);
	assert_int_equal(foliage_mbind(t, BASE, len, FOLIAGE_MPOL_DEFAULT |
				       STATIC, N0, 0), -EINVAL);
	assert_int_equal(nr_vmas(t), 1);
	assert_int_equal(foliage_mbind(t, BASE, len, FOLIAGE_MPOL_DEFAULT |
				       STATIC, 0, 0), 0);
	assert_int_equal(foliage_set_mempolicy(t, FOLIAGE_MPOL_DEFAULT |
					       RELATIVE, 0), 0);
	expect_policy(t, BASE, "default");
	assert_int_equal(nr_vmas(t), 1);
	assert_int_equal(foliage_exit(t), 0);
}

/*
 * RELATIVE_NODES folds the mask onto the allowed nodes: {2} is node 0,
 * {1,5} node 1, {0,3} both; the task's policy too.
 *
 *   BASE:        [bind=relative:0 ][bind=relative:1 ][interleave=relative:0-1]
 *   mask            {2}               {1,5}              {0,3}
 */
static void test_relative_fold(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	const unsigned long a = BASE, b = BASE + 0x10000, c = BASE + 0x20000;

	map_anon(t, a, 4 * PAGE_SIZE);
	map_anon(t, b, 4 * PAGE_SIZE);
	map_anon(t, c, 4 * PAGE_SIZE);
	assert_int_equal(foliage_mbind(t, a, 4 * PAGE_SIZE, FOLIAGE_MPOL_BIND |
				       RELATIVE, 1UL << 2, 0), 0);
	assert_int_equal(foliage_mbind(t, b, 4 * PAGE_SIZE, FOLIAGE_MPOL_BIND |
				       RELATIVE, N1 | 1UL << 5, 0), 0);
	assert_int_equal(foliage_mbind(t, c, 4 * PAGE_SIZE,
				       FOLIAGE_MPOL_INTERLEAVE | RELATIVE,
				       N0 | 1UL << 3, 0), 0);
	fill(t, a, 'r', 4 * PAGE_SIZE);
	fill(t, b, 'r', 4 * PAGE_SIZE);
	fill(t, c, 'r', 4 * PAGE_SIZE);
	assert_int_equal(nid_at(t, a), 0);
	assert_int_equal(nid_at(t, a + 3 * PAGE_SIZE), 0);
	assert_int_equal(nid_at(t, b), 1);
	assert_int_equal(nid_at(t, b + 3 * PAGE_SIZE), 1);
	assert_int_equal(nid_at(t, c), 0);
	assert_int_equal(nid_at(t, c + PAGE_SIZE), 1);
	expect_policy(t, a, "bind=relative:0");
	expect_policy(t, b, "bind=relative:1");
	expect_policy(t, c, "interleave=relative:0-1");

	/* set_mempolicy: {3} is node 1 for the task's new pages. */
	assert_int_equal(foliage_set_mempolicy(t, FOLIAGE_MPOL_PREFERRED |
					       RELATIVE, 1UL << 3), 0);
	map_anon(t, BASE + 0x100000, PAGE_SIZE);
	fill(t, BASE + 0x100000, 'p', PAGE_SIZE);
	assert_int_equal(nid_at(t, BASE + 0x100000), 1);
	expect_policy(t, BASE + 0x100000, "prefer=relative:1");
	assert_int_equal(foliage_exit(t), 0);
}

/*
 * STATIC_NODES keeps the mask's allowed nodes: {1,5} is node 1; a node
 * the machine lacks is no error while some node is left.
 */
static void test_static_intersect(void **state)
{
	struct foliage_task *t = new_task(m, "t");

	map_anon(t, BASE, 4 * PAGE_SIZE);
	assert_int_equal(foliage_mbind(t, BASE, 4 * PAGE_SIZE,
				       FOLIAGE_MPOL_BIND | STATIC,
				       N1 | 1UL << 5, 0), 0);
	fill(t, BASE, 's', 4 * PAGE_SIZE);
	assert_int_equal(nid_at(t, BASE), 1);
	assert_int_equal(nid_at(t, BASE + 3 * PAGE_SIZE), 1);
	expect_policy(t, BASE, "bind=static:1");
	/* Without the flag, node 5 is -EINVAL. */
	assert_int_equal(foliage_mbind(t, BASE, 4 * PAGE_SIZE,
				       FOLIAGE_MPOL_BIND, N1 | 1UL << 5, 0),
			 -EINVAL);
	assert_int_equal(foliage_set_mempolicy(t, FOLIAGE_MPOL_INTERLEAVE |
					       STATIC, N0 | N1 | 1UL << 7), 0);
	map_anon(t, BASE + 0x100000, 4 * PAGE_SIZE);
	fill(t, BASE + 0x100000, 'i', 4 * PAGE_SIZE);
	assert_int_equal(nid_at(t, BASE + 0x100000), 0);
	assert_int_equal(nid_at(t, BASE + 0x101000), 1);
	expect_policy(t, BASE + 0x100000, "interleave=static:0-1");
	assert_int_equal(foliage_exit(t), 0);
}

/*
 * Every mode with each flag, as mpol_to_str() spells it; DEFAULT and
 * LOCAL take no flag.
 */
static void test_numa_maps_flag_strings(void **state)
{
	static const struct {
		int mode;
		unsigned long nodes;
		const char *want;
	} cases[] = {
		{ FOLIAGE_MPOL_PREFERRED | STATIC, N1, "prefer=static:1" },
		{ FOLIAGE_MPOL_PREFERRED | RELATIVE, 1UL << 2, "prefer=relative:0" },
		{ FOLIAGE_MPOL_BIND | STATIC, N0 | N1, "bind=static:0-1" },
		{ FOLIAGE_MPOL_BIND | RELATIVE, N0 | N1, "bind=relative:0-1" },
		{ FOLIAGE_MPOL_INTERLEAVE | STATIC, N0 | N1, "interleave=static:0-1" },
		{ FOLIAGE_MPOL_INTERLEAVE | RELATIVE, N1, "interleave=relative:1" },
		{ FOLIAGE_MPOL_PREFERRED_MANY | STATIC, N0 | N1,
		  "prefer (many)=static:0-1" },
		{ FOLIAGE_MPOL_PREFERRED_MANY | RELATIVE, 1UL << 3,
		  "prefer (many)=relative:1" },
	};
	struct foliage_task *t = new_task(m, "t");
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long addr = BASE + i * 0x10000;

		map_anon(t, addr, PAGE_SIZE);
		assert_int_equal(foliage_mbind(t, addr, PAGE_SIZE,
					       cases[i].mode, cases[i].nodes,
					       0), 0);
		expect_policy(t, addr, cases[i].want);
	}
	assert_int_equal(foliage_exit(t), 0);
}

/*
 * Two policies with the same nodes are equal only with the same user
 * mask (Linux's __mpol_equal()): static {1} and static {1,5} do not
 * merge, static {1} twice does.
 *
 *   BASE: [static {1} | static {1,5} | static {1}]  -> three VMAs
 *   then  [static {1} | static {1}   | static {1}]  -> one
 */
static void test_user_mask_equality(void **state)
{
	struct foliage_task *t = new_task(m, "t");

	map_anon(t, BASE, 3 * PAGE_SIZE);
	assert_int_equal(foliage_mbind(t, BASE, 3 * PAGE_SIZE,
				       FOLIAGE_MPOL_BIND | STATIC, N1, 0), 0);
	assert_int_equal(foliage_mbind(t, BASE + PAGE_SIZE, PAGE_SIZE,
				       FOLIAGE_MPOL_BIND | STATIC,
				       N1 | 1UL << 5, 0), 0);
	assert_int_equal(nr_vmas(t), 3);
	expect_policy(t, BASE + PAGE_SIZE, "bind=static:1");
	assert_int_equal(foliage_mbind(t, BASE + PAGE_SIZE, PAGE_SIZE,
				       FOLIAGE_MPOL_BIND | STATIC, N1, 0), 0);
	assert_int_equal(nr_vmas(t), 1);
	assert_int_equal(foliage_exit(t), 0);
}

/*
 * mbind queues the folios off the caller's mask, not off the nodes it
 * resolved to (Linux's do_mbind()): under bind=relative {2} (node 0) a
 * page already on node 0 fails MPOL_MF_STRICT alone, and MPOL_MF_MOVE
 * migrates it again, within node 0.
 */
static void test_relative_queues_by_user_mask(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	unsigned long success;

	map_anon(t, BASE, 2 * PAGE_SIZE);
	fill(t, BASE, 'q', 2 * PAGE_SIZE);
	assert_int_equal(nid_at(t, BASE), 0);
	assert_int_equal(foliage_mbind(t, BASE, 2 * PAGE_SIZE,
				       FOLIAGE_MPOL_BIND | RELATIVE, 1UL << 2,
				       FOLIAGE_MPOL_MF_STRICT), -EIO);
	success = vmstat(m, "pgmigrate_success");
	assert_int_equal(foliage_mbind(t, BASE, 2 * PAGE_SIZE,
				       FOLIAGE_MPOL_BIND | RELATIVE, 1UL << 2,
				       FOLIAGE_MPOL_MF_MOVE |
				       FOLIAGE_MPOL_MF_STRICT), 0);
	assert_int_equal(vmstat(m, "pgmigrate_success") - success, 2);
	assert_int_equal(nid_at(t, BASE), 0);
	expect_fill(t, BASE, 'q', 2 * PAGE_SIZE);
	/* With the mask naming node 0 itself, nothing is queued. */
	success = vmstat(m, "pgmigrate_success");
	assert_int_equal(foliage_mbind(t, BASE, 2 * PAGE_SIZE,
				       FOLIAGE_MPOL_BIND | RELATIVE, N0,
				       FOLIAGE_MPOL_MF_MOVE |
				       FOLIAGE_MPOL_MF_STRICT), 0);
	assert_int_equal(vmstat(m, "pgmigrate_success") - success, 0);
	assert_rmap_ok(m);
	assert_int_equal(foliage_exit(t), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flags_errors, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_relative_fold, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_static_intersect, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_numa_maps_flag_strings,
						setup2, teardown),
		cmocka_unit_test_setup_teardown(test_user_mask_equality,
						setup2, teardown),
		cmocka_unit_test_setup_teardown(test_relative_queues_by_user_mask,
						setup2, teardown),
	};

	(void)setup;	/* the one-node fixture's; these tests boot two nodes */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
