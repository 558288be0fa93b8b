// SPDX-License-Identifier: GPL-2.0
/*
 * Migration entries seen from the outside (Linux's mm/migrate.c): a fault
 * that meets one sleeps until the migration is done, and
 * remove_migration_ptes() turns the entries back into PTEs.
 *
 * While a folio is under migration it is locked and every PTE that mapped
 * it is a migration entry (try_to_migrate(), mm/rmap.c).  A fault on such
 * an entry waits for the folio lock to be dropped
 * (migration_entry_wait_on_locked(), mm/filemap.c) and then returns, so
 * that the access or GUP retries and finds the PTE that replaced the
 * entry.  The migration drops the lock only after remove_migration_ptes().
 */
#include "internal.h"
#include <linux/mm_contract.h>

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

/* One VMA's migration entries of @folio back to PTEs mapping @arg's folio. */
static bool remove_migration_pte(struct folio *folio,
				 struct vm_area_struct *vma,
				 unsigned long address, void *arg)
{
	struct folio *dst = arg;
	DEFINE_FOLIO_VMA_WALK(pvmw, folio, vma, address, PVMW_MIGRATION);

	while (page_vma_mapped_walk(&pvmw)) {
		pte_t old = ptep_get(pvmw.pte);
		swp_entry_t entry = pte_to_swp_entry(old);
		unsigned long idx = swp_offset_pfn(entry) - folio_pfn(folio);
		struct page *page = folio_page(dst, idx);
		rmap_t rmap_flags = RMAP_NONE;
		pte_t pte;

		folio_get(dst);
		pte = mk_pte(page, vma->vm_page_prot);
		pte = is_migration_entry_young(entry) ? pte_mkyoung(pte) :
							pte_mkold(pte);
		if (folio_test_dirty(dst) && is_migration_entry_dirty(entry))
			pte = pte_mkdirty(pte);
		pte = pte_swp_soft_dirty(old) ? pte_mksoft_dirty(pte) :
						pte_clear_soft_dirty(pte);
		if (is_writable_migration_entry(entry))
			pte = pte_mkwrite(pte);
		else if (pte_swp_uffd_wp(old))
			pte = pte_mkuffd_wp(pte);
		if (folio_test_anon(dst)) {
			if (is_writable_migration_entry(entry) ||
			    is_readable_exclusive_migration_entry(entry))
				rmap_flags |= RMAP_EXCLUSIVE;
			folio_add_anon_rmap_pte(dst, page, vma, pvmw.address,
						rmap_flags);
		} else {
			folio_add_file_rmap_pte(dst, page, vma);
		}
		set_pte(pvmw.pte, pte);
	}
	return true;
}

void remove_migration_ptes(struct folio *src, struct folio *dst, int flags)
{
	struct rmap_walk_control rwc = {
		.rmap_one = remove_migration_pte,
		.arg = dst,
	};

	VM_BUG_ON(!folio_test_locked(src));
	if (flags & RMP_LOCKED)
		rmap_walk_locked(dst, &rwc);
	else
		rmap_walk(dst, &rwc);
}
