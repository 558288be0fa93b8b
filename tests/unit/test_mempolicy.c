// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA policy on a two-node machine (the task runs on node 0's CPU):
 * where faults put pages under each mode, mbind's VMA splits and merges,
 * MPOL_MF_MOVE/STRICT, set_mempolicy, migrate_pages(2) and the errors.
 */
#include "numa_fixture.h"
#include <linux/mempolicy.h>

/*
 * Interleave over both nodes: page i of the mapping on node i mod 2, by
 * its index in the mapping, also when the VMA starts at an odd page;
 * a 64K mTHP by its folio index, wherever in it the fault was.
 *
 *   BASE+4K: [0 1 0 1 0 1 0 1]   node of each page = (addr >> 12) % 2
 */
static void test_interleave(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	const unsigned long a = BASE + PAGE_SIZE, b = BASE + 0x100000;
	unsigned long addr;
	char byte = 1;

	map_anon(t, a, 8 * PAGE_SIZE);
	assert_int_equal(foliage_mbind(t, a, 8 * PAGE_SIZE,
				       FOLIAGE_MPOL_INTERLEAVE, N0 | N1, 0), 0);
	fill(t, a, 'i', 8 * PAGE_SIZE);
	for (addr = a; addr < a + 8 * PAGE_SIZE; addr += PAGE_SIZE)
		assert_int_equal(nid_at(t, addr), (addr >> PAGE_SHIFT) % 2);

	/* 64K folios: the index is the folio's, (addr >> 16) % 2. */
	assert_int_equal(foliage_set(m, "transparent_hugepage.hugepages-64kB/enabled",
				     "always"), 0);
	map_anon(t, b, 4 * 16 * PAGE_SIZE);
	assert_int_equal(foliage_mbind(t, b, 4 * 16 * PAGE_SIZE,
				       FOLIAGE_MPOL_INTERLEAVE, N0 | N1, 0), 0);
	for (addr = b; addr < b + 4 * 16 * PAGE_SIZE; addr += 16 * PAGE_SIZE)
		put_bytes(t, addr + 5 * PAGE_SIZE, &byte, 1);
	for (addr = b; addr < b + 4 * 16 * PAGE_SIZE; addr += 16 * PAGE_SIZE) {
		assert_int_equal(folio_order(folio_at(t, addr)), 4);
		assert_int_equal(nid_at(t, addr), (addr >> 16) % 2);
	}
	assert_int_equal(foliage_exit(t), 0);
}

/* bind and preferred put the pages on node 1; default on the CPU's. */
static void test_bind_preferred_default(void **state)
{
	struct foliage_task *t = new_task(m, "t");

	map_anon(t, BASE, 12 * PAGE_SIZE);
	assert_int_equal(foliage_mbind(t, BASE, 4 * PAGE_SIZE,
				       FOLIAGE_MPOL_BIND, N1, 0), 0);
	assert_int_equal(foliage_mbind(t, BASE + 4 * PAGE_SIZE, 4 * PAGE_SIZE,
				       FOLIAGE_MPOL_PREFERRED, N1, 0), 0);
	/* Three VMAs: bind, preferred, default. */
	assert_int_equal(nr_vmas(t), 3);
	fill(t, BASE, 'b', 12 * PAGE_SIZE);
	assert_int_equal(nid_at(t, BASE), 1);
	assert_int_equal(nid_at(t, BASE + 3 * PAGE_SIZE), 1);
	assert_int_equal(nid_at(t, BASE + 4 * PAGE_SIZE), 1);
	assert_int_equal(nid_at(t, BASE + 8 * PAGE_SIZE), 0);
	/*
	 * Back to default everywhere: each piece got an anon_vma of its
	 * own at its first fault (a neighbour with another policy lends
	 * none: anon_vma_compatible()), so they stay three VMAs, as on
	 * Linux 6.18.  Untouched, they merge back into one.
	 */
	assert_int_equal(foliage_mbind(t, BASE, 8 * PAGE_SIZE,
				       FOLIAGE_MPOL_DEFAULT, 0, 0), 0);
	assert_int_equal(nr_vmas(t), 3);
	map_anon(t, BASE + 0x100000, 8 * PAGE_SIZE);
	assert_int_equal(foliage_mbind(t, BASE + 0x100000, 4 * PAGE_SIZE,
				       FOLIAGE_MPOL_BIND, N1, 0), 0);
	assert_int_equal(nr_vmas(t), 5);
	assert_int_equal(foliage_mbind(t, BASE + 0x100000, 4 * PAGE_SIZE,
				       FOLIAGE_MPOL_DEFAULT, 0, 0), 0);
	assert_int_equal(nr_vmas(t), 4);
	assert_int_equal(foliage_exit(t), 0);
}

/*
 * set_mempolicy: the task's new pages follow it where the VMA has no
 * policy of its own; a fork inherits it; a VMA's policy wins.
 */
static void test_set_mempolicy(void **state)
{
	struct foliage_task *t = new_task(m, "t"), *c;

	assert_int_equal(foliage_set_mempolicy(t, FOLIAGE_MPOL_BIND, N1), 0);
	map_anon(t, BASE, 4 * PAGE_SIZE);
	assert_int_equal(foliage_mbind(t, BASE + 2 * PAGE_SIZE, 2 * PAGE_SIZE,
				       FOLIAGE_MPOL_BIND, N0, 0), 0);
	fill(t, BASE, 's', 2 * PAGE_SIZE);
	fill(t, BASE + 2 * PAGE_SIZE, 's', 2 * PAGE_SIZE);
	assert_int_equal(nid_at(t, BASE), 1);
	assert_int_equal(nid_at(t, BASE + 2 * PAGE_SIZE), 0);
	c = fork_task(t, "c");
	map_anon(c, BASE + 0x100000, PAGE_SIZE);
	fill(c, BASE + 0x100000, 'c', PAGE_SIZE);
	assert_int_equal(nid_at(c, BASE + 0x100000), 1);
	assert_int_equal(foliage_set_mempolicy(t, FOLIAGE_MPOL_DEFAULT, 0), 0);
	map_anon(t, BASE + 0x100000, PAGE_SIZE);
	fill(t, BASE + 0x100000, 'd', PAGE_SIZE);
	assert_int_equal(nid_at(t, BASE + 0x100000), 0);
	assert_int_equal(foliage_exit(c), 0);
	assert_int_equal(foliage_exit(t), 0);
}

/*
 * MPOL_MF_MOVE moves what the new policy does not want (counted in
 * pgmigrate_success); STRICT alone fails with -EIO while pages sit on
 * the wrong node; a COW-shared page moves only with MOVE_ALL.
 */
static void test_mbind_move_strict(void **state)
{
	struct foliage_task *t = new_task(m, "t"), *c;
	unsigned long success, addr;

	map_anon(t, BASE, 8 * PAGE_SIZE);
	fill(t, BASE, 'm', 8 * PAGE_SIZE);
	assert_int_equal(nid_at(t, BASE), 0);
	assert_int_equal(foliage_mbind(t, BASE, 8 * PAGE_SIZE,
				       FOLIAGE_MPOL_BIND, N1,
				       FOLIAGE_MPOL_MF_STRICT), -EIO);
	success = vmstat(m, "pgmigrate_success");
	assert_int_equal(foliage_mbind(t, BASE, 8 * PAGE_SIZE,
				       FOLIAGE_MPOL_BIND, N1,
				       FOLIAGE_MPOL_MF_MOVE |
				       FOLIAGE_MPOL_MF_STRICT), 0);
	assert_int_equal(vmstat(m, "pgmigrate_success") - success, 8);
	for (addr = BASE; addr < BASE + 8 * PAGE_SIZE; addr += PAGE_SIZE)
		assert_int_equal(nid_at(t, addr), 1);
	expect_fill(t, BASE, 'm', 8 * PAGE_SIZE);

	/* Shared with a child: MOVE leaves it (STRICT: -EIO), MOVE_ALL not. */
	c = fork_task(t, "c");
	assert_int_equal(foliage_mbind(t, BASE, PAGE_SIZE, FOLIAGE_MPOL_BIND,
				       N0, FOLIAGE_MPOL_MF_MOVE |
				       FOLIAGE_MPOL_MF_STRICT), -EIO);
	assert_int_equal(nid_at(t, BASE), 1);
	assert_int_equal(foliage_mbind(t, BASE, PAGE_SIZE, FOLIAGE_MPOL_BIND,
				       N0, FOLIAGE_MPOL_MF_MOVE_ALL |
				       FOLIAGE_MPOL_MF_STRICT), 0);
	assert_int_equal(nid_at(t, BASE), 0);
	assert_int_equal(nid_at(c, BASE), 0);
	expect_fill(c, BASE, 'm', PAGE_SIZE);
	assert_rmap_ok(m);
	assert_int_equal(foliage_exit(c), 0);
	assert_int_equal(foliage_exit(t), 0);
}

/* migrate_pages(2): node 0's pages to node 1, then back; and errors. */
static void test_migrate_pages_syscall(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	unsigned long addr;

	map_anon(t, BASE, 16 * PAGE_SIZE);
	fill(t, BASE, 'g', 16 * PAGE_SIZE);
	assert_int_equal(foliage_migrate_pages(t, N0, N1), 0);
	for (addr = BASE; addr < BASE + 16 * PAGE_SIZE; addr += PAGE_SIZE)
		assert_int_equal(nid_at(t, addr), 1);
	assert_int_equal(foliage_migrate_pages(t, N1, N0), 0);
	assert_int_equal(nid_at(t, BASE + 15 * PAGE_SIZE), 0);
	expect_fill(t, BASE, 'g', 16 * PAGE_SIZE);
	assert_int_equal(foliage_migrate_pages(t, N0, 1UL << 5), -EINVAL);
	assert_rmap_ok(m);
	assert_int_equal(foliage_exit(t), 0);
}

/* The errors of mbind and set_mempolicy. */
static void test_mbind_errors(void **state)
{
	struct foliage_task *t = new_task(m, "t");

	map_anon(t, BASE, 4 * PAGE_SIZE);
	/* A hole in the range. */
	assert_int_equal(foliage_mbind(t, BASE, 8 * PAGE_SIZE,
				       FOLIAGE_MPOL_BIND, N1, 0), -EFAULT);
	assert_int_equal(foliage_mbind(t, BASE + 1, PAGE_SIZE,
				       FOLIAGE_MPOL_BIND, N1, 0), -EINVAL);
	assert_int_equal(foliage_mbind(t, BASE, PAGE_SIZE, 9, N1, 0), -EINVAL);
	assert_int_equal(foliage_mbind(t, BASE, PAGE_SIZE,
				       FOLIAGE_MPOL_DEFAULT, N1, 0), -EINVAL);
	assert_int_equal(foliage_mbind(t, BASE, PAGE_SIZE,
				       FOLIAGE_MPOL_BIND, 0, 0), -EINVAL);
	assert_int_equal(foliage_mbind(t, BASE, PAGE_SIZE,
				       FOLIAGE_MPOL_BIND, 1UL << 5, 0), -EINVAL);
	assert_int_equal(foliage_mbind(t, BASE, PAGE_SIZE,
				       FOLIAGE_MPOL_BIND, N1, 1 << 7), -EINVAL);
	assert_int_equal(foliage_set_mempolicy(t, FOLIAGE_MPOL_INTERLEAVE, 0),
			 -EINVAL);
	assert_int_equal(nr_vmas(t), 1);
	assert_int_equal(foliage_exit(t), 0);
}

/*
 * MPOL_LOCAL (and MPOL_PREFERRED without nodes, which becomes it) puts
 * pages on the CPU's node 0 and shows as "local"; MPOL_PREFERRED_MANY
 * over node 1 puts them there and shows as "prefer (many):1"; LOCAL
 * with nodes is -EINVAL, as in Linux's mpol_new().
 *
 *   BASE: [local local | prefer(many):1 prefer(many):1]
 */
static void test_local_preferred_many(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	char *text = NULL;

	map_anon(t, BASE, 4 * PAGE_SIZE);
	assert_int_equal(foliage_mbind(t, BASE, 2 * PAGE_SIZE,
				       FOLIAGE_MPOL_PREFERRED, 0, 0), 0);
	assert_int_equal(foliage_mbind(t, BASE + 2 * PAGE_SIZE,
				       2 * PAGE_SIZE,
				       FOLIAGE_MPOL_PREFERRED_MANY, N1, 0), 0);
	assert_int_equal(foliage_mbind(t, BASE, PAGE_SIZE, FOLIAGE_MPOL_LOCAL,
				       N1, 0), -EINVAL);
	assert_int_equal(foliage_mbind(t, BASE, PAGE_SIZE,
				       FOLIAGE_MPOL_PREFERRED_MANY, 0, 0),
			 -EINVAL);
	fill(t, BASE, 'l', 4 * PAGE_SIZE);
	assert_int_equal(nid_at(t, BASE), 0);
	assert_int_equal(nid_at(t, BASE + PAGE_SIZE), 0);
	assert_int_equal(nid_at(t, BASE + 2 * PAGE_SIZE), 1);
	assert_int_equal(nid_at(t, BASE + 3 * PAGE_SIZE), 1);
	assert_int_equal(foliage_render_task(t, "numa_maps", 0, &text), 0);
	assert_non_null(strstr(text, "20000000 local anon=2 dirty=2 "
				     "active=0 N0=2 kernelpagesize_kB=4\n"));
	assert_non_null(strstr(text, "20002000 prefer (many):1 anon=2 "
				     "dirty=2 active=0 N1=2 "
				     "kernelpagesize_kB=4\n"));
	free(text);
	assert_int_equal(foliage_set_mempolicy(t, FOLIAGE_MPOL_LOCAL, 0), 0);
	assert_int_equal(foliage_set_mempolicy(t, FOLIAGE_MPOL_LOCAL, N0),
			 -EINVAL);
	assert_int_equal(foliage_exit(t), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_interleave, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_bind_preferred_default,
						setup2, teardown),
		cmocka_unit_test_setup_teardown(test_set_mempolicy, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_mbind_move_strict, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_migrate_pages_syscall,
						setup2, teardown),
		cmocka_unit_test_setup_teardown(test_local_preferred_many,
						setup2, teardown),
		cmocka_unit_test_setup_teardown(test_mbind_errors, setup2,
						teardown),
	};

	(void)setup;	/* the one-node fixture's; these tests boot two nodes */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
