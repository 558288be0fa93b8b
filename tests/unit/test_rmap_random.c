// SPDX-License-Identifier: GPL-2.0
/*
 * Randomized operation sequences (fixed seeds) over several tasks: mmap
 * of anonymous memory and of files (private and shared), faults,
 * mprotect splits and merges, mremap moves, munmap of parts, MADV_DONTNEED,
 * fork from any task (children of children), exit in any order; after
 * every step the anon_vma chains and counters are checked over the whole
 * machine (the folio side, every mapped folio found by rmap_walk() exactly
 * where the page tables map it, runs after every operation of a debug
 * build, and here every 25 steps), and at the end every object is freed.
 * tests/unit/test_random_ops.c runs a wider mix with a shadow oracle.
 * One seed runs on an arm64 machine (docs/arch.md).
 */
#include "rmap_helpers.h"

#define WINDOW		0x40000000UL	/* 1 GiB aligned */
#define WINDOW_PAGES	2048		/* 8 MiB of address space */
#define MAX_TASKS	8
#define NR_FILES	2
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)

struct world {
	struct foliage_machine *m;	/* the machine */
	struct foliage_task *task[MAX_TASKS]; /* live tasks, packed */
	int nr_tasks;			/* how many */
	struct foliage_file *file[NR_FILES]; /* files to map */
	unsigned long long rng;		/* PRNG state */
	unsigned long ops[10];		/* successful operations, by kind */
};

static unsigned long rnd(struct world *w, unsigned long n)
{
	w->rng = w->rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (w->rng >> 33) % n;
}

/* A page-aligned range in the window: [*addr, *addr + *len). */
static void rnd_range(struct world *w, unsigned long *addr,
		      unsigned long *len, unsigned long max_pages)
{
	unsigned long first = rnd(w, WINDOW_PAGES);
	unsigned long pages = 1 + rnd(w, max_pages);

	/* Now and then a 2 MiB aligned start, for THPs. */
	if (!rnd(w, 8))
		first &= ~(HPAGE_PMD_NR - 1);
	if (first + pages > WINDOW_PAGES)
		pages = WINDOW_PAGES - first;
	*addr = WINDOW + first * PAGE_SIZE;
	*len = pages * PAGE_SIZE;
}

static int rnd_prot(struct world *w)
{
	static const int prots[] = {
		RW, RW, RW, FOLIAGE_PROT_READ, FOLIAGE_PROT_NONE,
		RW | FOLIAGE_PROT_EXEC,
	};

	return prots[rnd(w, ARRAY_SIZE(prots))];
}

static void op_mmap(struct world *w, struct foliage_task *t)
{
	unsigned long addr, len, out;
	int flags = FOLIAGE_MAP_FIXED, kind = rnd(w, 4);
	struct foliage_file *f = NULL;
	uint64_t off = 0;

	rnd_range(w, &addr, &len, kind == 3 ? 1024 : 64);
	if (kind == 1 || kind == 2) {
		f = w->file[rnd(w, NR_FILES)];
		off = rnd(w, 64) * PAGE_SIZE;
		flags |= kind == 1 ? FOLIAGE_MAP_PRIVATE : FOLIAGE_MAP_SHARED;
	} else {
		flags |= FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS;
	}
	if (!foliage_mmap(t, addr, len, RW, flags, f, off, &out))
		w->ops[0]++;
}

/* Write or read every page of a range, stopping at the first hole. */
static void op_touch(struct world *w, struct foliage_task *t)
{
	unsigned long addr, len, a;
	bool write = rnd(w, 3) != 0;
	char byte = 'a' + rnd(w, 26);

	rnd_range(w, &addr, &len, 256);
	for (a = addr; a < addr + len; a += PAGE_SIZE)
		if (foliage_access(t, a + rnd(w, PAGE_SIZE), &byte, 1, write,
				   NULL))
			break;
	w->ops[1]++;
}

static void op_mprotect(struct world *w, struct foliage_task *t)
{
	unsigned long addr, len;

	rnd_range(w, &addr, &len, 128);
	if (!foliage_mprotect(t, addr, len, rnd_prot(w)))
		w->ops[2]++;
}

static void op_mremap(struct world *w, struct foliage_task *t)
{
	unsigned long addr, len, to, to_len, out;

	rnd_range(w, &addr, &len, 32);
	rnd_range(w, &to, &to_len, 1);
	if (!foliage_mremap(t, addr, len, len, FOLIAGE_MREMAP_MAYMOVE |
			    FOLIAGE_MREMAP_FIXED, to, &out))
		w->ops[3]++;
}

static void op_munmap(struct world *w, struct foliage_task *t)
{
	unsigned long addr, len;

	rnd_range(w, &addr, &len, 64);
	if (!foliage_munmap(t, addr, len))
		w->ops[4]++;
}

static void op_dontneed(struct world *w, struct foliage_task *t)
{
	unsigned long addr, len;

	rnd_range(w, &addr, &len, 64);
	if (!foliage_madvise(t, addr, len, FOLIAGE_MADV_DONTNEED))
		w->ops[5]++;
}

static void op_fork(struct world *w, struct foliage_task *t)
{
	struct foliage_task *child;

	if (w->nr_tasks == MAX_TASKS)
		return;
	assert_int_equal(foliage_fork(t, "child", &child), 0);
	w->task[w->nr_tasks++] = child;
	w->ops[6]++;
}

static void op_exit(struct world *w, int i)
{
	if (w->nr_tasks == 1)
		return;
	assert_int_equal(foliage_exit(w->task[i]), 0);
	w->task[i] = w->task[--w->nr_tasks];
	w->ops[7]++;
}

static void op_thp(struct world *w)
{
	static const char *const modes[] = { "always", "madvise", "never" };

	assert_int_equal(foliage_set(w->m, "transparent_hugepage.enabled",
				     modes[rnd(w, 3)]), 0);
	w->ops[8]++;
}

static void step(struct world *w)
{
	int i = rnd(w, w->nr_tasks);
	struct foliage_task *t = w->task[i];

	switch (rnd(w, 20)) {
	case 0: case 1: case 2: case 3:
		op_mmap(w, t);
		break;
	case 4: case 5: case 6: case 7: case 8:
		op_touch(w, t);
		break;
	case 9: case 10:
		op_mprotect(w, t);
		break;
	case 11: case 12:
		op_mremap(w, t);
		break;
	case 13:
		op_munmap(w, t);
		break;
	case 14:
		op_dontneed(w, t);
		break;
	case 15: case 16:
		op_fork(w, t);
		break;
	case 17: case 18:
		op_exit(w, i);
		break;
	case 19:
		op_thp(w);
		break;
	}
}

static void run_scheme(unsigned long long seed, int steps, unsigned int arch,
		       unsigned int anon_vma)
{
	struct world w = { .rng = seed };
	struct rmap_counts start;
	struct foliage_config cfg;
	int i;

	foliage_config_init(&cfg);
	cfg.bytes_per_node = 256UL << 20;
	cfg.arch = arch;
	cfg.anon_vma = anon_vma;
	w.m = test_machine_cfg(&cfg);
	assert_int_equal(machine_enter(w.m), 0);
	start = rmap_counts(w.m);
	w.task[w.nr_tasks++] = new_task(w.m, "init");
	for (i = 0; i < NR_FILES; i++)
		assert_int_equal(foliage_file_create(w.m, "f", 96 * PAGE_SIZE,
						     &w.file[i]), 0);
	for (i = 0; i < steps; i++) {
		step(&w);
		/*
		 * A debug build already ran the folio-side checker after the
		 * operation (validate_rmap()); the anon_vma side is checked
		 * here every step, both sides every 25 steps.
		 */
		if (i % 25 == 24)
			assert_rmap_ok(w.m);
		else
			assert_anon_vmas_ok(w.m);
	}
	/* Every kind of operation happened. */
	for (i = 0; i < 9; i++)
		if (!w.ops[i])
			fail_msg("seed %llu: operation kind %d never succeeded",
				 seed, i);
	/* A lazy machine made roots and upgraded some (fork, mremap). */
	if (anon_vma == FOLIAGE_ANON_VMA_LAZY)
		assert_true(atomic_long_read(&w.m->anon_rmap->nr_upgrades) &&
			    atomic_long_read(&w.m->anon_rmap->nr_fixed));
	while (w.nr_tasks)
		assert_int_equal(foliage_exit(w.task[--w.nr_tasks]), 0);
	if (anon_vma == FOLIAGE_ANON_VMA_LAZY)
		assert_int_equal(atomic_long_read(&w.m->anon_rmap->nr_roots),
				 0);
	for (i = 0; i < NR_FILES; i++)
		foliage_file_put(w.file[i]);
	assert_int_equal(rmap_counts(w.m).anon_vma, start.anon_vma);
	assert_int_equal(rmap_counts(w.m).avc, start.avc);
	assert_int_equal(rmap_counts(w.m).vma, start.vma);
	pt_machine_done(w.m);
}

/* test_rmap_random_lazy.c runs the same on ANON_VMA_LAZY machines. */
#ifndef TEST_RMAP_RANDOM_NO_MAIN
static void run_arch(unsigned long long seed, int steps, unsigned int arch)
{
	run_scheme(seed, steps, arch, FOLIAGE_ANON_VMA_CLASSIC);
}

static void run(unsigned long long seed, int steps)
{
	run_arch(seed, steps, FOLIAGE_ARCH_X86_64);
}

static void test_random_seed_1(void **state)
{
	run(1, 300);
}

/* The same checks with arm64's page tables and TLB model. */
static void test_random_seed_3_arm64(void **state)
{
	run_arch(3, 150, FOLIAGE_ARCH_ARM64);
}

static void test_random_seed_2(void **state)
{
	run(2, 300);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_seed_1),
		cmocka_unit_test(test_random_seed_2),
		cmocka_unit_test(test_random_seed_3_arm64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif /* TEST_RMAP_RANDOM_NO_MAIN */
