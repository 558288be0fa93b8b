/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NUMA memory policy (mm/mempolicy.c): where a task's new pages go.
 *
 * A policy is a mode and a set of nodes (struct mempolicy, mm_types.h),
 * kept by value: a VMA's (mbind(2)) wins over its mm's (set_mempolicy(2),
 * the task's); MPOL_DEFAULT everywhere means the faulting CPU's node.
 *
 *   MPOL_DEFAULT	the local node (a VMA's: fall back to the task's)
 *   MPOL_PREFERRED	the one node, then any other
 *   MPOL_BIND		the nodes only (the local one if it is in, else the
 *			first), never another
 *   MPOL_LOCAL		the local node (MPOL_PREFERRED without nodes
 *			becomes it)
 *   MPOL_PREFERRED_MANY	the nodes (the local one if it is in, else the
 *			first), then any other
 *   MPOL_INTERLEAVE	page (folio) i of the mapping on node i mod n of the
 *			set, i = linear_page_index(vma, addr) >> order, so
 *			that neither an unaligned VMA start nor where in a
 *			large folio the fault was changes the node (seed
 *			000's patch 2)
 *   MPOL_WEIGHTED_INTERLEAVE	the same index i, but node k of the set
 *			takes weight(k) consecutive indices out of every
 *			sum(weights) (weighted_interleave_nid()); the
 *			weights are the machine's, 1..255, default 1
 *			(mempolicy.weighted_interleave.nodeN)
 *
 * Mode flags, OR-ed into the mode by the caller (MPOL_MODE_FLAGS; at most
 * one; neither with MPOL_LOCAL or an empty MPOL_PREFERRED), say how the
 * caller's node mask meets the allowed nodes (every node with memory,
 * foliage has no cpusets):
 *
 *   none			the mask, every node of it allowed (else -EINVAL)
 *   MPOL_F_STATIC_NODES	mask & allowed (not empty), the mask remembered
 *   MPOL_F_RELATIVE_NODES	node n of the mask is the (n mod weight(allowed))-th
 *				allowed node (nodes_fold() + nodes_onto())
 */
#ifndef _FOLIAGE_LINUX_MEMPOLICY_H
#define _FOLIAGE_LINUX_MEMPOLICY_H

#include <linux/mm.h>
#include <linux/nodemask.h>

enum {
	MPOL_DEFAULT,
	MPOL_PREFERRED,
	MPOL_BIND,
	MPOL_INTERLEAVE,
	MPOL_LOCAL,
	MPOL_PREFERRED_MANY,
	MPOL_WEIGHTED_INTERLEAVE,
	MPOL_MAX,			/* modes foliage models */
};

/* Mode flags: the public FOLIAGE_MPOL_F_*, Linux's values. */
#define MPOL_F_STATIC_NODES	(1 << 15)	/* the mask as given, & allowed */
#define MPOL_F_RELATIVE_NODES	(1 << 14)	/* the mask relative to allowed */
#define MPOL_MODE_FLAGS		(MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)

/* mbind() flags: the public FOLIAGE_MPOL_MF_*, Linux's values. */
#define MPOL_MF_STRICT		(1 << 0)	/* every page must conform */
#define MPOL_MF_MOVE		(1 << 1)	/* move this process's pages */
#define MPOL_MF_MOVE_ALL	(1 << 2)	/* and shared ones */

static const struct mempolicy default_mempolicy = { .mode = MPOL_DEFAULT };

/* As Linux's __mpol_equal(): a flagged policy's user mask counts too. */
static inline bool mpol_equal(const struct mempolicy *a,
			      const struct mempolicy *b)
{
	if ((a->flags & MPOL_MODE_FLAGS) &&
	    a->user_nodemask.bits != b->user_nodemask.bits)
		return false;
	return a->mode == b->mode && a->flags == b->flags &&
	       a->nodes.bits == b->nodes.bits;
}

/* The policy that applies at @vma (its own, else its mm's). */
const struct mempolicy *get_vma_policy(struct vm_area_struct *vma);

/*
 * A user folio of @order for @vma at @addr, placed by the policy there
 * (Linux's vma_alloc_folio()); @addr is also the zeroing hint.  NULL if
 * the policy's nodes have none.
 */
struct folio *vma_alloc_folio(gfp_t gfp, unsigned int order,
			      struct vm_area_struct *vma, unsigned long addr);

/*
 * Where a hugetlb folio of @order for @vma at @addr goes first (Linux's
 * huge_node()): the node the policy picks (interleave by the huge page's
 * index); MPOL_BIND and MPOL_PREFERRED_MANY also restrict the nodes to
 * *@mask (*@masked), and PREFERRED_MANY falls back to every node
 * (*@fallback) when those have none.
 */
int huge_node(struct vm_area_struct *vma, unsigned long addr,
	      unsigned int order, nodemask_t *mask, bool *masked,
	      bool *fallback);

/* Whether @folio sits where @pol (applied at @vma, @addr) wants it. */
bool mpol_folio_conforms(const struct mempolicy *pol, struct folio *folio);

#endif /* _FOLIAGE_LINUX_MEMPOLICY_H */
