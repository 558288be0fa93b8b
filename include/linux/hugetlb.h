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
};

/* The machine's hugetlb state (machine->hugetlb, hugetlb_subsys). */
struct hugetlb_state {
	spinlock_t hugetlb_lock;	/* every hstate's lists and counters */
	struct hstate hstates[HUGE_MAX_HSTATE]; /* 2 MiB, then 1 GiB */
};

/*
 * Flags of a hugetlb folio, in folio->_hugetlb_private (Linux's
 * enum hugetlb_page_flags; the others come with their users).
 */
enum hugetlb_page_flags {
	HPG_freed = 3,		/* on a free list of its hstate */
};

static inline bool folio_test_hugetlb_freed(const struct folio *folio)
{
	return folio->_hugetlb_private & (1UL << HPG_freed);
}

static inline void folio_set_hugetlb_freed(struct folio *folio)
{
	folio->_hugetlb_private |= 1UL << HPG_freed;
}

static inline void folio_clear_hugetlb_freed(struct folio *folio)
{
	folio->_hugetlb_private &= ~(1UL << HPG_freed);
}

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

/*
 * Recount every pool from its lists and check each folio (debug builds):
 * 0, or -EUCLEAN after reporting the first disagreement.
 */
int validate_hugetlb(void);

#endif /* _FOLIAGE_LINUX_HUGETLB_H */
