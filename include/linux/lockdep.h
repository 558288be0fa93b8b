/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lockdep-lite: which locks a thread holds, checked against mm's lock
 * order, in CONFIG_DEBUG_VM builds only (release builds compile every
 * hook here to nothing).
 *
 * Each thread keeps a stack of the locks it holds (lock address, class,
 * read or write), as Linux's lockdep keeps task->held_locks.  From it:
 *
 *  - lockdep_assert_held(lock), lockdep_assert_held_write(lock),
 *    mmap_assert_locked(mm), mmap_assert_write_locked(mm): a lock the
 *    caller must hold and does not is a foliage bug (report_bug());
 *  - the lock order: taking a lock of a class that ranks before a class
 *    the thread already holds is an inversion, reported as a foliage bug.
 *    Locks of one class may nest (fork takes two mmap_locks, two PTLs).
 *
 * The classes, outermost first (Linux's mm/rmap.c "Lock ordering"):
 *
 *   mmap_lock > invalidate_lock > folio lock > i_mmap_rwsem >
 *   ANON_VMA_LAZY lock > anon_vma rwsem > PTL (page_table_lock, split PTE locks) >
 *   lru_lock > pcp lock > zone lock
 *
 * Locks of no class (LOCK_CLASS_NONE: tasks_lock, bug_lock, ...) are
 * recorded for lockdep_assert_held() but not ordered.
 */
#ifndef _FOLIAGE_LINUX_LOCKDEP_H
#define _FOLIAGE_LINUX_LOCKDEP_H

#include <stdbool.h>

enum lock_class {
	LOCK_CLASS_NONE,		/* unordered */
	LOCK_CLASS_MMAP,		/* mm->mmap_lock */
	LOCK_CLASS_INVALIDATE,		/* mapping->invalidate_lock */
	LOCK_CLASS_FOLIO,		/* PG_locked */
	LOCK_CLASS_I_MMAP,		/* mapping->i_mmap_rwsem */
	LOCK_CLASS_ANON_LAZY,		/* anon_rmap_state.lock (ANON_VMA_LAZY) */
	LOCK_CLASS_ANON_VMA,		/* anon_vma->root->rwsem */
	LOCK_CLASS_PTL,			/* page-table locks */
	LOCK_CLASS_LRU,			/* lruvec->lru_lock */
	LOCK_CLASS_PCP,			/* per_cpu_pages.lock */
	LOCK_CLASS_ZONE,		/* zone->lock */
	NR_LOCK_CLASSES,
};

/* How a lock is held. */
enum lock_mode {
	LOCK_WRITE,			/* exclusive sleeping lock */
	LOCK_READ,			/* shared sleeping lock */
	LOCK_SPIN,			/* spinlock: no sleeping under it */
};

#ifdef CONFIG_DEBUG_VM
/*
 * Record that the calling thread takes @lock, of @class, held as @mode;
 * report an inversion of the lock order unless it is a @trylock (which
 * cannot deadlock).
 */
void lock_acquire(const void *lock, enum lock_class class,
		  enum lock_mode mode, bool trylock);
/* Record that it dropped @lock. */
void lock_release(const void *lock);
/* Whether the calling thread holds @lock (@write: for write). */
bool lock_is_held(const void *lock, bool write);
/* report_bug() unless the calling thread holds @lock. */
void __lockdep_assert_held(const void *lock, bool write, const char *what,
			   const char *file, int line);
/* How many locks the calling thread holds (tests). */
int lockdep_depth(void);
/* report_bug() if the calling thread holds a spinlock: it may sleep. */
void __might_sleep(const char *file, int line);

#define lockdep_assert_held(l)						\
	__lockdep_assert_held((l), false, #l, __FILE__, __LINE__)
#define lockdep_assert_held_write(l)					\
	__lockdep_assert_held((l), true, #l, __FILE__, __LINE__)
#define might_sleep()	__might_sleep(__FILE__, __LINE__)
#else
static inline void lock_acquire(const void *lock, enum lock_class class,
				enum lock_mode mode, bool trylock)
{
}

static inline void lock_release(const void *lock)
{
}

#define lockdep_assert_held(l)		do { (void)(l); } while (0)
#define lockdep_assert_held_write(l)	do { (void)(l); } while (0)
#define might_sleep()			do { } while (0)
#endif

/*
 * The folio lock's place in the order (mm.h's folio_lock()).  A
 * migration batch try-locks hundreds of folios (Linux's lockdep does not
 * track folio locks at all): a folio try-locked while the thread already
 * holds one is counted, not stacked, and the folio class stays on the
 * stack until the last of them goes.
 */
#ifdef CONFIG_DEBUG_VM
void lock_acquire_folio(const void *folio, bool trylock);
void lock_release_folio(const void *folio);
#else
static inline void lock_acquire_folio(const void *folio, bool trylock)
{
}

static inline void lock_release_folio(const void *folio)
{
}
#endif

/*
 * The sleeping reader-writer locks (mmap_lock, i_mmap_rwsem, the anon_vma
 * rwsem, invalidate_lock) are pthread rwlocks taken through these, which
 * tell lockdep-lite the class.
 */
#include <pthread.h>

static inline void down_read_class(pthread_rwlock_t *sem,
				   enum lock_class class)
{
	lock_acquire(sem, class, LOCK_READ, false);
	pthread_rwlock_rdlock(sem);
}

static inline void down_write_class(pthread_rwlock_t *sem,
				    enum lock_class class)
{
	lock_acquire(sem, class, LOCK_WRITE, false);
	pthread_rwlock_wrlock(sem);
}

static inline bool down_read_trylock_class(pthread_rwlock_t *sem,
					   enum lock_class class)
{
	if (pthread_rwlock_tryrdlock(sem))
		return false;
	lock_acquire(sem, class, LOCK_READ, true);
	return true;
}

static inline bool down_write_trylock_class(pthread_rwlock_t *sem,
					    enum lock_class class)
{
	if (pthread_rwlock_trywrlock(sem))
		return false;
	lock_acquire(sem, class, LOCK_WRITE, true);
	return true;
}

static inline void up_rwsem(pthread_rwlock_t *sem)
{
	lock_release(sem);
	pthread_rwlock_unlock(sem);
}

#endif /* _FOLIAGE_LINUX_LOCKDEP_H */
