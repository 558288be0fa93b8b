/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel threads: host threads owned by a machine, each bound to one of its
 * CPUs.
 *
 * A kernel thread runs its function on its CPU: it holds the CPU while it
 * runs, and gives it up only while it sleeps (kthread_schedule(), a wait
 * queue, any wait that calls cpu_sleep_begin()).  So a kernel thread and a
 * user thread attached to the same CPU never run library code at the same
 * time, and per-CPU state (pcp lists, vm_events) has one user at a time.
 *
 * foliage_machine_destroy() stops every kernel thread that is still running
 * (kthread_stop()), after the workqueues.  A machine that ever had a kernel
 * thread runs with real atomics from then on (see atomic.h).
 *
 * Difference from Linux: a kernel thread is a struct kthread, not a
 * task_struct (foliage's task_struct is a user process with an mm).
 */
#ifndef _FOLIAGE_LINUX_KTHREAD_H
#define _FOLIAGE_LINUX_KTHREAD_H

#include <linux/compiler.h>
#include <linux/err.h>

struct kthread;
struct foliage_machine;

/*
 * Start @threadfn(@data) on a new kernel thread of @m bound to @cpu, named
 * from @namefmt ("kworker/%u").  ERR_PTR(-EINVAL) for a CPU out of range,
 * ERR_PTR(-ENOMEM/-EAGAIN) if the host refuses.  The thread runs until
 * @threadfn returns; it should return when kthread_should_stop().
 */
struct kthread *__kthread_run_on_cpu(struct foliage_machine *m,
				     int (*threadfn)(void *data), void *data,
				     unsigned int cpu, const char *namefmt, ...)
	__attribute__((format(printf, 5, 6)));

/* The same on this_machine, as Linux's kthread_run_on_cpu(). */
#define kthread_run_on_cpu(threadfn, data, cpu, namefmt, ...)		\
	__kthread_run_on_cpu(this_machine, threadfn, data, cpu, namefmt, \
			     ##__VA_ARGS__)

/* kthread_run(): bound to the calling thread's CPU (CPU 0 from outside). */
#define kthread_run(threadfn, data, namefmt, ...)			\
	__kthread_run_on_cpu(this_machine, threadfn, data,		\
			     kthread_default_cpu(), namefmt, ##__VA_ARGS__)
unsigned int kthread_default_cpu(void);

/*
 * Ask @k to stop (kthread_should_stop() becomes true, a sleeping
 * kthread_schedule() returns), wait for its function to return, and free
 * it.  Returns the function's return value.  The caller must not be @k.
 */
int kthread_stop(struct kthread *k);

/* In a kernel thread: has kthread_stop() been called on it? */
bool kthread_should_stop(void);

/* The calling kernel thread, or NULL for any other thread. */
struct kthread *current_kthread(void);

/* The name it was given, and the CPU it is bound to. */
const char *kthread_name(const struct kthread *k);
unsigned int kthread_cpu(const struct kthread *k);

/*
 * Sleep, giving the CPU up, until wake_up_process() (since the last
 * kthread_schedule() returned) or kthread_stop().  A wakeup that comes
 * before the sleep is not lost: this is schedule() after
 * set_current_state(TASK_INTERRUPTIBLE) with the condition checked.
 */
void kthread_schedule(void);
/* Wake @k's kthread_schedule(); true if it was asleep. */
bool wake_up_process(struct kthread *k);

#endif /* _FOLIAGE_LINUX_KTHREAD_H */
