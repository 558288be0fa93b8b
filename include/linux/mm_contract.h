/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The address-space layer's internal interfaces, grouped by the file that
 * implements them.  Locking follows Linux: mmap_lock (write for VMA
 * changes, read for faults), then the anon_vma/i_mmap locks, then
 * mm->page_table_lock (upper levels) or a PTE table's split lock.
 */
#ifndef _FOLIAGE_LINUX_MM_CONTRACT_H
#define _FOLIAGE_LINUX_MM_CONTRACT_H

#include <linux/pgtable.h>
#include <linux/rmap.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/err.h>

struct foliage_task {
	struct task_struct task;	/* the kernel's view */
	struct foliage_machine *machine; /* owner */
	struct list_head pins;		/* foliage_pin() ranges (mm/gup.c) */
};

/* ---- mm/pgtable.c: page-table pages and walking ---- */

/* Allocate/free the pgd of a new/dead mm (pgd_alloc/pgd_free). */
int __must_check mm_alloc_pgd(struct mm_struct *mm);
void mm_free_pgd(struct mm_struct *mm);
/*
 * Walk to the entry for @addr, allocating missing tables (as pud_alloc,
 * pmd_alloc, __pte_alloc).  NULL on allocation failure.  The PMD/PUD
 * pointers point into guest RAM.
 */
pud_t *pud_alloc(struct mm_struct *mm, unsigned long addr);
pmd_t *pmd_alloc(struct mm_struct *mm, unsigned long addr);
int __must_check pte_alloc(struct mm_struct *mm, pmd_t *pmd);
/* Walk without allocating; NULL where a table is missing. */
pud_t *pud_lookup(struct mm_struct *mm, unsigned long addr);
pmd_t *pmd_lookup(struct mm_struct *mm, unsigned long addr);
/* Map the PTE for @addr under its table's lock (*ptlp), or NULL. */
pte_t *pte_offset_map_lock(struct mm_struct *mm, pmd_t *pmd,
			   unsigned long addr, spinlock_t **ptlp);
void pte_unmap_unlock(pte_t *pte, spinlock_t *ptl);
/* The lock protecting a PMD entry (mm->page_table_lock). */
spinlock_t *pmd_lock(struct mm_struct *mm, pmd_t *pmd);
/* Free the page tables covering [floor, ceiling) below @vma range. */
void free_pgtables(struct mm_struct *mm, unsigned long start,
		   unsigned long end, unsigned long floor,
		   unsigned long ceiling);
static inline pte_t ptep_get(pte_t *ptep) { return __pte(READ_ONCE(ptep->pte)); }
static inline void set_pte(pte_t *ptep, pte_t pte) { WRITE_ONCE(ptep->pte, pte.pte); }
static inline pmd_t pmdp_get(pmd_t *pmdp) { return __pmd(READ_ONCE(pmdp->pmd)); }
static inline void set_pmd(pmd_t *pmdp, pmd_t pmd) { WRITE_ONCE(pmdp->pmd, pmd.pmd); }

/* ---- mm/tlb.c: TLB maintenance, counted ---- */

/* Counters of the TLB model (shown by `show tlb`). */
struct tlb_stats {
	unsigned long flush_all;	/* whole-mm flushes */
	unsigned long flush_range;	/* ranged flush operations */
	unsigned long flush_pages;	/* pages covered by ranged flushes */
	unsigned long flush_one;	/* single-page flushes */
};
void flush_tlb_mm(struct mm_struct *mm);
void flush_tlb_range(struct vm_area_struct *vma, unsigned long start,
		     unsigned long end);
void flush_tlb_page(struct vm_area_struct *vma, unsigned long addr);
/* mmu_gather: batch freed folios and one flush, as zap does. */
struct mmu_gather {
	struct mm_struct *mm;		/* the mm */
	unsigned long start, end;	/* range to flush */
	bool fullmm;			/* exit: flush everything once */
	unsigned int nr;		/* folios batched */
	struct folio *folios[256];	/* freed after the flush */
	int refs[256];			/* references to drop on each */
};
void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm,
		    bool fullmm);
void tlb_remove_folio(struct mmu_gather *tlb, struct folio *folio, int refs,
		      unsigned long addr, unsigned long size);
void tlb_flush_mmu(struct mmu_gather *tlb);
void tlb_finish_mmu(struct mmu_gather *tlb);

/* ---- mm/memory.c, mm/huge_memory.c: faults, zap, copy ---- */

/* The shared zero page (and huge zero folio), set up at boot. */
int __must_check zero_page_init(void);
void zero_page_exit(void);
extern __thread struct page *empty_zero_page_tls; /* see memory.c */
struct page *zero_page(void);
bool is_zero_pfn(unsigned long pfn);

/* Unmap [start, end) of @vma: zap PTEs/PMDs, drop rmap, free via @tlb. */
void unmap_page_range(struct mmu_gather *tlb, struct vm_area_struct *vma,
		      unsigned long start, unsigned long end);
void zap_page_range_single(struct vm_area_struct *vma, unsigned long addr,
			   unsigned long size);
/* fork: copy @src_vma's page tables to @dst_vma (one PTE at a time). */
int __must_check copy_page_range(struct vm_area_struct *dst_vma,
				 struct vm_area_struct *src_vma);
/* Split a PMD-mapped THP into PTEs (before a partial unmap/mprotect). */
void split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd,
		    unsigned long address);
/* Split PMD mappings that straddle @addr in @vma (vma_adjust_trans_huge). */
void vma_adjust_trans_huge(struct vm_area_struct *vma, unsigned long start,
			   unsigned long end);
/* THP policy: which orders @vma may use at @addr for an anon fault. */
unsigned long thp_vma_allowable_orders(struct vm_area_struct *vma,
				       vm_flags_t vm_flags,
				       unsigned long addr);
/* LRU: new folios go on the node's LRU lists (PG_lru). */
void folio_add_lru(struct folio *folio);
/* Drop a reference; on the last one free (removing from the LRU). */
void folio_put_lru(struct folio *folio);
/*
 * An access seen by software (GUP's FOLL_TOUCH): PG_referenced, then
 * activation on the second call, as Linux's mm/swap.c.
 */
void folio_mark_accessed(struct folio *folio);

/*
 * The page mapped by a present PTE/PMD, or NULL for the shared zero page
 * and other special mappings (smaps and GUP skip those).
 */
struct page *vm_normal_page(struct vm_area_struct *vma, unsigned long addr,
			    pte_t pte);
struct folio *vm_normal_folio(struct vm_area_struct *vma, unsigned long addr,
			      pte_t pte);
struct page *vm_normal_page_pmd(struct vm_area_struct *vma,
				unsigned long addr, pmd_t pmd);
/*
 * Map @nr pages of @folio from @page at @addr into vmf->pte (locked by the
 * caller), with rmap, as Linux's set_pte_range(): the tail of
 * finish_fault(), also used by fault-around (filemap_map_pages() in
 * mm/shmem.c).  The caller adds the mm counter, as in Linux.
 */
void set_pte_range(struct vm_fault *vmf, struct folio *folio,
		   struct page *page, unsigned int nr, unsigned long addr);

/* ---- mm/mprotect.c, mm/mremap.c: page-table parts ---- */
long change_protection(struct vm_area_struct *vma, unsigned long start,
		       unsigned long end, pgprot_t newprot);
unsigned long move_page_tables(struct vm_area_struct *vma,
			       unsigned long old_addr,
			       struct vm_area_struct *new_vma,
			       unsigned long new_addr, unsigned long len);

/* ---- mm/vma.c, mm/mmap.c: VMAs ---- */
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
struct vm_area_struct *vm_area_dup(struct vm_area_struct *vma);
void vm_area_free(struct vm_area_struct *vma);
int __must_check vma_link(struct mm_struct *mm, struct vm_area_struct *vma);
struct mm_struct *mm_alloc(void);
void mmput(struct mm_struct *mm);
int __must_check dup_mmap(struct mm_struct *mm, struct mm_struct *oldmm);
void exit_mmap(struct mm_struct *mm);
int __must_check do_munmap(struct mm_struct *mm, unsigned long start,
			   unsigned long len);

/* ---- mm/rmap.c ---- */
/* Lock order: mmap_lock > anon_vma root rwsem > i_mmap_rwsem > ptl. */
void anon_vma_lock_write(struct anon_vma *anon_vma);
void anon_vma_unlock_write(struct anon_vma *anon_vma);
void i_mmap_insert(struct address_space *mapping, struct vm_area_struct *vma);
void i_mmap_remove(struct address_space *mapping, struct vm_area_struct *vma);

/* ---- mm/slab.c: object caches with slabinfo accounting ---- */
struct kmem_cache;
struct kmem_cache *kmem_cache_create(const char *name, size_t object_size);
void kmem_cache_destroy(struct kmem_cache *s);
void *kmem_cache_zalloc(struct kmem_cache *s);
void kmem_cache_free(struct kmem_cache *s, void *obj);

/* ---- mm/shmem.c, mm/gup.c, mm/task_mmu.c ---- */

/*
 * A file as the public API hands it out: every struct file foliage opens
 * (memfds, and the "dev/zero" files of shared anonymous mappings) is the
 * first member of one of these, freed with the last fput().
 */
struct foliage_file {
	struct file file;		/* the open file */
	struct foliage_machine *machine; /* the machine it lives in */
};

/*
 * One page fault, as the core (mm/memory.c) hands it to a VMA's
 * vm_operations (Linux's struct vm_fault).
 */
struct vm_fault {
	struct vm_area_struct *vma;	/* the faulting VMA */
	gfp_t gfp_mask;			/* for allocations */
	pgoff_t pgoff;			/* page offset of address in the backing */
	unsigned long address;		/* faulting address, page aligned */
	unsigned long real_address;	/* faulting address as accessed */
	unsigned int flags;		/* FAULT_FLAG_* */
	pud_t *pud;			/* the PUD entry of address */
	pmd_t *pmd;			/* the PMD entry of address */
	union {
		pte_t orig_pte;		/* the PTE when the fault began */
		pmd_t orig_pmd;		/* the PMD, for huge faults */
	};
	struct page *cow_page;		/* private copy for a COW fault */
	struct page *page;		/* ->fault's result */
	pte_t *pte;			/* mapped PTE (map_pages, finish_fault) */
	spinlock_t *ptl;		/* lock of that PTE table */
};

/* shmem's fault-around: map cached folios of [start_pgoff, end_pgoff]. */
vm_fault_t filemap_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff,
			     pgoff_t end_pgoff);

/* The mm counter (MM_ANONPAGES, MM_SHMEMPAGES...) a folio's pages count in. */
static inline int mm_counter(const struct folio *folio)
{
	if (folio_test_anon(folio))
		return MM_ANONPAGES;
	return mm_counter_file(folio);
}

/*
 * get_user_pages: walk [start, start + nr_pages pages) of @mm as @gup_flags
 * say (FOLL_WRITE, FOLL_PIN, FOLL_GET, FOLL_FORCE, FOLL_TOUCH...), faulting
 * pages in with handle_mm_fault(), and take a reference (FOLL_GET) or a
 * pin (FOLL_PIN) on each page into @pages (may be NULL with neither).
 * Returns the number of pages done, or -errno if none was: -EFAULT where
 * the task would get SIGSEGV/SIGBUS, -ENOMEM.  Caller holds mmap_lock
 * for read.
 */
long get_user_pages_remote(struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages);
long pin_user_pages_remote(struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages);
void unpin_user_page(struct page *page);
void unpin_user_pages(struct page **pages, unsigned long npages);
/*
 * The page mapped at @address of @vma, referenced or pinned as @foll_flags
 * say; NULL if nothing suitable is mapped (the caller faults and retries),
 * ERR_PTR(-EFAULT) for a page it may not have, ERR_PTR(-EMLINK) when a
 * read-only pin needs the page unshared first (gup_must_unshare()).
 * Caller holds mmap_lock.
 */
struct page *follow_page_mask(struct vm_area_struct *vma,
			      unsigned long address, unsigned int foll_flags,
			      unsigned long *page_mask);
/* Release every foliage_pin() the task still holds (at exit, like a
 * driver's file being closed). */
void gup_task_exit(struct foliage_task *task);
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

/* ---- mm/validate_mm.c ---- */
int validate_mm(struct mm_struct *mm);

#endif /* _FOLIAGE_LINUX_MM_CONTRACT_H */
