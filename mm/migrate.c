// SPDX-License-Identifier: GPL-2.0
/*
 * The way back from migration entries (Linux 6.18's remove_migration_ptes()
 * in mm/migrate.c, written anew): every migration entry of a folio becomes
 * a present PTE again, with what the entry kept (write, AnonExclusive,
 * young, dirty, soft-dirty, uffd-wp), a reference and an rmap each.
 *
 * foliage uses it to finish a folio split (mm/huge_memory.c), the one user
 * of migration entries so far; with RMP_USE_SHARED_ZEROPAGE an order-0
 * anon page that holds only zeroes is not mapped back but replaced by the
 * shared zero page, leaving the task's RSS (Linux's
 * try_to_map_unused_to_zeropage()).
 */
#include "internal.h"
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <asm-generic/tlb.h>
#include <linux/huge_mm.h>
#include <linux/swap.h>
#include <linux/rmap.h>

/*
 * The page at @pvmw (a migration entry for @folio's page @idx) is all
 * zeroes: map the zero page instead.  True if it did.  Caller holds the
 * PTL and the folio lock.
 */
static bool try_to_map_unused_to_zeropage(struct page_vma_mapped_walk *pvmw,
					  struct folio *folio,
					  unsigned long idx)
{
	struct vm_area_struct *vma = pvmw->vma;
	struct page *page = folio_page(folio, idx);
	pte_t old_pte = ptep_get(pvmw->pte);
	pte_t newpte;

	/* Only the order-0 folios a split to order 0 leaves. */
	if (folio_test_large(folio))
		return false;
	VM_WARN_ON(!folio_test_anon(folio));
	VM_WARN_ON(!folio_test_locked(folio));
	VM_WARN_ON(pte_present(old_pte));
	if (folio_test_mlocked(folio) || (vma->vm_flags & VM_LOCKED))
		return false;
	if (memchr_inv_zero(page_address(page), PAGE_SIZE))
		return false;

	newpte = pte_mkspecial(pfn_pte(this_machine->zero_pfn,
				       vma->vm_page_prot));
	if (pte_swp_soft_dirty(old_pte))
		newpte = pte_mksoft_dirty(newpte);
	if (pte_swp_uffd_wp(old_pte))
		newpte = pte_mkuffd_wp(newpte);
	set_pte(pvmw->pte, newpte);
	dec_mm_counter(vma->vm_mm, MM_ANONPAGES);
	return true;
}

struct rmap_walk_arg {
	struct folio *folio;		/* the folio the entries stand for */
	bool map_unused_to_zeropage;	/* RMP_USE_SHARED_ZEROPAGE */
};

static bool remove_migration_pte(struct folio *folio,
				 struct vm_area_struct *vma,
				 unsigned long addr, void *arg)
{
	struct rmap_walk_arg *rarg = arg;
	DEFINE_FOLIO_VMA_WALK(pvmw, rarg->folio, vma, addr, PVMW_MIGRATION);

	while (page_vma_mapped_walk(&pvmw)) {
		rmap_t rmap_flags = RMAP_NONE;
		unsigned long idx = 0;
		struct page *new;
		swp_entry_t entry;
		pte_t old_pte, pte;

		if (folio_test_large(folio))
			idx = linear_page_index(vma, pvmw.address) - pvmw.pgoff;
		new = folio_page(folio, idx);
		if (rarg->map_unused_to_zeropage &&
		    try_to_map_unused_to_zeropage(&pvmw, folio, idx))
			continue;

		folio_get(folio);
		old_pte = ptep_get(pvmw.pte);
		entry = pte_to_swp_entry(old_pte);
		pte = mk_pte(new, vma->vm_page_prot);
		pte = is_migration_entry_young(entry) ? pte_mkyoung(pte) :
							pte_mkold(pte);
		if (folio_test_dirty(folio) && is_migration_entry_dirty(entry))
			pte = pte_mkdirty(pte);
		if (pte_swp_soft_dirty(old_pte))
			pte = pte_mksoft_dirty(pte);
		else
			pte = pte_clear_soft_dirty(pte);
		if (is_writable_migration_entry(entry))
			pte = pte_mkwrite(pte);
		else if (pte_swp_uffd_wp(old_pte))
			pte = pte_mkuffd_wp(pte);

		if (folio_test_anon(folio)) {
			/* A read entry came from a shared page. */
			if (is_writable_migration_entry(entry) ||
			    is_readable_exclusive_migration_entry(entry))
				rmap_flags |= RMAP_EXCLUSIVE;
			folio_add_anon_rmap_pte(folio, new, vma, pvmw.address,
						rmap_flags);
		} else {
			folio_add_file_rmap_pte(folio, new, vma);
		}
		/* Was not present: nothing to flush. */
		set_pte(pvmw.pte, pte);
	}
	return true;
}

void remove_migration_ptes(struct folio *src, struct folio *dst, int flags)
{
	struct rmap_walk_arg rarg = {
		.folio = src,
		.map_unused_to_zeropage = flags & RMP_USE_SHARED_ZEROPAGE,
	};
	struct rmap_walk_control rwc = {
		.rmap_one = remove_migration_pte,
		.arg = &rarg,
	};

	VM_WARN_ON((flags & RMP_USE_SHARED_ZEROPAGE) && src != dst);
	if (flags & RMP_LOCKED)
		rmap_walk_locked(dst, &rwc);
	else
		rmap_walk(dst, &rwc);
}

/*
 * A fault met a migration entry: while a folio is under migration it is
 * locked and every PTE that mapped it is a migration entry.  Sleep until
 * the migration unlocks the folio (migration_entry_wait_on_locked(),
 * mm/filemap.c), then return: the access or GUP retries and finds the PTE
 * that replaced the entry (the migration drops the folio lock only after
 * remove_migration_ptes()).
 */
void migration_entry_wait(struct mm_struct *mm, pmd_t *pmd,
			  unsigned long address)
{
	spinlock_t *ptl;
	pte_t *ptep;
	pte_t pte;
	swp_entry_t entry;

	ptep = pte_offset_map_lock(mm, pmd, address, &ptl);
	if (!ptep)
		return;
	pte = ptep_get(ptep);
	if (!is_swap_pte(pte))
		goto out;
	entry = pte_to_swp_entry(pte);
	if (!is_migration_entry(entry))
		goto out;
	/* Drops ptl once queued on the folio's wait queue. */
	migration_entry_wait_on_locked(entry, ptl);
	return;
out:
	spin_unlock(ptl);
}
