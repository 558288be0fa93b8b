// SPDX-License-Identifier: GPL-2.0
/*
 * The reverse map in the cases seed 003's reviewers asked about, each
 * drawn, done, and then proved twice: the reverse-map checker passes over
 * the whole machine, and rmap_walk() finds exactly the (task, address,
 * page, PTE/PMD) mappings listed for the folio, no more, no fewer.
 *
 *   - a VMA split in the middle of a large folio (PMD THP and 64K mTHP):
 *     one folio mapped by two VMAs; and merged back
 *   - MAP_PRIVATE file-backed COW pages (anonymous, beside file ones)
 *   - mremap that changes the base (vm_start - vm_pgoff pages)
 *   - munmap of the root VMA while the split halves live; merge back
 *   - fork, then fork again from the child; exits in the middle
 *
 * And the checker is shown to fail: corrupted vm_pgoff, an avc taken off
 * its anon_vma's tree, a dead VMA on the tree, two PTEs swapped.
 */
#include "rmap_check_helpers.h"
#include <linux/rmap.h>
#include <linux/huge_mm.h>
#include <linux/shmem_fs.h>
#include "task.h"

#define BASE		(1UL << 30)	/* 2M-aligned */
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON_FIXED	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | \
			 FOLIAGE_MAP_FIXED)
#define PG(n)		((unsigned long)(n) * PAGE_SIZE)

/* One expected mapping of a folio. */
struct want {
	struct foliage_task *task;	/* whose page tables */
	unsigned long addr;		/* the PTE's or the PMD's address */
	unsigned int page;		/* folio page mapped there */
	bool pmd;			/* a PMD mapping */
};

static struct folio *folio_at(struct foliage_task *task, unsigned long addr)
{
	struct page *page = page_at(task, addr);

	assert_non_null(page);
	return page_folio(page);
}

static struct vm_area_struct *vma_at(struct foliage_task *task,
				     unsigned long addr)
{
	struct vm_area_struct *vma;

	assert_int_equal(machine_enter(task->machine), 0);
	vma = vma_lookup(task->task.mm, addr);
	assert_non_null(vma);
	return vma;
}

/*
 * rmap_walk() must find exactly @want (any order); the checker must pass
 * over the whole machine.
 */
static void assert_maps(struct foliage_task *any, struct folio *folio,
			const struct want *want, size_t nr_want)
{
	struct rmap_map *maps;
	bool *used;
	size_t nr, i, j;

	rc_check(any->machine);
	assert_int_equal(rmap_check_folio(folio, &maps, &nr), 0);
	used = calloc(nr + 1, sizeof(*used));
	assert_non_null(used);
	for (i = 0; i < nr_want; i++) {
		for (j = 0; j < nr; j++)
			if (!used[j] &&
			    maps[j].vma->vm_mm == want[i].task->task.mm &&
			    maps[j].addr == want[i].addr &&
			    maps[j].page == want[i].page &&
			    maps[j].pmd == want[i].pmd)
				break;
		if (j == nr)
			fail_msg("folio pfn %#lx: no %s mapping of page %u at %#lx in pid %d (%zu found)",
				 folio_pfn(folio), want[i].pmd ? "PMD" : "PTE",
				 want[i].page, want[i].addr,
				 foliage_task_pid(want[i].task), nr);
		used[j] = true;
	}
	for (j = 0; j < nr; j++)
		if (!used[j])
			fail_msg("folio pfn %#lx: unexpected %s mapping of page %u at %#lx in vma %#lx-%#lx",
				 folio_pfn(folio), maps[j].pmd ? "PMD" : "PTE",
				 maps[j].page, maps[j].addr,
				 maps[j].vma->vm_start, maps[j].vma->vm_end);
	assert_int_equal(nr, nr_want);
	free(used);
	free(maps);
}

/* The @nr pages of @folio mapped by PTEs of @task from @addr, page @first. */
static void want_ptes(struct want *w, struct foliage_task *task,
		      unsigned long addr, unsigned int first, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		w[i] = (struct want){ task, addr + PG(i), first + i, false };
}

struct visits {
	struct vm_area_struct *vma[16];	/* VMAs rmap_walk() named */
	int nr;				/* how many */
};

static bool visit_one(struct folio *folio, struct vm_area_struct *vma,
		      unsigned long address, void *arg)
{
	struct visits *v = arg;

	(void)folio;
	(void)address;
	assert_true(v->nr < 16);
	v->vma[v->nr++] = vma;
	return true;
}

/* rmap_walk() of @folio names exactly the VMAs @a and @b (b may be NULL). */
static void assert_walk_vmas(struct foliage_task *task, struct folio *folio,
			     struct vm_area_struct *a,
			     struct vm_area_struct *b)
{
	struct visits v = { .nr = 0 };
	struct rmap_walk_control rwc = {
		.rmap_one = visit_one,
		.arg = &v,
	};

	assert_int_equal(machine_enter(task->machine), 0);
	rmap_walk(folio, &rwc);
	assert_int_equal(v.nr, b ? 2 : 1);
	assert_true(v.vma[0] == a || v.vma[0] == b);
	if (b)
		assert_true(v.vma[1] == (v.vma[0] == a ? b : a));
}

static void map_thp(struct foliage_task *t, unsigned long addr)
{
	bool huge;

	map(t, addr, 2 * MB, RW, ANON_FIXED, NULL, 0);
	assert_int_equal(foliage_madvise(t, addr, 2 * MB,
					 FOLIAGE_MADV_HUGEPAGE), 0);
	fill(t, addr, 'T', 2 * MB);
	entry_at(t, addr, &huge);
	assert_true(huge);
}

/*
 * A PMD THP, then the VMA split in its middle:
 *
 *   BASE          +1M          +2M
 *   |TTTTTTTTTTTTTTTTTTTTTTTTTT|	one VMA, one PMD
 *   |TTTTTTTTTTTTT|tttttttttttt|	two VMAs (rw, r), 512 PTEs
 *   |TTTTTTTTTTTTTTTTTTTTTTTTTT|	merged back, still 512 PTEs
 */
static void test_split_thp_in_the_middle(void **state)
{
	struct foliage_machine *m = pt_machine(1, 256);
	struct foliage_task *t = new_task(m, "t");
	struct want *w = calloc(512, sizeof(*w));
	struct vm_area_struct *a, *b;
	struct folio *folio;
	unsigned int i;

	(void)state;
	assert_non_null(w);
	map_thp(t, BASE);
	folio = folio_at(t, BASE);
	assert_int_equal(folio_order(folio), HPAGE_PMD_ORDER);
	w[0] = (struct want){ t, BASE, 0, true };
	assert_maps(t, folio, w, 1);

	assert_int_equal(foliage_mprotect(t, BASE + MB, MB, FOLIAGE_PROT_READ),
			 0);
	a = vma_at(t, BASE);
	b = vma_at(t, BASE + MB);
	assert_true(a != b);
	assert_int_equal(a->vm_end, BASE + MB);
	assert_int_equal(b->vm_start, BASE + MB);
	/* The same order-9 folio, now PTE-mapped by both VMAs. */
	assert_ptr_equal(folio_at(t, BASE + MB), folio);
	assert_int_equal(folio_order(folio), HPAGE_PMD_ORDER);
	want_ptes(w, t, BASE, 0, 512);
	assert_maps(t, folio, w, 512);
	assert_walk_vmas(t, folio, a, b);

	/* Merge back: one VMA again, the folio stays PTE-mapped. */
	assert_int_equal(foliage_mprotect(t, BASE + MB, MB, RW), 0);
	a = vma_at(t, BASE);
	assert_int_equal(a->vm_start, BASE);
	assert_int_equal(a->vm_end, BASE + 2 * MB);
	assert_maps(t, folio, w, 512);
	assert_walk_vmas(t, folio, a, NULL);
	expect_fill(t, BASE, 'T', 2 * MB);

	for (i = 0; i < 512; i++)
		assert_int_equal(page_mapcount(folio_page(folio, i)), 1);
	assert_int_equal(foliage_exit(t), 0);
	free(w);
	pt_machine_done(m);
}

/*
 * A 64K mTHP split by mprotect between its 8th and 9th pages:
 *
 *   BASE      +32K      +64K            +256K
 *   |mmmmmmmm|MMMMMMMM|.................|	rw | r | rw
 */
static void test_split_mthp_in_the_middle(void **state)
{
	struct foliage_machine *m = pt_machine(1, 256);
	struct foliage_task *t = new_task(m, "t");
	struct want w[16];
	struct folio *folio;

	(void)state;
	assert_int_equal(foliage_set(m, "transparent_hugepage.enabled",
				     "never"), 0);
	assert_int_equal(foliage_set(m,
			 "transparent_hugepage.hugepages-64kB/enabled",
			 "always"), 0);
	map(t, BASE, 256 * KB, RW, ANON_FIXED, NULL, 0);
	fill(t, BASE, 'm', 64 * KB);
	folio = folio_at(t, BASE);
	assert_int_equal(folio_order(folio), 4);
	want_ptes(w, t, BASE, 0, 16);
	assert_maps(t, folio, w, 16);

	assert_int_equal(foliage_mprotect(t, BASE + 32 * KB, 32 * KB,
					  FOLIAGE_PROT_READ), 0);
	assert_ptr_equal(folio_at(t, BASE + 60 * KB), folio);
	assert_maps(t, folio, w, 16);
	assert_walk_vmas(t, folio, vma_at(t, BASE), vma_at(t, BASE + 32 * KB));
	expect_fill(t, BASE, 'm', 64 * KB);
	assert_int_equal(foliage_exit(t), 0);
	pt_machine_done(m);
}

/*
 * MAP_PRIVATE of a memfd beside a MAP_SHARED one; pages 0 and 1 written
 * through the shared map, page 0 read and page 1 written through the
 * private one (COW: an anonymous folio):
 *
 *   file    |AB..|
 *   S  BASE |AB..|		shared: the file's folios
 *   P  +1M  |Ab..|		private: page 0 the file's, page 1 anon
 *
 * Then fork: the child's P maps the same (its S maps nothing yet), and
 * the child's write to P page 0 copies it.
 */
static void test_private_file_cow(void **state)
{
	struct foliage_machine *m = pt_machine(1, 256);
	struct foliage_task *t = new_task(m, "t"), *c;
	struct foliage_file *file;
	struct folio *f0, *f1, *anon, *canon;
	struct want w[3];

	(void)state;
	assert_int_equal(foliage_file_create(m, "f", 4 * PAGE_SIZE, &file), 0);
	map(t, BASE, PG(4), RW, FOLIAGE_MAP_SHARED | FOLIAGE_MAP_FIXED, file,
	    0);
	map(t, BASE + MB, PG(4), RW, FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_FIXED,
	    file, 0);
	fill(t, BASE, 'A', PAGE_SIZE);
	fill(t, BASE + PG(1), 'B', PAGE_SIZE);
	expect_fill(t, BASE + MB, 'A', PAGE_SIZE);
	fill(t, BASE + MB + PG(1), 'b', PAGE_SIZE);

	f0 = folio_at(t, BASE);
	f1 = folio_at(t, BASE + PG(1));
	anon = folio_at(t, BASE + MB + PG(1));
	assert_false(folio_test_anon(f0));
	assert_false(folio_test_anon(f1));
	assert_true(folio_test_anon(anon));
	assert_ptr_equal(folio_at(t, BASE + MB), f0);
	w[0] = (struct want){ t, BASE, 0, false };
	w[1] = (struct want){ t, BASE + MB, 0, false };
	assert_maps(t, f0, w, 2);
	w[0] = (struct want){ t, BASE + PG(1), 0, false };
	assert_maps(t, f1, w, 1);
	w[0] = (struct want){ t, BASE + MB + PG(1), 0, false };
	assert_maps(t, anon, w, 1);
	/* The COW page is found through the private VMA's anon_vma only. */
	assert_walk_vmas(t, anon, vma_at(t, BASE + MB), NULL);

	c = fork_task(t, "c");
	w[0] = (struct want){ t, BASE, 0, false };
	w[1] = (struct want){ t, BASE + MB, 0, false };
	w[2] = (struct want){ c, BASE + MB, 0, false };
	assert_maps(t, f0, w, 3);
	w[0] = (struct want){ t, BASE + MB + PG(1), 0, false };
	w[1] = (struct want){ c, BASE + MB + PG(1), 0, false };
	assert_maps(t, anon, w, 2);
	assert_walk_vmas(t, anon, vma_at(t, BASE + MB), vma_at(c, BASE + MB));

	fill(c, BASE + MB, 'c', PAGE_SIZE);
	canon = folio_at(c, BASE + MB);
	assert_true(folio_test_anon(canon));
	w[0] = (struct want){ t, BASE, 0, false };
	w[1] = (struct want){ t, BASE + MB, 0, false };
	assert_maps(t, f0, w, 2);
	w[0] = (struct want){ c, BASE + MB, 0, false };
	assert_maps(t, canon, w, 1);
	expect_fill(t, BASE + MB, 'A', PAGE_SIZE);
	expect_fill(c, BASE + MB + PG(1), 'b', PAGE_SIZE);
	assert_int_equal(foliage_exit(t), 0);
	assert_int_equal(foliage_exit(c), 0);
	foliage_file_put(file);
	pt_machine_done(m);
}

/*
 * mremap moves change the base (vm_start - vm_pgoff pages) and rmap must
 * still find each page where its index puts it:
 *
 *   BASE |0123456789abcdef|  ->  BASE+16M |0123456789abcdef|	whole VMA
 *   BASE+4M |01234567| -> |0123|....|89ab|, 4567 at BASE+20M	middle
 *   BASE+8M |THP| -> BASE+24M (PMD moved), -> BASE+28M+4K (PTEs)
 */
static void test_mremap_changes_base(void **state)
{
	struct foliage_machine *m = pt_machine(1, 256);
	struct foliage_task *t = new_task(m, "t");
	struct want *w = calloc(512, sizeof(*w));
	struct vm_area_struct *vma;
	struct folio *folio;
	unsigned long out, i;

	(void)state;
	assert_non_null(w);
	map(t, BASE, PG(16), RW, ANON_FIXED, NULL, 0);
	for (i = 0; i < 16; i++)
		fill(t, BASE + PG(i), (int)i, PAGE_SIZE);
	assert_int_equal(foliage_mremap(t, BASE, PG(16), PG(16),
					FOLIAGE_MREMAP_MAYMOVE |
					FOLIAGE_MREMAP_FIXED,
					BASE + 16 * MB, &out), 0);
	assert_int_equal(out, BASE + 16 * MB);
	vma = vma_at(t, out);
	assert_int_equal(vma->vm_pgoff, BASE >> PAGE_SHIFT);
	for (i = 0; i < 16; i++) {
		w[0] = (struct want){ t, out + PG(i), 0, false };
		assert_maps(t, folio_at(t, out + PG(i)), w, 1);
		expect_fill(t, out + PG(i), (int)i, PAGE_SIZE);
	}

	/* The middle of a VMA moves; the ends stay. */
	map(t, BASE + 4 * MB, PG(12), RW, ANON_FIXED, NULL, 0);
	for (i = 0; i < 12; i++)
		fill(t, BASE + 4 * MB + PG(i), 0x40 + (int)i, PAGE_SIZE);
	assert_int_equal(foliage_mremap(t, BASE + 4 * MB + PG(4), PG(4), PG(4),
					FOLIAGE_MREMAP_MAYMOVE |
					FOLIAGE_MREMAP_FIXED,
					BASE + 20 * MB, &out), 0);
	assert_int_equal(vma_at(t, out)->vm_pgoff,
			 ((BASE + 4 * MB) >> PAGE_SHIFT) + 4);
	for (i = 0; i < 12; i++) {
		unsigned long a = i >= 4 && i < 8 ? out + PG(i - 4) :
				  BASE + 4 * MB + PG(i);

		w[0] = (struct want){ t, a, 0, false };
		assert_maps(t, folio_at(t, a), w, 1);
		expect_fill(t, a, 0x40 + (int)i, PAGE_SIZE);
	}

	/* A THP moves by its PMD, then to an unaligned place by PTEs. */
	map_thp(t, BASE + 8 * MB);
	folio = folio_at(t, BASE + 8 * MB);
	assert_int_equal(foliage_mremap(t, BASE + 8 * MB, 2 * MB, 2 * MB,
					FOLIAGE_MREMAP_MAYMOVE |
					FOLIAGE_MREMAP_FIXED,
					BASE + 24 * MB, &out), 0);
	w[0] = (struct want){ t, BASE + 24 * MB, 0, true };
	assert_maps(t, folio, w, 1);
	assert_int_equal(foliage_mremap(t, BASE + 24 * MB, 2 * MB, 2 * MB,
					FOLIAGE_MREMAP_MAYMOVE |
					FOLIAGE_MREMAP_FIXED,
					BASE + 28 * MB + PAGE_SIZE, &out), 0);
	assert_ptr_equal(folio_at(t, out), folio);
	want_ptes(w, t, out, 0, 512);
	assert_maps(t, folio, w, 512);
	expect_fill(t, out, 'T', 2 * MB);
	assert_int_equal(foliage_exit(t), 0);
	free(w);
	pt_machine_done(m);
}

/*
 * The root VMA (the one that faulted first, owning the anon_vma) is split
 * by mprotect and its first part unmapped while the other two live; then
 * they merge back:
 *
 *   BASE   +4p    +8p    +12p
 *   |LLLL|MMMM|RRRR|		one VMA, written: one anon_vma
 *   |LLLL|mmmm|RRRR|		mprotect(M, r): three VMAs
 *   .....|mmmm|RRRR|		munmap(L)
 *   .....|MMMMRRRR|		mprotect(M, rw): merged
 *
 * And the same with a THP whose head page goes with L.
 */
static void test_munmap_root_vma(void **state)
{
	struct foliage_machine *m = pt_machine(1, 256);
	struct foliage_task *t = new_task(m, "t");
	struct want *w = calloc(512, sizeof(*w));
	struct vm_area_struct *vma;
	struct folio *thp;
	unsigned long i;

	(void)state;
	assert_non_null(w);
	map(t, BASE, PG(12), RW, ANON_FIXED, NULL, 0);
	for (i = 0; i < 12; i++)
		fill(t, BASE + PG(i), 0x60 + (int)i, PAGE_SIZE);
	assert_int_equal(foliage_mprotect(t, BASE + PG(4), PG(4),
					  FOLIAGE_PROT_READ), 0);
	assert_int_equal(foliage_munmap(t, BASE, PG(4)), 0);
	for (i = 4; i < 12; i++) {
		w[0] = (struct want){ t, BASE + PG(i), 0, false };
		assert_maps(t, folio_at(t, BASE + PG(i)), w, 1);
	}
	assert_int_equal(foliage_mprotect(t, BASE + PG(4), PG(4), RW), 0);
	vma = vma_at(t, BASE + PG(4));
	assert_int_equal(vma->vm_start, BASE + PG(4));
	assert_int_equal(vma->vm_end, BASE + PG(12));
	for (i = 4; i < 12; i++) {
		w[0] = (struct want){ t, BASE + PG(i), 0, false };
		assert_maps(t, folio_at(t, BASE + PG(i)), w, 1);
		assert_walk_vmas(t, folio_at(t, BASE + PG(i)), vma, NULL);
		expect_fill(t, BASE + PG(i), 0x60 + (int)i, PAGE_SIZE);
	}

	/* A THP: [0, 1M) unmapped with the head page, two VMAs keep the rest. */
	map_thp(t, BASE + 4 * MB);
	thp = folio_at(t, BASE + 4 * MB);
	assert_int_equal(foliage_mprotect(t, BASE + 5 * MB, 512 * KB,
					  FOLIAGE_PROT_READ), 0);
	assert_int_equal(foliage_munmap(t, BASE + 4 * MB, MB), 0);
	assert_ptr_equal(folio_at(t, BASE + 5 * MB), thp);
	want_ptes(w, t, BASE + 5 * MB, 256, 256);
	assert_maps(t, thp, w, 256);
	assert_walk_vmas(t, thp, vma_at(t, BASE + 5 * MB),
			 vma_at(t, BASE + 5 * MB + 512 * KB));
	assert_int_equal(foliage_mprotect(t, BASE + 5 * MB, 512 * KB, RW), 0);
	assert_maps(t, thp, w, 256);
	assert_walk_vmas(t, thp, vma_at(t, BASE + 5 * MB), NULL);
	expect_fill(t, BASE + 5 * MB, 'T', MB);
	assert_int_equal(foliage_exit(t), 0);
	free(w);
	pt_machine_done(m);
}

/*
 * fork, then fork again from the child, with COW at each level:
 *
 *   P   |01234567|	written by P
 *   C1  |ab234567|	fork of P; writes pages 0, 1
 *   C2  |Ab234567|	fork of C1; writes page 0
 *
 * Then C1 exits in the middle of the chain.
 */
static void test_fork_chain(void **state)
{
	struct foliage_machine *m = pt_machine(1, 256);
	struct foliage_task *p = new_task(m, "p"), *c1, *c2;
	struct folio *p0, *p2, *c1_0, *c1_1, *c2_0;
	struct want w[3];
	unsigned long i;

	(void)state;
	map(p, BASE, PG(8), RW, ANON_FIXED, NULL, 0);
	for (i = 0; i < 8; i++)
		fill(p, BASE + PG(i), '0' + (int)i, PAGE_SIZE);
	p0 = folio_at(p, BASE);
	p2 = folio_at(p, BASE + PG(2));
	c1 = fork_task(p, "c1");
	fill(c1, BASE, 'a', PAGE_SIZE);
	fill(c1, BASE + PG(1), 'b', PAGE_SIZE);
	c2 = fork_task(c1, "c2");
	fill(c2, BASE, 'A', PAGE_SIZE);
	c1_0 = folio_at(c1, BASE);
	c1_1 = folio_at(c1, BASE + PG(1));
	c2_0 = folio_at(c2, BASE);

	w[0] = (struct want){ p, BASE + PG(2), 0, false };
	w[1] = (struct want){ c1, BASE + PG(2), 0, false };
	w[2] = (struct want){ c2, BASE + PG(2), 0, false };
	assert_maps(p, p2, w, 3);
	w[0] = (struct want){ p, BASE, 0, false };
	assert_maps(p, p0, w, 1);
	w[0] = (struct want){ c1, BASE, 0, false };
	assert_maps(p, c1_0, w, 1);
	w[0] = (struct want){ c1, BASE + PG(1), 0, false };
	w[1] = (struct want){ c2, BASE + PG(1), 0, false };
	assert_maps(p, c1_1, w, 2);
	w[0] = (struct want){ c2, BASE, 0, false };
	assert_maps(p, c2_0, w, 1);
	/* C1's own pages are found through C1's anon_vma: C1 and C2. */
	assert_walk_vmas(p, c1_1, vma_at(c1, BASE), vma_at(c2, BASE));

	assert_int_equal(foliage_exit(c1), 0);
	w[0] = (struct want){ p, BASE + PG(2), 0, false };
	w[1] = (struct want){ c2, BASE + PG(2), 0, false };
	assert_maps(p, p2, w, 2);
	w[0] = (struct want){ c2, BASE + PG(1), 0, false };
	assert_maps(p, c1_1, w, 1);
	expect_fill(c2, BASE, 'A', PAGE_SIZE);
	expect_fill(c2, BASE + PG(1), 'b', PAGE_SIZE);
	expect_fill(c2, BASE + PG(2), '2', PAGE_SIZE);
	expect_fill(p, BASE, '0', PAGE_SIZE);
	assert_int_equal(foliage_exit(p), 0);
	w[0] = (struct want){ c2, BASE + PG(2), 0, false };
	assert_maps(c2, p2, w, 1);
	assert_int_equal(foliage_exit(c2), 0);
	pt_machine_done(m);
}

/* ---- the checker fails when the reverse map is wrong ----------------- */

/* Run the checker on a corrupted machine: it must fail; forget its bugs. */
static struct rmap_check_stats check_fails(struct foliage_machine *m)
{
	struct rmap_check_stats st;

	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(rmap_check_machine(&st), -EINVAL);
	assert_true(foliage_bugs(m) > 0);
	/* Expected bugs, not the machine's: clear them for the next check. */
	m->nr_bugs = 0;
	m->first_bug[0] = 0;
	return st;
}

/*
 *   BASE |0123|	one VMA, four written pages
 */
static void test_checker_catches_corruption(void **state)
{
	struct foliage_machine *m = pt_machine(1, 256);
	struct foliage_task *t = new_task(m, "t");
	struct vm_area_struct *vma, fake;
	struct anon_vma_chain *avc, fake_avc;
	struct rmap_check_stats st;
	spinlock_t *ptl;
	pte_t *pte, a, b;
	unsigned long i;

	(void)state;
	map(t, BASE, PG(4), RW, ANON_FIXED, NULL, 0);
	for (i = 0; i < 4; i++)
		fill(t, BASE + PG(i), (int)i + 1, PAGE_SIZE);
	st = rc_check(m);
	assert_int_equal(st.pte_maps, 4);
	assert_int_equal(st.anon_folios, 4);
	vma = vma_at(t, BASE);

	/* vm_pgoff moved without the pages: all four missed. */
	vma->vm_pgoff += 1;
	st = check_fails(m);
	assert_int_equal(st.missed, 4);
	vma->vm_pgoff -= 1;
	rc_check(m);

	/* The VMA's avc off its anon_vma's tree: rmap_walk misses the VMA. */
	avc = list_first_entry(&vma->anon_vma_chain, struct anon_vma_chain,
			       same_vma);
	interval_tree_remove(&avc->rb, &avc->anon_vma->rb_root);
	st = check_fails(m);
	assert_int_equal(st.missed, 4);
	assert_int_equal(st.vma_visits, 0);
	interval_tree_insert(&avc->rb, &avc->anon_vma->rb_root);
	rc_check(m);

	/* A VMA no mm has, on the tree: named by every walk, and refused. */
	fake = *vma;
	fake_avc = *avc;
	fake_avc.vma = &fake;
	fake_avc.rb = (struct interval_tree_node){ .start = avc->rb.start,
						   .last = avc->rb.last };
	interval_tree_insert(&fake_avc.rb, &avc->anon_vma->rb_root);
	st = check_fails(m);
	assert_int_equal(st.bad_visits, 4);
	assert_int_equal(st.missed, 0);
	interval_tree_remove(&fake_avc.rb, &avc->anon_vma->rb_root);
	rc_check(m);

	/* Pages 0 and 1 swapped in the page table: each is off its index. */
	pte = pte_offset_map_lock(t->task.mm, pmd_lookup(t->task.mm, BASE),
				  BASE, &ptl);
	assert_non_null(pte);
	a = ptep_get(pte);
	b = ptep_get(pte + 1);
	set_pte(pte, b);
	set_pte(pte + 1, a);
	pte_unmap_unlock(pte, ptl);
	st = check_fails(m);
	assert_int_equal(st.missed, 2);
	assert_int_equal(st.pte_maps, 4);
	assert_int_equal(st.rmap_pte_maps, 2);
	pte = pte_offset_map_lock(t->task.mm, pmd_lookup(t->task.mm, BASE),
				  BASE, &ptl);
	set_pte(pte, a);
	set_pte(pte + 1, b);
	pte_unmap_unlock(pte, ptl);
	rc_check(m);

	for (i = 0; i < 4; i++)
		expect_fill(t, BASE + PG(i), (int)i + 1, PAGE_SIZE);
	assert_int_equal(foliage_exit(t), 0);
	pt_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_thp_in_the_middle),
		cmocka_unit_test(test_split_mthp_in_the_middle),
		cmocka_unit_test(test_private_file_cow),
		cmocka_unit_test(test_mremap_changes_base),
		cmocka_unit_test(test_munmap_root_vma),
		cmocka_unit_test(test_fork_chain),
		cmocka_unit_test(test_checker_catches_corruption),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
