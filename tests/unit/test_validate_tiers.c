// SPDX-License-Identifier: GPL-2.0
/*
 * Debug validation proportional to the operation (linux/validate.h) keeps
 * its detection power:
 *
 *   - a corruption of something an operation touched (a folio whose
 *     mapcounts it changed, a zone whose free lists it changed, the mm it
 *     ran on) is reported by that very operation;
 *   - a corruption elsewhere is not looked for by the operations that do
 *     not touch it, and is reported by the debug.validate_every-th
 *     operation's full walk, or by foliage_validate() (scenario `check`);
 *   - debug.validate_every=1 walks the whole machine after every
 *     operation.
 */
#include "pt_helpers.h"

#define BASE		(1UL << 30)
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON_FIXED	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | \
			 FOLIAGE_MAP_FIXED)
#define PG(n)		((unsigned long)(n) * PAGE_SIZE)
#define NEVER		(1L << 30)	/* a period no test reaches */

static void set_every(struct foliage_machine *m, long every)
{
	char buf[32];
	long v = 0;

	snprintf(buf, sizeof(buf), "%ld", every);
	assert_int_equal(foliage_set(m, "debug.validate_every", buf), 0);
	assert_int_equal(foliage_get(m, "debug.validate_every", &v), 0);
	assert_int_equal(v, every);
}

/* A task with @pages anonymous pages written at BASE. */
static struct foliage_task *task_with_pages(struct foliage_machine *m,
					    const char *name,
					    unsigned int pages)
{
	struct foliage_task *t = new_task(m, name);
	unsigned int i;

	map(t, BASE, PG(pages), RW, ANON_FIXED, NULL, 0);
	for (i = 0; i < pages; i++)
		fill(t, BASE + PG(i), 1, (unsigned char)(i + 1));
	return t;
}

/* Nothing reported yet; then let the machine go without the checks. */
static void assert_no_bug(struct foliage_machine *m)
{
	if (foliage_bugs(m))
		fail_msg("bug too early: %s", foliage_first_bug(m));
}

static void destroy_broken(struct foliage_machine *m)
{
	foliage_machine_destroy(m);
}

static void test_knob_range(void **state)
{
	struct foliage_machine *m = pt_machine(1, 64);
	long v = 0;

	(void)state;
	assert_int_equal(foliage_get(m, "debug.validate_every", &v), 0);
	assert_int_equal(v, m->debug_full ? 1 : VALIDATE_EVERY_DEFAULT);
	assert_int_equal(foliage_set(m, "debug.validate_every", "0"), -ERANGE);
	set_every(m, 1);
	set_every(m, 1000);
	pt_machine_done(m);
}

/* A mapcount the operation changed, off by one: that operation says so. */
static void test_touched_folio_caught_by_its_op(void **state)
{
	struct foliage_machine *m = pt_machine(1, 64);
	struct foliage_task *p, *c;
	struct page *page;

	(void)state;
	set_every(m, NEVER);
	p = task_with_pages(m, "p", 4);
	assert_no_bug(m);
	page = page_at(p, BASE + PG(2));
	assert_non_null(page);
	atomic_inc(&page->_mapcount);		/* the "bug" */
	/* fork duplicates every mapping of p: page 2's folio is touched. */
	c = fork_task(p, "c");
	assert_non_null(c);
	assert_true(foliage_bugs(m) > 0);
	assert_non_null(strstr(foliage_first_bug(m), "mapcount"));
	atomic_dec(&page->_mapcount);
	destroy_broken(m);
}

/* A free-list count the allocation path changed: caught by the alloc. */
static void test_touched_zone_caught_by_its_op(void **state)
{
	struct foliage_machine *m = pt_machine(1, 64);
	struct zone *zone = test_zone(m, 0, ZONE_NORMAL);
	unsigned long pfn;

	(void)state;
	assert_true(populated_zone(zone));
	set_every(m, NEVER);
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_KERNEL, 0, 0,
					     &pfn), 0);
	assert_no_bug(m);
	zone->free_area[MAX_PAGE_ORDER].nr_free++;	/* the "bug" */
	assert_int_equal(foliage_free_pages(m, pfn, 0, 0), 0);
	assert_int_equal(foliage_drain_pages(m), 0);
	assert_true(foliage_bugs(m) > 0);
	assert_non_null(strstr(foliage_first_bug(m), "nr_free"));
	zone->free_area[MAX_PAGE_ORDER].nr_free--;
	destroy_broken(m);
}

/* The RSS of the mm an operation ran on is recounted after it. */
static void test_touched_mm_caught_by_its_op(void **state)
{
	struct foliage_machine *m = pt_machine(1, 64);
	struct foliage_task *p;

	(void)state;
	set_every(m, NEVER);
	p = task_with_pages(m, "p", 2);
	assert_no_bug(m);
	atomic_long_add(1, &p->task.mm->rss_stat[MM_ANONPAGES]);
	/* Reads a page already mapped: no folio, no zone, only the mm. */
	touch_read(p, BASE, PG(1));
	assert_true(foliage_bugs(m) > 0);
	assert_non_null(strstr(foliage_first_bug(m), "rss_stat"));
	atomic_long_add(-1, &p->task.mm->rss_stat[MM_ANONPAGES]);
	destroy_broken(m);
}

/*
 * A mapcount no operation touches: the operations on another task pass
 * it by, the full walk of the every-th operation reports it.
 */
static void test_untouched_caught_by_nth_walk(void **state)
{
	struct foliage_machine *m = pt_machine(1, 64);
	struct foliage_task *a, *b;
	unsigned long op;
	struct page *page;
	unsigned int i;

	(void)state;
	set_every(m, 8);
	a = task_with_pages(m, "a", 1);
	b = task_with_pages(m, "b", 1);
	assert_no_bug(m);
	page = page_at(b, BASE);
	atomic_inc(&page->_mapcount);		/* the "bug", in b */
	for (i = 0; i < 8; i++) {
		op = m->validate_ops + 1;	/* the next operation's number */
		touch_read(a, BASE, PG(1));
		if (op % 8) {
			assert_no_bug(m);
			continue;
		}
		assert_true(foliage_bugs(m) > 0);
		assert_non_null(strstr(foliage_first_bug(m), "mapcount"));
		break;
	}
	assert_true(i < 8);
	atomic_dec(&page->_mapcount);
	destroy_broken(m);
}

/* The same corruption, reported at once by foliage_validate(). */
static void test_untouched_caught_by_validate(void **state)
{
	struct foliage_machine *m = pt_machine(1, 64);
	struct foliage_task *a, *b;
	struct page *page;

	(void)state;
	set_every(m, NEVER);
	a = task_with_pages(m, "a", 1);
	b = task_with_pages(m, "b", 1);
	page = page_at(b, BASE);
	atomic_inc(&page->_mapcount);
	touch_read(a, BASE, PG(1));
	assert_no_bug(m);
	assert_int_not_equal(foliage_validate(m), 0);
	assert_true(foliage_bugs(m) > 0);
	atomic_dec(&page->_mapcount);
	destroy_broken(m);
}

/* debug.validate_every=1: the whole machine after every operation. */
static void test_every_op_full_walk(void **state)
{
	struct foliage_machine *m = pt_machine(1, 64);
	struct foliage_task *a, *b;
	struct page *page;

	(void)state;
	set_every(m, 1);
	a = task_with_pages(m, "a", 1);
	b = task_with_pages(m, "b", 1);
	assert_no_bug(m);
	page = page_at(b, BASE);
	atomic_inc(&page->_mapcount);
	touch_read(a, BASE, PG(1));
	assert_true(foliage_bugs(m) > 0);
	atomic_dec(&page->_mapcount);
	destroy_broken(m);
}

/* An operation that touches more than the record holds walks it all. */
static void test_overflow_walks_all(void **state)
{
	struct foliage_machine *m = pt_machine(1, 64);
	struct foliage_task *a, *b;
	struct page *page;

	(void)state;
	set_every(m, NEVER);
	a = task_with_pages(m, "a", OP_TOUCHED_FOLIOS + 1);
	b = task_with_pages(m, "b", 1);
	page = page_at(b, BASE);
	atomic_inc(&page->_mapcount);
	touch_read(a, BASE, PG(1));
	assert_no_bug(m);
	/* Unmapping them all changes more folios than are listed. */
	assert_int_equal(foliage_munmap(a, BASE, PG(OP_TOUCHED_FOLIOS + 1)), 0);
	assert_true(foliage_bugs(m) > 0);
	atomic_dec(&page->_mapcount);
	destroy_broken(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_knob_range),
		cmocka_unit_test(test_touched_folio_caught_by_its_op),
		cmocka_unit_test(test_touched_zone_caught_by_its_op),
		cmocka_unit_test(test_touched_mm_caught_by_its_op),
		cmocka_unit_test(test_untouched_caught_by_nth_walk),
		cmocka_unit_test(test_untouched_caught_by_validate),
		cmocka_unit_test(test_every_op_full_walk),
		cmocka_unit_test(test_overflow_walks_all),
	};

	const struct CMUnitTest release_tests[] = {
		cmocka_unit_test(test_knob_range),
	};

	/* Release builds validate nothing after an operation. */
	if (!foliage_debug_vm())
		return cmocka_run_group_tests(release_tests, NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
