// SPDX-License-Identifier: GPL-2.0
/*
 * Copy offload end to end: move_pages(2) on a two-node machine with a
 * migrator registered, against the migration core's counters (the folios
 * the CPU copied, those a migrator copied) and the task's contents.
 *
 *   node 0            node 1
 *   [task's pages] -> [their copies]     BASE.. mapped on node 0's CPU
 *
 * Every rule of the hand-over: no migrator, the CPU copies all; dcbm or
 * mtcopy copies all; a DMA error, a partial copy or a migrator that
 * declines leaves every folio to the CPU, each copied exactly once; a
 * reason outside the mask skips the migrator; and an extra reference
 * (-EAGAIN in the move step) consumes the mark, so the retry copies once
 * more, on the CPU.  Last, migration with dcbm while other threads read
 * the migrating pages (sleeping on migration entries), fault elsewhere in
 * the task, fork and exit children: contents right, validators clean.
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "rmap_helpers.h"
#include <linux/migrate.h>
#include <linux/migrate_offload.h>

#define NR		512
#define BASE		0x20000000UL
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON_FIXED	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_FIXED | \
			 FOLIAGE_MAP_ANONYMOUS)

static struct foliage_machine *m;

static void map_anon(struct foliage_task *t, unsigned long addr,
		     unsigned long len)
{
	map(t, addr, len, RW, ANON_FIXED, NULL, 0);
}

static int teardown(void **state)
{
	exit_all_tasks(m);
	pt_machine_done(m);
	return 0;
}

static long stat_of(atomic_long_t *counter)
{
	return atomic_long_read(counter);
}

static int setup2(void **state)
{
	m = pt_machine(2, 64);
	assert_int_equal(foliage_set(m, "transparent_hugepage.enabled",
				     "never"), 0);
	assert_int_equal(foliage_dma_device_add(m, 4, 0), 0);
	assert_int_equal(foliage_set(m, "dcbm.nr_dma_chan", "4"), 0);
	assert_int_equal(machine_enter(m), 0);
	return 0;
}

/* What one move_pages() of NR pages cost in copies. */
struct copies {
	long cpu;			/* folios the CPU copied */
	long offload;			/* folios a migrator copied (marked) */
	long calls;			/* migrate_offload_copy() calls */
};

static void copies_now(struct copies *c)
{
	struct migrate_stats *ms = m->migrate;

	c->cpu = stat_of(&ms->nr_cpu_copies);
	c->offload = stat_of(&ms->nr_offload_copies);
	c->calls = stat_of(&ms->nr_offload_calls);
}

/* A task with NR filled pages on node 0, moved to node 1. */
static void move_nr(struct copies *delta)
{
	struct foliage_task *t = new_task(m, "t");
	unsigned long pages[NR], i;
	int nodes[NR], status[NR];
	struct copies before, after;

	map_anon(t, BASE, NR * PAGE_SIZE);
	fill_pages(t, BASE, NR);
	for (i = 0; i < NR; i++) {
		pages[i] = BASE + i * PAGE_SIZE;
		nodes[i] = 1;
		status[i] = -1000;
	}
	copies_now(&before);
	assert_int_equal(foliage_move_pages(t, NR, pages, nodes, status,
					    FOLIAGE_MPOL_MF_MOVE), 0);
	assert_int_equal(machine_enter(m), 0);
	copies_now(&after);
	for (i = 0; i < NR; i++)
		assert_int_equal(status[i], 1);
	expect_pages(t, BASE, NR);
	delta->cpu = after.cpu - before.cpu;
	delta->offload = after.offload - before.offload;
	delta->calls = after.calls - before.calls;
	assert_int_equal(foliage_exit(t), 0);
	assert_int_equal(machine_enter(m), 0);
}

static void knob(const char *key, const char *value)
{
	assert_int_equal(foliage_set(m, key, value), 0);
	assert_int_equal(machine_enter(m), 0);
}

static long knob_of(struct foliage_machine *mm, const char *key)
{
	long v = -1;

	assert_int_equal(foliage_get(mm, key, &v), 0);
	return v;
}

static long knob_value(const char *key)
{
	long v = -1;

	assert_int_equal(foliage_get(m, key, &v), 0);
	assert_int_equal(machine_enter(m), 0);
	return v;
}

static void enable(const char *name, const char *reasons)
{
	assert_int_equal(foliage_migrator_enable(m, name, reasons), 0);
	assert_int_equal(machine_enter(m), 0);
}

static void disable(const char *name)
{
	assert_int_equal(foliage_migrator_disable(m, name), 0);
	assert_int_equal(machine_enter(m), 0);
}

/* No migrator: the standard path, every folio copied by the CPU. */
static void test_no_migrator(void **state)
{
	struct copies d;

	move_nr(&d);
	assert_int_equal(d.cpu, NR);
	assert_int_equal(d.offload, 0);
}

/* dcbm on 4 channels copies every folio; the CPU none. */
static void test_dcbm_moves(void **state)
{
	struct copies d;

	knob("dcbm.folios_migrated", "0");
	enable("dcbm", NULL);
	move_nr(&d);
	disable("dcbm");
	assert_int_equal(d.cpu, 0);
	assert_int_equal(d.offload, NR);
	assert_int_equal(d.calls, 1);		/* one batch of 512 */
	assert_int_equal(knob_value("dcbm.folios_migrated"), NR);
}

static void test_mtcopy_moves(void **state)
{
	struct copies d;

	enable("mtcopy", "syscall_or_cpuset");
	move_nr(&d);
	disable("mtcopy");
	assert_int_equal(d.cpu, 0);
	assert_int_equal(d.offload, NR);
}

/* A syscall migration skips a migrator without syscall_or_cpuset. */
static void test_reason_not_in_mask(void **state)
{
	struct copies d;

	knob("dcbm.folios_migrated", "0");
	enable("dcbm", "compaction,demotion");
	move_nr(&d);
	disable("dcbm");
	assert_int_equal(d.cpu, NR);
	assert_int_equal(d.offload, 0);
	assert_int_equal(knob_value("dcbm.folios_migrated"), 0);
}

/* DMA error or partial copy: the CPU copies each folio exactly once. */
static void dma_fault_case(const char *type)
{
	struct copies d;

	knob("dcbm.folios_failures", "0");
	knob("fail_dma.type", type);
	knob("fail_dma.interval", "100");
	knob("fail_dma.times", "1");
	knob("fail_dma.probability", "100");
	enable("dcbm", NULL);
	move_nr(&d);
	disable("dcbm");
	knob("fail_dma.probability", "0");
	knob("fail_dma.interval", "1");
	assert_int_equal(d.cpu, NR);
	assert_int_equal(d.offload, 0);
	assert_int_equal(knob_value("dcbm.folios_failures"), NR);
}

static void test_dma_error(void **state)
{
	dma_fault_case("error");
}

static void test_dma_partial(void **state)
{
	dma_fault_case("partial");
}

/* ---- a test migrator: declines, or takes an extra reference ---- */

static struct {
	unsigned int calls;		/* offload_copy() calls */
	struct folio *pinned;		/* source it holds a reference on */
	bool decline;			/* copy nothing, -EBUSY */
} tm;

/*
 * Call 1 (the async batch: page 1 only, page 0's lock being held by the
 * test) copies and marks its folio and takes a reference on its source,
 * so its move fails with -EAGAIN (the mark consumed) for the whole async
 * stage.  Call 2 (the first page's sync retry: its lock
 * was held by the test through the async stage) drops that reference and
 * copies its folio.  Call 3 (the second page's sync retry) declines: the
 * CPU copies it, once.
 */
static int test_offload_copy(struct list_head *dst_list,
			     struct list_head *src_list, unsigned int nr)
{
	struct folio *dst, *src;
	unsigned int i = 0;

	tm.calls++;
	if (tm.decline || tm.calls == 3)
		return -EBUSY;
	if (tm.calls == 2 && tm.pinned) {
		folio_put(tm.pinned);
		tm.pinned = NULL;
	}
	src = list_first_entry(src_list, struct folio, lru);
	list_for_each_entry(dst, dst_list, lru) {
		if (i == nr)
			break;
		memcpy(folio_address(dst), folio_address(src),
		       folio_size(src));
		folio_mark_content_copied(dst);
		if (tm.calls == 1 && i == 0) {
			folio_get(src);
			tm.pinned = src;
		}
		src = list_entry(src->lru.next, struct folio, lru);
		i++;
	}
	return 0;
}

static int owner_token;
static struct migrator test_migrator = {
	.name = "test",
	.offload_copy = test_offload_copy,
	.owner = &owner_token,
};

/* A migrator that declines: the CPU copies everything, once. */
static void test_decline(void **state)
{
	struct copies d;

	memset(&tm, 0, sizeof(tm));
	tm.decline = true;
	assert_int_equal(migrate_offload_register(&test_migrator,
						  MIGRATE_REASON_ALL), 0);
	move_nr(&d);
	assert_int_equal(migrate_offload_unregister(&test_migrator), 0);
	assert_int_equal(tm.calls, 1);
	assert_int_equal(d.cpu, NR);
	assert_int_equal(d.offload, 0);
}

/* Holds page 0's folio lock until the migration sleeps on it. */
struct locker {
	pthread_t thread;		/* the holder */
	struct folio *folio;		/* page 0's */
	bool locked;			/* it holds the lock (atomic) */
};

static void *locker_fn(void *arg)
{
	struct locker *l = arg;

	if (machine_enter(m))
		return NULL;
	folio_lock(l->folio);
	__atomic_store_n(&l->locked, true, __ATOMIC_RELEASE);
	/* Async migration only trylocks; the sync retry sleeps on it. */
	while (!folio_test_waiters(l->folio)) {
		cpu_sleep_begin();
		usleep(200);
		cpu_sleep_end();
	}
	folio_unlock(l->folio);
	machine_leave(m);
	return NULL;
}

/*
 * An extra reference on page 1's folio after the migrator copied it: the
 * move fails with -EAGAIN and the mark is gone, so page 1's retry (once
 * the reference is dropped) is copied by the CPU: one CPU copy in all,
 * and both pages on node 1 with their contents.
 *
 *   async stage:  page 0 locked by the test -> not unmapped (trylock)
 *                 page 1 copied and marked, extra ref -> -EAGAIN x3
 *   sync, page 0: sleeps on its lock; call 2 drops page 1's ref
 *   sync, page 1: call 3 declines -> the CPU copies it
 */
static void test_eagain_retry_copies_once_on_cpu(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	unsigned long pages[2] = { BASE, BASE + PAGE_SIZE };
	int nodes[2] = { 1, 1 }, status[2] = { -1000, -1000 };
	struct copies before, after;
	struct locker l = { 0 };

	memset(&tm, 0, sizeof(tm));
	map_anon(t, BASE, 2 * PAGE_SIZE);
	fill_pages(t, BASE, 2);
	l.folio = page_folio(page_at(t, BASE));
	assert_int_equal(migrate_offload_register(&test_migrator,
						  MIGRATE_REASON_ALL), 0);
	cpu_sleep_begin();
	assert_int_equal(pthread_create(&l.thread, NULL, locker_fn, &l), 0);
	while (!__atomic_load_n(&l.locked, __ATOMIC_ACQUIRE))
		usleep(100);
	cpu_sleep_end();
	copies_now(&before);
	assert_int_equal(foliage_move_pages(t, 2, pages, nodes, status,
					    FOLIAGE_MPOL_MF_MOVE), 0);
	assert_int_equal(machine_enter(m), 0);
	copies_now(&after);
	cpu_sleep_begin();
	pthread_join(l.thread, NULL);
	cpu_sleep_end();
	assert_int_equal(migrate_offload_unregister(&test_migrator), 0);

	assert_int_equal(status[0], 1);
	assert_int_equal(status[1], 1);
	assert_int_equal(tm.calls, 3);
	assert_null(tm.pinned);
	/* Page 1's retry, and nothing else, was copied by the CPU. */
	assert_int_equal(after.cpu - before.cpu, 1);
	expect_pages(t, BASE, 2);
	assert_int_equal(foliage_exit(t), 0);
	assert_int_equal(machine_enter(m), 0);
}

/* ---- migration with dcbm while other threads fault, fork and read ---- */

#define RACE_PAGES	64
#define RACE_MOVES	10
#define A_BASE		0x30000000UL
#define B_BASE		0x40000000UL

static struct foliage_machine *rm;	/* 2 nodes, 8 CPUs */

struct racer {
	pthread_t thread;		/* the host thread */
	struct foliage_task *task;	/* the task they share */
	bool *stop;			/* the mover is done (atomic) */
	int err;			/* first problem, 0 none */
	unsigned long rounds;		/* loops done */
};

/* Moves A between the nodes with dcbm (DMA completions in any order). */
static void *mover_fn(void *arg)
{
	struct racer *r = arg;
	unsigned long pages[RACE_PAGES], i;
	int nodes[RACE_PAGES], status[RACE_PAGES], k, ret;

	for (i = 0; i < RACE_PAGES; i++)
		pages[i] = A_BASE + i * PAGE_SIZE;
	for (k = 0; k < RACE_MOVES && !r->err; k++) {
		for (i = 0; i < RACE_PAGES; i++)
			nodes[i] = (k + 1) % 2;
		ret = foliage_move_pages(r->task, RACE_PAGES, pages, nodes,
					 status, FOLIAGE_MPOL_MF_MOVE);
		/*
		 * A page may stay (COW-shared with a child being forked:
		 * -EACCES; busy: -EBUSY): a positive count.  Moved or not,
		 * the reader checks its bytes.
		 */
		if (ret < 0)
			r->err = ret;
		r->rounds++;
	}
	__atomic_store_n(r->stop, true, __ATOMIC_RELEASE);
	return NULL;
}

/* Reads A (faults on migration entries sleep) and checks every byte. */
static void *reader_fn(void *arg)
{
	struct racer *r = arg;
	unsigned char buf[PAGE_SIZE];
	unsigned long i = 0, j;

	while (!__atomic_load_n(r->stop, __ATOMIC_ACQUIRE) && !r->err) {
		r->err = foliage_access(r->task, A_BASE + i * PAGE_SIZE, buf,
					PAGE_SIZE, false, NULL);
		for (j = 0; j < PAGE_SIZE && !r->err; j++)
			if (buf[j] != (unsigned char)('a' + i % 23))
				r->err = -EIO;
		i = (i + 1) % RACE_PAGES;
		r->rounds++;
	}
	return NULL;
}

/* Writes B (new faults), forks a child (copying migration entries) and
 * exits it. */
static void *forker_fn(void *arg)
{
	struct racer *r = arg;
	unsigned char buf[64];
	struct foliage_task *child;
	unsigned long i = 0;

	memset(buf, 0x3c, sizeof(buf));
	while (!__atomic_load_n(r->stop, __ATOMIC_ACQUIRE) && !r->err) {
		r->err = foliage_access(r->task, B_BASE + i * PAGE_SIZE, buf,
					sizeof(buf), true, NULL);
		if (!r->err && i % 8 == 0) {
			r->err = foliage_fork(r->task, "child", &child);
			if (!r->err)
				r->err = foliage_exit(child);
		}
		i = (i + 1) % RACE_PAGES;
		r->rounds++;
	}
	return NULL;
}

static void test_migration_races(void **state)
{
	struct foliage_config cfg;
	struct racer r[3] = { 0 };
	void *(*fns[3])(void *) = { mover_fn, reader_fn, forker_fn };
	struct foliage_task *t;
	bool stop = false;
	int i;

	foliage_config_init(&cfg);
	cfg.nr_nodes = 2;
	cfg.nr_cpus = 8;
	cfg.bytes_per_node = 64UL << 20;
	rm = test_machine_cfg(&cfg);
	assert_int_equal(foliage_set(rm, "transparent_hugepage.enabled",
				     "never"), 0);
	assert_int_equal(foliage_dma_device_add(rm, 4, 0), 0);
	assert_int_equal(foliage_set(rm, "dcbm.nr_dma_chan", "4"), 0);
	assert_int_equal(foliage_migrator_enable(rm, "dcbm", NULL), 0);
	t = new_task(rm, "t");
	map(t, A_BASE, RACE_PAGES * PAGE_SIZE, RW, ANON_FIXED, NULL, 0);
	map(t, B_BASE, RACE_PAGES * PAGE_SIZE, RW, ANON_FIXED, NULL, 0);
	fill_pages(t, A_BASE, RACE_PAGES);

	for (i = 0; i < 3; i++) {
		r[i].task = t;
		r[i].stop = &stop;
		assert_int_equal(pthread_create(&r[i].thread, NULL, fns[i],
						&r[i]), 0);
	}
	for (i = 0; i < 3; i++)
		pthread_join(r[i].thread, NULL);
	for (i = 0; i < 3; i++)
		if (r[i].err)
			fail_msg("racer %d: %d after %lu rounds", i, r[i].err,
				 r[i].rounds);
	assert_int_equal(r[0].rounds, RACE_MOVES);
	expect_pages(t, A_BASE, RACE_PAGES);
	assert_true(knob_of(rm, "dcbm.folios_migrated") > 0);
	assert_int_equal(foliage_migrator_disable(rm, "dcbm"), 0);
	assert_int_equal(foliage_exit(t), 0);
	assert_int_equal(foliage_validate(rm), 0);
	if (foliage_bugs(rm))
		fail_msg("bug: %s", foliage_first_bug(rm));
	foliage_machine_destroy(rm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_migrator),
		cmocka_unit_test(test_dcbm_moves),
		cmocka_unit_test(test_mtcopy_moves),
		cmocka_unit_test(test_reason_not_in_mask),
		cmocka_unit_test(test_dma_error),
		cmocka_unit_test(test_dma_partial),
		cmocka_unit_test(test_decline),
		cmocka_unit_test(test_eagain_retry_copies_once_on_cpu),
	};

	const struct CMUnitTest race_tests[] = {
		cmocka_unit_test(test_migration_races),
	};

	return cmocka_run_group_tests(tests, setup2, teardown) ||
	       cmocka_run_group_tests(race_tests, NULL, NULL);
}
