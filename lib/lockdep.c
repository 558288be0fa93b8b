// SPDX-License-Identifier: GPL-2.0
/*
 * lockdep-lite (see include/linux/lockdep.h): each thread's stack of held
 * locks, the lock-order check and the "caller holds" assertions.  Built in
 * CONFIG_DEBUG_VM builds only.
 */
#ifdef CONFIG_DEBUG_VM
#include <unistd.h>

#include <linux/lockdep.h>
#include <linux/machine.h>

/* Deeper than mm ever nests: fork's two mmap_locks and PTLs, and more. */
#define MAX_LOCK_DEPTH	48

struct held_lock {
	const void *lock;		/* the lock's address */
	unsigned char class;		/* enum lock_class */
	unsigned char mode;		/* enum lock_mode */
};

static __thread struct held_lock held_locks[MAX_LOCK_DEPTH];
static __thread int lock_depth;
static __thread int lockdep_this_tid;

static const char *const lock_class_names[NR_LOCK_CLASSES] = {
	[LOCK_CLASS_NONE]	= "lock",
	[LOCK_CLASS_MMAP]	= "mmap_lock",
	[LOCK_CLASS_INVALIDATE]	= "invalidate_lock",
	[LOCK_CLASS_FOLIO]	= "folio lock",
	[LOCK_CLASS_I_MMAP]	= "i_mmap_rwsem",
	[LOCK_CLASS_ANON_LAZY]	= "anon_vma_lazy lock",
	[LOCK_CLASS_ANON_VMA]	= "anon_vma lock",
	[LOCK_CLASS_PTL]	= "PTL",
	[LOCK_CLASS_LRU]	= "lru_lock",
	[LOCK_CLASS_PCP]	= "pcp lock",
	[LOCK_CLASS_ZONE]	= "zone lock",
};

int lockdep_tid(void)
{
	if (!lockdep_this_tid)
		lockdep_this_tid = gettid();
	return lockdep_this_tid;
}

void lock_acquire(const void *lock, enum lock_class class,
		  enum lock_mode mode, bool trylock)
{
	int i;

	if (class != LOCK_CLASS_NONE && !trylock) {
		for (i = lock_depth - 1; i >= 0; i--) {
			if (held_locks[i].class <= class)
				continue;
			report_bug("lock order: %s %p taken while holding %s %p",
				   lock_class_names[class], lock,
				   lock_class_names[held_locks[i].class],
				   held_locks[i].lock);
			break;
		}
	}
	if (lock_depth == MAX_LOCK_DEPTH) {
		report_bug("lockdep: more than %d locks held", MAX_LOCK_DEPTH);
		return;
	}
	held_locks[lock_depth].lock = lock;
	held_locks[lock_depth].class = class;
	held_locks[lock_depth].mode = mode;
	lock_depth++;
}

void lock_release(const void *lock)
{
	int i;

	/* Usually the newest; locks may be dropped out of order. */
	for (i = lock_depth - 1; i >= 0; i--) {
		if (held_locks[i].lock != lock)
			continue;
		for (; i < lock_depth - 1; i++)
			held_locks[i] = held_locks[i + 1];
		lock_depth--;
		return;
	}
	/* A lock taken before its thread entered a machine: not tracked. */
}

/* Folio locks held beyond the stacked one (a migration batch's). */
static __thread int nested_folio_locks;

static int held_folio_lock(void)
{
	int i;

	for (i = lock_depth - 1; i >= 0; i--)
		if (held_locks[i].class == LOCK_CLASS_FOLIO)
			return i;
	return -1;
}

void lock_acquire_folio(const void *folio, bool trylock)
{
	if (trylock && held_folio_lock() >= 0) {
		nested_folio_locks++;
		return;
	}
	lock_acquire(folio, LOCK_CLASS_FOLIO, LOCK_WRITE, trylock);
}

void lock_release_folio(const void *folio)
{
	int i;

	for (i = lock_depth - 1; i >= 0; i--) {
		if (held_locks[i].lock != folio)
			continue;
		if (nested_folio_locks) {
			/* Others are still held: the entry stands for them. */
			held_locks[i].lock = NULL;
			nested_folio_locks--;
			return;
		}
		lock_release(folio);
		return;
	}
	if (nested_folio_locks) {
		nested_folio_locks--;
		return;
	}
	/* The last of a batch: the entry that stood for them goes. */
	i = held_folio_lock();
	if (i >= 0 && !held_locks[i].lock) {
		for (; i < lock_depth - 1; i++)
			held_locks[i] = held_locks[i + 1];
		lock_depth--;
	}
}

bool lock_is_held(const void *lock, bool write)
{
	int i;

	for (i = lock_depth - 1; i >= 0; i--)
		if (held_locks[i].lock == lock)
			return !write || held_locks[i].mode != LOCK_READ;
	return false;
}

void __lockdep_assert_held(const void *lock, bool write, const char *what,
			   const char *file, int line)
{
	if (!lock_is_held(lock, write))
		__report_bug(file, line, "lockdep_assert_held%s(%s) %p: not held",
			     write ? "_write" : "", what, lock);
}

int lockdep_depth(void)
{
	return lock_depth;
}

void __might_sleep(const char *file, int line)
{
	int i;

	for (i = 0; i < lock_depth; i++)
		if (held_locks[i].mode == LOCK_SPIN) {
			__report_bug(file, line,
				     "sleeping while holding %s %p",
				     lock_class_names[held_locks[i].class],
				     held_locks[i].lock);
			return;
		}
}
#endif /* CONFIG_DEBUG_VM */
