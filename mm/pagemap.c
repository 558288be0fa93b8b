// SPDX-License-Identifier: GPL-2.0
/*
 * foliage_page_state(): one page of a task as /proc/PID/pagemap tells it
 * (fs/proc/task_mmu.c's pte_to_pagemap_entry() and pagemap_pmd_range()),
 * plus what the page-table entry and the page say beyond that, for tools
 * that compare foliage with the running kernel ('foliage diff').
 *
 * Linux 6.18 (CONFIG_PAGE_MAPCOUNT) sets PM_MMAP_EXCLUSIVE when the
 * page's precise mapcount (its PTE mappings plus the folio's PMD
 * mappings) is 1.  A PTE-mapped page counts only if vm_normal_page()
 * finds it: the shared zero page is present, but neither file nor
 * exclusive.  A PMD leaf uses pmd_page() directly, the PMD's first page,
 * for every page it maps: the huge zero folio is not anonymous, so it
 * shows as a file page; it is never mapcounted, so it is not exclusive.
 */
#include <string.h>

#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/hugetlb.h>
#include "task.h"
#include <linux/rmap.h>

/*
 * Flags of @page, mapped by a PTE or (the first page of) a PMD: a PMD
 * mapping keeps AnonExclusive on its first page, as Linux does.
 */
static void page_facts(struct foliage_pte_info *out, struct page *page)
{
	struct folio *folio = page_folio(page);

	out->file = !folio_test_anon(folio);
	out->mapcount = page_mapcount_enabled() ?
			folio_precise_page_mapcount(folio, page) :
			folio_average_page_mapcount(folio);
	out->exclusive = __folio_page_mapped_exclusively(folio, page);
	out->anon_exclusive = folio_test_anon(folio) &&
			      PageAnonExclusive(page);
}

/* A PMD leaf at *@pmd (under its lock). */
static void pmd_state(pmd_t pmd, unsigned long addr,
		      struct foliage_pte_info *out)
{
	unsigned long idx = (addr & ~PMD_MASK) >> PAGE_SHIFT;
	struct page *head = pmd_page(pmd);

	out->present = true;
	out->huge = true;
	out->pfn = pmd_pfn(pmd) + idx;
	out->zero = is_huge_zero_pmd(pmd);
	out->write = pmd_write(pmd);
	out->dirty = pmd_dirty(pmd);
	out->young = pmd_young(pmd);
	page_facts(out, head);
	/* The huge zero folio has no mappings to count, whatever idx. */
	if (out->zero)
		out->mapcount = 0;
}

static void pte_state(struct vm_area_struct *vma, unsigned long addr,
		      pte_t pte, struct foliage_pte_info *out)
{
	struct page *page;

	if (!pte_present(pte)) {
		out->swap = !pte_none(pte);
		return;
	}
	out->present = true;
	out->pfn = pte_pfn(pte);
	out->zero = is_zero_pfn(out->pfn);
	out->write = pte_write(pte);
	out->dirty = pte_dirty(pte);
	out->young = pte_young(pte);
	page = vm_normal_page(vma, addr, pte);
	if (page)
		page_facts(out, page);
}

/*
 * A hugetlb VMA (Linux's pagemap_hugetlb_range()): its huge entry, a PMD
 * or a PUD; a migration entry shows as not present (and not swapped).
 */
static void hugetlb_page_state(struct vm_area_struct *vma, unsigned long addr,
			       struct foliage_pte_info *out)
{
	unsigned long sz = vma_kernel_pagesize(vma);
	spinlock_t *ptl;
	pmd_t *ptep = hugetlb_walk(vma, addr, &ptl), entry;

	if (!ptep)
		return;
	spin_lock(ptl);
	entry = pmdp_get(ptep);
	if (pmd_present(entry)) {
		out->present = true;
		out->huge = true;
		out->pfn = pmd_pfn(entry) + ((addr & (sz - 1)) >> PAGE_SHIFT);
		out->write = pmd_write(entry);
		out->dirty = pmd_dirty(entry);
		out->young = pmd_young(entry);
		page_facts(out, pmd_page(entry));
	}
	spin_unlock(ptl);
}

/* Caller holds mmap_lock. */
static void page_state(struct mm_struct *mm, unsigned long addr,
		       struct foliage_pte_info *out)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	spinlock_t *ptl;
	pmd_t *pmd;
	pte_t *pte;

	mmap_assert_locked(mm);

	if (!vma)
		return;
	out->vma = true;
	if (is_vm_hugetlb_page(vma)) {
		hugetlb_page_state(vma, addr, out);
		return;
	}
	pmd = pmd_lookup(mm, addr);
	if (!pmd || pmd_none(pmdp_get(pmd)))
		return;
	if (pmd_leaf(pmdp_get(pmd))) {
		ptl = pmd_lock(mm, pmd);
		if (pmd_leaf(pmdp_get(pmd))) {
			pmd_state(pmdp_get(pmd), addr, out);
			spin_unlock(ptl);
			return;
		}
		spin_unlock(ptl);
	}
	if (!pmd_present(pmdp_get(pmd))) {
		out->swap = true;	/* a PMD migration entry */
		return;
	}
	pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!pte)
		return;
	pte_state(vma, addr, ptep_get(pte), out);
	pte_unmap_unlock(pte, ptl);
}

int foliage_page_state(struct foliage_task *task, unsigned long addr,
		       struct foliage_pte_info *out)
{
	struct mm_struct *mm;
	int ret;

	if (!task || !out)
		return -EINVAL;
	ret = task_query_begin(task, &mm);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	page_state(mm, addr & PAGE_MASK, out);
	task_query_end(task);
	return 0;
}
