/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attribute ranges (lib/range_attr.c): a value per index of [0, size),
 * kept as the sorted list of maximal runs of equal value, as guest_memfd
 * keeps its per-file memory attributes (upstream: a maple tree whose
 * adjacent equal ranges merge).
 *
 *   r[0].start == 0, r[nr - 1].end == size, r[i].end == r[i + 1].start
 *   r[i].start < r[i].end
 *   r[i].attrs != r[i + 1].attrs	(equal neighbours are always merged)
 *
 * Lookups are a binary search; a change of [start, end) replaces the runs
 * it touches by at most three and so grows the list by at most two
 * entries: range_attr_prealloc() makes room for that first, so that
 * range_attr_set() itself cannot fail (a caller that must not fail half
 * way, like a conversion, preallocates before it changes anything).
 */
#ifndef _FOLIAGE_LINUX_RANGE_ATTR_H
#define _FOLIAGE_LINUX_RANGE_ATTR_H

#include <stdbool.h>
#include <stddef.h>

struct attr_range {
	unsigned long start;		/* first index */
	unsigned long end;		/* one past the last */
	unsigned long attrs;		/* the value of every index in it */
};

struct range_attr_map {
	struct attr_range *r;		/* the runs, ascending */
	unsigned int nr;		/* runs in r */
	unsigned int cap;		/* entries allocated in r */
	unsigned long size;		/* indexes covered: [0, size) */
};

/* One run [0, @size) of @attrs (@size > 0); 0 or -ENOMEM. */
int range_attr_init(struct range_attr_map *map, unsigned long size,
		    unsigned long attrs) __attribute__((warn_unused_result));
void range_attr_destroy(struct range_attr_map *map);
/* The value at @index (< size). */
unsigned long range_attr_get(const struct range_attr_map *map,
			     unsigned long index);
/* Whether every index of [start, end) has exactly @attrs. */
bool range_attr_all(const struct range_attr_map *map, unsigned long start,
		    unsigned long end, unsigned long attrs);
/* Room for one range_attr_set(): 0 or -ENOMEM, nothing changed. */
int range_attr_prealloc(struct range_attr_map *map)
	__attribute__((warn_unused_result));
/* Give [start, end) the value @attrs (after range_attr_prealloc()). */
void range_attr_set(struct range_attr_map *map, unsigned long start,
		    unsigned long end, unsigned long attrs);
/* Check the invariants above: 0, or -EUCLEAN. */
int range_attr_validate(const struct range_attr_map *map);

#endif /* _FOLIAGE_LINUX_RANGE_ATTR_H */
