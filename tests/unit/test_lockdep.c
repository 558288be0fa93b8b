// SPDX-License-Identifier: GPL-2.0
/*
 * lockdep-lite (include/linux/lockdep.h): in debug builds an inverted
 * pair of locks, a sleep under a spinlock and a "caller holds" function
 * called without its lock are each reported as a foliage bug, and the
 * right order, nesting in one class and trylocks are not; spinlocks record
 * their owner.  In release builds the machinery is absent: spinlock_t is
 * one byte and nothing is reported.
 */
#include <unistd.h>

#include "pt_helpers.h"
#include "rmap_helpers.h"

static struct foliage_machine *m;
static struct foliage_task *t;

#define BASE		0x20000000UL
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON_FIXED	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_FIXED | \
			 FOLIAGE_MAP_ANONYMOUS)

static int setup(void **state)
{
	m = pt_machine(1, 64);
	t = new_task(m, "t");
	map(t, BASE, 4 * PAGE_SIZE, RW, ANON_FIXED, NULL, 0);
	assert_int_equal(machine_enter(m), 0);
	return 0;
}

static int teardown(void **state)
{
	exit_all_tasks(m);
	pt_machine_done(m);
	return 0;
}

/* The bugs reported since the last call, the first one's text in @msg. */
static unsigned long take_bugs(char *msg, size_t len)
{
	unsigned long n = foliage_bugs(m);

	if (msg)
		snprintf(msg, len, "%s", n ? foliage_first_bug(m) : "");
	/* Reset, as if the machine were fresh: the tests provoke bugs. */
	m->nr_bugs = 0;
	m->first_bug[0] = 0;
	return n;
}

#ifdef CONFIG_DEBUG_VM
static struct zone *zone0(void)
{
	return &NODE_DATA(0)->node_zones[ZONE_NORMAL];
}

/* mmap_lock taken under a PTL: reported, naming both. */
static void test_inverted_mmap_lock_under_ptl(void **state)
{
	struct mm_struct *mm = t->task.mm;
	char msg[FOLIAGE_BUG_MSG_LEN];

	spin_lock(&mm->page_table_lock);
	mmap_read_lock(mm);
	mmap_read_unlock(mm);
	spin_unlock(&mm->page_table_lock);
	assert_int_equal(take_bugs(msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "lock order: mmap_lock"));
	assert_non_null(strstr(msg, "while holding PTL"));
	assert_int_equal(lockdep_depth(), 0);
}

/* A pcp lock taken under the zone lock: reported. */
static void test_inverted_pcp_under_zone(void **state)
{
	struct zone *zone = zone0();
	char msg[FOLIAGE_BUG_MSG_LEN];

	spin_lock(&zone->lock);
	spin_lock(&zone->per_cpu_pageset[0].lock);
	spin_unlock(&zone->per_cpu_pageset[0].lock);
	spin_unlock(&zone->lock);
	assert_int_equal(take_bugs(msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "pcp lock"));
	assert_non_null(strstr(msg, "while holding zone lock"));
}

/*
 * The folio lock's place: under mmap_lock and before the anon_vma lock
 * and the PTL is right; a folio lock taken under the PTL is an inversion,
 * and so is one taken under the anon_vma lock.
 */
static void test_folio_lock_place(void **state)
{
	struct mm_struct *mm = t->task.mm;
	struct folio *folio;
	char msg[FOLIAGE_BUG_MSG_LEN];

	fill(t, BASE, 'x', PAGE_SIZE);
	folio = folio_at(t, BASE);
	mmap_read_lock(mm);
	folio_lock(folio);
	anon_vma_lock_read(folio_anon_vma(folio));
	spin_lock(&mm->page_table_lock);
	spin_unlock(&mm->page_table_lock);
	anon_vma_unlock_read(folio_anon_vma(folio));
	folio_unlock(folio);
	mmap_read_unlock(mm);
	assert_int_equal(take_bugs(NULL, 0), 0);

	spin_lock(&mm->page_table_lock);
	/* A trylock cannot deadlock: never an inversion. */
	assert_true(folio_trylock(folio));
	folio_unlock(folio);
	assert_int_equal(take_bugs(NULL, 0), 0);
	folio_lock(folio);
	folio_unlock(folio);
	spin_unlock(&mm->page_table_lock);
	/* The inversion, and the sleep under a spinlock. */
	assert_int_equal(take_bugs(msg, sizeof(msg)), 2);
	assert_non_null(strstr(msg, "sleeping while holding PTL"));

	anon_vma_lock_write(folio_anon_vma(folio));
	folio_lock(folio);
	folio_unlock(folio);
	anon_vma_unlock_write(folio_anon_vma(folio));
	assert_int_equal(take_bugs(msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "lock order: folio lock"));
	assert_non_null(strstr(msg, "while holding anon_vma lock"));
}

/* Locks of one class nest (fork holds two mmap_locks); no report. */
static void test_same_class_nests(void **state)
{
	struct foliage_task *u = new_task(m, "u");

	assert_int_equal(machine_enter(m), 0);
	mmap_write_lock(t->task.mm);
	mmap_write_lock(u->task.mm);
	mmap_assert_write_locked(t->task.mm);
	mmap_assert_write_locked(u->task.mm);
	mmap_write_unlock(u->task.mm);
	mmap_write_unlock(t->task.mm);
	assert_int_equal(take_bugs(NULL, 0), 0);
	assert_int_equal(foliage_exit(u), 0);
	assert_int_equal(machine_enter(m), 0);
}

/*
 * A "caller holds" function called without its lock: should_fail()
 * (caller holds attr->lock, a spinlock) and handle_mm_fault() (caller
 * holds mmap_lock, a sleeping lock).  A read lock is not a write lock.
 */
static void test_missing_lock_reported(void **state)
{
	struct mm_struct *mm = t->task.mm;
	struct vm_area_struct *vma;
	char msg[FOLIAGE_BUG_MSG_LEN];

	should_fail(&m->fault_inject->fail_page_alloc);
	assert_int_equal(take_bugs(msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "lockdep_assert_held(&attr->lock)"));
	assert_non_null(strstr(msg, "fail_page_alloc.c"));

	spin_lock(&m->fault_inject->fail_page_alloc.lock);
	should_fail(&m->fault_inject->fail_page_alloc);
	spin_unlock(&m->fault_inject->fail_page_alloc.lock);
	assert_int_equal(take_bugs(NULL, 0), 0);

	vma = vma_lookup(mm, BASE);
	assert_non_null(vma);
	handle_mm_fault(vma, BASE + PAGE_SIZE, FAULT_FLAG_USER);
	assert_int_equal(take_bugs(msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "mmap_lock"));
	assert_non_null(strstr(msg, "not held"));

	mmap_read_lock(mm);
	mmap_assert_locked(mm);
	assert_int_equal(take_bugs(NULL, 0), 0);
	mmap_assert_write_locked(mm);
	mmap_read_unlock(mm);
	assert_int_equal(take_bugs(msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "lockdep_assert_held_write"));
}

/*
 * A __foo() whose caller must hold zone->lock, called without it:
 * __isolate_free_page() takes a free block off its list and
 * __putback_isolated_page() returns it; each reports the missing lock.
 */
static void test_missing_zone_lock_in_dunder(void **state)
{
	struct zone *zone = zone0();
	const unsigned int order = 2;
	struct page *page = NULL;
	char msg[FOLIAGE_BUG_MSG_LEN];
	int mt;

	spin_lock(&zone->lock);
	for (mt = 0; mt < MIGRATE_PCPTYPES && !page; mt++)
		if (!list_empty(&zone->free_area[order].free_list[mt]))
			page = list_first_entry(
				&zone->free_area[order].free_list[mt],
				struct page, lru);
	spin_unlock(&zone->lock);
	assert_non_null(page);
	mt = get_pageblock_migratetype(page);

	assert_int_equal(__isolate_free_page(page, order), 1 << order);
	assert_int_equal(take_bugs(msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "lockdep_assert_held(&zone->lock)"));
	/* It and the __free_one_page() it calls: two reports. */
	__putback_isolated_page(page, order, mt);
	assert_int_equal(take_bugs(msg, sizeof(msg)), 2);
	assert_non_null(strstr(msg, "lockdep_assert_held(&zone->lock)"));

	/* With the lock, as the callers do: nothing to report. */
	spin_lock(&zone->lock);
	assert_int_equal(__isolate_free_page(page, order), 1 << order);
	__putback_isolated_page(page, order, mt);
	spin_unlock(&zone->lock);
	assert_int_equal(take_bugs(NULL, 0), 0);
}

/* A spinlock records its holder's tid while held. */
static void test_spinlock_owner(void **state)
{
	struct zone *zone = zone0();

	assert_int_equal(spin_lock_owner(&zone->lock), 0);
	spin_lock(&zone->lock);
	assert_int_equal(spin_lock_owner(&zone->lock), gettid());
	lockdep_assert_held(&zone->lock);
	assert_int_equal(lockdep_depth(), 1);
	spin_unlock(&zone->lock);
	assert_int_equal(spin_lock_owner(&zone->lock), 0);
	assert_int_equal(lockdep_depth(), 0);
	assert_int_equal(take_bugs(NULL, 0), 0);
}
#else
/* Release builds: no owner, no class, no checks. */
static void test_release_pays_nothing(void **state)
{
	struct mm_struct *mm = t->task.mm;

	assert_int_equal(sizeof(spinlock_t), 1);
	spin_lock(&mm->page_table_lock);
	mmap_read_lock(mm);
	mmap_read_unlock(mm);
	spin_unlock(&mm->page_table_lock);
	should_fail(&m->fault_inject->fail_page_alloc);
	assert_int_equal(take_bugs(NULL, 0), 0);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
#ifdef CONFIG_DEBUG_VM
		cmocka_unit_test(test_inverted_mmap_lock_under_ptl),
		cmocka_unit_test(test_inverted_pcp_under_zone),
		cmocka_unit_test(test_folio_lock_place),
		cmocka_unit_test(test_same_class_nests),
		cmocka_unit_test(test_missing_lock_reported),
		cmocka_unit_test(test_missing_zone_lock_in_dunder),
		cmocka_unit_test(test_spinlock_owner),
#else
		cmocka_unit_test(test_release_pays_nothing),
#endif
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
