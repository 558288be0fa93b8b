// SPDX-License-Identifier: GPL-2.0
/*
 * PTE batching at fork (Linux 6.18's copy_present_ptes() with
 * folio_pte_batch_flags()) and zap (zap_present_ptes()): every rule of
 * issue 12 §2 and §3, on x86 and on arm64 machines, each checked against
 * the per-PTE fork path (debug.fork_batching=0) too.  The folio under test is one order-4 (64K) anonymous mTHP, mapped
 * at BASE by 16 PTEs:
 *
 *   BASE                    BASE+64K
 *   | 0 1 2 ... 7 | 8 ... 15 |	one folio, written 'A'+i page by page
 *
 * runs() lists the batches fork would take from the parent's table (the
 * same flags copy_present_ptes() uses), so each test names them.
 */
#include "batch_helpers.h"
#include <linux/rmap.h>
#include "task.h"

#define BASE		(1UL << 30)
#define NR		16
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON		(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | \
			 FOLIAGE_MAP_FIXED)

struct fixture {
	struct foliage_machine *m;	/* the machine */
	struct foliage_task *task;	/* the parent */
	struct folio *folio;		/* the 64K folio at BASE */
	bool batching;			/* debug.fork_batching */
};

static int setup_arch(void **state, unsigned int arch, bool batching)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->m = batch_machine(arch);
	assert_int_equal(foliage_set(f->m, "debug.fork_batching",
				     batching ? "1" : "0"), 0);
	f->batching = batching;
	f->task = new_task(f->m, "parent");
	*state = f;
	return 0;
}

static int setup_x86(void **s) { return setup_arch(s, FOLIAGE_ARCH_X86_64, true); }
static int setup_x86_pte(void **s) { return setup_arch(s, FOLIAGE_ARCH_X86_64, false); }
static int setup_arm64(void **s) { return setup_arch(s, FOLIAGE_ARCH_ARM64, true); }
static int setup_arm64_pte(void **s) { return setup_arch(s, FOLIAGE_ARCH_ARM64, false); }

BATCH_FIXTURE(struct fixture);
#define teardown batch_teardown

/* The page mapped at @addr, on either arch (PTE or huge PMD), or NULL. */
static struct page *tpage(struct foliage_task *t, unsigned long addr)
{
	bool huge;
	u64 e = entry_at(t, addr, &huge);

	if (!e)
		return NULL;
	return pfn_to_page(__entry_pfn(e) +
			   (huge ? (addr & ~PMD_MASK) >> PAGE_SHIFT : 0));
}

static pte_t pte(struct foliage_task *t, unsigned long addr)
{
	return ptep_get(pte_slot(t, addr));
}

/* Map [BASE, BASE + len) and write page i with 'A' + i. */
static void populate(struct fixture *f, unsigned long base, unsigned long len)
{
	unsigned long a;

	map(f->task, base, len, RW, ANON, NULL, 0);
	for (a = base; a < base + len; a += PAGE_SIZE)
		fill(f->task, a, 'A' + (int)((a - base) >> PAGE_SHIFT) % 26,
		     PAGE_SIZE);
	f->folio = page_folio(tpage(f->task, base));
}

static void setup_folio(struct fixture *f)
{
	populate(f, BASE, NR * PAGE_SIZE);
	assert_int_equal(folio_order(f->folio), 4);
}

static void expect_content(struct foliage_task *t, unsigned long base,
			   unsigned long len)
{
	unsigned long a;

	for (a = base; a < base + len; a += PAGE_SIZE)
		expect_fill(t, a, 'A' + (int)((a - base) >> PAGE_SHIFT) % 26,
			    PAGE_SIZE);
}

/*
 * Change the bits of the parent's PTE @i (not its pfn) with @fn, in place:
 * on arm64 its block is unfolded first, and stays so (set_pte() would
 * fold it again as soon as the 16 entries matched but for dirtiness).
 */
static void modify(struct fixture *f, int i, pte_t (*fn)(pte_t))
{
	pte_t *p = pte_slot(f->task, BASE + i * PAGE_SIZE);

	contpte_try_unfold(p);
	__set_pte(p, fn(__ptep_get(p)));
}

/*
 * The batches fork takes from @addr over @nr PTEs of @vma's parent, as
 * copy_pte_range() bounds them (the VMA and the PMD), written "16" or
 * "8+8" into @buf.
 */
static const char *runs(struct fixture *f, unsigned long addr, int nr,
			char *buf, size_t size)
{
	struct vm_area_struct *vma;
	unsigned long end;
	size_t len = 0;

	assert_int_equal(machine_enter(f->m), 0);
	buf[0] = 0;
	while (nr > 0) {
		pte_t *p = pte_slot(f->task, addr), ent = ptep_get(p);
		struct folio *folio = page_folio(pte_page(ent));
		fpb_t flags = FPB_MERGE_WRITE;
		unsigned int n = 1;

		vma = find_vma(f->task->task.mm, addr);
		end = min(vma->vm_end, pmd_addr_end(addr, vma->vm_end));
		if (!(vma->vm_flags & VM_SHARED))
			flags |= FPB_RESPECT_DIRTY;
		if (vma_soft_dirty_enabled(vma))
			flags |= FPB_RESPECT_SOFT_DIRTY;
		if (folio_test_large(folio))
			n = folio_pte_batch_flags(folio, vma, p, &ent,
						  (end - addr) >> PAGE_SHIFT,
						  flags);
		len += snprintf(buf + len, size - len, "%s%u",
				len ? "+" : "", n);
		nr -= n;
		addr += n * PAGE_SIZE;
	}
	return buf;
}

#define assert_runs(f, addr, nr, expect) do {				\
	char __b[128];							\
	assert_string_equal(runs(f, addr, nr, __b, sizeof(__b)), expect); \
} while (0)

static unsigned long anon_rss(struct foliage_task *t)
{
	return get_mm_counter(t->task.mm, MM_ANONPAGES);
}

/*
 * A 16-page folio forks as one batch: both sides read-only, the child old
 * and dirty as the parent, the parent still young; no page AnonExclusive;
 * 16 more references and mappings; the child's MM_ANONPAGES 16.
 */
static void test_fork_one_batch(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child;
	int refs, maps, i;

	setup_folio(f);
	assert_runs(f, BASE, NR, "16");
	refs = folio_ref_count(f->folio);
	maps = folio_mapcount(f->folio);
	assert_int_equal(maps, NR);
	for (i = 0; i < NR; i++) {
		assert_true(pte_write(pte(f->task, BASE + i * PAGE_SIZE)));
		assert_true(PageAnonExclusive(folio_page(f->folio, i)));
	}

	child = fork_task(f->task, "child");
	for (i = 0; i < NR; i++) {
		unsigned long a = BASE + i * PAGE_SIZE;
		pte_t p = pte(f->task, a), c = pte(child, a);

		assert_false(pte_write(p));
		assert_false(pte_write(c));
		assert_true(pte_young(p));
		assert_false(pte_young(c));
		assert_true(pte_dirty(p));
		assert_true(pte_dirty(c));
		assert_int_equal(pte_pfn(c), pte_pfn(p));
		assert_false(PageAnonExclusive(folio_page(f->folio, i)));
		assert_int_equal(page_mapcount(folio_page(f->folio, i)), 2);
	}
	assert_int_equal(folio_ref_count(f->folio), refs + NR);
	assert_int_equal(folio_mapcount(f->folio), maps + NR);
	assert_int_equal(anon_rss(child), NR);
	expect_content(child, BASE, NR * PAGE_SIZE);
	assert_int_equal(foliage_exit(child), 0);
	assert_int_equal(folio_ref_count(f->folio), refs);
}

/* Dirty 0-7, clean 8-15 in a private VMA: 8 + 8, dirtiness kept. */
static void test_fork_dirty_split(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child;
	int i;

	setup_folio(f);
	for (i = 8; i < NR; i++)
		modify(f, i, pte_mkclean);
	assert_runs(f, BASE, NR, "8+8");
	child = fork_task(f->task, "child");
	for (i = 0; i < NR; i++) {
		unsigned long a = BASE + i * PAGE_SIZE;

		/*
		 * arm64's per-PTE path folds the child's block at its 16th
		 * entry (they match but for dirtiness), ORing the dirty bits.
		 */
		if (arch_is_arm64() && !f->batching)
			assert_true(pte_dirty(pte(child, a)));
		else
			assert_int_equal(pte_dirty(pte(child, a)), i < 8);
		assert_int_equal(pte_dirty(pte(f->task, a)), i < 8);
		assert_false(pte_write(pte(child, a)));
		assert_false(pte_write(pte(f->task, a)));
	}
	assert_int_equal(anon_rss(child), NR);
	expect_content(child, BASE, NR * PAGE_SIZE);
	assert_int_equal(foliage_exit(child), 0);
}

/* Read-only and writable mixed: one batch, all read-only on both sides. */
static void test_fork_mixed_write(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child;
	int i;

	setup_folio(f);
	for (i = 4; i < 12; i++)
		modify(f, i, pte_wrprotect);
	assert_runs(f, BASE, NR, "16");
	child = fork_task(f->task, "child");
	for (i = 0; i < NR; i++) {
		unsigned long a = BASE + i * PAGE_SIZE;

		assert_false(pte_write(pte(f->task, a)));
		assert_false(pte_write(pte(child, a)));
		assert_true(pte_dirty(pte(child, a)));
	}
	assert_int_equal(foliage_exit(child), 0);
	/* Both COW on write, each keeping the other's view. */
	fill(f->task, BASE + 5 * PAGE_SIZE, 'z', PAGE_SIZE);
	expect_fill(f->task, BASE + 5 * PAGE_SIZE, 'z', PAGE_SIZE);
}

/* Young mixed: one batch; the child all old, the parent's bits kept. */
static void test_fork_young_mixed(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child;
	int i;

	setup_folio(f);
	modify(f, 0, pte_mkold);
	modify(f, 9, pte_mkold);
	assert_runs(f, BASE, NR, "16");
	child = fork_task(f->task, "child");
	for (i = 0; i < NR; i++) {
		unsigned long a = BASE + i * PAGE_SIZE;

		assert_false(pte_young(pte(child, a)));
		/* arm64's ptep_get() reads a folded block's young bits. */
		if (!pte_cont(pte(f->task, a)))
			assert_int_equal(pte_young(pte(f->task, a)),
					 i != 0 && i != 9);
	}
	assert_int_equal(foliage_exit(child), 0);
}

/* Soft-dirty splits the batch only while tracking is on. */
static void test_fork_soft_dirty(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child;
	struct vm_area_struct *vma;
	int i;

	setup_folio(f);
	for (i = 0; i < NR; i++)
		modify(f, i, pte_mksoft_dirty);
	modify(f, 5, pte_clear_soft_dirty);
	/*
	 * Tracking off (VM_SOFTDIRTY): the bit is ignored, and the batch
	 * gives all 16 the first one's (the per-PTE path copies each).
	 */
	assert_runs(f, BASE, NR, "16");
	child = fork_task(f->task, "child");
	for (i = 0; i < NR; i++)
		assert_int_equal(pte_soft_dirty(pte(child,
						BASE + i * PAGE_SIZE)),
				 f->batching || i != 5);
	assert_int_equal(foliage_exit(child), 0);

	/* Tracking on (clear_refs cleared VM_SOFTDIRTY): 5 + 1 + 10. */
	vma = find_vma(f->task->task.mm, BASE);
	vma->vm_flags &= ~VM_SOFTDIRTY;
	assert_runs(f, BASE, NR, "5+1+10");
	child = fork_task(f->task, "child2");
	for (i = 0; i < NR; i++)
		assert_int_equal(pte_soft_dirty(pte(child,
						BASE + i * PAGE_SIZE)), i != 5);
	assert_int_equal(foliage_exit(child), 0);
	vma->vm_flags |= VM_SOFTDIRTY;
}

/*
 * A different uffd-wp bit breaks the batch; the child keeps the bit only
 * if its VMA tracks uffd-wp.
 */
static void test_fork_uffd_wp(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child;
	struct vm_area_struct *vma;
	int i;

	setup_folio(f);
	modify(f, 6, pte_mkuffd_wp);
	assert_runs(f, BASE, NR, "6+1+9");
	child = fork_task(f->task, "child");
	for (i = 0; i < NR; i++)
		assert_false(pte_uffd_wp(pte(child, BASE + i * PAGE_SIZE)));
	assert_int_equal(foliage_exit(child), 0);

	vma = find_vma(f->task->task.mm, BASE);
	vma->vm_flags |= VM_UFFD_WP;
	child = fork_task(f->task, "child2");
	for (i = 0; i < NR; i++)
		assert_int_equal(pte_uffd_wp(pte(child, BASE + i * PAGE_SIZE)),
				 i == 6);
	assert_int_equal(foliage_exit(child), 0);
	vma->vm_flags &= ~VM_UFFD_WP;
	modify(f, 6, pte_clear_uffd_wp);
}

/* The batch ends at the VMA's end: mprotect from page 8 gives 8 + 8. */
static void test_fork_vma_end(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child;
	int i;

	setup_folio(f);
	assert_int_equal(foliage_mprotect(f->task, BASE + 8 * PAGE_SIZE,
					  8 * PAGE_SIZE, FOLIAGE_PROT_READ), 0);
	assert_int_equal(folio_order(page_folio(tpage(f->task, BASE))), 4);
	assert_runs(f, BASE, NR, "8+8");
	child = fork_task(f->task, "child");
	for (i = 0; i < NR; i++)
		assert_false(pte_write(pte(child, BASE + i * PAGE_SIZE)));
	assert_int_equal(anon_rss(child), NR);
	expect_content(child, BASE, NR * PAGE_SIZE);
	assert_int_equal(foliage_exit(child), 0);
}

/* The batch ends at the folio's end, however the pfns continue. */
static void test_fork_folio_end(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child;

	populate(f, BASE, 4 * NR * PAGE_SIZE);
	assert_runs(f, BASE, 4 * NR, "16+16+16+16");
	child = fork_task(f->task, "child");
	assert_int_equal(anon_rss(child), 4 * NR);
	expect_content(child, BASE, 4 * NR * PAGE_SIZE);
	assert_int_equal(foliage_exit(child), 0);
}

/* The batch ends at the PMD: a folio moved across a 2M boundary. */
static void test_fork_pmd_end(void **state)
{
	struct fixture *f = *state;
	unsigned long to = BASE + 4 * MB - 8 * PAGE_SIZE, out = 0;
	struct foliage_task *child;

	setup_folio(f);
	assert_int_equal(foliage_mremap(f->task, BASE, NR * PAGE_SIZE,
					NR * PAGE_SIZE,
					FOLIAGE_MREMAP_MAYMOVE |
					FOLIAGE_MREMAP_FIXED, to, &out), 0);
	assert_int_equal(out, to);
	assert_ptr_equal(page_folio(tpage(f->task, to + 15 * PAGE_SIZE)),
			 f->folio);
	assert_runs(f, to, NR, "8+8");
	child = fork_task(f->task, "child");
	assert_int_equal(anon_rss(child), NR);
	expect_content(child, to, NR * PAGE_SIZE);
	assert_int_equal(foliage_exit(child), 0);
}

/*
 * A pinned AnonExclusive folio: each page goes back to the one-PTE path
 * with a preallocated page (16 retries) and the child gets 16 order-0
 * copies; the parent's PTEs, pages and refcount stay as they were.
 */
static void test_fork_pinned(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child;
	pte_t before[NR];
	int refs, i;

	setup_folio(f);
	assert_int_equal(foliage_pin(f->task, BASE, NR * PAGE_SIZE, true), 0);
	for (i = 0; i < NR; i++)
		before[i] = pte(f->task, BASE + i * PAGE_SIZE);
	refs = folio_ref_count(f->folio);
	child = fork_task(f->task, "child");
	for (i = 0; i < NR; i++) {
		unsigned long a = BASE + i * PAGE_SIZE;
		struct page *cp = tpage(child, a);
		pte_t c = pte(child, a);

		assert_int_equal(pte_val(pte(f->task, a)), pte_val(before[i]));
		assert_true(PageAnonExclusive(folio_page(f->folio, i)));
		assert_ptr_not_equal(page_folio(cp), f->folio);
		assert_int_equal(folio_order(page_folio(cp)), 0);
		assert_true(PageAnonExclusive(cp));
		assert_true(pte_dirty(c));
		assert_true(pte_write(c));
	}
	assert_int_equal(folio_ref_count(f->folio), refs);
	assert_int_equal(folio_mapcount(f->folio), NR);
	assert_int_equal(anon_rss(child), NR);
	expect_content(child, BASE, NR * PAGE_SIZE);
	assert_int_equal(foliage_exit(child), 0);
	assert_int_equal(foliage_unpin(f->task, BASE, NR * PAGE_SIZE), 0);
}

/*
 * Pages already shared dup fine even when the folio is pinned: only an
 * AnonExclusive page must be copied.
 */
static void test_fork_pinned_shared(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *first, *child;
	int refs;

	setup_folio(f);
	first = fork_task(f->task, "first");
	/* A pin taken elsewhere (a device): the mm has pinned pages. */
	atomic_inc(&f->folio->_pincount);
	set_bit(MMF_HAS_PINNED, &f->task->task.mm->flags);
	refs = folio_ref_count(f->folio);
	child = fork_task(f->task, "child");
	assert_ptr_equal(page_folio(tpage(child, BASE)), f->folio);
	assert_int_equal(folio_ref_count(f->folio), refs + NR);
	assert_int_equal(folio_mapcount(f->folio), 3 * NR);
	atomic_dec(&f->folio->_pincount);
	assert_int_equal(foliage_exit(child), 0);
	assert_int_equal(foliage_exit(first), 0);
}

/* No PTEs copied for shared, MADV_DONTFORK and MADV_WIPEONFORK VMAs. */
static void test_fork_no_copy(void **state)
{
	struct fixture *f = *state;
	unsigned long shared = BASE + 2 * MB, dontfork = BASE + 4 * MB;
	unsigned long wipe = BASE + 6 * MB;
	struct vm_area_struct *vma;
	struct foliage_task *child;
	bool huge;

	map(f->task, shared, NR * PAGE_SIZE, RW,
	    FOLIAGE_MAP_SHARED | FOLIAGE_MAP_ANONYMOUS | FOLIAGE_MAP_FIXED,
	    NULL, 0);
	fill(f->task, shared, 's', NR * PAGE_SIZE);
	populate(f, dontfork, NR * PAGE_SIZE);
	assert_int_equal(foliage_madvise(f->task, dontfork, NR * PAGE_SIZE,
					 FOLIAGE_MADV_DONTFORK), 0);
	populate(f, wipe, NR * PAGE_SIZE);
	assert_int_equal(foliage_madvise(f->task, wipe, NR * PAGE_SIZE,
					 FOLIAGE_MADV_WIPEONFORK), 0);
	child = fork_task(f->task, "child");
	assert_int_equal(entry_at(child, shared, &huge), 0);
	assert_int_equal(entry_at(child, wipe, &huge), 0);
	vma = find_vma(child->task.mm, dontfork);
	assert_true(!vma || vma->vm_start > dontfork);
	assert_int_equal(anon_rss(child), 0);
	/* They fault back in: the shared pages, and zeroes for WIPEONFORK. */
	expect_fill(child, shared, 's', NR * PAGE_SIZE);
	expect_fill(child, wipe, 0, NR * PAGE_SIZE);
	assert_int_equal(foliage_exit(child), 0);
}

/* A PTE-mapped THP with holes: a batch between each pair of holes. */
static void test_fork_thp_holes(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child;
	unsigned long a;
	bool huge;

	map(f->task, BASE, 2 * MB, RW, ANON, NULL, 0);
	assert_int_equal(foliage_madvise(f->task, BASE, 2 * MB,
					 FOLIAGE_MADV_HUGEPAGE), 0);
	fill(f->task, BASE, 'T', 2 * MB);
	entry_at(f->task, BASE, &huge);
	assert_true(huge);
	f->folio = page_folio(tpage(f->task, BASE));
	/* Holes at pages 100 and 300..301: the PMD is split into PTEs. */
	assert_int_equal(foliage_madvise(f->task, BASE + 100 * PAGE_SIZE,
					 PAGE_SIZE, FOLIAGE_MADV_DONTNEED), 0);
	assert_int_equal(foliage_madvise(f->task, BASE + 300 * PAGE_SIZE,
					 2 * PAGE_SIZE,
					 FOLIAGE_MADV_DONTNEED), 0);
	entry_at(f->task, BASE, &huge);
	assert_false(huge);
	/*
	 * arm64: the hole unfolded its block (96..111); PTE_CONT shows in
	 * ptep_get() as in Linux, so a batch ends where folding does.
	 */
	assert_runs(f, BASE, 100, arch_is_arm64() ? "96+4" : "100");
	assert_runs(f, BASE + 101 * PAGE_SIZE, 199,
		    arch_is_arm64() ? "11+176+12" : "199");
	assert_runs(f, BASE + 302 * PAGE_SIZE, 210,
		    arch_is_arm64() ? "2+208" : "210");
	child = fork_task(f->task, "child");
	assert_int_equal(anon_rss(child), 509);
	assert_int_equal(folio_mapcount(f->folio), 2 * 509);
	for (a = BASE; a < BASE + 2 * MB; a += PAGE_SIZE) {
		unsigned long i = (a - BASE) >> PAGE_SHIFT;

		if (i == 100 || i == 300 || i == 301)
			assert_int_equal(entry_at(child, a, &huge), 0);
		else
			assert_false(pte_write(pte(child, a)));
	}
	expect_fill(child, BASE, 'T', 100 * PAGE_SIZE);
	expect_fill(child, BASE + 100 * PAGE_SIZE, 0, PAGE_SIZE);
	assert_int_equal(foliage_exit(child), 0);
}

/*
 * A shared mapping (here with uffd-wp, so that fork copies it): dirty bits
 * may differ within the batch, the child's are all clean, nothing is
 * write-protected, the child keeps uffd-wp.
 */
static void test_fork_shared_clean(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child;
	struct vm_area_struct *vma;
	int i;

	setup_folio(f);
	vma = find_vma(f->task->task.mm, BASE);
	/* A shared VMA is not data (vm_stat_account()). */
	vma->vm_flags |= VM_SHARED | VM_MAYSHARE | VM_UFFD_WP;
	f->task->task.mm->data_vm -= NR;
	modify(f, 3, pte_mkclean);
	assert_runs(f, BASE, NR, "16");
	child = fork_task(f->task, "child");
	for (i = 0; i < NR; i++) {
		unsigned long a = BASE + i * PAGE_SIZE;

		assert_true(pte_write(pte(f->task, a)));
		assert_int_equal(pte_dirty(pte(f->task, a)), i != 3);
		assert_false(pte_dirty(pte(child, a)));
		assert_false(pte_young(pte(child, a)));
	}
	assert_int_equal(foliage_exit(child), 0);
	vma->vm_flags &= ~(VM_SHARED | VM_MAYSHARE | VM_UFFD_WP);
	f->task->task.mm->data_vm += NR;
	/* Private again: the dirty bits count. */
	assert_runs(f, BASE, NR, "3+1+12");
}

/* Zap of a partial run: munmap of pages 4..11 of the folio. */
static void test_zap_partial_munmap(void **state)
{
	struct fixture *f = *state;
	int refs, i;
	bool huge;

	setup_folio(f);
	refs = folio_ref_count(f->folio);
	assert_int_equal(foliage_munmap(f->task, BASE + 4 * PAGE_SIZE,
					8 * PAGE_SIZE), 0);
	for (i = 0; i < NR; i++) {
		unsigned long a = BASE + i * PAGE_SIZE;

		if (i >= 4 && i < 12) {
			assert_int_equal(entry_at(f->task, a, &huge), 0);
			assert_int_equal(page_mapcount(folio_page(f->folio, i)),
					 0);
		} else {
			assert_int_equal(page_mapcount(folio_page(f->folio, i)),
					 1);
		}
	}
	assert_int_equal(folio_ref_count(f->folio), refs - 8);
	assert_int_equal(folio_mapcount(f->folio), 8);
	assert_int_equal(anon_rss(f->task), 8);
	expect_content(f->task, BASE, 4 * PAGE_SIZE);
}

/*
 * MADV_DONTNEED over runs that differ in their write, dirty and young
 * bits (all one zap batch) and a uffd-wp break: all gone, counted once.
 */
static void test_zap_dontneed_mixed(void **state)
{
	struct fixture *f = *state;
	int refs;
	bool huge;

	populate(f, BASE, 2 * NR * PAGE_SIZE);
	modify(f, 2, pte_wrprotect);
	modify(f, 3, pte_mkold);
	modify(f, 5, pte_mkclean);
	refs = folio_ref_count(f->folio);
	assert_int_equal(foliage_madvise(f->task, BASE + PAGE_SIZE,
					 24 * PAGE_SIZE,
					 FOLIAGE_MADV_DONTNEED), 0);
	assert_int_equal(entry_at(f->task, BASE + PAGE_SIZE, &huge), 0);
	assert_int_equal(entry_at(f->task, BASE + 24 * PAGE_SIZE, &huge), 0);
	assert_int_equal(folio_ref_count(f->folio), refs - 15);
	assert_int_equal(folio_mapcount(f->folio), 1);
	assert_int_equal(anon_rss(f->task), 2 * NR - 24);
	expect_content(f->task, BASE, PAGE_SIZE);
	expect_fill(f->task, BASE + PAGE_SIZE, 0, PAGE_SIZE);
}

/* A child's exit zaps its batches; the parent's folio is whole again. */
static void test_zap_exit(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child;
	int refs;

	setup_folio(f);
	refs = folio_ref_count(f->folio);
	child = fork_task(f->task, "child");
	assert_int_equal(folio_ref_count(f->folio), refs + NR);
	assert_int_equal(foliage_exit(child), 0);
	assert_int_equal(folio_ref_count(f->folio), refs);
	assert_int_equal(folio_mapcount(f->folio), NR);
	/* Exclusive again: written in place, no copy. */
	fill(f->task, BASE, 'q', PAGE_SIZE);
	assert_ptr_equal(page_folio(tpage(f->task, BASE)), f->folio);
}

#define T(fn, s) cmocka_unit_test_setup_teardown(fn, s, teardown)
#define RULES(s)							\
	T(test_fork_one_batch, s), T(test_fork_dirty_split, s),		\
	T(test_fork_mixed_write, s), T(test_fork_young_mixed, s),	\
	T(test_fork_soft_dirty, s), T(test_fork_uffd_wp, s),		\
	T(test_fork_vma_end, s), T(test_fork_folio_end, s),		\
	T(test_fork_pmd_end, s), T(test_fork_pinned, s),		\
	T(test_fork_pinned_shared, s), T(test_fork_no_copy, s),		\
	T(test_fork_thp_holes, s), T(test_fork_shared_clean, s),	\
	T(test_zap_partial_munmap, s), T(test_zap_dontneed_mixed, s),	\
	T(test_zap_exit, s)

int main(void)
{
	const struct CMUnitTest tests[] = {
		RULES(setup_x86), RULES(setup_x86_pte),
		RULES(setup_arm64), RULES(setup_arm64_pte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
