/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mmap lock (Linux's include/linux/mmap_lock.h): mm->mmap_lock, a
 * reader-writer sleeping lock, outermost in mm's lock order (lockdep.h).
 * Readers: faults, GUP, MADV_DONTNEED and the other madvise advice Linux
 * takes it shared for, /proc readers.  Writers: mmap, munmap, mprotect,
 * mremap, the madvise advice that changes VMAs, fork (both mms), exit.
 *
 * mmap_assert_locked() and mmap_assert_write_locked() report a foliage bug
 * (debug builds) when the calling thread does not hold it as required.
 */
#ifndef _FOLIAGE_LINUX_MMAP_LOCK_H
#define _FOLIAGE_LINUX_MMAP_LOCK_H

#include <linux/lockdep.h>
#include <linux/mm_types.h>

static inline void mmap_read_lock(struct mm_struct *mm)
{
	down_read_class(&mm->mmap_lock, LOCK_CLASS_MMAP);
}

static inline bool mmap_read_trylock(struct mm_struct *mm)
{
	return down_read_trylock_class(&mm->mmap_lock, LOCK_CLASS_MMAP);
}

static inline void mmap_read_unlock(struct mm_struct *mm)
{
	up_rwsem(&mm->mmap_lock);
}

static inline void mmap_write_lock(struct mm_struct *mm)
{
	down_write_class(&mm->mmap_lock, LOCK_CLASS_MMAP);
}

static inline bool mmap_write_trylock(struct mm_struct *mm)
{
	return down_write_trylock_class(&mm->mmap_lock, LOCK_CLASS_MMAP);
}

static inline void mmap_write_unlock(struct mm_struct *mm)
{
	up_rwsem(&mm->mmap_lock);
}

#define mmap_assert_locked(mm)	lockdep_assert_held(&(mm)->mmap_lock)
#define mmap_assert_write_locked(mm)					\
	lockdep_assert_held_write(&(mm)->mmap_lock)

#endif /* _FOLIAGE_LINUX_MMAP_LOCK_H */
