/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Transparent huge pages: the sysfs policy of
 * /sys/kernel/mm/transparent_hugepage (global and per size), the per-size
 * ("mTHP") statistics, and the order masks the fault path works with.
 * Types only (struct foliage_machine embeds them): the functions are in
 * huge_mm.h (mm/huge_memory.c).
 *
 * Orders: anonymous memory may use orders 2..9 (16K..2M); order 9
 * (HPAGE_PMD_ORDER) is mapped by one PMD, smaller ones ("mTHP") by PTEs.
 *
 *   a size's effective policy = its own "enabled", or the top-level one
 *	when it says "inherit"
 *   huge_anon_orders_{always,madvise,inherit} are disjoint bit masks of
 *	orders; a size in none of them is "never"
 */
#ifndef _FOLIAGE_LINUX_HUGE_MM_TYPES_H
#define _FOLIAGE_LINUX_HUGE_MM_TYPES_H

#include <linux/compiler.h>

#define THP_PMD_ORDER		9
/* Orders anonymous THP may use: 2..PMD order. */
#define THP_ORDERS_ALL_ANON	((BIT(THP_PMD_ORDER + 1) - 1) & ~(BIT(0) | BIT(1)))
#define THP_ORDERS_ALL		THP_ORDERS_ALL_ANON

/* transparent_hugepage/enabled (and hugepages-NkB/enabled) */
enum thp_enabled {
	THP_ENABLED_ALWAYS,		/* every suitable VMA */
	THP_ENABLED_MADVISE,		/* VM_HUGEPAGE VMAs only */
	THP_ENABLED_NEVER,		/* off */
	THP_ENABLED_INHERIT,		/* per-size only: follow the top level */
};

/* transparent_hugepage/defrag: how hard a THP fault allocation tries */
enum thp_defrag {
	THP_DEFRAG_ALWAYS,		/* direct reclaim/compaction */
	THP_DEFRAG_DEFER,		/* wake kswapd/kcompactd, fail fast */
	THP_DEFRAG_DEFER_MADVISE,	/* direct for VM_HUGEPAGE, else defer */
	THP_DEFRAG_MADVISE,		/* direct for VM_HUGEPAGE, else none */
	THP_DEFRAG_NEVER,		/* no reclaim at all */
};

/* transparent_hugepage/shmem_enabled (kept for mm/shmem.c and sysfs) */
enum thp_shmem_enabled {
	SHMEM_HUGE_ALWAYS,
	SHMEM_HUGE_WITHIN_SIZE,
	SHMEM_HUGE_ADVISE,
	SHMEM_HUGE_NEVER,
	SHMEM_HUGE_DENY,
	SHMEM_HUGE_FORCE,
};

/* The per-size counters of hugepages-NkB/stats/, Linux 6.18's list. */
enum mthp_stat_item {
	MTHP_STAT_ANON_FAULT_ALLOC,
	MTHP_STAT_ANON_FAULT_FALLBACK,
	MTHP_STAT_ANON_FAULT_FALLBACK_CHARGE,
	MTHP_STAT_ZSWPOUT,
	MTHP_STAT_SWPIN,
	MTHP_STAT_SWPIN_FALLBACK,
	MTHP_STAT_SWPIN_FALLBACK_CHARGE,
	MTHP_STAT_SWPOUT,
	MTHP_STAT_SWPOUT_FALLBACK,
	MTHP_STAT_SHMEM_ALLOC,
	MTHP_STAT_SHMEM_FALLBACK,
	MTHP_STAT_SHMEM_FALLBACK_CHARGE,
	MTHP_STAT_SPLIT,
	MTHP_STAT_SPLIT_FAILED,
	MTHP_STAT_SPLIT_DEFERRED,
	MTHP_STAT_NR_ANON,
	MTHP_STAT_NR_ANON_PARTIALLY_MAPPED,
	__MTHP_STAT_COUNT
};

/* Who asks thp_vma_allowable_orders() (Linux's enum tva_type). */
enum tva_type {
	TVA_SMAPS,		/* THPeligible of /proc/PID/smaps */
	TVA_PAGEFAULT,		/* a page fault */
	TVA_KHUGEPAGED,		/* khugepaged (not modelled) */
	TVA_FORCED_COLLAPSE,	/* MADV_COLLAPSE (not modelled) */
};

/* The knobs of /sys/kernel/mm/transparent_hugepage, per machine. */
struct thp_settings {
	enum thp_enabled enabled;	/* top-level "enabled" */
	enum thp_defrag defrag;		/* "defrag" */
	enum thp_shmem_enabled shmem_enabled; /* "shmem_enabled" */
	bool use_zero_page;		/* "use_zero_page" */
	unsigned long huge_anon_orders_always; /* sizes set to "always" */
	unsigned long huge_anon_orders_madvise; /* sizes set to "madvise" */
	unsigned long huge_anon_orders_inherit; /* sizes set to "inherit" */
};

/* The highest order in a non-empty mask of orders. */
static inline unsigned int highest_order(unsigned long orders)
{
	return (unsigned int)(sizeof(long) * 8 - 1) - __builtin_clzl(orders);
}

/* Drop @prev from *@orders; the next highest, or 0 when none is left. */
static inline unsigned int next_order(unsigned long *orders,
				      unsigned int prev)
{
	*orders &= ~BIT(prev);
	return *orders ? highest_order(*orders) : 0;
}

#endif /* _FOLIAGE_LINUX_HUGE_MM_TYPES_H */
