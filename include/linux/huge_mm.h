/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Transparent huge pages (mm/huge_memory.c): which orders a VMA may use,
 * the huge-PMD fault, zap, copy and split paths, the huge zero folio, the
 * mTHP statistics and the sysfs knobs of /sys/kernel/mm/transparent_hugepage.
 * The types (policy enums, struct thp_settings) are in huge_mm_types.h.
 */
#ifndef _FOLIAGE_LINUX_HUGE_MM_H
#define _FOLIAGE_LINUX_HUGE_MM_H

#include <linux/huge_mm_types.h>
#include <linux/mm.h>

struct seq_buf;

/*
 * A node's deferred split queue (Linux's struct deferred_split): anon
 * large folios of order > 1 to split when the shrinker runs, linked by
 * ->_deferred_list.  Partially mapped ones carry the partially_mapped
 * flag; PMD THPs are queued from their fault for the underused-THP check.
 *   folio on a queue  <=>  ->_deferred_list not empty
 *   split_queue_len == folios on the queue (and on a scan's private list)
 *   partially_mapped  =>  on a queue; hugepages-NkB/stats/
 *	nr_anon_partially_mapped == such folios of that order
 */
struct deferred_split {
	spinlock_t split_queue_lock;	/* protects the two below */
	struct list_head split_queue;	/* folios, by ->_deferred_list */
	unsigned long split_queue_len;	/* their number */
};

/* The machine's THP state (machine->thp, allocated by thp_subsys). */
struct thp_state {
	struct thp_settings settings;	/* transparent_hugepage knobs */
	/* hugepages-NkB/stats, by order */
	unsigned long mthp_stats[THP_PMD_ORDER + 1][__MTHP_STAT_COUNT];
	struct deferred_split ds_queue[MAX_NUMNODES]; /* per node */
};

/* PG_partially_mapped: in page 1's flags, above the order byte. */
#define FOLIO_PARTIALLY_MAPPED_BIT	8

static inline bool folio_test_partially_mapped(const struct folio *folio)
{
	return folio_test_large(folio) &&
	       test_bit(FOLIO_PARTIALLY_MAPPED_BIT, &folio->_flags_1);
}

/*
 * Queue @folio (anon, order > 1) for deferred split; @partially_mapped:
 * some of its pages lost their last mapping while others kept theirs
 * (counted the first time: split_deferred, nr_anon_partially_mapped,
 * thp_deferred_split_page for PMD-sized ones).
 */
void deferred_split_folio(struct folio *folio, bool partially_mapped);
/* Take @folio off its queue; true if it was on one. */
bool __folio_unqueue_deferred_split(struct folio *folio);

/*
 * The same where nobody else may queue @folio: its last reference is
 * going, or its references are frozen.
 */
static inline bool folio_unqueue_deferred_split(struct folio *folio)
{
	if (folio_order(folio) <= 1 || PageHugetlb(&folio->page))
		return false;
	if (READ_ONCE(folio->_deferred_list.next) == &folio->_deferred_list)
		return false;
	return __folio_unqueue_deferred_split(folio);
}

/*
 * The deferred split shrinker over node @nid: split the partially mapped
 * folios of its queue, drop the others (none is underused: see
 * thp_underused()).  Returns the folios split.
 */
unsigned long deferred_split_scan(int nid);
/* Linux's drop_slab(): every shrinker, until they free little. */
void drop_slab(void);

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
 * Split an anonymous large folio into order-0 folios (Linux's
 * split_folio(), split_huge_page_to_list_to_order() to order 0): every
 * mapping becomes a migration entry, the folio is split, and each page
 * is mapped back, an all-zero one as the shared zero page (leaving RSS).
 * Counted in thp_split_page / hugepages-NkB/stats/split (or _failed).
 * Caller holds the folio lock and a reference; the head stays locked
 * and referenced, the other pages are unlocked and left to their
 * mappings.  0, -EBUSY (unmapped), -EAGAIN (other references: pinned or
 * in use), -EINVAL (order 0, or not anon).
 */
int split_folio(struct folio *folio);

/*
 * PMD migration entries: a PMD-mapped THP migrates without a split.
 * set_pmd_migration_entry(): try_to_migrate()'s PMD case, the PMD becomes
 * an entry keeping write or AnonExclusive, young, dirty, soft-dirty and
 * uffd-wp, and drops its mapcount and reference; -EBUSY (left mapped) if
 * the page may be pinned.  remove_migration_pmd(): the entry becomes a
 * huge PMD of @new's folio again.  Both: caller holds the PMD lock
 * (@pvmw's) and the folio lock.  pmd_migration_entry_wait(): a fault on
 * an entry sleeps until the folio is unlocked, then retries.
 */
struct page_vma_mapped_walk;
int set_pmd_migration_entry(struct page_vma_mapped_walk *pvmw,
			    struct page *page);
void remove_migration_pmd(struct page_vma_mapped_walk *pvmw, struct page *new);
void pmd_migration_entry_wait(struct mm_struct *mm, pmd_t *pmd);
/*
 * split_folio() of an isolated folio (off the LRU, for migration): the
 * new order-0 folios after the first are isolated too, each with a
 * reference, at the tail of @list.  NULL: as split_folio().
 */
int split_folio_to_list(struct folio *folio, struct list_head *list);
/*
 * Before a VMA's bounds move to @start/@end: split huge PMDs straddling
 * them (vma_adjust_trans_huge; call it for the next VMA too if its start
 * moves).
 */
void vma_adjust_trans_huge(struct vm_area_struct *vma, unsigned long start,
			   unsigned long end);
/* Boot defaults of the knobs (thp_subsys's init calls it). */
void thp_settings_init(void);
/* The huge zero folio, allocating it on first use; NULL if that fails. */
struct folio *mm_get_huge_zero_folio(struct mm_struct *mm);
/* The mm is going: its reference on the huge zero folio, if it took one. */
void mm_put_huge_zero_folio(struct mm_struct *mm);
/* hugepages-NkB/stats/ counters. */
static inline void mod_mthp_stat(unsigned int order,
				 enum mthp_stat_item item, long delta)
{
	if (order && order <= THP_PMD_ORDER)
		__atomic_fetch_add(&this_machine->thp->mthp_stats[order][item],
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
/* Whether @pmd maps the huge zero folio. */
bool is_huge_zero_pmd(pmd_t pmd);

#endif /* _FOLIAGE_LINUX_HUGE_MM_H */
