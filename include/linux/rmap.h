/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reverse mapping: from a folio to every (VMA, address) that maps it.
 *
 * Classic anon_vma (Linux's mm/rmap.c).  Each anonymous VMA points at one
 * anon_vma (its own, created on first fault by anon_vma_prepare(), or a
 * mergeable neighbour's), and is linked by an anon_vma_chain to that one
 * and to every anon_vma of its ancestors (fork: anon_vma_fork()), because
 * it may map their pages.  An anon folio's ->mapping is its anon_vma |
 * PAGE_MAPPING_ANON, ->index its page offset (vma->vm_pgoff-based).  A
 * file folio is found through its mapping's i_mmap tree instead.
 *
 *   vma on anon_vma A's tree  <=>  an avc with avc->vma == vma,
 *	avc->anon_vma == A, on vma->anon_vma_chain and in A->rb_root
 *   avc->rb caches [vma->vm_pgoff, vma->vm_pgoff + vma_pages(vma) - 1]
 *   vma->anon_vma != NULL  <=>  vma->anon_vma_chain is not empty, and
 *	vma->anon_vma is one of its chains' anon_vmas
 *   A->root->rwsem locks every anon_vma of A's fork tree
 *   A->num_children == anon_vmas whose ->parent is A, + 1 for a root
 *	(its self-parent link), while A's tree is not empty
 *   A->num_active_vmas == VMAs whose vma->anon_vma == A
 *   A->refcount == 1 while A's tree is not empty, + 1 per anon_vma whose
 *	->root is A (other than A), + transient folio_get_anon_vma()s
 *   folio->mapping == A | PAGE_MAPPING_ANON  =>  every VMA mapping the
 *	folio is on A's tree (rmap_walk finds all of them)
 *
 * Mapcounts (CONFIG_PAGE_MAPCOUNT, Linux 6.18's default):
 *   page->_mapcount + 1 == PTEs mapping the page
 *   large folio: _large_mapcount + 1 == all PTE and PMD mappings,
 *	_entire_mapcount + 1 == PMD mappings,
 *	_nr_pages_mapped == pages with PTE mappings
 *		+ ENTIRELY_MAPPED if the folio has a PMD mapping
 *   NR_ANON_MAPPED / NR_FILE_MAPPED count pages mapped at least once;
 *   NR_ANON_THPS / NR_SHMEM_PMDMAPPED / NR_FILE_PMDMAPPED pages of
 *	PMD-mapped folios
 *
 * ANON_VMA_LAZY (seed 003; a machine with foliage_config.anon_vma ==
 * FOLIAGE_ANON_VMA_LAZY; docs/anon-vma-lazy.md).  The first anonymous fault
 * of a VMA makes it a root (vma->lazy_root == vma) instead of preparing an
 * anon_vma; its folios' ->mapping is the root VMA | ANON | ANON_VMA_LAZY.
 * vma_mapping_base(v) = v->vm_start - v->vm_pgoff * PAGE_SIZE, which split
 * and merge keep, so a lazy folio is mapped at vma_mapping_base(root) +
 * index * PAGE_SIZE in the root's mm, by the VMAs there whose lazy_root is
 * the root.
 *   vma->lazy_root == R  =>  R->vm_mm == vma->vm_mm and
 *	vma_mapping_base(vma) == vma_mapping_base(R)
 *   R->vm_refcnt == VMAs whose lazy_root is R (R itself while mapped),
 *	+ 1 if R->lazy_anon_vma (that anon_vma pins R, A->lazy_root == R)
 *   R->lazy_detached: R left its mm (munmap, exit, merge) and lives on for
 *	its folios; it is freed when vm_refcnt drops to 0
 *   migration pins R through R's group anon_vma (folio_get_anon_vma()),
 *	made with no VMA on its tree if the group was never upgraded
 *   fork or a moving mremap upgrades R's group, one way: every VMA with
 *	lazy_root R gets one anon_vma A (R->lazy_anon_vma), keeping lazy_root;
 *	folios are moved to A as fork's folio_try_dup_anon_rmap_*() and
 *	mremap's move_ptes() meet them; a lazy folio's walk visits R's VMAs
 *	by address, then A's tree (the VMAs of other mms and moved ones)
 *   the machine's lazy lock (anon_lazy_lock_*()) is held for write by every
 *	change to a lazy machine's VMA trees and lazy links, for read by
 *	walks of lazy folios: order i_mmap_rwsem > it > anon_vma rwsem
 */
#ifndef _FOLIAGE_LINUX_RMAP_H
#define _FOLIAGE_LINUX_RMAP_H

#include <linux/mm.h>
#include <linux/interval_tree.h>

/* _nr_pages_mapped: the PMD-mapping bias, and the PTE-mapped page count. */
#define ENTIRELY_MAPPED		0x800000
#define FOLIO_PAGES_MAPPED	(ENTIRELY_MAPPED - 1)

struct anon_vma {
	struct anon_vma *root;		/* root of this fork tree */
	pthread_rwlock_t rwsem;		/* only the root's is used */
	atomic_t refcount;		/* see the invariants above */
	unsigned long num_children;	/* anon_vmas forked from this one */
	unsigned long num_active_vmas;	/* VMAs with vma->anon_vma == this */
	struct anon_vma *parent;	/* anon_vma forked from (self: root) */
	struct interval_tree_root rb_root; /* avcs, an interval tree by pgoff */
	struct vm_area_struct *lazy_root; /* lazy root VMA upgraded to this, pinned */
};

struct anon_vma_chain {
	struct vm_area_struct *vma;	/* the VMA */
	struct anon_vma *anon_vma;	/* an anon_vma it may map pages of */
	struct list_head same_vma;	/* on vma->anon_vma_chain */
	struct interval_tree_node rb;	/* in anon_vma->rb_root */
};

static inline struct anon_vma *folio_anon_vma(const struct folio *folio)
{
	unsigned long mapping;

	/*
	 * Acquire: an anon_vma that fork or mremap published by moving a
	 * lazy folio to it (folio_fix_anon_lazy(), a release) is seen
	 * initialised.
	 */
	mapping = (unsigned long)__atomic_load_n(&folio->mapping,
						 __ATOMIC_ACQUIRE);
	if ((mapping & PAGE_MAPPING_FLAGS) != PAGE_MAPPING_ANON)
		return NULL;
	return (struct anon_vma *)(mapping & ~PAGE_MAPPING_FLAGS);
}

/* ---- ANON_VMA_LAZY ----------------------------------------------------- */

/* The machine's anon rmap scheme and the lazy lock (mm/rmap.c). */
struct anon_rmap_state {
	bool lazy;			/* config.anon_vma == FOLIAGE_ANON_VMA_LAZY */
	pthread_rwlock_t lock;		/* the lazy lock, see above */
	atomic_long_t nr_roots;		/* root VMAs alive, detached ones too */
	atomic_long_t nr_detached;	/* of them, unmapped and kept */
	atomic_long_t nr_upgrades;	/* lazy groups upgraded to an anon_vma */
	atomic_long_t nr_fixed;		/* folios moved from a root to an anon_vma */
	atomic_long_t nr_walk_retries;	/* walks that saw ->mapping change */
};

/* Does this machine use ANON_VMA_LAZY? */
static inline bool anon_vma_lazy_enabled(void)
{
	return this_machine->anon_rmap && this_machine->anon_rmap->lazy;
}

/* The lazy lock; no-ops on classic machines. */
void anon_lazy_lock_write(void);
void anon_lazy_unlock_write(void);
void anon_lazy_lock_read(void);
bool anon_lazy_trylock_read(void);
void anon_lazy_unlock_read(void);
void anon_lazy_assert_held_write(void);

/* Where page offset 0 of @vma's backing would be mapped. */
static inline unsigned long vma_mapping_base(const struct vm_area_struct *vma)
{
	return vma->vm_start - (vma->vm_pgoff << PAGE_SHIFT);
}

/* The root VMA of a lazy folio (folio_test_anon_lazy()). */
static inline struct vm_area_struct *folio_lazy_root(const struct folio *folio)
{
	return (struct vm_area_struct *)((unsigned long)
		READ_ONCE(folio->mapping) & ~PAGE_MAPPING_FLAGS);
}

/* Has @vma an anon rmap of either kind (it may map anon folios)? */
static inline bool vma_has_anon_rmap(const struct vm_area_struct *vma)
{
	return vma->anon_vma || vma->lazy_root;
}

/*
 * One-way upgrades (caller holds mmap_lock for write): every lazy VMA of
 * @mm (fork), or the group of @vma's root (a moving mremap), gets the
 * group's anon_vma.
 */
int __must_check anon_vma_lazy_upgrade_mm(struct mm_struct *mm);
int __must_check anon_vma_lazy_upgrade(struct vm_area_struct *vma);
/*
 * @vma leaves its mm for good (after unlink_anon_vmas()): a root others
 * still use is kept (lazy_detached), else freed.  vm_area_free() calls it.
 */
bool anon_vma_lazy_keep(struct vm_area_struct *vma);
/*
 * The root of lazy @vma keeps the span of addresses its VMAs cover (what
 * a group upgrade searches): @vma's range grew.  Caller holds the lazy
 * lock for write (vma_complete()).
 */
void anon_vma_lazy_span(struct vm_area_struct *vma);
/*
 * Move @folio from its lazy root to @vma's anon_vma (mremap's move_ptes(),
 * fork's dup); caller holds the PTL mapping it.
 */
void folio_fix_anon_lazy(struct folio *folio, struct vm_area_struct *vma);

/* The last page offset @vma maps: its interval-tree key is [pgoff, last]. */
static inline unsigned long vma_last_pgoff(const struct vm_area_struct *vma)
{
	return vma->vm_pgoff + vma_pages(vma) - 1;
}

static inline bool folio_test_pmd_mappable(const struct folio *folio)
{
	return folio_order(folio) >= HPAGE_PMD_ORDER;
}

/* rmap_t flags for folio_add_*_rmap */
typedef int rmap_t;
#define RMAP_NONE		0x0
#define RMAP_EXCLUSIVE		0x1

/* Lifecycle (mm/rmap.c). */
int __must_check anon_vma_prepare(struct vm_area_struct *vma);
int __must_check anon_vma_clone(struct vm_area_struct *dst,
				struct vm_area_struct *src);
int __must_check anon_vma_fork(struct vm_area_struct *vma,
			       struct vm_area_struct *pvma);
void unlink_anon_vmas(struct vm_area_struct *vma);
/*
 * The anon_vma of an adjacent VMA that @vma may share on its first fault:
 * the next VMA's, else the previous one's, if compatible for a later merge
 * and not forked (Linux's find_mergeable_anon_vma(), in mm/vma.c).
 */
struct anon_vma *find_mergeable_anon_vma(struct vm_area_struct *vma);

static inline void get_anon_vma(struct anon_vma *anon_vma)
{
	atomic_inc(&anon_vma->refcount);
}
void __put_anon_vma(struct anon_vma *anon_vma);
static inline void put_anon_vma(struct anon_vma *anon_vma)
{
	if (atomic_dec_and_test(&anon_vma->refcount))
		__put_anon_vma(anon_vma);
}

/* The fork tree's lock: the root anon_vma's rwsem. */
static inline void anon_vma_lock_write(struct anon_vma *anon_vma)
{
	down_write_class(&anon_vma->root->rwsem, LOCK_CLASS_ANON_VMA);
}

static inline void anon_vma_unlock_write(struct anon_vma *anon_vma)
{
	up_rwsem(&anon_vma->root->rwsem);
}

static inline void anon_vma_lock_read(struct anon_vma *anon_vma)
{
	down_read_class(&anon_vma->root->rwsem, LOCK_CLASS_ANON_VMA);
}

static inline bool anon_vma_trylock_read(struct anon_vma *anon_vma)
{
	return down_read_trylock_class(&anon_vma->root->rwsem,
				       LOCK_CLASS_ANON_VMA);
}

static inline void anon_vma_unlock_read(struct anon_vma *anon_vma)
{
	up_rwsem(&anon_vma->root->rwsem);
}

/*
 * Before changing vm_start, vm_end or vm_pgoff of a VMA whose avcs are on
 * their anon_vmas' trees, take them out; put them back after (the keys are
 * cached).  Caller holds the anon_vma lock for write.
 */
void anon_vma_interval_tree_pre_update_vma(struct vm_area_struct *vma);
void anon_vma_interval_tree_post_update_vma(struct vm_area_struct *vma);
/* A walk of the avcs of @anon_vma overlapping pgoffs [start, last]. */
#define anon_vma_interval_tree_foreach(avc, anon_vma, start, last)	\
	interval_tree_for_each_entry(avc, &(anon_vma)->rb_root, rb,	\
				     start, last)
/* Likewise the VMAs of a file's i_mmap. */
#define vma_interval_tree_foreach(vma, mapping, start, last)		\
	interval_tree_for_each_entry(vma, &(mapping)->i_mmap, shared,	\
				     start, last)

/* A pinned reference on a mapped anon folio's anon_vma (migration). */
struct anon_vma *folio_get_anon_vma(const struct folio *folio);

/* Mapcounts.  "rmap" updates are made under the page-table lock. */
void folio_add_new_anon_rmap(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, rmap_t flags);
void folio_add_anon_rmap_ptes(struct folio *folio, struct page *page,
			      int nr_pages, struct vm_area_struct *vma,
			      unsigned long address, rmap_t flags);
void folio_add_anon_rmap_pmd(struct folio *folio, struct page *page,
			     struct vm_area_struct *vma, unsigned long address,
			     rmap_t flags);
void folio_add_file_rmap_ptes(struct folio *folio, struct page *page,
			      int nr_pages, struct vm_area_struct *vma);
void folio_add_file_rmap_pmd(struct folio *folio, struct page *page,
			     struct vm_area_struct *vma);
void folio_remove_rmap_ptes(struct folio *folio, struct page *page,
			    int nr_pages, struct vm_area_struct *vma);
void folio_remove_rmap_pmd(struct folio *folio, struct page *page,
			   struct vm_area_struct *vma);
/* Duplicate mappings for fork; -EBUSY if a possibly-pinned anon page
 * must be copied instead (folio_try_dup_anon_rmap_*). */
int __must_check folio_try_dup_anon_rmap_ptes(struct folio *folio,
					      struct page *page, int nr_pages,
					      struct vm_area_struct *dst_vma,
					      struct vm_area_struct *src_vma);
int __must_check folio_try_dup_anon_rmap_pmd(struct folio *folio,
					     struct page *page,
					     struct vm_area_struct *dst_vma,
					     struct vm_area_struct *src_vma);
void folio_dup_file_rmap_ptes(struct folio *folio, struct page *page,
			      int nr_pages, struct vm_area_struct *dst_vma);
void folio_dup_file_rmap_pmd(struct folio *folio, struct page *page,
			     struct vm_area_struct *dst_vma);
/*
 * Mark an AnonExclusive page of a possibly shared folio shared, before
 * GUP or migration makes it so; -EBUSY if the folio may be pinned.
 */
int __must_check folio_try_share_anon_rmap_pte(struct folio *folio,
					       struct page *page);
int __must_check folio_try_share_anon_rmap_pmd(struct folio *folio,
					       struct page *page);
/* COW reuse: move an exclusively owned folio to @vma's own anon_vma. */
void folio_move_anon_rmap(struct folio *folio, struct vm_area_struct *vma);

#define folio_add_anon_rmap_pte(folio, page, vma, address, flags) \
	folio_add_anon_rmap_ptes(folio, page, 1, vma, address, flags)
#define folio_add_file_rmap_pte(folio, page, vma) \
	folio_add_file_rmap_ptes(folio, page, 1, vma)
#define folio_remove_rmap_pte(folio, page, vma) \
	folio_remove_rmap_ptes(folio, page, 1, vma)
#define folio_try_dup_anon_rmap_pte(folio, page, dst_vma, src_vma) \
	folio_try_dup_anon_rmap_ptes(folio, page, 1, dst_vma, src_vma)
#define folio_dup_file_rmap_pte(folio, page, dst_vma) \
	folio_dup_file_rmap_ptes(folio, page, 1, dst_vma)

/*
 * CONFIG_PAGE_MAPCOUNT (6.18's default) keeps a mapcount in every page of
 * a large folio; a machine with foliage_config.no_page_mapcount models
 * CONFIG_NO_PAGE_MAPCOUNT: per-folio counts only (_large_mapcount,
 * _entire_mapcount and the mm slots), NR_*_MAPPED counting the whole folio
 * while any of it is mapped, smaps and pagemap judging from the average.
 */
static inline bool page_mapcount_enabled(void)
{
	return !this_machine->no_page_mapcount;
}

/*
 * What a page's _mapcount + 1 should be when @ptes PTEs map it: @ptes, or
 * 0 in a large folio of a CONFIG_NO_PAGE_MAPCOUNT machine.
 */
static inline int page_mapcount_expected(const struct folio *folio, int ptes)
{
	return page_mapcount_enabled() || !folio_test_large(folio) ? ptes : 0;
}

static inline int page_mapcount(const struct page *page)
{
	return atomic_read(&page->_mapcount) + 1;
}

/* Total mappings of a folio: PTEs + PMD/PUD mappings. */
static inline int folio_mapcount(const struct folio *folio)
{
	if (!folio_test_large(folio))
		return atomic_read(&folio->_mapcount) + 1;
	return atomic_read(&folio->_large_mapcount) + 1;
}

static inline bool folio_mapped(const struct folio *folio)
{
	return folio_mapcount(folio) >= 1;
}

static inline int folio_large_mapcount(const struct folio *folio)
{
	return atomic_read(&folio->_large_mapcount) + 1;
}

/*
 * ---- CONFIG_MM_ID: which mms map a large (non-hugetlb) folio ----------
 *
 * Two slots each hold an mm id and that mm's mappings of the folio - 1;
 * an mm finding no slot free marks the folio "maybe mapped shared", and
 * the mark goes when one slot again owns every mapping.  The slots, the
 * mark and _large_mapcount change together under a bit spinlock in
 * _mm_ids (bits 0-30 slot 0's id, 31 the lock, 32-62 slot 1's id, 63 the
 * mark); lockless readers see the mark with test_bit().
 *   slot free  <=>  its id == MM_ID_DUMMY  <=>  its mapcount == -1
 *   mark clear and mapped  =>  one slot's mapcount == _large_mapcount
 *   a slot's mapcount + 1 == that mm's mappings of the folio
 * hugetlb folios keep the plain atomic _large_mapcount.
 */
static inline void folio_lock_large_mapcount(struct folio *folio)
{
	bit_spin_lock(FOLIO_MM_IDS_LOCK_BITNUM, &folio->_mm_ids);
}

static inline void folio_unlock_large_mapcount(struct folio *folio)
{
	__bit_spin_unlock(FOLIO_MM_IDS_LOCK_BITNUM, &folio->_mm_ids);
}

static inline mm_id_t folio_mm_id(const struct folio *folio, int idx)
{
	return (mm_id_t)(READ_ONCE(folio->_mm_ids) >> (32 * idx)) &
	       MM_ID_MASK;
}

static inline mm_id_mapcount_t folio_mm_id_mapcount(const struct folio *folio,
						    int idx)
{
	return READ_ONCE(folio->_mm_id_mapcount[idx]);
}

/* Caller holds the folio's large mapcount lock (or owns a new folio). */
static inline void folio_set_mm_id(struct folio *folio, int idx, mm_id_t id)
{
	unsigned long ids = READ_ONCE(folio->_mm_ids);

	ids &= ~((unsigned long)MM_ID_MASK << (32 * idx));
	WRITE_ONCE(folio->_mm_ids, ids | (unsigned long)id << (32 * idx));
}

static inline void folio_set_mm_id_mapcount(struct folio *folio, int idx,
					    mm_id_mapcount_t mapcount)
{
	WRITE_ONCE(folio->_mm_id_mapcount[idx], mapcount);
}

static inline void folio_mark_maybe_mapped_shared(struct folio *folio,
						  bool shared)
{
	unsigned long ids = READ_ONCE(folio->_mm_ids);

	WRITE_ONCE(folio->_mm_ids, shared ? ids | FOLIO_MM_IDS_SHARED_BIT :
					    ids & ~FOLIO_MM_IDS_SHARED_BIT);
}

static inline bool folio_test_large_maybe_mapped_shared(const struct folio *folio)
{
	return test_bit(FOLIO_MM_IDS_SHARED_BITNUM, &folio->_mm_ids);
}

/*
 * Linux's folio_maybe_mapped_shared(): may another mm map the folio?
 * Exact for small and hugetlb folios (mapcount); for other large folios,
 * false positives only once a third mm mapped it while two held slots.
 */
static inline bool folio_maybe_mapped_shared(struct folio *folio)
{
	int mapcount = folio_mapcount(folio);

	if (!folio_test_large(folio) || PageHugetlb(&folio->page))
		return mapcount > 1;
	/* One mapping is "exclusive" whatever the mark says. */
	if (mapcount <= 1)
		return false;
	return folio_test_large_maybe_mapped_shared(folio);
}


static inline int folio_entire_mapcount(const struct folio *folio)
{
	return atomic_read(&folio->_entire_mapcount) + 1;
}

/*
 * Mappings of @page of @folio: its own PTE mappings plus the folio's PMD
 * mappings (CONFIG_PAGE_MAPCOUNT's folio_precise_page_mapcount()).
 */
static inline int folio_precise_page_mapcount(const struct folio *folio,
					      const struct page *page)
{
	int mapcount = atomic_read(&page->_mapcount) + 1;

	/* A typed page's page_type overlays _mapcount: no mappings. */
	if (mapcount < 0)
		mapcount = 0;
	if (folio_test_large(folio))
		mapcount += folio_entire_mapcount(folio);
	return mapcount;
}

/*
 * The average mappings of a page of @folio, rounded to the closest
 * integer (Linux's folio_average_page_mapcount(), what /proc reports with
 * CONFIG_NO_PAGE_MAPCOUNT): PMD mappings count for every page.
 */
static inline int folio_average_page_mapcount(const struct folio *folio)
{
	int mapcount, entire_mapcount;

	if (!folio_test_large(folio))
		return atomic_read(&folio->_mapcount) + 1;
	mapcount = folio_large_mapcount(folio);
	if (mapcount <= 0)
		return 0;
	entire_mapcount = folio_entire_mapcount(folio);
	if (mapcount <= entire_mapcount)
		return entire_mapcount;
	mapcount -= entire_mapcount;
	return (int)(((unsigned int)mapcount + folio_nr_pages(folio) / 2) >>
		     folio_order(folio)) + entire_mapcount;
}

/*
 * Is @page of @folio mapped once only (pagemap's PM_MMAP_EXCLUSIVE)?
 * Without per-page mapcounts: is the whole folio this one mm's.
 */
static inline bool __folio_page_mapped_exclusively(struct folio *folio,
						   const struct page *page)
{
	if (page_mapcount_enabled())
		return folio_precise_page_mapcount(folio, page) == 1;
	return !folio_maybe_mapped_shared(folio);
}

/* Pages of a large folio mapped by PTEs (not counting a PMD mapping). */
static inline int folio_nr_pages_mapped(const struct folio *folio)
{
	return atomic_read(&folio->_nr_pages_mapped) & FOLIO_PAGES_MAPPED;
}

/* Rmap walks (mm/rmap.c; page_vma_mapped_walk in mm/page_vma_mapped.c). */
struct rmap_walk_control {
	void *arg;			/* for the callbacks */
	/* Called per mapping; return false to stop the walk. */
	bool (*rmap_one)(struct folio *folio, struct vm_area_struct *vma,
			 unsigned long address, void *arg);
	bool (*done)(struct folio *folio); /* stop early when true */
	/* Skip VMAs for which this returns true. */
	bool (*invalid_vma)(struct vm_area_struct *vma, void *arg);
	bool try_lock;			/* don't block on the anon_vma lock */
	bool contended;			/* try_lock failed */
};

/* Call rwc->rmap_one for every VMA that may map @folio. */
void rmap_walk(struct folio *folio, struct rmap_walk_control *rwc);
/* The same with the anon_vma / i_mmap lock already held. */
void rmap_walk_locked(struct folio *folio, struct rmap_walk_control *rwc);
/*
 * The address of page offset @pgoff (of a folio of @nr_pages) in @vma: the
 * first address of the range inside @vma, or -EFAULT if none is.
 */
unsigned long vma_address(const struct vm_area_struct *vma, pgoff_t pgoff,
			  unsigned long nr_pages);

/*
 * page_vma_mapped_walk: find each PTE or PMD of @vma that maps a page of
 * [pfn, pfn + nr_pages) (page offsets from pgoff), starting at ->address.
 * Each true return has ->pte (NULL for a PMD mapping: ->pmd) and ->ptl
 * held; page_vma_mapped_walk_done() ends a walk early.
 */
#define PVMW_SYNC		(1 << 0) /* wait for the page-table lock */
#define PVMW_MIGRATION		(1 << 1) /* find migration entries instead */

struct page_vma_mapped_walk {
	unsigned long pfn;		/* first pfn of the range */
	unsigned long nr_pages;		/* pages in the range */
	pgoff_t pgoff;			/* page offset of pfn */
	struct vm_area_struct *vma;	/* the VMA to search */
	unsigned long address;		/* current address */
	pmd_t *pmd;			/* the PMD entry of address */
	pte_t *pte;			/* the PTE of address, or NULL */
	spinlock_t *ptl;		/* lock held while returning true */
	unsigned int flags;		/* PVMW_* */
};

#define DEFINE_FOLIO_VMA_WALK(name, _folio, _vma, _address, _flags)	\
	struct page_vma_mapped_walk name = {				\
		.pfn = folio_pfn(_folio),				\
		.nr_pages = folio_nr_pages(_folio),			\
		.pgoff = (_folio)->index,				\
		.vma = _vma,						\
		.address = _address,					\
		.flags = _flags,					\
	}

bool page_vma_mapped_walk(struct page_vma_mapped_walk *pvmw);
void page_vma_mapped_walk_done(struct page_vma_mapped_walk *pvmw);

/* Walk again from the start of the range (after splitting a PMD). */
static inline void page_vma_mapped_walk_restart(struct page_vma_mapped_walk *pvmw)
{
	page_vma_mapped_walk_done(pvmw);
	pvmw->pmd = NULL;
	pvmw->pte = NULL;
}

/* Users of the walk. */
/*
 * How many VMAs referenced @folio since the last call (young PTEs/PMDs,
 * cleared as found); the union of their flags in *@vm_flags.  -1 if the
 * walk gave up on a contended lock.
 */
int folio_referenced(struct folio *folio, bool is_locked,
		     vm_flags_t *vm_flags);

enum ttu_flags {
	TTU_SPLIT_HUGE_PMD	= 0x4,	/* split huge PMD if any */
	TTU_IGNORE_MLOCK	= 0x8,	/* ignore mlock */
	TTU_SYNC		= 0x10,	/* avoid racy checks with PVMW_SYNC */
	TTU_HWPOISON		= 0x20,	/* do convert pte to hwpoison entry */
	TTU_BATCH_FLUSH		= 0x40,	/* batch TLB flushes where possible */
	TTU_RMAP_LOCKED		= 0x80,	/* do not grab rmap lock */
};
/*
 * Unmap @folio from every page table (file folios; anon only when lazily
 * freed and clean: foliage has no swap).  Caller holds a reference and
 * the folio lock.  Succeeded if !folio_mapped(folio) afterwards.
 */
void try_to_unmap(struct folio *folio, enum ttu_flags flags);
/*
 * Replace every mapping of @folio by a migration entry (keeping write,
 * AnonExclusive, young, dirty, soft-dirty and uffd-wp), for migration.
 * Caller holds a reference and the folio lock.
 */
void try_to_migrate(struct folio *folio, enum ttu_flags flags);

/* remove_migration_ptes() flags */
#define RMP_LOCKED		(1 << 0) /* the rmap lock is held */
#define RMP_USE_SHARED_ZEROPAGE	(1 << 1) /* zero pages: map the zero page */
/*
 * Map @dst where @src's migration entries are (mm/migrate.c): each entry
 * becomes a PTE with what it kept, a reference and an rmap.  Caller holds
 * the folio lock (and with RMP_LOCKED the anon_vma lock).
 */
void remove_migration_ptes(struct folio *src, struct folio *dst, int flags);
/*
 * A fault on a migration entry (mm/migrate.c, mm/filemap.c):
 * migration_entry_wait() sleeps, if the PTE at @address is a migration
 * entry, until its folio is unlocked; the faulting access then retries.
 * migration_entry_wait_on_locked(): the sleep itself; the caller holds
 * @ptl, dropped once the sleeper is queued.
 */
void migration_entry_wait(struct mm_struct *mm, pmd_t *pmd,
			  unsigned long address);
void migration_entry_wait_on_locked(swp_entry_t entry, spinlock_t *ptl);

/* mm/validate_rmap.c: debug checks (the folio side: mm/rmap_check.c). */
/* The anon_vma chains of @mm's VMAs against the invariants above. */
int validate_anon_vmas(struct mm_struct *mm);
/*
 * @mms are every mm of the machine: each anon_vma their chains reach has
 * num_active_vmas, num_children and refcount equal to a recount.
 */
int validate_anon_vma_counts(struct mm_struct **mms, unsigned int nr_mms);

struct address_space;
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

#endif /* _FOLIAGE_LINUX_RMAP_H */
