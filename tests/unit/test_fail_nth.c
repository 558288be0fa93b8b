// SPDX-License-Identifier: GPL-2.0
/*
 * The fail-Nth harness over randomized operation sequences of the public
 * API (docs/testing.md): mmap of anonymous memory and of files (private
 * and shared, PMD-sized with MADV_HUGEPAGE), single-page faults, fork,
 * mprotect, munmap, mremap, MADV_DONTNEED and exit, over several tasks.
 *
 * Each operation is run with the Nth allocation failing, for N = 1, 2,
 * ... until an allocation no longer fails inside it, once sweeping
 * fail_page_alloc (every order, every gfp) and once failslab (VMAs,
 * anon_vmas, anon_vma_chains).  When the injected failure makes the
 * operation fail, it must return an error, record no bug, pass every
 * validator, and leave the state as it was before the operation: the
 * digest (every task's smaps, the VMA, anon_vma and anon_vma_chain
 * objects, the mapped-page counters) is compared.  The state being what
 * it was, the operation is simply tried again with N + 1.  When it
 * succeeds anyway (Linux's fallbacks: a THP fault that maps small pages,
 * an opportunistic allocation), the sequence goes on from there.  At the
 * end every task exits: every object and every page must be back.
 *
 * make check runs FAIL_NTH_SEEDS (2) seeds of FAIL_NTH_STEPS (40) steps;
 * `make check-fail-nth` (FOLIAGE_FAIL_NTH_FULL=1) runs 12 seeds of 120.
 */
#include <stdio.h>

#include "digest.h"
#include "rmap_helpers.h"

#define BASE		(1UL << 30)	/* the small-page window */
#define WIN_PAGES	64UL
#define THP_BASE	(BASE + (4UL << 20)) /* a PMD-aligned window */
#define THP_SIZE	(2UL << 20)
#define MAX_TASKS	3
#define FILE_PAGES	32UL
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)

#define FAIL_NTH_SEEDS	2
#define FAIL_NTH_STEPS	40

enum injector { INJECT_PAGE, INJECT_SLAB };

struct world {
	struct foliage_machine *m;	/* the machine */
	struct foliage_task *task[MAX_TASKS]; /* live tasks, packed */
	int nr_tasks;			/* how many */
	struct foliage_file *file;	/* a file to map */
	unsigned long long rng;		/* the sequence's PRNG */
	enum injector inject;		/* what fails */
	unsigned long failed;		/* operations failed by injection */
	unsigned long fallbacks;	/* injected failures they survived */
	unsigned long steps;		/* operations of the sequence */
};

static unsigned long rnd(struct world *w, unsigned long n)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return (unsigned long)(w->rng % n);
}

static void set(struct world *w, const char *key, unsigned long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lu", v);
	if (foliage_set(w->m, key, buf))
		fail_msg("foliage_set(%s, %s) failed", key, buf);
}

/* Make the @n-th allocation from now fail (0: none). */
static void inject(struct world *w, unsigned long n)
{
	const char *prefix = w->inject == INJECT_PAGE ? "fail_page_alloc" :
							"failslab";
	char key[64];

	snprintf(key, sizeof(key), "%s.probability", prefix);
	set(w, key, n ? 100 : 0);
	if (!n)
		return;
	snprintf(key, sizeof(key), "%s.interval", prefix);
	set(w, key, n);
	snprintf(key, sizeof(key), "%s.times", prefix);
	set(w, key, 1);
}

static unsigned long failures(struct world *w)
{
	struct fault_inject *fi = w->m->fault_inject;

	return w->inject == INJECT_PAGE ? fi->fail_page_alloc.failures :
					  fi->failslab.failures;
}

/* ---- the state digest ---------------------------------------------- */

static void cat(char **d, size_t *len, const char *text)
{
	assert_int_equal(digest_cat(d, len, text), 0);
}

/*
 * Everything an operation that failed must have left as it was; with
 * @objects, the anon_vma and anon_vma_chain objects too.  A fault that
 * fails keeps the anon_vma it prepared before allocating the page, as in
 * Linux (do_anonymous_page(): anon_vma_prepare(), then the folio): the
 * exit at the end proves it is not leaked.
 */
static char *digest(struct world *w, bool objects, bool split_ok)
{
	static const char *const counters[] = {
		"nr_anon_pages", "nr_mapped", "nr_shmem", "nr_anon_transparent_hugepages",
	};
	struct rmap_counts rc = rmap_counts(w->m);
	char *d = NULL, buf[128];
	size_t len = 0;
	unsigned int i;
	int t;

	for (t = 0; t < w->nr_tasks; t++) {
		char *smaps;

		snprintf(buf, sizeof(buf), "task %d\n",
			 foliage_task_pid(w->task[t]));
		cat(&d, &len, buf);
		assert_int_equal(foliage_render_task(w->task[t], "smaps", 0,
						     &smaps), 0);
		if (split_ok)
			assert_int_equal(digest_smaps_pages(&d, &len, smaps), 0);
		else
			cat(&d, &len, smaps);
		free(smaps);
	}
	if (split_ok)
		/* A kept split is a VMA more (and its anon_vma_chains). */
		snprintf(buf, sizeof(buf), "objects anon_vma %ld\n",
			 rc.anon_vma);
	else if (objects)
		snprintf(buf, sizeof(buf), "objects anon_vma %ld avc %ld vma %ld\n",
			 rc.anon_vma, rc.avc, rc.vma);
	else
		snprintf(buf, sizeof(buf), "objects vma %ld\n", rc.vma);
	cat(&d, &len, buf);
	for (i = 0; i < ARRAY_SIZE(counters); i++) {
		snprintf(buf, sizeof(buf), "%s %lu\n", counters[i],
			 vmstat(w->m, counters[i]));
		cat(&d, &len, buf);
	}
	return d;
}

/* ---- the operations ------------------------------------------------- */

/* One operation, its arguments drawn from the PRNG state @rng. */
struct op {
	int kind;			/* OP_* */
	int task;			/* index in w->task[] */
	unsigned long addr;		/* start */
	unsigned long len;		/* bytes */
	unsigned long arg;		/* kind-specific */
};

enum {
	OP_MMAP_ANON, OP_MMAP_FILE, OP_MMAP_THP, OP_TOUCH, OP_FORK,
	OP_MPROTECT, OP_MUNMAP, OP_MREMAP, OP_MADVISE, OP_EXIT, NR_OPS
};

static struct op draw(struct world *w)
{
	struct op op = { .kind = (int)rnd(w, NR_OPS) };
	unsigned long first = rnd(w, WIN_PAGES), pages;

	op.task = (int)rnd(w, (unsigned long)w->nr_tasks);
	pages = 1 + rnd(w, WIN_PAGES - first < 8 ? WIN_PAGES - first : 8);
	op.addr = BASE + first * PAGE_SIZE;
	op.len = pages * PAGE_SIZE;
	op.arg = rnd(w, 1UL << 20);
	if (op.kind == OP_TOUCH && (op.arg & 3) == 0)
		op.addr = THP_BASE + (op.arg >> 2) % (THP_SIZE / PAGE_SIZE) *
				     PAGE_SIZE;
	if (op.kind == OP_FORK && w->nr_tasks == MAX_TASKS)
		op.kind = OP_TOUCH;
	if (op.kind == OP_EXIT && w->nr_tasks == 1)
		op.kind = OP_MPROTECT;
	return op;
}

/* Run @op; its return value (0 or -errno). */
static int run_op(struct world *w, const struct op *op)
{
	struct foliage_task *t = w->task[op->task], *child = NULL;
	static const int prots[] = {
		FOLIAGE_PROT_READ, RW, FOLIAGE_PROT_NONE,
	};
	unsigned long out, to;
	char byte = (char)op->arg;
	int ret;

	switch (op->kind) {
	case OP_MMAP_ANON:
		return foliage_mmap(t, op->addr, op->len, RW,
				    FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS |
				    FOLIAGE_MAP_FIXED, NULL, 0, &out);
	case OP_MMAP_FILE:
		return foliage_mmap(t, op->addr, op->len, RW,
				    (op->arg & 1 ? FOLIAGE_MAP_SHARED :
						   FOLIAGE_MAP_PRIVATE) |
				    FOLIAGE_MAP_FIXED, w->file,
				    (op->arg >> 1) % (FILE_PAGES - 8) *
				    PAGE_SIZE, &out);
	case OP_MMAP_THP:
		return foliage_mmap(t, THP_BASE, THP_SIZE, RW,
				    FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS |
				    FOLIAGE_MAP_FIXED, NULL, 0, &out);
	case OP_TOUCH:
		/* One byte: a fault either maps its page or fails whole. */
		return foliage_access(t, op->addr + (op->arg & 0xfff), &byte,
				      1, true, NULL);
	case OP_FORK:
		ret = foliage_fork(t, "child", &child);
		if (!ret)
			w->task[w->nr_tasks++] = child;
		return ret;
	case OP_MPROTECT:
		return foliage_mprotect(t, op->addr, op->len,
					prots[op->arg % ARRAY_SIZE(prots)]);
	case OP_MUNMAP:
		return foliage_munmap(t, op->addr, op->len);
	case OP_MREMAP:
		to = BASE + (op->arg % (WIN_PAGES - 8)) * PAGE_SIZE;
		return foliage_mremap(t, op->addr, op->len, op->len,
				      FOLIAGE_MREMAP_MAYMOVE |
				      FOLIAGE_MREMAP_FIXED, to, &out);
	case OP_MADVISE:
		if (op->arg & 1)
			return foliage_madvise(t, THP_BASE, THP_SIZE,
					       FOLIAGE_MADV_HUGEPAGE);
		return foliage_madvise(t, op->addr, op->len,
				       FOLIAGE_MADV_DONTNEED);
	case OP_EXIT:
		ret = foliage_exit(t);
		if (!ret) {
			w->task[op->task] = w->task[--w->nr_tasks];
			w->task[w->nr_tasks] = NULL;
		}
		return ret;
	}
	return -EINVAL;
}

/*
 * How many VMAs of @t overlap [@addr, @addr + @len); *@whole: whether
 * they cover it without a hole.
 */
static int vmas_in(struct foliage_task *t, unsigned long addr,
		   unsigned long len, bool *whole)
{
	char *maps;
	int nr;

	assert_int_equal(foliage_render_task(t, "maps", 0, &maps), 0);
	nr = digest_vmas_in(maps, addr, len, whole);
	free(maps);
	return nr;
}

/*
 * @op with the N-th allocation failing, N = 1, 2, ... (every N up to
 * @max_n, then only the last: the one past the operation's allocations).
 */
static void sweep_op(struct world *w, const struct op *op,
		     unsigned long max_n)
{
	bool thp = op->kind == OP_MADVISE && (op->arg & 1);
	struct foliage_task *t = w->task[op->task];
	unsigned long n, to, start, len;
	bool whole;
	int nr;

	/*
	 * Operations that Linux lets fail half done are not swept: an
	 * mprotect or madvise of several VMAs keeps the changes to those
	 * before the one that fails, and over a hole fails with -ENOMEM by
	 * itself after changing the VMAs before it (do_mprotect_pkey(),
	 * madvise_walk_vmas()); a move of several VMAs keeps those it moved
	 * when a later one fails (remap_move()).  They run once, without
	 * injection.
	 */
	start = thp ? THP_BASE : op->addr;
	len = thp ? THP_SIZE : op->len;
	nr = vmas_in(t, start, len, &whole);
	if (((op->kind == OP_MPROTECT || op->kind == OP_MADVISE) &&
	     (!whole || nr > 1)) ||
	    (op->kind == OP_MREMAP && nr > 1)) {
		run_op(w, op);
		if (foliage_bugs(w->m))
			fail_msg("step %lu op %d: bug: %s", w->steps, op->kind,
				 foliage_first_bug(w->m));
		return;
	}
	/*
	 * mremap(MREMAP_FIXED) unmaps the destination first and keeps it
	 * unmapped when the move then fails (mremap_to()): unmap it as a
	 * step of its own (when it does not overlap the source, which is
	 * -EINVAL), so that a failed move must leave all as it was.
	 */
	to = BASE + (op->arg % (WIN_PAGES - 8)) * PAGE_SIZE;
	if (op->kind == OP_MREMAP &&
	    (to + op->len <= op->addr || op->addr + op->len <= to) &&
	    vmas_in(t, to, op->len, &whole))
		assert_int_equal(foliage_munmap(t, to, op->len), 0);
	for (n = 1;; n++) {
		bool objects = op->kind != OP_TOUCH;
		bool split_ok = op->kind == OP_MPROTECT ||
				op->kind == OP_MUNMAP || op->kind == OP_MADVISE ||
				op->kind == OP_MMAP_ANON ||
				op->kind == OP_MMAP_FILE ||
				op->kind == OP_MMAP_THP;
		char *before = digest(w, objects, split_ok), *after, diff[512];
		unsigned long f0 = failures(w);
		int ret;

		inject(w, n > max_n ? 1UL << 40 : n);
		ret = run_op(w, op);
		inject(w, 0);
		if (foliage_bugs(w->m))
			fail_msg("step %lu op %d N=%lu: bug: %s", w->steps,
				 op->kind, n, foliage_first_bug(w->m));
		if (failures(w) == f0 || !ret) {
			/* Applied: nothing failed inside, or a fallback. */
			if (failures(w) != f0)
				w->fallbacks++;
			free(before);
			break;
		}
		w->failed++;
		assert_int_equal(foliage_validate(w->m), 0);
		after = digest(w, objects, split_ok);
		if (strcmp(before, after)) {
			digest_first_difference(before, after, diff, sizeof(diff));
			if (getenv("FAIL_NTH_DUMP"))
				fprintf(stderr, "%s---\n%s", before, after);
			fail_msg("step %lu op %d (task %d addr %#lx len %#lx arg %#lx) N=%lu failed (%d) but changed the state: %s",
				 w->steps, op->kind, op->task, op->addr,
				 op->len, op->arg, n, ret, diff);
		}
		free(before);
		free(after);
	}
}

static void run_sequence(unsigned long long seed, unsigned long steps,
			 enum injector what, unsigned long max_n)
{
	struct world w = { .rng = seed, .inject = what };
	struct rmap_counts start;
	unsigned long free_pages;

	w.m = pt_machine(1, 64);
	/* Every order and every gfp may fail. */
	set(&w, "fail_page_alloc.min-order", 0);
	set(&w, "fail_page_alloc.ignore-gfp-wait", 0);
	set(&w, "fail_page_alloc.ignore-gfp-highmem", 0);
	assert_int_equal(foliage_drain_pages(w.m), 0);
	free_pages = vmstat(w.m, "nr_free_pages");
	start = rmap_counts(w.m);
	w.task[w.nr_tasks++] = new_task(w.m, "init");
	assert_int_equal(foliage_file_create(w.m, "f", FILE_PAGES * PAGE_SIZE,
					     &w.file), 0);
	for (w.steps = 0; w.steps < steps; w.steps++) {
		struct op op = draw(&w);

		sweep_op(&w, &op, max_n);
	}
	while (w.nr_tasks)
		assert_int_equal(foliage_exit(w.task[--w.nr_tasks]), 0);
	foliage_file_put(w.file);
	/* Nothing leaked: objects and pages are all back. */
	assert_int_equal(rmap_counts(w.m).anon_vma, start.anon_vma);
	assert_int_equal(rmap_counts(w.m).avc, start.avc);
	assert_int_equal(rmap_counts(w.m).vma, start.vma);
	assert_int_equal(foliage_drain_pages(w.m), 0);
	assert_int_equal(vmstat(w.m, "nr_free_pages"), free_pages);
	print_message("seed %llu %s: %lu steps, %lu operations failed by injection, %lu fallbacks\n",
		      seed, what == INJECT_PAGE ? "fail_page_alloc" : "failslab",
		      steps, w.failed, w.fallbacks);
	assert_true(w.failed > 0);
	pt_machine_done(w.m);
}

static void sweep(enum injector what)
{
	bool full = getenv("FOLIAGE_FAIL_NTH_FULL") != NULL;
	unsigned long seeds = full ? 12 : FAIL_NTH_SEEDS;
	unsigned long steps = full ? 120 : FAIL_NTH_STEPS;
	unsigned long s;

	/* make check: every N up to 16, then only the one past the end. */
	for (s = 1; s <= seeds; s++)
		run_sequence(s * 0x9e3779b9ULL, steps, what,
			     full ? ~0UL : 16);
}

static void test_fail_nth_page_alloc(void **state)
{
	(void)state;
	sweep(INJECT_PAGE);
}

static void test_fail_nth_slab(void **state)
{
	(void)state;
	sweep(INJECT_SLAB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail_nth_page_alloc),
		cmocka_unit_test(test_fail_nth_slab),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
