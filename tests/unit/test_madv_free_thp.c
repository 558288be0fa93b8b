// SPDX-License-Identifier: GPL-2.0
/*
 * MADV_FREE of large folios, as Linux 6.18's madvise_free_pte_range() and
 * madvise_free_huge_pmd():
 *
 *   part of a folio (mTHP or PMD THP), mapped by this mm only
 *	split_folio(): every page its own folio, all-zero ones replaced by
 *	the shared zero page (inside the range or not), only the advised
 *	pages with data made lazyfree
 *   part of a PMD THP a fork shares		left alone
 *   part of an mTHP a fork shares		left alone
 *   a whole mTHP a fork shares (clean)	this task's PTEs cleaned, lazyfree
 *   a split that cannot be done (a pin)	split_failed, nothing changes
 *
 *   BASE            +64K              +2M               +4M
 *   |-- 64K mTHP --|                  |-- PMD THP ------|
 */
#include "pt_helpers.h"
#include <linux/huge_mm.h>

#define BASE		(1UL << 30)
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON_FIXED	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | \
			 FOLIAGE_MAP_FIXED)
#define K64		(64 * 1024UL)

static void knob(struct foliage_machine *m, const char *file,
		 const char *value)
{
	char key[96];

	snprintf(key, sizeof(key), "transparent_hugepage.%s", file);
	assert_int_equal(foliage_set(m, key, value), 0);
}

static unsigned long mthp(struct foliage_machine *m, unsigned int order,
			  enum mthp_stat_item item)
{
	return m->thp->mthp_stats[order][item];
}

static unsigned int order_at(struct foliage_task *t, unsigned long addr)
{
	return folio_order(page_folio(page_at(t, addr)));
}

static bool zero_page_at(struct foliage_task *t, unsigned long addr)
{
	return pfn_at(t, addr) == t->machine->zero_pfn;
}

/* A 64K region at BASE, one order-4 folio, with data in pages @data. */
static void map_mthp(struct task_fixture *f, const unsigned int *data,
		     unsigned int nr_data)
{
	unsigned int i;

	knob(f->m, "hugepages-64kB/enabled", "always");
	map(f->task, BASE, K64, RW, ANON_FIXED, NULL, 0);
	fill(f->task, BASE + data[0] * PAGE_SIZE, 'a' + data[0], PAGE_SIZE);
	assert_int_equal(order_at(f->task, BASE), 4);
	for (i = 1; i < nr_data; i++)
		fill(f->task, BASE + data[i] * PAGE_SIZE, 'a' + data[i],
		     PAGE_SIZE);
}

/* A PMD THP at BASE + 2M, its first @data bytes written. */
static unsigned long map_thp(struct task_fixture *f, unsigned long data)
{
	unsigned long thp = BASE + 2 * MB;

	map(f->task, thp, 2 * MB, RW, ANON_FIXED, NULL, 0);
	assert_int_equal(foliage_madvise(f->task, thp, 2 * MB,
					 FOLIAGE_MADV_HUGEPAGE), 0);
	fill(f->task, thp, 'x', data);
	assert_int_equal(order_at(f->task, thp), 9);
	return thp;
}

/*
 * Pages 4..7 of a 64K mTHP advised; data in 0, 1, 4, 5: the folio is
 * split, pages 2, 3, 6..15 (all zero) become the zero page, 4 and 5 are
 * lazyfree, 0 and 1 stay as they were.
 */
static void test_partial_mthp_splits(void **state)
{
	static const unsigned int data[] = { 0, 1, 4, 5 };
	struct task_fixture *f = *state;
	unsigned long lazy = vmstat(f->m, "pglazyfree");
	struct smaps_vma v;
	unsigned int i;

	map_mthp(f, data, 4);
	v = smaps_at(f->task, BASE);
	assert_int_equal(v.mss.resident, K64);
	assert_int_equal(foliage_madvise(f->task, BASE + 4 * PAGE_SIZE,
					 4 * PAGE_SIZE, FOLIAGE_MADV_FREE), 0);

	assert_int_equal(mthp(f->m, 4, MTHP_STAT_SPLIT), 1);
	assert_int_equal(mthp(f->m, 4, MTHP_STAT_SPLIT_FAILED), 0);
	assert_int_equal(mthp(f->m, 4, MTHP_STAT_NR_ANON), 0);
	assert_int_equal(vmstat(f->m, "thp_split_page"), 0);
	for (i = 0; i < 16; i++) {
		bool has_data = i == 0 || i == 1 || i == 4 || i == 5;

		assert_int_equal(zero_page_at(f->task, BASE + i * PAGE_SIZE),
				 !has_data);
		if (has_data)
			assert_int_equal(order_at(f->task, BASE + i * PAGE_SIZE),
					 0);
	}
	v = smaps_at(f->task, BASE);
	assert_int_equal(v.mss.resident, 4 * PAGE_SIZE);
	assert_int_equal(v.mss.anonymous, 4 * PAGE_SIZE);
	assert_int_equal(v.mss.lazyfree, 2 * PAGE_SIZE);
	assert_int_equal(v.mss.private_dirty, 2 * PAGE_SIZE);
	assert_int_equal(v.mss.private_clean, 2 * PAGE_SIZE);
	assert_int_equal(vmstat(f->m, "pglazyfree"), lazy + 2);
	assert_int_equal(get_mm_counter(f->task->task.mm, MM_ANONPAGES), 4);
	/* The bytes are what they were. */
	for (i = 0; i < 16; i++)
		expect_fill(f->task, BASE + i * PAGE_SIZE,
			    i == 0 || i == 1 || i == 4 || i == 5 ? 'a' + i : 0,
			    PAGE_SIZE);
	assert_int_equal(foliage_validate(f->m), 0);
}

/*
 * 64K..128K of a PMD THP with data in its first 1M: the PMD and the folio
 * are split, the second 1M (zero) becomes the zero page, and the 16
 * advised pages are lazyfree.
 */
static void test_partial_pmd_splits(void **state)
{
	struct task_fixture *f = *state;
	unsigned long pmd_splits = vmstat(f->m, "thp_split_pmd");
	unsigned long thp = map_thp(f, MB);
	struct smaps_vma v;
	unsigned long a;

	assert_int_equal(smaps_at(f->task, thp).mss.anonymous_thp, 2 * MB);

	assert_int_equal(foliage_madvise(f->task, thp + K64, K64,
					 FOLIAGE_MADV_FREE), 0);
	assert_int_equal(vmstat(f->m, "thp_split_page"), 1);
	assert_int_equal(vmstat(f->m, "thp_split_page_failed"), 0);
	assert_int_equal(vmstat(f->m, "thp_split_pmd"), pmd_splits + 1);
	assert_int_equal(mthp(f->m, 9, MTHP_STAT_SPLIT), 1);
	assert_int_equal(vmstat(f->m, "nr_anon_transparent_hugepages"), 0);
	v = smaps_at(f->task, thp);
	assert_int_equal(v.mss.anonymous_thp, 0);
	assert_int_equal(v.mss.resident, MB);
	assert_int_equal(v.mss.lazyfree, K64);
	for (a = thp; a < thp + 2 * MB; a += 128 * PAGE_SIZE) {
		assert_int_equal(zero_page_at(f->task, a), a >= thp + MB);
		if (a < thp + MB)
			assert_int_equal(order_at(f->task, a), 0);
	}
	expect_fill(f->task, thp, 'x', MB);
	expect_fill(f->task, thp + MB, 0, MB);
	assert_int_equal(foliage_validate(f->m), 0);
}

/* A whole PMD THP advised: it stays huge, clean and lazyfree. */
static void test_whole_pmd_lazyfree(void **state)
{
	struct task_fixture *f = *state;
	unsigned long thp = map_thp(f, PAGE_SIZE);
	struct smaps_vma v;

	assert_int_equal(foliage_madvise(f->task, thp, 2 * MB,
					 FOLIAGE_MADV_FREE), 0);
	v = smaps_at(f->task, thp);
	assert_int_equal(v.mss.anonymous_thp, 2 * MB);
	assert_int_equal(v.mss.lazyfree, 2 * MB);
	assert_int_equal(vmstat(f->m, "thp_split_page"), 0);
	assert_int_equal(order_at(f->task, thp), 9);
}

/* Part, then all, of a PMD THP a fork child shares: left alone. */
static void test_shared_pmd_left_alone(void **state)
{
	struct task_fixture *f = *state;
	unsigned long thp = map_thp(f, PAGE_SIZE);
	struct foliage_task *child;
	unsigned long pmd_splits;
	struct smaps_vma v;

	child = fork_task(f->task, "child");
	pmd_splits = vmstat(f->m, "thp_split_pmd");

	assert_int_equal(foliage_madvise(f->task, thp + K64, K64,
					 FOLIAGE_MADV_FREE), 0);
	assert_int_equal(foliage_madvise(f->task, thp, 2 * MB,
					 FOLIAGE_MADV_FREE), 0);
	assert_int_equal(vmstat(f->m, "thp_split_pmd"), pmd_splits);
	assert_int_equal(vmstat(f->m, "thp_split_page"), 0);
	v = smaps_at(f->task, thp);
	assert_int_equal(v.mss.anonymous_thp, 2 * MB);
	assert_int_equal(v.mss.lazyfree, 0);
	assert_int_equal(v.mss.shared_dirty, 2 * MB);
	assert_int_equal(order_at(child, thp), 9);
	assert_int_equal(foliage_exit(child), 0);
}

/* Part of an mTHP a fork child shares: left alone, not split. */
static void test_shared_partial_mthp_left_alone(void **state)
{
	static const unsigned int data[] = { 0 };
	struct task_fixture *f = *state;
	struct foliage_task *child;

	map_mthp(f, data, 1);
	child = fork_task(f->task, "child");
	assert_int_equal(foliage_madvise(f->task, BASE, 4 * PAGE_SIZE,
					 FOLIAGE_MADV_FREE), 0);
	assert_int_equal(mthp(f->m, 4, MTHP_STAT_SPLIT), 0);
	assert_int_equal(order_at(f->task, BASE), 4);
	assert_int_equal(smaps_at(f->task, BASE).mss.lazyfree, 0);
	assert_int_equal(foliage_exit(child), 0);
}

/*
 * A whole mTHP a fork child shares: clean, so this task's PTEs are
 * cleaned and the folio is lazyfree; the child's PTEs keep their dirty
 * bit (fork copies it), so its smaps counts no LazyFree.
 */
static void test_shared_whole_mthp_lazyfree(void **state)
{
	static const unsigned int data[] = { 0, 3 };
	struct task_fixture *f = *state;
	unsigned long lazy = vmstat(f->m, "pglazyfree");
	struct foliage_task *child;
	struct smaps_vma v;
	struct folio *folio;

	map_mthp(f, data, 2);
	child = fork_task(f->task, "child");
	folio = page_folio(page_at(f->task, BASE));
	assert_false(folio_test_dirty(folio));
	assert_int_equal(foliage_madvise(f->task, BASE, K64,
					 FOLIAGE_MADV_FREE), 0);
	assert_int_equal(order_at(f->task, BASE), 4);
	assert_false(folio_test_swapbacked(folio));
	assert_int_equal(vmstat(f->m, "pglazyfree"), lazy + 16);
	v = smaps_at(f->task, BASE);
	assert_int_equal(v.mss.lazyfree, K64);
	assert_int_equal(v.mss.shared_clean, K64);
	assert_false(entry_at(f->task, BASE, &(bool){ false }) & _PAGE_DIRTY);
	v = smaps_at(child, BASE);
	assert_int_equal(v.mss.lazyfree, 0);
	assert_int_equal(v.mss.shared_dirty, K64);
	assert_int_equal(foliage_exit(child), 0);
}

/* A pinned folio cannot be split: counted, and nothing changes. */
static void test_pinned_split_fails(void **state)
{
	static const unsigned int data[] = { 0, 5 };
	struct task_fixture *f = *state;

	map_mthp(f, data, 2);
	assert_int_equal(foliage_pin(f->task, BASE, PAGE_SIZE, true), 0);
	assert_int_equal(foliage_madvise(f->task, BASE + 4 * PAGE_SIZE,
					 4 * PAGE_SIZE, FOLIAGE_MADV_FREE), 0);
	assert_int_equal(mthp(f->m, 4, MTHP_STAT_SPLIT), 0);
	assert_int_equal(mthp(f->m, 4, MTHP_STAT_SPLIT_FAILED), 1);
	assert_int_equal(order_at(f->task, BASE), 4);
	assert_false(zero_page_at(f->task, BASE + 2 * PAGE_SIZE));
	assert_int_equal(smaps_at(f->task, BASE).mss.resident, K64);
	assert_int_equal(smaps_at(f->task, BASE).mss.lazyfree, 0);
	assert_int_equal(foliage_unpin(f->task, BASE, PAGE_SIZE), 0);
	/* Unpinned, the same advice splits it. */
	assert_int_equal(foliage_madvise(f->task, BASE + 4 * PAGE_SIZE,
					 4 * PAGE_SIZE, FOLIAGE_MADV_FREE), 0);
	assert_int_equal(mthp(f->m, 4, MTHP_STAT_SPLIT), 1);
	assert_int_equal(smaps_at(f->task, BASE).mss.resident, 2 * PAGE_SIZE);
	assert_int_equal(smaps_at(f->task, BASE).mss.lazyfree, PAGE_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TASK_TEST(test_partial_mthp_splits),
		TASK_TEST(test_partial_pmd_splits),
		TASK_TEST(test_whole_pmd_lazyfree),
		TASK_TEST(test_shared_pmd_left_alone),
		TASK_TEST(test_shared_partial_mthp_left_alone),
		TASK_TEST(test_shared_whole_mthp_lazyfree),
		TASK_TEST(test_pinned_split_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
