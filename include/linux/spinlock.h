/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spinlock_t: a test-and-test-and-set lock on one byte.  The kernel's locks are
 * real locks in foliage (zone->lock, pcp->lock, ...), so that several threads
 * ("CPUs") can run the mm concurrently and TSan can check it.
 *
 * In CONFIG_DEBUG_VM builds a spinlock also records its owner (the host
 * thread id holding it) and its lockdep class (lockdep_set_class(), see
 * lockdep.h), and every lock and unlock is recorded by lockdep-lite.
 */
#ifndef _FOLIAGE_LINUX_SPINLOCK_H
#define _FOLIAGE_LINUX_SPINLOCK_H

#include <linux/atomic.h>
#include <linux/lockdep.h>

typedef struct {
	unsigned char locked;		/* 1 while held */
#ifdef CONFIG_DEBUG_VM
	unsigned char class;		/* enum lock_class */
	int owner;			/* host tid of the holder, 0 if none */
#endif
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED	{ 0 }

#ifdef CONFIG_DEBUG_VM
/* The calling thread's host tid (lib/lockdep.c). */
int lockdep_tid(void);

static inline void spin_acquired(spinlock_t *lock, bool trylock)
{
	lock_acquire(lock, (enum lock_class)lock->class, LOCK_SPIN, trylock);
	__atomic_store_n(&lock->owner, lockdep_tid(), __ATOMIC_RELAXED);
}

static inline void spin_releasing(spinlock_t *lock)
{
	__atomic_store_n(&lock->owner, 0, __ATOMIC_RELAXED);
	lock_release(lock);
}

/* Put @lock in @class of the lock order (Linux's lockdep_set_class()). */
static inline void lockdep_set_class(spinlock_t *lock, enum lock_class class)
{
	lock->class = class;
}

/* The host tid holding @lock, 0 if none. */
static inline int spin_lock_owner(spinlock_t *lock)
{
	return __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);
}
#else
static inline void spin_acquired(spinlock_t *lock, bool trylock)
{
}

static inline void spin_releasing(spinlock_t *lock)
{
}

static inline void lockdep_set_class(spinlock_t *lock, enum lock_class class)
{
}
#endif

static inline void spin_lock_init(spinlock_t *lock)
{
	lock->locked = 0;
#ifdef CONFIG_DEBUG_VM
	lock->class = LOCK_CLASS_NONE;
	lock->owner = 0;
#endif
}

/* On a one-CPU machine the lock is a flag, as UP kernels make it. */
static inline bool spin_trylock(spinlock_t *lock)
{
	if (machine_up) {
		if (lock->locked)
			return false;
		__atomic_store_n(&lock->locked, 1, __ATOMIC_RELAXED);
	} else if (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE)) {
		return false;
	}
	spin_acquired(lock, true);
	return true;
}

static inline void spin_lock(spinlock_t *lock)
{
	if (machine_up) {
		__atomic_store_n(&lock->locked, 1, __ATOMIC_RELAXED);
	} else {
		while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE)) {
			while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED))
				__builtin_ia32_pause();
		}
	}
	spin_acquired(lock, false);
}

static inline void spin_unlock(spinlock_t *lock)
{
	spin_releasing(lock);
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(spinlock_t *lock)
{
	return __atomic_load_n(&lock->locked, __ATOMIC_RELAXED);
}

#endif /* _FOLIAGE_LINUX_SPINLOCK_H */
