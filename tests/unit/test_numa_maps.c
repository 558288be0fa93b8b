// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/PID/numa_maps against a real Linux kernel's: tests/golden/
 * pid_numa_maps is the numa_maps of a process (one node) that did this,
 * then forked (so every mapped anon page has mapmax=2):
 *
 *   0x10000000  64K anon, nohugepage, all written     anon=16 dirty=16
 *   0x30000000  16K anon, two pages read (zero page)  nothing counted
 *   0x40000000  64K of a memfd "F", shared, pages 2-3 read
 *                                                      file=...\040(deleted)
 *   0x50000000  16K anon, two pages written           anon=2 dirty=2
 *
 * foliage does the same on a one-node machine and must print the same
 * lines; then two nodes and each policy's spelling.
 */
#include <string.h>

#include "numa_fixture.h"

static int setup1(void **state)
{
	m = pt_machine(1, 64);
	assert_int_equal(foliage_set(m, "transparent_hugepage.enabled",
				     "never"), 0);
	return 0;
}

static char *numa_maps(struct foliage_task *t)
{
	char *out;

	assert_int_equal(foliage_render_task(t, "numa_maps", 0, &out), 0);
	return out;
}

static void test_numa_maps_golden(void **state)
{
	struct foliage_task *p = new_task(m, "p"), *c;
	struct foliage_file *f;
	char *golden = read_golden("pid_numa_maps"), *out;

	map_anon(p, 0x10000000, 0x10000);
	fill(p, 0x10000000, 1, 0x10000);
	map_anon(p, 0x30000000, 0x4000);
	touch_read(p, 0x30000000, 0x2000);
	assert_int_equal(foliage_file_create(m, "F", 0x10000, &f), 0);
	map(p, 0x40000000, 0x10000, RW, SHARED_FIXED, f, 0);
	touch_read(p, 0x40002000, 0x2000);
	map_anon(p, 0x50000000, 0x4000);
	fill(p, 0x50000000, 2, 0x2000);
	c = fork_task(p, "c");
	out = numa_maps(p);
	assert_string_equal(out, golden);
	free(out);
	free(golden);
	foliage_file_put(f);
	assert_int_equal(foliage_exit(c), 0);
	assert_int_equal(foliage_exit(p), 0);
}

/* Two nodes: N0= and N1=, and each policy as mpol_to_str() spells it. */
static void test_numa_maps_policies(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	char *out;

	map_anon(t, 0x10000000, 0x4000);
	map_anon(t, 0x20000000, 0x4000);
	map_anon(t, 0x30000000, 0x4000);
	assert_int_equal(foliage_mbind(t, 0x10000000, 0x4000,
				       FOLIAGE_MPOL_INTERLEAVE, 3, 0), 0);
	assert_int_equal(foliage_mbind(t, 0x20000000, 0x4000,
				       FOLIAGE_MPOL_PREFERRED, 2, 0), 0);
	assert_int_equal(foliage_set_mempolicy(t, FOLIAGE_MPOL_BIND, 2), 0);
	fill(t, 0x10000000, 'x', 0x4000);
	fill(t, 0x20000000, 'y', 0x4000);
	fill(t, 0x30000000, 'z', 0x1000);
	out = numa_maps(t);
	assert_string_equal(out,
		"10000000 interleave:0-1 anon=4 dirty=4 active=0 N0=2 N1=2 "
		"kernelpagesize_kB=4\n"
		"20000000 prefer:1 anon=4 dirty=4 active=0 N1=4 "
		"kernelpagesize_kB=4\n"
		"30000000 bind:1 anon=1 dirty=1 active=0 N1=1 "
		"kernelpagesize_kB=4\n");
	free(out);
	assert_int_equal(foliage_exit(t), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_numa_maps_golden, setup1,
						teardown),
		cmocka_unit_test_setup_teardown(test_numa_maps_policies, setup2,
						teardown),
	};

	(void)setup;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
