// SPDX-License-Identifier: GPL-2.0
/*
 * FOLL_PIN pins through foliage_pin()/foliage_unpin(): the refcount bias
 * of small folios, _pincount of large ones, the vmstat counters, COW
 * unsharing before a pin, fork copying pinned pages, and pins outliving
 * their mapping and their task.
 */
#include <pthread.h>

#include "pt_helpers.h"

#define RW	(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | FOLIAGE_MAP_FIXED)
#define BASE	0x40000000UL

static struct foliage_machine *m;

/* The fixture's machine, for the helpers below. */
static int setup(void **state)
{
	task_fixture_setup(state);
	m = ((struct task_fixture *)*state)->m;
	return 0;
}

static unsigned long pins_held(void)
{
	return vmstat(m, "nr_foll_pin_acquired") -
	       vmstat(m, "nr_foll_pin_released");
}

/* A small folio: +1024 references per pin, one page counted per pin. */
static void test_pin_small(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	struct folio *folio;

	(void)state;
	map(t, BASE, 4 * PAGE_SIZE, RW, ANON, NULL, 0);
	fill(t, BASE, 1, 4 * PAGE_SIZE);
	folio = page_folio(page_at(t, BASE + PAGE_SIZE));
	assert_int_equal(folio_ref_count(folio), 1);
	assert_false(folio_maybe_dma_pinned(folio));
	assert_false(test_bit(MMF_HAS_PINNED, &t->task.mm->flags));

	assert_int_equal(foliage_pin(t, BASE + PAGE_SIZE + 5, 10, true), 0);
	assert_int_equal(folio_ref_count(folio), 1 + GUP_PIN_COUNTING_BIAS);
	assert_true(folio_maybe_dma_pinned(folio));
	assert_true(test_bit(MMF_HAS_PINNED, &t->task.mm->flags));
	assert_int_equal(pins_held(), 1);
	/* Pinned twice (the second read-only): two biases. */
	assert_int_equal(foliage_pin(t, BASE, 2 * PAGE_SIZE, false), 0);
	assert_int_equal(folio_ref_count(folio), 1 + 2 * GUP_PIN_COUNTING_BIAS);
	assert_int_equal(pins_held(), 3);

	/* Unpinning by address releases every pin of those pages. */
	assert_int_equal(foliage_unpin(t, BASE + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(folio_ref_count(folio), 1);
	assert_int_equal(pins_held(), 1);
	assert_int_equal(foliage_unpin(t, BASE + PAGE_SIZE, PAGE_SIZE), -EINVAL);
	assert_int_equal(foliage_unpin(t, BASE, PAGE_SIZE), 0);
	assert_int_equal(pins_held(), 0);
	/* MMF_HAS_PINNED stays, as in Linux. */
	assert_true(test_bit(MMF_HAS_PINNED, &t->task.mm->flags));
	assert_int_equal(foliage_exit(t), 0);
	assert_int_equal(pins_held(), 0);
}

/* A PMD-mapped THP: one reference and one _pincount per pinned page. */
static void test_pin_thp(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	struct folio *folio;
	bool huge;

	(void)state;
	map(t, BASE, 2 * MB, RW, ANON, NULL, 0);
	assert_int_equal(foliage_madvise(t, BASE, 2 * MB,
					 FOLIAGE_MADV_HUGEPAGE), 0);
	fill(t, BASE, 3, 1);
	assert_true(entry_at(t, BASE, &huge) && huge);
	folio = page_folio(page_at(t, BASE));
	assert_int_equal(folio_order(folio), HPAGE_PMD_ORDER);
	assert_int_equal(folio_ref_count(folio), 1);

	assert_int_equal(foliage_pin(t, BASE + 10 * PAGE_SIZE, 3 * PAGE_SIZE,
				     true), 0);
	assert_int_equal(atomic_read(&folio->_pincount), 3);
	assert_int_equal(folio_ref_count(folio), 4);
	assert_true(folio_maybe_dma_pinned(folio));
	assert_int_equal(foliage_pin(t, BASE, 2 * MB, false), 0);
	assert_int_equal(atomic_read(&folio->_pincount), 3 + 512);
	assert_int_equal(pins_held(), 515);
	assert_int_equal(foliage_unpin(t, BASE, 2 * MB), 0);
	assert_int_equal(atomic_read(&folio->_pincount), 0);
	assert_int_equal(folio_ref_count(folio), 1);
	assert_int_equal(foliage_exit(t), 0);
	assert_int_equal(pins_held(), 0);
}

/*
 * After fork the anonymous pages are shared read-only.  A read-only pin in
 * the child unshares its page first (FAULT_FLAG_UNSHARE): the child gets
 * its own exclusive copy, the parent keeps its page.
 */
static void test_pin_unshares_cow(void **state)
{
	struct foliage_task *parent = new_task(m, "parent"), *child;
	unsigned long shared_pfn;
	struct page *page;
	char buf[4];

	(void)state;
	map(parent, BASE, 2 * PAGE_SIZE, RW, ANON, NULL, 0);
	put_bytes(parent, BASE, "abc", 4);
	put_bytes(parent, BASE + PAGE_SIZE, "xyz", 4);
	child = fork_task(parent, "child");
	shared_pfn = pfn_at(parent, BASE);
	assert_int_equal(pfn_at(child, BASE), shared_pfn);
	assert_false(PageAnonExclusive(pfn_to_page(shared_pfn)));

	assert_int_equal(foliage_pin(child, BASE, 1, false), 0);
	page = page_at(child, BASE);
	assert_int_not_equal(page_to_pfn(page), shared_pfn);
	assert_true(PageAnonExclusive(page));
	assert_true(folio_maybe_dma_pinned(page_folio(page)));
	assert_int_equal(pfn_at(parent, BASE), shared_pfn);
	get_bytes(child, BASE, buf, 4);
	assert_string_equal(buf, "abc");

	/* A write pin breaks COW by a write fault: exclusive too. */
	assert_int_equal(foliage_pin(parent, BASE + PAGE_SIZE, 1, true), 0);
	page = page_at(parent, BASE + PAGE_SIZE);
	assert_true(PageAnonExclusive(page));
	assert_int_not_equal(page_to_pfn(page), pfn_at(child, BASE + PAGE_SIZE));
	assert_true(entry_at(parent, BASE + PAGE_SIZE, &(bool){0}) & _PAGE_RW);

	assert_int_equal(foliage_unpin(child, BASE, 1), 0);
	assert_int_equal(foliage_unpin(parent, BASE + PAGE_SIZE, 1), 0);
	assert_int_equal(foliage_exit(child), 0);
	assert_int_equal(foliage_exit(parent), 0);
	assert_int_equal(pins_held(), 0);
}

/*
 * fork() copies a pinned anonymous page instead of sharing it, so the
 * pinned page stays the parent's alone: a DMA into it is never seen by
 * the child, and the child's writes never reach it.
 */
static void test_fork_copies_pinned(void **state)
{
	struct foliage_task *parent = new_task(m, "parent"), *child;
	unsigned long pinned_pfn, other_pfn;
	char buf[8];

	(void)state;
	map(parent, BASE, 2 * PAGE_SIZE, RW, ANON, NULL, 0);
	put_bytes(parent, BASE, "pinned", 7);
	put_bytes(parent, BASE + PAGE_SIZE, "other", 6);
	assert_int_equal(foliage_pin(parent, BASE, PAGE_SIZE, true), 0);
	pinned_pfn = pfn_at(parent, BASE);
	other_pfn = pfn_at(parent, BASE + PAGE_SIZE);

	child = fork_task(parent, "child");
	/* The pinned page was copied; the other one is shared. */
	assert_int_not_equal(pfn_at(child, BASE), pinned_pfn);
	assert_int_equal(pfn_at(parent, BASE), pinned_pfn);
	assert_int_equal(pfn_at(child, BASE + PAGE_SIZE), other_pfn);
	assert_true(PageAnonExclusive(pfn_to_page(pinned_pfn)));
	assert_true(entry_at(parent, BASE, &(bool){0}) & _PAGE_RW);
	get_bytes(child, BASE, buf, 7);
	assert_string_equal(buf, "pinned");

	/* A "DMA" into the pinned page: the parent sees it, the child not. */
	memcpy(foliage_pfn_to_virt(m, pinned_pfn), "device", 7);
	get_bytes(parent, BASE, buf, 7);
	assert_string_equal(buf, "device");
	get_bytes(child, BASE, buf, 7);
	assert_string_equal(buf, "pinned");

	assert_int_equal(foliage_unpin(parent, BASE, PAGE_SIZE), 0);
	assert_int_equal(foliage_exit(child), 0);
	assert_int_equal(foliage_exit(parent), 0);
	assert_int_equal(pins_held(), 0);
}

/* Pinning untouched memory read-only pins the zero page: nothing counted. */
static void test_pin_zero_page(void **state)
{
	struct foliage_task *t = new_task(m, "t");

	(void)state;
	map(t, BASE, 2 * PAGE_SIZE, RW, ANON, NULL, 0);
	assert_int_equal(foliage_pin(t, BASE, 2 * PAGE_SIZE, false), 0);
	assert_int_equal(pins_held(), 0);
	assert_true(is_zero_pfn(pfn_at(t, BASE)));
	assert_int_equal(smaps_at(t, BASE).mss.resident, 0);
	assert_int_equal(foliage_unpin(t, BASE, 2 * PAGE_SIZE), 0);
	assert_int_equal(foliage_exit(t), 0);
	assert_int_equal(pins_held(), 0);
}

/* All or nothing: a pin running into a hole leaves nothing pinned. */
static void test_pin_fails_whole(void **state)
{
	struct foliage_task *t = new_task(m, "t");

	(void)state;
	map(t, BASE, 2 * PAGE_SIZE, RW, ANON, NULL, 0);
	assert_int_equal(foliage_pin(t, BASE, 3 * PAGE_SIZE, true), -EFAULT);
	assert_int_equal(pins_held(), 0);
	assert_int_equal(folio_ref_count(page_folio(page_at(t, BASE))), 1);
	assert_int_equal(foliage_pin(t, BASE, 0, true), -EINVAL);
	/* Writing a read-only mapping is refused before any fault. */
	map(t, BASE + 4 * PAGE_SIZE, PAGE_SIZE, FOLIAGE_PROT_READ, ANON, NULL,
	    0);
	assert_int_equal(foliage_pin(t, BASE + 4 * PAGE_SIZE, 1, true),
			 -EFAULT);
	assert_int_equal(pins_held(), 0);
	assert_int_equal(foliage_exit(t), 0);
	assert_int_equal(pins_held(), 0);
}

/*
 * A pin keeps the page after munmap; the page goes back to the allocator
 * on unpin.  A task exiting with pins releases them.
 */
static void test_pin_outlives_mapping(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	unsigned long free0, pfn;
	struct folio *folio;

	(void)state;
	map(t, BASE, PAGE_SIZE, RW, ANON, NULL, 0);
	fill(t, BASE, 0x66, PAGE_SIZE);
	assert_int_equal(foliage_pin(t, BASE, PAGE_SIZE, true), 0);
	pfn = pfn_at(t, BASE);
	folio = page_folio(pfn_to_page(pfn));
	assert_int_equal(foliage_munmap(t, BASE, PAGE_SIZE), 0);
	assert_int_equal(folio_ref_count(folio), GUP_PIN_COUNTING_BIAS);
	assert_true(mem_is(foliage_pfn_to_virt(m, pfn), 0x66, PAGE_SIZE));
	assert_int_equal(foliage_drain_pages(m), 0);
	free0 = vmstat(m, "nr_free_pages");
	assert_int_equal(foliage_unpin(t, BASE, PAGE_SIZE), 0);
	assert_int_equal(foliage_drain_pages(m), 0);
	assert_int_equal(vmstat(m, "nr_free_pages"), free0 + 1);

	/* Exit with a pin held: released with the task. */
	map(t, BASE, PAGE_SIZE, RW, ANON, NULL, 0);
	fill(t, BASE, 0x67, PAGE_SIZE);
	assert_int_equal(foliage_pin(t, BASE, PAGE_SIZE, true), 0);
	assert_int_equal(pins_held(), 1);
	assert_int_equal(foliage_exit(t), 0);
	assert_int_equal(pins_held(), 0);
}

/* One CPU pinning and unpinning its own page of a shared task, over and over. */
struct pinner {
	struct foliage_task *task;	/* the task both CPUs pin in */
	unsigned long addr;		/* this CPU's page */
	int failures;			/* calls that did not return 0 */
};

static void *pin_loop(void *arg)
{
	struct pinner *p = arg;
	int i;

	for (i = 0; i < 500; i++) {
		p->failures += !!foliage_pin(p->task, p->addr, PAGE_SIZE,
					     i & 1);
		p->failures += !!foliage_unpin(p->task, p->addr, PAGE_SIZE);
	}
	return NULL;
}

/* Two CPUs pin and unpin in one task at once: the pin records hold. */
static void test_pin_concurrent(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	struct pinner p[2] = { { .task = t, .addr = BASE },
			       { .task = t, .addr = BASE + PAGE_SIZE } };
	pthread_t thread;

	(void)state;
	map(t, BASE, 2 * PAGE_SIZE, RW, ANON, NULL, 0);
	fill(t, BASE, 9, 2 * PAGE_SIZE);
	assert_int_equal(pthread_create(&thread, NULL, pin_loop, &p[1]), 0);
	pin_loop(&p[0]);
	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_int_equal(p[0].failures + p[1].failures, 0);
	assert_int_equal(pins_held(), 0);
	assert_int_equal(vmstat(m, "nr_foll_pin_acquired"), 1000);
	assert_int_equal(folio_ref_count(page_folio(page_at(t, BASE))), 1);
	assert_int_equal(foliage_exit(t), 0);
}

#define FIXTURE_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, setup, task_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_pin_small),
		FIXTURE_TEST(test_pin_thp),
		FIXTURE_TEST(test_pin_unshares_cow),
		FIXTURE_TEST(test_fork_copies_pinned),
		FIXTURE_TEST(test_pin_zero_page),
		FIXTURE_TEST(test_pin_fails_whole),
		FIXTURE_TEST(test_pin_outlives_mapping),
		FIXTURE_TEST(test_pin_concurrent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
