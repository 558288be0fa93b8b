// SPDX-License-Identifier: GPL-2.0
/*
 * Transparent huge pages on anonymous faults: the sysfs policy (global,
 * per size, madvise), Linux's alignment and VMA-size rules, the huge zero
 * folio, multi-size THP mapped by PTEs, and the fallbacks with their
 * counters.  Regions are mapped at fixed 1 GiB-aligned addresses:
 *
 *   BASE        +2M         +4M         +6M
 *   |-----------|-----------|-----------|     2M blocks a PMD can map
 */
#include "pt_helpers.h"
#include <linux/rmap.h>
#include <linux/huge_mm.h>
#include <asm-generic/tlb.h>

#define BASE		(1UL << 30)



static void knob(struct task_fixture *f, const char *file, const char *value)
{
	char key[96];

	snprintf(key, sizeof(key), "transparent_hugepage.%s", file);
	assert_int_equal(foliage_set(f->m, key, value), 0);
}

static unsigned long map_anon_at(struct task_fixture *f, unsigned long addr,
				 unsigned long len, int advice)
{
	map(f->task, addr, len, FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
	    FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | FOLIAGE_MAP_FIXED,
	    NULL, 0);
	if (advice >= 0)
		assert_int_equal(foliage_madvise(f->task, addr, len, advice), 0);
	return addr;
}

static bool huge_at(struct task_fixture *f, unsigned long addr)
{
	bool huge;

	assert_int_not_equal(entry_at(f->task, addr, &huge), 0);
	return huge;
}

static unsigned long mthp(struct task_fixture *f, unsigned int order,
			  enum mthp_stat_item item)
{
	return f->m->thp->mthp_stats[order][item];
}

/* Boot defaults and write rules of /sys/kernel/mm/transparent_hugepage. */
static void test_thp_sysfs(void **state)
{
	struct task_fixture *f = *state;
	char *golden = read_golden("sys/transparent_hugepage.txt");
	char *text = NULL;
	long v;

	assert_int_equal(render_thp_sysfs(f->m, &text), 0);
	assert_string_equal(text, golden);
	free(text);
	free(golden);

	knob(f, "enabled", "always\n");
	knob(f, "hugepages-64kB/enabled", "inherit");
	knob(f, "defrag", "defer+madvise");
	assert_int_equal(render_thp_sysfs(f->m, &text), 0);
	assert_non_null(strstr(text, "enabled: [always] madvise never\n"));
	assert_non_null(strstr(text,
		"defrag: always defer [defer+madvise] madvise never\n"));
	assert_non_null(strstr(text,
		"hugepages-64kB/enabled: always [inherit] madvise never\n"));
	free(text);
	assert_int_equal(foliage_get(f->m, "transparent_hugepage.enabled",
				     &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(foliage_get(f->m,
			"transparent_hugepage.hpage_pmd_size", &v), 0);
	assert_int_equal(v, 2097152);

	assert_int_equal(foliage_set(f->m, "transparent_hugepage.enabled",
				     "sometimes"), -EINVAL);
	assert_int_equal(foliage_set(f->m,
			"transparent_hugepage.hugepages-8kB/enabled",
			"always"), -ENOENT);
	assert_int_equal(foliage_set(f->m,
			"transparent_hugepage.use_zero_page", "2"), -EINVAL);
	assert_int_equal(foliage_set(f->m,
			"transparent_hugepage.hpage_pmd_size", "4096"), -EPERM);
}

/* PMD bits of a private writable anonymous THP. */
#define PMD_ANON_WRITE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | \
			 _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_SOFT_DIRTY | \
			 _PAGE_PSE | _PAGE_NX)

/*
 * enabled=madvise (the default): only VM_HUGEPAGE VMAs get a THP; one
 * PMD maps it, with one deposited PTE table.
 */
static void test_thp_madvise_policy(void **state)
{
	struct task_fixture *f = *state;
	unsigned long plain = map_anon_at(f, BASE, 4 * MB, -1);
	unsigned long hp = map_anon_at(f, BASE + 4 * MB, 4 * MB,
				       FOLIAGE_MADV_HUGEPAGE);
	unsigned long alloc = vmstat(f->m, "thp_fault_alloc");
	unsigned long tables, pgfault;
	struct smaps_vma v;
	struct page *head;
	bool huge;
	u64 pmd;

	fill(f->task, plain, 1, 1);
	assert_false(huge_at(f, plain));
	assert_int_equal(vmstat(f->m, "thp_fault_alloc"), alloc);

	tables = vmstat(f->m, "nr_page_table_pages");
	pgfault = vmstat(f->m, "pgfault");
	fill(f->task, hp + 4097, 2, 1);
	pmd = entry_at(f->task, hp, &huge);
	assert_true(huge);
	assert_int_equal(pmd & PTE_FLAGS_MASK, PMD_ANON_WRITE);
	assert_int_equal(vmstat(f->m, "thp_fault_alloc"), alloc + 1);
	assert_int_equal(vmstat(f->m, "pgfault"), pgfault + 1);
	assert_int_equal(mthp(f, 9, MTHP_STAT_ANON_FAULT_ALLOC), 1);
	/* The PMD table existed; the deposited PTE table is new. */
	assert_int_equal(vmstat(f->m, "nr_page_table_pages"), tables + 1);

	head = page_at(f->task, hp);
	assert_true(PageHead(head));
	assert_int_equal(folio_order(page_folio(head)), 9);
	assert_int_equal(page_ref_count(head), 1);
	assert_int_equal(folio_entire_mapcount(page_folio(head)), 1);
	assert_true(PageAnonExclusive(head));
	expect_fill(f->task, hp, 0, 4097);
	expect_fill(f->task, hp + 4097, 2, 1);
	expect_fill(f->task, hp + 4098, 0, 2 * MB - 4098);

	v = smaps_at(f->task, hp);
	assert_int_equal(v.mss.anonymous_thp, 2 * MB);
	assert_int_equal(v.mss.resident, 2 * MB);
	assert_int_equal(vmstat(f->m, "nr_anon_transparent_hugepages"), 1);

	/* Unmapping frees the folio and the deposited table. */
	assert_int_equal(foliage_munmap(f->task, hp, 4 * MB), 0);
	assert_int_equal(vmstat(f->m, "nr_anon_transparent_hugepages"), 0);
}

/* always: every suitable VMA; VM_NOHUGEPAGE wins; never: none at all. */
static void test_thp_always_never_nohugepage(void **state)
{
	struct task_fixture *f = *state;
	unsigned long a = map_anon_at(f, BASE, 2 * MB, -1);
	unsigned long b = map_anon_at(f, BASE + 4 * MB, 2 * MB,
				      FOLIAGE_MADV_NOHUGEPAGE);
	unsigned long c = map_anon_at(f, BASE + 8 * MB, 2 * MB,
				      FOLIAGE_MADV_HUGEPAGE);

	knob(f, "enabled", "always");
	fill(f->task, a, 1, 1);
	assert_true(huge_at(f, a));
	fill(f->task, b, 1, 1);
	assert_false(huge_at(f, b));
	knob(f, "enabled", "never");
	fill(f->task, c, 1, 1);
	assert_false(huge_at(f, c));
	/* The per-size knob alone does it without "inherit". */
	knob(f, "hugepages-2048kB/enabled", "madvise");
	fill(f->task, c + 2 * MB - 1, 1, 1);
	assert_false(huge_at(f, c + 2 * MB - 1));	/* PTE table exists */
	map_anon_at(f, BASE + 12 * MB, 2 * MB, FOLIAGE_MADV_HUGEPAGE);
	fill(f->task, BASE + 12 * MB, 1, 1);
	assert_true(huge_at(f, BASE + 12 * MB));
}

/*
 *   BASE   +1M   +2M         +4M   +5M   +6M
 *   |      [VVVVV|VVVVVVVVVVV|VVVVV]     |
 *
 * Only the 2M block wholly inside the VMA gets a PMD.
 */
static void test_thp_alignment_and_size(void **state)
{
	struct task_fixture *f = *state;
	unsigned long v = map_anon_at(f, BASE + 1 * MB, 4 * MB, -1);
	unsigned long small = map_anon_at(f, BASE + 16 * MB, 1 * MB, -1);

	knob(f, "enabled", "always");
	fill(f->task, v, 1, 1);
	assert_false(huge_at(f, v));
	fill(f->task, BASE + 2 * MB + 5, 1, 1);
	assert_true(huge_at(f, BASE + 2 * MB));
	fill(f->task, BASE + 4 * MB, 1, 1);
	assert_false(huge_at(f, BASE + 4 * MB));
	fill(f->task, small, 1, 1);
	assert_false(huge_at(f, small));
	assert_int_equal(vmstat(f->m, "thp_fault_alloc"), 1);
	assert_int_equal(vmstat(f->m, "thp_fault_fallback"), 0);

	assert_true(smaps_at(f->task, v).thp_eligible);
	assert_false(smaps_at(f->task, small).thp_eligible);
}

/*
 * A read fault maps the huge zero folio (allocated once); a write then
 * replaces it with a THP.  use_zero_page=0 allocates on the read.
 */
static void test_thp_huge_zero_page(void **state)
{
	struct task_fixture *f = *state;
	unsigned long a = map_anon_at(f, BASE, 4 * MB, FOLIAGE_MADV_HUGEPAGE);
	struct tlb_stats t0;
	bool huge;
	u64 pmd;

	touch_read(f->task, a, PAGE_SIZE);
	pmd = entry_at(f->task, a, &huge);
	assert_true(huge);
	assert_false(pmd & _PAGE_RW);
	assert_true(pmd & _PAGE_SPECIAL);
	assert_int_equal((pmd & PTE_PFN_MASK) >> PAGE_SHIFT,
			 folio_pfn(f->m->huge_zero_folio));
	assert_int_equal(vmstat(f->m, "thp_zero_page_alloc"), 1);
	assert_int_equal(smaps_at(f->task, a).mss.resident, 0);
	touch_read(f->task, a + 2 * MB, PAGE_SIZE);
	assert_int_equal(vmstat(f->m, "thp_zero_page_alloc"), 1);
	expect_fill(f->task, a, 0, 2 * MB);

	t0 = *f->m->tlb;
	fill(f->task, a + 8, 3, 1);
	pmd = entry_at(f->task, a, &huge);
	assert_true(huge);
	assert_int_equal(pmd & PTE_FLAGS_MASK, PMD_ANON_WRITE);
	assert_int_equal(vmstat(f->m, "thp_fault_alloc"), 1);
	assert_int_equal(f->m->tlb->flush_range - t0.flush_range, 1);
	expect_fill(f->task, a + 8, 3, 1);
	expect_fill(f->task, a + 9, 0, PAGE_SIZE);

	knob(f, "use_zero_page", "0");
	map_anon_at(f, BASE + 8 * MB, 2 * MB, FOLIAGE_MADV_HUGEPAGE);
	touch_read(f->task, BASE + 8 * MB, PAGE_SIZE);
	assert_true(huge_at(f, BASE + 8 * MB));
	assert_int_not_equal(pfn_at(f->task, BASE + 8 * MB),
			     folio_pfn(f->m->huge_zero_folio));
	assert_int_equal(vmstat(f->m, "thp_fault_alloc"), 2);
}

/* No free 2M block: counted as a fallback, and the fault maps 4K. */
static void test_thp_fallback(void **state)
{
	struct task_fixture *f = *state;
	unsigned long a = map_anon_at(f, BASE, 2 * MB, FOLIAGE_MADV_HUGEPAGE);

	fail_allocs(f->m, "9", "1");
	fill(f->task, a, 7, 1);
	assert_false(huge_at(f, a));
	assert_int_equal(vmstat(f->m, "thp_fault_fallback"), 1);
	assert_int_equal(vmstat(f->m, "thp_fault_alloc"), 0);
	assert_int_equal(mthp(f, 9, MTHP_STAT_ANON_FAULT_FALLBACK), 1);
	assert_int_equal(folio_order(page_folio(page_at(f->task, a))), 0);
	expect_fill(f->task, a, 7, 1);
	fail_allocs_off(f->m);
}

/* The pfns of [addr, addr + nr pages) are consecutive, from one folio. */
static void assert_mapped_folio(struct task_fixture *f, unsigned long addr,
				unsigned int order)
{
	struct page *first = page_at(f->task, addr);
	unsigned long i, nr = 1UL << order;
	bool huge;

	assert_non_null(first);
	assert_int_equal(folio_order(page_folio(first)), order);
	assert_ptr_equal(first, folio_page(page_folio(first), 0));
	assert_int_equal(folio_ref_count(page_folio(first)), nr);
	assert_int_equal(folio_mapcount(page_folio(first)), nr);
	for (i = 0; i < nr; i++) {
		u64 pte = entry_at(f->task, addr + i * PAGE_SIZE, &huge);

		assert_false(huge);
		assert_int_equal((pte & PTE_PFN_MASK) >> PAGE_SHIFT,
				 page_to_pfn(first) + i);
		assert_int_equal(pte & PTE_FLAGS_MASK,
				 PMD_ANON_WRITE & ~_PAGE_PSE);
		assert_true(PageAnonExclusive(first + i));
	}
}

/*
 * Multi-size THP: the largest enabled size whose aligned block is in the
 * VMA and has no PTE yet, mapped by PTEs, with per-size counters.
 */
static void test_mthp_sizes(void **state)
{
	struct task_fixture *f = *state;
	unsigned long a = map_anon_at(f, BASE, 1 * MB, -1);
	unsigned long b = map_anon_at(f, BASE + 2 * MB + 64 * KB, 32 * KB, -1);
	unsigned long c = map_anon_at(f, BASE + 4 * MB, 1 * MB, -1);
	unsigned long pgfault = vmstat(f->m, "pgfault");
	struct smaps_vma v;

	knob(f, "hugepages-64kB/enabled", "always");
	knob(f, "hugepages-32kB/enabled", "always");

	/* 64K around the fault, from its aligned start. */
	fill(f->task, a + 8 * KB + 3, 9, 1);
	assert_mapped_folio(f, a, 4);
	assert_int_equal(vmstat(f->m, "pgfault"), pgfault + 1);
	assert_int_equal(mthp(f, 4, MTHP_STAT_ANON_FAULT_ALLOC), 1);
	expect_fill(f->task, a, 0, 8 * KB + 3);
	expect_fill(f->task, a + 8 * KB + 3, 9, 1);
	expect_fill(f->task, a + 8 * KB + 4, 0, 56 * KB - 4);
	v = smaps_at(f->task, a);
	assert_int_equal(v.mss.resident, 64 * KB);
	assert_int_equal(v.mss.anonymous_thp, 0);
	assert_int_equal(vmstat(f->m, "pgfault"), pgfault + 1);

	/* A 32K VMA can't hold 64K: 32K. */
	fill(f->task, b, 1, 1);
	assert_mapped_folio(f, b, 3);
	assert_int_equal(mthp(f, 3, MTHP_STAT_ANON_FAULT_ALLOC), 1);

	/* A block with a PTE (the zero page) can't: down to 4K. */
	touch_read(f->task, c, PAGE_SIZE);
	fill(f->task, c + PAGE_SIZE, 1, 1);
	assert_int_equal(folio_order(page_folio(page_at(f->task,
						c + PAGE_SIZE))), 0);
	assert_int_equal(pfn_at(f->task, c), f->m->zero_pfn);

	/* No 64K block free: counted, and 32K is tried next. */
	fail_allocs(f->m, "4", "1");
	fill(f->task, c + 512 * KB, 1, 1);
	assert_mapped_folio(f, c + 512 * KB, 3);
	assert_int_equal(mthp(f, 4, MTHP_STAT_ANON_FAULT_FALLBACK), 1);
	assert_int_equal(mthp(f, 3, MTHP_STAT_ANON_FAULT_ALLOC), 2);
	fail_allocs_off(f->m);

	/* "inherit" follows the top level. */
	knob(f, "hugepages-32kB/enabled", "never");
	knob(f, "hugepages-64kB/enabled", "inherit");
	knob(f, "hugepages-2048kB/enabled", "never");
	knob(f, "enabled", "always");
	fill(f->task, c + 768 * KB, 1, 1);
	assert_mapped_folio(f, c + 768 * KB, 4);
	/* Unmapping gives the folios back whole. */
	assert_int_equal(foliage_munmap(f->task, a, 1 * MB), 0);
	assert_int_equal(smaps_at(f->task, c).mss.resident,
			 PAGE_SIZE + 32 * KB + 64 * KB);
}

/*
 * munmap of part of a THP splits its PMD into PTEs of the same folio
 * (Linux's deferred split of the folio itself is not modelled).
 */
static void test_thp_partial_unmap_splits_pmd(void **state)
{
	struct task_fixture *f = *state;
	unsigned long a = map_anon_at(f, BASE, 2 * MB, FOLIAGE_MADV_HUGEPAGE);
	struct folio *folio;

	fill(f->task, a, 0x42, 2 * MB);
	assert_true(huge_at(f, a));
	folio = page_folio(page_at(f->task, a));
	assert_int_equal(foliage_munmap(f->task, a + 512 * KB, 1 * MB), 0);
	assert_int_equal(vmstat(f->m, "thp_split_pmd"), 1);
	assert_false(huge_at(f, a));
	assert_ptr_equal(page_folio(page_at(f->task, a + 1536 * KB)), folio);
	assert_int_equal(folio_mapcount(folio), 256);
	assert_int_equal(folio_ref_count(folio), 256);
	assert_true(PageAnonExclusive(page_at(f->task, a + 4 * KB)));
	assert_int_equal(vmstat(f->m, "nr_anon_transparent_hugepages"), 0);
	expect_fill(f->task, a, 0x42, 512 * KB);
	expect_fill(f->task, a + 1536 * KB, 0x42, 512 * KB);
	assert_int_equal(smaps_at(f->task, a).mss.resident, 512 * KB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TASK_TEST(test_thp_sysfs),
		TASK_TEST(test_thp_madvise_policy),
		TASK_TEST(test_thp_always_never_nohugepage),
		TASK_TEST(test_thp_alignment_and_size),
		TASK_TEST(test_thp_huge_zero_page),
		TASK_TEST(test_thp_fallback),
		TASK_TEST(test_mthp_sizes),
		TASK_TEST(test_thp_partial_unmap_splits_pmd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
