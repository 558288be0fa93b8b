// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA memory policy (Linux 6.18's mm/mempolicy.c semantics, written
 * anew; the modes are described in include/linux/mempolicy.h).
 *
 *   vma_alloc_folio()	the fault's folio, placed by the VMA's or the
 *			task's policy
 *   mbind(2)		foliage_mbind(): a range's policy, with MPOL_MF_MOVE
 *			moving what does not conform, MPOL_MF_STRICT
 *			failing (-EIO) if something still does not
 *   set_mempolicy(2)	foliage_set_mempolicy(): the task's policy
 *   migrate_pages(2)	foliage_migrate_pages(): a task's pages from one
 *			node set to another
 *   weighted_interleave/	the knobs "mempolicy.weighted_interleave.nodeN"
 *			and ".auto" (/sys/kernel/mm/mempolicy/...): the
 *			weights of MPOL_WEIGHTED_INTERLEAVE
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include <linux/mm.h>
#include <linux/rmap.h>
#include <linux/swap.h>
#include <linux/mempolicy.h>
#include <linux/hugetlb.h>
#include <linux/migrate.h>
#include <linux/err.h>
#include <linux/machine_subsys.h>
#include <foliage/foliage.h>
#include "task.h"
#include "vma.h"

BUILD_BUG_ON(MPOL_MF_STRICT != FOLIAGE_MPOL_MF_STRICT);
BUILD_BUG_ON(MPOL_MF_MOVE != FOLIAGE_MPOL_MF_MOVE);
BUILD_BUG_ON(MPOL_MF_MOVE_ALL != FOLIAGE_MPOL_MF_MOVE_ALL);
BUILD_BUG_ON(MPOL_DEFAULT != FOLIAGE_MPOL_DEFAULT);
BUILD_BUG_ON(MPOL_PREFERRED != FOLIAGE_MPOL_PREFERRED);
BUILD_BUG_ON(MPOL_BIND != FOLIAGE_MPOL_BIND);
BUILD_BUG_ON(MPOL_INTERLEAVE != FOLIAGE_MPOL_INTERLEAVE);
BUILD_BUG_ON(MPOL_LOCAL != FOLIAGE_MPOL_LOCAL);
BUILD_BUG_ON(MPOL_PREFERRED_MANY != FOLIAGE_MPOL_PREFERRED_MANY);
BUILD_BUG_ON(MPOL_WEIGHTED_INTERLEAVE != FOLIAGE_MPOL_WEIGHTED_INTERLEAVE);
BUILD_BUG_ON(MPOL_F_STATIC_NODES != FOLIAGE_MPOL_F_STATIC_NODES);
BUILD_BUG_ON(MPOL_F_RELATIVE_NODES != FOLIAGE_MPOL_F_RELATIVE_NODES);

const struct mempolicy *get_vma_policy(struct vm_area_struct *vma)
{
	if (vma->vm_policy.mode != MPOL_DEFAULT)
		return &vma->vm_policy;
	/* A pseudo-VMA (hugetlbfs fallocate) has no mm: the local node. */
	if (!vma->vm_mm)
		return &default_mempolicy;
	return &vma->vm_mm->mempolicy;
}

/*
 * The interleave index of the folio of @order at @addr: the page's index
 * in the mapping, in folios, so that it depends neither on where the VMA
 * starts nor on where in the folio the fault was.
 */
static unsigned long interleave_index(struct vm_area_struct *vma,
				      unsigned long addr, unsigned int order)
{
	return linear_page_index(vma, addr) >> order;
}

static int interleave_nid(const struct mempolicy *pol, unsigned long ilx)
{
	return nth_node(ilx % nodes_weight(pol->nodes), pol->nodes);
}

/* ---- weighted interleave ---- */

/*
 * The weights of MPOL_WEIGHTED_INTERLEAVE (Linux's wi_state), one set
 * per machine.  Linux starts with no table (every weight 1, "auto") and
 * fills weights in auto mode from the nodes' bandwidth (HMAT); foliage's
 * nodes have none, so auto mode keeps every weight 1, as Linux does on a
 * machine without HMAT.
 *
 *   wi_auto			until a weight is written or auto is set
 *				to N; setting it to Y again: -ENODEV (no
 *				bandwidth to compute weights from)
 *   iw_table[nid] in 1..255	always (1 in auto mode)
 */
struct mempolicy_state {
	bool wi_auto;			/* weighted_interleave/auto */
	u8 iw_table[MAX_NUMNODES];	/* weighted_interleave/nodeN */
};

/* The weights now, for one placement (Linux reads them under RCU). */
static void wi_weights(u8 weights[MAX_NUMNODES])
{
	struct mempolicy_state *st = this_machine->mempolicy;
	int nid;

	for (nid = 0; nid < MAX_NUMNODES; nid++)
		weights[nid] = READ_ONCE(st->iw_table[nid]);
}

/*
 * weighted_interleave_nid(): the node of the folio at index @ilx.  The
 * index modulo the sum of the policy's nodes' weights walks the nodes in
 * order, each taking as many indices as its weight:
 *
 *   weights 2:1 on nodes 0,1   ilx 0 1 2 3 4 5 ...
 *                              nid 0 0 1 0 0 1 ...
 */
static int weighted_interleave_nid(const struct mempolicy *pol,
				   unsigned long ilx)
{
	unsigned int weight_total = 0, target;
	u8 weights[MAX_NUMNODES];
	int nid;

	wi_weights(weights);
	for_each_node_mask(nid, pol->nodes)
		weight_total += weights[nid];
	target = ilx % weight_total;
	nid = first_node(pol->nodes);
	while (target >= weights[nid]) {
		target -= weights[nid];
		nid = next_node_in(nid, pol->nodes);
	}
	return nid;
}

/* "nodeN" of a node with memory: N; else -1. */
static int wi_node_file(const char *file)
{
	const char *digits = file + strlen("node");
	long nid;

	if (strncmp(file, "node", strlen("node")) || !*digits ||
	    strspn(digits, "0123456789") != strlen(digits) ||
	    (digits[0] == '0' && digits[1]) || strlen(digits) > 3)
		return -1;
	nid = strtol(digits, NULL, 10);
	if (nid >= MAX_NUMNODES || !node_isset(nid, node_states_memory()))
		return -1;
	return nid;
}

/*
 * Linux's node_store() and weighted_interleave_auto_store(): a weight
 * 1..255 (-ERANGE outside, -EINVAL if it is no number) also turns auto
 * mode off; auto takes a bool, N keeps the weights, Y is -ENODEV.
 */
static int mempolicy_sysfs_set(const char *file, const char *value)
{
	struct mempolicy_state *st = this_machine->mempolicy;
	int nid = wi_node_file(file);
	long v;
	int err;

	if (!strcmp(file, "auto")) {
		err = ctl_parse_bool(value, &v);
		if (err)
			return err;
		if (v)
			return -ENODEV;
		WRITE_ONCE(st->wi_auto, false);
		return 0;
	}
	if (nid < 0)
		return -ENOENT;
	err = ctl_parse_long(value, &v);
	if (err)
		return err;
	if (v < 1 || v > 255)
		return -ERANGE;
	WRITE_ONCE(st->iw_table[nid], (u8)v);
	WRITE_ONCE(st->wi_auto, false);
	return 0;
}

static int mempolicy_sysfs_get(const char *file, long *value)
{
	struct mempolicy_state *st = this_machine->mempolicy;
	int nid = wi_node_file(file);

	if (!strcmp(file, "auto")) {
		*value = READ_ONCE(st->wi_auto);
		return 0;
	}
	if (nid < 0)
		return -ENOENT;
	*value = READ_ONCE(st->iw_table[nid]);
	return 0;
}

static int mempolicy_init(struct foliage_machine *m)
{
	struct mempolicy_state *st = m->mempolicy;

	st->wi_auto = true;
	memset(st->iw_table, 1, sizeof(st->iw_table));
	return 0;
}

const struct machine_subsys mempolicy_subsys = {
	.name = "mempolicy",
	MACHINE_SUBSYS_STATE(mempolicy),
	.init = mempolicy_init,
	.sysfs_prefix = "mempolicy.weighted_interleave.",
	.sysfs_set = mempolicy_sysfs_set,
	.sysfs_get = mempolicy_sysfs_get,
};

/* The node @pol puts the folio at @ilx on first. */
static int policy_node(const struct mempolicy *pol, unsigned long ilx)
{
	int local = numa_node_id();

	switch (pol->mode) {
	case MPOL_PREFERRED:
		return first_node(pol->nodes);
	case MPOL_BIND:
	case MPOL_PREFERRED_MANY:
		return node_isset(local, pol->nodes) ? local :
						       first_node(pol->nodes);
	case MPOL_INTERLEAVE:
		return interleave_nid(pol, ilx);
	case MPOL_WEIGHTED_INTERLEAVE:
		return weighted_interleave_nid(pol, ilx);
	default:
		return local;
	}
}

static struct folio *alloc_folio_mpol(gfp_t gfp, unsigned int order,
				      const struct mempolicy *pol,
				      unsigned long ilx, unsigned long addr)
{
	int nid = policy_node(pol, ilx), other;
	struct folio *folio;

	if (pol->mode != MPOL_BIND && pol->mode != MPOL_PREFERRED_MANY)
		return folio_alloc_user(gfp, order, nid, addr);
	/*
	 * The policy's nodes: the chosen one first, then the others; for
	 * PREFERRED_MANY then any node.
	 */
	folio = folio_alloc_user(gfp | __GFP_THISNODE, order, nid, addr);
	for_each_node_mask(other, pol->nodes) {
		if (folio)
			break;
		if (other != nid)
			folio = folio_alloc_user(gfp | __GFP_THISNODE, order,
						 other, addr);
	}
	if (!folio && pol->mode == MPOL_PREFERRED_MANY)
		folio = folio_alloc_user(gfp, order, nid, addr);
	return folio;
}

struct folio *vma_alloc_folio(gfp_t gfp, unsigned int order,
			      struct vm_area_struct *vma, unsigned long addr)
{
	return alloc_folio_mpol(gfp, order, get_vma_policy(vma),
				interleave_index(vma, addr, order), addr);
}

int huge_node(struct vm_area_struct *vma, unsigned long addr,
	      unsigned int order, nodemask_t *mask, bool *masked,
	      bool *fallback)
{
	const struct mempolicy *pol = get_vma_policy(vma);

	*masked = pol->mode == MPOL_BIND || pol->mode == MPOL_PREFERRED_MANY;
	*fallback = pol->mode == MPOL_PREFERRED_MANY;
	*mask = pol->nodes;
	return policy_node(pol, interleave_index(vma, addr, order));
}

/*
 * Whether @folio sits where mbind(2)'s queueing wants it: Linux's do_mbind()
 * queues the folios off the caller's node mask (queue_pages_range() with
 * MPOL_MF_INVERT), so for a flagged policy that is user_nodemask, not the
 * nodes the policy resolved to.
 */
bool mpol_folio_conforms(const struct mempolicy *pol, struct folio *folio)
{
	if (pol->mode == MPOL_DEFAULT)
		return true;
	if (pol->mode == MPOL_LOCAL)
		return folio_nid(folio) == numa_node_id();
	if (pol->flags & MPOL_MODE_FLAGS)
		return node_isset(folio_nid(folio), pol->user_nodemask);
	return node_isset(folio_nid(folio), pol->nodes);
}

/*
 * sanitize_mpol_flags(): split the mode flags off @mode.  -EINVAL for an
 * unknown mode (MPOL_F_NUMA_BALANCING is not modelled: its bit leaves an
 * unknown mode) or both flags at once.
 */
static int sanitize_mpol_flags(int *mode, unsigned short *flags)
{
	*flags = *mode & MPOL_MODE_FLAGS;
	*mode &= ~MPOL_MODE_FLAGS;
	if ((unsigned int)*mode >= MPOL_MAX)
		return -EINVAL;
	if ((*flags & MPOL_F_STATIC_NODES) && (*flags & MPOL_F_RELATIVE_NODES))
		return -EINVAL;
	return 0;
}

/*
 * mpol_relative_nodemask(): node n of @orig is the (n mod weight(@rel))-th
 * node of @rel.
 */
static nodemask_t mpol_relative_nodemask(nodemask_t orig, nodemask_t rel)
{
	return nodes_onto(nodes_fold(orig, nodes_weight(rel)), rel);
}

/*
 * Check and normalise a policy from user space, @mode with its flags
 * (sanitize_mpol_flags(), mpol_new(), mpol_set_nodemask()): DEFAULT takes
 * no nodes (flags or not, as Linux); LOCAL takes neither nodes nor flags;
 * PREFERRED without nodes is LOCAL, but not with a flag; the others need
 * some.  Without a flag every node must have memory; STATIC_NODES keeps
 * the ones that do, RELATIVE_NODES folds the mask onto them; either way
 * some must be left, and the caller's mask is kept.  PREFERRED keeps only
 * the first node.  0 or -EINVAL.
 */
static int mpol_new(struct mempolicy *pol, int mode, unsigned long nodes)
{
	nodemask_t mask = { .bits = nodes }, allowed = node_states_memory();
	nodemask_t eff = mask;
	unsigned short flags;
	int err;

	err = sanitize_mpol_flags(&mode, &flags);
	if (err)
		return err;
	if (mode == MPOL_DEFAULT) {
		if (nodes)
			return -EINVAL;
		*pol = default_mempolicy;
		return 0;
	}
	if (mode == MPOL_PREFERRED && !nodes) {
		if (flags)
			return -EINVAL;
		mode = MPOL_LOCAL;
	}
	if (mode == MPOL_LOCAL) {
		if (nodes || flags)
			return -EINVAL;
		*pol = (struct mempolicy){ .mode = MPOL_LOCAL };
		return 0;
	}
	/* get_nodes(): nothing past the nodes a machine can have. */
	if (nodes_empty(mask) || (mask.bits >> MAX_NUMNODES))
		return -EINVAL;
	if (flags & MPOL_F_RELATIVE_NODES)
		eff = mpol_relative_nodemask(mask, allowed);
	else if (flags & MPOL_F_STATIC_NODES)
		eff.bits &= allowed.bits;
	else if (mask.bits & ~allowed.bits)
		return -EINVAL;
	if (nodes_empty(eff))
		return -EINVAL;
	if (mode == MPOL_PREFERRED)
		eff = (nodemask_t){ .bits = 1UL << first_node(eff) };
	*pol = (struct mempolicy){ .mode = mode, .flags = flags, .nodes = eff,
				   .user_nodemask = flags ? mask : NODE_MASK_NONE };
	return 0;
}

/* A NUMA call on @task: enter its machine; 0 or -errno. */
static int mpol_task_enter(struct foliage_task *task)
{
	return task ? machine_enter(task->machine) : -EINVAL;
}

/* ---- queueing what does not conform (queue_pages_range()) ---- */

struct queue_pages {
	const struct mempolicy *pol;	/* the policy pages must follow */
	unsigned long flags;		/* MPOL_MF_* */
	struct list_head *pagelist;	/* where isolated folios go */
	long nr_failed;			/* could not be queued */
};

/*
 * A hugetlb folio the policy does not want (Linux's queue_folios_hugetlb()):
 * without MPOL_MF_MOVE(_ALL) a failure; one mapped more than once stays
 * without MPOL_MF_MOVE_ALL, and that is no failure.
 */
static void queue_folio_hugetlb(struct folio *folio, struct queue_pages *qp)
{
	if (!(qp->flags & (MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))) {
		qp->nr_failed++;
		return;
	}
	if (((qp->flags & MPOL_MF_MOVE_ALL) ||
	     folio_entire_mapcount(folio) <= 1) &&
	    !isolate_folio_to_list(folio, qp->pagelist))
		qp->nr_failed++;
}

/* The folios of [start, end) of @vma that @qp's policy does not want. */
static void queue_pages_vma(struct vm_area_struct *vma, unsigned long start,
			    unsigned long end, struct queue_pages *qp)
{
	unsigned long addr, page_mask;

	for (addr = start; addr < end; addr += PAGE_SIZE) {
		struct page *page;
		struct folio *folio;

		page = follow_page_mask(vma, addr, FOLL_GET, &page_mask);
		if (IS_ERR_OR_NULL(page))
			continue;
		folio = page_folio(page);
		if (is_zero_pfn(page_to_pfn(page)) ||
		    folio == READ_ONCE(this_machine->huge_zero_folio) ||
		    mpol_folio_conforms(qp->pol, folio)) {
			folio_put(folio);
			continue;
		}
		if (PageHugetlb(&folio->page)) {
			queue_folio_hugetlb(folio, qp);
		/* A shared folio moves only with MPOL_MF_MOVE_ALL. */
		} else if (!(qp->flags & (MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)) ||
		    ((qp->flags & MPOL_MF_MOVE) &&
		     !(qp->flags & MPOL_MF_MOVE_ALL) &&
		     folio_mapcount(folio) > folio_nr_pages(folio)) ||
		    !isolate_folio_to_list(folio, qp->pagelist))
			qp->nr_failed++;
		/* Skip the rest of a large folio. */
		addr = ALIGN_DOWN(addr, PAGE_SIZE << folio_order(folio)) +
		       folio_size(folio) - PAGE_SIZE;
		folio_put(folio);
	}
}

/* alloc_migration_target_by_mpol(): the destination, by the new policy. */
struct mpol_target {
	const struct mempolicy *pol;	/* the policy */
	struct mm_struct *mm;		/* whose pages */
};

static struct folio *alloc_migration_target_by_mpol(struct folio *src,
						    unsigned long private)
{
	const struct mpol_target *t = (const void *)private;
	gfp_t gfp = GFP_HIGHUSER_MOVABLE;

	if (PageHugetlb(&src->page)) {
		/*
		 * policy_nodemask(): the policy's node first; MPOL_BIND and
		 * MPOL_PREFERRED_MANY restrict the nodes (no retry without
		 * the mask for hugetlb), and the mbind may fall back to a
		 * temporary page elsewhere (htlb_allow_alloc_fallback()).
		 */
		nodemask_t nodes = t->pol->nodes;
		int nid = policy_node(t->pol, src->index >> folio_order(src));
		bool masked = t->pol->mode == MPOL_BIND ||
			      t->pol->mode == MPOL_PREFERRED_MANY;

		return alloc_hugetlb_folio_nodemask(folio_hstate(src), nid,
				masked ? &nodes : NULL, gfp, true);
	}

	if (folio_test_large(src))
		gfp = GFP_TRANSHUGE & ~__GFP_DIRECT_RECLAIM;
	/* Interleave by the folio's index, as its fault would have. */
	return alloc_folio_mpol(gfp, folio_order(src), t->pol,
				src->index >> folio_order(src), USER_ADDR_NONE);
}

/* ---- mbind(2) ---- */

static long do_mbind(struct mm_struct *mm, unsigned long start,
		     unsigned long len, const struct mempolicy *pol,
		     unsigned long flags)
{
	struct vm_area_struct *vma, *prev;
	unsigned long end = start + PAGE_ALIGN(len), addr;
	struct queue_pages qp = { .pol = pol, .flags = flags };
	struct mpol_target target = { .pol = pol, .mm = mm };
	LIST_HEAD(pagelist);
	long err = 0;
	int nr_failed;

	qp.pagelist = &pagelist;
	if (flags & (MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))
		lru_cache_disable();
	mmap_write_lock(mm);
	/* The whole range must be mapped. */
	for (addr = start; addr < end; addr = vma->vm_end) {
		vma = vma_lookup(mm, addr);
		if (!vma) {
			err = -EFAULT;
			goto out_unlock;
		}
	}
	if (flags & (MPOL_MF_MOVE | MPOL_MF_MOVE_ALL | MPOL_MF_STRICT))
		for (addr = start; addr < end; addr = vma->vm_end) {
			vma = vma_lookup(mm, addr);
			queue_pages_vma(vma, addr, min(end, vma->vm_end), &qp);
		}
	/* mbind_range(): split at the edges, set, merge where equal. */
	vma = vma_lookup(mm, start);
	prev = vma->vm_start < start ? vma : vma_prev(mm, vma);
	if (!prev)
		prev = vma;
	for (addr = start; addr < end; addr = vma->vm_end) {
		vma = vma_lookup(mm, addr);
		if (mpol_equal(&vma->vm_policy, pol)) {
			prev = vma;
			continue;
		}
		vma = vma_modify_policy(prev, vma, addr, min(end, vma->vm_end),
					pol);
		if (IS_ERR(vma)) {
			err = PTR_ERR(vma);
			mm->splits_kept = true;
			break;
		}
		vma->vm_policy = *pol;
		prev = vma;
	}
out_unlock:
	mmap_write_unlock(mm);
	if (!list_empty(&pagelist)) {
		nr_failed = migrate_pages(&pagelist,
					  alloc_migration_target_by_mpol, NULL,
					  (unsigned long)&target, MIGRATE_SYNC,
					  MR_MEMPOLICY_MBIND, NULL);
		if (nr_failed > 0)
			qp.nr_failed += nr_failed;
		else if (nr_failed < 0 && !err)
			err = nr_failed;
		if (!list_empty(&pagelist))
			putback_movable_pages(&pagelist);
	}
	if (flags & (MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))
		lru_cache_enable();
	if (!err && qp.nr_failed && (flags & MPOL_MF_STRICT))
		err = -EIO;
	return err;
}

int foliage_mbind(struct foliage_task *task, unsigned long addr,
		  unsigned long len, int mode, unsigned long nodemask,
		  unsigned int flags)
{
	struct mempolicy pol;
	int err;

	if (flags & ~(MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))
		return -EINVAL;
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	if (addr + PAGE_ALIGN(len) < addr)
		return -EINVAL;
	err = mpol_task_enter(task);
	if (err)
		return err;
	err = mpol_new(&pol, mode, nodemask);
	if (!err && len)
		err = do_mbind(task->task.mm, addr, len, &pol, flags);
	machine_exit_op(task->machine);
	return err;
}

/* ---- set_mempolicy(2) ---- */

int foliage_set_mempolicy(struct foliage_task *task, int mode,
			  unsigned long nodemask)
{
	struct mempolicy pol;
	int err;

	err = mpol_task_enter(task);
	if (err)
		return err;
	err = mpol_new(&pol, mode, nodemask);
	if (!err) {
		mmap_write_lock(task->task.mm);
		task->task.mm->mempolicy = pol;
		mmap_write_unlock(task->task.mm);
	}
	machine_exit_op(task->machine);
	return err;
}

/* ---- migrate_pages(2) ---- */

/*
 * Linux's node_remap(): the n-th node of @from goes to the (n mod
 * weight(@to))-th node of @to.
 */
static int node_remap(int nid, nodemask_t from, nodemask_t to)
{
	int n = 0, i;

	for_each_node_mask(i, from) {
		if (i == nid)
			break;
		n++;
	}
	return nth_node(n % nodes_weight(to), to);
}

struct remap_target {
	nodemask_t from;		/* old nodes */
	nodemask_t to;			/* new nodes */
};

static struct folio *alloc_remap_target(struct folio *src,
					unsigned long private)
{
	const struct remap_target *r = (const void *)private;
	struct migration_target_control mtc = {
		.nid = node_remap(folio_nid(src), r->from, r->to),
		.gfp_mask = GFP_HIGHUSER_MOVABLE | __GFP_THISNODE,
		.reason = MR_SYSCALL,
	};

	return alloc_migration_target(src, (unsigned long)&mtc);
}

/*
 * Every folio of @mm on a node of @from moves to its node_remap() in
 * @to (do_migrate_pages(), with MPOL_MF_MOVE_ALL as a privileged
 * caller).  Returns the number not migrated, or -errno.
 */
static int do_migrate_pages(struct mm_struct *mm, nodemask_t from,
			    nodemask_t to)
{
	struct remap_target r = { .from = from, .to = to };
	struct vm_area_struct *vma;
	LIST_HEAD(pagelist);
	long nr_failed = 0;
	int rc;

	lru_cache_disable();
	mmap_read_lock(mm);
	for_each_vma(mm, vma) {
		unsigned long addr, page_mask;

		for (addr = vma->vm_start; addr < vma->vm_end;
		     addr += PAGE_SIZE) {
			struct page *page;
			struct folio *folio;

			page = follow_page_mask(vma, addr, FOLL_GET,
						&page_mask);
			if (IS_ERR_OR_NULL(page))
				continue;
			folio = page_folio(page);
			if (!is_zero_pfn(page_to_pfn(page)) &&
			    folio != READ_ONCE(this_machine->huge_zero_folio) &&
			    node_isset(folio_nid(folio), from) &&
			    node_remap(folio_nid(folio), from, to) !=
			    folio_nid(folio) &&
			    !isolate_folio_to_list(folio, &pagelist))
				nr_failed++;
			addr = ALIGN_DOWN(addr, PAGE_SIZE << folio_order(folio)) +
			       folio_size(folio) - PAGE_SIZE;
			folio_put(folio);
		}
	}
	mmap_read_unlock(mm);
	if (list_empty(&pagelist)) {
		lru_cache_enable();
		return nr_failed;
	}
	rc = migrate_pages(&pagelist, alloc_remap_target, NULL,
			   (unsigned long)&r, MIGRATE_SYNC, MR_SYSCALL, NULL);
	if (!list_empty(&pagelist))
		putback_movable_pages(&pagelist);
	lru_cache_enable();
	return rc < 0 ? rc : rc + nr_failed;
}

int foliage_migrate_pages(struct foliage_task *task, unsigned long old_nodes,
			  unsigned long new_nodes)
{
	nodemask_t from = { .bits = old_nodes }, to = { .bits = new_nodes };
	int err;

	err = mpol_task_enter(task);
	if (err)
		return err;
	/* Nodes outside the allowed (memory) ones: -EINVAL, as Linux. */
	if ((from.bits | to.bits) & ~node_states_memory().bits)
		err = -EINVAL;
	else if (!nodes_empty(from) && !nodes_empty(to))
		err = do_migrate_pages(task->task.mm, from, to);
	machine_exit_op(task->machine);
	return err;
}
