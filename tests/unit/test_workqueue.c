// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel threads, workqueues and the machine's clock (kernel/): work runs
 * on the CPU's kworker in queue order; delayed work runs only when the
 * virtual clock is advanced, in due order, with the clock at its due time;
 * flush and cancel wait as Linux's do; destroying a machine with work
 * queued or armed stops everything; foliage_validate() stops the machine
 * while kernel threads are busy; the real clock moves by itself.
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "internal.h"
#include <linux/cpu.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/stop_machine.h>
#include <linux/workqueue.h>

#define MAX_LOG	64

/* What ran, in order, and the jiffies it saw. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_ids[MAX_LOG];
static unsigned long log_jiffies[MAX_LOG];
static int log_cpus[MAX_LOG];
static int nr_log;

struct item {
	struct delayed_work dw;		/* the work (dw.work for plain work) */
	int id;				/* what it logs */
	struct delayed_work *rearm;	/* armed when it runs, if set */
	unsigned long rearm_delay;	/* with this delay */
};

static void log_reset(void)
{
	pthread_mutex_lock(&log_lock);
	nr_log = 0;
	pthread_mutex_unlock(&log_lock);
}

static int log_len(void)
{
	int n;

	pthread_mutex_lock(&log_lock);
	n = nr_log;
	pthread_mutex_unlock(&log_lock);
	return n;
}

static void item_fn(struct work_struct *work)
{
	struct item *it = container_of(to_delayed_work(work), struct item, dw);

	pthread_mutex_lock(&log_lock);
	if (nr_log < MAX_LOG) {
		log_ids[nr_log] = it->id;
		log_jiffies[nr_log] = jiffies;
		log_cpus[nr_log] = smp_processor_id();
		nr_log++;
	}
	pthread_mutex_unlock(&log_lock);
	if (it->rearm)
		queue_delayed_work(system_wq, it->rearm, it->rearm_delay);
}

static void item_init(struct item *it, int id)
{
	memset(it, 0, sizeof(*it));
	INIT_DELAYED_WORK(&it->dw, item_fn);
	it->id = id;
}

static void enter(struct foliage_machine *m)
{
	assert_int_equal(machine_enter(m), 0);
}

static void assert_log(const int *ids, int n)
{
	int i;

	assert_int_equal(log_len(), n);
	for (i = 0; i < n; i++)
		assert_int_equal(log_ids[i], ids[i]);
}

static uint64_t jiffies_ns(unsigned long j)
{
	return (uint64_t)j * TICK_NSEC;
}

static void test_work_runs_in_queue_order(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct item it[5];
	const int want[] = { 0, 1, 2, 3, 4 };
	int i;

	log_reset();
	enter(m);
	for (i = 0; i < 5; i++) {
		item_init(&it[i], i);
		assert_true(schedule_work(&it[i].dw.work));
	}
	/* Pending: queueing again is refused, as in Linux. */
	assert_false(schedule_work(&it[0].dw.work));
	assert_true(flush_work(&it[4].dw.work));
	assert_log(want, 5);
	/* Run on this thread's CPU, by its kworker. */
	for (i = 0; i < 5; i++)
		assert_int_equal(log_cpus[i], smp_processor_id());
	assert_false(work_pending(&it[0].dw.work));
	assert_false(flush_work(&it[0].dw.work));
	/* queue_work_on() picks the CPU. */
	log_reset();
	assert_true(queue_work_on(1, system_wq, &it[0].dw.work));
	/* CPU 1's worker may be done already: flush_work() is then false. */
	(void)flush_work(&it[0].dw.work);
	assert_int_equal(log_len(), 1);
	assert_int_equal(log_cpus[0], 1);
	machine_leave(m);
	test_machine_done(m);
}

static void test_delayed_work_on_virtual_clock(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct item a, b, c, d;
	const int first[] = { 2, 3 }, all[] = { 2, 3, 4, 1 };

	log_reset();
	enter(m);
	assert_int_equal(ktime_get_ns(), 0);
	assert_int_equal(jiffies, INITIAL_JIFFIES);
	item_init(&a, 1);
	item_init(&b, 2);
	item_init(&c, 3);
	item_init(&d, 4);
	assert_true(schedule_delayed_work(&a.dw, 30));
	assert_true(schedule_delayed_work(&b.dw, 10));
	assert_true(schedule_delayed_work(&c.dw, 10));	/* after b: same jiffy */
	assert_true(schedule_delayed_work(&d.dw, 20));
	assert_false(schedule_delayed_work(&d.dw, 5));	/* already pending */
	/* The clock stands still: nothing falls due, however long we wait. */
	flush_scheduled_work();
	usleep(10000);
	assert_int_equal(log_len(), 0);
	machine_leave(m);

	/* 9 jiffies: still nothing; the 10th: b then c, at their jiffy. */
	assert_int_equal(foliage_advance_time(m, jiffies_ns(9)), 0);
	assert_int_equal(log_len(), 0);
	assert_int_equal(foliage_time_ns(m), jiffies_ns(9));
	assert_int_equal(foliage_advance_time(m, jiffies_ns(1)), 0);
	assert_log(first, 2);
	assert_int_equal(log_jiffies[0], INITIAL_JIFFIES + 10);
	assert_int_equal(log_jiffies[1], INITIAL_JIFFIES + 10);
	/* One long step runs d, then a, each with the clock at its time. */
	assert_int_equal(foliage_advance_time(m, 2 * NSEC_PER_SEC), 0);
	assert_log(all, 4);
	assert_int_equal(log_jiffies[2], INITIAL_JIFFIES + 20);
	assert_int_equal(log_jiffies[3], INITIAL_JIFFIES + 30);
	assert_int_equal(foliage_time_ns(m), jiffies_ns(10) + 2 * NSEC_PER_SEC);
	test_machine_done(m);
}

/* Work that arms more work due inside the same step runs in due order. */
static void test_advance_overlapping_due_times(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct item a, b, c;
	const int want[] = { 1, 3, 2 };

	log_reset();
	enter(m);
	item_init(&a, 1);
	item_init(&b, 2);
	item_init(&c, 3);
	a.rearm = &c.dw;		/* a, due at 10, arms c at 10 + 5 */
	a.rearm_delay = 5;
	assert_true(schedule_delayed_work(&a.dw, 10));
	assert_true(schedule_delayed_work(&b.dw, 20));
	machine_leave(m);
	assert_int_equal(foliage_advance_time(m, jiffies_ns(25)), 0);
	assert_log(want, 3);
	assert_int_equal(log_jiffies[0], INITIAL_JIFFIES + 10);
	assert_int_equal(log_jiffies[1], INITIAL_JIFFIES + 15);
	assert_int_equal(log_jiffies[2], INITIAL_JIFFIES + 20);
	test_machine_done(m);
}

static void test_flush_and_cancel_delayed(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct item a, b, c;
	const int one[] = { 1 }, two[] = { 1, 3 };

	log_reset();
	enter(m);
	item_init(&a, 1);
	item_init(&b, 2);
	item_init(&c, 3);
	/* flush_delayed_work() runs it now, without moving the clock. */
	assert_true(schedule_delayed_work(&a.dw, 100));
	assert_true(delayed_work_pending(&a.dw));
	assert_true(flush_delayed_work(&a.dw));
	assert_log(one, 1);
	assert_false(delayed_work_pending(&a.dw));
	assert_int_equal(ktime_get_ns(), 0);
	/* Cancelled: never runs. */
	assert_true(schedule_delayed_work(&b.dw, 10));
	assert_true(cancel_delayed_work_sync(&b.dw));
	assert_false(cancel_delayed_work_sync(&b.dw));
	assert_false(cancel_work_sync(&b.dw.work));
	/* mod_delayed_work() moves the due time. */
	assert_false(mod_delayed_work(system_wq, &c.dw, 10));
	assert_true(mod_delayed_work(system_wq, &c.dw, 30));
	machine_leave(m);
	assert_int_equal(foliage_advance_time(m, jiffies_ns(29)), 0);
	assert_log(one, 1);
	assert_int_equal(foliage_advance_time(m, jiffies_ns(1)), 0);
	assert_log(two, 2);
	assert_int_equal(log_jiffies[1], INITIAL_JIFFIES + 30);
	assert_int_equal(foliage_advance_time(m, NSEC_PER_SEC), 0);
	assert_log(two, 2);
	test_machine_done(m);
}

/* A work item that blocks until the test lets it go. */
struct gate {
	struct work_struct work;	/* runs gate_fn */
	pthread_mutex_t lock;		/* protects the flags */
	pthread_cond_t cond;		/* signalled on every change */
	bool started, open, finished;	/* its progress */
};

static void gate_fn(struct work_struct *work)
{
	struct gate *g = container_of(work, struct gate, work);

	pthread_mutex_lock(&g->lock);
	g->started = true;
	pthread_cond_broadcast(&g->cond);
	while (!g->open)
		pthread_cond_wait(&g->cond, &g->lock);
	g->finished = true;
	pthread_mutex_unlock(&g->lock);
}

static void *open_gate_later(void *arg)
{
	struct gate *g = arg;

	usleep(20000);
	pthread_mutex_lock(&g->lock);
	g->open = true;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

static void gate_init(struct gate *g)
{
	memset(g, 0, sizeof(*g));
	INIT_WORK(&g->work, gate_fn);
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
}

static void gate_wait_started(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	while (!g->started)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

/* cancel_work_sync() of a running item: not pending, but waited for. */
static void test_cancel_sync_waits_for_running(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct gate g;
	pthread_t t;

	gate_init(&g);
	enter(m);
	assert_true(queue_work_on(1, system_wq, &g.work));
	gate_wait_started(&g);
	assert_false(work_pending(&g.work));
	assert_int_equal(pthread_create(&t, NULL, open_gate_later, &g), 0);
	assert_false(cancel_work_sync(&g.work));
	assert_true(g.finished);
	pthread_join(t, NULL);
	machine_leave(m);
	test_machine_done(m);
}

/* Destroy with one item running, many queued and some armed. */
struct stuck {
	struct work_struct work;	/* first, running at destroy */
	struct work_struct *next;	/* queued behind it */
	int waited_ms;			/* how long it waited */
};

static int ran_queued, all_queued;

static void count_fn(struct work_struct *work)
{
	__atomic_add_fetch(&ran_queued, 1, __ATOMIC_RELAXED);
}

static void stuck_fn(struct work_struct *work)
{
	struct stuck *s = container_of(work, struct stuck, work);

	/* Until destroy drops the items behind (bounded: 10 s). */
	while ((!__atomic_load_n(&all_queued, __ATOMIC_ACQUIRE) ||
		work_pending(s->next)) && s->waited_ms < 10000) {
		usleep(1000);
		s->waited_ms++;
	}
}

static void test_destroy_with_work_pending(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct work_struct queued[32];
	struct item delayed[4];
	struct stuck s;
	int i;

	enter(m);
	ran_queued = 0;
	all_queued = 0;
	INIT_WORK(&s.work, stuck_fn);
	s.waited_ms = 0;
	s.next = &queued[0];
	for (i = 0; i < 32; i++)
		INIT_WORK(&queued[i], count_fn);
	assert_true(queue_work_on(1, system_wq, &s.work));
	for (i = 0; i < 32; i++)
		assert_true(queue_work_on(1, system_wq, &queued[i]));
	for (i = 0; i < 4; i++) {
		item_init(&delayed[i], i);
		assert_true(schedule_delayed_work(&delayed[i].dw, i + 1));
	}
	__atomic_store_n(&all_queued, 1, __ATOMIC_RELEASE);
	machine_leave(m);
	/*
	 * Not test_machine_done(): its foliage_validate() would wait for the
	 * stuck item, which waits for the destroy.
	 */
	assert_int_equal(foliage_bugs(m), 0);
	foliage_machine_destroy(m);
	/* The running item finished; nothing queued or armed ran. */
	assert_in_range(s.waited_ms, 0, 9999);
	assert_int_equal(ran_queued, 0);
	for (i = 0; i < 32; i++)
		assert_false(work_pending(&queued[i]));
	for (i = 0; i < 4; i++)
		assert_false(delayed_work_pending(&delayed[i].dw));
}

/* ---- kernel threads ---------------------------------------------------- */

static int kthread_ret_fn(void *data)
{
	int *n = data;

	while (!kthread_should_stop()) {
		__atomic_add_fetch(n, 1, __ATOMIC_RELEASE);
		kthread_schedule();
	}
	return 42;
}

static void test_kthread_run_stop(void **state)
{
	struct foliage_config cfg;
	struct foliage_machine *m;
	struct kthread *k;
	int n = 0, i;

	foliage_config_init(&cfg);
	cfg.nr_cpus = 1;
	m = test_machine_cfg(&cfg);
	enter(m);
	/* One CPU, no kernel thread: locks and atomics are elided. */
	assert_true(machine_up);
	k = kthread_run_on_cpu(kthread_ret_fn, &n, 0, "test/%d", 0);
	assert_false(IS_ERR(k));
	/* From the first kernel thread on, real atomics for good. */
	assert_false(machine_up);
	assert_string_equal(kthread_name(k), "test/0");
	assert_int_equal(kthread_cpu(k), 0);
	assert_true(IS_ERR(kthread_run_on_cpu(kthread_ret_fn, &n, 1, "x")));
	/* It runs once this thread leaves the CPU, then sleeps. */
	machine_leave(m);
	for (i = 0; i < 10000 && !__atomic_load_n(&n, __ATOMIC_ACQUIRE); i++)
		usleep(1000);
	assert_int_equal(n, 1);
	assert_true(wake_up_process(k));
	assert_int_equal(kthread_stop(k), 42);
	assert_true(n >= 1 && n <= 2);
	enter(m);
	assert_false(machine_up);
	machine_leave(m);
	test_machine_done(m);
}

/*
 * A kernel thread and a user thread of the same CPU never run library
 * code at the same time: both check a plain counter while on the CPU.
 */
static int on_cpu0, max_on_cpu0;

static void on_cpu_enter(void)
{
	int n = __atomic_add_fetch(&on_cpu0, 1, __ATOMIC_RELAXED);

	if (n > __atomic_load_n(&max_on_cpu0, __ATOMIC_RELAXED))
		__atomic_store_n(&max_on_cpu0, n, __ATOMIC_RELAXED);
	usleep(50);
	__atomic_sub_fetch(&on_cpu0, 1, __ATOMIC_RELAXED);
}

static int sharing_fn(void *data)
{
	int i;

	for (i = 0; i < 200; i++) {
		on_cpu_enter();
		/* Give the CPU up, as a sleep would. */
		cpu_sleep_begin();
		cpu_sleep_end();
	}
	return 0;
}

static void test_kthread_and_user_share_cpu(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct kthread *k;
	int i;

	on_cpu0 = max_on_cpu0 = 0;
	assert_int_equal(foliage_cpu_attach(m, 0), 0);
	enter(m);
	k = kthread_run_on_cpu(sharing_fn, NULL, 0, "share");
	assert_false(IS_ERR(k));
	machine_leave(m);
	for (i = 0; i < 200; i++) {
		enter(m);
		assert_int_equal(this_cpu->runner_tid, gettid());
		on_cpu_enter();
		machine_leave(m);
	}
	assert_int_equal(kthread_stop(k), 0);
	assert_int_equal(max_on_cpu0, 1);
	test_machine_done(m);
}

/* ---- quiescence -------------------------------------------------------- */

struct churn {
	struct work_struct work;	/* requeues itself */
	int left;			/* runs to go */
	int running;			/* inside the function now */
};

static void churn_fn(struct work_struct *work)
{
	struct churn *c = container_of(work, struct churn, work);
	struct page *pages[16];
	int i;

	__atomic_store_n(&c->running, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 16; i++)
		pages[i] = alloc_pages(GFP_KERNEL, i & 1);
	for (i = 0; i < 16; i++)
		if (pages[i])
			__free_pages(pages[i], i & 1);
	__atomic_store_n(&c->running, 0, __ATOMIC_RELEASE);
	if (__atomic_sub_fetch(&c->left, 1, __ATOMIC_ACQ_REL) > 0)
		queue_work_on(smp_processor_id(), system_wq, work);
}

static struct churn churns[2];

static int check_parked(void *data)
{
	int *seen = data, i, j;

	for (j = 0; j < 5; j++) {
		for (i = 0; i < 2; i++)
			if (__atomic_load_n(&churns[i].running,
					    __ATOMIC_ACQUIRE))
				(*seen)++;
		usleep(200);
	}
	return 7;
}

static void test_validate_while_kthreads_run(void **state)
{
	struct foliage_config cfg;
	struct foliage_machine *m;
	int i, rounds = 0, seen = 0;

	foliage_config_init(&cfg);
	cfg.nr_cpus = 3;
	m = test_machine_cfg(&cfg);
	enter(m);
	for (i = 0; i < 2; i++) {
		INIT_WORK(&churns[i].work, churn_fn);
		churns[i].left = 400;
		churns[i].running = 0;
		assert_true(queue_work_on(i + 1, system_wq, &churns[i].work));
	}
	machine_leave(m);
	while (__atomic_load_n(&churns[0].left, __ATOMIC_ACQUIRE) > 0 ||
	       __atomic_load_n(&churns[1].left, __ATOMIC_ACQUIRE) > 0) {
		assert_int_equal(foliage_validate(m), 0);
		/* Stopped: no work function is inside, for a while. */
		assert_int_equal(stop_machine(m, check_parked, &seen), 7);
		rounds++;
	}
	assert_int_equal(seen, 0);
	assert_true(rounds >= 1);
	enter(m);
	flush_scheduled_work();
	machine_leave(m);
	assert_machine_ok(m);
	test_machine_done(m);
}

/* ---- the real clock ------------------------------------------------------ */

static void test_real_time_smoke(void **state)
{
	struct foliage_config cfg;
	struct foliage_machine *m;
	struct item a, b;
	uint64_t t0;

	foliage_config_init(&cfg);
	cfg.real_time = true;
	m = test_machine_cfg(&cfg);
	log_reset();
	enter(m);
	item_init(&a, 1);
	item_init(&b, 2);
	assert_true(schedule_delayed_work(&a.dw, 1));
	/* Far beyond the test's life: never due. */
	assert_true(schedule_delayed_work(&b.dw, 3600 * HZ));
	t0 = ktime_get_ns();
	machine_leave(m);
	/* Sleeps 10 ms of host time; a, due after 4 ms, has run by then. */
	assert_int_equal(foliage_advance_time(m, 10 * NSEC_PER_MSEC), 0);
	assert_true(foliage_time_ns(m) >= t0 + 10 * NSEC_PER_MSEC);
	assert_int_equal(log_len(), 1);
	assert_int_equal(log_ids[0], 1);
	assert_true(delayed_work_pending(&b.dw));
	test_machine_done(m);
	assert_false(delayed_work_pending(&b.dw));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_work_runs_in_queue_order),
		cmocka_unit_test(test_delayed_work_on_virtual_clock),
		cmocka_unit_test(test_advance_overlapping_due_times),
		cmocka_unit_test(test_flush_and_cancel_delayed),
		cmocka_unit_test(test_cancel_sync_waits_for_running),
		cmocka_unit_test(test_destroy_with_work_pending),
		cmocka_unit_test(test_kthread_run_stop),
		cmocka_unit_test(test_kthread_and_user_share_cpu),
		cmocka_unit_test(test_validate_while_kthreads_run),
		cmocka_unit_test(test_real_time_smoke),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
