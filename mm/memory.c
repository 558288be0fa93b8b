// SPDX-License-Identifier: GPL-2.0
/*
 * Page faults, unmapping and fork's page-table copy: Linux 6.18's
 * mm/memory.c for anonymous and shmem-backed VMAs on x86-64.
 *
 * Faults.  handle_mm_fault() walks to the PMD (allocating tables), tries a
 * huge PMD where the THP policy allows (mm/huge_memory.c), then works on
 * the PTE:
 *
 *   none, anonymous VMA	read: the shared zero page (special PTE);
 *				write: a new anon folio, of the largest
 *				enabled mTHP order that fits, zeroed by the
 *				allocator around the fault address (seed 000)
 *   none, file VMA		read: fault-around maps what the page cache
 *				holds (fault_around_bytes), then ->fault;
 *				private write: copy into a new anon folio;
 *				shared write: map the file folio writable
 *   present, write to a	COW: reuse an anon folio this mm owns
 *   read-only PTE		exclusively (AnonExclusive, or refcount 1),
 *				else copy; shared file pages are made
 *				writable and dirty
 *
 * Every fault counts pgfault, failed ones too, as Linux does.
 *
 * Invariants kept here (checked by validate_mm()):
 *   each present PTE/PMD mapping a page of a folio holds one mapcount (rmap)
 *	and one folio reference (a large folio mapped by n PTEs holds n)
 *   mm->rss_stat[MM_ANONPAGES] == base pages mapped from anon folios
 *   the zero page is only ever mapped by special, read-only PTEs
 */
#include <string.h>

#include <linux/hugetlb.h>
#include "internal.h"
#include <linux/mm.h>
#include <linux/mempolicy.h>
#include <linux/err.h>
#include <linux/rmap.h>
#include <linux/huge_mm.h>
#include <linux/swap.h>
#include <asm-generic/tlb.h>
#include <linux/shmem_fs.h>

/* ---- the zero page ---- */

int zero_page_init(void)
{
	struct foliage_machine *m = this_machine;
	struct page *page;

	/*
	 * Linux's empty_zero_page is in the kernel image: reserved memory the
	 * buddy allocator never had.  foliage's kernel image is one page past
	 * node 0's RAM (mm_init.c), zero as a fresh memfd is.
	 */
	page = pfn_to_page(m->kernel_image_pfn);
	m->zero_page = page;
	m->zero_pfn = m->kernel_image_pfn;
	return 0;
}

void zero_page_exit(void)
{
	struct foliage_machine *m = this_machine;

	if (m->huge_zero_folio) {
		folio_put(m->huge_zero_folio);
		m->huge_zero_folio = NULL;
	}
	/* The zero page is the kernel image's: nothing to free. */
	m->zero_page = NULL;
	m->zero_pfn = 0;
}

struct page *zero_page(void)
{
	return this_machine->zero_page;
}

bool is_zero_pfn(unsigned long pfn)
{
	return this_machine->zero_page && pfn == this_machine->zero_pfn;
}

/* ---- PTE -> page ---- */

struct page *vm_normal_page(struct vm_area_struct *vma, unsigned long addr,
			    pte_t pte)
{
	unsigned long pfn = pte_pfn(pte);

	/* The zero page (and PFN maps, which foliage has none of). */
	if (unlikely(pte_special(pte)))
		return NULL;
	if (WARN_ON_ONCE(!pfn_valid(pfn) || is_zero_pfn(pfn)))
		return NULL;
	return pfn_to_page(pfn);
}

struct folio *vm_normal_folio(struct vm_area_struct *vma, unsigned long addr,
			      pte_t pte)
{
	struct page *page = vm_normal_page(vma, addr, pte);

	return page ? page_folio(page) : NULL;
}

struct page *vm_normal_page_pmd(struct vm_area_struct *vma,
				unsigned long addr, pmd_t pmd)
{
	if (is_huge_zero_pmd(pmd))
		return NULL;
	if (WARN_ON_ONCE(!pfn_valid(pmd_pfn(pmd))))
		return NULL;
	return pmd_page(pmd);
}

/* ---- helpers of the fault path ---- */

static bool userfaultfd_wp(const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_UFFD_WP;
}

/* An anon_vma for the VMA before its first anon folio (vmf_anon_prepare). */
static vm_fault_t vmf_anon_prepare(struct vm_fault *vmf)
{
	if (likely(vma_has_anon_rmap(vmf->vma)))
		return 0;
	if (anon_vma_prepare(vmf->vma))
		return VM_FAULT_OOM;
	return 0;
}

/* Did someone else change the PTE while we were unlocked? */
static bool vmf_pte_changed(struct vm_fault *vmf)
{
	if (vmf->flags & FAULT_FLAG_ORIG_PTE_VALID)
		return !pte_same(ptep_get(vmf->pte), vmf->orig_pte);
	return !pte_none(ptep_get(vmf->pte));
}

static bool pte_range_none(pte_t *pte, unsigned int nr_pages)
{
	unsigned int i;

	for (i = 0; i < nr_pages; i++)
		if (!pte_none(ptep_get(pte + i)))
			return false;
	return true;
}

/*
 * An order-0 folio for a COW or fork copy: zeroed by the allocator (around
 * @addr) when it will not be overwritten by a copy (folio_prealloc()).
 */
static struct folio *folio_prealloc(struct vm_area_struct *vma,
				    unsigned long addr, bool need_zero)
{
	gfp_t gfp = GFP_HIGHUSER_MOVABLE | (need_zero ? __GFP_ZERO : 0);

	return vma_alloc_folio(gfp, 0, vma, addr);
}

/* copy_user_highpage() */
static void copy_user_page(struct page *dst, struct page *src)
{
	memcpy(page_address(dst), page_address(src), PAGE_SIZE);
}

/* ---- anonymous faults ---- */

/*
 * The folio for an anonymous write fault: the largest mTHP order (below
 * the PMD order) that the policy allows, whose aligned block lies in the
 * VMA and has no PTE yet; counted anon_fault_fallback for each order that
 * could not be allocated.  Falls back to order 0.
 */
static struct folio *alloc_anon_folio(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long orders, addr;
	struct folio *folio;
	unsigned int order;
	pte_t *pte;
	gfp_t gfp;

	/* uffd needs per-page fault fidelity. */
	if (unlikely(vma->vm_flags & (VM_UFFD_MISSING | VM_UFFD_WP)))
		goto fallback;

	orders = thp_vma_allowable_orders(vma, vma->vm_flags, TVA_PAGEFAULT,
					  BIT(HPAGE_PMD_ORDER) - 1);
	orders = thp_vma_suitable_orders(vma, vmf->address, orders);
	if (!orders)
		goto fallback;

	pte = pte_offset_map(vmf->pmd, vmf->address & PMD_MASK);
	if (!pte)
		return ERR_PTR(-EAGAIN);
	/* The highest order whose block is all pte_none (so are the lower). */
	order = highest_order(orders);
	while (orders) {
		addr = ALIGN_DOWN(vmf->address, PAGE_SIZE << order);
		if (pte_range_none(pte + pte_index(addr), 1U << order))
			break;
		order = next_order(&orders, order);
	}
	if (!orders)
		goto fallback;

	gfp = vma_thp_gfp_mask(vma);
	while (orders) {
		/* __GFP_ZERO with the fault address: no clearing here. */
		folio = vma_alloc_folio(gfp | __GFP_ZERO, order, vma,
					vmf->address);
		if (folio)
			return folio;
		count_mthp_stat(order, MTHP_STAT_ANON_FAULT_FALLBACK);
		order = next_order(&orders, order);
	}
fallback:
	return folio_prealloc(vma, vmf->address, true);
}

static vm_fault_t do_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long addr = vmf->address;
	unsigned int nr_pages = 1;
	struct folio *folio;
	vm_fault_t ret = 0;
	pte_t entry;

	/* A shared mapping without ->vm_ops? */
	if (vma->vm_flags & VM_SHARED)
		return VM_FAULT_SIGBUS;
	if (pte_alloc(vma->vm_mm, vmf->pmd))
		return VM_FAULT_OOM;

	/* Reads map the shared zero page. */
	if (!(vmf->flags & FAULT_FLAG_WRITE)) {
		entry = pte_mkspecial(pfn_pte(this_machine->zero_pfn,
					      vma->vm_page_prot));
		vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd,
					       vmf->address, &vmf->ptl);
		if (!vmf->pte)
			return 0;
		if (vmf_pte_changed(vmf))
			goto unlock;
		goto setpte;
	}

	ret = vmf_anon_prepare(vmf);
	if (ret)
		return ret;
	folio = alloc_anon_folio(vmf);
	if (IS_ERR(folio))
		return 0;
	if (!folio)
		return VM_FAULT_OOM;

	nr_pages = folio_nr_pages(folio);
	addr = ALIGN_DOWN(vmf->address, nr_pages * PAGE_SIZE);
	__folio_mark_uptodate(folio);

	entry = mk_pte(&folio->page, vma->vm_page_prot);
	if (vma->vm_flags & VM_WRITE)
		entry = pte_mkwrite(pte_mkdirty(entry));

	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, addr, &vmf->ptl);
	if (!vmf->pte)
		goto release;
	if (nr_pages == 1 ? vmf_pte_changed(vmf) :
			    !pte_range_none(vmf->pte, nr_pages)) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		goto release;
	}

	/* Each PTE of a large folio holds a reference. */
	folio_ref_add(folio, nr_pages - 1);
	add_mm_counter(vma->vm_mm, MM_ANONPAGES, nr_pages);
	count_mthp_stat(folio_order(folio), MTHP_STAT_ANON_FAULT_ALLOC);
	folio_add_new_anon_rmap(folio, vma, addr, RMAP_EXCLUSIVE);
	folio_add_lru_vma(folio, vma);
setpte:
	/* Was non-present: nothing to invalidate. */
	set_ptes(vmf->pte, entry, nr_pages);
unlock:
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return ret;
release:
	folio_put(folio);
	return 0;
}

/* ---- file faults ---- */

/*
 * vmf_can_call_fault(): foliage never drops the mmap lock in a fault, so
 * ->fault may always be called.
 */
static vm_fault_t __do_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct folio *folio;
	vm_fault_t ret;

	/*
	 * The PTE table comes first, before ->fault puts a page in the page
	 * cache: a fault that cannot get its table leaves nothing behind.
	 */
	if (pmd_none(pmdp_get(vmf->pmd)) && !vmf->prealloc_pte) {
		vmf->prealloc_pte = pte_alloc_one(vma->vm_mm);
		if (!vmf->prealloc_pte)
			return VM_FAULT_OOM;
	}

	ret = vma->vm_ops->fault(vmf);
	if (unlikely(ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY |
			    VM_FAULT_DONE_COW)))
		return ret;
	folio = page_folio(vmf->page);
	if (unlikely(PageHWPoison(vmf->page))) {
		if (ret & VM_FAULT_LOCKED)
			folio_unlock(folio);
		folio_put(folio);
		vmf->page = NULL;
		return VM_FAULT_HWPOISON;
	}
	if (unlikely(!(ret & VM_FAULT_LOCKED)))
		folio_lock(folio);
	return ret;
}

void set_pte_range(struct vm_fault *vmf, struct folio *folio,
		   struct page *page, unsigned int nr, unsigned long addr)
{
	struct vm_area_struct *vma = vmf->vma;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	pte_t entry = mk_pte(page, vma->vm_page_prot);

	/*
	 * x86 keeps prefaulted PTEs young (arch_wants_old_prefaulted_pte()
	 * is false), so vm_page_prot's accessed bit stays.
	 */
	if (write)
		entry = maybe_mkwrite(pte_mkdirty(entry), vma);
	else if (pte_write(entry) && folio_test_dirty(folio))
		entry = pte_mkdirty(entry);
	/* A private write fault maps the COW copy. */
	if (write && !(vma->vm_flags & VM_SHARED)) {
		VM_WARN_ON(nr != 1);
		folio_add_new_anon_rmap(folio, vma, addr, RMAP_EXCLUSIVE);
		folio_add_lru_vma(folio, vma);
	} else {
		folio_add_file_rmap_ptes(folio, page, nr, vma);
	}
	set_ptes(vmf->pte, entry, nr);
}

/*
 * Map vmf->page (or the COW copy) at the fault address; a shmem folio
 * that fits the VMA and this PTE table is mapped whole.
 */
static vm_fault_t finish_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	bool is_cow = (vmf->flags & FAULT_FLAG_WRITE) &&
		      !(vma->vm_flags & VM_SHARED);
	unsigned long addr = vmf->address;
	struct page *page = is_cow ? vmf->cow_page : vmf->page;
	struct folio *folio = page_folio(page);
	bool needs_fallback = false;
	unsigned int nr_pages;
	int type;

fallback:
	if (pmd_none(pmdp_get(vmf->pmd))) {
		if (vmf->prealloc_pte)
			pmd_install(vma->vm_mm, vmf->pmd, &vmf->prealloc_pte);
		else if (pte_alloc(vma->vm_mm, vmf->pmd))
			return VM_FAULT_OOM;
	}

	nr_pages = folio_nr_pages(folio);
	if (is_cow || !vma_is_shmem(vma) || needs_fallback) {
		nr_pages = 1;
	} else if (nr_pages > 1) {
		unsigned long idx = page - folio_page(folio, 0);
		unsigned long vma_off = vmf->pgoff - vma->vm_pgoff;
		unsigned long pte_off = pte_index(vmf->address);

		if (vma_off < idx || vma_off + (nr_pages - idx) > vma_pages(vma) ||
		    pte_off < idx || pte_off + (nr_pages - idx) > PTRS_PER_PTE) {
			nr_pages = 1;
		} else {
			addr = vmf->address - idx * PAGE_SIZE;
			page = folio_page(folio, 0);
		}
	}

	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, addr, &vmf->ptl);
	if (!vmf->pte)
		return VM_FAULT_NOPAGE;
	if (nr_pages == 1 && unlikely(vmf_pte_changed(vmf))) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		return VM_FAULT_NOPAGE;
	} else if (nr_pages > 1 && !pte_range_none(vmf->pte, nr_pages)) {
		needs_fallback = true;
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		page = is_cow ? vmf->cow_page : vmf->page;
		addr = vmf->address;
		goto fallback;
	}

	folio_ref_add(folio, nr_pages - 1);
	set_pte_range(vmf, folio, page, nr_pages, addr);
	type = is_cow ? MM_ANONPAGES : mm_counter_file(folio);
	add_mm_counter(vma->vm_mm, type, nr_pages);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

/*
 * Fault-around: map the page-cache folios of up to fault_around_bytes
 * around the fault (aligned, clamped to the VMA and the PTE table) before
 * asking ->fault for the one faulted on.
 */
static vm_fault_t do_fault_around(struct vm_fault *vmf)
{
	const unsigned long nr_pages = FAULT_AROUND_BYTES >> PAGE_SHIFT;
	unsigned long pte_off = pte_index(vmf->address);
	/* The page offset of vmf->address within the VMA. */
	unsigned long vma_off = vmf->pgoff - vmf->vma->vm_pgoff;
	unsigned long from_pte, to_pte;

	from_pte = max(ALIGN_DOWN(pte_off, nr_pages),
		       pte_off - min(pte_off, vma_off));
	to_pte = min(min(from_pte + nr_pages, (unsigned long)PTRS_PER_PTE),
		     pte_off + vma_pages(vmf->vma) - vma_off) - 1;
	if (pmd_none(pmdp_get(vmf->pmd))) {
		vmf->prealloc_pte = pte_alloc_one(vmf->vma->vm_mm);
		if (!vmf->prealloc_pte)
			return VM_FAULT_OOM;
	}
	return vmf->vma->vm_ops->map_pages(vmf,
					   vmf->pgoff + from_pte - pte_off,
					   vmf->pgoff + to_pte - pte_off);
}

static vm_fault_t do_read_fault(struct vm_fault *vmf)
{
	struct folio *folio;
	vm_fault_t ret;

	if (vmf->vma->vm_ops->map_pages && FAULT_AROUND_BYTES > PAGE_SIZE &&
	    !(vmf->vma->vm_flags & (VM_UFFD_MISSING | VM_UFFD_WP))) {
		ret = do_fault_around(vmf);
		if (ret)
			return ret;
	}

	ret = __do_fault(vmf);
	if (unlikely(ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)))
		return ret;

	ret |= finish_fault(vmf);
	folio = page_folio(vmf->page);
	folio_unlock(folio);
	if (unlikely(ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)))
		folio_put(folio);
	return ret;
}

/* A private write fault on a file page: copy it into a new anon folio. */
static vm_fault_t do_cow_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct folio *folio, *cache;
	vm_fault_t ret;

	ret = vmf_anon_prepare(vmf);
	if (ret)
		return ret;
	folio = folio_prealloc(vma, vmf->address, false);
	if (!folio)
		return VM_FAULT_OOM;
	vmf->cow_page = &folio->page;

	ret = __do_fault(vmf);
	if (unlikely(ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)))
		goto uncharge_out;
	if (ret & VM_FAULT_DONE_COW)
		return ret;

	copy_user_page(vmf->cow_page, vmf->page);
	__folio_mark_uptodate(folio);
	ret |= finish_fault(vmf);
	cache = page_folio(vmf->page);
	folio_unlock(cache);
	folio_put(cache);
	if (unlikely(ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)))
		goto uncharge_out;
	return ret;
uncharge_out:
	folio_put(folio);
	return ret;
}

/* fault_dirty_shared_page(): shmem has no writeback to throttle. */
static void fault_dirty_shared_page(struct folio *folio)
{
	folio_mark_dirty(folio);
	folio_unlock(folio);
}

static vm_fault_t do_shared_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct folio *folio;
	vm_fault_t ret;

	ret = __do_fault(vmf);
	if (unlikely(ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)))
		return ret;
	folio = page_folio(vmf->page);

	if (vma->vm_ops->page_mkwrite) {
		vm_fault_t tmp;

		folio_unlock(folio);
		tmp = vma->vm_ops->page_mkwrite(vmf);
		if (unlikely(tmp & (VM_FAULT_ERROR | VM_FAULT_NOPAGE))) {
			folio_put(folio);
			return tmp;
		}
		if (!(tmp & VM_FAULT_LOCKED))
			folio_lock(folio);
	}

	ret |= finish_fault(vmf);
	if (unlikely(ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))) {
		folio_unlock(folio);
		folio_put(folio);
		return ret;
	}
	fault_dirty_shared_page(folio);
	return ret;
}

static vm_fault_t do_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	vm_fault_t ret;

	if (!vma->vm_ops->fault) {
		/* SIGBUS unless someone mapped the page meanwhile. */
		ret = VM_FAULT_SIGBUS;
		if (!pmd_none(pmdp_get(vmf->pmd))) {
			vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd,
						       vmf->address,
						       &vmf->ptl);
			if (!vmf->pte)
				return VM_FAULT_SIGBUS;
			if (!pte_none(ptep_get(vmf->pte)))
				ret = VM_FAULT_NOPAGE;
			pte_unmap_unlock(vmf->pte, vmf->ptl);
		}
		return ret;
	}
	if (!(vmf->flags & FAULT_FLAG_WRITE))
		ret = do_read_fault(vmf);
	else if (!(vma->vm_flags & VM_SHARED))
		ret = do_cow_fault(vmf);
	else
		ret = do_shared_fault(vmf);
	/* The preallocated table went unused: free it. */
	if (vmf->prealloc_pte) {
		pte_free(vma->vm_mm, vmf->prealloc_pte);
		vmf->prealloc_pte = NULL;
	}
	return ret;
}

/* ---- write-protect faults (COW) ---- */

/*
 * A large anon folio may be reused if every reference is a mapping and
 * every mapping is this mm's: its mm slots (CONFIG_MM_ID) say no other mm
 * maps it, and the large mapcount lock keeps mapcount and refcount from
 * moving while they are compared.
 */
static bool __wp_can_reuse_large_anon_folio(struct folio *folio,
					    struct vm_area_struct *vma)
{
	bool exclusive = false;

	/* Just free up a large folio if only a single page is mapped. */
	if (folio_large_mapcount(folio) <= 1)
		return false;
	if (folio_test_large_maybe_mapped_shared(folio))
		return false;
	if (folio_large_mapcount(folio) != folio_ref_count(folio))
		return false;

	folio_lock_large_mapcount(folio);
	VM_WARN_ON(folio_large_mapcount(folio) > folio_ref_count(folio));
	if (folio_test_large_maybe_mapped_shared(folio))
		goto unlock;
	if (folio_large_mapcount(folio) != folio_ref_count(folio))
		goto unlock;
	VM_WARN_ON(folio_large_mapcount(folio) > (int)folio_nr_pages(folio));
	VM_WARN_ON(folio_entire_mapcount(folio));
	VM_WARN_ON(folio_mm_id(folio, 0) != vma->vm_mm->mm_id &&
		   folio_mm_id(folio, 1) != vma->vm_mm->mm_id);
	exclusive = true;
unlock:
	folio_unlock_large_mapcount(folio);
	return exclusive;
}

static bool wp_can_reuse_anon_folio(struct folio *folio,
				    struct vm_fault *vmf)
{
	if (folio_test_large(folio))
		return __wp_can_reuse_large_anon_folio(folio, vmf->vma);
	/* Only our mapping's reference (no swap cache in foliage). */
	if (folio_ref_count(folio) > 1)
		return false;
	if (!folio_trylock(folio))
		return false;
	if (folio_ref_count(folio) != 1) {
		folio_unlock(folio);
		return false;
	}
	/* Ours alone: move it to our own anon_vma for a faster rmap. */
	folio_move_anon_rmap(folio, vmf->vma);
	folio_unlock(folio);
	return true;
}

/* Make the PTE writable in place; called and returns with the PTL dropped. */
static void wp_page_reuse(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	pte_t entry;

	VM_WARN_ON(!(vmf->flags & FAULT_FLAG_WRITE));
	entry = pte_mkyoung(vmf->orig_pte);
	entry = maybe_mkwrite(pte_mkdirty(entry), vma);
	/* x86: more permissive, no flush needed. */
	set_pte(vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	count_vm_event(PGREUSE);
}

/*
 * Copy the page (or take a zeroed one for the zero page) and map the copy
 * exclusively.  Entered without the PTL, holding a reference on the old
 * folio.
 */
static vm_fault_t wp_page_copy(struct vm_fault *vmf)
{
	const bool unshare = vmf->flags & FAULT_FLAG_UNSHARE;
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct folio *old_folio = NULL, *new_folio;
	bool pfn_is_zero;
	vm_fault_t ret;
	pte_t entry;

	if (vmf->page)
		old_folio = page_folio(vmf->page);
	ret = vmf_anon_prepare(vmf);
	if (unlikely(ret))
		goto out;

	pfn_is_zero = is_zero_pfn(pte_pfn(vmf->orig_pte));
	new_folio = folio_prealloc(vma, vmf->address, pfn_is_zero);
	if (!new_folio) {
		ret = VM_FAULT_OOM;
		goto out;
	}
	if (!pfn_is_zero)
		copy_user_page(&new_folio->page, vmf->page);
	__folio_mark_uptodate(new_folio);

	vmf->pte = pte_offset_map_lock(mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (likely(vmf->pte && pte_same(ptep_get(vmf->pte), vmf->orig_pte))) {
		if (old_folio) {
			if (!folio_test_anon(old_folio)) {
				add_mm_counter(mm, mm_counter_file(old_folio),
					       -1);
				add_mm_counter(mm, MM_ANONPAGES, 1);
			}
		} else {
			inc_mm_counter(mm, MM_ANONPAGES);
		}
		entry = mk_pte(&new_folio->page, vma->vm_page_prot);
		if (unlikely(unshare)) {
			if (pte_soft_dirty(vmf->orig_pte))
				entry = pte_mksoft_dirty(entry);
			if (pte_uffd_wp(vmf->orig_pte))
				entry = pte_mkuffd_wp(entry);
		} else {
			entry = maybe_mkwrite(pte_mkdirty(entry), vma);
		}
		/*
		 * Clear and flush the old PTE before installing the new one,
		 * so no CPU holds both translations at once.
		 */
		ptep_clear_flush(vma, vmf->address, vmf->pte);
		folio_add_new_anon_rmap(new_folio, vma, vmf->address,
					RMAP_EXCLUSIVE);
		folio_add_lru_vma(new_folio, vma);
		set_pte(vmf->pte, entry);
		/*
		 * Only now may the old mapcount go: before the switch another
		 * process could see it low and "reuse" the page we still map.
		 */
		if (old_folio)
			folio_remove_rmap_pte(old_folio, vmf->page, vma);
		/* Drop our mapping's reference on the old folio below. */
		new_folio = old_folio;
		pte_unmap_unlock(vmf->pte, vmf->ptl);
	} else if (vmf->pte) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
	}

	if (new_folio)
		folio_put(new_folio);
	if (old_folio)
		folio_put(old_folio);
	return 0;
out:
	if (old_folio)
		folio_put(old_folio);
	return ret;
}

/* A write to a read-only PTE of a shared file mapping. */
static vm_fault_t wp_page_shared(struct vm_fault *vmf, struct folio *folio)
{
	struct vm_area_struct *vma = vmf->vma;
	vm_fault_t ret = 0;

	folio_get(folio);
	if (vma->vm_ops && vma->vm_ops->page_mkwrite) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		folio_put(folio);
		/* No foliage backing wants write notification yet. */
		return VM_FAULT_SIGBUS;
	}
	wp_page_reuse(vmf);
	folio_lock(folio);
	fault_dirty_shared_page(folio);
	folio_put(folio);
	return ret;
}

/* Called with the PTL held; returns with it dropped. */
static vm_fault_t do_wp_page(struct vm_fault *vmf)
{
	const bool unshare = vmf->flags & FAULT_FLAG_UNSHARE;
	struct vm_area_struct *vma = vmf->vma;
	struct folio *folio = NULL;

	if (likely(!unshare) && userfaultfd_wp(vma) &&
	    pte_uffd_wp(ptep_get(vmf->pte))) {
		/* No userfaultfd to deliver to: behave as async mode. */
		pte_t pte = pte_clear_uffd_wp(ptep_get(vmf->pte));

		set_pte(vmf->pte, pte);
		vmf->orig_pte = pte;
	}

	vmf->page = vm_normal_page(vma, vmf->address, vmf->orig_pte);
	if (vmf->page)
		folio = page_folio(vmf->page);

	if (vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) {
		if (!vmf->page) {
			/* wp_pfn_shared(): make it writable. */
			wp_page_reuse(vmf);
			return 0;
		}
		return wp_page_shared(vmf, folio);
	}

	/* An anon folio of a private mapping is reused if it is ours alone. */
	if (folio && folio_test_anon(folio) &&
	    (PageAnonExclusive(vmf->page) ||
	     wp_can_reuse_anon_folio(folio, vmf))) {
		if (!PageAnonExclusive(vmf->page))
			SetPageAnonExclusive(vmf->page);
		if (unlikely(unshare)) {
			pte_unmap_unlock(vmf->pte, vmf->ptl);
			return 0;
		}
		wp_page_reuse(vmf);
		return 0;
	}

	/* Copy it. */
	if (folio)
		folio_get(folio);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return wp_page_copy(vmf);
}

/* ---- the fault entry ---- */

static vm_fault_t do_swap_page(struct vm_fault *vmf)
{
	swp_entry_t entry = pte_to_swp_entry(vmf->orig_pte);

	/*
	 * A migration entry: the migration owns the page for now; sleep
	 * until it is done, then let the access retry.  foliage has no
	 * swap, so anything else is a bad entry.
	 */
	if (is_migration_entry(entry)) {
		migration_entry_wait(vmf->vma->vm_mm, vmf->pmd, vmf->address);
		return 0;
	}
	report_bug("bad swap entry %#lx at %#lx", vmf->orig_pte.pte,
		   vmf->address);
	return VM_FAULT_SIGBUS;
}

/* NUMA hinting (a PROT_NONE PTE in an accessible VMA): restore it. */
static vm_fault_t do_numa_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	pte_t pte;

	spin_lock(vmf->ptl);
	if (unlikely(!pte_same(ptep_get(vmf->pte), vmf->orig_pte))) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		return 0;
	}
	count_vm_event(NUMA_HINT_FAULTS);
	if (numa_node_id() == pfn_to_nid(pte_pfn(vmf->orig_pte)))
		count_vm_event(NUMA_HINT_FAULTS_LOCAL);
	pte = pte_modify(vmf->orig_pte, vma->vm_page_prot);
	pte = pte_mkyoung(pte);
	set_pte(vmf->pte, pte);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

static bool vma_is_accessible(const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_ACCESS_FLAGS;
}

static vm_fault_t handle_pte_fault(struct vm_fault *vmf)
{
	pte_t entry;

	if (unlikely(pmd_none(pmdp_get(vmf->pmd)))) {
		vmf->pte = NULL;
		vmf->flags &= ~FAULT_FLAG_ORIG_PTE_VALID;
	} else {
		vmf->pte = pte_offset_map(vmf->pmd, vmf->address);
		if (unlikely(!vmf->pte))
			return 0;	/* a huge PMD appeared: retry */
		vmf->ptl = pte_lockptr(vmf->vma->vm_mm, vmf->pmd);
		vmf->orig_pte = ptep_get(vmf->pte);
		vmf->flags |= FAULT_FLAG_ORIG_PTE_VALID;
		if (pte_none(vmf->orig_pte))
			vmf->pte = NULL;
	}

	if (!vmf->pte)
		return vma_is_anonymous(vmf->vma) ? do_anonymous_page(vmf) :
						    do_fault(vmf);
	if (!pte_present(vmf->orig_pte))
		return do_swap_page(vmf);
	if (pte_protnone(vmf->orig_pte) && vma_is_accessible(vmf->vma))
		return do_numa_page(vmf);

	spin_lock(vmf->ptl);
	entry = vmf->orig_pte;
	/* The table itself may have gone (PT reclaim) or the PTE changed. */
	if (unlikely(!pmd_is_table(pmdp_get(vmf->pmd)) ||
		     pte_lockptr(vmf->vma->vm_mm, vmf->pmd) != vmf->ptl ||
		     !pte_same(ptep_get(vmf->pte), entry)))
		goto unlock;
	if (vmf->flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) {
		if (!pte_write(entry))
			return do_wp_page(vmf);
		if (likely(vmf->flags & FAULT_FLAG_WRITE))
			entry = pte_mkdirty(entry);
	}
	entry = pte_mkyoung(entry);
	/*
	 * ptep_set_access_flags(): x86 writes only for a write fault, arm64
	 * whenever the entry changes.
	 */
	if (!pte_same(ptep_get(vmf->pte), entry) &&
	    ((vmf->flags & FAULT_FLAG_WRITE) || arch_is_arm64()))
		ptep_set_access_flags(vmf->vma, vmf->address, vmf->pte, entry,
				      vmf->flags & FAULT_FLAG_WRITE);
unlock:
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

static vm_fault_t wp_huge_pmd(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	if (vma_is_anonymous(vma))
		return do_huge_pmd_wp_page(vmf);
	/* COW or write-notify of a file PMD is done on PTEs. */
	__split_huge_pmd(vma, vmf->pmd, vmf->address);
	return VM_FAULT_FALLBACK;
}

static vm_fault_t create_huge_pmd(struct vm_fault *vmf)
{
	if (vma_is_anonymous(vmf->vma))
		return do_huge_pmd_anonymous_page(vmf);
	return VM_FAULT_FALLBACK;
}

/* __get_fault_gfp_mask(): shmem's mapping gfp is GFP_HIGHUSER_MOVABLE. */
static gfp_t get_fault_gfp_mask(struct vm_area_struct *vma)
{
	if (vma->vm_file)
		return GFP_HIGHUSER_MOVABLE | __GFP_FS | __GFP_IO;
	return GFP_KERNEL;
}

static vm_fault_t __handle_mm_fault(struct vm_area_struct *vma,
				    unsigned long address, unsigned int flags)
{
	struct vm_fault vmf = {
		.vma = vma,
		.address = address & PAGE_MASK,
		.real_address = address,
		.flags = flags,
		.pgoff = linear_page_index(vma, address),
		.gfp_mask = get_fault_gfp_mask(vma),
	};
	struct mm_struct *mm = vma->vm_mm;
	vm_flags_t vm_flags = vma->vm_flags;
	vm_fault_t ret;

	vmf.pud = pud_alloc(mm, address);
	if (!vmf.pud)
		return VM_FAULT_OOM;
	vmf.pmd = pmd_alloc(mm, address);
	if (!vmf.pmd)
		return VM_FAULT_OOM;

	if (pmd_none(pmdp_get(vmf.pmd)) &&
	    thp_vma_allowable_order(vma, vm_flags, TVA_PAGEFAULT,
				    HPAGE_PMD_ORDER)) {
		ret = create_huge_pmd(&vmf);
		if (!(ret & VM_FAULT_FALLBACK))
			return ret;
	} else {
		vmf.orig_pmd = pmdp_get(vmf.pmd);
		if (unlikely(is_swap_pmd(vmf.orig_pmd))) {
			/* A PMD migration entry: sleep until it is gone. */
			if (is_pmd_migration_entry(vmf.orig_pmd))
				pmd_migration_entry_wait(mm, vmf.pmd);
			return 0;
		}
		if (pmd_trans_huge(vmf.orig_pmd)) {
			if ((flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) &&
			    !pmd_write(vmf.orig_pmd)) {
				ret = wp_huge_pmd(&vmf);
				if (!(ret & VM_FAULT_FALLBACK))
					return ret;
			} else {
				huge_pmd_set_accessed(&vmf);
				return 0;
			}
		}
	}
	return handle_pte_fault(&vmf);
}

/* Catch callers that ask for impossible faults (sanitize_fault_flags). */
static vm_fault_t sanitize_fault_flags(struct vm_area_struct *vma,
				       unsigned int *flags)
{
	if (*flags & FAULT_FLAG_UNSHARE) {
		if (WARN_ON_ONCE(*flags & FAULT_FLAG_WRITE))
			return VM_FAULT_SIGSEGV;
		if (!is_cow_mapping(vma->vm_flags))
			*flags &= ~FAULT_FLAG_UNSHARE;
	} else if (*flags & FAULT_FLAG_WRITE) {
		if (WARN_ON_ONCE(!(vma->vm_flags & VM_MAYWRITE)))
			return VM_FAULT_SIGSEGV;
		if (WARN_ON_ONCE(!(vma->vm_flags & VM_WRITE) &&
				 !is_cow_mapping(vma->vm_flags)))
			return VM_FAULT_SIGSEGV;
	}
	return 0;
}

/*
 * The caller holds mmap_lock (read) and has checked that the access is
 * allowed by the VMA (as the arch fault handler or GUP does).
 */
vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long address,
			   unsigned int flags)
{
	vm_fault_t ret = sanitize_fault_flags(vma, &flags);

	mmap_assert_locked(vma->vm_mm);

	if (!ret && unlikely(is_vm_hugetlb_page(vma)))
		ret = hugetlb_fault(vma->vm_mm, vma, address, flags);
	else if (!ret)
		ret = __handle_mm_fault(vma, address, flags);
	/* mm_account_fault(): failed faults count too; retries don't. */
	if (!(ret & VM_FAULT_RETRY))
		count_vm_event(PGFAULT);
	return ret;
}

/* ---- zap ---- */

/* By default every page goes; some callers spare private COW copies. */
static bool should_zap_cows(struct zap_details *details)
{
	if (!details || details->reclaim_pt)
		return true;
	return details->even_cows;
}

static bool should_zap_folio(struct zap_details *details, struct folio *folio)
{
	if (should_zap_cows(details))
		return true;
	return !folio_test_anon(folio);
}

/*
 * Zap @nr PTEs mapping pages of @folio from @page, as one run: the PTEs
 * cleared at once (clear_full_ptes()), one rmap removal and one gather
 * slot (one reference drop) for all of them.  True if the gather is full
 * and must be flushed before anything else is queued.
 */
static bool zap_present_folio_ptes(struct mmu_gather *tlb,
				   struct vm_area_struct *vma,
				   struct folio *folio, struct page *page,
				   pte_t *pte, pte_t ptent, unsigned int nr,
				   unsigned long addr, long *rss)
{
	struct mm_struct *mm = tlb->mm;

	if (!folio_test_anon(folio)) {
		ptent = get_and_clear_full_ptes(mm, addr, pte, nr, tlb->fullmm);
		if (pte_dirty(ptent))
			folio_mark_dirty(folio);
		if (pte_young(ptent))
			folio_mark_accessed(folio);
		rss[mm_counter(folio)] -= nr;
	} else {
		/* No one needs the accessed and dirty bits of anon pages. */
		clear_full_ptes(mm, addr, pte, nr, tlb->fullmm);
		rss[MM_ANONPAGES] -= nr;
	}
	tlb_flush_pte_range(tlb, addr, (unsigned long)nr * PAGE_SIZE);
	folio_remove_rmap_ptes(folio, page, nr, vma);
	if (unlikely(folio_mapcount(folio) < 0))
		report_bug("bad rmap: negative mapcount at %#lx", addr);
	return __tlb_remove_folio_pages(tlb, page, nr);
}

/*
 * Zap what @pte maps; returns how many PTEs it covered: a run of a large
 * folio's pages at once (folio_pte_batch(): the same bits but for
 * write, dirty, young and soft-dirty), else one.
 */
static unsigned int zap_present_ptes(struct mmu_gather *tlb,
				     struct vm_area_struct *vma, pte_t *pte,
				     pte_t ptent, unsigned int max_nr,
				     unsigned long addr,
				     struct zap_details *details, long *rss,
				     bool *force_flush, bool *any_skipped)
{
	struct folio *folio;
	struct page *page;
	unsigned int nr = 1;

	page = vm_normal_page(vma, addr, ptent);
	if (!page) {
		/* The zero page: nothing to account. */
		ptep_get_and_clear(pte);
		tlb_flush_pte_range(tlb, addr, PAGE_SIZE);
		return 1;
	}
	folio = page_folio(page);
	if (unlikely(!should_zap_folio(details, folio))) {
		*any_skipped = true;
		return 1;
	}
	if (unlikely(folio_test_large(folio) && max_nr != 1))
		nr = folio_pte_batch(folio, pte, ptent, max_nr);
	if (zap_present_folio_ptes(tlb, vma, folio, page, pte, ptent, nr,
				   addr, rss))
		*force_flush = true;
	return nr;
}

/* A non-present PTE: a migration entry keeps its rss, nothing else here. */
static void zap_nonpresent_pte(struct vm_area_struct *vma, pte_t *pte,
			       pte_t ptent, unsigned long addr,
			       struct zap_details *details, long *rss,
			       bool *any_skipped)
{
	swp_entry_t entry = pte_to_swp_entry(ptent);

	if (is_migration_entry(entry)) {
		struct folio *folio = page_folio(pfn_to_page(
						swp_offset_pfn(entry)));

		if (!should_zap_folio(details, folio)) {
			*any_skipped = true;
			return;
		}
		rss[mm_counter(folio)]--;
	} else {
		report_bug("bad swap entry %#llx at %#lx",
			   (unsigned long long)pte_val(ptent), addr);
	}
	pte_clear(pte);
}

static unsigned long zap_pte_range(struct mmu_gather *tlb,
				   struct vm_area_struct *vma, pmd_t *pmd,
				   unsigned long addr, unsigned long end,
				   struct zap_details *details)
{
	bool can_reclaim_pt = details && details->reclaim_pt &&
			      end - addr >= PMD_SIZE;
	struct mm_struct *mm = tlb->mm;
	const unsigned long start = addr;
	long rss[NR_MM_COUNTERS];
	bool force_flush, any_skipped = false;
	pte_t *start_pte, *pte;
	spinlock_t *ptl;
	int i;

retry:
	force_flush = false;
	memset(rss, 0, sizeof(rss));
	start_pte = pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!pte)
		return addr;
	do {
		pte_t ptent = ptep_get(pte);
		unsigned int nr = 1;

		if (pte_none(ptent))
			continue;
		if (pte_present(ptent)) {
			nr = zap_present_ptes(tlb, vma, pte, ptent,
					      (end - addr) >> PAGE_SHIFT, addr,
					      details, rss, &force_flush,
					      &any_skipped);
		} else {
			zap_nonpresent_pte(vma, pte, ptent, addr, details, rss,
					   &any_skipped);
		}
		pte += nr - 1;
		addr += (nr - 1) * PAGE_SIZE;
		if (unlikely(force_flush)) {
			addr += PAGE_SIZE;
			break;
		}
	} while (pte++, addr += PAGE_SIZE, addr != end);

	for (i = 0; i < NR_MM_COUNTERS; i++)
		if (rss[i])
			add_mm_counter(mm, i, rss[i]);
	/* Flush before dropping the PTL when forced, then free. */
	if (force_flush)
		tlb_flush_mmu_tlbonly(tlb);
	pte_unmap_unlock(start_pte, ptl);
	if (force_flush)
		tlb_flush_mmu(tlb);
	if (addr != end)
		goto retry;

	/*
	 * PT_RECLAIM (MADV_DONTNEED): a PTE table zapped over its whole
	 * range with nothing left in it is freed with the range.
	 */
	if (can_reclaim_pt && !any_skipped) {
		spinlock_t *pml = pmd_lock(mm, pmd);
		pte_t *table = pte_offset_map(pmd, start);

		if (table) {
			ptl = pte_lockptr(mm, pmd);
			spin_lock(ptl);
			if (pte_range_none(table, PTRS_PER_PTE))
				free_pte_range(tlb, pmd, start);
			spin_unlock(ptl);
		}
		spin_unlock(pml);
	}
	return addr;
}

static unsigned long zap_pmd_range(struct mmu_gather *tlb,
				   struct vm_area_struct *vma, pud_t *pud,
				   unsigned long addr, unsigned long end,
				   struct zap_details *details)
{
	pmd_t *pmd = pmd_offset(pud, addr);
	unsigned long next;

	do {
		pmd_t pmdval = pmdp_get(pmd);

		next = pmd_addr_end(addr, end);
		if (is_swap_pmd(pmdval) || pmd_trans_huge(pmdval)) {
			if (next - addr != HPAGE_PMD_SIZE)
				__split_huge_pmd(vma, pmd, addr);
			else if (zap_huge_pmd(tlb, vma, pmd, addr))
				continue;
		}
		if (pmd_none(pmdp_get(pmd)))
			continue;
		zap_pte_range(tlb, vma, pmd, addr, next, details);
	} while (pmd++, addr = next, addr != end);
	return addr;
}

static void __unmap_page_range(struct mmu_gather *tlb,
			       struct vm_area_struct *vma, unsigned long addr,
			       unsigned long end, struct zap_details *details)
{
	unsigned long next;
	pgd_t *pgd;

	VM_WARN_ON(addr >= end);
	if (unlikely(is_vm_hugetlb_page(vma))) {
		unmap_hugepage_range(tlb, vma, addr, end);
		goto out;
	}
	pgd = pgd_offset(vma->vm_mm, addr);
	do {
		unsigned long pud_next, pud_addr = addr;
		pud_t *pud;

		next = pgd_addr_end(addr, end);
		if (pgd_none(*pgd))
			continue;
		pud = pud_offset(pgd, addr);
		do {
			pud_next = pud_addr_end(pud_addr, next);
			if (pud_none(*pud))
				continue;
			zap_pmd_range(tlb, vma, pud, pud_addr, pud_next,
				      details);
		} while (pud++, pud_addr = pud_next, pud_addr != next);
	} while (pgd++, addr = next, addr != end);
out:
	/*
	 * tlb_end_vma(): x86 flushes at each VMA's end (unless the whole
	 * mm goes), so the range never spans the gaps between VMAs.
	 */
	if (!tlb->fullmm)
		tlb_flush_mmu_tlbonly(tlb);
}

void unmap_page_range(struct mmu_gather *tlb, struct vm_area_struct *vma,
		      unsigned long start, unsigned long end)
{
	__unmap_page_range(tlb, vma, start, end, NULL);
}

void zap_page_range_single_batched(struct mmu_gather *tlb,
				   struct vm_area_struct *vma,
				   unsigned long addr, unsigned long size,
				   struct zap_details *details)
{
	unsigned long start = max(vma->vm_start, addr);
	unsigned long end = min(vma->vm_end, addr + size);

	VM_WARN_ON(tlb->mm != vma->vm_mm);
	update_hiwater_rss(vma->vm_mm);
	if (start < end)
		__unmap_page_range(tlb, vma, start, end, details);
}

void zap_page_range_single(struct vm_area_struct *vma, unsigned long addr,
			   unsigned long size)
{
	struct mmu_gather tlb;

	tlb_gather_mmu(&tlb, vma->vm_mm, false);
	zap_page_range_single_batched(&tlb, vma, addr, size, NULL);
	tlb_finish_mmu(&tlb);
}

void zap_vma_dontneed(struct mmu_gather *tlb, struct vm_area_struct *vma,
		      unsigned long addr, unsigned long size)
{
	struct zap_details details = {
		.reclaim_pt = true,
		.even_cows = true,
	};

	zap_page_range_single_batched(tlb, vma, addr, size, &details);
}

void unmap_mapping_pages(struct address_space *mapping, pgoff_t start,
			 pgoff_t nr)
{
	struct zap_details details = { .even_cows = false };
	pgoff_t last = start + nr - 1;
	struct vm_area_struct *vma;
	struct mmu_gather tlb;

	if (!nr)
		return;
	i_mmap_lock_read(mapping);
	vma_interval_tree_foreach(vma, mapping, start, last) {
		pgoff_t vstart = max(start, vma->vm_pgoff);
		pgoff_t vend = min(last + 1, vma->vm_pgoff + vma_pages(vma));

		if (vstart >= vend)
			continue;
		tlb_gather_mmu(&tlb, vma->vm_mm, false);
		zap_page_range_single_batched(&tlb, vma, vma->vm_start +
				((vstart - vma->vm_pgoff) << PAGE_SHIFT),
				(vend - vstart) << PAGE_SHIFT, &details);
		tlb_finish_mmu(&tlb);
	}
	i_mmap_unlock_read(mapping);
}

/* ---- fork: copy_page_range() ---- */

/*
 * A possibly pinned anon page must not become COW-shared: give the child
 * its own copy now (copy_present_page()).  -EAGAIN: no preallocated folio.
 */
static int copy_present_page(struct vm_area_struct *dst_vma,
			     struct vm_area_struct *src_vma, pte_t *dst_pte,
			     pte_t *src_pte, unsigned long addr, long *rss,
			     struct folio **prealloc, struct page *page)
{
	struct folio *new_folio = *prealloc;
	pte_t pte;

	if (!new_folio)
		return -EAGAIN;
	copy_user_page(&new_folio->page, page);
	*prealloc = NULL;
	__folio_mark_uptodate(new_folio);
	folio_add_new_anon_rmap(new_folio, dst_vma, addr, RMAP_EXCLUSIVE);
	folio_add_lru_vma(new_folio, dst_vma);
	rss[MM_ANONPAGES]++;

	pte = mk_pte(&new_folio->page, dst_vma->vm_page_prot);
	pte = maybe_mkwrite(pte_mkdirty(pte), dst_vma);
	if (userfaultfd_wp(dst_vma) && pte_uffd_wp(ptep_get(src_pte)))
		pte = pte_mkuffd_wp(pte);
	set_pte(dst_pte, pte);
	return 0;
}

/*
 * The child's @nr PTEs for the parent's run from @src_pte, whose first
 * entry (merged) is @pte: a COW mapping's writable run is write-protected
 * on both sides, a shared mapping's child clean, the child's always old,
 * its uffd-wp bit dropped unless its VMA tracks it; one set_ptes().  The
 * parent keeps its young bits; its TLB is flushed once by dup_mmap().
 */
static __always_inline void __copy_present_ptes(struct vm_area_struct *dst_vma,
						struct vm_area_struct *src_vma,
						pte_t *dst_pte, pte_t *src_pte,
						pte_t pte, unsigned long addr,
						unsigned int nr)
{
	if (is_cow_mapping(src_vma->vm_flags) && pte_write(pte)) {
		wrprotect_ptes(src_vma->vm_mm, addr, src_pte, nr);
		pte = pte_wrprotect(pte);
	}
	if (src_vma->vm_flags & VM_SHARED)
		pte = pte_mkclean(pte);
	pte = pte_mkold(pte);
	if (!userfaultfd_wp(dst_vma))
		pte = pte_clear_uffd_wp(pte);
	set_ptes(dst_pte, pte, nr);
}

/*
 * Copy the present PTE @pte at @src_pte, and with it, when it maps a large
 * folio and nothing was preallocated, the run of PTEs that follow it
 * mapping the same folio alike (folio_pte_batch_flags()), at most @max_nr.
 * Returns how many PTEs were copied, or -EAGAIN: a page of the run may be
 * DMA-pinned and is AnonExclusive, so the child needs its own copy (the
 * caller preallocates one and calls again: the one-PTE path copies it).
 */
static __always_inline int copy_present_ptes(struct vm_area_struct *dst_vma,
					     struct vm_area_struct *src_vma,
					     pte_t *dst_pte, pte_t *src_pte,
					     pte_t pte, unsigned long addr,
					     unsigned int max_nr, long *rss,
					     struct folio **prealloc)
{
	struct page *page = vm_normal_page(src_vma, addr, pte);
	struct folio *folio;
	unsigned int nr;

	if (unlikely(!page))
		goto copy_pte;
	folio = page_folio(page);
	if (folio_test_large(folio) && likely(!*prealloc) && max_nr != 1) {
		/*
		 * A shared mapping's child PTEs are made clean anyway, so
		 * their dirty bits may differ; a private one keeps them.
		 */
		fpb_t flags = FPB_MERGE_WRITE;

		if (!(src_vma->vm_flags & VM_SHARED))
			flags |= FPB_RESPECT_DIRTY;
		if (vma_soft_dirty_enabled(src_vma))
			flags |= FPB_RESPECT_SOFT_DIRTY;
		nr = folio_pte_batch_flags(folio, src_vma, src_pte, &pte,
					   max_nr, flags);
		/* The references first: the dup may race with GUP-fast. */
		folio_ref_add(folio, nr);
		if (folio_test_anon(folio)) {
			if (unlikely(folio_try_dup_anon_rmap_ptes(folio, page,
						nr, dst_vma, src_vma))) {
				folio_ref_sub(folio, nr);
				return -EAGAIN;
			}
			rss[MM_ANONPAGES] += nr;
			VM_WARN_ON(PageAnonExclusive(page));
		} else {
			folio_dup_file_rmap_ptes(folio, page, nr, dst_vma);
			rss[mm_counter_file(folio)] += nr;
		}
		__copy_present_ptes(dst_vma, src_vma, dst_pte, src_pte, pte,
				    addr, nr);
		return nr;
	}

	folio_get(folio);
	if (folio_test_anon(folio)) {
		if (unlikely(folio_try_dup_anon_rmap_pte(folio, page, dst_vma,
							 src_vma))) {
			/* Maybe pinned: copy it. */
			folio_put(folio);
			return copy_present_page(dst_vma, src_vma, dst_pte,
						 src_pte, addr, rss, prealloc,
						 page) ?: 1;
		}
		rss[MM_ANONPAGES]++;
		VM_WARN_ON(PageAnonExclusive(page));
	} else {
		folio_dup_file_rmap_pte(folio, page, dst_vma);
		rss[mm_counter_file(folio)]++;
	}
copy_pte:
	__copy_present_ptes(dst_vma, src_vma, dst_pte, src_pte, pte, addr, 1);
	return 1;
}

/*
 * A migration entry: the page keeps its rss in the child; a writable or
 * exclusive entry of a COW mapping becomes a read-only shared one in both.
 */
static void copy_nonpresent_pte(struct vm_area_struct *dst_vma,
				struct vm_area_struct *src_vma, pte_t *dst_pte,
				pte_t *src_pte, pte_t pte, long *rss)
{
	swp_entry_t entry = pte_to_swp_entry(pte);

	if (!is_migration_entry(entry)) {
		report_bug("fork: bad swap entry %#llx",
			   (unsigned long long)pte_val(pte));
		return;
	}
	rss[mm_counter(page_folio(pfn_to_page(swp_offset_pfn(entry))))]++;
	if (swp_type(entry) != SWP_MIGRATION_READ &&
	    is_cow_mapping(src_vma->vm_flags)) {
		u64 keep = pte_swp_flags(pte);

		swp_entry_t rd = make_migration_entry(swp_offset_pfn(entry),
						      false, false);

		/* The young and dirty bits travel with the entry. */
		if (is_migration_entry_young(entry))
			rd = make_migration_entry_young(rd);
		if (is_migration_entry_dirty(entry))
			rd = make_migration_entry_dirty(rd);
		entry = rd;
		pte = __pte(pte_val(swp_entry_to_pte(entry)) | keep);
		set_pte(src_pte, pte);
	}
	if (!userfaultfd_wp(dst_vma))
		pte = pte_swp_clear_uffd_wp(pte);
	set_pte(dst_pte, pte);
}

static int copy_pte_range(struct vm_area_struct *dst_vma,
			  struct vm_area_struct *src_vma, pmd_t *dst_pmd,
			  pmd_t *src_pmd, unsigned long addr,
			  unsigned long end)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm;
	struct mm_struct *src_mm = src_vma->vm_mm;
	struct folio *prealloc = NULL;
	pte_t *src_pte, *dst_pte, *orig_src_pte, *orig_dst_pte;
	spinlock_t *src_ptl, *dst_ptl;
	bool batching = READ_ONCE(this_machine->fork_batching);
	long rss[NR_MM_COUNTERS];
	unsigned int max_nr;
	int ret, nr, i;

again:
	ret = 0;
	memset(rss, 0, sizeof(rss));
	dst_pte = pte_alloc_map_lock(dst_mm, dst_pmd, addr, &dst_ptl);
	if (!dst_pte) {
		ret = -ENOMEM;
		goto out;
	}
	src_pte = pte_offset_map(src_pmd, addr);
	if (!src_pte) {
		pte_unmap_unlock(dst_pte, dst_ptl);
		goto out;
	}
	src_ptl = pte_lockptr(src_mm, src_pmd);
	spin_lock(src_ptl);
	orig_src_pte = src_pte;
	orig_dst_pte = dst_pte;
	do {
		pte_t ptent = ptep_get(src_pte);

		nr = 1;
		if (pte_none(ptent))
			continue;
		if (unlikely(!pte_present(ptent))) {
			copy_nonpresent_pte(dst_vma, src_vma, dst_pte, src_pte,
					    ptent, rss);
			continue;
		}
		/* debug.fork_batching=0: today's one PTE at a time. */
		max_nr = batching ? (end - addr) >> PAGE_SHIFT : 1;
		/* copy_present_ptes() clears prealloc if it used it. */
		ret = copy_present_ptes(dst_vma, src_vma, dst_pte, src_pte,
					ptent, addr, max_nr, rss, &prealloc);
		if (unlikely(ret == -EAGAIN))
			break;
		if (unlikely(prealloc)) {
			/* Each copy allocates at its own address. */
			folio_put(prealloc);
			prealloc = NULL;
		}
		nr = ret;
		ret = 0;
	} while (dst_pte += nr, src_pte += nr, addr += nr * PAGE_SIZE,
		 addr != end);

	spin_unlock(src_ptl);
	for (i = 0; i < NR_MM_COUNTERS; i++)
		if (rss[i])
			add_mm_counter(dst_mm, i, rss[i]);
	pte_unmap_unlock(orig_dst_pte, dst_ptl);
	(void)orig_src_pte;

	if (ret == -EAGAIN) {
		prealloc = folio_prealloc(src_vma, addr, false);
		if (!prealloc)
			return -ENOMEM;
		ret = 0;
	}
	if (addr != end)
		goto again;
out:
	if (unlikely(prealloc))
		folio_put(prealloc);
	return ret;
}

static int copy_pmd_range(struct vm_area_struct *dst_vma,
			  struct vm_area_struct *src_vma, pud_t *src_pud,
			  unsigned long addr, unsigned long end)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm;
	struct mm_struct *src_mm = src_vma->vm_mm;
	pmd_t *src_pmd, *dst_pmd;
	unsigned long next;

	dst_pmd = pmd_alloc(dst_mm, addr);
	if (!dst_pmd)
		return -ENOMEM;
	src_pmd = pmd_offset(src_pud, addr);
	do {
		pmd_t pmdval = pmdp_get(src_pmd);

		next = pmd_addr_end(addr, end);
		if (is_swap_pmd(pmdval) || pmd_trans_huge(pmdval)) {
			int err;

			VM_WARN_ON(next - addr != HPAGE_PMD_SIZE);
			err = copy_huge_pmd(dst_mm, src_mm, dst_pmd, src_pmd,
					    addr, dst_vma, src_vma);
			if (err == -ENOMEM)
				return -ENOMEM;
			if (!err)
				continue;
			/* Split: copy its PTEs. */
		}
		if (pmd_none(pmdp_get(src_pmd)))
			continue;
		if (copy_pte_range(dst_vma, src_vma, dst_pmd, src_pmd, addr,
				   next))
			return -ENOMEM;
	} while (dst_pmd++, src_pmd++, addr = next, addr != end);
	return 0;
}

/* Fork need not copy what a fault would fill in as well (vma_needs_copy). */
static bool vma_needs_copy(struct vm_area_struct *dst_vma,
			   struct vm_area_struct *src_vma)
{
	if (userfaultfd_wp(dst_vma))
		return true;
	if (src_vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP))
		return true;
	return vma_has_anon_rmap(src_vma);
}

int copy_page_range(struct vm_area_struct *dst_vma,
		    struct vm_area_struct *src_vma)
{
	unsigned long addr = src_vma->vm_start, end = src_vma->vm_end, next;
	struct mm_struct *src_mm = src_vma->vm_mm;
	pgd_t *src_pgd;

	if (!vma_needs_copy(dst_vma, src_vma))
		return 0;
	if (is_vm_hugetlb_page(src_vma))
		return copy_hugetlb_page_range(dst_vma, src_vma);
	src_pgd = pgd_offset(src_mm, addr);
	do {
		unsigned long pud_next, pud_addr = addr;
		pud_t *src_pud;

		next = pgd_addr_end(addr, end);
		if (pgd_none(*src_pgd))
			continue;
		if (!pud_alloc(dst_vma->vm_mm, addr))
			return -ENOMEM;
		src_pud = pud_offset(src_pgd, addr);
		do {
			pud_next = pud_addr_end(pud_addr, next);
			if (pud_none(*src_pud))
				continue;
			if (copy_pmd_range(dst_vma, src_vma, src_pud, pud_addr,
					   pud_next))
				return -ENOMEM;
		} while (src_pud++, pud_addr = pud_next, pud_addr != next);
	} while (src_pgd++, addr = next, addr != end);
	return 0;
}
