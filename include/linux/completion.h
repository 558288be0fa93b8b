/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Completions (Linux's include/linux/completion.h): a count of done events
 * a thread can sleep on.  complete() may be called from any thread, a
 * device's included (it takes only the completion's own mutex); the
 * waits sleep for real, giving the caller's CPU up meanwhile.
 *
 * wait_for_completion_timeout() measures its timeout on the machine's
 * clock (jiffies): on the real clock that is host time; on the virtual
 * clock the wait ends only once someone moves the clock past the deadline
 * (foliage_advance_time() from another thread), so a test of a timeout
 * takes no real time and is deterministic.
 */
#ifndef _FOLIAGE_LINUX_COMPLETION_H
#define _FOLIAGE_LINUX_COMPLETION_H

#include <pthread.h>

#include <linux/compiler.h>

struct completion {
	unsigned int done;		/* complete() calls not yet waited for */
	pthread_mutex_t lock;		/* protects done */
	pthread_cond_t wait;		/* waiters sleep here */
};

void init_completion(struct completion *x);
/* Free what init_completion() made; nobody waits or completes any more. */
void destroy_completion(struct completion *x);
/* Forget the events not waited for. */
void reinit_completion(struct completion *x);
/* One event: wakes one waiter (or the next to wait). */
void complete(struct completion *x);
/* Every waiter, now and later, returns at once. */
void complete_all(struct completion *x);
/* Sleep until an event, and consume it. */
void wait_for_completion(struct completion *x);
/*
 * Sleep until an event or until @timeout jiffies of the machine's clock
 * have passed: 0 on timeout, else the jiffies left (at least 1).
 */
unsigned long __must_check wait_for_completion_timeout(struct completion *x,
						       unsigned long timeout);
/* An event is there to consume (racy unless the caller knows better). */
bool completion_done(struct completion *x);

#endif /* _FOLIAGE_LINUX_COMPLETION_H */
