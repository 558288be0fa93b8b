// SPDX-License-Identifier: GPL-2.0
/*
 * Completions: a counter under a mutex and a condition variable.  See
 * include/linux/completion.h.
 */
#include <limits.h>
#include <time.h>

#include "internal.h"
#include <linux/completion.h>

/* complete_all(): done saturates here, waits never consume it. */
#define COMPLETION_ALL	UINT_MAX

void init_completion(struct completion *x)
{
	x->done = 0;
	pthread_mutex_init(&x->lock, NULL);
	pthread_cond_init(&x->wait, NULL);
}

void destroy_completion(struct completion *x)
{
	pthread_cond_destroy(&x->wait);
	pthread_mutex_destroy(&x->lock);
}

void reinit_completion(struct completion *x)
{
	pthread_mutex_lock(&x->lock);
	x->done = 0;
	pthread_mutex_unlock(&x->lock);
}

void complete(struct completion *x)
{
	pthread_mutex_lock(&x->lock);
	if (x->done != COMPLETION_ALL)
		x->done++;
	pthread_cond_broadcast(&x->wait);
	pthread_mutex_unlock(&x->lock);
}

void complete_all(struct completion *x)
{
	pthread_mutex_lock(&x->lock);
	x->done = COMPLETION_ALL;
	pthread_cond_broadcast(&x->wait);
	pthread_mutex_unlock(&x->lock);
}

/* Consume one event.  Caller holds x->lock and has seen x->done != 0. */
static void completion_consume(struct completion *x)
{
	if (x->done != COMPLETION_ALL)
		x->done--;
}

void wait_for_completion(struct completion *x)
{
	cpu_sleep_begin();
	pthread_mutex_lock(&x->lock);
	while (!x->done)
		pthread_cond_wait(&x->wait, &x->lock);
	completion_consume(x);
	pthread_mutex_unlock(&x->lock);
	cpu_sleep_end();
}

/*
 * How long to block on the host before looking at the machine's clock
 * again: until the deadline on the real clock; a millisecond on the
 * virtual one, which only another thread moves.
 */
static u64 completion_slice_ns(struct foliage_machine *m, u64 left_ns)
{
	if (m->config.real_time)
		return left_ns;
	return left_ns < NSEC_PER_MSEC ? left_ns : NSEC_PER_MSEC;
}

unsigned long wait_for_completion_timeout(struct completion *x,
					  unsigned long timeout)
{
	struct foliage_machine *m = this_machine;
	u64 deadline = machine_clock_ns(m) + jiffies_to_nsecs(timeout);
	unsigned long left = 0;
	u64 now;

	cpu_sleep_begin();
	pthread_mutex_lock(&x->lock);
	for (;;) {
		struct timespec ts;
		u64 until;

		now = machine_clock_ns(m);
		if (x->done) {
			completion_consume(x);
			left = now < deadline ?
			       nsecs_to_jiffies(deadline - now) : 0;
			left = left ?: 1;
			break;
		}
		if (now >= deadline)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		until = (u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec +
			completion_slice_ns(m, deadline - now);
		ts.tv_sec = until / NSEC_PER_SEC;
		ts.tv_nsec = until % NSEC_PER_SEC;
		pthread_cond_timedwait(&x->wait, &x->lock, &ts);
	}
	pthread_mutex_unlock(&x->lock);
	cpu_sleep_end();
	return left;
}

bool completion_done(struct completion *x)
{
	bool done;

	pthread_mutex_lock(&x->lock);
	done = x->done;
	pthread_mutex_unlock(&x->lock);
	return done;
}
