/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The address-space layer's internal interfaces, grouped by the file that
 * implements them.  Locking follows Linux: mmap_lock (write for VMA
 * changes, read for faults), then the anon_vma/i_mmap locks, then
 * mm->page_table_lock (upper levels) or a PTE table's split lock.
 */
#ifndef _FOLIAGE_LINUX_MM_CONTRACT_H
#define _FOLIAGE_LINUX_MM_CONTRACT_H

#include <linux/gfp.h>
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

struct mmu_gather;
struct seq_buf;

/*
 * Page-table pages are order-0 guest pages (GFP_PGTABLE_USER: zeroed,
 * accounted), typed PageTable, counted in the node's NR_PAGETABLE; the
 * tables below the pgd are also counted in mm->pgtables_bytes (VmPTE).  A
 * PTE table's split lock lives in its ->private; a PMD table's ->lru heads
 * the PTE tables deposited for its huge PMDs.
 */

/* Allocate/free the pgd of a new/dead mm (pgd_alloc/pgd_free). */
int __must_check mm_alloc_pgd(struct mm_struct *mm);
void mm_free_pgd(struct mm_struct *mm);
/*
 * Walk to the entry for @addr, allocating missing tables (as pud_alloc,
 * pmd_alloc, __pte_alloc).  NULL on allocation failure.  The PMD/PUD
 * pointers point into guest RAM.  pte_alloc() does nothing if *@pmd is
 * already a table or a huge PMD.
 */
pud_t *pud_alloc(struct mm_struct *mm, unsigned long addr);
pmd_t *pmd_alloc(struct mm_struct *mm, unsigned long addr);
int __must_check pte_alloc(struct mm_struct *mm, pmd_t *pmd);
/* Walk without allocating; NULL where a table is missing. */
pud_t *pud_lookup(struct mm_struct *mm, unsigned long addr);
pmd_t *pmd_lookup(struct mm_struct *mm, unsigned long addr);
/*
 * Map the PTE for @addr under its table's lock (*ptlp), or NULL if *@pmd
 * is not a PTE table (none, or a huge PMD).
 */
pte_t *pte_offset_map_lock(struct mm_struct *mm, pmd_t *pmd,
			   unsigned long addr, spinlock_t **ptlp);
void pte_unmap_unlock(pte_t *pte, spinlock_t *ptl);
/* The PTE for @addr without locking (NULL if not a table), and its lock. */
pte_t *pte_offset_map(pmd_t *pmd, unsigned long addr);
spinlock_t *pte_lockptr(struct mm_struct *mm, pmd_t *pmd);
/* pte_alloc() then pte_offset_map_lock(); NULL if out of memory. */
pte_t *pte_alloc_map_lock(struct mm_struct *mm, pmd_t *pmd,
			  unsigned long addr, spinlock_t **ptlp);
/* The lock protecting a PMD entry (mm->page_table_lock), taken/unlocked. */
spinlock_t *pmd_lock(struct mm_struct *mm, pmd_t *pmd);
spinlock_t *pmd_lockptr(struct mm_struct *mm, pmd_t *pmd);
/*
 * A PTE table not yet installed (pte_alloc_one), installed into an empty
 * *@pmd by pmd_install() (which consumes *@table: NULL afterwards, unless
 * someone else installed one first), or freed (pte_free).
 */
struct page *pte_alloc_one(struct mm_struct *mm);
void pte_free(struct mm_struct *mm, struct page *table);
void pmd_install(struct mm_struct *mm, pmd_t *pmd, struct page **table);
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
/* THP: keep a PTE table with each huge PMD for its later split. */
void pgtable_trans_huge_deposit(struct mm_struct *mm, pmd_t *pmd,
				struct page *table);
struct page *pgtable_trans_huge_withdraw(struct mm_struct *mm, pmd_t *pmd);
/* mm->pgtables_bytes bookkeeping, one table at a time. */
void mm_inc_nr_ptes(struct mm_struct *mm);
void mm_dec_nr_ptes(struct mm_struct *mm);
/* Entry pointers, as Linux's *_offset(): the upper level must be a table. */
static inline pgd_t *pgd_offset(struct mm_struct *mm, unsigned long addr)
{
	return (pgd_t *)mm->pgd + pgd_index(addr);
}
static inline pud_t *pud_offset(pgd_t *pgd, unsigned long addr)
{
	return (pud_t *)table_address(READ_ONCE(pgd->pgd)) + pud_index(addr);
}
static inline pmd_t *pmd_offset(pud_t *pud, unsigned long addr)
{
	return (pmd_t *)table_address(READ_ONCE(pud->pud)) + pmd_index(addr);
}
/* The struct page of the page-table page holding entry @entry. */
static inline struct page *virt_to_page(const void *entry)
{
	return pfn_to_page(((const char *)entry - this_machine->direct_map) >>
			   PAGE_SHIFT);
}
/* A PMD entry pointing at a PTE table (present, not huge). */
static inline bool pmd_is_table(pmd_t pmd)
{
	return (pmd_val(pmd) & (_PAGE_PRESENT | _PAGE_PSE)) == _PAGE_PRESENT;
}
static inline pte_t ptep_get(pte_t *ptep) { return __pte(READ_ONCE(ptep->pte)); }
static inline void set_pte(pte_t *ptep, pte_t pte) { WRITE_ONCE(ptep->pte, pte.pte); }
static inline pmd_t pmdp_get(pmd_t *pmdp) { return __pmd(READ_ONCE(pmdp->pmd)); }
static inline void set_pmd(pmd_t *pmdp, pmd_t pmd) { WRITE_ONCE(pmdp->pmd, pmd.pmd); }
static inline bool pte_same(pte_t a, pte_t b) { return a.pte == b.pte; }
static inline bool pmd_same(pmd_t a, pmd_t b) { return a.pmd == b.pmd; }
static inline pte_t ptep_get_and_clear(pte_t *ptep)
{
	return __pte(__atomic_exchange_n(&ptep->pte, 0, __ATOMIC_RELAXED));
}
static inline void pte_clear(pte_t *ptep) { set_pte(ptep, __pte(0)); }
/* @nr consecutive PTEs of consecutive pfns: Linux's set_ptes(). */
static inline void set_ptes(pte_t *ptep, pte_t pte, unsigned int nr)
{
	for (;;) {
		set_pte(ptep, pte);
		if (--nr == 0)
			break;
		ptep++;
		pte = __pte(pte_val(pte) + PAGE_SIZE);
	}
}
static inline void ptep_set_wrprotect(pte_t *ptep)
{
	__atomic_fetch_and(&ptep->pte, ~_PAGE_RW, __ATOMIC_RELAXED);
}
static inline struct page *pmd_page(pmd_t pmd) { return pfn_to_page(pmd_pfn(pmd)); }
static inline struct page *pte_page(pte_t pte) { return pfn_to_page(pte_pfn(pte)); }
/* The PTE table page a (non-huge) PMD entry points at. */
static inline struct page *pmd_pgtable(pmd_t pmd)
{
	return pfn_to_page(table_entry_pfn(pmd_val(pmd)));
}
static inline bool is_swap_pmd(pmd_t pmd) { return !pmd_none(pmd) && !pmd_present(pmd); }
static inline pte_t maybe_mkwrite(pte_t pte, struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_WRITE) ? pte_mkwrite(pte) : pte;
}
static inline pmd_t maybe_pmd_mkwrite(pmd_t pmd, struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_WRITE) ? pmd_mkwrite(pmd) : pmd;
}

/* ---- mm/tlb.c: TLB maintenance, counted ---- */

/*
 * struct tlb_stats (machine.h) counts every invalidation; `foliage_render
 * (m, "tlb")` shows them.  x86's rule: a range of more than
 * tlb_single_page_flush_ceiling (33) entries at its stride is a full
 * flush.  Each flush also bumps mm->tlb_flush_seq.
 */
#define TLB_SINGLE_PAGE_FLUSH_CEILING	33
void flush_tlb_mm(struct mm_struct *mm);
void flush_tlb_range(struct vm_area_struct *vma, unsigned long start,
		     unsigned long end);
/* A PMD-sized range at PMD stride (one entry), e.g. pmdp_invalidate(). */
void flush_pmd_tlb_range(struct vm_area_struct *vma, unsigned long start,
			 unsigned long end);
void flush_tlb_page(struct vm_area_struct *vma, unsigned long addr);
/* Clear a PTE/PMD and flush it if it was accessible (ptep_clear_flush). */
pte_t ptep_clear_flush(struct vm_area_struct *vma, unsigned long addr,
		       pte_t *ptep);
pmd_t pmdp_huge_clear_flush(struct vm_area_struct *vma, unsigned long addr,
			    pmd_t *pmdp);
/* Make a huge PMD non-present (keeping PSE) and flush it. */
pmd_t pmdp_invalidate(struct vm_area_struct *vma, unsigned long addr,
		      pmd_t *pmdp);
/* render "tlb": the counters as "name value" lines (or JSON). */
int render_tlb(struct foliage_machine *m, char **out);
int tlb_render_seq(struct seq_buf *s, bool json);
/* Run a seq_buf renderer @fn inside @m and hand its text to *@out. */
int render_seq_text(struct foliage_machine *m,
		    int (*fn)(struct seq_buf *s, bool json), char **out);

/*
 * mmu_gather, Linux's asm-generic/tlb.h: zap clears entries and records
 * the range (tlb_remove_tlb_entry...), queues the pages whose references
 * the mappings held, and queues freed page tables; tlb_flush_mmu() flushes
 * the TLB once for the range, then drops the page references and frees the
 * tables.  Batches are guest pages (GFP_NOWAIT) as in Linux: 8 slots on
 * the stack, then up to MAX_GATHER_BATCH_COUNT pages of MAX_GATHER_BATCH
 * slots; a page range of one folio takes two slots.  When the batches are
 * full, the zap flushes early (the caller sees __tlb_remove_folio_pages()
 * return true).
 */
struct mmu_gather_batch {
	struct mmu_gather_batch *next;	/* next batch, or NULL */
	unsigned int nr;		/* slots used */
	unsigned int max;		/* slots */
	unsigned long slots[];		/* page pointers | flags, page counts */
};
#define MMU_GATHER_BUNDLE	8
#define MAX_GATHER_BATCH	((PAGE_SIZE - 16) / sizeof(void *))
#define MAX_GATHER_BATCH_COUNT	(10000UL / MAX_GATHER_BATCH)
/* Page tables per table batch page (Linux's MAX_TABLE_BATCH). */
#define MAX_TABLE_BATCH		((PAGE_SIZE - 24) / sizeof(void *))

struct mmu_gather {
	struct mm_struct *mm;		/* the mm */
	unsigned long start, end;	/* range to flush; start > end: none */
	bool fullmm;			/* exit: the whole mm goes */
	bool need_flush_all;		/* flush everything, not the range */
	bool freed_tables;		/* page tables were freed */
	bool cleared_ptes;		/* PTEs were cleared: stride 4K */
	bool cleared_pmds;		/* PMDs were cleared: stride 2M */
	bool cleared_puds;		/* PUDs were cleared: stride 1G */
	bool cleared_p4ds;		/* P4Ds (folded: pgd entries) cleared */
	unsigned int batch_count;	/* batch pages allocated */
	struct mmu_gather_batch *active; /* batch being filled */
	struct mmu_gather_batch local;	/* the first, on the stack */
	unsigned long __local_slots[MMU_GATHER_BUNDLE]; /* its slots */
	struct page *table_batch;	/* guest page of tables to free */
	unsigned int nr_tables;		/* tables in it */
};
void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm,
		    bool fullmm);
/* Record that [addr, addr + size) was cleared at PTE/PMD/PUD level. */
void tlb_flush_pte_range(struct mmu_gather *tlb, unsigned long addr,
			 unsigned long size);
void tlb_flush_pmd_range(struct mmu_gather *tlb, unsigned long addr,
			 unsigned long size);
void tlb_flush_pud_range(struct mmu_gather *tlb, unsigned long addr,
			 unsigned long size);
void tlb_flush_p4d_range(struct mmu_gather *tlb, unsigned long addr,
			 unsigned long size);
/*
 * Queue @nr_pages references (one per page) to drop on @page's folio after
 * the flush.  True if the batches are full: the caller must flush
 * (tlb_flush_mmu) before queueing more.
 */
bool __tlb_remove_folio_pages(struct mmu_gather *tlb, struct page *page,
			      unsigned int nr_pages);
/* One reference on @folio's page, for a mapping of @size at @addr. */
void tlb_remove_folio(struct mmu_gather *tlb, struct folio *folio, int refs,
		      unsigned long addr, unsigned long size);
/* Free a page-table page after the flush (pte/pmd/pud_free_tlb). */
void tlb_remove_table(struct mmu_gather *tlb, struct page *table);
/* Flush the TLB for what was gathered (no freeing). */
void tlb_flush_mmu_tlbonly(struct mmu_gather *tlb);
void tlb_flush_mmu(struct mmu_gather *tlb);
void tlb_finish_mmu(struct mmu_gather *tlb);

/* ---- mm/memory.c, mm/huge_memory.c: faults, zap, copy ---- */

#define HPAGE_PMD_MASK		(~(HPAGE_PMD_SIZE - 1))

/* The folio's contents are valid: PG_uptodate, after them (release). */
static inline void folio_mark_uptodate(struct folio *folio)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	folio_set_uptodate(folio);
}

/* The same for a folio nobody else can see yet: no atomic needed. */
static inline void __folio_mark_uptodate(struct folio *folio)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__set_bit(PG_uptodate, &folio->flags);
}

/*
 * Boot of the address-space layer's page side, called by mm_init once the
 * allocator works: LRU lists, THP defaults, the shared zero page (one
 * guest page, PG_reserved, mapped by special PTEs, never refcounted).  The
 * huge zero folio is allocated on its first use (thp_zero_page_alloc).
 * zero_page_exit() frees both at machine teardown.
 */
int __must_check zero_page_init(void);
void zero_page_exit(void);
struct page *zero_page(void);
bool is_zero_pfn(unsigned long pfn);
bool is_huge_zero_pmd(pmd_t pmd);

/* What a zap spares (Linux's struct zap_details). */
struct zap_details {
	struct folio *single_folio;	/* only this folio (truncation) */
	bool even_cows;			/* also anon folios of private maps */
	bool reclaim_pt;		/* free PTE tables left empty */
};

/*
 * Unmap [start, end) of @vma: zap PTEs/PMDs, drop rmap and mm counters,
 * queue the references on @tlb (freed after its flush).  Dirty file
 * folios are marked dirty, young ones accessed.
 */
void unmap_page_range(struct mmu_gather *tlb, struct vm_area_struct *vma,
		      unsigned long start, unsigned long end);
void zap_page_range_single_batched(struct mmu_gather *tlb,
				   struct vm_area_struct *vma,
				   unsigned long addr, unsigned long size,
				   struct zap_details *details);
/* The same with its own mmu_gather and no details. */
void zap_page_range_single(struct vm_area_struct *vma, unsigned long addr,
			   unsigned long size);
/*
 * MADV_DONTNEED of [addr, addr + size) in @vma, as 6.18 does it: zap
 * (even COWed anon pages) and free PTE tables left empty (PT_RECLAIM).
 */
void zap_vma_dontneed(struct mmu_gather *tlb, struct vm_area_struct *vma,
		      unsigned long addr, unsigned long size);
/*
 * fork: copy @src_vma's page tables to @dst_vma, one PTE at a time (the
 * baseline seed 002 batches).  Nothing is copied for VMAs a fault can
 * refill (no anon_vma, not uffd-wp/PFNMAP).  COW mappings are
 * write-protected in parent and child; child PTEs are old; shared
 * mappings' child PTEs clean; uffd-wp dropped unless the child VMA has
 * VM_UFFD_WP.  A possibly pinned anon page is copied for the child at
 * once.  The caller flushes the parent's TLB afterwards (flush_tlb_mm).
 */
int __must_check copy_page_range(struct vm_area_struct *dst_vma,
				 struct vm_area_struct *src_vma);

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
 * caller), with rmap (a private write fault maps a new anon folio): the
 * tail of finish_fault(), also used by fault-around (filemap_map_pages()
 * in mm/shmem.c).  As in Linux, the caller takes the folio references and
 * adds the mm counter.
 */
void set_pte_range(struct vm_fault *vmf, struct folio *folio,
		   struct page *page, unsigned int nr, unsigned long addr);
/* Bytes mapped around a read fault of a file (fault_around_bytes). */
#define FAULT_AROUND_BYTES	65536UL

/* ---- mm/huge_memory.c: THP ---- */

/*
 * Which of @orders (a mask of THP_ORDERS_ALL) @vma may use, for @type:
 * the sysfs policy (per size, "inherit" follows the top level; madvise
 * needs VM_HUGEPAGE), VM_NOHUGEPAGE, anonymous VMAs only; outside the
 * fault path, only orders whose aligned block fits in the VMA.  Linux's
 * thp_vma_allowable_orders().
 */
unsigned long thp_vma_allowable_orders(struct vm_area_struct *vma,
				       vm_flags_t vm_flags,
				       enum tva_type type,
				       unsigned long orders);
static inline bool thp_vma_allowable_order(struct vm_area_struct *vma,
					   vm_flags_t vm_flags,
					   enum tva_type type,
					   unsigned int order)
{
	return thp_vma_allowable_orders(vma, vm_flags, type, BIT(order));
}
/* Orders of @orders whose aligned block around @addr lies in @vma. */
unsigned long thp_vma_suitable_orders(struct vm_area_struct *vma,
				      unsigned long addr,
				      unsigned long orders);
/* The gfp of a THP fault allocation per "defrag" (vma_thp_gfp_mask). */
gfp_t vma_thp_gfp_mask(struct vm_area_struct *vma);
vm_fault_t do_huge_pmd_anonymous_page(struct vm_fault *vmf);
vm_fault_t do_huge_pmd_wp_page(struct vm_fault *vmf);
void huge_pmd_set_accessed(struct vm_fault *vmf);
/* Zap a huge PMD (1) or report it is not one (0). */
int zap_huge_pmd(struct mmu_gather *tlb, struct vm_area_struct *vma,
		 pmd_t *pmd, unsigned long addr);
/* fork of one huge PMD: 0 done, -EAGAIN split (copy PTEs), -ENOMEM. */
int copy_huge_pmd(struct mm_struct *dst_mm, struct mm_struct *src_mm,
		  pmd_t *dst_pmd, pmd_t *src_pmd, unsigned long addr,
		  struct vm_area_struct *dst_vma,
		  struct vm_area_struct *src_vma);
/*
 * Split a PMD mapping into 512 PTEs of the same folio (each page keeps
 * AnonExclusive, the PTEs keep write/young/dirty/soft-dirty/uffd-wp).
 * __split_huge_pmd() takes the PMD lock; split_huge_pmd() is a no-op on
 * anything but a huge PMD; split_huge_pmd_address() finds the PMD.
 */
void __split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd,
		      unsigned long address);
void split_huge_pmd_locked(struct vm_area_struct *vma, unsigned long address,
			   pmd_t *pmd);
void split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd,
		    unsigned long address);
void split_huge_pmd_address(struct vm_area_struct *vma,
			    unsigned long address);
/*
 * Before a VMA's bounds move to @start/@end: split huge PMDs straddling
 * them (vma_adjust_trans_huge; call it for the next VMA too if its start
 * moves).
 */
void vma_adjust_trans_huge(struct vm_area_struct *vma, unsigned long start,
			   unsigned long end);
/* Boot defaults of the knobs (zero_page_init() calls it). */
void thp_settings_init(void);
/* The huge zero folio, allocating it on first use; NULL if that fails. */
struct folio *mm_get_huge_zero_folio(struct mm_struct *mm);
/* hugepages-NkB/stats/ counters. */
static inline void mod_mthp_stat(unsigned int order,
				 enum mthp_stat_item item, long delta)
{
	if (order && order <= THP_PMD_ORDER)
		__atomic_fetch_add(&this_machine->mthp_stats[order][item],
				   delta, __ATOMIC_RELAXED);
}
static inline void count_mthp_stat(unsigned int order,
				   enum mthp_stat_item item)
{
	mod_mthp_stat(order, item, 1);
}
/*
 * The knobs, by their sysfs file under transparent_hugepage/ ("enabled",
 * "defrag", "use_zero_page", "shmem_enabled", "hugepages-64kB/enabled"):
 * foliage_set("transparent_hugepage.<file>") and foliage_get (the value
 * is the index of the selected word, or the number).
 */
int thp_sysfs_set(const char *file, const char *value);
int thp_sysfs_get(const char *file, long *value);
/* render "transparent_hugepage": "file: contents" lines, as the golden. */
int render_thp_sysfs(struct foliage_machine *m, char **out);
int thp_sysfs_render_seq(struct seq_buf *s, bool json);
/* render "mthp_stats": "hugepages-NkB/stats/NAME: value" lines. */
int render_mthp_stats(struct foliage_machine *m, char **out);
int mthp_stats_render_seq(struct seq_buf *s, bool json);

/* ---- mm/swap.c: LRU ---- */

/*
 * New folios go on their node's LRU lists at once (Linux batches them per
 * CPU first; foliage adds them as if drained): inactive anon for
 * swap-backed folios (anon and shmem), inactive file otherwise,
 * unevictable when mlocked.  folio_put() takes a folio off its list when
 * the last reference goes, as in Linux.
 */
void folio_add_lru(struct folio *folio);
void folio_add_lru_vma(struct folio *folio, struct vm_area_struct *vma);
/*
 * An access seen by software (GUP's FOLL_TOUCH, zap of a young PTE):
 * PG_referenced, then activation on the second call.
 */
void folio_mark_accessed(struct folio *folio);
/* MADV_FREE: no longer swap-backed, onto the inactive file list. */
void folio_mark_lazyfree(struct folio *folio);
/* Take a folio off the LRU (isolation for migration); false if not on. */
bool folio_isolate_lru(struct folio *folio);
void folio_putback_lru(struct folio *folio);
/* Set up the LRU lists of every node (from zero_page_init()). */
void lru_init(void);
/* Lists agree with PG_lru and the LRU counters (debug validators). */
int validate_lru(void);

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

/* ---- mm/rmap.c (and include/linux/rmap.h) ---- */
/*
 * Lock order: mmap_lock > i_mmap_rwsem > anon_vma root rwsem > ptl.
 * i_mmap_insert/remove: link @vma into (out of) its file's i_mmap tree,
 * keyed by [vm_pgoff, vm_pgoff + vma_pages - 1]; caller holds
 * mapping->i_mmap_rwsem for write (i_mmap_lock_write) and removes before
 * changing vm_start, vm_end or vm_pgoff, inserting again after.
 */
void i_mmap_insert(struct address_space *mapping, struct vm_area_struct *vma);
void i_mmap_remove(struct address_space *mapping, struct vm_area_struct *vma);
/*
 * Before (pre) and after (post) mm/vma.c changes vm_start, vm_end or
 * vm_pgoff of @vma: take each of its avcs off its anon_vma's interval tree
 * and put it back with the new range.  Caller holds the anon_vma lock
 * (anon_vma_lock_write(vma->anon_vma)).
 */
void anon_vma_interval_tree_pre_update_vma(struct vm_area_struct *vma);
void anon_vma_interval_tree_post_update_vma(struct vm_area_struct *vma);
static inline void i_mmap_lock_write(struct address_space *mapping)
{
	down_write_class(&mapping->i_mmap_rwsem, LOCK_CLASS_I_MMAP);
}

static inline void i_mmap_unlock_write(struct address_space *mapping)
{
	up_rwsem(&mapping->i_mmap_rwsem);
}

static inline bool i_mmap_trylock_read(struct address_space *mapping)
{
	return down_read_trylock_class(&mapping->i_mmap_rwsem,
				       LOCK_CLASS_I_MMAP);
}

static inline void i_mmap_lock_read(struct address_space *mapping)
{
	down_read_class(&mapping->i_mmap_rwsem, LOCK_CLASS_I_MMAP);
}

static inline void i_mmap_unlock_read(struct address_space *mapping)
{
	up_rwsem(&mapping->i_mmap_rwsem);
}

/* ---- mm/slab.c: object caches with slabinfo accounting ---- */
struct kmem_cache;
/* A cache of @object_size-byte objects, accounted at that size (8-aligned). */
struct kmem_cache *kmem_cache_create(const char *name, size_t object_size);
/*
 * A cache whose objects take @host_size bytes here but are accounted as
 * Linux's @linux_size (its s->size, the "objsize" column of slabinfo).
 */
struct kmem_cache *kmem_cache_create_as(const char *name, size_t host_size,
					unsigned int linux_size);
void kmem_cache_destroy(struct kmem_cache *s);
/* A zeroed object, or NULL (host out of memory, or failslab). */
void *kmem_cache_zalloc(struct kmem_cache *s);
void kmem_cache_free(struct kmem_cache *s, void *obj);

/*
 * The machine's caches of the address-space layer, created at boot by
 * kmem_caches_init() (from foliage_machine_create()) and freed by
 * kmem_caches_exit() (foliage_machine_destroy()); both are idempotent.
 * Linux's object sizes on x86-64 (6.18, /proc/slabinfo "objsize"):
 */
#define VM_AREA_STRUCT_LINUX_BYTES	192
#define ANON_VMA_LINUX_BYTES		104
#define ANON_VMA_CHAIN_LINUX_BYTES	64
#define vm_area_cachep		(this_machine->cache_vm_area_struct)
#define anon_vma_cachep		(this_machine->cache_anon_vma)
#define anon_vma_chain_cachep	(this_machine->cache_anon_vma_chain)
int __must_check kmem_caches_init(struct foliage_machine *m);
void kmem_caches_exit(struct foliage_machine *m);

/* One row of /proc/slabinfo, and foliage's own two counters. */
struct slabinfo {
	char name[32];			/* cache name */
	unsigned long active_objs;	/* objects in use */
	unsigned long num_objs;		/* objects in all slabs */
	unsigned int objsize;		/* Linux's object size, bytes */
	unsigned int objperslab;	/* objects per slab */
	unsigned int pagesperslab;	/* pages per slab */
	unsigned long active_slabs;	/* slabs with objects in use */
	unsigned long num_slabs;	/* slabs */
	unsigned long total_allocs;	/* allocations ever (not shown) */
	unsigned long failed;		/* failslab failures (not shown) */
};
void kmem_cache_get_info(const struct kmem_cache *s, struct slabinfo *info);
/* SLUB's order of a slab of @size-byte objects on @nr_cpus CPUs. */
unsigned int slab_calculate_order(unsigned int size, unsigned int nr_cpus);
/* Every cache of @m, newest first (malloc()ed array in *@rows). */
int slabinfo_snapshot(struct foliage_machine *m, struct slabinfo **rows,
		      unsigned int *nr_rows);
/* Linux's /proc/slabinfo text of @rows; and the same as JSON. */
void slabinfo_show(struct seq_buf *s, const struct slabinfo *rows,
		   unsigned int nr_rows);
struct json_object;
struct json_object *slabinfo_json(const struct slabinfo *rows,
				  unsigned int nr_rows, int *err);
/*
 * render "slabinfo" (foliage_render's table takes slabinfo_render_seq),
 * and the text alone (malloc()ed in *@out).
 */
int slabinfo_render_seq(struct seq_buf *s, bool json);
int render_slabinfo(struct foliage_machine *m, char **out);

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
