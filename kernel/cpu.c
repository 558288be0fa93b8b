// SPDX-License-Identifier: GPL-2.0
/*
 * The CPUs of a machine: which host thread is attached to which CPU, and
 * which thread runs on a CPU now.
 *
 * Attaching.  A user thread is attached to at most one CPU of a machine
 * (foliage_cpu_attach(), or the first free CPU when it first calls in) and
 * keeps it until foliage_cpu_detach() or until it exits (a pthread key
 * destructor detaches it from every machine still alive).  The records of
 * which thread is attached where live in a list per thread; a machine that
 * is destroyed first clears the records that point to it.  One
 * process-wide mutex protects all of that: it is taken only on the slow
 * paths (first entry, attach, detach, thread exit, machine destroy).
 *
 * Running.  Each CPU is a FIFO ticket lock: a thread runs on it from
 * cpu_acquire() to cpu_release().  The fast path is one atomic add and
 * one load; a waiter sleeps on the CPU's condition variable.
 *
 * Lock elision (atomic.h's machine_up) is decided per machine: see
 * machine_disable_up().
 */
#include <stdlib.h>
#include <unistd.h>

#include <linux/gfp.h>

#include "internal.h"

__thread struct foliage_machine *this_machine;
__thread struct foliage_cpu *this_cpu;
__thread unsigned long this_machine_generation;
__thread bool machine_up;
__thread bool this_cpu_running;
__thread int this_cpu_sleeping;
/* A kernel thread keeps its CPU across machine_leave(). */
static __thread bool this_is_kthread;
static __thread int this_tid;

/* One thread's attachment to one CPU of one machine. */
struct cpu_attach {
	struct foliage_machine *m;	/* NULL once m is destroyed */
	unsigned long generation;	/* m->generation, against reuse */
	int cpu;			/* the CPU */
	struct cpu_attach *next;	/* the thread's next record */
};

static pthread_mutex_t attach_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t attach_once = PTHREAD_ONCE_INIT;
static pthread_key_t attach_key;
/* The calling thread's records (the key's value too, for the destructor). */
static __thread struct cpu_attach *this_attach;

static int current_tid(void)
{
	if (unlikely(!this_tid))
		this_tid = gettid();
	return this_tid;
}

/* ---- running on a CPU ------------------------------------------------ */

void cpu_acquire(struct foliage_cpu *cpu)
{
	unsigned int t = __atomic_fetch_add(&cpu->next_ticket, 1,
					    __ATOMIC_SEQ_CST);

	if (__atomic_load_n(&cpu->serving, __ATOMIC_ACQUIRE) != t) {
		pthread_mutex_lock(&cpu->run_lock);
		__atomic_add_fetch(&cpu->nr_waiting, 1, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(&cpu->serving, __ATOMIC_SEQ_CST) != t)
			pthread_cond_wait(&cpu->run_cond, &cpu->run_lock);
		__atomic_sub_fetch(&cpu->nr_waiting, 1, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&cpu->run_lock);
	}
	cpu->runner_tid = current_tid();
	if (unlikely(cpu->account_busy))
		cpu->run_since_ns = host_monotonic_ns();
}

bool cpu_tryacquire(struct foliage_cpu *cpu)
{
	unsigned int t = __atomic_load_n(&cpu->serving, __ATOMIC_ACQUIRE);

	if (!__atomic_compare_exchange_n(&cpu->next_ticket, &t, t + 1, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return false;
	cpu->runner_tid = current_tid();
	if (unlikely(cpu->account_busy))
		cpu->run_since_ns = host_monotonic_ns();
	return true;
}

void cpu_release(struct foliage_cpu *cpu)
{
	VM_WARN_ON(cpu->runner_tid != current_tid());
	cpu->runner_tid = 0;
	if (unlikely(cpu->account_busy))
		__atomic_store_n(&cpu->busy_ns, cpu->busy_ns +
				 host_monotonic_ns() - cpu->run_since_ns,
				 __ATOMIC_RELAXED);
	/*
	 * Either a waiter sees the new ticket before it sleeps, or this
	 * sees it waiting and wakes it under run_lock (both seq_cst).
	 */
	__atomic_add_fetch(&cpu->serving, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&cpu->nr_waiting, __ATOMIC_SEQ_CST)) {
		pthread_mutex_lock(&cpu->run_lock);
		pthread_cond_broadcast(&cpu->run_cond);
		pthread_mutex_unlock(&cpu->run_lock);
	}
}

bool cpu_busy(const struct foliage_cpu *cpu)
{
	return __atomic_load_n(&cpu->serving, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&cpu->next_ticket, __ATOMIC_RELAXED);
}

/* Whether the outermost cpu_sleep_begin() gave a CPU up. */
static __thread bool sleep_gave_cpu;

void __cpu_sleep_begin(void)
{
	if (this_cpu_sleeping++)
		return;
	sleep_gave_cpu = this_cpu_running;
	if (this_cpu_running) {
		cpu_release(this_cpu);
		this_cpu_running = false;
	}
}

void __cpu_sleep_end(void)
{
	if (--this_cpu_sleeping || !sleep_gave_cpu)
		return;
	cpu_acquire(this_cpu);
	this_cpu_running = true;
	machine_up = !this_is_kthread &&
		     __atomic_load_n(&this_machine->up, __ATOMIC_ACQUIRE);
}

/*
 * On a one-CPU machine every thread that runs there runs on CPU 0, one at
 * a time, and a handover of the CPU is a release/acquire pair; so taking
 * CPU 0 waits for the thread that may be in the middle of an elided
 * critical section to leave it, and every thread that runs there later
 * reads up == false when it takes the CPU (machine_enter(),
 * cpu_sleep_end(), kernel threads never elide).  Elision stays off for the
 * machine's life.
 */
void machine_disable_up(struct foliage_machine *m)
{
	if (!__atomic_load_n(&m->up, __ATOMIC_ACQUIRE))
		return;
	if (this_machine == m && this_cpu_running) {
		__atomic_store_n(&m->up, false, __ATOMIC_RELEASE);
		machine_up = false;
		return;
	}
	cpu_acquire(&m->cpus[0]);
	__atomic_store_n(&m->up, false, __ATOMIC_RELEASE);
	cpu_release(&m->cpus[0]);
}

/* ---- attaching ------------------------------------------------------- */

static void detach_all(void *arg);

static void attach_key_init(void)
{
	(void)pthread_key_create(&attach_key, detach_all);
}

/* The calling thread's live record for @m; attach_lock held. */
static struct cpu_attach *find_attach(struct foliage_machine *m)
{
	struct cpu_attach *a;

	for (a = this_attach; a; a = a->next)
		if (a->m == m && a->generation == m->generation)
			return a;
	return NULL;
}

/* Forget the calling thread's records of destroyed machines; lock held. */
static void prune_attach(void)
{
	struct cpu_attach **pp = &this_attach, *a;

	while ((a = *pp)) {
		if (a->m) {
			pp = &a->next;
			continue;
		}
		*pp = a->next;
		free(a);
	}
	(void)pthread_setspecific(attach_key, this_attach);
}

/*
 * Attach the calling thread to @cpu of @m (-1: the first free one);
 * attach_lock held.  Returns the CPU, -EBUSY, -EINVAL or -ENOMEM.
 */
static int __cpu_attach(struct foliage_machine *m, int cpu,
			struct cpu_attach **out)
{
	struct cpu_attach *a = find_attach(m);
	int nr_attached = 0, i;

	if (a) {
		*out = a;
		return cpu < 0 || cpu == a->cpu ? a->cpu : -EBUSY;
	}
	if (cpu < 0) {
		for (cpu = 0; cpu < m->nr_cpus; cpu++)
			if (!m->cpus[cpu].attach)
				break;
		if (cpu == m->nr_cpus)
			return -EBUSY;
	} else if (m->cpus[cpu].attach) {
		return -EBUSY;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	/*
	 * No elision once a second thread is attached (unreachable today: a
	 * machine that elides has one CPU, and it is taken).
	 */
	for (i = 0; i < m->nr_cpus; i++)
		nr_attached += !!m->cpus[i].attach;
	if (nr_attached)
		machine_disable_up(m);
	a->m = m;
	a->generation = m->generation;
	a->cpu = cpu;
	a->next = this_attach;
	this_attach = a;
	(void)pthread_setspecific(attach_key, this_attach);
	m->cpus[cpu].attach = a;
	__atomic_store_n(&m->cpus[cpu].owner_tid, current_tid(),
			 __ATOMIC_RELEASE);
	*out = a;
	return cpu;
}

/* Stop running on the CPU of the machine the thread was last in. */
static void leave_current(void)
{
	struct foliage_machine *old = this_machine;
	struct cpu_attach *a;

	if (!this_cpu_running)
		return;
	/* Only if that machine is still alive: its record says so. */
	for (a = this_attach; a; a = a->next)
		if (a->m == old && a->generation == this_machine_generation &&
		    &old->cpus[a->cpu] == this_cpu) {
			cpu_release(this_cpu);
			break;
		}
	this_cpu_running = false;
}

int __machine_enter(struct foliage_machine *m)
{
	struct cpu_attach *a;
	int ret;

	if (this_machine == m && this_machine_generation == m->generation &&
	    this_cpu) {
		/* Attached (or bound) here, between two calls: run again. */
		cpu_acquire(this_cpu);
		this_cpu_running = true;
		this_arch = m->arch->id;
		machine_up = !this_is_kthread &&
			     __atomic_load_n(&m->up, __ATOMIC_ACQUIRE);
		return 0;
	}
	if (this_is_kthread)
		return -EINVAL;	/* a kernel thread runs in its machine only */
	(void)pthread_once(&attach_once, attach_key_init);
	pthread_mutex_lock(&attach_lock);
	leave_current();
	prune_attach();
	ret = __cpu_attach(m, -1, &a);
	pthread_mutex_unlock(&attach_lock);
	if (ret < 0)
		return ret;
	this_machine = m;
	this_machine_generation = m->generation;
	this_arch = m->arch->id;
	this_cpu = &m->cpus[a->cpu];
	cpu_acquire(this_cpu);
	this_cpu_running = true;
	machine_up = __atomic_load_n(&m->up, __ATOMIC_ACQUIRE);
	return 0;
}

void __machine_leave(struct foliage_machine *m)
{
	if (this_machine != m || !this_cpu_running || this_is_kthread)
		return;
	cpu_release(this_cpu);
	this_cpu_running = false;
}

void machine_leave(struct foliage_machine *m)
{
#ifdef CONFIG_DEBUG_VM
	/* A validation owed runs at the first quiet point. */
	if (this_machine == m && this_cpu_running &&
	    __atomic_load_n(&m->validate_pending, __ATOMIC_ACQUIRE))
		machine_op_done(m);
#endif
	__machine_leave(m);
}

int foliage_cpu_attach(struct foliage_machine *m, int cpu)
{
	struct cpu_attach *a;
	int ret;

	if (!m || cpu < -1 || cpu >= m->nr_cpus)
		return -EINVAL;
	if (this_is_kthread)
		return -EINVAL;
	(void)pthread_once(&attach_once, attach_key_init);
	pthread_mutex_lock(&attach_lock);
	prune_attach();
	ret = __cpu_attach(m, cpu, &a);
	pthread_mutex_unlock(&attach_lock);
	return ret;
}

/*
 * Detach @a's thread (the caller, or an exiting thread) from its CPU:
 * run there once more to give its per-CPU pages back, then free the CPU.
 * attach_lock held.
 */
static void __cpu_detach(struct cpu_attach *a)
{
	struct foliage_machine *m = a->m;
	struct foliage_cpu *cpu = &m->cpus[a->cpu];

	if (!(this_machine == m && this_cpu == cpu && this_cpu_running)) {
		if (this_cpu_running)
			leave_current();
		this_machine = m;
		this_machine_generation = m->generation;
		this_arch = m->arch->id;
		this_cpu = cpu;
		cpu_acquire(cpu);
		this_cpu_running = true;
	}
	machine_up = __atomic_load_n(&m->up, __ATOMIC_ACQUIRE);
	drain_local_pages(NULL);
	cpu_release(cpu);
	this_cpu_running = false;
	cpu->attach = NULL;
	__atomic_store_n(&cpu->owner_tid, 0, __ATOMIC_RELEASE);
	a->m = NULL;
	this_machine = NULL;
	this_cpu = NULL;
	machine_up = false;
}

int foliage_cpu_detach(struct foliage_machine *m)
{
	struct cpu_attach *a;

	if (!m)
		return -EINVAL;
	(void)pthread_once(&attach_once, attach_key_init);
	pthread_mutex_lock(&attach_lock);
	a = find_attach(m);
	if (a)
		__cpu_detach(a);
	prune_attach();
	pthread_mutex_unlock(&attach_lock);
	return a ? 0 : -EINVAL;
}

/* The pthread key destructor: an exiting thread frees its CPUs. */
static void detach_all(void *arg)
{
	struct cpu_attach *a;

	(void)arg;
	pthread_mutex_lock(&attach_lock);
	for (a = this_attach; a; a = a->next)
		if (a->m)
			__cpu_detach(a);
	prune_attach();
	pthread_mutex_unlock(&attach_lock);
}

void kthread_bind_self(struct foliage_machine *m, unsigned int cpu)
{
	this_is_kthread = true;
	this_machine = m;
	this_machine_generation = m->generation;
	this_arch = m->arch->id;
	this_cpu = &m->cpus[cpu];
	machine_up = false;
}

int foliage_cpu_current(struct foliage_machine *m)
{
	struct cpu_attach *a;
	int cpu;

	if (!m)
		return -EINVAL;
	(void)pthread_once(&attach_once, attach_key_init);
	pthread_mutex_lock(&attach_lock);
	a = find_attach(m);
	cpu = a ? a->cpu : -ENOENT;
	pthread_mutex_unlock(&attach_lock);
	return cpu;
}

/* ---- boot and shutdown ----------------------------------------------- */

int machine_cpus_init(struct foliage_machine *m)
{
	int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		struct foliage_cpu *c = &m->cpus[cpu];

		c->id = cpu;
		c->nid = cpu % (m->nr_nodes ? m->nr_nodes : 1);
		c->account_busy = m->config.real_time;
		pthread_mutex_init(&c->run_lock, NULL);
		pthread_cond_init(&c->run_cond, NULL);
	}
	pthread_mutex_init(&m->stop_lock, NULL);
	return 0;
}

/*
 * @m is going away: every thread still attached loses its record (its
 * per-CPU pages go with the machine).  No thread may run in @m now.
 */
void machine_cpus_exit(struct foliage_machine *m)
{
	int cpu;

	(void)pthread_once(&attach_once, attach_key_init);
	pthread_mutex_lock(&attach_lock);
	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		struct foliage_cpu *c = &m->cpus[cpu];

		if (c->attach) {
			c->attach->m = NULL;
			c->attach = NULL;
		}
	}
	if (this_machine == m) {
		this_machine = NULL;
		this_cpu = NULL;
		this_cpu_running = false;
		machine_up = false;
	}
	prune_attach();
	pthread_mutex_unlock(&attach_lock);
	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		pthread_mutex_destroy(&m->cpus[cpu].run_lock);
		pthread_cond_destroy(&m->cpus[cpu].run_cond);
	}
	pthread_mutex_destroy(&m->stop_lock);
}
