// SPDX-License-Identifier: GPL-2.0
/*
 * VMA layouts after mmap, munmap, mprotect, mremap and madvise, in the
 * style of Linux's tools/testing/vma: draw the address space, do one
 * thing, assert the exact VMAs.  In the drawings each character is one
 * page (4 KiB) from the test's base address; letters are VMAs, '.' is a
 * hole, '*' the range the operation touches.
 */
#include <string.h>

#include "helpers.h"
#include <linux/mm.h>
#include <linux/rmap.h>
#include <linux/shmem_fs.h>
#include "task.h"
#include "vma.h"

#define P		4096UL
#define MMAP_BASE	0x7ffff7fff000UL
/* A fixed, free area well below the mmap base for hand-placed layouts. */
#define BASE		0x10000000UL
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define RO		FOLIAGE_PROT_READ
#define ANON		(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS)
#define FIXED		(ANON | FOLIAGE_MAP_FIXED)

struct want {
	unsigned long start, end;	/* in pages from BASE (or absolute) */
	vm_flags_t flags;		/* VM_READ|VM_WRITE|..., 0: don't care */
};

static struct foliage_machine *m;
static struct foliage_task *t;

static int setup(void **state)
{
	(void)state;
	m = test_machine(1, 64);
	assert_int_equal(foliage_task_create(m, "t", &t), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_machine_done(m);
	return 0;
}

static struct mm_struct *mm_of(struct foliage_task *task)
{
	return task->task.mm;
}

/* The VMAs of @task inside [lo, hi) must be exactly @want (absolute). */
static void expect_vmas_abs(struct foliage_task *task, unsigned long lo,
			    unsigned long hi, const struct want *want, int n)
{
	struct vm_area_struct *vma;
	int i = 0;

	for_each_vma(mm_of(task), vma) {
		if (vma->vm_end <= lo || vma->vm_start >= hi)
			continue;
		if (i >= n)
			fail_msg("extra vma %lx-%lx", vma->vm_start, vma->vm_end);
		if (vma->vm_start != want[i].start || vma->vm_end != want[i].end)
			fail_msg("vma %d is %lx-%lx, want %lx-%lx", i,
				 vma->vm_start, vma->vm_end, want[i].start,
				 want[i].end);
		if (want[i].flags &&
		    (vma->vm_flags & (VM_ACCESS_FLAGS | VM_SHARED |
				      VM_DONTCOPY | VM_WIPEONFORK |
				      VM_HUGEPAGE | VM_NOHUGEPAGE)) !=
		    want[i].flags)
			fail_msg("vma %lx-%lx flags %lx, want %lx", vma->vm_start,
				 vma->vm_end, vma->vm_flags, want[i].flags);
		i++;
	}
	if (i != n)
		fail_msg("%d vmas, want %d", i, n);
}

/* The same with page numbers relative to BASE. */
static void expect_vmas(struct foliage_task *task, const struct want *want,
			int n)
{
	struct want abs[16];
	int i;

	for (i = 0; i < n; i++) {
		abs[i].start = BASE + want[i].start * P;
		abs[i].end = BASE + want[i].end * P;
		abs[i].flags = want[i].flags;
	}
	expect_vmas_abs(task, BASE, BASE + 4096 * P, abs, n);
}

static void map_at(unsigned long page, unsigned long pages, int prot)
{
	unsigned long addr;

	assert_int_equal(foliage_mmap(t, BASE + page * P, pages * P, prot,
				      FIXED, NULL, 0, &addr), 0);
	assert_int_equal(addr, BASE + page * P);
}

static void touch(struct foliage_task *task, unsigned long addr)
{
	char c = 1;

	assert_int_equal(foliage_access(task, addr, &c, 1, true, NULL), 0);
}

/* ---- placement ----------------------------------------------------- */

static void test_topdown_placement(void **state)
{
	unsigned long a, b;

	(void)state;
	/* Linux's mmap_base without randomization, and top-down placement. */
	assert_int_equal(mm_of(t)->mmap_base, MMAP_BASE);
	assert_int_equal(foliage_mmap(t, 0, 4 * P, RW, ANON, NULL, 0, &a), 0);
	assert_int_equal(a, MMAP_BASE - 4 * P);
	/* The next one goes right below, and merges (both unfaulted). */
	assert_int_equal(foliage_mmap(t, 0, 2 * P, RW, ANON, NULL, 0, &b), 0);
	assert_int_equal(b, MMAP_BASE - 6 * P);
	expect_vmas_abs(t, 0, ~0UL, (struct want[]){
		{ MMAP_BASE - 6 * P, MMAP_BASE, VM_READ | VM_WRITE } }, 1);
	assert_int_equal(mm_of(t)->map_count, 1);
	assert_int_equal(mm_of(t)->total_vm, 6);
	assert_int_equal(mm_of(t)->data_vm, 6);
	/* Different protection: its own VMA, still top-down. */
	assert_int_equal(foliage_mmap(t, 0, P, RO, ANON, NULL, 0, &b), 0);
	assert_int_equal(b, MMAP_BASE - 7 * P);
	assert_int_equal(mm_of(t)->map_count, 2);
	assert_int_equal(mm_of(t)->data_vm, 6);
}

static void test_hint(void **state)
{
	unsigned long a;

	(void)state;
	/* A free hint is honoured, without MAP_FIXED. */
	assert_int_equal(foliage_mmap(t, BASE, 4 * P, RW, ANON, NULL, 0, &a), 0);
	assert_int_equal(a, BASE);
	/* A hint that overlaps goes top-down instead. */
	assert_int_equal(foliage_mmap(t, BASE + P, P, RO, ANON, NULL, 0, &a), 0);
	assert_int_equal(a, MMAP_BASE - P);
	/* A hint below mmap_min_addr is raised to it. */
	assert_int_equal(foliage_mmap(t, 0x1000, P, RW, ANON, NULL, 0, &a), 0);
	assert_int_equal(a, MMAP_MIN_ADDR);
	/* MAP_FIXED below it is refused (no CAP_SYS_RAWIO). */
	assert_int_equal(foliage_mmap(t, 0x1000, P, RW, FIXED, NULL, 0, &a),
			 -EPERM);
}

static void test_fixed_noreplace(void **state)
{
	unsigned long a;
	int noreplace = ANON | FOLIAGE_MAP_FIXED_NOREPLACE;

	(void)state;
	/*
	 *   0123
	 *   AAAA
	 *     ** <- MAP_FIXED_NOREPLACE: -EEXIST, nothing changes
	 */
	map_at(0, 4, RW);
	assert_int_equal(foliage_mmap(t, BASE + 2 * P, 2 * P, RO, noreplace,
				      NULL, 0, &a), -EEXIST);
	expect_vmas(t, (struct want[]){ { 0, 4, VM_READ | VM_WRITE } }, 1);
	/* Into a hole it maps exactly there. */
	assert_int_equal(foliage_mmap(t, BASE + 8 * P, P, RO, noreplace, NULL,
				      0, &a), 0);
	assert_int_equal(a, BASE + 8 * P);
	/* MAP_FIXED replaces: AA*A -> three VMAs. */
	map_at(2, 1, RO);
	expect_vmas(t, (struct want[]){ { 0, 2, VM_READ | VM_WRITE },
					{ 2, 3, VM_READ },
					{ 3, 4, VM_READ | VM_WRITE },
					{ 8, 9, VM_READ } }, 4);
}

static void test_thp_alignment(void **state)
{
	unsigned long a;

	(void)state;
	/* A multiple of PMD_SIZE, no hint: PMD-aligned (Linux 6.18). */
	assert_int_equal(foliage_mmap(t, 0, 2 * SZ_1M, RW, ANON, NULL, 0, &a), 0);
	assert_int_equal(a, 0x7ffff7c00000UL);
	assert_int_equal(foliage_munmap(t, a, 2 * SZ_1M), 0);
	assert_int_equal(foliage_mmap(t, 0, 4 * SZ_1M, RW, ANON, NULL, 0, &a), 0);
	assert_int_equal(a, 0x7ffff7a00000UL);
	assert_int_equal(foliage_munmap(t, a, 4 * SZ_1M), 0);
	/* Not a multiple: plain top-down. */
	assert_int_equal(foliage_mmap(t, 0, 3 * SZ_1M, RW, ANON, NULL, 0, &a), 0);
	assert_int_equal(a, MMAP_BASE - 3 * SZ_1M);
	assert_int_equal(foliage_munmap(t, a, 3 * SZ_1M), 0);
	/* Shared anonymous memory is shmem's: not aligned (shmem THP off). */
	assert_int_equal(foliage_mmap(t, 0, 2 * SZ_1M, RW,
				      FOLIAGE_MAP_SHARED | FOLIAGE_MAP_ANONYMOUS,
				      NULL, 0, &a), 0);
	assert_int_equal(a, MMAP_BASE - 2 * SZ_1M);
}

static void test_mmap_errors(void **state)
{
	unsigned long a = 0;

	(void)state;
	assert_int_equal(foliage_mmap(t, 0, 0, RW, ANON, NULL, 0, &a), -EINVAL);
	assert_int_equal(foliage_mmap(t, 0, P, RW, FOLIAGE_MAP_ANONYMOUS, NULL,
				      0, &a), -EINVAL);
	assert_int_equal(foliage_mmap(t, 0, P, RW, FOLIAGE_MAP_PRIVATE, NULL, 0,
				      &a), -EBADF);
	assert_int_equal(foliage_mmap(t, 0, P, RW, ANON, NULL, 100, &a),
			 -EINVAL);
	assert_int_equal(foliage_mmap(t, 0, -4096UL, RW, ANON, NULL, 0, &a),
			 -ENOMEM);
	assert_int_equal(mm_of(t)->map_count, 0);
}

/* ---- munmap -------------------------------------------------------- */

static void test_munmap_split(void **state)
{
	(void)state;
	/*
	 *   01234567
	 *   AAAAAAAA
	 *     **       munmap
	 *   AA..AAAA
	 */
	map_at(0, 8, RW);
	assert_int_equal(foliage_munmap(t, BASE + 2 * P, 2 * P), 0);
	expect_vmas(t, (struct want[]){ { 0, 2, VM_READ | VM_WRITE },
					{ 4, 8, VM_READ | VM_WRITE } }, 2);
	assert_int_equal(mm_of(t)->total_vm, 6);
	/* Across the hole and into both sides: AA..AAAA -> A......A */
	assert_int_equal(foliage_munmap(t, BASE + P, 6 * P), 0);
	expect_vmas(t, (struct want[]){ { 0, 1 }, { 7, 8 } }, 2);
	/* A hole alone is fine; bad arguments are not. */
	assert_int_equal(foliage_munmap(t, BASE + 3 * P, P), 0);
	assert_int_equal(foliage_munmap(t, BASE + 1, P), -EINVAL);
	assert_int_equal(foliage_munmap(t, BASE, 0), -EINVAL);
	/* A length is rounded up to pages. */
	assert_int_equal(foliage_munmap(t, BASE, 1), 0);
	expect_vmas(t, (struct want[]){ { 7, 8 } }, 1);
	assert_int_equal(mm_of(t)->total_vm, 1);
}

/* ---- mprotect ------------------------------------------------------ */

static void test_mprotect_split_merge(void **state)
{
	(void)state;
	/*
	 *   01234567
	 *   AAAAAAAA
	 *     ***      mprotect(r--)
	 *   AABBBAAA
	 */
	map_at(0, 8, RW);
	assert_int_equal(foliage_mprotect(t, BASE + 2 * P, 3 * P, RO), 0);
	expect_vmas(t, (struct want[]){ { 0, 2, VM_READ | VM_WRITE },
					{ 2, 5, VM_READ },
					{ 5, 8, VM_READ | VM_WRITE } }, 3);
	assert_int_equal(mm_of(t)->data_vm, 5);
	/* Back to rw: all three merge again. */
	assert_int_equal(foliage_mprotect(t, BASE + 2 * P, 3 * P, RW), 0);
	expect_vmas(t, (struct want[]){ { 0, 8, VM_READ | VM_WRITE } }, 1);
	assert_int_equal(mm_of(t)->data_vm, 8);
	/* Left edge: the range joins the VMA before it (merge_left). */
	assert_int_equal(foliage_mprotect(t, BASE + 4 * P, 4 * P, RO), 0);
	assert_int_equal(foliage_mprotect(t, BASE + 4 * P, 2 * P, RW), 0);
	expect_vmas(t, (struct want[]){ { 0, 6, VM_READ | VM_WRITE },
					{ 6, 8, VM_READ } }, 2);
	/* Right edge: the range joins the VMA after it (merge_right). */
	assert_int_equal(foliage_mprotect(t, BASE + 5 * P, P, RO), 0);
	expect_vmas(t, (struct want[]){ { 0, 5, VM_READ | VM_WRITE },
					{ 5, 8, VM_READ } }, 2);
}

static void test_mprotect_errors(void **state)
{
	(void)state;
	/*
	 *   0123456
	 *   AA..BBB
	 *   *****      mprotect(r--): A changes, then -ENOMEM at the hole
	 */
	map_at(0, 2, RW);
	map_at(4, 3, RW);
	assert_int_equal(foliage_mprotect(t, BASE, 5 * P, RO), -ENOMEM);
	expect_vmas(t, (struct want[]){ { 0, 2, VM_READ },
					{ 4, 7, VM_READ | VM_WRITE } }, 2);
	assert_int_equal(foliage_mprotect(t, BASE + 1, P, RO), -EINVAL);
	assert_int_equal(foliage_mprotect(t, BASE, P, 0x10), -EINVAL);
	assert_int_equal(foliage_mprotect(t, BASE + 2 * P, P, RO), -ENOMEM);
	assert_int_equal(foliage_mprotect(t, BASE, 0, RO), 0);
}

static void test_mprotect_shared_file_readonly(void **state)
{
	struct foliage_file *f;
	unsigned long a;

	(void)state;
	assert_int_equal(foliage_file_create(m, "f", 4 * P, &f), 0);
	assert_int_equal(foliage_mmap(t, BASE, 4 * P, RW, FOLIAGE_MAP_SHARED |
				      FOLIAGE_MAP_FIXED, f, 0, &a), 0);
	/* Shared file mappings merge only at contiguous offsets. */
	assert_int_equal(foliage_mmap(t, BASE + 4 * P, 4 * P, RW,
				      FOLIAGE_MAP_SHARED | FOLIAGE_MAP_FIXED, f,
				      0, &a), 0);
	expect_vmas(t, (struct want[]){
		{ 0, 4, VM_READ | VM_WRITE | VM_SHARED },
		{ 4, 8, VM_READ | VM_WRITE | VM_SHARED } }, 2);
	assert_int_equal(foliage_munmap(t, BASE + 4 * P, 4 * P), 0);
	assert_int_equal(foliage_mmap(t, BASE + 4 * P, 2 * P, RW,
				      FOLIAGE_MAP_SHARED | FOLIAGE_MAP_FIXED, f,
				      4 * P, &a), 0);
	expect_vmas(t, (struct want[]){
		{ 0, 6, VM_READ | VM_WRITE | VM_SHARED } }, 1);
	foliage_file_put(f);
}

/* ---- merge rules and anon_vma ---------------------------------------- */

static void test_faulted_neighbours_dont_merge(void **state)
{
	(void)state;
	/*
	 *   0123456789ab
	 *   AAAA....BBBB    A and B each faulted: two anon_vmas
	 *       ****        MAP_FIXED rw in the gap
	 *   AAAAAAAABBBB    the gap joins A, but A and B stay apart
	 */
	map_at(0, 4, RW);
	map_at(8, 4, RW);
	touch(t, BASE);
	touch(t, BASE + 8 * P);
	map_at(4, 4, RW);
	expect_vmas(t, (struct want[]){ { 0, 8, VM_READ | VM_WRITE },
					{ 8, 12, VM_READ | VM_WRITE } }, 2);
}

static void test_unfaulted_neighbours_merge(void **state)
{
	(void)state;
	/* The same without faults: one VMA. */
	map_at(0, 4, RW);
	map_at(8, 4, RW);
	map_at(4, 4, RW);
	expect_vmas(t, (struct want[]){ { 0, 12, VM_READ | VM_WRITE } }, 1);
}

static void test_faulted_and_unfaulted_merge(void **state)
{
	(void)state;
	/*
	 *   01234567
	 *   AAAABBBB   A faulted rw, B unfaulted r--
	 *       ****   mprotect(rw): B takes A's anon_vma and merges
	 */
	map_at(0, 4, RW);
	touch(t, BASE);
	map_at(4, 4, RO);
	expect_vmas(t, (struct want[]){ { 0, 4 }, { 4, 8 } }, 2);
	assert_int_equal(foliage_mprotect(t, BASE + 4 * P, 4 * P, RW), 0);
	expect_vmas(t, (struct want[]){ { 0, 8, VM_READ | VM_WRITE } }, 1);
	assert_non_null(find_vma(mm_of(t), BASE)->anon_vma);
}

/* ---- max_map_count ------------------------------------------------- */

static void test_max_map_count(void **state)
{
	unsigned long a;
	(void)state;
	long v;

	assert_int_equal(foliage_get(m, "vm.max_map_count", &v), 0);
	assert_int_equal(v, 65530);
	assert_int_equal(foliage_set(m, "vm.max_map_count", "6"), 0);
	/*
	 *   01234567
	 *   ABABAAAB     six VMAs by alternating protections
	 */
	map_at(0, 8, RW);
	assert_int_equal(foliage_mprotect(t, BASE + 1 * P, P, RO), 0);
	assert_int_equal(foliage_mprotect(t, BASE + 3 * P, P, RO), 0);
	assert_int_equal(foliage_mprotect(t, BASE + 7 * P, P, RO), 0);
	assert_int_equal(mm_of(t)->map_count, 6);
	/* One more split: mprotect -ENOMEM, madvise -EAGAIN, no change. */
	assert_int_equal(foliage_mprotect(t, BASE + 5 * P, P, RO), -ENOMEM);
	assert_int_equal(foliage_madvise(t, BASE + 5 * P, P,
					 FOLIAGE_MADV_DONTFORK), -EAGAIN);
	/* munmap may not split one VMA in three at the limit... */
	assert_int_equal(foliage_munmap(t, BASE + 5 * P, P), -ENOMEM);
	expect_vmas(t, (struct want[]){ { 0, 1 }, { 1, 2 }, { 2, 3 },
					{ 3, 4 }, { 4, 7 }, { 7, 8 } }, 6);
	/* ...but removing whole VMAs is always fine. */
	assert_int_equal(foliage_munmap(t, BASE + 4 * P, 3 * P), 0);
	assert_int_equal(mm_of(t)->map_count, 5);
	/* mmap checks map_count > limit: one above is still allowed. */
	assert_int_equal(foliage_mmap(t, BASE + 20 * P, P, RO, FIXED, NULL, 0,
				      &a), 0);
	assert_int_equal(foliage_mmap(t, BASE + 30 * P, P, RO, FIXED, NULL, 0,
				      &a), 0);
	assert_int_equal(mm_of(t)->map_count, 7);
	assert_int_equal(foliage_mmap(t, BASE + 40 * P, P, RO, FIXED, NULL, 0,
				      &a), -ENOMEM);
	assert_int_equal(foliage_set(m, "vm.max_map_count", "65530"), 0);
}

/* ---- mremap -------------------------------------------------------- */

static void test_mremap_shrink_grow(void **state)
{
	unsigned long a;

	(void)state;
	/*
	 *   01234567
	 *   AAAA..B.
	 */
	map_at(0, 4, RW);
	map_at(6, 1, RO);
	/* Shrink in place. */
	assert_int_equal(foliage_mremap(t, BASE, 4 * P, 2 * P, 0, 0, &a), 0);
	assert_int_equal(a, BASE);
	expect_vmas(t, (struct want[]){ { 0, 2 }, { 6, 7 } }, 2);
	/* Grow in place into the hole. */
	assert_int_equal(foliage_mremap(t, BASE, 2 * P, 6 * P, 0, 0, &a), 0);
	assert_int_equal(a, BASE);
	expect_vmas(t, (struct want[]){ { 0, 6 }, { 6, 7 } }, 2);
	assert_int_equal(mm_of(t)->total_vm, 7);
	/* No room and no MREMAP_MAYMOVE: -ENOMEM. */
	assert_int_equal(foliage_mremap(t, BASE, 6 * P, 8 * P, 0, 0, &a),
			 -ENOMEM);
	/* With it, the mapping moves top-down. */
	assert_int_equal(foliage_mremap(t, BASE, 6 * P, 8 * P,
					FOLIAGE_MREMAP_MAYMOVE, 0, &a), 0);
	assert_int_equal(a, MMAP_BASE - 8 * P);
	expect_vmas(t, (struct want[]){ { 6, 7 } }, 1);
	expect_vmas_abs(t, MMAP_BASE - 8 * P, MMAP_BASE, (struct want[]){
		{ MMAP_BASE - 8 * P, MMAP_BASE, VM_READ | VM_WRITE } }, 1);
	assert_int_equal(mm_of(t)->total_vm, 9);
}

static void test_mremap_fixed_keeps_data(void **state)
{
	char buf[8] = "foliage", out[8];
	unsigned long a;

	(void)state;
	/*
	 *   01234567
	 *   AAAA....
	 *       ****  <- MREMAP_FIXED to page 4: adjacent, but the moved VMA
	 *                keeps A's pgoff, so it does not merge with what
	 *                would be left of A
	 */
	map_at(0, 4, RW);
	assert_int_equal(foliage_access(t, BASE + P, buf, 8, true, NULL), 0);
	assert_int_equal(foliage_mremap(t, BASE + P, P, P, FOLIAGE_MREMAP_MAYMOVE |
					FOLIAGE_MREMAP_FIXED, BASE + 5 * P, &a), 0);
	assert_int_equal(a, BASE + 5 * P);
	expect_vmas(t, (struct want[]){ { 0, 1 }, { 2, 4 }, { 5, 6 } }, 3);
	assert_int_equal(foliage_access(t, BASE + 5 * P, out, 8, false, NULL), 0);
	assert_memory_equal(out, buf, 8);
	/* The page keeps its offset: vm_pgoff of the new VMA is A's + 1. */
	assert_int_equal(find_vma(mm_of(t), BASE + 5 * P)->vm_pgoff,
			 (BASE >> 12) + 1);
}

static void test_mremap_dontunmap(void **state)
{
	char buf[4] = "abc", out[4];
	unsigned long a;

	(void)state;
	map_at(0, 2, RW);
	assert_int_equal(foliage_access(t, BASE, buf, 4, true, NULL), 0);
	assert_int_equal(foliage_mremap(t, BASE, 2 * P, 2 * P,
					FOLIAGE_MREMAP_MAYMOVE |
					FOLIAGE_MREMAP_DONTUNMAP, 0, &a), 0);
	assert_int_equal(a, MMAP_BASE - 2 * P);
	/*
	 * The source stays, empty (reads back zero), and keeps VM_ACCOUNT
	 * and its charge, as Linux's dontunmap_complete() leaves them.
	 */
	expect_vmas(t, (struct want[]){ { 0, 2, VM_READ | VM_WRITE } }, 1);
	assert_true(find_vma(mm_of(t), BASE)->vm_flags & VM_ACCOUNT);
	assert_null(find_vma(mm_of(t), BASE)->anon_vma);
	assert_int_equal(foliage_access(t, a, out, 4, false, NULL), 0);
	assert_memory_equal(out, buf, 4);
	assert_int_equal(foliage_access(t, BASE, out, 4, false, NULL), 0);
	assert_memory_equal(out, "\0\0\0\0", 4);
	assert_int_equal(mm_of(t)->total_vm, 4);
}

static void test_mremap_errors(void **state)
{
	unsigned long a;

	(void)state;
	map_at(0, 4, RW);
	assert_int_equal(foliage_mremap(t, BASE, 4 * P, 4 * P, 8, 0, &a), -EINVAL);
	assert_int_equal(foliage_mremap(t, BASE + 1, P, P, 0, 0, &a), -EINVAL);
	assert_int_equal(foliage_mremap(t, BASE, 4 * P, 0, 0, 0, &a), -EINVAL);
	/* MREMAP_FIXED needs MREMAP_MAYMOVE. */
	assert_int_equal(foliage_mremap(t, BASE, P, P, FOLIAGE_MREMAP_FIXED,
					BASE + 8 * P, &a), -EINVAL);
	/* DONTUNMAP can't resize. */
	assert_int_equal(foliage_mremap(t, BASE, P, 2 * P,
					FOLIAGE_MREMAP_MAYMOVE |
					FOLIAGE_MREMAP_DONTUNMAP, 0, &a), -EINVAL);
	/* Overlapping source and target. */
	assert_int_equal(foliage_mremap(t, BASE, 2 * P, 2 * P,
					FOLIAGE_MREMAP_MAYMOVE |
					FOLIAGE_MREMAP_FIXED, BASE + P, &a),
			 -EINVAL);
	/* Not mapped, or running past the VMA's end: -EFAULT. */
	assert_int_equal(foliage_mremap(t, BASE + 8 * P, P, 2 * P,
					FOLIAGE_MREMAP_MAYMOVE, 0, &a), -EFAULT);
	assert_int_equal(foliage_mremap(t, BASE, 5 * P, 6 * P,
					FOLIAGE_MREMAP_MAYMOVE, 0, &a), -EFAULT);
	expect_vmas(t, (struct want[]){ { 0, 4 } }, 1);
}

/* ---- madvise ------------------------------------------------------- */

static void test_madvise_flags(void **state)
{
	(void)state;
	/*
	 *   01234567
	 *   AAAAAAAA
	 *     **       DONTFORK
	 *   AABBAAAA
	 */
	map_at(0, 8, RW);
	assert_int_equal(foliage_madvise(t, BASE + 2 * P, 2 * P,
					 FOLIAGE_MADV_DONTFORK), 0);
	expect_vmas(t, (struct want[]){
		{ 0, 2, VM_READ | VM_WRITE },
		{ 2, 4, VM_READ | VM_WRITE | VM_DONTCOPY },
		{ 4, 8, VM_READ | VM_WRITE } }, 3);
	assert_int_equal(foliage_madvise(t, BASE + 2 * P, 2 * P,
					 FOLIAGE_MADV_DOFORK), 0);
	expect_vmas(t, (struct want[]){ { 0, 8, VM_READ | VM_WRITE } }, 1);
	assert_int_equal(foliage_madvise(t, BASE, 8 * P,
					 FOLIAGE_MADV_HUGEPAGE), 0);
	expect_vmas(t, (struct want[]){
		{ 0, 8, VM_READ | VM_WRITE | VM_HUGEPAGE } }, 1);
	assert_int_equal(foliage_madvise(t, BASE + 7 * P, P,
					 FOLIAGE_MADV_NOHUGEPAGE), 0);
	expect_vmas(t, (struct want[]){
		{ 0, 7, VM_READ | VM_WRITE | VM_HUGEPAGE },
		{ 7, 8, VM_READ | VM_WRITE | VM_NOHUGEPAGE } }, 2);
	assert_int_equal(foliage_madvise(t, BASE, 8 * P,
					 FOLIAGE_MADV_WIPEONFORK), 0);
	assert_int_equal(foliage_madvise(t, BASE, 8 * P,
					 FOLIAGE_MADV_KEEPONFORK), 0);
	expect_vmas(t, (struct want[]){
		{ 0, 7, VM_READ | VM_WRITE | VM_HUGEPAGE },
		{ 7, 8, VM_READ | VM_WRITE | VM_NOHUGEPAGE } }, 2);
}

static void test_madvise_errors(void **state)
{
	unsigned long a;

	(void)state;
	/*
	 *   0123456
	 *   AA..BBB
	 *   *******   DONTFORK: applied to A and B, then -ENOMEM (hole)
	 */
	map_at(0, 2, RW);
	map_at(4, 3, RW);
	assert_int_equal(foliage_madvise(t, BASE, 7 * P, FOLIAGE_MADV_DONTFORK),
			 -ENOMEM);
	expect_vmas(t, (struct want[]){
		{ 0, 2, VM_READ | VM_WRITE | VM_DONTCOPY },
		{ 4, 7, VM_READ | VM_WRITE | VM_DONTCOPY } }, 2);
	assert_int_equal(foliage_madvise(t, BASE + 1, P, FOLIAGE_MADV_DONTFORK),
			 -EINVAL);
	assert_int_equal(foliage_madvise(t, BASE, P, 12345), -EINVAL);
	assert_int_equal(foliage_madvise(t, BASE, 0, FOLIAGE_MADV_DONTFORK), 0);
	assert_int_equal(foliage_madvise(t, BASE + 100 * P, P,
					 FOLIAGE_MADV_DONTFORK), -ENOMEM);
	/* WIPEONFORK is for private anonymous memory only. */
	assert_int_equal(foliage_mmap(t, BASE + 10 * P, P, RW,
				      FOLIAGE_MAP_SHARED | FOLIAGE_MAP_ANONYMOUS |
				      FOLIAGE_MAP_FIXED, NULL, 0, &a), 0);
	assert_int_equal(foliage_madvise(t, BASE + 10 * P, P,
					 FOLIAGE_MADV_WIPEONFORK), -EINVAL);
	/* MADV_FREE is for anonymous VMAs only. */
	assert_int_equal(foliage_madvise(t, BASE + 10 * P, P, FOLIAGE_MADV_FREE),
			 -EINVAL);
	/* POPULATE: a hole is -ENOMEM, a forbidden access -EINVAL. */
	assert_int_equal(foliage_madvise(t, BASE, 4 * P,
					 FOLIAGE_MADV_POPULATE_WRITE), -ENOMEM);
	map_at(20, 1, RO);
	assert_int_equal(foliage_madvise(t, BASE + 20 * P, P,
					 FOLIAGE_MADV_POPULATE_WRITE), -EINVAL);
	assert_int_equal(foliage_madvise(t, BASE + 20 * P, P,
					 FOLIAGE_MADV_POPULATE_READ), 0);
}

static void test_madvise_dontneed(void **state)
{
	char buf[4] = "xyz", out[4];

	(void)state;
	map_at(0, 4, RW);
	assert_int_equal(foliage_access(t, BASE + P, buf, 4, true, NULL), 0);
	assert_int_equal(get_mm_counter(mm_of(t), MM_ANONPAGES), 1);
	assert_int_equal(foliage_madvise(t, BASE, 4 * P, FOLIAGE_MADV_DONTNEED),
			 0);
	assert_int_equal(get_mm_counter(mm_of(t), MM_ANONPAGES), 0);
	/* The VMA stays; the data is gone (zero on the next read). */
	expect_vmas(t, (struct want[]){ { 0, 4 } }, 1);
	assert_int_equal(foliage_access(t, BASE + P, out, 4, false, NULL), 0);
	assert_memory_equal(out, "\0\0\0\0", 4);
}

/* ---- fork ---------------------------------------------------------- */

static void test_fork_layout(void **state)
{
	struct foliage_task *c;
	char out[4];

	(void)state;
	/*
	 *   0123456789
	 *   AAAABBCCCC    B is MADV_DONTFORK, C is MADV_WIPEONFORK
	 */
	map_at(0, 10, RW);
	assert_int_equal(foliage_access(t, BASE, "abc", 4, true, NULL), 0);
	assert_int_equal(foliage_access(t, BASE + 6 * P, "def", 4, true, NULL), 0);
	assert_int_equal(foliage_madvise(t, BASE + 4 * P, 2 * P,
					 FOLIAGE_MADV_DONTFORK), 0);
	assert_int_equal(foliage_madvise(t, BASE + 6 * P, 4 * P,
					 FOLIAGE_MADV_WIPEONFORK), 0);
	assert_int_equal(foliage_fork(t, "child", &c), 0);
	assert_int_equal(foliage_task_pid(c), foliage_task_pid(t) + 1);
	expect_vmas(c, (struct want[]){
		{ 0, 4, VM_READ | VM_WRITE },
		{ 6, 10, VM_READ | VM_WRITE | VM_WIPEONFORK } }, 2);
	assert_int_equal(mm_of(c)->total_vm, 8);
	assert_int_equal(mm_of(c)->map_count, 2);
	/* A is shared COW; C starts empty in the child. */
	assert_int_equal(foliage_access(c, BASE, out, 4, false, NULL), 0);
	assert_string_equal(out, "abc");
	assert_int_equal(foliage_access(c, BASE + 6 * P, out, 4, false, NULL), 0);
	assert_memory_equal(out, "\0\0\0\0", 4);
	assert_int_equal(foliage_access(t, BASE + 6 * P, out, 4, false, NULL), 0);
	assert_string_equal(out, "def");
	/* COW: the child's write stays in the child. */
	assert_int_equal(foliage_access(c, BASE, "XYZ", 4, true, NULL), 0);
	assert_int_equal(foliage_access(t, BASE, out, 4, false, NULL), 0);
	assert_string_equal(out, "abc");
	assert_int_equal(foliage_exit(c), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_topdown_placement),
		T(test_hint),
		T(test_fixed_noreplace),
		T(test_thp_alignment),
		T(test_mmap_errors),
		T(test_munmap_split),
		T(test_mprotect_split_merge),
		T(test_mprotect_errors),
		T(test_mprotect_shared_file_readonly),
		T(test_faulted_neighbours_dont_merge),
		T(test_unfaulted_neighbours_merge),
		T(test_faulted_and_unfaulted_merge),
		T(test_max_map_count),
		T(test_mremap_shrink_grow),
		T(test_mremap_fixed_keeps_data),
		T(test_mremap_dontunmap),
		T(test_mremap_errors),
		T(test_madvise_flags),
		T(test_madvise_errors),
		T(test_madvise_dontneed),
		T(test_fork_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
