// SPDX-License-Identifier: GPL-2.0
/*
 * anon_vma lifecycle, counted in slab objects as /proc/slabinfo counts
 * them on Linux: first-fault preparation, neighbour sharing, split and
 * merge, fork with its reuse rule, exit, and failing allocations.
 *
 * Linux 6.18 on x86-64 (issue 4): a process that maps 1,000 separate
 * 64 KiB anonymous regions and touches them creates one anon_vma and one
 * anon_vma_chain per region; each forked child adds one anon_vma and two
 * chains per region.
 */
#include "rmap_helpers.h"
#include "vma.h"

#define BASE		0x10000000UL
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define RWX		(RW | FOLIAGE_PROT_EXEC)
#define ANON_FIXED	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | \
			 FOLIAGE_MAP_FIXED)

static void map_anon(struct foliage_task *t, unsigned long addr,
		     unsigned long len, int prot)
{
	map(t, addr, len, prot, ANON_FIXED, NULL, 0);
}

static void protect(struct foliage_task *t, unsigned long addr,
		    unsigned long len, int prot)
{
	assert_int_equal(foliage_mprotect(t, addr, len, prot), 0);
}

/*
 * 1,000 regions of 64 KiB, 64 KiB apart so that none is adjacent to
 * another:
 *
 *   BASE  RR..RR..RR.. ... (1000 x)	R = 64 KiB region, . = 64 KiB hole
 */
#define NR_REGIONS	1000
#define REGION		(64 * KB)

static unsigned long region(int i)
{
	return BASE + (unsigned long)i * 2 * REGION;
}

/*
 * A thousand VMAs make every machine-wide validation slow, so the bulk of
 * this workload runs foliage_mmap(MAP_POPULATE)'s and MADV_POPULATE_WRITE's
 * internals directly, without the validation after each operation that a
 * debug build's public API runs; the test validates at its checkpoints.
 */
static void map_populate_quietly(struct foliage_task *t, unsigned long addr)
{
	struct mm_struct *mm = t->task.mm;
	unsigned long populate = 0, ret;

	mmap_write_lock(mm);
	ret = do_mmap(mm, NULL, addr, REGION, RW,
		      ANON_FIXED | FOLIAGE_MAP_POPULATE, 0, &populate);
	mmap_write_unlock(mm);
	assert_int_equal(ret, addr);
	assert_int_equal(populate, REGION);
	mmap_read_lock(mm);
	assert_int_equal(mm_populate(mm, addr, REGION), 0);
	mmap_read_unlock(mm);
}

/* Write-fault every page of every region (breaking COW in a child). */
static void touch_regions_quietly(struct foliage_task *t)
{
	struct mm_struct *mm = t->task.mm;
	int i;

	assert_int_equal(machine_enter(t->machine), 0);
	mmap_read_lock(mm);
	for (i = 0; i < NR_REGIONS; i++)
		assert_int_equal(mm_populate(mm, region(i), REGION), 0);
	mmap_read_unlock(mm);
}

static void test_thousand_regions_and_forks(void **state)
{
	struct foliage_machine *m = pt_machine(1, 512);
	struct foliage_task *p = new_task(m, "parent"), *c1, *c2;
	struct rmap_counts before = rmap_counts(m);
	int i;

	(void)state;
	/* Mapping alone makes VMAs, no reverse map yet. */
	map_anon(p, region(0), REGION, RW);
	assert_rmap_delta(m, before, 0, 0);
	assert_int_equal(foliage_munmap(p, region(0), REGION), 0);

	assert_int_equal(machine_enter(m), 0);
	for (i = 0; i < NR_REGIONS; i++)
		map_populate_quietly(p, region(i));
	assert_int_equal(rmap_counts(m).vma - before.vma, NR_REGIONS);
	assert_rmap_delta(m, before, NR_REGIONS, NR_REGIONS);
	/* Touching again changes nothing. */
	fill(p, region(7), 'q', REGION);
	touch_regions_quietly(p);
	assert_rmap_delta(m, before, NR_REGIONS, NR_REGIONS);
	assert_rmap_ok(m);

	/* fork links the child at once: 1 anon_vma and 2 avcs a region. */
	c1 = fork_task(p, "child1");
	assert_rmap_delta(m, before, 2 * NR_REGIONS, 3 * NR_REGIONS);
	touch_regions_quietly(c1);
	assert_rmap_delta(m, before, 2 * NR_REGIONS, 3 * NR_REGIONS);
	assert_int_equal(rmap_counts(m).vma - before.vma, 2 * NR_REGIONS);
	/* The child's writes made its own copies, in its own anon_vmas. */
	assert_ptr_not_equal(page_at(c1, region(999)), page_at(p, region(999)));
	assert_ptr_equal(folio_anon_vma(page_folio(page_at(c1, region(999)))),
			 vma_at(c1, region(999))->anon_vma);

	c2 = fork_task(p, "child2");
	touch_regions_quietly(c2);
	assert_rmap_delta(m, before, 3 * NR_REGIONS, 5 * NR_REGIONS);
	assert_rmap_ok(m);
	expect_fill(p, region(7), 'q', REGION);
	expect_fill(c1, region(7), 'q', REGION);
	expect_fill(c2, region(999), 0, REGION);

	assert_int_equal(foliage_exit(c1), 0);
	assert_rmap_delta(m, before, 2 * NR_REGIONS, 3 * NR_REGIONS);
	assert_int_equal(foliage_exit(c2), 0);
	assert_rmap_delta(m, before, NR_REGIONS, NR_REGIONS);
	assert_rmap_ok(m);
	assert_int_equal(foliage_exit(p), 0);
	assert_rmap_delta(m, before, 0, 0);
	assert_int_equal(rmap_counts(m).vma, before.vma);
	pt_machine_done(m);
}

/*
 * Fork-tree shapes and the reuse rule (an anon_vma with no VMA of its own
 * and fewer than two children is adopted by a new fork instead of making
 * a new one; a root never is):
 *
 *   P: A (root)          P touches; forks C
 *   C: B (parent A)      C forks G
 *   G: Gb (parent B)     C exits: B has no VMA, one child (Gb)
 *   H: B, adopted        G forks H: H's pages go to B
 *   G2: B2 (parent B)    H forks G2 and exits: B has two children
 *   G3: new (parent Gb)  so G's next fork makes a new anon_vma
 */
static void test_fork_reuse_rule(void **state)
{
	struct foliage_machine *m = pt_machine(1, 64);
	struct foliage_task *p = new_task(m, "P"), *c, *g, *h, *g2;
	struct anon_vma *a, *b, *gb;
	struct rmap_counts before;
	struct walk_hits hits;

	(void)state;
	map_anon(p, BASE, 4 * PAGE_SIZE, RW);
	fill(p, BASE, 'P', 4 * PAGE_SIZE);
	a = vma_at(p, BASE)->anon_vma;
	assert_non_null(a);
	assert_ptr_equal(a->root, a);
	assert_int_equal(a->num_children, 1);	/* its self-parent link */
	assert_int_equal(a->num_active_vmas, 1);

	c = fork_task(p, "C");
	b = vma_at(c, BASE)->anon_vma;
	assert_ptr_not_equal(b, a);
	assert_ptr_equal(b->root, a);
	assert_ptr_equal(b->parent, a);
	assert_int_equal(a->num_children, 2);
	assert_int_equal(chain_len(vma_at(c, BASE)), 2);

	g = fork_task(c, "G");
	gb = vma_at(g, BASE)->anon_vma;
	assert_ptr_equal(gb->parent, b);
	assert_ptr_equal(gb->root, a);
	assert_int_equal(chain_len(vma_at(g, BASE)), 3);
	fill(g, BASE + PAGE_SIZE, 'G', PAGE_SIZE);

	assert_int_equal(foliage_exit(c), 0);
	assert_int_equal(b->num_active_vmas, 0);
	assert_int_equal(b->num_children, 1);

	before = rmap_counts(m);
	h = fork_task(g, "H");
	/* Adopted: no new anon_vma, only a copy of G's three chains. */
	assert_rmap_delta(m, before, 0, 3);
	assert_ptr_equal(vma_at(h, BASE)->anon_vma, b);
	assert_int_equal(b->num_active_vmas, 1);
	assert_int_equal(chain_len(vma_at(h, BASE)), 3);

	/* H's COW copy lives in B and is found there. */
	fill(h, BASE + 2 * PAGE_SIZE, 'H', PAGE_SIZE);
	assert_ptr_equal(folio_anon_vma(page_folio(page_at(h, BASE +
							   2 * PAGE_SIZE))), b);
	hits = walk_folio_at(h, BASE + 2 * PAGE_SIZE);
	assert_int_equal(hits.nr, 1);
	assert_true(has_hit(&hits, h->task.mm, BASE + 2 * PAGE_SIZE));
	/* P's untouched-since-fork page: shared by P, G and H. */
	hits = walk_folio_at(p, BASE + 3 * PAGE_SIZE);
	assert_int_equal(hits.nr, 3);
	assert_true(has_hit(&hits, p->task.mm, BASE + 3 * PAGE_SIZE));
	assert_true(has_hit(&hits, g->task.mm, BASE + 3 * PAGE_SIZE));
	assert_true(has_hit(&hits, h->task.mm, BASE + 3 * PAGE_SIZE));
	assert_rmap_ok(m);

	/*
	 * Two children are one too many: B (no VMA) with the chains of G
	 * and a second grandchild G2 is not adopted by a fork of G.
	 */
	g2 = fork_task(h, "G2");
	assert_int_equal(foliage_exit(h), 0);
	h = g2;
	assert_int_equal(b->num_active_vmas, 0);
	assert_int_equal(b->num_children, 2);
	before = rmap_counts(m);
	g2 = fork_task(g, "G3");
	assert_rmap_delta(m, before, 1, 4);
	assert_ptr_equal(vma_at(g2, BASE)->anon_vma->parent, gb);
	assert_rmap_ok(m);
	assert_int_equal(foliage_exit(g2), 0);

	/* A root is never adopted, even with one child gone. */
	assert_int_equal(foliage_exit(h), 0);
	assert_int_equal(foliage_exit(g), 0);
	assert_int_equal(a->num_children, 1);
	before = rmap_counts(m);
	c = fork_task(p, "C2");
	assert_rmap_delta(m, before, 1, 2);
	assert_ptr_not_equal(vma_at(c, BASE)->anon_vma, a);
	assert_rmap_ok(m);
	assert_int_equal(foliage_exit(c), 0);
	assert_int_equal(foliage_exit(p), 0);
	assert_int_equal(rmap_counts(m).anon_vma, 0);
	assert_int_equal(rmap_counts(m).avc, 0);
	pt_machine_done(m);
}

/*
 * The first fault borrows a compatible neighbour's anon_vma (flags equal
 * but for access bits, contiguous pgoff, neighbour not forked), so that a
 * later mprotect can merge the two:
 *
 *   BASE  AAAA BBBB	A rw-, B rwx: two VMAs, one anon_vma
 *         AAAAAAAA	mprotect B rw-: one VMA again, one avc
 */
static void test_prepare_borrows_neighbour(void **state)
{
	struct foliage_machine *m = pt_machine(1, 64);
	struct foliage_task *t = new_task(m, "t");
	unsigned long b = BASE + 4 * PAGE_SIZE;
	struct rmap_counts before = rmap_counts(m);
	struct walk_hits hits;

	(void)state;
	map_anon(t, BASE, 4 * PAGE_SIZE, RW);
	map_anon(t, b, 4 * PAGE_SIZE, RWX);
	assert_ptr_not_equal(vma_at(t, BASE), vma_at(t, b));
	fill(t, BASE, 'a', PAGE_SIZE);
	assert_rmap_delta(m, before, 1, 1);
	fill(t, b + PAGE_SIZE, 'b', PAGE_SIZE);
	assert_rmap_delta(m, before, 1, 2);
	assert_ptr_equal(vma_at(t, b)->anon_vma, vma_at(t, BASE)->anon_vma);
	assert_int_equal(vma_at(t, BASE)->anon_vma->num_active_vmas, 2);

	protect(t, b, 4 * PAGE_SIZE, RW);
	assert_ptr_equal(vma_at(t, b), vma_at(t, BASE));
	assert_rmap_delta(m, before, 1, 1);
	hits = walk_folio_at(t, b + PAGE_SIZE);
	assert_int_equal(hits.nr, 1);
	assert_true(has_hit(&hits, t->task.mm, b + PAGE_SIZE));
	assert_rmap_ok(m);

	/* A read fault maps the zero page: no anon_vma for a fresh VMA. */
	map_anon(t, BASE + 64 * PAGE_SIZE, PAGE_SIZE, FOLIAGE_PROT_READ);
	touch_read(t, BASE + 64 * PAGE_SIZE, PAGE_SIZE);
	assert_null(vma_at(t, BASE + 64 * PAGE_SIZE)->anon_vma);
	assert_rmap_delta(m, before, 1, 1);
	assert_int_equal(foliage_exit(t), 0);
	assert_rmap_delta(m, before, 0, 0);
	pt_machine_done(m);
}

/*
 * Separately faulted neighbours keep separate anon_vmas and never merge
 * (Linux's anon_vma compatibility): the second fault cannot borrow from a
 * neighbour that was forked (its chain is not singular).
 *
 *   BASE  AAAA BBBB	fault A; fork; fault B in the parent
 */
static void test_forked_neighbour_not_borrowed(void **state)
{
	struct foliage_machine *m = pt_machine(1, 64);
	struct foliage_task *p = new_task(m, "p"), *c;
	unsigned long b = BASE + 4 * PAGE_SIZE;

	(void)state;
	map_anon(p, BASE, 4 * PAGE_SIZE, RW);
	map_anon(p, b, 4 * PAGE_SIZE, RWX);
	fill(p, BASE, 'a', PAGE_SIZE);
	c = fork_task(p, "c");
	/* In the child, A's chain is two long: B gets its own anon_vma. */
	fill(c, b, 'b', PAGE_SIZE);
	assert_ptr_not_equal(vma_at(c, b)->anon_vma,
			     vma_at(c, BASE)->anon_vma);
	protect(c, b, 4 * PAGE_SIZE, RW);
	assert_ptr_not_equal(vma_at(c, b), vma_at(c, BASE));
	assert_rmap_ok(m);
	assert_int_equal(foliage_exit(c), 0);
	assert_int_equal(foliage_exit(p), 0);
	pt_machine_done(m);
}

/*
 * A split VMA shares its anon_vma with its halves (one avc each), and
 * the merge back frees the extra avcs:
 *
 *   BASE  AAAAAAAA	touched: 1 anon_vma, 1 avc
 *         AA.BB.AA	mprotect the middle read-only: 3 VMAs, 3 avcs
 *         AAAAAAAA	mprotect back: 1 VMA, 1 avc
 */
static void test_split_and_merge(void **state)
{
	struct foliage_machine *m = pt_machine(1, 64);
	struct foliage_task *t = new_task(m, "t");
	struct rmap_counts before = rmap_counts(m);
	unsigned long mid = BASE + 2 * PAGE_SIZE;
	struct walk_hits hits;

	(void)state;
	map_anon(t, BASE, 8 * PAGE_SIZE, RW);
	fill(t, BASE, 's', 8 * PAGE_SIZE);
	assert_rmap_delta(m, before, 1, 1);
	protect(t, mid, 4 * PAGE_SIZE, FOLIAGE_PROT_READ);
	assert_rmap_delta(m, before, 1, 3);
	assert_ptr_equal(vma_at(t, mid)->anon_vma, vma_at(t, BASE)->anon_vma);
	assert_int_equal(vma_at(t, BASE)->anon_vma->num_active_vmas, 3);
	hits = walk_folio_at(t, mid + PAGE_SIZE);
	assert_int_equal(hits.nr, 1);
	assert_true(has_hit(&hits, t->task.mm, mid + PAGE_SIZE));
	assert_rmap_ok(m);
	protect(t, mid, 4 * PAGE_SIZE, RW);
	assert_rmap_delta(m, before, 1, 1);
	assert_rmap_ok(m);
	/* munmap of the middle: two VMAs, two avcs; all of it: none. */
	assert_int_equal(foliage_munmap(t, mid, 4 * PAGE_SIZE), 0);
	assert_rmap_delta(m, before, 1, 2);
	assert_int_equal(foliage_munmap(t, BASE, 8 * PAGE_SIZE), 0);
	assert_rmap_delta(m, before, 0, 0);
	assert_int_equal(foliage_exit(t), 0);
	pt_machine_done(m);
}

/*
 * fork with the Nth slab allocation failing, for every N: a failure
 * returns -ENOMEM and leaves no object behind, a success links as usual
 * (SQLite-style anomaly testing of the unwind paths).  Three touched VMAs
 * make each fork allocate, per VMA: the vm_area_struct, the avc cloned
 * from the parent's chain, the child's anon_vma and its avc.  Like
 * Linux's GFP_NOWAIT-then-GFP_KERNEL, a failed clone avc is retried, so
 * failing those calls (2, 6, 10) does not fail the fork.
 */
static void test_fork_failslab_sweep(void **state)
{
	struct foliage_machine *m = pt_machine(1, 64);
	struct foliage_task *p = new_task(m, "p"), *c = NULL;
	struct rmap_counts before;
	unsigned long seen = 0;
	char n[16];
	int i, ret;

	(void)state;
	for (i = 0; i < 3; i++) {
		map_anon(p, BASE + i * 8 * PAGE_SIZE, 4 * PAGE_SIZE, RW);
		fill(p, BASE + i * 8 * PAGE_SIZE, 'a' + i, 4 * PAGE_SIZE);
	}
	before = rmap_counts(m);
	for (i = 1; i <= 16; i++) {
		snprintf(n, sizeof(n), "%d", i);
		assert_int_equal(foliage_set(m, "failslab.interval", n), 0);
		assert_int_equal(foliage_set(m, "failslab.times", "1"), 0);
		assert_int_equal(foliage_set(m, "failslab.probability", "100"),
				 0);
		ret = foliage_fork(p, "c", &c);
		assert_int_equal(foliage_set(m, "failslab.probability", "0"), 0);
		if (ret) {
			assert_int_equal(ret, -ENOMEM);
			seen |= 1UL << i;
		} else {
			assert_rmap_delta(m, before, 3, 6);
			expect_fill(c, BASE + 16 * PAGE_SIZE, 'c', 4 * PAGE_SIZE);
			assert_rmap_ok(m);
			assert_int_equal(foliage_exit(c), 0);
		}
		assert_rmap_delta(m, before, 0, 0);
		assert_int_equal(rmap_counts(m).vma, before.vma);
		assert_rmap_ok(m);
	}
	assert_int_equal(seen, 0x1bba);	/* 1,3,4,5,7,8,9,11,12 failed */

	/* Random failures, several per fork, fixed seeds. */
	for (i = 1; i <= 16; i++) {
		snprintf(n, sizeof(n), "%d", i);
		assert_int_equal(foliage_set(m, "failslab.seed", n), 0);
		assert_int_equal(foliage_set(m, "failslab.interval", "1"), 0);
		assert_int_equal(foliage_set(m, "failslab.times", "-1"), 0);
		assert_int_equal(foliage_set(m, "failslab.probability", "20"),
				 0);
		ret = foliage_fork(p, "c", &c);
		assert_int_equal(foliage_set(m, "failslab.probability", "0"), 0);
		if (!ret)
			assert_int_equal(foliage_exit(c), 0);
		else
			assert_int_equal(ret, -ENOMEM);
		assert_rmap_delta(m, before, 0, 0);
		assert_rmap_ok(m);
	}
	assert_int_equal(foliage_exit(p), 0);
	pt_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thousand_regions_and_forks),
		cmocka_unit_test(test_fork_reuse_rule),
		cmocka_unit_test(test_prepare_borrows_neighbour),
		cmocka_unit_test(test_forked_neighbour_not_borrowed),
		cmocka_unit_test(test_split_and_merge),
		cmocka_unit_test(test_fork_failslab_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
