// SPDX-License-Identifier: GPL-2.0
/*
 * Transparent huge pages for anonymous memory, Linux 6.18's
 * mm/huge_memory.c: the sysfs policy, which orders a VMA may use, the
 * PMD-mapped THP fault (and the huge zero folio for reads), and what
 * happens to a huge PMD on write-protect faults, fork, zap and split.
 *
 *   a huge PMD maps a PMD-order folio: one mapcount (entire_mapcount), one
 *	folio reference, HPAGE_PMD_NR pages of MM_ANONPAGES, and one
 *	deposited PTE table (counted in pgtables_bytes and NR_PAGETABLE)
 *   the huge zero PMD is special: no mapcount, no reference, no rss
 *   AnonExclusive of a PMD mapping lives on the head page; a split gives
 *	it to every page
 *
 * Not modelled (see docs/fidelity.md): khugepaged, the deferred split
 * queue (a partially unmapped THP stays whole until freed), shmem THP,
 * PUD-sized THP, the huge zero folio shrinker (it lives until teardown).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include <linux/mm.h>
#include <linux/mempolicy.h>
#include <linux/rmap.h>
#include <linux/migrate.h>
#include <trace/events.h>
#include <linux/huge_mm.h>
#include <linux/swap.h>
#include <linux/shmem_fs.h>
#include <asm-generic/tlb.h>
#include <linux/machine_subsys.h>

/* The machine's THP state; thp is its knobs, as Linux's globals read. */
static inline struct thp_state *thp_state(void)
{
	return this_machine->thp;
}
#define thp	(thp_state()->settings)

/* VM_SPECIAL | VM_HUGETLB: never eligible outside a fault. */
#define VM_NO_KHUGEPAGED	(VM_IO | VM_DONTEXPAND | VM_PFNMAP | \
				 VM_MIXEDMAP | VM_HUGETLB)

void thp_settings_init(void)
{
	thp.enabled = THP_ENABLED_MADVISE;
	thp.defrag = THP_DEFRAG_MADVISE;
	thp.shmem_enabled = SHMEM_HUGE_NEVER;
	thp.use_zero_page = true;
	thp.huge_anon_orders_always = 0;
	thp.huge_anon_orders_madvise = 0;
	thp.huge_anon_orders_inherit = BIT(HPAGE_PMD_ORDER);
}

static bool hugepage_global_enabled(void)
{
	return thp.enabled != THP_ENABLED_NEVER;
}

static bool hugepage_global_always(void)
{
	return thp.enabled == THP_ENABLED_ALWAYS;
}

/* The aligned block of @order around @addr lies inside @vma. */
static bool thp_vma_suitable_order(struct vm_area_struct *vma,
				   unsigned long addr, unsigned int order)
{
	unsigned long hpage_size = PAGE_SIZE << order;
	unsigned long haddr;

	/* A file's offsets must line up too; anonymous ones need not. */
	if (!vma_is_anonymous(vma) &&
	    !IS_ALIGNED((vma->vm_start >> PAGE_SHIFT) - vma->vm_pgoff,
			hpage_size >> PAGE_SHIFT))
		return false;
	haddr = ALIGN_DOWN(addr, hpage_size);
	return haddr >= vma->vm_start && haddr + hpage_size <= vma->vm_end;
}

unsigned long thp_vma_suitable_orders(struct vm_area_struct *vma,
				      unsigned long addr,
				      unsigned long orders)
{
	unsigned int order;

	if (!orders)
		return 0;
	order = highest_order(orders);
	while (orders) {
		if (thp_vma_suitable_order(vma, addr, order))
			break;
		order = next_order(&orders, order);
	}
	return orders;
}

unsigned long thp_vma_allowable_orders(struct vm_area_struct *vma,
				       vm_flags_t vm_flags,
				       enum tva_type type,
				       unsigned long orders)
{
	const bool smaps = type == TVA_SMAPS;
	const bool in_pf = type == TVA_PAGEFAULT;
	const bool forced_collapse = type == TVA_FORCED_COLLAPSE;

	/* The sysfs policy, per size; "inherit" follows the top level. */
	if (vma_is_anonymous(vma) && !forced_collapse) {
		unsigned long mask = READ_ONCE(thp.huge_anon_orders_always);

		if (vm_flags & VM_HUGEPAGE)
			mask |= READ_ONCE(thp.huge_anon_orders_madvise);
		if (hugepage_global_always() ||
		    ((vm_flags & VM_HUGEPAGE) && hugepage_global_enabled()))
			mask |= READ_ONCE(thp.huge_anon_orders_inherit);
		orders &= mask;
		if (!orders)
			return 0;
	}

	/*
	 * Only anonymous THP is modelled: shmem_enabled can only be never
	 * or deny, so file VMAs are never eligible.
	 */
	if (!vma_is_anonymous(vma))
		return 0;
	orders &= THP_ORDERS_ALL_ANON;
	if (!orders || !vma->vm_mm)
		return 0;
	/* vma_thp_disabled(); prctl(PR_SET_THP_DISABLE) is not modelled. */
	if (vm_flags & VM_NOHUGEPAGE)
		return 0;
	if (!in_pf && !smaps && (vm_flags & VM_NO_KHUGEPAGED))
		return 0;

	/*
	 * Outside a fault, keep the orders of which some aligned block fits
	 * in the VMA (the fault handlers check the faulting block).
	 */
	if (!in_pf) {
		unsigned int order = highest_order(orders);

		while (orders) {
			unsigned long addr = vma->vm_end - (PAGE_SIZE << order);

			if (thp_vma_suitable_order(vma, addr, order))
				break;
			order = next_order(&orders, order);
		}
		if (!orders)
			return 0;
	}
	/* smaps and faults may see a VMA before its first fault. */
	if (!vma_has_anon_rmap(vma))
		return (smaps || in_pf) ? orders : 0;
	return orders;
}

/* The gfp of a THP fault allocation, by "defrag" (vma_thp_gfp_mask()). */
gfp_t vma_thp_gfp_mask(struct vm_area_struct *vma)
{
	const bool vma_madvised = vma && (vma->vm_flags & VM_HUGEPAGE);

	switch (READ_ONCE(thp.defrag)) {
	case THP_DEFRAG_ALWAYS:
		return GFP_TRANSHUGE | (vma_madvised ? 0 : __GFP_NORETRY);
	case THP_DEFRAG_DEFER:
		return GFP_TRANSHUGE_LIGHT | __GFP_KSWAPD_RECLAIM;
	case THP_DEFRAG_DEFER_MADVISE:
		return GFP_TRANSHUGE_LIGHT | (vma_madvised ?
					      __GFP_DIRECT_RECLAIM :
					      __GFP_KSWAPD_RECLAIM);
	case THP_DEFRAG_MADVISE:
		return GFP_TRANSHUGE_LIGHT |
		       (vma_madvised ? __GFP_DIRECT_RECLAIM : 0);
	case THP_DEFRAG_NEVER:
	default:
		return GFP_TRANSHUGE_LIGHT;
	}
}

/* ---- the huge zero folio ---- */

/*
 * Linux's huge zero folio: allocated on first use, referenced once by each
 * mm that mapped it (MMF_HUGE_ZERO_FOLIO, dropped when the mm goes) and
 * once by its shrinker, which frees it when that is the only reference
 * left (huge_zero_refcount == 1).
 */
static bool get_huge_zero_folio(void)
{
	struct foliage_machine *m = this_machine;
	struct folio *folio;

retry:
	if (likely(atomic_add_unless(&m->huge_zero_refcount, 1, 0)))
		return true;
	folio = folio_alloc((GFP_TRANSHUGE | __GFP_ZERO | __GFP_ZEROTAGS) &
			    ~__GFP_MOVABLE, HPAGE_PMD_ORDER);
	if (!folio) {
		count_vm_event(THP_ZERO_PAGE_ALLOC_FAILED);
		return false;
	}
	if (!__sync_bool_compare_and_swap(&m->huge_zero_folio, NULL, folio)) {
		/* Another CPU made one: take a reference on that. */
		folio_put(folio);
		goto retry;
	}
	/* Ours, and the shrinker's, which only it gives back. */
	atomic_set(&m->huge_zero_refcount, 2);
	count_vm_event(THP_ZERO_PAGE_ALLOC);
	return true;
}

static void put_huge_zero_folio(void)
{
	/* The shrinker alone may drop the last reference. */
	if (atomic_dec_and_test(&this_machine->huge_zero_refcount))
		report_bug("huge zero folio: last reference put outside the shrinker");
}

struct folio *mm_get_huge_zero_folio(struct mm_struct *mm)
{
	if (test_bit(MMF_HUGE_ZERO_FOLIO, &mm->flags))
		return READ_ONCE(this_machine->huge_zero_folio);
	if (!get_huge_zero_folio())
		return NULL;
	if (test_and_set_bit(MMF_HUGE_ZERO_FOLIO, &mm->flags))
		put_huge_zero_folio();
	return READ_ONCE(this_machine->huge_zero_folio);
}

void mm_put_huge_zero_folio(struct mm_struct *mm)
{
	if (test_bit(MMF_HUGE_ZERO_FOLIO, &mm->flags))
		put_huge_zero_folio();
}

/* The huge zero folio's shrinker: free it if nothing else holds it. */
static unsigned long shrink_huge_zero_folio(void)
{
	struct foliage_machine *m = this_machine;
	struct folio *folio;

	if (atomic_cmpxchg(&m->huge_zero_refcount, 1, 0) != 1)
		return 0;
	folio = __atomic_exchange_n(&m->huge_zero_folio, NULL,
				    __ATOMIC_ACQ_REL);
	VM_WARN_ON(!folio);
	if (folio)
		folio_put(folio);
	return HPAGE_PMD_NR;
}

bool is_huge_zero_pmd(pmd_t pmd)
{
	struct folio *folio = READ_ONCE(this_machine->huge_zero_folio);

	return folio && pmd_present(pmd) && pmd_pfn(pmd) == folio_pfn(folio);
}

/* A huge PMD entry for @folio with @vma's protection. */
static pmd_t folio_mk_pmd(struct folio *folio, pgprot_t prot)
{
	return pmd_mkhuge(pfn_pmd(folio_pfn(folio), prot));
}

/* Caller holds the PMD lock; *pmd is none. */
static void set_huge_zero_folio(struct page *pgtable, struct mm_struct *mm,
				struct vm_area_struct *vma, unsigned long haddr,
				pmd_t *pmd, struct folio *zero_folio)
{
	pmd_t entry = folio_mk_pmd(zero_folio, vma->vm_page_prot);

	lockdep_assert_held(pmd_lockptr(mm, pmd));

	entry = pmd_mkspecial(entry);
	pgtable_trans_huge_deposit(mm, pmd, pgtable);
	set_pmd(pmd, entry);
	mm_inc_nr_ptes(mm);
}

/* ---- the PMD fault ---- */

/*
 * A PMD-order folio for an anon fault: zeroed by the allocator around the
 * fault address (seed 000), gfp per "defrag"; counted as a fallback if
 * none is free.
 */
static struct folio *vma_alloc_anon_folio_pmd(struct vm_area_struct *vma,
					      unsigned long addr)
{
	gfp_t gfp = vma_thp_gfp_mask(vma);
	struct folio *folio;

	folio = vma_alloc_folio(gfp | __GFP_ZERO, HPAGE_PMD_ORDER, vma, addr);
	if (unlikely(!folio)) {
		count_vm_event(THP_FAULT_FALLBACK);
		count_mthp_stat(HPAGE_PMD_ORDER, MTHP_STAT_ANON_FAULT_FALLBACK);
		return NULL;
	}
	__folio_mark_uptodate(folio);
	return folio;
}

/* Map a new anon THP at @haddr; caller holds the PMD lock. */
static void map_anon_folio_pmd_pf(struct folio *folio, pmd_t *pmd,
				  struct vm_area_struct *vma,
				  unsigned long haddr)
{
	pmd_t entry = folio_mk_pmd(folio, vma->vm_page_prot);

	lockdep_assert_held(pmd_lockptr(vma->vm_mm, pmd));

	entry = maybe_pmd_mkwrite(pmd_mkdirty(entry), vma);
	folio_add_new_anon_rmap(folio, vma, haddr, RMAP_EXCLUSIVE);
	folio_add_lru_vma(folio, vma);
	set_pmd(pmd, entry);
	add_mm_counter(vma->vm_mm, MM_ANONPAGES, HPAGE_PMD_NR);
	count_vm_event(THP_FAULT_ALLOC);
	count_mthp_stat(HPAGE_PMD_ORDER, MTHP_STAT_ANON_FAULT_ALLOC);
}

static vm_fault_t __do_huge_pmd_anonymous_page(struct vm_fault *vmf)
{
	unsigned long haddr = vmf->address & HPAGE_PMD_MASK;
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct page *pgtable;
	struct folio *folio;
	spinlock_t *ptl;

	folio = vma_alloc_anon_folio_pmd(vma, vmf->address);
	if (unlikely(!folio))
		return VM_FAULT_FALLBACK;
	pgtable = pte_alloc_one(mm);
	if (unlikely(!pgtable)) {
		folio_put(folio);
		return VM_FAULT_OOM;
	}
	ptl = pmd_lock(mm, vmf->pmd);
	if (unlikely(!pmd_none(pmdp_get(vmf->pmd)))) {
		spin_unlock(ptl);
		pte_free(mm, pgtable);
		folio_put(folio);
		return 0;
	}
	pgtable_trans_huge_deposit(mm, vmf->pmd, pgtable);
	map_anon_folio_pmd_pf(folio, vmf->pmd, vma, haddr);
	mm_inc_nr_ptes(mm);
	/* For the shrinker's underused-THP check. */
	deferred_split_folio(folio, false);
	spin_unlock(ptl);
	return 0;
}

vm_fault_t do_huge_pmd_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long haddr = vmf->address & HPAGE_PMD_MASK;
	struct mm_struct *mm = vma->vm_mm;

	if (!thp_vma_suitable_order(vma, haddr, HPAGE_PMD_ORDER))
		return VM_FAULT_FALLBACK;
	if (unlikely(!vma_has_anon_rmap(vma) && anon_vma_prepare(vma)))
		return VM_FAULT_OOM;

	if (!(vmf->flags & FAULT_FLAG_WRITE) && READ_ONCE(thp.use_zero_page)) {
		struct folio *zero_folio;
		struct page *pgtable;
		spinlock_t *ptl;

		pgtable = pte_alloc_one(mm);
		if (unlikely(!pgtable))
			return VM_FAULT_OOM;
		zero_folio = mm_get_huge_zero_folio(mm);
		if (unlikely(!zero_folio)) {
			pte_free(mm, pgtable);
			count_vm_event(THP_FAULT_FALLBACK);
			return VM_FAULT_FALLBACK;
		}
		ptl = pmd_lock(mm, vmf->pmd);
		if (pmd_none(pmdp_get(vmf->pmd))) {
			set_huge_zero_folio(pgtable, mm, vma, haddr, vmf->pmd,
					    zero_folio);
			pgtable = NULL;
		}
		spin_unlock(ptl);
		if (pgtable)
			pte_free(mm, pgtable);
		return 0;
	}
	return __do_huge_pmd_anonymous_page(vmf);
}

void huge_pmd_set_accessed(struct vm_fault *vmf)
{
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	spinlock_t *ptl = pmd_lock(vmf->vma->vm_mm, vmf->pmd);
	pmd_t entry;

	if (likely(pmd_same(pmdp_get(vmf->pmd), vmf->orig_pmd))) {
		/* touch_pmd(); x86 writes only for a write (dirty) access. */
		entry = pmd_mkyoung(vmf->orig_pmd);
		if (write) {
			entry = pmd_mkdirty(entry);
			set_pmd(vmf->pmd, entry);
		}
	}
	spin_unlock(ptl);
}

/* A write to the huge zero PMD: a new THP in its place, if one is free. */
static vm_fault_t do_huge_zero_wp_pmd(struct vm_fault *vmf)
{
	unsigned long haddr = vmf->address & HPAGE_PMD_MASK;
	struct vm_area_struct *vma = vmf->vma;
	struct folio *folio;
	spinlock_t *ptl;

	folio = vma_alloc_anon_folio_pmd(vma, vmf->address);
	if (unlikely(!folio))
		return VM_FAULT_FALLBACK;
	ptl = pmd_lock(vma->vm_mm, vmf->pmd);
	if (unlikely(!pmd_same(pmdp_get(vmf->pmd), vmf->orig_pmd))) {
		spin_unlock(ptl);
		folio_put(folio);
		return 0;
	}
	/* The deposited table stays: it serves the new THP. */
	pmdp_huge_clear_flush(vma, haddr, vmf->pmd);
	map_anon_folio_pmd_pf(folio, vmf->pmd, vma, haddr);
	spin_unlock(ptl);
	return 0;
}

vm_fault_t do_huge_pmd_wp_page(struct vm_fault *vmf)
{
	const bool unshare = vmf->flags & FAULT_FLAG_UNSHARE;
	struct vm_area_struct *vma = vmf->vma;
	pmd_t orig_pmd = vmf->orig_pmd;
	struct folio *folio;
	struct page *page;
	spinlock_t *ptl;
	pmd_t entry;

	VM_WARN_ON(!vma_has_anon_rmap(vma));
	if (is_huge_zero_pmd(orig_pmd)) {
		vm_fault_t ret = do_huge_zero_wp_pmd(vmf);

		if (!(ret & VM_FAULT_FALLBACK))
			return ret;
		goto fallback;
	}

	ptl = pmd_lock(vma->vm_mm, vmf->pmd);
	if (unlikely(!pmd_same(pmdp_get(vmf->pmd), orig_pmd))) {
		spin_unlock(ptl);
		return 0;
	}
	page = pmd_page(orig_pmd);
	folio = page_folio(page);

	if (PageAnonExclusive(page))
		goto reuse;
	if (!folio_trylock(folio)) {
		folio_get(folio);
		spin_unlock(ptl);
		folio_lock(folio);
		spin_lock(ptl);
		if (unlikely(!pmd_same(pmdp_get(vmf->pmd), orig_pmd))) {
			spin_unlock(ptl);
			folio_unlock(folio);
			folio_put(folio);
			return 0;
		}
		folio_put(folio);
	}
	if (PageAnonExclusive(page)) {
		folio_unlock(folio);
		goto reuse;
	}
	/* Reusable only if our mapping holds the one reference. */
	if (folio_ref_count(folio) == 1) {
		folio_move_anon_rmap(folio, vma);
		SetPageAnonExclusive(page);
		folio_unlock(folio);
reuse:
		if (unlikely(unshare)) {
			spin_unlock(ptl);
			return 0;
		}
		entry = pmd_mkyoung(orig_pmd);
		entry = maybe_pmd_mkwrite(pmd_mkdirty(entry), vma);
		set_pmd(vmf->pmd, entry);
		spin_unlock(ptl);
		return 0;
	}
	folio_unlock(folio);
	spin_unlock(ptl);
fallback:
	/* COW on the PTE level: split and let the PTE fault copy one page. */
	__split_huge_pmd(vma, vmf->pmd, vmf->address);
	return VM_FAULT_FALLBACK;
}

/* ---- zap, fork, split ---- */

static void zap_deposited_table(struct mm_struct *mm, pmd_t *pmd)
{
	struct page *pgtable = pgtable_trans_huge_withdraw(mm, pmd);

	if (pgtable)
		pte_free(mm, pgtable);
	mm_dec_nr_ptes(mm);
}

int zap_huge_pmd(struct mmu_gather *tlb, struct vm_area_struct *vma,
		 pmd_t *pmd, unsigned long addr)
{
	struct mm_struct *mm = tlb->mm;
	struct folio *folio;
	struct page *page;
	spinlock_t *ptl;
	pmd_t orig_pmd;

	ptl = pmd_lock(mm, pmd);
	orig_pmd = pmdp_get(pmd);
	if (is_pmd_migration_entry(orig_pmd)) {
		/* The entry holds no reference and no mapcount; RSS goes. */
		set_pmd(pmd, __pmd(0));
		if (vma_is_anonymous(vma)) {
			zap_deposited_table(mm, pmd);
			add_mm_counter(mm, MM_ANONPAGES, -(long)HPAGE_PMD_NR);
		}
		spin_unlock(ptl);
		return 1;
	}
	if (!pmd_trans_huge(orig_pmd)) {
		spin_unlock(ptl);
		return 0;
	}
	set_pmd(pmd, __pmd(0));
	tlb_flush_pmd_range(tlb, addr, HPAGE_PMD_SIZE);
	if (is_huge_zero_pmd(orig_pmd)) {
		zap_deposited_table(mm, pmd);
		spin_unlock(ptl);
		return 1;
	}
	page = pmd_page(orig_pmd);
	folio = page_folio(page);
	folio_remove_rmap_pmd(folio, page, vma);
	if (unlikely(folio_mapcount(folio) < 0))
		report_bug("bad rmap: negative mapcount of a THP at %#lx", addr);
	if (folio_test_anon(folio)) {
		zap_deposited_table(mm, pmd);
		add_mm_counter(mm, MM_ANONPAGES, -(long)HPAGE_PMD_NR);
	} else {
		add_mm_counter(mm, mm_counter_file(folio), -(long)HPAGE_PMD_NR);
	}
	spin_unlock(ptl);
	/* tlb_remove_page_size(): one reference, the mapping's. */
	if (__tlb_remove_folio_pages(tlb, page, 1))
		tlb_flush_mmu(tlb);
	return 1;
}

int copy_huge_pmd(struct mm_struct *dst_mm, struct mm_struct *src_mm,
		  pmd_t *dst_pmd, pmd_t *src_pmd, unsigned long addr,
		  struct vm_area_struct *dst_vma,
		  struct vm_area_struct *src_vma)
{
	spinlock_t *dst_ptl, *src_ptl;
	struct page *pgtable, *src_page;
	struct folio *src_folio;
	pmd_t pmd;

	/* A fault refills non-anonymous VMAs. */
	if (!vma_is_anonymous(dst_vma))
		return 0;
	pgtable = pte_alloc_one(dst_mm);
	if (unlikely(!pgtable))
		return -ENOMEM;

	/* Both PMD locks are mm->page_table_lock: take each once. */
	dst_ptl = pmd_lock(dst_mm, dst_pmd);
	src_ptl = pmd_lockptr(src_mm, src_pmd);
	if (src_ptl != dst_ptl)
		spin_lock(src_ptl);

	pmd = pmdp_get(src_pmd);
	if (unlikely(is_pmd_migration_entry(pmd))) {
		swp_entry_t entry = pmd_to_swp_entry(pmd);

		/*
		 * The child gets the entry too; a writable (or exclusive)
		 * one becomes a read entry in both, as the COW of the page
		 * it stands for would be.
		 */
		if (!is_readable_migration_entry(entry)) {
			pmd = __pmd(pmd_val(swp_entry_to_pmd(
					make_readable_migration_entry_of(entry,
									 false))) |
				    pmd_swp_flags(pmd));
			set_pmd(src_pmd, pmd);
		}
		add_mm_counter(dst_mm, MM_ANONPAGES, HPAGE_PMD_NR);
		mm_inc_nr_ptes(dst_mm);
		pgtable_trans_huge_deposit(dst_mm, dst_pmd, pgtable);
		if (!(dst_vma->vm_flags & VM_UFFD_WP))
			pmd = pmd_swp_clear_uffd_wp(pmd);
		set_pmd(dst_pmd, pmd);
		if (src_ptl != dst_ptl)
			spin_unlock(src_ptl);
		spin_unlock(dst_ptl);
		return 0;
	}
	if (unlikely(!pmd_trans_huge(pmd))) {
		/* Split meanwhile. */
		pte_free(dst_mm, pgtable);
		goto out_eagain;
	}
	if (is_huge_zero_pmd(pmd)) {
		/* The child's reference (the folio exists: no allocation). */
		mm_get_huge_zero_folio(dst_mm);
		goto out_zero_page;
	}

	src_page = pmd_page(pmd);
	src_folio = page_folio(src_page);
	folio_get(src_folio);
	if (unlikely(folio_try_dup_anon_rmap_pmd(src_folio, src_page, dst_vma,
						 src_vma))) {
		/* Maybe pinned: split, and the PTE copy will copy it. */
		folio_put(src_folio);
		pte_free(dst_mm, pgtable);
		if (src_ptl != dst_ptl)
			spin_unlock(src_ptl);
		spin_unlock(dst_ptl);
		__split_huge_pmd(src_vma, src_pmd, addr);
		return -EAGAIN;
	}
	add_mm_counter(dst_mm, MM_ANONPAGES, HPAGE_PMD_NR);
out_zero_page:
	mm_inc_nr_ptes(dst_mm);
	pgtable_trans_huge_deposit(dst_mm, dst_pmd, pgtable);
	/* pmdp_set_wrprotect() */
	set_pmd(src_pmd, pmd_wrprotect(pmdp_get(src_pmd)));
	if (!(dst_vma->vm_flags & VM_UFFD_WP))
		pmd = pmd_clear_uffd_wp(pmd);
	pmd = pmd_mkold(pmd_wrprotect(pmd));
	set_pmd(dst_pmd, pmd);
	if (src_ptl != dst_ptl)
		spin_unlock(src_ptl);
	spin_unlock(dst_ptl);
	return 0;

out_eagain:
	if (src_ptl != dst_ptl)
		spin_unlock(src_ptl);
	spin_unlock(dst_ptl);
	return -EAGAIN;
}

/* The huge zero PMD becomes 512 zero-page PTEs. */
static void __split_huge_zero_page_pmd(struct vm_area_struct *vma,
				       unsigned long haddr, pmd_t *pmd)
{
	struct mm_struct *mm = vma->vm_mm;
	struct page *pgtable;
	unsigned long i;
	pmd_t old_pmd;
	pte_t *pte;

	old_pmd = pmdp_huge_clear_flush(vma, haddr, pmd);
	pgtable = pgtable_trans_huge_withdraw(mm, pmd);
	pte = page_address(pgtable);
	for (i = 0; i < HPAGE_PMD_NR; i++) {
		pte_t entry = pte_mkspecial(pfn_pte(this_machine->zero_pfn,
						    vma->vm_page_prot));

		if (pmd_uffd_wp(old_pmd))
			entry = pte_mkuffd_wp(entry);
		set_pte(pte + i, entry);
	}
	set_pmd(pmd, __pmd(table_entry(page_to_pfn(pgtable))));
}

/*
 * A PMD migration entry becomes 512 PTE migration entries, each keeping
 * what the PMD's kept (write or exclusive, young, dirty, soft-dirty,
 * uffd-wp); remove_migration_ptes() finds them as PTEs.  No mapcount or
 * reference changes: entries hold none.  Caller holds the PMD lock.
 */
static void __split_huge_pmd_migration_locked(struct vm_area_struct *vma,
					      pmd_t *pmd)
{
	pmd_t old_pmd = pmdp_get(pmd);
	swp_entry_t entry = pmd_to_swp_entry(old_pmd);
	unsigned long pfn = swp_offset_pfn(entry);
	bool write = is_writable_migration_entry(entry);
	bool exclusive = is_readable_exclusive_migration_entry(entry);
	struct page *pgtable;
	pte_t *pte;
	int i;

	pgtable = pgtable_trans_huge_withdraw(vma->vm_mm, pmd);
	pte = page_address(pgtable);
	for (i = 0; i < HPAGE_PMD_NR; i++) {
		swp_entry_t e = make_migration_entry(pfn + i, write, exclusive);
		pte_t swp;

		if (is_migration_entry_young(entry))
			e = make_migration_entry_young(e);
		if (is_migration_entry_dirty(entry))
			e = make_migration_entry_dirty(e);
		swp = swp_entry_to_pte(e);
		if (pmd_swp_soft_dirty(old_pmd))
			swp = pte_swp_mksoft_dirty(swp);
		if (pmd_swp_uffd_wp(old_pmd))
			swp = pte_swp_mkuffd_wp(swp);
		set_pte(pte + i, swp);
	}
	set_pmd(pmd, __pmd(table_entry(page_to_pfn(pgtable))));
}

/* Caller holds the PMD lock and has checked pmd_trans_huge(). */
static void __split_huge_pmd_locked(struct vm_area_struct *vma, pmd_t *pmd,
				    unsigned long haddr)
{
	struct mm_struct *mm = vma->vm_mm;
	bool write, young, dirty, soft_dirty, uffd_wp, anon_exclusive;
	struct page *pgtable, *page;
	struct folio *folio;
	pmd_t old_pmd;
	pte_t entry, *pte;

	lockdep_assert_held(pmd_lockptr(vma->vm_mm, pmd));

	count_vm_event(THP_SPLIT_PMD);
	if (is_pmd_migration_entry(pmdp_get(pmd))) {
		__split_huge_pmd_migration_locked(vma, pmd);
		return;
	}
	if (is_huge_zero_pmd(pmdp_get(pmd))) {
		__split_huge_zero_page_pmd(vma, haddr, pmd);
		return;
	}
	if (!vma_is_anonymous(vma)) {
		/* File PMDs: just unmap; a fault maps PTEs again. */
		old_pmd = pmdp_huge_clear_flush(vma, haddr, pmd);
		page = pmd_page(old_pmd);
		folio = page_folio(page);
		if (pmd_dirty(old_pmd))
			folio_mark_dirty(folio);
		if (pmd_young(old_pmd))
			folio_set_referenced(folio);
		folio_remove_rmap_pmd(folio, page, vma);
		folio_put(folio);
		add_mm_counter(mm, mm_counter_file(folio), -(long)HPAGE_PMD_NR);
		return;
	}

	/*
	 * Make the PMD not present and flush it before the PTEs appear: a
	 * CPU must never hold a huge and a small translation of one page.
	 */
	old_pmd = pmdp_invalidate(vma, haddr, pmd);
	page = pmd_page(old_pmd);
	folio = page_folio(page);
	dirty = pmd_dirty(old_pmd);
	if (dirty)
		folio_set_dirty(folio);
	write = pmd_write(old_pmd);
	young = pmd_young(old_pmd);
	soft_dirty = pmd_soft_dirty(old_pmd);
	uffd_wp = pmd_uffd_wp(old_pmd);
	VM_WARN_ON(!folio_ref_count(folio));
	VM_WARN_ON(!folio_test_anon(folio));

	/* Each page inherits the PMD's AnonExclusive; each PTE a reference. */
	anon_exclusive = PageAnonExclusive(page);
	folio_ref_add(folio, HPAGE_PMD_NR - 1);
	folio_add_anon_rmap_ptes(folio, page, HPAGE_PMD_NR, vma, haddr,
				 anon_exclusive ? RMAP_EXCLUSIVE : RMAP_NONE);

	pgtable = pgtable_trans_huge_withdraw(mm, pmd);
	pte = page_address(pgtable);
	entry = mk_pte(page, vma->vm_page_prot);
	if (write)
		entry = pte_mkwrite(entry);
	if (!young)
		entry = pte_mkold(entry);
	if (dirty)
		entry = pte_mkdirty(entry);
	if (soft_dirty)
		entry = pte_mksoft_dirty(entry);
	if (uffd_wp)
		entry = pte_mkuffd_wp(entry);
	set_ptes(pte, entry, HPAGE_PMD_NR);

	folio_remove_rmap_pmd(folio, page, vma);
	set_pmd(pmd, __pmd(table_entry(page_to_pfn(pgtable))));
}

void split_huge_pmd_locked(struct vm_area_struct *vma, unsigned long address,
			   pmd_t *pmd)
{
	if (pmd_trans_huge(pmdp_get(pmd)) || is_pmd_migration_entry(pmdp_get(pmd)))
		__split_huge_pmd_locked(vma, pmd, address & HPAGE_PMD_MASK);
}

void __split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd,
		      unsigned long address)
{
	spinlock_t *ptl = pmd_lock(vma->vm_mm, pmd);

	split_huge_pmd_locked(vma, address, pmd);
	spin_unlock(ptl);
}

void split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd,
		    unsigned long address)
{
	if (pmd_trans_huge(pmdp_get(pmd)) || is_pmd_migration_entry(pmdp_get(pmd)))
		__split_huge_pmd(vma, pmd, address);
}

void split_huge_pmd_address(struct vm_area_struct *vma,
			    unsigned long address)
{
	pmd_t *pmd = pmd_lookup(vma->vm_mm, address);

	if (pmd)
		split_huge_pmd(vma, pmd, address);
}

/* A VMA bound at an unaligned @address inside a huge PMD splits it. */
static void split_huge_pmd_if_needed(struct vm_area_struct *vma,
				     unsigned long address)
{
	unsigned long start = ALIGN_DOWN(address, HPAGE_PMD_SIZE);

	if (!IS_ALIGNED(address, HPAGE_PMD_SIZE) && start >= vma->vm_start &&
	    start + HPAGE_PMD_SIZE <= vma->vm_end)
		split_huge_pmd_address(vma, address);
}

void vma_adjust_trans_huge(struct vm_area_struct *vma, unsigned long start,
			   unsigned long end)
{
	split_huge_pmd_if_needed(vma, start);
	split_huge_pmd_if_needed(vma, end);
}

/* ---- splitting an anonymous large folio ---- */

/* What every new folio takes from the head (__split_folio_to_order()). */
#define SPLIT_FOLIO_FLAGS						\
	(BIT(PG_referenced) | BIT(PG_swapbacked) | BIT(PG_swapcache) |	\
	 BIT(PG_mlocked) | BIT(PG_uptodate) | BIT(PG_active) |		\
	 BIT(PG_workingset) | BIT(PG_locked) | BIT(PG_unevictable) |	\
	 BIT(PG_arch_2) | BIT(PG_dirty) | BIT(PG_lru))

/*
 * Make each page of the frozen, unmapped @folio an order-0 folio of its
 * own with the head's flags, ->mapping and the next ->index; each tail
 * keeps its own AnonExclusive.  Caller holds the LRU lock (the folio is
 * off its list).  The tails' references are set by the caller.
 */
void __split_unmapped_folio(struct folio *folio)
{
	const unsigned long nr = folio_nr_pages(folio);
	/* A fault waiting on our migration entries sets PG_waiters meanwhile. */
	const unsigned long flags = READ_ONCE(folio->flags) & SPLIT_FOLIO_FLAGS;
	struct page *head = &folio->page;
	unsigned long i;

	for (i = 1; i < nr; i++) {
		struct page *p = head + i;
		unsigned long keep = p->flags & ~PAGE_FLAGS_CHECK_AT_PREP;

		/* Page 1's low byte was the folio order. */
		if (i == 1)
			keep &= ~0xffUL;
		VM_WARN_ON(page_mapcount(p) || atomic_read(&p->_refcount));
		p->flags = keep | flags;
		clear_compound_head(p);
		p->lru.prev = NULL;
		/* Pages 1 and 2 held the large-folio fields here. */
		p->mapping = folio->mapping;
		p->index = folio->index + i;
		p->private = 0;
		p->memcg_data = 0;
	}
	/* Atomic: a concurrent PG_waiters must not be lost (ClearPageCompound). */
	ClearPageHead(head);
}

/* The last references of the new folios, each unlocked first. */
static void split_put_tails(struct folio *folio, unsigned long nr)
{
	unsigned long i;

	for (i = 1; i < nr; i++) {
		struct folio *new = page_folio(folio_page(folio, i));

		folio_unlock(new);
		folio_put(new);
	}
}

/* ---- PMD migration entries (mm/migrate.c's users) ---- */

int set_pmd_migration_entry(struct page_vma_mapped_walk *pvmw,
			    struct page *page)
{
	struct folio *folio = page_folio(page);
	struct vm_area_struct *vma = pvmw->vma;
	unsigned long address = pvmw->address;
	bool anon_exclusive;
	swp_entry_t entry;
	pmd_t pmdval, pmdswp;

	lockdep_assert_held(pvmw->ptl);
	/* Not present, and flushed, before it can be shared. */
	pmdval = pmdp_invalidate(vma, address, pvmw->pmd);
	anon_exclusive = folio_test_anon(folio) && PageAnonExclusive(page);
	if (anon_exclusive && folio_try_share_anon_rmap_pmd(folio, page)) {
		set_pmd(pvmw->pmd, pmdval);
		return -EBUSY;
	}
	if (pmd_dirty(pmdval))
		folio_mark_dirty(folio);
	entry = make_migration_entry(page_to_pfn(page), pmd_write(pmdval),
				     anon_exclusive);
	if (pmd_young(pmdval))
		entry = make_migration_entry_young(entry);
	if (pmd_dirty(pmdval))
		entry = make_migration_entry_dirty(entry);
	pmdswp = swp_entry_to_pmd(entry);
	if (pmd_soft_dirty(pmdval))
		pmdswp = pmd_swp_mksoft_dirty(pmdswp);
	if (pmd_uffd_wp(pmdval))
		pmdswp = pmd_swp_mkuffd_wp(pmdswp);
	set_pmd(pvmw->pmd, pmdswp);
	folio_remove_rmap_pmd(folio, page, vma);
	folio_put(folio);
	trace_set_migration_pte(address, pmd_val(pmdswp), HPAGE_PMD_ORDER);
	return 0;
}

void remove_migration_pmd(struct page_vma_mapped_walk *pvmw, struct page *new)
{
	struct folio *folio = page_folio(new);
	struct vm_area_struct *vma = pvmw->vma;
	unsigned long haddr = pvmw->address & HPAGE_PMD_MASK;
	pmd_t old = pmdp_get(pvmw->pmd), pmde;
	swp_entry_t entry = pmd_to_swp_entry(old);

	lockdep_assert_held(pvmw->ptl);
	folio_get(folio);
	pmde = folio_mk_pmd(folio, vma->vm_page_prot);
	if (pmd_swp_soft_dirty(old))
		pmde = pmd_mksoft_dirty(pmde);
	if (is_writable_migration_entry(entry))
		pmde = pmd_mkwrite(pmde);
	if (pmd_swp_uffd_wp(old))
		pmde = pmd_mkuffd_wp(pmde);
	if (!is_migration_entry_young(entry))
		pmde = pmd_mkold(pmde);
	if (folio_test_dirty(folio) && is_migration_entry_dirty(entry))
		pmde = pmd_mkdirty(pmde);
	if (folio_test_anon(folio)) {
		rmap_t rmap_flags = RMAP_NONE;

		if (!is_readable_migration_entry(entry))
			rmap_flags |= RMAP_EXCLUSIVE;
		folio_add_anon_rmap_pmd(folio, new, vma, haddr, rmap_flags);
	} else {
		folio_add_file_rmap_pmd(folio, new, vma);
	}
	/* Was not present: nothing to flush. */
	set_pmd(pvmw->pmd, pmde);
	trace_remove_migration_pte(haddr, pmd_val(pmde), HPAGE_PMD_ORDER);
}

void pmd_migration_entry_wait(struct mm_struct *mm, pmd_t *pmd)
{
	spinlock_t *ptl = pmd_lock(mm, pmd);

	if (!is_pmd_migration_entry(pmdp_get(pmd))) {
		spin_unlock(ptl);
		return;
	}
	/* Drops ptl once queued on the folio's wait queue. */
	migration_entry_wait_on_locked(pmd_to_swp_entry(pmdp_get(pmd)), ptl);
}

int split_folio(struct folio *folio)
{
	return split_folio_to_list(folio, NULL);
}

int split_folio_to_list(struct folio *folio, struct list_head *list)
{
	const unsigned int order = folio_order(folio);
	const unsigned long nr = folio_nr_pages(folio);
	enum ttu_flags ttu = TTU_RMAP_LOCKED | TTU_SYNC | TTU_BATCH_FLUSH;
	struct anon_vma *anon_vma;
	unsigned long i;
	bool on_lru;
	int ret = 0;

	VM_WARN_ON(!folio_test_locked(folio));
	if (!folio_test_large(folio))
		return -EINVAL;
	/* foliage's page cache holds order-0 folios only. */
	if (!folio_test_anon(folio))
		return -EINVAL;

	/*
	 * ANON_VMA_LAZY: a lazy folio's walks are stable under the lazy lock
	 * (read: VMAs stay, the folio may only move to an anon_vma, which
	 * the walk follows).
	 */
	if (folio_test_anon_lazy(folio)) {
		anon_lazy_lock_read();
		if (!folio_test_anon_lazy(folio) || !folio_mapped(folio)) {
			anon_lazy_unlock_read();
			ret = -EBUSY;
			goto out;
		}
		anon_vma = NULL;
		goto locked;
	}
	anon_vma = folio_get_anon_vma(folio);
	if (!anon_vma) {
		ret = -EBUSY;
		goto out;
	}
	anon_vma_lock_write(anon_vma);
locked:
	/* can_split_folio(): only the mappings and the caller's reference. */
	if (folio_mapcount(folio) != folio_ref_count(folio) - 1) {
		ret = -EAGAIN;
		goto out_unlock;
	}
	/* unmap_folio(): a PMD mapping is split into PTEs first. */
	if (order == HPAGE_PMD_ORDER)
		ttu |= TTU_SPLIT_HUGE_PMD;
	try_to_migrate(folio, ttu);
	try_to_unmap_flush();

	/* folio_ref_freeze(folio, 1): nobody else may hold it now. */
	if (atomic_cmpxchg(&folio->_refcount, 1, 0) != 1) {
		remove_migration_ptes(folio, folio, RMP_LOCKED);
		ret = -EAGAIN;
		goto out_unlock;
	}
	/* Off its deferred split queue (the shrinker's list included). */
	folio_unqueue_deferred_split(folio);
	on_lru = lru_split_begin(folio);
	mod_mthp_stat(order, MTHP_STAT_NR_ANON, -1);
	__split_unmapped_folio(folio);
	for (i = 0; i < nr; i++)
		set_page_count(folio_page(folio, i), 1);
	lru_split_end(folio, nr, on_lru);
	/* An isolated folio's pieces stay isolated, on @list. */
	for (i = 1; list && !on_lru && i < nr; i++) {
		struct folio *new = page_folio(folio_page(folio, i));

		folio_get(new);
		list_add_tail(&new->lru, list);
	}

	/* remap_page(): all-zero pages become the shared zero page. */
	for (i = 0; i < nr; i++) {
		struct folio *new = page_folio(folio_page(folio, i));

		remove_migration_ptes(new, new,
				      RMP_LOCKED | RMP_USE_SHARED_ZEROPAGE);
	}
	split_put_tails(folio, nr);
out_unlock:
	if (anon_vma) {
		anon_vma_unlock_write(anon_vma);
		put_anon_vma(anon_vma);
	} else {
		anon_lazy_unlock_read();
	}
out:
	if (order == HPAGE_PMD_ORDER)
		count_vm_event(ret ? THP_SPLIT_PAGE_FAILED : THP_SPLIT_PAGE);
	count_mthp_stat(order, ret ? MTHP_STAT_SPLIT_FAILED : MTHP_STAT_SPLIT);
	return ret;
}

/* ---- the deferred split queue and its shrinker ---- */

static struct deferred_split *get_deferred_split_queue(struct folio *folio)
{
	return &thp_state()->ds_queue[folio_nid(folio)];
}

static void folio_set_partially_mapped(struct folio *folio)
{
	set_bit(FOLIO_PARTIALLY_MAPPED_BIT, &folio->_flags_1);
}

/* Caller holds the folio's queue lock. */
static void __folio_clear_partially_mapped(struct folio *folio)
{
	lockdep_assert_held(&get_deferred_split_queue(folio)->split_queue_lock);
	if (!folio_test_partially_mapped(folio))
		return;
	clear_bit(FOLIO_PARTIALLY_MAPPED_BIT, &folio->_flags_1);
	mod_mthp_stat(folio_order(folio), MTHP_STAT_NR_ANON_PARTIALLY_MAPPED,
		      -1);
}

void deferred_split_folio(struct folio *folio, bool partially_mapped)
{
	struct deferred_split *ds_queue;

	/* Order 1 has no room for the list (nor does Linux queue it). */
	if (folio_order(folio) <= 1)
		return;
	ds_queue = get_deferred_split_queue(folio);
	spin_lock(&ds_queue->split_queue_lock);
	if (partially_mapped) {
		if (!folio_test_partially_mapped(folio)) {
			folio_set_partially_mapped(folio);
			if (folio_test_pmd_mappable(folio))
				count_vm_event(THP_DEFERRED_SPLIT_PAGE);
			count_mthp_stat(folio_order(folio),
					MTHP_STAT_SPLIT_DEFERRED);
			mod_mthp_stat(folio_order(folio),
				      MTHP_STAT_NR_ANON_PARTIALLY_MAPPED, 1);
		}
	} else {
		/* A partially mapped folio never becomes whole again. */
		VM_WARN_ON(folio_test_partially_mapped(folio));
	}
	if (list_empty(&folio->_deferred_list)) {
		list_add_tail(&folio->_deferred_list, &ds_queue->split_queue);
		ds_queue->split_queue_len++;
	}
	spin_unlock(&ds_queue->split_queue_lock);
}

bool __folio_unqueue_deferred_split(struct folio *folio)
{
	struct deferred_split *ds_queue = get_deferred_split_queue(folio);
	bool unqueued = false;

	spin_lock(&ds_queue->split_queue_lock);
	if (!list_empty(&folio->_deferred_list)) {
		ds_queue->split_queue_len--;
		__folio_clear_partially_mapped(folio);
		list_del_init(&folio->_deferred_list);
		unqueued = true;
	}
	spin_unlock(&ds_queue->split_queue_lock);
	return unqueued;
}

/*
 * Linux's thp_underused(): a PMD THP with more zero-filled pages than
 * khugepaged's max_ptes_none is split by the shrinker.  foliage has no
 * khugepaged; max_ptes_none keeps its default, HPAGE_PMD_NR - 1, which
 * turns the check off, as in Linux.
 */
static bool thp_underused(struct folio *folio)
{
	return false;
}

unsigned long deferred_split_scan(int nid)
{
	struct deferred_split *ds_queue = &thp_state()->ds_queue[nid];
	struct folio *folio, *next;
	unsigned long split = 0, removed = 0;
	LIST_HEAD(list);

	/* Take the folios (a reference each) onto a list of our own. */
	spin_lock(&ds_queue->split_queue_lock);
	list_for_each_entry_safe(folio, next, &ds_queue->split_queue,
				 _deferred_list) {
		if (atomic_add_unless(&folio->_refcount, 1, 0)) {
			list_move(&folio->_deferred_list, &list);
		} else {
			/* Being freed: it leaves the queue now. */
			__folio_clear_partially_mapped(folio);
			list_del_init(&folio->_deferred_list);
			ds_queue->split_queue_len--;
		}
	}
	spin_unlock(&ds_queue->split_queue_lock);

	list_for_each_entry_safe(folio, next, &list, _deferred_list) {
		bool did_split = false;

		if (!folio_test_partially_mapped(folio) &&
		    !thp_underused(folio))
			goto next;
		if (!folio_trylock(folio))
			goto next;
		/* A split takes it off this list and the queue's count. */
		if (!split_folio(folio)) {
			did_split = true;
			split++;
		}
		folio_unlock(folio);
next:
		/* Not split and whole: it is in use, no longer a candidate. */
		if (!did_split && !folio_test_partially_mapped(folio)) {
			spin_lock(&ds_queue->split_queue_lock);
			list_del_init(&folio->_deferred_list);
			ds_queue->split_queue_len--;
			spin_unlock(&ds_queue->split_queue_lock);
			removed++;
		}
		folio_put(folio);
	}

	/* The rest (partially mapped, not split this time) go back. */
	spin_lock(&ds_queue->split_queue_lock);
	list_splice_tail(&list, &ds_queue->split_queue);
	spin_unlock(&ds_queue->split_queue_lock);
	return split;
}

void drop_slab(void)
{
	unsigned long freed;
	int shift = 0, nid;

	/* Again while a pass frees more than a little (Linux's loop). */
	do {
		freed = shrink_huge_zero_folio();
		for (nid = 0; nid < this_machine->nr_nodes; nid++)
			freed += deferred_split_scan(nid);
	} while ((freed >> ++shift) > 1);
}

/*
 * The queues against their folios (thp_subsys->validate): each queued
 * folio is a large anon folio of order > 1 on its own node's queue, each
 * queue's length is its folios, and the partially mapped ones of each
 * order are hugepages-NkB/stats/nr_anon_partially_mapped.
 */
static int validate_deferred_split(struct foliage_machine *m)
{
	/* In the machine: thp_state() is @m's. */
	unsigned long partial[THP_PMD_ORDER + 1] = { 0 };
	struct folio *folio;
	int nid, ret = 0;
	unsigned int o;

	for (nid = 0; nid < m->nr_nodes; nid++) {
		struct deferred_split *ds_queue = &thp_state()->ds_queue[nid];
		unsigned long n = 0;

		spin_lock(&ds_queue->split_queue_lock);
		list_for_each_entry(folio, &ds_queue->split_queue,
				    _deferred_list) {
			n++;
			if (folio_order(folio) <= 1 ||
			    folio_order(folio) > THP_PMD_ORDER ||
			    !folio_test_anon(folio) ||
			    folio_nid(folio) != nid) {
				report_bug("deferred split queue of node %d: folio %lx order %u anon %d node %d",
					   nid, folio_pfn(folio),
					   folio_order(folio),
					   folio_test_anon(folio),
					   folio_nid(folio));
				ret = -EINVAL;
				continue;
			}
			partial[folio_order(folio)] +=
				folio_test_partially_mapped(folio);
		}
		if (n != ds_queue->split_queue_len) {
			report_bug("deferred split queue of node %d: length %lu, %lu folios",
				   nid, ds_queue->split_queue_len, n);
			ret = -EINVAL;
		}
		spin_unlock(&ds_queue->split_queue_lock);
	}
	for (o = 2; o <= THP_PMD_ORDER; o++) {
		unsigned long stat = READ_ONCE(thp_state()->mthp_stats[o]
					[MTHP_STAT_NR_ANON_PARTIALLY_MAPPED]);

		if (stat != partial[o]) {
			report_bug("order %u: nr_anon_partially_mapped %lu, %lu partially mapped folios queued",
				   o, stat, partial[o]);
			ret = -EINVAL;
		}
	}
	return ret;
}

/* ---- sysfs: /sys/kernel/mm/transparent_hugepage ---- */

static const char *const enabled_words[] = {
	[THP_ENABLED_ALWAYS] = "always",
	[THP_ENABLED_MADVISE] = "madvise",
	[THP_ENABLED_NEVER] = "never",
};
static const char *const defrag_words[] = {
	[THP_DEFRAG_ALWAYS] = "always",
	[THP_DEFRAG_DEFER] = "defer",
	[THP_DEFRAG_DEFER_MADVISE] = "defer+madvise",
	[THP_DEFRAG_MADVISE] = "madvise",
	[THP_DEFRAG_NEVER] = "never",
};
static const char *const shmem_words[] = {
	[SHMEM_HUGE_ALWAYS] = "always",
	[SHMEM_HUGE_WITHIN_SIZE] = "within_size",
	[SHMEM_HUGE_ADVISE] = "advise",
	[SHMEM_HUGE_NEVER] = "never",
	[SHMEM_HUGE_DENY] = "deny",
	[SHMEM_HUGE_FORCE] = "force",
};
/* hugepages-NkB/enabled, in the order the file lists them. */
enum { SIZE_ALWAYS, SIZE_INHERIT, SIZE_MADVISE, SIZE_NEVER, NR_SIZE_WORDS };
static const char *const size_words[] = {
	[SIZE_ALWAYS] = "always",
	[SIZE_INHERIT] = "inherit",
	[SIZE_MADVISE] = "madvise",
	[SIZE_NEVER] = "never",
};

static const char *const mthp_stat_names[__MTHP_STAT_COUNT] = {
	[MTHP_STAT_ANON_FAULT_ALLOC] = "anon_fault_alloc",
	[MTHP_STAT_ANON_FAULT_FALLBACK] = "anon_fault_fallback",
	[MTHP_STAT_ANON_FAULT_FALLBACK_CHARGE] = "anon_fault_fallback_charge",
	[MTHP_STAT_ZSWPOUT] = "zswpout",
	[MTHP_STAT_SWPIN] = "swpin",
	[MTHP_STAT_SWPIN_FALLBACK] = "swpin_fallback",
	[MTHP_STAT_SWPIN_FALLBACK_CHARGE] = "swpin_fallback_charge",
	[MTHP_STAT_SWPOUT] = "swpout",
	[MTHP_STAT_SWPOUT_FALLBACK] = "swpout_fallback",
	[MTHP_STAT_SHMEM_ALLOC] = "shmem_alloc",
	[MTHP_STAT_SHMEM_FALLBACK] = "shmem_fallback",
	[MTHP_STAT_SHMEM_FALLBACK_CHARGE] = "shmem_fallback_charge",
	[MTHP_STAT_SPLIT] = "split",
	[MTHP_STAT_SPLIT_FAILED] = "split_failed",
	[MTHP_STAT_SPLIT_DEFERRED] = "split_deferred",
	[MTHP_STAT_NR_ANON] = "nr_anon",
	[MTHP_STAT_NR_ANON_PARTIALLY_MAPPED] = "nr_anon_partially_mapped",
};

/* sysfs_streq(): equal, ignoring one trailing newline on either. */
static bool sysfs_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	if (*a == *b)
		return true;
	if (*a == '\n' && a[1] == '\0' && *b == '\0')
		return true;
	return *b == '\n' && b[1] == '\0' && *a == '\0';
}

static int match_word(const char *const *words, unsigned int nr,
		      const char *value)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (sysfs_streq(value, words[i]))
			return i;
	return -EINVAL;
}

/* The order of "hugepages-<N>kB/enabled" (or "/stats"), or -ENOENT. */
static int size_file_order(const char *file, const char *leaf)
{
	unsigned long kb;
	char *end;
	int order;

	if (strncmp(file, "hugepages-", 10))
		return -ENOENT;
	kb = strtoul(file + 10, &end, 10);
	if (end == file + 10 || strncmp(end, "kB/", 3) || strcmp(end + 3, leaf))
		return -ENOENT;
	for (order = 2; order <= HPAGE_PMD_ORDER; order++)
		if ((PAGE_SIZE << order) >> 10 == kb)
			return order;
	return -ENOENT;
}

static int size_setting(unsigned int order)
{
	if (thp.huge_anon_orders_always & BIT(order))
		return SIZE_ALWAYS;
	if (thp.huge_anon_orders_inherit & BIT(order))
		return SIZE_INHERIT;
	if (thp.huge_anon_orders_madvise & BIT(order))
		return SIZE_MADVISE;
	return SIZE_NEVER;
}

static int parse_ulong(const char *value, unsigned long *v)
{
	char *end;

	if (!*value || *value == '-')
		return -EINVAL;
	*v = strtoul(value, &end, 10);
	if (*end == '\n')
		end++;
	return *end ? -EINVAL : 0;
}

int thp_sysfs_set(const char *file, const char *value)
{
	unsigned long v;
	int i, order;

	if (!strcmp(file, "enabled")) {
		i = match_word(enabled_words, ARRAY_SIZE(enabled_words), value);
		if (i < 0)
			return i;
		WRITE_ONCE(thp.enabled, i);
		return 0;
	}
	if (!strcmp(file, "defrag")) {
		i = match_word(defrag_words, ARRAY_SIZE(defrag_words), value);
		if (i < 0)
			return i;
		WRITE_ONCE(thp.defrag, i);
		return 0;
	}
	if (!strcmp(file, "use_zero_page")) {
		if (parse_ulong(value, &v) || v > 1)
			return -EINVAL;
		WRITE_ONCE(thp.use_zero_page, v);
		return 0;
	}
	if (!strcmp(file, "shmem_enabled")) {
		i = match_word(shmem_words, ARRAY_SIZE(shmem_words), value);
		if (i < 0)
			return i;
		/* shmem THP is not modelled: only "off" settings exist. */
		if (i != SHMEM_HUGE_NEVER && i != SHMEM_HUGE_DENY)
			return -EOPNOTSUPP;
		WRITE_ONCE(thp.shmem_enabled, i);
		return 0;
	}
	if (!strcmp(file, "hpage_pmd_size"))
		return -EPERM;
	order = size_file_order(file, "enabled");
	if (order < 0)
		return order;
	i = match_word(size_words, NR_SIZE_WORDS, value);
	if (i < 0)
		return i;
	thp.huge_anon_orders_always &= ~BIT(order);
	thp.huge_anon_orders_inherit &= ~BIT(order);
	thp.huge_anon_orders_madvise &= ~BIT(order);
	if (i == SIZE_ALWAYS)
		thp.huge_anon_orders_always |= BIT(order);
	else if (i == SIZE_INHERIT)
		thp.huge_anon_orders_inherit |= BIT(order);
	else if (i == SIZE_MADVISE)
		thp.huge_anon_orders_madvise |= BIT(order);
	return 0;
}

int thp_sysfs_get(const char *file, long *value)
{
	int order;

	if (!strcmp(file, "enabled"))
		*value = thp.enabled;
	else if (!strcmp(file, "defrag"))
		*value = thp.defrag;
	else if (!strcmp(file, "use_zero_page"))
		*value = thp.use_zero_page;
	else if (!strcmp(file, "shmem_enabled"))
		*value = thp.shmem_enabled;
	else if (!strcmp(file, "hpage_pmd_size"))
		*value = HPAGE_PMD_SIZE;
	else if ((order = size_file_order(file, "enabled")) >= 0)
		*value = size_setting(order);
	else
		return -ENOENT;
	return 0;
}

/* "always [madvise] never": the words, the selected one bracketed. */
static void show_choice(struct seq_buf *s, const char *file,
			const char *const *words, unsigned int nr,
			unsigned int selected)
{
	unsigned int i;

	seq_printf(s, "%s: ", file);
	for (i = 0; i < nr; i++)
		seq_printf(s, i == selected ? "%s[%s]" : "%s%s",
			   i ? " " : "", words[i]);
	seq_putc(s, '\n');
}

/* Per-size files in the order a shell's glob lists them (by name). */
static int cmp_size_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct size_dir {
	char name[24];			/* "hugepages-64kB" */
	unsigned int order;		/* its order */
};

static unsigned int size_dirs(struct size_dir *dirs)
{
	const char *names[HPAGE_PMD_ORDER + 1];
	struct size_dir tmp[HPAGE_PMD_ORDER + 1];
	unsigned int i, j, nr = 0;

	for (i = 2; i <= HPAGE_PMD_ORDER; i++, nr++) {
		snprintf(tmp[nr].name, sizeof(tmp[nr].name), "hugepages-%lukB",
			 (PAGE_SIZE << i) >> 10);
		tmp[nr].order = i;
		names[nr] = tmp[nr].name;
	}
	qsort(names, nr, sizeof(names[0]), cmp_size_names);
	for (i = 0; i < nr; i++)
		for (j = 0; j < nr; j++)
			if (names[i] == tmp[j].name)
				dirs[i] = tmp[j];
	return nr;
}

int thp_sysfs_render_seq(struct seq_buf *s, bool json)
{
	struct size_dir dirs[HPAGE_PMD_ORDER + 1];
	unsigned int i, nr = size_dirs(dirs);
	struct json_object *obj, *sizes;
	char file[48];
	int err = 0;

	if (!json) {
		show_choice(s, "enabled", enabled_words,
			    ARRAY_SIZE(enabled_words), thp.enabled);
		show_choice(s, "defrag", defrag_words,
			    ARRAY_SIZE(defrag_words), thp.defrag);
		show_choice(s, "shmem_enabled", shmem_words,
			    ARRAY_SIZE(shmem_words), thp.shmem_enabled);
		seq_printf(s, "hpage_pmd_size: %lu\n", HPAGE_PMD_SIZE);
		seq_printf(s, "use_zero_page: %d\n", thp.use_zero_page);
		for (i = 0; i < nr; i++) {
			if (snprintf(file, sizeof(file), "%s/enabled",
				     dirs[i].name) >= (int)sizeof(file))
				continue;	/* names are hugepages-NkB */
			show_choice(s, file, size_words, NR_SIZE_WORDS,
				    size_setting(dirs[i].order));
		}
		return s->err;
	}
	obj = json_new_object(&err);
	json_set_str(obj, "enabled", enabled_words[thp.enabled], &err);
	json_set_str(obj, "defrag", defrag_words[thp.defrag], &err);
	json_set_str(obj, "shmem_enabled", shmem_words[thp.shmem_enabled],
		     &err);
	json_set_u64(obj, "hpage_pmd_size", HPAGE_PMD_SIZE, &err);
	json_set_u64(obj, "use_zero_page", thp.use_zero_page, &err);
	sizes = json_new_object(&err);
	for (i = 0; sizes && i < nr; i++)
		json_set_str(sizes, dirs[i].name,
			     size_words[size_setting(dirs[i].order)], &err);
	json_set(obj, "sizes", sizes, &err);
	return json_show(s, obj, err);
}

int mthp_stats_render_seq(struct seq_buf *s, bool json)
{
	struct size_dir dirs[HPAGE_PMD_ORDER + 1];
	unsigned int i, item, nr = size_dirs(dirs);
	struct json_object *obj, *stats;
	int err = 0;

	obj = json ? json_new_object(&err) : NULL;
	for (i = 0; i < nr; i++) {
		const unsigned long *v = thp_state()->mthp_stats[dirs[i].order];

		stats = json ? json_new_object(&err) : NULL;
		for (item = 0; item < __MTHP_STAT_COUNT; item++) {
			unsigned long val = __atomic_load_n(&v[item],
							    __ATOMIC_RELAXED);

			if (!json)
				seq_printf(s, "%s/stats/%s: %lu\n",
					   dirs[i].name,
					   mthp_stat_names[item], val);
			else if (stats)
				json_set_u64(stats, mthp_stat_names[item], val,
					     &err);
		}
		if (json && obj)
			json_set(obj, dirs[i].name, stats, &err);
	}
	if (!json)
		return s->err;
	return json_show(s, obj, err);
}

int render_thp_sysfs(struct foliage_machine *m, char **out)
{
	return render_seq_text(m, thp_sysfs_render_seq, out);
}

int render_mthp_stats(struct foliage_machine *m, char **out)
{
	return render_seq_text(m, mthp_stats_render_seq, out);
}

/* ---- the subsystem: state and sysfs knobs ---- */

#undef thp	/* from here on, machine->thp itself */

static int thp_init(struct foliage_machine *m)
{
	int nid;

	thp_settings_init();
	for (nid = 0; nid < MAX_NUMNODES; nid++) {
		spin_lock_init(&m->thp->ds_queue[nid].split_queue_lock);
		INIT_LIST_HEAD(&m->thp->ds_queue[nid].split_queue);
	}
	return 0;
}

/* transparent_hugepage/<file>: thp_sysfs_set() and thp_sysfs_get(). */
static const struct machine_render thp_renders[] = {
	{ "thp", thp_sysfs_render_seq },
	{ "mthp_stats", mthp_stats_render_seq },
};

const struct machine_subsys thp_subsys = {
	.name = "thp",
	MACHINE_SUBSYS_STATE(thp),
	.init = thp_init,
	.validate = validate_deferred_split,
	.sysfs_prefix = "transparent_hugepage.",
	.sysfs_set = thp_sysfs_set,
	.sysfs_get = thp_sysfs_get,
	.renders = thp_renders,
	.nr_renders = ARRAY_SIZE(thp_renders),
};
