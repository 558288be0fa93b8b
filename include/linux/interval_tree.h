/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An augmented red-black tree of closed intervals [start, last], for the
 * reverse map: an anon_vma's anon_vma_chains and a file's i_mmap VMAs, both
 * keyed by page offset (Linux's mm/interval_tree.c over lib/rbtree.c).
 *
 * The node is intrusive and caches its interval: the owner sets ->start and
 * ->last before interval_tree_insert() and must not change them while the
 * node is linked (remove, change, insert again — as Linux's VMA code does
 * around vma_adjust).  Caching the keys lets interval_tree_validate() catch
 * an owner that forgot to.
 *
 * Invariants (interval_tree_validate()):
 *   in-order traversal has non-decreasing ->start (equal starts: insertion
 *	order, as Linux's tree inserts equal keys to the right)
 *   n->subtree_last == max(n->last, left->subtree_last, right->subtree_last)
 *   red-black: the root is black, no red node has a red child, every path
 *	from a node to a leaf has the same number of black nodes
 *   root->nr_nodes == number of linked nodes
 *
 * A zero-filled root is an empty tree.  No locking: the owner's lock
 * (anon_vma->root->rwsem, mapping->i_mmap_rwsem) protects the tree.
 */
#ifndef _FOLIAGE_LINUX_INTERVAL_TREE_H
#define _FOLIAGE_LINUX_INTERVAL_TREE_H

#include <linux/compiler.h>

struct interval_tree_node {
	struct interval_tree_node *parent; /* NULL at the root */
	struct interval_tree_node *left; /* smaller starts */
	struct interval_tree_node *right; /* larger or equal starts */
	unsigned long start;		/* first key of the interval */
	unsigned long last;		/* last key, inclusive */
	unsigned long subtree_last;	/* max ->last in this subtree */
	bool red;			/* colour */
};

struct interval_tree_root {
	struct interval_tree_node *node; /* the root node, NULL if empty */
	unsigned long nr_nodes;		/* nodes linked */
};

static inline bool interval_tree_empty(const struct interval_tree_root *root)
{
	return !root->node;
}

/* Link @node (->start, ->last set by the caller) into @root. */
void interval_tree_insert(struct interval_tree_node *node,
			  struct interval_tree_root *root);
/* Unlink @node from @root. */
void interval_tree_remove(struct interval_tree_node *node,
			  struct interval_tree_root *root);

/*
 * The first node, in ->start order, whose interval overlaps [start, last],
 * and the next one after @node; NULL when there is none.
 */
struct interval_tree_node *
interval_tree_iter_first(const struct interval_tree_root *root,
			 unsigned long start, unsigned long last);
struct interval_tree_node *
interval_tree_iter_next(const struct interval_tree_node *node,
			unsigned long start, unsigned long last);

/* Check every invariant above: 0, or -EINVAL at the first broken one. */
int interval_tree_validate(const struct interval_tree_root *root);

/*
 * Walk the nodes of @root overlapping [start, last]; @pos is the containing
 * object, @member its struct interval_tree_node.
 */
#define interval_tree_for_each_entry(pos, root, member, start, last)	\
	for (struct interval_tree_node *__itn =				\
		interval_tree_iter_first(root, start, last);		\
	     __itn && ((pos) = container_of(__itn, typeof(*(pos)),	\
					    member), 1);		\
	     __itn = interval_tree_iter_next(__itn, start, last))

#endif /* _FOLIAGE_LINUX_INTERVAL_TREE_H */
