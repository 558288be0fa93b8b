/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sets of NUMA nodes (Linux's nodemask_t): a bitmap of at most
 * MAX_NUMNODES nodes, one word since MAX_NUMNODES <= BITS_PER_LONG.
 */
#ifndef _FOLIAGE_LINUX_NODEMASK_H
#define _FOLIAGE_LINUX_NODEMASK_H

#include <linux/mmzone.h>

#define NUMA_NO_NODE	(-1)

typedef struct {
	unsigned long bits;		/* bit n: node n is in the set */
} nodemask_t;

BUILD_BUG_ON(MAX_NUMNODES > 8 * sizeof(unsigned long));

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
	return nid >= 0 && nid < MAX_NUMNODES && (m.bits >> nid) & 1;
}

static inline bool nodes_empty(nodemask_t m)
{
	return !m.bits;
}

static inline int nodes_weight(nodemask_t m)
{
	return __builtin_popcountl(m.bits);
}

/* The lowest node in @m, or MAX_NUMNODES if it is empty. */
static inline int first_node(nodemask_t m)
{
	return m.bits ? __builtin_ctzl(m.bits) : MAX_NUMNODES;
}

/* The lowest node of @m above @n, or MAX_NUMNODES. */
static inline int next_node(int n, nodemask_t m)
{
	unsigned long rest = n + 1 >= MAX_NUMNODES ? 0 :
			     m.bits & (~0UL << (n + 1));

	return rest ? __builtin_ctzl(rest) : MAX_NUMNODES;
}

#define for_each_node_mask(n, m) \
	for ((n) = first_node(m); (n) < MAX_NUMNODES; (n) = next_node(n, m))

#endif /* _FOLIAGE_LINUX_NODEMASK_H */
