// SPDX-License-Identifier: GPL-2.0
/*
 * Sleeping folio waits: a folio-lock waiter sleeps (on a wait queue, in
 * the host kernel's sleeping state, not spinning) until the holder
 * unlocks and wakes it; folio_wait_locked() waits without taking the
 * lock; a fault on a migration entry, by the task's own access or by GUP,
 * sleeps until the entries are removed and then sees the data.
 *
 * Threads attach to the machine implicitly (machine_enter() on their
 * first call).  Worker threads never call cmocka: they record what they
 * saw and the main thread asserts it.
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "rmap_helpers.h"
#include "threads_helpers.h"

#define BASE		0x20000000UL
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON_FIXED	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_FIXED | \
			 FOLIAGE_MAP_ANONYMOUS)

static struct foliage_machine *m;

static int setup(void **state)
{
	m = threads_machine(128);
	return 0;
}

static int teardown(void **state)
{
	threads_machine_done(m);
	return 0;
}

struct waiter {
	pthread_t thread;		/* the sleeper */
	void (*action)(struct waiter *w); /* what it does, inside m */
	int tid;			/* its host tid */
	struct folio *folio;		/* what it waits on */
	struct foliage_task *task;	/* whose memory it touches */
	unsigned char buf[PAGE_SIZE];	/* what it read */
	int ret;			/* its call's result */
	bool done;			/* set once it returned */
};

/* The host kernel's state letter of thread @tid ('S': sleeping). */
static char thread_state(int tid)
{
	char path[64], buf[256], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/*
 * Wait (up to 10 s) until @w's thread is queued on its folio
 * (PG_waiters) and asleep in the host kernel; fail if it returned.
 */
static void wait_until_asleep(struct waiter *w)
{
	int i;

	for (i = 0; i < 10000; i++) {
		if (__atomic_load_n(&w->done, __ATOMIC_ACQUIRE))
			fail_msg("the waiter returned while the folio was locked");
		if (__atomic_load_n(&w->tid, __ATOMIC_ACQUIRE) &&
		    folio_test_waiters(w->folio) &&
		    thread_state(w->tid) == 'S')
			return;
		usleep(1000);
	}
	fail_msg("the waiter never went to sleep (state %c)",
		 thread_state(w->tid));
}

/* The thread: attach (implicitly), say who it is, act, say it is done. */
static void *waiter_thread(void *arg)
{
	struct waiter *w = arg;

	if (machine_enter(m))
		return NULL;
	__atomic_store_n(&w->tid, gettid(), __ATOMIC_RELEASE);
	w->action(w);
	__atomic_store_n(&w->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static void waiter_start(struct waiter *w, void (*action)(struct waiter *w))
{
	__atomic_store_n(&w->tid, 0, __ATOMIC_RELAXED);
	w->done = false;
	w->action = action;
	assert_int_equal(pthread_create(&w->thread, NULL, waiter_thread, w),
			 0);
}

static void waiter_join(struct waiter *w)
{
	assert_int_equal(pthread_join(w->thread, NULL), 0);
	assert_true(w->done);
	assert_int_equal(machine_enter(m), 0);
}

static void lock_waiter(struct waiter *w)
{
	folio_lock(w->folio);
	w->ret = folio_test_locked(w->folio);
	folio_unlock(w->folio);
}

static void wait_locked_waiter(struct waiter *w)
{
	folio_wait_locked(w->folio);
	/* Woken with the lock free, not taken. */
	w->ret = folio_test_locked(w->folio);
}

/* A folio-lock waiter sleeps and is woken by the unlock; it then holds it. */
static void test_folio_lock_sleeps_and_is_woken(void **state)
{
	struct folio *folio = folio_alloc(GFP_KERNEL, 0);
	struct waiter w = { .folio = folio };

	assert_non_null(folio);
	assert_true(folio_trylock(folio));
	assert_false(folio_trylock(folio));
	waiter_start(&w, lock_waiter);
	wait_until_asleep(&w);
	folio_unlock(folio);
	waiter_join(&w);
	assert_int_equal(w.ret, 1);		/* it held the lock */
	assert_false(folio_test_locked(folio));
	/* The last unlock found nobody queued: PG_waiters is clear again. */
	assert_false(folio_test_waiters(folio));
	folio_put(folio);
}

/* folio_wait_locked() sleeps until the unlock and leaves the lock free. */
static void test_folio_wait_locked(void **state)
{
	struct folio *folio = folio_alloc(GFP_KERNEL, 0);
	struct waiter a = { .folio = folio }, b = { .folio = folio };

	assert_non_null(folio);
	folio_lock(folio);
	waiter_start(&a, wait_locked_waiter);
	waiter_start(&b, lock_waiter);
	wait_until_asleep(&a);
	wait_until_asleep(&b);
	folio_unlock(folio);
	waiter_join(&a);
	waiter_join(&b);
	assert_false(folio_test_locked(folio));
	assert_false(folio_test_waiters(folio));
	assert_int_equal(b.ret, 1);
	folio_put(folio);
}

/* An uncontended lock and unlock never touch the wait queues. */
static void test_folio_lock_uncontended(void **state)
{
	struct folio *folio = folio_alloc(GFP_KERNEL, 0);

	assert_non_null(folio);
	folio_lock(folio);
	assert_true(folio_test_locked(folio));
	assert_false(folio_test_waiters(folio));
	folio_unlock(folio);
	assert_false(folio_test_locked(folio));
	assert_false(folio_test_waiters(folio));
	folio_put(folio);
}

static void access_waiter(struct waiter *w)
{
	w->ret = foliage_access(w->task, BASE, w->buf, PAGE_SIZE, false, NULL);
}

static void write_waiter(struct waiter *w)
{
	memset(w->buf, 'w', 16);
	w->ret = foliage_access(w->task, BASE + PAGE_SIZE, w->buf, 16, true,
				NULL);
}

static void pin_waiter(struct waiter *w)
{
	w->ret = foliage_pin(w->task, BASE, PAGE_SIZE, false);
	if (!w->ret)
		w->ret = foliage_unpin(w->task, BASE, PAGE_SIZE);
}

/*
 * Faults on migration entries sleep until the migration is done: a read
 * by the task, a write by the task (a writable entry) and a GUP pin all
 * wait while the folios are locked with their PTEs replaced; once the
 * entries are turned back into PTEs and the folios unlocked, each
 * completes and sees the data the pages held.
 */
static void test_migration_entry_wait(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	struct waiter rd = { .task = t }, wr = { .task = t }, pin = { .task = t };
	struct folio *a, *b;
	int i;

	map(t, BASE, 2 * PAGE_SIZE, RW, ANON_FIXED, NULL, 0);
	fill(t, BASE, 'a', PAGE_SIZE);
	fill(t, BASE + PAGE_SIZE, 'b', PAGE_SIZE);
	a = folio_at(t, BASE);
	b = folio_at(t, BASE + PAGE_SIZE);
	rd.folio = pin.folio = a;
	wr.folio = b;

	/* As migration does: referenced, locked, PTEs to migration entries. */
	folio_get(a);
	folio_get(b);
	folio_lock(a);
	folio_lock(b);
	try_to_migrate(a, 0);
	try_to_migrate(b, 0);
	assert_false(folio_mapped(a));
	assert_false(folio_mapped(b));

	waiter_start(&rd, access_waiter);
	waiter_start(&wr, write_waiter);
	waiter_start(&pin, pin_waiter);
	wait_until_asleep(&rd);
	wait_until_asleep(&wr);
	wait_until_asleep(&pin);

	/* The migration gives up: the entries become PTEs again. */
	remove_migration_ptes(a, a, 0);
	remove_migration_ptes(b, b, 0);
	assert_true(folio_mapped(a));
	assert_true(folio_mapped(b));
	folio_unlock(a);
	folio_unlock(b);
	waiter_join(&rd);
	waiter_join(&wr);
	waiter_join(&pin);
	assert_int_equal(rd.ret, 0);
	assert_int_equal(wr.ret, 0);
	assert_int_equal(pin.ret, 0);
	for (i = 0; i < PAGE_SIZE; i++)
		if (rd.buf[i] != 'a')
			fail_msg("byte %d read as %#x", i, rd.buf[i]);
	expect_fill(t, BASE + PAGE_SIZE, 'w', 16);
	expect_fill(t, BASE + PAGE_SIZE + 16, 'b', PAGE_SIZE - 16);
	/* The write went to the same folio: its entry was writable. */
	assert_ptr_equal(folio_at(t, BASE + PAGE_SIZE), b);
	assert_true(PageAnonExclusive(&b->page));
	assert_false(folio_test_waiters(a));
	assert_false(folio_test_waiters(b));
	assert_rmap_ok(m);
	folio_put(a);
	folio_put(b);
	assert_int_equal(foliage_exit(t), 0);
	assert_int_equal(machine_enter(m), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_folio_lock_uncontended),
		cmocka_unit_test(test_folio_lock_sleeps_and_is_woken),
		cmocka_unit_test(test_folio_wait_locked),
		cmocka_unit_test(test_migration_entry_wait),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
