// SPDX-License-Identifier: GPL-2.0
/*
 * ANON_VMA_LAZY under concurrency (issue 13 §2, label "threads", TSan):
 * rmap walks on one CPU -- rmap_walk() with a collector, folio_referenced()
 * -- against fork (which upgrades the lazy group and moves each folio to
 * the anon_vma under the PTL, so a walk may see ->mapping change under it
 * and must walk again) and against moving mremaps (upgrade, then
 * move_ptes() moves each folio) on another CPU.  Every walk must find
 * every mapping that existed through it: the parent's always, each child
 * forked before the walk began, and the moving page at its old or its
 * new address -- or at both, when mremap moved it between the lazy walk
 * and its retry (the retry's cost, docs/anon-vma-lazy.md).  Lockdep-lite checks the lock order on both
 * CPUs (an inversion is a bug, which fails the test).
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "threads_helpers.h"
#include <linux/rmap.h>
#include <linux/swap.h>
#include "task.h"

#define BASE		0x20000000UL
#define OTHER		0x30000000UL
#define NR_PAGES	16
#define NR_FORKS	5
#define NR_MOVES	12
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON_FIXED	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_FIXED | \
			 FOLIAGE_MAP_ANONYMOUS)

struct walker {
	pthread_t thread;		/* the thread */
	struct foliage_machine *m;	/* the machine */
	struct folio *folio[NR_PAGES];	/* the folios walked, referenced */
	unsigned long off[NR_PAGES];	/* each one's offset in the region */
	int forks_done;			/* forks completed (atomic) */
	int stop;			/* set when the racer is done (atomic) */
	long walks;			/* walks made (atomic) */
	long bad;			/* walks that missed one */
	long doubled;			/* walks that saw a moved page twice */
	char why[160];			/* the first bad walk */
};

/* What one walk of one folio found. */
struct found {
	struct walker *w;		/* the walker */
	unsigned long off;		/* the folio's offset in the region */
	int nr;				/* mappings found */
	int at_base;			/* of them at BASE + off */
	int at_other;			/* at OTHER + off */
};

static bool found_one(struct folio *folio, struct vm_area_struct *vma,
		      unsigned long address, void *arg)
{
	struct found *f = arg;
	DEFINE_FOLIO_VMA_WALK(pvmw, folio, vma, address, 0);

	while (page_vma_mapped_walk(&pvmw)) {
		f->nr++;
		if (pvmw.address == BASE + f->off)
			f->at_base++;
		else if (pvmw.address == OTHER + f->off)
			f->at_other++;
	}
	return true;
}

static void walk_bad(struct walker *w, const char *what, int a, int b)
{
	if (!w->bad++)
		snprintf(w->why, sizeof(w->why), "%s: %d, %d", what, a, b);
}

/* Fork race: walks until told to stop; each must see every fork done. */
static void *walk_forks(void *arg)
{
	struct walker *w = arg;
	int i, done;

	if (foliage_cpu_attach(w->m, 1) != 1 || machine_enter(w->m)) {
		walk_bad(w, "attach", 0, 0);
		return NULL;
	}
	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		for (i = 0; i < NR_PAGES; i++) {
			struct found f = { .w = w, .off = w->off[i] };
			struct rmap_walk_control rwc = {
				.rmap_one = found_one,
				.arg = &f,
			};
			vm_flags_t flags;

			done = __atomic_load_n(&w->forks_done,
					       __ATOMIC_ACQUIRE);
			folio_lock(w->folio[i]);
			rmap_walk(w->folio[i], &rwc);
			/* try_lock: -1 when fork holds the locks. */
			if (folio_referenced(w->folio[i], true, &flags) < -1)
				walk_bad(w, "folio_referenced", 0, 0);
			folio_unlock(w->folio[i]);
			__atomic_add_fetch(&w->walks, 1, __ATOMIC_RELEASE);
			/*
			 * P's mapping, and one per child forked before; a
			 * walk that retried may see them twice.
			 */
			if (f.nr < 1 + done || f.nr > 2 * (1 + NR_FORKS) ||
			    f.at_base != f.nr)
				walk_bad(w, "found, expected at least", f.nr,
					 1 + done);
		}
	}
	if (foliage_cpu_detach(w->m))
		walk_bad(w, "detach", 0, 0);
	return NULL;
}

/* mremap race: each walk finds the page once, at BASE or at OTHER. */
static void *walk_moves(void *arg)
{
	struct walker *w = arg;
	int i;

	if (foliage_cpu_attach(w->m, 1) != 1 || machine_enter(w->m)) {
		walk_bad(w, "attach", 0, 0);
		return NULL;
	}
	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		for (i = 0; i < NR_PAGES; i++) {
			struct found f = { .w = w, .off = w->off[i] };
			struct rmap_walk_control rwc = {
				.rmap_one = found_one,
				.arg = &f,
			};

			folio_lock(w->folio[i]);
			rmap_walk(w->folio[i], &rwc);
			folio_unlock(w->folio[i]);
			__atomic_add_fetch(&w->walks, 1, __ATOMIC_RELEASE);
			/*
			 * Never missed.  Twice -- the old place, then the
			 * new -- when the move came between the lazy walk
			 * and the retry through the anon_vma: harmless to
			 * the kernel's rmap_one users (see the docs).
			 */
			if (f.nr == 2 && f.at_base == 1 && f.at_other == 1)
				w->doubled++;
			else if (f.nr != 1 || f.at_base + f.at_other != 1)
				walk_bad(w, "found, at base/other", f.nr,
					 f.at_base + f.at_other);
		}
	}
	if (foliage_cpu_detach(w->m))
		walk_bad(w, "detach", 0, 0);
	return NULL;
}

/* Let the walker make @n more walks, so that the next change races them. */
static void let_walk(struct walker *w, long n)
{
	long target = __atomic_load_n(&w->walks, __ATOMIC_ACQUIRE) + n;

	while (__atomic_load_n(&w->walks, __ATOMIC_ACQUIRE) < target &&
	       !w->bad)
		sched_yield();
}

static struct foliage_machine *lazy_machine(void)
{
	struct foliage_machine *m = NULL;
	struct foliage_config cfg;

	foliage_config_init(&cfg);
	cfg.nr_cpus = 4;
	cfg.bytes_per_node = 64UL << 20;
	cfg.anon_vma = FOLIAGE_ANON_VMA_LAZY;
	assert_int_equal(foliage_machine_create(&cfg, &m), 0);
	return m;
}

/*
 * P's region, split in two by mprotect (one lazy group, two VMAs), every
 * page written; the walker holds a reference on each folio.
 */
static struct foliage_task *region(struct foliage_machine *m,
				   struct walker *w)
{
	struct foliage_task *p = new_task(m, "p");
	int i;

	map(p, BASE, NR_PAGES * PAGE_SIZE, RW, ANON_FIXED, NULL, 0);
	fill(p, BASE, 'p', NR_PAGES * PAGE_SIZE);
	assert_int_equal(foliage_mprotect(p, BASE + NR_PAGES / 2 * PAGE_SIZE,
					  NR_PAGES / 2 * PAGE_SIZE,
					  FOLIAGE_PROT_READ), 0);
	w->m = m;
	for (i = 0; i < NR_PAGES; i++) {
		w->off[i] = i * PAGE_SIZE;
		w->folio[i] = page_folio(page_at(p, BASE + w->off[i]));
		assert_int_equal(machine_enter(m), 0);
		assert_true(folio_test_anon_lazy(w->folio[i]));
		folio_get(w->folio[i]);
	}
	return p;
}

static void put_folios(struct walker *w)
{
	int i;

	assert_int_equal(machine_enter(w->m), 0);
	for (i = 0; i < NR_PAGES; i++)
		folio_put(w->folio[i]);
}

static void test_walk_vs_fork(void **state)
{
	struct foliage_machine *m = lazy_machine();
	struct walker *w = calloc(1, sizeof(*w));
	struct foliage_task *p;
	int i;

	assert_non_null(w);
	p = region(m, w);
	assert_int_equal(pthread_create(&w->thread, NULL, walk_forks, w), 0);
	for (i = 0; i < NR_FORKS; i++) {
		let_walk(w, NR_PAGES);
		fork_task(p, "c");
		__atomic_store_n(&w->forks_done, i + 1, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&w->stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(w->thread, NULL), 0);
	if (w->bad)
		fail_msg("%ld of %ld walks bad; first: %s", w->bad, w->walks,
			 w->why);
	assert_true(w->walks > 0);
	assert_int_equal(machine_enter(m), 0);
	for (i = 0; i < NR_PAGES; i++)
		assert_false(folio_test_anon_lazy(w->folio[i]));
	put_folios(w);
	free(w);
	threads_machine_done(m);
}

static void test_walk_vs_mremap(void **state)
{
	struct foliage_machine *m = lazy_machine();
	struct walker *w = calloc(1, sizeof(*w));
	struct foliage_task *p;
	unsigned long out;
	int i;

	assert_non_null(w);
	p = region(m, w);
	/* Only the lower half moves: its folios, then the upper's, walked. */
	assert_int_equal(pthread_create(&w->thread, NULL, walk_moves, w), 0);
	for (i = 0; i < NR_MOVES; i++) {
		unsigned long from = i & 1 ? OTHER : BASE;
		unsigned long to = i & 1 ? BASE : OTHER;

		let_walk(w, NR_PAGES);
		assert_int_equal(foliage_mremap(p, from,
						NR_PAGES / 2 * PAGE_SIZE,
						NR_PAGES / 2 * PAGE_SIZE,
						FOLIAGE_MREMAP_MAYMOVE |
						FOLIAGE_MREMAP_FIXED, to,
						&out), 0);
		assert_int_equal(out, to);
	}
	__atomic_store_n(&w->stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(w->thread, NULL), 0);
	if (w->bad)
		fail_msg("%ld of %ld walks bad; first: %s", w->bad, w->walks,
			 w->why);
	assert_true(w->walks > 0);
	expect_fill(p, BASE, 'p', NR_PAGES * PAGE_SIZE);
	put_folios(w);
	free(w);
	threads_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_vs_fork),
		cmocka_unit_test(test_walk_vs_mremap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
