// SPDX-License-Identifier: GPL-2.0
/*
 * ANON_VMA_LAZY (issue 13, docs/anon-vma-lazy.md): the design as seed 003
 * describes it, and each reviewer objection as a test.  Every test runs on
 * a lazy machine (foliage_config.anon_vma = FOLIAGE_ANON_VMA_LAZY) and
 * ends with the reverse-map checker (every mapped folio's rmap walk
 * against a scan of every page table) and the anon_vma and lazy-root
 * validators (root refcounts recounted, no folio pointing at a freed
 * VMA); lockdep-lite reports any lock-order inversion as a bug, which
 * fails the test too.  Some run on a classic machine as well, to show
 * that classic is unchanged.
 */
#include "rmap_helpers.h"
#include "pt_helpers.h"
#include <linux/huge_mm.h>
#include <linux/swap.h>
#include <linux/migrate.h>

#define BASE		0x20000000UL
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON_FIXED	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_FIXED | \
			 FOLIAGE_MAP_ANONYMOUS)

static struct foliage_machine *m;

static struct foliage_machine *scheme_machine(unsigned int scheme)
{
	struct foliage_config cfg;
	struct foliage_machine *mm;

	foliage_config_init(&cfg);
	cfg.bytes_per_node = 128UL << 20;
	cfg.anon_vma = scheme;
	mm = test_machine_cfg(&cfg);
	assert_int_equal(machine_enter(mm), 0);
	assert_int_equal(kmem_caches_init(mm), 0);
	if (!mm->zero_page)
		assert_int_equal(zero_page_init(), 0);
	return mm;
}

static int setup_lazy(void **state)
{
	m = scheme_machine(FOLIAGE_ANON_VMA_LAZY);
	return 0;
}

static int setup_classic(void **state)
{
	m = scheme_machine(FOLIAGE_ANON_VMA_CLASSIC);
	return 0;
}

static int teardown(void **state)
{
	exit_all_tasks(m);
	assert_int_equal(machine_enter(m), 0);
	/* Every root, kept or not, went with its last user. */
	if (m->anon_rmap->lazy) {
		assert_int_equal(atomic_long_read(&m->anon_rmap->nr_roots), 0);
		assert_int_equal(atomic_long_read(&m->anon_rmap->nr_detached),
				 0);
	}
	pt_machine_done(m);
	return 0;
}

static bool lazy(void)
{
	return m->anon_rmap->lazy;
}

static void map_anon(struct foliage_task *t, unsigned long addr,
		     unsigned long len)
{
	map(t, addr, len, RW, ANON_FIXED, NULL, 0);
}

static long stat_of(atomic_long_t *v)
{
	assert_int_equal(machine_enter(m), 0);
	return atomic_long_read(v);
}

/* The folio at @addr of @t points at a lazy root, @root (NULL: any). */
static void assert_lazy_folio(struct foliage_task *t, unsigned long addr,
			      struct vm_area_struct *root)
{
	struct folio *folio = folio_at(t, addr);

	assert_true(folio_test_anon(folio));
	assert_true(folio_test_anon_lazy(folio));
	assert_null(folio_anon_vma(folio));
	if (root)
		assert_ptr_equal(folio_lazy_root(folio), root);
}

/*
 * The first anonymous fault allocates no anon_vma: the folio points at
 * the faulting VMA, which becomes a root; the walk finds the page by
 * address.  On a classic machine the same makes one anon_vma and one avc.
 */
static void test_first_fault(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	struct rmap_counts before;
	struct vm_area_struct *vma;
	struct walk_hits h;

	map_anon(t, BASE, 4 * PAGE_SIZE);
	before = rmap_counts(m);
	fill(t, BASE, 'a', 4 * PAGE_SIZE);
	vma = vma_at(t, BASE);
	h = walk_folio_at(t, BASE + 2 * PAGE_SIZE);
	assert_int_equal(h.nr, 1);
	assert_true(has_hit(&h, t->task.mm, BASE + 2 * PAGE_SIZE));
	if (lazy()) {
		assert_rmap_delta(m, before, 0, 0);
		assert_null(vma->anon_vma);
		assert_ptr_equal(vma->lazy_root, vma);
		assert_int_equal(vma->vm_refcnt, 1);
		assert_lazy_folio(t, BASE, vma);
		assert_int_equal(vma_mapping_base(vma), 0);
	} else {
		assert_rmap_delta(m, before, 1, 1);
		assert_non_null(vma->anon_vma);
		assert_null(vma->lazy_root);
		assert_false(folio_test_anon_lazy(folio_at(t, BASE)));
	}
	assert_rmap_ok(m);
}

/*
 * Objection: a VMA split in the middle of a large folio, one folio mapped
 * by two VMAs.  A 64 KiB mTHP is split by mprotect of its upper half:
 * both halves keep the root, the walk finds both VMAs, then the merge back
 * (mprotect RW again) leaves one VMA, and fork upgrades the group with
 * one anon_vma for both halves (a folio straddling them is on one tree).
 */
static void test_split_large_folio(void **state)
{
	struct foliage_task *t = new_task(m, "t"), *c;
	unsigned long mid = BASE + 8 * PAGE_SIZE;
	struct vm_area_struct *root, *lo, *hi;
	struct folio *folio;
	struct walk_hits h;

	assert_int_equal(foliage_set(m,
			 "transparent_hugepage.hugepages-64kB/enabled",
			 "always"), 0);
	map_anon(t, BASE, 16 * PAGE_SIZE);
	fill(t, BASE, 'a', 16 * PAGE_SIZE);
	folio = folio_at(t, BASE);
	assert_int_equal(folio_nr_pages(folio), 16);
	root = vma_at(t, BASE);

	assert_int_equal(foliage_mprotect(t, mid, 8 * PAGE_SIZE,
					  FOLIAGE_PROT_READ), 0);
	lo = vma_at(t, BASE);
	hi = vma_at(t, mid);
	assert_ptr_not_equal(lo, hi);
	assert_ptr_equal(folio_at(t, mid), folio);
	h = walk_folio_at(t, BASE);
	assert_int_equal(h.nr, 16);
	assert_true(has_hit(&h, t->task.mm, BASE));
	assert_true(has_hit(&h, t->task.mm, mid + 7 * PAGE_SIZE));
	if (lazy()) {
		assert_ptr_equal(lo->lazy_root, root);
		assert_ptr_equal(hi->lazy_root, root);
		assert_int_equal(root->vm_refcnt, 2);
		assert_lazy_folio(t, mid, root);
	}
	assert_rmap_ok(m);

	/* Merge back. */
	assert_int_equal(foliage_mprotect(t, mid, 8 * PAGE_SIZE, RW), 0);
	assert_ptr_equal(vma_at(t, BASE), vma_at(t, mid));
	h = walk_folio_at(t, mid);
	assert_int_equal(h.nr, 16);
	assert_rmap_ok(m);

	/* Split again, then fork: one anon_vma for the group. */
	assert_int_equal(foliage_mprotect(t, mid, 8 * PAGE_SIZE,
					  FOLIAGE_PROT_READ), 0);
	c = fork_task(t, "c");
	lo = vma_at(t, BASE);
	hi = vma_at(t, mid);
	assert_non_null(lo->anon_vma);
	assert_ptr_equal(lo->anon_vma, hi->anon_vma);
	assert_false(folio_test_anon_lazy(folio));
	h = walk_folio_at(t, BASE);
	assert_int_equal(h.nr, 32);
	assert_true(has_hit(&h, c->task.mm, mid + 7 * PAGE_SIZE));
	assert_rmap_ok(m);
}

/*
 * Objection: MAP_PRIVATE file-backed COW pages.  Their VMA's pgoff is the
 * file offset, so the root's base is not 0; a COWed page's index is that
 * offset, and base + index * PAGE_SIZE is still its address, through a
 * split of the VMA too.  Fork then moves the COWed folio to an anon_vma.
 */
static void test_private_file_cow(void **state)
{
	struct foliage_task *t = new_task(m, "t"), *c;
	unsigned long off = 5 * PAGE_SIZE, a = BASE + 3 * PAGE_SIZE;
	struct foliage_file *f;
	struct vm_area_struct *vma;
	struct walk_hits h;

	assert_int_equal(foliage_file_create(m, "f", 32 * PAGE_SIZE, &f), 0);
	map(t, BASE, 8 * PAGE_SIZE, RW,
	    FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_FIXED, f, off);
	touch_read(t, BASE, 8 * PAGE_SIZE);
	fill(t, a, 'c', PAGE_SIZE);
	vma = vma_at(t, BASE);
	assert_true(folio_test_anon(folio_at(t, a)));
	assert_int_equal(folio_at(t, a)->index, 5 + 3);
	if (lazy()) {
		assert_ptr_equal(vma->lazy_root, vma);
		assert_lazy_folio(t, a, vma);
		assert_int_equal(vma_mapping_base(vma), BASE - off);
	}
	h = walk_folio_at(t, a);
	assert_int_equal(h.nr, 1);
	assert_true(has_hit(&h, t->task.mm, a));
	assert_rmap_ok(m);

	/* Split the file VMA below the COWed page. */
	assert_int_equal(foliage_mprotect(t, BASE, 2 * PAGE_SIZE,
					  FOLIAGE_PROT_READ), 0);
	h = walk_folio_at(t, a);
	assert_int_equal(h.nr, 1);
	assert_true(has_hit(&h, t->task.mm, a));
	assert_rmap_ok(m);

	c = fork_task(t, "c");
	assert_false(folio_test_anon_lazy(folio_at(t, a)));
	h = walk_folio_at(t, a);
	assert_int_equal(h.nr, 2);
	assert_true(has_hit(&h, c->task.mm, a));
	assert_rmap_ok(m);
	foliage_file_put(f);
}

/*
 * Objection: mremap changes the base.  A moving mremap upgrades the
 * source's group (all of it: a split sibling too) and move_ptes() moves
 * each folio to the anon_vma; the walk finds the pages at the new place.
 * The upgrade is one way: the group stays on its anon_vma.
 */
static void test_mremap_changes_base(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	unsigned long to = BASE + 64 * MB, out = 0;
	struct vm_area_struct *root, *moved, *sib;
	struct rmap_counts before;
	struct walk_hits h;
	long fixed;

	map_anon(t, BASE, 8 * PAGE_SIZE);
	fill(t, BASE, 'a', 8 * PAGE_SIZE);
	root = vma_at(t, BASE);
	assert_int_equal(foliage_mprotect(t, BASE + 4 * PAGE_SIZE,
					  4 * PAGE_SIZE, FOLIAGE_PROT_READ), 0);
	before = rmap_counts(m);
	fixed = lazy() ? stat_of(&m->anon_rmap->nr_fixed) : 0;
	assert_int_equal(foliage_mremap(t, BASE, 4 * PAGE_SIZE,
					4 * PAGE_SIZE,
					FOLIAGE_MREMAP_MAYMOVE |
					FOLIAGE_MREMAP_FIXED, to, &out), 0);
	assert_int_equal(out, to);
	moved = vma_at(t, to);
	sib = vma_at(t, BASE + 4 * PAGE_SIZE);
	assert_int_not_equal(vma_mapping_base(moved), vma_mapping_base(sib));
	h = walk_folio_at(t, to + PAGE_SIZE);
	assert_int_equal(h.nr, 1);
	assert_true(has_hit(&h, t->task.mm, to + PAGE_SIZE));
	if (lazy()) {
		/* One anon_vma; an avc for the sibling and the copy. */
		assert_rmap_delta(m, before, 1, 2);
		assert_null(moved->lazy_root);
		assert_non_null(moved->anon_vma);
		assert_ptr_equal(sib->anon_vma, moved->anon_vma);
		assert_ptr_equal(sib->lazy_root, root);
		assert_ptr_equal(root->lazy_anon_vma, moved->anon_vma);
		assert_false(folio_test_anon_lazy(folio_at(t, to)));
		assert_int_equal(stat_of(&m->anon_rmap->nr_fixed) - fixed, 4);
		/* The sibling (the root itself) kept its folios lazy. */
		assert_ptr_equal(sib, root);
		assert_lazy_folio(t, BASE + 4 * PAGE_SIZE, root);
		/* Its own link and the anon_vma's pin. */
		assert_int_equal(root->vm_refcnt, 2);
	}
	h = walk_folio_at(t, BASE + 5 * PAGE_SIZE);
	assert_int_equal(h.nr, 1);
	assert_rmap_ok(m);

	/* Back again: no new anon_vma, the group is upgraded for good. */
	before = rmap_counts(m);
	assert_int_equal(foliage_mremap(t, to, 4 * PAGE_SIZE, 4 * PAGE_SIZE,
					FOLIAGE_MREMAP_MAYMOVE |
					FOLIAGE_MREMAP_FIXED, BASE, &out), 0);
	assert_int_equal(rmap_counts(m).anon_vma, before.anon_vma);
	expect_fill(t, BASE, 'a', 8 * PAGE_SIZE);
	assert_rmap_ok(m);
}

/*
 * Objection: munmap of the root VMA while its split halves live, then
 * rmap of their folios.  The root (the middle piece after an mprotect of
 * the middle) leaves its mm but is kept, detached, for the halves'
 * folios: its vm_area_struct stays allocated and counted; it goes with
 * the last half.
 */
static void test_munmap_root(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	unsigned long lo = BASE, mid = BASE + 4 * PAGE_SIZE,
		      hi = BASE + 8 * PAGE_SIZE;
	struct vm_area_struct *root;
	struct rmap_counts before;
	struct walk_hits h;

	map_anon(t, BASE, 12 * PAGE_SIZE);
	fill(t, BASE, 'a', 12 * PAGE_SIZE);
	root = vma_at(t, BASE);
	assert_int_equal(foliage_mprotect(t, mid, 4 * PAGE_SIZE,
					  FOLIAGE_PROT_READ), 0);
	/* vma_modify() keeps the original VMA for the middle piece. */
	assert_ptr_equal(vma_at(t, mid), root);
	before = rmap_counts(m);
	assert_int_equal(foliage_munmap(t, mid, 4 * PAGE_SIZE), 0);
	if (lazy()) {
		assert_true(root->lazy_detached);
		assert_int_equal(root->vm_refcnt, 2);
		assert_int_equal(stat_of(&m->anon_rmap->nr_detached), 1);
		/* The root is still there: one VMA fewer in the mm only. */
		assert_int_equal(rmap_counts(m).vma, before.vma);
		assert_lazy_folio(t, lo, root);
		assert_lazy_folio(t, hi, root);
	} else {
		assert_int_equal(rmap_counts(m).vma, before.vma - 1);
	}
	h = walk_folio_at(t, lo + PAGE_SIZE);
	assert_int_equal(h.nr, 1);
	assert_true(has_hit(&h, t->task.mm, lo + PAGE_SIZE));
	h = walk_folio_at(t, hi + 3 * PAGE_SIZE);
	assert_int_equal(h.nr, 1);
	assert_true(has_hit(&h, t->task.mm, hi + 3 * PAGE_SIZE));
	assert_rmap_ok(m);

	/* A new mapping in the hole (other flags) is not the root's. */
	map(t, mid, 4 * PAGE_SIZE, RW | FOLIAGE_PROT_EXEC, ANON_FIXED,
	    NULL, 0);
	fill(t, mid, 'n', 4 * PAGE_SIZE);
	h = walk_folio_at(t, hi);
	assert_int_equal(h.nr, 1);
	assert_rmap_ok(m);

	if (lazy())
		assert_ptr_not_equal(vma_at(t, mid)->lazy_root, root);
	assert_int_equal(foliage_munmap(t, lo, 4 * PAGE_SIZE), 0);
	assert_rmap_ok(m);
	before = rmap_counts(m);
	assert_int_equal(foliage_munmap(t, hi, 4 * PAGE_SIZE), 0);
	/* The last half took the detached root with it. */
	if (lazy()) {
		assert_int_equal(rmap_counts(m).vma, before.vma - 2);
		assert_int_equal(stat_of(&m->anon_rmap->nr_detached), 0);
	}
	assert_rmap_ok(m);
}

/*
 * Objection: merge back after split.  Three pieces from one root merge
 * back into one VMA when the protection is restored; the refcounts follow
 * (the validators recount them).  The merge keeps the root's struct (the
 * middle piece, which Linux's merge would remove), so no root is left
 * detached.  Two regions faulted separately (two
 * roots) never merge, as two anon_vmas would not.
 */
static void test_merge_after_split(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	unsigned long b2 = BASE + 8 * PAGE_SIZE;
	struct vm_area_struct *vma;

	map_anon(t, BASE, 8 * PAGE_SIZE);
	fill(t, BASE, 'a', 8 * PAGE_SIZE);
	assert_int_equal(foliage_mprotect(t, BASE + 2 * PAGE_SIZE,
					  2 * PAGE_SIZE, FOLIAGE_PROT_READ), 0);
	assert_int_equal(foliage_mprotect(t, BASE + 5 * PAGE_SIZE,
					  PAGE_SIZE, FOLIAGE_PROT_NONE), 0);
	assert_int_equal(t->task.mm->map_count, 5);
	assert_rmap_ok(m);
	assert_int_equal(foliage_mprotect(t, BASE, 8 * PAGE_SIZE, RW), 0);
	assert_int_equal(t->task.mm->map_count, 1);
	vma = vma_at(t, BASE);
	if (lazy()) {
		/* The root's struct took the merged range: none detached. */
		assert_ptr_equal(vma->lazy_root, vma);
		assert_int_equal(vma->vm_refcnt, 1);
		assert_int_equal(stat_of(&m->anon_rmap->nr_detached), 0);
	}
	expect_fill(t, BASE, 'a', 8 * PAGE_SIZE);
	assert_rmap_ok(m);

	/*
	 * A region faulted on its own is another root (another anon_vma):
	 * the range between them joins one side only.
	 */
	map_anon(t, b2 + 4 * PAGE_SIZE, 4 * PAGE_SIZE);
	fill(t, b2 + 4 * PAGE_SIZE, 'b', PAGE_SIZE);
	assert_int_equal(t->task.mm->map_count, 2);
	map_anon(t, b2, 4 * PAGE_SIZE);
	assert_int_equal(t->task.mm->map_count, 2);
	fill(t, b2, 'g', 4 * PAGE_SIZE);
	if (lazy())
		assert_ptr_equal(vma_at(t, b2)->lazy_root, vma->lazy_root);
	assert_rmap_ok(m);
}

/*
 * Objection: fork, then fork again from the child, with exits in any
 * order.  Each of the six orders of exit of P, C and G, with pages
 * written by each before the next fork and COWed after.
 */
static void fork_chain(const int order[3])
{
	struct foliage_task *t[3];
	int i;

	t[0] = new_task(m, "p");
	map_anon(t[0], BASE, 16 * PAGE_SIZE);
	fill(t[0], BASE, 'p', 16 * PAGE_SIZE);
	assert_int_equal(foliage_mprotect(t[0], BASE + 8 * PAGE_SIZE,
					  4 * PAGE_SIZE, FOLIAGE_PROT_READ), 0);
	t[1] = fork_task(t[0], "c");
	fill(t[1], BASE, 'c', 2 * PAGE_SIZE);
	map_anon(t[1], BASE + 32 * PAGE_SIZE, 4 * PAGE_SIZE);
	fill(t[1], BASE + 32 * PAGE_SIZE, 'C', 4 * PAGE_SIZE);
	assert_rmap_ok(m);
	t[2] = fork_task(t[1], "g");
	fill(t[2], BASE + PAGE_SIZE, 'g', 2 * PAGE_SIZE);
	fill(t[0], BASE + 4 * PAGE_SIZE, 'P', PAGE_SIZE);
	assert_rmap_ok(m);
	for (i = 0; i < 3; i++) {
		assert_int_equal(foliage_exit(t[order[i]]), 0);
		assert_rmap_ok(m);
	}
	assert_int_equal(machine_enter(m), 0);
	if (lazy())
		assert_int_equal(atomic_long_read(&m->anon_rmap->nr_roots), 0);
	assert_int_equal(rmap_counts(m).anon_vma, 0);
}

static void test_fork_chains(void **state)
{
	static const int orders[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
		{ 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
	};
	int i;

	for (i = 0; i < 6; i++)
		fork_chain(orders[i]);
}

/*
 * The users of the walk on a lazy folio, with lockdep-lite watching the
 * order folio lock > lazy lock > PTL: folio_referenced() (young bits
 * cleared through the root's VMAs) and try_to_unmap() of a clean
 * MADV_FREE folio.
 */
static void test_walk_users(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	unsigned long a = BASE + 9 * PAGE_SIZE;
	struct folio *folio;
	vm_flags_t flags;

	map_anon(t, BASE, 16 * PAGE_SIZE);
	fill(t, BASE, 'a', 16 * PAGE_SIZE);
	assert_int_equal(foliage_mprotect(t, BASE + 8 * PAGE_SIZE,
					  8 * PAGE_SIZE, FOLIAGE_PROT_READ), 0);
	folio = folio_at(t, a);
	assert_int_equal(machine_enter(m), 0);
	folio_lock(folio);
	assert_int_equal(folio_referenced(folio, true, &flags), 1);
	assert_int_equal(folio_referenced(folio, true, &flags), 0);
	folio_unlock(folio);

	assert_int_equal(foliage_madvise(t, a, PAGE_SIZE,
					 FOLIAGE_MADV_FREE), 0);
	folio = folio_at(t, a);
	assert_int_equal(machine_enter(m), 0);
	folio_get(folio);
	folio_lock(folio);
	try_to_unmap(folio, 0);
	assert_false(folio_mapped(folio));
	folio_unlock(folio);
	folio_put(folio);
	assert_null(page_at(t, a));
	assert_rmap_ok(m);
	assert_int_equal(foliage_bugs(m), 0);
}

/*
 * VMA lifetime and memory: after 100 regions are faulted, split and
 * their middle pieces (the roots) unmapped, 100 roots are kept detached,
 * each counted in vm_area_struct; they go with the last halves.  Every
 * step is checked: no folio points at a freed VMA (ASan would also see
 * a use after free in the walks).
 */
static void test_root_lifetime(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	struct rmap_counts before;
	unsigned long r, a;
	int i;

	before = rmap_counts(m);
	for (i = 0; i < 100; i++) {
		r = BASE + i * 16 * PAGE_SIZE;
		map_anon(t, r, 12 * PAGE_SIZE);
		fill(t, r, 'r', 12 * PAGE_SIZE);
		assert_int_equal(foliage_mprotect(t, r + 4 * PAGE_SIZE,
						  4 * PAGE_SIZE,
						  FOLIAGE_PROT_READ), 0);
		assert_int_equal(foliage_munmap(t, r + 4 * PAGE_SIZE,
						4 * PAGE_SIZE), 0);
	}
	assert_int_equal(t->task.mm->map_count, 200);
	if (lazy()) {
		assert_int_equal(stat_of(&m->anon_rmap->nr_detached), 100);
		assert_int_equal(rmap_counts(m).vma - before.vma, 300);
		assert_int_equal(rmap_counts(m).anon_vma - before.anon_vma, 0);
	} else {
		assert_int_equal(rmap_counts(m).vma - before.vma, 200);
		assert_int_equal(rmap_counts(m).anon_vma - before.anon_vma,
				 100);
	}
	assert_rmap_ok(m);
	for (i = 0; i < 100; i++) {
		a = BASE + i * 16 * PAGE_SIZE;
		assert_int_equal(foliage_munmap(t, a, 12 * PAGE_SIZE), 0);
	}
	assert_int_equal(rmap_counts(m).vma, before.vma);
	assert_rmap_ok(m);
}

/*
 * Open case: a migration entry at fork.  fork copies the entry without
 * moving the folio (it is not mapped), so it still points at the root
 * when migration ends; the walk must find the child's entry too (through
 * the anon_vma the fork upgraded the group to), or the child would keep a
 * migration entry for ever.
 */
static void test_migration_entry_at_fork(void **state)
{
	struct foliage_task *p = new_task(m, "p"), *c;
	struct folio *folio;
	struct walk_hits h;

	map_anon(p, BASE, 4 * PAGE_SIZE);
	fill(p, BASE, 'm', 4 * PAGE_SIZE);
	folio = folio_at(p, BASE + PAGE_SIZE);
	assert_int_equal(machine_enter(m), 0);
	folio_get(folio);
	folio_lock(folio);
	try_to_migrate(folio, 0);
	assert_false(folio_mapped(folio));
	/* (A migrating CPU holds the lock; this thread forks meanwhile.) */
	folio_unlock(folio);
	c = fork_task(p, "c");
	assert_int_equal(machine_enter(m), 0);
	folio_lock(folio);
	if (lazy()) {
		/* Not moved by fork: still the root's. */
		assert_true(folio_test_anon_lazy(folio));
		assert_non_null(folio_lazy_root(folio)->lazy_anon_vma);
	}
	remove_migration_ptes(folio, folio, 0);
	folio_unlock(folio);
	folio_put(folio);
	/* Both the parent's and the child's entries became PTEs again. */
	assert_ptr_equal(folio_at(p, BASE + PAGE_SIZE), folio);
	assert_ptr_equal(folio_at(c, BASE + PAGE_SIZE), folio);
	h = walk_folio_at(c, BASE + PAGE_SIZE);
	assert_int_equal(h.nr, 2);
	expect_fill(c, BASE, 'm', 4 * PAGE_SIZE);
	assert_rmap_ok(m);
}

/* An invalid scheme is refused. */
static void test_bad_scheme(void **state)
{
	struct foliage_config cfg;
	struct foliage_machine *bad = NULL;

	foliage_config_init(&cfg);
	cfg.anon_vma = 2;
	assert_int_equal(foliage_machine_create(&cfg, &bad), -EINVAL);
	assert_null(bad);
}

#define BOTH(fn)							\
	cmocka_unit_test_setup_teardown(fn, setup_lazy, teardown),	\
	cmocka_unit_test_setup_teardown(fn, setup_classic, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_first_fault),
		BOTH(test_split_large_folio),
		BOTH(test_private_file_cow),
		BOTH(test_mremap_changes_base),
		BOTH(test_munmap_root),
		BOTH(test_merge_after_split),
		BOTH(test_fork_chains),
		cmocka_unit_test_setup_teardown(test_walk_users, setup_lazy,
						teardown),
		BOTH(test_root_lifetime),
		BOTH(test_migration_entry_at_fork),
		cmocka_unit_test(test_bad_scheme),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
