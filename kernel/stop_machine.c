// SPDX-License-Identifier: GPL-2.0
/*
 * stop_machine(), and validation at quiet points.
 *
 * A machine is stopped when one thread runs on every one of its CPUs: no
 * other thread can then run library code in it (kernel threads are parked
 * waiting for their CPU, user threads wait in machine_enter() or in
 * cpu_sleep_end()).
 *
 * Debug builds validate after every operation (machine_exit_op(), and a
 * worker after every work item) what it touched (linux/validate.h: the
 * whole machine every debug.validate_every-th time), but only on a quiet
 * machine: the thread
 * ending an operation tries to take every other CPU without waiting.  If
 * one is busy, the validation is owed (validate_pending) and not skipped:
 * the next thread to end an operation on a quiet machine runs it.
 * foliage_validate() waits for the machine to stop.
 */
#include "internal.h"
#include "../mm/internal.h"

/* Take every CPU of @m but the caller's own one; false if @try fails. */
static bool take_cpus(struct foliage_machine *m, struct foliage_cpu *mine,
		      bool try)
{
	int cpu, i;

	for (cpu = 0; cpu < m->nr_cpus; cpu++) {
		struct foliage_cpu *c = &m->cpus[cpu];

		if (c == mine)
			continue;
		if (!try) {
			cpu_acquire(c);
		} else if (!cpu_tryacquire(c)) {
			for (i = 0; i < cpu; i++)
				if (&m->cpus[i] != mine)
					cpu_release(&m->cpus[i]);
			return false;
		}
	}
	return true;
}

static void give_cpus(struct foliage_machine *m, struct foliage_cpu *mine)
{
	int cpu;

	for (cpu = 0; cpu < m->nr_cpus; cpu++)
		if (&m->cpus[cpu] != mine)
			cpu_release(&m->cpus[cpu]);
}

/*
 * Run @fn with every CPU held: the caller's own (if it runs in @m) and the
 * rest.  The thread-local view is the caller's CPU, or CPU 0.
 */
static int __stop_machine(struct foliage_machine *m, int (*fn)(void *data),
			  void *data, bool try)
{
	struct foliage_machine *old_m = this_machine;
	struct foliage_cpu *old_cpu = this_cpu, *mine = NULL;
	extern __thread unsigned long this_machine_generation;
	unsigned long old_gen = this_machine_generation;
	bool old_running = this_cpu_running, old_up = machine_up;
	unsigned char old_arch = this_arch;
	int ret;

	if (this_machine == m && this_cpu_running)
		mine = this_cpu;
	if (try) {
		if (pthread_mutex_trylock(&m->stop_lock))
			return -EBUSY;
	} else {
		/* Waiting for the stop lock and CPUs: give this one up. */
		if (mine) {
			cpu_release(mine);
			this_cpu_running = false;
			mine = NULL;
		}
		pthread_mutex_lock(&m->stop_lock);
	}
	if (!take_cpus(m, mine, try)) {
		pthread_mutex_unlock(&m->stop_lock);
		return -EBUSY;
	}
	this_machine = m;
	this_machine_generation = m->generation;
	this_arch = m->arch->id;
	if (!mine)
		this_cpu = old_m == m && old_cpu ? old_cpu : &m->cpus[0];
	this_cpu_running = true;
	machine_up = false;
	ret = fn(data);
	give_cpus(m, mine);
	pthread_mutex_unlock(&m->stop_lock);
	this_machine = old_m;
	this_machine_generation = old_gen;
	this_arch = old_arch;
	this_cpu = old_cpu;
	machine_up = old_up;
	this_cpu_running = mine != NULL;
	if (old_running && !mine) {
		/* Run on this thread's own CPU again, as before. */
		cpu_acquire(old_cpu);
		this_cpu_running = true;
	}
	return ret;
}

int stop_machine(struct foliage_machine *m, int (*fn)(void *data), void *data)
{
	return __stop_machine(m, fn, data, false);
}

int try_stop_machine(struct foliage_machine *m, int (*fn)(void *data),
		     void *data)
{
	return __stop_machine(m, fn, data, true);
}

/*
 * The validators, on a stopped machine.  -EBUSY from them means a thread
 * asleep in the library holds an mmap_lock: its operation is half done,
 * and the check waits for a later quiet point.
 */
static int validate_stopped(void *data)
{
	struct foliage_machine *m = data;
	int ret = validate_machine();

	if (ret != -EBUSY)
		__atomic_store_n(&m->validate_pending, false,
				 __ATOMIC_RELEASE);
	return ret;
}

#ifdef CONFIG_DEBUG_VM
/* An operation's check (linux/validate.h): what it touched, on @m. */
struct validate_op {
	struct foliage_machine *m;	/* the machine */
	struct op_touched *touched;	/* the operating thread's record */
};

static int validate_stopped_op(void *data)
{
	struct validate_op *v = data;
	int ret = validate_after_op(v->m, v->touched);

	if (ret != -EBUSY)
		__atomic_store_n(&v->m->validate_pending, false,
				 __ATOMIC_RELEASE);
	return ret;
}

/*
 * After an operation of this thread: check what it touched.  A check
 * another operation still owes (its machine was busy) covers what that
 * one touched, which this thread cannot know: the whole machine then.
 */
void machine_op_done(struct foliage_machine *m)
{
	struct validate_op v = { .m = m, .touched = &this_touched };
	bool owed = __atomic_exchange_n(&m->validate_pending, true,
					__ATOMIC_ACQ_REL);
	int ret;

	if (owed)
		ret = try_stop_machine(m, validate_stopped, m);
	else
		ret = try_stop_machine(m, validate_stopped_op, &v);
	if (ret == -EBUSY)
		__atomic_add_fetch(&m->validate_deferred, 1, __ATOMIC_RELAXED);
}
#endif /* CONFIG_DEBUG_VM */

void machine_exit_op(struct foliage_machine *m)
{
#ifdef CONFIG_DEBUG_VM
	machine_op_done(m);
#endif
	__machine_leave(m);
}

int foliage_validate(struct foliage_machine *m)
{
	int ret;

	if (!m)
		return -EINVAL;
	ret = machine_enter(m);
	if (ret)
		return ret;
	__atomic_store_n(&m->validate_pending, true, __ATOMIC_RELEASE);
	ret = stop_machine(m, validate_stopped, m);
	__machine_leave(m);
	return ret;
}

unsigned long foliage_validate_deferred(struct foliage_machine *m)
{
	return __atomic_load_n(&m->validate_deferred, __ATOMIC_RELAXED);
}
