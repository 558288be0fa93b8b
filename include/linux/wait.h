/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wait queues: where a thread sleeps until another one changes something
 * and wakes it.  As in Linux, a wait_queue_head_t has a lock and a list of
 * wait_queue_entry_t, one per sleeper, each with a key telling what it
 * waits for (a folio and a bit, for the folio waits of mm/filemap.c); a
 * waker walks the list and wakes the entries its key matches.
 *
 * Sleeping is real: a sleeper blocks on the head's pthread condition
 * variable, never spins.  Before it blocks it gives its CPU up
 * (cpu_sleep_begin()) and takes one again after waking (cpu_sleep_end()),
 * outside the head's lock, so that whatever runs on that CPU meanwhile may
 * wake it.  No spinlock may be held across a sleep.
 *
 * The protocol is the kernel's: a sleeper adds its entry under the head's
 * lock, then tests its condition, and blocks only while the condition is
 * false and nobody has woken the entry; a waker makes the condition true
 * first, then wakes under the head's lock.  So no wakeup is lost.
 */
#ifndef _FOLIAGE_LINUX_WAIT_H
#define _FOLIAGE_LINUX_WAIT_H

#include <pthread.h>
#include <stdbool.h>

#include <linux/cpu.h>
#include <linux/list.h>

typedef struct wait_queue_entry {
	struct list_head entry;		/* on wait_queue_head.head */
	const void *key;		/* what it waits for (a folio) */
	int bit_nr;			/* which of its bits */
	bool woken;			/* a waker took it off the list */
} wait_queue_entry_t;

typedef struct wait_queue_head {
	pthread_mutex_t lock;		/* protects head and every entry */
	pthread_cond_t cond;		/* sleepers block here */
	struct list_head head;		/* entries of the sleepers */
} wait_queue_head_t;

static inline void init_waitqueue_head(wait_queue_head_t *wq)
{
	pthread_mutex_init(&wq->lock, NULL);
	pthread_cond_init(&wq->cond, NULL);
	INIT_LIST_HEAD(&wq->head);
}

static inline void destroy_waitqueue_head(wait_queue_head_t *wq)
{
	pthread_cond_destroy(&wq->cond);
	pthread_mutex_destroy(&wq->lock);
}

static inline void init_wait_entry(wait_queue_entry_t *wait, const void *key,
				   int bit_nr)
{
	INIT_LIST_HEAD(&wait->entry);
	wait->key = key;
	wait->bit_nr = bit_nr;
	wait->woken = false;
}

/* Queue @wait (not queued) on @wq.  Caller holds wq->lock. */
static inline void __add_wait_queue_entry_tail(wait_queue_head_t *wq,
					       wait_queue_entry_t *wait)
{
	wait->woken = false;
	list_add_tail(&wait->entry, &wq->head);
}

/* Take @wait off @wq if a waker has not.  Caller holds wq->lock. */
static inline void __finish_wait(wait_queue_head_t *wq,
				 wait_queue_entry_t *wait)
{
	if (!wait->woken)
		list_del_init(&wait->entry);
}

/*
 * Sleep until a waker takes @wait off @wq.  Caller holds wq->lock, which
 * is dropped while asleep and held again on return; @wait is queued.
 */
static inline void __wait_woken(wait_queue_head_t *wq,
				wait_queue_entry_t *wait)
{
	while (!wait->woken)
		pthread_cond_wait(&wq->cond, &wq->lock);
}

/*
 * Wake every entry of @wq whose key is @key and bit @bit_nr, taking them
 * off the list; returns whether entries of @key stay queued for other
 * bits.  Caller holds wq->lock.
 */
static inline bool __wake_up_key(wait_queue_head_t *wq, const void *key,
				 int bit_nr)
{
	wait_queue_entry_t *wait, *next;
	bool woke = false, others = false;

	list_for_each_entry_safe(wait, next, &wq->head, entry) {
		if (wait->key != key)
			continue;
		if (wait->bit_nr != bit_nr) {
			others = true;
			continue;
		}
		list_del_init(&wait->entry);
		wait->woken = true;
		woke = true;
	}
	if (woke)
		pthread_cond_broadcast(&wq->cond);
	return others;
}

#endif /* _FOLIAGE_LINUX_WAIT_H */
