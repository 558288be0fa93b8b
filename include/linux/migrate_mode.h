/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why a folio migrates (Linux's include/linux/migrate_mode.h): the reason
 * travels with every migrate_pages() call, into its trace events and to
 * the copy-offload registry, whose migrator takes only the reasons in its
 * mask (include/linux/migrate_offload.h).  migrate_reason_names[] spells
 * each as the trace events print it (TRACE_MIGRATE_REASON in Linux's
 * include/trace/events/migrate.h).
 */
#ifndef _FOLIAGE_LINUX_MIGRATE_MODE_H
#define _FOLIAGE_LINUX_MIGRATE_MODE_H

enum migrate_reason {
	MR_COMPACTION,			/* compaction */
	MR_MEMORY_FAILURE,		/* memory_failure */
	MR_MEMORY_HOTPLUG,		/* memory_hotplug */
	MR_SYSCALL,			/* syscall_or_cpuset: move_pages, migrate_pages */
	MR_MEMPOLICY_MBIND,		/* mempolicy_mbind: mbind(MPOL_MF_MOVE) */
	MR_NUMA_MISPLACED,		/* numa_misplaced: NUMA balancing */
	MR_CONTIG_RANGE,		/* contig_range: alloc_contig_range() */
	MR_LONGTERM_PIN,		/* longterm_pin: FOLL_LONGTERM GUP */
	MR_DEMOTION,			/* demotion: to a slower tier */
	MR_DAMON,			/* damon: DAMOS_MIGRATE_* */
	MR_TYPES			/* number of reasons */
};

/* The trace spelling of each reason (mm/migrate.c). */
extern const char *const migrate_reason_names[MR_TYPES];

#endif /* _FOLIAGE_LINUX_MIGRATE_MODE_H */
