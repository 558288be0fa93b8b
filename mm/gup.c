// SPDX-License-Identifier: GPL-2.0
/*
 * Access to user memory from outside the task: get_user_pages() and its
 * FOLL_PIN variant (Linux's mm/gup.c), MADV_POPULATE and MAP_POPULATE on
 * top of them, the pin API (foliage_pin/foliage_unpin), and
 * foliage_access(): the task's own loads and stores.
 *
 * Pins (Documentation/core-api/pin_user_pages.rst):
 *
 *   small folio:  refcount += GUP_PIN_COUNTING_BIAS per pin
 *   large folio:  refcount += 1 and _pincount += 1 per pin
 *   NR_FOLL_PIN_ACQUIRED - NR_FOLL_PIN_RELEASED == pins held (pages)
 *   the shared zero page is never pinned (it never goes away)
 *   a pinned anonymous page is PageAnonExclusive: a read-only pin of a
 *	page shared with another process first unshares it
 *	(FAULT_FLAG_UNSHARE, see gup_must_unshare()), a write pin breaks COW
 *	by a write fault, and fork copies instead of sharing pinned pages of
 *	an mm with MMF_HAS_PINNED (folio_needs_cow_for_dma()).
 *
 * foliage_pin() keeps the pages it pinned per task, as a driver keeps the
 * page array of a registered buffer; foliage_unpin() releases them by the
 * same addresses, and so does the task's exit (gup_task_exit()).
 */
#include <stdlib.h>
#include <string.h>

#include <linux/mm.h>
#include <linux/err.h>
#include <linux/huge_mm.h>
#include <linux/swap.h>
#include "task.h"

#include <linux/hugetlb.h>
#include "internal.h"

/* A FOLL_PIN pin of a folio's pages (try_grab_folio()). */
static int try_grab_folio(struct folio *folio, int refs, unsigned int flags)
{
	if (WARN_ON_ONCE(folio_ref_count(folio) <= 0))
		return -ENOMEM;
	if (flags & FOLL_GET) {
		folio_ref_add(folio, refs);
	} else if (flags & FOLL_PIN) {
		/* The zero page goes nowhere: no need to pin it. */
		if (is_zero_pfn(folio_pfn(folio)))
			return 0;
		if (folio_test_large(folio)) {
			folio_ref_add(folio, refs);
			atomic_add(refs, &folio->_pincount);
		} else {
			folio_ref_add(folio, refs * GUP_PIN_COUNTING_BIAS);
		}
		mod_node_page_state(NODE_DATA(folio_nid(folio)),
				    NR_FOLL_PIN_ACQUIRED, refs);
	}
	return 0;
}

/* Drop what try_grab_folio() took. */
static void gup_put_folio(struct folio *folio, int refs, unsigned int flags)
{
	if (flags & FOLL_PIN) {
		if (is_zero_pfn(folio_pfn(folio)))
			return;
		mod_node_page_state(NODE_DATA(folio_nid(folio)),
				    NR_FOLL_PIN_RELEASED, refs);
		if (folio_test_large(folio))
			atomic_sub(refs, &folio->_pincount);
		else
			refs *= GUP_PIN_COUNTING_BIAS;
	}
	/* Drop all but one, then the last through the LRU-aware put. */
	if (refs > 1)
		atomic_sub(refs - 1, &folio->_refcount);
	folio_put(folio);
}

void unpin_user_page(struct page *page)
{
	gup_put_folio(page_folio(page), 1, FOLL_PIN);
}

void unpin_user_pages(struct page **pages, unsigned long npages)
{
	unsigned long i, j;

	/* One put per run of pages of the same folio, as Linux batches. */
	for (i = 0; i < npages; i = j) {
		struct folio *folio = page_folio(pages[i]);

		for (j = i + 1; j < npages && page_folio(pages[j]) == folio; j++)
			;
		gup_put_folio(folio, j - i, FOLL_PIN);
	}
}

/*
 * Whether a pin must first make an anonymous page exclusive: only for
 * read-only pins (write pins take a write fault, which leaves the page
 * exclusive), and only of anonymous pages that may be shared.  Long-term
 * read-only pins of private file pages need unsharing too.
 */
static bool gup_must_unshare(struct vm_area_struct *vma, unsigned int flags,
			     struct page *page)
{
	if ((flags & (FOLL_WRITE | FOLL_PIN)) != FOLL_PIN)
		return false;
	if (!folio_test_anon(page_folio(page))) {
		if (!(flags & FOLL_LONGTERM))
			return false;
		return !vma || is_cow_mapping(vma->vm_flags);
	}
	return !PageAnonExclusive(page);
}

/*
 * FOLL_FORCE writes (ptrace) may write through a read-only PTE only into
 * an exclusive anonymous page of a private mapping not currently writable.
 */
static bool can_follow_write_common(struct page *page,
				    struct vm_area_struct *vma,
				    unsigned int flags)
{
	if (!(flags & FOLL_FORCE))
		return false;
	if (vma->vm_flags & (VM_MAYSHARE | VM_SHARED))
		return false;
	if (!(vma->vm_flags & VM_MAYWRITE))
		return false;
	if (vma->vm_flags & VM_WRITE)
		return false;
	return page && folio_test_anon(page_folio(page)) &&
	       PageAnonExclusive(page);
}

static bool vma_is_accessible(const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_ACCESS_FLAGS;
}

/*
 * A PROT_NONE (or NUMA-hinting) entry: follow it only when the VMA is
 * inaccessible anyway (FOLL_FORCE); otherwise fault.
 */
static bool gup_can_follow_protnone(struct vm_area_struct *vma)
{
	return !vma_is_accessible(vma);
}

static struct page *no_page_table(struct vm_area_struct *vma,
				  unsigned int flags)
{
	/* Core dumps skip holes that a fault would only fill with zeros. */
	if ((flags & FOLL_DUMP) &&
	    (vma_is_anonymous(vma) || !vma->vm_ops->fault))
		return ERR_PTR(-EFAULT);
	return NULL;
}

static struct page *follow_page_pte(struct vm_area_struct *vma,
				    unsigned long address, pmd_t *pmd,
				    unsigned int flags)
{
	struct mm_struct *mm = vma->vm_mm;
	struct folio *folio;
	struct page *page;
	spinlock_t *ptl;
	pte_t *ptep, pte;
	int ret;

	ptep = pte_offset_map_lock(mm, pmd, address, &ptl);
	if (!ptep)
		return no_page_table(vma, flags);
	pte = ptep_get(ptep);
	if (!pte_present(pte))
		goto no_page;
	if (pte_protnone(pte) && !gup_can_follow_protnone(vma))
		goto no_page;

	page = vm_normal_page(vma, address, pte);
	if ((flags & FOLL_WRITE) && !pte_write(pte) &&
	    !can_follow_write_common(page, vma, flags)) {
		page = NULL;
		goto out;
	}
	if (!page) {
		/* Core dumps don't want the zero page either. */
		if ((flags & FOLL_DUMP) || !is_zero_pfn(pte_pfn(pte))) {
			page = ERR_PTR(-EFAULT);
			goto out;
		}
		page = pfn_to_page(pte_pfn(pte));
	}
	folio = page_folio(page);

	if (!pte_write(pte) && gup_must_unshare(vma, flags, page)) {
		page = ERR_PTR(-EMLINK);
		goto out;
	}
	VM_WARN_ON((flags & FOLL_PIN) && folio_test_anon(folio) &&
		   !PageAnonExclusive(page));

	ret = try_grab_folio(folio, 1, flags);
	if (ret) {
		page = ERR_PTR(ret);
		goto out;
	}
	if ((flags & FOLL_TOUCH) && !is_zero_pfn(pte_pfn(pte))) {
		if ((flags & FOLL_WRITE) && !pte_dirty(pte) &&
		    !folio_test_dirty(folio))
			folio_mark_dirty(folio);
		folio_mark_accessed(folio);
	}
out:
	pte_unmap_unlock(ptep, ptl);
	return page;
no_page:
	pte_unmap_unlock(ptep, ptl);
	if (!pte_none(pte))
		return NULL;
	return no_page_table(vma, flags);
}

/* A PMD-mapped THP (follow_huge_pmd()); caller holds the PMD lock. */
static struct page *follow_huge_pmd(struct vm_area_struct *vma,
				    unsigned long addr, pmd_t *pmd,
				    unsigned int flags,
				    unsigned long *page_mask)
{
	pmd_t pmdval = pmdp_get(pmd);
	struct page *page = pfn_to_page(pmd_pfn(pmdval));
	bool huge_zero = is_huge_zero_pmd(pmdval);
	int ret;

	lockdep_assert_held(pmd_lockptr(vma->vm_mm, pmd));

	if ((flags & FOLL_WRITE) && !pmd_write(pmdval) &&
	    !can_follow_write_common(huge_zero ? NULL : page, vma, flags))
		return NULL;
	/* Core dumps skip the huge zero page. */
	if ((flags & FOLL_DUMP) && huge_zero)
		return ERR_PTR(-EFAULT);
	if (pmd_protnone(pmdval) &&
	    !gup_can_follow_protnone(vma))
		return NULL;
	if (!pmd_write(pmdval) && !huge_zero &&
	    gup_must_unshare(vma, flags, page))
		return ERR_PTR(-EMLINK);

	ret = try_grab_folio(page_folio(page), 1, flags);
	if (ret)
		return ERR_PTR(ret);
	if ((flags & FOLL_TOUCH) && !huge_zero) {
		/* touch_pmd(): young, and dirty for a write */
		pmdval = pmd_mkyoung(pmdval);
		if (flags & FOLL_WRITE)
			pmdval = pmd_mkdirty(pmdval);
		set_pmd(pmd, pmdval);
	}
	*page_mask = HPAGE_PMD_NR - 1;
	return page + ((addr & ~PMD_MASK) >> PAGE_SHIFT);
}

/*
 * A hugetlb page (Linux's hugetlb_follow_page_mask()): NULL to fault
 * first (nothing mapped, or a write to a read-only entry).
 */
static struct page *hugetlb_follow_page_mask(struct vm_area_struct *vma,
					     unsigned long address,
					     unsigned int flags,
					     unsigned long *page_mask)
{
	unsigned long sz = vma_kernel_pagesize(vma);
	struct page *page = NULL;
	spinlock_t *ptl;
	pmd_t *ptep, entry;
	int ret;

	ptep = hugetlb_walk(vma, address, &ptl);
	if (!ptep)
		return no_page_table(vma, flags);
	spin_lock(ptl);
	entry = pmdp_get(ptep);
	/* Nothing, or a migration entry: fault (and wait) first. */
	if (!pmd_present(entry) || ((flags & FOLL_WRITE) && !pmd_write(entry)))
		goto out;
	page = pmd_page(entry) + ((address & (sz - 1)) >> PAGE_SHIFT);
	ret = try_grab_folio(page_folio(page), 1, flags);
	if (ret)
		page = ERR_PTR(ret);
	else
		*page_mask = (sz >> PAGE_SHIFT) - 1;
out:
	spin_unlock(ptl);
	return page;
}

struct page *follow_page_mask(struct vm_area_struct *vma,
			      unsigned long address, unsigned int flags,
			      unsigned long *page_mask)
{
	struct mm_struct *mm = vma->vm_mm;
	struct page *page;
	spinlock_t *ptl;
	pmd_t *pmd;

	mmap_assert_locked(mm);
	*page_mask = 0;
	if (is_vm_hugetlb_page(vma))
		return hugetlb_follow_page_mask(vma, address, flags,
						page_mask);
	pmd = pmd_lookup(mm, address);
	if (!pmd || !pmd_present(pmdp_get(pmd)))
		return no_page_table(vma, flags);
	if (pmd_leaf(pmdp_get(pmd))) {
		ptl = pmd_lock(mm, pmd);
		if (pmd_leaf(pmdp_get(pmd))) {
			page = follow_huge_pmd(vma, address, pmd, flags,
					       page_mask);
			spin_unlock(ptl);
			return page;
		}
		/* Split meanwhile: walk the new PTE table. */
		spin_unlock(ptl);
	}
	return follow_page_pte(vma, address, pmd, flags);
}

/*
 * Whether @gup_flags may touch @vma: the permissions a fault would need
 * (check_vma_flags()).  FOLL_FORCE (ptrace) may read unreadable and write
 * read-only private mappings.
 */
static int check_vma_flags(struct vm_area_struct *vma, unsigned int gup_flags)
{
	vm_flags_t vm_flags = vma->vm_flags;

	if (vm_flags & (VM_IO | VM_PFNMAP))
		return -EFAULT;
	if ((gup_flags & FOLL_ANON) && !vma_is_anonymous(vma))
		return -EFAULT;
	if (gup_flags & FOLL_WRITE) {
		if (!(vm_flags & VM_WRITE)) {
			if (!(gup_flags & FOLL_FORCE))
				return -EFAULT;
			if (vm_flags & VM_HUGETLB)
				return -EFAULT;
			if (!is_cow_mapping(vm_flags))
				return -EFAULT;
		}
	} else if (!(vm_flags & VM_READ)) {
		if (!(gup_flags & FOLL_FORCE))
			return -EFAULT;
		if (!(vm_flags & VM_MAYREAD))
			return -EFAULT;
	}
	/* GUP is a data access: an exec-only key refuses it. */
	if (!arch_vma_access_permitted(vma, gup_flags & FOLL_WRITE, false,
				       false))
		return -EFAULT;
	return 0;
}

static int vm_fault_to_errno(vm_fault_t ret, unsigned int foll_flags)
{
	if (ret & VM_FAULT_OOM)
		return -ENOMEM;
	if (ret & VM_FAULT_HWPOISON)
		return (foll_flags & FOLL_HWPOISON) ? -EHWPOISON : -EFAULT;
	if (ret & (VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV))
		return -EFAULT;
	return 0;
}

/* Fault in the page at @address so that follow_page_mask() finds it. */
static int faultin_page(struct vm_area_struct *vma, unsigned long address,
			unsigned int flags, bool unshare)
{
	unsigned int fault_flags = 0;
	vm_fault_t ret;

	if (flags & FOLL_NOFAULT)
		return -EFAULT;
	if (flags & FOLL_WRITE)
		fault_flags |= FAULT_FLAG_WRITE;
	if (flags & FOLL_REMOTE)
		fault_flags |= FAULT_FLAG_REMOTE;
	if (flags & FOLL_TRIED)
		fault_flags |= FAULT_FLAG_TRIED;
	if (unshare) {
		fault_flags |= FAULT_FLAG_UNSHARE;
		/* FAULT_FLAG_WRITE and FAULT_FLAG_UNSHARE exclude each other */
		VM_WARN_ON(fault_flags & FAULT_FLAG_WRITE);
	}
	ret = handle_mm_fault(vma, address, fault_flags);
	if (ret & VM_FAULT_ERROR)
		return vm_fault_to_errno(ret, flags) ?: -EFAULT;
	return 0;
}

/*
 * The heart of GUP (Linux's __get_user_pages()).  Returns the pages done;
 * *@errp is 0 if that is all of them, else why the next one failed:
 * -EFAULT for no VMA or a fault that would be SIGSEGV or SIGBUS (with
 * FOLL_MADV_POPULATE: -ENOMEM for no VMA, -EINVAL for a VMA that forbids
 * the access), -ENOMEM.
 */
static unsigned long __gup(struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages, int *errp)
{
	struct vm_area_struct *vma = NULL;
	unsigned long page_mask, i = 0;
	int ret = 0;

	mmap_assert_locked(mm);
	start &= PAGE_MASK;
	VM_WARN_ON(!!pages != !!(gup_flags & (FOLL_GET | FOLL_PIN)));
	*errp = 0;
	if (!nr_pages)
		return 0;
	if (gup_flags & FOLL_PIN)
		set_bit(MMF_HAS_PINNED, &mm->flags);

	do {
		unsigned long page_increm;
		struct page *page;

		if (!vma || start >= vma->vm_end) {
			vma = vma_lookup(mm, start);
			if (gup_flags & FOLL_MADV_POPULATE) {
				if (!vma) {
					ret = -ENOMEM;
					goto out;
				}
				if (check_vma_flags(vma, gup_flags)) {
					ret = -EINVAL;
					goto out;
				}
			} else {
				/* No stack to expand: a hole is a hole. */
				if (!vma) {
					ret = -EFAULT;
					goto out;
				}
				ret = check_vma_flags(vma, gup_flags);
				if (ret)
					goto out;
			}
		}
retry:
		page = follow_page_mask(vma, start, gup_flags, &page_mask);
		if (!page || PTR_ERR(page) == -EMLINK) {
			/*
			 * As Linux, fault until the page is there: a fault
			 * on a migration entry sleeps until the migration is
			 * done, and any other fault makes progress.
			 */
			ret = faultin_page(vma, start, gup_flags,
					   PTR_ERR(page) == -EMLINK);
			if (ret)
				goto out;
			goto retry;
		} else if (IS_ERR(page)) {
			ret = (int)PTR_ERR(page);
			goto out;
		}
		page_increm = 1 + (~(start >> PAGE_SHIFT) & page_mask);
		if (page_increm > nr_pages)
			page_increm = nr_pages;
		if (pages) {
			unsigned long j;

			/* The rest of a large folio's pages: one grab. */
			if (page_increm > 1 &&
			    try_grab_folio(page_folio(page), page_increm - 1,
					   gup_flags)) {
				gup_put_folio(page_folio(page), 1, gup_flags);
				ret = -EFAULT;
				goto out;
			}
			for (j = 0; j < page_increm; j++)
				pages[i + j] = page + j;
		}
		i += page_increm;
		start += page_increm * PAGE_SIZE;
		nr_pages -= page_increm;
	} while (nr_pages);
out:
	*errp = ret;
	return i;
}

static long __get_user_pages(struct mm_struct *mm, unsigned long start,
			     unsigned long nr_pages, unsigned int gup_flags,
			     struct page **pages)
{
	unsigned long done;
	int err;

	done = __gup(mm, start, nr_pages, gup_flags, pages, &err);
	return done ? (long)done : err;
}

long get_user_pages_remote(struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages)
{
	if (gup_flags & FOLL_PIN)
		return -EINVAL;
	if (pages)
		gup_flags |= FOLL_GET;
	return __get_user_pages(mm, start, nr_pages,
				gup_flags | FOLL_TOUCH | FOLL_REMOTE, pages);
}

long pin_user_pages_remote(struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages)
{
	if (!pages || (gup_flags & FOLL_GET))
		return -EINVAL;
	return __get_user_pages(mm, start, nr_pages,
				gup_flags | FOLL_PIN | FOLL_TOUCH | FOLL_REMOTE,
				pages);
}

int faultin_page_range(struct vm_area_struct *vma, unsigned long start,
		       unsigned long end, bool write)
{
	/*
	 * FOLL_TOUCH marks the pages accessed (and dirty for a write);
	 * !FOLL_FORCE: the VMA's permissions apply.
	 */
	unsigned int gup_flags = FOLL_TOUCH | FOLL_HWPOISON |
				 FOLL_MADV_POPULATE;
	int err;

	VM_WARN_ON(!IS_ALIGNED(start, PAGE_SIZE) ||
		   !IS_ALIGNED(end, PAGE_SIZE));
	if (write)
		gup_flags |= FOLL_WRITE;
	__gup(vma->vm_mm, start, (end - start) >> PAGE_SHIFT, gup_flags, NULL,
	      &err);
	if (err == -EFAULT || err == -EINVAL || err == -EHWPOISON || !err)
		return err;
	return -ENOMEM;
}

long populate_vma_page_range(struct vm_area_struct *vma, unsigned long start,
			     unsigned long end)
{
	unsigned int gup_flags = FOLL_TOUCH;

	if (vma->vm_flags & VM_LOCKONFAULT)
		return (end - start) >> PAGE_SHIFT;
	/* PROT_NONE pages were never faulted in */
	if (!vma_is_accessible(vma))
		return -EFAULT;
	/*
	 * Write-fault writable private mappings to break COW now; read
	 * everything else (forcing, for write- or exec-only mappings), so
	 * shared mappings are not dirtied for nothing.
	 */
	if ((vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
		gup_flags |= FOLL_WRITE;
	else
		gup_flags |= FOLL_FORCE;
	return __get_user_pages(vma->vm_mm, start, (end - start) >> PAGE_SHIFT,
				gup_flags, NULL);
}

/* ---- foliage_access(): the task's loads and stores -------------------- */

/*
 * x86's access_error(): whether a fault on @vma is SIGSEGV.  A write needs
 * VM_WRITE; a read of a not-present page needs any access right (x86 reads
 * write- and exec-only mappings).
 */
static bool access_error(struct vm_area_struct *vma, bool write)
{
	/* A protection-key fault (X86_PF_PK): SIGSEGV with SEGV_PKUERR. */
	if (!arch_vma_access_permitted(vma, write, false, false))
		return true;
	if (write)
		return !(vma->vm_flags & VM_WRITE);
	return !vma_is_accessible(vma);
}

/*
 * The hardware's protection-key check of a present page: a page of a VMA
 * whose key PKRU denies faults (X86_PF_PK) however its PTE reads.
 * foliage keeps the key in the VMA, not in the PTE's bits 59-62.
 */
static bool pkey_fault(struct mm_struct *mm, unsigned long addr, bool write)
{
	struct vm_area_struct *vma;

	if (mm->execute_only_pkey <= 0)
		return false;	/* no key but 0 in this mm */
	vma = vma_lookup(mm, addr);
	return vma && !arch_vma_access_permitted(vma, write, false, false);
}

/*
 * Do what the CPU does for a @len-byte access at @addr (inside one page):
 * walk the page table and, if the entry permits the access, copy and set
 * the accessed (and dirty) bit as the hardware would.  False if it faults.
 */
static bool access_one(struct mm_struct *mm, unsigned long addr, void *buf,
		       size_t len, bool write)
{
	unsigned long pfn;
	u64 newv;
	spinlock_t *ptl;
	pud_t *pud = pud_lookup(mm, addr);
	pmd_t *pmd = pmd_lookup(mm, addr);
	pte_t *ptep;
	char *p;

	if (pud && pud_leaf(*pud)) {
		/* A 1 GiB hugetlb leaf (under page_table_lock, as Linux). */
		pmd_t *leaf = (pmd_t *)pud, val;

		ptl = &mm->page_table_lock;
		spin_lock(ptl);
		val = pmdp_get(leaf);
		if (!pmd_leaf(val) || !pte_hw_access(pmd_val(val), write,
						      &newv)) {
			spin_unlock(ptl);
			return false;
		}
		if (newv != pmd_val(val))
			set_pmd(leaf, __pmd(newv));
		pfn = pmd_pfn(val) + ((addr & ~PUD_MASK) >> PAGE_SHIFT);
		goto copy;
	}
	if (!pmd || !pmd_present(pmdp_get(pmd)))
		return false;
	if (pmd_leaf(pmdp_get(pmd))) {
		pmd_t pmdval;

		ptl = pmd_lock(mm, pmd);
		pmdval = pmdp_get(pmd);
		if (!pmd_leaf(pmdval)) {
			spin_unlock(ptl);
			return false;
		}
		if (!pte_hw_access(pmd_val(pmdval), write, &newv)) {
			spin_unlock(ptl);
			return false;
		}
		if (newv != pmd_val(pmdval))
			set_pmd(pmd, __pmd(newv));
		pfn = pmd_pfn(pmdval) + ((addr & ~PMD_MASK) >> PAGE_SHIFT);
		goto copy;
	}
	ptep = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!ptep)
		return false;
	/* The MMU sets the flags of the one entry (of a folded block too). */
	if (!pte_hw_access(pte_val(__ptep_get(ptep)), write, &newv)) {
		pte_unmap_unlock(ptep, ptl);
		return false;
	}
	if (newv != pte_val(__ptep_get(ptep)))
		__set_pte(ptep, __pte(newv));
	pfn = pte_pfn(ptep_get(ptep));
copy:
	/* Under the page-table lock: the page cannot be freed meanwhile. */
	p = (char *)pfn_to_virt(pfn) + (addr & ~PAGE_MASK);
	if (write)
		memcpy(p, buf, len);
	else
		memcpy(buf, p, len);
	spin_unlock(ptl);
	return true;
}

/*
 * One access that missed in the page table: the page fault handler
 * (x86's do_user_addr_fault()).  0 when the access can be retried,
 * -EFAULT for SIGSEGV/SIGBUS, -ENOMEM when the fault ran out of memory.
 */
static int access_fault(struct mm_struct *mm, unsigned long addr, bool write)
{
	unsigned int flags = FAULT_FLAG_USER | (write ? FAULT_FLAG_WRITE : 0);
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	vm_fault_t ret;

	if (!vma || access_error(vma, write))
		return -EFAULT;
	ret = handle_mm_fault(vma, addr, flags);
	if (ret & VM_FAULT_OOM)
		return -ENOMEM;
	if (ret & VM_FAULT_ERROR)
		return -EFAULT;
	return 0;
}

int foliage_access(struct foliage_task *task, unsigned long addr, void *buf,
		   size_t len, bool write, unsigned long *fault_addr)
{
	struct foliage_machine *m;
	struct mm_struct *mm;
	char *p = buf;
	int ret;

	if (!task || (!buf && len))
		return -EINVAL;
	m = task->machine;
	ret = machine_enter(m);
	if (ret)
		return ret;
	mm = task->task.mm;
	touch_mm(mm);
	if (addr + len < addr) {
		ret = -EFAULT;
		if (fault_addr)
			*fault_addr = addr;
		goto out;
	}
	mmap_read_lock(mm);
	while (len) {
		size_t bytes = min(len, PAGE_SIZE - (addr & ~PAGE_MASK));

		if (pkey_fault(mm, addr, write)) {
			ret = -EFAULT;
			if (fault_addr)
				*fault_addr = addr;
			break;
		}
		/*
		 * The CPU retries the access after every fault that did not
		 * kill it; a fault on a migration entry has slept until the
		 * migration was done (migration_entry_wait()).
		 */
		while (!access_one(mm, addr, p, bytes, write)) {
			ret = access_fault(mm, addr, write);
			if (ret)
				break;
		}
		if (ret) {
			if (fault_addr)
				*fault_addr = addr;
			break;
		}
		addr += bytes;
		p += bytes;
		len -= bytes;
	}
	mmap_read_unlock(mm);
out:
	machine_exit_op(m);
	return ret;
}

/* ---- foliage_pin()/foliage_unpin() ---------------------------------- */

/* One foliage_pin() call: the pages it pinned, by address. */
struct gup_pin {
	struct list_head list;		/* on foliage_task.pins */
	unsigned long start;		/* address of pages[0] */
	unsigned long nr_pages;		/* entries of pages[] */
	unsigned long nr_pinned;	/* entries still pinned (non-NULL) */
	struct page *pages[];		/* pinned pages; NULL once unpinned */
};

/*
 * The machine's pins_lock protects every task's pin list
 * (foliage_task.pins) of the machine: pin records come and go only through
 * the public calls, so one lock per machine is plenty.  Taken outside the
 * allocator's locks (unpinning may free pages).
 */

/* Caller holds the machine's pins_lock. */
static struct list_head *task_pins(struct foliage_task *task)
{
	lockdep_assert_held(&this_machine->pins_lock);
	/* Tasks come zeroed from their allocator: start the list here. */
	if (!task->pins.next)
		INIT_LIST_HEAD(&task->pins);
	return &task->pins;
}

/* The pages [*start, *end) covering [addr, addr + len), inside the machine. */
static int pin_range_enter(struct foliage_task *task, unsigned long addr,
			   unsigned long len, unsigned long *start,
			   unsigned long *end)
{
	int ret;

	if (!task || !len || addr + len < addr ||
	    ALIGN(addr + len, PAGE_SIZE) < addr)
		return -EINVAL;
	*start = addr & PAGE_MASK;
	*end = ALIGN(addr + len, PAGE_SIZE);
	ret = machine_enter(task->machine);
	if (!ret)
		touch_mm(task->task.mm);
	return ret;
}

int foliage_pin(struct foliage_task *task, unsigned long addr,
		unsigned long len, bool write)
{
	unsigned long start, end, nr_pages, done;
	struct mm_struct *mm;
	struct gup_pin *pin;
	int ret;

	ret = pin_range_enter(task, addr, len, &start, &end);
	if (ret)
		return ret;
	nr_pages = (end - start) >> PAGE_SHIFT;
	pin = calloc(1, sizeof(*pin) + nr_pages * sizeof(pin->pages[0]));
	if (!pin) {
		ret = -ENOMEM;
		goto out;
	}
	mm = task->task.mm;
	mmap_read_lock(mm);
	done = __gup(mm, start, nr_pages, (write ? FOLL_WRITE : 0) |
		     FOLL_PIN | FOLL_TOUCH | FOLL_REMOTE, pin->pages, &ret);
	mmap_read_unlock(mm);
	if (ret) {
		/* All or nothing: give back what was pinned. */
		unpin_user_pages(pin->pages, done);
		free(pin);
		goto out;
	}
	pin->start = start;
	pin->nr_pages = nr_pages;
	pin->nr_pinned = nr_pages;
	spin_lock(&this_machine->pins_lock);
	list_add_tail(&pin->list, task_pins(task));
	spin_unlock(&this_machine->pins_lock);
out:
	machine_exit_op(task->machine);
	return ret;
}

/*
 * Unpin @pin's pages inside [start, end); free it when none is left.
 * Caller holds the machine's pins_lock.
 */
static unsigned long gup_pin_release(struct gup_pin *pin, unsigned long start,
				     unsigned long end)
{
	unsigned long i, released = 0;

	lockdep_assert_held(&this_machine->pins_lock);
	for (i = 0; i < pin->nr_pages; i++) {
		unsigned long addr = pin->start + (i << PAGE_SHIFT);

		if (addr < start || addr >= end || !pin->pages[i])
			continue;
		unpin_user_page(pin->pages[i]);
		pin->pages[i] = NULL;
		pin->nr_pinned--;
		released++;
	}
	if (!pin->nr_pinned) {
		list_del(&pin->list);
		free(pin);
	}
	return released;
}

int foliage_unpin(struct foliage_task *task, unsigned long addr,
		  unsigned long len)
{
	unsigned long start, end, released = 0;
	struct gup_pin *pin, *next;
	int ret;

	ret = pin_range_enter(task, addr, len, &start, &end);
	if (ret)
		return ret;
	tasks_validate_read_lock(task->machine);
	spin_lock(&this_machine->pins_lock);
	list_for_each_entry_safe(pin, next, task_pins(task), list)
		released += gup_pin_release(pin, start, end);
	spin_unlock(&this_machine->pins_lock);
	tasks_validate_read_unlock(task->machine);
	machine_exit_op(task->machine);
	return released ? 0 : -EINVAL;
}

void gup_task_exit(struct foliage_task *task)
{
	struct gup_pin *pin, *next;

	spin_lock(&this_machine->pins_lock);
	list_for_each_entry_safe(pin, next, task_pins(task), list)
		gup_pin_release(pin, 0, ~0UL);
	spin_unlock(&this_machine->pins_lock);
}
