// SPDX-License-Identifier: GPL-2.0
/*
 * rmap_walk() finds exactly the mappings of a folio: each test draws an
 * address space, does one thing, and asserts the walk's hits, then runs
 * the checkers (mm/rmap_check.c: every mapped folio's walk against a scan
 * of every page table of the machine; mm/validate_rmap.c: the anon_vma
 * chains and counters).  Then the walk's users: folio_referenced(),
 * try_to_unmap() (try_to_migrate(): test_rmap_migrate.c).
 */
#include "rmap_fixture.h"
#include <linux/rmap.h>
#include <linux/huge_mm.h>
#include <linux/swap.h>
#include <linux/shmem_fs.h>
#include <asm-generic/tlb.h>
#include "task.h"

/*
 * fork then COW in the child:
 *
 *   P  pppp		P writes 4 pages, forks C
 *   C  pppc		C writes page 3: its own copy, in C's anon_vma
 */
static void test_walk_fork_cow(void **state)
{
	struct foliage_task *p = new_task(m, "p"), *c;
	unsigned long a3 = BASE + 3 * PAGE_SIZE;
	struct walk_hits h;

	map_anon(p, BASE, 4 * PAGE_SIZE);
	fill(p, BASE, 'p', 4 * PAGE_SIZE);
	h = walk_folio_at(p, BASE);
	assert_int_equal(h.nr, 1);
	assert_true(has_hit(&h, p->task.mm, BASE));

	c = fork_task(p, "c");
	h = walk_folio_at(p, a3);
	assert_int_equal(h.nr, 2);
	assert_true(has_hit(&h, p->task.mm, a3));
	assert_true(has_hit(&h, c->task.mm, a3));
	/* Shared: neither maps it exclusively any more. */
	assert_false(PageAnonExclusive(page_at(p, a3)));

	fill(c, a3, 'c', PAGE_SIZE);
	h = walk_folio_at(c, a3);
	assert_int_equal(h.nr, 1);
	assert_true(has_hit(&h, c->task.mm, a3));
	assert_ptr_equal(folio_anon_vma(folio_at(c, a3)),
			 vma_at(c, a3)->anon_vma);
	h = walk_folio_at(p, a3);
	assert_int_equal(h.nr, 1);
	assert_true(has_hit(&h, p->task.mm, a3));
	assert_rmap_ok(m);
}

/*
 * mremap moves the VMA and its pages, not their offsets: the folios keep
 * ->index, the VMA keeps vm_pgoff, and the walk computes the new address.
 *
 *   BASE     aaaaaaaa		mremap 2 pages from the middle
 *   BASE+1M  ..aa		to BASE + 1 MiB + 2 pages
 */
static void test_walk_after_mremap(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	unsigned long from = BASE + 3 * PAGE_SIZE, to = BASE + MB + 2 * PAGE_SIZE;
	unsigned long out = 0;
	pgoff_t index;
	struct walk_hits h;

	map_anon(t, BASE, 8 * PAGE_SIZE);
	fill(t, BASE, 'a', 8 * PAGE_SIZE);
	index = folio_at(t, from)->index;
	assert_int_equal(foliage_mremap(t, from, 2 * PAGE_SIZE, 2 * PAGE_SIZE,
					FOLIAGE_MREMAP_MAYMOVE |
					FOLIAGE_MREMAP_FIXED, to, &out), 0);
	assert_int_equal(out, to);
	assert_int_equal(folio_at(t, to)->index, index);
	assert_int_equal(vma_at(t, to)->vm_pgoff, index);
	h = walk_folio_at(t, to);
	assert_int_equal(h.nr, 1);
	assert_true(has_hit(&h, t->task.mm, to));
	/* All three pieces share the one anon_vma. */
	assert_ptr_equal(vma_at(t, to)->anon_vma, vma_at(t, BASE)->anon_vma);
	assert_ptr_equal(vma_at(t, BASE + 6 * PAGE_SIZE)->anon_vma,
			 vma_at(t, BASE)->anon_vma);
	expect_fill(t, to, 'a', 2 * PAGE_SIZE);
	assert_rmap_ok(m);
}

/*
 * A PMD-mapped THP: one walk hit at PMD level per mapping; after fork
 * and a split of the child's PMD (mprotect of part of it), the parent
 * keeps its PMD and the child maps the same folio by 512 PTEs in two
 * VMAs.
 */
static bool count_one(struct folio *folio, struct vm_area_struct *vma,
		      unsigned long address, void *arg)
{
	int *counts = arg;
	DEFINE_FOLIO_VMA_WALK(pvmw, folio, vma, address, 0);

	while (page_vma_mapped_walk(&pvmw))
		counts[pvmw.pte ? 0 : 1]++;
	return true;
}

/* TLB flush operations of every kind so far. */
static unsigned long tlb_flushes(struct foliage_machine *m)
{
	const struct tlb_stats *st = m->tlb;

	return st->flush_all + st->flush_range + st->flush_one;
}

static void test_walk_thp(void **state)
{
	struct foliage_task *p = new_task(m, "p"), *c;
	struct rmap_walk_control rwc = { .rmap_one = count_one };
	unsigned long a = 2 * PMD_SIZE * 64;	/* 2 MiB aligned */
	int counts[2] = { 0, 0 };
	unsigned long flushes, nr_anon;
	struct folio *folio;
	struct walk_hits h;
	vm_flags_t flags;

	assert_int_equal(foliage_set(m, "transparent_hugepage.enabled",
				     "always"), 0);
	nr_anon = m->thp->mthp_stats[HPAGE_PMD_ORDER][MTHP_STAT_NR_ANON];
	map_anon(p, a, PMD_SIZE);
	fill(p, a + 5 * PAGE_SIZE, 't', 10);
	folio = folio_at(p, a);
	assert_int_equal(folio_order(folio), HPAGE_PMD_ORDER);
	assert_int_equal(m->thp->mthp_stats[HPAGE_PMD_ORDER][MTHP_STAT_NR_ANON],
			 nr_anon + 1);
	h = walk_folio_at(p, a + PMD_SIZE - PAGE_SIZE);
	assert_int_equal(h.nr, 1);
	assert_true(h.hit[0].pmd);
	assert_int_equal(h.hit[0].addr, a);

	c = fork_task(p, "c");
	h = walk_folio_at(p, a);
	assert_int_equal(h.nr, 2);
	assert_true(h.hit[0].pmd && h.hit[1].pmd);
	assert_true(has_hit(&h, c->task.mm, a));

	assert_int_equal(foliage_mprotect(c, a, 16 * PAGE_SIZE,
					  FOLIAGE_PROT_READ), 0);
	assert_ptr_equal(folio_at(c, a + 100 * PAGE_SIZE), folio);
	rwc.arg = counts;
	rmap_walk(folio, &rwc);
	assert_int_equal(counts[1], 1);		/* the parent's PMD */
	assert_int_equal(counts[0], HPAGE_PMD_NR); /* the child's PTEs */
	assert_int_equal(folio_mapcount(folio), 1 + HPAGE_PMD_NR);
	assert_int_equal(folio_entire_mapcount(folio), 1);
	assert_int_equal(folio_nr_pages_mapped(folio), HPAGE_PMD_NR);
	assert_rmap_ok(m);
	/*
	 * Young: the parent's PMD (it wrote); the child's PTEs came from a
	 * PMD copied old at fork.  Clearing a young PMD flushes its range.
	 */
	flushes = tlb_flushes(m);
	assert_int_equal(folio_referenced(folio, false, &flags), 1);
	assert_true(flags & VM_WRITE);
	assert_int_equal(tlb_flushes(m), flushes + 1);
	assert_int_equal(folio_referenced(folio, false, &flags), 0);
	assert_int_equal(tlb_flushes(m), flushes + 1);

	/* The parent unmaps: the child's PTEs still find the folio. */
	assert_int_equal(foliage_munmap(p, a, PMD_SIZE), 0);
	counts[0] = counts[1] = 0;
	rmap_walk(folio, &rwc);
	assert_int_equal(counts[1], 0);
	assert_int_equal(counts[0], HPAGE_PMD_NR);
	assert_rmap_ok(m);
	assert_int_equal(foliage_exit(c), 0);
	assert_int_equal(m->thp->mthp_stats[HPAGE_PMD_ORDER][MTHP_STAT_NR_ANON],
			 nr_anon);
	assert_int_equal(foliage_set(m, "transparent_hugepage.enabled",
				     "madvise"), 0);
}

/*
 * Files: a shared mapping's folios are found through i_mmap in every
 * task; a private mapping's read-faulted file folios too, while its
 * written (COWed) pages are anon folios found through its anon_vma.
 *
 *   t1  SSSS		shared, file offset 0
 *   t2  ..SS PPPP	shared from offset 2 pages; private from 0
 *   t2       ..w.	write to the private mapping's page 2
 */
static void test_walk_files(void **state)
{
	struct foliage_task *t1 = new_task(m, "t1"), *t2 = new_task(m, "t2");
	unsigned long priv = BASE + 16 * PAGE_SIZE;
	struct foliage_file *ff = NULL;
	struct folio *folio;
	struct walk_hits h;

	assert_int_equal(foliage_file_create(m, "f", 4 * PAGE_SIZE, &ff), 0);
	map(t1, BASE, 4 * PAGE_SIZE, RW, SHARED_FIXED, ff, 0);
	map(t2, BASE + 2 * PAGE_SIZE, 2 * PAGE_SIZE, RW, SHARED_FIXED, ff,
	    2 * PAGE_SIZE);
	map(t2, priv, 4 * PAGE_SIZE, RW, PRIV_FIXED, ff, 0);
	fill(t1, BASE, 'f', 4 * PAGE_SIZE);
	touch_read(t2, BASE + 2 * PAGE_SIZE, 2 * PAGE_SIZE);
	touch_read(t2, priv, 4 * PAGE_SIZE);

	folio = folio_at(t1, BASE + 2 * PAGE_SIZE);
	assert_false(folio_test_anon(folio));
	h = walk_folio_at(t1, BASE + 2 * PAGE_SIZE);
	assert_int_equal(h.nr, 3);
	assert_true(has_hit(&h, t1->task.mm, BASE + 2 * PAGE_SIZE));
	assert_true(has_hit(&h, t2->task.mm, BASE + 2 * PAGE_SIZE));
	assert_true(has_hit(&h, t2->task.mm, priv + 2 * PAGE_SIZE));

	fill(t2, priv + 2 * PAGE_SIZE, 'w', 8);
	assert_true(folio_test_anon(folio_at(t2, priv + 2 * PAGE_SIZE)));
	h = walk_folio_at(t2, priv + 2 * PAGE_SIZE);
	assert_int_equal(h.nr, 1);
	assert_true(has_hit(&h, t2->task.mm, priv + 2 * PAGE_SIZE));
	h = walk_folio_at(t1, BASE + 2 * PAGE_SIZE);
	assert_int_equal(h.nr, 2);
	assert_false(has_hit(&h, t2->task.mm, priv + 2 * PAGE_SIZE));
	/* The file folio at offset 0 is mapped shared and private. */
	h = walk_folio_at(t1, BASE);
	assert_int_equal(h.nr, 2);
	assert_true(has_hit(&h, t2->task.mm, priv));
	assert_rmap_ok(m);
	foliage_file_put(ff);
}

/*
 * folio_referenced(): the VMAs whose mappings are young, clearing them;
 * a second call finds nothing.
 */
static void test_folio_referenced(void **state)
{
	struct foliage_task *p = new_task(m, "p"), *c;
	struct folio *folio;
	vm_flags_t flags;

	map_anon(p, BASE, 2 * PAGE_SIZE);
	fill(p, BASE, 'r', 2 * PAGE_SIZE);
	c = fork_task(p, "c");
	touch_read(c, BASE, PAGE_SIZE);
	folio = folio_at(p, BASE);
	/* The parent's PTE is young from the write, the child's from the read. */
	assert_int_equal(folio_referenced(folio, false, &flags), 2);
	assert_true(flags & VM_WRITE);
	assert_int_equal(folio_referenced(folio, false, &flags), 0);
	assert_int_equal(flags, 0);
	touch_read(p, BASE, PAGE_SIZE);
	assert_int_equal(folio_referenced(folio, false, &flags), 1);
	assert_rmap_ok(m);
}

/*
 * try_to_unmap() of a shared file folio: every PTE of every task goes,
 * with its mm counter and the dirty bit handed to the folio; the folio
 * stays in the page cache and the next access maps it again.
 */
static void test_try_to_unmap_file(void **state)
{
	struct foliage_task *t1 = new_task(m, "t1"), *t2;
	struct foliage_file *ff = NULL;
	struct folio *folio;
	unsigned long shmem;

	assert_int_equal(foliage_file_create(m, "u", 2 * PAGE_SIZE, &ff), 0);
	map(t1, BASE, 2 * PAGE_SIZE, RW, SHARED_FIXED, ff, 0);
	fill(t1, BASE, 'u', 2 * PAGE_SIZE);
	t2 = fork_task(t1, "t2");
	touch_read(t2, BASE, PAGE_SIZE);
	folio = folio_at(t1, BASE);
	assert_int_equal(folio_mapcount(folio), 2);
	shmem = get_mm_counter(t1->task.mm, MM_SHMEMPAGES);

	folio_get(folio);
	folio_lock(folio);
	folio_clear_dirty(folio);
	try_to_unmap(folio, 0);
	folio_unlock(folio);
	assert_false(folio_mapped(folio));
	assert_true(folio_test_dirty(folio));	/* t1's PTE was dirty */
	assert_null(page_at(t1, BASE));
	assert_null(page_at(t2, BASE));
	assert_int_equal(get_mm_counter(t1->task.mm, MM_SHMEMPAGES),
			 shmem - 1);
	assert_non_null(page_at(t1, BASE + PAGE_SIZE));
	assert_rmap_ok(m);
	assert_int_equal(machine_enter(m), 0);
	folio_put(folio);
	/* Still cached: both tasks read it back. */
	expect_fill(t2, BASE, 'u', PAGE_SIZE);
	assert_ptr_equal(folio_at(t2, BASE), folio);
	assert_rmap_ok(m);
	foliage_file_put(ff);
}

/*
 * try_to_unmap() of anonymous memory: foliage has no swap, so only a
 * lazily freed (MADV_FREE) folio nobody wrote since can go; a written one
 * is kept and made swap-backed again.
 */
static void test_try_to_unmap_lazyfree(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	struct folio *clean, *redirtied;
	unsigned long anon;

	map_anon(t, BASE, 2 * PAGE_SIZE);
	fill(t, BASE, 'z', 2 * PAGE_SIZE);
	clean = folio_at(t, BASE);
	redirtied = folio_at(t, BASE + PAGE_SIZE);
	/* Swap-backed: refused, the PTE put back. */
	folio_get(clean);
	folio_lock(clean);
	try_to_unmap(clean, 0);
	assert_true(folio_mapped(clean));
	folio_unlock(clean);
	folio_put(clean);

	assert_int_equal(foliage_madvise(t, BASE, 2 * PAGE_SIZE,
					 FOLIAGE_MADV_FREE), 0);
	assert_false(folio_test_swapbacked(clean));
	fill(t, BASE + PAGE_SIZE, 'w', 1);
	anon = get_mm_counter(t->task.mm, MM_ANONPAGES);

	/* Reclaim's view: isolated (its reference), locked, unmapped. */
	assert_int_equal(machine_enter(m), 0);
	assert_true(folio_isolate_lru(clean));
	folio_lock(clean);
	try_to_unmap(clean, 0);
	folio_unlock(clean);
	assert_false(folio_mapped(clean));
	assert_int_equal(folio_ref_count(clean), 1);
	assert_int_equal(get_mm_counter(t->task.mm, MM_ANONPAGES), anon - 1);
	folio_put(clean);

	assert_true(folio_isolate_lru(redirtied));
	folio_lock(redirtied);
	try_to_unmap(redirtied, 0);
	folio_unlock(redirtied);
	assert_true(folio_mapped(redirtied));
	assert_true(folio_test_swapbacked(redirtied));
	folio_putback_lru(redirtied);
	assert_rmap_ok(m);
	/* The discarded page reads back as zeros, the other as written. */
	expect_fill(t, BASE, 0, PAGE_SIZE);
	expect_fill(t, BASE + PAGE_SIZE, 'w', 1);
	assert_rmap_ok(m);
}

/*
 * fork with a pinned exclusive page: the child gets its own copy at once
 * (folio_try_dup_anon_rmap_pte() says -EBUSY), so the pinned folio stays
 * exclusive to the parent, found in the parent only.
 */
static void test_fork_copies_pinned_page(void **state)
{
	struct foliage_task *p = new_task(m, "p"), *c;
	struct walk_hits h;

	map_anon(p, BASE, 2 * PAGE_SIZE);
	fill(p, BASE, 'n', 2 * PAGE_SIZE);
	assert_int_equal(foliage_pin(p, BASE, PAGE_SIZE, true), 0);
	c = fork_task(p, "c");
	assert_ptr_not_equal(folio_at(c, BASE), folio_at(p, BASE));
	assert_true(PageAnonExclusive(page_at(p, BASE)));
	h = walk_folio_at(p, BASE);
	assert_int_equal(h.nr, 1);
	assert_true(has_hit(&h, p->task.mm, BASE));
	h = walk_folio_at(c, BASE);
	assert_int_equal(h.nr, 1);
	assert_true(has_hit(&h, c->task.mm, BASE));
	/* The unpinned page is shared as usual. */
	h = walk_folio_at(p, BASE + PAGE_SIZE);
	assert_int_equal(h.nr, 2);
	expect_fill(c, BASE, 'n', PAGE_SIZE);
	assert_rmap_ok(m);
	assert_int_equal(foliage_unpin(p, BASE, PAGE_SIZE), 0);
}

/*
 * The checkers catch what they are for: a VMA missing from its anon_vma's
 * tree (rmap misses its pages), a folio whose index disagrees with where
 * it is mapped, a VMA whose range changed behind its avcs' backs, and
 * anon_vma counters that disagree with the chains.
 */
static void test_checkers_catch_corruption(void **state)
{
	struct foliage_task *p = new_task(m, "p"), *c;
	struct rmap_check_stats st = { 0 };
	struct mm_struct *mms[2];
	struct anon_vma_chain *avc;
	struct vm_area_struct *vma;
	struct folio *folio;

	map_anon(p, BASE, 4 * PAGE_SIZE);
	fill(p, BASE, 'k', 4 * PAGE_SIZE);
	c = fork_task(p, "c");
	mms[0] = p->task.mm;
	mms[1] = c->task.mm;
	assert_rmap_ok(m);

	/* Take the child's link to the parent's anon_vma out of its tree. */
	vma = vma_at(c, BASE);
	avc = list_last_entry(&vma->anon_vma_chain, struct anon_vma_chain,
			      same_vma);
	assert_ptr_equal(avc->anon_vma, vma_at(p, BASE)->anon_vma);
	interval_tree_remove(&avc->rb, &avc->anon_vma->rb_root);
	assert_int_equal(rmap_check_machine(&st), -EINVAL);
	assert_int_equal(st.missed, 4);		/* the child's 4 PTEs */
	interval_tree_insert(&avc->rb, &avc->anon_vma->rb_root);
	m->nr_bugs = 0;
	assert_rmap_ok(m);

	/* A folio claiming another offset is found nowhere. */
	folio = folio_at(p, BASE + PAGE_SIZE);
	folio->index++;
	assert_int_equal(rmap_check_machine(&st), -EINVAL);
	folio->index--;
	/* Nor may a VMA's cached range go stale. */
	vma = vma_at(p, BASE);
	vma->vm_pgoff++;
	assert_int_equal(validate_anon_vmas(p->task.mm), -EINVAL);
	vma->vm_pgoff--;
	/* Nor a counter drift. */
	vma->anon_vma->num_active_vmas++;
	assert_int_equal(validate_anon_vma_counts(mms, 2), -EINVAL);
	vma->anon_vma->num_active_vmas--;
	vma->anon_vma->root->num_children--;
	assert_int_equal(validate_anon_vma_counts(mms, 2), -EINVAL);
	vma->anon_vma->root->num_children++;
	m->nr_bugs = 0;
	assert_rmap_ok(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_walk_fork_cow, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_walk_after_mremap, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_walk_thp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_files, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_folio_referenced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_try_to_unmap_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_try_to_unmap_lazyfree,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_copies_pinned_page,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkers_catch_corruption,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
