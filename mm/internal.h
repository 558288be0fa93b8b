/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mm-internal declarations shared by the files of mm/.
 */
#ifndef _FOLIAGE_MM_INTERNAL_H
#define _FOLIAGE_MM_INTERNAL_H

#include <linux/gfp.h>
#include <linux/vmstat.h>
#include <linux/fault-inject.h>

/* Free Page Internal flags, for __free_one_page() and friends. */
typedef unsigned int fpi_t;
#define FPI_NONE		0
#define FPI_SKIP_REPORT_NOTIFY	BIT(0)	/* don't tell page reporting */
#define FPI_TO_TAIL		BIT(1)	/* put the block at the list tail */
#define FPI_ZEROED		BIT(4)	/* contents known zero: set PG_zeroed */

/* No user address to zero around: clear in address order. */
#define USER_ADDR_NONE		(~0UL)

/* alloc_flags, as in mm/internal.h. */
#define ALLOC_WMARK_MIN		WMARK_MIN
#define ALLOC_WMARK_LOW		WMARK_LOW
#define ALLOC_WMARK_HIGH	WMARK_HIGH
#define ALLOC_NO_WATERMARKS	0x04
#define ALLOC_WMARK_MASK	(ALLOC_NO_WATERMARKS - 1)
#define ALLOC_OOM		0x08
#define ALLOC_NON_BLOCK		0x10
#define ALLOC_MIN_RESERVE	0x20
#define ALLOC_CPUSET		0x40
#define ALLOC_NOFRAGMENT	0x100
#define ALLOC_HIGHATOMIC	0x200
/* foliage's own (vm.zero_aware_alloc): which blocks to prefer */
#define ALLOC_ZERO_AWARE	0x1000	/* keep zeroed and dirty apart */
#define ALLOC_PREFER_ZERO	0x2000	/* the caller zeroes: known-zero first */
#define ALLOC_RESERVES	(ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | \
			 ALLOC_HIGHATOMIC | ALLOC_OOM)

/*
 * What one allocation carries through the page allocator.  user_addr is the
 * fault address of a user allocation (seed 000): zeroing clears the page
 * containing it last, so that it is cache-hot when the fault returns.
 */
struct alloc_context {
	struct zonelist *zonelist;	/* zones to try, in order */
	int preferred_nid;		/* node asked for */
	enum zone_type highest_zoneidx;	/* highest zone gfp allows */
	int migratetype;		/* from gfp */
	unsigned long user_addr;	/* fault address, or USER_ADDR_NONE */
	bool frozen;			/* hand out with refcount 0 */
};

static inline bool pcp_allowed_order(unsigned int order)
{
	return order <= PAGE_ALLOC_COSTLY_ORDER || order == HPAGE_PMD_ORDER;
}

static inline unsigned long pageblock_start_pfn(unsigned long pfn)
{
	return ALIGN_DOWN(pfn, pageblock_nr_pages);
}

static inline bool is_migrate_isolate(int mt)
{
	return mt == MIGRATE_ISOLATE;
}

static inline bool migratetype_is_mergeable(int mt)
{
	return mt < MIGRATE_PCPTYPES;
}

static inline bool free_area_empty(const struct free_area *area, int mt)
{
	return list_empty(&area->free_list[mt]);
}

/* page_alloc.c */
struct page *__alloc_pages_ac(gfp_t gfp, unsigned int order, int nid,
			      unsigned long user_addr, bool frozen);
void __free_frozen_pages(struct page *page, unsigned int order, fpi_t fpi);
/* swap.c: a folio's last reference went: off the LRU, then freed. */
void __folio_put(struct folio *folio, fpi_t fpi);
void set_pageblock_migratetype(struct page *page, int mt);
bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
		       int highest_zoneidx, unsigned int alloc_flags);
void setup_per_zone_wmarks(void);
void zone_pcp_update(struct zone *zone);
void zone_pcp_disable(struct zone *zone);
void zone_pcp_enable(struct zone *zone);
void __free_pages_core(struct page *page, unsigned int order);
void build_all_zonelists(void);
int find_free_block_head(unsigned long pfn, unsigned long *head_pfn,
			 unsigned int *order);

/* mm_init.c: deferred struct page initialisation */
void init_deferred_block(struct zone *zone, struct page *page);
static inline bool block_is_deferred(const struct zone *zone,
				     unsigned long pfn)
{
	unsigned long idx = (pfn - zone->zone_start_pfn) >> MAX_PAGE_ORDER;

	return zone->deferred_init && test_bit(idx, zone->deferred_init);
}
void init_single_page(struct page *page);

/* A free max-order block still on no list (head struct page unwritten). */
static inline bool block_is_unlisted(const struct zone *zone,
				     unsigned long pfn)
{
	unsigned long idx = (pfn - zone->zone_start_pfn) >> MAX_PAGE_ORDER;

	return zone->nr_unlisted && test_bit(idx, zone->unlisted);
}
struct page *list_unlisted_block(struct zone *zone, unsigned long idx);
unsigned long free_list_nr(struct zone *zone, unsigned int order, int mt,
			   unsigned long cap);
/* The lowest unlisted block, listed at its place; zone->lock held. */
struct page *free_list_next_unlisted(struct zone *zone);

/* fail_page_alloc.c */
bool __should_fail_alloc_page(gfp_t gfp, unsigned int order);
/* Off unless fail_page_alloc.probability is set: keep that test inline. */
static __always_inline bool should_fail_alloc_page(gfp_t gfp,
						   unsigned int order)
{
	struct fault_attr *attr = &this_machine->fault_inject->fail_page_alloc;

	if (likely(!READ_ONCE(attr->probability)))
		return false;
	return __should_fail_alloc_page(gfp, order);
}

/* debug.c */
int validate_zone(struct zone *zone);
int validate_machine(void);
bool memchr_inv_zero(const void *p, size_t bytes);
void check_zeroed_content(struct page *page, unsigned int order,
			  const char *why);

/* vmstat.c */
unsigned long zone_numa_event_state(const struct zone *zone,
				    enum numa_stat_item item);

/* pgtable.c: freeing page tables (the caller holds mmap_lock for write) */
struct mmu_gather;
/*
 * Free the page tables of [addr, end) that no VMA outside it uses, within
 * [floor, ceiling) (0 ceiling: the top): Linux's free_pgd_range().  Tables
 * go to @tlb and are freed after its flush.  free_pgtables() is the same
 * with its own mmu_gather (one more flush).
 */
void free_pgd_range(struct mmu_gather *tlb, unsigned long addr,
		    unsigned long end, unsigned long floor,
		    unsigned long ceiling);
void free_pgtables(struct mm_struct *mm, unsigned long start,
		   unsigned long end, unsigned long floor,
		   unsigned long ceiling);
/* Clear *@pmd and free its PTE table via @tlb (@addr: the PMD's range). */
void free_pte_range(struct mmu_gather *tlb, pmd_t *pmd, unsigned long addr);

/* mremap.c */
unsigned long move_page_tables(struct vm_area_struct *vma,
			       unsigned long old_addr,
			       struct vm_area_struct *new_vma,
			       unsigned long new_addr, unsigned long len);

/* gup.c */
/*
 * MADV_POPULATE_(READ|WRITE) of [start, end) inside @vma (Linux's
 * faultin_page_range(), in mm/gup.c as there): 0, or -ENOMEM (no VMA, out
 * of memory), -EINVAL (VMA forbids the access), -EFAULT (SIGBUS/SIGSEGV),
 * -EHWPOISON.  Caller holds mmap_lock for read.
 */
int __must_check faultin_page_range(struct vm_area_struct *vma,
				    unsigned long start, unsigned long end,
				    bool write);
/*
 * MAP_POPULATE (and mlock): fault in [start, end) of @vma, writing to
 * break COW in private writable mappings; pages done or -errno.
 */
long populate_vma_page_range(struct vm_area_struct *vma, unsigned long start,
			     unsigned long end);

/*
 * mm/page_alloc.c: make @page the head of a compound page of @order (its
 * tails point at it, the large-folio fields initialised).
 */
void prep_compound_page(struct page *page, unsigned int order);
/*
 * mm/huge_memory.c: turn unmapped large @folio into order-0 folios in
 * place (each tail gets the head's flags that survive a split, its
 * ->mapping and ->index; the head loses PG_head).  The tails' references
 * are the caller's to set (their refcount is 0).
 */
void __split_unmapped_folio(struct folio *folio);

/* ---- PTE batching (issue 12; docs/pte-batching.md) ---- */
#include <linux/mm.h>

/* Soft-dirty tracking is on once clear_refs cleared VM_SOFTDIRTY. */
static inline bool vma_soft_dirty_enabled(const struct vm_area_struct *vma)
{
	return !(vma->vm_flags & VM_SOFTDIRTY);
}

/* How folio_pte_batch_flags() compares and merges entries. */
typedef unsigned int fpb_t;
#define FPB_RESPECT_DIRTY	BIT(0)	/* dirty bits must match */
#define FPB_RESPECT_SOFT_DIRTY	BIT(1)	/* soft-dirty bits must match */
#define FPB_RESPECT_WRITE	BIT(2)	/* write bits must match */
#define FPB_MERGE_WRITE		BIT(3)	/* any writable: *ptentp writable */
#define FPB_MERGE_YOUNG_DIRTY	BIT(4)	/* OR young/dirty into *ptentp */

/* @pte with the bits the batch ignores normalised away. */
static inline pte_t __pte_batch_clear_ignored(pte_t pte, fpb_t flags)
{
	if (!(flags & FPB_RESPECT_DIRTY))
		pte = pte_mkclean(pte);
	if (likely(!(flags & FPB_RESPECT_SOFT_DIRTY)))
		pte = pte_clear_soft_dirty(pte);
	if (likely(!(flags & FPB_RESPECT_WRITE)))
		pte = pte_wrprotect(pte);
	return pte_mkold(pte);
}

/*
 * How many PTEs from @ptep, at most @max_nr, map consecutive pages of the
 * large @folio with the same bits once normalised (always old; clean
 * unless FPB_RESPECT_DIRTY, soft-dirty cleared unless
 * FPB_RESPECT_SOFT_DIRTY, write-protected unless FPB_RESPECT_WRITE):
 * uffd-wp, protections and PROT_NONE must match.  Never past the folio's
 * last page; the caller bounds @max_nr by the PMD and the VMA.  *@ptentp
 * is the first entry (a copy, not a table slot); FPB_MERGE_* OR the
 * others' write, young and dirty bits into it.  pte_batch_hint() lets a
 * contiguous block be taken whole without reading its entries (arm64's
 * ptep_get() already ORs their young and dirty bits).  Caller holds the
 * PTE lock.
 */
static inline unsigned int folio_pte_batch_flags(struct folio *folio,
						 struct vm_area_struct *vma,
						 pte_t *ptep, pte_t *ptentp,
						 unsigned int max_nr,
						 fpb_t flags)
{
	bool any_writable = false, any_young = false, any_dirty = false;
	pte_t pte = *ptentp, expected;
	unsigned int nr, cur;

	VM_WARN_ON(!pte_present(pte) || !folio_test_large(folio) || !max_nr);
	max_nr = min((unsigned long)max_nr,
		     folio_pfn(folio) + folio_nr_pages(folio) - pte_pfn(pte));
	nr = pte_batch_hint(ptep, pte);
	expected = __pte_batch_clear_ignored(pte_advance_pfn(pte, nr), flags);
	ptep += nr;
	while (nr < max_nr) {
		pte = ptep_get(ptep);
		if (!pte_same(__pte_batch_clear_ignored(pte, flags), expected))
			break;
		if (flags & FPB_MERGE_WRITE)
			any_writable |= pte_write(pte);
		if (flags & FPB_MERGE_YOUNG_DIRTY) {
			any_young |= pte_young(pte);
			any_dirty |= pte_dirty(pte);
		}
		cur = pte_batch_hint(ptep, pte);
		expected = pte_advance_pfn(expected, cur);
		ptep += cur;
		nr += cur;
	}
	if (any_writable)
		*ptentp = pte_mkwrite(*ptentp);
	if (any_young)
		*ptentp = pte_mkyoung(*ptentp);
	if (any_dirty)
		*ptentp = pte_mkdirty(*ptentp);
	(void)vma;
	return min(nr, max_nr);
}

/* folio_pte_batch(): the plain batch (no bit respected, nothing merged). */
static inline unsigned int folio_pte_batch(struct folio *folio, pte_t *ptep,
					   pte_t pte, unsigned int max_nr)
{
	return folio_pte_batch_flags(folio, NULL, ptep, &pte, max_nr, 0);
}

/* vm.drop_caches' write (mm/drop_caches.c). */
struct ctl_table;
int drop_caches_sysctl_handler(const struct ctl_table *t, void *data, long v);

#endif /* _FOLIAGE_MM_INTERNAL_H */
