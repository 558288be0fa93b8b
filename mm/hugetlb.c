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
#include <string.h>

#include "internal.h"
#include "render.h"
#include <linux/gfp.h>
#include <linux/hugetlb.h>
#include <linux/lockdep.h>
#include <linux/machine_subsys.h>
#include <linux/vmstat.h>

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
 * One fresh huge folio of @h on node @nid exactly, frozen (refcount 0),
 * PageHugetlb: order 9 from buddy (counting htlb_buddy_alloc_success or
 * _fail), order 18 from alloc_contig_pages() (which counts neither, as in
 * Linux).  Called without hugetlb_lock: the allocation may take long.
 */
static struct folio *alloc_fresh_hugetlb_folio(struct hstate *h, int nid)
{
	gfp_t gfp = __GFP_COMP | __GFP_THISNODE | __GFP_NOWARN;
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
		folio = alloc_fresh_hugetlb_folio(h, nid);
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
	struct folio *folio, *next;

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
	list_for_each_entry_safe(folio, next, &page_list, lru) {
		list_del(&folio->lru);
		update_and_free_hugetlb_folio(h, folio);
	}
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
	int nid = folio_nid(folio);

	VM_BUG_ON(folio_ref_count(folio) != 0);
	spin_lock(&hugetlb_lock);
	list_del_init(&folio->lru);	/* off the active list */
	if (h->surplus_huge_pages_node[nid]) {
		remove_hugetlb_folio(h, folio, true);
		spin_unlock(&hugetlb_lock);
		update_and_free_hugetlb_folio(h, folio);
		return;
	}
	enqueue_hugetlb_folio(h, folio);
	spin_unlock(&hugetlb_lock);
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
