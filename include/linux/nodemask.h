/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sets of NUMA nodes (Linux's nodemask_t): a bitmap of at most
 * MAX_NUMNODES nodes, one word since MAX_NUMNODES <= BITS_PER_LONG.
 */
#ifndef _FOLIAGE_LINUX_NODEMASK_H
#define _FOLIAGE_LINUX_NODEMASK_H

#include <linux/compiler.h>

#define NUMA_NO_NODE	(-1)
/* Nodes a mask can hold (mmzone.h's MAX_NUMNODES must fit). */
#define NODEMASK_BITS	((int)(8 * sizeof(unsigned long)))

typedef struct {
	unsigned long bits;		/* bit n: node n is in the set */
} nodemask_t;

#define NODE_MASK_NONE	((nodemask_t){ .bits = 0 })

static inline void node_set(int nid, nodemask_t *m)
{
	m->bits |= 1UL << nid;
}

static inline void node_clear(int nid, nodemask_t *m)
{
	m->bits &= ~(1UL << nid);
}

static inline bool node_isset(int nid, nodemask_t m)
{
	return nid >= 0 && nid < NODEMASK_BITS && (m.bits >> nid) & 1;
}

static inline bool nodes_empty(nodemask_t m)
{
	return !m.bits;
}

static inline int nodes_weight(nodemask_t m)
{
	return __builtin_popcountl(m.bits);
}

/* The lowest node in @m, or NODEMASK_BITS if it is empty. */
static inline int first_node(nodemask_t m)
{
	return m.bits ? __builtin_ctzl(m.bits) : NODEMASK_BITS;
}

/* The lowest node of @m above @n, or NODEMASK_BITS. */
static inline int next_node(int n, nodemask_t m)
{
	unsigned long rest = n + 1 >= NODEMASK_BITS ? 0 :
			     m.bits & (~0UL << (n + 1));

	return rest ? __builtin_ctzl(rest) : NODEMASK_BITS;
}

/* The @n-th node of @m (0: the first); @m must hold more than @n. */
static inline int nth_node(int n, nodemask_t m)
{
	int nid = first_node(m);

	while (n-- > 0)
		nid = next_node(nid, m);
	return nid;
}

#define for_each_node_mask(n, m) \
	for ((n) = first_node(m); (n) < NODEMASK_BITS; (n) = next_node(n, m))

/* The node after @n in @m, wrapping to the first (next_node_in()). */
static inline int next_node_in(int n, nodemask_t m)
{
	int nid = next_node(n, m);

	return nid < NODEMASK_BITS ? nid : first_node(m);
}

/* Node n of @m becomes node n mod @sz (bitmap_fold()); @sz > 0. */
static inline nodemask_t nodes_fold(nodemask_t m, int sz)
{
	nodemask_t ret = NODE_MASK_NONE;
	int n;

	for_each_node_mask(n, m)
		node_set(n % sz, &ret);
	return ret;
}

/*
 * Node n of @m becomes the n-th node of @rel (bitmap_onto()); nodes of
 * @m past weight(@rel) go nowhere.
 */
static inline nodemask_t nodes_onto(nodemask_t m, nodemask_t rel)
{
	nodemask_t ret = NODE_MASK_NONE;
	int n;

	for_each_node_mask(n, m)
		if (n < nodes_weight(rel))
			node_set(nth_node(n, rel), &ret);
	return ret;
}

#endif /* _FOLIAGE_LINUX_NODEMASK_H */
