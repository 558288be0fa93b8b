// SPDX-License-Identifier: GPL-2.0
/*
 * HugeTLB pools: the 2 MiB and 1 GiB hstates, growing and shrinking them
 * (Linux 6.18's set_max_huge_pages() rules), freeing a user's folio back to
 * the pool or to buddy, the meminfo lines, the sysfs files of
 * /sys/kernel/mm/hugepages/, the knobs, and the pool validator.  See
 * include/linux/hugetlb.h for what is promised.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "render.h"
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/rmap.h>
#include <asm-generic/tlb.h>
#include <linux/hugetlb.h>
#include <linux/mempolicy.h>
#include <linux/lockdep.h>
#include <linux/machine_subsys.h>
#include <linux/vmstat.h>
#include <linux/shmem_fs.h>
#include <trace/events.h>
#include "task.h"

#define hugetlb_lock	(this_machine->hugetlb->hugetlb_lock)

static int nr_online_nodes(void)
{
	return this_machine->nr_nodes;
}

struct hstate *folio_hstate(const struct folio *folio)
{
	struct hugetlb_state *hs = this_machine->hugetlb;
	unsigned int i;

	for (i = 0; i < HUGE_MAX_HSTATE; i++)
		if (hs->hstates[i].order == folio_order(folio))
			return &hs->hstates[i];
	return NULL;
}

/*
 * The round-robin cursors: the node @*next names, and *next moved past it
 * (Linux's hstate_next_node_to_alloc()/_free() over N_MEMORY, which is
 * every foliage node).
 */
static int next_node_rr(int *next)
{
	int nid = *next;

	if (nid < 0 || nid >= nr_online_nodes())
		nid = 0;
	*next = (nid + 1) % nr_online_nodes();
	return nid;
}

/* ---- the pool lists (caller holds hugetlb_lock) ---- */

static void enqueue_hugetlb_folio(struct hstate *h, struct folio *folio)
{
	int nid = folio_nid(folio);

	lockdep_assert_held(&hugetlb_lock);
	list_move(&folio->lru, &h->hugepage_freelists[nid]);
	folio_set_hugetlb_freed(folio);
	h->free_huge_pages++;
	h->free_huge_pages_node[nid]++;
}

/* A fresh folio joins @h's pool, free (Linux's account + enqueue). */
static void add_hugetlb_folio(struct hstate *h, struct folio *folio)
{
	int nid = folio_nid(folio);

	lockdep_assert_held(&hugetlb_lock);
	INIT_LIST_HEAD(&folio->lru);
	h->nr_huge_pages++;
	h->nr_huge_pages_node[nid]++;
	enqueue_hugetlb_folio(h, folio);
}

/*
 * Take @folio out of @h's accounting (free or not); @adjust_surplus: it
 * was a surplus page (Linux's remove_hugetlb_folio()).
 */
static void remove_hugetlb_folio(struct hstate *h, struct folio *folio,
				 bool adjust_surplus)
{
	int nid = folio_nid(folio);

	lockdep_assert_held(&hugetlb_lock);
	list_del(&folio->lru);
	if (folio_test_hugetlb_freed(folio)) {
		folio_clear_hugetlb_freed(folio);
		h->free_huge_pages--;
		h->free_huge_pages_node[nid]--;
	}
	if (adjust_surplus) {
		h->surplus_huge_pages--;
		h->surplus_huge_pages_node[nid]--;
	}
	h->nr_huge_pages--;
	h->nr_huge_pages_node[nid]--;
}

struct folio *__dequeue_hugetlb_folio_node_exact(struct hstate *h, int nid)
{
	struct folio *folio;

	lockdep_assert_held(&hugetlb_lock);
	if (nid < 0 || nid >= nr_online_nodes() ||
	    list_empty(&h->hugepage_freelists[nid]))
		return NULL;
	folio = list_first_entry(&h->hugepage_freelists[nid], struct folio,
				 lru);
	list_move(&folio->lru, &h->hugepage_activelist);
	folio_clear_hugetlb_freed(folio);
	set_page_count(&folio->page, 1);
	h->free_huge_pages--;
	h->free_huge_pages_node[nid]--;
	return folio;
}

struct folio *dequeue_hugetlb_folio_node_exact(struct hstate *h, int nid)
{
	struct folio *folio;

	spin_lock(&hugetlb_lock);
	folio = __dequeue_hugetlb_folio_node_exact(h, nid);
	spin_unlock(&hugetlb_lock);
	return folio;
}

/* ---- fresh folios from, and back to, the page allocator ---- */

/*
 * One fresh huge folio of @h on node @nid (exactly, with __GFP_THISNODE in
 * @extra, as the pool asks; preferred, as surplus allocations ask), frozen
 * (refcount 0), PageHugetlb: order 9 from buddy (counting
 * htlb_buddy_alloc_success or _fail), order 18 from alloc_contig_pages()
 * (which counts neither, as in Linux).  @extra may hold __GFP_ZERO (the
 * allocator skips the memset for a PG_zeroed block).  Called without
 * hugetlb_lock: the allocation may take long.
 */
static struct folio *alloc_fresh_hugetlb_folio(struct hstate *h, int nid,
						gfp_t extra)
{
	gfp_t gfp = __GFP_COMP | __GFP_NOWARN | extra;
	struct page *page;

	if (hstate_is_gigantic(h)) {
		/* Gigantic pages are not movable (hugepage_movable_supported). */
		page = alloc_contig_pages(pages_per_huge_page(h),
					  GFP_HIGHUSER | gfp, nid);
		if (!page)
			return NULL;
		set_page_count(page, 0);
	} else {
		page = alloc_frozen_pages(GFP_HIGHUSER_MOVABLE | gfp |
					  __GFP_RETRY_MAYFAIL, h->order, nid);
		if (!page) {
			count_vm_event(HTLB_BUDDY_ALLOC_FAIL);
			return NULL;
		}
		count_vm_event(HTLB_BUDDY_ALLOC_SUCCESS);
	}
	__SetPageHugetlb(page);
	mod_node_page_state(NODE_DATA(nid), NR_HUGETLB,
			    pages_per_huge_page(h));
	return page_folio(page);
}

/* A folio removed from its pool goes back to the page allocator. */
static void update_and_free_hugetlb_folio(struct hstate *h,
					  struct folio *folio)
{
	struct page *page = &folio->page;

	mod_node_page_state(NODE_DATA(folio_nid(folio)), NR_HUGETLB,
			    -(long)pages_per_huge_page(h));
	__ClearPageHugetlb(page);
	folio->_hugetlb_private = 0;
	if (hstate_is_gigantic(h)) {
		set_page_count(page, 1);
		free_contig_range(page_to_pfn(page), pages_per_huge_page(h));
	} else {
		free_frozen_pages(page, h->order);
	}
}

/* The folios on @list (out of the pool) back to the allocator. */
static void update_and_free_pages_bulk(struct hstate *h,
				       struct list_head *list)
{
	struct folio *folio, *next;

	list_for_each_entry_safe(folio, next, list, lru) {
		list_del(&folio->lru);
		update_and_free_hugetlb_folio(h, folio);
	}
}

/*
 * A fresh folio for the pool, trying each node once from @h's allocation
 * cursor (Linux's alloc_pool_huge_folio()).
 */
static struct folio *alloc_pool_huge_folio(struct hstate *h)
{
	int i, nid;

	for (i = 0; i < nr_online_nodes(); i++) {
		struct folio *folio;

		spin_lock(&hugetlb_lock);
		nid = next_node_rr(&h->next_nid_to_alloc);
		spin_unlock(&hugetlb_lock);
		folio = alloc_fresh_hugetlb_folio(h, nid, __GFP_THISNODE);
		if (folio)
			return folio;
	}
	return NULL;
}

/*
 * A free folio of a node that has one (and, with @acct_surplus, a surplus
 * page), from @h's free cursor, out of the pool (Linux's
 * remove_pool_hugetlb_folio()).  Caller holds hugetlb_lock.
 */
static struct folio *remove_pool_hugetlb_folio(struct hstate *h,
					       bool acct_surplus)
{
	int i, nid;

	lockdep_assert_held(&hugetlb_lock);
	for (i = 0; i < nr_online_nodes(); i++) {
		nid = next_node_rr(&h->next_nid_to_free);
		if ((!acct_surplus || h->surplus_huge_pages_node[nid]) &&
		    !list_empty(&h->hugepage_freelists[nid])) {
			struct folio *folio = list_first_entry(
				&h->hugepage_freelists[nid], struct folio, lru);

			remove_hugetlb_folio(h, folio, acct_surplus);
			return folio;
		}
	}
	return NULL;
}

/*
 * Move one page between persistent and surplus (Linux's
 * adjust_pool_surplus()): @delta -1 makes a surplus page persistent (on a
 * node with surplus, from the alloc cursor), +1 makes a persistent page
 * surplus (on a node with a non-surplus page, from the free cursor).
 * Returns whether a page moved.  Caller holds hugetlb_lock.
 */
static bool adjust_pool_surplus(struct hstate *h, int delta)
{
	int i, nid;

	lockdep_assert_held(&hugetlb_lock);
	for (i = 0; i < nr_online_nodes(); i++) {
		if (delta < 0) {
			nid = next_node_rr(&h->next_nid_to_alloc);
			if (!h->surplus_huge_pages_node[nid])
				continue;
		} else {
			nid = next_node_rr(&h->next_nid_to_free);
			if (h->surplus_huge_pages_node[nid] >=
			    h->nr_huge_pages_node[nid])
				continue;
		}
		h->surplus_huge_pages += delta;
		h->surplus_huge_pages_node[nid] += delta;
		return true;
	}
	return false;
}

int set_max_huge_pages(struct hstate *h, unsigned long count)
{
	unsigned long min_count;
	struct list_head page_list;
	struct folio *folio;

	down_write_class(&h->resize_lock, LOCK_CLASS_NONE);
	spin_lock(&hugetlb_lock);
	/* Surplus pages become persistent first: no allocation needed. */
	while (h->surplus_huge_pages && count > persistent_huge_pages(h))
		if (!adjust_pool_surplus(h, -1))
			break;
	while (count > persistent_huge_pages(h)) {
		spin_unlock(&hugetlb_lock);
		folio = alloc_pool_huge_folio(h);
		spin_lock(&hugetlb_lock);
		if (!folio)
			break;
		add_hugetlb_folio(h, folio);
	}
	/*
	 * Shrinking: free pages not promised to reservations go back to
	 * the allocator; what is still in use becomes surplus, to go back
	 * when its user frees it.
	 */
	min_count = h->resv_huge_pages + h->nr_huge_pages -
		    h->free_huge_pages;
	min_count = max(count, min_count);
	INIT_LIST_HEAD(&page_list);
	while (min_count < persistent_huge_pages(h)) {
		folio = remove_pool_hugetlb_folio(h, false);
		if (!folio)
			break;
		list_add(&folio->lru, &page_list);
	}
	spin_unlock(&hugetlb_lock);
	update_and_free_pages_bulk(h, &page_list);
	spin_lock(&hugetlb_lock);
	while (count < persistent_huge_pages(h))
		if (!adjust_pool_surplus(h, 1))
			break;
	h->max_huge_pages = persistent_huge_pages(h);
	spin_unlock(&hugetlb_lock);
	up_rwsem(&h->resize_lock);
	return 0;
}

void free_huge_folio(struct folio *folio)
{
	struct hstate *h = folio_hstate(folio);
	struct hugepage_subpool *spool = folio->_hugetlb_subpool;
	bool restore_reserve = folio_test_hugetlb_restore_reserve(folio);
	int nid = folio_nid(folio);

	VM_BUG_ON(folio_ref_count(folio) != 0);
	folio->mapping = NULL;
	folio->_hugetlb_subpool = NULL;
	folio_clear_hugetlb_restore_reserve(folio);
	/* It was mapped to user space: no longer known zero (seed 000). */
	folio_clear_hugetlb_zeroed(folio);
	atomic_set(&folio->_entire_mapcount, -1);
	atomic_set(&folio->_large_mapcount, -1);
	ClearPageAnonExclusive(&folio->page);
	/*
	 * A page that did not consume a reservation goes back to its
	 * subpool; if that leaves the subpool below its minimum, the page
	 * becomes one of its reservations again.
	 */
	if (!restore_reserve && hugepage_subpool_put_pages(spool, 1) == 0)
		restore_reserve = true;
	spin_lock(&hugetlb_lock);
	folio_clear_hugetlb_migratable(folio);
	list_del_init(&folio->lru);	/* off the active list */
	if (restore_reserve)
		h->resv_huge_pages++;
	if (folio_test_hugetlb_temporary(folio)) {
		/* A migration's temporary page: never surplus, back to buddy. */
		folio_clear_hugetlb_temporary(folio);
		remove_hugetlb_folio(h, folio, false);
		spin_unlock(&hugetlb_lock);
		update_and_free_hugetlb_folio(h, folio);
		return;
	}
	if (h->surplus_huge_pages_node[nid]) {
		remove_hugetlb_folio(h, folio, true);
		spin_unlock(&hugetlb_lock);
		update_and_free_hugetlb_folio(h, folio);
		return;
	}
	enqueue_hugetlb_folio(h, folio);
	spin_unlock(&hugetlb_lock);
}

/* ---- surplus pages and the global reservation count ---- */

/*
 * A surplus folio of @h from buddy, preferring node @nid, while surplus <
 * nr_overcommit (Linux's alloc_surplus_hugetlb_folio()): accounted in the
 * pool (nr and surplus), refcount 0, off every list; NULL if overcommit
 * forbids it or buddy has none.  Gigantic pages are never surplus.
 * Allocated with __GFP_ZERO and marked HPG_zeroed: a PG_zeroed block costs
 * no memset, and the fault that maps it need not clear it (seed 000).
 * Called without hugetlb_lock.
 */
static struct folio *alloc_surplus_hugetlb_folio(struct hstate *h, int nid)
{
	struct folio *folio;

	if (hstate_is_gigantic(h))
		return NULL;
	spin_lock(&hugetlb_lock);
	if (h->surplus_huge_pages >= h->nr_overcommit_huge_pages) {
		spin_unlock(&hugetlb_lock);
		return NULL;
	}
	spin_unlock(&hugetlb_lock);
	folio = alloc_fresh_hugetlb_folio(h, nid, __GFP_ZERO);
	if (!folio)
		return NULL;
	spin_lock(&hugetlb_lock);
	/* The knob may have moved while the allocator ran. */
	if (h->surplus_huge_pages >= h->nr_overcommit_huge_pages) {
		spin_unlock(&hugetlb_lock);
		update_and_free_hugetlb_folio(h, folio);
		return NULL;
	}
	INIT_LIST_HEAD(&folio->lru);
	h->nr_huge_pages++;
	h->nr_huge_pages_node[folio_nid(folio)]++;
	h->surplus_huge_pages++;
	h->surplus_huge_pages_node[folio_nid(folio)]++;
	folio_set_hugetlb_zeroed(folio);
	spin_unlock(&hugetlb_lock);
	return folio;
}

/*
 * A surplus folio, trying every node @nmask allows (NULL: all) from @nid
 * on: refcount 0, off every list.
 */
static struct folio *alloc_surplus_nodemask(struct hstate *h, int nid,
					    const nodemask_t *nmask)
{
	int i;

	for (i = 0; i < nr_online_nodes(); i++) {
		int node = (nid + i) % nr_online_nodes();
		struct folio *folio;

		if (nmask && !node_isset(node, *nmask))
			continue;
		folio = alloc_surplus_hugetlb_folio(h, node);
		if (folio)
			return folio;
	}
	return NULL;
}

/* For a reservation: from the calling CPU's node, any node. */
static struct folio *alloc_surplus_any_node(struct hstate *h)
{
	return alloc_surplus_nodemask(h, numa_node_id(), NULL);
}

/*
 * Reserve @delta more pages of @h, allocating the surplus pages needed
 * beyond the free ones (Linux's gather_surplus_pages()): 0, or -ENOMEM
 * with nothing changed.  Caller holds hugetlb_lock; it is dropped while
 * the allocator runs.
 */
static int gather_surplus_pages(struct hstate *h, long delta)
{
	struct folio *folio, *tmp;
	struct list_head surplus_list;
	long needed, allocated = 0, i;
	bool alloc_ok = true;
	int ret = -ENOMEM;

	lockdep_assert_held(&hugetlb_lock);
	needed = (long)(h->resv_huge_pages + delta) - (long)h->free_huge_pages;
	if (needed <= 0) {
		h->resv_huge_pages += delta;
		return 0;
	}
	INIT_LIST_HEAD(&surplus_list);
retry:
	spin_unlock(&hugetlb_lock);
	for (i = 0; i < needed; i++) {
		folio = alloc_surplus_any_node(h);
		if (!folio) {
			alloc_ok = false;
			break;
		}
		list_add(&folio->lru, &surplus_list);
	}
	allocated += i;
	spin_lock(&hugetlb_lock);
	/* Pages freed meanwhile may cover part of the need. */
	needed = (long)(h->resv_huge_pages + delta) -
		 (long)(h->free_huge_pages + allocated);
	if (needed > 0) {
		if (alloc_ok)
			goto retry;
		goto free;
	}
	needed += allocated;
	h->resv_huge_pages += delta;
	ret = 0;
	/* The pages needed join the pool, free and reserved. */
	list_for_each_entry_safe(folio, tmp, &surplus_list, lru) {
		if (--needed < 0)
			break;
		enqueue_hugetlb_folio(h, folio);
	}
free:
	spin_unlock(&hugetlb_lock);
	/* Those not needed (or all, on failure) go straight back. */
	list_for_each_entry_safe(folio, tmp, &surplus_list, lru) {
		list_del_init(&folio->lru);
		if (!folio_test_hugetlb_freed(folio)) {
			spin_lock(&hugetlb_lock);
			remove_hugetlb_folio(h, folio, true);
			spin_unlock(&hugetlb_lock);
			update_and_free_hugetlb_folio(h, folio);
		}
	}
	spin_lock(&hugetlb_lock);
	return ret;
}

/*
 * Release @unused_resv_pages reservations of @h and free as many unused
 * surplus pages (Linux's return_unused_surplus_pages()).  Caller holds
 * hugetlb_lock; dropped while pages go back to the allocator.
 */
static void return_unused_surplus_pages(struct hstate *h,
					unsigned long unused_resv_pages)
{
	struct list_head page_list;
	unsigned long nr_pages;
	struct folio *folio;

	lockdep_assert_held(&hugetlb_lock);
	h->resv_huge_pages -= unused_resv_pages;
	if (hstate_is_gigantic(h))
		return;
	INIT_LIST_HEAD(&page_list);
	nr_pages = min(unused_resv_pages, h->surplus_huge_pages);
	while (nr_pages--) {
		folio = remove_pool_hugetlb_folio(h, true);
		if (!folio)
			break;
		list_add(&folio->lru, &page_list);
	}
	spin_unlock(&hugetlb_lock);
	update_and_free_pages_bulk(h, &page_list);
	spin_lock(&hugetlb_lock);
}

int hugetlb_acct_memory(struct hstate *h, long delta)
{
	unsigned long free_pages = 0;
	int ret = -ENOMEM, nid;

	if (!delta)
		return 0;
	spin_lock(&hugetlb_lock);
	if (delta > 0) {
		if (gather_surplus_pages(h, delta) < 0)
			goto out;
		/* Every node is in the task's cpuset (allowed_mems_nr()). */
		for (nid = 0; nid < nr_online_nodes(); nid++)
			free_pages += h->free_huge_pages_node[nid];
		if ((unsigned long)delta > free_pages) {
			return_unused_surplus_pages(h, delta);
			goto out;
		}
	}
	ret = 0;
	if (delta < 0)
		return_unused_surplus_pages(h, (unsigned long)-delta);
out:
	spin_unlock(&hugetlb_lock);
	return ret;
}

/* ---- subpools ---- */

struct hugepage_subpool *hugepage_new_subpool(struct hstate *h,
					      long max_hpages,
					      long min_hpages)
{
	struct hugepage_subpool *spool = calloc(1, sizeof(*spool));

	if (!spool)
		return NULL;
	spin_lock_init(&spool->lock);
	INIT_LIST_HEAD(&spool->link);
	spool->count = 1;
	spool->max_hpages = max_hpages;
	spool->hstate = h;
	spool->min_hpages = min_hpages;
	if (min_hpages != -1 && hugetlb_acct_memory(h, min_hpages)) {
		free(spool);
		return NULL;
	}
	spool->rsv_hpages = min_hpages;
	spin_lock(&hugetlb_lock);
	list_add_tail(&spool->link, &this_machine->hugetlb->subpools);
	spin_unlock(&hugetlb_lock);
	return spool;
}

/*
 * Drop @spool's lock; free it if nothing refers to it or is charged to
 * it any more, giving its minimum's reservations back.
 */
static bool subpool_is_free(const struct hugepage_subpool *spool)
{
	if (spool->count)
		return false;
	if (spool->max_hpages != -1)
		return spool->used_hpages == 0;
	if (spool->min_hpages != -1)
		return spool->rsv_hpages == spool->min_hpages;
	return true;
}

static void unlock_or_release_subpool(struct hugepage_subpool *spool)
{
	bool free_it = subpool_is_free(spool);

	spin_unlock(&spool->lock);
	if (!free_it)
		return;
	spin_lock(&hugetlb_lock);
	list_del(&spool->link);
	spin_unlock(&hugetlb_lock);
	if (spool->min_hpages != -1)
		(void)hugetlb_acct_memory(spool->hstate, -spool->min_hpages);
	free(spool);
}

void hugepage_put_subpool(struct hugepage_subpool *spool)
{
	if (!spool)
		return;
	spin_lock(&spool->lock);
	VM_BUG_ON(!spool->count);
	spool->count--;
	unlock_or_release_subpool(spool);
}

long hugepage_subpool_get_pages(struct hugepage_subpool *spool, long delta)
{
	long ret = delta;

	if (!spool)
		return ret;
	spin_lock(&spool->lock);
	if (spool->max_hpages != -1) {
		if (spool->used_hpages + delta > spool->max_hpages) {
			ret = -ENOMEM;
			goto unlock;
		}
		spool->used_hpages += delta;
	}
	/* Pages inside the minimum were reserved when it was made. */
	if (spool->min_hpages != -1 && spool->rsv_hpages) {
		if (delta > spool->rsv_hpages) {
			ret = delta - spool->rsv_hpages;
			spool->rsv_hpages = 0;
		} else {
			ret = 0;
			spool->rsv_hpages -= delta;
		}
	}
unlock:
	spin_unlock(&spool->lock);
	return ret;
}

long hugepage_subpool_put_pages(struct hugepage_subpool *spool, long delta)
{
	long ret = delta;

	if (!spool)
		return delta;
	spin_lock(&spool->lock);
	if (spool->max_hpages != -1)
		spool->used_hpages -= delta;
	/* Below the minimum, the pages stay reserved for the subpool. */
	if (spool->min_hpages != -1 &&
	    spool->used_hpages < spool->min_hpages) {
		if (spool->rsv_hpages + delta <= spool->min_hpages)
			ret = 0;
		else
			ret = spool->rsv_hpages + delta - spool->min_hpages;
		spool->rsv_hpages += delta;
		if (spool->rsv_hpages > spool->min_hpages)
			spool->rsv_hpages = spool->min_hpages;
	}
	unlock_or_release_subpool(spool);
	return ret;
}

/* ---- reservation maps ---- */

/* One covered range of a resv_map. */
struct file_region {
	struct list_head link;		/* in resv_map->regions, sorted */
	long from;			/* first huge-page index */
	long to;			/* one past the last */
};

struct resv_map *resv_map_alloc(void)
{
	struct resv_map *resv = calloc(1, sizeof(*resv));

	if (!resv)
		return NULL;
	atomic_set(&resv->refs, 1);
	spin_lock_init(&resv->lock);
	INIT_LIST_HEAD(&resv->regions);
	return resv;
}

void resv_map_put(struct resv_map *resv)
{
	if (!resv || !atomic_dec_and_test(&resv->refs))
		return;
	(void)region_del(resv, 0, LONG_MAX);
	free(resv);
}

long region_count(struct resv_map *resv, long f, long t)
{
	struct file_region *rg;
	long chg = 0;

	spin_lock(&resv->lock);
	list_for_each_entry(rg, &resv->regions, link) {
		if (rg->to <= f)
			continue;
		if (rg->from >= t)
			break;
		chg += min(rg->to, t) - max(rg->from, f);
	}
	spin_unlock(&resv->lock);
	return chg;
}

long region_chg(struct resv_map *resv, long f, long t)
{
	return (t - f) - region_count(resv, f, t);
}

long region_add(struct resv_map *resv, long f, long t)
{
	struct file_region *rg, *next, *nrg;
	long added;

	/* Allocated first: one new region at most, merged below. */
	nrg = calloc(1, sizeof(*nrg));
	if (!nrg)
		return -ENOMEM;
	spin_lock(&resv->lock);
	added = t - f;
	/* Swallow every region touching [f, t) into the new one. */
	list_for_each_entry_safe(rg, next, &resv->regions, link) {
		if (rg->to < f)
			continue;
		if (rg->from > t)
			break;
		added -= max(0L, min(rg->to, t) - max(rg->from, f));
		f = min(f, rg->from);
		t = max(t, rg->to);
		list_del(&rg->link);
		free(rg);
	}
	nrg->from = f;
	nrg->to = t;
	list_for_each_entry(rg, &resv->regions, link)
		if (rg->from > t)
			break;
	list_add_tail(&nrg->link, &rg->link);
	spin_unlock(&resv->lock);
	return added;
}

long region_del(struct resv_map *resv, long f, long t)
{
	struct file_region *rg, *next, *nrg = NULL;
	long del = 0;

retry:
	spin_lock(&resv->lock);
	list_for_each_entry_safe(rg, next, &resv->regions, link) {
		if (rg->to <= f)
			continue;
		if (rg->from >= t)
			break;
		if (rg->from < f && rg->to > t) {
			/* A hole in the middle: the region splits in two. */
			if (!nrg) {
				spin_unlock(&resv->lock);
				nrg = calloc(1, sizeof(*nrg));
				if (!nrg)
					return -ENOMEM;
				goto retry;
			}
			del += t - f;
			nrg->from = t;
			nrg->to = rg->to;
			rg->to = f;
			list_add(&nrg->link, &rg->link);
			nrg = NULL;
			break;
		}
		if (f <= rg->from && t >= rg->to) {
			del += rg->to - rg->from;
			list_del(&rg->link);
			free(rg);
		} else if (f <= rg->from) {
			del += t - rg->from;
			rg->from = t;
		} else {
			del += rg->to - f;
			rg->to = f;
		}
	}
	spin_unlock(&resv->lock);
	free(nrg);
	return del;
}

/* ---- reservations of mappings ---- */

/* vm_private_data of a private hugetlb VMA: resv_map | HPAGE_RESV_* */
#define HPAGE_RESV_OWNER	(1UL << 0)	/* made the reservation */
#define HPAGE_RESV_UNMAPPED	(1UL << 1)	/* pages taken for a COW */
#define HPAGE_RESV_MASK		(HPAGE_RESV_OWNER | HPAGE_RESV_UNMAPPED)

static struct resv_map *vma_resv_map(struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_MAYSHARE)
		return HUGETLBFS_I(vma->vm_file->f_inode)->resv_map;
	return (struct resv_map *)((unsigned long)vma->vm_private_data &
				   ~HPAGE_RESV_MASK);
}

static bool is_vma_resv_set(struct vm_area_struct *vma, unsigned long flag)
{
	return !(vma->vm_flags & VM_MAYSHARE) &&
	       ((unsigned long)vma->vm_private_data & flag);
}

static void set_vma_resv(struct vm_area_struct *vma, struct resv_map *resv,
			 unsigned long flags)
{
	vma->vm_private_data = (void *)((unsigned long)resv | flags);
}

/* The huge-page index in the file of @address (vma_hugecache_offset()). */
static pgoff_t vma_hugecache_offset(struct hstate *h,
				    struct vm_area_struct *vma,
				    unsigned long address)
{
	return ((address - vma->vm_start) >> (h->order + PAGE_SHIFT)) +
	       (vma->vm_pgoff >> h->order);
}

static struct hugepage_subpool *subpool_vma(struct vm_area_struct *vma)
{
	return HUGETLBFS_I(vma->vm_file->f_inode)->spool;
}

int hugetlb_reserve_pages(struct inode *inode, long from, long to,
			  struct vm_area_struct *vma, vm_flags_t vm_flags)
{
	struct hugetlbfs_inode_info *info = HUGETLBFS_I(inode);
	struct hstate *h = info->hstate;
	struct hugepage_subpool *spool = info->spool;
	struct resv_map *resv_map;
	long chg, add, gbl_reserve, rsv_adjust;

	if (from > to)
		return -EINVAL;
	/* MAP_NORESERVE (or the anon file itself): faults take their luck. */
	if (vm_flags & VM_NORESERVE)
		return 0;
	/*
	 * Shared mappings reserve what the file has not reserved yet;
	 * private ones every page (even read-only: mprotect may make them
	 * writable), in a map of their own.
	 */
	if (!vma || (vma->vm_flags & VM_MAYSHARE)) {
		resv_map = info->resv_map;
		chg = region_chg(resv_map, from, to);
	} else {
		resv_map = resv_map_alloc();
		if (!resv_map)
			return -ENOMEM;
		chg = to - from;
		set_vma_resv(vma, resv_map, HPAGE_RESV_OWNER);
	}
	gbl_reserve = hugepage_subpool_get_pages(spool, chg);
	if (gbl_reserve < 0)
		goto out_err;
	if (hugetlb_acct_memory(h, gbl_reserve) < 0)
		goto out_put_pages;
	if (!vma || (vma->vm_flags & VM_MAYSHARE)) {
		add = region_add(resv_map, from, to);
		if (add < 0) {
			(void)hugetlb_acct_memory(h, -gbl_reserve);
			goto out_put_pages;
		}
		if (chg > add) {
			/* Faults filled part of the range meanwhile. */
			rsv_adjust = hugepage_subpool_put_pages(spool,
								chg - add);
			(void)hugetlb_acct_memory(h, -rsv_adjust);
		}
	}
	return 0;

out_put_pages:
	(void)hugepage_subpool_put_pages(spool, chg);
out_err:
	if (vma && is_vma_resv_set(vma, HPAGE_RESV_OWNER)) {
		resv_map_put(resv_map);
		set_vma_resv(vma, NULL, 0);
	}
	return -ENOMEM;
}

long hugetlb_unreserve_pages(struct inode *inode, long start, long end,
			     long freed)
{
	struct hugetlbfs_inode_info *info = HUGETLBFS_I(inode);
	long chg, gbl_reserve;

	chg = region_del(info->resv_map, start, end);
	if (chg < 0)
		return chg;
	gbl_reserve = hugepage_subpool_put_pages(info->spool, chg - freed);
	(void)hugetlb_acct_memory(info->hstate, -gbl_reserve);
	return 0;
}

enum vma_resv_mode {
	VMA_NEEDS_RESV,			/* does the page have one? */
	VMA_COMMIT_RESV,		/* the page was taken: record it */
};

/*
 * Linux's __vma_reservation_common(): 0 if a fault at @addr of @vma finds
 * (NEEDS) or found (COMMIT) a reservation, 1 if not, or -ENOMEM.  Shared
 * mappings: the file's map covers the page (a commit covers it);
 * private ones: the owner's map does not cover it yet (a commit records
 * that the fault consumed it); a private mapping that is not the owner
 * has none.
 */
static long __vma_reservation_common(struct hstate *h,
				     struct vm_area_struct *vma,
				     unsigned long addr,
				     enum vma_resv_mode mode)
{
	struct resv_map *resv = vma_resv_map(vma);
	pgoff_t idx;
	long ret;

	if (!resv)
		return 1;
	if (!(vma->vm_flags & VM_MAYSHARE) &&
	    !is_vma_resv_set(vma, HPAGE_RESV_OWNER))
		return 1;
	idx = vma_hugecache_offset(h, vma, addr);
	if (mode == VMA_NEEDS_RESV)
		ret = region_chg(resv, idx, idx + 1);
	else
		ret = region_add(resv, idx, idx + 1);
	if (ret < 0 || (vma->vm_flags & VM_MAYSHARE))
		return ret;
	return ret > 0 ? 0 : 1;
}

static long vma_needs_reservation(struct hstate *h,
				  struct vm_area_struct *vma,
				  unsigned long addr)
{
	return __vma_reservation_common(h, vma, addr, VMA_NEEDS_RESV);
}

static long vma_commit_reservation(struct hstate *h,
				   struct vm_area_struct *vma,
				   unsigned long addr)
{
	return __vma_reservation_common(h, vma, addr, VMA_COMMIT_RESV);
}

/* ---- allocating for a user ---- */

/*
 * A free folio of @h for a user, from @nid first, on the nodes @nmask
 * allows (NULL: all); with @gbl_chg (no reservation), only while free
 * pages exceed the reserved ones.  Caller holds hugetlb_lock.
 */
static struct folio *dequeue_hugetlb_folio(struct hstate *h, int nid,
					   const nodemask_t *nmask,
					   long gbl_chg)
{
	int i;

	lockdep_assert_held(&hugetlb_lock);
	if (gbl_chg && h->free_huge_pages - h->resv_huge_pages == 0)
		return NULL;
	if (nid < 0 || nid >= nr_online_nodes())
		nid = numa_node_id();
	for (i = 0; i < nr_online_nodes(); i++) {
		int node = (nid + i) % nr_online_nodes();
		struct folio *folio;

		if (nmask && !node_isset(node, *nmask))
			continue;
		folio = __dequeue_hugetlb_folio_node_exact(h, node);
		if (folio)
			return folio;
	}
	return NULL;
}

/*
 * The fault's folio by the task's or VMA's mempolicy (Linux's
 * dequeue_hugetlb_folio_vma()): MPOL_BIND's nodes only, even when other
 * nodes have free pages (the reservation is global, the placement not:
 * such a fault may find none); PREFERRED_MANY's first, then any node.
 * Caller holds hugetlb_lock.
 */
static struct folio *dequeue_hugetlb_folio_vma(struct hstate *h,
					       struct vm_area_struct *vma,
					       unsigned long addr,
					       long gbl_chg)
{
	bool masked, fallback;
	struct folio *folio;
	nodemask_t mask;
	int nid = huge_node(vma, addr, h->order, &mask, &masked,
			    &fallback);

	folio = dequeue_hugetlb_folio(h, nid, masked ? &mask : NULL, gbl_chg);
	if (!folio && fallback)
		folio = dequeue_hugetlb_folio(h, nid, NULL, gbl_chg);
	return folio;
}

/* A surplus folio for the fault, placed as dequeue_hugetlb_folio_vma(). */
static struct folio *alloc_buddy_hugetlb_folio_with_mpol(
	struct hstate *h, struct vm_area_struct *vma, unsigned long addr)
{
	bool masked, fallback;
	struct folio *folio;
	nodemask_t mask;
	int nid = huge_node(vma, addr, h->order, &mask, &masked,
			    &fallback);

	folio = alloc_surplus_nodemask(h, nid, masked ? &mask : NULL);
	if (!folio && fallback)
		folio = alloc_surplus_nodemask(h, nid, NULL);
	return folio;
}

/* Report HPG_zeroed once, clearing it (seed 000). */
static void take_hugetlb_zeroed(struct folio *folio, bool *zeroed)
{
	bool z = folio_test_hugetlb_zeroed(folio);

	folio_clear_hugetlb_zeroed(folio);
	if (zeroed)
		*zeroed = z;
}

struct folio *alloc_hugetlb_folio(struct vm_area_struct *vma,
				  unsigned long addr, bool *zeroed)
{
	struct hugepage_subpool *spool = subpool_vma(vma);
	struct hstate *h = hstate_vma(vma);
	struct folio *folio;
	long map_chg, gbl_chg = 0, retval, rsv_adjust;

	if (zeroed)
		*zeroed = false;
	map_chg = vma_needs_reservation(h, vma, addr);
	if (map_chg < 0)
		return ERR_PTR(-ENOMEM);
	/*
	 * No reservation in the map: the subpool is charged, and says
	 * whether its minimum covers the page (a global reservation).
	 */
	if (map_chg) {
		gbl_chg = hugepage_subpool_get_pages(spool, 1);
		if (gbl_chg < 0)
			return ERR_PTR(-ENOSPC);
	}
	spin_lock(&hugetlb_lock);
	folio = dequeue_hugetlb_folio_vma(h, vma, addr, gbl_chg);
	if (!folio) {
		spin_unlock(&hugetlb_lock);
		folio = alloc_buddy_hugetlb_folio_with_mpol(h, vma, addr);
		if (!folio) {
			if (map_chg)
				(void)hugepage_subpool_put_pages(spool, 1);
			return ERR_PTR(-ENOSPC);
		}
		spin_lock(&hugetlb_lock);
		list_add(&folio->lru, &h->hugepage_activelist);
		set_page_count(&folio->page, 1);
	}
	/* It consumed a global reservation: freeing it early restores it. */
	if (!gbl_chg) {
		folio_set_hugetlb_restore_reserve(folio);
		h->resv_huge_pages--;
	}
	spin_unlock(&hugetlb_lock);
	folio->_hugetlb_subpool = spool;
	take_hugetlb_zeroed(folio, zeroed);
	retval = vma_commit_reservation(h, vma, addr);
	if (map_chg && retval == 0) {
		/* hugetlb_reserve_pages() covered the page meanwhile. */
		rsv_adjust = hugepage_subpool_put_pages(spool, 1);
		(void)hugetlb_acct_memory(h, -rsv_adjust);
	}
	return folio;
}

struct folio *alloc_hugetlb_folio_reserve(struct hstate *h, int nid,
					  bool *zeroed)
{
	struct folio *folio;

	if (zeroed)
		*zeroed = false;
	spin_lock(&hugetlb_lock);
	if (!h->resv_huge_pages) {
		spin_unlock(&hugetlb_lock);
		return NULL;
	}
	folio = dequeue_hugetlb_folio(h, nid, NULL, 0);
	if (folio)
		h->resv_huge_pages--;
	spin_unlock(&hugetlb_lock);
	if (folio)
		take_hugetlb_zeroed(folio, zeroed);
	return folio;
}

/* ---- huge entries: a PMD (2 MiB) or a PUD (1 GiB) ---- */

/*
 * As Linux's huge_pte helpers, a hugetlb entry is one 64-bit word at the
 * level its size needs; foliage reads and writes both through pmd_t, whose
 * leaf layout a PUD leaf shares on x86-64 (PSE) and arm64 (block).
 */
static pmd_t *huge_pte_offset(struct mm_struct *mm, unsigned long addr,
			      struct hstate *h)
{
	pud_t *pud = pud_lookup(mm, addr);

	if (!pud)
		return NULL;
	if (hstate_is_gigantic(h))
		return (pmd_t *)pud;
	if (pud_none(*pud))
		return NULL;
	return pmd_offset(pud, addr);
}

static pmd_t *huge_pte_alloc(struct mm_struct *mm, unsigned long addr,
			     struct hstate *h)
{
	if (hstate_is_gigantic(h))
		return (pmd_t *)pud_alloc(mm, addr);
	return pmd_alloc(mm, addr);
}

/* The lock of a huge entry (huge_pte_lockptr()). */
static spinlock_t *huge_pte_lockptr(struct hstate *h, struct mm_struct *mm,
				    pmd_t *ptep)
{
	if (hstate_is_gigantic(h))
		return &mm->page_table_lock;
	return pmd_lockptr(mm, ptep);
}

/*
 * The huge entry of @addr, locked (*@ptlp) if it maps something; NULL
 * (nothing locked) if not.
 */
static pmd_t *huge_pte_offset_lock(struct mm_struct *mm, struct hstate *h,
				   unsigned long addr, spinlock_t **ptlp)
{
	pmd_t *ptep = huge_pte_offset(mm, addr, h);

	if (!ptep)
		return NULL;
	*ptlp = huge_pte_lockptr(h, mm, ptep);
	spin_lock(*ptlp);
	if (pmd_none(pmdp_get(ptep))) {
		spin_unlock(*ptlp);
		return NULL;
	}
	return ptep;
}

static pmd_t make_huge_pte(struct vm_area_struct *vma, struct folio *folio,
			   bool writable)
{
	pmd_t entry = pmd_mkyoung(pmd_mkhuge(pfn_pmd(folio_pfn(folio),
						     vma->vm_page_prot)));

	if (writable)
		entry = pmd_mkwrite(pmd_mkdirty(entry));
	else
		entry = pmd_wrprotect(entry);
	return entry;
}

static void flush_huge_entry(struct vm_area_struct *vma, struct hstate *h,
			     unsigned long addr)
{
	flush_tlb_range(vma, addr, addr + huge_page_size(h));
}

/* ---- rmap of hugetlb folios (whole-folio mappings only) ---- */

static void hugetlb_add_new_anon_rmap(struct folio *folio,
				      struct vm_area_struct *vma,
				      unsigned long address)
{
	WRITE_ONCE(folio->mapping, (struct address_space *)
		   ((unsigned long)vma->anon_vma | FOLIO_MAPPING_ANON));
	folio->index = linear_page_index(vma, address);
	atomic_set(&folio->_entire_mapcount, 0);
	atomic_set(&folio->_large_mapcount, 0);
	folio_clear_hugetlb_restore_reserve(folio);
	SetPageAnonExclusive(&folio->page);
}

static void hugetlb_add_rmap(struct folio *folio)
{
	atomic_inc(&folio->_entire_mapcount);
	atomic_inc(&folio->_large_mapcount);
}

static void hugetlb_remove_rmap(struct folio *folio)
{
	atomic_dec(&folio->_entire_mapcount);
	atomic_dec(&folio->_large_mapcount);
}

/*
 * A newly mapped or cached folio may migrate from now on (Linux sets
 * HPG_migratable once a fault or fallocate has put it in place); under
 * hugetlb_lock, which isolate_hugetlb() tests it under.
 */
void hugetlb_set_migratable(struct folio *folio)
{
	spin_lock(&hugetlb_lock);
	folio_set_hugetlb_migratable(folio);
	spin_unlock(&hugetlb_lock);
}

/* ---- faults ---- */

/*
 * Zero a new folio unless it is known zero (seed 000), counting each
 * base page in pgzero_cleared or pgzero_skipped.
 */
static void hugetlb_zero_folio(struct folio *folio, bool zeroed,
			       unsigned long addr_hint)
{
	if (zeroed) {
		count_vm_events(PGZERO_SKIPPED, folio_nr_pages(folio));
		return;
	}
	folio_zero_user(folio, addr_hint);
	count_vm_events(PGZERO_CLEARED, folio_nr_pages(folio));
}

/* The file's folio at huge-page index @idx, referenced, or NULL. */
static struct folio *hugetlbfs_cache_get(struct hugetlbfs_inode_info *info,
					 pgoff_t idx)
{
	struct folio *folio = NULL;

	pthread_mutex_lock(&info->cache_lock);
	if (idx < info->nr_slots && info->folios[idx]) {
		folio = info->folios[idx];
		folio_get(folio);
	}
	pthread_mutex_unlock(&info->cache_lock);
	return folio;
}

/* The file's folio at @idx now (compared only, not referenced). */
static struct folio *hugetlbfs_cache_peek(struct hugetlbfs_inode_info *info,
					  pgoff_t idx)
{
	struct folio *folio = NULL;

	pthread_mutex_lock(&info->cache_lock);
	if (idx < info->nr_slots)
		folio = info->folios[idx];
	pthread_mutex_unlock(&info->cache_lock);
	return folio;
}

int hugetlbfs_cache_add(struct hugetlbfs_inode_info *info,
			struct folio *folio, pgoff_t idx,
			struct address_space *mapping)
{
	pthread_mutex_lock(&info->cache_lock);
	if (idx >= info->nr_slots) {
		unsigned long n = max(idx + 1, 2 * info->nr_slots);
		struct folio **slots = realloc(info->folios,
					       n * sizeof(*slots));

		if (!slots) {
			pthread_mutex_unlock(&info->cache_lock);
			return -ENOMEM;
		}
		memset(slots + info->nr_slots, 0,
		       (n - info->nr_slots) * sizeof(*slots));
		info->folios = slots;
		info->nr_slots = n;
	}
	if (info->folios[idx]) {
		pthread_mutex_unlock(&info->cache_lock);
		return -EEXIST;
	}
	folio_get(folio);		/* the page cache's reference */
	folio->mapping = mapping;
	folio->index = idx << folio_order(folio);
	folio_clear_hugetlb_restore_reserve(folio);
	info->folios[idx] = folio;
	info->nr_folios++;
	pthread_mutex_unlock(&info->cache_lock);
	return 0;
}

static vm_fault_t hugetlb_no_page(struct mm_struct *mm,
				  struct vm_area_struct *vma,
				  unsigned long address, pmd_t *ptep,
				  unsigned int flags)
{
	struct hugetlbfs_inode_info *info =
		HUGETLBFS_I(vma->vm_file->f_inode);
	struct hstate *h = info->hstate;
	unsigned long haddr = address & ~(huge_page_size(h) - 1);
	pgoff_t idx = vma_hugecache_offset(h, vma, haddr);
	bool shared = vma->vm_flags & VM_MAYSHARE;
	bool anon = false, writable, zeroed = false, new_folio = false;
	struct folio *folio, *locked = NULL;
	spinlock_t *ptl;
	pmd_t entry;

	/*
	 * Past the end of the file, or a child whose page the owner of the
	 * reservations took back (unmap_ref_private()): SIGBUS.
	 */
	if (idx >= (vma->vm_file->f_inode->i_size >> (h->order + PAGE_SHIFT)) ||
	    is_vma_resv_set(vma, HPAGE_RESV_UNMAPPED))
		return VM_FAULT_SIGBUS;
	/*
	 * A private mapping's anon_vma first (vmf_anon_prepare()): once a
	 * folio consumed a reservation, nothing may fail.
	 */
	if (!shared && !vma->anon_vma && anon_vma_prepare(vma))
		return VM_FAULT_OOM;
	folio = hugetlbfs_cache_get(info, idx);
	if (folio) {
		/*
		 * A cached folio under migration is locked: wait, then
		 * retry if it left the cache meanwhile (Linux's
		 * filemap_lock_hugetlb_folio()).
		 */
		folio_lock(folio);
		locked = folio;
		if (hugetlbfs_cache_peek(info, idx) != folio) {
			folio_unlock(folio);
			folio_put(folio);
			return 0;
		}
	}
	if (!folio) {
		folio = alloc_hugetlb_folio(vma, haddr, &zeroed);
		if (IS_ERR(folio))
			return PTR_ERR(folio) == -ENOMEM ? VM_FAULT_OOM :
							   VM_FAULT_SIGBUS;
		hugetlb_zero_folio(folio, zeroed, address);
		__folio_mark_uptodate(folio);
		if (shared) {
			if (hugetlbfs_cache_add(info, folio, idx,
						vma->vm_file->f_mapping)) {
				folio_put(folio);
				return VM_FAULT_OOM;
			}
		} else {
			anon = true;
		}
		new_folio = true;
	} else if (!shared && (flags & FAULT_FLAG_WRITE)) {
		/* A private write to a cached page: COW it right away. */
		struct folio *copy;

		copy = alloc_hugetlb_folio(vma, haddr, NULL);
		if (IS_ERR(copy)) {
			folio_unlock(folio);
			folio_put(folio);
			return PTR_ERR(copy) == -ENOMEM ? VM_FAULT_OOM :
							  VM_FAULT_SIGBUS;
		}
		memcpy(folio_address(copy), folio_address(folio),
		       huge_page_size(h));
		__folio_mark_uptodate(copy);
		folio_unlock(folio);
		locked = NULL;
		folio_put(folio);
		folio = copy;
		anon = true;
		new_folio = true;
	}
	ptl = huge_pte_lockptr(h, mm, ptep);
	spin_lock(ptl);
	if (!pmd_none(pmdp_get(ptep))) {
		/* Another thread mapped it first. */
		spin_unlock(ptl);
		if (locked)
			folio_unlock(locked);
		folio_put(folio);
		return 0;
	}
	if (anon)
		hugetlb_add_new_anon_rmap(folio, vma, haddr);
	else
		hugetlb_add_rmap(folio);
	/*
	 * Writable: a shared mapping's page, or a private one's new anon
	 * page for a write (hugetlb_wp() would reuse it at once).
	 */
	writable = (vma->vm_flags & VM_SHARED) ||
		   (anon && (flags & FAULT_FLAG_WRITE));
	entry = make_huge_pte(vma, folio, writable && (vma->vm_flags &
							VM_WRITE));
	set_pmd(ptep, entry);
	spin_unlock(ptl);
	if (locked)
		folio_unlock(locked);
	if (new_folio)
		hugetlb_set_migratable(folio);
	/* Our reference is the mapping's (the cache holds its own). */
	return 0;
}

/*
 * A write to a read-only private hugetlb entry (Linux's hugetlb_wp()):
 * an exclusive anon folio is reused, anything else copied to a new anon
 * folio (a page of the pool, by the mapping's reservation rules).  Caller
 * holds the entry's lock; dropped and retaken around the copy.
 */
/*
 * The owner of a private mapping's reservations could not get a page to
 * COW @folio at @address: unmap it from every other private mapping of
 * the file that maps it (the children of a fork), marking them
 * HPAGE_RESV_UNMAPPED (Linux's unmap_ref_private()).  Called without the
 * page-table lock; takes i_mmap_rwsem.
 */
static void unmap_ref_private(struct vm_area_struct *vma,
			      struct folio *folio, unsigned long address)
{
	struct hstate *h = hstate_vma(vma);
	struct address_space *mapping = vma->vm_file->f_mapping;
	pgoff_t pgoff = ((address - vma->vm_start) >> PAGE_SHIFT) +
			vma->vm_pgoff;
	struct vm_area_struct *iter;

	i_mmap_lock_write(mapping);
	vma_interval_tree_foreach(iter, mapping, pgoff, pgoff) {
		unsigned long addr;
		struct mmu_gather tlb;

		if (iter == vma || (iter->vm_flags & VM_MAYSHARE) ||
		    is_vma_resv_set(iter, HPAGE_RESV_OWNER))
			continue;
		addr = iter->vm_start +
		       ((pgoff - iter->vm_pgoff) << PAGE_SHIFT);
		tlb_gather_mmu(&tlb, iter->vm_mm, false);
		__unmap_hugepage_range(&tlb, iter, addr,
				       addr + huge_page_size(h), folio);
		tlb_finish_mmu(&tlb);
		iter->vm_private_data = (void *)
			((unsigned long)iter->vm_private_data |
			 HPAGE_RESV_UNMAPPED);
	}
	i_mmap_unlock_write(mapping);
}

static vm_fault_t hugetlb_wp(struct mm_struct *mm, struct vm_area_struct *vma,
			     unsigned long address, pmd_t *ptep, spinlock_t *ptl)
{
	struct hstate *h = hstate_vma(vma);
	unsigned long haddr = address & ~(huge_page_size(h) - 1);
	pmd_t entry = pmdp_get(ptep);
	struct folio *old = page_folio(pmd_page(entry)), *new;

	if (vma->vm_flags & VM_MAYSHARE) {
		set_pmd(ptep, pmd_mkyoung(pmd_mkwrite(pmd_mkdirty(entry))));
		return 0;
	}
	if (folio_test_anon(old) && folio_mapcount(old) == 1) {
		/* Ours alone (the other side of a fork unmapped it): reuse. */
		if (!PageAnonExclusive(&old->page)) {
			WRITE_ONCE(old->mapping, (struct address_space *)
				   ((unsigned long)vma->anon_vma |
				    FOLIO_MAPPING_ANON));
			SetPageAnonExclusive(&old->page);
		}
		set_pmd(ptep, pmd_mkyoung(pmd_mkwrite(pmd_mkdirty(entry))));
		flush_huge_entry(vma, h, haddr);
		return 0;
	}
	folio_get(old);
	spin_unlock(ptl);
	if (!vma->anon_vma && anon_vma_prepare(vma)) {
		folio_put(old);
		spin_lock(ptl);
		return VM_FAULT_OOM;
	}
	new = alloc_hugetlb_folio(vma, haddr, NULL);
	if (IS_ERR(new)) {
		/*
		 * The owner of the reservations must not fail: the page
		 * is taken from the children that share it (they get
		 * SIGBUS when they touch it again) and reused.
		 */
		bool outside_reserve = is_vma_resv_set(vma, HPAGE_RESV_OWNER) &&
				       folio_test_anon(old);

		if (outside_reserve && PTR_ERR(new) != -ENOMEM) {
			unmap_ref_private(vma, old, haddr);
			spin_lock(ptl);
			if (pmd_same(pmdp_get(ptep), entry) &&
			    folio_mapcount(old) == 1) {
				folio_put(old);
				return hugetlb_wp(mm, vma, address, ptep, ptl);
			}
			folio_put(old);
			return 0;
		}
		folio_put(old);
		spin_lock(ptl);
		return PTR_ERR(new) == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
	}
	memcpy(folio_address(new), folio_address(old), huge_page_size(h));
	__folio_mark_uptodate(new);
	spin_lock(ptl);
	if (!pmd_same(pmdp_get(ptep), entry)) {
		/* Changed meanwhile: let the access retry. */
		folio_put(new);
		folio_put(old);
		return 0;
	}
	set_pmd(ptep, __pmd(0));
	flush_huge_entry(vma, h, haddr);
	hugetlb_remove_rmap(old);
	hugetlb_add_new_anon_rmap(new, vma, haddr);
	set_pmd(ptep, make_huge_pte(vma, new, true));
	folio_put(old);		/* the mapping's reference */
	folio_put(old);		/* ours */
	/* hugetlb_lock nests inside the entry's lock, as in Linux. */
	hugetlb_set_migratable(new);
	return 0;
}

vm_fault_t hugetlb_fault(struct mm_struct *mm, struct vm_area_struct *vma,
			 unsigned long address, unsigned int flags)
{
	struct hugetlbfs_inode_info *info =
		HUGETLBFS_I(vma->vm_file->f_inode);
	struct hstate *h = info->hstate;
	vm_fault_t ret = 0;
	spinlock_t *ptl;
	pmd_t *ptep, entry;

	ptep = huge_pte_alloc(mm, address, h);
	if (!ptep)
		return VM_FAULT_OOM;
	/* One fault per file page at a time (hugetlb_fault_mutex). */
	pthread_mutex_lock(&info->fault_mutex);
	entry = pmdp_get(ptep);
	if (pmd_none(entry)) {
		ret = hugetlb_no_page(mm, vma, address, ptep, flags);
		pthread_mutex_unlock(&info->fault_mutex);
		return ret;
	}
	if (is_hugetlb_entry_migration(entry)) {
		/* Under migration: sleep until it is over, then retry. */
		pthread_mutex_unlock(&info->fault_mutex);
		migration_entry_wait_huge(vma, address, ptep);
		return 0;
	}
	ptl = huge_pte_lockptr(h, mm, ptep);
	spin_lock(ptl);
	entry = pmdp_get(ptep);
	if (!pmd_present(entry)) {
		/* Changed meanwhile (unmapped, or under migration): retry. */
	} else if ((flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) &&
	    !pmd_write(entry)) {
		if (flags & FAULT_FLAG_WRITE)
			ret = hugetlb_wp(mm, vma, address, ptep, ptl);
	} else {
		entry = pmd_mkyoung(entry);
		if (flags & FAULT_FLAG_WRITE)
			entry = pmd_mkdirty(entry);
		set_pmd(ptep, entry);
	}
	spin_unlock(ptl);
	pthread_mutex_unlock(&info->fault_mutex);
	return ret;
}

pmd_t *hugetlb_walk(struct vm_area_struct *vma, unsigned long addr,
		    spinlock_t **ptlp)
{
	struct hstate *h = hstate_vma(vma);
	pmd_t *ptep = huge_pte_offset(vma->vm_mm, addr, h);

	if (ptep)
		*ptlp = huge_pte_lockptr(h, vma->vm_mm, ptep);
	return ptep;
}

/* ---- unmap ---- */

void unmap_hugepage_range(struct mmu_gather *tlb, struct vm_area_struct *vma,
			  unsigned long start, unsigned long end)
{
	__unmap_hugepage_range(tlb, vma, start, end, NULL);
}

void __unmap_hugepage_range(struct mmu_gather *tlb, struct vm_area_struct *vma,
			    unsigned long start, unsigned long end,
			    struct folio *only)
{
	struct hstate *h = hstate_vma(vma);
	unsigned long sz = huge_page_size(h), addr;
	struct mm_struct *mm = vma->vm_mm;

	for (addr = start; addr < end; addr += sz) {
		struct folio *folio;
		spinlock_t *ptl;
		pmd_t *ptep, entry;

		ptep = huge_pte_offset_lock(mm, h, addr, &ptl);
		if (!ptep)
			continue;
		entry = pmdp_get(ptep);
		if (!pmd_present(entry)) {
			/*
			 * A migration entry: the folio's mapping and its
			 * reference went when it was made; just clear it.
			 */
			set_pmd(ptep, __pmd(0));
			spin_unlock(ptl);
			continue;
		}
		if (only && page_folio(pmd_page(entry)) != only) {
			spin_unlock(ptl);
			continue;
		}
		set_pmd(ptep, __pmd(0));
		if (hstate_is_gigantic(h))
			tlb_flush_pud_range(tlb, addr, sz);
		else
			tlb_flush_pmd_range(tlb, addr, sz);
		folio = page_folio(pmd_page(entry));
		hugetlb_remove_rmap(folio);
		spin_unlock(ptl);
		if (__tlb_remove_folio_pages(tlb, &folio->page, 1))
			tlb_flush_mmu(tlb);
	}
}

unsigned long move_hugetlb_page_tables(struct vm_area_struct *vma,
				       struct vm_area_struct *new_vma,
				       unsigned long old_addr,
				       unsigned long new_addr,
				       unsigned long len)
{
	struct hstate *h = hstate_vma(vma);
	unsigned long sz = huge_page_size(h), done;
	struct mm_struct *mm = vma->vm_mm;

	for (done = 0; done < len; done += sz) {
		spinlock_t *src_ptl, *dst_ptl;
		pmd_t *src, *dst, entry;

		src = huge_pte_offset(mm, old_addr + done, h);
		if (!src || pmd_none(pmdp_get(src)))
			continue;
		dst = huge_pte_alloc(mm, new_addr + done, h);
		if (!dst)
			break;
		src_ptl = huge_pte_lockptr(h, mm, src);
		dst_ptl = huge_pte_lockptr(h, mm, dst);
		spin_lock(src_ptl);
		if (dst_ptl != src_ptl)
			spin_lock(dst_ptl);
		entry = pmdp_get(src);
		set_pmd(src, __pmd(0));
		set_pmd(dst, entry);
		if (dst_ptl != src_ptl)
			spin_unlock(dst_ptl);
		spin_unlock(src_ptl);
		flush_huge_entry(vma, h, old_addr + done);
	}
	return done;
}

/* ---- fork ---- */

int copy_hugetlb_page_range(struct vm_area_struct *dst_vma,
			    struct vm_area_struct *src_vma)
{
	struct mm_struct *dst = dst_vma->vm_mm, *src = src_vma->vm_mm;
	struct hstate *h = hstate_vma(src_vma);
	bool cow = is_cow_mapping(src_vma->vm_flags);
	unsigned long sz = huge_page_size(h), addr;

	for (addr = src_vma->vm_start; addr < src_vma->vm_end; addr += sz) {
		spinlock_t *src_ptl, *dst_ptl;
		pmd_t *src_pte, *dst_pte, entry;
		struct folio *folio;

		src_pte = huge_pte_offset(src, addr, h);
		if (!src_pte || pmd_none(pmdp_get(src_pte)))
			continue;
		dst_pte = huge_pte_alloc(dst, addr, h);
		if (!dst_pte)
			return -ENOMEM;
		dst_ptl = huge_pte_lockptr(h, dst, dst_pte);
		src_ptl = huge_pte_lockptr(h, src, src_pte);
		spin_lock(src_ptl);
		if (dst_ptl != src_ptl)
			spin_lock(dst_ptl);
		entry = pmdp_get(src_pte);
		if (is_hugetlb_entry_migration(entry)) {
			swp_entry_t swp = pmd_to_swp_entry(entry);

			/*
			 * Under migration: the child gets the entry too (no
			 * reference, no rmap: the migration maps the new
			 * folio into both); in a COW mapping a writable or
			 * exclusive one becomes a plain read entry on both
			 * sides, as Linux's make_readable_migration_entry()
			 * makes it (the young and dirty bits go).
			 */
			if (!is_readable_migration_entry(swp) && cow) {
				swp = make_migration_entry(swp_offset_pfn(swp),
							   false, false);
				entry = __pmd(pmd_val(swp_entry_to_pmd(swp)) |
					      pmd_swp_flags(entry));
				set_pmd(src_pte, entry);
			}
			set_pmd(dst_pte, pmd_swp_clear_uffd_wp(entry));
		} else if (!pmd_none(entry)) {
			folio = page_folio(pmd_page(entry));
			folio_get(folio);
			hugetlb_add_rmap(folio);
			if (cow) {
				/* Both sides COW on their next write. */
				ClearPageAnonExclusive(&folio->page);
				entry = pmd_wrprotect(entry);
				set_pmd(src_pte, entry);
			}
			set_pmd(dst_pte, entry);
		}
		if (dst_ptl != src_ptl)
			spin_unlock(dst_ptl);
		spin_unlock(src_ptl);
	}
	if (cow)
		flush_tlb_range(src_vma, src_vma->vm_start, src_vma->vm_end);
	return 0;
}

/* ---- mprotect ---- */

long hugetlb_change_protection(struct vm_area_struct *vma,
			       unsigned long start, unsigned long end,
			       pgprot_t newprot)
{
	struct hstate *h = hstate_vma(vma);
	unsigned long sz = huge_page_size(h), addr;
	struct mm_struct *mm = vma->vm_mm;
	long pages = 0;

	for (addr = start; addr < end; addr += sz) {
		spinlock_t *ptl;
		pmd_t *ptep, entry;
		bool write;

		ptep = huge_pte_offset_lock(mm, h, addr, &ptl);
		if (!ptep)
			continue;
		entry = pmdp_get(ptep);
		if (is_hugetlb_entry_migration(entry)) {
			swp_entry_t swp = pmd_to_swp_entry(entry);
			struct folio *folio = page_folio(pfn_to_page(
				swp_offset_pfn(swp)));

			/* A writable entry becomes a read one (exclusive if anon). */
			if (is_writable_migration_entry(swp)) {
				swp = make_migration_entry(swp_offset_pfn(swp),
							   false,
							   folio_test_anon(folio));
				set_pmd(ptep, __pmd(pmd_val(swp_entry_to_pmd(swp)) |
						    pmd_swp_flags(entry)));
				pages++;
			}
			spin_unlock(ptl);
			continue;
		}
		write = pmd_write(entry);
		entry = pmd_wrprotect(pmd_modify(entry, newprot));
		/* What was writable stays so where the VMA allows it. */
		if (write && (vma->vm_flags & VM_WRITE))
			entry = pmd_mkwrite(entry);
		set_pmd(ptep, entry);
		pages++;
		spin_unlock(ptl);
	}
	if (pages)
		flush_tlb_range(vma, start, end);
	return pages << h->order;
}

/* ---- migration ---- */

bool isolate_hugetlb(struct folio *folio, struct list_head *list)
{
	bool ret = false;

	spin_lock(&hugetlb_lock);
	if (PageHugetlb(&folio->page) && folio_test_hugetlb_migratable(folio) &&
	    atomic_add_unless(&folio->_refcount, 1, 0)) {
		folio_clear_hugetlb_migratable(folio);
		list_move_tail(&folio->lru, list);
		folio_hstate(folio)->isolated_huge_pages_node[folio_nid(folio)]++;
		ret = true;
	}
	spin_unlock(&hugetlb_lock);
	return ret;
}

void folio_putback_hugetlb(struct folio *folio)
{
	struct hstate *h = folio_hstate(folio);

	spin_lock(&hugetlb_lock);
	folio_set_hugetlb_migratable(folio);
	list_move_tail(&folio->lru, &h->hugepage_activelist);
	h->isolated_huge_pages_node[folio_nid(folio)]--;
	spin_unlock(&hugetlb_lock);
	folio_put(folio);
}

/*
 * A free folio of @h for a migration (Linux's
 * dequeue_hugetlb_folio_nodemask()): @nid only with __GFP_THISNODE, else
 * @nid first, then the other nodes @nmask allows.  Caller holds
 * hugetlb_lock.
 */
static struct folio *dequeue_hugetlb_folio_nodemask(struct hstate *h,
						    gfp_t gfp_mask, int nid,
						    nodemask_t *nmask)
{
	lockdep_assert_held(&hugetlb_lock);
	if (nid < 0 || nid >= nr_online_nodes())
		nid = numa_node_id();
	if (!(gfp_mask & __GFP_THISNODE))
		return dequeue_hugetlb_folio(h, nid, nmask, 0);
	if (nmask && !node_isset(nid, *nmask))
		return NULL;
	return __dequeue_hugetlb_folio_node_exact(h, nid);
}

/*
 * A temporary folio from buddy for a migration (Linux's
 * alloc_migrate_hugetlb_folio()): not from or for the pool, so it needs
 * no overcommit room; counted in nr_huge_pages while it lives, never
 * gigantic.
 */
static struct folio *alloc_migrate_hugetlb_folio(struct hstate *h,
						 gfp_t gfp_mask, int nid)
{
	struct folio *folio;

	if (hstate_is_gigantic(h))
		return NULL;
	if (nid < 0 || nid >= nr_online_nodes())
		nid = numa_node_id();
	folio = alloc_fresh_hugetlb_folio(h, nid, gfp_mask & __GFP_THISNODE);
	if (!folio)
		return NULL;
	spin_lock(&hugetlb_lock);
	h->nr_huge_pages++;
	h->nr_huge_pages_node[folio_nid(folio)]++;
	list_add(&folio->lru, &h->hugepage_activelist);
	set_page_count(&folio->page, 1);
	folio_set_hugetlb_temporary(folio);
	spin_unlock(&hugetlb_lock);
	return folio;
}

struct folio *alloc_hugetlb_folio_nodemask(struct hstate *h, int preferred_nid,
					   nodemask_t *nmask, gfp_t gfp_mask,
					   bool allow_alloc_fallback)
{
	struct folio *folio = NULL;

	spin_lock(&hugetlb_lock);
	/* Only pages no reservation is promised (available_huge_pages()). */
	if (h->free_huge_pages > h->resv_huge_pages)
		folio = dequeue_hugetlb_folio_nodemask(h, gfp_mask,
						       preferred_nid, nmask);
	/* Its contents are about to be copied over: not known zero. */
	if (folio)
		folio_clear_hugetlb_zeroed(folio);
	spin_unlock(&hugetlb_lock);
	if (folio)
		return folio;
	/* No other node's buddy: that would upset the per-node pools. */
	if (!allow_alloc_fallback)
		gfp_mask |= __GFP_THISNODE;
	return alloc_migrate_hugetlb_folio(h, gfp_mask, preferred_nid);
}

void move_hugetlb_state(struct folio *old, struct folio *new, int reason)
{
	struct hstate *h = folio_hstate(old);
	int old_nid = folio_nid(old), new_nid = folio_nid(new);

	(void)reason;		/* page_owner's record: none in foliage */
	spin_lock(&hugetlb_lock);
	/*
	 * The temporary page stays; the old one, freed next, goes back to
	 * buddy in its place, and a surplus page of the old node becomes
	 * one of the new node, so the per-node surplus still sums up.
	 */
	if (folio_test_hugetlb_temporary(new)) {
		folio_set_hugetlb_temporary(old);
		folio_clear_hugetlb_temporary(new);
		if (old_nid != new_nid && h->surplus_huge_pages_node[old_nid]) {
			h->surplus_huge_pages_node[old_nid]--;
			h->surplus_huge_pages_node[new_nid]++;
		}
	}
	folio_set_hugetlb_migratable(new);
	list_move_tail(&new->lru, &h->hugepage_activelist);
	spin_unlock(&hugetlb_lock);
}

/* ---- alloc_contig_range(): hugetlb pages in the way ---- */

static bool folio_in_pfn_range(struct folio *folio, unsigned long start_pfn,
			       unsigned long end_pfn)
{
	return folio_pfn(folio) < end_pfn &&
	       folio_pfn(folio) + folio_nr_pages(folio) > start_pfn;
}

/*
 * A fresh folio of @h on node @nid outside [start_pfn, end_pfn): the
 * range is not isolated in foliage, so buddy may offer its pages; those
 * are kept aside while trying again, then freed.  Frozen, out of the
 * pool's accounting; NULL if none.
 */
static struct folio *alloc_fresh_outside(struct hstate *h, int nid,
					 unsigned long start_pfn,
					 unsigned long end_pfn)
{
	struct folio *folio, *next;
	unsigned long tries;
	LIST_HEAD(inside);

	for (tries = 0; tries <= (end_pfn - start_pfn) >> h->order; tries++) {
		folio = alloc_fresh_hugetlb_folio(h, nid, __GFP_THISNODE);
		if (!folio || !folio_in_pfn_range(folio, start_pfn, end_pfn))
			break;
		list_add(&folio->lru, &inside);
		folio = NULL;
	}
	while (!list_empty(&inside)) {
		next = list_first_entry(&inside, struct folio, lru);
		list_del(&next->lru);
		update_and_free_hugetlb_folio(h, next);
	}
	return folio;
}

/*
 * Replace free pool folio @old by a fresh one of its node outside the
 * range, and give @old's pages back to buddy (Linux's
 * alloc_and_dissolve_hugetlb_folio()): the pool's counters do not move.
 * 0 (also when @old left the pool meanwhile), -EBUSY if it was taken
 * meanwhile, -ENOMEM without a replacement.
 */
static int alloc_and_dissolve_hugetlb_folio(struct folio *old,
					    unsigned long start_pfn,
					    unsigned long end_pfn)
{
	struct hstate *h = folio_hstate(old);
	int nid = folio_nid(old);
	struct folio *new;

	/* A new gigantic page would need alloc_contig_range() itself. */
	if (hstate_is_gigantic(h))
		return -ENOMEM;
	new = alloc_fresh_outside(h, nid, start_pfn, end_pfn);
	if (!new)
		return -ENOMEM;
	spin_lock(&hugetlb_lock);
	if (!PageHugetlb(&old->page) || folio_hstate(old) != h) {
		/* Freed to buddy meanwhile: nothing to replace. */
		spin_unlock(&hugetlb_lock);
		update_and_free_hugetlb_folio(h, new);
		return 0;
	}
	if (folio_ref_count(old) || !folio_test_hugetlb_freed(old)) {
		/* In use, or on its way to the free list: not now. */
		spin_unlock(&hugetlb_lock);
		update_and_free_hugetlb_folio(h, new);
		return -EBUSY;
	}
	remove_hugetlb_folio(h, old, false);
	add_hugetlb_folio(h, new);
	spin_unlock(&hugetlb_lock);
	update_and_free_hugetlb_folio(h, old);
	return 0;
}

int isolate_or_dissolve_huge_folio(struct folio *folio, struct list_head *list,
				   unsigned long start_pfn,
				   unsigned long end_pfn)
{
	struct hstate *h;

	spin_lock(&hugetlb_lock);
	if (!PageHugetlb(&folio->page)) {
		spin_unlock(&hugetlb_lock);
		return 0;
	}
	h = folio_hstate(folio);
	spin_unlock(&hugetlb_lock);
	/* alloc_contig_range() is how gigantic pages are made: no cycle. */
	if (hstate_is_gigantic(h))
		return -ENOMEM;
	if (folio_ref_count(folio) && isolate_hugetlb(folio, list))
		return 0;
	if (!folio_ref_count(folio))
		return alloc_and_dissolve_hugetlb_folio(folio, start_pfn,
							end_pfn);
	return -EBUSY;
}

int replace_free_hugepage_folios(unsigned long start_pfn,
				 unsigned long end_pfn)
{
	unsigned long pfn;
	int ret = 0;

	for (pfn = start_pfn; pfn < end_pfn && !ret; pfn++) {
		struct folio *folio = page_folio(pfn_to_page(pfn));

		if (!PageHugetlb(&folio->page) || folio_ref_count(folio))
			continue;
		ret = alloc_and_dissolve_hugetlb_folio(folio, start_pfn,
						       end_pfn);
		if (PageHugetlb(&folio->page))
			pfn = folio_pfn(folio) + folio_nr_pages(folio) - 1;
	}
	return ret;
}

bool hugetlb_set_migration_entry(struct page_vma_mapped_walk *pvmw,
				 struct folio *folio)
{
	struct vm_area_struct *vma = pvmw->vma;
	struct hstate *h = hstate_vma(vma);
	unsigned long addr = pvmw->address & ~(huge_page_size(h) - 1);
	pmd_t pteval = pmdp_get(pvmw->pmd), swp_pte;
	bool anon_exclusive;
	swp_entry_t entry;

	lockdep_assert_held(pvmw->ptl);
	anon_exclusive = folio_test_anon(folio) &&
			 PageAnonExclusive(&folio->page);
	/* hugetlb_try_share_anon_rmap(): a pinned page stays exclusive. */
	if (anon_exclusive && folio_maybe_dma_pinned(folio))
		return false;
	/* hugetlb entries are flushed at once, never batched. */
	set_pmd(pvmw->pmd, __pmd(0));
	flush_huge_entry(vma, h, addr);
	if (anon_exclusive)
		ClearPageAnonExclusive(&folio->page);
	if (pmd_dirty(pteval))
		folio_mark_dirty(folio);
	entry = make_migration_entry(folio_pfn(folio), pmd_write(pteval),
				     anon_exclusive);
	if (pmd_young(pteval))
		entry = make_migration_entry_young(entry);
	if (pmd_dirty(pteval))
		entry = make_migration_entry_dirty(entry);
	swp_pte = swp_entry_to_pmd(entry);
	if (pmd_soft_dirty(pteval))
		swp_pte = pmd_swp_mksoft_dirty(swp_pte);
	if (pmd_uffd_wp(pteval))
		swp_pte = pmd_swp_mkuffd_wp(swp_pte);
	set_pmd(pvmw->pmd, swp_pte);
	trace_set_migration_pte(addr, pmd_val(swp_pte), folio_order(folio));
	hugetlb_remove_rmap(folio);
	folio_put(folio);
	return true;
}

void hugetlb_remove_migration_entry(struct page_vma_mapped_walk *pvmw,
				    struct folio *new)
{
	struct vm_area_struct *vma = pvmw->vma;
	unsigned long addr = pvmw->address &
			     ~(huge_page_size(hstate_vma(vma)) - 1);
	pmd_t old = pmdp_get(pvmw->pmd), pte;
	swp_entry_t entry = pmd_to_swp_entry(old);

	lockdep_assert_held(pvmw->ptl);
	folio_get(new);
	pte = pmd_mkhuge(pfn_pmd(folio_pfn(new), vma->vm_page_prot));
	pte = is_migration_entry_young(entry) ? pmd_mkyoung(pte) :
						pmd_mkold(pte);
	if (folio_test_dirty(new) && is_migration_entry_dirty(entry))
		pte = pmd_mkdirty(pte);
	if (pmd_swp_soft_dirty(old))
		pte = pmd_mksoft_dirty(pte);
	if (is_writable_migration_entry(entry))
		pte = pmd_mkwrite(pte);
	else
		pte = pmd_wrprotect(pte);
	if (pmd_swp_uffd_wp(old) && !is_writable_migration_entry(entry))
		pte = pmd_mkuffd_wp(pte);
	/* hugetlb_add_anon_rmap() / hugetlb_add_file_rmap(). */
	if (folio_test_anon(new) &&
	    (is_writable_migration_entry(entry) ||
	     is_readable_exclusive_migration_entry(entry)))
		SetPageAnonExclusive(&new->page);
	hugetlb_add_rmap(new);
	set_pmd(pvmw->pmd, pte);
	trace_remove_migration_pte(addr, pmd_val(pte), folio_order(new));
}

void migration_entry_wait_huge(struct vm_area_struct *vma, unsigned long addr,
			       pmd_t *ptep)
{
	spinlock_t *ptl = huge_pte_lockptr(hstate_vma(vma), vma->vm_mm, ptep);
	pmd_t entry;

	(void)addr;
	spin_lock(ptl);
	entry = pmdp_get(ptep);
	if (is_hugetlb_entry_migration(entry)) {
		/* Drops ptl once queued on the folio's wait queue. */
		migration_entry_wait_on_locked(pmd_to_swp_entry(entry), ptl);
		return;
	}
	spin_unlock(ptl);
}

/* ---- the VMA operations ---- */

/* A copy of the VMA (split, not fork): the owner's map is shared. */
static void hugetlb_vm_op_open(struct vm_area_struct *vma)
{
	struct resv_map *resv = vma_resv_map(vma);

	if (resv && is_vma_resv_set(vma, HPAGE_RESV_OWNER))
		atomic_inc(&resv->refs);
}

/* The VMA goes: an owner gives back the reservations it did not use. */
static void hugetlb_vm_op_close(struct vm_area_struct *vma)
{
	struct hstate *h = hstate_vma(vma);
	struct resv_map *resv = vma_resv_map(vma);
	unsigned long reserve, start, end;
	long gbl_reserve;

	if (!resv || !is_vma_resv_set(vma, HPAGE_RESV_OWNER))
		return;
	start = vma_hugecache_offset(h, vma, vma->vm_start);
	end = vma_hugecache_offset(h, vma, vma->vm_end);
	reserve = (end - start) - region_count(resv, start, end);
	if (reserve) {
		gbl_reserve = hugepage_subpool_put_pages(subpool_vma(vma),
							 reserve);
		(void)hugetlb_acct_memory(h, -gbl_reserve);
	}
	resv_map_put(resv);
}

/* A hugetlb VMA splits at huge-page boundaries only (-EINVAL). */
static int hugetlb_vm_op_split(struct vm_area_struct *vma,
			       unsigned long addr)
{
	if (addr & (huge_page_size(hstate_vma(vma)) - 1))
		return -EINVAL;
	return 0;
}

static vm_fault_t hugetlb_vm_op_fault(struct vm_fault *vmf)
{
	/* hugetlb_fault() runs instead (handle_mm_fault()). */
	VM_BUG_ON(1);
	return VM_FAULT_SIGBUS;
}

const struct vm_operations_struct hugetlb_vm_ops = {
	.open = hugetlb_vm_op_open,
	.close = hugetlb_vm_op_close,
	.may_split = hugetlb_vm_op_split,
	.fault = hugetlb_vm_op_fault,
};

/* fork: a private mapping's reservations stay with the parent. */
void hugetlb_dup_vma_private(struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_MAYSHARE))
		vma->vm_private_data = NULL;
}

void clear_vma_resv_huge_pages(struct vm_area_struct *vma)
{
	struct resv_map *resv = vma_resv_map(vma);

	if (resv && is_vma_resv_set(vma, HPAGE_RESV_OWNER))
		resv_map_put(resv);
	hugetlb_dup_vma_private(vma);
}

unsigned long vma_kernel_pagesize(const struct vm_area_struct *vma)
{
	if (is_vm_hugetlb_page(vma))
		return huge_page_size(hstate_vma(vma));
	return PAGE_SIZE;
}

/* ---- output ---- */

void hugetlb_report_meminfo(unsigned long *total, unsigned long *free,
			    unsigned long *rsvd, unsigned long *surp,
			    unsigned long *hugetlb_kb)
{
	struct hugetlb_state *hs = this_machine->hugetlb;
	struct hstate *h = &hs->hstates[HSTATE_2M];
	unsigned long bytes = 0;
	unsigned int i;

	spin_lock(&hugetlb_lock);
	*total = h->nr_huge_pages;
	*free = h->free_huge_pages;
	*rsvd = h->resv_huge_pages;
	*surp = h->surplus_huge_pages;
	for (i = 0; i < HUGE_MAX_HSTATE; i++)
		bytes += hs->hstates[i].nr_huge_pages *
			 huge_page_size(&hs->hstates[i]);
	spin_unlock(&hugetlb_lock);
	*hugetlb_kb = bytes >> 10;
}

/* The files of a hugepages-<N>kB directory, in the order 'show' prints. */
#define HSTATE_FILES(X)						\
	X(nr_hugepages, nr_huge_pages)				\
	X(free_hugepages, free_huge_pages)			\
	X(resv_hugepages, resv_huge_pages)			\
	X(surplus_hugepages, surplus_huge_pages)		\
	X(nr_overcommit_hugepages, nr_overcommit_huge_pages)

int hugetlb_sysfs_render_seq(struct seq_buf *s, bool json)
{
	struct hugetlb_state *hs = this_machine->hugetlb;
	struct hstate snap[HUGE_MAX_HSTATE];
	struct json_object *obj, *dir;
	unsigned int i;
	int err = 0;

	spin_lock(&hugetlb_lock);
	memcpy(snap, hs->hstates, sizeof(snap));
	spin_unlock(&hugetlb_lock);
	/* As the directory lists them: hugepages-1048576kB first. */
	if (!json) {
		for (i = HUGE_MAX_HSTATE; i-- > 0;) {
#define __SHOW_FILE(file, field)					\
			seq_printf(s, "%s/" #file ": %lu\n", snap[i].name, \
				   snap[i].field);
			HSTATE_FILES(__SHOW_FILE)
#undef __SHOW_FILE
		}
		return s->err;
	}
	obj = json_new_object(&err);
	for (i = HUGE_MAX_HSTATE; obj && i-- > 0;) {
		dir = json_new_object(&err);
#define __JSON_FILE(file, field)					\
		json_set_u64(dir, #file, snap[i].field, &err);
		HSTATE_FILES(__JSON_FILE)
#undef __JSON_FILE
		json_set(obj, snap[i].name, dir, &err);
	}
	return json_show(s, obj, err);
}

/* ---- the pool validator ---- */

#define hbug(h, ...) do {						\
	report_bug("hugetlb %s: " FIRST_ARG(__VA_ARGS__), (h)->name	\
		   REST_ARGS(__VA_ARGS__));				\
	ret = -EUCLEAN;							\
} while (0)
#define FIRST_ARG(a, ...)	a
#define REST_ARGS(a, ...)	, ##__VA_ARGS__

/* @folio is a pool folio of @h: compound of its order, never buddy. */
static int validate_hugetlb_folio(struct hstate *h, struct folio *folio)
{
	unsigned long pfn = folio_pfn(folio), i, step;
	int ret = 0;

	if (!PageHead(&folio->page) || folio_order(folio) != h->order ||
	    !PageHugetlb(&folio->page)) {
		hbug(h, "pfn 0x%lx: head=%d order=%u hugetlb=%d", pfn,
		     PageHead(&folio->page), folio_order(folio),
		     PageHugetlb(&folio->page));
		return ret;
	}
	/* A buddy block inside starts at a pageblock boundary at least. */
	step = hstate_is_gigantic(h) ? pageblock_nr_pages : 1;
	for (i = 0; i < pages_per_huge_page(h); i += step)
		if (PageBuddy(folio_page(folio, i)) ||
		    (i && compound_head(folio_page(folio, i)) != &folio->page))
			hbug(h, "pfn 0x%lx of the folio at 0x%lx: buddy=%d "
			     "not its tail", pfn + i, pfn,
			     PageBuddy(folio_page(folio, i)));
	return ret;
}

static int validate_hstate(struct hstate *h)
{
	unsigned long nr = 0, nr_free = 0, surplus = 0;
	unsigned long node_nr[MAX_NUMNODES] = { 0 };
	struct folio *folio;
	int nid, ret = 0;

	for (nid = 0; nid < nr_online_nodes(); nid++) {
		unsigned long n = 0;

		list_for_each_entry(folio, &h->hugepage_freelists[nid], lru) {
			if (folio_nid(folio) != nid ||
			    folio_ref_count(folio) != 0 ||
			    !folio_test_hugetlb_freed(folio))
				hbug(h, "free pfn 0x%lx: node %d on node %d's "
				     "list, refcount %d", folio_pfn(folio),
				     folio_nid(folio), nid,
				     folio_ref_count(folio));
			if (validate_hugetlb_folio(h, folio))
				ret = -EUCLEAN;
			n++;
			node_nr[nid]++;
		}
		if (n != h->free_huge_pages_node[nid])
			hbug(h, "node %d: %lu free folios, counter %lu", nid,
			     n, h->free_huge_pages_node[nid]);
		nr_free += h->free_huge_pages_node[nid];
		surplus += h->surplus_huge_pages_node[nid];
	}
	list_for_each_entry(folio, &h->hugepage_activelist, lru) {
		if (folio_ref_count(folio) <= 0 ||
		    folio_test_hugetlb_freed(folio))
			hbug(h, "active pfn 0x%lx: refcount %d freed %d",
			     folio_pfn(folio), folio_ref_count(folio),
			     folio_test_hugetlb_freed(folio));
		if (validate_hugetlb_folio(h, folio))
			ret = -EUCLEAN;
		node_nr[folio_nid(folio)]++;
	}
	/*
	 * Pages a guest_memfd holds split, and pages isolated for migration,
	 * are in use, on no list of the pool.
	 */
	for (nid = 0; nid < nr_online_nodes(); nid++)
		node_nr[nid] += h->split_huge_pages_node[nid] +
				h->isolated_huge_pages_node[nid];
	for (nid = 0; nid < nr_online_nodes(); nid++) {
		if (node_nr[nid] != h->nr_huge_pages_node[nid])
			hbug(h, "node %d: %lu folios, counter %lu", nid,
			     node_nr[nid], h->nr_huge_pages_node[nid]);
		if (h->surplus_huge_pages_node[nid] > node_nr[nid])
			hbug(h, "node %d: surplus %lu of %lu folios", nid,
			     h->surplus_huge_pages_node[nid], node_nr[nid]);
		nr += h->nr_huge_pages_node[nid];
	}
	if (nr != h->nr_huge_pages || nr_free != h->free_huge_pages ||
	    surplus != h->surplus_huge_pages)
		hbug(h, "nodes sum to %lu/%lu/%lu, totals %lu/%lu/%lu", nr,
		     nr_free, surplus, h->nr_huge_pages, h->free_huge_pages,
		     h->surplus_huge_pages);
	if (h->resv_huge_pages > h->free_huge_pages)
		hbug(h, "%lu reserved of %lu free", h->resv_huge_pages,
		     h->free_huge_pages);
	return ret;
}

int validate_hugetlb(void)
{
	struct hugetlb_state *hs = this_machine->hugetlb;
	unsigned int i;
	int ret = 0, err;

	if (!hs)
		return 0;
	spin_lock(&hugetlb_lock);
	for (i = 0; i < HUGE_MAX_HSTATE; i++) {
		err = validate_hstate(&hs->hstates[i]);
		ret = ret ?: err;
	}
	spin_unlock(&hugetlb_lock);
	return ret;
}

/* The reservations a hugetlbfs file holds: covered indices not cached. */
static long file_reserved(struct hugetlbfs_inode_info *info)
{
	struct file_region *rg;
	long nr = 0, idx;

	spin_lock(&info->resv_map->lock);
	list_for_each_entry(rg, &info->resv_map->regions, link)
		for (idx = rg->from; idx < rg->to; idx++)
			if (idx >= (long)info->nr_slots || !info->folios[idx])
				nr++;
	spin_unlock(&info->resv_map->lock);
	return nr;
}

int validate_hugetlb_resv(void)
{
	struct foliage_machine *m = this_machine;
	long want[HUGE_MAX_HSTATE] = { 0 };
	struct hugepage_subpool *spool;
	struct foliage_file *ff;
	struct foliage_task *t;
	unsigned int i;
	int ret = 0;

	if (!m->hugetlb || !m->tasks)
		return 0;
	spin_lock(&m->files_lock);
	list_for_each_entry(ff, &m->files, machine_files) {
		struct hugetlbfs_inode_info *info;

		if (!is_file_hugepages(&ff->file))
			continue;
		info = HUGETLBFS_I(ff->file.f_inode);
		pthread_mutex_lock(&info->cache_lock);
		want[info->hstate - m->hugetlb->hstates] +=
			file_reserved(info);
		pthread_mutex_unlock(&info->cache_lock);
	}
	spin_unlock(&m->files_lock);
	list_for_each_entry(t, &m->tasks->list, task.tasks) {
		struct vm_area_struct *vma;

		for_each_vma(t->task.mm, vma) {
			struct hstate *h;
			long start, end;

			if (!is_vm_hugetlb_page(vma) ||
			    !is_vma_resv_set(vma, HPAGE_RESV_OWNER))
				continue;
			h = hstate_vma(vma);
			start = vma_hugecache_offset(h, vma, vma->vm_start);
			end = vma_hugecache_offset(h, vma, vma->vm_end);
			want[h - m->hugetlb->hstates] += (end - start) -
				region_count(vma_resv_map(vma), start, end);
		}
	}
	spin_lock(&hugetlb_lock);
	list_for_each_entry(spool, &m->hugetlb->subpools, link)
		if (spool->min_hpages != -1)
			want[spool->hstate - m->hugetlb->hstates] +=
				spool->rsv_hpages;
	for (i = 0; i < HUGE_MAX_HSTATE; i++) {
		struct hstate *h = &m->hugetlb->hstates[i];

		if ((long)h->resv_huge_pages != want[i])
			hbug(h, "resv_huge_pages %lu, its owners hold %ld",
			     h->resv_huge_pages, want[i]);
	}
	spin_unlock(&hugetlb_lock);
	return ret;
}

/* ---- the subsystem: state and knobs ---- */

/* The hstate whose field @data is. */
static struct hstate *data_hstate(void *data)
{
	struct hugetlb_state *hs = this_machine->hugetlb;
	unsigned int i;

	for (i = 0; i < HUGE_MAX_HSTATE; i++)
		if ((char *)data >= (char *)&hs->hstates[i] &&
		    (char *)data < (char *)(&hs->hstates[i] + 1))
			return &hs->hstates[i];
	return NULL;
}

/* A write to nr_hugepages (sysctl or sysfs) sizes the persistent pool. */
static int nr_hugepages_handler(const struct ctl_table *t, void *data,
				long v)
{
	return set_max_huge_pages(data_hstate(data), v);
}

/* nr_overcommit_hugepages: gigantic pages cannot be surplus (-EINVAL). */
static int nr_overcommit_handler(const struct ctl_table *t, void *data,
				 long v)
{
	struct hstate *h = data_hstate(data);

	if (hstate_is_gigantic(h))
		return -EINVAL;
	spin_lock(&hugetlb_lock);
	h->nr_overcommit_huge_pages = v;
	spin_unlock(&hugetlb_lock);
	return 0;
}

#define HKNOB(name, field, handler)					\
	{ .procname = (name), .type = CTL_ULONG,			\
	  .offset = offsetof(struct hugetlb_state, field),		\
	  .min = 0, .max = 1L << 62, .proc_handler = (handler) }

/*
 * The sysctls read max_huge_pages (the size last set), the sysfs file
 * nr_huge_pages (surplus included), as Linux's do.
 */
static const struct ctl_table hugetlb_knobs[] = {
	HKNOB("vm.nr_hugepages", hstates[HSTATE_2M].max_huge_pages,
	      nr_hugepages_handler),
	HKNOB("vm.nr_overcommit_hugepages",
	      hstates[HSTATE_2M].nr_overcommit_huge_pages,
	      nr_overcommit_handler),
	HKNOB("hugepages.hugepages-2048kB/nr_hugepages",
	      hstates[HSTATE_2M].nr_huge_pages, nr_hugepages_handler),
	HKNOB("hugepages.hugepages-2048kB/nr_overcommit_hugepages",
	      hstates[HSTATE_2M].nr_overcommit_huge_pages,
	      nr_overcommit_handler),
	HKNOB("hugepages.hugepages-1048576kB/nr_hugepages",
	      hstates[HSTATE_1G].nr_huge_pages, nr_hugepages_handler),
	HKNOB("hugepages.hugepages-1048576kB/nr_overcommit_hugepages",
	      hstates[HSTATE_1G].nr_overcommit_huge_pages,
	      nr_overcommit_handler),
};

static void hstate_init(struct hstate *h, unsigned int order)
{
	int nid;

	pthread_rwlock_init(&h->resize_lock, NULL);
	h->order = order;
	snprintf(h->name, sizeof(h->name), "hugepages-%lukB",
		 (PAGE_SIZE << order) >> 10);
	INIT_LIST_HEAD(&h->hugepage_activelist);
	for (nid = 0; nid < MAX_NUMNODES; nid++)
		INIT_LIST_HEAD(&h->hugepage_freelists[nid]);
}

static int hugetlb_init(struct foliage_machine *m)
{
	struct hugetlb_state *hs = m->hugetlb;

	spin_lock_init(&hugetlb_lock);
	INIT_LIST_HEAD(&hs->subpools);
	hstate_init(&hs->hstates[HSTATE_2M], HPAGE_PMD_ORDER);
	hstate_init(&hs->hstates[HSTATE_1G], PUD_ORDER);
	return 0;
}

/*
 * The free pool pages go back to the allocator, as a shutdown would leave
 * them, when the destroying thread can run in the machine (else the
 * memory goes with the machine).
 */
static void hugetlb_exit(struct foliage_machine *m)
{
	struct hugetlb_state *hs = m->hugetlb;
	bool running = hs && m->nr_cpus && !machine_enter(m);
	unsigned int i;

	if (!hs)
		return;
	for (i = 0; i < HUGE_MAX_HSTATE; i++) {
		struct hstate *h = &hs->hstates[i];

		if (!h->order)
			continue;	/* init never ran */
		if (running)
			(void)set_max_huge_pages(h, 0);
		pthread_rwlock_destroy(&h->resize_lock);
	}
}

static const struct machine_render hugetlb_renders[] = {
	{ "hugepages", hugetlb_sysfs_render_seq },
};

static int hugetlb_validate(struct foliage_machine *m)
{
	return validate_hugetlb();
}

const struct machine_subsys hugetlb_subsys = {
	.name = "hugetlb",
	MACHINE_SUBSYS_STATE(hugetlb),
	.init = hugetlb_init,
	.exit = hugetlb_exit,
	.knobs = hugetlb_knobs,
	.nr_knobs = ARRAY_SIZE(hugetlb_knobs),
	.renders = hugetlb_renders,
	.nr_renders = ARRAY_SIZE(hugetlb_renders),
	.validate = hugetlb_validate,
};
