/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmstat counters: zone and node items are atomics; events are per CPU and
 * summed when read, as in Linux.
 */
#ifndef _FOLIAGE_LINUX_VMSTAT_H
#define _FOLIAGE_LINUX_VMSTAT_H

#include <linux/mm.h>

#define __VMSTAT_COUNT(e, s) + 1
#define NR_VMSTAT_WB_ITEMS	(0 FOLIAGE_WB_STAT_ITEMS(__VMSTAT_COUNT))
#define NR_VMSTAT_MEMMAP_ITEMS	(0 FOLIAGE_MEMMAP_STAT_ITEMS(__VMSTAT_COUNT))
#define NR_VMSTAT_TAIL_ITEMS	(0 FOLIAGE_TAIL_STAT_ITEMS(__VMSTAT_COUNT))
/* Lines of /proc/vmstat. */
#define NR_VMSTAT_ITEMS	(NR_VM_ZONE_STAT_ITEMS + NR_VM_NUMA_EVENT_ITEMS + \
			 NR_VM_NODE_STAT_ITEMS + NR_VMSTAT_WB_ITEMS + \
			 NR_VMSTAT_MEMMAP_ITEMS + NR_VM_EVENT_ITEMS + \
			 NR_VMSTAT_TAIL_ITEMS)

/* The names of the lines of /proc/vmstat, in order. */
extern const char *const vmstat_text[];
/* The value of line @idx of /proc/vmstat. */
unsigned long vmstat_value(unsigned int idx);

static inline void __count_vm_events(enum vm_event_item item, long delta)
{
	unsigned long *p = &this_cpu->vm_events[item];

	/* Only this CPU writes it; readers may sum concurrently. */
	__atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + delta,
			 __ATOMIC_RELAXED);
}

#define count_vm_event(item)		__count_vm_events(item, 1)
#define count_vm_events(item, d)	__count_vm_events(item, d)
#define __count_zid_vm_events(item, zid, delta) \
	__count_vm_events(item##_NORMAL + (zid == ZONE_MOVABLE ? \
		(item##_MOVABLE - item##_NORMAL) : 0), delta)

unsigned long sum_vm_event(enum vm_event_item item);

static inline void mod_zone_page_state(struct zone *zone,
				       enum zone_stat_item item, long delta)
{
	atomic_long_add(delta, &zone->vm_stat[item]);
}

static inline unsigned long zone_page_state(const struct zone *zone,
					    enum zone_stat_item item)
{
	long v = atomic_long_read(&zone->vm_stat[item]);

	return v < 0 ? 0 : v;
}

static inline void mod_node_page_state(pg_data_t *pgdat,
				       enum node_stat_item item, long delta)
{
	atomic_long_add(delta, &pgdat->vm_stat[item]);
}

static inline unsigned long node_page_state(const pg_data_t *pgdat,
					    enum node_stat_item item)
{
	long v = atomic_long_read(&pgdat->vm_stat[item]);

	return v < 0 ? 0 : v;
}

/* NUMA events are per CPU too, kept per zone as Linux keeps them. */
static inline void count_numa_events(struct zone *zone,
				     enum numa_stat_item item, long delta)
{
	unsigned long *p = &this_cpu->numa_events[zone->zid][item];

	__atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + delta,
			 __ATOMIC_RELAXED);
}

unsigned long global_zone_page_state(enum zone_stat_item item);
unsigned long global_node_page_state(enum node_stat_item item);
unsigned long global_numa_event_state(enum numa_stat_item item);

/*
 * Node items counted in pages but shown in THPs by /proc/vmstat and
 * /proc/zoneinfo (Linux's vmstat_item_print_in_thp()).
 */
static inline bool vmstat_item_print_in_thp(enum node_stat_item item)
{
	return item == NR_ANON_THPS || item == NR_FILE_THPS ||
	       item == NR_SHMEM_THPS || item == NR_SHMEM_PMDMAPPED ||
	       item == NR_FILE_PMDMAPPED;
}

#endif /* _FOLIAGE_LINUX_VMSTAT_H */
