/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The LRU lists (mm/swap.c).  foliage has no swap device: this is the
 * LRU half of Linux's swap.h.
 */
#ifndef _FOLIAGE_LINUX_SWAP_H
#define _FOLIAGE_LINUX_SWAP_H

#include <linux/mm.h>

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

#endif /* _FOLIAGE_LINUX_SWAP_H */
