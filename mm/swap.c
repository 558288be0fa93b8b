// SPDX-License-Identifier: GPL-2.0
/*
 * The LRU lists, as much of Linux's mm/swap.c (and mm_inline.h) as the
 * address-space layer needs: user folios go on their node's LRU when they
 * are first mapped or cached, move to the active list on a second access,
 * and come off when their last reference goes.
 *
 * Linux's classic (non-MGLRU) lists.  Linux first collects new folios in
 * per-CPU batches of 15 and moves them to the lists in bulk; foliage adds
 * them at once, i.e. as if every batch had just been drained, so that
 * meminfo's Active/Inactive lines never lag (see docs/fidelity.md).
 *
 *   PG_lru <=> the folio is on lruvec->lists[folio_lru_list(folio)]
 *	(the unevictable "list" is a count only: ->lru holds mlock_count)
 *   node NR_LRU_BASE + lru == base pages on that list (zone counters too)
 *   a folio on an LRU list holds no reference for being there (Linux's
 *	lists don't either; freeing takes it off)
 */
#include <string.h>

#include <linux/hugetlb.h>
#include <linux/huge_mm.h>
#include "internal.h"
#include <linux/mm.h>
#include <linux/rmap.h>
#include <linux/swap.h>
#include <linux/fs.h>
#include <linux/cpu.h>
#include <linux/lockdep.h>
#include <linux/machine_subsys.h>
#include <linux/workqueue.h>

static struct lruvec *folio_lruvec(const struct folio *folio)
{
	return &NODE_DATA(folio_nid(folio))->__lruvec;
}

static bool folio_is_file_lru(const struct folio *folio)
{
	return !folio_test_swapbacked(folio);
}

/* Not on an unevictable mapping (guest_memfd's), not mlocked. */
static bool folio_evictable(const struct folio *folio)
{
	const struct address_space *mapping = folio_mapping_file(folio);

	if (mapping && READ_ONCE(mapping->unevictable))
		return false;
	return !folio_test_mlocked(folio);
}

/* Which list a folio belongs on, from its flags (folio_lru_list()). */
static enum lru_list folio_lru_list(const struct folio *folio)
{
	enum lru_list lru;

	if (folio_test_unevictable(folio))
		return LRU_UNEVICTABLE;
	lru = folio_is_file_lru(folio) ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON;
	if (folio_test_active(folio))
		lru += LRU_ACTIVE;
	return lru;
}

static void update_lru_size(struct folio *folio, enum lru_list lru, long nr)
{
	mod_node_page_state(NODE_DATA(folio_nid(folio)), NR_LRU_BASE + lru, nr);
	mod_zone_page_state(folio_zone(folio), NR_ZONE_LRU_BASE + lru, nr);
}

/* Caller holds lruvec->lru_lock. */
static void lruvec_add_folio(struct lruvec *lruvec, struct folio *folio)
{
	enum lru_list lru = folio_lru_list(folio);

	lockdep_assert_held(&lruvec->lru_lock);

	update_lru_size(folio, lru, folio_nr_pages(folio));
	/* Unevictable folios are only counted: ->lru holds mlock_count. */
	if (lru != LRU_UNEVICTABLE)
		list_add(&folio->lru, &lruvec->lists[lru]);
}

static void lruvec_del_folio(struct lruvec *lruvec, struct folio *folio)
{
	enum lru_list lru = folio_lru_list(folio);

	lockdep_assert_held(&lruvec->lru_lock);

	if (lru != LRU_UNEVICTABLE)
		list_del(&folio->lru);
	update_lru_size(folio, lru, -(long)folio_nr_pages(folio));
}

void lru_init(void)
{
	int nid, lru;

	for (nid = 0; nid < this_machine->nr_nodes; nid++) {
		struct lruvec *lruvec = &NODE_DATA(nid)->__lruvec;

		for (lru = 0; lru < NR_LRU_LISTS; lru++)
			INIT_LIST_HEAD(&lruvec->lists[lru]);
		spin_lock_init(&lruvec->lru_lock);
		lockdep_set_class(&lruvec->lru_lock, LOCK_CLASS_LRU);
	}
}

/* lru_add(): an mlocked folio goes to the unevictable list. */
void folio_add_lru(struct folio *folio)
{
	struct lruvec *lruvec = folio_lruvec(folio);
	long nr_pages = folio_nr_pages(folio);
	bool was_unevictable;

	VM_WARN_ON(folio_test_lru(folio));
	spin_lock(&lruvec->lru_lock);
	was_unevictable = folio_test_clear_unevictable(folio);
	if (folio_evictable(folio)) {
		if (was_unevictable)
			count_vm_events(UNEVICTABLE_PGS_RESCUED, nr_pages);
	} else {
		folio_clear_active(folio);
		folio_set_unevictable(folio);
		folio->page.mlock_count = 0;
		if (!was_unevictable)
			count_vm_events(UNEVICTABLE_PGS_CULLED, nr_pages);
	}
	lruvec_add_folio(lruvec, folio);
	folio_set_lru(folio);
	spin_unlock(&lruvec->lru_lock);
}

void folio_add_lru_vma(struct folio *folio, struct vm_area_struct *vma)
{
	/* mlock_new_folio() for VM_LOCKED VMAs is the mlock issue's. */
	folio_add_lru(folio);
}

/* The folio is on the LRU and nobody may use it any more: take it off. */
static void __page_cache_release(struct folio *folio)
{
	struct lruvec *lruvec;

	if (!folio_test_lru(folio))
		return;
	lruvec = folio_lruvec(folio);
	spin_lock(&lruvec->lru_lock);
	lruvec_del_folio(lruvec, folio);
	/* __folio_clear_lru_flags() */
	folio_clear_lru(folio);
	if (!(folio_test_active(folio) && folio_test_unevictable(folio))) {
		folio_clear_active(folio);
		folio_clear_unevictable(folio);
	}
	spin_unlock(&lruvec->lru_lock);
}

/*
 * The last reference is gone: off the LRU, then back to the allocator
 * (which clears an anon folio's ->mapping, as Linux's free_pages_prepare()
 * does).  Called by folio_put() and friends in mm/page_alloc.c.
 */
void __folio_put(struct folio *folio, fpi_t fpi)
{
	if (unlikely(PageHugetlb(&folio->page))) {
		free_huge_folio(folio);
		return;
	}
	__page_cache_release(folio);
	folio_unqueue_deferred_split(folio);
	__free_frozen_pages(&folio->page, folio_order(folio), fpi);
}

/*
 * A large folio is being split (mm/huge_memory.c): lru_split_begin() takes
 * its lruvec's lock and the folio off its list, counted at its old size;
 * lru_split_end() puts its @nr pages, order-0 folios by now and each with
 * the head's flags, back in order where it was (Linux's
 * lru_add_split_folio()) and drops the lock.  @on_lru is what begin said.
 */
bool lru_split_begin(struct folio *folio)
{
	struct lruvec *lruvec = folio_lruvec(folio);
	bool on_lru;

	spin_lock(&lruvec->lru_lock);
	on_lru = folio_test_lru(folio);
	if (on_lru)
		lruvec_del_folio(lruvec, folio);
	return on_lru;
}

void lru_split_end(struct folio *folio, unsigned long nr, bool on_lru)
{
	struct lruvec *lruvec = folio_lruvec(folio);
	unsigned long i;

	/* Added at the list's head: the last page first keeps their order. */
	for (i = nr; on_lru && i-- > 0;)
		lruvec_add_folio(lruvec, page_folio(folio_page(folio, i)));
	spin_unlock(&lruvec->lru_lock);
}

/* lru_activate(): inactive -> active, counted in pgactivate. */
static void folio_activate(struct folio *folio)
{
	struct lruvec *lruvec = folio_lruvec(folio);

	spin_lock(&lruvec->lru_lock);
	if (folio_test_lru(folio) && !folio_test_active(folio) &&
	    !folio_test_unevictable(folio)) {
		lruvec_del_folio(lruvec, folio);
		folio_set_active(folio);
		lruvec_add_folio(lruvec, folio);
		count_vm_events(PGACTIVATE, folio_nr_pages(folio));
	}
	spin_unlock(&lruvec->lru_lock);
}

/*
 * MADV_FREE: a clean anon folio may be dropped by reclaim instead of being
 * swapped (Linux's folio_mark_lazyfree() and lru_lazyfree(), with the
 * per-CPU batch drained at once).  It stops being swap-backed, so it moves
 * to the inactive file list, unreferenced, and counts in pglazyfree.
 */
void folio_mark_lazyfree(struct folio *folio)
{
	struct lruvec *lruvec;
	bool on_lru;

	if (!folio_test_anon(folio) || !folio_test_swapbacked(folio) ||
	    folio_test_unevictable(folio))
		return;
	lruvec = folio_lruvec(folio);
	spin_lock(&lruvec->lru_lock);
	on_lru = folio_test_lru(folio);
	if (on_lru)
		lruvec_del_folio(lruvec, folio);
	folio_clear_active(folio);
	folio_clear_referenced(folio);
	folio_clear_swapbacked(folio);
	if (on_lru)
		lruvec_add_folio(lruvec, folio);
	spin_unlock(&lruvec->lru_lock);
	count_vm_events(PGLAZYFREE, folio_nr_pages(folio));
}

void folio_mark_accessed(struct folio *folio)
{
	if (!folio_test_referenced(folio)) {
		folio_set_referenced(folio);
	} else if (folio_test_unevictable(folio)) {
		/* Never rotated: marking it accessed has no effect. */
	} else if (!folio_test_active(folio)) {
		if (folio_test_lru(folio))
			folio_activate(folio);
		else
			folio_set_active(folio);
		folio_clear_referenced(folio);
	}
}

bool folio_isolate_lru(struct folio *folio)
{
	struct lruvec *lruvec = folio_lruvec(folio);
	bool ret = false;

	spin_lock(&lruvec->lru_lock);
	if (folio_test_lru(folio)) {
		folio_get(folio);
		lruvec_del_folio(lruvec, folio);
		folio_clear_lru(folio);
		ret = true;
	}
	spin_unlock(&lruvec->lru_lock);
	return ret;
}

void folio_putback_lru(struct folio *folio)
{
	folio_add_lru(folio);
	folio_put(folio);
}

/*
 * The LRU invariants, for the debug validators: every folio on a list has
 * PG_lru and belongs on that list and node, and the node and zone counters
 * equal the pages on the lists (the unevictable count is not checked: its
 * folios are on no list).  0, or -EUCLEAN after report_bug().
 */
int validate_lru(void)
{
	struct foliage_machine *m = this_machine;
	unsigned long zone_pages[MAX_NR_ZONES][NR_LRU_LISTS];
	int nid, lru, z, ret = 0;

	for (nid = 0; nid < m->nr_nodes; nid++) {
		pg_data_t *pgdat = NODE_DATA(nid);
		struct lruvec *lruvec = &pgdat->__lruvec;

		if (!READ_ONCE(lruvec->lists[0].next))
			continue;	/* not booted */
		memset(zone_pages, 0, sizeof(zone_pages));
		spin_lock(&lruvec->lru_lock);
		for (lru = 0; lru < LRU_UNEVICTABLE; lru++) {
			unsigned long nr = 0;
			struct folio *folio;

			list_for_each_entry(folio, &lruvec->lists[lru], lru) {
				if (!folio_test_lru(folio) ||
				    folio_lru_list(folio) != (enum lru_list)lru ||
				    folio_nid(folio) != nid) {
					report_bug("LRU: folio pfn %#lx on list %d of node %d",
						   folio_pfn(folio), lru, nid);
					ret = -EUCLEAN;
				}
				nr += folio_nr_pages(folio);
				zone_pages[zone_idx(folio_zone(folio))][lru] +=
					folio_nr_pages(folio);
			}
			if (nr != node_page_state(pgdat, NR_LRU_BASE + lru)) {
				report_bug("LRU: node %d list %d holds %lu pages, counter %lu",
					   nid, lru, nr,
					   node_page_state(pgdat, NR_LRU_BASE + lru));
				ret = -EUCLEAN;
			}
			for (z = 0; z < MAX_NR_ZONES; z++) {
				struct zone *zone = &pgdat->node_zones[z];

				if (zone_pages[z][lru] !=
				    zone_page_state(zone, NR_ZONE_LRU_BASE + lru)) {
					report_bug("LRU: zone %s of node %d list %d: %lu pages, counter %lu",
						   zone->name, nid, lru,
						   zone_pages[z][lru],
						   zone_page_state(zone,
							NR_ZONE_LRU_BASE + lru));
					ret = -EUCLEAN;
				}
			}
		}
		spin_unlock(&lruvec->lru_lock);
	}
	return ret;
}

/* ---- lru_cache_disable(): draining every CPU ------------------------- */

/*
 * One CPU's drain (lru_add_drain_per_cpu()): its batches are empty in
 * foliage, so there is nothing to move; the item's run is counted.
 */
static void lru_add_drain_per_cpu(struct work_struct *work)
{
	(void)work;
	__atomic_fetch_add(&this_machine->lru_drain->nr_drains, 1,
			   __ATOMIC_RELAXED);
}

/*
 * __lru_add_drain_all(true): a drain item queued on every online CPU,
 * then each waited for, one such drain at a time.  A caller waiting for
 * the lock gives its CPU up, as a sleeping mutex does: the holder's items
 * may need that CPU.
 */
static void lru_add_drain_all_cpus(void)
{
	struct foliage_machine *m = this_machine;
	struct lru_drain *ld = m->lru_drain;
	int cpu;

	if (pthread_mutex_trylock(&ld->lock)) {
		cpu_sleep_begin();
		pthread_mutex_lock(&ld->lock);
		cpu_sleep_end();
	}
	for (cpu = 0; cpu < (int)m->nr_cpus; cpu++)
		queue_work_on(cpu, system_wq, &ld->work[cpu]);
	for (cpu = 0; cpu < (int)m->nr_cpus; cpu++)
		flush_work(&ld->work[cpu]);
	pthread_mutex_unlock(&ld->lock);
}

void lru_cache_disable(void)
{
	might_sleep();
	__atomic_fetch_add(&this_machine->lru_drain->disable_count, 1,
			   __ATOMIC_RELAXED);
	lru_add_drain_all_cpus();
}

void lru_cache_enable(void)
{
	__atomic_fetch_sub(&this_machine->lru_drain->disable_count, 1,
			   __ATOMIC_RELAXED);
}

static int lru_drain_init(struct foliage_machine *m)
{
	struct lru_drain *ld = m->lru_drain;
	int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		INIT_WORK(&ld->work[cpu], lru_add_drain_per_cpu);
	return -pthread_mutex_init(&ld->lock, NULL);
}

static void lru_drain_exit(struct foliage_machine *m)
{
	/* A machine whose creation failed before the subsystems' init. */
	if (!m->lru_drain)
		return;
	pthread_mutex_destroy(&m->lru_drain->lock);
}

const struct machine_subsys lru_drain_subsys = {
	.name = "lru_drain",
	.init = lru_drain_init,
	.exit = lru_drain_exit,
	MACHINE_SUBSYS_STATE(lru_drain),
};
