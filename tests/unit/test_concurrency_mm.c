// SPDX-License-Identifier: GPL-2.0
/*
 * The concurrency group: several threads, each attached to its own CPU of
 * one machine, run the mm at once, and the machine validates at the end.
 *
 *  - different mms: each thread has its own task and maps, fills, forks
 *    (the child writes, COW), mprotects and unmaps, checking its data;
 *  - one mm: threads map, fill, mprotect and unmap disjoint ranges of one
 *    task while another thread forks it and a reader walks all ranges;
 *  - the page allocator: threads allocate and free pages of several
 *    orders and drain the per-CPU lists of every CPU meanwhile.
 *
 * In every case kernel threads run work meanwhile: work items that
 * allocate and free pages and requeue themselves on CPUs the threads also
 * run on (the kworker and the thread take turns on the CPU) and on a CPU
 * of their own, and a delayed work item that rearms itself while another
 * thread advances the machine's clock.
 *
 * Threads attach implicitly (machine_enter() on their first call).  They
 * never call cmocka: each counts what went wrong, the main thread asserts
 * zero.  Clean under TSan (make check-tsan) and ASan.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "threads_helpers.h"
#include <linux/gfp.h>
#include <linux/workqueue.h>

#define NR_WORKERS	4
#define ROUNDS		3
#define REGION		(8 * PAGE_SIZE)
#define BASE		0x40000000UL
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON_FIXED	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_FIXED | \
			 FOLIAGE_MAP_ANONYMOUS)

static struct foliage_machine *m;

static int setup(void **state)
{
	m = threads_machine(32);
	return 0;
}

static int teardown(void **state)
{
	threads_machine_done(m);
	return 0;
}

struct worker {
	pthread_t thread;		/* the thread */
	int id;				/* 0..NR_WORKERS-1 */
	struct foliage_task *task;	/* shared task, or NULL: its own */
	int errors;			/* what went wrong */
	char what[192];			/* the first of it */
};

/* Fill [addr, addr + len) of @t with @byte and read it back. */
static void fill_check(struct worker *w, struct foliage_task *t,
		       unsigned long addr, unsigned long len, int byte)
{
	static __thread unsigned char buf[REGION];
	unsigned long i;

	memset(buf, byte, len);
	check(w, !foliage_access(t, addr, buf, len, true, NULL));
	memset(buf, 0, len);
	check(w, !foliage_access(t, addr, buf, len, false, NULL));
	for (i = 0; i < len; i++)
		if (buf[i] != (unsigned char)byte) {
			check(w, buf[i] == (unsigned char)byte);
			break;
		}
}

static void expect_byte(struct worker *w, struct foliage_task *t,
			unsigned long addr, int byte)
{
	unsigned char c = 0;

	check(w, !foliage_access(t, addr, &c, 1, false, NULL));
	check(w, c == (unsigned char)byte);
}

/* One task per thread: map, fill, fork + COW, mprotect, unmap. */
static void *own_mm_worker(void *arg)
{
	struct worker *w = arg;
	struct foliage_task *t = NULL, *c = NULL;
	unsigned long addr = BASE;
	char name[16];
	int r;

	snprintf(name, sizeof(name), "own%d", w->id);
	check(w, !foliage_task_create(m, name, &t));
	if (!t)
		return NULL;
	for (r = 0; r < ROUNDS; r++) {
		check(w, !foliage_mmap(t, addr, REGION, RW, ANON_FIXED, NULL,
				       0, &addr));
		fill_check(w, t, addr, REGION, 'a' + r);
		check(w, !foliage_fork(t, "child", &c));
		if (c) {
			fill_check(w, c, addr, PAGE_SIZE, 'C');
			expect_byte(w, t, addr, 'a' + r);
			check(w, !foliage_exit(c));
			c = NULL;
		}
		check(w, !foliage_mprotect(t, addr, REGION / 2,
					   FOLIAGE_PROT_READ));
		expect_byte(w, t, addr + PAGE_SIZE, 'a' + r);
		check(w, !foliage_mprotect(t, addr, REGION / 2, RW));
		fill_check(w, t, addr, PAGE_SIZE, 'z');
		check(w, !foliage_munmap(t, addr, REGION));
	}
	check(w, !foliage_exit(t));
	return NULL;
}

/* Disjoint ranges of one shared task. */
static void *shared_mm_worker(void *arg)
{
	struct worker *w = arg;
	unsigned long want = BASE + (unsigned long)w->id * 4 * REGION, addr;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		check(w, !foliage_mmap(w->task, want, REGION, RW, ANON_FIXED,
				       NULL, 0, &addr));
		check(w, addr == want);
		fill_check(w, w->task, want, REGION, 'A' + w->id);
		check(w, !foliage_mprotect(w->task, want + PAGE_SIZE,
					   PAGE_SIZE, FOLIAGE_PROT_READ));
		expect_byte(w, w->task, want + PAGE_SIZE, 'A' + w->id);
		check(w, !foliage_madvise(w->task, want, 2 * PAGE_SIZE,
					  FOLIAGE_MADV_DONTNEED));
		expect_byte(w, w->task, want, 0);
		check(w, !foliage_munmap(w->task, want, REGION));
	}
	return NULL;
}

/* Fork the shared task over and over while the others change it. */
static void *shared_mm_forker(void *arg)
{
	struct worker *w = arg;
	struct foliage_task *c;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		c = NULL;
		check(w, !foliage_fork(w->task, "forked", &c));
		if (c)
			check(w, !foliage_exit(c));
	}
	return NULL;
}

/* Read every worker's range: data or a fault (unmapped), never garbage. */
static void *shared_mm_reader(void *arg)
{
	struct worker *w = arg;
	unsigned char c;
	int r, i, ret;

	for (r = 0; r < 4 * ROUNDS; r++)
		for (i = 0; i < NR_WORKERS; i++) {
			unsigned long a = BASE + (unsigned long)i * 4 * REGION +
					  2 * PAGE_SIZE;

			c = 0;
			ret = foliage_access(w->task, a, &c, 1, false, NULL);
			check(w, ret == 0 || ret == -EFAULT);
			check(w, ret || c == 0 || c == 'A' + i);
		}
	return NULL;
}

/* Allocate and free pages of orders 0..3, draining every CPU's lists. */
static void *alloc_worker(void *arg)
{
	struct worker *w = arg;
	unsigned long pfns[32];
	int r, i;

	for (r = 0; r < 4 * ROUNDS; r++) {
		for (i = 0; i < 32; i++)
			check(w, !foliage_alloc_pages(m, FOLIAGE_GFP_KERNEL,
						      i % 4, -1, &pfns[i]));
		for (i = 0; i < 32; i++)
			check(w, !foliage_free_pages(m, pfns[i], i % 4, 0));
		if (r % 4 == w->id % 4)
			check(w, !foliage_drain_pages(m));
	}
	return NULL;
}

/* ---- kernel threads running work meanwhile ---- */

#define NR_KWORK	5
#define KWORK_PAGES	8

struct kwork {
	struct work_struct work;	/* requeues itself until stop */
	int cpu;			/* where it runs */
	unsigned long runs;		/* times it ran (its own CPU only) */
	int errors;			/* allocations that failed */
};

static struct kwork kwork[NR_KWORK];
static struct delayed_work ktimer;	/* rearms itself every jiffy */
static unsigned long ktimer_runs;	/* times it fell due */
static bool kstop;			/* stop requeueing (atomic) */
static pthread_t advancer;		/* advances the machine's clock */

static void kwork_fn(struct work_struct *work)
{
	struct kwork *k = container_of(work, struct kwork, work);
	struct page *pages[KWORK_PAGES];
	int i;

	for (i = 0; i < KWORK_PAGES; i++) {
		pages[i] = __alloc_pages(GFP_KERNEL, i % 4, -1);
		if (!pages[i])
			k->errors++;
	}
	for (i = 0; i < KWORK_PAGES; i++)
		if (pages[i])
			__free_pages(pages[i], i % 4);
	__atomic_fetch_add(&k->runs, 1, __ATOMIC_RELAXED);
	if (!__atomic_load_n(&kstop, __ATOMIC_ACQUIRE))
		queue_work_on(k->cpu, system_wq, &k->work);
}

static void ktimer_fn(struct work_struct *work)
{
	__atomic_fetch_add(&ktimer_runs, 1, __ATOMIC_RELAXED);
	if (!__atomic_load_n(&kstop, __ATOMIC_ACQUIRE))
		queue_delayed_work_on(NR_WORKERS + 6, system_wq, &ktimer, 1);
}

static void *advancer_fn(void *arg)
{
	int i;

	/* 200 jiffies: each step makes the timer fall due once. */
	for (i = 0; i < 200 && !__atomic_load_n(&kstop, __ATOMIC_ACQUIRE); i++)
		if (foliage_advance_time(m, 4000000))
			return (void *)1;
	return NULL;
}

/* Start the work items (on CPUs 1..4, shared, and 12) and the timer. */
static void kernel_work_start(void)
{
	int i;

	__atomic_store_n(&kstop, false, __ATOMIC_RELEASE);
	ktimer_runs = 0;
	assert_int_equal(machine_enter(m), 0);
	for (i = 0; i < NR_KWORK; i++) {
		kwork[i] = (struct kwork){ .cpu = i < 4 ? 1 + i : 12 };
		INIT_WORK(&kwork[i].work, kwork_fn);
		assert_true(queue_work_on(kwork[i].cpu, system_wq,
					  &kwork[i].work));
	}
	INIT_DELAYED_WORK(&ktimer, ktimer_fn);
	assert_true(queue_delayed_work_on(NR_WORKERS + 6, system_wq, &ktimer,
					  1));
	machine_leave(m);
	assert_int_equal(pthread_create(&advancer, NULL, advancer_fn, NULL), 0);
}

/*
 * Whether every work item and the timer ran at least once.  On a busy
 * host the mm workers may be done before the kernel threads ran at all:
 * the stop waits for them (up to 20 s) rather than cut them short.
 */
static bool kernel_work_all_ran(void)
{
	int i;

	for (i = 0; i < NR_KWORK; i++)
		if (!__atomic_load_n(&kwork[i].runs, __ATOMIC_RELAXED))
			return false;
	return __atomic_load_n(&ktimer_runs, __ATOMIC_RELAXED) > 0;
}

/* Stop them; each ran, and never failed to allocate. */
static void kernel_work_stop(void)
{
	void *ret;
	int i;

	for (i = 0; i < 20000 && !kernel_work_all_ran(); i++)
		usleep(1000);
	__atomic_store_n(&kstop, true, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(advancer, &ret), 0);
	assert_null(ret);
	assert_int_equal(machine_enter(m), 0);
	for (i = 0; i < NR_KWORK; i++)
		cancel_work_sync(&kwork[i].work);
	cancel_delayed_work_sync(&ktimer);
	machine_leave(m);
	for (i = 0; i < NR_KWORK; i++) {
		assert_true(kwork[i].runs > 0);
		assert_int_equal(kwork[i].errors, 0);
	}
	assert_true(ktimer_runs > 0);
}

static void join_and_check(struct worker *w, int n)
{
	int i;

	for (i = 0; i < n; i++)
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
	kernel_work_stop();
	for (i = 0; i < n; i++)
		if (w[i].errors)
			fail_msg("worker %d: %d errors, first %s", i,
				 w[i].errors, w[i].what);
	assert_int_equal(foliage_validate(m), 0);
	if (foliage_bugs(m))
		fail_msg("bug: %s", foliage_first_bug(m));
}

static void start(struct worker *w, int id, struct foliage_task *task,
		  void *(*fn)(void *))
{
	w->id = id;
	w->task = task;
	assert_int_equal(pthread_create(&w->thread, NULL, fn, w), 0);
}

/* Threads in different mms at once. */
static void test_different_mms(void **state)
{
	struct worker w[NR_WORKERS] = { 0 };
	int i;

	kernel_work_start();
	for (i = 0; i < NR_WORKERS; i++)
		start(&w[i], i, NULL, own_mm_worker);
	join_and_check(w, NR_WORKERS);
}

/* Threads in one mm: disjoint ranges, a forker and a reader. */
static void test_one_mm(void **state)
{
	struct worker w[NR_WORKERS + 2] = { 0 };
	struct foliage_task *t = new_task(m, "shared");
	int i;

	kernel_work_start();
	for (i = 0; i < NR_WORKERS; i++)
		start(&w[i], i, t, shared_mm_worker);
	start(&w[NR_WORKERS], NR_WORKERS, t, shared_mm_forker);
	start(&w[NR_WORKERS + 1], NR_WORKERS + 1, t, shared_mm_reader);
	join_and_check(w, NR_WORKERS + 2);
	assert_int_equal(foliage_exit(t), 0);
}

/* The page allocator and pcp drains from all CPUs. */
static void test_page_allocator(void **state)
{
	struct worker w[NR_WORKERS] = { 0 };
	int i;

	kernel_work_start();
	for (i = 0; i < NR_WORKERS; i++)
		start(&w[i], i, NULL, alloc_worker);
	join_and_check(w, NR_WORKERS);
	assert_int_equal(foliage_drain_pages(m), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_different_mms),
		cmocka_unit_test(test_one_mm),
		cmocka_unit_test(test_page_allocator),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
