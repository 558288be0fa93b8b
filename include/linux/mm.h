/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The address-space layer's core interface: pfn <-> page <-> address,
 * refcounts and folio accessors, VMAs, faults, page-table pages, zap and
 * copy, GUP.  Locking follows Linux: mmap_lock (write for VMA changes,
 * read for faults), then the anon_vma/i_mmap locks, then
 * mm->page_table_lock (upper levels) or a PTE table's split lock.
 *
 * Include order (no cycle): machine.h (types only) < memory_model.h <
 * pgtable.h < mm.h < everything else (gfp.h, fs.h, rmap.h, huge_mm.h,
 * swap.h, slab.h, shmem_fs.h, asm-generic/tlb.h).
 */
#ifndef _FOLIAGE_LINUX_MM_H
#define _FOLIAGE_LINUX_MM_H

#include <linux/machine.h>
#include <linux/mmap_lock.h>
#include <linux/page-flags.h>
#include <linux/mmzone.h>
#include <asm-generic/memory_model.h>
#include <linux/pgtable.h>

struct mmu_gather;

static inline unsigned long folio_pfn(const struct folio *folio)
{
	return page_to_pfn(&folio->page);
}

static inline void *page_address(const struct page *page)
{
	return pfn_to_virt(page_to_pfn(page));
}

static inline void *folio_address(const struct folio *folio)
{
	return page_address(&folio->page);
}

static inline int pfn_to_nid(unsigned long pfn)
{
	return pfn >> this_machine->node_shift;
}

static inline int page_to_nid(const struct page *page)
{
	return pfn_to_nid(page_to_pfn(page));
}

/*
 * Whether @pfn is guest RAM with a struct page.  Any value is safe to ask
 * about: the node index is computed unsigned, so a huge pfn is past the
 * last node rather than a negative index.
 */
static inline bool pfn_valid(unsigned long pfn)
{
	struct foliage_machine *m = this_machine;
	unsigned long nid = pfn >> m->node_shift;

	if (nid >= (unsigned long)m->nr_nodes)
		return false;
	return pfn - m->node_data[nid]->node_start_pfn <
	       m->node_data[nid]->node_present_pages;
}

static inline struct zone *pfn_zone(unsigned long pfn)
{
	pg_data_t *pgdat = NODE_DATA(pfn_to_nid(pfn));

	if (pfn >= pgdat->node_zones[ZONE_MOVABLE].zone_start_pfn &&
	    pgdat->node_zones[ZONE_MOVABLE].spanned_pages)
		return &pgdat->node_zones[ZONE_MOVABLE];
	return &pgdat->node_zones[ZONE_NORMAL];
}

static inline struct zone *page_zone(const struct page *page)
{
	return pfn_zone(page_to_pfn(page));
}

static inline struct zone *folio_zone(const struct folio *folio)
{
	return page_zone(&folio->page);
}

static inline int folio_nid(const struct folio *folio)
{
	return page_to_nid(&folio->page);
}

/* Refcounts. */
static inline int page_ref_count(const struct page *page)
{
	return atomic_read(&page->_refcount);
}

static inline void set_page_count(struct page *page, int v)
{
	atomic_set(&page->_refcount, v);
}

static inline void set_page_refcounted(struct page *page)
{
	set_page_count(page, 1);
}

static inline void page_ref_inc(struct page *page)
{
	atomic_inc(&page->_refcount);
}

static inline bool page_ref_dec_and_test(struct page *page)
{
	return atomic_dec_and_test(&page->_refcount);
}

static inline int folio_ref_count(const struct folio *folio)
{
	return page_ref_count(&folio->page);
}

static inline void folio_get(struct folio *folio)
{
	page_ref_inc(&folio->page);
}

static inline void folio_ref_add(struct folio *folio, int nr)
{
	atomic_add(nr, &folio->_refcount);
}

static inline void folio_ref_sub(struct folio *folio, int nr)
{
	atomic_sub(nr, &folio->_refcount);
}

static inline bool folio_ref_sub_and_test(struct folio *folio, int nr)
{
	return atomic_sub_return(nr, &folio->_refcount) == 0;
}

/* Folio geometry. */
static inline bool folio_test_large(const struct folio *folio)
{
	return PageHead(&folio->page);
}

static inline unsigned int folio_order(const struct folio *folio)
{
	if (!folio_test_large(folio))
		return 0;
	/* Atomic bit ops change the other bits (partially_mapped). */
	return READ_ONCE(folio->_flags_1) & 0xff;
}

static inline unsigned long folio_nr_pages(const struct folio *folio)
{
	if (!folio_test_large(folio))
		return 1;
	return folio->_folio_nr_pages;
}

static inline size_t folio_size(const struct folio *folio)
{
	return PAGE_SIZE << folio_order(folio);
}

static inline unsigned int compound_order(const struct page *page)
{
	if (!PageHead(page))
		return 0;
	return folio_order((const struct folio *)page);
}

static inline void set_compound_head(struct page *page, struct page *head)
{
	WRITE_ONCE(page->compound_head, (unsigned long)head + 1);
}

static inline void clear_compound_head(struct page *page)
{
	compound_head_store(page, 0UL);
}

/* Buddy order of a free block's head page. */
static inline unsigned int buddy_order(const struct page *page)
{
	return page->private;
}

static inline void set_buddy_order(struct page *page, unsigned int order)
{
	page->private = order;
	__SetPageBuddy(page);
}

/* Pageblocks. */
static inline unsigned char *pfn_pageblock_flags(unsigned long pfn)
{
	struct zone *zone = pfn_zone(pfn);

	return &zone->pageblock_flags[(pfn - zone->zone_start_pfn) >>
				      pageblock_order];
}

/* The migratetype of @pfn's pageblock, @zone being pfn_zone(pfn). */
static inline int zone_pfnblock_migratetype(const struct zone *zone,
					    unsigned long pfn)
{
	unsigned char f = READ_ONCE(zone->pageblock_flags[
		(pfn - zone->zone_start_pfn) >> pageblock_order]);

	if (f & PB_migrate_isolate)
		return MIGRATE_ISOLATE;
	return f & PB_migrate_mask;
}

static inline int get_pfnblock_migratetype(unsigned long pfn)
{
	unsigned char f = READ_ONCE(*pfn_pageblock_flags(pfn));

	if (f & PB_migrate_isolate)
		return MIGRATE_ISOLATE;
	return f & PB_migrate_mask;
}

static inline int get_pageblock_migratetype(const struct page *page)
{
	return get_pfnblock_migratetype(page_to_pfn(page));
}

static inline bool get_pageblock_isolate(const struct page *page)
{
	return READ_ONCE(*pfn_pageblock_flags(page_to_pfn(page))) &
	       PB_migrate_isolate;
}

/* Hex dump helper for bug reports: "pfn 0x.. flags 0x.. ref .. map ..". */
int dump_page_str(const struct page *page, char *buf, size_t len);


/* ---- VMAs ---------------------------------------------------------- */

#define VM_NONE		0x00000000UL
#define VM_READ		0x00000001UL
#define VM_WRITE	0x00000002UL
#define VM_EXEC		0x00000004UL
#define VM_SHARED	0x00000008UL
#define VM_MAYREAD	0x00000010UL
#define VM_MAYWRITE	0x00000020UL
#define VM_MAYEXEC	0x00000040UL
#define VM_MAYSHARE	0x00000080UL
#define VM_GROWSDOWN	0x00000100UL
#define VM_UFFD_MISSING	0x00000200UL
#define VM_PFNMAP	0x00000400UL
#define VM_UFFD_WP	0x00001000UL
#define VM_LOCKED	0x00002000UL
#define VM_IO		0x00004000UL
#define VM_SEQ_READ	0x00008000UL
#define VM_RAND_READ	0x00010000UL
#define VM_DONTCOPY	0x00020000UL
#define VM_DONTEXPAND	0x00040000UL
#define VM_LOCKONFAULT	0x00080000UL
#define VM_ACCOUNT	0x00100000UL
#define VM_NORESERVE	0x00200000UL
#define VM_HUGETLB	0x00400000UL
#define VM_SYNC		0x00800000UL
#define VM_ARCH_1	0x01000000UL
#define VM_WIPEONFORK	0x02000000UL
#define VM_DONTDUMP	0x04000000UL
#define VM_SOFTDIRTY	0x08000000UL
#define VM_MIXEDMAP	0x10000000UL
#define VM_HUGEPAGE	0x20000000UL
#define VM_NOHUGEPAGE	0x40000000UL
#define VM_MERGEABLE	0x80000000UL

/* x86 protection keys: a VMA's pkey in vm_flags bits 32-35 (mm/vma.h). */
#define VM_PKEY_SHIFT	32
#define VM_PKEY_BIT0	(1UL << 32)
#define VM_PKEY_BIT1	(1UL << 33)
#define VM_PKEY_BIT2	(1UL << 34)
#define VM_PKEY_BIT3	(1UL << 35)
#define ARCH_VM_PKEY_FLAGS (VM_PKEY_BIT0 | VM_PKEY_BIT1 | VM_PKEY_BIT2 | \
			    VM_PKEY_BIT3)

#define VM_ACCESS_FLAGS	(VM_READ | VM_WRITE | VM_EXEC)
/* Flags that don't prevent two VMAs from merging. */
#define VM_IGNORE_MERGE	VM_SOFTDIRTY

/*
 * x86 protection keys (Linux's arch/x86/mm/pkeys.c), on a machine whose
 * CPU has them (config.pku; mm/mprotect.c).  A PROT_EXEC-only mapping
 * gets the mm's execute-only key (allocated on first use: key 1, key 0
 * being the default), whose data access every thread's PKRU denies (as
 * Linux's init_pkru_value denies all keys but 0), so its loads and stores
 * fault (SIGSEGV, SEGV_PKUERR) while instruction fetches would not.
 * Without PKU every VMA has key 0 and a read of an exec-only mapping
 * works.
 */
static inline int vma_pkey(const struct vm_area_struct *vma)
{
	return (vma->vm_flags & ARCH_VM_PKEY_FLAGS) >> VM_PKEY_SHIFT;
}

static inline vm_flags_t pkey_vm_flags(int pkey)
{
	return ((vm_flags_t)pkey << VM_PKEY_SHIFT) & ARCH_VM_PKEY_FLAGS;
}

/* The mm's execute-only key, allocated now if need be; -1 without PKU. */
int execute_only_pkey(struct mm_struct *mm);
/* The key a VMA gets from an mprotect(@prot) (@pkey -1: not pkey_mprotect). */
int arch_override_mprotect_pkey(struct vm_area_struct *vma,
				unsigned long prot, int pkey);
/* Whether PKRU lets a data access (not @execute) at @vma through. */
bool arch_vma_access_permitted(struct vm_area_struct *vma, bool write,
			       bool execute, bool foreign);

static inline bool vma_is_anonymous(const struct vm_area_struct *vma)
{
	return !vma->vm_ops && !vma->vm_file;
}

static inline unsigned long vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}

static inline bool is_cow_mapping(vm_flags_t flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}

static inline pgoff_t linear_page_index(const struct vm_area_struct *vma,
					unsigned long address)
{
	return ((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
}

/* vm_page_prot for @vm_flags, as x86's protection_map. */
pgprot_t vm_get_page_prot(vm_flags_t vm_flags);

/* VMA tree (mm/vma.c) */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *find_vma_prev(struct mm_struct *mm, unsigned long addr,
				     struct vm_area_struct **prev);
struct vm_area_struct *vma_next(struct mm_struct *mm,
				struct vm_area_struct *vma);
struct vm_area_struct *vma_prev(struct mm_struct *mm,
				struct vm_area_struct *vma);
struct vm_area_struct *vma_first(struct mm_struct *mm);
#define for_each_vma(mm, vma) \
	for ((vma) = vma_first(mm); (vma); (vma) = vma_next((mm), (vma)))

/* ---- faults -------------------------------------------------------- */

#define FAULT_FLAG_WRITE	0x0001
#define FAULT_FLAG_MKWRITE	0x0002
#define FAULT_FLAG_ALLOW_RETRY	0x0004
#define FAULT_FLAG_RETRY_NOWAIT	0x0008
#define FAULT_FLAG_KILLABLE	0x0010
#define FAULT_FLAG_TRIED	0x0020
#define FAULT_FLAG_USER		0x0040
#define FAULT_FLAG_REMOTE	0x0080
#define FAULT_FLAG_INSTRUCTION	0x0100
#define FAULT_FLAG_UNSHARE	0x0400
#define FAULT_FLAG_ORIG_PTE_VALID 0x0800

typedef unsigned int vm_fault_t;
#define VM_FAULT_OOM		0x000001
#define VM_FAULT_SIGBUS		0x000002
#define VM_FAULT_MAJOR		0x000004
#define VM_FAULT_HWPOISON	0x000010
#define VM_FAULT_SIGSEGV	0x000040
#define VM_FAULT_NOPAGE		0x000100
#define VM_FAULT_LOCKED		0x000200
#define VM_FAULT_RETRY		0x000400
#define VM_FAULT_FALLBACK	0x000800
#define VM_FAULT_DONE_COW	0x001000
#define VM_FAULT_ERROR	(VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | \
			 VM_FAULT_HWPOISON)

/* mm/memory.c */
vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long address,
			   unsigned int flags);

/* ---- VMA backings (mm/shmem.c implements shmem's) ------------------- */

struct vm_fault;

/*
 * What a VMA's backing provides, as Linux's vm_operations_struct.  shmem
 * files and shared anonymous mappings use shmem's operations (mm/shmem.c);
 * anonymous VMAs have none.  Unset members are NULL.
 *
 * ->fault finds or allocates the page for vmf->pgoff and returns it in
 * vmf->page with a reference (locked when it returns VM_FAULT_LOCKED);
 * the core maps it.  ->map_pages maps pages already cached in
 * [start_pgoff, end_pgoff] around a read fault (fault-around) under the
 * PTE lock and returns VM_FAULT_NOPAGE if it mapped vmf->address.
 */
struct vm_operations_struct {
	void (*open)(struct vm_area_struct *vma); /* a copy was made */
	void (*close)(struct vm_area_struct *vma); /* VMA is going away */
	vm_fault_t (*fault)(struct vm_fault *vmf); /* find the page */
	vm_fault_t (*map_pages)(struct vm_fault *vmf, pgoff_t start_pgoff,
				pgoff_t end_pgoff); /* fault-around */
	vm_fault_t (*page_mkwrite)(struct vm_fault *vmf); /* before write */
	const char *(*name)(struct vm_area_struct *vma); /* maps name */
	int (*may_split)(struct vm_area_struct *vma,
			 unsigned long addr); /* split here? 0 or -errno */
};

/* ---- per-mm resident page counters ---------------------------------- */

static inline unsigned long get_mm_counter(struct mm_struct *mm, int member)
{
	long v = atomic_long_read(&mm->rss_stat[member]);

	return v < 0 ? 0 : v;
}

static inline void add_mm_counter(struct mm_struct *mm, int member,
				  long value)
{
	atomic_long_add(value, &mm->rss_stat[member]);
}

static inline void inc_mm_counter(struct mm_struct *mm, int member)
{
	add_mm_counter(mm, member, 1);
}

static inline void dec_mm_counter(struct mm_struct *mm, int member)
{
	add_mm_counter(mm, member, -1);
}

static inline unsigned long get_mm_rss(struct mm_struct *mm)
{
	return get_mm_counter(mm, MM_FILEPAGES) +
	       get_mm_counter(mm, MM_ANONPAGES) +
	       get_mm_counter(mm, MM_SHMEMPAGES);
}

/*
 * Raise the mm's RSS high-water mark before pages are unmapped.  Zaps
 * under mmap_lock for read (MADV_DONTNEED, MADV_FREE, reclaim) race here,
 * as in Linux, which accepts a lost update: read and write once.
 */
static inline void update_hiwater_rss(struct mm_struct *mm)
{
	unsigned long rss = get_mm_rss(mm);

	if (READ_ONCE(mm->hiwater_rss) < rss)
		WRITE_ONCE(mm->hiwater_rss, rss);
}

/* ---- folio lock and dirty bit ------------------------------------- */

/*
 * The folio lock is PG_locked, a sleeping lock (mm/filemap.c): a thread
 * that finds it taken sleeps on a wait queue until the holder unlocks.
 * The uncontended paths are one atomic each; folio_unlock() wakes only
 * when PG_waiters says somebody sleeps.
 */
void __folio_lock(struct folio *folio);
void folio_wait_bit(struct folio *folio, int bit_nr);
void folio_wake_bit(struct folio *folio, int bit_nr);

static inline bool folio_trylock(struct folio *folio)
{
	if (unlikely(folio_test_set_locked(folio)))
		return false;
	lock_acquire_folio(folio, true);
	return true;
}

static inline void folio_lock(struct folio *folio)
{
	might_sleep();
	lock_acquire_folio(folio, false);
	if (unlikely(folio_test_set_locked(folio)))
		__folio_lock(folio);
}

/*
 * Clear PG_locked with release ordering; whether PG_waiters was set
 * (Linux's folio_xor_flags_has_waiters()).
 */
static inline bool folio_unlock_has_waiters(struct folio *folio)
{
	unsigned long old;

	if (machine_up) {
		old = folio->flags;
		__clear_bit(PG_locked, &folio->flags);
	} else {
		old = __atomic_fetch_and(&folio->flags, ~BIT(PG_locked),
					 __ATOMIC_RELEASE);
	}
	return old & BIT(PG_waiters);
}

static inline void folio_unlock(struct folio *folio)
{
	VM_BUG_ON(!folio_test_locked(folio));
	lock_release_folio(folio);
	if (folio_unlock_has_waiters(folio))
		folio_wake_bit(folio, PG_locked);
}

/* Sleep until @folio is unlocked, without taking the lock. */
static inline void folio_wait_locked(struct folio *folio)
{
	if (folio_test_locked(folio))
		folio_wait_bit(folio, PG_locked);
}

/*
 * Mark a folio's contents newer than its backing store.  Anonymous and
 * shmem folios have no writeback accounting (noop_dirty_folio); returns
 * true if the folio was clean.
 */
static inline bool folio_mark_dirty(struct folio *folio)
{
	return !folio_test_set_dirty(folio);
}

/* ---- FOLL_PIN accounting (mm/gup.c) ---------------------------------- */

/*
 * A FOLL_PIN pin of a small folio adds GUP_PIN_COUNTING_BIAS to its
 * refcount; a large folio counts pins in _pincount and takes one
 * reference per pin.  So a small folio with refcount >= 1024 "may be
 * pinned": false positives are allowed, false negatives are not.
 */
#define GUP_PIN_COUNTING_BIAS	(1U << 10)

static inline bool folio_maybe_dma_pinned(struct folio *folio)
{
	if (folio_test_large(folio))
		return atomic_read(&folio->_pincount) > 0;
	return (unsigned int)folio_ref_count(folio) >= GUP_PIN_COUNTING_BIAS;
}

/*
 * Whether fork must copy @folio of a COW mapping instead of sharing it:
 * only if the mm ever pinned anything and the folio may be pinned.
 */
static inline bool folio_needs_cow_for_dma(struct vm_area_struct *vma,
					   struct folio *folio)
{
	if (!test_bit(MMF_HAS_PINNED, &vma->vm_mm->flags))
		return false;
	return folio_maybe_dma_pinned(folio);
}

/* gup_flags: Linux's values (mm_types.h), then its mm/internal.h ones */
#define FOLL_WRITE		0x0001	/* check the PTE is writable */
#define FOLL_GET		0x0002	/* take a reference on the page */
#define FOLL_DUMP		0x0004	/* no zero page: -EFAULT (core dumps) */
#define FOLL_FORCE		0x0008	/* ptrace: override VMA permissions */
#define FOLL_NOWAIT		0x0010	/* don't wait for I/O */
#define FOLL_NOFAULT		0x0020	/* never fault */
#define FOLL_HWPOISON		0x0040	/* -EHWPOISON on poisoned pages */
#define FOLL_ANON		0x0080	/* anonymous VMAs only */
#define FOLL_LONGTERM		0x0100	/* pinned for an unbounded time */
#define FOLL_SPLIT_PMD		0x0200	/* split huge PMDs first */
#define FOLL_TOUCH		0x2000	/* mark the page accessed */
#define FOLL_TRIED		0x4000	/* second try */
#define FOLL_REMOTE		0x8000	/* not the current task's mm */
#define FOLL_PIN		0x10000	/* a pin: release with unpin_user_page() */
#define FOLL_FAST_ONLY		0x20000	/* lockless walk only */
#define FOLL_UNLOCKABLE		0x40000	/* may drop the mmap lock */
#define FOLL_MADV_POPULATE	0x80000	/* MADV_POPULATE_(READ|WRITE) */


/* ---- page-table pages (mm/pgtable.c) ---- */

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
/* THP: keep a PTE table with each huge PMD for its later split. */
void pgtable_trans_huge_deposit(struct mm_struct *mm, pmd_t *pmd,
				struct page *table);
struct page *pgtable_trans_huge_withdraw(struct mm_struct *mm, pmd_t *pmd);
/* mm->pgtables_bytes bookkeeping, one table at a time. */
void mm_inc_nr_ptes(struct mm_struct *mm);
void mm_dec_nr_ptes(struct mm_struct *mm);
/* The struct page of the page-table page holding entry @entry. */
static inline struct page *virt_to_page(const void *entry)
{
	return pfn_to_page(((const char *)entry - this_machine->direct_map) >>
			   PAGE_SHIFT);
}
static inline pte_t maybe_mkwrite(pte_t pte, struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_WRITE) ? pte_mkwrite(pte) : pte;
}
static inline pmd_t maybe_pmd_mkwrite(pmd_t pmd, struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_WRITE) ? pmd_mkwrite(pmd) : pmd;
}

/* ---- mm/memory.c: faults, zap, copy ---- */

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
 * The shared zero page (one guest page, PG_reserved, mapped by special
 * PTEs, never refcounted), set up by mm_init once the allocator works
 * (after lru_init() and thp_settings_init()).  The
 * huge zero folio is allocated on its first use (thp_zero_page_alloc).
 * zero_page_exit() frees both at machine teardown.
 */
int __must_check zero_page_init(void);
void zero_page_exit(void);
struct page *zero_page(void);
bool is_zero_pfn(unsigned long pfn);

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
	struct page *prealloc_pte;	/* PTE table allocated before ->fault */
};

/* shmem's fault-around: map cached folios of [start_pgoff, end_pgoff]. */
vm_fault_t filemap_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff,
			     pgoff_t end_pgoff);

/* The mm counter (MM_SHMEMPAGES / MM_FILEPAGES) of a file folio. */
static inline int mm_counter_file(const struct folio *folio)
{
	if (folio_test_swapbacked(folio))
		return MM_SHMEMPAGES;
	return MM_FILEPAGES;
}

/* The mm counter (MM_ANONPAGES, MM_SHMEMPAGES...) a folio's pages count in. */
static inline int mm_counter(const struct folio *folio)
{
	if (folio_test_anon(folio))
		return MM_ANONPAGES;
	return mm_counter_file(folio);
}

/* ---- mm/mprotect.c ---- */
long change_protection(struct vm_area_struct *vma, unsigned long start,
		       unsigned long end, pgprot_t newprot);

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

/* ---- mm/gup.c ---- */
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

/* ---- mm/validate_mm.c ---- */
int validate_mm(struct mm_struct *mm);

#endif /* _FOLIAGE_LINUX_MM_H */
