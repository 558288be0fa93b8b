// SPDX-License-Identifier: GPL-2.0
/*
 * vmstat counters: names, sums over CPUs, zones and nodes, and lookup by
 * name.  The text renderers of /proc/vmstat and friends are in
 * mm/vmstat_show.c.
 */
#include <string.h>

#include "internal.h"

#define __VMSTAT_NAME(e, s) s,
const char *const vmstat_text[] = {
	FOLIAGE_ZONE_STAT_ITEMS(__VMSTAT_NAME)
	FOLIAGE_NUMA_STAT_ITEMS(__VMSTAT_NAME)
	FOLIAGE_NODE_STAT_ITEMS(__VMSTAT_NAME)
	FOLIAGE_WB_STAT_ITEMS(__VMSTAT_NAME)
	FOLIAGE_MEMMAP_STAT_ITEMS(__VMSTAT_NAME)
	FOLIAGE_VM_EVENT_ITEMS(__VMSTAT_NAME)
	FOLIAGE_TAIL_STAT_ITEMS(__VMSTAT_NAME)
};
#undef __VMSTAT_NAME

unsigned long sum_vm_event(enum vm_event_item item)
{
	struct foliage_machine *m = this_machine;
	unsigned long sum = 0;
	int cpu;

	for (cpu = 0; cpu < m->nr_cpus; cpu++)
		sum += __atomic_load_n(&m->cpus[cpu].vm_events[item],
				       __ATOMIC_RELAXED);
	return sum;
}

unsigned long zone_numa_event_state(const struct zone *zone,
				    enum numa_stat_item item)
{
	struct foliage_machine *m = this_machine;
	int zid = zone_to_nid(zone) * MAX_NR_ZONES + zone_idx(zone);
	unsigned long sum = 0;
	int cpu;

	for (cpu = 0; cpu < m->nr_cpus; cpu++)
		sum += __atomic_load_n(&m->cpus[cpu].numa_events[zid][item],
				       __ATOMIC_RELAXED);
	return sum;
}

#define for_each_zone_in(m, zone)					\
	for (int __nid = 0; __nid < (m)->nr_nodes; __nid++)		\
		for (int __z = 0; __z < MAX_NR_ZONES &&			\
		     ((zone) = &(m)->node_data[__nid]->node_zones[__z]); __z++)

unsigned long global_zone_page_state(enum zone_stat_item item)
{
	struct foliage_machine *m = this_machine;
	struct zone *zone;
	unsigned long sum = 0;

	for_each_zone_in(m, zone)
		sum += zone_page_state(zone, item);
	return sum;
}

unsigned long global_numa_event_state(enum numa_stat_item item)
{
	struct foliage_machine *m = this_machine;
	struct zone *zone;
	unsigned long sum = 0;

	for_each_zone_in(m, zone)
		sum += zone_numa_event_state(zone, item);
	return sum;
}

unsigned long global_node_page_state(enum node_stat_item item)
{
	struct foliage_machine *m = this_machine;
	unsigned long sum = 0;
	int nid;

	for (nid = 0; nid < m->nr_nodes; nid++)
		sum += node_page_state(m->node_data[nid], item);
	return sum;
}

/*
 * The value /proc/vmstat shows for its @idx-th line.  Lines foliage does
 * not model (dirty thresholds, memmap pages) read 0.
 */
unsigned long vmstat_value(unsigned int idx)
{
	if (idx < NR_VM_ZONE_STAT_ITEMS)
		return global_zone_page_state(idx);
	idx -= NR_VM_ZONE_STAT_ITEMS;
	if (idx < NR_VM_NUMA_EVENT_ITEMS)
		return global_numa_event_state(idx);
	idx -= NR_VM_NUMA_EVENT_ITEMS;
	if (idx < NR_VM_NODE_STAT_ITEMS) {
		unsigned long v = global_node_page_state(idx);

		/* THP counters are kept in pages, shown in THPs. */
		return vmstat_item_print_in_thp(idx) ? v / HPAGE_PMD_NR : v;
	}
	idx -= NR_VM_NODE_STAT_ITEMS;
	if (idx < NR_VMSTAT_WB_ITEMS + NR_VMSTAT_MEMMAP_ITEMS)
		return 0;
	idx -= NR_VMSTAT_WB_ITEMS + NR_VMSTAT_MEMMAP_ITEMS;
	if (idx < NR_VM_EVENT_ITEMS)
		return sum_vm_event(idx);
	return 0;
}

int foliage_vmstat(struct foliage_machine *m, const char *name,
		   unsigned long *value)
{
	unsigned int i;
	int ret = machine_enter(m);

	if (ret)
		return ret;
	ret = -ENOENT;
	for (i = 0; i < NR_VMSTAT_ITEMS; i++) {
		if (!strcmp(vmstat_text[i], name)) {
			*value = vmstat_value(i);
			ret = 0;
			break;
		}
	}
	machine_leave(m);
	return ret;
}
