/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The LRU lists (mm/swap.c).  foliage has no swap device: this is the
 * LRU half of Linux's swap.h.
 */
#ifndef _FOLIAGE_LINUX_SWAP_H
#define _FOLIAGE_LINUX_SWAP_H

#include <pthread.h>

#include <linux/mm.h>
#include <linux/workqueue.h>

/*
 * New folios go on their node's LRU lists at once (Linux batches them per
 * CPU first; foliage adds them as if drained): inactive anon for
 * swap-backed folios (anon and shmem), inactive file otherwise,
 * unevictable when mlocked.  folio_put() takes a folio off its list when
 * the last reference goes, as in Linux.
 */
void folio_add_lru(struct folio *folio);
void folio_add_lru_vma(struct folio *folio, struct vm_area_struct *vma);
/*
 * An access seen by software (GUP's FOLL_TOUCH, zap of a young PTE):
 * PG_referenced, then activation on the second call.
 */
void folio_mark_accessed(struct folio *folio);
/* MADV_FREE: no longer swap-backed, onto the inactive file list. */
void folio_mark_lazyfree(struct folio *folio);
/* Around the split of a large folio: see mm/swap.c. */
bool lru_split_begin(struct folio *folio);
void lru_split_end(struct folio *folio, unsigned long nr, bool on_lru);
/* Take a folio off the LRU (isolation for migration); false if not on. */
bool folio_isolate_lru(struct folio *folio);
void folio_putback_lru(struct folio *folio);
/* Set up the LRU lists of every node (at boot, from mm_init). */
void lru_init(void);
/* Lists agree with PG_lru and the LRU counters (debug validators). */
int validate_lru(void);

/*
 * Migration's lru_cache_disable() (move_pages, migrate_pages, mbind with
 * MPOL_MF_MOVE, alloc_contig_range): Linux drains every online CPU's LRU
 * batches by queueing a work item on each and waiting for all of them
 * (__lru_add_drain_all(true)), and keeps new folios out of the batches
 * until lru_cache_enable().  foliage's batches are always empty (folios
 * go on the lists at once), so the items have nothing to move, but they
 * are queued, run on each CPU's kworker and waited for as in Linux: the
 * per-call cost is the real one.  Sleeps: the caller holds no spinlock.
 */
void lru_cache_disable(void);
void lru_cache_enable(void);

/* The machine's drain state (machine->lru_drain). */
struct lru_drain {
	pthread_mutex_t lock;		/* one drain of all CPUs at a time */
	int disable_count;		/* lru_cache_disable() nesting (atomic) */
	struct work_struct work[NR_CPUS]; /* each CPU's drain item */
	unsigned long nr_drains;	/* drain items run, all CPUs (atomic) */
};

/* MemAvailable in pages (mm/show_mem.c), as Linux declares it here. */
long si_mem_available(void);

#endif /* _FOLIAGE_LINUX_SWAP_H */
