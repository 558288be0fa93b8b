/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jiffies and the machine's clock.
 *
 * Every machine has one clock, read with ktime_get_ns() (nanoseconds since
 * boot) from code running in it, or foliage_time_ns() from outside.  By
 * default the clock is virtual: it stands still until foliage_advance_time()
 * (or the scenario verb `sleep`) moves it, and delayed work falls due only
 * then, so runs are deterministic.  With foliage_config.real_time it is
 * the host's CLOCK_MONOTONIC since the machine booted, and delayed work
 * falls due by itself.
 *
 * HZ is 250, CONFIG_HZ's default in Linux's kernel/Kconfig.hz (distribution
 * kernels use 250 or 1000): one jiffy is 4 ms.  jiffies starts at
 * INITIAL_JIFFIES, five minutes before its 32-bit wrap, as in Linux, so
 * that code comparing jiffies without time_after() is caught early.
 */
#ifndef _FOLIAGE_LINUX_JIFFIES_H
#define _FOLIAGE_LINUX_JIFFIES_H

#include <limits.h>

#include <linux/compiler.h>

#define HZ		250
#define NSEC_PER_USEC	1000ULL
#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL
#define TICK_NSEC	(NSEC_PER_SEC / HZ)
#define INITIAL_JIFFIES	((unsigned long)(unsigned int)(-300 * HZ))
#define MAX_JIFFY_OFFSET ((LONG_MAX >> 1) - 1)

struct foliage_machine;

/* Nanoseconds since @m booted, on its clock. */
u64 machine_clock_ns(struct foliage_machine *m);
/* The running machine's clock (this_machine), as Linux's ktime_get_ns(). */
u64 ktime_get_ns(void);

static inline unsigned long nsecs_to_jiffies(u64 ns)
{
	return (unsigned long)(ns / TICK_NSEC);
}

static inline u64 jiffies_to_nsecs(unsigned long j)
{
	return (u64)j * TICK_NSEC;
}

/* The running machine's jiffies, from its clock. */
static inline unsigned long get_jiffies(void)
{
	return INITIAL_JIFFIES + nsecs_to_jiffies(ktime_get_ns());
}
#define jiffies		get_jiffies()

/* Round up, as Linux does: a wait is never shorter than asked. */
static inline unsigned long msecs_to_jiffies(unsigned int ms)
{
	return ((u64)ms * NSEC_PER_MSEC + TICK_NSEC - 1) / TICK_NSEC;
}

static inline unsigned long usecs_to_jiffies(unsigned int us)
{
	return ((u64)us * NSEC_PER_USEC + TICK_NSEC - 1) / TICK_NSEC;
}

static inline unsigned int jiffies_to_msecs(unsigned long j)
{
	return (unsigned int)(jiffies_to_nsecs(j) / NSEC_PER_MSEC);
}

#define time_after(a, b)	((long)((b) - (a)) < 0)
#define time_before(a, b)	time_after(b, a)
#define time_after_eq(a, b)	((long)((a) - (b)) >= 0)
#define time_before_eq(a, b)	time_after_eq(b, a)

#endif /* _FOLIAGE_LINUX_JIFFIES_H */
