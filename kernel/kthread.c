// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel threads: a host thread per kthread, bound to one CPU of its
 * machine, holding that CPU while it runs and giving it up while it sleeps.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

static __thread struct kthread *this_kthread;

struct kthread *current_kthread(void)
{
	return this_kthread;
}

const char *kthread_name(const struct kthread *k)
{
	return k->name;
}

unsigned int kthread_cpu(const struct kthread *k)
{
	return k->cpu;
}

unsigned int kthread_default_cpu(void)
{
	return this_cpu && this_machine ? (unsigned int)this_cpu->id : 0;
}

static void *kthread_main(void *arg)
{
	struct kthread *k = arg;
	int ret;

	this_kthread = k;
	kthread_bind_self(k->machine, k->cpu);
	cpu_acquire(this_cpu);
	this_cpu_running = true;
	ret = k->threadfn(k->data);
	if (this_cpu_running) {
		cpu_release(this_cpu);
		this_cpu_running = false;
	}
	pthread_mutex_lock(&k->lock);
	k->ret = ret;
	k->exited = true;
	pthread_cond_broadcast(&k->wake);
	pthread_mutex_unlock(&k->lock);
	return NULL;
}

struct kthread *__kthread_run_on_cpu(struct foliage_machine *m,
				     int (*threadfn)(void *data), void *data,
				     unsigned int cpu, const char *namefmt, ...)
{
	struct machine_kernel *mk;
	struct kthread *k;
	va_list ap;
	int ret;

	if (!m || !threadfn || cpu >= (unsigned int)m->nr_cpus)
		return ERR_PTR(-EINVAL);
	mk = m->kernel;
	k = calloc(1, sizeof(*k));
	if (!k)
		return ERR_PTR(-ENOMEM);
	k->machine = m;
	k->cpu = cpu;
	k->threadfn = threadfn;
	k->data = data;
	va_start(ap, namefmt);
	vsnprintf(k->name, sizeof(k->name), namefmt, ap);
	va_end(ap);
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->wake, NULL);
	/* From the first kernel thread on, no lock elision (atomic.h). */
	machine_disable_up(m);
	pthread_mutex_lock(&mk->kthreads_lock);
	ret = pthread_create(&k->thread, NULL, kthread_main, k);
	if (!ret) {
		list_add_tail(&k->list, &mk->kthreads);
		mk->nr_kthreads_ever++;
	}
	pthread_mutex_unlock(&mk->kthreads_lock);
	if (ret) {
		pthread_cond_destroy(&k->wake);
		pthread_mutex_destroy(&k->lock);
		free(k);
		return ERR_PTR(-ret);
	}
	return k;
}

bool kthread_should_stop(void)
{
	struct kthread *k = this_kthread;
	bool stop;

	if (!k)
		return false;
	pthread_mutex_lock(&k->lock);
	stop = k->should_stop;
	pthread_mutex_unlock(&k->lock);
	return stop;
}

void kthread_schedule(void)
{
	struct kthread *k = this_kthread;

	if (!k)
		return;
	cpu_sleep_begin();
	pthread_mutex_lock(&k->lock);
	while (!k->woken && !k->should_stop)
		pthread_cond_wait(&k->wake, &k->lock);
	k->woken = false;
	pthread_mutex_unlock(&k->lock);
	cpu_sleep_end();
}

bool wake_up_process(struct kthread *k)
{
	bool was;

	pthread_mutex_lock(&k->lock);
	was = !k->woken;
	k->woken = true;
	pthread_cond_broadcast(&k->wake);
	pthread_mutex_unlock(&k->lock);
	return was;
}

int kthread_stop(struct kthread *k)
{
	struct machine_kernel *mk = k->machine->kernel;
	int ret;

	pthread_mutex_lock(&k->lock);
	k->should_stop = true;
	pthread_cond_broadcast(&k->wake);
	pthread_mutex_unlock(&k->lock);
	/* The thread may need this caller's CPU to get to its end. */
	cpu_sleep_begin();
	pthread_join(k->thread, NULL);
	cpu_sleep_end();
	pthread_mutex_lock(&mk->kthreads_lock);
	list_del(&k->list);
	pthread_mutex_unlock(&mk->kthreads_lock);
	ret = k->ret;
	pthread_cond_destroy(&k->wake);
	pthread_mutex_destroy(&k->lock);
	free(k);
	return ret;
}

/* Stop every kernel thread still running: the machine is going away. */
void kthreads_exit(struct foliage_machine *m)
{
	struct machine_kernel *mk = m->kernel;

	for (;;) {
		struct kthread *k = NULL;

		pthread_mutex_lock(&mk->kthreads_lock);
		if (!list_empty(&mk->kthreads))
			k = list_first_entry(&mk->kthreads, struct kthread,
					     list);
		pthread_mutex_unlock(&mk->kthreads_lock);
		if (!k)
			break;
		(void)kthread_stop(k);
	}
}
