/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compiler helpers, basic types and the handful of kernel idioms (container_of,
 * BUILD_BUG_ON, READ_ONCE) that the rest of foliage is written with.
 */
#ifndef _FOLIAGE_LINUX_COMPILER_H
#define _FOLIAGE_LINUX_COMPILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;
typedef unsigned long pgoff_t;
typedef unsigned int gfp_t;
typedef unsigned int fpi_t;

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#ifndef __always_inline
#define __always_inline	inline __attribute__((always_inline))
#endif
#define noinline	__attribute__((noinline))
#define __must_check	__attribute__((warn_unused_result))
#define __maybe_unused	__attribute__((unused))
#define __cold		__attribute__((cold))

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), #cond)
#define BITS_PER_LONG		(8 * (int)sizeof(long))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

#define min(a, b)	((a) < (b) ? (a) : (b))
#define max(a, b)	((a) > (b) ? (a) : (b))
#define clamp(v, lo, hi) min(max(v, lo), hi)
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define ALIGN(x, a)		(((x) + (a) - 1) & ~((typeof(x))(a) - 1))
#define ALIGN_DOWN(x, a)	((x) & ~((typeof(x))(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((typeof(x))(a) - 1)) == 0)
#define BIT(n)			(1UL << (n))

#define SZ_1K	0x400UL
#define SZ_1M	0x100000UL
#define SZ_1G	0x40000000UL

static inline unsigned int ilog2_ul(unsigned long v)
{
	return 63 - __builtin_clzl(v);
}

static inline unsigned long roundup_pow_of_two(unsigned long v)
{
	return v <= 1 ? 1 : 1UL << (ilog2_ul(v - 1) + 1);
}

static inline unsigned long rounddown_pow_of_two(unsigned long v)
{
	return 1UL << ilog2_ul(v);
}

static inline unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = 0, b = 1UL << 62;

	while (b > x)
		b >>= 2;
	while (b) {
		if (x >= r + b) {
			x -= r + b;
			r = (r >> 1) + b;
		} else {
			r >>= 1;
		}
		b >>= 2;
	}
	return r;
}

#endif /* _FOLIAGE_LINUX_COMPILER_H */
