// SPDX-License-Identifier: GPL-2.0
/*
 * madvise(2) (Linux 6.18's mm/madvise.c, written anew), for the advice
 * foliage models:
 *
 *   MADV_DONTNEED	zap the range (anon pages go; file pages are refaulted
 *			from the page cache); empty PTE tables are freed
 *   MADV_FREE		anonymous only: folios become lazyfree (PTEs clean
 *			and old, PG_swapbacked clear, pglazyfree counted); a
 *			dirty folio only if this task maps it alone; a large
 *			folio the range covers only partly is split first
 *			(split_folio(): all-zero pages become the zero page),
 *			one another mm maps too is left alone.  A later write
 *			dirties the PTE again, which is what reclaim would
 *			check.  foliage has no reclaim, so a lazyfree page
 *			stays mapped until it is zapped.
 *   MADV_POPULATE_READ/WRITE  fault the range in: -ENOMEM at a hole,
 *			-EINVAL where the VMA forbids the access, -EFAULT
 *			where the task would get SIGBUS/SIGSEGV
 *   MADV_HUGEPAGE/NOHUGEPAGE, MADV_DONTFORK/DOFORK, MADV_WIPEONFORK/
 *			KEEPONFORK, MADV_NORMAL/SEQUENTIAL/RANDOM,
 *			MADV_DONTDUMP/DODUMP	VMA flags: merge or split
 *
 * Holes in the range don't stop the advice: it is applied to every mapped
 * part and -ENOMEM returned at the end.  A flag change that cannot split
 * a VMA (max_map_count) gives -EAGAIN, as on Linux.
 */
#include "vma.h"
#include <linux/err.h>
#include <linux/rmap.h>
#include <linux/huge_mm.h>
#include <linux/swap.h>
#include <asm-generic/tlb.h>
#include "internal.h"

#define MADV_NORMAL		0
#define MADV_RANDOM		1
#define MADV_SEQUENTIAL		2
#define MADV_WILLNEED		3
#define MADV_DONTNEED		FOLIAGE_MADV_DONTNEED
#define MADV_FREE		FOLIAGE_MADV_FREE
#define MADV_DONTFORK		FOLIAGE_MADV_DONTFORK
#define MADV_DOFORK		FOLIAGE_MADV_DOFORK
#define MADV_HUGEPAGE		FOLIAGE_MADV_HUGEPAGE
#define MADV_NOHUGEPAGE		FOLIAGE_MADV_NOHUGEPAGE
#define MADV_DONTDUMP		16
#define MADV_DODUMP		17
#define MADV_WIPEONFORK		FOLIAGE_MADV_WIPEONFORK
#define MADV_KEEPONFORK		FOLIAGE_MADV_KEEPONFORK
#define MADV_POPULATE_READ	FOLIAGE_MADV_POPULATE_READ
#define MADV_POPULATE_WRITE	FOLIAGE_MADV_POPULATE_WRITE

static bool madvise_behavior_valid(int behavior)
{
	switch (behavior) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
		return true;
	default:
		return false;
	}
}

/* ---- MADV_FREE ----------------------------------------------------- */

/*
 * A huge PMD in the range (Linux's madvise_free_huge_pmd()).  True if it
 * was dealt with; false leaves it to the PTE walk: a PMD left alone (the
 * huge zero page, a folio mapped by another mm too, or locked) stays
 * huge and the walk skips it, a partly advised one is split (the folio,
 * not just the PMD) so that only the advised pages become lazyfree.
 */
static bool madvise_free_huge_pmd(struct mmu_gather *tlb,
				  struct vm_area_struct *vma, pmd_t *pmd,
				  unsigned long addr, unsigned long next)
{
	spinlock_t *ptl = pmd_lock(vma->vm_mm, pmd);
	pmd_t orig = pmdp_get(pmd);
	struct folio *folio;
	struct page *page;
	bool ret = false;

	if (!pmd_trans_huge(orig))
		goto out;
	page = vm_normal_page_pmd(vma, addr, orig);
	if (!page)
		goto out;	/* the huge zero page */
	folio = page_folio(page);
	/* Others map it: it could only go if they all MADV_FREE it. */
	if (folio_maybe_mapped_shared(folio))
		goto out;
	if (!folio_trylock(folio))
		goto out;
	if (next - addr != HPAGE_PMD_SIZE) {
		folio_get(folio);
		spin_unlock(ptl);
		split_folio(folio);
		folio_unlock(folio);
		folio_put(folio);
		return false;
	}
	if (folio_test_dirty(folio))
		folio_clear_dirty(folio);
	folio_unlock(folio);
	if (pmd_young(orig) || pmd_dirty(orig)) {
		set_pmd(pmd, pmd_mkclean(pmd_mkold(orig)));
		tlb_flush_pmd_range(tlb, addr, HPAGE_PMD_SIZE);
	}
	folio_mark_lazyfree(folio);
	ret = true;
out:
	spin_unlock(ptl);
	return ret;
}

/*
 * The PTEs of [addr, end) in one PTE table (Linux's
 * madvise_free_pte_range()).  A large folio the range maps only part of
 * (from the PTE found to the end of the range or of the folio) is split
 * and its pages looked at again, unless it is mapped by another mm or
 * locked; one it maps whole is made lazyfree whole, even when a fork
 * shares it, if it is clean.
 */
static void madvise_free_pte_range(struct mmu_gather *tlb,
				   struct vm_area_struct *vma, pmd_t *pmd,
				   unsigned long addr, unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;
	pte_t *start_pte, *pte;
	unsigned long nr, i;
	spinlock_t *ptl;

	start_pte = pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!pte)
		return;
	for (; addr < end; pte += nr, addr += nr * PAGE_SIZE) {
		pte_t ptent = ptep_get(pte);
		struct folio *folio;

		nr = 1;
		if (!pte_present(ptent))
			continue;
		folio = vm_normal_folio(vma, addr, ptent);
		if (!folio)
			continue;
		if (folio_test_large(folio)) {
			unsigned int max_nr = (end - addr) >> PAGE_SHIFT;
			int err;

			nr = folio_pte_batch_flags(folio, NULL, pte, &ptent,
						   max_nr,
						   FPB_MERGE_YOUNG_DIRTY);
			if (nr < folio_nr_pages(folio)) {
				if (folio_maybe_mapped_shared(folio))
					continue;
				if (!folio_trylock(folio))
					continue;
				folio_get(folio);
				pte_unmap_unlock(start_pte, ptl);
				err = split_folio(folio);
				folio_unlock(folio);
				folio_put(folio);
				start_pte = pte = pte_offset_map_lock(mm, pmd,
								      addr, &ptl);
				if (!start_pte)
					return;
				/* Split: look at this PTE's own page again. */
				if (!err)
					nr = 0;
				continue;
			}
		}
		/*
		 * Only a dirty folio must be ours alone to be cleaned (mapped
		 * whole here, so its mapcount is its size); a clean one shared
		 * with a fork is made lazyfree for this task too, as in Linux
		 * (reclaim keeps it if any mapping redirties it).
		 */
		if (folio_test_dirty(folio)) {
			if (!folio_trylock(folio))
				continue;
			if (folio_mapcount(folio) != (int)folio_nr_pages(folio)) {
				folio_unlock(folio);
				continue;
			}
			folio_clear_dirty(folio);
			folio_unlock(folio);
		}
		if (pte_young(ptent) || pte_dirty(ptent)) {
			for (i = 0; i < nr; i++)
				set_pte(pte + i,
					pte_mkclean(pte_mkold(ptep_get(pte + i))));
			tlb_flush_pte_range(tlb, addr, nr * PAGE_SIZE);
		}
		folio_mark_lazyfree(folio);
	}
	pte_unmap_unlock(start_pte, ptl);
}

static int madvise_free_single_vma(struct vm_area_struct *vma,
				   unsigned long start, unsigned long end)
{
	struct mmu_gather tlb;
	unsigned long addr, next;

	if (!vma_is_anonymous(vma))
		return -EINVAL;
	start = max(vma->vm_start, start);
	if (start >= vma->vm_end)
		return -EINVAL;
	end = min(vma->vm_end, end);
	if (end <= vma->vm_start)
		return -EINVAL;

	tlb_gather_mmu(&tlb, vma->vm_mm, false);
	for (addr = start; addr < end; addr = next) {
		pmd_t *pmd = pmd_lookup(vma->vm_mm, addr);
		pmd_t val;

		next = pmd_addr_end(addr, end);
		if (!pmd)
			continue;
		val = pmdp_get(pmd);
		/* Nothing, or a PMD migration entry: nothing to free. */
		if (pmd_none(val) || is_swap_pmd(val))
			continue;
		if (pmd_trans_huge(val) &&
		    (madvise_free_huge_pmd(&tlb, vma, pmd, addr, next) ||
		     pmd_trans_huge(pmdp_get(pmd))))
			continue;	/* done, or left huge */
		madvise_free_pte_range(&tlb, vma, pmd, addr, next);
	}
	tlb_finish_mmu(&tlb);
	return 0;
}

/* ---- DONTNEED / FREE ----------------------------------------------- */

static int madvise_dontneed_free(struct vm_area_struct *vma,
				 unsigned long start, unsigned long end,
				 int behavior)
{
	struct mmu_gather tlb;

	if (vma->vm_flags & (VM_PFNMAP | VM_LOCKED))
		return -EINVAL;
	if (start == end)
		return 0;
	if (behavior == MADV_FREE)
		return madvise_free_single_vma(vma, start, end);
	tlb_gather_mmu(&tlb, vma->vm_mm, false);
	zap_vma_dontneed(&tlb, vma, start, end - start);
	tlb_finish_mmu(&tlb);
	return 0;
}

/* ---- flags --------------------------------------------------------- */

static int madvise_update_vma(struct vm_area_struct **pvma,
			      struct vm_area_struct *prev,
			      unsigned long start, unsigned long end,
			      vm_flags_t new_flags)
{
	struct vm_area_struct *vma = *pvma;

	if (new_flags == vma->vm_flags)
		return 0;
	vma = vma_modify_flags(prev, vma, start, end, new_flags);
	if (IS_ERR(vma))
		return PTR_ERR(vma);
	*pvma = vma;
	WRITE_ONCE(vma->vm_flags, new_flags);
	return 0;
}

/*
 * Apply @behavior to [start, end) inside one VMA (Linux's
 * madvise_vma_behavior()).  *@pvma is the VMA covering the range after.
 */
static int madvise_vma_behavior(struct vm_area_struct **pvma,
				struct vm_area_struct *prev,
				unsigned long start, unsigned long end,
				int behavior)
{
	struct vm_area_struct *vma = *pvma;
	vm_flags_t new_flags = vma->vm_flags;
	int error;

	switch (behavior) {
	case MADV_WILLNEED:
		return 0;	/* no swap, no readahead: nothing to start */
	case MADV_DONTNEED:
	case MADV_FREE:
		return madvise_dontneed_free(vma, start, end, behavior);
	case MADV_NORMAL:
		new_flags &= ~(VM_RAND_READ | VM_SEQ_READ);
		break;
	case MADV_SEQUENTIAL:
		new_flags = (new_flags & ~VM_RAND_READ) | VM_SEQ_READ;
		break;
	case MADV_RANDOM:
		new_flags = (new_flags & ~VM_SEQ_READ) | VM_RAND_READ;
		break;
	case MADV_DONTFORK:
		new_flags |= VM_DONTCOPY;
		break;
	case MADV_DOFORK:
		if (new_flags & VM_IO)
			return -EINVAL;
		new_flags &= ~VM_DONTCOPY;
		break;
	case MADV_WIPEONFORK:
		/* Only private anonymous memory can be wiped. */
		if (vma->vm_file || (new_flags & VM_SHARED))
			return -EINVAL;
		new_flags |= VM_WIPEONFORK;
		break;
	case MADV_KEEPONFORK:
		new_flags &= ~VM_WIPEONFORK;
		break;
	case MADV_DONTDUMP:
		new_flags |= VM_DONTDUMP;
		break;
	case MADV_DODUMP:
		if (new_flags & VM_SPECIAL)
			return -EINVAL;
		new_flags &= ~VM_DONTDUMP;
		break;
	case MADV_HUGEPAGE:
		new_flags = (new_flags & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
		break;
	case MADV_NOHUGEPAGE:
		new_flags = (new_flags & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
		break;
	}
	error = madvise_update_vma(pvma, prev, start, end, new_flags);
	/* Kernel resources temporarily unavailable: -EAGAIN. */
	if (error == -ENOMEM)
		error = -EAGAIN;
	return error;
}

/*
 * MADV_POPULATE_(READ|WRITE) (Linux's madvise_populate()): stops at the
 * first error, with what came before it populated.
 */
static int madvise_populate(struct mm_struct *mm, unsigned long start,
			    unsigned long end, bool write)
{
	while (start < end) {
		struct vm_area_struct *vma = vma_lookup(mm, start);
		unsigned long vend;
		int ret;

		if (!vma)
			return -ENOMEM;	/* a hole */
		/* check_vma_flags() without FOLL_FORCE */
		if ((vma->vm_flags & (VM_IO | VM_PFNMAP)) ||
		    (write && !(vma->vm_flags & VM_WRITE)) ||
		    (!write && !(vma->vm_flags & VM_READ)))
			return -EINVAL;
		vend = min(end, vma->vm_end);
		ret = faultin_page_range(vma, start, vend, write);
		switch (ret) {
		case 0:
			break;
		case -EINVAL:
		case -EFAULT:
		case -EHWPOISON:
			return ret;
		default:
			return -ENOMEM;
		}
		start = vend;
	}
	return 0;
}

/*
 * Whether @behavior changes VMAs and so needs mmap_lock for write
 * (Linux's madvise_need_mmap_write()): advice that only zaps, frees or
 * faults pages in takes it for read, so that faults go on meanwhile.
 */
bool madvise_need_mmap_write(int behavior)
{
	switch (behavior) {
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
		return false;
	default:
		return true;
	}
}

/*
 * madvise(2) with mmap_lock held: for write, or for read where
 * madvise_need_mmap_write() says so (then no VMA is changed).
 */
int do_madvise(struct mm_struct *mm, unsigned long start, size_t len_in,
	       int behavior)
{
	struct vm_area_struct *vma, *prev;
	unsigned long end, len, range_end;
	int unmapped_error = 0, error;

	if (madvise_need_mmap_write(behavior))
		mmap_assert_write_locked(mm);
	else
		mmap_assert_locked(mm);
	if (!madvise_behavior_valid(behavior))
		return -EINVAL;
	if (offset_in_page(start))
		return -EINVAL;
	len = PAGE_ALIGN(len_in);
	if (len_in && !len)
		return -EINVAL;
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	if (behavior == MADV_POPULATE_READ || behavior == MADV_POPULATE_WRITE)
		return madvise_populate(mm, start, end,
					behavior == MADV_POPULATE_WRITE);

	vma = find_vma_prev(mm, start, &prev);
	if (vma && start > vma->vm_start)
		prev = vma;
	for (;;) {
		if (!vma)
			return -ENOMEM;
		if (start < vma->vm_start) {
			/* A hole: carry on, report it at the end. */
			unmapped_error = -ENOMEM;
			start = vma->vm_start;
			if (start >= end)
				break;
		}
		range_end = min(vma->vm_end, end);
		error = madvise_vma_behavior(&vma, prev, start, range_end,
					     behavior);
		if (error)
			return error;
		prev = vma;
		if (range_end < vma->vm_end)
			range_end = vma->vm_end;
		if (range_end >= end)
			break;
		vma = find_vma(mm, vma->vm_end);
		start = range_end;
	}
	return unmapped_error;
}
