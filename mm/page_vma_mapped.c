// SPDX-License-Identifier: GPL-2.0
/*
 * page_vma_mapped_walk(): the PTEs or the PMD of one VMA that map pages of
 * a folio (or, with PVMW_MIGRATION, the migration entries that replaced
 * them), each returned with its page-table lock held.  The rmap walk
 * finds the VMAs; this finds the entries in each (Linux's
 * mm/page_vma_mapped.c semantics).
 */
#include <limits.h>

#include "internal.h"
#include <linux/mm.h>
#include <linux/rmap.h>
#include <linux/hugetlb.h>

/* One past the last address of the walk's range in its VMA. */
static unsigned long vma_address_end(const struct page_vma_mapped_walk *pvmw)
{
	const struct vm_area_struct *vma = pvmw->vma;
	unsigned long address;

	if (pvmw->nr_pages == 1)
		return pvmw->address + PAGE_SIZE;
	address = vma->vm_start +
		  ((pvmw->pgoff + pvmw->nr_pages - vma->vm_pgoff) << PAGE_SHIFT);
	if (address < vma->vm_start || address > vma->vm_end)
		address = vma->vm_end;
	return address;
}

void page_vma_mapped_walk_done(struct page_vma_mapped_walk *pvmw)
{
	if (pvmw->ptl)
		spin_unlock(pvmw->ptl);
	pvmw->ptl = NULL;
}

static bool not_found(struct page_vma_mapped_walk *pvmw)
{
	page_vma_mapped_walk_done(pvmw);
	return false;
}

/* Does the PTE at pvmw->pte map (or migrate) a page of the range? */
static bool check_pte(const struct page_vma_mapped_walk *pvmw)
{
	pte_t ptent = ptep_get(pvmw->pte);
	unsigned long pfn;

	if (pvmw->flags & PVMW_MIGRATION) {
		swp_entry_t entry;

		if (!is_swap_pte(ptent))
			return false;
		entry = pte_to_swp_entry(ptent);
		if (!is_migration_entry(entry))
			return false;
		pfn = swp_offset_pfn(entry);
	} else {
		if (!pte_present(ptent))
			return false;
		pfn = pte_pfn(ptent);
	}
	return pfn >= pvmw->pfn && pfn < pvmw->pfn + pvmw->nr_pages;
}

static bool check_pmd(unsigned long pfn, const struct page_vma_mapped_walk *pvmw)
{
	return pfn + HPAGE_PMD_NR - 1 >= pvmw->pfn &&
	       pfn <= pvmw->pfn + pvmw->nr_pages - 1;
}

/* Move to the next @size boundary (ULONG_MAX on wrap). */
static void step_forward(struct page_vma_mapped_walk *pvmw, unsigned long size)
{
	pvmw->address = (pvmw->address + size) & ~(size - 1);
	if (!pvmw->address)
		pvmw->address = ULONG_MAX;
}

/*
 * A hugetlb VMA: the one huge entry (a PMD, or a PUD for 1 GiB, returned
 * in pvmw->pmd with pvmw->pte NULL) at pvmw->address that maps the folio
 * whole, or with PVMW_MIGRATION is its migration entry.
 */
static bool hugetlb_vma_mapped_walk(struct page_vma_mapped_walk *pvmw)
{
	pmd_t *ptep, entry;
	unsigned long pfn;

	ptep = hugetlb_walk(pvmw->vma, pvmw->address, &pvmw->ptl);
	if (!ptep) {
		pvmw->ptl = NULL;
		return false;
	}
	spin_lock(pvmw->ptl);
	entry = pmdp_get(ptep);
	if (pvmw->flags & PVMW_MIGRATION) {
		if (!is_hugetlb_entry_migration(entry))
			return not_found(pvmw);
		pfn = swp_offset_pfn(pmd_to_swp_entry(entry));
	} else {
		if (!pmd_present(entry))
			return not_found(pvmw);
		pfn = pmd_pfn(entry);
	}
	if (pfn != pvmw->pfn)
		return not_found(pvmw);
	pvmw->pmd = ptep;
	return true;
}

/*
 * The next PTE or PMD of pvmw->vma at or after pvmw->address that maps a
 * page of the range, with its lock held; false (nothing held) at the end.
 */
bool page_vma_mapped_walk(struct page_vma_mapped_walk *pvmw)
{
	struct mm_struct *mm = pvmw->vma->vm_mm;
	unsigned long end;
	pmd_t pmde;

	/* A PMD mapping was the only possible one, and was returned. */
	if (pvmw->pmd && !pvmw->pte)
		return not_found(pvmw);
	/* A hugetlb folio is mapped only by hugetlb VMAs, by one entry. */
	if (unlikely(PageHugetlb(pfn_to_page(pvmw->pfn))))
		return hugetlb_vma_mapped_walk(pvmw);
	end = vma_address_end(pvmw);
	if (pvmw->pte)
		goto next_pte;
restart:
	do {
		pvmw->pmd = pmd_lookup(mm, pvmw->address);
		if (!pvmw->pmd) {
			step_forward(pvmw, PUD_SIZE);
			continue;
		}
		pmde = pmdp_get(pvmw->pmd);
		if (pmd_trans_huge(pmde) || is_pmd_migration_entry(pmde)) {
			pvmw->ptl = pmd_lock(mm, pvmw->pmd);
			pmde = pmdp_get(pvmw->pmd);
			if (pmd_trans_huge(pmde)) {
				if ((pvmw->flags & PVMW_MIGRATION) ||
				    !check_pmd(pmd_pfn(pmde), pvmw))
					return not_found(pvmw);
				return true;
			}
			if (is_pmd_migration_entry(pmde)) {
				swp_entry_t entry = pmd_to_swp_entry(pmde);

				if (!(pvmw->flags & PVMW_MIGRATION) ||
				    !check_pmd(swp_offset_pfn(entry), pvmw))
					return not_found(pvmw);
				return true;
			}
			/* Split under us: look at the PTEs. */
			spin_unlock(pvmw->ptl);
			pvmw->ptl = NULL;
		} else if (!pmd_is_table(pmde)) {
			step_forward(pvmw, PMD_SIZE);
			continue;
		}
		pvmw->pte = pte_offset_map_lock(mm, pvmw->pmd, pvmw->address,
						&pvmw->ptl);
		if (!pvmw->pte) {
			pvmw->ptl = NULL;
			step_forward(pvmw, PMD_SIZE);
			continue;
		}
		for (;;) {
			if (check_pte(pvmw))
				return true;
next_pte:
			do {
				pvmw->address += PAGE_SIZE;
				if (pvmw->address >= end)
					return not_found(pvmw);
				/* Crossed into the next page table? */
				if ((pvmw->address & (PMD_SIZE - PAGE_SIZE)) == 0) {
					spin_unlock(pvmw->ptl);
					pvmw->ptl = NULL;
					pvmw->pte = NULL;
					goto restart;
				}
				pvmw->pte++;
			} while (pte_none(ptep_get(pvmw->pte)));
		}
	} while (pvmw->address < end);
	return false;
}
