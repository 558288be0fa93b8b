/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What kernel/ shares between its files: a machine's kernel threads, its
 * per-CPU worker pools and its timers.
 */
#ifndef _FOLIAGE_KERNEL_INTERNAL_H
#define _FOLIAGE_KERNEL_INTERNAL_H

#include <pthread.h>

#include <linux/machine.h>
#include <linux/cpu.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/workqueue.h>
#include <linux/stop_machine.h>

struct kthread {
	struct list_head list;		/* on machine_kernel.kthreads */
	struct foliage_machine *machine; /* it belongs to */
	unsigned int cpu;		/* bound to */
	char name[32];			/* as given */
	int (*threadfn)(void *data);	/* its function */
	void *data;			/* and argument */
	pthread_t thread;		/* the host thread */
	int ret;			/* threadfn's return value */
	bool should_stop;		/* kthread_stop() called (under lock) */
	bool woken;			/* wake_up_process() pending (lock) */
	bool exited;			/* threadfn returned (under lock) */
	pthread_mutex_t lock;		/* protects the flags above */
	pthread_cond_t wake;		/* signalled by wakeups and stop */
};

/* One CPU's workers: the items queued on it, run by its kworker. */
struct worker_pool {
	int cpu;			/* its CPU */
	struct list_head worklist;	/* queued, oldest first */
	struct kthread *worker;		/* kworker/N, NULL until needed */
	struct work_struct *current_work; /* running now, NULL none */
	unsigned long current_inst;	/* which instance of it */
	pthread_cond_t more;		/* worklist grew, or stopping */
};

struct machine_kernel {
	pthread_mutex_t lock;		/* pools, timers, work state */
	pthread_cond_t done;		/* an item finished or was dropped */
	bool stopping;			/* the machine is being destroyed */
	struct worker_pool pools[NR_CPUS]; /* one per CPU */
	pthread_mutex_t create_lock;	/* serialises starting workers */
	struct list_head timers;	/* armed timers, by (expires, seq) */
	unsigned long timer_seq;	/* arming order */
	pthread_cond_t timer_cond;	/* the real-time timer thread's */
	pthread_t timer_thread;		/* real clock: fires timers */
	bool timer_thread_started;	/* timer_thread exists */
	pthread_mutex_t kthreads_lock;	/* protects kthreads */
	struct list_head kthreads;	/* every live kernel thread */
	unsigned long nr_kthreads_ever;	/* started so far */
};

/* kernel/cpu.c */
int machine_cpus_init(struct foliage_machine *m);
void machine_cpus_exit(struct foliage_machine *m);
/* Become a kernel thread of @m bound to @cpu (thread-local state). */
void kthread_bind_self(struct foliage_machine *m, unsigned int cpu);

/* kernel/workqueue.c */
int workqueues_init(struct foliage_machine *m);
/* Drop queued and armed work, stop the workers (threads joined). */
void workqueues_stop(struct foliage_machine *m);
void workqueues_exit(struct foliage_machine *m);
/*
 * Run the delayed work due by @target_ns and move the virtual clock there
 * (see foliage_advance_time()); the caller runs on no CPU.
 */
void advance_clock(struct foliage_machine *m, u64 target_ns);
/* The due time (clock ns) of the first armed timer, or UINT64_MAX. */
u64 next_timer_ns(struct foliage_machine *m);

/* kernel/kthread.c */
void kthreads_exit(struct foliage_machine *m);


/* machine_leave() without the owed validation. */
void __machine_leave(struct foliage_machine *m);

/* kernel/time.c: the host's CLOCK_MONOTONIC. */
u64 host_monotonic_ns(void);

/* kernel/stop_machine.c: the quiet-point validation of machine_exit_op(). */
void machine_op_done(struct foliage_machine *m);

#endif /* _FOLIAGE_KERNEL_INTERNAL_H */
