// SPDX-License-Identifier: GPL-2.0
/*
 * mremap(2) and move_page_tables() (Linux 6.18's mm/mremap.c, written
 * anew).
 *
 *   shrink		unmap the tail; always in place
 *   grow in place	the range ends at its VMA's end and the space after
 *			it is free: the VMA is extended (vma_merge_extend)
 *   move		MREMAP_MAYMOVE when growing in place fails, or
 *			MREMAP_FIXED: a copy of the VMA is made at the new
 *			place (copy_vma, merged there if possible), the page
 *			tables are moved under it, and the old range is
 *			unmapped -- or, with MREMAP_DONTUNMAP, left mapped
 *			but empty, its VM_ACCOUNT and VM_LOCKED dropped
 *
 * A moved anonymous page keeps its folio->index: the new VMA keeps the
 * old VMA's pgoff (linear_page_index() is unchanged for it), so rmap
 * still finds the page through the same anon_vma.  In an ANON_VMA_LAZY
 * machine the new VMA's base differs from the lazy root's: the source's
 * group is upgraded to an anon_vma first and move_ptes() moves each folio
 * to it (docs/anon-vma-lazy.md).  Only an anonymous VMA
 * never faulted takes the new address as its pgoff (to merge more often).
 * A moving range that covers a whole PTE table moves the table (one PMD
 * entry); a PMD-mapped THP whose PMD is wholly moved moves intact.
 *
 * A MREMAP_FIXED move with old_len == new_len may span several VMAs,
 * keeping the gaps between them (6.17+).
 */
#include "vma.h"
#include <linux/rmap.h>
#include <linux/huge_mm.h>
#include <asm-generic/tlb.h>
#include <linux/hugetlb.h>
#include "internal.h"

#define MREMAP_MAYMOVE		FOLIAGE_MREMAP_MAYMOVE
#define MREMAP_FIXED		FOLIAGE_MREMAP_FIXED
#define MREMAP_DONTUNMAP	FOLIAGE_MREMAP_DONTUNMAP

enum mremap_type {
	MREMAP_INVALID,		/* not decided yet */
	MREMAP_NO_RESIZE,	/* old_len == new_len */
	MREMAP_SHRINK,		/* old_len > new_len */
	MREMAP_EXPAND,		/* old_len < new_len */
};

/* One mremap operation (Linux's struct vma_remap_struct). */
struct vma_remap_struct {
	struct mm_struct *mm;		/* the address space */
	unsigned long addr;		/* source start */
	unsigned long old_len;		/* source length */
	unsigned long new_len;		/* target length */
	unsigned long flags;		/* MREMAP_* */
	unsigned long new_addr;		/* target start */
	struct vm_area_struct *vma;	/* source VMA */
	unsigned long delta;		/* |old_len - new_len| */
	enum mremap_type remap_type;	/* what kind of mremap */
	unsigned long charged;		/* pages of commit charged */
};

/* ---- page tables --------------------------------------------------- */

static pte_t move_soft_dirty_pte(pte_t pte)
{
	/* A moved page is "new" at its new address for soft-dirty users. */
	if (pte_present(pte))
		return pte_mksoft_dirty(pte);
	if (is_swap_pte(pte))
		return pte_swp_mksoft_dirty(pte);
	return pte;
}

static void move_ptes(struct vm_area_struct *vma, pmd_t *old_pmd,
		      unsigned long old_addr, unsigned long old_end,
		      struct vm_area_struct *new_vma, pmd_t *new_pmd,
		      unsigned long new_addr)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long len = old_end - old_addr;
	spinlock_t *old_ptl, *new_ptl;
	pte_t *old_ptep, *new_ptep;
	bool force_flush = false;

	old_ptep = pte_offset_map_lock(mm, old_pmd, old_addr, &old_ptl);
	if (!old_ptep)
		return;
	new_ptep = pte_offset_map(new_pmd, new_addr);
	new_ptl = pte_lockptr(mm, new_pmd);
	if (new_ptl != old_ptl)
		spin_lock(new_ptl);
	for (; old_addr < old_end; old_ptep++, old_addr += PAGE_SIZE,
	     new_ptep++, new_addr += PAGE_SIZE) {
		pte_t pte = ptep_get(old_ptep);

		VM_WARN_ON(!pte_none(ptep_get(new_ptep)));
		if (pte_none(pte))
			continue;
		/* Flush before the page could be freed through the new PTE. */
		if (pte_present(pte)) {
			struct folio *folio;

			force_flush = true;
			/*
			 * ANON_VMA_LAZY: the copy is at another base; move
			 * the folio to the group's anon_vma, which the copy
			 * is on (move_vma() upgraded the group).
			 */
			folio = vm_normal_folio(vma, old_addr, pte);
			if (folio && folio_test_anon_lazy(folio))
				folio_fix_anon_lazy(folio, new_vma);
		}
		pte = ptep_get_and_clear(old_ptep);
		set_pte(new_ptep, move_soft_dirty_pte(pte));
	}
	if (force_flush)
		flush_tlb_range(vma, old_end - len, old_end);
	if (new_ptl != old_ptl)
		spin_unlock(new_ptl);
	pte_unmap_unlock(old_ptep, old_ptl);
}

/* Move a whole PTE table: one PMD entry (Linux's move_normal_pmd()). */
static bool move_normal_pmd(struct vm_area_struct *vma, unsigned long old_addr,
			    pmd_t *old_pmd, pmd_t *new_pmd)
{
	struct mm_struct *mm = vma->vm_mm;
	spinlock_t *ptl;
	pmd_t pmd;

	if (WARN_ON_ONCE(!pmd_none(pmdp_get(new_pmd))))
		return false;
	ptl = pmd_lock(mm, old_pmd);
	pmd = pmdp_get(old_pmd);
	if (!pmd_is_table(pmd)) {
		spin_unlock(ptl);
		return false;
	}
	set_pmd(old_pmd, __pmd(0));
	set_pmd(new_pmd, pmd);
	flush_tlb_range(vma, old_addr, old_addr + PMD_SIZE);
	spin_unlock(ptl);
	return true;
}

/* Move a huge PMD intact (Linux's move_huge_pmd()). */
static bool move_huge_pmd(struct vm_area_struct *vma, unsigned long old_addr,
			  pmd_t *old_pmd, pmd_t *new_pmd)
{
	struct mm_struct *mm = vma->vm_mm;
	spinlock_t *ptl;
	pmd_t pmd;

	if (!pmd_none(pmdp_get(new_pmd)))
		return false;
	ptl = pmd_lock(mm, old_pmd);
	pmd = pmdp_get(old_pmd);
	if (!pmd_trans_huge(pmd) && !is_swap_pmd(pmd)) {
		spin_unlock(ptl);
		return false;
	}
	set_pmd(old_pmd, __pmd(0));
	/* The PTE table deposited for a later split moves with it. */
	if (vma_is_anonymous(vma) && virt_to_page(old_pmd) != virt_to_page(new_pmd)) {
		struct page *table = pgtable_trans_huge_withdraw(mm, old_pmd);

		if (table)
			pgtable_trans_huge_deposit(mm, new_pmd, table);
	}
	if (pmd_present(pmd)) {
		struct folio *folio = page_folio(pmd_page(pmd));

		if (folio_test_anon_lazy(folio))
			folio_fix_anon_lazy(folio, vma);
		pmd = pmd_mksoft_dirty(pmd);
	} else
		pmd = pmd_swp_mksoft_dirty(pmd);
	set_pmd(new_pmd, pmd);
	if (pmd_present(pmd))
		flush_pmd_tlb_range(vma, old_addr, old_addr + PMD_SIZE);
	spin_unlock(ptl);
	return true;
}

static unsigned long get_extent(unsigned long old_addr, unsigned long old_end,
				unsigned long new_addr)
{
	unsigned long next, extent;

	next = (old_addr + PMD_SIZE) & PMD_MASK;
	extent = next - old_addr;
	if (extent > old_end - old_addr)
		extent = old_end - old_addr;
	next = (new_addr + PMD_SIZE) & PMD_MASK;
	if (extent > next - new_addr)
		extent = next - new_addr;
	return extent;
}

/*
 * Move the entries of [old_addr, old_addr + len) of @vma to @new_addr of
 * @new_vma.  Returns how many bytes were moved (less than @len only when
 * a page table could not be allocated).
 */
unsigned long move_page_tables(struct vm_area_struct *vma,
			       unsigned long old_addr,
			       struct vm_area_struct *new_vma,
			       unsigned long new_addr, unsigned long len)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long old_end = old_addr + len, extent;
	pmd_t *old_pmd, *new_pmd;

	if (is_vm_hugetlb_page(vma))
		return move_hugetlb_page_tables(vma, new_vma, old_addr,
						new_addr, len);
	for (; old_addr < old_end; old_addr += extent, new_addr += extent) {
		pmd_t val;

		extent = get_extent(old_addr, old_end, new_addr);
		old_pmd = pmd_lookup(mm, old_addr);
		if (!old_pmd || pmd_none(pmdp_get(old_pmd)))
			continue;
		new_pmd = pmd_alloc(mm, new_addr);
		if (!new_pmd)
			break;
		val = pmdp_get(old_pmd);
		if (is_swap_pmd(val) || pmd_trans_huge(val)) {
			if (extent == HPAGE_PMD_SIZE &&
			    move_huge_pmd(vma, old_addr, old_pmd, new_pmd))
				continue;
			split_huge_pmd(vma, old_pmd, old_addr);
		} else if (extent == PMD_SIZE) {
			if (move_normal_pmd(vma, old_addr, old_pmd, new_pmd))
				continue;
		}
		if (pmd_none(pmdp_get(old_pmd)))
			continue;
		if (pte_alloc(mm, new_pmd))
			break;
		move_ptes(vma, old_pmd, old_addr, old_addr + extent, new_vma,
			  new_pmd, new_addr);
	}
	return len - (old_end - old_addr);
}

/* ---- the VMA side -------------------------------------------------- */

static bool vrm_implies_new_addr(const struct vma_remap_struct *vrm)
{
	return vrm->flags & (MREMAP_FIXED | MREMAP_DONTUNMAP);
}

static bool vrm_overlaps(const struct vma_remap_struct *vrm)
{
	unsigned long start_old = vrm->addr, end_old = vrm->addr + vrm->old_len;
	unsigned long start_new = vrm->new_addr;
	unsigned long end_new = vrm->new_addr + vrm->new_len;

	return end_old > start_new && end_new > start_old;
}

/* Whether only a move is wanted: may span VMAs (remap_move()). */
static bool vrm_move_only(const struct vma_remap_struct *vrm)
{
	return (vrm->flags & MREMAP_FIXED) && vrm->old_len == vrm->new_len;
}

static unsigned long check_mremap_params(struct vma_remap_struct *vrm)
{
	if (vrm->flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
		return -EINVAL;
	if (offset_in_page(vrm->addr))
		return -EINVAL;
	/* A zero old_len duplicates a shared mapping; zero new_len: never. */
	if (!vrm->new_len)
		return -EINVAL;
	if (vrm->new_len > TASK_SIZE)
		return -EINVAL;
	if (!vrm_implies_new_addr(vrm))
		return 0;
	if (vrm->new_addr > TASK_SIZE - vrm->new_len)
		return -EINVAL;
	if (offset_in_page(vrm->new_addr))
		return -EINVAL;
	if (!(vrm->flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((vrm->flags & MREMAP_DONTUNMAP) && vrm->old_len != vrm->new_len)
		return -EINVAL;
	if (vrm_overlaps(vrm))
		return -EINVAL;
	/* Both VMAs may split in three: stay 4 maps below the limit. */
	if (vrm->mm->map_count + 2 >= sysctl_max_map_count() - 3)
		return -ENOMEM;
	return 0;
}

static unsigned long check_prep_vma(struct vma_remap_struct *vrm)
{
	struct vm_area_struct *vma = vrm->vma;
	unsigned long old_len, new_len, pgoff;

	if (!vma)
		return -EFAULT;
	if (is_vm_hugetlb_page(vma)) {
		unsigned long sz = vma_kernel_pagesize(vma);

		vrm->old_len = ALIGN(vrm->old_len, sz);
		vrm->new_len = ALIGN(vrm->new_len, sz);
		/* Huge-page aligned addresses; the reservation cannot grow. */
		if ((vrm->addr | vrm->new_addr) & (sz - 1))
			return -EINVAL;
		if (vrm->new_len > vrm->old_len)
			return -EINVAL;
	}
	vrm->delta = vrm->old_len > vrm->new_len ?
		     vrm->old_len - vrm->new_len : vrm->new_len - vrm->old_len;
	vrm->remap_type = !vrm->delta ? MREMAP_NO_RESIZE :
			  vrm->old_len > vrm->new_len ? MREMAP_SHRINK :
							MREMAP_EXPAND;
	if (!vrm_implies_new_addr(vrm))
		vrm->new_addr = vrm->addr;
	if (vrm->remap_type != MREMAP_EXPAND && !vrm_implies_new_addr(vrm))
		return 0;

	old_len = vrm->old_len;
	new_len = vrm->new_len;
	/* Duplicating a private mapping makes no sense (and Linux refuses). */
	if (!old_len && !(vma->vm_flags & (VM_SHARED | VM_MAYSHARE)))
		return -EINVAL;
	if ((vrm->flags & MREMAP_DONTUNMAP) &&
	    (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP)))
		return -EINVAL;
	/* A shrink may cross VMA ends in the part it unmaps. */
	if (vrm->remap_type == MREMAP_SHRINK)
		old_len = new_len;
	if (old_len > vma->vm_end - vrm->addr)
		return -EFAULT;
	if (new_len == old_len)
		return 0;
	pgoff = vma_pgoff_offset(vma, vrm->addr);
	if (pgoff + PHYS_PFN(new_len) < pgoff)
		return -EINVAL;
	if (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP))
		return -EFAULT;
	if (!may_expand_vm(vrm->mm, vma->vm_flags, PHYS_PFN(vrm->delta)))
		return -ENOMEM;
	return 0;
}

static bool vrm_calc_charge(struct vma_remap_struct *vrm)
{
	unsigned long charged;

	if (!(vrm->vma->vm_flags & VM_ACCOUNT))
		return true;
	/* Keeping the old mapping charges the whole new one. */
	if (vrm->flags & MREMAP_DONTUNMAP)
		charged = PHYS_PFN(vrm->new_len);
	else
		charged = PHYS_PFN(vrm->delta);
	if (security_vm_enough_memory_mm(vrm->mm, charged))
		return false;
	vrm->charged = charged;
	return true;
}

static void vrm_uncharge(struct vma_remap_struct *vrm)
{
	if (vrm->charged)
		vm_unacct_memory(vrm->charged);
	vrm->charged = 0;
}

static void vrm_stat_account(struct vma_remap_struct *vrm,
			     unsigned long bytes)
{
	unsigned long pages = PHYS_PFN(bytes);

	vm_stat_account(vrm->mm, vrm->vma->vm_flags, pages);
	if (vrm->vma->vm_flags & VM_LOCKED)
		vrm->mm->locked_vm += pages;
}

static unsigned long shrink_vma(struct vma_remap_struct *vrm)
{
	unsigned long res;

	res = do_vmi_munmap(vrm->mm, vrm->addr + vrm->new_len, vrm->delta);
	vrm->vma = NULL;
	if (res)
		return res;
	vrm->vma = vma_lookup(vrm->mm, vrm->addr);
	return vrm->vma ? 0 : -EFAULT;
}

static unsigned long vrm_set_new_addr(struct vma_remap_struct *vrm)
{
	struct vm_area_struct *vma = vrm->vma;
	unsigned long map_flags = 0, res;
	pgoff_t pgoff = vma_pgoff_offset(vma, vrm->addr);
	unsigned long new_addr = vrm_implies_new_addr(vrm) ? vrm->new_addr : 0;

	if (vrm->flags & MREMAP_FIXED)
		map_flags |= FOLIAGE_MAP_FIXED;
	if (vma->vm_flags & VM_MAYSHARE)
		map_flags |= FOLIAGE_MAP_SHARED;
	res = get_unmapped_area(vrm->mm, vma->vm_file, new_addr, vrm->new_len,
				pgoff, map_flags, 0);
	if (IS_ERR_VALUE(res))
		return res;
	vrm->new_addr = res;
	return 0;
}

/*
 * After a DONTUNMAP move the source stays, empty.  It keeps VM_ACCOUNT and
 * its charge (the new mapping was charged in full), as in Linux: only the
 * mlock flags go.
 */
static void dontunmap_complete(struct vma_remap_struct *vrm,
			       struct vm_area_struct *new_vma)
{
	unsigned long start = vrm->addr, end = vrm->addr + vrm->old_len;
	struct vm_area_struct *vma = vrm->vma;

	WRITE_ONCE(vma->vm_flags, vma->vm_flags & ~VM_LOCKED_MASK);
	/* Its pages are all gone: it needs no anon_vma any more. */
	if (new_vma != vma && start == vma->vm_start && end == vma->vm_end) {
		unlink_anon_vmas(vma);
		vma->anon_vma = NULL;
	}
}

/*
 * Unmap the source after a move.  Its charge was moved to the new VMA
 * already, so VM_ACCOUNT is cleared for the unmap and given back to what
 * remains of the source on either side.
 */
static void unmap_source_vma(struct vma_remap_struct *vrm)
{
	struct mm_struct *mm = vrm->mm;
	unsigned long addr = vrm->addr, len = vrm->old_len;
	struct vm_area_struct *vma = vrm->vma;
	bool accountable_move = (vma->vm_flags & VM_ACCOUNT) &&
				!(vrm->flags & MREMAP_DONTUNMAP);
	unsigned long vm_start = vma->vm_start, vm_end = vma->vm_end;
	int err;

	if (accountable_move)
		WRITE_ONCE(vma->vm_flags, vma->vm_flags & ~VM_ACCOUNT);
	err = do_vmi_munmap(mm, addr, len);
	vrm->vma = NULL;
	if (err) {
		/* Out of memory for a split: just keep the accounting right. */
		atomic_long_add(PHYS_PFN(len), &this_machine->vm_committed_as);
		return;
	}
	if (accountable_move) {
		struct vm_area_struct *prev, *next;

		next = find_vma_prev(mm, addr, &prev);
		if (vm_start < addr && prev)
			WRITE_ONCE(prev->vm_flags, prev->vm_flags | VM_ACCOUNT);
		if (vm_end > addr + len && next)
			WRITE_ONCE(next->vm_flags, next->vm_flags | VM_ACCOUNT);
	}
}

/*
 * ANON_VMA_LAZY: the entries move, and their folios move from the root to
 * the anon_vma, with no rmap walk in between (Linux's take_rmap_locks()
 * when need_rmap_locks): a walk finds each PTE at its old or its new
 * place, never neither.  Classic machines keep 6.18's behaviour here.
 */
static void take_rmap_locks_lazy(struct vm_area_struct *vma)
{
	if (!anon_vma_lazy_enabled() || !vma->anon_vma)
		return;
	anon_lazy_lock_write();
	anon_vma_lock_write(vma->anon_vma);
}

static void drop_rmap_locks_lazy(struct vm_area_struct *vma)
{
	if (!anon_vma_lazy_enabled() || !vma->anon_vma)
		return;
	anon_vma_unlock_write(vma->anon_vma);
	anon_lazy_unlock_write();
}

static unsigned long move_vma(struct vma_remap_struct *vrm)
{
	struct mm_struct *mm = vrm->mm;
	struct vm_area_struct *vma = vrm->vma, *new_vma;
	unsigned long hiwater_vm, moved_len;
	pgoff_t new_pgoff = vma_pgoff_offset(vma, vrm->addr);
	int err = 0;

	/* Avoid failing later in do_munmap, which may split one in three. */
	if (mm->map_count >= sysctl_max_map_count() - 3)
		return -ENOMEM;
	/*
	 * ANON_VMA_LAZY: the copy will be at another base, so the source's
	 * group takes an anon_vma (one way), which the copy is linked to.
	 */
	if (anon_vma_lazy_upgrade(vma))
		return -ENOMEM;
	if (!vrm_calc_charge(vrm))
		return -ENOMEM;

	new_vma = copy_vma(&vma, vrm->new_addr, vrm->new_len, new_pgoff);
	if (!new_vma) {
		vrm_uncharge(vrm);
		return -ENOMEM;
	}
	vrm->vma = vma;
	take_rmap_locks_lazy(vma);
	moved_len = move_page_tables(vma, vrm->addr, new_vma, vrm->new_addr,
				     vrm->old_len);
	if (moved_len < vrm->old_len) {
		/*
		 * Move the entries back (their tables exist) and unmap the
		 * new range instead of the old.
		 */
		move_page_tables(new_vma, vrm->new_addr, vma, vrm->addr,
				 moved_len);
		err = -ENOMEM;
		vrm->vma = new_vma;
		vrm->old_len = vrm->new_len;
		vrm->addr = vrm->new_addr;
	}
	drop_rmap_locks_lazy(vma);

	/* The new VMA took the private reservations over. */
	if (!err && is_vm_hugetlb_page(vma))
		clear_vma_resv_huge_pages(vma);
	/* total_vm is briefly too high: keep the high watermark. */
	hiwater_vm = mm->hiwater_vm;
	vrm_stat_account(vrm, vrm->new_len);
	if (!err && (vrm->flags & MREMAP_DONTUNMAP))
		dontunmap_complete(vrm, new_vma);
	else
		unmap_source_vma(vrm);
	mm->hiwater_vm = hiwater_vm;
	return err ? (unsigned long)err : vrm->new_addr;
}

static unsigned long mremap_to(struct vma_remap_struct *vrm)
{
	struct mm_struct *mm = vrm->mm;
	unsigned long err;

	if (vrm->flags & MREMAP_FIXED) {
		err = do_munmap(mm, vrm->new_addr, vrm->new_len);
		vrm->vma = NULL;
		if (err)
			return err;
		vrm->vma = vma_lookup(mm, vrm->addr);
		if (!vrm->vma)
			return -EFAULT;
	}
	if (vrm->remap_type == MREMAP_SHRINK) {
		err = shrink_vma(vrm);
		if (err)
			return err;
		vrm->old_len = vrm->new_len;
	}
	if ((vrm->flags & MREMAP_DONTUNMAP) &&
	    !may_expand_vm(mm, vrm->vma->vm_flags, PHYS_PFN(vrm->old_len)))
		return -ENOMEM;
	err = vrm_set_new_addr(vrm);
	if (err)
		return err;
	return move_vma(vrm);
}

static bool vma_expandable(struct vm_area_struct *vma, unsigned long delta)
{
	unsigned long end = vma->vm_end + delta;

	if (end < vma->vm_end)
		return false;
	if (find_vma_intersection(vma->vm_mm, vma->vm_end, end))
		return false;
	if (end > TASK_SIZE)
		return false;
	return true;
}

static unsigned long expand_vma(struct vma_remap_struct *vrm)
{
	struct vm_area_struct *vma = vrm->vma;
	unsigned long err;

	if (vma->vm_end - vrm->addr == vrm->old_len &&
	    vma_expandable(vma, vrm->delta)) {
		if (!vrm_calc_charge(vrm))
			return -ENOMEM;
		vma = vma_merge_extend(vma, vrm->delta);
		if (!vma) {
			vrm_uncharge(vrm);
			return -ENOMEM;
		}
		vrm->vma = vma;
		vrm_stat_account(vrm, vrm->delta);
		return vrm->addr;
	}
	if (!(vrm->flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	err = vrm_set_new_addr(vrm);
	if (err)
		return err;
	return move_vma(vrm);
}

static unsigned long mremap_at(struct vma_remap_struct *vrm)
{
	unsigned long res;

	switch (vrm->remap_type) {
	case MREMAP_NO_RESIZE:
		return vrm->addr;
	case MREMAP_SHRINK:
		res = shrink_vma(vrm);
		return res ? res : vrm->addr;
	case MREMAP_EXPAND:
		return expand_vma(vrm);
	default:
		return -EINVAL;
	}
}

/* A MREMAP_FIXED move of every VMA in the range, gaps kept. */
static unsigned long remap_move(struct vma_remap_struct *vrm)
{
	unsigned long start = vrm->addr, end = vrm->addr + vrm->old_len;
	unsigned long target_addr = vrm->new_addr, last_end = 0;
	unsigned long res = -EFAULT, next_addr = start;
	bool seen_vma = false;
	struct vm_area_struct *vma;

	while ((vma = find_vma_intersection(vrm->mm, next_addr, end))) {
		unsigned long addr = max(vma->vm_start, start);
		unsigned long len = min(end, vma->vm_end) - addr;
		unsigned long offset, res_vma;

		if (!seen_vma && start < vma->vm_start)
			return -EFAULT;
		offset = seen_vma ? vma->vm_start - last_end : 0;
		last_end = vma->vm_end;
		next_addr = vma->vm_end;
		vrm->vma = vma;
		vrm->addr = addr;
		vrm->new_addr = target_addr + offset;
		vrm->old_len = vrm->new_len = len;
		vrm->charged = 0;
		res_vma = check_prep_vma(vrm);
		if (!res_vma)
			res_vma = mremap_to(vrm);
		if (IS_ERR_VALUE(res_vma))
			return res_vma;
		if (!seen_vma)
			res = res_vma;
		seen_vma = true;
		target_addr = res_vma + vrm->new_len;
		if (next_addr >= end)
			break;
	}
	return res;
}

/* mremap(2) with mmap_lock held for write. */
unsigned long do_mremap(struct mm_struct *mm, unsigned long addr,
			unsigned long old_len, unsigned long new_len,
			unsigned long flags, unsigned long new_addr)
{
	struct vma_remap_struct vrm = {
		.mm = mm,
		.addr = addr,
		.old_len = PAGE_ALIGN(old_len),
		.new_len = PAGE_ALIGN(new_len),
		.flags = flags,
		.new_addr = new_addr,
	};
	unsigned long res;

	res = check_mremap_params(&vrm);
	if (res)
		return res;
	if (vrm_move_only(&vrm))
		return remap_move(&vrm);
	vrm.vma = vma_lookup(mm, vrm.addr);
	res = check_prep_vma(&vrm);
	if (res)
		return res;
	return vrm_implies_new_addr(&vrm) ? mremap_to(&vrm) : mremap_at(&vrm);
}
