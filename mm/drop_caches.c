// SPDX-License-Identifier: GPL-2.0
/*
 * vm.drop_caches (Linux's fs/drop_caches.c): 1 drops clean page cache
 * that nothing maps, 2 runs the shrinkers (drop_slab()), 3 both; 4 only
 * silences Linux's log line.  foliage's page cache is shmem, hugetlbfs and
 * guest_memfd memory, none of which drop_caches frees, so 1 only counts
 * drop_pagecache; foliage's one shrinker is THP's deferred split queue
 * (mm/huge_memory.c), which 2 runs over every node.
 */
#include <linux/huge_mm.h>
#include <linux/mm.h>
#include <linux/sysctl.h>
#include <linux/vmstat.h>
#include "internal.h"

int drop_caches_sysctl_handler(const struct ctl_table *t, void *data, long v)
{
	ctl_store(t, data, v);
	if (v & 1)
		count_vm_event(DROP_PAGECACHE);
	if (v & 2) {
		drop_slab();
		count_vm_event(DROP_SLAB);
	}
	return 0;
}
