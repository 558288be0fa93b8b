/* SPDX-License-Identifier: GPL-2.0 */
/*
 * atomic_t and friends on top of the GCC __atomic builtins.  Orderings follow
 * the kernel's: plain ops are relaxed, *_return and cmpxchg are fully ordered,
 * *_acquire/_release where the name says so.
 */
#ifndef _FOLIAGE_LINUX_ATOMIC_H
#define _FOLIAGE_LINUX_ATOMIC_H

#include <linux/compiler.h>

/*
 * On a machine with one CPU, Linux x86 patches the lock prefix out of every
 * atomic and spinlock (alternatives_smp_unlock()): nothing can race with
 * the only CPU.  foliage does the same: while a thread runs a one-CPU
 * machine, machine_up is set (by machine_enter()) and read-modify-writes
 * become plain loads and stores.  Threads outside such a machine always
 * use real atomics.
 */
extern __thread bool machine_up;

/* *p += v, without or with the lock prefix; yields the new value. */
#define __up_add(p, v, order) ({					\
	typeof(*(p)) __n;						\
	if (machine_up) {						\
		__n = __atomic_load_n((p), __ATOMIC_RELAXED) + (v);	\
		__atomic_store_n((p), __n, __ATOMIC_RELAXED);		\
	} else {							\
		__n = __atomic_add_fetch((p), (v), (order));		\
	}								\
	__n;								\
})

typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic_long_t;

#define ATOMIC_INIT(i)	{ (i) }

static inline int atomic_read(const atomic_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void atomic_set(atomic_t *v, int i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_add(int i, atomic_t *v)
{
	__up_add(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_sub(int i, atomic_t *v)
{
	__up_add(&v->counter, -i, __ATOMIC_RELAXED);
}

static inline void atomic_inc(atomic_t *v)
{
	atomic_add(1, v);
}

static inline void atomic_dec(atomic_t *v)
{
	atomic_sub(1, v);
}

static inline int atomic_add_return(int i, atomic_t *v)
{
	return __up_add(&v->counter, i, __ATOMIC_SEQ_CST);
}

static inline int atomic_sub_return(int i, atomic_t *v)
{
	return __up_add(&v->counter, -i, __ATOMIC_SEQ_CST);
}

static inline bool atomic_dec_and_test(atomic_t *v)
{
	return atomic_sub_return(1, v) == 0;
}

static inline bool atomic_inc_and_test(atomic_t *v)
{
	return atomic_add_return(1, v) == 0;
}

static inline bool atomic_add_negative(int i, atomic_t *v)
{
	return atomic_add_return(i, v) < 0;
}

static inline int atomic_cmpxchg(atomic_t *v, int old, int new)
{
	if (machine_up) {
		int cur = atomic_read(v);

		if (cur == old)
			atomic_set(v, new);
		return cur;
	}
	__atomic_compare_exchange_n(&v->counter, &old, new, false,
				    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
	return old;
}

/* Store @new; returns the old value. */
static inline int atomic_xchg(atomic_t *v, int new)
{
	if (machine_up) {
		int cur = atomic_read(v);

		atomic_set(v, new);
		return cur;
	}
	return __atomic_exchange_n(&v->counter, new, __ATOMIC_SEQ_CST);
}

/* Add @a unless the counter is @u; returns true if it added. */
static inline bool atomic_add_unless(atomic_t *v, int a, int u)
{
	int c = atomic_read(v);

	if (machine_up) {
		if (c == u)
			return false;
		atomic_set(v, c + a);
		return true;
	}
	do {
		if (c == u)
			return false;
	} while (!__atomic_compare_exchange_n(&v->counter, &c, c + a, true,
					      __ATOMIC_SEQ_CST,
					      __ATOMIC_RELAXED));
	return true;
}

static inline long atomic_long_read(const atomic_long_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void atomic_long_set(atomic_long_t *v, long i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_long_add(long i, atomic_long_t *v)
{
	__up_add(&v->counter, i, __ATOMIC_RELAXED);
}

static inline long atomic_long_add_return(long i, atomic_long_t *v)
{
	return __up_add(&v->counter, i, __ATOMIC_SEQ_CST);
}

/* Non-atomic bit operations, for fields only one CPU writes at a time. */
static inline void __set_bit(unsigned int nr, unsigned long *addr)
{
	addr[nr / 64] |= 1UL << (nr % 64);
}

static inline void __clear_bit(unsigned int nr, unsigned long *addr)
{
	addr[nr / 64] &= ~(1UL << (nr % 64));
}

static inline bool test_bit(unsigned int nr, const unsigned long *addr)
{
	return (__atomic_load_n(&addr[nr / 64], __ATOMIC_RELAXED) >>
		(nr % 64)) & 1;
}

static inline void set_bit(unsigned int nr, unsigned long *addr)
{
	if (machine_up) {
		__set_bit(nr, addr);
		return;
	}
	__atomic_fetch_or(&addr[nr / 64], 1UL << (nr % 64), __ATOMIC_RELAXED);
}

static inline void clear_bit(unsigned int nr, unsigned long *addr)
{
	if (machine_up) {
		__clear_bit(nr, addr);
		return;
	}
	__atomic_fetch_and(&addr[nr / 64], ~(1UL << (nr % 64)),
			   __ATOMIC_RELAXED);
}

static inline bool test_and_set_bit(unsigned int nr, unsigned long *addr)
{
	unsigned long m = 1UL << (nr % 64);

	if (machine_up) {
		bool old = test_bit(nr, addr);

		__set_bit(nr, addr);
		return old;
	}
	return __atomic_fetch_or(&addr[nr / 64], m, __ATOMIC_SEQ_CST) & m;
}

static inline bool test_and_clear_bit(unsigned int nr, unsigned long *addr)
{
	unsigned long m = 1UL << (nr % 64);

	if (machine_up) {
		bool old = test_bit(nr, addr);

		__clear_bit(nr, addr);
		return old;
	}
	return __atomic_fetch_and(&addr[nr / 64], ~m, __ATOMIC_SEQ_CST) & m;
}

/*
 * Bit spinlocks (Linux's bit_spin_lock() and __bit_spin_unlock()): a bit
 * of a word that holds other data, taken with acquire, dropped with a
 * release store of the whole word.  The holder may change the word's
 * other bits only with __atomic stores while it holds the lock.
 */
static inline void bit_spin_lock(unsigned int nr, unsigned long *addr)
{
	unsigned long m = 1UL << (nr % 64);

	addr += nr / 64;
	if (machine_up) {
		__atomic_store_n(addr, __atomic_load_n(addr, __ATOMIC_RELAXED) |
				 m, __ATOMIC_RELAXED);
		return;
	}
	while (__atomic_fetch_or(addr, m, __ATOMIC_ACQUIRE) & m)
		while (__atomic_load_n(addr, __ATOMIC_RELAXED) & m)
			__builtin_ia32_pause();
}

/* Non-atomic unlock: only the holder writes the word meanwhile. */
static inline void __bit_spin_unlock(unsigned int nr, unsigned long *addr)
{
	unsigned long m = 1UL << (nr % 64);

	addr += nr / 64;
	__atomic_store_n(addr, __atomic_load_n(addr, __ATOMIC_RELAXED) & ~m,
			 __ATOMIC_RELEASE);
}

#endif /* _FOLIAGE_LINUX_ATOMIC_H */
