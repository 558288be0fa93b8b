/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HugeTLB pools (mm/hugetlb.c): two hstates, 2 MiB (order 9, the default)
 * and 1 GiB (order 18, gigantic), each a pool of huge folios per node with
 * the counters Linux 6.18 keeps, globally and per node:
 *
 *   nr_huge_pages		every huge folio of the hstate, surplus included
 *   free_huge_pages		those on the free lists
 *   resv_huge_pages		free ones promised to reservations
 *   surplus_huge_pages		those above the persistent pool size, which go
 *				back to buddy when freed
 *   nr_overcommit_huge_pages	how many surplus pages may exist
 *
 * A pool grows and shrinks as set_max_huge_pages() does in Linux: fresh
 * pages round-robin over the nodes (2 MiB from buddy, counting
 * htlb_buddy_alloc_success/fail; 1 GiB from alloc_contig_pages()), surplus
 * pages promoted to persistent first; shrinking frees free pages
 * round-robin and turns pages still in use into surplus.  A pool folio is
 * a compound page of its hstate's order with PageHugetlb on its head, a
 * refcount of 0 while free, never on a buddy list.
 *
 * Knobs: vm.nr_hugepages, vm.nr_overcommit_hugepages (the default hstate,
 * as the sysctls read and write them) and
 * hugepages.hugepages-<N>kB/{nr_hugepages,nr_overcommit_hugepages} (as
 * the files under /sys/kernel/mm/hugepages/).  Renders: the HugePages_*,
 * Hugepagesize and Hugetlb lines of meminfo, and "hugepages" (every
 * hstate's sysfs files).
 */
#ifndef _FOLIAGE_LINUX_HUGETLB_H
#define _FOLIAGE_LINUX_HUGETLB_H

#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/nodemask.h>
#include <linux/pgtable.h>
#include <linux/lockdep.h>
#include <linux/spinlock.h>

struct seq_buf;

#define HUGE_MAX_HSTATE		2	/* 2 MiB and 1 GiB */
#define HSTATE_NAME_LEN		32	/* "hugepages-1048576kB" */

/* One page size's pool (Linux's struct hstate). */
struct hstate {
	/* One resize at a time (set_max_huge_pages() sleeps in it). */
	pthread_rwlock_t resize_lock;	/* Linux's resize_lock mutex */
	unsigned int order;		/* huge_page_order() */
	char name[HSTATE_NAME_LEN];	/* hugepages-<N>kB, the sysfs dir */
	int next_nid_to_alloc;		/* round-robin cursor for growing */
	int next_nid_to_free;		/* round-robin cursor for shrinking */
	unsigned long max_huge_pages;	/* persistent size last asked for */
	unsigned long nr_huge_pages;	/* all huge folios, surplus included */
	unsigned long free_huge_pages;	/* on the free lists */
	unsigned long resv_huge_pages;	/* free ones reserved */
	unsigned long surplus_huge_pages; /* above the persistent size */
	unsigned long nr_overcommit_huge_pages; /* surplus allowed */
	struct list_head hugepage_activelist; /* folios in use */
	struct list_head hugepage_freelists[MAX_NUMNODES]; /* free, by node */
	unsigned long nr_huge_pages_node[MAX_NUMNODES]; /* per node: all */
	unsigned long free_huge_pages_node[MAX_NUMNODES]; /* per node: free */
	unsigned long surplus_huge_pages_node[MAX_NUMNODES]; /* per node */
	/* in use, held split into base pages by a guest_memfd (off lists) */
	unsigned long split_huge_pages_node[MAX_NUMNODES];
	/* in use, isolated for migration (on a migration list, off lists) */
	unsigned long isolated_huge_pages_node[MAX_NUMNODES];
};

/* The machine's hugetlb state (machine->hugetlb, hugetlb_subsys). */
struct hugetlb_state {
	spinlock_t hugetlb_lock;	/* every hstate's lists and counters */
	struct hstate hstates[HUGE_MAX_HSTATE]; /* 2 MiB, then 1 GiB */
	struct list_head subpools;	/* every hugepage_subpool (validator),
					 * under hugetlb_lock */
};

/*
 * Flags of a hugetlb folio, in folio->_hugetlb_private (Linux's
 * enum hugetlb_page_flags, with seed 000's HPG_zeroed; the bits foliage
 * has no user for are kept for their numbers).  Updated under
 * hugetlb_lock or while the folio has one user.
 */
enum hugetlb_page_flags {
	HPG_restore_reserve = 0, /* freeing gives its reservation back */
	HPG_migratable = 1,	/* in use, may be migrated */
	HPG_temporary = 2,	/* a migration's page from buddy: counted in
				 * nr_huge_pages, back to buddy when freed */
	HPG_freed = 3,		/* on a free list of its hstate */
	HPG_zeroed = 7,		/* known zero: allocated with __GFP_ZERO and
				 * not mapped since (seed 000) */
};

#define HPAGEFLAG(uname, bit)						\
static inline bool folio_test_hugetlb_##uname(const struct folio *folio) \
{									\
	return folio->_hugetlb_private & (1UL << (bit));		\
}									\
static inline void folio_set_hugetlb_##uname(struct folio *folio)	\
{									\
	folio->_hugetlb_private |= 1UL << (bit);			\
}									\
static inline void folio_clear_hugetlb_##uname(struct folio *folio)	\
{									\
	folio->_hugetlb_private &= ~(1UL << (bit));			\
}
HPAGEFLAG(restore_reserve, HPG_restore_reserve)
HPAGEFLAG(migratable, HPG_migratable)
HPAGEFLAG(temporary, HPG_temporary)
HPAGEFLAG(freed, HPG_freed)
HPAGEFLAG(zeroed, HPG_zeroed)
#undef HPAGEFLAG

#define HSTATE_2M		0	/* hstates[] index of the default */
#define HSTATE_1G		1	/* hstates[] index of the gigantic one */

static inline struct hstate *default_hstate(void)
{
	return &this_machine->hugetlb->hstates[HSTATE_2M];
}

static inline unsigned long pages_per_huge_page(const struct hstate *h)
{
	return 1UL << h->order;
}

static inline unsigned long huge_page_size(const struct hstate *h)
{
	return PAGE_SIZE << h->order;
}

static inline bool hstate_is_gigantic(const struct hstate *h)
{
	return h->order > MAX_PAGE_ORDER;
}

/* nr_huge_pages less the surplus: the pool's persistent size. */
static inline unsigned long persistent_huge_pages(const struct hstate *h)
{
	return h->nr_huge_pages - h->surplus_huge_pages;
}

/*
 * Grow or shrink @h's persistent pool towards @count pages over every
 * node (Linux's set_max_huge_pages() with nid NUMA_NO_NODE): 0, as
 * growing stops quietly where memory runs out, as in Linux.  Takes h->resize_lock,
 * then hugetlb_lock (dropped while the page allocator runs).
 */
int set_max_huge_pages(struct hstate *h, unsigned long count);

/*
 * Take a free folio of @h from node @nid's free list for a user (Linux's
 * dequeue_hugetlb_folio_node_exact()): refcount 1, on the active list;
 * NULL if the node has none.  Caller holds hugetlb_lock.
 */
struct folio *__dequeue_hugetlb_folio_node_exact(struct hstate *h, int nid);
/* The same, taking hugetlb_lock. */
struct folio *dequeue_hugetlb_folio_node_exact(struct hstate *h, int nid);

/*
 * A user's last reference to a hugetlb folio is gone (its refcount is 0):
 * a surplus page of its node goes back to buddy, any other to its node's
 * free list (Linux's free_huge_folio()).  Takes hugetlb_lock.
 */
void free_huge_folio(struct folio *folio);

/* The hstate of a hugetlb folio. */
struct hstate *folio_hstate(const struct folio *folio);

/* meminfo's HugePages_Total/Free/Rsvd/Surp and Hugetlb (kB) values. */
void hugetlb_report_meminfo(unsigned long *total, unsigned long *free,
			    unsigned long *rsvd, unsigned long *surp,
			    unsigned long *hugetlb_kb);

/* "hugepages": each hstate's sysfs files, text or JSON. */
int hugetlb_sysfs_render_seq(struct seq_buf *s, bool json);

/* ---- subpools (Linux's struct hugepage_subpool) ---- */

/*
 * A hugetlbfs mount's (or a guest_memfd's) share of one hstate: at most
 * @max_hpages pages in use, at least @min_hpages promised from the global
 * pool while it exists (-1: no limit / no minimum).
 *
 *   used_hpages <= max_hpages			(max_hpages != -1)
 *   rsv_hpages  == min_hpages - min(used_hpages, min_hpages)
 *		    (the part of the minimum held as global reservations
 *		     that no page in use covers yet)
 *
 * The minimum is reserved globally (resv_huge_pages) when the subpool is
 * made, so a page the subpool hands out inside it costs the global pool
 * nothing more: hugepage_subpool_get_pages() says how many of the pages
 * asked for must still be reserved globally.
 */
struct hugepage_subpool {
	spinlock_t lock;		/* the fields below */
	long count;			/* references (files, mappings) */
	long max_hpages;		/* pages allowed in use, -1: any */
	long used_hpages;		/* pages charged (in use or reserved) */
	struct hstate *hstate;		/* its page size */
	long min_hpages;		/* pages guaranteed, -1: none */
	long rsv_hpages;		/* of the minimum, reserved but unused */
	struct list_head link;		/* on hugetlb_state.subpools */
};

/*
 * A subpool of @h with at most @max_hpages and at least @min_hpages
 * pages (-1: none), reserving the minimum in the global pool now (which
 * may allocate surplus pages); NULL if that reservation fails (or no
 * memory).  The caller owns its one reference.
 */
struct hugepage_subpool *hugepage_new_subpool(struct hstate *h,
					      long max_hpages,
					      long min_hpages);
/* Drop a reference; the last one (with nothing charged) frees it. */
void hugepage_put_subpool(struct hugepage_subpool *spool);
/*
 * Charge @delta pages to @spool (NULL: no subpool): how many of them
 * must be reserved in the global pool (0..delta; those not covered by
 * the subpool's minimum), or -ENOMEM if the maximum would be passed.
 */
long hugepage_subpool_get_pages(struct hugepage_subpool *spool, long delta);
/*
 * Uncharge @delta pages: how many global reservations the caller must
 * release (those the subpool's minimum does not keep).
 */
long hugepage_subpool_put_pages(struct hugepage_subpool *spool, long delta);
/*
 * Reserve @delta (> 0) or release -@delta global pages of @h (Linux's
 * hugetlb_acct_memory()): growing reserves free pages and allocates the
 * surplus pages needed (gather_surplus_pages()), or fails with -ENOMEM
 * with nothing changed; releasing (never fails) frees unused surplus
 * pages.
 */
int hugetlb_acct_memory(struct hstate *h, long delta);

/* ---- reservation maps (Linux's struct resv_map) ---- */

/*
 * The huge-page indices of a file (shared mappings: those reserved) or
 * of a private mapping (those whose reservation a fault consumed), as
 * sorted disjoint [from, to) regions.
 */
struct resv_map {
	atomic_t refs;			/* the inode's, or the VMAs' */
	spinlock_t lock;		/* regions */
	struct list_head regions;	/* struct file_region, sorted */
};

struct resv_map *resv_map_alloc(void);
void resv_map_put(struct resv_map *resv);
/* Pages of [f, t) the map does not cover (what region_add() adds). */
long region_chg(struct resv_map *resv, long f, long t);
/* Cover [f, t): the pages newly covered, or -ENOMEM. */
long region_add(struct resv_map *resv, long f, long t);
/* Uncover [f, t) (t == LONG_MAX: to the end): the pages uncovered. */
long region_del(struct resv_map *resv, long f, long t);
/* Pages of [f, t) covered. */
long region_count(struct resv_map *resv, long f, long t);

/* ---- hugetlb files (mm/hugetlbfs.c) ---- */

/* A hugetlbfs inode's state (Linux's hugetlbfs_inode_info + sb info). */
struct hugetlbfs_inode_info {
	struct hstate *hstate;		/* its page size */
	struct resv_map *resv_map;	/* reserved huge-page indices */
	struct hugepage_subpool *spool;	/* charged subpool, or NULL */
	struct folio **folios;		/* page cache, by huge-page index */
	unsigned long nr_slots;		/* entries in folios[] */
	unsigned long nr_folios;	/* folios cached */
	pthread_mutex_t fault_mutex;	/* Linux's hugetlb_fault_mutex */
	pthread_mutex_t cache_lock;	/* folios[], nr_slots, nr_folios */
};

/*
 * Put @folio in @info's page cache at huge-page index @idx (a reference
 * for the cache; ->mapping and ->index set): 0, -EEXIST or -ENOMEM.
 */
int __must_check hugetlbfs_cache_add(struct hugetlbfs_inode_info *info,
				     struct folio *folio, pgoff_t idx,
				     struct address_space *mapping);

/* @file is a hugetlbfs file (is_file_hugepages()). */
bool is_file_hugepages(const struct file *file);
struct hugetlbfs_inode_info *HUGETLBFS_I(const struct inode *inode);
static inline struct hstate *hstate_file(const struct file *file)
{
	return HUGETLBFS_I(file->f_inode)->hstate;
}

/*
 * A hugetlbfs file of @size bytes (Linux's hugetlb_file_setup()): anon
 * (MAP_HUGETLB's, named "anon_hugepage") or a memfd ("memfd:NAME");
 * @acct_noreserve skips reserving its pages now.  @spool (may be NULL)
 * is charged for its pages; the file takes a reference.
 */
int __must_check hugetlb_file_setup(const char *name, unsigned long long size,
				    struct hstate *h, bool acct_noreserve,
				    struct hugepage_subpool *spool,
				    struct file **out);
/* The hstate MAP_HUGE_* / MFD_HUGE_* bits ask for (0: default), or NULL. */
struct hstate *hstate_sizelog(int page_size_log);
/* The last reference to a hugetlbfs inode is gone (mm/shmem.c's iput). */
void hugetlbfs_evict_inode(struct inode *inode);
/* mmap of a hugetlbfs file (Linux's hugetlbfs_file_mmap()). */
int __must_check hugetlbfs_file_mmap(struct file *file,
				     struct vm_area_struct *vma);
/*
 * fallocate() of a hugetlbfs file: punch (FALLOC_FL_PUNCH_HOLE |
 * FALLOC_FL_KEEP_SIZE) frees whole huge pages of [off, off + len) back to
 * the pool (zeroing partial ones), else allocate them.
 */
int __must_check hugetlbfs_fallocate(struct file *file, bool punch,
				     unsigned long long off,
				     unsigned long long len);

/* ---- allocating, mapping, faulting ---- */

/*
 * Reserve huge pages [from, to) of @inode's file for @vma (NULL: the
 * file itself), as Linux's hugetlb_reserve_pages(): private mappings
 * reserve every page and own a resv_map, shared ones what the file has
 * not reserved yet; VM_NORESERVE reserves nothing.  0 or -ENOMEM with
 * nothing changed.
 */
int __must_check hugetlb_reserve_pages(struct inode *inode, long from,
				       long to, struct vm_area_struct *vma,
				       vm_flags_t vm_flags);
/* Give back reservations of [start, end) of a file (truncate, punch). */
long hugetlb_unreserve_pages(struct inode *inode, long start, long end,
			     long freed);

/*
 * A huge folio for @vma at @addr (Linux's alloc_hugetlb_folio()): the
 * mapping's reservation consumed if it has one, else a free page not
 * reserved, else a surplus page from buddy while surplus <
 * nr_overcommit; ERR_PTR(-ENOSPC) (SIGBUS) if none.  *@zeroed: the folio
 * is known zero (HPG_zeroed, cleared here; reported once).  Refcount 1.
 */
struct folio *alloc_hugetlb_folio(struct vm_area_struct *vma,
				  unsigned long addr, bool *zeroed);
/*
 * A folio of @h against a reservation its caller already holds (a
 * file's or a subpool's; Linux's alloc_hugetlb_folio_reserve()): NULL if
 * none is free.  *@zeroed as above.
 */
struct folio *alloc_hugetlb_folio_reserve(struct hstate *h, int nid,
					  bool *zeroed);

static inline bool is_vm_hugetlb_page(const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_HUGETLB;
}
static inline struct hstate *hstate_vma(const struct vm_area_struct *vma)
{
	return hstate_file(vma->vm_file);
}
/* The operations of every hugetlb VMA (mm/hugetlb.c). */
extern const struct vm_operations_struct hugetlb_vm_ops;
/* fork: the child's private hugetlb VMA has no reservations. */
void hugetlb_dup_vma_private(struct vm_area_struct *vma);
/* mremap moved @vma's pages away: its reservations went with them. */
void clear_vma_resv_huge_pages(struct vm_area_struct *vma);
/* Linux's vma_kernel_pagesize(): the VMA's huge page size, or PAGE_SIZE. */
unsigned long vma_kernel_pagesize(const struct vm_area_struct *vma);

/* Fault @address of a hugetlb VMA in (Linux's hugetlb_fault()). */
vm_fault_t hugetlb_fault(struct mm_struct *mm, struct vm_area_struct *vma,
			 unsigned long address, unsigned int flags);
/* Unmap [start, end) of a hugetlb VMA (Linux's unmap_hugepage_range()). */
void unmap_hugepage_range(struct mmu_gather *tlb, struct vm_area_struct *vma,
			  unsigned long start, unsigned long end);
/* The same, only the entries mapping @only (a file folio) if not NULL. */
void __unmap_hugepage_range(struct mmu_gather *tlb, struct vm_area_struct *vma,
			    unsigned long start, unsigned long end,
			    struct folio *only);
/* fork: the child's view of a hugetlb VMA (copy_hugetlb_page_range()). */
int __must_check copy_hugetlb_page_range(struct vm_area_struct *dst_vma,
					 struct vm_area_struct *src_vma);
/*
 * The huge entry of @addr in a hugetlb VMA (a PMD, or a PUD for 1 GiB;
 * read through pmd_t) and in *@ptlp its lock, or NULL if no table holds
 * it yet (Linux's hugetlb_walk() + huge_pte_lockptr()).
 */
pmd_t *hugetlb_walk(struct vm_area_struct *vma, unsigned long addr,
		    spinlock_t **ptlp);
/*
 * mremap: move the entries of [old_addr, old_addr + len) to @new_addr
 * (move_hugetlb_page_tables()): the bytes moved.
 */
unsigned long move_hugetlb_page_tables(struct vm_area_struct *vma,
				       struct vm_area_struct *new_vma,
				       unsigned long old_addr,
				       unsigned long new_addr,
				       unsigned long len);
/* mprotect of a hugetlb range (hugetlb_change_protection()). */
long hugetlb_change_protection(struct vm_area_struct *vma,
			       unsigned long start, unsigned long end,
			       pgprot_t newprot);

/* ---- migration (mm/migrate.c's hugetlb path) ---- */

struct page_vma_mapped_walk;

/*
 * A hugetlb migration entry: a migration swap entry in the huge entry
 * itself (a PMD for 2 MiB, a PUD for 1 GiB; Linux's
 * is_hugetlb_entry_migration()).
 */
static inline bool is_hugetlb_entry_migration(pmd_t entry)
{
	return is_pmd_migration_entry(entry);
}

/*
 * Can pages of @h migrate?  x86-64 and arm64 have hugetlb migration
 * entries at the PMD and PUD levels (arch_hugetlb_migration_supported()):
 * both sizes.  A gigantic destination must come from the pool, though:
 * no temporary 1 GiB page is ever allocated.
 */
static inline bool hugepage_migration_supported(const struct hstate *h)
{
	return h->order == PMD_SHIFT - PAGE_SHIFT ||
	       h->order == PUD_SHIFT - PAGE_SHIFT;
}

/*
 * Isolate hugetlb @folio for migration onto @list (Linux's
 * isolate_hugetlb()): only an in-use folio marked HPG_migratable, which
 * loses the mark and gains a reference; false otherwise.  Takes
 * hugetlb_lock.
 */
bool isolate_hugetlb(struct folio *folio, struct list_head *list);
/*
 * @folio (in use, just mapped or cached) may migrate from now on
 * (HPG_migratable, set under hugetlb_lock).
 */
void hugetlb_set_migratable(struct folio *folio);
/*
 * Undo isolate_hugetlb() (folio_putback_hugetlb()): migratable again,
 * back on the active list, the isolation reference dropped (which frees
 * a folio whose users are gone).
 */
void folio_putback_hugetlb(struct folio *folio);
/*
 * A destination for migrating a folio of @h to @preferred_nid (Linux's
 * alloc_hugetlb_folio_nodemask()): a free pool page not promised to a
 * reservation, on @preferred_nid only with __GFP_THISNODE in @gfp_mask
 * (else the nearest node allowed by @nmask, NULL: any), else a temporary
 * page from buddy (HPG_temporary, counted in nr_huge_pages while it
 * lives, never surplus; on @preferred_nid only unless
 * @allow_alloc_fallback; never for gigantic pages).  Refcount 1, on the
 * active list; NULL if neither can be had.
 */
struct folio *alloc_hugetlb_folio_nodemask(struct hstate *h, int preferred_nid,
					   nodemask_t *nmask, gfp_t gfp_mask,
					   bool allow_alloc_fallback);
/*
 * Migration from @old to @new succeeded (Linux's move_hugetlb_state()):
 * a temporary @new hands its HPG_temporary to @old (which goes back to
 * buddy when freed) together with a per-node surplus page of @old's node;
 * @new becomes migratable, on the active list.
 */
void move_hugetlb_state(struct folio *old, struct folio *new, int reason);
/*
 * alloc_contig_range() met hugetlb @folio in [start_pfn, end_pfn) (Linux's
 * isolate_or_dissolve_huge_folio()): one in use is isolated onto @list
 * for migration; a free one is replaced in the pool by a fresh folio of
 * its node outside the range and dissolved to buddy (the counters do not
 * move).  0, -EBUSY (in use and not migratable, or taken meanwhile),
 * -ENOMEM (gigantic, or no replacement).  foliage does not isolate the
 * range, so the replacement is kept out of it explicitly.
 */
int isolate_or_dissolve_huge_folio(struct folio *folio, struct list_head *list,
				   unsigned long start_pfn,
				   unsigned long end_pfn);
/*
 * After the migration: the free pool folios in [start_pfn, end_pfn) (the
 * migrated ones came back to the pool there) replaced and dissolved as
 * above (Linux's replace_free_hugepage_folios()).  0 or -errno.
 */
int replace_free_hugepage_folios(unsigned long start_pfn,
				 unsigned long end_pfn);
/*
 * try_to_migrate() of a hugetlb folio: the huge entry at pvmw->pmd becomes
 * a migration entry (flushed at once; the write and AnonExclusive bits,
 * young and dirty kept in it); the mapping's rmap and reference dropped.
 * False (nothing changed) if an exclusive anon folio may be pinned.
 * Caller holds the entry's lock and the folio lock.
 */
bool hugetlb_set_migration_entry(struct page_vma_mapped_walk *pvmw,
				 struct folio *folio);
/*
 * remove_migration_ptes() of a hugetlb folio: the migration entry at
 * pvmw->pmd maps @new (the whole folio) again, with the entry's bits.
 * Caller holds the entry's lock and @new's lock.
 */
void hugetlb_remove_migration_entry(struct page_vma_mapped_walk *pvmw,
				    struct folio *new);
/*
 * A fault met the hugetlb migration entry at @ptep: sleep until the
 * migration is over (Linux's migration_entry_wait_huge()); the access
 * then retries.  Takes and drops the entry's lock.
 */
void migration_entry_wait_huge(struct vm_area_struct *vma, unsigned long addr,
			       pmd_t *ptep);
/*
 * Move a hugetlbfs file's page-cache slot from @src to @dst (Linux's
 * hugetlbfs_migrate_folio()): -EAGAIN if @src has a reference migration
 * does not expect (@expected is the count it does); the subpool moves
 * with it.  Caller holds both folio locks; @src is unmapped.
 */
int hugetlbfs_migrate_folio(struct folio *dst, struct folio *src,
			    int expected);

/*
 * Recount each hstate's reserved pages from their owners (debug builds;
 * the caller holds every task's mmap_lock and the task list's lock):
 *
 *   resv_huge_pages == sum over hugetlbfs files of the indices their
 *			resv_map covers and their cache does not hold
 *		      + sum over private owner VMAs of their pages whose
 *			reservation no fault consumed
 *		      + sum over subpools of rsv_hpages
 *
 * 0, or -EUCLEAN after reporting the disagreement.
 */
int validate_hugetlb_resv(void);

/*
 * Recount every pool from its lists and check each folio (debug builds):
 * 0, or -EUCLEAN after reporting the first disagreement.
 */
int validate_hugetlb(void);

#endif /* _FOLIAGE_LINUX_HUGETLB_H */
