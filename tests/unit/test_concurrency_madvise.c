// SPDX-License-Identifier: GPL-2.0
/*
 * madvise takes mmap_lock for read where Linux does (madvise_need_mmap_write()):
 * while another thread holds the lock for read, MADV_DONTNEED, MADV_FREE
 * and MADV_POPULATE_* complete; advice that changes VMAs (MADV_DONTFORK)
 * sleeps until the reader is gone.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "threads_helpers.h"

#define BASE		0x40000000UL
#define LEN		(8 * PAGE_SIZE)
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON_FIXED	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_FIXED | \
			 FOLIAGE_MAP_ANONYMOUS)

static struct foliage_machine *m;
static struct foliage_task *t;

static int setup(void **state)
{
	m = threads_machine(32);
	t = new_task(m, "t");
	map(t, BASE, LEN, RW, ANON_FIXED, NULL, 0);
	return 0;
}

static int teardown(void **state)
{
	threads_machine_done(m);
	return 0;
}

struct advisor {
	pthread_t thread;		/* the thread */
	int advice;			/* FOLIAGE_MADV_* */
	int ret;			/* foliage_madvise()'s result */
	bool done;			/* set once it returned */
};

static void *advise(void *arg)
{
	struct advisor *a = arg;

	a->ret = foliage_madvise(t, BASE, LEN, a->advice);
	__atomic_store_n(&a->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* Whether @a returns within about @ms milliseconds. */
static bool returns_within(struct advisor *a, int ms)
{
	int i;

	for (i = 0; i < ms; i++) {
		if (__atomic_load_n(&a->done, __ATOMIC_ACQUIRE))
			return true;
		usleep(1000);
	}
	return false;
}

static void test_read_locked_advice(void **state)
{
	static const int advice[] = {
		FOLIAGE_MADV_POPULATE_WRITE, FOLIAGE_MADV_DONTNEED,
		FOLIAGE_MADV_POPULATE_READ, FOLIAGE_MADV_FREE,
		3,	/* MADV_WILLNEED: Linux's value, no public name */
	};
	struct mm_struct *mm = t->task.mm;
	unsigned int i;

	assert_int_equal(machine_enter(m), 0);
	fill(t, BASE, 'x', LEN);
	for (i = 0; i < ARRAY_SIZE(advice); i++) {
		struct advisor a = { .advice = advice[i] };

		mmap_read_lock(mm);
		assert_int_equal(pthread_create(&a.thread, NULL, advise, &a),
				 0);
		if (!returns_within(&a, 10000))
			fail_msg("advice %d waited for the read lock",
				 advice[i]);
		mmap_read_unlock(mm);
		assert_int_equal(pthread_join(a.thread, NULL), 0);
		assert_int_equal(a.ret, 0);
		assert_int_equal(machine_enter(m), 0);
	}
	/* DONTNEED then POPULATE_READ: zero pages, read back as zero. */
	expect_fill(t, BASE, 0, LEN);
}

static void test_write_locked_advice_waits(void **state)
{
	struct mm_struct *mm = t->task.mm;
	struct advisor a = { .advice = FOLIAGE_MADV_DONTFORK };

	assert_int_equal(machine_enter(m), 0);
	mmap_read_lock(mm);
	assert_int_equal(pthread_create(&a.thread, NULL, advise, &a), 0);
	/* It cannot change VMA flags under our read lock. */
	assert_false(returns_within(&a, 200));
	mmap_read_unlock(mm);
	assert_int_equal(pthread_join(a.thread, NULL), 0);
	assert_int_equal(a.ret, 0);
	assert_int_equal(machine_enter(m), 0);
	mmap_read_lock(mm);
	assert_true(vma_lookup(mm, BASE)->vm_flags & VM_DONTCOPY);
	mmap_read_unlock(mm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_locked_advice),
		cmocka_unit_test(test_write_locked_advice_waits),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
