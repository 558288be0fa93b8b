// SPDX-License-Identifier: GPL-2.0
/*
 * Faults on memfd (shmem) mappings: a shared write maps the page-cache
 * folio writable and dirty; a read maps what the cache holds around the
 * fault (fault_around_bytes = 64K, clamped to the VMA and PTE table); a
 * private write copies into a new anonymous folio and leaves the file as
 * it was.
 *
 *   FILE_AT: MAP_SHARED view of the 1 MiB file, used to fill the cache
 *   PRIV_AT: MAP_PRIVATE view of the same file
 */
#include "pt_helpers.h"
#include <linux/rmap.h>
#include <linux/shmem_fs.h>
#include "task.h"

#define FILE_AT		(1UL << 30)
#define PRIV_AT		(FILE_AT + 64 * MB)
#define FILE_LEN	(1 * MB)

struct fixture {
	struct foliage_machine *m;	/* the machine */
	struct foliage_task *task;	/* one task */
	struct foliage_file *file;	/* the memfd */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->m = pt_machine(1, 256);
	f->task = new_task(f->m, "file");
	assert_int_equal(foliage_file_create(f->m, "data", FILE_LEN, &f->file),
			 0);
	map(f->task, FILE_AT, FILE_LEN, FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
	    FOLIAGE_MAP_SHARED | FOLIAGE_MAP_FIXED, f->file, 0);
	map(f->task, PRIV_AT, FILE_LEN, FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
	    FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_FIXED, f->file, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(foliage_exit(f->task), 0);
	foliage_file_put(f->file);
	pt_machine_done(f->m);
	free(f);
	return 0;
}

/* A shared write fault maps the cache folio itself, writable and dirty. */
static void test_fault_shared_write(void **state)
{
	struct fixture *f = *state;
	unsigned long pgfault = vmstat(f->m, "pgfault");
	struct folio *folio;
	bool huge;
	u64 pte;

	fill(f->task, FILE_AT + 3 * PAGE_SIZE + 1, 's', 2);
	assert_int_equal(vmstat(f->m, "pgfault"), pgfault + 1);
	pte = entry_at(f->task, FILE_AT + 3 * PAGE_SIZE, &huge);
	assert_int_equal(pte & PTE_FLAGS_MASK,
			 _PAGE_PRESENT | _PAGE_RW | _PAGE_USER |
			 _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_SOFT_DIRTY |
			 _PAGE_NX);
	folio = page_folio(page_at(f->task, FILE_AT + 3 * PAGE_SIZE));
	assert_false(folio_test_anon(folio));
	assert_true(folio_test_dirty(folio));
	/* The cache's reference and the mapping's. */
	assert_int_equal(folio_ref_count(folio), 2);
	assert_int_equal(folio_mapcount(folio), 1);
	assert_int_equal(get_mm_counter(f->task->task.mm, MM_SHMEMPAGES), 1);
	assert_int_equal(entry_at(f->task, FILE_AT + 4 * PAGE_SIZE, &huge), 0);
}

/*
 * A private read maps the 16 cached pages of the 64K block around the
 * fault in one go (young, read-only); where nothing is cached, just the
 * page faulted on.
 */
static void test_fault_read_fault_around(void **state)
{
	struct fixture *f = *state;
	unsigned long pgfault;
	struct smaps_vma v;
	bool huge;
	u64 pte;
	int i;

	fill(f->task, FILE_AT, 'f', 64 * KB);
	pgfault = vmstat(f->m, "pgfault");
	touch_read(f->task, PRIV_AT + 5 * PAGE_SIZE, PAGE_SIZE);
	assert_int_equal(vmstat(f->m, "pgfault"), pgfault + 1);
	v = smaps_at(f->task, PRIV_AT);
	assert_int_equal(v.mss.resident, 64 * KB);
	for (i = 0; i < 16; i++) {
		pte = entry_at(f->task, PRIV_AT + i * PAGE_SIZE, &huge);
		assert_int_equal(pte & PTE_FLAGS_MASK,
				 _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED |
				 _PAGE_NX);
		assert_int_equal(pfn_at(f->task, PRIV_AT + i * PAGE_SIZE),
				 pfn_at(f->task, FILE_AT + i * PAGE_SIZE));
	}
	expect_fill(f->task, PRIV_AT, 'f', 64 * KB);
	assert_int_equal(vmstat(f->m, "pgfault"), pgfault + 1);

	/* Nothing cached around page 100: one page, allocated by ->fault. */
	touch_read(f->task, PRIV_AT + 100 * PAGE_SIZE, PAGE_SIZE);
	assert_int_equal(smaps_at(f->task, PRIV_AT).mss.resident,
			 64 * KB + PAGE_SIZE);
}

/*
 * A private write copies the file page into an anonymous folio: the file
 * and the shared view keep the old bytes.
 */
static void test_fault_private_write_cows(void **state)
{
	struct fixture *f = *state;
	struct mm_struct *mm = f->task->task.mm;
	struct page *anon;

	fill(f->task, FILE_AT, 'f', 2 * PAGE_SIZE);
	/* Write fault on a missing PTE: do_cow_fault. */
	fill(f->task, PRIV_AT + 7, 'p', 1);
	anon = page_at(f->task, PRIV_AT);
	assert_true(folio_test_anon(page_folio(anon)));
	assert_true(PageAnonExclusive(anon));
	expect_fill(f->task, PRIV_AT, 'f', 7);
	expect_fill(f->task, PRIV_AT + 7, 'p', 1);
	expect_fill(f->task, PRIV_AT + 8, 'f', PAGE_SIZE - 8);
	expect_fill(f->task, FILE_AT, 'f', PAGE_SIZE);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 1);

	/* Read first (maps the cache page), then write: do_wp_page copy. */
	touch_read(f->task, PRIV_AT + PAGE_SIZE, PAGE_SIZE);
	assert_int_equal(pfn_at(f->task, PRIV_AT + PAGE_SIZE),
			 pfn_at(f->task, FILE_AT + PAGE_SIZE));
	fill(f->task, PRIV_AT + PAGE_SIZE, 'q', 1);
	assert_int_not_equal(pfn_at(f->task, PRIV_AT + PAGE_SIZE),
			     pfn_at(f->task, FILE_AT + PAGE_SIZE));
	assert_true(folio_test_anon(page_folio(page_at(f->task,
						PRIV_AT + PAGE_SIZE))));
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 2);
	expect_fill(f->task, FILE_AT + PAGE_SIZE, 'f', 1);
	expect_fill(f->task, PRIV_AT + PAGE_SIZE + 1, 'f', PAGE_SIZE - 1);
}

/* fork copies no PTE of a shared file mapping: the child faults them. */
static void test_fault_file_fork(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child;
	bool huge;

	fill(f->task, FILE_AT, 'a', PAGE_SIZE);
	child = fork_task(f->task, "child");
	assert_int_equal(entry_at(child, FILE_AT, &huge), 0);
	fill(child, FILE_AT + 1, 'b', 1);
	expect_fill(f->task, FILE_AT, 'a', 1);
	expect_fill(f->task, FILE_AT + 1, 'b', 1);
	assert_int_equal(pfn_at(child, FILE_AT), pfn_at(f->task, FILE_AT));
	assert_int_equal(foliage_exit(child), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fault_shared_write, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fault_read_fault_around,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_private_write_cows,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_file_fork, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
