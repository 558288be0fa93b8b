// SPDX-License-Identifier: GPL-2.0
/*
 * arm64's contiguous-PTE model (arch/arm64/mm/contpte.c) on arm64
 * machines with 64K mTHP: folding and unfolding by set_ptes()/set_pte(),
 * wrprotect_ptes() keeping whole blocks, young and dirty read and cleared
 * across a block, every invalidation counted, fork's cost per block on
 * both paths, BBML2_NOABORT, and the validator of folded blocks.
 *
 *   BASE        +64K        +128K
 *   | block 0   | block 1   |	each one 64K folio, one folded block
 */
#include "batch_helpers.h"
#include <linux/rmap.h>
#include <asm-generic/tlb.h>
#include "task.h"

#define BASE		(1UL << 30)
#define NR		16
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON		(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | \
			 FOLIAGE_MAP_FIXED)

struct fixture {
	struct foliage_machine *m;	/* an arm64 machine */
	struct foliage_task *task;	/* its task */
	struct tlb_stats before;	/* counters at the last mark() */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->m = batch_machine(FOLIAGE_ARCH_ARM64);
	f->task = new_task(f->m, "task");
	*state = f;
	return 0;
}

BATCH_FIXTURE(struct fixture);
#define teardown batch_teardown

/* Map @nr 64K blocks at BASE and write them: one folded folio each. */
static void populate(struct fixture *f, int nr)
{
	int i;

	map(f->task, BASE, nr * NR * PAGE_SIZE, RW, ANON, NULL, 0);
	fill(f->task, BASE, 'c', nr * NR * PAGE_SIZE);
	for (i = 0; i < nr * NR; i++)
		assert_true(pte_cont(__ptep_get(pte_slot(f->task,
						BASE + i * PAGE_SIZE))));
}

static void mark(struct fixture *f)
{
	f->before = *f->m->tlb;
}

/* The change of counter @field since mark(). */
#define delta(f, field)	((f)->m->tlb->field - (f)->before.field)

static void assert_block(struct foliage_task *t, unsigned long addr,
			 bool cont)
{
	int i;

	for (i = 0; i < NR; i++)
		assert_int_equal(pte_cont(__ptep_get(pte_slot(t,
						addr + i * PAGE_SIZE))), cont);
}

/* set_ptes(16) of an aligned folio (the mTHP fault): folded, no TLBI. */
static void test_set_ptes_folds(void **state)
{
	struct fixture *f = *state;

	mark(f);
	populate(f, 2);
	assert_int_equal(delta(f, contpte_fold), 0);
	assert_int_equal(delta(f, contpte_unfold), 0);
	assert_int_equal(delta(f, tlbi_range), 0);
	assert_int_equal(delta(f, tlbi_page), 0);
	/* smaps does not see PTE_CONT. */
	assert_int_equal(smaps_at(f->task, BASE).mss.resident, 2 * NR * 4096);
	assert_int_equal(smaps_at(f->task, BASE).mss.anonymous_thp, 0);
}

/*
 * fork of folded blocks: batched, none unfolded or folded (the parent's
 * whole blocks write-protected in place, the child's set folded); one
 * unfold in the parent and one fold in the child per block, each a range
 * TLBI, with debug.fork_batching=0; the dup_mmap() flush is one ASID TLBI.
 */
static void test_fork_costs(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child;

	populate(f, 4);
	mark(f);
	child = fork_task(f->task, "batched");
	assert_int_equal(delta(f, contpte_fold), 0);
	assert_int_equal(delta(f, contpte_unfold), 0);
	assert_int_equal(delta(f, tlbi_range), 0);
	assert_int_equal(delta(f, tlbi_page), 0);
	assert_int_equal(delta(f, tlbi_asid), 1);
	assert_block(f->task, BASE, true);
	assert_block(child, BASE + 3 * NR * PAGE_SIZE, true);
	assert_false(pte_write(ptep_get(pte_slot(f->task, BASE))));
	assert_int_equal(foliage_exit(child), 0);

	assert_int_equal(foliage_munmap(f->task, BASE, 4 * NR * PAGE_SIZE), 0);
	populate(f, 4);
	assert_int_equal(foliage_set(f->m, "debug.fork_batching", "0"), 0);
	mark(f);
	child = fork_task(f->task, "per-pte");
	assert_int_equal(delta(f, contpte_fold), 4);
	assert_int_equal(delta(f, contpte_unfold), 4);
	assert_int_equal(delta(f, tlbi_range), 8);
	assert_int_equal(delta(f, tlbi_asid), 1);
	assert_block(f->task, BASE, false);
	assert_block(child, BASE, true);
	assert_int_equal(foliage_exit(child), 0);

	/* BBML2_NOABORT: the same conversions, no invalidation. */
	assert_int_equal(foliage_munmap(f->task, BASE, 4 * NR * PAGE_SIZE), 0);
	populate(f, 4);
	assert_int_equal(foliage_set(f->m, "arch.bbml2_noabort", "1"), 0);
	mark(f);
	child = fork_task(f->task, "bbml2");
	assert_int_equal(delta(f, contpte_fold), 4);
	assert_int_equal(delta(f, contpte_unfold), 4);
	assert_int_equal(delta(f, tlbi_range), 0);
	assert_int_equal(foliage_exit(child), 0);
	assert_int_equal(foliage_set(f->m, "arch.bbml2_noabort", "0"), 0);
	assert_int_equal(foliage_set(f->m, "debug.fork_batching", "1"), 0);
}

/*
 * Single sets: 0..15 in order fold at 15 (one range TLBI); with index 15
 * written first the block never folds.
 */
static void test_single_sets(void **state)
{
	struct fixture *f = *state;
	pte_t *p, saved[NR];
	int i;

	populate(f, 1);
	p = pte_slot(f->task, BASE);
	for (i = 0; i < NR; i++) {
		saved[i] = __pte(arm64_pte_mknoncont(pte_val(__ptep_get(p + i))));
		__set_pte(p + i, __pte(0));
	}
	mark(f);
	for (i = 0; i < NR; i++) {
		set_pte(p + i, saved[i]);
		assert_int_equal(delta(f, contpte_fold), i == NR - 1);
	}
	assert_int_equal(delta(f, tlbi_range), 1);
	assert_block(f->task, BASE, true);

	for (i = 0; i < NR; i++)
		__set_pte(p + i, __pte(0));
	mark(f);
	set_pte(p + NR - 1, saved[NR - 1]);
	for (i = 0; i < NR - 1; i++)
		set_pte(p + i, saved[i]);
	assert_int_equal(delta(f, contpte_fold), 0);
	assert_int_equal(delta(f, tlbi_range), 0);
	assert_block(f->task, BASE, false);
	expect_fill(f->task, BASE, 'c', NR * PAGE_SIZE);
}

/*
 * wrprotect_ptes(): 8 entries from index 4 of a block unfold it (one
 * range TLBI); two whole blocks stay folded with no TLBI.
 */
static void test_wrprotect_ptes(void **state)
{
	struct fixture *f = *state;
	pte_t *p;
	int i;

	populate(f, 4);
	p = pte_slot(f->task, BASE);
	mark(f);
	wrprotect_ptes(f->task->task.mm, BASE + 4 * PAGE_SIZE, p + 4, 8);
	assert_int_equal(delta(f, contpte_unfold), 1);
	assert_int_equal(delta(f, tlbi_range), 1);
	assert_block(f->task, BASE, false);
	for (i = 0; i < NR; i++)
		assert_int_equal(pte_write(ptep_get(p + i)), i < 4 || i >= 12);

	mark(f);
	wrprotect_ptes(f->task->task.mm, BASE + 2 * NR * PAGE_SIZE,
		       p + 2 * NR, 2 * NR);
	assert_int_equal(delta(f, contpte_unfold), 0);
	assert_int_equal(delta(f, tlbi_range), 0);
	assert_block(f->task, BASE + 2 * NR * PAGE_SIZE, true);
	assert_block(f->task, BASE + 3 * NR * PAGE_SIZE, true);
	for (i = 2 * NR; i < 4 * NR; i++)
		assert_false(pte_write(ptep_get(p + i)));
	/* The write faults that follow: each block unfolds once. */
	fill(f->task, BASE + 2 * NR * PAGE_SIZE, 'w', PAGE_SIZE);
	expect_fill(f->task, BASE + 2 * NR * PAGE_SIZE, 'w', PAGE_SIZE);
}

/*
 * Young and dirty of a block: PTE 5 alone young reads young at PTE 0;
 * test-and-clear-young clears all 16 and returns 1 with the block folded
 * and no TLBI; set-access-flags gives all 16 the flags in place.
 */
static void test_young_across_block(void **state)
{
	struct fixture *f = *state;
	struct vm_area_struct *vma;
	pte_t *p;
	int i;

	populate(f, 1);
	p = pte_slot(f->task, BASE);
	for (i = 0; i < NR; i++)
		__set_pte(p + i, __pte(arm64_pte_mkold(arm64_pte_mkclean(
				pte_val(__ptep_get(p + i))))));
	assert_false(pte_young(ptep_get(p)));
	assert_false(pte_dirty(ptep_get(p)));
	__set_pte(p + 5, __pte(arm64_pte_mkyoung(pte_val(__ptep_get(p + 5)))));
	assert_true(pte_young(ptep_get(p)));
	assert_false(pte_young(__ptep_get(p)));
	mark(f);
	assert_true(ptep_test_and_clear_young(p));
	assert_false(ptep_test_and_clear_young(p + 9));
	for (i = 0; i < NR; i++)
		assert_false(pte_young(__ptep_get(p + i)));
	assert_block(f->task, BASE, true);
	assert_int_equal(delta(f, tlbi_range) + delta(f, tlbi_page), 0);
	assert_int_equal(delta(f, contpte_unfold), 0);

	/* Dirty on one entry (the MMU's DBM) reads dirty anywhere. */
	__set_pte(p + 11, __pte(pte_val(__ptep_get(p + 11)) & ~PTE_RDONLY));
	assert_true(pte_dirty(ptep_get(p + 2)));

	/* set-access-flags, write bit unchanged: in place, all 16. */
	vma = find_vma(f->task->task.mm, BASE);
	mark(f);
	ptep_set_access_flags(vma, BASE + 3 * PAGE_SIZE, p + 3,
			      pte_mkyoung(ptep_get(p + 3)), false);
	for (i = 0; i < NR; i++)
		assert_true(pte_young(__ptep_get(p + i)));
	assert_block(f->task, BASE, true);
	assert_int_equal(delta(f, tlbi_range), 0);
	/* A write fault's dirty: in place too, and one range TLBI. */
	for (i = 0; i < NR; i++)
		__set_pte(p + i, __pte(arm64_pte_mkclean(
					pte_val(__ptep_get(p + i)))));
	assert_false(pte_dirty(ptep_get(p + 3)));
	ptep_set_access_flags(vma, BASE + 3 * PAGE_SIZE, p + 3,
			      pte_mkdirty(ptep_get(p + 3)), true);
	for (i = 0; i < NR; i++)
		assert_true(pte_dirty(__ptep_get(p + i)));
	assert_int_equal(delta(f, tlbi_range), 1);
	assert_int_equal(delta(f, contpte_unfold), 0);
	/* A write bit that changes unfolds. */
	ptep_set_access_flags(vma, BASE + 3 * PAGE_SIZE, p + 3,
			      pte_wrprotect(ptep_get(p + 3)), false);
	assert_int_equal(delta(f, contpte_unfold), 1);
	assert_block(f->task, BASE, false);
	assert_false(pte_write(ptep_get(p + 3)));
	assert_true(pte_write(ptep_get(p + 4)));
	expect_fill(f->task, BASE, 'c', NR * PAGE_SIZE);
}

/* Zap: a partial munmap unfolds its block, a whole one does not. */
static void test_zap_blocks(void **state)
{
	struct fixture *f = *state;

	populate(f, 3);
	mark(f);
	assert_int_equal(foliage_munmap(f->task, BASE + 2 * NR * PAGE_SIZE,
					NR * PAGE_SIZE), 0);
	assert_int_equal(delta(f, contpte_unfold), 0);
	assert_int_equal(foliage_madvise(f->task, BASE + 4 * PAGE_SIZE,
					 PAGE_SIZE, FOLIAGE_MADV_DONTNEED), 0);
	assert_int_equal(delta(f, contpte_unfold), 1);
	assert_block(f->task, BASE + NR * PAGE_SIZE, true);
	expect_fill(f->task, BASE + 4 * PAGE_SIZE, 0, PAGE_SIZE);
	expect_fill(f->task, BASE + 5 * PAGE_SIZE, 'c', 11 * PAGE_SIZE);
}

/* The validator finds a block that breaks the rules. */
static void test_validator(void **state)
{
	struct fixture *f = *state;
	pte_t *p, saved;
	char why[96];

	populate(f, 1);
	p = pte_slot(f->task, BASE);
	assert_int_equal(contpte_validate_table((u64 *)(p - pte_index(BASE)),
						BASE & PMD_MASK, why,
						sizeof(why)), 0);
	saved = __ptep_get(p + 7);
	__set_pte(p + 7, __pte(arm64_pte_mknoncont(pte_val(saved))));
	assert_int_equal(contpte_validate_table((u64 *)(p - pte_index(BASE)),
						BASE & PMD_MASK, why,
						sizeof(why)), 1);
	assert_string_equal(why, "contpte block at 0x40000000: a block entry without PTE_CONT");
	__set_pte(p + 7, __pte(pte_val(saved) ^ PTE_UXN));
	assert_int_equal(contpte_validate_table((u64 *)(p - pte_index(BASE)),
						BASE & PMD_MASK, why,
						sizeof(why)), 1);
	assert_string_equal(why, "contpte block at 0x40000000: entries that differ");
	__set_pte(p + 7, saved);
	/* validate_mm() runs it over every table. */
	assert_int_equal(validate_mm(f->task->task.mm), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_set_ptes_folds), T(test_fork_costs),
		T(test_single_sets), T(test_wrprotect_ptes),
		T(test_young_across_block), T(test_zap_blocks),
		T(test_validator),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
