// SPDX-License-Identifier: GPL-2.0
/*
 * Folio waits (Linux's mm/filemap.c): the folio lock's slow paths and
 * waiting for a folio to be unlocked.
 *
 * The folio lock is PG_locked.  Taking it uncontended is one atomic
 * test-and-set; dropping it is one atomic and-not that also reports
 * PG_waiters (folio_unlock() in mm.h).  A thread that finds the folio
 * locked sleeps on one of the machine's FOLIO_WAIT_TABLE_SIZE wait queues,
 * chosen by hashing the folio's address (Linux's folio_waitqueue()), after
 * setting PG_waiters under that queue's lock; the unlocker, seeing
 * PG_waiters, wakes the folio's sleepers and clears PG_waiters when no
 * other sleeper of that folio stays queued.  A woken sleeper that loses the
 * race for the lock queues itself again and sets PG_waiters again.
 *
 * Lock ordering: the folio lock is taken under mmap_lock and before
 * i_mmap_rwsem, the anon_vma lock and the PTL (see lockdep.h); it is a
 * sleeping lock, so nobody takes it holding a spinlock.
 */
#include <linux/wait.h>

#include "internal.h"
#include <linux/rmap.h>

static inline unsigned int folio_wait_hash(const struct folio *folio)
{
	u64 h = (u64)(uintptr_t)folio * 0x9e3779b97f4a7c15ULL;

	return h >> (64 - FOLIO_WAIT_TABLE_BITS);
}

static wait_queue_head_t *folio_waitqueue(struct folio *folio)
{
	return &this_machine->folio_wait_table[folio_wait_hash(folio)];
}

void folio_wait_table_init(struct foliage_machine *m)
{
	int i;

	for (i = 0; i < FOLIO_WAIT_TABLE_SIZE; i++)
		init_waitqueue_head(&m->folio_wait_table[i]);
}

void folio_wait_table_destroy(struct foliage_machine *m)
{
	int i;

	for (i = 0; i < FOLIO_WAIT_TABLE_SIZE; i++)
		destroy_waitqueue_head(&m->folio_wait_table[i]);
}

/*
 * Sleep until a waker takes @wait off @q, giving the CPU up meanwhile.
 * Caller holds q->lock, dropped while asleep and held again on return.
 */
static void folio_sleep(wait_queue_head_t *q, wait_queue_entry_t *wait)
{
	/* Queued: a wakeup now marks the entry, so q->lock may go. */
	pthread_mutex_unlock(&q->lock);
	cpu_sleep_begin();
	pthread_mutex_lock(&q->lock);
	__wait_woken(q, wait);
	pthread_mutex_unlock(&q->lock);
	cpu_sleep_end();
	pthread_mutex_lock(&q->lock);
}

/*
 * Sleep until @bit_nr of @folio is clear; with @lock, take it (set it)
 * as it clears, as folio_lock() does.  Returns with the bit taken
 * (@lock) or seen clear.
 */
static void folio_wait_bit_common(struct folio *folio, int bit_nr, bool lock)
{
	wait_queue_head_t *q = folio_waitqueue(folio);
	wait_queue_entry_t wait;

	init_wait_entry(&wait, folio, bit_nr);
	pthread_mutex_lock(&q->lock);
	for (;;) {
		__add_wait_queue_entry_tail(q, &wait);
		/* Set under q->lock: an unlocker now has to take it to wake. */
		folio_set_waiters(folio);
		if (lock ? !folio_test_set_locked(folio) :
			   !test_bit(bit_nr, &folio->flags)) {
			__finish_wait(q, &wait);
			break;
		}
		folio_sleep(q, &wait);
		/*
		 * Woken: the bit was clear.  A waiter for the lock races
		 * for it again; a waiter for the bit is done (someone may
		 * have set it again since, as Linux's shared waits allow).
		 */
		if (!lock)
			break;
	}
	pthread_mutex_unlock(&q->lock);
}

void __folio_lock(struct folio *folio)
{
	folio_wait_bit_common(folio, PG_locked, true);
}

void folio_wait_bit(struct folio *folio, int bit_nr)
{
	folio_wait_bit_common(folio, bit_nr, false);
}

void folio_wake_bit(struct folio *folio, int bit_nr)
{
	wait_queue_head_t *q = folio_waitqueue(folio);

	pthread_mutex_lock(&q->lock);
	/* Sleepers of this folio on other bits keep PG_waiters set. */
	if (!__wake_up_key(q, folio, bit_nr))
		folio_clear_waiters(folio);
	pthread_mutex_unlock(&q->lock);
}

/*
 * Sleep until the folio of migration entry @entry is unlocked; the caller
 * holds @ptl, the lock of the table that has the entry, which keeps the
 * folio from being freed until this thread is queued (the migration holds
 * a reference while any entry exists).  Returns once the folio was seen
 * unlocked: the caller's fault retries.
 */
void migration_entry_wait_on_locked(swp_entry_t entry, spinlock_t *ptl)
{
	struct folio *folio = page_folio(pfn_to_page(swp_offset_pfn(entry)));
	wait_queue_head_t *q = folio_waitqueue(folio);
	wait_queue_entry_t wait;

	init_wait_entry(&wait, folio, PG_locked);
	pthread_mutex_lock(&q->lock);
	__add_wait_queue_entry_tail(q, &wait);
	folio_set_waiters(folio);
	spin_unlock(ptl);
	if (!folio_test_locked(folio)) {
		__finish_wait(q, &wait);
		pthread_mutex_unlock(&q->lock);
		return;
	}
	folio_sleep(q, &wait);
	pthread_mutex_unlock(&q->lock);
}
