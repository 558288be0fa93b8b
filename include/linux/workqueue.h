/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Workqueues: functions run later, on a kernel thread of a machine's CPU.
 *
 * As in Linux, workqueues share per-CPU worker pools: each CPU of a machine
 * has one worker kernel thread ("kworker/N"), started when work is first
 * queued on that CPU, which runs the items queued on the CPU one at a
 * time, in the order they were queued, each while holding the CPU.
 * queue_work() queues on the calling CPU (CPU 0 when the caller runs on
 * none, e.g. a host thread); a WQ_UNBOUND workqueue queues on the first
 * CPU no user thread is attached to, else on the calling CPU.
 *
 * Delayed work waits on the machine's clock (jiffies.h).  On the virtual
 * clock it falls due only inside foliage_advance_time(), which queues each
 * item whose time has come, in due order (ties in the order they were
 * armed), moving the clock to that item's due time and waiting for it to
 * finish before the next; on the real clock a timer thread queues it when
 * due.  A delayed work falls due exactly at its jiffy (Linux's timer
 * wheel may fire it a little later).
 *
 * Every function here works on the machine the work was last queued on,
 * else on this_machine.  foliage_machine_destroy() stops every worker: work
 * still queued or waiting for its time is dropped, never run; an item that
 * is running finishes first.
 */
#ifndef _FOLIAGE_LINUX_WORKQUEUE_H
#define _FOLIAGE_LINUX_WORKQUEUE_H

#include <linux/compiler.h>
#include <linux/list.h>

struct work_struct;
struct foliage_machine;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	struct list_head entry;		/* on a pool's worklist */
	work_func_t func;		/* what to run */
	struct foliage_machine *machine; /* where last queued, NULL never */
	int cpu;			/* the pool it was last queued on */
	bool pending;			/* WORK_STRUCT_PENDING: queued/armed */
	unsigned long queued;		/* instances queued so far */
};

/* A timer on the machine's clock (only delayed work arms one here). */
struct timer_list {
	struct list_head entry;		/* on the machine's timer list */
	unsigned long expires;		/* due at this jiffy */
	unsigned long seq;		/* arming order, breaks ties */
	bool armed;			/* on the timer list */
};

struct delayed_work {
	struct work_struct work;	/* queued when the timer fires */
	struct timer_list timer;	/* when it falls due */
	struct workqueue_struct *wq;	/* to queue it on then */
	int cpu;			/* on this CPU, -1: as queue_work() */
};

/* Workqueue flags, with Linux's values. */
#define WQ_UNBOUND		(1U << 1)
#define WQ_FREEZABLE		(1U << 2)
#define WQ_MEM_RECLAIM		(1U << 3)
#define WQ_HIGHPRI		(1U << 4)

/* queue_work_on()'s "no CPU in particular". */
#define WORK_CPU_UNBOUND	(-1)

struct workqueue_struct {
	char name[32];			/* as given to alloc_workqueue() */
	unsigned int flags;		/* WQ_* */
};

/* Shared by every machine: a workqueue is a name and flags. */
extern struct workqueue_struct *system_wq;
extern struct workqueue_struct *system_unbound_wq;

void __init_work(struct work_struct *work, work_func_t func);
#define INIT_WORK(_work, _func)		__init_work((_work), (_func))
void __init_delayed_work(struct delayed_work *dwork, work_func_t func);
#define INIT_DELAYED_WORK(_work, _func)	__init_delayed_work((_work), (_func))

static inline struct delayed_work *to_delayed_work(struct work_struct *work)
{
	return container_of(work, struct delayed_work, work);
}

static inline bool work_pending(const struct work_struct *work)
{
	return __atomic_load_n(&work->pending, __ATOMIC_ACQUIRE);
}
#define delayed_work_pending(w)	work_pending(&(w)->work)

struct workqueue_struct *alloc_workqueue(const char *name, unsigned int flags,
					 int max_active);
/* Wait for every item queued on this_machine, then free @wq. */
void destroy_workqueue(struct workqueue_struct *wq);

/*
 * Queue @work on @cpu's pool of @m (WORK_CPU_UNBOUND: as queue_work()).
 * False if it was already pending.  @m may be entered by no thread of the
 * caller (a host thread queues a guest's work this way).
 */
bool __queue_work_on(struct foliage_machine *m, int cpu,
		     struct workqueue_struct *wq, struct work_struct *work);
bool queue_work_on(int cpu, struct workqueue_struct *wq,
		   struct work_struct *work);
bool queue_work(struct workqueue_struct *wq, struct work_struct *work);
bool schedule_work(struct work_struct *work);

/* Arm @dwork to be queued after @delay jiffies (0: now). */
bool queue_delayed_work_on(int cpu, struct workqueue_struct *wq,
			   struct delayed_work *dwork, unsigned long delay);
bool queue_delayed_work(struct workqueue_struct *wq,
			struct delayed_work *dwork, unsigned long delay);
bool schedule_delayed_work(struct delayed_work *dwork, unsigned long delay);
/* Re-arm (or arm) @dwork for @delay from now; true if it was pending. */
bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork,
		      unsigned long delay);

/*
 * Wait until the last instance of @work queued before the call has
 * finished; true if there was one to wait for.  The caller sleeps (its
 * CPU is given up meanwhile).
 */
bool flush_work(struct work_struct *work);
/* Queue @dwork now if its timer is armed, then flush_work(). */
bool flush_delayed_work(struct delayed_work *dwork);
/* Wait for every work item queued on this_machine so far. */
void flush_scheduled_work(void);
#define flush_workqueue(wq)	flush_scheduled_work()

/*
 * Unqueue @work (or disarm @dwork) and wait for a running instance to
 * finish; true if it was pending.  cancel_delayed_work() does not wait.
 */
bool cancel_work_sync(struct work_struct *work);
bool cancel_delayed_work(struct delayed_work *dwork);
bool cancel_delayed_work_sync(struct delayed_work *dwork);

#endif /* _FOLIAGE_LINUX_WORKQUEUE_H */
