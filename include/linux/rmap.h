/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reverse mapping: from a folio to every (VMA, address) that maps it.
 *
 * Classic anon_vma (Linux's mm/rmap.c).  Each anonymous VMA points at one
 * anon_vma (its own, created on first fault by anon_vma_prepare()), and is
 * linked by an anon_vma_chain to that one and to every anon_vma of its
 * ancestors (fork: anon_vma_fork()), because it may map their pages.  An
 * anon folio's ->mapping is its anon_vma | PAGE_MAPPING_ANON, ->index its
 * page offset (vma->vm_pgoff-based).
 *
 *   vma on anon_vma A's tree  <=>  an avc with avc->vma == vma, avc->anon_vma == A
 *   A->root->... : every anon_vma of a fork tree shares the root's lock
 *   A->num_children == anon_vmas whose parent is A
 *   A->num_active_vmas == VMAs whose vma->anon_vma == A
 *   folio->mapping == A | PAGE_MAPPING_ANON  =>  every VMA mapping the
 *	folio is on A's tree (rmap_walk finds all of them)
 */
#ifndef _FOLIAGE_LINUX_RMAP_H
#define _FOLIAGE_LINUX_RMAP_H

#include <linux/mm.h>

#define PAGE_MAPPING_ANON	0x1UL
#define PAGE_MAPPING_FLAGS	0x3UL

struct anon_vma_chain;

RB_HEAD(avc_tree, anon_vma_chain);

struct anon_vma {
	struct anon_vma *root;		/* root of this fork tree */
	pthread_rwlock_t rwsem;		/* only the root's is used */
	atomic_t refcount;		/* users: VMAs' avcs, folios in migration */
	unsigned long num_children;	/* anon_vmas forked from this one */
	unsigned long num_active_vmas;	/* VMAs with vma->anon_vma == this */
	struct anon_vma *parent;	/* anon_vma forked from */
	struct avc_tree rb_root;	/* avcs, an interval tree by pgoff */
};

struct anon_vma_chain {
	struct vm_area_struct *vma;	/* the VMA */
	struct anon_vma *anon_vma;	/* an anon_vma it may map pages of */
	struct list_head same_vma;	/* on vma->anon_vma_chain */
	RB_ENTRY(anon_vma_chain) rb;	/* in anon_vma->rb_root */
	unsigned long rb_subtree_last;	/* interval tree augment */
};

static inline bool folio_test_anon(const struct folio *folio)
{
	return ((unsigned long)folio->mapping & PAGE_MAPPING_ANON) != 0;
}

static inline struct anon_vma *folio_anon_vma(const struct folio *folio)
{
	if (!folio_test_anon(folio))
		return NULL;
	return (struct anon_vma *)((unsigned long)folio->mapping &
				   ~PAGE_MAPPING_FLAGS);
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

static inline int folio_entire_mapcount(const struct folio *folio)
{
	return atomic_read(&folio->_entire_mapcount) + 1;
}

/* Rmap walks (mm/rmap.c). */
struct rmap_walk_control {
	void *arg;			/* for the callbacks */
	/* Called per mapping; return false to stop the walk. */
	bool (*rmap_one)(struct folio *folio, struct vm_area_struct *vma,
			 unsigned long address, void *arg);
	bool (*done)(struct folio *folio); /* stop early when true */
	bool try_lock;			/* don't block on the anon_vma lock */
	bool contended;			/* try_lock failed */
};

void rmap_walk(struct folio *folio, struct rmap_walk_control *rwc);
unsigned long vma_address(const struct vm_area_struct *vma, pgoff_t pgoff,
			  unsigned long nr_pages);

#endif /* _FOLIAGE_LINUX_RMAP_H */
