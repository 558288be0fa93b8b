// SPDX-License-Identifier: GPL-2.0
/*
 * foliage_page_state() (mm/pagemap.c): a page as /proc/PID/pagemap shows
 * it on Linux 6.18 (CONFIG_PAGE_MAPCOUNT), through every state a page of
 * a task goes through:
 *
 *	no VMA -> VMA, no page -> zero page (read) -> own page (write)
 *	-> shared with a fork (COW) -> own again after the child's copy
 *	-> reused by the parent's write; a shared file page; a PMD THP.
 */
#include "task_helpers.h"

#define BASE	0x200000000000UL
#define PAGE	4096UL

static struct foliage_pte_info state(struct foliage_task *t,
				     unsigned long addr)
{
	struct foliage_pte_info info;

	assert_int_equal(foliage_page_state(t, addr, &info), 0);
	return info;
}

static void touch_byte(struct foliage_task *t, unsigned long addr, bool write)
{
	unsigned char byte = 0x5a;

	if (write)
		put_bytes(t, addr, &byte, 1);
	else
		get_bytes(t, addr, &byte, 1);
}

/*
 *	page	0	1	2
 *	P	read	write	-	then fork C, C writes page 1, P writes it
 */
static void test_anon_lifecycle(void **state_)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct foliage_task *p = new_task(m, "P"), *c;
	struct foliage_pte_info s, z0, z2, pc, cc;
	unsigned long pfn;

	(void)state_;
	s = state(p, BASE);
	assert_false(s.vma);
	assert_false(s.present);
	map(p, BASE, 3 * PAGE, FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
	    FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | FOLIAGE_MAP_FIXED,
	    NULL, 0);
	s = state(p, BASE + 5);
	assert_true(s.vma);
	assert_false(s.present);
	assert_false(s.swap);

	/* A read fault maps the shared zero page: present, nothing else. */
	touch_byte(p, BASE, false);
	touch_byte(p, BASE + 2 * PAGE, false);
	z0 = state(p, BASE);
	z2 = state(p, BASE + 2 * PAGE);
	assert_true(z0.present && z0.zero);
	assert_false(z0.file || z0.exclusive || z0.anon_exclusive || z0.huge);
	assert_false(z0.write);
	assert_int_equal(z0.mapcount, 0);
	assert_int_equal(z0.pfn, z2.pfn);

	/* A write fault: a page of its own, writable and dirty. */
	touch_byte(p, BASE + PAGE, true);
	s = state(p, BASE + PAGE);
	assert_true(s.present && s.exclusive && s.anon_exclusive);
	assert_true(s.write && s.dirty && s.young);
	assert_false(s.zero || s.file || s.huge);
	assert_int_equal(s.mapcount, 1);
	pfn = s.pfn;

	/* fork: one frame, two mappings, write-protected in both. */
	c = fork_task(p, "C");
	pc = state(p, BASE + PAGE);
	cc = state(c, BASE + PAGE);
	assert_int_equal(pc.pfn, pfn);
	assert_int_equal(cc.pfn, pfn);
	assert_int_equal(pc.mapcount, 2);
	assert_false(pc.exclusive || cc.exclusive);
	assert_false(pc.anon_exclusive || cc.anon_exclusive);
	assert_false(pc.write || cc.write);
	assert_true(state(c, BASE).zero);

	/*
	 * The child's write copies: its page is its own; the parent's page
	 * is mapped once again (exclusive for pagemap) but stays
	 * write-protected and not AnonExclusive until the parent writes.
	 */
	touch_byte(c, BASE + PAGE, true);
	cc = state(c, BASE + PAGE);
	pc = state(p, BASE + PAGE);
	assert_int_not_equal(cc.pfn, pfn);
	assert_true(cc.exclusive && cc.anon_exclusive && cc.write);
	assert_int_equal(pc.pfn, pfn);
	assert_true(pc.exclusive);
	assert_false(pc.write || pc.anon_exclusive);
	touch_byte(p, BASE + PAGE, true);
	pc = state(p, BASE + PAGE);
	assert_int_equal(pc.pfn, pfn);
	assert_true(pc.write && pc.anon_exclusive && pc.exclusive);

	assert_int_equal(foliage_exit(c), 0);
	assert_int_equal(foliage_exit(p), 0);
	test_machine_done(m);
}

/* A MAP_SHARED file page: PM_FILE, one frame for both tasks. */
static void test_shared_file(void **state_)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct foliage_task *a = new_task(m, "A"), *b = new_task(m, "B");
	struct foliage_pte_info sa, sb;
	struct foliage_file *f = NULL;

	(void)state_;
	assert_int_equal(foliage_file_create(m, "f", 2 * PAGE, &f), 0);
	map(a, BASE, 2 * PAGE, FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
	    FOLIAGE_MAP_SHARED | FOLIAGE_MAP_FIXED, f, 0);
	map(b, BASE + 16 * PAGE, PAGE, FOLIAGE_PROT_READ,
	    FOLIAGE_MAP_SHARED | FOLIAGE_MAP_FIXED, f, PAGE);
	foliage_file_put(f);
	touch_byte(a, BASE + PAGE, true);
	touch_byte(b, BASE + 16 * PAGE, false);
	sa = state(a, BASE + PAGE);
	sb = state(b, BASE + 16 * PAGE);
	assert_true(sa.present && sa.file && sb.present && sb.file);
	assert_int_equal(sa.pfn, sb.pfn);
	assert_int_equal(sa.mapcount, 2);
	assert_false(sa.exclusive || sb.exclusive || sa.anon_exclusive);
	assert_false(state(a, BASE).present);
	assert_int_equal(foliage_exit(a), 0);
	assert_int_equal(foliage_exit(b), 0);
	test_machine_done(m);
}

/*
 * A PMD-mapped THP: every page is "huge", with consecutive frames; its
 * exclusivity is the PMD's first page's (entire mapcount 1, then 2 after
 * a fork shares the PMD).
 */
static void test_thp(void **state_)
{
	struct foliage_machine *m = test_machine(1, 256);
	struct foliage_task *p = new_task(m, "P"), *c;
	struct foliage_pte_info h0, h5;

	(void)state_;
	assert_int_equal(foliage_set(m, "transparent_hugepage.enabled",
				     "always"), 0);
	map(p, BASE, 4UL << 20, FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
	    FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | FOLIAGE_MAP_FIXED,
	    NULL, 0);
	touch_byte(p, BASE + 3 * PAGE, true);
	h0 = state(p, BASE);
	h5 = state(p, BASE + 5 * PAGE);
	assert_true(h0.huge && h5.huge && h0.exclusive && h5.exclusive);
	assert_true(h0.anon_exclusive && h5.anon_exclusive);
	assert_int_equal(h5.pfn, h0.pfn + 5);
	assert_int_equal(h0.pfn % 512, 0);
	assert_int_equal(h5.mapcount, 1);
	c = fork_task(p, "C");
	h5 = state(c, BASE + 5 * PAGE);
	assert_true(h5.huge);
	assert_false(h5.exclusive || h5.write);
	assert_int_equal(h5.mapcount, 2);
	assert_int_equal(foliage_exit(c), 0);
	assert_int_equal(foliage_exit(p), 0);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anon_lifecycle),
		cmocka_unit_test(test_shared_file),
		cmocka_unit_test(test_thp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
