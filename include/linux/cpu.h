/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CPUs of a machine, as a time-shared resource (kernel/cpu.c).
 *
 * A machine has nr_cpus CPUs.  A host thread runs on a CPU while it is
 * inside the library: a user thread from the start of a public call
 * (machine_enter()) to its end (machine_exit_op()/machine_leave()), on the
 * CPU it is attached to; a kernel thread while it runs its function or a
 * work item, on the CPU it is bound to.  At most one thread runs on a CPU
 * at a time (a FIFO ticket per CPU), so per-CPU state (pcp lists, vm_events,
 * this_cpu) has one user at a time, as on a real CPU.
 *
 * Before a thread sleeps (a folio lock wait, a migration entry wait, a
 * flush_work(), any wait queue), it calls cpu_sleep_begin(), which gives
 * its CPU up so that another thread of that CPU can run meanwhile, as
 * schedule() would; after waking it calls cpu_sleep_end() to take its CPU
 * again (waiting for it if needed).  A thread that sleeps must hold no
 * spinlock.  Both are cheap no-ops for a thread that runs on no CPU.
 */
#ifndef _FOLIAGE_LINUX_CPU_H
#define _FOLIAGE_LINUX_CPU_H

#include <linux/compiler.h>

struct foliage_cpu;
struct foliage_machine;

/* The calling thread runs on this_cpu (holds its ticket). */
extern __thread bool this_cpu_running;
/* Nesting depth of cpu_sleep_begin() in the calling thread. */
extern __thread int this_cpu_sleeping;

/* Wait for @cpu to be free and run on it (FIFO among waiters). */
void cpu_acquire(struct foliage_cpu *cpu);
/* Run on @cpu if it is free now; false if another thread runs there. */
bool cpu_tryacquire(struct foliage_cpu *cpu);
/* Stop running on @cpu; the next waiter runs. */
void cpu_release(struct foliage_cpu *cpu);
/* Whether some thread runs on @cpu now (a racy snapshot). */
bool cpu_busy(const struct foliage_cpu *cpu);

void __cpu_sleep_begin(void);
void __cpu_sleep_end(void);

static inline void cpu_sleep_begin(void)
{
	if (this_cpu_running || this_cpu_sleeping)
		__cpu_sleep_begin();
}

static inline void cpu_sleep_end(void)
{
	if (this_cpu_sleeping)
		__cpu_sleep_end();
}

/*
 * From now on @m uses real atomics and locks (machine_up false): called
 * before the machine's first kernel thread exists (kthread_run*() does),
 * and by anything else that will touch the machine's state from a thread
 * running on none of its CPUs (a host device thread).  Safe while another
 * thread runs in @m: it takes CPU 0 first (see kernel/cpu.c).
 */
void machine_disable_up(struct foliage_machine *m);

#endif /* _FOLIAGE_LINUX_CPU_H */
