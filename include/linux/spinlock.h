/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spinlock_t: a test-and-test-and-set lock on one byte.  The kernel's locks are
 * real locks in foliage (zone->lock, pcp->lock, ...), so that several threads
 * ("CPUs") can run the mm concurrently and TSan can check it.
 */
#ifndef _FOLIAGE_LINUX_SPINLOCK_H
#define _FOLIAGE_LINUX_SPINLOCK_H

#include <linux/atomic.h>

typedef struct {
	unsigned char locked;		/* 1 while held */
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED	{ 0 }

static inline void spin_lock_init(spinlock_t *lock)
{
	lock->locked = 0;
}

/* On a one-CPU machine the lock is a flag, as UP kernels make it. */
static inline bool spin_trylock(spinlock_t *lock)
{
	if (machine_up) {
		if (lock->locked)
			return false;
		__atomic_store_n(&lock->locked, 1, __ATOMIC_RELAXED);
		return true;
	}
	return !__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_lock(spinlock_t *lock)
{
	if (machine_up) {
		__atomic_store_n(&lock->locked, 1, __ATOMIC_RELAXED);
		return;
	}
	while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
	}
}

static inline void spin_unlock(spinlock_t *lock)
{
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(spinlock_t *lock)
{
	return __atomic_load_n(&lock->locked, __ATOMIC_RELAXED);
}

#endif /* _FOLIAGE_LINUX_SPINLOCK_H */
