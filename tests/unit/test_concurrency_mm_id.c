// SPDX-License-Identifier: GPL-2.0
/*
 * CONFIG_MM_ID under threads: several mms map the same 64K mTHPs and
 * change their mappings at once, each thread on its own CPU, so the
 * folios' mm slots, "maybe mapped shared" mark and _large_mapcount are
 * updated under their bit spinlock from different mms, while write
 * faults decide reuse from them:
 *
 *	REGION (16 folios, never written after setup)  | WREGION (16 folios)
 *
 *   forkers (3)  fork P FORKS times each; each child checks a page, zaps
 *                half of REGION (in turn munmap, MADV_DONTNEED) and exits:
 *                adds to the slots in P's forks, subtractions in children
 *   writer       writes every page of WREGION, ROUNDS times (a new value
 *                a round): write faults on pages a fork made read-only,
 *                which reuse the folio when its slots say P alone maps it
 *                and copy otherwise; reads each page back
 *   sharer       Q, forked from P before the threads start, forks a child
 *                of its own and lets it exit, ZAPS times: Q's family adds
 *                to and subtracts from the same folios' slots
 *
 * On both configurations (per-page mapcounts and none).  Afterwards every
 * validator and the rmap checker (which compares each folio's counts and
 * slots with its mappings per mm: a lost update shows) run on the quiet
 * machine, and P's pages hold what was written last.
 */
#include <pthread.h>
#include <stdio.h>

#include "threads_helpers.h"

#define ROUNDS		8	/* the writer's passes over WREGION */
#define FORKS		16	/* each forker's children */
#define ZAPS		32	/* the sharer's children */
#define NR_FORKERS	3
#define REGION		0x40000000UL
#define NR_FOLIOS	16
#define LEN		(NR_FOLIOS * 16 * PAGE_SIZE)
#define WREGION		(REGION + LEN)
#define NR_PAGES	(LEN / PAGE_SIZE)
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON_FIXED	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_FIXED | \
			 FOLIAGE_MAP_ANONYMOUS)

static struct foliage_machine *m;
static struct foliage_task *P, *Q;

struct worker {
	pthread_t thread;		/* the thread */
	int errors;			/* what went wrong */
	char what[160];			/* the first of it */
};

/* The byte page @i holds after round @r of the writer (r < 0: setup). */
static unsigned char fill_of(unsigned long i, int r)
{
	return (unsigned char)('A' + (i * 7 + (unsigned long)(r + 1)) % 50);
}

static bool uniform(const unsigned char *p)
{
	unsigned long i;

	for (i = 1; i < PAGE_SIZE; i++)
		if (p[i] != p[0])
			return false;
	return true;
}

static void *writer(void *arg)
{
	struct worker *w = arg;
	static __thread unsigned char page[PAGE_SIZE], got[PAGE_SIZE];
	unsigned long i;
	int r;

	for (r = 0; r < ROUNDS && !w->errors; r++)
		for (i = 0; i < NR_PAGES; i++) {
			unsigned long addr = WREGION + i * PAGE_SIZE;

			memset(page, fill_of(i, r), PAGE_SIZE);
			check(w, !foliage_access(P, addr, page, PAGE_SIZE,
						 true, NULL));
			check(w, !foliage_access(P, addr, got, PAGE_SIZE,
						 false, NULL));
			check(w, !memcmp(page, got, PAGE_SIZE));
		}
	return NULL;
}

/*
 * A child of @parent that read page @i of REGION as setup wrote it, or
 * NULL (counted in @w) if the fork or the check failed.
 */
static struct foliage_task *fork_and_read(struct worker *w,
					  struct foliage_task *parent,
					  unsigned long i)
{
	static __thread unsigned char got[PAGE_SIZE];
	struct foliage_task *c;

	check(w, !foliage_fork(parent, "child", &c));
	if (w->errors)
		return NULL;
	check(w, !foliage_access(c, REGION + i * PAGE_SIZE, got, PAGE_SIZE,
				 false, NULL));
	check(w, got[0] == fill_of(i, -1) && uniform(got));
	return c;
}

static void *forker(void *arg)
{
	struct worker *w = arg;
	struct foliage_task *c;
	unsigned long n, half;

	for (n = 0; n < FORKS && !w->errors; n++) {
		c = fork_and_read(w, P, n % NR_PAGES);
		if (!c)
			break;
		half = REGION + (n % 2) * LEN / 2;
		if (n % 4 < 2)
			check(w, !foliage_munmap(c, half, LEN / 2));
		else
			check(w, !foliage_madvise(c, half, LEN / 2,
						  FOLIAGE_MADV_DONTNEED));
		check(w, !foliage_exit(c));
	}
	return NULL;
}

/* Q's family: a child of Q reads a page and exits, ZAPS times. */
static void *sharer(void *arg)
{
	struct worker *w = arg;
	struct foliage_task *c;
	unsigned long n;

	for (n = 0; n < ZAPS && !w->errors; n++) {
		c = fork_and_read(w, Q, (n * 5) % NR_PAGES);
		if (!c)
			break;
		check(w, !foliage_exit(c));
	}
	return NULL;
}

static void run(bool no_page_mapcount)
{
	static unsigned char page[PAGE_SIZE], got[PAGE_SIZE];
	struct worker w[NR_FORKERS + 2];
	struct foliage_config cfg;
	unsigned long i;
	int k;

	foliage_config_init(&cfg);
	cfg.nr_nodes = 1;
	cfg.nr_cpus = 8;
	cfg.bytes_per_node = 128ULL << 20;
	cfg.no_page_mapcount = no_page_mapcount;
	assert_int_equal(foliage_machine_create(&cfg, &m), 0);
	assert_int_equal(foliage_set(m,
			 "transparent_hugepage.hugepages-64kB/enabled",
			 "always"), 0);
	P = new_task(m, "P");
	map(P, REGION, 2 * LEN, RW, ANON_FIXED, NULL, 0);
	for (i = 0; i < 2 * NR_PAGES; i++)
		fill(P, REGION + i * PAGE_SIZE, fill_of(i % NR_PAGES, -1),
		     PAGE_SIZE);
	Q = fork_task(P, "Q");
	memset(w, 0, sizeof(w));
	for (k = 0; k < NR_FORKERS + 2; k++)
		assert_int_equal(pthread_create(&w[k].thread, NULL,
						k < NR_FORKERS ? forker :
						k == NR_FORKERS ? writer :
						sharer, &w[k]), 0);
	for (k = 0; k < NR_FORKERS + 2; k++) {
		assert_int_equal(pthread_join(w[k].thread, NULL), 0);
		if (w[k].errors)
			fail_msg("worker %d: %d errors, first %s", k,
				 w[k].errors, w[k].what);
	}
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(foliage_validate(m), 0);
	for (i = 0; i < NR_PAGES; i++) {
		memset(page, fill_of(i, ROUNDS - 1), PAGE_SIZE);
		get_bytes(P, WREGION + i * PAGE_SIZE, got, PAGE_SIZE);
		assert_memory_equal(got, page, PAGE_SIZE);
		memset(page, fill_of(i, -1), PAGE_SIZE);
		get_bytes(P, REGION + i * PAGE_SIZE, got, PAGE_SIZE);
		assert_memory_equal(got, page, PAGE_SIZE);
	}
	/* REGION's folios are still whole, shared with Q. */
	assert_int_equal(folio_order(page_folio(pfn_to_page(pfn_at(P, REGION)))),
			 4);
	threads_machine_done(m);
}

static void test_mm_id_threads(void **state)
{
	run(false);
}

static void test_mm_id_threads_no_page_mapcount(void **state)
{
	run(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_id_threads),
		cmocka_unit_test(test_mm_id_threads_no_page_mapcount),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
