// SPDX-License-Identifier: GPL-2.0
/*
 * The CPUs of a machine (kernel/cpu.c): attaching and detaching threads,
 * -EBUSY and -EINVAL, -1 for a free CPU, CPUs given back by exiting
 * threads, per-CPU lists drained on detach, and threads on different CPUs
 * allocating at the same time.
 */
#include <pthread.h>

#include "helpers.h"
#include "internal.h"
#include "task.h"

/* A thread that runs a function, then waits to be let go. */
struct worker {
	struct foliage_machine *m;	/* the machine */
	int (*fn)(struct worker *w);	/* what it runs first */
	void (*after)(struct worker *w); /* and when let go, if set */
	int arg;			/* for fn */
	int ret;			/* fn's result */
	pthread_mutex_t lock;		/* protects the flags */
	pthread_cond_t cond;		/* signalled on each change */
	bool done, go;			/* progress */
	pthread_t thread;		/* the thread */
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	w->ret = w->fn(w);
	pthread_mutex_lock(&w->lock);
	w->done = true;
	pthread_cond_broadcast(&w->cond);
	while (!w->go)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
	if (w->after)
		w->after(w);
	return NULL;
}

/* Start @fn(@arg) on a new thread; returns its result, thread kept. */
static int worker_start(struct worker *w, struct foliage_machine *m,
			int (*fn)(struct worker *w), int arg)
{
	*w = (struct worker){ .m = m, .fn = fn, .arg = arg };
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	assert_int_equal(pthread_create(&w->thread, NULL, worker_main, w), 0);
	pthread_mutex_lock(&w->lock);
	while (!w->done)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
	return w->ret;
}

static void worker_stop(struct worker *w)
{
	pthread_mutex_lock(&w->lock);
	w->go = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	assert_int_equal(pthread_join(w->thread, NULL), 0);
}

static int do_attach(struct worker *w)
{
	return foliage_cpu_attach(w->m, w->arg);
}

static void test_attach_detach(void **state)
{
	struct foliage_config cfg;
	struct foliage_machine *m;
	struct worker a, b, c;

	foliage_config_init(&cfg);
	cfg.nr_nodes = 2;
	cfg.bytes_per_node = 16ULL << 20;
	cfg.nr_cpus = 3;
	m = test_machine_cfg(&cfg);	/* the creator leaves CPU 0 attached */
	assert_int_equal(foliage_cpu_current(m), 0);

	assert_int_equal(foliage_cpu_attach(m, 3), -EINVAL);
	assert_int_equal(foliage_cpu_attach(m, -2), -EINVAL);
	assert_int_equal(foliage_cpu_attach(NULL, 0), -EINVAL);
	assert_int_equal(foliage_cpu_attach(m, 0), 0);	/* already there */
	assert_int_equal(foliage_cpu_attach(m, -1), 0);
	assert_int_equal(foliage_cpu_attach(m, 2), -EBUSY); /* elsewhere */

	/* Another thread: CPU 0 is taken, 2 is free, -1 picks 1. */
	assert_int_equal(worker_start(&a, m, do_attach, 0), -EBUSY);
	worker_stop(&a);
	assert_int_equal(worker_start(&a, m, do_attach, 2), 2);
	assert_int_equal(worker_start(&b, m, do_attach, -1), 1);
	assert_int_equal(worker_start(&c, m, do_attach, -1), -EBUSY);
	worker_stop(&c);
	/* A thread that exits gives its CPU back. */
	worker_stop(&b);
	assert_int_equal(worker_start(&c, m, do_attach, 1), 1);
	worker_stop(&c);

	/* This thread moves from CPU 0 to CPU 1 (on node 1). */
	assert_int_equal(foliage_cpu_detach(m), 0);
	assert_int_equal(foliage_cpu_current(m), -ENOENT);
	assert_int_equal(foliage_cpu_detach(m), -EINVAL);
	assert_int_equal(foliage_cpu_attach(m, 1), 1);
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(smp_processor_id(), 1);
	assert_int_equal(numa_node_id(), 1);
	machine_leave(m);
	/* A call without attaching attaches to the first free CPU. */
	assert_int_equal(foliage_cpu_detach(m), 0);
	assert_int_equal(foliage_validate(m), 0);
	assert_int_equal(foliage_cpu_current(m), 0);
	worker_stop(&a);
	test_machine_done(m);
}

/* Free 32 order-0 pages into this CPU's pcp list. */
static int fill_pcp(struct worker *w)
{
	unsigned long pfns[32];
	int i, ret;

	ret = foliage_cpu_attach(w->m, w->arg);
	if (ret < 0)
		return ret;
	for (i = 0; i < 32; i++)
		if (foliage_alloc_pages(w->m, FOLIAGE_GFP_KERNEL, 0, 0, &pfns[i]))
			return -ENOMEM;
	for (i = 0; i < 32; i++)
		if (foliage_free_pages(w->m, pfns[i], 0, 0))
			return -EINVAL;
	return 0;
}

static int fill_pcp_detach(struct worker *w)
{
	return fill_pcp(w) ?: foliage_cpu_detach(w->m);
}

static void test_detach_drains_pcp(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct zone *z = test_zone(m, 0, 0);
	struct worker a;

	/* Attached and alive: its pages stay on CPU 1's lists. */
	assert_int_equal(worker_start(&a, m, fill_pcp, 1), 0);
	assert_int_not_equal(z->per_cpu_pageset[1].count, 0);
	worker_stop(&a);
	/* Exited: drained. */
	assert_int_equal(z->per_cpu_pageset[1].count, 0);
	/* Detached explicitly: drained. */
	assert_int_equal(worker_start(&a, m, fill_pcp_detach, 1), 0);
	assert_int_equal(z->per_cpu_pageset[1].count, 0);
	worker_stop(&a);
	assert_machine_ok(m);
	assert_free_accounting(m);
	test_machine_done(m);
}

/* Two threads on two CPUs allocating and freeing at the same time. */
#define NR_ROUNDS	300

static int churn(struct worker *w)
{
	unsigned long pfns[8];
	int i, j, ret;

	ret = foliage_cpu_attach(w->m, w->arg);
	if (ret != w->arg)
		return -EBUSY;
	for (i = 0; i < NR_ROUNDS; i++) {
		for (j = 0; j < 8; j++)
			if (foliage_alloc_pages(w->m, FOLIAGE_GFP_KERNEL,
						j & 3, -1, &pfns[j]))
				return -ENOMEM;
		for (j = 0; j < 8; j++)
			if (foliage_free_pages(w->m, pfns[j], j & 3, 0))
				return -EINVAL;
	}
	return foliage_cpu_current(w->m);
}

static void *racer_main(void *arg)
{
	struct worker *w = arg;

	w->ret = churn(w);
	return NULL;
}

static void test_two_cpus_allocate_concurrently(void **state)
{
	struct foliage_config cfg;
	struct foliage_machine *m;
	struct worker w[2];
	unsigned long before, after;
	int i;

	foliage_config_init(&cfg);
	cfg.bytes_per_node = 16ULL << 20;
	cfg.nr_cpus = 3;
	m = test_machine_cfg(&cfg);
	assert_int_equal(foliage_vmstat(m, "pgalloc_normal", &before), 0);
	for (i = 0; i < 2; i++) {
		w[i] = (struct worker){ .m = m, .arg = i + 1 };
		assert_int_equal(pthread_create(&w[i].thread, NULL, racer_main,
						&w[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
		assert_int_equal(w[i].ret, i + 1);
	}
	/* Every allocation counted once: per-CPU counters had one user. */
	assert_int_equal(foliage_vmstat(m, "pgalloc_normal", &after), 0);
	assert_int_equal(after - before, 2UL * NR_ROUNDS * (1 + 2 + 4 + 8) * 2);
	assert_machine_ok(m);
	assert_free_accounting(m);
	test_machine_done(m);
}

/*
 * A thread that holds an mm's mmap_lock outside any CPU (as one asleep in
 * the middle of an operation would): validation is not passed silently.
 */
static struct foliage_task *held_task;

static int hold_mmap_lock(struct worker *w)
{
	int ret = machine_enter(w->m);

	if (ret)
		return ret;
	pthread_rwlock_rdlock(&held_task->task.mm->mmap_lock);
	machine_leave(w->m);
	return 0;
}

static void release_mmap_lock(struct worker *w)
{
	pthread_rwlock_unlock(&held_task->task.mm->mmap_lock);
}

static void test_validate_never_skips_busy_mm(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct foliage_task *other;
	unsigned long addr, deferred;
	struct worker w;

	assert_int_equal(foliage_task_create(m, "held", &held_task), 0);
	assert_int_equal(foliage_task_create(m, "other", &other), 0);
	assert_int_equal(worker_start(&w, m, hold_mmap_lock, 0), 0);
	w.after = release_mmap_lock;
	assert_int_equal(foliage_validate(m), -EBUSY);
	deferred = foliage_validate_deferred(m);
	assert_int_equal(foliage_mmap(other, 0, 4096, FOLIAGE_PROT_READ |
				      FOLIAGE_PROT_WRITE, FOLIAGE_MAP_PRIVATE |
				      FOLIAGE_MAP_ANONYMOUS, NULL, 0, &addr), 0);
	/* Debug builds: the check after the mmap is owed, not skipped. */
	if (foliage_debug_vm())
		assert_int_equal(foliage_validate_deferred(m), deferred + 1);
	worker_stop(&w);		/* unlocks, exits */
	assert_int_equal(foliage_validate(m), 0);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attach_detach),
		cmocka_unit_test(test_detach_drains_pcp),
		cmocka_unit_test(test_two_cpus_allocate_concurrently),
		cmocka_unit_test(test_validate_never_skips_busy_mm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
