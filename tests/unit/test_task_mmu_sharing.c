// SPDX-License-Identifier: GPL-2.0
/*
 * smaps after fork: what sharing does to Pss, Shared/Private, Referenced
 * and AnonHugePages, for small pages and a PMD-mapped THP, with the
 * fixed-point Pss of pages shared three ways.
 */
#include "pt_helpers.h"

#define RW	(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | FOLIAGE_MAP_FIXED)
#define BASE	0x7f0000000000UL

static struct foliage_machine *m;

/* The fixture's machine, for the helpers below. */
static int setup(void **state)
{
	task_fixture_setup(state);
	m = ((struct task_fixture *)*state)->m;
	return 0;
}

/*
 * Four written pages, then fork: each task has them all shared (Pss half
 * the Rss).  The child's PTEs are old (copy_present_ptes() makes them so)
 * and nothing set PG_referenced, so its Referenced is 0.  A child write
 * makes one page private in both.
 */
static void test_fork_small_pages(void **state)
{
	struct foliage_task *parent = new_task(m, "parent"), *child;
	struct smaps_vma p, c;

	(void)state;
	map(parent, BASE, 4 * PAGE_SIZE, RW, ANON, NULL, 0);
	fill(parent, BASE, 0x12, 4 * PAGE_SIZE);
	child = fork_task(parent, "child");

	p = smaps_at(parent, BASE);
	c = smaps_at(child, BASE);
	assert_int_equal(kb(p.mss.resident), 16);
	assert_int_equal(pss_kb(p.mss.pss), 8);
	assert_int_equal(pss_kb(p.mss.pss_dirty), 8);
	assert_int_equal(kb(p.mss.shared_dirty), 16);
	assert_int_equal(kb(p.mss.private_dirty), 0);
	assert_int_equal(kb(p.mss.anonymous), 16);
	assert_int_equal(kb(p.mss.referenced), 16);
	assert_int_equal(kb(c.mss.resident), 16);
	assert_int_equal(pss_kb(c.mss.pss), 8);
	assert_int_equal(kb(c.mss.shared_dirty), 16);
	assert_int_equal(kb(c.mss.referenced), 0);

	fill(child, BASE, 0x34, 1);
	p = smaps_at(parent, BASE);
	c = smaps_at(child, BASE);
	assert_int_equal(kb(c.mss.private_dirty), 4);
	assert_int_equal(kb(c.mss.shared_dirty), 12);
	assert_int_equal(pss_kb(c.mss.pss), 10);
	assert_int_equal(kb(c.mss.referenced), 4);
	assert_int_equal(kb(p.mss.private_dirty), 4);
	assert_int_equal(kb(p.mss.shared_dirty), 12);
	assert_int_equal(pss_kb(p.mss.pss), 10);
	expect_fill(parent, BASE, 0x12, 1);

	assert_int_equal(foliage_exit(child), 0);
	p = smaps_at(parent, BASE);
	assert_int_equal(pss_kb(p.mss.pss), 16);
	assert_int_equal(kb(p.mss.private_dirty), 16);
	assert_int_equal(foliage_exit(parent), 0);
}

/*
 * Three pages shared by three tasks: each is PAGE_SIZE / 3 of Pss, in
 * 12-bit fixed point, so the three make 4095.99 bytes: 3 kB, in smaps and
 * in smaps_rollup alike.
 */
static void test_pss_three_ways(void **state)
{
	struct foliage_task *a = new_task(m, "a"), *b, *c;
	char *text = NULL, *line;
	struct smaps_vma v;
	unsigned long pss;

	(void)state;
	map(a, BASE, 3 * PAGE_SIZE, RW, ANON, NULL, 0);
	fill(a, BASE, 1, 3 * PAGE_SIZE);
	b = fork_task(a, "b");
	c = fork_task(a, "c");
	v = smaps_at(c, BASE);
	assert_int_equal(kb(v.mss.resident), 12);
	assert_int_equal(kb(v.mss.shared_dirty), 12);
	assert_int_equal(pss_kb(v.mss.pss), 3);
	assert_int_equal(foliage_render_task(c, "smaps_rollup", 0, &text), 0);
	line = strstr(text, "\nPss:");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "\nPss: %lu kB", &pss), 1);
	assert_int_equal(pss, 3);
	free(text);
	assert_int_equal(foliage_exit(c), 0);
	assert_int_equal(pss_kb(smaps_at(a, BASE).mss.pss), 6);
	assert_int_equal(foliage_exit(b), 0);
	assert_int_equal(foliage_exit(a), 0);
}

/*
 * A PMD-mapped THP shared by fork: 2 MiB of AnonHugePages in each task,
 * every page counted through the PMD mapping (entire mapcount 2): Pss is
 * half.  A write in the child splits and copies just one page.
 */
static void test_fork_thp(void **state)
{
	struct foliage_task *parent = new_task(m, "parent"), *child;
	struct smaps_vma p, c;
	bool huge;

	(void)state;
	map(parent, BASE, 2 * MB, RW, ANON, NULL, 0);
	assert_int_equal(foliage_madvise(parent, BASE, 2 * MB,
					 FOLIAGE_MADV_HUGEPAGE), 0);
	fill(parent, BASE, 0x56, 2 * MB);
	assert_true(entry_at(parent, BASE, &huge) && huge);
	p = smaps_at(parent, BASE);
	assert_int_equal(kb(p.mss.anonymous_thp), 2048);
	assert_int_equal(pss_kb(p.mss.pss), 2048);
	assert_true(p.thp_eligible);

	child = fork_task(parent, "child");
	p = smaps_at(parent, BASE);
	c = smaps_at(child, BASE);
	assert_int_equal(kb(p.mss.anonymous_thp), 2048);
	assert_int_equal(kb(c.mss.anonymous_thp), 2048);
	assert_int_equal(pss_kb(p.mss.pss), 1024);
	assert_int_equal(pss_kb(c.mss.pss), 1024);
	assert_int_equal(kb(c.mss.shared_dirty), 2048);
	assert_int_equal(kb(c.mss.referenced), 0);

	fill(child, BASE + 5 * PAGE_SIZE, 0x78, 1);
	c = smaps_at(child, BASE);
	assert_true(entry_at(child, BASE, &huge) && !huge);
	assert_int_equal(kb(c.mss.anonymous_thp), 0);
	assert_int_equal(kb(c.mss.resident), 2048);
	assert_int_equal(kb(c.mss.private_dirty), 4);
	assert_int_equal(kb(c.mss.shared_dirty), 2044);
	assert_int_equal(pss_kb(c.mss.pss), 4 + 1022);
	p = smaps_at(parent, BASE);
	assert_int_equal(kb(p.mss.anonymous_thp), 2048);
	expect_fill(parent, BASE + 5 * PAGE_SIZE, 0x56, 1);

	assert_int_equal(foliage_exit(child), 0);
	assert_int_equal(foliage_exit(parent), 0);
}

#define FIXTURE_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, setup, task_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_fork_small_pages),
		FIXTURE_TEST(test_pss_three_ways),
		FIXTURE_TEST(test_fork_thp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
