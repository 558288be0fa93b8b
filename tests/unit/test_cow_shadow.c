// SPDX-License-Identifier: GPL-2.0
/*
 * A shadow-memory oracle for COW: random writes, forks, exits and
 * MADV_DONTNEEDs (fixed seeds) on up to four tasks, each keeping a shadow
 * of what it should read (the scenario runner's, tools/foliage/shadow.c:
 * every byte of the regions claimed).  After every step the tasks touched read
 * back exactly their shadow, so no write ever leaks between tasks and none
 * is lost, whatever mix of 4K pages, 64K mTHPs and PMD THPs backs them;
 * every tenth step all tasks are read back whole and validated.
 *
 *   BASE          +2M   +2M+256K      +4M  +6M
 *   |THP (hugepage)|4K   |  ...       |64K mTHP (512K)|
 */
#include "pt_helpers.h"
#include "shadow.h"

#define BASE		(1UL << 30)
#define MAX_TASKS	4
#define STEPS		400

static const struct {
	unsigned long start;		/* address */
	unsigned long len;		/* bytes */
	int advice;			/* madvise at creation, or -1 */
} regions[] = {
	{ BASE, 2 * MB, FOLIAGE_MADV_HUGEPAGE },
	{ BASE + 2 * MB, 256 * KB, FOLIAGE_MADV_NOHUGEPAGE },
	{ BASE + 4 * MB, 512 * KB, -1 },
};
#define NR_REGIONS	ARRAY_SIZE(regions)

struct shadow_task {
	struct foliage_task *task;	/* NULL when not alive */
	struct shadow sh;		/* what each region must read */
};

struct world {
	struct foliage_machine *m;	/* the machine */
	struct shadow_task t[MAX_TASKS]; /* the tasks */
	u64 rng;			/* xorshift state */
};

static u64 next(struct world *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

static unsigned long pick(struct world *w, unsigned long n)
{
	return next(w) % n;
}

static int nr_alive(struct world *w)
{
	int i, n = 0;

	for (i = 0; i < MAX_TASKS; i++)
		n += w->t[i].task != NULL;
	return n;
}

static int pick_alive(struct world *w)
{
	int i;

	do {
		i = pick(w, MAX_TASKS);
	} while (!w->t[i].task);
	return i;
}

/* Every byte of the regions is claimed, from the start. */
static unsigned long regions_bytes(void)
{
	unsigned long bytes = 0;
	size_t r;

	for (r = 0; r < NR_REGIONS; r++)
		bytes += regions[r].len;
	return bytes;
}

static void check_task(struct shadow_task *st)
{
	unsigned char *buf[NR_REGIONS], want[PAGE_SIZE];
	bool claimed[PAGE_SIZE];
	struct shadow_page *p;
	size_t r, i;

	assert_int_equal(st->sh.nr_bytes, regions_bytes());
	/* One read a region, then every claim against it. */
	for (r = 0; r < NR_REGIONS; r++) {
		buf[r] = malloc(regions[r].len);
		assert_non_null(buf[r]);
		get_bytes(st->task, regions[r].start, buf[r], regions[r].len);
	}
	for (p = shadow_first(&st->sh); p; p = shadow_next(&st->sh, p)) {
		const unsigned char *got = NULL;

		for (r = 0; r < NR_REGIONS && !got; r++)
			if (p->addr - regions[r].start < regions[r].len)
				got = buf[r] + (p->addr - regions[r].start);
		assert_non_null(got);
		if (shadow_page_matches(p, got))
			continue;
		shadow_page_expect(p, want, claimed);
		for (i = 0; i < PAGE_SIZE; i++)
			if (claimed[i] && got[i] != want[i])
				fail_msg("task %d: byte at %#lx is %#x, shadow %#x",
					 foliage_task_pid(st->task), p->addr + i,
					 got[i], want[i]);
	}
	for (r = 0; r < NR_REGIONS; r++)
		free(buf[r]);
}

static void op_write(struct world *w, struct shadow_task *st)
{
	size_t r = pick(w, NR_REGIONS);
	unsigned long len = 1 + pick(w, 3 * PAGE_SIZE);
	unsigned long off = pick(w, regions[r].len - len + 1);
	unsigned char *buf = malloc(len);
	unsigned long i;

	for (i = 0; i < len; i++)
		buf[i] = next(w);
	put_bytes(st->task, regions[r].start + off, buf, len);
	assert_int_equal(shadow_record(&st->sh, regions[r].start + off, buf,
				       len), 0);
	free(buf);
}

static void op_fork(struct world *w, struct shadow_task *st)
{
	struct shadow_task *child = NULL;
	int i;

	for (i = 0; i < MAX_TASKS; i++)
		if (!w->t[i].task)
			child = &w->t[i];
	child->task = fork_task(st->task, "child");
	shadow_init(&child->sh);
	assert_int_equal(shadow_copy(&child->sh, &st->sh), 0);
	check_task(child);
}

static void op_exit(struct shadow_task *st)
{
	assert_int_equal(foliage_exit(st->task), 0);
	st->task = NULL;
	shadow_destroy(&st->sh);
}

static void op_dontneed(struct world *w, struct shadow_task *st)
{
	size_t r = pick(w, NR_REGIONS);
	unsigned long pages = regions[r].len / PAGE_SIZE;
	unsigned long first = pick(w, pages);
	unsigned long nr = 1 + pick(w, pages - first);

	assert_int_equal(foliage_madvise(st->task,
					 regions[r].start + first * PAGE_SIZE,
					 nr * PAGE_SIZE,
					 FOLIAGE_MADV_DONTNEED), 0);
	assert_int_equal(shadow_zero(&st->sh,
				     regions[r].start + first * PAGE_SIZE,
				     regions[r].start + (first + nr) * PAGE_SIZE),
			 0);
}

static void run(u64 seed)
{
	struct world w = { .rng = seed };
	struct shadow_task *st;
	int step, i;
	size_t r;

	w.m = pt_machine(1, 512);
	assert_int_equal(foliage_set(w.m,
			"transparent_hugepage.hugepages-64kB/enabled",
			"always"), 0);
	st = &w.t[0];
	st->task = new_task(w.m, "shadow");
	shadow_init(&st->sh);
	for (r = 0; r < NR_REGIONS; r++) {
		unsigned char *zeroes = calloc(1, regions[r].len);

		map(st->task, regions[r].start, regions[r].len,
		    FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
		    FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS |
		    FOLIAGE_MAP_FIXED, NULL, 0);
		if (regions[r].advice >= 0)
			assert_int_equal(foliage_madvise(st->task,
					regions[r].start, regions[r].len,
					regions[r].advice), 0);
		/* A new anonymous mapping reads zeroes. */
		assert_non_null(zeroes);
		assert_int_equal(shadow_record(&st->sh, regions[r].start,
					       zeroes, regions[r].len), 0);
		free(zeroes);
	}

	for (step = 0; step < STEPS; step++) {
		unsigned long what = pick(&w, 100);

		st = &w.t[pick_alive(&w)];
		if (what < 70)
			op_write(&w, st);
		else if (what < 80 && nr_alive(&w) < MAX_TASKS)
			op_fork(&w, st);
		else if (what < 88 && nr_alive(&w) > 1)
			op_exit(st);
		else if (what < 96)
			op_dontneed(&w, st);
		if (st->task)
			check_task(st);
		if (step % 10 == 9) {
			for (i = 0; i < MAX_TASKS; i++)
				if (w.t[i].task)
					check_task(&w.t[i]);
			assert_machine_ok(w.m);
		}
	}
	for (i = 0; i < MAX_TASKS; i++)
		if (w.t[i].task)
			op_exit(&w.t[i]);
	assert_int_equal(vmstat(w.m, "nr_anon_pages"), 0);
	assert_int_equal(vmstat(w.m, "nr_anon_transparent_hugepages"), 0);
	pt_machine_done(w.m);
}

static void test_cow_shadow_seed1(void **state)
{
	run(0x9e3779b97f4a7c15ULL);
}

static void test_cow_shadow_seed2(void **state)
{
	run(0x1234567887654321ULL);
}

static void test_cow_shadow_seed3(void **state)
{
	run(0xdeadbeefcafef00dULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cow_shadow_seed1),
		cmocka_unit_test(test_cow_shadow_seed2),
		cmocka_unit_test(test_cow_shadow_seed3),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
