// SPDX-License-Identifier: GPL-2.0
/*
 * Migration concurrent with the rest of mm, on a two-node machine, each
 * thread on its own CPU, all on one task T:
 *
 *   migrators (2)   move_pages of all of T's range back and forth between
 *                   the nodes (MPOL_MF_MOVE_ALL), in opposite directions,
 *                   and migrate_pages(2) of T; a PMD THP among the pages
 *   writers (2)     write their own slice of the range and read it back:
 *                   their faults meet migration entries and sleep
 *   forker          forks T; the child reads everything and exits
 *   mapper          maps, fills and unmaps a region of its own inside
 *                   the migrated range (munmap against the migration)
 *   walker          renders T's smaps and numa_maps (page-table walks)
 *
 * Threads never call cmocka: each counts what went wrong; the main
 * thread asserts zero, then validates the quiet machine (every
 * validator, the rmap checker with it) and checks every writer's last
 * bytes.  In the "threads" group, so under TSan too.
 */
#include <pthread.h>
#include <stdio.h>

#include "threads_helpers.h"

#define ROUNDS		6
#define BASE		0x40000000UL	/* 2M aligned: the THP */
#define THP_BYTES	(2UL << 20)
#define SLICE		(16 * PAGE_SIZE)
#define SMALL		(BASE + THP_BYTES)	/* writers' slices */
#define MAPPER		(SMALL + 2 * SLICE)	/* the mapper's region */
#define RANGE_END	(MAPPER + SLICE)
#define NR_PAGES	((RANGE_END - BASE) / PAGE_SIZE)
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON_FIXED	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_FIXED | \
			 FOLIAGE_MAP_ANONYMOUS)

static struct foliage_machine *m;
static struct foliage_task *T;

struct worker {
	pthread_t thread;		/* the thread */
	int id;				/* which of its kind */
	int errors;			/* what went wrong */
	char what[192];			/* the first of it */
	unsigned char last;		/* a writer's last byte */
};

static void *migrator(void *arg)
{
	struct worker *w = arg;
	static __thread unsigned long pages[NR_PAGES];
	static __thread int nodes[NR_PAGES], status[NR_PAGES];
	unsigned long i;
	int r, ret;

	for (i = 0; i < NR_PAGES; i++)
		pages[i] = BASE + i * PAGE_SIZE;
	for (r = 0; r < ROUNDS; r++) {
		int to = (r + w->id) % 2;

		for (i = 0; i < NR_PAGES; i++)
			nodes[i] = to;
		ret = foliage_move_pages(T, NR_PAGES, pages, nodes, status,
					 FOLIAGE_MPOL_MF_MOVE_ALL);
		/* Pages busy with the other migrator may fail: not an error. */
		check(w, ret >= 0);
		ret = foliage_migrate_pages(T, 1UL << to, 1UL << !to);
		check(w, ret >= 0);
	}
	return NULL;
}

static void *writer(void *arg)
{
	struct worker *w = arg;
	static __thread unsigned char buf[SLICE];
	unsigned long addr = SMALL + w->id * SLICE, i;
	int r;

	for (r = 0; r < 4 * ROUNDS; r++) {
		w->last = 'A' + w->id * 32 + r;
		memset(buf, w->last, SLICE);
		check(w, !foliage_access(T, addr, buf, SLICE, true, NULL));
		memset(buf, 0, SLICE);
		check(w, !foliage_access(T, addr, buf, SLICE, false, NULL));
		for (i = 0; i < SLICE; i++)
			if (buf[i] != w->last) {
				check(w, buf[i] == w->last);
				break;
			}
		/* The THP too: one byte a round at this writer's offset. */
		buf[0] = w->last;
		check(w, !foliage_access(T, BASE + w->id * PAGE_SIZE * 64,
					 buf, 1, true, NULL));
	}
	return NULL;
}

static void *forker(void *arg)
{
	struct worker *w = arg;
	static __thread unsigned char buf[THP_BYTES];
	struct foliage_task *c;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		check(w, !foliage_fork(T, "child", &c));
		if (w->errors)
			break;
		check(w, !foliage_access(c, BASE, buf, THP_BYTES, false,
					 NULL));
		check(w, !foliage_access(c, SMALL, buf, 2 * SLICE, false,
					 NULL));
		check(w, !foliage_exit(c));
	}
	return NULL;
}

static void *mapper(void *arg)
{
	struct worker *w = arg;
	static __thread unsigned char buf[SLICE];
	unsigned long got;
	int r;

	for (r = 0; r < 2 * ROUNDS; r++) {
		check(w, !foliage_mmap(T, MAPPER, SLICE, RW, ANON_FIXED, NULL,
				       0, &got));
		memset(buf, 'm' + r, SLICE);
		check(w, !foliage_access(T, MAPPER, buf, SLICE, true, NULL));
		check(w, !foliage_munmap(T, MAPPER, SLICE));
	}
	return NULL;
}

static void *walker(void *arg)
{
	struct worker *w = arg;
	char *out;
	int r;

	for (r = 0; r < 2 * ROUNDS; r++) {
		check(w, !foliage_render_task(T, "smaps", 0, &out));
		free(out);
		check(w, !foliage_render_task(T, "numa_maps", 0, &out));
		free(out);
	}
	return NULL;
}

static void test_migration_against_mm(void **state)
{
	static unsigned char buf[SLICE];
	struct foliage_config cfg;
	struct worker w[7] = { 0 };
	void *(*fn[7])(void *) = { migrator, migrator, writer, writer, forker,
				   mapper, walker };
	unsigned long got;
	int i;

	foliage_config_init(&cfg);
	cfg.nr_nodes = 2;
	cfg.nr_cpus = 16;
	cfg.bytes_per_node = 48ULL << 20;
	assert_int_equal(foliage_machine_create(&cfg, &m), 0);
	assert_int_equal(foliage_set(m, "transparent_hugepage.enabled",
				     "always"), 0);
	assert_int_equal(foliage_task_create(m, "T", &T), 0);
	assert_int_equal(foliage_mmap(T, BASE, THP_BYTES, RW, ANON_FIXED,
				      NULL, 0, &got), 0);
	memset(buf, 'h', sizeof(buf));
	assert_int_equal(foliage_access(T, BASE, buf, PAGE_SIZE, true, NULL),
			 0);
	assert_int_equal(foliage_set(m, "transparent_hugepage.enabled",
				     "never"), 0);
	assert_int_equal(foliage_mmap(T, SMALL, 2 * SLICE, RW, ANON_FIXED,
				      NULL, 0, &got), 0);

	for (i = 0; i < 7; i++) {
		w[i].id = i == 1 || i == 3;
		assert_int_equal(pthread_create(&w[i].thread, NULL, fn[i],
						&w[i]), 0);
	}
	for (i = 0; i < 7; i++)
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
	for (i = 0; i < 7; i++)
		if (w[i].errors)
			fail_msg("thread %d: %d errors, first %s", i,
				 w[i].errors, w[i].what);

	/*
	 * Migrations happened (how many depends on the interleaving: the
	 * two migrators undo each other's work), and once alone every page
	 * moves.
	 */
	assert_int_equal(foliage_vmstat(m, "pgmigrate_success", &got), 0);
	assert_true(got > 0);
	{
		static unsigned long pages[NR_PAGES];
		static int nodes[NR_PAGES], status[NR_PAGES];
		unsigned long j;

		for (j = 0; j < NR_PAGES; j++) {
			pages[j] = BASE + j * PAGE_SIZE;
			nodes[j] = 1;
		}
		assert_int_equal(foliage_move_pages(T, NR_PAGES, pages, nodes,
						    status,
						    FOLIAGE_MPOL_MF_MOVE_ALL),
				 0);
		/*
		 * Pages of a large folio after the first queued it say
		 * -EBUSY (it is isolated already), as in Linux: ask where
		 * they are instead.
		 */
		assert_int_equal(foliage_move_pages(T, NR_PAGES, pages, NULL,
						    status, 0), 0);
		for (j = 0; j < (MAPPER - BASE) / PAGE_SIZE; j++)
			assert_int_equal(status[j], 1);
	}
	/* The writers' last bytes, wherever the pages are now. */
	for (i = 2; i <= 3; i++) {
		unsigned long addr = SMALL + w[i].id * SLICE, j;

		assert_int_equal(foliage_access(T, addr, buf, SLICE, false,
						NULL), 0);
		for (j = 0; j < SLICE; j++)
			assert_int_equal(buf[j], w[i].last);
		assert_int_equal(foliage_access(T, BASE + w[i].id * PAGE_SIZE *
						64, buf, 1, false, NULL), 0);
		assert_int_equal(buf[0], w[i].last);
	}
	threads_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migration_against_mm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
