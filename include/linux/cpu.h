/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seam between sleeping waits and the CPUs of a machine.
 *
 * A thread inside the library runs on one of the machine's CPUs.  Before it
 * sleeps (a folio lock wait, a migration entry wait, any wait queue), it
 * calls cpu_sleep_begin(), which gives its CPU up so that a kernel thread
 * bound to that CPU can run meanwhile, as schedule() would; after waking it
 * calls cpu_sleep_end() to take a CPU again.  A thread that sleeps must
 * hold no spinlock.
 *
 * These are no-ops until the CPU and kernel-thread layer (kernel/) gives
 * them bodies; wait code calls them from the start, so that the two layers
 * meet here and nowhere else.
 */
#ifndef _FOLIAGE_LINUX_CPU_H
#define _FOLIAGE_LINUX_CPU_H

static inline void cpu_sleep_begin(void)
{
}

static inline void cpu_sleep_end(void)
{
}

#endif /* _FOLIAGE_LINUX_CPU_H */
