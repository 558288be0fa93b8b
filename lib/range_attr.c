// SPDX-License-Identifier: GPL-2.0
/*
 * Attribute ranges: maximal runs of equal value over [0, size) in a sorted
 * array (include/linux/range_attr.h).
 *
 *   before:  |--A--|-----B-----|--A--|      set [s, e) to A:
 *   after:   |--A--|B|----A----------|      B's run is cut, A's merge
 *                    s          e
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/range_attr.h>

int range_attr_init(struct range_attr_map *map, unsigned long size,
		    unsigned long attrs)
{
	memset(map, 0, sizeof(*map));
	if (!size)
		return -EINVAL;
	map->r = malloc(4 * sizeof(*map->r));
	if (!map->r)
		return -ENOMEM;
	map->cap = 4;
	map->nr = 1;
	map->size = size;
	map->r[0] = (struct attr_range){ 0, size, attrs };
	return 0;
}

void range_attr_destroy(struct range_attr_map *map)
{
	free(map->r);
	memset(map, 0, sizeof(*map));
}

/* The run that holds @index (< size). */
static unsigned int range_attr_find(const struct range_attr_map *map,
				    unsigned long index)
{
	unsigned int lo = 0, hi = map->nr - 1;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo + 1) / 2;

		if (map->r[mid].start <= index)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

unsigned long range_attr_get(const struct range_attr_map *map,
			     unsigned long index)
{
	return map->r[range_attr_find(map, index)].attrs;
}

bool range_attr_all(const struct range_attr_map *map, unsigned long start,
		    unsigned long end, unsigned long attrs)
{
	unsigned int i;

	if (start >= end)
		return true;
	for (i = range_attr_find(map, start);
	     i < map->nr && map->r[i].start < end; i++)
		if (map->r[i].attrs != attrs)
			return false;
	return true;
}

int range_attr_prealloc(struct range_attr_map *map)
{
	struct attr_range *r;
	unsigned int cap;

	if (map->nr + 2 <= map->cap)
		return 0;
	cap = map->cap * 2;
	r = realloc(map->r, cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	map->r = r;
	map->cap = cap;
	return 0;
}

void range_attr_set(struct range_attr_map *map, unsigned long start,
		    unsigned long end, unsigned long attrs)
{
	struct attr_range piece[3];
	unsigned int i, j, n = 0, first, last, k;

	if (start >= end)
		return;
	i = range_attr_find(map, start);
	j = range_attr_find(map, end - 1);
	/* What [r[i].start, r[j].end) becomes. */
	if (map->r[i].start < start)
		piece[n++] = (struct attr_range){ map->r[i].start, start,
						  map->r[i].attrs };
	piece[n++] = (struct attr_range){ start, end, attrs };
	if (end < map->r[j].end)
		piece[n++] = (struct attr_range){ end, map->r[j].end,
						  map->r[j].attrs };
	/* Merge equal pieces, then the neighbours outside [i, j]. */
	for (k = 1; k < n; ) {
		if (piece[k - 1].attrs == piece[k].attrs) {
			piece[k - 1].end = piece[k].end;
			memmove(&piece[k], &piece[k + 1],
				(n - k - 1) * sizeof(piece[0]));
			n--;
		} else {
			k++;
		}
	}
	first = i;
	last = j;
	if (first > 0 && map->r[first - 1].attrs == piece[0].attrs) {
		first--;
		piece[0].start = map->r[first].start;
	}
	if (last + 1 < map->nr && map->r[last + 1].attrs == piece[n - 1].attrs) {
		last++;
		piece[n - 1].end = map->r[last].end;
	}
	/* Replace runs [first, last] by the n pieces. */
	memmove(&map->r[first + n], &map->r[last + 1],
		(map->nr - last - 1) * sizeof(map->r[0]));
	memcpy(&map->r[first], piece, n * sizeof(piece[0]));
	map->nr = map->nr - (last - first + 1) + n;
}

int range_attr_validate(const struct range_attr_map *map)
{
	unsigned int i;

	if (!map->nr || map->nr > map->cap || map->r[0].start != 0 ||
	    map->r[map->nr - 1].end != map->size)
		return -EUCLEAN;
	for (i = 0; i < map->nr; i++) {
		if (map->r[i].start >= map->r[i].end)
			return -EUCLEAN;
		if (i + 1 < map->nr &&
		    (map->r[i].end != map->r[i + 1].start ||
		     map->r[i].attrs == map->r[i + 1].attrs))
			return -EUCLEAN;
	}
	return 0;
}
