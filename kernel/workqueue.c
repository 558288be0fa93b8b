// SPDX-License-Identifier: GPL-2.0
/*
 * Workqueues and delayed work: per-CPU worker pools, each with one kworker
 * kernel thread, and the machine's timer list.  One mutex per machine
 * (machine_kernel.lock) protects the pools, the timers and every work
 * item's state; a worker drops it, and takes its CPU, to run an item.
 * After an item returns the worker touches it no more (a work function may
 * free its own work), so waiters recognise a running item by its address
 * and instance number in the pool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

static struct workqueue_struct system_wq_s = { "events", 0 };
static struct workqueue_struct system_unbound_wq_s = {
	"events_unbound", WQ_UNBOUND
};
struct workqueue_struct *system_wq = &system_wq_s;
struct workqueue_struct *system_unbound_wq = &system_unbound_wq_s;

void __init_work(struct work_struct *work, work_func_t func)
{
	memset(work, 0, sizeof(*work));
	INIT_LIST_HEAD(&work->entry);
	work->func = func;
	work->cpu = -1;
}

void __init_delayed_work(struct delayed_work *dwork, work_func_t func)
{
	memset(dwork, 0, sizeof(*dwork));
	__init_work(&dwork->work, func);
	INIT_LIST_HEAD(&dwork->timer.entry);
	dwork->cpu = WORK_CPU_UNBOUND;
}

/* ---- workers --------------------------------------------------------- */

static int worker_thread(void *arg)
{
	struct worker_pool *pool = arg;
	struct foliage_machine *m = this_machine;
	struct machine_kernel *mk = m->kernel;

	/* Idle, a worker holds no CPU; it takes it for each item. */
	cpu_release(this_cpu);
	this_cpu_running = false;
	pthread_mutex_lock(&mk->lock);
	for (;;) {
		struct work_struct *work;

		while (list_empty(&pool->worklist) && !mk->stopping)
			pthread_cond_wait(&pool->more, &mk->lock);
		if (mk->stopping)
			break;
		work = list_first_entry(&pool->worklist, struct work_struct,
					entry);
		list_del_init(&work->entry);
		__atomic_store_n(&work->pending, false, __ATOMIC_RELEASE);
		pool->current_work = work;
		pool->current_inst = work->queued;
		pthread_mutex_unlock(&mk->lock);

		cpu_acquire(this_cpu);
		this_cpu_running = true;
		work->func(work);
#ifdef CONFIG_DEBUG_VM
		if (!__atomic_load_n(&mk->stopping, __ATOMIC_RELAXED))
			machine_op_done(m);
#endif
		cpu_release(this_cpu);
		this_cpu_running = false;

		pthread_mutex_lock(&mk->lock);
		pool->current_work = NULL;
		pthread_cond_broadcast(&mk->done);
	}
	pthread_mutex_unlock(&mk->lock);
	return 0;
}

/* Start @cpu's kworker if it has none yet; false if it cannot be. */
static bool pool_ensure_worker(struct foliage_machine *m, int cpu)
{
	struct machine_kernel *mk = m->kernel;
	struct worker_pool *pool = &mk->pools[cpu];
	struct kthread *k;
	bool ok;

	if (likely(__atomic_load_n(&pool->worker, __ATOMIC_ACQUIRE)))
		return true;
	/* Before any lock a thread running on CPU 0 might want. */
	machine_disable_up(m);
	pthread_mutex_lock(&mk->create_lock);
	if (!pool->worker) {
		k = __kthread_run_on_cpu(m, worker_thread, pool, cpu,
					 "kworker/%d:0", cpu);
		if (!IS_ERR(k))
			__atomic_store_n(&pool->worker, k, __ATOMIC_RELEASE);
	}
	ok = pool->worker;
	pthread_mutex_unlock(&mk->create_lock);
	return ok;
}

/* Where WORK_CPU_UNBOUND work of @wq goes. */
static int pick_cpu(struct foliage_machine *m, struct workqueue_struct *wq,
		    int cpu)
{
	int i;

	if (cpu >= 0 && cpu < m->nr_cpus)
		return cpu;
	if (wq && (wq->flags & WQ_UNBOUND))
		for (i = 0; i < m->nr_cpus; i++)
			if (!__atomic_load_n(&m->cpus[i].owner_tid,
					     __ATOMIC_ACQUIRE))
				return i;
	return this_machine == m && this_cpu ? this_cpu->id : 0;
}

/* Queue @work on @cpu's pool; mk->lock held, not pending. */
static void __queue_locked(struct foliage_machine *m, int cpu,
			   struct work_struct *work)
{
	struct worker_pool *pool = &m->kernel->pools[cpu];

	work->machine = m;
	work->cpu = cpu;
	work->queued++;
	__atomic_store_n(&work->pending, true, __ATOMIC_RELEASE);
	list_add_tail(&work->entry, &pool->worklist);
	pthread_cond_signal(&pool->more);
}

static void __queue_delayed_locked(struct foliage_machine *m, int cpu,
				   struct workqueue_struct *wq,
				   struct delayed_work *dwork,
				   unsigned long delay);

/* Queue @work now, or arm @dwork (its work is @work) for @delay. */
static bool queue_on(struct foliage_machine *m, int cpu,
		     struct workqueue_struct *wq, struct work_struct *work,
		     struct delayed_work *dwork, unsigned long delay)
{
	struct machine_kernel *mk;
	bool queued = false;

	if (!m)
		return false;
	mk = m->kernel;
	cpu = pick_cpu(m, wq, cpu);
	if (!pool_ensure_worker(m, cpu))
		return false;
	pthread_mutex_lock(&mk->lock);
	if (!work->pending && !mk->stopping) {
		if (dwork)
			__queue_delayed_locked(m, cpu, wq, dwork, delay);
		else
			__queue_locked(m, cpu, work);
		queued = true;
	}
	pthread_mutex_unlock(&mk->lock);
	return queued;
}

bool __queue_work_on(struct foliage_machine *m, int cpu,
		     struct workqueue_struct *wq, struct work_struct *work)
{
	return queue_on(m, cpu, wq, work, NULL, 0);
}

bool queue_work_on(int cpu, struct workqueue_struct *wq,
		   struct work_struct *work)
{
	return __queue_work_on(this_machine, cpu, wq, work);
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	return queue_work_on(WORK_CPU_UNBOUND, wq, work);
}

bool schedule_work(struct work_struct *work)
{
	return queue_work(system_wq, work);
}

/* ---- timers ----------------------------------------------------------- */

static u64 timer_due_ns(const struct timer_list *t)
{
	return jiffies_to_nsecs(t->expires - INITIAL_JIFFIES);
}

static unsigned long machine_jiffies(struct foliage_machine *m)
{
	return INITIAL_JIFFIES + nsecs_to_jiffies(machine_clock_ns(m));
}

/* Insert @t in due order, after timers due at the same jiffy; lock held. */
static void arm_timer_locked(struct machine_kernel *mk, struct timer_list *t,
			     unsigned long expires)
{
	struct timer_list *pos;

	t->expires = expires;
	t->seq = ++mk->timer_seq;
	t->armed = true;
	list_for_each_entry(pos, &mk->timers, entry)
		if (time_before(expires, pos->expires)) {
			list_add_tail(&t->entry, &pos->entry);
			goto added;
		}
	list_add_tail(&t->entry, &mk->timers);
added:
	pthread_cond_signal(&mk->timer_cond);
}

static void disarm_timer_locked(struct timer_list *t)
{
	if (!t->armed)
		return;
	list_del_init(&t->entry);
	t->armed = false;
}

/* Arm or queue @dwork (not pending); lock held, @cpu's worker exists. */
static void __queue_delayed_locked(struct foliage_machine *m, int cpu,
				   struct workqueue_struct *wq,
				   struct delayed_work *dwork,
				   unsigned long delay)
{
	dwork->wq = wq;
	dwork->cpu = cpu;
	if (!delay) {
		__queue_locked(m, cpu, &dwork->work);
		return;
	}
	dwork->work.machine = m;
	dwork->work.cpu = cpu;
	__atomic_store_n(&dwork->work.pending, true, __ATOMIC_RELEASE);
	arm_timer_locked(m->kernel, &dwork->timer, machine_jiffies(m) + delay);
}

static struct foliage_machine *work_machine(struct work_struct *work)
{
	return work->machine ? work->machine : this_machine;
}

bool queue_delayed_work_on(int cpu, struct workqueue_struct *wq,
			   struct delayed_work *dwork, unsigned long delay)
{
	return queue_on(this_machine, cpu, wq, &dwork->work, dwork, delay);
}

bool queue_delayed_work(struct workqueue_struct *wq,
			struct delayed_work *dwork, unsigned long delay)
{
	return queue_delayed_work_on(WORK_CPU_UNBOUND, wq, dwork, delay);
}

bool schedule_delayed_work(struct delayed_work *dwork, unsigned long delay)
{
	return queue_delayed_work(system_wq, dwork, delay);
}

/* Take @dwork off its timer or worklist; lock held.  Was it pending? */
static bool __cancel_locked(struct delayed_work *dwork)
{
	struct work_struct *work = &dwork->work;
	bool was = work->pending;

	disarm_timer_locked(&dwork->timer);
	if (!list_empty(&work->entry))
		list_del_init(&work->entry);
	__atomic_store_n(&work->pending, false, __ATOMIC_RELEASE);
	return was;
}

bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork,
		      unsigned long delay)
{
	struct foliage_machine *m = work_machine(&dwork->work);
	struct machine_kernel *mk;
	int cpu;
	bool was;

	if (!m)
		return false;
	mk = m->kernel;
	cpu = pick_cpu(m, wq, WORK_CPU_UNBOUND);
	if (!pool_ensure_worker(m, cpu))
		return false;
	pthread_mutex_lock(&mk->lock);
	was = __cancel_locked(dwork);
	if (!mk->stopping)
		__queue_delayed_locked(m, cpu, wq, dwork, delay);
	pthread_cond_broadcast(&mk->done);
	pthread_mutex_unlock(&mk->lock);
	return was;
}

/*
 * Queue every delayed work due at or before @now_ns (the clock is moved to
 * each one's due time first if @advance); lock held.  With @one, stop
 * after the first.  How many were queued.
 */
static unsigned int fire_timers_locked(struct foliage_machine *m, u64 now_ns,
				       bool advance, bool one)
{
	struct machine_kernel *mk = m->kernel;
	unsigned int n = 0;

	while (!list_empty(&mk->timers)) {
		struct timer_list *t = list_first_entry(&mk->timers,
							struct timer_list,
							entry);
		struct delayed_work *dwork = container_of(t,
							  struct delayed_work,
							  timer);
		u64 due = timer_due_ns(t);

		if (due > now_ns)
			break;
		if (advance && due > m->clock_ns)
			__atomic_store_n(&m->clock_ns, due, __ATOMIC_RELEASE);
		disarm_timer_locked(t);
		__queue_locked(m, dwork->work.cpu, &dwork->work);
		n++;
		if (one)
			break;
	}
	return n;
}

u64 next_timer_ns(struct foliage_machine *m)
{
	struct machine_kernel *mk = m->kernel;
	u64 due = UINT64_MAX;

	pthread_mutex_lock(&mk->lock);
	if (!list_empty(&mk->timers))
		due = timer_due_ns(list_first_entry(&mk->timers,
						    struct timer_list, entry));
	pthread_mutex_unlock(&mk->lock);
	return due;
}

/* ---- waiting ---------------------------------------------------------- */

/* Is instance <= @inst of @work running in a pool?  Lock held. */
static bool running_locked(struct machine_kernel *mk, int nr_cpus,
			   struct work_struct *work, unsigned long inst)
{
	int cpu;

	for (cpu = 0; cpu < nr_cpus; cpu++)
		if (mk->pools[cpu].current_work == work &&
		    mk->pools[cpu].current_inst <= inst)
			return true;
	return false;
}

static bool machine_idle_locked(struct foliage_machine *m)
{
	struct machine_kernel *mk = m->kernel;
	int cpu;

	for (cpu = 0; cpu < m->nr_cpus; cpu++)
		if (!list_empty(&mk->pools[cpu].worklist) ||
		    mk->pools[cpu].current_work)
			return false;
	return true;
}

/* Wait (the caller's CPU given up) until every pool is idle; lock held. */
static void wait_idle_locked(struct foliage_machine *m)
{
	struct machine_kernel *mk = m->kernel;

	while (!machine_idle_locked(m) && !mk->stopping)
		pthread_cond_wait(&mk->done, &mk->lock);
}

/*
 * Sleep on mk->done while @busy(@m, @arg) holds; whether it held at first.
 * The first look is taken still running on the CPU, so that nothing this
 * CPU's worker does can slip in before it; the CPU is then given up for
 * the sleep and taken back after mk->lock is dropped (no thread holding
 * mk->lock ever waits for a CPU).
 */
static bool work_wait(struct foliage_machine *m,
		      bool (*busy)(struct foliage_machine *m, void *arg,
				   bool first),
		      void *arg)
{
	struct machine_kernel *mk = m->kernel;
	bool waited;

	pthread_mutex_lock(&mk->lock);
	waited = busy(m, arg, true);
	cpu_sleep_begin();
	while (busy(m, arg, false) && !mk->stopping)
		pthread_cond_wait(&mk->done, &mk->lock);
	pthread_mutex_unlock(&mk->lock);
	cpu_sleep_end();
	return waited;
}

struct flush_arg {
	struct work_struct *work;	/* the item flushed */
	unsigned long inst;		/* its last instance at the start */
};

static bool flush_busy(struct foliage_machine *m, void *arg, bool first)
{
	struct flush_arg *f = arg;
	struct work_struct *work = f->work;

	if (first)
		f->inst = work->queued;
	return (!list_empty(&work->entry) && work->queued == f->inst) ||
	       running_locked(m->kernel, m->nr_cpus, work, f->inst);
}

bool flush_work(struct work_struct *work)
{
	struct foliage_machine *m = work->machine;
	struct flush_arg f = { .work = work };

	if (!m)
		return false;
	return work_wait(m, flush_busy, &f);
}

bool flush_delayed_work(struct delayed_work *dwork)
{
	struct foliage_machine *m = dwork->work.machine;
	struct machine_kernel *mk;

	if (!m)
		return false;
	mk = m->kernel;
	pthread_mutex_lock(&mk->lock);
	if (dwork->timer.armed && !mk->stopping) {
		disarm_timer_locked(&dwork->timer);
		__queue_locked(m, dwork->work.cpu, &dwork->work);
	}
	pthread_mutex_unlock(&mk->lock);
	return flush_work(&dwork->work);
}

static bool idle_busy(struct foliage_machine *m, void *arg, bool first)
{
	return !machine_idle_locked(m);
}

void flush_scheduled_work(void)
{
	if (this_machine)
		(void)work_wait(this_machine, idle_busy, NULL);
}

static bool running_busy(struct foliage_machine *m, void *arg, bool first)
{
	return running_locked(m->kernel, m->nr_cpus, arg, ULONG_MAX);
}

static bool __cancel_work(struct work_struct *work, struct delayed_work *dw,
			  bool sync)
{
	struct foliage_machine *m = work->machine;
	struct machine_kernel *mk;
	bool was;

	if (!m)
		return false;
	mk = m->kernel;
	pthread_mutex_lock(&mk->lock);
	if (dw) {
		was = __cancel_locked(dw);
	} else {
		was = work->pending;
		if (!list_empty(&work->entry))
			list_del_init(&work->entry);
		__atomic_store_n(&work->pending, false, __ATOMIC_RELEASE);
	}
	pthread_cond_broadcast(&mk->done);
	pthread_mutex_unlock(&mk->lock);
	if (sync)
		(void)work_wait(m, running_busy, work);
	return was;
}

bool cancel_work_sync(struct work_struct *work)
{
	return __cancel_work(work, NULL, true);
}

bool cancel_delayed_work(struct delayed_work *dwork)
{
	return __cancel_work(&dwork->work, dwork, false);
}

bool cancel_delayed_work_sync(struct delayed_work *dwork)
{
	return __cancel_work(&dwork->work, dwork, true);
}

struct workqueue_struct *alloc_workqueue(const char *name, unsigned int flags,
					 int max_active)
{
	struct workqueue_struct *wq = calloc(1, sizeof(*wq));

	(void)max_active;
	if (!wq)
		return NULL;
	snprintf(wq->name, sizeof(wq->name), "%s", name);
	wq->flags = flags;
	return wq;
}

void destroy_workqueue(struct workqueue_struct *wq)
{
	if (!wq)
		return;
	flush_scheduled_work();
	if (wq != system_wq && wq != system_unbound_wq)
		free(wq);
}

/* ---- the clock moves --------------------------------------------------- */

/*
 * Virtual clock: queue the delayed work due by @target_ns one item at a
 * time, in due order, each after everything queued before has finished,
 * the clock standing at the item's due time; then move the clock to
 * @target_ns.  Real clock: queue what is due now and wait for it.  The
 * caller runs on no CPU (its CPU would be needed by the workers).
 */
void advance_clock(struct foliage_machine *m, u64 target_ns)
{
	struct machine_kernel *mk = m->kernel;

	pthread_mutex_lock(&mk->lock);
	wait_idle_locked(m);
	if (m->config.real_time) {
		fire_timers_locked(m, machine_clock_ns(m), false, false);
		wait_idle_locked(m);
	} else {
		while (!mk->stopping &&
		       fire_timers_locked(m, target_ns, true, true))
			wait_idle_locked(m);
		if (target_ns > m->clock_ns)
			__atomic_store_n(&m->clock_ns, target_ns,
					 __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&mk->lock);
}

/* Real clock: queue delayed work as it falls due. */
static void *timer_thread(void *arg)
{
	struct foliage_machine *m = arg;
	struct machine_kernel *mk = m->kernel;

	pthread_mutex_lock(&mk->lock);
	while (!mk->stopping) {
		struct timespec ts;
		u64 due, abs;

		fire_timers_locked(m, machine_clock_ns(m), false, false);
		if (list_empty(&mk->timers)) {
			pthread_cond_wait(&mk->timer_cond, &mk->lock);
			continue;
		}
		due = timer_due_ns(list_first_entry(&mk->timers,
						    struct timer_list, entry));
		abs = m->boot_ns + due;
		ts.tv_sec = abs / NSEC_PER_SEC;
		ts.tv_nsec = abs % NSEC_PER_SEC;
		pthread_cond_timedwait(&mk->timer_cond, &mk->lock, &ts);
	}
	pthread_mutex_unlock(&mk->lock);
	return NULL;
}

/* ---- boot and shutdown --------------------------------------------------- */

int workqueues_init(struct foliage_machine *m)
{
	struct machine_kernel *mk = m->kernel;
	pthread_condattr_t attr;
	int cpu;

	pthread_mutex_init(&mk->lock, NULL);
	pthread_mutex_init(&mk->create_lock, NULL);
	pthread_cond_init(&mk->done, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&mk->timer_cond, &attr);
	pthread_condattr_destroy(&attr);
	INIT_LIST_HEAD(&mk->timers);
	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		struct worker_pool *pool = &mk->pools[cpu];

		pool->cpu = cpu;
		INIT_LIST_HEAD(&pool->worklist);
		pthread_cond_init(&pool->more, NULL);
	}
	if (m->config.real_time) {
		if (pthread_create(&mk->timer_thread, NULL, timer_thread, m))
			return -EAGAIN;
		mk->timer_thread_started = true;
	}
	return 0;
}

/*
 * Stop everything: queued and armed work is dropped (no longer pending),
 * each worker finishes the item it runs and exits.
 */
void workqueues_stop(struct foliage_machine *m)
{
	struct machine_kernel *mk = m->kernel;
	int cpu;

	pthread_mutex_lock(&mk->lock);
	__atomic_store_n(&mk->stopping, true, __ATOMIC_RELAXED);
	while (!list_empty(&mk->timers)) {
		struct timer_list *t = list_first_entry(&mk->timers,
							struct timer_list,
							entry);

		disarm_timer_locked(t);
		__atomic_store_n(&container_of(t, struct delayed_work,
					       timer)->work.pending,
				 false, __ATOMIC_RELEASE);
	}
	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		struct worker_pool *pool = &mk->pools[cpu];

		while (!list_empty(&pool->worklist)) {
			struct work_struct *work =
				list_first_entry(&pool->worklist,
						 struct work_struct, entry);

			list_del_init(&work->entry);
			__atomic_store_n(&work->pending, false,
					 __ATOMIC_RELEASE);
		}
		pthread_cond_broadcast(&pool->more);
	}
	pthread_cond_broadcast(&mk->done);
	pthread_cond_broadcast(&mk->timer_cond);
	pthread_mutex_unlock(&mk->lock);
	if (mk->timer_thread_started) {
		pthread_join(mk->timer_thread, NULL);
		mk->timer_thread_started = false;
	}
	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		struct kthread *k = mk->pools[cpu].worker;

		if (k) {
			mk->pools[cpu].worker = NULL;
			(void)kthread_stop(k);
		}
	}
}

void workqueues_exit(struct foliage_machine *m)
{
	struct machine_kernel *mk = m->kernel;
	int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		pthread_cond_destroy(&mk->pools[cpu].more);
	pthread_cond_destroy(&mk->timer_cond);
	pthread_cond_destroy(&mk->done);
	pthread_mutex_destroy(&mk->create_lock);
	pthread_mutex_destroy(&mk->lock);
}
